/**
 * Load shedding: when the event loop lags (or the heap grows) past the configured limit, requests are
 * answered 503 with Retry-After at once instead of queueing until every caller times out. Liveness and
 * metrics still answer, so that an overloaded instance is taken out of rotation (/readyz is refused too),
 * not restarted.
 */
import underPressure from '@fastify/under-pressure';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

type PressureHandler = (request: FastifyRequest, reply: FastifyReply, type: string, value: number | undefined) => Promise<void> | void;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A route-level override of the pressure answer; `answerUnderPressure` lets the request through. */
    pressureHandler?: PressureHandler;
  }
}

/** Route config for endpoints that must answer even under pressure (liveness, metrics). */
export const answerUnderPressure = { pressureHandler: () => undefined } as const;

export const RETRY_AFTER_SECONDS = 5;
/** The first samples after start measure the start itself (migrations, PGlite loading): not load. */
const SAMPLE_MS = 1000;
const START_GRACE_MS = 2 * SAMPLE_MS;

export default fp(
  async function pressure(app: FastifyInstance) {
    const { pressureMaxEventLoopDelayMs, pressureMaxHeapBytes } = app.config;
    if (pressureMaxEventLoopDelayMs === 0 && pressureMaxHeapBytes === 0) return;
    let readyAt = Number.POSITIVE_INFINITY;
    app.addHook('onReady', async () => {
      readyAt = Date.now();
    });
    await app.register(underPressure, {
      maxEventLoopDelay: pressureMaxEventLoopDelayMs,
      maxHeapUsedBytes: pressureMaxHeapBytes,
      sampleInterval: SAMPLE_MS,
      pressureHandler: (request, reply, type) => {
        if (Date.now() - readyAt < START_GRACE_MS) return; // handled as usual
        app.metrics?.pressureRefused.inc({ type });
        request.log.warn({ pressure: type }, 'refused under pressure');
        reply
          .status(503)
          .header('retry-after', String(RETRY_AFTER_SECONDS))
          .send({ error: { code: 'SERVICE_UNAVAILABLE', message: '服务繁忙，请稍后重试' } });
      },
    });
  },
  { name: 'pressure', dependencies: ['db'] },
);

/**
 * GET /metrics in the Prometheus text format: request rate and latency by route, the database pool,
 * tickets by status and colour, the SMS outbox, the sweep, load shedding, and the process itself.
 * Served on the main port behind METRICS_TOKEN (bearer), or on the internal METRICS_PORT; neither set,
 * it is not served at all. Figures read from the database are cached a few seconds, so that scrapes by
 * several collectors cost one query per instance.
 */
import { timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { smsOutbox, tickets } from '@ys/shared/schema';
import { count, sql } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { APPLICATION_NAME, type Database } from '../db/client.ts';
import { colorSql } from '../modules/tickets/repo.ts';
import { answerUnderPressure } from './pressure.ts';

export const FIGURES_CACHE_MS = 5000;

export interface Metrics {
  registry: Registry;
  pressureRefused: Counter<'type'>;
  sweepRuns: Counter;
  sweepChanges: Counter<'rule'>;
  render(): Promise<string>;
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Metrics;
  }
}

interface Figures {
  tickets: { status: string; color: string | null; n: number }[];
  sms: { status: string; n: number }[];
  connections: { pool: string; state: string; n: number }[];
}

async function readFigures(app: FastifyInstance): Promise<Figures> {
  const now = app.now();
  const db = app.readDb.db;
  const color = colorSql(now);
  const [ticketRows, smsRows, connections] = await Promise.all([
    // by position: the colour expression's parameters would not match a repeated copy of it
    db.select({ status: tickets.status, color, n: count() }).from(tickets).groupBy(sql`1`, sql`2`),
    db.select({ status: smsOutbox.status, n: count() }).from(smsOutbox).groupBy(smsOutbox.status),
    connectionsOf(app.db, 'primary'),
  ]);
  const replica = app.readDb === app.db ? [] : await connectionsOf(app.readDb, 'read');
  return { tickets: ticketRows, sms: smsRows, connections: [...connections, ...replica] };
}

/** This instance's PostgreSQL connections by state (postgres.js reports no pool figures of its own). */
async function connectionsOf(database: Database, pool: string) {
  if (database.kind !== 'postgres') return [];
  const rows = await database.rows<{ state: string | null; n: number }>(
    sql`select state, count(*)::int as n from pg_stat_activity where application_name = ${APPLICATION_NAME} and datname = current_database() group by state`,
  );
  return rows.map((r) => ({ pool, state: r.state ?? 'unknown', n: r.n }));
}

function bearerMatches(request: FastifyRequest | http.IncomingMessage, token: string): boolean {
  const given = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export default fp(
  async function metricsPlugin(app: FastifyInstance) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry, prefix: 'ys_' });

    const httpDuration = new Histogram({
      name: 'ys_http_request_duration_seconds',
      help: 'HTTP requests by route pattern, method and status (the _count is the request rate)',
      labelNames: ['method', 'route', 'status_code'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    const pressureRefused = new Counter({
      name: 'ys_pressure_refused_total',
      help: 'Requests answered 503 because the instance was under pressure',
      labelNames: ['type'] as const,
      registers: [registry],
    });
    const sweepRuns = new Counter({ name: 'ys_sweep_runs_total', help: 'Deadline sweeps run by this instance', registers: [registry] });
    const sweepChanges = new Counter({
      name: 'ys_sweep_changes_total',
      help: 'Tickets changed by this instance’s sweeps, by rule',
      labelNames: ['rule'] as const,
      registers: [registry],
    });

    let cached: { at: number; figures: Promise<Figures> } | null = null;
    const figures = () => {
      const at = Date.now();
      if (!cached || at - cached.at > FIGURES_CACHE_MS) {
        const pending = readFigures(app);
        cached = { at, figures: pending };
        // A failed read is not cached: the next scrape tries again.
        pending.catch(() => {
          if (cached?.figures === pending) cached = null;
        });
      }
      return cached.figures;
    };

    new Gauge({
      name: 'ys_tickets',
      help: 'Tickets by status and deadline colour (colour "none" for tickets no longer open)',
      labelNames: ['status', 'color'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const r of (await figures()).tickets) this.set({ status: r.status, color: r.color ?? 'none' }, r.n);
      },
    });
    new Gauge({
      name: 'ys_sms_outbox',
      help: 'SMS outbox messages by status ("failed": given up after every retry)',
      labelNames: ['status'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        const rows = (await figures()).sms;
        for (const status of ['pending', 'sent', 'failed']) this.set({ status }, rows.find((r) => r.status === status)?.n ?? 0);
      },
    });
    new Gauge({
      name: 'ys_db_pool_max',
      help: 'Configured database connections of this instance',
      labelNames: ['pool'] as const,
      registers: [registry],
      collect() {
        this.set({ pool: 'primary' }, app.db.kind === 'postgres' ? app.config.databasePoolSize : 1);
        if (app.readDb !== app.db) this.set({ pool: 'read' }, app.config.databasePoolSize);
      },
    });
    new Gauge({
      name: 'ys_db_connections',
      help: 'Open PostgreSQL connections of this instance by state (from pg_stat_activity)',
      labelNames: ['pool', 'state'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        for (const r of (await figures()).connections) this.set({ pool: r.pool, state: r.state }, r.n);
      },
    });

    const metrics: Metrics = { registry, pressureRefused, sweepRuns, sweepChanges, render: () => registry.metrics() };
    app.decorate('metrics', metrics);

    app.addHook('onResponse', async (request, reply) => {
      // The route pattern, never the raw URL: ids and junk paths would explode the label set.
      const route = request.routeOptions.url ?? 'unmatched';
      httpDuration.observe({ method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
    });

    const { metricsToken, metricsPort } = app.config;
    if (metricsToken && metricsPort === 0) {
      app.get(
        '/metrics',
        { config: { auth: 'public', ...answerUnderPressure }, logLevel: 'warn', schema: { tags: ['ops'], summary: 'Prometheus 指标（Bearer METRICS_TOKEN）' } },
        async (request: FastifyRequest, reply: FastifyReply) => {
          if (!bearerMatches(request, metricsToken)) {
            return reply.status(401).send({ error: { code: 'UNAUTHENTICATED', message: '需要指标访问令牌' } });
          }
          return reply.type(registry.contentType).send(await metrics.render());
        },
      );
    }
  },
  { name: 'metrics', dependencies: ['db'] },
);

/** The internal metrics listener (METRICS_PORT): only GET /metrics, token checked when one is set. The caller closes it. */
export async function listenMetrics(app: FastifyInstance, host: string, port: number): Promise<http.Server> {
  const token = app.config.metricsToken;
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    if (token && !bearerMatches(req, token)) {
      res.writeHead(401).end();
      return;
    }
    app.metrics.render().then(
      (body) => res.writeHead(200, { 'content-type': app.metrics.registry.contentType }).end(body),
      (err) => {
        app.log.error({ err }, 'metrics failed');
        res.writeHead(500).end();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  app.log.info({ metrics: `${host}:${(server.address() as AddressInfo).port}` }, 'metrics listening');
  return server;
}

/** buildApp(config) → the Fastify instance with every plugin and module registered; it does not listen. */
import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import multipart from '@fastify/multipart';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import helmet from 'helmet';
import type { Config } from './config.ts';
import type { Database } from './db/client.ts';
import { lazyCompilers } from './lib/lazy-compilers.ts';
import adminRoutes from './modules/admin/routes.ts';
import attachmentRoutes from './modules/attachments/routes.ts';
import { createStorage } from './modules/attachments/storage.ts';
import authRoutes from './modules/auth/routes.ts';
import dictRoutes from './modules/dicts/routes.ts';
import exportRoutes from './modules/exports/routes.ts';
import ratingLinkRoutes from './modules/notifications/rating-routes.ts';
import notificationRoutes from './modules/notifications/routes.ts';
import smsOutbox from './modules/notifications/sms-outbox.ts';
import publicRoutes from './modules/public/routes.ts';
import { createSmsProvider } from './modules/public/sms.ts';
import statsRoutes from './modules/stats/routes.ts';
import ticketRoutes from './modules/tickets/routes.ts';
import { scheduleSweep } from './modules/tickets/sweep.ts';
import authPlugin from './plugins/auth.ts';
import corsPlugin from './plugins/cors.ts';
import dbPlugin from './plugins/db.ts';
import errorsPlugin from './plugins/errors.ts';
import metricsPlugin from './plugins/metrics.ts';
import openapiPlugin from './plugins/openapi.ts';
import pressurePlugin, { answerUnderPressure } from './plugins/pressure.ts';
import rateLimitPlugin from './plugins/rate-limit.ts';
import requestLogPlugin, { maskPhones } from './plugins/request-log.ts';
import staticPlugin from './plugins/static.ts';

declare module 'fastify' {
  interface FastifyInstance {
    now(): Date;
  }
}

export interface BuildOptions {
  config: Config;
  database: Database;
  /** A read replica for read-heavy figures (app.readDb); the primary when absent. */
  readDatabase?: Database;
  /** Close the database with the app (the server does; tests that share a database do not). */
  ownsDatabase?: boolean;
  logger?: boolean;
  /** Where the log goes (default stdout); tests read it. */
  logStream?: { write(line: string): void };
  /** The clock of every rule (deadlines, colours, sweep); tests move it. */
  now?: () => Date;
}

export async function buildApp({
  config,
  database,
  readDatabase,
  ownsDatabase = true,
  logger = true,
  logStream,
  now = () => new Date(),
}: BuildOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: logger
      ? {
          level: config.logLevel,
          ...(logStream ? { stream: logStream } : {}),
          hooks: { streamWrite: maskPhones },
          redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.password', '*.code'], censor: '[redacted]' },
        }
      : false,
    trustProxy: config.trustProxy,
    bodyLimit: 1024 * 1024,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
    },
    ajv: { customOptions: { removeAdditional: true, coerceTypes: 'array', useDefaults: true, allErrors: false } },
    schemaController: lazyCompilers() as never,
    // The router's own refusals (a path that does not decode, a parameter over maxParamLength) in the uniform shape too.
    frameworkErrors: (err, _request, reply) => {
      const status = err.statusCode && err.statusCode < 500 ? err.statusCode : 400;
      (reply as FastifyReply).status(status).send({ error: { code: 'VALIDATION_FAILED', message: status === 414 ? '请求地址过长' : '请求地址不正确' } });
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('now', now);
  app.decorate('attachmentStorage', createStorage(config, app.log));
  app.decorate('sms', createSmsProvider(config, app.log));

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(errorsPlugin);
  await app.register(dbPlugin, { database, readDatabase, config, ownsDatabase });
  await app.register(metricsPlugin);
  await app.register(pressurePlugin);
  await app.register(requestLogPlugin);
  // Security headers, from one helmet middleware built once (the Fastify plugin builds it anew for every request).
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    crossOriginEmbedderPolicy: false,
    hsts: config.env === 'production',
  });
  app.addHook('onRequest', (request, reply, done) => securityHeaders(request.raw, reply.raw, (err?: unknown) => done(err as Error | undefined)));
  await app.register(cookie);
  await app.register(multipart, { limits: { fileSize: config.uploadMaxBytes, files: 1, fields: 5, parts: 6 } });
  await app.register(corsPlugin);
  await app.register(authPlugin);
  await app.register(rateLimitPlugin);
  await app.register(smsOutbox);
  await app.register(openapiPlugin);

  app.get('/healthz', { config: { auth: 'public', ...answerUnderPressure }, schema: { tags: ['ops'], summary: '进程存活' } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { auth: 'public' }, schema: { tags: ['ops'], summary: '数据库可用' } }, async (_req, reply) => {
    try {
      await Promise.race([database.ping(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref())]);
      return { status: 'ready', database: database.kind };
    } catch {
      return reply.status(503).send({ error: { code: 'SERVICE_UNAVAILABLE', message: '数据库不可用' } });
    }
  });

  await app.register(
    async (api) => {
      await api.register(authRoutes, { prefix: '/auth' });
      await api.register(adminRoutes, { prefix: '/admin' });
      await api.register(dictRoutes);
      await api.register(ticketRoutes);
      await api.register(attachmentRoutes);
      await api.register(publicRoutes, { prefix: '/public' });
      await api.register(ratingLinkRoutes, { prefix: '/public' });
      await api.register(statsRoutes, { prefix: '/stats' });
      await api.register(exportRoutes);
      await api.register(notificationRoutes, { prefix: '/notifications' });
    },
    { prefix: '/api' },
  );

  await app.register(staticPlugin);

  const stopSweep = scheduleSweep(database, config.sweepIntervalSeconds, now, app.log, (result) => {
    app.metrics.sweepRuns.inc();
    for (const [rule, n] of Object.entries(result)) if (n > 0) app.metrics.sweepChanges.inc({ rule }, n);
  });
  app.addHook('onClose', async () => stopSweep());

  app.setNotFoundHandler({}, (request, reply) => {
    reply.status(404).send({ error: { code: 'NOT_FOUND', message: `接口不存在：${request.method} ${request.url.split('?')[0]}` } });
  });

  return app;
}

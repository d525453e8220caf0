/**
 * Abuse limits: fixed-window counters shared by every instance — in the database's rate_limits table, or
 * in Redis when REDIS_URL is set. LIMITS below is the whole policy: which request counts against which
 * limit. Over a limit the answer is 429 RATE_LIMITED with Retry-After. RATE_LIMITS=false switches the
 * limits off (benchmarks); expired counter rows are deleted either way.
 */
import { rateLimits } from '@ys/shared/schema';
import { lt, sql } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import type { Database } from '../db/client.ts';
import { AppError } from '../errors.ts';

export interface Limit {
  /** Part of the counter key; unique across LIMITS. */
  name: string;
  max: number;
  windowSeconds: number;
  /** Who is counted: an IP, a username, a session. null = this limit does not apply to the request. */
  key: (request: FastifyRequest) => string | null;
  message: string;
}

const byIp = (request: FastifyRequest) => request.ip;
const byBodyField = (field: string) => (request: FastifyRequest) => {
  const value = (request.body as Record<string, unknown> | undefined)?.[field];
  return typeof value === 'string' && value.trim() ? value.trim().toLowerCase().slice(0, 100) : null;
};
const byEnterpriseSession = (request: FastifyRequest) => request.enterprise?.sessionId ?? null;

const TOO_MANY = '请求过于频繁，请稍后再试';

/** `METHOD /route/pattern` → the limits it counts against. The OTP per-phone limits live in the OTP service. */
export const LIMITS: Record<string, Limit[]> = {
  'POST /api/auth/login': [
    { name: 'login-ip', max: 30, windowSeconds: 600, key: byIp, message: '登录尝试过于频繁，请 10 分钟后再试' },
    { name: 'login-user', max: 10, windowSeconds: 600, key: byBodyField('username'), message: '该账号登录尝试过于频繁，请 10 分钟后再试' },
  ],
  'POST /api/auth/refresh': [{ name: 'refresh-ip', max: 60, windowSeconds: 60, key: byIp, message: TOO_MANY }],
  'GET /api/public/entry/:stationCode': [{ name: 'entry-ip', max: 60, windowSeconds: 60, key: byIp, message: TOO_MANY }],
  'POST /api/public/otp': [{ name: 'otp-ip', max: 20, windowSeconds: 3600, key: byIp, message: '本网络发送验证码过于频繁，请稍后再试' }],
  'POST /api/public/session': [{ name: 'session-ip', max: 30, windowSeconds: 600, key: byIp, message: '验证过于频繁，请稍后再试' }],
  'POST /api/public/mp/session': [{ name: 'mp-session-ip', max: 30, windowSeconds: 600, key: byIp, message: '登录过于频繁，请稍后再试' }],
  'POST /api/public/tickets': [{ name: 'submit-session', max: 10, windowSeconds: 3600, key: byEnterpriseSession, message: '提交过于频繁，请 1 小时后再试' }],
  'POST /api/public/uploads': [{ name: 'upload-session', max: 60, windowSeconds: 3600, key: byEnterpriseSession, message: '上传过于频繁，请稍后再试' }],
};

export interface RateLimitStore {
  readonly kind: 'database' | 'redis';
  /** Counts one hit in the window and answers the count so far. */
  hit(key: string, windowStart: Date, windowSeconds: number): Promise<number>;
  /** Deletes counters whose window ended before `now`; answers how many. */
  cleanup(now: Date): Promise<number>;
  close(): Promise<void>;
}

export function databaseStore(database: Database): RateLimitStore {
  return {
    kind: 'database',
    async hit(key, windowStart, windowSeconds) {
      const expiresAt = new Date(windowStart.getTime() + windowSeconds * 1000);
      const [row] = await database.db
        .insert(rateLimits)
        .values({ key, windowStart, count: 1, expiresAt })
        .onConflictDoUpdate({ target: [rateLimits.key, rateLimits.windowStart], set: { count: sql`${rateLimits.count} + 1` } })
        .returning({ count: rateLimits.count });
      return row?.count ?? 1;
    },
    async cleanup(now) {
      const deleted = await database.db.delete(rateLimits).where(lt(rateLimits.expiresAt, now)).returning({ key: rateLimits.key });
      return deleted.length;
    },
    close: async () => {},
  };
}

const INCR_WITH_TTL = `local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return n`;

/** Counters as Redis keys that expire with their window (Redis cleans them itself). The client is loaded only when Redis is configured. */
export async function redisStore(url: string): Promise<RateLimitStore & { redis: Redis }> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 2000, connectTimeout: 2000 });
  redis.on('error', () => {}); // reported where a command fails; ioredis reconnects by itself
  return {
    kind: 'redis',
    redis,
    async hit(key, windowStart, windowSeconds) {
      if (redis.status === 'wait') await redis.connect();
      const n = await redis.eval(INCR_WITH_TTL, 1, `ys:rl:${key}:${windowStart.getTime()}`, String(windowSeconds * 1000 + 1000));
      return Number(n);
    },
    cleanup: async () => 0,
    async close() {
      redis.disconnect();
    },
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    rateLimiter: { store: RateLimitStore; cleanup(): Promise<number> };
  }
}

const CLEANUP_INTERVAL_MS = 5 * 60_000;

export default fp(
  async function rateLimit(app: FastifyInstance) {
    const { config } = app;
    const counters = databaseStore(app.db);
    const store = config.redisUrl ? await redisStore(config.redisUrl) : counters;
    // Sign-in failures of unknown usernames are counted in rate_limits too, so the table is cleaned even with Redis.
    const cleanup = () => counters.cleanup(app.now());
    app.decorate('rateLimiter', { store, cleanup });

    const timer = setInterval(() => {
      cleanup().catch((err) => app.log.warn({ err: String(err) }, 'rate-limit cleanup failed'));
    }, CLEANUP_INTERVAL_MS);
    timer.unref();
    app.addHook('onClose', async () => {
      clearInterval(timer);
      await store.close();
    });
    if (!config.rateLimits) return;

    // preHandler: after sign-in (the enterprise session is known) and after the body is parsed, before any work.
    app.addHook('preHandler', async (request) => {
      const limits = LIMITS[`${request.method} ${request.routeOptions.url}`];
      if (!limits) return;
      const now = app.now().getTime();
      let refused: { limit: Limit; retryAfter: number } | null = null;
      for (const limit of limits) {
        const who = limit.key(request);
        if (who === null) continue;
        const windowMs = limit.windowSeconds * 1000;
        const windowStart = Math.floor(now / windowMs) * windowMs;
        let count: number;
        try {
          count = await store.hit(`${limit.name}:${who}`.slice(0, 200), new Date(windowStart), limit.windowSeconds);
        } catch (err) {
          // The database being down fails the request anyway (503); a Redis outage must not stop the service.
          if (store.kind === 'database') throw err;
          request.log.warn({ err: String(err), limit: limit.name }, 'rate-limit store unavailable; request let through');
          continue;
        }
        if (count > limit.max) {
          const retryAfter = Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000));
          if (!refused || retryAfter > refused.retryAfter) refused = { limit, retryAfter };
        }
      }
      if (refused) {
        request.log.info({ limit: refused.limit.name }, 'rate limited');
        throw new AppError('RATE_LIMITED', refused.limit.message, { 'retry-after': String(refused.retryAfter) });
      }
    });
  },
  { name: 'rate-limit', dependencies: ['db'] },
);

/**
 * The only place that reads process.env. Every variable is parsed and checked here; a bad value stops
 * start-up with a message naming the variable (see README "配置").
 */
import path from 'node:path';

export type SmsProvider = 'log' | 'webhook';

export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  logLevel: string;
  dataDir: string;
  databaseUrl: string | null;
  databasePoolSize: number;
  /** A read replica for read-heavy figures; null = the primary. */
  databaseReadUrl: string | null;
  jwtSecret: string;
  jwtPreviousSecret: string | null;
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  enterpriseSessionDays: number;
  publicBaseUrl: string;
  demoData: boolean;
  smsProvider: SmsProvider;
  smsWebhookUrl: string | null;
  smsWebhookTimeoutMs: number;
  wechatApiBase: string;
  wechatAppId: string | null;
  wechatSecret: string | null;
  uploadMaxBytes: number;
  rateLimits: boolean;
  /** Abuse-limit counters in this Redis instead of the database. */
  redisUrl: string | null;
  /** Origins allowed to call the API from another site (CORS); empty = none. */
  corsOrigins: string[];
  trustProxy: boolean;
  sweepIntervalSeconds: number;
  /**
   * PostgreSQL: how long a staff user's row may be answered from memory (0 = read on every request). Changes made
   * through this instance drop it at once, and another instance's at its staff_changed notification; this bounds
   * a notification that never arrives (plugins/auth.ts).
   */
  staffCacheSeconds: number;
  staticDirs: { admin: string; h5: string };
  /** Attachments in an S3-compatible bucket instead of DATA_DIR/files. */
  s3: S3Config | null;
  /** GET /metrics on the main port requires this bearer token (null: not served there). */
  metricsToken: string | null;
  /** Serve /metrics on this internal port instead (0 = not at all). */
  metricsPort: number;
  /** 503 before the event loop drowns: the largest tolerated event-loop delay (0 = no check). */
  pressureMaxEventLoopDelayMs: number;
  /** 503 above this heap size (0 = no check). */
  pressureMaxHeapBytes: number;
}

export interface S3Config {
  endpoint: string | null;
  bucket: string;
  region: string;
  accessKeyId: string | null;
  secretAccessKey: string | null;
  forcePathStyle: boolean;
}

export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`配置错误 ${variable}: ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string, fallback: string): string {
  const v = env[name];
  return v === undefined || v === '' ? fallback : v;
}

function optional(env: Env, name: string): string | null {
  const v = env[name];
  return v === undefined || v === '' ? null : v;
}

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `应为整数，实际为 "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `应在 ${min} 到 ${max} 之间，实际为 ${n}`);
  return n;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(name, `应为 true 或 false，实际为 "${raw}"`);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = str(env, name, fallback);
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(name, `应为 ${allowed.join(' | ')} 之一，实际为 "${raw}"`);
  }
  return raw as T;
}

function url(env: Env, name: string, fallback: string | null, protocols: string[]): string | null {
  const raw = optional(env, name) ?? fallback;
  if (raw === null) return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `不是合法的 URL："${raw}"`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `协议应为 ${protocols.join(' 或 ')}，实际为 ${parsed.protocol}`);
  }
  return raw.replace(/\/+$/, '');
}

/** A comma-separated list of origins (scheme://host[:port]), each checked. */
function origins(env: Env, name: string): string[] {
  const raw = optional(env, name);
  if (raw === null) return [];
  return raw.split(',').map((part) => {
    const o = part.trim();
    let parsed: URL;
    try {
      parsed = new URL(o);
    } catch {
      throw new ConfigError(name, `不是合法的来源："${o}"`);
    }
    if (!['http:', 'https:'].includes(parsed.protocol) || parsed.origin !== o.replace(/\/+$/, '')) {
      throw new ConfigError(name, `来源应形如 https://example.com，实际为 "${o}"`);
    }
    return parsed.origin;
  });
}

const DEV_JWT_SECRET = 'development-only-secret-not-for-production-use!';

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const production = nodeEnv === 'production';
  const root = path.resolve(import.meta.dirname, '../../..');

  const jwtSecret = optional(env, 'JWT_SECRET');
  if (production && jwtSecret === null) throw new ConfigError('JWT_SECRET', '生产环境必须设置（至少 32 个字符）');
  if (jwtSecret !== null && jwtSecret.length < 32) throw new ConfigError('JWT_SECRET', '至少 32 个字符');
  const jwtPreviousSecret = optional(env, 'JWT_SECRET_PREVIOUS');
  if (jwtPreviousSecret !== null && jwtPreviousSecret.length < 32) {
    throw new ConfigError('JWT_SECRET_PREVIOUS', '至少 32 个字符');
  }

  const smsProvider = oneOf(env, 'SMS_PROVIDER', ['log', 'webhook'] as const, production ? 'webhook' : 'log');
  if (production && smsProvider === 'log') {
    throw new ConfigError('SMS_PROVIDER', '生产环境不允许使用 log（验证码只写日志），请配置 webhook');
  }
  const smsWebhookUrl = url(env, 'SMS_WEBHOOK_URL', null, ['http:', 'https:']);
  if (smsProvider === 'webhook' && smsWebhookUrl === null) {
    throw new ConfigError('SMS_WEBHOOK_URL', 'SMS_PROVIDER=webhook 时必须设置');
  }

  const demoData = bool(env, 'DEMO_DATA', !production);
  if (production && demoData) throw new ConfigError('DEMO_DATA', '生产环境不创建演示数据');

  const databaseUrl = url(env, 'DATABASE_URL', null, ['postgres:', 'postgresql:']);
  const databaseReadUrl = url(env, 'DATABASE_READ_URL', null, ['postgres:', 'postgresql:']);
  if (databaseReadUrl !== null && databaseUrl === null) throw new ConfigError('DATABASE_READ_URL', '只能与 DATABASE_URL 一起使用');
  const s3 = s3Config(env);
  const metricsToken = optional(env, 'METRICS_TOKEN');
  if (metricsToken !== null && metricsToken.length < 16) throw new ConfigError('METRICS_TOKEN', '至少 16 个字符');
  const port = int(env, 'PORT', 3000, 0, 65535);

  return {
    env: nodeEnv,
    host: str(env, 'HOST', '0.0.0.0'),
    port,
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    dataDir: path.resolve(str(env, 'DATA_DIR', path.join(root, 'data'))),
    databaseUrl,
    databasePoolSize: int(env, 'DATABASE_POOL_SIZE', 10, 1, 200),
    databaseReadUrl,
    jwtSecret: jwtSecret ?? DEV_JWT_SECRET,
    jwtPreviousSecret,
    accessTokenTtlSeconds: int(env, 'ACCESS_TOKEN_TTL_SECONDS', 900, 30, 86_400),
    refreshTokenTtlDays: int(env, 'REFRESH_TOKEN_TTL_DAYS', 14, 1, 90),
    enterpriseSessionDays: int(env, 'ENTERPRISE_SESSION_DAYS', 30, 1, 365),
    publicBaseUrl: url(env, 'PUBLIC_BASE_URL', `http://localhost:${port}`, ['http:', 'https:']) as string,
    demoData,
    smsProvider,
    smsWebhookUrl,
    smsWebhookTimeoutMs: int(env, 'SMS_WEBHOOK_TIMEOUT_MS', 5000, 100, 60_000),
    wechatApiBase: url(env, 'WECHAT_API_BASE', 'https://api.weixin.qq.com', ['http:', 'https:']) as string,
    wechatAppId: optional(env, 'WECHAT_APPID'),
    wechatSecret: optional(env, 'WECHAT_SECRET'),
    uploadMaxBytes: int(env, 'UPLOAD_MAX_BYTES', 10 * 1024 * 1024, 1024, 100 * 1024 * 1024),
    rateLimits: bool(env, 'RATE_LIMITS', true),
    redisUrl: url(env, 'REDIS_URL', null, ['redis:', 'rediss:']),
    corsOrigins: origins(env, 'CORS_ORIGINS'),
    trustProxy: bool(env, 'TRUST_PROXY', false),
    sweepIntervalSeconds: int(env, 'SWEEP_INTERVAL_SECONDS', 60, 0, 86_400),
    staffCacheSeconds: int(env, 'STAFF_CACHE_SECONDS', 5, 0, 60),
    staticDirs: {
      admin: path.resolve(str(env, 'ADMIN_DIST', path.join(root, 'apps/admin/dist'))),
      h5: path.resolve(str(env, 'H5_DIST', path.join(root, 'apps/h5/dist'))),
    },
    s3,
    metricsToken,
    metricsPort: int(env, 'METRICS_PORT', 0, 0, 65535),
    pressureMaxEventLoopDelayMs: int(env, 'PRESSURE_MAX_EVENT_LOOP_DELAY_MS', 1000, 0, 60_000),
    pressureMaxHeapBytes: int(env, 'PRESSURE_MAX_HEAP_BYTES', 0, 0, Number.MAX_SAFE_INTEGER),
  };
}

function s3Config(env: Env): S3Config | null {
  const bucket = optional(env, 'S3_BUCKET');
  const endpoint = url(env, 'S3_ENDPOINT', null, ['http:', 'https:']);
  if (bucket === null) {
    if (endpoint !== null) throw new ConfigError('S3_BUCKET', 'S3_ENDPOINT 已设置时必须设置');
    return null;
  }
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new ConfigError('S3_BUCKET', `不是合法的存储桶名称："${bucket}"`);
  const accessKeyId = optional(env, 'S3_ACCESS_KEY_ID');
  const secretAccessKey = optional(env, 'S3_SECRET_ACCESS_KEY');
  if ((accessKeyId === null) !== (secretAccessKey === null)) {
    throw new ConfigError(accessKeyId === null ? 'S3_ACCESS_KEY_ID' : 'S3_SECRET_ACCESS_KEY', '访问密钥 ID 与密钥须同时设置');
  }
  return {
    endpoint,
    bucket,
    region: str(env, 'S3_REGION', 'us-east-1'),
    accessKeyId,
    secretAccessKey,
    // MinIO and most self-hosted stores address buckets by path; AWS by host name.
    forcePathStyle: bool(env, 'S3_FORCE_PATH_STYLE', endpoint !== null),
  };
}

/**
 * Every failure leaves as {"error":{"code","message"}}: AppErrors as they are, schema validation in
 * Chinese words, parser and size errors by their status, database outages as 503, anything else as a
 * logged 500 without internals.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors.ts';

interface AjvError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

const FIELD_NAMES: Record<string, string> = {
  username: '用户名',
  password: '密码',
  oldPassword: '原密码',
  newPassword: '新密码',
  name: '名称',
  code: '编码',
  phone: '手机号',
  title: '标题',
  content: '内容',
  reason: '原因',
  uscc: '统一社会信用代码',
  enterpriseName: '企业名称',
  contactName: '联系人',
  districtCode: '旗县区',
  categoryCode: '诉求类别',
  stationId: '站点',
  stationCode: '站点编码',
  page: '页码',
  pageSize: '每页条数',
  result: '办理结果',
  satisfaction: '满意度',
  solved: '是否解决',
  days: '延期天数',
  note: '说明',
};

/** `名称(name)` for a dotted path whose last part has a Chinese name, else the path itself. */
function labelled(key: string): string {
  const label = FIELD_NAMES[key.split('.').pop() ?? key];
  return label ? `${label}(${key})` : key;
}

function fieldOf(e: AjvError, context: string | undefined): string {
  const missing = e.keyword === 'required' ? String(e.params.missingProperty ?? '') : '';
  return labelled(missing || e.instancePath.split('/').filter(Boolean).join('.') || context || '请求');
}

export function describeValidation(errors: AjvError[], context?: string): string {
  const e = errors[0];
  if (!e) return '请求参数不正确';
  const field = fieldOf(e, context);
  const p = e.params;
  switch (e.keyword) {
    case 'required':
      return `缺少必填字段：${field}`;
    case 'type':
      return `${field} 类型不正确，应为 ${String(p.type)}`;
    case 'maxLength':
      return `${field} 过长，最多 ${String(p.limit)} 个字符`;
    case 'minLength':
      return Number(p.limit) <= 1 ? `${field} 不能为空` : `${field} 过短，至少 ${String(p.limit)} 个字符`;
    case 'pattern':
    case 'format':
      return `${field} 格式不正确`;
    case 'enum':
    case 'const':
    case 'anyOf':
    case 'oneOf':
      return `${field} 取值不在允许范围内`;
    case 'minimum':
    case 'exclusiveMinimum':
      return `${field} 不能小于 ${String(p.limit)}`;
    case 'maximum':
    case 'exclusiveMaximum':
      return `${field} 不能大于 ${String(p.limit)}`;
    case 'additionalProperties':
      return `不支持的字段：${String(p.additionalProperty)}`;
    case 'maxItems':
      return `${field} 最多 ${String(p.limit)} 项`;
    case 'minItems':
      return `${field} 至少 ${String(p.limit)} 项`;
    default:
      return `${field} 不正确`;
  }
}

const DB_DOWN_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  '57P01',
  '57P02',
  '57P03',
  '08006',
  '08001',
  '08003',
]);

function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err as { code?: string; cause?: unknown } | undefined, i = 0; e && i < 5; e = e.cause as typeof e, i++) {
    if (e.code && DB_DOWN_CODES.has(e.code)) return true;
  }
  return false;
}

/** The multipart parser's refusals of a malformed upload (no boundary, a body cut short): plain errors, the client's fault. */
const MULTIPART_REFUSAL =
  /^(Multipart: Boundary not found|Boundary required|Unexpected end of multipart data|\w+ terminated early due to unexpected end of multipart data|The needle cannot have a length bigger than 256\.|Unsupported Content-Type\.|Missing Content-Type-header\.)$/;

const STATUS_CODES: Record<number, { code: string; message: string }> = {
  400: { code: 'VALIDATION_FAILED', message: '请求格式不正确' },
  401: { code: 'UNAUTHENTICATED', message: '请先登录' },
  403: { code: 'FORBIDDEN', message: '无权访问' },
  404: { code: 'NOT_FOUND', message: '资源不存在' },
  406: { code: 'VALIDATION_FAILED', message: '不支持的响应格式' },
  413: { code: 'PAYLOAD_TOO_LARGE', message: '请求内容过大' },
  414: { code: 'VALIDATION_FAILED', message: '请求地址过长' },
  415: { code: 'UNSUPPORTED_MEDIA_TYPE', message: '不支持的内容类型' },
  429: { code: 'RATE_LIMITED', message: '请求过于频繁，请稍后再试' },
  503: { code: 'SERVICE_UNAVAILABLE', message: '服务暂不可用，请稍后再试' },
};

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const unstorable = (s: string) => s.includes('\u0000') || LONE_SURROGATE.test(s);
/** Parsed JSON, query and params objects; not a Buffer or a stream (a route's own raw body). */
const isWalkable = (v: unknown): v is object =>
  typeof v === 'object' && v !== null && !ArrayBuffer.isView(v) && typeof (v as { pipe?: unknown }).pipe !== 'function';

/**
 * The first string (value or key) in what a client sent that PostgreSQL cannot store: a NUL character
 * (text refuses it) or half of a surrogate pair (jsonb refuses it). Walked without recursion, so a
 * deeply nested body cannot exhaust the stack.
 */
export function unstorableString(value: unknown): string | null {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length) {
    const [v, at] = stack.pop() as [unknown, string];
    if (typeof v === 'string') {
      if (unstorable(v)) return at;
    } else if (isWalkable(v)) {
      for (const [k, child] of Object.entries(v)) {
        if (unstorable(k)) return at;
        stack.push([child, at ? `${at}.${k}` : k]);
      }
    }
  }
  return null;
}

export default fp(
  async function errors(app: FastifyInstance) {
    app.addHook('preValidation', async (request) => {
      for (const [part, value] of [
        ['params', request.params],
        ['querystring', request.query],
        ['body', request.body],
      ] as const) {
        const at = unstorableString(value);
        if (at !== null) throw new AppError('VALIDATION_FAILED', `${labelled((at || part).slice(0, 64))} 含有不允许的字符（空字符或不完整的 Unicode 字符）`);
      }
    });

    app.setErrorHandler((err: FastifyError & { validationContext?: string }, request, reply) => {
      if (err instanceof AppError) {
        return reply
          .status(err.status)
          .headers(err.headers)
          .send({ error: { code: err.code, message: err.message } });
      }
      if (err.validation) {
        const message = describeValidation(err.validation as unknown as AjvError[], err.validationContext);
        return reply.status(400).send({ error: { code: 'VALIDATION_FAILED', message } });
      }
      if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || err instanceof SyntaxError) {
        return reply.status(400).send({ error: { code: 'VALIDATION_FAILED', message: '请求体不是合法的 JSON' } });
      }
      if (!err.statusCode && request.headers['content-type']?.startsWith('multipart/') && MULTIPART_REFUSAL.test(err.message)) {
        return reply.status(400).send({ error: { code: 'VALIDATION_FAILED', message: '上传内容不是合法的 multipart/form-data' } });
      }
      if (isDatabaseUnavailable(err)) {
        request.log.error({ err }, 'database unavailable');
        return reply
          .status(503)
          .header('retry-after', '5')
          .send({ error: { code: 'SERVICE_UNAVAILABLE', message: '数据库暂不可用，请稍后再试' } });
      }
      const status = err.statusCode ?? 500;
      const known = STATUS_CODES[status];
      if (status < 500 && status >= 400) {
        return reply.status(status).send({ error: known ?? { code: 'VALIDATION_FAILED', message: '请求不正确' } });
      }
      if (known) return reply.status(status).send({ error: known });
      request.log.error({ err }, 'unhandled error');
      return reply.status(500).send({ error: { code: 'INTERNAL', message: '服务器内部错误，请稍后重试' } });
    });
  },
  { name: 'errors' },
);

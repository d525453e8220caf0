/**
 * Property tests with fast-check. First: text stored through the API comes back byte for byte (no
 * escaping, no entity encoding, no injection effect). Then: every route of the OpenAPI document gets
 * generated bad input — wrong types, 100 KB strings, 1,000-level JSON, unicode edge cases, SQL and HTML,
 * missing and extra fields, bad ids, bad paging, bad query strings — as an admin, a station user and a
 * business; nothing is answered 5xx, every refusal is {"error":{"code","message"}}, the server stays up.
 * FUZZ_SEED and FUZZ_RUNS reproduce or widen a run; a failure prints its seed and counterexample.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enterpriseToken, ticketBody, uscc } from './fixtures.ts';
import { build, type TestApp } from './helper.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261122);
const RUNS = Number(process.env.FUZZ_RUNS ?? 20);
const ROUND_TRIP_RUNS = Number(process.env.FUZZ_ROUND_TRIP_RUNS ?? 20);

let t: TestApp;
let wechat: http.Server;
const tokens = {} as { admin: string; staff: string; enterprise: string; center: string };
const fixture: Record<string, string> = {};

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

async function ok(token: string, method: InjectOptions['method'], url: string, payload?: unknown) {
  const res = await t.as(token, { method, url, payload: payload as InjectOptions['payload'] });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** A ticket filed by the business at jy-court and claimed there: the target of staff and business routes. */
async function claimedTicket(overrides: Record<string, unknown> = {}) {
  const { no } = await ok(tokens.enterprise, 'POST', '/api/public/tickets', ticketBody(overrides));
  const id = (await ok(tokens.center, 'GET', `/api/tickets?q=${no}`)).items[0].id as string;
  await ok(tokens.staff, 'POST', `/api/tickets/${id}/claim`);
  return { id, no: no as string };
}

beforeAll(async () => {
  wechat = http.createServer((req, res) => {
    const code = new URL(req.url ?? '', 'http://x').searchParams.get('js_code');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(code === 'good-code' ? { openid: 'o-fuzz', session_key: 'k' } : { errcode: 40029, errmsg: 'invalid code' }));
  });
  await new Promise<void>((r) => wechat.listen(0, '127.0.0.1', r));
  t = await build({ WECHAT_API_BASE: `http://127.0.0.1:${(wechat.address() as AddressInfo).port}`, WECHAT_APPID: 'wx-fuzz', WECHAT_SECRET: 'secret' });
  tokens.admin = await t.login('admin');
  tokens.center = await t.login('center');
  tokens.staff = await t.login('jy_court');
  tokens.enterprise = await enterpriseToken(t);
}, 120_000);

afterAll(async () => {
  await t?.close();
  wechat?.close();
});

// ── round trip ─────────────────────────────────────────────────────────────────────────────

/** Pieces that break naive escaping, encoding or SQL building. */
const NASTY = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '&amp;',
  '&lt;b&gt;',
  '&#x27;',
  "'",
  '"',
  '\\',
  '\\u0000',
  '\\n',
  '%00',
  '%s%n',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection payload, on purpose
  '${7*7}',
  '{{7*7}}',
  "'; DROP TABLE tickets; --",
  "' OR '1'='1",
  '$$',
  '\u202e',
  '\u200f',
  '\u200b',
  '\ufeff',
  '\u2028',
  '\r\n',
  '\t',
  '\u0001',
  '\u001b[31m',
  'e\u0301\u0302\u0303',
  '👨‍👩‍👧‍👦',
  '🏳️‍🌈',
  '𠀀𪚥',
  '﷽',
  'שלום',
  'مرحبا',
  '九原区',
  ' ',
  '\u3000',
];

const storable = (max: number) =>
  fc
    .oneof(
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: max }),
      fc.string({ unit: 'binary', minLength: 1, maxLength: max }),
      fc.array(fc.constantFrom(...NASTY), { minLength: 1, maxLength: 8 }).map((parts) => parts.join('')),
    )
    // NUL and half surrogate pairs are refused with 400 (PostgreSQL cannot store them); blank text is refused too.
    .map((s) => [...s.replaceAll('\u0000', '')].slice(0, max).join(''))
    .filter((s) => /\S/u.test(s) && !/[\uD800-\uDFFF]/.test(s.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g, '')));

/** The failure of a run, short enough to read: the seed to replay it, the input (long strings cut), the error. */
function report<T>(out: fc.RunDetails<T>): string {
  const input = JSON.stringify(out.counterexample, (_k, v) => (typeof v === 'string' && v.length > 120 ? `${v.slice(0, 120)}…(${v.length} chars)` : v));
  const error = out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance);
  return `seed ${out.seed}, path ${out.counterexamplePath}: ${input?.slice(0, 2000)}\n${error.slice(0, 1500)}`;
}

async function property<T>(name: string, prop: fc.IAsyncPropertyWithHooks<T>, numRuns: number) {
  const out = await fc.check(prop, { seed: SEED, numRuns, endOnFailure: true });
  if (out.failed) throw new Error(`${name} failed (FUZZ_SEED=${SEED}): ${report(out)}`);
}

describe('stored text comes back byte for byte', () => {
  it('keeps ticket titles and contents through the business and staff views', async () => {
    await property(
      'ticket text',
      fc.asyncProperty(storable(60), storable(2000), async (title, content) => {
        const res = await t.as(tokens.enterprise, { method: 'POST', url: '/api/public/tickets', payload: ticketBody({ title, content }) });
        expect(res.statusCode, res.body).toBe(201);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        const { no } = res.json();
        // The title is trimmed on submission (a form field); the content is kept as written.
        const mine = await ok(tokens.enterprise, 'GET', `/api/public/tickets/${no}`);
        expect(mine.title).toBe(title.trim());
        expect(mine.content).toBe(content);
        const [summary] = (await ok(tokens.center, 'GET', `/api/tickets?q=${no}`)).items;
        expect(summary.title).toBe(title.trim());
        const detail = await ok(tokens.center, 'GET', `/api/tickets/${summary.id}`);
        expect(detail.content).toBe(content);
      }),
      ROUND_TRIP_RUNS,
    );
  });

  it('keeps staff messages, in the staff timeline and in the public one', async () => {
    const { id, no } = await claimedTicket();
    await property(
      'message text',
      fc.asyncProperty(storable(2000), async (content) => {
        const res = await t.as(tokens.staff, { method: 'POST', url: `/api/tickets/${id}/messages`, payload: { content, visibility: 'public' } });
        expect(res.statusCode, res.body).toBe(200);
        const staffSide = res
          .json()
          .events.filter((e: { type: string }) => e.type === 'message')
          .at(-1);
        expect(staffSide.data.content).toBe(content);
        const publicSide = (await ok(tokens.enterprise, 'GET', `/api/public/tickets/${no}`)).events
          .filter((e: { type: string }) => e.type === 'message')
          .at(-1);
        expect(publicSide.data.content).toBe(content);
      }),
      ROUND_TRIP_RUNS,
    );
  });

  it('keeps station names through admin, the dictionaries and the public entry', async () => {
    let n = 0;
    await property(
      'station name',
      fc.asyncProperty(storable(100), storable(100), async (name, renamed) => {
        const code = `rtrip-${++n}`;
        const created = await ok(tokens.admin, 'POST', '/api/admin/stations', { code, name, type: 'legal_service', agencyName: name, districtCode: '150206' });
        expect(created.name).toBe(name);
        expect((await ok(tokens.admin, 'GET', `/api/admin/stations/${created.id}`)).name).toBe(name);
        expect((await ok(tokens.enterprise, 'GET', `/api/public/entry/${code}`)).station).toMatchObject({ name, agencyName: name });
        await ok(tokens.admin, 'PATCH', `/api/admin/stations/${created.id}`, { name: renamed });
        const dicts = await ok(tokens.staff, 'GET', '/api/dicts');
        expect(dicts.stations.find((s: { id: string }) => s.id === created.id).name).toBe(renamed);
      }),
      ROUND_TRIP_RUNS,
    );
  });

  it('leaves the schema intact after all that SQL-looking text', async () => {
    const list = await ok(tokens.center, 'GET', '/api/tickets?pageSize=1');
    expect(list.total).toBeGreaterThanOrEqual(ROUND_TRIP_RUNS);
    expect((await ok(tokens.admin, 'GET', '/api/admin/stations?q=rtrip-')).total).toBe(ROUND_TRIP_RUNS);
  });
});

// ── every route, bad input ─────────────────────────────────────────────────────────────────

interface Schema {
  type?: string;
  format?: string;
  pattern?: string;
  enum?: unknown[];
  minimum?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  anyOf?: Schema[];
  items?: Schema;
}

interface Operation {
  method: string;
  path: string;
  pathParams: string[];
  query: Record<string, Schema & { mandatory?: boolean }>;
  body: Schema | null;
}

async function operations(): Promise<Operation[]> {
  const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries<Record<string, Record<string, never>>>(doc.paths)) {
    for (const [method, op] of Object.entries<{
      parameters?: { in: string; name: string; schema: Schema; required?: boolean }[];
      requestBody?: { content?: Record<string, { schema: Schema }> };
    }>(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const params = op.parameters ?? [];
      ops.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        query: Object.fromEntries(params.filter((p) => p.in === 'query').map((p) => [p.name, { ...p.schema, mandatory: p.required }])),
        body: op.requestBody?.content?.['application/json']?.schema ?? null,
      });
    }
  }
  return ops;
}

/** Values that pass validation, so that a single bad field reaches as deep as it can. */
const SAMPLE: Record<string, unknown> = {
  username: 'fuzz_nobody',
  password: 'Fuzz@2026abc',
  oldPassword: 'not-the-password',
  newPassword: 'Fuzz@2026abc',
  phone: '13900000000',
  code: '123456',
  districtCode: '150207',
  categoryCode: 'case_progress',
  stationCode: 'jy-court',
  enterpriseName: '包头市九原区优商科技有限公司',
  uscc: uscc(),
  contactName: '张经理',
  contactPhone: '13900000000',
  title: '合同纠纷案件进度查询',
  content: '想了解审理进度。',
  consent: true,
  reason: '原因',
  note: '说明',
  result: '已办结',
  days: 3,
  approve: true,
  solved: true,
  satisfaction: 'satisfied',
  method: 'phone',
  visibility: 'public',
  proxySource: '走访',
  name: '名称',
  agencyName: '九原区人民法院',
  type: 'court',
  kind: 'off',
  role: 'leader',
  claimHours: 24,
  resolveDays: 5,
  date: '2033-03-03',
};

function sampleOf(name: string, s: Schema): unknown {
  if (name in SAMPLE) return SAMPLE[name];
  if (s.enum) return s.enum[0];
  if (s.format === 'uuid') return fixture.ticketId;
  if (s.type === 'integer' || s.type === 'number') return s.minimum ?? 1;
  if (s.type === 'boolean') return true;
  if (s.type === 'array') return [];
  return 'x';
}

function baseBody(schema: Schema | null): Record<string, unknown> {
  const shape = schema?.properties ? schema : schema?.anyOf?.[0];
  if (!shape?.properties) return {};
  return Object.fromEntries((shape.required ?? Object.keys(shape.properties)).map((k) => [k, sampleOf(k, shape.properties?.[k] ?? {})]));
}

/** The real thing a path parameter names, so that a bad body or query meets a real row. */
function realParam(path: string, name: string): string {
  if (name === 'id') {
    if (path.startsWith('/api/admin/stations')) return fixture.stationId as string;
    if (path.startsWith('/api/admin/users')) return fixture.userId as string;
    if (path.includes('/stations/')) return fixture.jyCourtId as string;
    if (path.includes('attachments')) return fixture.attachmentId as string;
    return fixture.ticketId as string;
  }
  if (name === 'no') return fixture.ticketNo as string;
  if (name === 'code') return path.includes('categories') ? 'fuzz_cat' : '150299';
  if (name === 'date') return '2033-03-03';
  if (name === 'stationCode') return 'jy-court';
  if (name === 'kind') return 'feedback';
  return 'x';
}

const deepObject = (levels: number) => {
  let v: unknown = 'bottom';
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
};
const deepArray = (levels: number) => {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = [v];
  return v;
};
const HUGE = 'x'.repeat(100 * 1024);
const HUGE_CJK = '長'.repeat(35_000); // ~100 KB in UTF-8
const DEEP_OBJECT = deepObject(1000);
const DEEP_ARRAY = deepArray(1000);

const UNICODE = [
  '\ud800',
  '\udfff',
  'a\ud83d',
  '\ude00b',
  'a\u0000b',
  '\u0000',
  '\u202eevil\u202c',
  '\u2066\u2069',
  '👨‍👩‍👧‍👦🏳️‍🌈',
  'e\u0301\u0301\u0301\u0301\u0301',
  'Z̸̢̧̛̛̤̗̖̮̩̲̝͓͈̹̱̠̯͔̲̝̠͚̯̗̻̈́̽̇̀̈̉̓͐̒̈͐̋̌̾̚͝͝',
  '\ufeff',
  '\u2028\u2029',
  '\uffff\ufffe',
  '𠀀',
  '\u00a0',
];
const INJECTION = [
  "' OR '1'='1",
  "'; DROP TABLE tickets; --",
  '1; select pg_sleep(10) --',
  "1' union select username, password_hash from users --",
  '%',
  '_',
  '\\',
  "\\'",
  '$1',
  '<script>alert(1)</script>',
  '"><svg onload=alert(1)>',
  '&lt;&amp;',
  '{{7*7}}',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection payload, on purpose
  '${process.exit()}',
  '../../../../etc/passwd',
  'constructor',
  '__proto__',
];

/** Times and dates at and past the edges of what JavaScript and PostgreSQL can hold. */
const EDGE_TIMES = [
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00+14:00',
  '0001-01-01T00:00:00Z',
  '0999-12-31T23:59:59Z',
  '9999-12-31T23:59:59Z',
  '9999-12-31T23:59:59-23:59',
  '1969-12-31T23:59:59.999999999Z',
  '2026-02-30T00:00:00Z',
  '2026-11-22T24:00:00Z',
  '2026-11-22T23:59:60Z',
  '2026-11-22',
  '0000-00-00',
  '2026-02-29',
  '+275760-09-13T00:00:00Z',
];

/** Any value a client could put where a field belongs. */
const badValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(null, true, false, 0, -1, 1.5, -0.5, 1e308, -1e308, 2 ** 53 + 1, '', ' ', [], {}, [[]], { $gt: '' }, ['a', 'b']),
  fc.constantFrom(HUGE, HUGE_CJK, DEEP_OBJECT, DEEP_ARRAY),
  fc.constantFrom(...UNICODE, ...INJECTION, ...EDGE_TIMES),
  fc.uuid(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.jsonValue({ maxDepth: 3 }),
);

/** A raw text: some of it is not a URL-encodable string at all (a lone surrogate becomes invalid UTF-8). */
const badText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('0', '-1', '1.5', '1e3', '10000', '100001', 'abc', '', 'true', 'null', 'NaN', 'Infinity', '0x10', ' 1', '1,2'),
  fc.constantFrom(...EDGE_TIMES),
  fc.constantFrom(...UNICODE, ...INJECTION),
  fc.constantFrom(HUGE),
  fc.uuid(),
  fc.string({ unit: 'binary', maxLength: 30 }),
);

function encode(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = ch.codePointAt(0) as number;
    out +=
      c >= 0xd800 && c <= 0xdfff
        ? `%ED%${(0xa0 | ((c >> 6) & 0x1f)).toString(16).toUpperCase()}%${(0x80 | (c & 0x3f)).toString(16).toUpperCase()}`
        : encodeURIComponent(ch);
  }
  return out;
}

type Mutation =
  | { kind: 'field'; index: number; value: unknown }
  | { kind: 'drop'; index: number }
  | { kind: 'extra'; key: string; value: unknown }
  | { kind: 'whole'; value: unknown }
  | { kind: 'raw'; text: string; contentType: string }
  | { kind: 'multipart'; field: string; filename: string; bytes: 'png' | 'empty' | 'junk' | 'cut' }
  | { kind: 'none' };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('field' as const), index: fc.nat(), value: badValue }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('drop' as const), index: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('extra' as const),
      key: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'id', 'status', 'role', 'accountId', 'a\u0000'), fc.string()),
      value: badValue,
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('whole' as const), value: badValue }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('raw' as const),
      text: fc.constantFrom(
        '{"a":',
        '{a:1}',
        "{'a':1}",
        '\u0000',
        'null',
        '[1,2',
        '{"a":1}}',
        `${'['.repeat(1000)}${']'.repeat(1000)}`,
        `${'{"a":'.repeat(1000)}1${'}'.repeat(1000)}`,
        '\ufeff{}',
        '{"a":"\\ud800"}',
        '{"__proto__":{"x":1}}',
      ),
      contentType: fc.constantFrom(
        'application/json',
        'application/json; charset=utf-16',
        'text/plain',
        'application/xml',
        'application/x-www-form-urlencoded',
        'multipart/form-data',
        'multipart/form-data; boundary=',
        `multipart/form-data; boundary=${'b'.repeat(300)}`,
        'multipart/mixed; boundary=x',
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('multipart' as const),
      field: fc.constantFrom('file', 'files', 'x'),
      filename: fc.oneof(
        fc.constantFrom('photo.png', '../../etc/passwd.png', 'a\u0000.png', '\u202egnp.exe', `${'長'.repeat(300)}.png`, '.png', 'CON.png', ''),
        fc.string({ maxLength: 20 }),
      ),
      bytes: fc.constantFrom('png' as const, 'empty' as const, 'junk' as const, 'cut' as const),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
);

const paramValue: fc.Arbitrary<{ real: true } | { real: false; text: string }> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ real: true as const }) },
  { weight: 3, arbitrary: badText.map((text) => ({ real: false as const, text: text.slice(0, 200) })) },
);

/** Values at the edges of what a query parameter of this schema accepts. */
function edgeValues(s: Schema): string[] {
  if (s.format === 'date-time' || s.format === 'date') return EDGE_TIMES;
  if (s.type === 'integer' || s.type === 'number') return ['0', '-1', '1.5', '1e3', '10000', '100001', '99999999999999999999', '-0', '0x10', 'NaN', ''];
  if (s.type === 'boolean') return ['yes', '2', '', 'TRUE', 'null', 'true,false'];
  if (s.enum) return [...s.enum.map((v) => String(v).toUpperCase()), s.enum.join(','), `${String(s.enum[0])} `, ''];
  if (s.format === 'uuid') return ['00000000-0000-0000-0000-000000000000', '00000000-0000-4000-8000-000000000000', 'not-a-uuid', `${fixture.ticketId}x`];
  return ['', ',', ',,,', '%', '_'];
}

type QueryPart = {
  picks: { param: number; edge: boolean; pick: number; text: string }[];
  choice: number;
  paging?: string;
  extra?: string;
};

const queryPart: fc.Arbitrary<QueryPart> = fc.record({
  picks: fc.array(fc.record({ param: fc.nat(), edge: fc.boolean(), pick: fc.nat(), text: badText }), { maxLength: 3 }),
  choice: fc.nat(),
  paging: fc.option(
    fc.constantFrom(
      'page=0',
      'page=-1',
      'page=1.5',
      'page=abc',
      'pageSize=10000',
      'pageSize=-5',
      'pageSize=0',
      'page=1&page=2',
      'pageSize=1e2',
      'page=99999999999999999999',
    ),
    { nil: undefined },
  ),
  extra: fc.option(fc.constantFrom('x=1', '__proto__[a]=1', 'constructor=1', '%zz=1', '=', '&&&', 'a[]=1&a[]=2', 'q=%', `junk=${encode(HUGE)}`), {
    nil: undefined,
  }),
});

function request(op: Operation, params: { real: true } | { real: false; text: string }, mut: Mutation, q: QueryPart): InjectOptions {
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => (params.real ? encodeURIComponent(realParam(op.path, name)) : encode(params.text)));
  const names = Object.keys(op.query);
  const values: Record<string, string> = {};
  // Required parameters present (an enum's value varies), so that the bad one is what gets judged.
  for (const [name, schema] of Object.entries(op.query)) {
    if (schema.mandatory) values[name] = encode(String(schema.enum ? schema.enum[q.choice % schema.enum.length] : sampleOf(name, schema)));
  }
  for (const p of q.picks) {
    const name = names[p.param % Math.max(1, names.length)];
    if (name === undefined) break;
    const edges = edgeValues(op.query[name] ?? {});
    values[name] = encode(p.edge && edges.length ? (edges[p.pick % edges.length] as string) : p.text);
  }
  const query = [
    ...Object.entries(values).map(([k, v]) => `${encodeURIComponent(k)}=${v}`),
    ...(q.paging ? [q.paging] : []),
    ...(q.extra ? [q.extra] : []),
  ].join('&');
  const url = query ? `${path}?${query}` : path;
  const method = op.method as InjectOptions['method'];
  if (op.method === 'GET' || op.method === 'DELETE') return { method, url };

  const body = baseBody(op.body);
  const keys = Object.keys(body);
  switch (mut.kind) {
    case 'field':
      if (keys.length) body[keys[mut.index % keys.length] as string] = mut.value;
      else body.value = mut.value;
      return { method, url, payload: body as InjectOptions['payload'] };
    case 'drop':
      if (keys.length) delete body[keys[mut.index % keys.length] as string];
      return { method, url, payload: body as InjectOptions['payload'] };
    case 'extra':
      return { method, url, payload: JSON.stringify({ ...body, [mut.key]: mut.value }), headers: { 'content-type': 'application/json' } };
    case 'whole':
      return { method, url, payload: JSON.stringify(mut.value) ?? 'null', headers: { 'content-type': 'application/json' } };
    case 'raw':
      return { method, url, payload: mut.text, headers: { 'content-type': mut.contentType } };
    case 'multipart': {
      const boundary = '----ys-fuzz';
      const bytes = mut.bytes === 'png' || mut.bytes === 'cut' ? PNG : mut.bytes === 'empty' ? Buffer.alloc(0) : Buffer.from('MZ\u0090\u0090 not an image');
      const payload = Buffer.concat([
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${mut.field}"; filename="${mut.filename.replaceAll('"', '')}"\r\nContent-Type: image/png\r\n\r\n`,
        ),
        bytes,
        // 'cut': the body ends inside the part, without its closing boundary
        Buffer.from(mut.bytes === 'cut' ? '' : `\r\n--${boundary}--\r\n`),
      ]);
      return { method, url, payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
    }
    default:
      return { method, url, payload: body as InjectOptions['payload'] };
  }
}

const tally = { requests: 0, serverErrors: 0, byStatus: {} as Record<number, number> };

/** No 5xx; a refusal is JSON in the uniform shape and tells nothing of the internals. */
function checkAnswer(res: LightMyRequestResponse, label: string) {
  tally.requests++;
  tally.byStatus[res.statusCode] = (tally.byStatus[res.statusCode] ?? 0) + 1;
  if (res.statusCode >= 500) tally.serverErrors++;
  expect(res.statusCode, `${label}: ${res.body.slice(0, 300)}`).toBeLessThan(500);
  if (res.statusCode >= 400) {
    expect(res.headers['content-type'], label).toMatch(/^application\/json/);
    const body = res.json();
    expect(Object.keys(body), label).toEqual(['error']);
    expect(Object.keys(body.error).sort(), label).toEqual(['code', 'message']);
    expect(body.error.code, label).toMatch(/^[A-Z_]+$/);
    expect(typeof body.error.message === 'string' && body.error.message.length > 0, label).toBe(true);
    expect(body.error.message, label).not.toMatch(/drizzle|postgres|pglite|\.ts:\d|node_modules|stack/i);
  }
}

describe('inputs the fuzzing turned up', () => {
  const expect400 = (res: LightMyRequestResponse, label: string) => {
    expect(res.statusCode, `${label}: ${res.body}`).toBe(400);
    expect(res.json().error.code).toBe('VALIDATION_FAILED');
  };

  it('refuses a time PostgreSQL cannot hold (year 0, past 9999) with 400 on every list that filters by time', async () => {
    for (const url of [
      '/api/tickets?from=0000-01-01T00:00:00Z',
      '/api/tickets?to=0001-01-01T00:00:00%2B14:00',
      '/api/tickets?from=9999-12-31T23:59:59-23:59',
      '/api/tickets?dueBy=0000-06-01T00:00:00Z',
      '/api/tickets/export?format=csv&from=0000-01-01T00:00:00Z',
      '/api/stats/overview?from=0000-01-01T00:00:00Z',
      '/api/stats/export?to=0000-01-01T00:00:00Z',
    ]) {
      expect400(await t.as(tokens.center, { method: 'GET', url }), url);
    }
  });

  it('counts the months of a trend before the year 1000', async () => {
    const res = await t.as(tokens.center, { method: 'GET', url: '/api/stats/trend?from=0999-01-01T00:00:00Z&to=0999-04-01T00:00:00Z' });
    expect(res.statusCode, res.body).toBe(200);
    const keys = res.json().items.map((i: { key: string }) => i.key);
    expect(keys).toEqual(expect.arrayContaining(['0999-01', '0999-02', '0999-03']));
    for (const key of keys) expect(key).toMatch(/^0999-0[1-4]$/);
  });

  it('answers a malformed multipart upload with 400', async () => {
    const part = '--x\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n';
    for (const [contentType, payload] of [
      ['multipart/form-data', '\u0000'],
      ['multipart/form-data; boundary=x', 'no parts at all'],
      ['multipart/form-data; boundary=x', `${part}cut short`],
      [`multipart/form-data; boundary=${'b'.repeat(300)}`, 'x'],
    ]) {
      const req = { method: 'POST' as const, payload, headers: { 'content-type': contentType as string } };
      expect400(await t.as(tokens.enterprise, { ...req, url: '/api/public/uploads' }), `${contentType} ${payload}`);
      expect400(await t.as(tokens.staff, { ...req, url: '/api/attachments' }), `${contentType} ${payload}`);
    }
  });
});

describe('every route of the OpenAPI document, fed bad input', () => {
  it('never answers 5xx, always answers errors in the uniform shape, and stays up', async () => {
    // Targets of their own, so that what the fuzz manages to change harms nothing else.
    const ticket = await claimedTicket();
    const upload = await t.as(tokens.enterprise, {
      method: 'POST',
      url: '/api/public/uploads',
      payload: Buffer.concat([
        Buffer.from('--b\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n'),
        PNG,
        Buffer.from('\r\n--b--\r\n'),
      ]),
      headers: { 'content-type': 'multipart/form-data; boundary=b' },
    });
    fixture.ticketId = ticket.id;
    fixture.ticketNo = ticket.no;
    fixture.attachmentId = upload.json().id;
    const dicts = await ok(tokens.admin, 'GET', '/api/dicts');
    fixture.jyCourtId = dicts.stations.find((s: { code: string }) => s.code === 'jy-court').id;
    fixture.stationId = (
      await ok(tokens.admin, 'POST', '/api/admin/stations', { code: 'fuzz-st', name: '模糊测试站', type: 'police', agencyName: '测试', districtCode: '150206' })
    ).id;
    fixture.userId = (
      await ok(tokens.admin, 'POST', '/api/admin/users', { username: 'fuzz_user', name: '模糊测试', password: 'Init@2026a', role: 'leader' })
    ).id;
    await ok(tokens.admin, 'POST', '/api/admin/districts', { code: '150299', name: '模糊测试区' });
    await ok(tokens.admin, 'POST', '/api/admin/categories', { code: 'fuzz_cat', name: '模糊测试类别', stationType: null, claimHours: 24, resolveDays: 5 });
    await ok(tokens.admin, 'POST', '/api/admin/holidays', { date: '2033-03-03', kind: 'off', name: '模糊测试' });

    const ops = await operations();
    const callers = [
      ['admin', tokens.admin],
      ['staff', tokens.staff],
      ['enterprise', tokens.enterprise],
    ] as const;
    const started = Date.now();
    const failures: string[] = [];
    for (const op of ops) {
      // Each route its own stream of inputs, the same on every run.
      const seed = SEED ^ [...`${op.method} ${op.path}`].reduce((h, c) => (Math.imul(h, 31) + (c.codePointAt(0) as number)) | 0, 7);
      // A write on one ticket gets a ticket of its own, claimed at jy-court, as the previous one may be closed by now.
      if (op.method !== 'GET' && /tickets\/\{(id|no)\}/.test(op.path))
        Object.assign(fixture, await claimedTicket().then((tk) => ({ ticketId: tk.id, ticketNo: tk.no })));
      const out = await fc.check(
        fc.asyncProperty(paramValue, mutation, queryPart, async (params, mut, q) => {
          const req = request(op, params, mut, q);
          for (const [who, token] of callers) {
            checkAnswer(await t.as(token, req), `${who} ${op.method} ${String(req.url).slice(0, 160)}`);
          }
        }),
        { seed, numRuns: RUNS, endOnFailure: true },
      );
      if (out.failed) failures.push(`${op.method} ${op.path} (FUZZ_SEED=${SEED}): ${report(out)}`);
    }
    // Still up, still answering, the schema still there.
    expect((await t.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    expect((await t.as(tokens.admin, { method: 'GET', url: '/api/tickets?pageSize=1' })).statusCode).toBe(200);
    console.info(
      `fuzz: ${tally.requests} requests over ${ops.length} routes × ${callers.length} callers in ${((Date.now() - started) / 1000).toFixed(1)} s (seed ${SEED}, ${RUNS} runs per route); 5xx: ${tally.serverErrors}; by status: ${JSON.stringify(tally.byStatus)}`,
    );
    if (failures.length) console.error(failures.join('\n\n'));
    expect(failures.map((f) => f.split(' (')[0])).toEqual([]);
    expect(tally.serverErrors).toBe(0);
  }, 180_000);
});

/**
 * Nothing a client sends is answered with a 500 (DESIGN §6): malformed JSON, wrong content types,
 * oversized bodies, wrong types, huge strings, characters PostgreSQL cannot store, odd paths. Every
 * refusal is JSON in the uniform {"error":{"code","message"}} shape. The last part walks every route of
 * the OpenAPI document with such input.
 */
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enterpriseToken } from './fixtures.ts';
import { build, type TestApp } from './helper.ts';

let t: TestApp;
let admin: string;
beforeAll(async () => {
  t = await build();
  admin = await t.login('admin');
});
afterAll(() => t.close());

const json = { 'content-type': 'application/json' };
const raw = (token: string | null, method: InjectOptions['method'], url: string, payload?: string, headers: Record<string, string> = json) =>
  t.as(token, { method, url, payload, headers });

/** A refusal in the uniform shape; returns the message. */
function expectRefusal(res: LightMyRequestResponse, status: number, code: string): string {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  const body = res.json();
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error.code).toBe(code);
  expect(body.error.message).toMatch(/[\u4e00-\u9fa5]/);
  return body.error.message;
}

describe('request bodies', () => {
  it('answers malformed JSON with 400 VALIDATION_FAILED', async () => {
    for (const body of ['{"code":', '{code: "150299"}', "{'code':'150299'}", '{"code":"150299",}', 'undefined', '\u0000']) {
      expect(expectRefusal(await raw(admin, 'POST', '/api/admin/districts', body), 400, 'VALIDATION_FAILED')).toContain('JSON');
    }
  });

  it('answers an empty JSON body with 400', async () => {
    expectRefusal(await raw(admin, 'POST', '/api/admin/districts', ''), 400, 'VALIDATION_FAILED');
  });

  it('answers a body that is not an object with 400', async () => {
    for (const body of ['[]', '[{"code":"150299","name":"x"}]', 'null', '"150299"', '42', 'true']) {
      expectRefusal(await raw(admin, 'POST', '/api/admin/districts', body), 400, 'VALIDATION_FAILED');
    }
  });

  it('answers a content type it does not read with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    for (const type of ['application/xml', 'application/x-www-form-urlencoded', 'image/png', 'application/json-patch']) {
      expectRefusal(await raw(admin, 'POST', '/api/admin/districts', 'code=150299&name=x', { 'content-type': type }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    }
    // Plain text is read, as a string, and then refused as not an object.
    expectRefusal(await raw(admin, 'POST', '/api/admin/districts', 'code=150299', { 'content-type': 'text/plain' }), 400, 'VALIDATION_FAILED');
  });

  it('answers a body over 1 MB with 413 PAYLOAD_TOO_LARGE, as JSON', async () => {
    const big = JSON.stringify({ code: '150299', name: 'x'.repeat(1024 * 1024 + 1) });
    expectRefusal(await raw(admin, 'POST', '/api/admin/districts', big), 413, 'PAYLOAD_TOO_LARGE');
    expectRefusal(await raw(null, 'POST', '/api/auth/login', big), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('answers wrong types with 400 naming the field', async () => {
    const cases: [string, unknown][] = [
      ['/api/admin/districts', { code: { $ne: null }, name: 'x' }],
      ['/api/admin/districts', { code: ['150299', '150298'], name: 'x' }],
      ['/api/admin/districts', { code: '150299', name: { first: 'x' } }],
      ['/api/admin/categories', { code: 'abc', name: 'x', stationType: null, claimHours: 'many', resolveDays: 1 }],
      ['/api/admin/categories', { code: 'abc', name: 'x', stationType: null, claimHours: 1e300, resolveDays: 1 }],
      ['/api/admin/stations', { code: 'ab', name: 'x', type: ['court'], agencyName: 'x', districtCode: '150207' }],
      ['/api/admin/users', { username: 'abc', name: 'x', password: 12345678, role: 'leader', active: 'yes' }],
    ];
    for (const [url, payload] of cases) {
      expectRefusal(await t.as(admin, { method: 'POST', url, payload: payload as object }), 400, 'VALIDATION_FAILED');
    }
    const msg = expectRefusal(
      await t.as(null, { method: 'POST', url: '/api/auth/login', payload: { username: { $gt: '' }, password: 'x' } }),
      400,
      'VALIDATION_FAILED',
    );
    expect(msg).toContain('username');
  });

  it('answers huge strings with 400, not a database error', async () => {
    const huge = '長'.repeat(100_000);
    expectRefusal(await t.as(admin, { method: 'POST', url: '/api/admin/districts', payload: { code: '150299', name: huge } }), 400, 'VALIDATION_FAILED');
    expectRefusal(await t.as(null, { method: 'POST', url: '/api/auth/login', payload: { username: huge, password: huge } }), 400, 'VALIDATION_FAILED');
    expectRefusal(await t.as(admin, { method: 'GET', url: `/api/admin/users?q=${'x'.repeat(5000)}` }), 400, 'VALIDATION_FAILED');
  });

  it('refuses a JSON body that tries to reach the object prototype', async () => {
    const body = '{"code":"150298","name":"p","__proto__":{"polluted":true}}';
    expectRefusal(await raw(admin, 'POST', '/api/admin/districts', body), 400, 'VALIDATION_FAILED');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('answers a deeply nested body with 400', async () => {
    const deep = `{"code":"150297","name":${'['.repeat(50_000)}${']'.repeat(50_000)}}`;
    expectRefusal(await raw(admin, 'POST', '/api/admin/districts', deep), 400, 'VALIDATION_FAILED');
  });
});

describe('unicode', () => {
  const name = '九原🏛️法院 👨‍👩‍👧‍👦 שלום مرحبا \u200f\u202e é 𠀀 ﷽';

  it('stores and returns emoji, right-to-left text, combining marks and astral characters exactly', async () => {
    const res = await t.as(admin, {
      method: 'POST',
      url: '/api/admin/stations',
      payload: { code: 'uni-1', name, type: 'court', agencyName: '𠀀 法院', districtCode: '150207' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const got = await t.as(admin, { method: 'GET', url: `/api/admin/stations/${res.json().id}` });
    expect(got.json().name).toBe(name);
    const search = await t.as(admin, { method: 'GET', url: `/api/admin/stations?q=${encodeURIComponent('👨‍👩‍👧‍👦')}` });
    expect(search.json().items.map((s: { code: string }) => s.code)).toEqual(['uni-1']);
  });

  it('counts length in characters the way the database does', async () => {
    const fifty = '😀'.repeat(50);
    const ok = await t.as(admin, { method: 'POST', url: '/api/admin/districts', payload: { code: '150296', name: fifty } });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().name).toBe(fifty);
    expectRefusal(
      await t.as(admin, { method: 'POST', url: '/api/admin/districts', payload: { code: '150295', name: `${fifty}😀` } }),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('answers 400, not 500, for a NUL character in a body field, a key, the query or the path', async () => {
    const msg = expectRefusal(
      await t.as(admin, { method: 'POST', url: '/api/admin/districts', payload: { code: '150294', name: 'a\u0000b' } }),
      400,
      'VALIDATION_FAILED',
    );
    expect(msg).toContain('name');
    expectRefusal(await t.as(null, { method: 'POST', url: '/api/auth/login', payload: { username: 'admin\u0000', password: 'x' } }), 400, 'VALIDATION_FAILED');
    expectRefusal(await raw(admin, 'POST', '/api/admin/districts', '{"code":"150294","name":"x","a\\u0000":1}'), 400, 'VALIDATION_FAILED');
    expectRefusal(await t.as(admin, { method: 'GET', url: '/api/admin/users?q=%00' }), 400, 'VALIDATION_FAILED');
    expectRefusal(await t.as(admin, { method: 'PATCH', url: '/api/admin/districts/%00', payload: { name: 'x' } }), 400, 'VALIDATION_FAILED');
    expectRefusal(await t.as(admin, { method: 'PATCH', url: '/api/admin/categories/a%00b', payload: { name: 'x' } }), 400, 'VALIDATION_FAILED');
  });

  it('answers 400 for half a surrogate pair, which JSON allows and PostgreSQL does not', async () => {
    expectRefusal(await raw(admin, 'POST', '/api/admin/districts', '{"code":"150293","name":"a\\ud800b"}'), 400, 'VALIDATION_FAILED');
    expectRefusal(await raw(admin, 'POST', '/api/admin/districts', '{"code":"150293","name":"\\udc00"}'), 400, 'VALIDATION_FAILED');
    expectRefusal(await raw(null, 'POST', '/api/auth/login', '{"username":"\\ud83d","password":"x"}'), 400, 'VALIDATION_FAILED');
    // A whole pair written as escapes is an ordinary character.
    const pair = await raw(admin, 'POST', '/api/admin/districts', '{"code":"150293","name":"\\ud83d\\ude00"}');
    expect(pair.statusCode).toBe(201);
    expect(pair.json().name).toBe('😀');
  });
});

describe('paths and query strings', () => {
  it('answers an unknown route with 404 JSON, for any method, inside /api or not', async () => {
    for (const [method, url] of [
      ['GET', '/api/nothing'],
      ['POST', '/api/admin/nothing'],
      ['DELETE', '/api/admin/districts'],
      ['GET', '/nothing.php'],
      ['PUT', '/healthz'],
      ['PROPFIND', '/api/admin/users'],
    ] as const) {
      expect(expectRefusal(await t.as(admin, { method, url }), 404, 'NOT_FOUND')).toContain('接口不存在');
    }
  });

  it('answers bad paging and filter values with 400', async () => {
    for (const q of ['page=abc', 'page=0', 'page=-1', 'page=1.5', 'page=1&page=2', 'pageSize=0', 'pageSize=101', 'pageSize=1e3', 'active=maybe', 'q=a&q=b']) {
      expectRefusal(await t.as(admin, { method: 'GET', url: `/api/admin/users?${q}` }), 400, 'VALIDATION_FAILED');
    }
    expectRefusal(await t.as(admin, { method: 'GET', url: '/api/admin/stations?type=fire' }), 400, 'VALIDATION_FAILED');
    expectRefusal(await t.as(admin, { method: 'GET', url: '/api/admin/holidays?year=twenty' }), 400, 'VALIDATION_FAILED');
  });

  it('answers a path that does not decode, or a parameter over the length limit, in the uniform shape', async () => {
    expectRefusal(await t.as(admin, { method: 'GET', url: '/api/admin/stations/%E0%A4%A' }), 400, 'VALIDATION_FAILED');
    expectRefusal(await t.as(null, { method: 'GET', url: '/m/%E0%A4%A.js' }), 400, 'VALIDATION_FAILED');
    expectRefusal(await t.as(admin, { method: 'PATCH', url: `/api/admin/categories/${'a'.repeat(500)}`, payload: { name: 'x' } }), 414, 'VALIDATION_FAILED');
  });

  it('does not serve files outside the front-end builds, whatever the traversal', async () => {
    for (const url of [
      '/m/..%2f..%2f..%2fpackage.json',
      '/m/assets/..%2f..%2f..%2f..%2fpackage.json',
      '/admin/..%5c..%5c..%5cpackage.json',
      '/admin/%2e%2e/%2e%2e/%2e%2e/package.json',
      '/admin/....//....//package.json',
      '/m/%00.js',
      '/admin/..%252f..%252fpackage.json',
    ]) {
      const res = await t.as(null, { method: 'GET', url });
      expect(res.statusCode, url).toBeLessThan(500);
      expect(res.body, url).not.toContain('"packageManager"');
      if (res.statusCode >= 400) expect(res.json().error.code, url).toMatch(/^(NOT_FOUND|FORBIDDEN|VALIDATION_FAILED)$/);
    }
  });

  it('treats traversal in an API parameter as a value that matches nothing', async () => {
    expectRefusal(await t.as(admin, { method: 'PATCH', url: '/api/admin/districts/..%2f..%2fusers', payload: { name: 'x' } }), 404, 'NOT_FOUND');
    expectRefusal(await t.as(admin, { method: 'GET', url: '/api/admin/stations/..%2f..%2fusers' }), 400, 'VALIDATION_FAILED');
  });
});

describe('every route', () => {
  interface Operation {
    method: string;
    path: string;
    query: string[];
    body: string[];
  }

  async function operations(): Promise<Operation[]> {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const ops: Operation[] = [];
    for (const [path, item] of Object.entries<
      Record<string, { parameters?: { in: string; name: string }[]; requestBody?: { content?: Record<string, { schema?: { properties?: object } }> } }>
    >(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        ops.push({
          method: method.toUpperCase(),
          path,
          query: (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name),
          body: Object.keys(op.requestBody?.content?.['application/json']?.schema?.properties ?? {}),
        });
      }
    }
    return ops;
  }

  const fill = (path: string, value: string) => path.replace(/\{[^}]+\}/g, value);

  it('lists the routes of every module in the OpenAPI document', async () => {
    const paths = new Set((await operations()).map((o) => `${o.method} ${o.path}`));
    for (const p of [
      'POST /api/auth/login',
      'GET /api/admin/stations/{id}/qrcode',
      'GET /api/admin/audit-logs',
      'PATCH /api/admin/users/{id}',
      'GET /api/dicts',
    ]) {
      expect(paths).toContain(p);
    }
  });

  it('never answers 500 to malformed input, as any kind of caller', async () => {
    const ops = await operations();
    const tokens = [admin, await t.login('center'), await t.login('jy_court'), await enterpriseToken(t), null];
    const junk: unknown[] = ['a\u0000b', '\ud800', 'x'.repeat(70_000), { $gt: '' }, [[]], -1e308, true];
    const seen: string[] = [];
    for (const op of ops) {
      const url = fill(op.path, '00000000-0000-4000-8000-000000000000');
      const requests: InjectOptions[] = [
        { method: op.method as InjectOptions['method'], url: fill(op.path, '%00') },
        { method: op.method as InjectOptions['method'], url: fill(op.path, '..%2f..%2fetc%2fpasswd') },
        { method: op.method as InjectOptions['method'], url: fill(op.path, 'x'.repeat(120)) },
        { method: op.method as InjectOptions['method'], url: `${url}?${op.query.map((q) => `${q}=%00&${q}=${'9'.repeat(400)}`).join('&')}` },
        { method: op.method as InjectOptions['method'], url: `${url}?${op.query.map((q) => `${q}=-1`).join('&')}` },
      ];
      if (op.method !== 'GET' && op.method !== 'DELETE') {
        requests.push({ method: op.method as InjectOptions['method'], url, payload: '{"broken":', headers: json });
        requests.push({ method: op.method as InjectOptions['method'], url, payload: '[1,2,3]', headers: json });
        for (const value of junk) {
          requests.push({ method: op.method as InjectOptions['method'], url, payload: Object.fromEntries(op.body.map((k) => [k, value])) });
        }
      }
      for (const token of tokens) {
        for (const req of requests) {
          const res = await t.as(token, req);
          const label = `${req.method} ${String(req.url).slice(0, 120)} as ${token === null ? 'anonymous' : token.slice(-8)}: ${res.statusCode} ${res.body.slice(0, 200)}`;
          // 503 is the server's own state (a sign-in channel not configured here), never the input's fault.
          expect(res.statusCode === 503 ? res.json().error.code : res.statusCode, label).toSatisfy((s) => s === 'SERVICE_UNAVAILABLE' || (s as number) < 500);
          if (res.statusCode >= 400) {
            expect(res.headers['content-type'], label).toMatch(/^application\/json/);
            expect(res.json().error?.code, label).toMatch(/^[A-Z_]+$/);
          }
        }
      }
      seen.push(`${op.method} ${op.path}`);
    }
    expect(seen.length).toBeGreaterThan(20);
  });
});

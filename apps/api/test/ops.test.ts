/**
 * Service basics: liveness and readiness, the OpenAPI document and its browser, request ids, and a
 * database outage answered as 503 JSON rather than 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { type Database, openDatabase } from '../src/db/client.ts';
import { build, type TestApp } from './helper.ts';

let t: TestApp;
beforeAll(async () => {
  t = await build();
});
afterAll(() => t.close());

/** An app on a database that does not answer as it should. */
async function appOn(database: Database) {
  const app = await buildApp({ config: t.config, database, ownsDatabase: false, logger: false });
  await app.ready();
  return app;
}

describe('health', () => {
  it('answers /healthz while the process runs, without a token', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz with the kind of database when it answers', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready', database: t.database.kind });
  });

  it('answers /readyz with 503 JSON when the database ping fails', async () => {
    const app = await appOn({ ...t.database, ping: () => Promise.reject(new Error('connection refused')) });
    try {
      const res = await app.inject({ method: 'GET', url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ error: { code: 'SERVICE_UNAVAILABLE', message: '数据库不可用' } });
      // Liveness does not depend on the database.
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });

  it('answers /readyz with 503 when the database ping hangs', async () => {
    const app = await appOn({ ...t.database, ping: () => new Promise(() => {}) });
    try {
      const started = Date.now();
      const res = await app.inject({ method: 'GET', url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await app.close();
    }
  });

  it('answers 503 SERVICE_UNAVAILABLE, not 500, while the database cannot be reached', async () => {
    // A PostgreSQL server that is not there: every query fails to connect.
    const down = await openDatabase({ databaseUrl: 'postgres://postgres@127.0.0.1:1/none', dataDir: '', poolSize: 1 });
    const app = await appOn(down);
    try {
      const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: 'Admin@2025' } });
      expect(res.statusCode, res.body).toBe(503);
      expect(res.json().error.code).toBe('SERVICE_UNAVAILABLE');
      expect(res.headers['retry-after']).toBe('5');
      expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(503);
    } finally {
      await app.close();
      await down.close();
    }
  });
});

describe('the OpenAPI document', () => {
  it('lists the routes with their schemas at /openapi.json', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info.title).toBe('优商一码通 API');
    for (const [path, method] of [
      ['/api/auth/login', 'post'],
      ['/api/auth/refresh', 'post'],
      ['/api/auth/me', 'get'],
      ['/api/auth/password', 'post'],
      ['/api/admin/districts', 'get'],
      ['/api/admin/districts/{code}', 'patch'],
      ['/api/admin/stations', 'post'],
      ['/api/admin/stations/{id}/qrcode', 'get'],
      ['/api/admin/categories/{code}', 'patch'],
      ['/api/admin/holidays/{date}', 'delete'],
      ['/api/admin/users/{id}/reset-password', 'post'],
      ['/api/admin/users/{id}/unlock', 'post'],
      ['/api/admin/audit-logs', 'get'],
      ['/api/dicts', 'get'],
      ['/healthz', 'get'],
      ['/readyz', 'get'],
    ]) {
      expect(doc.paths[path as string]?.[method as string], `${method} ${path}`).toBeDefined();
    }
    const create = doc.paths['/api/admin/stations'].post;
    expect(create.requestBody.content['application/json'].schema.required).toEqual(
      expect.arrayContaining(['code', 'name', 'type', 'agencyName', 'districtCode']),
    );
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('leaves the SPA shells and itself out of the document', async () => {
    const paths = Object.keys((await t.app.inject({ method: 'GET', url: '/openapi.json' })).json().paths);
    expect(paths.some((p) => p.startsWith('/admin') || p.startsWith('/m/') || p === '/openapi.json')).toBe(false);
  });

  it('is browsable at /docs', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('swagger');
    const json = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(json.statusCode).toBe(200);
    expect(json.json().paths['/api/auth/login']).toBeDefined();
  });
});

describe('request ids', () => {
  it('echoes a well-formed x-request-id', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'lb-7f3a-42' } });
    expect(res.headers['x-request-id']).toBe('lb-7f3a-42');
  });

  it('gives every answer an id, including refusals, and replaces a malformed one', async () => {
    const none = await t.app.inject({ method: 'GET', url: '/api/nothing' });
    expect(none.statusCode).toBe(404);
    expect(none.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    for (const bad of ['has space', 'x'.repeat(65), '<script>', '']) {
      const res = await t.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': bad } });
      expect(res.headers['x-request-id'], bad).toMatch(/^[0-9a-f-]{36}$/);
    }
    const a = await t.app.inject({ method: 'GET', url: '/healthz' });
    const b = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
  });

  it('keeps the id on validation refusals and auth refusals', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: {}, headers: { 'x-request-id': 'req-400' } });
    expect(res.statusCode).toBe(400);
    expect(res.headers['x-request-id']).toBe('req-400');
    const anon = await t.app.inject({ method: 'GET', url: '/api/dicts', headers: { 'x-request-id': 'req-401' } });
    expect(anon.statusCode).toBe(401);
    expect(anon.headers['x-request-id']).toBe('req-401');
  });
});

describe('the front ends', () => {
  it('serves the admin console and the H5 app with a history-mode fallback', async () => {
    for (const url of ['/admin/', '/admin/tickets/123', '/m/', '/m/s/jy-court']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type'], url).toMatch(/^text\/html/);
    }
    expect((await t.app.inject({ method: 'GET', url: '/admin' })).statusCode).toBe(302);
    expect((await t.app.inject({ method: 'GET', url: '/admin/missing-file.js' })).statusCode).toBe(404);
    // A signed rating-link token has a dot in it: it is a client-side route, not a file.
    const link = await t.app.inject({ method: 'GET', url: '/m/rate/eyJ0IjoiYWJjIn0.Q2hlY2tTaWduYXR1cmUxMjM0NQ' });
    expect(link.statusCode).toBe(200);
    expect(link.headers['content-type']).toMatch(/^text\/html/);
  });
});

/** /metrics (Prometheus), its protection, the read replica it reads figures from, and 503 under pressure. */
import { smsOutbox } from '@ys/shared/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { openDatabase } from '../src/db/client.ts';
import { listenMetrics } from '../src/plugins/metrics.ts';
import { maskPhones } from '../src/plugins/request-log.ts';
import { enterpriseToken, submit } from './fixtures.ts';
import { build, freshDatabase, type TestApp, testConfig } from './helper.ts';

const TOKEN = 'metrics-token-for-tests-0123456789';
const scrape = (t: TestApp, token: string | null = TOKEN) => t.as(token, { method: 'GET', url: '/metrics' });

/** The value of one sample line, e.g. value(text, 'ys_tickets{status="pending_claim",color="green"}'). */
function value(text: string, sample: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? undefined : Number(line.slice(sample.length + 1));
}

describe('GET /metrics with METRICS_TOKEN', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await build({ METRICS_TOKEN: TOKEN });
  });
  afterAll(() => t?.close());

  it('refuses a missing or wrong bearer token', async () => {
    expect((await scrape(t, null)).statusCode).toBe(401);
    expect((await scrape(t, `${TOKEN}x`)).statusCode).toBe(401);
    // a staff access token is not a metrics token
    expect((await scrape(t, await t.login('admin'))).statusCode).toBe(401);
  });

  it('reports requests by route pattern, tickets by status and colour, failed SMS and the pool', async () => {
    const ent = await enterpriseToken(t);
    await submit(t, ent);
    await submit(t, ent);
    await t.database.db.insert(smsOutbox).values([
      { phone: '13900000001', template: 'received', params: {}, dedupeKey: 'm-1', status: 'failed', attempts: 5 },
      { phone: '13900000002', template: 'received', params: {}, dedupeKey: 'm-2', status: 'sent' },
    ]);
    const center = await t.login('center');
    const list = await t.as(center, { method: 'GET', url: '/api/tickets?view=all' });
    const id = list.json().items[0].id;
    await t.as(center, { method: 'GET', url: `/api/tickets/${id}` });
    await t.as(center, { method: 'GET', url: '/no/such/path/12345' });

    const res = await scrape(t);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    const text = res.body;
    expect(value(text, 'ys_http_request_duration_seconds_count{method="GET",route="/api/tickets",status_code="200"}')).toBe(1);
    expect(value(text, 'ys_http_request_duration_seconds_count{method="GET",route="/api/tickets/:id",status_code="200"}')).toBe(1);
    expect(value(text, 'ys_http_request_duration_seconds_count{method="POST",route="/api/public/tickets",status_code="201"}')).toBe(2);
    expect(text).toContain('route="unmatched",status_code="404"');
    expect(text).not.toContain(id);
    expect(text).not.toContain('12345');
    // both tickets wait for jy-court's claim, fresh, so green
    expect(value(text, 'ys_tickets{status="pending_claim",color="green"}')).toBe(2);
    expect(value(text, 'ys_sms_outbox{status="failed"}')).toBe(1);
    expect(value(text, 'ys_sms_outbox{status="sent"}')).toBeGreaterThanOrEqual(1);
    expect(value(text, 'ys_sms_outbox{status="pending"}')).toBeGreaterThanOrEqual(0);
    expect(value(text, 'ys_db_pool_max{pool="primary"}')).toBeGreaterThan(0);
    expect(text).toContain('ys_process_resident_memory_bytes');
    expect(text).toContain('ys_nodejs_eventloop_lag_seconds');
    if (t.database.kind === 'postgres') expect(text).toMatch(/^ys_db_connections\{pool="primary",state="(active|idle)"\} \d+$/m);
  });
});

describe('metrics exposure', () => {
  it('is not served at all without METRICS_TOKEN or METRICS_PORT', async () => {
    const t = await build();
    try {
      expect((await scrape(t)).statusCode).toBe(404);
      expect((await scrape(t, null)).statusCode).toBe(404);
    } finally {
      await t.close();
    }
  });

  it('moves to the internal METRICS_PORT, where the token still applies when set', async () => {
    const t = await build({ METRICS_PORT: '9464', METRICS_TOKEN: TOKEN });
    const server = await listenMetrics(t.app, '127.0.0.1', 0);
    try {
      const port = (server.address() as { port: number }).port;
      expect((await scrape(t)).statusCode).toBe(404);
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);
      const ok = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('ys_http_request_duration_seconds');
      expect((await fetch(`http://127.0.0.1:${port}/api/tickets`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(404);
    } finally {
      await new Promise((r) => server.close(r));
      await t.close();
    }
  });
});

describe('DATABASE_READ_URL', () => {
  it('gives app.readDb the replica (here: the same server) and reads the figures from it; without it, the primary', async () => {
    const plain = await build({ METRICS_TOKEN: TOKEN });
    try {
      expect(plain.app.readDb).toBe(plain.app.db);
    } finally {
      await plain.close();
    }

    const { database, url, drop } = await freshDatabase();
    if (url === null) return; // PGlite has no second connection to the same data
    const config = testConfig({ DATABASE_URL: url, DATABASE_READ_URL: url, DATABASE_POOL_SIZE: '3', METRICS_TOKEN: TOKEN });
    expect(config.databaseReadUrl).toBe(url);
    const readDatabase = await openDatabase({ databaseUrl: url, dataDir: '', poolSize: 3 });
    const app = await buildApp({ config, database, readDatabase, ownsDatabase: true, logger: false });
    try {
      expect(app.readDb).toBe(readDatabase);
      expect(app.readDb).not.toBe(app.db);
      const res = await app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
      expect(value(res.body, 'ys_db_pool_max{pool="read"}')).toBe(3);
      expect(res.body).toMatch(/^ys_db_connections\{pool="read",state="\w+"\} \d+$/m);
      expect(res.statusCode).toBe(200);
      expect(res.body).toContain('# TYPE ys_tickets gauge');
    } finally {
      await app.close();
      await drop();
    }
  });
});

describe('under pressure', () => {
  it('answers 503 with Retry-After once a limit is passed, while liveness and metrics still answer', async () => {
    const t = await build({ PRESSURE_MAX_HEAP_BYTES: '1024', METRICS_TOKEN: TOKEN });
    try {
      // the first samples after start are not held against the instance: wait until /readyz is refused
      let res = await t.as(null, { method: 'GET', url: '/readyz' });
      while (res.statusCode !== 503) {
        await new Promise((r) => setTimeout(r, 100));
        res = await t.as(null, { method: 'GET', url: '/readyz' });
      }
      expect(t.app.isUnderPressure()).toBe(true);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.json().error.code).toBe('SERVICE_UNAVAILABLE');
      expect((await t.as(null, { method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: 'x' } })).statusCode).toBe(503);
      expect((await t.as(null, { method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      const m = await scrape(t);
      expect(m.statusCode).toBe(200);
      expect(value(m.body, 'ys_pressure_refused_total{type="heapUsedBytes"}')).toBe(2);
    } finally {
      await t.close();
    }
  });
});

describe('log masking', () => {
  it('masks every mainland mobile number in a log line, and nothing else', () => {
    const line = JSON.stringify({ reqId: 'r1', req: { url: '/api/tickets?q=13912345678' }, msg: 'x 15800001111, id 1390000111122, t=1731234567890' });
    const masked = maskPhones(line);
    expect(masked).toContain('q=139****5678');
    expect(masked).toContain('158****1111');
    expect(masked).toContain('1390000111122');
    expect(masked).toContain('1731234567890');
  });
});

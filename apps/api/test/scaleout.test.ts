/**
 * Two real server processes on different ports against one fresh PostgreSQL database, one Redis (abuse
 * limits) and one S3-compatible store: whatever one instance starts, the other can finish, a limit counts
 * requests to both, and the time-driven rules change each ticket once although both run them. PostgreSQL
 * only (PGlite is one process by design).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { uscc } from './fixtures.ts';
import { withDatabase } from './global-setup.ts';
import { freePort, type S3Server, startS3Server } from './s3-server.ts';

const onPg = inject('testDb') === 'pg';
const METRICS_TOKEN = 'scaleout-metrics-token-0123456789';
const PHONE = `137${String(process.pid % 100000).padStart(5, '0')}123`.slice(0, 11);
const REDIS = new URL(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/13');

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.setTimeout(2000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

interface ServerHandle {
  baseUrl: string;
  logs: string[];
  stop(): Promise<void>;
}

/** `node --import tsx apps/api/src/server.ts` with its own port and DATA_DIR, ready once /readyz answers. */
async function startServer(env: Record<string, string>): Promise<ServerHandle> {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ys-scale-'));
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: path.resolve(import.meta.dirname, '..'),
    env: {
      ...process.env,
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATA_DIR: dataDir,
      PUBLIC_BASE_URL: baseUrl,
      RATE_LIMITS: 'false',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  child.stdout.on('data', (d) => logs.push(String(d)));
  child.stderr.on('data', (d) => logs.push(String(d)));
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited: ${logs.join('')}`);
    const ok = await fetch(`${baseUrl}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    baseUrl,
    logs,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** FLUSHDB on the dedicated Redis database, so that counters of an earlier run do not count. */
async function flushRedis(url: URL): Promise<void> {
  const db = url.pathname.replace('/', '') || '0';
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port || 6379) }, () => socket.write(`SELECT ${db}\r\nFLUSHDB\r\nQUIT\r\n`));
    socket.on('data', () => {}); // read the replies, or the server's close is never seen
    socket.on('error', reject);
    socket.on('close', () => resolve());
  });
}

let sql: postgres.Sql;
let dbName: string;
let adminUrl: string;
let s3: S3Server;
let a: ServerHandle;
let b: ServerHandle;
let redisUsed = false;

// biome-ignore lint/suspicious/noExplicitAny: answers of many shapes, each asserted where it is read
type Res = { status: number; body: any; headers: Headers };
async function call(
  server: ServerHandle,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; cookie?: string; raw?: boolean } = {},
): Promise<Res> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${server.baseUrl}${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  const body = opts.raw ? Buffer.from(await res.arrayBuffer()) : res.headers.get('content-type')?.includes('json') ? await res.json() : await res.text();
  return { status: res.status, body, headers: res.headers };
}

async function login(server: ServerHandle, username: string, password: string) {
  const res = await call(server, 'POST', '/api/auth/login', { body: { username, password } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const cookie = /ys_rt=[^;]+/.exec(res.headers.get('set-cookie') ?? '')?.[0];
  return { token: res.body.accessToken as string, cookie: cookie as string };
}

async function enterprise(server: ServerHandle, other: ServerHandle, phone: string): Promise<string> {
  const otp = await call(server, 'POST', '/api/public/otp', { body: { phone } });
  expect(otp.status, JSON.stringify(otp.body)).toBe(200);
  const session = await call(other, 'POST', '/api/public/session', { body: { phone, code: otp.body.devCode } });
  expect(session.status, JSON.stringify(session.body)).toBe(200);
  return session.body.token;
}

let ticketSeq = 0;
async function fileTicket(server: ServerHandle, token: string): Promise<string> {
  const res = await call(server, 'POST', '/api/public/tickets', {
    token,
    body: {
      stationCode: 'jy-court',
      districtCode: '150207',
      categoryCode: 'case_progress',
      enterpriseName: '包头市九原区优商科技有限公司',
      uscc: uscc(),
      contactName: '张经理',
      title: `多实例诉求 ${++ticketSeq}`,
      content: '我公司起诉的买卖合同纠纷案件已立案三个月，想了解审理进度。',
      consent: true,
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const [row] = await sql<{ id: string }[]>`select id from tickets where no = ${res.body.no}`;
  return row!.id;
}

async function metric(server: ServerHandle, sample: string): Promise<number> {
  const res = await call(server, 'GET', '/metrics', { token: METRICS_TOKEN });
  expect(res.status).toBe(200);
  const line = (res.body as string).split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? 0 : Number(line.slice(sample.length + 1));
}

describe.skipIf(!onPg)('two instances on one PostgreSQL, Redis and S3-compatible store', () => {
  beforeAll(async () => {
    adminUrl = inject('pgAdminUrl');
    dbName = `ys_scale_${process.pid}_${Date.now() % 100000}`;
    sql = postgres(adminUrl, { max: 2, onnotice: () => {} });
    await sql.unsafe(`create database ${dbName}`);
    await sql.end();
    const url = withDatabase(adminUrl, dbName);
    sql = postgres(url, { max: 4, onnotice: () => {} });
    s3 = await startS3Server();
    redisUsed = await reachable(REDIS.hostname, Number(REDIS.port || 6379));
    if (redisUsed) await flushRedis(REDIS);
    else console.warn(`Redis at ${REDIS.host} is not reachable: the instances share PostgreSQL only.`);
    const env = {
      DATABASE_URL: url,
      ...(redisUsed ? { REDIS_URL: REDIS.toString() } : {}),
      ...s3.env,
      SWEEP_INTERVAL_SECONDS: '1',
      METRICS_TOKEN,
      LOG_LEVEL: 'info',
      PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
      RATE_LIMITS: 'true',
    };
    // Both start at once on the empty database: migrations and the demo seed must take turns.
    [a, b] = await Promise.all([startServer(env), startServer(env)]);
  }, 300_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await s3?.dispose();
    await sql?.end();
    const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  });

  it('starts both on one empty database: the schema and the demo organisation exist once', async () => {
    expect(a.baseUrl).not.toBe(b.baseUrl);
    for (const s of [a, b]) expect((await call(s, 'GET', '/readyz')).body).toEqual({ status: 'ready', database: 'postgres' });
    const [users] = await sql<{ n: number }[]>`select count(*)::int as n from users where username = 'jy_court'`;
    expect(users!.n).toBe(1);
  });

  it('gives one winner when both instances take the same claim at once', async () => {
    const ent = await enterprise(a, b, PHONE);
    const onA = await login(a, 'jy_court', 'Court@2025');
    const onB = await login(b, 'jy_court', 'Court@2025');
    for (let i = 0; i < 5; i++) {
      const id = await fileTicket(i % 2 ? a : b, ent);
      const results = await Promise.all([
        call(a, 'POST', `/api/tickets/${id}/claim`, { token: onA.token }),
        call(b, 'POST', `/api/tickets/${id}/claim`, { token: onB.token }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      expect(results.find((r) => r.status === 409)!.body.error.code).toBe('ALREADY_CLAIMED');
      const [claims] = await sql<{ n: number }[]>`select count(*)::int as n from ticket_events where ticket_id = ${id} and type = 'claimed'`;
      expect(claims!.n).toBe(1);
    }
  });

  it('verifies on one instance the SMS code sent through the other, once', async () => {
    const phone = `${PHONE.slice(0, 10)}9`;
    const otp = await call(b, 'POST', '/api/public/otp', { body: { phone } });
    expect(otp.status).toBe(200);
    const session = await call(a, 'POST', '/api/public/session', { body: { phone, code: otp.body.devCode } });
    expect(session.status).toBe(200);
    expect((await call(b, 'GET', '/api/public/tickets', { token: session.body.token })).status).toBe(200);
    // the code is spent everywhere
    expect((await call(b, 'POST', '/api/public/session', { body: { phone, code: otp.body.devCode } })).status).toBe(400);
  });

  it('refuses on one instance, as reused, a refresh token rotated on the other, and ends the whole session', async () => {
    const first = await login(a, 'center', 'Center@2025');
    const rotated = await call(a, 'POST', '/api/auth/refresh', { cookie: first.cookie });
    expect(rotated.status).toBe(200);
    const second = /ys_rt=[^;]+/.exec(rotated.headers.get('set-cookie') ?? '')![0];
    const reused = await call(b, 'POST', '/api/auth/refresh', { cookie: first.cookie });
    expect(reused.status).toBe(401);
    expect((await call(a, 'POST', '/api/auth/refresh', { cookie: second })).status).toBe(401);
    const [audit] = await sql<{ n: number }[]>`select count(*)::int as n from audit_logs where action = 'auth.refresh_reuse'`;
    expect(audit!.n).toBe(1);
  });

  it('stops on the other instance, within milliseconds, a user disabled or renamed on one, though that one keeps staff rows in memory', async () => {
    const admin = await login(a, 'admin', 'Admin@2025');
    const police = await login(b, 'qs_police', 'Police@2025');
    const me = () => call(b, 'GET', '/api/auth/me', { token: police.token });
    expect((await me()).status).toBe(200); // B keeps the row now (STAFF_CACHE_SECONDS, 5 s by default)
    const { id } = (await me()).body as { id: string };
    /** How long B takes to see what `check` waits for: the notification's path, well inside the 5 s a row may be kept. */
    const within = async (check: (res: Res) => boolean) => {
      const started = Date.now();
      while (!check(await me())) {
        if (Date.now() - started > 1500) throw new Error('not seen within 1.5 s');
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    expect((await call(a, 'PATCH', `/api/admin/users/${id}`, { token: admin.token, body: { active: false } })).status).toBe(200);
    await within((res) => res.status === 401 && res.body.error.message === '账号已停用');
    expect((await call(a, 'PATCH', `/api/admin/users/${id}`, { token: admin.token, body: { active: true } })).status).toBe(200);
    await within((res) => res.status === 200);
    // A statement by hand (no instance made it) is seen the same way.
    await sql`update users set name = '改名后' where id = ${id}`;
    await within((res) => res.body.name === '改名后');
  });

  it('stores an attachment through one instance and serves it from the other', async () => {
    const ent = await enterprise(b, a, `${PHONE.slice(0, 10)}8`);
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    const form = new FormData();
    form.append('file', new Blob([png], { type: 'image/png' }), '现场.png');
    const up = await fetch(`${a.baseUrl}/api/public/uploads`, { method: 'POST', headers: { authorization: `Bearer ${ent}` }, body: form });
    expect(up.status).toBe(201);
    const { id } = (await up.json()) as { id: string };
    const dl = await call(b, 'GET', `/api/public/attachments/${id}`, { token: ent, raw: true });
    expect(dl.status).toBe(200);
    expect((dl.body as Buffer).equals(png)).toBe(true);
  });

  it('runs the sweep on both instances and changes each ticket once', async () => {
    // two businesses: one session may file 10 tickets an hour
    const ents = [await enterprise(a, b, `${PHONE.slice(0, 10)}7`), await enterprise(b, a, `${PHONE.slice(0, 10)}6`)];
    const court = await login(b, 'jy_court', 'Court@2025');
    const overdue: string[] = [];
    for (let i = 0; i < 12; i++) overdue.push(await fileTicket(i % 2 ? a : b, ents[i % 2]!));
    const toClose: string[] = [];
    for (let i = 0; i < 4; i++) {
      const id = await fileTicket(a, ents[i % 2]!);
      expect((await call(b, 'POST', `/api/tickets/${id}/claim`, { token: court.token })).status).toBe(200);
      const resolved = await call(a, 'POST', `/api/tickets/${id}/resolve`, { token: court.token, body: { result: '已告知案件进度，正在排期开庭。' } });
      expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
      toClose.push(id);
    }
    const runsBefore = [await metric(a, 'ys_sweep_runs_total'), await metric(b, 'ys_sweep_runs_total')];
    // Their deadlines pass, and the resolved ones went unrated for 8 days.
    await sql`update tickets set resolve_due_at = now() - interval '1 hour' where id in ${sql(overdue)}`;
    await sql`update tickets set resolved_at = now() - interval '8 days' where id in ${sql(toClose)}`;

    // Wait until each instance has swept at least twice since.
    for (;;) {
      const runs = [await metric(a, 'ys_sweep_runs_total'), await metric(b, 'ys_sweep_runs_total')];
      if (runs[0]! >= runsBefore[0]! + 2 && runs[1]! >= runsBefore[1]! + 2) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const events = await sql<{ ticket_id: string; type: string; n: number }[]>`
      select ticket_id, type, count(*)::int as n from ticket_events
      where ticket_id in ${sql([...overdue, ...toClose])} and type in ('overdue', 'closed') group by 1, 2`;
    expect(events.filter((e) => e.type === 'overdue').map((e) => [e.ticket_id, e.n])).toEqual(expect.arrayContaining(overdue.map((id) => [id, 1])));
    expect(events.filter((e) => e.type === 'overdue')).toHaveLength(overdue.length);
    expect(events.filter((e) => e.type === 'closed')).toEqual(expect.arrayContaining(toClose.map((id) => expect.objectContaining({ ticket_id: id, n: 1 }))));
    expect(events.filter((e) => e.type === 'closed')).toHaveLength(toClose.length);
    // The two instances' changes add up to each ticket once.
    const overdueByInstance = (await metric(a, 'ys_sweep_changes_total{rule="overdue"}')) + (await metric(b, 'ys_sweep_changes_total{rule="overdue"}'));
    const closedByInstance = (await metric(a, 'ys_sweep_changes_total{rule="closed"}')) + (await metric(b, 'ys_sweep_changes_total{rule="closed"}'));
    expect(overdueByInstance).toBe(overdue.length);
    expect(closedByInstance).toBe(toClose.length);
  });

  it('counts an abuse limit once across both instances', async () => {
    // The station landing page allows 60 requests a minute per address, in fixed one-minute windows:
    // start at the beginning of one, so that the 60 requests below fall into the same window.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 45_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 100));
    const entry = (server: ServerHandle) => call(server, 'GET', '/api/public/entry/jy-court');
    for (let i = 0; i < 60; i++) expect((await entry(i % 2 ? a : b)).status).toBe(200);
    for (const server of [a, b]) {
      const res = await entry(server);
      expect(res.status).toBe(429);
      expect(res.body.error.code).toBe('RATE_LIMITED');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
  });

  it('logs JSON lines with request id, route and user, and no mobile number in full', async () => {
    const center = await login(a, 'center', 'Center@2025');
    const reqId = `scaleout-${process.pid}`;
    const res = await fetch(`${a.baseUrl}/api/tickets?q=${PHONE}`, { headers: { authorization: `Bearer ${center.token}`, 'x-request-id': reqId } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe(reqId);
    // the line is written as the response goes out: wait until the pipe has delivered it
    const completed = () =>
      a.logs
        .join('')
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.reqId === reqId && l.msg === 'request completed');
    for (let i = 0; i < 100 && !completed(); i++) await new Promise((r) => setTimeout(r, 100));
    expect(completed()).toMatchObject({ route: '/api/tickets', userId: expect.any(String), res: { statusCode: 200 } });
    const all = [...a.logs, ...b.logs].join('');
    expect(all).toContain(`q=${PHONE.slice(0, 3)}****${PHONE.slice(-4)}`);
    expect(all).not.toContain(PHONE);
  });
});

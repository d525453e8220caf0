/**
 * Start-up and restarts (DESIGN §9): migrations are applied once and are a no-op on an existing database,
 * the demo organisation is seeded idempotently, data survives a restart on the same DATA_DIR or server,
 * a bad configuration stops start-up naming the variable, and production creates no demo data.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import { type Database, openDatabase } from '../src/db/client.ts';
import { MIGRATIONS_FOLDER, migrate } from '../src/db/migrate.ts';
import { DEMO_ACCOUNTS, DEMO_CATEGORIES, DEMO_DISTRICTS, DEMO_STATIONS, seedDemo } from '../src/db/seed-demo.ts';
import { withDatabase } from './global-setup.ts';
import { build, type TestApp, testConfig } from './helper.ts';

const onPg = inject('testDb') === 'pg';
const journal = JSON.parse(fs.readFileSync(path.join(MIGRATIONS_FOLDER, 'meta/_journal.json'), 'utf8')) as { entries: unknown[] };

let t: TestApp;
const cleanups: (() => Promise<void> | void)[] = [];
beforeAll(async () => {
  t = await build();
});
afterAll(async () => {
  await t.close();
  for (const c of cleanups.reverse()) await c();
});

async function counts(database: Database) {
  const [row] = await database.rows<Record<string, number>>(sql`select
    (select count(*)::int from districts) as districts,
    (select count(*)::int from stations) as stations,
    (select count(*)::int from categories) as categories,
    (select count(*)::int from holidays) as holidays,
    (select count(*)::int from users) as users,
    (select count(*)::int from information_schema.tables where table_schema = 'public') as tables,
    (select count(*)::int from drizzle.__drizzle_migrations) as migrations`);
  return row as Record<string, number>;
}

/** An empty database of the kind under test, and where it lives (a PGlite DATA_DIR or a PostgreSQL URL). */
async function emptyDatabaseLocation(): Promise<{ databaseUrl: string | null; dataDir: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ys-life-'));
  cleanups.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  if (!onPg) return { databaseUrl: null, dataDir };
  const adminUrl = inject('pgAdminUrl');
  const name = `ys_t_${process.ppid}_${process.pid}_life_${Math.floor(Math.random() * 1e6)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  cleanups.push(async () => {
    const a = postgres(adminUrl, { max: 1, onnotice: () => {} });
    await a.unsafe(`drop database if exists ${name} with (force)`);
    await a.end();
  });
  return { databaseUrl: withDatabase(adminUrl, name), dataDir };
}

describe('migrations', () => {
  it('are a no-op on a database that already has them', async () => {
    const before = await counts(t.database);
    expect(before.migrations).toBe(journal.entries.length);
    await migrate(t.database);
    await migrate(t.database);
    expect(await counts(t.database)).toEqual(before);
  });

  // Several instances share one PostgreSQL server and take turns; a PGlite DATA_DIR belongs to one process.
  it(`bring an empty database to the schema${onPg ? ', also when two instances start at once' : ''}`, async () => {
    const database = onPg ? await openDatabase(await emptyDatabaseLocation()) : await openDatabase({ databaseUrl: null, dataDir: '', inMemory: true });
    try {
      if (onPg) await Promise.all([migrate(database), migrate(database)]);
      else await migrate(database);
      await migrate(database);
      const after = await counts(database);
      expect(after).toMatchObject({ migrations: journal.entries.length, users: 0, districts: 0 });
      expect(after.tables).toBeGreaterThanOrEqual(15);
    } finally {
      await database.close();
    }
  });
});

describe('the demo organisation', () => {
  it('is seeded idempotently: a second and third seed change no count', async () => {
    const before = await counts(t.database);
    expect(before).toMatchObject({
      districts: DEMO_DISTRICTS.length,
      stations: DEMO_STATIONS.length,
      categories: DEMO_CATEGORIES.length,
      users: DEMO_ACCOUNTS.length + DEMO_STATIONS.length,
    });
    expect(before.holidays).toBeGreaterThan(20);
    await seedDemo(t.database.db);
    await seedDemo(t.database.db);
    expect(await counts(t.database)).toEqual(before);
  });

  it('never overwrites what an admin changed', async () => {
    const admin = await t.login('admin');
    const found = await t.as(admin, { method: 'GET', url: '/api/admin/stations?q=jy-court' });
    expect(found.statusCode, found.body).toBe(200);
    const st = found.json().items[0];
    await t.as(admin, { method: 'PATCH', url: `/api/admin/stations/${st.id}`, payload: { name: '九原区法院（更名）', active: false } });
    await t.as(admin, { method: 'PATCH', url: '/api/admin/categories/other', payload: { resolveDays: 20 } });
    const me = (await t.as(admin, { method: 'GET', url: '/api/auth/me' })).json();
    await t.as(admin, {
      method: 'POST',
      url: `/api/admin/users/${(await t.as(admin, { method: 'GET', url: '/api/admin/users?q=leader' })).json().items[0].id}/reset-password`,
      payload: { password: 'Fresh#2026' },
    });

    await seedDemo(t.database.db);

    expect((await t.as(admin, { method: 'GET', url: `/api/admin/stations/${st.id}` })).json()).toMatchObject({ name: '九原区法院（更名）', active: false });
    expect((await t.as(admin, { method: 'GET', url: '/api/admin/categories?q=other' })).json().items[0].resolveDays).toBe(20);
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'leader', password: 'Leader@2025' } })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'leader', password: 'Fresh#2026' } })).statusCode).toBe(200);
    expect(me.username).toBe('admin');
  });
});

describe('a restart', () => {
  it(`keeps everything written before it (${onPg ? 'PostgreSQL' : 'PGlite in DATA_DIR'})`, async () => {
    const where = await emptyDatabaseLocation();
    const config = testConfig({ DATA_DIR: where.dataDir, ...(where.databaseUrl ? { DATABASE_URL: where.databaseUrl } : {}) }, where.dataDir);
    expect(config.databaseUrl).toBe(where.databaseUrl);

    const start = async () => {
      const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      await migrate(database);
      await seedDemo(database.db);
      const app = await buildApp({ config, database, logger: false });
      await app.ready();
      return app;
    };

    const first = await start();
    const login = await first.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: 'Admin@2025' } });
    const token = login.json().accessToken;
    const created = await first.inject({
      method: 'POST',
      url: '/api/admin/users',
      headers: { authorization: `Bearer ${token}` },
      payload: { username: 'survivor', name: '重启后仍在', password: 'Start@2025', role: 'leader' },
    });
    expect(created.statusCode, created.body).toBe(201);
    await first.close();
    if (!onPg) expect(fs.existsSync(path.join(where.dataDir, 'pgdata', 'PG_VERSION'))).toBe(true);

    const second = await start();
    try {
      const again = await second.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'survivor', password: 'Start@2025' } });
      expect(again.statusCode, again.body).toBe(200);
      expect(again.json().user).toMatchObject({ username: 'survivor', mustChangePassword: true });
      // The access token of the first run is still good: same secret, same account.
      expect((await second.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(200);
      const c = await counts(second.db);
      expect(c.users).toBe(DEMO_ACCOUNTS.length + DEMO_STATIONS.length + 1);
      expect(c.stations).toBe(DEMO_STATIONS.length);
    } finally {
      await second.close();
    }
  });
});

describe('configuration', () => {
  const prod = { NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(40), SMS_WEBHOOK_URL: 'https://sms.example.cn/send' };

  it.each([
    ['PORT', { PORT: 'abc' }],
    ['PORT', { PORT: '70000' }],
    ['PORT', { PORT: '-1' }],
    ['NODE_ENV', { NODE_ENV: 'staging' }],
    ['JWT_SECRET', { JWT_SECRET: 'too-short' }],
    ['JWT_SECRET', { NODE_ENV: 'production', SMS_WEBHOOK_URL: 'https://sms.example.cn/send' }],
    ['JWT_SECRET_PREVIOUS', { JWT_SECRET_PREVIOUS: 'short' }],
    ['SMS_PROVIDER', { ...prod, SMS_PROVIDER: 'log' }],
    ['SMS_PROVIDER', { SMS_PROVIDER: 'carrier-pigeon' }],
    ['SMS_WEBHOOK_URL', { SMS_PROVIDER: 'webhook' }],
    ['SMS_WEBHOOK_URL', { SMS_PROVIDER: 'webhook', SMS_WEBHOOK_URL: 'not a url' }],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://root@localhost/ys' }],
    ['DATABASE_URL', { DATABASE_URL: 'localhost:5432' }],
    ['DATABASE_POOL_SIZE', { DATABASE_POOL_SIZE: '0' }],
    ['DEMO_DATA', { ...prod, DEMO_DATA: 'true' }],
    ['DEMO_DATA', { DEMO_DATA: 'maybe' }],
    ['PUBLIC_BASE_URL', { PUBLIC_BASE_URL: 'ftp://example.cn' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['UPLOAD_MAX_BYTES', { UPLOAD_MAX_BYTES: '10' }],
    ['ACCESS_TOKEN_TTL_SECONDS', { ACCESS_TOKEN_TTL_SECONDS: '1.5' }],
    ['RATE_LIMITS', { RATE_LIMITS: 'sometimes' }],
    ['SWEEP_INTERVAL_SECONDS', { SWEEP_INTERVAL_SECONDS: '-5' }],
  ])('refuses a bad %s, naming it', (variable, env) => {
    let error: unknown;
    try {
      loadConfig(env as Record<string, string>);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(new RegExp(`^配置错误 ${variable}: `));
  });

  it('has working defaults outside production', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      env: 'development',
      port: 3000,
      databaseUrl: null,
      demoData: true,
      smsProvider: 'log',
      rateLimits: true,
      accessTokenTtlSeconds: 900,
    });
    expect(c.jwtSecret.length).toBeGreaterThanOrEqual(32);
  });

  it('in production creates no demo data and sends SMS through the webhook', () => {
    const c = loadConfig(prod);
    expect(c).toMatchObject({ env: 'production', demoData: false, smsProvider: 'webhook', jwtSecret: prod.JWT_SECRET });
    expect(loadConfig({ ...prod, DEMO_DATA: 'false' }).demoData).toBe(false);
  });

  it('reads only the variables it is given', () => {
    const c = loadConfig({ PORT: '8080', DATABASE_URL: 'postgresql://u@db.internal:5432/ys', DEMO_DATA: 'off', TRUST_PROXY: 'yes' });
    expect(c).toMatchObject({ port: 8080, databaseUrl: 'postgresql://u@db.internal:5432/ys', demoData: false, trustProxy: true });
  });
});

describe('the server process', () => {
  const root = path.resolve(import.meta.dirname, '../../..');
  const serverEntry = path.join(root, 'apps/api/src/server.ts');

  function run(env: Record<string, string>): ChildProcess & { output: () => string } {
    const child = spawn(process.execPath, ['--import', 'tsx', serverEntry], {
      cwd: path.join(root, 'apps/api'),
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
    });
    child.stderr?.on('data', (d) => {
      out += d;
    });
    cleanups.push(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    return Object.assign(child, { output: () => out });
  }

  const exited = (child: ChildProcess) =>
    new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));

  it('stops with exit code 78 and names the variable when the configuration is bad', async () => {
    const child = run({ PORT: 'abc' });
    expect(await exited(child)).toBe(78);
    expect(child.output()).toContain('配置错误 PORT');
  });

  it('starts in production without demo data, answers /readyz, and exits cleanly on SIGTERM', async () => {
    const where = await emptyDatabaseLocation();
    const child = run({
      NODE_ENV: 'production',
      JWT_SECRET: 'production-secret-of-at-least-32-chars',
      SMS_WEBHOOK_URL: 'http://127.0.0.1:9/sms',
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: where.dataDir,
      SWEEP_INTERVAL_SECONDS: '0',
      // A loaded test machine is not an overloaded server.
      PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
      ...(where.databaseUrl ? { DATABASE_URL: where.databaseUrl } : {}),
    });
    const address = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start:\n${child.output()}`)), 50_000);
      const look = () => {
        const m = /listening at (http:\/\/127\.0\.0\.1:\d+)/i.exec(child.output());
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      };
      child.stdout?.on('data', look);
      child.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${child.output()}`)));
    });
    const ready = await fetch(`${address}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', database: onPg ? 'postgres' : 'pglite' });
    const login = await fetch(`${address}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: 'Admin@2025' }),
    });
    expect(login.status).toBe(401);
    expect(login.headers.get('strict-transport-security')).toBeTruthy();

    child.kill('SIGTERM');
    expect(await exited(child)).toBe(0);

    const database = await openDatabase(where);
    try {
      expect(await counts(database)).toMatchObject({ users: 0, stations: 0, districts: DEMO_DISTRICTS.length, categories: DEMO_CATEGORIES.length });
    } finally {
      await database.close();
    }
  });
});

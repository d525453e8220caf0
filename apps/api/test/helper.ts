/** build() gives a test its own app on its own copy of the seeded database; login() signs in a demo user. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import postgres from 'postgres';
import { inject } from 'vitest';
import { buildApp } from '../src/app.ts';
import { type Config, loadConfig } from '../src/config.ts';
import { type Database, openDatabase } from '../src/db/client.ts';
import { DEMO_ACCOUNTS, DEMO_STATIONS } from '../src/db/seed-demo.ts';
import { withDatabase } from './global-setup.ts';

export const DEMO_PASSWORDS: Record<string, string> = Object.fromEntries([
  ...DEMO_ACCOUNTS.map((a) => [a.username, a.password]),
  ...DEMO_STATIONS.map((s) => [s.username, s.password]),
]);

let counter = 0;

/** A fresh copy of the migrated, demo-seeded database. */
export async function freshDatabase(): Promise<{ database: Database; url: string | null; drop: () => Promise<void> }> {
  if (inject('testDb') === 'pglite') {
    const blob = new Blob([fs.readFileSync(inject('pgliteTemplate'))]);
    const database = await openDatabase({ databaseUrl: null, dataDir: '', loadDataDir: blob });
    return { database, url: null, drop: async () => {} };
  }
  const adminUrl = inject('pgAdminUrl');
  const name = `ys_t_${process.ppid}_${process.pid}_${++counter}_${Date.now() % 100000}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  // CREATE DATABASE … TEMPLATE needs the template to have no other sessions: retry briefly if it is busy.
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.unsafe(`create database ${name} template ${inject('pgTemplate')}`);
      break;
    } catch (err) {
      if (attempt > 20) throw err;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
  await admin.end();
  const url = withDatabase(adminUrl, name);
  const database = await openDatabase({ databaseUrl: url, dataDir: '', poolSize: 10 });
  return {
    database,
    url,
    drop: async () => {
      const a = postgres(adminUrl, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

export interface TestApp {
  app: FastifyInstance;
  database: Database;
  config: Config;
  dataDir: string;
  /** Signs in a demo user (or any user with the given password) and returns the bearer token. */
  login(username: string, password?: string): Promise<string>;
  /** app.inject with a bearer token. */
  as(token: string | null, opts: InjectOptions): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export function testConfig(overrides: Record<string, string> = {}, dataDir?: string): Config {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'ys-data-')),
    RATE_LIMITS: 'false',
    SWEEP_INTERVAL_SECONDS: '0',
    // Tests share a loaded machine (and PGlite blocks the loop while it loads): no load shedding unless a test asks.
    PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
    ...overrides,
  });
}

/** A clock a test can move: build(env, clock) makes every rule read it. */
export class TestClock {
  constructor(public at = new Date()) {}
  now = () => new Date(this.at);
  set(iso: string | Date) {
    this.at = new Date(iso);
  }
  advance(ms: number) {
    this.at = new Date(this.at.getTime() + ms);
  }
}

export async function build(env: Record<string, string> = {}, clock?: TestClock): Promise<TestApp> {
  const { database, drop } = await freshDatabase();
  const config = testConfig(env);
  const app = await buildApp({ config, database, ownsDatabase: false, logger: false, now: clock?.now });
  await app.ready();
  const as = (token: string | null, opts: InjectOptions) =>
    app.inject({ ...opts, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(opts.headers ?? {}) } });
  return {
    app,
    database,
    config,
    dataDir: config.dataDir,
    as,
    async login(username, password) {
      const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: password ?? DEMO_PASSWORDS[username] } });
      if (res.statusCode !== 200) throw new Error(`login ${username} failed: ${res.statusCode} ${res.body}`);
      return res.json().accessToken as string;
    },
    async close() {
      await app.close();
      await database.close();
      await drop();
      fs.rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}

/** The refresh cookie a response set, as a Cookie header value. */
export function refreshCookie(res: LightMyRequestResponse): string {
  const c = res.cookies.find((k) => k.name === 'ys_rt');
  if (!c) throw new Error('no refresh cookie');
  return `ys_rt=${c.value}`;
}

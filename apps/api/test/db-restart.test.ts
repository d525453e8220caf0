/**
 * PostgreSQL stopped under a running server: /readyz and requests answer 503 SERVICE_UNAVAILABLE at once
 * (no hang, no crash), and the server recovers by itself when PostgreSQL is back. The test runs its own
 * PostgreSQL instance (initdb into a temp dir, a free port) so that the shared one is never stopped.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, inject, it } from 'vitest';
import { call, freePort, type ServerProcess, startServer } from './server-process.ts';

const BIN = process.env.PG_BIN_DIR ?? '/usr/lib/postgresql/15/bin';
const enabled = inject('testDb') === 'pg' && fs.existsSync(path.join(BIN, 'initdb'));
const asRoot = process.getuid?.() === 0;
const pgDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ys-pg-'));
let port = 0;
let server: ServerProcess | null = null;

/** Runs a PostgreSQL binary, as the postgres OS user when we are root (PostgreSQL refuses root). */
function pg(tool: string, args: string[]) {
  const bin = path.join(BIN, tool);
  if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', bin, ...args], { stdio: 'pipe', cwd: '/tmp' });
  else execFileSync(bin, args, { stdio: 'pipe' });
}
const pgStart = () => pg('pg_ctl', ['-D', pgDir, '-l', path.join(pgDir, 'log'), '-o', `-p ${port} -k /tmp -c listen_addresses=127.0.0.1`, '-w', 'start']);
const pgStop = () => pg('pg_ctl', ['-D', pgDir, '-m', 'immediate', '-w', 'stop']);

afterAll(async () => {
  await server?.stop('SIGKILL');
  if (enabled && fs.existsSync(path.join(pgDir, 'postmaster.pid'))) {
    try {
      pgStop();
    } catch {
      /* already stopped */
    }
  }
  fs.rmSync(pgDir, { recursive: true, force: true });
});

it.skipIf(!enabled)('answers 503 while PostgreSQL is down and recovers by itself when it is back', { timeout: 240_000 }, async () => {
  if (asRoot) execFileSync('chown', ['postgres:postgres', pgDir]);
  pg('initdb', ['-D', pgDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  port = await freePort();
  pgStart();
  server = await startServer({ DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/postgres`, DATABASE_POOL_SIZE: '4' });
  const { baseUrl } = server;
  const login = await call(baseUrl, 'POST', '/api/auth/login', { json: { username: 'center', password: 'Center@2025' } });
  expect(login.status).toBe(200);
  const token = login.json.accessToken as string;
  expect((await call(baseUrl, 'GET', '/api/tickets', { token })).status).toBe(200);

  pgStop();
  const down = await Promise.all([
    call(baseUrl, 'GET', '/readyz'),
    call(baseUrl, 'GET', '/api/public/entry/jy-court'),
    call(baseUrl, 'GET', '/api/tickets', { token }),
    call(baseUrl, 'POST', '/api/auth/login', { json: { username: 'center', password: 'Center@2025' } }),
  ]);
  for (const res of down) {
    expect(res.status, res.text).toBe(503);
    expect(res.json.error?.code).toBe('SERVICE_UNAVAILABLE');
  }
  expect(down[1]?.headers.get('retry-after')).toBeTruthy();
  // and again, now that every pooled connection is known dead
  expect((await call(baseUrl, 'GET', '/api/tickets', { token })).status).toBe(503);
  expect(server.child.exitCode).toBeNull();
  expect((await call(baseUrl, 'GET', '/healthz')).status).toBe(200);

  pgStart();
  let ready = 0;
  for (let i = 0; i < 100 && ready !== 200; i++) {
    ready = (await call(baseUrl, 'GET', '/readyz')).status;
    if (ready !== 200) await new Promise((r) => setTimeout(r, 300));
  }
  expect(ready).toBe(200);
  expect((await call(baseUrl, 'GET', '/api/tickets', { token })).status).toBe(200);
  expect((await call(baseUrl, 'GET', '/api/public/entry/jy-court')).status).toBe(200);
  expect((await call(baseUrl, 'POST', '/api/auth/login', { json: { username: 'center', password: 'Center@2025' } })).status).toBe(200);
  expect(server.child.exitCode).toBeNull();
});

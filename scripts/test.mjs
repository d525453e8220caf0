#!/usr/bin/env node
/**
 * Every test layer, in order: unit + API on PGlite; API on PostgreSQL when reachable; the browser tests
 * in Chromium when it is installed. REQUIRE_PG=1 / REQUIRE_E2E=1 turn a missing layer into a failure.
 * Extra arguments go to vitest (e.g. `pnpm test apps/api/test/auth.test.ts`).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const pgUrl = new URL(process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const started = Date.now();
const summary = [];

function banner(text) {
  const line = '!'.repeat(78);
  console.error(`\n${line}\n!! ${text}\n${line}\n`);
}

function vitest(label, projects, env = {}) {
  const t0 = Date.now();
  const projectArgs = projects.flatMap((p) => ['--project', p]);
  const res = spawnSync(process.execPath, [path.join(root, 'node_modules/vitest/vitest.mjs'), 'run', ...projectArgs, ...args], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  summary.push(`${res.status === 0 ? 'PASS' : 'FAIL'}  ${label} (${seconds} s)`);
  return res.status === 0;
}

function reachable(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: Number(port) });
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

let ok = true;
// The server serves the built front ends; the API tests check those shells and the browser tests use them.
// `pnpm build` also bundles the API (apps/api/dist), as `pnpm start` runs it.
const t0 = Date.now();
const build = spawnSync('pnpm', ['build'], { cwd: root, stdio: 'inherit' });
summary.push(`${build.status === 0 ? 'PASS' : 'FAIL'}  build: front ends and API (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
ok = build.status === 0 && ok;
ok = vitest('unit + API on PGlite', ['unit', 'admin', 'h5', 'api'], { TEST_DB: 'pglite' }) && ok;

if (await reachable(pgUrl.hostname, pgUrl.port || 5432)) {
  ok = vitest(`API on PostgreSQL (${pgUrl.host})`, ['api'], { TEST_DB: 'pg' }) && ok;
} else if (process.env.REQUIRE_PG === '1') {
  banner(`PostgreSQL at ${pgUrl.host} is not reachable and REQUIRE_PG=1: failing.`);
  summary.push('FAIL  API on PostgreSQL (unreachable)');
  ok = false;
} else {
  banner(`PostgreSQL at ${pgUrl.host} is not reachable: the PostgreSQL layer was NOT run.`);
  summary.push('SKIP  API on PostgreSQL (unreachable)');
}

if (fs.existsSync(chromium)) {
  ok = vitest('browser tests in Chromium', ['e2e'], { CHROMIUM_PATH: chromium }) && ok;
} else if (process.env.REQUIRE_E2E === '1') {
  banner(`Chromium not found at ${chromium} and REQUIRE_E2E=1: failing.`);
  summary.push('FAIL  browser tests (no Chromium)');
  ok = false;
} else {
  banner(`Chromium not found at ${chromium}: the browser tests were NOT run (apt-get install -y chromium).`);
  summary.push('SKIP  browser tests (no Chromium)');
}

console.log(`\nTest layers (${((Date.now() - started) / 1000).toFixed(0)} s):\n  ${summary.join('\n  ')}`);
process.exit(ok ? 0 : 1);

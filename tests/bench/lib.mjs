/** Helpers of the benchmark runner: child servers, readiness, RSS sampling, autocannon, machine load. */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';

export const root = path.resolve(import.meta.dirname, '../..');
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resident set size of a process in MB (0 when it is gone). */
export function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : 0;
  } catch {
    return 0;
  }
}

const TICK_MS = 1000 / 100; // USER_HZ: /proc reports CPU time in hundredths of a second on Linux

/** CPU milliseconds (user + system) a process has used so far (0 when it is gone). */
function cpuMsOf(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/** CPU milliseconds used so far by every PostgreSQL process of the machine (the server and its backends). */
function postgresCpuMs() {
  let total = 0;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'postgres') total += cpuMsOf(entry);
    } catch {
      /* gone meanwhile */
    }
  }
  return total;
}

export const load1 = () => Math.round(os.loadavg()[0] * 100) / 100;

/** Waits (up to maxWaitMs) for the 1-minute load to fall below `threshold`; answers the load it starts with. */
export async function waitForQuiet(threshold, maxWaitMs) {
  const until = Date.now() + maxWaitMs;
  while (load1() > threshold && Date.now() < until) await sleep(2000);
  return load1();
}

export async function waitReady(url, timeoutMs = 60_000, intervalMs = 20) {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    try {
      const res = await fetch(url);
      if (res.ok) return performance.now() - t0;
    } catch {
      /* not listening yet */
    }
    await sleep(intervalMs);
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms`);
}

/** Starts `node args…` with env; answers { pid, url, stop, spawnedAt, log }. */
export function startNode(args, { env, port, cwd = root, logFile }) {
  const out = fs.openSync(logFile, 'a');
  const spawnedAt = performance.now();
  const proc = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', out, out] });
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  return {
    pid: proc.pid,
    url: `http://127.0.0.1:${port}`,
    spawnedAt,
    async stop() {
      if (proc.exitCode === null) proc.kill('SIGTERM');
      await Promise.race([exited, sleep(8000).then(() => proc.kill('SIGKILL'))]);
      fs.closeSync(out);
    },
  };
}

/**
 * The API server, started as production starts it: the built apps/api/dist/server.js, (re)built here first.
 * BENCH_API_ROOT runs another checkout of the product (a before/after comparison) on the same data; one from
 * before the API had a build runs its TypeScript through tsx.
 */
const apiRoot = process.env.BENCH_API_ROOT ?? root;
const apiBuild = path.join(apiRoot, 'apps/api/scripts/build.mjs');
function builtApi() {
  const res = spawnSync(process.execPath, [apiBuild], { cwd: path.join(apiRoot, 'apps/api'), stdio: 'inherit' });
  if (res.status !== 0) throw new Error(`building the API (${apiBuild}) failed`);
  return [path.join(apiRoot, 'apps/api/dist/server.js')];
}
export const apiArgs = fs.existsSync(apiBuild) ? builtApi() : ['--import', 'tsx', path.join(apiRoot, 'apps/api/src/server.ts')];

/**
 * One autocannon run against `url` (opts as autocannon's), sampling the server's RSS. Answers
 * { rps, p50, p99, avg, requests, non2xx, errors, rssMb, load }.
 */
export async function measure(opts, serverPid) {
  let peak = rssMb(serverPid);
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMb(serverPid));
  }, 200);
  const loadBefore = load1();
  const cpuBefore = { server: cpuMsOf(serverPid), db: postgresCpuMs() };
  const { path: p, ...rest } = opts;
  const result = await autocannon({ connections: 50, duration: 10, ...rest, url: p ? rest.url + p : rest.url });
  clearInterval(sampler);
  // Where each request's CPU went: the server process, and PostgreSQL (a PGlite server's database is inside it).
  const perRequest = (ms) => (result.requests.total ? Math.round((ms / result.requests.total) * 100) / 100 : null);
  return {
    serverCpuMs: perRequest(cpuMsOf(serverPid) - cpuBefore.server),
    dbCpuMs: perRequest(postgresCpuMs() - cpuBefore.db),
    rps: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    avg: Math.round(result.latency.average * 10) / 10,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    rssMb: peak,
    load: Math.max(loadBefore, load1()),
  };
}

export async function json(base, method, p, { token, body } = {}) {
  const res = await fetch(base + p, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p} → ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

export async function staffToken(base, username, password) {
  return (await json(base, 'POST', '/api/auth/login', { body: { username, password } })).accessToken;
}

/** A fresh phone each time: the one-a-minute, ten-a-day SMS rule applies whatever RATE_LIMITS says. */
export async function enterpriseToken(base) {
  const phone = `139${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  const { devCode } = await json(base, 'POST', '/api/public/otp', { body: { phone } });
  return (await json(base, 'POST', '/api/public/session', { body: { phone, code: devCode, channel: 'qr' } })).token;
}

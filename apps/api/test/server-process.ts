/**
 * The real server as a child process (node --import tsx src/server.ts) on a free port, for the tests that
 * kill it, stop its database under it, or back up its data.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import postgres from 'postgres';
import { inject } from 'vitest';

const API_DIR = path.resolve(import.meta.dirname, '..');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** DATA_DIR/pgdata unpacked from the run's migrated, demo-seeded PGlite template (no initdb at start). */
export async function seededDataDir(dataDir: string): Promise<void> {
  const pgdata = path.join(dataDir, 'pgdata');
  fs.mkdirSync(pgdata, { recursive: true });
  execFileSync('tar', ['xzf', inject('pgliteTemplate'), '-C', pgdata], { stdio: 'ignore' });
}

/** A new PostgreSQL database copied from the run's template. */
export async function databaseFromTemplate(name: string): Promise<void> {
  const admin = postgres(inject('pgAdminUrl'), { max: 1, onnotice: () => {} });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await admin.unsafe(`create database ${name} template ${inject('pgTemplate')}`);
        return;
      } catch (err) {
        if (attempt > 50) throw err;
        await new Promise((r) => setTimeout(r, 100 + Math.random() * 300));
      }
    }
  } finally {
    await admin.end();
  }
}

export interface ServerProcess {
  baseUrl: string;
  child: ChildProcess;
  logs: string[];
  /** SIGTERM and wait (or SIGKILL: the process dies at once, mid-request). */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function startServer(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(API_DIR, 'src/server.ts')], {
    cwd: API_DIR,
    env: {
      ...process.env,
      NODE_ENV: 'development',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_BASE_URL: baseUrl,
      RATE_LIMITS: 'false',
      LOG_LEVEL: 'warn',
      SWEEP_INTERVAL_SECONDS: '0',
      DATABASE_URL: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  child.stdout?.on('data', (d) => logs.push(String(d)));
  child.stderr?.on('data', (d) => logs.push(String(d)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited: ${logs.join('')}`);
    try {
      if ((await fetch(`${baseUrl}/readyz`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not become ready: ${logs.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    baseUrl,
    child,
    logs,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** fetch + JSON with a bearer token; never throws for an HTTP status. */
export async function call(
  baseUrl: string,
  method: string,
  url: string,
  opts: { token?: string; json?: unknown; body?: BodyInit; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body = opts.body;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  }
  const res = await fetch(`${baseUrl}${url}`, { method, headers, body, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: res.status, json: json as Record<string, unknown> & { error?: { code: string } }, text, headers: res.headers };
}

/** A multipart body with one file, as FormData. */
export function fileForm(name: string, bytes: Buffer, type = 'image/png'): FormData {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)], { type }), name);
  return form;
}

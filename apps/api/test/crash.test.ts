/**
 * Crash safety: the real server is killed with SIGKILL while businesses are filing, and restarted on the
 * same data. Every ticket that was answered 201 is there, with its events and attachment bytes, and no
 * ticket number is handed out twice. PGlite under TEST_DB=pglite, PostgreSQL under TEST_DB=pg.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, expect, inject, it } from 'vitest';
import { PNG } from './files.ts';
import { uscc } from './fixtures.ts';
import { withDatabase } from './global-setup.ts';
import { call, databaseFromTemplate, fileForm, type ServerProcess, seededDataDir, startServer } from './server-process.ts';

const kind = inject('testDb');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ys-crash-'));
const dbName = `ys_crash_${process.pid}_${Date.now() % 100000}`;
let server: ServerProcess | null = null;

afterAll(async () => {
  await server?.stop('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (kind === 'pg') {
    const admin = postgres(inject('pgAdminUrl'), { max: 1, onnotice: () => {} });
    await admin.unsafe(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  }
});

/** A data dir or database already migrated and seeded (from the run's template): the server starts fast. */
async function databaseEnv(): Promise<Record<string, string>> {
  if (kind !== 'pg') {
    await seededDataDir(dataDir);
    return { DATA_DIR: dataDir };
  }
  await databaseFromTemplate(dbName);
  return { DATA_DIR: dataDir, DATABASE_URL: withDatabase(inject('pgAdminUrl'), dbName) };
}

interface Acknowledged {
  no: string;
  token: string;
  attachmentId: string;
}

const WORKERS = 6;
const KILL_AFTER = 24;

async function signIn(baseUrl: string, worker: number): Promise<string> {
  const phone = `137${String(process.pid % 10000).padStart(4, '0')}${String(worker).padStart(4, '0')}`;
  const otp = await call(baseUrl, 'POST', '/api/public/otp', { json: { phone } });
  expect(otp.status, otp.text).toBe(200);
  const session = await call(baseUrl, 'POST', '/api/public/session', { json: { phone, code: otp.json.devCode } });
  expect(session.status, session.text).toBe(200);
  return session.json.token as string;
}

async function fileOne(baseUrl: string, token: string, n: number): Promise<Acknowledged | null> {
  const up = await call(baseUrl, 'POST', '/api/public/uploads', { token, body: fileForm(`现场照片${n}.png`, PNG) });
  if (up.status !== 201) return null;
  const attachmentId = up.json.id as string;
  const res = await call(baseUrl, 'POST', '/api/public/tickets', {
    token,
    json: {
      stationCode: 'jy-court',
      districtCode: '150207',
      categoryCode: 'case_progress',
      enterpriseName: `包头市优商测试${n}有限公司`,
      uscc: uscc(),
      contactName: '张经理',
      title: `案件进度查询 ${n}`,
      content: `第 ${n} 件：想了解案件审理进度。`,
      attachmentIds: [attachmentId],
      consent: true,
    },
  });
  return res.status === 201 ? { no: res.json.no as string, token, attachmentId } : null;
}

it(`keeps every acknowledged ticket through a SIGKILL mid-load and never reuses a number (${kind})`, { timeout: 240_000 }, async () => {
  const env = await databaseEnv();
  server = await startServer(env);
  const first = server;
  const tokens = await Promise.all(Array.from({ length: WORKERS }, (_, w) => signIn(first.baseUrl, w)));

  const acknowledged: Acknowledged[] = [];
  let attempted = 0;
  let killed = false;
  const worker = async (token: string) => {
    while (!killed) {
      const n = ++attempted;
      try {
        const ack = await fileOne(first.baseUrl, token, n);
        if (ack) acknowledged.push(ack);
      } catch {
        return; // the connection died with the process
      }
      if (acknowledged.length >= KILL_AFTER && !killed) {
        killed = true;
        first.child.kill('SIGKILL'); // while the other workers' requests are in flight
      }
    }
  };
  await Promise.all(tokens.map(worker));
  await first.stop('SIGKILL');
  expect(first.child.signalCode).toBe('SIGKILL');

  server = await startServer(env);
  const { baseUrl } = server;
  let found = 0;
  for (const ack of acknowledged) {
    const res = await call(baseUrl, 'GET', `/api/public/tickets/${ack.no}`, { token: ack.token });
    expect(res.status, `${ack.no}: ${res.text}`).toBe(200);
    const events = res.json.events as { type: string }[];
    expect(events.map((e) => e.type)).toContain('submitted');
    const files = res.json.attachments as { id: string }[];
    expect(files.map((f) => f.id)).toContain(ack.attachmentId);
    const bytes = await fetch(`${baseUrl}/api/public/attachments/${ack.attachmentId}`, { headers: { authorization: `Bearer ${ack.token}` } });
    expect(bytes.status).toBe(200);
    expect(Buffer.from(await bytes.arrayBuffer()).equals(PNG)).toBe(true);
    found++;
  }

  // Numbers after the restart continue the sequence: none handed out before is given again.
  const before = new Set(acknowledged.map((a) => a.no));
  const after: string[] = [];
  for (let i = 0; i < 3; i++) {
    const ack = await fileOne(baseUrl, tokens[i] as string, 10_000 + i);
    expect(ack).not.toBeNull();
    after.push((ack as Acknowledged).no);
  }
  for (const no of after) expect(before.has(no)).toBe(false);
  const center = await call(baseUrl, 'POST', '/api/auth/login', { json: { username: 'center', password: 'Center@2025' } });
  const all: string[] = [];
  for (let page = 1; ; page++) {
    const list = await call(baseUrl, 'GET', `/api/tickets?view=all&pageSize=100&page=${page}`, { token: center.json.accessToken as string });
    const items = list.json.items as { no: string }[];
    all.push(...items.map((t) => t.no));
    if (items.length < 100) break;
  }
  expect(new Set(all).size).toBe(all.length);
  for (const no of [...before, ...after]) expect(all).toContain(no);

  console.log(
    `crash safety (${kind}): ${attempted} submits attempted, ${acknowledged.length} answered 201 before SIGKILL, ${found} found intact after restart; ${all.length} tickets in all, numbers unique`,
  );
  await server.stop();
  server = null;
});

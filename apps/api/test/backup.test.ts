/**
 * Backup and restore through the documented command (`pnpm backup` / `pnpm restore`, i.e.
 * src/cli/backup.ts): a dump of a database with tickets and attachments, restored into a fresh
 * instance, has every ticket, event and attachment byte. PGlite under TEST_DB=pglite, PostgreSQL under pg.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import postgres from 'postgres';
import { afterAll, expect, inject, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { openDatabase } from '../src/db/client.ts';
import { multipart, PNG } from './files.ts';
import { newPhone, ticketBody } from './fixtures.ts';
import { withDatabase } from './global-setup.ts';
import { testConfig } from './helper.ts';
import { databaseFromTemplate, seededDataDir } from './server-process.ts';

const kind = inject('testDb');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ys-backup-test-'));
const source = path.join(root, 'source');
const target = path.join(root, 'target');
const archive = path.join(root, 'backups', 'ys.tar');
const stamp = `${process.pid}_${Date.now() % 100000}`;
const sourceDb = `ys_bk_src_${stamp}`;
const targetDb = `ys_bk_dst_${stamp}`;
const urlOf = (name: string) => withDatabase(inject('pgAdminUrl'), name);

afterAll(async () => {
  fs.rmSync(root, { recursive: true, force: true });
  if (kind === 'pg') {
    const admin = postgres(inject('pgAdminUrl'), { max: 1, onnotice: () => {} });
    for (const name of [sourceDb, targetDb]) await admin.unsafe(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
});

function cli(command: 'backup' | 'restore', args: string[], env: Record<string, string>) {
  const res = spawnSync(process.execPath, ['--import', 'tsx', path.resolve(import.meta.dirname, '../src/cli/backup.ts'), command, ...args], {
    cwd: path.resolve(import.meta.dirname, '..'),
    env: { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'silent', DATABASE_URL: '', ...env },
    encoding: 'utf8',
  });
  return { status: res.status, output: `${res.stdout}${res.stderr}` };
}

async function withApp<T>(dataDir: string, databaseUrl: string | null, use: (app: FastifyInstance) => Promise<T>): Promise<T> {
  const database = await openDatabase({ databaseUrl, dataDir, poolSize: 2 });
  const app = await buildApp({ config: testConfig({}, dataDir), database, ownsDatabase: true, logger: false });
  try {
    return await use(app);
  } finally {
    await app.close();
  }
}

interface Filed {
  no: string;
  token: string;
  attachmentId: string;
  bytes: Buffer;
}

it(`restores a backup into a fresh instance with every ticket and attachment (${kind})`, { timeout: 180_000 }, async () => {
  let sourceEnv: Record<string, string> = { DATA_DIR: source };
  let targetEnv: Record<string, string> = { DATA_DIR: target };
  if (kind === 'pg') {
    await databaseFromTemplate(sourceDb);
    const admin = postgres(inject('pgAdminUrl'), { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${targetDb}`);
    await admin.end();
    sourceEnv = { ...sourceEnv, DATABASE_URL: urlOf(sourceDb) };
    targetEnv = { ...targetEnv, DATABASE_URL: urlOf(targetDb) };
  } else {
    await seededDataDir(source);
  }

  const filed: Filed[] = await withApp(source, sourceEnv.DATABASE_URL ?? null, async (app) => {
    const out: Filed[] = [];
    for (let i = 0; i < 4; i++) {
      const phone = newPhone();
      const otp = await app.inject({ method: 'POST', url: '/api/public/otp', payload: { phone } });
      const token = (await app.inject({ method: 'POST', url: '/api/public/session', payload: { phone, code: otp.json().devCode } })).json().token;
      const auth = { authorization: `Bearer ${token}` };
      const bytes = Buffer.concat([PNG.subarray(0, 33), Buffer.from([0, 0, 0, 1, 0x74, 0x45, 0x58, 0x74, 0x30 + i, 0, 0, 0, 0]), PNG.subarray(33)]);
      const up = await app.inject({
        method: 'POST',
        url: '/api/public/uploads',
        ...multipart(`现场${i}.png`, bytes),
        headers: { ...multipart('x', bytes).headers, ...auth },
      });
      expect(up.statusCode, up.body).toBe(201);
      const res = await app.inject({
        method: 'POST',
        url: '/api/public/tickets',
        headers: auth,
        payload: ticketBody({ title: `备份测试 ${i}`, attachmentIds: [up.json().id] }),
      });
      expect(res.statusCode, res.body).toBe(201);
      out.push({ no: res.json().no, token, attachmentId: up.json().id, bytes });
    }
    return out;
  });

  const made = cli('backup', ['--out', archive], sourceEnv);
  expect(made.status, made.output).toBe(0);
  expect(made.output).toContain('备份完成');
  expect(fs.statSync(archive).size).toBeGreaterThan(0);

  const restored = cli('restore', ['--in', archive], targetEnv);
  expect(restored.status, restored.output).toBe(0);
  expect(restored.output).toContain('恢复完成');
  // a second restore onto the restored data is refused unless forced
  const again = cli('restore', ['--in', archive], targetEnv);
  expect(again.status).not.toBe(0);
  expect(again.output).toContain('--force');

  await withApp(target, targetEnv.DATABASE_URL ?? null, async (app) => {
    for (const f of filed) {
      const auth = { authorization: `Bearer ${f.token}` };
      const ticket = await app.inject({ method: 'GET', url: `/api/public/tickets/${f.no}`, headers: auth });
      expect(ticket.statusCode, ticket.body).toBe(200);
      expect(ticket.json().events.map((e: { type: string }) => e.type)).toContain('submitted');
      expect(ticket.json().attachments.map((a: { id: string }) => a.id)).toEqual([f.attachmentId]);
      const file = await app.inject({ method: 'GET', url: `/api/public/attachments/${f.attachmentId}`, headers: auth });
      expect(file.statusCode).toBe(200);
      expect(file.rawPayload.equals(f.bytes)).toBe(true);
    }
    // the restored instance goes on working: the next number follows the restored ones
    const phone = newPhone();
    const otp = await app.inject({ method: 'POST', url: '/api/public/otp', payload: { phone } });
    const token = (await app.inject({ method: 'POST', url: '/api/public/session', payload: { phone, code: otp.json().devCode } })).json().token;
    const next = await app.inject({ method: 'POST', url: '/api/public/tickets', headers: { authorization: `Bearer ${token}` }, payload: ticketBody() });
    expect(next.statusCode).toBe(201);
    expect(filed.map((f) => f.no)).not.toContain(next.json().no);
  });
  console.log(`backup and restore (${kind}): ${filed.length} tickets and ${filed.length} attachments restored intact`);
});

/**
 * Builds one migrated, demo-seeded database per run, which every test file copies: a PGlite data-dir
 * dump (TEST_DB=pglite) or a PostgreSQL template database (TEST_DB=pg).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { seedDemo } from '../src/db/seed-demo.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    testDb: 'pglite' | 'pg';
    pgliteTemplate: string;
    pgAdminUrl: string;
    pgTemplate: string;
  }
}

export function pgAdminUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export default async function setup(project: TestProject) {
  const kind = process.env.TEST_DB === 'pg' ? 'pg' : 'pglite';
  project.provide('testDb', kind);
  if (kind === 'pglite') {
    const database = await openDatabase({ databaseUrl: null, dataDir: '', inMemory: true });
    await migrate(database);
    await seedDemo(database.db);
    const dump = await database.pglite!.dumpDataDir('gzip');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ys-tpl-')), 'template.tar.gz');
    fs.writeFileSync(file, Buffer.from(await dump.arrayBuffer()));
    await database.close();
    project.provide('pgliteTemplate', file);
    project.provide('pgAdminUrl', '');
    project.provide('pgTemplate', '');
    return () => fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
  const adminUrl = pgAdminUrl();
  const template = `ys_tpl_${process.pid}`;
  const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await sql.unsafe(`drop database if exists ${template}`);
  await sql.unsafe(`create database ${template}`);
  const database = await openDatabase({ databaseUrl: withDatabase(adminUrl, template), dataDir: '', poolSize: 2 });
  await migrate(database);
  await seedDemo(database.db);
  await database.close();
  project.provide('pgliteTemplate', '');
  project.provide('pgAdminUrl', adminUrl);
  project.provide('pgTemplate', template);
  return async () => {
    // Leftover per-file databases of this run, then the template.
    const rows = await sql<{ datname: string }[]>`select datname from pg_database where datname like ${`ys_t_${process.pid}_%`} or datname = ${template}`;
    for (const r of rows) await sql.unsafe(`drop database if exists ${r.datname} with (force)`);
    await sql.end();
  };
}

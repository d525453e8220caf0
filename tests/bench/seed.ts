/**
 * Fills a benchmark database with the history of history.ts:
 *   node --import tsx tests/bench/seed.ts --pg postgres://postgres@127.0.0.1:5432/ys_bench --tickets 1000000
 *   node --import tsx tests/bench/seed.ts --pglite /tmp/ys-bench-pglite --tickets 100000
 * The PostgreSQL database is dropped and created anew; the PGlite data dir is emptied first. Both are
 * migrated with the app's migrate() and get the reference data of seedDemo() before the history.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { openDatabase } from '../../apps/api/src/db/client.ts';
import { migrate } from '../../apps/api/src/db/migrate.ts';
import { seedDemo } from '../../apps/api/src/db/seed-demo.ts';
import { hashPassword } from '../../apps/api/src/lib/crypto.ts';
import {
  BENCH_PASSWORD,
  dropIndexes,
  planTickets,
  restoreIndexes,
  type Sql,
  seedOrganisation,
  writeAttachments,
  writeEvents,
  writeTickets,
} from './history.ts';

const { values } = parseArgs({ options: { pg: { type: 'string' }, pglite: { type: 'string' }, tickets: { type: 'string', default: '1000000' } } });
const count = Number(values.tickets);
const now = new Date();
const t0 = performance.now();
const timings: Record<string, number> = {};

async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const s = performance.now();
  const out = await fn();
  timings[name] = Math.round(performance.now() - s);
  console.log(`  ${name.padEnd(24)} ${(timings[name] / 1000).toFixed(1).padStart(6)} s`);
  return out;
}

async function seedWith(db: Sql) {
  await step('organisation', async () => seedOrganisation(db, await hashPassword(BENCH_PASSWORD)));
  const defs = await step('drop indexes', () => dropIndexes(db));
  await step('plan', () => planTickets(db, count, now));
  await step('tickets', () => writeTickets(db, now));
  await step('events', () => writeEvents(db, now));
  await step('files', () => writeAttachments(db));
  await step('indexes', () => restoreIndexes(db, defs));
  // loaded with triggers off: the figures' rollup (drizzle/0003) is summed up from the tickets once
  await step('figures rollup', () => db.exec('select ticket_stats_rebuild()'));
  await step('vacuum analyze', () => db.exec('vacuum analyze'));
  const [c] = await db.query<{ tickets: number; events: number; files: number }>(
    'select (select count(*) from tickets)::int as tickets, (select count(*) from ticket_events)::int as events, (select count(*) from attachments)::int as files',
  );
  return c!;
}

if (values.pg) {
  const url = new URL(values.pg);
  const name = url.pathname.slice(1);
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`database name ${name}?`);
  const admin = postgres({ host: url.hostname, port: Number(url.port || 5432), user: url.username || 'postgres', database: 'postgres', onnotice: () => {} });
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  console.log(`seeding ${count} tickets into ${values.pg}`);
  await step('migrate+reference', async () => {
    const database = await openDatabase({ databaseUrl: values.pg!, dataDir: '/nonexistent', poolSize: 2 });
    await migrate(database);
    await seedDemo(database.db);
    await database.close();
  });
  const client = postgres(values.pg, { max: 1, onnotice: () => {} });
  await client.unsafe(
    `set synchronous_commit = off; set temp_buffers = '1GB'; set work_mem = '1GB'; set maintenance_work_mem = '512MB'; set session_replication_role = replica; set max_parallel_maintenance_workers = 2`,
  );
  const result = await seedWith({
    exec: async (text) => {
      await client.unsafe(text);
    },
    query: async <T>(text: string) => (await client.unsafe(text)) as unknown as T[],
  });
  const [size] = await client.unsafe(`select pg_size_pretty(pg_database_size(current_database())) as size`);
  await client.end();
  console.log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s:`, result, size);
  console.log(JSON.stringify({ seed: { ...result, ms: Math.round(performance.now() - t0), timings, size: size?.size } }));
} else if (values.pglite) {
  const dir = path.resolve(values.pglite);
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(`seeding ${count} tickets into PGlite ${dir}`);
  const database = await openDatabase({ databaseUrl: null, dataDir: dir });
  await step('migrate+reference', async () => {
    await migrate(database);
    await seedDemo(database.db);
  });
  const pg = database.pglite!;
  await pg.exec(`set work_mem = '64MB'; set maintenance_work_mem = '256MB'; set session_replication_role = replica`);
  const result = await seedWith({
    exec: async (text) => {
      await pg.exec(text);
    },
    query: async <T>(text: string) => (await pg.query<T>(text)).rows,
  });
  await pg.exec('checkpoint');
  await database.close();
  console.log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s:`, result);
  console.log(JSON.stringify({ seed: { ...result, ms: Math.round(performance.now() - t0), timings } }));
} else {
  console.error('usage: seed.ts --pg URL | --pglite DIR [--tickets N]');
  process.exit(2);
}

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
  dropPlan,
  type IndexDef,
  planTickets,
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

/** Times a step; steps under one name (the index builds) add up, so with two connections a figure can exceed the time it spans. */
async function step<T>(name: string, fn: () => Promise<T>, label = name): Promise<T> {
  const s = performance.now();
  const out = await fn();
  const ms = performance.now() - s;
  timings[name] = Math.round((timings[name] ?? 0) + ms);
  console.log(`  ${label.padEnd(48)} ${(ms / 1000).toFixed(1).padStart(6)} s  (at ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  return out;
}

type Job = (db: Sql) => Promise<unknown>;

/** Runs the jobs of `queue`, taking each off it in turn: connections working on one queue share it out. */
async function drain(db: Sql, queue: Job[]) {
  for (let job = queue.shift(); job; job = queue.shift()) await job(db);
}

/**
 * The history on one connection (PGlite: one step after the other) or two (PostgreSQL): one writes the tickets
 * while the other writes the events; whichever is free then takes the next of what can follow (the rollup, the
 * attachment rows, the stations' histories, the index builds); then the keys, and each connection checks and
 * vacuums half of the database.
 */
async function seedWith(dbs: [Sql] | [Sql, Sql]) {
  const [a, b = a] = dbs;
  await step('organisation', async () => seedOrganisation(a, await hashPassword(BENCH_PASSWORD)));
  const dropped = await step('drop indexes', () => dropIndexes(a));
  await step('plan', () => planTickets(dbs, count, now));

  const build =
    (d: IndexDef): Job =>
    (db) =>
      step('indexes', () => db.exec(d.build), `index ${d.name}`);
  // the primary keys last: one narrow key each, they build fastest, so the connections finish close together
  const of = (table: string) =>
    dropped.indexes
      .filter((d) => d.table === table)
      .sort((x, y) => Number(!!x.constraint) - Number(!!y.constraint))
      .map(build);
  const afterTickets: Job[] = [
    // loaded with triggers off: the figures' rollup (drizzle/0003) is summed up from the tickets once
    (db) => step('figures rollup', () => db.exec('select ticket_stats_rebuild()')),
    ...of('tickets'),
  ];
  // a table is vacuumed as soon as it is written: the one pass sets what every later reader would otherwise set
  // and write back (hint bits, all-visible), so index builds read clean pages and the last vacuum has little to do;
  // the events' vacuum is a job of its own, so that the other connection can read the events meanwhile
  const afterEvents: Job[] = [
    (db) => step('vacuum events', () => db.exec('vacuum ticket_events')),
    (db) => step('files', () => writeAttachments(db)),
    // loaded with triggers off: the stations' histories (drizzle/0004) are gathered from the events once
    (db) => step('station histories', () => db.exec('select station_tickets_rebuild()')),
    ...of('ticket_events'),
    ...of('attachments'),
    ...of('station_tickets'),
  ];
  const tickets = () =>
    step('tickets', async () => {
      await writeTickets(a, now);
      await a.exec('vacuum tickets');
    });
  const events = () => step('events', () => writeEvents(b, now));
  if (dbs.length > 1) {
    const ticketsDone = tickets();
    const eventsDone = events();
    await Promise.all([
      ticketsDone.then(() => drain(a, afterTickets)).then(() => eventsDone.then(() => drain(a, afterEvents))),
      eventsDone.then(() => drain(b, afterEvents)).then(() => ticketsDone.then(() => drain(b, afterTickets))),
    ]);
  } else {
    await tickets();
    await drain(a, afterTickets);
    await events();
    await drain(a, afterEvents);
  }
  await step('keys', async () => {
    for (const d of dropped.indexes) if (d.constraint) await a.exec(d.constraint);
    for (const fk of dropped.foreignKeys) await a.exec(fk.add);
  });
  await dropPlan(a);
  // every table checked and vacuumed: the events on one connection, all the others on the other
  const [others] = await a.query<{ list: string }>(
    `select string_agg(format('%I.%I', n.nspname, c.relname), ', ') as list from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind in ('r', 'm') and c.relpersistence <> 't' and c.oid <> 'ticket_events'::regclass`,
  );
  const check = async (db: Sql, events: boolean) => {
    for (const fk of dropped.foreignKeys)
      if ((fk.table === 'ticket_events') === events) await step('foreign keys', () => db.exec(fk.validate), `foreign key of ${fk.table}`);
    await step(
      'vacuum analyze',
      () => db.exec(`vacuum analyze ${events ? 'ticket_events' : others!.list}`),
      `vacuum analyze (${events ? 'events' : 'the rest'})`,
    );
  };
  if (dbs.length > 1) await Promise.all([check(b, true), check(a, false)]);
  else await check(a, true).then(() => check(a, false));
  const [c] = await a.query<{ tickets: number; events: number; files: number }>(
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
  // two sessions, one per core: no parallel workers on top of them
  const clients = [0, 1].map(() => postgres(values.pg!, { max: 1, onnotice: () => {} }));
  const dbs = clients.map(
    (client): Sql => ({
      exec: async (text) => {
        await client.unsafe(text);
      },
      query: async <T>(text: string) => (await client.unsafe(text)) as unknown as T[],
    }),
  ) as [Sql, Sql];
  for (const db of dbs) {
    await db.exec(
      `set synchronous_commit = off; set work_mem = '1GB'; set maintenance_work_mem = '1GB'; set session_replication_role = replica; set max_parallel_maintenance_workers = 0`,
    );
  }
  const result = await seedWith(dbs);
  const [size] = await dbs[0].query<{ size: string }>(`select pg_size_pretty(pg_database_size(current_database())) as size`);
  await Promise.all(clients.map((c) => c.end()));
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
  const result = await seedWith([
    {
      exec: async (text) => {
        await pg.exec(text);
      },
      query: async <T>(text: string) => (await pg.query<T>(text)).rows,
    },
  ]);
  await pg.exec('checkpoint');
  await database.close();
  console.log(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s:`, result);
  console.log(JSON.stringify({ seed: { ...result, ms: Math.round(performance.now() - t0), timings } }));
} else {
  console.error('usage: seed.ts --pg URL | --pglite DIR [--tickets N]');
  process.exit(2);
}

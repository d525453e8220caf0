/**
 * How many statements each hot request sends to the database (docs/performance.md): the staff list (first
 * page and a cursor page), the detail with its timeline, a staff action, and the public submit. Counted
 * through drizzle's query logger, which sees every statement of the app and of its transactions (BEGIN and
 * COMMIT are the driver's own and are not counted).
 */

import { tickets } from '@ys/shared/schema';
import { type Logger, sql } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, rowsOf } from '../src/db/client.ts';
import { TicketSummary } from '../src/modules/tickets/schemas.ts';
import { enterpriseToken, idOf, post, type State, submit, ticketBody, ticketIn } from './fixtures.ts';
import { build, type TestApp } from './helper.ts';

let t: TestApp;
let tokens: { ent: string; court: string; center: string };
let log: string[] | null = null;

beforeAll(async () => {
  t = await build();
  const logger: Logger = { logQuery: (query) => log?.push(query) };
  const session = (t.database.db as unknown as { session: { logger: Logger; options: { logger?: Logger } } }).session;
  session.logger = logger;
  session.options.logger = logger;
  tokens = { ent: await enterpriseToken(t), court: await t.login('jy_court'), center: await t.login('center') };
});
afterAll(() => t.close());

/** The statements one request sends. */
async function counted(request: () => Promise<LightMyRequestResponse>, status = 200) {
  log = [];
  const res = await request();
  const statements = log;
  log = null;
  expect(res.statusCode, res.body).toBe(status);
  return { statements, res };
}

describe('statements per request', () => {
  it('list: the first page counts in its own statement, a cursor page does not count', async () => {
    for (let i = 0; i < 3; i++) await submit(t, tokens.ent);
    const first = await counted(() => t.as(tokens.court, { method: 'GET', url: '/api/tickets?view=pool&pageSize=2' }));
    const total = first.res.json().total as number;
    expect(total).toBeGreaterThanOrEqual(3);
    expect(first.statements.filter((q) => /select count\(\*\)::int/.test(q))).toHaveLength(1);
    // the user, then the page with its count
    expect(first.statements.length).toBeLessThanOrEqual(2);
    // a page past the end has no row to carry the count: it is counted on its own, and still right
    const beyond = await counted(() => t.as(tokens.court, { method: 'GET', url: `/api/tickets?view=pool&pageSize=2&page=${Math.ceil(total / 2) + 1}` }));
    expect(beyond.res.json()).toMatchObject({ items: [], total });
    expect(beyond.statements.length).toBeLessThanOrEqual(3);
    const cursor = first.res.json().nextCursor as string;
    const next = await counted(() => t.as(tokens.court, { method: 'GET', url: `/api/tickets?view=pool&pageSize=2&cursor=${cursor}` }));
    expect(next.statements.filter((q) => /select count\(\*\)::int/.test(q))).toHaveLength(0);
    expect(next.res.json().total).toBeNull();
    expect(next.statements.length).toBeLessThanOrEqual(2);
  });

  it('detail with timeline: the user, then the ticket and its events at once', async () => {
    const { no } = await submit(t, tokens.ent);
    const id = await idOf(t, no);
    const { statements, res } = await counted(() => t.as(tokens.court, { method: 'GET', url: `/api/tickets/${id}` }));
    expect(res.json().events).toHaveLength(1);
    expect(statements.length).toBeLessThanOrEqual(3);
  });

  it('claim: scope, the guarded update, its event with what it notifies, the audit row, the answer', async () => {
    const { no } = await submit(t, tokens.ent);
    const id = await idOf(t, no);
    const { statements, res } = await counted(() => post(t, tokens.court, `/api/tickets/${id}/claim`));
    expect(res.json().status).toBe('in_progress');
    expect(statements.length).toBeLessThanOrEqual(7);
  });

  it('public submit: the session, one statement for the ticket, its number, event and notifications', async () => {
    await submit(t, tokens.ent); // the reference data is cached by then
    const { statements, res } = await counted(() => t.as(tokens.ent, { method: 'POST', url: '/api/public/tickets', payload: ticketBody() }), 201);
    expect(res.json().events).toHaveLength(1);
    expect(statements.length).toBeLessThanOrEqual(2);
  });
});

describe('the cached reference data is never trusted alone (another instance may have changed it)', () => {
  const exec = (q: string) => t.database.db.execute(sql.raw(q));
  const file = (overrides: Record<string, unknown> = {}) => t.as(tokens.ent, { method: 'POST', url: '/api/public/tickets', payload: ticketBody(overrides) });

  it('refuses a category or station deactivated behind its back, and files again once they are back', async () => {
    await submit(t, tokens.ent); // warm
    await exec(`update categories set active = false where code = 'case_progress'`);
    expect((await file()).json().error.message).toContain('诉求类别不存在或已停用');
    await exec(`update categories set active = true where code = 'case_progress'`);
    await exec(`update stations set active = false where code = 'jy-court'`);
    expect((await file()).json().error.message).toContain('扫码站点不存在或已停用');
    await exec(`update stations set active = true where code = 'jy-court'`);
    expect((await file()).statusCode).toBe(201);
  });

  it('counts deadlines with the hours and holidays in the database at the moment of filing', async () => {
    await submit(t, tokens.ent); // warm
    await exec(`update categories set claim_hours = 5 where code = 'case_progress'`);
    const res = await file();
    expect(res.statusCode).toBe(201);
    const d = (await t.as(tokens.center, { method: 'GET', url: `/api/tickets/${await idOf(t, res.json().no)}` })).json();
    expect(new Date(d.claimDueAt).getTime() - new Date(d.createdAt).getTime()).toBe(5 * 3600_000);
    await exec(`update categories set claim_hours = 24 where code = 'case_progress'`);
    // a holiday declared tomorrow (and the day after) moves the resolve deadline on
    const before = new Date((await file()).json().resolveDueAt).getTime();
    const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
    await exec(
      `insert into holidays (date, kind, name) values ('${day(1)}', 'off', '测试'), ('${day(2)}', 'off', '测试'), ('${day(3)}', 'off', '测试') on conflict (date) do update set kind = 'off'`,
    );
    const after = new Date((await file()).json().resolveDueAt).getTime();
    expect(after).toBeGreaterThan(before);
  });
});

// PostgreSQL only: PGlite runs in the process, with no round trip to save and no statement kept between runs.
describe.skipIf(inject('testDb') !== 'pg')('prepared statements, no JIT (PostgreSQL)', () => {
  it('keeps each statement prepared on its connection, in and out of a transaction, and runs it again from there', async () => {
    // One connection, so that pg_prepared_statements (one session's statements) sees all of them.
    const database = await openDatabase({ databaseUrl: t.database.url!, dataDir: '', poolSize: 1 });
    try {
      const { db } = database;
      const prepared = async (marker: string) =>
        (
          await rowsOf<{ n: number; calls: number }>(
            db,
            sql`select count(*)::int as n, coalesce(sum(generic_plans + custom_plans), 0)::int as calls
          from pg_prepared_statements where statement like ${`%${marker}%`} and statement not like '%pg_prepared_statements%'`,
          )
        )[0]!;
      for (let i = 0; i < 3; i++) await db.select({ id: tickets.id }).from(tickets).where(sql`${tickets.title} <> ${'marker-outside'}`);
      await db.transaction(async (tx) => {
        for (let i = 0; i < 3; i++) await tx.select({ id: tickets.id }).from(tickets).where(sql`${tickets.title} <> ${'marker-inside'}`);
      });
      // JIT off for the app's connections (docs/performance.md item 15).
      expect(await rowsOf(db, sql`show jit`)).toEqual([{ jit: 'off' }]);
      // The marker is a parameter, so each statement's text is the same on every run: one statement, run three times.
      expect(await prepared('<> $1')).toEqual({ n: 1, calls: 6 });
      // A figures query is not prepared: planned for its own parameters on every run, never by a generic plan.
      for (let i = 0; i < 7; i++) await database.analytic(sql`select count(*)::int as n from ${tickets} where ${tickets.title} >= ${'marker-figures'}`);
      expect(await prepared('>= $1')).toEqual({ n: 0, calls: 0 });
    } finally {
      await database.close();
    }
  });
});

describe('the list answer', () => {
  // The database writes each list row as JSON and the route passes it on (repo.ts listTickets): no serialiser
  // stands between. Each item must still be TicketSummary exactly, as the detail (drizzle and the serialiser) has it.
  it('gives each ticket the summary fields of its detail, nothing more, in every state and with any text', async () => {
    const states: State[] = ['pending_dispatch', 'pending_claim', 'in_progress', 'resolved', 'closed', 'withdrawn', 'invalid'];
    const made: { id: string; no: string }[] = [];
    for (const state of states) made.push(await ticketIn(t, state, tokens));
    const odd = await submit(t, tokens.ent, { title: '引号"反斜杠\\\\ 换行\n制表\t 表情😀 </script>', enterpriseName: "O'Brien & 子 \\u0000" });
    made.push({ id: await idOf(t, odd.no), no: odd.no });
    const res = await t.as(tokens.center, { method: 'GET', url: '/api/tickets?view=all&pageSize=100' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    const body = res.json() as { items: Record<string, unknown>[]; total: number; page: number; pageSize: number; nextCursor: string | null };
    expect(Object.keys(body).sort()).toEqual(['items', 'nextCursor', 'page', 'pageSize', 'total']);
    expect(body).toMatchObject({ page: 1, pageSize: 100, nextCursor: null });
    expect(body.items).toHaveLength(body.total);
    const keys = Object.keys(TicketSummary.properties).sort();
    for (const { id } of made) {
      const item = body.items.find((i) => i.id === id);
      const detail = (await t.as(tokens.center, { method: 'GET', url: `/api/tickets/${id}` })).json() as Record<string, unknown>;
      expect(Object.keys(item ?? {}).sort()).toEqual(keys);
      expect(item).toEqual(Object.fromEntries(keys.map((k) => [k, detail[k]])));
    }
    const oddItem = body.items.find((i) => i.no === odd.no);
    expect(oddItem).toMatchObject({ title: '引号"反斜杠\\\\ 换行\n制表\t 表情😀 </script>', enterpriseName: "O'Brien & 子 \\u0000" });
    // Held, claimed, resolved: the names of the station and the assignee, the times, the colour.
    const inProgress = body.items.find((i) => i.id === made[2]!.id)!;
    expect(inProgress).toMatchObject({ status: 'in_progress', stationName: expect.any(String), assigneeName: expect.any(String), color: 'green' });
    expect(inProgress.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(body.items.find((i) => i.id === made[4]!.id)).toMatchObject({
      status: 'closed',
      satisfaction: 'satisfied',
      color: null,
      resolvedAt: expect.any(String),
    });
  });
});

describe('record', () => {
  it('prints the statements of each request', async () => {
    const { no } = await submit(t, tokens.ent);
    const id = await idOf(t, no);
    const rows: Record<string, number> = {};
    rows['list first page'] = (await counted(() => t.as(tokens.court, { method: 'GET', url: '/api/tickets?view=pool' }))).statements.length;
    rows.detail = (await counted(() => t.as(tokens.court, { method: 'GET', url: `/api/tickets/${id}` }))).statements.length;
    rows.claim = (await counted(() => post(t, tokens.court, `/api/tickets/${id}/claim`))).statements.length;
    rows.submit = (await counted(() => t.as(tokens.ent, { method: 'POST', url: '/api/public/tickets', payload: ticketBody() }), 201)).statements.length;
    console.log(JSON.stringify(rows));
  });
});

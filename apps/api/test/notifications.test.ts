/**
 * Staff notifications: created in the transaction of the event (or by the sweep) that causes them, once
 * each, for the people who must act — and read through GET /api/notifications.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSweep } from '../src/modules/tickets/sweep.ts';
import { enterpriseToken, post, submit } from './fixtures.ts';
import { build, type TestApp, TestClock } from './helper.ts';

let t: TestApp;
const clock = new TestClock();
let tok: Record<'ent' | 'court' | 'court2' | 'kdCourt' | 'center' | 'leader', string>;
let user: Record<'court' | 'court2' | 'kdCourt' | 'center', string>;

interface Note {
  id: number;
  kind: string;
  title: string;
  ticketId: string | null;
  ticketNo: string | null;
  readAt: string | null;
}

async function inbox(token: string, query = '') {
  const res = await t.as(token, { method: 'GET', url: `/api/notifications?pageSize=100${query}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { items: Note[]; total: number; unread: number };
}
const about = async (token: string, ticketId: string) => (await inbox(token)).items.filter((n) => n.ticketId === ticketId);
async function ok(token: string, url: string, payload: unknown = {}) {
  const res = await post(t, token, url, payload);
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  return res.json();
}
async function fileAndFind(overrides: Record<string, unknown> = {}) {
  const { no } = await submit(t, tok.ent, overrides);
  const res = await t.as(tok.center, { method: 'GET', url: `/api/tickets?q=${no}` });
  return { no, id: res.json().items[0].id as string };
}
async function rowsOf(ticketId: string) {
  return t.database.rows<{ user_id: string; kind: string; n: number }>(
    sql`select user_id, kind, count(*)::int as n from notifications where ticket_id = ${ticketId} group by 1, 2`,
  );
}

beforeAll(async () => {
  t = await build({}, clock);
  const admin = await t.login('admin');
  const station = (await t.as(admin, { method: 'GET', url: '/api/admin/stations?q=jy-court' })).json().items[0].id;
  const created = await t.as(admin, {
    method: 'POST',
    url: '/api/admin/users',
    payload: { username: 'jy_court_n2', name: '赵书记员', password: 'Court2@2025', role: 'staff', stationId: station },
  });
  // Admin-created users change their password at first sign-in.
  const first = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'jy_court_n2', password: 'Court2@2025' } });
  await t.as(first.json().accessToken, { method: 'POST', url: '/api/auth/password', payload: { oldPassword: 'Court2@2025', newPassword: 'Court3@2025' } });
  tok = {
    ent: await enterpriseToken(t),
    court: await t.login('jy_court'),
    court2: await t.login('jy_court_n2', 'Court3@2025'),
    kdCourt: await t.login('kd_court'),
    center: await t.login('center'),
    leader: await t.login('leader'),
  };
  const me = async (token: string) => (await t.as(token, { method: 'GET', url: '/api/auth/me' })).json().id as string;
  user = { court: await me(tok.court), court2: created.json().id, kdCourt: await me(tok.kdCourt), center: await me(tok.center) };
}, 60_000);
afterAll(() => t.close());

describe('notifications caused by events', () => {
  it("tells the station that a new ticket waits in its pool, and no one else's", async () => {
    const { id } = await fileAndFind();
    expect((await about(tok.court, id)).map((n) => n.kind)).toEqual(['pool_new']);
    expect((await about(tok.court2, id)).map((n) => n.kind)).toEqual(['pool_new']); // every user of the station
    expect(await about(tok.kdCourt, id)).toEqual([]);
    // A pool of a type in a district: every active station of that type there.
    const pooled = await fileAndFind({ stationCode: undefined });
    expect((await about(tok.court, pooled.id)).map((n) => n.kind)).toEqual(['pool_new']);
    // A transfer into another pool tells that pool's stations, not the one who transferred.
    await ok(tok.court, `/api/tickets/${id}/transfer`, { poolType: 'court', districtCode: '150203', reason: '昆区管辖' });
    expect((await about(tok.kdCourt, id)).map((n) => n.kind)).toEqual(['pool_new']);
    expect((await about(tok.court, id)).map((n) => n.kind)).toEqual(['pool_new']);
  });

  it('tells the new assignee of a reassignment, and the assignee of a reopened ticket', async () => {
    const { id, no } = await fileAndFind();
    await ok(tok.court, `/api/tickets/${id}/claim`);
    await ok(tok.court, `/api/tickets/${id}/reassign`, { assigneeId: user.court2 });
    expect((await about(tok.court2, id)).map((n) => n.kind).sort()).toEqual(['assigned', 'pool_new']);
    await ok(tok.court2, `/api/tickets/${id}/resolve`, { result: '已答复' });
    await ok(tok.ent, `/api/public/tickets/${no}/rating`, { solved: false, satisfaction: 'dissatisfied' });
    const assigned = (await about(tok.court2, id)).filter((n) => n.kind === 'assigned');
    expect(assigned).toHaveLength(2);
    expect(assigned[0]!.title).toContain('重新办理');
  });

  it('tells the assignee of a supplement, an extension decision and supervision', async () => {
    const { id, no } = await fileAndFind();
    await ok(tok.court, `/api/tickets/${id}/claim`);
    await ok(tok.court, `/api/tickets/${id}/request-supplement`, { content: '请补充合同' });
    await ok(tok.ent, `/api/public/tickets/${no}/supplements`, { content: '合同见附件' });
    await ok(tok.court, `/api/tickets/${id}/extension`, { days: 3, reason: '需调卷' });
    await ok(tok.center, `/api/tickets/${id}/extension/decision`, { approve: true, note: '同意' });
    await ok(tok.leader, `/api/tickets/${id}/supervise`, { note: '请加快' });
    const notes = await about(tok.court, id);
    expect(notes.map((n) => n.kind).sort()).toEqual(['extension_decided', 'pool_new', 'supervised', 'supplement_received']);
    expect(notes.find((n) => n.kind === 'extension_decided')!.title).toMatch(/已批准（3 个工作日）/);
    expect(notes.every((n) => n.title.includes(no))).toBe(true);
    expect(await about(tok.court2, id)).toHaveLength(1); // only the pool notice: the rest is for the assignee
    // The actor is not told of their own action.
    expect(await about(tok.center, id)).toEqual([]);
  });
});

describe('notifications of the sweep', () => {
  it('warns once within 24 hours of the deadline and once when it has passed, even with two sweeps at once', async () => {
    clock.set(new Date());
    const { id } = await fileAndFind();
    const claimed = await ok(tok.court, `/api/tickets/${id}/claim`);
    const due = Date.parse(claimed.resolveDueAt);
    const soon = new Date(due - 3 * 3600_000);
    await Promise.all([runSweep(t.database, soon), runSweep(t.database, soon)]);
    await runSweep(t.database, new Date(due - 3600_000));
    const late = new Date(due + 3600_000);
    await Promise.all([runSweep(t.database, late), runSweep(t.database, late)]);
    await runSweep(t.database, new Date(due + 7200_000));
    const kinds = (await about(tok.court, id)).map((n) => n.kind).sort();
    expect(kinds).toEqual(['due_soon', 'overdue', 'pool_new']);
    expect(await about(tok.court2, id)).toHaveLength(1); // the pool notice only: the sweep tells the assignee
  });

  it('warns again after an approved extension moves the deadline', async () => {
    clock.set(new Date());
    const { id } = await fileAndFind();
    const claimed = await ok(tok.court, `/api/tickets/${id}/claim`);
    await runSweep(t.database, new Date(Date.parse(claimed.resolveDueAt) - 3600_000));
    await ok(tok.court, `/api/tickets/${id}/extension`, { days: 5, reason: '需调卷' });
    const moved = await ok(tok.center, `/api/tickets/${id}/extension/decision`, { approve: true, note: '同意' });
    await runSweep(t.database, new Date(Date.parse(moved.resolveDueAt) - 3600_000));
    expect((await about(tok.court, id)).filter((n) => n.kind === 'due_soon')).toHaveLength(2);
  });

  it('tells the centre of an overdue ticket still waiting for dispatch', async () => {
    clock.set(new Date());
    const { id } = await fileAndFind({ stationCode: undefined, categoryCode: 'business_env', title: '营商环境' });
    await runSweep(t.database, new Date(Date.now() + 40 * 86_400_000));
    expect((await about(tok.center, id)).map((n) => n.kind)).toEqual(['overdue']);
    expect(await about(await t.login('jy_center'), id)).toHaveLength(1); // the district's dispatcher too
  });
});

describe('the inbox', () => {
  it('has at most one notification per user, kind and cause', async () => {
    const rows = await t.database.rows<{ n: number }>(sql`select count(*)::int as n from notifications group by user_id, kind, dedupe_key having count(*) > 1`);
    expect(rows).toEqual([]);
    const { id } = await fileAndFind();
    expect(await rowsOf(id)).toEqual(expect.arrayContaining([{ user_id: user.court, kind: 'pool_new', n: 1 }]));
  });

  it('lists my notifications newest first with the unread count, and marks one or all read', async () => {
    const before = await inbox(tok.court);
    expect(before.unread).toBe(before.total);
    expect(before.items[0]!.id).toBeGreaterThan(before.items.at(-1)!.id);
    expect(before.items[0]!.ticketNo).toMatch(/^YS\d{14}$/);
    const one = await post(t, tok.court, `/api/notifications/${before.items[0]!.id}/read`);
    expect(one.json()).toEqual({ unread: before.unread - 1 });
    expect((await t.as(tok.court, { method: 'GET', url: '/api/notifications/unread-count' })).json()).toEqual({ unread: before.unread - 1 });
    expect((await inbox(tok.court, '&unread=true')).total).toBe(before.unread - 1);
    // Someone else's notification does not exist for me.
    expect((await post(t, tok.kdCourt, `/api/notifications/${before.items[0]!.id}/read`)).statusCode).toBe(404);
    const all = await post(t, tok.court, '/api/notifications/read-all');
    expect(all.json()).toEqual({ updated: before.unread - 1, unread: 0 });
    expect((await inbox(tok.court)).items.every((n) => n.readAt !== null)).toBe(true);
  });

  it('needs a signed-in staff user', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/notifications' })).statusCode).toBe(401);
    expect((await t.as(tok.ent, { method: 'GET', url: '/api/notifications' })).statusCode).toBe(401);
  });
});

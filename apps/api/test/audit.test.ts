/**
 * Audit coverage: every staff write route of the OpenAPI document, called successfully, leaves an audit
 * row naming the actor, the client address, the target and the change. A new staff write route without a
 * scenario here fails the test. The audit log itself has no write route.
 */
import { auditLogs } from '@ys/shared/schema';
import { desc, gt } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { multipart, PNG } from './files.ts';
import { enterpriseToken, type State, ticketBody, ticketIn, uscc } from './fixtures.ts';
import { build, type TestApp } from './helper.ts';

const IP = '198.51.100.7';
/** Writes that are not staff actions on shared data: sign-in sessions, the enterprise channel, one's own inbox. */
const NOT_AUDITED = [/^POST \/api\/auth\/(login|refresh|logout)$/, /^POST \/api\/public\//, /^POST \/api\/notifications\/(\{id\}\/read|read-all)$/];

let t: TestApp;
let tokens: { ent: string; court: string; center: string; admin: string };
let stationIds: Record<string, string>;
let colleagueId: string;

beforeAll(async () => {
  t = await build();
  tokens = { ent: await enterpriseToken(t), court: await t.login('jy_court'), center: await t.login('center'), admin: await t.login('admin') };
  const dicts = (await t.as(tokens.center, { method: 'GET', url: '/api/dicts' })).json();
  stationIds = Object.fromEntries(dicts.stations.map((s: { code: string; id: string }) => [s.code, s.id]));
  const colleague = await t.as(tokens.admin, {
    method: 'POST',
    url: '/api/admin/users',
    payload: { username: 'jy_court_2', name: '王法官', password: 'Court#2026a', role: 'staff', stationId: stationIds['jy-court'] },
  });
  expect(colleague.statusCode, colleague.body).toBe(201);
  colleagueId = colleague.json().id;
});
afterAll(() => t?.close());

interface Call {
  token: string;
  method: string;
  url: string;
  payload?: Record<string, unknown>;
  multipart?: ReturnType<typeof multipart>;
}
type Scenario = () => Promise<Call>;

const inState = (state: State) => ticketIn(t, state, tokens);
const ticketAction =
  (state: State, action: string, payload: Record<string, unknown>, who: 'court' | 'center' = 'court'): Scenario =>
  async () => {
    const { id } = await inState(state);
    return { token: tokens[who], method: 'POST', url: `/api/tickets/${id}/${action}`, payload };
  };

const SCENARIOS: Record<string, Scenario> = {
  'POST /api/auth/password': async () => ({
    token: await t.login('kd_legal'),
    method: 'POST',
    url: '/api/auth/password',
    payload: { oldPassword: 'Legal@2025', newPassword: 'Legal#2026new' },
  }),
  'POST /api/admin/districts': async () => ({ token: tokens.admin, method: 'POST', url: '/api/admin/districts', payload: { code: '150299', name: '测试区' } }),
  'PATCH /api/admin/districts/{code}': async () => ({
    token: tokens.admin,
    method: 'PATCH',
    url: '/api/admin/districts/150299',
    payload: { name: '测试新区' },
  }),
  'POST /api/admin/stations': async () => ({
    token: tokens.admin,
    method: 'POST',
    url: '/api/admin/stations',
    payload: { code: 'audit-court', name: '审计测试法官工作站', type: 'court', agencyName: '测试法院', districtCode: '150207' },
  }),
  'PATCH /api/admin/stations/{id}': async () => ({
    token: tokens.admin,
    method: 'PATCH',
    url: `/api/admin/stations/${stationIds['kd-court']}`,
    payload: { phone: '0472-5550000' },
  }),
  'POST /api/admin/categories': async () => ({
    token: tokens.admin,
    method: 'POST',
    url: '/api/admin/categories',
    payload: { code: 'audit_test', name: '审计测试类别', stationType: null, claimHours: 24, resolveDays: 10 },
  }),
  'PATCH /api/admin/categories/{code}': async () => ({
    token: tokens.admin,
    method: 'PATCH',
    url: '/api/admin/categories/audit_test',
    payload: { resolveDays: 12 },
  }),
  'POST /api/admin/holidays': async () => ({
    token: tokens.admin,
    method: 'POST',
    url: '/api/admin/holidays',
    payload: { date: '2027-01-01', kind: 'off', name: '元旦' },
  }),
  'PATCH /api/admin/holidays/{date}': async () => ({
    token: tokens.admin,
    method: 'PATCH',
    url: '/api/admin/holidays/2027-01-01',
    payload: { name: '元旦假期' },
  }),
  'DELETE /api/admin/holidays/{date}': async () => ({ token: tokens.admin, method: 'DELETE', url: '/api/admin/holidays/2027-01-01' }),
  'POST /api/admin/users': async () => ({
    token: tokens.admin,
    method: 'POST',
    url: '/api/admin/users',
    payload: { username: 'audit_leader', name: '审计领导', password: 'Leader#2026a', role: 'leader' },
  }),
  'PATCH /api/admin/users/{id}': async () => ({
    token: tokens.admin,
    method: 'PATCH',
    url: `/api/admin/users/${colleagueId}`,
    payload: { name: '王法官助理' },
  }),
  'POST /api/admin/users/{id}/reset-password': async () => ({
    token: tokens.admin,
    method: 'POST',
    url: `/api/admin/users/${colleagueId}/reset-password`,
    payload: { password: 'Reset#2026abc' },
  }),
  'POST /api/admin/users/{id}/unlock': async () => ({ token: tokens.admin, method: 'POST', url: `/api/admin/users/${colleagueId}/unlock` }),
  'POST /api/tickets': async () => {
    const { stationCode: _s, consent: _c, ...body } = ticketBody();
    return { token: tokens.center, method: 'POST', url: '/api/tickets', payload: { ...body, uscc: uscc(), contactPhone: '13800001111', proxySource: '走访' } };
  },
  'POST /api/tickets/{id}/claim': ticketAction('pending_claim', 'claim', {}),
  'POST /api/tickets/{id}/reassign': async () => {
    const { id } = await inState('in_progress');
    return { token: tokens.court, method: 'POST', url: `/api/tickets/${id}/reassign`, payload: { assigneeId: colleagueId } };
  },
  'POST /api/tickets/{id}/transfer': async () => {
    const { id } = await inState('in_progress');
    return { token: tokens.court, method: 'POST', url: `/api/tickets/${id}/transfer`, payload: { stationId: stationIds['kd-court'], reason: '属昆区管辖' } };
  },
  'POST /api/tickets/{id}/return': ticketAction('in_progress', 'return', { reason: '不属于法院职能' }),
  'POST /api/tickets/{id}/messages': ticketAction('in_progress', 'messages', { content: '已联系企业', visibility: 'internal' }),
  'POST /api/tickets/{id}/request-supplement': ticketAction('in_progress', 'request-supplement', { content: '请补充合同复印件' }),
  'POST /api/tickets/{id}/extension': ticketAction('in_progress', 'extension', { days: 3, reason: '需调取卷宗' }),
  'POST /api/tickets/{id}/extension/decision': async () => {
    const { id } = await inState('in_progress');
    expect((await t.as(tokens.court, { method: 'POST', url: `/api/tickets/${id}/extension`, payload: { days: 2, reason: '需调取卷宗' } })).statusCode).toBe(
      200,
    );
    return { token: tokens.center, method: 'POST', url: `/api/tickets/${id}/extension/decision`, payload: { approve: true, note: '同意' } };
  },
  'POST /api/tickets/{id}/resolve': ticketAction('in_progress', 'resolve', { result: '已答复企业' }),
  'POST /api/tickets/{id}/visit': ticketAction('resolved', 'visit', { method: 'phone', solved: true, satisfaction: 'satisfied', note: '电话回访' }, 'center'),
  'POST /api/tickets/{id}/supervise': ticketAction('in_progress', 'supervise', { note: '请加快办理' }, 'center'),
  'POST /api/tickets/{id}/dispatch': () => ticketAction('pending_dispatch', 'dispatch', { stationId: stationIds['jy-legal'], note: '法律咨询' }, 'center')(),
  'POST /api/tickets/{id}/invalidate': ticketAction('pending_dispatch', 'invalidate', { reason: '重复提交' }, 'center'),
  'POST /api/tickets/{id}/merge': async () => {
    const into = await inState('in_progress');
    const { id } = await inState('pending_dispatch');
    return { token: tokens.center, method: 'POST', url: `/api/tickets/${id}/merge`, payload: { intoId: into.id } };
  },
  'POST /api/attachments': async () => ({ token: tokens.court, method: 'POST', url: '/api/attachments', multipart: multipart('现场.png', PNG) }),
};

it('writes an audit row with actor, address, target and change for every staff write route', async () => {
  const doc = t.app.swagger() as { paths: Record<string, Record<string, unknown>> };
  const writes = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops)
      .filter((m) => ['post', 'put', 'patch', 'delete'].includes(m))
      .map((m) => `${m.toUpperCase()} ${path}`),
  );
  const staffWrites = writes.filter((r) => !NOT_AUDITED.some((re) => re.test(r)));
  const missing = staffWrites.filter((r) => !SCENARIOS[r]);
  expect(missing, 'staff write routes without an audit scenario in audit.test.ts').toEqual([]);

  const names = Object.fromEntries(
    await Promise.all(Object.entries(tokens).map(async ([, tok]) => [tok, (await t.as(tok, { method: 'GET', url: '/api/auth/me' })).json().id])),
  );
  for (const route of Object.keys(SCENARIOS)) {
    expect(staffWrites, `${route} is no longer a route`).toContain(route);
    const call = await (SCENARIOS[route] as Scenario)();
    const [last] = await t.database.db.select({ id: auditLogs.id }).from(auditLogs).orderBy(desc(auditLogs.id)).limit(1);
    const res = await t.as(call.token, {
      method: call.method as 'POST',
      url: call.url,
      remoteAddress: IP,
      ...(call.multipart ?? (call.payload ? { payload: call.payload } : {})),
    });
    expect(res.statusCode, `${route}: ${res.body}`).toBeLessThan(300);
    const rows = await t.database.db
      .select()
      .from(auditLogs)
      .where(gt(auditLogs.id, last?.id ?? 0));
    expect(rows.length, `${route} wrote no audit row`).toBeGreaterThan(0);
    const row = rows[0]!;
    const actor = names[call.token] ?? (await t.as(call.token, { method: 'GET', url: '/api/auth/me' })).json().id;
    expect(row, route).toMatchObject({ actorKind: 'staff', actorId: actor, ip: IP, success: true });
    expect(row.action, route).toMatch(/^[a-z_]+\.[a-z_]+$/);
    expect(row.targetType && row.targetId, `${route} audit row has no target`).toBeTruthy();
    // The action alone is the whole change where nothing but a secret or a lock changed.
    if (!['POST /api/auth/password', 'POST /api/admin/users/{id}/reset-password', 'POST /api/admin/users/{id}/unlock'].includes(route)) {
      expect(row.detail, `${route} audit row records no change`).toBeTruthy();
    }
  }
  console.log(
    `audit coverage: ${Object.keys(SCENARIOS).length} staff write routes, each with an audit row (${writes.length - staffWrites.length} exempt writes)`,
  );
});

it('records the change of a ticket action: status before and after, and the events written', async () => {
  const { id } = await inState('in_progress');
  await t.as(tokens.court, { method: 'POST', url: `/api/tickets/${id}/resolve`, payload: { result: '已当面答复' }, remoteAddress: IP });
  const [row] = await t.database.db.select().from(auditLogs).orderBy(desc(auditLogs.id)).limit(1);
  expect(row).toMatchObject({ action: 'ticket.resolve', targetId: id, ip: IP, detail: { from: 'in_progress', to: 'resolved' } });
  expect((row?.detail as { events?: unknown[] } | undefined)?.events).toEqual([
    expect.objectContaining({ type: 'resolved', data: expect.objectContaining({ result: '已当面答复' }) }),
  ]);
});

it('offers no route that changes or deletes the audit log', async () => {
  const doc = t.app.swagger() as { paths: Record<string, Record<string, unknown>> };
  const auditPaths = Object.entries(doc.paths).filter(([p]) => p.includes('audit'));
  expect(auditPaths.length).toBeGreaterThan(0);
  for (const [path, ops] of auditPaths) expect(Object.keys(ops), path).toEqual(['get']);
  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
    const res = await t.as(tokens.admin, { method, url: '/api/admin/audit-logs', payload: {} });
    expect(res.statusCode, method).toBe(404);
    expect((await t.as(tokens.admin, { method, url: '/api/admin/audit-logs/1', payload: {} })).statusCode).toBe(404);
  }
});

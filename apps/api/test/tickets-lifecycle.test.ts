import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enterpriseToken, idOf, post, type State, submit, ticketIn } from './fixtures.ts';
import { build, type TestApp } from './helper.ts';

let t: TestApp;
let tokens: { ent: string; court: string; center: string };
let court2Id: string;
let otherTicketId: string;

beforeAll(async () => {
  t = await build();
  const admin = await t.login('admin');
  const stations = await t.as(admin, { method: 'GET', url: '/api/admin/stations?q=jy-court' });
  const jyCourt = stations.json().items[0].id;
  const created = await t.as(admin, {
    method: 'POST',
    url: '/api/admin/users',
    payload: { username: 'jy_court2', name: '刘书记员', password: 'Court2@2025', role: 'staff', stationId: jyCourt },
  });
  court2Id = created.json().id;
  tokens = { ent: await enterpriseToken(t), court: await t.login('jy_court'), center: await t.login('center') };
  otherTicketId = (await ticketIn(t, 'pending_claim', tokens)).id;
});
afterAll(() => t.close());

const body = (extra: Record<string, unknown> = {}) => extra;

/** Every staff action with a valid body, the actor who would take it, and the states from which it is allowed. */
const ACTIONS: { action: string; path: string; actor: 'court' | 'center'; payload: () => unknown; allowed: State[] }[] = [
  { action: 'claim', path: 'claim', actor: 'court', payload: () => body(), allowed: ['pending_claim'] },
  { action: 'reassign', path: 'reassign', actor: 'court', payload: () => ({ assigneeId: court2Id }), allowed: ['in_progress'] },
  {
    action: 'transfer (station)',
    path: 'transfer',
    actor: 'court',
    payload: () => ({ poolType: 'court', districtCode: '150203', reason: '属昆区管辖' }),
    allowed: ['pending_claim', 'in_progress'],
  },
  { action: 'return', path: 'return', actor: 'court', payload: () => ({ reason: '不属于法院职能' }), allowed: ['pending_claim', 'in_progress'] },
  {
    action: 'message (station)',
    path: 'messages',
    actor: 'court',
    payload: () => ({ content: '已联系承办法官', visibility: 'public' }),
    allowed: ['pending_claim', 'in_progress'],
  },
  { action: 'request supplement', path: 'request-supplement', actor: 'court', payload: () => ({ content: '请补充案号' }), allowed: ['in_progress'] },
  { action: 'request extension', path: 'extension', actor: 'court', payload: () => ({ days: 3, reason: '需调卷' }), allowed: ['in_progress'] },
  { action: 'resolve', path: 'resolve', actor: 'court', payload: () => ({ result: '已答复' }), allowed: ['in_progress'] },
  { action: 'decide extension (none pending)', path: 'extension/decision', actor: 'center', payload: () => ({ approve: true, note: '' }), allowed: [] },
  {
    action: 'visit',
    path: 'visit',
    actor: 'center',
    payload: () => ({ method: 'phone', solved: true, satisfaction: 'satisfied', note: '电话回访' }),
    allowed: ['resolved', 'closed'],
  },
  {
    action: 'supervise',
    path: 'supervise',
    actor: 'center',
    payload: () => ({ note: '请加快办理' }),
    allowed: ['pending_dispatch', 'pending_claim', 'in_progress', 'resolved'],
  },
  { action: 'dispatch', path: 'dispatch', actor: 'center', payload: () => ({ poolType: 'court', districtCode: '150207' }), allowed: ['pending_dispatch'] },
  {
    action: 'transfer (centre)',
    path: 'transfer',
    actor: 'center',
    payload: () => ({ poolType: 'court', districtCode: '150203', reason: '改由昆区办理' }),
    allowed: ['pending_claim', 'in_progress'],
  },
  {
    action: 'message (centre)',
    path: 'messages',
    actor: 'center',
    payload: () => ({ content: '中心关注', visibility: 'internal' }),
    allowed: ['pending_dispatch', 'pending_claim', 'in_progress', 'resolved'],
  },
  { action: 'invalidate', path: 'invalidate', actor: 'center', payload: () => ({ reason: '无效诉求' }), allowed: ['pending_dispatch', 'pending_claim'] },
  { action: 'merge', path: 'merge', actor: 'center', payload: () => ({ intoId: otherTicketId }), allowed: ['pending_dispatch', 'pending_claim'] },
];
const STATES: State[] = ['pending_dispatch', 'pending_claim', 'in_progress', 'resolved', 'closed', 'withdrawn', 'invalid'];

describe('the state machine: every action from every state is allowed or 409', () => {
  for (const a of ACTIONS) {
    it(`${a.action}: allowed from ${a.allowed.join(', ') || 'no state'}, 409 from the others`, async () => {
      for (const state of STATES) {
        const { id } = await ticketIn(t, state, tokens);
        const res = await post(t, tokens[a.actor], `/api/tickets/${id}/${a.path}`, a.payload());
        const expected = a.allowed.includes(state) ? 200 : 409;
        expect(res.statusCode, `${a.action} from ${state}: ${res.body}`).toBe(expected);
        if (expected === 409) expect(['INVALID_TRANSITION', 'ALREADY_CLAIMED']).toContain(res.json().error.code);
      }
    });
  }

  it('offers in allowedActions exactly what the endpoints accept', async () => {
    const { id } = await ticketIn(t, 'in_progress', tokens);
    const court = await t.as(tokens.court, { method: 'GET', url: `/api/tickets/${id}` });
    expect(court.json().allowedActions.sort()).toEqual(
      ['message', 'reassign', 'request_extension', 'request_supplement', 'resolve', 'return', 'transfer'].sort(),
    );
    const center = await t.as(tokens.center, { method: 'GET', url: `/api/tickets/${id}` });
    expect(center.json().allowedActions.sort()).toEqual(['message', 'supervise', 'transfer'].sort());
    const leader = await t.as(await t.login('leader'), { method: 'GET', url: `/api/tickets/${id}` });
    expect(leader.json().allowedActions).toEqual(['supervise']);
  });

  it('refuses enterprise actions outside their states', async () => {
    const closed = await ticketIn(t, 'closed', tokens);
    expect((await post(t, tokens.ent, `/api/public/tickets/${closed.no}/withdraw`, { reason: 'x' })).statusCode).toBe(409);
    expect((await post(t, tokens.ent, `/api/public/tickets/${closed.no}/rating`, { solved: true, satisfaction: 'satisfied' })).statusCode).toBe(409);
    expect((await post(t, tokens.ent, `/api/public/tickets/${closed.no}/supplements`, { content: '补充' })).statusCode).toBe(409);
    const open = await ticketIn(t, 'in_progress', tokens);
    expect((await post(t, tokens.ent, `/api/public/tickets/${open.no}/rating`, { solved: true, satisfaction: 'satisfied' })).statusCode).toBe(409);
  });
});

describe('paths of the state diagram through HTTP alone', () => {
  it('QR scan → claim → resolve → satisfied rating → closed', async () => {
    const entry = await t.app.inject({ method: 'GET', url: '/api/public/entry/jy-court' });
    expect(entry.statusCode).toBe(200);
    expect(entry.json().station.name).toContain('法官工作站');
    const { no, status } = await submit(t, tokens.ent);
    expect(status).toBe('pending_claim');
    expect(no).toMatch(/^YS\d{8}\d{6}$/);
    const id = await idOf(t, no);
    expect((await post(t, tokens.court, `/api/tickets/${id}/claim`)).json().status).toBe('in_progress');
    expect((await post(t, tokens.court, `/api/tickets/${id}/resolve`, { result: '已答复', legalBasis: '《民事诉讼法》' })).json().status).toBe('resolved');
    const rated = await post(t, tokens.ent, `/api/public/tickets/${no}/rating`, { solved: true, satisfaction: 'satisfied', comment: '很快' });
    expect(rated.json()).toMatchObject({ status: 'closed', satisfaction: 'satisfied', solved: true, canRate: false });
    const detail = await t.as(tokens.center, { method: 'GET', url: `/api/tickets/${id}` });
    expect(detail.json().events.map((e: { type: string }) => e.type)).toEqual(['submitted', 'claimed', 'resolved', 'rated', 'closed']);
  });

  it('centre dispatch → claim → transfer → claim elsewhere → return → dispatch → resolve → dissatisfied → reopened → resolve → dissatisfied → closed and supervised', async () => {
    const { no, status } = await submit(t, tokens.ent, { categoryCode: 'business_env', title: '营商环境问题反映' });
    expect(status).toBe('pending_dispatch');
    const id = await idOf(t, no);
    const kdCourt = await t.login('kd_court');
    const ok = async (token: string, path: string, payload: unknown = {}) => {
      const res = await post(t, token, `/api/tickets/${id}/${path}`, payload);
      expect(res.statusCode, `${path}: ${res.body}`).toBe(200);
      return res.json();
    };
    const jyCourtStation = (await t.as(tokens.center, { method: 'GET', url: '/api/dicts' }))
      .json()
      .stations.find((s: { code: string }) => s.code === 'jy-court').id;
    await ok(tokens.center, 'dispatch', { stationId: jyCourtStation, note: '请法官工作站办理' });
    const claimed = await ok(tokens.court, 'claim');
    const resolveDueAt = claimed.resolveDueAt;
    const transferred = await ok(tokens.court, 'transfer', { poolType: 'court', districtCode: '150203', reason: '企业在昆区' });
    expect(transferred.status).toBe('pending_claim');
    expect(transferred.resolveDueAt).toBe(resolveDueAt); // 接办跟到底: a transfer does not restart the deadline
    await ok(kdCourt, 'claim');
    expect((await ok(kdCourt, 'return', { reason: '需中心协调' })).status).toBe('pending_dispatch');
    await ok(tokens.center, 'dispatch', { stationId: jyCourtStation });
    await ok(tokens.court, 'claim');
    await ok(tokens.court, 'resolve', { result: '第一次答复' });
    const reopened = await post(t, tokens.ent, `/api/public/tickets/${no}/rating`, { solved: false, satisfaction: 'dissatisfied', comment: '没解决' });
    expect(reopened.json().status).toBe('in_progress');
    const afterReopen = (await t.as(tokens.court, { method: 'GET', url: `/api/tickets/${id}` })).json();
    expect(afterReopen).toMatchObject({ reopenCount: 1, stationName: expect.stringContaining('九原') });
    expect(afterReopen.assigneeName).toBe('王法官');
    await ok(tokens.court, 'resolve', { result: '第二次答复' });
    const closed = await post(t, tokens.ent, `/api/public/tickets/${no}/rating`, { solved: false, satisfaction: 'dissatisfied' });
    expect(closed.json().status).toBe('closed');
    const final = (await t.as(tokens.center, { method: 'GET', url: `/api/tickets/${id}` })).json();
    expect(final.supervised).toBe(true);
    expect(final.events.at(-1)).toMatchObject({ type: 'closed', data: { reason: 'dissatisfied_twice' } });
  });

  it('withdraw by the business', async () => {
    const { no } = await submit(t, tokens.ent);
    const res = await post(t, tokens.ent, `/api/public/tickets/${no}/withdraw`, { reason: '已协商解决' });
    expect(res.json()).toMatchObject({ status: 'withdrawn', canWithdraw: false });
  });

  it('merge a duplicate into the original', async () => {
    const a = await ticketIn(t, 'pending_claim', tokens);
    const b = await ticketIn(t, 'pending_claim', tokens);
    const res = await post(t, tokens.center, `/api/tickets/${b.id}/merge`, { intoId: a.id });
    expect(res.json()).toMatchObject({ status: 'invalid', mergedIntoId: a.id });
    const pub = await t.as(tokens.ent, { method: 'GET', url: `/api/public/tickets/${b.no}` });
    expect(pub.json().events.at(-1)).toMatchObject({ type: 'merged', data: { intoNo: a.no } });
  });

  it('request supplement → the business answers → extension approved moves the deadline by working days', async () => {
    const { id, no } = await ticketIn(t, 'in_progress', tokens);
    await post(t, tokens.court, `/api/tickets/${id}/request-supplement`, { content: '请补充判决书' });
    const pub = await t.as(tokens.ent, { method: 'GET', url: `/api/public/tickets/${no}` });
    expect(pub.json().awaitingSupplement).toBe(true);
    const answered = await post(t, tokens.ent, `/api/public/tickets/${no}/supplements`, { content: '判决书见附件说明' });
    expect(answered.json().awaitingSupplement).toBe(false);
    const before = (await post(t, tokens.court, `/api/tickets/${id}/extension`, { days: 5, reason: '需调取卷宗' })).json();
    expect(before.extensionPendingDays).toBe(5);
    const decided = (await post(t, tokens.center, `/api/tickets/${id}/extension/decision`, { approve: true, note: '同意' })).json();
    expect(decided.extensionPendingDays).toBeNull();
    const days = (Date.parse(decided.resolveDueAt) - Date.parse(before.resolveDueAt)) / 86_400_000;
    expect(days).toBeGreaterThanOrEqual(5);
    expect(days).toBeLessThanOrEqual(12);
  });

  it('a return visit counts as the rating when the business did not rate online', async () => {
    const { id } = await ticketIn(t, 'resolved', tokens);
    const res = await post(t, tokens.center, `/api/tickets/${id}/visit`, {
      method: 'phone',
      solved: true,
      satisfaction: 'basically_satisfied',
      note: '电话回访，企业基本满意',
    });
    expect(res.json()).toMatchObject({ status: 'closed', ratedVia: 'visit', satisfaction: 'basically_satisfied' });
    const slip = await t.as(tokens.center, { method: 'GET', url: `/api/tickets/${id}/slips/visit` });
    expect(slip.statusCode).toBe(200);
    expect(slip.json()).toMatchObject({ kind: 'visit', title: '回访单', entries: [{ type: 'visited' }] });
    expect((await t.as(tokens.center, { method: 'GET', url: `/api/tickets/${id}/slips/transfer` })).statusCode).toBe(404);
    expect((await t.as(tokens.center, { method: 'GET', url: `/api/tickets/${id}/slips/feedback` })).json().entries[0].data.result).toBeTruthy();
  });

  it('a station lead reassigns within the station only', async () => {
    const { id } = await ticketIn(t, 'in_progress', tokens);
    const kdCourtUser = (await t.as(await t.login('admin'), { method: 'GET', url: '/api/admin/users?q=kd_court' })).json().items[0].id;
    expect((await post(t, tokens.court, `/api/tickets/${id}/reassign`, { assigneeId: kdCourtUser })).statusCode).toBe(400);
    const res = await post(t, tokens.court, `/api/tickets/${id}/reassign`, { assigneeId: court2Id });
    expect(res.json().assigneeName).toBe('刘书记员');
  });

  it('代录: a dispatcher files for a business with its source', async () => {
    const res = await post(t, tokens.center, '/api/tickets', {
      districtCode: '150207',
      categoryCode: 'legal_consult',
      enterpriseName: '包头稀土新材料有限公司',
      uscc: (await import('./fixtures.ts')).uscc(),
      contactName: '李总',
      contactPhone: '13800000001',
      title: '劳动合同咨询',
      content: '恳谈会上企业提出的劳动合同问题。',
      proxySource: '恳谈会',
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ channel: 'proxy', proxySource: '恳谈会', status: 'pending_claim', poolType: 'legal_service' });
    expect((await post(t, tokens.court, '/api/tickets', {})).statusCode).toBe(403);
  });
});

/**
 * The official figures (DESIGN §5) on a hand-built history with known answers: a transfer that must not
 * restart the deadline, a reopened ticket, a return visit without online rating, null denominators,
 * the drill-down of every figure, and the scope of a district dispatcher and of a station.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enterpriseToken, post, submit } from './fixtures.ts';
import { build, type TestApp, TestClock } from './helper.ts';
import { expectDrillDown, type FigureSet, getJson, listed, query, values } from './stats-support.ts';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-03-02T01:00:00Z'); // Monday 09:00 in Shanghai; no holiday in the fortnight
const NOW = T0 + 10 * DAY;

let t: TestApp;
const clock = new TestClock();
let tok: Record<'ent' | 'center' | 'jyCenter' | 'leader' | 'jyCourt' | 'kdCourt' | 'jyLegal' | 'admin', string>;
const id: Record<string, string> = {};
const no: Record<string, string> = {};
let station: Record<string, string>;

const at = (ms: number) => clock.set(new Date(ms));
async function ok(token: string, ticket: string, action: string, payload: unknown = {}) {
  const res = await post(t, token, `/api/tickets/${id[ticket]}/${action}`, payload);
  expect(res.statusCode, `${ticket} ${action}: ${res.body}`).toBe(200);
  return res.json();
}
async function rate(ticket: string, satisfaction: string, solved: boolean) {
  const res = await post(t, tok.ent, `/api/public/tickets/${no[ticket]}/rating`, { solved, satisfaction });
  expect(res.statusCode, res.body).toBe(200);
}
async function file(name: string, overrides: Record<string, unknown> = {}) {
  const r = await submit(t, tok.ent, overrides);
  no[name] = r.no;
  id[name] = (await getJson<{ items: { id: string }[] }>(t, tok.center, `/api/tickets?q=${r.no}`)).items[0]!.id;
}

beforeAll(async () => {
  t = await build({}, clock);
  // Sessions are signed on the real clock; the history then runs on the test clock.
  tok = {
    ent: await enterpriseToken(t),
    center: await t.login('center'),
    jyCenter: await t.login('jy_center'),
    leader: await t.login('leader'),
    jyCourt: await t.login('jy_court'),
    kdCourt: await t.login('kd_court'),
    jyLegal: await t.login('jy_legal'),
    admin: await t.login('admin'),
  };
  const dicts = await getJson<{ stations: { id: string; code: string }[] }>(t, tok.center, '/api/dicts');
  station = Object.fromEntries(dicts.stations.map((s) => [s.code, s.id]));

  at(T0);
  await file('A'); // jy-court, case_progress: claimed and resolved on time, rated satisfied online, then visited
  await file('B'); // jy-court → transferred to the Kundulun court pool, resolved after the original deadline, visited
  await file('C', { stationCode: 'jy-legal', categoryCode: 'legal_consult', title: '劳动合同咨询' }); // reopened
  await file('D'); // withdrawn before anyone claimed it, before its claim deadline
  await file('E', { stationCode: 'jy-police', categoryCode: 'police_service', title: '证照办理' }); // never claimed
  await file('G', { stationCode: undefined, categoryCode: 'business_env', title: '营商环境问题' }); // waits for the centre
  await file('H', { stationCode: undefined, categoryCode: 'other', title: '重复提交' }); // invalidated by the centre
  await file('J', { stationCode: 'kd-court', districtCode: '150203', title: '昆区企业案件进度' }); // another district

  at(T0 + HOUR);
  expect((await post(t, tok.ent, `/api/public/tickets/${no.D}/withdraw`, { reason: '已自行解决' })).statusCode).toBe(200);
  await ok(tok.jyCourt, 'B', 'claim');
  await ok(tok.center, 'H', 'invalidate', { reason: '重复提交' });

  at(T0 + 2 * HOUR);
  await ok(tok.jyCourt, 'A', 'claim');
  await ok(tok.jyLegal, 'C', 'claim');
  const before = await ok(tok.jyCourt, 'B', 'transfer', { poolType: 'court', districtCode: '150203', reason: '企业在昆区' });
  expect(before.status).toBe('pending_claim');

  at(T0 + 3 * HOUR);
  const claimedB = await ok(tok.kdCourt, 'B', 'claim');
  expect(claimedB.resolveDueAt).toBe(before.resolveDueAt); // 接办跟到底
  await ok(tok.kdCourt, 'J', 'claim');

  at(T0 + DAY);
  await ok(tok.jyCourt, 'A', 'resolve', { result: '已告知审理进度' });
  await ok(tok.jyLegal, 'C', 'resolve', { result: '已解答' });
  await rate('A', 'satisfied', true);
  await rate('C', 'dissatisfied', false); // reopens C to jy-legal

  at(T0 + 2 * DAY);
  // Already rated online: this visit is recorded but does not count as the rating.
  await ok(tok.center, 'A', 'visit', { method: 'phone', solved: false, satisfaction: 'dissatisfied', note: '回访' });

  at(T0 + 4 * DAY); // after C's deadline (3 working days): its second resolution is late, its first was not
  await ok(tok.jyLegal, 'C', 'resolve', { result: '再次解答' });
  await rate('C', 'satisfied', true);

  at(T0 + 8 * DAY); // after B's deadline (end of Monday 9 March); a restarted one would still be running
  await ok(tok.kdCourt, 'B', 'resolve', { result: '已答复' });
  await ok(tok.center, 'B', 'visit', { method: 'phone', solved: false, satisfaction: 'basically_satisfied', note: '电话回访' });

  at(NOW - HOUR);
  await file('F', { stationCode: 'jy-police', categoryCode: 'public_security', title: '治安求助' }); // 4 h to claim, not yet due
  at(NOW);
}, 120_000);
afterAll(() => t.close());

const overview = (token: string, filter: Record<string, unknown> = {}) => getJson<FigureSet>(t, token, `/api/stats/overview?${query(filter)}`);

describe('the figures of DESIGN §5 on a known history', () => {
  it('answers every figure city-wide', async () => {
    const set = await overview(tok.center);
    expect(values(set)).toEqual({
      received: 9,
      effective: 7, // D withdrawn, H invalid
      responseRate: 0.8, // A B C J on time ÷ (A B C E J): D withdrawn before due and F not yet due are left out, G H never entered a pool
      completionRate: 0.4286, // A B C ÷ 7
      onTimeRate: 0.6667, // A and C's first resolution on time, B late ÷ 3
      solvedRate: 0.6667, // A C solved, B (visit) not ÷ 3
      satisfactionRate: 1,
      satisfactionScore: 93.33, // (100 + 80 + 100) ÷ 3
      overdueOpen: 2, // E and J
      avgClaimHours: 2, // A 2 h, B 1 h, C 2 h, J 3 h
      avgResolveHours: 80, // A 24 h, B 192 h, C 24 h (its first resolution)
      colors: { red: 2, orange: 0, yellow: 1, green: 1 }, // E J red, G yellow, F green
    });
    expect(set.responseRate).toMatchObject({ numerator: 4, denominator: 5 });
    expect(set.onTimeRate).toMatchObject({ numerator: 2, denominator: 3 });
    await expectDrillDown(t, tok.center, set, 'city');
  });

  it('does not restart the deadline on a transfer: B is late, listed under resolution=late', async () => {
    const late = await getJson<{ items: { no: string }[] }>(t, tok.center, '/api/tickets?resolution=late');
    expect(late.items.map((i) => i.no)).toEqual([no.B]);
  });

  it('counts a reopened ticket by its first resolution and its latest rating', async () => {
    const onTime = await getJson<{ items: { no: string }[] }>(t, tok.center, `/api/tickets?resolution=on_time&q=${no.C}`);
    expect(onTime.items).toHaveLength(1);
    const c = await getJson<{ reopenCount: number; satisfaction: string }>(t, tok.center, `/api/tickets/${id.C}`);
    expect(c).toMatchObject({ reopenCount: 1, satisfaction: 'satisfied' });
  });

  it('counts a return visit as the rating only without an online rating', async () => {
    const visited = await getJson<{ items: { no: string }[] }>(t, tok.center, '/api/tickets?rated=true&satisfaction=basically_satisfied');
    expect(visited.items.map((i) => i.no)).toEqual([no.B]);
    const a = await getJson<{ satisfaction: string; ratedVia: string; solved: boolean }>(t, tok.center, `/api/tickets/${id.A}`);
    expect(a).toMatchObject({ satisfaction: 'satisfied', ratedVia: 'online', solved: true });
  });

  it('gives null, not 0, for a zero denominator', async () => {
    const police = await overview(tok.center, { categoryCode: 'police_service' });
    expect(values(police)).toMatchObject({
      received: 1,
      responseRate: 0,
      completionRate: 0,
      onTimeRate: null,
      solvedRate: null,
      satisfactionRate: null,
      satisfactionScore: null,
      avgClaimHours: null,
      avgResolveHours: null,
    });
    const empty = await overview(tok.center, { districtCode: '150202' });
    expect(values(empty)).toMatchObject({ received: 0, effective: 0, responseRate: null, completionRate: null, onTimeRate: null, overdueOpen: 0 });
    await expectDrillDown(t, tok.center, police, 'police_service');
  });

  it('groups by station (the one holding or named to claim it) with each group drillable', async () => {
    const by = await getJson<{ items: ({ key: string | null; label: string } & FigureSet)[] }>(t, tok.center, '/api/stats/by?dimension=station');
    const received = Object.fromEntries(by.items.map((i) => [i.key ?? 'none', i.received.value]));
    expect(received).toEqual({ [station['jy-court']!]: 2, [station['kd-court']!]: 2, [station['jy-legal']!]: 1, [station['jy-police']!]: 2, none: 2 });
    const kd = by.items.find((i) => i.key === station['kd-court'])!;
    expect(values(kd)).toMatchObject({ received: 2, onTimeRate: 0, overdueOpen: 1, satisfactionScore: 80 });
    for (const item of by.items) await expectDrillDown(t, tok.center, item, item.label);
  });

  it('groups by station type, district, category, channel and month, and each group adds up', async () => {
    for (const dimension of ['stationType', 'district', 'category', 'channel', 'month']) {
      const by = await getJson<{ items: FigureSet[] }>(t, tok.center, `/api/stats/by?dimension=${dimension}`);
      expect(
        by.items.reduce((n, i) => n + (i.received.value ?? 0), 0),
        dimension,
      ).toBe(9);
      for (const item of by.items.filter((i) => i.received.value)) await expectDrillDown(t, tok.center, item, dimension);
    }
    const trend = await getJson<{ items: ({ key: string } & FigureSet)[] }>(t, tok.center, '/api/stats/trend');
    expect(trend.items).toHaveLength(12);
    expect(trend.items.at(-1)).toMatchObject({ key: '2026-03', received: { value: 9 } });
    expect(trend.items[0]).toMatchObject({ key: '2025-04', received: { value: 0 }, responseRate: { value: null } });
  });
});

describe('scope', () => {
  it("excludes other districts from a district dispatcher's figures", async () => {
    const set = await overview(tok.jyCenter);
    expect(values(set)).toMatchObject({ received: 8, effective: 6, responseRate: 0.75, completionRate: 0.5, overdueOpen: 1, avgClaimHours: 1.67 });
    expect(set.colors.red.value).toBe(1);
    await expectDrillDown(t, tok.jyCenter, set, 'jy_center');
    const districts = await getJson<{ items: { key: string }[] }>(t, tok.jyCenter, '/api/stats/by?dimension=district');
    expect(districts.items.map((i) => i.key)).toEqual(['150207']);
    // Asking for another district does not widen the scope.
    expect((await overview(tok.jyCenter, { districtCode: '150203' })).received.value).toBe(0);
  });

  it('gives a station user the figures of the own station', async () => {
    const set = await overview(tok.jyCourt, { stationId: station['kd-court'] });
    expect(values(set)).toMatchObject({ received: 2, effective: 1, completionRate: 1, onTimeRate: 1, satisfactionScore: 100 });
    await expectDrillDown(t, tok.jyCourt, set, 'jy_court');
  });

  it('lets a leader and an admin read the city', async () => {
    expect((await overview(tok.leader)).received.value).toBe(9);
    expect((await overview(tok.admin)).received.value).toBe(9);
  });
});

describe('ranking, colours and the daily digest', () => {
  it('ranks stations by satisfaction score then on-time rate, above a minimum volume', async () => {
    const r = await getJson<{ items: { rank: number; stationId: string; satisfactionScore: { value: number } }[]; belowMinimum: { stationId: string }[] }>(
      t,
      tok.center,
      '/api/stats/ranking?minVolume=1',
    );
    // jy-court and jy-legal tie (score 100, on time 1, one effective ticket each); kd-court scores 80; jy-police has no rating.
    expect(r.items.map((i) => i.rank)).toEqual([1, 2, 3, 4]);
    expect(
      r.items
        .slice(0, 2)
        .map((i) => i.stationId)
        .sort(),
    ).toEqual([station['jy-court'], station['jy-legal']].sort());
    expect(r.items.slice(2).map((i) => i.stationId)).toEqual([station['kd-court'], station['jy-police']]);
    expect(r.items[2]!.satisfactionScore.value).toBe(80);
    const strict = await getJson<{ items: unknown[]; belowMinimum: unknown[] }>(t, tok.center, '/api/stats/ranking?minVolume=2');
    expect(strict.items).toHaveLength(2); // kd-court and jy-police have 2 effective tickets; jy-court has 1 (D withdrawn)
    expect(strict.belowMinimum).toHaveLength(2);
  });

  it('shows open tickets per colour per station and per district', async () => {
    const board = await getJson<{ items: { key: string | null; red: { value: number; filter: object }; total: { value: number; filter: object } }[] }>(
      t,
      tok.center,
      '/api/stats/colors?by=district',
    );
    expect(Object.fromEntries(board.items.map((i) => [i.key, [i.red.value, i.total.value]]))).toEqual({ '150207': [1, 3], '150203': [1, 1] });
    for (const item of board.items) {
      expect(await listed(t, tok.center, item.red.filter as Record<string, unknown>)).toBe(item.red.value);
      expect(await listed(t, tok.center, item.total.filter as Record<string, unknown>)).toBe(item.total.value);
    }
    const byStation = await getJson<{ items: { key: string | null; total: { value: number } }[] }>(t, tok.center, '/api/stats/colors');
    expect(Object.fromEntries(byStation.items.map((i) => [i.key ?? 'none', i.total.value]))).toEqual({
      [station['jy-police']!]: 2,
      [station['kd-court']!]: 1,
      none: 1,
    });
  });

  it("gives each station its to-do, what is due today and what is overdue, for the station's own list", async () => {
    clock.set(new Date(Date.parse('2026-03-09T02:00:00Z'))); // Monday 10:00: A…J's 5-day deadlines end tonight
    try {
      const digest = await getJson<{
        items: { stationId: string; todo: { value: number; filter: object }; dueToday: { value: number; filter: object }; overdue: { value: number } }[];
      }>(t, tok.jyCenter, '/api/stats/digest');
      const police = digest.items.find((i) => i.stationId === station['jy-police'])!;
      expect(police).toMatchObject({ todo: { value: 2 }, dueToday: { value: 1 }, overdue: { value: 0 } }); // E due tonight; F (filed later) counts as to-do
      expect(digest.items.every((i) => i.stationId !== station['kd-court'])).toBe(true); // another district's station
      const own = await getJson<{ items: { stationId: string; todo: { value: number; filter: object } }[] }>(
        t,
        await t.login('jy_police'),
        '/api/stats/digest',
      );
      expect(own.items.map((i) => i.stationId)).toEqual([station['jy-police']]);
      expect(await listed(t, tok.jyCenter, police.todo.filter as Record<string, unknown>)).toBe(2);
      expect(await listed(t, tok.jyCenter, police.dueToday.filter as Record<string, unknown>)).toBe(1);
    } finally {
      clock.set(new Date(NOW));
    }
  });
});

/**
 * Several hundred tickets driven through random valid actions over HTTP on a moving clock; then every
 * figure, overall and by each dimension, recomputed in TypeScript from ticket_events alone (plus the
 * immutable district and category of each ticket and the stations' types) equals the SQL answer.
 */
import { COLORS, type Color, ticketColor } from '@ys/shared';
import { type SQL, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSweep } from '../src/modules/tickets/sweep.ts';
import { enterpriseToken, post, ticketBody, uscc } from './fixtures.ts';
import { build, type TestApp, TestClock } from './helper.ts';
import { expectDrillDown, type FigureSet, getJson, values } from './stats-support.ts';

const TICKETS = Number(process.env.STATS_TICKETS ?? 300);
const HOUR = 3600_000;
const SEED = Number(process.env.STATS_SEED ?? 20261122);

/** mulberry32: a small seeded generator, so that a failing history can be replayed (STATS_SEED). */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(SEED);
const chance = (p: number) => random() < p;
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const STATION_USERS: Record<string, string> = {
  'jy-court': 'jy_court',
  'kd-court': 'kd_court',
  'jy-proc': 'jy_proc',
  'dh-proc': 'dh_proc',
  'jy-police': 'jy_police',
  'qs-police': 'qs_police',
  'jy-legal': 'jy_legal',
  'kd-legal': 'kd_legal',
};
const CATEGORIES = [
  'legal_consult',
  'case_progress',
  'enforcement',
  'ip_protection',
  'procuratorial',
  'compliance',
  'public_security',
  'police_service',
  'business_env',
  'suggestion',
  'other',
];
const DISTRICTS = ['150207', '150207', '150203', '150202', '150204', '150205'];
const SATISFACTION = ['satisfied', 'satisfied', 'basically_satisfied', 'dissatisfied'] as const;

interface Station {
  id: string;
  code: string;
  type: string;
  districtCode: string;
  token: string;
}
interface ListItem {
  id: string;
  color: Color | null;
  resolveDueAt: string;
}
interface ListPage {
  items: ListItem[];
  total: number | null;
  nextCursor: string | null;
}
interface Sim {
  id: string;
  no: string;
  own: boolean; // filed by the business (it can rate, supplement, withdraw)
  d: Detail;
}
interface Detail {
  status: string;
  stationId: string | null;
  targetStationId: string | null;
  poolType: string | null;
  poolDistrictCode: string | null;
  awaitingSupplement: boolean;
  extensionPendingDays: number | null;
  ratedVia: string | null;
  firstClaimedAt?: string | null;
}

let t: TestApp;
const clock = new TestClock();
let ent: string;
let center: string;
let stations: Station[];
const sims: Sim[] = [];
const tally = { requests: 0, refused: [] as string[] };

async function act(token: string, url: string, payload: unknown = {}): Promise<Record<string, unknown> | null> {
  tally.requests++;
  const res = await post(t, token, url, payload);
  if (res.statusCode === 409) {
    tally.refused.push(`${url.replace(/[0-9a-f-]{36}|YS\d{14}/, ':id')} ${res.json().error.message}`);
    return null;
  }
  expect(res.statusCode, `${url}: ${res.body}`).toBeLessThan(300);
  return res.json();
}

async function refresh(s: Sim) {
  const res = await t.as(center, { method: 'GET', url: `/api/tickets/${s.id}` });
  s.d = res.json();
}

function destination(s: Sim): Record<string, string> {
  const others = stations.filter((x) => x.id !== s.d.stationId && x.id !== s.d.targetStationId);
  const to = pick(others);
  return chance(0.5) ? { stationId: to.id } : { poolType: to.type, districtCode: to.districtCode };
}

const eligible = (d: Detail) =>
  d.targetStationId ? stations.find((x) => x.id === d.targetStationId) : stations.find((x) => x.type === d.poolType && x.districtCode === d.poolDistrictCode);

async function fileOne() {
  const category = pick(CATEGORIES);
  const districtCode = pick(DISTRICTS);
  const station = chance(0.7) ? pick(stations) : null;
  if (chance(0.15)) {
    const body = {
      ...ticketBody({ categoryCode: category, districtCode }),
      stationCode: undefined,
      consent: undefined,
      contactPhone: '13800000001',
      proxySource: '走访',
      uscc: uscc(),
    };
    const d = await act(center, '/api/tickets', body);
    sims.push({ id: d!.id as string, no: d!.no as string, own: false, d: d as unknown as Detail });
    return;
  }
  tally.requests++;
  const res = await t.as(ent, {
    method: 'POST',
    url: '/api/public/tickets',
    payload: ticketBody({ categoryCode: category, districtCode, stationCode: station?.code }),
  });
  expect(res.statusCode, res.body).toBe(201);
  const no = res.json().no as string;
  const found = await getJson<{ items: (Detail & { id: string })[] }>(t, center, `/api/tickets?q=${no}`);
  sims.push({ id: found.items[0]!.id, no, own: true, d: { ...found.items[0]!, ratedVia: null } });
}

async function step(s: Sim) {
  const d = s.d;
  const on = (token: string, action: string, payload: unknown = {}) => act(token, `/api/tickets/${s.id}/${action}`, payload);
  let next: Record<string, unknown> | null = null;
  // The business's answer (PublicTicket) carries what changes: the status, the supplement flag, the rating.
  const byBusiness = async (action: string, payload: unknown) => {
    const p = await act(ent, `/api/public/tickets/${s.no}/${action}`, payload);
    if (p) s.d = { ...d, status: p.status as string, awaitingSupplement: p.awaitingSupplement as boolean, ratedVia: p.satisfaction ? 'online' : d.ratedVia };
  };
  const r = random();
  switch (d.status) {
    case 'pending_dispatch':
      if (r < 0.75) next = await on(center, 'dispatch', destination(s));
      else if (r < 0.85) next = await on(center, 'invalidate', { reason: '无效诉求' });
      else if (r < 0.92 && s.own) await byBusiness('withdraw', { reason: '已解决' });
      break;
    case 'pending_claim': {
      const st = eligible(d)!;
      if (r < 0.75) next = await on(st.token, 'claim');
      else if (r < 0.83) next = await on(st.token, 'transfer', { ...destination(s), reason: '非本站职能' });
      else if (r < 0.88) next = await on(st.token, 'return', { reason: '需中心协调' });
      else if (r < 0.92) next = await on(center, 'invalidate', { reason: '重复' });
      else if (r < 0.96 && s.own) await byBusiness('withdraw', { reason: '已解决' });
      break;
    }
    case 'in_progress': {
      const holder = stations.find((x) => x.id === d.stationId)!;
      if (d.extensionPendingDays !== null && r < 0.5) next = await on(center, 'extension/decision', { approve: chance(0.7), note: '审批' });
      else if (d.awaitingSupplement && s.own && r < 0.5) await byBusiness('supplements', { content: '补充材料' });
      else if (r < 0.55) next = await on(holder.token, 'resolve', { result: '已办理' });
      else if (r < 0.63 && !d.awaitingSupplement) next = await on(holder.token, 'request-supplement', { content: '请补充' });
      else if (r < 0.71 && d.extensionPendingDays === null)
        next = await on(holder.token, 'extension', { days: 1 + Math.floor(random() * 5), reason: '需调查' });
      else if (r < 0.76) next = await on(holder.token, 'transfer', { ...destination(s), reason: '转办' });
      else if (r < 0.8) next = await on(holder.token, 'return', { reason: '退回' });
      else if (r < 0.84) next = await on(center, 'supervise', { note: '督办' });
      else if (r < 0.87 && s.own) await byBusiness('withdraw', { reason: '不需要了' });
      break;
    }
    case 'resolved':
      if (r < 0.5 && s.own) await byBusiness('rating', { solved: chance(0.7), satisfaction: pick(SATISFACTION) });
      else if (r < 0.7) next = await on(center, 'visit', { method: 'phone', solved: chance(0.7), satisfaction: pick(SATISFACTION), note: '回访' });
      break;
    case 'closed':
      if (r < 0.3) next = await on(center, 'visit', { method: 'phone', solved: chance(0.6), satisfaction: pick(SATISFACTION), note: '补充回访' });
      break;
  }
  if (next) s.d = next as unknown as Detail;
}

beforeAll(async () => {
  t = await build({}, clock);
  ent = await enterpriseToken(t);
  center = await t.login('center');
  const dicts = await getJson<{ stations: { id: string; code: string; type: string; districtCode: string }[] }>(t, center, '/api/dicts');
  stations = [];
  for (const s of dicts.stations) stations.push({ ...s, token: await t.login(STATION_USERS[s.code]!) });
}, 120_000);
afterAll(() => t.close());

// ── the recomputation, from ticket_events alone ──────────────────────────────────────────────

interface Facts {
  createdAt: number;
  channel: string;
  districtCode: string;
  categoryCode: string;
  status: string;
  closedAt: number | null;
  holder: string | null;
  poolType: string | null;
  firstPoolAt: number | null;
  firstClaimDue: number | null;
  firstClaimedAt: number | null;
  claimDueAt: number | null;
  resolveDueAt: number;
  firstResolvedAt: number | null;
  firstResolvedOnTime: boolean | null;
  rating: { solved: boolean; satisfaction: string } | null;
}

interface EventRow extends Record<string, unknown> {
  ticket_id: string;
  type: string;
  data: Record<string, unknown>;
  created_at: string | Date;
}

async function factsFromEvents(): Promise<Facts[]> {
  const events = await t.database.rows<EventRow>(sql`select ticket_id, type, data, created_at from ticket_events order by id`);
  // Immutable attributes filed with the ticket and never changed by any event.
  const attrs = await t.database.rows<{ id: string; district_code: string; category_code: string }>(sql`select id, district_code, category_code from tickets`);
  const attr = new Map(attrs.map((a) => [a.id, a]));
  const typeOf = new Map(stations.map((s) => [s.id, s.type]));
  const facts = new Map<string, Facts>();
  const ms = (v: unknown) => new Date(v as string).getTime();
  for (const e of events) {
    const at = ms(e.created_at);
    const d = e.data;
    if (e.type === 'submitted') {
      const a = attr.get(e.ticket_id)!;
      const inPool = d.status === 'pending_claim';
      facts.set(e.ticket_id, {
        createdAt: at,
        channel: d.channel as string,
        districtCode: a.district_code,
        categoryCode: a.category_code,
        status: d.status as string,
        closedAt: null,
        holder: (d.targetStationId as string | null) ?? null,
        poolType: (d.poolType as string | null) ?? null,
        firstPoolAt: inPool ? at : null,
        firstClaimDue: inPool ? ms(d.claimDueAt) : null,
        firstClaimedAt: null,
        claimDueAt: inPool ? ms(d.claimDueAt) : null,
        resolveDueAt: ms(d.resolveDueAt),
        firstResolvedAt: null,
        firstResolvedOnTime: null,
        rating: null,
      });
      continue;
    }
    const f = facts.get(e.ticket_id)!;
    switch (e.type) {
      case 'dispatched':
      case 'transferred':
        f.status = 'pending_claim';
        f.holder = (d.toStationId as string | undefined) ?? null;
        f.poolType = (d.poolType as string | undefined) ?? typeOf.get(d.toStationId as string) ?? null;
        f.claimDueAt = ms(d.claimDueAt);
        if (f.firstPoolAt === null) {
          f.firstPoolAt = at;
          f.firstClaimDue = f.claimDueAt;
        }
        break;
      case 'claimed':
        f.status = 'in_progress';
        f.holder = d.stationId as string;
        f.firstClaimedAt ??= at;
        break;
      case 'returned':
        f.status = 'pending_dispatch';
        f.holder = null;
        f.poolType = null;
        f.claimDueAt = null;
        break;
      case 'extension_decided':
        if (d.approve) f.resolveDueAt = ms(d.resolveDueAt);
        break;
      case 'resolved':
        f.status = 'resolved';
        if (f.firstResolvedAt === null) {
          f.firstResolvedAt = at;
          f.firstResolvedOnTime = at <= f.resolveDueAt;
        }
        break;
      case 'rated':
        f.rating = { solved: d.solved as boolean, satisfaction: d.satisfaction as string };
        break;
      case 'visited':
        if (d.countsAsRating !== false) f.rating = { solved: d.solved as boolean, satisfaction: d.satisfaction as string };
        break;
      case 'reopened':
        f.status = 'in_progress';
        break;
      case 'closed':
        f.status = 'closed';
        f.closedAt = at;
        break;
      case 'withdrawn':
        f.status = 'withdrawn';
        f.closedAt = at;
        break;
      case 'invalidated':
      case 'merged':
        f.status = 'invalid';
        f.closedAt = at;
        break;
    }
  }
  return [...facts.values()];
}

const OPEN = ['pending_dispatch', 'pending_claim', 'in_progress'];
const round = (num: number, den: number, digits: number) => (den === 0 ? null : Math.round((num * 10 ** digits) / den) / 10 ** digits);

function figuresOf(list: Facts[], now: number) {
  const effective = list.filter((f) => f.status !== 'withdrawn' && f.status !== 'invalid');
  const response = (f: Facts) => {
    if (f.firstPoolAt === null) return 'none';
    if (f.firstClaimedAt !== null) return f.firstClaimedAt <= f.firstClaimDue! ? 'on_time' : 'late';
    const end = f.status === 'withdrawn' || f.status === 'invalid' ? f.closedAt! : now;
    return f.firstClaimDue! < end ? 'late' : 'not_due';
  };
  const responseDue = list.filter((f) => response(f) === 'on_time' || response(f) === 'late');
  const completed = effective.filter((f) => f.status === 'resolved' || (f.status === 'closed' && f.firstResolvedAt !== null));
  const resolved = list.filter((f) => f.firstResolvedAt !== null);
  const rated = list.filter((f) => f.rating !== null);
  const count = (xs: Facts[], p: (f: Facts) => boolean) => xs.filter(p).length;
  const satisfied = count(rated, (f) => f.rating!.satisfaction === 'satisfied');
  const basically = count(rated, (f) => f.rating!.satisfaction === 'basically_satisfied');
  const claimed = list.filter((f) => f.firstClaimedAt !== null);
  const hours = (xs: Facts[], end: (f: Facts) => number) =>
    xs.length === 0 ? null : Math.round((xs.reduce((sum, f) => sum + end(f) - f.createdAt, 0) * 100) / (xs.length * HOUR)) / 100;
  const colorOf = (f: Facts) =>
    ticketColor(
      {
        status: f.status as never,
        createdAt: new Date(f.createdAt),
        resolveDueAt: new Date(f.resolveDueAt),
        claimDueAt: f.claimDueAt === null ? null : new Date(f.claimDueAt),
      },
      new Date(now),
    );
  return {
    received: list.length,
    effective: effective.length,
    responseRate: round(
      count(responseDue, (f) => response(f) === 'on_time'),
      responseDue.length,
      4,
    ),
    completionRate: round(completed.length, effective.length, 4),
    onTimeRate: round(
      count(resolved, (f) => f.firstResolvedOnTime === true),
      resolved.length,
      4,
    ),
    solvedRate: round(
      count(rated, (f) => f.rating!.solved),
      rated.length,
      4,
    ),
    satisfactionRate: round(satisfied + basically, rated.length, 4),
    satisfactionScore: round(100 * satisfied + 80 * basically, rated.length, 2),
    overdueOpen: count(list, (f) => OPEN.includes(f.status) && f.resolveDueAt < now),
    avgClaimHours: hours(claimed, (f) => f.firstClaimedAt!),
    avgResolveHours: hours(resolved, (f) => f.firstResolvedAt!),
    colors: Object.fromEntries((['red', 'orange', 'yellow', 'green'] as const).map((c) => [c, count(list, (f) => colorOf(f) === c)])),
  };
}

const monthKey = (ms: number) => new Date(ms + 8 * HOUR).toISOString().slice(0, 7);
const KEYS: Record<string, (f: Facts) => string | null> = {
  station: (f) => f.holder,
  stationType: (f) => f.poolType,
  district: (f) => f.districtCode,
  category: (f) => f.categoryCode,
  channel: (f) => f.channel,
  month: (f) => monthKey(f.createdAt),
};

describe('every figure recomputed from ticket_events equals the SQL answer', () => {
  it(`drives ${TICKETS} tickets through random valid actions (seed ${SEED}), then compares overall and by every dimension`, async () => {
    const started = Date.now();
    clock.set('2026-01-05T01:00:00Z');
    let steps = 0;
    while (sims.length < TICKETS || steps < TICKETS * 4) {
      clock.advance(Math.floor(random() * 7 * HOUR));
      if (sims.length < TICKETS && chance(0.3)) await fileOne();
      const live = sims.filter((s) => OPEN.includes(s.d.status) || s.d.status === 'resolved' || (s.d.status === 'closed' && s.d.ratedVia === null));
      if (live.length > 0) await step(pick(live));
      if (++steps % 25 === 0) {
        // The sweep closes resolved tickets unrated for 7 days: those are read again.
        if ((await runSweep(t.database, clock.now())).closed > 0) for (const s of sims.filter((x) => x.d.status === 'resolved')) await refresh(s);
      }
      if (steps > TICKETS * 8) break;
    }
    const now = clock.now().getTime();
    const facts = await factsFromEvents();
    expect(facts).toHaveLength(TICKETS);

    const overview = await getJson<FigureSet>(t, center, '/api/stats/overview');
    expect(values(overview)).toEqual(figuresOf(facts, now));
    await expectDrillDown(t, center, overview, 'overall');

    const months = [...new Set(facts.map((f) => monthKey(f.createdAt)))].sort();
    for (const [dimension, keyOf] of Object.entries(KEYS)) {
      const range = dimension === 'month' ? `&from=${new Date(`${months[0]}-01T00:00:00+08:00`).toISOString()}` : '';
      const by = await getJson<{ items: ({ key: string | null } & FigureSet)[] }>(t, center, `/api/stats/by?dimension=${dimension}${range}`);
      const groups = new Map<string | null, Facts[]>();
      for (const f of facts) groups.set(keyOf(f), [...(groups.get(keyOf(f)) ?? []), f]);
      const sqlAnswer = Object.fromEntries(by.items.filter((i) => i.received.value).map((i) => [String(i.key), values(i)]));
      const tsAnswer = Object.fromEntries([...groups].map(([k, list]) => [String(k), figuresOf(list, now)]));
      expect(sqlAnswer, dimension).toEqual(tsAnswer);
    }
    // A range cut inside months (the settled tickets of its partial months are counted one by one, the whole
    // months come from the rollup), overall and by station, and one station's own figures.
    const first = Math.min(...facts.map((f) => f.createdAt));
    const last = Math.max(...facts.map((f) => f.createdAt));
    const from = first + Math.floor((last - first) * 0.2) + 1234;
    const to = first + Math.floor((last - first) * 0.85) + 5678;
    const inRange = facts.filter((f) => f.createdAt >= from && f.createdAt < to);
    const range = `from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`;
    expect(values(await getJson<FigureSet>(t, center, `/api/stats/overview?${range}`)), 'range').toEqual(figuresOf(inRange, now));
    const byStation = await getJson<{ items: ({ key: string | null } & FigureSet)[] }>(t, center, `/api/stats/by?dimension=station&${range}`);
    const groups = new Map<string | null, Facts[]>();
    for (const f of inRange) groups.set(f.holder, [...(groups.get(f.holder) ?? []), f]);
    expect(Object.fromEntries(byStation.items.map((i) => [String(i.key), values(i)])), 'range by station').toEqual(
      Object.fromEntries([...groups].map(([k, list]) => [String(k), figuresOf(list, now)])),
    );
    const busiest = stations.reduce((a, b) => (facts.filter((f) => f.holder === a.id).length >= facts.filter((f) => f.holder === b.id).length ? a : b));
    expect(values(await getJson<FigureSet>(t, busiest.token, '/api/stats/overview')), 'own station').toEqual(
      figuresOf(
        facts.filter((f) => f.holder === busiest.id),
        now,
      ),
    );

    // The rollup kept by the trigger, once merged, is the one computed from the tickets afresh.
    await runSweep(t.database, clock.now());
    const rollup = sql`select month::text, district_code, holder::text, pool_type, category_code, channel, received, effective, response_on_time,
      response_due, completed, resolved, resolved_on_time, rated, solved, satisfied, basically_satisfied, claimed,
      claim_seconds::float8 as claim_seconds, resolve_seconds::float8 as resolve_seconds`;
    const kept = await t.database.rows(sql`${rollup} from ticket_stats order by 1, 2, 3, 4, 5, 6`);
    const fresh = await t.database.rows(sql`with r as (
        select c.month, c.district_code, c.holder, c.pool_type, c.category_code, c.channel, sum(c.received)::int as received,
          sum(c.effective)::int as effective, sum(c.response_on_time)::int as response_on_time, sum(c.response_due)::int as response_due,
          sum(c.completed)::int as completed, sum(c.resolved)::int as resolved, sum(c.resolved_on_time)::int as resolved_on_time,
          sum(c.rated)::int as rated, sum(c.solved)::int as solved, sum(c.satisfied)::int as satisfied,
          sum(c.basically_satisfied)::int as basically_satisfied, sum(c.claimed)::int as claimed,
          sum(c.claim_seconds) as claim_seconds, sum(c.resolve_seconds) as resolve_seconds
        from tickets t, ticket_stats_of(t, 1) c where ticket_stats_settled(t) group by 1, 2, 3, 4, 5, 6
      ) ${rollup} from r as ticket_stats order by 1, 2, 3, 4, 5, 6`);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept).toEqual(fresh);

    // The stations' histories kept by the triggers are the ones computed from the events afresh, and a station
    // holds only tickets of its history (tickets/scope.ts stationScopeParts relies on it).
    const keptHistories = await t.database.rows(sql`select station_id::text, ticket_id::text, open from station_tickets order by 1, 2`);
    const freshHistories = await t.database.rows(sql`select distinct e.actor_station_id::text as station_id, e.ticket_id::text as ticket_id,
        t.status in ('pending_dispatch', 'pending_claim', 'in_progress') as open
      from ticket_events e join tickets t on t.id = e.ticket_id where e.actor_station_id is not null order by 1, 2`);
    expect(keptHistories.length).toBeGreaterThan(0);
    expect(keptHistories).toEqual(freshHistories);
    expect(
      await t.database.rows(sql`select id from tickets t where station_id is not null
        and not exists (select 1 from station_tickets st where st.station_id = t.station_id and st.ticket_id = t.id)`),
    ).toEqual([]);
    // Each history's length as its +1/−1 rows add it up (stationScopeCount reads it), before and after the sweep's merge.
    const lengths = sql`select station_id::text, sum(n)::int as n from station_history_counts group by 1 having sum(n) <> 0 order by 1`;
    const freshLengths = await t.database.rows(sql`select station_id::text, count(*)::int as n from station_tickets group by 1 order by 1`);
    expect(freshLengths.length).toBeGreaterThan(0);
    expect(await t.database.rows(lengths)).toEqual(freshLengths);
    await t.database.rows(sql`select station_history_counts_compact()`);
    expect(await t.database.rows(lengths)).toEqual(freshLengths);
    expect(await t.database.rows(sql`select station_id from station_history_counts group by 1 having count(*) > 1`)).toEqual([]);

    // Each station's "all" list (open part, then settled part) and the city's are the scope's tickets, once each,
    // in urgency order, whether paged by number or by cursor, with the right total.
    // Colour filters of several colours (narrowed by the indexed yellow/orange instants) count what the rule says.
    for (const set of [['red', 'orange'], ['red', 'orange', 'yellow'], ['yellow', 'green'], ['green'], ['orange', 'green']] as Color[][]) {
      const expected = facts.filter((f) => {
        const c = ticketColor(
          {
            status: f.status as never,
            createdAt: new Date(f.createdAt),
            resolveDueAt: new Date(f.resolveDueAt),
            claimDueAt: f.claimDueAt === null ? null : new Date(f.claimDueAt),
          },
          new Date(now),
        );
        return c !== null && set.includes(c);
      }).length;
      expect((await getJson<ListPage>(t, center, `/api/tickets?view=all&pageSize=1&color=${set.join(',')}`)).total, set.join(',')).toBe(expected);
    }

    const stationScope = (s: Station) => sql`(t.station_id = ${s.id} or t.target_station_id = ${s.id}
      or (t.status = 'pending_claim' and (t.target_station_id = ${s.id} or (t.target_station_id is null and t.pool_type = ${s.type} and t.pool_district_code = ${s.districtCode})))
      or exists (select 1 from ticket_events e where e.ticket_id = t.id and e.actor_station_id = ${s.id}))`;
    const pendingClaim = (s: Station) => sql`(t.status = 'pending_claim' and (t.target_station_id = ${s.id}
      or (t.target_station_id is null and t.pool_type = ${s.type} and t.pool_district_code = ${s.districtCode})))`;
    // Each caller with its scope and its pool (a station's pools; the centre's: the tickets waiting for dispatch).
    const callers: [string, SQL, SQL][] = [
      ...stations.map((s): [string, SQL, SQL] => [s.token, stationScope(s), pendingClaim(s)]),
      [center, sql`true`, sql`t.status = 'pending_dispatch'`],
    ];
    /** The list with these filters, paged by number and by cursor, holds exactly the expected tickets in urgency order. */
    const listHolds = async (token: string, query: string, where: SQL) => {
      const expected = (await t.database.rows<{ id: string }>(sql`select t.id::text as id from tickets t where ${where} order by 1`)).map((r) => r.id);
      const byNumber: ListItem[] = [];
      for (let page = 1; ; page++) {
        const body = await getJson<ListPage>(t, token, `/api/tickets?${query}&pageSize=7&page=${page}`);
        expect(body.total, `${query} page ${page}`).toBe(expected.length);
        if (!body.items.length) break;
        byNumber.push(...body.items);
      }
      const byCursor: ListItem[] = [];
      for (let cursor = ''; ; ) {
        const body = await getJson<ListPage>(t, token, `/api/tickets?${query}&pageSize=9${cursor && `&cursor=${cursor}`}`);
        byCursor.push(...body.items);
        if (!body.nextCursor) break;
        cursor = body.nextCursor;
      }
      expect(byNumber.map((i) => i.id).sort(), query).toEqual(expected);
      expect(
        byCursor.map((i) => i.id),
        query,
      ).toEqual(byNumber.map((i) => i.id));
      const rank = (i: ListItem) => (i.color ? COLORS.indexOf(i.color) : COLORS.length);
      const keys = byNumber.map((i) => [rank(i), new Date(i.resolveDueAt).getTime()] as const);
      expect(keys, `urgency order ${query}`).toEqual([...keys].sort((a, b) => a[0] - b[0] || a[1] - b[1]));
    };
    for (const [token, scope, pool] of callers) {
      await listHolds(token, 'view=all', scope);
      // Open tickets only (counted and paged from one scan of their order keys): by status, by colour, the pool.
      await listHolds(token, 'view=all&status=pending_claim,in_progress', sql`${scope} and t.status in ('pending_claim', 'in_progress')`);
      await listHolds(token, 'view=all&color=red,orange,yellow,green', sql`${scope} and t.status in ('pending_dispatch', 'pending_claim', 'in_progress')`);
      await listHolds(token, 'view=pool', pool);
    }

    const statuses: Record<string, number> = {};
    for (const f of facts) statuses[f.status] = (statuses[f.status] ?? 0) + 1;
    console.info(
      `stats-recompute: ${TICKETS} tickets, ${tally.requests} actions, ${months.length} months, ` +
        `statuses ${JSON.stringify(statuses)}, ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    expect(tally.refused).toEqual([]);
  }, 180_000);
});

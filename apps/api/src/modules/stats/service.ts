/**
 * The official figures (DESIGN §5, docs/figures.md): one aggregate query over the tickets of the request
 * (in the caller's scope), grouped by a dimension. Every figure comes with the ticket-list filter that
 * reproduces the tickets behind it: the same WHERE builder (listWhere) and the same predicates (measure).
 */
import { CHANNEL_LABELS, type Channel, endOfShanghaiDay, STATION_TYPE_LABELS, type StationType, shanghaiDate } from '@ys/shared';
import { categories, districts, stations, tickets } from '@ys/shared/schema';
import { type SQL, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { type Static, Type } from 'typebox';
import { validation } from '../../errors.ts';
import { ListQuery, type ListQueryT, listWhere, measure, todoOf } from '../tickets/list.ts';
import { colorSql } from '../tickets/repo.ts';
import { isStationRole, type StaffContext, scopeFilter } from '../tickets/scope.ts';

export const DIMENSIONS = ['station', 'stationType', 'district', 'category', 'channel', 'month'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

const FILTER_KEYS = ['from', 'to', 'districtCode', 'stationType', 'categoryCode', 'channel', 'stationId'] as const;
const P = ListQuery.properties;
/** The filters of the figures: those of GET /api/tickets that choose which tickets are counted. */
export const StatsFilters = {
  from: P.from,
  to: P.to,
  districtCode: P.districtCode,
  stationType: P.stationType,
  categoryCode: P.categoryCode,
  channel: P.channel,
  stationId: P.stationId,
};
export const StatsQuery = Type.Object(StatsFilters);
export type StatsQueryT = Static<typeof StatsQuery>;

/** A ticket-list filter (query parameters of GET /api/tickets). */
export type Filter = Partial<ListQueryT>;

export interface Figure {
  value: number | null;
  numerator?: number;
  denominator?: number;
  /** The tickets behind the figure (for a rate: its denominator). */
  filter: Filter;
  /** For a rate: the tickets of its numerator. */
  numeratorFilter?: Filter;
}

export interface FigureSet {
  received: Figure;
  effective: Figure;
  responseRate: Figure;
  completionRate: Figure;
  onTimeRate: Figure;
  solvedRate: Figure;
  satisfactionRate: Figure;
  satisfactionScore: Figure;
  overdueOpen: Figure;
  avgClaimHours: Figure;
  avgResolveHours: Figure;
  colors: { red: Figure; orange: Figure; yellow: Figure; green: Figure };
}

export interface FigureRow extends FigureSet {
  key: string | null;
  label: string;
  filter: Filter;
}

/** The raw answer of the aggregate query: counts, and the rates computed from them (null on a zero denominator). */
interface Counts extends Record<string, unknown> {
  key: string | null;
  received: number;
  effective: number;
  response_on_time: number;
  response_due: number;
  completed: number;
  resolved: number;
  resolved_on_time: number;
  rated: number;
  solved: number;
  satisfied: number;
  basically_satisfied: number;
  overdue_open: number;
  claimed: number;
  avg_claim_hours: number | null;
  avg_resolve_hours: number | null;
  red: number;
  orange: number;
  yellow: number;
  green: number;
  response_rate: number | null;
  completion_rate: number | null;
  on_time_rate: number | null;
  solved_rate: number | null;
  satisfaction_rate: number | null;
  satisfaction_score: number | null;
}

const iso = (d: Date) => d.toISOString();
const at = (d: Date) => sql`${iso(d)}::timestamptz`;

// ── the request's tickets ──────────────────────────────────────────────────────────────────

/** The list filter of every ticket this request counts: its filters, and a station user's own station. */
export function baseFilter(q: StatsQueryT, ctx: StaffContext): Filter {
  const f: Filter = {};
  for (const k of FILTER_KEYS) if (q[k] !== undefined) (f as Record<string, unknown>)[k] = q[k];
  // Station users read the figures of their own station (the tickets it holds or is named to claim).
  if (isStationRole(ctx.role) && ctx.station) f.stationId = ctx.station.id;
  return f;
}

const whereOf = (filter: Filter, ctx: StaffContext, now: Date) => listWhere({ ...filter, view: 'all' }, ctx, now) ?? sql`true`;

// ── the aggregate ──────────────────────────────────────────────────────────────────────────
//
// A settled ticket's figures no longer depend on the clock: they are summed up in the ticket_stats rollup
// (drizzle/0003, kept by a trigger in the ticket's own transaction). The figures add the live tickets
// (measure.live, a few per cent) one by one to the rollup's whole months, and count the settled tickets of a
// partial month at either end of the range one by one as well. All counts are additive: the averages are
// sums of seconds over counts, the rates are computed once everything is added up.

/** The additive columns, in the order both parts of the union give them. */
const ADDITIVE = [
  'received',
  'effective',
  'response_on_time',
  'response_due',
  'completed',
  'resolved',
  'resolved_on_time',
  'rated',
  'solved',
  'satisfied',
  'basically_satisfied',
  'claimed',
  'claim_seconds',
  'resolve_seconds',
  'overdue_open',
  'red',
  'orange',
  'yellow',
  'green',
] as const;
type Additive = (typeof ADDITIVE)[number];
const columns = (of: Record<Additive, SQL>) =>
  sql.join(
    ADDITIVE.map((c) => sql`${of[c]} as ${sql.raw(c)}`),
    sql`, `,
  );

/**
 * The live part: the request's tickets with the clock-dependent measures computed once per row (OFFSET 0 keeps
 * the planner from copying them into every count that reads them), then counted. The subquery is named tickets
 * and keeps the column names, so that the predicates of `measure` read it as they read the table.
 */
function liveSource(now: Date, key: Key | null, where: SQL): SQL {
  return sql`(select ${key ? sql`(${key.live})::text` : sql`null::text`} as key, ${tickets.status} as status,
      ${tickets.firstClaimedAt} as first_claimed_at, ${tickets.firstResolvedAt} as first_resolved_at, ${tickets.createdAt} as created_at,
      ${tickets.satisfaction} as satisfaction, ${tickets.solved} as solved, ${measure.response(now)} as response,
      ${measure.resolution} as resolution, ${colorSql(now)} as color, ${measure.overdue(now)} as overdue
    from tickets where ${where} offset 0) as tickets`;
}

function liveColumns(): SQL {
  const seconds = (end: typeof tickets.firstClaimedAt) => sql`coalesce(sum(extract(epoch from (${end} - ${tickets.createdAt}))), 0)`;
  const n = (where: SQL) => sql`count(*) filter (where ${where})`;
  return columns({
    received: sql`count(*)`,
    effective: n(measure.effective),
    response_on_time: n(sql`tickets.response = 'on_time'`),
    response_due: n(sql`tickets.response in ('on_time', 'late')`),
    completed: n(sql`${measure.effective} and ${measure.completed}`),
    resolved: n(sql`tickets.resolution <> 'none'`),
    resolved_on_time: n(sql`tickets.resolution = 'on_time'`),
    rated: n(measure.rated),
    solved: n(sql`${measure.rated} and ${tickets.solved}`),
    satisfied: n(sql`${tickets.satisfaction} = 'satisfied'`),
    basically_satisfied: n(sql`${tickets.satisfaction} = 'basically_satisfied'`),
    claimed: n(measure.claimed),
    claim_seconds: seconds(tickets.firstClaimedAt),
    resolve_seconds: seconds(tickets.firstResolvedAt),
    overdue_open: n(sql`tickets.overdue`),
    red: n(sql`tickets.color = 'red'`),
    orange: n(sql`tickets.color = 'orange'`),
    yellow: n(sql`tickets.color = 'yellow'`),
    green: n(sql`tickets.color = 'green'`),
  });
}

/** A settled ticket is neither overdue nor coloured: those columns are 0 in the rollup. */
const ROLLUP_COLUMNS = columns(
  Object.fromEntries(
    ADDITIVE.map((c) => [c, ['overdue_open', 'red', 'orange', 'yellow', 'green'].includes(c) ? sql`0` : sql`sum(${sql.raw(`ticket_stats.${c}`)})`]),
  ) as Record<Additive, SQL>,
);

const NIL = '00000000-0000-0000-0000-000000000000';

/** The key of a dimension, on the tickets and on the rollup. */
interface Key {
  live: SQL;
  rollup: SQL;
  /** Read from the fine rows of the rollup (category and channel), not the coarse ones. */
  fine?: boolean;
}

/**
 * Where the request's tickets are read from: the rollup for the settled tickets of the whole months (Asia/Shanghai)
 * inside the range, the tickets themselves for the rest. The rollup's condition says in its own columns what the
 * scope and the filters say of a ticket.
 */
function sources(filter: Filter, ctx: StaffContext, now: Date, heldOnly: boolean, fine: boolean): { live: SQL; rollup: SQL } {
  const where = whereOf(filter, ctx, now); // validates the filters first
  const held = heldOnly ? sql` and ${measure.holder} is not null` : sql``;
  const from = filter.from ? new Date(filter.from) : null;
  const to = filter.to ? new Date(filter.to) : null;
  let lo = from ? monthOf(from) : null;
  if (from && lo && monthStart(lo).getTime() !== from.getTime()) lo = addMonths(lo, 1);
  const hi = to ? monthOf(to) : null;
  // Ranges at the ends of the calendar (whose month starts PostgreSQL cannot read) are counted one by one.
  const usable = (m: string | null) => m === null || (/^\d{4}-\d{2}$/.test(m) && m >= '0001-02' && m <= '9999-11');
  if (!usable(lo) || !usable(hi) || (lo && hi && lo >= hi)) return { live: sql`${where}${held}`, rollup: sql`false` };

  // The settled tickets of a partial month at either end (none when the range starts or ends on a month's start:
  // then the condition is the live one alone, which the partial index tickets_live_idx answers with the range).
  const edges = [
    from && lo && monthStart(lo) > from ? sql`${tickets.createdAt} < ${at(monthStart(lo))}` : null,
    to && hi && monthStart(hi) < to ? sql`${tickets.createdAt} >= ${at(monthStart(hi))}` : null,
  ];
  const live = sql`${where}${held} and (${sql.join([measure.live, ...edges.filter((e) => e !== null)], sql` or `)})`;

  const r = (c: string) => sql.raw(`ticket_stats.${c}`);
  let scope: SQL | undefined;
  if (isStationRole(ctx.role))
    scope = ctx.station ? undefined : sql`false`; // its own station: filter.stationId (baseFilter)
  else if (ctx.districtCode) scope = sql`${r('district_code')} = ${ctx.districtCode}`;
  const conditions = [
    // the coarse rows (category and channel '*') unless the request filters or groups by either
    fine || filter.categoryCode || filter.channel ? sql`${r('category_code')} <> '*'` : sql`${r('category_code')} = '*'`,
    scope,
    filter.stationId ? sql`${r('holder')} = ${filter.stationId}::uuid` : undefined,
    heldOnly ? sql`${r('holder')} <> ${NIL}::uuid` : undefined,
    filter.stationType ? sql`${r('pool_type')} = ${filter.stationType === 'none' ? '' : filter.stationType}` : undefined,
    filter.districtCode ? sql`${r('district_code')} = ${filter.districtCode}` : undefined,
    filter.categoryCode ? sql`${r('category_code')} = ${filter.categoryCode}` : undefined,
    filter.channel ? sql`${r('channel')} in ${filter.channel.split(',')}` : undefined,
    lo ? sql`${r('month')} >= ${`${lo}-01`}::date` : undefined,
    hi ? sql`${r('month')} < ${`${hi}-01`}::date` : undefined,
  ].filter((c): c is SQL => c !== undefined);
  return { live, rollup: sql.join(conditions, sql` and `) };
}

const rate = (num: string, den: string, digits = 4) => sql.raw(`round((${num})::numeric / nullif(${den}, 0), ${digits})::float8`);
const hoursOf = (seconds: string, count: string) => sql.raw(`round((${seconds} / nullif(${count}, 0) / 3600)::numeric, 2)::float8`);

/** The figures per group of `key` (or one row for all when key is null), rates computed in SQL. */
async function aggregate(
  app: FastifyInstance,
  ctx: StaffContext,
  filter: Filter,
  now: Date,
  key: Key | null,
  tail: SQL = sql``,
  heldOnly = false,
): Promise<Counts[]> {
  const src = sources(filter, ctx, now, heldOnly, key?.fine ?? false);
  const totals = sql.join(
    ADDITIVE.filter((c) => !c.endsWith('_seconds')).map((c) => sql.raw(`coalesce(sum(u.${c}), 0)::int as ${c}`)),
    sql`, `,
  );
  return app.db.analytic<Counts>(sql`
    select g.*,
      ${rate('g.response_on_time', 'g.response_due')} as response_rate,
      ${rate('g.completed', 'g.effective')} as completion_rate,
      ${rate('g.resolved_on_time', 'g.resolved')} as on_time_rate,
      ${rate('g.solved', 'g.rated')} as solved_rate,
      ${rate('g.satisfied + g.basically_satisfied', 'g.rated')} as satisfaction_rate,
      ${rate('100 * g.satisfied + 80 * g.basically_satisfied', 'g.rated', 2)} as satisfaction_score
    from (
      select u.key, ${totals},
        ${hoursOf('sum(u.claim_seconds)', 'sum(u.claimed)')} as avg_claim_hours,
        ${hoursOf('sum(u.resolve_seconds)', 'sum(u.resolved)')} as avg_resolve_hours
      from (
        select ${key ? sql`(${key.rollup})::text` : sql`null::text`} as key, ${ROLLUP_COLUMNS}
        from ticket_stats where ${src.rollup}
        ${key ? sql`group by 1` : sql``}
        union all
        select ${key ? sql`tickets.key` : sql`null::text`} as key, ${liveColumns()}
        from ${liveSource(now, key, src.live)}
        ${key ? sql`group by 1` : sql``}
      ) u
      group by u.key
      ${key ? sql`having coalesce(sum(u.received), 0) > 0` : sql``}
    ) g ${tail}`);
}

/** Each figure with its value, counts and the list filters of its tickets. */
function shape(c: Counts, rowFilter: Filter): FigureSet {
  const f = (extra: Filter = {}): Filter => ({ ...rowFilter, ...extra });
  const ratio = (value: number | null, numerator: number, denominator: number, den: Filter, num: Filter): Figure => ({
    value,
    numerator,
    denominator,
    filter: f(den),
    numeratorFilter: f(num),
  });
  return {
    received: { value: c.received, filter: f() },
    effective: { value: c.effective, filter: f({ effective: true }) },
    responseRate: ratio(c.response_rate, c.response_on_time, c.response_due, { response: 'on_time,late' }, { response: 'on_time' }),
    completionRate: ratio(c.completion_rate, c.completed, c.effective, { effective: true }, { effective: true, completed: true }),
    onTimeRate: ratio(c.on_time_rate, c.resolved_on_time, c.resolved, { resolution: 'on_time,late' }, { resolution: 'on_time' }),
    solvedRate: ratio(c.solved_rate, c.solved, c.rated, { rated: true }, { rated: true, solved: true }),
    satisfactionRate: ratio(
      c.satisfaction_rate,
      c.satisfied + c.basically_satisfied,
      c.rated,
      { rated: true },
      { satisfaction: 'satisfied,basically_satisfied' },
    ),
    satisfactionScore: { value: c.satisfaction_score, denominator: c.rated, filter: f({ rated: true }) },
    overdueOpen: { value: c.overdue_open, filter: f({ overdue: true }) },
    avgClaimHours: { value: c.avg_claim_hours, denominator: c.claimed, filter: f({ claimed: true }) },
    avgResolveHours: { value: c.avg_resolve_hours, denominator: c.resolved, filter: f({ resolution: 'on_time,late' }) },
    colors: {
      red: { value: c.red, filter: f({ color: 'red' }) },
      orange: { value: c.orange, filter: f({ color: 'orange' }) },
      yellow: { value: c.yellow, filter: f({ color: 'yellow' }) },
      green: { value: c.green, filter: f({ color: 'green' }) },
    },
  };
}

const EMPTY: Counts = {
  key: null,
  received: 0,
  effective: 0,
  response_on_time: 0,
  response_due: 0,
  completed: 0,
  resolved: 0,
  resolved_on_time: 0,
  rated: 0,
  solved: 0,
  satisfied: 0,
  basically_satisfied: 0,
  overdue_open: 0,
  claimed: 0,
  avg_claim_hours: null,
  avg_resolve_hours: null,
  red: 0,
  orange: 0,
  yellow: 0,
  green: 0,
  response_rate: null,
  completion_rate: null,
  on_time_rate: null,
  solved_rate: null,
  satisfaction_rate: null,
  satisfaction_score: null,
};

// ── months (Asia/Shanghai) ─────────────────────────────────────────────────────────────────

const monthStart = (ym: string) => new Date(`${ym}-01T00:00:00+08:00`);
const monthOf = (d: Date) => shanghaiDate(d).slice(0, 7);
function addMonths(ym: string, n: number): string {
  const [y, m] = ym.split('-').map(Number) as [number, number];
  const total = y * 12 + (m - 1) + n;
  // Four-digit years, as the month keys of SQL's to_char(…, 'YYYY-MM'): '0999-05', never '999-05'.
  return `${String(Math.floor(total / 12)).padStart(4, '0')}-${String((total % 12) + 1).padStart(2, '0')}`;
}
const MONTH_KEY: Key = {
  live: sql`to_char(${tickets.createdAt} at time zone 'Asia/Shanghai', 'YYYY-MM')`,
  rollup: sql`to_char(ticket_stats.month, 'YYYY-MM')`,
};
const MAX_MONTHS = 120;

/** The month trend's range: the request's, or the 12 months up to the current one. */
function monthRange(filter: Filter, now: Date): { from: Date; to: Date; months: string[] } {
  const to = filter.to ? new Date(filter.to) : monthStart(addMonths(monthOf(now), 1));
  const from = filter.from ? new Date(filter.from) : monthStart(addMonths(monthOf(new Date(to.getTime() - 1)), -11));
  if (!(from < to)) throw validation('from 须早于 to');
  const months: string[] = [];
  for (let m = monthOf(from); monthStart(m) < to; m = addMonths(m, 1)) {
    months.push(m);
    if (months.length > MAX_MONTHS) throw validation(`按月统计最多 ${MAX_MONTHS} 个月`);
  }
  return { from, to, months };
}

// ── labels ─────────────────────────────────────────────────────────────────────────────────

async function labels(app: FastifyInstance) {
  const [s, d, c] = await Promise.all([
    app.db.db.select({ id: stations.id, name: stations.name, type: stations.type, districtCode: stations.districtCode }).from(stations),
    app.db.db.select({ code: districts.code, name: districts.name }).from(districts),
    app.db.db.select({ code: categories.code, name: categories.name }).from(categories),
  ]);
  return {
    station: new Map(s.map((x) => [x.id, x])),
    district: new Map(d.map((x) => [x.code, x.name])),
    category: new Map(c.map((x) => [x.code, x.name])),
  };
}
type Labels = Awaited<ReturnType<typeof labels>>;

const KEYS: Record<Exclude<Dimension, 'month'>, Key> = {
  station: { live: measure.holder, rollup: sql`nullif(ticket_stats.holder, ${NIL}::uuid)` },
  stationType: { live: sql`${tickets.poolType}`, rollup: sql`nullif(ticket_stats.pool_type, '')` },
  district: { live: sql`${tickets.districtCode}`, rollup: sql`ticket_stats.district_code` },
  category: { live: sql`${tickets.categoryCode}`, rollup: sql`ticket_stats.category_code`, fine: true },
  channel: { live: sql`${tickets.channel}`, rollup: sql`ticket_stats.channel`, fine: true },
};

/** A group's label and the list filter that selects it. */
function groupOf(dimension: Dimension, key: string | null, l: Labels, base: Filter): { label: string; filter: Filter } {
  switch (dimension) {
    case 'station':
      return key
        ? { label: l.station.get(key)?.name ?? key, filter: { stationId: key } }
        : { label: '未落地站点（站点池或中心）', filter: { withoutStation: true } };
    case 'stationType':
      return key
        ? { label: STATION_TYPE_LABELS[key as StationType] ?? key, filter: { stationType: key as StationType } }
        : { label: '中心待分派', filter: { stationType: 'none' } };
    case 'district':
      return { label: l.district.get(key ?? '') ?? String(key), filter: { districtCode: key ?? undefined } };
    case 'category':
      return { label: l.category.get(key ?? '') ?? String(key), filter: { categoryCode: key ?? undefined } };
    case 'channel':
      return { label: CHANNEL_LABELS[key as Channel] ?? String(key), filter: { channel: key ?? undefined } };
    case 'month': {
      const from = monthStart(key!);
      const to = monthStart(addMonths(key!, 1));
      const lo = base.from && new Date(base.from) > from ? base.from : iso(from);
      const hi = base.to && new Date(base.to) < to ? base.to : iso(to);
      const [y, m] = key!.split('-');
      return { label: `${y}年${Number(m)}月`, filter: { from: lo, to: hi } };
    }
  }
}

// ── the endpoints' answers ─────────────────────────────────────────────────────────────────

export async function overview(app: FastifyInstance, ctx: StaffContext, q: StatsQueryT) {
  const now = app.now();
  const filter = baseFilter(q, ctx);
  const [row] = await aggregate(app, ctx, filter, now, null);
  return { asOf: now, filter, ...shape(row ?? EMPTY, filter) };
}

export async function byDimension(
  app: FastifyInstance,
  ctx: StaffContext,
  q: StatsQueryT,
  dimension: Dimension,
): Promise<{ asOf: Date; dimension: Dimension; filter: Filter; items: FigureRow[] }> {
  const now = app.now();
  let filter = baseFilter(q, ctx);
  const l = await labels(app);
  if (dimension === 'month') {
    const range = monthRange(filter, now);
    filter = { ...filter, from: iso(range.from), to: iso(range.to) };
    const rows = await aggregate(app, ctx, filter, now, MONTH_KEY, sql`order by g.key`);
    const byKey = new Map(rows.map((r) => [r.key, r]));
    const items = range.months.map((m) => {
      const g = groupOf('month', m, l, filter);
      return { key: m, label: g.label, filter: { ...filter, ...g.filter }, ...shape(byKey.get(m) ?? { ...EMPTY, key: m }, { ...filter, ...g.filter }) };
    });
    return { asOf: now, dimension, filter, items };
  }
  const rows = await aggregate(app, ctx, filter, now, KEYS[dimension], sql`order by g.received desc, g.key nulls last`);
  const items = rows.map((r) => {
    const g = groupOf(dimension, r.key, l, filter);
    const rowFilter = { ...filter, ...g.filter };
    return { key: r.key, label: g.label, filter: rowFilter, ...shape(r, rowFilter) };
  });
  return { asOf: now, dimension, filter, items };
}

export const DEFAULT_MIN_VOLUME = 5;

/**
 * Stations ranked by satisfactionScore, then onTimeRate (nulls last), then volume; a station enters the
 * ranking with at least `minVolume` effective tickets — the others are listed apart, unranked.
 */
export async function ranking(app: FastifyInstance, ctx: StaffContext, q: StatsQueryT, minVolume: number) {
  const now = app.now();
  const filter = baseFilter(q, ctx);
  const l = await labels(app);
  const rows = await aggregate(
    app,
    ctx,
    filter,
    now,
    KEYS.station,
    sql`order by (g.effective >= ${minVolume}) desc, satisfaction_score desc nulls last, on_time_rate desc nulls last, g.effective desc, g.key`,
    true,
  );
  const toRow = (r: Counts) => {
    const s = l.station.get(r.key ?? '');
    const rowFilter = { ...filter, stationId: r.key ?? undefined };
    return {
      stationId: r.key,
      label: s?.name ?? String(r.key),
      stationType: s?.type ?? null,
      districtCode: s?.districtCode ?? null,
      filter: rowFilter,
      ...shape(r, rowFilter),
    };
  };
  const ranked = rows.filter((r) => r.effective >= minVolume).map((r, i) => ({ rank: i + 1, ...toRow(r) }));
  const belowMinimum = rows.filter((r) => r.effective < minVolume).map(toRow);
  return { asOf: now, minVolume, filter, items: ranked, belowMinimum };
}

/** 四色预警: open tickets per colour, per station (the one holding or named to claim it) or per district. */
export async function colorBoard(app: FastifyInstance, ctx: StaffContext, q: StatsQueryT, by: 'station' | 'district') {
  const now = app.now();
  const filter = baseFilter(q, ctx);
  const l = await labels(app);
  const color = colorSql(now);
  const key = by === 'station' ? measure.holder : sql`${tickets.districtCode}`;
  const rows = await app.db.analytic<{ key: string | null; red: number; orange: number; yellow: number; green: number; total: number }>(sql`
    select (${key})::text as key,
      count(*) filter (where ${color} = 'red')::int as red,
      count(*) filter (where ${color} = 'orange')::int as orange,
      count(*) filter (where ${color} = 'yellow')::int as yellow,
      count(*) filter (where ${color} = 'green')::int as green,
      count(*)::int as total
    from tickets where ${whereOf(filter, ctx, now)} and ${measure.open}
    group by 1 order by red desc, orange desc, yellow desc, total desc, key nulls last`);
  const items = rows.map((r) => {
    const g = groupOf(by, r.key, l, filter);
    const rowFilter: Filter = { ...filter, ...g.filter };
    const cell = (c: 'red' | 'orange' | 'yellow' | 'green') => ({ value: r[c], filter: { ...rowFilter, color: c } });
    return {
      key: r.key,
      label: g.label,
      red: cell('red'),
      orange: cell('orange'),
      yellow: cell('yellow'),
      green: cell('green'),
      total: { value: r.total, filter: { ...rowFilter, status: 'pending_dispatch,pending_claim,in_progress' } },
    };
  });
  return { asOf: now, by, filter, items };
}

/**
 * The daily digest per station: its to-do (in progress there, or waiting in a pool it may claim from),
 * of which due by the end of today (Asia/Shanghai) and already overdue.
 */
export async function dailyDigest(app: FastifyInstance, ctx: StaffContext) {
  const now = app.now();
  const endOfToday = endOfShanghaiDay(shanghaiDate(now));
  const overdue = measure.overdue(now);
  const stationScope = isStationRole(ctx.role)
    ? sql`st.id = ${ctx.station?.id ?? '00000000-0000-0000-0000-000000000000'}::uuid`
    : ctx.districtCode
      ? sql`st.district_code = ${ctx.districtCode}`
      : sql`true`;
  const rows = await app.db.analytic<{
    id: string;
    name: string;
    type: StationType;
    district_code: string;
    todo: number;
    due_today: number;
    overdue: number;
  }>(sql`
    select st.id::text as id, st.name, st.type, st.district_code,
      count(${tickets.id})::int as todo,
      count(${tickets.id}) filter (where not ${overdue} and ${tickets.resolveDueAt} <= ${at(endOfToday)})::int as due_today,
      count(${tickets.id}) filter (where ${overdue})::int as overdue
    from stations st left join tickets on ${todoOf(sql`st.id`)} and ${scopeFilter(ctx)}
    where st.active and ${stationScope}
    group by st.id, st.name, st.type, st.district_code
    order by overdue desc, due_today desc, todo desc, st.name`);
  return {
    asOf: now,
    date: shanghaiDate(now),
    items: rows.map((r) => {
      const todo: Filter = { todoStationId: r.id };
      return {
        stationId: r.id,
        stationName: r.name,
        stationType: r.type,
        districtCode: r.district_code,
        todo: { value: r.todo, filter: todo },
        dueToday: { value: r.due_today, filter: { ...todo, overdue: false, dueBy: iso(endOfToday) } },
        overdue: { value: r.overdue, filter: { ...todo, overdue: true } },
      };
    }),
  };
}

/** The staff ticket list: views pool / mine / all and the filters of DESIGN §6, always inside the scope. */
import { CHANNELS, COLORS, OPEN_STATUSES, SATISFACTIONS, TICKET_STATUSES } from '@ys/shared';
import { tickets } from '@ys/shared/schema';
import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import { type Static, Type } from 'typebox';
import { validation } from '../../errors.ts';
import { PagingQuery } from '../../lib/paging.ts';
import { colorSql, type ListParts } from './repo.ts';
import { isStationRole, listScopeFilter, type StaffContext, stationScopeCount, stationScopeParts } from './scope.ts';

/** How a ticket's first claim went against its first claim deadline (responseRate). */
export const RESPONSES = ['on_time', 'late', 'not_due', 'none'] as const;
/** How a ticket's first resolution went against the deadline in force then (onTimeRate). */
export const RESOLUTIONS = ['on_time', 'late', 'none'] as const;

const at = (now: Date) => sql`${now.toISOString()}::timestamptz`;

/**
 * The predicates of the official figures (DESIGN §5, docs/figures.md), one SQL expression each: the
 * figures aggregate them and the list filters by them, so a figure and its drill-down cannot disagree.
 */
export const measure = {
  open: sql`${tickets.status} in ('pending_dispatch', 'pending_claim', 'in_progress')`,
  effective: sql`${tickets.status} not in ('withdrawn', 'invalid')`,
  completed: sql`(${tickets.status} = 'resolved' or (${tickets.status} = 'closed' and ${tickets.firstResolvedAt} is not null))`,
  claimed: sql`${tickets.firstClaimedAt} is not null`,
  rated: sql`${tickets.satisfaction} is not null`,
  /** The station that holds the ticket, or is named to claim it (at most one of the two is set). */
  holder: sql<string | null>`coalesce(${tickets.stationId}, ${tickets.targetStationId})`,
  overdue: (now: Date) => sql`(${tickets.status} in ('pending_dispatch', 'pending_claim', 'in_progress') and ${tickets.resolveDueAt} < ${at(now)})`,
  /**
   * on_time: first claimed by the first claim deadline; late: claimed after it, or still unclaimed once it
   * passed; not_due: unclaimed and the deadline has not passed (while the ticket was live: a ticket withdrawn
   * or invalidated before its deadline never falls due); none: never entered a station pool.
   */
  response: (now: Date) => sql<(typeof RESPONSES)[number]>`(case
    when ${tickets.firstEnteredPoolAt} is null then 'none'
    when ${tickets.firstClaimedAt} is not null and ${tickets.firstClaimedAt} <= ${tickets.firstClaimDueAt} then 'on_time'
    when ${tickets.firstClaimedAt} is not null then 'late'
    when ${tickets.firstClaimDueAt} < (case when ${tickets.status} in ('withdrawn', 'invalid') then ${tickets.closedAt} else ${at(now)} end) then 'late'
    else 'not_due' end)`,
  /**
   * The first resolution against the resolveDueAt in force at that moment (extensions approved before it
   * count, a later reopening and extension do not): the resolve action records it as firstResolvedOnTime.
   */
  resolution: sql<(typeof RESOLUTIONS)[number]>`(case
    when ${tickets.firstResolvedAt} is null then 'none'
    when coalesce(${tickets.firstResolvedOnTime}, ${tickets.firstResolvedAt} <= ${tickets.resolveDueAt}) then 'on_time'
    else 'late' end)`,
  /**
   * Live: a ticket some figure of which still moves with the clock (colour, overdue, response not yet due).
   * Every other ticket is settled, and the figures read it from the ticket_stats rollup (drizzle/0003). Kept
   * literally equal to the predicate of tickets_live_idx and of the SQL function ticket_stats_settled.
   */
  live: sql.raw(
    `("tickets"."status" in ('pending_dispatch', 'pending_claim', 'in_progress') or ("tickets"."first_entered_pool_at" is not null and "tickets"."first_claimed_at" is null and "tickets"."status" not in ('withdrawn', 'invalid')))`,
  ),
};

const csv = (pattern: string) => Type.String({ maxLength: 200, pattern: `^(${pattern})(,(${pattern}))*$` });

export const ListQuery = Type.Object({
  ...PagingQuery,
  view: Type.Optional(Type.Enum(['pool', 'mine', 'all'])),
  status: Type.Optional(csv(TICKET_STATUSES.join('|'))),
  color: Type.Optional(csv(COLORS.join('|'))),
  channel: Type.Optional(csv(CHANNELS.join('|'))),
  categoryCode: Type.Optional(Type.String({ maxLength: 32 })),
  stationId: Type.Optional(Type.String({ format: 'uuid' })),
  districtCode: Type.Optional(Type.String({ pattern: '^\\d{6}$' })),
  stationType: Type.Optional(Type.Enum(['court', 'procuratorate', 'police', 'legal_service', 'none'])),
  supervised: Type.Optional(Type.Boolean()),
  awaitingSupplement: Type.Optional(Type.Boolean()),
  extensionPending: Type.Optional(Type.Boolean()),
  overdue: Type.Optional(Type.Boolean()),
  q: Type.Optional(Type.String({ maxLength: 100 })),
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
  sort: Type.Optional(Type.Enum(['urgency', 'createdAt', '-createdAt'])),
  /** Keyset paging for long lists: the nextCursor of the previous page (then `page` is ignored). */
  cursor: Type.Optional(Type.String({ maxLength: 400, pattern: '^[A-Za-z0-9_-]+$' })),
  // Drill-down from the figures (docs/figures.md): each figure's tickets are the list with these.
  effective: Type.Optional(Type.Boolean()),
  response: Type.Optional(csv(RESPONSES.join('|'))),
  resolution: Type.Optional(csv(RESOLUTIONS.join('|'))),
  completed: Type.Optional(Type.Boolean()),
  claimed: Type.Optional(Type.Boolean()),
  rated: Type.Optional(Type.Boolean()),
  solved: Type.Optional(Type.Boolean()),
  satisfaction: Type.Optional(csv(SATISFACTIONS.join('|'))),
  withoutStation: Type.Optional(Type.Boolean()),
  todoStationId: Type.Optional(Type.String({ format: 'uuid' })),
  dueBy: Type.Optional(Type.String({ format: 'date-time' })),
});
export type ListQueryT = Static<typeof ListQuery>;

const escapeLike = (q: string) => q.replace(/[\\%_]/g, (c) => `\\${c}`);

/** A ticket number as the API hands it out: YS, the day (YYYYMMDD), the day's sequence. */
const TICKET_NO = /^YS\d{14,}$/;

/**
 * `q`: a ticket number, or part of the enterprise's name or the title. The number is compared only when the
 * term has its shape: the open-ticket index (tickets_open_idx) holds the name and the title but not the
 * number, and the comparison would send every candidate row to the table (91 ms instead of 6 ms, measured).
 */
function searchTerm(term: string): SQL {
  const pattern = `%${escapeLike(term)}%`;
  const number = term.toUpperCase();
  const name = caseless(term)
    ? sql`(${tickets.enterpriseName} like ${pattern} or ${tickets.title} like ${pattern})`
    : sql`(${tickets.enterpriseName} ilike ${pattern} or ${tickets.title} ilike ${pattern})`;
  return TICKET_NO.test(number) ? sql`(${tickets.no} = ${number} or ${name})` : name;
}

/**
 * A term without a letter that has case (Chinese, digits, punctuation) matches the same rows with `like` as with
 * `ilike`, which lower-cases every candidate's text first: a district's open tickets searched for a Chinese name,
 * 2.6 → 0.8 ms on 1,000,000 tickets.
 */
const caseless = (term: string) => term.toLowerCase() === term && term.toUpperCase() === term;

function parseTime(value: string | undefined, name: string): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  // PostgreSQL has no year 0, and reads no ISO string past year 9999: such a time is refused, not sent.
  const year = d.getUTCFullYear();
  if (Number.isNaN(d.getTime()) || year < 1 || year > 9999) throw validation(`${name} 时间格式不正确`);
  return d;
}

/** The view's own condition. A station's pool needs none: it is the pool view's scope (scope.ts listScopeFilter). */
function viewFilter(view: 'pool' | 'mine' | 'all', ctx: StaffContext): SQL | undefined {
  if (view === 'mine') return eq(tickets.assigneeId, ctx.id);
  if (view === 'pool' && !isStationRole(ctx.role)) return eq(tickets.status, 'pending_dispatch');
  return undefined;
}

/**
 * A colour filter as a range over the indexed instants an open ticket turns yellow and orange (drizzle/0005):
 * every red or orange ticket has turned orange by now, every green one has not yet turned yellow. The range is a
 * second wider than the rule, so that no rounding of those instants can leave a ticket out; colorSql decides.
 * The rule stays beside the range, ANDed: a condition the rule ORs with (say, "orange a second ago or the rule") is
 * estimated to keep a third of the rows instead of a few, and the planner then reads every candidate's row from the
 * table instead of the index (the city's red and orange tickets: 2.5 → 23 ms, measured).
 */
function colorFilter(colors: string[], now: Date): SQL {
  const within = (set: string[]) => colors.every((c) => set.includes(c));
  const soon = sql`${new Date(now.getTime() + 1000).toISOString()}::timestamptz`;
  const late = sql`${new Date(now.getTime() - 1000).toISOString()}::timestamptz`;
  const orangeAt = sql`ticket_orange_at(${tickets.status}, ${tickets.createdAt}, ${tickets.resolveDueAt}, ${tickets.claimDueAt})`;
  const yellowAt = sql`ticket_yellow_at(${tickets.createdAt}, ${tickets.resolveDueAt})`;
  const rule = sql`${colorSql(now)} in ${colors}`;
  if (within(['red', 'orange'])) return sql`(${rule} and ${orangeAt} <= ${soon})`;
  if (within(['red', 'orange', 'yellow'])) return sql`(${rule} and (${orangeAt} <= ${soon} or ${yellowAt} <= ${soon}))`;
  if (within(['green'])) return sql`(${rule} and ${yellowAt} > ${late})`;
  return sql`(${rule})`;
}

/** A station's to-do: what it holds in progress and what waits in a pool it may claim from. */
export function todoOf(stationId: string | SQL): SQL {
  return sql`((${tickets.status} = 'in_progress' and ${tickets.stationId} = ${stationId}) or (${tickets.status} = 'pending_claim' and (${tickets.targetStationId} = ${stationId} or (${tickets.targetStationId} is null and exists (select 1 from stations s where s.id = ${stationId} and s.type = ${tickets.poolType} and s.district_code = ${tickets.poolDistrictCode})))))`;
}

/** The WHERE of a list request. Shared by the list, the export and the figures' drill-down links. */
export function listWhere(q: ListQueryT, ctx: StaffContext, now: Date): SQL | undefined {
  return and(listScopeFilter(ctx, q.view ?? 'all'), listFilters(q, ctx, now));
}

/**
 * A list request as listTickets runs it: its rows (where); the same rows split into the open and the settled
 * ones, which the urgency order takes one after the other (the settled ones only when the open ones run out
 * before the page does); and, where there is one, a cheaper count of them. A station's "all" view takes each
 * part with a scope of that part's size (scope.ts stationScopeParts) and, unfiltered, counts its history
 * without reading a ticket.
 */
export function listPlan(q: ListQueryT, ctx: StaffContext, now: Date): { where: SQL | undefined; parts: ListParts; count?: SQL<number>; byDue?: boolean } {
  const view = q.view ?? 'all';
  const filters = listFilters(q, ctx, now);
  const where = and(listScopeFilter(ctx, view), filters);
  // Only open tickets asked for (their statuses, a colour, a station's pool): no settled part. The page's ids still
  // come first on their own: tickets_orange_at_idx (a colour) and tickets_open_idx (district, status, q) hold the
  // order's columns and the id, so the ids are picked from the index alone and only the page's rows are read (red
  // and orange: 3.7 k rows → 20; a district's open tickets matching q: 3.6 k index entries, 60 ms → 6 ms). A pool
  // takes the same path: counted and paged from one scan of its rows (PGlite, a pool of 5 k: 33 → 21 ms a page).
  const openOnly = (statusSet(q) ?? (view === 'pool' ? OPEN_STATUSES : TICKET_STATUSES)).every((st) => (OPEN_STATUSES as readonly string[]).includes(st));
  // Only red and orange tickets: a red one's due time has passed and an orange one's has not, so the due times alone
  // give the urgency order (ranking the city's 3.6 k red and orange tickets by colour cost twice what counting them does).
  const byDue = q.color?.split(',').every((c) => c === 'red' || c === 'orange') ? { byDue: true } : {};
  const s = ctx.station;
  if (view === 'all' && isStationRole(ctx.role) && s) {
    const parts = stationScopeParts(s);
    if (openOnly) {
      const open = and(parts.open, filters);
      return { where: open, parts: { open }, ...byDue };
    }
    return {
      where,
      parts: { open: and(measure.open, parts.open, filters), settled: and(sql`not ${measure.open}`, parts.settled, filters) },
      count: filters ? undefined : stationScopeCount(s),
    };
  }
  if (openOnly) return { where, parts: { open: where }, ...byDue };
  return { where, parts: { open: and(measure.open, where), settled: and(sql`not ${measure.open}`, where) } };
}

/** The statuses a request asks for: its `status`, and only the open ones when it asks for a colour. */
function statusSet(q: ListQueryT): string[] | undefined {
  const asked = q.status ? q.status.split(',').filter((st) => (TICKET_STATUSES as readonly string[]).includes(st)) : undefined;
  if (!q.color) return asked;
  return (asked ?? OPEN_STATUSES).filter((st) => (OPEN_STATUSES as readonly string[]).includes(st));
}

/** The filters of a list request (everything but the scope). */
function listFilters(q: ListQueryT, ctx: StaffContext, now: Date): SQL | undefined {
  const from = parseTime(q.from, 'from');
  const to = parseTime(q.to, 'to');
  const term = q.q?.trim();
  const list = <T extends string>(v: string | undefined) => (v ? (v.split(',') as T[]) : undefined);
  const statuses = statusSet(q);
  const colors = list<string>(q.color);
  const channels = list<(typeof CHANNELS)[number]>(q.channel);
  const responses = list<string>(q.response);
  const resolutions = list<string>(q.resolution);
  const satisfactions = list<string>(q.satisfaction);
  const dueBy = parseTime(q.dueBy, 'dueBy');
  const flag = (value: boolean | undefined, predicate: SQL) => (value === undefined ? undefined : value ? predicate : sql`not (${predicate})`);
  return and(
    viewFilter(q.view ?? 'all', ctx),
    // One condition on the status, as literals (each checked against the enum): a prepared statement's generic plan
    // can then still prove that the partial indexes of open tickets apply, which it cannot from parameters; and
    // the planner does not count the same restriction twice. Only open tickets have a colour.
    statuses ? (statuses.length ? sql.raw(`"tickets"."status" in (${statuses.map((st) => `'${st}'`).join(', ')})`) : sql`false`) : undefined,
    colors ? colorFilter(colors, now) : undefined,
    channels ? inArray(tickets.channel, channels) : undefined,
    q.categoryCode ? eq(tickets.categoryCode, q.categoryCode) : undefined,
    // "the station that holds or held it", as the figures group by station
    q.stationId ? sql`(${tickets.stationId} = ${q.stationId} or ${tickets.targetStationId} = ${q.stationId})` : undefined,
    q.stationType === 'none' ? sql`${tickets.poolType} is null` : q.stationType ? sql`${tickets.poolType} = ${q.stationType}` : undefined,
    q.districtCode ? eq(tickets.districtCode, q.districtCode) : undefined,
    q.supervised === undefined ? undefined : eq(tickets.supervised, q.supervised),
    q.awaitingSupplement === undefined ? undefined : eq(tickets.awaitingSupplement, q.awaitingSupplement),
    q.extensionPending === undefined
      ? undefined
      : q.extensionPending
        ? sql`${tickets.extensionPendingDays} is not null`
        : sql`${tickets.extensionPendingDays} is null`,
    flag(q.overdue, measure.overdue(now)),
    flag(q.effective, measure.effective),
    flag(q.completed, measure.completed),
    flag(q.claimed, measure.claimed),
    flag(q.rated, measure.rated),
    q.solved === undefined ? undefined : sql`${tickets.solved} = ${q.solved}`,
    satisfactions ? sql`${tickets.satisfaction} in ${satisfactions}` : undefined,
    responses ? sql`${measure.response(now)} in ${responses}` : undefined,
    resolutions ? sql`${measure.resolution} in ${resolutions}` : undefined,
    flag(q.withoutStation, sql`${measure.holder} is null`),
    q.todoStationId ? todoOf(q.todoStationId) : undefined,
    dueBy ? sql`${tickets.resolveDueAt} <= ${dueBy.toISOString()}::timestamptz` : undefined,
    term ? searchTerm(term) : undefined,
    from ? sql`${tickets.createdAt} >= ${from.toISOString()}::timestamptz` : undefined,
    to ? sql`${tickets.createdAt} < ${to.toISOString()}::timestamptz` : undefined,
  );
}

/** Ticket queries: the colour rule in SQL, the list with its filters, the detail with timeline. */
import type { Channel, Color, TicketStatus } from '@ys/shared';
import { stations, ticketEvents, tickets, users } from '@ys/shared/schema';
import { and, asc, desc, type SQL, sql } from 'drizzle-orm';
import { alias, type PgColumn, PgDialect } from 'drizzle-orm/pg-core';
import { type Executor, jsonValue, rowsOf } from '../../db/client.ts';
import { validation } from '../../errors.ts';
import { template } from '../../lib/sql-template.ts';

/** The columns the colour rule reads, and the moment it is asked about (a placeholder of a template, or the ISO text). */
const colorArgs = (at: unknown) => sql`${tickets.status}, ${tickets.createdAt}, ${tickets.resolveDueAt}, ${tickets.claimDueAt}, ${at}::timestamptz`;
const colorAt = template<Color | null>((at) => sql`ticket_color(${colorArgs(at)})`);
const rankAt = template<number>((at) => sql`ticket_color_rank(${colorArgs(at)})`);

/**
 * DESIGN §4 in SQL (ticket_color, drizzle/0007 and 0010; the TypeScript twin is ticketColor in @ys/shared). PostgreSQL inlines
 * the function, so it costs what the expression costs; the statement carries five arguments instead of the rule.
 */
export function colorSql(now: Date): SQL<Color | null> {
  return colorAt(now.toISOString());
}

export const holder = alias(stations, 'holder');
const entry = alias(stations, 'entry');
const assignee = alias(users, 'assignee');

const summaryFields = {
  id: tickets.id,
  no: tickets.no,
  channel: tickets.channel,
  status: tickets.status,
  title: tickets.title,
  enterpriseName: tickets.enterpriseName,
  districtCode: tickets.districtCode,
  categoryCode: tickets.categoryCode,
  stationId: tickets.stationId,
  stationName: holder.name,
  assigneeId: tickets.assigneeId,
  assigneeName: assignee.name,
  targetStationId: tickets.targetStationId,
  poolType: tickets.poolType,
  poolDistrictCode: tickets.poolDistrictCode,
  claimDueAt: tickets.claimDueAt,
  resolveDueAt: tickets.resolveDueAt,
  createdAt: tickets.createdAt,
  resolvedAt: tickets.resolvedAt,
  closedAt: tickets.closedAt,
  supervised: tickets.supervised,
  awaitingSupplement: tickets.awaitingSupplement,
  extensionPendingDays: tickets.extensionPendingDays,
  reopenCount: tickets.reopenCount,
  satisfaction: tickets.satisfaction,
};

export function summaryColumns(now: Date) {
  return { ...summaryFields, color: colorSql(now) };
}

const dialect = new PgDialect();
/**
 * The summary's select list as one piece of text, rendered once: a page's statement is then a few pieces instead of
 * a hundred for drizzle to assemble (a CPU profile of the pool list put a fifth of the server's time in drizzle's
 * building and mapping). The page statement turns each row into JSON text with it (listTickets).
 */
const isTime = (column: PgColumn) => column.getSQLType().startsWith('timestamp');
function selectList(fields: Record<string, PgColumn>): SQL {
  return sql.raw(
    Object.entries(fields)
      .map(([key, column]) => {
        const text = dialect.sqlToQuery(sql`${column}`).sql;
        // The drivers hand a raw statement's times over as PostgreSQL writes them: here they come as toISOString writes them.
        return `${isTime(column) ? dialect.sqlToQuery(isoUtc(sql.raw(text))).sql : text} as "${key}"`;
      })
      .join(', '),
  );
}
const summarySelect = selectList(summaryFields);

/** A row of a raw statement over these columns: each column's type, times as ISO text. */
type Field<C> = C extends { _: { data: infer D; notNull: infer N } } ? (D extends Date ? string : D) | (N extends true ? never : null) : never;
type RowOf<F> = { [K in keyof F]: Field<F[K]> };
/** The columns of a left-joined table, null when there is no row to join. */
type Joined<R, K extends keyof R> = Omit<R, K> & { [P in K]: R[P] | null };

/** The names of the holding station and of the assignee, as the list and the ticket's statements join them. */
const holderAndAssignee = sql`left join ${stations} ${holder} on ${holder.id} = ${tickets.stationId}
      left join ${users} ${assignee} on ${assignee.id} = ${tickets.assigneeId}`;

export type ListSort = 'urgency' | 'createdAt' | '-createdAt';

/** A list's rows as its open ones and its settled ones (none when it asks for open tickets only). */
export interface ListParts {
  open: SQL | undefined;
  settled?: SQL | undefined;
}

export interface ListFilter {
  where: SQL | undefined;
  /** The urgency order: where's rows split into the open and the settled ones (tickets/list.ts listPlan). */
  parts: ListParts;
  /** count(*) of where's rows, cheaper (listPlan). */
  count?: SQL<number>;
  /**
   * Every row is red or orange (listPlan): then the urgency order is the order of the due times (a red ticket's has
   * passed, an orange one's has not), and the rows are ranked without computing their colours.
   */
  byDue?: boolean;
  sort?: ListSort;
  limit: number;
  offset: number;
  /** Keyset paging: continue after the row this cursor (a previous nextCursor) names; offset is ignored. */
  cursor?: string;
}

/**
 * Each order as its keys, all in one direction and ending in the unique id, so that "the rows after the
 * last one seen" is one row comparison: by creation time the index seeks to it however deep the page; by
 * urgency (a computed rank) nothing is skipped or shown twice when tickets arrive between two pages.
 */
function orderKeys(sort: ListSort, at: unknown): { keys: SQL[]; types: string[]; desc: boolean } {
  if (sort === 'urgency') {
    return { keys: [rankAt(at), sql`${tickets.resolveDueAt}`, sql`${tickets.id}`], types: ['int', 'timestamptz', 'uuid'], desc: false };
  }
  return { keys: [sql`${tickets.createdAt}`, sql`${tickets.id}`], types: ['timestamptz', 'uuid'], desc: sort === '-createdAt' };
}

const SORTS: ListSort[] = ['urgency', 'createdAt', '-createdAt'];
const bySort = <T>(make: (sort: ListSort) => T) => Object.fromEntries(SORTS.map((sort) => [sort, make(sort)])) as Record<ListSort, T>;

/**
 * A page's statement in each order, as a template (lib/sql-template.ts): `at` the moment of the colours, `total` the
 * count's expression, `page` a join that picks the page's ids (or nothing), `where` the condition (or nothing),
 * `limit`, and `skip` an offset clause (or nothing). Each row comes as one JSON text, the summary under its API names
 * (row_to_json of the row's own columns), and the route splices the page's rows into its answer: the drivers decode 3
 * cells a row instead of 27, and nothing is kept in objects to be written out again (PGlite, a district's open
 * tickets: 1.60 → 1.21 ms a statement). The last row's keys come exactly as PostgreSQL holds them (microseconds would
 * not survive a JS Date), for the next cursor.
 */
const pageStatement = bySort((sort) =>
  template((at, total, page, where, limit, skip) => {
    const { keys, desc: descending } = orderKeys(sort, at);
    const order = keys.map((k) => (descending ? desc(k) : asc(k)));
    return sql`select row_to_json(item)::text as "item", json_build_array(${sql.join(keys, sql`, `)}) as "cursorKey", ${total} as "total"
      from ${tickets}${page}
      ${holderAndAssignee}
      cross join lateral (select ${summarySelect}, ${colorAt(at)} as "color") item
      ${where}
      order by ${sql.join(order, sql`, `)} limit ${limit}${skip}`;
  }),
);

/**
 * The urgency order's keys of each ticket matching `cond` (an index may hold them all): the page's ids are picked from
 * these few columns. `rank` is the colour's rank, or one constant when the due time alone orders the rows (byDue).
 */
const orderKeysOf = (rank: unknown, cond: unknown) => sql`select ${tickets.id} as id, ${rank} as r, ${tickets.resolveDueAt} as d from ${tickets} where ${cond}`;

/** Open tickets only, counted: each matching ticket's order keys kept once, counted, and the page taken from them. */
const openPage = (rank: (at: unknown) => unknown) =>
  template(
    (at, cond, limit, offset) => sql` inner join (with o as materialized (${orderKeysOf(rank(at), cond)})
      select id, (select count(*)::int from o) as n from o order by r, d, id limit ${limit} offset ${offset}) page on page.id = ${tickets.id}`,
  );
const countedOpenPage = openPage(rankAt);
const countedOpenPageByDue = openPage(() => sql`0`);

/** The open tickets first (ranks 0–3), then, only when they run out before the page does, the settled ones (rank 4). */
const urgencyPageIds = template(
  (
    at,
    open,
    reach,
    settled,
    limit,
    offset,
  ) => sql`where ${tickets.id} in (with o as materialized (${orderKeysOf(rankAt(at), open)} order by 2, 3, 1 limit ${reach})
      select id from (select id, r, d from o${settled}) page order by r, d, id limit ${limit} offset ${offset})`,
);
const settledIds = template(
  (cond, reach) => sql` union all (select ${tickets.id}, 4, ${tickets.resolveDueAt} from ${tickets}
          where ${cond} and (select count(*) from o) < ${reach} order by 3, 1 limit ${reach})`,
);
const countOf = template<number>((cond) => sql`(select count(*)::int from ${tickets} where ${cond})`);

const encodeCursor = (sort: ListSort, key: unknown[]) => Buffer.from(JSON.stringify([sort, ...key])).toString('base64url');

const KEY_FORMAT: Record<string, (v: unknown) => boolean> = {
  int: (v) => Number.isInteger(v),
  timestamptz: (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T[\d:.]+([+-]\d{2}(:\d{2})?|Z)$/.test(v) && !Number.isNaN(Date.parse(v)),
  uuid: (v) => typeof v === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
};

function decodeCursor(cursor: string, sort: ListSort, types: string[]): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  if (!Array.isArray(parsed) || parsed.length !== types.length + 1 || !types.every((type, i) => KEY_FORMAT[type]!(parsed[i + 1]))) {
    throw validation('cursor 无效，请从第一页重新加载');
  }
  if (parsed[0] !== sort) throw validation('cursor 与排序方式不一致，请从第一页重新加载');
  return parsed.slice(1);
}

export async function listTickets(executor: Executor, now: Date, f: ListFilter) {
  const sort = f.sort ?? 'urgency';
  const at = now.toISOString();
  let seek: SQL | undefined;
  if (f.cursor !== undefined) {
    const { keys, types, desc: descending } = orderKeys(sort, at);
    const after = decodeCursor(f.cursor, sort, types);
    const values = after.map((v, i) => sql`${String(v)}::${sql.raw(types[i]!)}`);
    seek = sql`(${sql.join(keys, sql`, `)}) ${sql.raw(descending ? '<' : '>')} (${sql.join(values, sql`, `)})`;
  }
  // The total is counted for a page by number (the admin console's pager shows it), not for a cursor page: a
  // client that pages by cursor has its total from the first page, and a count costs as much as the whole list.
  // It rides on the page's own statement as an uncorrelated sub-query (run once): one round trip, not two.
  const counted = f.cursor === undefined;
  const offset = counted ? f.offset : 0;
  const counting = f.count ?? countOf(f.where ?? sql`true`);
  const none = sql``;
  let count: SQL = counting;
  let page = none;
  const where = and(f.where, seek);
  let condition = where ? sql`where ${where}` : none;
  let skip = offset ? sql` offset ${offset}` : none;
  if (sort === 'urgency' && counted && !('settled' in f.parts)) {
    // Open tickets only, counted: the rows counted are the rows paged, so one scan does both.
    page = (f.byDue ? countedOpenPageByDue : countedOpenPage)(at, f.parts.open ?? sql`true`, f.limit, offset);
    count = sql`page.n`;
    condition = none;
    skip = none;
  } else if (sort === 'urgency') {
    // Open tickets rank 0–3 and come first; the settled ones rank 4, by due time. The page's ids come from the
    // open part and, only when it has fewer rows than the page reaches, the settled part: a long history is not
    // read to show the open tickets at its head.
    const reach = offset + f.limit;
    const settled = 'settled' in f.parts ? settledIds(and(f.parts.settled, seek) ?? sql`true`, reach) : none;
    condition = urgencyPageIds(at, and(f.parts.open, seek) ?? sql`true`, reach, settled, f.limit, offset);
    skip = none;
  }
  const rows = await rowsOf<{ item: string; cursorKey: unknown[] | string; total: number | null }>(
    executor,
    pageStatement[sort](at, counted ? count : sql`null`, page, condition, f.limit, skip),
  );
  // A page past the end has no row to carry the total: then (only then) it is counted on its own.
  let total: number | null = null;
  if (counted) {
    const alone = async () => Number((await rowsOf<{ n: number }>(executor, sql`select ${counting} as n`))[0]?.n ?? 0);
    total = rows[0] ? Number(rows[0].total) : f.offset === 0 ? 0 : await alone();
  }
  const last = rows.length === f.limit ? rows[rows.length - 1] : undefined;
  // The page's items as one JSON array, TicketSummary's shape (tickets-queries.test.ts holds it to the detail's fields).
  const itemsJson = `[${rows.map((r) => r.item).join(',')}]`;
  return { itemsJson, total, nextCursor: last ? encodeCursor(sort, jsonValue(last.cursorKey)) : null };
}

const detailFields = {
  proxySource: tickets.proxySource,
  entryStationId: tickets.entryStationId,
  entryStationName: entry.name,
  accountId: tickets.accountId,
  uscc: tickets.uscc,
  contactName: tickets.contactName,
  contactPhone: tickets.contactPhone,
  content: tickets.content,
  firstClaimedAt: tickets.firstClaimedAt,
  firstResolvedAt: tickets.firstResolvedAt,
  solved: tickets.solved,
  ratingComment: tickets.ratingComment,
  ratedAt: tickets.ratedAt,
  ratedVia: tickets.ratedVia,
  mergedIntoId: tickets.mergedIntoId,
};

export type AttachmentRow = { id: string; name: string; size: number; mime: string; eventId: number | null; createdAt: string };

/** A time as JavaScript's toISOString writes it (what the API answers for every Date). */
export function isoUtc(column: SQL): SQL {
  return sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** The business may see an attachment of its ticket unless it came with an internal note (DESIGN §3). */
const notInternal = (eventId: unknown) => sql`not exists (select 1 from ticket_events ae where ae.id = ${eventId} and ae.visibility = 'internal')`;

/** The ticket's attachments as one JSON value, to ride along with the ticket's row (one statement, not two). */
function attachmentsJson(publicOnly: boolean): SQL<AttachmentRow[] | string> {
  return sql<AttachmentRow[] | string>`(select coalesce(json_agg(json_build_object('id', a.id, 'name', a.original_name, 'size', a.size,
      'mime', a.mime, 'eventId', a.event_id, 'createdAt', ${isoUtc(sql`a.created_at`)}) order by a.created_at, a.id), '[]'::json)
    from attachments a where a.ticket_id = ${tickets.id}${publicOnly ? sql` and ${notInternal(sql`a.event_id`)}` : sql``})`;
}

/** Whether the business `accountId` may download an attachment bound to `ticketId`: its own ticket, and not an internal note's file. */
export async function businessMaySee(executor: Executor, accountId: string, ticketId: string, eventId: number | null) {
  const rows = await rowsOf(
    executor,
    sql`select 1 from ${tickets} where ${tickets.id} = ${ticketId} and ${tickets.accountId} = ${accountId} and ${notInternal(eventId)}`,
  );
  return rows.length > 0;
}

const actorStation = alias(stations, 'actor_station');
const eventFields = {
  id: ticketEvents.id,
  type: ticketEvents.type,
  actorKind: ticketEvents.actorKind,
  actorId: ticketEvents.actorId,
  actorName: ticketEvents.actorName,
  actorStationId: ticketEvents.actorStationId,
  actorStationName: actorStation.name,
  visibility: ticketEvents.visibility,
  data: ticketEvents.data,
  createdAt: ticketEvents.createdAt,
};
/** A timeline entry: the event's fields, its time as ISO text (the database writes the whole timeline as one JSON value). */
export type TimelineEvent = Omit<Joined<RowOf<typeof eventFields>, 'actorStationName'>, 'data'> & { data: Record<string, unknown> };

/**
 * A ticket's events in order as one JSON value (times as ISO text, the id a number, the data as it is stored):
 * every event, or only the public ones. It rides along with the ticket's row: one statement for the detail, not two.
 */
function eventsJson(ticketId: unknown, publicOnly: boolean): SQL<TimelineEvent[] | string> {
  return sql<TimelineEvent[] | string>`(select coalesce(json_agg(ev order by ev.id), '[]'::json) from (select ${selectList(eventFields)} from ${ticketEvents}
      left join ${stations} ${actorStation} on ${actorStation.id} = ${ticketEvents.actorStationId}
      where ${ticketEvents.ticketId} = ${ticketId}${publicOnly ? sql` and ${ticketEvents.visibility} = 'public'` : sql``}) ev)`;
}

const detailSelect = selectList(detailFields);
type DetailRow = Joined<RowOf<typeof summaryFields & typeof detailFields>, 'stationName' | 'assigneeName' | 'entryStationName'> & { color: Color | null };

/**
 * A ticket's statement: its row with the names of its stations and assignee and its colour, then `extra` (the
 * attachments, or nothing); a template of the moment of the colour and the condition.
 */
const ticketStatement = (extra: SQL) =>
  template(
    (at, where) => sql`select ${summarySelect}, ${detailSelect}, ${colorAt(at)} as "color"${extra}
      from ${tickets}
      ${holderAndAssignee}
      left join ${stations} ${entry} on ${entry.id} = ${tickets.entryStationId}
      where ${where}`,
  );
const plainTicket = ticketStatement(sql``);
/** With its attachments and its timeline, for staff (0) and for the enterprise (1). */
const detailStatement = [false, true].map((publicOnly) =>
  ticketStatement(sql`, ${attachmentsJson(publicOnly)} as "attachments", ${eventsJson(tickets.id, publicOnly)} as "events"`),
);

/** The row's time columns: a raw statement answers them as ISO text, the rules compute with Dates. */
const TIME_KEYS = Object.entries({ ...summaryFields, ...detailFields })
  .filter(([, column]) => isTime(column))
  .map(([key]) => key as keyof DetailRow);
type TicketFields = typeof summaryFields & typeof detailFields;
type TimeKey = { [K in keyof TicketFields]: TicketFields[K] extends { _: { data: Date } } ? K : never }[keyof TicketFields];
type Dated<R> = { [K in keyof R]: K extends TimeKey ? (null extends R[K] ? Date | null : Date) : R[K] };

/**
 * The ticket as the actions and the rules read it: the detail's columns, times as Dates. One statement, its text
 * rendered once (lib/sql-template.ts).
 */
export async function findTicket(executor: Executor, now: Date, where: SQL) {
  const [row] = await rowsOf<DetailRow>(executor, plainTicket(now.toISOString(), where));
  if (!row) return null;
  const dated: Record<string, unknown> = { ...row };
  for (const key of TIME_KEYS) dated[key] = row[key] === null ? null : new Date(row[key] as string);
  return dated as Dated<DetailRow>;
}
export type TicketRow = NonNullable<Awaited<ReturnType<typeof findTicket>>>;

/**
 * The ticket with the names of its stations and assignee, its attachments and its timeline: one statement, its text
 * rendered once (the query builder's rendering was a quarter of the server's CPU for a detail request). Times come as
 * ISO text. For the enterprise (publicOnly) only the public events and the attachments of no internal event.
 */
export async function findTicketDetail(executor: Executor, now: Date, where: SQL, publicOnly: boolean) {
  type Row = DetailRow & { attachments: AttachmentRow[] | string; events: TimelineEvent[] | string };
  const [row] = await rowsOf<Row>(executor, detailStatement[Number(publicOnly)]!(now.toISOString(), where));
  if (!row) return null;
  const { attachments: files, events, ...ticket } = row;
  return { ticket, attachments: jsonValue(files), events: jsonValue(events) };
}
export type TicketDetailRow = NonNullable<Awaited<ReturnType<typeof findTicketDetail>>>['ticket'];

/** Every event of a ticket in order, times as ISO text. */
const timelineStatement = template((ticketId) => sql`select ${eventsJson(ticketId, false)} as "events"`);
export async function ticketTimeline(executor: Executor, ticketId: string) {
  const [row] = await rowsOf<{ events: TimelineEvent[] | string }>(executor, timelineStatement(ticketId));
  return row ? jsonValue(row.events) : [];
}

export type ListStatus = TicketStatus;
export type ListChannel = Channel;

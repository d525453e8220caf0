/**
 * Who hears of a ticket, as SQL over `tickets t` and `users u` (active users only): the notifications
 * are inserted by one INSERT … SELECT in the transaction of the event (or the sweep) that causes them.
 */
import { type SQL, sql } from 'drizzle-orm';

const STATION_USER = sql.raw(`u.role in ('staff', 'station_lead')`);

/** The users of every active station that may claim the ticket now (its target, or its type's pool in the district). */
export const poolUsers = sql`(t.status = 'pending_claim' and ${STATION_USER} and exists (
  select 1 from stations s where s.id = u.station_id and s.active
    and (s.id = t.target_station_id or (t.target_station_id is null and s.type = t.pool_type and s.district_code = t.pool_district_code))))`;

export const assignee = sql`u.id = t.assignee_id`;

/** Dispatchers whose scope holds the ticket: the city's and its district's. */
export const dispatchers = sql`(u.role = 'dispatcher' and (u.district_code is null or u.district_code = t.district_code))`;

/** Who must act on the ticket now: its assignee; else the stations that may claim it; else the centre. */
export const responsible = sql`(case when t.assignee_id is not null then ${assignee} when t.status = 'pending_claim' then ${poolUsers} when t.status = 'pending_dispatch' then ${dispatchers} else false end)`;

/** A time as SQL: a value, or an expression (a column of the rows being inserted). */
export const timestamp = (at: Date | SQL) => (at instanceof Date ? sql`${at.toISOString()}::timestamptz` : at);

export const user = (id: string) => sql`u.id = ${id}::uuid`;

export interface NotifySpec {
  kind: NotificationKind;
  /** Shown before the ticket's number and title. */
  prefix: string;
  dedupeKey: SQL;
  recipients: SQL;
}

export const NOTIFICATION_KINDS = ['pool_new', 'assigned', 'supplement_received', 'extension_decided', 'supervised', 'due_soon', 'overdue'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const NOTIFICATION_KIND_LABELS: Record<NotificationKind, string> = {
  pool_new: '新诉求待签收',
  assigned: '分配给我',
  supplement_received: '企业补充材料',
  extension_decided: '延期审批结果',
  supervised: '督办',
  due_soon: '即将到期',
  overdue: '已超期',
};

/**
 * INSERT … SELECT of the notifications for the tickets of `source` (a FROM item with an `id` column:
 * one ticket, or the rows an UPDATE … RETURNING changed). Created once: the (user, kind, key) index. The ticket is read
 * from `ticketsFrom`: the table, or a CTE that inserted it in the same statement (which the table does not show yet).
 */
export function insertNotifications(source: SQL, spec: NotifySpec, at: Date | SQL, exceptUserId?: string | null, ticketsFrom: SQL = sql`tickets`): SQL {
  return sql`insert into notifications (user_id, ticket_id, kind, title, dedupe_key, created_at)
    select u.id, t.id, ${spec.kind}, left(${spec.prefix} || '：' || t.no || ' ' || t.title, 200), ${spec.dedupeKey}, ${timestamp(at)}
    from ${source} join ${ticketsFrom} t on t.id = src.id join users u on u.active and ${spec.recipients}
    ${exceptUserId ? sql`where u.id <> ${exceptUserId}::uuid` : sql``}
    on conflict do nothing`;
}

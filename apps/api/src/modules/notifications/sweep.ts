/**
 * The time-driven notifications of the sweep: "due within 24 hours" and "overdue" to whoever must act on
 * the ticket. Each is written by the statement that notes the condition, so it happens once, even when two
 * instances sweep at once (the second finds the condition already noted).
 */
import { type SQL, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { insertNotifications, responsible } from './recipients.ts';

export const DUE_SOON_HOURS = 24;

/** One per deadline: an approved extension moves resolveDueAt, and the new deadline may warn again. */
const perDeadline = sql`t.id::text || ':' || floor(extract(epoch from t.resolve_due_at))::bigint::text`;

/** The INSERT that notifies the overdue tickets of a CTE named `changed` (the overdue step of the sweep). */
export function overdueNotifications(now: Date): SQL {
  return insertNotifications(sql`changed src`, { kind: 'overdue', prefix: '诉求已超期', dedupeKey: perDeadline, recipients: responsible }, now);
}

/** Open tickets whose deadline falls within the next 24 hours, not yet warned of for this deadline. */
export async function notifyDueSoon(database: Database, now: Date): Promise<number> {
  const at = sql`${now.toISOString()}::timestamptz`;
  const [row] = await database.rows<{ n: number }>(sql`
    with changed as (
      update tickets set due_soon_noted_at = ${at}
      where status in ('pending_dispatch', 'pending_claim', 'in_progress')
        and resolve_due_at > ${at} and resolve_due_at <= ${at} + make_interval(hours => ${DUE_SOON_HOURS})
        and (due_soon_noted_at is null or due_soon_noted_at < resolve_due_at - make_interval(hours => ${DUE_SOON_HOURS}))
      returning id
    ), notes as (
      ${insertNotifications(sql`changed src`, { kind: 'due_soon', prefix: '诉求将在 24 小时内到期', dedupeKey: perDeadline, recipients: responsible }, now)}
      returning 1
    ) select count(*)::int as n from changed`);
  return row?.n ?? 0;
}

/**
 * Time-driven rules, safe when every instance runs them at once: each is one conditional UPDATE whose
 * RETURNING feeds the INSERT of its events in the same statement, so a row changes (and gets its event)
 * exactly once — a second sweeper finds the condition no longer true once the first has committed.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../../db/client.ts';
import { notifyDueSoon, overdueNotifications } from '../notifications/sweep.ts';

export const AUTO_CLOSE_DAYS = 7;

export interface SweepResult {
  closed: number;
  claimOverdue: number;
  overdue: number;
  dueSoon: number;
  /** Rows of the figures' rollup summed into one per group (ticket_stats_compact, drizzle/0003). */
  statsMerged: number;
  /** Rows of the stations' history lengths summed into one per station (station_history_counts_compact, drizzle/0008). */
  historyCountsMerged: number;
}

export async function runSweep(database: Database, now: Date): Promise<SweepResult> {
  const at = sql`${now.toISOString()}::timestamptz`;
  const count = async (query: ReturnType<typeof sql>) => (await database.rows<{ n: number }>(query))[0]?.n ?? 0;

  const closed = await count(sql`
    with changed as (
      update tickets set status = 'closed', closed_at = ${at}, updated_at = ${at}
      where status = 'resolved' and resolved_at < ${at} - make_interval(days => ${AUTO_CLOSE_DAYS})
      returning id
    ), ev as (
      insert into ticket_events (ticket_id, type, actor_kind, visibility, data, created_at)
      select id, 'closed', 'system', 'public', '{"reason":"unrated_timeout"}'::jsonb, ${at} from changed
      returning 1
    ) select count(*)::int as n from ev`);

  const claimOverdue = await count(sql`
    with changed as (
      update tickets set claim_overdue_noted_at = ${at}
      where status = 'pending_claim' and claim_due_at < ${at}
        and (claim_overdue_noted_at is null or claim_overdue_noted_at < entered_pool_at)
      returning id, claim_due_at
    ), ev as (
      insert into ticket_events (ticket_id, type, actor_kind, visibility, data, created_at)
      select id, 'claim_overdue', 'system', 'internal', jsonb_build_object('claimDueAt', claim_due_at), ${at} from changed
      returning 1
    ) select count(*)::int as n from ev`);

  const overdue = await count(sql`
    with changed as (
      update tickets set overdue_noted_at = ${at}
      where status in ('pending_dispatch', 'pending_claim', 'in_progress') and resolve_due_at < ${at} and overdue_noted_at is null
      returning id, resolve_due_at
    ), ev as (
      insert into ticket_events (ticket_id, type, actor_kind, visibility, data, created_at)
      select id, 'overdue', 'system', 'internal', jsonb_build_object('resolveDueAt', resolve_due_at), ${at} from changed
      returning 1
    ), notes as (${overdueNotifications(now)} returning 1)
    select count(*)::int as n from ev`);

  const dueSoon = await notifyDueSoon(database, now);

  // One instance at a time (another one's sweep skips it): two merging the same rows in another order could deadlock.
  const merge = (lock: number, compact: string) => count(sql.raw(`select case when pg_try_advisory_xact_lock(${lock}) then ${compact}() else 0 end as n`));
  const statsMerged = await merge(7303001, 'ticket_stats_compact');
  const historyCountsMerged = await merge(7303002, 'station_history_counts_compact');

  return { closed, claimOverdue, overdue, dueSoon, statsMerged, historyCountsMerged };
}

/** Runs the sweep every `seconds` until the app closes; `onRun` sees each run's result (metrics). */
export function scheduleSweep(
  database: Database,
  seconds: number,
  now: () => Date,
  log: { error(o: object, m: string): void },
  onRun: (result: SweepResult) => void = () => {},
) {
  if (seconds <= 0) return () => {};
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    runSweep(database, now())
      .then(onRun)
      .catch((err) => log.error({ err }, 'sweep failed'))
      .finally(() => {
        running = false;
      });
  }, seconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}

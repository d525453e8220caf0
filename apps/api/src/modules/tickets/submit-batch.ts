/**
 * The public submit, batched (lib/group-commit.ts): the submissions without attachments that arrive while a
 * batch is being written are filed together by one statement, which takes the day's counter once
 * (`last = last + n`) and inserts the n tickets with consecutive numbers, their `submitted` events, their
 * notifications and SMS rows — so the counter's row lock is held once per batch instead of once per ticket.
 * The statement commits on its own before any answer is sent; a rollback returns all n numbers (gapless
 * across instances: each batch takes the counter in its own transaction). When the reference data it
 * re-checks has changed, or the statement fails (a repeated idempotency key, …), nothing is written and
 * each submission of the batch is filed on its own by `submitTicket`, with its own answer.
 */
import { randomUUID } from 'node:crypto';
import { shanghaiDayKey } from '@ys/shared';
import { type SQL, sql } from 'drizzle-orm';
import { type Db, rowsOf } from '../../db/client.ts';
import { AppError } from '../../errors.ts';
import { GroupCommit } from '../../lib/group-commit.ts';
import { reference } from '../../lib/reference.ts';
import type { UploadOwner } from '../attachments/service.ts';
import { insertNotifications, poolUsers } from '../notifications/recipients.ts';
import { enqueueSmsSql } from '../notifications/sms-outbox.ts';
import {
  checkEnterpriseFields,
  type FiledTicket,
  filedOf,
  type Plan,
  plan,
  type SubmitInput,
  submitTicket,
  submittedData,
  ticketEntries,
  ticketValues,
} from './submit.ts';

type EnterpriseActor = { kind: 'enterprise'; id: string };

interface Pending {
  input: SubmitInput;
  actor: EnterpriseActor;
  owner: UploadOwner;
  now: Date;
  key: string | null;
  plan: Plan;
}

const batchers = new WeakMap<Db, GroupCommit<Pending, FiledTicket>>();

/** Files an enterprise's submission: batched with the others arriving at the same time, or on its own (attachments, refusals). */
export async function submitPublicTicket(
  db: Db,
  input: SubmitInput,
  actor: EnterpriseActor,
  owner: UploadOwner,
  now: Date,
  key: string | null,
): Promise<FiledTicket> {
  const single = () => submitTicket(db, input, actor, owner, now, key);
  if (input.attachmentIds?.length) return single();
  checkEnterpriseFields(input);
  const decided = plan(await reference(db), input, now);
  // A refusal is answered by the single path, from a fresh copy of the reference data.
  if (decided instanceof AppError) return single();
  let batcher = batchers.get(db);
  if (!batcher) {
    batcher = new GroupCommit<Pending, FiledTicket>(
      (items) => fileBatch(db, items),
      (p) => submitTicket(db, p.input, p.actor, p.owner, p.now, p.key),
    );
    batchers.set(db, batcher);
  }
  return batcher.submit({ input, actor, owner, now, key, plan: decided });
}

/** The tickets of one batch, in its order; null when nothing was written (the reference data changed, or another day). */
async function fileBatch(db: Db, items: Pending[]): Promise<FiledTicket[] | null> {
  const day = shanghaiDayKey(items[0]!.now);
  if (items.some((it) => shanghaiDayKey(it.now) !== day)) return null;
  const n = items.length;
  const rows = items.map((it) => {
    const values = ticketValues(randomUUID(), it.input, it.now, it.key, it.plan);
    return { it, values, entries: ticketEntries(values) };
  });
  const columns = rows[0]!.entries.map(([column]) => sql.identifier(column.name));
  // The rows as one JSON parameter, read back as rows of `tickets` (typed as its columns), with the event's data.
  const docs = rows.map((r) => ({
    ...Object.fromEntries(r.entries.map(([column, value]) => [column.name, value])),
    ev_data: submittedData(r.it.input, r.it.plan),
    actor_id: r.it.actor.id,
  }));
  // Each distinct condition once (the batch's submissions mostly share category, district and calendar).
  const checks = [...new Map(items.map((it) => [it.plan.checkKey, it.plan.stillTrue])).values()];
  // As eventEffects writes them for one `submitted` event of an enterprise: the pool's notifications and the SMS.
  const events = sql`(select ev.ticket_id as id, ev.id as ev_id, ev.created_at as at from ev) src`;
  const effects: SQL[] = [
    insertNotifications(
      events,
      { kind: 'pool_new', prefix: '新诉求待签收', dedupeKey: sql`'e' || src.ev_id`, recipients: poolUsers },
      sql`src.at`,
      null,
      sql`new_tickets`,
    ),
    enqueueSmsSql(
      sql`t.id`,
      'received',
      sql`'{}'::jsonb`,
      sql`'received:e' || t.ev_id`,
      sql`t.ev_at`,
      sql`(select nt.*, src.ev_id, src.at as ev_at from new_tickets nt join ${events} on src.id = nt.id)`,
    ),
  ];
  // The events go in before the counter is taken (the counter's insert waits for them): they need only the
  // ticket ids, made here, and their foreign key is checked at the end of the statement. The counter's row lock
  // then covers the tickets, the notifications and the SMS rows, and a second batch in flight writes its events
  // while the one ahead of it holds the lock.
  const statement = sql`with ok as (select 1 where ${sql.join(checks, sql` and `)}),
    v as (
      select j.ord, (j.doc->'ev_data')::jsonb as ev_data, j.doc->>'actor_id' as actor_id, r.*
      from json_array_elements(${JSON.stringify(docs)}::json) with ordinality j(doc, ord), json_populate_record(null::tickets, j.doc) r),
    ev as (
      insert into ticket_events (ticket_id, type, actor_kind, actor_id, actor_name, actor_station_id, visibility, data, created_at)
      select v.id, 'submitted', 'enterprise', v.actor_id, null, null, 'public', v.ev_data, v.created_at from v, ok
      returning id, ticket_id, created_at),
    ticket_counter as (
      insert into ticket_counters (day, last) select ${day}, ${n}::int from ok where (select count(*) from ev) = ${n}::int
      on conflict (day) do update set last = ticket_counters.last + ${n}::int
      returning day, last),
    new_tickets as (
      insert into tickets (no, ${sql.join(columns, sql`, `)})
      select 'YS' || c.day || lpad((c.last - ${n}::int + v.ord)::text, 6, '0'), ${sql.join(
        columns.map((column) => sql`v.${column}`),
        sql`, `,
      )}
      from ticket_counter c, v
      returning *)
    ${sql.join(
      effects.map((effect, i) => sql`, ${sql.raw(`fx${i}`)} as (${effect})`),
      sql``,
    )}
    select nt.id, nt.no, ev.id as event_id from new_tickets nt join ev on ev.ticket_id = nt.id`;
  const written = await rowsOf<{ id: string; no: string; event_id: string | number }>(db, statement);
  if (written.length === 0) return null;
  const byId = new Map(written.map((w) => [w.id, w]));
  return rows.map((r) => {
    const w = byId.get(r.values.id as string)!;
    return filedOf(r.it.input, r.values, r.it.plan, w.no, Number(w.event_id), []);
  });
}

/** Every change appends an event (DESIGN §3): the one function that writes ticket_events (and what they notify). */
import type { EventType, EventVisibility } from '@ys/shared';
import { type SQL, sql } from 'drizzle-orm';
import { type Executor, rowsOf } from '../../db/client.ts';
import { eventEffects } from '../notifications/on-event.ts';

export type Actor = { kind: 'staff'; id: string; name: string; stationId: string | null } | { kind: 'enterprise'; id: string } | { kind: 'system' };

export interface NewEvent {
  type: EventType;
  visibility: EventVisibility;
  data?: Record<string, unknown>;
}

/** What a transaction appended, for its audit row and its answer (see recordEvents). */
export interface RecordedEvent {
  id: number;
  ticketId: string;
  type: EventType;
  data: Record<string, unknown>;
}
const recorders = new WeakMap<Executor, RecordedEvent[]>();

/** Collects the events addEvent appends through `tx` (the executor object of one transaction). */
export function recordEvents(tx: Executor): RecordedEvent[] {
  const list: RecordedEvent[] = [];
  recorders.set(tx, list);
  return list;
}

/**
 * The INSERT of one event row (…RETURNING id), for a ticket given as SQL: a uuid, or the id of a row inserted by
 * the same statement (then `from` names that CTE, so that no row of it means no event).
 */
export function insertEventSql(ticketId: SQL, actor: Actor, event: NewEvent, at: Date, from?: SQL): SQL {
  return sql`insert into ticket_events (ticket_id, type, actor_kind, actor_id, actor_name, actor_station_id, visibility, data, created_at)
    select ${ticketId}::uuid, ${event.type}::varchar, ${actor.kind}::varchar, ${actor.kind === 'system' ? null : actor.id}::varchar,
      ${actor.kind === 'staff' ? actor.name : null}::varchar, ${actor.kind === 'staff' ? actor.stationId : null}::uuid, ${event.visibility}::varchar,
      ${JSON.stringify(event.data ?? {})}::jsonb, ${at.toISOString()}::timestamptz${from ? sql` from ${from}` : sql``}
    returning id`;
}

/**
 * Appends the event and, in the same statement (data-modifying CTEs), the notifications and the SMS it
 * causes: one round trip, inside the caller's transaction.
 */
export async function addEvent(tx: Executor, ticketId: string, actor: Actor, event: NewEvent, at: Date): Promise<number> {
  const effects = eventEffects({ ticketId, type: event.type, actor, data: event.data ?? {}, at }, sql`(select id from ev)`);
  const ctes = effects.map((effect, i) => sql`, ${sql.raw(`fx${i}`)} as (${effect})`);
  const [row] = await rowsOf<{ id: string | number }>(
    tx,
    sql`with ev as (${insertEventSql(sql`${ticketId}::uuid`, actor, event, at)})${sql.join(ctes)} select id from ev`,
  );
  const id = Number(row!.id);
  recorders.get(tx)?.push({ id, ticketId, type: event.type, data: JSON.parse(JSON.stringify(event.data ?? {})) });
  return id;
}

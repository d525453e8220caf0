/** Every change appends an event (DESIGN §3): the one function that writes ticket_events (and what they notify). */
import type { EventType, EventVisibility } from '@ys/shared';
import { ticketEvents } from '@ys/shared/schema';
import type { Executor } from '../../db/client.ts';
import { onTicketEvent } from '../notifications/on-event.ts';

export type Actor = { kind: 'staff'; id: string; name: string; stationId: string | null } | { kind: 'enterprise'; id: string } | { kind: 'system' };

export interface NewEvent {
  type: EventType;
  visibility: EventVisibility;
  data?: Record<string, unknown>;
}

export async function addEvent(tx: Executor, ticketId: string, actor: Actor, event: NewEvent, at: Date): Promise<number> {
  const [row] = await tx
    .insert(ticketEvents)
    .values({
      ticketId,
      type: event.type,
      actorKind: actor.kind,
      actorId: actor.kind === 'system' ? null : actor.id,
      actorName: actor.kind === 'staff' ? actor.name : null,
      actorStationId: actor.kind === 'staff' ? actor.stationId : null,
      visibility: event.visibility,
      data: event.data ?? {},
      createdAt: at,
    })
    .returning({ id: ticketEvents.id });
  // Notifications and the enterprise's SMS, in the same transaction as the event that causes them.
  await onTicketEvent(tx, { id: row!.id, ticketId, type: event.type, actor, data: event.data ?? {}, at });
  return row!.id;
}

/**
 * What a ticket event tells people, written in the event's own transaction: staff notifications and the
 * enterprise's SMS (through the outbox). Called by addEvent, so every path that appends an event is covered.
 */
import type { EventType } from '@ys/shared';
import { sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import type { Actor } from '../tickets/events.ts';
import { assignee, insertNotifications, type NotifySpec, poolUsers, responsible, user } from './recipients.ts';
import { enqueueSms, type SmsTemplate } from './sms-outbox.ts';

export interface TicketEventFacts {
  id: number;
  ticketId: string;
  type: EventType;
  actor: Actor;
  data: Record<string, unknown>;
  at: Date;
}

const eventKey = (e: TicketEventFacts) => sql`${`e${e.id}`}`;

function notificationOf(e: TicketEventFacts): NotifySpec | null {
  const key = eventKey(e);
  switch (e.type) {
    case 'submitted':
    case 'dispatched':
      return { kind: 'pool_new', prefix: '新诉求待签收', dedupeKey: key, recipients: poolUsers };
    case 'transferred':
      return { kind: 'pool_new', prefix: '转办诉求待签收', dedupeKey: key, recipients: poolUsers };
    case 'reassigned':
      return typeof e.data.toAssigneeId === 'string'
        ? { kind: 'assigned', prefix: '诉求改派给您', dedupeKey: key, recipients: user(e.data.toAssigneeId) }
        : null;
    case 'reopened':
      return { kind: 'assigned', prefix: '企业不满意，诉求重新办理', dedupeKey: key, recipients: assignee };
    case 'supplemented':
      return { kind: 'supplement_received', prefix: '企业已补充材料', dedupeKey: key, recipients: assignee };
    case 'extension_decided': {
      const prefix = e.data.approve ? `延期申请已批准（${Number(e.data.days) || 0} 个工作日）` : '延期申请未获批准';
      // The one who asked (the latest request's author), else whoever holds the ticket now.
      const requester = sql`u.id::text = coalesce((select r.actor_id from ticket_events r where r.ticket_id = t.id and r.type = 'extension_requested' order by r.id desc limit 1), t.assignee_id::text)`;
      return { kind: 'extension_decided', prefix, dedupeKey: key, recipients: requester };
    }
    case 'supervised':
      return { kind: 'supervised', prefix: '诉求被督办', dedupeKey: key, recipients: responsible };
    default:
      return null;
  }
}

function smsOf(e: TicketEventFacts): { template: SmsTemplate; params: Record<string, string> } | null {
  switch (e.type) {
    case 'submitted':
      return { template: 'received', params: {} };
    case 'claimed':
      return { template: 'claimed', params: { stationName: String(e.data.stationName ?? '') } };
    case 'supplement_requested':
      return { template: 'supplement_requested', params: {} };
    case 'resolved':
      // The rating link is signed when the message is sent; it names this resolution (the event).
      return { template: 'resolved', params: { linkEventId: String(e.id), linkIssuedAt: e.at.toISOString() } };
    default:
      return null;
  }
}

export async function onTicketEvent(tx: Executor, e: TicketEventFacts): Promise<void> {
  const note = notificationOf(e);
  if (note) {
    const actorId = e.actor.kind === 'staff' ? e.actor.id : null;
    await tx.execute(insertNotifications(sql`(select ${e.ticketId}::uuid as id) src`, note, e.at, actorId));
  }
  const sms = smsOf(e);
  if (sms) await enqueueSms(tx, e.ticketId, sms.template, sms.params, `${sms.template}:e${e.id}`, e.at);
}

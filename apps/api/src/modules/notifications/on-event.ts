/**
 * What a ticket event tells people, written in the event's own transaction: staff notifications and the
 * enterprise's SMS (through the outbox). Called by addEvent (and the submit), so every path that appends an
 * event is covered; the statements are data-modifying CTEs of the statement that inserts the event.
 */
import type { EventType } from '@ys/shared';
import { type SQL, sql } from 'drizzle-orm';
import type { Actor } from '../tickets/events.ts';
import { assignee, insertNotifications, type NotifySpec, poolUsers, responsible, user } from './recipients.ts';
import { enqueueSmsSql, type SmsTemplate } from './sms-outbox.ts';

export interface TicketEventFacts {
  ticketId: string | SQL;
  type: EventType;
  actor: Actor;
  data: Record<string, unknown>;
  at: Date;
}

function notificationOf(e: TicketEventFacts, key: SQL): NotifySpec | null {
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

function smsOf(e: TicketEventFacts, eventId: SQL): { template: SmsTemplate; params: SQL } | null {
  switch (e.type) {
    case 'submitted':
      return { template: 'received', params: sql`'{}'::jsonb` };
    case 'claimed':
      return { template: 'claimed', params: sql`jsonb_build_object('stationName', ${String(e.data.stationName ?? '')}::text)` };
    case 'supplement_requested':
      return { template: 'supplement_requested', params: sql`'{}'::jsonb` };
    case 'resolved':
      // The rating link is signed when the message is sent; it names this resolution (the event).
      return {
        template: 'resolved',
        params: sql`jsonb_build_object('linkEventId', (${eventId})::text, 'linkIssuedAt', ${e.at.toISOString()}::text)`,
      };
    default:
      return null;
  }
}

/**
 * The statements an event causes, each to run as a CTE beside the event's INSERT: `eventId` is the new
 * event's id (an SQL expression over that INSERT), `ticketsFrom` where the ticket's row is read (the table,
 * or the CTE that inserted it in the same statement).
 */
export function eventEffects(e: TicketEventFacts, eventId: SQL, ticketsFrom: SQL = sql`tickets`): SQL[] {
  const out: SQL[] = [];
  const ticketId = typeof e.ticketId === 'string' ? sql`${e.ticketId}::uuid` : e.ticketId;
  const note = notificationOf(e, sql`'e' || (${eventId})`);
  if (note) {
    const actorId = e.actor.kind === 'staff' ? e.actor.id : null;
    out.push(insertNotifications(sql`(select ${ticketId} as id) src`, note, e.at, actorId, ticketsFrom));
  }
  const sms = smsOf(e, eventId);
  if (sms) out.push(enqueueSmsSql(ticketId, sms.template, sms.params, sql`${`${sms.template}:e`} || (${eventId})`, e.at, ticketsFrom));
  return out;
}

/** The three paper slips of the programme are views of events (DESIGN §3): 转办单, 反馈单, 回访单. */
import type { EventType } from '@ys/shared';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.ts';
import { ticketTimeline } from './repo.ts';
import type { StaffContext } from './scope.ts';
import { loadInScope } from './service.ts';

const SLIP_EVENTS: Record<'transfer' | 'feedback' | 'visit', EventType[]> = {
  transfer: ['dispatched', 'transferred'],
  feedback: ['resolved'],
  visit: ['visited', 'rated'],
};
const SLIP_TITLES = { transfer: '转办单', feedback: '反馈单', visit: '回访单' };

export async function slip(app: FastifyInstance, ctx: StaffContext, id: string, kind: 'transfer' | 'feedback' | 'visit') {
  // Sent together; the events of a ticket outside the scope are dropped with the 404.
  const [t, events] = await Promise.all([loadInScope(app, ctx, id), ticketTimeline(app.db.db, id)]);
  const entries = events.filter((e) => SLIP_EVENTS[kind].includes(e.type));
  if (entries.length === 0) throw new AppError('NOT_FOUND', `该诉求还没有${SLIP_TITLES[kind]}`);
  const { accountId: _a, ...ticket } = t;
  return { kind, title: SLIP_TITLES[kind], ticket, entries, printedAt: app.now() };
}

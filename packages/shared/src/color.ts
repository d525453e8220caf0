/** 四色预警: the colour of an open ticket (DESIGN §4). The SQL twin lives in the API's ticket repo. */
import type { Color, TicketStatus } from './enums.ts';
import { OPEN_STATUSES } from './enums.ts';

export interface ColorInput {
  status: TicketStatus;
  createdAt: Date;
  resolveDueAt: Date;
  claimDueAt: Date | null;
}

export function ticketColor(t: ColorInput, now: Date): Color | null {
  if (!(OPEN_STATUSES as readonly string[]).includes(t.status)) return null;
  const n = now.getTime();
  const start = t.createdAt.getTime();
  const due = t.resolveDueAt.getTime();
  if (n > due) return 'red';
  const f = due > start ? (n - start) / (due - start) : 1;
  const claimOverdue = t.status === 'pending_claim' && t.claimDueAt !== null && n > t.claimDueAt.getTime();
  if (f >= 0.8 || claimOverdue) return 'orange';
  if (f >= 0.5) return 'yellow';
  return 'green';
}

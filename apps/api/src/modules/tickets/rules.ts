/**
 * The state machine of DESIGN §3 as one pure function: which actions the caller may take on a ticket now.
 * The API refuses anything not listed here (409 INVALID_TRANSITION), and clients show exactly these.
 */
import type { StationType, TicketAction, TicketStatus } from '@ys/shared';
import { isStationRole, type StaffContext } from './scope.ts';

export interface RuleTicket {
  status: TicketStatus;
  stationId: string | null;
  targetStationId: string | null;
  poolType: StationType | null;
  poolDistrictCode: string | null;
  awaitingSupplement: boolean;
  extensionPendingDays: number | null;
  /** Only whether there is one matters (a Date, or ISO text from a raw statement). */
  firstResolvedAt: Date | string | null;
}

export const OPEN_STATES: readonly TicketStatus[] = ['pending_dispatch', 'pending_claim', 'in_progress'];
export const FINAL_STATES: readonly TicketStatus[] = ['closed', 'withdrawn', 'invalid'];

export function canClaim(t: RuleTicket, ctx: StaffContext): boolean {
  const s = ctx.station;
  if (!s || !isStationRole(ctx.role) || t.status !== 'pending_claim') return false;
  return t.targetStationId === s.id || (t.targetStationId === null && t.poolType === s.type && t.poolDistrictCode === s.districtCode);
}

export function holds(t: RuleTicket, ctx: StaffContext): boolean {
  return isStationRole(ctx.role) && ctx.station !== null && t.status === 'in_progress' && t.stationId === ctx.station.id;
}

export function allowedActions(t: RuleTicket, ctx: StaffContext): TicketAction[] {
  const eligible = canClaim(t, ctx);
  const holding = holds(t, ctx);
  const dispatcher = ctx.role === 'dispatcher';
  const open = OPEN_STATES.includes(t.status);
  const actions: TicketAction[] = [];
  const allow = (action: TicketAction, when: boolean) => {
    if (when) actions.push(action);
  };
  allow('claim', eligible);
  allow('reassign', holding && ctx.role === 'station_lead');
  allow('transfer', eligible || holding || (dispatcher && (t.status === 'pending_claim' || t.status === 'in_progress')));
  allow('return', eligible || holding);
  allow('message', (eligible || holding || dispatcher) && !FINAL_STATES.includes(t.status));
  allow('request_supplement', holding && !t.awaitingSupplement);
  allow('request_extension', holding && t.extensionPendingDays === null);
  allow('decide_extension', dispatcher && open && t.extensionPendingDays !== null);
  allow('resolve', holding);
  allow('visit', dispatcher && (t.status === 'resolved' || t.status === 'closed') && t.firstResolvedAt !== null);
  allow('supervise', (dispatcher || ctx.role === 'leader') && (open || t.status === 'resolved'));
  allow('dispatch', dispatcher && t.status === 'pending_dispatch');
  allow('invalidate', dispatcher && (t.status === 'pending_dispatch' || t.status === 'pending_claim'));
  allow('merge', dispatcher && (t.status === 'pending_dispatch' || t.status === 'pending_claim'));
  return actions;
}

/** What the 工作台 counts for each role: every number is a ticket-list query, and opens that list. */
import type { Role } from '@ys/shared';
import type { TicketView } from '@/api/tickets.ts';
import type { Filters } from '@/composables/useTicketList.ts';

export interface Tile {
  key: string;
  label: string;
  view: TicketView;
  filters: Filters;
  /** The list route that shows these tickets. */
  route: 'tickets-pool' | 'tickets-mine' | 'tickets-all';
  tone?: 'danger' | 'warning' | 'primary' | 'success';
}

export const OPEN = 'pending_dispatch,pending_claim,in_progress';

export function tilesFor(role: Role | null): Tile[] {
  switch (role) {
    case 'staff':
    case 'station_lead':
      return [
        { key: 'pool', label: '待签收', view: 'pool', filters: {}, route: 'tickets-pool', tone: 'warning' },
        { key: 'mine', label: '我的在办', view: 'mine', filters: { status: 'in_progress' }, route: 'tickets-mine', tone: 'primary' },
        { key: 'supplement', label: '等待企业补充', view: 'mine', filters: { status: 'in_progress', awaitingSupplement: 'true' }, route: 'tickets-mine' },
        { key: 'overdue', label: '本站已超期', view: 'all', filters: { overdue: 'true' }, route: 'tickets-all', tone: 'danger' },
      ];
    case 'dispatcher':
      return [
        { key: 'pool', label: '待分派', view: 'pool', filters: {}, route: 'tickets-pool', tone: 'warning' },
        { key: 'extension', label: '延期待审批', view: 'all', filters: { extensionPending: 'true', status: OPEN }, route: 'tickets-all', tone: 'primary' },
        { key: 'visit', label: '已办结待回访', view: 'all', filters: { status: 'resolved' }, route: 'tickets-all', tone: 'success' },
        { key: 'overdue', label: '已超期', view: 'all', filters: { overdue: 'true' }, route: 'tickets-all', tone: 'danger' },
      ];
    default:
      return [
        { key: 'open', label: '在办诉求', view: 'all', filters: { status: OPEN }, route: 'tickets-all', tone: 'primary' },
        { key: 'supervised', label: '督办中', view: 'all', filters: { supervised: 'true', status: `${OPEN},resolved` }, route: 'tickets-all', tone: 'warning' },
        { key: 'resolved', label: '已办结待评价', view: 'all', filters: { status: 'resolved' }, route: 'tickets-all', tone: 'success' },
        { key: 'overdue', label: '已超期', view: 'all', filters: { overdue: 'true' }, route: 'tickets-all', tone: 'danger' },
      ];
  }
}

/** The list the 待办 panel shows. */
export function todoFor(role: Role | null): { view: TicketView; filters: Filters; route: Tile['route']; title: string } {
  if (role === 'staff' || role === 'station_lead') return { view: 'mine', filters: { status: 'in_progress' }, route: 'tickets-mine', title: '我的待办' };
  if (role === 'dispatcher') return { view: 'pool', filters: {}, route: 'tickets-pool', title: '待分派诉求' };
  return { view: 'all', filters: { status: OPEN }, route: 'tickets-all', title: '最紧急的在办诉求' };
}

/**
 * Drill-down: the ticket-list filter behind each figure. The API's own filter is used when it gives one
 * (figures carry `drill`); otherwise the list filters that select the same tickets.
 */
import type { Color } from '@ys/shared';
import type { Figures, StatsDimension, StatsFilters } from '@/api/stats.ts';
import type { Filters } from '@/composables/useTicketList.ts';

export type FigureKey =
  | 'received'
  | 'effective'
  | 'responseRate'
  | 'completionRate'
  | 'onTimeRate'
  | 'solvedRate'
  | 'satisfactionRate'
  | 'satisfactionScore'
  | 'overdueOpen'
  | 'avgClaimHours'
  | 'avgResolveHours'
  | `open.${Color}`;

const OPEN = 'pending_dispatch,pending_claim,in_progress';
const EFFECTIVE = `${OPEN},resolved,closed`;
const FINISHED = 'resolved,closed';

const BY_FIGURE: Record<string, Filters> = {
  received: {},
  effective: { status: EFFECTIVE },
  responseRate: { status: EFFECTIVE },
  completionRate: { status: FINISHED },
  onTimeRate: { status: FINISHED },
  solvedRate: { status: 'closed' },
  satisfactionRate: { status: 'closed' },
  satisfactionScore: { status: 'closed' },
  overdueOpen: { overdue: 'true' },
  avgClaimHours: { status: EFFECTIVE },
  avgResolveHours: { status: FINISHED },
};

/** Stats filters → ticket-list filters (dates, district, station type). */
export function baseFilters(f: StatsFilters): Filters {
  const out: Filters = {};
  if (f.from) out.from = f.from;
  if (f.to) out.to = f.to;
  if (f.districtCode) out.districtCode = f.districtCode;
  if (f.stationType) out.stationType = f.stationType;
  if (f.categoryCode) out.categoryCode = f.categoryCode;
  return out;
}

function fromApi(drill: Record<string, string | number | boolean | null> | undefined): Filters | null {
  if (!drill) return null;
  const out: Filters = {};
  for (const [k, v] of Object.entries(drill)) {
    if (v === null || v === undefined || k === 'view' || k === 'page' || k === 'pageSize') continue;
    (out as Record<string, string>)[k] = String(v);
  }
  return out;
}

export function drillFilters(figure: FigureKey, f: StatsFilters, figures?: Pick<Figures, 'drill'> | null): Filters {
  const api = fromApi(figures?.drill?.[figure]);
  if (api) return api;
  if (figure.startsWith('open.')) return { ...baseFilters(f), status: OPEN, color: figure.slice(5) };
  return { ...baseFilters(f), ...(BY_FIGURE[figure] ?? {}) };
}

/** The filter that narrows a list to one row of a breakdown. */
export function rowFilter(dimension: StatsDimension, key: string, f: StatsFilters): Filters {
  switch (dimension) {
    case 'station':
      return { stationId: key };
    case 'stationType':
      return { stationType: key };
    case 'district':
      return { districtCode: key };
    case 'category':
      return { categoryCode: key };
    case 'channel':
      return { channel: key };
    case 'month': {
      // key yyyy-MM: the month in Shanghai, intersected with the chosen range
      const [y, m] = key.split('-').map(Number) as [number, number];
      const start = new Date(Date.UTC(y, m - 1, 1) - 8 * 3600_000).toISOString();
      const end = new Date(Date.UTC(y, m, 1) - 8 * 3600_000).toISOString();
      const from = f.from && f.from > start ? f.from : start;
      const to = f.to && f.to < end ? f.to : end;
      return { from, to };
    }
  }
}

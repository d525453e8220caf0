import type { StationType } from '@ys/shared';
import { downloadFile, http, type Query } from './http.ts';

export type StatsDimension = 'station' | 'stationType' | 'district' | 'category' | 'channel' | 'month';

export interface StatsFilters {
  from?: string;
  to?: string;
  districtCode?: string;
  stationType?: StationType;
  categoryCode?: string;
}

export type ColorCounts = { red: number; orange: number; yellow: number; green: number };

/** The figures of DESIGN §5; a rate is 0..1, or null when its denominator is zero. */
export interface Figures {
  received: number;
  effective: number;
  responseRate: number | null;
  completionRate: number | null;
  onTimeRate: number | null;
  solvedRate: number | null;
  satisfactionRate: number | null;
  satisfactionScore: number | null;
  overdueOpen: number;
  avgClaimHours: number | null;
  avgResolveHours: number | null;
  open?: Partial<ColorCounts> & { total?: number };
  /** Per figure, the ticket-list filter that reproduces the tickets behind it (when the API gives it). */
  drill?: Partial<Record<string, Record<string, string | number | boolean | null>>>;
}

export interface StatsRow extends Figures {
  key: string;
  label?: string;
  name?: string;
}

export const statsApi = {
  overview: (f: StatsFilters) => http.get<Figures>('/stats/overview', f as Query),
  by: async (dimension: StatsDimension, f: StatsFilters): Promise<StatsRow[]> => {
    const body = await http.get<StatsRow[] | { items: StatsRow[] }>('/stats/by', { dimension, ...f } as Query);
    return Array.isArray(body) ? body : body.items;
  },
  export: (f: StatsFilters, dimension?: StatsDimension) => downloadFile('/stats/export', { ...f, dimension } as Query, '统计分析.xlsx'),
};

import type { StationType } from '@ys/shared';
import { downloadFile, http, type Query } from './http.ts';

export type StatsDimension = 'station' | 'stationType' | 'district' | 'category' | 'channel' | 'month';

export interface StatsFilters {
  from?: string;
  to?: string;
  districtCode?: string;
  stationType?: StationType;
  categoryCode?: string;
  channel?: string;
  stationId?: string;
}

/** Query parameters of GET /api/tickets that list the tickets behind a figure. */
export type ListFilter = Record<string, string | number | boolean | null | undefined>;

/** One figure of DESIGN §5: a rate is 0..1, or null when its denominator is zero. */
export interface Figure {
  value: number | null;
  numerator?: number;
  denominator?: number;
  /** The tickets behind the figure (for a rate: its denominator). */
  filter: ListFilter;
  /** For a rate: the tickets of its numerator. */
  numeratorFilter?: ListFilter;
}

export const FIGURE_KEYS = [
  'received',
  'effective',
  'responseRate',
  'completionRate',
  'onTimeRate',
  'solvedRate',
  'satisfactionRate',
  'satisfactionScore',
  'overdueOpen',
  'avgClaimHours',
  'avgResolveHours',
] as const;
export type FigureKey = (typeof FIGURE_KEYS)[number];

export type FigureSet = Record<FigureKey, Figure> & { colors: { red: Figure; orange: Figure; yellow: Figure; green: Figure } };

export interface Overview extends FigureSet {
  asOf: string;
  filter: ListFilter;
}

export interface StatsRow extends FigureSet {
  key: string | null;
  label: string;
  filter: ListFilter;
}

export interface ByDimension {
  asOf: string;
  dimension: StatsDimension;
  filter: ListFilter;
  items: StatsRow[];
}

export interface RankingRow extends FigureSet {
  rank?: number;
  stationId: string | null;
  label: string;
  stationType: StationType | null;
  districtCode: string | null;
  filter: ListFilter;
}

export interface Ranking {
  asOf: string;
  minVolume: number;
  items: (RankingRow & { rank: number })[];
  belowMinimum: RankingRow[];
}

export interface Count {
  value: number;
  filter: ListFilter;
}

export interface ColorBoard {
  asOf: string;
  by: 'station' | 'district';
  items: { key: string | null; label: string; red: Count; orange: Count; yellow: Count; green: Count; total: Count }[];
}

export interface Digest {
  asOf: string;
  date: string;
  items: { stationId: string; stationName: string; stationType: StationType; districtCode: string; todo: Count; dueToday: Count; overdue: Count }[];
}

const q = (f: object) => f as Query;

export const statsApi = {
  overview: (f: StatsFilters) => http.get<Overview>('/stats/overview', q(f)),
  by: (dimension: StatsDimension, f: StatsFilters) => http.get<ByDimension>('/stats/by', q({ dimension, ...f })),
  trend: (f: StatsFilters) => http.get<ByDimension>('/stats/trend', q(f)),
  ranking: (f: StatsFilters, minVolume?: number) => http.get<Ranking>('/stats/ranking', q({ ...f, minVolume })),
  colors: (f: StatsFilters, by: 'station' | 'district') => http.get<ColorBoard>('/stats/colors', q({ ...f, by })),
  digest: () => http.get<Digest>('/stats/digest'),
  export: (f: StatsFilters, dimension: StatsDimension) => downloadFile('/stats/export', q({ ...f, dimension }), '统计分析.xlsx'),
};

import type { StationType } from '@ys/shared';
import { http } from './http.ts';

export interface DistrictItem {
  code: string;
  name: string;
  active: boolean;
}
export interface StationItem {
  id: string;
  code: string;
  name: string;
  type: StationType;
  agencyName: string;
  districtCode: string;
  active: boolean;
}
export interface CategoryItem {
  code: string;
  name: string;
  stationType: StationType | null;
  claimHours: number;
  resolveDays: number;
  sortOrder: number;
  active: boolean;
}
export interface Dicts {
  districts: DistrictItem[];
  stations: StationItem[];
  categories: CategoryItem[];
}

export const dictsApi = {
  load: () => http.get<Dicts>('/dicts'),
};

import type { HolidayKind, Role, StationType } from '@ys/shared';
import { downloadFile, fetchBlob, http, type Query } from './http.ts';
import type { Page } from './types.ts';

interface Stamped {
  createdAt: string;
  updatedAt: string;
}
export interface District extends Stamped {
  code: string;
  name: string;
  active: boolean;
}
export interface Station extends Stamped {
  id: string;
  code: string;
  name: string;
  type: StationType;
  agencyName: string;
  districtCode: string;
  address: string | null;
  phone: string | null;
  active: boolean;
}
export type StationInput = Omit<Station, 'id' | 'createdAt' | 'updatedAt'>;
export interface Category extends Stamped {
  code: string;
  name: string;
  stationType: StationType | null;
  claimHours: number;
  resolveDays: number;
  sortOrder: number;
  active: boolean;
}
export type CategoryInput = Omit<Category, 'createdAt' | 'updatedAt'>;
export interface Holiday extends Stamped {
  date: string;
  kind: HolidayKind;
  name: string;
}
export interface User extends Stamped {
  id: string;
  username: string;
  name: string;
  phone: string | null;
  role: Role;
  stationId: string | null;
  districtCode: string | null;
  active: boolean;
  mustChangePassword: boolean;
  lockedUntil: string | null;
  lastLoginAt: string | null;
}
export interface UserInput {
  username: string;
  name: string;
  password: string;
  role: Role;
  phone: string | null;
  stationId: string | null;
  districtCode: string | null;
  active: boolean;
}
export interface AuditLog {
  id: number;
  actorKind: string;
  actorId: string | null;
  actorName: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  success: boolean;
  ip: string | null;
  detail: unknown;
  createdAt: string;
}

/** List filters (q, active, type, role, …) and paging; empty values are left out of the URL. */
export type ListQuery = Query;

export const adminApi = {
  districts: (q: ListQuery = {}) => http.get<Page<District>>('/admin/districts', q),
  createDistrict: (d: { code: string; name: string; active?: boolean }) => http.post<District>('/admin/districts', d),
  updateDistrict: (code: string, d: { name?: string; active?: boolean }) => http.patch<District>(`/admin/districts/${code}`, d),

  stations: (q: ListQuery) => http.get<Page<Station>>('/admin/stations', q),
  createStation: (s: StationInput) => http.post<Station>('/admin/stations', s),
  updateStation: (id: string, s: Partial<StationInput>) => http.patch<Station>(`/admin/stations/${id}`, s),
  station: (id: string) => http.get<Station>(`/admin/stations/${id}`),
  qrcode: (id: string, format: 'png' | 'svg', size = 512) => fetchBlob(`/admin/stations/${id}/qrcode`, { format, size }),
  downloadQrcode: (s: Station, format: 'png' | 'svg') =>
    downloadFile(`/admin/stations/${s.id}/qrcode`, { format, size: 1024, download: true }, `station-${s.code}.${format}`),

  users: (q: ListQuery) => http.get<Page<User>>('/admin/users', q),
  createUser: (u: UserInput) => http.post<User>('/admin/users', u),
  updateUser: (id: string, u: Partial<Omit<UserInput, 'username' | 'password'>>) => http.patch<User>(`/admin/users/${id}`, u),
  resetPassword: (id: string, password: string) => http.post<User>(`/admin/users/${id}/reset-password`, { password }),
  unlockUser: (id: string) => http.post<User>(`/admin/users/${id}/unlock`),

  categories: (q: ListQuery = {}) => http.get<Page<Category>>('/admin/categories', q),
  createCategory: (c: CategoryInput) => http.post<Category>('/admin/categories', c),
  updateCategory: (code: string, c: Partial<Omit<CategoryInput, 'code'>>) => http.patch<Category>(`/admin/categories/${code}`, c),

  holidays: (year: number) => http.get<Page<Holiday>>('/admin/holidays', { year, pageSize: 100 }),
  createHoliday: (h: { date: string; kind: HolidayKind; name: string }) => http.post<Holiday>('/admin/holidays', h),
  updateHoliday: (date: string, h: { kind?: HolidayKind; name?: string }) => http.patch<Holiday>(`/admin/holidays/${date}`, h),
  deleteHoliday: (date: string) => http.delete<void>(`/admin/holidays/${date}`),

  auditLogs: (q: ListQuery) => http.get<Page<AuditLog>>('/admin/audit-logs', q),
};

import type { RouteRecordRaw } from 'vue-router';
import { zh } from '@/i18n/zh-CN.ts';
import '../meta.ts';

const admin = ['admin'] as const;
const entry = (path: string, name: string, title: string, order: number, component: RouteRecordRaw['component']): RouteRecordRaw =>
  ({ path, name, component, meta: { title, roles: admin, menu: { group: 'system', icon: 'system', order } } }) as RouteRecordRaw;

export const systemRoutes: RouteRecordRaw[] = [
  entry('system/districts', 'system-districts', zh.menu.districts, 40, () => import('@/views/system/DistrictsView.vue')),
  entry('system/stations', 'system-stations', zh.menu.stations, 41, () => import('@/views/system/StationsView.vue')),
  entry('system/users', 'system-users', zh.menu.users, 42, () => import('@/views/system/UsersView.vue')),
  entry('system/categories', 'system-categories', zh.menu.categories, 43, () => import('@/views/system/CategoriesView.vue')),
  entry('system/holidays', 'system-holidays', zh.menu.holidays, 44, () => import('@/views/system/HolidaysView.vue')),
  entry('system/audit-logs', 'system-audit', zh.menu.audit, 45, () => import('@/views/system/AuditLogView.vue')),
];

export const systemPrintRoutes: RouteRecordRaw[] = [
  {
    path: '/print/stations/:id/poster',
    name: 'station-poster',
    component: () => import('@/views/system/StationPosterView.vue'),
    props: true,
    meta: { title: '站点优商码海报', roles: admin },
  },
];

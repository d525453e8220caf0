import type { RouteRecordRaw } from 'vue-router';
import { zh } from '@/i18n/zh-CN.ts';
import { OVERSIGHT_ROLES } from '../meta.ts';

export const statsRoutes: RouteRecordRaw[] = [
  {
    path: 'stats',
    name: 'stats',
    component: () => import('@/views/stats/StatsView.vue'),
    meta: { title: zh.menu.stats, roles: ['station_lead', ...OVERSIGHT_ROLES], menu: { icon: 'stats', order: 30 } },
  },
];

import type { RouteRecordRaw } from 'vue-router';
import { zh } from '@/i18n/zh-CN.ts';
import '../meta.ts';

export const dashboardRoutes: RouteRecordRaw[] = [
  {
    path: 'dashboard',
    name: 'dashboard',
    component: () => import('@/views/dashboard/DashboardView.vue'),
    meta: { title: zh.menu.dashboard, menu: { icon: 'dashboard', order: 10 } },
  },
  {
    path: 'password',
    name: 'password',
    component: () => import('@/views/auth/ChangePasswordView.vue'),
    meta: { title: zh.menu.password },
  },
];

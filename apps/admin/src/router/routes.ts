import type { RouteRecordRaw } from 'vue-router';
import { zh } from '@/i18n/zh-CN.ts';
import { dashboardRoutes } from './modules/dashboard.ts';
import { statsRoutes } from './modules/stats.ts';
import { systemPrintRoutes, systemRoutes } from './modules/system.ts';
import { ticketPrintRoutes, ticketRoutes } from './modules/tickets.ts';

/** Screens inside the console's frame (side menu, header). */
export const frameRoutes: RouteRecordRaw[] = [...dashboardRoutes, ...ticketRoutes, ...statsRoutes, ...systemRoutes];

export const routes: RouteRecordRaw[] = [
  {
    path: '/login',
    name: 'login',
    component: () => import('@/views/auth/LoginView.vue'),
    meta: { title: zh.auth.title, public: true },
  },
  {
    path: '/',
    component: () => import('@/layouts/AppLayout.vue'),
    redirect: '/dashboard',
    children: [
      ...frameRoutes,
      { path: '403', name: 'forbidden', component: () => import('@/views/errors/ForbiddenView.vue'), meta: { title: zh.errors.forbiddenTitle } },
      { path: ':pathMatch(.*)*', name: 'not-found', component: () => import('@/views/errors/NotFoundView.vue'), meta: { title: zh.errors.notFoundTitle } },
    ],
  },
  ...ticketPrintRoutes,
  ...systemPrintRoutes,
];

import type { RouteRecordRaw } from 'vue-router';
import { zh } from '@/i18n/zh-CN.ts';
import { OVERSIGHT_ROLES, STATION_ROLES } from '../meta.ts';

const list = () => import('@/views/tickets/TicketListView.vue');

export const ticketRoutes: RouteRecordRaw[] = [
  {
    path: 'tickets/pool',
    name: 'tickets-pool',
    component: list,
    props: { view: 'pool' },
    meta: {
      title: zh.menu.pool,
      titleFor: { dispatcher: zh.menu.dispatchPool },
      roles: [...STATION_ROLES, 'dispatcher'],
      menu: { group: 'tickets', icon: 'pool', order: 20 },
    },
  },
  {
    path: 'tickets/mine',
    name: 'tickets-mine',
    component: list,
    props: { view: 'mine' },
    meta: { title: zh.menu.mine, roles: STATION_ROLES, menu: { group: 'tickets', icon: 'mine', order: 21 } },
  },
  {
    path: 'tickets/all',
    name: 'tickets-all',
    component: list,
    props: { view: 'all' },
    meta: { title: zh.menu.all, menu: { group: 'tickets', icon: 'list', order: 22 } },
  },
  {
    path: 'tickets/supervised',
    name: 'tickets-supervised',
    component: list,
    props: { view: 'all', fixed: { supervised: 'true' } },
    meta: { title: zh.menu.supervised, roles: OVERSIGHT_ROLES, menu: { group: 'tickets', icon: 'supervise', order: 23 } },
  },
  {
    path: 'tickets/new',
    name: 'tickets-new',
    component: () => import('@/views/tickets/ProxyTicketView.vue'),
    meta: { title: zh.menu.proxy, roles: ['dispatcher'], menu: { group: 'tickets', icon: 'proxy', order: 24 } },
  },
  {
    path: 'tickets/:id',
    name: 'ticket-detail',
    component: () => import('@/views/tickets/TicketDetailView.vue'),
    props: true,
    meta: { title: '工单详情' },
  },
];

/** Print views: outside the console's frame, A4. */
export const ticketPrintRoutes: RouteRecordRaw[] = [
  {
    path: '/print/tickets/:id/:kind(transfer|feedback|visit)',
    name: 'ticket-slip',
    component: () => import('@/views/tickets/SlipPrintView.vue'),
    props: true,
    meta: { title: '打印' },
  },
];

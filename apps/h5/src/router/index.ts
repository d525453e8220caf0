import { createRouter, createWebHistory } from 'vue-router';
import { setUnauthenticatedHandler } from '@/api/client';
import { APP_NAME } from '@/copy';
import { isSignedIn } from '@/session';
import LandingView from '@/views/LandingView.vue';

declare module 'vue-router' {
  interface RouteMeta {
    title?: string;
    auth?: boolean;
  }
}

export const router = createRouter({
  history: createWebHistory(import.meta.env.BASE_URL),
  scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
  routes: [
    // The QR code's address: the first page a business sees, so it is in the entry chunk.
    { path: '/s/:stationCode', name: 'landing', component: LandingView, meta: { title: '优商码' } },
    { path: '/s/:stationCode/new', name: 'file', component: () => import('@/views/FileView.vue'), meta: { title: '反映诉求', auth: true } },
    { path: '/', name: 'home', component: () => import('@/views/HomeView.vue') },
    { path: '/login', name: 'login', component: () => import('@/views/LoginView.vue'), meta: { title: '手机号登录' } },
    { path: '/receipt/:no', name: 'receipt', component: () => import('@/views/ReceiptView.vue'), meta: { title: '提交成功', auth: true } },
    { path: '/tickets', name: 'tickets', component: () => import('@/views/TicketListView.vue'), meta: { title: '我的诉求', auth: true } },
    { path: '/tickets/:no', name: 'ticket', component: () => import('@/views/TicketDetailView.vue'), meta: { title: '诉求详情', auth: true } },
    // The signed link of the "办结" SMS: rate without signing in.
    { path: '/rate/:token', name: 'rate', component: () => import('@/views/RateLinkView.vue'), meta: { title: '评价办理结果' } },
    { path: '/:pathMatch(.*)*', name: 'not-found', component: () => import('@/views/NotFoundView.vue'), meta: { title: '页面不存在' } },
  ],
});

router.beforeEach((to) => {
  if (to.meta.auth && !isSignedIn()) return { name: 'login', query: { redirect: to.fullPath } };
  return true;
});

router.afterEach((to) => {
  document.title = to.meta.title ? `${to.meta.title} - ${APP_NAME}` : APP_NAME;
});

setUnauthenticatedHandler(() => {
  const current = router.currentRoute.value;
  if (current.name !== 'login') void router.replace({ name: 'login', query: { redirect: current.fullPath } });
});

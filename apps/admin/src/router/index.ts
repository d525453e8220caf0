import { createRouter, createWebHistory, type Router } from 'vue-router';
import { zh } from '@/i18n/zh-CN.ts';
import { useSessionStore } from '@/stores/session.ts';
import { canAccess, titleFor } from './menu.ts';
import { routes } from './routes.ts';

export function installGuards(router: Router): void {
  router.beforeEach(async (to) => {
    if (to.meta.public) return true;
    const session = useSessionStore();
    if (!session.signedIn && !(await session.restore())) {
      return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath }, replace: true };
    }
    const user = session.user;
    if (user?.mustChangePassword && to.name !== 'password') return { name: 'password', query: { redirect: to.fullPath } };
    if (!canAccess(to.meta.roles, session.role)) return { name: 'forbidden', query: { from: to.fullPath }, replace: true };
    return true;
  });
  router.afterEach((to) => {
    const session = useSessionStore();
    const title = titleFor(to.meta, session.role);
    document.title = title ? `${title} · ${zh.consoleName}` : zh.consoleName;
  });
}

export function createAppRouter(): Router {
  const router = createRouter({
    history: createWebHistory(import.meta.env.BASE_URL),
    routes,
    scrollBehavior: (_to, _from, saved) => saved ?? { top: 0 },
  });
  installGuards(router);
  return router;
}

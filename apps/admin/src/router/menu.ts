/** The side menu, derived from the routes' meta and the user's role. */
import type { Role } from '@ys/shared';
import type { RouteRecordRaw } from 'vue-router';
import { zh } from '@/i18n/zh-CN.ts';
import type { MenuIcon, MenuMeta } from './meta.ts';

export interface MenuItem {
  key: string;
  title: string;
  icon?: MenuIcon;
  /** Route path (absolute) for leaves. */
  path?: string;
  children?: MenuItem[];
}

const GROUPS: Record<NonNullable<MenuMeta['group']>, { title: string; icon: MenuIcon; order: number }> = {
  tickets: { title: zh.menu.tickets, icon: 'list', order: 20 },
  system: { title: zh.menu.system, icon: 'system', order: 40 },
};

export function canAccess(roles: readonly Role[] | undefined, role: Role | null): boolean {
  if (!role) return false;
  return !roles || roles.includes(role);
}

export function titleFor(meta: { title?: string; titleFor?: Partial<Record<Role, string>> }, role: Role | null): string {
  return (role && meta.titleFor?.[role]) || meta.title || '';
}

type Ordered = MenuItem & { order: number; items?: Ordered[] };

/** Menu entries for `role` from the children of the console's frame route (paths relative to `/`). */
export function menuFor(routes: readonly RouteRecordRaw[], role: Role | null): MenuItem[] {
  const top: Ordered[] = [];
  const groups = new Map<string, Ordered & { items: Ordered[] }>();
  for (const r of routes) {
    const meta = r.meta;
    if (!meta?.menu || !canAccess(meta.roles, role)) continue;
    const item: Ordered = { key: String(r.name ?? r.path), title: titleFor(meta, role), icon: meta.menu.icon, path: `/${r.path}`, order: meta.menu.order };
    const g = meta.menu.group;
    if (!g) {
      top.push(item);
      continue;
    }
    let group = groups.get(g);
    if (!group) {
      group = { key: `group-${g}`, title: GROUPS[g].title, icon: GROUPS[g].icon, order: GROUPS[g].order, items: [] };
      groups.set(g, group);
      top.push(group);
    }
    group.items.push(item);
  }
  const byOrder = (a: Ordered, b: Ordered) => a.order - b.order;
  const strip = (o: Ordered): MenuItem => {
    const item: MenuItem = { key: o.key, title: o.title };
    if (o.icon) item.icon = o.icon;
    if (o.path && !o.items) item.path = o.path;
    if (o.items) item.children = [...o.items].sort(byOrder).map(strip);
    return item;
  };
  return top.sort(byOrder).map(strip);
}

/** Where a role lands after signing in. */
export function homeFor(_role: Role | null): string {
  return '/dashboard';
}

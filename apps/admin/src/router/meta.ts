import type { Role } from '@ys/shared';
import 'vue-router';

export type MenuIcon = 'dashboard' | 'pool' | 'mine' | 'list' | 'supervise' | 'proxy' | 'stats' | 'system';

export interface MenuMeta {
  /** Menu group (a sub-menu); absent for top-level entries. */
  group?: 'tickets' | 'system';
  icon?: MenuIcon;
  order: number;
}

declare module 'vue-router' {
  interface RouteMeta {
    title?: string;
    /** Roles that may open the route; absent = every signed-in role. */
    roles?: readonly Role[];
    menu?: MenuMeta;
    /** A title per role where the same screen means something else (the centre's pool is 待分派). */
    titleFor?: Partial<Record<Role, string>>;
    /** Reachable without signing in. */
    public?: boolean;
  }
}

export const STATION_ROLES = ['staff', 'station_lead'] as const satisfies readonly Role[];
export const OVERSIGHT_ROLES = ['dispatcher', 'leader', 'admin'] as const satisfies readonly Role[];

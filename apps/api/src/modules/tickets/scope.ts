/**
 * Who sees which tickets (DESIGN §1). The scope is a SQL condition built once per request from the user
 * and applied by every list, lookup and action: a ticket outside it does not exist for the caller.
 */
import type { Role, StationType } from '@ys/shared';
import { stations, tickets } from '@ys/shared/schema';
import { eq, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import type { StaffUser } from '../../plugins/auth.ts';

export interface StaffContext {
  id: string;
  name: string;
  role: Role;
  districtCode: string | null;
  station: { id: string; type: StationType; districtCode: string; name: string } | null;
}

export const isStationRole = (role: Role) => role === 'staff' || role === 'station_lead';

/** The caller as the scope needs it: the station comes with the user from the auth hook, else it is read here. */
export async function staffContext(executor: Executor, user: StaffUser): Promise<StaffContext> {
  let station: StaffContext['station'] = user.station ?? null;
  if (user.station === undefined && user.stationId) {
    const [s] = await executor
      .select({ id: stations.id, type: stations.type, districtCode: stations.districtCode, name: stations.name })
      .from(stations)
      .where(eq(stations.id, user.stationId));
    station = s ?? null;
  }
  return { id: user.id, name: user.name, role: user.role, districtCode: user.districtCode, station };
}

/** Tickets waiting in a pool this station may claim from. */
export function claimableBy(station: NonNullable<StaffContext['station']>): SQL {
  return sql`(${tickets.status} = 'pending_claim' and (${tickets.targetStationId} = ${station.id} or (${tickets.targetStationId} is null and ${tickets.poolType} = ${station.type} and ${tickets.poolDistrictCode} = ${station.districtCode})))`;
}

/** The scope as a condition on one ticket: cheap for a lookup by id and for filters over a few candidate rows. */
export function scopeFilter(ctx: StaffContext): SQL {
  if (isStationRole(ctx.role)) {
    const s = ctx.station;
    if (!s) return sql`false`;
    // The station's pool, what it holds or is targeted with, and what it handled before (then transferred or returned).
    return sql`(${tickets.stationId} = ${s.id} or ${tickets.targetStationId} = ${s.id} or ${claimableBy(s)} or exists (select 1 from ticket_events e where e.ticket_id = ${tickets.id} and e.actor_station_id = ${s.id}))`;
  }
  if (ctx.districtCode) return sql`${tickets.districtCode} = ${ctx.districtCode}`;
  return sql`true`;
}

/**
 * The scope of a list of the given view. For a station's whole history ("all", the figures) the tickets it
 * handled before are computed once from the actor-station index, so that every arm of the OR is an index
 * condition; inside an OR, the EXISTS of `scopeFilter` made the planner scan every ticket against every event.
 * The pool is inside the scope by definition and needs no scope condition at all.
 */
export function listScopeFilter(ctx: StaffContext, view: 'pool' | 'mine' | 'all'): SQL {
  const s = ctx.station;
  if (!isStationRole(ctx.role) || !s || view === 'mine') return scopeFilter(ctx);
  if (view === 'pool') return claimableBy(s);
  return sql`(${tickets.stationId} = ${s.id} or ${tickets.targetStationId} = ${s.id} or ${claimableBy(s)} or ${tickets.id} = any(array(select distinct e.ticket_id from ticket_events e where e.actor_station_id = ${s.id})))`;
}

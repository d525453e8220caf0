/**
 * Who sees which tickets (DESIGN §1). The scope is a SQL condition built once per request from the user
 * and applied by every list, lookup and action: a ticket outside it does not exist for the caller.
 */
import type { Role, StationType } from '@ys/shared';
import { stations, tickets } from '@ys/shared/schema';
import { eq, type Placeholder, type SQL, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { template } from '../../lib/sql-template.ts';
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

type Station = NonNullable<StaffContext['station']>;

// The station conditions below are templates (lib/sql-template.ts): rendered once, called with the station's id,
// type and district (`of`).
const of = (s: Station) => [s.id, s.type, s.districtCode] as const;
const claimable = template(
  (id, type, district) =>
    sql`(${tickets.status} = 'pending_claim' and (${tickets.targetStationId} = ${id} or (${tickets.targetStationId} is null and ${tickets.poolType} = ${type} and ${tickets.poolDistrictCode} = ${district})))`,
);

/** Tickets waiting in a pool this station may claim from. */
export function claimableBy(station: Station): SQL {
  return claimable(...of(station));
}

/** What a station holds, what it is named for, and what it may claim from its pool: the open arms of every station scope. */
const heldNamedOrPool = template(
  (id, type, district) => sql`${tickets.stationId} = ${id} or ${tickets.targetStationId} = ${id} or ${claimable(id, type, district)}`,
);

/** The scope as a condition on one ticket: cheap for a lookup by id and for filters over a few candidate rows. */
export function scopeFilter(ctx: StaffContext): SQL {
  if (isStationRole(ctx.role)) {
    const s = ctx.station;
    if (!s) return sql`false`;
    // The station's pool, what it holds or is targeted with, and what it handled before (then transferred or returned).
    return stationScope(...of(s));
  }
  if (ctx.districtCode) return sql`${tickets.districtCode} = ${ctx.districtCode}`;
  return sql`true`;
}

/** The tickets of a station's history (station_tickets), all of them or only the open or the settled ones, as an array computed once. */
function history(id: Placeholder, part?: 'open' | 'settled'): SQL {
  const which = part === 'open' ? sql` and st.open` : part === 'settled' ? sql` and not st.open` : sql``;
  return sql`${tickets.id} = any(array(select st.ticket_id from station_tickets st where st.station_id = ${id}${which}))`;
}

const stationScope = template(
  (id, type, district) =>
    sql`(${heldNamedOrPool(id, type, district)} or exists (select 1 from station_tickets st where st.station_id = ${id} and st.ticket_id = ${tickets.id}))`,
);
const stationAll = template((id, type, district) => sql`(${heldNamedOrPool(id, type, district)} or ${history(id)})`);
const stationOpen = template((id, type, district) => sql`(${heldNamedOrPool(id, type, district)} or ${history(id, 'open')})`);
const stationSettled = template((id) => sql`(${tickets.targetStationId} = ${id} or ${history(id, 'settled')})`);
const stationCount = template<number>(
  (id, type, district) => sql`((select coalesce(sum(c.n), 0) from station_history_counts c where c.station_id = ${id})
    + (select count(*) from ${tickets} where (${tickets.targetStationId} = ${id} or ${claimable(id, type, district)})
       and not exists (select 1 from station_tickets st where st.station_id = ${id} and st.ticket_id = ${tickets.id})))::int`,
);

/**
 * The scope of a list of the given view. For a station's whole history ("all", the figures) the tickets it
 * handled before are computed once from station_tickets, so that every arm of the OR is an index condition;
 * inside an OR, the EXISTS of `scopeFilter` made the planner scan every ticket against every event. A station's
 * pool view is its pool and nothing else: its scope is the pool's condition alone (no history arm), and the list
 * adds no view condition of its own (tickets/list.ts viewFilter).
 */
export function listScopeFilter(ctx: StaffContext, view: 'pool' | 'mine' | 'all'): SQL {
  const s = ctx.station;
  if (!isStationRole(ctx.role) || !s || view === 'mine') return scopeFilter(ctx);
  if (view === 'pool') return claimableBy(s);
  return stationAll(...of(s));
}

/**
 * A station's "all" scope split into its open and its settled tickets, for the urgency order (open ones
 * first), each part as cheap as its size: the open part is the station's open history, what it holds or is
 * named for, and its pool (a few hundred rows however long the history); the settled part is the rest of
 * the history. A station holds a ticket only by claiming it, and the claim is its event, so what it holds is
 * in its history (stats-recompute checks this); the pool and a named station are open by definition.
 */
export function stationScopeParts(s: Station): { open: SQL; settled: SQL } {
  return {
    open: stationOpen(...of(s)),
    settled: stationSettled(s.id),
  };
}

/**
 * How many tickets a station's "all" scope holds: its history (its length from station_history_counts, a few rows
 * to add up instead of 27 k index entries to count at the busiest station), and what it is named for or may claim
 * outside it.
 */
export function stationScopeCount(s: Station): SQL<number> {
  return stationCount(...of(s));
}

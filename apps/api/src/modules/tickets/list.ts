/** The staff ticket list: views pool / mine / all and the filters of DESIGN §6, always inside the scope. */
import { CHANNELS, COLORS, TICKET_STATUSES } from '@ys/shared';
import { tickets } from '@ys/shared/schema';
import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import { type Static, Type } from 'typebox';
import { validation } from '../../errors.ts';
import { PagingQuery } from '../../lib/paging.ts';
import { colorSql } from './repo.ts';
import { claimableBy, isStationRole, type StaffContext, scopeFilter } from './scope.ts';

const csv = (pattern: string) => Type.String({ maxLength: 200, pattern: `^(${pattern})(,(${pattern}))*$` });

export const ListQuery = Type.Object({
  ...PagingQuery,
  view: Type.Optional(Type.Enum(['pool', 'mine', 'all'])),
  status: Type.Optional(csv(TICKET_STATUSES.join('|'))),
  color: Type.Optional(csv(COLORS.join('|'))),
  channel: Type.Optional(csv(CHANNELS.join('|'))),
  categoryCode: Type.Optional(Type.String({ maxLength: 32 })),
  stationId: Type.Optional(Type.String({ format: 'uuid' })),
  districtCode: Type.Optional(Type.String({ pattern: '^\\d{6}$' })),
  stationType: Type.Optional(Type.Enum(['court', 'procuratorate', 'police', 'legal_service'])),
  supervised: Type.Optional(Type.Boolean()),
  awaitingSupplement: Type.Optional(Type.Boolean()),
  extensionPending: Type.Optional(Type.Boolean()),
  overdue: Type.Optional(Type.Boolean()),
  q: Type.Optional(Type.String({ maxLength: 100 })),
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
  sort: Type.Optional(Type.Enum(['urgency', 'createdAt', '-createdAt'])),
  /** Keyset paging for long lists: the nextCursor of the previous page (then `page` is ignored). */
  cursor: Type.Optional(Type.String({ maxLength: 400, pattern: '^[A-Za-z0-9_-]+$' })),
});
export type ListQueryT = Static<typeof ListQuery>;

const escapeLike = (q: string) => q.replace(/[\\%_]/g, (c) => `\\${c}`);

function parseTime(value: string | undefined, name: string): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) throw validation(`${name} 时间格式不正确`);
  return d;
}

function viewFilter(view: 'pool' | 'mine' | 'all', ctx: StaffContext): SQL | undefined {
  if (view === 'mine') return eq(tickets.assigneeId, ctx.id);
  if (view === 'pool') {
    if (isStationRole(ctx.role)) return ctx.station ? claimableBy(ctx.station) : sql`false`;
    return eq(tickets.status, 'pending_dispatch');
  }
  return undefined;
}

/** The WHERE of a list request. Shared by the list, the export and the figures' drill-down links. */
export function listWhere(q: ListQueryT, ctx: StaffContext, now: Date): SQL | undefined {
  const from = parseTime(q.from, 'from');
  const to = parseTime(q.to, 'to');
  const term = q.q?.trim();
  const list = <T extends string>(v: string | undefined) => (v ? (v.split(',') as T[]) : undefined);
  const statuses = list<(typeof TICKET_STATUSES)[number]>(q.status);
  const colors = list<string>(q.color);
  const channels = list<(typeof CHANNELS)[number]>(q.channel);
  return and(
    scopeFilter(ctx),
    viewFilter(q.view ?? 'all', ctx),
    statuses ? inArray(tickets.status, statuses) : undefined,
    colors ? sql`${colorSql(now)} in ${colors}` : undefined,
    channels ? inArray(tickets.channel, channels) : undefined,
    q.categoryCode ? eq(tickets.categoryCode, q.categoryCode) : undefined,
    // "the station that holds or held it", as the figures group by station
    q.stationId ? sql`(${tickets.stationId} = ${q.stationId} or ${tickets.targetStationId} = ${q.stationId})` : undefined,
    q.stationType ? sql`${tickets.poolType} = ${q.stationType}` : undefined,
    q.districtCode ? eq(tickets.districtCode, q.districtCode) : undefined,
    q.supervised === undefined ? undefined : eq(tickets.supervised, q.supervised),
    q.awaitingSupplement === undefined ? undefined : eq(tickets.awaitingSupplement, q.awaitingSupplement),
    q.extensionPending === undefined
      ? undefined
      : q.extensionPending
        ? sql`${tickets.extensionPendingDays} is not null`
        : sql`${tickets.extensionPendingDays} is null`,
    q.overdue === undefined
      ? undefined
      : q.overdue
        ? sql`(${tickets.status} in ('pending_dispatch','pending_claim','in_progress') and ${tickets.resolveDueAt} < ${now.toISOString()}::timestamptz)`
        : sql`not (${tickets.status} in ('pending_dispatch','pending_claim','in_progress') and ${tickets.resolveDueAt} < ${now.toISOString()}::timestamptz)`,
    term
      ? sql`(${tickets.no} = ${term.toUpperCase()} or ${tickets.enterpriseName} ilike ${`%${escapeLike(term)}%`} or ${tickets.title} ilike ${`%${escapeLike(term)}%`})`
      : undefined,
    from ? sql`${tickets.createdAt} >= ${from.toISOString()}::timestamptz` : undefined,
    to ? sql`${tickets.createdAt} < ${to.toISOString()}::timestamptz` : undefined,
  );
}

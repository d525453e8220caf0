/** Ticket queries: the colour rule in SQL, the list with its filters, the detail with timeline. */
import type { Channel, Color, TicketStatus } from '@ys/shared';
import { attachments, stations, ticketEvents, tickets, users } from '@ys/shared/schema';
import { and, asc, desc, eq, type SQL, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Executor } from '../../db/client.ts';

const OPEN = sql.raw(`('pending_dispatch','pending_claim','in_progress')`);

/** DESIGN §4 in SQL (the TypeScript twin is ticketColor in @ys/shared). */
export function colorSql(now: Date): SQL<Color | null> {
  const n = sql`${now.toISOString()}::timestamptz`;
  const f = sql`(extract(epoch from (${n} - ${tickets.createdAt})) / nullif(extract(epoch from (${tickets.resolveDueAt} - ${tickets.createdAt})), 0))`;
  return sql<Color | null>`case
    when ${tickets.status} not in ${OPEN} then null
    when ${n} > ${tickets.resolveDueAt} then 'red'
    when coalesce(${f}, 1) >= 0.8 or (${tickets.status} = 'pending_claim' and ${n} > ${tickets.claimDueAt}) then 'orange'
    when coalesce(${f}, 1) >= 0.5 then 'yellow'
    else 'green' end`;
}

function colorRank(now: Date): SQL<number> {
  return sql<number>`case ${colorSql(now)} when 'red' then 0 when 'orange' then 1 when 'yellow' then 2 when 'green' then 3 else 4 end`;
}

export const holder = alias(stations, 'holder');
const entry = alias(stations, 'entry');
const assignee = alias(users, 'assignee');

export function summaryColumns(now: Date) {
  return {
    id: tickets.id,
    no: tickets.no,
    channel: tickets.channel,
    status: tickets.status,
    title: tickets.title,
    enterpriseName: tickets.enterpriseName,
    districtCode: tickets.districtCode,
    categoryCode: tickets.categoryCode,
    stationId: tickets.stationId,
    stationName: holder.name,
    assigneeId: tickets.assigneeId,
    assigneeName: assignee.name,
    targetStationId: tickets.targetStationId,
    poolType: tickets.poolType,
    poolDistrictCode: tickets.poolDistrictCode,
    claimDueAt: tickets.claimDueAt,
    resolveDueAt: tickets.resolveDueAt,
    createdAt: tickets.createdAt,
    resolvedAt: tickets.resolvedAt,
    closedAt: tickets.closedAt,
    supervised: tickets.supervised,
    awaitingSupplement: tickets.awaitingSupplement,
    extensionPendingDays: tickets.extensionPendingDays,
    reopenCount: tickets.reopenCount,
    satisfaction: tickets.satisfaction,
    color: colorSql(now),
  };
}

export interface ListFilter {
  where: SQL | undefined;
  sort?: 'urgency' | 'createdAt' | '-createdAt';
  limit: number;
  offset: number;
}

export async function listTickets(executor: Executor, now: Date, f: ListFilter) {
  const order =
    f.sort === 'createdAt'
      ? [asc(tickets.createdAt), asc(tickets.id)]
      : f.sort === '-createdAt'
        ? [desc(tickets.createdAt), desc(tickets.id)]
        : [asc(colorRank(now)), asc(tickets.resolveDueAt), asc(tickets.id)];
  const [items, [total]] = await Promise.all([
    executor
      .select(summaryColumns(now))
      .from(tickets)
      .leftJoin(holder, eq(holder.id, tickets.stationId))
      .leftJoin(assignee, eq(assignee.id, tickets.assigneeId))
      .where(f.where)
      .orderBy(...order)
      .limit(f.limit)
      .offset(f.offset),
    executor.select({ n: sql<number>`count(*)::int` }).from(tickets).where(f.where),
  ]);
  return { items, total: Number(total?.n ?? 0) };
}

export async function findTicket(executor: Executor, now: Date, where: SQL) {
  const [row] = await executor
    .select({
      ...summaryColumns(now),
      proxySource: tickets.proxySource,
      entryStationId: tickets.entryStationId,
      entryStationName: entry.name,
      accountId: tickets.accountId,
      uscc: tickets.uscc,
      contactName: tickets.contactName,
      contactPhone: tickets.contactPhone,
      content: tickets.content,
      firstClaimedAt: tickets.firstClaimedAt,
      firstResolvedAt: tickets.firstResolvedAt,
      solved: tickets.solved,
      ratingComment: tickets.ratingComment,
      ratedAt: tickets.ratedAt,
      ratedVia: tickets.ratedVia,
      mergedIntoId: tickets.mergedIntoId,
    })
    .from(tickets)
    .leftJoin(holder, eq(holder.id, tickets.stationId))
    .leftJoin(entry, eq(entry.id, tickets.entryStationId))
    .leftJoin(assignee, eq(assignee.id, tickets.assigneeId))
    .where(where);
  return row ?? null;
}
export type TicketRow = NonNullable<Awaited<ReturnType<typeof findTicket>>>;

const actorStation = alias(stations, 'actor_station');

export async function ticketTimeline(executor: Executor, ticketId: string, publicOnly: boolean) {
  return executor
    .select({
      id: ticketEvents.id,
      type: ticketEvents.type,
      actorKind: ticketEvents.actorKind,
      actorId: ticketEvents.actorId,
      actorName: ticketEvents.actorName,
      actorStationId: ticketEvents.actorStationId,
      actorStationName: actorStation.name,
      visibility: ticketEvents.visibility,
      data: ticketEvents.data,
      createdAt: ticketEvents.createdAt,
    })
    .from(ticketEvents)
    .leftJoin(actorStation, eq(actorStation.id, ticketEvents.actorStationId))
    .where(and(eq(ticketEvents.ticketId, ticketId), publicOnly ? eq(ticketEvents.visibility, 'public') : undefined))
    .orderBy(asc(ticketEvents.id));
}

export async function ticketAttachments(executor: Executor, ticketId: string, publicOnly: boolean) {
  const rows = await executor
    .select({
      id: attachments.id,
      name: attachments.originalName,
      size: attachments.size,
      mime: attachments.mime,
      eventId: attachments.eventId,
      createdAt: attachments.createdAt,
      visibility: ticketEvents.visibility,
    })
    .from(attachments)
    .leftJoin(ticketEvents, eq(ticketEvents.id, attachments.eventId))
    .where(eq(attachments.ticketId, ticketId))
    .orderBy(asc(attachments.createdAt));
  return rows.filter((r) => !publicOnly || r.visibility !== 'internal').map(({ visibility: _v, ...r }) => r);
}

export type ListStatus = TicketStatus;
export type ListChannel = Channel;

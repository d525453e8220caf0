/** The ticket list as a sheet: the list's filters and scope, read from the database in keyset batches. */
import {
  CHANNEL_LABELS,
  COLOR_LABELS,
  type Color,
  SATISFACTION_LABELS,
  type Satisfaction,
  STATION_TYPE_LABELS,
  type StationType,
  TICKET_STATUS_LABELS,
} from '@ys/shared';
import { categories, districts, tickets, users } from '@ys/shared/schema';
import { and, desc, eq, type SQL, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { FastifyInstance } from 'fastify';
import { holder, summaryColumns } from '../tickets/repo.ts';
import { type Column, shanghaiTime } from './tabular.ts';

export const EXPORT_BATCH = 1000;

// The same alias name as the list's, so that summaryColumns' assigneeName resolves here too.
const assignee = alias(users, 'assignee');

function columnsOf(now: Date) {
  return {
    ...summaryColumns(now),
    proxySource: tickets.proxySource,
    uscc: tickets.uscc,
    contactName: tickets.contactName,
    contactPhone: tickets.contactPhone,
    content: tickets.content,
    firstClaimedAt: tickets.firstClaimedAt,
    solved: tickets.solved,
    ratedVia: tickets.ratedVia,
    ratedAt: tickets.ratedAt,
    // The exact timestamptz (microseconds and all) for the keyset cursor.
    cursorAt: sql<string>`${tickets.createdAt}::text`,
  };
}

type Cursor = { at: string; id: string } | null;

function selectBatch(app: FastifyInstance, where: SQL | undefined, now: Date, cursor: Cursor, size: number) {
  const after = cursor ? sql`(${tickets.createdAt}, ${tickets.id}) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)` : undefined;
  return app.db.db
    .select(columnsOf(now))
    .from(tickets)
    .leftJoin(holder, eq(holder.id, tickets.stationId))
    .leftJoin(assignee, eq(assignee.id, tickets.assigneeId))
    .where(and(where, after))
    .orderBy(desc(tickets.createdAt), desc(tickets.id))
    .limit(size);
}
export type ExportRow = Awaited<ReturnType<typeof selectBatch>>[number];

/** Newest first, one batch at a time: (createdAt, id) < the last row's, never an OFFSET, never all rows at once. */
export async function* ticketBatches(app: FastifyInstance, where: SQL | undefined, now: Date, batchSize = EXPORT_BATCH): AsyncGenerator<ExportRow[]> {
  let cursor: Cursor = null;
  for (;;) {
    const rows = await selectBatch(app, where, now, cursor, batchSize);
    if (rows.length > 0) yield rows;
    if (rows.length < batchSize) return;
    const last = rows[rows.length - 1]!;
    cursor = { at: last.cursorAt, id: last.id };
  }
}

const yesNo = (v: boolean | null) => (v === null ? null : v ? '是' : '否');

export async function ticketColumns(app: FastifyInstance): Promise<Column<ExportRow>[]> {
  const [d, c] = await Promise.all([
    app.db.db.select({ code: districts.code, name: districts.name }).from(districts),
    app.db.db.select({ code: categories.code, name: categories.name }).from(categories),
  ]);
  const district = new Map(d.map((x) => [x.code, x.name]));
  const category = new Map(c.map((x) => [x.code, x.name]));
  return [
    { header: '诉求编号', width: 20, value: (r) => r.no },
    { header: '提交时间', width: 17, value: (r) => shanghaiTime(r.createdAt) },
    { header: '渠道', width: 8, value: (r) => CHANNEL_LABELS[r.channel] + (r.proxySource ? `（${r.proxySource}）` : '') },
    { header: '状态', width: 9, value: (r) => TICKET_STATUS_LABELS[r.status] },
    { header: '预警颜色', width: 9, value: (r) => (r.color ? COLOR_LABELS[r.color as Color] : null) },
    { header: '旗县区', width: 12, value: (r) => district.get(r.districtCode) ?? r.districtCode },
    { header: '诉求类别', width: 16, value: (r) => category.get(r.categoryCode) ?? r.categoryCode },
    { header: '标题', width: 30, value: (r) => r.title },
    { header: '诉求内容', width: 50, value: (r) => r.content },
    { header: '企业名称', width: 28, value: (r) => r.enterpriseName },
    { header: '统一社会信用代码', width: 20, value: (r) => r.uscc },
    { header: '联系人', width: 10, value: (r) => r.contactName },
    { header: '联系电话', width: 13, value: (r) => r.contactPhone },
    { header: '站点类型', width: 12, value: (r) => (r.poolType ? STATION_TYPE_LABELS[r.poolType as StationType] : null) },
    { header: '办理站点', width: 26, value: (r) => r.stationName },
    { header: '承办人', width: 10, value: (r) => r.assigneeName },
    { header: '签收时限', width: 17, value: (r) => shanghaiTime(r.claimDueAt) },
    { header: '首次签收时间', width: 17, value: (r) => shanghaiTime(r.firstClaimedAt) },
    { header: '办结时限', width: 17, value: (r) => shanghaiTime(r.resolveDueAt) },
    { header: '办结时间', width: 17, value: (r) => shanghaiTime(r.resolvedAt) },
    { header: '归档时间', width: 17, value: (r) => shanghaiTime(r.closedAt) },
    { header: '督办', width: 6, value: (r) => yesNo(r.supervised) },
    { header: '重办次数', width: 8, value: (r) => r.reopenCount },
    { header: '是否解决', width: 8, value: (r) => yesNo(r.solved) },
    { header: '满意度', width: 9, value: (r) => (r.satisfaction ? SATISFACTION_LABELS[r.satisfaction as Satisfaction] : null) },
    { header: '评价方式', width: 9, value: (r) => (r.ratedVia === 'online' ? '企业评价' : r.ratedVia === 'visit' ? '回访' : null) },
    { header: '评价时间', width: 17, value: (r) => shanghaiTime(r.ratedAt) },
  ];
}

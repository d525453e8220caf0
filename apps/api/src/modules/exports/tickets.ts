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
import { type AnyPgColumn, alias } from 'drizzle-orm/pg-core';
import type { FastifyInstance } from 'fastify';
import { holder, summaryColumns } from '../tickets/repo.ts';
import type { Column } from './tabular.ts';

export const EXPORT_BATCH = 1000;

// The same alias name as the list's, so that summaryColumns' assigneeName resolves here too.
const assignee = alias(users, 'assignee');

/**
 * A time as yyyy-MM-dd HH:mm in Asia/Shanghai (UTC+8, as shanghaiTime writes it), formatted by the database:
 * one short string per cell instead of a Date, its ISO text and two more strings in the server.
 */
const shanghaiText = (column: AnyPgColumn) => sql<string | null>`to_char(${column} at time zone interval '+08:00', 'YYYY-MM-DD HH24:MI')`;

/** Only what the sheet shows (and the cursor). */
function columnsOf(now: Date) {
  const list = summaryColumns(now);
  return {
    id: tickets.id,
    no: tickets.no,
    channel: tickets.channel,
    proxySource: tickets.proxySource,
    status: tickets.status,
    color: list.color,
    districtCode: tickets.districtCode,
    categoryCode: tickets.categoryCode,
    title: tickets.title,
    content: tickets.content,
    enterpriseName: tickets.enterpriseName,
    uscc: tickets.uscc,
    contactName: tickets.contactName,
    contactPhone: tickets.contactPhone,
    poolType: tickets.poolType,
    stationName: list.stationName,
    assigneeName: list.assigneeName,
    createdAt: shanghaiText(tickets.createdAt),
    claimDueAt: shanghaiText(tickets.claimDueAt),
    firstClaimedAt: shanghaiText(tickets.firstClaimedAt),
    resolveDueAt: shanghaiText(tickets.resolveDueAt),
    resolvedAt: shanghaiText(tickets.resolvedAt),
    closedAt: shanghaiText(tickets.closedAt),
    supervised: tickets.supervised,
    reopenCount: tickets.reopenCount,
    solved: tickets.solved,
    satisfaction: tickets.satisfaction,
    ratedVia: tickets.ratedVia,
    ratedAt: shanghaiText(tickets.ratedAt),
    // The exact timestamptz (microseconds and all) for the keyset cursor.
    cursorAt: sql<string>`${tickets.createdAt}::text`,
  };
}

type Cursor = { at: string; id: string } | null;

function selectBatch(app: FastifyInstance, fields: ExportFields, where: SQL | undefined, cursor: Cursor, size: number) {
  const after = cursor ? sql`(${tickets.createdAt}, ${tickets.id}) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)` : undefined;
  return app.db.db
    .select(fields)
    .from(tickets)
    .leftJoin(holder, eq(holder.id, tickets.stationId))
    .leftJoin(assignee, eq(assignee.id, tickets.assigneeId))
    .where(and(where, after))
    .orderBy(desc(tickets.createdAt), desc(tickets.id))
    .limit(size);
}
type ExportFields = ReturnType<typeof columnsOf>;
export type ExportRow = Awaited<ReturnType<typeof selectBatch>>[number];

/**
 * One batch, run as plain SQL with every column named after its key: the rows come from the driver as they
 * are (no value needs converting: times are text, the rest strings, numbers and booleans), without
 * drizzle's per-cell mapping of a select, which was a fifth of an export's CPU time.
 */
function fetchBatch(app: FastifyInstance, where: SQL | undefined, now: Date, cursor: Cursor, size: number): Promise<ExportRow[]> {
  // Only the SQL text of this select is used: the aliased fields stand in for the typed ones.
  const named = Object.fromEntries(Object.entries(columnsOf(now)).map(([key, value]) => [key, sql`${value}`.as(key)])) as unknown as ExportFields;
  return app.db.rows<ExportRow>(selectBatch(app, named, where, cursor, size).getSQL());
}

/**
 * Newest first, one batch at a time: (createdAt, id) < the last row's, never an OFFSET, never all rows at once.
 * The next batch is asked for as soon as a batch arrives (its cursor is known then), so the database reads it
 * while the caller writes this one; at most two batches are held.
 */
export async function* ticketBatches(app: FastifyInstance, where: SQL | undefined, now: Date, batchSize = EXPORT_BATCH): AsyncGenerator<ExportRow[]> {
  const fetch = (cursor: Cursor) => fetchBatch(app, where, now, cursor, batchSize);
  let next: Promise<ExportRow[]> | null = fetch(null);
  try {
    while (next) {
      const rows: ExportRow[] = await next;
      next = null;
      if (rows.length === batchSize) {
        const last = rows[rows.length - 1]!;
        next = fetch({ at: last.cursorAt, id: last.id });
      }
      if (rows.length > 0) yield rows;
    }
  } finally {
    // The caller stopped early (the client went away): nobody awaits the batch read ahead.
    next?.catch(() => {});
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
    { header: '提交时间', width: 17, value: (r) => r.createdAt },
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
    { header: '签收时限', width: 17, value: (r) => r.claimDueAt },
    { header: '首次签收时间', width: 17, value: (r) => r.firstClaimedAt },
    { header: '办结时限', width: 17, value: (r) => r.resolveDueAt },
    { header: '办结时间', width: 17, value: (r) => r.resolvedAt },
    { header: '归档时间', width: 17, value: (r) => r.closedAt },
    { header: '督办', width: 6, value: (r) => yesNo(r.supervised) },
    { header: '重办次数', width: 8, value: (r) => r.reopenCount },
    { header: '是否解决', width: 8, value: (r) => yesNo(r.solved) },
    { header: '满意度', width: 9, value: (r) => (r.satisfaction ? SATISFACTION_LABELS[r.satisfaction as Satisfaction] : null) },
    { header: '评价方式', width: 9, value: (r) => (r.ratedVia === 'online' ? '企业评价' : r.ratedVia === 'visit' ? '回访' : null) },
    { header: '评价时间', width: 17, value: (r) => r.ratedAt },
  ];
}

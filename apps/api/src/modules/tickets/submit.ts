/**
 * Filing a demand (DESIGN §3 routing, §4 deadlines): validation, routing, the daily number, deadlines,
 * the ticket, its `submitted` event and its attachments — all in one transaction.
 */
import { addWorkingDays, type Channel, isMainlandMobile, isValidUscc, type ProxySource, type StationType, shanghaiDayKey } from '@ys/shared';
import { categories, districts, stations, ticketCounters, tickets } from '@ys/shared/schema';
import { and, eq, sql } from 'drizzle-orm';
import type { Executor } from '../../db/client.ts';
import { validation } from '../../errors.ts';
import { loadCalendar } from '../../lib/calendar.ts';
import { bindAttachments, type UploadOwner } from '../attachments/service.ts';
import { type Actor, addEvent } from './events.ts';

export interface SubmitInput {
  channel: Channel;
  proxySource?: ProxySource | null;
  stationCode?: string | null;
  accountId?: string | null;
  districtCode: string;
  categoryCode: string;
  enterpriseName: string;
  uscc: string;
  contactName: string;
  contactPhone: string;
  title: string;
  content: string;
  attachmentIds?: string[];
}

export interface Routing {
  status: 'pending_claim' | 'pending_dispatch';
  poolType: StationType | null;
  poolDistrictCode: string | null;
  targetStationId: string | null;
}

/**
 * The category's station type is the pool type. The scanned station takes the ticket when it is of that
 * type; otherwise the type's pool in the ticket's district; with no type — or no active station of that
 * type in the district to claim it — the centre dispatches.
 */
export async function routeTicket(
  tx: Executor,
  category: { stationType: StationType | null },
  entryStation: { id: string; type: StationType; active: boolean } | null,
  districtCode: string,
): Promise<Routing> {
  const type = category.stationType;
  if (type && entryStation?.active && entryStation.type === type) {
    return { status: 'pending_claim', poolType: type, poolDistrictCode: districtCode, targetStationId: entryStation.id };
  }
  if (type) {
    const [any] = await tx
      .select({ id: stations.id })
      .from(stations)
      .where(and(eq(stations.type, type), eq(stations.districtCode, districtCode), eq(stations.active, true)))
      .limit(1);
    if (any) return { status: 'pending_claim', poolType: type, poolDistrictCode: districtCode, targetStationId: null };
  }
  return { status: 'pending_dispatch', poolType: null, poolDistrictCode: null, targetStationId: null };
}

/** YS + yyyyMMdd + 6 digits; the counter row is taken inside the ticket's transaction, so numbers have no gaps. */
export async function nextTicketNo(tx: Executor, at: Date): Promise<string> {
  const day = shanghaiDayKey(at);
  const [row] = await tx
    .insert(ticketCounters)
    .values({ day, last: 1 })
    .onConflictDoUpdate({ target: ticketCounters.day, set: { last: sql`${ticketCounters.last} + 1` } })
    .returning({ last: ticketCounters.last });
  return `YS${day}${String(row!.last).padStart(6, '0')}`;
}

export function checkEnterpriseFields(input: Pick<SubmitInput, 'uscc' | 'contactPhone'>) {
  if (!isValidUscc(input.uscc)) throw validation('统一社会信用代码不正确（18 位，末位校验码须符合 GB 32100-2015）');
  if (!isMainlandMobile(input.contactPhone)) throw validation('联系电话须为 11 位大陆手机号');
}

export async function submitTicket(tx: Executor, input: SubmitInput, actor: Actor, owner: UploadOwner, now: Date, idempotencyKey: string | null) {
  checkEnterpriseFields(input);
  const [category] = await tx.select().from(categories).where(eq(categories.code, input.categoryCode));
  if (!category?.active) throw validation('诉求类别不存在或已停用');
  const [district] = await tx.select().from(districts).where(eq(districts.code, input.districtCode));
  if (!district?.active) throw validation('旗县区不存在或已停用');
  let entryStation: typeof stations.$inferSelect | null = null;
  if (input.stationCode) {
    [entryStation] = (await tx.select().from(stations).where(eq(stations.code, input.stationCode))) as [typeof stations.$inferSelect];
    if (!entryStation?.active) throw validation('扫码站点不存在或已停用');
  }

  const routing = await routeTicket(tx, category, entryStation, input.districtCode);
  const calendar = await loadCalendar(tx, now);
  const resolveDueAt = addWorkingDays(now, category.resolveDays, calendar);
  const claimDueAt = routing.status === 'pending_claim' ? new Date(now.getTime() + category.claimHours * 3600_000) : null;
  const no = await nextTicketNo(tx, now);

  const [ticket] = await tx
    .insert(tickets)
    .values({
      no,
      channel: input.channel,
      proxySource: input.proxySource ?? null,
      entryStationId: entryStation?.id ?? null,
      accountId: input.accountId ?? null,
      idempotencyKey,
      enterpriseName: input.enterpriseName.trim(),
      uscc: input.uscc.toUpperCase(),
      contactName: input.contactName.trim(),
      contactPhone: input.contactPhone,
      districtCode: input.districtCode,
      categoryCode: input.categoryCode,
      title: input.title.trim(),
      content: input.content,
      ...routing,
      enteredPoolAt: claimDueAt ? now : null,
      claimDueAt,
      firstEnteredPoolAt: claimDueAt ? now : null,
      firstClaimDueAt: claimDueAt,
      resolveDueAt,
      firstResolveDueAt: resolveDueAt,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  const eventId = await addEvent(
    tx,
    ticket!.id,
    actor,
    {
      type: 'submitted',
      visibility: 'public',
      data: { channel: input.channel, proxySource: input.proxySource ?? undefined, ...routing, claimDueAt, resolveDueAt },
    },
    now,
  );
  await bindAttachments(tx, input.attachmentIds, owner, ticket!.id, eventId);
  return ticket!;
}

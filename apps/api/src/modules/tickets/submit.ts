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

/**
 * YS + yyyyMMdd + 6 digits. The daily counter row is taken inside the ticket's transaction, so numbers have no
 * gaps; its row lock then serialises every submission of the day until commit. So the counter is taken in the
 * same statement that inserts the ticket (a data-modifying CTE), after every read of the submission: the
 * lock is held for that statement, the event and commit only — not across the validation and routing reads.
 */
function ticketCounter(tx: Executor, at: Date) {
  const day = shanghaiDayKey(at);
  return tx.$with('ticket_counter', { no: sql<string>`no` }).as(
    sql`insert into ${ticketCounters} (day, last) values (${day}, 1)
      on conflict (day) do update set last = ${ticketCounters}.last + 1
      returning 'YS' || day || lpad(last::text, 6, '0') as no`,
  );
}

export function checkEnterpriseFields(input: Pick<SubmitInput, 'uscc' | 'contactPhone'>) {
  if (!isValidUscc(input.uscc)) throw validation('统一社会信用代码不正确（18 位，末位校验码须符合 GB 32100-2015）');
  if (!isMainlandMobile(input.contactPhone)) throw validation('联系电话须为 11 位大陆手机号');
}

export async function submitTicket(tx: Executor, input: SubmitInput, actor: Actor, owner: UploadOwner, now: Date, idempotencyKey: string | null) {
  checkEnterpriseFields(input);
  // The reads do not depend on each other: one round trip (postgres.js pipelines them on the transaction's connection).
  const [[category], [district], entryRows, calendar] = await Promise.all([
    tx.select().from(categories).where(eq(categories.code, input.categoryCode)),
    tx.select().from(districts).where(eq(districts.code, input.districtCode)),
    input.stationCode ? tx.select().from(stations).where(eq(stations.code, input.stationCode)) : Promise.resolve([]),
    loadCalendar(tx, now),
  ]);
  if (!category?.active) throw validation('诉求类别不存在或已停用');
  if (!district?.active) throw validation('旗县区不存在或已停用');
  const entryStation = entryRows[0] ?? null;
  if (input.stationCode && !entryStation?.active) throw validation('扫码站点不存在或已停用');

  const routing = await routeTicket(tx, category, entryStation, input.districtCode);
  const resolveDueAt = addWorkingDays(now, category.resolveDays, calendar);
  const claimDueAt = routing.status === 'pending_claim' ? new Date(now.getTime() + category.claimHours * 3600_000) : null;

  const counter = ticketCounter(tx, now);
  const [ticket] = await tx
    .with(counter)
    .insert(tickets)
    .values({
      no: sql`(select no from ${counter})`,
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

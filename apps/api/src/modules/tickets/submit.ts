/**
 * Filing a demand (DESIGN §3 routing, §4 deadlines): validation, routing, the daily number, deadlines, the
 * ticket, its `submitted` event, what it notifies and its attachments — one statement, atomic on its own.
 */
import { randomUUID } from 'node:crypto';
import {
  addWorkingDays,
  type Channel,
  type EventType,
  isMainlandMobile,
  isValidUscc,
  type ProxySource,
  type StationType,
  shanghaiDayKey,
  type TicketStatus,
} from '@ys/shared';
import { tickets } from '@ys/shared/schema';
import { type SQL, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import { type Db, type Executor, jsonValue, rowsOf } from '../../db/client.ts';
import { AppError, conflict, validation } from '../../errors.ts';
import { type Reference, reference, referenceAfterMiss } from '../../lib/reference.ts';
import { TICKET_QUOTA, type UploadOwner } from '../attachments/service.ts';
import { eventEffects } from '../notifications/on-event.ts';
import { type Actor, insertEventSql } from './events.ts';
import { isoUtc } from './repo.ts';

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
export function routeTicket(
  category: { stationType: StationType | null },
  entryStation: { id: string; type: StationType; active: boolean } | null,
  districtCode: string,
  hasPool: (type: StationType, districtCode: string) => boolean,
): Routing {
  const type = category.stationType;
  if (type && entryStation?.active && entryStation.type === type) {
    return { status: 'pending_claim', poolType: type, poolDistrictCode: districtCode, targetStationId: entryStation.id };
  }
  if (type && hasPool(type, districtCode)) return { status: 'pending_claim', poolType: type, poolDistrictCode: districtCode, targetStationId: null };
  return { status: 'pending_dispatch', poolType: null, poolDistrictCode: null, targetStationId: null };
}

export function checkEnterpriseFields(input: Pick<SubmitInput, 'uscc' | 'contactPhone'>) {
  if (!isValidUscc(input.uscc)) throw validation('统一社会信用代码不正确（18 位，末位校验码须符合 GB 32100-2015）');
  if (!isMainlandMobile(input.contactPhone)) throw validation('联系电话须为 11 位大陆手机号');
}

const dayOf = (d: Date) => d.toISOString().slice(0, 10);

/** What the submission decided from the reference data, and the conditions in SQL under which that decision holds. */
export interface Plan {
  routing: Routing;
  entryStationId: string | null;
  claimDueAt: Date | null;
  resolveDueAt: Date;
  stillTrue: SQL;
  /** Equal for two plans whose `stillTrue` is the same condition (a batch checks each once). */
  checkKey: string;
}

export function plan(ref: Reference, input: SubmitInput, now: Date): Plan | AppError {
  const category = ref.categories.get(input.categoryCode);
  if (!category?.active) return validation('诉求类别不存在或已停用');
  if (!ref.districts.get(input.districtCode)?.active) return validation('旗县区不存在或已停用');
  const entryStation = input.stationCode ? (ref.stationsByCode.get(input.stationCode) ?? null) : null;
  if (input.stationCode && !entryStation?.active) return validation('扫码站点不存在或已停用');

  const routing = routeTicket(category, entryStation, input.districtCode, (type, district) => ref.pools.has(`${type}:${district}`));
  const resolveDueAt = addWorkingDays(now, category.resolveDays, ref.calendar);
  const claimDueAt = routing.status === 'pending_claim' ? new Date(now.getTime() + category.claimHours * 3600_000) : null;

  // The holidays between now and the deadline (a day's margin on each side): the ones the deadline was counted over.
  const from = dayOf(new Date(now.getTime() - 86_400_000));
  const to = dayOf(new Date(resolveDueAt.getTime() + 86_400_000));
  const holidays = [...ref.calendar.entries()]
    .filter(([d]) => d >= from && d <= to)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([d, k]) => `${d}:${k}`)
    .join(',');
  const type = category.stationType;
  const stillTrue = sql.join(
    [
      sql`exists (select 1 from categories where code = ${category.code} and active and station_type is not distinct from ${type}::varchar
        and claim_hours = ${category.claimHours}::int and resolve_days = ${category.resolveDays}::int)`,
      sql`exists (select 1 from districts where code = ${input.districtCode} and active)`,
      entryStation
        ? sql`exists (select 1 from stations where code = ${entryStation.code} and id = ${entryStation.id}::uuid and active and type = ${entryStation.type})`
        : sql`true`,
      // Whether the type has a pool in the district (only asked when the scanned station did not take it).
      type && routing.targetStationId === null
        ? sql`exists (select 1 from stations where type = ${type} and district_code = ${input.districtCode} and active) = ${routing.status === 'pending_claim'}::boolean`
        : sql`true`,
      sql`(select coalesce(string_agg(to_char(date, 'YYYY-MM-DD') || ':' || kind, ',' order by date), '') from holidays
        where date between ${from}::date and ${to}::date) = ${holidays}::text`,
    ],
    sql` and `,
  );
  const checkKey = JSON.stringify([category, input.districtCode, entryStation, routing.status, from, to, holidays]);
  return { routing, entryStationId: entryStation?.id ?? null, claimDueAt, resolveDueAt, stillTrue, checkKey };
}

/** A value for a column of `tickets`, typed as that column (an INSERT … SELECT does not infer parameter types). */
export function typed(column: PgColumn, value: unknown): SQL {
  const type = sql.raw(column.getSQLType());
  if (value === null || value === undefined) return sql`null::${type}`;
  return sql`${value instanceof Date ? value.toISOString() : value}::${type}`;
}

export interface FiledTicket {
  id: string;
  no: string;
  status: TicketStatus;
  channel: Channel;
  proxySource: ProxySource | null;
  enterpriseName: string;
  uscc: string;
  contactName: string;
  contactPhone: string;
  districtCode: string;
  categoryCode: string;
  title: string;
  content: string;
  claimDueAt: Date | null;
  resolveDueAt: Date;
  createdAt: Date;
  /** The `submitted` event as the timeline shows it. */
  event: { id: number; type: EventType; data: Record<string, unknown>; createdAt: Date };
  attachments: { id: string; name: string; size: number; mime: string; eventId: number | null; createdAt: string }[];
}

/**
 * Files the ticket. `db` is the database (its reference data is cached per database); `tx`, when given, the
 * transaction to file in (the proxy submission writes its audit row beside it). Without `tx` and without
 * attachments the one statement commits on its own: the daily counter's row lock, taken in that statement
 * after every read, is held for the rest of it and the commit only.
 */
export async function submitTicket(
  db: Db,
  input: SubmitInput,
  actor: Actor,
  owner: UploadOwner,
  now: Date,
  idempotencyKey: string | null,
  tx?: Executor,
): Promise<FiledTicket> {
  checkEnterpriseFields(input);
  const attachmentIds = [...new Set(input.attachmentIds ?? [])];
  if (attachmentIds.length > TICKET_QUOTA.files) throw validation(`附件最多 ${TICKET_QUOTA.files} 个`);
  for (let attempt = 0; ; attempt++) {
    let decided = plan(await reference(db, { fresh: attempt > 0, via: tx }), input, now);
    // A refusal is answered from a fresh copy (a category enabled a moment ago on another instance is accepted).
    if (decided instanceof AppError) decided = plan(await referenceAfterMiss(db, tx), input, now);
    if (decided instanceof AppError) throw decided;
    const p = decided;
    const file = (executor: Executor) => fileTicket(executor, input, actor, owner, now, idempotencyKey, p, attachmentIds);
    const filed = tx ? await file(tx) : attachmentIds.length > 0 ? await db.transaction(file) : await file(db);
    if (filed) return filed;
    // The reference data changed since the copy was taken: nothing was written; take a fresh copy and decide again.
    if (attempt >= 2) throw conflict('类别、站点或节假日设置正在变更，请稍后重试');
  }
}

async function fileTicket(
  executor: Executor,
  input: SubmitInput,
  actor: Actor,
  owner: UploadOwner,
  now: Date,
  idempotencyKey: string | null,
  p: Plan,
  attachmentIds: string[],
): Promise<FiledTicket | null> {
  const id = randomUUID();
  const values = ticketValues(id, input, now, idempotencyKey, p);
  const entries = ticketEntries(values);
  const columns = sql.join(
    entries.map(([column]) => sql.identifier(column.name)),
    sql`, `,
  );
  const selected = sql.join(
    entries.map(([column, value]) => typed(column, value)),
    sql`, `,
  );
  const data = submittedData(input, p);
  const event = { type: 'submitted' as const, visibility: 'public' as const, data };
  const newId = sql`(select id from new_ticket)`;
  const effects = eventEffects({ ticketId: newId, type: 'submitted', actor, data, at: now }, sql`(select id from ev)`, sql`new_ticket`);
  const day = shanghaiDayKey(now);
  const bind = attachmentIds.length > 0;
  // YS + yyyyMMdd + 6 digits. The daily counter row is taken inside the ticket's statement (a rollback returns the
  // number, so there are no gaps), after the checks, which read nothing it locks; its lock serialises the day's
  // submissions for the rest of this statement and the commit only.
  const statement = sql`with ok as (select 1 where ${p.stillTrue}),
    ticket_counter as (
      insert into ticket_counters (day, last) select ${day}, 1 from ok
      on conflict (day) do update set last = ticket_counters.last + 1
      returning 'YS' || day || lpad(last::text, 6, '0') as no),
    new_ticket as (
      insert into tickets (no, ${columns}) select no, ${selected} from ticket_counter
      returning *),
    ev as (${insertEventSql(newId, actor, event, now, sql`new_ticket`)})
    ${sql.join(
      effects.map((effect, i) => sql`, ${sql.raw(`fx${i}`)} as (${effect})`),
      sql``,
    )}
    ${
      bind
        ? sql`, att as (
      update attachments a set ticket_id = nt.id, event_id = ev.id from new_ticket nt, ev
      where a.id in (${sql.join(
        attachmentIds.map((a) => sql`${a}::uuid`),
        sql`, `,
      )}) and a.owner_kind = ${owner.kind} and a.owner_id = ${owner.id} and a.ticket_id is null
      returning a.id, a.original_name, a.size, a.mime, a.event_id, a.created_at)`
        : sql``
    }
    select nt.no, (select id from ev) as event_id${
      bind
        ? sql`, (select coalesce(sum(size), 0) from att) as bytes,
      (select coalesce(json_agg(json_build_object('id', id, 'name', original_name, 'size', size, 'mime', mime, 'eventId', event_id,
        'createdAt', ${isoUtc(sql`created_at`)}) order by created_at, id), '[]'::json) from att) as files`
        : sql``
    } from new_ticket nt`;
  const [row] = await rowsOf<{ no: string; event_id: string | number; bytes?: string | number; files?: unknown }>(executor, statement);
  if (!row) return null;
  const files = jsonValue((row.files ?? []) as FiledTicket['attachments'] | string);
  if (files.length !== attachmentIds.length) throw validation('附件不存在、不属于您或已被使用，请重新上传');
  if (Number(row.bytes ?? 0) > TICKET_QUOTA.bytes) {
    throw new AppError('PAYLOAD_TOO_LARGE', `每件诉求的附件最多 ${TICKET_QUOTA.files} 个、共 ${TICKET_QUOTA.bytes / 1024 / 1024} MB，已达上限`);
  }
  return filedOf(input, values, p, row.no, Number(row.event_id), files);
}

export type TicketValues = Partial<Record<keyof typeof tickets.$inferInsert, unknown>>;

/** The new ticket's row (without its number). */
export function ticketValues(id: string, input: SubmitInput, now: Date, idempotencyKey: string | null, p: Plan): TicketValues {
  const { routing, claimDueAt, resolveDueAt } = p;
  return {
    id,
    channel: input.channel,
    proxySource: input.proxySource ?? null,
    entryStationId: p.entryStationId,
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
  };
}

/** The row's columns of `tickets` with their values, in a fixed order. */
export const ticketEntries = (values: TicketValues) =>
  Object.entries(values).map(([key, value]) => [tickets[key as keyof TicketValues] as PgColumn, value] as const);

/** The `submitted` event's data. */
export const submittedData = (input: SubmitInput, p: Plan) => ({
  channel: input.channel,
  proxySource: input.proxySource ?? undefined,
  ...p.routing,
  claimDueAt: p.claimDueAt,
  resolveDueAt: p.resolveDueAt,
});

/** The answer, made from what was written. */
export function filedOf(input: SubmitInput, values: TicketValues, p: Plan, no: string, eventId: number, attachments: FiledTicket['attachments']): FiledTicket {
  return {
    id: values.id as string,
    no,
    status: p.routing.status,
    channel: input.channel,
    proxySource: input.proxySource ?? null,
    enterpriseName: values.enterpriseName as string,
    uscc: values.uscc as string,
    contactName: values.contactName as string,
    contactPhone: input.contactPhone,
    districtCode: input.districtCode,
    categoryCode: input.categoryCode,
    title: values.title as string,
    content: input.content,
    claimDueAt: p.claimDueAt,
    resolveDueAt: p.resolveDueAt,
    createdAt: values.createdAt as Date,
    event: { id: eventId, type: 'submitted', data: JSON.parse(JSON.stringify(submittedData(input, p))), createdAt: values.createdAt as Date },
    attachments,
  };
}

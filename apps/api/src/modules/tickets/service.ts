/**
 * Staff actions on tickets. Each one: find the ticket in the caller's scope (else 404), check the action
 * against the rules (else 409), then one transaction with a guarded UPDATE … WHERE status = expected and
 * its event — the database settles races (0 rows → 409), never a check-then-write in JS.
 */
import { extendByWorkingDays, type Satisfaction, type StationType, type TicketAction, type TicketStatus } from '@ys/shared';
import { categories, stations, tickets, users } from '@ys/shared/schema';
import { and, eq, inArray, type SQL, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { Executor } from '../../db/client.ts';
import { AppError, invalidTransition, notFound, validation } from '../../errors.ts';
import { loadCalendar } from '../../lib/calendar.ts';
import type { StaffUser } from '../../plugins/auth.ts';
import { bindAttachments } from '../attachments/service.ts';
import { writeAudit } from '../audit/service.ts';
import { type Actor, addEvent, type RecordedEvent, recordEvents } from './events.ts';
import { findTicket, findTicketDetail, type TicketRow } from './repo.ts';
import { allowedActions } from './rules.ts';
import { type StaffContext, scopeFilter, staffContext } from './scope.ts';

export const staffActor = (ctx: StaffContext): Actor => ({ kind: 'staff', id: ctx.id, name: ctx.name, stationId: ctx.station?.id ?? null });

export async function loadInScope(app: FastifyInstance, ctx: StaffContext, id: string, executor: Executor = app.db.db): Promise<TicketRow> {
  const t = await findTicket(executor, app.now(), and(eq(tickets.id, id), scopeFilter(ctx))!);
  if (!t) throw notFound('诉求');
  return t;
}

/**
 * The detail with its timeline: the ticket in scope with its names and attachments, and its events, as two
 * statements sent together (the events of a ticket outside the scope are read and dropped: 404 all the same).
 */
export async function ticketDetail(app: FastifyInstance, ctx: StaffContext, id: string) {
  const found = await findTicketDetail(app.db.db, app.now(), and(eq(tickets.id, id), scopeFilter(ctx))!, false);
  if (!found) throw notFound('诉求');
  const { accountId: _a, firstResolvedAt: _f, ...rest } = found.ticket;
  return { ...rest, events: found.events, attachments: found.attachments, allowedActions: allowedActions(found.ticket, ctx) };
}

type Apply = (tx: Executor, t: TicketRow, ctx: StaffContext, now: Date) => Promise<void>;

/** Runs one action: scope, rules, then `apply` in a transaction; answers the updated detail. */
export async function act(app: FastifyInstance, user: StaffUser, id: string, action: TicketAction, apply: Apply) {
  // The station came with the user (auth hook): the context costs no statement.
  const ctx = await staffContext(app.db.db, user);
  const t = await loadInScope(app, ctx, id);
  if (!allowedActions(t, ctx).includes(action)) {
    if (action === 'claim' && t.status === 'in_progress') throw alreadyClaimed();
    throw invalidTransition(`当前状态（${t.status}）不允许此操作`);
  }
  const now = app.now();
  await app.db.db.transaction(async (tx) => {
    const events = recordEvents(tx);
    await apply(tx, t, ctx, now);
    await auditAction(tx, user, t, action, events);
  });
  return ticketDetail(app, ctx, id);
}

/** The status each guarded UPDATE of a transaction left a ticket in (for the audit row, without reading it back). */
const statusAfter = new WeakMap<Executor, Map<string, TicketStatus>>();

/**
 * The audit row of a staff action, in its transaction: who, from where, which ticket, the status it moved and
 * the events it wrote — as the transaction's own statements returned them (guardedUpdate, addEvent).
 */
async function auditAction(tx: Executor, user: StaffUser, t: TicketRow, action: TicketAction, recorded: RecordedEvent[]) {
  let status = statusAfter.get(tx)?.get(t.id);
  if (status === undefined) status = (await tx.select({ status: tickets.status }).from(tickets).where(eq(tickets.id, t.id)))[0]?.status;
  const events = recorded.filter((e) => e.ticketId === t.id).map(({ type, data }) => ({ type, data }));
  const after = { status };
  await writeAudit(tx, null, {
    action: `ticket.${action}`,
    targetType: 'ticket',
    targetId: t.id,
    actor: { kind: 'staff', id: user.id, name: user.name },
    ip: user.ip ?? null,
    detail: { no: t.no, from: t.status, to: after?.status, events },
  });
}

const alreadyClaimed = () => new AppError('ALREADY_CLAIMED', '该诉求已被其他人员认领');

/** UPDATE tickets … WHERE id AND status IN expected [AND extra]; no row → 409 (someone else changed it first). */
export async function guardedUpdate(
  tx: Executor,
  id: string,
  expected: readonly TicketStatus[],
  set: Partial<typeof tickets.$inferInsert>,
  extra?: SQL,
  onConflict = () => invalidTransition('诉求状态已变化，请刷新后重试'),
) {
  const rows = await tx
    .update(tickets)
    .set({ ...set, updatedAt: set.updatedAt ?? new Date() })
    .where(and(eq(tickets.id, id), inArray(tickets.status, [...expected]), extra))
    .returning();
  if (rows.length === 0) throw onConflict();
  const byId = statusAfter.get(tx) ?? new Map<string, TicketStatus>();
  statusAfter.set(tx, byId.set(id, rows[0]!.status));
  return rows[0]!;
}

// ── target of a dispatch or transfer ───────────────────────────────────────────────────────

export type Destination = { stationId: string } | { poolType: StationType; districtCode: string };

async function resolveDestination(tx: Executor, dest: Destination) {
  if ('stationId' in dest) {
    const [s] = await tx.select().from(stations).where(eq(stations.id, dest.stationId));
    if (!s?.active) throw validation('目标站点不存在或已停用');
    return { targetStationId: s.id, poolType: s.type, poolDistrictCode: s.districtCode, label: { toStationId: s.id, toStationName: s.name } };
  }
  const [any] = await tx
    .select({ id: stations.id })
    .from(stations)
    .where(and(eq(stations.type, dest.poolType), eq(stations.districtCode, dest.districtCode), eq(stations.active, true)))
    .limit(1);
  if (!any) throw validation('该旗县区没有此类型的在用站点');
  return {
    targetStationId: null,
    poolType: dest.poolType,
    poolDistrictCode: dest.districtCode,
    label: { poolType: dest.poolType, poolDistrictCode: dest.districtCode },
  };
}

async function claimHoursOf(tx: Executor, categoryCode: string): Promise<number> {
  const [c] = await tx.select({ claimHours: categories.claimHours }).from(categories).where(eq(categories.code, categoryCode));
  return c?.claimHours ?? 24;
}

/** Into a station pool again (dispatch, transfer): a fresh claim deadline; resolveDueAt stays (接办跟到底). */
async function enterPool(tx: Executor, t: TicketRow, dest: Destination, now: Date, expected: readonly TicketStatus[]) {
  const d = await resolveDestination(tx, dest);
  if (d.targetStationId && d.targetStationId === t.stationId) throw validation('不能转办给当前办理站点');
  const claimDueAt = new Date(now.getTime() + (await claimHoursOf(tx, t.categoryCode)) * 3600_000);
  await guardedUpdate(tx, t.id, expected, {
    status: 'pending_claim',
    targetStationId: d.targetStationId,
    poolType: d.poolType,
    poolDistrictCode: d.poolDistrictCode,
    stationId: null,
    assigneeId: null,
    enteredPoolAt: now,
    claimDueAt,
    firstEnteredPoolAt: sql`coalesce(${tickets.firstEnteredPoolAt}, ${now.toISOString()}::timestamptz)` as never,
    firstClaimDueAt: sql`coalesce(${tickets.firstClaimDueAt}, ${claimDueAt.toISOString()}::timestamptz)` as never,
    awaitingSupplement: false,
    updatedAt: now,
  });
  return { ...d.label, claimDueAt };
}

// ── the actions ────────────────────────────────────────────────────────────────────────────

export const claim = (app: FastifyInstance, user: StaffUser, id: string) =>
  act(app, user, id, 'claim', async (tx, t, ctx, now) => {
    const s = ctx.station!;
    await guardedUpdate(
      tx,
      id,
      ['pending_claim'],
      {
        status: 'in_progress',
        stationId: s.id,
        assigneeId: ctx.id,
        targetStationId: null,
        firstClaimedAt: sql`coalesce(${tickets.firstClaimedAt}, ${now.toISOString()}::timestamptz)` as never,
        updatedAt: now,
      },
      sql`(${tickets.targetStationId} = ${s.id} or (${tickets.targetStationId} is null and ${tickets.poolType} = ${s.type} and ${tickets.poolDistrictCode} = ${s.districtCode}))`,
      alreadyClaimed,
    );
    await addEvent(
      tx,
      id,
      staffActor(ctx),
      { type: 'claimed', visibility: 'public', data: { stationId: s.id, stationName: s.name, onTime: !t.claimDueAt || now <= t.claimDueAt } },
      now,
    );
  });

export const reassign = (app: FastifyInstance, user: StaffUser, id: string, assigneeId: string) =>
  act(app, user, id, 'reassign', async (tx, t, ctx, now) => {
    const [target] = await tx.select().from(users).where(eq(users.id, assigneeId));
    if (!target?.active || target.stationId !== ctx.station!.id || (target.role !== 'staff' && target.role !== 'station_lead')) {
      throw validation('只能改派给本站点在岗的工作人员');
    }
    if (target.id === t.assigneeId) throw validation('该工作人员已是当前承办人');
    await guardedUpdate(tx, id, ['in_progress'], { assigneeId, updatedAt: now }, eq(tickets.stationId, ctx.station!.id));
    await addEvent(
      tx,
      id,
      staffActor(ctx),
      { type: 'reassigned', visibility: 'internal', data: { fromAssigneeId: t.assigneeId, toAssigneeId: target.id, toAssigneeName: target.name } },
      now,
    );
  });

export const transfer = (app: FastifyInstance, user: StaffUser, id: string, dest: Destination, reason: string) =>
  act(app, user, id, 'transfer', async (tx, t, ctx, now) => {
    const label = await enterPool(tx, t, dest, now, [t.status]);
    await addEvent(
      tx,
      id,
      staffActor(ctx),
      {
        type: 'transferred',
        visibility: 'public',
        data: { ...label, reason, fromStationId: t.stationId ?? t.targetStationId, fromStationName: t.stationName },
      },
      now,
    );
  });

export const dispatch = (app: FastifyInstance, user: StaffUser, id: string, dest: Destination, note?: string) =>
  act(app, user, id, 'dispatch', async (tx, t, ctx, now) => {
    const label = await enterPool(tx, t, dest, now, ['pending_dispatch']);
    await addEvent(tx, id, staffActor(ctx), { type: 'dispatched', visibility: 'public', data: { ...label, note: note ?? null } }, now);
  });

export const returnToCentre = (app: FastifyInstance, user: StaffUser, id: string, reason: string) =>
  act(app, user, id, 'return', async (tx, t, ctx, now) => {
    await guardedUpdate(tx, id, [t.status], {
      status: 'pending_dispatch',
      stationId: null,
      assigneeId: null,
      targetStationId: null,
      poolType: null,
      poolDistrictCode: null,
      enteredPoolAt: null,
      claimDueAt: null,
      updatedAt: now,
    });
    await addEvent(tx, id, staffActor(ctx), { type: 'returned', visibility: 'internal', data: { reason } }, now);
  });

export const message = (
  app: FastifyInstance,
  user: StaffUser,
  id: string,
  body: { content: string; visibility: 'public' | 'internal'; attachmentIds?: string[] },
) =>
  act(app, user, id, 'message', async (tx, t, ctx, now) => {
    // Touch the row under the status guard so that a message never lands on a ticket closed meanwhile.
    await guardedUpdate(tx, id, [t.status], { updatedAt: now });
    const eventId = await addEvent(
      tx,
      id,
      staffActor(ctx),
      { type: 'message', visibility: body.visibility, data: { content: body.content, attachmentIds: body.attachmentIds ?? [] } },
      now,
    );
    await bindAttachments(tx, body.attachmentIds, { kind: 'staff', id: ctx.id }, id, eventId);
  });

export const requestSupplement = (app: FastifyInstance, user: StaffUser, id: string, content: string) =>
  act(app, user, id, 'request_supplement', async (tx, _t, ctx, now) => {
    await guardedUpdate(tx, id, ['in_progress'], { awaitingSupplement: true, updatedAt: now }, eq(tickets.awaitingSupplement, false));
    await addEvent(tx, id, staffActor(ctx), { type: 'supplement_requested', visibility: 'public', data: { content } }, now);
  });

export const requestExtension = (app: FastifyInstance, user: StaffUser, id: string, days: number, reason: string) =>
  act(app, user, id, 'request_extension', async (tx, _t, ctx, now) => {
    await guardedUpdate(tx, id, ['in_progress'], { extensionPendingDays: days, updatedAt: now }, sql`${tickets.extensionPendingDays} is null`);
    await addEvent(tx, id, staffActor(ctx), { type: 'extension_requested', visibility: 'internal', data: { days, reason } }, now);
  });

export const decideExtension = (app: FastifyInstance, user: StaffUser, id: string, approve: boolean, note: string) =>
  act(app, user, id, 'decide_extension', async (tx, t, ctx, now) => {
    const days = t.extensionPendingDays ?? 0;
    const resolveDueAt = approve ? extendByWorkingDays(t.resolveDueAt, days, await loadCalendar(tx, t.resolveDueAt)) : t.resolveDueAt;
    await guardedUpdate(
      tx,
      id,
      ['pending_dispatch', 'pending_claim', 'in_progress'],
      {
        extensionPendingDays: null,
        resolveDueAt,
        extendedDays: approve ? sql`${tickets.extendedDays} + ${days}` : undefined,
        overdueNotedAt: approve ? null : undefined,
        updatedAt: now,
      } as never,
      eq(tickets.extensionPendingDays, days),
    );
    await addEvent(
      tx,
      id,
      staffActor(ctx),
      { type: 'extension_decided', visibility: approve ? 'public' : 'internal', data: { approve, days, note, resolveDueAt } },
      now,
    );
  });

export const resolve = (app: FastifyInstance, user: StaffUser, id: string, body: { result: string; legalBasis?: string; attachmentIds?: string[] }) =>
  act(app, user, id, 'resolve', async (tx, t, ctx, now) => {
    await guardedUpdate(
      tx,
      id,
      ['in_progress'],
      {
        status: 'resolved',
        resolvedAt: now,
        firstResolvedAt: sql`coalesce(${tickets.firstResolvedAt}, ${now.toISOString()}::timestamptz)` as never,
        firstResolvedOnTime: sql`coalesce(${tickets.firstResolvedOnTime}, ${now <= t.resolveDueAt})` as never,
        awaitingSupplement: false,
        extensionPendingDays: null,
        updatedAt: now,
      },
      eq(tickets.stationId, ctx.station!.id),
    );
    const eventId = await addEvent(
      tx,
      id,
      staffActor(ctx),
      {
        type: 'resolved',
        visibility: 'public',
        data: {
          result: body.result,
          legalBasis: body.legalBasis ?? null,
          attachmentIds: body.attachmentIds ?? [],
          onTime: now <= t.resolveDueAt,
          round: t.reopenCount,
        },
      },
      now,
    );
    await bindAttachments(tx, body.attachmentIds, { kind: 'staff', id: ctx.id }, id, eventId);
  });

export const supervise = (app: FastifyInstance, user: StaffUser, id: string, note: string) =>
  act(app, user, id, 'supervise', async (tx, t, ctx, now) => {
    await guardedUpdate(tx, id, [t.status], { supervised: true, updatedAt: now });
    await addEvent(tx, id, staffActor(ctx), { type: 'supervised', visibility: 'internal', data: { note } }, now);
  });

export const invalidate = (app: FastifyInstance, user: StaffUser, id: string, reason: string) =>
  act(app, user, id, 'invalidate', async (tx, t, ctx, now) => {
    await guardedUpdate(tx, id, [t.status], { status: 'invalid', closedAt: now, updatedAt: now });
    await addEvent(tx, id, staffActor(ctx), { type: 'invalidated', visibility: 'public', data: { reason } }, now);
  });

export const merge = (app: FastifyInstance, user: StaffUser, id: string, intoId: string) =>
  act(app, user, id, 'merge', async (tx, t, ctx, now) => {
    if (intoId === id) throw validation('不能合并到自身');
    const into = await findTicket(tx, now, and(eq(tickets.id, intoId), scopeFilter(ctx))!);
    if (!into) throw validation('要合并到的诉求不存在');
    if (into.status === 'invalid' || into.status === 'withdrawn') throw validation('不能合并到已作废或已撤回的诉求');
    await guardedUpdate(tx, id, [t.status], { status: 'invalid', mergedIntoId: intoId, closedAt: now, updatedAt: now });
    await addEvent(tx, id, staffActor(ctx), { type: 'merged', visibility: 'public', data: { intoId, intoNo: into.no } }, now);
  });

// ── ratings: online by the enterprise, or by a dispatcher's return visit ───────────────────

export interface RatingInput {
  solved: boolean;
  satisfaction: Satisfaction;
  comment?: string | null;
}

/**
 * DESIGN §3: a first `dissatisfied` reopens the ticket to the same station and assignee; a second closes
 * it dissatisfied and supervised; any other rating closes it. The rating fields keep the latest rating.
 */
export async function applyRating(
  tx: Executor,
  t: { id: string; reopenCount: number },
  rating: RatingInput,
  via: 'online' | 'visit',
  actor: Actor,
  now: Date,
  visitData?: Record<string, unknown>,
) {
  const reopen = rating.satisfaction === 'dissatisfied' && t.reopenCount === 0;
  const twice = rating.satisfaction === 'dissatisfied' && t.reopenCount > 0;
  const ratingFields = {
    solved: rating.solved,
    satisfaction: rating.satisfaction,
    ratingComment: rating.comment ?? null,
    ratedAt: now,
    ratedVia: via,
    ratedRound: t.reopenCount,
    updatedAt: now,
  };
  await guardedUpdate(
    tx,
    t.id,
    ['resolved'],
    reopen
      ? { ...ratingFields, status: 'in_progress', reopenCount: 1, resolvedAt: null }
      : { ...ratingFields, status: 'closed', closedAt: now, supervised: twice ? true : undefined },
    undefined,
    () => invalidTransition('该诉求当前不可评价（仅已办结且未评价的诉求可评价）'),
  );
  const data = { solved: rating.solved, satisfaction: rating.satisfaction, comment: rating.comment ?? null, via, round: t.reopenCount, ...visitData };
  await addEvent(tx, t.id, actor, { type: via === 'online' ? 'rated' : 'visited', visibility: 'public', data }, now);
  if (reopen) {
    await addEvent(tx, t.id, { kind: 'system' }, { type: 'reopened', visibility: 'public', data: { reason: '企业不满意，重新办理' } }, now);
  } else {
    if (twice) await addEvent(tx, t.id, { kind: 'system' }, { type: 'supervised', visibility: 'internal', data: { note: '企业再次不满意，自动督办' } }, now);
    await addEvent(
      tx,
      t.id,
      { kind: 'system' },
      { type: 'closed', visibility: 'public', data: { reason: twice ? 'dissatisfied_twice' : via === 'online' ? 'rated' : 'visited' } },
      now,
    );
  }
}

export const visit = (app: FastifyInstance, user: StaffUser, id: string, body: RatingInput & { method: string; note: string }) =>
  act(app, user, id, 'visit', async (tx, t, ctx, now) => {
    const visitData = { method: body.method, note: body.note };
    // A visit counts as the rating only when the business has not rated this resolution online.
    if (t.status === 'resolved') {
      await applyRating(tx, t, { solved: body.solved, satisfaction: body.satisfaction, comment: body.note }, 'visit', staffActor(ctx), now, visitData);
      return;
    }
    const unrated = t.ratedVia === null;
    await guardedUpdate(
      tx,
      id,
      ['closed'],
      unrated
        ? {
            solved: body.solved,
            satisfaction: body.satisfaction,
            ratingComment: body.note,
            ratedAt: now,
            ratedVia: 'visit',
            ratedRound: t.reopenCount,
            supervised: body.satisfaction === 'dissatisfied' ? true : undefined,
            updatedAt: now,
          }
        : { updatedAt: now },
    );
    await addEvent(
      tx,
      id,
      staffActor(ctx),
      {
        type: 'visited',
        visibility: 'public',
        data: { solved: body.solved, satisfaction: body.satisfaction, countsAsRating: unrated, via: 'visit', round: t.reopenCount, ...visitData },
      },
      now,
    );
  });

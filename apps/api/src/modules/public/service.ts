/** The enterprise channel: SMS sign-in, WeChat sign-in, and what a business may do with its own tickets. */
import { randomInt } from 'node:crypto';
import { type EventType, isMainlandMobile, shanghaiDate } from '@ys/shared';
import { enterpriseAccounts, enterpriseSessions, otpCodes, tickets } from '@ys/shared/schema';
import { and, desc, eq, gte, isNull, sql } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Executor } from '../../db/client.ts';
import { AppError, invalidTransition, notFound, validation } from '../../errors.ts';
import { sha256 } from '../../lib/crypto.ts';
import type { EnterpriseUser } from '../../plugins/auth.ts';
import { bindAttachments } from '../attachments/service.ts';
import { type Actor, addEvent } from '../tickets/events.ts';
import { findTicket, findTicketDetail, type TicketDetailRow, type TicketRow } from '../tickets/repo.ts';
import { applyRating, guardedUpdate, type RatingInput } from '../tickets/service.ts';

export const OTP_TTL_MS = 5 * 60_000;
export const OTP_MAX_TRIES = 5;
export const OTP_RESEND_MS = 60_000;
export const OTP_DAILY_LIMIT = 10;

const codeHash = (app: FastifyInstance, phone: string, code: string) => sha256(`${app.config.jwtSecret}:${phone}:${code}`);

const rateLimited = (message: string, retryAfterSeconds: number) =>
  new AppError('RATE_LIMITED', message, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) });

/** Sends a 6-digit code: one a minute and ten a (Shanghai) day per phone. Returns the code for the dev answer. */
export async function sendOtp(app: FastifyInstance, request: FastifyRequest, phone: string): Promise<string> {
  if (!isMainlandMobile(phone)) throw validation('请输入 11 位大陆手机号');
  const now = app.now();
  const dayStart = new Date(Date.parse(`${shanghaiDate(now)}T00:00:00+08:00`));
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  await app.db.db.transaction(async (tx) => {
    // Serialise sends per phone so that two parallel requests cannot both pass the limits.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`otp:${phone}`}))`);
    const recent = await tx
      .select({ createdAt: otpCodes.createdAt })
      .from(otpCodes)
      .where(and(eq(otpCodes.phone, phone), gte(otpCodes.createdAt, dayStart)))
      .orderBy(desc(otpCodes.createdAt));
    const last = recent[0];
    if (last && now.getTime() - last.createdAt.getTime() < OTP_RESEND_MS) {
      throw rateLimited('验证码发送过于频繁，请 1 分钟后再试', (OTP_RESEND_MS - (now.getTime() - last.createdAt.getTime())) / 1000);
    }
    if (recent.length >= OTP_DAILY_LIMIT) {
      throw rateLimited('今日验证码发送次数已达上限，请明天再试', (dayStart.getTime() + 86_400_000 - now.getTime()) / 1000);
    }
    await tx
      .insert(otpCodes)
      .values({ phone, codeHash: codeHash(app, phone, code), expiresAt: new Date(now.getTime() + OTP_TTL_MS), ip: request.ip, createdAt: now });
  });
  await app.sms.send({ phone, template: 'otp', params: { code } });
  return code;
}

async function openSession(app: FastifyInstance, request: FastifyRequest, accountId: string, channel: EnterpriseUser['channel']) {
  const expiresAt = new Date(app.now().getTime() + app.config.enterpriseSessionDays * 86_400_000);
  const [session] = await app.db.db
    .insert(enterpriseSessions)
    .values({ accountId, channel, expiresAt, ip: request.ip })
    .returning({ id: enterpriseSessions.id });
  const token = app.signToken({ kind: 'enterprise', sub: accountId, sid: session!.id, ch: channel }, app.config.enterpriseSessionDays * 86_400);
  return { token, expiresAt };
}

/** Verifies the latest code of the phone: 5 minutes, 5 tries, single use. */
export async function verifyOtp(app: FastifyInstance, request: FastifyRequest, phone: string, code: string, channel: 'qr' | 'h5') {
  if (!isMainlandMobile(phone)) throw validation('请输入 11 位大陆手机号');
  const now = app.now();
  const [otp] = await app.db.db
    .select()
    .from(otpCodes)
    .where(and(eq(otpCodes.phone, phone), isNull(otpCodes.consumedAt)))
    .orderBy(desc(otpCodes.createdAt))
    .limit(1);
  if (!otp || otp.expiresAt <= now) throw validation('验证码已过期，请重新获取');
  if (otp.attempts >= OTP_MAX_TRIES) throw validation('验证码错误次数过多，请重新获取');
  if (otp.codeHash !== codeHash(app, phone, code)) {
    const [row] = await app.db.db
      .update(otpCodes)
      .set({ attempts: sql`${otpCodes.attempts} + 1` })
      .where(eq(otpCodes.id, otp.id))
      .returning({ attempts: otpCodes.attempts });
    const left = OTP_MAX_TRIES - (row?.attempts ?? OTP_MAX_TRIES);
    throw validation(left > 0 ? `验证码不正确，还可尝试 ${left} 次` : '验证码错误次数过多，请重新获取');
  }
  const consumed = await app.db.db
    .update(otpCodes)
    .set({ consumedAt: now })
    .where(and(eq(otpCodes.id, otp.id), isNull(otpCodes.consumedAt), sql`${otpCodes.attempts} < ${OTP_MAX_TRIES}`))
    .returning({ id: otpCodes.id });
  if (consumed.length === 0) throw validation('验证码已使用，请重新获取');
  const [account] = await app.db.db
    .insert(enterpriseAccounts)
    .values({ phone, lastSeenAt: now })
    .onConflictDoUpdate({ target: enterpriseAccounts.phone, set: { lastSeenAt: now } })
    .returning({ id: enterpriseAccounts.id });
  return { ...(await openSession(app, request, account!.id, channel)), phone };
}

/** Mini-program sign-in: the code from wx.login exchanged through code2session for the user's openid. */
export async function wechatSession(app: FastifyInstance, request: FastifyRequest, code: string) {
  const { wechatAppId, wechatSecret, wechatApiBase } = app.config;
  if (!wechatAppId || !wechatSecret) throw new AppError('SERVICE_UNAVAILABLE', '小程序登录未配置');
  const url = new URL(`${wechatApiBase}/sns/jscode2session`);
  url.search = new URLSearchParams({ appid: wechatAppId, secret: wechatSecret, js_code: code, grant_type: 'authorization_code' }).toString();
  let body: { openid?: string; errcode?: number; errmsg?: string };
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    body = (await res.json()) as typeof body;
  } catch (err) {
    request.log.warn({ err: String(err) }, 'code2session failed');
    throw new AppError('SERVICE_UNAVAILABLE', '微信登录服务暂不可用，请稍后再试');
  }
  if (!body.openid) throw validation(`微信登录失败${body.errcode ? `（${body.errcode}）` : ''}，请重新进入小程序`);
  const now = app.now();
  const [account] = await app.db.db
    .insert(enterpriseAccounts)
    .values({ wechatOpenId: body.openid, lastSeenAt: now })
    .onConflictDoUpdate({ target: enterpriseAccounts.wechatOpenId, set: { lastSeenAt: now } })
    .returning({ id: enterpriseAccounts.id, phone: enterpriseAccounts.phone });
  return { ...(await openSession(app, request, account!.id, 'mp')), phone: account!.phone };
}

// ── the business's own tickets ─────────────────────────────────────────────────────────────

const OPEN = ['pending_dispatch', 'pending_claim', 'in_progress'] as const;

/** What a business may read of an event: station names and public wording, never staff names or notes. */
const PUBLIC_DATA: Record<string, string[]> = {
  dispatched: ['toStationName', 'poolType', 'poolDistrictCode'],
  transferred: ['toStationName', 'poolType', 'poolDistrictCode'],
  claimed: ['stationName'],
  message: ['content', 'attachmentIds'],
  supplement_requested: ['content'],
  supplemented: ['content', 'attachmentIds'],
  extension_decided: ['approve', 'resolveDueAt'],
  resolved: ['result', 'legalBasis', 'attachmentIds'],
  rated: ['solved', 'satisfaction', 'comment'],
  visited: ['solved', 'satisfaction'],
  reopened: ['reason'],
  withdrawn: ['reason'],
  invalidated: ['reason'],
  merged: ['intoNo'],
  closed: ['reason'],
};

const own = (ent: EnterpriseUser, no: string) => and(eq(tickets.no, no.toUpperCase()), eq(tickets.accountId, ent.accountId))!;

export async function findOwnTicket(app: FastifyInstance, ent: EnterpriseUser, no: string, executor: Executor = app.db.db) {
  const t = await findTicket(executor, app.now(), own(ent, no));
  if (!t) throw notFound('诉求');
  return t;
}

/** The business's own ticket with its public events and attachments: one statement. */
export async function publicTicket(app: FastifyInstance, ent: EnterpriseUser, no: string) {
  const found = await findTicketDetail(app.db.db, app.now(), own(ent, no), true);
  if (!found) throw notFound('诉求');
  return publicTicketOf(found.ticket, found.events, found.attachments);
}

type PublicTicketSource = Pick<
  TicketRow | TicketDetailRow,
  | 'no'
  | 'status'
  | 'title'
  | 'categoryCode'
  | 'districtCode'
  | 'enterpriseName'
  | 'uscc'
  | 'contactName'
  | 'contactPhone'
  | 'content'
  | 'stationName'
  | 'createdAt'
  | 'resolveDueAt'
  | 'resolvedAt'
  | 'closedAt'
  | 'awaitingSupplement'
  | 'solved'
  | 'satisfaction'
  | 'ratingComment'
  | 'ratedAt'
>;

/** The business's view of its ticket, from rows already at hand (the submit answers with what it wrote). */
export function publicTicketOf(
  t: PublicTicketSource,
  events: { type: EventType; actorStationName: string | null; actorKind: string; data: Record<string, unknown>; createdAt: Date | string }[],
  files: unknown[],
) {
  const open = (OPEN as readonly string[]).includes(t.status);
  return {
    no: t.no,
    status: t.status,
    title: t.title,
    categoryCode: t.categoryCode,
    districtCode: t.districtCode,
    enterpriseName: t.enterpriseName,
    uscc: t.uscc,
    contactName: t.contactName,
    contactPhone: t.contactPhone,
    content: t.content,
    stationName: t.stationName ?? null,
    createdAt: t.createdAt,
    resolveDueAt: t.resolveDueAt,
    resolvedAt: t.resolvedAt,
    closedAt: t.closedAt,
    awaitingSupplement: t.awaitingSupplement,
    solved: t.solved,
    satisfaction: t.satisfaction,
    ratingComment: t.ratingComment,
    ratedAt: t.ratedAt,
    canWithdraw: open,
    canSupplement: open,
    canRate: t.status === 'resolved',
    events: events.map((e) => ({
      type: e.type,
      stationName: e.actorStationName,
      actorKind: e.actorKind,
      data: Object.fromEntries(Object.entries(e.data).filter(([k]) => (PUBLIC_DATA[e.type] ?? []).includes(k))),
      createdAt: e.createdAt,
    })),
    attachments: files,
  };
}

const enterpriseActor = (ent: EnterpriseUser): Actor => ({ kind: 'enterprise', id: ent.accountId });

export async function supplement(app: FastifyInstance, ent: EnterpriseUser, no: string, body: { content: string; attachmentIds?: string[] }) {
  const t = await findOwnTicket(app, ent, no);
  const now = app.now();
  await app.db.db.transaction(async (tx) => {
    await guardedUpdate(tx, t.id, OPEN, { awaitingSupplement: false, updatedAt: now }, undefined, () =>
      invalidTransition('诉求已办结或已关闭，不能再补充材料'),
    );
    const eventId = await addEvent(
      tx,
      t.id,
      enterpriseActor(ent),
      { type: 'supplemented', visibility: 'public', data: { content: body.content, attachmentIds: body.attachmentIds ?? [], answered: t.awaitingSupplement } },
      now,
    );
    await bindAttachments(tx, body.attachmentIds, { kind: 'enterprise', id: ent.accountId }, t.id, eventId);
  });
  return publicTicket(app, ent, no);
}

export async function withdraw(app: FastifyInstance, ent: EnterpriseUser, no: string, reason: string) {
  const t = await findOwnTicket(app, ent, no);
  const now = app.now();
  await app.db.db.transaction(async (tx) => {
    await guardedUpdate(tx, t.id, OPEN, { status: 'withdrawn', closedAt: now, updatedAt: now }, undefined, () => invalidTransition('只有办理中的诉求可以撤回'));
    await addEvent(tx, t.id, enterpriseActor(ent), { type: 'withdrawn', visibility: 'public', data: { reason } }, now);
  });
  return publicTicket(app, ent, no);
}

export async function rate(app: FastifyInstance, ent: EnterpriseUser, no: string, rating: RatingInput) {
  const t = await findOwnTicket(app, ent, no);
  if (t.status !== 'resolved') throw invalidTransition('该诉求当前不可评价（仅已办结且未评价的诉求可评价）');
  await app.db.db.transaction((tx) => applyRating(tx, t, rating, 'online', enterpriseActor(ent), app.now()));
  return publicTicket(app, ent, no);
}

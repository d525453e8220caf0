/** Staff sign-in: argon2id passwords, lockout after five failures, rotating refresh tokens in families. */
import { randomUUID } from 'node:crypto';
import { checkPasswordPolicy } from '@ys/shared';
import { rateLimits, refreshTokens, users } from '@ys/shared/schema';
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, validation } from '../../errors.ts';
import { dummyPasswordHash, hashPassword, randomToken, sha256, verifyPassword } from '../../lib/crypto.ts';
import { writeAudit } from '../audit/service.ts';

export const MAX_FAILED_LOGINS = 5;
export const LOCK_MINUTES = 15;
const BAD_CREDENTIALS = '用户名或密码错误';

const locked = () => new AppError('ACCOUNT_LOCKED', `连续 ${MAX_FAILED_LOGINS} 次密码错误，账号已锁定 ${LOCK_MINUTES} 分钟，请稍后再试或联系管理员解锁`);

export function publicUser(u: typeof users.$inferSelect) {
  return {
    id: u.id,
    username: u.username,
    name: u.name,
    role: u.role,
    stationId: u.stationId,
    districtCode: u.districtCode,
    mustChangePassword: u.mustChangePassword,
  };
}

export interface Session {
  accessToken: string;
  refreshToken: string;
  refreshExpiresAt: Date;
  user: ReturnType<typeof publicUser>;
}

async function issueRefreshToken(app: FastifyInstance, request: FastifyRequest, userId: string, familyId: string) {
  const token = randomToken();
  const expiresAt = new Date(Date.now() + app.config.refreshTokenTtlDays * 86_400_000);
  await app.db.db.insert(refreshTokens).values({
    userId,
    familyId,
    tokenHash: sha256(token),
    expiresAt,
    ip: request.ip,
    userAgent: request.headers['user-agent']?.slice(0, 300) ?? null,
  });
  return { token, expiresAt };
}

function accessTokenFor(app: FastifyInstance, u: typeof users.$inferSelect) {
  return app.signToken({ kind: 'staff', sub: u.id, role: u.role }, app.config.accessTokenTtlSeconds);
}

/**
 * Unknown usernames are counted too (in rate_limits), so that the sixth try answers 423 whether or
 * not the account exists: the answer never tells which usernames are real.
 */
async function failUnknownUser(app: FastifyInstance, username: string): Promise<boolean> {
  const key = `login-unknown:${username.toLowerCase()}`;
  const windowStart = new Date(0);
  const [row] = await app.db.db
    .insert(rateLimits)
    .values({ key, windowStart, count: 1, expiresAt: new Date(Date.now() + LOCK_MINUTES * 60_000) })
    .onConflictDoUpdate({
      target: [rateLimits.key, rateLimits.windowStart],
      set: {
        count: sql`case when ${rateLimits.expiresAt} < now() then 1 else ${rateLimits.count} + 1 end`,
        expiresAt: sql`case when ${rateLimits.expiresAt} < now() or ${rateLimits.count} + 1 >= ${MAX_FAILED_LOGINS} then now() + make_interval(mins => ${LOCK_MINUTES}) else ${rateLimits.expiresAt} end`,
      },
    })
    .returning({ count: rateLimits.count });
  return (row?.count ?? 0) > MAX_FAILED_LOGINS;
}

export async function login(app: FastifyInstance, request: FastifyRequest, username: string, password: string): Promise<Session> {
  const [user] = await app.db.db.select().from(users).where(sql`lower(${users.username}) = ${username.toLowerCase()}`);
  const audit = (success: boolean, reason?: string) =>
    writeAudit(app.db.db, request, {
      action: 'auth.login',
      targetType: 'user',
      targetId: user?.id,
      success,
      actor: { kind: user ? 'staff' : 'anonymous', id: user?.id ?? null, name: username.slice(0, 100) },
      detail: reason ? { reason } : undefined,
    });

  if (!user) {
    await verifyPassword(await dummyPasswordHash(), password);
    const isLocked = await failUnknownUser(app, username);
    await audit(false, 'unknown_user');
    throw isLocked ? locked() : new AppError('UNAUTHENTICATED', BAD_CREDENTIALS);
  }
  if (user.lockedUntil && user.lockedUntil > new Date()) {
    await audit(false, 'locked');
    throw locked();
  }
  const ok = await verifyPassword(user.passwordHash, password);
  if (!ok) {
    // Counted in SQL so that parallel attempts cannot slip past the limit.
    const [row] = await app.db.db
      .update(users)
      .set({
        failedLogins: sql`case when ${users.failedLogins} + 1 >= ${MAX_FAILED_LOGINS} then 0 else ${users.failedLogins} + 1 end`,
        lockedUntil: sql`case when ${users.failedLogins} + 1 >= ${MAX_FAILED_LOGINS} then now() + make_interval(mins => ${LOCK_MINUTES}) else ${users.lockedUntil} end`,
      })
      .where(eq(users.id, user.id))
      .returning({ lockedUntil: users.lockedUntil });
    app.staffChanged();
    const nowLocked = !!row?.lockedUntil && row.lockedUntil > new Date();
    await audit(false, nowLocked ? 'locked_now' : 'bad_password');
    throw nowLocked ? locked() : new AppError('UNAUTHENTICATED', BAD_CREDENTIALS);
  }
  if (!user.active) {
    await audit(false, 'inactive');
    throw new AppError('UNAUTHENTICATED', '账号已停用，请联系管理员');
  }
  await app.db.db.update(users).set({ failedLogins: 0, lockedUntil: null, lastLoginAt: new Date() }).where(eq(users.id, user.id));
  app.staffChanged();
  await audit(true);
  const refresh = await issueRefreshToken(app, request, user.id, randomUUID());
  return { accessToken: accessTokenFor(app, user), refreshToken: refresh.token, refreshExpiresAt: refresh.expiresAt, user: publicUser(user) };
}

/**
 * Rotates a refresh token. A token presented twice means it was copied: the whole family is revoked,
 * which also signs out whoever holds the newer token.
 */
export async function refresh(app: FastifyInstance, request: FastifyRequest, token: string): Promise<Session> {
  const hash = sha256(token);
  const [row] = await app.db.db.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, hash));
  if (!row || row.expiresAt <= new Date() || row.revokedAt) throw new AppError('UNAUTHENTICATED', '登录已过期，请重新登录');
  const claimed = await app.db.db
    .update(refreshTokens)
    .set({ usedAt: new Date() })
    .where(and(eq(refreshTokens.id, row.id), isNull(refreshTokens.usedAt), isNull(refreshTokens.revokedAt)))
    .returning({ id: refreshTokens.id });
  if (claimed.length === 0) {
    await app.db.db
      .update(refreshTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(refreshTokens.familyId, row.familyId), isNull(refreshTokens.revokedAt)));
    await writeAudit(app.db.db, request, {
      action: 'auth.refresh_reuse',
      targetType: 'user',
      targetId: row.userId,
      success: false,
      actor: { kind: 'staff', id: row.userId },
    });
    throw new AppError('UNAUTHENTICATED', '登录凭证已被使用过，为安全起见已退出所有相关会话，请重新登录');
  }
  const [user] = await app.db.db.select().from(users).where(eq(users.id, row.userId));
  if (!user?.active) throw new AppError('UNAUTHENTICATED', '账号已停用');
  if (user.lockedUntil && user.lockedUntil > new Date()) throw locked();
  const next = await issueRefreshToken(app, request, user.id, row.familyId);
  return { accessToken: accessTokenFor(app, user), refreshToken: next.token, refreshExpiresAt: next.expiresAt, user: publicUser(user) };
}

export async function logout(app: FastifyInstance, token: string | undefined): Promise<void> {
  if (!token) return;
  const [row] = await app.db.db
    .select({ familyId: refreshTokens.familyId })
    .from(refreshTokens)
    .where(eq(refreshTokens.tokenHash, sha256(token)));
  if (row)
    await app.db.db
      .update(refreshTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(refreshTokens.familyId, row.familyId), isNull(refreshTokens.revokedAt)));
}

export async function changePassword(app: FastifyInstance, request: FastifyRequest, userId: string, oldPassword: string, newPassword: string) {
  const [user] = await app.db.db.select().from(users).where(eq(users.id, userId));
  if (!user) throw new AppError('UNAUTHENTICATED', '请先登录');
  if (!(await verifyPassword(user.passwordHash, oldPassword))) throw validation('原密码不正确');
  const policy = checkPasswordPolicy(newPassword);
  if (!policy.ok) throw validation(policy.message);
  if (oldPassword === newPassword) throw validation('新密码不能与原密码相同');
  const passwordHash = await hashPassword(newPassword);
  await app.db.db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash, mustChangePassword: false, passwordChangedAt: new Date(), updatedAt: new Date() }).where(eq(users.id, userId));
    // Other sessions end with the old password.
    await tx
      .update(refreshTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt), gt(refreshTokens.expiresAt, new Date())));
    await writeAudit(tx, request, { action: 'auth.password_change', targetType: 'user', targetId: userId });
  });
  app.staffChanged();
  const refreshed = await issueRefreshToken(app, request, userId, randomUUID());
  return {
    accessToken: accessTokenFor(app, { ...user, mustChangePassword: false }),
    refreshToken: refreshed.token,
    refreshExpiresAt: refreshed.expiresAt,
    user: publicUser({ ...user, mustChangePassword: false }),
  };
}

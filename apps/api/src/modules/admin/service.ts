/** Organisation data: districts, stations, users, categories, holidays. Nothing a ticket refers to is deleted. */
import { checkPasswordPolicy, type Role, type StationType } from '@ys/shared';
import { auditLogs, categories, districts, holidays, refreshTokens, stations, tickets, users } from '@ys/shared/schema';
import { and, asc, count, eq, gte, ilike, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Executor } from '../../db/client.ts';
import { AppError, conflict, notFound, validation } from '../../errors.ts';
import { hashPassword } from '../../lib/crypto.ts';
import { pageOf } from '../../lib/paging.ts';
import { isUniqueViolation } from '../../lib/pg-errors.ts';
import { writeAudit } from '../audit/service.ts';

type Paging = { page?: number; pageSize?: number };

/** Runs a write with its audit row in one transaction; a duplicate key becomes 409 CONFLICT. */
async function auditedWrite<T>(
  app: FastifyInstance,
  request: FastifyRequest,
  audit: { action: string; targetType: string; duplicate: string },
  write: (tx: Executor) => Promise<T & { id?: string; code?: string; date?: string }>,
  /** The change: given as is, or taken from the written row (a deletion records what it deleted). */
  detail?: Record<string, unknown> | ((row: T) => Record<string, unknown>),
): Promise<T> {
  try {
    return await app.db.db.transaction(async (tx) => {
      const row = await write(tx);
      await writeAudit(tx, request, {
        action: audit.action,
        targetType: audit.targetType,
        targetId: String(row.id ?? row.code ?? row.date ?? ''),
        detail: typeof detail === 'function' ? detail(row) : detail,
      });
      return row;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(audit.duplicate);
    throw err;
  } finally {
    // A user or a station may have changed: the auth hook reads it afresh (plugins/auth.ts).
    app.staffChanged();
  }
}

async function paged<T>(items: Promise<T[]>, total: Promise<{ n: number }[]>, p: ReturnType<typeof pageOf>) {
  const [rows, [t]] = await Promise.all([items, total]);
  return { items: rows, total: Number(t?.n ?? 0), page: p.page, pageSize: p.pageSize };
}

const like = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

// ── districts ──────────────────────────────────────────────────────────────────────────────

export async function listDistricts(app: FastifyInstance, q: Paging & { q?: string; active?: boolean }) {
  const p = pageOf(q);
  const where = and(
    q.q ? or(ilike(districts.name, like(q.q)), ilike(districts.code, like(q.q))) : undefined,
    q.active === undefined ? undefined : eq(districts.active, q.active),
  );
  return paged(
    app.db.db.select().from(districts).where(where).orderBy(asc(districts.code)).limit(p.limit).offset(p.offset),
    app.db.db.select({ n: count() }).from(districts).where(where),
    p,
  );
}

export function createDistrict(app: FastifyInstance, req: FastifyRequest, body: { code: string; name: string; active?: boolean }) {
  return auditedWrite(
    app,
    req,
    { action: 'district.create', targetType: 'district', duplicate: `旗县区编码 ${body.code} 已存在` },
    async (tx) => {
      const [row] = await tx.insert(districts).values(body).returning();
      return row as typeof districts.$inferSelect;
    },
    body,
  );
}

export async function updateDistrict(app: FastifyInstance, req: FastifyRequest, code: string, body: { name?: string; active?: boolean }) {
  return auditedWrite(
    app,
    req,
    { action: 'district.update', targetType: 'district', duplicate: '旗县区已存在' },
    async (tx) => {
      const [row] = await tx
        .update(districts)
        .set({ ...body, updatedAt: new Date() })
        .where(eq(districts.code, code))
        .returning();
      if (!row) throw notFound('旗县区');
      return row;
    },
    body,
  );
}

// ── stations ───────────────────────────────────────────────────────────────────────────────

export interface StationInput {
  code: string;
  name: string;
  type: StationType;
  agencyName: string;
  districtCode: string;
  address?: string | null;
  phone?: string | null;
  active?: boolean;
}

async function requireActiveDistrict(tx: Executor, code: string) {
  const [d] = await tx.select().from(districts).where(eq(districts.code, code));
  if (!d) throw validation(`旗县区 ${code} 不存在`);
  if (!d.active) throw validation(`旗县区 ${code} 已停用`);
}

export async function listStations(app: FastifyInstance, q: Paging & { q?: string; type?: StationType; districtCode?: string; active?: boolean }) {
  const p = pageOf(q);
  const where = and(
    q.q ? or(ilike(stations.name, like(q.q)), ilike(stations.code, like(q.q)), ilike(stations.agencyName, like(q.q))) : undefined,
    q.type ? eq(stations.type, q.type) : undefined,
    q.districtCode ? eq(stations.districtCode, q.districtCode) : undefined,
    q.active === undefined ? undefined : eq(stations.active, q.active),
  );
  return paged(
    app.db.db.select().from(stations).where(where).orderBy(asc(stations.districtCode), asc(stations.code)).limit(p.limit).offset(p.offset),
    app.db.db.select({ n: count() }).from(stations).where(where),
    p,
  );
}

export async function getStation(app: FastifyInstance, id: string) {
  const [row] = await app.db.db.select().from(stations).where(eq(stations.id, id));
  if (!row) throw notFound('站点');
  return row;
}

export function createStation(app: FastifyInstance, req: FastifyRequest, body: StationInput) {
  return auditedWrite(
    app,
    req,
    { action: 'station.create', targetType: 'station', duplicate: `站点编码 ${body.code} 已存在` },
    async (tx) => {
      await requireActiveDistrict(tx, body.districtCode);
      const [row] = await tx.insert(stations).values(body).returning();
      return row as typeof stations.$inferSelect;
    },
    { ...body },
  );
}

export function updateStation(app: FastifyInstance, req: FastifyRequest, id: string, body: Partial<StationInput>) {
  return auditedWrite(
    app,
    req,
    { action: 'station.update', targetType: 'station', duplicate: `站点编码 ${body.code ?? ''} 已存在` },
    async (tx) => {
      const [current] = await tx.select().from(stations).where(eq(stations.id, id)).for('update');
      if (!current) throw notFound('站点');
      if (body.code !== undefined && body.code !== current.code) {
        // The code is printed in QR codes already posted on walls: it is frozen once a ticket came through it.
        const [used] = await tx
          .select({ n: count() })
          .from(tickets)
          .where(or(eq(tickets.entryStationId, id), eq(tickets.stationId, id), eq(tickets.targetStationId, id)));
        if (Number(used?.n ?? 0) > 0) throw conflict('站点已有诉求引用，编码不可修改（已张贴的二维码会失效）');
      }
      if (body.districtCode !== undefined && body.districtCode !== current.districtCode) await requireActiveDistrict(tx, body.districtCode);
      const [row] = await tx
        .update(stations)
        .set({ ...body, updatedAt: new Date() })
        .where(eq(stations.id, id))
        .returning();
      return row as typeof stations.$inferSelect;
    },
    { ...body },
  );
}

// ── categories ─────────────────────────────────────────────────────────────────────────────

export interface CategoryInput {
  code: string;
  name: string;
  stationType: StationType | null;
  claimHours: number;
  resolveDays: number;
  sortOrder?: number;
  active?: boolean;
}

export async function listCategories(app: FastifyInstance, q: Paging & { q?: string; active?: boolean }) {
  const p = pageOf(q);
  const where = and(
    q.q ? or(ilike(categories.name, like(q.q)), ilike(categories.code, like(q.q))) : undefined,
    q.active === undefined ? undefined : eq(categories.active, q.active),
  );
  return paged(
    app.db.db.select().from(categories).where(where).orderBy(asc(categories.sortOrder), asc(categories.code)).limit(p.limit).offset(p.offset),
    app.db.db.select({ n: count() }).from(categories).where(where),
    p,
  );
}

export function createCategory(app: FastifyInstance, req: FastifyRequest, body: CategoryInput) {
  return auditedWrite(
    app,
    req,
    { action: 'category.create', targetType: 'category', duplicate: `类别编码 ${body.code} 已存在` },
    async (tx) => {
      const [row] = await tx.insert(categories).values(body).returning();
      return row as typeof categories.$inferSelect;
    },
    { ...body },
  );
}

export function updateCategory(app: FastifyInstance, req: FastifyRequest, code: string, body: Partial<Omit<CategoryInput, 'code'>>) {
  return auditedWrite(
    app,
    req,
    { action: 'category.update', targetType: 'category', duplicate: '类别已存在' },
    async (tx) => {
      const [row] = await tx
        .update(categories)
        .set({ ...body, updatedAt: new Date() })
        .where(eq(categories.code, code))
        .returning();
      if (!row) throw notFound('诉求类别');
      return row;
    },
    { ...body },
  );
}

// ── holidays ───────────────────────────────────────────────────────────────────────────────

export async function listHolidays(app: FastifyInstance, q: Paging & { year?: number }) {
  const p = pageOf({ page: q.page, pageSize: q.pageSize ?? 100 });
  const where = q.year ? sql`extract(year from ${holidays.date}) = ${q.year}` : undefined;
  return paged(
    app.db.db.select().from(holidays).where(where).orderBy(asc(holidays.date)).limit(p.limit).offset(p.offset),
    app.db.db.select({ n: count() }).from(holidays).where(where),
    p,
  );
}

export function createHoliday(app: FastifyInstance, req: FastifyRequest, body: { date: string; kind: 'off' | 'work'; name: string }) {
  if (Number.isNaN(Date.parse(`${body.date}T00:00:00Z`))) throw validation('日期不正确');
  return auditedWrite(
    app,
    req,
    { action: 'holiday.create', targetType: 'holiday', duplicate: `${body.date} 已在日历中` },
    async (tx) => {
      const [row] = await tx.insert(holidays).values(body).returning();
      return row as typeof holidays.$inferSelect;
    },
    body,
  );
}

export function updateHoliday(app: FastifyInstance, req: FastifyRequest, date: string, body: { kind?: 'off' | 'work'; name?: string }) {
  return auditedWrite(
    app,
    req,
    { action: 'holiday.update', targetType: 'holiday', duplicate: '日期已存在' },
    async (tx) => {
      const [row] = await tx
        .update(holidays)
        .set({ ...body, updatedAt: new Date() })
        .where(eq(holidays.date, date))
        .returning();
      if (!row) throw notFound('日历条目');
      return row;
    },
    body,
  );
}

/** Holidays are not referred to by tickets (deadlines are computed once), so a wrong entry can be removed. */
export function deleteHoliday(app: FastifyInstance, req: FastifyRequest, date: string) {
  return auditedWrite(
    app,
    req,
    { action: 'holiday.delete', targetType: 'holiday', duplicate: '' },
    async (tx) => {
      const [row] = await tx.delete(holidays).where(eq(holidays.date, date)).returning();
      if (!row) throw notFound('日历条目');
      return row;
    },
    (row) => ({ deleted: { date: row.date, kind: row.kind, name: row.name } }),
  );
}

// ── users ──────────────────────────────────────────────────────────────────────────────────

export interface UserInput {
  username: string;
  name: string;
  password: string;
  role: Role;
  phone?: string | null;
  stationId?: string | null;
  districtCode?: string | null;
  active?: boolean;
}

const userColumns = {
  id: users.id,
  username: users.username,
  name: users.name,
  phone: users.phone,
  role: users.role,
  stationId: users.stationId,
  districtCode: users.districtCode,
  active: users.active,
  mustChangePassword: users.mustChangePassword,
  lockedUntil: users.lockedUntil,
  lastLoginAt: users.lastLoginAt,
  createdAt: users.createdAt,
  updatedAt: users.updatedAt,
};

/** A station user needs an active station; a dispatcher or leader a district, or none for the whole city. */
async function checkUserPlacement(tx: Executor, u: { role: Role; stationId?: string | null; districtCode?: string | null }) {
  if (u.role === 'staff' || u.role === 'station_lead') {
    if (!u.stationId) throw validation('站点工作人员和站长必须指定所属站点');
    const [s] = await tx.select({ active: stations.active }).from(stations).where(eq(stations.id, u.stationId));
    if (!s) throw validation('所属站点不存在');
    if (!s.active) throw validation('所属站点已停用');
    if (u.districtCode) throw validation('站点人员的辖区由所属站点决定，请勿指定旗县区');
  } else {
    if (u.stationId) throw validation('只有站点工作人员和站长可以指定所属站点');
    if (u.role === 'admin' && u.districtCode) throw validation('系统管理员为全市范围，请勿指定旗县区');
    if (u.districtCode) await requireActiveDistrict(tx, u.districtCode);
  }
}

export async function listUsers(app: FastifyInstance, q: Paging & { q?: string; role?: Role; stationId?: string; districtCode?: string; active?: boolean }) {
  const p = pageOf(q);
  const where = and(
    q.q ? or(ilike(users.username, like(q.q)), ilike(users.name, like(q.q))) : undefined,
    q.role ? eq(users.role, q.role) : undefined,
    q.stationId ? eq(users.stationId, q.stationId) : undefined,
    q.districtCode ? eq(users.districtCode, q.districtCode) : undefined,
    q.active === undefined ? undefined : eq(users.active, q.active),
  );
  return paged(
    app.db.db.select(userColumns).from(users).where(where).orderBy(asc(users.username)).limit(p.limit).offset(p.offset),
    app.db.db.select({ n: count() }).from(users).where(where),
    p,
  );
}

function requirePolicy(password: string) {
  const policy = checkPasswordPolicy(password);
  if (!policy.ok) throw validation(policy.message);
}

export async function createUser(app: FastifyInstance, req: FastifyRequest, body: UserInput) {
  requirePolicy(body.password);
  const passwordHash = await hashPassword(body.password);
  const { password: _p, ...rest } = body;
  return auditedWrite(
    app,
    req,
    { action: 'user.create', targetType: 'user', duplicate: `用户名 ${body.username} 已存在` },
    async (tx) => {
      await checkUserPlacement(tx, body);
      const [row] = await tx
        .insert(users)
        .values({ ...rest, passwordHash, mustChangePassword: true })
        .returning(userColumns);
      return row as NonNullable<typeof row>;
    },
    rest,
  );
}

export async function updateUser(app: FastifyInstance, req: FastifyRequest, id: string, body: Partial<Omit<UserInput, 'password' | 'username'>>) {
  if (req.staff?.id === id && (body.active === false || (body.role !== undefined && body.role !== 'admin'))) {
    throw conflict('不能停用自己或取消自己的管理员角色');
  }
  return auditedWrite(
    app,
    req,
    { action: 'user.update', targetType: 'user', duplicate: '用户已存在' },
    async (tx) => {
      const [current] = await tx.select().from(users).where(eq(users.id, id)).for('update');
      if (!current) throw notFound('用户');
      const merged = {
        role: body.role ?? current.role,
        stationId: body.stationId === undefined ? current.stationId : body.stationId,
        districtCode: body.districtCode === undefined ? current.districtCode : body.districtCode,
      };
      if (merged.role !== 'staff' && merged.role !== 'station_lead' && body.stationId === undefined) merged.stationId = null;
      if ((merged.role === 'staff' || merged.role === 'station_lead') && body.districtCode === undefined) merged.districtCode = null;
      // Checked when the placement changes or the account comes back: the users of a station that has
      // since been closed can still be renamed and deactivated.
      const placementChanges = body.role !== undefined || body.stationId !== undefined || body.districtCode !== undefined;
      if (placementChanges || (body.active === true && !current.active)) await checkUserPlacement(tx, merged);
      const [row] = await tx
        .update(users)
        .set({ ...body, ...merged, updatedAt: new Date() })
        .where(eq(users.id, id))
        .returning(userColumns);
      if (body.active === false)
        await tx
          .update(refreshTokens)
          .set({ revokedAt: new Date() })
          .where(and(eq(refreshTokens.userId, id), isNull(refreshTokens.revokedAt)));
      return row as NonNullable<typeof row>;
    },
    { ...body },
  );
}

export async function resetPassword(app: FastifyInstance, req: FastifyRequest, id: string, password: string) {
  requirePolicy(password);
  const passwordHash = await hashPassword(password);
  return auditedWrite(app, req, { action: 'user.reset_password', targetType: 'user', duplicate: '' }, async (tx) => {
    const [row] = await tx
      .update(users)
      .set({ passwordHash, mustChangePassword: true, failedLogins: 0, lockedUntil: null, updatedAt: new Date() })
      .where(eq(users.id, id))
      .returning(userColumns);
    if (!row) throw notFound('用户');
    await tx
      .update(refreshTokens)
      .set({ revokedAt: new Date() })
      .where(and(eq(refreshTokens.userId, id), isNull(refreshTokens.revokedAt)));
    return row;
  });
}

export async function unlockUser(app: FastifyInstance, req: FastifyRequest, id: string) {
  return auditedWrite(app, req, { action: 'user.unlock', targetType: 'user', duplicate: '' }, async (tx) => {
    const [row] = await tx.update(users).set({ failedLogins: 0, lockedUntil: null, updatedAt: new Date() }).where(eq(users.id, id)).returning(userColumns);
    if (!row) throw notFound('用户');
    return row;
  });
}

// ── audit log ──────────────────────────────────────────────────────────────────────────────

export function auditWhere(q: {
  actorId?: string;
  action?: string;
  targetType?: string;
  targetId?: string;
  success?: boolean;
  from?: string;
  to?: string;
  q?: string;
}): SQL | undefined {
  return and(
    q.actorId ? sql`actor_id = ${q.actorId}` : undefined,
    q.action ? sql`action like ${`${q.action.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}` : undefined,
    q.targetType ? sql`target_type = ${q.targetType}` : undefined,
    q.targetId ? sql`target_id = ${q.targetId}` : undefined,
    q.success === undefined ? undefined : sql`success = ${q.success}`,
    // Through the column, so the Date is serialised the same way on both drivers.
    q.from ? gte(auditLogs.createdAt, new Date(q.from)) : undefined,
    q.to ? lt(auditLogs.createdAt, new Date(q.to)) : undefined,
    q.q ? sql`(actor_name ilike ${like(q.q)} or ip ilike ${like(q.q)} or target_id ilike ${like(q.q)})` : undefined,
  );
}

/** Times PostgreSQL can store: a parseable instant from year 1 on (year 0000 passes the format check). */
export function assertValidDates(...values: (string | undefined)[]) {
  for (const v of values) {
    if (v === undefined) continue;
    const t = Date.parse(v);
    if (Number.isNaN(t) || new Date(t).getUTCFullYear() < 1) throw new AppError('VALIDATION_FAILED', `时间格式不正确：${v}`);
  }
}

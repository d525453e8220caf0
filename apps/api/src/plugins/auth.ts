/**
 * Who is calling, and may they. Each route declares `config.auth` ('public' | 'staff' | 'enterprise',
 * default 'staff') and, for staff, `config.roles`. Staff and enterprise tokens carry a `kind` claim:
 * neither opens the other's endpoints. The staff user is checked on every request so that a
 * deactivated, locked or must-change-password account stops at once (kept in memory only until a change: staffRows).
 */
import jwt from '@fastify/jwt';
import type { Role, SessionUser, StationType } from '@ys/shared';
import { sql } from 'drizzle-orm';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors.ts';

export type AuthMode = 'public' | 'staff' | 'enterprise';

export interface StaffUser extends SessionUser {
  /**
   * The user's station, read with the user (one query per request, not two); undefined when the caller built
   * the user without it (then staffContext reads it).
   */
  station?: { id: string; type: StationType; districtCode: string; name: string } | null;
  /** The address this request came from (audit rows record it). */
  ip?: string;
}

export interface EnterpriseUser {
  accountId: string;
  sessionId: string;
  phone: string | null;
  channel: 'qr' | 'h5' | 'mp';
}

export type TokenPayload = { kind: 'staff'; sub: string; role: Role } | { kind: 'enterprise'; sub: string; sid: string; ch: EnterpriseUser['channel'] };

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthMode;
    roles?: readonly Role[];
    /** Reachable while the user must still change the password (only /auth/password, /auth/me, /auth/logout). */
    allowPendingPasswordChange?: boolean;
  }
  interface FastifyRequest {
    staff?: StaffUser;
    enterprise?: EnterpriseUser;
  }
  interface FastifyInstance {
    signToken(payload: TokenPayload, expiresInSeconds: number): string;
    /** Users or stations changed here: the staff rows kept in memory are dropped (call it once the change commits). */
    staffChanged(): void;
  }
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: TokenPayload;
    user: TokenPayload;
  }
}

function bearer(request: FastifyRequest): string | null {
  const h = request.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m?.[1] ?? null;
}

export const unauthenticated = (message = '请先登录') => new AppError('UNAUTHENTICATED', message);

/** An enterprise's session, live (not revoked, not expired), with the account's phone; the session id last. */
const ENTERPRISE_READ = sql.raw(`select s.id, s.account_id as "accountId", a.phone from enterprise_sessions s
  join enterprise_accounts a on a.id = s.account_id where s.revoked_at is null and s.expires_at > now() and s.id =`);

/** The staff user and the user's station, as the hook reads them on every request. */
type StaffRow = Omit<StaffUser, 'station' | 'ip'> & {
  active: boolean;
  /** locked_until in epoch milliseconds, 0 when not locked (compared with the clock at each request) */
  lockedUntilMs: number;
  stationRowId: string | null;
  stationType: StationType | null;
  stationDistrictCode: string | null;
  stationName: string | null;
};

/** Its statement as one piece of text (every request runs it: nothing for the query builder to assemble), the id last. */
const STAFF_READ = sql.raw(`select u.id, u.username, u.name, u.role, u.station_id as "stationId", u.district_code as "districtCode",
  u.must_change_password as "mustChangePassword", u.active, coalesce(extract(epoch from u.locked_until) * 1000, 0)::float8 as "lockedUntilMs", s.id as "stationRowId",
  s.type as "stationType", s.district_code as "stationDistrictCode", s.name as "stationName"
  from users u left join stations s on s.id = u.station_id where u.id =`);

/** The staff rows the hook reads: `forget` drops what is kept, for a change of users or stations made here. */
interface StaffRows {
  read(id: string): Promise<StaffRow | undefined>;
  forget(): void;
}

/**
 * The staff row of a request, kept in memory and dropped whenever users or stations change: the trigger of
 * drizzle/0011 notifies `staff_changed` when a statement that changes them commits, and this instance's own
 * changes drop the rows at once as well (`app.staffChanged`, called by those writes). A row read while a change
 * went by is not kept.
 * - PGlite: kept until a change. Only this process opens the data dir, and PGlite hands the notification back in
 *   the answer to the committing statement: the rows are dropped before the writer goes on.
 * - PostgreSQL: another instance's change arrives with its notification, milliseconds after its commit, on a
 *   connection of its own. A row is kept at most STAFF_CACHE_SECONDS (5) all the same: for a notification lost
 *   while that connection was down (everything is dropped when it listens again), or one that never comes (a
 *   pooler in transaction mode drops LISTEN). STAFF_CACHE_SECONDS=0 reads the row on every request.
 */
async function staffRows(app: FastifyInstance): Promise<StaffRows> {
  const database = app.db;
  const read = async (id: string) => (await database.rows<StaffRow>(sql`${STAFF_READ} ${id}`))[0];
  const keepMs = database.kind === 'pglite' ? Number.POSITIVE_INFINITY : app.config.staffCacheSeconds * 1000;
  const uncached: StaffRows = { read, forget: () => {} };
  if (keepMs <= 0) return uncached;
  const kept = new Map<string, { row: StaffRow | undefined; until: number }>();
  let changes = 0;
  const forget = () => {
    changes += 1;
    kept.clear();
  };
  let unlisten: () => Promise<void>;
  try {
    unlisten = await database.listen('staff_changed', forget, forget);
  } catch (err) {
    app.log.warn({ err }, 'staff_changed: cannot listen; staff rows are read on every request');
    return uncached;
  }
  // Several apps may share one database (tests): each stops listening when it closes.
  app.addHook('onClose', async () => {
    await unlisten().catch(() => {});
  });
  return {
    forget,
    read: async (id) => {
      const now = Date.now();
      const hit = kept.get(id);
      if (hit && hit.until > now) return hit.row;
      const before = changes;
      const row = await read(id);
      if (changes === before) {
        if (kept.size >= 10_000) kept.clear();
        kept.set(id, { row, until: now + keepMs });
      }
      return row;
    },
  };
}

export default fp(
  async function auth(app: FastifyInstance) {
    const { config } = app;
    await app.register(jwt, { secret: config.jwtSecret, sign: { algorithm: 'HS256' }, verify: { algorithms: ['HS256'] } });

    const kept = await staffRows(app);
    app.decorate('staffChanged', kept.forget);

    app.decorate('signToken', (payload: TokenPayload, expiresInSeconds: number) => app.jwt.sign(payload, { expiresIn: expiresInSeconds }));

    function verify(token: string): TokenPayload {
      try {
        return app.jwt.verify<TokenPayload>(token);
      } catch (err) {
        // A rotated secret: tokens signed with the previous one stay valid until they expire.
        if (config.jwtPreviousSecret && (err as { code?: string }).code === 'FAST_JWT_INVALID_SIGNATURE') {
          try {
            return app.jwt.verify<TokenPayload>(token, { key: config.jwtPreviousSecret });
          } catch {
            /* fall through */
          }
        }
        throw unauthenticated((err as { code?: string }).code?.includes('EXPIRED') ? '登录已过期，请重新登录' : '登录凭证无效，请重新登录');
      }
    }

    // onRequest: who is calling is settled before the body is read or validated (401 before 400).
    app.addHook('onRequest', async (request) => {
      const cfg = request.routeOptions.config;
      // Secure by default under /api; static files and the SPA shells outside it are public.
      const mode: AuthMode = cfg.auth ?? (request.routeOptions.url?.startsWith('/api/') ? 'staff' : 'public');
      if (mode === 'public' || request.is404) return;
      const token = bearer(request);
      if (!token) throw unauthenticated();
      const payload = verify(token);

      if (mode === 'enterprise') {
        if (payload.kind !== 'enterprise') throw unauthenticated('请使用企业身份登录');
        const [row] = await app.db.rows<{ id: string; accountId: string; phone: string | null }>(sql`${ENTERPRISE_READ} ${payload.sid}`);
        if (!row || row.accountId !== payload.sub) throw unauthenticated('登录已失效，请重新验证手机号');
        request.enterprise = { accountId: row.accountId, sessionId: row.id, phone: row.phone, channel: payload.ch };
        return;
      }

      if (payload.kind !== 'staff') throw unauthenticated('请使用工作人员账号登录');
      const user = await kept.read(payload.sub);
      if (!user?.active) throw unauthenticated('账号已停用');
      if (user.lockedUntilMs > Date.now()) throw new AppError('ACCOUNT_LOCKED', '账号已锁定，请稍后再试或联系管理员解锁');
      if (user.mustChangePassword && !cfg.allowPendingPasswordChange) {
        throw new AppError('PASSWORD_CHANGE_REQUIRED', '首次登录或密码已被重置，请先修改密码');
      }
      if (cfg.roles && !cfg.roles.includes(user.role)) throw new AppError('FORBIDDEN', '当前角色无权执行此操作');
      const { active: _a, lockedUntilMs: _l, stationRowId, stationType, stationDistrictCode, stationName, ...staff } = user;
      const station =
        stationRowId && stationType && stationDistrictCode && stationName !== null
          ? { id: stationRowId, type: stationType, districtCode: stationDistrictCode, name: stationName }
          : null;
      request.staff = { ...staff, station, ip: request.ip };
    });
  },
  { name: 'auth', dependencies: ['db'] },
);

/** The staff user of a route whose config is auth 'staff' (the hook has already checked it). */
export function staffOf(request: FastifyRequest): StaffUser {
  if (!request.staff) throw unauthenticated();
  return request.staff;
}

export function enterpriseOf(request: FastifyRequest): EnterpriseUser {
  if (!request.enterprise) throw unauthenticated();
  return request.enterprise;
}

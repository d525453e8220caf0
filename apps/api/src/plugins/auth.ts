/**
 * Who is calling, and may they. Each route declares `config.auth` ('public' | 'staff' | 'enterprise',
 * default 'staff') and, for staff, `config.roles`. Staff and enterprise tokens carry a `kind` claim:
 * neither opens the other's endpoints. The staff user is checked on every request so that a
 * deactivated, locked or must-change-password account stops at once (re-read, or on PGlite kept until it changes).
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

/**
 * The staff row of a request. On PGlite the rows are kept in memory: only this process opens the data dir, so every
 * change to users or stations is a statement of this process, and the trigger of drizzle/0011 signals it in the answer
 * to the statement that commits it — the rows are dropped before the caller of that write goes on. A row read while a
 * change went by is not kept. On PostgreSQL another instance may change a row at any moment: the row is read each time.
 */
async function staffRowReader(app: FastifyInstance): Promise<(id: string) => Promise<StaffRow | undefined>> {
  const database = app.db;
  const read = async (id: string) => (await database.rows<StaffRow>(sql`${STAFF_READ} ${id}`))[0];
  const client = database.kind === 'pglite' ? database.pglite : undefined;
  if (!client) return read;
  const kept = new Map<string, StaffRow | undefined>();
  let changes = 0;
  const unlisten = await client.listen('staff_changed', () => {
    changes += 1;
    kept.clear();
  });
  // Several apps may share one database (tests): each stops listening when it closes (a database closed first has stopped).
  app.addHook('onClose', async () => {
    if (!client.closed) await unlisten().catch(() => {});
  });
  return async (id) => {
    if (kept.has(id)) return kept.get(id);
    const before = changes;
    const row = await read(id);
    if (changes === before) {
      if (kept.size >= 10_000) kept.clear();
      kept.set(id, row);
    }
    return row;
  };
}

export default fp(
  async function auth(app: FastifyInstance) {
    const { config } = app;
    await app.register(jwt, { secret: config.jwtSecret, sign: { algorithm: 'HS256' }, verify: { algorithms: ['HS256'] } });

    const staffRow = await staffRowReader(app);

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
      const user = await staffRow(payload.sub);
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

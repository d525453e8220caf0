import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { enterpriseToken, submit } from './fixtures.ts';
import { build, refreshCookie, type TestApp } from './helper.ts';

let t: TestApp;
beforeAll(async () => {
  t = await build();
});
afterAll(() => t.close());

const login = (username: string, password: string, ip = '10.0.0.1') =>
  t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password }, remoteAddress: ip });

describe('staff sign-in', () => {
  it('signs in with the right password and answers me', async () => {
    const res = await login('admin', 'Admin@2025');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.user).toMatchObject({ username: 'admin', role: 'admin', mustChangePassword: false });
    const cookie = res.cookies.find((c) => c.name === 'ys_rt');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/auth' });
    const me = await t.as(body.accessToken, { method: 'GET', url: '/api/auth/me' });
    expect(me.statusCode).toBe(200);
    expect(me.json().username).toBe('admin');
  });

  it('answers a wrong password and an unknown user alike with 401', async () => {
    const wrong = await login('center', 'Wrong@2025');
    const unknown = await login('nobody-here', 'Wrong@2025');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
  });

  it('locks an account after five wrong passwords, even for the right one, until an admin unlocks it', async () => {
    for (let i = 0; i < 4; i++) expect((await login('kd_legal', 'Nope@12345')).statusCode).toBe(401);
    const fifth = await login('kd_legal', 'Nope@12345');
    expect(fifth.statusCode).toBe(423);
    expect(fifth.json().error.code).toBe('ACCOUNT_LOCKED');
    expect((await login('kd_legal', 'Legal@2025')).statusCode).toBe(423);

    const admin = await t.login('admin');
    const users = await t.as(admin, { method: 'GET', url: '/api/admin/users?q=kd_legal' });
    const id = users.json().items[0].id;
    expect(users.json().items[0].lockedUntil).not.toBeNull();
    expect((await t.as(admin, { method: 'POST', url: `/api/admin/users/${id}/unlock` })).statusCode).toBe(200);
    expect((await login('kd_legal', 'Legal@2025')).statusCode).toBe(200);
  });

  it('does not reveal an unknown username through the lock', async () => {
    for (let i = 0; i < 5; i++) await login('ghost-user', 'Nope@12345');
    const res = await login('ghost-user', 'Nope@12345');
    expect(res.statusCode).toBe(423);
  });

  it('writes every sign-in attempt to the audit log with the IP', async () => {
    await login('center', 'Bad@123456', '10.9.8.7');
    const admin = await t.login('admin');
    const res = await t.as(admin, { method: 'GET', url: '/api/admin/audit-logs?action=auth.login&success=false' });
    const row = res.json().items.find((r: { ip: string }) => r.ip === '10.9.8.7');
    expect(row).toMatchObject({ action: 'auth.login', success: false, actorName: 'center' });
  });
});

describe('refresh tokens', () => {
  it('rotates the token and revokes the family when an old one is reused', async () => {
    const first = await login('center', 'Center@2025');
    const c1 = refreshCookie(first);
    const second = await t.app.inject({ method: 'POST', url: '/api/auth/refresh', headers: { cookie: c1 } });
    expect(second.statusCode).toBe(200);
    const c2 = refreshCookie(second);
    expect(c2).not.toBe(c1);

    const reuse = await t.app.inject({ method: 'POST', url: '/api/auth/refresh', headers: { cookie: c1 } });
    expect(reuse.statusCode).toBe(401);
    // The thief's reuse also ends the legitimate holder's newer token.
    const after = await t.app.inject({ method: 'POST', url: '/api/auth/refresh', headers: { cookie: c2 } });
    expect(after.statusCode).toBe(401);
  });

  it('ends the session on logout', async () => {
    const res = await login('leader', 'Leader@2025');
    const c = refreshCookie(res);
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie: c } })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/refresh', headers: { cookie: c } })).statusCode).toBe(401);
  });

  it('answers 401 without a cookie', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/auth/refresh' });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('UNAUTHENTICATED');
  });
});

describe('passwords', () => {
  it('forces a changed password for an admin-created user before anything else', async () => {
    const admin = await t.login('admin');
    const created = await t.as(admin, {
      method: 'POST',
      url: '/api/admin/users',
      payload: { username: 'newbie', name: '新人', password: 'Start@2025', role: 'leader' },
    });
    expect(created.statusCode).toBe(201);
    const res = await login('newbie', 'Start@2025');
    expect(res.json().user.mustChangePassword).toBe(true);
    const token = res.json().accessToken;
    const blocked = await t.as(token, { method: 'GET', url: '/api/dicts' });
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().error.code).toBe('PASSWORD_CHANGE_REQUIRED');
    expect((await t.as(token, { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(200);

    const weak = await t.as(token, { method: 'POST', url: '/api/auth/password', payload: { oldPassword: 'Start@2025', newPassword: 'abcdefgh' } });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().error.message).toContain('大写字母');
    const changed = await t.as(token, { method: 'POST', url: '/api/auth/password', payload: { oldPassword: 'Start@2025', newPassword: 'Better#2026' } });
    expect(changed.statusCode).toBe(200);
    expect(changed.json().user.mustChangePassword).toBe(false);
    expect((await t.as(changed.json().accessToken, { method: 'GET', url: '/api/dicts' })).statusCode).toBe(200);
  });

  it('rejects a wrong old password', async () => {
    const token = await t.login('jy_legal');
    const res = await t.as(token, { method: 'POST', url: '/api/auth/password', payload: { oldPassword: 'nope', newPassword: 'Better#2026' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toBe('原密码不正确');
  });

  it('says which character classes a short or plain password lacks', async () => {
    const admin = await t.login('admin');
    const short = await t.as(admin, { method: 'POST', url: '/api/admin/users', payload: { username: 'pw1', name: 'x', password: 'Ab1!', role: 'leader' } });
    expect(short.json().error.message).toContain('至少 8 位');
    const plain = await t.as(admin, {
      method: 'POST',
      url: '/api/admin/users',
      payload: { username: 'pw2', name: 'x', password: 'abcdefgh1', role: 'leader' },
    });
    expect(plain.statusCode).toBe(400);
    expect(plain.json().error.message).toMatch(/缺少.*大写字母/);
  });
});

describe('tokens', () => {
  it('refuses a missing, malformed or forged bearer token', async () => {
    expect((await t.as(null, { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
    expect((await t.as('not-a-jwt', { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
    const forged = t.app.jwt.sign({ kind: 'staff', sub: '00000000-0000-0000-0000-000000000000', role: 'admin' }, { key: 'x'.repeat(40) });
    expect((await t.as(forged, { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
  });
});

describe('a signed-in user, changed', () => {
  const me = (token: string) => t.as(token, { method: 'GET', url: '/api/auth/me' });
  const pool = async (token: string) =>
    (await t.as(token, { method: 'GET', url: '/api/tickets?view=pool&limit=100' })).json().items.map((i: { no: string }) => i.no);

  // On PGlite every change is a statement of this process, and is seen by the very next request. On PostgreSQL a
  // change through the API is seen so too; a statement of another connection (another instance) is seen once its
  // staff_changed notification arrives, milliseconds later.
  const seen = async <T>(read: () => Promise<T>, expected: T) => {
    if (t.database.kind === 'pglite') expect(await read()).toEqual(expected);
    else await expect.poll(read, { timeout: 1500, interval: 10 }).toEqual(expected);
  };

  it('is seen changed by the next request, whether the API or a statement made the change', async () => {
    const token = await t.login('jy_court');
    const userId = (await me(token)).json().id as string;
    expect((await me(token)).json().name).not.toBe('改名后');

    await t.database.rows(sql`update users set name = '改名后' where id = ${userId}`);
    await seen(async () => (await me(token)).json().name, '改名后');

    await t.database.rows(sql`update users set locked_until = now() + interval '10 minutes' where id = ${userId}`);
    await seen(async () => (await me(token)).json().error?.code, 'ACCOUNT_LOCKED');
    await t.database.rows(sql`update users set locked_until = null where id = ${userId}`);
    await seen(async () => (await me(token)).statusCode, 200);

    const admin = await t.login('admin');
    const patch = (active: boolean) => t.as(admin, { method: 'PATCH', url: `/api/admin/users/${userId}`, payload: { active } });
    expect((await patch(false)).statusCode).toBe(200);
    expect((await me(token)).json().error.message).toBe('账号已停用');
    expect((await patch(true)).statusCode).toBe(200);
    expect((await me(token)).statusCode).toBe(200);

    // The user's station moves to another district: the court pool of its old district is no longer its pool.
    const ent = await enterpriseToken(t);
    const { no } = await submit(t, ent, { stationCode: 'jy-legal', categoryCode: 'case_progress', districtCode: '150207' });
    expect(await pool(token)).toContain(no);
    await t.database.rows(sql`update stations set district_code = '150203' where code = 'jy-court'`);
    await seen(async () => (await pool(token)).includes(no), false);
    await t.database.rows(sql`update stations set district_code = '150207' where code = 'jy-court'`);
    await seen(async () => (await pool(token)).includes(no), true);
  });

  it('answers a changed password at once: the must-change flag kept in memory is dropped with it', async () => {
    const admin = await t.login('admin');
    const [row] = await t.database.rows<{ id: string }>(sql`select id from users where username = 'kd_legal'`);
    const reset = await t.as(admin, { method: 'POST', url: `/api/admin/users/${row!.id}/reset-password`, payload: { password: 'Reset@2025x' } });
    expect(reset.statusCode).toBe(200);
    const token = await t.login('kd_legal', 'Reset@2025x');
    expect((await me(token)).json().mustChangePassword).toBe(true);
    expect((await t.as(token, { method: 'GET', url: '/api/tickets?view=pool' })).json().error.code).toBe('PASSWORD_CHANGE_REQUIRED');
    const changed = await t.as(token, { method: 'POST', url: '/api/auth/password', payload: { oldPassword: 'Reset@2025x', newPassword: 'Changed@2025x' } });
    expect(changed.statusCode).toBe(200);
    expect((await t.as(token, { method: 'GET', url: '/api/tickets?view=pool' })).statusCode).toBe(200);
  });
});

describe.skipIf(inject('testDb') !== 'pg')('staff rows kept in memory on PostgreSQL', () => {
  // A change that no trigger announces (replica mode skips them): only the bound ends the row kept.
  const lockSilently = (app: TestApp) =>
    app.database.db.transaction(async (tx) => {
      await tx.execute(sql`set local session_replication_role = replica`);
      await tx.execute(sql`update users set locked_until = now() + interval '10 minutes' where username = 'jy_court'`);
    });
  const status = async (app: TestApp, token: string) => {
    const res = await app.as(token, { method: 'GET', url: '/api/tickets?view=pool' });
    return res.statusCode === 200 ? 200 : res.json().error.code;
  };

  /** An app of its own with this bound, signed in as jy_court, given to `run` after the sign-in's own notification has passed. */
  const signedIn = async (seconds: string, run: (app: TestApp, token: string) => Promise<void>) => {
    const app = await build({ STAFF_CACHE_SECONDS: seconds });
    try {
      const token = await app.login('jy_court');
      // The sign-in's own notification (it wrote the user's last login) drops the rows when it arrives: let it pass.
      await new Promise((r) => setTimeout(r, 300));
      await run(app, token);
    } finally {
      await app.close();
    }
  };

  it('keeps a row at most STAFF_CACHE_SECONDS when no notification comes', () =>
    signedIn('1', async (app, token) => {
      expect(await status(app, token)).toBe(200);
      await lockSilently(app);
      expect(await status(app, token)).toBe(200);
      await new Promise((r) => setTimeout(r, 1100));
      expect(await status(app, token)).toBe('ACCOUNT_LOCKED');
    }));

  it('drops the rows it keeps when its listening connection is made again: a notification may have been lost meanwhile', () =>
    signedIn('60', async (app, token) => {
      expect(await status(app, token)).toBe(200);
      await lockSilently(app);
      expect(await status(app, token)).toBe(200); // kept: nothing announced the change, and the bound is a minute away
      // The listening connections of this database go (a restart, a network cut); postgres.js makes them again and listens.
      await app.database.rows(
        sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and query ilike 'listen%'`,
      );
      await expect.poll(() => status(app, token), { timeout: 5000, interval: 50 }).toBe('ACCOUNT_LOCKED');
    }));

  it('reads the row on every request with STAFF_CACHE_SECONDS=0', () =>
    signedIn('0', async (app, token) => {
      expect(await status(app, token)).toBe(200);
      await lockSilently(app);
      expect(await status(app, token)).toBe('ACCOUNT_LOCKED');
    }));
});

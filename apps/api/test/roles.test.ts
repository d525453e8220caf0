/**
 * The role guard (DESIGN §1, §6): every admin endpoint answers 401 to nobody, 403 to every role but
 * admin, and works for the admin; tokens of the other kind, of a deactivated, locked or not-yet-changed
 * account, expired or forged, open nothing.
 */
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, type TestApp } from './helper.ts';

let t: TestApp;
const tokens: Record<string, string> = {};
let stationId: string;
let userId: string;

beforeAll(async () => {
  t = await build();
  for (const [role, username] of [
    ['admin', 'admin'],
    ['dispatcher', 'center'],
    ['district dispatcher', 'jy_center'],
    ['leader', 'leader'],
    ['station_lead', 'jy_court'],
    ['staff', 'kd_court'],
  ]) {
    tokens[role as string] = await t.login(username as string);
  }
  const stations = await t.as(tokens.admin as string, { method: 'GET', url: '/api/admin/stations?q=jy-legal' });
  stationId = stations.json().items[0].id;
  const users = await t.as(tokens.admin as string, { method: 'GET', url: '/api/admin/users?q=qs_police' });
  userId = users.json().items[0].id;
});
afterAll(() => t.close());

let seq = 0;
/** Every admin endpoint with a request the admin may make; a fresh code each time, so it can repeat. */
function adminRequests(): [string, InjectOptions][] {
  seq++;
  const code = `1502${String(60 + seq).padStart(2, '0')}`;
  const date = `2035-01-${String(seq).padStart(2, '0')}`;
  const r = (method: InjectOptions['method'], url: string, payload?: object): [string, InjectOptions] => [
    `${method} ${url.replace(/\/[0-9a-f-]{36}/, '/:id')}`,
    { method, url, ...(payload ? { payload } : {}) },
  ];
  return [
    r('GET', '/api/admin/districts'),
    r('POST', '/api/admin/districts', { code, name: `新区${seq}` }),
    r('PATCH', '/api/admin/districts/150202', { name: '东河区' }),
    r('GET', '/api/admin/stations'),
    r('GET', `/api/admin/stations/${stationId}`),
    r('POST', '/api/admin/stations', { code: `role-st-${seq}`, name: '新站', type: 'court', agencyName: '某法院', districtCode: '150207' }),
    r('PATCH', `/api/admin/stations/${stationId}`, { phone: '0472-7140007' }),
    r('GET', `/api/admin/stations/${stationId}/qrcode?format=svg`),
    r('GET', '/api/admin/categories'),
    r('POST', '/api/admin/categories', { code: `role_cat_${seq}`, name: '新类别', stationType: null, claimHours: 24, resolveDays: 5 }),
    r('PATCH', '/api/admin/categories/other', { resolveDays: 10 }),
    r('GET', '/api/admin/holidays'),
    r('POST', '/api/admin/holidays', { date, kind: 'off', name: '测试假日' }),
    r('PATCH', `/api/admin/holidays/${date}`, { name: '测试假日二' }),
    r('DELETE', `/api/admin/holidays/${date}`),
    r('GET', '/api/admin/users'),
    r('POST', '/api/admin/users', { username: `role_user_${seq}`, name: '新用户', password: 'Start@2025', role: 'leader' }),
    r('PATCH', `/api/admin/users/${userId}`, { name: '周警官' }),
    r('POST', `/api/admin/users/${userId}/reset-password`, { password: 'Police#2026' }),
    r('POST', `/api/admin/users/${userId}/unlock`),
    r('GET', '/api/admin/audit-logs'),
  ];
}

describe('admin endpoints', () => {
  it('answer 401 UNAUTHENTICATED to a caller without a token', async () => {
    for (const [label, req] of adminRequests()) {
      const res = await t.as(null, req);
      expect(res.statusCode, label).toBe(401);
      expect(res.json().error.code, label).toBe('UNAUTHENTICATED');
    }
  });

  for (const role of ['dispatcher', 'district dispatcher', 'leader', 'station_lead', 'staff']) {
    it(`answer 403 FORBIDDEN to a ${role}, and change nothing`, async () => {
      for (const [label, req] of adminRequests()) {
        const res = await t.as(tokens[role] as string, req);
        expect(res.statusCode, label).toBe(403);
        expect(res.json().error).toEqual({ code: 'FORBIDDEN', message: '当前角色无权执行此操作' });
      }
      const admin = tokens.admin as string;
      expect((await t.as(admin, { method: 'GET', url: `/api/admin/districts?q=新区${seq}` })).json().total).toBe(0);
      expect((await t.as(admin, { method: 'GET', url: `/api/admin/users?q=role_user_${seq}` })).json().total).toBe(0);
    });
  }

  it('work for the admin', async () => {
    for (const [label, req] of adminRequests()) {
      const res = await t.as(tokens.admin as string, req);
      expect(res.statusCode, `${label}: ${res.body}`).toBeGreaterThanOrEqual(200);
      expect(res.statusCode, `${label}: ${res.body}`).toBeLessThan(300);
    }
  });

  it('settle who is calling before looking at the body', async () => {
    const garbage = { method: 'POST' as const, url: '/api/admin/districts', payload: '{"broken":', headers: { 'content-type': 'application/json' } };
    expect((await t.as(null, garbage)).statusCode).toBe(401);
    expect((await t.as(tokens.staff as string, garbage)).statusCode).toBe(403);
    expect((await t.as(tokens.admin as string, garbage)).statusCode).toBe(400);
  });
});

describe('staff endpoints', () => {
  it('answer every staff role and refuse a caller without a token', async () => {
    for (const role of Object.keys(tokens)) {
      expect((await t.as(tokens[role] as string, { method: 'GET', url: '/api/dicts' })).statusCode, role).toBe(200);
      expect((await t.as(tokens[role] as string, { method: 'GET', url: '/api/auth/me' })).statusCode, role).toBe(200);
    }
    expect((await t.as(null, { method: 'GET', url: '/api/dicts' })).statusCode).toBe(401);
  });

  it('refuse an enterprise token, even a validly signed one', async () => {
    const enterprise = t.app.signToken(
      { kind: 'enterprise', sub: '00000000-0000-4000-8000-000000000001', sid: '00000000-0000-4000-8000-000000000002', ch: 'qr' },
      60,
    );
    for (const url of ['/api/dicts', '/api/auth/me', '/api/admin/users', '/api/tickets']) {
      const res = await t.as(enterprise, { method: 'GET', url });
      expect(res.statusCode, url).toBe(401);
      expect(res.json().error.code, url).toBe('UNAUTHENTICATED');
    }
  });

  it('and the enterprise endpoints refuse a staff token', async () => {
    const res = await t.as(tokens.admin as string, { method: 'GET', url: '/api/public/tickets' });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('UNAUTHENTICATED');
  });
});

describe('tokens', () => {
  it('take the role from the account, not from the token', async () => {
    const me = (await t.as(tokens.staff as string, { method: 'GET', url: '/api/auth/me' })).json();
    const claimsAdmin = t.app.signToken({ kind: 'staff', sub: me.id, role: 'admin' }, 60);
    expect((await t.as(claimsAdmin, { method: 'GET', url: '/api/admin/users' })).statusCode).toBe(403);
  });

  it('stop working at once when the account is deactivated', async () => {
    const admin = tokens.admin as string;
    const created = await t.as(admin, {
      method: 'POST',
      url: '/api/admin/users',
      payload: { username: 'short_lived', name: '临时', password: 'Start@2025', role: 'dispatcher' },
    });
    const first = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'short_lived', password: 'Start@2025' } });
    const changed = await t.as(first.json().accessToken, {
      method: 'POST',
      url: '/api/auth/password',
      payload: { oldPassword: 'Start@2025', newPassword: 'Later#2026' },
    });
    const token = changed.json().accessToken;
    expect((await t.as(token, { method: 'GET', url: '/api/dicts' })).statusCode).toBe(200);

    await t.as(admin, { method: 'PATCH', url: `/api/admin/users/${created.json().id}`, payload: { active: false } });
    const res = await t.as(token, { method: 'GET', url: '/api/dicts' });
    expect(res.statusCode).toBe(401);
    expect(res.json().error).toEqual({ code: 'UNAUTHENTICATED', message: '账号已停用' });
  });

  it('answer 423 while the account is locked', async () => {
    const token = await t.login('kd_legal');
    for (let i = 0; i < 5; i++) await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'kd_legal', password: 'Wrong#2025' } });
    const res = await t.as(token, { method: 'GET', url: '/api/dicts' });
    expect(res.statusCode).toBe(423);
    expect(res.json().error.code).toBe('ACCOUNT_LOCKED');
  });

  it('of an admin who must still change the password open only the password change', async () => {
    const admin = tokens.admin as string;
    await t.as(admin, {
      method: 'POST',
      url: '/api/admin/users',
      payload: { username: 'second_admin', name: '管理员二', password: 'Start@2025', role: 'admin' },
    });
    const token = await t.login('second_admin', 'Start@2025');
    const res = await t.as(token, { method: 'GET', url: '/api/admin/users' });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('PASSWORD_CHANGE_REQUIRED');
    expect((await t.as(token, { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(200);
  });

  it('expire', async () => {
    const me = (await t.as(tokens.leader as string, { method: 'GET', url: '/api/auth/me' })).json();
    // Issued an hour ago for a minute.
    const issuedAt = { iat: Math.floor(Date.now() / 1000) - 3600 };
    const expired = t.app.jwt.sign({ kind: 'staff', sub: me.id, role: 'leader', ...issuedAt }, { expiresIn: 60 });
    const res = await t.as(expired, { method: 'GET', url: '/api/dicts' });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.message).toContain('过期');
  });

  it('are refused when signed with another secret or not signed at all, or naming no account', async () => {
    const me = (await t.as(tokens.leader as string, { method: 'GET', url: '/api/auth/me' })).json();
    const forged = t.app.jwt.sign({ kind: 'staff', sub: me.id, role: 'leader' }, { key: 'another-secret-another-secret-another-secret' });
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ kind: 'staff', sub: me.id, role: 'admin' })).toString('base64url');
    const nobody = t.app.signToken({ kind: 'staff', sub: '00000000-0000-4000-8000-000000000000', role: 'admin' }, 60);
    for (const token of [forged, `${header}.${body}.`, nobody, 'Bearer', '']) {
      expect((await t.as(token, { method: 'GET', url: '/api/dicts' })).statusCode).toBe(401);
    }
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/dicts', headers: { authorization: `Basic ${Buffer.from('admin:Admin@2025').toString('base64')}` } }))
        .statusCode,
    ).toBe(401);
  });

  it('signed with the previous secret stay valid while the secret is rotated', async () => {
    const oldSecret = t.config.jwtSecret;
    const rotated = await build({ JWT_SECRET: 'the-new-secret-of-at-least-32-characters!', JWT_SECRET_PREVIOUS: oldSecret });
    try {
      const me = (await t.as(tokens.leader as string, { method: 'GET', url: '/api/auth/me' })).json();
      // The same demo database: the account exists in the rotated app's copy too.
      const old = t.app.signToken({ kind: 'staff', sub: me.id, role: 'leader' }, 60);
      const res = await rotated.as(old, { method: 'GET', url: '/api/auth/me' });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().username).toBe('leader');
      const unrelated = t.app.jwt.sign({ kind: 'staff', sub: me.id, role: 'leader' }, { key: 'some-other-secret-some-other-secret-!!' });
      expect((await rotated.as(unrelated, { method: 'GET', url: '/api/auth/me' })).statusCode).toBe(401);
    } finally {
      await rotated.close();
    }
  });
});

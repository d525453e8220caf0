/**
 * Staff accounts (DESIGN §1, §6): who may be placed where, duplicates, deactivation, password resets and
 * unlocking — and the audit log every admin write leaves behind, readable but never writable.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, refreshCookie, type TestApp } from './helper.ts';

let t: TestApp;
let admin: string;
let adminId: string;
const station: Record<string, string> = {};

beforeAll(async () => {
  t = await build();
  admin = await t.login('admin');
  adminId = (await t.as(admin, { method: 'GET', url: '/api/auth/me' })).json().id;
  const res = await t.as(admin, { method: 'GET', url: '/api/admin/stations?pageSize=100' });
  for (const s of res.json().items) station[s.code] = s.id;
});
afterAll(() => t.close());

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
const IP = '10.20.30.40';
const api = (method: Method, url: string, payload?: unknown) =>
  t.as(admin, { method, url, remoteAddress: IP, ...(payload === undefined ? {} : { payload: payload as object }) });
const login = (username: string, password: string) => t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });

function expectError(res: LightMyRequestResponse, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.json().error.code).toBe(code);
  expect(res.json().error.message).toMatch(/[\u4e00-\u9fa5]/);
  return res.json().error.message as string;
}

const PASSWORD = 'Start@2025';
const user = (over: Record<string, unknown>) => ({ name: '测试用户', password: PASSWORD, ...over });

async function userId(username: string): Promise<string> {
  const res = await api('GET', `/api/admin/users?q=${username}`);
  const u = res.json().items.find((x: { username: string }) => x.username === username);
  if (!u) throw new Error(`no user ${username}`);
  return u.id;
}

describe('listing users', () => {
  it('lists the demo accounts a page at a time, without password hashes', async () => {
    const res = await api('GET', '/api/admin/users?pageSize=5');
    expect(res.json()).toMatchObject({ total: 12, page: 1, pageSize: 5 });
    expect(res.json().items).toHaveLength(5);
    expect(res.body).not.toMatch(/passwordHash|password_hash|\$argon2/);
  });

  it('filters by role, station, district, text and active', async () => {
    const leads = await api('GET', '/api/admin/users?role=station_lead');
    expect(
      leads
        .json()
        .items.map((u: { username: string }) => u.username)
        .sort(),
    ).toEqual(['jy_court', 'jy_legal', 'jy_police', 'jy_proc']);
    const atStation = await api('GET', `/api/admin/users?stationId=${station['kd-court']}`);
    expect(atStation.json().items.map((u: { username: string }) => u.username)).toEqual(['kd_court']);
    const inDistrict = await api('GET', '/api/admin/users?districtCode=150207');
    expect(inDistrict.json().items.map((u: { username: string }) => u.username)).toEqual(['jy_center']);
    const byName = await api('GET', `/api/admin/users?q=${encodeURIComponent('调度员')}`);
    expect(byName.json().total).toBe(2);
    expect((await api('GET', '/api/admin/users?active=false')).json().total).toBe(0);
  });

  it('refuses a malformed filter with 400', async () => {
    expectError(await api('GET', '/api/admin/users?role=enterprise'), 400, 'VALIDATION_FAILED');
    expectError(await api('GET', '/api/admin/users?stationId=kd-court'), 400, 'VALIDATION_FAILED');
    expectError(await api('GET', '/api/admin/users?districtCode=九原'), 400, 'VALIDATION_FAILED');
    expectError(await api('GET', '/api/admin/users?pageSize=101'), 400, 'VALIDATION_FAILED');
  });
});

describe('creating users', () => {
  it('creates a user of each role in a proper place, who must change the password first', async () => {
    const cases = [
      { username: 'u_staff', role: 'staff', stationId: station['jy-court'] },
      { username: 'u_lead', role: 'station_lead', stationId: station['dh-proc'] },
      { username: 'u_disp_city', role: 'dispatcher' },
      { username: 'u_disp_kd', role: 'dispatcher', districtCode: '150203' },
      { username: 'u_leader_city', role: 'leader', districtCode: null },
      { username: 'u_leader_qs', role: 'leader', districtCode: '150204', phone: '13900000001' },
      { username: 'u_admin', role: 'admin' },
    ];
    for (const c of cases) {
      const res = await api('POST', '/api/admin/users', user(c));
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({
        username: c.username,
        role: c.role,
        stationId: c.stationId ?? null,
        districtCode: c.districtCode ?? null,
        active: true,
        mustChangePassword: true,
      });
      expect(res.json()).not.toHaveProperty('password');
      expect(res.json()).not.toHaveProperty('passwordHash');
    }
    const first = await login('u_staff', PASSWORD);
    expect(first.json().user.mustChangePassword).toBe(true);
  });

  it('answers 409 CONFLICT for a duplicate username, whatever its case', async () => {
    expectError(await api('POST', '/api/admin/users', user({ username: 'u_staff', role: 'leader' })), 409, 'CONFLICT');
    expectError(await api('POST', '/api/admin/users', user({ username: 'ADMIN', role: 'leader' })), 409, 'CONFLICT');
  });

  it('requires an active station for staff and station leads, and no district', async () => {
    expect(expectError(await api('POST', '/api/admin/users', user({ username: 'xx1', role: 'staff' })), 400, 'VALIDATION_FAILED')).toContain(
      '必须指定所属站点',
    );
    expectError(await api('POST', '/api/admin/users', user({ username: 'xx2', role: 'station_lead', stationId: null })), 400, 'VALIDATION_FAILED');
    expect(
      expectError(
        await api('POST', '/api/admin/users', user({ username: 'xx3', role: 'staff', stationId: '00000000-0000-4000-8000-000000000000' })),
        400,
        'VALIDATION_FAILED',
      ),
    ).toContain('不存在');
    expectError(
      await api('POST', '/api/admin/users', user({ username: 'xx4', role: 'staff', stationId: station['jy-court'], districtCode: '150207' })),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('refuses a station for a dispatcher, leader or admin, and a district for an admin', async () => {
    for (const role of ['dispatcher', 'leader', 'admin']) {
      expectError(await api('POST', '/api/admin/users', user({ username: `y_${role}`, role, stationId: station['jy-court'] })), 400, 'VALIDATION_FAILED');
    }
    expect(
      expectError(await api('POST', '/api/admin/users', user({ username: 'y_admin2', role: 'admin', districtCode: '150207' })), 400, 'VALIDATION_FAILED'),
    ).toContain('全市');
  });

  it('refuses an unknown or inactive district for a dispatcher or leader', async () => {
    expectError(await api('POST', '/api/admin/users', user({ username: 'zz1', role: 'dispatcher', districtCode: '150288' })), 400, 'VALIDATION_FAILED');
    expect((await api('POST', '/api/admin/districts', { code: '150289', name: '停用区', active: false })).statusCode).toBe(201);
    expect(
      expectError(await api('POST', '/api/admin/users', user({ username: 'zz2', role: 'leader', districtCode: '150289' })), 400, 'VALIDATION_FAILED'),
    ).toContain('已停用');
  });

  it('refuses a user at an inactive station', async () => {
    const created = await api('POST', '/api/admin/stations', {
      code: 'closed-st',
      name: '已撤销站点',
      type: 'police',
      agencyName: '某分局',
      districtCode: '150205',
      active: false,
    });
    expect(created.statusCode).toBe(201);
    station['closed-st'] = created.json().id;
    expect(
      expectError(await api('POST', '/api/admin/users', user({ username: 'zz3', role: 'staff', stationId: station['closed-st'] })), 400, 'VALIDATION_FAILED'),
    ).toContain('已停用');
  });

  it('refuses a malformed username, phone, role or station id', async () => {
    for (const bad of [
      { username: 'ab' },
      { username: 'has space' },
      { username: '张三' },
      { username: 'x'.repeat(51) },
      { phone: '12345' },
      { phone: '+8613800000000' },
      { role: 'enterprise' },
      { role: 'root' },
      { stationId: 'jy-court', role: 'staff' },
      { name: '' },
      { name: '名'.repeat(51) },
      { password: '' },
    ]) {
      expectError(await api('POST', '/api/admin/users', user({ username: 'valid_name', role: 'leader', ...bad })), 400, 'VALIDATION_FAILED');
    }
    const { password: _p, ...noPassword } = user({ username: 'valid_name', role: 'leader' });
    expect(expectError(await api('POST', '/api/admin/users', noPassword), 400, 'VALIDATION_FAILED')).toContain('密码');
  });

  it('refuses a password that breaks the policy, saying what is missing', async () => {
    const msg = expectError(
      await api('POST', '/api/admin/users', user({ username: 'weak_pw', role: 'leader', password: 'onlylowercase' })),
      400,
      'VALIDATION_FAILED',
    );
    expect(msg).toContain('大写字母');
  });
});

describe('updating users', () => {
  it('moves a staff member to another station', async () => {
    const id = await userId('u_staff');
    const res = await api('PATCH', `/api/admin/users/${id}`, { stationId: station['kd-court'], name: '调岗人员', phone: '13700000000' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ stationId: station['kd-court'], name: '调岗人员', phone: '13700000000' });
  });

  it('clears a phone number with null', async () => {
    const id = await userId('u_staff');
    const res = await api('PATCH', `/api/admin/users/${id}`, { phone: null });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().phone).toBeNull();
  });

  it('drops the station when a staff member becomes a dispatcher, and needs one for the way back', async () => {
    const id = await userId('u_lead');
    const res = await api('PATCH', `/api/admin/users/${id}`, { role: 'dispatcher', districtCode: '150202' });
    expect(res.json()).toMatchObject({ role: 'dispatcher', stationId: null, districtCode: '150202' });
    expectError(await api('PATCH', `/api/admin/users/${id}`, { role: 'staff' }), 400, 'VALIDATION_FAILED');
    const back = await api('PATCH', `/api/admin/users/${id}`, { role: 'station_lead', stationId: station['dh-proc'] });
    expect(back.json()).toMatchObject({ role: 'station_lead', stationId: station['dh-proc'], districtCode: null });
  });

  it('refuses to move a user to an inactive station', async () => {
    const id = await userId('u_staff');
    expectError(await api('PATCH', `/api/admin/users/${id}`, { stationId: station['closed-st'] }), 400, 'VALIDATION_FAILED');
  });

  it('never changes a username or password through an update', async () => {
    const id = await userId('u_admin');
    const res = await api('PATCH', `/api/admin/users/${id}`, { username: 'renamed', password: 'Other@2025', name: '管理员二号' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ username: 'u_admin', name: '管理员二号' });
    expect((await login('u_admin', PASSWORD)).statusCode).toBe(200);
  });

  it('deactivates a user: the sign-in and the refresh token stop working', async () => {
    const id = await userId('u_disp_kd');
    const session = await login('u_disp_kd', PASSWORD);
    const res = await api('PATCH', `/api/admin/users/${id}`, { active: false });
    expect(res.json().active).toBe(false);
    expectError(await login('u_disp_kd', PASSWORD), 401, 'UNAUTHENTICATED');
    const refreshed = await t.app.inject({ method: 'POST', url: '/api/auth/refresh', headers: { cookie: refreshCookie(session) } });
    expect(refreshed.statusCode).toBe(401);
    expect((await api('GET', '/api/admin/users?active=false')).json().items.map((u: { username: string }) => u.username)).toContain('u_disp_kd');
  });

  it('deactivates the users of a station that has been closed', async () => {
    const created = await api('POST', '/api/admin/users', user({ username: 'leaving', role: 'staff', stationId: station['qs-police'] }));
    expect(created.statusCode).toBe(201);
    expect((await api('PATCH', `/api/admin/stations/${station['qs-police']}`, { active: false })).statusCode).toBe(200);
    const res = await api('PATCH', `/api/admin/users/${created.json().id}`, { active: false });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().active).toBe(false);
    // Coming back needs an active station again.
    expectError(await api('PATCH', `/api/admin/users/${created.json().id}`, { active: true }), 400, 'VALIDATION_FAILED');
    expect((await api('PATCH', `/api/admin/stations/${station['qs-police']}`, { active: true })).statusCode).toBe(200);
    expect((await api('PATCH', `/api/admin/users/${created.json().id}`, { active: true })).json().active).toBe(true);
  });

  it('does not let an admin deactivate or demote themselves', async () => {
    expectError(await api('PATCH', `/api/admin/users/${adminId}`, { active: false }), 409, 'CONFLICT');
    expectError(await api('PATCH', `/api/admin/users/${adminId}`, { role: 'leader' }), 409, 'CONFLICT');
    expect((await api('PATCH', `/api/admin/users/${adminId}`, { name: '系统管理员' })).statusCode).toBe(200);
  });

  it('lets another admin deactivate an admin', async () => {
    const id = await userId('u_admin');
    expect((await api('PATCH', `/api/admin/users/${id}`, { active: false })).json().active).toBe(false);
  });

  it('answers 404 for an unknown user and 400 for a malformed id', async () => {
    expectError(await api('PATCH', '/api/admin/users/00000000-0000-4000-8000-000000000000', { name: '无' }), 404, 'NOT_FOUND');
    expectError(await api('PATCH', '/api/admin/users/admin', { name: '无' }), 400, 'VALIDATION_FAILED');
  });
});

describe('password reset and unlock', () => {
  it('resets a password: the old one stops working, the new one must be changed at once', async () => {
    const id = await userId('jy_proc');
    const session = await login('jy_proc', 'Proc@2025');
    const res = await api('POST', `/api/admin/users/${id}/reset-password`, { password: 'Reset#2025' });
    expect(res.statusCode).toBe(200);
    expect(res.json().mustChangePassword).toBe(true);
    expectError(await login('jy_proc', 'Proc@2025'), 401, 'UNAUTHENTICATED');
    const fresh = await login('jy_proc', 'Reset#2025');
    expect(fresh.json().user.mustChangePassword).toBe(true);
    const blocked = await t.as(fresh.json().accessToken, { method: 'GET', url: '/api/dicts' });
    expectError(blocked, 403, 'PASSWORD_CHANGE_REQUIRED');
    // The sessions opened with the old password end as well.
    const refreshed = await t.app.inject({ method: 'POST', url: '/api/auth/refresh', headers: { cookie: refreshCookie(session) } });
    expect(refreshed.statusCode).toBe(401);
  });

  it('refuses a reset to a weak password and answers 404 for an unknown user', async () => {
    const id = await userId('jy_proc');
    expectError(await api('POST', `/api/admin/users/${id}/reset-password`, { password: 'short' }), 400, 'VALIDATION_FAILED');
    expectError(await api('POST', `/api/admin/users/${id}/reset-password`, {}), 400, 'VALIDATION_FAILED');
    expectError(await api('POST', '/api/admin/users/00000000-0000-4000-8000-000000000000/reset-password', { password: 'Reset#2025' }), 404, 'NOT_FOUND');
  });

  it('unlocks a locked account so that the right password works again', async () => {
    for (let i = 0; i < 5; i++) await login('dh_proc', 'Wrong#2025');
    expectError(await login('dh_proc', 'Proc@2025'), 423, 'ACCOUNT_LOCKED');
    const id = await userId('dh_proc');
    const res = await api('POST', `/api/admin/users/${id}/unlock`);
    expect(res.statusCode).toBe(200);
    expect(res.json().lockedUntil).toBeNull();
    expect((await login('dh_proc', 'Proc@2025')).statusCode).toBe(200);
    expectError(await api('POST', '/api/admin/users/00000000-0000-4000-8000-000000000000/unlock'), 404, 'NOT_FOUND');
  });
});

interface AuditRow {
  id: number;
  actorKind: string;
  actorId: string | null;
  actorName: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  success: boolean;
  ip: string | null;
  detail: Record<string, unknown> | null;
  createdAt: string;
}

async function auditRows(query = ''): Promise<AuditRow[]> {
  const res = await api('GET', `/api/admin/audit-logs?pageSize=100${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items;
}

describe('audit log', () => {
  it('records every kind of admin write with its action, actor, target and IP', async () => {
    const rows = await auditRows(`&actorId=${adminId}`);
    const actions = new Set(rows.map((r) => r.action));
    for (const action of ['district.create', 'station.create', 'station.update', 'user.create', 'user.update', 'user.reset_password', 'user.unlock']) {
      expect(actions, action).toContain(action);
    }
    for (const r of rows.filter((x) => x.action !== 'auth.login')) {
      expect(r).toMatchObject({ actorKind: 'staff', actorId: adminId, actorName: '系统管理员', success: true, ip: IP });
      expect(r.targetId).toBeTruthy();
    }
    const reset = rows.find((r) => r.action === 'user.reset_password');
    expect(reset).toMatchObject({ targetType: 'user', targetId: await userId('jy_proc') });
  });

  it('records district, category and holiday writes too', async () => {
    await api('PATCH', '/api/admin/districts/150289', { name: '停用区（改）' });
    await api('POST', '/api/admin/categories', { code: 'audit_cat', name: '审计类别', stationType: null, claimHours: 24, resolveDays: 5 });
    await api('PATCH', '/api/admin/categories/audit_cat', { active: false });
    await api('POST', '/api/admin/holidays', { date: '2031-05-06', kind: 'off', name: '测试' });
    await api('PATCH', '/api/admin/holidays/2031-05-06', { name: '测试二' });
    await api('DELETE', '/api/admin/holidays/2031-05-06');
    const rows = await auditRows(`&actorId=${adminId}`);
    const targets = rows.map((r) => `${r.action} ${r.targetId}`);
    for (const expected of [
      'district.update 150289',
      'category.create audit_cat',
      'category.update audit_cat',
      'holiday.create 2031-05-06',
      'holiday.update 2031-05-06',
      'holiday.delete 2031-05-06',
    ]) {
      expect(targets).toContain(expected);
    }
  });

  it('never writes a password or its hash into the audit log', async () => {
    const rows = await auditRows('&targetType=user');
    const text = JSON.stringify(rows);
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain('Reset#2025');
    expect(text).not.toContain('$argon2');
  });

  it('leaves no audit row for a refused write', async () => {
    const before = (await api('GET', '/api/admin/audit-logs?action=district.create')).json().total;
    await api('POST', '/api/admin/districts', { code: '150207', name: '重复' });
    await api('POST', '/api/admin/districts', { code: 'bad', name: '非法' });
    expect((await api('GET', '/api/admin/audit-logs?action=district.create')).json().total).toBe(before);
  });

  it('filters by action prefix, target, success, time and text, newest first', async () => {
    const stationRows = await auditRows('&action=station.');
    expect(stationRows.length).toBeGreaterThan(0);
    expect(stationRows.every((r) => r.action.startsWith('station.'))).toBe(true);
    expect(stationRows.map((r) => r.id)).toEqual([...stationRows.map((r) => r.id)].sort((a, b) => b - a));

    const holiday = await auditRows('&targetType=holiday&targetId=2031-05-06');
    expect(holiday.map((r) => r.action)).toEqual(['holiday.delete', 'holiday.update', 'holiday.create']);

    const failures = await auditRows('&success=false');
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.every((r) => r.success === false && r.action.startsWith('auth.'))).toBe(true);

    const byIp = await auditRows(`&q=${IP}`);
    expect(byIp.length).toBeGreaterThan(0);
    expect(byIp.every((r) => r.ip === IP)).toBe(true);

    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect((await auditRows(`&from=${future}`)).length).toBe(0);
    expect((await auditRows(`&to=2000-01-01T00:00:00Z`)).length).toBe(0);

    const paged = await api('GET', '/api/admin/audit-logs?pageSize=2&page=2');
    expect(paged.json()).toMatchObject({ page: 2, pageSize: 2 });
    expect(paged.json().items).toHaveLength(2);
    expect(paged.json().total).toBeGreaterThan(10);
  });

  it('refuses a malformed time filter with 400', async () => {
    expectError(await api('GET', '/api/admin/audit-logs?from=yesterday'), 400, 'VALIDATION_FAILED');
    expectError(await api('GET', '/api/admin/audit-logs?to=2026-02-30T00:00:00Z'), 400, 'VALIDATION_FAILED');
    expectError(await api('GET', '/api/admin/audit-logs?from=0000-01-01T00:00:00Z'), 400, 'VALIDATION_FAILED');
    expectError(await api('GET', '/api/admin/audit-logs?success=maybe'), 400, 'VALIDATION_FAILED');
  });

  it('has no route that writes, changes or deletes an entry', async () => {
    const [row] = await auditRows();
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
      expectError(await api(method, '/api/admin/audit-logs', { action: 'forged' }), 404, 'NOT_FOUND');
      expectError(await api(method, `/api/admin/audit-logs/${row?.id}`, { action: 'forged' }), 404, 'NOT_FOUND');
    }
    expectError(await api('GET', `/api/admin/audit-logs/${row?.id}`), 404, 'NOT_FOUND');
    expect((await auditRows('&action=forged')).length).toBe(0);
  });
});

/**
 * Organisation admin (DESIGN §2, §6): districts, stations with their QR codes, categories and the holiday
 * calendar — list with paging and search, create, update, deactivate, and the rules each one keeps.
 */
import { tickets } from '@ys/shared/schema';
import type { LightMyRequestResponse } from 'fastify';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, type TestApp } from './helper.ts';

let t: TestApp;
let admin: string;
beforeAll(async () => {
  t = await build();
  admin = await t.login('admin');
});
afterAll(() => t.close());

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
const api = (method: Method, url: string, payload?: unknown) => t.as(admin, { method, url, ...(payload === undefined ? {} : { payload: payload as object }) });

/** A refusal in the uniform shape, with a message a person can read (Chinese). */
function expectError(res: LightMyRequestResponse, status: number, code: string) {
  expect(res.statusCode, res.body).toBe(status);
  const body = res.json();
  expect(body.error.code).toBe(code);
  expect(body.error.message).toMatch(/[\u4e00-\u9fa5]/);
  return body.error.message as string;
}

async function stationByCode(code: string) {
  const res = await api('GET', `/api/admin/stations?q=${encodeURIComponent(code)}&pageSize=100`);
  const station = res.json().items.find((s: { code: string }) => s.code === code);
  if (!station) throw new Error(`no station ${code}`);
  return station as { id: string; code: string; name: string; active: boolean; districtCode: string };
}

const newStation = (over: Record<string, unknown> = {}) => ({
  code: 'gy-legal',
  name: '固阳县司法局法律服务站',
  type: 'legal_service',
  agencyName: '固阳县司法局',
  districtCode: '150222',
  address: '固阳县金山大街 8 号',
  phone: '0472-8140009',
  ...over,
});

describe('districts', () => {
  it("lists Baotou's nine districts, a page at a time", async () => {
    const first = await api('GET', '/api/admin/districts?pageSize=4');
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ total: 9, page: 1, pageSize: 4 });
    expect(first.json().items.map((d: { code: string }) => d.code)).toEqual(['150202', '150203', '150204', '150205']);
    const last = await api('GET', '/api/admin/districts?pageSize=4&page=3');
    expect(last.json().items.map((d: { code: string }) => d.code)).toEqual(['150223']);
    const beyond = await api('GET', '/api/admin/districts?pageSize=4&page=9');
    expect(beyond.json()).toMatchObject({ items: [], total: 9, page: 9 });
  });

  it('searches districts by name or code', async () => {
    const byName = await api('GET', `/api/admin/districts?q=${encodeURIComponent('九原')}`);
    expect(byName.json().items.map((d: { code: string }) => d.code)).toEqual(['150207']);
    const byCode = await api('GET', '/api/admin/districts?q=15022');
    expect(byCode.json().total).toBe(3);
  });

  it('creates a district and answers 201 with it', async () => {
    const res = await api('POST', '/api/admin/districts', { code: '150299', name: '测试新区' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ code: '150299', name: '测试新区', active: true });
  });

  it('answers 409 CONFLICT for a duplicate district code', async () => {
    expectError(await api('POST', '/api/admin/districts', { code: '150207', name: '又一个九原区' }), 409, 'CONFLICT');
  });

  it('refuses a district code that is not six digits, and an empty or overlong name', async () => {
    for (const code of ['15020', '1502077', 'abcdef', '１５０２９９', '']) {
      expectError(await api('POST', '/api/admin/districts', { code, name: '某区' }), 400, 'VALIDATION_FAILED');
    }
    expectError(await api('POST', '/api/admin/districts', { code: '150298', name: '' }), 400, 'VALIDATION_FAILED');
    const long = expectError(await api('POST', '/api/admin/districts', { code: '150298', name: '区'.repeat(51) }), 400, 'VALIDATION_FAILED');
    expect(long).toContain('最多 50 个字符');
    expect(expectError(await api('POST', '/api/admin/districts', { name: '某区' }), 400, 'VALIDATION_FAILED')).toContain('缺少必填字段');
  });

  it('renames and deactivates a district; an inactive one is listed with active=false', async () => {
    const renamed = await api('PATCH', '/api/admin/districts/150299', { name: '测试新区（更名）' });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json().name).toBe('测试新区（更名）');
    const off = await api('PATCH', '/api/admin/districts/150299', { active: false });
    expect(off.json().active).toBe(false);
    const inactive = await api('GET', '/api/admin/districts?active=false');
    expect(inactive.json().items.map((d: { code: string }) => d.code)).toEqual(['150299']);
  });

  it("never changes a district's code: a code in an update is dropped", async () => {
    const res = await api('PATCH', '/api/admin/districts/150299', { code: '150297', name: '测试新区' });
    expect(res.statusCode).toBe(200);
    expect(res.json().code).toBe('150299');
    expect((await api('GET', '/api/admin/districts?q=150297')).json().total).toBe(0);
  });

  it('answers 404 for an unknown district', async () => {
    expectError(await api('PATCH', '/api/admin/districts/150288', { name: '无' }), 404, 'NOT_FOUND');
  });
});

describe('stations', () => {
  it('lists the demo stations with filters by type, district and text', async () => {
    const all = await api('GET', '/api/admin/stations?pageSize=3');
    expect(all.json()).toMatchObject({ total: 8, pageSize: 3 });
    expect(all.json().items).toHaveLength(3);
    const courts = await api('GET', '/api/admin/stations?type=court');
    expect(
      courts
        .json()
        .items.map((s: { code: string }) => s.code)
        .sort(),
    ).toEqual(['jy-court', 'kd-court']);
    const jiuyuan = await api('GET', '/api/admin/stations?districtCode=150207');
    expect(jiuyuan.json().total).toBe(4);
    const byAgency = await api('GET', `/api/admin/stations?q=${encodeURIComponent('青山公安')}`);
    expect(byAgency.json().items.map((s: { code: string }) => s.code)).toEqual(['qs-police']);
  });

  it('treats % and _ in a search as plain characters', async () => {
    expect((await api('GET', '/api/admin/stations?q=%25')).json().total).toBe(0);
    expect((await api('GET', '/api/admin/stations?q=_')).json().total).toBe(0);
  });

  it('shows one station, 404 for an unknown id and 400 for a malformed one', async () => {
    const s = await stationByCode('jy-court');
    const res = await api('GET', `/api/admin/stations/${s.id}`);
    expect(res.json()).toMatchObject({ code: 'jy-court', type: 'court', districtCode: '150207', active: true });
    expectError(await api('GET', '/api/admin/stations/00000000-0000-4000-8000-000000000000'), 404, 'NOT_FOUND');
    expectError(await api('GET', '/api/admin/stations/jy-court'), 400, 'VALIDATION_FAILED');
  });

  it('creates a station and answers 201 with it', async () => {
    const res = await api('POST', '/api/admin/stations', newStation());
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ code: 'gy-legal', type: 'legal_service', districtCode: '150222', active: true });
    expect(res.json().id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers 409 CONFLICT for a duplicate station code', async () => {
    const msg = expectError(await api('POST', '/api/admin/stations', newStation({ name: '另一个站' })), 409, 'CONFLICT');
    expect(msg).toContain('gy-legal');
  });

  it('refuses a station code that is not short and URL-safe', async () => {
    for (const code of ['a', 'has space', '九原法院', 'a/b', 'a?b', '../x', 'x'.repeat(33), '']) {
      expectError(await api('POST', '/api/admin/stations', newStation({ code })), 400, 'VALIDATION_FAILED');
    }
  });

  it('refuses an unknown station type, a malformed phone and missing fields', async () => {
    expect(expectError(await api('POST', '/api/admin/stations', newStation({ code: 'x-1', type: 'fire' })), 400, 'VALIDATION_FAILED')).toContain(
      '取值不在允许范围内',
    );
    expectError(await api('POST', '/api/admin/stations', newStation({ code: 'x-2', phone: 'call me' })), 400, 'VALIDATION_FAILED');
    const { agencyName: _a, ...missing } = newStation({ code: 'x-3' });
    expectError(await api('POST', '/api/admin/stations', missing), 400, 'VALIDATION_FAILED');
  });

  it('refuses a station in an unknown or inactive district', async () => {
    expect(expectError(await api('POST', '/api/admin/stations', newStation({ code: 'x-4', districtCode: '150288' })), 400, 'VALIDATION_FAILED')).toContain(
      '不存在',
    );
    // 150299 was deactivated above.
    expect(expectError(await api('POST', '/api/admin/stations', newStation({ code: 'x-5', districtCode: '150299' })), 400, 'VALIDATION_FAILED')).toContain(
      '已停用',
    );
  });

  it('ignores fields it does not know, such as a chosen id', async () => {
    const id = '11111111-1111-4111-8111-111111111111';
    const res = await api('POST', '/api/admin/stations', newStation({ code: 'gy-court', type: 'court', id, createdAt: '2000-01-01T00:00:00Z', extra: 1 }));
    expect(res.statusCode).toBe(201);
    expect(res.json().id).not.toBe(id);
    expect(res.json()).not.toHaveProperty('extra');
    expect(new Date(res.json().createdAt).getFullYear()).toBeGreaterThan(2000);
  });

  it('updates a station, including its code while no ticket refers to it', async () => {
    const s = await stationByCode('gy-court');
    const res = await api('PATCH', `/api/admin/stations/${s.id}`, { code: 'gy-court-1', name: '固阳县法院优商法官工作站', address: null });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ code: 'gy-court-1', name: '固阳县法院优商法官工作站', address: null });
  });

  it('answers 409 CONFLICT when an update takes another station’s code', async () => {
    const s = await stationByCode('gy-court-1');
    expectError(await api('PATCH', `/api/admin/stations/${s.id}`, { code: 'jy-court' }), 409, 'CONFLICT');
  });

  it('refuses to move a station to an inactive district', async () => {
    const s = await stationByCode('gy-court-1');
    expectError(await api('PATCH', `/api/admin/stations/${s.id}`, { districtCode: '150299' }), 400, 'VALIDATION_FAILED');
  });

  it('deactivates a station instead of deleting it', async () => {
    const s = await stationByCode('gy-court-1');
    const res = await api('PATCH', `/api/admin/stations/${s.id}`, { active: false });
    expect(res.json().active).toBe(false);
    const inactive = await api('GET', '/api/admin/stations?active=false');
    expect(inactive.json().items.map((x: { code: string }) => x.code)).toEqual(['gy-court-1']);
    expectError(await api('DELETE', `/api/admin/stations/${s.id}`), 404, 'NOT_FOUND');
  });

  it("freezes a station's code once a ticket refers to it, but lets the rest change", async () => {
    const s = await stationByCode('gy-legal');
    await t.database.db.insert(tickets).values({
      no: 'YS20260101000001',
      channel: 'qr',
      entryStationId: s.id,
      enterpriseName: '包头市某某科技有限公司',
      uscc: '91150200MA0N000000',
      contactName: '张三',
      contactPhone: '13800000000',
      districtCode: '150222',
      categoryCode: 'legal_consult',
      title: '合同纠纷咨询',
      content: '想咨询一份合同的效力问题。',
      status: 'pending_claim',
      targetStationId: s.id,
      resolveDueAt: new Date(Date.now() + 3 * 86_400_000),
    });
    const msg = expectError(await api('PATCH', `/api/admin/stations/${s.id}`, { code: 'gy-legal-2' }), 409, 'CONFLICT');
    expect(msg).toContain('编码不可修改');
    expect((await api('PATCH', `/api/admin/stations/${s.id}`, { code: 'gy-legal', name: '固阳县法律服务站' })).statusCode).toBe(200);
    expect((await api('GET', `/api/admin/stations/${s.id}`)).json()).toMatchObject({ code: 'gy-legal', name: '固阳县法律服务站' });
  });

  it('answers 404 when updating an unknown station', async () => {
    expectError(await api('PATCH', '/api/admin/stations/00000000-0000-4000-8000-000000000000', { name: '无' }), 404, 'NOT_FOUND');
  });
});

describe("a station's QR code", () => {
  it('is a PNG that decodes to the station’s H5 address', async () => {
    const s = await stationByCode('jy-court');
    const res = await api('GET', `/api/admin/stations/${s.id}/qrcode?format=png&size=256`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    const url = `${t.config.publicBaseUrl}/m/s/jy-court`;
    expect(res.headers['x-qr-url']).toBe(url);
    expect(res.headers['content-disposition']).toBe('inline; filename="station-jy-court.png"');
    const png = PNG.sync.read(res.rawPayload);
    expect(png.width).toBe(256);
    expect(jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data).toBe(url);
  });

  it('is an SVG on request, offered as a download', async () => {
    const s = await stationByCode('kd-legal');
    const res = await api('GET', `/api/admin/stations/${s.id}/qrcode?format=svg&download=true`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(res.headers['content-disposition']).toBe('attachment; filename="station-kd-legal.svg"');
    expect(res.body).toMatch(/^<svg[^>]+xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  });

  it('refuses an unknown format or size and answers 404 for an unknown station', async () => {
    const s = await stationByCode('kd-legal');
    expectError(await api('GET', `/api/admin/stations/${s.id}/qrcode?format=gif`), 400, 'VALIDATION_FAILED');
    expectError(await api('GET', `/api/admin/stations/${s.id}/qrcode?size=100000`), 400, 'VALIDATION_FAILED');
    expectError(await api('GET', '/api/admin/stations/00000000-0000-4000-8000-000000000000/qrcode'), 404, 'NOT_FOUND');
  });
});

describe('categories', () => {
  it('lists the categories of DESIGN §2 in their order, with their deadlines', async () => {
    const res = await api('GET', '/api/admin/categories?pageSize=100');
    expect(res.json().total).toBe(11);
    const items = res.json().items as { code: string; name: string; stationType: string | null; claimHours: number; resolveDays: number }[];
    expect(items[0]).toMatchObject({ name: '法律咨询', stationType: 'legal_service', claimHours: 24, resolveDays: 3 });
    expect(items.find((c) => c.name === '治安求助')).toMatchObject({ stationType: 'police', claimHours: 4, resolveDays: 5 });
    expect(items.find((c) => c.name === '营商环境投诉')).toMatchObject({ stationType: null });
    const page2 = await api('GET', '/api/admin/categories?pageSize=5&page=3');
    expect(page2.json().items).toHaveLength(1);
    const search = await api('GET', `/api/admin/categories?q=${encodeURIComponent('警务')}`);
    expect(search.json().items.map((c: { code: string }) => c.code)).toEqual(['police_service']);
  });

  it('creates a category, with or without a station type', async () => {
    const res = await api('POST', '/api/admin/categories', { code: 'labor', name: '劳动用工', stationType: 'legal_service', claimHours: 24, resolveDays: 5 });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ code: 'labor', active: true, sortOrder: 0 });
    const centre = await api('POST', '/api/admin/categories', {
      code: 'misc_2',
      name: '综合事项',
      stationType: null,
      claimHours: 48,
      resolveDays: 10,
      sortOrder: 200,
    });
    expect(centre.json()).toMatchObject({ stationType: null, sortOrder: 200 });
  });

  it('answers 409 CONFLICT for a duplicate category code', async () => {
    expectError(
      await api('POST', '/api/admin/categories', { code: 'labor', name: '重复', stationType: null, claimHours: 24, resolveDays: 5 }),
      409,
      'CONFLICT',
    );
  });

  it('refuses a bad code, an unknown station type and deadlines out of range', async () => {
    const base = { code: 'ok_code', name: '类别', stationType: null, claimHours: 24, resolveDays: 5 };
    for (const bad of [
      { code: 'Labor' },
      { code: 'a' },
      { code: 'has-dash' },
      { stationType: 'fire' },
      { claimHours: 0 },
      { claimHours: 721 },
      { claimHours: 1.5 },
      { resolveDays: 0 },
      { resolveDays: 366 },
      { name: '' },
      { name: '类'.repeat(51) },
    ]) {
      expectError(await api('POST', '/api/admin/categories', { ...base, ...bad }), 400, 'VALIDATION_FAILED');
    }
  });

  it('changes the deadlines and deactivates a category', async () => {
    const res = await api('PATCH', '/api/admin/categories/labor', { claimHours: 12, resolveDays: 7 });
    expect(res.json()).toMatchObject({ claimHours: 12, resolveDays: 7 });
    expect((await api('PATCH', '/api/admin/categories/labor', { active: false })).json().active).toBe(false);
    const inactive = await api('GET', '/api/admin/categories?active=false');
    expect(inactive.json().items.map((c: { code: string }) => c.code)).toEqual(['labor']);
  });

  it('answers 404 for an unknown category', async () => {
    expectError(await api('PATCH', '/api/admin/categories/no_such', { name: '无' }), 404, 'NOT_FOUND');
  });
});

describe('holiday calendar', () => {
  it("holds the year's statutory days off and make-up working days", async () => {
    const res = await api('GET', '/api/admin/holidays?year=2026');
    expect(res.statusCode).toBe(200);
    const items = res.json().items as { date: string; kind: string }[];
    expect(items.length).toBeGreaterThan(10);
    expect(items.every((h) => h.date.startsWith('2026-'))).toBe(true);
    expect(items.find((h) => h.date === '2026-10-01')?.kind).toBe('off');
    expect(items.some((h) => h.kind === 'work')).toBe(true);
  });

  it('adds, renames and removes a day', async () => {
    const created = await api('POST', '/api/admin/holidays', { date: '2030-06-03', kind: 'off', name: '地方节日' });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ date: '2030-06-03', kind: 'off' });
    const updated = await api('PATCH', '/api/admin/holidays/2030-06-03', { kind: 'work', name: '调休上班' });
    expect(updated.json()).toMatchObject({ kind: 'work', name: '调休上班' });
    expect((await api('GET', '/api/admin/holidays?year=2030')).json().items).toHaveLength(1);
    expect((await api('DELETE', '/api/admin/holidays/2030-06-03')).statusCode).toBe(204);
    expectError(await api('DELETE', '/api/admin/holidays/2030-06-03'), 404, 'NOT_FOUND');
    expectError(await api('PATCH', '/api/admin/holidays/2030-06-03', { name: '无' }), 404, 'NOT_FOUND');
  });

  it('answers 409 CONFLICT for a date already in the calendar', async () => {
    expectError(await api('POST', '/api/admin/holidays', { date: '2026-10-01', kind: 'off', name: '国庆节' }), 409, 'CONFLICT');
  });

  it('refuses dates that do not exist, in any position', async () => {
    for (const date of ['2026-02-30', '2026-13-01', '2026-00-10', '0000-01-01', '2026/01/01', '20260101', '2026-1-1']) {
      expectError(await api('POST', '/api/admin/holidays', { date, kind: 'off', name: '假' }), 400, 'VALIDATION_FAILED');
      expectError(await api('PATCH', `/api/admin/holidays/${encodeURIComponent(date)}`, { name: '假' }), 400, 'VALIDATION_FAILED');
      expectError(await api('DELETE', `/api/admin/holidays/${encodeURIComponent(date)}`), 400, 'VALIDATION_FAILED');
    }
    expect((await api('POST', '/api/admin/holidays', { date: '2028-02-29', kind: 'off', name: '闰日' })).statusCode).toBe(201);
  });

  it('refuses an unknown kind and an out-of-range year', async () => {
    expectError(await api('POST', '/api/admin/holidays', { date: '2030-06-04', kind: 'holiday', name: '假' }), 400, 'VALIDATION_FAILED');
    expectError(await api('GET', '/api/admin/holidays?year=1999'), 400, 'VALIDATION_FAILED');
  });
});

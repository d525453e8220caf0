/**
 * The authorization matrix (DESIGN §1): every route of the OpenAPI document, called as each kind of
 * caller, answers the status written in the table below. Path parameters point at a ticket targeted at
 * jy-court in 九原区 (150207), filed by the "owner" business, so that "in scope" means something; a
 * caller outside the scope gets 404 (never 403), a role that may never call the route 403, a state
 * that forbids the action 409. A route in the document without a row fails, and so does a row for a
 * route that is gone.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ratingLinkExpiry, signRatingLink } from '../src/modules/notifications/rating-link.ts';
import { enterpriseToken, newPhone, ticketBody } from './fixtures.ts';
import { build, DEMO_PASSWORDS, refreshCookie, type TestApp } from './helper.ts';

const ROLES = ['anon', 'owner', 'other', 'staffIn', 'staffOut', 'lead', 'distIn', 'distOut', 'city', 'leader', 'admin'] as const;
type Role = (typeof ROLES)[number];
const STAFF_ROLES: readonly Role[] = ['staffIn', 'staffOut', 'lead', 'distIn', 'distOut', 'city', 'leader', 'admin'];

/** Staff users behind the roles (staffIn and distOut are created for the test: a clerk of jy-court, a 昆区 dispatcher). */
const USERNAMES: Partial<Record<Role, string>> = {
  staffIn: 'jy_clerk',
  staffOut: 'kd_court',
  lead: 'jy_court',
  distIn: 'jy_center',
  distOut: 'kd_center',
  city: 'center',
  leader: 'leader',
  admin: 'admin',
};
const PASSWORDS: Record<string, string> = { ...DEMO_PASSWORDS, jy_clerk: 'Clerk@2026a', kd_center: 'Kdcenter@2026a' };

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
function multipartPng(name = 'photo.png'): Pick<InjectOptions, 'payload' | 'headers'> {
  const boundary = '----ys-authz-boundary';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: image/png\r\n\r\n`),
    PNG,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

let t: TestApp;
let wechat: http.Server;
const tokens = {} as Record<Exclude<Role, 'anon'>, string>;
const userIds = {} as Record<string, string>;
const stationIds: Record<string, string> = {};
let seq = 0;
const next = () => ++seq;

// ── the state a cell runs against ──────────────────────────────────────────────────────────

type Ctx = Record<string, string>;
type TicketState = 'pending_claim' | 'pending_dispatch' | 'in_progress' | 'extension_pending' | 'resolved' | 'closed';

async function call(token: string, method: InjectOptions['method'], url: string, payload?: unknown) {
  const res = await t.as(token, { method, url, payload: payload as InjectOptions['payload'] });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res;
}

/** A ticket filed by the owner at jy-court (case progress, 九原区), brought into `state` by jy-court's staff. */
async function ticket(state: TicketState, withAttachment = false): Promise<Ctx> {
  const attachmentIds: string[] = [];
  if (withAttachment) {
    const up = await t.as(tokens.owner, { method: 'POST', url: '/api/public/uploads', ...multipartPng() });
    if (up.statusCode !== 201) throw new Error(`upload: ${up.body}`);
    attachmentIds.push(up.json().id);
  }
  const { no } = (await call(tokens.owner, 'POST', '/api/public/tickets', ticketBody({ attachmentIds }))).json();
  const [item] = (await call(tokens.city, 'GET', `/api/tickets?q=${no}`)).json().items;
  const id = item.id as string;
  const ctx: Ctx = { id, no, ...(attachmentIds[0] ? { attachmentId: attachmentIds[0] } : {}) };
  if (state === 'pending_claim') return ctx;
  await call(tokens.lead, 'POST', `/api/tickets/${id}/claim`);
  if (state === 'pending_dispatch') await call(tokens.lead, 'POST', `/api/tickets/${id}/return`, { reason: '不属于法院职能' });
  if (state === 'extension_pending') await call(tokens.staffIn, 'POST', `/api/tickets/${id}/extension`, { days: 3, reason: '需调取卷宗' });
  if (state === 'resolved' || state === 'closed') await call(tokens.lead, 'POST', `/api/tickets/${id}/resolve`, { result: '已告知案件进度。' });
  if (state === 'closed') await call(tokens.owner, 'POST', `/api/public/tickets/${no}/rating`, { solved: true, satisfaction: 'satisfied' });
  return ctx;
}

const adminUser = async (): Promise<Ctx> => {
  const res = await call(tokens.admin, 'POST', '/api/admin/users', { username: `authz_t${next()}`, name: '临时用户', password: 'Init@2026a', role: 'leader' });
  return { id: res.json().id };
};
/** A resolved ticket and the rating link its SMS carries. */
const ratingLink = async (): Promise<Ctx> => {
  const c = await ticket('resolved');
  const events = (await call(tokens.city, 'GET', `/api/tickets/${c.id}`)).json().events as { id: number; type: string }[];
  const resolved = events.filter((e) => e.type === 'resolved').at(-1) as { id: number };
  return { ...c, token: signRatingLink(t.config.jwtSecret, { eventId: resolved.id, expiresAt: ratingLinkExpiry(new Date()) }) };
};
const holiday = async (): Promise<Ctx> => {
  const date = `2031-${String(1 + (next() % 12)).padStart(2, '0')}-${String(1 + (next() % 28)).padStart(2, '0')}`;
  await t.as(tokens.admin, { method: 'DELETE', url: `/api/admin/holidays/${date}` });
  await call(tokens.admin, 'POST', '/api/admin/holidays', { date, kind: 'off', name: '测试假日' });
  return { date };
};

// ── the table ──────────────────────────────────────────────────────────────────────────────

interface Request {
  params?: Ctx;
  query?: string;
  body?: unknown;
  inject?: Partial<InjectOptions>;
}

interface Row {
  route: string;
  /** The state the cells run against, when the route has several rows. */
  given?: string;
  /** Statuses in the order of ROLES. */
  expect: string;
  /** Builds what a cell needs; called afresh for every cell that may reach the handler of a write. */
  prepare?: (role: Role) => Promise<Ctx>;
  request?: (c: Ctx, role: Role) => Request;
  /** Undoes what a successful cell changed outside its own fresh state. */
  after?: (c: Ctx, role: Role, res: LightMyRequestResponse) => Promise<void>;
}
type Spec = Omit<Row, 'route' | 'given' | 'expect'>;

/** `'POST /api/tickets/{id}/claim @pending_claim'` → the route and the state its cells run against. */
function row(route: string, expect: string, spec: Spec = {}): Row {
  const [key, given] = route.split(' @') as [string, string | undefined];
  return { route: key, given, expect, ...spec };
}

const onTicket =
  (state: TicketState, withAttachment = false) =>
  () =>
    ticket(state, withAttachment);
const id = (c: Ctx): Request => ({ params: { id: c.id as string } });
const idBody =
  (body: unknown) =>
  (c: Ctx): Request => ({ params: { id: c.id as string }, body });
const noBody =
  (body: unknown) =>
  (c: Ctx): Request => ({ params: { no: c.no as string }, body });
const station = (code: string) => () => ({ params: { id: stationIds[code] as string } });

let world: Ctx; // the read-only fixture: an in-progress ticket at jy-court with the owner's attachment

// biome-ignore format: the matrix reads as a table
const ROWS: Row[] = [
  //                                                         anon own  oth  stIn stOu lead dIn  dOut city ldr  adm
  // operations
  row('GET /healthz',                                       '200  200  200  200  200  200  200  200  200  200  200'),
  row('GET /readyz',                                        '200  200  200  200  200  200  200  200  200  200  200'),

  // staff sign-in: the cookie or the body is the credential, not the bearer
  row('POST /api/auth/login',                               '200  200  200  200  200  200  200  200  200  200  200', {
    request: () => ({ body: { username: 'leader', password: PASSWORDS.leader } }) }),
  row('POST /api/auth/refresh',                             '200  200  200  200  200  200  200  200  200  200  200', {
    prepare: async () => {
      const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'leader', password: PASSWORDS.leader } });
      return { cookie: refreshCookie(res) };
    },
    request: (c) => ({ inject: { headers: { cookie: c.cookie as string } } }) }),
  row('POST /api/auth/logout',                              '204  204  204  204  204  204  204  204  204  204  204'),
  row('GET /api/auth/me',                                   '401  401  401  200  200  200  200  200  200  200  200'),
  row('POST /api/auth/password',                            '401  401  401  200  200  200  200  200  200  200  200', {
    request: (_c, role) => ({ body: { oldPassword: passwordOf(role), newPassword: `${passwordOf(role)}!` } }),
    after: async (_c, role) => {
      await call(tokens[role as Exclude<Role, 'anon'>], 'POST', '/api/auth/password', { oldPassword: `${passwordOf(role)}!`, newPassword: passwordOf(role) });
    } }),

  // organisation (admin only)
  row('GET /api/admin/districts',                           '401  401  401  403  403  403  403  403  403  403  200'),
  row('POST /api/admin/districts',                          '401  401  401  403  403  403  403  403  403  403  201', {
    request: () => ({ body: { code: `1598${String(next() % 100).padStart(2, '0')}`, name: '测试区' } }) }),
  row('PATCH /api/admin/districts/{code}',                  '401  401  401  403  403  403  403  403  403  403  200', {
    request: () => ({ params: { code: '150206' }, body: { name: '白云鄂博矿区' } }) }),
  row('GET /api/admin/stations',                            '401  401  401  403  403  403  403  403  403  403  200'),
  row('POST /api/admin/stations',                           '401  401  401  403  403  403  403  403  403  403  201', {
    request: () => ({ body: { code: `authz-${next()}`, name: '测试法官工作站', type: 'court', agencyName: '九原区人民法院', districtCode: '150207' } }) }),
  row('GET /api/admin/stations/{id}',                       '401  401  401  403  403  403  403  403  403  403  200', { request: station('jy-court') }),
  row('PATCH /api/admin/stations/{id}',                     '401  401  401  403  403  403  403  403  403  403  200', {
    request: () => ({ ...station('jy-court')(), body: { phone: '0472-5550000' } }) }),
  row('GET /api/admin/stations/{id}/qrcode',                '401  401  401  403  403  403  403  403  403  403  200', {
    request: () => ({ ...station('jy-court')(), query: 'format=svg' }) }),
  row('GET /api/admin/categories',                          '401  401  401  403  403  403  403  403  403  403  200'),
  row('POST /api/admin/categories',                         '401  401  401  403  403  403  403  403  403  403  201', {
    request: () => ({ body: { code: `authz_${next()}`, name: '测试类别', stationType: 'court', claimHours: 24, resolveDays: 5 } }) }),
  row('PATCH /api/admin/categories/{code}',                 '401  401  401  403  403  403  403  403  403  403  200', {
    request: () => ({ params: { code: 'case_progress' }, body: { claimHours: 24 } }) }),
  row('GET /api/admin/holidays',                            '401  401  401  403  403  403  403  403  403  403  200'),
  row('POST /api/admin/holidays',                           '401  401  401  403  403  403  403  403  403  403  201', {
    request: () => ({ body: { date: `2032-01-${String(1 + (next() % 28)).padStart(2, '0')}`, kind: 'work', name: '测试调休' } }),
    after: async (_c, _role, res) => {
      await call(tokens.admin, 'DELETE', `/api/admin/holidays/${res.json().date}`);
    } }),
  row('PATCH /api/admin/holidays/{date}',                   '401  401  401  403  403  403  403  403  403  403  200', {
    prepare: holiday, request: (c) => ({ params: { date: c.date as string }, body: { name: '改名假日' } }) }),
  row('DELETE /api/admin/holidays/{date}',                  '401  401  401  403  403  403  403  403  403  403  204', {
    prepare: holiday, request: (c) => ({ params: { date: c.date as string } }) }),
  row('GET /api/admin/users',                               '401  401  401  403  403  403  403  403  403  403  200'),
  row('POST /api/admin/users',                              '401  401  401  403  403  403  403  403  403  403  201', {
    request: () => ({ body: { username: `authz_n${next()}`, name: '新用户', password: 'Init@2026a', role: 'leader', districtCode: '150207' } }) }),
  row('PATCH /api/admin/users/{id}',                        '401  401  401  403  403  403  403  403  403  403  200', {
    prepare: adminUser, request: idBody({ name: '改名用户' }) }),
  row('POST /api/admin/users/{id}/reset-password',          '401  401  401  403  403  403  403  403  403  403  200', {
    prepare: adminUser, request: idBody({ password: 'Reset@2026a' }) }),
  row('POST /api/admin/users/{id}/unlock',                  '401  401  401  403  403  403  403  403  403  403  200', {
    prepare: adminUser, request: id }),
  row('GET /api/admin/audit-logs',                          '401  401  401  403  403  403  403  403  403  403  200'),

  // staff reads: any signed-in staff; a ticket, its slips, its files and a station outside the scope are not found
  //                                                         anon own  oth  stIn stOu lead dIn  dOut city ldr  adm
  row('GET /api/dicts',                                     '401  401  401  200  200  200  200  200  200  200  200'),
  row('GET /api/tickets',                                   '401  401  401  200  200  200  200  200  200  200  200'),
  row('GET /api/tickets/{id}',                              '401  401  401  200  404  200  200  404  200  200  200', { request: () => id(world) }),
  row('GET /api/tickets/{id}/slips/{kind} @resolved',       '401  401  401  200  404  200  200  404  200  200  200', {
    prepare: onTicket('resolved'), request: (c) => ({ params: { id: c.id as string, kind: 'feedback' } }) }),
  row('GET /api/stations/{id}/members',                     '401  401  401  200  404  200  200  404  200  200  200', { request: station('jy-court') }),
  row('GET /api/attachments/{id}',                          '401  401  401  200  404  200  200  404  200  200  200', {
    request: () => ({ params: { id: world.attachmentId as string } }) }),
  row('POST /api/attachments',                              '401  401  401  201  201  201  201  201  201  403  403', {
    request: () => ({ inject: multipartPng() }) }),

  // figures, exports and notifications: any staff, each in its own scope (a station user: its station)
  row('GET /api/stats/overview',                            '401  401  401  200  200  200  200  200  200  200  200'),
  row('GET /api/stats/by',                                  '401  401  401  200  200  200  200  200  200  200  200', { request: () => ({ query: 'dimension=station' }) }),
  row('GET /api/stats/trend',                               '401  401  401  200  200  200  200  200  200  200  200'),
  row('GET /api/stats/ranking',                             '401  401  401  200  200  200  200  200  200  200  200'),
  row('GET /api/stats/colors',                              '401  401  401  200  200  200  200  200  200  200  200'),
  row('GET /api/stats/digest',                              '401  401  401  200  200  200  200  200  200  200  200'),
  row('GET /api/stats/export',                              '401  401  401  200  200  200  200  200  200  200  200', { request: () => ({ query: 'format=csv' }) }),
  row('GET /api/tickets/export',                            '401  401  401  200  200  200  200  200  200  200  200', { request: () => ({ query: 'format=csv' }) }),
  row('GET /api/notifications/',                            '401  401  401  200  200  200  200  200  200  200  200'),
  row('GET /api/notifications/unread-count',                '401  401  401  200  200  200  200  200  200  200  200'),
  row('POST /api/notifications/read-all',                   '401  401  401  200  200  200  200  200  200  200  200'),
  // a notification is its recipient's alone: the lead's "new ticket in the pool"
  row('POST /api/notifications/{id}/read @pending_claim',          '401  401  401  404  404  200  404  404  404  404  404', {
    prepare: async () => {
      await ticket('pending_claim');
      return { id: String((await call(tokens.lead, 'GET', '/api/notifications/?unread=true')).json().items[0].id) };
    },
    request: id }),

  // 代录: a dispatcher files for a business of a district in its scope
  row('POST /api/tickets',                                  '401  401  401  403  403  403  201  400  201  403  403', {
    request: () => ({ body: { ...ticketBody(), consent: undefined, contactPhone: '13900001111', proxySource: '走访' } }) }),

  // ticket actions on a ticket at jy-court in 九原区
  //                                                         anon own  oth  stIn stOu lead dIn  dOut city ldr  adm
  row('POST /api/tickets/{id}/claim @pending_claim',        '401  401  401  200  404  200  403  403  403  403  403', {
    prepare: onTicket('pending_claim'), request: id }),
  row('POST /api/tickets/{id}/claim @in_progress',          '401  401  401  409  404  409  403  403  403  403  403', {
    prepare: onTicket('in_progress'), request: id }),
  row('POST /api/tickets/{id}/reassign @in_progress',       '401  401  401  403  403  200  403  403  403  403  403', {
    prepare: onTicket('in_progress'), request: (c) => ({ params: { id: c.id as string }, body: { assigneeId: userIds.jy_clerk } }) }),
  row('POST /api/tickets/{id}/transfer @in_progress',       '401  401  401  200  404  200  200  404  200  403  403', {
    prepare: onTicket('in_progress'), request: (c) => ({ params: { id: c.id as string }, body: { stationId: stationIds['jy-legal'], reason: '属于法律咨询' } }) }),
  row('POST /api/tickets/{id}/return @in_progress',         '401  401  401  200  404  200  403  403  403  403  403', {
    prepare: onTicket('in_progress'), request: idBody({ reason: '不属于法院职能' }) }),
  row('POST /api/tickets/{id}/messages @in_progress',       '401  401  401  200  404  200  200  404  200  403  403', {
    prepare: onTicket('in_progress'), request: idBody({ content: '已联系承办法官。', visibility: 'public' }) }),
  row('POST /api/tickets/{id}/messages @closed',            '401  401  401  409  404  409  409  404  409  403  403', {
    prepare: onTicket('closed'), request: idBody({ content: '已联系承办法官。', visibility: 'internal' }) }),
  row('POST /api/tickets/{id}/request-supplement @in_progress', '401  401  401  200  404  200  403  403  403  403  403', {
    prepare: onTicket('in_progress'), request: idBody({ content: '请补充案号。' }) }),
  row('POST /api/tickets/{id}/extension @in_progress',      '401  401  401  200  404  200  403  403  403  403  403', {
    prepare: onTicket('in_progress'), request: idBody({ days: 5, reason: '需调取卷宗' }) }),
  row('POST /api/tickets/{id}/extension/decision @extension_pending',
                                                            '401  401  401  403  403  403  200  404  200  403  403', {
    prepare: onTicket('extension_pending'), request: idBody({ approve: true, note: '同意' }) }),
  row('POST /api/tickets/{id}/resolve @in_progress',        '401  401  401  200  404  200  403  403  403  403  403', {
    prepare: onTicket('in_progress'), request: idBody({ result: '已告知案件进度。', legalBasis: '《民事诉讼法》' }) }),
  row('POST /api/tickets/{id}/resolve @resolved',           '401  401  401  409  404  409  403  403  403  403  403', {
    prepare: onTicket('resolved'), request: idBody({ result: '再次办结。' }) }),
  row('POST /api/tickets/{id}/visit @resolved',             '401  401  401  403  403  403  200  404  200  403  403', {
    prepare: onTicket('resolved'), request: idBody({ method: 'phone', solved: true, satisfaction: 'satisfied', note: '电话回访' }) }),
  row('POST /api/tickets/{id}/visit @in_progress',          '401  401  401  403  403  403  409  404  409  403  403', {
    prepare: onTicket('in_progress'), request: idBody({ method: 'phone', solved: true, satisfaction: 'satisfied', note: '电话回访' }) }),
  row('POST /api/tickets/{id}/supervise @in_progress',      '401  401  401  403  403  403  200  404  200  200  403', {
    prepare: onTicket('in_progress'), request: idBody({ note: '请加快办理' }) }),
  row('POST /api/tickets/{id}/dispatch @pending_dispatch',  '401  401  401  403  403  403  200  404  200  403  403', {
    prepare: onTicket('pending_dispatch'), request: (c) => ({ params: { id: c.id as string }, body: { stationId: stationIds['jy-court'], note: '请法官工作站办理' } }) }),
  row('POST /api/tickets/{id}/dispatch @in_progress',       '401  401  401  403  403  403  409  404  409  403  403', {
    prepare: onTicket('in_progress'), request: (c) => ({ params: { id: c.id as string }, body: { stationId: stationIds['jy-legal'] } }) }),
  row('POST /api/tickets/{id}/invalidate @pending_claim',   '401  401  401  403  403  403  200  404  200  403  403', {
    prepare: onTicket('pending_claim'), request: idBody({ reason: '重复提交' }) }),
  row('POST /api/tickets/{id}/merge @pending_claim',        '401  401  401  403  403  403  200  404  200  403  403', {
    prepare: async () => ({ ...(await ticket('pending_claim')), intoId: (await ticket('pending_claim')).id as string }),
    request: (c) => ({ params: { id: c.id as string }, body: { intoId: c.intoId } }) }),

  // the enterprise channel: public entry and sign-in for anyone; a business's tickets for that business only
  //                                                         anon own  oth  stIn stOu lead dIn  dOut city ldr  adm
  row('GET /api/public/entry/{stationCode}',                '200  200  200  200  200  200  200  200  200  200  200', {
    request: () => ({ params: { stationCode: 'jy-court' } }) }),
  row('POST /api/public/otp',                               '200  200  200  200  200  200  200  200  200  200  200', {
    request: () => ({ body: { phone: newPhone() } }) }),
  row('POST /api/public/session',                           '200  200  200  200  200  200  200  200  200  200  200', {
    prepare: async () => {
      const phone = newPhone();
      const otp = await t.app.inject({ method: 'POST', url: '/api/public/otp', payload: { phone } });
      return { phone, code: otp.json().devCode };
    },
    request: (c) => ({ body: { phone: c.phone, code: c.code } }) }),
  row('POST /api/public/mp/session',                        '200  200  200  200  200  200  200  200  200  200  200', {
    request: () => ({ body: { code: 'good-code' } }) }),
  row('POST /api/public/uploads',                           '401  201  201  401  401  401  401  401  401  401  401', {
    request: () => ({ inject: multipartPng() }) }),
  row('POST /api/public/tickets',                           '401  201  201  401  401  401  401  401  401  401  401', {
    request: () => ({ body: ticketBody() }) }),
  row('GET /api/public/tickets',                            '401  200  200  401  401  401  401  401  401  401  401'),
  row('GET /api/public/tickets/{no}',                       '401  200  404  401  401  401  401  401  401  401  401', {
    request: () => ({ params: { no: world.no as string } }) }),
  row('POST /api/public/tickets/{no}/supplements @in_progress', '401  200  404  401  401  401  401  401  401  401  401', {
    prepare: onTicket('in_progress'), request: noBody({ content: '案号为（2026）蒙0207民初123号。' }) }),
  row('POST /api/public/tickets/{no}/supplements @closed',  '401  409  404  401  401  401  401  401  401  401  401', {
    prepare: onTicket('closed'), request: noBody({ content: '补充说明。' }) }),
  row('POST /api/public/tickets/{no}/withdraw @in_progress', '401  200  404  401  401  401  401  401  401  401  401', {
    prepare: onTicket('in_progress'), request: noBody({ reason: '已自行解决' }) }),
  row('POST /api/public/tickets/{no}/withdraw @closed',     '401  409  404  401  401  401  401  401  401  401  401', {
    prepare: onTicket('closed'), request: noBody({ reason: '已自行解决' }) }),
  row('POST /api/public/tickets/{no}/rating @resolved',     '401  200  404  401  401  401  401  401  401  401  401', {
    prepare: onTicket('resolved'), request: noBody({ solved: true, satisfaction: 'satisfied', comment: '满意' }) }),
  row('POST /api/public/tickets/{no}/rating @in_progress',  '401  409  404  401  401  401  401  401  401  401  401', {
    prepare: onTicket('in_progress'), request: noBody({ solved: true, satisfaction: 'satisfied' }) }),
  // the signed link of the "resolved" SMS: the link is the credential
  row('GET /api/public/rating-links/{token} @resolved',     '200  200  200  200  200  200  200  200  200  200  200', {
    prepare: ratingLink, request: (c) => ({ params: { token: c.token as string } }) }),
  row('POST /api/public/rating-links/{token} @resolved',    '200  200  200  200  200  200  200  200  200  200  200', {
    prepare: ratingLink, request: (c) => ({ params: { token: c.token as string }, body: { solved: true, satisfaction: 'basically_satisfied' } }) }),
  row('GET /api/public/attachments/{id}',                   '401  200  404  401  401  401  401  401  401  401  401', {
    request: () => ({ params: { id: world.attachmentId as string } }) }),
];

function passwordOf(role: Role): string {
  const username = USERNAMES[role];
  return (username && PASSWORDS[username]) || 'not-a-staff-user';
}

// ── running a cell ─────────────────────────────────────────────────────────────────────────

const ERROR_CODES: Record<number, RegExp> = {
  400: /^VALIDATION_FAILED$/,
  401: /^UNAUTHENTICATED$/,
  403: /^FORBIDDEN$/,
  404: /^NOT_FOUND$/,
  409: /^(INVALID_TRANSITION|ALREADY_CLAIMED|CONFLICT)$/,
};

function fill(path: string, params: Ctx = {}): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`no value for {${name}} in ${path}`);
    return encodeURIComponent(value);
  });
}

function expected(row: Row): Record<Role, number> {
  const statuses = row.expect.trim().split(/\s+/).map(Number);
  if (statuses.length !== ROLES.length || statuses.some((s) => !Number.isInteger(s))) throw new Error(`${row.route}: the row needs ${ROLES.length} statuses`);
  return Object.fromEntries(ROLES.map((r, i) => [r, statuses[i]])) as Record<Role, number>;
}

/** Runs the row's cells; returns one line per cell whose answer differs from the table. */
async function runRow(row: Row): Promise<string[]> {
  const [method, path] = row.route.split(' ') as [InjectOptions['method'], string];
  const want = expected(row);
  const wrong: string[] = [];
  let shared: Promise<Ctx> | undefined;
  for (const role of ROLES) {
    // A refusal by role or sign-in happens before the handler, so such cells may share one state;
    // a cell that reaches the handler of a write gets its own.
    const own = method !== 'GET' && want[role] !== 401 && want[role] !== 403;
    if (row.prepare && !own && !shared) shared = row.prepare(role);
    const ctx: Ctx = (row.prepare && (await (own ? row.prepare(role) : shared))) || {};
    const req = row.request?.(ctx, role) ?? {};
    const url = fill(path, req.params) + (req.query ? `?${req.query}` : '');
    const token = role === 'anon' ? null : tokens[role];
    const res = await t.as(token, { method, url, ...(req.body !== undefined ? { payload: req.body as InjectOptions['payload'] } : {}), ...req.inject });
    const label = `${role.padEnd(8)} ${row.route}${row.given ? ` [${row.given}]` : ''}`;
    if (res.statusCode !== want[role]) {
      wrong.push(`${label}: expected ${want[role]}, got ${res.statusCode} ${res.body.slice(0, 160)}`);
      continue;
    }
    if (res.statusCode >= 400) {
      const code = res.json()?.error?.code;
      if (!ERROR_CODES[res.statusCode]?.test(code) || typeof res.json().error.message !== 'string')
        wrong.push(`${label}: error body ${res.body.slice(0, 160)}`);
    }
    if (res.statusCode < 300) await row.after?.(ctx, role, res);
  }
  return wrong;
}

// ── the fixture world ──────────────────────────────────────────────────────────────────────

beforeAll(async () => {
  // A stand-in for WeChat's code2session, so that the mini-program sign-in is reachable too.
  wechat = http.createServer((req, res) => {
    const url = new URL(req.url ?? '', 'http://x');
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(url.searchParams.get('js_code') === 'good-code' ? { openid: 'o-authz', session_key: 'k' } : { errcode: 40029 }));
  });
  await new Promise<void>((r) => wechat.listen(0, '127.0.0.1', r));
  t = await build({ WECHAT_API_BASE: `http://127.0.0.1:${(wechat.address() as AddressInfo).port}`, WECHAT_APPID: 'wx-authz', WECHAT_SECRET: 'secret' });

  tokens.admin = await t.login('admin');
  const dicts = (await t.as(tokens.admin, { method: 'GET', url: '/api/dicts' })).json();
  for (const s of dicts.stations as { code: string; id: string }[]) stationIds[s.code] = s.id;

  // The two users the demo organisation lacks: a plain clerk of jy-court and a dispatcher of 昆都仑区.
  for (const [username, body] of [
    ['jy_clerk', { name: '九原法院书记员', role: 'staff', stationId: stationIds['jy-court'] }],
    ['kd_center', { name: '昆区调度员', role: 'dispatcher', districtCode: '150203' }],
  ] as const) {
    const created = await call(tokens.admin, 'POST', '/api/admin/users', { username, password: 'Init@2026a', ...body });
    userIds[username] = created.json().id;
    const first = await t.login(username, 'Init@2026a');
    await call(first, 'POST', '/api/auth/password', { oldPassword: 'Init@2026a', newPassword: PASSWORDS[username] });
  }
  for (const role of STAFF_ROLES) {
    const username = USERNAMES[role] as string;
    tokens[role as Exclude<Role, 'anon'>] = await t.login(username, PASSWORDS[username]);
  }
  tokens.owner = await enterpriseToken(t);
  tokens.other = await enterpriseToken(t);
  world = await ticket('in_progress', true);
}, 120_000);

afterAll(async () => {
  await t?.close();
  wechat?.close();
});

// ── the tests ──────────────────────────────────────────────────────────────────────────────

describe('authorization matrix (DESIGN §1)', () => {
  it('has a row for every route of the OpenAPI document, and no row for a route that is gone', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const documented = new Set<string>();
    for (const [path, item] of Object.entries<Record<string, unknown>>(doc.paths)) {
      for (const method of Object.keys(item)) {
        if (['get', 'post', 'put', 'patch', 'delete'].includes(method)) documented.add(`${method.toUpperCase()} ${path}`);
      }
    }
    const tabled = new Set(ROWS.map((r) => r.route));
    const missing = [...documented].filter((r) => !tabled.has(r)).map((r) => `new route without a row: ${r}`);
    const stale = [...tabled].filter((r) => !documented.has(r)).map((r) => `row for a route that no longer exists: ${r}`);
    expect([...missing, ...stale]).toEqual([]);
    const cells = ROWS.length * ROLES.length;
    console.info(`authorization matrix: ${documented.size} routes × ${ROLES.length} roles (${ROWS.length} rows with state variants, ${cells} cells)`);
  });

  for (const row of ROWS) {
    it(`${row.route}${row.given ? ` [${row.given}]` : ''}`, async () => {
      expect(await runRow(row)).toEqual([]);
    });
  }
});

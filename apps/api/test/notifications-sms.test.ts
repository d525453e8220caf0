/**
 * The enterprise's SMS through the outbox, against a tiny local gateway: written with the event, sent in
 * the background, once per event, retried with backoff and recorded when the gateway fails; the resolved
 * SMS carries a signed single-use rating link that works without signing in.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverSmsOutbox, SMS_MAX_ATTEMPTS } from '../src/modules/notifications/sms-outbox.ts';
import { newPhone, post, ticketBody } from './fixtures.ts';
import { build, type TestApp, TestClock } from './helper.ts';

interface Sent {
  phone: string;
  template: string;
  params: Record<string, string>;
}

/** The gateway: records what it gets; answers 500 to the templates (or phones) told to fail. */
const gateway = {
  received: [] as Sent[],
  failing: new Set<string>(),
  server: null as http.Server | null,
  url: '',
};

let t: TestApp;
const clock = new TestClock();
let ent: string;
let phone: string;
let court: string;
let center: string;

async function otpSession(p: string): Promise<string> {
  expect((await t.app.inject({ method: 'POST', url: '/api/public/otp', payload: { phone: p } })).statusCode).toBe(204);
  const code = gateway.received.filter((m) => m.phone === p && m.template === 'otp').at(-1)!.params.code;
  const res = await t.app.inject({ method: 'POST', url: '/api/public/session', payload: { phone: p, code } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().token;
}

async function file(): Promise<{ no: string; id: string }> {
  const res = await t.as(ent, { method: 'POST', url: '/api/public/tickets', payload: ticketBody() });
  expect(res.statusCode, res.body).toBe(201);
  const no = res.json().no as string;
  const found = await t.as(center, { method: 'GET', url: `/api/tickets?q=${no}` });
  return { no, id: found.json().items[0].id };
}

async function outbox(no: string) {
  return t.database.rows<{ template: string; status: string; attempts: number; last_error: string | null; dedupe_key: string; phone: string }>(
    sql`select template, status, attempts, last_error, dedupe_key, phone from sms_outbox where params->>'no' = ${no} order by id`,
  );
}
const sentTo = (no: string, template?: string) => gateway.received.filter((m) => m.params.no === no && (!template || m.template === template));
const later = (ms: number) => clock.advance(ms);

async function ok(token: string, url: string, payload: unknown = {}) {
  const res = await post(t, token, url, payload);
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  return res.json();
}

/** The link of the resolved SMS of a ticket, after delivering the outbox. */
async function ratingLink(no: string): Promise<string> {
  await deliverSmsOutbox(t.app);
  const link = sentTo(no, 'resolved').at(-1)?.params.link;
  expect(link).toMatch(/^https:\/\/ys\.example\.cn\/m\/rate\/[\w.-]+$/);
  return link!.split('/').at(-1)!;
}

beforeAll(async () => {
  gateway.server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const m = JSON.parse(body) as Sent;
      gateway.received.push(m);
      res.statusCode = gateway.failing.has(m.template) || gateway.failing.has(m.phone) ? 500 : 200;
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => gateway.server!.listen(0, '127.0.0.1', resolve));
  gateway.url = `http://127.0.0.1:${(gateway.server.address() as AddressInfo).port}/sms`;
  t = await build({ SMS_PROVIDER: 'webhook', SMS_WEBHOOK_URL: gateway.url, SMS_WEBHOOK_TIMEOUT_MS: '2000', PUBLIC_BASE_URL: 'https://ys.example.cn' }, clock);
  phone = newPhone();
  ent = await otpSession(phone);
  court = await t.login('jy_court');
  center = await t.login('center');
}, 60_000);
afterAll(async () => {
  await t.close();
  await new Promise((resolve) => gateway.server?.close(resolve));
});

describe('the SMS outbox', () => {
  it('writes the received SMS with the ticket, sends it in the background, and retries a failing gateway with backoff', async () => {
    gateway.failing.add('received');
    const { no } = await file();
    // The request did not wait for the gateway: the message is in the outbox, not yet sent.
    expect(sentTo(no)).toEqual([]);
    expect(await outbox(no)).toMatchObject([
      { template: 'received', status: 'pending', attempts: 0, phone, dedupe_key: expect.stringMatching(/^received:e\d+$/) },
    ]);

    await deliverSmsOutbox(t.app);
    const [failed] = await outbox(no);
    expect(failed).toMatchObject({ status: 'pending', attempts: 1, last_error: expect.stringContaining('500') });
    const tries = sentTo(no).length;
    expect(tries).toBeGreaterThan(0);

    // Not before its backoff…
    await deliverSmsOutbox(t.app);
    expect(sentTo(no)).toHaveLength(tries);
    // …then again, and this time the gateway answers.
    gateway.failing.delete('received');
    later(31_000);
    expect(await deliverSmsOutbox(t.app)).toMatchObject({ sent: 1 });
    expect(await outbox(no)).toMatchObject([{ status: 'sent', attempts: 2, last_error: null }]);
    expect(sentTo(no).at(-1)).toEqual({ phone, template: 'received', params: { no } });
  });

  it('sends one message per event even when two dispatchers run at once', async () => {
    const { no, id } = await file();
    await ok(court, `/api/tickets/${id}/claim`);
    await ok(court, `/api/tickets/${id}/request-supplement`, { content: '请补充合同' });
    await Promise.all([deliverSmsOutbox(t.app), deliverSmsOutbox(t.app), deliverSmsOutbox(t.app)]);
    await deliverSmsOutbox(t.app);
    // Three dispatchers share the rows, so the messages may reach the gateway in any order: one of each, once.
    expect(
      sentTo(no)
        .map((m) => m.template)
        .sort(),
    ).toEqual(['claimed', 'received', 'supplement_requested']);
    expect(sentTo(no, 'claimed')[0]!.params).toEqual({ no, stationName: '九原区法院优商法官工作站' });
    expect((await outbox(no)).map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
  });

  it('gives up after the last attempt and records the failure', async () => {
    const other = newPhone();
    const res = await post(t, center, '/api/tickets', {
      ...ticketBody(),
      stationCode: undefined,
      consent: undefined,
      contactPhone: other,
      proxySource: '电话',
    });
    expect(res.statusCode, res.body).toBe(201);
    gateway.failing.add(other);
    for (let i = 0; i < SMS_MAX_ATTEMPTS + 2; i++) {
      await deliverSmsOutbox(t.app);
      later(3_600_000);
    }
    const [row] = await outbox(res.json().no);
    expect(row).toMatchObject({ status: 'failed', attempts: SMS_MAX_ATTEMPTS, last_error: expect.stringContaining('500') });
    gateway.failing.delete(other);
  });
});

describe('the rating link of the resolved SMS', () => {
  it('opens the ticket without signing in and rates it once', async () => {
    const { no, id } = await file();
    await ok(court, `/api/tickets/${id}/claim`);
    await ok(court, `/api/tickets/${id}/resolve`, { result: '已告知审理进度，预计下月开庭。' });
    const token = await ratingLink(no);

    const view = await t.app.inject({ method: 'GET', url: `/api/public/rating-links/${token}` });
    expect(view.statusCode, view.body).toBe(200);
    expect(view.json()).toMatchObject({ no, status: 'resolved', result: '已告知审理进度，预计下月开庭。', canRate: true });
    expect(view.json()).not.toHaveProperty('contactPhone');

    const rated = await t.app.inject({
      method: 'POST',
      url: `/api/public/rating-links/${token}`,
      payload: { solved: true, satisfaction: 'satisfied', comment: '很好' },
    });
    expect(rated.statusCode, rated.body).toBe(200);
    expect(rated.json()).toMatchObject({ no, status: 'closed', satisfaction: 'satisfied', solved: true });
    const detail = (await t.as(center, { method: 'GET', url: `/api/tickets/${id}` })).json();
    expect(detail).toMatchObject({ ratedVia: 'online' });
    expect(detail.events.find((e: { type: string }) => e.type === 'rated').data).toMatchObject({ link: true, satisfaction: 'satisfied' });

    for (const method of ['GET', 'POST'] as const) {
      const again = await t.app.inject({
        method,
        url: `/api/public/rating-links/${token}`,
        payload: method === 'POST' ? { solved: true, satisfaction: 'satisfied' } : undefined,
      });
      expect(again.statusCode).toBe(409);
      expect(again.json().error.message).toContain('已使用');
    }
  });

  it('refuses a link after 7 days, a tampered link, and the link of a resolution that was reopened', async () => {
    const first = await file();
    await ok(court, `/api/tickets/${first.id}/claim`);
    await ok(court, `/api/tickets/${first.id}/resolve`, { result: '已答复' });
    const token = await ratingLink(first.no);
    const [body, exp, sig] = token.split('.');
    const tampered = `${body}.${exp}.${sig!.startsWith('A') ? 'B' : 'A'}${sig!.slice(1)}`;
    expect((await t.app.inject({ method: 'GET', url: `/api/public/rating-links/${tampered}` })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: '/api/public/rating-links/nonsense' })).statusCode).toBe(404);

    later(7 * 86_400_000 + 60_000);
    const expired = await t.app.inject({ method: 'POST', url: `/api/public/rating-links/${token}`, payload: { solved: true, satisfaction: 'satisfied' } });
    expect(expired.statusCode).toBe(409);
    expect(expired.json().error.message).toContain('过期');

    clock.set(new Date());
    const second = await file();
    await ok(court, `/api/tickets/${second.id}/claim`);
    await ok(court, `/api/tickets/${second.id}/resolve`, { result: '第一次答复' });
    const old = await ratingLink(second.no);
    await ok(ent, `/api/public/tickets/${second.no}/rating`, { solved: false, satisfaction: 'dissatisfied' }); // reopened
    await ok(court, `/api/tickets/${second.id}/resolve`, { result: '第二次答复' });
    const stale = await t.app.inject({ method: 'POST', url: `/api/public/rating-links/${old}`, payload: { solved: true, satisfaction: 'satisfied' } });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().error.message).toContain('失效');
    // The new resolution has its own message and link.
    const fresh = await ratingLink(second.no);
    expect(fresh).not.toBe(old);
    const ok2 = await t.app.inject({
      method: 'POST',
      url: `/api/public/rating-links/${fresh}`,
      payload: { solved: true, satisfaction: 'basically_satisfied' },
    });
    expect(ok2.json()).toMatchObject({ status: 'closed', satisfaction: 'basically_satisfied' });
  });
});

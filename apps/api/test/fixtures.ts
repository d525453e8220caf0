/** Small factories for ticket tests: a signed-in business, a valid USCC, a filed ticket, a ticket in any state. */
import { usccCheckChar } from '@ys/shared';
import { expect } from 'vitest';
import type { TestApp } from './helper.ts';

export function uscc(body17 = '91150207MA0N1234X'.slice(0, 17)): string {
  return body17 + usccCheckChar(body17);
}

let phoneSeq = 0;
export function newPhone(): string {
  phoneSeq++;
  return `139${String(process.pid % 10000).padStart(4, '0')}${String(phoneSeq).padStart(4, '0')}`;
}

export async function enterpriseToken(t: TestApp, phone = newPhone()): Promise<string> {
  const otp = await t.app.inject({ method: 'POST', url: '/api/public/otp', payload: { phone } });
  expect(otp.statusCode, otp.body).toBe(200);
  const res = await t.app.inject({ method: 'POST', url: '/api/public/session', payload: { phone, code: otp.json().devCode } });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().token;
}

export function ticketBody(overrides: Record<string, unknown> = {}) {
  return {
    stationCode: 'jy-court',
    districtCode: '150207',
    categoryCode: 'case_progress',
    enterpriseName: '包头市九原区优商科技有限公司',
    uscc: uscc(),
    contactName: '张经理',
    title: '合同纠纷案件进度查询',
    content: '我公司 2026 年起诉的买卖合同纠纷案件已立案三个月，想了解审理进度。',
    consent: true,
    ...overrides,
  };
}

export async function submit(t: TestApp, token: string, overrides: Record<string, unknown> = {}) {
  const res = await t.as(token, { method: 'POST', url: '/api/public/tickets', payload: ticketBody(overrides) });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { no: string; status: string };
}

/** The staff id of a ticket number (dispatchers see every ticket of the city). */
export async function idOf(t: TestApp, no: string): Promise<string> {
  const center = await t.login('center');
  const res = await t.as(center, { method: 'GET', url: `/api/tickets?q=${no}` });
  const item = res.json().items[0];
  if (!item) throw new Error(`ticket ${no} not found`);
  return item.id;
}

export async function post(t: TestApp, token: string, url: string, payload: unknown = {}) {
  return t.as(token, { method: 'POST', url, payload: payload as Record<string, unknown> });
}

export type State = 'pending_dispatch' | 'pending_claim' | 'in_progress' | 'resolved' | 'closed' | 'withdrawn' | 'invalid';

/** A ticket targeted at jy-court brought into `state` through the API alone; jy-court has held it (so sees it) in every state but a fresh pending_claim. */
export async function ticketIn(t: TestApp, state: State, tokens: { ent: string; court: string; center: string }) {
  const { no } = await submit(t, tokens.ent);
  const id = await idOf(t, no);
  const ok = async (url: string, payload: unknown = {}, token = tokens.court) => {
    const res = await post(t, token, url, payload);
    expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  };
  if (state === 'pending_claim') return { id, no };
  await ok(`/api/tickets/${id}/claim`);
  if (state === 'in_progress') return { id, no };
  if (state === 'withdrawn') {
    await ok(`/api/public/tickets/${no}/withdraw`, { reason: '已自行解决' }, tokens.ent);
    return { id, no };
  }
  if (state === 'pending_dispatch' || state === 'invalid') {
    await ok(`/api/tickets/${id}/return`, { reason: '不属于法院职能' });
    if (state === 'invalid') await ok(`/api/tickets/${id}/invalidate`, { reason: '重复提交' }, tokens.center);
    return { id, no };
  }
  await ok(`/api/tickets/${id}/resolve`, { result: '已告知案件审理进度，预计下月开庭。' });
  if (state === 'resolved') return { id, no };
  await ok(`/api/public/tickets/${no}/rating`, { solved: true, satisfaction: 'satisfied' }, tokens.ent);
  return { id, no };
}

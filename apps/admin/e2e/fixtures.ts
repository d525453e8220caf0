/**
 * Set-up for the console's browser journeys (tests/e2e/admin-*.test.ts): businesses file tickets through the
 * public API, staff act through the staff API, and a page signs in the way a person does.
 */
import type { Page } from 'playwright-core';

export const USCC = '91150200MA0N000005';

async function call<T>(baseUrl: string, method: string, path: string, token: string | null, body?: unknown): Promise<T> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T>(baseUrl: string, path: string, token: string) => call<T>(baseUrl, 'GET', path, token),
  post: <T>(baseUrl: string, path: string, token: string | null, body: unknown = {}) => call<T>(baseUrl, 'POST', path, token, body),
};

/** A business signed in on the enterprise channel (OTP with the development code). */
export async function enterpriseToken(baseUrl: string, phone: string): Promise<string> {
  const { devCode } = await api.post<{ devCode: string }>(baseUrl, '/api/public/otp', null, { phone });
  const { token } = await api.post<{ token: string }>(baseUrl, '/api/public/session', null, { phone, code: devCode });
  return token;
}

export interface FiledTicket {
  no: string;
  id: string;
}

/** Files a ticket as a business and finds its id through a staff account that can see it. */
export async function fileTicket(
  baseUrl: string,
  enterprise: string,
  staffToken: string,
  t: { categoryCode: string; title: string; districtCode?: string; stationCode?: string; enterpriseName?: string },
): Promise<FiledTicket> {
  const created = await api.post<{ no: string }>(baseUrl, '/api/public/tickets', enterprise, {
    districtCode: t.districtCode ?? '150207',
    categoryCode: t.categoryCode,
    enterpriseName: t.enterpriseName ?? '包头市稀土新材料有限公司',
    uscc: USCC,
    contactName: '李经理',
    title: t.title,
    content: `${t.title}。企业在经营中遇到该问题，请求协助办理。`,
    consent: true,
    ...(t.stationCode ? { stationCode: t.stationCode } : {}),
  });
  const page = await api.get<{ items: { id: string; no: string }[] }>(baseUrl, `/api/tickets?view=all&q=${created.no}`, staffToken);
  const found = page.items.find((x) => x.no === created.no);
  if (!found) throw new Error(`ticket ${created.no} not visible to the staff account`);
  return { no: created.no, id: found.id };
}

/** Signs in on the console's sign-in page (wherever the page currently is). */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.waitForSelector('input[name=username]');
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('[data-test=login-submit]');
}

/** Page errors and unhandled rejections seen by the page (to assert there were none). */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Uncaught|Unhandled|TypeError|ReferenceError/.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  return errors;
}

/** Clicks a ticket action button (its data-action is the API's action name) and waits for its form. */
export async function openAction(page: Page, action: string): Promise<void> {
  await page.click(`[data-test=ticket-actions] [data-action=${action}]`);
  await page.waitForSelector('[data-test=action-form]');
}

export async function submitAction(page: Page): Promise<void> {
  await page.click('[data-test=action-submit]');
  await page.waitForSelector('[data-test=action-form]', { state: 'hidden' });
}

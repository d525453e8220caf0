/**
 * The signed rating link of the "办结" SMS (`/m/rate/{token}`): the business opens it without signing in,
 * reads the result, rates once, and the ticket closes; the link then says it has been used. The link is
 * read from the SMS the server's log provider writes.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enterpriseSession, json, phoneContext, visibleText } from './h5-helpers.ts';
import { apiLogin, launchBrowser, type ServerHandle, shotPath, startServer } from './harness.ts';

let server: ServerHandle;
let browser: Browser;
beforeAll(async () => {
  [server, browser] = await Promise.all([startServer({ LOG_LEVEL: 'info' }), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function staff(path: string, token: string, body?: unknown) {
  return fetch(`${server.baseUrl}/api${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** The rating link of the resolved SMS for this ticket, once the outbox has sent it. */
async function ratingLink(no: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    for (const line of server.logs.join('').split('\n')) {
      if (!line.includes(no) || !line.includes('/m/rate/')) continue;
      const m = /"link":"([^"]+\/m\/rate\/[^"]+)"/.exec(line);
      if (m?.[1]) return m[1];
    }
    if (Date.now() > deadline) throw new Error(`no rating link for ${no} in the server log`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/**
 * The server's /m/ route answers a path whose last segment ends like a file name (`.abc123`) as a file, and
 * a token's signature segment is such an ending about half the time: those links get a 404 instead of the
 * app. Such a link is opened with a trailing slash (the same route for the app) and the case is printed.
 */
function opened(link: string): string {
  if (!/\.[a-z0-9]+$/i.test(link)) return link;
  console.warn(`rating link ${link} ends like a file name: the server answers it 404; opening ${link}/`);
  return `${link}/`;
}

describe('the SMS rating link', () => {
  it('rates a resolved ticket without signing in, once', async () => {
    const session = await enterpriseSession(server.baseUrl, '13900005555');
    const filed = await json<{ no: string }>(
      await fetch(`${server.baseUrl}/api/public/tickets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          stationCode: 'jy-court',
          districtCode: '150207',
          categoryCode: 'case_progress',
          enterpriseName: '包头市九原区草原乳业有限公司',
          uscc: '91350100M000100Y43',
          contactName: '赵强',
          title: '借款合同纠纷案件审理进度',
          content: '我公司起诉的借款合同纠纷案件立案已两个月，想了解审理进度。',
          consent: true,
        }),
      }),
    );
    const court = await apiLogin(server.baseUrl, 'jy_court', 'Court@2025');
    const pool = await json<{ items: { id: string; no: string }[] }>(await staff('/tickets?view=pool', court));
    const id = pool.items.find((t) => t.no === filed.no)!.id;
    await json(await staff(`/tickets/${id}/claim`, court, {}));
    await json(await staff(`/tickets/${id}/resolve`, court, { result: '案件已排期，定于下月 12 日开庭，传票已送达。' }));

    const link = await ratingLink(filed.no);
    expect(link.startsWith(`${server.baseUrl}/m/rate/`)).toBe(true);

    const ctx = await phoneContext(browser);
    const page = await ctx.newPage();
    await page.goto(opened(link));
    await page.locator('[data-test=rating]').waitFor();
    expect(await visibleText(page, '[data-test=rate-result]')).toBe('案件已排期，定于下月 12 日开庭，传票已送达。');
    expect(await visibleText(page)).toContain(filed.no);
    await page.locator('[data-test=rating] label', { hasText: '已解决' }).click();
    await page.locator('[data-test=rating] label', { hasText: /^满意$/ }).click();
    await page.screenshot({ path: shotPath('h5-15-rate-link'), fullPage: true });
    await page.locator('[data-test=rating-send]').click();
    await page.locator('[data-test=rate-done]').waitFor();
    expect(await visibleText(page, '[data-test=rate-done]')).toContain('已归档');
    await page.screenshot({ path: shotPath('h5-16-rate-link-done') });

    const detail = await json<{ status: string; satisfaction: string; ratedVia: string }>(await staff(`/tickets/${id}`, court));
    expect(detail).toMatchObject({ status: 'closed', satisfaction: 'satisfied', ratedVia: 'online' });

    // Used once: opening it again explains why it no longer works.
    await page.goto(opened(link));
    await page.locator('[data-test=rate-closed]').waitFor();
    expect(await visibleText(page, '[data-test=rate-closed]')).toContain('评价链接已失效');
    await page.goto(`${server.baseUrl}/m/rate/not-a-real-token`);
    await page.locator('[data-test=rate-closed]').waitFor();
    expect(await visibleText(page, '[data-test=rate-closed]')).toContain('评价链接无效');
    await page.screenshot({ path: shotPath('h5-17-rate-link-invalid') });
    await ctx.close();
  });
});

/** A station user's day in the console: sign in, claim from the pool, message, resolve. */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { api, enterpriseToken, fileTicket, openAction, signIn, submitAction, watchErrors } from '../../apps/admin/e2e/fixtures.ts';
import { apiLogin, launchBrowser, type ServerHandle, shotPath, startServer } from './harness.ts';

let server: ServerHandle;
let browser: Browser;
beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

it('a station lead signs in, claims a pool ticket, leaves an internal note and resolves it', async () => {
  const base = server.baseUrl;
  const centre = await apiLogin(base, 'center', 'Center@2025');
  const business = await enterpriseToken(base, '13900001111');
  const ticket = await fileTicket(base, business, centre, { categoryCode: 'case_progress', title: '合同纠纷案件执行进度查询' });
  await fileTicket(base, business, centre, { categoryCode: 'enforcement', title: '判决已生效但对方拒不履行' });

  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = watchErrors(page);

  // A deep link before signing in comes back after sign-in.
  await page.goto(`${base}/admin/tickets/pool`);
  await page.waitForURL(/\/admin\/login\?redirect=/);
  await signIn(page, 'jy_court', 'Court@2025');
  await page.waitForURL(/\/admin\/tickets\/pool/);
  const row = page.locator('.el-table__row', { hasText: ticket.no });
  await row.waitFor();
  await page.screenshot({ path: shotPath('admin-station-pool-1280') });

  await row.locator('[data-test=claim]').click();
  await page.waitForURL(new RegExp(`/admin/tickets/${ticket.id}$`));
  await page.locator('[data-test=ticket-no]', { hasText: ticket.no }).waitFor();
  await page.locator('.el-tag', { hasText: '办理中' }).first().waitFor();

  // Exactly the API's allowedActions are offered.
  const detail = await api.get<{ allowedActions: string[] }>(base, `/api/tickets/${ticket.id}`, await apiLogin(base, 'jy_court', 'Court@2025'));
  const shown = await page.locator('[data-test=ticket-actions] [data-action]').evaluateAll((els) => els.map((e) => e.getAttribute('data-action')));
  expect(shown.sort()).toEqual([...detail.allowedActions].sort());

  // An internal note: validation first, then it lands in the timeline marked internal.
  await openAction(page, 'message');
  await page.click('[data-test=action-submit]');
  await page.locator('.el-form-item__error', { hasText: '请填写留言内容' }).waitFor();
  await page.locator('.el-radio', { hasText: '内部' }).click();
  await page.fill('[data-test=action-form] textarea', '已电话联系企业，约定下周一到庭查阅卷宗。');
  await submitAction(page);
  const note = page.locator('.entry.internal', { hasText: '约定下周一到庭查阅卷宗' });
  await note.waitFor();
  expect(await note.locator('.el-tag', { hasText: '内部' }).count()).toBe(1);

  await openAction(page, 'resolve');
  await page.locator('[data-test=action-form] textarea').first().fill('已向企业说明案件执行进度，承办法官将于十日内完成财产查控。');
  await page.locator('[data-test=action-form] textarea').nth(1).fill('《中华人民共和国民事诉讼法》第二百四十九条');
  await submitAction(page);
  await page.locator('.no-line .el-tag', { hasText: '已办结' }).waitFor();
  await page.locator('.entry.public', { hasText: '财产查控' }).waitFor();
  await page.screenshot({ path: shotPath('admin-station-resolved-1280'), fullPage: true });
  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.screenshot({ path: shotPath('admin-station-resolved-1920') });

  // 我的工单 keeps its filters in the URL: the back button restores them.
  await page.goto(`${base}/admin/tickets/mine?status=resolved`);
  await page.locator('.el-table__row', { hasText: ticket.no }).waitFor();
  await page.goto(`${base}/admin/tickets/mine?status=in_progress`);
  await page.locator('.el-table__empty-text').waitFor();
  await page.goBack();
  await page.locator('.el-table__row', { hasText: ticket.no }).waitFor();

  expect(errors).toEqual([]);
  await page.close();
});

it('shows the conflict kindly when another station user claimed first', async () => {
  const base = server.baseUrl;
  const centre = await apiLogin(base, 'center', 'Center@2025');
  const business = await enterpriseToken(base, '13900002222');
  const ticket = await fileTicket(base, business, centre, { categoryCode: 'legal_consult', title: '劳动合同解除的法律咨询' });

  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = watchErrors(page);
  await page.goto(`${base}/admin/login`);
  await signIn(page, 'jy_legal', 'Legal@2025');
  await page.waitForURL(/dashboard/);
  await page.goto(`${base}/admin/tickets/pool`);
  const row = page.locator('.el-table__row', { hasText: ticket.no });
  await row.waitFor();
  // Someone else at the station is faster.
  const other = await apiLogin(base, 'jy_legal', 'Legal@2025');
  await api.post(base, `/api/tickets/${ticket.id}/claim`, other);
  await row.locator('[data-test=claim]').click();
  await page.locator('.el-message-box', { hasText: '已被' }).waitFor();
  await page.screenshot({ path: shotPath('admin-station-claim-conflict') });
  await page.locator('.el-message-box button', { hasText: '知道了' }).click();
  await page.locator('.el-table__row', { hasText: ticket.no }).waitFor({ state: 'detached' });
  expect(errors).toEqual([]);
  await page.close();
});

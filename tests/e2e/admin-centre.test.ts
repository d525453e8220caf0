/** The centre's journeys: a dispatcher dispatches, approves an extension, records a return visit; a leader reads the figures. */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { api, enterpriseToken, type FiledTicket, fileTicket, openAction, signIn, submitAction, watchErrors } from '../../apps/admin/e2e/fixtures.ts';
import { apiLogin, launchBrowser, type ServerHandle, shotPath, startServer } from './harness.ts';

let server: ServerHandle;
let browser: Browser;
let centre: string;
let court: string;
let business: string;
beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  centre = await apiLogin(server.baseUrl, 'center', 'Center@2025');
  court = await apiLogin(server.baseUrl, 'jy_court', 'Court@2025');
  business = await enterpriseToken(server.baseUrl, '13900003333');
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function openTicket(page: Page, t: FiledTicket) {
  await page.goto(`${server.baseUrl}/admin/tickets/${t.id}`);
  await page.locator('[data-test=ticket-no]', { hasText: t.no }).waitFor();
}

it('a dispatcher dispatches, approves an extension and records a return visit', async () => {
  const base = server.baseUrl;
  // waits for the centre: a category without a station type
  const complaint = await fileTicket(base, business, centre, { categoryCode: 'business_env', title: '办理施工许可时被要求重复提交材料' });
  // held by the court station, which asks for more time
  const slow = await fileTicket(base, business, centre, { categoryCode: 'ip_protection', title: '商标被仿冒，请求协助维权' });
  await api.post(base, `/api/tickets/${slow.id}/claim`, court);
  await api.post(base, `/api/tickets/${slow.id}/extension`, court, { days: 5, reason: '需调取外地工商登记材料' });
  // resolved by the court station, not yet rated
  const done = await fileTicket(base, business, centre, { categoryCode: 'case_progress', title: '买卖合同纠纷何时开庭' });
  await api.post(base, `/api/tickets/${done.id}/claim`, court);
  await api.post(base, `/api/tickets/${done.id}/resolve`, court, { result: '已告知企业开庭时间为下月十日上午九时。' });

  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = watchErrors(page);
  await page.goto(`${base}/admin/login`);
  await signIn(page, 'center', 'Center@2025');
  await page.waitForURL(/dashboard/);
  await page.locator('[data-test=tile-pool] .tile-value', { hasText: /\d/ }).waitFor();
  await page.locator('[data-test=color-green] .n', { hasText: /\d/ }).waitFor();
  await page.waitForFunction(() => ![...document.querySelectorAll<HTMLElement>('.el-loading-mask')].some((e) => e.offsetParent !== null));
  await page.screenshot({ path: shotPath('admin-centre-dashboard-1280') });

  // 待分派 → dispatch to a named station
  await page.click('text=待分派');
  await page.locator('.el-table__row', { hasText: complaint.no }).click();
  await page.locator('[data-test=ticket-no]', { hasText: complaint.no }).waitFor();
  await openAction(page, 'dispatch');
  await page.click('[data-test=target-station]');
  await page.locator('.el-select-dropdown__item:visible', { hasText: '九原区司法局法律服务站' }).click();
  await page.fill('[data-test=action-form] textarea', '请法律服务站先行对接，协调住建部门说明材料要求。');
  await page.screenshot({ path: shotPath('admin-centre-dispatch-form') });
  await submitAction(page);
  await page.locator('.no-line .el-tag', { hasText: '待签收' }).waitFor();
  await page.locator('.entry', { hasText: '分派至 九原区司法局法律服务站' }).waitFor();

  // extension decision
  await openTicket(page, slow);
  await page.locator('.no-line .el-tag', { hasText: '延期 5 日待审批' }).waitFor();
  await openAction(page, 'decide_extension');
  await page.fill('[data-test=action-form] textarea', '同意，请抓紧办理。');
  await submitAction(page);
  await page.locator('.entry', { hasText: '同意延期 5 个工作日' }).waitFor();
  expect(await page.locator('[data-test=ticket-actions] [data-action=decide_extension]').count()).toBe(0);

  // return visit → recorded as the rating, the ticket closes
  await openTicket(page, done);
  await openAction(page, 'visit');
  await page.click('[data-test=action-submit]');
  await page.locator('.el-form-item__error', { hasText: '请选择回访方式' }).waitFor();
  await page.locator('[data-test=action-form] .el-radio', { hasText: '电话' }).click();
  await page.locator('[data-test=action-form] .el-radio', { hasText: '已解决' }).click();
  await page.locator('[data-test=action-form] .el-radio', { hasText: /^基本满意$/ }).click();
  await page.fill('[data-test=action-form] textarea', '企业表示已知悉开庭安排，希望庭审后尽快出具文书。');
  await submitAction(page);
  await page.locator('.no-line .el-tag', { hasText: '已归档' }).waitFor();
  await page.locator('.entry', { hasText: '电话回访' }).waitFor();
  await page.screenshot({ path: shotPath('admin-centre-visited-1280'), fullPage: true });

  // the 回访单 print view
  await page.goto(`${base}/admin/print/tickets/${done.id}/visit`);
  await page.locator('[data-test=slip]', { hasText: '回访单' }).waitFor();
  await page.locator('[data-test=slip]', { hasText: '基本满意' }).waitFor();
  await page.screenshot({ path: shotPath('admin-centre-visit-slip'), fullPage: true });
  await page.emulateMedia({ media: 'print' });
  expect(await page.locator('.toolbar').isVisible()).toBe(false);
  await page.emulateMedia({ media: 'screen' });

  expect(errors).toEqual([]);
  await page.close();
});

it('a leader opens 统计分析 and drills down from a rate to its tickets', async () => {
  const base = server.baseUrl;
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  const errors = watchErrors(page);
  await page.goto(`${base}/admin/login`);
  await signIn(page, 'leader', 'Leader@2025');
  await page.waitForURL(/dashboard/);
  await page.click('text=统计分析');
  await page.waitForURL(/\/admin\/stats/);
  const overview = await api.get<{ completionRate: { value: number | null; denominator: number } }>(
    base,
    '/api/stats/overview',
    await apiLogin(base, 'leader', 'Leader@2025'),
  );
  const rate = page.locator('[data-test=figure-completionRate] .rate-value');
  await rate.filter({ hasText: /%|—/ }).waitFor();
  await page.locator('[data-test=breakdown] .el-table__row').first().waitFor();
  await page.waitForTimeout(500); // charts finish drawing
  await page.screenshot({ path: shotPath('admin-leader-stats-1920'), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: shotPath('admin-leader-stats-1280') });

  await page.click('[data-test=figure-completionRate]');
  await page.waitForURL(/\/admin\/tickets\/all\?.*effective=true/);
  await page.locator('[data-test=drill-tags]', { hasText: '有效诉求' }).waitFor();
  await page.locator('.list-title + .muted', { hasText: `共 ${overview.completionRate.denominator} 件` }).waitFor();
  await page.screenshot({ path: shotPath('admin-leader-drilldown-1280') });

  // the numerator: the tickets that count as completed
  await page.goBack();
  await page.click('[data-test=figure-completionRate-numerator]');
  await page.waitForURL(/completed=true/);
  await page.locator('[data-test=drill-tags]', { hasText: '已办结' }).waitFor();
  expect(errors).toEqual([]);
  await page.close();
});

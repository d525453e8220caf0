/** Signing in and staying signed in: roles and the 403 page, first-login password change, lockout, refresh, expiry. */
import zlib from 'node:zlib';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { api, signIn, watchErrors } from '../../apps/admin/e2e/fixtures.ts';
import { apiLogin, launchBrowser, type ServerHandle, shotPath, startServer } from './harness.ts';

let server: ServerHandle;
let browser: Browser;
let admin: string;
beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  admin = await apiLogin(server.baseUrl, 'admin', 'Admin@2025');
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function newUser(username: string, password: string) {
  const { stations } = await api.get<{ stations: { id: string; code: string }[] }>(server.baseUrl, '/api/dicts', admin);
  const station = stations.find((s) => s.code === 'jy-court');
  await api.post(server.baseUrl, '/api/admin/users', admin, { username, name: '赵书记员', password, role: 'staff', stationId: station?.id });
}

it('a staff user who hand-types an admin URL gets the 403 page, and no admin menu', async () => {
  const base = server.baseUrl;
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = watchErrors(page);
  await page.goto(`${base}/admin/login`);
  await signIn(page, 'kd_court', 'Court@2025');
  await page.waitForURL(/dashboard/);
  expect(await page.locator('.side-menu', { hasText: '系统管理' }).count()).toBe(0);
  expect(await page.locator('.side-menu', { hasText: '统计分析' }).count()).toBe(0);

  await page.goto(`${base}/admin/system/users`);
  await page.locator('[data-test=forbidden]').waitFor();
  expect(page.url()).toContain('/admin/403?from=');
  expect(await page.locator('[data-test=forbidden]').textContent()).toContain('/system/users');
  await page.screenshot({ path: shotPath('admin-auth-403') });

  await page.goto(`${base}/admin/print/stations/00000000-0000-0000-0000-000000000000/poster`);
  await page.locator('[data-test=forbidden]').waitFor();
  expect(errors).toEqual([]);
  await page.close();
});

it('a new user must change the password at first sign-in, then reaches the page asked for', async () => {
  const base = server.baseUrl;
  await newUser('zhao_clerk', 'Temp@2025x');
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = watchErrors(page);
  await page.goto(`${base}/admin/tickets/all`);
  await signIn(page, 'zhao_clerk', 'Temp@2025x');
  await page.waitForURL(/\/admin\/password\?redirect=/);
  await page.locator('.el-alert', { hasText: '请先设置新密码' }).waitFor();
  await page.fill('input[name=oldPassword]', 'Temp@2025x');
  await page.fill('input[name=newPassword]', 'abc');
  await page.fill('input[name=confirm]', 'abc');
  await page.click('[data-test=password-submit]');
  await page.locator('.el-form-item__error', { hasText: '密码至少 8 位' }).waitFor();
  await page.screenshot({ path: shotPath('admin-auth-must-change') });
  await page.fill('input[name=newPassword]', 'Clerk#2026a');
  await page.fill('input[name=confirm]', 'Clerk#2026a');
  await page.click('[data-test=password-submit]');
  await page.waitForURL(/\/admin\/tickets\/all$/);
  expect(errors).toEqual([]);
  await page.close();
});

it('says the account is locked after five wrong passwords', async () => {
  const base = server.baseUrl;
  await newUser('qian_clerk', 'Temp@2025x');
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = watchErrors(page);
  await page.goto(`${base}/admin/login`);
  for (let i = 0; i < 5; i++) {
    await signIn(page, 'qian_clerk', `Wrong@${i}pass`);
    await page.locator('[data-test=login-error]').waitFor();
    await page.waitForFunction(() => !document.querySelector('[data-test=login-submit].is-loading'));
  }
  await page.locator('[data-test=login-error]', { hasText: '账号已锁定' }).waitFor();
  await page.locator('[data-test=login-error]', { hasText: '15 分钟' }).waitFor();
  await page.screenshot({ path: shotPath('admin-auth-locked') });
  expect(errors).toEqual([]);
  await page.close();
});

it('refreshes an expired access token without leaving the page, and sends an ended session back to sign-in and then back', async () => {
  const base = server.baseUrl;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(`${base}/admin/login`);
  await signIn(page, 'center', 'Center@2025');
  await page.waitForURL(/dashboard/);
  await page.goto(`${base}/admin/tickets/all?status=pending_dispatch`);
  await page.locator('.list-title').waitFor();

  // An access token that no longer works: the refresh cookie gets a new one, the page stays.
  await page.evaluate(() => sessionStorage.setItem('ys_admin_at', 'expired.token.value'));
  const refreshed = page.waitForResponse((r) => r.url().endsWith('/api/auth/refresh') && r.status() === 200);
  await page.click('button:has-text("刷新")');
  await refreshed;
  await page.waitForTimeout(300);
  expect(page.url()).toContain('/admin/tickets/all?status=pending_dispatch');
  expect(await page.evaluate(() => sessionStorage.getItem('ys_admin_at'))).not.toBe('expired.token.value');

  // The session ends (refresh cookie gone): back to sign-in, then back to the same list.
  await context.clearCookies();
  await page.evaluate(() => sessionStorage.setItem('ys_admin_at', 'expired.token.value'));
  await page.click('button:has-text("刷新")');
  await page.waitForURL(/\/admin\/login\?redirect=.*expired=1/);
  await page.locator('.el-alert', { hasText: '登录已过期' }).waitFor();
  await page.screenshot({ path: shotPath('admin-auth-expired') });
  await signIn(page, 'center', 'Center@2025');
  await page.waitForURL(/\/admin\/tickets\/all\?status=pending_dispatch$/);

  // Sign-out ends the session.
  await page.click('.user-chip');
  await page.locator('.el-dropdown-menu__item:visible', { hasText: '退出登录' }).click();
  await page.waitForURL(/\/admin\/login/);
  await page.goto(`${base}/admin/dashboard`);
  await page.waitForURL(/\/admin\/login\?redirect=/);
  expect(errors).toEqual([]);
  await context.close();
});

it('loads at most 300 KB of gzipped JavaScript for the sign-in page, and lazy-loads the rest', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const scripts = new Map<string, number>();
  page.on('response', async (r) => {
    if (r.request().resourceType() !== 'script') return;
    const body = await r.body().catch(() => null);
    if (body) scripts.set(r.url(), zlib.gzipSync(body).length);
  });
  await page.goto(`${server.baseUrl}/admin/login`, { waitUntil: 'networkidle' });
  await page.waitForSelector('[data-test=login-submit]');
  const total = [...scripts.values()].reduce((a, b) => a + b, 0);
  console.log(`sign-in page: ${scripts.size} scripts, ${(total / 1024).toFixed(1)} KB gzipped`);
  expect(total).toBeLessThanOrEqual(300 * 1024);
  // the console's screens and the charts are not part of it
  expect([...scripts.keys()].some((u) => /AppLayout|StatsView|echarts|TicketListView/.test(u))).toBe(false);
  await page.close();
});

/** System management: an administrator creates a station and downloads its 优商码. */
import fs from 'node:fs';
import jsQR from 'jsqr';
import type { Browser } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signIn, watchErrors } from '../../apps/admin/e2e/fixtures.ts';
import { launchBrowser, type ServerHandle, shotPath, startServer } from './harness.ts';

let server: ServerHandle;
let browser: Browser;
beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

it('an admin creates a station, downloads its QR code as PNG and SVG, and opens the poster', async () => {
  const base = server.baseUrl;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(`${base}/admin/login`);
  await signIn(page, 'admin', 'Admin@2025');
  await page.waitForURL(/dashboard/);
  await page.click('text=站点管理');
  await page.waitForURL(/system\/stations/);
  await page.locator('.el-table__row').first().waitFor();

  await page.click('[data-test=station-create]');
  const form = page.locator('[data-test=station-form]');
  await form.waitFor();
  // the form checks before it sends
  await page.click('[data-test=station-save]');
  await form.locator('.el-form-item__error', { hasText: '请填写站点编码' }).waitFor();
  await form.locator('input[name=code]').fill('by-legal');
  await form.locator('input[name=name]').fill('白云鄂博矿区司法局法律服务站');
  await form.locator('.el-form-item', { hasText: '站点类型' }).locator('.el-select').click();
  await page.locator('.el-select-dropdown__item:visible', { hasText: '法律服务站' }).click();
  await form.locator('input[name=agencyName]').fill('白云鄂博矿区司法局');
  await page.click('[data-test=station-district]');
  await page.locator('.el-select-dropdown__item:visible', { hasText: '白云鄂博矿区' }).click();
  await form.locator('input[name=address]').fill('白云鄂博矿区通阳道');
  await form.locator('input[name=phone]').fill('0472-8888888');
  await page.click('[data-test=station-save]');
  await form.waitFor({ state: 'hidden' });
  const row = page.locator('.el-table__row', { hasText: 'by-legal' });
  await row.waitFor();

  await page.click('[data-test=qr-by-legal]');
  await page.locator('[data-test=qr-image]').waitFor();
  await page.screenshot({ path: shotPath('admin-system-qr-dialog') });

  const [png] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=qr-png]')]);
  expect(png.suggestedFilename()).toBe('station-by-legal.png');
  const image = PNG.sync.read(fs.readFileSync(await png.path()));
  const decoded = jsQR(new Uint8ClampedArray(image.data), image.width, image.height);
  expect(decoded?.data).toBe(`${base}/m/s/by-legal`);

  const [svg] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=qr-svg]')]);
  expect(svg.suggestedFilename()).toBe('station-by-legal.svg');
  expect(fs.readFileSync(await svg.path(), 'utf8')).toContain('<svg');

  await page.click('[data-test=qr-poster]');
  await page.locator('[data-test=poster-station]', { hasText: '白云鄂博矿区司法局法律服务站' }).waitFor();
  await page.locator('[data-test=poster] img.qr').waitFor();
  await page.waitForFunction(() => (document.querySelector('[data-test=poster] img.qr') as HTMLImageElement | null)?.complete === true);
  await page.screenshot({ path: shotPath('admin-system-poster'), fullPage: true });
  expect(await page.locator('[data-test=poster] h1').textContent()).toContain('优商码');

  expect(errors).toEqual([]);
  await context.close();
});

it('an admin manages users, categories, the holiday calendar and reads the audit log', async () => {
  const base = server.baseUrl;
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  const errors = watchErrors(page);
  await page.goto(`${base}/admin/system/users`);
  await signIn(page, 'admin', 'Admin@2025');
  await page.waitForURL(/system\/users/);
  await page.locator('.el-table__row', { hasText: 'jy_court' }).waitFor();
  await page.screenshot({ path: shotPath('admin-system-users-1920') });

  await page.goto(`${base}/admin/system/categories`);
  await page.locator('.el-table__row', { hasText: '执行督促' }).waitFor();

  await page.goto(`${base}/admin/system/holidays`);
  await page.locator('.el-calendar').waitFor();
  await page.locator('.year-list li').first().waitFor();
  await page.waitForFunction(() => ![...document.querySelectorAll<HTMLElement>('.el-loading-mask')].some((e) => e.offsetParent !== null));
  // a click on a day opens its form
  await page.locator('.cell[data-date$="-15"]').first().click();
  await page.locator('.el-dialog', { hasText: '类型' }).waitFor();
  await page.keyboard.press('Escape');
  await page.locator('.el-dialog', { hasText: '类型' }).waitFor({ state: 'hidden' });
  await page.screenshot({ path: shotPath('admin-system-holidays-1920') });

  await page.goto(`${base}/admin/system/audit-logs`);
  await page.locator('.el-table__row', { hasText: 'auth.login' }).first().waitFor();
  await page.screenshot({ path: shotPath('admin-system-audit-1920') });
  expect(errors).toEqual([]);
  await page.close();
});

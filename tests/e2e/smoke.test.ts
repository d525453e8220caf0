import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
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

it('serves the admin app at /admin/ and the H5 app at /m/, with history-mode fallback', async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const res = await page.goto(`${server.baseUrl}/admin/`);
  expect(res?.status()).toBe(200);
  await page.waitForSelector('#app *');
  await page.screenshot({ path: shotPath('smoke-admin') });
  const deep = await page.goto(`${server.baseUrl}/m/s/jy-court`);
  expect(deep?.status()).toBe(200);
  await page.waitForSelector('#app *');
  expect(errors).toEqual([]);
  await page.close();
});

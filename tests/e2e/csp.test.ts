/**
 * The built admin console and H5 app run under the server's Content-Security-Policy without a single
 * violation, and the console's cookie refresh passes the same-site guard of /api/auth/refresh.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signIn } from '../../apps/admin/e2e/fixtures.ts';
import { launchBrowser, type ServerHandle, startServer } from './harness.ts';

let server: ServerHandle;
let browser: Browser;
beforeAll(async () => {
  [server, browser] = await Promise.all([startServer(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Every CSP violation a page reports, through the DOM event and the console. */
async function watchCsp(context: BrowserContext): Promise<string[]> {
  const violations: string[] = [];
  await context.exposeFunction('__reportCsp', (v: string) => violations.push(v));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __reportCsp(v: string): void }).__reportCsp(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  context.on('console', (m) => {
    if (/Content Security Policy|Refused to (load|execute|apply|connect|frame)/i.test(m.text())) violations.push(`console: ${m.text()}`);
  });
  return violations;
}

async function settle(page: Page) {
  await page.waitForLoadState('networkidle');
  await page.waitForSelector('#app *');
}

it('runs the admin console and the H5 app without CSP violations', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const violations = await watchCsp(context);
  const page = await context.newPage();

  await page.goto(`${server.baseUrl}/admin/login`);
  await signIn(page, 'admin', 'Admin@2025');
  await page.waitForURL(/dashboard/);
  await settle(page);
  for (const path of ['/admin/tickets/all', '/admin/stats', '/admin/system/stations']) {
    await page.goto(`${server.baseUrl}${path}`);
    await settle(page);
  }
  // A new tab has no access token: the console refreshes it with the cookie, from its own origin.
  const refreshes: number[] = [];
  const tab = await context.newPage();
  tab.on('response', (r) => {
    if (r.url().endsWith('/api/auth/refresh')) refreshes.push(r.status());
  });
  await tab.goto(`${server.baseUrl}/admin/tickets/all`);
  await settle(tab);
  expect(refreshes).toContain(200);
  expect(refreshes).not.toContain(403);
  expect(tab.url()).not.toContain('/login');

  for (const path of ['/m/', '/m/s/jy-court']) {
    await page.goto(`${server.baseUrl}${path}`);
    await settle(page);
  }
  expect(violations).toEqual([]);
  await context.close();
});

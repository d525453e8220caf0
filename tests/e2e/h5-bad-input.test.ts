/**
 * What the business sees when something is wrong: an unknown station code, a second SMS code within the
 * minute (429), a USCC with a wrong check character, an 11 MB photo, a file type that is not accepted, and
 * a file the server refuses as too large (this server is started with a 5 MB limit, below the app's own
 * 10 MB check, so the 413 reaches the page).
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bigJpeg, enterpriseSession, largePhotoPng, phoneContext, signedInContext, visibleText } from './h5-helpers.ts';
import { launchBrowser, type ServerHandle, shotPath, startServer } from './harness.ts';

let server: ServerHandle;
let browser: Browser;
let ctx: BrowserContext;
let page: Page;
let session: Awaited<ReturnType<typeof enterpriseSession>>;

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer({ UPLOAD_MAX_BYTES: String(5 * 1024 * 1024) }), launchBrowser()]);
  session = await enterpriseSession(server.baseUrl, '13900003333');
  ctx = await signedInContext(browser, session);
  page = await ctx.newPage();
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('bad input on the phone', () => {
  it('shows a friendly page for an unknown station code', async () => {
    const anon = await phoneContext(browser);
    const p = await anon.newPage();
    const res = await p.goto(`${server.baseUrl}/m/s/no-such-station`);
    expect(res?.status()).toBe(200);
    await p.locator('[data-test=station-missing]').waitFor();
    const text = await visibleText(p);
    expect(text).toContain('没有找到这个站点');
    expect(text).toContain('no-such-station');
    expect(text).toContain('请重新扫描站点张贴的“包你放心”优商码');
    await p.screenshot({ path: shotPath('h5-10-unknown-station') });
    await anon.close();
  });

  it('shows the rate limit when a code is asked for again within the minute, and counts down from Retry-After', async () => {
    await fetch(`${server.baseUrl}/api/public/otp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phone: '13900004444' }),
    });
    const anon = await phoneContext(browser);
    const p = await anon.newPage();
    await p.goto(`${server.baseUrl}/m/login`);
    await p.locator('input[name=phone]').fill('1390000444');
    await p.locator('[data-test=send-otp]').click();
    await p.getByText('请输入正确的 11 位手机号').waitFor();
    await p.locator('input[name=phone]').fill('13900004444');
    await p.locator('[data-test=send-otp]').click();
    await p.getByText('验证码发送过于频繁，请 1 分钟后再试').waitFor();
    expect(await visibleText(p, '[data-test=send-otp]')).toMatch(/^\d+ 秒后重发$/);
    expect(await p.locator('[data-test=send-otp]').isDisabled()).toBe(true);
    expect(await p.locator('input[name=code]').inputValue()).toBe('');
    await p.screenshot({ path: shotPath('h5-10b-otp-429') });
    await anon.close();
  });

  it('names the expected check character of a mistyped USCC and refuses to submit', async () => {
    await page.goto(`${server.baseUrl}/m/s/jy-court/new`);
    const uscc = page.locator('[name=uscc]');
    await uscc.waitFor();
    // The letter O is never used in a USCC: flagged as soon as it is typed.
    await uscc.pressSequentially('9135O');
    await page.getByText('统一社会信用代码不含字符“O”').waitFor();
    await uscc.fill('');
    // Right length, wrong last character (…Y43 is right).
    await uscc.pressSequentially('91350100M000100Y44');
    await page.getByText('校验位不正确：按前 17 位计算，最后一位应为“3”，请核对营业执照').waitFor();
    await page.locator('[data-test=submit]').click();
    await page.getByText('请选择诉求类别').waitFor();
    expect(page.url()).toMatch(/\/m\/s\/jy-court\/new$/);
    await page.screenshot({ path: shotPath('h5-11-bad-uscc'), fullPage: true });
    await uscc.fill('91350100M000100Y43');
    await expect.poll(() => page.getByText('校验位不正确').count()).toBe(0);
  });

  it('refuses an 11 MB photo it cannot shrink before uploading it, and a file type that is not accepted', async () => {
    const uploads: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/api/public/uploads')) uploads.push(r.url());
    });
    await page.locator('[data-test=file-input]').setInputFiles({ name: 'IMG_20261123.jpg', mimeType: 'image/jpeg', buffer: bigJpeg(11 * 1024 * 1024) });
    await page.locator('[data-test=upload-error]').first().waitFor();
    expect(await visibleText(page, '[data-test=upload-error]')).toBe('“IMG_20261123.jpg”超过 10 MB，无法上传，请压缩或拍摄较小的照片后重试');
    await page.locator('[data-test=upload-error]').first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: shotPath('h5-12-photo-too-large') });
    await page.locator('[data-test=file-input]').setInputFiles({ name: '录音.mp3', mimeType: 'audio/mpeg', buffer: Buffer.from('ID3 not a document') });
    await page.getByText('“录音.mp3”的类型不支持').waitFor();
    expect(uploads).toEqual([]);
    expect(await page.locator('[data-test=attachment]').count()).toBe(0);
  });

  it('shrinks a real 11 MB phone photo on the phone and uploads it', async () => {
    const photo = largePhotoPng();
    expect(photo.length).toBeGreaterThan(10 * 1024 * 1024);
    await page.locator('[data-test=file-input]').setInputFiles({ name: '车间全景.png', mimeType: 'image/png', buffer: photo });
    await page.locator('[data-test=attachment]').waitFor({ timeout: 60_000 });
    const item = await visibleText(page, '[data-test=attachment]');
    expect(item).toContain('车间全景.jpg');
    expect(item).toContain('已上传');
    const sizeMb = Number(/([\d.]+) MB/.exec(item)?.[1] ?? '0');
    expect(sizeMb).toBeLessThan(5);
    await page.locator('[data-test=attachment]').first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: shotPath('h5-13-photo-shrunk') });
    await page.locator('[data-test=attachment] .remove').click();
  });

  it("shows the server's 413 answer when it refuses a file as too large", async () => {
    // The server's own answer first, as the API promises it.
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bigJpeg(11 * 1024 * 1024))], { type: 'image/jpeg' }), 'big.jpg');
    const res = await fetch(`${server.baseUrl}/api/public/uploads`, { method: 'POST', headers: { authorization: `Bearer ${session.token}` }, body: form });
    expect(res.status).toBe(413);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('PAYLOAD_TOO_LARGE');

    await page.locator('[data-test=file-input]').setInputFiles({ name: '厂区全景.jpg', mimeType: 'image/jpeg', buffer: bigJpeg(6 * 1024 * 1024) });
    await page.getByText(`“厂区全景.jpg”上传失败：${body.error.message}`).waitFor();
    expect(await page.locator('[data-test=attachment]').count()).toBe(0);
    expect(await page.locator('[data-test=uploading]').count()).toBe(0);
    await page.locator('[data-test=upload-error]').first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: shotPath('h5-14-upload-413') });
  });
});

/** Shared steps of the H5 browser tests: a phone-sized WeChat-like page, an enterprise session, test files. */

import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PNG } from 'pngjs';

/** WeChat's in-app browser on Android: the app must work there. */
export const WECHAT_UA =
  'Mozilla/5.0 (Linux; Android 14; V2307A Build/UP1A.231005.007; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/130.0.6723.103 Mobile Safari/537.36 XWEB/1300259 MMWEBSDK/20241103 MMWEBID/2420 MicroMessenger/8.0.55.2780(0x28003737) WeChat/arm64 Weixin NetType/4G Language/zh_CN ABI/arm64';

export function phoneContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    userAgent: WECHAT_UA,
    locale: 'zh-CN',
  });
}

export async function json<T>(res: Response): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** Signs a business in through the API (dev OTP answer) and returns the session as the H5 app stores it. */
export async function enterpriseSession(baseUrl: string, phone: string): Promise<{ token: string; expiresAt: string; phone: string }> {
  const post = (path: string, body: unknown) =>
    fetch(`${baseUrl}/api/public${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const { devCode } = await json<{ devCode: string }>(await post('/otp', { phone }));
  const s = await json<{ token: string; expiresAt: string; phone: string }>(await post('/session', { phone, code: devCode, channel: 'qr' }));
  return { token: s.token, expiresAt: s.expiresAt, phone: s.phone ?? phone };
}

/** Makes a context start signed in, as after an earlier visit. */
export async function signedInContext(browser: Browser, session: { token: string; expiresAt: string; phone: string }): Promise<BrowserContext> {
  const ctx = await phoneContext(browser);
  await ctx.addInitScript((s) => {
    if (!localStorage.getItem('ys.h5.session')) localStorage.setItem('ys.h5.session', JSON.stringify(s));
  }, session);
  return ctx;
}

/** A real PNG photo (the server checks the bytes, not the name). */
export function photoPng(width = 320, height = 240): Buffer {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      png.data[i] = 180 + ((x * 3) % 60);
      png.data[i + 1] = 90 + ((y * 2) % 80);
      png.data[i + 2] = 60;
      png.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

/** A JPEG-looking file of the given size. */
export function bigJpeg(bytes: number): Buffer {
  const b = Buffer.alloc(bytes, 0x5a);
  b.set([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00], 0);
  return b;
}

/** The text a person sees (laid out, hidden parts left out) of the page or of one element. */
export function visibleText(page: Page, selector = 'body'): Promise<string> {
  // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the rendered text on purpose
  return page.locator(selector).first().innerText();
}

/** A real, decodable photo of about 11.5 MB (2400×2000 with grain, which PNG cannot compress away). */
export function largePhotoPng(): Buffer {
  const width = 2400;
  const height = 2000;
  const png = new PNG({ width, height });
  let seed = 1;
  const grain = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return Math.floor((seed / 0x7fffffff) * 32);
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const n = grain();
      png.data[i] = ((x * 255) / width + n) & 255;
      png.data[i + 1] = ((y * 255) / height + n) & 255;
      png.data[i + 2] = (128 + n) & 255;
      png.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

/**
 * The enterprise's whole journey on a phone (390×844, WeChat's browser): scan a station's code, sign in
 * with the SMS code, file a demand with a photo, get the receipt; the station claims it, asks for more
 * material and resolves it through the API; the business answers, rates it on the phone, and it closes.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enterpriseSession, json, phoneContext, photoPng, signedInContext, visibleText } from './h5-helpers.ts';
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

const USCC = '91350100M000100Y43';

async function staff(path: string, token: string, body?: unknown) {
  return fetch(`${server.baseUrl}/api${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function textOf(page: Page, selector: string): Promise<string> {
  return ((await page.locator(selector).first().textContent()) ?? '').trim();
}

describe('the enterprise channel on a phone', () => {
  let page: Page;
  let ticketNo = '';

  it('opens the scanned station: its name, the promise, the time limits and the privacy notice', async () => {
    const ctx = await phoneContext(browser);
    page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.baseUrl}/m/s/jy-court`);
    await page.getByRole('heading', { name: '九原区法院优商法官工作站' }).waitFor();
    const body = await visibleText(page);
    expect(body).toContain('法官工作站 · 九原区人民法院');
    expect(body).toContain('包你放心');
    expect(body).toContain('提交后会怎样');
    expect(body).toContain('涉企案件进度');
    expect(body).toContain('24 小时内签收 · 5 个工作日内办结');
    expect(body).toContain('个人信息保护');
    expect(await page.title()).toContain('九原区法院优商法官工作站');
    await page.screenshot({ path: shotPath('h5-01-landing'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('signs in with the SMS code, filled in from the development answer', async () => {
    await page.locator('[data-test=start]').click();
    await page.waitForURL(/\/m\/login\?redirect=/);
    await page.locator('input[name=phone]').fill('13900001111');
    await page.locator('[data-test=send-otp]').click();
    await expect.poll(() => page.locator('input[name=code]').inputValue()).toMatch(/^\d{6}$/);
    expect(await textOf(page, '[data-test=send-otp]')).toMatch(/\d+ 秒后重发/);
    expect(await visibleText(page)).toContain('今天已获取 1 次，还可获取 9 次');
    await page.screenshot({ path: shotPath('h5-02-login') });
    await page.locator('[data-test=sign-in]').click();
    await page.waitForURL(/\/m\/s\/jy-court\/new$/);
    const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('ys.h5.session') ?? 'null'));
    expect(stored.phone).toBe('13900001111');
  });

  it('fills the form with a photo; the draft survives a reload', async () => {
    await page.locator('input[name=enterpriseName]').waitFor();
    // The district comes preset from the station.
    expect(await page.locator('input[name=districtCode]').inputValue()).toBe('九原区');
    await page.locator('[data-test=category]').click();
    await page.locator('.van-action-sheet__item', { hasText: '执行督促' }).click();
    expect(await textOf(page, '[data-test=category-limits]')).toContain('24 小时内签收 · 15 个工作日内办结');
    expect(await textOf(page, '[data-test=category-limits]')).toContain('本站办理');
    await page.locator('input[name=enterpriseName]').fill('包头市鹿城机械制造有限公司');
    await page.locator('input[name=uscc]').fill(USCC.toLowerCase());
    expect(await page.locator('input[name=uscc]').inputValue()).toBe(USCC);
    await page.locator('input[name=contactName]').fill('王建国');
    await page.locator('[name=title]').fill('买卖合同纠纷判决后三个月未执行到位');
    await page
      .locator('textarea[name=content]')
      .fill('我公司与某商贸公司买卖合同纠纷一案已于今年判决生效，申请强制执行后三个月仍未执行到位，请求法院督促执行。');
    await page.locator('[data-test=file-input]').setInputFiles({ name: '现场照片.png', mimeType: 'image/png', buffer: photoPng() });
    await page.locator('[data-test=attachment]').waitFor();
    expect(await textOf(page, '[data-test=attachment]')).toContain('已上传');

    await page.reload();
    await page.locator('[data-test=draft-restored]').waitFor();
    expect(await page.locator('[name=title]').inputValue()).toBe('买卖合同纠纷判决后三个月未执行到位');
    expect(await page.locator('input[name=uscc]').inputValue()).toBe(USCC);
    expect(await page.locator('[data-test=attachment]').count()).toBe(1);
    expect(await visibleText(page)).toContain('17/60');
    await page.screenshot({ path: shotPath('h5-03-form'), fullPage: true });
  });

  it('submits once on a double tap and shows the receipt with the ticket number', async () => {
    // Without consent nothing is sent.
    await page.locator('[data-test=submit]').click();
    await page.getByText('请阅读并同意个人信息处理说明', { exact: true }).waitFor();
    await page.locator('[data-test=consent]').check();
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/api/public/tickets')) posts.push(r.headers()['idempotency-key'] ?? '');
    });
    await page.locator('[data-test=submit]').dblclick();
    await page.waitForURL(/\/m\/receipt\/YS\d{14}$/);
    ticketNo = await textOf(page, '[data-test=ticket-no]');
    expect(ticketNo).toMatch(/^YS\d{14}$/);
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatch(/^[0-9a-f-]{36}$/);
    await page.locator('[data-test=receipt-status]').waitFor();
    const body = await visibleText(page);
    expect(body).toContain('本站办理，站点将在 24 小时内签收');
    expect(body).toContain('等待站点签收');
    expect(body).toContain('前给出办理结果（15 个工作日）');
    await page.screenshot({ path: shotPath('h5-04-receipt'), fullPage: true });
    // The draft is gone once filed.
    expect(await page.evaluate(() => localStorage.getItem('ys.h5.draft.jy-court'))).toBeNull();
  });

  it('reaches the station pool; the station claims it, asks for material, the business answers; then it is resolved', async () => {
    const court = await apiLogin(server.baseUrl, 'jy_court', 'Court@2025');
    const pool = await json<{ items: { id: string; no: string; status: string; channel: string }[] }>(await staff('/tickets?view=pool', court));
    const mine = pool.items.find((t) => t.no === ticketNo);
    expect(mine).toMatchObject({ status: 'pending_claim', channel: 'qr' });
    const id = mine!.id;
    await json(await staff(`/tickets/${id}/claim`, court, {}));
    await json(await staff(`/tickets/${id}/request-supplement`, court, { content: '请补充生效判决书和执行案件受理通知书的照片。' }));

    await page.locator('[data-test=follow]').click();
    await page.waitForURL(new RegExp(`/m/tickets/${ticketNo}$`));
    await page.locator('[data-test=supplement-request]').waitFor();
    expect(await textOf(page, '[data-test=detail-status]')).toBe('请您补充材料');
    expect(await textOf(page, '[data-test=supplement-request]')).toContain('生效判决书');
    const timeline = await textOf(page, '[data-test=timeline]');
    expect(timeline).toContain('九原区法院优商法官工作站已签收，开始办理');
    await page.screenshot({ path: shotPath('h5-05-detail-supplement'), fullPage: true });
    await page.locator('[data-test=supplement-content] textarea').fill('判决书和受理通知书照片见附件。');
    await page
      .locator('[data-test=supplement] [data-test=file-input]')
      .setInputFiles({ name: '判决书.png', mimeType: 'image/png', buffer: photoPng(200, 280) });
    await page.locator('[data-test=supplement] [data-test=attachment]').waitFor();
    await page.locator('[data-test=supplement-send]').click();
    await page.locator('[data-test=supplement]').waitFor({ state: 'detached' });
    expect(await textOf(page, '[data-test=timeline]')).toContain('您补充了材料');

    await json(
      await staff(`/tickets/${id}/resolve`, court, {
        result: '已督促执行局加快办理，被执行人名下存款已冻结并划拨，案款将于 5 个工作日内发放。',
        legalBasis: '《中华人民共和国民事诉讼法》第二百五十三条',
      }),
    );
  });

  it('lists the ticket in plain words, and the business rates it: the ticket closes', async () => {
    await page.goto(`${server.baseUrl}/m/tickets`);
    await page.locator('[data-test=ticket-item]').first().waitFor();
    expect(await page.locator('[data-test=ticket-item]').count()).toBe(1);
    expect(await textOf(page, '[data-test=ticket-status]')).toBe('已办结，请您评价');
    await page.screenshot({ path: shotPath('h5-06-list') });

    await page.locator('[data-test=ticket-item]').first().click();
    await page.locator('[data-test=rating]').waitFor();
    expect(await textOf(page, '[data-test=timeline]')).toContain('办理结果：已督促执行局加快办理');
    await page.locator('[data-test=rating] label', { hasText: '已解决' }).click();
    await page.locator('[data-test=rating] label', { hasText: '基本满意' }).click();
    await page.locator('[data-test=rating] textarea').fill('法官很负责，案款到账后再次感谢。');
    await page.screenshot({ path: shotPath('h5-07-rating'), fullPage: true });
    await page.locator('[data-test=rating-send]').click();
    await page.locator('[data-test=rating]').waitFor({ state: 'detached' });
    expect(await textOf(page, '[data-test=detail-status]')).toBe('已归档');
    expect(await textOf(page, '[data-test=timeline]')).toContain('已归档（评价后归档）');
    await page.screenshot({ path: shotPath('h5-08-closed'), fullPage: true });

    const court = await apiLogin(server.baseUrl, 'jy_court', 'Court@2025');
    const all = await json<{ items: { id: string; no: string }[] }>(await staff(`/tickets?view=all&q=${ticketNo}`, court));
    const detail = await json<{ status: string; satisfaction: string; solved: boolean; ratedVia: string }>(
      await staff(`/tickets/${all.items.find((t) => t.no === ticketNo)!.id}`, court),
    );
    expect(detail).toMatchObject({ status: 'closed', satisfaction: 'basically_satisfied', solved: true, ratedVia: 'online' });
    await page.context().close();
  });

  it('withdraws an open demand after a confirmation', async () => {
    const session = await enterpriseSession(server.baseUrl, '13900002222');
    const filed = await json<{ no: string }>(
      await fetch(`${server.baseUrl}/api/public/tickets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          stationCode: 'jy-court',
          districtCode: '150207',
          categoryCode: 'case_progress',
          enterpriseName: '包头市九原区稀土新材料有限公司',
          uscc: USCC,
          contactName: '李娜',
          title: '案件开庭时间咨询',
          content: '想了解我公司作为原告的合同纠纷案件的开庭时间。',
          consent: true,
        }),
      }),
    );
    const ctx = await signedInContext(browser, session);
    const p = await ctx.newPage();
    await p.goto(`${server.baseUrl}/m/tickets/${filed.no}`);
    await p.locator('[data-test=withdraw]').click();
    await p.locator('.van-dialog').waitFor();
    // Confirming without a reason is refused in place.
    await p.locator('.van-dialog__confirm').click();
    await p.getByText('请填写撤回原因').waitFor();
    await p.locator('[data-test=withdraw-reason] textarea').fill('已与对方协商解决');
    await p.screenshot({ path: shotPath('h5-09-withdraw-confirm') });
    await p.locator('.van-dialog__confirm').click();
    await expect.poll(() => textOf(p, '[data-test=detail-status]')).toBe('您已撤回');
    expect(await textOf(p, '[data-test=timeline]')).toContain('您撤回了诉求');
    expect(await p.locator('[data-test=withdraw]').count()).toBe(0);
    await ctx.close();
  });
});

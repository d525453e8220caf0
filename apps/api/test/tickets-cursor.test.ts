/** Keyset paging of GET /api/tickets: `cursor` continues after the last row seen, `page` stays for the UI. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enterpriseToken, submit } from './fixtures.ts';
import { build, type TestApp } from './helper.ts';

let t: TestApp;
let center: string;
let ent: string;

beforeAll(async () => {
  t = await build();
  center = await t.login('center');
  ent = await enterpriseToken(t);
  for (let i = 0; i < 7; i++) await submit(t, ent, { title: `游标分页 ${i}` });
});
afterAll(() => t?.close());

type Page = { items: { id: string }[]; total: number; nextCursor: string | null };
const list = async (query: string) => {
  const res = await t.as(center, { method: 'GET', url: `/api/tickets?view=all&pageSize=3&${query}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Page;
};

async function walk(sort: string): Promise<string[]> {
  const ids: string[] = [];
  let page = await list(`sort=${sort}`);
  for (;;) {
    ids.push(...page.items.map((i) => i.id));
    if (page.nextCursor === null) return ids;
    page = await list(`sort=${sort}&cursor=${page.nextCursor}`);
  }
}

describe('GET /api/tickets with cursor', () => {
  it.each(['urgency', 'createdAt', '-createdAt'])('walks every ticket once in the same order as page numbers (sort=%s)', async (sort) => {
    const byPage: string[] = [];
    const first = await list(`sort=${sort}`);
    for (let p = 1; p <= Math.ceil(first.total / 3); p++) byPage.push(...(await list(`sort=${sort}&page=${p}`)).items.map((i) => i.id));
    const byCursor = await walk(sort);
    expect(byCursor).toEqual(byPage);
    expect(new Set(byCursor).size).toBe(first.total);
    expect(first.total).toBeGreaterThanOrEqual(7);
  });

  it('ends with nextCursor null and keeps total and page in the answer', async () => {
    const first = await list('sort=createdAt');
    expect(first.nextCursor).toEqual(expect.any(String));
    expect(first).toMatchObject({ page: 1, pageSize: 3 });
    const all = await t.as(center, { method: 'GET', url: '/api/tickets?view=all&pageSize=100' });
    expect(all.json().nextCursor).toBeNull();
    // a cursor page is not counted again: its total is null, the first page's stands
    const second = await list(`sort=createdAt&cursor=${first.nextCursor}`);
    expect(second).toMatchObject({ total: null, page: 1, pageSize: 3 });
  });

  it('neither repeats nor skips a row when a ticket is filed between two pages', async () => {
    const first = await list('sort=-createdAt');
    await submit(t, ent, { title: '翻页途中新提交' });
    const seen = [...first.items.map((i) => i.id)];
    let cursor = first.nextCursor;
    while (cursor) {
      const page = await list(`sort=-createdAt&cursor=${cursor}`);
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(first.total);
    // with offsets the newcomer pushes a row from page 1 onto page 2
    const offsetPage2 = await list('sort=-createdAt&page=2');
    expect(offsetPage2.items.map((i) => i.id)).toContain(first.items[2]!.id);
  });

  it('refuses a cursor that is garbage or belongs to another sort order', async () => {
    const first = await list('sort=createdAt');
    const other = await t.as(center, { method: 'GET', url: `/api/tickets?view=all&sort=-createdAt&cursor=${first.nextCursor}` });
    expect(other.statusCode).toBe(400);
    expect(other.json().error.code).toBe('VALIDATION_FAILED');
    for (const bad of [
      'abc',
      Buffer.from('["createdAt","x"]').toString('base64url'),
      Buffer.from('{"a":1}').toString('base64url'),
      Buffer.from('["createdAt","garbage","x"]').toString('base64url'),
      'a'.repeat(500),
      'not%20ok',
    ]) {
      const res = await t.as(center, { method: 'GET', url: `/api/tickets?view=all&sort=createdAt&cursor=${bad}` });
      expect(res.statusCode, bad).toBe(400);
    }
  });
});

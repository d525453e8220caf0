/**
 * Exports: the ticket list and the figures as .xlsx (parsed back with exceljs) and CSV, with Chinese
 * headers, the list's filters and scope, and every row across several keyset batches.
 */
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_BATCH } from '../src/modules/exports/tickets.ts';
import { enterpriseToken, submit } from './fixtures.ts';
import { build, type TestApp } from './helper.ts';
import { listed } from './stats-support.ts';

const BULK = EXPORT_BATCH * 2 + 345;
const TICKET_HEADERS = [
  '诉求编号',
  '提交时间',
  '渠道',
  '状态',
  '预警颜色',
  '旗县区',
  '诉求类别',
  '标题',
  '诉求内容',
  '企业名称',
  '统一社会信用代码',
  '联系人',
  '联系电话',
  '站点类型',
  '办理站点',
  '承办人',
  '签收时限',
  '首次签收时间',
  '办结时限',
  '办结时间',
  '归档时间',
  '督办',
  '重办次数',
  '是否解决',
  '满意度',
  '评价方式',
  '评价时间',
];

let t: TestApp;
let center: string;
let jyCenter: string;

async function download(token: string, url: string) {
  const res = await t.as(token, { method: 'GET', url });
  expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
  return res;
}

async function sheetRows(token: string, url: string): Promise<unknown[][]> {
  const res = await download(token, url);
  expect(res.headers['content-type']).toContain('spreadsheetml');
  expect(String(res.headers['content-disposition'])).toMatch(/attachment; .*filename\*=UTF-8''/);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
  const sheet = workbook.worksheets[0]!;
  const rows: unknown[][] = [];
  sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1)));
  return rows;
}

function csvRows(body: string): string[][] {
  // The test data has no quoted fields with line breaks: split plainly.
  return body
    .split('\r\n')
    .filter(Boolean)
    .map((line) => line.split(','));
}

beforeAll(async () => {
  t = await build();
  center = await t.login('center');
  jyCenter = await t.login('jy_center');
  const ent = await enterpriseToken(t);
  await submit(t, ent, { title: '=HYPERLINK("http://x") 公式注入' });
  await submit(t, ent, { stationCode: 'kd-court', districtCode: '150203', title: '昆区企业案件进度, 含逗号' });
  // Many more, written directly: three per second share a creation time, so the keyset must break ties by id.
  await t.database.rows(sql`
    insert into tickets (no, channel, enterprise_name, uscc, contact_name, contact_phone, district_code, category_code, title, content,
      status, pool_type, pool_district_code, resolve_due_at, created_at, updated_at)
    select 'YS20260101' || lpad(i::text, 6, '0'), 'qr', '包头市批量测试有限公司', '91150207MA0N1234X0', '张经理', '13900000000',
      case when i % 5 = 0 then '150203' else '150207' end, 'case_progress', '批量诉求 ' || i, '内容 ' || i,
      'pending_claim', 'court', '150207', timestamptz '2026-01-20 00:00:00+08', timestamptz '2026-01-01 00:00:00+08' + (i / 3) * interval '1 second', now()
    from generate_series(1, ${BULK}) i`);
}, 60_000);
afterAll(() => t.close());

describe('GET /api/tickets/export', () => {
  it('streams every ticket of the list as xlsx with Chinese headers, across keyset batches', async () => {
    const rows = await sheetRows(center, '/api/tickets/export');
    expect(rows[0]).toEqual(TICKET_HEADERS);
    const total = await listed(t, center, {});
    expect(total).toBe(BULK + 2);
    expect(rows).toHaveLength(total + 1);
    const numbers = rows.slice(1).map((r) => r[0]);
    expect(new Set(numbers).size).toBe(total); // no row twice, none lost at a batch boundary
    expect(rows[1]![2]).toBe('扫码');
    expect(rows.slice(1).some((r) => r[3] === '待签收')).toBe(true);
  });

  it('applies the same filters and scope as the list', async () => {
    const kd = await sheetRows(center, '/api/tickets/export?districtCode=150203');
    expect(kd.length - 1).toBe(await listed(t, center, { districtCode: '150203' }));
    const jy = await sheetRows(jyCenter, '/api/tickets/export');
    expect(jy.length - 1).toBe(await listed(t, jyCenter, {}));
    expect(jy.slice(1).every((r) => r[5] === '九原区')).toBe(true);
    const court = await t.login('kd_court');
    const own = await sheetRows(court, '/api/tickets/export?view=pool');
    expect(own.length - 1).toBe(await listed(t, court, { view: 'pool' }));
    expect((await t.as(center, { method: 'GET', url: '/api/tickets/export?status=nope' })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: '/api/tickets/export' })).statusCode).toBe(401);
  });

  it('writes CSV in UTF-8 with a BOM, quoting and defusing formulas', async () => {
    const res = await download(center, '/api/tickets/export?format=csv&q=公式');
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const body = res.rawPayload.toString('utf8').slice(1);
    const [header, row] = csvRows(body);
    expect(header).toEqual(TICKET_HEADERS);
    expect(body).toContain(`"'=HYPERLINK(""http://x"") 公式注入"`);
    expect(row).toBeDefined();
    const all = await download(center, '/api/tickets/export?format=csv');
    expect(csvRows(all.rawPayload.toString('utf8')).length - 1).toBe(BULK + 2);
    const comma = await download(center, '/api/tickets/export?format=csv&q=含逗号');
    expect(comma.rawPayload.toString('utf8')).toContain('"昆区企业案件进度, 含逗号"');
  });
});

describe('GET /api/stats/export', () => {
  it('writes the total and one row per group, with Chinese headers', async () => {
    const rows = await sheetRows(center, '/api/stats/export?dimension=district');
    expect(rows[0]).toEqual([
      '旗县区',
      '受理量',
      '有效量',
      '响应率(%)',
      '办结率(%)',
      '按期办结率(%)',
      '解决率(%)',
      '满意率(%)',
      '满意度(分)',
      '超期未办结',
      '平均签收时长(小时)',
      '平均办结时长(小时)',
      '红色预警',
      '橙色预警',
      '黄色预警',
      '绿色预警',
    ]);
    expect(rows.slice(1).map((r) => [r[0], r[1]])).toEqual([
      ['合计', BULK + 2],
      ['九原区', await listed(t, center, { districtCode: '150207' })],
      ['昆都仑区', await listed(t, center, { districtCode: '150203' })],
    ]);
    const csv = await download(jyCenter, '/api/stats/export?dimension=month&format=csv&from=2025-12-01T00:00:00%2B08:00&to=2026-02-01T00:00:00%2B08:00');
    const lines = csvRows(csv.rawPayload.toString('utf8').slice(1));
    expect(lines[0]![0]).toBe('月份');
    expect(lines.slice(1).map((l) => l[0])).toEqual(['合计', '2025年12月', '2026年1月']);
  });
});

/**
 * Exports: the ticket list and the figures as .xlsx (parsed back with exceljs) and CSV, with Chinese
 * headers, the list's filters and scope, and every row across several keyset batches; the sheet XML the
 * export writes row by row is the one exceljs's own row writer produces.
 */
import { PassThrough, type Readable } from 'node:stream';
import { inflateRawSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cell, type Column, tableStream } from '../src/modules/exports/tabular.ts';
import { EXPORT_BATCH, ticketBatches } from '../src/modules/exports/tickets.ts';
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

async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** One file of a zip, found through the central directory. */
function unzipEntry(zip: Buffer, name: string): string {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  let at = zip.readUInt32LE(end + 16);
  for (let i = zip.readUInt16LE(end + 10); i > 0; i--) {
    const [method, size, nameLength, extra, comment, local] = [10, 20, 28, 30, 32, 42].map((o) =>
      o === 20 || o === 42 ? zip.readUInt32LE(at + o) : zip.readUInt16LE(at + o),
    ) as [number, number, number, number, number, number];
    if (zip.toString('utf8', at + 46, at + 46 + nameLength) === name) {
      const data = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      const raw = zip.subarray(data, data + size);
      return (method === 8 ? inflateRawSync(raw) : raw).toString('utf8');
    }
    at += 46 + nameLength + extra + comment;
  }
  throw new Error(`${name} not in the zip`);
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
    // times in Asia/Shanghai to the minute: created 2026-01-01 00:00:00+08 + 100 s, due 2026-01-20 00:00+08
    const bulk300 = rows.find((r) => r[0] === 'YS20260101000300')!;
    expect([bulk300[1], bulk300[16], bulk300[18], bulk300[19]]).toEqual(['2026-01-01 00:01', undefined, '2026-01-20 00:00', undefined]);
    expect([bulk300[3], bulk300[21], bulk300[22], bulk300[23]]).toEqual(['待签收', '否', 0, undefined]); // status, supervised, reopens, solved
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

describe('the xlsx writer', () => {
  it('writes the same sheet as exceljs row by row, with the header bold and the first row frozen', async () => {
    const rows: Cell[][] = [
      ['a<b & "c" \'d\'', null, 3, ' lead and trail ', '=1+2'],
      [null, '控制\u0001字符\u007f', 0, '', '中文，逗号'],
      [null, null, null, null, null],
      ['after an empty row', 2.5, -1, 'x\r\ny\tz', undefined],
    ];
    const columns: Column<Cell[]>[] = ['文本', '空', '数字', '空白', '公式'].map((header, i) => ({ header, width: 10 + i, value: (r) => r[i] }));
    const ours = await bytesOf(
      tableStream(
        'xlsx',
        '表',
        columns,
        (async function* () {
          yield rows.slice(0, 2);
          yield rows.slice(2);
        })(),
      ),
    );
    // The reference: exceljs's streaming writer with every row through addRow().commit().
    const out = new PassThrough();
    const reference = bytesOf(out);
    const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
    const sheet = workbook.addWorksheet('表', { views: [{ state: 'frozen', ySplit: 1 }] });
    sheet.columns = columns.map((c, i) => ({ header: c.header, key: `c${i}`, width: c.width }));
    sheet.getRow(1).font = { bold: true };
    for (const row of rows) sheet.addRow(row.map((v) => v ?? null)).commit();
    sheet.commit();
    await workbook.commit();
    for (const part of ['xl/worksheets/sheet1.xml', 'xl/styles.xml', 'xl/workbook.xml']) {
      expect(unzipEntry(ours, part), part).toBe(unzipEntry(await reference, part));
    }
    const xml = unzipEntry(ours, 'xl/worksheets/sheet1.xml');
    expect(xml).not.toContain('<row r="4"'); // a row without values is left out, its number skipped
    expect(xml).toContain('<row r="5" spans="1:5"');
  });
});

describe('ticketBatches', () => {
  it('reads the tickets newest first in keyset pages of at most the batch size', async () => {
    const sizes: number[] = [];
    const seen = new Set<string>();
    let previous = '';
    for await (const batch of ticketBatches(t.app, undefined, new Date(), 500)) {
      sizes.push(batch.length);
      for (const row of batch) {
        seen.add(row.id);
        const key = `${row.cursorAt}|${row.id}`;
        if (previous) expect(row.cursorAt <= previous.split('|')[0]!).toBe(true);
        previous = key;
      }
    }
    const total = BULK + 2;
    expect(seen.size).toBe(total);
    expect(sizes).toEqual([...Array(Math.floor(total / 500)).fill(500), total % 500]);
  });

  it('can be left after the first page (a client that goes away) without an unhandled read', async () => {
    for await (const batch of ticketBatches(t.app, undefined, new Date(), 100)) {
      expect(batch).toHaveLength(100);
      break;
    }
    expect(await listed(t, center, {})).toBe(BULK + 2);
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

import { crc32, deflateRawSync } from 'node:zlib';
import type { MultipartFile } from '@fastify/multipart';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZIP_LIMITS } from '../src/modules/attachments/inspect.ts';
import { saveUpload, TICKET_QUOTA } from '../src/modules/attachments/service.ts';
import { multipart, PNG } from './files.ts';
import { enterpriseToken, submit } from './fixtures.ts';
import { build, type TestApp } from './helper.ts';

interface ZipEntry {
  name: string;
  data: Buffer;
  /** Declare another uncompressed size than the real one (a lying archive). */
  declaredSize?: number;
}

/** A ZIP archive written by hand, so that a test can make it as wrong as an attacker would. */
function zip(entries: ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const packed = deflateRawSync(e.data);
    const size = e.declaredSize ?? e.data.length;
    const head = Buffer.alloc(30);
    head.writeUInt32LE(0x04034b50, 0);
    head.writeUInt16LE(20, 4);
    head.writeUInt16LE(8, 8);
    head.writeUInt32LE(crc32(e.data), 14);
    head.writeUInt32LE(packed.length, 18);
    head.writeUInt32LE(size, 22);
    head.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc32(e.data), 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(head, name, packed);
    centrals.push(central, name);
    offset += head.length + name.length + packed.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const CONTENT_TYPES =
  '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>';
const docx = (extra: ZipEntry[] = []) =>
  zip([
    { name: '[Content_Types].xml', data: Buffer.from(CONTENT_TYPES) },
    { name: 'word/document.xml', data: Buffer.from('<w:document><w:body><w:p><w:r><w:t>诉求材料</w:t></w:r></w:p></w:body></w:document>') },
    ...extra,
  ]);

/** A PNG of about `bytes` (one big IDAT chunk), for the quota. */
function bigPng(bytes: number): Buffer {
  const ihdrEnd = 8 + 25;
  const chunk = Buffer.alloc(12 + bytes);
  chunk.writeUInt32BE(bytes, 0);
  chunk.write('IDAT', 4, 'latin1');
  return Buffer.concat([PNG.subarray(0, ihdrEnd), chunk, PNG.subarray(PNG.length - 12)]);
}

const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
);

let t: TestApp;
let ent: string;
beforeAll(async () => {
  t = await build();
  ent = await enterpriseToken(t);
});
afterAll(() => t?.close());

const upload = (name: string, bytes: Buffer, token = ent) => t.as(token, { method: 'POST', url: '/api/public/uploads', ...multipart(name, bytes) });
async function uploaded(name: string, bytes: Buffer, token = ent): Promise<string> {
  const res = await upload(name, bytes, token);
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

describe('uploads that are more than they seem', () => {
  it('accepts plain images, PDFs and Office documents', async () => {
    await uploaded('照片.png', PNG);
    await uploaded('材料.pdf', PDF);
    const doc = await upload('材料.docx', docx());
    expect(doc.statusCode, doc.body).toBe(201);
    expect(doc.json().mime).toContain('wordprocessingml');
  });

  it('refuses polyglots: a PNG that is also a ZIP or an HTML page, a PDF with script or embedded files', async () => {
    for (const [name, bytes] of [
      ['zip.png', Buffer.concat([PNG, docx()])],
      ['html.png', Buffer.concat([PNG, Buffer.from('<html><script>alert(1)</script></html>')])],
      [
        'text-chunk.png',
        Buffer.concat([PNG.subarray(0, 33), Buffer.from('\x00\x00\x00\x1btEXtComment\x00<svg onload=alert(1)>\x00\x00\x00\x00', 'latin1'), PNG.subarray(33)]),
      ],
      ['script.pdf', Buffer.from(PDF.toString().replace('/Type /Catalog', '/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>'))],
      ['embedded.pdf', Buffer.from(PDF.toString().replace('/Type /Catalog', '/Type /Catalog /Names << /EmbeddedFiles 3 0 R >>'))],
    ] as const) {
      const res = await upload(name, bytes);
      expect(res.statusCode, name).toBe(415);
      expect(res.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('refuses zip bombs: too large once inflated, a size that lies, too many parts; and paths that climb out', async () => {
    const zeros = Buffer.alloc(ZIP_LIMITS.maxUncompressedBytes + 1024 * 1024);
    const cases: [string, Buffer, number][] = [
      ['huge.docx', docx([{ name: 'word/media/zeros.bin', data: zeros }]), 413],
      ['liar.docx', docx([{ name: 'word/media/small.bin', data: Buffer.alloc(20 * 1024 * 1024), declaredSize: 1000 }]), 413],
      ['parts.docx', docx(Array.from({ length: ZIP_LIMITS.maxEntries }, (_, i) => ({ name: `word/p${i}.xml`, data: Buffer.from('<p/>') }))), 413],
      ['slip.docx', docx([{ name: '../../evil.sh', data: Buffer.from('echo') }]), 415],
    ];
    for (const [name, bytes, status] of cases) {
      const res = await upload(name, bytes);
      expect(res.statusCode, `${name}: ${res.body}`).toBe(status);
    }
  });

  it('keeps only the last part of a name, without control or direction characters, and sends a safe header', async () => {
    for (const [given, kept] of [
      ['..\\..\\windows\\system32\\evil.png', 'evil.png'],
      ['/etc/passwd/../photo.png', 'photo.png'],
      ['\u202eevil\u0007\u0001.png', 'evil.png'],
      ['...hidden.png', 'hidden.png'],
      ['报\t告<>|?*.png', '报告.png'],
    ] as const) {
      const res = await upload(given, PNG);
      expect(res.statusCode, given).toBe(201);
      expect(res.json().name).toBe(kept);
      const dl = await t.as(ent, { method: 'GET', url: `/api/public/attachments/${res.json().id}?download=true` });
      expect(dl.statusCode).toBe(200);
      const header = String(dl.headers['content-disposition']);
      expect(header).toMatch(/^attachment; filename="[\x20-\x7e]*"; filename\*=UTF-8''[\w%.\-~!'()*]+$/);
      expect(header).not.toMatch(/[\\/\r\n]/);
    }
  });
});

describe('the size limit', () => {
  it('refuses a file the parser cut at the limit even when it reported no error (413, nothing stored)', async () => {
    const before = await t.database.rows(sql`select count(*)::int as n from attachments`);
    // What @fastify/multipart's toBuffer answers when busboy flags the cut after the last chunk it read.
    const cut = { filename: 'big.png', toBuffer: async () => PNG, file: { truncated: true } } as unknown as MultipartFile;
    await expect(saveUpload(t.app, cut, { kind: 'enterprise', id: 'x' })).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(await t.database.rows(sql`select count(*)::int as n from attachments`)).toEqual(before);
  });
});

describe('downloads', () => {
  it('answers a byte range 206 with Content-Range, a range past the end 416, several ranges the whole file', async () => {
    const id = await uploaded('photo.png', PNG);
    const get = (range?: string) => t.as(ent, { method: 'GET', url: `/api/public/attachments/${id}`, headers: range ? { range } : {} });
    const whole = await get();
    expect(whole.statusCode).toBe(200);
    expect(whole.headers['accept-ranges']).toBe('bytes');

    const first = await get('bytes=0-9');
    expect(first.statusCode).toBe(206);
    expect(first.headers['content-range']).toBe(`bytes 0-9/${PNG.length}`);
    expect(first.headers['content-length']).toBe('10');
    expect(first.rawPayload.equals(PNG.subarray(0, 10))).toBe(true);

    const rest = await get('bytes=10-');
    expect(rest.statusCode).toBe(206);
    expect(rest.rawPayload.equals(PNG.subarray(10))).toBe(true);
    const last = await get('bytes=-12');
    expect(last.rawPayload.equals(PNG.subarray(PNG.length - 12))).toBe(true);
    const clipped = await get(`bytes=5-${PNG.length + 100}`);
    expect(clipped.headers['content-range']).toBe(`bytes 5-${PNG.length - 1}/${PNG.length}`);

    const past = await get(`bytes=${PNG.length}-`);
    expect(past.statusCode).toBe(416);
    expect(past.headers['content-range']).toBe(`bytes */${PNG.length}`);
    expect((await get('bytes=0-1,4-5')).statusCode).toBe(200);
    expect((await get('pages=1-2')).statusCode).toBe(200);
  });
});

describe('the storage quota of a ticket', () => {
  it(`holds at most ${TICKET_QUOTA.files} files`, async () => {
    const ids: string[] = [];
    for (let i = 0; i < TICKET_QUOTA.files; i++) ids.push(await uploaded(`p${i}.png`, PNG));
    const { no } = await submit(t, ent, { attachmentIds: ids });
    const more = await uploaded('one-more.png', PNG);
    const res = await t.as(ent, { method: 'POST', url: `/api/public/tickets/${no}/supplements`, payload: { content: '补充', attachmentIds: [more] } });
    expect(res.statusCode, res.body).toBe(413);
    expect(res.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    // nothing of the refused supplement stayed: the file is still free, the timeline unchanged
    const ticket = (await t.as(ent, { method: 'GET', url: `/api/public/tickets/${no}` })).json();
    expect(ticket.attachments).toHaveLength(TICKET_QUOTA.files);
    expect(ticket.events.map((e: { type: string }) => e.type)).not.toContain('supplemented');
  });

  it(`holds at most ${TICKET_QUOTA.bytes / 1024 / 1024} MB`, async () => {
    const nine = bigPng(9 * 1024 * 1024);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await uploaded(`big${i}.png`, nine));
    const { no } = await submit(t, ent, { attachmentIds: ids });
    const sixth = await uploaded('big5.png', nine);
    const refused = await t.as(ent, { method: 'POST', url: `/api/public/tickets/${no}/supplements`, payload: { content: '补充', attachmentIds: [sixth] } });
    expect(refused.statusCode).toBe(413);
    const small = await uploaded('small.png', PNG);
    const ok = await t.as(ent, { method: 'POST', url: `/api/public/tickets/${no}/supplements`, payload: { content: '补充', attachmentIds: [small] } });
    expect(ok.statusCode, ok.body).toBe(200);
  });
});

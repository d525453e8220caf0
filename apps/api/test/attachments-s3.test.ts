/** Attachments in an S3-compatible bucket (s3rver in its own process): upload, streamed download, and stored-before-the-row. */
import fs from 'node:fs';
import path from 'node:path';
import { attachments } from '@ys/shared/schema';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { enterpriseToken, idOf, submit } from './fixtures.ts';
import { build, type TestApp } from './helper.ts';
import { S3_BUCKET, type S3Server, startS3Server } from './s3-server.ts';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
// A PDF large enough to arrive in many chunks.
const PDF = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.alloc(3 * 1024 * 1024, 0x20), Buffer.from('\n%%EOF\n')]);

function multipart(name: string, bytes: Buffer) {
  const boundary = '----ys-s3-boundary';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

let s3: S3Server;
let t: TestApp;
let ent: string;
let court: string;

beforeAll(async () => {
  s3 = await startS3Server();
  t = await build(s3.env);
  ent = await enterpriseToken(t);
  court = await t.login('jy_court');
});

afterAll(async () => {
  await t?.close();
  await s3?.dispose();
});

const upload = (token: string, name: string, bytes: Buffer, url = '/api/public/uploads') => t.as(token, { method: 'POST', url, ...multipart(name, bytes) });
const rowCount = async () => (await t.database.db.select({ id: attachments.id }).from(attachments)).length;

describe('attachments in S3-compatible storage', () => {
  it('is chosen by S3_BUCKET, and the configuration names what is missing', () => {
    expect(t.app.attachmentStorage.kind).toBe('s3');
    expect(() => loadConfig({ S3_ENDPOINT: s3.endpoint })).toThrow(/S3_BUCKET/);
    expect(() => loadConfig({ S3_BUCKET: S3_BUCKET, S3_ACCESS_KEY_ID: 'x' })).toThrow(/S3_SECRET_ACCESS_KEY/);
    expect(loadConfig({ S3_BUCKET: S3_BUCKET, S3_ENDPOINT: s3.endpoint }).s3).toMatchObject({ forcePathStyle: true, region: 'us-east-1' });
    expect(loadConfig({ S3_BUCKET: S3_BUCKET }).s3).toMatchObject({ forcePathStyle: false, endpoint: null });
  });

  it('stores an upload in the bucket, not on local disk, and streams it back to who may see the ticket', async () => {
    const res = await upload(ent, '起诉状.pdf', PDF);
    expect(res.statusCode, res.body).toBe(201);
    const [row] = await t.database.db.select().from(attachments).where(eq(attachments.id, res.json().id));
    expect(await t.app.attachmentStorage.exists(row!.storageKey)).toBe(true);
    expect(fs.existsSync(path.join(t.dataDir, 'files'))).toBe(false);

    const { no } = await submit(t, ent, { attachmentIds: [res.json().id] });
    await idOf(t, no);
    const dl = await t.as(court, { method: 'GET', url: `/api/attachments/${res.json().id}?download=true` });
    expect(dl.statusCode).toBe(200);
    expect(dl.headers['content-type']).toBe('application/pdf');
    expect(Number(dl.headers['content-length'])).toBe(PDF.length);
    expect(dl.rawPayload.equals(PDF)).toBe(true);
    const mine = await t.as(ent, { method: 'GET', url: `/api/public/attachments/${res.json().id}` });
    expect(mine.rawPayload.equals(PDF)).toBe(true);

    const staff = await upload(court, '现场.png', PNG, '/api/attachments');
    expect(staff.statusCode, staff.body).toBe(201);
    expect((await t.as(court, { method: 'GET', url: `/api/attachments/${staff.json().id}` })).rawPayload.equals(PNG)).toBe(true);
  });

  it('inserts no row when the store cannot take the object, and works again once it is back', async () => {
    const before = await rowCount();
    await s3.stop();
    try {
      const down = await upload(ent, 'photo.png', PNG);
      expect(down.statusCode).toBe(503);
      expect(down.json().error.code).toBe('SERVICE_UNAVAILABLE');
      expect(await rowCount()).toBe(before);
    } finally {
      await s3.restart();
    }
    const up = await upload(ent, 'photo.png', PNG);
    expect(up.statusCode, up.body).toBe(201);
    expect(await rowCount()).toBe(before + 1);
  });

  it('has every attachment row pointing at a stored object', async () => {
    const rows = await t.database.db.select({ key: attachments.storageKey }).from(attachments);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(await t.app.attachmentStorage.exists(r.key)).toBe(true);
  });
});

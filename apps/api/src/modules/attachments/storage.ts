/**
 * Attachment bytes live under a random key, on local disk (DATA_DIR/files) or in an S3-compatible bucket;
 * the original name is metadata only. `put` resolves only once the bytes are durable — a file written to
 * a temporary name, fsynced and renamed; an object the store has acknowledged — and the caller inserts
 * the row after it, so that no row ever points at bytes that are not stored (a crash leaves at most an
 * orphan file or object).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import type { Config, S3Config } from '../../config.ts';
import { AppError } from '../../errors.ts';

export interface ByteRange {
  start: number;
  end: number;
}

export interface AttachmentStorage {
  readonly kind: 'local' | 's3';
  put(bytes: Buffer, mime: string): Promise<string>;
  /** The stored bytes as a stream (rejects when the key is not stored); `range` is inclusive, as in HTTP. */
  open(key: string, range?: ByteRange): Promise<Readable>;
  exists(key: string): Promise<boolean>;
}

const KEY = /^[a-f0-9]{2}\/[a-f0-9]{32}$/;

function newKey(): string {
  const name = randomBytes(16).toString('hex');
  return `${name.slice(0, 2)}/${name}`;
}

function checkKey(key: string): string {
  if (!KEY.test(key)) throw new Error('bad storage key');
  return key;
}

export function createStorage(config: Config, log: FastifyBaseLogger): AttachmentStorage {
  return config.s3 ? s3Storage(config.s3, log) : localStorage(config.dataDir);
}

export function localStorage(dataDir: string): AttachmentStorage {
  const root = path.join(dataDir, 'files');
  const pathOf = (key: string) => path.join(root, checkKey(key));
  return {
    kind: 'local',
    async put(bytes) {
      const key = newKey();
      const final = pathOf(key);
      await fsp.mkdir(path.dirname(final), { recursive: true });
      const tmp = `${final}.tmp`;
      const handle = await fsp.open(tmp, 'wx', 0o600);
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fsp.rename(tmp, final);
      return key;
    },
    open: (key, range) =>
      new Promise((resolve, reject) => {
        const stream = fs.createReadStream(pathOf(key), range);
        stream.once('open', () => resolve(stream)).once('error', reject);
      }),
    exists: (key) =>
      fsp.access(pathOf(key)).then(
        () => true,
        () => false,
      ),
  };
}

/** An S3-compatible bucket (AWS S3, MinIO, Ceph RGW, OSS/COS in S3 mode); downloads stream from the store. */
export function s3Storage(s3: S3Config, log: FastifyBaseLogger): AttachmentStorage {
  // The SDK is loaded only here: an installation with local storage never pays for it at start.
  const sdk = import('@aws-sdk/client-s3').then((m) => ({
    m,
    client: new m.S3Client({
      region: s3.region,
      endpoint: s3.endpoint ?? undefined,
      forcePathStyle: s3.forcePathStyle,
      credentials: s3.accessKeyId && s3.secretAccessKey ? { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } : undefined,
      // Checksums only where the API requires them: not every S3-compatible store accepts the newer trailers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
    }),
  }));
  sdk.catch(() => {});
  const Bucket = s3.bucket;
  // The store being down or refusing is the operator's problem, not the caller's: 503, with the cause logged.
  const unavailable = (err: unknown) => {
    log.error({ err }, 'attachment storage failed');
    return new AppError('SERVICE_UNAVAILABLE', '附件存储暂不可用，请稍后重试');
  };
  return {
    kind: 's3',
    async put(bytes, mime) {
      const Key = newKey();
      try {
        const { m, client } = await sdk;
        await client.send(new m.PutObjectCommand({ Bucket, Key, Body: bytes, ContentLength: bytes.length, ContentType: mime }));
      } catch (err) {
        throw unavailable(err);
      }
      return Key;
    },
    async open(key, range) {
      try {
        const Range = range ? `bytes=${range.start}-${range.end}` : undefined;
        const { m, client } = await sdk;
        const out = await client.send(new m.GetObjectCommand({ Bucket, Key: checkKey(key), Range }));
        return out.Body as Readable;
      } catch (err) {
        throw unavailable(err);
      }
    },
    async exists(key) {
      try {
        const { m, client } = await sdk;
        await client.send(new m.HeadObjectCommand({ Bucket, Key: checkKey(key) }));
        return true;
      } catch (err) {
        if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
        throw err;
      }
    },
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    attachmentStorage: AttachmentStorage;
  }
}

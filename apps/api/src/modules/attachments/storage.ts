/**
 * Attachment bytes live under DATA_DIR/files with a random name; the original name is metadata only.
 * A file is written to a temporary name, fsynced and renamed before its row is inserted, so that no row
 * ever points at bytes that are not on disk (a crash leaves at most an orphan file).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

export interface AttachmentStorage {
  put(bytes: Buffer): Promise<string>;
  open(key: string): fs.ReadStream;
  exists(key: string): Promise<boolean>;
}

export function localStorage(dataDir: string): AttachmentStorage {
  const root = path.join(dataDir, 'files');
  const pathOf = (key: string) => {
    if (!/^[a-f0-9]{2}\/[a-f0-9]{32}$/.test(key)) throw new Error('bad storage key');
    return path.join(root, key);
  };
  return {
    async put(bytes) {
      const name = randomBytes(16).toString('hex');
      const key = `${name.slice(0, 2)}/${name}`;
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
    open: (key) => fs.createReadStream(pathOf(key)),
    exists: (key) =>
      fsp.access(pathOf(key)).then(
        () => true,
        () => false,
      ),
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    attachmentStorage: AttachmentStorage;
  }
}

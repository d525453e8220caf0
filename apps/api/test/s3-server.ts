/** A local S3-compatible server (s3rver) in its own process, for the object-storage tests. */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const S3_BUCKET = 'ys-attachments';

export interface S3Server {
  endpoint: string;
  /** The variables that point the API at this server. */
  env: Record<string, string>;
  stop(): Promise<void>;
  /** Starts again on the same port and directory (after stop). */
  restart(): Promise<void>;
  /** Removes the data directory; call once at the end. */
  dispose(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

const bin = path.join(path.dirname(createRequire(import.meta.url).resolve('s3rver/package.json')), 'bin', 's3rver.js');

function launch(dir: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [bin, '-d', dir, '-a', '127.0.0.1', '-p', String(port), '--silent', '--configure-bucket', S3_BUCKET], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += String(d);
      if (out.includes('S3rver listening')) resolve(child);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d) => {
      out += String(d);
    });
    child.once('exit', (code) => reject(new Error(`s3rver exited with ${code}: ${out}`)));
  });
}

export async function startS3Server(): Promise<S3Server> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ys-s3-'));
  const port = await freePort();
  let child: ChildProcess | null = await launch(dir, port);
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    const c = child;
    child = null;
    if (c && c.exitCode === null) {
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await exited;
    }
  };
  return {
    endpoint,
    env: {
      S3_ENDPOINT: endpoint,
      S3_BUCKET,
      S3_REGION: 'us-east-1',
      // s3rver's built-in account
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: 'true',
    },
    stop,
    async restart() {
      await stop();
      child = await launch(dir, port);
    },
    async dispose() {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

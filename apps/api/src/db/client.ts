/**
 * One drizzle type over two drivers: PGlite (embedded, in DATA_DIR) or PostgreSQL through postgres.js.
 * Business code receives `Db` and never learns which one it has.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';
import * as schema from '@ys/shared/schema';
import { type SQL, sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { preparedPglite } from './pglite-prepared.ts';

/** How this instance's connections show in pg_stat_activity (the metrics count them by it). */
export const APPLICATION_NAME = `youshang-api ${os.hostname()} ${process.pid}`.slice(0, 63);

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema>;
/** Anything a query can run on: the database or an open transaction. */
export type Executor = Db | Tx;

export interface Database {
  kind: 'pglite' | 'postgres';
  db: Db;
  /** Rows of a raw SQL query, whichever driver answers it. */
  rows<T extends Record<string, unknown>>(query: SQL, executor?: Executor): Promise<T[]>;
  /**
   * Rows of a figures query, planned for its own parameters every time (not prepared): a generic plan of the
   * whole-history overview took 700 ms where the plan for its parameters takes 65 ms.
   */
  analytic<T extends Record<string, unknown>>(query: SQL): Promise<T[]>;
  /**
   * Calls onNotify at each notification on `channel`, and onListen each time listening starts: at first and, on
   * PostgreSQL, after the listening connection was lost and made again (what was sent in between is lost). Answers
   * the unlisten.
   */
  listen(channel: string, onNotify: () => void, onListen?: () => void): Promise<() => Promise<void>>;
  ping(): Promise<void>;
  close(): Promise<void>;
  /** PGlite only: the client, for dumps in tests and backups. */
  pglite?: PGlite;
  /** PostgreSQL only: the connection string (migrations take their own single connection). */
  url?: string;
}

export interface DatabaseOptions {
  databaseUrl: string | null;
  dataDir: string;
  poolSize?: number;
  /** PGlite only: start from this data dir dump instead of DATA_DIR (tests). */
  loadDataDir?: Blob;
  /** PGlite only: keep everything in memory. */
  inMemory?: boolean;
}

/** A json column of a raw statement's row: postgres.js hands it parsed, PGlite as text when the type is not described. */
export function jsonValue<T>(value: T | string): T {
  return typeof value === 'string' ? (JSON.parse(value) as T) : value;
}

/** The rows of a raw statement, whichever driver runs it (postgres.js answers an array, PGlite `{ rows }`). */
export async function rowsOf<T extends Record<string, unknown>>(executor: Executor, query: SQL): Promise<T[]> {
  const result: unknown = await executor.execute(query);
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/**
 * PGlite starts PostgreSQL with fsync off (-F) and its Node file system has no fsync: a commit reaches
 * the kernel (a killed process loses nothing) but not the disk (a power cut could). Here fsync is on,
 * WAL is flushed with fsync(), and that fsync reaches the file — an acknowledged ticket is on disk.
 */
class DurableNodeFS extends NodeFS {
  override async init(...args: Parameters<NodeFS['init']>): ReturnType<NodeFS['init']> {
    const result = await super.init(...args);
    const opts = result.emscriptenOpts as { preRun?: ((mod: EmscriptenModule) => void)[] };
    opts.preRun = [
      ...(opts.preRun ?? []),
      (mod) => {
        mod.FS.filesystems.NODEFS.stream_ops.fsync = (stream) => {
          if (stream.nfd !== undefined) fs.fsyncSync(stream.nfd);
          return 0;
        };
      },
    ];
    return result;
  }
}
interface EmscriptenModule {
  FS: { filesystems: { NODEFS: { stream_ops: { fsync?: (stream: { nfd?: number }) => number } } } };
}
/**
 * PostgreSQL's default 128 MB of shared buffers live in PGlite's WebAssembly memory, reserved at start: ~125 MB
 * of resident memory more than 16 MB, for no measurable gain — pages not in the buffers come from the kernel's
 * page cache. 32 MB keeps the hot pages of a city's open tickets (measured: resident memory at 100,000 tickets).
 */
const BUFFERS = ['-c', 'shared_buffers=32MB'];
const DURABLE_START_PARAMS = [...PGlite.defaultStartParams.filter((p) => p !== '-F'), '-c', 'wal_sync_method=fsync', ...BUFFERS];

/**
 * drizzle sends each statement unprepared: postgres.js then asks the server for the parameters' types first
 * (two round trips), and PostgreSQL parses and plans the text every time — for a list page, planning took twice
 * as long as running it (2.6 ms against 1.3 ms). Prepared, a statement is parsed once per connection (postgres.js
 * keeps it by its text and types) and each later run is one round trip; PostgreSQL plans it for the parameters of
 * each run five times, then keeps a generic plan only where that plan costs no more.
 */
function preparing(client: postgres.Sql): postgres.Sql {
  type Callback = (tx: postgres.Sql) => unknown;
  const wrap = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(obj, prop, receiver) {
        const value = Reflect.get(obj, prop, receiver);
        if (prop === 'unsafe') {
          return (query: string, params?: unknown[], options?: object) =>
            (value as postgres.Sql['unsafe']).call(obj, query, params as never, { ...options, prepare: true });
        }
        // A transaction's (or savepoint's) own client prepares as well.
        if (prop === 'begin' || prop === 'savepoint') {
          return (...args: unknown[]) => {
            const fn = args.pop() as Callback;
            return (value as (...a: unknown[]) => unknown).call(obj, ...args, (tx: postgres.Sql) => fn(wrap(tx)));
          };
        }
        return value;
      },
    });
  return wrap(client);
}

export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.databaseUrl) {
    const client = postgres(opts.databaseUrl, {
      max: opts.poolSize ?? 10,
      onnotice: () => {},
      // A database that does not answer turns into 503s within seconds instead of hanging requests.
      connect_timeout: 5,
      idle_timeout: 60,
      // No JIT: compiling a figure's aggregate took 66 ms of its 148 (the whole history), more than it saved.
      connection: { application_name: APPLICATION_NAME, jit: 'off' },
    });
    const db = drizzlePostgres({ client: preparing(client), schema }) as unknown as Db;
    const unprepared = drizzlePostgres({ client, schema }) as unknown as Db;
    return {
      kind: 'postgres',
      db,
      url: opts.databaseUrl,
      rows: (query, executor = db) => rowsOf(executor, query),
      analytic: (query) => rowsOf(unprepared, query),
      listen: async (channel, onNotify, onListen) => (await client.listen(channel, () => onNotify(), onListen)).unlisten,
      ping: async () => {
        await client`select 1`;
      },
      close: () => client.end({ timeout: 5 }),
    };
  }

  let client: PGlite;
  let unlock = () => {};
  if (opts.loadDataDir || opts.inMemory) {
    client = await PGlite.create({ loadDataDir: opts.loadDataDir, startParams: [...PGlite.defaultStartParams, ...BUFFERS] });
  } else {
    const dir = path.join(opts.dataDir, 'pgdata');
    fs.mkdirSync(dir, { recursive: true });
    unlock = lockDataDir(dir);
    try {
      await createFromTemplate(dir);
      client = await PGlite.create({ fs: new DurableNodeFS(dir), startParams: DURABLE_START_PARAMS });
    } catch (err) {
      unlock();
      throw err;
    }
  }
  const db = drizzlePglite({ client: preparedPglite(client), schema }) as unknown as Db;
  const unprepared = drizzlePglite({ client, schema }) as unknown as Db;
  return {
    kind: 'pglite',
    db,
    pglite: client,
    rows: (query, executor = db) => rowsOf(executor, query),
    analytic: (query) => rowsOf(unprepared, query),
    listen: async (channel, onNotify, onListen) => {
      const unlisten = await client.listen(channel, () => onNotify());
      onListen?.();
      // A database closed first has stopped listening.
      return async () => {
        if (!client.closed) await unlisten();
      };
    },
    ping: async () => {
      await client.query('select 1');
    },
    close: async () => {
      await client.close();
      unlock();
    },
  };
}

/**
 * `pnpm build` leaves a cluster with the migrations applied beside the bundle (dist/pgdata-template.tar, see
 * apps/api/scripts/build.mjs): an empty data dir is unpacked from it, which takes a fraction of initdb's
 * seconds of CPU; `migrate()` then applies only migrations newer than the template. Without it, or when
 * another PGlite version made it, PGlite runs initdb as before. The
 * cluster is unpacked beside the data dir, every file and folder of it is fsynced, and only then is it
 * renamed into place: a start killed halfway leaves the data dir empty, and no acknowledged commit lands
 * in a cluster whose files are not on disk yet.
 */
const TEMPLATE = path.resolve(import.meta.dirname, '../../dist/pgdata-template.tar');

async function createFromTemplate(dir: string): Promise<void> {
  if (fs.readdirSync(dir).length > 0 || !fs.existsSync(TEMPLATE)) return;
  try {
    const marker = JSON.parse(fs.readFileSync(TEMPLATE.replace(/\.tar$/, '.json'), 'utf8')) as { pglite?: string };
    const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
    const installed = JSON.parse(fs.readFileSync(path.join(path.dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
    if (marker.pglite !== installed.version) return;
  } catch {
    return;
  }
  const work = `${dir}.new`;
  fs.rmSync(work, { recursive: true, force: true });
  untar(fs.readFileSync(TEMPLATE), work);
  await fsyncTree(work);
  fs.rmdirSync(dir);
  fs.renameSync(work, dir);
  await fsyncPath(path.dirname(dir));
}

/** Unpacks a ustar archive of folders and regular files (as the build writes it) into `root`. */
function untar(archive: Buffer, root: string): void {
  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  const text = (offset: number, length: number) => archive.toString('utf8', offset, offset + length).replace(/\0.*$/s, '');
  let offset = 0;
  while (offset + 512 <= archive.length && archive[offset] !== 0) {
    const prefix = text(offset + 345, 155);
    const name = (prefix ? `${prefix}/` : '') + text(offset, 100);
    const mode = Number.parseInt(text(offset + 100, 8), 8) & 0o777;
    const size = Number.parseInt(text(offset + 124, 12), 8);
    const type = text(offset + 156, 1) || '0';
    const target = path.join(root, name);
    if (!target.startsWith(root + path.sep) || Number.isNaN(size)) throw new Error(`PGlite 集群模板损坏：${TEMPLATE}`);
    offset += 512;
    if (type === '5') fs.mkdirSync(target, { recursive: true, mode });
    else if (type === '0') fs.writeFileSync(target, archive.subarray(offset, offset + size), { mode });
    else throw new Error(`PGlite 集群模板损坏：${TEMPLATE}`);
    offset += Math.ceil(size / 512) * 512;
  }
}

async function fsyncPath(p: string): Promise<void> {
  const handle = await fs.promises.open(p, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** fsync of every file and folder under `root`, a few at a time on libuv's threads. */
async function fsyncTree(root: string): Promise<void> {
  const paths: string[] = [];
  const walk = (d: string) => {
    paths.push(d);
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(path.join(d, entry.name));
      else paths.push(path.join(d, entry.name));
    }
  };
  walk(root);
  let next = 0;
  const worker = async () => {
    while (next < paths.length) await fsyncPath(paths[next++] as string);
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/**
 * PGlite is one process's database: a second process on the same data dir (another server, a backup)
 * would corrupt it. A lock file names the owning process; one left by a killed process is taken over.
 */
export function lockDataDir(dir: string): () => void {
  const file = path.join(dir, '..', 'pgdata.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (err) {
      if ((err as { code?: string }).code !== 'EEXIST') throw err;
      const owner = Number(fs.readFileSync(file, 'utf8'));
      if (owner && owner !== process.pid && isAlive(owner)) {
        throw new Error(`PGlite 数据目录 ${dir} 正被进程 ${owner} 使用（先停止该服务，或使用 DATABASE_URL）`);
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`无法锁定 PGlite 数据目录 ${dir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as { code?: string }).code === 'EPERM';
  }
}

export { sql };

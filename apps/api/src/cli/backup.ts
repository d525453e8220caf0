/**
 * Backup and restore of the whole data: the database and the attachment files, in one tar archive.
 *
 *   pnpm backup  --out FILE            (PGlite: stop the server first; PostgreSQL: while it runs)
 *   pnpm restore --in FILE [--force]   (into an empty DATA_DIR / database; --force replaces what is there)
 *
 * The same environment as the server (DATA_DIR, DATABASE_URL) says what to back up or restore into.
 * The archive holds manifest.json, the database (database.tar.gz: the PGlite data dir; database.pgdump:
 * pg_dump's custom format) and files/ (DATA_DIR/files). See docs/operations.md.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { attachments, tickets } from '@ys/shared/schema';
import { count, sql } from 'drizzle-orm';
import { type Config, ConfigError, loadConfig } from '../config.ts';
import { type Database, openDatabase } from '../db/client.ts';

interface Manifest {
  format: 1;
  kind: Database['kind'];
  createdAt: string;
  tickets: number;
  attachments: number;
  files: number;
}

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });

async function counts(database: Database) {
  const [[t], [a]] = await Promise.all([database.db.select({ n: count() }).from(tickets), database.db.select({ n: count() }).from(attachments)]);
  return { tickets: Number(t?.n ?? 0), attachments: Number(a?.n ?? 0) };
}

function countFiles(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && !e.name.endsWith('.tmp')).length;
}

function open(config: Config) {
  return openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: 2 });
}

export async function backup(config: Config, out: string): Promise<Manifest> {
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'ys-backup-'));
  try {
    // The database first, then the files: a file is stored before its row, so every row of the dump has its file.
    const database = await open(config);
    let numbers: Awaited<ReturnType<typeof counts>>;
    try {
      numbers = await counts(database);
      if (database.kind === 'pglite') {
        const dump = await (database.pglite as NonNullable<Database['pglite']>).dumpDataDir('gzip');
        fs.writeFileSync(path.join(stage, 'database.tar.gz'), Buffer.from(await dump.arrayBuffer()));
      } else {
        run('pg_dump', ['--format=custom', '--no-owner', '--no-privileges', '--file', path.join(stage, 'database.pgdump'), config.databaseUrl as string]);
      }
    } finally {
      await database.close();
    }
    const files = path.join(config.dataDir, 'files');
    if (fs.existsSync(files)) fs.cpSync(files, path.join(stage, 'files'), { recursive: true, filter: (src) => !src.endsWith('.tmp') });
    const manifest: Manifest = {
      format: 1,
      kind: database.kind,
      createdAt: new Date().toISOString(),
      ...numbers,
      files: countFiles(path.join(stage, 'files')),
    };
    fs.writeFileSync(path.join(stage, 'manifest.json'), JSON.stringify(manifest, null, 2));
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    run('tar', ['-cf', path.resolve(out), '-C', stage, '.']);
    return manifest;
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

export async function restore(config: Config, file: string, force: boolean): Promise<Manifest> {
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'ys-restore-'));
  try {
    run('tar', ['-xf', path.resolve(file), '-C', stage]);
    const manifest = JSON.parse(fs.readFileSync(path.join(stage, 'manifest.json'), 'utf8')) as Manifest;
    const target = config.databaseUrl ? 'postgres' : 'pglite';
    if (manifest.format !== 1 || manifest.kind !== target) {
      throw new Error(`备份是 ${manifest.kind} 数据库的，当前配置是 ${target}：请用同一种数据库恢复`);
    }
    if (target === 'pglite') {
      const pgdata = path.join(config.dataDir, 'pgdata');
      if (fs.existsSync(pgdata) && fs.readdirSync(pgdata).length > 0) {
        if (!force) throw new Error(`${pgdata} 不是空的：恢复会覆盖现有数据，确认后加 --force`);
        // The lock refuses while a server holds the data dir.
        await (await open(config)).close();
        fs.rmSync(pgdata, { recursive: true, force: true });
      }
      fs.mkdirSync(pgdata, { recursive: true });
      run('tar', ['-xzf', path.join(stage, 'database.tar.gz'), '-C', pgdata]);
    } else {
      const existing = await open(config);
      try {
        const [row] = await existing.rows<{ present: boolean }>(sql`select to_regclass('public.tickets') is not null as present`);
        if (row?.present && !force) throw new Error('目标数据库已有数据：恢复会覆盖现有数据，确认后加 --force');
      } finally {
        await existing.close();
      }
      const args = ['--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', '--dbname', config.databaseUrl as string];
      if (force) args.unshift('--clean', '--if-exists');
      run('pg_restore', [...args, path.join(stage, 'database.pgdump')]);
    }
    const files = path.join(stage, 'files');
    if (fs.existsSync(files)) fs.cpSync(files, path.join(config.dataDir, 'files'), { recursive: true });

    const database = await open(config);
    try {
      const numbers = await counts(database);
      if (numbers.tickets !== manifest.tickets || numbers.attachments !== manifest.attachments) {
        throw new Error(`恢复后的数据与备份清单不符：诉求 ${numbers.tickets}/${manifest.tickets}，附件 ${numbers.attachments}/${manifest.attachments}`);
      }
    } finally {
      await database.close();
    }
    return manifest;
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

function argument(args: string[], name: string): string | null {
  const i = args.indexOf(name);
  return i >= 0 ? (args[i + 1] ?? null) : null;
}

async function main() {
  const [command, ...args] = process.argv.slice(2);
  const config = loadConfig();
  if (command === 'backup') {
    const out = argument(args, '--out');
    if (!out) throw new Error('用法：pnpm backup --out 文件');
    const m = await backup(config, out);
    console.log(`备份完成：${out}（${m.kind}，诉求 ${m.tickets} 件，附件 ${m.attachments} 个，文件 ${m.files} 个）`);
  } else if (command === 'restore') {
    const file = argument(args, '--in');
    if (!file) throw new Error('用法：pnpm restore --in 文件 [--force]');
    const m = await restore(config, file, args.includes('--force'));
    console.log(`恢复完成：${file}（${m.kind}，诉求 ${m.tickets} 件，附件 ${m.attachments} 个，文件 ${m.files} 个，备份于 ${m.createdAt}）`);
  } else {
    throw new Error('用法：pnpm backup --out 文件 | pnpm restore --in 文件 [--force]');
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((err) => {
    console.error(err instanceof ConfigError || err instanceof Error ? err.message : err);
    const stderr = (err as { stderr?: Buffer }).stderr;
    if (stderr?.length) console.error(String(stderr));
    process.exit(1);
  });
}

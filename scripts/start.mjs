#!/usr/bin/env node
/**
 * `pnpm start`: builds what is missing or older than its sources — the two front ends, the API's JavaScript
 * bundle (apps/api/dist) — then serves everything from the built API.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');

function newest(p) {
  const stat = fs.statSync(p);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = 0;
  for (const entry of fs.readdirSync(p)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    latest = Math.max(latest, newest(path.join(p, entry)));
  }
  return latest;
}

/** Whether `output` is missing or older than any of `inputs` (files or folders, relative to the root). */
function stale(output, inputs) {
  const file = path.join(root, output);
  return !fs.existsSync(file) || fs.statSync(file).mtimeMs < Math.max(...inputs.map((p) => newest(path.join(root, p))));
}

const shared = 'packages/shared/src';
const staleFronts = ['admin', 'h5'].some((app) => stale(`apps/${app}/dist/index.html`, [`apps/${app}`, shared]));
const api = ['apps/api/src', 'apps/api/scripts', 'apps/api/package.json', 'drizzle', shared];
const staleApi =
  stale('apps/api/dist/server.js', api) || stale('apps/api/dist/backup.js', api) || !fs.existsSync(path.join(root, 'apps/api/dist/pgdata-template.json'));

function run(args) {
  const res = spawnSync('pnpm', args, { cwd: root, stdio: 'inherit' });
  if (res.status !== 0) process.exit(res.status ?? 1);
}
if (staleFronts || process.env.FORCE_BUILD === '1') run(['build']);
else if (staleApi) run(['--filter', '@ys/api', 'build']);

const server = spawnSync(process.execPath, [path.join(root, 'apps/api/dist/server.js')], {
  cwd: path.join(root, 'apps/api'),
  stdio: 'inherit',
});
process.exit(server.status ?? 1);

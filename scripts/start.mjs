#!/usr/bin/env node
/** `pnpm start`: builds the two front ends when their build is missing or older than the sources, then serves everything. */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');

function newest(dir) {
  let latest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const p = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
  }
  return latest;
}

const stale = ['admin', 'h5'].some((app) => {
  const index = path.join(root, 'apps', app, 'dist', 'index.html');
  return !fs.existsSync(index) || fs.statSync(index).mtimeMs < Math.max(newest(path.join(root, 'apps', app)), newest(path.join(root, 'packages/shared/src')));
});
if (stale || process.env.FORCE_BUILD === '1') {
  const res = spawnSync('pnpm', ['build'], { cwd: root, stdio: 'inherit' });
  if (res.status !== 0) process.exit(res.status ?? 1);
}

const server = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'apps/api/src/server.ts')], {
  cwd: path.join(root, 'apps/api'),
  stdio: 'inherit',
});
process.exit(server.status ?? 1);

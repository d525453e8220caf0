/**
 * Front-end budgets: the JavaScript a first visit downloads, gzipped, measured in Chromium against the built
 * apps served by the API (the admin sign-in page, the H5 station landing page). Builds when dist/ is missing.
 */

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium } from 'playwright-core';
import { apiArgs, load1, root, startNode, waitReady } from './lib.mjs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function frontEndBudgets(work) {
  if (!fs.existsSync(CHROMIUM)) return [{ name: 'front end', verdict: `no Chromium at ${CHROMIUM}; not measured` }];
  if (!['admin', 'h5'].every((a) => fs.existsSync(path.join(root, 'apps', a, 'dist', 'index.html')))) {
    const res = spawnSync('pnpm', ['build'], { cwd: root, stdio: 'inherit' });
    if (res.status !== 0) return [{ name: 'front end', verdict: 'pnpm build failed; not measured' }];
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ys-bench-fe-'));
  const server = startNode(apiArgs, {
    env: {
      NODE_ENV: 'development',
      LOG_LEVEL: 'warn',
      RATE_LIMITS: 'false',
      SWEEP_INTERVAL_SECONDS: '0',
      PRESSURE_MAX_EVENT_LOOP_DELAY_MS: '0',
      DATA_DIR: dir,
    },
    port: 3104,
    logFile: path.join(work, 'frontend.log'),
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    await waitReady(`${server.url}/readyz`, 120_000);
    const page = async (name, url, limitKb) => {
      const context = await browser.newContext();
      const p = await context.newPage();
      const scripts = new Map();
      p.on('response', async (res) => {
        if (res.request().resourceType() !== 'script') return;
        try {
          scripts.set(res.url(), await res.body());
        } catch {
          /* navigated away */
        }
      });
      await p.goto(server.url + url, { waitUntil: 'networkidle' });
      await context.close();
      const raw = [...scripts.values()].reduce((s, b) => s + b.length, 0);
      const gz = [...scripts.values()].reduce((s, b) => s + zlib.gzipSync(b, { level: 9 }).length, 0);
      const kb = Math.round(gz / 1024);
      return {
        name,
        db: 'front end',
        target: `≤ ${limitKb} KB JS gz`,
        jsFiles: scripts.size,
        jsKb: Math.round(raw / 1024),
        jsGzKb: kb,
        met: kb <= limitKb,
        verdict: `${kb} KB gz (${Math.round(raw / 1024)} KB raw) in ${scripts.size} files`,
        load: load1(),
      };
    };
    return [await page('admin sign-in page', '/admin/login', 300), await page('H5 station landing', '/m/s/jy-court', 150)];
  } finally {
    await browser.close();
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

import { defineConfig } from 'vitest/config';

/**
 * Projects: `unit` (shared package and front-end logic), `api` (HTTP tests through app.inject; the
 * database is chosen by TEST_DB=pglite|pg, see scripts/test.mjs), `e2e` (Playwright + Chromium).
 */
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { test: { name: 'unit', include: ['packages/shared/src/**/*.test.ts'], environment: 'node' } },
      './apps/admin',
      './apps/h5',
      {
        test: {
          name: 'api',
          include: ['apps/api/test/**/*.test.ts'],
          globalSetup: ['apps/api/test/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          pool: 'forks',
        },
      },
      { test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000, fileParallelism: false } },
    ],
  },
});

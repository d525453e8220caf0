#!/usr/bin/env node
/**
 * `pnpm --filter @ys/api build`: the server as plain JavaScript, so that a start loads no TypeScript compiler.
 *
 *   dist/server.js, dist/backup.js   src/server.ts and src/cli/backup.ts bundled with @ys/shared (TypeScript
 *                                    sources); every other package stays in node_modules
 *   dist/pgdata-template.tar         a PGlite cluster with the migrations applied, unpacked into an empty
 *   dist/pgdata-template.json        DATA_DIR instead of running initdb at the first start (src/db/client.ts);
 *                                    remade only when the PGlite version or the migrations change
 *
 * The bundle sits at the same depth as src/ (apps/api/dist), and `import.meta.dirname` of a module from
 * src/ keeps naming its source folder, so the paths the code derives from it (the repository root, the
 * migrations, the template) are the same whether it runs from src/ through tsx or from dist/.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';

const apiDir = path.resolve(import.meta.dirname, '..');
const srcDir = path.join(apiDir, 'src');
const distDir = path.join(apiDir, 'dist');
const require = createRequire(path.join(apiDir, 'package.json'));

const t0 = performance.now();
fs.mkdirSync(distDir, { recursive: true });

/**
 * Workspace packages (TypeScript) are bundled, and so are two pure-JavaScript libraries of hundreds of small
 * modules each (typebox: 709 files, ~270 ms to load one by one at start; drizzle-orm); everything else is loaded
 * from node_modules at run time.
 */
const BUNDLED = ['typebox', 'drizzle-orm'];
const externals = {
  name: 'externals',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@ys/') || args.path.startsWith('node:')) return undefined;
      if (BUNDLED.some((name) => args.path === name || args.path.startsWith(`${name}/`))) return undefined;
      return { path: args.path, external: true };
    });
  },
};

/**
 * Module-relative values the bundle would otherwise change: in src/, `import.meta.dirname` becomes the
 * module's source folder (relative to the bundle, so dist/ and src/ can move together, as in the image);
 * in @ys/shared, `import.meta.url` becomes that of the package's entry beside it (its own dependencies
 * are resolved from there, not from the API's).
 */
const moduleLocation = {
  name: 'module-location',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      let contents = await fs.promises.readFile(args.path, 'utf8');
      if (args.path.startsWith(srcDir + path.sep) && contents.includes('import.meta.dirname')) {
        const rel = path.relative(distDir, path.dirname(args.path)).split(path.sep).join('/');
        contents = contents.replaceAll('import.meta.dirname', `__ysJoin(import.meta.dirname, ${JSON.stringify(rel)})`);
      } else if (args.path.includes(`${path.sep}packages${path.sep}shared${path.sep}`) && contents.includes('import.meta.url')) {
        contents = contents.replaceAll('import.meta.url', '__ysSharedUrl()');
      }
      return { contents, loader: 'ts' };
    });
  },
};

await build({
  entryPoints: { server: path.join(srcDir, 'server.ts'), backup: path.join(srcDir, 'cli/backup.ts') },
  outdir: distDir,
  bundle: true,
  // server.js loads the web application while the database opens (src/server.ts): its modules are a chunk of their own.
  splitting: true,
  chunkNames: '[name]-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [externals, moduleLocation],
  banner: {
    js: [
      "import { join as __ysJoin } from 'node:path';",
      "import { createRequire as __ysCreateRequire } from 'node:module';",
      "import { pathToFileURL as __ysPathToFileURL } from 'node:url';",
      "const __ysSharedUrl = () => __ysPathToFileURL(__ysCreateRequire(import.meta.url).resolve('@ys/shared')).href;",
    ].join('\n'),
  },
});
const bundled = performance.now();

// The cluster template, with the committed migrations applied: made again when the PGlite version or the
// migrations change (initdb costs seconds of CPU, the migrations most of one). One tar file rather than a
// folder, so that no copy on the way (pnpm deploy, an image layer) drops its empty folders. A server whose
// migrations are newer than its template applies the rest at start, as on any existing database.
const pgliteVersion = JSON.parse(fs.readFileSync(path.join(path.dirname(require.resolve('@electric-sql/pglite')), '..', 'package.json'), 'utf8')).version;
const migrationsFolder = path.resolve(apiDir, '../../drizzle');
const migrations = createHash('sha256');
for (const file of [
  'meta/_journal.json',
  ...fs
    .readdirSync(migrationsFolder)
    .filter((f) => f.endsWith('.sql'))
    .sort(),
]) {
  migrations.update(file).update(fs.readFileSync(path.join(migrationsFolder, file)));
}
const marker = { pglite: pgliteVersion, migrations: migrations.digest('hex').slice(0, 16) };
const templateFile = path.join(distDir, 'pgdata-template.tar');
const markerFile = path.join(distDir, 'pgdata-template.json');
let made = false;
const current = fs.existsSync(markerFile) && fs.readFileSync(markerFile, 'utf8') === `${JSON.stringify(marker)}\n`;
if (!current || !fs.existsSync(templateFile)) {
  const { PGlite } = await import('@electric-sql/pglite');
  const { NodeFS } = await import('@electric-sql/pglite/nodefs');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  const work = path.join(distDir, 'pgdata-template.tmp');
  fs.rmSync(work, { recursive: true, force: true });
  fs.rmSync(markerFile, { force: true });
  const pg = await PGlite.create({ fs: new NodeFS(work) });
  await migrate(drizzle({ client: pg }), { migrationsFolder });
  await pg.close();
  fs.writeFileSync(templateFile, tar(work));
  fs.rmSync(work, { recursive: true, force: true });
  fs.writeFileSync(markerFile, `${JSON.stringify(marker)}\n`);
  made = true;
}

/** The folder as a ustar archive: its folders and regular files, paths relative to it (read back by src/db/client.ts). */
function tar(root) {
  const blocks = [];
  const header = (name, mode, size, type) => {
    const h = Buffer.alloc(512);
    const field = (value, offset, length) => h.write(value, offset, length, 'ascii');
    const octal = (n, offset, length) => field(`${n.toString(8).padStart(length - 1, '0')}\0`, offset, length);
    if (Buffer.byteLength(name) > 100) throw new Error(`path too long for the template archive: ${name}`);
    field(name, 0, 100);
    octal(mode & 0o7777, 100, 8);
    octal(0, 108, 8);
    octal(0, 116, 8);
    octal(size, 124, 12);
    octal(0, 136, 12);
    field('        ', 148, 8);
    field(type, 156, 1);
    field('ustar\u000000', 257, 8);
    let sum = 0;
    for (const byte of h) sum += byte;
    field(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
    return h;
  };
  const walk = (rel) => {
    for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const name = rel ? `${rel}/${entry.name}` : entry.name;
      const full = path.join(root, name);
      const { mode } = fs.statSync(full);
      if (entry.isDirectory()) {
        blocks.push(header(`${name}/`, mode, 0, '5'));
        walk(name);
      } else if (entry.isFile()) {
        const data = fs.readFileSync(full);
        blocks.push(header(name, mode, data.length, '0'), data, Buffer.alloc((512 - (data.length % 512)) % 512));
      } else {
        throw new Error(`unexpected entry in the cluster template: ${name}`);
      }
    }
  };
  walk('');
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

const s = (ms) => `${(ms / 1000).toFixed(1)} s`;
console.log(
  `@ys/api: dist/server.js, dist/backup.js (${s(bundled - t0)}); PGlite ${pgliteVersion} cluster template ${made ? `made (${s(performance.now() - bundled)})` : 'up to date'}`,
);

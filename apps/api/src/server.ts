/** Reads the configuration, opens and migrates the database, seeds the demo organisation, listens. */
import { ConfigError, loadConfig } from './config.ts';
import { openDatabase } from './db/client.ts';
import { migrate } from './db/migrate.ts';
import { seedDemo, seedReferenceData } from './db/seed-demo.ts';

async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(78);
    }
    throw err;
  }
  // Milliseconds since the process started, at the end of each step (logged with "ready").
  const startup: Record<string, number> = { modules: Math.round(performance.now()) };
  const step = (name: string) => {
    startup[name] = Math.round(performance.now());
  };
  const opening = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolSize: config.databasePoolSize });
  // The web application (Fastify, its plugins and every route: most of the modules) loads while the database opens.
  const loading = Promise.all([import('./app.ts'), import('./plugins/metrics.ts')]);
  loading.catch(() => {});
  const database = await opening;
  step('database');
  await migrate(database);
  step('migrations');
  // Seeding (on a new database mostly password hashing, on libuv's threads) runs while the app is built and
  // made ready (its routes' schemas compiled); it is over before the server listens.
  const seeding = (config.demoData ? seedDemo(database.db) : seedReferenceData(database.db)).then(() => step('seed'));
  seeding.catch(() => {});

  // A replica serves the read-heavy figures; migrations and writes go to the primary only.
  const readDatabase = config.databaseReadUrl
    ? await openDatabase({ databaseUrl: config.databaseReadUrl, dataDir: config.dataDir, poolSize: config.databasePoolSize })
    : undefined;
  const [{ buildApp }, { listenMetrics }] = await loading;
  step('modules loaded');
  const app = await buildApp({ config, database, readDatabase });
  await app.ready();
  step('app');
  await seeding;
  const metricsServer = config.metricsPort > 0 ? await listenMetrics(app, config.host, config.metricsPort) : null;
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    metricsServer?.close();
    app.close().then(
      () => process.exit(0),
      (err) => {
        app.log.error({ err }, 'error while closing');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  await app.listen({ host: config.host, port: config.port });
  step('listening');
  app.log.info(
    {
      database: database.kind,
      readReplica: readDatabase !== undefined,
      attachments: app.attachmentStorage.kind,
      dataDir: database.kind === 'pglite' ? config.dataDir : undefined,
      admin: `${config.publicBaseUrl}/admin/`,
      h5: `${config.publicBaseUrl}/m/`,
      startup,
    },
    '优商一码通 ready',
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

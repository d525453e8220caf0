import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';

declare module 'fastify' {
  interface FastifyInstance {
    db: Database;
    /** For read-heavy figures: the replica of DATABASE_READ_URL, or the primary itself when unset. */
    readDb: Database;
    config: Config;
  }
}

/** The database as a named plugin: decorated once, closed on shutdown. */
export default fp(
  async function dbPlugin(app: FastifyInstance, opts: { database: Database; readDatabase?: Database; config: Config; ownsDatabase: boolean }) {
    const readDatabase = opts.readDatabase ?? opts.database;
    app.decorate('db', opts.database);
    app.decorate('readDb', readDatabase);
    app.decorate('config', opts.config);
    if (opts.ownsDatabase) {
      app.addHook('onClose', async () => {
        await opts.database.close();
        if (readDatabase !== opts.database) await readDatabase.close();
      });
    }
  },
  { name: 'db' },
);

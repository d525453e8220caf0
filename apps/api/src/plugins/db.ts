import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';

declare module 'fastify' {
  interface FastifyInstance {
    db: Database;
    config: Config;
  }
}

/** The database as a named plugin: decorated once, closed on shutdown. */
export default fp(
  async function dbPlugin(app: FastifyInstance, opts: { database: Database; config: Config; ownsDatabase: boolean }) {
    app.decorate('db', opts.database);
    app.decorate('config', opts.config);
    if (opts.ownsDatabase) app.addHook('onClose', async () => opts.database.close());
  },
  { name: 'db' },
);

import path from 'node:path';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import type { Database } from './client.ts';

export const MIGRATIONS_FOLDER = path.resolve(import.meta.dirname, '../../../../drizzle');

/** Applies the committed SQL migrations; several instances starting at once take turns. */
export async function migrate(database: Database): Promise<void> {
  const config = { migrationsFolder: MIGRATIONS_FOLDER };
  if (database.kind === 'pglite') {
    await migratePglite(database.db as never, config);
    return;
  }
  // One dedicated connection, so the session-level advisory lock and its release share a session.
  const client = postgres(database.url as string, { max: 1, onnotice: () => {} });
  try {
    await client`select pg_advisory_lock(727001)`;
    await migratePostgres(drizzle({ client }), config);
    await client`select pg_advisory_unlock(727001)`;
  } finally {
    await client.end({ timeout: 5 });
  }
}

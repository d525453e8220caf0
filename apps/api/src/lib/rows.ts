import type { SQL } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';

/** The rows of a raw statement, whichever driver runs it (postgres.js answers an array, PGlite `{ rows }`). */
export async function rowsOf<T extends Record<string, unknown>>(executor: Executor, query: SQL): Promise<T[]> {
  const result: unknown = await executor.execute(query);
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

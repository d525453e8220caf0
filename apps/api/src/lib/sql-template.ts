/**
 * SQL fragments whose text is rendered once. drizzle renders every piece of a statement on every call, chunk by
 * chunk: each column, nested fragment and literal piece goes through a chain of class checks, and a list page's
 * statement took 90 µs to render — a seventh of the server's CPU per pool request (docs/performance.md item 18).
 * `template(build)` renders build's fragment once, with a placeholder for each argument; a call then puts its
 * arguments between the rendered pieces of text, exactly where the `sql` tag would have put them.
 */
import { Placeholder, SQL, StringChunk, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';

const dialect = new PgDialect();

/**
 * `build` receives one placeholder per argument and answers the fragment with them where the arguments go (a value,
 * a list, or another fragment, as in `sql`). Only those placeholders may be parameters: a literal value inside
 * `build` would be frozen into the text's numbering, so it is refused when the template is made.
 */
export function template<T = unknown>(build: (...args: Placeholder[]) => SQL): (...args: unknown[]) => SQL<T> {
  const holes = Array.from({ length: build.length }, (_, i) => sql.placeholder(String(i)));
  const { sql: text, params } = dialect.sqlToQuery(build(...holes));
  const parts = text.split(/\$(\d+)/);
  if (params.length !== (parts.length - 1) / 2 || !params.every((p) => p instanceof Placeholder)) {
    throw new Error(`template: only its arguments may be parameters (${text.slice(0, 80)}…)`);
  }
  const pieces = parts.filter((_, i) => i % 2 === 0).map((piece) => new StringChunk(piece));
  const argAt = parts.filter((_, i) => i % 2 === 1).map((n) => Number((params[Number(n) - 1] as Placeholder).name));
  return (...args) => {
    const chunks: unknown[] = [pieces[0]];
    for (let i = 0; i < argAt.length; i++) chunks.push(args[argAt[i]!], pieces[i + 1]);
    return new SQL(chunks as SQL['queryChunks']) as SQL<T>;
  };
}

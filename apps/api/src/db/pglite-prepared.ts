/**
 * PGlite's `query` parses and plans every statement anew (an unnamed statement, each time): for a list page, planning
 * took twice as long as running it (2.75 ms a page against 0.91 ms prepared, measured at 100 k tickets). This is the
 * twin of `preparing` for postgres.js (client.ts): each statement text is parsed once as a named statement and
 * later runs only bind and execute it, so PostgreSQL plans it for its parameters five times and then keeps a
 * generic plan where that plan costs no more. The messages are those PGlite's own `query` sends (parse, describe,
 * bind, describe, execute, sync), under the same locks; only the statement's name differs.
 *
 * It relies on two undeclared methods of PGlite 0.4 (`_runExclusiveQuery`, `_runExclusiveTransaction`, the locks its
 * `query` and `transaction` take): the version is pinned in the catalog, and every PGlite test runs through here.
 */
import { type PGlite, parse, protocol, type QueryOptions, type Results, type Transaction } from '@electric-sql/pglite';

/** How many statement texts stay prepared; the longest unused one is closed to make room. */
export const PREPARED_STATEMENTS = 200;

type Locks = { _runExclusiveQuery<T>(fn: () => Promise<T>): Promise<T>; _runExclusiveTransaction<T>(fn: () => Promise<T>): Promise<T> };
type Statement = { name: string; types: number[] };
type Message = Awaited<ReturnType<PGlite['execProtocol']>>['messages'][number];

/** SQLSTATEs after which a prepared statement is parsed again: its plan no longer fits the table, or it is gone. */
const STALE = new Set(['0A000', '26000']);

export function preparedPglite(client: PGlite): PGlite {
  const locks = client as unknown as Locks;
  const statements = new Map<string, Statement>();
  let named = 0;
  const send = async (message: Uint8Array, into: Message[]) => {
    into.push(...(await client.execProtocol(message, { syncToFs: false })).messages);
  };

  async function run<T>(text: string, params: unknown[] = [], options: QueryOptions | undefined, inTransaction: boolean): Promise<Results<T>> {
    const messages: Message[] = [];
    let statement = statements.get(text);
    let stale: string | undefined;
    try {
      if (statement) {
        // Most recently used last: the first entry is the one to close when the map is full.
        statements.delete(text);
        statements.set(text, statement);
      } else {
        const name = `ys_${++named}`;
        await send(protocol.serialize.parse({ name, text, types: options?.paramTypes }), messages);
        const described: Message[] = [];
        await send(protocol.serialize.describe({ type: 'S', name }), described);
        statement = { name, types: parse.parseDescribeStatementResults(described) };
        statements.set(text, statement);
        if (statements.size > PREPARED_STATEMENTS) {
          const [oldest, old] = statements.entries().next().value as [string, Statement];
          statements.delete(oldest);
          await send(protocol.serialize.close({ type: 'S', name: old.name }), messages);
        }
      }
      const { types } = statement;
      const values = params.map((value, i) => {
        if (value === null || value === undefined) return null;
        const serialize = options?.serializers?.[types[i]!] ?? client.serializers[types[i]!];
        return serialize ? serialize(value) : String(value);
      });
      await send(protocol.serialize.bind({ statement: statement.name, values }), messages);
      await send(protocol.serialize.describe({ type: 'P' }), messages);
      await send(protocol.serialize.execute({}), messages);
    } catch (err) {
      if (statement && STALE.has((err as { code?: string }).code ?? '')) {
        statements.delete(text);
        stale = statement.name;
      }
      throw Object.assign(err as object, { query: text, params });
    } finally {
      await send(protocol.serialize.sync(), messages);
      // Closed after the Sync (until then the server skips what follows an error); one that is gone already is no error.
      if (stale) {
        await send(protocol.serialize.close({ type: 'S', name: stale }), []);
        await send(protocol.serialize.sync(), []);
      }
    }
    if (!inTransaction) await client.syncToFs();
    return parse.parseResults(messages, client.parsers, options)[0] as Results<T>;
  }

  const query = <T>(text: string, params?: unknown[], options?: QueryOptions) =>
    locks._runExclusiveTransaction(() => locks._runExclusiveQuery(() => run<T>(text, params, options, false)));
  // Inside a transaction the transaction's lock is already held: the statement takes the query lock only, as PGlite's own does.
  const inside = (tx: Transaction): Transaction =>
    Object.assign(Object.create(tx) as Transaction, {
      query: <T>(text: string, params?: unknown[], options?: QueryOptions) => {
        if (tx.closed) throw new Error('Transaction is closed');
        return locks._runExclusiveQuery(() => run<T>(text, params, options, true));
      },
    });
  const transaction = <T>(fn: (tx: Transaction) => Promise<T>) => client.transaction((tx) => fn(inside(tx)));

  return new Proxy(client, {
    get(target, prop) {
      if (prop === 'query') return query;
      if (prop === 'transaction') return transaction;
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

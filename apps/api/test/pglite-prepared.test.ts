/** PGlite's statements prepared once by their text (db/pglite-prepared.ts): same answers, same errors, bounded. */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PREPARED_STATEMENTS, preparedPglite } from '../src/db/pglite-prepared.ts';

let client: PGlite;
let pg: PGlite;
beforeAll(async () => {
  client = await PGlite.create();
  pg = preparedPglite(client);
  await client.exec(`create table items (id uuid primary key default gen_random_uuid(), n int unique not null, at timestamptz, data jsonb)`);
});
afterAll(() => client.close());

const ours = async () =>
  (await client.query<{ name: string; statement: string }>(`select name, statement from pg_prepared_statements where name like 'ys\\_%'`)).rows;

describe('PGlite statements prepared by their text', () => {
  it('answers as PGlite itself does, in object and in array mode, with parameters of each kind', async () => {
    const insert = `insert into items (n, at, data) values ($1, $2, $3) returning id, n, at, data`;
    const at = new Date('2026-12-04T10:00:00.123Z');
    const mine = await pg.query(insert, [1, at, { a: [1, '二'] }]);
    const theirs = await client.query(insert, [2, at, { a: [1, '二'] }]);
    expect(mine.fields).toEqual(theirs.fields);
    expect(mine.rows[0]).toMatchObject({ n: 1, at, data: { a: [1, '二'] } });
    expect(mine.affectedRows).toBe(1);
    const select = `select n, at, data, $2::text as label from items where n <= $1 order by n`;
    expect((await pg.query(select, [2, null])).rows).toEqual((await client.query(select, [2, null])).rows);
    expect((await pg.query(select, [2, 'x'], { rowMode: 'array' })).rows).toEqual((await client.query(select, [2, 'x'], { rowMode: 'array' })).rows);
    // Parsers of the caller (drizzle keeps times as text) apply as in PGlite's own query.
    const text = await pg.query<{ at: string }>(`select at from items where n = $1`, [1], { parsers: { 1184: (v: string) => v } });
    expect(typeof text.rows[0]?.at).toBe('string');
  });

  it('parses a text once and runs it again by its name', async () => {
    const q = `select count(*)::int as c from items where n > $1`;
    for (let i = 0; i < 7; i++) expect((await pg.query<{ c: number }>(q, [0])).rows[0]?.c).toBe(2);
    expect((await ours()).filter((s) => s.statement === q)).toHaveLength(1);
  });

  it(`keeps at most ${PREPARED_STATEMENTS} statements, closing the one unused the longest`, async () => {
    const first = `select 0 as k where $1::int = 1`;
    await pg.query(first, [1]);
    for (let i = 1; i <= PREPARED_STATEMENTS + 20; i++) expect((await pg.query<{ k: number }>(`select ${i} as k where $1::int = 1`, [1])).rows[0]?.k).toBe(i);
    const kept = await ours();
    expect(kept.length).toBeLessThanOrEqual(PREPARED_STATEMENTS);
    expect(kept.map((s) => s.statement)).not.toContain(first);
    expect(kept.map((s) => s.statement)).toContain(`select ${PREPARED_STATEMENTS + 20} as k where $1::int = 1`);
    expect((await pg.query<{ k: number }>(first, [1])).rows[0]?.k).toBe(0);
  });

  it('fails a statement with the database error and runs it again afterwards', async () => {
    const insert = `insert into items (n) values ($1)`;
    await pg.query(insert, [10]);
    const err = await pg.query(insert, [10]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: '23505', query: insert });
    await expect(pg.query(`select $1::uuid`, ['not-a-uuid'])).rejects.toMatchObject({ code: '22P02' });
    await pg.query(insert, [11]);
    expect((await client.query(`select n from items where n >= 10 order by n`)).rows).toEqual([{ n: 10 }, { n: 11 }]);
  });

  it('parses a statement again once a change of its table leaves it stale, and closes the stale one', async () => {
    await client.exec(`create table shapes (a int)`);
    const q = `select * from shapes where $1::int = 1`;
    expect((await pg.query(q, [1])).fields.map((f) => f.name)).toEqual(['a']);
    await client.exec(`alter table shapes add column b int`);
    await expect(pg.query(q, [1])).rejects.toMatchObject({ code: '0A000' });
    expect((await pg.query(q, [1])).fields.map((f) => f.name)).toEqual(['a', 'b']);
    expect((await ours()).filter((s) => s.statement === q)).toHaveLength(1);
  });

  it('runs a transaction on prepared statements, and rolls it back whole', async () => {
    const insert = `insert into items (n) values ($1)`;
    await expect(
      pg.transaction(async (tx) => {
        await tx.query(insert, [20]);
        await tx.query(insert, [20]);
      }),
    ).rejects.toMatchObject({ code: '23505' });
    await pg.transaction(async (tx) => {
      await tx.query(insert, [21]);
      expect((await tx.query(`select count(*)::int as c from items where n >= $1`, [20])).rows).toEqual([{ c: 1 }]);
    });
    expect((await client.query(`select n from items where n >= 20 order by n`)).rows).toEqual([{ n: 21 }]);
  });

  it('keeps concurrent statements and transactions apart', async () => {
    const insert = `insert into items (n) values ($1)`;
    const count = `select count(*)::int as c from items where n between 100 and 199`;
    const seen = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        i % 4 === 0
          ? pg.transaction(async (tx) => {
              await tx.query(insert, [100 + i]);
              return (await tx.query<{ c: number }>(count)).rows[0]?.c;
            })
          : pg.query(insert, [100 + i]).then(async () => (await pg.query<{ c: number }>(count)).rows[0]?.c),
      ),
    );
    expect(seen.every((c) => typeof c === 'number' && c >= 1 && c <= 40)).toBe(true);
    expect((await client.query(count)).rows).toEqual([{ c: 40 }]);
  });
});

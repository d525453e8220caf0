/** lib/sql-template.ts: a fragment rendered once renders, called, as the `sql` tag's would. */
import { tickets } from '@ys/shared/schema';
import { type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { template } from '../src/lib/sql-template.ts';

const dialect = new PgDialect();
const render = (fragment: SQL) => dialect.sqlToQuery(fragment);

describe('template', () => {
  const direct = (id: unknown, list: unknown, inner: unknown) =>
    sql`select ${tickets.id} from ${tickets} where (${tickets.stationId} = ${id} or ${tickets.targetStationId} = ${id}) and ${tickets.status} in ${list} and ${inner}`;
  const frozen = template((id, list, inner) => direct(id, list, inner));

  it('renders the same text and parameters as the sql tag: repeated arguments, a list, a nested fragment with its own', () => {
    const inner = sql`${tickets.districtCode} = ${'150203'} and ${tickets.createdAt} < ${'2026-01-01T00:00:00Z'}::timestamptz`;
    const args = ['a6b1f0c2-0000-4000-8000-000000000001', ['pending_claim', 'in_progress'], inner] as const;
    const expected = render(sql`with x as (${direct(...args)}) select * from x limit ${20}`);
    const got = render(sql`with x as (${frozen(...args)}) select * from x limit ${20}`);
    expect(got).toEqual(expected);
    expect(got.params).toEqual([args[0], args[0], 'pending_claim', 'in_progress', '150203', '2026-01-01T00:00:00Z', 20]);
    expect(got.sql).toContain('"tickets"."station_id" = $1 or "tickets"."target_station_id" = $2');
  });

  it('nests: a template called inside another one’s build renders as the two written out', () => {
    const outer = template((id, list) => sql`(${frozen(id, list, sql`true`)}) union all (${frozen(id, list, sql`false`)})`);
    const expected = render(sql`(${direct('s1', ['resolved'], sql`true`)}) union all (${direct('s1', ['resolved'], sql`false`)})`);
    expect(render(outer('s1', ['resolved']))).toEqual(expected);
  });

  it('refuses a fragment with a value of its own, which would be frozen into the text', () => {
    expect(() => template((id) => sql`${tickets.id} = ${id} and ${tickets.districtCode} = ${'150203'}`)).toThrow(/only its arguments/);
  });
});

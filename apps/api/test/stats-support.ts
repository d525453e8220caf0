/** Shared by the figures' tests: reading figures, and checking that each figure's list filter lists its tickets. */
import { expect } from 'vitest';
import type { TestApp } from './helper.ts';

export interface Figure {
  value: number | null;
  numerator?: number;
  denominator?: number;
  filter: Record<string, string | boolean>;
  numeratorFilter?: Record<string, string | boolean>;
}

export const FIGURE_NAMES = [
  'received',
  'effective',
  'responseRate',
  'completionRate',
  'onTimeRate',
  'solvedRate',
  'satisfactionRate',
  'satisfactionScore',
  'overdueOpen',
  'avgClaimHours',
  'avgResolveHours',
] as const;
export type FigureName = (typeof FIGURE_NAMES)[number];

export type FigureSet = Record<FigureName, Figure> & { colors: Record<'red' | 'orange' | 'yellow' | 'green', Figure> };

export const query = (filter: Record<string, unknown>) =>
  new URLSearchParams(Object.entries(filter).map(([k, v]) => [k, String(v)] as [string, string])).toString();

export async function getJson<T = Record<string, unknown>>(t: TestApp, token: string, url: string): Promise<T> {
  const res = await t.as(token, { method: 'GET', url });
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  return res.json() as T;
}

/** How many tickets GET /api/tickets lists with this filter (as the caller). */
export async function listed(t: TestApp, token: string, filter: Record<string, unknown>): Promise<number> {
  return (await getJson<{ total: number }>(t, token, `/api/tickets?${query({ ...filter, pageSize: 1 })}`)).total;
}

/** Every figure's filter lists exactly the tickets it counts (a rate: denominator and numerator). */
export async function expectDrillDown(t: TestApp, token: string, set: FigureSet, where = '') {
  for (const name of FIGURE_NAMES) {
    const f = set[name];
    const expected = f.denominator ?? f.value;
    expect(await listed(t, token, f.filter), `${where} ${name}: ${query(f.filter)}`).toBe(expected);
    if (f.numeratorFilter) expect(await listed(t, token, f.numeratorFilter), `${where} ${name} numerator`).toBe(f.numerator);
  }
  for (const c of ['red', 'orange', 'yellow', 'green'] as const) {
    expect(await listed(t, token, set.colors[c].filter), `${where} ${c}`).toBe(set.colors[c].value);
  }
}

/** The figures' values only, for comparisons. */
export function values(set: FigureSet) {
  return {
    ...Object.fromEntries(FIGURE_NAMES.map((n) => [n, set[n].value])),
    colors: Object.fromEntries((['red', 'orange', 'yellow', 'green'] as const).map((c) => [c, set.colors[c].value])),
  };
}

import type { HolidayCalendar, HolidayKind } from '@ys/shared';
import { holidays } from '@ys/shared/schema';
import { and, gte, lte } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';

/** The holiday calendar around `at` (a year on each side is far more than any deadline needs). */
export async function loadCalendar(executor: Executor, at: Date): Promise<HolidayCalendar> {
  const from = new Date(at.getTime() - 30 * 86_400_000).toISOString().slice(0, 10);
  const to = new Date(at.getTime() + 400 * 86_400_000).toISOString().slice(0, 10);
  const rows = await executor
    .select({ date: holidays.date, kind: holidays.kind })
    .from(holidays)
    .where(and(gte(holidays.date, from), lte(holidays.date, to)));
  return new Map<string, HolidayKind>(rows.map((r) => [r.date, r.kind]));
}

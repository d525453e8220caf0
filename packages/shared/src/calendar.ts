/**
 * Working-day arithmetic in Asia/Shanghai (UTC+8 all year, no DST), with a calendar of
 * public holidays (off) and make-up working days (work) overriding Saturday and Sunday.
 */
import type { HolidayKind } from './enums.ts';

export type HolidayCalendar = ReadonlyMap<string, HolidayKind>;

const SHANGHAI_OFFSET_MS = 8 * 3600_000;
const DAY_MS = 24 * 3600_000;

/** yyyy-MM-dd of the Asia/Shanghai calendar day containing `at`. */
export function shanghaiDate(at: Date): string {
  return new Date(at.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** yyyyMMdd of the Asia/Shanghai day: the ticket number's date part. */
export function shanghaiDayKey(at: Date): string {
  return shanghaiDate(at).replaceAll('-', '');
}

function addDays(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

export function isWorkingDay(isoDate: string, calendar: HolidayCalendar): boolean {
  const kind = calendar.get(isoDate);
  if (kind === 'off') return false;
  if (kind === 'work') return true;
  const weekday = new Date(`${isoDate}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/** The instant a Shanghai day ends (the next day's 00:00 in Shanghai), as UTC. */
export function endOfShanghaiDay(isoDate: string): Date {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + DAY_MS - SHANGHAI_OFFSET_MS);
}

/**
 * The end of the `days`-th working day after `from`'s day (the day of `from` itself is not counted),
 * e.g. submitted on a Friday with 1 working day → end of Monday.
 */
export function addWorkingDays(from: Date, days: number, calendar: HolidayCalendar): Date {
  let day = shanghaiDate(from);
  let left = days;
  while (left > 0) {
    day = addDays(day, 1);
    if (isWorkingDay(day, calendar)) left--;
  }
  return endOfShanghaiDay(day);
}

/** Extends an existing deadline (the end of a working day) by `days` further working days. */
export function extendByWorkingDays(due: Date, days: number, calendar: HolidayCalendar): Date {
  return addWorkingDays(new Date(due.getTime() - 1), days, calendar);
}

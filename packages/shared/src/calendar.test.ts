import { describe, expect, it } from 'vitest';
import { addWorkingDays, extendByWorkingDays, type HolidayCalendar, isWorkingDay, shanghaiDate, shanghaiDayKey } from './calendar.ts';

// 2026: 国庆 10-01…10-07 off, 10-10 (Saturday) a make-up working day.
const calendar: HolidayCalendar = new Map([
  ['2026-10-01', 'off'],
  ['2026-10-02', 'off'],
  ['2026-10-05', 'off'],
  ['2026-10-06', 'off'],
  ['2026-10-07', 'off'],
  ['2026-10-10', 'work'],
]);
const sh = (local: string) => new Date(`${local}+08:00`);

describe('working days in Asia/Shanghai', () => {
  it('uses the Shanghai calendar day, not the UTC one', () => {
    expect(shanghaiDate(new Date('2026-11-22T16:30:00Z'))).toBe('2026-11-23');
    expect(shanghaiDayKey(new Date('2026-11-22T15:59:59Z'))).toBe('20261122');
  });

  it('skips a weekend: Friday + 1 working day ends Monday 24:00', () => {
    expect(addWorkingDays(sh('2026-11-20T10:00:00'), 1, new Map()).toISOString()).toBe(sh('2026-11-24T00:00:00').toISOString());
  });

  it('skips public holidays and counts a make-up Saturday', () => {
    expect(isWorkingDay('2026-10-10', calendar)).toBe(true);
    expect(isWorkingDay('2026-10-06', calendar)).toBe(false);
    // Submitted Wed 09-30: 1 working day → Thu 10-08 (10-01…10-07 off or weekend).
    expect(addWorkingDays(sh('2026-09-30T09:00:00'), 1, calendar)).toEqual(sh('2026-10-09T00:00:00'));
    // 10-08 Thu, 10-09 Fri, 10-10 Sat (make-up) → 3 working days end on Saturday.
    expect(addWorkingDays(sh('2026-09-30T09:00:00'), 3, calendar)).toEqual(sh('2026-10-11T00:00:00'));
  });

  it('counts from the next day even when submitted late at night', () => {
    expect(addWorkingDays(sh('2026-11-23T23:59:00'), 1, new Map())).toEqual(sh('2026-11-25T00:00:00'));
  });

  it('extends a deadline by further working days', () => {
    const due = addWorkingDays(sh('2026-11-20T10:00:00'), 1, new Map()); // end of Mon 11-23
    expect(extendByWorkingDays(due, 5, new Map())).toEqual(sh('2026-12-01T00:00:00')); // end of Mon 11-30
  });
});

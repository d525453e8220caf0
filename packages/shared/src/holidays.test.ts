import { expect, it } from 'vitest';
import { officialHolidays } from './holidays.ts';

it('reads the 2026 calendar: National Day off and its make-up Saturday', () => {
  const days = officialHolidays([2026, 1990 + 200]);
  expect(days).toContainEqual({ date: '2026-10-01', kind: 'off', name: '国庆节' });
  expect(days).toContainEqual({ date: '2026-10-10', kind: 'work', name: '国庆节调休上班' });
  expect(days.length).toBeGreaterThan(30);
});

import { describe, expect, it } from 'vitest';
import { countdown, formatDateTime, formatDuration, formatRate, shanghaiDateOf, shanghaiDayEnd, shanghaiDayStart } from './format.ts';

describe('display formats', () => {
  it('shows times in Asia/Shanghai', () => {
    expect(formatDateTime('2026-11-22T16:30:00.000Z')).toBe('2026-11-23 00:30');
    expect(formatDateTime(null)).toBe('—');
  });
  it('maps Shanghai days to UTC instants and back', () => {
    expect(shanghaiDayStart('2026-11-23')).toBe('2026-11-22T16:00:00.000Z');
    expect(shanghaiDayEnd('2026-11-23')).toBe('2026-11-23T16:00:00.000Z');
    expect(shanghaiDateOf('2026-11-22T16:00:00.000Z')).toBe('2026-11-23');
  });
  it('shows a null rate as a dash, not 0%', () => {
    expect(formatRate(null)).toBe('—');
    expect(formatRate(0)).toBe('0.0%');
    expect(formatRate(0.8567)).toBe('85.7%');
  });
  it('counts down and flags overdue and due-soon', () => {
    const now = Date.parse('2026-11-23T00:00:00Z');
    expect(countdown('2026-11-25T03:00:00Z', now)).toEqual({ text: '剩 2天3小时', overdue: false, soon: false });
    expect(countdown('2026-11-23T05:20:00Z', now)).toEqual({ text: '剩 5小时20分', overdue: false, soon: true });
    expect(countdown('2026-11-22T23:00:00Z', now)).toEqual({ text: '超期 1小时', overdue: true, soon: false });
    expect(formatDuration(12 * 60_000)).toBe('12分钟');
  });
});

describe('deadlines', () => {
  it('shows a deadline at midnight as 24:00 of the day it ends', async () => {
    const { formatDeadline } = await import('./format.ts');
    expect(formatDeadline('2026-11-30T16:00:00.000Z')).toBe('2026-11-30 24:00');
    expect(formatDeadline('2026-11-30T08:30:00.000Z')).toBe('2026-11-30 16:30');
  });
});

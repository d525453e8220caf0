import { describe, expect, it } from 'vitest';
import { ticketColor } from './color.ts';

const created = new Date('2026-11-02T00:00:00Z');
const due = new Date('2026-11-12T00:00:00Z'); // 10 days later
const at = (days: number) => new Date(created.getTime() + days * 86_400_000);
const open = { status: 'in_progress' as const, createdAt: created, resolveDueAt: due, claimDueAt: null };

describe('四色预警', () => {
  it('is green below half the time, yellow from 50 %, orange from 80 %, red past the deadline', () => {
    expect(ticketColor(open, at(4.99))).toBe('green');
    expect(ticketColor(open, at(5))).toBe('yellow');
    expect(ticketColor(open, at(7.99))).toBe('yellow');
    expect(ticketColor(open, at(8))).toBe('orange');
    expect(ticketColor(open, at(10))).toBe('orange');
    expect(ticketColor(open, at(10.0001))).toBe('red');
  });
  it('is orange when the claim is overdue, whatever the fraction', () => {
    expect(ticketColor({ ...open, status: 'pending_claim', claimDueAt: at(1) }, at(1.5))).toBe('orange');
  });
  it('gives no colour to finished tickets', () => {
    for (const status of ['resolved', 'closed', 'withdrawn', 'invalid'] as const) expect(ticketColor({ ...open, status }, at(20))).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { drillFilters, rowFilter } from './drill.ts';

const range = { from: '2025-12-31T16:00:00.000Z', to: '2026-11-23T16:00:00.000Z', districtCode: '150207' };

describe('drill-down from a figure to its tickets', () => {
  it('keeps the date range and district of the figures', () => {
    expect(drillFilters('received', range)).toEqual(range);
    expect(drillFilters('overdueOpen', range)).toEqual({ ...range, overdue: 'true' });
    expect(drillFilters('open.red', range)).toEqual({ ...range, status: 'pending_dispatch,pending_claim,in_progress', color: 'red' });
    expect(drillFilters('completionRate', range)).toEqual({ ...range, status: 'resolved,closed' });
  });
  it('prefers the filter the API gives with the figure', () => {
    const figures = { drill: { solvedRate: { from: range.from, to: range.to, rated: true, view: 'all', page: 1 } } };
    expect(drillFilters('solvedRate', range, figures)).toEqual({ from: range.from, to: range.to, rated: 'true' } as never);
  });
  it('narrows to one row of a breakdown', () => {
    expect(rowFilter('district', '150203', range)).toEqual({ districtCode: '150203' });
    expect(rowFilter('stationType', 'court', range)).toEqual({ stationType: 'court' });
    expect(rowFilter('channel', 'qr', range)).toEqual({ channel: 'qr' });
  });
  it('turns a month into its Shanghai month, clipped to the range', () => {
    expect(rowFilter('month', '2026-03', range)).toEqual({ from: '2026-02-28T16:00:00.000Z', to: '2026-03-31T16:00:00.000Z' });
    expect(rowFilter('month', '2026-01', range)).toEqual({ from: '2025-12-31T16:00:00.000Z', to: '2026-01-31T16:00:00.000Z' });
    expect(rowFilter('month', '2026-11', range).to).toBe('2026-11-23T16:00:00.000Z');
  });
});

import { describe, expect, it } from 'vitest';
import { filtersFromQuery, queryFor } from '@/composables/useTicketList.ts';
import { listFilters } from './drill.ts';

describe('drill-down from a figure to its tickets', () => {
  it('turns the figure’s list filter into the list’s URL query', () => {
    const filter = {
      from: '2025-12-31T16:00:00.000Z',
      districtCode: '150207',
      rated: true,
      satisfaction: 'satisfied,basically_satisfied',
      view: 'all',
      x: null,
    };
    expect(listFilters(filter)).toEqual({
      from: '2025-12-31T16:00:00.000Z',
      districtCode: '150207',
      rated: 'true',
      satisfaction: 'satisfied,basically_satisfied',
    });
  });
  it('keeps every filter of the figures through the URL', () => {
    const f = listFilters({
      response: 'on_time,late',
      resolution: 'on_time',
      effective: true,
      completed: true,
      claimed: true,
      withoutStation: true,
      todoStationId: 'a',
      dueBy: 'b',
    });
    expect(filtersFromQuery(queryFor(f))).toEqual(f);
  });
});

import { describe, expect, it } from 'vitest';
import { filtersFromQuery, pagingFromQuery, queryFor } from './useTicketList.ts';

describe('ticket-list filters in the URL', () => {
  it('reads known filters and ignores the rest', () => {
    expect(filtersFromQuery({ status: 'pending_claim,in_progress', color: ['red', 'orange'], q: '', foo: 'bar', page: '2' })).toEqual({
      status: 'pending_claim,in_progress',
      color: 'red,orange',
    });
  });
  it('writes page 1 and the default page size as nothing', () => {
    expect(queryFor({ overdue: 'true', q: '' })).toEqual({ overdue: 'true' });
    expect(queryFor({}, 3, 50)).toEqual({ page: '3', pageSize: '50' });
  });
  it('keeps paging within what the API accepts', () => {
    expect(pagingFromQuery({ page: '0', pageSize: '1000' })).toEqual({ page: 1, pageSize: 100 });
    expect(pagingFromQuery({ page: 'x' })).toEqual({ page: 1, pageSize: 20 });
  });
  it('round-trips', () => {
    const f = { status: 'resolved', districtCode: '150207', from: '2026-01-01T00:00:00.000Z', sort: '-createdAt' };
    expect(filtersFromQuery(queryFor(f, 2))).toEqual(f);
  });
});

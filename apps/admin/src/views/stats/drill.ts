/** Drill-down: every figure carries the ticket-list filter of the tickets behind it; the list opens with it. */
import type { ListFilter } from '@/api/stats.ts';
import type { Filters } from '@/composables/useTicketList.ts';

/** A figure's list filter as URL query values (booleans and numbers as text, empty values dropped). */
export function listFilters(filter: ListFilter | undefined): Filters {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(filter ?? {})) {
    if (v === null || v === undefined || v === '' || k === 'view' || k === 'page' || k === 'pageSize') continue;
    out[k] = String(v);
  }
  return out as Filters;
}

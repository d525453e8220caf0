/**
 * A ticket list whose filters live in the URL query: shareable, and the back button restores them.
 * Changing a filter pushes a new history entry; the list reloads whenever the query changes.
 */
import { computed, onScopeDispose, ref, shallowRef, watch } from 'vue';
import { type LocationQuery, useRoute, useRouter } from 'vue-router';
import { reportError } from '@/api/http.ts';
import { type TicketSummary, type TicketView, ticketsApi } from '@/api/tickets.ts';

export const FILTER_KEYS = [
  'status',
  'categoryCode',
  'stationId',
  'stationType',
  'districtCode',
  'color',
  'channel',
  'supervised',
  'awaitingSupplement',
  'extensionPending',
  'overdue',
  'q',
  'from',
  'to',
  'sort',
  // the figures' drill-down filters (DESIGN §5): which tickets a figure counts
  'effective',
  'response',
  'resolution',
  'completed',
  'claimed',
  'rated',
  'solved',
  'satisfaction',
  'withoutStation',
  'todoStationId',
  'dueBy',
] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type Filters = Partial<Record<FilterKey, string>>;

export const DEFAULT_PAGE_SIZE = 20;

/** The list filters present in a route query (unknown keys and empty values dropped). */
export function filtersFromQuery(query: LocationQuery): Filters {
  const out: Filters = {};
  for (const key of FILTER_KEYS) {
    const v = query[key];
    const s = Array.isArray(v) ? v.join(',') : v;
    if (typeof s === 'string' && s !== '') out[key] = s;
  }
  return out;
}

export function pagingFromQuery(query: LocationQuery): { page: number; pageSize: number } {
  const n = (v: unknown, d: number, max: number) => {
    const x = Number(typeof v === 'string' ? v : NaN);
    return Number.isInteger(x) && x >= 1 ? Math.min(x, max) : d;
  };
  return { page: n(query.page, 1, 100_000), pageSize: n(query.pageSize, DEFAULT_PAGE_SIZE, 100) };
}

/** The route query for filters + paging (page 1 and the default page size are left out). */
export function queryFor(filters: Filters, page = 1, pageSize = DEFAULT_PAGE_SIZE): Record<string, string> {
  const q: Record<string, string> = {};
  for (const key of FILTER_KEYS) {
    const v = filters[key];
    if (v !== undefined && v !== '') q[key] = v;
  }
  if (page > 1) q.page = String(page);
  if (pageSize !== DEFAULT_PAGE_SIZE) q.pageSize = String(pageSize);
  return q;
}

export function useTicketList(view: () => TicketView, fixed: () => Filters = () => ({})) {
  const route = useRoute();
  const router = useRouter();
  const items = shallowRef<TicketSummary[]>([]);
  const total = ref(0);
  const loading = ref(false);
  const filters = computed(() => filtersFromQuery(route.query));
  const paging = computed(() => pagingFromQuery(route.query));
  /** What the API is asked: the URL's filters plus the screen's fixed ones. */
  const effective = computed<Filters>(() => ({ ...filters.value, ...fixed() }));
  let controller: AbortController | null = null;

  async function load() {
    controller?.abort();
    const c = new AbortController();
    controller = c;
    loading.value = true;
    try {
      const page = await ticketsApi.list(view(), { ...effective.value, ...paging.value }, c.signal);
      if (c.signal.aborted) return;
      items.value = page.items;
      total.value = page.total;
    } catch (err) {
      if (!c.signal.aborted) reportError(err);
    } finally {
      if (controller === c) loading.value = false;
    }
  }

  function apply(next: Filters) {
    return router.push({ query: queryFor(next, 1, paging.value.pageSize) });
  }
  function setPage(page: number) {
    return router.push({ query: queryFor(filters.value, page, paging.value.pageSize) });
  }
  function setPageSize(pageSize: number) {
    return router.push({ query: queryFor(filters.value, 1, pageSize) });
  }
  async function exportCurrent() {
    try {
      await ticketsApi.export(view(), effective.value);
    } catch (err) {
      reportError(err);
    }
  }

  watch(
    () => [route.name, JSON.stringify(route.query), view()],
    () => {
      void load();
    },
    { immediate: true },
  );
  onScopeDispose(() => controller?.abort());

  return { items, total, loading, filters, paging, effective, load, apply, setPage, setPageSize, exportCurrent };
}

import { reactive, ref, shallowRef, type UnwrapRef } from 'vue';
import { reportError } from '@/api/http.ts';
import type { Page } from '@/api/types.ts';

/** A paged admin table: its query, the current page, and loading with the error shown. */
export function usePaged<T, Q extends object>(fetch: (q: Q & { page: number; pageSize: number }) => Promise<Page<T>>, initial: Q, pageSize = 20) {
  const query = reactive({ ...initial });
  const items = shallowRef<T[]>([]);
  const total = ref(0);
  const page = ref(1);
  const size = ref(pageSize);
  const loading = ref(false);

  async function load() {
    loading.value = true;
    try {
      const clean = Object.fromEntries(Object.entries(query as UnwrapRef<Q> & object).filter(([, v]) => v !== '' && v !== null && v !== undefined)) as Q;
      const res = await fetch({ ...clean, page: page.value, pageSize: size.value });
      items.value = res.items;
      total.value = res.total;
    } catch (err) {
      reportError(err);
    } finally {
      loading.value = false;
    }
  }
  function search() {
    page.value = 1;
    return load();
  }
  function reset() {
    Object.assign(query, initial);
    return search();
  }
  function setPage(p: number) {
    page.value = p;
    return load();
  }
  function setSize(s: number) {
    size.value = s;
    page.value = 1;
    return load();
  }
  return { query, items, total, page, size, loading, load, search, reset, setPage, setSize };
}

import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { type CategoryItem, type Dicts, type DistrictItem, dictsApi, type StationItem } from '@/api/dicts.ts';

/** Districts, stations and categories: names for the codes every screen shows. */
export const useDictsStore = defineStore('dicts', () => {
  const districts = ref<DistrictItem[]>([]);
  const stations = ref<StationItem[]>([]);
  const categories = ref<CategoryItem[]>([]);
  const loaded = ref(false);
  let loading: Promise<void> | null = null;

  function set(d: Dicts) {
    districts.value = d.districts;
    stations.value = d.stations;
    categories.value = d.categories;
    loaded.value = true;
  }

  function load(force = false): Promise<void> {
    if (loaded.value && !force) return Promise.resolve();
    loading ??= dictsApi
      .load()
      .then(set)
      .finally(() => {
        loading = null;
      });
    return loading;
  }

  const districtMap = computed(() => new Map(districts.value.map((d) => [d.code, d])));
  const stationMap = computed(() => new Map(stations.value.map((s) => [s.id, s])));
  const categoryMap = computed(() => new Map(categories.value.map((c) => [c.code, c])));
  const activeDistricts = computed(() => districts.value.filter((d) => d.active));
  const activeStations = computed(() => stations.value.filter((s) => s.active));
  const activeCategories = computed(() => categories.value.filter((c) => c.active));

  const districtName = (code: string | null | undefined) => (code ? (districtMap.value.get(code)?.name ?? code) : '');
  const stationName = (id: string | null | undefined) => (id ? (stationMap.value.get(id)?.name ?? '') : '');
  const categoryName = (code: string | null | undefined) => (code ? (categoryMap.value.get(code)?.name ?? code) : '');

  return {
    districts,
    stations,
    categories,
    loaded,
    load,
    set,
    activeDistricts,
    activeStations,
    activeCategories,
    districtName,
    stationName,
    categoryName,
  };
});

import { onScopeDispose, type Ref, ref } from 'vue';

let shared: Ref<number> | null = null;
let users = 0;
let timer: ReturnType<typeof setInterval> | undefined;

/** One ticking clock for every countdown on the page (every 30 s). */
export function useNow(): Ref<number> {
  if (!shared) shared = ref(Date.now());
  const now = shared;
  users++;
  if (!timer) timer = setInterval(() => (now.value = Date.now()), 30_000);
  onScopeDispose(() => {
    users--;
    if (users === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  });
  return now;
}

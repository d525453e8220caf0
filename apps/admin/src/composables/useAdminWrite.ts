import { ElMessage } from 'element-plus';
import { ref } from 'vue';
import { reportError } from '@/api/http.ts';

/**
 * The write half of a system-management page: one busy flag for the dialog's save button, the API's
 * message shown on failure, and the page's data reloaded after every change.
 */
export function useAdminWrite(reload: () => Promise<unknown>) {
  const busy = ref(false);

  /** Runs a write; on success shows `message` (when given), calls `done` (close the dialog), then reloads. */
  async function save(write: () => Promise<unknown>, message: string | null, done?: () => void): Promise<void> {
    busy.value = true;
    try {
      await write();
      if (message) ElMessage.success(message);
      done?.();
      await reload();
    } catch (err) {
      reportError(err);
    } finally {
      busy.value = false;
    }
  }

  /** Switches a row's `active` flag through `update` and says which way it went. */
  async function toggleActive(active: boolean, update: (active: boolean) => Promise<unknown>): Promise<void> {
    try {
      await update(!active);
      ElMessage.success(active ? '已停用' : '已启用');
      await reload();
    } catch (err) {
      reportError(err);
    }
  }

  return { busy, save, toggleActive };
}

import type { Role } from '@ys/shared';
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { authApi, type SessionReply, type SessionUser } from '@/api/auth.ts';
import { refreshSession, setSessionHooks, tokenStore } from '@/api/http.ts';

/** Who is signed in. The access token is kept by the HTTP client; this store keeps the user. */
export const useSessionStore = defineStore('session', () => {
  const user = ref<SessionUser | null>(null);
  const expired = ref(false);
  let restoring: Promise<boolean> | null = null;

  const role = computed<Role | null>(() => user.value?.role ?? null);
  const signedIn = computed(() => user.value !== null);

  function accept(reply: SessionReply) {
    tokenStore.set(reply.accessToken);
    user.value = reply.user;
    expired.value = false;
  }

  setSessionHooks({
    onRefreshed: (body) => {
      const reply = body as SessionReply;
      if (reply?.user) user.value = reply.user;
    },
    onExpired: () => {
      user.value = null;
      expired.value = true;
    },
  });

  async function login(username: string, password: string) {
    accept(await authApi.login(username, password));
    return user.value as SessionUser;
  }

  /** After a reload or in a new tab: the stored access token, else the refresh cookie. */
  function restore(): Promise<boolean> {
    if (user.value) return Promise.resolve(true);
    restoring ??= (async () => {
      try {
        if (!tokenStore.get() && !(await refreshSession())) return false;
        user.value = await authApi.me();
        return true;
      } catch {
        tokenStore.set(null);
        return false;
      } finally {
        restoring = null;
      }
    })();
    return restoring;
  }

  async function changePassword(oldPassword: string, newPassword: string) {
    accept(await authApi.changePassword(oldPassword, newPassword));
  }

  async function logout() {
    try {
      await authApi.logout();
    } catch {
      /* signing out locally is what matters */
    }
    tokenStore.set(null);
    user.value = null;
  }

  return { user, role, signedIn, expired, login, restore, changePassword, logout };
});

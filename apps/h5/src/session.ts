/**
 * The enterprise session: the token from POST /api/public/session, kept in localStorage until it expires,
 * so a business that signed in once is still signed in the next time it scans a code.
 */
import { ref } from 'vue';

const KEY = 'ys.h5.session';

export interface Session {
  token: string;
  expiresAt: string;
  phone: string;
}

function read(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Partial<Session>;
    if (typeof s.token !== 'string' || typeof s.expiresAt !== 'string') return null;
    if (!(Date.parse(s.expiresAt) > Date.now())) {
      localStorage.removeItem(KEY);
      return null;
    }
    return { token: s.token, expiresAt: s.expiresAt, phone: typeof s.phone === 'string' ? s.phone : '' };
  } catch {
    return null;
  }
}

/** Reactive for the pages; re-read from storage so another tab's sign-out is respected. */
export const session = ref<Session | null>(read());

export function getToken(): string | null {
  const s = read();
  session.value = s;
  return s?.token ?? null;
}

export function isSignedIn(): boolean {
  return getToken() !== null;
}

export function saveSession(s: Session): void {
  localStorage.setItem(KEY, JSON.stringify(s));
  session.value = s;
}

export function clearSession(): void {
  localStorage.removeItem(KEY);
  session.value = null;
}

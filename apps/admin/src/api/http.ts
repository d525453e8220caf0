/**
 * The one fetch wrapper of the console: bearer token, JSON in and out, one refresh in flight when an
 * access token expires (the request is then repeated), and the one error handler that shows the API's
 * message to the user.
 */
import { ElMessage } from 'element-plus';

export const API_BASE = '/api';

/** An API answer other than 2xx: the `{error:{code,message}}` body, or a network failure. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Thrown to callers whose request failed because the session ended; the user is already on the way to sign-in. */
export const SESSION_EXPIRED = 'SESSION_EXPIRED';

export type QueryValue = string | number | boolean | null | undefined | readonly (string | number)[];
export type Query = Record<string, QueryValue>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  /** FormData (uploads) is sent as it is. */
  form?: FormData;
  /** Answer the Response itself (downloads). */
  raw?: boolean;
  /** No bearer header and no refresh (sign-in, refresh itself). */
  anonymous?: boolean;
  signal?: AbortSignal;
}

const TOKEN_KEY = 'ys_admin_at';

/** The access token lives per tab (sessionStorage) so a reload keeps the page; the refresh token is an httpOnly cookie. */
export const tokenStore = {
  get(): string | null {
    try {
      return sessionStorage.getItem(TOKEN_KEY);
    } catch {
      return null;
    }
  },
  set(token: string | null): void {
    try {
      if (token) sessionStorage.setItem(TOKEN_KEY, token);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      /* storage unavailable: the token stays in memory only through the refresh cookie */
    }
  },
};

export interface SessionHooks {
  /** Called with the answer of a successful refresh (the session store keeps the user up to date). */
  onRefreshed?(body: unknown): void;
  /** Called once when a refresh fails: the session is over. */
  onExpired?(): void;
}
const hooks: SessionHooks = {};
export function setSessionHooks(h: SessionHooks): void {
  Object.assign(hooks, h);
}

export function buildQuery(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) {
      if (value.length) params.set(key, value.join(','));
    } else params.set(key, String(value));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

async function errorOf(res: Response): Promise<ApiError> {
  let code = `HTTP_${res.status}`;
  let message = `请求失败（${res.status}）`;
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    if (body?.error?.code) code = body.error.code;
    if (body?.error?.message) message = body.error.message;
  } catch {
    if (res.status === 413) message = '文件过大';
    else if (res.status >= 500) message = '服务器暂时无法处理，请稍后再试';
  }
  return new ApiError(res.status, code, message);
}

let refreshing: Promise<boolean> | null = null;

async function doRefresh(): Promise<boolean> {
  const run = async () => {
    const res = await fetch(`${API_BASE}/auth/refresh`, { method: 'POST', credentials: 'same-origin', headers: { 'x-requested-with': 'XMLHttpRequest' } });
    if (!res.ok) return false;
    const body = (await res.json()) as { accessToken: string };
    tokenStore.set(body.accessToken);
    hooks.onRefreshed?.(body);
    return true;
  };
  try {
    // Tabs share the refresh cookie and a token presented twice ends the session: take turns across tabs.
    const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
    return locks ? await locks.request('ys-admin-refresh', run) : await run();
  } catch {
    return false;
  }
}

/** Exchanges the refresh cookie for a new access token; concurrent callers share one request. */
export function refreshSession(): Promise<boolean> {
  if (!refreshing) {
    refreshing = doRefresh().finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

async function send(method: string, path: string, opts: RequestOptions): Promise<Response> {
  // X-Requested-With marks our own calls for the cookie endpoints' cross-site guard (older browsers send no Origin).
  const headers: Record<string, string> = { accept: 'application/json', 'x-requested-with': 'XMLHttpRequest' };
  const token = opts.anonymous ? null : tokenStore.get();
  if (token) headers.authorization = `Bearer ${token}`;
  let body: BodyInit | undefined;
  if (opts.form) body = opts.form;
  else if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  try {
    return await fetch(`${API_BASE}${path}${buildQuery(opts.query)}`, { method, headers, body, credentials: 'same-origin', signal: opts.signal });
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw new ApiError(0, 'NETWORK', '网络连接失败，请检查网络后重试');
  }
}

/** Calls the API; answers the parsed JSON (undefined for 204), or throws ApiError. */
export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  let res = await send(method, path, opts);
  if (res.status === 401 && !opts.anonymous) {
    const hadToken = tokenStore.get() !== null;
    if (await refreshSession()) res = await send(method, path, opts);
    else {
      tokenStore.set(null);
      if (hadToken) hooks.onExpired?.();
      throw new ApiError(401, SESSION_EXPIRED, '登录已过期，请重新登录');
    }
  }
  if (!res.ok) throw await errorOf(res);
  if (opts.raw) return res as T;
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('content-type') ?? '';
  return (type.includes('json') ? await res.json() : await res.text()) as T;
}

export const http = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>('GET', path, { query, signal }),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, { body: body ?? {} }),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, { body }),
  delete: <T>(path: string) => request<T>('DELETE', path),
  upload: <T>(path: string, file: File | Blob, name?: string) => {
    const form = new FormData();
    if (name) form.append('file', file, name);
    else form.append('file', file);
    return request<T>('POST', path, { form });
  },
};

/** Fetches a protected file with the bearer token into a blob (for downloads, previews and PDFs). */
export async function fetchBlob(path: string, query?: Query): Promise<{ blob: Blob; filename: string | null }> {
  const res = await request<Response>('GET', path, { query, raw: true });
  const disposition = res.headers.get('content-disposition') ?? '';
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  const plain = /filename="?([^";]+)"?/i.exec(disposition);
  const filename = star?.[1] ? decodeURIComponent(star[1]) : (plain?.[1] ?? null);
  return { blob: await res.blob(), filename };
}

/** Saves a protected file under `fallbackName` (or the server's name for it). */
export async function downloadFile(path: string, query: Query | undefined, fallbackName: string): Promise<void> {
  const { blob, filename } = await fetchBlob(path, query);
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename ?? fallbackName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function isApiError(err: unknown, code?: string): err is ApiError {
  return err instanceof ApiError && (code === undefined || err.code === code);
}

/** The one place errors reach the user: the API's own message, once. */
export function reportError(err: unknown): void {
  if (err instanceof DOMException && err.name === 'AbortError') return;
  if (isApiError(err, SESSION_EXPIRED)) return; // the sign-in page says it
  const message = err instanceof ApiError ? err.message : err instanceof Error && err.message ? `操作失败：${err.message}` : '操作失败，请稍后再试';
  ElMessage({ type: 'error', message, grouping: true, showClose: true });
}

/** Runs an action and reports its error; answers undefined when it failed. */
export async function attempt<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    reportError(err);
    return undefined;
  }
}

/**
 * The one fetch wrapper of the H5 app: JSON in and out, the enterprise session's bearer token, and every
 * failure turned into an ApiError whose message (Chinese, from the server when it sent one) can be shown.
 */
import { clearSession, getToken } from '@/session';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const FALLBACK_MESSAGES: Record<number, string> = {
  0: '网络连接失败，请检查网络后重试',
  400: '提交的内容有误，请检查后重试',
  401: '登录已失效，请重新登录',
  404: '未找到相关内容',
  409: '当前状态下不能进行此操作，请刷新后重试',
  413: '文件超过 10 MB，请压缩后重新上传',
  415: '不支持该文件类型，请上传 jpg、png、webp、pdf、docx 或 xlsx 文件',
  429: '操作过于频繁，请稍后再试',
};

/** Called when the server says the session is gone; the router sends the user to sign in. */
let onUnauthenticated: (() => void) | null = null;
export function setUnauthenticatedHandler(handler: () => void): void {
  onUnauthenticated = handler;
}

/** Builds the ApiError for an HTTP answer that was not a success. */
export function errorFromResponse(status: number, bodyText: string, retryAfter: string | null): ApiError {
  let code = `HTTP_${status}`;
  let message = FALLBACK_MESSAGES[status] ?? '服务暂时不可用，请稍后再试';
  try {
    const body = JSON.parse(bodyText) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.code === 'string') code = body.error.code;
    if (typeof body.error?.message === 'string' && body.error.message) message = body.error.message;
  } catch {
    /* not JSON: keep the fallback */
  }
  const seconds = retryAfter !== null && /^\d+$/.test(retryAfter) ? Number(retryAfter) : null;
  return new ApiError(status, code, message, seconds);
}

export function networkError(): ApiError {
  return new ApiError(0, 'NETWORK', FALLBACK_MESSAGES[0] ?? '');
}

export function handleUnauthenticated(status: number): void {
  if (status === 401 && getToken()) {
    clearSession();
    onUnauthenticated?.();
  }
}

export interface RequestOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  headers?: Record<string, string>;
  /** Public calls (the station entry, sign-in) never carry the token. */
  anonymous?: boolean;
}

/** Reads are retried twice when the server is briefly busy (503, honouring Retry-After up to 5 s) or the network drops. */
const READ_RETRIES = 2;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const read = (options.method ?? 'GET') === 'GET';
  for (let attempt = 0; ; attempt++) {
    try {
      return await requestOnce<T>(path, options);
    } catch (e) {
      const transient = e instanceof ApiError && (e.status === 0 || e.status === 503);
      if (!read || !transient || attempt >= READ_RETRIES) throw e;
      await sleep(Math.min(5, (e as ApiError).retryAfterSeconds ?? 1) * 1000);
    }
  }
}

async function requestOnce<T>(path: string, options: RequestOptions): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const token = options.anonymous ? null : getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(`/api${path}`, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch {
    throw networkError();
  }
  const text = await res.text();
  if (!res.ok) {
    handleUnauthenticated(res.status);
    throw errorFromResponse(res.status, text, res.headers.get('retry-after'));
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

/** multipart upload with progress (fetch cannot report upload progress). */
export function uploadWithProgress<T>(path: string, file: File, onProgress: (percent: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api${path}`);
    const token = getToken();
    if (token) xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(Math.min(99, Math.round((e.loaded / e.total) * 100)));
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(100);
        resolve(JSON.parse(xhr.responseText) as T);
      } else {
        handleUnauthenticated(xhr.status);
        reject(errorFromResponse(xhr.status, xhr.responseText, xhr.getResponseHeader('retry-after')));
      }
    };
    xhr.onerror = () => reject(networkError());
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
}

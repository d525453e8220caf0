import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, buildQuery, http, refreshSession, SESSION_EXPIRED, setSessionHooks, tokenStore } from './http.ts';

type Handler = (url: string, init: RequestInit) => Response | Promise<Response>;
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const authOf = (init: RequestInit) => (init.headers as Record<string, string> | undefined)?.authorization;

let handler: Handler;
const calls: { url: string; auth?: string; method?: string }[] = [];

beforeEach(() => {
  calls.length = 0;
  tokenStore.set(null);
  vi.stubGlobal(
    'fetch',
    vi.fn(async (url: string, init: RequestInit = {}) => {
      calls.push({ url, auth: authOf(init), method: init.method });
      return handler(url, init);
    }),
  );
});
afterEach(() => {
  vi.unstubAllGlobals();
  setSessionHooks({ onExpired: undefined, onRefreshed: undefined });
});

describe('the API client', () => {
  it('sends the bearer token and parses JSON', async () => {
    tokenStore.set('t1');
    handler = () => json(200, { ok: true });
    await expect(http.get('/dicts')).resolves.toEqual({ ok: true });
    expect(calls[0]).toMatchObject({ url: '/api/dicts', auth: 'Bearer t1', method: 'GET' });
  });

  it('turns the error body into an ApiError with the API message', async () => {
    tokenStore.set('t1');
    handler = () => json(409, { error: { code: 'ALREADY_CLAIMED', message: '该诉求已被其他人员认领' } });
    const err = await http.post('/tickets/x/claim').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 409, code: 'ALREADY_CLAIMED', message: '该诉求已被其他人员认领' });
  });

  it('refreshes once on 401 and repeats the request with the new token', async () => {
    tokenStore.set('old');
    const refreshed = vi.fn();
    setSessionHooks({ onRefreshed: refreshed });
    handler = (url, init) => {
      if (url === '/api/auth/refresh') return json(200, { accessToken: 'new', expiresIn: 900, user: { id: 'u' } });
      return authOf(init) === 'Bearer new' ? json(200, { items: [] }) : json(401, { error: { code: 'UNAUTHENTICATED', message: '登录已过期' } });
    };
    await expect(http.get('/tickets')).resolves.toEqual({ items: [] });
    expect(calls.map((c) => c.url)).toEqual(['/api/tickets', '/api/auth/refresh', '/api/tickets']);
    expect(tokenStore.get()).toBe('new');
    expect(refreshed).toHaveBeenCalledOnce();
  });

  it('shares one refresh among concurrent requests that meet an expired token', async () => {
    tokenStore.set('old');
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    handler = async (url, init) => {
      if (url === '/api/auth/refresh') {
        await gate;
        return json(200, { accessToken: 'new', expiresIn: 900, user: { id: 'u' } });
      }
      return authOf(init) === 'Bearer new' ? json(200, { url }) : json(401, { error: { code: 'UNAUTHENTICATED', message: 'x' } });
    };
    const all = Promise.all([http.get('/a'), http.get('/b'), http.get('/c')]);
    await new Promise((r) => setTimeout(r, 10));
    release();
    await expect(all).resolves.toEqual([{ url: '/api/a' }, { url: '/api/b' }, { url: '/api/c' }]);
    expect(calls.filter((c) => c.url === '/api/auth/refresh')).toHaveLength(1);
  });

  it('ends the session when the refresh fails, once, and answers SESSION_EXPIRED', async () => {
    tokenStore.set('old');
    const expired = vi.fn();
    setSessionHooks({ onExpired: expired });
    handler = () => json(401, { error: { code: 'UNAUTHENTICATED', message: '登录已过期，请重新登录' } });
    const err = await http.get('/tickets').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: SESSION_EXPIRED, status: 401 });
    expect(expired).toHaveBeenCalledOnce();
    expect(tokenStore.get()).toBeNull();
  });

  it('does not refresh for sign-in itself (a 401 there is a wrong password)', async () => {
    const { authApi } = await import('./auth.ts');
    handler = () => json(401, { error: { code: 'UNAUTHENTICATED', message: '用户名或密码错误' } });
    const err = await authApi.login('a', 'b').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UNAUTHENTICATED', message: '用户名或密码错误' });
    expect(calls.map((c) => c.url)).toEqual(['/api/auth/login']);
  });

  it('reports a network failure in words', async () => {
    handler = () => {
      throw new TypeError('Failed to fetch');
    };
    await expect(http.get('/x')).rejects.toMatchObject({ code: 'NETWORK', message: '网络连接失败，请检查网络后重试' });
  });

  it('answers undefined for 204', async () => {
    handler = () => new Response(null, { status: 204 });
    await expect(http.delete('/admin/holidays/2026-01-01')).resolves.toBeUndefined();
  });

  it('refreshSession answers false when there is no refresh cookie', async () => {
    handler = () => json(401, { error: { code: 'UNAUTHENTICATED', message: 'x' } });
    await expect(refreshSession()).resolves.toBe(false);
  });
});

describe('buildQuery', () => {
  it('leaves out empty values and joins lists with commas', () => {
    expect(buildQuery({ view: 'all', q: '', status: ['pending_claim', 'in_progress'], page: 2, x: undefined, y: null, z: [] })).toBe(
      '?view=all&status=pending_claim%2Cin_progress&page=2',
    );
    expect(buildQuery({})).toBe('');
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, errorFromResponse, request } from './client';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('the API client', () => {
  it('turns an error answer into its Chinese message, code and Retry-After', () => {
    const e = errorFromResponse(429, JSON.stringify({ error: { code: 'RATE_LIMITED', message: '验证码发送过于频繁，请 1 分钟后再试' } }), '42');
    expect(e).toMatchObject({ status: 429, code: 'RATE_LIMITED', message: '验证码发送过于频繁，请 1 分钟后再试', retryAfterSeconds: 42 });
    expect(errorFromResponse(413, '<html>', null).message).toBe('文件超过 10 MB，请压缩后重新上传');
  });

  it('retries a read while the server is briefly busy, but never a write', async () => {
    vi.useFakeTimers();
    const busy = () =>
      new Response(JSON.stringify({ error: { code: 'SERVICE_UNAVAILABLE', message: '服务繁忙，请稍后重试' } }), {
        status: 503,
        headers: { 'retry-after': '1' },
      });
    const fetchMock = vi
      .fn()
      .mockResolvedValueOnce(busy())
      .mockResolvedValueOnce(new Response('{"ok":true}', { status: 200 }));
    vi.stubGlobal('fetch', fetchMock);
    const read = request<{ ok: boolean }>('/public/entry/jy-court');
    await vi.advanceTimersByTimeAsync(1000);
    expect(await read).toEqual({ ok: true });
    expect(fetchMock).toHaveBeenCalledTimes(2);

    const writeMock = vi.fn().mockResolvedValue(busy());
    vi.stubGlobal('fetch', writeMock);
    await expect(request('/public/otp', { method: 'POST', body: { phone: '13800138000' } })).rejects.toBeInstanceOf(ApiError);
    expect(writeMock).toHaveBeenCalledTimes(1);
  });
});

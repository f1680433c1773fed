import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, fileNameFromDisposition, parseErrorBody, request, toQueryString } from './client.js';
import { errorText } from '../lib/errors.js';

describe('parseErrorBody', () => {
  it('keeps code, message, path and detail of our error shape', () => {
    const e = parseErrorBody(
      409,
      JSON.stringify({ code: 'duplicate', message: '该身份证号码已登记', path: 'idNumber', detail: { existing: { id: 'p1' } } }),
    );
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ status: 409, code: 'duplicate', message: '该身份证号码已登记', path: 'idNumber', detail: { existing: { id: 'p1' } } });
  });
  it('falls back to a code from the status for bodies that are not ours', () => {
    expect(parseErrorBody(502, '<html>Bad Gateway</html>')).toMatchObject({ status: 502, code: 'internal', message: '' });
    expect(parseErrorBody(401, '')).toMatchObject({ code: 'unauthenticated', message: '' });
    expect(parseErrorBody(403, JSON.stringify({ error: 'x' }))).toMatchObject({ code: 'forbidden', message: '' });
    expect(parseErrorBody(418, 'null')).toMatchObject({ code: 'error' });
  });
  it('ignores malformed fields instead of trusting them', () => {
    const e = parseErrorBody(400, JSON.stringify({ code: 7, message: ['x'], path: '', detail: [1] }));
    expect(e).toMatchObject({ code: 'invalid', message: '', path: undefined, detail: undefined });
  });
});

describe('errorText', () => {
  const t = ((key: string, opts?: Record<string, unknown>) =>
    key === 'error.code.forbidden' ? '无权操作' : key === 'error.status' ? `错误 ${String(opts?.status)}` : (opts?.defaultValue as string | undefined) ?? key) as never;
  it("prefers the server's message, then the code's sentence, then the status", () => {
    expect(errorText(new ApiError(400, 'invalid', '身份证号码校验位错误'), t)).toBe('身份证号码校验位错误');
    expect(errorText(new ApiError(403, 'forbidden', ''), t)).toBe('无权操作');
    expect(errorText(new ApiError(418, 'teapot', ''), t)).toBe('错误 418');
    expect(errorText(new ApiError(0, 'network', ''), t)).toBe('error.network');
  });
});

describe('toQueryString', () => {
  it('leaves out unset filters and repeats arrays', () => {
    expect(toQueryString({ q: '张 三', tier: undefined, page: 2, empty: '', none: null, ids: ['a', 'b'], flag: false })).toBe(
      '?q=%E5%BC%A0+%E4%B8%89&page=2&ids=a&ids=b&flag=false',
    );
    expect(toQueryString({})).toBe('');
  });
});

describe('fileNameFromDisposition', () => {
  it('reads plain and RFC 5987 encoded names', () => {
    expect(fileNameFromDisposition('attachment; filename="audit-2026-11-22.csv"', 'x')).toBe('audit-2026-11-22.csv');
    expect(fileNameFromDisposition("attachment; filename*=UTF-8''%E5%AE%A1%E8%AE%A1.xlsx", 'x')).toBe('审计.xlsx');
    expect(fileNameFromDisposition(null, 'fallback.csv')).toBe('fallback.csv');
  });
});

describe('request', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('sends JSON with the session cookie and parses the answer', async () => {
    const fetchMock = vi.fn(async () => new Response(JSON.stringify({ id: 'p1' }), { status: 201 }));
    vi.stubGlobal('fetch', fetchMock);
    await expect(request('POST', '/api/v1/patients', { body: { name: '张三' }, query: { x: 1 } })).resolves.toEqual({ id: 'p1' });
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/v1/patients?x=1');
    expect(init).toMatchObject({ method: 'POST', credentials: 'same-origin', body: '{"name":"张三"}' });
    expect((init.headers as Record<string, string>)['content-type']).toBe('application/json');
  });

  it('resolves undefined for 204 and rejects with ApiError for error answers', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => new Response(null, { status: 204 })));
    await expect(request('DELETE', '/api/v1/session')).resolves.toBeUndefined();
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify({ code: 'unauthenticated', message: '用户名或密码错误' }), { status: 401 })));
    await expect(request('POST', '/api/v1/session', { body: {} })).rejects.toMatchObject({ status: 401, message: '用户名或密码错误' });
  });

  it('turns a failed connection into status 0', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))));
    await expect(request('GET', '/api/v1/me')).rejects.toMatchObject({ status: 0, code: 'network' });
  });
});

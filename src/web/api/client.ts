/**
 * The one HTTP client of the web UI. Every feature's `<m>.api.ts` calls `request()`; nothing else calls fetch.
 * The browser authenticates with the httpOnly session cookie, so requests go to the same origin with credentials.
 * Errors follow the server's one error shape `{ code, message, path?, detail? }` (architecture.md, habit 2).
 */

/** An error answered by the server (or a failure to reach it, status 0). `message` is the server's, in Chinese. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly path: string | undefined;
  readonly detail: Record<string, unknown> | undefined;

  constructor(status: number, code: string, message: string, path?: string, detail?: Record<string, unknown>) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.path = path;
    this.detail = detail;
  }
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}

/** Status → code for answers that did not carry our error body (a proxy's 502, an HTML 404). */
const codeByStatus: Record<number, string> = {
  400: 'invalid',
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
};

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Turns an error answer into an ApiError. The body may be our JSON error, some other JSON, text or nothing;
 * a missing message stays empty so the UI can show a translated one for the code (see errorText()).
 */
export function parseErrorBody(status: number, body: string): ApiError {
  let parsed: unknown;
  try {
    parsed = body ? JSON.parse(body) : undefined;
  } catch {
    parsed = undefined;
  }
  const fallbackCode = codeByStatus[status] ?? (status >= 500 ? 'internal' : 'error');
  if (!isRecord(parsed)) return new ApiError(status, fallbackCode, '');
  const code = typeof parsed.code === 'string' && parsed.code ? parsed.code : fallbackCode;
  const message = typeof parsed.message === 'string' ? parsed.message : '';
  const path = typeof parsed.path === 'string' && parsed.path ? parsed.path : undefined;
  const detail = isRecord(parsed.detail) ? parsed.detail : undefined;
  return new ApiError(status, code, message, path, detail);
}

export type QueryValue = string | number | boolean | null | undefined | readonly (string | number)[];
export type QueryParams = Record<string, QueryValue>;

/** `?a=1&b=x` from an object; empty strings, null and undefined are left out so filters can be "unset". */
export function toQueryString(params: QueryParams | undefined): string {
  if (!params) return '';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) for (const v of value) search.append(key, String(v));
    else search.append(key, String(value));
  }
  const s = search.toString();
  return s ? `?${s}` : '';
}

export interface RequestOptions {
  query?: QueryParams;
  body?: unknown;
  signal?: AbortSignal;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

async function send(method: Method, url: string, options: RequestOptions, accept: string): Promise<Response> {
  const headers: Record<string, string> = { accept };
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  let response: Response;
  try {
    response = await fetch(url + toQueryString(options.query), {
      method,
      headers,
      body,
      credentials: 'same-origin',
      signal: options.signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', '');
  }
  if (!response.ok) throw parseErrorBody(response.status, await response.text().catch(() => ''));
  return response;
}

/** Sends one JSON request; resolves with the parsed body (undefined for 204), rejects with ApiError. */
export async function request<T>(method: Method, url: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(method, url, options, 'application/json');
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const get = <T>(url: string, query?: QueryParams, signal?: AbortSignal): Promise<T> =>
  request<T>('GET', url, { query, signal });

/** File name from a Content-Disposition header (RFC 6266, including the UTF-8 `filename*` form). */
export function fileNameFromDisposition(header: string | null, fallback: string): string {
  if (!header) return fallback;
  const star = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (star?.[1]) {
    try {
      return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''));
    } catch {
      /* fall through to the plain form */
    }
  }
  const plain = /filename\s*=\s*("?)([^";]+)\1/.exec(header);
  return plain?.[2]?.trim() || fallback;
}

/** Downloads a file answer (an export) and hands it to the browser; errors arrive as ApiError like any request. */
export async function download(url: string, query: QueryParams, fallbackName: string): Promise<string> {
  const response = await send('GET', url, { query }, '*/*');
  const blob = await response.blob();
  const name = fileNameFromDisposition(response.headers.get('content-disposition'), fallbackName);
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
  return name;
}

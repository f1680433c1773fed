import { AppError, errorCodes, type ErrorCode } from '../shared/errors.js';
import { FatalError } from './errors.js';

/**
 * A minimal client of the running server's JSON API. The CLI uses it when the embedded database is held by a
 * running server (PGlite allows one process per data directory): the writes then go through the server, with the
 * same validation, access rules and audit as any other API client.
 */
export class ServerClient {
  private token: string | null = null;

  constructor(
    readonly baseUrl: string,
    private readonly timeoutMs = 60_000,
  ) {}

  /** Checks that the server answers; the caller explains what it means when it does not. */
  async health(): Promise<void> {
    let res: Response;
    try {
      res = await fetch(new URL('/health', this.baseUrl), { signal: AbortSignal.timeout(10_000) });
    } catch (e) {
      throw new FatalError(describeFetchError(e));
    }
    if (!res.ok) throw new FatalError(`HTTP ${res.status}`);
  }

  /** OAuth2 password grant (POST /auth/token); the token lives only in this process. */
  async signIn(username: string, password: string): Promise<void> {
    const res = await this.fetch('/auth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username, password }).toString(),
    });
    const body = (await res.json().catch(() => ({}))) as { access_token?: string; error_description?: string };
    if (!res.ok || !body.access_token) {
      throw new FatalError(`以 ${username} 登录服务器失败 / sign-in to the server as ${username} failed: ${body.error_description ?? `HTTP ${res.status}`}`);
    }
    this.token = body.access_token;
  }

  async get<T>(path: string, query?: Record<string, string | number | undefined>): Promise<T> {
    const url = new URL(path, this.baseUrl);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    return this.json<T>(url.pathname + url.search, { method: 'GET' });
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return this.json<T>(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  }

  /** 4xx answers become the AppError the server raised (a row's rejection); 5xx and network failures are fatal. */
  private async json<T>(path: string, init: RequestInit): Promise<T> {
    const res = await this.fetch(path, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${this.token ?? ''}` } });
    const text = await res.text();
    let body: unknown = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    if (res.ok) return body as T;
    const err = (body ?? {}) as { code?: string; message?: string; path?: string; detail?: Record<string, unknown> };
    if (res.status >= 500) throw new FatalError(`服务器错误 / server error ${res.status} on ${init.method} ${path}: ${err.message ?? text.slice(0, 200)}`);
    if (res.status === 401) throw new FatalError(`服务器拒绝了访问令牌 / the server refused the token: ${err.message ?? ''}`);
    const code: ErrorCode = (errorCodes as readonly string[]).includes(err.code ?? '') ? (err.code as ErrorCode) : 'invalid';
    throw new AppError(code, err.message ?? `HTTP ${res.status}`, { path: err.path, detail: err.detail });
  }

  private async fetch(path: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(new URL(path, this.baseUrl), { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      throw new FatalError(`无法连接服务器 / cannot reach the server at ${this.baseUrl}: ${describeFetchError(e)}`);
    }
  }
}

function describeFetchError(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e as Error).message;
}

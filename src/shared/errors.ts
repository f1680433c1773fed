/**
 * One error type for the whole platform. Only the HTTP error handler maps codes to status
 * (see src/http/plugins/error-handler.ts); domain code throws AppError and never thinks in HTTP.
 */
export const errorCodes = [
  'invalid',
  'unauthenticated',
  'forbidden',
  'not_found',
  'conflict',
  'duplicate',
  /** A conditional request (If-Match) named a version that is no longer current. */
  'precondition_failed',
  'too_many_requests',
  'payload_too_large',
  'unsupported_media_type',
  /** A dependency of the server is missing or down (e.g. the CJK font for printing); the operator must act. */
  'unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof errorCodes)[number];

export interface AppErrorOptions {
  /** Dotted path of the offending field, e.g. `identifier[0].value`. */
  path?: string;
  /** Extra structured detail for clients, e.g. the existing record of a duplicate. */
  detail?: Record<string, unknown>;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly path: string | undefined;
  readonly detail: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.path = options.path;
    this.detail = options.detail;
  }
}

export const invalid = (message: string, path?: string): AppError => new AppError('invalid', message, { path });
export const notFound = (message: string): AppError => new AppError('not_found', message);
export const forbidden = (message: string): AppError => new AppError('forbidden', message);
export const conflict = (message: string, detail?: Record<string, unknown>): AppError =>
  new AppError('conflict', message, { detail });

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/** An error and its causes, outermost first (drizzle wraps the driver's error; a few levels at most are followed). */
export function* errorChain(e: unknown, depth = 4): Generator<object> {
  for (let cur = e, i = 0; cur !== null && typeof cur === 'object' && i < depth; cur = (cur as { cause?: unknown }).cause, i++) yield cur;
}

/** Does the error, or one of its causes, carry this PostgreSQL SQLSTATE (node-postgres and PGlite alike)? */
export function hasSqlState(e: unknown, sqlState: string): boolean {
  for (const cur of errorChain(e)) if ((cur as { code?: unknown }).code === sqlState) return true;
  return false;
}

import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ZodError } from 'zod';
import { AppError, errorChain, type ErrorCode } from '../../shared/errors.js';

/** The one map from error codes to HTTP status (architecture.md, habit 2). */
export const statusOf: Record<ErrorCode, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  duplicate: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  too_many_requests: 429,
  unavailable: 503,
  internal: 500,
};

/** Converts anything thrown into an AppError; unknown errors become `internal` (their detail is logged, not shown). */
export function toAppError(error: unknown, bodyLimitBytes = 1024 * 1024): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof ZodError) return fromZodIssues(error.issues);
  const e = error as FastifyError & { validation?: unknown[] };
  if (hasZodFastifySchemaValidationErrors(e)) {
    const first = e.validation[0];
    const where = (e.validationContext ?? 'body') as string;
    const issue = (first?.params as { issue?: { path?: PropertyKey[]; message?: string } } | undefined)?.issue;
    const path = issue?.path?.length ? issue.path.map(String).join('.') : (first?.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
    const message = issue?.message ?? first?.message ?? 'invalid value';
    return new AppError('invalid', `${labelOf(where)}${path ? ` ${path}` : ''}: ${message}`, { path: path || where });
  }
  if (e.validation) return new AppError('invalid', e.message);
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('invalid', `请求体不是有效的 JSON：${e.message}`);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', `请求体过大（上限 ${Math.round(bodyLimitBytes / 1024)} KB）`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError(e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'unsupported_media_type' : 'invalid', `不支持的请求内容类型：${e.message}`);
    case 'FST_ERR_CTP_INVALID_TYPE':
      return new AppError('invalid', e.message);
    default:
      break;
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    const code: ErrorCode = e.statusCode === 429 ? 'too_many_requests' : e.statusCode === 413 ? 'payload_too_large' : e.statusCode === 415 ? 'unsupported_media_type' : e.statusCode === 404 ? 'not_found' : 'invalid';
    return new AppError(code, e.message);
  }
  if (isPoolExhausted(error)) return new AppError('unavailable', '数据库连接繁忙，请稍后重试', { cause: error });
  return new AppError('internal', '服务器内部错误，已记录，请稍后重试', { cause: error });
}

/** node-postgres' pool gave up waiting for a free connection (YILIAN_DB_ACQUIRE_TIMEOUT_MS); drizzle may wrap it. */
function isPoolExhausted(error: unknown): boolean {
  for (const cur of errorChain(error)) if ((cur as { message?: unknown }).message === 'timeout exceeded when trying to connect') return true;
  return false;
}

export function fromZodIssues(issues: readonly { path: PropertyKey[]; message: string }[]): AppError {
  const first = issues[0];
  const path = first?.path.map(String).join('.') ?? '';
  return new AppError('invalid', path ? `${path}: ${first?.message}` : (first?.message ?? 'invalid input'), { path: path || undefined });
}

const labelOf = (where: string): string => (where === 'querystring' ? '查询参数' : where === 'params' ? '路径参数' : where === 'headers' ? '请求头' : '请求体');

/** Formats errors as `{ code, message, path, detail }`; the FHIR plugin overrides this for /fhir with OperationOutcome. */
export function registerErrorHandler(
  app: FastifyInstance,
  bodyLimitBytes: number,
  format: (req: FastifyRequest, reply: FastifyReply, err: AppError, status: number) => unknown,
) {
  app.setErrorHandler((error, request, reply) => {
    const appError = toAppError(error, bodyLimitBytes);
    const status = statusOf[appError.code];
    if (status >= 500) request.log.error({ err: error }, 'unhandled error');
    else request.log.info({ code: appError.code, msg: appError.message }, 'request refused');
    if (appError.code === 'unauthenticated') reply.header('www-authenticate', 'Bearer realm="yilian"');
    return reply.status(status).send(format(request, reply, appError, status));
  });
}

export const jsonErrorBody = (err: AppError) => ({
  code: err.code,
  message: err.message,
  ...(err.path ? { path: err.path } : {}),
  ...(err.detail ? { detail: err.detail } : {}),
});

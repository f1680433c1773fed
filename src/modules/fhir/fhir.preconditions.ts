import { AppError, invalid, isAppError } from '../../shared/errors.js';

/** `If-Match` did not name the current version (FHIR RESTful API §3.1.0.5.1 → 412 Precondition Failed). */
export class PreconditionFailedError extends AppError {
  constructor(message: string, currentVersion: number | undefined) {
    super('precondition_failed', message, { detail: { currentVersion } });
  }
}

/** `W/"3"` (or `"3"`) → 3. */
export function parseIfMatch(value: string): number {
  const m = /^\s*(?:W\/)?"(\d{1,9})"\s*$/.exec(value);
  if (!m) throw invalid(`If-Match 应为 W/"<versionId>"（例如 W/"3"），收到 ${JSON.stringify(value)}`, 'If-Match');
  return Number(m[1]);
}

/** Rewrites a service's field paths (`idNumber`, `reason`, …) into the FHIR elements they came from. */
export async function naming<T>(expressions: Readonly<Record<string, string>>, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (isAppError(e) && e.path && Object.hasOwn(expressions, e.path)) {
      const expression = expressions[e.path]!;
      throw new AppError(e.code, `${expression}: ${e.message}`, { path: expression, detail: e.detail, cause: e });
    }
    throw e;
  }
}

import type { TFunction } from 'i18next';
import { isApiError } from '../api/client.js';

/**
 * The sentence to show for a failed request: the server's own message (already in Chinese and specific) when it
 * sent one, otherwise a translated sentence for the error code or the HTTP status.
 */
export function errorText(error: unknown, t: TFunction): string {
  if (isApiError(error)) {
    if (error.message) return error.message;
    if (error.status === 0) return t('error.network');
    const key = `error.code.${error.code}`;
    const text = t(key, { defaultValue: '' });
    return text || t('error.status', { status: error.status });
  }
  if (error instanceof Error && error.message) return error.message;
  return t('error.unknown');
}

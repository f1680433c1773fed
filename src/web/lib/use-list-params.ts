import { useCallback } from 'react';
import { useSearchParams } from 'react-router';

export type ParamPatch = Record<string, string | number | null | undefined>;

/** Applies a patch to search params: empty values are removed; a filter change returns to page 1. */
export function patchSearchParams(prev: URLSearchParams, patch: ParamPatch, resetPage: boolean): URLSearchParams {
  const next = new URLSearchParams(prev);
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined || v === null || v === '') next.delete(k);
    else next.set(k, String(v));
  }
  if (resetPage && !('page' in patch)) next.delete('page');
  return next;
}

/**
 * Filters, page and sort of a list page live in the URL, so Back returns to the same list and a link can be
 * shared with a colleague ("these are the patients I meant").
 */
export function useListParams() {
  const [params, setParams] = useSearchParams();
  const str = useCallback((key: string): string | undefined => params.get(key) || undefined, [params]);
  const num = useCallback(
    (key: string, fallback: number): number => {
      const n = Number(params.get(key));
      return Number.isInteger(n) && n > 0 ? n : fallback;
    },
    [params],
  );
  const patch = useCallback(
    (changes: ParamPatch, resetPage = true) => setParams((prev) => patchSearchParams(prev, changes, resetPage), { replace: true }),
    [setParams],
  );
  return { params, str, num, patch };
}

/** Narrows a URL value to one of the allowed codes. */
export function oneOf<T extends string>(value: string | undefined, allowed: readonly T[]): T | undefined {
  return value !== undefined && (allowed as readonly string[]).includes(value) ? (value as T) : undefined;
}

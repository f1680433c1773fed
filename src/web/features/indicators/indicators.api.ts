import { useQueries, useQuery } from '@tanstack/react-query';
import type { IndicatorDefinitionDto, IndicatorEvaluation, IndicatorLevel, IndicatorPeriod } from '../../../contracts/indicator.js';
import { get } from '../../api/client.js';

/** Monitoring indicators (src/http/routes/indicator.routes.ts): the definitions in force and one indicator's values. */

export interface ValuesQuery {
  level: IndicatorLevel;
  subject: string;
  period: IndicatorPeriod;
  /** YYYY-MM or a date; the server returns the whole periods covering from…to. */
  from: string;
  to: string;
}

export const indicatorKeys = {
  definitions: ['indicators', 'definitions'] as const,
  values: (code: string, q: ValuesQuery) => ['indicators', 'values', code, q] as const,
};

export const fetchIndicatorDefinitions = () => get<{ items: IndicatorDefinitionDto[] }>('/api/v1/indicators').then((r) => r.items);
export const fetchIndicatorValues = (code: string, q: ValuesQuery) =>
  get<IndicatorEvaluation>(`/api/v1/indicators/${encodeURIComponent(code)}/values`, { ...q });

// Figures are live (updated seconds after an event): refetch when the user comes back, keep them a minute otherwise.
const fresh = 60_000;

export const useIndicatorDefinitions = () =>
  useQuery({ queryKey: indicatorKeys.definitions, queryFn: fetchIndicatorDefinitions, staleTime: 5 * 60_000 });

/** One query per indicator code for the same subject and range; a null entry (not cut that way) is not asked. */
export const useIndicatorValuesMany = (codes: readonly (string | null)[], q: ValuesQuery, enabled = true) =>
  useQueries({
    queries: codes.map((code) => ({
      queryKey: indicatorKeys.values(code ?? '', q),
      queryFn: () => fetchIndicatorValues(code ?? '', q),
      enabled: enabled && Boolean(code) && Boolean(q.subject),
      staleTime: fresh,
      retry: false,
    })),
  });

/** One indicator for many subjects of one level (the facility ranking). */
export const useIndicatorValuesForSubjects = (code: string | null, subjects: readonly string[], q: Omit<ValuesQuery, 'subject'>, enabled = true) =>
  useQueries({
    queries: subjects.map((subject) => ({
      queryKey: indicatorKeys.values(code ?? '', { ...q, subject }),
      queryFn: () => fetchIndicatorValues(code ?? '', { ...q, subject }),
      enabled: enabled && Boolean(code),
      staleTime: fresh,
      retry: false,
    })),
  });

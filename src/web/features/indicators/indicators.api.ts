import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  IndicatorChildLevel, IndicatorDefinitionDto, IndicatorEvaluation, IndicatorLevel, IndicatorPeriod, IndicatorRanking,
} from '../../../contracts/indicator.js';
import type { DivisionDto } from '../../../contracts/network.js';
import { get, request } from '../../api/client.js';

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

// ---- ranking of the subject's children (drill-down), targets

export interface RankingQuery {
  level: IndicatorLevel;
  subject: string;
  period: IndicatorPeriod;
  /** The period ranked: a label, a month (YYYY-MM) or a date inside it. */
  at: string;
  childLevel?: IndicatorChildLevel | undefined;
}

export interface IndicatorTarget {
  year: number;
  target: number;
  note: string | null;
}

export const rankingKey = (code: string, q: RankingQuery) => ['indicators', 'ranking', code, q] as const;
export const targetsKey = (code: string, divisionCode: string) => ['indicators', 'targets', code, divisionCode] as const;

export const fetchIndicatorRanking = (code: string, q: RankingQuery) =>
  get<IndicatorRanking>(`/api/v1/indicators/${encodeURIComponent(code)}/ranking`, { ...q });
export const fetchIndicatorTargets = (code: string, divisionCode: string) =>
  get<{ items: IndicatorTarget[] }>(`/api/v1/indicators/${encodeURIComponent(code)}/targets`, { divisionCode }).then((r) => r.items);
export const putIndicatorTarget = (code: string, body: { divisionCode: string; year: number; target: number; note?: string }) =>
  request<IndicatorTarget>('PUT', `/api/v1/indicators/${encodeURIComponent(code)}/targets`, { body });

/** The subject's children ranked for one indicator and period (evaluated on the server, one request). */
export const useIndicatorRanking = (code: string | null, q: RankingQuery, enabled = true) =>
  useQuery({
    queryKey: rankingKey(code ?? '', q),
    queryFn: () => fetchIndicatorRanking(code ?? '', q),
    enabled: enabled && Boolean(code) && Boolean(q.subject),
    staleTime: fresh,
    retry: false,
    placeholderData: keepPreviousData,
  });

export const useIndicatorTargets = (code: string | null, divisionCode: string | null) =>
  useQuery({
    queryKey: targetsKey(code ?? '', divisionCode ?? ''),
    queryFn: () => fetchIndicatorTargets(code ?? '', divisionCode ?? ''),
    enabled: Boolean(code) && Boolean(divisionCode),
    staleTime: fresh,
  });

/** Sets a target (commission officers, system administrators); every figure shown with targets is refetched. */
export const useSetIndicatorTarget = (code: string) => {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (body: { divisionCode: string; year: number; target: number; note?: string }) => putIndicatorTarget(code, body),
    onSuccess: () => client.invalidateQueries({ queryKey: ['indicators'] }),
  });
};

/** Names of divisions (breadcrumbs); a code the server does not know is simply left out. */
export const useDivisionNames = (codes: readonly string[]) =>
  useQueries({
    queries: codes.map((code) => ({
      queryKey: ['network', 'division', code] as const,
      queryFn: () => get<DivisionDto>(`/api/v1/divisions/${encodeURIComponent(code)}`),
      staleTime: Infinity,
      retry: false,
    })),
  });

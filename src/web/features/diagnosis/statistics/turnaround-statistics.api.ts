import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { StatisticsDimension, TurnaroundStatisticsDto } from '../../../../contracts/diagnosis-statistics.js';
import type { Urgency } from '../../../../contracts/codes.js';
import { get } from '../../../api/client.js';

/** Turnaround statistics of the diagnosis centers (src/http/routes/diagnosis-statistics.routes.ts). */
export interface StatisticsFilter {
  centerId?: string | undefined;
  from: string;
  to: string;
  urgency?: Urgency | undefined;
  groupBy?: readonly StatisticsDimension[] | undefined;
}

export const statisticsKeys = { turnaround: (f: StatisticsFilter) => ['diagnosis', 'statistics', f] as const };

export const fetchTurnaroundStatistics = (f: StatisticsFilter) =>
  get<TurnaroundStatisticsDto>('/api/v1/diagnosis/statistics', {
    from: f.from, to: f.to, ...(f.centerId ? { centerId: f.centerId } : {}), ...(f.urgency ? { urgency: f.urgency } : {}),
    ...(f.groupBy?.length ? { groupBy: f.groupBy.join(',') } : {}),
  });

export function useTurnaroundStatistics(f: StatisticsFilter) {
  return useQuery({ queryKey: statisticsKeys.turnaround(f), queryFn: () => fetchTurnaroundStatistics(f), placeholderData: keepPreviousData, staleTime: 60_000 });
}

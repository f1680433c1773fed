import { z } from 'zod';
import { urgencies } from './codes.js';

/**
 * Turnaround statistics of the shared diagnosis centers (issue 5, item 8): distributions per center, type (modality),
 * urgency and reader; the share reported within the deadline; volume by requesting facility and by month. They feed
 * the monitoring indicators 远程诊断量 and 远程诊断及时率 (docs/diagnosis.md, "Turnaround statistics").
 */

/** Dimensions a breakdown can be asked for; `month` is the request's month in China Standard Time. */
export const statisticsDimensions = ['center', 'modality', 'urgency', 'reader', 'requester', 'month'] as const;
export type StatisticsDimension = (typeof statisticsDimensions)[number];

/**
 * Upper bounds (minutes, exclusive) of the histogram buckets; the last bucket is open-ended. Chosen around the
 * turnaround defaults of docs/deadlines.md: 30 min (emergency), 8 h (routine "same day"), 24 h (pathology).
 */
export const turnaroundBucketBounds = [30, 60, 120, 240, 480, 1440] as const;

/** Longest period one request may cover (two years of days). */
export const MAX_STATISTICS_DAYS = 731;

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');

export const statisticsQuerySchema = z.object({
  /** One center; absent = every center the caller may see. */
  centerId: z.string().trim().min(1).max(100).optional(),
  /** First and last day (inclusive, China Standard Time) of the request's creation. */
  from: isoDate,
  to: isoDate,
  urgency: z.enum(urgencies).optional(),
  /** Comma-separated dimensions to break down by; absent = all of them. */
  groupBy: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return [...statisticsDimensions];
      const parts = [...new Set(v.split(',').map((s) => s.trim()).filter(Boolean))];
      const bad = parts.find((p) => !(statisticsDimensions as readonly string[]).includes(p));
      if (bad) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `不能按「${bad}」分组（可选：${statisticsDimensions.join('、')}）` });
        return z.NEVER;
      }
      return parts as StatisticsDimension[];
    }),
});
export type StatisticsQuery = z.infer<typeof statisticsQuerySchema>;

/** A distribution of durations in minutes (1 decimal); null figures when there is nothing to measure. */
export interface DurationDistributionDto {
  count: number;
  p50: number | null;
  p90: number | null;
  p95: number | null;
  max: number | null;
  /** Counts per bucket of `turnaroundBucketBounds` (one more than the bounds: the last is open-ended). */
  buckets: number[];
}

/** Figures of one group (the whole selection, or one center, modality, urgency, reader, facility or month). */
export interface TurnaroundFiguresDto {
  /** Requests created in the period, cancelled ones excluded. */
  requests: number;
  /** Of those, with the final report released. */
  completed: number;
  /** Completed requests whose report deadline was met (on time or late): the denominator of the on-time share. */
  withDeadline: number;
  /** Of those, met no later than the due time (paused time while images were retaken does not count). */
  onTime: number;
  /** onTime ÷ withDeadline × 100, 2 decimals; null when withDeadline is 0. */
  onTimeShare: number | null;
  /** Request created → final report released. */
  report: DurationDistributionDto;
  /** Request created → first claimed by a reader. */
  claim: DurationDistributionDto;
  /** Request created → final report, minus the time the clock stood paused (image QC returns). */
  reportExcludingPauses: DurationDistributionDto;
}

export interface TurnaroundGroupDto extends TurnaroundFiguresDto {
  key: string;
  label: string;
}

export interface TurnaroundStatisticsDto {
  from: string;
  to: string;
  urgency: (typeof urgencies)[number] | null;
  centers: { id: string; name: string; type: string; organizationName: string }[];
  bucketBounds: number[];
  summary: TurnaroundFiguresDto;
  groups: Partial<Record<StatisticsDimension, TurnaroundGroupDto[]>>;
}

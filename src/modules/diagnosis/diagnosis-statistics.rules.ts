import type { DurationDistributionDto, StatisticsDimension, TurnaroundFiguresDto } from '../../contracts/diagnosis-statistics.js';

/**
 * One request as the turnaround statistics see it (cancelled requests never reach here). Durations are in minutes,
 * null when the moment has not happened (not claimed, not reported yet).
 */
export interface TurnaroundFact {
  centerId: string;
  modality: string;
  urgency: string;
  requesterOrganizationId: string;
  /** Author of the final report (the first reader when a second one signed off); null until reported. */
  readerUserId: string | null;
  /** Month of the request in China Standard Time, YYYY-MM. */
  month: string;
  completed: boolean;
  reportMinutes: number | null;
  claimMinutes: number | null;
  reportExcludingPausesMinutes: number | null;
  /** The report deadline was met (the request is completed and its clock stopped). */
  deadlineMet: boolean;
  /** … and no later than its due time. */
  onTime: boolean;
}

/**
 * The p-th percentile (0–100) of ascending values with linear interpolation between closest ranks — the definition of
 * PostgreSQL's `percentile_cont`, so a figure computed here equals one computed in SQL. Null for no values.
 */
export function percentile(sortedAscending: readonly number[], p: number): number | null {
  const n = sortedAscending.length;
  if (n === 0) return null;
  const pos = (Math.min(100, Math.max(0, p)) / 100) * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sortedAscending[lo]! + (sortedAscending[hi]! - sortedAscending[lo]!) * (pos - lo);
}

/** Counts per bucket: bucket i holds values below bounds[i] (and at or above bounds[i-1]); the last is open-ended. */
export function histogram(values: readonly number[], bounds: readonly number[]): number[] {
  const out = new Array<number>(bounds.length + 1).fill(0);
  for (const v of values) {
    let i = 0;
    while (i < bounds.length && v >= bounds[i]!) i++;
    out[i]!++;
  }
  return out;
}

const round1 = (x: number | null): number | null => (x === null ? null : Math.round(x * 10) / 10);

/** p50/p90/p95/max and the histogram of durations (minutes, 1 decimal). */
export function distributionOf(values: readonly number[], bounds: readonly number[]): DurationDistributionDto {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: round1(percentile(sorted, 50)),
    p90: round1(percentile(sorted, 90)),
    p95: round1(percentile(sorted, 95)),
    max: round1(sorted.length ? sorted[sorted.length - 1]! : null),
    buckets: histogram(sorted, bounds),
  };
}

/** On-time share in percent, 2 decimals; null (not 0) when no deadline was decided — "no data" is never zero. */
export function onTimeShare(onTime: number, withDeadline: number): number | null {
  if (withDeadline === 0) return null;
  return Math.round((onTime * 10000) / withDeadline) / 100;
}

const present = (xs: readonly (number | null)[]): number[] => xs.filter((x): x is number => x !== null);

/** The figures of one group of requests. */
export function summarise(facts: readonly TurnaroundFact[], bounds: readonly number[]): TurnaroundFiguresDto {
  const withDeadline = facts.filter((f) => f.deadlineMet).length;
  const onTime = facts.filter((f) => f.deadlineMet && f.onTime).length;
  return {
    requests: facts.length,
    completed: facts.filter((f) => f.completed).length,
    withDeadline,
    onTime,
    onTimeShare: onTimeShare(onTime, withDeadline),
    report: distributionOf(present(facts.map((f) => (f.completed ? f.reportMinutes : null))), bounds),
    claim: distributionOf(present(facts.map((f) => f.claimMinutes)), bounds),
    reportExcludingPauses: distributionOf(present(facts.map((f) => (f.completed ? f.reportExcludingPausesMinutes : null))), bounds),
  };
}

/** The key of a fact along a dimension; null = the fact has no value there (a reader of an unreported request). */
export function keyOf(fact: TurnaroundFact, dimension: StatisticsDimension): string | null {
  switch (dimension) {
    case 'center':
      return fact.centerId;
    case 'modality':
      return fact.modality;
    case 'urgency':
      return fact.urgency;
    case 'reader':
      return fact.readerUserId;
    case 'requester':
      return fact.requesterOrganizationId;
    case 'month':
      return fact.month;
  }
}

/**
 * Facts grouped along a dimension, keys in ascending order. Requests without a reader yet are left out of the reader
 * breakdown (it is about who reported what), so its volumes add up to the completed requests, not to all.
 */
export function groupFacts(facts: readonly TurnaroundFact[], dimension: StatisticsDimension): Map<string, TurnaroundFact[]> {
  const out = new Map<string, TurnaroundFact[]>();
  for (const f of facts) {
    const k = keyOf(f, dimension);
    if (k === null) continue;
    const list = out.get(k);
    if (list) list.push(f);
    else out.set(k, [f]);
  }
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Days from `from` to `to` inclusive (YYYY-MM-DD); negative when `to` is before `from`. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

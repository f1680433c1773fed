import type { StatisticsDimension, TurnaroundGroupDto, TurnaroundStatisticsDto } from '../../../../contracts/diagnosis-statistics.js';
import { urgencies, type Urgency } from '../../../../contracts/codes.js';
import type { Cell, Sheet } from '../../indicators/indicators.model.js';

/** Sortable columns of the breakdown tables. */
export type GroupSortKey = 'label' | 'requests' | 'completed' | 'onTimeShare' | 'p50' | 'p90' | 'p95' | 'max';

const figureOf = (g: TurnaroundGroupDto, key: GroupSortKey): string | number | null => {
  switch (key) {
    case 'label': return g.label;
    case 'requests': return g.requests;
    case 'completed': return g.completed;
    case 'onTimeShare': return g.onTimeShare;
    default: return g.report[key];
  }
};

/** Rows sorted by a column; rows without the figure ("no data") always last, whatever the direction. */
export function sortGroups(rows: readonly TurnaroundGroupDto[], key: GroupSortKey, direction: 'asc' | 'desc'): TurnaroundGroupDto[] {
  const sign = direction === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = figureOf(a, key);
    const y = figureOf(b, key);
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    if (typeof x === 'string' || typeof y === 'string') return sign * String(x).localeCompare(String(y), 'zh-CN');
    return sign * (x - y) || a.label.localeCompare(b.label, 'zh-CN');
  });
}

/** Histogram bucket labels from the bounds (minutes): "<30", "30–60", …, "≥1440". */
export function bucketLabels(bounds: readonly number[]): string[] {
  return [...bounds.map((b, i) => (i === 0 ? `<${b}` : `${bounds[i - 1]}–${b}`)), `≥${bounds[bounds.length - 1]}`];
}

export interface StatisticsExportLabels {
  title: string;
  period: string;
  centers: string;
  dimensions: Record<StatisticsDimension, string>;
  /** Column titles, already translated. */
  h: Record<'group' | 'requests' | 'completed' | 'withDeadline' | 'onTime' | 'onTimeShare' | 'p50' | 'p90' | 'p95' | 'max' | 'claimP50' | 'netP50' | 'bucket' | 'count', string>;
  summary: string;
  histogram: string;
}

const figureRow = (label: string, g: Omit<TurnaroundGroupDto, 'key' | 'label'>): Cell[] => [
  label, g.requests, g.completed, g.withDeadline, g.onTime, g.onTimeShare, g.report.p50, g.report.p90, g.report.p95, g.report.max, g.claim.p50, g.reportExcludingPauses.p50,
];

/**
 * The workbook: a summary sheet (caption, then the whole selection and one row per breakdown group), one sheet per
 * breakdown, and the histogram. Figures are numbers; "no data" is an empty cell, never 0.
 */
export function statisticsSheets(s: TurnaroundStatisticsDto, l: StatisticsExportLabels): Sheet[] {
  const header: Cell[] = [l.h.group, l.h.requests, l.h.completed, l.h.withDeadline, l.h.onTime, l.h.onTimeShare, l.h.p50, l.h.p90, l.h.p95, l.h.max, l.h.claimP50, l.h.netP50];
  const caption: Cell[][] = [[l.title], [l.period, `${s.from} – ${s.to}`], [l.centers, s.centers.map((c) => c.name).join('、')], []];
  const sheets: Sheet[] = [{ name: l.summary, rows: [...caption, header, figureRow(l.summary, s.summary)] }];
  for (const [dimension, groups] of Object.entries(s.groups) as [StatisticsDimension, TurnaroundGroupDto[]][]) {
    sheets.push({ name: l.dimensions[dimension], rows: [...caption, header, ...groups.map((g) => figureRow(g.label, g))] });
  }
  const labels = bucketLabels(s.bucketBounds);
  sheets.push({ name: l.histogram, rows: [...caption, [l.h.bucket, l.h.count, '', ''], ...labels.map((b, i): Cell[] => [b, s.summary.report.buckets[i] ?? 0])] });
  return sheets;
}

// ---- the page's filter: kept in the URL so a view can be shared and the back button works

export const quickPeriods = ['month', 'quarter', 'year', 'last12'] as const;
export type QuickPeriod = (typeof quickPeriods)[number];

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * The days a quick pick covers, ending today (China Standard Time; `today` is YYYY-MM-DD): this month, this quarter,
 * this year, or the twelve months up to and including the current one (from the first of the month eleven back).
 */
export function quickPeriod(kind: QuickPeriod, today: string): { from: string; to: string } {
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7));
  switch (kind) {
    case 'month': return { from: `${year}-${pad(month)}-01`, to: today };
    case 'quarter': return { from: `${year}-${pad(month - ((month - 1) % 3))}-01`, to: today };
    case 'year': return { from: `${year}-01-01`, to: today };
    case 'last12': {
      const start = year * 12 + (month - 1) - 11;
      return { from: `${Math.floor(start / 12)}-${pad((start % 12) + 1)}-01`, to: today };
    }
  }
}

/** The quick pick a period equals, if any (to highlight it). */
export function quickPeriodOf(from: string, to: string, today: string): QuickPeriod | null {
  return quickPeriods.find((k) => { const p = quickPeriod(k, today); return p.from === from && p.to === to; }) ?? null;
}

export interface StatisticsViewState {
  centerId: string | null;
  from: string;
  to: string;
  urgency: Urgency | null;
}

const isDay = (v: string | null): v is string => v !== null && /^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`));

/**
 * The view from the URL; anything missing or malformed falls back to this month (a hand-edited link must not end in
 * a 400). Whether the center may be read is the server's decision, not the URL's.
 */
export function parseStatisticsState(params: URLSearchParams, today: string): StatisticsViewState {
  const from = params.get('from');
  const to = params.get('to');
  const period = isDay(from) && isDay(to) && from <= to ? { from, to } : quickPeriod('month', today);
  const urgency = params.get('urgency');
  return {
    centerId: params.get('center') || null,
    ...period,
    urgency: (urgencies as readonly string[]).includes(urgency ?? '') ? (urgency as Urgency) : null,
  };
}

export function statisticsSearch(s: StatisticsViewState): string {
  const p = new URLSearchParams();
  if (s.centerId) p.set('center', s.centerId);
  p.set('from', s.from);
  p.set('to', s.to);
  if (s.urgency) p.set('urgency', s.urgency);
  return `?${p.toString()}`;
}

/** How to show a duration in minutes: minutes under two hours, hours (1 decimal) up to two days, days beyond. */
export function durationParts(minutes: number | null): { unit: 'minutes' | 'hours' | 'days'; value: number } | null {
  if (minutes === null) return null;
  if (minutes < 120) return { unit: 'minutes', value: Math.round(minutes) };
  if (minutes < 2880) return { unit: 'hours', value: Math.round(minutes / 6) / 10 };
  return { unit: 'days', value: Math.round(minutes / 144) / 10 };
}

/** Requests still waiting for their final report. */
export const openRequests = (f: { requests: number; completed: number }): number => f.requests - f.completed;

/**
 * The statistics with every group labelled for display (modality and urgency codes translated; names as they are), so
 * the tables and the Excel file say the same thing.
 */
export function relabelStatistics(s: TurnaroundStatisticsDto, labelOf: (dimension: StatisticsDimension, g: TurnaroundGroupDto) => string): TurnaroundStatisticsDto {
  const groups: Partial<Record<StatisticsDimension, TurnaroundGroupDto[]>> = {};
  for (const [dimension, list] of Object.entries(s.groups) as [StatisticsDimension, TurnaroundGroupDto[]][]) {
    groups[dimension] = list.map((g) => ({ ...g, label: labelOf(dimension, g) }));
  }
  return { ...s, groups };
}

/**
 * Every month of the period in order, months without a request as 0 requests and no on-time share (null, not 0 %), so
 * the monthly chart shows quiet months instead of skipping them.
 */
export function monthSeries(from: string, to: string, months: readonly TurnaroundGroupDto[] = []): { label: string; requests: number; onTimeShare: number | null }[] {
  const byKey = new Map(months.map((g) => [g.key, g]));
  const out: { label: string; requests: number; onTimeShare: number | null }[] = [];
  let y = Number(from.slice(0, 4));
  let m = Number(from.slice(5, 7));
  const last = to.slice(0, 7);
  for (let guard = 0; guard < 120; guard++) {
    const key = `${y}-${pad(m)}`;
    const g = byKey.get(key);
    out.push({ label: key, requests: g?.requests ?? 0, onTimeShare: g?.onTimeShare ?? null });
    if (key >= last) break;
    m += 1;
    if (m > 12) { m = 1; y += 1; }
  }
  return out;
}

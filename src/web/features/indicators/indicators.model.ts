import type {
  IndicatorDefinitionDto, IndicatorDirection, IndicatorLevel, IndicatorPeriod, IndicatorPeriodValue, IndicatorTermSpec, IndicatorUnit,
} from '../../../contracts/indicator.js';
import { indicatorLevels, indicatorPeriods } from '../../../contracts/indicator.js';
import type { FacilityTier } from '../../../contracts/codes.js';

/**
 * Pure logic of the monitoring dashboard (监测指标): traffic lights, number formatting, period labels, the dashboard's
 * URL state, the facility ranking and the rows of the export. No React, no fetching — tested in indicators.model.test.ts.
 */

export type Lang = 'zh-CN' | 'en';

// ---- traffic light

/**
 * green = target met; amber = short of it by less than `tolerance` (a share of the target, default 10 %); red = further
 * off; neutral = no target, or an indicator without a better direction; none = no figure ("no data").
 */
export type Light = 'green' | 'amber' | 'red' | 'neutral' | 'none';

export function trafficLight(value: number | null, target: number | null | undefined, direction: IndicatorDirection, tolerance = 0.1): Light {
  if (value === null || !Number.isFinite(value)) return 'none';
  if (target === null || target === undefined || !Number.isFinite(target) || direction === 'neutral') return 'neutral';
  const slack = Math.abs(target) * tolerance;
  if (direction === 'higher-better') {
    if (value >= target) return 'green';
    return value >= target - slack ? 'amber' : 'red';
  }
  if (value <= target) return 'green';
  return value <= target + slack ? 'amber' : 'red';
}

export const lightColors: Record<Light, string> = {
  green: '#52c41a',
  amber: '#faad14',
  red: '#f5222d',
  neutral: '#8c8c8c',
  none: '#d9d9d9',
};

// ---- numbers

const grouped = (n: number, decimals: number, lang: Lang): string =>
  n.toLocaleString(lang === 'en' ? 'en-US' : 'zh-CN', { minimumFractionDigits: decimals, maximumFractionDigits: decimals });

const decimalsOf = (n: number, max = 2): number => (Number.isInteger(n) ? 0 : Math.min(max, (String(n).split('.')[1] ?? '').length));

/** A value in its definition's unit: `92.35%`, `1,234`, `8,123.45 元` / `¥8,123.45`, `3.2/万人` / `3.2 per 10k`; `—` for null. */
export function formatValue(value: number | null | undefined, unit: IndicatorUnit, lang: Lang = 'zh-CN'): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  switch (unit) {
    case 'percent':
      return `${grouped(value, decimalsOf(value), lang)}%`;
    case 'count':
      return grouped(value, decimalsOf(value), lang);
    case 'yuan':
      return lang === 'en' ? `¥${grouped(value, 2, lang)}` : `${grouped(value, 2, lang)} 元`;
    case 'per-10000':
      return lang === 'en' ? `${grouped(value, decimalsOf(value), lang)} per 10k` : `${grouped(value, decimalsOf(value), lang)}/万人`;
  }
}

/** Does a term add up money? Such numerators and denominators arrive in integer fen (docs/indicators.md). */
export function isMoneyTerm(term: IndicatorTermSpec | null | undefined): boolean {
  return term?.source === 'activity' && (term.measure === 'totalCost' || term.measure === 'fundPaid');
}

/**
 * A numerator or denominator as shown: money in yuan with 2 decimals (the API sends fen), counts grouped. For a growth
 * indicator the "numerator" and "denominator" are this period's and last year's values of the base indicator.
 */
export function formatTerm(n: number | null | undefined, money: boolean, lang: Lang = 'zh-CN'): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  if (money) return formatValue(n / 100, 'yuan', lang);
  return grouped(n, decimalsOf(n), lang);
}

// ---- periods

/** `2026-03` → 2026年3月 / Mar 2026; `2026-Q1` → 2026年第1季度 / Q1 2026; `2026` → 2026年 / 2026. Other text unchanged. */
export function periodLabel(period: string, lang: Lang = 'zh-CN'): string {
  const m = /^(\d{4})-(\d{2})$/.exec(period);
  if (m) {
    const month = Number(m[2]);
    if (lang === 'en') return `${new Date(Date.UTC(2000, month - 1, 1)).toLocaleString('en-US', { month: 'short', timeZone: 'UTC' })} ${m[1]}`;
    return `${m[1]}年${month}月`;
  }
  const q = /^(\d{4})-Q([1-4])$/.exec(period);
  if (q) return lang === 'en' ? `Q${q[2]} ${q[1]}` : `${q[1]}年第${q[2]}季度`;
  if (/^\d{4}$/.test(period)) return lang === 'en' ? period : `${period}年`;
  return period;
}

/** `YYYY-MM` shifted by whole months. */
export function addMonths(month: string, delta: number): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const i = y * 12 + (m - 1) + delta;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
}

/** The last 12 months up to and including the month of `today` (YYYY-MM-DD): the figures are live. */
export function defaultRange(today: string): { from: string; to: string } {
  const to = today.slice(0, 7);
  return { from: addMonths(to, -11), to };
}

// ---- dashboard state (kept in the URL, so a drill-down link is a plain link)

export interface DashboardState {
  level: IndicatorLevel;
  subject: string;
  period: IndicatorPeriod;
  /** YYYY-MM, inclusive; the server returns the whole periods covering the range. */
  from: string;
  to: string;
  /** Code of the indicator whose trend and ranking are shown. */
  indicator: string | null;
}

const monthRe = /^\d{4}-(0[1-9]|1[0-2])$/;
/** Levels the dashboard offers (city and province need divisions above the county; not offered yet). */
export const dashboardLevels = ['county', 'alliance', 'facility'] as const satisfies readonly IndicatorLevel[];

/** The state from URL parameters, each missing or malformed one replaced by its default. */
export function parseDashboardState(
  params: URLSearchParams,
  defaults: { level: IndicatorLevel; today: string; subjectFor: (level: IndicatorLevel) => string },
): DashboardState {
  const range = defaultRange(defaults.today);
  const level = params.get('level');
  const period = params.get('period');
  const okLevel = level && (indicatorLevels as readonly string[]).includes(level) ? (level as IndicatorLevel) : null;
  let from = params.get('from') ?? '';
  let to = params.get('to') ?? '';
  if (!monthRe.test(from) || !monthRe.test(to) || from > to) ({ from, to } = range);
  const chosen = okLevel ?? defaults.level;
  return {
    level: chosen,
    // A subject belongs to its level; without one, the level's default (empty when there is none: the user picks).
    subject: params.get('subject')?.trim() || defaults.subjectFor(chosen),
    period: period && (indicatorPeriods as readonly string[]).includes(period) ? (period as IndicatorPeriod) : 'month',
    from,
    to,
    indicator: params.get('indicator')?.trim() || null,
  };
}

export function dashboardSearch(s: DashboardState): string {
  const p = new URLSearchParams({ level: s.level, subject: s.subject, period: s.period, from: s.from, to: s.to });
  if (s.indicator) p.set('indicator', s.indicator);
  return `?${p.toString()}`;
}

/** Why a card shows no figure without asking the server: the definition is not cut by this level or period. */
export function unsupportedReason(def: Pick<IndicatorDefinitionDto, 'levels' | 'periods'>, level: IndicatorLevel, period: IndicatorPeriod): 'level' | 'period' | null {
  if (!def.levels.includes(level)) return 'level';
  if (!def.periods.includes(period)) return 'period';
  return null;
}

/** The figure a card shows: the last period of the range (the current one). */
export function currentValue(values: readonly IndicatorPeriodValue[] | undefined): IndicatorPeriodValue | null {
  return values && values.length ? (values[values.length - 1] ?? null) : null;
}

/** Does the indicator add up visits, stays or settlements (activity data), as opposed to the platform's own registers? */
export function usesActivity(def: Pick<IndicatorDefinitionDto, 'numerator' | 'denominator'>): boolean {
  return def.numerator.key.source === 'activity' || def.denominator?.key.source === 'activity';
}

/**
 * True when every activity-based figure asked for is "no data": no visits or stays are loaded for this subject and range
 * (register-based indicators — referrals, stationing — can still show real zeros, so they do not count).
 */
export function noActivity(items: readonly { definition: Pick<IndicatorDefinitionDto, 'numerator' | 'denominator' | 'formula'>; values: readonly IndicatorPeriodValue[] | undefined }[]): boolean {
  const loaded = items.filter((x) => x.definition.formula !== 'growth' && usesActivity(x.definition) && x.values);
  return loaded.length > 0 && loaded.every((x) => (x.values ?? []).every((v) => v.noData));
}

// ---- facility ranking

/** Facilities ranked: the county's hospitals and township centers (villages are too many and too small to rank). */
export const rankedTiers: readonly FacilityTier[] = [
  'county-hospital', 'county-tcm-hospital', 'county-mch-hospital', 'township-health-center', 'community-health-center',
];

export interface RankInput {
  id: string;
  name: string;
  tier: FacilityTier;
  value: IndicatorPeriodValue | null;
}
export interface RankRow extends RankInput {
  /** 1-based; null for a facility without a figure (listed last). */
  rank: number | null;
}

/** Best first by the indicator's direction (neutral: largest first); ties share a rank; no figure last, unranked. */
export function rankFacilities(rows: readonly RankInput[], direction: IndicatorDirection): RankRow[] {
  const withValue = rows.filter((r) => r.value && !r.value.noData && r.value.value !== null);
  const without = rows.filter((r) => !withValue.includes(r));
  const sign = direction === 'lower-better' ? 1 : -1;
  withValue.sort((a, b) => sign * ((a.value?.value ?? 0) - (b.value?.value ?? 0)) || a.name.localeCompare(b.name, 'zh-CN'));
  const out: RankRow[] = [];
  withValue.forEach((r, i) => {
    const prev = out[i - 1];
    const rank = prev && prev.value?.value === r.value?.value ? prev.rank : i + 1;
    out.push({ ...r, rank });
  });
  return [...out, ...[...without].sort((a, b) => a.name.localeCompare(b.name, 'zh-CN')).map((r) => ({ ...r, rank: null }))];
}

// ---- export

export type Cell = string | number | null;
export interface Sheet {
  name: string;
  rows: Cell[][];
}

export interface ExportLabels {
  lang: Lang;
  /** Column titles and words, already translated. */
  h: Record<
    'code' | 'indicator' | 'period' | 'value' | 'unit' | 'numerator' | 'denominator' | 'target' | 'status' | 'note' | 'rank' | 'facility' | 'tier',
    string
  >;
  units: Record<IndicatorUnit, string>;
  lights: Record<Light, string>;
  tiers: Record<string, string>;
  noData: string;
  summarySheet: string;
  trendSheet: string;
  rankingSheet: string;
  /** First rows of the summary sheet: subject, period, time of export. */
  caption: string[];
}

/** A figure as an exported cell: the number itself (Excel computes with it), or null for "no data". */
const num = (n: number | null | undefined): number | null => (n === null || n === undefined || !Number.isFinite(n) ? null : n);
const term = (n: number | null | undefined, money: boolean): number | null => {
  const v = num(n);
  return v === null ? null : money ? v / 100 : v;
};

export interface CardFigure {
  definition: IndicatorDefinitionDto;
  value: IndicatorPeriodValue | null;
  /** Set when the definition is not cut by the chosen level or period. */
  note?: string;
}

/** The sheets of the export: summary of the cards, the selected indicator's trend, the facility ranking. */
export function exportSheets(
  labels: ExportLabels,
  cards: readonly CardFigure[],
  trend: { definition: IndicatorDefinitionDto; values: readonly IndicatorPeriodValue[] } | null,
  ranking: { definition: IndicatorDefinitionDto; period: string; rows: readonly RankRow[] } | null,
): Sheet[] {
  const { h } = labels;
  const name = (d: IndicatorDefinitionDto) => (labels.lang === 'en' ? d.nameEn : d.nameZh);
  const money = (d: IndicatorDefinitionDto) => d.formula !== 'growth' && isMoneyTerm(d.numerator.key);
  const moneyDen = (d: IndicatorDefinitionDto) => d.formula !== 'growth' && isMoneyTerm(d.denominator?.key);
  const status = (d: IndicatorDefinitionDto, v: IndicatorPeriodValue | null) => labels.lights[trafficLight(v?.noData ? null : (v?.value ?? null), v?.target, d.direction)];
  const reason = (v: IndicatorPeriodValue | null) => (v?.noData || v?.value === null ? `${labels.noData}${v?.reason ? `：${v.reason}` : ''}` : '');
  const header = [h.code, h.indicator, h.period, h.value, h.unit, h.numerator, h.denominator, h.target, h.status, h.note];

  const summary: Cell[][] = [
    ...labels.caption.map((c) => [c]),
    [],
    header,
    ...cards.map(({ definition: d, value: v, note }) => [
      d.code,
      name(d),
      v ? periodLabel(v.period, labels.lang) : '',
      v?.noData ? null : num(v?.value),
      labels.units[d.unit],
      term(v?.numerator, money(d)),
      term(v?.denominator, moneyDen(d)),
      num(v?.target),
      note ? '' : status(d, v),
      note ?? reason(v),
    ]),
  ];
  const sheets: Sheet[] = [{ name: labels.summarySheet, rows: summary }];
  if (trend) {
    const d = trend.definition;
    sheets.push({
      name: labels.trendSheet,
      rows: [
        [name(d), labels.units[d.unit]],
        [h.period, h.value, h.numerator, h.denominator, h.target, h.status, h.note],
        ...trend.values.map((v) => [
          periodLabel(v.period, labels.lang), v.noData ? null : num(v.value), term(v.numerator, money(d)), term(v.denominator, moneyDen(d)),
          num(v.target), status(d, v), reason(v),
        ]),
      ],
    });
  }
  if (ranking) {
    const d = ranking.definition;
    sheets.push({
      name: labels.rankingSheet,
      rows: [
        [name(d), periodLabel(ranking.period, labels.lang), labels.units[d.unit]],
        [h.rank, h.facility, h.tier, h.value, h.numerator, h.denominator, h.note],
        ...ranking.rows.map((r) => [
          r.rank, r.name, labels.tiers[r.tier] ?? r.tier, r.value?.noData ? null : num(r.value?.value), term(r.value?.numerator, money(d)),
          term(r.value?.denominator, moneyDen(d)), reason(r.value),
        ]),
      ],
    });
  }
  return sheets;
}

/** One sheet as CSV (RFC 4180 quoting), for the fallback export. */
export function toCsv(rows: readonly Cell[][]): string {
  const cell = (c: Cell) => {
    if (c === null) return '';
    const s = String(c);
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return rows.map((r) => r.map(cell).join(',')).join('\r\n');
}

/** A file name safe on every system: 监测指标_长汀县_2025-12_2026-11.xlsx. */
export function exportFileName(subject: string, from: string, to: string, ext: string): string {
  const safe = subject.replace(/[\\/:*?"<>|\s]+/g, '_').slice(0, 60);
  return `监测指标_${safe}_${from}_${to}.${ext}`;
}

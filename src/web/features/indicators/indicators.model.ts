import type {
  IndicatorDefinitionDto, IndicatorDirection, IndicatorLevel, IndicatorPeriod, IndicatorPeriodValue, IndicatorRankingRow, IndicatorTermSpec,
  IndicatorUnit,
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
/** Levels the dashboard offers, top down (drill-down goes province → city → county → facility → months). */
export const dashboardLevels = ['province', 'city', 'county', 'alliance', 'facility'] as const satisfies readonly IndicatorLevel[];

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

// ---- geography: breadcrumbs, drill-down, the county map

/** The level of a GB/T 2260 code of 6 digits: `350000` province, `350800` city, anything else county. */
export function divisionLevelOf(code: string): 'province' | 'city' | 'county' {
  if (/^\d{2}0000$/.test(code)) return 'province';
  if (/^\d{4}00$/.test(code)) return 'city';
  return 'county';
}

/**
 * The divisions above and including a code, top down: `350821101` (a township) → province 350000, city 350800,
 * county 350821. The breadcrumbs of the dashboard; names are looked up separately.
 */
export function divisionTrail(code: string | null | undefined): { level: 'province' | 'city' | 'county'; code: string }[] {
  if (!code || !/^\d{6}/.test(code)) return [];
  const c = code.slice(0, 6);
  const out: { level: 'province' | 'city' | 'county'; code: string }[] = [{ level: 'province', code: `${c.slice(0, 2)}0000` }];
  if (divisionLevelOf(c) !== 'province') out.push({ level: 'city', code: `${c.slice(0, 4)}00` });
  if (divisionLevelOf(c) === 'county') out.push({ level: 'county', code: c });
  return out;
}

/** The state after clicking a ranked child: its level and id; a facility opens on its months. */
export function drillState(state: DashboardState, row: Pick<IndicatorRankingRow, 'level' | 'id'>): DashboardState {
  return { ...state, level: row.level, subject: row.id, period: row.level === 'facility' ? 'month' : state.period };
}

/** Tiers drawn on the county map: one grassroots center per township (and the community centers of the town). */
export const mapTiers: readonly FacilityTier[] = ['township-health-center', 'community-health-center'];

export interface MapPoint {
  id: string;
  name: string;
  tier: FacilityTier;
  /** Schematic plane: longitude shrunk by cos(latitude) so distances look right; latitude as is. */
  x: number;
  y: number;
  value: number | null;
  row: IndicatorRankingRow;
}

/**
 * The county map's points: the ranked township and community centers that have a registered site. Facilities without
 * a site are returned apart, to be listed under the map rather than silently dropped.
 */
export function mapPoints(rows: readonly IndicatorRankingRow[]): { points: MapPoint[]; unplaced: IndicatorRankingRow[] } {
  const centers = rows.filter((r) => r.tier && mapTiers.includes(r.tier));
  const placed = centers.filter((r) => r.latitude !== null && r.longitude !== null);
  const meanLat = placed.length ? placed.reduce((a, r) => a + r.latitude!, 0) / placed.length : 0;
  const k = Math.cos((meanLat * Math.PI) / 180);
  return {
    points: placed.map((r) => ({
      id: r.id,
      name: r.name,
      tier: r.tier!,
      x: Number((r.longitude! * k).toFixed(5)),
      y: r.latitude!,
      value: r.value.noData ? null : r.value.value,
      row: r,
    })),
    unplaced: centers.filter((r) => !placed.includes(r)),
  };
}

/** Short name of a center for a map label: 长汀县河田镇中心卫生院 → 河田镇; 长汀县汀州镇梅林社区卫生服务中心 → 梅林社区. */
export function shortPlaceName(name: string): string {
  const rest = name.replace(/^[^县市区旗]{1,6}[县市区旗]/, '');
  const town = /^(.{1,5}?(?:镇|乡|街道))/.exec(rest)?.[1];
  if (!town) return name;
  const community = /^(.{1,4}?)社区/.exec(rest.slice(town.length))?.[1];
  return community ? `${community}社区` : town;
}

/** Table sorter: by value, "no data" always last whichever way the column is sorted. */
export function compareRankValue(a: IndicatorRankingRow, b: IndicatorRankingRow): number {
  const av = a.value.noData ? null : a.value.value;
  const bv = b.value.noData ? null : b.value.value;
  if (av === null && bv === null) return a.name.localeCompare(b.name, 'zh-CN');
  if (av === null) return 1;
  if (bv === null) return -1;
  return av - bv;
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
    'code' | 'indicator' | 'period' | 'value' | 'unit' | 'numerator' | 'denominator' | 'target' | 'status' | 'note' | 'rank' | 'facility' | 'tier' | 'level',
    string
  >;
  levels: Record<IndicatorLevel, string>;
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

export interface RankingExport {
  definition: IndicatorDefinitionDto;
  period: string;
  /** The subject itself, first row of the table. */
  parent: { name: string; level: IndicatorLevel; value: IndicatorPeriodValue };
  rows: readonly IndicatorRankingRow[];
}

/** The sheets of the export: summary of the cards (with targets and lights), the selected indicator's trend, the ranking of the subject's children. */
export function exportSheets(
  labels: ExportLabels,
  cards: readonly CardFigure[],
  trend: { definition: IndicatorDefinitionDto; values: readonly IndicatorPeriodValue[] } | null,
  ranking: RankingExport | null,
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
        [h.rank, h.facility, h.level, h.tier, h.value, h.numerator, h.denominator, h.target, h.status, h.note],
        [
          '', ranking.parent.name, labels.levels[ranking.parent.level], '', ranking.parent.value.noData ? null : num(ranking.parent.value.value),
          term(ranking.parent.value.numerator, money(d)), term(ranking.parent.value.denominator, moneyDen(d)), num(ranking.parent.value.target),
          status(d, ranking.parent.value), reason(ranking.parent.value),
        ],
        ...ranking.rows.map((r) => [
          r.rank, r.name, labels.levels[r.level], r.tier ? (labels.tiers[r.tier] ?? r.tier) : '', r.value.noData ? null : num(r.value.value),
          term(r.value.numerator, money(d)), term(r.value.denominator, moneyDen(d)), num(r.value.target), status(d, r.value), reason(r.value),
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

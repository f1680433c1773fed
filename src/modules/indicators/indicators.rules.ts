import type { ActivityInput } from '../../contracts/activity.js';
import type { FacilityTier } from '../../contracts/codes.js';
import type { IndicatorPeriod, IndicatorUnit } from '../../contracts/indicator.js';
import { AppError, invalid } from '../../shared/errors.js';

// ---------------------------------------------------------------------------------------------------------------
// Activity records

/**
 * A TCM visit (中医类诊疗, indicator #12): at a county TCM hospital, or in a TCM department of any facility — the
 * national list of clinical subjects files TCM departments under 中医科 (`tcm`, and `tcm-…` for its sub-specialties).
 */
export function isTcmActivity(tier: FacilityTier | null, departmentSpecialty: string | null | undefined): boolean {
  if (tier === 'county-tcm-hospital') return true;
  const s = departmentSpecialty?.trim().toLowerCase();
  return s === 'tcm' || (s?.startsWith('tcm-') ?? false);
}

const isCalendarDate = (d: string): boolean => {
  const t = new Date(`${d}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d;
};

/** Money as integer fen from a decimal yuan string ("1234.5" → 123450); exact, never through a float. */
export function yuanToFen(yuan: string): number {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(yuan.trim());
  if (!m) throw new Error(`not a money amount: ${yuan}`);
  const fen = BigInt(m[2]!) * 100n + BigInt((m[3] ?? '').padEnd(2, '0'));
  return Number(m[1] ? -fen : fen);
}

/**
 * The checks of one activity record that need no database: calendar dates, not in the future, a discharge not before
 * the admission, the fund not paying more than the total, and a facility given one way or the other. Returns the
 * first problem, or null.
 */
export function checkActivity(input: ActivityInput, today: string): AppError | null {
  if (!isCalendarDate(input.startDate)) return invalid(`就诊（入院）日期 ${input.startDate} 不是有效日期`, 'startDate');
  if (input.startDate > today) return invalid(`就诊（入院）日期 ${input.startDate} 晚于今天`, 'startDate');
  if (input.endDate !== undefined) {
    if (!isCalendarDate(input.endDate)) return invalid(`出院日期 ${input.endDate} 不是有效日期`, 'endDate');
    if (input.endDate < input.startDate) return invalid('出院日期不能早于入院日期', 'endDate');
    if (input.endDate > today) return invalid(`出院日期 ${input.endDate} 晚于今天`, 'endDate');
    if (input.class === 'outpatient' && input.endDate !== input.startDate) return invalid('门诊记录没有出院日期（或与就诊日期相同）', 'endDate');
  }
  if (input.fundPaid !== undefined && yuanToFen(input.fundPaid) > yuanToFen(input.totalCost)) {
    return invalid('医保基金支付不能超过总费用', 'fundPaid');
  }
  if (input.fundPaid !== undefined && !input.insured) return invalid('非参保人不应有医保基金支付', 'fundPaid');
  if (input.pharmacy && input.class !== 'outpatient') return invalid('药店结算只能是门诊类记录', 'pharmacy');
  if (!input.facilityId && !input.facilityDivisionCode) return invalid('请填写机构（facilityId）或机构所在区划代码（facilityDivisionCode）', 'facilityId');
  return null;
}

/** County (6 digits) of a GB/T 2260 division code of 6, 9 or 12 digits. */
export const countyOf = (divisionCode: string): string => divisionCode.slice(0, 6);

// ---------------------------------------------------------------------------------------------------------------
// Periods

export interface PeriodSpan {
  label: string;
  /** First day, inclusive. */
  start: string;
  /** Last day, inclusive. */
  end: string;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');
const lastDayOfMonth = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** The label of the period containing `date`: 2026-03, 2026-Q1, 2026. */
export function periodLabelOf(period: IndicatorPeriod, date: string): string {
  const y = date.slice(0, 4);
  const m = Number(date.slice(5, 7));
  if (period === 'year') return y;
  if (period === 'quarter') return `${y}-Q${Math.floor((m - 1) / 3) + 1}`;
  return `${y}-${pad2(m)}`;
}

/** The span of a period label. */
export function spanOf(label: string): PeriodSpan {
  const y = Number(label.slice(0, 4));
  const q = /^\d{4}-Q([1-4])$/.exec(label);
  if (q) {
    const first = (Number(q[1]) - 1) * 3 + 1;
    return { label, start: `${y}-${pad2(first)}-01`, end: `${y}-${pad2(first + 2)}-${lastDayOfMonth(y, first + 2)}` };
  }
  const mm = /^\d{4}-(\d{2})$/.exec(label);
  if (mm) {
    const m = Number(mm[1]);
    return { label, start: `${y}-${pad2(m)}-01`, end: `${y}-${pad2(m)}-${lastDayOfMonth(y, m)}` };
  }
  return { label, start: `${y}-01-01`, end: `${y}-12-31` };
}

/** Largest number of periods one evaluation returns (ten years of months). */
export const MAX_PERIODS = 120;

/**
 * The whole calendar periods covering `from`..`to`. Each bound is a date (YYYY-MM-DD) or a period label
 * (YYYY, YYYY-MM, YYYY-Qn); a bound inside a period extends to the whole period.
 */
export function periodsBetween(period: IndicatorPeriod, from: string, to: string): PeriodSpan[] {
  const startOf = (s: string): string => {
    if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
      if (!isCalendarDate(s)) throw invalid(`${s} 不是有效日期`, 'from');
      return s;
    }
    return spanOf(s).start;
  };
  const endOf = (s: string): string => {
    if (/^\d{4}-\d{2}-\d{2}$/.test(s)) {
      if (!isCalendarDate(s)) throw invalid(`${s} 不是有效日期`, 'to');
      return s;
    }
    return spanOf(s).end;
  };
  const first = startOf(from);
  const last = endOf(to);
  if (last < first) throw invalid('结束期间不能早于开始期间', 'to');
  const spans: PeriodSpan[] = [];
  let label = periodLabelOf(period, first);
  const lastLabel = periodLabelOf(period, last);
  for (;;) {
    const span = spanOf(label);
    spans.push(span);
    if (label === lastLabel) break;
    if (spans.length >= MAX_PERIODS) throw invalid(`一次最多计算 ${MAX_PERIODS} 个期间，请缩短时间范围`, 'from');
    label = periodLabelOf(period, nextDay(span.end));
  }
  return spans;
}

/** The same period a year earlier: 2026-03 → 2025-03, 2026-Q1 → 2025-Q1, 2026 → 2025. */
export function samePeriodLastYear(label: string): string {
  return `${Number(label.slice(0, 4)) - 1}${label.slice(4)}`;
}

export function nextDay(date: string): string {
  const t = new Date(`${date}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + 1);
  return t.toISOString().slice(0, 10);
}

// ---------------------------------------------------------------------------------------------------------------
// Values

/** Rounds to 2 decimals, half away from zero. */
export const round2 = (x: number): number => Math.sign(x) * Math.round(Math.abs(x) * 100 + 1e-9) / 100;

/**
 * The value of a ratio in its unit: scale × numerator ÷ denominator; money in yuan from fen (cost per admission).
 * Null when the denominator is zero.
 */
export function ratioValue(numerator: number, denominator: number, scale: number, unit: IndicatorUnit, numeratorIsMoney: boolean): number | null {
  if (denominator === 0) return null;
  const raw = (numerator * scale) / denominator;
  return round2(unit === 'yuan' && numeratorIsMoney ? raw / 100 : raw);
}

/** Year-on-year growth in percent: (current ÷ previous − 1) × 100; null when the previous figure is zero. */
export function growthValue(current: number, previous: number): number | null {
  if (previous === 0) return null;
  return round2((current / previous - 1) * 100);
}

// ---------------------------------------------------------------------------------------------------------------
// Stationing (派驻)

export interface StationedRole {
  practitionerId: string;
  /** Half-open [validFrom, validTo); validTo null = still in force. */
  validFrom: string;
  validTo: string | null;
}

const dayNumber = (d: string): number => Math.round(new Date(`${d}T00:00:00Z`).getTime() / 86_400_000);

/** Days of the half-open role period inside the inclusive span [start, end]. */
export function daysWithin(role: { validFrom: string; validTo: string | null }, start: string, end: string): number {
  const from = Math.max(dayNumber(role.validFrom), dayNumber(start));
  const to = Math.min(role.validTo === null ? Number.POSITIVE_INFINITY : dayNumber(role.validTo), dayNumber(end) + 1);
  return Math.max(0, to - from);
}

/**
 * Practitioners stationed for at least `minDays` days of the span (indicator #4: "stationed ≥ 6 months in the year";
 * several periods of one practitioner add up, overlapping ones counted once per day).
 */
export function practitionersStationedAtLeast(roles: readonly StationedRole[], start: string, end: string, minDays: number): string[] {
  const byPractitioner = new Map<string, StationedRole[]>();
  for (const r of roles) byPractitioner.set(r.practitionerId, [...(byPractitioner.get(r.practitionerId) ?? []), r]);
  const out: string[] = [];
  for (const [id, list] of byPractitioner) {
    const days = new Set<number>();
    for (const r of list) {
      const from = Math.max(dayNumber(r.validFrom), dayNumber(start));
      const to = Math.min(r.validTo === null ? Number.POSITIVE_INFINITY : dayNumber(r.validTo), dayNumber(end) + 1);
      for (let d = from; d < to; d++) days.add(d);
    }
    if (days.size >= minDays) out.push(id);
  }
  return out.sort();
}

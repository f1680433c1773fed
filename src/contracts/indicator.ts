import { z } from 'zod';
import { activityClasses, activityInputSchema } from './activity.js';
import { facilityTiers } from './codes.js';

/**
 * Monitoring indicators (监测指标, issue 4; ../shared/docs/domain.md §8). Definitions are versioned data: the engine
 * interprets the machine keys below, so a county corrects a definition by adding a version, not by changing code.
 */

/** Dimensions of the 2024 monitoring set, plus `referral` for the older county indicators still in use. */
export const indicatorDimensions = ['tightness', 'homogeneity', 'division-of-labour', 'efficiency', 'health', 'referral'] as const;
export type IndicatorDimension = (typeof indicatorDimensions)[number];

/** ratio: scale × numerator ÷ denominator; count: the numerator; growth: year-on-year change of `baseCode`, in %; unavailable: always "no data". */
export const indicatorFormulas = ['ratio', 'count', 'growth', 'unavailable'] as const;
export type IndicatorFormula = (typeof indicatorFormulas)[number];

export const indicatorUnits = ['percent', 'count', 'yuan', 'per-10000'] as const;
export type IndicatorUnit = (typeof indicatorUnits)[number];

export const indicatorDirections = ['higher-better', 'lower-better', 'neutral'] as const;
export type IndicatorDirection = (typeof indicatorDirections)[number];

export const indicatorLevels = ['facility', 'alliance', 'county', 'city', 'province'] as const;
export type IndicatorLevel = (typeof indicatorLevels)[number];

export const indicatorPeriods = ['month', 'quarter', 'year'] as const;

/** What `POST /api/v1/indicators/rebuild` (and `yilian indicators rebuild --store`) rebuilds: PostgreSQL's pre-aggregate, DuckDB's aggregate, or DuckDB refilled from PostgreSQL. */
export const indicatorRebuildStores = ['postgres', 'analytics', 'analytics-resync'] as const;
export type IndicatorRebuildStore = (typeof indicatorRebuildStores)[number];
export type IndicatorPeriod = (typeof indicatorPeriods)[number];

/**
 * Which activity rows a term adds up (docs/indicators.md):
 * - `population`: `residents` = patients living in the subject's area (an alliance: its county), `all` = anyone;
 * - `facilities`: `scope` = the subject's facilities (the facility; an alliance's members on the event's day; the
 *   facilities of the area), `home` = facilities in the patient's own county (an alliance: its members on the day),
 *   `any` = wherever treated, inside or outside the platform;
 * - `leadOnly`: only facilities that lead a county community or city group on the event's day.
 */
export const activityTermSchema = z.object({
  source: z.literal('activity'),
  measure: z.enum(['records', 'discharges', 'totalCost', 'fundPaid']),
  population: z.enum(['residents', 'all']),
  facilities: z.enum(['scope', 'home', 'any']),
  classes: z.array(z.enum(activityClasses)).optional(),
  tiers: z.array(z.enum(facilityTiers)).optional(),
  insuredOnly: z.boolean().optional(),
  excludePharmacy: z.boolean().optional(),
  tcmOnly: z.boolean().optional(),
  leadOnly: z.boolean().optional(),
});

/** Referrals sent (requested) in the period by facilities in scope; drafts, cancelled and rejected ones excluded. */
export const referralTermSchema = z.object({
  source: z.literal('referrals'),
  direction: z.enum(['up', 'down']),
  leadOnly: z.boolean().optional(),
});

/** Facilities of the given tiers in scope at the end of the period; with `withStationed`, those where a physician was stationed (派驻) during it. */
export const facilityTermSchema = z.object({
  source: z.literal('facilities'),
  tiers: z.array(z.enum(facilityTiers)).min(1),
  withStationed: z.boolean().optional(),
});

/** Physicians of at least `minTitle`, from facilities of tier rank ≥ `minHomeTierRank`, stationed at grassroots facilities in scope for ≥ `minDays` days of the year. */
export const stationedTermSchema = z.object({
  source: z.literal('stationed-physicians'),
  minTitle: z.enum(['junior', 'intermediate', 'associate-senior', 'senior']),
  minDays: z.number().int().min(1).max(366),
  minHomeTierRank: z.number().int().min(0).max(5),
});

/**
 * Remote diagnosis requests (远程诊断, the shared diagnosis centers) sent by facilities in scope, counted on the
 * request's day (China Standard Time), cancelled ones excluded: `requests` all of them; `reported` those whose final
 * report released stopped the report deadline; `reportedOnTime` those of them reported no later than the due time.
 * One definition with the turnaround statistics (GET /api/v1/diagnosis/statistics): the figures are equal.
 */
export const diagnosisTermSchema = z.object({
  source: z.literal('diagnosis'),
  measure: z.enum(['requests', 'reported', 'reportedOnTime']),
});

/** Patients registered in the master patient index with residence in the area: the resident population used. */
export const residentsTermSchema = z.object({ source: z.literal('residents') });

/** Data the platform does not hold yet: always "no data", with the reason. */
export const unavailableTermSchema = z.object({ source: z.literal('unavailable'), reason: z.string().min(1) });

export const indicatorTermSpecSchema = z.discriminatedUnion('source', [
  activityTermSchema, referralTermSchema, facilityTermSchema, stationedTermSchema, residentsTermSchema, unavailableTermSchema, diagnosisTermSchema,
]);
export type IndicatorTermSpec = z.infer<typeof indicatorTermSpecSchema>;
export type ActivityTermSpec = z.infer<typeof activityTermSchema>;

export const indicatorDefinitionSchema = z.object({
  id: z.string(),
  code: z.string(),
  version: z.number().int(),
  nameZh: z.string(),
  nameEn: z.string(),
  dimension: z.enum(indicatorDimensions),
  formula: z.enum(indicatorFormulas),
  numerator: z.object({ text: z.string(), key: indicatorTermSpecSchema }),
  denominator: z.object({ text: z.string(), key: indicatorTermSpecSchema }).nullable(),
  baseCode: z.string().nullable(),
  scale: z.number().int(),
  unit: z.enum(indicatorUnits),
  direction: z.enum(indicatorDirections),
  levels: z.array(z.enum(indicatorLevels)),
  periods: z.array(z.enum(indicatorPeriods)),
  source: z.string(),
  note: z.string().nullable(),
  validFrom: z.string(),
  validTo: z.string().nullable(),
});
export type IndicatorDefinitionDto = z.infer<typeof indicatorDefinitionSchema>;

/**
 * One period's figure. Counts are numbers; money in numerators and denominators is integer fen (分), exact. `value` is
 * in the definition's unit, rounded to 2 decimals; null when there is no data or the denominator is zero.
 */
export interface IndicatorPeriodValue {
  period: string;
  numerator: number | null;
  denominator: number | null;
  value: number | null;
  noData: boolean;
  reason?: string;
  /** Configured target for the area and year, if any. */
  target?: number | null;
}

export interface IndicatorEvaluation {
  definition: IndicatorDefinitionDto;
  level: IndicatorLevel;
  subject: { id: string; name: string; divisionCode: string | null };
  period: IndicatorPeriod;
  values: IndicatorPeriodValue[];
}

const dateOrPeriod = z.string().regex(/^\d{4}(-\d{2}(-\d{2})?|-Q[1-4])?$/, '应为日期 YYYY-MM-DD 或期间 YYYY、YYYY-MM、YYYY-Qn');

export const indicatorValuesQuerySchema = z.object({
  level: z.enum(indicatorLevels),
  subject: z.string().trim().min(1).max(100),
  period: z.enum(indicatorPeriods).default('month'),
  from: dateOrPeriod,
  to: dateOrPeriod,
});
export type IndicatorValuesQuery = z.infer<typeof indicatorValuesQuerySchema>;

export const activityBatchSchema = z.object({
  activities: z.array(activityInputSchema).min(1, '至少一行').max(1000, '一次最多1000行'),
});

// ---- ranking of a subject's children (dashboard drill-down)

/** Levels a ranking lists: a province's cities (or counties), a city's counties, a county's facilities (or alliances), an alliance's members. */
export const indicatorChildLevels = ['city', 'county', 'alliance', 'facility'] as const;
export type IndicatorChildLevel = (typeof indicatorChildLevels)[number];

export const indicatorRankingQuerySchema = z.object({
  level: z.enum(indicatorLevels),
  subject: z.string().trim().min(1).max(100),
  period: z.enum(indicatorPeriods).default('month'),
  /** The period ranked: a label (`2026-03`, `2026-Q1`, `2026`) or a date inside it; default: the period of today. */
  at: dateOrPeriod.optional(),
  /** Which children: default city for a province, county for a city, facility (else alliance) for a county, facility for an alliance. */
  childLevel: z.enum(indicatorChildLevels).optional(),
});
export type IndicatorRankingQuery = z.infer<typeof indicatorRankingQuerySchema>;

export interface IndicatorRankingRow {
  level: IndicatorLevel;
  /** Division code, alliance id or organization id: what `subject` takes to drill down. */
  id: string;
  name: string;
  /** Facilities only. */
  tier: (typeof facilityTiers)[number] | null;
  divisionCode: string | null;
  /** Facilities with a registered site only (the county map). */
  latitude: number | null;
  longitude: number | null;
  /** 1-based, best first by the indicator's direction (neutral: largest first); ties share a rank; null = no figure. */
  rank: number | null;
  value: IndicatorPeriodValue;
}

export interface IndicatorRanking {
  definition: IndicatorDefinitionDto;
  level: IndicatorLevel;
  subject: { id: string; name: string; divisionCode: string | null };
  period: IndicatorPeriod;
  /** The period ranked (`2026-03`, `2026-Q1`, `2026`). */
  label: string;
  /** The subject's own figure for the period (with its target). */
  parent: IndicatorPeriodValue;
  /** Null when the subject has no children for this indicator (a facility; or the indicator is not cut that way); `reason` says why. */
  childLevel: IndicatorLevel | null;
  reason?: string;
  rows: IndicatorRankingRow[];
}

import type { Expression, Measure, MeasureGroupPopulation, MeasureReport, MeasureReportGroupPopulation, Quantity } from '@medplum/fhirtypes';
import type { IndicatorDefinitionDto, IndicatorEvaluation, IndicatorPeriod, IndicatorTermSpec, IndicatorUnit } from '../../contracts/indicator.js';
import { invalid } from '../../shared/errors.js';
import { MEASURE_URL_BASE, extensions, systems } from './fhir.codes.js';

/**
 * Monitoring indicators as FHIR R4 Measures and their evaluation as MeasureReports (docs/fhir.md, "Measures"). Pure:
 * the definitions and evaluations come from the indicators service.
 */

const MEASURE_SCORING = 'http://terminology.hl7.org/CodeSystem/measure-scoring';
const MEASURE_POPULATION = 'http://terminology.hl7.org/CodeSystem/measure-population';
const IMPROVEMENT_NOTATION = 'http://terminology.hl7.org/CodeSystem/measure-improvement-notation';
const UCUM = 'http://unitsofmeasure.org';
/** The expression language of `criteria`: the JSON machine key of a term (src/contracts/indicator.ts). */
export const YILIAN_KEY_LANGUAGE = 'text/x-yilian-key';

export const measureUrl = (code: string): string => `${MEASURE_URL_BASE}/${code}`;

type Scoring = 'proportion' | 'ratio' | 'continuous-variable' | 'cohort';

/**
 * Scoring by formula and unit: a percentage of a subset is a proportion; a ratio of different things (yuan per
 * admission, physicians per 10,000 residents) a ratio; a count (referrals) a cohort (the score is the count of the
 * initial population); a year-on-year growth a continuous variable (the score is computed from two figures).
 */
export function scoringOf(d: Pick<IndicatorDefinitionDto, 'formula' | 'unit'>): Scoring {
  if (d.formula === 'count') return 'cohort';
  if (d.formula === 'growth') return 'continuous-variable';
  return d.unit === 'percent' ? 'proportion' : 'ratio';
}

const scoringDisplay: Record<Scoring, string> = { proportion: 'Proportion', ratio: 'Ratio', 'continuous-variable': 'Continuous Variable', cohort: 'Cohort' };

/** UpperCamelCase computable name from a code (`county-visit-rate` → `CountyVisitRate`). */
export const computableName = (code: string): string =>
  code.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');

/** The score's unit as a Quantity (without value). */
export function scoreUnit(unit: IndicatorUnit): Omit<Quantity, 'value'> {
  switch (unit) {
    case 'percent':
      return { unit: '%', system: UCUM, code: '%' };
    case 'count':
      return { unit: '人次', system: UCUM, code: '1' };
    case 'per-10000':
      return { unit: '每万人', system: UCUM, code: '/10*4' };
    case 'yuan':
      return { unit: '元', system: 'urn:iso:std:iso:4217', code: 'CNY' };
  }
}

/** FHIR Period.end is inclusive; our validTo is exclusive. */
const dayBefore = (date: string): string => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - 1);
  return d.toISOString().slice(0, 10);
};

const populationsOf = (d: IndicatorDefinitionDto): { code: string; display: string; text: string; key: IndicatorTermSpec }[] =>
  d.formula === 'count'
    ? [{ code: 'initial-population', display: 'Initial Population', text: d.numerator.text, key: d.numerator.key }]
    : [
        { code: 'numerator', display: 'Numerator', text: d.numerator.text, key: d.numerator.key },
        ...(d.denominator ? [{ code: 'denominator', display: 'Denominator', text: d.denominator.text, key: d.denominator.key }] : []),
      ];

/**
 * One indicator definition version as a Measure: id = code, `url` = canonical in our namespace, `version` = the
 * definition version, `name` computable, `title` Chinese with an English translation, `description` English name and
 * source, `scoring` by formula and unit, one group with the numerator/denominator populations whose `criteria` carry
 * the machine key (language `text/x-yilian-key`) and the Chinese text, `improvementNotation` from the direction.
 */
export function definitionToMeasure(d: IndicatorDefinitionDto, today: string): Measure {
  const scoring = scoringOf(d);
  const retired = d.validTo !== null && d.validTo <= today;
  const population: MeasureGroupPopulation[] = populationsOf(d).map((p) => ({
    code: { coding: [{ system: MEASURE_POPULATION, code: p.code, display: p.display }] },
    description: p.text,
    criteria: { language: YILIAN_KEY_LANGUAGE as Expression['language'], expression: JSON.stringify(p.key), description: p.text },
  }));
  // `_title` (a primitive's extension) is valid FHIR JSON but not in @medplum/fhirtypes' Measure type.
  const measure: Measure & { _title: unknown } = {
    resourceType: 'Measure',
    id: d.code,
    url: measureUrl(d.code),
    identifier: [{ system: systems.indicatorCode, value: d.code }],
    version: String(d.version),
    name: computableName(d.code),
    title: d.nameZh,
    _title: { extension: [{ url: extensions.translation, extension: [{ url: 'lang', valueCode: 'en' }, { url: 'content', valueString: d.nameEn }] }] },
    status: retired ? 'retired' : 'active',
    experimental: false,
    publisher: 'Yilian 医联',
    description: `${d.nameEn}. Source: ${d.source}${d.note ? `. ${d.note}` : ''}`,
    effectivePeriod: { start: d.validFrom, ...(d.validTo ? { end: dayBefore(d.validTo) } : {}) },
    extension: [{ url: extensions.measureUnit, valueCode: d.unit }],
    scoring: { coding: [{ system: MEASURE_SCORING, code: scoring, display: scoringDisplay[scoring] }] },
    ...(d.direction === 'neutral'
      ? {}
      : { improvementNotation: { coding: [{ system: IMPROVEMENT_NOTATION, code: d.direction === 'higher-better' ? 'increase' : 'decrease', display: d.direction === 'higher-better' ? 'Increased score indicates improvement' : 'Decreased score indicates improvement' }] } }),
    ...(d.formula === 'growth' && d.baseCode ? { relatedArtifact: [{ type: 'depends-on', resource: measureUrl(d.baseCode) }] } : {}),
    group: [{ description: `${d.nameZh}（单位：${scoreUnit(d.unit).unit}；可按${d.levels.join('/')}、${d.periods.join('/')}统计）`, population }],
  };
  return measure;
}

// ---------------------------------------------------------------------------------------------------------------
// $evaluate-measure

const isDate = (s: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(s) && new Date(`${s}T00:00:00Z`).toISOString().slice(0, 10) === s;
const lastDayOfMonth = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate();

/** A FHIR date of 4, 7 or 10 characters as the first (start) or last (end) day it covers. */
function dayOf(raw: string, edge: 'start' | 'end', param: string): string {
  const v = raw.trim();
  if (/^\d{4}$/.test(v)) return edge === 'start' ? `${v}-01-01` : `${v}-12-31`;
  if (/^\d{4}-(0[1-9]|1[0-2])$/.test(v)) return edge === 'start' ? `${v}-01` : `${v}-${String(lastDayOfMonth(Number(v.slice(0, 4)), Number(v.slice(5, 7)))).padStart(2, '0')}`;
  const day = v.slice(0, 10);
  if (isDate(day) && (v.length === 10 || /^T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v.slice(10)))) return day;
  throw invalid(`${param} 应为日期（YYYY、YYYY-MM 或 YYYY-MM-DD），收到 "${raw}"`, param);
}

/**
 * The requested span as one calendar period of the indicator engine: a whole year (01-01..12-31), a quarter or a
 * month. Other spans are refused (400) rather than approximated — a sum over months would be wrong for indicators
 * that are not additive (facilities at the period's end, residents, growth).
 */
export function measurePeriodOf(periodStart: string, periodEnd: string): { period: IndicatorPeriod; label: string; start: string; end: string } {
  const start = dayOf(periodStart, 'start', 'periodStart');
  const end = dayOf(periodEnd, 'end', 'periodEnd');
  if (end < start) throw invalid('periodEnd 不能早于 periodStart', 'periodEnd');
  const y = Number(start.slice(0, 4));
  const m = Number(start.slice(5, 7));
  const sameYear = end.slice(0, 4) === start.slice(0, 4);
  const endOfMonth = (month: number) => `${start.slice(0, 4)}-${String(month).padStart(2, '0')}-${String(lastDayOfMonth(y, month)).padStart(2, '0')}`;
  if (sameYear && start.endsWith('-01-01') && end.endsWith('-12-31')) return { period: 'year', label: String(y), start, end };
  if (sameYear && start.endsWith('-01') && (m - 1) % 3 === 0 && end === endOfMonth(m + 2)) return { period: 'quarter', label: `${y}-Q${(m - 1) / 3 + 1}`, start, end };
  if (sameYear && start.endsWith('-01') && end === endOfMonth(m)) return { period: 'month', label: start.slice(0, 7), start, end };
  throw invalid('periodStart..periodEnd 应恰好为一个自然年、季度或月（例如 2026-01-01..2026-03-31）', 'periodStart');
}

/**
 * An evaluation (one period) as a summary MeasureReport: the measure's versioned canonical, the period asked for,
 * the subject Organization as `reporter` (R4 `MeasureReport.subject` cannot be an Organization), one group with
 * the population counts and `measureScore`. Money figures are counted in fen (exact integers) and given in yuan in the
 * `population-amount` extension; a non-integer figure (a growth's base values) is given in `population-value`. No
 * data (or a zero denominator): no `measureScore`, the reason in `measure-score-absent-reason`.
 */
export function evaluationToMeasureReport(
  e: IndicatorEvaluation,
  o: { reporter: { reference: string; display?: string }; start: string; end: string; date: string },
): MeasureReport {
  const d = e.definition;
  const v = e.values[0];
  const moneyTerm = (t: IndicatorTermSpec | undefined) => t?.source === 'activity' && (t.measure === 'totalCost' || t.measure === 'fundPaid');
  const figures = d.formula === 'count' ? [v?.numerator ?? null] : [v?.numerator ?? null, v?.denominator ?? null];
  const keys = d.formula === 'count' ? [d.numerator.key] : [d.numerator.key, d.denominator?.key];
  const population: MeasureReportGroupPopulation[] = populationsOf(d).map((p, i) => {
    const figure = figures[i] ?? null;
    const base: MeasureReportGroupPopulation = { code: { coding: [{ system: MEASURE_POPULATION, code: p.code, display: p.display }] } };
    if (figure === null || v?.noData) return base;
    if (d.formula !== 'growth' && moneyTerm(keys[i])) {
      return { ...base, count: figure, extension: [{ url: extensions.populationAmount, valueMoney: { value: figure / 100, currency: 'CNY' } }] };
    }
    if (Number.isInteger(figure)) return { ...base, count: figure };
    return { ...base, extension: [{ url: extensions.populationValue, valueDecimal: figure }] };
  });
  const absent = !v ? '无数据' : v.noData || v.value === null ? (v.reason ?? '无数据') : null;
  const groupExtensions = [
    ...(absent ? [{ url: extensions.measureScoreAbsentReason, valueString: absent }] : []),
    ...(v?.target !== undefined && v.target !== null ? [{ url: extensions.measureTarget, valueDecimal: v.target }] : []),
  ];
  return {
    resourceType: 'MeasureReport',
    status: 'complete',
    type: 'summary',
    measure: `${measureUrl(d.code)}|${d.version}`,
    date: o.date,
    reporter: o.reporter,
    period: { start: o.start, end: o.end },
    ...(d.direction === 'neutral'
      ? {}
      : { improvementNotation: { coding: [{ system: IMPROVEMENT_NOTATION, code: d.direction === 'higher-better' ? 'increase' : 'decrease' }] } }),
    group: [
      {
        ...(groupExtensions.length ? { extension: groupExtensions } : {}),
        population,
        ...(absent || !v || v.value === null ? {} : { measureScore: { value: v.value, ...scoreUnit(d.unit) } }),
      },
    ],
  };
}

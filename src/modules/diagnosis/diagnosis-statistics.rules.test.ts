import { describe, expect, it } from 'vitest';
import { daysBetween, distributionOf, groupFacts, histogram, onTimeShare, percentile, summarise, type TurnaroundFact } from './diagnosis-statistics.rules.js';

const fact = (over: Partial<TurnaroundFact>): TurnaroundFact => ({
  centerId: 'c1', modality: 'CT', urgency: 'routine', requesterOrganizationId: 'o1', readerUserId: null, month: '2026-03', completed: false,
  reportMinutes: null, claimMinutes: null, reportExcludingPausesMinutes: null, deadlineMet: false, onTime: false, ...over,
});

describe('percentile (percentile_cont: linear between closest ranks)', () => {
  it('interpolates: [10, 20, 30, 40] p50 = 25, p90 = 37, p95 = 38.5, p0/p100 the ends', () => {
    const xs = [10, 20, 30, 40];
    // position = p × (n − 1): 0.5 × 3 = 1.5 → 20 + 0.5 × 10; 0.9 × 3 = 2.7 → 30 + 0.7 × 10; 0.95 × 3 = 2.85 → 38.5
    expect(percentile(xs, 50)).toBe(25);
    expect(percentile(xs, 90)).toBeCloseTo(37, 10);
    expect(percentile(xs, 95)).toBeCloseTo(38.5, 10);
    expect(percentile(xs, 0)).toBe(10);
    expect(percentile(xs, 100)).toBe(40);
  });
  it('one value is every percentile; none is null, never 0', () => {
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeNull();
  });
});

describe('histogram', () => {
  it('puts a value on a bound into the upper bucket, and everything past the last bound into the open one', () => {
    // bounds 30 | 60 | 120: [0,30) [30,60) [60,120) [120,∞)
    expect(histogram([0, 29.9, 30, 59, 60, 119.9, 120, 5000], [30, 60, 120])).toEqual([2, 2, 2, 2]);
    expect(histogram([], [30, 60])).toEqual([0, 0, 0]);
  });
});

describe('distributionOf', () => {
  it('sorts, rounds to 0.1 minute and counts buckets', () => {
    // sorted 5, 25, 45, 100, 700: p50 = 45; p90 → pos 3.6 → 100 + 0.6 × 600 = 460; p95 → pos 3.8 → 100 + 0.8 × 600 = 580
    expect(distributionOf([700, 45, 5, 100, 25], [30, 60, 480])).toEqual({ count: 5, p50: 45, p90: 460, p95: 580, max: 700, buckets: [2, 1, 1, 1] });
    expect(distributionOf([], [30])).toEqual({ count: 0, p50: null, p90: null, p95: null, max: null, buckets: [0, 0] });
  });
});

describe('onTimeShare', () => {
  it('is a percentage with 2 decimals, null without any decided deadline', () => {
    expect(onTimeShare(2, 3)).toBe(66.67);
    expect(onTimeShare(0, 4)).toBe(0);
    expect(onTimeShare(0, 0)).toBeNull();
  });
});

describe('summarise and groupFacts', () => {
  const facts = [
    fact({ completed: true, reportMinutes: 20, claimMinutes: 5, reportExcludingPausesMinutes: 20, deadlineMet: true, onTime: true, readerUserId: 'u1', urgency: 'emergency' }),
    fact({ completed: true, reportMinutes: 600, claimMinutes: 30, reportExcludingPausesMinutes: 480, deadlineMet: true, onTime: false, readerUserId: 'u2', requesterOrganizationId: 'o2' }),
    fact({ completed: true, reportMinutes: 100, claimMinutes: 10, reportExcludingPausesMinutes: 100, deadlineMet: true, onTime: true, readerUserId: 'u1', month: '2026-04' }),
    fact({ claimMinutes: 15 }),
    fact({}),
  ];
  it('counts volume, completion, deadlines met on time, and distributions of completed requests only', () => {
    const s = summarise(facts, [30, 120]);
    expect(s).toMatchObject({ requests: 5, completed: 3, withDeadline: 3, onTime: 2, onTimeShare: 66.67 });
    // report 20, 100, 600 → p50 100, p90 pos 1.8 → 100 + 0.8 × 500 = 500
    expect(s.report).toEqual({ count: 3, p50: 100, p90: 500, p95: 550, max: 600, buckets: [1, 1, 1] });
    // claims include the open request claimed after 15 min: 5, 10, 15, 30
    expect(s.claim).toMatchObject({ count: 4, p50: 12.5, max: 30, buckets: [3, 1, 0] });
    expect(s.reportExcludingPauses).toMatchObject({ count: 3, p50: 100, max: 480 });
  });
  it('groups by a dimension in key order; the reader breakdown leaves out unreported requests', () => {
    expect([...groupFacts(facts, 'reader').entries()].map(([k, v]) => [k, v.length])).toEqual([['u1', 2], ['u2', 1]]);
    expect([...groupFacts(facts, 'month').keys()]).toEqual(['2026-03', '2026-04']);
    expect([...groupFacts(facts, 'requester').entries()].map(([k, v]) => [k, v.length])).toEqual([['o1', 4], ['o2', 1]]);
    expect(summarise(groupFacts(facts, 'urgency').get('routine')!, [30])).toMatchObject({ requests: 4, completed: 2, onTime: 1, onTimeShare: 50 });
  });
});

describe('daysBetween', () => {
  it('counts both ends', () => {
    expect(daysBetween('2026-03-01', '2026-03-31')).toBe(31);
    expect(daysBetween('2026-03-02', '2026-03-01')).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { fingerprintDifferences, nextDelayMs, planApply, type OutboxEntry } from './activity-analytics.rules.js';

const entry = (id: number, records: number): OutboxEntry => ({ id, records, payload: '[]' });

describe('planApply', () => {
  it('applies rows not yet applied, skips the rest, and counts the records to apply', () => {
    const plan = planApply([entry(3, 10), entry(1, 5), entry(7, 2)], new Set([1]));
    expect(plan.toApply.map((e) => e.id)).toEqual([3, 7]);
    expect(plan.skipped).toEqual([1]);
    expect(plan.records).toBe(12);
  });

  it('applies a row seen twice in one batch once', () => {
    const plan = planApply([entry(4, 3), entry(4, 3)], new Set());
    expect(plan.toApply.map((e) => e.id)).toEqual([4]);
    expect(plan.skipped).toEqual([4]);
    expect(plan.records).toBe(3);
  });

  it('refuses ids and counts that cannot come from the outbox', () => {
    expect(() => planApply([entry(0, 1)], new Set())).toThrow(/invalid id/);
    expect(() => planApply([entry(2, -1)], new Set())).toThrow(/record count/);
    expect(() => planApply([entry(2.5, 1)], new Set())).toThrow(/invalid id/);
  });
});

describe('fingerprintDifferences', () => {
  const fp = { rows: '2', records: '3', discharges: '1', totalCostFen: '100', fundPaidFen: '50', fundRecords: '2', rowHashSum: '99' };
  it('is empty for equal fingerprints and names each differing field', () => {
    expect(fingerprintDifferences(fp, { ...fp })).toEqual([]);
    expect(fingerprintDifferences(fp, { ...fp, records: '4', rowHashSum: '98' })).toEqual(['records: 3 ≠ 4', 'rowHashSum: 99 ≠ 98']);
  });
});

describe('nextDelayMs', () => {
  it('polls at the interval while healthy and backs off to a minute after failures', () => {
    expect(nextDelayMs(500, 0)).toBe(500);
    expect(nextDelayMs(500, 1)).toBe(1000);
    expect(nextDelayMs(500, 3)).toBe(4000);
    expect(nextDelayMs(500, 50)).toBe(60_000);
  });
});

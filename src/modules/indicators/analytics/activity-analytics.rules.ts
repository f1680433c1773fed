import type { AggregateFingerprint } from '../indicators.repository.js';

/**
 * Pure parts of the analytic store's feed (activity-analytics.feed.ts): what to apply of an outbox batch, and how
 * two aggregate fingerprints compare.
 */

/** Positions of a record's fields in an outbox payload (`outboxProjection` in indicators.repository.ts writes them). */
export const OUTBOX_FIELDS = [
  'record_id', 'county_code', 'start_date', 'end_date', 'facility_id', 'facility_county_code', 'facility_tier', 'class', 'tcm', 'insured',
  'pharmacy', 'via_referral', 'total_cost_fen', 'fund_paid_fen',
] as const;

/** One PostgreSQL outbox row: its id, how many records it announces, and its payload as JSON text. */
export interface OutboxEntry {
  id: number;
  records: number;
  payload: string;
}

/**
 * Of a batch read from the outbox, the rows to apply and those to skip because DuckDB already holds them (applied,
 * but the delete in PostgreSQL was not done: a crash or an error between the two commits). A row seen twice in one
 * batch is applied once.
 */
export function planApply(entries: readonly OutboxEntry[], alreadyApplied: ReadonlySet<number>): { toApply: OutboxEntry[]; skipped: number[]; records: number } {
  const toApply: OutboxEntry[] = [];
  const skipped: number[] = [];
  const taken = new Set<number>();
  let records = 0;
  for (const e of entries) {
    if (!Number.isSafeInteger(e.id) || e.id <= 0) throw new Error(`outbox row with an invalid id: ${e.id}`);
    if (!Number.isSafeInteger(e.records) || e.records < 0) throw new Error(`outbox row ${e.id}: invalid record count ${e.records}`);
    if (alreadyApplied.has(e.id) || taken.has(e.id)) {
      skipped.push(e.id);
      continue;
    }
    taken.add(e.id);
    toApply.push(e);
    records += e.records;
  }
  return { toApply, skipped, records };
}

/** The fields in which two fingerprints differ (empty: the aggregates are equal). */
export function fingerprintDifferences(a: AggregateFingerprint, b: AggregateFingerprint): string[] {
  return (Object.keys(a) as (keyof AggregateFingerprint)[]).filter((k) => a[k] !== b[k]).map((k) => `${k}: ${a[k]} ≠ ${b[k]}`);
}

/**
 * How long the drainer waits before its next attempt: the poll interval while things work; after consecutive
 * failures (DuckDB file locked, disk full, PostgreSQL away) doubling up to a minute, so a broken store neither
 * spins nor is forgotten.
 */
export function nextDelayMs(pollMs: number, consecutiveFailures: number): number {
  if (consecutiveFailures <= 0) return pollMs;
  return Math.min(60_000, pollMs * 2 ** Math.min(consecutiveFailures, 10));
}

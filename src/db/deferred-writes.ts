import { sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Db } from './client.js';

/**
 * Append-only inserts of a transaction sent as ONE statement just before it commits.
 *
 * A referral step appends a timeline event, an audit row and notifications — inserts into three tables whose rows
 * nobody reads back in that transaction. Sent one by one they cost a round trip, a socket write and a statement each;
 * that per-statement overhead was most of a step's server and database time. Inside `withDeferredWrites(tx, fn)`,
 * modules hand such rows to `insertNowOrDeferred(tx, table, rows)` and they go out together when `fn` has finished —
 * one multi-row INSERT per table (rows in the order they were handed in, so serial columns keep that order), all
 * tables in one `WITH w0 AS (INSERT …), w1 AS (INSERT …) SELECT 1` — still inside the transaction, so they commit or
 * roll back with everything else. Outside such a scope the insert runs at once.
 *
 * Only for rows that nothing later in the same transaction reads; each table appears once per statement, so no two
 * sub-statements touch the same table (PostgreSQL runs the sub-statements of one statement on one snapshot, in no
 * promised order).
 */
interface Pending {
  table: PgTable;
  conflictTarget: PgColumn | undefined;
  rows: Record<string, unknown>[];
}

const scopes = new WeakMap<object, Pending[]>();

/** Runs `fn` with a deferred-write scope on `tx`, then sends what was deferred (one statement), then returns. */
export async function withDeferredWrites<T>(tx: Db, fn: () => Promise<T>): Promise<T> {
  if (scopes.has(tx)) return fn(); // nested: the outer scope flushes
  const queue: Pending[] = [];
  scopes.set(tx, queue);
  try {
    const result = await fn();
    await flush(tx, queue);
    return result;
  } finally {
    scopes.delete(tx);
  }
}

/**
 * Inserts `rows` into `table` now, or — inside `withDeferredWrites` on the same `tx` — queues them for the scope's
 * single flush. `onConflictDoNothing`: rows whose value in that (unique) column exists already are skipped.
 */
export async function insertNowOrDeferred<T extends PgTable>(
  tx: Db,
  table: T,
  rows: readonly T['$inferInsert'][],
  opts: { onConflictDoNothing?: PgColumn } = {},
): Promise<void> {
  if (rows.length === 0) return;
  const queue = scopes.get(tx);
  if (!queue) {
    await buildInsert(tx, table, rows as Record<string, unknown>[], opts.onConflictDoNothing);
    return;
  }
  const same = queue.find((p) => p.table === table && p.conflictTarget === opts.onConflictDoNothing);
  if (same) same.rows.push(...(rows as Record<string, unknown>[]));
  else queue.push({ table, conflictTarget: opts.onConflictDoNothing, rows: [...(rows as Record<string, unknown>[])] });
}

/** True inside a deferred-write scope on `tx`. */
export function isDeferring(tx: Db): boolean {
  return scopes.has(tx);
}

function buildInsert(tx: Db, table: PgTable, rows: Record<string, unknown>[], conflictTarget: PgColumn | undefined) {
  const q = tx.insert(table).values(rows as never);
  return conflictTarget ? q.onConflictDoNothing({ target: conflictTarget }) : q;
}

async function flush(tx: Db, queue: Pending[]): Promise<void> {
  if (queue.length === 0) return;
  const statements: SQL[] = queue.map((p) => buildInsert(tx, p.table, p.rows, p.conflictTarget).getSQL());
  const rows = queue.reduce((n, p) => n + p.rows.length, 0);
  queue.length = 0;
  if (statements.length === 1 || rows > 1000) {
    // One table needs no WITH; a large batch goes one statement per table (PostgreSQL allows 65,535 parameters).
    for (const s of statements) await tx.execute(s);
    return;
  }
  const ctes = sql.join(statements.map((q, i) => sql`${sql.raw(`w${i}`)} as (${q})`), sql`, `);
  await tx.execute(sql`with ${ctes} select 1`);
}

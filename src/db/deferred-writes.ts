import { sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { sendAheadOfCommit, type Db } from './client.js';
import { insertRowsSql } from './fixed-sql.js';

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
 * `withDeferredWrites` must be the last thing its transaction does: on PostgreSQL the appends are sent without
 * waiting and COMMIT follows them on the same connection (src/db/client.ts, `sendAheadOfCommit`).
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

interface Answer {
  query: SQL;
  resolve: (rows: unknown[]) => void;
  reject: (e: unknown) => void;
}

interface Scope {
  queue: Pending[];
  answer: Answer | null;
}

const scopes = new WeakMap<object, Scope>();

/** Runs `fn` with a deferred-write scope on `tx`, then sends what was deferred (one statement), then returns. */
export async function withDeferredWrites<T>(tx: Db, fn: () => Promise<T>): Promise<T> {
  if (scopes.has(tx)) return fn(); // nested: the outer scope flushes
  const scope: Scope = { queue: [], answer: null };
  scopes.set(tx, scope);
  try {
    let result: T;
    try {
      result = await fn();
    } catch (e) {
      scope.answer?.reject(e);
      throw e;
    }
    // The last statements of the transaction: on a pipelined connection they travel with COMMIT, which reports
    // their failure (src/db/client.ts, wrapConnection).
    const answer = scope.answer;
    const statements = flushStatements(tx, scope.queue.splice(0), answer?.query ?? null);
    const results = await sendAheadOfCommit(tx, statements);
    if (answer) {
      const last = results[results.length - 1]!;
      last.then((r) => answer.resolve((r as { rows: unknown[] }).rows), answer.reject);
    }
    return result;
  } finally {
    scopes.delete(tx);
  }
}

/**
 * Asks for `query` (a SELECT without a WITH clause of its own) to be read at the end of the transaction, as the final
 * SELECT of the statement that sends the deferred writes: the answer to a write costs no statement of its own. It
 * sees everything the transaction wrote before that statement (not the deferred rows themselves). The promise settles
 * when the statement's answer arrives — on PostgreSQL only after the caller's transaction was handed to COMMIT, so
 * await it after the transaction; it rejects when the transaction fails. Outside a deferred-write scope: null.
 */
export function deferAnswer<R>(tx: Db, query: SQL): Promise<R[]> | null {
  const scope = scopes.get(tx);
  if (!scope) return null;
  if (scope.answer) throw new Error('deferAnswer: this transaction already has an answer');
  let answer!: Answer;
  const rows = new Promise<R[]>((resolve, reject) => {
    answer = { query, resolve: resolve as (rows: unknown[]) => void, reject };
  });
  rows.catch(() => undefined); // awaited only after a successful transaction; a failed one must not go unhandled
  scope.answer = answer;
  return rows;
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
  const queue = scopes.get(tx)?.queue;
  if (!queue) {
    await tx.execute(buildInsert(table, rows as Record<string, unknown>[], opts.onConflictDoNothing));
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

// Written without drizzle's insert builder (src/db/fixed-sql.ts): every step of a workflow sends these.
const buildInsert = (table: PgTable, rows: Record<string, unknown>[], conflictTarget: PgColumn | undefined): SQL => insertRowsSql(table, rows, { onConflictDoNothing: conflictTarget });

/**
 * The statements that send what was deferred: one, or one per table for a large batch (65,535 parameters at most);
 * the answer's SELECT is the final SELECT of the one statement, or a statement of its own after a large batch.
 */
function flushStatements(tx: Db, queue: Pending[], answer: SQL | null): SQL[] {
  const statements: SQL[] = queue.map((p) => buildInsert(p.table, p.rows, p.conflictTarget));
  const rows = queue.reduce((n, p) => n + p.rows.length, 0);
  if (statements.length === 0) return answer ? [answer] : [];
  if (rows > 1000 || (statements.length === 1 && !answer)) return answer ? [...statements, answer] : statements;
  const ctes = sql.join(statements.map((q, i) => sql`${sql.raw(`w${i}`)} as (${q})`), sql`, `);
  return [sql`with ${ctes} ${answer ?? sql`select 1`}`];
}

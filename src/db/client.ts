import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdirSync, openSync, writeSync, closeSync, readFileSync, unlinkSync } from 'node:fs';
import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema/index.js';
import { hasSqlState } from '../shared/errors.js';

export type Schema = typeof schema;
/** The one database type services see; the same for PGlite and node-postgres. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Human-readable location for logs: the data directory or the URL without password. */
  location: string;
  migrate(): Promise<void>;
  close(): Promise<void>;
  /**
   * Claims a named role for this process for as long as it runs (or until `release`): on PostgreSQL a session-level
   * advisory lock held on a connection of its own, so a second server on the same database gets null; on PGlite the
   * data directory's lock already makes this process the only one, so the claim always succeeds.
   */
  claimProcessRole(name: string): Promise<ProcessRoleClaim | null>;
}

export interface ProcessRoleClaim {
  release(): Promise<void>;
}

export const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface DatabaseOptions {
  /** PostgreSQL URL; without it the embedded PGlite is used. */
  databaseUrl?: string | undefined;
  /** PGlite data directory; `memory://` for an in-memory database (tests). */
  dataDir?: string;
  poolSize?: number;
  /** How long a query waits for a free pooled connection before it fails (PostgreSQL; default 15 s). */
  acquireTimeoutMs?: number;
  /** Written into the PGlite lock file so a second process can say who holds the data directory. */
  lockOwner?: string;
}

/** Raised when another live process holds the embedded data directory. */
export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: { pid: number; owner: string; url?: string },
  ) {
    super(
      `The embedded database in ${dataDir} is in use by ${holder.owner} (pid ${holder.pid}). PGlite allows one process ` +
        `per data directory. ` +
        (holder.url
          ? `The server is running at ${holder.url}: use its API (the CLI does this for you where it can), or stop it first.`
          : `Stop that process first.`),
    );
    this.name = 'DataDirLockedError';
  }
}

/**
 * PGlite has no cross-process locking of its own; two processes on one directory corrupt it. A lock file with the
 * holder's pid makes the second process stop with a clear message instead. A lock left by a dead process is taken over.
 */
function acquireDataDirLock(dataDir: string, owner: string): () => void {
  const lockPath = path.join(dataDir, 'yilian.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, JSON.stringify({ pid: process.pid, owner, since: new Date().toISOString() }));
      closeSync(fd);
      const release = (): void => {
        try {
          const held = JSON.parse(readFileSync(lockPath, 'utf8')) as { pid: number };
          if (held.pid === process.pid) unlinkSync(lockPath);
        } catch {
          /* already gone */
        }
      };
      process.once('exit', release);
      return release;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = readLockHolder(lockPath);
      if (holder && holder.pid !== process.pid && isAlive(holder.pid)) throw new DataDirLockedError(dataDir, holder);
      try {
        unlinkSync(lockPath); // stale: its process is gone
      } catch {
        /* raced with another taker; the next attempt decides */
      }
    }
  }
  throw new Error(`Could not lock the embedded data directory ${dataDir}; another process is taking it at the same time.`);
}

export function readLockHolder(lockPathOrDir: string): { pid: number; owner: string; url?: string } | null {
  const lockPath = lockPathOrDir.endsWith('yilian.lock') ? lockPathOrDir : path.join(lockPathOrDir, 'yilian.lock');
  try {
    return JSON.parse(readFileSync(lockPath, 'utf8')) as { pid: number; owner: string; url?: string };
  } catch {
    return null;
  }
}

/** The running server records its URL in the lock so the CLI can go through its API. */
export function recordServerUrl(dataDir: string, url: string): void {
  const lockPath = path.join(dataDir, 'yilian.lock');
  const holder = readLockHolder(lockPath);
  if (holder && holder.pid === process.pid) {
    const fd = openSync(lockPath, 'w');
    writeSync(fd, JSON.stringify({ ...holder, url }));
    closeSync(fd);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Named statements one connection keeps prepared; texts beyond it run unnamed (PostgreSQL keeps them per session). */
const preparedPerConnection = 2000;

/** Statement text → its name (a hash of the text, so one name always means one text); hashed once per text. */
const statementNames = new Map<string, string>();
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `y${createHash('sha1').update(text).digest('hex').slice(0, 30)}`;
    if (statementNames.size >= 10_000) statementNames.clear(); // bounded; the next statements refill it
    statementNames.set(text, name);
  }
  return name;
}

type QueryFn = (...args: unknown[]) => Promise<unknown> | unknown;
interface CommandResult {
  command?: string;
}

const isBegin = (text: string): boolean => /^\s*begin\b/i.test(text);
const isCommit = (text: string): boolean => /^\s*(commit|end)\s*;?\s*$/i.test(text);
const isRollback = (text: string): boolean => /^\s*(rollback|abort)\s*;?\s*$/i.test(text);
const noResult = (command: string) => ({ command, rowCount: null, rows: [], fields: [], oid: null });

/** Per connection: a BEGIN not sent yet, and the statements sent ahead of COMMIT (sendAheadOfCommit). */
interface ConnectionState {
  pendingBegin: { config: unknown; rest: unknown[] } | null;
  sentAhead: Promise<unknown>[];
  /** Statements handed to the driver (sendAheadOfCommit checks that its statements were written synchronously). */
  written: number;
  /** Holds the socket's writes from sendAheadOfCommit until COMMIT is written, so they leave in one write. */
  holdWrites: () => void;
  /** Releases what holdWrites held (COMMIT, ROLLBACK, release of the connection, or the next turn of the event loop). */
  releaseWrites: () => void;
}
const connectionStates = new WeakMap<object, ConnectionState>();

/**
 * Wraps a pooled connection's `query`:
 *
 * 1. **Named prepared statements.** Every parameterised statement runs as a named statement keyed by a hash of its
 *    text, so each connection plans it once. Measured on the referral workflow (bench/referral.ts): planning, not
 *    execution, was most of PostgreSQL's time. The name is a hash of the text, so the same name always means the same text.
 * 2. **BEGIN travels with the first statement** (PostgreSQL only; the connection runs node-postgres' pipeline mode).
 *    drizzle sends BEGIN and waits for its answer before the transaction's first statement: a round trip of its own
 *    on every write. Here BEGIN is held back and written together with the next statement; both answers are awaited,
 *    and a failed BEGIN fails that statement, so nothing runs outside the transaction unnoticed. A transaction that
 *    ends before any statement (a refusal decided in code) sends neither.
 * 3. **COMMIT guards what was sent ahead.** A statement may be sent without waiting for its answer (the deferred
 *    appends go out together with COMMIT: src/db/deferred-writes.ts). COMMIT waits for every such answer; if one
 *    failed, PostgreSQL has already turned the COMMIT into a rollback, and the commit fails with that statement's error.
 *    A COMMIT that PostgreSQL answers with ROLLBACK (an earlier failure was swallowed) is an error too: an
 *    acknowledged write must never be one that was rolled back.
 * 4. **What travels together leaves in one write**: BEGIN with the first statement, and the statements sent ahead with
 *    their COMMIT, are corked into one socket write.
 */
function wrapConnection(client: import('pg').PoolClient): void {
  const original = client.query.bind(client) as QueryFn;
  const named = new Set<string>();
  // Statements written together leave in one socket write (one system call, one wake-up of the server) instead of
  // one each: node-postgres corks per statement, these corks span several. Writes only: answers are read as ever.
  const stream = (client as unknown as { connection?: { stream?: { cork?: () => void; uncork?: () => void } } }).connection?.stream;
  let holding = false;
  const state: ConnectionState = {
    pendingBegin: null,
    sentAhead: [],
    written: 0,
    holdWrites: () => {
      if (holding || !stream?.cork || !stream.uncork) return;
      stream.cork();
      holding = true;
      // COMMIT normally follows within this turn's microtasks; if the transaction awaits something else first, the
      // held statements go out on the next turn rather than wait for it.
      setImmediate(state.releaseWrites);
    },
    releaseWrites: () => {
      if (!holding) return;
      holding = false;
      stream!.uncork!();
    },
  };
  connectionStates.set(client, state);
  const together = <T>(fn: () => T): T => {
    if (!stream?.cork || !stream.uncork) return fn();
    stream.cork();
    try {
      return fn();
    } finally {
      stream.uncork();
    }
  };
  const send = (config: unknown, rest: unknown[]): unknown => {
    state.written++;
    if (config && typeof config === 'object' && !(config as { name?: string }).name && typeof (config as { text?: unknown }).text === 'string') {
      const text = (config as { text: string }).text;
      const values = Array.isArray(rest[0]) ? rest[0] : (config as { values?: unknown[] }).values;
      if (values && values.length > 0) {
        const name = statementName(text);
        if (named.has(name) || named.size < preparedPerConnection) {
          named.add(name);
          config = { ...(config as object), name };
        }
      }
    }
    return original(config, ...rest);
  };
  (client as unknown as { query: QueryFn }).query = (config: unknown, ...rest: unknown[]) => {
    const text = typeof config === 'string' ? config : config && typeof config === 'object' ? (config as { text?: unknown }).text : undefined;
    const promiseStyle =
      typeof text === 'string' && !rest.some((r) => typeof r === 'function') &&
      !(config && typeof config === 'object' && (typeof (config as { submit?: unknown }).submit === 'function' || typeof (config as { callback?: unknown }).callback === 'function'));
    if (!promiseStyle) {
      const held = state.pendingBegin;
      state.pendingBegin = null;
      if (held) void (send(held.config, held.rest) as Promise<unknown>).catch(() => undefined); // the next statement fails too if BEGIN did
      return send(config, rest);
    }
    if (isBegin(text)) {
      if (state.pendingBegin) throw new Error('BEGIN inside a transaction that has not started yet');
      state.pendingBegin = { config, rest };
      return Promise.resolve(noResult('BEGIN'));
    }
    const held = state.pendingBegin;
    state.pendingBegin = null;
    if (held && (isCommit(text) || isRollback(text))) return Promise.resolve(noResult(isCommit(text) ? 'COMMIT' : 'ROLLBACK')); // empty transaction
    let begin: Promise<unknown> | null = null;
    let sent: Promise<unknown>;
    if (held) {
      [begin, sent] = together(() => [send(held.config, held.rest) as Promise<unknown>, send(config, rest) as Promise<unknown>]);
      begin.catch(() => undefined); // reported through the statement below
    } else {
      sent = send(config, rest) as Promise<unknown>;
    }
    if (isCommit(text) || isRollback(text)) state.releaseWrites();
    if (isCommit(text)) {
      const ahead = state.sentAhead;
      state.sentAhead = [];
      return finishCommit(ahead, sent);
    }
    return begin ? Promise.all([begin, sent]).then(([, r]) => r) : sent;
  };
}

async function finishCommit(ahead: Promise<unknown>[], commit: Promise<unknown>): Promise<unknown> {
  const outcomes = await Promise.allSettled(ahead);
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) {
    await commit.catch(() => undefined);
    throw failed.reason;
  }
  const r = (await commit) as CommandResult;
  if (r && r.command === 'ROLLBACK') throw new Error('PostgreSQL rolled the transaction back at COMMIT: a statement in it had failed');
  return r;
}

/**
 * Runs the last statements of a transaction. On a pipelined connection they are written at once, in order, and not
 * awaited: COMMIT follows them on the wire and awaits their answers (it fails with their error: wrapConnection, 3).
 * Elsewhere (PGlite), or if the driver did not write them synchronously, they are awaited one by one. Nothing after
 * them in the transaction may depend on their effect.
 */
export async function sendAheadOfCommit(tx: Db, statements: readonly SQL[]): Promise<Promise<unknown>[]> {
  if (statements.length === 0) return [];
  const state = connectionStateOf(tx);
  if (state) {
    const before = state.written;
    state.holdWrites(); // until COMMIT: the appends and COMMIT leave in one write
    // `.execute()`: the promise itself — drizzle's query objects run again on every `then`.
    const answers: Promise<unknown>[] = statements.map((q) => tx.execute(q).execute());
    for (const a of answers) a.catch(() => undefined); // reported through COMMIT
    if (state.written - before >= statements.length) {
      state.sentAhead.push(...answers);
      return answers;
    }
    // drizzle did not hand them to the driver synchronously: COMMIT could overtake them, so wait (correct, slower).
    state.releaseWrites();
    await Promise.all(answers);
    return answers;
  }
  const answers: Promise<unknown>[] = [];
  for (const q of statements) {
    answers.push(Promise.resolve(await tx.execute(q).execute()));
  }
  return answers;
}

function connectionStateOf(tx: Db): ConnectionState | undefined {
  const client = (tx as unknown as { session?: { client?: object } }).session?.client;
  return client ? connectionStates.get(client) : undefined;
}

/** SQLSTATE 25P02, "current transaction is aborted": a statement that failed only because an earlier one had. */
const isTransactionAborted = (e: unknown): boolean => hasSqlState(e, '25P02');

/**
 * Runs pieces of one transaction that do not need each other's answers at the same time, and returns their results
 * in order. On a pipelined connection (PostgreSQL) each statement is written as soon as it is issued, without waiting
 * for the answers before it, so three independent statements cost one round trip instead of three; elsewhere (PGlite)
 * they queue on the connection and behave as if awaited one by one.
 *
 * Every piece is awaited even when one fails: a piece still running could otherwise send its next statement after the
 * ROLLBACK, outside the transaction. The error thrown is the cause, not an echo: a failure other than "transaction
 * aborted" first, else the first failure in argument order. The pieces must not depend on each other's effects:
 * their statements reach the connection in no promised order.
 */
export async function inParallel<T extends readonly unknown[]>(tx: Db, ...work: { [K in keyof T]: () => Promise<T[K]> }): Promise<T> {
  const running = work.map((piece) => {
    try {
      return piece();
    } catch (e) {
      return Promise.reject(e);
    }
  });
  const settled = await Promise.allSettled(running);
  const failures = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => s.reason as unknown);
  if (failures.length > 0) {
    throw failures.find((e) => !isTransactionAborted(e)) ?? failures[0];
  }
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

export async function createDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.databaseUrl) {
    const { default: pg } = await import('pg');
    const { drizzle } = await import('drizzle-orm/node-postgres');
    const { migrate } = await import('drizzle-orm/node-postgres/migrator');
    // DATE columns stay strings ('2025-01-31'): a JavaScript Date would shift them by the server's time zone.
    pg.types.setTypeParser(1082, (v: string) => v);
    // Pipeline mode: a connection writes a statement without waiting for the previous answer when asked to
    // (wrapConnection); statements awaited one by one behave as without it.
    // A bounded wait for a connection: a request that cannot get one fails (503, src/http/plugins/error-handler.ts) and
    // releases what it holds, rather than wait for ever — which, if it already held a connection, could stall every other request too.
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl, max: opts.poolSize ?? 10, pipeline: true, connectionTimeoutMillis: opts.acquireTimeoutMs ?? 15_000,
    } as import('pg').PoolConfig);
    pool.on('error', () => {
      /* idle client errors are reported on the next query; do not crash the process */
    });
    pool.on('connect', (client) => wrapConnection(client));
    pool.on('release', (_err: unknown, client: object) => {
      // Never hand a held-back BEGIN to the next borrower (drizzle always ends with COMMIT or ROLLBACK; belt and braces).
      const st = connectionStates.get(client);
      if (st) {
        st.pendingBegin = null;
        st.sentAhead = [];
        st.releaseWrites();
      }
    });
    const db = drizzle(pool, { schema }) as unknown as Db;
    return {
      db,
      kind: 'postgres',
      location: redactUrl(opts.databaseUrl),
      migrate: () => migrate(db as never, { migrationsFolder }),
      close: () => pool.end(),
      claimProcessRole: async (name) => {
        const client = new pg.Client({ connectionString: opts.databaseUrl });
        client.on('error', () => {
          /* the lock ends with the connection; the holder learns of it on its next query */
        });
        await client.connect();
        try {
          const { rows } = await client.query<{ ok: boolean }>('select pg_try_advisory_lock(hashtext($1)) as ok', [`yilian:${name}`]);
          if (rows[0]?.ok !== true) {
            await client.end();
            return null;
          }
        } catch (e) {
          await client.end().catch(() => undefined);
          throw e;
        }
        return { release: () => client.end() };
      },
    };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  const dataDir = opts.dataDir ?? 'memory://';
  let releaseLock = (): void => {};
  if (!dataDir.startsWith('memory://')) {
    mkdirSync(dataDir, { recursive: true });
    releaseLock = acquireDataDirLock(dataDir, opts.lockOwner ?? 'yilian');
  }
  let client;
  try {
    client = await openPglite(PGlite, dataDir);
  } catch (e) {
    releaseLock();
    throw e;
  }
  const db = drizzle(client, { schema }) as unknown as Db;
  return {
    db,
    kind: 'pglite',
    location: dataDir,
    migrate: () => migrate(db as never, { migrationsFolder }),
    close: async () => {
      await client.close();
      releaseLock();
    },
    claimProcessRole: async () => ({ release: async () => {} }),
  };
}

type PGliteCtor = typeof import('@electric-sql/pglite').PGlite;

async function openPglite(PGlite: PGliteCtor, dataDir: string) {
  try {
    const client = new PGlite(dataDir, {
      // DATE as string for the same reason as above.
      parsers: { 1082: (v: string) => v },
    });
    await client.waitReady;
    return client;
  } catch (e) {
    throw new Error(
      `Could not open the embedded database in ${dataDir}. PGlite allows one process per data directory: ` +
        `if the Yilian server is running on it, stop it or use the server's API; otherwise the directory may be damaged. ` +
        `(${(e as Error).message})`,
      { cause: e },
    );
  }
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgresql://…';
  }
}

/** Runs raw SQL and returns its rows; node-postgres and PGlite both answer with `{ rows }`. */
export async function queryRows<T>(db: Db, query: import('drizzle-orm').SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdirSync, openSync, writeSync, closeSync, readFileSync, unlinkSync } from 'node:fs';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema/index.js';

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

/**
 * Runs every parameterised statement as a named prepared statement on its connection, so PostgreSQL parses and plans
 * each distinct query text once per connection instead of on every call. Measured on the referral workflow
 * (bench/referral.ts): planning, not execution, was most of PostgreSQL's time. The name is a hash of the text, so the
 * same name always means the same text.
 */
function prepareRepeatedStatements(client: import('pg').PoolClient): void {
  const original = client.query.bind(client) as (...args: unknown[]) => unknown;
  const named = new Set<string>();
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (config: unknown, ...rest: unknown[]) => {
    if (config && typeof config === 'object' && !(config as { name?: string }).name && typeof (config as { text?: unknown }).text === 'string') {
      const text = (config as { text: string }).text;
      const values = Array.isArray(rest[0]) ? rest[0] : (config as { values?: unknown[] }).values;
      if (values && values.length > 0) {
        const name = `y${createHash('sha1').update(text).digest('hex').slice(0, 30)}`;
        if (named.has(name) || named.size < preparedPerConnection) {
          named.add(name);
          config = { ...(config as object), name };
        }
      }
    }
    return original(config, ...rest);
  };
}

export async function createDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.databaseUrl) {
    const { default: pg } = await import('pg');
    const { drizzle } = await import('drizzle-orm/node-postgres');
    const { migrate } = await import('drizzle-orm/node-postgres/migrator');
    // DATE columns stay strings ('2025-01-31'): a JavaScript Date would shift them by the server's time zone.
    pg.types.setTypeParser(1082, (v: string) => v);
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 });
    pool.on('error', () => {
      /* idle client errors are reported on the next query; do not crash the process */
    });
    pool.on('connect', (client) => prepareRepeatedStatements(client));
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

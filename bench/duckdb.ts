import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * DuckDB for `bench/indicators` only — loaded on demand, never a dependency of the project.
 *
 * `@duckdb/node-api` ships its native library as one optional package per platform; the npm registry this project is
 * installed from has only some of them, so with DuckDB in package.json the lock file could never be complete and
 * `npm ci` (CI, a fresh clone) refused to install anything. The benchmark therefore installs the pinned version
 * itself, without saving it, the first time it runs. Only the part of the API the benchmark uses is typed here.
 */
export const DUCKDB_PACKAGE = '@duckdb/node-api@1.5.6-r.1';

export interface DuckDBDateValue {
  readonly days: number;
}
export interface DuckDBAppender {
  appendVarchar(value: string): void;
  appendNull(): void;
  appendBoolean(value: boolean): void;
  appendDate(value: DuckDBDateValue): void;
  appendBigInt(value: bigint): void;
  endRow(): void;
  closeSync(): void;
}
export interface DuckDBResultReader {
  getRowObjects(): Record<string, unknown>[];
}
export interface DuckDBConnection {
  run(sql: string): Promise<unknown>;
  runAndReadAll(sql: string): Promise<DuckDBResultReader>;
  createAppender(table: string, schema?: string | null, catalog?: string | null): Promise<DuckDBAppender>;
  closeSync(): void;
}
export interface DuckDBInstance {
  connect(): Promise<DuckDBConnection>;
  closeSync(): void;
}
export interface DuckDb {
  DuckDBInstance: { create(path?: string, options?: Record<string, string>): Promise<DuckDBInstance> };
  DuckDBDateValue: new (days: number) => DuckDBDateValue;
}

const moduleName: string = '@duckdb/node-api';

/** Imports DuckDB, installing the pinned package into node_modules (not package.json) if it is missing. */
export async function loadDuckDb(): Promise<DuckDb> {
  try {
    return (await import(moduleName)) as DuckDb;
  } catch {
    console.log(`# installing ${DUCKDB_PACKAGE} for this benchmark (not saved to package.json)`);
    const r = spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', DUCKDB_PACKAGE], {
      cwd: path.resolve(import.meta.dirname, '..'), stdio: 'inherit',
    });
    if (r.status !== 0) throw new Error(`could not install ${DUCKDB_PACKAGE} (npm exit ${r.status}); install it by hand and retry`);
    // The failed bare-specifier import above is remembered by the ESM loader: import the installed file by its URL.
    const entry = createRequire(import.meta.url).resolve(moduleName);
    return (await import(pathToFileURL(entry).href)) as DuckDb;
  }
}

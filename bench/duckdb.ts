/**
 * DuckDB for `bench/indicators`' reference computation: the project's own dependency `@duckdb/node-api` (pinned in
 * package.json; the product's analytic store, src/modules/indicators/analytics/, uses the same package). The reference
 * opens its own database beside the product's store so the two never share tables.
 */
export { DuckDBDateValue, DuckDBInstance } from '@duckdb/node-api';
export type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';

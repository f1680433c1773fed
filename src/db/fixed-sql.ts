import { getTableColumns, getTableName, is, Param, SQL, StringChunk } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';

/**
 * The hottest statements of a workflow step, built without drizzle's query builders.
 *
 * drizzle builds every statement anew on each call: a `select()` of a 45-column table walks each column (an `is`
 * check per chunk, escaping per name) and maps each value back. On the referral workflow that was about a quarter of
 * the server's CPU (docs/benchmarks.md, referral, fifth round). Here a table's column list is written once, the row
 * mapping is a loop over prepared column entries, and values go in already in the driver's form (primitives, which
 * drizzle's SQL assembly passes through with no look-ups). The result is still a drizzle `SQL`: it runs through
 * `tx.execute` inside the caller's transaction, on PGlite and on PostgreSQL alike, with the same value conversions
 * (each column's own `mapToDriverValue` / `mapFromDriverValue`) as drizzle's builders.
 */
interface ColumnEntry {
  key: string;
  name: string;
  column: PgColumn;
}

export interface TableShape<T extends PgTable> {
  /** The table's name, quoted. */
  readonly table: string;
  /** Every column, quoted and comma-separated, as a chunk for a select list or a RETURNING clause. */
  readonly columnList: SQL;
  /** One row as the database answered it (keys are column names) → the row as drizzle's select would give it. */
  read(raw: Record<string, unknown>): T['$inferSelect'];
  /** A property of the table's row type → its column. */
  column(key: string): ColumnEntry;
  /** The columns an INSERT names (generated ones left out, as drizzle's `shouldDisableInsert`) and its head text. */
  readonly insertable: { columns: readonly ColumnEntry[]; head: string };
}

const quote = (name: string): string => `"${name.replace(/"/g, '""')}"`;
const shapes = new WeakMap<PgTable, TableShape<PgTable>>();

export function tableShape<T extends PgTable>(table: T): TableShape<T> {
  const known = shapes.get(table);
  if (known) return known as TableShape<T>;
  const entries: ColumnEntry[] = Object.entries(getTableColumns(table)).map(([key, column]) => ({ key, name: column.name, column: column as PgColumn }));
  const byKey = new Map(entries.map((e) => [e.key, e]));
  const insertColumns = entries.filter((e) => !(e.column.generated !== undefined && e.column.generated.type !== 'byDefault'));
  const tableName = quote(getTableName(table));
  const shape: TableShape<T> = {
    table: tableName,
    insertable: { columns: insertColumns, head: `insert into ${tableName} (${insertColumns.map((c) => quote(c.name)).join(', ')}) values ` },
    columnList: new SQL([new StringChunk(entries.map((e) => quote(e.name)).join(', '))]),
    read(raw) {
      const row: Record<string, unknown> = {};
      for (const e of entries) {
        const v = raw[e.name];
        row[e.key] = v === null || v === undefined ? null : e.column.mapFromDriverValue(v);
      }
      return row as T['$inferSelect'];
    },
    column(key) {
      const e = byKey.get(key);
      if (!e) throw new Error(`${getTableName(table)} has no column for "${key}"`);
      return e;
    },
  };
  shapes.set(table, shape as TableShape<PgTable>);
  return shape;
}

/** Assembles a statement from text and values; values are converted for their column here, once. */
class Statement {
  private readonly chunks: unknown[] = [];
  private text = '';

  sql(s: string): this {
    this.text += s;
    return this;
  }

  /** A value bound as a parameter (converted by `column` when given), or a nested SQL expression as it is. */
  value(v: unknown, column?: PgColumn): this {
    if (is(v, SQL)) return this.push(v);
    const driver = v === null || v === undefined ? null : column ? column.mapToDriverValue(v) : v;
    if (is(driver, SQL)) return this.push(driver);
    // An array (or any object) would be taken apart by drizzle's assembly; a Param carries it whole.
    return this.push(driver !== null && typeof driver === 'object' ? new Param(driver) : driver);
  }

  build(): SQL {
    this.flush();
    return new SQL(this.chunks as ConstructorParameters<typeof SQL>[0]);
  }

  private push(chunk: unknown): this {
    this.flush();
    this.chunks.push(chunk);
    return this;
  }

  private flush(): void {
    if (this.text) this.chunks.push(new StringChunk(this.text));
    this.text = '';
  }
}

/**
 * `INSERT INTO t (every column) VALUES (…), (…)` as drizzle's `insert(t).values(rows)` writes it: a property left
 * undefined takes the column's default; a value may be an SQL expression. `onConflictDoNothing` names a unique column;
 * `returning` asks for every column of the rows inserted (read them with `tableShape(t).read`).
 */
export function insertRowsSql<T extends PgTable>(
  table: T,
  rows: readonly Record<string, unknown>[],
  opts: { onConflictDoNothing?: PgColumn | undefined; returning?: boolean } = {},
): SQL {
  if (rows.length === 0) throw new Error('insertRowsSql: no rows');
  const shape = tableShape(table);
  const { columns, head } = shape.insertable;
  const s = new Statement().sql(head);
  rows.forEach((row, r) => {
    s.sql(r === 0 ? '(' : ', (');
    columns.forEach((c, i) => {
      if (i > 0) s.sql(', ');
      const v = row[c.key];
      if (v === undefined) s.sql('default');
      else s.value(v, c.column);
    });
    s.sql(')');
  });
  if (opts.onConflictDoNothing) s.sql(` on conflict (${quote(opts.onConflictDoNothing.name)}) do nothing`);
  if (opts.returning) s.sql(' returning ').value(shape.columnList);
  return s.build();
}

/**
 * `UPDATE t SET … WHERE <key column> = $id RETURNING <every column>`; undefined properties of `set` are left alone
 * (as drizzle's `update().set()` does). Read the answer with `tableShape(t).read`.
 */
export function updateByKeyReturningSql<T extends PgTable>(table: T, keyColumn: PgColumn, key: unknown, set: Readonly<Record<string, unknown>>): SQL {
  return updateReturningSql(table, set, new Statement().sql(`${quote(keyColumn.name)} = `).value(key, keyColumn).build());
}

/**
 * `UPDATE t SET … WHERE <where> RETURNING <every column>`, as `updateByKeyReturningSql`; `where` is written by the
 * caller with the `sql` template over plain column names (the statement names no other table).
 */
export function updateReturningSql<T extends PgTable>(table: T, set: Readonly<Record<string, unknown>>, where: SQL): SQL {
  const shape = tableShape(table);
  const s = new Statement().sql(`update ${shape.table} set `);
  let first = true;
  for (const [k, v] of Object.entries(set)) {
    if (v === undefined) continue;
    const c = shape.column(k);
    s.sql(`${first ? '' : ', '}${quote(c.name)} = `).value(v, c.column);
    first = false;
  }
  if (first) throw new Error(`updateReturningSql: nothing to set on ${shape.table}`);
  return s.sql(' where ').value(where).sql(' returning ').value(shape.columnList).build();
}

/** `SELECT <every column> FROM t WHERE <key column> = $key [FOR UPDATE]`. Read the answer with `tableShape(t).read`. */
export function selectByKeySql<T extends PgTable>(table: T, keyColumn: PgColumn, key: unknown, opts: { forUpdate?: boolean } = {}): SQL {
  const shape = tableShape(table);
  return new Statement()
    .sql('select ')
    .value(shape.columnList)
    .sql(` from ${shape.table} where ${quote(keyColumn.name)} = `)
    .value(key, keyColumn)
    .sql(opts.forUpdate ? ' limit 1 for update' : ' limit 1')
    .build();
}

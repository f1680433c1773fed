import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { boolean, date, integer, jsonb, numeric, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { queryRows, type Database, type Db } from '../src/db/client.js';
import { insertRowsSql, selectByKeySql, tableShape, updateByKeyReturningSql } from '../src/db/fixed-sql.js';
import { createTestDatabase, databaseKind } from './helpers/app.js';

/**
 * The statements of src/db/fixed-sql.ts must write and read exactly what drizzle's builders write and read: every
 * kind of column the schema uses (timestamps with time zone, dates, jsonb, text arrays, numeric, booleans, defaults,
 * nulls), on PGlite and on PostgreSQL.
 */
const probe = pgTable('fixed_sql_probe', {
  id: text('id').primaryKey(),
  n: integer('n').notNull(),
  at: timestamp('at', { withTimezone: true }).notNull(),
  day: date('day'),
  detail: jsonb('detail').$type<Record<string, unknown>>(),
  tags: text('tags').array().notNull().default(sql`'{}'::text[]`),
  amount: numeric('amount', { precision: 12, scale: 2 }),
  flag: boolean('flag').notNull().default(false),
  note: text('note'),
  version: integer('version').notNull().default(1),
});
type ProbeInsert = typeof probe.$inferInsert;

let database: Database;
let drop: () => Promise<void>;
let db: Db;

beforeAll(async () => {
  ({ database, drop } = await createTestDatabase());
  db = database.db;
  await db.execute(sql`create table fixed_sql_probe (
    id text primary key, n integer not null, at timestamptz not null, day date, detail jsonb,
    tags text[] not null default '{}'::text[], amount numeric(12, 2), flag boolean not null default false, note text,
    version integer not null default 1)`);
});
afterAll(async () => {
  await database.close();
  await drop();
});

const rowsOf = (raw: Record<string, unknown>[]) => raw.map((r) => tableShape(probe).read(r));
const byDrizzle = (id: string) => db.select().from(probe).where(eq(probe.id, id));

const samples: ProbeInsert[] = [
  { id: 'a', n: 1, at: new Date('2026-11-23T01:02:03.456Z'), day: '2026-11-23', detail: { k: 'v', nested: [1, 2], text: "it's \"quoted\"" }, tags: ['x', 'y z', 'a,b'], amount: '12.50', flag: true, note: '中文 — 备注' },
  { id: 'b', n: 2, at: new Date('2025-01-01T00:00:00.000Z') }, // the rest null or default
];

describe(`fixed statements on ${databaseKind}`, () => {
  it('inserts what drizzle inserts: values, nulls and defaults, several rows in one statement', async () => {
    await db.execute(insertRowsSql(probe, samples as Record<string, unknown>[]));
    await db.insert(probe).values(samples.map((s) => ({ ...s, id: `d-${s.id}` })));
    for (const s of samples) {
      const [mine] = await byDrizzle(s.id);
      const [theirs] = await byDrizzle(`d-${s.id}`);
      expect({ ...mine, id: null }).toEqual({ ...theirs, id: null });
    }
    const [b] = await byDrizzle('b');
    expect(b).toMatchObject({ tags: [], flag: false, version: 1, detail: null, note: null, day: null, amount: null });
  });

  it('reads a row by key (also FOR UPDATE in a transaction) exactly as drizzle selects it', async () => {
    for (const id of ['a', 'b']) {
      const [expected] = await byDrizzle(id);
      expect(rowsOf(await queryRows(db, selectByKeySql(probe, probe.id, id)))).toEqual([expected]);
      const locked = await db.transaction(async (tx) => rowsOf(await queryRows(tx as unknown as Db, selectByKeySql(probe, probe.id, id, { forUpdate: true }))));
      expect(locked).toEqual([expected]);
    }
    expect(await queryRows(db, selectByKeySql(probe, probe.id, 'none'))).toEqual([]);
  });

  it('updates by key and returns the row as drizzle would; undefined is left alone, SQL expressions are kept', async () => {
    const set = { at: new Date('2026-12-01T08:00:00.000Z'), detail: { moved: true }, tags: ['p'], note: null, amount: undefined, version: sql`"version" + 1` };
    const [returned] = rowsOf(await queryRows(db, updateByKeyReturningSql(probe, probe.id, 'a', set)));
    const [drizzleReturned] = await db.update(probe).set(set).where(eq(probe.id, 'd-a')).returning();
    expect({ ...returned, id: null }).toEqual({ ...drizzleReturned, id: null });
    expect(returned).toMatchObject({ version: 2, note: null, amount: '12.50', tags: ['p'], detail: { moved: true } });
    expect(returned!.at.toISOString()).toBe('2026-12-01T08:00:00.000Z');
    expect(() => updateByKeyReturningSql(probe, probe.id, 'a', { amount: undefined })).toThrow(/nothing to set/);
    expect(() => updateByKeyReturningSql(probe, probe.id, 'a', { nope: 1 })).toThrow(/no column for "nope"/);
  });

  it('skips rows whose unique value exists with onConflictDoNothing, inside a transaction that rolls back cleanly', async () => {
    const inserted = rowsOf(await queryRows(db, insertRowsSql(probe, [{ id: 'a', n: 99, at: new Date() }, { id: 'c', n: 3, at: new Date() }], { onConflictDoNothing: probe.id, returning: true })));
    expect(inserted).toEqual(await byDrizzle('c')); // only the row inserted comes back
    expect((await byDrizzle('a'))[0]!.n).toBe(1);
    expect((await byDrizzle('c'))[0]!.n).toBe(3);
    await expect(
      db.transaction(async (tx) => {
        await tx.execute(insertRowsSql(probe, [{ id: 'e', n: 5, at: new Date() }]));
        await tx.execute(insertRowsSql(probe, [{ id: 'c', n: 6, at: new Date() }])); // duplicate key
      }),
    ).rejects.toThrow();
    expect(await byDrizzle('e')).toEqual([]);
  });
});

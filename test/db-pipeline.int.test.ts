import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { integer, pgTable, text } from 'drizzle-orm/pg-core';
import { inParallel, queryRows, sendAheadOfCommit, type Database, type Db } from '../src/db/client.js';
import { deferAnswer, insertNowOrDeferred, withDeferredWrites } from '../src/db/deferred-writes.js';
import { createTestDatabase, databaseKind } from './helpers/app.js';

/**
 * The connection wrapper of src/db/client.ts: on PostgreSQL BEGIN travels with the first statement and the last
 * statements of a transaction travel with COMMIT (pipeline mode). What must never change: a transaction commits all
 * or nothing, and a write is acknowledged only when it was committed. The same assertions run on PGlite, where the
 * statements are simply awaited one by one.
 */
const probe = pgTable('pipeline_probe', { id: integer('id').primaryKey(), note: text('note').notNull() });
let database: Database;
let drop: () => Promise<void>;
let db: Db;

beforeAll(async () => {
  ({ database, drop } = await createTestDatabase());
  db = database.db;
  await db.execute(sql`create table pipeline_probe (id int primary key, note text not null)`);
});
afterAll(async () => {
  await database.close();
  await drop();
});

const ids = async (): Promise<number[]> => (await queryRows<{ id: number }>(db, sql`select id from pipeline_probe order by id`)).map((r) => r.id);
const clear = () => db.execute(sql`delete from pipeline_probe`);

describe(`transactions on ${databaseKind}`, () => {
  it('commits the statements sent ahead of COMMIT together with the rest', async () => {
    await clear();
    await db.transaction(async (tx) => {
      await tx.execute(sql`insert into pipeline_probe values (1, 'first')`);
      await sendAheadOfCommit(tx as unknown as Db, [sql`insert into pipeline_probe values (2, 'ahead')`, sql`insert into pipeline_probe values (3, 'ahead')`]);
    });
    expect(await ids()).toEqual([1, 2, 3]);
  });

  it('fails the transaction, and writes nothing, when a statement sent ahead of COMMIT fails', async () => {
    await clear();
    await db.execute(sql`insert into pipeline_probe values (10, 'existing')`);
    const attempt = db.transaction(async (tx) => {
      await tx.execute(sql`insert into pipeline_probe values (11, 'step')`);
      await sendAheadOfCommit(tx as unknown as Db, [sql`insert into pipeline_probe values (12, 'ok')`, sql`insert into pipeline_probe values (10, 'duplicate key')`]);
      return 'acknowledged';
    });
    await expect(attempt).rejects.toThrow();
    expect(await ids()).toEqual([10]);
  });

  it('reports a failing first statement (sent together with BEGIN) and leaves the connection usable', async () => {
    await clear();
    for (let i = 0; i < 3; i++) {
      await expect(db.transaction(async (tx) => {
        await tx.execute(sql`insert into pipeline_probe values (20, null)`); // not null violated
      })).rejects.toThrow();
    }
    await db.transaction(async (tx) => {
      await tx.execute(sql`insert into pipeline_probe values (21, 'after the failures')`);
    });
    expect(await ids()).toEqual([21]);
  });

  it('rolls back a transaction that ended in code before any statement, and one that threw after writing', async () => {
    await clear();
    await expect(db.transaction(async () => {
      throw new Error('refused before writing');
    })).rejects.toThrow('refused before writing');
    await expect(db.transaction(async (tx) => {
      await tx.execute(sql`insert into pipeline_probe values (30, 'x')`);
      throw new Error('refused after writing');
    })).rejects.toThrow('refused after writing');
    expect(await ids()).toEqual([]);
    // The pool hands the same connections out again: nothing is left open on them.
    const statuses = await Promise.all(Array.from({ length: 8 }, () => queryRows<{ n: number }>(db, sql`select 1 as n`)));
    expect(statuses.every((r) => r[0]!.n === 1)).toBe(true);
  });

  it('keeps transactions apart under concurrency: 40 transfers between two rows keep the total', async () => {
    await clear();
    await db.execute(sql`insert into pipeline_probe values (40, '1000'), (41, '1000')`);
    await Promise.all(Array.from({ length: 40 }, (_, i) => db.transaction(async (tx) => {
      const [from, to] = i % 2 ? [40, 41] : [41, 40];
      await tx.execute(sql`select id from pipeline_probe where id in (40, 41) order by id for update`);
      await tx.execute(sql`update pipeline_probe set note = (note::int - 7)::text where id = ${from}`);
      await sendAheadOfCommit(tx as unknown as Db, [sql`update pipeline_probe set note = (note::int + 7)::text where id = ${to}`]);
    })));
    const [row] = await queryRows<{ total: number }>(db, sql`select sum(note::int)::int as total from pipeline_probe`);
    expect(row!.total).toBe(2000);
  });

  it('sends deferred appends once, with the answer read by the same statement after the transaction\'s writes', async () => {
    await clear();
    let answer: Promise<{ n: number; notes: string }[]> | null = null;
    await db.transaction((tx) => withDeferredWrites(tx as unknown as Db, async () => {
      const t = tx as unknown as Db;
      await t.execute(sql`insert into pipeline_probe values (60, 'direct')`);
      await insertNowOrDeferred(t, probe, [{ id: 61, note: 'deferred' }]);
      await insertNowOrDeferred(t, probe, [{ id: 62, note: 'deferred' }]);
      // The final SELECT of the deferring statement: sees row 60 (an earlier statement), not 61/62 (the same statement).
      answer = deferAnswer(t, sql`select count(*)::int as n, string_agg(note, ',' order by id) as notes from pipeline_probe`);
    }));
    expect(await answer!).toEqual([{ n: 1, notes: 'direct' }]);
    expect(await ids()).toEqual([60, 61, 62]);
  });

  it('rejects the answer, and writes nothing, when the transaction fails after asking for it', async () => {
    await clear();
    let answer: Promise<unknown[]> | null = null;
    await expect(db.transaction((tx) => withDeferredWrites(tx as unknown as Db, async () => {
      const t = tx as unknown as Db;
      await insertNowOrDeferred(t, probe, [{ id: 70, note: 'deferred' }]);
      answer = deferAnswer(t, sql`select 1 as one`);
      throw new Error('refused after asking');
    }))).rejects.toThrow('refused after asking');
    await expect(answer!).rejects.toThrow('refused after asking');
    expect(await ids()).toEqual([]);
  });

  it('runs independent pieces of a transaction together and answers in order', async () => {
    await clear();
    const answers = await db.transaction((tx) => {
      const t = tx as unknown as Db;
      return inParallel(
        t,
        () => t.execute(sql`insert into pipeline_probe values (80, 'a')`).then(() => 'inserted'),
        async () => (await queryRows<{ n: number }>(t, sql`select 41 + 1 as n`))[0]!.n,
        async () => {
          await t.execute(sql`insert into pipeline_probe values (81, 'b')`);
          await t.execute(sql`insert into pipeline_probe values (82, 'c')`);
          return 2;
        },
      );
    });
    expect(answers).toEqual(['inserted', 42, 2]);
    expect(await ids()).toEqual([80, 81, 82]);
  });

  it('waits for every piece before failing, throws the cause (not "transaction aborted"), and writes nothing', async () => {
    await clear();
    await db.execute(sql`insert into pipeline_probe values (90, 'existing')`);
    let secondFinished = false;
    const attempt = db.transaction((tx) => {
      const t = tx as unknown as Db;
      return inParallel(
        t,
        // A piece of several statements: without waiting for it, its later statements could run after the ROLLBACK.
        async () => {
          await t.execute(sql`insert into pipeline_probe values (91, 'first of a chain')`);
          await t.execute(sql`insert into pipeline_probe values (92, 'second of a chain')`).catch(() => undefined);
          await t.execute(sql`insert into pipeline_probe values (93, 'third of a chain')`).catch(() => undefined);
          secondFinished = true;
        },
        () => t.execute(sql`insert into pipeline_probe values (90, 'duplicate key')`),
      );
    });
    const error = (await attempt.then(() => null, (e: unknown) => e)) as (Error & { code?: string; cause?: { code?: string } }) | null;
    expect(error).not.toBeNull();
    expect(error!.code ?? error!.cause?.code).toBe('23505');
    expect(secondFinished).toBe(true);
    expect(await ids()).toEqual([90]);
  });

  it.skipIf(databaseKind !== 'postgres')('refuses to acknowledge a COMMIT that PostgreSQL turned into a rollback (an error swallowed in the transaction)', async () => {
    await clear();
    const attempt = db.transaction(async (tx) => {
      await tx.execute(sql`insert into pipeline_probe values (50, 'kept?')`);
      await tx.execute(sql`insert into pipeline_probe values (50, 'duplicate')`).catch(() => undefined); // swallowed: the transaction is aborted
    });
    const error = (await attempt.then(() => null, (e: unknown) => e)) as (Error & { cause?: Error }) | null;
    expect(error).not.toBeNull();
    expect(`${error!.message} ${error!.cause?.message ?? ''}`).toMatch(/rolled the transaction back/);
    expect(await ids()).toEqual([]);
  });
});

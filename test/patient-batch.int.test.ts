import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, inArray, isNotNull, notInArray, sql } from 'drizzle-orm';
import type { PatientInput } from '../src/contracts/patient.js';
import { auditEvents, organizations, patients } from '../src/db/schema/index.js';
import { composeResidentId, type RegistrationResult } from '../src/modules/patient/index.js';
import type { RequestContext } from '../src/shared/context.js';
import { AppError } from '../src/shared/errors.js';
import { createTestApp, databaseKind, DEMO_PASSWORD, type TestApp } from './helpers/app.js';

/**
 * `PatientService.registerMany` (imports) against `register`: one batch with every kind of row — good rows, a wrong
 * check digit, an ID number already registered, one new ID number twice, a similar pair with and without
 * confirmation, an organization outside the registrar's scope — checked row by row, in the database and in the audit
 * log, and against a second database where the same rows were registered one by one.
 */
let batchApp: TestApp;
let oneByOneApp: TestApp;

/** The township doctor: own center (own-facility) and the village clinics it supervises (supervising-facility). */
async function townshipCtx(t: TestApp): Promise<RequestContext> {
  return { actor: await t.services.identity.authenticate('township.doctor', DEMO_PASSWORD, t.clock.now()), clock: t.clock, channel: 'system' };
}

interface Fixture {
  ctx: RequestContext;
  centerId: string;
  villageId: string;
  outsideOrgId: string;
  existingOutside: typeof patients.$inferSelect;
  existingInside: typeof patients.$inferSelect;
  inputs: PatientInput[];
}

const newIds = {
  a: composeResidentId('350821', '1981-02-03', 901, 'male'),
  b: composeResidentId('350821', '1982-03-04', 902, 'female'),
  twice: composeResidentId('350821', '1983-04-05', 903, 'male'),
  outside: composeResidentId('350821', '1984-05-06', 905, 'female'),
  mismatch: composeResidentId('350821', '1985-06-07', 907, 'male'),
};
const badCheck = `${newIds.a.slice(0, 17)}${newIds.a[17] === '0' ? '1' : '0'}`;

/** The same batch on either database (the demo county is seeded identically). */
async function fixture(t: TestApp): Promise<Fixture> {
  const ctx = await townshipCtx(t);
  const scope = await t.services.identity.patientScope(ctx.actor, t.clock.now());
  const centerId = ctx.actor.organizationId!;
  const villageId = [...scope].find(([, basis]) => basis === 'supervising-facility')![0];
  const db = t.database.db;
  const [outside] = await db.select().from(organizations).where(notInArray(organizations.id, [...scope.keys()])).orderBy(organizations.id).limit(1);
  const [existingOutside] = await db.select().from(patients)
    .where(and(isNotNull(patients.idNumber), notInArray(patients.managingOrganizationId, [...scope.keys()]))).orderBy(patients.id).limit(1);
  const [existingInside] = await db.select().from(patients)
    .where(and(isNotNull(patients.idNumber), inArray(patients.managingOrganizationId, [...scope.keys()]))).orderBy(patients.id).limit(1);
  const row = (r: Partial<PatientInput> & { name: string }): PatientInput => ({ chronicConditions: [], confirmNotDuplicate: false, ...r });
  const inputs: PatientInput[] = [
    /* 0 */ row({ idNumber: newIds.a, name: '甘雨霖', phone: '13812340001' }),
    /* 1 */ row({ idNumber: newIds.b, name: '卜晓岚', managingOrganizationId: villageId, residenceDivisionCode: '350821', chronicConditions: ['i10', 'E11'] }),
    /* 2 */ row({ idNumber: badCheck, name: '校验错' }),
    /* 3 */ row({ idNumber: existingOutside!.idNumber!, name: '别处已登记' }),
    /* 4 */ row({ idNumber: existingInside!.idNumber!, name: '本辖区已登记' }),
    /* 5 */ row({ idNumber: newIds.twice, name: '两次号' }),
    /* 6 */ row({ idNumber: newIds.twice.toLowerCase(), name: '两次号', confirmNotDuplicate: true }),
    /* 7 */ row({ name: '柏秋菊', sex: 'female', birthDate: '1971-04-05', phone: '13912340007' }),
    /* 8 */ row({ name: '柏秋菊', sex: 'female', birthDate: '1971-04-05', phone: '13912340008' }),
    /* 9 */ row({ name: '柏秋菊', sex: 'female', birthDate: '1971-04-05', phone: '13912340008', confirmNotDuplicate: true }),
    /* 10 */ row({ name: '柏秋局', sex: 'female', birthDate: '1971-04-05', phone: '13912340010' }),
    /* 11 */ row({ idNumber: newIds.outside, name: '辖区外', managingOrganizationId: outside!.id }),
    /* 12 */ row({ name: '无此机构', sex: 'male', birthDate: '1990-01-01', managingOrganizationId: 'no-such-org' }),
    /* 13 */ row({ idNumber: newIds.mismatch, name: '日期不符', birthDate: '1985-06-08' }),
    /* 14 */ row({ name: '无此区划', sex: 'male', birthDate: '1990-01-02', residenceDivisionCode: '999999' }),
    /* 15 */ row({ name: existingOutside!.name, sex: existingOutside!.sex, birthDate: existingOutside!.birthDate }),
    /* 16 */ row({ idNumber: newIds.outside, name: '辖区外', managingOrganizationId: villageId }),
  ];
  return { ctx, centerId, villageId, outsideOrgId: outside!.id, existingOutside: existingOutside!, existingInside: existingInside!, inputs };
}

let batch: Fixture;
let results: RegistrationResult[];

beforeAll(async () => {
  [batchApp, oneByOneApp] = await Promise.all([createTestApp(), createTestApp()]);
  batch = await fixture(batchApp);
  results = await batchApp.services.patients.registerMany(batch.ctx, batch.inputs);
}, 180_000);

afterAll(async () => {
  await batchApp?.close();
  await oneByOneApp?.close();
});

const errorOf = (r: RegistrationResult | undefined): AppError => {
  if (!r || r.ok) throw new Error(`expected a refused row, got ${JSON.stringify(r)}`);
  return r.error;
};

describe(`registerMany on ${databaseKind}`, { timeout: 120_000 }, () => {
  it('answers every row in input order with the rules of register', () => {
    expect(results).toHaveLength(batch.inputs.length);
    expect(results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual([
      'ok', 'ok', 'invalid', 'duplicate', 'duplicate', 'ok', 'duplicate', 'ok', 'conflict', 'ok', 'conflict', 'forbidden', 'invalid', 'invalid', 'invalid', 'conflict', 'ok',
    ]);
    expect(results[0]).toEqual({ ok: true, patient: { id: expect.any(String), name: '甘雨霖' } });
    expect(errorOf(results[2])).toMatchObject({ path: 'idNumber', message: '身份证号码校验位错误，请核对后重新输入' });

    // Already registered: outside the registrar's scope the name is masked; inside it is shown.
    const outside = errorOf(results[3]);
    expect(outside).toMatchObject({ path: 'idNumber', detail: { existing: { id: batch.existingOutside.id, accessible: false } } });
    expect(outside.message).toContain('该身份证号码已登记');
    expect(outside.message).not.toContain(batch.existingOutside.name);
    expect(errorOf(results[4])).toMatchObject({ detail: { existing: { id: batch.existingInside.id, name: batch.existingInside.name, accessible: true } } });

    // The same new ID number twice (once in lower case): the second points at the first row's new patient.
    const twice = errorOf(results[6]);
    expect(twice.detail).toEqual({ existing: { id: (results[5] as { patient: { id: string } }).patient.id, name: '两次号', managingOrganizationName: expect.any(String), accessible: true } });

    // Similar people: row 8 is refused because of row 7; confirmed, row 9 registers; row 10 (a one-character slip)
    // is then refused because of rows 7 and 9.
    const similar = errorOf(results[8]);
    expect(similar.message).toContain('可能重复登记：已有 1 位');
    expect(similar.detail).toEqual({
      suggestions: [{ id: (results[7] as { patient: { id: string } }).patient.id, name: '柏秋菊', birthDate: '1971-04-05', phone: '13912340007', managingOrganizationName: expect.any(String), reasons: ['出生日期相同', '姓名相同'] }],
    });
    const slip = errorOf(results[10]).detail as { suggestions: { id: string; reasons: string[] }[] };
    expect(slip.suggestions.map((s) => s.id)).toEqual([(results[7] as { patient: { id: string } }).patient.id, (results[9] as { patient: { id: string } }).patient.id]);
    expect(slip.suggestions[1]!.reasons).toEqual(['出生日期相同', '姓名相近']);

    expect(errorOf(results[11])).toMatchObject({ code: 'forbidden', message: '无权为该机构登记患者' });
    expect(errorOf(results[12])).toMatchObject({ path: 'managingOrganizationId', message: '机构 no-such-org 不存在' });
    expect(errorOf(results[13])).toMatchObject({ path: 'birthDate' });
    expect(errorOf(results[14])).toMatchObject({ path: 'residenceDivisionCode', message: '居住地行政区划代码 999999 不存在' });
    // Similar to a resident of another facility: suggested, masked.
    const masked = (errorOf(results[15]).detail as { suggestions: { id: string; name: string }[] }).suggestions;
    expect(masked.map((s) => s.id)).toContain(batch.existingOutside.id);
    expect(masked.find((s) => s.id === batch.existingOutside.id)!.name).not.toBe(batch.existingOutside.name);
    // The row refused as out of scope registered nobody: the same ID number for a supervised clinic goes through.
    expect(results[16]).toMatchObject({ ok: true });
  });

  it('writes exactly the registered rows, with the checked fields', async () => {
    const db = batchApp.database.db;
    const written = await db.select().from(patients).where(eq(patients.createdBy, 'township.doctor'));
    const okIds = results.flatMap((r) => (r.ok ? [r.patient.id] : []));
    expect(written.map((p) => p.id).sort()).toEqual([...okIds].sort());
    const b = written.find((p) => p.idNumber === newIds.b)!;
    expect(b).toMatchObject({
      name: '卜晓岚', sex: 'female', birthDate: '1982-03-04', managingOrganizationId: batch.villageId, residenceDivisionCode: '350821', countyCode: '350821',
      chronicConditions: ['I10', 'E11'], version: 1, createdAt: batchApp.clock.now(),
    });
    expect(written.find((p) => p.idNumber === newIds.a)!.managingOrganizationId).toBe(batch.centerId);
    expect(written.filter((p) => p.idNumber === newIds.twice)).toHaveLength(1);
    expect(written.filter((p) => p.name === '柏秋菊')).toHaveLength(2);
    const refusedNames = ['校验错', '别处已登记', '本辖区已登记', '无此机构', '日期不符', '无此区划'];
    expect((await db.select().from(patients).where(inArray(patients.name, refusedNames)))).toEqual([]);
  });

  it('audits each registration with its basis, and the denied one', async () => {
    const rows = await batchApp.database.db.select().from(auditEvents).where(and(eq(auditEvents.actorUsername, 'township.doctor'), eq(auditEvents.action, 'create')));
    const allowed = rows.filter((a) => a.outcome === 'allowed');
    const okRows = results.flatMap((r, i) => (r.ok ? [{ id: r.patient.id, input: batch.inputs[i]! }] : []));
    expect(allowed.map((a) => a.patientId).sort()).toEqual(okRows.map((r) => r.id).sort());
    for (const r of okRows) {
      const a = allowed.find((x) => x.patientId === r.id)!;
      expect(a).toMatchObject({ resourceType: 'Patient', resourceId: r.id, channel: 'system', organizationId: batch.centerId });
      expect(a.basis).toBe(r.input.managingOrganizationId === batch.villageId ? 'supervising-facility' : 'own-facility');
    }
    const denied = rows.filter((a) => a.outcome === 'denied');
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatchObject({ basis: 'none', patientId: null, detail: { managingOrganizationId: batch.outsideOrgId } });
  });

  it('gives the outcomes, rows and audit rows of registering the same rows one by one', async () => {
    const seq = await fixture(oneByOneApp);
    expect(seq.inputs).toEqual(batch.inputs);
    const oneByOne: RegistrationResult[] = [];
    for (const input of seq.inputs) {
      // One after another, as a registrar would: each registration a moment after the one before.
      oneByOneApp.clock.advance(1000);
      try {
        const p = await oneByOneApp.services.patients.register(seq.ctx, input);
        oneByOne.push({ ok: true, patient: { id: p.id, name: p.name } });
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        oneByOne.push({ ok: false, error: e });
      }
    }
    // New patients get new ids: name them by the row that created them.
    const normaliser = (rs: RegistrationResult[]) => {
      const byId = new Map(rs.flatMap((r, i) => (r.ok ? [[r.patient.id, `row ${i}`] as const] : [])));
      const text = (v: unknown) => JSON.parse(JSON.stringify(v ?? null, (_k, x: unknown) => (typeof x === 'string' && byId.has(x) ? byId.get(x) : x))) as unknown;
      return {
        outcome: (r: RegistrationResult) => (r.ok ? { ok: true, patient: text(r.patient) } : { ok: false, code: r.error.code, message: r.error.message, path: r.error.path, detail: text(r.error.detail) }),
        text,
      };
    };
    const nb = normaliser(results);
    const ns = normaliser(oneByOne);
    expect(oneByOne.map(ns.outcome)).toEqual(results.map(nb.outcome));

    const state = async (t: TestApp, n: ReturnType<typeof normaliser>) => {
      const ps = await t.database.db.select().from(patients).where(eq(patients.createdBy, 'township.doctor'));
      const audit = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.actorUsername, 'township.doctor'), eq(auditEvents.action, 'create')));
      return {
        patients: ps.map(({ id, createdAt: _c, updatedAt: _u, ...p }) => ({ ...p, id: n.text(id) })).sort((x, y) => String(x.id).localeCompare(String(y.id))),
        audit: audit
          .map(({ id: _id, at: _at, patientId, resourceId, ...a }) => ({ ...a, patientId: n.text(patientId), resourceId: n.text(resourceId) }))
          .sort((x, y) => String(x.patientId).localeCompare(String(y.patientId))),
      };
    };
    expect(await state(oneByOneApp, ns)).toEqual(await state(batchApp, nb));
  });

  it('registers an ID number once when batches race for it, and reports the loser as its duplicate', async () => {
    const ctx = await townshipCtx(batchApp);
    const ids = Array.from({ length: 40 }, (_, i) => composeResidentId('350821', '1992-07-08', 100 + i * 2, 'female'));
    const rowsOf = (slice: string[], tag: string) => slice.map((idNumber, i): PatientInput => ({ idNumber, name: `并发${tag}${i}`, chronicConditions: [], confirmNotDuplicate: true }));
    // Overlapping halves, in opposite orders, started together.
    const first = rowsOf(ids.slice(0, 30), 'A');
    const second = rowsOf(ids.slice(10).reverse(), 'B');
    const [ra, rb] = await Promise.all([
      batchApp.services.patients.registerMany(ctx, first),
      batchApp.services.patients.registerMany(ctx, second),
    ]);
    const stored = await batchApp.database.db.select({ id: patients.id, idNumber: patients.idNumber }).from(patients).where(inArray(patients.idNumber, ids));
    expect(stored).toHaveLength(ids.length);
    const winner = new Map(stored.map((s) => [s.idNumber!, s.id]));
    const all = [...first.map((r, i) => ({ r, out: ra[i]! })), ...second.map((r, i) => ({ r, out: rb[i]! }))];
    for (const id of ids) {
      const mine = all.filter((x) => x.r.idNumber === id);
      expect(mine.filter((x) => x.out.ok).map((x) => (x.out as { patient: { id: string } }).patient.id)).toEqual([winner.get(id)]);
      for (const x of mine.filter((m) => !m.out.ok)) expect(errorOf(x.out)).toMatchObject({ code: 'duplicate', detail: { existing: { id: winner.get(id) } } });
    }
  });

  it.skipIf(databaseKind !== 'postgres')('rolls back and retries a batch that lost a race, so the row reports the winner', async () => {
    const ctx = await townshipCtx(batchApp);
    const db = batchApp.database.db;
    const contested = composeResidentId('350821', '1993-08-09', 300, 'male');
    const free = composeResidentId('350821', '1993-08-10', 302, 'male');
    const inputs: PatientInput[] = [
      { idNumber: free, name: '未争夺', chronicConditions: [], confirmNotDuplicate: false },
      { idNumber: contested, name: '被抢先', chronicConditions: [], confirmNotDuplicate: false },
    ];
    let pending: Promise<RegistrationResult[]> | null = null;
    // Another registration of the contested number holds its insert uncommitted while the batch checks and inserts.
    await db.transaction(async (tx) => {
      await tx.insert(patients).values({ id: 'race-winner', idNumber: contested, name: '先登记', sex: 'male', birthDate: '1993-08-09', managingOrganizationId: ctx.actor.organizationId! });
      pending = batchApp.services.patients.registerMany(ctx, inputs);
      // Wait until the batch's insert is blocked on the winner's uncommitted row, then commit.
      for (let i = 0; i < 200; i++) {
        const waiting = await db.execute(sql`select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`);
        if ((waiting as unknown as { rows: unknown[] }).rows.length > 0) return;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error('the batch never waited for the uncommitted registration');
    });
    const out = await pending!;
    expect(out[0]).toMatchObject({ ok: true });
    expect(errorOf(out[1])).toMatchObject({ code: 'duplicate', detail: { existing: { id: 'race-winner', name: '先登记' } } });
    const stored = await db.select({ id: patients.id }).from(patients).where(inArray(patients.idNumber, [contested, free]));
    expect(stored).toHaveLength(2);
    // The rolled-back attempt left no audit row behind: one create for the one registration.
    const audit = await db.select().from(auditEvents).where(eq(auditEvents.patientId, (out[0] as { patient: { id: string } }).patient.id));
    expect(audit).toHaveLength(1);
  });
});

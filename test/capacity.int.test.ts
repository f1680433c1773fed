import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, count, eq, inArray, sql } from 'drizzle-orm';
import {
  alliances, appointments, bedPoolDays, bedReservations, departments, organizations, patients, referrals, schedules, slots,
} from '../src/db/schema/index.js';
import { AppError } from '../src/shared/errors.js';
import { newId } from '../src/shared/ids.js';
import type { Db } from '../src/db/client.js';
import { createTestApp, databaseKind, type TestApp } from './helpers/app.js';

/**
 * Reserved capacity (号源/床位预留). The clock starts at 2026-11-22T02:00Z = Sunday 10:00 in Asia/Shanghai. The demo
 * seed holds 25 % of 长汀县总医院's clinic slots for the county community (released 24 h before), and
 * referral.desk / alliance.admin work at 长汀县总医院. 河田 is a member of the county community; 龙岩市第一医院 is not.
 */
let t: TestApp;
let db: Db;
let county: string;
let city: string;
let hetian: string;
let countyCommunity: string;
let nk: string;
let wk: string;
let patientId: string;
const START = '2026-11-22T02:00:00Z';
const HOUR = 3_600_000;

const orgId = async (name: string) => {
  const [o] = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.name, name));
  if (!o) throw new Error(`no organization ${name}`);
  return o.id;
};
const deptId = async (org: string, code: string) => {
  const [d] = await db.select({ id: departments.id }).from(departments).where(and(eq(departments.organizationId, org), eq(departments.code, code)));
  return d!.id;
};

let referralSeq = 0;
/** Minimal accepted referrals, inserted directly (the referral service creates them properly). */
async function makeReferrals(n: number, origin: string, destination: string): Promise<string[]> {
  const now = new Date(START);
  const rows = Array.from({ length: n }, () => {
    referralSeq++;
    return {
      id: newId(), number: `TEST-${String(referralSeq).padStart(6, '0')}`, direction: 'up' as const, status: 'accepted' as const, urgency: 'routine' as const,
      patientId, originOrganizationId: origin, requesterName: '测试医生', destinationOrganizationId: destination, diagnosisCode: 'I10',
      diagnosisName: '原发性高血压', reason: '血压控制不佳', clinicalSummary: '测试', createdAt: now, updatedAt: now,
    };
  });
  for (let i = 0; i < rows.length; i += 100) await db.insert(referrals).values(rows.slice(i, i + 100));
  return rows.map((r) => r.id);
}

const party = (referralId: string, origin: string, allianceIds: string[], at = new Date(START)) => ({
  referralId, patientId, originOrganizationId: origin, allianceIds, destinationOrganizationId: county, at, actorName: '转诊服务中心',
});

async function expectAppError(p: Promise<unknown>, code: string, message?: string | RegExp) {
  const e = await p.then(() => null, (err: unknown) => err);
  expect(e).toBeInstanceOf(AppError);
  expect((e as AppError).code).toBe(code);
  if (message) expect((e as AppError).message).toMatch(message);
}

beforeAll(async () => {
  t = await createTestApp({ residents: 50, now: START });
  db = t.database.db;
  county = await orgId('长汀县总医院');
  city = await orgId('龙岩市第一医院');
  hetian = await orgId('长汀县河田镇中心卫生院');
  const [a] = await db.select({ id: alliances.id }).from(alliances).where(eq(alliances.identifier, 'CT-YGT-2019'));
  countyCommunity = a!.id;
  nk = await deptId(county, 'NK');
  wk = await deptId(county, 'WK');
  const [p] = await db.select({ id: patients.id }).from(patients).limit(1);
  patientId = p!.id;
});
afterAll(async () => {
  await t?.close();
});

describe(`reserved capacity on ${databaseKind}`, () => {
  it('the demo seed publishes slots with the share held and bed pools for the upper hospitals', async () => {
    const res = await t.as('county.specialist')({ url: `/api/v1/slots?organizationId=${county}&limit=500` });
    expect(res.statusCode).toBe(200);
    const list = res.json() as { reservedNow: boolean; reservedFor: string | null; start: string }[];
    expect(list.length).toBeGreaterThan(100);
    expect(list.every((s) => new Date(s.start).getTime() > new Date(START).getTime())).toBe(true);
    expect(list.some((s) => s.reservedNow && s.reservedFor === '长汀县总医院医共体')).toBe(true);
    const pools = await t.as('referral.desk')({ url: `/api/v1/bed-pools?organizationId=${county}&days=3` });
    expect(pools.statusCode).toBe(200);
    const nkPool = (pools.json() as { departmentName: string; days: { day: string; capacity: number; free: number }[] }[]).find((p) => p.departmentName === '内科');
    expect(nkPool?.days.map((d) => d.day)).toEqual(['2026-11-22', '2026-11-23', '2026-11-24']);
    expect(nkPool?.days[1]).toMatchObject({ capacity: 4, free: 4 });
  });

  it('publishes a schedule with the policy share held per day and release times', async () => {
    const desk = t.as('referral.desk');
    const created = await desk({ method: 'POST', url: '/api/v1/schedules', payload: { departmentId: nk, kind: 'outpatient', name: '高血压专病门诊' } });
    expect(created.statusCode).toBe(201);
    const schedule = created.json() as { id: string; organizationId: string; departmentName: string };
    expect(schedule).toMatchObject({ organizationId: county, departmentName: '内科' });
    // Monday and Tuesday, 08:00–12:00 in 30-minute slots: 8 a day; 25 % → 2 held each day.
    const body = { from: '2026-11-30', to: '2026-12-01', sessions: [[480, 720]], slotMinutes: 30 };
    const pub = await desk({ method: 'POST', url: `/api/v1/schedules/${schedule.id}/slots`, payload: body });
    expect(pub.statusCode).toBe(201);
    expect(pub.json()).toMatchObject({ created: 16, reserved: 4, skipped: 0 });
    const rows = await db.select().from(slots).where(eq(slots.scheduleId, schedule.id)).orderBy(slots.start);
    expect(rows).toHaveLength(16);
    expect(rows[0]!.start.toISOString()).toBe('2026-11-30T00:00:00.000Z');
    const held = rows.filter((r) => r.reserved === 1);
    expect(held.map((r) => r.start.toISOString())).toEqual([
      '2026-11-30T01:00:00.000Z', '2026-11-30T03:00:00.000Z', '2026-12-01T01:00:00.000Z', '2026-12-01T03:00:00.000Z',
    ]);
    for (const r of held) {
      expect(r.reservedForAllianceId).toBe(countyCommunity);
      expect(r.releaseAt!.getTime()).toBe(r.start.getTime() - 24 * HOUR);
    }
    // Publishing again creates nothing; an overlapping pattern creates only what does not overlap.
    expect((await desk({ method: 'POST', url: `/api/v1/schedules/${schedule.id}/slots`, payload: body })).json()).toMatchObject({ created: 0, skipped: 16 });
    const wider = await desk({ method: 'POST', url: `/api/v1/schedules/${schedule.id}/slots`, payload: { ...body, sessions: [[420, 780]], slotMinutes: 60 } });
    expect(wider.json()).toMatchObject({ created: 4, skipped: 8 }); // 07:00 and 12:00 on each day
    const bad = await desk({ method: 'POST', url: `/api/v1/schedules/${schedule.id}/slots`, payload: { ...body, from: '2026-11-01' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('之前的号源');
    const overlap = await desk({ method: 'POST', url: `/api/v1/schedules/${schedule.id}/slots`, payload: { ...body, sessions: [[480, 720], [700, 800]] } });
    expect(overlap.statusCode).toBe(400);
    expect(overlap.json().message).toContain('重叠');
  });

  it('a department policy for one member facility beats the alliance-wide one', async () => {
    const admin = t.as('alliance.admin');
    const policy = await admin({
      method: 'POST', url: '/api/v1/capacity-policies',
      payload: { departmentId: wk, kind: 'outpatient', memberOrganizationId: hetian, referralShare: 0.5, releaseHoursBefore: 2 },
    });
    expect(policy.statusCode).toBe(201);
    expect(policy.json()).toMatchObject({ organizationId: county, departmentId: wk, memberOrganizationId: hetian, referralShare: 0.5 });
    const both = await admin({ method: 'POST', url: '/api/v1/capacity-policies', payload: { kind: 'exam', allianceId: countyCommunity, memberOrganizationId: hetian, referralShare: 0.1, releaseHoursBefore: 2 } });
    expect(both.statusCode).toBe(400);
    const schedule = (await admin({ method: 'POST', url: '/api/v1/schedules', payload: { departmentId: wk, kind: 'outpatient', name: '疝气专病门诊' } })).json() as { id: string };
    const pub = await admin({ method: 'POST', url: `/api/v1/schedules/${schedule.id}/slots`, payload: { from: '2026-11-30', to: '2026-11-30', sessions: [[480, 720]], slotMinutes: 30 } });
    expect(pub.json()).toMatchObject({ created: 8, reserved: 4, policyId: policy.json().id });
    const held = await db.select().from(slots).where(and(eq(slots.scheduleId, schedule.id), eq(slots.reserved, 1)));
    expect(held.every((s) => s.reservedForOrganizationId === hetian && s.reservedForAllianceId === null)).toBe(true);
    const listed = await admin({ url: `/api/v1/capacity-policies?organizationId=${county}` });
    expect((listed.json() as { id: string }[]).some((p) => p.id === policy.json().id)).toBe(true);
  });

  it('only the facility’s referral desk, alliance admins or a system admin manage its capacity', async () => {
    const payload = { departmentId: nk, kind: 'outpatient', name: '测试门诊' };
    for (const user of ['township.doctor', 'county.specialist', 'village.doctor']) {
      const res = await t.as(user)({ method: 'POST', url: '/api/v1/schedules', payload });
      expect(res.statusCode, user).toBe(403);
      expect(res.json().message).toContain('长汀县总医院');
    }
    const [someSchedule] = await db.select({ id: schedules.id }).from(schedules).where(eq(schedules.organizationId, county)).limit(1);
    const publish = await t.as('township.doctor')({ method: 'POST', url: `/api/v1/schedules/${someSchedule!.id}/slots`, payload: { from: '2026-12-07', to: '2026-12-07', sessions: [[480, 720]], slotMinutes: 30 } });
    expect(publish.statusCode).toBe(403);
    expect(await db.select({ n: count() }).from(slots).where(and(eq(slots.scheduleId, someSchedule!.id), sql`${slots.start} >= '2026-12-06T16:00:00Z'`))).toEqual([{ n: 0 }]);
    // Horizontal: the county hospital's desk cannot manage the city hospital's capacity.
    const cityDept = await deptId(city, 'XNK');
    expect((await t.as('referral.desk')({ method: 'POST', url: '/api/v1/schedules', payload: { ...payload, departmentId: cityDept } })).statusCode).toBe(403);
    expect((await t.as('alliance.admin')({ method: 'POST', url: '/api/v1/bed-pools', payload: { departmentId: cityDept, name: 'x', reservedBeds: 1 } })).statusCode).toBe(403);
    expect((await t.as('township.doctor')({ method: 'POST', url: '/api/v1/capacity-policies', payload: { organizationId: county, kind: 'outpatient', referralShare: 0.9, releaseHoursBefore: 1 } })).statusCode).toBe(403);
    expect((await t.as('admin')({ method: 'POST', url: '/api/v1/schedules', payload: { ...payload, departmentId: cityDept } })).statusCode).toBe(201);
    // Reading is open: senders choose slots from it.
    expect((await t.as('township.doctor')({ url: `/api/v1/schedules?organizationId=${county}` })).statusCode).toBe(200);
    expect((await t.as('county.specialist')({ url: `/api/v1/slots?organizationId=${county}` })).statusCode).toBe(200);
  });

  it('reservedNow flips when the clock passes releaseAt', async () => {
    const [slot] = await db.select().from(slots)
      .where(and(eq(slots.organizationId, county), eq(slots.reserved, 1), sql`${slots.start} > '2026-11-25T00:00:00Z'`)).orderBy(slots.start).limit(1);
    // Through the service: a bearer token issued at START would have expired by the time the clock reaches releaseAt.
    const ctx = { actor: { userId: 'test', username: 'test', organizationId: county, roles: ['referral-desk' as const] }, clock: t.clock, channel: 'api' as const };
    const read = async () =>
      (await t.services.capacity.listSlots(ctx, { organizationId: county, scheduleId: slot!.scheduleId, from: slot!.start.toISOString(), to: slot!.end.toISOString(), limit: 10 })).find((s) => s.id === slot!.id)!;
    try {
      t.clock.set(new Date(slot!.releaseAt!.getTime() - 1));
      expect(await read()).toMatchObject({ reservedNow: true, releaseAt: slot!.releaseAt!.toISOString() });
      t.clock.set(slot!.releaseAt!);
      expect((await read()).reservedNow).toBe(false);
    } finally {
      t.clock.set(START);
    }
  });

  it('lists for a referral only the slots it may book', async () => {
    const [fromHetian] = await makeReferrals(1, hetian, county);
    const [fromCity] = await makeReferrals(1, city, county);
    const forRef = async (id: string) =>
      (await t.as('referral.desk')({ url: `/api/v1/slots?forReferralId=${id}&from=2026-11-26&to=2026-11-26&limit=500` })).json() as { reservedNow: boolean; reservedFor: string | null; status: string; organizationId: string }[];
    const member = await forRef(fromHetian!);
    const outsider = await forRef(fromCity!);
    expect(member.some((s) => s.reservedNow && s.reservedFor === '长汀县总医院医共体')).toBe(true);
    expect(outsider.some((s) => s.reservedNow)).toBe(false);
    expect(outsider.length).toBeGreaterThan(0);
    expect(member.length).toBeGreaterThan(outsider.length);
    expect([...member, ...outsider].every((s) => s.status === 'free' && s.organizationId === county)).toBe(true);
    // Someone with no part in the referral may not use it to probe.
    expect((await t.as('village.doctor')({ url: `/api/v1/slots?forReferralId=${fromHetian}` })).statusCode).toBe(403);
  });

  it('books a reserved slot atomically inside the caller’s transaction, with clear refusals', async () => {
    const { capacity } = t.services;
    const [slot] = await db.select().from(slots)
      .where(and(eq(slots.organizationId, county), eq(slots.reserved, 1), eq(slots.reservedForAllianceId, countyCommunity), eq(slots.status, 'free'), sql`${slots.start} > '2026-11-26T00:00:00Z'`))
      .orderBy(slots.start).limit(1);
    const [r1, r2, outsider] = [...(await makeReferrals(2, hetian, county)), ...(await makeReferrals(1, city, county))];
    // Held for the county community: an outsider is refused before release.
    await expectAppError(db.transaction((tx) => capacity.bookSlotInTx(tx as unknown as Db, { ...party(outsider!, city, []), slotId: slot!.id })), 'forbidden', /长汀县总医院医共体预留.*后开放预约/);
    const booked = await db.transaction((tx) => capacity.bookSlotInTx(tx as unknown as Db, { ...party(r1!, hetian, [countyCommunity]), slotId: slot!.id }));
    expect(booked).toMatchObject({ slotId: slot!.id, departmentId: slot!.departmentId });
    expect(booked.start.toISOString()).toBe(slot!.start.toISOString());
    const [after] = await db.select().from(slots).where(eq(slots.id, slot!.id));
    expect(after).toMatchObject({ status: 'busy', version: slot!.version + 1 });
    await expectAppError(db.transaction((tx) => capacity.bookSlotInTx(tx as unknown as Db, { ...party(r2!, hetian, [countyCommunity]), slotId: slot!.id })), 'conflict', '该号源已被预约，请选择其他号源');
    await expectAppError(db.transaction((tx) => capacity.bookSlotInTx(tx as unknown as Db, { ...party(r2!, hetian, [countyCommunity]), slotId: 'no-such-slot' })), 'not_found');
    const [citySlot] = await db.select().from(slots).where(and(eq(slots.organizationId, city), eq(slots.status, 'free'), sql`${slots.start} > now()`)).limit(1);
    await expectAppError(db.transaction((tx) => capacity.bookSlotInTx(tx as unknown as Db, { ...party(r2!, hetian, [countyCommunity]), slotId: citySlot!.id })), 'invalid', '不属于');
    // One live booking per referral.
    const [other] = await db.select().from(slots).where(and(eq(slots.organizationId, county), eq(slots.reserved, 0), eq(slots.status, 'free'), sql`${slots.start} > '2026-11-26T00:00:00Z'`)).limit(1);
    await expectAppError(db.transaction((tx) => capacity.bookSlotInTx(tx as unknown as Db, { ...party(r1!, hetian, [countyCommunity]), slotId: other!.id })), 'conflict', '已预约');
    expect((await db.select().from(slots).where(eq(slots.id, other!.id)))[0]!.status).toBe('free');
    // After release the outsider may book a held slot (general booking).
    const [held2] = await db.select().from(slots)
      .where(and(eq(slots.organizationId, county), eq(slots.reserved, 1), eq(slots.status, 'free'), sql`${slots.start} > '2026-11-26T00:00:00Z'`)).orderBy(slots.start).limit(1);
    const released = await db.transaction((tx) => capacity.bookSlotInTx(tx as unknown as Db, { ...party(outsider!, city, [], held2!.releaseAt!), slotId: held2!.id }));
    expect(released.slotId).toBe(held2!.id);
    // Cancelling frees the slot for the next referral.
    const cancelled = await db.transaction((tx) => capacity.cancelAppointmentInTx(tx as unknown as Db, { referralId: r1!, at: new Date(START), reason: '患者改期' }));
    expect(cancelled).toMatchObject({ slotId: slot!.id });
    expect((await db.select().from(slots).where(eq(slots.id, slot!.id)))[0]!.status).toBe('free');
    expect((await db.select().from(appointments).where(eq(appointments.referralId, r1!)))[0]).toMatchObject({ status: 'cancelled', cancelReason: '患者改期' });
    await db.transaction((tx) => capacity.bookSlotInTx(tx as unknown as Db, { ...party(r2!, hetian, [countyCommunity]), slotId: slot!.id }));
  });

  it('a failure after booking leaves nothing behind', async () => {
    const { capacity } = t.services;
    const [slot] = await db.select().from(slots).where(and(eq(slots.organizationId, county), eq(slots.status, 'free'), sql`${slots.start} > '2026-11-27T00:00:00Z'`)).limit(1);
    const [r] = await makeReferrals(1, hetian, county);
    await expect(db.transaction(async (tx) => {
      await capacity.bookSlotInTx(tx as unknown as Db, { ...party(r!, hetian, [countyCommunity]), slotId: slot!.id });
      throw new Error('the referral update failed');
    })).rejects.toThrow('the referral update failed');
    expect((await db.select().from(slots).where(eq(slots.id, slot!.id)))[0]).toMatchObject({ status: 'free', version: slot!.version });
    expect(await db.select().from(appointments).where(eq(appointments.referralId, r!))).toEqual([]);
  });

  it('books reserved beds per day up to capacity and issues admission notices', async () => {
    const { capacity } = t.services;
    const desk = t.as('referral.desk');
    const created = await desk({ method: 'POST', url: '/api/v1/bed-pools', payload: { departmentId: nk, name: '内科转诊床位（测试）', reservedBeds: 2, reservedForAllianceId: countyCommunity, releaseHoursBefore: 12 } });
    expect(created.statusCode).toBe(201);
    const pool = created.json() as { id: string; reservedFor: string; days: unknown[] };
    expect(pool.reservedFor).toBe('长汀县总医院医共体');
    const day = '2026-11-25';
    const refs = await makeReferrals(3, hetian, county);
    const [outsider] = await makeReferrals(1, city, county);
    const book = (referralId: string, origin = hetian, allianceIds = [countyCommunity], at = new Date(START)) =>
      db.transaction((tx) => capacity.bookBedInTx(tx as unknown as Db, { ...party(referralId, origin, allianceIds, at), bedPoolId: pool.id, day }));
    const first = await book(refs[0]!);
    expect(first).toMatchObject({ day, departmentName: '内科' });
    expect(first.admissionNoticeNumber).toMatch(/^RY20261122\d{6}$/);
    const second = await book(refs[1]!);
    expect(second.admissionNoticeNumber).not.toBe(first.admissionNoticeNumber);
    await expectAppError(book(refs[2]!), 'conflict', '该日预留床位已满');
    await expectAppError(book(outsider!, city, []), 'forbidden', '长汀县总医院医共体预留');
    await expectAppError(db.transaction((tx) => capacity.bookBedInTx(tx as unknown as Db, { ...party(refs[2]!, hetian, [countyCommunity]), bedPoolId: pool.id, day: '2026-11-21' })), 'invalid', '入院日期');
    expect((await db.select().from(bedPoolDays).where(eq(bedPoolDays.bedPoolId, pool.id)))[0]).toMatchObject({ capacity: 2, held: 2 });
    const days = await desk({ url: `/api/v1/bed-pools/${pool.id}/days?from=2026-11-24&to=2026-11-25` });
    expect(days.json()).toEqual([
      { day: '2026-11-24', capacity: 2, held: 0, free: 2, releaseAt: '2026-11-23T04:00:00.000Z', reservedNow: true },
      { day: '2026-11-25', capacity: 2, held: 2, free: 0, releaseAt: '2026-11-24T04:00:00.000Z', reservedNow: true },
    ]);
    // Cancelling returns the bed; the next referral gets it.
    expect(await db.transaction((tx) => capacity.cancelBedInTx(tx as unknown as Db, { referralId: refs[0]!, at: new Date(START) }))).toMatchObject({ day });
    expect((await db.select().from(bedReservations).where(eq(bedReservations.referralId, refs[0]!)))[0]!.status).toBe('cancelled');
    await book(refs[2]!);
    expect((await db.select().from(bedPoolDays).where(eq(bedPoolDays.bedPoolId, pool.id)))[0]!.held).toBe(2);
  });

  it('a bed pool without a bed count takes it from the bed policy: round(share × ward beds)', async () => {
    const admin = t.as('alliance.admin');
    expect((await admin({ method: 'POST', url: '/api/v1/bed-pools', payload: { departmentId: wk, name: '外科转诊床位' } })).statusCode).toBe(400);
    expect((await admin({ method: 'POST', url: '/api/v1/capacity-policies', payload: { departmentId: wk, kind: 'bed', allianceId: countyCommunity, referralShare: 0.05, releaseHoursBefore: 6 } })).statusCode).toBe(201);
    const res = await admin({ method: 'POST', url: '/api/v1/bed-pools', payload: { departmentId: wk, name: '外科转诊床位' } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ reservedBeds: 4, reservedForAllianceId: countyCommunity, releaseHoursBefore: 6 }); // 70 beds × 5 % = 3.5 → 4
  });

  it('counts free reserved capacity per organization and says whether a referral can book anything', async () => {
    const { capacity } = t.services;
    const now = new Date(START);
    const from = now;
    const to = new Date(now.getTime() + 7 * 24 * HOUR);
    const free = await capacity.freeReservedCapacity(db, { organizationIds: [county, city], originOrganizationId: hetian, allianceIds: [countyCommunity], from, to, now });
    const c = free.find((f) => f.organizationId === county)!;
    expect(c.freeReservedSlots).toBeGreaterThan(10);
    expect(c.freeReservedBeds).toBeGreaterThan(10);
    const outsider = await capacity.freeReservedCapacity(db, { organizationIds: [county], originOrganizationId: city, allianceIds: [], from, to, now });
    expect(outsider).toEqual([{ organizationId: county, freeReservedSlots: 0, freeReservedBeds: 0 }]);
    // Far enough ahead nothing held for the county community is released yet.
    const later = { from: new Date(now.getTime() + 3 * 24 * HOUR), to: new Date(now.getTime() + 6 * 24 * HOUR), now };
    expect(await capacity.hasBookableCapacity(db, { destinationOrganizationId: county, originOrganizationId: hetian, allianceIds: [countyCommunity], ...later, kind: 'slot' })).toBe(true);
    expect(await capacity.hasBookableCapacity(db, { destinationOrganizationId: county, originOrganizationId: city, allianceIds: [], ...later, kind: 'slot' })).toBe(false);
    expect(await capacity.hasBookableCapacity(db, { destinationOrganizationId: county, originOrganizationId: city, allianceIds: [], ...later })).toBe(false);
    expect(await capacity.hasBookableCapacity(db, { destinationOrganizationId: county, originOrganizationId: city, allianceIds: [], ...later, reservedOnly: false })).toBe(true);
    expect(await capacity.hasBookableCapacity(db, { destinationOrganizationId: county, originOrganizationId: hetian, allianceIds: [countyCommunity], ...later, kind: 'bed' })).toBe(true);
  });
});

describe(`daily roll-forward on ${databaseKind}`, () => {
  it('publishes the next day for schedules with a template, once', async () => {
    const { capacity } = t.services;
    expect(await capacity.rollForward(new Date(START))).toMatchObject({ schedules: 24, created: 0 });
    const nextDay = new Date(new Date(START).getTime() + 24 * HOUR);
    const first = await capacity.rollForward(nextDay);
    expect(first.created).toBe(24 * 14); // 2026-12-07 is a Monday: 14 slots in each of the 24 demo schedules
    expect(first.reserved).toBeGreaterThan(0);
    expect((await capacity.rollForward(nextDay)).created).toBe(0);
  });
});

describe.runIf(databaseKind === 'postgres')('reserved capacity under concurrency (PostgreSQL)', () => {
  /** Starts every worker at once: each awaits the same promise, released after all are queued. */
  async function race<T>(n: number, work: (i: number) => Promise<T>) {
    let open!: () => void;
    const barrier = new Promise<void>((resolve) => (open = resolve));
    const workers = Array.from({ length: n }, (_, i) => barrier.then(() => work(i)));
    open();
    return Promise.allSettled(workers);
  }

  it('200 parallel bookings of 20 reserved slots: exactly 20 succeed, 180 get a clear refusal', async () => {
    const { capacity } = t.services;
    const held = await db.select({ id: slots.id }).from(slots)
      .where(and(eq(slots.organizationId, county), eq(slots.reserved, 1), eq(slots.reservedForAllianceId, countyCommunity), eq(slots.status, 'free'), sql`${slots.start} > '2026-11-28T00:00:00Z'`))
      .orderBy(slots.start).limit(20);
    expect(held).toHaveLength(20);
    const slotIds = held.map((s) => s.id);
    const refs = await makeReferrals(200, hetian, county);
    const results = await race(200, (i) =>
      db.transaction((tx) => capacity.bookSlotInTx(tx as unknown as Db, { ...party(refs[i]!, hetian, [countyCommunity]), slotId: slotIds[i % 20]! })),
    );
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(20);
    expect(refused).toHaveLength(180);
    for (const r of refused) {
      expect(r.reason).toBeInstanceOf(AppError);
      expect(r.reason).toMatchObject({ code: 'conflict', message: '该号源已被预约，请选择其他号源' });
    }
    expect(await db.select({ n: count() }).from(appointments).where(and(inArray(appointments.slotId, slotIds), eq(appointments.status, 'booked')))).toEqual([{ n: 20 }]);
    expect(await db.select({ n: count() }).from(slots).where(and(inArray(slots.id, slotIds), eq(slots.status, 'busy')))).toEqual([{ n: 20 }]);
    expect(await db.select({ n: count() }).from(appointments).where(inArray(appointments.referralId, refs))).toEqual([{ n: 20 }]);
  });

  it('N+5 parallel bookings of N reserved beds: exactly N succeed', async () => {
    const { capacity } = t.services;
    const N = 6;
    const pool = (await t.as('referral.desk')({ method: 'POST', url: '/api/v1/bed-pools', payload: { departmentId: nk, name: '并发测试床位', reservedBeds: N, reservedForAllianceId: countyCommunity } })).json() as { id: string };
    const refs = await makeReferrals(N + 5, hetian, county);
    const results = await race(N + 5, (i) =>
      db.transaction((tx) => capacity.bookBedInTx(tx as unknown as Db, { ...party(refs[i]!, hetian, [countyCommunity]), bedPoolId: pool.id, day: '2026-11-27' })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(N);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused).toHaveLength(5);
    for (const r of refused) expect(r.reason).toMatchObject({ code: 'conflict', message: expect.stringContaining('该日预留床位已满') });
    expect((await db.select().from(bedPoolDays).where(eq(bedPoolDays.bedPoolId, pool.id)))[0]).toMatchObject({ capacity: N, held: N });
    const notices = await db.select({ n: bedReservations.admissionNoticeNumber }).from(bedReservations).where(eq(bedReservations.bedPoolId, pool.id));
    expect(new Set(notices.map((x) => x.n)).size).toBe(N);
  });
});

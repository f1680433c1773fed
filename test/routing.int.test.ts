import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, isNull, or, sql } from 'drizzle-orm';
import { bedPoolDays, bedPools, departments, organizations, schedules, slots, users } from '../src/db/schema/index.js';
import { FREE_RESERVED_SLOTS_COUNTED_UP_TO, type RoutingResultDto } from '../src/contracts/referral.js';
import { createTestApp, databaseKind, type TestApp } from './helpers/app.js';

/**
 * Routing recommendation (转诊去向推荐) through the HTTP API on the demo county. village.doctor works at 上街村卫生室
 * under 河田镇 (supervised by 河田镇中心卫生院, which 长汀县总医院 supports). The test clock is 2026-11-22T02:00Z
 * (10:00 in Asia/Shanghai).
 */
let t: TestApp;
let clinicId: string;
let patientId: string;
const ids: Record<string, string> = {};

const orgId = async (name: string) => {
  const [o] = await t.database.db.select({ id: organizations.id }).from(organizations).where(eq(organizations.name, name));
  if (!o) throw new Error(`no organization ${name}`);
  return o.id;
};
const route = (as: string, params: Record<string, string>) =>
  t.as(as)({ url: `/api/v1/referral-routing?${new URLSearchParams(params).toString()}` });

beforeAll(async () => {
  t = await createTestApp({ residents: 60 });
  const [u] = await t.database.db.select({ org: users.organizationId }).from(users).where(eq(users.username, 'village.doctor'));
  clinicId = u!.org!;
  for (const name of ['长汀县总医院', '长汀县中医院', '长汀县河田镇中心卫生院', '龙岩市第一医院', '福建医科大学附属协和医院']) ids[name] = await orgId(name);
  const list = await t.as('village.doctor')({ url: `/api/v1/patients?organizationId=${clinicId}&pageSize=5` });
  expect(list.statusCode).toBe(200);
  patientId = (list.json() as { items: { id: string }[] }).items[0]!.id;
});
afterAll(async () => {
  await t?.close();
});

describe(`routing recommendation on ${databaseKind}`, () => {
  it('gives every organization of the demo county a site', async () => {
    const missing = await t.database.db
      .select({ name: organizations.name })
      .from(organizations)
      .where(or(isNull(organizations.latitude), isNull(organizations.longitude)));
    expect(missing).toEqual([]);
    const [clinic] = await t.database.db.select().from(organizations).where(eq(organizations.id, clinicId));
    expect(clinic!.name).toContain('上街村');
    // Inside 长汀县's extent (25°18′–26°02′ N, 116°00′–116°40′ E).
    expect(Number(clinic!.latitude)).toBeGreaterThan(25.3);
    expect(Number(clinic!.latitude)).toBeLessThan(26.05);
    expect(Number(clinic!.longitude)).toBeGreaterThan(116.0);
    expect(Number(clinic!.longitude)).toBeLessThan(116.7);
  });

  it('sends acute stroke from the village clinic to the county lead hospital, with the reasons shown', async () => {
    const res = await route('village.doctor', { patientId, diagnosisCode: 'I63.9', limit: '10' });
    expect(res.statusCode).toBe(200);
    const body = res.json() as RoutingResultDto;
    expect(body.inOwnCatalogue).toBe(false);
    const first = body.candidates[0]!;
    expect(first).toMatchObject({ name: '长汀县总医院', tier: 'county-hospital', coversDiagnosis: true, sameAlliance: true, supportPairing: true });
    expect(first.reasons).toEqual(expect.arrayContaining(['诊疗目录覆盖 I63.9（脑梗死）', '乡镇级诊疗目录未覆盖，建议上转县级', '本医共体牵头医院', '对口帮扶医院']));
    // 上街村 (河田镇) → the county seat: ≈20 km in a straight line, × 1.4 by road.
    expect(first.distanceKm).toBeGreaterThan(15);
    expect(first.distanceKm).toBeLessThan(50);
    expect(first.reasons.some((r) => /^距患者住址约 \d+ km$/.test(r))).toBe(true);
    expect(body.candidates.length).toBe(10);
    // Only facilities above a village clinic.
    expect(body.candidates.every((c) => c.tier !== 'village-clinic')).toBe(true);
  });

  it('keeps hypertension at the supervising township center and warns that it is in the clinic\'s own catalogue', async () => {
    const body = (await route('village.doctor', { patientId, diagnosisCode: 'I10' })).json() as RoutingResultDto;
    expect(body.inOwnCatalogue).toBe(true);
    expect(body.candidates[0]).toMatchObject({ name: '长汀县河田镇中心卫生院', supportPairing: true });
    expect(body.candidates[0]!.reasons).toContain('上级监管卫生院（乡村一体化）');
    expect(body.candidates[0]!.distanceKm).toBeLessThan(15);
    expect(body.candidates.length).toBe(5);
  });

  it('sends lung cancer, beyond the county catalogue, to the city hospital and then the regional center', async () => {
    const body = (await route('village.doctor', { patientId, diagnosisCode: 'C34.9', limit: '20' })).json() as RoutingResultDto;
    expect(body.inOwnCatalogue).toBe(false);
    expect(body.candidates.slice(0, 2).map((c) => c.name)).toEqual(['龙岩市第一医院', '福建医科大学附属协和医院']);
    expect(body.candidates[0]!.reasons).toContain('县级诊疗目录未覆盖，建议上转市级');
    // 河田 → 龙岩 ≈ 95 km straight, ≈ 130 km by the road factor; 福州 ≈ 300 km straight.
    expect(body.candidates[0]!.distanceKm).toBeGreaterThan(100);
    expect(body.candidates[0]!.distanceKm).toBeLessThan(220);
    expect(body.candidates[1]!.distanceKm).toBeGreaterThan(350);
    expect(body.candidates[1]!.distanceKm).toBeLessThan(600);
    const county = body.candidates.find((c) => c.name === '长汀县总医院')!;
    expect(county.coversDiagnosis).toBe(false);
  });

  it('gives an origin at the county tier only city and regional candidates', async () => {
    const res = await route('referral.desk', { patientId, diagnosisCode: 'I21.0', originOrganizationId: ids['长汀县总医院']! });
    expect(res.statusCode).toBe(200);
    const body = res.json() as RoutingResultDto;
    expect(body.inOwnCatalogue).toBe(true);
    expect(body.candidates.map((c) => c.tier).sort()).toEqual(['city-hospital', 'regional-medical-center']);
    expect(body.candidates[0]!.name).toBe('龙岩市第一医院');
    expect(body.candidates[0]!.reasons).toContain('对口帮扶医院');
  });

  it('lets the referral desk ask for a member facility, and refuses other origins', async () => {
    const desk = await route('referral.desk', { patientId, diagnosisCode: 'I63.9', originOrganizationId: clinicId });
    expect(desk.statusCode).toBe(200);
    expect((desk.json() as RoutingResultDto).candidates[0]!.name).toBe('长汀县总医院');
    const other = await route('village.doctor', { patientId, diagnosisCode: 'I63.9', originOrganizationId: ids['长汀县总医院']! });
    expect(other.statusCode).toBe(403);
    expect(other.json().message).toContain('本机构');
  });

  it('refuses a user who may not read the patient (403) and a malformed ICD-10 code (400)', async () => {
    const denied = await route('county.specialist', { patientId, diagnosisCode: 'I63.9' });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().message).toMatch(/[\u4e00-\u9fa5]/);
    const bad = await route('village.doctor', { patientId, diagnosisCode: 'stroke' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('ICD-10 编码格式错误');
    expect(bad.json().path).toBe('diagnosisCode');
  });

  it('counts free reserved slots and beds for the next 7 days that this origin may use', async () => {
    const tcm = ids['长汀县中医院']!;
    const before = (await route('township.doctor', { patientId, diagnosisCode: 'K35.8', limit: '20' })).json() as RoutingResultDto;
    const tcmBefore = before.candidates.find((c) => c.organizationId === tcm)!;
    expect(tcmBefore).toMatchObject({ freeReservedSlots: 0, freeReservedBeds: 0 });
    expect(tcmBefore.reasons).toContain('7日内暂无可用预留号源/床位');

    const db = t.database.db;
    const [dept] = await db.select().from(departments).where(and(eq(departments.organizationId, tcm), eq(departments.code, 'ZYWK')));
    const [other] = await db.select({ id: organizations.id }).from(organizations).where(eq(organizations.name, '长汀县古城镇中心卫生院'));
    await db.insert(schedules).values({ id: 'route-test-sched', organizationId: tcm, departmentId: dept!.id, kind: 'outpatient', name: '中医外科门诊', createdAt: new Date('2026-11-01T00:00:00Z') });
    const slot = (n: number, o: Partial<typeof slots.$inferInsert>) => ({
      id: `route-test-slot-${n}`, scheduleId: 'route-test-sched', organizationId: tcm, departmentId: dept!.id, kind: 'outpatient' as const,
      start: new Date(`2026-11-${23 + (n % 5)}T0${n}:00:00Z`), end: new Date(`2026-11-${23 + (n % 5)}T0${n}:30:00Z`), status: 'free' as const,
      reserved: 1, releaseAt: new Date('2026-11-22T23:00:00Z'), ...o,
    });
    await db.insert(slots).values([
      slot(1, {}), // counted
      slot(2, { reservedForOrganizationId: ids['长汀县河田镇中心卫生院']! }), // counted: held for this origin
      slot(3, { reservedForOrganizationId: other!.id }), // held for another facility
      slot(4, { releaseAt: new Date('2026-11-22T01:00:00Z') }), // already released
      slot(5, { status: 'busy' }), // booked
      slot(6, { reserved: 0 }), // not reserved
      slot(7, { start: new Date('2026-12-05T01:00:00Z'), end: new Date('2026-12-05T01:30:00Z'), releaseAt: new Date('2026-12-04T01:00:00Z') }), // beyond 7 days
    ]);
    await db.insert(bedPools).values({ id: 'route-test-pool', organizationId: tcm, departmentId: dept!.id, name: '中医外科转诊预留床位', reservedBeds: 3, releaseHoursBefore: 12, createdAt: new Date('2026-11-01T00:00:00Z') });
    // Every day of the week has something held, so the best day is 2 free beds (a missing day row would mean 3).
    await db.insert(bedPoolDays).values(
      ['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28'].map((day, i) => ({ bedPoolId: 'route-test-pool', day, capacity: 3, held: i === 2 ? 1 : 3 })),
    );
    // Today (11-22) has no row, but its reserved beds were released at 12:00 the day before: not counted.
    const mid = (await route('township.doctor', { patientId, diagnosisCode: 'K35.8', limit: '20' })).json() as RoutingResultDto;
    expect(mid.candidates.find((c) => c.organizationId === tcm)).toMatchObject({ freeReservedSlots: 2, freeReservedBeds: 2 });

    // Every day full (and 11-22 released): no free reserved bed.
    await db.update(bedPoolDays).set({ held: 3 }).where(eq(bedPoolDays.bedPoolId, 'route-test-pool'));
    const after = (await route('township.doctor', { patientId, diagnosisCode: 'K35.8', limit: '20' })).json() as RoutingResultDto;
    const tcmAfter = after.candidates.find((c) => c.organizationId === tcm)!;
    expect(tcmAfter).toMatchObject({ freeReservedSlots: 2, freeReservedBeds: 0 });
    expect(tcmAfter.reasons).toContain('预留号源 2 个');

    // A week of slots is counted up to FREE_RESERVED_SLOTS_COUNTED_UP_TO: 2 + 120 more free reserved slots show as "100+".
    await db.insert(slots).values(
      Array.from({ length: 120 }, (_, i) => ({
        ...slot(100 + i, {}),
        start: new Date(Date.UTC(2026, 10, 24, 0, 10 * i + 5)), end: new Date(Date.UTC(2026, 10, 24, 0, 10 * i + 10)),
      })),
    );
    const many = (await route('township.doctor', { patientId, diagnosisCode: 'K35.8', limit: '20' })).json() as RoutingResultDto;
    const tcmMany = many.candidates.find((c) => c.organizationId === tcm)!;
    expect(tcmMany.freeReservedSlots).toBe(FREE_RESERVED_SLOTS_COUNTED_UP_TO);
    expect(tcmMany.reasons).toContain(`预留号源 ${FREE_RESERVED_SLOTS_COUNTED_UP_TO}+ 个`);
    await db.delete(slots).where(and(eq(slots.scheduleId, 'route-test-sched'), sql`${slots.id} ~ '^route-test-slot-[0-9]{3}$'`));
  });

  it('lists common diagnoses by code prefix or name, at most 20', async () => {
    const res = await t.as('village.doctor')({ url: `/api/v1/diagnoses?q=${encodeURIComponent('脑梗')}` });
    expect(res.statusCode).toBe(200);
    expect((res.json() as { items: { code: string }[] }).items.map((d) => d.code)).toEqual(expect.arrayContaining(['I63', 'I63.9', 'I69.3']));
    const all = await t.as('village.doctor')({ url: '/api/v1/diagnoses' });
    expect((all.json() as { items: unknown[] }).items).toHaveLength(20);
  });
});

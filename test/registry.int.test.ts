import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { departments, organizations, practitionerRoles, practitioners, supportPairings } from '../src/db/schema/index.js';
import { createTestApp, databaseKind, type TestApp } from './helpers/app.js';

/**
 * Registry maintenance (科室, 人员, 派驻/巡回, 对口帮扶): who may write, what is refused, and what ends up stored.
 * alliance.admin works at 长汀县总医院, which leads the county community; 河田 and 古城 centers are its members,
 * 龙岩市第一医院 is not.
 */
let t: TestApp;
let hetian: string;
let gucheng: string;
let cityHospital: string;
let countyHospital: string;

const orgId = async (name: string) => {
  const [o] = await t.database.db.select({ id: organizations.id }).from(organizations).where(eq(organizations.name, name));
  if (!o) throw new Error(`no organization ${name}`);
  return o.id;
};

beforeAll(async () => {
  t = await createTestApp({ residents: 50 });
  hetian = await orgId('长汀县河田镇中心卫生院');
  gucheng = await orgId('长汀县古城镇中心卫生院');
  cityHospital = await orgId('龙岩市第一医院');
  countyHospital = await orgId('长汀县总医院');
});
afterAll(async () => {
  await t?.close();
});

const department = { code: 'QK01', name: '全科医学科', specialty: 'general-practice', beds: 10, isTcm: false };
const practitioner = (o: Record<string, unknown> = {}) => ({
  identifier: '135350821000001', name: '林晓东', sex: 'male', profession: 'physician', title: 'intermediate',
  specialty: '全科医学', homeOrganizationId: hetian, phone: '13800000001', practiceStartYear: 2015, ...o,
});

describe(`registry maintenance on ${databaseKind}`, () => {
  it('adds a department; refuses a duplicate code, bad input, and users who do not administer the facility', async () => {
    const admin = t.as('alliance.admin');
    const created = await admin({ method: 'POST', url: `/api/v1/organizations/${hetian}/departments`, payload: department });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ organizationId: hetian, code: 'QK01', name: '全科医学科', beds: 10, isTcm: false });
    const dup = await admin({ method: 'POST', url: `/api/v1/organizations/${hetian}/departments`, payload: { ...department, name: '另一个科室' } });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().message).toContain('QK01');
    const bad = await admin({ method: 'POST', url: `/api/v1/organizations/${hetian}/departments`, payload: { ...department, code: 'QK02', beds: -1 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('床位数不能为负');
    // The same code at another facility is fine: codes are unique per organization.
    expect((await admin({ method: 'POST', url: `/api/v1/organizations/${gucheng}/departments`, payload: department })).statusCode).toBe(201);
    const outside = await admin({ method: 'POST', url: `/api/v1/organizations/${cityHospital}/departments`, payload: department });
    expect(outside.statusCode).toBe(403);
    expect(outside.json().message).toMatch(/[\u4e00-\u9fa5]/);
    expect((await t.as('village.doctor')({ method: 'POST', url: `/api/v1/organizations/${hetian}/departments`, payload: { ...department, code: 'QK09' } })).statusCode).toBe(403);
    expect((await t.as('admin')({ method: 'POST', url: `/api/v1/organizations/${cityHospital}/departments`, payload: department })).statusCode).toBe(201);
    const stored = await t.database.db.select().from(departments).where(and(eq(departments.organizationId, hetian), eq(departments.code, 'QK01')));
    expect(stored).toHaveLength(1);
  });

  it('registers a practitioner with its home role from today, and edits it', async () => {
    const admin = t.as('alliance.admin');
    const [dept] = await t.database.db.select().from(departments).where(and(eq(departments.organizationId, hetian), eq(departments.code, 'QK01')));
    const res = await admin({ method: 'POST', url: '/api/v1/practitioners', payload: practitioner({ departmentId: dept!.id }) });
    expect(res.statusCode).toBe(201);
    const p = res.json();
    expect(p).toMatchObject({ identifier: '135350821000001', name: '林晓东', homeOrganizationId: hetian, departmentId: dept!.id, departmentName: '全科医学科', active: true });
    const roles = await t.database.db.select().from(practitionerRoles).where(eq(practitionerRoles.practitionerId, p.id));
    // The test clock stands at 2026-11-22T02:00Z = 10:00 in Asia/Shanghai.
    expect(roles).toEqual([expect.objectContaining({ organizationId: hetian, kind: 'home', validFrom: '2026-11-22', validTo: null, departmentId: dept!.id })]);

    const dup = await admin({ method: 'POST', url: '/api/v1/practitioners', payload: practitioner({ name: '林晓西' }) });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().message).toContain('135350821000001');

    // A department of another facility is refused, and nothing is written.
    const [foreignDept] = await t.database.db.select().from(departments).where(eq(departments.organizationId, gucheng));
    const wrongDept = await admin({ method: 'POST', url: '/api/v1/practitioners', payload: practitioner({ identifier: 'X-2', departmentId: foreignDept!.id }) });
    expect(wrongDept.statusCode).toBe(400);
    expect(wrongDept.json().path).toBe('departmentId');
    expect(await t.database.db.select().from(practitioners).where(eq(practitioners.identifier, 'X-2'))).toHaveLength(0);

    const invalid = await admin({ method: 'POST', url: '/api/v1/practitioners', payload: practitioner({ identifier: 'X-3', title: 'professor', name: '林' }) });
    expect(invalid.statusCode).toBe(400);

    expect((await admin({ method: 'POST', url: '/api/v1/practitioners', payload: practitioner({ identifier: 'X-4', homeOrganizationId: cityHospital }) })).statusCode).toBe(403);
    expect((await t.as('village.doctor')({ method: 'POST', url: '/api/v1/practitioners', payload: practitioner({ identifier: 'X-5' }) })).statusCode).toBe(403);

    const patched = await admin({ method: 'PATCH', url: `/api/v1/practitioners/${p.id}`, payload: { title: 'associate-senior', departmentId: null, phone: '13900000002', active: false } });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ title: 'associate-senior', departmentId: null, phone: '13900000002', active: false });
    expect((await admin({ method: 'PATCH', url: `/api/v1/practitioners/${p.id}`, payload: {} })).statusCode).toBe(400);
    expect((await admin({ method: 'PATCH', url: `/api/v1/practitioners/${p.id}`, payload: { departmentId: foreignDept!.id } })).statusCode).toBe(400);
    expect((await t.as('village.doctor')({ method: 'PATCH', url: `/api/v1/practitioners/${p.id}`, payload: { active: true } })).statusCode).toBe(403);
    expect((await admin({ method: 'PATCH', url: '/api/v1/practitioners/nope', payload: { active: true } })).statusCode).toBe(404);
  });

  it('records a time-limited role at another facility and refuses an overlapping one of the same kind there', async () => {
    const admin = t.as('alliance.admin');
    const [doctor] = await t.database.db.select().from(practitioners).where(eq(practitioners.homeOrganizationId, countyHospital)).limit(1);
    const url = `/api/v1/practitioners/${doctor!.id}/roles`;
    const body = { organizationId: hetian, kind: 'stationed', validFrom: '2027-01-01', validTo: '2027-07-01', note: '派驻半年' };
    const created = await admin({ method: 'POST', url, payload: body });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ practitionerId: doctor!.id, organizationId: hetian, kind: 'stationed', validFrom: '2027-01-01', validTo: '2027-07-01', note: '派驻半年' });

    const overlap = await admin({ method: 'POST', url, payload: { ...body, validFrom: '2027-06-01', validTo: '2027-09-01' } });
    expect(overlap.statusCode).toBe(409);
    expect(overlap.json().message).toContain('不能重叠');
    // Back to back, another kind, or another facility is fine.
    expect((await admin({ method: 'POST', url, payload: { ...body, validFrom: '2027-07-01', validTo: '2027-12-31' } })).statusCode).toBe(201);
    expect((await admin({ method: 'POST', url, payload: { ...body, kind: 'circuit' } })).statusCode).toBe(201);
    expect((await admin({ method: 'POST', url, payload: { ...body, organizationId: gucheng } })).statusCode).toBe(201);

    const noEnd = await admin({ method: 'POST', url, payload: { organizationId: hetian, kind: 'visiting', validFrom: '2028-01-01' } });
    expect(noEnd.statusCode).toBe(400);
    const backwards = await admin({ method: 'POST', url, payload: { ...body, kind: 'visiting', validFrom: '2028-02-01', validTo: '2028-01-01' } });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().message).toContain('结束日期应晚于开始日期');
    expect((await admin({ method: 'POST', url, payload: { ...body, kind: 'home' } })).statusCode).toBe(400);
    expect((await admin({ method: 'POST', url, payload: { ...body, organizationId: countyHospital, validFrom: '2029-01-01', validTo: '2029-02-01' } })).statusCode).toBe(400);
    expect((await admin({ method: 'POST', url, payload: { ...body, organizationId: cityHospital, validFrom: '2029-01-01', validTo: '2029-02-01' } })).statusCode).toBe(403);
    expect((await t.as('village.doctor')({ method: 'POST', url, payload: { ...body, validFrom: '2029-01-01', validTo: '2029-02-01' } })).statusCode).toBe(403);

    const stationed = (await admin({ url: `/api/v1/organizations/${hetian}` })).json().stationedHere as { practitionerId: string; validFrom: string }[];
    expect(stationed.filter((s) => s.practitionerId === doctor!.id).map((s) => s.validFrom).sort()).toEqual(['2027-01-01', '2027-01-01', '2027-07-01']);
  });

  it('records a support pairing and refuses overlaps, same-organization pairs and pairs outside the led alliance', async () => {
    const admin = t.as('alliance.admin');
    const body = { supportingOrganizationId: hetian, supportedOrganizationId: gucheng, supportTier: 2, validFrom: '2027-01-01', note: '中心卫生院互助' };
    const created = await admin({ method: 'POST', url: '/api/v1/pairings', payload: body });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ supportingOrganizationId: hetian, supportedOrganizationId: gucheng, supportTier: 2, validTo: null, supportingOrganizationName: '长汀县河田镇中心卫生院' });

    const again = await admin({ method: 'POST', url: '/api/v1/pairings', payload: { ...body, validFrom: '2028-01-01' } });
    expect(again.statusCode).toBe(409);
    const reversed = await admin({ method: 'POST', url: '/api/v1/pairings', payload: { ...body, supportingOrganizationId: gucheng, supportedOrganizationId: hetian } });
    expect(reversed.statusCode).toBe(409);
    // The county hospital has supported 河田 since 2019 (seed): an open period, so any later start overlaps.
    const seeded = await admin({ method: 'POST', url: '/api/v1/pairings', payload: { ...body, supportingOrganizationId: countyHospital, supportedOrganizationId: hetian } });
    expect(seeded.statusCode).toBe(409);
    expect(seeded.json().message).toContain('不能重叠');
    // A period that ends before another begins is not an overlap.
    expect((await admin({ method: 'POST', url: '/api/v1/pairings', payload: { ...body, validFrom: '2025-01-01', validTo: '2027-01-01' } })).statusCode).toBe(201);

    const same = await admin({ method: 'POST', url: '/api/v1/pairings', payload: { ...body, supportedOrganizationId: hetian } });
    expect(same.statusCode).toBe(400);
    expect(same.json().message).toContain('不能相同');
    expect((await admin({ method: 'POST', url: '/api/v1/pairings', payload: { ...body, supportTier: 4 } })).statusCode).toBe(400);
    expect((await admin({ method: 'POST', url: '/api/v1/pairings', payload: { ...body, validTo: '2026-01-01' } })).statusCode).toBe(400);

    // Outside the led alliance: refused, unless the actor's own organization is the supporting side.
    const foreign = await admin({ method: 'POST', url: '/api/v1/pairings', payload: { ...body, supportingOrganizationId: cityHospital } });
    expect(foreign.statusCode).toBe(403);
    expect((await admin({ method: 'POST', url: '/api/v1/pairings', payload: { ...body, supportedOrganizationId: cityHospital } })).statusCode).toBe(403);
    // Its own hospital supporting 龙岩市第一医院 (before the seeded reverse pairing of 2021 begins) is allowed.
    const own = await admin({ method: 'POST', url: '/api/v1/pairings', payload: { supportingOrganizationId: countyHospital, supportedOrganizationId: cityHospital, supportTier: 1, validFrom: '2019-01-01', validTo: '2021-01-01' } });
    expect(own.statusCode).toBe(201);
    expect((await t.as('village.doctor')({ method: 'POST', url: '/api/v1/pairings', payload: { ...body, validFrom: '2030-01-01' } })).statusCode).toBe(403);
    expect((await t.as('admin')({ method: 'POST', url: '/api/v1/pairings', payload: { ...body, supportingOrganizationId: cityHospital, validFrom: '2030-01-01' } })).statusCode).toBe(201);

    const stored = await t.database.db.select().from(supportPairings).where(eq(supportPairings.supportingOrganizationId, hetian));
    expect(stored.map((p) => p.validFrom).sort()).toEqual(['2025-01-01', '2027-01-01']);
  });
});

describe.skipIf(databaseKind !== 'postgres')('registry concurrency (PostgreSQL)', () => {
  it('records one of several overlapping roles submitted at the same moment', async () => {
    const [doctor] = await t.database.db.select().from(practitioners).where(eq(practitioners.homeOrganizationId, countyHospital)).offset(1).limit(1);
    const body = { organizationId: gucheng, kind: 'circuit', validFrom: '2031-01-01', validTo: '2031-03-01' };
    const results = await Promise.all(
      Array.from({ length: 6 }, () => t.as('alliance.admin')({ method: 'POST', url: `/api/v1/practitioners/${doctor!.id}/roles`, payload: body })),
    );
    const codes = results.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 201)).toHaveLength(1);
    expect(codes.filter((c) => c === 409)).toHaveLength(5);
  });

  it('records one of several identical pairings submitted at the same moment', async () => {
    const body = { supportingOrganizationId: cityHospital, supportedOrganizationId: hetian, supportTier: 1, validFrom: '2031-01-01' };
    const results = await Promise.all(Array.from({ length: 6 }, () => t.as('admin')({ method: 'POST', url: '/api/v1/pairings', payload: body })));
    const codes = results.map((r) => r.statusCode);
    expect(codes.filter((c) => c === 201)).toHaveLength(1);
    expect(codes.filter((c) => c === 409)).toHaveLength(5);
  });
});

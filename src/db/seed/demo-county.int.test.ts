import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { createDatabase, type Database } from '../client.js';
import {
  allianceMemberships, alliances, divisions, oauthClients, organizations, patients, practitionerRoles, practitioners,
  supportPairings, userRoles, users,
} from '../schema/index.js';
import { seedDefaultCatalogue } from './catalogue.js';
import { membershipsOn } from '../../modules/network/network.rules.js';
import { parseResidentId } from '../../modules/patient/resident-id.rules.js';
import { loadDivisions } from './divisions.js';
import { demoAccounts, seedDemoCounty, type DemoSummary } from './demo-county.js';
import { isValidUscc } from './uscc.js';

const AS_OF = '2026-06-15';
const hashPassword = async (p: string): Promise<string> => `test:${p}`;

async function seededDatabase(seed: number, residents: number): Promise<{ database: Database; summary: DemoSummary }> {
  const database = await createDatabase({ dataDir: 'memory://' });
  await database.migrate();
  await loadDivisions(database.db, { countyCodes: ['350821', '350802', '350102'] });
  await seedDefaultCatalogue(database.db);
  const summary = await seedDemoCounty(database.db, { seed, residents, hashPassword, asOf: AS_OF });
  return { database, summary };
}

const patientKeys = async (database: Database) =>
  (await database.db.select({ id: patients.id, idNumber: patients.idNumber }).from(patients).orderBy(patients.id));

describe('demo county 长汀县', () => {
  let database: Database;
  let summary: DemoSummary;
  const steps: string[] = [];

  beforeAll(async () => {
    database = await createDatabase({ dataDir: 'memory://' });
    await database.migrate();
    await loadDivisions(database.db, { countyCodes: ['350821', '350802', '350102'] });
    await seedDefaultCatalogue(database.db);
    summary = await seedDemoCounty(database.db, {
      seed: 7, residents: 2000, hashPassword, asOf: AS_OF, onProgress: (step) => steps.push(step),
    });
  });
  afterAll(async () => {
    await database?.close();
  });

  it('uses the real divisions: 18 townships of 350821', async () => {
    const towns = await database.db.select().from(divisions).where(and(eq(divisions.countyCode, '350821'), eq(divisions.level, 'township')));
    expect(towns).toHaveLength(18);
    expect(towns.find((t) => t.name === '河田镇')?.fullName).toBe('福建省 龙岩市 长汀县 河田镇');
  });

  it('has a center per township and a clinic per 村, each supervised by its township center', async () => {
    const orgs = await database.db.select().from(organizations);
    const villages = await database.db.select().from(divisions).where(and(eq(divisions.countyCode, '350821'), eq(divisions.level, 'village')));
    const villageCount = villages.filter((v) => !v.name.includes('社区')).length;
    expect(villages.length).toBe(308);
    const clinics = orgs.filter((o) => o.tier === 'village-clinic');
    expect(clinics).toHaveLength(villageCount);
    expect(villageCount).toBeGreaterThan(280);
    const centers = orgs.filter((o) => o.tier === 'township-health-center');
    expect(centers).toHaveLength(17);
    expect(orgs.filter((o) => o.tier === 'community-health-center').length).toBeGreaterThanOrEqual(1);
    expect(centers.filter((c) => c.isCentral).map((c) => c.name).sort()).toEqual(
      ['长汀县古城镇中心卫生院', '长汀县新桥镇中心卫生院', '长汀县河田镇中心卫生院', '长汀县濯田镇中心卫生院'].sort(),
    );
    const centerByTown = new Map(centers.map((c) => [c.divisionCode, c]));
    for (const clinic of clinics) {
      expect(clinic.divisionCode).toHaveLength(12);
      expect(clinic.identifier).toBe(`CT-V-${clinic.divisionCode}`);
      const center = centerByTown.get(clinic.divisionCode.slice(0, 9));
      expect(center, clinic.name).toBeDefined();
      expect(clinic.supervisorId).toBe(center!.id);
    }
  });

  it('gives hospitals valid unified social credit codes', async () => {
    const hospitals = await database.db.select().from(organizations).where(eq(organizations.identifierKind, 'uscc'));
    expect(hospitals.length).toBeGreaterThanOrEqual(5 + 17);
    for (const h of hospitals) expect(isValidUscc(h.identifier), `${h.name} ${h.identifier}`).toBe(true);
  });

  it('records membership history: the late joiner and the clinic that left and came back', async () => {
    const rows = await database.db
      .select({ allianceId: allianceMemberships.allianceId, organizationId: allianceMemberships.organizationId,
        role: allianceMemberships.role, validFrom: allianceMemberships.validFrom, validTo: allianceMemberships.validTo })
      .from(allianceMemberships)
      .where(eq(allianceMemberships.allianceId, summary.keys.countyCommunityId));
    const memberOn = (org: string, on: string) => membershipsOn(rows, on).some((m) => m.organizationId === org);
    expect(memberOn(summary.keys.lateJoinerId, '2020-01-01')).toBe(false);
    expect(memberOn(summary.keys.lateJoinerId, '2022-01-01')).toBe(true);
    expect(memberOn(summary.keys.movedClinicId, '2023-12-31')).toBe(true);
    expect(memberOn(summary.keys.movedClinicId, '2024-01-01')).toBe(false);
    expect(memberOn(summary.keys.movedClinicId, '2024-07-01')).toBe(true);
    expect(membershipsOn(rows, AS_OF).filter((m) => m.role === 'lead').map((m) => m.organizationId)).toEqual([summary.keys.countyHospitalId]);
    const [community] = await database.db.select().from(alliances).where(eq(alliances.id, summary.keys.countyCommunityId));
    expect(community).toMatchObject({ name: '长汀县总医院医共体', kind: 'county-community', divisionCode: '350821' });
  });

  it('pairs the support and stations staff', async () => {
    const pairings = await database.db.select().from(supportPairings);
    expect(pairings.some((p) => p.supportingOrganizationId === summary.keys.cityHospitalId && p.supportedOrganizationId === summary.keys.countyHospitalId)).toBe(true);
    expect(new Set(pairings.filter((p) => p.supportingOrganizationId === summary.keys.countyHospitalId).map((p) => p.supportTier))).toEqual(new Set([1, 2, 3]));
    const stationed = await database.db
      .select({ home: practitioners.homeOrganizationId, at: practitionerRoles.organizationId, from: practitionerRoles.validFrom, to: practitionerRoles.validTo })
      .from(practitionerRoles)
      .innerJoin(practitioners, eq(practitioners.id, practitionerRoles.practitionerId))
      .where(eq(practitionerRoles.kind, 'stationed'));
    const cityToCounty = stationed.filter((s) => s.home === summary.keys.cityHospitalId && s.at === summary.keys.countyHospitalId);
    expect(cityToCounty.length).toBeGreaterThanOrEqual(3);
    expect(cityToCounty.every((s) => s.from === '2026-01-01')).toBe(true);
    const countyToTownship = stationed.filter((s) => s.home === summary.keys.countyHospitalId);
    expect(countyToTownship.length).toBe(17);
    for (const s of countyToTownship) {
      const months = (Number(s.to!.slice(0, 4)) - Number(s.from.slice(0, 4))) * 12 + Number(s.to!.slice(5, 7)) - Number(s.from.slice(5, 7));
      expect(months).toBeGreaterThanOrEqual(6);
    }
  });

  it('sizes the staff like the real county (≈3.5 physicians per 1,000 residents)', async () => {
    const [row] = await database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(practitioners)
      .innerJoin(organizations, eq(organizations.id, practitioners.homeOrganizationId))
      .where(and(eq(practitioners.profession, 'physician'), eq(organizations.countyCode, '350821')));
    expect(row!.n / 390).toBeGreaterThan(3.2);
    expect(row!.n / 390).toBeLessThan(3.8);
    const ids = await database.db.select({ identifier: practitioners.identifier }).from(practitioners);
    expect(new Set(ids.map((i) => i.identifier)).size).toBe(ids.length);
  });

  it('creates residents with valid, unique ID numbers and the national chronic-disease shares', async () => {
    const rows = await database.db.select().from(patients);
    expect(rows).toHaveLength(2000);
    for (const p of rows) {
      const parsed = parseResidentId(p.idNumber!, AS_OF);
      expect(parsed.ok, p.idNumber!).toBe(true);
      if (parsed.ok) {
        expect(parsed.value.birthDate).toBe(p.birthDate);
        expect(parsed.value.sex).toBe(p.sex);
        expect(parsed.value.divisionCode).toBe('350821');
      }
      expect(p.residenceDivisionCode!.startsWith('350821')).toBe(true);
      if (p.phone !== null) expect(p.phone).toMatch(/^1[3-9]\d{9}$/);
    }
    const adults = rows.filter((p) => p.birthDate <= '2008-06-15');
    const share = (code: string) => adults.filter((p) => p.chronicConditions.includes(code)).length / adults.length;
    expect(Math.abs(share('I10') - 0.275)).toBeLessThanOrEqual(0.03);
    expect(Math.abs(share('E11') - 0.119)).toBeLessThanOrEqual(0.03);
    // Age-weighted: far more common among the old than the young.
    const htn = (from: string, to: string) => {
      const g = adults.filter((p) => p.birthDate > from && p.birthDate <= to);
      return g.filter((p) => p.chronicConditions.includes('I10')).length / g.length;
    };
    expect(htn('1900-01-01', '1961-06-15')).toBeGreaterThan(2 * htn('1981-06-15', '2008-06-15'));
    const male = rows.filter((p) => p.sex === 'male').length / rows.length;
    expect(male).toBeGreaterThan(0.47);
    expect(male).toBeLessThan(0.55);
    const signed = rows.filter((p) => p.familyDoctorTeam !== null).length / rows.length;
    expect(signed).toBeGreaterThanOrEqual(0.4);
    expect(signed).toBeLessThanOrEqual(0.6);
  });

  it('manages each villager from the clinic of their village', async () => {
    const rows = await database.db
      .select({ residence: patients.residenceDivisionCode, org: organizations.divisionCode, tier: organizations.tier })
      .from(patients)
      .innerJoin(organizations, eq(organizations.id, patients.managingOrganizationId));
    for (const r of rows) {
      if (r.tier === 'village-clinic') expect(r.org).toBe(r.residence);
      else expect(['township-health-center', 'community-health-center']).toContain(r.tier);
    }
  });

  it('creates the demo accounts and the OAuth client', async () => {
    const rows = await database.db
      .select({ username: users.username, role: userRoles.role, org: users.organizationId, hash: users.passwordHash })
      .from(users)
      .innerJoin(userRoles, eq(userRoles.userId, users.id));
    for (const a of demoAccounts.users) {
      const u = rows.find((r) => r.username === a.username);
      expect(u, a.username).toBeDefined();
      expect(u!.role).toBe(a.role);
      expect(u!.hash).toBe(`test:${demoAccounts.password}`);
      expect(u!.org === null).toBe(a.organization === null);
    }
    expect(rows.find((r) => r.username === 'township.doctor')!.org).toBe(summary.keys.hetianCenterId);
    const [client] = await database.db.select().from(oauthClients).where(eq(oauthClients.clientId, 'demo-integration'));
    expect(client!.secretHash).toBe('test:demo-integration-secret');
    expect(rows.find((r) => r.username === 'svc.his')).toMatchObject({ role: 'referral-desk', org: summary.keys.countyHospitalId });
  });

  it('reports counts, timings and progress per step', () => {
    expect(summary.counts.patients).toBe(2000);
    expect(summary.counts.patientsInserted).toBe(2000);
    expect(summary.counts.organizations).toBeGreaterThan(300);
    for (const step of ['organizations', 'departments', 'alliances', 'support-pairings', 'practitioners', 'users', 'patients']) {
      expect(summary.timingsMs[step as keyof DemoSummary['timingsMs']]).toBeGreaterThanOrEqual(0);
      expect(steps).toContain(step);
    }
  });

  it('is idempotent for the same seed and refuses another seed on the same database', async () => {
    const again = await seedDemoCounty(database.db, { seed: 7, residents: 2000, hashPassword, asOf: AS_OF });
    expect(again.keys).toEqual(summary.keys);
    expect(again.counts.patientsInserted).toBe(0);
    const [{ n }] = (await database.db.select({ n: sql<number>`count(*)::int` }).from(patients)) as [{ n: number }];
    expect(n).toBe(2000);
    await expect(seedDemoCounty(database.db, { seed: 8, residents: 10, hashPassword, asOf: AS_OF })).rejects.toThrow(/another seed/);
  });

  // Each PGlite database takes a few seconds to start and migrate: one more for the same seed, one for another seed.
  it('gives the same ids and ID numbers for the same seed, different ones for another seed', async () => {
    const keysA = await patientKeys(database);
    const b = await seededDatabase(7, 2000);
    try {
      expect(await patientKeys(b.database)).toEqual(keysA);
      expect(b.summary.keys).toEqual(summary.keys);
    } finally {
      await b.database.close();
    }

    // A load large enough for the bulk path (indexes and foreign keys suspended, then restored).
    const c = await seededDatabase(12, 20_000);
    try {
      const keysC = await patientKeys(c.database);
      expect(keysC).toHaveLength(20_000);
      const idsA = new Set(keysA.map((k) => k.id));
      expect(keysC.filter((k) => idsA.has(k.id))).toHaveLength(0);
      const numbersA = new Set(keysA.map((k) => k.idNumber));
      expect(keysC.filter((k) => numbersA.has(k.idNumber)).length).toBeLessThan(50);
      const idx = await c.database.db.execute(sql`SELECT indexname FROM pg_indexes WHERE tablename = 'patients' ORDER BY 1`);
      expect((idx as unknown as { rows: { indexname: string }[] }).rows.map((r) => r.indexname)).toEqual([
        'patients_birth_date_idx', 'patients_id_number_uq', 'patients_name_c_idx', 'patients_org_name_c_idx',
        'patients_phone_idx', 'patients_pkey', 'patients_residence_idx',
      ]);
      const fks = await c.database.db.execute(sql`SELECT conname FROM pg_constraint WHERE conrelid = 'patients'::regclass AND contype = 'f' ORDER BY 1`);
      expect((fks as unknown as { rows: unknown[] }).rows).toHaveLength(2);
      expect(c.summary.patientsPerSecond).toBeGreaterThan(0);
    } finally {
      await c.database.close();
    }
  }, 240_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/app.js';
import { alliances, organizations } from '../src/db/schema/index.js';
import type { ActivityInput } from '../src/contracts/activity.js';
import type { IndicatorRanking } from '../src/contracts/indicator.js';
import type { RequestContext } from '../src/shared/context.js';
import { DEMO_INDICATOR_TARGETS, seedDemoIndicatorTargets } from '../src/db/seed/demo-indicator-targets.js';

/**
 * `GET /api/v1/indicators/:code/ranking`: one period, a subject's children ranked, for the dashboard's drill-down.
 * A small fixed dataset in 浙江省 湖州市 (330500), away from the seeded demo county (福建 长汀):
 * 德清县 A = 330521 with H (county hospital, lead of alliance X) and C (township center, member of X, with a site) and
 * V (village clinic: never ranked); 长兴县 B = 330522 with HB (county hospital); 安吉县 330523 has no facility and no
 * data (left out of rankings). Every visit and stay is in March 2026.
 */
const A = '330521';
const B = '330522';
const id = (s: string) => `rank-${s}`;
const H = id('H'), C = id('C'), V = id('V'), HB = id('HB'), X = id('X');

let t: TestApp;
let sys: RequestContext;

type Row = [key: string, cls: 'o' | 'i', facility: string, residence: string, start: string, end: string | null, cost: string, extra?: Partial<ActivityInput>];
const rows: Row[] = [
  // Residents of A: 3 visits + 1 stay inside A, 1 visit in B → county visit rate 4 / 5 = 80 %.
  ['o1', 'o', C, A, '2026-03-02', null, '60.00'],
  ['o2', 'o', C, A, '2026-03-03', null, '70.00'],
  ['o3', 'o', H, A, '2026-03-04', null, '200.00', { departmentSpecialty: 'tcm' }],
  ['o4', 'o', HB, A, '2026-03-05', null, '300.00'],
  ['o7', 'o', V, A, '2026-03-06', null, '30.00'],
  ['i1', 'i', H, A, '2026-03-10', '2026-03-15', '5000.00'],
  // Residents of B: 2 visits + 1 stay in B → 100 %.
  ['o5', 'o', HB, B, '2026-03-06', null, '150.00'],
  ['o6', 'o', HB, B, '2026-03-07', null, '120.00'],
  ['i2', 'i', HB, B, '2026-03-11', '2026-03-13', '3000.00'],
];
// With o7 (V, a village clinic in A): A = 5 / 6 = 83.33 %; city = (5 + 3) / 9 = 88.89 %.

const toInput = ([key, cls, facility, residence, start, end, cost, extra]: Row): ActivityInput => ({
  source: 'test:rank', sourceRecordId: key, class: cls === 'o' ? 'outpatient' : 'inpatient', residenceDivisionCode: residence, facilityId: facility,
  startDate: start, ...(end ? { endDate: end } : {}), diagnoses: ['J06.9'], totalCost: cost, fundPaid: (Number(cost) / 2).toFixed(2),
  insured: true, pharmacy: false, viaReferral: false, ...extra,
});

async function ranking(query: string, user = 'commission.officer'): Promise<IndicatorRanking> {
  const res = await t.as(user)({ url: `/api/v1/indicators/${query}` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as IndicatorRanking;
}
const brief = (r: IndicatorRanking) => r.rows.map((x) => [x.rank, x.id, x.value.value]);

beforeAll(async () => {
  t = await createTestApp({ residents: 300 });
  const db = t.database.db;
  sys = { actor: { userId: '', username: 'ranking-test', organizationId: null, roles: ['system-admin'] }, clock: t.clock, channel: 'system' };
  const org = (oid: string, name: string, tier: typeof organizations.$inferInsert.tier, county: string, site?: [string, string]) =>
    ({ id: oid, identifier: `${oid}-code`, identifierKind: 'local' as const, name, tier, divisionCode: county, countyCode: county, ...(site ? { latitude: site[0], longitude: site[1] } : {}) });
  await db.insert(organizations).values([
    org(H, '德清县人民医院', 'county-hospital', A), org(C, '新市镇卫生院', 'township-health-center', A, ['30.640000', '120.100000']),
    org(V, '某村卫生室', 'village-clinic', A), org(HB, '长兴县人民医院', 'county-hospital', B),
  ]);
  await db.insert(alliances).values([{ id: X, identifier: 'DQ-1', name: '德清县医共体', kind: 'county-community', leadOrganizationId: H, divisionCode: A, establishedOn: '2025-01-01' }]);
  for (const [o, role] of [[H, 'lead'], [C, 'member'], [V, 'member']] as const) await t.services.network.addMembership(sys, X, { organizationId: o, role, validFrom: '2025-01-01' });
  const res = await t.services.indicators.recordActivities(sys, rows.map(toInput));
  expect(res.results.every((r) => r.ok)).toBe(true);
  await t.services.indicators.setTarget(sys, 'county-visit-rate', { divisionCode: A, year: 2026, target: 90 });
}, 120_000);

afterAll(async () => t?.close());

describe('indicator ranking', () => {
  it('ranks a city’s counties, best first, with each child’s own target; empty counties are left out', async () => {
    const r = await ranking(`county-visit-rate/ranking?level=city&subject=330500&period=year&at=2026`);
    expect(r.childLevel).toBe('county');
    expect(r.label).toBe('2026');
    expect(r.subject).toMatchObject({ id: '330500' });
    expect(r.parent).toMatchObject({ numerator: 8, denominator: 9, value: 88.89, noData: false });
    expect(brief(r)).toEqual([[1, B, 100], [2, A, 83.33]]);
    expect(r.rows[1]).toMatchObject({ level: 'county', name: '德清县', divisionCode: A, tier: null, value: { numerator: 5, denominator: 6, target: 90 } });
    expect(r.rows[0]!.value.target).toBeNull();
  });

  it('ranks a province’s cities by default, and all its counties on request', async () => {
    const cities = await ranking(`county-visit-rate/ranking?level=province&subject=330000&period=year&at=2026`);
    expect(cities.childLevel).toBe('city');
    expect(brief(cities)).toEqual([[1, '330500', 88.89]]);
    const counties = await ranking(`county-visit-rate/ranking?level=province&subject=330000&period=year&at=2026&childLevel=county`);
    expect(counties.childLevel).toBe('county');
    expect(brief(counties)).toEqual([[1, B, 100], [2, A, 83.33]]);
  });

  it('lower-better indicators rank the smallest first; a date picks its period', async () => {
    // Cost per admission of insured residents, inside their county: A 5,000 yuan (i1), B 3,000 yuan (i2).
    const r = await ranking(`in-county-cost-per-admission/ranking?level=city&subject=330500&period=month&at=2026-03-20`);
    expect(r.label).toBe('2026-03');
    expect(brief(r)).toEqual([[1, B, 3000], [2, A, 5000]]);
    // A month without activity: every county is "no data", unranked — kept because they have facilities.
    const april = await ranking(`in-county-cost-per-admission/ranking?level=city&subject=330500&period=month&at=2026-04`);
    expect(april.rows.map((x) => [x.rank, x.id, x.value.noData])).toEqual([[null, A, true], [null, B, true]]);
  });

  it('ranks a county’s hospitals and centers (not villages) with their sites, for indicators cut by facility', async () => {
    // TCM share of visits: H 1 / 1 (o3 in a TCM department) = 100 %; C 0 / 2 = 0 %.
    const r = await ranking(`tcm-visit-share/ranking?level=county&subject=${A}&period=quarter&at=2026-Q1`);
    expect(r.childLevel).toBe('facility');
    expect(brief(r)).toEqual([[1, H, 100], [2, C, 0]]);
    expect(r.rows[1]).toMatchObject({ level: 'facility', tier: 'township-health-center', latitude: 30.64, longitude: 120.1 });
    expect(r.rows[0]).toMatchObject({ tier: 'county-hospital', latitude: null });
  });

  it('a county’s alliances for indicators not cut by facility; asking for facilities says why not', async () => {
    const r = await ranking(`county-visit-rate/ranking?level=county&subject=${A}&period=year&at=2026`);
    expect(r.childLevel).toBe('alliance');
    // X: residents of A treated at its members (H, C, V): o1, o2, o3, o7, i1 = 5 / 6.
    expect(brief(r)).toEqual([[1, X, 83.33]]);
    const no = await ranking(`county-visit-rate/ranking?level=county&subject=${A}&period=year&at=2026&childLevel=facility`);
    expect(no.childLevel).toBeNull();
    expect(no.rows).toEqual([]);
    expect(no.reason).toContain('不按机构统计');
    expect(no.parent).toMatchObject({ value: 83.33, target: 90 });
  });

  it('ranks an alliance’s members; a facility has no children', async () => {
    const r = await ranking(`tcm-visit-share/ranking?level=alliance&subject=${X}&period=year&at=2026`);
    expect(r.childLevel).toBe('facility');
    expect(brief(r)).toEqual([[1, H, 100], [2, C, 0]]);
    const f = await ranking(`tcm-visit-share/ranking?level=facility&subject=${H}&period=year&at=2026`);
    expect(f.childLevel).toBeNull();
    expect(f.parent).toMatchObject({ numerator: 1, denominator: 1, value: 100 });
    expect(f.reason).toBeTruthy();
  });

  it('refuses a child level the subject cannot have, unknown codes, and readers without access', async () => {
    const bad = await t.as('commission.officer')({ url: `/api/v1/indicators/county-visit-rate/ranking?level=province&subject=330000&period=year&at=2026&childLevel=facility` });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ path: 'childLevel' });
    const level = await t.as('commission.officer')({ url: `/api/v1/indicators/county-visit-rate/ranking?level=city&subject=${A}&period=year&at=2026` });
    expect(level.statusCode).toBe(400);
    const unknown = await t.as('commission.officer')({ url: `/api/v1/indicators/no-such/ranking?level=city&subject=330500&period=year&at=2026` });
    expect(unknown.statusCode).toBe(404);
    // The demo alliance administrator leads an alliance of 长汀, not 德清.
    const admin = await t.as('alliance.admin')({ url: `/api/v1/indicators/county-visit-rate/ranking?level=county&subject=${A}&period=year&at=2026` });
    expect(admin.statusCode).toBe(403);
    const doctor = await t.as('village.doctor')({ url: `/api/v1/indicators/county-visit-rate/ranking?level=city&subject=330500&period=year` });
    expect(doctor.statusCode).toBe(403);
  });

  it('demo targets: seeded for the demo county, city and province, two years; a second run keeps what the commission changed', async () => {
    const now = new Date('2026-11-22T02:00:00Z');
    expect(await seedDemoIndicatorTargets(t.database.db, { now })).toBe(DEMO_INDICATOR_TARGETS.length * 3 * 2);
    await t.services.indicators.setTarget(sys, 'county-visit-rate', { divisionCode: '350821', year: 2026, target: 92 });
    expect(await seedDemoIndicatorTargets(t.database.db, { now })).toBe(0);
    expect(await t.services.indicators.targetsOf(sys, 'county-visit-rate', '350821')).toEqual([
      { year: 2026, target: 92, note: null },
      { year: 2025, target: 90, note: expect.stringContaining('90%') },
    ]);
    const city = await ranking(`grassroots-visit-share/ranking?level=province&subject=350000&period=year&at=2026`);
    expect(city.parent.target).toBe(65);
  });
});

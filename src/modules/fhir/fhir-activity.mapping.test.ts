import { describe, expect, it } from 'vitest';
import { activitiesFromBundle, activitySystems, encounterToActivity, moneyOf } from './fhir-activity.mapping.js';

const ICD10 = 'http://hl7.org/fhir/sid/icd-10';
const DIVISION = 'http://yilian.org/fhir/StructureDefinition/division-code';
const ACT = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';

const encounter = (over: Record<string, unknown> = {}) => ({
  resourceType: 'Encounter',
  status: 'finished',
  class: { system: ACT, code: 'AMB' },
  identifier: [{ system: 'his:CT-ZYY', value: 'MZ-2026-0001' }],
  subject: { reference: 'Patient/p-1' },
  serviceProvider: { reference: 'Organization/org-county' },
  period: { start: '2026-03-02T09:15:00+08:00', end: '2026-03-02T09:40:00+08:00' },
  reasonCode: [{ coding: [{ system: ICD10, code: 'J06.9' }] }],
  ...over,
});

const eob = (encounterRef: string, over: Record<string, unknown> = {}) => ({
  resourceType: 'ExplanationOfBenefit',
  status: 'active',
  type: { coding: [{ system: activitySystems.claimType, code: 'professional' }] },
  item: [{ sequence: 1, encounter: [{ reference: encounterRef }] }],
  total: [
    { category: { coding: [{ system: activitySystems.adjudication, code: 'submitted' }] }, amount: { value: 362.5, currency: 'CNY' } },
    { category: { coding: [{ system: activitySystems.adjudication, code: 'benefit' }] }, amount: { value: 217.5, currency: 'CNY' } },
  ],
  ...over,
});

const bundle = (type: string, ...resources: { fullUrl?: string; resource: unknown }[]) => ({
  resourceType: 'Bundle',
  type,
  entry: resources.map((r) => ({ ...r, request: { method: 'POST', url: (r.resource as { resourceType: string }).resourceType } })),
});

describe('FHIR Encounter → ActivityInput', () => {
  it('maps an outpatient visit at a platform facility with its ExplanationOfBenefit', () => {
    const m = activitiesFromBundle(bundle('batch', { fullUrl: 'urn:uuid:e1', resource: encounter() }, { resource: eob('urn:uuid:e1') }));
    expect(m.type).toBe('batch');
    expect(m.entries.map((e) => e.kind)).toEqual(['encounter', 'money']);
    expect(m.activities).toHaveLength(1);
    expect(m.activities[0]).toEqual({
      entry: 0,
      needsResidenceOf: 'p-1',
      input: {
        source: 'his:CT-ZYY', sourceRecordId: 'MZ-2026-0001', class: 'outpatient', patientId: 'p-1', facilityId: 'org-county',
        startDate: '2026-03-02', diagnoses: ['J06.9'], totalCost: '362.50', fundPaid: '217.50', insured: true, pharmacy: false, viaReferral: false,
      },
    });
  });

  it('maps an inpatient stay of a resident outside the platform (insurance settlement): contained Patient and Conditions, facility by division code', () => {
    const enc = encounter({
      class: { system: ACT, code: 'IMP' },
      identifier: [{ system: 'insurance', value: 'JS-350802-0042', use: 'official' }],
      contained: [
        { resourceType: 'Patient', id: 'pt', address: [{ extension: [{ url: DIVISION, valueCode: '350821103214' }] }] },
        { resourceType: 'Condition', id: 'c1', code: { coding: [{ system: ICD10, code: 'i63.9' }] } },
        { resourceType: 'Condition', id: 'c2', code: { coding: [{ system: ICD10, code: 'I10' }] } },
      ],
      subject: { reference: '#pt' },
      serviceProvider: { identifier: { system: activitySystems.divisionCode, value: '350802' } },
      diagnosis: [{ condition: { reference: '#c2' }, rank: 2 }, { condition: { reference: '#c1' }, rank: 1 }],
      reasonCode: undefined,
      period: { start: '2026-05-01', end: '2026-05-09' },
      basedOn: [{ reference: 'ServiceRequest/ref-9' }],
      serviceType: { coding: [{ system: activitySystems.specialty, code: 'neurology' }] },
    });
    const m = activitiesFromBundle(bundle('transaction', { fullUrl: 'urn:uuid:e2', resource: enc }, {
      resource: { resourceType: 'Claim', status: 'active', type: { coding: [{ code: 'institutional' }] }, supportingInfo: [{ sequence: 1, valueReference: { reference: 'urn:uuid:e2' } }], total: { value: 18250, currency: 'CNY' } },
    }));
    expect(m.entries.map((e) => e.kind)).toEqual(['encounter', 'money']);
    expect(m.activities[0]!.needsResidenceOf).toBeUndefined();
    expect(m.activities[0]!.input).toEqual({
      source: 'insurance', sourceRecordId: 'JS-350802-0042', class: 'inpatient', residenceDivisionCode: '350821103214', facilityDivisionCode: '350802',
      departmentSpecialty: 'neurology', startDate: '2026-05-01', endDate: '2026-05-09', diagnoses: ['I63.9', 'I10'], totalCost: '18250.00',
      insured: true, pharmacy: false, viaReferral: true, referralId: 'ref-9',
    });
  });

  it('uses Patient, Condition and Organization entries of the Bundle as context, and the Encounter extensions', () => {
    const m = activitiesFromBundle(bundle(
      'batch',
      { fullUrl: 'urn:uuid:pat', resource: { resourceType: 'Patient', address: [{ district: '350821' }] } },
      { fullUrl: 'urn:uuid:cond', resource: { resourceType: 'Condition', code: { coding: [{ system: ICD10, code: 'E11.9' }] } } },
      { fullUrl: 'urn:uuid:org', resource: { resourceType: 'Organization', identifier: [{ system: 'http://yilian.org/fhir/sid/uscc', value: '12350821488801011P' }] } },
      {
        fullUrl: 'urn:uuid:e3',
        resource: encounter({
          subject: { reference: 'urn:uuid:pat' }, serviceProvider: { reference: 'urn:uuid:org' }, diagnosis: [{ condition: { reference: 'urn:uuid:cond' } }], reasonCode: undefined,
          extension: [
            { url: activitySystems.totalCostExtension, valueMoney: { value: 56, currency: 'CNY' } },
            { url: activitySystems.insuredExtension, valueBoolean: false },
          ],
        }),
      },
    ));
    expect(m.entries.map((e) => e.kind)).toEqual(['context', 'context', 'context', 'encounter']);
    expect(m.activities[0]!.input).toMatchObject({ residenceDivisionCode: '350821', facilityId: '12350821488801011P', diagnoses: ['E11.9'], totalCost: '56.00', insured: false });
    expect(m.activities[0]!.input).not.toHaveProperty('patientId');
  });

  it('marks a pharmacy claim and prefers payment.amount for the fund', () => {
    const m = activitiesFromBundle(bundle('batch', { fullUrl: 'urn:uuid:e4', resource: encounter() }, {
      resource: eob('urn:uuid:e4', { type: { coding: [{ system: activitySystems.claimType, code: 'pharmacy' }] }, payment: { amount: { value: 100 } } }),
    }));
    expect(m.activities[0]!.input).toMatchObject({ totalCost: '362.50', fundPaid: '100.00', pharmacy: true });
  });

  it('names the element of every problem, entry by entry', () => {
    const m = activitiesFromBundle(bundle(
      'batch',
      { fullUrl: 'urn:uuid:a', resource: encounter({ class: { code: 'XYZ' } }) },
      { fullUrl: 'urn:uuid:b', resource: encounter({ identifier: [] }) },
      { fullUrl: 'urn:uuid:c', resource: encounter({ subject: undefined }) },
      { fullUrl: 'urn:uuid:d', resource: encounter({ serviceProvider: undefined }) },
      { fullUrl: 'urn:uuid:e', resource: encounter({ status: 'cancelled' }) },
      { fullUrl: 'urn:uuid:f', resource: encounter() }, // no money at all
      { fullUrl: 'urn:uuid:g', resource: encounter({ identifier: [{ system: 's', value: 'g' }] }) },
      { resource: eob('urn:uuid:g', { total: [{ category: { coding: [{ code: 'submitted' }] }, amount: { value: 1.234 } }] }) },
      { resource: eob('urn:uuid:nowhere') },
      { resource: { resourceType: 'Observation' } },
      { fullUrl: 'urn:uuid:h', resource: encounter({ diagnosis: [{ condition: { reference: '#missing' } }] }) },
    ));
    const errors = m.entries.map((e) => (e.kind === 'error' ? `${e.error.path} | ${e.error.message}` : e.kind));
    expect(errors[0]).toMatch(/^Bundle\.entry\[0\]\.resource\.class \| .*AMB/);
    expect(errors[1]).toMatch(/^Bundle\.entry\[1\]\.resource\.identifier \|/);
    expect(errors[2]).toMatch(/^Bundle\.entry\[2\]\.resource\.subject \|/);
    expect(errors[3]).toMatch(/^Bundle\.entry\[3\]\.resource\.serviceProvider \|/);
    expect(errors[4]).toMatch(/^Bundle\.entry\[4\]\.resource\.status \|/);
    expect(errors[5]).toMatch(/^Bundle\.entry\[5\]\.resource \| .*缺少费用/);
    expect(errors[6]).toMatch(/^Bundle\.entry\[6\]\.resource \| .*费用条目 Bundle\.entry\[7\] 无效/);
    expect(errors[7]).toMatch(/^Bundle\.entry\[7\]\.resource\.total\[0\]\.amount\.value \| .*两位小数/);
    expect(errors[8]).toMatch(/^Bundle\.entry\[8\]\.resource\.item\.encounter \|/);
    expect(errors[9]).toMatch(/^Bundle\.entry\[9\]\.resource\.resourceType \| .*Observation/);
    expect(errors[10]).toMatch(/^Bundle\.entry\[10\]\.resource\.diagnosis\[0\]\.condition \|/);
  });

  it('refuses what is not a batch or transaction Bundle, and non-POST entries', () => {
    expect(() => activitiesFromBundle({ resourceType: 'Patient' })).toThrow(/Bundle/);
    expect(() => activitiesFromBundle({ resourceType: 'Bundle', type: 'collection' })).toThrow(/batch 或 transaction/);
    const m = activitiesFromBundle({ resourceType: 'Bundle', type: 'batch', entry: [{ resource: encounter(), request: { method: 'PUT', url: 'Encounter/1' } }] });
    expect(m.entries[0]).toMatchObject({ kind: 'error', error: { path: 'Bundle.entry[0].request.method' } });
    expect(activitiesFromBundle({ resourceType: 'Bundle', type: 'batch' }).entries).toEqual([]);
  });

  it('keeps money exact', () => {
    expect(moneyOf({ value: 0.1 }, 'x')).toBe('0.10');
    expect(moneyOf({ value: 10316 }, 'x')).toBe('10316.00');
    expect(moneyOf({ value: '99.9' }, 'x')).toBe('99.90');
    expect(() => moneyOf({ value: -1 }, 'x')).toThrow();
    expect(() => moneyOf({ value: 1, currency: 'USD' }, 'x')).toThrow(/CNY/);
    expect(encounterToActivity(encounter({ class: { code: 'EMER' } }), 'Encounter').input.class).toBe('outpatient');
  });
});

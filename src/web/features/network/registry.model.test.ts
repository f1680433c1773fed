import { describe, expect, it } from 'vitest';
import { mayMaintainRegistry, parseAssignment, parseDepartment, parsePairing, parsePractitionerEdit } from './registry.model.js';

describe('registry forms', () => {
  it('offers the registry buttons to system and alliance admins only', () => {
    expect(mayMaintainRegistry(['system-admin'])).toBe(true);
    expect(mayMaintainRegistry(['alliance-admin'])).toBe(true);
    expect(mayMaintainRegistry(['village-doctor', 'referral-desk'])).toBe(false);
  });

  it('checks a department with the shared contract', () => {
    expect(parseDepartment({ code: ' QK ', name: '全科医学科', specialty: 'general-practice', beds: 5 })).toEqual({
      ok: true, value: { code: 'QK', name: '全科医学科', specialty: 'general-practice', beds: 5, isTcm: false },
    });
    const bad = parseDepartment({ code: 'QK', name: '全科', specialty: 'gp', beds: -1 });
    expect(bad).toMatchObject({ ok: false, errors: [{ name: 'beds', errors: ['床位数不能为负'] }] });
  });

  it('sends a cleared department and phone as null', () => {
    expect(parsePractitionerEdit({ title: 'senior', departmentId: undefined, phone: '  ', active: false })).toEqual({
      ok: true, value: { title: 'senior', departmentId: null, phone: null, active: false },
    });
  });

  it('requires a practitioner and an end after the start for an assignment', () => {
    const r = parseAssignment('ORG', { kind: 'stationed', validFrom: '2027-02-01', validTo: '2027-01-01' }, '请选择人员');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.name).sort()).toEqual(['practitionerId', 'validTo']);
    expect(parseAssignment('ORG', { practitionerId: 'P', kind: 'circuit', validFrom: '2027-01-01', validTo: '2027-02-01' }, '')).toMatchObject({
      ok: true, value: { practitionerId: 'P', input: { organizationId: 'ORG', kind: 'circuit' } },
    });
  });

  it('puts this facility on the chosen side of a pairing and refuses pairing it with itself', () => {
    expect(parsePairing('ORG', { direction: 'receives', partnerId: 'HOSP', supportTier: 2, validFrom: '2027-01-01' })).toMatchObject({
      ok: true, value: { supportingOrganizationId: 'HOSP', supportedOrganizationId: 'ORG', supportTier: 2, validTo: null },
    });
    expect(parsePairing('ORG', { direction: 'gives', partnerId: 'ORG', supportTier: 1, validFrom: '2027-01-01' })).toMatchObject({
      ok: false, errors: [{ name: 'partnerId', errors: ['支援机构与受援机构不能相同'] }],
    });
  });
});

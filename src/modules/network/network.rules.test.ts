import { describe, expect, it } from 'vitest';
import {
  coversDate, icdInRange, membershipConflict, membershipsOn, normaliseIcd10, pairingConflict, parseIcdRange, practitionerRoleConflict, tierCovers,
  type CatalogueEntry, type MembershipPeriod, type PairingPeriod, type RolePeriod,
} from './network.rules.js';

describe('membership on a date', () => {
  const history: MembershipPeriod[] = [
    { allianceId: 'A', organizationId: 'T1', role: 'member', validFrom: '2020-01-01', validTo: '2024-07-01' },
    { allianceId: 'B', organizationId: 'T1', role: 'member', validFrom: '2024-07-01', validTo: null },
    { allianceId: 'A', organizationId: 'T2', role: 'member', validFrom: '2022-03-15', validTo: null },
  ];

  it('answers who belonged where on a past date, not as of today', () => {
    expect(membershipsOn(history, '2024-06-30').map((m) => `${m.organizationId}@${m.allianceId}`)).toEqual(['T1@A', 'T2@A']);
    expect(membershipsOn(history, '2024-07-01').map((m) => `${m.organizationId}@${m.allianceId}`)).toEqual(['T1@B', 'T2@A']);
    expect(membershipsOn(history, '2021-01-01').map((m) => m.organizationId)).toEqual(['T1']);
  });

  it('treats periods as half-open', () => {
    expect(coversDate({ validFrom: '2020-01-01', validTo: '2020-02-01' }, '2020-01-31')).toBe(true);
    expect(coversDate({ validFrom: '2020-01-01', validTo: '2020-02-01' }, '2020-02-01')).toBe(false);
    expect(coversDate({ validFrom: '2020-01-01', validTo: null }, '2999-01-01')).toBe(true);
  });

  it('refuses an overlapping period in the same alliance, allows a later one', () => {
    const overlapping = { allianceId: 'A', organizationId: 'T2', role: 'member' as const, validFrom: '2025-01-01', validTo: null };
    expect(membershipConflict(history, overlapping)).toBe(history[2]);
    const back = { allianceId: 'A', organizationId: 'T1', role: 'member' as const, validFrom: '2024-07-01', validTo: null };
    expect(membershipConflict(history, back)).toBeNull();
  });
});

describe('ICD-10 codes', () => {
  it('normalises national-extension and dotted codes', () => {
    expect(normaliseIcd10('I10.x00x002')).toBe('I10');
    expect(normaliseIcd10('e11.900')).toBe('E119');
    expect(normaliseIcd10('J06.9')).toBe('J069');
    expect(normaliseIcd10('hypertension')).toBeNull();
  });

  it('parses ranges and treats a bare end code as covering its subcodes', () => {
    expect(parseIcdRange('E10-E14')).toEqual({ from: 'E10', to: 'E14' });
    expect(icdInRange('E149', 'E10', 'E14')).toBe(true);
    expect(icdInRange('E15', 'E10', 'E14')).toBe(false);
    expect(icdInRange('E09', 'E10', 'E14')).toBe(false);
    expect(parseIcdRange('Z99-A00')).toBeNull();
  });
});

describe('tier catalogue lookup', () => {
  const entries: CatalogueEntry[] = [
    { tier: 'township-health-center', allianceId: null, codeFrom: 'I10', codeTo: 'I10', effect: 'include', label: '高血压' },
    { tier: 'township-health-center', allianceId: null, codeFrom: 'E10', codeTo: 'E14', effect: 'include', label: '糖尿病' },
    { tier: 'township-health-center', allianceId: null, codeFrom: 'E10', codeTo: 'E10', effect: 'exclude', label: '1型糖尿病' },
    { tier: 'township-health-center', allianceId: 'CT', codeFrom: 'K35', codeTo: 'K37', effect: 'include', label: '阑尾炎' },
    { tier: 'township-health-center', allianceId: 'CT', codeFrom: 'I10', codeTo: 'I10', effect: 'exclude', label: '本地调整' },
  ];

  it('covers a condition in the default catalogue', () => {
    expect(tierCovers(entries, 'township-health-center', 'E11.900', null)).toMatchObject({ covered: true, fromOverride: false });
  });

  it('lets an exclusion beat an inclusion at the same level', () => {
    expect(tierCovers(entries, 'township-health-center', 'E10.9', null).covered).toBe(false);
  });

  it('applies the alliance override both ways', () => {
    expect(tierCovers(entries, 'township-health-center', 'K35.8', 'CT')).toMatchObject({ covered: true, fromOverride: true });
    expect(tierCovers(entries, 'township-health-center', 'K35.8', null).covered).toBe(false);
    expect(tierCovers(entries, 'township-health-center', 'I10', 'CT')).toMatchObject({ covered: false, fromOverride: true });
    expect(tierCovers(entries, 'township-health-center', 'I10', 'OTHER').covered).toBe(true);
  });

  it('does not cover what no entry names, nor a different tier', () => {
    expect(tierCovers(entries, 'township-health-center', 'C34.9', null)).toEqual({ covered: false, entry: null, fromOverride: false });
    expect(tierCovers(entries, 'county-hospital', 'I10', null).covered).toBe(false);
  });
});

describe('time-limited roles (派驻/巡回)', () => {
  const roles: RolePeriod[] = [
    { practitionerId: 'P1', organizationId: 'T1', kind: 'stationed', validFrom: '2026-01-01', validTo: '2026-07-01' },
    { practitionerId: 'P1', organizationId: 'T2', kind: 'circuit', validFrom: '2026-03-01', validTo: '2026-04-01' },
  ];
  const proposed = (o: Partial<RolePeriod>): RolePeriod => ({ practitionerId: 'P1', organizationId: 'T1', kind: 'stationed', validFrom: '2026-06-01', validTo: '2026-09-01', ...o });

  it('refuses an overlapping role of the same kind at the same facility', () => {
    expect(practitionerRoleConflict(roles, proposed({}))).toBe(roles[0]);
    expect(practitionerRoleConflict(roles, proposed({ validFrom: '2025-12-01', validTo: '2026-01-02' }))).toBe(roles[0]);
  });

  it('allows back-to-back periods (half-open), other kinds, other facilities and other practitioners', () => {
    expect(practitionerRoleConflict(roles, proposed({ validFrom: '2026-07-01' }))).toBeNull();
    expect(practitionerRoleConflict(roles, proposed({ validFrom: '2025-06-01', validTo: '2026-01-01' }))).toBeNull();
    expect(practitionerRoleConflict(roles, proposed({ kind: 'circuit' }))).toBeNull();
    expect(practitionerRoleConflict(roles, proposed({ organizationId: 'T3' }))).toBeNull();
    expect(practitionerRoleConflict(roles, proposed({ practitionerId: 'P2' }))).toBeNull();
  });
});

describe('support pairings (对口帮扶)', () => {
  const pairings: PairingPeriod[] = [{ supportingOrganizationId: 'C', supportedOrganizationId: 'T1', validFrom: '2024-01-01', validTo: null }];

  it('refuses an overlapping pairing of the same two organizations, in either direction', () => {
    expect(pairingConflict(pairings, { supportingOrganizationId: 'C', supportedOrganizationId: 'T1', validFrom: '2030-01-01', validTo: null })).toBe(pairings[0]);
    expect(pairingConflict(pairings, { supportingOrganizationId: 'T1', supportedOrganizationId: 'C', validFrom: '2025-01-01', validTo: '2025-02-01' })).toBe(pairings[0]);
  });

  it('allows a period before the existing one and pairings with other organizations', () => {
    expect(pairingConflict(pairings, { supportingOrganizationId: 'C', supportedOrganizationId: 'T1', validFrom: '2023-01-01', validTo: '2024-01-01' })).toBeNull();
    expect(pairingConflict(pairings, { supportingOrganizationId: 'C', supportedOrganizationId: 'T2', validFrom: '2025-01-01', validTo: null })).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import type { RoleCode } from '../../contracts/codes.js';
import type { Actor } from '../../shared/context.js';
import { auditScope, decidePatientAccess, derivePatientScope, lockAfterFailure } from './access.rules.js';

const actor = (org: string | null, ...roles: RoleCode[]): Actor => ({ userId: 'u', username: 'u', organizationId: org, roles });
const facts = { supervisedOrganizationIds: ['V1', 'V2'], allianceMemberOrganizationIds: ['T', 'V1', 'V2', 'C', 'T2', 'V3'] };

describe('patient access decisions', () => {
  it('a village doctor reads own-clinic patients only', () => {
    const scope = derivePatientScope(actor('V1', 'village-doctor'), { supervisedOrganizationIds: [], allianceMemberOrganizationIds: facts.allianceMemberOrganizationIds });
    expect(decidePatientAccess(scope, 'V1')).toEqual({ allowed: true, basis: 'own-facility' });
    expect(decidePatientAccess(scope, 'V2').allowed).toBe(false);
    expect(decidePatientAccess(scope, 'V3').allowed).toBe(false);
  });

  it('a township doctor reads patients of the village clinics the center supervises, not of another township', () => {
    const scope = derivePatientScope(actor('T', 'township-doctor'), facts);
    expect(decidePatientAccess(scope, 'T')).toEqual({ allowed: true, basis: 'own-facility' });
    expect(decidePatientAccess(scope, 'V2')).toEqual({ allowed: true, basis: 'supervising-facility' });
    expect(decidePatientAccess(scope, 'V3').allowed).toBe(false);
  });

  it('the referral desk reads any member facility of its alliance, with the alliance basis', () => {
    const scope = derivePatientScope(actor('C', 'referral-desk'), facts);
    expect(decidePatientAccess(scope, 'V3')).toEqual({ allowed: true, basis: 'alliance-role' });
    expect(decidePatientAccess(scope, 'C')).toEqual({ allowed: true, basis: 'own-facility' });
    expect(decidePatientAccess(scope, 'ELSEWHERE').allowed).toBe(false);
  });

  it('a county specialist needs a basis beyond the own hospital (e.g. an open referral)', () => {
    const scope = derivePatientScope(actor('C', 'county-specialist'), facts);
    expect(decidePatientAccess(scope, 'V3').allowed).toBe(false);
    expect(decidePatientAccess(scope, 'V3', ['open-referral'])).toEqual({ allowed: true, basis: 'open-referral' });
  });

  it('administrators and commission officers have no clinical access', () => {
    expect(derivePatientScope(actor('C', 'system-admin'), facts).size).toBe(0);
    expect(derivePatientScope(actor('C', 'commission-officer'), facts).size).toBe(0);
    expect(derivePatientScope(actor(null, 'village-doctor'), facts).size).toBe(0);
  });

  it('audit log visibility', () => {
    expect(auditScope(actor(null, 'system-admin'), [])).toBeNull();
    expect(auditScope(actor('C', 'alliance-admin'), ['C', 'T'])).toEqual(['C', 'T']);
    expect(auditScope(actor('V1', 'village-doctor'), ['V1'])).toBe('none');
  });

  it('locks an account after five consecutive failures', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(lockAfterFailure(4, now)).toBeNull();
    expect(lockAfterFailure(5, now)?.toISOString()).toBe('2026-01-01T00:15:00.000Z');
  });
});

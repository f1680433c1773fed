import type { AccessBasis, RoleCode } from '../../contracts/codes.js';
import type { Actor } from '../../shared/context.js';

/**
 * The one rule that decides access to patient data (architecture.md, defect family 2). List, detail, search,
 * export and write paths all go through `decidePatientAccess`, and list queries are restricted with the scope
 * from `derivePatientScope`, which is the same rule seen from the actor's side.
 */

/** Roles that see a patient because of the facility they work at. */
const facilityRoles: readonly RoleCode[] = [
  'village-doctor', 'township-doctor', 'county-specialist', 'center-reader', 'referral-desk', 'dispatch-coordinator',
  'alliance-admin',
];
/** Roles that work for the whole alliance (the referral desk coordinates every member's patients). */
const allianceRoles: readonly RoleCode[] = ['referral-desk', 'dispatch-coordinator', 'alliance-admin'];
/** Roles that supervise the village clinics under their township center (乡村一体化管理). */
const supervisingRoles: readonly RoleCode[] = ['township-doctor'];

/** Network facts about the actor's organization, as of today, that the rule needs. */
export interface ActorNetworkFacts {
  /** Village clinics supervised by the actor's organization. */
  supervisedOrganizationIds: readonly string[];
  /** Every organization sharing a county community or city group with the actor's organization today (itself included). */
  allianceMemberOrganizationIds: readonly string[];
}

/** Organizations whose patients the actor may access, each with the strongest basis. */
export type PatientScope = ReadonlyMap<string, AccessBasis>;

export function derivePatientScope(actor: Actor, facts: ActorNetworkFacts): PatientScope {
  const scope = new Map<string, AccessBasis>();
  const org = actor.organizationId;
  if (!org) return scope;
  const has = (roles: readonly RoleCode[]) => actor.roles.some((r) => roles.includes(r));
  if (has(allianceRoles)) for (const id of facts.allianceMemberOrganizationIds) scope.set(id, 'alliance-role');
  if (has(supervisingRoles)) for (const id of facts.supervisedOrganizationIds) scope.set(id, 'supervising-facility');
  if (has(facilityRoles)) scope.set(org, 'own-facility');
  return scope;
}

export type AccessDecision = { allowed: true; basis: AccessBasis } | { allowed: false; reason: string };

/**
 * May the actor read or write a patient managed by `managingOrganizationId`? Further bases (an open referral, a
 * family-doctor contract) arrive with their modules as extra entries in `extraBases`.
 */
export function decidePatientAccess(
  scope: PatientScope,
  managingOrganizationId: string,
  extraBases: readonly AccessBasis[] = [],
): AccessDecision {
  const basis = scope.get(managingOrganizationId) ?? extraBases[0];
  if (basis) return { allowed: true, basis };
  return { allowed: false, reason: '无权访问该患者信息：该患者不属于本机构，且没有转诊、签约或医共体职责等访问依据' };
}

/** Who may search and export the audit log, and over which organizations (null = all). */
export function auditScope(actor: Actor, allianceMemberOrganizationIds: readonly string[]): readonly string[] | null | 'none' {
  if (actor.roles.includes('system-admin') || actor.roles.includes('commission-officer')) return null;
  if (actor.roles.includes('alliance-admin')) return allianceMemberOrganizationIds;
  return 'none';
}

/** Account management: system admins everywhere; alliance admins for accounts at their alliance's members. */
export function mayManageAccounts(actor: Actor): boolean {
  return actor.roles.includes('system-admin') || actor.roles.includes('alliance-admin');
}

/** Sign-in throttling: after `maxFailures` consecutive failures the account is locked for `lockMinutes`. */
export const loginThrottle = { maxFailures: 5, lockMinutes: 15 } as const;

export function lockAfterFailure(failedLogins: number, now: Date): Date | null {
  return failedLogins >= loginThrottle.maxFailures ? new Date(now.getTime() + loginThrottle.lockMinutes * 60_000) : null;
}

/**
 * Enumerations declared once; they feed the database columns, the zod schemas and the UI labels.
 * Codes are the English names of ../shared/docs/glossary.md.
 */
export const facilityTiers = [
  'village-clinic',
  'township-health-center',
  'community-health-center',
  'county-hospital',
  'county-tcm-hospital',
  'county-mch-hospital',
  'city-hospital',
  'regional-medical-center',
  'national-medical-center',
] as const;
export type FacilityTier = (typeof facilityTiers)[number];

/** Rank of a tier from the bottom; county-level hospitals share a rank. */
export const tierRank: Record<FacilityTier, number> = {
  'village-clinic': 0,
  'township-health-center': 1,
  'community-health-center': 1,
  'county-hospital': 2,
  'county-tcm-hospital': 2,
  'county-mch-hospital': 2,
  'city-hospital': 3,
  'regional-medical-center': 4,
  'national-medical-center': 5,
};

/** Tiers that count as grassroots (基层) for indicators and access rules. */
export const grassrootsTiers: readonly FacilityTier[] = ['village-clinic', 'township-health-center', 'community-health-center'];

export const hospitalLevels = ['1', '2', '3'] as const;
export type HospitalLevel = (typeof hospitalLevels)[number];
export const hospitalGrades = ['A', 'B', 'C', 'ungraded'] as const;
export type HospitalGrade = (typeof hospitalGrades)[number];

export const ownershipKinds = ['public', 'private', 'collective', 'other'] as const;
export type Ownership = (typeof ownershipKinds)[number];

export const identifierKinds = ['uscc', 'local'] as const;
export type IdentifierKind = (typeof identifierKinds)[number];

export const allianceKinds = ['county-community', 'city-group', 'specialty-alliance', 'telemedicine-network'] as const;
export type AllianceKind = (typeof allianceKinds)[number];

export const membershipRoles = ['lead', 'member'] as const;
export type MembershipRole = (typeof membershipRoles)[number];

export const practitionerTitles = ['junior', 'intermediate', 'associate-senior', 'senior'] as const;
export type PractitionerTitle = (typeof practitionerTitles)[number];

export const practitionerRoleKinds = ['home', 'stationed', 'circuit', 'visiting'] as const;
export type PractitionerRoleKind = (typeof practitionerRoleKinds)[number];

export const professions = ['physician', 'nurse', 'pharmacist', 'technician', 'manager'] as const;
export type Profession = (typeof professions)[number];

export const divisionLevels = ['province', 'city', 'county', 'township', 'village'] as const;
export type DivisionLevel = (typeof divisionLevels)[number];

export const sexes = ['male', 'female'] as const;
export type Sex = (typeof sexes)[number];

export const catalogueEffects = ['include', 'exclude'] as const;
export type CatalogueEffect = (typeof catalogueEffects)[number];

export const roleCodes = [
  'village-doctor',
  'township-doctor',
  'county-specialist',
  'center-reader',
  'referral-desk',
  'dispatch-coordinator',
  'alliance-admin',
  'commission-officer',
  'system-admin',
] as const;
export type RoleCode = (typeof roleCodes)[number];

export const accessBases = [
  'own-facility',
  'supervising-facility',
  'alliance-role',
  'open-referral',
  'contract',
] as const;
export type AccessBasis = (typeof accessBases)[number];

export const auditActions = ['read', 'search', 'create', 'update', 'export', 'login', 'login-failed', 'denied'] as const;
export type AuditAction = (typeof auditActions)[number];

export const channels = ['api', 'fhir', 'ui', 'cli', 'scim', 'system'] as const;
export type Channel = (typeof channels)[number];

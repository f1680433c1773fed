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
  /** A reader of a shared diagnosis center reads the patient of a request sent to the center (issue 5). */
  'diagnosis-request',
] as const;
export type AccessBasis = (typeof accessBases)[number];

export const auditActions = ['read', 'search', 'create', 'update', 'export', 'login', 'login-failed', 'denied'] as const;
export type AuditAction = (typeof auditActions)[number];

export const channels = ['api', 'fhir', 'ui', 'cli', 'scim', 'system'] as const;
export type Channel = (typeof channels)[number];

// ---- Two-way referral (issue 3). Statuses are FHIR R4 task-status codes (http://hl7.org/fhir/task-status), the subset a
// referral uses; sub-states of `in-progress` travel as Task.businessStatus.
export const referralStatuses = ['draft', 'requested', 'accepted', 'rejected', 'in-progress', 'on-hold', 'completed', 'cancelled'] as const;
export type ReferralStatus = (typeof referralStatuses)[number];

/** Task.businessStatus while in progress: booked → arrived → admitted → discharged (awaiting the summary). */
export const referralSubStates = ['scheduled', 'arrived', 'admitted', 'discharged'] as const;
export type ReferralSubState = (typeof referralSubStates)[number];

export const referralDirections = ['up', 'down'] as const;
export type ReferralDirection = (typeof referralDirections)[number];

/** Urgency of a referral; FHIR ServiceRequest.priority maps routine→routine, urgent→urgent, emergency→stat. */
export const urgencies = ['routine', 'urgent', 'emergency'] as const;
export type Urgency = (typeof urgencies)[number];

/** Why a patient is sent down (2020 alliance measures): acute-illness recovery, post-operative recovery, stable critical illness. */
export const downReferralKinds = ['acute-recovery', 'post-operative', 'stable-critical'] as const;
export type DownReferralKind = (typeof downReferralKinds)[number];

/** Hold reasons; the `patient-*` ones stop the deadline clock (waiting for the patient is not the facility's delay). */
export const holdReasons = ['patient-unavailable', 'patient-deciding', 'awaiting-documents', 'other'] as const;
export type HoldReason = (typeof holdReasons)[number];
export const patientHoldReasons: readonly HoldReason[] = ['patient-unavailable', 'patient-deciding'];

export const consentMethods = ['signed-form', 'verbal-witnessed', 'electronic'] as const;
export type ConsentMethod = (typeof consentMethods)[number];

/** Actions on a referral; each is a row of the transition table in referral.rules.ts and an entry of the timeline. */
export const referralActions = [
  'create-draft', 'submit', 'accept', 'reject', 'cancel', 'hold', 'resume', 'redirect', 'book', 'arrive', 'admit',
  'discharge', 'complete', 'start-care', 'unbook',
] as const;
export type ReferralAction = (typeof referralActions)[number];

export const capacityKinds = ['outpatient', 'exam', 'bed'] as const;
export type CapacityKind = (typeof capacityKinds)[number];

/** FHIR slotstatus subset. */
export const slotStatuses = ['free', 'busy', 'busy-unavailable'] as const;
export type SlotStatus = (typeof slotStatuses)[number];

export const appointmentStatuses = ['booked', 'fulfilled', 'cancelled', 'noshow'] as const;
export type AppointmentStatus = (typeof appointmentStatuses)[number];

export const bedReservationStatuses = ['held', 'admitted', 'released', 'cancelled'] as const;
export type BedReservationStatus = (typeof bedReservationStatuses)[number];

export const carePlanTaskStatuses = ['open', 'done', 'cancelled'] as const;
export type CarePlanTaskStatus = (typeof carePlanTaskStatuses)[number];

export const carePlanTaskKinds = ['follow-up-visit', 'lab-test', 'medication-review', 'rehabilitation', 'home-visit', 'other'] as const;
export type CarePlanTaskKind = (typeof carePlanTaskKinds)[number];

// ---- Deadline engine (shared by referral, diagnosis centers, critical values)
export const deadlineStates = ['running', 'paused', 'met', 'cancelled'] as const;
export type DeadlineState = (typeof deadlineStates)[number];

/** Rungs of the escalation ladder, bottom to top. */
export const escalationRungs = ['assigned', 'department-head', 'referral-desk', 'alliance-office'] as const;
export type EscalationRung = (typeof escalationRungs)[number];

// ---- Notifications
export const messageChannels = ['in-app', 'sms', 'wechat'] as const;
export type MessageChannel = (typeof messageChannels)[number];

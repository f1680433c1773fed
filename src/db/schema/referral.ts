import { sql } from 'drizzle-orm';
import {
  pgTable, pgSequence, bigserial, text, varchar, integer, date, timestamp, jsonb, index, uniqueIndex, check, numeric,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import {
  appointmentStatuses, bedReservationStatuses, capacityKinds, carePlanTaskKinds, carePlanTaskStatuses, consentMethods,
  downReferralKinds, holdReasons, referralActions, referralDirections, referralStatuses, referralSubStates, slotStatuses,
  urgencies,
} from '../../contracts/codes.js';
import { alliances, departments, organizations } from './network.js';
import { patients } from './patient.js';
import { users } from './identity.js';

/** Feeds the human referral number (转诊单号) printed on the slip: YYYYMMDD-NNNNNN. A sequence never hands a number out twice. */
export const referralNumberSeq = pgSequence('referral_number_seq', { startWith: 1, increment: 1 });

/** A result attached to a referral so the receiver looks it up instead of re-testing (domain §2, §4). */
export interface AttachedResult {
  kind: 'lab' | 'imaging' | 'ecg' | 'pathology' | 'other';
  title: string;
  date: string;
  summary: string;
  /** Id of the shared result when it lives in the platform (results module, later). */
  resultId?: string | undefined;
}

/** One medication line of a referral or a care plan. */
export interface MedicationLine {
  name: string;
  dose?: string | undefined;
  frequency?: string | undefined;
  note?: string | undefined;
}

/**
 * A referral (转诊) between two facilities — up or down. Its status is a FHIR task-status; `subState` is the
 * Task.businessStatus while in progress. Both the origin and the destination organization are on the row from the
 * start: every access decision starts from them.
 */
export const referrals = pgTable(
  'referrals',
  {
    id: text('id').primaryKey(),
    number: text('number').notNull(),
    direction: text('direction', { enum: referralDirections }).notNull(),
    status: text('status', { enum: referralStatuses }).notNull(),
    subState: text('sub_state', { enum: referralSubStates }),
    /** Status to return to when an on-hold referral resumes. */
    heldFromStatus: text('held_from_status', { enum: referralStatuses }),
    heldFromSubState: text('held_from_sub_state', { enum: referralSubStates }),
    holdReason: text('hold_reason', { enum: holdReasons }),
    /** Set while an accepted referral waits because no reserved slot or bed was free (the "no capacity" worklist). */
    noCapacitySince: timestamp('no_capacity_since', { withTimezone: true }),
    urgency: text('urgency', { enum: urgencies }).notNull(),
    patientId: text('patient_id').notNull().references(() => patients.id),
    originOrganizationId: text('origin_organization_id').notNull().references(() => organizations.id),
    originDepartmentId: text('origin_department_id').references(() => departments.id),
    requesterUserId: text('requester_user_id').references(() => users.id),
    requesterName: text('requester_name').notNull(),
    destinationOrganizationId: text('destination_organization_id').notNull().references(() => organizations.id),
    destinationDepartmentId: text('destination_department_id').references(() => departments.id),
    /** Receiving doctor once accepted (first rung of the escalation ladder). */
    assignedUserId: text('assigned_user_id').references(() => users.id),
    /** Alliance through which the referral runs (the desk that watches it); null for out-of-alliance referrals. */
    allianceId: text('alliance_id').references(() => alliances.id),
    /** County of the patient's residence: partition key for county-scale data and indicators. */
    countyCode: varchar('county_code', { length: 6 }),
    diagnosisCode: varchar('diagnosis_code', { length: 10 }).notNull(),
    diagnosisName: text('diagnosis_name').notNull(),
    secondaryDiagnoses: text('secondary_diagnoses').array().notNull().default(sql`'{}'::text[]`),
    reason: text('reason').notNull(),
    clinicalSummary: text('clinical_summary').notNull(),
    treatmentGiven: text('treatment_given'),
    medications: jsonb('medications').$type<MedicationLine[]>().notNull().default(sql`'[]'::jsonb`),
    attachedResults: jsonb('attached_results').$type<AttachedResult[]>().notNull().default(sql`'[]'::jsonb`),
    /** Informed consent of the patient (国卫办医政发〔2024〕21号): who consented, how, when. */
    consentBy: text('consent_by'),
    consentMethod: text('consent_method', { enum: consentMethods }),
    consentAt: timestamp('consent_at', { withTimezone: true }),
    downKind: text('down_kind', { enum: downReferralKinds }),
    /** Set when the sender was warned the diagnosis is in their own tier catalogue and sent anyway. */
    inOwnCatalogueNote: text('in_own_catalogue_note'),
    /** First-ranked destination of the routing recommendation when the referral was filed; differs from the destination when overridden. */
    recommendedOrganizationId: text('recommended_organization_id').references(() => organizations.id),
    overrideReason: text('override_reason'),
    rejectionReason: text('rejection_reason'),
    cancelReason: text('cancel_reason'),
    /** The rejected referral this one re-sends elsewhere. */
    previousReferralId: text('previous_referral_id').references((): AnyPgColumn => referrals.id),
    /** Visit or discharge summary returned to the sender (closes an up-referral). */
    returnedSummary: text('returned_summary'),
    contactPhone: varchar('contact_phone', { length: 20 }),
    requestedAt: timestamp('requested_at', { withTimezone: true }),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    arrivedAt: timestamp('arrived_at', { withTimezone: true }),
    admittedAt: timestamp('admitted_at', { withTimezone: true }),
    dischargedAt: timestamp('discharged_at', { withTimezone: true }),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    /** Incremented on every change: optimistic concurrency for UI and FHIR updates. */
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('referrals_number_uq').on(t.number),
    index('referrals_patient_idx').on(t.patientId, t.createdAt),
    index('referrals_origin_idx').on(t.originOrganizationId, t.status, t.createdAt),
    index('referrals_destination_idx').on(t.destinationOrganizationId, t.status, t.createdAt),
    index('referrals_alliance_idx').on(t.allianceId, t.status, t.createdAt),
    index('referrals_county_idx').on(t.countyCode, t.createdAt),
    index('referrals_no_capacity_idx').on(t.noCapacitySince).where(sql`${t.noCapacitySince} is not null`),
    check('referrals_origin_not_destination', sql`${t.originOrganizationId} <> ${t.destinationOrganizationId}`),
  ],
);

/** Timeline of a referral: one row per transition or notable event. Append-only. */
export const referralEvents = pgTable(
  'referral_events',
  {
    id: text('id').primaryKey(),
    /** Insertion order: several events of one transaction share a timestamp. */
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    referralId: text('referral_id').notNull().references(() => referrals.id),
    at: timestamp('at', { withTimezone: true }).notNull(),
    /** A lifecycle action, or an event such as `escalated`, `notified`, `deadline-missed`. */
    action: text('action', { enum: [...referralActions, 'escalated', 'overdue', 'notified', 'task-done', 'note'] }).notNull(),
    fromStatus: text('from_status', { enum: referralStatuses }),
    toStatus: text('to_status', { enum: referralStatuses }),
    fromSubState: text('from_sub_state', { enum: referralSubStates }),
    toSubState: text('to_sub_state', { enum: referralSubStates }),
    actorUserId: text('actor_user_id'),
    actorName: text('actor_name').notNull(),
    reason: text('reason'),
    detail: jsonb('detail'),
  },
  (t) => [index('referral_events_referral_idx').on(t.referralId, t.at)],
);

/** Continuing-care plan sent with a down-referral: what the grassroots doctor continues, and when to send the patient back. */
export const carePlans = pgTable('care_plans', {
  referralId: text('referral_id').primaryKey().references(() => referrals.id),
  diagnosisSummary: text('diagnosis_summary').notNull(),
  medications: jsonb('medications').$type<MedicationLine[]>().notNull().default(sql`'[]'::jsonb`),
  rehabilitationAdvice: text('rehabilitation_advice'),
  /** Warning signs (预警症状) on which the patient is sent back up. */
  warningSigns: text('warning_signs').array().notNull().default(sql`'{}'::text[]`),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});

export const carePlanTasks = pgTable(
  'care_plan_tasks',
  {
    id: text('id').primaryKey(),
    referralId: text('referral_id').notNull().references(() => carePlans.referralId),
    kind: text('kind', { enum: carePlanTaskKinds }).notNull(),
    title: text('title').notNull(),
    dueDate: date('due_date').notNull(),
    /** The receiving grassroots facility (copied from the referral so worklists need no join). */
    organizationId: text('organization_id').notNull().references(() => organizations.id),
    assignedUserId: text('assigned_user_id').references(() => users.id),
    status: text('status', { enum: carePlanTaskStatuses }).notNull().default('open'),
    outcome: text('outcome'),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    completedBy: text('completed_by'),
  },
  (t) => [
    index('care_plan_tasks_referral_idx').on(t.referralId),
    index('care_plan_tasks_org_idx').on(t.organizationId, t.status, t.dueDate),
  ],
);

// ---- Reserved capacity (号源/床位预留)

/**
 * How much of an upper facility's capacity is held for referrals, and for whom: a whole alliance, one member facility,
 * or (neither) any referral. Applied when slots are published; `releaseHoursBefore` frees unused reserved slots for
 * general booking that long before they start.
 */
export const capacityPolicies = pgTable(
  'capacity_policies',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id').notNull().references(() => organizations.id),
    departmentId: text('department_id').references(() => departments.id),
    kind: text('kind', { enum: capacityKinds }).notNull(),
    allianceId: text('alliance_id').references(() => alliances.id),
    memberOrganizationId: text('member_organization_id').references(() => organizations.id),
    /** Share of new slots (or beds) reserved, 0–1. */
    referralShare: numeric('referral_share', { precision: 4, scale: 3 }).notNull(),
    releaseHoursBefore: integer('release_hours_before').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    createdBy: text('created_by'),
  },
  (t) => [
    index('capacity_policies_org_idx').on(t.organizationId, t.kind),
    check('capacity_policies_share', sql`${t.referralShare} >= 0 and ${t.referralShare} <= 1`),
    check('capacity_policies_release', sql`${t.releaseHoursBefore} >= 0`),
  ],
);

/** Daily slot pattern of a schedule: minute-of-day sessions in Asia/Shanghai. */
export interface SlotTemplate {
  sessions: [number, number][];
  slotMinutes: number;
  includeWeekends: boolean;
  daysAhead: number;
}

/** Feeds admission notice numbers (入院通知单号) RYyyyymmdd-NNNNNN: a sequence never hands a number out twice. */
export const admissionNoticeSeq = pgSequence('admission_notice_seq', { startWith: 1, increment: 1 });

/** A bookable service of a department: an outpatient clinic session or an exam (FHIR Schedule). */
export const schedules = pgTable(
  'schedules',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id').notNull().references(() => organizations.id),
    departmentId: text('department_id').notNull().references(() => departments.id),
    kind: text('kind', { enum: ['outpatient', 'exam'] }).notNull(),
    name: text('name').notNull(),
    practitionerName: text('practitioner_name'),
    active: integer('active').notNull().default(1),
    /** How slots are cut each day; set → the daily capacity job keeps slots published `daysAhead` days ahead. */
    template: jsonb('template').$type<SlotTemplate>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('schedules_org_idx').on(t.organizationId, t.departmentId)],
);

/**
 * A bookable time slot (FHIR Slot). Reserved slots carry who they are held for and when they are released; a slot is
 * reserved while `reservedFor*` is set and now < releaseAt. Booking flips `status` free→busy with a conditional update,
 * and the partial unique index on appointments(slot_id) makes a double booking impossible even if that were bypassed.
 */
export const slots = pgTable(
  'slots',
  {
    id: text('id').primaryKey(),
    scheduleId: text('schedule_id').notNull().references(() => schedules.id),
    organizationId: text('organization_id').notNull().references(() => organizations.id),
    departmentId: text('department_id').notNull().references(() => departments.id),
    kind: text('kind', { enum: ['outpatient', 'exam'] }).notNull(),
    start: timestamp('start', { withTimezone: true }).notNull(),
    end: timestamp('end', { withTimezone: true }).notNull(),
    status: text('status', { enum: slotStatuses }).notNull().default('free'),
    /** Held for referrals (号源预留). */
    reserved: integer('reserved').notNull().default(0),
    reservedForAllianceId: text('reserved_for_alliance_id').references(() => alliances.id),
    reservedForOrganizationId: text('reserved_for_organization_id').references(() => organizations.id),
    releaseAt: timestamp('release_at', { withTimezone: true }),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    // One slot per start time per schedule: re-publishing (or the daily job racing a user) cannot duplicate slots.
    uniqueIndex('slots_schedule_start_uq').on(t.scheduleId, t.start),
    index('slots_org_start_idx').on(t.organizationId, t.start),
    check('slots_period', sql`${t.end} > ${t.start}`),
  ],
);

export const appointments = pgTable(
  'appointments',
  {
    id: text('id').primaryKey(),
    slotId: text('slot_id').notNull().references(() => slots.id),
    referralId: text('referral_id').references(() => referrals.id),
    patientId: text('patient_id').notNull().references(() => patients.id),
    organizationId: text('organization_id').notNull().references(() => organizations.id),
    status: text('status', { enum: appointmentStatuses }).notNull(),
    bookedAt: timestamp('booked_at', { withTimezone: true }).notNull(),
    bookedBy: text('booked_by').notNull(),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
    cancelReason: text('cancel_reason'),
  },
  (t) => [
    // At most one live booking per slot and per referral — the database, not application code, is the last guard.
    uniqueIndex('appointments_slot_booked_uq').on(t.slotId).where(sql`${t.status} in ('booked','fulfilled')`),
    uniqueIndex('appointments_referral_booked_uq').on(t.referralId).where(sql`${t.status} = 'booked'`),
    index('appointments_referral_idx').on(t.referralId),
    index('appointments_patient_idx').on(t.patientId),
  ],
);

/** Beds of a department held for referrals (床位预留), per day; `heldBeds` counts live reservations on that day. */
export const bedPools = pgTable(
  'bed_pools',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id').notNull().references(() => organizations.id),
    departmentId: text('department_id').notNull().references(() => departments.id),
    name: text('name').notNull(),
    /** Beds reserved for referrals each day. */
    reservedBeds: integer('reserved_beds').notNull(),
    reservedForAllianceId: text('reserved_for_alliance_id').references(() => alliances.id),
    reservedForOrganizationId: text('reserved_for_organization_id').references(() => organizations.id),
    /** Unused reserved beds return to general admission this many hours before the day starts (Asia/Shanghai). */
    releaseHoursBefore: integer('release_hours_before').notNull().default(12),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('bed_pools_org_idx').on(t.organizationId, t.departmentId),
    check('bed_pools_reserved_nonneg', sql`${t.reservedBeds} >= 0`),
  ],
);

/** Per-day counter of a bed pool; the conditional `held < capacity` update is the atomic booking. */
export const bedPoolDays = pgTable(
  'bed_pool_days',
  {
    bedPoolId: text('bed_pool_id').notNull().references(() => bedPools.id),
    day: date('day').notNull(),
    capacity: integer('capacity').notNull(),
    held: integer('held').notNull().default(0),
  },
  (t) => [
    uniqueIndex('bed_pool_days_pk').on(t.bedPoolId, t.day),
    check('bed_pool_days_within', sql`${t.held} >= 0 and ${t.held} <= ${t.capacity}`),
  ],
);

export const bedReservations = pgTable(
  'bed_reservations',
  {
    id: text('id').primaryKey(),
    bedPoolId: text('bed_pool_id').notNull().references(() => bedPools.id),
    day: date('day').notNull(),
    referralId: text('referral_id').notNull().references(() => referrals.id),
    patientId: text('patient_id').notNull().references(() => patients.id),
    organizationId: text('organization_id').notNull().references(() => organizations.id),
    status: text('status', { enum: bedReservationStatuses }).notNull(),
    /** Admission notice (入院通知) number; the notice goes to the sender and the patient the day it is made. */
    admissionNoticeNumber: text('admission_notice_number').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    createdBy: text('created_by').notNull(),
  },
  (t) => [
    uniqueIndex('bed_reservations_referral_live_uq').on(t.referralId).where(sql`${t.status} in ('held','admitted')`),
    uniqueIndex('bed_reservations_notice_uq').on(t.admissionNoticeNumber),
    index('bed_reservations_pool_day_idx').on(t.bedPoolId, t.day),
  ],
);

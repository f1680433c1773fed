import { sql } from 'drizzle-orm';
import {
  pgTable, pgSequence, bigserial, bigint, boolean, text, varchar, integer, date, timestamp, jsonb, index, uniqueIndex, check,
} from 'drizzle-orm/pg-core';
import { urgencies } from '../../contracts/codes.js';
import {
  attachmentKinds, centerMemberModes, centerTypes, criticalLogKinds, criticalValueStates, diagnosisActions, diagnosisRequestKinds,
  diagnosisStatuses, imageQualityStates, modalities, reportStatuses, shiftRoles,
} from '../../contracts/diagnosis.js';
import { organizations } from './network.js';
import { patients } from './patient.js';
import { users } from './identity.js';

/** Feeds the human request number (申请单号) DX-YYYYMMDD-NNNNNN. */
export const diagnosisRequestNumberSeq = pgSequence('diagnosis_request_number_seq', { startWith: 1, increment: 1 });

/**
 * A shared diagnosis center (资源共享中心, domain.md §3): a service of its host organization (usually the county lead
 * hospital). One center per type per host, so the host's deadline-policy overrides are the center's turnaround times.
 */
export const diagnosisCenters = pgTable(
  'diagnosis_centers',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id').notNull().references(() => organizations.id),
    type: text('type', { enum: centerTypes }).notNull(),
    name: text('name').notNull(),
    requiresSecondSignoff: boolean('requires_second_signoff').notNull().default(false),
    memberMode: text('member_mode', { enum: centerMemberModes }).notNull().default('alliance'),
    reportHeader: text('report_header'),
    phone: text('phone'),
    active: boolean('active').notNull().default(true),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('diagnosis_centers_org_type_uq').on(t.organizationId, t.type)],
);

/** Facilities a center serves when its member mode is `listed`. */
export const diagnosisCenterMembers = pgTable(
  'diagnosis_center_members',
  {
    centerId: text('center_id').notNull().references(() => diagnosisCenters.id),
    organizationId: text('organization_id').notNull().references(() => organizations.id),
  },
  (t) => [uniqueIndex('diagnosis_center_members_uq').on(t.centerId, t.organizationId)],
);

/** A reader (诊断医师) of a center: a signed-in account with its specialties (modalities or sub-specialties). */
export const diagnosisReaders = pgTable(
  'diagnosis_readers',
  {
    id: text('id').primaryKey(),
    centerId: text('center_id').notNull().references(() => diagnosisCenters.id),
    userId: text('user_id').notNull().references(() => users.id),
    specialties: text('specialties').array().notNull().default(sql`'{}'::text[]`),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('diagnosis_readers_center_user_uq').on(t.centerId, t.userId), index('diagnosis_readers_user_idx').on(t.userId)],
);

/** Duty roster (排班): one shift of one reader; the duty head (值班组长) receives escalations of overdue work. */
export const diagnosisShifts = pgTable(
  'diagnosis_shifts',
  {
    id: text('id').primaryKey(),
    centerId: text('center_id').notNull().references(() => diagnosisCenters.id),
    readerId: text('reader_id').notNull().references(() => diagnosisReaders.id),
    /** Roster day in China Standard Time (a night shift belongs to the day it starts). */
    day: date('day').notNull(),
    startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
    endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
    role: text('role', { enum: shiftRoles }).notNull().default('reader'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('diagnosis_shifts_center_time_idx').on(t.centerId, t.startsAt),
    check('diagnosis_shifts_period', sql`${t.endsAt} > ${t.startsAt}`),
  ],
);

/** Report templates (报告模板) per examination item. */
export const diagnosisTemplates = pgTable(
  'diagnosis_templates',
  {
    id: text('id').primaryKey(),
    centerId: text('center_id').notNull().references(() => diagnosisCenters.id),
    examType: text('exam_type').notNull(),
    modality: text('modality', { enum: modalities }),
    name: text('name').notNull(),
    findings: text('findings').notNull(),
    impression: text('impression').notNull(),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('diagnosis_templates_center_idx').on(t.centerId, t.examType)],
);

/**
 * A request (申请) from a member facility to a center, and its worklist item. Both the requesting and the center's
 * organization are on the row from the start: every access decision starts from them. `claimedBy` is set only by a
 * conditional UPDATE (… WHERE claimed_by IS NULL), which makes a claim exclusive.
 */
export const diagnosisRequests = pgTable(
  'diagnosis_requests',
  {
    id: text('id').primaryKey(),
    number: text('number').notNull(),
    kind: text('kind', { enum: diagnosisRequestKinds }).notNull().default('exam'),
    status: text('status', { enum: diagnosisStatuses }).notNull(),
    urgency: text('urgency', { enum: urgencies }).notNull(),
    centerId: text('center_id').notNull().references(() => diagnosisCenters.id),
    centerOrganizationId: text('center_organization_id').notNull().references(() => organizations.id),
    requesterOrganizationId: text('requester_organization_id').notNull().references(() => organizations.id),
    requesterUserId: text('requester_user_id').references(() => users.id),
    requesterName: text('requester_name').notNull(),
    patientId: text('patient_id').notNull().references(() => patients.id),
    /** County of the patient's residence: partition key for county-scale data and indicators. */
    countyCode: varchar('county_code', { length: 6 }),
    modality: text('modality', { enum: modalities }).notNull(),
    examType: text('exam_type').notNull(),
    bodyPart: text('body_part'),
    clinicalQuestion: text('clinical_question').notNull(),
    clinicalSummary: text('clinical_summary'),
    /** Reader the roster or the duty head put it with (a suggestion until claimed). */
    assignedUserId: text('assigned_user_id').references(() => users.id),
    claimedBy: text('claimed_by').references(() => users.id),
    claimedAt: timestamp('claimed_at', { withTimezone: true }),
    imageQuality: text('image_quality', { enum: imageQualityStates }),
    returnReason: text('return_reason'),
    resubmitCount: integer('resubmit_count').notNull().default(0),
    cancelReason: text('cancel_reason'),
    submittedAt: timestamp('submitted_at', { withTimezone: true }).notNull(),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('diagnosis_requests_number_uq').on(t.number),
    index('diagnosis_requests_center_idx').on(t.centerId, t.status, t.createdAt),
    index('diagnosis_requests_requester_idx').on(t.requesterOrganizationId, t.status, t.createdAt),
    index('diagnosis_requests_patient_idx').on(t.patientId, t.createdAt),
    index('diagnosis_requests_claimed_idx').on(t.claimedBy).where(sql`${t.claimedBy} is not null`),
    index('diagnosis_requests_assigned_idx').on(t.assignedUserId).where(sql`${t.assignedUserId} is not null`),
  ],
);

/** Timeline of a request: one row per transition or notable event. Append-only. */
export const diagnosisEvents = pgTable(
  'diagnosis_events',
  {
    id: text('id').primaryKey(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    requestId: text('request_id').notNull().references(() => diagnosisRequests.id),
    at: timestamp('at', { withTimezone: true }).notNull(),
    action: text('action', { enum: [...diagnosisActions, 'create', 'overdue', 'escalated', 'attach', 'critical-acknowledged'] }).notNull(),
    fromStatus: text('from_status', { enum: diagnosisStatuses }),
    toStatus: text('to_status', { enum: diagnosisStatuses }),
    actorUserId: text('actor_user_id'),
    actorName: text('actor_name').notNull(),
    reason: text('reason'),
    detail: jsonb('detail'),
  },
  (t) => [index('diagnosis_events_request_idx').on(t.requestId, t.seq)],
);

/**
 * Metadata of a file attached to a request (DICOM, ECG waveform, PDF, image, slide). The bytes live behind the
 * storage interface under `storageKey`; size and SHA-256 are computed by the server from the bytes received.
 */
export const diagnosisAttachments = pgTable(
  'diagnosis_attachments',
  {
    id: text('id').primaryKey(),
    requestId: text('request_id').notNull().references(() => diagnosisRequests.id),
    /** The requesting facility, which owns the patient data. */
    organizationId: text('organization_id').notNull().references(() => organizations.id),
    kind: text('kind', { enum: attachmentKinds }).notNull(),
    fileName: text('file_name').notNull(),
    contentType: text('content_type').notNull(),
    sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull(),
    sha256: varchar('sha256', { length: 64 }).notNull(),
    storageKey: text('storage_key').notNull(),
    /** Parsed header facts (study/series UIDs, lead count …) once the media parsers fill them. */
    meta: jsonb('meta'),
    uploadedBy: text('uploaded_by').references(() => users.id),
    uploadedByName: text('uploaded_by_name').notNull(),
    uploadedAt: timestamp('uploaded_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('diagnosis_attachments_request_idx').on(t.requestId), check('diagnosis_attachments_size', sql`${t.sizeBytes} >= 0`)],
);

/** The report of a request (its current state); every version is kept in diagnosis_report_versions. */
export const diagnosisReports = pgTable(
  'diagnosis_reports',
  {
    id: text('id').primaryKey(),
    requestId: text('request_id').notNull().references(() => diagnosisRequests.id),
    status: text('status', { enum: reportStatuses }).notNull(),
    findings: text('findings').notNull(),
    impression: text('impression').notNull(),
    templateId: text('template_id').references(() => diagnosisTemplates.id),
    authorUserId: text('author_user_id').notNull().references(() => users.id),
    authorName: text('author_name').notNull(),
    signedOffBy: text('signed_off_by').references(() => users.id),
    signedOffByName: text('signed_off_by_name'),
    signedOffAt: timestamp('signed_off_at', { withTimezone: true }),
    finalizedAt: timestamp('finalized_at', { withTimezone: true }),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('diagnosis_reports_request_uq').on(t.requestId),
    check('diagnosis_reports_signer_differs', sql`${t.signedOffBy} is null or ${t.signedOffBy} <> ${t.authorUserId}`),
  ],
);

/** Every version of every report, append-only (amendments never overwrite what the requester already read). */
export const diagnosisReportVersions = pgTable(
  'diagnosis_report_versions',
  {
    id: text('id').primaryKey(),
    reportId: text('report_id').notNull().references(() => diagnosisReports.id),
    version: integer('version').notNull(),
    status: text('status', { enum: reportStatuses }).notNull(),
    findings: text('findings').notNull(),
    impression: text('impression').notNull(),
    authorUserId: text('author_user_id').references(() => users.id),
    authorName: text('author_name').notNull(),
    reason: text('reason'),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex('diagnosis_report_versions_uq').on(t.reportId, t.version)],
);

/**
 * A critical value (危急值) flagged by a reader. The requesting facility must acknowledge it with read-back (复述确认);
 * the acknowledgement is a conditional UPDATE … WHERE state = 'open', so it is recorded once.
 */
export const diagnosisCriticalValues = pgTable(
  'diagnosis_critical_values',
  {
    id: text('id').primaryKey(),
    requestId: text('request_id').notNull().references(() => diagnosisRequests.id),
    /** The facility that must acknowledge (the requester), owner of the patient data. */
    organizationId: text('organization_id').notNull().references(() => organizations.id),
    centerId: text('center_id').notNull().references(() => diagnosisCenters.id),
    finding: text('finding').notNull(),
    state: text('state', { enum: criticalValueStates }).notNull().default('open'),
    flaggedBy: text('flagged_by').notNull().references(() => users.id),
    flaggedByName: text('flagged_by_name').notNull(),
    flaggedAt: timestamp('flagged_at', { withTimezone: true }).notNull(),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true }),
    acknowledgedBy: text('acknowledged_by').references(() => users.id),
    acknowledgedByName: text('acknowledged_by_name'),
    receivedBy: text('received_by'),
    readBack: text('read_back'),
    actionTaken: text('action_taken'),
  },
  (t) => [
    index('diagnosis_critical_values_request_idx').on(t.requestId),
    index('diagnosis_critical_values_org_idx').on(t.organizationId, t.state, t.flaggedAt),
  ],
);

/** The critical-value callback log (危急值登记本). Append-only: the repository has no update or delete for it. */
export const diagnosisCriticalLog = pgTable(
  'diagnosis_critical_log',
  {
    id: text('id').primaryKey(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    criticalValueId: text('critical_value_id').notNull().references(() => diagnosisCriticalValues.id),
    at: timestamp('at', { withTimezone: true }).notNull(),
    kind: text('kind', { enum: criticalLogKinds }).notNull(),
    actorUserId: text('actor_user_id'),
    actorName: text('actor_name').notNull(),
    text: text('text').notNull(),
    detail: jsonb('detail'),
  },
  (t) => [index('diagnosis_critical_log_value_idx').on(t.criticalValueId, t.seq)],
);

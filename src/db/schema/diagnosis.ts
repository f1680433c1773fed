import { sql } from 'drizzle-orm';
import {
  pgTable, pgSequence, bigserial, bigint, boolean, text, varchar, integer, date, timestamp, jsonb, index, uniqueIndex, check, numeric,
} from 'drizzle-orm/pg-core';
import { urgencies } from '../../contracts/codes.js';
import {
  attachmentKinds, centerMemberModes, centerTypes, criticalLogKinds, criticalValueStates, diagnosisActions, diagnosisRequestKinds,
  diagnosisStatuses, imageQualityStates, labFlags, modalities, reportStatuses, shiftRoles, specimenBarcodeSources, specimenStates,
} from '../../contracts/diagnosis.js';
import { consentSigners, consultationEventActions, consultationKinds, consultationStatuses, expertRoles, expertStates } from '../../contracts/diagnosis-consultation.js';
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
    /**
     * Due time of the request's running report (or consultation-respond) deadline, copied from `deadlines` in the same
     * transaction as every move of that clock (start, pause, resume, meet, cancel); null while it has none running —
     * paused (returned for a retake), met or cancelled. It orders the worklist from an index on this table alone, so a
     * page does not probe the deadline of every open item (docs/benchmarks.md, worklist). `test/diagnosis-due.int.test.ts`
     * checks it against the live deadline.
     */
    dueAt: timestamp('due_at', { withTimezone: true }),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('diagnosis_requests_number_uq').on(t.number),
    // A center's worklist page: a range scan in page order (soonest due, then oldest) over the open exams alone.
    index('diagnosis_requests_worklist_idx').on(t.centerId, t.dueAt, t.createdAt, t.id)
      .where(sql`${t.status} in ('requested', 'in-progress', 'preliminary', 'awaiting-signoff') and ${t.kind} = 'exam'`),
    // The requester's open requests in the same order (returned ones included: they wait on the requester).
    index('diagnosis_requests_sent_open_idx').on(t.requesterOrganizationId, t.dueAt, t.createdAt, t.id)
      .where(sql`${t.status} in ('requested', 'in-progress', 'returned', 'preliminary', 'awaiting-signoff') and ${t.kind} = 'exam'`),
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
    action: text('action', { enum: [...diagnosisActions, 'create', 'overdue', 'escalated', 'attach', 'critical-acknowledged', 'specimen-received'] }).notNull(),
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

// ---- lab (检验): specimens and result values

/**
 * A specimen of a lab request (标本). The barcode is unique across the platform under a unique index: registration is
 * `INSERT … ON CONFLICT (barcode) DO NOTHING`, so two requesters racing for one barcode cannot both get it. Receipt by
 * the lab (签收) is a conditional UPDATE … WHERE state = 'registered', recorded once.
 */
export const diagnosisSpecimens = pgTable(
  'diagnosis_specimens',
  {
    id: text('id').primaryKey(),
    requestId: text('request_id').notNull().references(() => diagnosisRequests.id),
    /** The requesting facility, which collected the specimen and owns the patient data. */
    organizationId: text('organization_id').notNull().references(() => organizations.id),
    barcode: text('barcode').notNull(),
    barcodeSource: text('barcode_source', { enum: specimenBarcodeSources }).notNull(),
    specimenType: text('specimen_type').notNull(),
    container: text('container'),
    /** The label sheet (PDF attachment) the barcode was printed on. */
    labelAttachmentId: text('label_attachment_id').references(() => diagnosisAttachments.id),
    state: text('state', { enum: specimenStates }).notNull().default('registered'),
    collectedAt: timestamp('collected_at', { withTimezone: true }).notNull(),
    collectedBy: text('collected_by').references(() => users.id),
    collectedByName: text('collected_by_name').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }),
    receivedBy: text('received_by').references(() => users.id),
    receivedByName: text('received_by_name'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('diagnosis_specimens_barcode_uq').on(t.barcode),
    index('diagnosis_specimens_request_idx').on(t.requestId, t.createdAt),
    check('diagnosis_specimens_received', sql`(${t.state} = 'received') = (${t.receivedAt} is not null)`),
  ],
);

/**
 * Result values of a lab report version (检验结果): clinical data of the version they were released with, so each
 * version row owns its values. Append-only like the versions: the repository has no update or delete for them.
 */
export const diagnosisLabResults = pgTable(
  'diagnosis_lab_results',
  {
    id: text('id').primaryKey(),
    requestId: text('request_id').notNull().references(() => diagnosisRequests.id),
    reportVersionId: text('report_version_id').notNull().references(() => diagnosisReportVersions.id),
    /** Order within the version, as entered. */
    position: integer('position').notNull(),
    /** Platform analyte code (K, NA …) or the code as entered. */
    analyteCode: text('analyte_code').notNull(),
    loinc: text('loinc'),
    analyteName: text('analyte_name').notNull(),
    /** The value as reported ("5.2", "阴性"); `value_numeric` holds it when it is a number. */
    valueText: text('value_text').notNull(),
    valueNumeric: numeric('value_numeric', { mode: 'number' }),
    unit: text('unit').notNull(),
    referenceLow: numeric('reference_low', { mode: 'number' }),
    referenceHigh: numeric('reference_high', { mode: 'number' }),
    referenceText: text('reference_text').notNull(),
    flag: text('flag', { enum: labFlags }),
    specimenId: text('specimen_id').references(() => diagnosisSpecimens.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('diagnosis_lab_results_version_position_uq').on(t.reportVersionId, t.position),
    index('diagnosis_lab_results_request_idx').on(t.requestId),
  ],
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

// ---- teleconsultation (远程会诊): a request of kind `consultation` to a consultation center, with its detail below

/**
 * The detail of a teleconsultation (one row per request of kind `consultation`; the request row carries the requesting
 * and the center's organization, the patient, the number and the response deadline). The written consent of the patient
 * is part of the row from the start: a consultation cannot exist without it (2018 remote-medicine norms).
 */
export const diagnosisConsultations = pgTable(
  'diagnosis_consultations',
  {
    requestId: text('request_id').primaryKey().references(() => diagnosisRequests.id),
    status: text('status', { enum: consultationStatuses }).notNull(),
    kind: text('kind', { enum: consultationKinds }).notNull(),
    specialty: text('specialty').notNull(),
    preferredAt: timestamp('preferred_at', { withTimezone: true }),
    scheduledStart: timestamp('scheduled_start', { withTimezone: true }),
    scheduledEnd: timestamp('scheduled_end', { withTimezone: true }),
    /** The video meeting link; the platform does not carry the video. */
    videoLink: text('video_link'),
    scheduledBy: text('scheduled_by').references(() => users.id),
    scheduledByName: text('scheduled_by_name'),
    scheduledAt: timestamp('scheduled_at', { withTimezone: true }),
    startedAt: timestamp('started_at', { withTimezone: true }),
    /** The inviting doctor's final decision (they keep the responsibility). */
    decision: text('decision'),
    decisionBy: text('decision_by').references(() => users.id),
    decisionByName: text('decision_by_name'),
    decidedAt: timestamp('decided_at', { withTimezone: true }),
    declineReason: text('decline_reason'),
    consentSigner: text('consent_signer', { enum: consentSigners }).notNull(),
    consentSignerName: text('consent_signer_name').notNull(),
    consentSignedAt: timestamp('consent_signed_at', { withTimezone: true }).notNull(),
    consentFormReference: text('consent_form_reference').notNull(),
    consentRecordedBy: text('consent_recorded_by').references(() => users.id),
    consentRecordedByName: text('consent_recorded_by_name').notNull(),
    consentRecordedAt: timestamp('consent_recorded_at', { withTimezone: true }).notNull(),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('diagnosis_consultations_status_idx').on(t.status, t.scheduledStart),
    check('diagnosis_consultations_period', sql`${t.scheduledEnd} is null or ${t.scheduledEnd} > ${t.scheduledStart}`),
    check('diagnosis_consultations_decided', sql`${t.status} <> 'concluded' or ${t.decision} is not null`),
  ],
);

/** Experts of a consultation (会诊专家): readers of the consultation center invited by the center, one row per expert. */
export const diagnosisConsultationExperts = pgTable(
  'diagnosis_consultation_experts',
  {
    id: text('id').primaryKey(),
    requestId: text('request_id').notNull().references(() => diagnosisRequests.id),
    userId: text('user_id').notNull().references(() => users.id),
    readerId: text('reader_id').notNull().references(() => diagnosisReaders.id),
    role: text('role', { enum: expertRoles }).notNull().default('member'),
    specialty: text('specialty'),
    state: text('state', { enum: expertStates }).notNull().default('invited'),
    /** Why the expert declined, or why the center removed them. */
    reason: text('reason'),
    invitedBy: text('invited_by').references(() => users.id),
    invitedByName: text('invited_by_name').notNull(),
    invitedAt: timestamp('invited_at', { withTimezone: true }).notNull(),
    respondedAt: timestamp('responded_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('diagnosis_consultation_experts_uq').on(t.requestId, t.userId), index('diagnosis_consultation_experts_user_idx').on(t.userId, t.state)],
);

/** Expert opinions (会诊意见). Append-only: the repository has no update or delete for it. */
export const diagnosisConsultationOpinions = pgTable(
  'diagnosis_consultation_opinions',
  {
    id: text('id').primaryKey(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    requestId: text('request_id').notNull().references(() => diagnosisRequests.id),
    expertId: text('expert_id').notNull().references(() => diagnosisConsultationExperts.id),
    authorUserId: text('author_user_id').notNull().references(() => users.id),
    authorName: text('author_name').notNull(),
    specialty: text('specialty'),
    opinion: text('opinion').notNull(),
    recommendations: text('recommendations'),
    at: timestamp('at', { withTimezone: true }).notNull(),
  },
  (t) => [index('diagnosis_consultation_opinions_request_idx').on(t.requestId, t.seq)],
);

/** Timeline of a consultation: one row per move. Append-only (overdue and escalation rows go to diagnosis_events). */
export const diagnosisConsultationEvents = pgTable(
  'diagnosis_consultation_events',
  {
    id: text('id').primaryKey(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    requestId: text('request_id').notNull().references(() => diagnosisRequests.id),
    at: timestamp('at', { withTimezone: true }).notNull(),
    action: text('action', { enum: consultationEventActions }).notNull(),
    fromStatus: text('from_status', { enum: consultationStatuses }),
    toStatus: text('to_status', { enum: consultationStatuses }),
    actorUserId: text('actor_user_id'),
    actorName: text('actor_name').notNull(),
    reason: text('reason'),
    detail: jsonb('detail'),
  },
  (t) => [index('diagnosis_consultation_events_request_idx').on(t.requestId, t.seq)],
);

import { z } from 'zod';
import {
  carePlanTaskKinds, carePlanTaskStatuses, consentMethods, downReferralKinds, holdReasons, referralActions,
  referralDirections, referralStatuses, referralSubStates, urgencies,
} from './codes.js';

const icd10 = z.string().trim().regex(/^[A-Za-z]\d{2}(\.[\dA-Za-z]{1,4})?$/, 'ICD-10 编码格式错误（如 I63.9）');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');

export const medicationLineSchema = z.object({
  name: z.string().trim().min(1, '药品名称不能为空').max(100),
  dose: z.string().trim().max(50).optional(),
  frequency: z.string().trim().max(50).optional(),
  note: z.string().trim().max(200).optional(),
});
export type MedicationLineDto = z.infer<typeof medicationLineSchema>;

export const attachedResultSchema = z.object({
  kind: z.enum(['lab', 'imaging', 'ecg', 'pathology', 'other']),
  title: z.string().trim().min(1).max(100),
  date: isoDate,
  summary: z.string().trim().max(2000),
  resultId: z.string().optional(),
});
export type AttachedResultDto = z.infer<typeof attachedResultSchema>;

export const consentSchema = z.object({
  by: z.string().trim().min(1, '请填写同意人（患者本人或监护人）').max(50),
  method: z.enum(consentMethods),
  at: z.string().datetime({ offset: true, message: '同意时间格式错误' }).optional(),
});

/** Up-referral form (上转). `submit: false` keeps a draft. */
export const upReferralInputSchema = z.object({
  patientId: z.string().min(1, '请选择患者'),
  destinationOrganizationId: z.string().min(1, '请选择接收机构'),
  destinationDepartmentId: z.string().optional(),
  urgency: z.enum(urgencies),
  diagnosisCode: icd10,
  diagnosisName: z.string().trim().min(1, '请填写诊断名称').max(100),
  secondaryDiagnoses: z.array(icd10).max(10).default([]),
  reason: z.string().trim().min(1, '请填写转诊原因').max(500),
  clinicalSummary: z.string().trim().min(1, '请填写病情摘要').max(4000),
  treatmentGiven: z.string().trim().max(2000).optional(),
  medications: z.array(medicationLineSchema).max(30).default([]),
  attachedResults: z.array(attachedResultSchema).max(30).default([]),
  consent: consentSchema.optional(),
  contactPhone: z.string().trim().regex(/^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/, '联系电话格式错误').optional(),
  /** Required when the destination differs from the first recommendation. */
  overrideReason: z.string().trim().max(500).optional(),
  /** Required when the diagnosis is in the sender's own tier catalogue (the form warned). */
  inOwnCatalogueNote: z.string().trim().max(500).optional(),
  submit: z.boolean().default(true),
});
export type UpReferralInput = z.infer<typeof upReferralInputSchema>;

export const carePlanTaskInputSchema = z.object({
  kind: z.enum(carePlanTaskKinds),
  title: z.string().trim().min(1, '请填写随访任务').max(200),
  dueDate: isoDate,
});

/** Down-referral (下转) with its continuing-care plan. */
export const downReferralInputSchema = z.object({
  patientId: z.string().min(1),
  destinationOrganizationId: z.string().min(1, '请选择接收的基层机构'),
  kind: z.enum(downReferralKinds),
  urgency: z.enum(urgencies).default('routine'),
  diagnosisCode: icd10,
  diagnosisName: z.string().trim().min(1).max(100),
  reason: z.string().trim().min(1).max(500),
  clinicalSummary: z.string().trim().min(1).max(4000),
  treatmentGiven: z.string().trim().max(2000).optional(),
  consent: consentSchema.optional(),
  /** The up-referral this continues (closing that loop sends the patient down). */
  fromReferralId: z.string().optional(),
  plan: z.object({
    diagnosisSummary: z.string().trim().min(1).max(2000),
    medications: z.array(medicationLineSchema).max(30).default([]),
    rehabilitationAdvice: z.string().trim().max(2000).optional(),
    warningSigns: z.array(z.string().trim().min(1).max(200)).min(1, '请至少填写一条需回转上级的预警症状').max(20),
    tasks: z.array(carePlanTaskInputSchema).min(1, '请至少安排一项随访任务').max(30),
  }),
});
export type DownReferralInput = z.infer<typeof downReferralInputSchema>;

/** A lifecycle move. `reason` is required for reject, hold, cancel and redirect; `summary` for complete. */
export const referralTransitionSchema = z.object({
  action: z.enum(['submit', 'accept', 'reject', 'cancel', 'hold', 'resume', 'redirect', 'arrive', 'admit', 'discharge', 'complete']),
  reason: z.string().trim().max(1000).optional(),
  holdReason: z.enum(holdReasons).optional(),
  summary: z.string().trim().max(8000).optional(),
  /** redirect: the new destination. */
  destinationOrganizationId: z.string().optional(),
  destinationDepartmentId: z.string().optional(),
  /** accept: the receiving doctor (defaults to the accepting user when they are a clinician). */
  assignedUserId: z.string().optional(),
  /** Optimistic concurrency: the version the user saw. */
  expectedVersion: z.number().int().positive().optional(),
});
export type ReferralTransitionInput = z.infer<typeof referralTransitionSchema>;

export const resendInputSchema = z.object({
  destinationOrganizationId: z.string().min(1),
  destinationDepartmentId: z.string().optional(),
  overrideReason: z.string().trim().max(500).optional(),
});

export const referralEventSchema = z.object({
  id: z.string(),
  at: z.string(),
  action: z.enum([...referralActions, 'escalated', 'overdue', 'notified', 'task-done', 'note']),
  fromStatus: z.enum(referralStatuses).nullable(),
  toStatus: z.enum(referralStatuses).nullable(),
  fromSubState: z.enum(referralSubStates).nullable(),
  toSubState: z.enum(referralSubStates).nullable(),
  actorName: z.string(),
  reason: z.string().nullable(),
  detail: z.unknown().nullable(),
});
export type ReferralEventDto = z.infer<typeof referralEventSchema>;

export const deadlineSummarySchema = z.object({
  step: z.string(),
  dueAt: z.string(),
  state: z.enum(['running', 'paused', 'met', 'cancelled']),
  overdue: z.boolean(),
  escalationLevel: z.number().int(),
});
export type DeadlineSummaryDto = z.infer<typeof deadlineSummarySchema>;

export const carePlanTaskSchema = z.object({
  id: z.string(),
  referralId: z.string(),
  kind: z.enum(carePlanTaskKinds),
  title: z.string(),
  dueDate: z.string(),
  status: z.enum(carePlanTaskStatuses),
  outcome: z.string().nullable(),
  completedAt: z.string().nullable(),
  completedBy: z.string().nullable(),
  organizationId: z.string(),
  patientId: z.string().optional(),
  patientName: z.string().optional(),
});
export type CarePlanTaskDto = z.infer<typeof carePlanTaskSchema>;

export const carePlanSchema = z.object({
  diagnosisSummary: z.string(),
  medications: z.array(medicationLineSchema),
  rehabilitationAdvice: z.string().nullable(),
  warningSigns: z.array(z.string()),
  tasks: z.array(carePlanTaskSchema),
});

export const bookingSchema = z.object({
  kind: z.enum(['appointment', 'bed']),
  id: z.string(),
  /** Slot start, or the admission day at 00:00 Asia/Shanghai for a bed. */
  start: z.string(),
  end: z.string().nullable(),
  departmentName: z.string(),
  status: z.string(),
  admissionNoticeNumber: z.string().nullable(),
});

const orgRef = z.object({ id: z.string(), name: z.string() });

export const referralSchema = z.object({
  id: z.string(),
  number: z.string(),
  direction: z.enum(referralDirections),
  status: z.enum(referralStatuses),
  subState: z.enum(referralSubStates).nullable(),
  holdReason: z.enum(holdReasons).nullable(),
  urgency: z.enum(urgencies),
  patient: z.object({ id: z.string(), name: z.string(), sex: z.string(), birthDate: z.string(), idNumberMasked: z.string().nullable(), phone: z.string().nullable() }),
  origin: orgRef,
  originDepartment: orgRef.nullable(),
  requesterName: z.string(),
  destination: orgRef,
  destinationDepartment: orgRef.nullable(),
  assignedUserName: z.string().nullable(),
  allianceId: z.string().nullable(),
  diagnosisCode: z.string(),
  diagnosisName: z.string(),
  secondaryDiagnoses: z.array(z.string()),
  reason: z.string(),
  clinicalSummary: z.string(),
  treatmentGiven: z.string().nullable(),
  medications: z.array(medicationLineSchema),
  attachedResults: z.array(attachedResultSchema),
  consent: z.object({ by: z.string(), method: z.enum(consentMethods), at: z.string() }).nullable(),
  downKind: z.enum(downReferralKinds).nullable(),
  inOwnCatalogueNote: z.string().nullable(),
  recommendedOrganization: orgRef.nullable(),
  overrideReason: z.string().nullable(),
  rejectionReason: z.string().nullable(),
  cancelReason: z.string().nullable(),
  previousReferralId: z.string().nullable(),
  returnedSummary: z.string().nullable(),
  contactPhone: z.string().nullable(),
  requestedAt: z.string().nullable(),
  acceptedAt: z.string().nullable(),
  arrivedAt: z.string().nullable(),
  admittedAt: z.string().nullable(),
  dischargedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
  /** Deadline of the current step, if one runs. */
  deadline: deadlineSummarySchema.nullable(),
  booking: bookingSchema.nullable(),
  carePlan: carePlanSchema.nullable(),
  /** Actions the current user may take now (drives the buttons in the UI). */
  allowedActions: z.array(z.string()),
});
export type ReferralDto = z.infer<typeof referralSchema>;

/** Row of a worklist: enough to list and sort, no clinical text. */
export const referralListItemSchema = z.object({
  id: z.string(),
  number: z.string(),
  direction: z.enum(referralDirections),
  status: z.enum(referralStatuses),
  subState: z.enum(referralSubStates).nullable(),
  urgency: z.enum(urgencies),
  patientName: z.string(),
  patientId: z.string(),
  originName: z.string(),
  destinationName: z.string(),
  diagnosisCode: z.string(),
  diagnosisName: z.string(),
  requestedAt: z.string().nullable(),
  updatedAt: z.string(),
  dueAt: z.string().nullable(),
  overdue: z.boolean(),
  escalationLevel: z.number().int(),
  noCapacity: z.boolean(),
});
export type ReferralListItemDto = z.infer<typeof referralListItemSchema>;

/** Worklists: sender (mine), receiver (incoming), desk (alliance), no-capacity. */
export const referralListQuerySchema = z.object({
  view: z.enum(['sent', 'received', 'desk', 'no-capacity', 'all']).default('all'),
  status: z.union([z.enum(referralStatuses), z.array(z.enum(referralStatuses))]).optional(),
  direction: z.enum(referralDirections).optional(),
  urgency: z.enum(urgencies).optional(),
  overdue: z.coerce.boolean().optional(),
  patientId: z.string().optional(),
  organizationId: z.string().optional(),
  /** FHIR Task.requester / Task.owner searches. */
  originOrganizationId: z.string().optional(),
  destinationOrganizationId: z.string().optional(),
  ids: z.array(z.string()).max(200).optional(),
  q: z.string().trim().max(50).optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
  sort: z.enum(['due', 'requested', 'updated']).default('due'),
});
export type ReferralListQuery = z.infer<typeof referralListQuerySchema>;

export const referralCountsSchema = z.object({
  byStatus: z.record(z.string(), z.number().int()),
  overdue: z.number().int(),
  noCapacity: z.number().int(),
});

/** Routing recommendation (转诊去向推荐). */
export const routingQuerySchema = z.object({
  patientId: z.string().min(1),
  diagnosisCode: icd10,
  originOrganizationId: z.string().optional(),
  urgency: z.enum(urgencies).default('routine'),
  limit: z.coerce.number().int().min(1).max(20).default(5),
});
export type RoutingQuery = z.infer<typeof routingQuerySchema>;

/**
 * The routing recommendation counts a destination's free reserved slots up to this many: its ranking saturates long
 * before (at 10), and counting a week of slots exactly was the heaviest read of a referral's creation. A count equal
 * to it means "this many or more" (the UI shows "100+").
 */
export const FREE_RESERVED_SLOTS_COUNTED_UP_TO = 100;

export const routingCandidateSchema = z.object({
  organizationId: z.string(),
  name: z.string(),
  tier: z.string(),
  score: z.number(),
  coversDiagnosis: z.boolean(),
  sameAlliance: z.boolean(),
  supportPairing: z.boolean(),
  /** Up to FREE_RESERVED_SLOTS_COUNTED_UP_TO (which then means that many or more). */
  freeReservedSlots: z.number().int(),
  freeReservedBeds: z.number().int(),
  distanceKm: z.number().nullable(),
  /** Human-readable reasons, zh-CN (the UI shows them as tags). */
  reasons: z.array(z.string()),
});
export type RoutingCandidateDto = z.infer<typeof routingCandidateSchema>;

export const routingResultSchema = z.object({
  /** The diagnosis is in the origin's own tier catalogue: the form warns "should it be treated here?". */
  inOwnCatalogue: z.boolean(),
  candidates: z.array(routingCandidateSchema),
});
export type RoutingResultDto = z.infer<typeof routingResultSchema>;

// ---- capacity

export const slotSchema = z.object({
  id: z.string(),
  scheduleId: z.string(),
  scheduleName: z.string(),
  organizationId: z.string(),
  departmentId: z.string(),
  departmentName: z.string(),
  kind: z.enum(['outpatient', 'exam']),
  start: z.string(),
  end: z.string(),
  status: z.enum(['free', 'busy', 'busy-unavailable']),
  /** Still held for referrals now (reserved and not yet released). */
  reservedNow: z.boolean(),
  reservedFor: z.string().nullable(),
  releaseAt: z.string().nullable(),
});
export type SlotDto = z.infer<typeof slotSchema>;

export const slotQuerySchema = z.object({
  organizationId: z.string().optional(),
  departmentId: z.string().optional(),
  scheduleId: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
  status: z.enum(['free', 'busy', 'busy-unavailable']).optional(),
  /** Only slots this referral may book (reserved for its origin/alliance, or released). */
  forReferralId: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** Minute-of-day session in Asia/Shanghai: [start, end), e.g. [480, 720] = 08:00–12:00. */
const sessionSchema = z.tuple([z.number().int().min(0).max(1440), z.number().int().min(0).max(1440)]);

/** How a schedule's slots are cut each day; stored on the schedule so the daily job can roll slots forward. */
export const slotTemplateSchema = z.object({
  sessions: z.array(sessionSchema).min(1).max(6),
  slotMinutes: z.number().int().min(5).max(240),
  includeWeekends: z.boolean().default(false),
  /** How many days ahead (from today, Asia/Shanghai) the daily job keeps slots published. */
  daysAhead: z.number().int().min(1).max(60).default(14),
});
export type SlotTemplateDto = z.infer<typeof slotTemplateSchema>;

export const scheduleInputSchema = z.object({
  departmentId: z.string().min(1),
  kind: z.enum(['outpatient', 'exam']),
  name: z.string().trim().min(1).max(100),
  practitionerName: z.string().trim().max(50).optional(),
  /** Optional: with a template the daily job publishes slots up to `daysAhead` days ahead. */
  template: slotTemplateSchema.optional(),
});

/** Publish slots for a schedule: every working day in [from, to], sessions × slot length; the referral share is reserved. */
export const publishSlotsInputSchema = z.object({
  from: isoDate,
  to: isoDate,
  /** Minute-of-day sessions in Asia/Shanghai, e.g. [[480,720],[840,1020]] = 08:00–12:00, 14:00–17:00. */
  sessions: z.array(z.tuple([z.number().int().min(0).max(1440), z.number().int().min(0).max(1440)])).min(1),
  slotMinutes: z.number().int().min(5).max(240),
  includeWeekends: z.boolean().default(false),
});

export const capacityPolicyInputSchema = z.object({
  /** The upper facility whose capacity is reserved; defaults to the department's, else the user's own organization. */
  organizationId: z.string().optional(),
  departmentId: z.string().optional(),
  kind: z.enum(['outpatient', 'exam', 'bed']),
  allianceId: z.string().optional(),
  memberOrganizationId: z.string().optional(),
  referralShare: z.number().min(0).max(1),
  releaseHoursBefore: z.number().int().min(0).max(24 * 14),
});

export const bookSlotInputSchema = z.object({ slotId: z.string().min(1) });
export const bookBedInputSchema = z.object({ bedPoolId: z.string().min(1), day: isoDate });

export type ScheduleInput = z.infer<typeof scheduleInputSchema>;
export type PublishSlotsInput = z.infer<typeof publishSlotsInputSchema>;
export type CapacityPolicyInput = z.infer<typeof capacityPolicyInputSchema>;
export type SlotQuery = z.infer<typeof slotQuerySchema>;

export const scheduleSchema = z.object({
  id: z.string(),
  organizationId: z.string(),
  organizationName: z.string(),
  departmentId: z.string(),
  departmentName: z.string(),
  kind: z.enum(['outpatient', 'exam']),
  name: z.string(),
  practitionerName: z.string().nullable(),
  active: z.boolean(),
  template: slotTemplateSchema.nullable(),
  createdAt: z.string(),
});
export type ScheduleDto = z.infer<typeof scheduleSchema>;

export const scheduleQuerySchema = z.object({
  organizationId: z.string().optional(),
  departmentId: z.string().optional(),
});

export const publishSlotsResultSchema = z.object({
  created: z.number().int(),
  /** Of `created`, held for referrals by the matching capacity policy. */
  reserved: z.number().int(),
  /** Slots not created because they overlap slots the schedule already has (publishing is idempotent). */
  skipped: z.number().int(),
  /** The policy applied, if any. */
  policyId: z.string().nullable(),
});
export type PublishSlotsResultDto = z.infer<typeof publishSlotsResultSchema>;

export const capacityPolicySchema = z.object({
  id: z.string(),
  organizationId: z.string(),
  departmentId: z.string().nullable(),
  kind: z.enum(['outpatient', 'exam', 'bed']),
  allianceId: z.string().nullable(),
  memberOrganizationId: z.string().nullable(),
  referralShare: z.number(),
  releaseHoursBefore: z.number().int(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
});
export type CapacityPolicyDto = z.infer<typeof capacityPolicySchema>;

export const capacityPolicyQuerySchema = z.object({ organizationId: z.string().optional() });

/**
 * A ward's beds held for referrals each day. Without `reservedBeds` the matching 'bed' capacity policy decides:
 * round(share × department beds), held for the policy's alliance or member facility.
 */
export const bedPoolInputSchema = z.object({
  departmentId: z.string().min(1),
  name: z.string().trim().min(1).max(100),
  reservedBeds: z.number().int().min(0).max(500).optional(),
  reservedForAllianceId: z.string().optional(),
  reservedForOrganizationId: z.string().optional(),
  releaseHoursBefore: z.number().int().min(0).max(24 * 14).optional(),
});
export type BedPoolInput = z.infer<typeof bedPoolInputSchema>;

export const bedPoolDaySchema = z.object({
  day: isoDate,
  capacity: z.number().int(),
  held: z.number().int(),
  free: z.number().int(),
  releaseAt: z.string(),
  /** Still held for referrals now (not yet released to general admission). */
  reservedNow: z.boolean(),
});
export type BedPoolDayDto = z.infer<typeof bedPoolDaySchema>;

export const bedPoolSchema = z.object({
  id: z.string(),
  organizationId: z.string(),
  departmentId: z.string(),
  departmentName: z.string(),
  name: z.string(),
  reservedBeds: z.number().int(),
  reservedForAllianceId: z.string().nullable(),
  reservedForOrganizationId: z.string().nullable(),
  reservedFor: z.string().nullable(),
  releaseHoursBefore: z.number().int(),
  /** The next days (today first, Asia/Shanghai) with their free reserved beds. */
  days: z.array(bedPoolDaySchema),
});
export type BedPoolDto = z.infer<typeof bedPoolSchema>;

export const bedPoolQuerySchema = z.object({
  organizationId: z.string().optional(),
  departmentId: z.string().optional(),
  days: z.coerce.number().int().min(1).max(31).default(7),
});

export const bedPoolDaysQuerySchema = z.object({ from: isoDate.optional(), to: isoDate.optional() });

export const completeCareTaskSchema = z.object({ outcome: z.string().trim().min(1, '请填写随访结果').max(2000) });

export const notificationSchema = z.object({
  id: z.string(),
  kind: z.string(),
  title: z.string(),
  body: z.string(),
  subjectType: z.string().nullable(),
  subjectId: z.string().nullable(),
  link: z.string().nullable(),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});
export type NotificationDto = z.infer<typeof notificationSchema>;

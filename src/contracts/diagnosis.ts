import { z } from 'zod';
import { urgencies } from './codes.js';

/**
 * Shared diagnosis centers (资源共享中心, domain.md §3): "examine at the grassroots, diagnose above". Enumerations are
 * declared once here and feed the columns (src/db/schema/diagnosis.ts), the zod schemas and the UI labels.
 */

/** Center types of the 2025 informatization guideline (imaging, ECG, pathology, clinical lab, remote consultation). */
export const centerTypes = ['imaging', 'ecg', 'pathology', 'lab', 'consultation'] as const;
export type CenterType = (typeof centerTypes)[number];

/**
 * Modalities (DICOM modality codes where one exists: DX for DR is spelled `DR` as Chinese forms do) per center type.
 * `ECG-12` = resting 12-lead ECG; pathology: histopathology, frozen section, cytology; lab: a lab panel.
 */
export const modalities = ['DR', 'US', 'CT', 'MR', 'ECG-12', 'HISTO', 'FROZEN', 'CYTO', 'LAB-PANEL'] as const;
export type Modality = (typeof modalities)[number];
export const modalitiesByCenterType: Record<CenterType, readonly Modality[]> = {
  imaging: ['DR', 'US', 'CT', 'MR'],
  ecg: ['ECG-12'],
  pathology: ['HISTO', 'FROZEN', 'CYTO'],
  lab: ['LAB-PANEL'],
  consultation: [],
};

/** How the center chooses the facilities it serves: its host's county community (医共体) members, or an explicit list. */
export const centerMemberModes = ['alliance', 'listed'] as const;
export type CenterMemberMode = (typeof centerMemberModes)[number];

/** Request kinds: an examination read remotely now; `consultation` (远程会诊) comes with a later increment. */
export const diagnosisRequestKinds = ['exam', 'consultation'] as const;
export type DiagnosisRequestKind = (typeof diagnosisRequestKinds)[number];

/**
 * Lifecycle of a request (申请) in the center's worklist. FHIR Task status mapping: requested→requested,
 * in-progress/preliminary/awaiting-signoff→in-progress, returned→on-hold, completed→completed, cancelled→cancelled.
 */
export const diagnosisStatuses = ['requested', 'in-progress', 'returned', 'preliminary', 'awaiting-signoff', 'completed', 'cancelled'] as const;
export type DiagnosisStatus = (typeof diagnosisStatuses)[number];
export const openDiagnosisStatuses: readonly DiagnosisStatus[] = ['requested', 'in-progress', 'returned', 'preliminary', 'awaiting-signoff'];

/** Actions on a request; each is a row of the transition table (diagnosis.rules.ts) and an entry of the timeline. */
export const diagnosisActions = [
  'submit', 'claim', 'release', 'assign', 'reassign', 'qc-accept', 'qc-return', 'resubmit', 'cancel', 'preliminary', 'finalize',
  'sign-off', 'signoff-return', 'amend', 'flag-critical',
] as const;
export type DiagnosisAction = (typeof diagnosisActions)[number];

export const imageQualityStates = ['accepted', 'returned'] as const;
export type ImageQuality = (typeof imageQualityStates)[number];

/**
 * Report status: FHIR DiagnosticReport.status codes (preliminary | final | amended), plus `pending-signoff` (waiting for
 * the second reader) and `draft` (sent back by the second reader before any release). Only preliminary, final and
 * amended texts are released to the requesting facility.
 */
export const reportStatuses = ['draft', 'preliminary', 'pending-signoff', 'final', 'amended'] as const;
export const releasedReportStatuses: readonly ReportStatus[] = ['preliminary', 'final', 'amended'];
export type ReportStatus = (typeof reportStatuses)[number];

export const attachmentKinds = ['dicom', 'ecg', 'pdf', 'image', 'slide'] as const;
export type AttachmentKind = (typeof attachmentKinds)[number];

export const shiftRoles = ['reader', 'duty-head'] as const;
export type ShiftRole = (typeof shiftRoles)[number];

export const criticalValueStates = ['open', 'acknowledged'] as const;
export type CriticalValueState = (typeof criticalValueStates)[number];
/** Entries of the critical-value callback log (危急值登记); append-only. */
export const criticalLogKinds = ['flagged', 'notified', 'acknowledged', 'overdue', 'escalated'] as const;
export type CriticalLogKind = (typeof criticalLogKinds)[number];

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');
const isoDateTime = z.string().datetime({ offset: true, message: '时间格式错误（ISO 8601，带时区）' });
const id = z.string().trim().min(1).max(100);
const boolParam = z.enum(['true', 'false']).transform((v) => v === 'true');

// ---- centers

export const centerInputSchema = z.object({
  organizationId: id,
  type: z.enum(centerTypes),
  name: z.string().trim().min(1, '请填写中心名称').max(100),
  /** A second reader signs the final report (双签) before it is released. */
  requiresSecondSignoff: z.boolean().default(false),
  memberMode: z.enum(centerMemberModes).default('alliance'),
  /** Served facilities when `memberMode` is `listed`. */
  memberOrganizationIds: z.array(id).max(500).default([]),
  /** Printed under the center's name on reports. */
  reportHeader: z.string().trim().max(200).optional(),
  phone: z.string().trim().max(30).optional(),
});
export type CenterInput = z.infer<typeof centerInputSchema>;

export const centerPatchSchema = z.object({
  name: z.string().trim().min(1).max(100).optional(),
  requiresSecondSignoff: z.boolean().optional(),
  memberMode: z.enum(centerMemberModes).optional(),
  memberOrganizationIds: z.array(id).max(500).optional(),
  reportHeader: z.string().trim().max(200).nullable().optional(),
  phone: z.string().trim().max(30).nullable().optional(),
  active: z.boolean().optional(),
});
export type CenterPatch = z.infer<typeof centerPatchSchema>;

export interface CenterDto {
  id: string;
  organizationId: string;
  organizationName: string;
  type: CenterType;
  name: string;
  requiresSecondSignoff: boolean;
  memberMode: CenterMemberMode;
  memberOrganizationIds: string[];
  reportHeader: string | null;
  phone: string | null;
  active: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export const readerInputSchema = z.object({
  userId: id,
  /** Modalities or sub-specialties the reader reads (e.g. `CT`, `MR`, `ECG-12`); empty = reads everything of the center. */
  specialties: z.array(z.string().trim().min(1).max(40)).max(20).default([]),
});
export type ReaderInput = z.infer<typeof readerInputSchema>;
export const readerPatchSchema = z.object({
  specialties: z.array(z.string().trim().min(1).max(40)).max(20).optional(),
  active: z.boolean().optional(),
});
export type ReaderPatch = z.infer<typeof readerPatchSchema>;
export interface ReaderDto {
  id: string;
  centerId: string;
  userId: string;
  displayName: string;
  practitionerId: string | null;
  specialties: string[];
  active: boolean;
}

export const shiftInputSchema = z.object({
  readerId: id,
  /** The roster day (排班日期) in China Standard Time. */
  date: isoDate,
  startsAt: isoDateTime,
  endsAt: isoDateTime,
  role: z.enum(shiftRoles).default('reader'),
});
export type ShiftInput = z.infer<typeof shiftInputSchema>;
export const rosterQuerySchema = z.object({ from: isoDate, to: isoDate });
export interface ShiftDto {
  id: string;
  centerId: string;
  readerId: string;
  userId: string;
  readerName: string;
  date: string;
  startsAt: string;
  endsAt: string;
  role: ShiftRole;
}

export const templateInputSchema = z.object({
  examType: z.string().trim().min(1, '请填写检查项目').max(100),
  modality: z.enum(modalities).optional(),
  name: z.string().trim().min(1, '请填写模板名称').max(100),
  findings: z.string().trim().max(8000),
  impression: z.string().trim().max(4000),
});
export type TemplateInput = z.infer<typeof templateInputSchema>;
export const templatePatchSchema = templateInputSchema.partial().extend({ active: z.boolean().optional() });
export type TemplatePatch = z.infer<typeof templatePatchSchema>;
export interface TemplateDto {
  id: string;
  centerId: string;
  examType: string;
  modality: Modality | null;
  name: string;
  findings: string;
  impression: string;
  active: boolean;
}

/** A center's turnaround time for one urgency, stored as the host organization's deadline-policy override. */
export const centerDeadlineInputSchema = z.object({
  urgency: z.enum(urgencies),
  minutes: z.number().int().min(1).max(60 * 24 * 30),
  calendarId: z.string().min(1).nullable().default(null),
});
export type CenterDeadlineInput = z.infer<typeof centerDeadlineInputSchema>;
export interface CenterDeadlineDto {
  step: string;
  urgency: (typeof urgencies)[number];
  minutes: number;
  calendarId: string | null;
  /** `center` when the host organization overrides the platform default. */
  source: 'center' | 'default';
  policyId: string;
}

// ---- requests

export const diagnosisRequestInputSchema = z.object({
  centerId: id,
  patientId: id,
  modality: z.enum(modalities),
  /** Examination item as written on the request (检查项目), e.g. 胸部正位片; templates match on it. */
  examType: z.string().trim().min(1, '请填写检查项目').max(100),
  bodyPart: z.string().trim().max(100).optional(),
  urgency: z.enum(urgencies),
  clinicalQuestion: z.string().trim().min(1, '请填写临床问题（申请目的）').max(2000),
  clinicalSummary: z.string().trim().max(4000).optional(),
});
export type DiagnosisRequestInput = z.infer<typeof diagnosisRequestInputSchema>;

export const diagnosisListQuerySchema = z.object({
  /** `worklist`: a center's queue (readers of that center); `sent`: the requesting facility's own requests. */
  view: z.enum(['worklist', 'sent']).default('sent'),
  centerId: z.string().max(100).optional(),
  status: z.union([z.enum(diagnosisStatuses), z.array(z.enum(diagnosisStatuses))]).optional(),
  urgency: z.enum(urgencies).optional(),
  modality: z.enum(modalities).optional(),
  /** `me`: assigned to or claimed by me; `unassigned`: nobody's yet. */
  assigned: z.enum(['me', 'unassigned', 'any']).default('any'),
  overdue: boolParam.optional(),
  patientId: z.string().max(100).optional(),
  q: z.string().trim().max(50).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});
export type DiagnosisListQuery = z.infer<typeof diagnosisListQuerySchema>;

export interface DeadlineViewDto {
  step: string;
  dueAt: string;
  state: string;
  overdue: boolean;
  escalationLevel: number;
}

export interface DiagnosisListItemDto {
  id: string;
  number: string;
  status: DiagnosisStatus;
  urgency: (typeof urgencies)[number];
  modality: Modality;
  examType: string;
  centerId: string;
  centerName: string;
  requesterOrganizationName: string;
  patientId: string;
  patientName: string;
  assignedUserName: string | null;
  claimedByName: string | null;
  hasCriticalValue: boolean;
  createdAt: string;
  dueAt: string | null;
  overdue: boolean;
  escalationLevel: number;
}

export interface AttachmentDto {
  id: string;
  kind: AttachmentKind;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  uploadedAt: string;
  uploadedByName: string;
}

export interface CriticalValueDto {
  id: string;
  requestId: string;
  finding: string;
  state: CriticalValueState;
  flaggedAt: string;
  flaggedByName: string;
  acknowledgedAt: string | null;
  receivedBy: string | null;
  readBack: string | null;
  actionTaken: string | null;
  acknowledgedByName: string | null;
  deadline: DeadlineViewDto | null;
  log: { at: string; kind: CriticalLogKind; actorName: string; text: string }[];
}

export interface ReportVersionDto {
  version: number;
  status: ReportStatus;
  findings: string;
  impression: string;
  authorName: string;
  reason: string | null;
  at: string;
}

export interface ReportDto {
  id: string;
  requestId: string;
  status: ReportStatus;
  findings: string;
  impression: string;
  authorUserId: string;
  authorName: string;
  signedOffByName: string | null;
  signedOffAt: string | null;
  finalizedAt: string | null;
  version: number;
  versions: ReportVersionDto[];
}

export interface DiagnosisRequestDto {
  id: string;
  number: string;
  kind: DiagnosisRequestKind;
  status: DiagnosisStatus;
  urgency: (typeof urgencies)[number];
  center: { id: string; name: string; type: CenterType; organizationId: string; organizationName: string };
  requester: { organizationId: string; organizationName: string; userName: string };
  patient: { id: string; name: string; sex: string; birthDate: string };
  modality: Modality;
  examType: string;
  bodyPart: string | null;
  clinicalQuestion: string;
  clinicalSummary: string | null;
  imageQuality: ImageQuality | null;
  returnReason: string | null;
  resubmitCount: number;
  cancelReason: string | null;
  assignedUserId: string | null;
  assignedUserName: string | null;
  claimedBy: string | null;
  claimedByName: string | null;
  submittedAt: string;
  completedAt: string | null;
  version: number;
  deadline: DeadlineViewDto | null;
  attachments: AttachmentDto[];
  report: ReportDto | null;
  criticalValues: CriticalValueDto[];
  /** What the caller may do now (the UI shows these buttons). */
  allowedActions: string[];
}

export interface DiagnosisEventDto {
  id: string;
  at: string;
  action: string;
  fromStatus: DiagnosisStatus | null;
  toStatus: DiagnosisStatus | null;
  actorName: string;
  reason: string | null;
  detail: unknown;
}

export const reassignInputSchema = z.object({ userId: id, reason: z.string().trim().max(500).optional() });
export const reasonInputSchema = z.object({ reason: z.string().trim().min(1, '请填写原因').max(1000) });
export const qcInputSchema = z.object({
  decision: z.enum(['accept', 'return']),
  /** Required for `return`: what is wrong and what to retake (e.g. 体位不正、导联脱落). */
  reason: z.string().trim().max(1000).optional(),
});
export type QcInput = z.infer<typeof qcInputSchema>;
export const resubmitInputSchema = z.object({ note: z.string().trim().max(1000).optional() });

export const attachmentQuerySchema = z.object({
  kind: z.enum(attachmentKinds),
  fileName: z.string().trim().min(1, '请提供文件名').max(200).regex(/^[^/\\\0]+$/, '文件名不能包含路径分隔符'),
});

export const reportInputSchema = z.object({
  /** `preliminary`: issue a preliminary report (初步报告); `final`: sign as final (or submit for the second reader). */
  action: z.enum(['preliminary', 'final']),
  templateId: z.string().min(1).max(100).optional(),
  findings: z.string().trim().max(8000).optional(),
  impression: z.string().trim().max(4000).optional(),
});
export type ReportInput = z.infer<typeof reportInputSchema>;
export const amendInputSchema = z.object({
  findings: z.string().trim().min(1, '请填写检查所见').max(8000),
  impression: z.string().trim().min(1, '请填写诊断意见').max(4000),
  reason: z.string().trim().min(1, '请填写更正原因').max(1000),
});
export type AmendInput = z.infer<typeof amendInputSchema>;

export const criticalValueInputSchema = z.object({
  finding: z.string().trim().min(1, '请填写危急值内容').max(1000),
});
/** Read-back acknowledgement (复述确认): who received the call, what they read back, what was done. */
export const acknowledgeInputSchema = z.object({
  receivedBy: z.string().trim().min(1, '请填写接收人').max(50),
  readBack: z.string().trim().min(2, '请填写复述内容').max(1000),
  actionTaken: z.string().trim().min(1, '请填写处置措施').max(2000),
});
export type AcknowledgeInput = z.infer<typeof acknowledgeInputSchema>;
export const criticalListQuerySchema = z.object({
  state: z.enum([...criticalValueStates, 'all']).default('open'),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});

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
 * `ECG-12` = resting 12-lead ECG; pathology: histopathology, frozen section, cytology; lab: a lab panel. `CONSULT` marks
 * a teleconsultation's request row (no examination; see diagnosis-consultation.ts) and is never accepted by /requests.
 */
export const modalities = ['DR', 'US', 'CT', 'MR', 'ECG-12', 'HISTO', 'FROZEN', 'CYTO', 'LAB-PANEL', 'CONSULT'] as const;
export type Modality = (typeof modalities)[number];
/** The modalities of examinations (everything but the teleconsultation marker): what exam filters offer. */
export const examModalities = modalities.filter((m): m is Exclude<Modality, 'CONSULT'> => m !== 'CONSULT');
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

/** Request kinds: an examination read remotely, or a teleconsultation (远程会诊, its detail in diagnosis_consultations). */
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
  /** Facts read from the file at upload (see the attachments block at the end); null for files uploaded before parsing existed. */
  meta: AttachmentMeta | null;
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
  /** Lab centers: the result values of this version (absent when it has none). */
  labResults?: LabResultDto[];
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
  /** Lab centers: the result values of the shown version (absent when it has none). */
  labResults?: LabResultDto[];
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

// ---- web UI support: the centers a user works with, and the critical-value board (危急值看板)

/** The centers of the signed-in user: where they may send requests (serving their facility today) and where they read. */
export interface MyCentersDto {
  requestable: CenterDto[];
  reading: (CenterDto & { dutyHeadNow: boolean })[];
}

export const criticalBoardQuerySchema = z.object({
  /** `requester`: my facility's values (to acknowledge); `reader`: values flagged at the centers where I read. */
  side: z.enum(['requester', 'reader']),
  state: z.enum([...criticalValueStates, 'all']).default('open'),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});
export type CriticalBoardQuery = z.infer<typeof criticalBoardQuerySchema>;

/** A critical value with the request facts a list needs (number, patient, exam, center). */
export interface CriticalBoardItemDto extends CriticalValueDto {
  requestNumber: string;
  patientName: string;
  examType: string;
  centerName: string;
  requesterOrganizationName: string;
}

// ---- attachments that mean something: facts parsed at upload, imaging series, ECG traces, slides, lab specimens and
// results, the patient's record of reports (docs/diagnosis.md "Attachments", "Lab", "Pathology")

const optionalText = z.string().optional();
const optionalInt = z.number().int().optional();

/** DICOM header facts (PS3.3 attribute names); the UIDs group the instances into studies and series. */
export const dicomAttachmentMetaSchema = z.object({
  kind: z.literal('dicom'),
  studyInstanceUid: z.string(),
  seriesInstanceUid: z.string(),
  sopInstanceUid: z.string(),
  /** SOP Class UID (what kind of object: CT image, DX image …); FHIR ImagingStudy.series.instance.sopClass needs it. */
  sopClassUid: optionalText,
  /** DICOM modality code (DX, CR, CT, MR, US …) as written in the file. */
  modality: z.string(),
  bodyPart: optionalText,
  /** `YYYY-MM-DD` (StudyDate). */
  studyDate: optionalText,
  studyDescription: optionalText,
  seriesDescription: optionalText,
  seriesNumber: optionalInt,
  instanceNumber: optionalInt,
  rows: z.number().int(),
  columns: z.number().int(),
  frames: z.number().int(),
});
export type DicomAttachmentMeta = z.infer<typeof dicomAttachmentMetaSchema>;

/** A waveform in the yilian-ecg format (docs/ecg-format.md) with the measured rate; not a diagnosis. */
export const ecgAttachmentMetaSchema = z.object({
  kind: z.literal('ecg'),
  format: z.enum(['json', 'csv']),
  samplingRateHz: z.number(),
  durationS: z.number(),
  leads: z.array(z.string()),
  heartRateBpm: z.number().optional(),
  /** A rate-and-regularity description from the R-R intervals (e.g. 「心率 72 次/分，节律规整」), not a rhythm diagnosis. */
  rhythm: optionalText,
});
export type EcgAttachmentMeta = z.infer<typeof ecgAttachmentMetaSchema>;

/** A PDF or image (an ECG printout, a referral letter): nothing is parsed. */
export const documentAttachmentMetaSchema = z.object({ kind: z.literal('document') });

export const slideImageFormats = ['png', 'jpeg', 'tiff'] as const;
/** The largest slide the server decodes for thumbnails and previews (64 megapixels); a whole-slide image is far beyond it. */
export const slideMaxDecodedPixels = 64_000_000;
export type SlideImageFormat = (typeof slideImageFormats)[number];
/** A pathology slide image (切片图像): its format and pixel dimensions from the file header. */
export const slideAttachmentMetaSchema = z.object({
  kind: z.literal('slide'),
  format: z.enum(slideImageFormats),
  width: z.number().int(),
  height: z.number().int(),
  /** TIFF: number of pages (IFDs) when more than one; only the first is decoded (slide-image.ts). */
  pages: z.number().int().optional(),
  /** false when the server will not decode the pixels (over the size limit, or a TIFF codec it lacks): no thumbnail or preview. */
  decodable: z.boolean().optional(),
  /** Why `decodable` is false, for the viewer to show. */
  notDecodedReason: z.string().optional(),
});
export type SlideAttachmentMeta = z.infer<typeof slideAttachmentMetaSchema>;

// z.lazy: the lab block (specimen labels) is declared further down.
export const attachmentMetaSchema = z.lazy(() => z.discriminatedUnion('kind', [dicomAttachmentMetaSchema, ecgAttachmentMetaSchema, documentAttachmentMetaSchema, slideAttachmentMetaSchema, specimenLabelsMetaSchema]));
export type AttachmentMeta = z.infer<typeof attachmentMetaSchema>;

/** `GET /requests/:id/imaging`: the request's DICOM instances as studies → series → instances. */
export interface ImagingInstanceDto {
  attachmentId: string;
  instanceNumber?: number;
  /** The attachment's download URL (the DICOM file). */
  url: string;
}
export interface ImagingSeriesDto {
  seriesInstanceUid: string;
  modality: string;
  description?: string;
  seriesNumber?: number;
  /** Ordered by instance number, then upload order. */
  instances: ImagingInstanceDto[];
}
export interface ImagingStudyDto {
  studyInstanceUid: string;
  studyDate?: string;
  description?: string;
  modalities: string[];
  /** Ordered by series number. */
  series: ImagingSeriesDto[];
}
export interface ImagingDto {
  studies: ImagingStudyDto[];
}

/** `GET /requests/:id/attachments/:attachmentId/ecg`: what the ECG trace component (EcgTraceProps) draws, in µV. */
export interface EcgTraceDto {
  samplingRateHz: number;
  durationS: number;
  leads: Record<string, number[]>;
  analysis: {
    heartRateBpm?: number;
    rrMeanMs?: number;
    rrSdMs?: number;
    rhythm?: string;
    /** The lead the beats were found on (II). */
    lead: string;
    /** Sample indexes of the R peaks. */
    rPeakSamples: number[];
    /** False with fewer than three beats: the rate is not to be trusted. */
    reliable: boolean;
    /** Leads computed from I and II because the file carried only the eight independent ones. */
    derivedLeads: string[];
  };
}

// ---- lab (检验): specimens with barcodes, result values entered with the report

/** A specimen of a lab request as registered by the requester; `barcode` is the requester's own pre-printed one, else issued. */
export const specimenInputSchema = z.object({
  /** e.g. 静脉血（血清）, 全血（EDTA）, 尿液. */
  specimenType: z.string().trim().min(1, '请填写标本类型').max(40),
  /** Tube or container, e.g. 黄帽促凝管. */
  container: z.string().trim().max(40).optional(),
  barcode: z.string().trim().toUpperCase().regex(/^[0-9A-Z-]{6,20}$/, '条码须为 6–20 位数字、大写字母或“-”').optional(),
});
export const specimensInputSchema = z.object({ specimens: z.array(specimenInputSchema).min(1, '至少登记一个标本').max(20) });
export type SpecimensInput = z.infer<typeof specimensInputSchema>;

/** A specimen's way through the lab: registered (collected, labelled) by the requester, then received by the lab. */
export const specimenStates = ['registered', 'received'] as const;
export type SpecimenState = (typeof specimenStates)[number];
export const specimenBarcodeSources = ['issued', 'own'] as const;

export interface SpecimenDto {
  id: string;
  barcode: string;
  /** `issued`: numbered by the platform (12 digits with a check digit); `own`: the requester's pre-printed barcode. */
  barcodeSource: 'issued' | 'own';
  specimenType: string;
  container: string | null;
  registeredAt: string;
  registeredByName: string;
  /** The label sheet (PDF attachment) printed for it. */
  labelAttachmentId: string | null;
  state: SpecimenState;
  collectedAt: string;
  /** The lab's receipt (标本签收); null until a reader of the lab center scans it in. */
  receivedAt: string | null;
  receivedByName: string | null;
}
/** `POST /diagnosis/specimens/receive`: a lab reader scans a barcode; the specimen is looked up in the reader's centers. */
export const specimenReceiveInputSchema = z.object({ barcode: z.string().trim().toUpperCase().regex(/^[0-9A-Z-]{6,20}$/, '条码须为 6–20 位数字、大写字母或“-”') });
export type SpecimenReceiveInput = z.infer<typeof specimenReceiveInputSchema>;

/** Kept as the meta of the label sheet's attachment (a PDF the server draws), so the request's files list it. */
export const specimenLabelsMetaSchema = z.object({
  kind: z.literal('specimen-labels'),
  specimens: z.array(z.object({ barcode: z.string(), barcodeSource: z.enum(['issued', 'own']), specimenType: z.string(), container: z.string().nullable() })),
});

/** HL7 v2 table 0078 abnormal flags: normal, low, high, critically low, critically high (危急值). */
export const labFlags = ['N', 'L', 'H', 'LL', 'HH'] as const;
export type LabFlag = (typeof labFlags)[number];

/** One result value as the lab center enters it; the flag is computed by the server. */
export const labResultInputSchema = z.object({
  /** The analyte: a platform code (K, NA, GLU …) or a LOINC code such as 2823-3. */
  code: z.string().trim().min(1, '请填写检验项目代码').max(40),
  name: z.string().trim().min(1).max(60).optional(),
  /** As reported: a number ("5.2") or a qualitative result ("阴性", "+"). */
  value: z.string().trim().min(1, '请填写结果').max(40),
  unit: z.string().trim().max(20).optional(),
  referenceLow: z.number().finite().optional(),
  referenceHigh: z.number().finite().optional(),
  /** A range written out when it is not numeric (e.g. 阴性). */
  referenceText: z.string().trim().max(60).optional(),
  criticalLow: z.number().finite().optional(),
  criticalHigh: z.number().finite().optional(),
  specimenBarcode: z.string().trim().toUpperCase().max(20).optional(),
});
export type LabResultInput = z.infer<typeof labResultInputSchema>;

export interface LabResultDto {
  code: string;
  loinc?: string;
  name: string;
  value: string;
  unit: string;
  referenceRange: string;
  /** The numeric range the flag was computed against (the center's own, else the analyte table's). */
  referenceLow?: number;
  referenceHigh?: number;
  /** Null for a value that is not a number. */
  flag: LabFlag | null;
  specimenBarcode?: string;
}

/** The report input of a lab center: the text and the result values (the findings default to the values as text). */
export const labReportInputSchema = reportInputSchema.extend({ labResults: z.array(labResultInputSchema).max(200).optional() });
export type LabReportInput = z.infer<typeof labReportInputSchema>;
export const labAmendInputSchema = amendInputSchema.extend({ labResults: z.array(labResultInputSchema).max(200).optional() });
export type LabAmendInput = z.infer<typeof labAmendInputSchema>;

/** `GET /diagnosis/lab/analytes`: the analyte table the result grid picks from (LOINC, unit, adult ranges). */
export interface LabAnalyteDto {
  code: string;
  loinc: string;
  name: string;
  unit: string;
  low?: number;
  high?: number;
  criticalLow?: number;
  criticalHigh?: number;
}

/** `GET /requests/:id/lab`: the specimens and the result values of the report version the caller may see. */
export interface LabDto {
  specimens: SpecimenDto[];
  results: LabResultDto[];
  /** The report version the results belong to; null before any results. */
  reportVersion: number | null;
  /** The critical results as a ready finding for `POST /requests/:id/critical-values`; null when none. */
  criticalFinding: string | null;
}

// ---- the patient's record: final reports across centers

export const patientReportsQuerySchema = z.object({
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
});

/** A released final (or amended) report of a patient, as listed in the patient's record (检查报告). */
export interface PatientDiagnosisReportDto {
  requestId: string;
  requestNumber: string;
  centerName: string;
  centerType: CenterType;
  modality: Modality;
  examType: string;
  status: ReportStatus;
  impression: string;
  findings: string;
  authorName: string;
  signedOffByName: string | null;
  /** When the shown version was released. */
  reportedAt: string;
  version: number;
  hasCriticalValue: boolean;
}

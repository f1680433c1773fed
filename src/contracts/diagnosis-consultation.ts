import { z } from 'zod';
import { urgencies, type Urgency } from './codes.js';
import type { DeadlineViewDto } from './diagnosis.js';

/**
 * Teleconsultation (远程会诊, domain.md §3): a clinician of a member facility invites the county's consultation center;
 * the center schedules experts of its pool (the center's readers) with a time and a video link (the platform does not
 * carry video); each expert records an opinion; the inviting doctor records the final decision and keeps the
 * responsibility (2018 remote-medicine norms). Written informed consent of the patient is recorded with the request.
 * Enumerations are declared once here and feed the columns, the zod schemas and the UI labels.
 */

/** Kinds of consultation (急诊 / 门诊 / 住院会诊). An emergency consultation is answered within one hour. */
export const consultationKinds = ['emergency', 'outpatient', 'inpatient'] as const;
export type ConsultationKind = (typeof consultationKinds)[number];

/**
 * Lifecycle: requested → scheduled (experts, time, video link) → in-progress → opinion-given (at least one expert
 * opinion) → concluded (the inviting doctor's decision); cancelled by the requester; declined by the center.
 */
export const consultationStatuses = ['requested', 'scheduled', 'in-progress', 'opinion-given', 'concluded', 'cancelled', 'declined'] as const;
export type ConsultationStatus = (typeof consultationStatuses)[number];
export const openConsultationStatuses: readonly ConsultationStatus[] = ['requested', 'scheduled', 'in-progress', 'opinion-given'];

/** Moves of the lifecycle; each is a row of the transition table (consultation.rules.ts) and a timeline entry. */
export const consultationActions = [
  'assign-expert', 'remove-expert', 'accept-invitation', 'decline-invitation', 'schedule', 'start', 'opinion', 'conclude', 'cancel', 'decline',
] as const;
export type ConsultationAction = (typeof consultationActions)[number];
/** Timeline entries: the moves plus the request itself (`submit`). Overdue and escalation entries come from the deadline engine. */
export const consultationEventActions = ['submit', ...consultationActions] as const;
export type ConsultationEventAction = (typeof consultationEventActions)[number];

/** An expert's part: the lead expert (主持专家) or a member of the panel (会诊专家). */
export const expertRoles = ['lead', 'member'] as const;
export type ExpertRole = (typeof expertRoles)[number];
/** An expert's invitation: invited, accepted, declined (with reason), or removed by the center. */
export const expertStates = ['invited', 'accepted', 'declined', 'removed'] as const;
export type ExpertState = (typeof expertStates)[number];

/** Who signed the written consent (知情同意书): the patient, a guardian (监护人), or an authorised agent (委托代理人). */
export const consentSigners = ['patient', 'guardian', 'agent'] as const;
export type ConsentSigner = (typeof consentSigners)[number];

const id = z.string().trim().min(1).max(100);
const isoDateTime = z.string().datetime({ offset: true, message: '时间格式错误（ISO 8601，带时区）' });
const boolParam = z.enum(['true', 'false']).transform((v) => v === 'true');
const reason = z.string().trim().min(1, '请填写原因').max(1000);

/** The written informed consent of the patient, recorded at the inviting side before the invitation is sent. */
export const consentInputSchema = z.object(
  {
    signer: z.enum(consentSigners),
    /** Name of the person who signed (the patient, or the guardian or agent). */
    signerName: z.string().trim().min(1, '请填写签署人姓名').max(50),
    signedAt: isoDateTime,
    /** Where the signed paper form is archived, e.g. the form number of the inviting facility (知情同意书编号). */
    formReference: z.string().trim().min(1, '请填写知情同意书编号或存档位置').max(200),
  },
  { error: (issue) => (issue.input === undefined ? '须先取得患者（或监护人）的书面知情同意，并登记知情同意书' : '知情同意书登记格式错误') },
);
export type ConsentInput = z.infer<typeof consentInputSchema>;

export const consultationInputSchema = z.object({
  centerId: id,
  patientId: id,
  kind: z.enum(consultationKinds),
  /** Clinical specialty asked for (会诊科室), e.g. 心血管内科. */
  specialty: z.string().trim().min(1, '请填写会诊科室（专科）').max(50),
  /** For outpatient and inpatient consultations only (an emergency consultation is always `emergency`). */
  urgency: z.enum(['routine', 'urgent']).optional(),
  /** Purpose of the consultation (会诊目的) — the question to the experts. */
  purpose: z.string().trim().min(1, '请填写会诊目的').max(2000),
  /** Case summary (病情摘要) shared with the experts. */
  clinicalSummary: z.string().trim().max(8000).optional(),
  /** When the requester would like it to take place (an outpatient consultation is usually booked ahead). */
  preferredAt: isoDateTime.optional(),
  consent: consentInputSchema,
});
export type ConsultationInput = z.infer<typeof consultationInputSchema>;

export const assignExpertInputSchema = z.object({
  userId: id,
  role: z.enum(expertRoles).default('member'),
  /** The expert's specialty in this consultation; defaults to the one asked for. */
  specialty: z.string().trim().min(1).max(50).optional(),
});
export type AssignExpertInput = z.infer<typeof assignExpertInputSchema>;

export const scheduleInputSchema = z.object({
  startsAt: isoDateTime,
  endsAt: isoDateTime,
  /** The video meeting link (the platform does not carry the video). */
  videoLink: z.string().trim().url('请填写有效的视频会议链接（http/https）').max(500).refine((u) => /^https?:\/\//i.test(u), '视频会议链接须以 http:// 或 https:// 开头'),
  note: z.string().trim().max(1000).optional(),
});
export type ScheduleInput = z.infer<typeof scheduleInputSchema>;

export const invitationResponseSchema = z.object({
  response: z.enum(['accept', 'decline']),
  /** Required when declining. */
  reason: z.string().trim().max(1000).optional(),
});
export type InvitationResponse = z.infer<typeof invitationResponseSchema>;

export const opinionInputSchema = z.object({
  opinion: z.string().trim().min(1, '请填写会诊意见').max(8000),
  recommendations: z.string().trim().max(4000).optional(),
});
export type OpinionInput = z.infer<typeof opinionInputSchema>;

export const conclusionInputSchema = z.object({
  /** The inviting doctor's final diagnosis and treatment decision (最终诊疗决定); they keep the responsibility. */
  decision: z.string().trim().min(1, '请填写最终诊疗决定').max(8000),
});
export type ConclusionInput = z.infer<typeof conclusionInputSchema>;

export const consultationReasonSchema = z.object({ reason });

export const consultationListQuerySchema = z.object({
  /** `sent`: my facility's requests; `center`: the queue of the centers where I am in the expert pool; `expert`: where I am invited. */
  view: z.enum(['sent', 'center', 'expert']).default('sent'),
  centerId: z.string().max(100).optional(),
  status: z.union([z.enum(consultationStatuses), z.array(z.enum(consultationStatuses))]).optional(),
  kind: z.enum(consultationKinds).optional(),
  specialty: z.string().trim().max(50).optional(),
  overdue: boolParam.optional(),
  patientId: z.string().max(100).optional(),
  q: z.string().trim().max(50).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});
export type ConsultationListQuery = z.infer<typeof consultationListQuerySchema>;

export interface ConsentDto {
  signer: ConsentSigner;
  signerName: string;
  signedAt: string;
  formReference: string;
  recordedByName: string;
  recordedAt: string;
}

export interface ConsultationExpertDto {
  id: string;
  userId: string;
  name: string;
  role: ExpertRole;
  specialty: string | null;
  state: ExpertState;
  reason: string | null;
  invitedAt: string;
  respondedAt: string | null;
}

export interface ConsultationOpinionDto {
  id: string;
  expertUserId: string;
  expertName: string;
  specialty: string | null;
  opinion: string;
  recommendations: string | null;
  at: string;
}

export interface ConsultationDto {
  id: string;
  number: string;
  status: ConsultationStatus;
  kind: ConsultationKind;
  urgency: Urgency;
  specialty: string;
  center: { id: string; name: string; organizationId: string; organizationName: string };
  requester: { organizationId: string; organizationName: string; userId: string | null; userName: string };
  patient: { id: string; name: string; sex: string; birthDate: string };
  purpose: string;
  clinicalSummary: string | null;
  preferredAt: string | null;
  schedule: { startsAt: string; endsAt: string; videoLink: string; scheduledByName: string; scheduledAt: string } | null;
  startedAt: string | null;
  consent: ConsentDto;
  experts: ConsultationExpertDto[];
  opinions: ConsultationOpinionDto[];
  decision: { text: string; byName: string; at: string } | null;
  declineReason: string | null;
  cancelReason: string | null;
  deadline: DeadlineViewDto | null;
  submittedAt: string;
  completedAt: string | null;
  version: number;
  /** What the caller may do now (the UI shows these buttons). */
  allowedActions: ConsultationAction[];
}

export interface ConsultationListItemDto {
  id: string;
  number: string;
  status: ConsultationStatus;
  kind: ConsultationKind;
  urgency: (typeof urgencies)[number];
  specialty: string;
  centerId: string;
  centerName: string;
  requesterOrganizationName: string;
  requesterName: string;
  patientId: string;
  patientName: string;
  scheduledStart: string | null;
  experts: string[];
  createdAt: string;
  dueAt: string | null;
  overdue: boolean;
  escalationLevel: number;
}

export interface ConsultationEventDto {
  id: string;
  at: string;
  /** A move of the lifecycle, `submit`, or `overdue` / `escalated` from the deadline engine. */
  action: string;
  fromStatus: ConsultationStatus | null;
  toStatus: ConsultationStatus | null;
  actorName: string;
  reason: string | null;
  detail: unknown;
}

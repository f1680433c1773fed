import type { Urgency } from '../../contracts/codes.js';
import type {
  ConsentInput, ConsultationAction, ConsultationKind, ConsultationStatus, ConsentSigner, ExpertRole, ExpertState,
} from '../../contracts/diagnosis-consultation.js';
import type { DiagnosisStatus } from '../../contracts/diagnosis.js';
import { requesterRoles, type ActorFacts } from './diagnosis.rules.js';

/**
 * Pure rules of teleconsultation (远程会诊, domain.md §3): who is a party to a consultation, the lifecycle as a
 * transition table, the urgency of each kind, and the checks of a schedule and of the patient's consent. No database.
 */

/** Deadline step of the center's response (policies in src/modules/deadline/deadline.defaults.ts, subject `diagnosis`). */
export const CONSULTATION_RESPOND_STEP = 'consultation-respond';

/**
 * Parties: `requester` (a clinician of the requesting facility — may record the decision), `requesting-doctor` (the
 * one who asked), `coordinator` (any active reader of the center: its expert pool schedules and assigns), `duty-head`
 * (a coordinator on a duty-head shift now), `expert` (invited or accepted for this consultation).
 */
export type ConsultationParty = 'requester' | 'requesting-doctor' | 'coordinator' | 'duty-head' | 'expert';

export interface ConsultationFacts {
  requesterOrganizationId: string;
  requesterUserId: string | null;
  centerId: string;
  /** Users invited to or accepted for this consultation (declined and removed experts are no longer parties). */
  activeExpertUserIds: readonly string[];
}

/** The one access rule of a consultation: list, detail, timeline and every write start from it. */
export function consultationPartiesOf(actor: ActorFacts, c: ConsultationFacts): ConsultationParty[] {
  const out: ConsultationParty[] = [];
  if (actor.organizationId && actor.organizationId === c.requesterOrganizationId && actor.roles.some((x) => requesterRoles.includes(x))) {
    out.push('requester');
    if (c.requesterUserId && c.requesterUserId === actor.userId) out.push('requesting-doctor');
  }
  if (actor.readerCenterIds.has(c.centerId)) {
    out.push('coordinator');
    if (actor.dutyHeadCenterIds.has(c.centerId)) out.push('duty-head');
  }
  if (actor.userId && c.activeExpertUserIds.includes(actor.userId)) out.push('expert');
  return out;
}

export const consultationStatusLabels: Record<ConsultationStatus, string> = {
  requested: '待安排',
  scheduled: '已安排',
  'in-progress': '会诊中',
  'opinion-given': '已出会诊意见',
  concluded: '已完成',
  cancelled: '已撤销',
  declined: '已拒绝',
};

export const consultationActionLabels: Record<ConsultationAction, string> = {
  'assign-expert': '邀请专家',
  'remove-expert': '移除专家',
  'accept-invitation': '接受邀请',
  'decline-invitation': '谢绝邀请',
  schedule: '安排会诊',
  start: '开始会诊',
  opinion: '填写会诊意见',
  conclude: '记录最终诊疗决定',
  cancel: '撤销申请',
  decline: '拒绝会诊',
};

export const consultationKindLabels: Record<ConsultationKind, string> = { emergency: '急诊会诊', outpatient: '门诊会诊', inpatient: '住院会诊' };
export const expertRoleLabels: Record<ExpertRole, string> = { lead: '主持专家', member: '会诊专家' };
export const expertStateLabels: Record<ExpertState, string> = { invited: '已邀请', accepted: '已接受', declined: '已谢绝', removed: '已移除' };
export const consentSignerLabels: Record<ConsentSigner, string> = { patient: '患者本人', guardian: '监护人', agent: '委托代理人' };

interface ConsultationRule {
  from: readonly ConsultationStatus[];
  /** Target status; `same` keeps it. */
  to: ConsultationStatus | 'same';
  parties: readonly ConsultationParty[];
  /** A required text and the field that carries it. */
  needs?: 'reason' | 'decision';
}

const beforeSession: readonly ConsultationStatus[] = ['requested', 'scheduled'];
const panelOpen: readonly ConsultationStatus[] = ['requested', 'scheduled', 'in-progress'];

/** The lifecycle as a table (architecture.md habit 4); tested exhaustively in consultation.rules.test.ts. */
export const consultationTransitions: Record<ConsultationAction, ConsultationRule> = {
  'assign-expert': { from: panelOpen, to: 'same', parties: ['coordinator'] },
  'remove-expert': { from: panelOpen, to: 'same', parties: ['coordinator'], needs: 'reason' },
  'accept-invitation': { from: panelOpen, to: 'same', parties: ['expert'] },
  'decline-invitation': { from: panelOpen, to: 'same', parties: ['expert'], needs: 'reason' },
  schedule: { from: beforeSession, to: 'scheduled', parties: ['coordinator'] },
  start: { from: ['scheduled'], to: 'in-progress', parties: ['coordinator', 'expert', 'requester'] },
  opinion: { from: ['in-progress', 'opinion-given'], to: 'opinion-given', parties: ['expert'] },
  conclude: { from: ['opinion-given'], to: 'concluded', parties: ['requester'], needs: 'decision' },
  cancel: { from: beforeSession, to: 'cancelled', parties: ['requester'], needs: 'reason' },
  decline: { from: beforeSession, to: 'declined', parties: ['coordinator'], needs: 'reason' },
};

export type ConsultationDecision =
  | { ok: true; to: ConsultationStatus }
  | { ok: false; reason: 'state'; message: string }
  | { ok: false; reason: 'not-party'; message: string }
  | { ok: false; reason: 'missing'; message: string; field: string };

const partyLabels: Record<ConsultationParty, string> = {
  requester: '申请机构的医生',
  'requesting-doctor': '申请医生',
  coordinator: '会诊中心的专家（排班人员）',
  'duty-head': '当班组长',
  expert: '受邀的会诊专家',
};

/**
 * Decides one move. Order: the party first (403 — an outsider learns nothing of the state), then the state (409 names
 * it), then the required text (400 with its field).
 */
export function decideConsultation(
  status: ConsultationStatus,
  action: ConsultationAction,
  parties: readonly ConsultationParty[],
  opts: { reason?: string | undefined; decision?: string | undefined } = {},
): ConsultationDecision {
  const rule = consultationTransitions[action];
  if (!rule.parties.some((p) => parties.includes(p))) {
    return { ok: false, reason: 'not-party', message: `只有${rule.parties.map((p) => partyLabels[p]).join('或')}可以「${consultationActionLabels[action]}」` };
  }
  if (!rule.from.includes(status)) {
    return { ok: false, reason: 'state', message: `会诊当前为「${consultationStatusLabels[status]}」（${status}），不能「${consultationActionLabels[action]}」` };
  }
  if (rule.needs === 'reason' && !opts.reason?.trim()) return { ok: false, reason: 'missing', message: `「${consultationActionLabels[action]}」须填写原因`, field: 'reason' };
  if (rule.needs === 'decision' && !opts.decision?.trim()) return { ok: false, reason: 'missing', message: '请填写最终诊疗决定', field: 'decision' };
  return { ok: true, to: rule.to === 'same' ? status : rule.to };
}

/** Actions the parties may take in this status (the UI's buttons). */
export function allowedConsultationActions(status: ConsultationStatus, parties: readonly ConsultationParty[]): ConsultationAction[] {
  return (Object.keys(consultationTransitions) as ConsultationAction[]).filter((a) => {
    const rule = consultationTransitions[a];
    return rule.from.includes(status) && rule.parties.some((p) => parties.includes(p));
  });
}

/**
 * Urgency of the response deadline: an emergency consultation is always `emergency` (respond within 1 h, domain.md
 * §3); outpatient and inpatient ones are `routine` (arranged within 6 h) unless the requester marks them urgent.
 */
export function consultationUrgency(kind: ConsultationKind, requested?: 'routine' | 'urgent'): Urgency {
  return kind === 'emergency' ? 'emergency' : (requested ?? 'routine');
}

/**
 * The request row's status mirrors the consultation's coarsely, so what reads every request of a center (patient
 * access of its readers, statistics) sees a consultation in the right place: waiting, under way, done or withdrawn.
 */
export function requestStatusOf(status: ConsultationStatus): DiagnosisStatus {
  switch (status) {
    case 'requested': return 'requested';
    case 'scheduled': case 'in-progress': case 'opinion-given': return 'in-progress';
    case 'concluded': return 'completed';
    case 'cancelled': case 'declined': return 'cancelled';
  }
}

/** Longest consultation session the schedule accepts. */
export const MAX_SESSION_MINUTES = 8 * 60;

/**
 * A schedule must end after it starts, last at most 8 hours, not be over already, and have at least one expert who has
 * not declined — a consultation scheduled with nobody to give an opinion would wait for ever.
 */
export function scheduleProblem(s: { startsAt: Date; endsAt: Date; now: Date; activeExperts: number }): { message: string; field: string } | null {
  if (!(s.endsAt.getTime() > s.startsAt.getTime())) return { message: '会诊结束时间应晚于开始时间', field: 'endsAt' };
  if (s.endsAt.getTime() - s.startsAt.getTime() > MAX_SESSION_MINUTES * 60_000) return { message: `一次会诊不能超过 ${MAX_SESSION_MINUTES / 60} 小时`, field: 'endsAt' };
  if (s.endsAt.getTime() <= s.now.getTime()) return { message: '会诊结束时间已过，请安排将来的时间', field: 'endsAt' };
  if (s.activeExperts === 0) return { message: '请先邀请至少一位会诊专家，再安排会诊', field: 'experts' };
  return null;
}

/** Clock skew tolerated between the signing device and the server. */
const CONSENT_SKEW_MS = 5 * 60_000;
/** A consent older than this is not taken as the consent to this consultation. */
export const CONSENT_MAX_AGE_DAYS = 30;

/**
 * The written consent (知情同意书) must have been signed already — not later than now — and recently: the 2018
 * remote-medicine norms ask the inviting side to inform the patient and obtain written consent for this consultation.
 */
export function consentProblem(consent: Pick<ConsentInput, 'signedAt'>, now: Date): { message: string; field: string } | null {
  const at = new Date(consent.signedAt).getTime();
  if (at > now.getTime() + CONSENT_SKEW_MS) return { message: '知情同意书的签署时间不能晚于现在：须先签署，再申请会诊', field: 'consent.signedAt' };
  if (now.getTime() - at > CONSENT_MAX_AGE_DAYS * 86_400_000) return { message: `知情同意书签署已超过 ${CONSENT_MAX_AGE_DAYS} 天，请就本次会诊重新签署`, field: 'consent.signedAt' };
  return null;
}

/** What the request row shows as its examination item (申请项目): the kind and the specialty asked for. */
export const consultationItem = (kind: ConsultationKind, specialty: string): string => `${consultationKindLabels[kind]}·${specialty}`;

import type {
  HoldReason, ReferralDirection, ReferralStatus, ReferralSubState, RoleCode, Urgency,
} from '../../contracts/codes.js';
import { patientHoldReasons } from '../../contracts/codes.js';

/**
 * The referral lifecycle as a table (architecture.md, habit 4). Statuses are FHIR task-status codes; while
 * `in-progress`, the sub-state (Task.businessStatus) says how far the patient got. Each row names who may take the
 * action: the sending facility, the receiving facility, or the alliance's referral desk (转诊服务中心).
 */
export type Party = 'sender' | 'receiver' | 'desk';
export type TransitionAction =
  | 'submit' | 'accept' | 'reject' | 'cancel' | 'hold' | 'resume' | 'redirect' | 'book' | 'unbook' | 'arrive' | 'admit'
  | 'discharge' | 'complete' | 'start-care';

export interface ReferralState {
  status: ReferralStatus;
  subState: ReferralSubState | null;
  direction: ReferralDirection;
  heldFromStatus: ReferralStatus | null;
  heldFromSubState?: ReferralSubState | null;
}

interface TransitionRule {
  action: TransitionAction;
  /** Accepted source states: a status, optionally with the sub-states it must be in (null = no sub-state). */
  from: readonly { status: ReferralStatus; subStates?: readonly (ReferralSubState | null)[] }[];
  to: ReferralStatus | 'held-from';
  toSubState?: ReferralSubState | null;
  /** The sub-state survives the move (a hold remembers how far the patient got). Otherwise it is cleared unless set. */
  keepsSubState?: true;
  parties: readonly Party[];
  directions: readonly ReferralDirection[];
  requires?: readonly ('reason' | 'holdReason' | 'summary' | 'destination')[];
  /** Zh-CN label for messages and the timeline. */
  label: string;
}

const both: readonly ReferralDirection[] = ['up', 'down'];

export const transitionTable: readonly TransitionRule[] = [
  { action: 'submit', from: [{ status: 'draft' }], to: 'requested', parties: ['sender'], directions: both, label: '提交转诊' },
  { action: 'accept', from: [{ status: 'requested' }], to: 'accepted', parties: ['receiver', 'desk'], directions: both, label: '接收' },
  { action: 'reject', from: [{ status: 'requested' }], to: 'rejected', parties: ['receiver', 'desk'], directions: both, requires: ['reason'], label: '拒收' },
  // The desk's override of the destination (routing recommendation or the sender's choice), reason kept.
  { action: 'redirect', from: [{ status: 'requested' }], to: 'requested', parties: ['desk'], directions: both, requires: ['reason', 'destination'], label: '改派接收机构' },
  {
    action: 'cancel',
    from: [{ status: 'draft' }, { status: 'requested' }, { status: 'accepted' }, { status: 'on-hold' }, { status: 'in-progress', subStates: ['scheduled'] }],
    to: 'cancelled', parties: ['sender', 'desk'], directions: both, requires: ['reason'], label: '撤销',
  },
  {
    action: 'hold', from: [{ status: 'requested' }, { status: 'accepted' }, { status: 'in-progress' }], to: 'on-hold',
    parties: ['receiver', 'desk'], directions: both, requires: ['reason', 'holdReason'], label: '挂起', keepsSubState: true,
  },
  { action: 'resume', from: [{ status: 'on-hold' }], to: 'held-from', parties: ['receiver', 'desk'], directions: both, label: '恢复' },
  { action: 'book', from: [{ status: 'accepted' }], to: 'in-progress', toSubState: 'scheduled', parties: ['receiver', 'desk'], directions: ['up'], label: '预约号源/床位' },
  { action: 'unbook', from: [{ status: 'in-progress', subStates: ['scheduled'] }], to: 'accepted', toSubState: null, parties: ['receiver', 'desk'], directions: ['up'], requires: ['reason'], label: '取消预约' },
  {
    action: 'arrive', from: [{ status: 'accepted' }, { status: 'in-progress', subStates: ['scheduled'] }], to: 'in-progress', toSubState: 'arrived',
    parties: ['receiver', 'desk'], directions: both, label: '患者到达',
  },
  {
    action: 'admit', from: [{ status: 'in-progress', subStates: ['scheduled', 'arrived'] }], to: 'in-progress', toSubState: 'admitted',
    parties: ['receiver', 'desk'], directions: ['up'], label: '办理入院',
  },
  { action: 'discharge', from: [{ status: 'in-progress', subStates: ['admitted'] }], to: 'in-progress', toSubState: 'discharged', parties: ['receiver'], directions: ['up'], label: '出院' },
  // An up-referral closes when the visit or discharge summary goes back to the sender.
  {
    action: 'complete', from: [{ status: 'in-progress', subStates: ['arrived', 'discharged'] }], to: 'completed', toSubState: null,
    parties: ['receiver'], directions: ['up'], requires: ['summary'], label: '完成并回传诊疗结果',
  },
  // A down-referral is taken over when its first care-plan task is done, and completes when the last one is.
  { action: 'start-care', from: [{ status: 'accepted' }], to: 'in-progress', toSubState: null, parties: ['receiver'], directions: ['down'], label: '开始随访' },
  {
    action: 'complete', from: [{ status: 'accepted' }, { status: 'in-progress' }], to: 'completed', toSubState: null,
    parties: ['receiver'], directions: ['down'], label: '随访计划完成',
  },
];

export type TransitionDecision =
  | { ok: true; rule: TransitionRule; to: ReferralStatus; toSubState: ReferralSubState | null }
  | { ok: false; reason: 'illegal' | 'not-party' | 'missing'; message: string; missing?: string };

const statusLabel: Record<ReferralStatus, string> = {
  draft: '草稿', requested: '待接收', accepted: '已接收', rejected: '已拒收', 'in-progress': '进行中', 'on-hold': '已挂起',
  completed: '已完成', cancelled: '已撤销',
};
const subStateLabel: Record<ReferralSubState, string> = { scheduled: '已预约', arrived: '已到诊', admitted: '已入院', discharged: '已出院' };

export function describeState(status: ReferralStatus, subState: ReferralSubState | null): string {
  return subState ? `${statusLabel[status]}（${subStateLabel[subState]}）` : statusLabel[status];
}

function matches(rule: TransitionRule, s: ReferralState): boolean {
  return rule.directions.includes(s.direction) &&
    rule.from.some((f) => f.status === s.status && (f.subStates === undefined || f.subStates.includes(s.subState)));
}

/**
 * Decides a move: legal from this state, by one of these parties, with what it requires. The message says why not,
 * in the user's language, so the 409 is actionable.
 */
export function decideTransition(
  state: ReferralState,
  action: TransitionAction,
  parties: readonly Party[],
  given: { reason?: string | undefined; holdReason?: HoldReason | undefined; summary?: string | undefined; destination?: string | undefined },
): TransitionDecision {
  const candidates = transitionTable.filter((r) => r.action === action && r.directions.includes(state.direction));
  const rule = candidates.find((r) => matches(r, state));
  if (!rule) {
    const label = candidates[0]?.label ?? action;
    return { ok: false, reason: 'illegal', message: `转诊当前状态为「${describeState(state.status, state.subState)}」，不能执行「${label}」` };
  }
  if (!rule.parties.some((p) => parties.includes(p))) {
    const who = rule.parties.map((p) => ({ sender: '转出机构', receiver: '接收机构', desk: '转诊服务中心' })[p]).join('或');
    return { ok: false, reason: 'not-party', message: `只有${who}可以执行「${rule.label}」` };
  }
  for (const need of rule.requires ?? []) {
    if (!given[need]?.trim()) {
      const what = { reason: '原因', holdReason: '挂起原因类别', summary: '诊疗结果摘要（出院小结或门诊记录）', destination: '新的接收机构' }[need];
      return { ok: false, reason: 'missing', message: `「${rule.label}」需要填写${what}`, missing: need };
    }
  }
  if (rule.to === 'held-from') {
    if (!state.heldFromStatus) return { ok: false, reason: 'illegal', message: '无法恢复：没有记录挂起前的状态' };
    return { ok: true, rule, to: state.heldFromStatus, toSubState: state.heldFromSubState ?? null };
  }
  return { ok: true, rule, to: rule.to, toSubState: rule.keepsSubState ? state.subState : (rule.toSubState ?? null) };
}

/** Every action the parties could take now (the UI shows these buttons). */
export function allowedTransitions(state: ReferralState, parties: readonly Party[]): TransitionAction[] {
  const out = new Set<TransitionAction>();
  for (const r of transitionTable) {
    if (matches(r, state) && r.parties.some((p) => parties.includes(p))) out.add(r.action);
  }
  return [...out];
}

/** Does a hold for this reason stop the clock? Waiting for the patient is not the facility's delay. */
export function holdStopsClock(reason: HoldReason): boolean {
  return patientHoldReasons.includes(reason);
}

/**
 * Which deadline runs in each state (the deadline engine's step names, docs/deadlines.md). `null` = no clock:
 * a draft, an admitted patient (length of stay is clinical), a finished referral.
 */
export function deadlineStepFor(direction: ReferralDirection, status: ReferralStatus, subState: ReferralSubState | null): string | null {
  if (status === 'requested') return direction === 'up' ? 'accept' : 'accept-down';
  if (direction === 'down') return null;
  if (status === 'accepted') return 'schedule';
  if (status === 'in-progress' && (subState === 'arrived' || subState === 'discharged')) return 'return-summary';
  return null;
}

/** Statuses in which a referral still needs someone to act (worklists, duplicate warning). */
export const openStatuses: readonly ReferralStatus[] = ['draft', 'requested', 'accepted', 'in-progress', 'on-hold'];

/** The parties an actor is for one referral, from their organization, roles and the alliance's members. */
export function partiesOf(
  actor: { organizationId: string | null; roles: readonly RoleCode[] },
  referral: { originOrganizationId: string; destinationOrganizationId: string },
  deskOrganizationIds: ReadonlySet<string>,
): Party[] {
  const parties: Party[] = [];
  const org = actor.organizationId;
  if (!org) return parties;
  const clinical = actor.roles.some((r) => clinicalRoles.includes(r));
  if (clinical && referral.originOrganizationId === org) parties.push('sender');
  if (clinical && referral.destinationOrganizationId === org) parties.push('receiver');
  if (actor.roles.some((r) => deskRoles.includes(r)) &&
    (deskOrganizationIds.has(referral.originOrganizationId) || deskOrganizationIds.has(referral.destinationOrganizationId))) parties.push('desk');
  return parties;
}

/** Roles that file and receive referrals at their own facility. The desk roles act for the whole alliance. */
export const clinicalRoles: readonly RoleCode[] = ['village-doctor', 'township-doctor', 'county-specialist', 'referral-desk', 'dispatch-coordinator'];
export const deskRoles: readonly RoleCode[] = ['referral-desk', 'dispatch-coordinator', 'alliance-admin'];

/** FHIR ServiceRequest.priority for an urgency (emergency → stat). */
export function fhirPriorityOf(urgency: Urgency): 'routine' | 'urgent' | 'stat' {
  return urgency === 'emergency' ? 'stat' : urgency;
}

/** 转诊单号: the Shanghai date and a sequence number, e.g. 20261122-000042. */
export function referralNumber(shanghaiDay: string, sequence: number): string {
  return `${shanghaiDay.replaceAll('-', '')}-${String(sequence).padStart(6, '0')}`;
}

/** Masks an ID number for lists and slips shown outside the managing facility: 3508**********1234. */
export function maskIdNumber(idNumber: string | null): string | null {
  if (!idNumber) return null;
  return `${idNumber.slice(0, 4)}${'*'.repeat(Math.max(0, idNumber.length - 8))}${idNumber.slice(-4)}`;
}

import type { RoleCode } from '../../contracts/codes.js';
import type { AttachmentKind, CenterType, DiagnosisAction, DiagnosisStatus, Modality } from '../../contracts/diagnosis.js';

/**
 * Pure rules of the shared diagnosis centers (domain.md §3): the request lifecycle as a transition table, who is a
 * party to a request, the deadline step of each center type, and roster-and-load assignment. No database here.
 */

/** Deadline step of a center's report, per center type (policies in src/modules/deadline/deadline.defaults.ts). */
export const reportStepOf: Record<CenterType, string> = {
  imaging: 'imaging-report',
  ecg: 'ecg-report',
  pathology: 'pathology-report',
  lab: 'lab-report',
  consultation: 'consultation-respond',
};
/** Deadline step of a critical value's acknowledgement with read-back by the requesting facility. */
export const CRITICAL_ACK_STEP = 'critical-value-ack';

/** Roles that request examinations for their facility's patients. */
export const requesterRoles: readonly RoleCode[] = ['village-doctor', 'township-doctor', 'county-specialist'];

/**
 * Parties to a request: `requester` (the requesting facility's clinicians), `reader` (any active reader of the center),
 * `claimer` (the reader who holds the claim), `duty-head` (a reader on a duty-head shift now).
 */
export type Party = 'requester' | 'reader' | 'claimer' | 'duty-head';

export interface RequestFacts {
  requesterOrganizationId: string;
  centerId: string;
  claimedBy: string | null;
}

export interface ActorFacts {
  userId: string;
  organizationId: string | null;
  roles: readonly RoleCode[];
  /** Centers where the actor is an active reader. */
  readerCenterIds: ReadonlySet<string>;
  /** Centers where the actor is on a duty-head shift at this moment. */
  dutyHeadCenterIds: ReadonlySet<string>;
}

/** The one access rule of a request: list, detail, attachments, report and every write start from it. */
export function partiesOf(actor: ActorFacts, r: RequestFacts): Party[] {
  const out: Party[] = [];
  if (actor.organizationId && actor.organizationId === r.requesterOrganizationId && actor.roles.some((x) => requesterRoles.includes(x))) out.push('requester');
  if (actor.readerCenterIds.has(r.centerId)) {
    out.push('reader');
    if (r.claimedBy && r.claimedBy === actor.userId) out.push('claimer');
    if (actor.dutyHeadCenterIds.has(r.centerId)) out.push('duty-head');
  }
  return out;
}

export const statusLabels: Record<DiagnosisStatus, string> = {
  requested: '待认领',
  'in-progress': '诊断中',
  returned: '已退回重拍',
  preliminary: '已出初步报告',
  'awaiting-signoff': '待审核签发',
  completed: '已完成',
  cancelled: '已撤销',
};

export const actionLabels: Record<DiagnosisAction, string> = {
  submit: '提交申请',
  claim: '认领',
  release: '释放',
  assign: '自动分配',
  reassign: '改派',
  'qc-accept': '质控通过',
  'qc-return': '退回重拍',
  resubmit: '重新提交',
  cancel: '撤销',
  preliminary: '出具初步报告',
  finalize: '签发报告',
  'sign-off': '审核签发',
  'signoff-return': '审核退回',
  amend: '更正报告',
  'flag-critical': '报告危急值',
};

interface TransitionRule {
  from: readonly DiagnosisStatus[];
  /** Target status; `same` keeps it. `finalize` is decided by the center's second-reader setting. */
  to: DiagnosisStatus | 'same';
  parties: readonly Party[];
  needsReason?: boolean;
}

const reading: readonly DiagnosisStatus[] = ['in-progress', 'preliminary'];

/** The lifecycle of a request as a table (architecture.md habit 4); tested exhaustively in diagnosis.rules.test.ts. */
export const transitionTable: Record<Exclude<DiagnosisAction, 'submit' | 'assign'>, TransitionRule> = {
  claim: { from: ['requested'], to: 'in-progress', parties: ['reader'] },
  release: { from: ['in-progress'], to: 'requested', parties: ['claimer'] },
  reassign: { from: ['requested', 'in-progress'], to: 'requested', parties: ['duty-head'] },
  'qc-accept': { from: ['in-progress'], to: 'same', parties: ['claimer'] },
  'qc-return': { from: ['in-progress'], to: 'returned', parties: ['claimer'], needsReason: true },
  resubmit: { from: ['returned'], to: 'requested', parties: ['requester'] },
  cancel: { from: ['requested', 'returned'], to: 'cancelled', parties: ['requester'], needsReason: true },
  preliminary: { from: reading, to: 'preliminary', parties: ['claimer'] },
  finalize: { from: reading, to: 'completed', parties: ['claimer'] },
  'sign-off': { from: ['awaiting-signoff'], to: 'completed', parties: ['reader'] },
  'signoff-return': { from: ['awaiting-signoff'], to: 'in-progress', parties: ['reader'], needsReason: true },
  amend: { from: ['completed'], to: 'same', parties: ['reader'], needsReason: true },
  'flag-critical': { from: ['in-progress', 'preliminary', 'awaiting-signoff', 'completed'], to: 'same', parties: ['reader'] },
};
export type TableAction = keyof typeof transitionTable;

export type Decision =
  | { ok: true; to: DiagnosisStatus }
  | { ok: false; reason: 'state'; message: string }
  | { ok: false; reason: 'not-party'; message: string }
  | { ok: false; reason: 'missing'; message: string; field: string };

const partyLabels: Record<Party, string> = { requester: '申请机构的医生', reader: '本中心的诊断医师', claimer: '认领该申请的诊断医师', 'duty-head': '当班组长' };

/**
 * Decides one move. Order: the state first (409 names it), then the party (403), then the reason (400) — so a caller
 * who may never do the action learns that rather than a missing field.
 */
export function decideTransition(
  status: DiagnosisStatus,
  action: TableAction,
  parties: readonly Party[],
  opts: { reason?: string | undefined; requiresSecondSignoff?: boolean; preliminaryReleased?: boolean } = {},
): Decision {
  const rule = transitionTable[action];
  if (!rule.parties.some((p) => parties.includes(p))) {
    return { ok: false, reason: 'not-party', message: `只有${rule.parties.map((p) => partyLabels[p]).join('或')}可以「${actionLabels[action]}」` };
  }
  if (!rule.from.includes(status)) {
    return { ok: false, reason: 'state', message: `申请当前为「${statusLabels[status]}」（${status}），不能「${actionLabels[action]}」` };
  }
  if (rule.needsReason && !opts.reason?.trim()) return { ok: false, reason: 'missing', message: `「${actionLabels[action]}」须填写原因`, field: 'reason' };
  if (action === 'finalize' && opts.requiresSecondSignoff) return { ok: true, to: 'awaiting-signoff' };
  // Sent back by the second reader: the requester keeps seeing the preliminary report released before, if any.
  if (action === 'signoff-return' && opts.preliminaryReleased) return { ok: true, to: 'preliminary' };
  return { ok: true, to: rule.to === 'same' ? status : rule.to };
}

/** Actions the parties may take in this status (the UI's buttons). */
export function allowedActions(status: DiagnosisStatus, parties: readonly Party[]): TableAction[] {
  return (Object.keys(transitionTable) as TableAction[]).filter((a) => {
    const rule = transitionTable[a];
    return rule.from.includes(status) && rule.parties.some((p) => parties.includes(p));
  });
}

/** The second reader (双签) must be someone else than the report's author. */
export function signOffProblem(authorUserId: string, signerUserId: string): string | null {
  return authorUserId === signerUserId ? '审核签发须由另一位诊断医师完成：签发人不能是报告书写人' : null;
}

// ---- roster and load

export interface ShiftFacts {
  userId: string;
  startsAt: Date;
  endsAt: Date;
  role: 'reader' | 'duty-head';
}

/** Shifts covering `at` (half-open [start, end)). */
export function onDutyAt<T extends Pick<ShiftFacts, 'startsAt' | 'endsAt'>>(shifts: readonly T[], at: Date): T[] {
  const t = at.getTime();
  return shifts.filter((s) => s.startsAt.getTime() <= t && t < s.endsAt.getTime());
}

export interface ReaderCandidate {
  userId: string;
  specialties: readonly string[];
  /** Open items assigned to or claimed by the reader. */
  openItems: number;
}

/** A reader reads a modality when it lists it — or lists nothing (a generalist of the center). */
export const readsModality = (specialties: readonly string[], modality: Modality): boolean => specialties.length === 0 || specialties.includes(modality);

/**
 * Roster-and-load assignment: among the on-duty readers who read the modality, the one with the fewest open items;
 * ties by user id, so the choice is reproducible. Specialists are preferred over generalists. Null: nobody fits — the
 * item stays unassigned in the queue for anyone to claim, and its deadline escalates to the duty head.
 */
export function chooseReader(candidates: readonly ReaderCandidate[], modality: Modality): string | null {
  const fit = candidates.filter((c) => readsModality(c.specialties, modality));
  if (fit.length === 0) return null;
  const specialists = fit.filter((c) => c.specialties.includes(modality));
  const pool = specialists.length > 0 ? specialists : fit;
  const sorted = [...pool].sort((a, b) => a.openItems - b.openItems || a.userId.localeCompare(b.userId));
  return sorted[0]!.userId;
}

/** Request number printed on forms: DX-YYYYMMDD-NNNNNN. */
export const requestNumber = (shanghaiDay: string, n: number): string => `DX-${shanghaiDay.replaceAll('-', '')}-${String(n).padStart(6, '0')}`;

/** A shift must end after it starts and may last at most 24 hours; its roster day is the CST date it starts on (±1). */
export function shiftProblem(s: { date: string; startsAt: Date; endsAt: Date }, shanghaiDateOf: (d: Date) => string): { message: string; field: string } | null {
  if (!(s.endsAt.getTime() > s.startsAt.getTime())) return { message: '班次结束时间应晚于开始时间', field: 'endsAt' };
  if (s.endsAt.getTime() - s.startsAt.getTime() > 24 * 3_600_000) return { message: '一个班次不能超过 24 小时', field: 'endsAt' };
  if (shanghaiDateOf(s.startsAt) !== s.date) return { message: `班次开始时间不在排班日期 ${s.date}（北京时间）内`, field: 'startsAt' };
  return null;
}

/** Report text from a template and what the reader typed: typed text wins, the template fills what is left empty. */
export function reportText(template: { findings: string; impression: string } | null, input: { findings?: string | undefined; impression?: string | undefined }): { findings: string; impression: string } {
  return {
    findings: input.findings?.trim() || template?.findings || '',
    impression: input.impression?.trim() || template?.impression || '',
  };
}

/** Which files fit which center: DICOM for imaging, waveforms for ECG, slides for pathology; PDFs and images anywhere. */
export function attachmentKindProblem(centerType: CenterType, kind: AttachmentKind): string | null {
  const only: Partial<Record<AttachmentKind, CenterType>> = { dicom: 'imaging', ecg: 'ecg', slide: 'pathology' };
  const need = only[kind];
  return need && need !== centerType ? `「${kind}」类附件只适用于${centerTypeLabels[need]}中心` : null;
}

export const centerTypeLabels: Record<CenterType, string> = {
  imaging: '影像诊断',
  ecg: '心电诊断',
  pathology: '病理诊断',
  lab: '医学检验',
  consultation: '远程会诊',
};

import type {
  CarePlanTaskKind, ConsentMethod, DownReferralKind, HoldReason, ReferralStatus, RoleCode, Urgency,
} from '../../../contracts/codes.js';
import type {
  DownReferralInput, ReferralListItemDto, RoutingResultDto, SlotDto, UpReferralInput,
} from '../../../contracts/referral.js';
import { downReferralInputSchema, upReferralInputSchema } from '../../../contracts/referral.js';
import { type FieldError, issuesToFields, type Parsed } from '../network/alliance-admin.model.js';

/**
 * Pure rules of the two-way referral screens: labels and colours, which worklists a role sees, deadline wording,
 * form values → request bodies (checked with the shared contract), slot grouping and care-task ordering. The server
 * decides every move (allowedActions); these only shape what the UI shows and sends.
 */

// ---- labels and colours

export const statusColors: Record<ReferralStatus, string> = {
  draft: 'default',
  requested: 'blue',
  accepted: 'cyan',
  rejected: 'red',
  'in-progress': 'geekblue',
  'on-hold': 'gold',
  completed: 'green',
  cancelled: 'default',
};

/** Emergency red, urgent orange; routine gets no colour (and usually no tag at all). */
export const urgencyColors: Record<Urgency, string> = { routine: 'default', urgent: 'orange', emergency: 'red' };

/** Statuses of a referral still under way (a second one for the same patient is probably a duplicate). */
export const openStatuses: readonly ReferralStatus[] = ['draft', 'requested', 'accepted', 'in-progress', 'on-hold'];
export const isOpenStatus = (s: ReferralStatus): boolean => openStatuses.includes(s);

// ---- worklists

export const referralViews = ['sent', 'received', 'desk', 'no-capacity', 'all'] as const;
export type ReferralView = (typeof referralViews)[number];

/** Roles that send and receive referrals as clinicians. */
export const clinicalReferralRoles: readonly RoleCode[] = ['village-doctor', 'township-doctor', 'county-specialist'];
/** Roles that work the alliance-wide desk (转诊服务中心, 调度, 医共体管理). */
export const deskRoles: readonly RoleCode[] = ['referral-desk', 'dispatch-coordinator', 'alliance-admin'];
/** Roles that may start an up-referral from the form. */
export const referralCreatorRoles: readonly RoleCode[] = ['village-doctor', 'township-doctor', 'county-specialist', 'referral-desk'];
/** Grassroots doctors who take over follow-up after a down-referral. */
export const careTaskRoles: readonly RoleCode[] = ['village-doctor', 'township-doctor'];

const has = (roles: readonly RoleCode[], some: readonly RoleCode[]) => roles.some((r) => some.includes(r));

/** The worklist tabs a user sees, in order; the first is the default. */
export function viewsFor(roles: readonly RoleCode[]): ReferralView[] {
  const out: ReferralView[] = [];
  const desk = has(roles, deskRoles);
  if (desk) out.push('received', 'desk', 'no-capacity', 'sent');
  else if (has(roles, clinicalReferralRoles)) out.push('sent', 'received');
  if (out.length === 0 && roles.includes('commission-officer')) out.push('all');
  return out;
}

/** The tab to open: the one asked for when the user has it, otherwise their first. */
export function pickView(requested: string | undefined, roles: readonly RoleCode[]): ReferralView | undefined {
  const views = viewsFor(roles);
  return views.find((v) => v === requested) ?? views[0];
}

/** Sum of the open statuses of a counts answer (the figure on a tab). */
export function openCount(byStatus: Record<string, number> | undefined): number {
  if (!byStatus) return 0;
  return openStatuses.reduce((sum, s) => sum + (byStatus[s] ?? 0), 0);
}

/**
 * A worklist page in working order: overdue rows first (most overdue on top), then by due time, rows without a
 * deadline last. The server sorts by due already; this keeps the page stable if it mixes overdue rows in.
 */
export function worklistOrder<T extends Pick<ReferralListItemDto, 'overdue' | 'dueAt'>>(rows: readonly T[]): T[] {
  const due = (r: T) => (r.dueAt ? Date.parse(r.dueAt) : Number.POSITIVE_INFINITY);
  return [...rows].sort((a, b) => Number(b.overdue) - Number(a.overdue) || due(a) - due(b));
}

// ---- deadlines

export type DeadlineKind = 'none' | 'running' | 'soon' | 'overdue';
export interface DeadlineView {
  kind: DeadlineKind;
  /** Whole minutes left (running, soon) or past (overdue). */
  minutes: number;
}

/** Where a due time stands now: overdue (past it, or the server says so), soon (under an hour), running. */
export function deadlineView(dueAt: string | null | undefined, now: Date, serverOverdue = false): DeadlineView {
  if (!dueAt) return { kind: serverOverdue ? 'overdue' : 'none', minutes: 0 };
  const due = Date.parse(dueAt);
  if (Number.isNaN(due)) return { kind: 'none', minutes: 0 };
  const diff = Math.floor((due - now.getTime()) / 60_000);
  if (diff < 0 || serverOverdue) return { kind: 'overdue', minutes: Math.max(0, -diff) };
  return { kind: diff < 60 ? 'soon' : 'running', minutes: diff };
}

/** A translation function as i18next provides it (kept abstract so the model stays free of React). */
export type Translate = (key: string, options?: Record<string, unknown>) => string;

/** 2天3小时 / 3小时15分钟 / 12分钟 — the two largest units. */
export function formatDuration(minutes: number, t: Translate): string {
  const m = Math.max(0, Math.round(minutes));
  const days = Math.floor(m / 1440);
  const hours = Math.floor((m % 1440) / 60);
  const mins = m % 60;
  if (days > 0) return hours > 0 ? t('referral.duration.dh', { d: days, h: hours }) : t('referral.duration.d', { d: days });
  if (hours > 0) return mins > 0 ? t('referral.duration.hm', { h: hours, m: mins }) : t('referral.duration.h', { h: hours });
  return t('referral.duration.m', { m: mins });
}

/** The text of a deadline: "剩余 3小时15分钟" or "已逾期 2天3小时". */
export function deadlineText(view: DeadlineView, t: Translate): string {
  if (view.kind === 'none') return '';
  const span = formatDuration(view.minutes, t);
  return view.kind === 'overdue' ? t('referral.deadline.overdueBy', { span }) : t('referral.deadline.left', { span });
}

// ---- actions

/** Transition actions of POST /referrals/:id/transitions. */
export const transitionActions = ['submit', 'accept', 'reject', 'cancel', 'hold', 'resume', 'redirect', 'arrive', 'admit', 'discharge', 'complete'] as const;
export type TransitionAction = (typeof transitionActions)[number];
export const isTransitionAction = (a: string): a is TransitionAction => (transitionActions as readonly string[]).includes(a);

/** What a transition asks for before it is sent; actions not listed go straight through. */
export interface ActionForm {
  reason?: boolean;
  holdReason?: boolean;
  destination?: boolean;
  summary?: boolean;
  danger?: boolean;
}
export const actionForms: Partial<Record<TransitionAction, ActionForm>> = {
  reject: { reason: true, danger: true },
  cancel: { reason: true, danger: true },
  hold: { reason: true, holdReason: true },
  redirect: { reason: true, destination: true },
  complete: { summary: true },
};

/** Buttons in working order: the next step first, the destructive ones last. */
const actionOrder = [
  'submit', 'accept', 'book', 'book-bed', 'arrive', 'admit', 'discharge', 'complete', 'down-refer', 'resume', 'resend',
  'hold', 'redirect', 'unbook', 'reject', 'cancel', 'print',
];
/** The actions the server allows, known ones only, in button order. */
export function orderedActions(allowed: readonly string[]): string[] {
  return actionOrder.filter((a) => allowed.includes(a));
}
/** The one action to show as the primary button. */
export function primaryAction(allowed: readonly string[]): string | undefined {
  return orderedActions(allowed).find((a) => !['hold', 'redirect', 'unbook', 'reject', 'cancel', 'print', 'resend', 'resume'].includes(a));
}

export interface TransitionValues {
  reason?: string;
  holdReason?: HoldReason;
  summary?: string;
  destinationOrganizationId?: string | null;
}
export const transitionFields = ['reason', 'holdReason', 'summary', 'destinationOrganizationId'] as const;
export type TransitionField = (typeof transitionFields)[number];

export interface TransitionBody {
  action: TransitionAction;
  reason?: string;
  holdReason?: HoldReason;
  summary?: string;
  destinationOrganizationId?: string;
  expectedVersion?: number;
}

/** A transition dialog → the request body; what the action requires must be filled. `required` is the message. */
export function parseTransition(action: TransitionAction, v: TransitionValues, version: number | undefined, required: string): Parsed<TransitionBody, TransitionField> {
  const form = actionForms[action] ?? {};
  const errors: FieldError<TransitionField>[] = [];
  const reason = (v.reason ?? '').trim();
  const summary = (v.summary ?? '').trim();
  if (form.reason && !reason) errors.push({ name: 'reason', errors: [required] });
  if (form.holdReason && !v.holdReason) errors.push({ name: 'holdReason', errors: [required] });
  if (form.summary && !summary) errors.push({ name: 'summary', errors: [required] });
  if (form.destination && !v.destinationOrganizationId) errors.push({ name: 'destinationOrganizationId', errors: [required] });
  if (errors.length) return { ok: false, errors };
  const body: TransitionBody = { action };
  if (reason) body.reason = reason;
  if (form.holdReason && v.holdReason) body.holdReason = v.holdReason;
  if (summary) body.summary = summary;
  if (form.destination && v.destinationOrganizationId) body.destinationOrganizationId = v.destinationOrganizationId;
  if (version !== undefined) body.expectedVersion = version;
  return { ok: true, value: body };
}

// ---- up-referral form

export interface MedicationValues {
  name?: string;
  dose?: string;
  frequency?: string;
  note?: string;
}
export interface AttachedResultValues {
  kind?: 'lab' | 'imaging' | 'ecg' | 'pathology' | 'other';
  title?: string;
  /** YYYY-MM-DD */
  date?: string | null;
  summary?: string;
}

export interface UpReferralValues {
  patientId?: string;
  diagnosisCode?: string;
  diagnosisName?: string;
  urgency?: Urgency;
  reason?: string;
  clinicalSummary?: string;
  treatmentGiven?: string;
  medications?: MedicationValues[];
  attachedResults?: AttachedResultValues[];
  consentBy?: string;
  consentMethod?: ConsentMethod;
  consentGiven?: boolean;
  contactPhone?: string;
  destinationOrganizationId?: string | null;
  overrideReason?: string;
  inOwnCatalogueNote?: string;
}

export const upReferralFields = [
  'patientId', 'diagnosisCode', 'diagnosisName', 'urgency', 'reason', 'clinicalSummary', 'treatmentGiven', 'medications',
  'attachedResults', 'consentBy', 'consentMethod', 'consentGiven', 'contactPhone', 'destinationOrganizationId', 'overrideReason',
  'inOwnCatalogueNote',
] as const;
export type UpReferralField = (typeof upReferralFields)[number];

const trimmed = (v: string | null | undefined): string | undefined => {
  const s = (v ?? '').trim();
  return s ? s : undefined;
};

/** ICD-10 as the contract wants it: upper-case category, dot, detail (`i63.9` → `I63.9`). */
export const normalizeIcd10 = (code: string | null | undefined): string => (code ?? '').trim().toUpperCase();

const medicationLines = (rows: readonly MedicationValues[] | undefined) =>
  (rows ?? [])
    .filter((m) => trimmed(m?.name))
    .map((m) => ({ name: (m.name ?? '').trim(), dose: trimmed(m.dose), frequency: trimmed(m.frequency), note: trimmed(m.note) }));

/** Form values → the UpReferralInput body (no checks; see parseUpReferral). */
export function toUpReferralInput(v: UpReferralValues, submit: boolean, now: Date = new Date()): UpReferralInput {
  const consentBy = trimmed(v.consentBy);
  return {
    patientId: v.patientId ?? '',
    destinationOrganizationId: v.destinationOrganizationId ?? '',
    urgency: v.urgency ?? 'routine',
    diagnosisCode: normalizeIcd10(v.diagnosisCode),
    diagnosisName: (v.diagnosisName ?? '').trim(),
    secondaryDiagnoses: [],
    reason: (v.reason ?? '').trim(),
    clinicalSummary: (v.clinicalSummary ?? '').trim(),
    treatmentGiven: trimmed(v.treatmentGiven),
    medications: medicationLines(v.medications),
    attachedResults: (v.attachedResults ?? [])
      .filter((r) => trimmed(r?.title))
      .map((r) => ({ kind: r.kind ?? 'other', title: (r.title ?? '').trim(), date: r.date ?? '', summary: (r.summary ?? '').trim() })),
    consent: v.consentGiven && consentBy ? { by: consentBy, method: v.consentMethod ?? 'signed-form', at: now.toISOString() } : undefined,
    contactPhone: trimmed(v.contactPhone),
    overrideReason: trimmed(v.overrideReason),
    inOwnCatalogueNote: trimmed(v.inOwnCatalogueNote),
    submit,
  };
}

export interface UpReferralMessages {
  consentRequired: string;
  consentByRequired: string;
  overrideRequired: string;
  ownCatalogueNoteRequired: string;
  destinationRequired: string;
}

/** The recommendation the user was offered first (an override reason is needed to go elsewhere). */
export const firstRecommendation = (routing: RoutingResultDto | null | undefined): string | undefined => routing?.candidates[0]?.organizationId;

/** Does choosing this destination need an override reason? */
export function needsOverrideReason(destination: string | null | undefined, routing: RoutingResultDto | null | undefined): boolean {
  const first = firstRecommendation(routing);
  return Boolean(destination && first && destination !== first);
}

/**
 * The up-referral form → the request body, with the rules the form adds to the contract: informed consent before
 * submitting (a draft may wait), an override reason when leaving the first recommendation, a note when the diagnosis
 * is in the sender's own catalogue ("should it be treated here?").
 */
export function parseUpReferral(
  v: UpReferralValues,
  ctx: { submit: boolean; routing: RoutingResultDto | null | undefined; messages: UpReferralMessages; now?: Date },
): Parsed<UpReferralInput, UpReferralField> {
  const errors: FieldError<UpReferralField>[] = [];
  const { messages } = ctx;
  if (!v.destinationOrganizationId) errors.push({ name: 'destinationOrganizationId', errors: [messages.destinationRequired] });
  if (ctx.submit) {
    if (!v.consentGiven) errors.push({ name: 'consentGiven', errors: [messages.consentRequired] });
    if (!trimmed(v.consentBy)) errors.push({ name: 'consentBy', errors: [messages.consentByRequired] });
  }
  if (needsOverrideReason(v.destinationOrganizationId, ctx.routing) && !trimmed(v.overrideReason))
    errors.push({ name: 'overrideReason', errors: [messages.overrideRequired] });
  if (ctx.routing?.inOwnCatalogue && !trimmed(v.inOwnCatalogueNote))
    errors.push({ name: 'inOwnCatalogueNote', errors: [messages.ownCatalogueNoteRequired] });
  const input = toUpReferralInput(v, ctx.submit, ctx.now);
  const parsed = upReferralInputSchema.safeParse(input);
  if (!parsed.success) {
    for (const e of issuesToFields(parsed.error.issues, upReferralFields, 'reason')) {
      if (!errors.some((x) => x.name === e.name)) errors.push(e);
    }
  }
  if (errors.length || !parsed.success) return { ok: false, errors };
  return { ok: true, value: input };
}

// ---- down-referral form

export interface CareTaskValues {
  kind?: CarePlanTaskKind;
  title?: string;
  /** YYYY-MM-DD */
  dueDate?: string | null;
}
export interface DownReferralValues {
  kind?: DownReferralKind;
  urgency?: Urgency;
  diagnosisCode?: string;
  diagnosisName?: string;
  reason?: string;
  clinicalSummary?: string;
  treatmentGiven?: string;
  destinationOrganizationId?: string | null;
  consentBy?: string;
  consentMethod?: ConsentMethod;
  diagnosisSummary?: string;
  medications?: MedicationValues[];
  rehabilitationAdvice?: string;
  warningSigns?: (string | undefined)[];
  tasks?: CareTaskValues[];
}
export const downReferralFields = [
  'kind', 'urgency', 'diagnosisCode', 'diagnosisName', 'reason', 'clinicalSummary', 'treatmentGiven', 'destinationOrganizationId',
  'consentBy', 'consentMethod', 'diagnosisSummary', 'medications', 'rehabilitationAdvice', 'warningSigns', 'tasks',
] as const;
export type DownReferralField = (typeof downReferralFields)[number];

/** YYYY-MM-DD plus whole days. */
export function addDays(date: string, days: number): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new Error(`not a date: ${date}`);
  return new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days)).toISOString().slice(0, 10);
}

/** Starting values of the down-referral form, from the referral it continues. */
export function initialDownValues(
  source: {
    diagnosisCode: string;
    diagnosisName: string;
    clinicalSummary: string;
    returnedSummary: string | null;
    treatmentGiven: string | null;
    medications: readonly MedicationValues[];
    patient: { name: string };
    consent: { by: string; method: ConsentMethod } | null;
  },
  today: string,
  defaults: { followUpTitle: string },
): DownReferralValues {
  return {
    kind: 'acute-recovery',
    urgency: 'routine',
    diagnosisCode: source.diagnosisCode,
    diagnosisName: source.diagnosisName,
    clinicalSummary: source.returnedSummary ?? source.clinicalSummary,
    treatmentGiven: source.treatmentGiven ?? '',
    consentBy: source.consent?.by ?? source.patient.name,
    consentMethod: source.consent?.method ?? 'signed-form',
    diagnosisSummary: `${source.diagnosisCode} ${source.diagnosisName}`,
    medications: source.medications.map((m) => ({ ...m })),
    warningSigns: [''],
    tasks: [{ kind: 'follow-up-visit', title: defaults.followUpTitle, dueDate: addDays(today, 14) }],
  };
}

/** Down-referral form → DownReferralInput, checked with the shared contract (its messages name the field). */
export function parseDownReferral(v: DownReferralValues, ctx: { patientId: string; fromReferralId?: string }): Parsed<DownReferralInput, DownReferralField> {
  const consentBy = trimmed(v.consentBy);
  const input: DownReferralInput = {
    patientId: ctx.patientId,
    destinationOrganizationId: v.destinationOrganizationId ?? '',
    kind: v.kind ?? 'acute-recovery',
    urgency: v.urgency ?? 'routine',
    diagnosisCode: normalizeIcd10(v.diagnosisCode),
    diagnosisName: (v.diagnosisName ?? '').trim(),
    reason: (v.reason ?? '').trim(),
    clinicalSummary: (v.clinicalSummary ?? '').trim(),
    treatmentGiven: trimmed(v.treatmentGiven),
    consent: consentBy ? { by: consentBy, method: v.consentMethod ?? 'signed-form' } : undefined,
    fromReferralId: ctx.fromReferralId,
    plan: {
      diagnosisSummary: (v.diagnosisSummary ?? '').trim(),
      medications: medicationLines(v.medications),
      rehabilitationAdvice: trimmed(v.rehabilitationAdvice),
      warningSigns: (v.warningSigns ?? []).map((s) => (s ?? '').trim()).filter(Boolean),
      tasks: (v.tasks ?? [])
        .filter((task) => trimmed(task?.title) || task?.dueDate)
        .map((task) => ({ kind: task.kind ?? 'follow-up-visit', title: (task.title ?? '').trim(), dueDate: task.dueDate ?? '' })),
    },
  };
  const parsed = downReferralInputSchema.safeParse(input);
  if (!parsed.success) {
    // Plan issues sit under plan.<field>: lift them onto the plan's own form fields.
    const issues = parsed.error.issues.map((i) => (i.path[0] === 'plan' ? { ...i, path: i.path.slice(1) } : i));
    return { ok: false, errors: issuesToFields(issues, downReferralFields, 'reason') };
  }
  return { ok: true, value: input };
}

// ---- slots

export interface SlotDepartment {
  departmentId: string;
  departmentName: string;
  slots: SlotDto[];
}
export interface SlotDay {
  /** YYYY-MM-DD in Asia/Shanghai. */
  day: string;
  departments: SlotDepartment[];
}

const shanghaiDay = (iso: string): string => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(0, 10);
/** HH:mm in Asia/Shanghai. */
export const shanghaiTime = (iso: string): string => new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(11, 16);

/** Free slots by day, then department (by name), each in time order — the booking dialog's week view. */
export function groupSlotsByDay(slots: readonly SlotDto[]): SlotDay[] {
  const days = new Map<string, Map<string, SlotDepartment>>();
  for (const s of [...slots].sort((a, b) => Date.parse(a.start) - Date.parse(b.start))) {
    if (s.status !== 'free') continue;
    const day = shanghaiDay(s.start);
    const deps = days.get(day) ?? new Map<string, SlotDepartment>();
    days.set(day, deps);
    const dep = deps.get(s.departmentId) ?? { departmentId: s.departmentId, departmentName: s.departmentName, slots: [] };
    deps.set(s.departmentId, dep);
    dep.slots.push(s);
  }
  return [...days.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([day, deps]) => ({ day, departments: [...deps.values()].sort((a, b) => a.departmentName.localeCompare(b.departmentName, 'zh-CN')) }));
}

/** Day of week 0 (Sunday) – 6 of a YYYY-MM-DD date. */
export const weekday = (day: string): number => new Date(`${day}T00:00:00Z`).getUTCDay();

// ---- bed pools (the endpoint's shape is approximate: read it defensively)

export interface BedPoolView {
  id: string;
  name: string;
  departmentName: string;
  days: { day: string; free: number }[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

/** Whatever /api/v1/bed-pools answered → pools with their days that have free beds. */
export function readBedPools(raw: unknown): BedPoolView[] {
  const list = Array.isArray(raw) ? raw : isRecord(raw) && Array.isArray(raw.items) ? raw.items : [];
  return list.filter(isRecord).flatMap((p) => {
    const id = str(p.id);
    if (!id) return [];
    const days = (Array.isArray(p.days) ? p.days : [])
      .filter(isRecord)
      .map((d) => ({ day: str(d.day ?? d.date).slice(0, 10), free: typeof d.free === 'number' ? d.free : Number(d.free ?? 0) || 0 }))
      .filter((d) => /^\d{4}-\d{2}-\d{2}$/.test(d.day));
    return [{ id, name: str(p.name) || str(p.departmentName) || id, departmentName: str(p.departmentName), days }];
  });
}

// ---- care tasks

export type TaskDueState = 'overdue' | 'today' | 'soon' | 'later';

/** A follow-up task's due date against today: overdue, due today, due within a week, later. */
export function taskDueState(dueDate: string, today: string): TaskDueState {
  if (dueDate < today) return 'overdue';
  if (dueDate === today) return 'today';
  return dueDate <= addDays(today, 7) ? 'soon' : 'later';
}
export const taskDueColors: Record<TaskDueState, string> = { overdue: 'red', today: 'orange', soon: 'gold', later: 'default' };

/** Open tasks first, earliest due first (so overdue ones lead), done ones after. */
export function sortCareTasks<T extends { dueDate: string; status: string }>(tasks: readonly T[]): T[] {
  return [...tasks].sort((a, b) => Number(a.status !== 'open') - Number(b.status !== 'open') || a.dueDate.localeCompare(b.dueDate));
}

/** Whole days between two YYYY-MM-DD dates (b − a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);
}

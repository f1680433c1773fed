import type {
  Appointment, CodeableConcept, Extension, Schedule, ServiceRequest, Slot, Subscription, Task,
} from '@medplum/fhirtypes';
import {
  consentMethods, holdReasons, referralStatuses, referralSubStates,
  type AppointmentStatus, type HoldReason, type ReferralStatus, type ReferralSubState, type Urgency,
} from '../../contracts/codes.js';
import { upReferralInputSchema, type ReferralDto, type ScheduleDto, type SlotDto, type UpReferralInput } from '../../contracts/referral.js';
import { AppError, invalid } from '../../shared/errors.js';
import {
  PATIENT_REFERRAL, consentMethodDisplay, extensions, holdReasonDisplay, referralDirectionDisplay, referralSubStateDisplay,
  scheduleKindDisplay, systems,
} from './fhir.codes.js';
import { compact, locationFhirId, reference } from './fhir.mapping.js';
import { parseSearchQuery, planTaskSearch, serviceRequestStatusOf, type RawQuery } from './fhir.search.js';

/**
 * The two-way referral as FHIR R4 resources (docs/fhir.md, "Two-way referral"): one referral is a ServiceRequest
 * (what is asked) and a Task (how far it got) with the same id; reserved capacity is Schedule and Slot, a booking an
 * Appointment. Pure functions: no database, no clock.
 */

/**
 * A business rule the request breaks although it is well-formed — e.g. a Task status change that no referral action
 * expresses. FHIR answers these with 422 Unprocessable Entity (http://hl7.org/fhir/R4/http.html#update); the FHIR
 * routes send that status, every other channel sees a plain `invalid`.
 */
export class UnprocessableError extends AppError {
  constructor(message: string, path?: string) {
    super('invalid', message, { path, detail: { fhirStatus: 422, fhirIssueCode: 'business-rule' } });
  }
}

export const isUnprocessable = (e: unknown): e is AppError => e instanceof AppError && e.detail?.fhirStatus === 422;

const fail = (expression: string, message: string) => invalid(`${expression}: ${message}`, expression);
const unprocessable = (expression: string, message: string) => new UnprocessableError(`${expression}: ${message}`, expression);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const arrayAt = (v: unknown, expression: string): unknown[] => {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw fail(expression, '应为数组');
  return v;
};
const stringAt = (v: unknown, expression: string): string | undefined => {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw fail(expression, '应为字符串');
  return v;
};

/** `Type/id` (relative or absolute) → id; anything else is a 400 naming the element. */
export function referenceIdAt(v: unknown, expression: string, type: string): string {
  if (!isObject(v)) throw fail(expression, `应为 Reference 对象（{"reference": "${type}/<id>"}）`);
  const ref = stringAt(v.reference, `${expression}.reference`);
  const m = ref ? /^(?:.*\/)?([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(ref) : null;
  if (!m || m[1] !== type) throw fail(`${expression}.reference`, `应为 "${type}/<id>"，收到 ${JSON.stringify(ref ?? null)}`);
  return m[2]!;
}

// ---------------------------------------------------------------------------------------------------------------
// ServiceRequest and Task (out)

/** ServiceRequest.priority / Task.priority of an urgency: emergency → stat. */
export const fhirPriorityOf = (u: Urgency): 'routine' | 'urgent' | 'stat' => (u === 'emergency' ? 'stat' : u);

const icd10Concept = (code: string, display?: string): CodeableConcept =>
  compact<CodeableConcept>({ coding: [compact({ system: systems.icd10, code, display })], text: display });

const numberIdentifier = (r: ReferralDto) => [{ use: 'official' as const, system: systems.referralNumber, value: r.number }];
const meta = (r: ReferralDto) => ({ versionId: String(r.version), lastUpdated: r.updatedAt });

function consentExtension(c: NonNullable<ReferralDto['consent']>): Extension {
  return {
    url: extensions.referralConsent,
    extension: [
      { url: 'by', valueString: c.by },
      { url: 'method', valueCoding: { system: systems.consentMethod, code: c.method, display: consentMethodDisplay[c.method] } },
      { url: 'at', valueDateTime: c.at },
    ],
  };
}

/**
 * A referral as a ServiceRequest: category SNOMED CT 3457005 (and up/down), reasonCode[0] = the primary ICD-10
 * diagnosis, reasonCode[1..] the secondary ones, note[0] = 转诊原因, note[1] = 病情摘要, note[2] = 治疗经过 (when
 * recorded), requester = the sending facility, performer = the receiving facility, consent in an extension.
 */
export function referralToServiceRequest(r: ReferralDto): ServiceRequest {
  const ext: Extension[] = [];
  if (r.consent) ext.push(consentExtension(r.consent));
  if (r.overrideReason) ext.push({ url: extensions.referralOverrideReason, valueString: r.overrideReason });
  if (r.inOwnCatalogueNote) ext.push({ url: extensions.referralInOwnCatalogueNote, valueString: r.inOwnCatalogueNote });
  return compact<ServiceRequest>({
    resourceType: 'ServiceRequest',
    id: r.id,
    meta: meta(r),
    extension: ext,
    identifier: numberIdentifier(r),
    replaces: r.previousReferralId ? [reference('ServiceRequest', r.previousReferralId)] : undefined,
    status: serviceRequestStatusOf[r.status],
    intent: 'order',
    category: [
      { coding: [{ ...PATIENT_REFERRAL }], text: '转诊' },
      { coding: [{ system: systems.referralDirection, code: r.direction, display: referralDirectionDisplay[r.direction] }], text: referralDirectionDisplay[r.direction] },
    ],
    priority: fhirPriorityOf(r.urgency),
    subject: reference('Patient', r.patient.id, r.patient.name),
    authoredOn: r.requestedAt ?? r.createdAt,
    requester: reference('Organization', r.origin.id, r.origin.name),
    performer: [reference('Organization', r.destination.id, r.destination.name)],
    reasonCode: [icd10Concept(r.diagnosisCode, r.diagnosisName), ...r.secondaryDiagnoses.map((c) => icd10Concept(c))],
    note: [{ text: r.reason }, { text: r.clinicalSummary }, ...(r.treatmentGiven ? [{ text: r.treatmentGiven }] : [])],
  });
}

function statusReasonOf(r: ReferralDto): CodeableConcept | undefined {
  if (r.status === 'rejected' && r.rejectionReason) return { text: r.rejectionReason };
  if (r.status === 'cancelled' && r.cancelReason) return { text: r.cancelReason };
  if (r.status === 'on-hold' && r.holdReason) {
    return { coding: [{ system: systems.holdReason, code: r.holdReason, display: holdReasonDisplay[r.holdReason] }], text: holdReasonDisplay[r.holdReason] };
  }
  return undefined;
}

/**
 * A referral as a Task (same id as its ServiceRequest): status = the lifecycle (FHIR task-status codes), businessStatus
 * = the sub-state while in progress, owner = the receiving facility, requester = the sending one,
 * restriction.period.end = the deadline of the current step, output = the returned visit or discharge summary.
 * `meta.versionId` is the referral's version, which `If-Match` names.
 */
export function referralToTask(r: ReferralDto): Task {
  const sub = r.subState;
  return compact<Task>({
    resourceType: 'Task',
    id: r.id,
    meta: meta(r),
    identifier: numberIdentifier(r),
    status: r.status,
    statusReason: statusReasonOf(r),
    businessStatus: sub ? { coding: [{ system: systems.referralSubState, code: sub, display: referralSubStateDisplay[sub] }], text: referralSubStateDisplay[sub] } : undefined,
    intent: 'order',
    priority: fhirPriorityOf(r.urgency),
    code: { coding: [{ system: systems.taskCode, code: 'fulfill', display: 'Fulfill the focal request' }], text: '转诊' },
    description: `${referralDirectionDisplay[r.direction]} ${r.number}：${r.diagnosisName}`,
    focus: reference('ServiceRequest', r.id),
    for: reference('Patient', r.patient.id, r.patient.name),
    executionPeriod: r.requestedAt ? compact({ start: r.requestedAt, end: r.completedAt ?? undefined }) : undefined,
    authoredOn: r.createdAt,
    lastModified: r.updatedAt,
    requester: reference('Organization', r.origin.id, r.origin.name),
    owner: reference('Organization', r.destination.id, r.destination.name),
    restriction: r.deadline ? { period: { end: r.deadline.dueAt } } : undefined,
    output: r.returnedSummary
      ? [{ type: { coding: [{ system: systems.referralOutput, code: 'summary', display: '诊疗结果摘要' }], text: '诊疗结果摘要' }, valueString: r.returnedSummary }]
      : undefined,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// ServiceRequest (in): POST creates an up-referral

/** Where each field of an UpReferralInput came from, to name the element in errors of the referral service. */
export type ReferralExpressions = Record<string, string>;

const extensionAt = (url: string) => `ServiceRequest.extension('${url}')`;

/**
 * A ServiceRequest (create body) as an up-referral. Required: intent `order`, subject (Patient), one performer
 * (Organization), reasonCode[0] with an ICD-10 coding, note[0] (reason) and note[1] (clinical summary), and — unless
 * status is `draft` — the consent extension. `requester`, when given, must be the caller's own organization: the
 * referral is always filed by the signed-in user's facility. Every error names the element.
 */
export function serviceRequestFromFhir(body: unknown, opts: { actorOrganizationId: string | null }): { input: UpReferralInput; expressions: ReferralExpressions } {
  if (!isObject(body)) throw invalid('请求体应为一个 FHIR ServiceRequest 资源（JSON 对象）');
  if (body.resourceType !== 'ServiceRequest') throw fail('ServiceRequest.resourceType', `资源类型应为 "ServiceRequest"，收到 ${JSON.stringify(body.resourceType ?? null)}`);
  const expressions: ReferralExpressions = {
    patientId: 'ServiceRequest.subject.reference',
    destinationOrganizationId: 'ServiceRequest.performer[0].reference',
    originOrganizationId: 'ServiceRequest.requester',
    urgency: 'ServiceRequest.priority',
    diagnosisCode: 'ServiceRequest.reasonCode[0].coding',
    diagnosisName: 'ServiceRequest.reasonCode[0]',
    secondaryDiagnoses: 'ServiceRequest.reasonCode',
    reason: 'ServiceRequest.note[0].text',
    clinicalSummary: 'ServiceRequest.note[1].text',
    treatmentGiven: 'ServiceRequest.note[2].text',
    consent: extensionAt(extensions.referralConsent),
    overrideReason: extensionAt(extensions.referralOverrideReason),
    inOwnCatalogueNote: extensionAt(extensions.referralInOwnCatalogueNote),
  };

  const status = stringAt(body.status, 'ServiceRequest.status');
  if (status !== undefined && status !== 'active' && status !== 'draft') throw fail('ServiceRequest.status', `新建转诊的状态应为 active（提交）或 draft（草稿），收到 "${status}"`);
  const intent = stringAt(body.intent, 'ServiceRequest.intent');
  if (intent !== 'order') throw fail('ServiceRequest.intent', `应为 "order"，收到 ${JSON.stringify(intent ?? null)}`);

  const categories = arrayAt(body.category, 'ServiceRequest.category');
  if (categories.length) {
    const isReferral = categories.some((c) => isObject(c) && Array.isArray(c.coding) && c.coding.some((x) => isObject(x) && x.system === PATIENT_REFERRAL.system && x.code === PATIENT_REFERRAL.code));
    if (!isReferral) throw fail('ServiceRequest.category', `转诊申请的 category 应包含 ${PATIENT_REFERRAL.system}|${PATIENT_REFERRAL.code}（${PATIENT_REFERRAL.display}）`);
  }

  const priority = stringAt(body.priority, 'ServiceRequest.priority') ?? 'routine';
  const urgency = ({ routine: 'routine', urgent: 'urgent', asap: 'emergency', stat: 'emergency' } as const)[priority as 'routine'];
  if (!urgency) throw fail('ServiceRequest.priority', `应为 routine、urgent、asap 或 stat，收到 "${priority}"`);

  if (body.subject === undefined) throw fail('ServiceRequest.subject', '请指明患者（Patient/<id>）');
  const patientId = referenceIdAt(body.subject, 'ServiceRequest.subject', 'Patient');

  const performers = arrayAt(body.performer, 'ServiceRequest.performer');
  if (performers.length !== 1) throw fail('ServiceRequest.performer', `应恰好有一个接收机构（Organization/<id>），收到 ${performers.length} 个`);
  const destinationOrganizationId = referenceIdAt(performers[0], 'ServiceRequest.performer[0]', 'Organization');

  if (body.requester !== undefined) {
    const requester = referenceIdAt(body.requester, 'ServiceRequest.requester', 'Organization');
    if (requester !== opts.actorOrganizationId) {
      throw new AppError('forbidden', 'ServiceRequest.requester: 转诊只能以当前登录用户所在机构的名义发起', { path: 'ServiceRequest.requester' });
    }
  }

  const reasons = arrayAt(body.reasonCode, 'ServiceRequest.reasonCode');
  if (!reasons.length) throw fail('ServiceRequest.reasonCode', '请填写诊断（reasonCode[0]，ICD-10）');
  const diagnoses = reasons.map((rc, i) => {
    const at = `ServiceRequest.reasonCode[${i}]`;
    if (!isObject(rc)) throw fail(at, '应为 CodeableConcept 对象');
    const codings = arrayAt(rc.coding, `${at}.coding`);
    const k = codings.findIndex((c) => isObject(c) && c.system === systems.icd10);
    if (k < 0) throw fail(`${at}.coding`, `应有一个 ICD-10 编码（system = ${systems.icd10}）`);
    const coding = codings[k] as Record<string, unknown>;
    const code = stringAt(coding.code, `${at}.coding[${k}].code`)?.trim();
    if (!code) throw fail(`${at}.coding[${k}].code`, 'ICD-10 编码不能为空');
    const name = stringAt(coding.display, `${at}.coding[${k}].display`)?.trim() || stringAt(rc.text, `${at}.text`)?.trim();
    if (i === 0) expressions.diagnosisCode = `${at}.coding[${k}].code`;
    return { code, name };
  });
  const primary = diagnoses[0]!;
  if (!primary.name) throw fail('ServiceRequest.reasonCode[0]', '请填写诊断名称（coding.display 或 text）');

  const notes = arrayAt(body.note, 'ServiceRequest.note');
  const noteText = (i: number): string | undefined => {
    const n = notes[i];
    if (n === undefined) return undefined;
    if (!isObject(n)) throw fail(`ServiceRequest.note[${i}]`, '应为 Annotation 对象');
    return stringAt(n.text, `ServiceRequest.note[${i}].text`)?.trim() || undefined;
  };
  const reason = noteText(0);
  if (!reason) throw fail('ServiceRequest.note[0].text', '请填写转诊原因（note[0]）');
  const clinicalSummary = noteText(1);
  if (!clinicalSummary) throw fail('ServiceRequest.note[1].text', '请填写病情摘要（note[1]）');
  const treatmentGiven = noteText(2);

  let consent: UpReferralInput['consent'];
  let overrideReason: string | undefined;
  let inOwnCatalogueNote: string | undefined;
  arrayAt(body.extension, 'ServiceRequest.extension').forEach((e, i) => {
    const at = `ServiceRequest.extension[${i}]`;
    if (!isObject(e)) throw fail(at, '应为 Extension 对象');
    if (e.url === extensions.referralOverrideReason) {
      overrideReason = stringAt(e.valueString, `${at}.valueString`);
      expressions.overrideReason = `${at}.valueString`;
    } else if (e.url === extensions.referralInOwnCatalogueNote) {
      inOwnCatalogueNote = stringAt(e.valueString, `${at}.valueString`);
      expressions.inOwnCatalogueNote = `${at}.valueString`;
    } else if (e.url === extensions.referralConsent) {
      expressions.consent = at;
      const parts = arrayAt(e.extension, `${at}.extension`);
      const part = (url: string) => parts.findIndex((p) => isObject(p) && p.url === url);
      const byAt = part('by');
      const methodAt = part('method');
      const whenAt = part('at');
      const by = byAt < 0 ? undefined : stringAt((parts[byAt] as Record<string, unknown>).valueString, `${at}.extension[${byAt}].valueString`);
      if (!by?.trim()) throw fail(`${at}.extension('by')`, '请填写同意人（患者本人或监护人）');
      const methodPart = methodAt < 0 ? undefined : (parts[methodAt] as Record<string, unknown>);
      const method = methodPart
        ? (stringAt(methodPart.valueCode, `${at}.extension[${methodAt}].valueCode`) ??
          (isObject(methodPart.valueCoding) ? stringAt(methodPart.valueCoding.code, `${at}.extension[${methodAt}].valueCoding.code`) : undefined))
        : undefined;
      if (!method || !(consentMethods as readonly string[]).includes(method)) {
        throw fail(`${at}.extension('method')`, `同意方式应为 ${consentMethods.join('、')}（${systems.consentMethod}），收到 ${JSON.stringify(method ?? null)}`);
      }
      const when = whenAt < 0 ? undefined : stringAt((parts[whenAt] as Record<string, unknown>).valueDateTime, `${at}.extension[${whenAt}].valueDateTime`);
      consent = { by: by.trim(), method: method as (typeof consentMethods)[number], ...(when ? { at: when } : {}) };
    }
  });

  const parsed = upReferralInputSchema.safeParse({
    patientId,
    destinationOrganizationId,
    urgency,
    diagnosisCode: primary.code,
    diagnosisName: primary.name,
    secondaryDiagnoses: diagnoses.slice(1).map((d) => d.code),
    reason,
    clinicalSummary,
    treatmentGiven,
    consent,
    overrideReason,
    inOwnCatalogueNote,
    submit: status !== 'draft',
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? '');
    const expression = field === 'secondaryDiagnoses' && typeof issue.path[1] === 'number' ? `ServiceRequest.reasonCode[${issue.path[1] + 1}]` : (expressions[field] ?? 'ServiceRequest');
    throw fail(expression, issue.message);
  }
  return { input: parsed.data, expressions };
}

// ---------------------------------------------------------------------------------------------------------------
// Task (in): PUT with a changed status → one referral action

export type TaskAction = 'submit' | 'accept' | 'reject' | 'cancel' | 'hold' | 'resume' | 'redirect' | 'unbook' | 'arrive' | 'admit' | 'discharge' | 'complete';

export interface TaskMove {
  action: TaskAction;
  reason?: string | undefined;
  holdReason?: HoldReason | undefined;
  summary?: string | undefined;
  destinationOrganizationId?: string | undefined;
}

/** The referral as it is now, as far as deciding a Task update needs it. */
export interface TaskCurrent {
  status: ReferralStatus;
  subState: ReferralSubState | null;
  /** Where an on-hold referral returns on resume (from its timeline); null when unknown or not on hold. */
  heldFrom: { status: ReferralStatus; subState: ReferralSubState | null } | null;
  ownerId: string;
  requesterId: string;
  patientId: string;
}

/** The service's field names (missing reason, hold reason, …) → the Task element a client fills. */
export const taskExpressions: ReferralExpressions = {
  reason: 'Task.statusReason.text',
  holdReason: `Task.statusReason.coding`,
  summary: 'Task.output.valueString',
  destination: 'Task.owner',
  destinationOrganizationId: 'Task.owner',
};

const taskStatusCodes = ['draft', 'requested', 'received', 'accepted', 'rejected', 'ready', 'cancelled', 'in-progress', 'on-hold', 'failed', 'completed', 'entered-in-error'];
const describe = (status: string, sub: string | null | undefined) => (sub ? `${status}（businessStatus ${sub}）` : status);

/**
 * Decides which referral action a `PUT Task/<id>` asks for, from the current state and the new Task (docs/fhir.md,
 * "Moving a referral"). Returns null when nothing changes. A well-formed update that no action expresses (e.g.
 * back to draft, or `in-progress` without a sub-state) is UnprocessableError (422); an action the lifecycle refuses
 * in the current state is left to the referral service (409).
 */
export function taskMoveFromFhir(id: string, body: unknown, current: TaskCurrent): TaskMove | null {
  if (!isObject(body)) throw invalid('请求体应为一个 FHIR Task 资源（JSON 对象）');
  if (body.resourceType !== 'Task') throw fail('Task.resourceType', `资源类型应为 "Task"，收到 ${JSON.stringify(body.resourceType ?? null)}`);
  if (body.id === undefined) throw fail('Task.id', '更新时资源中必须包含 id，且与地址中的 id 一致');
  if (body.id !== id) throw fail('Task.id', `资源中的 id "${String(body.id)}" 与地址中的 id "${id}" 不一致`);
  const status = stringAt(body.status, 'Task.status');
  if (!status) throw fail('Task.status', '状态不能为空');
  if (!taskStatusCodes.includes(status)) throw fail('Task.status', `"${status}" 不是 FHIR task-status 代码`);
  if (!(referralStatuses as readonly string[]).includes(status)) throw unprocessable('Task.status', `转诊不使用状态 "${status}"（可用：${referralStatuses.join(', ')}）`);
  const to = status as ReferralStatus;

  let toSub: ReferralSubState | null = null;
  if (body.businessStatus !== undefined) {
    if (!isObject(body.businessStatus)) throw fail('Task.businessStatus', '应为 CodeableConcept 对象');
    const codings = arrayAt(body.businessStatus.coding, 'Task.businessStatus.coding');
    const k = codings.findIndex((c) => isObject(c) && c.system === systems.referralSubState);
    if (k >= 0) {
      const code = stringAt((codings[k] as Record<string, unknown>).code, `Task.businessStatus.coding[${k}].code`);
      if (!code || !(referralSubStates as readonly string[]).includes(code)) {
        throw fail(`Task.businessStatus.coding[${k}].code`, `应为 ${referralSubStates.join('、')}，收到 ${JSON.stringify(code ?? null)}`);
      }
      toSub = code as ReferralSubState;
    } else if (codings.length) {
      throw fail('Task.businessStatus.coding', `应使用代码系统 ${systems.referralSubState}`);
    }
  }

  // Elements that identify the referral cannot change through a Task update.
  if (body.for !== undefined && referenceIdAt(body.for, 'Task.for', 'Patient') !== current.patientId) throw unprocessable('Task.for', '不能更改转诊的患者');
  if (body.requester !== undefined && referenceIdAt(body.requester, 'Task.requester', 'Organization') !== current.requesterId) throw unprocessable('Task.requester', '不能更改转出机构');
  if (body.focus !== undefined && referenceIdAt(body.focus, 'Task.focus', 'ServiceRequest') !== id) throw unprocessable('Task.focus', `Task 的 focus 应为 ServiceRequest/${id}`);

  let reason: string | undefined;
  let holdReason: HoldReason | undefined;
  if (body.statusReason !== undefined) {
    if (!isObject(body.statusReason)) throw fail('Task.statusReason', '应为 CodeableConcept 对象');
    reason = stringAt(body.statusReason.text, 'Task.statusReason.text')?.trim() || undefined;
    arrayAt(body.statusReason.coding, 'Task.statusReason.coding').forEach((c, k) => {
      if (!isObject(c) || c.system !== systems.holdReason) return;
      const code = stringAt(c.code, `Task.statusReason.coding[${k}].code`);
      if (!code || !(holdReasons as readonly string[]).includes(code)) throw fail(`Task.statusReason.coding[${k}].code`, `挂起原因应为 ${holdReasons.join('、')}，收到 ${JSON.stringify(code ?? null)}`);
      holdReason = code as HoldReason;
      reason ??= stringAt(c.display, `Task.statusReason.coding[${k}].display`)?.trim() || undefined;
    });
  }
  // The returned summary: the first output with a valueString, else the first note.
  let summary: string | undefined;
  arrayAt(body.output, 'Task.output').forEach((o, k) => {
    if (summary === undefined && isObject(o) && o.valueString !== undefined) summary = stringAt(o.valueString, `Task.output[${k}].valueString`)?.trim() || undefined;
  });
  if (summary === undefined) {
    const first = arrayAt(body.note, 'Task.note')[0];
    if (isObject(first)) summary = stringAt(first.text, 'Task.note[0].text')?.trim() || undefined;
  }

  const owner = body.owner === undefined ? current.ownerId : referenceIdAt(body.owner, 'Task.owner', 'Organization');
  if (owner !== current.ownerId) {
    // The desk's redirect (改派): same status, new owner.
    if (to !== current.status) throw unprocessable('Task.owner', '改派接收机构时不能同时修改状态，请分两次提交');
    return { action: 'redirect', reason, destinationOrganizationId: owner };
  }

  const resumeTo = (): TaskMove => {
    const back = current.heldFrom;
    if (back && (back.status !== to || (to === 'in-progress' && toSub !== null && toSub !== back.subState))) {
      throw new AppError('conflict', `Task.status: 挂起前的状态为 ${describe(back.status, back.subState)}，恢复后只能回到该状态`, { path: 'Task.status' });
    }
    return { action: 'resume', reason };
  };
  const progress = (): TaskMove => {
    switch (toSub) {
      case 'arrived': return { action: 'arrive', reason };
      case 'admitted': return { action: 'admit', reason };
      case 'discharged': return { action: 'discharge', reason };
      case 'scheduled': throw unprocessable('Task.businessStatus', '预约号源请 POST Appointment（引用 Slot 与 ServiceRequest），不能直接修改 Task');
      default: throw unprocessable('Task.businessStatus', '进入 in-progress 时请在 businessStatus 中注明 arrived、admitted 或 discharged');
    }
  };

  if (to === current.status) {
    if (to === 'in-progress' && toSub !== null && toSub !== current.subState) return progress();
    if (toSub !== null && toSub !== current.subState) throw unprocessable('Task.businessStatus', `状态 ${to} 下不能设置 businessStatus ${toSub}`);
    return null;
  }
  switch (to) {
    case 'requested':
      if (current.status === 'draft') return { action: 'submit' };
      if (current.status === 'on-hold') return resumeTo();
      break;
    case 'accepted':
      if (current.status === 'on-hold') return resumeTo();
      if (current.status === 'in-progress' && current.subState === 'scheduled') return { action: 'unbook', reason };
      return { action: 'accept', reason };
    case 'rejected':
      return { action: 'reject', reason };
    case 'cancelled':
      return { action: 'cancel', reason };
    case 'on-hold':
      return { action: 'hold', reason, holdReason };
    case 'in-progress':
      if (current.status === 'on-hold') return resumeTo();
      return progress();
    case 'completed':
      return { action: 'complete', summary };
    case 'draft':
      break;
  }
  throw unprocessable('Task.status', `没有从 ${describe(current.status, current.subState)} 到 ${to} 的转诊操作`);
}

// ---------------------------------------------------------------------------------------------------------------
// Schedule, Slot, Appointment

const kindConcept = (kind: 'outpatient' | 'exam'): CodeableConcept => ({
  coding: [{ system: systems.scheduleKind, code: kind, display: scheduleKindDisplay[kind] }],
  text: scheduleKindDisplay[kind],
});

/** A schedule (排班) of a department; the actor is the facility's site (R4 Schedule.actor cannot be an Organization). */
export function scheduleToFhir(s: ScheduleDto): Schedule {
  return compact<Schedule>({
    resourceType: 'Schedule',
    id: s.id,
    active: s.active,
    serviceType: [kindConcept(s.kind)],
    specialty: [{ text: s.departmentName }],
    actor: [reference('Location', locationFhirId(s.organizationId), s.organizationName)],
    comment: s.practitionerName ? `${s.name}（${s.practitionerName}）` : s.name,
  });
}

/** A slot (号源); a slot held for referrals says for whom and until when in `comment`. */
export function slotToFhir(s: SlotDto): Slot {
  return compact<Slot>({
    resourceType: 'Slot',
    id: s.id,
    serviceType: [kindConcept(s.kind)],
    specialty: [{ text: s.departmentName }],
    schedule: reference('Schedule', s.scheduleId, s.scheduleName),
    status: s.status,
    start: s.start,
    end: s.end,
    comment: s.reservedNow ? `为${s.reservedFor ?? '转诊患者'}预留${s.releaseAt ? `，${s.releaseAt} 起开放预约` : ''}` : undefined,
  });
}

export interface AppointmentView {
  id: string;
  status: AppointmentStatus;
  slotId: string;
  start: string;
  end: string;
  departmentName: string;
  created: string | null;
  referral: ReferralDto;
}

/** The booking of a referral: the slot, the referral it is based on, the patient and the receiving facility's site. */
export function appointmentToFhir(a: AppointmentView): Appointment {
  const r = a.referral;
  return compact<Appointment>({
    resourceType: 'Appointment',
    id: a.id,
    status: a.status,
    specialty: [{ text: a.departmentName }],
    reasonCode: [icd10Concept(r.diagnosisCode, r.diagnosisName)],
    description: `转诊预约 ${r.number}：${r.destination.name} ${a.departmentName}`,
    slot: [reference('Slot', a.slotId)],
    start: a.start,
    end: a.end,
    created: a.created ?? undefined,
    basedOn: [reference('ServiceRequest', r.id)],
    participant: [
      { actor: reference('Patient', r.patient.id, r.patient.name), required: 'required', status: 'accepted' },
      { actor: reference('Location', locationFhirId(r.destination.id), r.destination.name), required: 'required', status: 'accepted' },
    ],
  });
}

/** An Appointment (create body) → the slot to book and the referral it is for. */
export function appointmentFromFhir(body: unknown): { slotId: string; referralId: string; patientId: string | undefined } {
  if (!isObject(body)) throw invalid('请求体应为一个 FHIR Appointment 资源（JSON 对象）');
  if (body.resourceType !== 'Appointment') throw fail('Appointment.resourceType', `资源类型应为 "Appointment"，收到 ${JSON.stringify(body.resourceType ?? null)}`);
  const status = stringAt(body.status, 'Appointment.status');
  if (status !== undefined && !['booked', 'proposed', 'pending'].includes(status)) throw fail('Appointment.status', `新建预约的状态应为 booked（或 proposed、pending），收到 "${status}"`);
  const slots = arrayAt(body.slot, 'Appointment.slot');
  if (slots.length !== 1) throw fail('Appointment.slot', `应恰好引用一个号源（Slot/<id>），收到 ${slots.length} 个`);
  const slotId = referenceIdAt(slots[0], 'Appointment.slot[0]', 'Slot');
  const basedOn = arrayAt(body.basedOn, 'Appointment.basedOn');
  if (basedOn.length !== 1) throw fail('Appointment.basedOn', `应恰好引用一个转诊申请（ServiceRequest/<id>），收到 ${basedOn.length} 个`);
  const referralId = referenceIdAt(basedOn[0], 'Appointment.basedOn[0]', 'ServiceRequest');
  let patientId: string | undefined;
  arrayAt(body.participant, 'Appointment.participant').forEach((p, i) => {
    if (!isObject(p) || !isObject(p.actor) || typeof p.actor.reference !== 'string' || !/(?:^|\/)Patient\//.test(p.actor.reference)) return;
    patientId = referenceIdAt(p.actor, `Appointment.participant[${i}].actor`, 'Patient');
  });
  return { slotId, referralId, patientId };
}

// ---------------------------------------------------------------------------------------------------------------
// Subscription (R4 rest-hook on Task)

export interface SubscriptionView {
  id: string;
  criteria: string;
  endpoint: string;
  headers: string[];
  payload: string | null;
  status: 'requested' | 'active' | 'error' | 'off';
  reason: string | null;
  error: string | null;
  end: string | null;
}

export type SubscriptionInput = Omit<SubscriptionView, 'id' | 'status' | 'error'>;

/** Criteria parameters a Task subscription may use (the same meaning as in a Task search). */
export const SUBSCRIPTION_CRITERIA_PARAMS = ['owner', 'requester', 'status', 'patient', 'focus', '_id'] as const;

/** `Task?owner=Organization/x&status=requested` → the query, checked like a Task search. */
export function parseSubscriptionCriteria(criteria: string): RawQuery {
  const m = /^Task(?:\?(.*))?$/.exec(criteria.trim());
  if (!m) throw fail('Subscription.criteria', `只支持订阅 Task，例如 "Task?owner=Organization/<id>&status=requested"，收到 "${criteria}"`);
  const query: RawQuery = {};
  for (const [k, v] of new URLSearchParams(m[1] ?? '')) {
    if (!(SUBSCRIPTION_CRITERIA_PARAMS as readonly string[]).includes(k)) {
      throw fail('Subscription.criteria', `条件中不支持参数 "${k}"（可用：${SUBSCRIPTION_CRITERIA_PARAMS.join(', ')}）`);
    }
    const prev = query[k];
    query[k] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
  }
  try {
    planTaskSearch(parseSearchQuery('Task', query));
  } catch (e) {
    if (e instanceof AppError) throw fail('Subscription.criteria', e.message);
    throw e;
  }
  return query;
}

const HEADER = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+:[^\r\n]*$/;
const PAYLOADS = ['application/fhir+json', 'application/json'];

/** A Subscription (create body) → what we store. Only rest-hook on Task; the endpoint must be http(s). */
export function subscriptionFromFhir(body: unknown): SubscriptionInput {
  if (!isObject(body)) throw invalid('请求体应为一个 FHIR Subscription 资源（JSON 对象）');
  if (body.resourceType !== 'Subscription') throw fail('Subscription.resourceType', `资源类型应为 "Subscription"，收到 ${JSON.stringify(body.resourceType ?? null)}`);
  const status = stringAt(body.status, 'Subscription.status');
  if (status !== undefined && status !== 'requested' && status !== 'active') throw fail('Subscription.status', `新建订阅的状态应为 requested（或 active），收到 "${status}"`);
  const reason = stringAt(body.reason, 'Subscription.reason')?.trim();
  if (!reason) throw fail('Subscription.reason', '请说明订阅用途（reason 为必填）');
  const criteria = stringAt(body.criteria, 'Subscription.criteria')?.trim();
  if (!criteria) throw fail('Subscription.criteria', '条件不能为空，例如 "Task?owner=Organization/<id>"');
  parseSubscriptionCriteria(criteria);
  const end = stringAt(body.end, 'Subscription.end');
  if (end !== undefined && (!/^\d{4}-\d{2}-\d{2}T/.test(end) || Number.isNaN(Date.parse(end)))) throw fail('Subscription.end', `应为带时区的时间（instant），收到 "${end}"`);
  if (!isObject(body.channel)) throw fail('Subscription.channel', '请填写 channel（type = rest-hook、endpoint）');
  const ch = body.channel;
  const type = stringAt(ch.type, 'Subscription.channel.type');
  if (type !== 'rest-hook') throw fail('Subscription.channel.type', `只支持 rest-hook，收到 ${JSON.stringify(type ?? null)}`);
  const endpoint = stringAt(ch.endpoint, 'Subscription.channel.endpoint')?.trim();
  let url: URL | undefined;
  try {
    url = endpoint ? new URL(endpoint) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw fail('Subscription.channel.endpoint', `应为 http:// 或 https:// 地址，收到 ${JSON.stringify(endpoint ?? null)}`);
  const payload = stringAt(ch.payload, 'Subscription.channel.payload');
  if (payload !== undefined && !PAYLOADS.includes(payload)) throw fail('Subscription.channel.payload', `应为 application/fhir+json（或省略：只通知不带资源），收到 "${payload}"`);
  const headers = arrayAt(ch.header, 'Subscription.channel.header').map((h, i) => {
    const v = stringAt(h, `Subscription.channel.header[${i}]`);
    if (!v || !HEADER.test(v)) throw fail(`Subscription.channel.header[${i}]`, '应为 "名称: 值" 形式的 HTTP 头');
    return v;
  });
  return { criteria, endpoint: url.toString(), headers, payload: payload ?? null, reason, end: end ?? null };
}

export function subscriptionToFhir(s: SubscriptionView): Subscription {
  return compact<Subscription>({
    resourceType: 'Subscription',
    id: s.id,
    status: s.status,
    end: s.end ?? undefined,
    reason: s.reason ?? 'Task 变更通知',
    criteria: s.criteria,
    error: s.error ?? undefined,
    channel: compact({ type: 'rest-hook' as const, endpoint: s.endpoint, payload: s.payload ?? undefined, header: s.headers }),
  });
}

import { activityInputSchema, type ActivityInput } from '../../contracts/activity.js';
import { AppError, invalid } from '../../shared/errors.js';
import { extensions, NS, systems } from './fhir.codes.js';

/**
 * Activity data in as FHIR (issue 4, docs/fhir.md "Activity data in"): `POST /fhir` with a `batch` or `transaction`
 * Bundle of Encounters (one outpatient visit or inpatient stay each), with Claim or ExplanationOfBenefit entries for
 * the money. This file is pure: it turns a Bundle into one ActivityInput draft per Encounter and says, per entry, what
 * became of it. Looking up a referenced platform Patient's residence is left to the caller (`needsResidenceOf`).
 */

/** Identifier systems and extensions of the activity mapping, beside those of fhir.codes.ts. */
export const activitySystems = {
  /** GB/T 2260 division code as an identifier, for a facility known only by where it is (insurance settlements). */
  divisionCode: `${NS}/sid/division-code`,
  /** Department specialty (network departments' `specialty`, e.g. `tcm`) on Encounter.serviceType. */
  specialty: `${NS}/CodeSystem/specialty`,
  encounterClass: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  claimType: 'http://terminology.hl7.org/CodeSystem/claim-type',
  adjudication: 'http://terminology.hl7.org/CodeSystem/adjudication',
  /** Encounter.extension: residence division code of the patient (valueCode), when the subject carries none. */
  residenceExtension: `${NS}/StructureDefinition/residence-division-code`,
  /** Encounter.extension: total cost (valueMoney) of an encounter sent without a Claim or ExplanationOfBenefit. */
  totalCostExtension: `${NS}/StructureDefinition/total-cost`,
  /** Encounter.extension: the patient is not enrolled in the county's basic medical insurance (valueBoolean false). */
  insuredExtension: `${NS}/StructureDefinition/insured`,
} as const;

const OUTPATIENT_CLASSES = new Set(['AMB', 'EMER', 'HH', 'VR', 'OBSENC', 'SS']);
const INPATIENT_CLASSES = new Set(['IMP', 'ACUTE', 'NONAC']);
const ACCEPTED_STATUS = new Set(['finished', 'in-progress', 'arrived', 'triaged', 'onleave']);

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
const fail = (expression: string, message: string) => invalid(`${expression}: ${message}`, expression);

/** What the route answers for one entry. */
export type EntryOutcome =
  | { kind: 'encounter'; activity: number }
  | { kind: 'money'; activity: number }
  | { kind: 'context'; note: string }
  | { kind: 'error'; error: AppError };

/** One Encounter's activity, waiting for the residence of a referenced platform patient when it had none. */
export interface ActivityDraft {
  /** Index of the Encounter's entry in the Bundle. */
  entry: number;
  input: Omit<ActivityInput, 'residenceDivisionCode'> & { residenceDivisionCode?: string };
  /** Platform patient id whose residence division code must be looked up. */
  needsResidenceOf?: string;
}

export interface BundleMapping {
  type: 'batch' | 'transaction';
  /** Per Bundle entry, in order. */
  entries: EntryOutcome[];
  /** Per Encounter that mapped. */
  activities: ActivityDraft[];
}

/** Money.value (a JSON decimal) → exact yuan text with at most two decimals; CNY only. */
export function moneyOf(v: unknown, expression: string): string {
  if (!isObject(v)) throw fail(expression, '应为 Money（{"value": 123.45, "currency": "CNY"}）');
  if (v.currency !== undefined && v.currency !== 'CNY') throw fail(`${expression}.currency`, `只接受人民币 CNY，收到 ${JSON.stringify(v.currency)}`);
  const value = v.value;
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : typeof value === 'string' ? value.trim() : '';
  const m = /^(\d{1,12})(?:\.(\d{1,2}))?$/.exec(text);
  if (!m) throw fail(`${expression}.value`, `金额应为非负数，最多两位小数（元），收到 ${JSON.stringify(value ?? null)}`);
  return `${m[1]}.${(m[2] ?? '').padEnd(2, '0')}`;
}

/** `Type/id`, an absolute URL ending in it, `urn:uuid:…` or `#contained`. */
function refOf(v: unknown): string | undefined {
  return isObject(v) ? str(v.reference) : undefined;
}
const typedId = (ref: string, type: string): string | undefined => {
  const m = /^(?:.*\/)?([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(ref);
  return m && m[1] === type ? m[2] : undefined;
};

function divisionExtensionOf(address: unknown): string | undefined {
  for (const a of arr(address)) {
    if (!isObject(a)) continue;
    const e = arr(a.extension).find((x): x is Obj => isObject(x) && x.url === extensions.divisionCode);
    const code = str(e?.valueCode) ?? str(e?.valueString);
    if (code) return code;
    // address.district as a code (some senders put the county code there)
    const district = str(a.district);
    if (district && /^\d{6}(\d{3})?(\d{3})?$/.test(district)) return district;
  }
  return undefined;
}

function icdCodesOf(concept: unknown): string[] {
  if (!isObject(concept)) return [];
  return arr(concept.coding)
    .filter((c): c is Obj => isObject(c) && (c.system === systems.icd10 || (typeof c.system === 'string' && /icd-?10/i.test(c.system))))
    .flatMap((c) => (str(c.code) ? [str(c.code)!] : []));
}

/**
 * Maps a batch or transaction Bundle. Errors of the Bundle as a whole (not a Bundle, wrong type) throw; an entry's
 * problem is that entry's outcome. The caller records the drafts and, for a transaction, records nothing when any
 * entry failed.
 */
export function activitiesFromBundle(body: unknown): BundleMapping {
  if (!isObject(body) || body.resourceType !== 'Bundle') {
    throw fail('Bundle.resourceType', `请求体应为 Bundle（batch 或 transaction），收到 ${JSON.stringify(isObject(body) ? (body.resourceType ?? null) : typeof body)}`);
  }
  if (body.type !== 'batch' && body.type !== 'transaction') {
    throw fail('Bundle.type', `只接受 batch 或 transaction，收到 ${JSON.stringify(body.type ?? null)}`);
  }
  if (body.entry !== undefined && !Array.isArray(body.entry)) throw fail('Bundle.entry', '应为数组');
  const rawEntries = arr(body.entry);
  if (rawEntries.length > 1000) throw fail('Bundle.entry', `一个 Bundle 最多 1000 个条目，收到 ${rawEntries.length}`);

  // Resources by every name an entry can be referenced by: its fullUrl and Type/id.
  const byRef = new Map<string, { index: number; resource: Obj }>();
  rawEntries.forEach((e, index) => {
    if (!isObject(e) || !isObject(e.resource)) return;
    const r = e.resource;
    const fullUrl = str(e.fullUrl);
    if (fullUrl) byRef.set(fullUrl, { index, resource: r });
    if (typeof r.resourceType === 'string' && str(r.id)) {
      byRef.set(`${r.resourceType}/${str(r.id)}`, { index, resource: r });
      if (fullUrl && /^https?:/.test(fullUrl)) byRef.set(fullUrl, { index, resource: r });
    }
  });
  // Context entries (Patient, Condition, Organization) used by an Encounter of the Bundle → that Encounter's entry.
  const referenced = new Map<number, number>();
  rawEntries.forEach((e, i) => {
    if (!isObject(e) || !isObject(e.resource) || e.resource.resourceType !== 'Encounter') return;
    const r = e.resource;
    const refs = [refOf(r.subject), refOf(r.serviceProvider), ...arr(r.diagnosis).map((d) => (isObject(d) ? refOf(d.condition) : undefined))];
    for (const ref of refs) {
      const hit = ref ? byRef.get(ref) : undefined;
      if (hit && !referenced.has(hit.index)) referenced.set(hit.index, i);
    }
  });

  const entries: EntryOutcome[] = rawEntries.map(() => ({ kind: 'context', note: '' }));
  const activities: ActivityDraft[] = [];
  const encounterAt = new Map<number, number>(); // Encounter entry index → activity index

  const entryError = (i: number, e: unknown): EntryOutcome => {
    if (e instanceof AppError) return { kind: 'error', error: e };
    throw e;
  };

  // Pass 1: Encounters.
  rawEntries.forEach((e, i) => {
    const at = `Bundle.entry[${i}]`;
    try {
      if (!isObject(e)) throw fail(at, '应为对象');
      if (!isObject(e.resource)) throw fail(`${at}.resource`, '缺少资源');
      const r = e.resource;
      if (isObject(e.request)) {
        const method = str(e.request.method);
        if (method !== 'POST') throw fail(`${at}.request.method`, `只支持 POST（新增），收到 ${JSON.stringify(method ?? null)}`);
      }
      if (r.resourceType !== 'Encounter') return;
      const draft = encounterToActivity(r, `${at}.resource`, (ref) => byRef.get(ref)?.resource);
      encounterAt.set(i, activities.length);
      activities.push({ entry: i, ...draft });
      entries[i] = { kind: 'encounter', activity: activities.length - 1 };
    } catch (err) {
      entries[i] = entryError(i, err);
    }
  });

  // Pass 2: the money (ExplanationOfBenefit wins over Claim for the same Encounter).
  const moneyFrom = new Map<number, 'Claim' | 'ExplanationOfBenefit'>();
  rawEntries.forEach((e, i) => {
    if (!isObject(e) || !isObject(e.resource) || entries[i]!.kind === 'error') return;
    const r = e.resource;
    if (r.resourceType !== 'Claim' && r.resourceType !== 'ExplanationOfBenefit') return;
    const at = `Bundle.entry[${i}].resource`;
    try {
      const refs = [
        ...arr(r.item).flatMap((it) => (isObject(it) ? arr(it.encounter).map(refOf) : [])),
        ...arr(r.supportingInfo).flatMap((s) => (isObject(s) ? [refOf(s.valueReference)] : [])),
      ].filter((x): x is string => !!x);
      const target = refs.map((ref) => byRef.get(ref)).find((hit) => hit && hit.resource.resourceType === 'Encounter');
      if (!target) throw fail(`${at}.item.encounter`, '未关联到本 Bundle 中的 Encounter（用 item[].encounter 或 supportingInfo[].valueReference 引用其 fullUrl 或 Encounter/<id>）');
      const activityIndex = encounterAt.get(target.index);
      if (activityIndex === undefined) {
        entries[i] = { kind: 'error', error: fail(at, `所关联的 Encounter（Bundle.entry[${target.index}]）无效，本条未记录`) };
        return;
      }
      const draft = activities[activityIndex]!;
      const money = moneyOfClaim(r, at);
      const previous = moneyFrom.get(activityIndex);
      if (previous === 'ExplanationOfBenefit' && r.resourceType === 'Claim') {
        entries[i] = { kind: 'money', activity: activityIndex };
        return;
      }
      if (previous === r.resourceType) throw fail(at, `同一 Encounter 已有一个 ${r.resourceType}`);
      moneyFrom.set(activityIndex, r.resourceType);
      draft.input.totalCost = money.totalCost;
      if (money.fundPaid !== undefined) draft.input.fundPaid = money.fundPaid;
      else if (r.resourceType === 'ExplanationOfBenefit') delete draft.input.fundPaid;
      if (money.pharmacy) draft.input.pharmacy = true;
      entries[i] = { kind: 'money', activity: activityIndex };
    } catch (err) {
      entries[i] = entryError(i, err);
    }
  });

  // An Encounter whose money entry failed must not be recorded without it.
  rawEntries.forEach((e, i) => {
    if (!isObject(e) || !isObject(e.resource)) return;
    const r = e.resource;
    if ((r.resourceType === 'Claim' || r.resourceType === 'ExplanationOfBenefit') && entries[i]!.kind === 'error') {
      const refs = arr(r.item).flatMap((it) => (isObject(it) ? arr(it.encounter).map(refOf) : [])).concat(arr(r.supportingInfo).map((s) => (isObject(s) ? refOf(s.valueReference) : undefined)));
      for (const ref of refs) {
        const hit = ref ? byRef.get(ref) : undefined;
        if (hit && entries[hit.index]!.kind === 'encounter') {
          entries[hit.index] = { kind: 'error', error: fail(`Bundle.entry[${hit.index}].resource`, `其费用条目 Bundle.entry[${i}] 无效，本条未记录`) };
        }
      }
    }
  });
  // Pass 3: validate each activity against the contract; other entries are context or unsupported.
  for (const a of activities) {
    const at = `Bundle.entry[${a.entry}].resource`;
    if (entries[a.entry]!.kind !== 'encounter') continue;
    if (a.input.totalCost === '') {
      entries[a.entry] = { kind: 'error', error: fail(at, '缺少费用：请附 ExplanationOfBenefit 或 Claim（引用本 Encounter），或 total-cost 扩展') };
      continue;
    }
    const check = activityInputSchema.safeParse({ ...a.input, residenceDivisionCode: a.input.residenceDivisionCode ?? '000000' });
    if (!check.success) {
      const issue = check.error.issues[0]!;
      const field = String(issue.path[0] ?? '');
      entries[a.entry] = { kind: 'error', error: fail(`${at}.${ELEMENT_OF[field] ?? field}`, issue.message) };
    }
  }
  rawEntries.forEach((e, i) => {
    if (entries[i]!.kind !== 'context') return;
    const type = isObject(e) && isObject(e.resource) ? String(e.resource.resourceType ?? '') : '';
    const user = referenced.get(i);
    if (user !== undefined && ['Patient', 'Condition', 'Organization'].includes(type)) {
      entries[i] = { kind: 'context', note: `${type} 作为 Bundle.entry[${user}] 的 Encounter 的上下文使用，不单独保存` };
    } else {
      entries[i] = {
        kind: 'error',
        error: new AppError('invalid', `Bundle.entry[${i}].resource: 此接口只接受 Encounter、Claim、ExplanationOfBenefit（以及被它们引用的 Patient、Condition、Organization），收到 ${type || '(无)'}`, {
          path: `Bundle.entry[${i}].resource.resourceType`, detail: { fhirIssueCode: 'not-supported' },
        }),
      };
    }
  });
  return { type: body.type, entries, activities };
}

/** The Encounter element an ActivityInput field comes from, to name it in an OperationOutcome. */
const ELEMENT_OF: Record<string, string> = {
  source: 'identifier.system', sourceRecordId: 'identifier.value', class: 'class', patientId: 'subject', residenceDivisionCode: 'subject',
  facilityId: 'serviceProvider', facilityDivisionCode: 'serviceProvider', departmentSpecialty: 'serviceType', startDate: 'period.start',
  endDate: 'period.end', diagnoses: 'diagnosis', totalCost: '(ExplanationOfBenefit|Claim).total', fundPaid: 'ExplanationOfBenefit.payment.amount',
  referralId: 'basedOn',
};

/** The money of a Claim or ExplanationOfBenefit: total cost, fund paid, retail pharmacy. */
function moneyOfClaim(r: Obj, at: string): { totalCost: string; fundPaid?: string; pharmacy: boolean } {
  const pharmacy = isObject(r.type) && arr(r.type.coding).some((c) => isObject(c) && c.code === 'pharmacy');
  if (r.resourceType === 'Claim') {
    if (r.total === undefined) throw fail(`${at}.total`, 'Claim 需要 total（总费用）');
    return { totalCost: moneyOf(r.total, `${at}.total`), pharmacy };
  }
  // ExplanationOfBenefit: total[] by adjudication category (submitted = cost, benefit = paid by the fund); payment.amount.
  const totals = arr(r.total).filter(isObject);
  const byCategory = (code: string) =>
    totals.findIndex((t) => isObject(t.category) && arr(t.category.coding).some((c) => isObject(c) && c.code === code));
  const submitted = byCategory('submitted');
  const benefit = byCategory('benefit');
  if (submitted < 0) throw fail(`${at}.total`, 'ExplanationOfBenefit 需要 category 为 submitted 的 total（总费用）');
  const totalCost = moneyOf(totals[submitted]!.amount, `${at}.total[${submitted}].amount`);
  let fundPaid: string | undefined;
  if (isObject(r.payment) && r.payment.amount !== undefined) fundPaid = moneyOf(r.payment.amount, `${at}.payment.amount`);
  else if (benefit >= 0) fundPaid = moneyOf(totals[benefit]!.amount, `${at}.total[${benefit}].amount`);
  return { totalCost, ...(fundPaid !== undefined ? { fundPaid } : {}), pharmacy };
}

/** One Encounter → an activity draft (cost filled from its Claim/EOB later, or from the total-cost extension). */
export function encounterToActivity(
  r: Obj,
  at: string,
  resolve: (ref: string) => Obj | undefined = () => undefined,
): Omit<ActivityDraft, 'entry'> {
  const contained = new Map<string, Obj>();
  for (const c of arr(r.contained)) if (isObject(c) && str(c.id)) contained.set(`#${str(c.id)}`, c);
  const lookup = (ref: string | undefined): Obj | undefined => (ref ? (ref.startsWith('#') ? contained.get(ref) : resolve(ref)) : undefined);

  // class
  const cls = isObject(r.class) ? str(r.class.code) : undefined;
  let klass: ActivityInput['class'];
  if (cls && OUTPATIENT_CLASSES.has(cls)) klass = 'outpatient';
  else if (cls && INPATIENT_CLASSES.has(cls)) klass = 'inpatient';
  else throw fail(`${at}.class`, `应为 AMB（门诊）或 IMP（住院）（${activitySystems.encounterClass}），收到 ${JSON.stringify(cls ?? null)}`);

  const status = str(r.status);
  if (!status || !ACCEPTED_STATUS.has(status)) throw fail(`${at}.status`, `只记录已发生的就诊（finished、in-progress 等），收到 ${JSON.stringify(status ?? null)}`);

  // identifier → source + source record id
  const ids = arr(r.identifier).filter((x): x is Obj => isObject(x) && !!str(x.value));
  const id = ids.find((x) => x.use === 'official') ?? ids[0];
  if (!id) throw fail(`${at}.identifier`, '需要来源系统的就诊流水号（identifier.system + value），重复提交同一记录时据此去重');
  const sourceRecordId = str(id.value)!;
  const source = str(id.system);
  if (!source) throw fail(`${at}.identifier.system`, '需要 identifier.system（来源系统），与 value 一起用于去重');

  // period
  const period = isObject(r.period) ? r.period : {};
  const start = str(period.start);
  if (!start || !/^\d{4}-\d{2}-\d{2}/.test(start)) throw fail(`${at}.period.start`, '需要就诊（入院）日期');
  const end = str(period.end);
  if (end !== undefined && !/^\d{4}-\d{2}-\d{2}/.test(end)) throw fail(`${at}.period.end`, '日期格式错误');
  const startDate = start.slice(0, 10);
  const endDate = klass === 'inpatient' && end ? end.slice(0, 10) : undefined;

  // subject → patient and residence
  const subjectRef = refOf(r.subject);
  let patientId: string | undefined;
  let residence = arr(r.extension).filter(isObject).map((e) => (e.url === activitySystems.residenceExtension ? str(e.valueCode) ?? str(e.valueString) : undefined)).find(Boolean);
  const subject = lookup(subjectRef);
  if (subject) {
    if (subject.resourceType !== 'Patient') throw fail(`${at}.subject`, '应引用 Patient');
    residence ??= divisionExtensionOf(subject.address);
  } else if (subjectRef) {
    const pid = typedId(subjectRef, 'Patient');
    if (!pid) throw fail(`${at}.subject.reference`, `应为 "Patient/<id>"、"#contained" 或本 Bundle 中 Patient 的 fullUrl，收到 ${JSON.stringify(subjectRef)}`);
    patientId = pid;
  }
  if (!residence && !patientId) {
    throw fail(`${at}.subject`, '需要患者居住地区划代码：引用平台的 Patient/<id>，或在（contained）Patient.address 的 division-code 扩展、或 Encounter 的 residence-division-code 扩展中给出');
  }

  // serviceProvider → facility
  let facilityId: string | undefined;
  let facilityDivisionCode: string | undefined;
  const sp = r.serviceProvider;
  const spRef = refOf(sp);
  const spResource = lookup(spRef);
  const fromIdentifiers = (identifiers: unknown[]) => {
    for (const x of identifiers) {
      if (!isObject(x) || !str(x.value)) continue;
      if (x.system === activitySystems.divisionCode) facilityDivisionCode ??= str(x.value);
      else if (x.system === systems.uscc || x.system === systems.facilityCode) facilityId ??= str(x.value);
    }
  };
  if (spResource) {
    if (spResource.resourceType !== 'Organization') throw fail(`${at}.serviceProvider`, '应引用 Organization');
    fromIdentifiers(arr(spResource.identifier));
    facilityDivisionCode ??= divisionExtensionOf(spResource.address);
  } else if (spRef) {
    const oid = typedId(spRef, 'Organization');
    if (!oid || oid.startsWith('alliance-')) throw fail(`${at}.serviceProvider.reference`, `应为机构 "Organization/<id>"，收到 ${JSON.stringify(spRef)}`);
    facilityId = oid;
  }
  if (isObject(sp) && isObject(sp.identifier)) fromIdentifiers([sp.identifier]);
  if (!facilityId && !facilityDivisionCode) {
    throw fail(`${at}.serviceProvider`, '需要就诊机构：Organization/<id>，或 identifier（统一社会信用代码/机构代码，或平台外机构的 division-code）');
  }

  // diagnoses: Encounter.diagnosis (by rank) then reasonCode
  const ranked = arr(r.diagnosis)
    .filter(isObject)
    .map((d, k) => ({ d, k, rank: typeof d.rank === 'number' ? d.rank : 1000 + k }))
    .sort((a, b) => a.rank - b.rank);
  const diagnoses: string[] = [];
  for (const { d, k } of ranked) {
    const ref = refOf(d.condition);
    const cond = lookup(ref);
    if (!cond) throw fail(`${at}.diagnosis[${k}].condition`, `未找到所引用的 Condition ${JSON.stringify(ref ?? null)}（用 contained 或本 Bundle 中的条目）`);
    const codes = icdCodesOf(cond.code);
    if (codes.length === 0) throw fail(`${at}.diagnosis[${k}].condition`, `Condition 需要 ICD-10 编码（${systems.icd10}）`);
    diagnoses.push(...codes);
  }
  for (const rc of arr(r.reasonCode)) diagnoses.push(...icdCodesOf(rc));
  const uniqueDx = [...new Set(diagnoses.map((d) => d.toUpperCase()))];

  // department, referral, insurance, cost
  const specialty = arr(r.serviceType && isObject(r.serviceType) ? r.serviceType.coding : [])
    .filter(isObject)
    .find((c) => c.system === activitySystems.specialty);
  const basedOn = arr(r.basedOn).map(refOf).filter((x): x is string => !!x);
  const referralId = basedOn.map((ref) => typedId(ref, 'ServiceRequest')).find(Boolean);
  const admitSource = isObject(r.hospitalization) && isObject(r.hospitalization.admitSource) ? arr(r.hospitalization.admitSource.coding) : [];
  const viaReferral = !!referralId || admitSource.some((c) => isObject(c) && (c.code === 'hosp-trans' || c.code === 'outp'));
  const ext = arr(r.extension).filter(isObject);
  const costExt = ext.find((e) => e.url === activitySystems.totalCostExtension);
  const insuredExt = ext.find((e) => e.url === activitySystems.insuredExtension);
  const totalCost = costExt ? moneyOf(costExt.valueMoney, `${at}.extension(total-cost).valueMoney`) : '';

  const input: ActivityDraft['input'] = {
    source,
    sourceRecordId,
    class: klass,
    ...(patientId ? { patientId } : {}),
    ...(residence ? { residenceDivisionCode: residence } : {}),
    ...(facilityId ? { facilityId } : {}),
    ...(facilityDivisionCode ? { facilityDivisionCode } : {}),
    ...(specialty && str(specialty.code) ? { departmentSpecialty: str(specialty.code)! } : {}),
    startDate,
    ...(endDate ? { endDate } : {}),
    diagnoses: uniqueDx,
    totalCost,
    insured: insuredExt?.valueBoolean === false ? false : true,
    pharmacy: false,
    viaReferral,
    ...(referralId ? { referralId } : {}),
  };
  return { input, ...(residence ? {} : { needsResidenceOf: patientId! }) };
}

/** HTTP status line of a batch/transaction response entry (http://hl7.org/fhir/R4/http.html#transaction-response). */
const REASON: Record<number, string> = { 200: 'OK', 201: 'Created', 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 422: 'Unprocessable Entity' };
export const statusLine = (status: number): string => `${status} ${REASON[status] ?? ''}`.trim();

import type {
  CodeableConcept, Communication, DiagnosticReport, Extension, Flag, ImagingStudy, ImagingStudySeries, ImagingStudySeriesInstance,
  Observation, ServiceRequest, Task,
} from '@medplum/fhirtypes';
import type { Urgency } from '../../contracts/codes.js';
import {
  acknowledgeInputSchema, centerTypes, diagnosisRequestInputSchema, modalities, modalitiesByCenterType, releasedReportStatuses,
  type AcknowledgeInput, type CenterType, type CriticalValueDto, type DiagnosisRequestDto, type DiagnosisRequestInput,
  type DiagnosisStatus, type LabResultDto, type Modality, type ReportInput, type ReportVersionDto,
} from '../../contracts/diagnosis.js';
import { invalid } from '../../shared/errors.js';
import { PATIENT_REFERRAL, centerTypeDisplay, centerTypeSnomed, extensions, systems } from './fhir.codes.js';
import { compact, reference } from './fhir.mapping.js';
import { fhirPriorityOf, referenceIdAt } from './fhir-referral.mapping.js';

/**
 * The shared diagnosis centers as FHIR R4 resources (docs/fhir.md, "Diagnosis centers"). One request is a
 * ServiceRequest (what is asked), a Task (where it is on the center's worklist) and, once a report is released, a
 * DiagnosticReport — all three with the request's id, as a referral's ServiceRequest and Task share theirs. Uploaded
 * DICOM is ImagingStudy, a critical value a Flag, its read-back acknowledgement a Communication. Pure functions.
 */

const fail = (expression: string, message: string) => invalid(`${expression}: ${message}`, expression);
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

/** Labels of the worklist statuses (diagnosis.rules.ts statusLabels; repeated here to keep the mapping pure). */
export const diagnosisStatusDisplay: Record<DiagnosisStatus, string> = {
  requested: '待认领', 'in-progress': '诊断中', returned: '已退回重拍', preliminary: '已出初步报告', 'awaiting-signoff': '待审核签发',
  completed: '已完成', cancelled: '已撤销',
};

/** ServiceRequest.status: the request is active while on the worklist, on hold while returned for a retake. */
export const diagnosisServiceRequestStatusOf: Record<DiagnosisStatus, 'active' | 'on-hold' | 'completed' | 'revoked'> = {
  requested: 'active', 'in-progress': 'active', preliminary: 'active', 'awaiting-signoff': 'active', returned: 'on-hold', completed: 'completed', cancelled: 'revoked',
};

/** Task.status (contracts/diagnosis.ts): the worklist status itself is Task.businessStatus. */
export const diagnosisTaskStatusOf: Record<DiagnosisStatus, 'requested' | 'in-progress' | 'on-hold' | 'completed' | 'cancelled'> = {
  requested: 'requested', 'in-progress': 'in-progress', preliminary: 'in-progress', 'awaiting-signoff': 'in-progress', returned: 'on-hold', completed: 'completed', cancelled: 'cancelled',
};

/** HL7 v2-0074 diagnostic service sections per center type (consultation has none). */
const serviceSection: Record<CenterType, { code: string; display: string } | null> = {
  imaging: { code: 'RAD', display: 'Radiology' }, ecg: { code: 'EC', display: 'Electrocardiac (e.g., EKG, EEC, Holter)' },
  pathology: { code: 'PAT', display: 'Pathology (gross & histopath, not surgical)' }, lab: { code: 'LAB', display: 'Laboratory' }, consultation: null,
};

/** ServiceRequest.category of a diagnosis request: the center type in our code system, SNOMED CT beside it. */
export function centerTypeCategory(type: CenterType): CodeableConcept {
  return {
    coding: [
      { system: systems.diagnosisCenterType, code: type, display: centerTypeDisplay[type] },
      { system: systems.snomed, code: centerTypeSnomed[type].code, display: centerTypeSnomed[type].display },
    ],
    text: centerTypeDisplay[type],
  };
}

/** The center type a category coding names (ours or the SNOMED CT code beside it); undefined = not a diagnosis category. */
export function centerTypeOfCoding(system: string | null | undefined, code: string): CenterType | undefined {
  if ((system === undefined || system === systems.diagnosisCenterType) && (centerTypes as readonly string[]).includes(code)) return code as CenterType;
  if (system === undefined || system === systems.snomed) return centerTypes.find((t) => centerTypeSnomed[t].code === code);
  return undefined;
}

const numberIdentifier = (d: DiagnosisRequestDto) => [{ use: 'official' as const, system: systems.diagnosisRequestNumber, value: d.number }];

function examCode(d: Pick<DiagnosisRequestDto, 'modality' | 'examType'>): CodeableConcept {
  return { coding: [{ system: systems.diagnosisModality, code: d.modality, display: d.modality }], text: d.examType };
}

/**
 * A diagnosis request as a ServiceRequest: category = the center type (+ SNOMED CT), code = modality and examination
 * item (text), bodySite = body part, reasonCode[0].text = the clinical question, note[0] = the clinical summary,
 * requester = the requesting facility, performer = the center's host organization (one center per type per host, so
 * performer + category name the center; its name is in performer.display).
 */
export function diagnosisToServiceRequest(d: DiagnosisRequestDto): ServiceRequest {
  return compact<ServiceRequest>({
    resourceType: 'ServiceRequest',
    id: d.id,
    meta: { versionId: String(d.version) },
    identifier: numberIdentifier(d),
    status: diagnosisServiceRequestStatusOf[d.status],
    intent: 'order',
    category: [centerTypeCategory(d.center.type)],
    priority: fhirPriorityOf(d.urgency),
    code: examCode(d),
    subject: reference('Patient', d.patient.id, d.patient.name),
    authoredOn: d.submittedAt,
    requester: reference('Organization', d.requester.organizationId, d.requester.organizationName),
    performer: [reference('Organization', d.center.organizationId, `${d.center.organizationName} ${d.center.name}`)],
    bodySite: d.bodyPart ? [{ text: d.bodyPart }] : undefined,
    reasonCode: [{ text: d.clinicalQuestion }],
    note: d.clinicalSummary ? [{ text: d.clinicalSummary }] : undefined,
  });
}

/**
 * A diagnosis request as a Task (same id): status per diagnosisTaskStatusOf, businessStatus = the worklist status,
 * statusReason = why it was returned or cancelled, owner = the reader who claimed it (Practitioner when the account is
 * linked to one) or else the center's host organization, restriction.period.end = the report deadline, output = the
 * DiagnosticReport once released.
 */
export function diagnosisToTask(d: DiagnosisRequestDto, claimer: { practitionerId: string | null } | null): Task {
  const reason = d.status === 'returned' ? d.returnReason : d.status === 'cancelled' ? d.cancelReason : null;
  const owner: Task['owner'] = d.claimedBy
    ? claimer?.practitionerId ? reference('Practitioner', claimer.practitionerId, d.claimedByName) : { display: d.claimedByName ?? undefined }
    : reference('Organization', d.center.organizationId, `${d.center.organizationName} ${d.center.name}`);
  return compact<Task>({
    resourceType: 'Task',
    id: d.id,
    meta: { versionId: String(d.version) },
    identifier: numberIdentifier(d),
    status: diagnosisTaskStatusOf[d.status],
    statusReason: reason ? { text: reason } : undefined,
    businessStatus: { coding: [{ system: systems.diagnosisStatus, code: d.status, display: diagnosisStatusDisplay[d.status] }], text: diagnosisStatusDisplay[d.status] },
    intent: 'order',
    priority: fhirPriorityOf(d.urgency),
    code: { coding: [{ system: systems.taskCode, code: 'fulfill', display: 'Fulfill the focal request' }], text: `${centerTypeDisplay[d.center.type]}申请` },
    description: `${d.number}：${d.examType}`,
    focus: reference('ServiceRequest', d.id),
    for: reference('Patient', d.patient.id, d.patient.name),
    executionPeriod: compact({ start: d.submittedAt, end: d.completedAt ?? undefined }),
    authoredOn: d.submittedAt,
    requester: reference('Organization', d.requester.organizationId, d.requester.organizationName),
    owner,
    restriction: d.deadline ? { period: { end: d.deadline.dueAt } } : undefined,
    output: latestReleased(d) ? [{ type: { text: '诊断报告' }, valueReference: reference('DiagnosticReport', d.id) }] : undefined,
  });
}

/** The latest released report version (preliminary, final, amended) — what the requesting facility reads. */
export function latestReleased(d: DiagnosisRequestDto): ReportVersionDto | undefined {
  return d.report?.versions.filter((v) => releasedReportStatuses.includes(v.status)).at(-1);
}

const escapeXml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/**
 * The released report of a request as a DiagnosticReport (same id as the request), or undefined before any release.
 * status = the latest released version's (preliminary | final | amended); conclusion = the impression; the findings
 * are the narrative and a text/plain presentedForm; resultsInterpreter = the author (and the second reader who signed
 * off); performer = the center's host organization. A lab center's result values are contained Observations listed in
 * `result` (LOINC where the analyte has one; HL7 v3 ObservationInterpretation flags).
 */
export function diagnosisToDiagnosticReport(d: DiagnosisRequestDto): DiagnosticReport | undefined {
  const v = latestReleased(d);
  if (!v || !d.report) return undefined;
  const section = serviceSection[d.center.type];
  const interpreters: NonNullable<DiagnosticReport['resultsInterpreter']> = [{ display: v.authorName }];
  if (d.report.signedOffByName && v.status !== 'preliminary') interpreters.push({ display: d.report.signedOffByName });
  const findings = `检查所见：\n${v.findings}\n\n诊断意见：\n${v.impression}`;
  const observations = (v.labResults ?? []).map((r, i) => labObservation(d, v, r, `result-${i + 1}`));
  return compact<DiagnosticReport>({
    resourceType: 'DiagnosticReport',
    id: d.id,
    contained: observations.length ? observations : undefined,
    result: observations.length ? observations.map((o) => ({ reference: `#${o.id}`, display: o.code.text })) : undefined,
    meta: { versionId: String(v.version), lastUpdated: v.at },
    text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml"><p><b>检查所见</b></p><p>${escapeXml(v.findings)}</p><p><b>诊断意见</b></p><p>${escapeXml(v.impression)}</p></div>` },
    identifier: numberIdentifier(d),
    basedOn: [reference('ServiceRequest', d.id)],
    status: v.status as 'preliminary' | 'final' | 'amended',
    category: [
      { coding: [{ system: systems.diagnosisCenterType, code: d.center.type, display: centerTypeDisplay[d.center.type] }, ...(section ? [{ system: systems.diagnosticServiceSection, ...section }] : [])], text: centerTypeDisplay[d.center.type] },
    ],
    code: examCode(d),
    subject: reference('Patient', d.patient.id, d.patient.name),
    effectiveDateTime: d.submittedAt,
    issued: v.at,
    performer: [reference('Organization', d.center.organizationId, `${d.center.organizationName} ${d.center.name}`)],
    resultsInterpreter: interpreters,
    conclusion: v.impression,
    presentedForm: [{ contentType: 'text/plain; charset=utf-8', language: 'zh-CN', data: Buffer.from(findings, 'utf8').toString('base64'), title: '诊断报告' }],
  });
}

const interpretationDisplay: Record<NonNullable<LabResultDto['flag']>, string> = {
  N: 'Normal', L: 'Low', H: 'High', LL: 'Critical low', HH: 'Critical high',
};

/** One result value of a lab report as an Observation (status follows the report version it belongs to). */
function labObservation(d: DiagnosisRequestDto, v: ReportVersionDto, r: LabResultDto, id: string): Observation {
  const numeric = /^[-+]?\d+(\.\d+)?$/.test(r.value.trim());
  return compact<Observation>({
    resourceType: 'Observation',
    id,
    status: v.status as 'preliminary' | 'final' | 'amended',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory', display: 'Laboratory' }] }],
    code: compact<CodeableConcept>({
      coding: r.loinc ? [{ system: 'http://loinc.org', code: r.loinc, display: r.name }] : undefined,
      text: r.name,
    }),
    subject: reference('Patient', d.patient.id, d.patient.name),
    effectiveDateTime: d.submittedAt,
    issued: v.at,
    valueQuantity: numeric ? compact({ value: Number(r.value), unit: r.unit || undefined }) : undefined,
    valueString: numeric ? undefined : r.value,
    interpretation: r.flag
      ? [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: r.flag, display: interpretationDisplay[r.flag] }] }]
      : undefined,
    referenceRange: r.referenceLow !== undefined || r.referenceHigh !== undefined || r.referenceRange
      ? [compact({
          low: r.referenceLow !== undefined ? compact({ value: r.referenceLow, unit: r.unit || undefined }) : undefined,
          high: r.referenceHigh !== undefined ? compact({ value: r.referenceHigh, unit: r.unit || undefined }) : undefined,
          text: r.referenceRange || undefined,
        })]
      : undefined,
    // The specimen is named by its barcode (there is no Specimen resource in the façade yet).
    note: r.specimenBarcode ? [{ text: `标本条码 ${r.specimenBarcode}` }] : undefined,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// ImagingStudy from the request's DICOM attachments

interface DicomFacts {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  sopClassUid?: string | undefined;
  modality: string;
  bodyPart?: string | undefined;
  studyDate?: string | undefined;
  studyDescription?: string | undefined;
  seriesDescription?: string | undefined;
  seriesNumber?: number | undefined;
  instanceNumber?: number | undefined;
}

/** The DICOM facts of an attachment's `meta` (filled by the media parser at upload), or null when it has none. */
function dicomFactsOf(meta: unknown): DicomFacts | null {
  if (!isObject(meta) || meta.kind !== 'dicom') return null;
  const { studyInstanceUid, seriesInstanceUid, sopInstanceUid, modality } = meta;
  if (typeof studyInstanceUid !== 'string' || typeof seriesInstanceUid !== 'string' || typeof sopInstanceUid !== 'string' || typeof modality !== 'string') return null;
  const str = (k: string) => (typeof meta[k] === 'string' && meta[k] !== '' ? (meta[k] as string) : undefined);
  const int = (k: string) => (typeof meta[k] === 'number' ? (meta[k] as number) : undefined);
  return {
    studyInstanceUid, seriesInstanceUid, sopInstanceUid, modality, sopClassUid: str('sopClassUid'), bodyPart: str('bodyPart'), studyDate: str('studyDate'),
    studyDescription: str('studyDescription'), seriesDescription: str('seriesDescription'), seriesNumber: int('seriesNumber'), instanceNumber: int('instanceNumber'),
  };
}

const dicomCoding = (modality: string) => ({ system: systems.dicomModality, code: modality });
const byNumber = <T extends { number?: number | undefined }>(a: T, b: T) => (a.number ?? Number.MAX_SAFE_INTEGER) - (b.number ?? Number.MAX_SAFE_INTEGER);

/**
 * The request's DICOM files as ImagingStudy resources, one per Study Instance UID (ids `<request id>-<n>` in the order
 * the studies were first uploaded), series and instances from the header facts. Instances are listed only when the
 * SOP Class UID is known (ImagingStudy.series.instance.sopClass is required); files whose header was not parsed are
 * counted in a study of their own (`<request id>-unparsed`) without series, since a series needs its UID and modality.
 */
export function diagnosisToImagingStudies(d: DiagnosisRequestDto): ImagingStudy[] {
  const dicom = d.attachments.filter((a) => a.kind === 'dicom');
  const studies = new Map<string, { facts: DicomFacts[]; first: string }>();
  let unparsed = 0;
  for (const a of dicom) {
    const f = dicomFactsOf((a as { meta?: unknown }).meta);
    if (!f) {
      unparsed++;
      continue;
    }
    const s = studies.get(f.studyInstanceUid) ?? { facts: [], first: a.uploadedAt };
    // The same SOP Instance uploaded twice is one instance.
    if (!s.facts.some((x) => x.sopInstanceUid === f.sopInstanceUid)) s.facts.push(f);
    studies.set(f.studyInstanceUid, s);
  }
  const common = (id: string): ImagingStudy => ({
    resourceType: 'ImagingStudy',
    id,
    status: 'available',
    subject: reference('Patient', d.patient.id, d.patient.name),
    basedOn: [reference('ServiceRequest', d.id)],
    procedureCode: [examCode(d)],
    reasonCode: [{ text: d.clinicalQuestion }],
  });
  const out: ImagingStudy[] = [...studies.entries()].map(([uid, s], i) => {
    const series = new Map<string, DicomFacts[]>();
    for (const f of s.facts) series.set(f.seriesInstanceUid, [...(series.get(f.seriesInstanceUid) ?? []), f]);
    const seriesOut: ImagingStudySeries[] = [...series.entries()].map(([seriesUid, fs]) => {
      const first = fs[0]!;
      const instances: ImagingStudySeriesInstance[] = fs
        .filter((f) => f.sopClassUid)
        .map((f) => compact<ImagingStudySeriesInstance>({ uid: f.sopInstanceUid, sopClass: { system: 'urn:ietf:rfc:3986', code: `urn:oid:${f.sopClassUid}` }, number: f.instanceNumber }))
        .sort(byNumber);
      return compact<ImagingStudySeries>({
        uid: seriesUid, number: first.seriesNumber, modality: dicomCoding(first.modality), description: first.seriesDescription, numberOfInstances: fs.length,
        bodySite: first.bodyPart ? { display: first.bodyPart } : undefined, instance: instances,
      });
    }).sort(byNumber);
    const first = s.facts[0]!;
    return compact<ImagingStudy>({
      ...common(`${d.id}-${i + 1}`),
      identifier: [{ system: 'urn:dicom:uid', value: `urn:oid:${uid}` }],
      modality: [...new Set(s.facts.map((f) => f.modality))].map(dicomCoding),
      started: first.studyDate && /^\d{4}-\d{2}-\d{2}$/.test(first.studyDate) ? first.studyDate : undefined,
      numberOfSeries: seriesOut.length,
      numberOfInstances: s.facts.length,
      description: first.studyDescription ?? d.examType,
      series: seriesOut,
    });
  });
  if (unparsed > 0) {
    out.push(compact<ImagingStudy>({ ...common(`${d.id}-unparsed`), numberOfInstances: unparsed, description: `${d.examType}（${unparsed} 个 DICOM 文件的文件头未解析）` }));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Critical values: Flag, and the acknowledgement as a Communication

function acknowledgementExtension(c: CriticalValueDto): Extension | undefined {
  if (c.state !== 'acknowledged') return undefined;
  return {
    url: extensions.criticalValueAcknowledgement,
    extension: [
      { url: 'receivedBy', valueString: c.receivedBy ?? '' },
      { url: 'readBack', valueString: c.readBack ?? '' },
      { url: 'actionTaken', valueString: c.actionTaken ?? '' },
      ...(c.acknowledgedByName ? [{ url: 'acknowledgedBy', valueString: c.acknowledgedByName }] : []),
      ...(c.acknowledgedAt ? [{ url: 'at', valueDateTime: c.acknowledgedAt }] : []),
    ],
  };
}

/**
 * A critical value (危急值) as a Flag (same id): active until the requesting facility acknowledges it with read-back,
 * then inactive with period.end = the acknowledgement and the acknowledgement extension; author = the center's host
 * organization; the request it was found on in the diagnosis-request extension.
 */
export function criticalToFlag(c: CriticalValueDto, d: DiagnosisRequestDto): Flag {
  return compact<Flag>({
    resourceType: 'Flag',
    id: c.id,
    extension: [{ url: extensions.diagnosisRequest, valueReference: reference('ServiceRequest', d.id) }, acknowledgementExtension(c)].filter((e): e is Extension => !!e),
    status: c.state === 'open' ? 'active' : 'inactive',
    category: [{ coding: [{ system: systems.flagCategory, code: 'clinical', display: 'Clinical' }] }],
    code: { coding: [{ system: systems.diagnosisCritical, code: 'critical-value', display: '危急值' }], text: c.finding },
    subject: reference('Patient', d.patient.id, d.patient.name),
    period: compact({ start: c.flaggedAt, end: c.acknowledgedAt ?? undefined }),
    author: reference('Organization', d.center.organizationId, `${d.center.name} ${c.flaggedByName}`),
  });
}

/** The read-back acknowledgement of a critical value as a Communication (same id as the Flag), once acknowledged. */
export function acknowledgementToCommunication(c: CriticalValueDto, d: DiagnosisRequestDto): Communication | undefined {
  const ext = acknowledgementExtension(c);
  if (!ext) return undefined;
  return compact<Communication>({
    resourceType: 'Communication',
    id: c.id,
    extension: [ext],
    status: 'completed',
    category: [{ coding: [{ system: systems.diagnosisCritical, code: 'acknowledgement', display: '危急值复述确认' }] }],
    subject: reference('Patient', d.patient.id, d.patient.name),
    about: [reference('Flag', c.id), reference('ServiceRequest', d.id)],
    sent: c.acknowledgedAt ?? undefined,
    sender: reference('Organization', d.requester.organizationId, `${d.requester.organizationName} ${c.acknowledgedByName ?? ''}`.trim()),
    recipient: [reference('Organization', d.center.organizationId, d.center.name)],
    payload: [{ contentString: `接收人：${c.receivedBy ?? ''}；复述：${c.readBack ?? ''}；处置：${c.actionTaken ?? ''}` }],
  });
}

/**
 * `POST [base]/Communication`: the acknowledgement of the critical value in `about` (one Flag/<id>), its parts in the
 * critical-value-acknowledgement extension (receivedBy, readBack, actionTaken as valueString). Checked by the same zod
 * schema as the JSON API; every error names the element.
 */
export function acknowledgementFromFhir(body: unknown): { criticalId: string; input: AcknowledgeInput } {
  if (!isObject(body)) throw invalid('请求体应为一个 FHIR Communication 资源（JSON 对象）');
  if (body.resourceType !== 'Communication') throw fail('Communication.resourceType', `资源类型应为 "Communication"，收到 ${JSON.stringify(body.resourceType ?? null)}`);
  const status = stringAt(body.status, 'Communication.status');
  if (status !== undefined && status !== 'completed') throw fail('Communication.status', `危急值确认的状态应为 completed，收到 "${status}"`);
  const flags = arrayAt(body.about, 'Communication.about')
    .map((a, i) => ({ a, i }))
    .filter(({ a }) => isObject(a) && typeof a.reference === 'string' && /(?:^|\/)Flag\/[^/]+$/.test(a.reference));
  if (flags.length !== 1) throw fail('Communication.about', `应恰好引用一个危急值（Flag/<id>），收到 ${flags.length} 个`);
  const criticalId = referenceIdAt(flags[0]!.a, `Communication.about[${flags[0]!.i}]`, 'Flag');
  const k = arrayAt(body.extension, 'Communication.extension').findIndex((e) => isObject(e) && e.url === extensions.criticalValueAcknowledgement);
  const at = `Communication.extension('${extensions.criticalValueAcknowledgement}')`;
  if (k < 0) throw fail(at, '请在扩展中填写接收人（receivedBy）、复述内容（readBack）与处置措施（actionTaken）');
  const parts: Record<string, string | undefined> = {};
  arrayAt((body.extension as Record<string, unknown>[])[k]!.extension, `${at}.extension`).forEach((e, i) => {
    if (!isObject(e) || typeof e.url !== 'string') throw fail(`${at}.extension[${i}]`, '应为带 url 的 Extension 对象');
    parts[e.url] = stringAt(e.valueString, `${at}.extension('${e.url}').valueString`);
  });
  const parsed = acknowledgeInputSchema.safeParse({ receivedBy: parts.receivedBy ?? '', readBack: parts.readBack ?? '', actionTaken: parts.actionTaken ?? '' });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? '');
    throw fail(`${at}.extension('${name}').valueString`, issue.message);
  }
  return { criticalId, input: parsed.data };
}

// ---------------------------------------------------------------------------------------------------------------
// ServiceRequest (in): POST with a diagnosis category creates a request

/** Does this create body ask a diagnosis center (a center-type category) rather than for a referral? */
export function isDiagnosisServiceRequest(body: unknown): boolean {
  if (!isObject(body) || !Array.isArray(body.category)) return false;
  return body.category.some((c) => isObject(c) && Array.isArray(c.coding) && c.coding.some((x) =>
    isObject(x) && typeof x.code === 'string' && !(x.system === PATIENT_REFERRAL.system && x.code === PATIENT_REFERRAL.code) &&
    centerTypeOfCoding(typeof x.system === 'string' ? x.system : undefined, x.code) !== undefined));
}

/** Where each field of a DiagnosisRequestInput came from, to name the element in the service's errors. */
export const diagnosisRequestExpressions: Record<string, string> = {
  centerId: 'ServiceRequest.performer[0].reference',
  patientId: 'ServiceRequest.subject.reference',
  modality: 'ServiceRequest.code.coding',
  examType: 'ServiceRequest.code.text',
  bodyPart: 'ServiceRequest.bodySite[0].text',
  urgency: 'ServiceRequest.priority',
  clinicalQuestion: 'ServiceRequest.reasonCode[0].text',
  clinicalSummary: 'ServiceRequest.note[0].text',
};

/**
 * A ServiceRequest (create body) with a center-type category as the parts of a diagnosis request: the center is named
 * by performer (the host Organization) and the category (one center per type per host, resolved by the caller).
 * Required: intent `order`, subject, one performer, the examination item (code.text or a coding's display), the clinical
 * question (reasonCode[0].text); modality from code.coding in our modality system (optional when the center type has
 * only one). `requester`, when given, must be the caller's facility.
 */
export function diagnosisRequestFromFhir(body: unknown): { centerType: CenterType; hostOrganizationId: string; requesterOrganizationId: string | undefined; fields: Omit<DiagnosisRequestInput, 'centerId'> } {
  if (!isObject(body)) throw invalid('请求体应为一个 FHIR ServiceRequest 资源（JSON 对象）');
  if (body.resourceType !== 'ServiceRequest') throw fail('ServiceRequest.resourceType', `资源类型应为 "ServiceRequest"，收到 ${JSON.stringify(body.resourceType ?? null)}`);
  const status = stringAt(body.status, 'ServiceRequest.status');
  if (status !== undefined && status !== 'active') throw fail('ServiceRequest.status', `新建诊断申请的状态应为 active，收到 "${status}"`);
  const intent = stringAt(body.intent, 'ServiceRequest.intent');
  if (intent !== 'order') throw fail('ServiceRequest.intent', `应为 "order"，收到 ${JSON.stringify(intent ?? null)}`);

  const types = new Set<CenterType>();
  arrayAt(body.category, 'ServiceRequest.category').forEach((c, i) => {
    if (!isObject(c)) throw fail(`ServiceRequest.category[${i}]`, '应为 CodeableConcept 对象');
    arrayAt(c.coding, `ServiceRequest.category[${i}].coding`).forEach((x) => {
      if (!isObject(x) || typeof x.code !== 'string') return;
      if (x.system === PATIENT_REFERRAL.system && x.code === PATIENT_REFERRAL.code) throw fail('ServiceRequest.category', '不能同时是转诊（3457005）与诊断申请');
      const t = centerTypeOfCoding(typeof x.system === 'string' ? x.system : undefined, x.code);
      if (t) types.add(t);
    });
  });
  if (types.size !== 1) throw fail('ServiceRequest.category', `应恰好指明一种诊断中心类型（${systems.diagnosisCenterType}：${centerTypes.join('、')}），收到 ${types.size} 种`);
  const centerType = [...types][0]!;

  const priority = stringAt(body.priority, 'ServiceRequest.priority') ?? 'routine';
  const urgency = ({ routine: 'routine', urgent: 'urgent', asap: 'emergency', stat: 'emergency' } as const)[priority as 'routine'] as Urgency | undefined;
  if (!urgency) throw fail('ServiceRequest.priority', `应为 routine、urgent、asap 或 stat，收到 "${priority}"`);

  if (body.subject === undefined) throw fail('ServiceRequest.subject', '请指明患者（Patient/<id>）');
  const patientId = referenceIdAt(body.subject, 'ServiceRequest.subject', 'Patient');
  const performers = arrayAt(body.performer, 'ServiceRequest.performer');
  if (performers.length !== 1) throw fail('ServiceRequest.performer', `应恰好有一个诊断中心所属机构（Organization/<id>），收到 ${performers.length} 个`);
  const hostOrganizationId = referenceIdAt(performers[0], 'ServiceRequest.performer[0]', 'Organization');
  const requesterOrganizationId = body.requester === undefined ? undefined : referenceIdAt(body.requester, 'ServiceRequest.requester', 'Organization');

  if (!isObject(body.code)) throw fail('ServiceRequest.code', '请填写检查项目（code.text）与检查方式（code.coding）');
  const codings = arrayAt(body.code.coding, 'ServiceRequest.code.coding');
  const k = codings.findIndex((c) => isObject(c) && c.system === systems.diagnosisModality);
  let modality: Modality | undefined;
  if (k >= 0) {
    const code = stringAt((codings[k] as Record<string, unknown>).code, `ServiceRequest.code.coding[${k}].code`);
    if (!code || !(modalities as readonly string[]).includes(code)) throw fail(`ServiceRequest.code.coding[${k}].code`, `检查方式应为 ${modalities.join('、')} 之一，收到 ${JSON.stringify(code ?? null)}`);
    modality = code as Modality;
  } else if (modalitiesByCenterType[centerType].length === 1) {
    modality = modalitiesByCenterType[centerType][0];
  } else {
    throw fail('ServiceRequest.code.coding', `请用 ${systems.diagnosisModality} 指明检查方式（${modalitiesByCenterType[centerType].join('、') || '该类型暂不受理'}）`);
  }
  const examType = stringAt(body.code.text, 'ServiceRequest.code.text')?.trim()
    || codings.map((c) => (isObject(c) && typeof c.display === 'string' && c.system !== systems.diagnosisModality ? c.display.trim() : '')).find((x) => x);

  const bodySites = arrayAt(body.bodySite, 'ServiceRequest.bodySite');
  const bodyPart = isObject(bodySites[0])
    ? stringAt(bodySites[0].text, 'ServiceRequest.bodySite[0].text')?.trim()
      || arrayAt(bodySites[0].coding, 'ServiceRequest.bodySite[0].coding').map((c) => (isObject(c) && typeof c.display === 'string' ? c.display : '')).find((x) => x)
    : undefined;
  const reasons = arrayAt(body.reasonCode, 'ServiceRequest.reasonCode');
  const clinicalQuestion = isObject(reasons[0]) ? stringAt(reasons[0].text, 'ServiceRequest.reasonCode[0].text') : undefined;
  const notes = arrayAt(body.note, 'ServiceRequest.note');
  const clinicalSummary = isObject(notes[0]) ? stringAt(notes[0].text, 'ServiceRequest.note[0].text') : undefined;

  // The JSON API's schema checks the fields (lengths, required texts); the centre id is resolved afterwards.
  const parsed = diagnosisRequestInputSchema.omit({ centerId: true }).safeParse({
    patientId, modality, examType: examType ?? '', bodyPart: bodyPart || undefined, urgency, clinicalQuestion: clinicalQuestion ?? '', clinicalSummary: clinicalSummary || undefined,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const expression = diagnosisRequestExpressions[String(issue.path[0])] ?? 'ServiceRequest';
    throw fail(expression, issue.message);
  }
  return { centerType, hostOrganizationId, requesterOrganizationId, fields: parsed.data };
}

// ---------------------------------------------------------------------------------------------------------------
// DiagnosticReport (in): a reader posts the report

/**
 * `POST [base]/DiagnosticReport` as a report write: basedOn = the one ServiceRequest, status preliminary or final,
 * conclusion = the impression, findings in a text/plain presentedForm (base64 `data`). A subject, when given, is
 * checked against the request by the caller.
 */
export function reportFromFhir(body: unknown): { requestId: string; subjectId: string | undefined; input: ReportInput } {
  if (!isObject(body)) throw invalid('请求体应为一个 FHIR DiagnosticReport 资源（JSON 对象）');
  if (body.resourceType !== 'DiagnosticReport') throw fail('DiagnosticReport.resourceType', `资源类型应为 "DiagnosticReport"，收到 ${JSON.stringify(body.resourceType ?? null)}`);
  const status = stringAt(body.status, 'DiagnosticReport.status');
  if (status !== 'preliminary' && status !== 'final') throw fail('DiagnosticReport.status', `应为 preliminary（初步报告）或 final（正式报告），收到 ${JSON.stringify(status ?? null)}`);
  const basedOn = arrayAt(body.basedOn, 'DiagnosticReport.basedOn');
  if (basedOn.length !== 1) throw fail('DiagnosticReport.basedOn', `应恰好引用一个诊断申请（ServiceRequest/<id>），收到 ${basedOn.length} 个`);
  const requestId = referenceIdAt(basedOn[0], 'DiagnosticReport.basedOn[0]', 'ServiceRequest');
  const subjectId = body.subject === undefined ? undefined : referenceIdAt(body.subject, 'DiagnosticReport.subject', 'Patient');
  const impression = stringAt(body.conclusion, 'DiagnosticReport.conclusion')?.trim();
  let findings: string | undefined;
  arrayAt(body.presentedForm, 'DiagnosticReport.presentedForm').forEach((f, i) => {
    if (findings !== undefined || !isObject(f)) return;
    const type = stringAt(f.contentType, `DiagnosticReport.presentedForm[${i}].contentType`) ?? '';
    if (!/^text\/plain\b/i.test(type)) return;
    const data = stringAt(f.data, `DiagnosticReport.presentedForm[${i}].data`);
    if (!data || !/^[A-Za-z0-9+/]+={0,2}$/.test(data.replace(/\s+/g, ''))) throw fail(`DiagnosticReport.presentedForm[${i}].data`, '应为 base64 编码的 UTF-8 文本（检查所见）');
    findings = Buffer.from(data, 'base64').toString('utf8').trim();
  });
  if (impression !== undefined && impression.length > 4000) throw fail('DiagnosticReport.conclusion', '诊断意见不能超过 4000 字');
  if (findings !== undefined && findings.length > 8000) throw fail('DiagnosticReport.presentedForm', '检查所见不能超过 8000 字');
  return { requestId, subjectId, input: compact<ReportInput>({ action: status, findings: findings || undefined, impression: impression || undefined }) };
}

/** The report service's field paths as DiagnosticReport elements. */
export const reportExpressions: Record<string, string> = {
  findings: 'DiagnosticReport.presentedForm',
  impression: 'DiagnosticReport.conclusion',
  templateId: 'DiagnosticReport',
};

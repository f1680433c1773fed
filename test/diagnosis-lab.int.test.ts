import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import {
  auditEvents, diagnosisAttachments, diagnosisEvents, diagnosisLabResults, diagnosisSpecimens, organizations, patients, users,
} from '../src/db/schema/index.js';
import type { CenterDto, DiagnosisRequestDto, LabAnalyteDto, LabDto, PatientDiagnosisReportDto } from '../src/contracts/diagnosis.js';
import type { Page } from '../src/shared/pagination.js';
import { isValidSpecimenBarcode } from '../src/modules/diagnosis/lab-barcode.js';
import { createTestApp, databaseKind, type TestApp } from './helpers/app.js';

/**
 * The lab center's barcode chain through the JSON API on the real app (PGlite, and PostgreSQL when DATABASE_URL is
 * set): specimens registered with unique barcodes (a unique index, raced for by parallel registrations), the lab's
 * receipt by id and by scan, result values kept as rows of the report version, and the patient's record.
 */
let t: TestApp;
let dataDir: string;
let patientId: string;
const ids: Record<string, string> = {};
const centers: Record<string, CenterDto> = {};

const api = (user: string) => t.as(user);
const json = <T>(res: { statusCode: number; body: string; json(): unknown }, status: number): T => {
  expect(res.statusCode, res.body).toBe(status);
  return res.json() as T;
};

async function createRequest(center: string, modality: string, examType: string, user = 'township.doctor'): Promise<DiagnosisRequestDto> {
  return json<DiagnosisRequestDto>(
    await api(user)({ method: 'POST', url: '/api/v1/diagnosis/requests', payload: { centerId: centers[center]!.id, patientId, modality, examType, urgency: 'routine', clinicalQuestion: '乏力、心悸 2 天' } }),
    201,
  );
}
const register = (requestId: string, specimens: unknown[], user = 'township.doctor') =>
  api(user)({ method: 'POST', url: `/api/v1/diagnosis/requests/${requestId}/specimens`, payload: { specimens } });
const attachmentRows = (requestId: string) => t.database.db.select().from(diagnosisAttachments).where(eq(diagnosisAttachments.requestId, requestId));
const specimenRows = (requestId: string) => t.database.db.select().from(diagnosisSpecimens).where(eq(diagnosisSpecimens.requestId, requestId));

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'yilian-diagnosis-lab-'));
  t = await createTestApp({ residents: 60, env: { YILIAN_DATA_DIR: dataDir, YILIAN_TOKEN_TTL_SECONDS: String(30 * 86_400) } });
  const db = t.database.db;
  const byName = async (username: string) => (await db.select().from(users).where(eq(users.username, username)))[0]!;
  for (const u of ['center.reader', 'township.doctor', 'village.doctor', 'county.specialist']) ids[u] = (await byName(u)).id;
  const countyOrg = (await db.select().from(organizations).where(eq(organizations.name, '长汀县总医院')))[0]!.id;
  const villageOrg = (await byName('village.doctor')).organizationId!;
  patientId = (await db.select().from(patients).where(eq(patients.managingOrganizationId, villageOrg)).limit(1))[0]!.id;
  for (const [type, name] of [['imaging', '长汀县影像诊断中心'], ['lab', '长汀县医学检验中心']] as const) {
    centers[type] = json<CenterDto>(await api('alliance.admin')({ method: 'POST', url: '/api/v1/diagnosis/centers', payload: { organizationId: countyOrg, type, name } }), 201);
    json(await api('alliance.admin')({ method: 'POST', url: `/api/v1/diagnosis/centers/${centers[type]!.id}/readers`, payload: { userId: ids['center.reader'] } }), 201);
  }
  json(await api('alliance.admin')({ method: 'POST', url: `/api/v1/diagnosis/centers/${centers['lab']!.id}/readers`, payload: { userId: ids['county.specialist'] } }), 201);
}, 180_000);

afterAll(async () => {
  await t?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe(`diagnosis lab on ${databaseKind}`, () => {
  it('runs on the database the suite was asked for', () => {
    if (process.env.YILIAN_EXPECT_DATABASE) expect(t.database.kind).toBe(process.env.YILIAN_EXPECT_DATABASE);
  });

  describe('specimens, receipt, results, the patient record', () => {
    let req: DiagnosisRequestDto;
    let lab: LabDto;

    it('the requester registers specimens: issued barcodes carry a check digit, an own barcode is kept; rows in diagnosis_specimens, labels a PDF', async () => {
      req = await createRequest('lab', 'LAB-PANEL', '急诊生化');
      lab = json<LabDto>(await register(req.id, [{ specimenType: '静脉血（血清）', container: '黄帽促凝管' }, { specimenType: '全血（EDTA）', barcode: 'own-000123' }]), 201);
      expect(lab.specimens.map((sp) => [sp.barcodeSource, sp.specimenType, sp.state])).toEqual([['issued', '静脉血（血清）', 'registered'], ['own', '全血（EDTA）', 'registered']]);
      const issued = lab.specimens[0]!.barcode;
      expect(issued).toMatch(/^\d{12}$/);
      expect(isValidSpecimenBarcode(issued)).toBe(true);
      expect(issued.slice(0, 9)).toBe(req.number.slice(-6).padStart(9, '0'));
      expect(lab.specimens[1]!.barcode).toBe('OWN-000123');
      const rows = await specimenRows(req.id);
      expect(rows.map((r) => [r.barcode, r.container, r.receivedAt])).toEqual(expect.arrayContaining([[issued, '黄帽促凝管', null], ['OWN-000123', null, null]]));
      expect(rows.every((r) => r.collectedBy === ids['township.doctor'] && r.labelAttachmentId === lab.specimens[0]!.labelAttachmentId)).toBe(true);
      const label = await api('township.doctor')({ url: `/api/v1/diagnosis/requests/${req.id}/attachments/${lab.specimens[0]!.labelAttachmentId}` });
      expect(label.statusCode).toBe(200);
      expect(label.headers['content-type']).toBe('application/pdf');
      expect(Buffer.from(label.rawPayload).subarray(0, 5).toString()).toBe('%PDF-');
    });

    it('barcodes are unique across requests: a taken own barcode is 409 naming it and nothing is stored; issued ones never repeat', async () => {
      const other = await createRequest('lab', 'LAB-PANEL', '血常规');
      const taken = await register(other.id, [{ specimenType: '全血' }, { specimenType: '全血', barcode: 'OWN-000123' }]);
      expect(taken.statusCode, taken.body).toBe(409);
      expect(taken.json().message).toContain('OWN-000123');
      expect(await attachmentRows(other.id)).toHaveLength(0);
      expect(await specimenRows(other.id)).toHaveLength(0);
      const twice = await register(other.id, [{ specimenType: '全血', barcode: 'AB-12345' }, { specimenType: '血清', barcode: 'ab-12345' }]);
      expect(twice.statusCode).toBe(400);
      const badFormat = await register(other.id, [{ specimenType: '全血', barcode: '12' }]);
      expect(badFormat.statusCode).toBe(400);
      const [a, b] = await Promise.all([register(other.id, [{ specimenType: '全血' }, { specimenType: '血清' }]), register(other.id, [{ specimenType: '尿液' }])]);
      expect([a.statusCode, b.statusCode]).toEqual([201, 201]);
      const all = json<LabDto>(await api('township.doctor')({ url: `/api/v1/diagnosis/requests/${other.id}/lab` }), 200).specimens.map((sp) => sp.barcode);
      expect(all).toHaveLength(3);
      expect(new Set([...all, ...lab.specimens.map((sp) => sp.barcode)]).size).toBe(5);
      expect((await register(other.id, [{ specimenType: '全血' }], 'center.reader')).statusCode).toBe(403);
      const imaging = await createRequest('imaging', 'DR', '胸部正位片');
      expect((await register(imaging.id, [{ specimenType: '全血' }])).statusCode).toBe(400);
    });

    it('eight registrations of one barcode on eight requests, released together: exactly one 201, seven 409', async () => {
      const requests = await Promise.all(Array.from({ length: 8 }, (_, i) => createRequest('lab', 'LAB-PANEL', `凝血四项 ${i + 1}`)));
      const call = api('township.doctor');
      await t.tokenFor('township.doctor');
      // A barrier: every registration waits on one promise, then all leave at once and race on the database's pool.
      let release!: () => void;
      const barrier = new Promise<void>((resolve) => { release = resolve; });
      const racing = requests.map(async (r) => {
        await barrier;
        return call({ method: 'POST', url: `/api/v1/diagnosis/requests/${r.id}/specimens`, payload: { specimens: [{ specimenType: '枸橼酸钠抗凝血', barcode: 'RACE-0001' }] } });
      });
      release();
      const results = await Promise.all(racing);
      const codes = results.map((x) => x.statusCode);
      expect(codes.filter((c) => c === 201)).toHaveLength(1);
      expect(codes.filter((c) => c === 409)).toHaveLength(7);
      for (const loser of results.filter((x) => x.statusCode === 409)) expect(loser.json().message).toContain('RACE-0001');
      const holders = await t.database.db.select().from(diagnosisSpecimens).where(eq(diagnosisSpecimens.barcode, 'RACE-0001'));
      expect(holders).toHaveLength(1);
      const winner = requests[codes.indexOf(201)]!;
      expect(holders[0]!.requestId).toBe(winner.id);
      // The losers' label sheets were rolled back with them.
      for (const r of requests.filter((x) => x.id !== winner.id)) expect(await attachmentRows(r.id)).toHaveLength(0);
    });

    it('a lab reader receives a specimen once (by id, then by scanning the barcode); twice is 409; others may not', async () => {
      const first = lab.specimens[0]!;
      expect((await api('township.doctor')({ method: 'POST', url: `/api/v1/diagnosis/requests/${req.id}/specimens/${first.id}/receive` })).statusCode).toBe(403);
      expect((await api('village.doctor')({ method: 'POST', url: `/api/v1/diagnosis/requests/${req.id}/specimens/${first.id}/receive` })).statusCode).toBe(403);
      expect((await api('center.reader')({ method: 'POST', url: `/api/v1/diagnosis/requests/${req.id}/specimens/nope/receive` })).statusCode).toBe(404);
      lab = json<LabDto>(await api('center.reader')({ method: 'POST', url: `/api/v1/diagnosis/requests/${req.id}/specimens/${first.id}/receive` }), 200);
      expect(lab.specimens[0]).toMatchObject({ id: first.id, state: 'received', receivedAt: expect.any(String), receivedByName: expect.any(String) });
      const again = await api('county.specialist')({ method: 'POST', url: `/api/v1/diagnosis/requests/${req.id}/specimens/${first.id}/receive` });
      expect(again.statusCode, again.body).toBe(409);
      expect(again.json().message).toContain(first.barcode);

      const scanned = json<LabDto & { requestId: string; specimenId: string }>(await api('county.specialist')({ method: 'POST', url: '/api/v1/diagnosis/specimens/receive', payload: { barcode: 'own-000123' } }), 200);
      expect(scanned).toMatchObject({ requestId: req.id, requestNumber: req.number, specimenId: lab.specimens[1]!.id });
      expect(scanned.specimens.map((sp) => sp.state)).toEqual(['received', 'received']);
      expect((await api('county.specialist')({ method: 'POST', url: '/api/v1/diagnosis/specimens/receive', payload: { barcode: 'OWN-000123' } })).statusCode).toBe(409);
      expect((await api('county.specialist')({ method: 'POST', url: '/api/v1/diagnosis/specimens/receive', payload: { barcode: 'NOT-A-SPECIMEN' } })).statusCode).toBe(404);
      expect((await api('county.specialist')({ method: 'POST', url: '/api/v1/diagnosis/specimens/receive', payload: { barcode: '1' } })).statusCode).toBe(400);
      // A requester has no center: the scan is refused before any lookup.
      expect((await api('township.doctor')({ method: 'POST', url: '/api/v1/diagnosis/specimens/receive', payload: { barcode: 'RACE-0001' } })).statusCode).toBe(403);
      const receipts = await t.database.db.select().from(diagnosisEvents).where(and(eq(diagnosisEvents.requestId, req.id), eq(diagnosisEvents.action, 'specimen-received')));
      expect(receipts.map((e) => (e.detail as { barcode: string }).barcode).sort()).toEqual([first.barcode, 'OWN-000123'].sort());
    });

    it('the analyte table is served for the result grid', async () => {
      const { items } = json<{ items: LabAnalyteDto[] }>(await api('center.reader')({ url: '/api/v1/diagnosis/lab/analytes' }), 200);
      expect(items.find((a) => a.code === 'K')).toMatchObject({ loinc: '2823-3', unit: 'mmol/L', low: 3.5, high: 5.3 });
    });

    it('the lab center reports values: rows of the report version, flags computed (HH, N, L); the critical result goes the critical-value path', async () => {
      json(await api('center.reader')({ method: 'POST', url: `/api/v1/diagnosis/requests/${req.id}/claim` }), 200);
      const unknownSpecimen = await api('center.reader')({ method: 'POST', url: `/api/v1/diagnosis/requests/${req.id}/report`, payload: { action: 'final', impression: '高钾血症', labResults: [{ code: 'K', value: '6.8', specimenBarcode: '999999999999' }] } });
      expect(unknownSpecimen.statusCode).toBe(400);
      expect(unknownSpecimen.json().path).toBe('labResults[0].specimenBarcode');
      const badRange = await api('center.reader')({ method: 'POST', url: `/api/v1/diagnosis/requests/${req.id}/report`, payload: { action: 'final', impression: 'x', labResults: [{ code: 'K', value: '4', referenceLow: 6, referenceHigh: 3 }] } });
      expect(badRange.statusCode).toBe(400);
      expect(await t.database.db.select().from(diagnosisLabResults).where(eq(diagnosisLabResults.requestId, req.id))).toHaveLength(0);
      const results = [
        { code: 'K', value: '6.8', specimenBarcode: lab.specimens[0]!.barcode, flag: 'H' },
        { code: '2345-7', value: '5.0' },
        { code: 'NA', value: '130' },
        { code: 'HBSAG', name: '乙肝表面抗原', value: '阴性', referenceText: '阴性' },
      ];
      const done = json<DiagnosisRequestDto>(await api('center.reader')({ method: 'POST', url: `/api/v1/diagnosis/requests/${req.id}/report`, payload: { action: 'final', impression: '高钾血症，低钠血症', labResults: results } }), 200);
      expect(done.status).toBe('completed');
      expect(done.report?.findings).toContain('血钾（LOINC 2823-3）：6.8 mmol/L ↑↑（危急值）');
      expect(done.report?.labResults?.map((r) => r.flag)).toEqual(['HH', 'N', 'L', null]);
      lab = json<LabDto>(await api('township.doctor')({ url: `/api/v1/diagnosis/requests/${req.id}/lab` }), 200);
      expect(lab.reportVersion).toBe(1);
      expect(lab.results.map((r) => [r.code, r.loinc ?? null, r.flag])).toEqual([['K', '2823-3', 'HH'], ['GLU', '2345-7', 'N'], ['NA', '2951-2', 'L'], ['HBSAG', null, null]]);
      expect(lab.results[0]).toMatchObject({ unit: 'mmol/L', referenceRange: '3.5–5.3', referenceLow: 3.5, referenceHigh: 5.3, specimenBarcode: lab.specimens[0]!.barcode });
      const rows = await t.database.db.select().from(diagnosisLabResults).where(eq(diagnosisLabResults.requestId, req.id));
      expect(rows.find((r) => r.analyteCode === 'K')).toMatchObject({ valueNumeric: 6.8, flag: 'HH', loinc: '2823-3' });
      expect(rows.find((r) => r.analyteCode === 'HBSAG')).toMatchObject({ valueNumeric: null, valueText: '阴性' });
      // Results are clinical data of the version, not of the timeline.
      const writes = await t.database.db.select().from(diagnosisEvents).where(and(eq(diagnosisEvents.requestId, req.id), eq(diagnosisEvents.action, 'finalize')));
      expect(JSON.stringify(writes.map((e) => e.detail))).not.toContain('labResults');
      expect(lab.criticalFinding).toContain('血钾 6.8 mmol/L');
      const cv = await api('center.reader')({ method: 'POST', url: `/api/v1/diagnosis/requests/${req.id}/critical-values`, payload: { finding: lab.criticalFinding } });
      expect(cv.statusCode, cv.body).toBe(201);
      const onImaging = await createRequest('imaging', 'DR', '胸部正位片');
      json(await api('center.reader')({ method: 'POST', url: `/api/v1/diagnosis/requests/${onImaging.id}/claim` }), 200);
      const wrongCenter = await api('center.reader')({ method: 'POST', url: `/api/v1/diagnosis/requests/${onImaging.id}/report`, payload: { action: 'final', findings: 'x', impression: 'y', labResults: [{ code: 'K', value: '4' }] } });
      expect(wrongCenter.statusCode).toBe(400);
      expect(wrongCenter.json().path).toBe('labResults');
      expect((await api('village.doctor')({ url: `/api/v1/diagnosis/requests/${req.id}/lab` })).statusCode).toBe(403);
    });

    it('an amendment appends a version with its own values; one without values carries the earlier ones; each version lists its values', async () => {
      const amended = json<DiagnosisRequestDto>(await api('center.reader')({ method: 'POST', url: `/api/v1/diagnosis/requests/${req.id}/report/amend`, payload: { reason: '复测血钾', findings: '复测血钾 5.9 mmol/L', impression: '高钾血症', labResults: [{ code: 'K', value: '5.9' }] } }), 200);
      expect(amended.report?.versions.map((v) => [v.version, v.labResults?.map((r) => `${r.code}:${r.value}:${r.flag}`)])).toEqual([
        [1, ['K:6.8:HH', 'GLU:5.0:N', 'NA:130:L', 'HBSAG:阴性:null']],
        [2, ['K:5.9:H']],
      ]);
      const textOnly = json<DiagnosisRequestDto>(await api('center.reader')({ method: 'POST', url: `/api/v1/diagnosis/requests/${req.id}/report/amend`, payload: { reason: '更正错字', findings: '复测血钾 5.9 mmol/L。', impression: '高钾血症' } }), 200);
      expect(textOnly.report?.versions.at(-1)).toMatchObject({ version: 3, labResults: [{ code: 'K', value: '5.9', flag: 'H' }] });
      const seen = json<LabDto>(await api('township.doctor')({ url: `/api/v1/diagnosis/requests/${req.id}/lab` }), 200);
      expect(seen).toMatchObject({ reportVersion: 3, criticalFinding: null, results: [{ code: 'K', value: '5.9' }] });
    });

    it('the final report is filed in the patient’s record, for whoever may read the patient; others get 403', async () => {
      const page = json<Page<PatientDiagnosisReportDto>>(await api('township.doctor')({ url: `/api/v1/patients/${patientId}/diagnosis-reports?pageSize=10` }), 200);
      const item = page.items.find((i) => i.requestId === req.id);
      expect(item).toMatchObject({ requestNumber: req.number, centerType: 'lab', status: 'amended', hasCriticalValue: true, authorName: expect.any(String) });
      expect(page.items.every((i) => ['final', 'amended'].includes(i.status))).toBe(true);
      expect((await api('admin')({ url: `/api/v1/patients/${patientId}/diagnosis-reports` })).statusCode).toBe(403);
      const audited = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.resourceType, 'Patient'), eq(auditEvents.resourceId, patientId), eq(auditEvents.outcome, 'denied')));
      expect(audited.length).toBeGreaterThan(0);
    });
  });
});

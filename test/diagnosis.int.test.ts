import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, asc, eq, like } from 'drizzle-orm';
import {
  auditEvents, deadlineEscalations, deadlines, diagnosisCriticalLog, diagnosisEvents, diagnosisReportVersions, notifications, organizations, patients,
  userRoles, users,
} from '../src/db/schema/index.js';
import type { CenterDto, CriticalValueDto, DiagnosisListItemDto, DiagnosisRequestDto, ReaderDto } from '../src/contracts/diagnosis.js';
import { hashPassword } from '../src/modules/identity/index.js';
import { formatEcgJson, generateSyntheticEcg } from '../src/modules/diagnosis/media/index.js';
import { newId } from '../src/shared/ids.js';
import { createTestApp, databaseKind, DEMO_PASSWORD, type TestApp } from './helpers/app.js';

/**
 * Shared diagnosis centers through the JSON API on the real app and database (PGlite, and PostgreSQL when
 * DATABASE_URL is set): center administration, a township request with an ECG file, roster assignment, exclusive
 * claims, QC return and resubmission, the report with second-reader sign-off and amendments, critical values with
 * read-back, and deadlines on a driven clock.
 */
let t: TestApp;
let dataDir: string;
let countyOrg: string;
let townshipOrg: string;
let villageOrg: string;
let patientId: string;
let villagePatientId: string;
const ids: Record<string, string> = {};
const MIN = 60_000;
let ecg: CenterDto;
let imaging: CenterDto;
const readers: Record<string, ReaderDto> = {};
/** Extra readers for the concurrency test. */
const extraReaders = ['reader.c1', 'reader.c2', 'reader.c3', 'reader.c4', 'reader.c5', 'reader.c6'];

const api = (user: string) => t.as(user);
const json = <T>(res: { statusCode: number; body: string; json(): unknown }, status: number): T => {
  expect(res.statusCode, res.body).toBe(status);
  return res.json() as T;
};
const cst = (day: string, hhmm: string) => new Date(`${day}T${hhmm}:00+08:00`).toISOString();

async function addUser(username: string, displayName: string, hash: string): Promise<string> {
  const id = newId();
  await t.database.db.insert(users).values({ id, username, displayName, passwordHash: hash, organizationId: countyOrg });
  await t.database.db.insert(userRoles).values({ userId: id, role: 'center-reader' });
  return id;
}

async function createRequest(user: string, over: Record<string, unknown> = {}): Promise<DiagnosisRequestDto> {
  const res = await api(user)({
    method: 'POST', url: '/api/v1/diagnosis/requests',
    payload: { centerId: ecg.id, patientId, modality: 'ECG-12', examType: '常规十二导联心电图', urgency: 'emergency', clinicalQuestion: '胸痛 1 小时，排除急性心梗', ...over },
  });
  return json<DiagnosisRequestDto>(res, 201);
}

const notificationsOf = async (userId: string, likeKey: string) =>
  t.database.db.select().from(notifications).where(and(eq(notifications.recipientUserId, userId), like(notifications.dedupeKey, likeKey)));

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'yilian-diagnosis-'));
  t = await createTestApp({ residents: 150, env: { YILIAN_DATA_DIR: dataDir, YILIAN_TOKEN_TTL_SECONDS: String(30 * 86_400) } });
  const db = t.database.db;
  const byName = async (username: string) => (await db.select().from(users).where(eq(users.username, username)))[0]!;
  for (const u of ['center.reader', 'township.doctor', 'village.doctor', 'alliance.admin', 'county.specialist', 'referral.desk']) ids[u] = (await byName(u)).id;
  const [county] = await db.select().from(organizations).where(eq(organizations.name, '长汀县总医院'));
  countyOrg = county!.id;
  townshipOrg = (await byName('township.doctor')).organizationId!;
  villageOrg = (await byName('village.doctor')).organizationId!;
  // Patients of the village clinic the township center supervises (乡村一体化): the township doctor may request for them.
  const villagers = await db.select().from(patients).where(eq(patients.managingOrganizationId, villageOrg)).limit(2);
  patientId = villagers[0]!.id;
  villagePatientId = villagers[1]!.id;
  const hash = await hashPassword(DEMO_PASSWORD);
  ids['reader.two'] = await addUser('reader.two', '第二读片医师', hash);
  for (const u of extraReaders) ids[u] = await addUser(u, `读片医师 ${u}`, hash);
}, 180_000);

afterAll(async () => {
  await t?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe(`diagnosis centers on ${databaseKind}`, () => {
  it('runs on the database the suite was asked for', () => {
    if (process.env.YILIAN_EXPECT_DATABASE) expect(t.database.kind).toBe(process.env.YILIAN_EXPECT_DATABASE);
  });

  describe('center administration', () => {
    it('the alliance admin creates centers of the county hospital; others may not; one center per type and host', async () => {
      ecg = json<CenterDto>(await api('alliance.admin')({ method: 'POST', url: '/api/v1/diagnosis/centers', payload: { organizationId: countyOrg, type: 'ecg', name: '长汀县远程心电诊断中心', reportHeader: '长汀县总医院 远程心电诊断中心' } }), 201);
      expect(ecg).toMatchObject({ type: 'ecg', memberMode: 'alliance', requiresSecondSignoff: false, organizationName: '长汀县总医院' });
      imaging = json<CenterDto>(await api('alliance.admin')({ method: 'POST', url: '/api/v1/diagnosis/centers', payload: { organizationId: countyOrg, type: 'imaging', name: '长汀县影像诊断中心', requiresSecondSignoff: true } }), 201);
      const dup = await api('alliance.admin')({ method: 'POST', url: '/api/v1/diagnosis/centers', payload: { organizationId: countyOrg, type: 'ecg', name: '重复' } });
      expect(dup.statusCode, dup.body).toBe(409);
      expect(dup.json().message).toMatch(/已有心电诊断中心/);
      const byDoctor = await api('township.doctor')({ method: 'POST', url: '/api/v1/diagnosis/centers', payload: { organizationId: countyOrg, type: 'lab', name: '检验' } });
      expect(byDoctor.statusCode).toBe(403);
      const bad = await api('alliance.admin')({ method: 'POST', url: '/api/v1/diagnosis/centers', payload: { organizationId: countyOrg, type: 'radiology', name: 'x' } });
      expect(bad.statusCode).toBe(400);
      expect(bad.body).toContain('type');
      const listed = await api('alliance.admin')({ method: 'POST', url: '/api/v1/diagnosis/centers', payload: { organizationId: countyOrg, type: 'pathology', name: '病理', memberMode: 'listed', memberOrganizationIds: ['nope'] } });
      expect(listed.statusCode).toBe(400);
      expect(listed.json().path).toBe('memberOrganizationIds[0]');
    });

    it('adds readers (host staff only), a roster with a duty head, and templates', async () => {
      const add = async (center: CenterDto, user: string, specialties: string[] = []) =>
        json<ReaderDto>(await api('alliance.admin')({ method: 'POST', url: `/api/v1/diagnosis/centers/${center.id}/readers`, payload: { userId: ids[user], specialties } }), 201);
      readers['ecg:center.reader'] = await add(ecg, 'center.reader', ['ECG-12']);
      readers['ecg:reader.two'] = await add(ecg, 'reader.two');
      readers['imaging:center.reader'] = await add(imaging, 'center.reader');
      readers['imaging:reader.two'] = await add(imaging, 'reader.two');
      for (const u of extraReaders) readers[`imaging:${u}`] = await add(imaging, u);
      const outsider = await api('alliance.admin')({ method: 'POST', url: `/api/v1/diagnosis/centers/${ecg.id}/readers`, payload: { userId: ids['township.doctor'] } });
      expect(outsider.statusCode).toBe(400);
      expect(outsider.json().path).toBe('userId');
      // Sunday 2026-11-22, 08:00–20:00 in Beijing: the clock starts at 10:00.
      const shift = (readerId: string, role: string) => api('alliance.admin')({ method: 'POST', url: `/api/v1/diagnosis/centers/${ecg.id}/roster`, payload: { readerId, date: '2026-11-22', startsAt: cst('2026-11-22', '08:00'), endsAt: cst('2026-11-22', '20:00'), role } });
      json(await shift(readers['ecg:center.reader']!.id, 'reader'), 201);
      json(await shift(readers['ecg:reader.two']!.id, 'duty-head'), 201);
      expect((await shift(readers['ecg:reader.two']!.id, 'reader')).statusCode).toBe(409);
      const wrongDay = await api('alliance.admin')({ method: 'POST', url: `/api/v1/diagnosis/centers/${ecg.id}/roster`, payload: { readerId: readers['ecg:center.reader']!.id, date: '2026-11-23', startsAt: cst('2026-11-22', '20:00'), endsAt: cst('2026-11-22', '23:00') } });
      expect(wrongDay.statusCode).toBe(400);
      expect(wrongDay.json().path).toBe('startsAt');
      const roster = json<unknown[]>(await api('center.reader')({ url: `/api/v1/diagnosis/centers/${ecg.id}/roster?from=2026-11-22&to=2026-11-22` }), 200);
      expect(roster).toHaveLength(2);
      json(await api('alliance.admin')({ method: 'POST', url: `/api/v1/diagnosis/centers/${ecg.id}/templates`, payload: { examType: '常规十二导联心电图', modality: 'ECG-12', name: '正常心电图', findings: '窦性心律，心率 75 次/分，各导联 ST-T 未见异常。', impression: '正常心电图' } }), 201);
    });

    it('turnaround settings are the host’s deadline-policy overrides (domain.md §3 defaults)', async () => {
      const defaults = json<{ urgency: string; minutes: number; source: string; step: string }[]>(await api('alliance.admin')({ url: `/api/v1/diagnosis/centers/${ecg.id}/deadlines` }), 200);
      expect(defaults.map((d) => [d.step, d.urgency, d.minutes, d.source])).toEqual([
        ['ecg-report', 'routine', 480, 'default'], ['ecg-report', 'urgent', 30, 'default'], ['ecg-report', 'emergency', 30, 'default'],
      ]);
      const set = json<{ urgency: string; minutes: number; source: string }[]>(await api('alliance.admin')({ method: 'PUT', url: `/api/v1/diagnosis/centers/${ecg.id}/deadlines`, payload: { urgency: 'routine', minutes: 240 } }), 200);
      expect(set.find((d) => d.urgency === 'routine')).toMatchObject({ minutes: 240, source: 'center' });
      expect((await api('township.doctor')({ method: 'PUT', url: `/api/v1/diagnosis/centers/${ecg.id}/deadlines`, payload: { urgency: 'routine', minutes: 10 } })).statusCode).toBe(403);
      const reset = json<{ urgency: string; minutes: number; source: string }[]>(await api('alliance.admin')({ method: 'DELETE', url: `/api/v1/diagnosis/centers/${ecg.id}/deadlines/routine` }), 200);
      expect(reset.find((d) => d.urgency === 'routine')).toMatchObject({ minutes: 480, source: 'default' });
    });
  });

  describe('an emergency ECG from the township: request → claim → critical value → report', () => {
    let req: DiagnosisRequestDto;
    let critical: CriticalValueDto;
    // A real yilian-ecg file: uploads are parsed (docs/ecg-format.md), a malformed one is refused.
    const ecgFile = Buffer.from(formatEcgJson(generateSyntheticEcg({ seed: 'diagnosis-int', durationS: 4, samplingRateHz: 250 })));

    it('refuses bad input naming the field, and patients the requester may not see', async () => {
      const bad = await api('township.doctor')({ method: 'POST', url: '/api/v1/diagnosis/requests', payload: { centerId: ecg.id, patientId, modality: 'CT', examType: 'x', urgency: 'emergency', clinicalQuestion: 'q' } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().path).toBe('modality');
      const missing = await api('township.doctor')({ method: 'POST', url: '/api/v1/diagnosis/requests', payload: { centerId: ecg.id, patientId, modality: 'ECG-12', examType: 'x', urgency: 'emergency' } });
      expect(missing.statusCode).toBe(400);
      expect(missing.body).toContain('clinicalQuestion');
      const reader = await api('center.reader')({ method: 'POST', url: '/api/v1/diagnosis/requests', payload: { centerId: ecg.id, patientId, modality: 'ECG-12', examType: 'x', urgency: 'emergency', clinicalQuestion: 'q' } });
      expect(reader.statusCode).toBe(403);
    });

    it('the request starts the 30-minute clock and the roster assigns the on-duty ECG reader', async () => {
      req = await createRequest('township.doctor');
      expect(req).toMatchObject({ status: 'requested', urgency: 'emergency', assignedUserId: ids['center.reader'], claimedBy: null, requester: { organizationId: townshipOrg } });
      expect(req.number).toMatch(/^DX-20261122-\d{6}$/);
      expect(req.deadline).toMatchObject({ step: 'ecg-report', dueAt: new Date(t.clock.now().getTime() + 30 * MIN).toISOString(), overdue: false });
      expect(req.allowedActions).toContain('upload');
      expect(await notificationsOf(ids['center.reader']!, `diagnosis:${req.id}:queued:%`)).toHaveLength(1);
      const audit = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.resourceType, 'DiagnosisRequest'), eq(auditEvents.resourceId, req.id)));
      expect(audit.map((a) => a.action)).toContain('create');
    });

    it('the requester uploads the waveform; size and SHA-256 come from the bytes; the reader downloads it', async () => {
      const res = await api('township.doctor')({ method: 'POST', url: `/api/v1/diagnosis/requests/${req.id}/attachments?kind=ecg&fileName=${encodeURIComponent('心电图.json')}`, payload: ecgFile as unknown as string, headers: { 'content-type': 'application/octet-stream' } });
      const a = json<{ id: string; sizeBytes: number; sha256: string; fileName: string }>(res, 201);
      expect(a).toMatchObject({ sizeBytes: ecgFile.length, sha256: createHash('sha256').update(ecgFile).digest('hex'), fileName: '心电图.json' });
      const down = await api('center.reader')({ url: `/api/v1/diagnosis/requests/${req.id}/attachments/${a.id}` });
      expect(down.statusCode).toBe(200);
      expect(Buffer.from(down.rawPayload).equals(ecgFile)).toBe(true);
      const wrongKind = await api('township.doctor')({ method: 'POST', url: `/api/v1/diagnosis/requests/${req.id}/attachments?kind=dicom&fileName=a.dcm`, payload: ecgFile as unknown as string, headers: { 'content-type': 'application/dicom' } });
      expect(wrongKind.statusCode).toBe(400);
      expect(wrongKind.json().path).toBe('kind');
      const byReader = await api('center.reader')({ method: 'POST', url: `/api/v1/diagnosis/requests/${req.id}/attachments?kind=ecg&fileName=a.json`, payload: ecgFile as unknown as string, headers: { 'content-type': 'application/octet-stream' } });
      expect(byReader.statusCode).toBe(403);
    });

    it('another facility sees nothing (403 on by-id, attachment and list); the reader sees it on the worklist', async () => {
      expect((await api('village.doctor')({ url: `/api/v1/diagnosis/requests/${req.id}` })).statusCode).toBe(403);
      expect((await api('village.doctor')({ url: `/api/v1/diagnosis/requests/${req.id}/timeline` })).statusCode).toBe(403);
      const sent = json<{ items: DiagnosisListItemDto[] }>(await api('village.doctor')({ url: '/api/v1/diagnosis/requests?view=sent' }), 200);
      expect(sent.items.map((i) => i.id)).not.toContain(req.id);
      expect((await api('village.doctor')({ url: '/api/v1/diagnosis/requests?view=worklist' })).statusCode).toBe(403);
      const denied = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.resourceId, req.id), eq(auditEvents.outcome, 'denied')));
      expect(denied.length).toBeGreaterThan(0);
      const work = json<{ items: DiagnosisListItemDto[] }>(await api('center.reader')({ url: `/api/v1/diagnosis/requests?view=worklist&centerId=${ecg.id}&assigned=me` }), 200);
      expect(work.items.map((i) => i.id)).toContain(req.id);
      // The reader may read the patient of the request (access basis diagnosis-request).
      expect((await api('center.reader')({ url: `/api/v1/patients/${patientId}` })).statusCode).toBe(200);
    });

    it('a claim is exclusive: the other reader is told who holds it', async () => {
      const other = await api('reader.two')({ method: 'POST', url: `/api/v1/diagnosis/requests/${req.id}/claim` });
      expect(other.statusCode).toBe(409);
      expect(other.json().message).toMatch(/已分配给/);
      req = json<DiagnosisRequestDto>(await api('center.reader')({ method: 'POST', url: `/api/v1/diagnosis/requests/${req.id}/claim` }), 200);
      expect(req).toMatchObject({ status: 'in-progress', claimedBy: ids['center.reader'] });
      const again = await api('reader.two')({ method: 'POST', url: `/api/v1/diagnosis/requests/${req.id}/claim` });
      expect(again.statusCode).toBe(409);
      expect(again.json().message).toMatch(/已被 .+ 认领/);
      expect((await api('township.doctor')({ method: 'POST', url: `/api/v1/diagnosis/requests/${req.id}/claim` })).statusCode).toBe(403);
    });

    it('QC returns it for a retake (clock paused); the requester resubmits (clock resumes)', async () => {
      const noReason = await api('center.reader')({ method: 'POST', url: `/api/v1/diagnosis/requests/${req.id}/qc`, payload: { decision: 'return' } });
      expect(noReason.statusCode).toBe(400);
      expect(noReason.json().path).toBe('reason');
      req = json<DiagnosisRequestDto>(await api('center.reader')({ method: 'POST', url: `/api/v1/diagnosis/requests/${req.id}/qc`, payload: { decision: 'return', reason: 'V1–V3 导联脱落，请重新采集' } }), 200);
      expect(req).toMatchObject({ status: 'returned', imageQuality: 'returned', returnReason: 'V1–V3 导联脱落，请重新采集', claimedBy: null });
      expect(req.deadline?.state).toBe('paused');
      expect(await notificationsOf(ids['township.doctor']!, `diagnosis:${req.id}:qc-return:%`)).toHaveLength(1);
      t.clock.advance(10 * MIN);
      req = json<DiagnosisRequestDto>(await api('township.doctor')({ method: 'POST', url: `/api/v1/diagnosis/requests/${req.id}/resubmit`, payload: { note: '已重新采集' } }), 200);
      expect(req).toMatchObject({ status: 'requested', resubmitCount: 1, imageQuality: null, assignedUserId: ids['center.reader'] });
      expect(req.deadline).toMatchObject({ state: 'running', dueAt: new Date(t.clock.now().getTime() + 30 * MIN).toISOString() });
      req = json<DiagnosisRequestDto>(await api('center.reader')({ method: 'POST', url: `/api/v1/diagnosis/requests/${req.id}/claim` }), 200);
      req = json<DiagnosisRequestDto>(await api('center.reader')({ method: 'POST', url: `/api/v1/diagnosis/requests/${req.id}/qc`, payload: { decision: 'accept' } }), 200);
      expect(req.imageQuality).toBe('accepted');
    });

    it('a critical value alerts the requesting facility at once; it acknowledges with read-back once', async () => {
      critical = json<CriticalValueDto>(await api('center.reader')({ method: 'POST', url: `/api/v1/diagnosis/requests/${req.id}/critical-values`, payload: { finding: 'V1–V4 导联 ST 段抬高 0.3 mV，考虑急性前壁心肌梗死' } }), 201);
      expect(critical).toMatchObject({ state: 'open', deadline: { step: 'critical-value-ack', dueAt: new Date(t.clock.now().getTime() + 15 * MIN).toISOString() } });
      expect(await notificationsOf(ids['township.doctor']!, `diagnosis-critical:${critical.id}:flagged:%`)).toHaveLength(1);
      const open = json<{ items: CriticalValueDto[] }>(await api('township.doctor')({ url: '/api/v1/diagnosis/critical-values' }), 200);
      expect(open.items.map((c) => c.id)).toContain(critical.id);
      expect((await api('center.reader')({ method: 'POST', url: `/api/v1/diagnosis/critical-values/${critical.id}/acknowledge`, payload: { receivedBy: '张医生', readBack: 'ST 段抬高', actionTaken: '已处置' } })).statusCode).toBe(403);
      const noReadBack = await api('township.doctor')({ method: 'POST', url: `/api/v1/diagnosis/critical-values/${critical.id}/acknowledge`, payload: { receivedBy: '张医生', actionTaken: '已处置' } });
      expect(noReadBack.statusCode).toBe(400);
      expect(noReadBack.body).toContain('readBack');
      t.clock.advance(5 * MIN);
      critical = json<CriticalValueDto>(await api('township.doctor')({
        method: 'POST', url: `/api/v1/diagnosis/critical-values/${critical.id}/acknowledge`,
        payload: { receivedBy: '河田卫生院 张医生', readBack: 'V1 到 V4 导联 ST 段抬高 0.3 毫伏，急性前壁心梗', actionTaken: '嚼服阿司匹林 300 mg，联系 120 转县总医院胸痛中心' },
      }), 200);
      expect(critical).toMatchObject({ state: 'acknowledged', receivedBy: '河田卫生院 张医生', acknowledgedAt: t.clock.now().toISOString(), deadline: null });
      expect(critical.log.map((l) => l.kind)).toEqual(['flagged', 'notified', 'acknowledged']);
      const twice = await api('township.doctor')({ method: 'POST', url: `/api/v1/diagnosis/critical-values/${critical.id}/acknowledge`, payload: { receivedBy: 'x', readBack: 'xx', actionTaken: 'x' } });
      expect(twice.statusCode).toBe(409);
      expect(await notificationsOf(ids['center.reader']!, `diagnosis-critical:${critical.id}:acknowledged:%`)).toHaveLength(1);
      const met = await t.database.db.select().from(deadlines).where(eq(deadlines.subjectId, critical.id));
      expect(met[0]?.state).toBe('met');
    });

    it('the final report from a template completes the request, meets the deadline and goes back to the requester', async () => {
      const tpl = json<{ id: string }[]>(await api('center.reader')({ url: `/api/v1/diagnosis/centers/${ecg.id}/templates` }), 200);
      const prelim = json<DiagnosisRequestDto>(await api('center.reader')({ method: 'POST', url: `/api/v1/diagnosis/requests/${req.id}/report`, payload: { action: 'preliminary', templateId: tpl[0]!.id, impression: '急性前壁 ST 段抬高型心肌梗死（初步）' } }), 200);
      expect(prelim.status).toBe('preliminary');
      expect(prelim.report).toMatchObject({ status: 'preliminary', findings: expect.stringContaining('窦性心律') });
      req = json<DiagnosisRequestDto>(await api('center.reader')({ method: 'POST', url: `/api/v1/diagnosis/requests/${req.id}/report`, payload: { action: 'final', findings: '窦性心律，V1–V4 导联 ST 段抬高 0.3 mV。', impression: '急性前壁 ST 段抬高型心肌梗死' } }), 200);
      expect(req).toMatchObject({ status: 'completed', report: { status: 'final', version: 2 } });
      expect(req.deadline).toBeNull();
      const d = (await t.database.db.select().from(deadlines).where(and(eq(deadlines.subjectId, req.id), eq(deadlines.step, 'ecg-report'))))[0]!;
      expect(d.state).toBe('met');
      expect(await notificationsOf(ids['township.doctor']!, `diagnosis:${req.id}:finalize:%`)).toHaveLength(1);
      const seen = json<DiagnosisRequestDto>(await api('township.doctor')({ url: `/api/v1/diagnosis/requests/${req.id}` }), 200);
      expect(seen.report).toMatchObject({ status: 'final', impression: '急性前壁 ST 段抬高型心肌梗死' });
      const pdf = await api('township.doctor')({ url: `/api/v1/diagnosis/requests/${req.id}/report.pdf` });
      expect(pdf.statusCode, pdf.body.slice(0, 200)).toBe(200);
      expect(pdf.headers['content-type']).toBe('application/pdf');
      expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
      expect((await api('village.doctor')({ url: `/api/v1/diagnosis/requests/${req.id}/report.pdf` })).statusCode).toBe(403);
      const illegal = await api('township.doctor')({ method: 'POST', url: `/api/v1/diagnosis/requests/${req.id}/cancel`, payload: { reason: '不需要了' } });
      expect(illegal.statusCode).toBe(409);
      expect(illegal.json().message).toContain('completed');
    });

    it('an amendment appends a version; every version stays readable', async () => {
      const amended = json<DiagnosisRequestDto>(await api('reader.two')({ method: 'POST', url: `/api/v1/diagnosis/requests/${req.id}/report/amend`, payload: { findings: '窦性心律，V1–V5 导联 ST 段抬高 0.3 mV。', impression: '急性广泛前壁 ST 段抬高型心肌梗死', reason: '补充 V5 导联' } }), 200);
      expect(amended.report?.status).toBe('amended');
      const seen = json<DiagnosisRequestDto>(await api('township.doctor')({ url: `/api/v1/diagnosis/requests/${req.id}` }), 200);
      expect(seen.report?.versions.map((v) => v.status)).toEqual(['preliminary', 'final', 'amended']);
      expect(seen.report?.versions[1]?.impression).toBe('急性前壁 ST 段抬高型心肌梗死');
      const rows = await t.database.db.select().from(diagnosisReportVersions).orderBy(asc(diagnosisReportVersions.version));
      expect(rows.filter((r) => r.reportId === seen.report!.id)).toHaveLength(3);
      const timeline = json<{ action: string }[]>(await api('township.doctor')({ url: `/api/v1/diagnosis/requests/${req.id}/timeline` }), 200);
      expect(timeline.map((e) => e.action)).toEqual([
        'submit', 'assign', 'attach', 'claim', 'qc-return', 'resubmit', 'assign', 'claim', 'qc-accept', 'flag-critical', 'critical-acknowledged', 'preliminary', 'finalize', 'amend',
      ]);
    });
  });

  describe('second-reader sign-off (imaging center requires it)', () => {
    it('the author cannot sign their own report; another reader signs it final', async () => {
      let r = await createRequest('township.doctor', { centerId: imaging.id, modality: 'DR', examType: '胸部正位片', bodyPart: '胸部', urgency: 'routine', clinicalQuestion: '咳嗽 2 周' });
      expect(r.deadline?.step).toBe('imaging-report');
      r = json<DiagnosisRequestDto>(await api('center.reader')({ method: 'POST', url: `/api/v1/diagnosis/requests/${r.id}/claim` }), 200);
      const empty = await api('center.reader')({ method: 'POST', url: `/api/v1/diagnosis/requests/${r.id}/report`, payload: { action: 'final' } });
      expect(empty.statusCode).toBe(400);
      expect(empty.json().path).toBe('findings');
      r = json<DiagnosisRequestDto>(await api('center.reader')({ method: 'POST', url: `/api/v1/diagnosis/requests/${r.id}/report`, payload: { action: 'final', findings: '双肺纹理增多，右下肺见斑片影。', impression: '右下肺炎' } }), 200);
      expect(r).toMatchObject({ status: 'awaiting-signoff', report: { status: 'pending-signoff' } });
      // Not released yet: the requester sees no report.
      expect(json<DiagnosisRequestDto>(await api('township.doctor')({ url: `/api/v1/diagnosis/requests/${r.id}` }), 200).report).toBeNull();
      const self = await api('center.reader')({ method: 'POST', url: `/api/v1/diagnosis/requests/${r.id}/report/sign-off` });
      expect(self.statusCode).toBe(403);
      expect(self.json().message).toMatch(/不能是报告书写人/);
      const back = json<DiagnosisRequestDto>(await api('reader.two')({ method: 'POST', url: `/api/v1/diagnosis/requests/${r.id}/report/return`, payload: { reason: '请描述心影' } }), 200);
      expect(back).toMatchObject({ status: 'in-progress', report: { status: 'draft' } });
      r = json<DiagnosisRequestDto>(await api('center.reader')({ method: 'POST', url: `/api/v1/diagnosis/requests/${r.id}/report`, payload: { action: 'final', findings: '双肺纹理增多，右下肺见斑片影，心影不大。', impression: '右下肺炎' } }), 200);
      r = json<DiagnosisRequestDto>(await api('reader.two')({ method: 'POST', url: `/api/v1/diagnosis/requests/${r.id}/report/sign-off` }), 200);
      expect(r).toMatchObject({ status: 'completed', report: { status: 'final', signedOffByName: '第二读片医师', authorName: expect.any(String) } });
      const seen = json<DiagnosisRequestDto>(await api('township.doctor')({ url: `/api/v1/diagnosis/requests/${r.id}` }), 200);
      expect(seen.report?.versions.map((v) => v.status)).toEqual(['final']);
    });
  });

  describe('concurrency', () => {
    it('many readers claim one unassigned item at once: exactly one wins, the others get 409 naming the holder', async () => {
      const r = await createRequest('township.doctor', { centerId: imaging.id, modality: 'CT', examType: '头颅 CT 平扫', urgency: 'emergency', clinicalQuestion: '突发头痛' });
      expect(r.assignedUserId).toBeNull(); // nobody on the imaging roster now
      const claimers = ['center.reader', 'reader.two', ...extraReaders];
      const calls = await Promise.all(claimers.map((u) => api(u)));
      // Tokens first, then every claim leaves at once (a barrier): they really race on PostgreSQL's pool.
      await Promise.all(claimers.map((u) => t.tokenFor(u)));
      const results = await Promise.all(calls.map((call) => call({ method: 'POST', url: `/api/v1/diagnosis/requests/${r.id}/claim` })));
      const codes = results.map((x) => x.statusCode).sort();
      expect(codes.filter((c) => c === 200)).toHaveLength(1);
      expect(codes.filter((c) => c === 409)).toHaveLength(claimers.length - 1);
      for (const loser of results.filter((x) => x.statusCode === 409)) expect(loser.json().message).toMatch(/已被 .+ 认领|不能认领/);
      const claims = await t.database.db.select().from(diagnosisEvents).where(and(eq(diagnosisEvents.requestId, r.id), eq(diagnosisEvents.action, 'claim')));
      expect(claims).toHaveLength(1);
    });
  });

  describe('deadlines on a driven clock', () => {
    it('an unread emergency ECG is overdue at 30 minutes and climbs to the duty head; the requester sees it overdue', async () => {
      const r = await createRequest('township.doctor', { patientId, clinicalQuestion: '心悸' });
      const start = t.clock.now();
      await t.services.deadlines.runDue(new Date(start.getTime() + 29 * MIN));
      const d = (await t.database.db.select().from(deadlines).where(eq(deadlines.subjectId, r.id)))[0]!;
      expect(d.overdueAt).toBeNull();
      t.clock.set(new Date(start.getTime() + 30 * MIN));
      await t.services.deadlines.runDue(t.clock.now());
      const fired = await t.database.db.select().from(deadlineEscalations).where(eq(deadlineEscalations.deadlineId, d.id)).orderBy(asc(deadlineEscalations.level));
      expect(fired.map((f) => [f.level, f.rung])).toEqual([[0, 'overdue'], [1, 'assigned']]);
      expect(fired[1]!.recipientUserIds).toEqual([ids['center.reader']]);
      t.clock.set(new Date(start.getTime() + 45 * MIN));
      await t.services.deadlines.runDue(t.clock.now());
      const head = await notificationsOf(ids['reader.two']!, `deadline:${d.id}:2:%`);
      expect(head).toHaveLength(1);
      expect(head[0]!.title).toMatch(/当班组长|科室主任|超时升级/);
      const sent = json<{ items: DiagnosisListItemDto[] }>(await api('township.doctor')({ url: '/api/v1/diagnosis/requests?view=sent' }), 200);
      expect(sent.items.find((i) => i.id === r.id)).toMatchObject({ overdue: true, escalationLevel: 2 });
      const work = json<{ items: DiagnosisListItemDto[] }>(await api('center.reader')({ url: `/api/v1/diagnosis/requests?view=worklist&centerId=${ecg.id}` }), 200);
      expect(work.items[0]?.overdue).toBe(true);
      const timeline = await t.database.db.select().from(diagnosisEvents).where(eq(diagnosisEvents.requestId, r.id));
      expect(timeline.map((e) => e.action)).toEqual(expect.arrayContaining(['overdue', 'escalated']));
    });

    it('an unacknowledged critical value escalates after 15 minutes; the callback log records it', async () => {
      const r = await createRequest('township.doctor', { clinicalQuestion: '晕厥' });
      json(await api('center.reader')({ method: 'POST', url: `/api/v1/diagnosis/requests/${r.id}/claim` }), 200);
      const cv = json<CriticalValueDto>(await api('center.reader')({ method: 'POST', url: `/api/v1/diagnosis/requests/${r.id}/critical-values`, payload: { finding: '三度房室传导阻滞，心室率 32 次/分' } }), 201);
      t.clock.advance(15 * MIN);
      await t.services.deadlines.runDue(t.clock.now());
      expect((await notificationsOf(ids['township.doctor']!, `deadline:%:1:%`)).some((n) => n.subjectId === cv.id)).toBe(true);
      const log = await t.database.db.select().from(diagnosisCriticalLog).where(eq(diagnosisCriticalLog.criticalValueId, cv.id)).orderBy(asc(diagnosisCriticalLog.seq));
      expect(log.map((l) => l.kind)).toEqual(['flagged', 'notified', 'overdue', 'escalated']);
    });
  });

  it('never answers 500 to odd input', async () => {
    const odd = [
      await api('center.reader')({ method: 'POST', url: '/api/v1/diagnosis/requests/nope/claim' }),
      await api('township.doctor')({ url: '/api/v1/diagnosis/requests?view=sent&status=bogus' }),
      await api('township.doctor')({ method: 'POST', url: '/api/v1/diagnosis/requests/nope/attachments?kind=ecg&fileName=a', payload: 'x', headers: { 'content-type': 'text/plain' } }),
      await api('township.doctor')({ method: 'POST', url: `/api/v1/diagnosis/critical-values/nope/acknowledge`, payload: { receivedBy: 'a', readBack: 'bb', actionTaken: 'c' } }),
      await api('alliance.admin')({ url: `/api/v1/diagnosis/centers/${ecg.id}/roster?from=2026-11-30&to=2026-11-01` }),
      await api('village.doctor')({ method: 'POST', url: '/api/v1/diagnosis/requests', payload: { centerId: ecg.id, patientId: villagePatientId, modality: 'ECG-12', examType: 'x', urgency: 'routine', clinicalQuestion: 'q' } }),
    ];
    expect(odd.map((r) => r.statusCode)).toEqual([404, 400, 415, 404, 400, 201]);
  });
});

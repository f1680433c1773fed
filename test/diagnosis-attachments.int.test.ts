import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { auditEvents, diagnosisAttachments, diagnosisEvents, organizations, patients, users } from '../src/db/schema/index.js';
import { PNG } from 'pngjs';
import type { AttachmentDto, CenterDto, DiagnosisRequestDto, EcgTraceDto, ImagingDto } from '../src/contracts/diagnosis.js';
import {
  dicomUidFromName, formatEcgCsv, formatEcgJson, generateSyntheticEcg, generateSyntheticStudy, readDicom, writePart10,
} from '../src/modules/diagnosis/media/index.js';
import { createTestApp, databaseKind, type TestApp } from './helpers/app.js';

/**
 * Attachments that mean something, through the JSON API on the real app (PGlite, and PostgreSQL when DATABASE_URL is
 * set): DICOM and ECG files parsed at upload (meta filled, wrong files refused with nothing stored), the imaging view
 * (studies → series → instances, ordered), thumbnails kept in blob storage, the ECG trace, slides, and access refused to
 * outsiders.
 */
let t: TestApp;
let dataDir: string;
let countyOrg: string;
let patientId: string;
const ids: Record<string, string> = {};
const centers: Record<string, CenterDto> = {};

const api = (user: string) => t.as(user);
const json = <T>(res: { statusCode: number; body: string; json(): unknown }, status: number): T => {
  expect(res.statusCode, res.body).toBe(status);
  return res.json() as T;
};
const upload = (requestId: string, kind: string, fileName: string, bytes: Buffer, contentType = 'application/octet-stream', user = 'township.doctor') =>
  api(user)({ method: 'POST', url: `/api/v1/diagnosis/requests/${requestId}/attachments?kind=${kind}&fileName=${encodeURIComponent(fileName)}`, payload: bytes as unknown as string, headers: { 'content-type': contentType } });

async function createRequest(center: string, modality: string, examType: string, user = 'township.doctor'): Promise<DiagnosisRequestDto> {
  return json<DiagnosisRequestDto>(
    await api(user)({ method: 'POST', url: '/api/v1/diagnosis/requests', payload: { centerId: centers[center]!.id, patientId, modality, examType, urgency: 'routine', clinicalQuestion: '头痛 3 天，排除颅内病变' } }),
    201,
  );
}

const attachmentRows = (requestId: string) => t.database.db.select().from(diagnosisAttachments).where(eq(diagnosisAttachments.requestId, requestId));
const attachEvents = (requestId: string) => t.database.db.select().from(diagnosisEvents).where(and(eq(diagnosisEvents.requestId, requestId), eq(diagnosisEvents.action, 'attach')));
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** A copy of a DICOM file moved into another series (new series and SOP UIDs), to test series ordering. */
function inSeries(data: Buffer, seriesNumber: number, instanceNumber: number): Buffer {
  const { dataset } = readDicom(data);
  const series = dicomUidFromName(`series-${seriesNumber}|${String(dataset['StudyInstanceUID'])}`);
  return writePart10({ ...dataset, SeriesInstanceUID: series, SeriesNumber: seriesNumber, SeriesDescription: `重建 ${seriesNumber}`, InstanceNumber: instanceNumber, SOPInstanceUID: dicomUidFromName(`${series}|${instanceNumber}`) });
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'yilian-diagnosis-attachments-'));
  t = await createTestApp({ residents: 120, env: { YILIAN_DATA_DIR: dataDir, YILIAN_TOKEN_TTL_SECONDS: String(30 * 86_400) } });
  const db = t.database.db;
  const byName = async (username: string) => (await db.select().from(users).where(eq(users.username, username)))[0]!;
  for (const u of ['center.reader', 'township.doctor', 'village.doctor', 'county.specialist']) ids[u] = (await byName(u)).id;
  countyOrg = (await db.select().from(organizations).where(eq(organizations.name, '长汀县总医院')))[0]!.id;
  const villageOrg = (await byName('village.doctor')).organizationId!;
  patientId = (await db.select().from(patients).where(eq(patients.managingOrganizationId, villageOrg)).limit(1))[0]!.id;
  for (const [type, name] of [['imaging', '长汀县影像诊断中心'], ['ecg', '长汀县远程心电诊断中心'], ['pathology', '长汀县病理诊断中心'], ['lab', '长汀县医学检验中心']] as const) {
    centers[type] = json<CenterDto>(await api('alliance.admin')({ method: 'POST', url: '/api/v1/diagnosis/centers', payload: { organizationId: countyOrg, type, name } }), 201);
    json(await api('alliance.admin')({ method: 'POST', url: `/api/v1/diagnosis/centers/${centers[type]!.id}/readers`, payload: { userId: ids['center.reader'] } }), 201);
  }
}, 180_000);

afterAll(async () => {
  await t?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe(`diagnosis attachments on ${databaseKind}`, () => {
  it('runs on the database the suite was asked for', () => {
    if (process.env.YILIAN_EXPECT_DATABASE) expect(t.database.kind).toBe(process.env.YILIAN_EXPECT_DATABASE);
  });

  describe('a head CT from the township', () => {
    let req: DiagnosisRequestDto;
    const ct = generateSyntheticStudy({ modality: 'CT', patient: { id: 'YL-T1', name: 'Zhang^San=张^三' }, seed: 'attachments', size: 48, slices: 3 });
    const attachments: AttachmentDto[] = [];

    it('each DICOM file is read at upload: its header facts are the attachment meta', async () => {
      req = await createRequest('imaging', 'CT', '头颅 CT 平扫');
      // Uploaded out of order, with one instance of a second series first.
      const second = inSeries(ct.files[0]!.data, 2, 1);
      for (const [name, data] of [['S2_I001.dcm', second], [ct.files[2]!.fileName, ct.files[2]!.data], [ct.files[0]!.fileName, ct.files[0]!.data], [ct.files[1]!.fileName, ct.files[1]!.data]] as const) {
        attachments.push(json<AttachmentDto>(await upload(req.id, 'dicom', name, data, 'application/dicom'), 201));
      }
      const first = attachments[2]!;
      expect(first.meta).toEqual({
        kind: 'dicom', studyInstanceUid: ct.studyInstanceUid, seriesInstanceUid: ct.files[0]!.seriesInstanceUid, sopInstanceUid: ct.files[0]!.sopInstanceUid,
        sopClassUid: '1.2.840.10008.5.1.4.1.1.2', // CT Image Storage
        modality: 'CT', bodyPart: 'HEAD', studyDate: '2025-01-06', studyDescription: 'CT 头颅平扫', seriesDescription: 'CT 头颅平扫', seriesNumber: 1, instanceNumber: 1,
        rows: 48, columns: 48, frames: 1,
      });
      const dto = json<DiagnosisRequestDto>(await api('center.reader')({ url: `/api/v1/diagnosis/requests/${req.id}` }), 200);
      expect(dto.attachments.map((a) => a.meta?.kind)).toEqual(['dicom', 'dicom', 'dicom', 'dicom']);
    });

    it('the imaging view files them into one study: series by number, instances by number, each with its download URL', async () => {
      const imaging = json<ImagingDto>(await api('center.reader')({ url: `/api/v1/diagnosis/requests/${req.id}/imaging` }), 200);
      expect(imaging.studies).toHaveLength(1);
      const study = imaging.studies[0]!;
      expect(study).toMatchObject({ studyInstanceUid: ct.studyInstanceUid, studyDate: '2025-01-06', description: 'CT 头颅平扫', modalities: ['CT'] });
      expect(study.series.map((s) => [s.seriesNumber, s.modality, s.instances.length])).toEqual([[1, 'CT', 3], [2, 'CT', 1]]);
      expect(study.series[0]!.instances.map((i) => i.instanceNumber)).toEqual([1, 2, 3]);
      const i1 = study.series[0]!.instances[0]!;
      expect(i1).toEqual({ attachmentId: attachments[2]!.id, instanceNumber: 1, url: `/api/v1/diagnosis/requests/${req.id}/attachments/${attachments[2]!.id}` });
      const down = await api('center.reader')({ url: i1.url });
      expect(down.statusCode).toBe(200);
      expect(Buffer.from(down.rawPayload).equals(ct.files[0]!.data)).toBe(true);
    });

    it('refuses a second copy of an instance (409), a file that is not DICOM and a DICOM of another modality (400) — nothing stored', async () => {
      const before = (await attachmentRows(req.id)).length;
      const beforeEvents = (await attachEvents(req.id)).length;
      const dup = await upload(req.id, 'dicom', 'again.dcm', ct.files[1]!.data, 'application/dicom');
      expect(dup.statusCode, dup.body).toBe(409);
      expect(dup.json().message).toContain(ct.files[1]!.sopInstanceUid);
      const notDicom = await upload(req.id, 'dicom', 'photo.dcm', Buffer.from('this is a photo of the film, not a DICOM file'.repeat(5)));
      expect(notDicom.statusCode, notDicom.body).toBe(400);
      expect(notDicom.json()).toMatchObject({ code: 'invalid', path: 'body' });
      expect(notDicom.json().message).toContain('DICM');
      const mr = generateSyntheticStudy({ modality: 'MR', patient: { id: 'YL-T1', name: 'Zhang^San' }, seed: 'attachments', size: 32, slices: 1 });
      const wrongModality = await upload(req.id, 'dicom', 'mr.dcm', mr.files[0]!.data, 'application/dicom');
      expect(wrongModality.statusCode, wrongModality.body).toBe(400);
      expect(wrongModality.json().message).toMatch(/MR.*CT/);
      expect((await attachmentRows(req.id)).length).toBe(before);
      expect((await attachEvents(req.id)).length).toBe(beforeEvents);
    });

    it('a thumbnail is a PNG drawn once and kept beside the file under its SHA-256', async () => {
      const a = attachments[2]!;
      const res = await api('center.reader')({ url: `/api/v1/diagnosis/requests/${req.id}/attachments/${a.id}/thumbnail` });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.headers['content-type']).toBe('image/png');
      const png = Buffer.from(res.rawPayload);
      expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
      const kept = path.join(dataDir, 'diagnosis-files', 'derived', 'thumbnail-256.png', a.sha256.slice(0, 2), a.sha256);
      expect(existsSync(kept)).toBe(true);
      const again = await api('township.doctor')({ url: `/api/v1/diagnosis/requests/${req.id}/attachments/${a.id}/thumbnail` });
      expect(Buffer.from(again.rawPayload).equals(png)).toBe(true);
      const audited = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.resourceType, 'DiagnosisAttachment'), eq(auditEvents.resourceId, a.id), eq(auditEvents.action, 'read')));
      expect(new Set(audited.map((x) => x.basis))).toEqual(new Set(['diagnosis-request', 'own-facility']));
    });

    it('another facility gets 403 on the imaging view, the thumbnail and the trace; an unknown attachment is 404', async () => {
      const a = attachments[0]!;
      for (const url of [`/api/v1/diagnosis/requests/${req.id}/imaging`, `/api/v1/diagnosis/requests/${req.id}/attachments/${a.id}/thumbnail`, `/api/v1/diagnosis/requests/${req.id}/attachments/${a.id}/ecg`]) {
        expect((await api('village.doctor')({ url })).statusCode, url).toBe(403);
      }
      expect((await api('center.reader')({ url: `/api/v1/diagnosis/requests/${req.id}/attachments/nope/thumbnail` })).statusCode).toBe(404);
      expect((await api('center.reader')({ url: `/api/v1/diagnosis/requests/${req.id}/attachments/${a.id}/ecg` })).statusCode).toBe(404);
    });
  });

  describe('a resting ECG', () => {
    let req: DiagnosisRequestDto;
    const record = generateSyntheticEcg({ seed: 'attachments', heartRateBpm: 75, samplingRateHz: 250, durationS: 6 });

    it('a CSV waveform is read at upload: format, sampling rate, leads, heart rate and a rhythm line', async () => {
      req = await createRequest('ecg', 'ECG-12', '常规十二导联心电图');
      const a = json<AttachmentDto>(await upload(req.id, 'ecg', '心电图.csv', Buffer.from(formatEcgCsv(record)), 'text/csv'), 201);
      expect(a.meta).toMatchObject({ kind: 'ecg', format: 'csv', samplingRateHz: 250, durationS: 6, leads: ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'] });
      const meta = a.meta as { heartRateBpm: number; rhythm: string };
      expect(meta.heartRateBpm).toBeGreaterThan(70);
      expect(meta.heartRateBpm).toBeLessThan(80);
      expect(meta.rhythm).toMatch(/^心率 7\d 次\/分，节律规整$/);
    });

    it('the trace endpoint gives every lead in µV with the sampling rate and the analysis', async () => {
      const dto = json<DiagnosisRequestDto>(await api('center.reader')({ url: `/api/v1/diagnosis/requests/${req.id}` }), 200);
      const trace = json<EcgTraceDto>(await api('center.reader')({ url: `/api/v1/diagnosis/requests/${req.id}/attachments/${dto.attachments[0]!.id}/ecg` }), 200);
      expect(trace.samplingRateHz).toBe(250);
      expect(trace.durationS).toBe(6);
      expect(Object.keys(trace.leads)).toHaveLength(12);
      expect(trace.leads['II']).toEqual(record.leads.II);
      expect(trace.analysis).toMatchObject({ lead: 'II', reliable: true });
      expect(trace.analysis.rrMeanMs).toBeGreaterThan(750);
      expect(trace.analysis.rrMeanMs).toBeLessThan(850);
      expect((await api('center.reader')({ url: `/api/v1/diagnosis/requests/${req.id}/attachments/${dto.attachments[0]!.id}/thumbnail` })).statusCode).toBe(404);
    });

    it('a malformed waveform is refused with the parser’s issues; a PDF printout stays a document without a trace', async () => {
      const before = (await attachmentRows(req.id)).length;
      const broken = JSON.parse(formatEcgJson(record)) as { leads: Record<string, number[]> };
      broken.leads['V3'] = broken.leads['V3']!.slice(10);
      const bad = await upload(req.id, 'ecg', 'bad.json', Buffer.from(JSON.stringify(broken)));
      expect(bad.statusCode, bad.body).toBe(400);
      expect(bad.json()).toMatchObject({ code: 'invalid', path: 'body' });
      expect(bad.body).toContain('V3');
      expect((await attachmentRows(req.id)).length).toBe(before);
      const pdf = json<AttachmentDto>(await upload(req.id, 'pdf', '心电图打印.pdf', Buffer.from('%PDF-1.4\n%…\n'), 'application/pdf'), 201);
      expect(pdf.meta).toEqual({ kind: 'document' });
      expect((await api('center.reader')({ url: `/api/v1/diagnosis/requests/${req.id}/attachments/${pdf.id}/ecg` })).statusCode).toBe(404);
    });
  });

  describe('pathology slides', () => {
    it('a PNG or JPEG slide gets its format and size from the header; a PNG gets a thumbnail; anything else is refused', async () => {
      const req = await createRequest('pathology', 'HISTO', '胃镜活检组织病理');
      const img = new PNG({ width: 600, height: 400 });
      for (let i = 0; i < img.data.length; i += 4) { img.data[i] = 200; img.data[i + 1] = (i / 4) % 255; img.data[i + 2] = 180; img.data[i + 3] = 255; }
      const png = json<AttachmentDto>(await upload(req.id, 'slide', '切片1.png', PNG.sync.write(img), 'image/png'), 201);
      expect(png.meta).toEqual({ kind: 'slide', format: 'png', width: 600, height: 400 });
      const thumb = await api('center.reader')({ url: `/api/v1/diagnosis/requests/${req.id}/attachments/${png.id}/thumbnail` });
      expect(thumb.statusCode, thumb.body).toBe(200);
      const drawn = PNG.sync.read(Buffer.from(thumb.rawPayload));
      expect([drawn.width, drawn.height]).toEqual([256, 171]);
      // SOI, an APP0 segment, then SOF0 with precision 8, height 1200, width 1600
      const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x4a, 0x46, 0xff, 0xc0, 0x00, 0x0b, 0x08, 0x04, 0xb0, 0x06, 0x40, 0x01, 0x01, 0x11, 0x00, 0xff, 0xd9]);
      const jpg = json<AttachmentDto>(await upload(req.id, 'slide', '切片2.jpg', jpeg, 'image/jpeg'), 201);
      expect(jpg.meta).toEqual({ kind: 'slide', format: 'jpeg', width: 1600, height: 1200 });
      // a header with no image data behind it: accepted at upload (header only), refused when drawn (diagnosis-slides.int.test.ts)
      expect((await api('center.reader')({ url: `/api/v1/diagnosis/requests/${req.id}/attachments/${jpg.id}/thumbnail` })).statusCode).toBe(415);
      const bad = await upload(req.id, 'slide', 'x.bmp', Buffer.from('BM not a slide format at all'), 'image/bmp');
      expect(bad.statusCode, bad.body).toBe(400);
      expect(bad.json().path).toBe('body');
    });
  });
});

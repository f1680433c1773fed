import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { auditEvents, diagnosisAttachments, organizations, patients, users } from '../src/db/schema/index.js';
import type { AttachmentDto, CenterDto, DiagnosisRequestDto } from '../src/contracts/diagnosis.js';
import { createTestApp, databaseKind, type TestApp } from './helpers/app.js';
import { gradientRgba, jpegSlide, tiffSlide } from './helpers/slide-fixtures.js';

/**
 * Pathology slides through the JSON API on the real app (PGlite, and PostgreSQL when DATABASE_URL is set): JPEG and
 * TIFF slides get thumbnails (drawn once, kept by SHA-256), the viewer's preview (TIFF shrunk to JPEG, PNG/JPEG as
 * uploaded), the size limit said in the meta and refused at the endpoints, and the request's access rule and audit.
 */
let t: TestApp;
let dataDir: string;
let patientId: string;
let pathology: CenterDto;
let req: DiagnosisRequestDto;

const api = (user: string) => t.as(user);
const json = <T>(res: { statusCode: number; body: string; json(): unknown }, status: number): T => {
  expect(res.statusCode, res.body).toBe(status);
  return res.json() as T;
};
const upload = (fileName: string, bytes: Buffer, contentType: string) =>
  api('township.doctor')({ method: 'POST', url: `/api/v1/diagnosis/requests/${req.id}/attachments?kind=slide&fileName=${encodeURIComponent(fileName)}`, payload: bytes as unknown as string, headers: { 'content-type': contentType } });
const get = (user: string, a: AttachmentDto, what: 'thumbnail' | 'preview' | '') => api(user)({ url: `/api/v1/diagnosis/requests/${req.id}/attachments/${a.id}${what ? `/${what}` : ''}` });
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const derivedFile = (variant: string, sha256: string) => path.join(dataDir, 'diagnosis-files', 'derived', variant, sha256.slice(0, 2), sha256);

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'yilian-diagnosis-slides-'));
  t = await createTestApp({ residents: 60, env: { YILIAN_DATA_DIR: dataDir, YILIAN_TOKEN_TTL_SECONDS: String(30 * 86_400) } });
  const db = t.database.db;
  const byName = async (username: string) => (await db.select().from(users).where(eq(users.username, username)))[0]!;
  const countyOrg = (await db.select().from(organizations).where(eq(organizations.name, '长汀县总医院')))[0]!.id;
  const villageOrg = (await byName('village.doctor')).organizationId!;
  patientId = (await db.select().from(patients).where(eq(patients.managingOrganizationId, villageOrg)).limit(1))[0]!.id;
  pathology = json<CenterDto>(await api('alliance.admin')({ method: 'POST', url: '/api/v1/diagnosis/centers', payload: { organizationId: countyOrg, type: 'pathology', name: '长汀县病理诊断中心' } }), 201);
  json(await api('alliance.admin')({ method: 'POST', url: `/api/v1/diagnosis/centers/${pathology.id}/readers`, payload: { userId: (await byName('center.reader')).id } }), 201);
  req = json<DiagnosisRequestDto>(
    await api('township.doctor')({ method: 'POST', url: '/api/v1/diagnosis/requests', payload: { centerId: pathology.id, patientId, modality: 'HISTO', examType: '胃镜活检组织病理', urgency: 'routine', clinicalQuestion: '胃窦黏膜粗糙，排除肠化及异型增生' } }),
    201,
  );
}, 180_000);

afterAll(async () => {
  await t?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe(`pathology slides on ${databaseKind}`, () => {
  it('runs on the database the suite was asked for', () => {
    if (process.env.YILIAN_EXPECT_DATABASE) expect(t.database.kind).toBe(process.env.YILIAN_EXPECT_DATABASE);
  });

  it('a JPEG slide: size from the header, a 256 px PNG thumbnail kept by SHA-256, the original bytes as preview', async () => {
    const bytes = jpegSlide(640, 480);
    const a = json<AttachmentDto>(await upload('HE-20x.jpg', bytes, 'image/jpeg'), 201);
    expect(a.meta).toEqual({ kind: 'slide', format: 'jpeg', width: 640, height: 480 });
    const thumb = await get('center.reader', a, 'thumbnail');
    expect(thumb.statusCode, thumb.body).toBe(200);
    expect(thumb.headers['content-type']).toBe('image/png');
    const png = Buffer.from(thumb.rawPayload);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    const drawn = PNG.sync.read(png);
    expect([drawn.width, drawn.height]).toEqual([256, 192]);
    expect(readFileSync(derivedFile('thumbnail-256.png', a.sha256)).equals(png)).toBe(true);
    const preview = await get('center.reader', a, 'preview');
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.headers['content-type']).toBe('image/jpeg');
    expect(Buffer.from(preview.rawPayload).equals(bytes)).toBe(true);
  });

  it('a multi-page TIFF: its first page drawn; the preview is a JPEG at most 2048 px, drawn once and kept', async () => {
    const bytes = tiffSlide([{ width: 2600, height: 1300, rgba: gradientRgba(2600, 1300) }, { width: 260, height: 130, rgba: gradientRgba(260, 130) }]);
    const a = json<AttachmentDto>(await upload('HE-40x.tif', bytes, 'image/tiff'), 201);
    expect(a.meta).toEqual({ kind: 'slide', format: 'tiff', width: 2600, height: 1300, pages: 2 });
    const thumb = await get('center.reader', a, 'thumbnail');
    expect(thumb.statusCode, thumb.body).toBe(200);
    const drawn = PNG.sync.read(Buffer.from(thumb.rawPayload));
    expect([drawn.width, drawn.height]).toEqual([256, 128]);
    const preview = await get('center.reader', a, 'preview');
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.headers['content-type']).toBe('image/jpeg');
    const decoded = jpeg.decode(Buffer.from(preview.rawPayload));
    expect([decoded.width, decoded.height]).toEqual([2048, 1024]);
    const kept = derivedFile('preview-2048.jpg', a.sha256);
    expect(existsSync(kept)).toBe(true);
    const again = await get('township.doctor', a, 'preview');
    expect(Buffer.from(again.rawPayload).equals(readFileSync(kept))).toBe(true);
    const audited = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.resourceType, 'DiagnosisAttachment'), eq(auditEvents.resourceId, a.id), eq(auditEvents.action, 'read')));
    expect(new Set(audited.map((x) => x.basis))).toEqual(new Set(['diagnosis-request', 'own-facility']));
  });

  it('a whole-slide-sized TIFF is stored and downloadable, its meta says it is not decoded; thumbnail and preview are 404 with the reason', async () => {
    const bytes = tiffSlide([{ width: 98_304, height: 65_536 }, { width: 8, height: 8, rgba: gradientRgba(8, 8) }]);
    const a = json<AttachmentDto>(await upload('WSI.svs', bytes, 'application/octet-stream'), 201);
    expect(a.meta).toMatchObject({ kind: 'slide', format: 'tiff', width: 98_304, height: 65_536, pages: 2, decodable: false });
    expect(a.meta?.kind === 'slide' && a.meta.notDecodedReason).toMatch(/超过服务器解码上限/);
    for (const what of ['thumbnail', 'preview'] as const) {
      const res = await get('center.reader', a, what);
      expect(res.statusCode, what).toBe(404);
      expect(res.json().message, what).toMatch(/超过服务器解码上限/);
    }
    const download = await get('center.reader', a, '');
    expect(download.statusCode).toBe(200);
    expect(Buffer.from(download.rawPayload).equals(bytes)).toBe(true);
    expect(existsSync(derivedFile('thumbnail-256.png', a.sha256))).toBe(false);
  });

  it('a slide whose header is readable but whose pixels are not: 415 when drawn, nothing kept', async () => {
    const headerOnly = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x4a, 0x46, 0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0x20, 0x00, 0x20, 0x01, 0x01, 0x11, 0x00, 0xff, 0xd9]);
    const a = json<AttachmentDto>(await upload('broken.jpg', headerOnly, 'image/jpeg'), 201);
    const res = await get('center.reader', a, 'thumbnail');
    expect(res.statusCode, res.body).toBe(415);
    expect(existsSync(derivedFile('thumbnail-256.png', a.sha256))).toBe(false);
  });

  it('the preview is 404 for other kinds, 403 for another facility', async () => {
    const pdf = json<AttachmentDto>(await api('township.doctor')({ method: 'POST', url: `/api/v1/diagnosis/requests/${req.id}/attachments?kind=pdf&fileName=a.pdf`, payload: Buffer.from('%PDF-1.4 x') as unknown as string, headers: { 'content-type': 'application/pdf' } }), 201);
    const res = await get('center.reader', pdf, 'preview');
    expect(res.statusCode).toBe(404);
    expect(res.json().message).toMatch(/不是切片图像/);
    const rows = await t.database.db.select().from(diagnosisAttachments).where(and(eq(diagnosisAttachments.requestId, req.id), eq(diagnosisAttachments.kind, 'slide')));
    const slide = rows[0]!;
    const outsider = await api('village.doctor')({ url: `/api/v1/diagnosis/requests/${req.id}/attachments/${slide.id}/preview` });
    expect(outsider.statusCode).toBe(403);
    expect((await api('center.reader')({ url: `/api/v1/diagnosis/requests/${req.id}/attachments/nope/preview` })).statusCode).toBe(404);
  });
});

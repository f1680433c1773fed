import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import {
  MediaError,
  describeTransferSyntax,
  dicomUidFromName,
  generateSyntheticStudy,
  groupDicomInstances,
  isValidUid,
  readDicom,
  renderDicomThumbnail,
  renderDicomThumbnailDetailed,
  summarizeDicom,
  uidFromUuid,
  writePart10,
  type SyntheticModality,
} from './index.js';

const patient = { id: 'YL000123', name: 'Zhang^San=张^三', birthDate: '1958-03-09', sex: 'M' as const };

function catchError(f: () => unknown): MediaError {
  try {
    f();
  } catch (e) {
    if (e instanceof MediaError) return e;
    throw e;
  }
  throw new Error('expected a MediaError');
}

/** Luminance spread of a decoded PNG: non-uniform content has a wide spread. */
function pngStats(buf: Buffer): { width: number; height: number; min: number; max: number; distinct: number } {
  const png = PNG.sync.read(buf);
  let min = 255;
  let max = 0;
  const seen = new Set<number>();
  for (let i = 0; i < png.width * png.height; i++) {
    const g = png.data[i * 4]!;
    min = Math.min(min, g);
    max = Math.max(max, g);
    seen.add(g);
  }
  return { width: png.width, height: png.height, min, max, distinct: seen.size };
}

describe('UIDs', () => {
  it('uses the 2.25 root with the UUID as one decimal integer (PS3.5 §B.2)', () => {
    expect(uidFromUuid('00000000-0000-0000-0000-000000000001')).toBe('2.25.1');
    expect(uidFromUuid('ffffffff-ffff-ffff-ffff-ffffffffffff')).toBe(`2.25.${(2n ** 128n - 1n).toString()}`);
    const uid = dicomUidFromName('x');
    expect(isValidUid(uid)).toBe(true);
    expect(uid.length).toBeLessThanOrEqual(64);
    expect(dicomUidFromName('x')).toBe(uid);
    expect(dicomUidFromName('y')).not.toBe(uid);
    expect(isValidUid('1.02.3')).toBe(false);
  });
});

describe('synthetic study → readDicom (round trip)', () => {
  it.each<[SyntheticModality, string]>([
    ['DX', 'MONOCHROME2'],
    ['CR', 'MONOCHROME1'],
    ['CT', 'MONOCHROME2'],
    ['MR', 'MONOCHROME2'],
    ['US', 'RGB'],
  ])('%s files parse back with the same UIDs and values', (modality, photometric) => {
    const study = generateSyntheticStudy({ modality, patient, seed: 7, slices: 4, size: 128, accessionNumber: 'A1' });
    expect(study.files.length).toBe(modality === 'CT' || modality === 'MR' ? 4 : 1);
    for (const f of study.files) {
      expect(f.data.subarray(128, 132).toString('latin1')).toBe('DICM');
      const s = summarizeDicom(f.data, f.fileName);
      expect(s.studyInstanceUid).toBe(study.studyInstanceUid);
      expect(s.seriesInstanceUid).toBe(f.seriesInstanceUid);
      expect(s.sopInstanceUid).toBe(f.sopInstanceUid);
      expect(s.instanceNumber).toBe(f.instanceNumber);
      expect(s.modality).toBe(modality);
      expect(s.patientName).toBe('Zhang^San=张^三');
      expect(s.patientNameParts.ideographic).toBe('张^三');
      expect(s.patientId).toBe('YL000123');
      expect(s.patientBirthDate).toBe('19580309');
      expect(s.patientSex).toBe('M');
      expect(s.studyDate).toBe('20250106');
      expect(s.studyTime).toBe('093000');
      expect(s.accessionNumber).toBe('A1');
      expect(s.photometricInterpretation).toBe(photometric);
      expect(s.transferSyntax).toMatchObject({ uid: '1.2.840.10008.1.2.1', compressed: false, thumbnailSupported: true });
      expect(s.hasPixelData).toBe(true);
      for (const uid of [s.studyInstanceUid, s.seriesInstanceUid, s.sopInstanceUid]) expect(uid).toMatch(/^2\.25\.\d+$/);
    }
  });

  it('writes CT in Hounsfield units with rescale intercept −1024 and a brain window', () => {
    const study = generateSyntheticStudy({ modality: 'CT', region: 'head', patient, seed: 1, slices: 3, size: 64 });
    const s = summarizeDicom(study.files[1]!.data);
    expect(s).toMatchObject({
      rows: 64,
      columns: 64,
      bitsAllocated: 16,
      bitsStored: 12,
      pixelRepresentation: 0,
      rescaleSlope: 1,
      rescaleIntercept: -1024,
      windowCenter: 40,
      windowWidth: 80,
      bodyPartExamined: 'HEAD',
      sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
    });
    expect(s.pixelSpacing?.[0]).toBeCloseTo(240 / 64);
  });

  it('is deterministic for a seed and differs between seeds', () => {
    const a = generateSyntheticStudy({ modality: 'DX', patient, seed: 'demo-1', size: 64 });
    const b = generateSyntheticStudy({ modality: 'DX', patient, seed: 'demo-1', size: 64 });
    const c = generateSyntheticStudy({ modality: 'DX', patient, seed: 'demo-2', size: 64 });
    expect(b.files[0]!.data.equals(a.files[0]!.data)).toBe(true);
    expect(c.studyInstanceUid).not.toBe(a.studyInstanceUid);
    expect(c.files[0]!.data.equals(a.files[0]!.data)).toBe(false);
  });
});

describe('thumbnails', () => {
  it.each<[SyntheticModality, number, number]>([
    ['DX', 256, 256],
    ['CR', 256, 256],
    ['CT', 256, 256],
    ['MR', 200, 200],
    ['US', 256, 192],
  ])('%s thumbnail decodes as PNG of the expected size with non-uniform content', (modality, w, h) => {
    const size = modality === 'MR' ? 200 : modality === 'US' ? 320 : 512;
    const study = generateSyntheticStudy({ modality, patient, seed: 3, size, slices: 3 });
    const png = renderDicomThumbnail(study.files[0]!.data, { maxSize: 256 });
    const st = pngStats(png);
    expect([st.width, st.height]).toEqual([w, h]);
    expect(st.max - st.min).toBeGreaterThan(150);
    expect(st.distinct).toBeGreaterThan(20);
  });

  it('applies the window: air black, skull white on the brain window; CR (MONOCHROME1) looks like DX', () => {
    const ct = generateSyntheticStudy({ modality: 'CT', region: 'head', patient, seed: 3, size: 128, slices: 3 });
    const t = renderDicomThumbnailDetailed(ct.files[1]!.data, { maxSize: 128 });
    expect([t.windowCenter, t.windowWidth]).toEqual([40, 80]);
    const png = PNG.sync.read(t.png);
    const at = (x: number, y: number) => png.data[(y * png.width + x) * 4]!;
    expect(at(2, 2)).toBe(0); // air, −1000 HU
    // Along the middle row from the left edge, the skull (≥ 700 HU) saturates before the brain.
    const row = Array.from({ length: 64 }, (_, x) => at(x, 64));
    expect(Math.max(...row)).toBe(255);

    const dx = PNG.sync.read(renderDicomThumbnail(generateSyntheticStudy({ modality: 'DX', patient, seed: 5, size: 128 }).files[0]!.data));
    const cr = PNG.sync.read(renderDicomThumbnail(generateSyntheticStudy({ modality: 'CR', patient, seed: 5, size: 128 }).files[0]!.data));
    let diff = 0;
    for (let i = 0; i < dx.width * dx.height; i++) diff += Math.abs(dx.data[i * 4]! - cr.data[i * 4]!);
    expect(diff / (dx.width * dx.height)).toBeLessThan(3);
  });

  it('falls back to min/max without a window and handles signed 16-bit with rescale', () => {
    const rows = 4;
    const columns = 4;
    const stored = Int16Array.from({ length: 16 }, (_, i) => i * 100 - 800);
    const data = writePart10({
      SOPClassUID: '1.2.840.10008.5.1.4.1.1.2',
      SOPInstanceUID: '2.25.11',
      StudyInstanceUID: '2.25.12',
      SeriesInstanceUID: '2.25.13',
      Modality: 'CT',
      SamplesPerPixel: 1,
      PhotometricInterpretation: 'MONOCHROME2',
      Rows: rows,
      Columns: columns,
      BitsAllocated: 16,
      BitsStored: 16,
      HighBit: 15,
      PixelRepresentation: 1,
      RescaleSlope: 2,
      RescaleIntercept: 10,
      PixelData: [stored.buffer],
      _vrMap: { PixelData: 'OW' },
    });
    const t = renderDicomThumbnailDetailed(data);
    // Modality values run from −800×2+10 = −1590 to 700×2+10 = 1410.
    expect(t.windowWidth).toBe(1410 - -1590 + 1);
    const png = PNG.sync.read(t.png);
    expect(png.data[0]).toBe(0);
    expect(png.data[15 * 4]).toBe(255);
    expect(png.data[7 * 4]!).toBeGreaterThan(png.data[6 * 4]!);
  });
});

describe('errors', () => {
  it('refuses a file without the DICM preamble', () => {
    const e = catchError(() => readDicom(Buffer.from('this is a JPEG, honestly'), 'photo.jpg'));
    expect(e.reason).toBe('dicom_not_part10');
    expect(e.code).toBe('unsupported_media_type');
    expect(e.message).toContain('不是 DICOM 文件');
    expect(e.message).toContain('photo.jpg');
    expect(e.messageEn).toContain('not a DICOM file');
    expect(e.detail).toMatchObject({ reason: 'dicom_not_part10' });
  });

  it('refuses a truncated file as unreadable', () => {
    const f = generateSyntheticStudy({ modality: 'DX', patient, seed: 1, size: 64 }).files[0]!.data;
    const e = catchError(() => readDicom(f.subarray(0, 300)));
    expect(['dicom_unreadable', 'dicom_missing_uid']).toContain(e.reason);
  });

  it('names the missing UID', () => {
    const data = writePart10({
      SOPClassUID: '1.2.840.10008.5.1.4.1.1.7',
      SOPInstanceUID: '2.25.1',
      StudyInstanceUID: '2.25.2',
      Modality: 'OT',
    });
    const e = catchError(() => readDicom(data));
    expect(e.reason).toBe('dicom_missing_uid');
    expect(e.path).toBe('SeriesInstanceUID');
    expect(e.message).toContain('序列实例 UID');
    expect(e.messageEn).toContain('SeriesInstanceUID');
  });

  it('reads the header of compressed pixel data but refuses the thumbnail', () => {
    const data = writePart10(
      {
        SOPClassUID: '1.2.840.10008.5.1.4.1.1.1.1',
        SOPInstanceUID: '2.25.21',
        StudyInstanceUID: '2.25.22',
        SeriesInstanceUID: '2.25.23',
        Modality: 'DX',
        PatientID: 'P9',
        SamplesPerPixel: 1,
        PhotometricInterpretation: 'MONOCHROME2',
        Rows: 8,
        Columns: 8,
        BitsAllocated: 8,
        BitsStored: 8,
        HighBit: 7,
        PixelRepresentation: 0,
        // Not a real JPEG stream: only the encapsulation matters here.
        PixelData: [new Uint8Array([0xff, 0xd8, 0xff, 0xd9, 0, 0]).buffer],
        _vrMap: { PixelData: 'OB' },
      },
      '1.2.840.10008.1.2.4.50',
    );
    const s = summarizeDicom(data);
    expect(s.patientId).toBe('P9');
    expect(s.rows).toBe(8);
    expect(s.transferSyntax).toEqual(describeTransferSyntax('1.2.840.10008.1.2.4.50'));
    expect(s.transferSyntax).toMatchObject({ name: 'JPEG Baseline (Process 1)', compressed: true, thumbnailSupported: false });
    const e = catchError(() => renderDicomThumbnail(data));
    expect(e.reason).toBe('dicom_unsupported_transfer_syntax');
    expect(e.message).toContain('压缩');
    expect(e.messageEn).toContain('compressed');
  });

  it('refuses a thumbnail when there is no pixel data', () => {
    const data = writePart10({ SOPClassUID: '1.2.840.10008.5.1.4.1.1.88.11', SOPInstanceUID: '2.25.31', StudyInstanceUID: '2.25.32', SeriesInstanceUID: '2.25.33', Modality: 'SR' });
    expect(catchError(() => renderDicomThumbnail(data)).reason).toBe('dicom_no_pixel_data');
  });
});

describe('groupDicomInstances', () => {
  it('groups studies → series → instances sorted by instance number, keeping extra fields and reporting duplicates', () => {
    const ct = generateSyntheticStudy({ modality: 'CT', patient, seed: 1, slices: 5, size: 32, studyDateTime: new Date('2025-02-01T02:00:00Z') });
    const dx = generateSyntheticStudy({ modality: 'DX', patient, seed: 1, size: 32, studyDateTime: new Date('2025-01-01T02:00:00Z') });
    const files = [...ct.files].reverse().concat(dx.files, [ct.files[2]!]);
    const rows = files.map((f) => ({ ...summarizeDicom(f.data), storageKey: f.fileName }));
    const { studies, duplicateSopInstanceUids } = groupDicomInstances(rows);
    expect(duplicateSopInstanceUids).toEqual([ct.files[2]!.sopInstanceUid]);
    expect(studies.map((s) => s.studyInstanceUid)).toEqual([dx.studyInstanceUid, ct.studyInstanceUid]);
    const ctStudy = studies[1]!;
    expect(ctStudy.modalities).toEqual(['CT']);
    expect(ctStudy.instanceCount).toBe(5);
    expect(ctStudy.series).toHaveLength(1);
    expect(ctStudy.series[0]!.instances.map((i) => i.instanceNumber)).toEqual([1, 2, 3, 4, 5]);
    expect(ctStudy.series[0]!.instances[0]!.storageKey).toBe('CT_S1_I001.dcm');
  });
});

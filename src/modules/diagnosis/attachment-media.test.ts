import { describe, expect, it } from 'vitest';
import { PNG } from 'pngjs';
import {
  describeEcgRhythm, dicomModalityProblem, imagingOf, jpegSize, readAttachmentMeta, readSlideAttachment, shrinkPng, storedAttachmentMeta, tiffSize,
} from './attachment-media.js';
import { formatEcgJson, generateSyntheticEcg, generateSyntheticStudy } from './media/index.js';

describe('DICOM modality against the request', () => {
  it('DR accepts DX, CR (and DR); CT only CT; non-imaging requests take no DICOM', () => {
    expect(['DX', 'CR', 'DR', 'dx'].map((m) => dicomModalityProblem('DR', m))).toEqual([null, null, null, null]);
    expect(dicomModalityProblem('CT', 'MR')).toMatch(/MR.*CT/);
    expect(dicomModalityProblem('CT', null)).toMatch(/Modality/);
    expect(dicomModalityProblem('ECG-12', 'CT')).toMatch(/不接收/);
  });

  it('reads the header facts; a wrong modality or a non-DICOM file is a 400 on the body', () => {
    const study = generateSyntheticStudy({ modality: 'DX', patient: { id: 'P', name: 'A^B' }, seed: 1, size: 32 });
    expect(readAttachmentMeta('dicom', study.files[0]!.data, 'a.dcm', 'DR')).toMatchObject({ kind: 'dicom', modality: 'DX', rows: 32, frames: 1, instanceNumber: 1 });
    expect(() => readAttachmentMeta('dicom', study.files[0]!.data, 'a.dcm', 'CT')).toThrow(expect.objectContaining({ code: 'invalid', path: 'body' }));
    expect(() => readAttachmentMeta('dicom', Buffer.from('not dicom'), 'a.dcm', 'DR')).toThrow(expect.objectContaining({ code: 'invalid', path: 'body' }));
  });
});

describe('ECG at upload', () => {
  it('a JSON waveform gives format, rate and a rhythm line; a PDF is a document', () => {
    const meta = readAttachmentMeta('ecg', Buffer.from(formatEcgJson(generateSyntheticEcg({ seed: 2, heartRateBpm: 120, durationS: 5, samplingRateHz: 250 }))), 'a.json', 'ECG-12');
    expect(meta).toMatchObject({ kind: 'ecg', format: 'json', samplingRateHz: 250, durationS: 5 });
    expect((meta as { rhythm: string }).rhythm).toMatch(/心动过速/);
    expect(readAttachmentMeta('pdf', Buffer.from('%PDF'), 'a.pdf', 'ECG-12')).toEqual({ kind: 'document' });
    expect(() => readAttachmentMeta('ecg', Buffer.from([0xff, 0xfe, 0x00]), 'a.csv', 'ECG-12')).toThrow(/UTF-8/);
  });

  it('describes rate bands and regularity, and says nothing on too few beats', () => {
    expect(describeEcgRhythm({ heartRateBpm: 50, meanRrMs: 1200, rrSdMs: 20, reliable: true })).toBe('心率 50 次/分，心动过缓，节律规整');
    expect(describeEcgRhythm({ heartRateBpm: 80, meanRrMs: 750, rrSdMs: 200, reliable: true })).toBe('心率 80 次/分，节律不齐');
    expect(describeEcgRhythm({ heartRateBpm: 80, meanRrMs: 750, rrSdMs: 0, reliable: false })).toBeNull();
  });
});

describe('imaging grouping', () => {
  it('orders series by number and instances by number, with download URLs', () => {
    const base = { kind: 'dicom' as const, studyInstanceUid: '1.2', modality: 'CT', rows: 1, columns: 1, frames: 1 };
    const view = imagingOf('r1', [
      { attachmentId: 'a', meta: { ...base, seriesInstanceUid: '1.2.2', sopInstanceUid: '1.2.2.1', seriesNumber: 2, instanceNumber: 1 } },
      { attachmentId: 'b', meta: { ...base, seriesInstanceUid: '1.2.1', sopInstanceUid: '1.2.1.2', seriesNumber: 1, instanceNumber: 2 } },
      { attachmentId: 'c', meta: { ...base, seriesInstanceUid: '1.2.1', sopInstanceUid: '1.2.1.1', seriesNumber: 1, instanceNumber: 1 } },
    ]);
    expect(view.studies[0]!.series.map((s) => s.instances.map((i) => i.attachmentId))).toEqual([['c', 'b'], ['a']]);
    expect(view.studies[0]!.series[0]!.instances[0]!.url).toBe('/api/v1/diagnosis/requests/r1/attachments/c');
  });

  it('shows null for a stored meta that does not fit the contract', () => {
    expect(storedAttachmentMeta(null)).toBeNull();
    expect(storedAttachmentMeta({ kind: 'dicom' })).toBeNull();
    expect(storedAttachmentMeta({ kind: 'document' })).toEqual({ kind: 'document' });
  });
});

describe('slide headers', () => {
  it('JPEG: skips segments to the first SOF (not DHT), handles fill bytes', () => {
    const sof2 = Buffer.from([0xff, 0xd8, 0xff, 0xc4, 0x00, 0x03, 0x00, 0xff, 0xff, 0xc2, 0x00, 0x0b, 0x08, 0x00, 0x10, 0x00, 0x20, 0x01, 0x01, 0x11, 0x00]);
    expect(jpegSize(sof2)).toEqual({ width: 32, height: 16 });
    expect(jpegSize(Buffer.from([0xff, 0xd8, 0xff, 0xda]))).toBeNull();
    expect(jpegSize(Buffer.from('GIF89a'))).toBeNull();
  });

  it('TIFF: ImageWidth and ImageLength of the first IFD, either byte order', () => {
    const le = Buffer.alloc(8 + 2 + 2 * 12);
    le.write('II', 0, 'latin1'); le.writeUInt16LE(42, 2); le.writeUInt32LE(8, 4); le.writeUInt16LE(2, 8);
    le.writeUInt16LE(256, 10); le.writeUInt16LE(4, 12); le.writeUInt32LE(1, 14); le.writeUInt32LE(40000, 18);
    le.writeUInt16LE(257, 22); le.writeUInt16LE(3, 24); le.writeUInt32LE(1, 26); le.writeUInt16LE(30000, 30);
    expect(tiffSize(le)).toEqual({ width: 40000, height: 30000 });
    // 1200 megapixels: read for size, but over the decode limit (slide-image.ts)
    expect(readSlideAttachment(le)).toMatchObject({ kind: 'slide', format: 'tiff', width: 40000, height: 30000, decodable: false });
    expect(() => readSlideAttachment(Buffer.from('nothing'))).toThrow(expect.objectContaining({ path: 'body' }));
  });

  it('shrinks a PNG by area averaging, never enlarging', () => {
    const img = new PNG({ width: 4, height: 2 });
    img.data.fill(255);
    for (let i = 0; i < 4 * 2 * 4; i += 8) { img.data[i] = 0; img.data[i + 1] = 0; img.data[i + 2] = 0; }
    const small = PNG.sync.read(shrinkPng(PNG.sync.write(img), 2));
    expect([small.width, small.height]).toEqual([2, 1]);
    expect(small.data[0]).toBe(128);
    const same = PNG.sync.read(shrinkPng(PNG.sync.write(img), 100));
    expect([same.width, same.height]).toEqual([4, 2]);
  });
});

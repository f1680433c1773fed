import { PNG } from 'pngjs';
import type {
  AttachmentKind, AttachmentMeta, DicomAttachmentMeta, EcgAttachmentMeta, EcgTraceDto, ImagingDto, Modality, SlideAttachmentMeta, SlideImageFormat,
} from '../../contracts/diagnosis.js';
import { attachmentMetaSchema } from '../../contracts/diagnosis.js';
import { AppError, invalid } from '../../shared/errors.js';
import {
  analyseEcgRhythm, dicomDateToIso, groupDicomInstances, isMediaError, parseEcgFile, readDicom, renderDicomThumbnail,
  type EcgRecord, type EcgRhythmFacts, type ParsedDicom,
} from './media/index.js';
import { encodePng, renderSlideThumbnail, shrinkRgba, slideDecodeFacts, slideIsDecodable } from './slide-image.js';

/**
 * Pure rules of attachments that mean something: what is read from a file at upload (DICOM header, ECG waveform,
 * slide image header), whether it fits the request, and how instances are filed into studies and series. No database,
 * no storage: the service calls these before anything is stored, so a refused file leaves nothing behind.
 */

/**
 * DICOM modality codes (PS3.3 C.7.3.1.1.1) accepted for a request's modality. Chinese forms say 「DR」 for digital
 * radiography, which DICOM writes DX (or CR for a computed-radiography plate); some older devices write `DR`.
 */
export const dicomModalitiesByRequestModality: Partial<Record<Modality, readonly string[]>> = {
  DR: ['DX', 'CR', 'DR'],
  CT: ['CT'],
  MR: ['MR'],
  US: ['US'],
};

/** Why a DICOM file does not belong to the request, or null when its modality fits. */
export function dicomModalityProblem(requestModality: Modality, dicomModality: string | null): string | null {
  const accepted = dicomModalitiesByRequestModality[requestModality];
  if (!accepted) return `${requestModality} 申请不接收 DICOM 影像`;
  if (!dicomModality) return `DICOM 文件没有写明检查模态（Modality），本申请为 ${requestModality}，应为 ${accepted.join('/')}`;
  const m = dicomModality.trim().toUpperCase();
  return accepted.includes(m) ? null : `DICOM 文件的检查模态为 ${m}，与本申请的 ${requestModality} 检查不符（应为 ${accepted.join('/')}）`;
}

/**
 * A media parser's refusal as a 400 on the upload's body, keeping the parser's reason and issues in `detail` (a file
 * the server cannot read is the client's input, whatever code the parser chose for other callers).
 */
export function asUploadError(e: unknown): unknown {
  if (!isMediaError(e)) return e;
  return new AppError('invalid', e.message, { path: 'body', detail: e.detail, cause: e });
}

/** Reads a DICOM Part-10 file and the header facts kept with the attachment; throws 400 for a file that is not one. */
export function readDicomAttachment(bytes: Buffer, fileName: string, requestModality: Modality): { parsed: ParsedDicom; meta: DicomAttachmentMeta } {
  let parsed: ParsedDicom;
  try {
    parsed = readDicom(bytes, fileName);
  } catch (e) {
    throw asUploadError(e);
  }
  const s = parsed.summary;
  const problem = dicomModalityProblem(requestModality, s.modality);
  if (problem) throw invalid(problem, 'body');
  return { parsed, meta: dicomMetaOf(s) };
}

function dicomMetaOf(s: ParsedDicom['summary']): DicomAttachmentMeta {
  const opt = <K extends string, V>(key: K, v: V | null): Partial<Record<K, V>> => (v === null ? {} : ({ [key]: v } as Record<K, V>));
  return {
    kind: 'dicom',
    studyInstanceUid: s.studyInstanceUid,
    seriesInstanceUid: s.seriesInstanceUid,
    sopInstanceUid: s.sopInstanceUid,
    ...opt('sopClassUid', s.sopClassUid || null),
    modality: (s.modality ?? '').toUpperCase(),
    ...opt('bodyPart', s.bodyPartExamined),
    ...opt('studyDate', dicomDateToIso(s.studyDate)),
    ...opt('studyDescription', s.studyDescription),
    ...opt('seriesDescription', s.seriesDescription),
    ...opt('seriesNumber', s.seriesNumber === null ? null : Math.trunc(s.seriesNumber)),
    ...opt('instanceNumber', s.instanceNumber === null ? null : Math.trunc(s.instanceNumber)),
    // A structured report or a key-object note carries no image: 0 × 0, no thumbnail.
    rows: s.rows ?? 0,
    columns: s.columns ?? 0,
    frames: s.numberOfFrames,
  };
}

/** Decodes an ECG file's text; the format is UTF-8 (docs/ecg-format.md), a byte-order mark is allowed. */
function ecgText(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw invalid('心电图文件不是 UTF-8 文本：请上传 yilian-ecg 格式的 JSON 或 CSV 文件（PDF 或图片请选择 pdf/image 类型）', 'body');
  }
}

/** Parses a yilian-ecg JSON or CSV file (400 with the parser's issues) and measures the rate on lead II. */
export function readEcgAttachment(bytes: Buffer): { record: EcgRecord; facts: EcgRhythmFacts; meta: EcgAttachmentMeta } {
  const text = ecgText(bytes);
  let record: EcgRecord;
  try {
    record = parseEcgFile(text);
  } catch (e) {
    throw asUploadError(e);
  }
  const facts = analyseEcgRhythm(record);
  const rhythm = describeEcgRhythm(facts);
  const meta: EcgAttachmentMeta = {
    kind: 'ecg',
    format: /^\uFEFF?\s*\{/.test(text) ? 'json' : 'csv',
    samplingRateHz: record.samplingRateHz,
    durationS: record.durationS,
    leads: Object.keys(record.leads),
    ...(facts.heartRateBpm !== null ? { heartRateBpm: facts.heartRateBpm } : {}),
    ...(rhythm ? { rhythm } : {}),
  };
  return { record, facts, meta };
}

/** RR variation (SD ÷ mean) above which the strip is called irregular; sinus arrhythmia of the young stays below ≈ 10 %. */
const irregularRrRatio = 0.12;

/**
 * A rate-and-regularity line for the worklist, from the R-R intervals only. Not a rhythm diagnosis (no P-wave
 * analysis): the words are the rate bands of the Chinese ECG textbook (心动过缓 < 60, 心动过速 > 100 次/分) and
 * regular/irregular by RR variation. Null when fewer than three beats were found.
 */
export function describeEcgRhythm(facts: Pick<EcgRhythmFacts, 'heartRateBpm' | 'meanRrMs' | 'rrSdMs' | 'reliable'>): string | null {
  if (!facts.reliable || facts.heartRateBpm === null || facts.meanRrMs === null || facts.rrSdMs === null) return null;
  const rate = Math.round(facts.heartRateBpm);
  const band = rate < 60 ? '，心动过缓' : rate > 100 ? '，心动过速' : '';
  const regular = facts.rrSdMs / facts.meanRrMs <= irregularRrRatio ? '节律规整' : '节律不齐';
  return `心率 ${rate} 次/分${band}，${regular}`;
}

/** The trace endpoint's body: every lead in µV and the measured facts (the shape of EcgTraceProps plus analysis). */
export function ecgTraceOf(record: EcgRecord): EcgTraceDto {
  const facts = analyseEcgRhythm(record);
  const rhythm = describeEcgRhythm(facts);
  return {
    samplingRateHz: record.samplingRateHz,
    durationS: record.durationS,
    leads: { ...record.leads },
    analysis: {
      ...(facts.heartRateBpm !== null ? { heartRateBpm: facts.heartRateBpm } : {}),
      ...(facts.meanRrMs !== null ? { rrMeanMs: facts.meanRrMs } : {}),
      ...(facts.rrSdMs !== null ? { rrSdMs: facts.rrSdMs } : {}),
      ...(rhythm ? { rhythm } : {}),
      lead: facts.lead,
      rPeakSamples: facts.rPeakSamples,
      reliable: facts.reliable,
      derivedLeads: [...record.derivedLeads],
    },
  };
}

/** Re-reads a stored waveform for the trace endpoint (it was validated at upload). */
export function parseStoredEcg(bytes: Buffer): EcgRecord {
  return parseEcgFile(ecgText(bytes));
}

/**
 * The meta column as the API shows it: validated against the contract, so a row written before parsing existed (or
 * by a later, richer parser) shows null instead of an unchecked shape.
 */
export function storedAttachmentMeta(value: unknown): AttachmentMeta | null {
  if (value === null || value === undefined) return null;
  const parsed = attachmentMetaSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** What the imaging view needs of one stored DICOM attachment. */
export interface StoredDicomInstance {
  attachmentId: string;
  meta: DicomAttachmentMeta;
}

/**
 * Files the request's DICOM attachments into studies → series (by series number) → instances (by instance number),
 * with each instance's download URL. A SOP Instance UID met twice keeps its first upload (uploads refuse duplicates;
 * this only guards older rows).
 */
export function imagingOf(requestId: string, instances: readonly StoredDicomInstance[]): ImagingDto {
  const grouped = groupDicomInstances(
    instances.map((i) => ({
      attachmentId: i.attachmentId,
      studyInstanceUid: i.meta.studyInstanceUid,
      seriesInstanceUid: i.meta.seriesInstanceUid,
      sopInstanceUid: i.meta.sopInstanceUid,
      instanceNumber: i.meta.instanceNumber ?? null,
      seriesNumber: i.meta.seriesNumber ?? null,
      modality: i.meta.modality || null,
      seriesDescription: i.meta.seriesDescription ?? null,
      studyDescription: i.meta.studyDescription ?? null,
      // grouping orders studies by DA (YYYYMMDD); the ISO form sorts the same way
      studyDate: i.meta.studyDate ?? null,
    })),
  );
  return {
    studies: grouped.studies.map((st) => ({
      studyInstanceUid: st.studyInstanceUid,
      ...(st.studyDate ? { studyDate: st.studyDate } : {}),
      ...(st.studyDescription ? { description: st.studyDescription } : {}),
      modalities: st.modalities,
      series: st.series.map((se) => ({
        seriesInstanceUid: se.seriesInstanceUid,
        modality: se.modality ?? '',
        ...(se.seriesDescription ? { description: se.seriesDescription } : {}),
        ...(se.seriesNumber !== null ? { seriesNumber: se.seriesNumber } : {}),
        instances: se.instances.map((inst) => ({
          attachmentId: inst.attachmentId,
          ...(inst.instanceNumber !== null ? { instanceNumber: inst.instanceNumber } : {}),
          url: `/api/v1/diagnosis/requests/${requestId}/attachments/${inst.attachmentId}`,
        })),
      })),
    })),
  };
}

// ---- pathology slide images: dimensions from the file header (no image library needed)

/** PNG: signature, then the IHDR chunk's width and height (PNG spec §11.2.2). */
function pngSize(b: Buffer): { width: number; height: number } | null {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (b.length < 24 || !sig.every((x, i) => b[i] === x) || b.toString('latin1', 12, 16) !== 'IHDR') return null;
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

/**
 * JPEG: walks the marker segments (ITU T.81 §B.1.1) to the first start-of-frame (SOF0–SOF15 except DHT C4, JPG C8,
 * DAC CC), whose body holds precision, height, width. Stand-alone markers (RSTn, TEM) carry no length.
 */
export function jpegSize(b: Uint8Array): { width: number; height: number } | null {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return null;
  let i = 2;
  while (i + 3 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1]!;
    if (marker === 0xff) { i += 1; continue; } // fill byte
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { i += 2; continue; }
    if (marker === 0xd9 || marker === 0xda) return null; // end of image / start of scan before any frame header
    const length = (b[i + 2]! << 8) | b[i + 3]!;
    if (length < 2) return null;
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) {
      if (i + 8 >= b.length) return null;
      return { height: (b[i + 5]! << 8) | b[i + 6]!, width: (b[i + 7]! << 8) | b[i + 8]! };
    }
    i += 2 + length;
  }
  return null;
}

/** TIFF (and BigTIFF-free pyramidal slide TIFFs): ImageWidth (256) and ImageLength (257) of the first IFD (TIFF 6.0 §2). */
export function tiffSize(b: Buffer): { width: number; height: number } | null {
  if (b.length < 8) return null;
  const order = b.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return null;
  const le = order === 'II';
  const u16 = (o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  if (u16(2) !== 42) return null;
  const ifd = u32(4);
  if (ifd + 2 > b.length) return null;
  const count = u16(ifd);
  let width: number | null = null;
  let height: number | null = null;
  for (let k = 0; k < count; k++) {
    const e = ifd + 2 + k * 12;
    if (e + 12 > b.length) return null;
    const tag = u16(e);
    const type = u16(e + 2);
    const value = type === 3 ? u16(e + 8) : u32(e + 8); // SHORT or LONG
    if (tag === 256) width = value;
    if (tag === 257) height = value;
  }
  return width && height ? { width, height } : null;
}

/**
 * Reads a slide image's format and size, and whether the server will decode it (slide-image.ts: size limit, TIFF
 * codec); anything but PNG, JPEG or TIFF is refused with 400. The pixels are not decoded here: a large upload would
 * hold the request for seconds, and the header is enough to accept or refuse the file.
 */
export function readSlideAttachment(bytes: Buffer): SlideAttachmentMeta {
  const header = slideHeader(bytes);
  if (!header) throw invalid('切片图像须为 PNG、JPEG 或 TIFF 文件，且文件头可读出宽和高', 'body');
  return { ...header, ...slideDecodeFacts(header, bytes) };
}

function slideHeader(bytes: Buffer): SlideAttachmentMeta | null {
  const png = pngSize(bytes);
  if (png) return { kind: 'slide', format: 'png', ...png };
  const jpeg = jpegSize(bytes);
  if (jpeg) return { kind: 'slide', format: 'jpeg', ...jpeg };
  const tiff = tiffSize(bytes);
  if (tiff) return { kind: 'slide', format: 'tiff', ...tiff };
  return null;
}

/**
 * The facts kept with an upload, by kind: DICOM header (modality checked against the request), ECG waveform summary,
 * slide dimensions; a PDF or image (an ECG printout included) is a document with nothing parsed. Throws 400.
 */
export function readAttachmentMeta(kind: AttachmentKind, bytes: Buffer, fileName: string, requestModality: Modality): AttachmentMeta {
  switch (kind) {
    case 'dicom': return readDicomAttachment(bytes, fileName, requestModality).meta;
    case 'ecg': return readEcgAttachment(bytes).meta;
    case 'slide': return readSlideAttachment(bytes);
    case 'pdf':
    case 'image': return { kind: 'document' };
  }
}

/** Slide formats the server draws thumbnails of (pngjs, jpeg-js, utif2), within the decode limit of slide-image.ts. */
export const thumbnailableSlideFormats: readonly SlideImageFormat[] = ['png', 'jpeg', 'tiff'];

/**
 * Why an attachment has no thumbnail at all (404), or null. A slide the server will not decode (meta `decodable:
 * false`) says why, so the viewer's message and the API's agree.
 */
export function thumbnailAbsence(meta: AttachmentMeta | null): string | null {
  if (meta?.kind === 'dicom') return null;
  if (meta?.kind === 'slide') {
    if (!thumbnailableSlideFormats.includes(meta.format)) return `${meta.format} 切片图像没有缩略图`;
    return slideIsDecodable(meta) ? null : (meta.notDecodedReason ?? '该切片图像超过服务器解码上限，没有缩略图');
  }
  return '只有 DICOM 影像和切片图像有缩略图';
}

/** A PNG thumbnail of a DICOM image or a slide, the longer side at most `maxSize`. Throws 400/415 for undrawable pixels. */
export function renderAttachmentThumbnail(meta: AttachmentMeta, bytes: Buffer, maxSize: number): Buffer {
  if (meta.kind === 'dicom') return renderDicomThumbnail(bytes, { maxSize });
  if (meta.kind === 'slide') return renderSlideThumbnail(meta.format, bytes, maxSize);
  throw invalid('该附件不能生成缩略图', 'attachmentId');
}

/** Shrinks a PNG by area averaging (slide-image.ts `shrinkRgba`); never enlarges. */
export function shrinkPng(bytes: Buffer, maxSize: number): Buffer {
  const src = PNG.sync.read(bytes);
  return encodePng(shrinkRgba({ width: src.width, height: src.height, data: src.data }, maxSize));
}

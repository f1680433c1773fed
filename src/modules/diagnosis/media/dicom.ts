import type { DicomDict, NaturalizedDataset } from 'dcmjs';
import { dcmjsData } from './dcmjs-lazy.js';
import { isValidUid } from './dicom-uid.js';
import { MediaError } from './media-error.js';


/**
 * Transfer syntaxes (PS3.5 §10, PS3.6 Annex A) whose pixel data is stored native, little endian: the thumbnail
 * renderer reads these. dcmjs inflates the deflated syntax while reading.
 */
const nativeLittleEndian: Record<string, string> = {
  '1.2.840.10008.1.2': 'Implicit VR Little Endian',
  '1.2.840.10008.1.2.1': 'Explicit VR Little Endian',
  '1.2.840.10008.1.2.1.99': 'Deflated Explicit VR Little Endian',
};
/** Names of the other common syntaxes, for messages; any syntax not listed is still read (header only). */
const otherTransferSyntaxes: Record<string, string> = {
  '1.2.840.10008.1.2.2': 'Explicit VR Big Endian (retired)',
  '1.2.840.10008.1.2.4.50': 'JPEG Baseline (Process 1)',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended (Process 2 & 4)',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless, Non-Hierarchical (Process 14)',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless, First-Order Prediction (Process 14, SV1)',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Near-Lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 (Lossless Only)',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.4.201': 'High-Throughput JPEG 2000 (Lossless Only)',
  '1.2.840.10008.1.2.4.203': 'High-Throughput JPEG 2000',
  '1.2.840.10008.1.2.5': 'RLE Lossless',
};

export interface TransferSyntaxInfo {
  uid: string;
  name: string;
  /** Pixel data is encapsulated (compressed) or big endian: header readable, no thumbnail. */
  compressed: boolean;
  /** The thumbnail renderer can decode the pixel data of this syntax. */
  thumbnailSupported: boolean;
}

/** What a transfer syntax UID means for this layer. */
export function describeTransferSyntax(uid: string): TransferSyntaxInfo {
  const native = nativeLittleEndian[uid];
  if (native) return { uid, name: native, compressed: false, thumbnailSupported: true };
  const name = otherTransferSyntaxes[uid] ?? uid;
  // Big endian is native but byte-swapped; it is retired (PS3.5 §A.3) and not worth a second pixel path.
  return { uid, name, compressed: uid !== '1.2.840.10008.1.2.2', thumbnailSupported: false };
}

/**
 * The header facts of one DICOM instance that the diagnosis module stores and shows. Patient and study attributes
 * are as written in the file (DICOM DA `YYYYMMDD`, TM `HHMMSS.FFFFFF`, PN with `^` and `=`); nothing is corrected.
 */
export interface DicomInstanceSummary {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  sopClassUid: string;
  modality: string | null;
  /** (0010,0010) as in the file: alphabetic, ideographic and phonetic groups joined with "=". */
  patientName: string | null;
  /** The groups of the patient name; the ideographic group holds the Chinese characters where the device wrote them. */
  patientNameParts: { alphabetic: string | null; ideographic: string | null; phonetic: string | null };
  patientId: string | null;
  /** DA, `YYYYMMDD`. */
  patientBirthDate: string | null;
  /** CS: M, F or O. */
  patientSex: string | null;
  /** DA, `YYYYMMDD`. */
  studyDate: string | null;
  /** TM, `HHMMSS[.FFFFFF]`. */
  studyTime: string | null;
  studyId: string | null;
  accessionNumber: string | null;
  studyDescription: string | null;
  seriesDescription: string | null;
  bodyPartExamined: string | null;
  seriesNumber: number | null;
  instanceNumber: number | null;
  institutionName: string | null;
  /** The character set of the text attributes, e.g. `ISO_IR 192` (UTF-8) or `GB18030`. */
  specificCharacterSet: string | null;
  rows: number | null;
  columns: number | null;
  numberOfFrames: number;
  samplesPerPixel: number | null;
  bitsAllocated: number | null;
  bitsStored: number | null;
  highBit: number | null;
  /** 0 unsigned, 1 two's complement. */
  pixelRepresentation: number | null;
  photometricInterpretation: string | null;
  /** The first window (VOI LUT, PS3.3 §C.11.2) in the file; a file may carry several. */
  windowCenter: number | null;
  windowWidth: number | null;
  /** Modality LUT (PS3.3 §C.11.1): output = stored × slope + intercept. Defaults 1 and 0 when absent. */
  rescaleSlope: number;
  rescaleIntercept: number;
  /** Row spacing, column spacing in mm ((0028,0030), else (0018,1164) Imager Pixel Spacing). */
  pixelSpacing: [number, number] | null;
  hasPixelData: boolean;
  transferSyntax: TransferSyntaxInfo;
}

/** A read file: the summary plus the naturalized dataset (keyword → value) for the thumbnail renderer. */
export interface ParsedDicom {
  summary: DicomInstanceSummary;
  dataset: NaturalizedDataset;
}

/** The bytes as an ArrayBuffer of exactly their length (a Node Buffer is often a view into a larger pool). */
function toArrayBuffer(input: Uint8Array | ArrayBuffer): ArrayBuffer {
  if (input instanceof ArrayBuffer) return input;
  return input.buffer.slice(input.byteOffset, input.byteOffset + input.byteLength) as ArrayBuffer;
}

/** PS3.10 §7.1: a 128-byte preamble, then the four bytes "DICM". */
export function hasDicomPreamble(input: Uint8Array | ArrayBuffer): boolean {
  const bytes = input instanceof ArrayBuffer ? new Uint8Array(input) : input;
  return bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;
}

/**
 * Reads a DICOM Part-10 file with dcmjs and returns its summary and naturalized dataset. The whole dataset is read,
 * including compressed pixel data (kept as its fragments), so the header is available whatever the transfer syntax.
 * Throws MediaError `dicom_not_part10`, `dicom_unreadable` or `dicom_missing_uid`.
 */
export function readDicom(input: Uint8Array | ArrayBuffer, fileName?: string): ParsedDicom {
  const where = fileName ? `「${fileName}」` : '';
  const whereEn = fileName ? ` "${fileName}"` : '';
  if (!hasDicomPreamble(input)) {
    throw new MediaError(
      'dicom_not_part10',
      `文件${where}不是 DICOM 文件：缺少 128 字节前导区后的 “DICM” 标记（DICOM 第 10 部分格式）`,
      `The file${whereEn} is not a DICOM file: no "DICM" marker after the 128-byte preamble (DICOM Part 10)`,
      { code: 'unsupported_media_type', path: 'file' },
    );
  }
  let dict: DicomDict;
  try {
    dict = dcmjsData().DicomMessage.readFile(toArrayBuffer(input));
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new MediaError(
      'dicom_unreadable',
      `DICOM 文件${where}无法读取（文件可能已截断或损坏）：${why}`,
      `The DICOM file${whereEn} cannot be read (it may be truncated or damaged): ${why}`,
      { path: 'file', cause },
    );
  }
  const { DicomMetaDictionary } = dcmjsData();
  const meta = DicomMetaDictionary.naturalizeDataset(dict.meta);
  const dataset = DicomMetaDictionary.naturalizeDataset(dict.dict);
  const transferSyntaxUid = text(meta['TransferSyntaxUID']) ?? '1.2.840.10008.1.2';
  const summary = summarize(dataset, transferSyntaxUid, meta);
  const uids = [
    ['studyInstanceUid', 'StudyInstanceUID', '检查实例 UID'],
    ['seriesInstanceUid', 'SeriesInstanceUID', '序列实例 UID'],
    ['sopInstanceUid', 'SOPInstanceUID', 'SOP 实例 UID'],
    ['sopClassUid', 'SOPClassUID', 'SOP 类 UID'],
  ] as const;
  for (const [field, keyword, zh] of uids) {
    const value = summary[field];
    if (!isValidUid(value)) {
      const shown = value ? `“${value}”不是有效的 UID` : '缺失';
      throw new MediaError(
        'dicom_missing_uid',
        `DICOM 文件${where}的${zh}（${keyword}）${shown}，无法归入检查和序列`,
        `The DICOM file${whereEn} has ${value ? `an invalid ${keyword} "${value}"` : `no ${keyword}`}; it cannot be filed under a study and series`,
        { path: keyword },
      );
    }
  }
  return { summary, dataset };
}

/** The summary of one DICOM Part-10 file (see readDicom for the errors). */
export function summarizeDicom(input: Uint8Array | ArrayBuffer, fileName?: string): DicomInstanceSummary {
  return readDicom(input, fileName).summary;
}

function summarize(ds: NaturalizedDataset, transferSyntaxUid: string, meta: NaturalizedDataset): DicomInstanceSummary {
  const name = personName(ds['PatientName']);
  const spacing = numbers(ds['PixelSpacing']) ?? numbers(ds['ImagerPixelSpacing']);
  return {
    // The meta header's copies stand in when the dataset lacks them (PS3.10 §7.1 requires them to agree).
    studyInstanceUid: text(ds['StudyInstanceUID']) ?? '',
    seriesInstanceUid: text(ds['SeriesInstanceUID']) ?? '',
    sopInstanceUid: text(ds['SOPInstanceUID']) ?? text(meta['MediaStorageSOPInstanceUID']) ?? '',
    sopClassUid: text(ds['SOPClassUID']) ?? text(meta['MediaStorageSOPClassUID']) ?? '',
    modality: text(ds['Modality']),
    patientName: name.full,
    patientNameParts: { alphabetic: name.alphabetic, ideographic: name.ideographic, phonetic: name.phonetic },
    patientId: text(ds['PatientID']),
    patientBirthDate: text(ds['PatientBirthDate']),
    patientSex: text(ds['PatientSex']),
    studyDate: text(ds['StudyDate']),
    studyTime: text(ds['StudyTime']),
    studyId: text(ds['StudyID']),
    accessionNumber: text(ds['AccessionNumber']),
    studyDescription: text(ds['StudyDescription']),
    seriesDescription: text(ds['SeriesDescription']),
    bodyPartExamined: text(ds['BodyPartExamined']),
    seriesNumber: num(ds['SeriesNumber']),
    instanceNumber: num(ds['InstanceNumber']),
    institutionName: text(ds['InstitutionName']),
    specificCharacterSet: multiText(ds['SpecificCharacterSet']),
    rows: num(ds['Rows']),
    columns: num(ds['Columns']),
    numberOfFrames: num(ds['NumberOfFrames']) ?? 1,
    samplesPerPixel: num(ds['SamplesPerPixel']),
    bitsAllocated: num(ds['BitsAllocated']),
    bitsStored: num(ds['BitsStored']),
    highBit: num(ds['HighBit']),
    pixelRepresentation: num(ds['PixelRepresentation']),
    photometricInterpretation: text(ds['PhotometricInterpretation']),
    windowCenter: num(ds['WindowCenter']),
    windowWidth: num(ds['WindowWidth']),
    rescaleSlope: num(ds['RescaleSlope']) ?? 1,
    rescaleIntercept: num(ds['RescaleIntercept']) ?? 0,
    pixelSpacing: spacing && spacing.length >= 2 ? [spacing[0]!, spacing[1]!] : null,
    hasPixelData: ds['PixelData'] !== undefined,
    transferSyntax: describeTransferSyntax(transferSyntaxUid),
  };
}

/** A naturalized value is a scalar for VM 1 and an array otherwise; take the first. */
function first(v: unknown): unknown {
  return Array.isArray(v) ? v[0] : v;
}

function text(v: unknown): string | null {
  const f = first(v);
  if (f === undefined || f === null) return null;
  const s = String(f).replace(/\0/g, '').trim();
  return s === '' ? null : s;
}

/** Multi-valued CS such as `\ISO 2022 IR 58` joined back with "\" as in the file. */
function multiText(v: unknown): string | null {
  if (Array.isArray(v)) {
    const joined = v.map((x) => (x === null || x === undefined ? '' : String(x).trim())).join('\\');
    return joined.replace(/\\+$/, '') || null;
  }
  return text(v);
}

function num(v: unknown): number | null {
  const f = first(v);
  if (f === undefined || f === null || f === '') return null;
  const n = typeof f === 'number' ? f : Number(String(f).trim());
  return Number.isFinite(n) ? n : null;
}

function numbers(v: unknown): number[] | null {
  if (v === undefined || v === null) return null;
  const list = (Array.isArray(v) ? v : [v]).map((x) => (typeof x === 'number' ? x : Number(String(x).trim())));
  return list.every(Number.isFinite) ? list : null;
}

/** dcmjs gives PN as `[{ Alphabetic, Ideographic, Phonetic }]` (DICOM JSON, PS3.18 §F.2.2), or a plain string. */
function personName(v: unknown): {
  full: string | null;
  alphabetic: string | null;
  ideographic: string | null;
  phonetic: string | null;
} {
  const f = first(v);
  if (f && typeof f === 'object') {
    const o = f as Record<string, unknown>;
    const alphabetic = text(o['Alphabetic']);
    const ideographic = text(o['Ideographic']);
    const phonetic = text(o['Phonetic']);
    const groups = [alphabetic ?? '', ideographic ?? '', phonetic ?? ''];
    while (groups.length > 1 && groups[groups.length - 1] === '') groups.pop();
    const full = groups.join('=');
    return { full: full === '' ? null : full, alphabetic, ideographic, phonetic };
  }
  const s = text(f);
  if (s === null) return { full: null, alphabetic: null, ideographic: null, phonetic: null };
  const [a, i, p] = s.split('=');
  return { full: s, alphabetic: a?.trim() || null, ideographic: i?.trim() || null, phonetic: p?.trim() || null };
}

/** One series of a grouped upload; its instances are ordered by instance number. */
export interface DicomSeriesGroup<T extends GroupableInstance> {
  seriesInstanceUid: string;
  seriesNumber: number | null;
  modality: string | null;
  seriesDescription: string | null;
  bodyPartExamined: string | null;
  instances: T[];
}

/** One study of a grouped upload. */
export interface DicomStudyGroup<T extends GroupableInstance> {
  studyInstanceUid: string;
  patientId: string | null;
  patientName: string | null;
  studyDate: string | null;
  studyTime: string | null;
  studyDescription: string | null;
  accessionNumber: string | null;
  /** The distinct modalities of the series, e.g. ["CT"]. */
  modalities: string[];
  instanceCount: number;
  series: DicomSeriesGroup<T>[];
}

/** The fields grouping needs; pass summaries or your own rows that carry them (extra fields are kept). */
export type GroupableInstance = Pick<
  DicomInstanceSummary,
  'studyInstanceUid' | 'seriesInstanceUid' | 'sopInstanceUid' | 'instanceNumber'
> &
  Partial<
    Pick<
      DicomInstanceSummary,
      | 'seriesNumber'
      | 'modality'
      | 'seriesDescription'
      | 'bodyPartExamined'
      | 'patientId'
      | 'patientName'
      | 'studyDate'
      | 'studyTime'
      | 'studyDescription'
      | 'accessionNumber'
    >
  >;

export interface GroupedDicom<T extends GroupableInstance> {
  studies: DicomStudyGroup<T>[];
  /** SOP Instance UIDs met more than once; the first occurrence is kept (the same file uploaded twice). */
  duplicateSopInstanceUids: string[];
}

/**
 * Groups instances into studies → series → instances. Studies are ordered by date and time, series by series number,
 * instances by instance number (then SOP Instance UID, so the order is total). Pure; keeps the caller's objects.
 */
export function groupDicomInstances<T extends GroupableInstance>(instances: readonly T[]): GroupedDicom<T> {
  const seen = new Set<string>();
  const duplicates: string[] = [];
  const studies = new Map<string, { study: DicomStudyGroup<T>; series: Map<string, DicomSeriesGroup<T>> }>();
  for (const inst of instances) {
    if (seen.has(inst.sopInstanceUid)) {
      duplicates.push(inst.sopInstanceUid);
      continue;
    }
    seen.add(inst.sopInstanceUid);
    let entry = studies.get(inst.studyInstanceUid);
    if (!entry) {
      entry = {
        study: {
          studyInstanceUid: inst.studyInstanceUid,
          patientId: inst.patientId ?? null,
          patientName: inst.patientName ?? null,
          studyDate: inst.studyDate ?? null,
          studyTime: inst.studyTime ?? null,
          studyDescription: inst.studyDescription ?? null,
          accessionNumber: inst.accessionNumber ?? null,
          modalities: [],
          instanceCount: 0,
          series: [],
        },
        series: new Map(),
      };
      studies.set(inst.studyInstanceUid, entry);
    }
    let series = entry.series.get(inst.seriesInstanceUid);
    if (!series) {
      series = {
        seriesInstanceUid: inst.seriesInstanceUid,
        seriesNumber: inst.seriesNumber ?? null,
        modality: inst.modality ?? null,
        seriesDescription: inst.seriesDescription ?? null,
        bodyPartExamined: inst.bodyPartExamined ?? null,
        instances: [],
      };
      entry.series.set(inst.seriesInstanceUid, series);
      entry.study.series.push(series);
      if (series.modality && !entry.study.modalities.includes(series.modality)) entry.study.modalities.push(series.modality);
    }
    series.instances.push(inst);
    entry.study.instanceCount += 1;
  }
  const nullsLast = (a: number | null, b: number | null): number =>
    a === b ? 0 : a === null ? 1 : b === null ? -1 : a - b;
  const result = [...studies.values()].map(({ study }) => {
    for (const s of study.series) {
      s.instances.sort(
        (a, b) => nullsLast(a.instanceNumber, b.instanceNumber) || a.sopInstanceUid.localeCompare(b.sopInstanceUid),
      );
    }
    study.series.sort(
      (a, b) => nullsLast(a.seriesNumber, b.seriesNumber) || a.seriesInstanceUid.localeCompare(b.seriesInstanceUid),
    );
    return study;
  });
  result.sort(
    (a, b) =>
      `${a.studyDate ?? '99999999'}${a.studyTime ?? ''}`.localeCompare(`${b.studyDate ?? '99999999'}${b.studyTime ?? ''}`) ||
      a.studyInstanceUid.localeCompare(b.studyInstanceUid),
  );
  return { studies: result, duplicateSopInstanceUids: duplicates };
}

/** `YYYYMMDD` (DICOM DA) → `YYYY-MM-DD`, or null when it is not a full date. */
export function dicomDateToIso(da: string | null): string | null {
  if (!da) return null;
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(da.trim());
  return m ? `${m[1]}-${m[2]}-${m[3]}` : null;
}

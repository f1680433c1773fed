import type { NaturalizedDataset } from 'dcmjs';
import { dcmjsData } from './dcmjs-lazy.js';
import { dicomUidFromName, implementationClassUid, implementationVersionName } from './dicom-uid.js';
import { createRng, type Rng } from './prng.js';


/** Modalities the generator draws (PS3.3 §C.7.3.1.1.1 defined terms). */
export const syntheticModalities = ['DX', 'CR', 'CT', 'MR', 'US'] as const;
export type SyntheticModality = (typeof syntheticModalities)[number];
export const syntheticRegions = ['chest', 'head', 'abdomen'] as const;
export type SyntheticRegion = (typeof syntheticRegions)[number];

export interface SyntheticPatient {
  id: string;
  /** DICOM PN: `Family^Given`, with the Chinese name as the ideographic group, e.g. `Zhang^San=张^三`. */
  name: string;
  /** `YYYY-MM-DD` or `YYYYMMDD`. */
  birthDate?: string;
  sex?: 'M' | 'F' | 'O';
}

export interface SyntheticStudyOptions {
  modality: SyntheticModality;
  patient: SyntheticPatient;
  /** Same seed (and options) → byte-identical files, UIDs included. */
  seed: number | string;
  /** Default: DX/CR chest, CT/MR head, US abdomen. US draws the abdomen (liver) whatever is asked. */
  region?: SyntheticRegion;
  /** When the study was made; written as Beijing time (DA/TM are local time, PS3.5 §6.2) with offset +0800. Default 2025-01-06 09:30 Beijing time. */
  studyDateTime?: Date;
  /** Image matrix (longer side). Defaults: DX/CR 512, CT/MR 256, US 320. */
  size?: number;
  /** CT/MR slices. Default 12. */
  slices?: number;
  accessionNumber?: string;
  studyDescription?: string;
  institutionName?: string;
  referringPhysicianName?: string;
  /** Mixed into every UID, so a caller can make two distinct studies from the same seed. */
  uidSalt?: string;
}

export interface SyntheticDicomFile {
  /** e.g. `CT_S1_I003.dcm`. */
  fileName: string;
  sopInstanceUid: string;
  seriesInstanceUid: string;
  instanceNumber: number;
  /** A DICOM Part-10 file, Explicit VR Little Endian. */
  data: Buffer;
}

export interface SyntheticStudy {
  studyInstanceUid: string;
  modality: SyntheticModality;
  region: SyntheticRegion;
  files: SyntheticDicomFile[];
}

const sopClassByModality: Record<SyntheticModality, string> = {
  DX: '1.2.840.10008.5.1.4.1.1.1.1', // Digital X-Ray Image Storage – For Presentation
  CR: '1.2.840.10008.5.1.4.1.1.1', // Computed Radiography Image Storage
  CT: '1.2.840.10008.5.1.4.1.1.2', // CT Image Storage
  MR: '1.2.840.10008.5.1.4.1.1.4', // MR Image Storage
  US: '1.2.840.10008.5.1.4.1.1.6.1', // Ultrasound Image Storage
};
const explicitVrLittleEndian = '1.2.840.10008.1.2.1';

const descriptions: Record<SyntheticModality, Record<SyntheticRegion, string>> = {
  DX: { chest: 'DR 胸部正位', head: 'DR 头颅正位', abdomen: 'DR 腹部平片' },
  CR: { chest: 'CR 胸部正位', head: 'CR 头颅正位', abdomen: 'CR 腹部平片' },
  CT: { chest: 'CT 胸部平扫', head: 'CT 头颅平扫', abdomen: 'CT 上腹部平扫' },
  MR: { chest: 'MR 胸部', head: 'MR 头颅 T1WI', abdomen: 'MR 上腹部' },
  US: { chest: '超声 腹部', head: '超声 腹部', abdomen: '超声 肝胆' },
};
const bodyParts: Record<SyntheticRegion, string> = { chest: 'CHEST', head: 'HEAD', abdomen: 'ABDOMEN' };

/**
 * Generates a synthetic study as valid DICOM Part-10 files written by dcmjs: a file meta header (PS3.10 §7.1) with
 * Explicit VR Little Endian, and UIDs of the form 2.25.<UUID as a decimal> (PS3.5 §B.2) derived from the seed, so
 * nothing is downloaded and no organisational root is invented. The images are phantoms, recognisable but not
 * anatomy: a PA chest (lungs, heart, spine, ribs, clavicles) for DX/CR, a head or abdomen CT series in Hounsfield
 * units (stored + 1024, rescale intercept −1024), a T1-like head MR series, a liver ultrasound (RGB). Deterministic.
 * The files carry the attributes viewers and this layer need; they are not validated against every IOD condition.
 */
export function generateSyntheticStudy(options: SyntheticStudyOptions): SyntheticStudy {
  const { modality, patient, seed } = options;
  const region: SyntheticRegion =
    modality === 'US' ? 'abdomen' : (options.region ?? (modality === 'DX' || modality === 'CR' ? 'chest' : 'head'));
  const uid = (what: string) =>
    dicomUidFromName([options.uidSalt ?? '', String(seed), patient.id, modality, region, what].join('|'));
  const studyInstanceUid = uid('study');
  const seriesInstanceUid = uid('series/1');
  const frameOfReferenceUid = uid('frame-of-reference');
  const when = beijingDateTime(options.studyDateTime ?? new Date(Date.UTC(2025, 0, 6, 1, 30, 0)));
  const rng = createRng(`${String(seed)}|${modality}|${region}`);
  const sopClassUid = sopClassByModality[modality];

  const common: NaturalizedDataset = {
    SpecificCharacterSet: 'ISO_IR 192',
    ImageType: modality === 'CT' ? ['ORIGINAL', 'PRIMARY', 'AXIAL'] : ['ORIGINAL', 'PRIMARY'],
    SOPClassUID: sopClassUid,
    StudyDate: when.date,
    SeriesDate: when.date,
    ContentDate: when.date,
    StudyTime: when.time,
    SeriesTime: when.time,
    ContentTime: when.time,
    TimezoneOffsetFromUTC: '+0800',
    AccessionNumber: options.accessionNumber ?? '',
    Modality: modality,
    Manufacturer: 'Yilian synthetic phantom',
    InstitutionName: options.institutionName ?? '',
    ReferringPhysicianName: options.referringPhysicianName ?? '',
    StudyDescription: options.studyDescription ?? descriptions[modality][region],
    SeriesDescription: descriptions[modality][region],
    PatientName: patient.name,
    PatientID: patient.id,
    PatientBirthDate: patient.birthDate ? patient.birthDate.replace(/-/g, '') : '',
    PatientSex: patient.sex ?? '',
    BodyPartExamined: bodyParts[region],
    StudyInstanceUID: studyInstanceUid,
    SeriesInstanceUID: seriesInstanceUid,
    StudyID: '1',
    SeriesNumber: 1,
    BurnedInAnnotation: 'NO',
  };

  const images = drawImages(modality, region, options, rng);
  const files = images.map((img, i): SyntheticDicomFile => {
    const instanceNumber = i + 1;
    const sopInstanceUid = uid(`instance/${instanceNumber}`);
    const ds: NaturalizedDataset = {
      ...common,
      SOPInstanceUID: sopInstanceUid,
      InstanceNumber: instanceNumber,
      ...img.attributes,
      ...(img.position ? { FrameOfReferenceUID: frameOfReferenceUid, PositionReferenceIndicator: '' } : {}),
      PixelData: [img.pixels.buffer.slice(img.pixels.byteOffset, img.pixels.byteOffset + img.pixels.byteLength)],
      _vrMap: { PixelData: img.attributes['BitsAllocated'] === 8 ? 'OB' : 'OW' },
    };
    return {
      fileName: `${modality}_S1_I${String(instanceNumber).padStart(3, '0')}.dcm`,
      sopInstanceUid,
      seriesInstanceUid,
      instanceNumber,
      data: writePart10(ds),
    };
  });
  return { studyInstanceUid, modality, region, files };
}

/** Writes a naturalized dataset as a Part-10 file with our own file meta information (PS3.10 §7.1). */
export function writePart10(dataset: NaturalizedDataset, transferSyntaxUid = explicitVrLittleEndian): Buffer {
  const meta: NaturalizedDataset = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: dataset['SOPClassUID'],
    MediaStorageSOPInstanceUID: dataset['SOPInstanceUID'],
    TransferSyntaxUID: transferSyntaxUid,
    ImplementationClassUID: implementationClassUid,
    ImplementationVersionName: implementationVersionName,
  };
  const { DicomDict, DicomMetaDictionary } = dcmjsData();
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  return Buffer.from(dict.write());
}

function beijingDateTime(d: Date): { date: string; time: string } {
  const t = new Date(d.getTime() + 8 * 3600_000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return {
    date: `${p(t.getUTCFullYear(), 4)}${p(t.getUTCMonth() + 1)}${p(t.getUTCDate())}`,
    time: `${p(t.getUTCHours())}${p(t.getUTCMinutes())}${p(t.getUTCSeconds())}`,
  };
}

interface DrawnImage {
  pixels: Uint8Array | Uint16Array;
  attributes: NaturalizedDataset;
  position: boolean;
}

function drawImages(modality: SyntheticModality, region: SyntheticRegion, o: SyntheticStudyOptions, rng: Rng): DrawnImage[] {
  switch (modality) {
    case 'DX':
    case 'CR':
      return [drawRadiograph(modality, region, o.size ?? 512, rng)];
    case 'CT':
      return drawCt(region, o.size ?? 256, o.slices ?? 12, rng);
    case 'MR':
      return drawMr(o.size ?? 256, o.slices ?? 12, rng);
    case 'US':
      return [drawUltrasound(o.size ?? 320, rng)];
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Shapes. Coordinates are normalised: u from −1 (image left) to 1 (right), v from −1 (top) to 1 (bottom).

const smoothstep = (e0: number, e1: number, x: number): number => {
  const t = Math.min(1, Math.max(0, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
};
/** Normalised elliptical radius: < 1 inside. */
const er = (u: number, v: number, cx: number, cy: number, rx: number, ry: number): number =>
  Math.sqrt(((u - cx) / rx) ** 2 + ((v - cy) / ry) ** 2);
/** Soft membership of an ellipse (1 inside, 0 outside, a smooth edge of ±edge in normalised radius). */
const inside = (u: number, v: number, cx: number, cy: number, rx: number, ry: number, edge = 0.03): number =>
  1 - smoothstep(1 - edge, 1 + edge, er(u, v, cx, cy, rx, ry));

/** A PA chest radiograph as summed attenuation (brighter = denser), as DX (MONOCHROME2) or CR (MONOCHROME1). */
function drawRadiograph(modality: 'DX' | 'CR', region: SyntheticRegion, size: number, rng: Rng): DrawnImage {
  const rows = size;
  const columns = size;
  const px = new Uint16Array(rows * columns);
  for (let y = 0; y < rows; y++) {
    const v = ((y + 0.5) / rows) * 2 - 1;
    for (let x = 0; x < columns; x++) {
      const u = ((x + 0.5) / columns) * 2 - 1;
      const a = region === 'chest' ? chestAttenuation(u, v) : region === 'head' ? skullAttenuation(u, v) : abdomenAttenuation(u, v);
      let value = 250 + a * 2200 + rng.normal() * 20;
      value = Math.min(4095, Math.max(0, Math.round(value)));
      px[y * columns + x] = modality === 'CR' ? 4095 - value : value;
    }
  }
  const spacing = 430 / size; // a 43 cm detector
  return {
    pixels: px,
    position: false,
    attributes: {
      ...(modality === 'DX' ? { PresentationIntentType: 'FOR PRESENTATION' } : {}),
      ViewPosition: region === 'chest' ? 'PA' : 'AP',
      PatientOrientation: ['L', 'F'],
      ImagerPixelSpacing: [spacing, spacing],
      PixelSpacing: [spacing, spacing],
      KVP: 120,
      SamplesPerPixel: 1,
      PhotometricInterpretation: modality === 'CR' ? 'MONOCHROME1' : 'MONOCHROME2',
      Rows: rows,
      Columns: columns,
      BitsAllocated: 16,
      BitsStored: 12,
      HighBit: 11,
      PixelRepresentation: 0,
      // The window is in stored values; for MONOCHROME1 the same display needs the mirrored centre.
      WindowCenter: modality === 'CR' ? 4095 - 2050 : 2050,
      WindowWidth: 3400,
      RescaleIntercept: 0,
      RescaleSlope: 1,
      RescaleType: 'US',
      LossyImageCompression: '00',
    },
  };
}

function chestAttenuation(u: number, v: number): number {
  const body = Math.max(inside(u, v, 0, 0.15, 0.86, 1.05), inside(u, v, 0, -0.55, 0.97, 0.32), inside(u, v, 0, -0.95, 0.22, 0.3));
  let a = body * 1.0;
  // Lungs: air lowers attenuation. The patient's right lung is on the image left (PA view, viewed as if facing).
  const lungs = Math.max(inside(u, v, -0.37, -0.06, 0.3, 0.6), inside(u, v, 0.38, -0.03, 0.29, 0.58));
  a -= lungs * 0.72;
  // Heart, shifted to the patient's left (image right), and the mediastinum.
  a += inside(u, v, 0.12, 0.26, 0.3, 0.25) * 0.5;
  a += inside(u, v, 0, -0.22, 0.13, 0.5) * 0.35;
  // Spine: a column with darker disc spaces.
  const spine = 1 - smoothstep(0.055, 0.08, Math.abs(u));
  a += spine * body * (0.45 + 0.1 * Math.cos(v * Math.PI * 11));
  // Ribs: ten posterior arcs a side, curving laterally and down from the spine.
  for (const side of [-1, 1]) {
    if (side * u < 0.07) continue;
    for (let i = 0; i < 10; i++) {
      const cy = -0.72 + i * 0.11;
      const r = er(u, v, side * 0.05, cy, 0.52, 0.2);
      if (v < cy) continue;
      const band = 1 - smoothstep(0.035, 0.07, Math.abs(r - 1));
      a += band * 0.26 * body;
    }
    // Clavicles.
    const cu = u - side * 0.32;
    const cv = v + 0.66 + cu * side * 0.18;
    a += inside(cu, cv, 0, 0, 0.26, 0.035, 0.2) * 0.4;
  }
  return Math.max(0, a);
}

function skullAttenuation(u: number, v: number): number {
  const head = inside(u, v, 0, -0.05, 0.7, 0.88);
  const skull = head - inside(u, v, 0, -0.05, 0.64, 0.82);
  return head * 0.9 + skull * 0.8 + inside(u, v, 0, 0.55, 0.4, 0.25) * 0.3;
}

function abdomenAttenuation(u: number, v: number): number {
  const body = inside(u, v, 0, 0, 0.9, 1.2);
  const spine = (1 - smoothstep(0.06, 0.085, Math.abs(u))) * body * (0.5 + 0.1 * Math.cos(v * Math.PI * 8));
  const liver = inside(u, v, -0.4, -0.45, 0.45, 0.35) * 0.2;
  const gas = inside(u, v, 0.3, 0.1, 0.15, 0.1) * 0.3 + inside(u, v, -0.2, 0.35, 0.12, 0.08) * 0.3;
  const pelvis = inside(u, v, 0, 0.95, 0.75, 0.35) - inside(u, v, 0, 0.95, 0.62, 0.25);
  return Math.max(0, body * 1.1 + spine + liver - gas + Math.max(0, pelvis) * 0.5);
}

/** CT slices in Hounsfield units, stored as HU + 1024 (unsigned 12 bits) with rescale intercept −1024. */
function drawCt(region: SyntheticRegion, size: number, slices: number, rng: Rng): DrawnImage[] {
  const fovMm = region === 'head' ? 240 : 380;
  const spacing = fovMm / size;
  const thickness = 5;
  const images: DrawnImage[] = [];
  for (let k = 0; k < slices; k++) {
    // z from −1 (lowest slice) to 1 (highest).
    const z = slices === 1 ? 0 : (k / (slices - 1)) * 2 - 1;
    const px = new Uint16Array(size * size);
    for (let y = 0; y < size; y++) {
      const v = ((y + 0.5) / size) * 2 - 1;
      for (let x = 0; x < size; x++) {
        const u = ((x + 0.5) / size) * 2 - 1;
        const hu = region === 'head' ? headHu(u, v, z) : region === 'abdomen' ? abdomenHu(u, v, z) : chestHu(u, v, z);
        const noisy = hu + (hu > -900 ? rng.normal() * 6 : rng.normal() * 2);
        px[y * size + x] = Math.min(4095, Math.max(0, Math.round(noisy + 1024)));
      }
    }
    const zMm = k * thickness;
    images.push({
      pixels: px,
      position: true,
      attributes: {
        PatientPosition: 'HFS',
        KVP: 120,
        ...axialSlice({ size, spacing, thickness, fovMm, zMm }),
        // Brain window for the head; soft-tissue window otherwise (the usual presets).
        WindowCenter: 40,
        WindowWidth: region === 'head' ? 80 : 400,
        RescaleIntercept: -1024,
        RescaleSlope: 1,
        RescaleType: 'HU',
      },
    });
  }
  return images;
}

function headHu(u: number, v: number, z: number): number {
  const f = Math.sqrt(Math.max(0.05, 1 - (z * 0.75) ** 2));
  const rx = 0.72 * f;
  const ry = 0.86 * f;
  const r = er(u, v, 0, -0.02, rx, ry);
  const couch = Math.abs(v - 0.93) < 0.025 && Math.abs(u) < 0.8 ? 1 : 0;
  if (r > 1) return couch ? 150 : -1000;
  if (r > 0.95) return 40; // scalp
  if (r > 0.88) return 700 + 420 * Math.min(1, Math.abs(r - 0.915) / 0.035); // skull: cortices denser than the diploe
  // Brain: grey matter rim, white matter core, ventricles in the middle slices.
  let hu = r > 0.78 ? 38 : 28;
  if (z > -0.4 && z < 0.5) {
    const w = 1 - Math.abs(z - 0.05) / 0.45;
    if (er(u, v, -0.1, -0.05, 0.06 * w + 0.02, 0.28 * w + 0.05) < 1 || er(u, v, 0.1, -0.05, 0.06 * w + 0.02, 0.28 * w + 0.05) < 1) hu = 5;
  }
  if (Math.abs(u) < 0.012 && r < 0.85 && v < 0.3) hu = 60; // falx
  return hu;
}

function abdomenHu(u: number, v: number, z: number): number {
  const r = er(u, v, 0, 0, 0.86, 0.62);
  const couch = Math.abs(v - 0.75) < 0.025 && Math.abs(u) < 0.9 ? 1 : 0;
  if (r > 1) return couch ? 150 : -1000;
  if (r > 0.92) return -100; // subcutaneous fat
  if (r > 0.87) return 50; // abdominal wall muscle
  if (er(u, v, 0, 0.32, 0.11, 0.11) < 1) return er(u, v, 0, 0.4, 0.035, 0.035) < 1 ? 20 : 700; // vertebra and canal
  if (er(u, v, 0.07, 0.12, 0.05, 0.05) < 1) return 45; // aorta
  if (er(u, v, -0.06, 0.13, 0.045, 0.045) < 1) return 40; // IVC
  if (er(u, v, -0.33 - z * 0.03, 0.2, 0.09, 0.13) < 1 || er(u, v, 0.33 + z * 0.03, 0.2, 0.09, 0.13) < 1) return 32; // kidneys
  const liverR = 0.36 + 0.06 * z;
  if (er(u, v, -0.35, -0.1, liverR, 0.32) < 1) return er(u, v, -0.3, -0.05, 0.05, 0.05) < 1 ? 25 : 62; // liver, a cyst-like spot
  if (er(u, v, 0.48, -0.05, 0.13, 0.2) < 1) return 50; // spleen
  if (er(u, v, 0.15, -0.3, 0.12, 0.08) < 1) return -950; // stomach gas
  if (er(u, v, 0.2, 0.05, 0.1, 0.1) < 1) return 30; // bowel
  return -90; // intra-abdominal fat
}

function chestHu(u: number, v: number, z: number): number {
  const r = er(u, v, 0, 0, 0.88, 0.62);
  if (r > 1) return -1000;
  if (r > 0.9) return -80;
  if (er(u, v, 0, 0.42, 0.1, 0.1) < 1) return 700;
  if (er(u, v, 0.08, 0.0, 0.28, 0.3) < 1) return 40 + 5 * z; // heart
  if (er(u, v, -0.42, 0, 0.35, 0.5) < 1 || er(u, v, 0.45, 0, 0.32, 0.5) < 1) return -850; // lungs
  return 30;
}

/** T1-like head MR slices: fat bright, white matter brighter than grey, CSF and cortical bone dark. */
function drawMr(size: number, slices: number, rng: Rng): DrawnImage[] {
  const fovMm = 230;
  const spacing = fovMm / size;
  const thickness = 5;
  const images: DrawnImage[] = [];
  for (let k = 0; k < slices; k++) {
    const z = slices === 1 ? 0 : (k / (slices - 1)) * 2 - 1;
    const px = new Uint16Array(size * size);
    for (let y = 0; y < size; y++) {
      const v = ((y + 0.5) / size) * 2 - 1;
      for (let x = 0; x < size; x++) {
        const u = ((x + 0.5) / size) * 2 - 1;
        const hu = headHu(u, v, z);
        // Map tissue classes of the CT head to T1 intensities.
        let s: number;
        if (hu <= -900 || hu === 150) s = 0;
        else if (hu === 40) s = 900; // scalp fat
        else if (hu > 300) s = hu > 1000 ? 40 : 520; // cortical bone dark, marrow brighter
        else if (hu === 5) s = 160; // CSF
        else if (hu === 38) s = 430; // grey matter
        else if (hu === 60) s = 300; // falx
        else s = 620; // white matter
        const noise = Math.abs(s + rng.normal() * 18);
        px[y * size + x] = Math.min(4095, Math.round(noise));
      }
    }
    const zMm = k * thickness;
    images.push({
      pixels: px,
      position: true,
      attributes: {
        PatientPosition: 'HFS',
        ScanningSequence: 'SE',
        SequenceVariant: 'NONE',
        MRAcquisitionType: '2D',
        RepetitionTime: 500,
        EchoTime: 15,
        MagneticFieldStrength: 1.5,
        ...axialSlice({ size, spacing, thickness, fovMm, zMm }),
        WindowCenter: 450,
        WindowWidth: 1000,
      },
    });
  }
  return images;
}

/** A convex-probe liver ultrasound: speckle, an anechoic gallbladder, a bright diaphragm, a yellow depth scale. */
function drawUltrasound(width: number, rng: Rng): DrawnImage {
  const columns = width;
  const rows = Math.round(width * 0.75);
  const px = new Uint8Array(rows * columns * 3);
  const apexX = columns / 2;
  const apexY = -rows * 0.12;
  const rMin = rows * 0.2;
  const rMax = rows * 1.05;
  const halfAngle = (35 * Math.PI) / 180;
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < columns; x++) {
      const dx = x - apexX;
      const dy = y - apexY;
      const r = Math.sqrt(dx * dx + dy * dy);
      const theta = Math.atan2(dx, dy);
      let g = 0;
      if (r >= rMin && r <= rMax && Math.abs(theta) <= halfAngle) {
        const depth = (r - rMin) / (rMax - rMin);
        const lateral = theta / halfAngle;
        // Rayleigh speckle of the liver parenchyma.
        const speckle = Math.sqrt(-2 * Math.log(1 - rng.next() * 0.999)) * 0.55;
        let echo = 95 * speckle;
        const diaphragm = Math.abs(depth - (0.82 - 0.08 * lateral * lateral)) < 0.018;
        if (diaphragm) echo = 230 + rng.normal() * 10;
        else if (depth > 0.84 - 0.08 * lateral * lateral) echo *= 0.45;
        if (er(lateral, depth, 0.25, 0.45, 0.22, 0.12) < 1) echo = 4 + rng.next() * 6; // gallbladder
        if (er(lateral, depth, -0.3, 0.35, 0.05, 0.03) < 1 || er(lateral, depth, -0.1, 0.55, 0.05, 0.03) < 1) echo = 10; // vessels
        g = Math.min(255, Math.max(0, Math.round(echo * (1 - 0.2 * depth))));
      }
      const o = (y * columns + x) * 3;
      px[o] = g;
      px[o + 1] = g;
      px[o + 2] = g;
    }
  }
  // Depth ticks every tenth of the image at the right edge, in yellow.
  for (let t = 1; t < 10; t++) {
    const y = Math.round((rows * t) / 10);
    for (let x = columns - 10; x < columns - 3; x++) {
      const o = (y * columns + x) * 3;
      px[o] = 255;
      px[o + 1] = 220;
      px[o + 2] = 0;
    }
  }
  return {
    pixels: px,
    position: false,
    attributes: {
      SamplesPerPixel: 3,
      PhotometricInterpretation: 'RGB',
      PlanarConfiguration: 0,
      Rows: rows,
      Columns: columns,
      BitsAllocated: 8,
      BitsStored: 8,
      HighBit: 7,
      PixelRepresentation: 0,
      LossyImageCompression: '00',
    },
  };
}

/** Geometry and pixel module of an axial slice of 12-bit greyscale stored in 16 bits (the CT and MR series). */
function axialSlice(g: { size: number; spacing: number; thickness: number; fovMm: number; zMm: number }): Record<string, unknown> {
  return {
    SliceThickness: g.thickness,
    SpacingBetweenSlices: g.thickness,
    ImagePositionPatient: [-g.fovMm / 2, -g.fovMm / 2, g.zMm],
    ImageOrientationPatient: [1, 0, 0, 0, 1, 0],
    SliceLocation: g.zMm,
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: g.size,
    Columns: g.size,
    PixelSpacing: [g.spacing, g.spacing],
    BitsAllocated: 16,
    BitsStored: 12,
    HighBit: 11,
    PixelRepresentation: 0,
  };
}

import type { RoleCode, Urgency } from '../../../contracts/codes.js';
import {
  acknowledgeInputSchema, type AcknowledgeInput, type AttachmentDto, type AttachmentKind, type CenterDto, type CenterType, type DiagnosisRequestInput,
  diagnosisRequestInputSchema, type DiagnosisStatus, type Modality, modalitiesByCenterType, type ReportStatus,
} from '../../../contracts/diagnosis.js';
import { type FieldError, issuesToFields, type Parsed } from '../network/alliance-admin.model.js';

/**
 * Pure rules of the diagnosis-center screens: colours, which side a user works on, the request form → request body
 * (checked with the shared contract), which attachment kind a file is, how an attachment's parsed header reads, the
 * read-back form. The server decides every move (`allowedActions`); these only shape what the UI shows and sends.
 */

// ---- labels and colours

export const diagnosisStatusColors: Record<DiagnosisStatus, string> = {
  requested: 'blue',
  'in-progress': 'geekblue',
  returned: 'gold',
  preliminary: 'cyan',
  'awaiting-signoff': 'purple',
  completed: 'green',
  cancelled: 'default',
};

export const reportStatusColors: Record<ReportStatus, string> = {
  draft: 'default',
  preliminary: 'cyan',
  'pending-signoff': 'purple',
  final: 'green',
  amended: 'orange',
};

/** Statuses whose report deadline no longer runs: no countdown in the lists. */
export const closedStatuses: readonly DiagnosisStatus[] = ['completed', 'cancelled'];
/** `returned` pauses the deadline (docs/diagnosis.md, qc-return): the list says so instead of counting down. */
export const isDeadlinePaused = (s: DiagnosisStatus): boolean => s === 'returned';

// ---- who works on which side

/** Clinicians who request readings (diagnosis.rules.ts requesterRoles). */
export const requesterRoles: readonly RoleCode[] = ['village-doctor', 'township-doctor', 'county-specialist'];
export const isRequester = (roles: readonly RoleCode[]): boolean => roles.some((r) => requesterRoles.includes(r));

/** What a request's page shows: the reading desk when the user may read it, else the requester's view. */
export type DetailSide = 'reader' | 'requester';
export function detailSide(allowedActions: readonly string[], readingCenterIds: readonly string[], centerId: string): DetailSide {
  if (readingCenterIds.includes(centerId)) return 'reader';
  const readerActions = ['claim', 'release', 'qc-accept', 'qc-return', 'preliminary', 'finalize', 'sign-off', 'signoff-return', 'amend', 'flag-critical', 'reassign'];
  return allowedActions.some((a) => readerActions.includes(a)) ? 'reader' : 'requester';
}

// ---- the request form

export interface RequestFormValues {
  centerId?: string;
  patientId?: string;
  modality?: Modality;
  examType?: string;
  bodyPart?: string;
  urgency?: Urgency;
  clinicalQuestion?: string;
  clinicalSummary?: string;
}
export const requestFormFields = ['centerId', 'patientId', 'modality', 'examType', 'bodyPart', 'urgency', 'clinicalQuestion', 'clinicalSummary'] as const;
export type RequestFormField = (typeof requestFormFields)[number];

/** Modalities a center reads (per type; empty for the consultation center, which the form does not offer). */
export const modalitiesOf = (center: Pick<CenterDto, 'type'> | undefined): readonly Modality[] => (center ? modalitiesByCenterType[center.type] : []);

/** Common examination items (检查项目) per modality, offered as suggestions; the doctor may type any other. */
export const examSuggestions: Partial<Record<Modality, readonly string[]>> = {
  DR: ['胸部正位片', '胸部正侧位片', '腰椎正侧位片', '膝关节正侧位片'],
  US: ['腹部彩超', '甲状腺彩超', '心脏彩超', '妇科彩超'],
  CT: ['头颅CT平扫', '胸部CT平扫', '腹部CT平扫', '冠脉CTA'],
  MR: ['头颅MR平扫', '腰椎MR平扫', '膝关节MR'],
  'ECG-12': ['常规12导联心电图'],
  HISTO: ['组织病理检查'],
  FROZEN: ['术中冰冻病理'],
  CYTO: ['细胞学检查'],
  'LAB-PANEL': ['生化全项'],
};

/**
 * Form values → the request body, checked with the contract the server uses. The modality must be one the chosen
 * center reads (the server says the same, but the form can say it next to the field before sending).
 */
export function parseRequestForm(values: RequestFormValues, center: Pick<CenterDto, 'type'> | undefined, messages: { modalityNotRead: string }): Parsed<DiagnosisRequestInput, RequestFormField> {
  const body = {
    centerId: values.centerId ?? '',
    patientId: values.patientId ?? '',
    modality: values.modality,
    examType: values.examType ?? '',
    bodyPart: values.bodyPart?.trim() ? values.bodyPart.trim() : undefined,
    urgency: values.urgency ?? 'routine',
    clinicalQuestion: values.clinicalQuestion ?? '',
    clinicalSummary: values.clinicalSummary?.trim() ? values.clinicalSummary.trim() : undefined,
  };
  const parsed = diagnosisRequestInputSchema.safeParse(body);
  const errors: FieldError<RequestFormField>[] = parsed.success ? [] : issuesToFields(parsed.error.issues, requestFormFields, 'clinicalQuestion');
  if (center && values.modality && !modalitiesOf(center).includes(values.modality) && !errors.some((e) => e.name === 'modality')) {
    errors.push({ name: 'modality', errors: [messages.modalityNotRead] });
  }
  if (errors.length || !parsed.success) return { ok: false, errors };
  return { ok: true, value: parsed.data };
}

// ---- files

/** Attachment kinds a center of this type takes (the server refuses the others: attachmentKindProblem). */
export function attachmentKindsFor(type: CenterType): AttachmentKind[] {
  if (type === 'imaging') return ['dicom', 'pdf', 'image'];
  if (type === 'ecg') return ['ecg', 'pdf', 'image'];
  if (type === 'pathology') return ['slide', 'pdf', 'image'];
  return ['pdf', 'image'];
}

/**
 * The kind of a chosen file, from its name (and type), for a center of this type: DICOM Part-10 files often have no
 * extension (IM0001), so on an imaging center a file that is nothing else is taken as DICOM. null = not accepted here.
 */
export function attachmentKindOf(fileName: string, mimeType: string, centerType: CenterType): AttachmentKind | null {
  const name = fileName.toLowerCase();
  const ext = /\.([a-z0-9]+)$/.exec(name)?.[1] ?? '';
  const allowed = attachmentKindsFor(centerType);
  let kind: AttachmentKind | null;
  if (ext === 'pdf' || mimeType === 'application/pdf') kind = 'pdf';
  else if (['jpg', 'jpeg', 'png', 'gif', 'webp', 'bmp'].includes(ext) || (mimeType.startsWith('image/') && mimeType !== 'image/dicom')) kind = 'image';
  else if (ext === 'dcm' || ext === 'dicom' || mimeType === 'application/dicom') kind = 'dicom';
  else if (ext === 'json' || ext === 'csv') kind = centerType === 'ecg' ? 'ecg' : null;
  else if (['svs', 'ndpi', 'tif', 'tiff', 'mrxs'].includes(ext)) kind = 'slide';
  else kind = centerType === 'imaging' ? 'dicom' : null;
  return kind && allowed.includes(kind) ? kind : null;
}

/** The Content-Type to send a file with: the upload route parses these as raw bytes (JSON would be parsed as JSON). */
export function uploadContentType(kind: AttachmentKind, fileName: string, mimeType: string): string {
  if (kind === 'dicom') return 'application/dicom';
  if (kind === 'pdf') return 'application/pdf';
  if (kind === 'image') return mimeType.startsWith('image/') ? mimeType : 'image/jpeg';
  if (kind === 'ecg' && fileName.toLowerCase().endsWith('.csv')) return 'text/csv';
  return 'application/octet-stream';
}

/** Headers the server read from a file (AttachmentDto.meta), as the media parsers describe them. */
export interface DicomMeta {
  kind: 'dicom';
  studyInstanceUid: string;
  seriesInstanceUid: string;
  sopInstanceUid: string;
  modality: string;
  bodyPart?: string;
  studyDate?: string;
  studyDescription?: string;
  seriesDescription?: string;
  seriesNumber?: number;
  instanceNumber?: number;
  rows: number;
  columns: number;
  frames: number;
}
export interface EcgMeta {
  kind: 'ecg';
  format: string;
  samplingRateHz: number;
  durationS: number;
  leads: string[];
  heartRateBpm?: number;
  rhythm?: string;
}
export interface SlideMeta {
  kind: 'slide';
  format: string;
  width: number;
  height: number;
  pages?: number;
  decodable?: boolean;
}
export type AttachmentMeta = DicomMeta | EcgMeta | SlideMeta;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The parsed header of an attachment, or null when the server has none (older uploads, PDFs, images). */
export function attachmentMeta(a: AttachmentDto): AttachmentMeta | null {
  const meta: unknown = (a as AttachmentDto & { meta?: unknown }).meta;
  if (!isRecord(meta)) return null;
  if (meta.kind === 'dicom' && typeof meta.seriesInstanceUid === 'string') return meta as unknown as DicomMeta;
  if (meta.kind === 'ecg' && typeof meta.samplingRateHz === 'number') return meta as unknown as EcgMeta;
  if (meta.kind === 'slide' && typeof meta.width === 'number' && typeof meta.height === 'number') return meta as unknown as SlideMeta;
  return null;
}

/** One line about a parsed file: "CT · 胸部 · 512×512 · 序列 3 第 12 幅" or "12 导联 · 500 Hz · 10 s · 心率 78". */
export function describeMeta(meta: AttachmentMeta | null, t: (key: string, o?: Record<string, unknown>) => string): string {
  if (!meta) return '';
  if (meta.kind === 'dicom') {
    const parts = [meta.modality, meta.bodyPart, meta.studyDescription, `${meta.columns}×${meta.rows}`];
    if (meta.frames > 1) parts.push(t('diagnosis.meta.frames', { n: meta.frames }));
    if (meta.seriesNumber !== undefined) parts.push(t('diagnosis.meta.series', { n: meta.seriesNumber }));
    if (meta.instanceNumber !== undefined) parts.push(t('diagnosis.meta.instance', { n: meta.instanceNumber }));
    return parts.filter(Boolean).join(' · ');
  }
  if (meta.kind === 'slide') {
    const parts = [meta.format.toUpperCase(), `${meta.width}×${meta.height}`];
    if (meta.pages && meta.pages > 1) parts.push(t('diagnosis.meta.pages', { n: meta.pages }));
    if (meta.decodable === false) parts.push(t('diagnosis.meta.notDecoded'));
    return parts.join(' · ');
  }
  const parts = [t('diagnosis.meta.leads', { n: meta.leads.length }), `${meta.samplingRateHz} Hz`, `${Math.round(meta.durationS * 10) / 10} s`];
  if (meta.heartRateBpm !== undefined) parts.push(t('diagnosis.meta.heartRate', { n: Math.round(meta.heartRateBpm) }));
  if (meta.rhythm) parts.push(meta.rhythm);
  return parts.join(' · ');
}

/** 1.2 MB / 850 KB / 12 B. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} B`;
}

/** Overall progress of a batch of uploads, 0–100, weighted by size (a CT series is hundreds of files). */
export function batchProgress(items: readonly { size: number; loaded: number }[]): number {
  const total = items.reduce((s, i) => s + Math.max(0, i.size), 0);
  if (total === 0) return items.length ? 100 : 0;
  const loaded = items.reduce((s, i) => s + Math.min(Math.max(0, i.loaded), Math.max(0, i.size)), 0);
  return Math.floor((loaded / total) * 100);
}

// ---- critical values

export const ackFields = ['receivedBy', 'readBack', 'actionTaken'] as const;
export type AckField = (typeof ackFields)[number];

/** The read-back form (复述确认) → the acknowledgement body, checked with the contract. */
export function parseAcknowledgement(values: Partial<Record<AckField, string>>): Parsed<AcknowledgeInput, AckField> {
  const parsed = acknowledgeInputSchema.safeParse({ receivedBy: values.receivedBy ?? '', readBack: values.readBack ?? '', actionTaken: values.actionTaken ?? '' });
  if (!parsed.success) return { ok: false, errors: issuesToFields(parsed.error.issues, ackFields, 'actionTaken') };
  return { ok: true, value: parsed.data };
}

/** ECG leads named in a finding ("V1-V4 ST 段抬高", "II、III、aVF") to draw in the alert colour on the trace. */
export function leadsNamedIn(text: string): string[] {
  const leads = ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'];
  const out = new Set<string>();
  for (const m of text.matchAll(/V([1-6])\s*[-–~至]\s*V?([1-6])/g)) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    for (let i = Math.min(a, b); i <= Math.max(a, b); i++) out.add(`V${i}`);
  }
  for (const m of text.matchAll(/(?<![A-Za-z])(aVR|aVL|aVF|III|II|I|V[1-6])(?![A-Za-z0-9])/g)) if (m[1]) out.add(m[1]);
  return leads.filter((l) => out.has(l));
}

// ---- center administration

/** The seven roster days (YYYY-MM-DD, China Standard Time) of the week, Monday first, that holds `day`. */
export function rosterWeek(day: string): string[] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) throw new Error(`not a date: ${day}`);
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  const monday = new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * 86_400_000);
  return Array.from({ length: 7 }, (_, i) => new Date(monday.getTime() + i * 86_400_000).toISOString().slice(0, 10));
}

/**
 * A shift from the roster day and wall-clock times in Beijing time: an end at or before the start is the next morning
 * (a night shift 20:00–08:00). Null for a malformed time.
 */
export function shiftInstants(date: string, start: string, end: string): { startsAt: string; endsAt: string } | null {
  const hhmm = /^([01]\d|2[0-3]):([0-5]\d)$/;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !hhmm.test(start) || !hhmm.test(end)) return null;
  const startsAt = new Date(`${date}T${start}:00+08:00`);
  let endsAt = new Date(`${date}T${end}:00+08:00`);
  if (endsAt.getTime() <= startsAt.getTime()) endsAt = new Date(endsAt.getTime() + 86_400_000);
  return { startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString() };
}

/** HH:mm in Beijing time of an instant (roster cells). */
export function beijingTime(iso: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(iso));
}

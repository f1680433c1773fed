import { describe, expect, it } from 'vitest';
import { diagnosisStatuses, reportStatuses, type AttachmentDto } from '../../../contracts/diagnosis.js';
import zhCN from '../../i18n/zh-CN.json' with { type: 'json' };
import {
  attachmentKindOf, attachmentMeta, batchProgress, closedStatuses, describeMeta, detailSide, diagnosisStatusColors, formatBytes, isDeadlinePaused,
  leadsNamedIn, parseAcknowledgement, parseRequestForm, reportStatusColors, uploadContentType,
} from './diagnosis.model.js';

const t = (key: string, o?: Record<string, unknown>) => `${key}${o ? JSON.stringify(o) : ''}`;
const attachment = (meta: unknown): AttachmentDto =>
  ({ id: 'a', kind: 'ecg', fileName: 'x', contentType: 'application/octet-stream', sizeBytes: 1, sha256: '', uploadedAt: '', uploadedByName: '', meta }) as unknown as AttachmentDto;

describe('labels', () => {
  it('has a colour and a Chinese label for every status and report status', () => {
    for (const s of diagnosisStatuses) {
      expect(diagnosisStatusColors[s]).toBeTruthy();
      expect((zhCN.diagnosisStatus as Record<string, string>)[s]).toBeTruthy();
    }
    for (const s of reportStatuses) {
      expect(reportStatusColors[s]).toBeTruthy();
      expect((zhCN.diagnosisReportStatus as Record<string, string>)[s]).toBeTruthy();
    }
  });
  it('shows no countdown once closed, and a paused deadline while returned for retake', () => {
    expect(closedStatuses).toEqual(['completed', 'cancelled']);
    expect(isDeadlinePaused('returned')).toBe(true);
    expect(isDeadlinePaused('in-progress')).toBe(false);
  });
});

describe('detailSide', () => {
  it('opens the reading desk for readers of the center, the requester view otherwise', () => {
    expect(detailSide([], ['c1'], 'c1')).toBe('reader');
    expect(detailSide(['upload', 'cancel'], ['c2'], 'c1')).toBe('requester');
    expect(detailSide(['flag-critical'], [], 'c1')).toBe('reader');
  });
});

describe('parseRequestForm', () => {
  const ecgCenter = { type: 'ecg' as const };
  const ok = { centerId: 'c1', patientId: 'p1', modality: 'ECG-12' as const, examType: ' 常规12导联心电图 ', urgency: 'emergency' as const, clinicalQuestion: '胸痛 1 小时' };
  it('builds the request body checked with the contract (trimmed, blanks left out)', () => {
    const r = parseRequestForm({ ...ok, bodyPart: '  ', clinicalSummary: '' }, ecgCenter, { modalityNotRead: 'no' });
    expect(r).toEqual({ ok: true, value: { centerId: 'c1', patientId: 'p1', modality: 'ECG-12', examType: '常规12导联心电图', urgency: 'emergency', clinicalQuestion: '胸痛 1 小时' } });
  });
  it('puts the contract’s messages on the fields', () => {
    const r = parseRequestForm({ ...ok, clinicalQuestion: ' ', examType: '' }, ecgCenter, { modalityNotRead: 'no' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.name).sort()).toEqual(['clinicalQuestion', 'examType']);
    expect(r.errors.find((e) => e.name === 'clinicalQuestion')?.errors[0]).toContain('临床问题');
  });
  it('refuses a modality the chosen center does not read', () => {
    const r = parseRequestForm({ ...ok, modality: 'CT' }, ecgCenter, { modalityNotRead: '该中心不做' });
    expect(r).toEqual({ ok: false, errors: [{ name: 'modality', errors: ['该中心不做'] }] });
  });
});

describe('files', () => {
  it('takes extension-less files as DICOM on an imaging center only', () => {
    expect(attachmentKindOf('IM0001', '', 'imaging')).toBe('dicom');
    expect(attachmentKindOf('IM0001', '', 'ecg')).toBeNull();
    expect(attachmentKindOf('series/CT001.DCM', '', 'imaging')).toBe('dicom');
  });
  it('takes JSON and CSV waveforms on an ECG center, and PDFs and images everywhere', () => {
    expect(attachmentKindOf('ecg.json', 'application/json', 'ecg')).toBe('ecg');
    expect(attachmentKindOf('ECG.CSV', 'text/csv', 'ecg')).toBe('ecg');
    expect(attachmentKindOf('ecg.json', 'application/json', 'imaging')).toBeNull();
    expect(attachmentKindOf('申请单.pdf', 'application/pdf', 'imaging')).toBe('pdf');
    expect(attachmentKindOf('photo.JPG', 'image/jpeg', 'ecg')).toBe('image');
    expect(attachmentKindOf('slide.svs', '', 'pathology')).toBe('slide');
    expect(attachmentKindOf('slide.svs', '', 'imaging')).toBeNull();
  });
  it('sends bytes with a type the upload route reads raw (never application/json)', () => {
    expect(uploadContentType('ecg', 'ecg.json', 'application/json')).toBe('application/octet-stream');
    expect(uploadContentType('ecg', 'ecg.csv', 'text/csv')).toBe('text/csv');
    expect(uploadContentType('dicom', 'IM1', '')).toBe('application/dicom');
    expect(uploadContentType('image', 'a.png', 'image/png')).toBe('image/png');
    expect(uploadContentType('image', 'a.jpg', '')).toBe('image/jpeg');
  });
  it('weights batch progress by size', () => {
    expect(batchProgress([])).toBe(0);
    expect(batchProgress([{ size: 300, loaded: 300 }, { size: 100, loaded: 0 }])).toBe(75);
    expect(batchProgress([{ size: 100, loaded: 500 }])).toBe(100);
    expect(batchProgress([{ size: 0, loaded: 0 }])).toBe(100);
  });
  it('formats sizes', () => {
    expect(formatBytes(12)).toBe('12 B');
    expect(formatBytes(2048)).toBe('2 KB');
    expect(formatBytes(3.5 * 1024 * 1024)).toBe('3.5 MB');
  });
});

describe('attachment meta', () => {
  it('reads the DICOM, ECG and slide headers the server parsed, and nothing else', () => {
    const dicom = { kind: 'dicom', studyInstanceUid: '1', seriesInstanceUid: '2', sopInstanceUid: '3', modality: 'CT', bodyPart: 'CHEST', rows: 512, columns: 512, frames: 1, seriesNumber: 3, instanceNumber: 12 };
    expect(describeMeta(attachmentMeta(attachment(dicom)), t)).toBe('CT · CHEST · 512×512 · diagnosis.meta.series{"n":3} · diagnosis.meta.instance{"n":12}');
    const ecg = { kind: 'ecg', format: 'yilian-ecg', samplingRateHz: 500, durationS: 10, leads: ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'], heartRateBpm: 87.6 };
    expect(describeMeta(attachmentMeta(attachment(ecg)), t)).toBe('diagnosis.meta.leads{"n":12} · 500 Hz · 10 s · diagnosis.meta.heartRate{"n":88}');
    const slide = { kind: 'slide', format: 'tiff', width: 40000, height: 30000, pages: 4, decodable: false };
    expect(describeMeta(attachmentMeta(attachment(slide)), t)).toBe('TIFF · 40000×30000 · diagnosis.meta.pages{"n":4} · diagnosis.meta.notDecoded');
    expect(describeMeta(attachmentMeta(attachment({ kind: 'slide', format: 'jpeg', width: 640, height: 480 })), t)).toBe('JPEG · 640×480');
    expect(attachmentMeta(attachment(null))).toBeNull();
    expect(attachmentMeta(attachment({ kind: 'document' }))).toBeNull();
    expect(attachmentMeta(attachment({ kind: 'dicom' }))).toBeNull();
    expect(describeMeta(null, t)).toBe('');
  });
});

describe('critical values', () => {
  it('checks the read-back form with the contract', () => {
    expect(parseAcknowledgement({ receivedBy: ' 蓝萱雨 ', readBack: '下壁心梗', actionTaken: '转诊' })).toEqual({ ok: true, value: { receivedBy: '蓝萱雨', readBack: '下壁心梗', actionTaken: '转诊' } });
    const r = parseAcknowledgement({ receivedBy: '', readBack: '好', actionTaken: ' ' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.name).sort()).toEqual(['actionTaken', 'readBack', 'receivedBy']);
  });
  it('finds the leads a finding names, ranges included', () => {
    expect(leadsNamedIn('II、III、aVF 导联 ST 段抬高')).toEqual(['II', 'III', 'aVF']);
    expect(leadsNamedIn('V1-V4 ST 段抬高，I、aVL 压低')).toEqual(['I', 'aVL', 'V1', 'V2', 'V3', 'V4']);
    expect(leadsNamedIn('室性心动过速')).toEqual([]);
  });
});

describe('roster', () => {
  it('gives the Monday-to-Sunday week of a day', async () => {
    const { rosterWeek } = await import('./diagnosis.model.js');
    expect(rosterWeek('2026-11-22')).toEqual(['2026-11-16', '2026-11-17', '2026-11-18', '2026-11-19', '2026-11-20', '2026-11-21', '2026-11-22']);
    expect(rosterWeek('2026-11-23')[0]).toBe('2026-11-23');
  });
  it('turns Beijing wall-clock times into instants; a night shift ends the next morning', async () => {
    const { shiftInstants, beijingTime } = await import('./diagnosis.model.js');
    expect(shiftInstants('2026-11-23', '08:00', '17:30')).toEqual({ startsAt: '2026-11-23T00:00:00.000Z', endsAt: '2026-11-23T09:30:00.000Z' });
    expect(shiftInstants('2026-11-23', '20:00', '08:00')).toEqual({ startsAt: '2026-11-23T12:00:00.000Z', endsAt: '2026-11-24T00:00:00.000Z' });
    expect(shiftInstants('2026-11-23', '8:00', '17:00')).toBeNull();
    expect(beijingTime('2026-11-23T12:00:00.000Z')).toBe('20:00');
  });
});

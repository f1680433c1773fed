import { keepPreviousData, type QueryClient, useQuery } from '@tanstack/react-query';
import type { Urgency } from '../../../contracts/codes.js';
import type {
  AcknowledgeInput, AmendInput, AttachmentDto, AttachmentKind, CenterDeadlineDto, CenterDto, CriticalBoardItemDto, CriticalValueDto, DiagnosisEventDto,
  DiagnosisListItemDto, DiagnosisRequestDto, DiagnosisRequestInput, DiagnosisStatus, Modality, MyCentersDto, ReaderDto, ReportInput, ShiftDto,
  TemplateDto, TemplateInput,
} from '../../../contracts/diagnosis.js';
import { ApiError, get, parseErrorBody, request } from '../../api/client.js';
import type { Page } from '../../lib/page.js';

/** Shared diagnosis centers: my centers, requests and worklists, moves, files, reports, critical values, administration. */

export interface DiagnosisFilter {
  view: 'worklist' | 'sent';
  centerId?: string;
  status?: DiagnosisStatus | DiagnosisStatus[];
  urgency?: Urgency;
  modality?: Modality;
  assigned?: 'me' | 'unassigned' | 'any';
  overdue?: boolean;
  q?: string;
  page: number;
  pageSize: number;
}

/** The imaging of a request grouped study → series → instance, with URLs the viewer loads (session cookie). */
export interface ImagingDto {
  studies: {
    studyInstanceUid: string;
    studyDate?: string;
    description?: string;
    modalities: string[];
    series: {
      seriesInstanceUid: string;
      modality: string;
      description?: string;
      seriesNumber?: number;
      instances: { attachmentId: string; instanceNumber?: number; url: string }[];
    }[];
  }[];
}

/** A 12-lead ECG as the server decoded it: samples in µV per lead, and its rhythm analysis. */
export interface EcgDataDto {
  samplingRateHz: number;
  durationS: number;
  leads: Record<string, number[]>;
  analysis: { heartRateBpm?: number; rhythm?: string; [k: string]: unknown };
}

export const diagnosisKeys = {
  all: ['diagnosis'] as const,
  myCenters: ['diagnosis', 'my-centers'] as const,
  list: (f: DiagnosisFilter) => ['diagnosis', 'list', f] as const,
  detail: (id: string) => ['diagnosis', 'detail', id] as const,
  timeline: (id: string) => ['diagnosis', 'timeline', id] as const,
  imaging: (id: string) => ['diagnosis', 'imaging', id] as const,
  ecg: (id: string, attachmentId: string) => ['diagnosis', 'ecg', id, attachmentId] as const,
  templates: (centerId: string) => ['diagnosis', 'templates', centerId] as const,
  readers: (centerId: string) => ['diagnosis', 'readers', centerId] as const,
  roster: (centerId: string, from: string, to: string) => ['diagnosis', 'roster', centerId, from, to] as const,
  deadlines: (centerId: string) => ['diagnosis', 'deadlines', centerId] as const,
  critical: (side: 'requester' | 'reader', state: string, page: number) => ['diagnosis', 'critical', side, state, page] as const,
};

const base = '/api/v1/diagnosis';
const e = (id: string) => encodeURIComponent(id);

export const fetchCenters = () => get<CenterDto[]>(`${base}/centers`);
export const fetchMyCenters = () => get<MyCentersDto>(`${base}/my-centers`);
export const fetchDiagnosisList = (f: DiagnosisFilter) => get<Page<DiagnosisListItemDto>>(`${base}/requests`, { ...f, overdue: f.overdue ? true : undefined });
export const fetchRequest = (id: string) => get<DiagnosisRequestDto>(`${base}/requests/${e(id)}`);
export const fetchTimeline = (id: string) => get<DiagnosisEventDto[]>(`${base}/requests/${e(id)}/timeline`);
export const fetchImaging = (id: string) => get<ImagingDto>(`${base}/requests/${e(id)}/imaging`);
export const fetchEcg = (id: string, attachmentId: string) => get<EcgDataDto>(`${base}/requests/${e(id)}/attachments/${e(attachmentId)}/ecg`);
export const fetchTemplates = (centerId: string) => get<TemplateDto[]>(`${base}/centers/${e(centerId)}/templates`);
export const fetchReaders = (centerId: string) => get<ReaderDto[]>(`${base}/centers/${e(centerId)}/readers`);
export const fetchRoster = (centerId: string, from: string, to: string) => get<ShiftDto[]>(`${base}/centers/${e(centerId)}/roster`, { from, to });
export const fetchCenterDeadlines = (centerId: string) => get<CenterDeadlineDto[]>(`${base}/centers/${e(centerId)}/deadlines`);
export const fetchCriticalBoard = (side: 'requester' | 'reader', state: 'open' | 'acknowledged' | 'all', page: number, pageSize = 20) =>
  get<Page<CriticalBoardItemDto>>(`${base}/critical-values/board`, { side, state, page, pageSize });

export const createRequest = (input: DiagnosisRequestInput) => request<DiagnosisRequestDto>('POST', `${base}/requests`, { body: input });
/** One move of the worklist (claim, release, reassign, qc, resubmit, cancel) — the answer is the request after it. */
export const moveRequest = (id: string, move: 'claim' | 'release' | 'reassign' | 'qc' | 'resubmit' | 'cancel', body: Record<string, unknown> = {}) =>
  request<DiagnosisRequestDto>('POST', `${base}/requests/${e(id)}/${move}`, { body });
export const writeReport = (id: string, input: ReportInput) => request<DiagnosisRequestDto>('POST', `${base}/requests/${e(id)}/report`, { body: input });
export const signOffReport = (id: string) => request<DiagnosisRequestDto>('POST', `${base}/requests/${e(id)}/report/sign-off`, { body: {} });
export const returnReport = (id: string, reason: string) => request<DiagnosisRequestDto>('POST', `${base}/requests/${e(id)}/report/return`, { body: { reason } });
export const amendReport = (id: string, input: AmendInput) => request<DiagnosisRequestDto>('POST', `${base}/requests/${e(id)}/report/amend`, { body: input });
export const flagCritical = (id: string, finding: string) => request<CriticalValueDto>('POST', `${base}/requests/${e(id)}/critical-values`, { body: { finding } });
export const acknowledgeCritical = (criticalId: string, input: AcknowledgeInput) =>
  request<CriticalValueDto>('POST', `${base}/critical-values/${e(criticalId)}/acknowledge`, { body: input });
export const addShift = (centerId: string, body: { readerId: string; date: string; startsAt: string; endsAt: string; role: 'reader' | 'duty-head' }) =>
  request<ShiftDto>('POST', `${base}/centers/${e(centerId)}/roster`, { body });
export const removeShift = (centerId: string, shiftId: string) => request<undefined>('DELETE', `${base}/centers/${e(centerId)}/roster/${e(shiftId)}`);
export const addTemplate = (centerId: string, body: TemplateInput) => request<TemplateDto>('POST', `${base}/centers/${e(centerId)}/templates`, { body });
export const setCenterDeadline = (centerId: string, urgency: Urgency, minutes: number) =>
  request<CenterDeadlineDto[]>('PUT', `${base}/centers/${e(centerId)}/deadlines`, { body: { urgency, minutes, calendarId: null } });
export const resetCenterDeadline = (centerId: string, urgency: Urgency) => request<CenterDeadlineDto[]>('DELETE', `${base}/centers/${e(centerId)}/deadlines/${urgency}`);

/** The printable report (PDF), opened in a new tab; the session cookie goes along. */
export const reportPdfUrl = (id: string) => `${base}/requests/${e(id)}/report.pdf`;
export const attachmentUrl = (id: string, attachmentId: string) => `${base}/requests/${e(id)}/attachments/${e(attachmentId)}`;
export const thumbnailUrl = (id: string, attachmentId: string) => `${base}/requests/${e(id)}/attachments/${e(attachmentId)}/thumbnail`;

/**
 * Uploads one file's bytes. XMLHttpRequest rather than fetch: only it reports upload progress, and a CT series of
 * hundreds of files on a township's line needs a moving bar. Errors come back as ApiError like every other call.
 */
export function uploadAttachment(
  id: string,
  file: Blob,
  opts: { kind: AttachmentKind; fileName: string; contentType: string; onProgress?: (loaded: number) => void; signal?: AbortSignal },
): Promise<AttachmentDto> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const query = new URLSearchParams({ kind: opts.kind, fileName: opts.fileName });
    xhr.open('POST', `${base}/requests/${e(id)}/attachments?${query.toString()}`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('content-type', opts.contentType);
    xhr.setRequestHeader('accept', 'application/json');
    xhr.upload.onprogress = (ev) => opts.onProgress?.(ev.loaded);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(xhr.responseText) as AttachmentDto);
        } catch {
          reject(new ApiError(xhr.status, 'invalid_response', ''));
        }
      } else reject(parseErrorBody(xhr.status, xhr.responseText));
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', ''));
    xhr.onabort = () => reject(new DOMException('aborted', 'AbortError'));
    opts.signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(file);
  });
}

export const useCenters = () => useQuery({ queryKey: ['diagnosis', 'centers'] as const, queryFn: fetchCenters });
export const useMyCenters = () => useQuery({ queryKey: diagnosisKeys.myCenters, queryFn: fetchMyCenters, staleTime: 60_000 });
export const useDiagnosisList = (f: DiagnosisFilter, enabled = true, refetchInterval?: number) =>
  useQuery({ queryKey: diagnosisKeys.list(f), queryFn: () => fetchDiagnosisList(f), placeholderData: keepPreviousData, enabled, refetchInterval });
export const useDiagnosisRequest = (id: string | undefined) =>
  useQuery({ queryKey: diagnosisKeys.detail(id ?? ''), queryFn: () => fetchRequest(id ?? ''), enabled: Boolean(id) });
export const useDiagnosisTimeline = (id: string | undefined) =>
  useQuery({ queryKey: diagnosisKeys.timeline(id ?? ''), queryFn: () => fetchTimeline(id ?? ''), enabled: Boolean(id) });
export const useImaging = (id: string, enabled: boolean) => useQuery({ queryKey: diagnosisKeys.imaging(id), queryFn: () => fetchImaging(id), enabled, retry: false });
export const useEcg = (id: string, attachmentId: string | undefined) =>
  useQuery({ queryKey: diagnosisKeys.ecg(id, attachmentId ?? ''), queryFn: () => fetchEcg(id, attachmentId ?? ''), enabled: Boolean(attachmentId), staleTime: Infinity, retry: false });
export const useTemplates = (centerId: string | undefined, enabled = true) =>
  useQuery({ queryKey: diagnosisKeys.templates(centerId ?? ''), queryFn: () => fetchTemplates(centerId ?? ''), enabled: enabled && Boolean(centerId), staleTime: 60_000 });
export const useReaders = (centerId: string | undefined, enabled = true) =>
  useQuery({ queryKey: diagnosisKeys.readers(centerId ?? ''), queryFn: () => fetchReaders(centerId ?? ''), enabled: enabled && Boolean(centerId) });
export const useRoster = (centerId: string | undefined, from: string, to: string) =>
  useQuery({ queryKey: diagnosisKeys.roster(centerId ?? '', from, to), queryFn: () => fetchRoster(centerId ?? '', from, to), enabled: Boolean(centerId) });
export const useCenterDeadlines = (centerId: string | undefined) =>
  useQuery({ queryKey: diagnosisKeys.deadlines(centerId ?? ''), queryFn: () => fetchCenterDeadlines(centerId ?? ''), enabled: Boolean(centerId) });
/** Critical values of one side; the requester's open ones are polled (the banner must not wait for a reload). */
export const useCriticalBoard = (side: 'requester' | 'reader', state: 'open' | 'acknowledged' | 'all', page: number, enabled = true) =>
  useQuery({
    queryKey: diagnosisKeys.critical(side, state, page),
    queryFn: () => fetchCriticalBoard(side, state, page),
    enabled,
    refetchInterval: side === 'requester' && state === 'open' ? 30_000 : undefined,
    placeholderData: keepPreviousData,
    retry: false,
  });

/** After any change: the request (with the answer), every list, the critical values and the bell. */
export async function diagnosisChanged(queryClient: QueryClient, dto?: DiagnosisRequestDto): Promise<void> {
  if (dto) queryClient.setQueryData(diagnosisKeys.detail(dto.id), dto);
  await Promise.all([
    queryClient.invalidateQueries({ queryKey: diagnosisKeys.all }),
    queryClient.invalidateQueries({ queryKey: ['notifications'] }),
  ]);
}

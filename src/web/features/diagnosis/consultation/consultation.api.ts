import { keepPreviousData, type QueryClient, useQuery } from '@tanstack/react-query';
import type {
  AssignExpertInput, ConsultationDto, ConsultationEventDto, ConsultationInput, ConsultationKind, ConsultationListItemDto, ConsultationStatus,
  InvitationResponse, OpinionInput, ScheduleInput,
} from '../../../../contracts/diagnosis-consultation.js';
import type { CenterDto, ReaderDto } from '../../../../contracts/diagnosis.js';
import { get, request } from '../../../api/client.js';
import type { Page } from '../../../lib/page.js';

/** Teleconsultation (远程会诊): the only fetch calls of the consultation pages. */

export interface ConsultationFilter {
  view: 'sent' | 'center' | 'expert';
  status?: ConsultationStatus;
  kind?: ConsultationKind;
  overdue?: boolean;
  q?: string;
  page: number;
  pageSize: number;
}

export const consultationKeys = {
  all: ['consultation'] as const,
  centers: ['consultation', 'centers'] as const,
  list: (f: ConsultationFilter) => ['consultation', 'list', f] as const,
  detail: (id: string) => ['consultation', 'detail', id] as const,
  timeline: (id: string) => ['consultation', 'timeline', id] as const,
  pool: (centerId: string) => ['consultation', 'pool', centerId] as const,
};

const base = '/api/v1/diagnosis/consultations';
const e = (id: string) => encodeURIComponent(id);

/** Consultation centers (the server decides at the request whether one serves my facility). */
export const fetchConsultationCenters = async () => (await get<CenterDto[]>('/api/v1/diagnosis/centers')).filter((c) => c.type === 'consultation' && c.active);
export const fetchConsultations = (f: ConsultationFilter) => get<Page<ConsultationListItemDto>>(base, { ...f, overdue: f.overdue ? true : undefined });
export const fetchConsultation = (id: string) => get<ConsultationDto>(`${base}/${e(id)}`);
export const fetchConsultationTimeline = (id: string) => get<ConsultationEventDto[]>(`${base}/${e(id)}/timeline`);
/** The center's expert pool: its readers. */
export const fetchExpertPool = (centerId: string) => get<ReaderDto[]>(`/api/v1/diagnosis/centers/${e(centerId)}/readers`);

export const createConsultation = (input: ConsultationInput) => request<ConsultationDto>('POST', base, { body: input });
export const assignExpert = (id: string, input: AssignExpertInput) => request<ConsultationDto>('POST', `${base}/${e(id)}/experts`, { body: input });
export const removeExpert = (id: string, expertId: string, reason: string) => request<ConsultationDto>('POST', `${base}/${e(id)}/experts/${e(expertId)}/remove`, { body: { reason } });
export const respondToInvitation = (id: string, input: InvitationResponse) => request<ConsultationDto>('POST', `${base}/${e(id)}/invitation`, { body: input });
export const scheduleConsultation = (id: string, input: ScheduleInput) => request<ConsultationDto>('POST', `${base}/${e(id)}/schedule`, { body: input });
export const startConsultation = (id: string) => request<ConsultationDto>('POST', `${base}/${e(id)}/start`, { body: {} });
export const recordOpinion = (id: string, input: OpinionInput) => request<ConsultationDto>('POST', `${base}/${e(id)}/opinions`, { body: input });
export const concludeConsultation = (id: string, decision: string) => request<ConsultationDto>('POST', `${base}/${e(id)}/conclude`, { body: { decision } });
export const cancelConsultation = (id: string, reason: string) => request<ConsultationDto>('POST', `${base}/${e(id)}/cancel`, { body: { reason } });
export const declineConsultation = (id: string, reason: string) => request<ConsultationDto>('POST', `${base}/${e(id)}/decline`, { body: { reason } });

export const useConsultationCenters = () => useQuery({ queryKey: consultationKeys.centers, queryFn: fetchConsultationCenters, staleTime: 60_000 });
export const useConsultations = (f: ConsultationFilter, enabled = true) =>
  useQuery({ queryKey: consultationKeys.list(f), queryFn: () => fetchConsultations(f), placeholderData: keepPreviousData, enabled, refetchInterval: 60_000 });
export const useConsultation = (id: string | undefined) =>
  useQuery({ queryKey: consultationKeys.detail(id ?? ''), queryFn: () => fetchConsultation(id ?? ''), enabled: Boolean(id) });
export const useConsultationTimeline = (id: string | undefined) =>
  useQuery({ queryKey: consultationKeys.timeline(id ?? ''), queryFn: () => fetchConsultationTimeline(id ?? ''), enabled: Boolean(id) });
export const useExpertPool = (centerId: string | undefined, enabled = true) =>
  useQuery({ queryKey: consultationKeys.pool(centerId ?? ''), queryFn: () => fetchExpertPool(centerId ?? ''), enabled: enabled && Boolean(centerId) });

/** After any change: the consultation (with the answer), every list, the timeline and the bell. */
export async function consultationChanged(queryClient: QueryClient, dto?: ConsultationDto): Promise<void> {
  if (dto) queryClient.setQueryData(consultationKeys.detail(dto.id), dto);
  await Promise.all([queryClient.invalidateQueries({ queryKey: consultationKeys.all }), queryClient.invalidateQueries({ queryKey: ['notifications'] })]);
}

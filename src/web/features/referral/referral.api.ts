import { keepPreviousData, type QueryClient, useQuery } from '@tanstack/react-query';
import type { ReferralDirection, ReferralStatus, Urgency } from '../../../contracts/codes.js';
import type {
  CarePlanTaskDto, DownReferralInput, ReferralDto, ReferralEventDto, ReferralListItemDto, RoutingResultDto, SlotDto, UpReferralInput,
} from '../../../contracts/referral.js';
import { get, request } from '../../api/client.js';
import type { Page } from '../../lib/page.js';
import { readBedPools, type ReferralView, type TransitionBody } from './referral.model.js';

/** Two-way referral: worklists, one referral and its moves, routing, diagnoses, slots, beds, care tasks. */

export interface ReferralFilter {
  view: ReferralView;
  status?: ReferralStatus | ReferralStatus[];
  direction?: ReferralDirection;
  urgency?: Urgency;
  overdue?: boolean;
  patientId?: string;
  q?: string;
  page: number;
  pageSize: number;
  sort?: 'due' | 'requested' | 'updated';
}

export interface ReferralCounts {
  byStatus: Record<string, number>;
  overdue: number;
  noCapacity: number;
}

export interface DiagnosisOption {
  code: string;
  zh: string;
  en: string;
}

export const referralKeys = {
  all: ['referrals'] as const,
  list: (f: ReferralFilter) => ['referrals', 'list', f] as const,
  counts: (view: ReferralView) => ['referrals', 'counts', view] as const,
  detail: (id: string) => ['referrals', 'detail', id] as const,
  timeline: (id: string) => ['referrals', 'timeline', id] as const,
  routing: (patientId: string, diagnosisCode: string, urgency: Urgency) => ['referral-routing', patientId, diagnosisCode, urgency] as const,
  diagnoses: (q: string) => ['diagnoses', q] as const,
  slots: (referralId: string, organizationId: string, departmentId: string, from: string, to: string) =>
    ['slots', referralId, organizationId, departmentId, from, to] as const,
  bedPools: (organizationId: string) => ['bed-pools', organizationId] as const,
  careTasks: (status: string) => ['care-tasks', status] as const,
};

const rid = (id: string) => encodeURIComponent(id);

export const fetchReferrals = (f: ReferralFilter) =>
  get<Page<ReferralListItemDto>>('/api/v1/referrals', { ...f, overdue: f.overdue ? true : undefined });
export const fetchReferralCounts = (view: ReferralView) => get<ReferralCounts>('/api/v1/referrals/counts', { view });
export const fetchReferral = (id: string) => get<ReferralDto>(`/api/v1/referrals/${rid(id)}`);
export const fetchTimeline = (id: string) => get<ReferralEventDto[]>(`/api/v1/referrals/${rid(id)}/timeline`);
export const createUpReferral = (input: UpReferralInput) => request<ReferralDto>('POST', '/api/v1/referrals/up', { body: input });
export const createDownReferral = (input: DownReferralInput) => request<ReferralDto>('POST', '/api/v1/referrals/down', { body: input });
export const transitionReferral = (id: string, body: TransitionBody) =>
  request<ReferralDto>('POST', `/api/v1/referrals/${rid(id)}/transitions`, { body });
export const resendReferral = (id: string, body: { destinationOrganizationId: string; overrideReason?: string }) =>
  request<ReferralDto>('POST', `/api/v1/referrals/${rid(id)}/resend`, { body });
export const bookSlot = (id: string, slotId: string) => request<ReferralDto>('POST', `/api/v1/referrals/${rid(id)}/booking`, { body: { slotId } });
export const cancelBooking = (id: string) => request<ReferralDto | undefined>('DELETE', `/api/v1/referrals/${rid(id)}/booking`);
export const bookBed = (id: string, bedPoolId: string, day: string) =>
  request<ReferralDto>('POST', `/api/v1/referrals/${rid(id)}/bed`, { body: { bedPoolId, day } });
/** The printable referral slip (PDF); opened in a new tab, the session cookie goes along. */
export const slipUrl = (id: string) => `/api/v1/referrals/${rid(id)}/slip.pdf`;
/** The admission notice (入院通知单) of a bed booking, as a PDF. */
export const admissionNoticeUrl = (id: string) => `/api/v1/referrals/${rid(id)}/admission-notice.pdf`;
export const fetchRouting = (patientId: string, diagnosisCode: string, urgency: Urgency) =>
  get<RoutingResultDto>('/api/v1/referral-routing', { patientId, diagnosisCode, urgency });
/** The diagnosis picker's list; answered as an array or as `{ items }` — either is read as an array. */
export const fetchDiagnoses = async (q: string): Promise<DiagnosisOption[]> => {
  const r = await get<DiagnosisOption[] | { items?: DiagnosisOption[] }>('/api/v1/diagnoses', { q });
  return Array.isArray(r) ? r : (r?.items ?? []);
};
/** Free slots this referral may book in [from, to] (never before now); up to 500, a busy week of a county hospital. */
export const slotLimit = 500;
export const fetchSlots = async (referralId: string, organizationId: string, departmentId: string, from: string, to: string) => {
  const now = new Date();
  const start = Date.parse(from) < now.getTime() ? now.toISOString() : from;
  const r = await get<SlotDto[] | { items?: SlotDto[] }>('/api/v1/slots', {
    organizationId: organizationId || undefined, departmentId: departmentId || undefined, from: start, to, status: 'free', forReferralId: referralId, limit: slotLimit,
  });
  return Array.isArray(r) ? r : (r?.items ?? []);
};
export const fetchBedPools = async (organizationId: string) => readBedPools(await get<unknown>('/api/v1/bed-pools', { organizationId }));
export const fetchCareTasks = (status: string) => get<CarePlanTaskDto[] | Page<CarePlanTaskDto>>('/api/v1/care-tasks', { status });
export const completeCareTask = (id: string, outcome: string) =>
  request<CarePlanTaskDto>('POST', `/api/v1/care-tasks/${rid(id)}/complete`, { body: { outcome } });

export const useReferrals = (f: ReferralFilter, enabled = true) =>
  useQuery({ queryKey: referralKeys.list(f), queryFn: () => fetchReferrals(f), placeholderData: keepPreviousData, enabled });
export const useReferralCounts = (view: ReferralView | undefined, enabled = true) =>
  useQuery({ queryKey: referralKeys.counts(view ?? 'all'), queryFn: () => fetchReferralCounts(view ?? 'all'), enabled: enabled && Boolean(view), staleTime: 15_000 });
export const useReferral = (id: string | undefined) =>
  useQuery({ queryKey: referralKeys.detail(id ?? ''), queryFn: () => fetchReferral(id ?? ''), enabled: Boolean(id) });
export const useTimeline = (id: string | undefined) =>
  useQuery({ queryKey: referralKeys.timeline(id ?? ''), queryFn: () => fetchTimeline(id ?? ''), enabled: Boolean(id) });
export const useRouting = (patientId: string | undefined, diagnosisCode: string | undefined, urgency: Urgency) =>
  useQuery({
    queryKey: referralKeys.routing(patientId ?? '', diagnosisCode ?? '', urgency),
    queryFn: () => fetchRouting(patientId ?? '', diagnosisCode ?? '', urgency),
    enabled: Boolean(patientId && diagnosisCode),
    placeholderData: keepPreviousData,
  });
export const useDiagnoses = (q: string) =>
  useQuery({ queryKey: referralKeys.diagnoses(q), queryFn: () => fetchDiagnoses(q), enabled: q.length > 0, staleTime: 10 * 60_000, placeholderData: keepPreviousData });
export const useSlots = (referralId: string, organizationId: string, departmentId: string, from: string, to: string, enabled: boolean) =>
  useQuery({
    queryKey: referralKeys.slots(referralId, organizationId, departmentId, from, to),
    queryFn: () => fetchSlots(referralId, organizationId, departmentId, from, to),
    enabled,
    staleTime: 0,
  });
export const useBedPools = (organizationId: string, enabled: boolean) =>
  useQuery({ queryKey: referralKeys.bedPools(organizationId), queryFn: () => fetchBedPools(organizationId), enabled, staleTime: 0 });
/** Care tasks; the list may come as an array or as a page — either is read as an array. */
export const useCareTasks = (status: string, enabled = true) =>
  useQuery({
    queryKey: referralKeys.careTasks(status),
    queryFn: async () => {
      const r = await fetchCareTasks(status);
      return Array.isArray(r) ? r : (r?.items ?? []);
    },
    enabled,
  });

/** After any change to a referral: its detail (with the answer), timeline, every worklist and count, the bell. */
export async function referralChanged(queryClient: QueryClient, referral?: ReferralDto): Promise<void> {
  if (referral) queryClient.setQueryData(referralKeys.detail(referral.id), referral);
  await Promise.all([
    queryClient.invalidateQueries({ queryKey: referralKeys.all }),
    queryClient.invalidateQueries({ queryKey: ['slots'] }),
    queryClient.invalidateQueries({ queryKey: ['bed-pools'] }),
    queryClient.invalidateQueries({ queryKey: ['care-tasks'] }),
    queryClient.invalidateQueries({ queryKey: ['notifications'] }),
  ]);
}

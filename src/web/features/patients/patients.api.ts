import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { PatientDto, PatientInput, PatientQuery } from '../../../contracts/patient.js';
import type { IdNumberCheckResult } from '../../../contracts/ui.js';
import { get, request } from '../../api/client.js';
import type { Page } from '../../lib/page.js';

/** Patient registry: search, detail, registration, update, live ID-number check. */

export type PatientFilter = Partial<Omit<PatientQuery, 'page' | 'pageSize'>> & { page: number; pageSize: number };

export const patientKeys = {
  all: ['patients'] as const,
  list: (f: PatientFilter) => ['patients', 'list', f] as const,
  detail: (id: string) => ['patients', 'detail', id] as const,
  idCheck: (idNumber: string) => ['patients', 'check-id', idNumber] as const,
  count: (organizationId?: string) => ['patients', 'count', organizationId ?? ''] as const,
};

export const fetchPatients = (f: PatientFilter) => get<Page<PatientDto>>('/api/v1/patients', { ...f });
/** How many patients the user may see (optionally of one facility): a number only, so nothing is disclosed or audited. */
export const fetchPatientCount = (organizationId?: string) =>
  get<{ total: number }>('/api/v1/patients/count', organizationId ? { organizationId } : {});
export const fetchPatient = (id: string) => get<PatientDto>(`/api/v1/patients/${encodeURIComponent(id)}`);
export const createPatient = (input: PatientInput) => request<PatientDto>('POST', '/api/v1/patients', { body: input });
/** `version` is the one the user edited: the server refuses (409) if someone saved in between. */
export const updatePatient = (id: string, input: PatientInput, version: number) =>
  request<PatientDto>('PUT', `/api/v1/patients/${encodeURIComponent(id)}`, { body: { ...input, version } });
export const checkIdNumber = (idNumber: string) =>
  request<IdNumberCheckResult>('POST', '/api/v1/patients/check-id', { body: { idNumber } });

export const usePatients = (f: PatientFilter, enabled = true) =>
  useQuery({ queryKey: patientKeys.list(f), queryFn: () => fetchPatients(f), placeholderData: keepPreviousData, enabled });
export const usePatientCount = (organizationId?: string, enabled = true) =>
  useQuery({ queryKey: patientKeys.count(organizationId), queryFn: () => fetchPatientCount(organizationId), enabled });
export const usePatient = (id: string | undefined) =>
  useQuery({ queryKey: patientKeys.detail(id ?? ''), queryFn: () => fetchPatient(id ?? ''), enabled: Boolean(id) });

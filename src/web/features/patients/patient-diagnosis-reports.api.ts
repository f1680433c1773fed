import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { PatientDiagnosisReportDto } from '../../../contracts/diagnosis.js';
import { get } from '../../api/client.js';
import type { Page } from '../../lib/page.js';

/** The patient's record of diagnostic reports (final and amended, across the diagnosis centers). */
export const fetchPatientDiagnosisReports = (patientId: string, page: number, pageSize: number) =>
  get<Page<PatientDiagnosisReportDto>>(`/api/v1/patients/${encodeURIComponent(patientId)}/diagnosis-reports`, { page, pageSize });

export const usePatientDiagnosisReports = (patientId: string, page: number, pageSize: number) =>
  useQuery({
    queryKey: ['patients', 'diagnosis-reports', patientId, page, pageSize] as const,
    queryFn: () => fetchPatientDiagnosisReports(patientId, page, pageSize),
    placeholderData: keepPreviousData,
  });

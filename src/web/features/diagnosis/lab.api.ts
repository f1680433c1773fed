import { useQuery } from '@tanstack/react-query';
import type { LabAnalyteDto, LabDto, LabFlag, SpecimensInput } from '../../../contracts/diagnosis.js';
import { get, request } from '../../api/client.js';

/** The lab center's barcode chain: specimens (register, receive), the analyte table, the results of a request. */

const base = '/api/v1/diagnosis';
const e = (id: string) => encodeURIComponent(id);

export const labKeys = {
  lab: (id: string) => ['diagnosis', 'lab', id] as const,
  analytes: ['diagnosis', 'lab-analytes'] as const,
};

export const fetchLab = (id: string) => get<LabDto>(`${base}/requests/${e(id)}/lab`);
export const fetchAnalytes = () => get<{ items: LabAnalyteDto[] }>(`${base}/lab/analytes`);
export const registerSpecimens = (id: string, input: SpecimensInput) => request<LabDto>('POST', `${base}/requests/${e(id)}/specimens`, { body: input });
export const receiveSpecimen = (id: string, specimenId: string) => request<LabDto>('POST', `${base}/requests/${e(id)}/specimens/${e(specimenId)}/receive`, { body: {} });
export const receiveByBarcode = (barcode: string) =>
  request<LabDto & { requestId: string; requestNumber: string; specimenId: string }>('POST', `${base}/specimens/receive`, { body: { barcode } });

/** Under the diagnosis key, so `diagnosisChanged` refreshes it with the request. */
export const useLab = (id: string, enabled = true) => useQuery({ queryKey: labKeys.lab(id), queryFn: () => fetchLab(id), enabled });
export const useAnalytes = (enabled = true) => useQuery({ queryKey: labKeys.analytes, queryFn: fetchAnalytes, enabled, staleTime: Infinity });

/** How a flag is shown: HL7 0078 code → tag colour (critical red, high orange, low blue). */
export const labFlagColors: Record<LabFlag, string> = { N: 'default', L: 'blue', H: 'orange', LL: 'red', HH: 'red' };
export const isCriticalFlag = (flag: LabFlag | null | undefined): boolean => flag === 'LL' || flag === 'HH';

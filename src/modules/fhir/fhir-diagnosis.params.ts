import type { SearchParamSpec, SearchParamType } from './fhir.search.js';
import { systems } from './fhir.codes.js';

/**
 * The search parameters the diagnosis centers add to the FHIR façade (docs/fhir.md, "Diagnosis centers"). They live
 * here, apart from fhir.search.ts, which spreads them into its one table (parser and CapabilityStatement read it).
 * Type-only import of fhir.search.ts: that module evaluates these constants while it loads.
 */

const spec = (type: SearchParamType, resource: string, name: string, documentation: string, extra: Partial<SearchParamSpec> = {}): SearchParamSpec => ({
  name, type, definition: `http://hl7.org/fhir/SearchParameter/${resource}-${name}`, documentation, ...extra,
});

/** ServiceRequest parameters that select a store (category) or apply to diagnosis requests only (authored, _sort). */
export const diagnosisServiceRequestParams: readonly SearchParamSpec[] = [
  spec('token', 'ServiceRequest', 'category',
    `Referral (SNOMED CT 3457005) or a diagnosis center type (${systems.diagnosisCenterType}: imaging, ecg, pathology, lab, consultation; or the SNOMED CT code set beside it); comma = OR. Without it both referrals and diagnosis requests are searched (referrals first)`,
    { orValues: true }),
  spec('date', 'ServiceRequest', 'authored', 'Diagnosis requests only (with a diagnosis category): day of submission in China Standard Time, YYYY-MM-DD with prefix eq, ge, gt, le or lt; may be repeated for a range', { andValues: true }),
  {
    name: '_sort', type: 'token', definition: 'http://hl7.org/fhir/R4/search.html#sort',
    documentation: 'Diagnosis requests only (with a diagnosis category): -authored (newest first, the default) or authored',
  },
];

/** Task parameters of diagnosis requests (their Task shares the request's id, like a referral's). */
export const diagnosisTaskParams: readonly SearchParamSpec[] = [
  spec('token', 'Task', 'business-status', `Diagnosis requests only: the worklist status (${systems.diagnosisStatus}): requested, in-progress, returned, preliminary, awaiting-signoff, completed, cancelled; comma = OR`, { orValues: true }),
];

/** The resource types only the diagnosis centers publish. */
export function diagnosisSearchParams(
  idParam: SearchParamSpec,
  sp: (type: SearchParamType, resource: string, name: string, documentation: string, extra?: Partial<SearchParamSpec>) => SearchParamSpec,
): Record<'DiagnosticReport' | 'ImagingStudy' | 'Flag' | 'Communication', readonly SearchParamSpec[]> {
  const patient = (resource: string) => ({ ...sp('reference', resource, 'patient', 'Patient/<id>'), definition: 'http://hl7.org/fhir/SearchParameter/clinical-patient' });
  return {
    DiagnosticReport: [
      idParam,
      sp('reference', 'DiagnosticReport', 'based-on', 'ServiceRequest/<id>: the report of a diagnosis request (same id); comma = OR', { orValues: true }),
      patient('DiagnosticReport'),
      sp('reference', 'DiagnosticReport', 'subject', 'Patient/<id>'),
      sp('token', 'DiagnosticReport', 'status', 'preliminary, final, amended (released reports only); comma = OR', { orValues: true }),
      sp('token', 'DiagnosticReport', 'category', `Center type (${systems.diagnosisCenterType}) or diagnostic service section (${systems.diagnosticServiceSection}: RAD, EC, PAT, LAB); comma = OR`, { orValues: true }),
    ],
    ImagingStudy: [
      idParam,
      sp('reference', 'ImagingStudy', 'basedon', 'ServiceRequest/<id>: the studies uploaded for a diagnosis request'),
      patient('ImagingStudy'),
    ],
    Flag: [
      idParam,
      patient('Flag'),
      sp('reference', 'Flag', 'subject', 'Patient/<id>'),
      sp('token', 'Flag', 'status', 'active (critical value not yet acknowledged) or inactive (acknowledged with read-back)'),
    ],
    Communication: [
      idParam,
      sp('reference', 'Communication', 'about', 'Flag/<id>: the read-back acknowledgement of a critical value'),
      patient('Communication'),
    ],
  };
}

/** Public API of the FHIR façade module: FHIR R4 resources over the network and the master patient index. */
export { FhirService, PreconditionFailedError, parseIfMatch } from './fhir.service.js';
export type { FhirDependencies } from './fhir.service.js';
export { FhirReferralService } from './fhir-referral.service.js';
export type { ReferralPort, CapacityReadPort, ReferralResourceType } from './fhir-referral.service.js';
export { FhirSubscriptionService, FhirSubscriptionDispatcher } from './fhir-subscription.service.js';
export type { DispatcherOptions, TickSummary, SubscriptionReferralPort } from './fhir-subscription.service.js';
export {
  referralToServiceRequest, referralToTask, serviceRequestFromFhir, taskMoveFromFhir, slotToFhir, scheduleToFhir, appointmentToFhir,
  appointmentFromFhir, subscriptionFromFhir, subscriptionToFhir, parseSubscriptionCriteria, UnprocessableError, isUnprocessable,
} from './fhir-referral.mapping.js';
export type { TaskMove, TaskCurrent, AppointmentView, SubscriptionView } from './fhir-referral.mapping.js';
export { capabilityStatement } from './fhir.capability.js';
export type { CapabilityOrigin } from './fhir.capability.js';
export { supportedResourceTypes, isSupportedResourceType, searchParamSpecs, DEFAULT_COUNT, MAX_COUNT } from './fhir.search.js';
export type { FhirResourceType, RawQuery } from './fhir.search.js';
export { systems, extensions, ALLIANCE_ID_PREFIX, LOCATION_ID_PREFIX, PATIENT_REFERRAL, MEASURE_URL_BASE } from './fhir.codes.js';
export {
  organizationToFhir, allianceToFhir, locationToFhir, membershipToFhir, practitionerToFhir, practitionerRoleToFhir,
  patientToFhir, patientFromFhir, humanNameOf, addressOf, periodOf,
} from './fhir.mapping.js';
export { FhirActivityService } from './fhir-activity.service.js';
export type { ActivityRecorderPort, ErrorRendering, ActivityBundleAnswer } from './fhir-activity.service.js';
export { activitiesFromBundle, encounterToActivity, activitySystems } from './fhir-activity.mapping.js';
export { FhirMeasureService } from './fhir-measure.service.js';
export type { IndicatorReadPort } from './fhir-measure.service.js';
export { definitionToMeasure, evaluationToMeasureReport, measurePeriodOf, measureUrl, scoringOf } from './fhir-measure.mapping.js';
export { FhirDiagnosisService } from './fhir-diagnosis.service.js';
export type { DiagnosisPort, DiagnosisResourceType } from './fhir-diagnosis.service.js';
export {
  diagnosisToServiceRequest, diagnosisToTask, diagnosisToDiagnosticReport, diagnosisToImagingStudies, criticalToFlag, acknowledgementToCommunication,
  isDiagnosisServiceRequest,
} from './fhir-diagnosis.mapping.js';

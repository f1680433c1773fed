/** Public API of the diagnosis module: shared diagnosis centers (资源共享中心) — centers, worklists, reports, critical values. */
export { DiagnosisService, DIAGNOSIS_SUBJECT } from './diagnosis.service.js';
export type { DiagnosisServiceDeps, FhirDiagnosisFilter } from './diagnosis.service.js';
export {
  reportStepOf, CRITICAL_ACK_STEP, transitionTable, decideTransition, allowedActions, partiesOf, chooseReader, onDutyAt, readsModality,
  signOffProblem, shiftProblem, reportText, requestNumber, attachmentKindProblem, statusLabels, actionLabels, centerTypeLabels,
} from './diagnosis.rules.js';
export type { Party, ActorFacts, RequestFacts, ReaderCandidate, TableAction, Decision } from './diagnosis.rules.js';
export { FileSystemBlobStorage, MemoryBlobStorage } from './diagnosis.storage.js';
export type { BlobStorage } from './diagnosis.storage.js';
export { renderDiagnosisReport } from './diagnosis-report.pdf.js';
// Turnaround statistics (issue 5, item 8) and the one per-request definition the monitoring indicators read too.
export { DiagnosisStatisticsService, MAX_STATISTICS_REQUESTS } from './diagnosis-statistics.service.js';
export type { DiagnosisStatisticsDeps } from './diagnosis-statistics.service.js';
export { turnaroundFactsSql } from './diagnosis-statistics.repository.js';
export { percentile, histogram, distributionOf, onTimeShare, summarise, groupFacts } from './diagnosis-statistics.rules.js';
export type { TurnaroundFact } from './diagnosis-statistics.rules.js';
// Teleconsultation (远程会诊, issue item 6): a request of kind `consultation` with experts, schedule, opinions, decision, consent.
export { ConsultationService } from './consultation.service.js';
export type { ConsultationServiceDeps } from './consultation.service.js';
export {
  CONSULTATION_RESPOND_STEP, consultationTransitions, decideConsultation, allowedConsultationActions, consultationPartiesOf, consultationUrgency,
  requestStatusOf, scheduleProblem, consentProblem, consultationStatusLabels, consultationActionLabels, consultationKindLabels,
} from './consultation.rules.js';
export type { ConsultationParty, ConsultationFacts } from './consultation.rules.js';

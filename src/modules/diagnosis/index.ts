/** Public API of the diagnosis module: shared diagnosis centers (资源共享中心) — centers, worklists, reports, critical values. */
export { DiagnosisService, DIAGNOSIS_SUBJECT } from './diagnosis.service.js';
export type { DiagnosisServiceDeps } from './diagnosis.service.js';
export {
  reportStepOf, CRITICAL_ACK_STEP, transitionTable, decideTransition, allowedActions, partiesOf, chooseReader, onDutyAt, readsModality,
  signOffProblem, shiftProblem, reportText, requestNumber, attachmentKindProblem, statusLabels, actionLabels, centerTypeLabels,
} from './diagnosis.rules.js';
export type { Party, ActorFacts, RequestFacts, ReaderCandidate, TableAction, Decision } from './diagnosis.rules.js';
export { FileSystemBlobStorage, MemoryBlobStorage } from './diagnosis.storage.js';
export type { BlobStorage } from './diagnosis.storage.js';
export { renderDiagnosisReport } from './diagnosis-report.pdf.js';

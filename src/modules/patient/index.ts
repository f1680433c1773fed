/** Public API of the patient module: the master patient index. */
export { PatientService } from './patient.service.js';
export type { IdNumberCheck, RegistrationResult, AccessBasisProvider } from './patient.service.js';
export type { PatientFilter } from './patient.repository.js';
export { parseResidentId, composeResidentId, checkCharacterOf } from './resident-id.rules.js';
export type { ResidentIdInfo } from './resident-id.rules.js';

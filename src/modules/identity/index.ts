/** Public API of the identity module: accounts, sign-in, tokens and access decisions. */
export { IdentityService } from './identity.service.js';
export type { IssuedToken, IdentityOptions } from './identity.service.js';
export { decidePatientAccess, derivePatientScope, auditScope, loginThrottle } from './access.rules.js';
export type { PatientScope, AccessDecision } from './access.rules.js';
export { hashPassword, verifyPassword } from './password.js';

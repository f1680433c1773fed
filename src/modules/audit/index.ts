/** Public API of the audit module. */
export { AuditService } from './audit.service.js';
export type { AuditEntry, AuditVisibility } from './audit.service.js';

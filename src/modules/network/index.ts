/** Public API of the network module — the only file other modules import. */
export { NetworkService, toOrganizationDto, isUniqueViolation } from './network.service.js';
export type { OrganizationFilter } from './network.repository.js';
export { trimDivision } from './network.repository.js';
export {
  coversDate, periodsOverlap, membershipsOn, membershipConflict, practitionerRoleConflict, pairingConflict, normaliseIcd10, parseIcdRange, icdInRange, tierCovers,
} from './network.rules.js';
export type { Period, MembershipPeriod, RolePeriod, PairingPeriod, CatalogueEntry, CatalogueDecision } from './network.rules.js';
export { defaultCatalogue, defaultCatalogueEntryId, DEFAULT_CATALOGUE_SOURCE } from './default-catalogue.js';
export type { DefaultCatalogueEntry } from './default-catalogue.js';

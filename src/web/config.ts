/**
 * Deployment facts the UI needs before it has asked the server anything.
 *
 * The county this deployment serves (GB/T 2260): 福建省龙岩市长汀县. The division browser starts here and residence
 * addresses are picked among its townships and villages. TODO(server): expose it (e.g. in the network summary) so
 * another county needs no rebuild.
 */
export const homeCountyCode = '350821';
/** Its name as it appears in division full names, to shorten them to the part inside the county. */
export const homeCountyName = '长汀县';

/** Chronic conditions offered as quick picks when registering a resident (ICD-10 categories; names in i18n). */
export const commonChronicConditions = ['I10', 'E11', 'J44', 'I25', 'I63', 'N18', 'E78', 'J45', 'F20', 'A15'] as const;

/** Page sizes offered by every table. */
export const pageSizeOptions = [10, 20, 50, 100];

import { z } from 'zod';
import {
  allianceKinds, divisionLevels, facilityTiers, hospitalGrades, hospitalLevels, identifierKinds, membershipRoles,
  ownershipKinds, practitionerRoleKinds, practitionerTitles, professions, sexes, catalogueEffects,
} from './codes.js';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');

export const divisionSchema = z.object({
  code: z.string(),
  name: z.string(),
  level: z.enum(divisionLevels),
  parentCode: z.string().nullable(),
  fullName: z.string(),
});
export type DivisionDto = z.infer<typeof divisionSchema>;

export const organizationSchema = z.object({
  id: z.string(),
  identifier: z.string(),
  identifierKind: z.enum(identifierKinds),
  name: z.string(),
  shortName: z.string().nullable(),
  tier: z.enum(facilityTiers),
  hospitalLevel: z.enum(hospitalLevels).nullable(),
  hospitalGrade: z.enum(hospitalGrades).nullable(),
  ownership: z.enum(ownershipKinds),
  beds: z.number().int(),
  divisionCode: z.string(),
  divisionName: z.string(),
  addressLine: z.string().nullable(),
  phone: z.string().nullable(),
  supervisorId: z.string().nullable(),
  isCentral: z.boolean(),
  meetsCapabilityStandard: z.boolean(),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
  active: z.boolean(),
});
export type OrganizationDto = z.infer<typeof organizationSchema>;

export const organizationInputSchema = z.object({
  identifier: z.string().trim().min(1, '机构标识不能为空').max(40),
  identifierKind: z.enum(identifierKinds).default('local'),
  name: z.string().trim().min(2, '机构名称至少2个字').max(100),
  shortName: z.string().trim().max(40).nullish(),
  tier: z.enum(facilityTiers, { error: `机构层级应为: ${facilityTiers.join(', ')}` }),
  hospitalLevel: z.enum(hospitalLevels).nullish(),
  hospitalGrade: z.enum(hospitalGrades).nullish(),
  ownership: z.enum(ownershipKinds).default('public'),
  beds: z.number().int().min(0, '床位数不能为负').max(20000).default(0),
  divisionCode: z.string().regex(/^\d{6}(\d{3})?(\d{3})?$/, '行政区划代码应为6、9或12位数字'),
  addressLine: z.string().trim().max(200).nullish(),
  phone: z.string().trim().max(30).nullish(),
  supervisorIdentifier: z.string().trim().nullish(),
  isCentral: z.boolean().default(false),
  meetsCapabilityStandard: z.boolean().default(false),
  latitude: z.number().min(-90).max(90).nullish(),
  longitude: z.number().min(-180).max(180).nullish(),
});
export type OrganizationInput = z.infer<typeof organizationInputSchema>;

export const organizationQuerySchema = z.object({
  q: z.string().trim().max(100).optional(),
  tier: z.enum(facilityTiers).optional(),
  divisionCode: z.string().regex(/^\d{6,12}$/).optional(),
  allianceId: z.string().optional(),
  supervisorId: z.string().optional(),
  identifier: z.string().optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(20),
  sort: z.enum(['name', 'tier', 'beds', 'division']).default('tier'),
});
export type OrganizationQuery = z.infer<typeof organizationQuerySchema>;

export const departmentSchema = z.object({
  id: z.string(),
  organizationId: z.string(),
  code: z.string(),
  name: z.string(),
  specialty: z.string(),
  beds: z.number().int(),
  isTcm: z.boolean(),
});
export type DepartmentDto = z.infer<typeof departmentSchema>;

export const allianceSchema = z.object({
  id: z.string(),
  identifier: z.string(),
  name: z.string(),
  kind: z.enum(allianceKinds),
  leadOrganizationId: z.string(),
  leadOrganizationName: z.string(),
  divisionCode: z.string().nullable(),
  specialty: z.string().nullable(),
  establishedOn: z.string(),
  dissolvedOn: z.string().nullable(),
  memberCount: z.number().int(),
});
export type AllianceDto = z.infer<typeof allianceSchema>;

export const membershipSchema = z.object({
  id: z.string(),
  allianceId: z.string(),
  allianceName: z.string(),
  organizationId: z.string(),
  organizationName: z.string(),
  tier: z.enum(facilityTiers),
  role: z.enum(membershipRoles),
  validFrom: z.string(),
  validTo: z.string().nullable(),
  reason: z.string().nullable(),
});
export type MembershipDto = z.infer<typeof membershipSchema>;

export const membershipInputSchema = z.object({
  organizationId: z.string().min(1),
  role: z.enum(membershipRoles).default('member'),
  validFrom: isoDate,
  reason: z.string().trim().max(200).nullish(),
});
export const membershipEndSchema = z.object({ validTo: isoDate, reason: z.string().trim().min(1, '请填写变更原因').max(200) });

export const supportPairingSchema = z.object({
  id: z.string(),
  supportingOrganizationId: z.string(),
  supportingOrganizationName: z.string(),
  supportedOrganizationId: z.string(),
  supportedOrganizationName: z.string(),
  supportTier: z.number().int().min(1).max(3),
  validFrom: z.string(),
  validTo: z.string().nullable(),
  note: z.string().nullable(),
});
export type SupportPairingDto = z.infer<typeof supportPairingSchema>;

export const practitionerSchema = z.object({
  id: z.string(),
  identifier: z.string(),
  name: z.string(),
  sex: z.enum(sexes),
  profession: z.enum(professions),
  title: z.enum(practitionerTitles),
  specialty: z.string(),
  homeOrganizationId: z.string(),
  homeOrganizationName: z.string(),
  departmentId: z.string().nullable(),
  departmentName: z.string().nullable(),
  phone: z.string().nullable(),
  active: z.boolean(),
});
export type PractitionerDto = z.infer<typeof practitionerSchema>;

export const practitionerRoleSchema = z.object({
  id: z.string(),
  practitionerId: z.string(),
  practitionerName: z.string(),
  organizationId: z.string(),
  organizationName: z.string(),
  departmentId: z.string().nullable(),
  kind: z.enum(practitionerRoleKinds),
  validFrom: z.string(),
  validTo: z.string().nullable(),
  note: z.string().nullable(),
});
export type PractitionerRoleDto = z.infer<typeof practitionerRoleSchema>;

export const catalogueEntrySchema = z.object({
  id: z.string(),
  tier: z.enum(facilityTiers),
  allianceId: z.string().nullable(),
  codeFrom: z.string(),
  codeTo: z.string(),
  effect: z.enum(catalogueEffects),
  label: z.string(),
  note: z.string().nullable(),
  source: z.string().nullable(),
});
export type CatalogueEntryDto = z.infer<typeof catalogueEntrySchema>;

export const catalogueCheckSchema = z.object({
  tier: z.enum(facilityTiers),
  icd10: z.string().trim().min(1),
  allianceId: z.string().optional(),
});

/** An alliance's own catalogue entry, overriding the default for its members of that tier. */
export const catalogueOverrideInputSchema = z.object({
  tier: z.enum(facilityTiers),
  /** ICD-10 code or range, e.g. "K35-K37" or "I10". */
  range: z.string().trim().min(3, '请填写 ICD-10 编码或范围，如 K35-K37').max(20),
  effect: z.enum(catalogueEffects),
  label: z.string().trim().min(1, '请填写病种名称').max(100),
  note: z.string().trim().max(500).nullish(),
});
export type CatalogueOverrideInput = z.infer<typeof catalogueOverrideInputSchema>;

export const organizationDetailSchema = z.object({
  organization: organizationSchema,
  supervisor: organizationSchema.pick({ id: true, name: true }).nullable(),
  departments: z.array(departmentSchema),
  practitioners: z.array(practitionerSchema),
  stationedHere: z.array(practitionerRoleSchema),
  memberships: z.array(membershipSchema),
  pairings: z.array(supportPairingSchema),
  catalogue: z.array(catalogueEntrySchema),
  supervisedClinics: z.array(organizationSchema.pick({ id: true, name: true, identifier: true })),
});
export type OrganizationDetailDto = z.infer<typeof organizationDetailSchema>;

export const networkSummarySchema = z.object({
  counts: z.record(z.string(), z.number()),
  alliances: z.number(),
  practitioners: z.number(),
  patients: z.number(),
  beds: z.number(),
});
export type NetworkSummaryDto = z.infer<typeof networkSummarySchema>;

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

// ---- registry maintenance (科室, 人员, 派驻/巡回, 对口帮扶)

/** Body of POST /api/v1/organizations/:id/departments. */
export const departmentInputSchema = z.object({
  code: z.string().trim().min(1, '科室编码不能为空').max(20, '科室编码最多20个字符'),
  name: z.string().trim().min(2, '科室名称至少2个字').max(50, '科室名称最多50个字'),
  specialty: z.string().trim().min(1, '请填写诊疗科目').max(50, '诊疗科目最多50个字'),
  beds: z.number({ error: '床位数应为整数' }).int('床位数应为整数').min(0, '床位数不能为负').max(5000, '床位数不能超过5000').default(0),
  isTcm: z.boolean().default(false),
});
export type DepartmentInput = z.infer<typeof departmentInputSchema>;

const phoneText = z.string().trim().max(30, '电话最多30个字符');

/** Body of POST /api/v1/practitioners: the practitioner and its home role (执业机构) are recorded together. */
export const practitionerInputSchema = z.object({
  identifier: z.string().trim().min(1, '执业证书编码不能为空').max(40, '执业证书编码最多40个字符'),
  name: z.string().trim().min(2, '姓名至少2个字').max(30, '姓名最多30个字'),
  sex: z.enum(sexes, { error: '请选择性别' }),
  profession: z.enum(professions, { error: '请选择执业类别' }),
  title: z.enum(practitionerTitles, { error: '请选择职称' }),
  specialty: z.string().trim().min(1, '请填写专业').max(50, '专业最多50个字'),
  homeOrganizationId: z.string().min(1, '请选择执业机构'),
  departmentId: z.string().min(1).nullish(),
  phone: phoneText.nullish(),
  practiceStartYear: z.number().int('执业起始年份应为整数').min(1950, '执业起始年份不能早于1950年').max(2100, '执业起始年份无效').nullish(),
});
export type PractitionerInput = z.infer<typeof practitionerInputSchema>;

/** Body of PATCH /api/v1/practitioners/:id: only the fields given change; `null` clears department or phone. */
export const practitionerPatchSchema = z
  .object({
    title: z.enum(practitionerTitles, { error: '请选择职称' }).optional(),
    specialty: z.string().trim().min(1, '请填写专业').max(50, '专业最多50个字').optional(),
    departmentId: z.string().min(1).nullable().optional(),
    phone: phoneText.nullable().optional(),
    active: z.boolean().optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), { error: '没有需要修改的内容' });
export type PractitionerPatch = z.infer<typeof practitionerPatchSchema>;

/** The kinds of time-limited role at another facility (派驻 stationed, 巡回 circuit, 出诊 visiting). */
export const assignmentKinds = ['stationed', 'circuit', 'visiting'] as const satisfies readonly (typeof practitionerRoleKinds)[number][];

/** Body of POST /api/v1/practitioners/:id/roles: a time-limited role, so the end date is required. */
export const practitionerRoleInputSchema = z
  .object({
    organizationId: z.string().min(1, '请选择派驻机构'),
    departmentId: z.string().min(1).nullish(),
    kind: z.enum(assignmentKinds, { error: '类型应为派驻、巡回或出诊' }),
    validFrom: isoDate,
    validTo: isoDate,
    note: z.string().trim().max(200, '备注最多200个字').nullish(),
  })
  .refine((v) => v.validTo > v.validFrom, { error: '结束日期应晚于开始日期', path: ['validTo'] });
export type PractitionerRoleInput = z.infer<typeof practitionerRoleInputSchema>;

/** Body of POST /api/v1/pairings (对口帮扶). */
export const supportPairingInputSchema = z
  .object({
    supportingOrganizationId: z.string().min(1, '请选择支援机构'),
    supportedOrganizationId: z.string().min(1, '请选择受援机构'),
    supportTier: z.number({ error: '帮扶梯次应为1-3' }).int('帮扶梯次应为1-3').min(1, '帮扶梯次应为1-3').max(3, '帮扶梯次应为1-3'),
    validFrom: isoDate,
    validTo: isoDate.nullish(),
    note: z.string().trim().max(200, '备注最多200个字').nullish(),
  })
  .refine((v) => v.supportingOrganizationId !== v.supportedOrganizationId, { error: '支援机构与受援机构不能相同', path: ['supportedOrganizationId'] })
  .refine((v) => v.validTo == null || v.validTo > v.validFrom, { error: '结束日期应晚于开始日期', path: ['validTo'] });
export type SupportPairingInput = z.infer<typeof supportPairingInputSchema>;

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

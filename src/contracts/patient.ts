import { z } from 'zod';
import { sexes } from './codes.js';

export const patientSchema = z.object({
  id: z.string(),
  idNumber: z.string().nullable(),
  name: z.string(),
  sex: z.enum(sexes),
  birthDate: z.string(),
  phone: z.string().nullable(),
  residenceDivisionCode: z.string().nullable(),
  residenceDivisionName: z.string().nullable(),
  addressLine: z.string().nullable(),
  managingOrganizationId: z.string(),
  managingOrganizationName: z.string(),
  familyDoctorTeam: z.string().nullable(),
  chronicConditions: z.array(z.string()),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type PatientDto = z.infer<typeof patientSchema>;

const phone = z
  .string()
  .trim()
  .regex(/^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/, '手机号应为11位手机号或带区号的固定电话');

export const patientInputSchema = z.object({
  idNumber: z.string().trim().max(18, '身份证号码应为18位').nullish(),
  name: z.string().trim().min(1, '姓名不能为空').max(50, '姓名过长'),
  sex: z.enum(sexes, { error: '性别应为 male 或 female' }).optional(),
  birthDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '出生日期格式应为 YYYY-MM-DD').optional(),
  phone: phone.nullish(),
  residenceDivisionCode: z.string().regex(/^\d{6}(\d{3})?(\d{3})?$/, '居住地区划代码应为6、9或12位数字').nullish(),
  addressLine: z.string().trim().max(200).nullish(),
  /** Defaults to the registering user's organization. */
  managingOrganizationId: z.string().nullish(),
  familyDoctorTeam: z.string().trim().max(100).nullish(),
  chronicConditions: z.array(z.string().trim().regex(/^[A-Za-z]\d{2}(\.[\dA-Za-z]{1,6})?$/, 'ICD-10 编码格式错误')).max(20).default([]),
  /** Set after the registrar has looked at duplicate suggestions and confirmed this is a different person. */
  confirmNotDuplicate: z.boolean().default(false),
});
export type PatientInput = z.infer<typeof patientInputSchema>;

export const patientQuerySchema = z.object({
  q: z.string().trim().max(50).optional(),
  idNumber: z.string().trim().max(18).optional(),
  name: z.string().trim().max(50).optional(),
  birthDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  sex: z.enum(sexes).optional(),
  phone: z.string().trim().max(20).optional(),
  organizationId: z.string().optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
  sort: z.enum(['name', 'birthDate', 'createdAt']).default('name'),
});
export type PatientQuery = z.infer<typeof patientQuerySchema>;

export const duplicateSuggestionSchema = z.object({
  id: z.string(),
  name: z.string(),
  birthDate: z.string(),
  phone: z.string().nullable(),
  managingOrganizationName: z.string(),
  reasons: z.array(z.string()),
});
export type DuplicateSuggestion = z.infer<typeof duplicateSuggestionSchema>;

export const idNumberCheckSchema = z.object({
  idNumber: z.string(),
});

/** Up to 1,000 registrations in one request (imports through the running server); each row succeeds or fails alone. */
export const patientBatchSchema = z.object({
  patients: z.array(patientInputSchema).min(1, '至少一行').max(1000, '一次最多1000行'),
});

export const patientBatchResultSchema = z.object({
  results: z.array(
    z.union([
      z.object({ ok: z.literal(true), patient: z.object({ id: z.string(), name: z.string() }) }),
      z.object({ ok: z.literal(false), error: z.object({ code: z.string(), message: z.string(), path: z.string().optional(), detail: z.record(z.string(), z.unknown()).optional() }) }),
    ]),
  ),
});
export type PatientBatchResult = z.infer<typeof patientBatchResultSchema>;

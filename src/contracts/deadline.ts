import { z } from 'zod';
import { escalationRungs, urgencies } from './codes.js';

const code = z.string().trim().regex(/^[a-z][a-z0-9-]{0,49}$/, '应为小写字母、数字和连字符（如 accept、return-summary）');
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');

export const ladderStepSchema = z.object({
  rung: z.enum(escalationRungs),
  /** Minutes after the due time (working minutes when the policy has a calendar). */
  afterMinutes: z.number().int().min(0).max(60 * 24 * 30),
});

export const deadlinePolicySchema = z.object({
  id: z.string(),
  subjectType: z.string(),
  step: z.string(),
  urgency: z.enum(urgencies),
  /** Null: the platform default; else this organization's override. */
  organizationId: z.string().nullable(),
  minutes: z.number().int(),
  calendarId: z.string().nullable(),
  ladder: z.array(ladderStepSchema),
  updatedAt: z.string(),
  updatedBy: z.string().nullable(),
});
export type DeadlinePolicyDto = z.infer<typeof deadlinePolicySchema>;

export const deadlinePolicyQuerySchema = z.object({
  subjectType: code.optional(),
  /** `default` lists platform defaults only; an organization id lists that organization's overrides only. */
  organizationId: z.string().max(100).optional(),
});
export type DeadlinePolicyQuery = z.infer<typeof deadlinePolicyQuerySchema>;

export const deadlinePolicyInputSchema = z.object({
  subjectType: code,
  step: code,
  urgency: z.enum(urgencies),
  organizationId: z.string().min(1).max(100).nullable().default(null),
  minutes: z.number({ error: '时限（分钟）应为正整数' }).int('时限（分钟）应为正整数').min(1, '时限至少 1 分钟').max(60 * 24 * 90, '时限不能超过 90 天'),
  calendarId: z.string().min(1).max(100).nullable().default(null),
  ladder: z.array(ladderStepSchema).max(10, '升级阶梯最多 10 级'),
});
export type DeadlinePolicyInput = z.infer<typeof deadlinePolicyInputSchema>;

const dayHours = z.array(z.tuple([z.number().int().min(0).max(1440), z.number().int().min(0).max(1440)])).max(6);

export const workingCalendarSchema = z.object({
  id: z.string(),
  name: z.string(),
  organizationId: z.string().nullable(),
  /** Monday=0 … Sunday=6; each day [from, to) minute-of-day pairs in China Standard Time. */
  weekly: z.array(z.array(z.tuple([z.number(), z.number()]))),
  holidays: z.array(z.string()),
  extraWorkdays: z.array(z.string()),
  createdAt: z.string(),
});
export type WorkingCalendarDto = z.infer<typeof workingCalendarSchema>;

export const workingCalendarInputSchema = z.object({
  name: z.string().trim().min(1, '名称不能为空').max(100),
  organizationId: z.string().min(1).max(100).nullable().default(null),
  weekly: z.array(dayHours).length(7, 'weekly 应有 7 项（周一至周日）'),
  /** 法定节假日 of the State Council's yearly notice. */
  holidays: z.array(date).max(400).default([]),
  /** 调休上班日 of the same notice. */
  extraWorkdays: z.array(date).max(100).default([]),
});
export type WorkingCalendarInput = z.infer<typeof workingCalendarInputSchema>;

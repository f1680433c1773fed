import { z } from 'zod';
import { roleCodes } from './codes.js';

export const userSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  organizationId: z.string().nullable(),
  organizationName: z.string().nullable(),
  roles: z.array(z.enum(roleCodes)),
  active: z.boolean(),
  locked: z.boolean(),
  lastLoginAt: z.string().nullable(),
  /** Identifier in the provisioning system (SCIM externalId). */
  externalId: z.string().nullable(),
  /** Incremented on every change; SCIM meta.version. */
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type UserDto = z.infer<typeof userSchema>;

export const passwordSchema = z.string().min(8, '密码至少8位').max(128, '密码不能超过128位');

export const userInputSchema = z.object({
  username: z
    .string()
    .trim()
    .regex(/^[a-zA-Z0-9._-]{3,64}$/, '用户名应为3-64位字母、数字、点、下划线或连字符'),
  displayName: z.string().trim().min(1).max(50),
  password: passwordSchema,
  roles: z.array(z.enum(roleCodes, { error: `角色应为: ${roleCodes.join(', ')}` })).min(1, '至少分配一个角色'),
  /** Organization id or identifier value. */
  organization: z.string().trim().min(1).nullish(),
  active: z.boolean().default(true),
});
export type UserInput = z.infer<typeof userInputSchema>;

export const userUpdateSchema = z.object({
  displayName: z.string().trim().min(1).max(50).optional(),
  password: passwordSchema.optional(),
  roles: z.array(z.enum(roleCodes)).min(1).optional(),
  organization: z.string().trim().min(1).nullish(),
  active: z.boolean().optional(),
  unlock: z.boolean().optional(),
});
export type UserUpdate = z.infer<typeof userUpdateSchema>;

export const userQuerySchema = z.object({
  q: z.string().trim().max(64).optional(),
  role: z.enum(roleCodes).optional(),
  organizationId: z.string().optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});

export const loginSchema = z.object({
  username: z.string().trim().min(1, '请输入用户名'),
  password: z.string().min(1, '请输入密码'),
});

export const meSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  roles: z.array(z.enum(roleCodes)),
  organization: z
    .object({ id: z.string(), name: z.string(), tier: z.string(), identifier: z.string() })
    .nullable(),
});
export type MeDto = z.infer<typeof meSchema>;

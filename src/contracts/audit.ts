import { z } from 'zod';
import { auditActions, channels } from './codes.js';

export const auditEventSchema = z.object({
  id: z.number(),
  at: z.string(),
  actorUsername: z.string(),
  organizationId: z.string().nullable(),
  organizationName: z.string().nullable(),
  action: z.enum(auditActions),
  resourceType: z.string(),
  resourceId: z.string().nullable(),
  patientId: z.string().nullable(),
  patientName: z.string().nullable(),
  basis: z.string(),
  outcome: z.enum(['allowed', 'denied']),
  channel: z.enum(channels),
  ip: z.string().nullable(),
});
export type AuditEventDto = z.infer<typeof auditEventSchema>;

export const auditQuerySchema = z.object({
  actor: z.string().trim().max(64).optional(),
  patientId: z.string().optional(),
  organizationId: z.string().optional(),
  action: z.enum(auditActions).optional(),
  outcome: z.enum(['allowed', 'denied']).optional(),
  from: z.string().datetime({ offset: true }).or(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)).optional(),
  to: z.string().datetime({ offset: true }).or(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(50),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

import { z } from 'zod';
import { messageChannels } from './codes.js';

// The in-app notification DTO is `notificationSchema` in ./referral.ts (the referral worklist shows them first).

const boolQuery = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const notificationQuerySchema = z.object({
  unreadOnly: boolQuery.default(false),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});
export type NotificationQuery = z.infer<typeof notificationQuerySchema>;

export const markReadSchema = z.object({
  /** Notifications to mark read; absent → all of the caller's unread notifications. */
  ids: z.array(z.string().min(1).max(100)).max(500).optional(),
});
export type MarkReadInput = z.infer<typeof markReadSchema>;

/** Channels a patient can be messaged on (in-app is for staff). */
export const patientChannels = messageChannels.filter((c): c is 'sms' | 'wechat' => c !== 'in-app');
export type PatientChannel = 'sms' | 'wechat';

export const outboundStatuses = ['recorded', 'sent', 'failed'] as const;
export type OutboundStatus = (typeof outboundStatuses)[number];

export const outboundMessageSchema = z.object({
  id: z.string(),
  channel: z.enum(messageChannels),
  adapter: z.string(),
  /** Phone number or open id; masked for system administrators, who see no identifiable patient data. */
  address: z.string(),
  recipientPatientId: z.string().nullable(),
  body: z.string(),
  status: z.enum(outboundStatuses),
  error: z.string().nullable(),
  createdAt: z.string(),
});
export type OutboundMessageDto = z.infer<typeof outboundMessageSchema>;

export const outboundQuerySchema = z.object({
  channel: z.enum(messageChannels).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(20),
});
export type OutboundQuery = z.infer<typeof outboundQuerySchema>;

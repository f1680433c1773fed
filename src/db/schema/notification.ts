import { pgTable, text, timestamp, index, uniqueIndex, jsonb, integer } from 'drizzle-orm/pg-core';
import { messageChannels } from '../../contracts/codes.js';
import { users } from './identity.js';
import { patients } from './patient.js';

/**
 * In-app notifications (站内消息) for users, and the record of messages to patients. `dedupeKey` makes a notification
 * idempotent: a worker that retries after a crash never notifies twice.
 */
export const notifications = pgTable(
  'notifications',
  {
    id: text('id').primaryKey(),
    recipientUserId: text('recipient_user_id').references(() => users.id),
    recipientPatientId: text('recipient_patient_id').references(() => patients.id),
    kind: text('kind').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    subjectType: text('subject_type'),
    subjectId: text('subject_id'),
    /** Path in the web UI that opens the subject. */
    link: text('link'),
    dedupeKey: text('dedupe_key').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    readAt: timestamp('read_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('notifications_dedupe_uq').on(t.dedupeKey),
    index('notifications_user_idx').on(t.recipientUserId, t.createdAt),
    index('notifications_subject_idx').on(t.subjectType, t.subjectId),
  ],
);

/**
 * Messages handed to an outbound channel adapter (SMS, WeChat). The demo adapters only record; a real adapter records
 * and sends, and fills `status`/`error`. Phone numbers and open ids are stored as given — this table holds patient data.
 */
export const outboundMessages = pgTable(
  'outbound_messages',
  {
    id: text('id').primaryKey(),
    channel: text('channel', { enum: messageChannels }).notNull(),
    adapter: text('adapter').notNull(),
    address: text('address').notNull(),
    recipientUserId: text('recipient_user_id'),
    recipientPatientId: text('recipient_patient_id'),
    notificationId: text('notification_id').references(() => notifications.id),
    body: text('body').notNull(),
    status: text('status', { enum: ['recorded', 'sent', 'failed'] }).notNull(),
    error: text('error'),
    dedupeKey: text('dedupe_key').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    detail: jsonb('detail'),
  },
  (t) => [uniqueIndex('outbound_messages_dedupe_uq').on(t.dedupeKey), index('outbound_messages_created_idx').on(t.createdAt)],
);

/**
 * FHIR R4 Subscription (rest-hook) on Task changes, and its delivery outbox. (`cursorAt`, `cursorId`) is the referral
 * (`updated_at`, id) the dispatcher has scanned up to; deliveries are unique per (subscription, referral, referral
 * version), so a retried scan never notifies twice. Deleted subscriptions keep their rows (`deletedAt`) for the record.
 */
export const fhirSubscriptions = pgTable(
  'fhir_subscriptions',
  {
    id: text('id').primaryKey(),
    criteria: text('criteria').notNull(),
    endpoint: text('endpoint').notNull(),
    headers: text('headers').array().notNull(),
    payload: text('payload'),
    status: text('status', { enum: ['requested', 'active', 'error', 'off'] }).notNull(),
    reason: text('reason'),
    error: text('error'),
    ownerUserId: text('owner_user_id').notNull().references(() => users.id),
    /** Subscription.end: no notifications after it. */
    endAt: timestamp('end_at', { withTimezone: true }),
    /** Keyset cursor of the scan: referral changes up to (`updated_at`, id) = (cursorAt, cursorId) have been seen. */
    cursorAt: timestamp('cursor_at', { withTimezone: true }).notNull(),
    cursorId: text('cursor_id').notNull().default(''),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('fhir_subscriptions_owner_idx').on(t.ownerUserId), index('fhir_subscriptions_status_idx').on(t.status)],
);

export const fhirSubscriptionDeliveries = pgTable(
  'fhir_subscription_deliveries',
  {
    id: text('id').primaryKey(),
    subscriptionId: text('subscription_id').notNull().references(() => fhirSubscriptions.id),
    resourceType: text('resource_type').notNull(),
    resourceId: text('resource_id').notNull(),
    /** The referral version that triggered the notification (Task.meta.versionId). */
    resourceVersion: integer('resource_version').notNull(),
    status: text('status', { enum: ['pending', 'delivered', 'failed'] }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    /** One entry per attempt: "<ISO instant> <HTTP status or error>". */
    attempts: text('attempts').array().notNull(),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
    lastError: text('last_error'),
  },
  (t) => [
    index('fhir_subscription_deliveries_due_idx').on(t.nextAttemptAt),
    uniqueIndex('fhir_subscription_deliveries_version_uq').on(t.subscriptionId, t.resourceType, t.resourceId, t.resourceVersion),
  ],
);

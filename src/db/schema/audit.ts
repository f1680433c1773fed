import { pgTable, text, timestamp, bigserial, index, jsonb } from 'drizzle-orm/pg-core';
import { accessBases, auditActions, channels } from '../../contracts/codes.js';

/**
 * Append-only audit trail of every read and write of patient data (and sign-ins). No foreign keys on purpose:
 * audit rows must outlive the records they mention and never block a write elsewhere.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    actorUserId: text('actor_user_id'),
    actorUsername: text('actor_username').notNull(),
    organizationId: text('organization_id'),
    action: text('action', { enum: auditActions }).notNull(),
    resourceType: text('resource_type').notNull(),
    resourceId: text('resource_id'),
    patientId: text('patient_id'),
    /** Why access was allowed (own-facility, alliance-role …) or `none` when it was denied. */
    basis: text('basis', { enum: [...accessBases, 'administration', 'none'] }).notNull(),
    outcome: text('outcome', { enum: ['allowed', 'denied'] }).notNull(),
    channel: text('channel', { enum: channels }).notNull(),
    ip: text('ip'),
    detail: jsonb('detail'),
  },
  (t) => [
    index('audit_events_at_idx').on(t.at),
    index('audit_events_patient_idx').on(t.patientId, t.at),
    index('audit_events_actor_idx').on(t.actorUsername, t.at),
    index('audit_events_org_idx').on(t.organizationId, t.at),
  ],
);

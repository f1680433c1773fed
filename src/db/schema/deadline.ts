import { sql } from 'drizzle-orm';
import { pgTable, text, integer, timestamp, jsonb, index, uniqueIndex, bigint, check } from 'drizzle-orm/pg-core';
import { deadlineStates, escalationRungs, urgencies } from '../../contracts/codes.js';
import { organizations } from './network.js';

/** Opening hours of one weekday as [from, to) minute-of-day pairs in Asia/Shanghai, e.g. [[480, 720], [840, 1050]]. */
export type WorkingHours = [number, number][];

/**
 * Working-hours calendar (工作时间). Deadlines that use one only count time inside these hours; without a calendar a
 * deadline runs on the wall clock (emergencies). `weekly` is indexed Monday=0 … Sunday=6. Holidays and the
 * make-up working days (调休) of the State Council's yearly holiday notice are explicit date lists.
 */
export const workingCalendars = pgTable('working_calendars', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  organizationId: text('organization_id').references(() => organizations.id),
  weekly: jsonb('weekly').$type<WorkingHours[]>().notNull(),
  holidays: text('holidays').array().notNull().default(sql`'{}'::text[]`),
  extraWorkdays: text('extra_workdays').array().notNull().default(sql`'{}'::text[]`),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});

/** One rung of an escalation ladder: fires this many minutes after the deadline passes. */
export interface LadderStep {
  rung: (typeof escalationRungs)[number];
  afterMinutes: number;
}

/**
 * How long a step may take, per subject type, step and urgency — platform defaults (organizationId null) overridden
 * per organization. Configuration with documented defaults (domain.md: numbers are configuration, never constants).
 */
export const deadlinePolicies = pgTable(
  'deadline_policies',
  {
    id: text('id').primaryKey(),
    subjectType: text('subject_type').notNull(),
    step: text('step').notNull(),
    urgency: text('urgency', { enum: urgencies }).notNull(),
    organizationId: text('organization_id').references(() => organizations.id),
    minutes: integer('minutes').notNull(),
    calendarId: text('calendar_id').references(() => workingCalendars.id),
    ladder: jsonb('ladder').$type<LadderStep[]>().notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
    updatedBy: text('updated_by'),
  },
  (t) => [
    uniqueIndex('deadline_policies_key_uq').on(t.subjectType, t.step, t.urgency, sql`coalesce(${t.organizationId}, '')`),
    check('deadline_policies_minutes', sql`${t.minutes} > 0`),
  ],
);

/**
 * A running clock on one step of one subject (a referral's acceptance, a report's turnaround). State lives here, not in
 * memory, so deadlines survive restarts; `nextCheckAt` is when the worker must look at it next (the due time, then each
 * rung of the ladder). At most one live deadline per subject and step.
 */
export const deadlines = pgTable(
  'deadlines',
  {
    id: text('id').primaryKey(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id').notNull(),
    step: text('step').notNull(),
    urgency: text('urgency', { enum: urgencies }).notNull(),
    /** Organization that must act (its worklist shows the deadline). */
    organizationId: text('organization_id').notNull().references(() => organizations.id),
    policyId: text('policy_id').references(() => deadlinePolicies.id),
    calendarId: text('calendar_id').references(() => workingCalendars.id),
    ladder: jsonb('ladder').$type<LadderStep[]>().notNull(),
    state: text('state', { enum: deadlineStates }).notNull(),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
    dueAt: timestamp('due_at', { withTimezone: true }).notNull(),
    pausedAt: timestamp('paused_at', { withTimezone: true }),
    /** Working time left when paused, in ms; the due time is recomputed from it on resume. */
    remainingMs: bigint('remaining_ms', { mode: 'number' }),
    pausedTotalMs: bigint('paused_total_ms', { mode: 'number' }).notNull().default(0),
    overdueAt: timestamp('overdue_at', { withTimezone: true }),
    escalationLevel: integer('escalation_level').notNull().default(0),
    nextCheckAt: timestamp('next_check_at', { withTimezone: true }),
    metAt: timestamp('met_at', { withTimezone: true }),
    version: integer('version').notNull().default(1),
  },
  (t) => [
    uniqueIndex('deadlines_live_uq').on(t.subjectType, t.subjectId, t.step).where(sql`${t.state} in ('running','paused')`),
    index('deadlines_next_check_idx').on(t.nextCheckAt).where(sql`${t.state} = 'running'`),
    index('deadlines_subject_idx').on(t.subjectType, t.subjectId),
    index('deadlines_org_idx').on(t.organizationId, t.state, t.dueAt),
  ],
);

/** Each escalation fired; the unique (deadline, level) pair is what makes an escalation happen once, across restarts and workers. */
export const deadlineEscalations = pgTable(
  'deadline_escalations',
  {
    id: text('id').primaryKey(),
    deadlineId: text('deadline_id').notNull().references(() => deadlines.id),
    /** 0 = marked overdue; 1… = rungs of the ladder. */
    level: integer('level').notNull(),
    rung: text('rung', { enum: [...escalationRungs, 'overdue'] }).notNull(),
    firedAt: timestamp('fired_at', { withTimezone: true }).notNull(),
    recipientUserIds: text('recipient_user_ids').array().notNull().default(sql`'{}'::text[]`),
  },
  (t) => [uniqueIndex('deadline_escalations_level_uq').on(t.deadlineId, t.level)],
);

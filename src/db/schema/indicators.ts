import { sql } from 'drizzle-orm';
import {
  pgTable, text, varchar, integer, boolean, date, timestamp, numeric, json, jsonb, bigserial, index, uniqueIndex, unique, check,
} from 'drizzle-orm/pg-core';
import { activityClasses } from '../../contracts/activity.js';
import {
  indicatorDimensions, indicatorDirections, indicatorFormulas, indicatorLevels, indicatorPeriods, indicatorUnits,
  type IndicatorTermSpec,
} from '../../contracts/indicator.js';
import { facilityTiers } from '../../contracts/codes.js';
import { organizations } from './network.js';

/**
 * Raw activity for the monitoring indicators (issue 4): one row per outpatient visit or inpatient stay, as received.
 * `(source, source_record_id)` is the idempotency key — a re-import inserts nothing and so counts nothing twice.
 * Facility attributes (county, tier, TCM) are resolved once, at recording time, so reorganisations later never rewrite
 * what an event was. `county_code` is the patient's county of residence: the county whose enrollees, insurance fund and
 * community the row belongs to, and the distribution column for Citus (platform-notes.md).
 */
export const activityRecords = pgTable(
  'activity_records',
  {
    id: text('id').primaryKey(),
    source: text('source').notNull(),
    sourceRecordId: text('source_record_id').notNull(),
    class: text('class', { enum: activityClasses }).notNull(),
    patientId: text('patient_id'),
    residenceDivisionCode: varchar('residence_division_code', { length: 12 }).notNull(),
    /** County of residence (first six digits of the residence division). */
    countyCode: varchar('county_code', { length: 6 }).notNull(),
    /** The platform facility; null for facilities outside the platform (insurance settlements known by division only). */
    facilityId: text('facility_id').references(() => organizations.id),
    facilityDivisionCode: varchar('facility_division_code', { length: 12 }).notNull(),
    facilityCountyCode: varchar('facility_county_code', { length: 6 }).notNull(),
    /** Tier of the facility when it is on the platform, as of recording. */
    facilityTier: text('facility_tier', { enum: facilityTiers }),
    departmentSpecialty: text('department_specialty'),
    /** TCM visit (中医类): at a TCM hospital, or in a TCM department. */
    tcm: boolean('tcm').notNull(),
    startDate: date('start_date').notNull(),
    endDate: date('end_date'),
    diagnoses: text('diagnoses').array().notNull().default(sql`'{}'::text[]`),
    totalCost: numeric('total_cost', { precision: 14, scale: 2 }).notNull(),
    fundPaid: numeric('fund_paid', { precision: 14, scale: 2 }),
    insured: boolean('insured').notNull(),
    pharmacy: boolean('pharmacy').notNull(),
    viaReferral: boolean('via_referral').notNull(),
    referralId: text('referral_id'),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('activity_records_source_uq').on(t.source, t.sourceRecordId),
    // Rebuilds by county and date; facility-side questions (grassroots share) by the facility's county.
    index('activity_records_county_idx').on(t.countyCode, t.startDate),
    index('activity_records_facility_county_idx').on(t.facilityCountyCode, t.startDate),
    check('activity_records_money', sql`${t.totalCost} >= 0 and (${t.fundPaid} is null or (${t.fundPaid} >= 0 and ${t.fundPaid} <= ${t.totalCost}))`),
    check('activity_records_period', sql`${t.endDate} is null or ${t.endDate} >= ${t.startDate}`),
  ],
);

/**
 * Live pre-aggregate of `activity_records` (docs/indicators.md). Grain: one row per **day × residence county ×
 * facility** (platform facility, or an outside facility's county) × facility tier × class × flags (TCM, insured,
 * pharmacy, via referral). A record adds `records`, cost and fund to the row of its start day and, for a stay with a
 * discharge date, one `discharges` to the row of its discharge day.
 *
 * Why this grain: the day keeps "membership as of the event's date" exact — an alliance's figures join each row to the
 * membership period covering that day, so a facility that changes alliance mid-month is counted in each alliance for
 * exactly its days. The facility (not the patient, not the visit) keeps the row count of a county-year at
 * O(facilities × days × flags), independent of the number of events. The key is NULLS NOT DISTINCT (PostgreSQL 15+) so
 * rows of outside facilities (facility_id, tier null) meet the same ON CONFLICT target. Maintained in the transaction
 * that inserts the raw rows, and only for rows actually inserted; `rebuild` recomputes it with the same SELECT.
 */
export const activityDaily = pgTable(
  'activity_daily',
  {
    /** County of residence of the patients counted here (Citus distribution column). */
    countyCode: varchar('county_code', { length: 6 }).notNull(),
    day: date('day').notNull(),
    facilityId: text('facility_id'),
    facilityCountyCode: varchar('facility_county_code', { length: 6 }).notNull(),
    facilityTier: text('facility_tier', { enum: facilityTiers }),
    class: text('class', { enum: activityClasses }).notNull(),
    tcm: boolean('tcm').notNull(),
    insured: boolean('insured').notNull(),
    pharmacy: boolean('pharmacy').notNull(),
    viaReferral: boolean('via_referral').notNull(),
    /** Visits or stays that started on `day`. */
    records: integer('records').notNull(),
    /** Stays discharged on `day`. */
    discharges: integer('discharges').notNull(),
    totalCost: numeric('total_cost', { precision: 16, scale: 2 }).notNull(),
    fundPaid: numeric('fund_paid', { precision: 16, scale: 2 }).notNull(),
    /** Records settled through insurance (fund paid given): tells "no insurance data" from "insurance paid nothing". */
    fundRecords: integer('fund_records').notNull(),
  },
  (t) => [
    unique('activity_daily_key')
      .on(t.countyCode, t.day, t.facilityId, t.facilityCountyCode, t.facilityTier, t.class, t.tcm, t.insured, t.pharmacy, t.viaReferral)
      .nullsNotDistinct(),
    index('activity_daily_facility_county_idx').on(t.facilityCountyCode, t.day),
    index('activity_daily_facility_idx').on(t.facilityId, t.day),
  ],
);

/**
 * Transactional outbox feeding the analytic store (DuckDB beside PostgreSQL, src/modules/indicators/analytics/): one
 * row per statement that stored new activity, written by that same statement (`recordAndAggregateSql`), so a record
 * reaches the outbox exactly when it reaches `activity_records` — never for a re-imported duplicate, never without its
 * raw row. `payload` is the inserted rows' projection the analytic aggregate needs, as a JSON array of arrays (see
 * `outboxProjection`); money in integer fen. The drainer deletes a row once DuckDB has committed it. Ids are only
 * an order of reading: they are assigned before commit, so a lower id may commit later — the drainer tracks applied
 * ids one by one, never a high-water mark.
 */
export const activityOutbox = pgTable('activity_outbox', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  payload: json('payload').notNull(),
  /** Records in `payload` (for monitoring the backlog without parsing it). */
  records: integer('records').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Indicator definitions as versioned data (issue 4 item 3): a county corrects a definition by adding a version, never
 * by editing or deleting one. `numerator`/`denominator` carry the text shown to people and the machine key the engine
 * interprets (src/contracts/indicator.ts `indicatorTermSpecSchema`).
 */
export const indicatorDefinitions = pgTable(
  'indicator_definitions',
  {
    id: text('id').primaryKey(),
    code: text('code').notNull(),
    version: integer('version').notNull(),
    nameZh: text('name_zh').notNull(),
    nameEn: text('name_en').notNull(),
    dimension: text('dimension', { enum: indicatorDimensions }).notNull(),
    formula: text('formula', { enum: indicatorFormulas }).notNull(),
    numerator: jsonb('numerator').$type<{ text: string; key: IndicatorTermSpec }>().notNull(),
    denominator: jsonb('denominator').$type<{ text: string; key: IndicatorTermSpec } | null>(),
    /** For `growth`: the code of the indicator whose year-on-year change this is. */
    baseCode: text('base_code'),
    /** Multiplier of numerator ÷ denominator: 100 for percentages, 10000 for "per 10,000". */
    scale: integer('scale').notNull().default(1),
    unit: text('unit', { enum: indicatorUnits }).notNull(),
    direction: text('direction', { enum: indicatorDirections }).notNull(),
    levels: text('levels', { enum: indicatorLevels }).array().notNull(),
    periods: text('periods', { enum: indicatorPeriods }).array().notNull(),
    source: text('source').notNull(),
    note: text('note'),
    validFrom: date('valid_from').notNull(),
    validTo: date('valid_to'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    uniqueIndex('indicator_definitions_code_version_uq').on(t.code, t.version),
    check('indicator_definitions_period', sql`${t.validTo} is null or ${t.validTo} > ${t.validFrom}`),
  ],
);

/** Targets are configuration per area and year (the 2024 monitoring set gives none): a county, city or province code. */
export const indicatorTargets = pgTable(
  'indicator_targets',
  {
    id: text('id').primaryKey(),
    indicatorCode: text('indicator_code').notNull(),
    divisionCode: varchar('division_code', { length: 12 }).notNull(),
    year: integer('year').notNull(),
    target: numeric('target', { precision: 14, scale: 4 }).notNull(),
    note: text('note'),
  },
  (t) => [uniqueIndex('indicator_targets_uq').on(t.indicatorCode, t.divisionCode, t.year)],
);

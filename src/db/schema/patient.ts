import { sql } from 'drizzle-orm';
import { pgTable, text, varchar, date, timestamp, index, uniqueIndex, integer } from 'drizzle-orm/pg-core';
import { sexes } from '../../contracts/codes.js';
import { divisions, organizations } from './network.js';

/**
 * Master patient index of the alliance. `managingOrganizationId` is the facility that owns the record (where the
 * patient was registered or is managed): every access decision starts from it.
 */
export const patients = pgTable(
  'patients',
  {
    id: text('id').primaryKey(),
    /** 18-character resident ID number (GB 11643), upper-case X; null for people without one (newborns, foreigners). */
    idNumber: varchar('id_number', { length: 18 }),
    name: text('name').notNull(),
    sex: text('sex', { enum: sexes }).notNull(),
    birthDate: date('birth_date').notNull(),
    phone: varchar('phone', { length: 20 }),
    residenceDivisionCode: varchar('residence_division_code', { length: 12 }).references(() => divisions.code),
    /** County of residence (first 6 digits of the residence division): the partition key for county-scale data. */
    countyCode: varchar('county_code', { length: 6 }),
    addressLine: text('address_line'),
    managingOrganizationId: text('managing_organization_id').notNull().references(() => organizations.id),
    /** Contracted family-doctor team (家庭医生团队) — a name for now; contracts come with the care module. */
    familyDoctorTeam: text('family_doctor_team'),
    /** ICD-10 codes of known chronic conditions (e.g. I10, E11). */
    chronicConditions: text('chronic_conditions').array().notNull().default(sql`'{}'::text[]`),
    /** Incremented on every update; FHIR meta.versionId and optimistic concurrency (If-Match). */
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    createdBy: text('created_by'),
  },
  (t) => [
    uniqueIndex('patients_id_number_uq').on(t.idNumber),
    // Name search is a prefix search (FHIR string semantics) ordered by name. Byte order ("C") lets one btree serve
    // both LIKE 'prefix%' and ORDER BY; the second column makes counts index-only for wide scopes, and the mirrored
    // index serves narrow scopes (one clinic's patients by name).
    index('patients_name_c_idx').on(sql`${t.name} collate "C"`, t.managingOrganizationId),
    index('patients_org_name_c_idx').on(t.managingOrganizationId, sql`${t.name} collate "C"`),
    index('patients_birth_date_idx').on(t.birthDate),
    index('patients_phone_idx').on(t.phone),
    index('patients_residence_idx').on(t.residenceDivisionCode),
  ],
);

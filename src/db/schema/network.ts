import { sql } from 'drizzle-orm';
import {
  pgTable, text, varchar, integer, boolean, date, timestamp, numeric, index, uniqueIndex, check, smallint,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import {
  allianceKinds, catalogueEffects, divisionLevels, facilityTiers, hospitalGrades, hospitalLevels, identifierKinds,
  membershipRoles, ownershipKinds, practitionerRoleKinds, practitionerTitles, professions, sexes,
} from '../../contracts/codes.js';

/** GB/T 2260 administrative divisions. Codes are stored in their standard lengths: 6 digits for province, city and
 *  county (350000, 350800, 350821), 9 for a township, 12 for a village. */
export const divisions = pgTable(
  'divisions',
  {
    code: varchar('code', { length: 12 }).primaryKey(),
    name: text('name').notNull(),
    level: text('level', { enum: divisionLevels }).notNull(),
    parentCode: varchar('parent_code', { length: 12 }),
    /** "福建省 龙岩市 长汀县 …" kept denormalised so address rendering needs no recursive query. */
    fullName: text('full_name').notNull(),
    /** County this division belongs to (itself for a county): the sharding key for county-partitioned data. */
    countyCode: varchar('county_code', { length: 6 }),
  },
  (t) => [index('divisions_parent_idx').on(t.parentCode), index('divisions_county_idx').on(t.countyCode, t.level)],
);

export const organizations = pgTable(
  'organizations',
  {
    id: text('id').primaryKey(),
    /** Unified social credit code (统一社会信用代码, 18 chars) or a local facility code. */
    identifier: text('identifier').notNull(),
    identifierKind: text('identifier_kind', { enum: identifierKinds }).notNull(),
    name: text('name').notNull(),
    shortName: text('short_name'),
    tier: text('tier', { enum: facilityTiers }).notNull(),
    hospitalLevel: text('hospital_level', { enum: hospitalLevels }),
    hospitalGrade: text('hospital_grade', { enum: hospitalGrades }),
    ownership: text('ownership', { enum: ownershipKinds }).notNull().default('public'),
    beds: integer('beds').notNull().default(0),
    divisionCode: varchar('division_code', { length: 12 }).notNull().references(() => divisions.code),
    /** County the facility sits in (derived from its division) — every large table carries it for Citus. */
    countyCode: varchar('county_code', { length: 6 }).notNull(),
    addressLine: text('address_line'),
    phone: text('phone'),
    /** Township center that supervises a village clinic (乡村一体化管理). */
    supervisorId: text('supervisor_id'),
    isCentral: boolean('is_central').notNull().default(false),
    meetsCapabilityStandard: boolean('meets_capability_standard').notNull().default(false),
    /** Approximate site (WGS84); authored for the demo, importable; used for distances, never for navigation. */
    latitude: numeric('latitude', { precision: 9, scale: 6 }),
    longitude: numeric('longitude', { precision: 9, scale: 6 }),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('organizations_identifier_uq').on(t.identifier),
    index('organizations_tier_idx').on(t.tier),
    index('organizations_division_idx').on(t.divisionCode),
    index('organizations_county_idx').on(t.countyCode),
    index('organizations_supervisor_idx').on(t.supervisorId),
    index('organizations_name_idx').on(sql`${t.name} text_pattern_ops`),
    check('organizations_beds_nonneg', sql`${t.beds} >= 0`),
  ],
);

export const departments = pgTable(
  'departments',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id').notNull().references(() => organizations.id),
    code: text('code').notNull(),
    name: text('name').notNull(),
    /** Department kind from the national list of clinical subjects (诊疗科目), e.g. `internal-medicine`. */
    specialty: text('specialty').notNull(),
    beds: integer('beds').notNull().default(0),
    isTcm: boolean('is_tcm').notNull().default(false),
    active: boolean('active').notNull().default(true),
    /** Head of department (科主任): the second rung of the escalation ladder for overdue work in this department. */
    headPractitionerId: text('head_practitioner_id').references((): AnyPgColumn => practitioners.id),
  },
  (t) => [uniqueIndex('departments_org_code_uq').on(t.organizationId, t.code)],
);

export const alliances = pgTable(
  'alliances',
  {
    id: text('id').primaryKey(),
    identifier: text('identifier').notNull(),
    name: text('name').notNull(),
    kind: text('kind', { enum: allianceKinds }).notNull(),
    leadOrganizationId: text('lead_organization_id').notNull().references(() => organizations.id),
    /** The county (or city) the alliance serves; county-resident indicators use its residents. */
    divisionCode: varchar('division_code', { length: 12 }).references(() => divisions.code),
    specialty: text('specialty'),
    establishedOn: date('established_on').notNull(),
    dissolvedOn: date('dissolved_on'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('alliances_identifier_uq').on(t.identifier)],
);

/**
 * Membership periods are half-open [validFrom, validTo). A reorganisation closes a period and opens a new one;
 * rows are never updated in any other way, so "who belonged on date D" is answerable for every past date.
 */
export const allianceMemberships = pgTable(
  'alliance_memberships',
  {
    id: text('id').primaryKey(),
    allianceId: text('alliance_id').notNull().references(() => alliances.id),
    organizationId: text('organization_id').notNull().references(() => organizations.id),
    role: text('role', { enum: membershipRoles }).notNull().default('member'),
    validFrom: date('valid_from').notNull(),
    validTo: date('valid_to'),
    reason: text('reason'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    createdBy: text('created_by'),
  },
  (t) => [
    index('alliance_memberships_alliance_idx').on(t.allianceId, t.validFrom),
    index('alliance_memberships_org_idx').on(t.organizationId, t.validFrom),
    check('alliance_memberships_period', sql`${t.validTo} is null or ${t.validTo} > ${t.validFrom}`),
  ],
);

export const supportPairings = pgTable(
  'support_pairings',
  {
    id: text('id').primaryKey(),
    supportingOrganizationId: text('supporting_organization_id').notNull().references(() => organizations.id),
    supportedOrganizationId: text('supported_organization_id').notNull().references(() => organizations.id),
    /** 梯次 1–3: priority order of support for township centers; 1 for hospital-to-hospital pairings. */
    supportTier: smallint('support_tier').notNull().default(1),
    validFrom: date('valid_from').notNull(),
    validTo: date('valid_to'),
    note: text('note'),
  },
  (t) => [
    index('support_pairings_supporting_idx').on(t.supportingOrganizationId),
    index('support_pairings_supported_idx').on(t.supportedOrganizationId),
    check('support_pairings_tier', sql`${t.supportTier} between 1 and 3`),
    check('support_pairings_distinct', sql`${t.supportingOrganizationId} <> ${t.supportedOrganizationId}`),
    check('support_pairings_period', sql`${t.validTo} is null or ${t.validTo} > ${t.validFrom}`),
  ],
);

export const practitioners = pgTable(
  'practitioners',
  {
    id: text('id').primaryKey(),
    /** Physician practice certificate number (医师执业证书编码) or a local staff number. */
    identifier: text('identifier').notNull(),
    name: text('name').notNull(),
    sex: text('sex', { enum: sexes }).notNull(),
    profession: text('profession', { enum: professions }).notNull(),
    title: text('title', { enum: practitionerTitles }).notNull(),
    specialty: text('specialty').notNull(),
    homeOrganizationId: text('home_organization_id').notNull().references(() => organizations.id),
    departmentId: text('department_id').references(() => departments.id),
    phone: text('phone'),
    practiceStartYear: smallint('practice_start_year'),
    active: boolean('active').notNull().default(true),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('practitioners_identifier_uq').on(t.identifier),
    index('practitioners_home_org_idx').on(t.homeOrganizationId),
    index('practitioners_name_idx').on(sql`${t.name} text_pattern_ops`),
  ],
);

/** A practitioner's roles at organizations; `stationed` roles at lower facilities are time-limited (派驻). */
export const practitionerRoles = pgTable(
  'practitioner_roles',
  {
    id: text('id').primaryKey(),
    practitionerId: text('practitioner_id').notNull().references(() => practitioners.id),
    organizationId: text('organization_id').notNull().references(() => organizations.id),
    departmentId: text('department_id').references(() => departments.id),
    kind: text('kind', { enum: practitionerRoleKinds }).notNull(),
    validFrom: date('valid_from').notNull(),
    validTo: date('valid_to'),
    note: text('note'),
  },
  (t) => [
    index('practitioner_roles_practitioner_idx').on(t.practitionerId),
    index('practitioner_roles_org_idx').on(t.organizationId),
    check('practitioner_roles_period', sql`${t.validTo} is null or ${t.validTo} > ${t.validFrom}`),
  ],
);

/**
 * Tier service catalogue (诊疗目录): ICD-10 ranges a tier treats. Rows with an alliance override the default for
 * that alliance's members. `codeFrom`/`codeTo` are normalised ICD-10 codes without the dot (I10, E119, J00-J06 → J00..J069).
 */
export const tierCatalogueEntries = pgTable(
  'tier_catalogue_entries',
  {
    id: text('id').primaryKey(),
    tier: text('tier', { enum: facilityTiers }).notNull(),
    allianceId: text('alliance_id').references(() => alliances.id),
    codeFrom: varchar('code_from', { length: 8 }).notNull(),
    codeTo: varchar('code_to', { length: 8 }).notNull(),
    effect: text('effect', { enum: catalogueEffects }).notNull().default('include'),
    label: text('label').notNull(),
    note: text('note'),
    source: text('source'),
  },
  (t) => [index('tier_catalogue_tier_idx').on(t.tier, t.allianceId)],
);

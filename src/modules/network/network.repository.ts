import { and, asc, count, desc, eq, ilike, inArray, isNull, lte, or, sql, gt, sum, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { queryRows, type Db } from '../../db/client.js';
import {
  allianceMemberships, alliances, departments, divisions, organizations, patients, practitionerRoles, practitioners,
  supportPairings, tierCatalogueEntries,
} from '../../db/schema/index.js';
import type { AllianceKind, FacilityTier } from '../../contracts/codes.js';

export type OrganizationRow = typeof organizations.$inferSelect & { divisionName: string };
export type MembershipRow = typeof allianceMemberships.$inferSelect & { allianceName: string; organizationName: string; tier: FacilityTier };

const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export interface OrganizationFilter {
  q?: string | undefined;
  /** FHIR name search: starts-with on name or short name. */
  namePrefix?: string | undefined;
  tier?: FacilityTier | undefined;
  tiers?: readonly FacilityTier[] | undefined;
  /** Organizations whose division code starts with this (a county covers its townships and villages). */
  divisionCode?: string | undefined;
  allianceId?: string | undefined;
  allianceOn?: string | undefined;
  supervisorId?: string | undefined;
  identifier?: string | undefined;
  ids?: readonly string[] | undefined;
  addressText?: string | undefined;
}

/** The only file of the network module that touches the database. */
export class NetworkRepository {
  constructor(private readonly db: Db) {}

  // -- divisions
  async childDivisions(parentCode: string | null) {
    return this.db
      .select({ code: divisions.code, name: divisions.name, level: divisions.level, parentCode: divisions.parentCode, fullName: divisions.fullName })
      .from(divisions)
      .where(parentCode ? eq(divisions.parentCode, parentCode) : eq(divisions.level, 'province'))
      .orderBy(asc(divisions.code));
  }

  async division(code: string) {
    const [row] = await this.db
      .select({ code: divisions.code, name: divisions.name, level: divisions.level, parentCode: divisions.parentCode, fullName: divisions.fullName, countyCode: divisions.countyCode })
      .from(divisions)
      .where(eq(divisions.code, code))
      .limit(1);
    return row;
  }

  async divisionsByCodes(codes: readonly string[]) {
    if (codes.length === 0) return [];
    return this.db
      .select({ code: divisions.code, name: divisions.name, level: divisions.level, fullName: divisions.fullName, parentCode: divisions.parentCode })
      .from(divisions)
      .where(inArray(divisions.code, [...codes]));
  }

  // -- organizations
  private organizationWhere(f: OrganizationFilter): SQL | undefined {
    const conds: (SQL | undefined)[] = [];
    if (f.q) {
      const like = `%${escapeLike(f.q)}%`;
      conds.push(or(ilike(organizations.name, like), ilike(organizations.identifier, like), ilike(organizations.shortName, like)));
    }
    if (f.namePrefix) {
      const like = `${escapeLike(f.namePrefix)}%`;
      conds.push(or(ilike(organizations.name, like), ilike(organizations.shortName, like)));
    }
    if (f.tier) conds.push(eq(organizations.tier, f.tier));
    if (f.tiers) conds.push(inArray(organizations.tier, [...f.tiers]));
    if (f.divisionCode) conds.push(sql`${organizations.divisionCode} like ${`${escapeLike(trimDivision(f.divisionCode))}%`}`);
    if (f.supervisorId) conds.push(eq(organizations.supervisorId, f.supervisorId));
    if (f.identifier) conds.push(eq(organizations.identifier, f.identifier));
    if (f.ids) conds.push(inArray(organizations.id, f.ids.length ? [...f.ids] : ['']));
    if (f.addressText) {
      const like = `%${escapeLike(f.addressText)}%`;
      conds.push(
        or(
          ilike(organizations.addressLine, like),
          sql`exists (select 1 from ${divisions} d where d.code = ${organizations.divisionCode} and d.full_name ilike ${like})`,
        ),
      );
    }
    if (f.allianceId) {
      const on = f.allianceOn;
      conds.push(
        sql`exists (select 1 from ${allianceMemberships} m where m.organization_id = ${organizations.id} and m.alliance_id = ${f.allianceId}
            ${on ? sql`and m.valid_from <= ${on} and (m.valid_to is null or m.valid_to > ${on})` : sql``})`,
      );
    }
    return conds.length ? and(...conds) : undefined;
  }

  async searchOrganizations(f: OrganizationFilter, page: { offset: number; limit: number; sort: 'name' | 'tier' | 'beds' | 'division' }) {
    const where = this.organizationWhere(f);
    const order =
      page.sort === 'name' ? [asc(organizations.name)]
      : page.sort === 'beds' ? [desc(organizations.beds), asc(organizations.name)]
      : page.sort === 'division' ? [asc(organizations.divisionCode), asc(organizations.name)]
      : [desc(sql`case ${organizations.tier} when 'national-medical-center' then 9 when 'regional-medical-center' then 8 when 'city-hospital' then 7 when 'county-hospital' then 6 when 'county-tcm-hospital' then 5 when 'county-mch-hospital' then 4 when 'community-health-center' then 3 when 'township-health-center' then 2 else 1 end`), asc(organizations.divisionCode), asc(organizations.name)];
    const [total] = await this.db.select({ n: count() }).from(organizations).where(where);
    const rows = await this.db
      .select({ org: organizations, divisionName: divisions.fullName })
      .from(organizations)
      .innerJoin(divisions, eq(divisions.code, organizations.divisionCode))
      .where(where)
      .orderBy(...order, asc(organizations.id))
      .offset(page.offset)
      .limit(page.limit);
    return { rows: rows.map((r) => ({ ...r.org, divisionName: r.divisionName })), total: total?.n ?? 0 };
  }

  async organization(idOrIdentifier: string): Promise<OrganizationRow | undefined> {
    const [row] = await this.db
      .select({ org: organizations, divisionName: divisions.fullName })
      .from(organizations)
      .innerJoin(divisions, eq(divisions.code, organizations.divisionCode))
      .where(or(eq(organizations.id, idOrIdentifier), eq(organizations.identifier, idOrIdentifier)))
      .limit(1);
    return row ? { ...row.org, divisionName: row.divisionName } : undefined;
  }

  async insertOrganization(row: typeof organizations.$inferInsert): Promise<void> {
    await this.db.insert(organizations).values(row);
  }

  async countByTier() {
    return this.db.select({ tier: organizations.tier, n: count(), beds: sum(organizations.beds) }).from(organizations).groupBy(organizations.tier);
  }

  async supervisedIds(organizationId: string): Promise<string[]> {
    const rows = await this.db.select({ id: organizations.id }).from(organizations).where(eq(organizations.supervisorId, organizationId));
    return rows.map((r) => r.id);
  }

  async supervisedClinics(organizationId: string) {
    return this.db
      .select({ id: organizations.id, name: organizations.name, identifier: organizations.identifier })
      .from(organizations)
      .where(eq(organizations.supervisorId, organizationId))
      .orderBy(asc(organizations.divisionCode));
  }

  async departmentsOf(organizationId: string) {
    return this.db.select().from(departments).where(eq(departments.organizationId, organizationId)).orderBy(asc(departments.code));
  }

  // -- alliances and memberships
  /** Alliances with their member count on date `on`. */
  async alliances(on: string) {
    const lead = alias(organizations, 'lead');
    const rows = await this.db
      .select({
        alliance: alliances,
        leadOrganizationName: lead.name,
        memberCount: sql<number>`(select count(*)::int from ${allianceMemberships} m where m.alliance_id = ${alliances.id} and m.valid_from <= ${on} and (m.valid_to is null or m.valid_to > ${on}))`,
      })
      .from(alliances)
      .innerJoin(lead, eq(lead.id, alliances.leadOrganizationId))
      .orderBy(asc(alliances.kind), asc(alliances.name));
    return rows.map((r) => ({ ...r.alliance, leadOrganizationName: r.leadOrganizationName, memberCount: Number(r.memberCount) }));
  }

  async alliance(id: string) {
    const [row] = await this.db.select().from(alliances).where(or(eq(alliances.id, id), eq(alliances.identifier, id))).limit(1);
    return row;
  }

  private membershipSelect() {
    return this.db
      .select({ m: allianceMemberships, allianceName: alliances.name, organizationName: organizations.name, tier: organizations.tier })
      .from(allianceMemberships)
      .innerJoin(alliances, eq(alliances.id, allianceMemberships.allianceId))
      .innerJoin(organizations, eq(organizations.id, allianceMemberships.organizationId));
  }

  /** Memberships of an alliance; with `on`, only those in force on that date. */
  async memberships(filter: { id?: string; allianceId?: string; organizationId?: string | undefined; on?: string | undefined; organizationIds?: readonly string[] }): Promise<MembershipRow[]> {
    const conds: (SQL | undefined)[] = [];
    if (filter.id) conds.push(eq(allianceMemberships.id, filter.id));
    if (filter.allianceId) conds.push(eq(allianceMemberships.allianceId, filter.allianceId));
    if (filter.organizationId) conds.push(eq(allianceMemberships.organizationId, filter.organizationId));
    if (filter.organizationIds) conds.push(inArray(allianceMemberships.organizationId, filter.organizationIds.length ? [...filter.organizationIds] : ['']));
    if (filter.on) {
      conds.push(lte(allianceMemberships.validFrom, filter.on));
      conds.push(or(isNull(allianceMemberships.validTo), gt(allianceMemberships.validTo, filter.on)));
    }
    const rows = await this.membershipSelect()
      .where(and(...conds))
      .orderBy(asc(allianceMemberships.validFrom), asc(organizations.divisionCode), asc(organizations.name));
    return rows.map((r) => ({ ...r.m, allianceName: r.allianceName, organizationName: r.organizationName, tier: r.tier }));
  }

  /**
   * Organizations that share an alliance with `organizationId` on date `on` (including itself), optionally only
   * alliances of the given kinds.
   */
  async allianceMatesOn(organizationId: string, on: string, kinds?: readonly AllianceKind[]): Promise<string[]> {
    const rows = await queryRows<{ organization_id: string }>(this.db, sql`
      select distinct m2.organization_id
      from ${allianceMemberships} m1
      join ${allianceMemberships} m2 on m2.alliance_id = m1.alliance_id
      join ${alliances} a on a.id = m1.alliance_id
      where m1.organization_id = ${organizationId}
        and m1.valid_from <= ${on} and (m1.valid_to is null or m1.valid_to > ${on})
        and m2.valid_from <= ${on} and (m2.valid_to is null or m2.valid_to > ${on})
        ${kinds ? sql`and a.kind in (${sql.join(kinds.map((k) => sql`${k}`), sql`, `)})` : sql``}`);
    return rows.map((r) => r.organization_id);
  }

  /** Members on date `on` of the alliances that `organizationId` leads (including itself). */
  async membersOfAlliancesLedBy(organizationId: string, on: string): Promise<string[]> {
    const rows = await queryRows<{ organization_id: string }>(this.db, sql`
      select distinct m.organization_id
      from ${alliances} a
      join ${allianceMemberships} m on m.alliance_id = a.id
      where a.lead_organization_id = ${organizationId}
        and m.valid_from <= ${on} and (m.valid_to is null or m.valid_to > ${on})`);
    const ids = rows.map((r) => r.organization_id);
    return ids.includes(organizationId) ? ids : [...ids, organizationId];
  }

  /** Locks the alliance row so concurrent membership changes of one alliance run one after another. */
  async lockAlliance(tx: Db, allianceId: string): Promise<void> {
    await tx.execute(sql`select id from ${alliances} where id = ${allianceId} for update`);
  }

  async membershipHistory(tx: Db, allianceId: string, organizationId: string) {
    return tx
      .select()
      .from(allianceMemberships)
      .where(and(eq(allianceMemberships.allianceId, allianceId), eq(allianceMemberships.organizationId, organizationId)));
  }

  async insertMembership(tx: Db, row: typeof allianceMemberships.$inferInsert): Promise<void> {
    await tx.insert(allianceMemberships).values(row);
  }

  async membership(tx: Db, id: string) {
    const [row] = await tx.select().from(allianceMemberships).where(eq(allianceMemberships.id, id)).limit(1);
    return row;
  }

  async closeMembership(tx: Db, id: string, validTo: string, reason: string): Promise<void> {
    await tx
      .update(allianceMemberships)
      .set({ validTo, reason })
      .where(and(eq(allianceMemberships.id, id), isNull(allianceMemberships.validTo)));
  }

  // -- pairings
  async pairingsOf(organizationId: string | null, id?: string) {
    const supporting = alias(organizations, 'supporting');
    const supported = alias(organizations, 'supported');
    const rows = await this.db
      .select({ p: supportPairings, supportingName: supporting.name, supportedName: supported.name })
      .from(supportPairings)
      .innerJoin(supporting, eq(supporting.id, supportPairings.supportingOrganizationId))
      .innerJoin(supported, eq(supported.id, supportPairings.supportedOrganizationId))
      .where(
        and(
          organizationId
            ? or(eq(supportPairings.supportingOrganizationId, organizationId), eq(supportPairings.supportedOrganizationId, organizationId))
            : undefined,
          id ? eq(supportPairings.id, id) : undefined,
        ),
      )
      .orderBy(asc(supportPairings.supportTier), asc(supported.name));
    return rows.map((r) => ({ ...r.p, supportingOrganizationName: r.supportingName, supportedOrganizationName: r.supportedName }));
  }

  // -- practitioners
  async searchPractitioners(f: { q?: string | undefined; namePrefix?: string | undefined; organizationId?: string | undefined; identifier?: string | undefined; ids?: readonly string[] }, page: { offset: number; limit: number }) {
    const conds: (SQL | undefined)[] = [];
    if (f.q) conds.push(or(ilike(practitioners.name, `%${escapeLike(f.q)}%`), ilike(practitioners.specialty, `%${escapeLike(f.q)}%`), eq(practitioners.identifier, f.q)));
    if (f.namePrefix) conds.push(ilike(practitioners.name, `${escapeLike(f.namePrefix)}%`));
    if (f.organizationId) conds.push(eq(practitioners.homeOrganizationId, f.organizationId));
    if (f.identifier) conds.push(eq(practitioners.identifier, f.identifier));
    if (f.ids) conds.push(inArray(practitioners.id, f.ids.length ? [...f.ids] : ['']));
    const where = and(...conds);
    const [total] = await this.db.select({ n: count() }).from(practitioners).where(where);
    const rows = await this.db
      .select({ p: practitioners, homeOrganizationName: organizations.name, departmentName: departments.name })
      .from(practitioners)
      .innerJoin(organizations, eq(organizations.id, practitioners.homeOrganizationId))
      .leftJoin(departments, eq(departments.id, practitioners.departmentId))
      .where(where)
      .orderBy(desc(sql`case ${practitioners.title} when 'senior' then 4 when 'associate-senior' then 3 when 'intermediate' then 2 else 1 end`), asc(practitioners.name), asc(practitioners.id))
      .offset(page.offset)
      .limit(page.limit);
    return { rows: rows.map((r) => ({ ...r.p, homeOrganizationName: r.homeOrganizationName, departmentName: r.departmentName })), total: total?.n ?? 0 };
  }

  async practitionerRoles(f: { organizationId?: string | undefined; practitionerId?: string | undefined; kinds?: readonly ('home' | 'stationed' | 'circuit' | 'visiting')[] | undefined; ids?: readonly string[] | undefined; on?: string | undefined }, page = { offset: 0, limit: 1000 }) {
    const conds: (SQL | undefined)[] = [];
    if (f.on) {
      conds.push(lte(practitionerRoles.validFrom, f.on));
      conds.push(or(isNull(practitionerRoles.validTo), gt(practitionerRoles.validTo, f.on)));
    }
    if (f.organizationId) conds.push(eq(practitionerRoles.organizationId, f.organizationId));
    if (f.practitionerId) conds.push(eq(practitionerRoles.practitionerId, f.practitionerId));
    if (f.kinds) conds.push(inArray(practitionerRoles.kind, [...f.kinds]));
    if (f.ids) conds.push(inArray(practitionerRoles.id, f.ids.length ? [...f.ids] : ['']));
    const where = and(...conds);
    const [total] = await this.db.select({ n: count() }).from(practitionerRoles).where(where);
    const rows = await this.db
      .select({ r: practitionerRoles, practitionerName: practitioners.name, organizationName: organizations.name })
      .from(practitionerRoles)
      .innerJoin(practitioners, eq(practitioners.id, practitionerRoles.practitionerId))
      .innerJoin(organizations, eq(organizations.id, practitionerRoles.organizationId))
      .where(where)
      .orderBy(desc(practitionerRoles.validFrom), asc(practitionerRoles.id))
      .offset(page.offset)
      .limit(page.limit);
    return { rows: rows.map((r) => ({ ...r.r, practitionerName: r.practitionerName, organizationName: r.organizationName })), total: total?.n ?? 0 };
  }

  async countPractitioners(): Promise<number> {
    const [row] = await this.db.select({ n: count() }).from(practitioners);
    return row?.n ?? 0;
  }

  async countPatients(): Promise<number> {
    // An estimate is fine for a dashboard tile and avoids a full scan of a province-sized table.
    const est = await queryRows<{ n: string }>(this.db, sql`select reltuples::bigint as n from pg_class where relname = 'patients'`);
    const n = Number(est[0]?.n ?? -1);
    if (n >= 100_000) return n;
    const [row] = await this.db.select({ n: count() }).from(patients);
    return row?.n ?? 0;
  }

  // -- registry writes (departments, practitioners, roles, pairings)
  async department(id: string) {
    const [row] = await this.db.select().from(departments).where(eq(departments.id, id)).limit(1);
    return row;
  }

  async insertDepartment(row: typeof departments.$inferInsert): Promise<void> {
    await this.db.insert(departments).values(row);
  }

  async practitionerRow(id: string) {
    const [row] = await this.db.select().from(practitioners).where(eq(practitioners.id, id)).limit(1);
    return row;
  }

  /** The practitioner and its home role in one transaction: a practitioner never exists without its 执业机构. */
  async insertPractitionerWithHomeRole(p: typeof practitioners.$inferInsert, role: typeof practitionerRoles.$inferInsert): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.insert(practitioners).values(p);
      await tx.insert(practitionerRoles).values(role);
    });
  }

  async updatePractitioner(id: string, patch: Partial<Pick<typeof practitioners.$inferInsert, 'title' | 'specialty' | 'departmentId' | 'phone' | 'active'>>): Promise<void> {
    await this.db.update(practitioners).set(patch).where(eq(practitioners.id, id));
  }

  /** Locks the practitioner row so concurrent role changes of one practitioner run one after another. */
  async lockPractitioner(tx: Db, practitionerId: string): Promise<void> {
    await tx.execute(sql`select id from ${practitioners} where id = ${practitionerId} for update`);
  }

  async rolesOfPractitioner(tx: Db, practitionerId: string) {
    return tx.select().from(practitionerRoles).where(eq(practitionerRoles.practitionerId, practitionerId));
  }

  async insertPractitionerRole(tx: Db, row: typeof practitionerRoles.$inferInsert): Promise<void> {
    await tx.insert(practitionerRoles).values(row);
  }

  /** Locks both organizations' rows, in id order so two writers never wait on each other crosswise. */
  async lockOrganizations(tx: Db, ids: readonly string[]): Promise<void> {
    for (const id of [...new Set(ids)].sort()) await tx.execute(sql`select id from ${organizations} where id = ${id} for update`);
  }

  async pairingsBetween(tx: Db, a: string, b: string) {
    return tx
      .select()
      .from(supportPairings)
      .where(
        or(
          and(eq(supportPairings.supportingOrganizationId, a), eq(supportPairings.supportedOrganizationId, b)),
          and(eq(supportPairings.supportingOrganizationId, b), eq(supportPairings.supportedOrganizationId, a)),
        ),
      );
  }

  async insertPairing(tx: Db, row: typeof supportPairings.$inferInsert): Promise<void> {
    await tx.insert(supportPairings).values(row);
  }

  async pairing(id: string) {
    return (await this.pairingsOf(null, id))[0];
  }

  // -- catalogue
  async catalogueEntries(tier?: FacilityTier, allianceIds?: readonly string[]) {
    const conds: (SQL | undefined)[] = [];
    if (tier) conds.push(eq(tierCatalogueEntries.tier, tier));
    if (allianceIds) conds.push(or(isNull(tierCatalogueEntries.allianceId), inArray(tierCatalogueEntries.allianceId, allianceIds.length ? [...allianceIds] : [''])));
    return this.db.select().from(tierCatalogueEntries).where(and(...conds)).orderBy(asc(tierCatalogueEntries.tier), asc(tierCatalogueEntries.codeFrom));
  }

  async insertCatalogueEntry(row: typeof tierCatalogueEntries.$inferInsert): Promise<void> {
    await this.db.insert(tierCatalogueEntries).values(row);
  }

  async catalogueEntry(id: string) {
    const [row] = await this.db.select().from(tierCatalogueEntries).where(eq(tierCatalogueEntries.id, id)).limit(1);
    return row;
  }

  async deleteCatalogueEntry(id: string): Promise<void> {
    await this.db.delete(tierCatalogueEntries).where(eq(tierCatalogueEntries.id, id));
  }

  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn(tx as unknown as Db));
  }
}

/** "350821000000" → "350821": trailing zero groups mean "the whole division". */
export function trimDivision(code: string): string {
  if (code.length === 12 && code.endsWith('000')) return trimDivision(code.slice(0, 9));
  if (code.length === 9 && code.endsWith('000')) return code.slice(0, 6);
  if (code.length === 6 && code.endsWith('0000')) return code.slice(0, 2);
  if (code.length === 6 && code.endsWith('00')) return code.slice(0, 4);
  return code;
}

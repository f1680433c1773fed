import { and, asc, eq, inArray, isNotNull, or, sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../db/client.js';
import { allianceMemberships, organizations } from '../../db/schema/index.js';
import type { FacilityTier } from '../../contracts/codes.js';
import type { LatLon } from './routing.rules.js';

/** A possible destination as the routing recommendation first sees it. */
export interface CandidateOrganizationRow {
  id: string;
  name: string;
  tier: FacilityTier;
  site: LatLon | null;
}

/** Who reserved capacity may be used by: the origin facility, and the alliances it belongs to today. */
export interface ReservedFor {
  originOrganizationId: string;
  allianceIds: readonly string[];
}

const nonEmpty = (ids: readonly string[]): string[] => (ids.length > 0 ? [...ids] : ['']);

const siteOf = (lat: string | null, lon: string | null): LatLon | null =>
  lat === null || lon === null ? null : { latitude: Number(lat), longitude: Number(lon) };

/** Tiers of the top of the system: always considered, wherever the origin sits (大病不出省). */
const UPPER_CENTER_TIERS: readonly FacilityTier[] = ['city-hospital', 'regional-medical-center', 'national-medical-center'];

/** Reads for the routing recommendation: candidate facilities, the patient's place, and free reserved capacity. */
export class RoutingRepository {
  constructor(private readonly db: Db) {}

  /**
   * Active facilities of the given (higher) tiers that are members on `on` of one of `allianceIds`, or are one of
   * `partnerIds`, or are city/regional/national centers. At most `limit` rows, nearest tiers first.
   */
  async candidateOrganizations(f: {
    tiers: readonly FacilityTier[];
    allianceIds: readonly string[];
    partnerIds: readonly string[];
    on: string;
    limit: number;
  }): Promise<CandidateOrganizationRow[]> {
    if (f.tiers.length === 0) return [];
    const members = this.db
      .select({ id: allianceMemberships.organizationId })
      .from(allianceMemberships)
      .where(
        and(
          inArray(allianceMemberships.allianceId, nonEmpty(f.allianceIds)),
          sql`${allianceMemberships.validFrom} <= ${f.on}`,
          sql`(${allianceMemberships.validTo} is null or ${allianceMemberships.validTo} > ${f.on})`,
        ),
      );
    const rows = await this.db
      .select({ id: organizations.id, name: organizations.name, tier: organizations.tier, latitude: organizations.latitude, longitude: organizations.longitude })
      .from(organizations)
      .where(
        and(
          eq(organizations.active, true),
          inArray(organizations.tier, [...f.tiers]),
          or(
            inArray(organizations.id, members),
            inArray(organizations.id, nonEmpty(f.partnerIds)),
            inArray(organizations.tier, [...UPPER_CENTER_TIERS]),
          ),
        ),
      )
      .orderBy(asc(organizations.tier), asc(organizations.name), asc(organizations.id))
      .limit(f.limit);
    return rows.map((r) => ({ id: r.id, name: r.name, tier: r.tier, site: siteOf(r.latitude, r.longitude) }));
  }

  /**
   * Where a resident lives, approximately: the site of a facility in the residence division (a village's clinic), else
   * of the township's health center (its seat), else of any facility of the township. `divisionCode` is a 12-digit
   * village or 9-digit township code; a county code or an unknown place gives null.
   */
  async residenceSite(divisionCode: string): Promise<LatLon | null> {
    if (!/^\d{9}(\d{3})?$/.test(divisionCode)) return null;
    const township = divisionCode.slice(0, 9);
    const [row] = await this.db
      .select({ latitude: organizations.latitude, longitude: organizations.longitude })
      .from(organizations)
      .where(
        and(
          inArray(organizations.divisionCode, [divisionCode, township]),
          isNotNull(organizations.latitude),
          isNotNull(organizations.longitude),
        ),
      )
      .orderBy(
        sql`case when ${organizations.divisionCode} = ${divisionCode} then 0 else 1 end`,
        sql`case ${organizations.tier} when 'village-clinic' then 0 when 'township-health-center' then 1 when 'community-health-center' then 2 else 3 end`,
        asc(organizations.id),
      )
      .limit(1);
    return row ? siteOf(row.latitude, row.longitude) : null;
  }

  /**
   * Free reserved outpatient/exam slots per organization starting in [now, until): free, reserved, not yet released
   * (`release_at > now`, the schema's definition of "still reserved"), and reserved for anyone, for the origin, or for
   * one of its alliances — counted up to `atMost` per organization (a ranking needs "enough", not the exact number of
   * a week of slots: each count stops after `atMost` rows of the (organization, start) index instead of reading them
   * all, which made this the heaviest statement of a referral's creation). One query.
   */
  async freeReservedSlots(organizationIds: readonly string[], who: ReservedFor, now: Date, until: Date, atMost: number): Promise<Map<string, number>> {
    if (organizationIds.length === 0) return new Map();
    const rows = await queryRows<{ organization_id: string; n: number | string }>(this.db, sql`
      select o.id as organization_id, (
        select count(*) from (
          select 1
          from slots s
          where s.organization_id = o.id
            and s.start >= ${now.toISOString()}::timestamptz
            and s.start < ${until.toISOString()}::timestamptz
            and s.status = 'free'
            and s.reserved = 1
            and s.release_at > ${now.toISOString()}::timestamptz
            and (s.reserved_for_organization_id is null or s.reserved_for_organization_id = ${who.originOrganizationId})
            and (s.reserved_for_alliance_id is null or s.reserved_for_alliance_id in (${sql.join(nonEmpty(who.allianceIds).map((id) => sql`${id}`), sql`, `)}))
          limit ${atMost}
        ) f
      )::int as n
      from (values ${sql.join([...new Set(organizationIds)].map((id) => sql`(${id})`), sql`, `)}) as o(id)`);
    return new Map(rows.filter((r) => Number(r.n) > 0).map((r) => [r.organization_id, Number(r.n)]));
  }

  /**
   * Free reserved beds per organization over the `days` calendar days from `today` (Asia/Shanghai): for each day, the
   * sum over the organization's bed pools usable by the origin of (that day's capacity, or the pool's reserved beds when
   * no day row exists yet) − beds held that day (none when the day row is missing), counting only days whose reserved
   * beds have not yet been released to general admission (day start − `release_hours_before` > now); the result is the
   * best day's total — the beds a referred patient could get. One grouped query.
   */
  async freeReservedBeds(organizationIds: readonly string[], who: ReservedFor, now: Date, today: string, days: number): Promise<Map<string, number>> {
    if (organizationIds.length === 0) return new Map();
    const rows = await queryRows<{ organization_id: string; n: number | string }>(this.db, sql`
      select per_day.organization_id, max(per_day.free)::int as n
      from (
        select bp.organization_id, g.i, sum(greatest(0, coalesce(d.capacity, bp.reserved_beds) - coalesce(d.held, 0))) as free
        from bed_pools bp
        cross join generate_series(0, ${days - 1}::int) as g(i)
        left join bed_pool_days d on d.bed_pool_id = bp.id and d.day = (${today}::date + g.i)
        where bp.organization_id in (${sql.join(organizationIds.map((id) => sql`${id}`), sql`, `)})
          and (bp.reserved_for_organization_id is null or bp.reserved_for_organization_id = ${who.originOrganizationId})
          and (bp.reserved_for_alliance_id is null or bp.reserved_for_alliance_id in (${sql.join(nonEmpty(who.allianceIds).map((id) => sql`${id}`), sql`, `)}))
          and ((${today}::date + g.i)::text || 'T00:00:00+08:00')::timestamptz - bp.release_hours_before * interval '1 hour' > ${now.toISOString()}::timestamptz
        group by bp.organization_id, g.i
      ) per_day
      group by per_day.organization_id`);
    return new Map(rows.map((r) => [r.organization_id, Number(r.n)]));
  }
}

import { and, asc, desc, eq, inArray, isNull, lte, or, gt, sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '../../db/client.js';
import {
  activityDaily, activityRecords, divisions, indicatorDefinitions, indicatorTargets, organizations,
} from '../../db/schema/index.js';
import type { FacilityTier, PractitionerTitle } from '../../contracts/codes.js';
import type { ActivityTermSpec, IndicatorPeriod } from '../../contracts/indicator.js';
import { turnaroundFactsSql } from '../diagnosis/index.js';

/** One raw row ready to insert; money as decimal yuan strings, exactly as received. */
export interface ActivityRow {
  id: string;
  source: string;
  source_record_id: string;
  class: 'outpatient' | 'inpatient';
  patient_id: string | null;
  residence_division_code: string;
  county_code: string;
  facility_id: string | null;
  facility_division_code: string;
  facility_county_code: string;
  facility_tier: FacilityTier | null;
  department_specialty: string | null;
  tcm: boolean;
  start_date: string;
  end_date: string | null;
  diagnoses: string[];
  total_cost: string;
  fund_paid: string | null;
  insured: boolean;
  pharmacy: boolean;
  via_referral: boolean;
  referral_id: string | null;
}

/** An area of the GB/T 2260 tree: a county (exact 6-digit code) or a city/province (code prefix). */
export interface AreaFilter {
  code: string;
  exact: boolean;
}

/** Which facilities and residents a figure is about (see IndicatorService.evaluate). */
export type EvaluationScope =
  | { kind: 'facility'; facilityId: string }
  | { kind: 'alliance'; allianceId: string; residentArea: AreaFilter | null }
  | { kind: 'area'; area: AreaFilter };

export interface Bucket {
  period: string;
  value: string;
  rows: number;
}

const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

function areaSql(column: SQL, area: AreaFilter): SQL {
  return area.exact ? sql`${column} = ${area.code}` : sql`${column} like ${`${escapeLike(area.code)}%`}`;
}

function periodSql(period: IndicatorPeriod, day: SQL): SQL {
  if (period === 'year') return sql`to_char(${day}, 'YYYY')`;
  if (period === 'quarter') return sql`(to_char(${day}, 'YYYY') || '-Q' || to_char(${day}, 'Q'))`;
  return sql`to_char(${day}, 'YYYY-MM')`;
}

/** "Facility `org` is a member of alliance `allianceId` on `day`" — membership as of the event's date. */
function memberOnSql(org: SQL, day: SQL, allianceId: string): SQL {
  return sql`exists (select 1 from alliance_memberships m where m.organization_id = ${org} and m.alliance_id = ${allianceId}
    and m.valid_from <= ${day} and (m.valid_to is null or m.valid_to > ${day}))`;
}

/** "Facility `org` leads a county community or city group (of `allianceId`, if given) on `day`". */
function leadOnSql(org: SQL, day: SQL, allianceId: string | null): SQL {
  return sql`exists (select 1 from alliance_memberships m join alliances al on al.id = m.alliance_id
    where m.organization_id = ${org} and m.role = 'lead' and al.kind in ('county-community', 'city-group')
    ${allianceId ? sql`and m.alliance_id = ${allianceId}` : sql``}
    and m.valid_from <= ${day} and (m.valid_to is null or m.valid_to > ${day}))`;
}

/**
 * The one GROUP BY that turns raw records into `activity_daily` rows, for live maintenance (over the rows a batch
 * actually inserted) and for rebuilds (over the stored rows) alike — so both produce exactly the same figures.
 * A record counts on its start day; a stay with a discharge date also counts one discharge on that day.
 */
export function aggregateSelect(source: SQL, where: SQL = sql`true`): SQL {
  return sql`select county_code, day, facility_id, facility_county_code, facility_tier, class, tcm, insured, pharmacy, via_referral,
      sum(records)::int, sum(discharges)::int, sum(total_cost), sum(fund_paid), sum(fund_records)::int
    from (
      select county_code, start_date as day, facility_id, facility_county_code, facility_tier, class, tcm, insured, pharmacy, via_referral,
        1 as records, 0 as discharges, total_cost, coalesce(fund_paid, 0) as fund_paid, (fund_paid is not null)::int as fund_records
      from ${source} where ${where}
      union all
      select county_code, end_date, facility_id, facility_county_code, facility_tier, class, tcm, insured, pharmacy, via_referral,
        0, 1, 0, 0, 0
      from ${source} where ${where} and class = 'inpatient' and end_date is not null
    ) e
    group by county_code, day, facility_id, facility_county_code, facility_tier, class, tcm, insured, pharmacy, via_referral
    order by county_code, day, facility_id, facility_county_code, facility_tier, class, tcm, insured, pharmacy, via_referral`;
}

export const aggregateColumns = sql.raw(
  'county_code, day, facility_id, facility_county_code, facility_tier, class, tcm, insured, pharmacy, via_referral, records, discharges, total_cost, fund_paid, fund_records',
);

/**
 * The one statement through which raw activity is stored: `input` (a SELECT yielding the record columns) is inserted
 * where new — ON CONFLICT (source, source_record_id) DO NOTHING — and exactly the rows inserted are added to the live
 * pre-aggregate, because the aggregate CTE reads the insert's RETURNING; a re-imported record changes nothing.
 * `answer` reads `ins`. Used by the API path (`insertActivities`) and the bulk loader alike.
 */
export function recordAndAggregateSql(input: SQL, columns: string, selectList: string, recordedAt: Date, answer: SQL): SQL {
  return sql`with input as (
          ${input}
        ), ins as (
          insert into activity_records (${sql.raw(columns)}, recorded_at)
          select ${sql.raw(selectList)}, ${recordedAt.toISOString()}::timestamptz from input
          on conflict (source, source_record_id) do nothing
          returning *
        ), agg as (
          insert into activity_daily (${aggregateColumns})
          ${aggregateSelect(sql`ins`)}
          on conflict on constraint activity_daily_key do update set
            records = activity_daily.records + excluded.records,
            discharges = activity_daily.discharges + excluded.discharges,
            total_cost = activity_daily.total_cost + excluded.total_cost,
            fund_paid = activity_daily.fund_paid + excluded.fund_paid,
            fund_records = activity_daily.fund_records + excluded.fund_records
        ), outbox as (
          insert into activity_outbox (payload, records)
          select json_agg(${outboxProjection}), count(*)::int from ins having count(*) > 0
        )
        ${answer}`;
}

/**
 * One raw record as the analytic store (DuckDB) needs it — the fields of `aggregateSelect`'s GROUP BY and sums, plus
 * the record id — as a JSON array in this fixed order (the store's `ingestPayloadSql` reads it by position). Money in
 * integer fen (numeric(14,2) × 100 is exact). The same projection feeds the outbox and `resyncChunk`.
 */
const outboxProjection = sql.raw(
  'json_build_array(id, county_code, start_date, end_date, facility_id, facility_county_code, facility_tier, class, tcm, insured, pharmacy, ' +
    'via_referral, (total_cost * 100)::bigint, (fund_paid * 100)::bigint)',
);

/**
 * The fingerprint of an aggregate at `activity_daily`'s grain: row count, the sums, and the sum of a 60-bit hash of
 * each row's canonical text. The analytic store computes the same text and hash (`ActivityAnalyticsStore.fingerprint`),
 * so equal fingerprints mean — with overwhelming probability — equal tables across the two engines.
 */
export interface AggregateFingerprint {
  rows: string;
  records: string;
  discharges: string;
  totalCostFen: string;
  fundPaidFen: string;
  fundRecords: string;
  rowHashSum: string;
}

const recordColumns =
  'id, source, source_record_id, class, patient_id, residence_division_code, county_code, facility_id, facility_division_code, ' +
  'facility_county_code, facility_tier, department_specialty, tcm, start_date, end_date, diagnoses, total_cost, fund_paid, insured, pharmacy, via_referral, referral_id';

/** The only file of the indicators module that touches the database. */
export class IndicatorRepository {
  constructor(private readonly db: Db) {}

  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn(tx as unknown as Db));
  }

  // -- reference data for recording
  async facilitiesByKeys(keys: readonly string[]) {
    if (keys.length === 0) return [];
    return this.db
      .select({ id: organizations.id, identifier: organizations.identifier, name: organizations.name, tier: organizations.tier, divisionCode: organizations.divisionCode, countyCode: organizations.countyCode })
      .from(organizations)
      .where(or(inArray(organizations.id, [...keys]), inArray(organizations.identifier, [...keys])));
  }

  /** Which of the given 6-digit codes are county-level divisions (counties, county-level cities, districts). */
  async knownCounties(codes: readonly string[]): Promise<Set<string>> {
    if (codes.length === 0) return new Set();
    const rows = await this.db.select({ code: divisions.code }).from(divisions).where(and(inArray(divisions.code, [...codes]), eq(divisions.level, 'county')));
    return new Set(rows.map((r) => r.code));
  }

  /**
   * Inserts the rows that are new (ON CONFLICT (source, source_record_id) DO NOTHING) and adds exactly those to the
   * pre-aggregate, in one statement: the aggregate CTE reads the insert's RETURNING, so a re-imported record changes
   * nothing. Returns the ids inserted.
   */
  async insertActivities(tx: Db, rows: readonly ActivityRow[], recordedAt: Date): Promise<string[]> {
    if (rows.length === 0) return [];
    const result = await queryRows<{ id: string }>(
      tx,
      recordAndAggregateSql(
        sql`select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(
            id text, source text, source_record_id text, class text, patient_id text, residence_division_code text, county_code text,
            facility_id text, facility_division_code text, facility_county_code text, facility_tier text, department_specialty text,
            tcm boolean, start_date date, end_date date, diagnoses text[], total_cost numeric, fund_paid numeric, insured boolean,
            pharmacy boolean, via_referral boolean, referral_id text)`,
        recordColumns, recordColumns, recordedAt, sql`select id from ins`,
      ),
    );
    return result.map((r) => r.id);
  }

  /** Ids of stored records by idempotency key. */
  async idsByKeys(keys: readonly { source: string; sourceRecordId: string }[]): Promise<Map<string, string>> {
    if (keys.length === 0) return new Map();
    const rows = await queryRows<{ id: string; source: string; source_record_id: string }>(
      this.db,
      sql`select r.id, r.source, r.source_record_id from activity_records r
          join jsonb_to_recordset(${JSON.stringify(keys.map((k) => ({ s: k.source, r: k.sourceRecordId })))}::jsonb) as k(s text, r text)
            on r.source = k.s and r.source_record_id = k.r`,
    );
    return new Map(rows.map((r) => [`${r.source}\u0000${r.source_record_id}`, r.id]));
  }

  /**
   * Recomputes the pre-aggregate (of one county of residence, or all) from the raw records with the same SELECT as
   * live maintenance. Raw inserts wait for it (SHARE lock) so no batch lands between the delete and the re-insert.
   */
  async rebuild(countyCode: string | undefined): Promise<{ records: number; aggregateRows: number }> {
    return this.transaction(async (tx) => {
      await tx.execute(sql`lock table activity_records in share mode`);
      if (countyCode) await tx.execute(sql`delete from activity_daily where county_code = ${countyCode}`);
      else await tx.execute(sql`delete from activity_daily`);
      const where = countyCode ? sql`county_code = ${countyCode}` : sql`true`;
      const inserted = await queryRows<{ n: number }>(
        tx,
        sql`with agg as (insert into activity_daily (${aggregateColumns}) ${aggregateSelect(sql`activity_records`, where)} returning 1)
            select count(*)::int as n from agg`,
      );
      const [records] = await queryRows<{ n: number }>(tx, sql`select count(*)::int as n from activity_records where ${where}`);
      return { records: records?.n ?? 0, aggregateRows: inserted[0]?.n ?? 0 };
    });
  }

  // -- definitions and targets
  async definitions(filter: { on?: string; code?: string }) {
    const conds: SQL[] = [];
    if (filter.on) conds.push(lte(indicatorDefinitions.validFrom, filter.on), or(isNull(indicatorDefinitions.validTo), gt(indicatorDefinitions.validTo, filter.on))!);
    if (filter.code) conds.push(eq(indicatorDefinitions.code, filter.code));
    return this.db.select().from(indicatorDefinitions).where(conds.length ? and(...conds) : undefined).orderBy(asc(indicatorDefinitions.code), asc(indicatorDefinitions.version));
  }

  async insertDefinitionsIfAbsent(rows: readonly (typeof indicatorDefinitions.$inferInsert)[]): Promise<number> {
    if (rows.length === 0) return 0;
    const inserted = await this.db.insert(indicatorDefinitions).values([...rows]).onConflictDoNothing().returning({ id: indicatorDefinitions.id });
    return inserted.length;
  }

  async targets(code: string, divisionCode: string, years: readonly number[]) {
    if (years.length === 0) return [];
    return this.db
      .select({ year: indicatorTargets.year, target: indicatorTargets.target })
      .from(indicatorTargets)
      .where(and(eq(indicatorTargets.indicatorCode, code), eq(indicatorTargets.divisionCode, divisionCode), inArray(indicatorTargets.year, [...years])));
  }

  /** Every target of an indicator for a division (all years), newest year first. */
  async targetsOf(code: string, divisionCode: string) {
    return this.db
      .select({ year: indicatorTargets.year, target: indicatorTargets.target, note: indicatorTargets.note })
      .from(indicatorTargets)
      .where(and(eq(indicatorTargets.indicatorCode, code), eq(indicatorTargets.divisionCode, divisionCode)))
      .orderBy(desc(indicatorTargets.year));
  }

  /** Sets the target of an indicator for a division and year (one row per triple: the unique index decides). */
  async upsertTarget(row: { id: string; indicatorCode: string; divisionCode: string; year: number; target: string; note: string | null }): Promise<void> {
    await this.db
      .insert(indicatorTargets)
      .values(row)
      .onConflictDoUpdate({ target: [indicatorTargets.indicatorCode, indicatorTargets.divisionCode, indicatorTargets.year], set: { target: row.target, note: row.note } });
  }

  // -- evaluation
  /** Sums one activity term over the pre-aggregate, per period of the span. `rows` counts the records behind the sum. */
  async sumActivity(term: ActivityTermSpec, scope: EvaluationScope, period: IndicatorPeriod, start: string, end: string): Promise<Bucket[]> {
    const a = (col: string) => sql.raw(`a.${col}`);
    const day = a('day');
    const conds: SQL[] = [sql`${day} between ${start}::date and ${end}::date`];
    if (term.population === 'residents') {
      const area = scope.kind === 'area' ? scope.area : scope.kind === 'alliance' ? scope.residentArea : null;
      if (!area) throw new Error('residents of a facility are not defined');
      conds.push(areaSql(a('county_code'), area));
    }
    if (term.facilities !== 'any') {
      if (scope.kind === 'facility') conds.push(sql`${a('facility_id')} = ${scope.facilityId}`);
      else if (scope.kind === 'alliance') conds.push(memberOnSql(a('facility_id'), day, scope.allianceId));
      else if (term.facilities === 'scope') conds.push(areaSql(a('facility_county_code'), scope.area));
      else conds.push(sql`${a('facility_county_code')} = ${a('county_code')}`);
    }
    if (term.classes?.length) conds.push(sql`${a('class')} in (${sql.join(term.classes.map((c) => sql`${c}`), sql`, `)})`);
    if (term.tiers?.length) conds.push(sql`${a('facility_tier')} in (${sql.join(term.tiers.map((t) => sql`${t}`), sql`, `)})`);
    if (term.insuredOnly) conds.push(sql`${a('insured')}`);
    if (term.excludePharmacy) conds.push(sql`not ${a('pharmacy')}`);
    if (term.tcmOnly) conds.push(sql`${a('tcm')}`);
    // At facility level the facility itself is asked about, lead or not (indicators.definitions.ts).
    if (term.leadOnly && scope.kind !== 'facility') conds.push(leadOnSql(a('facility_id'), day, scope.kind === 'alliance' ? scope.allianceId : null));
    const measure = { records: 'records', discharges: 'discharges', totalCost: 'total_cost', fundPaid: 'fund_paid' }[term.measure];
    const rowsOf = { records: 'records', discharges: 'discharges', totalCost: 'records', fundPaid: 'fund_records' }[term.measure];
    const rows = await queryRows<{ period: string; value: string | null; rows: string | number | null }>(
      this.db,
      sql`select ${periodSql(period, day)} as period, sum(${a(measure)})::text as value, sum(${a(rowsOf)})::bigint as rows
          from activity_daily a where ${and(...conds)} group by 1`,
    );
    return rows.map((r) => ({ period: r.period, value: r.value ?? '0', rows: Number(r.rows ?? 0) }));
  }

  /** Referrals sent in the span by facilities in scope, per period (date of request, China Standard Time). */
  async countReferrals(direction: 'up' | 'down', leadOnly: boolean, scope: EvaluationScope, period: IndicatorPeriod, start: string, end: string): Promise<Bucket[]> {
    const day = sql.raw('r.day');
    const org = sql.raw('r.origin_organization_id');
    const conds: SQL[] = [sql`${day} between ${start}::date and ${end}::date`];
    if (scope.kind === 'facility') conds.push(sql`${org} = ${scope.facilityId}`);
    else if (scope.kind === 'alliance') conds.push(memberOnSql(org, day, scope.allianceId));
    else conds.push(areaSql(sql.raw('o.county_code'), scope.area));
    if (leadOnly && scope.kind !== 'facility') conds.push(leadOnSql(org, day, scope.kind === 'alliance' ? scope.allianceId : null));
    const rows = await queryRows<{ period: string; n: string | number }>(
      this.db,
      sql`select ${periodSql(period, day)} as period, count(*) as n
          from (select origin_organization_id, ((coalesce(requested_at, created_at) at time zone 'UTC') + interval '8 hours')::date as day
                from referrals where direction = ${direction} and status not in ('draft', 'cancelled', 'rejected')) r
          join organizations o on o.id = r.origin_organization_id
          where ${and(...conds)} group by 1`,
    );
    return rows.map((r) => ({ period: r.period, value: String(r.n), rows: Number(r.n) }));
  }

  /**
   * Remote diagnosis requests sent in the span by facilities in scope (the requester; an alliance's member on the
   * request's day; the facilities located in the area), per period — read through the diagnosis module's per-request
   * definition (`turnaroundFactsSql`), the one its turnaround statistics use, so both give the same figures.
   */
  async countDiagnosis(measure: 'requests' | 'reported' | 'reportedOnTime', scope: EvaluationScope, period: IndicatorPeriod, start: string, end: string): Promise<Bucket[]> {
    const day = sql.raw('f.day');
    const org = sql.raw('f.requester_organization_id');
    const conds: SQL[] = [];
    if (scope.kind === 'facility') conds.push(sql`${org} = ${scope.facilityId}`);
    else if (scope.kind === 'alliance') conds.push(memberOnSql(org, day, scope.allianceId));
    else conds.push(areaSql(sql.raw('o.county_code'), scope.area));
    if (measure === 'reported') conds.push(sql`f.deadline_met`);
    if (measure === 'reportedOnTime') conds.push(sql`f.on_time`);
    const rows = await queryRows<{ period: string; n: string | number }>(
      this.db,
      sql`select ${periodSql(period, day)} as period, count(*) as n
          from (${turnaroundFactsSql({ from: start, to: end })}) f
          join organizations o on o.id = f.requester_organization_id
          where ${and(...conds)} group by 1`,
    );
    return rows.map((r) => ({ period: r.period, value: String(r.n), rows: Number(r.n) }));
  }

  /** Facilities of the tiers in scope: members of the alliance on `on`, the facility itself, or the area's active facilities. */
  async facilitiesInScope(tiers: readonly FacilityTier[], scope: EvaluationScope, on: string): Promise<string[]> {
    const tierSql = sql`o.tier in (${sql.join(tiers.map((t) => sql`${t}`), sql`, `)})`;
    const where =
      scope.kind === 'facility' ? sql`o.id = ${scope.facilityId}`
      : scope.kind === 'alliance' ? memberOnSql(sql.raw('o.id'), sql`${on}::date`, scope.allianceId)
      : sql`o.active and ${areaSql(sql.raw('o.county_code'), scope.area)}`;
    const rows = await queryRows<{ id: string }>(this.db, sql`select o.id from organizations o where ${tierSql} and ${where} order by o.id`);
    return rows.map((r) => r.id);
  }

  /**
   * Stationed (派驻) physician roles overlapping [start, end] at the given facilities, or at grassroots facilities of an
   * area; optionally only physicians of the given titles whose home facility has one of the given tiers.
   */
  async stationedPhysicianRoles(
    at: { organizationIds: readonly string[] } | { area: AreaFilter; tiers: readonly FacilityTier[] },
    start: string,
    end: string,
    filter: { titles?: readonly PractitionerTitle[]; homeTiers?: readonly FacilityTier[] } = {},
  ) {
    const where: SQL[] = [sql`pr.kind = 'stationed'`, sql`p.profession = 'physician'`, sql`pr.valid_from <= ${end}::date`, sql`(pr.valid_to is null or pr.valid_to > ${start}::date)`];
    if ('organizationIds' in at) {
      if (at.organizationIds.length === 0) return [];
      where.push(sql`pr.organization_id in (${sql.join(at.organizationIds.map((id) => sql`${id}`), sql`, `)})`);
    } else {
      where.push(areaSql(sql.raw('o.county_code'), at.area), sql`o.tier in (${sql.join(at.tiers.map((t) => sql`${t}`), sql`, `)})`);
    }
    if (filter.titles) where.push(sql`p.title in (${sql.join(filter.titles.map((t) => sql`${t}`), sql`, `)})`);
    if (filter.homeTiers) where.push(sql`h.tier in (${sql.join(filter.homeTiers.map((t) => sql`${t}`), sql`, `)})`);
    return queryRows<{ practitionerId: string; organizationId: string; validFrom: string; validTo: string | null }>(
      this.db,
      sql`select pr.practitioner_id as "practitionerId", pr.organization_id as "organizationId", pr.valid_from::text as "validFrom", pr.valid_to::text as "validTo"
          from practitioner_roles pr
          join practitioners p on p.id = pr.practitioner_id
          join organizations o on o.id = pr.organization_id
          join organizations h on h.id = p.home_organization_id
          where ${and(...where)}
          order by pr.practitioner_id, pr.valid_from`,
    );
  }

  /** Patients registered in the master patient index with residence in the area. */
  async residents(area: AreaFilter): Promise<number> {
    const [row] = await queryRows<{ n: string | number }>(this.db, sql`select count(*) as n from patients where ${areaSql(sql.raw('county_code'), area)}`);
    return Number(row?.n ?? 0);
  }

  /** Every pre-aggregate row in key order (tests and diagnostics compare live and rebuilt tables with it). */
  async aggregateSnapshot(countyCode?: string) {
    return this.db
      .select()
      .from(activityDaily)
      .where(countyCode ? eq(activityDaily.countyCode, countyCode) : undefined)
      .orderBy(
        asc(activityDaily.countyCode), asc(activityDaily.day), asc(activityDaily.facilityId), asc(activityDaily.facilityCountyCode),
        asc(activityDaily.facilityTier), asc(activityDaily.class), asc(activityDaily.tcm), asc(activityDaily.insured), asc(activityDaily.pharmacy),
        asc(activityDaily.viaReferral),
      );
  }

  /** The fingerprint of `activity_daily` (see AggregateFingerprint); compared with the analytic store's by tests and the bench. */
  async aggregateFingerprint(): Promise<AggregateFingerprint> {
    const [row] = await queryRows<AggregateFingerprint>(
      this.db,
      sql`select count(*)::text as "rows", coalesce(sum(records), 0)::text as "records", coalesce(sum(discharges), 0)::text as "discharges",
            coalesce(sum((total_cost * 100)::bigint), 0)::text as "totalCostFen", coalesce(sum((fund_paid * 100)::bigint), 0)::text as "fundPaidFen",
            coalesce(sum(fund_records), 0)::text as "fundRecords",
            coalesce(sum(('x' || substr(md5(concat_ws('|', county_code, to_char(day, 'YYYY-MM-DD'), coalesce(facility_id, '-'), facility_county_code,
              coalesce(facility_tier, '-'), class, case when tcm then 't' else 'f' end, case when insured then 't' else 'f' end,
              case when pharmacy then 't' else 'f' end, case when via_referral then 't' else 'f' end, records, discharges,
              (total_cost * 100)::bigint, (fund_paid * 100)::bigint, fund_records)), 1, 15))::bit(60)::bigint), 0)::text as "rowHashSum"
          from activity_daily`,
    );
    return row!;
  }

  // -- the outbox feeding the analytic store (analytics/activity-analytics.feed.ts)

  /** The oldest outbox rows by id, payload as JSON text (handed to DuckDB unparsed). */
  async outboxBatch(limit: number): Promise<{ id: number; records: number; payload: string }[]> {
    const rows = await queryRows<{ id: string | number; records: number; payload: string }>(
      this.db,
      sql`select id, records, payload::text as payload from activity_outbox order by id limit ${limit}`,
    );
    return rows.map((r) => ({ id: Number(r.id), records: r.records, payload: r.payload }));
  }

  async deleteOutbox(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.execute(sql`delete from activity_outbox where id in (${sql.join(ids.map((id) => sql`${id}`), sql`, `)})`);
  }

  /** Which of the given outbox ids are still in PostgreSQL. */
  async outboxIdsAmong(ids: readonly number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const rows = await queryRows<{ id: string | number }>(this.db, sql`select id from activity_outbox where id in (${sql.join(ids.map((id) => sql`${id}`), sql`, `)})`);
    return rows.map((r) => Number(r.id));
  }

  async hasActivity(): Promise<boolean> {
    const [row] = await queryRows<{ any: boolean }>(this.db, sql`select exists (select 1 from activity_records) as any`);
    return row?.any === true;
  }

  /** The raw record count and the outbox rows, read in one snapshot (the analytic store's completeness check). */
  async recordsAndOutbox(): Promise<{ records: number; outbox: { id: number; records: number }[] }> {
    return this.db.transaction(
      async (t) => {
        const tx = t as unknown as Db;
        const [count] = await queryRows<{ n: string | number }>(tx, sql`select count(*) as n from activity_records`);
        const outbox = await queryRows<{ id: string | number; records: number }>(tx, sql`select id, records from activity_outbox`);
        return { records: Number(count?.n ?? 0), outbox: outbox.map((o) => ({ id: Number(o.id), records: Number(o.records) })) };
      },
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    );
  }

  async outboxBacklog(): Promise<{ rows: number; records: number }> {
    const [row] = await queryRows<{ rows: number; records: number }>(this.db, sql`select count(*)::int as rows, coalesce(sum(records), 0)::int as records from activity_outbox`);
    return row ?? { rows: 0, records: 0 };
  }

  /**
   * Reads every raw record, in id order and chunks, inside ONE repeatable-read transaction — so the records read and
   * the outbox ids returned describe the same instant: every outbox row visible then holds records that are in the
   * chunks (it was written by the statement that inserted them), and every row not visible holds records that are
   * not. `onChunk` receives each chunk in the outbox's payload format. Slow by nature (a full scan of the row store).
   * Keeps one connection for its whole duration (on PGlite: the only one), and `onChunk` must not touch PostgreSQL.
   */
  async readAllForResync(chunkSize: number, onChunk: (chunk: { payload: string; records: number }) => Promise<void>): Promise<{ records: number; outboxIds: number[] }> {
    return this.db.transaction(
      async (t) => {
        const tx = t as unknown as Db;
        let after = '';
        let records = 0;
        for (;;) {
          const [chunk] = await queryRows<{ payload: string | null; records: number; last: string | null }>(
            tx,
            sql`select json_agg(${outboxProjection} order by id)::text as payload, count(*)::int as records, max(id) as last
                from (select * from activity_records where id > ${after} order by id limit ${chunkSize}) r`,
          );
          if (!chunk || !chunk.last || !chunk.payload) break;
          await onChunk({ payload: chunk.payload, records: chunk.records });
          records += chunk.records;
          after = chunk.last;
          if (chunk.records < chunkSize) break;
        }
        const ids = await queryRows<{ id: string | number }>(tx, sql`select id from activity_outbox order by id`);
        return { records, outboxIds: ids.map((r) => Number(r.id)) };
      },
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    );
  }

  /**
   * The version of the alliance reference data the analytic store copies (alliances' kinds, membership periods): an
   * md5 over every row in id order, so any insert, closed period or deletion changes it. Tables of thousands of rows
   * (one membership per facility and period): a few milliseconds, cheaper than copying them on every evaluation.
   */
  async allianceReferenceVersion(): Promise<string> {
    const [row] = await queryRows<{ v: string }>(
      this.db,
      sql`select md5(coalesce((select string_agg(concat_ws('|', id, kind), ',' order by id) from alliances), '') || '#' ||
            coalesce((select string_agg(concat_ws('|', id, alliance_id, organization_id, role, valid_from::text, coalesce(valid_to::text, '-')), ',' order by id)
              from alliance_memberships), '')) as v`,
    );
    return row!.v;
  }

  /** The alliance reference rows the analytic store copies (see `allianceReferenceVersion`). */
  async allianceReference(): Promise<{
    alliances: { id: string; kind: string }[];
    memberships: { allianceId: string; organizationId: string; role: string; validFrom: string; validTo: string | null }[];
  }> {
    const alliances = await queryRows<{ id: string; kind: string }>(this.db, sql`select id, kind from alliances order by id`);
    const memberships = await queryRows<{ allianceId: string; organizationId: string; role: string; validFrom: string; validTo: string | null }>(
      this.db,
      sql`select alliance_id as "allianceId", organization_id as "organizationId", role, valid_from::text as "validFrom", valid_to::text as "validTo"
          from alliance_memberships order by id`,
    );
    return { alliances, memberships };
  }

  async countRecords(): Promise<number> {
    const [row] = await queryRows<{ n: number }>(this.db, sql`select count(*)::int as n from ${activityRecords}`);
    return row?.n ?? 0;
  }
}

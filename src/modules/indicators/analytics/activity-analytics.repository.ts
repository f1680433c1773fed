import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { ActivityTermSpec, IndicatorPeriod } from '../../../contracts/indicator.js';
import type { AggregateFingerprint, AreaFilter, Bucket } from '../indicators.repository.js';
import { OUTBOX_FIELDS, planApply, type OutboxEntry } from './activity-analytics.rules.js';

/**
 * The analytic store of the monitoring indicators: an embedded DuckDB file beside PostgreSQL (docs/indicators.md,
 * "Analytic store"). The only file that touches DuckDB — as repositories are the only files that touch PostgreSQL.
 *
 * Tables:
 * - `activity_raw`: the projection of every raw record that the daily aggregate needs (columnar: ~11 bytes a record
 *   where PostgreSQL's row store with its indexes takes ~490);
 * - `activity_daily`: the aggregate at exactly PostgreSQL's `activity_daily` grain, money in fen;
 * - `applied_outbox`: ids of PostgreSQL outbox rows applied here and not yet deleted there — written in the same DuckDB
 *   transaction as the rows they carried, which is what makes the feed exactly-once (activity-analytics.feed.ts);
 * - `store_state`: whether the store has been filled from PostgreSQL once (a new file starts empty), and the version of
 *   the reference tables;
 * - `ref_alliances`, `ref_alliance_memberships`: copies of PostgreSQL's alliances (id, kind) and membership periods,
 *   for "leads a county community or city group on the event's day" (`replaceReference`).
 *
 * One connection, and every operation runs alone (`exclusive`): DuckDB's transactions are per connection, and an
 * explicit BEGIN … COMMIT interleaved with another caller's statements on the same connection would swallow them.
 */
export interface AnalyticsStoreOptions {
  /** A DuckDB file (`<dataDir>/analytics/activity.duckdb`), or `:memory:` (tests). */
  path: string;
  threads?: number;
  /** DuckDB's memory_limit (it spills to `<file>.tmp` beyond it). */
  memoryLimit?: string;
}

const KEY = 'county_code, day, facility_id, facility_county_code, facility_tier, class, tcm, insured, pharmacy, via_referral';

const DDL = [
  `create table if not exists activity_raw (
    record_id varchar not null, county_code varchar not null, start_date date not null, end_date date, facility_id varchar,
    facility_county_code varchar not null, facility_tier varchar, class varchar not null, tcm boolean not null, insured boolean not null,
    pharmacy boolean not null, via_referral boolean not null, total_cost_fen bigint not null, fund_paid_fen bigint)`,
  `create table if not exists activity_daily (
    county_code varchar not null, day date not null, facility_id varchar, facility_county_code varchar not null, facility_tier varchar,
    class varchar not null, tcm boolean not null, insured boolean not null, pharmacy boolean not null, via_referral boolean not null,
    records bigint not null, discharges bigint not null, total_cost_fen bigint not null, fund_paid_fen bigint not null, fund_records bigint not null)`,
  'create table if not exists applied_outbox (outbox_id bigint primary key)',
  'create table if not exists store_state (key varchar primary key, value varchar not null)',
  'create table if not exists ref_alliances (id varchar primary key, kind varchar not null)',
  `create table if not exists ref_alliance_memberships (
    alliance_id varchar not null, organization_id varchar not null, role varchar not null, valid_from date not null, valid_to date)`,
];

/** The reference rows copied from PostgreSQL (see `ActivityAnalyticsStore.replaceReference`). */
export interface AllianceReference {
  alliances: readonly { id: string; kind: string }[];
  memberships: readonly { allianceId: string; organizationId: string; role: string; validFrom: string; validTo: string | null }[];
}

/** DuckDB's spelling of PostgreSQL's `periodSql` (indicators.repository.ts): the same labels, `YYYY`, `YYYY-Qn`, `YYYY-MM`. */
function periodLabelSql(period: IndicatorPeriod, day: string): string {
  if (period === 'year') return `strftime(${day}, '%Y')`;
  if (period === 'quarter') return `(strftime(${day}, '%Y') || '-Q' || quarter(${day})::varchar)`;
  return `strftime(${day}, '%Y-%m')`;
}

/**
 * DuckDB's spelling of `IndicatorRepository.sumActivity` for an area (a county, city or province): the same
 * predicates over the aggregate at the same grain, so the same sums. Money stays in integer fen here (PostgreSQL sums
 * yuan as numeric and the service converts: both exact). Values are bound as parameters.
 */
export function sumActivityTermSql(term: ActivityTermSpec, area: AreaFilter, period: IndicatorPeriod, start: string, end: string): { sql: string; params: string[] } {
  const params: string[] = [];
  const p = (v: string) => {
    params.push(v);
    return `$${params.length}`;
  };
  // Division codes are digits, so a prefix test is PostgreSQL's `like 'code%'`.
  const inArea = (col: string) => (area.exact ? `${col} = ${p(area.code)}` : `starts_with(${col}, ${p(area.code)})`);
  const conds = [`a.day between ${p(start)}::date and ${p(end)}::date`];
  if (term.population === 'residents') conds.push(inArea('a.county_code'));
  if (term.facilities === 'scope') conds.push(inArea('a.facility_county_code'));
  else if (term.facilities === 'home') conds.push('a.facility_county_code = a.county_code');
  if (term.classes?.length) conds.push(`a.class in (${term.classes.map(p).join(', ')})`);
  if (term.tiers?.length) conds.push(`a.facility_tier in (${term.tiers.map(p).join(', ')})`);
  if (term.insuredOnly) conds.push('a.insured');
  if (term.excludePharmacy) conds.push('not a.pharmacy');
  if (term.tcmOnly) conds.push('a.tcm');
  if (term.leadOnly) {
    conds.push(`exists (select 1 from ref_alliance_memberships m join ref_alliances al on al.id = m.alliance_id
      where m.organization_id = a.facility_id and m.role = 'lead' and al.kind in ('county-community', 'city-group')
      and m.valid_from <= a.day and (m.valid_to is null or m.valid_to > a.day))`);
  }
  const measure = { records: 'records', discharges: 'discharges', totalCost: 'total_cost_fen', fundPaid: 'fund_paid_fen' }[term.measure];
  const rowsOf = { records: 'records', discharges: 'discharges', totalCost: 'records', fundPaid: 'fund_records' }[term.measure];
  return {
    sql: `select ${periodLabelSql(period, 'a.day')} as period, sum(a.${measure})::varchar as value, sum(a.${rowsOf})::bigint as rows
      from activity_daily a where ${conds.join(' and ')} group by 1`,
    params,
  };
}

/**
 * The same GROUP BY as PostgreSQL's `aggregateSelect` (indicators.repository.ts), over a DuckDB table of raw
 * projections: a record counts on its start day; a stay with a discharge date also counts one discharge on that day.
 */
export function dailyAggregateSql(source: string): string {
  return `select ${KEY},
      sum(records)::bigint as records, sum(discharges)::bigint as discharges, sum(total_cost_fen)::bigint as total_cost_fen,
      sum(fund_paid_fen)::bigint as fund_paid_fen, sum(fund_records)::bigint as fund_records
    from (
      select county_code, start_date as day, facility_id, facility_county_code, facility_tier, class, tcm, insured, pharmacy, via_referral,
        1 as records, 0 as discharges, total_cost_fen, coalesce(fund_paid_fen, 0) as fund_paid_fen, (fund_paid_fen is not null)::int as fund_records
      from ${source}
      union all
      select county_code, end_date, facility_id, facility_county_code, facility_tier, class, tcm, insured, pharmacy, via_referral, 0, 1, 0, 0, 0
      from ${source} where class = 'inpatient' and end_date is not null
    ) e
    group by ${KEY}`;
}

/**
 * Reads one payload (a JSON array of the records' arrays in `OUTBOX_FIELDS` order, see `outboxProjection` in the
 * repository) into rows of `activity_raw`. A row of the wrong length stops the statement (and so its transaction).
 */
const ingestPayloadSql = (target: string): string => {
  const at = (i: number) => `r[${i + 1}]`;
  const cast: Record<(typeof OUTBOX_FIELDS)[number], string> = {
    record_id: '', county_code: '', start_date: '::date', end_date: '::date', facility_id: '', facility_county_code: '', facility_tier: '',
    class: '', tcm: '::boolean', insured: '::boolean', pharmacy: '::boolean', via_referral: '::boolean', total_cost_fen: '::bigint', fund_paid_fen: '::bigint',
  };
  const cols = OUTBOX_FIELDS.map((f, i) => (i === 0 ? `case when len(r) = ${OUTBOX_FIELDS.length} then ${at(i)} else error('outbox payload: a record of the wrong length') end` : `${at(i)}${cast[f]}`));
  return `insert into ${target} (${OUTBOX_FIELDS.join(', ')}) select ${cols.join(', ')} from (select unnest(from_json($1::json, '[["VARCHAR"]]')) as r)`;
};

/** The canonical row text hashed for the fingerprint — byte for byte the text `IndicatorRepository.aggregateFingerprint` hashes. */
const ROW_TEXT = `concat_ws('|', county_code, strftime(day, '%Y-%m-%d'), coalesce(facility_id, '-'), facility_county_code, coalesce(facility_tier, '-'), class,
  case when tcm then 't' else 'f' end, case when insured then 't' else 'f' end, case when pharmacy then 't' else 'f' end,
  case when via_referral then 't' else 'f' end, records, discharges, total_cost_fen, fund_paid_fen, fund_records)`;

export class ActivityAnalyticsStore {
  private instance: DuckDBInstance | null = null;
  private opening: Promise<DuckDBConnection> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly opts: AnalyticsStoreOptions) {}

  get location(): string {
    return this.opts.path;
  }

  /** True once something has opened the store (it opens on first use and stays open until `close`). */
  get opened(): boolean {
    return this.opening !== null;
  }

  /** Runs `fn` alone on the store's one connection, opening the store on first use. */
  private exclusive<T>(fn: (con: DuckDBConnection) => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      if (this.closed) throw new Error('the analytic store is closed');
      return fn(await this.connection());
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private connection(): Promise<DuckDBConnection> {
    if (!this.opening) {
      this.opening = (async () => {
        if (this.opts.path !== ':memory:') mkdirSync(path.dirname(this.opts.path), { recursive: true });
        // DuckDB's library (~25 MB resident once loaded) comes in with the first use of the store, not at start-up.
        const { DuckDBInstance } = await import('@duckdb/node-api');
        const instance = await DuckDBInstance.create(this.opts.path, {
          threads: String(this.opts.threads ?? 2),
          memory_limit: this.opts.memoryLimit ?? '1GB',
          // Sums do not care about order; without it large CREATE TABLE AS … GROUP BY use far less memory.
          preserve_insertion_order: 'false',
        });
        try {
          const con = await instance.connect();
          for (const ddl of DDL) await con.run(ddl);
          this.instance = instance;
          return con;
        } catch (e) {
          instance.closeSync();
          throw e;
        }
      })();
      // A failed open (file locked by another process, disk full) is retried by the next caller.
      this.opening.catch(() => (this.opening = null));
    }
    return this.opening;
  }

  private static async inTransaction<T>(con: DuckDBConnection, fn: () => Promise<T>): Promise<T> {
    await con.run('begin transaction');
    try {
      const r = await fn();
      await con.run('commit');
      return r;
    } catch (e) {
      await con.run('rollback').catch(() => undefined);
      throw e;
    }
  }

  async isInitialised(): Promise<boolean> {
    return this.exclusive(async (con) => {
      const r = await con.runAndReadAll(`select count(*)::int as n from store_state where key = 'initialised'`);
      return Number(r.getRowObjectsJS()[0]?.n ?? 0) > 0;
    });
  }

  async markInitialised(at: Date): Promise<void> {
    await this.exclusive((con) => con.run(`insert or replace into store_state values ('initialised', $1)`, [at.toISOString()]).then(() => undefined));
  }

  /**
   * Applies outbox rows: in ONE DuckDB transaction, the rows whose ids are not yet in `applied_outbox` are appended to
   * `activity_raw`, added to `activity_daily`, and their ids recorded in `applied_outbox`. So an outbox row is either
   * wholly applied and remembered, or not at all; a row already applied (the PostgreSQL delete after an earlier
   * commit did not happen) is skipped. The record count of each payload must match the outbox row's, or nothing is
   * applied.
   */
  async apply(entries: readonly OutboxEntry[]): Promise<{ applied: number[]; skipped: number[]; records: number }> {
    if (entries.length === 0) return { applied: [], skipped: [], records: 0 };
    return this.exclusive((con) =>
      ActivityAnalyticsStore.inTransaction(con, async () => {
        const ids = entries.map((e) => e.id);
        const seen = await con.runAndReadAll(`select outbox_id from applied_outbox where outbox_id in (${ids.map((id) => String(id)).join(', ')})`);
        const plan = planApply(entries, new Set(seen.getRowObjectsJS().map((r) => Number(r.outbox_id))));
        if (plan.toApply.length === 0) return { applied: [], skipped: plan.skipped, records: 0 };
        await con.run(`create or replace temp table batch_raw as select * from activity_raw limit 0`);
        for (const e of plan.toApply) await con.run(ingestPayloadSql('batch_raw'), [e.payload]);
        const n = Number((await con.runAndReadAll('select count(*)::bigint as n from batch_raw')).getRowObjectsJS()[0]?.n ?? 0);
        if (n !== plan.records) throw new Error(`outbox rows ${plan.toApply.map((e) => e.id).join(', ')}: ${n} records read, ${plan.records} announced`);
        await con.run('insert into activity_raw select * from batch_raw');
        await con.run(`merge into activity_daily d using (${dailyAggregateSql('batch_raw')}) g
          on ${KEY.split(', ').map((k) => `d.${k} is not distinct from g.${k}`).join(' and ')}
          when matched then update set records = d.records + g.records, discharges = d.discharges + g.discharges,
            total_cost_fen = d.total_cost_fen + g.total_cost_fen, fund_paid_fen = d.fund_paid_fen + g.fund_paid_fen, fund_records = d.fund_records + g.fund_records
          when not matched then insert (${KEY}, records, discharges, total_cost_fen, fund_paid_fen, fund_records)
            values (g.county_code, g.day, g.facility_id, g.facility_county_code, g.facility_tier, g.class, g.tcm, g.insured, g.pharmacy, g.via_referral,
              g.records, g.discharges, g.total_cost_fen, g.fund_paid_fen, g.fund_records)`);
        await con.run(`insert into applied_outbox values ${plan.toApply.map((e) => `(${e.id})`).join(', ')}`);
        await con.run('drop table batch_raw');
        return { applied: plan.toApply.map((e) => e.id), skipped: plan.skipped, records: plan.records };
      }),
    );
  }

  /** Forgets applied ids once PostgreSQL has deleted their outbox rows (ids are never reused, so they cannot return). */
  async forgetApplied(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.exclusive((con) => con.run(`delete from applied_outbox where outbox_id in (${ids.map((id) => String(id)).join(', ')})`).then(() => undefined));
  }

  /** Ids remembered as applied (after a crash: rows whose PostgreSQL delete is still owed). */
  async appliedIds(): Promise<number[]> {
    return this.exclusive(async (con) =>
      (await con.runAndReadAll('select outbox_id from applied_outbox order by outbox_id')).getRowObjectsJS().map((r) => Number(r.outbox_id)),
    );
  }

  /**
   * Recomputes `activity_daily` from `activity_raw` with one GROUP BY and swaps it in atomically (CREATE OR REPLACE is
   * one transaction: readers see the old table or the new one). The feed waits meanwhile (one connection).
   */
  async rebuildDaily(): Promise<{ records: number; aggregateRows: number }> {
    return this.exclusive(async (con) => {
      await con.run(`create or replace table activity_daily as ${dailyAggregateSql('activity_raw')}`);
      const r = (await con.runAndReadAll('select (select count(*) from activity_raw)::bigint as records, (select count(*) from activity_daily)::bigint as rows')).getRowObjectsJS()[0]!;
      return { records: Number(r.records), aggregateRows: Number(r.rows) };
    });
  }

  /** The fingerprint of DuckDB's `activity_daily`, comparable with `IndicatorRepository.aggregateFingerprint`. */
  async fingerprint(): Promise<AggregateFingerprint> {
    return this.exclusive(async (con) => {
      const r = (await con.runAndReadAll(`select count(*)::varchar as rows, coalesce(sum(records), 0)::varchar as records,
          coalesce(sum(discharges), 0)::varchar as discharges, coalesce(sum(total_cost_fen), 0)::varchar as total_cost_fen,
          coalesce(sum(fund_paid_fen), 0)::varchar as fund_paid_fen, coalesce(sum(fund_records), 0)::varchar as fund_records,
          coalesce(sum(('0x' || substr(md5(${ROW_TEXT}), 1, 15))::bigint), 0)::varchar as row_hash_sum
        from activity_daily`)).getRowObjectsJS()[0]!;
      return {
        rows: String(r.rows), records: String(r.records), discharges: String(r.discharges), totalCostFen: String(r.total_cost_fen),
        fundPaidFen: String(r.fund_paid_fen), fundRecords: String(r.fund_records), rowHashSum: String(r.row_hash_sum),
      };
    });
  }

  /** Records counted in DuckDB's aggregate (cheap: one column's sum; the bench polls it for the lag). */
  async aggregateRecords(): Promise<number> {
    return this.exclusive(async (con) => Number((await con.runAndReadAll('select coalesce(sum(records), 0)::bigint as n from activity_daily')).getRowObjectsJS()[0]?.n ?? 0));
  }

  async counts(): Promise<{ records: number; aggregateRows: number; appliedOutbox: number }> {
    return this.exclusive(async (con) => {
      const r = (await con.runAndReadAll(`select (select count(*) from activity_raw)::bigint as records, (select count(*) from activity_daily)::bigint as rows,
          (select count(*) from applied_outbox)::bigint as applied`)).getRowObjectsJS()[0]!;
      return { records: Number(r.records), aggregateRows: Number(r.rows), appliedOutbox: Number(r.applied) };
    });
  }

  /**
   * Refills the store from PostgreSQL's raw records (disaster recovery: a lost or stale DuckDB file). `read` streams
   * the records of one consistent PostgreSQL snapshot, chunk by chunk, and returns the outbox ids visible in that
   * snapshot (their records are among the chunks). The chunks go to a side table; then ONE transaction replaces
   * `activity_raw` by it, recomputes `activity_daily`, and records exactly those outbox ids as applied (outbox rows
   * committed after the snapshot hold records that are not in it, and are drained as usual). Nothing is lost or
   * counted twice; the feed waits meanwhile.
   */
  async replaceFrom(
    read: (ingest: (chunk: { payload: string; records: number }) => Promise<void>) => Promise<{ records: number; outboxIds: number[] }>,
    at: Date,
  ): Promise<{ records: number; aggregateRows: number; outboxIds: number[] }> {
    return this.exclusive(async (con) => {
      await con.run('create or replace table activity_raw_resync as select * from activity_raw limit 0');
      const snapshot = await read(async (chunk) => {
        await con.run(ingestPayloadSql('activity_raw_resync'), [chunk.payload]);
      });
      const got = Number((await con.runAndReadAll('select count(*)::bigint as n from activity_raw_resync')).getRowObjectsJS()[0]?.n ?? 0);
      if (got !== snapshot.records) throw new Error(`resync: ${got} records read into DuckDB, ${snapshot.records} in PostgreSQL's snapshot`);
      return ActivityAnalyticsStore.inTransaction(con, async () => {
        await con.run('drop table activity_raw');
        await con.run('alter table activity_raw_resync rename to activity_raw');
        await con.run(`create or replace table activity_daily as ${dailyAggregateSql('activity_raw')}`);
        await con.run('delete from applied_outbox');
        if (snapshot.outboxIds.length) await con.run(`insert into applied_outbox values ${snapshot.outboxIds.map((id) => `(${id})`).join(', ')}`);
        await con.run(`insert or replace into store_state values ('initialised', $1)`, [at.toISOString()]);
        const rows = Number((await con.runAndReadAll('select count(*)::bigint as n from activity_daily')).getRowObjectsJS()[0]?.n ?? 0);
        return { records: got, aggregateRows: rows, outboxIds: snapshot.outboxIds };
      });
    });
  }

  /** One activity term per period over DuckDB's aggregate (see `sumActivityTermSql`); money in fen. */
  async sumActivityTerm(term: ActivityTermSpec, area: AreaFilter, period: IndicatorPeriod, start: string, end: string): Promise<Bucket[]> {
    const q = sumActivityTermSql(term, area, period, start, end);
    return this.exclusive(async (con) =>
      (await con.runAndReadAll(q.sql, q.params)).getRowObjectsJS().map((r) => ({ period: String(r.period), value: r.value === null ? '0' : String(r.value), rows: Number(r.rows ?? 0) })),
    );
  }

  /** The version of the reference tables copied last (null: never copied). */
  async referenceVersion(): Promise<string | null> {
    return this.exclusive(async (con) => {
      const r = (await con.runAndReadAll(`select value from store_state where key = 'reference_version'`)).getRowObjectsJS()[0];
      return r ? String(r.value) : null;
    });
  }

  /** Replaces the reference tables and their version in one transaction (readers see the old copy or the new one). */
  async replaceReference(version: string, ref: AllianceReference): Promise<void> {
    await this.exclusive((con) =>
      ActivityAnalyticsStore.inTransaction(con, async () => {
        await con.run('delete from ref_alliances');
        await con.run('delete from ref_alliance_memberships');
        if (ref.alliances.length) {
          await con.run(`insert into ref_alliances select r[1], r[2] from (select unnest(from_json($1::json, '[["VARCHAR"]]')) as r)`, [
            JSON.stringify(ref.alliances.map((a) => [a.id, a.kind])),
          ]);
        }
        if (ref.memberships.length) {
          await con.run(
            `insert into ref_alliance_memberships select r[1], r[2], r[3], r[4]::date, r[5]::date from (select unnest(from_json($1::json, '[["VARCHAR"]]')) as r)`,
            [JSON.stringify(ref.memberships.map((m) => [m.allianceId, m.organizationId, m.role, m.validFrom, m.validTo]))],
          );
        }
        await con.run(`insert or replace into store_state values ('reference_version', $1)`, [version]);
      }),
    );
  }

  /** Writes DuckDB's WAL into the file (after a bulk load; DuckDB also does it by itself past a WAL size). */
  async checkpoint(): Promise<void> {
    await this.exclusive((con) => con.run('checkpoint').then(() => undefined));
  }

  /** Closes the store after the operation in progress. */
  async close(): Promise<void> {
    await this.queue;
    if (this.closed) return;
    this.closed = true;
    if (this.opening) {
      const con = await this.opening.catch(() => null);
      con?.closeSync();
    }
    this.instance?.closeSync();
    this.instance = null;
  }
}

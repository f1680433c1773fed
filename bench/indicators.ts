/**
 * `npm run bench -- indicators`: the monitoring indicators at province scale (issue 4, item 7), on PostgreSQL.
 *
 * 1. A synthetic province (`syntheticProvince`: N counties of M residents; their divisions and facilities are inserted
 *    first) is generated with `generateProvinceActivity` (streaming, deterministic) and streamed into Yilian's store
 *    through `ActivityBulkLoader` (chunks as column arrays; INSERT … ON CONFLICT DO NOTHING + the live aggregate in one
 *    statement, as the API path) — and, in the same pass, into DuckDB with its Appender. Before it, the first
 *    BENCH_API_SAMPLE records go through the product's API path (`recordActivities`, batches of 1,000); the bulk pass
 *    then meets them again and must insert them zero times (exactly once per source record).
 * 2. DuckDB computes four indicators by county and month (median of 3, after one warm-up run); Yilian's `evaluate` must give the same
 *    numerators and denominators for sampled counties (all months).
 * 2a'. The product's analytic store (src/modules/indicators/analytics/): the outbox written by every load statement is
 *    drained into the store's DuckDB file by its drainer during the load (woken by each chunk); after the load, the
 *    backlog left, the tail drain, exactly-once (DuckDB's records = PostgreSQL's) and its aggregate's fingerprint =
 *    PostgreSQL's `activity_daily`.
 * 3. Yilian's full `rebuild()`, timed, ÷ DuckDB's time; the aggregate must be the same before and after.
 *    3b. The product's `rebuildAnalytics()` (median of 3) ÷ DuckDB's indicator query — the issue's ratio — and its
 *    fingerprint = PostgreSQL's.
 * 4. Prototypes toward the aim (BENCH_PROTOTYPES=1): rebuild per county on parallel connections; PostgreSQL's
 *    new aggregate table built by CREATE TABLE AS + bulk index builds (the swap a rebuild could do); DuckDB computing
 *    the whole daily aggregate (a rebuild on an embedded DuckDB beside PostgreSQL), checked against PostgreSQL's;
 *    rebuild() again with work_mem = BENCH_REBUILD_WORK_MEM (1GB) for its sessions.
 * 5. Update lag: a new visit through HTTP (`POST /api/v1/activities/$batch` on a server started here) until the
 *    dashboard's figure (`GET /api/v1/indicators/county-visit-rate/values`) changes; and through the service; and
 *    from `recordActivities` until the analytic store's aggregate counts it. The server reopens the same DuckDB file.
 *
 * Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), BENCH_COUNTIES (100),
 * BENCH_RESIDENTS_PER_COUNTY (400,000), BENCH_SEED (2026), BENCH_YEAR (2025), BENCH_CHUNK (10,000 rows a statement),
 * BENCH_LOAD_CONNECTIONS (2 statements in flight), BENCH_API_SAMPLE (200,000), BENCH_LAG_TRIALS (10), BENCH_HTTP (1), BENCH_PROTOTYPES (1), BENCH_PG_REBUILD (1), BENCH_MIN_FREE_GB (15: the
 * load stops early, and says so, when the disk of the temp dir has less free), BENCH_TMPDIR (DuckDB's directory),
 * BENCH_DUCKDB_ONLY=1 (only the DuckDB reference on the same events: no PostgreSQL load, rebuild or lag).
 * Prints one JSON line per figure; progress goes to stderr.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, statfsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { DuckDBDateValue, DuckDBInstance, type DuckDBAppender, type DuckDBConnection } from './duckdb.js';
import { createScratchDatabase } from '../src/db/scratch-database.js';
import { createDatabase, queryRows, type Database } from '../src/db/client.js';
import { ensureBaseData } from '../src/db/seed/index.js';
import { divisions, organizations } from '../src/db/schema/index.js';
import { buildServices } from '../src/http/deps.js';
import { loadConfig } from '../src/config/env.js';
import { systemClock } from '../src/shared/clock.js';
import type { RequestContext } from '../src/shared/context.js';
import type { ActivityInput } from '../src/contracts/activity.js';
import { grassrootsTiers } from '../src/contracts/codes.js';
import { ActivityBulkLoader, generateProvinceActivity, syntheticProvince, yuanToFen, type ActivityAnalyticsFeed } from '../src/modules/indicators/index.js';
import { aggregateColumns, aggregateSelect, type ActivityRow } from '../src/modules/indicators/indicators.repository.js';

const repo = path.resolve(import.meta.dirname, '..');
const DEFAULT_PG = 'postgres://postgres@127.0.0.1:5432/test';
const INDICATORS = ['county-visit-rate', 'grassroots-visit-share', 'in-county-admission-share', 'in-county-fund-share'] as const;
type Indicator = (typeof INDICATORS)[number];

const num = (name: string, fallback: number): number => {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, not ${v}`);
  return n;
};
const r1 = (x: number): number => +x.toFixed(1);
const r2 = (x: number): number => +x.toFixed(2);
const r3 = (x: number): number => +x.toFixed(3);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const log = (msg: string) => process.stderr.write(`# ${new Date().toISOString().slice(11, 19)} ${msg}\n`);
const freeGb = (dir: string): number => {
  const s = statfsSync(dir);
  return (s.bavail * s.bsize) / 2 ** 30;
};
const rssMbOf = (pid: number): number => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
};

// ---- the synthetic province's divisions and facilities (the platform must know them to accept the records)

export async function registerProvince(database: Database, province: ReturnType<typeof syntheticProvince>): Promise<{ facilities: number; divisions: number }> {
  const divs = new Map<string, typeof divisions.$inferInsert>();
  const add = (code: string, level: 'province' | 'city' | 'county' | 'township' | 'village', parentCode: string | null, countyCode: string | null) => {
    if (!divs.has(code)) divs.set(code, { code, name: `合成${code}`, level, parentCode, fullName: `合成省 ${code}`, countyCode });
  };
  const pp = province.counties[0]!.countyCode.slice(0, 2);
  add(`${pp}0000`, 'province', null, null);
  const orgs = new Map<string, typeof organizations.$inferInsert>();
  for (const c of province.counties) {
    add(c.cityCode, 'city', `${pp}0000`, null);
    add(c.countyCode, 'county', c.cityCode, c.countyCode);
    for (const f of c.facilities) {
      const county = f.countyCode;
      if (f.divisionCode.length === 6) add(county, 'county', `${county.slice(0, 4)}00`, county);
      else if (f.divisionCode.length === 9) add(f.divisionCode, 'township', county, county);
      else {
        add(f.divisionCode.slice(0, 9), 'township', county, county);
        add(f.divisionCode, 'village', f.divisionCode.slice(0, 9), county);
      }
      if (!orgs.has(f.id)) orgs.set(f.id, { id: f.id, identifier: f.id, identifierKind: 'local', name: f.id, tier: f.tier, divisionCode: f.divisionCode, countyCode: county });
    }
  }
  // Cities of the above-county facilities may have no synthetic county of their own (not with these codes, but cheap).
  for (const d of [...divs.values()]) if (d.parentCode && !divs.has(d.parentCode) && d.level === 'county') add(d.parentCode, 'city', `${pp}0000`, null);
  const all = [...divs.values()];
  for (let i = 0; i < all.length; i += 2000) await database.db.insert(divisions).values(all.slice(i, i + 2000)).onConflictDoNothing();
  const os_ = [...orgs.values()];
  for (let i = 0; i < os_.length; i += 2000) await database.db.insert(organizations).values(os_.slice(i, i + 2000));
  return { facilities: os_.length, divisions: all.length };
}

// ---- DuckDB: the same events, columnar

const DUCK_TABLE = `create table raw_events (
  county_code varchar, facility_id varchar, facility_county_code varchar, facility_tier varchar, class varchar,
  tcm boolean, insured boolean, pharmacy boolean, via_referral boolean, start_date date, end_date date,
  total_cost_fen bigint, fund_paid_fen bigint)`;

const dayCache = new Map<string, DuckDBDateValue>();
const duckDate = (iso: string): DuckDBDateValue => {
  let v = dayCache.get(iso);
  if (!v) {
    v = new DuckDBDateValue(Date.UTC(+iso.slice(0, 4), +iso.slice(5, 7) - 1, +iso.slice(8, 10)) / 86_400_000);
    dayCache.set(iso, v);
  }
  return v;
};

function appendRows(a: DuckDBAppender, rows: readonly ActivityRow[]): void {
  for (const r of rows) {
    a.appendVarchar(r.county_code);
    if (r.facility_id === null) a.appendNull();
    else a.appendVarchar(r.facility_id);
    a.appendVarchar(r.facility_county_code);
    if (r.facility_tier === null) a.appendNull();
    else a.appendVarchar(r.facility_tier);
    a.appendVarchar(r.class);
    a.appendBoolean(r.tcm);
    a.appendBoolean(r.insured);
    a.appendBoolean(r.pharmacy);
    a.appendBoolean(r.via_referral);
    a.appendDate(duckDate(r.start_date));
    if (r.end_date === null) a.appendNull();
    else a.appendDate(duckDate(r.end_date));
    a.appendBigInt(BigInt(yuanToFen(r.total_cost)));
    if (r.fund_paid === null) a.appendNull();
    else a.appendBigInt(BigInt(yuanToFen(r.fund_paid)));
    a.endRow();
  }
}

const grassIn = grassrootsTiers.map((t) => `'${t}'`).join(', ');
/** The four indicators by county and month, as numerators and denominators (money in fen), from the raw events. */
const DUCK_INDICATORS = `
with res as (
  select county_code as county, date_trunc('month', start_date) as m,
    count(*) filter (where not pharmacy and facility_county_code = county_code) as cvr_num,
    count(*) filter (where not pharmacy) as cvr_den,
    count(*) filter (where class = 'inpatient' and insured and facility_county_code = county_code) as adm_num,
    count(*) filter (where class = 'inpatient' and insured) as adm_den,
    coalesce(sum(fund_paid_fen) filter (where insured and not pharmacy and facility_county_code = county_code), 0) as fund_num,
    coalesce(sum(fund_paid_fen) filter (where insured and not pharmacy), 0) as fund_den
  from raw_events group by all
), fac as (
  select facility_county_code as county, date_trunc('month', start_date) as m,
    count(*) filter (where facility_tier in (${grassIn})) as gr_num, count(*) as gr_den
  from raw_events where class = 'outpatient' and not pharmacy group by all
)
select county, strftime(m, '%Y-%m') as month, cvr_num, cvr_den, gr_num, gr_den, adm_num, adm_den, fund_num, fund_den
from res full join fac using (county, m) order by county, month`;

/** The whole daily pre-aggregate (the grain of activity_daily), computed by DuckDB: what a DuckDB-side rebuild does. */
const DUCK_DAILY = `
create or replace table daily as
select county_code, day, facility_id, facility_county_code, facility_tier, class, tcm, insured, pharmacy, via_referral,
  sum(records)::int as records, sum(discharges)::int as discharges, sum(total_cost_fen) as total_cost_fen, sum(fund_fen) as fund_paid_fen,
  sum(fund_records)::int as fund_records
from (
  select county_code, start_date as day, facility_id, facility_county_code, facility_tier, class, tcm, insured, pharmacy, via_referral,
    1 as records, 0 as discharges, total_cost_fen, coalesce(fund_paid_fen, 0) as fund_fen, (fund_paid_fen is not null)::int as fund_records
  from raw_events
  union all
  select county_code, end_date, facility_id, facility_county_code, facility_tier, class, tcm, insured, pharmacy, via_referral, 0, 1, 0, 0, 0
  from raw_events where class = 'inpatient' and end_date is not null
) e
group by all`;

type Figures = Record<Indicator, { num: number; den: number }>;

async function duckIndicators(con: DuckDBConnection): Promise<{ ms: number; byKey: Map<string, Figures>; rows: number }> {
  const t = performance.now();
  const reader = await con.runAndReadAll(DUCK_INDICATORS);
  const ms = performance.now() - t;
  const byKey = new Map<string, Figures>();
  for (const row of reader.getRowObjects()) {
    const n = (k: string) => Number(row[k] ?? 0);
    byKey.set(`${String(row.county)}|${String(row.month)}`, {
      'county-visit-rate': { num: n('cvr_num'), den: n('cvr_den') },
      'grassroots-visit-share': { num: n('gr_num'), den: n('gr_den') },
      'in-county-admission-share': { num: n('adm_num'), den: n('adm_den') },
      'in-county-fund-share': { num: n('fund_num'), den: n('fund_den') },
    });
  }
  return { ms, byKey, rows: byKey.size };
}

// ---- PostgreSQL helpers

/** Order-independent fingerprint of the whole aggregate: equal fingerprints ⇔ (with overwhelming probability) equal tables. */
async function aggregateFingerprint(database: Database): Promise<string> {
  const [r] = await queryRows<{ f: string }>(
    database.db,
    sql`select count(*) || ':' || coalesce(sum(records), 0) || ':' || coalesce(sum(discharges), 0) || ':' || coalesce(sum(total_cost), 0) || ':' ||
          coalesce(sum(fund_paid), 0) || ':' || coalesce(sum(fund_records), 0) || ':' || coalesce(sum(hashtext(a::text)::bigint), 0) as f
        from activity_daily a`,
  );
  return r!.f;
}

async function sizes(database: Database) {
  const [r] = await queryRows<{ db: string; raw: string; daily: string; raw_heap: string; daily_rows: string; raw_rows: string }>(
    database.db,
    sql`select pg_database_size(current_database())::text as db, pg_total_relation_size('activity_records')::text as raw,
          pg_relation_size('activity_records')::text as raw_heap, pg_total_relation_size('activity_daily')::text as daily,
          (select count(*) from activity_daily)::text as daily_rows, (select count(*) from activity_records)::text as raw_rows`,
  );
  const gb = (s: string) => r2(Number(s) / 2 ** 30);
  return {
    pgDatabaseGb: gb(r!.db), activityRecordsGb: gb(r!.raw), activityRecordsHeapGb: gb(r!.raw_heap), activityDailyGb: gb(r!.daily),
    activityRecordsRows: Number(r!.raw_rows), activityDailyRows: Number(r!.daily_rows),
  };
}

// ---- the server (for the HTTP lag)

async function startServer(databaseUrl: string, port: number, dataDir: string): Promise<{ child: ChildProcess; base: string }> {
  const base = `http://127.0.0.1:${port}`;
  if (await fetch(`${base}/fhir/metadata`).then(() => true, () => false)) throw new Error(`port ${port} is in use: set BENCH_PORT`);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: repo,
    env: { ...process.env, PORT: String(port), DATABASE_URL: databaseUrl, YILIAN_SEED_DEMO: 'false', YILIAN_ADMIN_PASSWORD: 'bench-admin-pass', LOG_LEVEL: 'warn', YILIAN_DATA_DIR: dataDir },
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    if (i > 1200) throw new Error('server did not start in 120 s');
    if (await fetch(`${base}/fhir/metadata`).then((r) => r.ok, () => false)) return { child, base };
    await sleep(100);
  }
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  process.kill(-child.pid!, 'SIGTERM');
  await exited;
}

// ---- the benchmark

export async function indicatorsBench(): Promise<void> {
  const serverUrl = process.env.BENCH_DATABASE_URL || DEFAULT_PG;
  if (!process.env.BENCH_DATABASE_URL) console.log(`# BENCH_DATABASE_URL is not set: using ${DEFAULT_PG} (this benchmark needs PostgreSQL)`);
  const counties = num('BENCH_COUNTIES', 100);
  const residentsPerCounty = num('BENCH_RESIDENTS_PER_COUNTY', 400_000);
  const seed = num('BENCH_SEED', 2026);
  const year = num('BENCH_YEAR', 2025);
  const chunk = Math.max(1, num('BENCH_CHUNK', 10_000));
  /** BENCH_DUCKDB_ONLY=1: the DuckDB reference alone (same events, no PostgreSQL load): quick to re-measure. */
  const duckOnly = num('BENCH_DUCKDB_ONLY', 0) === 1;
  const apiSample = duckOnly ? 0 : num('BENCH_API_SAMPLE', 200_000);
  const lagTrials = Math.max(1, num('BENCH_LAG_TRIALS', 10));
  const minFreeGb = num('BENCH_MIN_FREE_GB', 15);
  const port = num('BENCH_PORT', 39200) + 11;
  const tmpRoot = process.env.BENCH_TMPDIR || os.tmpdir();
  const scale = { counties, residentsPerCounty, residents: counties * residentsPerCounty, seed, year };

  let rssPeak = 0;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss / 2 ** 20)), 500);
  const pgdb = await createScratchDatabase(serverUrl, 'yilian_bench');
  const duckDir = mkdtempSync(path.join(tmpRoot, 'yilian-duckdb-'));
  let database: Database | null = null;
  let duck: DuckDBInstance | null = null;
  let duckCon: DuckDBConnection | null = null;
  let server: ChildProcess | null = null;
  let feed: ActivityAnalyticsFeed | null = null;
  try {
    database = await createDatabase({ databaseUrl: pgdb.url, poolSize: 6 });
    await database.migrate();
    await ensureBaseData(database.db, { info: () => {} });
    const province = syntheticProvince({ seed, counties, residentsPerCounty });
    const reg = await registerProvince(database, province);
    log(`province registered: ${reg.facilities} facilities, ${reg.divisions} divisions; database ${pgdb.url}`);
    // The product's analytic store lives where the server started for the HTTP lag will find it (its data directory),
    // so the server continues the same DuckDB file from the outbox instead of refilling a new one.
    const serverDataDir = path.join(duckDir, 'server-data');
    const services = buildServices(database, loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', YILIAN_DATA_DIR: duckDir }), {
      analyticsPath: path.join(serverDataDir, 'analytics', 'activity.duckdb'),
    });
    feed = services.indicators.analytics!;
    if (!duckOnly) {
      await feed.drain(); // initialised while PostgreSQL holds no activity: everything after arrives through the outbox
      feed.start({ info: () => {}, error: (o, msg) => log(`${msg}: ${String((o as { err?: unknown }).err)}`) });
    }
    const ctx: RequestContext = { actor: { userId: '', username: 'bench-indicators', organizationId: null, roles: ['system-admin'] }, clock: systemClock, channel: 'system' };
    const stream = () => generateProvinceActivity({ seed, counties, residentsPerCounty, year });

    // 1a. The API path on a sample: recordActivities, batches of 1,000, one client.
    let apiInserted = 0;
    if (apiSample > 0) {
      const t = performance.now();
      let batch: ActivityInput[] = [];
      let n = 0;
      const flush = async () => {
        const r = await services.indicators.recordActivities(ctx, batch);
        for (const x of r.results) {
          if (!x.ok) throw new Error(`API path refused a generated record: ${x.error.message}`);
          if (!x.duplicate) apiInserted++;
        }
        batch = [];
      };
      for (const a of stream()) {
        batch.push(a);
        if (batch.length === 1000) await flush();
        if (++n >= apiSample) break;
      }
      if (batch.length) await flush();
      const s = (performance.now() - t) / 1000;
      console.log(JSON.stringify({ bench: 'indicators-load-api', store: 'postgresql', path: 'IndicatorService.recordActivities, batches of 1,000, one client', rows: n, inserted: apiInserted, seconds: r1(s), rowsPerS: Math.round(n / s) }));
    }

    // 1b + 2a. The whole province through the bulk path, and into DuckDB with its Appender, in one pass.
    duck = await DuckDBInstance.create(path.join(duckDir, 'province.duckdb'));
    duckCon = await duck.connect();
    await duckCon.run(DUCK_TABLE);
    const appender = await duckCon.createAppender('raw_events');
    const loader = new ActivityBulkLoader(database.db, { today: new Date().toISOString().slice(0, 10), ...(duckOnly ? {} : { onCommitted: () => feed!.wake() }) });
    const timing = { generate: 0, prepare: 0, duckAppend: 0, waitPg: 0 };
    let generated = 0;
    let inserted = 0;
    let rejected = 0;
    let stoppedEarly: string | null = null;
    // Up to BENCH_LOAD_CONNECTIONS statements in flight (each on its own pooled connection), oldest awaited first.
    const lanes = Math.max(1, num('BENCH_LOAD_CONNECTIONS', 2));
    const inFlight: Promise<number>[] = [];
    const t0 = performance.now();
    let lastLog = t0;
    const it = stream()[Symbol.iterator]();
    for (let done = false; !done; ) {
      let tg = performance.now();
      const inputs: ActivityInput[] = [];
      while (inputs.length < chunk) {
        const nx = it.next();
        if (nx.done) {
          done = true;
          break;
        }
        inputs.push(nx.value);
      }
      generated += inputs.length;
      let tp = performance.now();
      timing.generate += tp - tg;
      const prepared = await loader.prepare(inputs);
      rejected += prepared.rejected.length;
      if (prepared.rejected.length) log(`rejected: ${prepared.rejected[0]!.error.message}`);
      tg = performance.now();
      timing.prepare += tg - tp;
      appendRows(appender, prepared.rows);
      tp = performance.now();
      timing.duckAppend += tp - tg;
      if (!duckOnly) {
        while (inFlight.length >= lanes) inserted += await inFlight.shift()!;
        timing.waitPg += performance.now() - tp;
        inFlight.push(loader.insert(prepared.rows));
      }
      if (performance.now() - lastLog > 30_000) {
        lastLog = performance.now();
        const s = (lastLog - t0) / 1000;
        const free = freeGb(tmpRoot);
        log(`loaded ${generated.toLocaleString('en')} records in ${s.toFixed(0)} s (${Math.round(generated / s).toLocaleString('en')}/s), rss ${Math.round(rssPeak)} MB, ${free.toFixed(1)} GB free`);
        if (free < minFreeGb) {
          stoppedEarly = `free disk space fell to ${free.toFixed(1)} GB (< ${minFreeGb} GB) after ${generated} records`;
          log(`stopping the load: ${stoppedEarly}`);
          break;
        }
      }
    }
    while (inFlight.length) inserted += await inFlight.shift()!;
    appender.closeSync();
    const loadS = (performance.now() - t0) / 1000;
    const tc = performance.now();
    await duckCon.run('checkpoint');
    const duckCheckpointS = (performance.now() - tc) / 1000;
    if (duckOnly) {
      console.log(JSON.stringify({ bench: 'indicators-duckdb-load', ...scale, records: generated, seconds: r1(loadS), benchThreadSeconds: { generate: r1(timing.generate / 1000), prepare: r1(timing.prepare / 1000), duckdbAppend: r1(timing.duckAppend / 1000) }, duckdbFileGb: r2(statSync(path.join(duckDir, 'province.duckdb')).size / 2 ** 30) }));
      await duckIndicators(duckCon);
      const runs: number[] = [];
      for (let i = 0; i < 3; i++) runs.push((await duckIndicators(duckCon)).ms);
      const dd: number[] = [];
      for (let i = 0; i < 3; i++) {
        const td = performance.now();
        await duckCon.run(DUCK_DAILY);
        dd.push(performance.now() - td);
      }
      console.log(JSON.stringify({ bench: 'indicators-duckdb', records: generated, indicators: INDICATORS, runsS: runs.map((x) => r3(x / 1000)), medianS: r3(median(runs) / 1000), dailyAggregateRunsS: dd.map((x) => r3(x / 1000)), dailyAggregateMedianS: r3(median(dd) / 1000), benchRssMbPeak: Math.round(rssPeak), loadAverage1m: r1(os.loadavg()[0]!) }));
      return;
    }
    const ta = performance.now();
    await database.db.execute(sql`analyze activity_records`);
    await database.db.execute(sql`analyze activity_daily`);
    const analyzeS = (performance.now() - ta) / 1000;
    const sz = await sizes(database);
    const duckFileGb = r2(statSync(path.join(duckDir, 'province.duckdb')).size / 2 ** 30);
    console.log(JSON.stringify({
      bench: 'indicators-load', store: 'postgresql+duckdb', ...scale, chunk, connections: lanes, records: generated, inserted, insertedViaApiSample: apiInserted,
      duplicatesSkipped: generated - inserted - rejected, rejected, stoppedEarly, seconds: r1(loadS), rowsPerS: Math.round(generated / loadS),
      exactlyOnce: sz.activityRecordsRows === generated - rejected ? 'ok' : `MISMATCH: ${sz.activityRecordsRows} stored of ${generated - rejected}`,
      benchThreadSeconds: { generate: r1(timing.generate / 1000), prepare: r1(timing.prepare / 1000), duckdbAppend: r1(timing.duckAppend / 1000), waitingForPostgres: r1(timing.waitPg / 1000) },
      duckdbCheckpointS: r1(duckCheckpointS), analyzeS: r1(analyzeS),
    }));
    console.log(JSON.stringify({ bench: 'indicators-storage', ...sz, duckdbFileGb: duckFileGb, benchRssMbPeakSoFar: Math.round(rssPeak) }));

    // 2a'. The product's analytic store, fed from the outbox by its drainer during the load (woken by each chunk).
    const backlogAtEnd = await feed.backlog();
    const tt = performance.now();
    const tail = await feed.drain();
    const tailS = (performance.now() - tt) / 1000;
    await feed.store.checkpoint();
    const storeCounts = await feed.store.counts();
    const live = await feed.compareWithPostgres();
    console.log(JSON.stringify({
      // tailDrainS: until the outbox was empty (the running drainer may have applied the tail itself: then tailDrain is 0).
      bench: 'indicators-analytic-feed', store: 'duckdb (product: ActivityAnalyticsFeed)', backlogWhenLoadEnded: backlogAtEnd, tailDrainS: r1(tailS), tailDrain: tail,
      duckdbRecords: storeCounts.records, exactlyOnce: storeCounts.records === sz.activityRecordsRows ? 'ok' : `MISMATCH: ${storeCounts.records} in DuckDB, ${sz.activityRecordsRows} in PostgreSQL`,
      aggregateRows: storeCounts.aggregateRows, liveEqualsPostgres: live.equal ? 'equal' : `DIFFERENT: ${live.differences.join('; ')}`,
      duckdbFileGb: r2(statSync(feed.store.location).size / 2 ** 30),
    }));

    // 2b. DuckDB: four indicators by county and month, median of 3 after a warm-up run.
    const duckRuns: number[] = [];
    let duckResult: Awaited<ReturnType<typeof duckIndicators>> | null = null;
    await duckIndicators(duckCon); // warm-up (reads the file after the checkpoint)
    for (let i = 0; i < 3; i++) {
      duckResult = await duckIndicators(duckCon);
      duckRuns.push(duckResult.ms);
    }
    const duckS = median(duckRuns) / 1000;
    console.log(JSON.stringify({ bench: 'indicators-duckdb', records: generated, indicators: INDICATORS, resultRows: duckResult!.rows, runsS: duckRuns.map((x) => r3(x / 1000)), medianS: r3(duckS), threads: os.cpus().length }));

    // 2c. Cross-check: Yilian's evaluate against DuckDB for sampled counties, every month of the year.
    const sampled = [...new Set([0, Math.floor(counties / 2), counties - 1])].map((i) => province.counties[i]!.countyCode);
    let compared = 0;
    const mismatches: string[] = [];
    const evalMs: number[] = [];
    for (const county of sampled) {
      for (const indicator of INDICATORS) {
        const t = performance.now();
        const r = await services.indicators.evaluate(ctx, { indicator, level: 'county', subject: county, period: 'month', from: `${year}-01`, to: `${year}-12` });
        evalMs.push(performance.now() - t);
        for (const v of r.values) {
          const d = duckResult!.byKey.get(`${county}|${v.period}`)?.[indicator];
          compared++;
          if (!d) {
            if (!v.noData) mismatches.push(`${indicator} ${county} ${v.period}: DuckDB has no row, Yilian ${v.numerator}/${v.denominator}`);
            continue;
          }
          if (v.numerator !== d.num || v.denominator !== d.den) mismatches.push(`${indicator} ${county} ${v.period}: Yilian ${v.numerator}/${v.denominator} vs DuckDB ${d.num}/${d.den}`);
        }
      }
    }
    console.log(JSON.stringify({
      bench: 'indicators-crosscheck', counties: sampled, months: 12, indicators: INDICATORS.length, compared, mismatches: mismatches.length, result: mismatches.length ? 'MISMATCH' : 'equal',
      firstMismatches: mismatches.slice(0, 5), evaluateMsMedian: r1(median(evalMs)), evaluateMsMax: r1(Math.max(...evalMs)),
    }));

    // 3. Yilian's full rebuild of PostgreSQL's activity_daily, timed; the aggregate must not change. BENCH_PG_REBUILD=0
    //    skips it (at province scale it takes many minutes and is not the rebuild the aim is measured on: 3b is).
    const before = await aggregateFingerprint(database);
    let rebuildS: number | null = null;
    if (num('BENCH_PG_REBUILD', 1)) {
      const tr = performance.now();
      const rb = await services.indicators.rebuild();
      rebuildS = (performance.now() - tr) / 1000;
      const after = await aggregateFingerprint(database);
      console.log(JSON.stringify({
        bench: 'indicators-rebuild', records: rb.records, aggregateRows: rb.aggregateRows, seconds: r1(rebuildS), duckdbS: r3(duckS), rebuildOverDuckdb: r1(rebuildS / duckS),
        liveEqualsRebuilt: before === after ? 'equal' : `DIFFERENT: ${before} vs ${after}`,
      }));
    }

    // 3b. The product's rebuild in its analytic store (issue 4's aim: within 3× DuckDB's indicator query), median of 3.
    //     Interleaved with the reference's own daily aggregate (DUCK_DAILY), so both are timed under the same load.
    const arRuns: number[] = [];
    const refDailyRuns: number[] = [];
    let ar: Awaited<ReturnType<ActivityAnalyticsFeed['rebuildAnalytics']>> | null = null;
    for (let i = 0; i < 3; i++) {
      const ta2 = performance.now();
      ar = await feed.rebuildAnalytics();
      arRuns.push(performance.now() - ta2);
      const tr2 = performance.now();
      await duckCon.run(DUCK_DAILY);
      refDailyRuns.push(performance.now() - tr2);
    }
    const analyticRebuildS = median(arRuns) / 1000;
    const rebuilt = await feed.compareWithPostgres();
    console.log(JSON.stringify({
      bench: 'indicators-analytic-rebuild', records: ar!.records, aggregateRows: ar!.aggregateRows, runsS: arRuns.map((x) => r3(x / 1000)), medianS: r3(analyticRebuildS),
      duckdbS: r3(duckS), overDuckdb: r2(analyticRebuildS / duckS), referenceDailyAggregateMedianS: r3(median(refDailyRuns) / 1000), rebuiltEqualsPostgres: rebuilt.equal ? 'equal' : `DIFFERENT: ${rebuilt.differences.join('; ')}`,
    }));

    // 3c. What users see: a province-level `evaluate` (one indicator, 12 months) read from DuckDB (the product's rule for
    //     cities and provinces, after its freshness check) and from PostgreSQL's activity_daily; median of 3 after a warm-up.
    {
      const provinceCode = `${province.counties[0]!.countyCode.slice(0, 2)}0000`;
      const q = { indicator: 'county-visit-rate', level: 'province' as const, subject: provinceCode, period: 'month' as const, from: `${year}-01`, to: `${year}-12` };
      const timeEval = async (engine: 'postgres' | 'auto') => {
        const runs: number[] = [];
        let values: unknown = null;
        for (let i = 0; i < 4; i++) {
          const te = performance.now();
          const r = await services.indicators.evaluate(ctx, q, { engine });
          if (i > 0) runs.push(performance.now() - te);
          values = r.values.map((v) => [v.period, v.numerator, v.denominator, v.value]);
        }
        return { runs, values };
      };
      const pgEval = await timeEval('postgres');
      const duckEval = await timeEval('auto');
      const catchUp: number[] = [];
      let readable = false;
      for (let i = 0; i < 3; i++) {
        const tc = performance.now();
        readable = await feed.catchUpForReads();
        catchUp.push(performance.now() - tc);
      }
      console.log(JSON.stringify({
        bench: 'indicators-evaluate-province', indicator: q.indicator, subject: provinceCode, months: 12, records: generated,
        postgresMsRuns: pgEval.runs.map(r1), postgresMsMedian: r1(median(pgEval.runs)), duckdbMsRuns: duckEval.runs.map(r1), duckdbMsMedian: r1(median(duckEval.runs)),
        postgresOverDuckdb: r1(median(pgEval.runs) / median(duckEval.runs)), freshnessCheckMsMedian: r1(median(catchUp)), duckdbReadable: readable,
        figures: JSON.stringify(pgEval.values) === JSON.stringify(duckEval.values) ? 'equal' : 'DIFFERENT',
      }));
    }

    // 4. Prototypes toward "rebuild within 3× DuckDB".
    const proto: Record<string, unknown> = { bench: 'indicators-rebuild-prototypes', records: generated, duckdbS: r3(duckS) };
    if (num('BENCH_PROTOTYPES', 1)) {
      // a) per county of residence on 2 connections (each a `rebuild({ countyCode })`; SHARE locks do not conflict).
      const codes = province.counties.map((c) => c.countyCode);
      const tp = performance.now();
      let next = 0;
      await Promise.all([0, 1].map(async () => {
        while (next < codes.length) await services.indicators.rebuild({ countyCode: codes[next++]! });
      }));
      const parallelS = (performance.now() - tp) / 1000;
      const afterParallel = await aggregateFingerprint(database);
      proto.perCountyOn2ConnectionsS = r1(parallelS);
      proto.perCountyEqual = afterParallel === before ? 'equal' : 'DIFFERENT';
      // b) Rebuild by building a new table and swapping it in: the same SELECT as CREATE TABLE AS (parallel workers
      //    allowed, no index maintenance row by row), then the unique key and the two indexes built in bulk. The swap
      //    itself (drop + rename in the transaction holding the SHARE lock) is not done here; the table is dropped.
      await database.db.execute(sql`drop table if exists bench_daily_swap`);
      const tq = performance.now();
      await database.db.execute(sql`create table bench_daily_swap (${aggregateColumns}) as ${aggregateSelect(sql`activity_records`)}`);
      const ctasS = (performance.now() - tq) / 1000;
      await database.db.execute(sql.raw(`alter table bench_daily_swap add constraint bench_daily_swap_key unique nulls not distinct
        (county_code, day, facility_id, facility_county_code, facility_tier, class, tcm, insured, pharmacy, via_referral)`));
      await database.db.execute(sql`create index bench_daily_swap_fc on bench_daily_swap (facility_county_code, day)`);
      await database.db.execute(sql`create index bench_daily_swap_f on bench_daily_swap (facility_id, day)`);
      const swapS = (performance.now() - tq) / 1000;
      proto.buildAndSwap = { createTableAsS: r1(ctasS), indexesS: r1(swapS - ctasS), totalS: r1(swapS), overDuckdb: r1(swapS / duckS) };
      await database.db.execute(sql`drop table bench_daily_swap`);
      // d) The same rebuild() and CREATE TABLE AS with work_mem = BENCH_REBUILD_WORK_MEM (1GB) for the rebuild's sessions
      //    (PostgreSQL's default 4MB makes the GROUP BY an external sort on disk). A second connection pool picks up the
      //    database-level setting; the product code is unchanged.
      const wm = process.env.BENCH_REBUILD_WORK_MEM || '1GB';
      const dbName = new URL(pgdb.url).pathname.slice(1);
      await database.db.execute(sql.raw(`alter database ${dbName} set work_mem = '${wm.replace(/'/g, '')}'`));
      const big = await createDatabase({ databaseUrl: pgdb.url, poolSize: 2 });
      try {
        const bigServices = buildServices(big, loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', YILIAN_DATA_DIR: duckDir }));
        const tw = performance.now();
        await bigServices.indicators.rebuild();
        const rebuildWmS = (performance.now() - tw) / 1000;
        const afterWm = await aggregateFingerprint(database);
        const tcw = performance.now();
        await big.db.execute(sql`create table bench_daily_swap (${aggregateColumns}) as ${aggregateSelect(sql`activity_records`)}`);
        const ctasWmS = (performance.now() - tcw) / 1000;
        await big.db.execute(sql`drop table bench_daily_swap`);
        proto.withWorkMem = { workMem: wm, rebuildS: r1(rebuildWmS), rebuildOverDuckdb: r1(rebuildWmS / duckS), equal: afterWm === before ? 'equal' : 'DIFFERENT', createTableAsS: r1(ctasWmS) };
      } finally {
        await big.close();
        await database.db.execute(sql.raw(`alter database ${dbName} reset work_mem`));
      }
      // c) DuckDB computing the whole daily aggregate (what a rebuild on an embedded DuckDB beside PostgreSQL would do).
      const dd: number[] = [];
      for (let i = 0; i < 3; i++) {
        const td = performance.now();
        await duckCon.run(DUCK_DAILY);
        dd.push(performance.now() - td);
      }
      const dRows = Number((await duckCon.runAndReadAll('select count(*) as n from daily')).getRowObjects()[0]!.n);
      // The same totals as PostgreSQL's aggregate (money in fen on both sides)?
      const dSums = (await duckCon.runAndReadAll(
        'select count(*) as n, sum(records) as r, sum(discharges) as d, sum(total_cost_fen) as c, sum(fund_paid_fen) as f, sum(fund_records) as fr from daily',
      )).getRowObjects()[0]!;
      const [pSums] = await queryRows<{ n: string; r: string; d: string; c: string; f: string; fr: string }>(
        database.db,
        sql`select count(*)::text as n, sum(records)::text as r, sum(discharges)::text as d, (sum(total_cost) * 100)::bigint::text as c,
              (sum(fund_paid) * 100)::bigint::text as f, sum(fund_records)::text as fr from activity_daily`,
      );
      const duckTotals = ['n', 'r', 'd', 'c', 'f', 'fr'].map((k) => String(dSums[k])).join(':');
      const pgTotals = ['n', 'r', 'd', 'c', 'f', 'fr'].map((k) => String(pSums![k as keyof typeof pSums])).join(':');
      proto.duckdbDailyTotalsEqualPg = duckTotals === pgTotals ? 'equal' : `DIFFERENT: ${duckTotals} vs ${pgTotals}`;
      proto.duckdbDailyAggregateS = r3(median(dd) / 1000);
      proto.duckdbDailyRows = dRows;
      proto.duckdbDailyRowsEqualPg = dRows === sz.activityDailyRows ? 'equal' : `DIFFERENT: ${dRows} vs ${sz.activityDailyRows}`;
      proto.duckdbDailyOverDuckdbIndicators = r1(median(dd) / 1000 / duckS);
      console.log(JSON.stringify(proto));
    }

    // 5. Update lag: a new visit → the dashboard's figure changes.
    const lagCounty = province.counties[0]!;
    const hospital = lagCounty.facilities.find((f) => f.tier === 'county-hospital')!;
    const month = `${year}-06`;
    const visit = (k: string): ActivityInput => ({
      source: 'bench:lag', sourceRecordId: k, class: 'outpatient', residenceDivisionCode: `${lagCounty.countyCode}100200`, facilityId: hospital.id,
      startDate: `${month}-15`, diagnoses: ['J06.9'], totalCost: '100.00', fundPaid: '60.00', insured: true, pharmacy: false, viaReferral: false,
    });
    const q = { indicator: 'county-visit-rate', level: 'county' as const, subject: lagCounty.countyCode, period: 'month' as const, from: month, to: month };
    const serviceLag: number[] = [];
    for (let i = 0; i < lagTrials; i++) {
      const before = (await services.indicators.evaluate(ctx, q)).values[0]!.numerator;
      const t = performance.now();
      await services.indicators.recordActivities(ctx, [visit(`svc-${i}`)]);
      for (;;) {
        if ((await services.indicators.evaluate(ctx, q)).values[0]!.numerator !== before) break;
        await sleep(5);
      }
      serviceLag.push(performance.now() - t);
    }
    // … and until the analytic store's aggregate counts it (the drainer, woken by the commit, applies the outbox row).
    const analyticLag: number[] = [];
    for (let i = 0; i < lagTrials; i++) {
      const before = await feed.store.aggregateRecords();
      const t = performance.now();
      await services.indicators.recordActivities(ctx, [visit(`duck-${i}`)]);
      while ((await feed.store.aggregateRecords()) === before) await sleep(5);
      analyticLag.push(performance.now() - t);
    }
    const lag: Record<string, unknown> = {
      bench: 'indicators-lag', indicator: q.indicator, county: q.subject, month, trials: lagTrials, serviceMsMedian: r1(median(serviceLag)), serviceMsMax: r1(Math.max(...serviceLag)),
      analyticStoreMsMedian: r1(median(analyticLag)), analyticStoreMsMax: r1(Math.max(...analyticLag)),
    };
    // The server opens the same DuckDB file: this process lets go of it first (DuckDB allows one writer per file).
    await feed.stop();
    if (num('BENCH_HTTP', 1)) {
      const srv = await startServer(pgdb.url, port, serverDataDir);
      server = srv.child;
      const tok = await fetch(`${srv.base}/auth/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'password', username: 'admin', password: 'bench-admin-pass' }) });
      const token = ((await tok.json()) as { access_token: string }).access_token;
      const h = { authorization: `Bearer ${token}` };
      const url = `${srv.base}/api/v1/indicators/${q.indicator}/values?level=county&subject=${q.subject}&period=month&from=${month}&to=${month}`;
      const read = async (): Promise<number | null> => {
        const r = await fetch(url, { headers: h });
        if (!r.ok) throw new Error(`GET values: ${r.status} ${await r.text()}`);
        return ((await r.json()) as { values: { numerator: number | null }[] }).values[0]!.numerator;
      };
      const httpLag: number[] = [];
      for (let i = 0; i < lagTrials; i++) {
        const before = await read();
        const t = performance.now();
        const p = await fetch(`${srv.base}/api/v1/activities/$batch`, { method: 'POST', headers: { ...h, 'content-type': 'application/json' }, body: JSON.stringify({ activities: [visit(`http-${i}`)] }) });
        if (!p.ok) throw new Error(`POST activities: ${p.status} ${await p.text()}`);
        await p.arrayBuffer();
        while ((await read()) === before) await sleep(5);
        httpLag.push(performance.now() - t);
      }
      lag.httpMsMedian = r1(median(httpLag));
      lag.httpMsMax = r1(Math.max(...httpLag));
      lag.serverRssMb = Math.round(rssMbOf(srv.child.pid!));
      await stopServer(srv.child);
      server = null;
    }
    console.log(JSON.stringify(lag));
    const lagMs = (lag.httpMsMedian as number | undefined) ?? (lag.serviceMsMedian as number);

    console.log(JSON.stringify({
      bench: 'indicators', store: 'postgresql', ...scale, records: generated, loadRowsPerS: Math.round(generated / loadS), rebuildS: rebuildS === null ? 'skipped' : r1(rebuildS), duckdbS: r3(duckS),
      rebuildOverDuckdb: rebuildS === null ? 'skipped' : r1(rebuildS / duckS), analyticRebuildS: r3(analyticRebuildS), analyticRebuildOverDuckdb: r2(analyticRebuildS / duckS), lagMsMedian: lagMs, benchRssMbPeak: Math.round(rssPeak), pgDatabaseGb: sz.pgDatabaseGb, crosscheck: mismatches.length ? 'MISMATCH' : 'equal',
      aims: {
        postgresRebuildWithin3xDuckdb: rebuildS === null ? 'skipped (BENCH_PG_REBUILD=0)' : `${r1(rebuildS / duckS)}× → ${rebuildS <= 3 * duckS ? 'met' : 'NOT met'}`,
        analyticRebuildWithin3xDuckdb: `${r2(analyticRebuildS / duckS)}× → ${analyticRebuildS <= 3 * duckS ? 'met' : 'NOT met'}`,
        lagUnder5s: `${r1(lagMs)} ms → ${lagMs < 5000 ? 'met' : 'NOT met'}`,
        analyticLagUnder5s: `${r1(median(analyticLag))} ms → ${median(analyticLag) < 5000 ? 'met' : 'NOT met'}`,
      },
    }));
  } finally {
    clearInterval(sampler);
    if (server) await stopServer(server).catch(() => {});
    await feed?.stop().catch(() => {});
    duckCon?.closeSync();
    duck?.closeSync();
    rmSync(duckDir, { recursive: true, force: true });
    await database?.close();
    await pgdb.drop();
  }
}

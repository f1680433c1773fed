import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestApp } from './helpers/app.js';
import { alliances, organizations } from '../src/db/schema/index.js';
import type { ActivityInput } from '../src/contracts/activity.js';
import type { RequestContext } from '../src/shared/context.js';
import { ActivityAnalyticsFeed, ActivityBulkLoader, IndicatorService, type ActivityEngine } from '../src/modules/indicators/index.js';
import type { IndicatorLevel, IndicatorPeriod } from '../src/contracts/indicator.js';

/**
 * The analytic store (DuckDB beside PostgreSQL, docs/indicators.md "Analytic store"): fed from the activity outbox by
 * the API path and the bulk loader, exactly once — re-imports, a crash between DuckDB's commit and the outbox delete, a
 * restart on the same DuckDB file — and its aggregate equal to PostgreSQL's `activity_daily` after the live feed,
 * after `rebuildAnalytics()` and after `resyncFromPostgres()`. Evaluation of cities and provinces reads DuckDB and
 * gives exactly PostgreSQL's figures for every shipped indicator, and never misses a committed record.
 *
 * Area: 浙江省 杭州市 桐庐县 A = 330122 (residents, facilities H and C), 淳安县 B = 330127 (residents), 西湖区 330106
 * (a facility outside the platform).
 */
const A = '330122';
const B = '330127';
const OUT = '330106';
const H = 'ana-H';
const C = 'ana-C';

let t: TestApp;
let sys: RequestContext;
let feed: ActivityAnalyticsFeed;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'yilian-analytics-test-'));

let seq = 0;
/** A varied record: visits and stays (some discharged), outside facilities, pharmacy, uninsured, via referral. */
function record(key: string): ActivityInput {
  const n = seq++;
  const inpatient = n % 4 === 1;
  const outside = n % 5 === 3;
  const month = String(1 + (n % 9)).padStart(2, '0');
  const day = String(1 + (n % 20)).padStart(2, '0');
  const uninsured = n % 7 === 4;
  return {
    source: 'test:analytics', sourceRecordId: key, class: inpatient ? 'inpatient' : 'outpatient', residenceDivisionCode: n % 3 === 2 ? B : A,
    ...(outside ? { facilityDivisionCode: OUT } : { facilityId: n % 2 ? H : C }),
    startDate: `2026-${month}-${day}`, ...(inpatient && n % 8 !== 1 ? { endDate: `2026-${month}-${String(1 + (n % 20) + 3).padStart(2, '0')}` } : {}),
    diagnoses: ['J06.9'], totalCost: `${100 + n}.${String(n % 100).padStart(2, '0')}`, ...(uninsured ? {} : { fundPaid: `${50 + (n % 40)}.05` }),
    insured: !uninsured, pharmacy: !inpatient && outside && n % 2 === 0, viaReferral: n % 6 === 0,
  };
}
const batch = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => record(`${prefix}-${i}`));

async function expectEqualAggregates(f: ActivityAnalyticsFeed = feed) {
  const cmp = await f.compareWithPostgres();
  expect(cmp.differences).toEqual([]);
  expect(Number(cmp.postgres.rows)).toBeGreaterThan(0);
  return cmp;
}

async function figures() {
  const out: unknown[] = [];
  for (const indicator of ['county-visit-rate', 'in-county-admission-share', 'in-county-fund-share', 'grassroots-visit-share']) {
    const r = await t.services.indicators.evaluate(sys, { indicator, level: 'county', subject: A, period: 'quarter', from: '2026-Q1', to: '2026-Q3' });
    out.push(r.values.map((v) => [v.period, v.numerator, v.denominator, v.value, v.noData]));
  }
  return out;
}
let figuresBefore: unknown[];

beforeAll(async () => {
  t = await createTestApp();
  sys = { actor: { userId: '', username: 'analytics-test', organizationId: null, roles: ['system-admin'] }, clock: t.clock, channel: 'system' };
  await t.database.db.insert(organizations).values([
    { id: H, identifier: 'ana-H-code', identifierKind: 'local', name: '桐庐县人民医院', tier: 'county-hospital', divisionCode: A, countyCode: A },
    { id: C, identifier: 'ana-C-code', identifierKind: 'local', name: '分水镇中心卫生院', tier: 'township-health-center', divisionCode: A, countyCode: A },
  ]);
  feed = t.services.indicators.analytics!;
  expect(feed.store.location).toBe(':memory:');
  // The store is initialised while PostgreSQL holds no activity, so from here on everything arrives through the
  // outbox (a store opened over existing records fills itself by a resync instead: tested below).
  expect(await feed.drain()).toMatchObject({ records: 0 });
});

afterAll(async () => {
  await feed?.stop();
  await t?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('analytic store fed from the outbox', () => {
  it('records through the API path reach DuckDB after drain(), and the aggregates are equal', async () => {
    const r = await t.services.indicators.recordActivities(sys, batch('api', 60));
    expect(r.results.every((x) => x.ok && !x.duplicate)).toBe(true);
    figuresBefore = await figures();
    expect(await feed.backlog()).toEqual({ rows: 1, records: 60 });
    const d = await feed.drain();
    expect(d).toMatchObject({ outboxRows: 1, records: 60, skipped: 0 });
    expect(await feed.backlog()).toEqual({ rows: 0, records: 0 });
    expect((await feed.store.counts()).records).toBe(60);
    await expectEqualAggregates();
  });

  it('records through the bulk loader reach DuckDB; the API records met again are inserted and counted zero times', async () => {
    const loader = new ActivityBulkLoader(t.database.db, { today: '2026-11-22' });
    seq = 0; // the same 60 API records again, then 140 new ones
    const prepared = await loader.prepare([...batch('api', 60), ...batch('bulk', 140)]);
    expect(prepared.rejected).toEqual([]);
    expect(await loader.insert(prepared.rows.slice(0, 100))).toBe(40);
    expect(await loader.insert(prepared.rows.slice(100))).toBe(100);
    expect(await feed.backlog()).toEqual({ rows: 2, records: 140 });
    expect(await feed.drain()).toMatchObject({ outboxRows: 2, records: 140 });
    expect((await feed.store.counts()).records).toBe(200);
    await expectEqualAggregates();
  });

  it('a re-import writes no outbox row and changes nothing in DuckDB', async () => {
    seq = 0;
    const again = await t.services.indicators.recordActivities(sys, batch('api', 60));
    expect(again.results.every((x) => x.ok && x.duplicate)).toBe(true);
    expect(await feed.backlog()).toEqual({ rows: 0, records: 0 });
    expect(await feed.drain()).toMatchObject({ outboxRows: 0, records: 0 });
    expect((await feed.store.counts()).records).toBe(200);
    await expectEqualAggregates();
  });

  it('a crash between DuckDB\'s commit and the outbox delete counts nothing twice', async () => {
    seq = 500;
    await t.services.indicators.recordActivities(sys, batch('crash', 30));
    const first = await feed.applyNext();
    expect(first).toMatchObject({ applied: [expect.any(Number)], skipped: [], records: 30 });
    // "Crash": the outbox delete never happened. The row is still there; applying it again skips it.
    expect(await feed.backlog()).toEqual({ rows: 1, records: 30 });
    const second = await feed.applyNext();
    expect(second).toMatchObject({ applied: [], skipped: first!.applied, records: 0 });
    expect((await feed.store.counts()).records).toBe(230);
    await feed.acknowledge(second!);
    expect(await feed.backlog()).toEqual({ rows: 0, records: 0 });
    expect((await feed.store.counts()).appliedOutbox).toBe(0);
    await expectEqualAggregates();
  });

  it('rebuildAnalytics() recomputes the same aggregate from DuckDB\'s raw projection', async () => {
    const before = await feed.compareWithPostgres();
    const r = await feed.rebuildAnalytics();
    expect(r.records).toBe(230);
    expect(r.aggregateRows).toBe(Number(before.duckdb.rows));
    const after = await expectEqualAggregates();
    expect(after.duckdb).toEqual(before.duckdb);
  });

  it('evaluate (PostgreSQL) gives the same figures before and after the feed ran', async () => {
    expect(figuresBefore).toBeDefined();
    // Figures now include the bulk and crash batches; recompute them on a PostgreSQL rebuild: they must not move.
    const now = await figures();
    await t.services.indicators.rebuild();
    expect(await figures()).toEqual(now);
    await expectEqualAggregates();
    expect(now).not.toEqual(figuresBefore);
  });
});

describe('a DuckDB file across restarts', () => {
  const file = path.join(tmp, 'analytics', 'activity.duckdb');

  it('a new file is filled from PostgreSQL, keeps applied ids across a restart, and skips them after it', async () => {
    const first = new ActivityAnalyticsFeed(t.database.db, { path: file });
    // New file, PostgreSQL already holds 230 records: the first drain fills it by a resync.
    await first.drain();
    expect((await first.store.counts()).records).toBe(230);
    await expectEqualAggregates(first);
    seq = 900;
    await t.services.indicators.recordActivities(sys, batch('restart', 25));
    const applied = await first.applyNext();
    expect(applied?.records).toBe(25);
    await first.stop(); // the process ends before the outbox delete

    const second = new ActivityAnalyticsFeed(t.database.db, { path: file });
    expect((await second.store.counts()).appliedOutbox).toBe(1);
    const d = await second.drain();
    expect(d).toMatchObject({ outboxRows: 1, records: 0, skipped: 1 });
    expect((await second.store.counts()).records).toBe(255);
    expect(await second.backlog()).toEqual({ rows: 0, records: 0 });
    await expectEqualAggregates(second);
    await second.stop();

    // The in-memory store of the service missed that batch (another feed drained it): a resync brings it back.
    expect((await feed.compareWithPostgres()).equal).toBe(false);
    const r = await feed.resyncFromPostgres();
    expect(r.records).toBe(255);
    await expectEqualAggregates();
  });

  it('a resync while batches wait in the outbox counts each of them once', async () => {
    seq = 1200;
    await t.services.indicators.recordActivities(sys, batch('pending', 10));
    expect(await feed.backlog()).toEqual({ rows: 1, records: 10 });
    await feed.resyncFromPostgres();
    // The waiting row's records were in the snapshot: it is acknowledged, not applied again.
    expect(await feed.backlog()).toEqual({ rows: 0, records: 0 });
    expect(await feed.drain()).toMatchObject({ records: 0 });
    expect((await feed.store.counts()).records).toBe(265);
    await expectEqualAggregates();
  });

  it('a file that missed records another process drained refills itself from PostgreSQL when it is opened again', async () => {
    const file2 = path.join(tmp, 'second', 'activity.duckdb');
    const other = new ActivityAnalyticsFeed(t.database.db, { path: file2 });
    await other.drain(); // new file: filled by a resync, holds every record so far
    await other.stop();
    seq = 1300;
    await t.services.indicators.recordActivities(sys, batch('elsewhere', 12));
    await feed.drain(); // another store drains the batch: its outbox row is gone for good
    const reopened = new ActivityAnalyticsFeed(t.database.db, { path: file2 });
    await reopened.drain(); // opening checks the counts against PostgreSQL: 12 records short, so it refills
    expect((await reopened.store.counts()).records).toBe(277);
    await expectEqualAggregates(reopened);
    await reopened.stop();
  });

  it('one drainer: a second claim of the role is refused on PostgreSQL, and a feed without it never reads DuckDB', async () => {
    const first = await t.database.claimProcessRole('analytics-test-role');
    expect(first).not.toBeNull();
    const second = await t.database.claimProcessRole('analytics-test-role');
    // PGlite: the data directory's lock already makes this process the only one on the database.
    if (t.database.kind === 'postgres') expect(second).toBeNull();
    else expect(second).not.toBeNull();
    await second?.release();
    await first!.release();
    const again = await t.database.claimProcessRole('analytics-test-role');
    expect(again).not.toBeNull(); // released with its connection
    await again!.release();

    const refused = new ActivityAnalyticsFeed(t.database.db, { path: ':memory:', claimDrainer: async () => null });
    refused.start();
    await vi.waitFor(() => expect(refused.drains).toBe(false));
    seq = 1400;
    await t.services.indicators.recordActivities(sys, batch('not-mine', 3));
    expect(await refused.catchUpForReads()).toBe(false);
    expect(await refused.backlog()).toEqual({ rows: 1, records: 3 }); // left for the process that drains
    await refused.stop();
    await feed.drain();
  });
});

/** City 杭州市 and province 浙江省 of the test's counties. */
const CITY = '330100';
const PROVINCE = '330000';
const ranges: Record<IndicatorPeriod, [string, string]> = { month: ['2026-01', '2026-12'], quarter: ['2025-Q1', '2026-Q4'], year: ['2025', '2026'] };

/** Every figure of one evaluation, as compared across the two engines. */
async function figuresOf(indicator: string, level: IndicatorLevel, subject: string, period: IndicatorPeriod, engine: ActivityEngine, service = t.services.indicators) {
  const [from, to] = ranges[period];
  const r = await service.evaluate(sys, { indicator, level, subject, period, from, to }, { engine });
  return r.values.map((v) => [v.period, v.numerator, v.denominator, v.value, v.noData, v.reason ?? null]);
}

/** Every shipped indicator at city and province level, every period kind: DuckDB's figures are PostgreSQL's. */
async function expectEnginesAgree(): Promise<{ compared: number; nonZero: number }> {
  let compared = 0;
  let nonZero = 0;
  for (const def of await t.services.indicators.definitions('2026-12-31')) {
    for (const [level, subject] of [['city', CITY], ['province', PROVINCE]] as const) {
      if (!def.levels.includes(level)) continue;
      for (const period of def.periods) {
        const pg = await figuresOf(def.code, level, subject, period, 'postgres');
        const duck = await figuresOf(def.code, level, subject, period, 'analytic');
        expect(duck, `${def.code} ${level} ${period}`).toEqual(pg);
        compared++;
        nonZero += pg.filter((v) => typeof v[1] === 'number' && v[1] !== 0).length;
      }
    }
  }
  return { compared, nonZero };
}

describe('evaluate reads DuckDB for cities and provinces', () => {
  const XA = 'ana-X';
  const YA = 'ana-Y';
  const ZA = 'ana-Z';

  beforeAll(async () => {
    // H leads county community X all along; C is a member of X until 2026-06-30, then leads city group Y from
    // 2026-07-01 (a lead change mid-year: lead-only terms count C's discharges from July on); C also leads specialty
    // alliance Z all year, which lead-only terms ignore (only county communities and city groups count).
    await t.database.db.insert(alliances).values([
      { id: XA, identifier: 'ana-X', name: '桐庐县医共体', kind: 'county-community', leadOrganizationId: H, divisionCode: A, establishedOn: '2025-01-01' },
      { id: YA, identifier: 'ana-Y', name: '杭州市城市医疗集团', kind: 'city-group', leadOrganizationId: C, divisionCode: '330100', establishedOn: '2026-07-01' },
      { id: ZA, identifier: 'ana-Z', name: '专科联盟', kind: 'specialty-alliance', leadOrganizationId: C, divisionCode: A, establishedOn: '2025-01-01' },
    ]);
    const net = t.services.network;
    await net.addMembership(sys, XA, { organizationId: H, role: 'lead', validFrom: '2025-01-01' });
    const cInX = await net.addMembership(sys, XA, { organizationId: C, role: 'member', validFrom: '2025-01-01' });
    await net.endMembership(sys, cInX.id, '2026-07-01', '牵头城市医疗集团');
    await net.addMembership(sys, YA, { organizationId: C, role: 'lead', validFrom: '2026-07-01' });
    await net.addMembership(sys, ZA, { organizationId: C, role: 'lead', validFrom: '2025-01-01' });
    // The previous year, for the growth indicators.
    seq = 2000;
    const lastYear = batch('y2025', 80).map((r) => ({ ...r, startDate: r.startDate.replace('2026', '2025'), ...(r.endDate ? { endDate: r.endDate.replace('2026', '2025') } : {}) }));
    expect((await t.services.indicators.recordActivities(sys, lastYear)).results.every((x) => x.ok)).toBe(true);
    await feed.drain();
    await expectEqualAggregates();
  });

  it('every shipped indicator at city and province level, month/quarter/year: DuckDB gives PostgreSQL\'s figures', async () => {
    const spy = vi.spyOn(feed.store, 'sumActivityTerm');
    try {
      const r = await expectEnginesAgree();
      expect(r.compared).toBeGreaterThan(30);
      expect(r.nonZero).toBeGreaterThan(50);
      expect(spy).toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('lead-only terms follow the lead change mid-year in DuckDB as in PostgreSQL', async () => {
    const pg = await figuresOf('lead-down-referral-share', 'city', CITY, 'month', 'postgres');
    const duck = await figuresOf('lead-down-referral-share', 'city', CITY, 'month', 'analytic');
    expect(duck).toEqual(pg);
    // The denominators are lead hospitals' discharges: H's all year, C's only from July (lead of Y), never as lead of Z.
    expect(pg.filter((v) => typeof v[2] === 'number' && v[2] > 0).length).toBeGreaterThan(3);
  });

  it('after rebuildAnalytics() the figures are still PostgreSQL\'s', async () => {
    await feed.rebuildAnalytics();
    await expectEqualAggregates();
    expect((await expectEnginesAgree()).compared).toBeGreaterThan(30);
  });

  it('a membership change reaches DuckDB\'s reference copy before the next evaluation', async () => {
    expect(await feed.refreshReference()).toEqual({ copied: false });
    const [m] = await t.services.network.membershipsOf({ organizationId: H, on: '2026-01-01' });
    await t.services.network.endMembership(sys, m!.id, '2026-05-01', '牵头单位调整');
    const pg = await figuresOf('lead-down-referral-share', 'province', PROVINCE, 'quarter', 'postgres');
    expect(await figuresOf('lead-down-referral-share', 'province', PROVINCE, 'quarter', 'analytic')).toEqual(pg);
    expect(await feed.refreshReference()).toEqual({ copied: false });
  });

  it('auto: cities and provinces read DuckDB, counties PostgreSQL; a small backlog is drained first', async () => {
    seq = 3000;
    await t.services.indicators.recordActivities(sys, batch('late', 20));
    expect(await feed.backlog()).toEqual({ rows: 1, records: 20 });
    // DuckDB alone has not seen the batch yet: forced, it would show figures missing committed records.
    const stale = await figuresOf('county-visit-rate', 'city', CITY, 'quarter', 'analytic');
    const pg = await figuresOf('county-visit-rate', 'city', CITY, 'quarter', 'postgres');
    expect(stale).not.toEqual(pg);
    const spy = vi.spyOn(feed.store, 'sumActivityTerm');
    try {
      expect(await figuresOf('county-visit-rate', 'city', CITY, 'quarter', 'auto')).toEqual(pg);
      expect(await feed.backlog()).toEqual({ rows: 0, records: 0 });
      expect(spy).toHaveBeenCalledTimes(2);
      await figuresOf('county-visit-rate', 'county', A, 'quarter', 'auto');
      await figuresOf('up-referrals', 'province', PROVINCE, 'quarter', 'auto');
      expect(spy).toHaveBeenCalledTimes(2);
    } finally {
      spy.mockRestore();
    }
    await expectEqualAggregates();
  });

  it('auto falls back to PostgreSQL when the store is not filled yet or a backlog is too large to drain', async () => {
    const other = new ActivityAnalyticsFeed(t.database.db, { path: ':memory:', readDrainLimit: 5 });
    const service = new IndicatorService(t.database.db, { network: t.services.network, audit: t.services.audit, analytics: other });
    const spy = vi.spyOn(other.store, 'sumActivityTerm');
    try {
      const pg = await figuresOf('in-county-fund-share', 'province', PROVINCE, 'month', 'postgres');
      // A new store is filled by a resync on its first drain, never inside an evaluation.
      expect(await figuresOf('in-county-fund-share', 'province', PROVINCE, 'month', 'auto', service)).toEqual(pg);
      expect(spy).not.toHaveBeenCalled();
      expect(await other.store.isInitialised()).toBe(false);
      await other.drain();
      expect(await figuresOf('in-county-fund-share', 'province', PROVINCE, 'month', 'auto', service)).toEqual(pg);
      expect(spy).toHaveBeenCalled();
      spy.mockClear();

      // 10 records waiting, more than this store drains inside an evaluation: PostgreSQL answers, the outbox stays.
      seq = 3500;
      await t.services.indicators.recordActivities(sys, batch('bulk-like', 10));
      const pgNow = await figuresOf('in-county-fund-share', 'province', PROVINCE, 'month', 'postgres');
      expect(pgNow).not.toEqual(pg);
      expect(await figuresOf('in-county-fund-share', 'province', PROVINCE, 'month', 'auto', service)).toEqual(pgNow);
      expect(spy).not.toHaveBeenCalled();
      expect(await feed.backlog()).toEqual({ rows: 1, records: 10 });
    } finally {
      spy.mockRestore();
      await other.stop();
    }
    await feed.drain();
    await expectEqualAggregates();
  });
});

describe('the drainer in the server process', () => {
  it('keeps the store closed while there is nothing to drain, and opens it for the first record or the first read', async () => {
    await feed.drain();
    const quiet = new ActivityAnalyticsFeed(t.database.db, { path: path.join(tmp, 'quiet', 'activity.duckdb'), pollMs: 20 });
    quiet.start();
    await new Promise((r) => setTimeout(r, 200));
    expect(quiet.store.opened).toBe(false); // ten polls, an empty outbox: DuckDB not loaded
    seq = 1600;
    await t.services.indicators.recordActivities(sys, batch('wakes', 4));
    await vi.waitFor(async () => expect(await quiet.backlog()).toEqual({ rows: 0, records: 0 }), { timeout: 10_000 });
    expect(quiet.store.opened).toBe(true);
    await expectEqualAggregates(quiet); // a new file: filled from PostgreSQL before the batch, as at start-up before
    await quiet.stop();
    await feed.resyncFromPostgres(); // the service's own store missed the batch the quiet feed drained

    const reader = new ActivityAnalyticsFeed(t.database.db, { path: path.join(tmp, 'reader', 'activity.duckdb'), pollMs: 20 });
    reader.start();
    await new Promise((r) => setTimeout(r, 100));
    expect(reader.store.opened).toBe(false);
    // The first city or province read opens it: not filled yet, so that read goes to PostgreSQL and the store fills itself.
    expect(await reader.catchUpForReads()).toBe(false);
    await vi.waitFor(async () => expect(await reader.catchUpForReads()).toBe(true), { timeout: 10_000 });
    await expectEqualAggregates(reader);
    await reader.stop();
  });

  it('picks up a batch posted over HTTP without an explicit drain()', async () => {
    feed.start();
    const before = (await feed.store.counts()).records;
    seq = 1500;
    const res = await t.as('admin')({ method: 'POST', url: '/api/v1/activities/$batch', payload: { activities: batch('http', 5) } });
    expect(res.statusCode).toBe(200);
    let records = before;
    for (let i = 0; i < 200 && records !== before + 5; i++) {
      await new Promise((r) => setTimeout(r, 50));
      records = (await feed.store.counts()).records;
    }
    expect(records).toBe(before + 5);
    expect(await feed.backlog()).toEqual({ rows: 0, records: 0 });
    await expectEqualAggregates();
  });
});

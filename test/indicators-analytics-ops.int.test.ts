import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestApp, type TestApp } from './helpers/app.js';
import { organizations } from '../src/db/schema/index.js';
import type { ActivityInput } from '../src/contracts/activity.js';
import type { RequestContext } from '../src/shared/context.js';
import { ManualClock } from '../src/shared/clock.js';
import { buildApp } from '../src/http/app.js';
import { buildServices } from '../src/http/deps.js';
import { loadConfig } from '../src/config/env.js';
import { createDatabase } from '../src/db/client.js';
import { createScratchDatabase } from '../src/db/scratch-database.js';
import { ensureBaseData } from '../src/db/seed/index.js';
import { ActivityAnalyticsFeed, IndicatorService, type AnalyticsOperationResult, type AnalyticsStatus } from '../src/modules/indicators/index.js';

/**
 * The analytic store's operations for operators (docs/indicators.md, "Analytic store" → "Operations"):
 * `POST /api/v1/indicators/rebuild` with `store` (postgres, analytics, analytics-resync) and
 * `GET /api/v1/indicators/analytics/status` — system administrators only, 409 in a process without a store or that
 * does not drain it, 400 for a county with the analytic store — and `yilian indicators` in direct mode.
 *
 * Area: 浙江省 杭州市 桐庐县 A = 330122 (residents, facilities H and C).
 */
const A = '330122';
const H = 'ops-H';
const C = 'ops-C';
const orgRows = [
  { id: H, identifier: 'ops-H-code', identifierKind: 'local' as const, name: '桐庐县人民医院', tier: 'county-hospital' as const, divisionCode: A, countyCode: A },
  { id: C, identifier: 'ops-C-code', identifierKind: 'local' as const, name: '分水镇中心卫生院', tier: 'township-health-center' as const, divisionCode: A, countyCode: A },
];

let seq = 0;
/** Visits and stays (some discharged), with and without fund payment. */
function record(key: string): ActivityInput {
  const n = seq++;
  const inpatient = n % 4 === 1;
  const month = String(1 + (n % 9)).padStart(2, '0');
  const day = String(1 + (n % 20)).padStart(2, '0');
  return {
    source: 'test:analytics-ops', sourceRecordId: key, class: inpatient ? 'inpatient' : 'outpatient', residenceDivisionCode: A, facilityId: n % 2 ? H : C,
    startDate: `2026-${month}-${day}`, ...(inpatient && n % 8 !== 1 ? { endDate: `2026-${month}-${String(1 + (n % 20) + 3).padStart(2, '0')}` } : {}),
    diagnoses: ['J06.9'], totalCost: `${100 + n}.${String(n % 100).padStart(2, '0')}`, ...(n % 7 === 4 ? {} : { fundPaid: `${50 + (n % 40)}.05` }),
    insured: n % 7 !== 4, pharmacy: false, viaReferral: n % 6 === 0,
  };
}
const batch = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => record(`${prefix}-${i}`));

describe('analytic store operations through the API', () => {
  let t: TestApp;
  let feed: ActivityAnalyticsFeed;
  const admin = () => t.as('admin');
  const status = async () => {
    const res = await admin()({ url: '/api/v1/indicators/analytics/status' });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as AnalyticsStatus;
  };
  const rebuild = (payload: unknown, user = 'admin') => t.as(user)({ method: 'POST', url: '/api/v1/indicators/rebuild', payload });
  const record = async (prefix: string, count: number) => {
    const res = await admin()({ method: 'POST', url: '/api/v1/activities/$batch', payload: { activities: batch(prefix, count) } });
    expect(res.statusCode, res.body).toBe(200);
    expect((res.json() as { results: { ok: boolean; duplicate?: boolean }[] }).results.every((r) => r.ok && !r.duplicate)).toBe(true);
  };
  let fingerprintBefore: AnalyticsStatus['comparison'];

  beforeAll(async () => {
    t = await createTestApp();
    await t.database.db.insert(organizations).values(orgRows);
    feed = t.services.indicators.analytics!;
    expect(feed.store.location).toBe(':memory:');
    await feed.drain(); // initialised while PostgreSQL holds no activity: everything below arrives through the outbox
  });

  afterAll(async () => {
    await feed?.stop();
    await t?.close();
  });

  it('status after records were drained: configured, drainer, no backlog, equal to PostgreSQL', async () => {
    await record('first', 40);
    expect(await feed.drain()).toMatchObject({ records: 40 });
    const s = await status();
    expect(s).toMatchObject({ configured: true, drainer: true, location: ':memory:', initialised: true, backlog: { rows: 0, records: 0 }, duckdb: { records: 40 } });
    expect(s.message).toBeUndefined();
    expect(s.comparison?.equal).toBe(true);
    expect(s.comparison?.differences).toEqual([]);
    expect(s.comparison?.duckdb).toEqual(s.comparison?.postgres);
    expect(s.duckdb?.aggregateRows).toBe(Number(s.comparison?.duckdb.rows));
    expect(Number(s.comparison?.postgres.records)).toBe(40);
    expect(typeof s.ms).toBe('number');
    fingerprintBefore = s.comparison;
  });

  it('rebuild of the analytic store: equal to PostgreSQL, the same fingerprint as before', async () => {
    const res = await rebuild({ store: 'analytics' });
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json() as AnalyticsOperationResult;
    expect(r).toMatchObject({ store: 'analytics', records: 40, drained: 0, backlog: { rows: 0, records: 0 } });
    expect(r.aggregateRows).toBe(Number(fingerprintBefore!.duckdb.rows));
    expect(r.comparison.equal).toBe(true);
    expect(r.comparison.duckdb).toEqual(fingerprintBefore!.duckdb);
    expect(typeof r.ms).toBe('number');
    expect(typeof r.totalMs).toBe('number');
  });

  it('status changes nothing: a waiting batch shows as backlog and as the difference; a rebuild drains it first', async () => {
    await record('second', 15);
    const s = await status();
    expect(s.backlog).toEqual({ rows: 1, records: 15 });
    expect(s.duckdb?.records).toBe(40);
    expect(s.comparison?.equal).toBe(false);
    expect(s.comparison?.differences.some((d) => d.startsWith('records: '))).toBe(true);
    expect(await feed.backlog()).toEqual({ rows: 1, records: 15 }); // still there: status did not drain

    const r = (await rebuild({ store: 'analytics' })).json() as AnalyticsOperationResult;
    expect(r).toMatchObject({ store: 'analytics', records: 55, drained: 15, backlog: { rows: 0, records: 0 } });
    expect(r.comparison.equal).toBe(true);
    expect(Number(r.comparison.postgres.records)).toBe(55);
  });

  it('resync from PostgreSQL: equal, waiting batches counted once', async () => {
    await record('third', 10);
    const res = await rebuild({ store: 'analytics-resync' });
    expect(res.statusCode, res.body).toBe(200);
    const r = res.json() as AnalyticsOperationResult;
    expect(r).toMatchObject({ store: 'analytics-resync', records: 65, backlog: { rows: 0, records: 0 } });
    expect(r.comparison.equal).toBe(true);
    expect(Number(r.comparison.duckdb.records)).toBe(65);
    const s = await status();
    expect(s).toMatchObject({ backlog: { rows: 0, records: 0 }, duckdb: { records: 65 } });
    expect(s.comparison?.equal).toBe(true);
  });

  it('store "postgres" (and no store) rebuild PostgreSQL\'s pre-aggregate as before, whole or one county', async () => {
    const whole = await rebuild({ store: 'postgres' });
    expect(whole.statusCode, whole.body).toBe(200);
    expect(whole.json()).toMatchObject({ store: 'postgres', records: 65 });
    const county = await rebuild({ countyCode: A });
    expect(county.statusCode, county.body).toBe(200);
    expect(county.json()).toMatchObject({ store: 'postgres', records: 65 });
    expect((await status()).comparison?.equal).toBe(true);
  });

  it('system administrators only; a county with the analytic store, or an unknown store, is refused with 400', async () => {
    for (const res of [
      await rebuild({ store: 'analytics' }, 'commission.officer'),
      await rebuild({ store: 'analytics-resync' }, 'commission.officer'),
      await t.as('commission.officer')({ url: '/api/v1/indicators/analytics/status' }),
    ]) {
      expect(res.statusCode, res.body).toBe(403);
      expect(res.json().message).toContain('只有系统管理员');
    }
    const county = await rebuild({ store: 'analytics', countyCode: A });
    expect(county.statusCode).toBe(400);
    expect(county.json()).toMatchObject({ code: 'invalid', path: 'countyCode' });
    expect(county.json().message).toContain('总是整体重建');
    expect(county.json().message).toContain('always rebuilt whole');
    expect((await rebuild({ store: 'analytics-resync', countyCode: A })).statusCode).toBe(400);
    expect((await rebuild({ store: 'duckdb' })).statusCode).toBe(400);
  });

  it('a process without a store, and one that does not drain it, answer 409 to the operations and say so in the status', async () => {
    const token = await t.tokenFor('admin');
    const inject = (app: FastifyInstance, method: 'GET' | 'POST', url: string, payload?: unknown) =>
      app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload === undefined ? {} : { payload: payload as string }) });
    const { network, audit } = t.services;
    const refused = new ActivityAnalyticsFeed(t.database.db, { path: ':memory:', claimDrainer: async () => null });
    refused.start();
    await vi.waitFor(() => expect(refused.drains).toBe(false));
    const cases = [
      { indicators: new IndicatorService(t.database.db, { network, audit }), message: '本进程没有分析库（DuckDB）', configured: false },
      { indicators: new IndicatorService(t.database.db, { network, audit, analytics: refused }), message: '本进程不是分析库（DuckDB）的同步进程', configured: true },
    ];
    try {
      for (const c of cases) {
        const app = await buildApp({ database: t.database, config: t.config, clock: t.clock, services: { ...t.services, indicators: c.indicators } });
        try {
          for (const store of ['analytics', 'analytics-resync']) {
            const res = await inject(app, 'POST', '/api/v1/indicators/rebuild', { store });
            expect(res.statusCode, res.body).toBe(409);
            expect(res.json()).toMatchObject({ code: 'conflict' });
            expect(res.json().message).toContain(c.message);
            expect(res.json().message).toMatch(/analytic store/);
          }
          const s = await inject(app, 'GET', '/api/v1/indicators/analytics/status');
          expect(s.statusCode, s.body).toBe(200);
          expect(s.json()).toMatchObject({ configured: c.configured, drainer: false, backlog: { rows: 0, records: 0 }, duckdb: null, comparison: null });
          expect(s.json().message).toContain(c.message);
          // PostgreSQL's rebuild does not need the analytic store.
          expect((await inject(app, 'POST', '/api/v1/indicators/rebuild', {})).json()).toMatchObject({ store: 'postgres', records: 65 });
        } finally {
          await app.close();
        }
      }
    } finally {
      await refused.stop();
    }
  });
});

describe('yilian indicators (direct mode)', () => {
  const root = path.resolve(import.meta.dirname, '..');
  const bin = path.join(root, 'bin', 'yilian.mjs');
  const work = mkdtempSync(path.join(os.tmpdir(), 'yilian-analytics-ops-cli-'));
  const dataDir = path.join(work, 'data');
  let databaseUrl = '';
  let dropDatabase = async () => {};

  function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const env: Record<string, string | undefined> = {
      // NODE_ENV=test would keep the store in memory; the command must open <dataDir>/analytics/activity.duckdb.
      ...process.env, NODE_ENV: 'development', YILIAN_DATA_DIR: dataDir, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', NODE_OPTIONS: '',
    };
    if (!databaseUrl) delete env.DATABASE_URL;
    return new Promise((resolve) => {
      execFile(process.execPath, [bin, ...args], { cwd: work, env: env as NodeJS.ProcessEnv, timeout: 180_000 }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  }
  const json = (r: { stdout: string }) => JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;

  beforeAll(async () => {
    if (process.env.DATABASE_URL) {
      const scratch = await createScratchDatabase(process.env.DATABASE_URL, 'yilian_analytics_ops_cli');
      databaseUrl = scratch.url;
      dropDatabase = scratch.drop;
    }
    // Records stored while no analytic store ran (the CLI's first DuckDB operation fills a new file from PostgreSQL).
    const database = await createDatabase(databaseUrl ? { databaseUrl, poolSize: 2 } : { dataDir, lockOwner: 'analytics ops cli test' });
    try {
      await database.migrate();
      await ensureBaseData(database.db, { info: () => {} });
      await database.db.insert(organizations).values(orgRows);
      const services = buildServices(database, loadConfig({ NODE_ENV: 'test', YILIAN_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }));
      const sys: RequestContext = { actor: { userId: '', username: 'ops-test', organizationId: null, roles: ['system-admin'] }, clock: new ManualClock('2026-11-22T02:00:00Z'), channel: 'system' };
      seq = 0;
      const r = await services.indicators.recordActivities(sys, batch('cli', 30));
      expect(r.results.every((x) => x.ok)).toBe(true);
      await services.indicators.analytics?.stop();
    } finally {
      await database.close();
    }
  });

  afterAll(async () => {
    await dropDatabase();
    rmSync(work, { recursive: true, force: true });
  });

  it('rebuilds the analytic store in its file beside the database, then reports it equal to PostgreSQL', async () => {
    const rebuilt = await cli(['indicators', 'rebuild', '--store', 'analytics', '--json']);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(json(rebuilt)).toMatchObject({ store: 'analytics', via: 'database', records: 30, backlog: { rows: 0, records: 0 }, comparison: { equal: true, differences: [] } });
    expect(existsSync(path.join(dataDir, 'analytics', 'activity.duckdb'))).toBe(true);

    const s = await cli(['indicators', 'analytics-status']);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toContain('分析库状态 / analytic store status (via database)');
    expect(s.stdout).toMatch(/待同步 outbox backlog: 0 批 rows, 0 条记录 records/);
    expect(s.stdout).toMatch(/DuckDB: 30 条记录 records/);
    expect(s.stdout).toMatch(/与 PostgreSQL 一致 \/ equal to PostgreSQL: 是 yes/);
  });
});

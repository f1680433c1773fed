import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { and, count, eq } from 'drizzle-orm';
import { createDatabase, readLockHolder, type Database } from '../src/db/client.js';
import { activityRecords, organizations } from '../src/db/schema/index.js';
import { activityInputSchema } from '../src/contracts/activity.js';
import { createScratchDatabase } from '../src/db/scratch-database.js';
import { databaseKind } from './helpers/app.js';

/**
 * `yilian generate activity` and `yilian import encounters` as real child processes on a fresh PGlite directory or
 * PostgreSQL database with a small demo county: a deterministic calibrated year as NDJSON, its import and re-import
 * (duplicates, nothing twice), a CSV with Chinese headers and bad rows (reject file with reasons), loading directly,
 * and — on PGlite — importing through the running server that holds the data directory.
 */
const root = path.resolve(import.meta.dirname, '..');
const bin = path.join(root, 'bin', 'yilian.mjs');
const ADMIN_PASSWORD = 'Yilian@2026';
const work = mkdtempSync(path.join(tmpdir(), 'yilian-activity-cli-'));
const dataDir = path.join(work, 'data');
let databaseUrl = '';
let dropDatabase = async () => {};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<Run> {
  const all: Record<string, string | undefined> = {
    ...process.env, YILIAN_DATA_DIR: dataDir, DATABASE_URL: databaseUrl, YILIAN_ADMIN_PASSWORD: ADMIN_PASSWORD, YILIAN_ADMIN_USER: '',
    LOG_LEVEL: 'warn', NODE_OPTIONS: '', ...env,
  };
  for (const [k, v] of Object.entries(all)) if (v === undefined) delete all[k];
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: work, env: all as NodeJS.ProcessEnv, timeout: 240_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const json = (r: Run) => JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
const write = (name: string, text: string) => {
  const p = path.join(work, name);
  writeFileSync(p, text);
  return p;
};
const rejectsOf = (file: string) => parse(readFileSync(file), { bom: true, columns: true, skip_empty_lines: true }) as Record<string, string>[];

async function withDatabase<T>(fn: (db: Database['db']) => Promise<T>): Promise<T> {
  const database = await createDatabase(databaseUrl ? { databaseUrl, poolSize: 2 } : { dataDir, lockOwner: 'activity cli test' });
  try {
    return await fn(database.db);
  } finally {
    await database.close();
  }
}
const recordCount = () => withDatabase(async (db) => (await db.select({ n: count() }).from(activityRecords))[0]!.n);

beforeAll(async () => {
  if (process.env.DATABASE_URL) {
    const scratch = await createScratchDatabase(process.env.DATABASE_URL, 'yilian_activity_cli');
    databaseUrl = scratch.url;
    dropDatabase = scratch.drop;
  }
  const seeded = await cli(['seed', 'demo', '--residents', '300', '--seed', '11', '--no-progress', '--json']);
  if (seeded.code !== 0) throw new Error(`seed failed: ${seeded.stderr}`);
});

afterAll(async () => {
  await dropDatabase();
  rmSync(work, { recursive: true, force: true });
});

describe(`yilian generate activity / import encounters on ${databaseKind}`, { timeout: 300_000 }, () => {
  let ndjson = '';
  let generated = 0;

  it('generates a deterministic, calibrated year of the demo county as NDJSON', async () => {
    ndjson = path.join(work, 'activity.ndjson');
    const r = await cli(['generate', 'activity', '--county', '350821', '--year', '2025', '--seed', '7', '--out', ndjson, '--no-progress', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const s = json(r) as { generated: number; residents: number; calibration: Record<string, number> };
    expect(s.residents).toBe(300);
    generated = s.generated;
    const lines = readFileSync(ndjson, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(generated);
    expect(lines.slice(0, 200).every((l) => activityInputSchema.safeParse(JSON.parse(l)).success)).toBe(true);
    // 300 residents: loose bounds around domain.md §1 (the unit tests check 20,000).
    expect(s.calibration.visitsPerResident).toBeGreaterThan(6.3);
    expect(s.calibration.visitsPerResident).toBeLessThan(7.3);
    expect(s.calibration.grassrootsShare).toBeGreaterThan(0.48);
    expect(s.calibration.grassrootsShare).toBeLessThan(0.64);
    expect(s.calibration.inCountyVisitShare).toBeGreaterThan(0.87);
    expect(s.calibration.inCountyVisitShare).toBeLessThan(0.96);

    const again = path.join(work, 'again.ndjson');
    const r2 = await cli(['generate', 'activity', '--year', '2025', '--seed', '7', '--out', again, '--no-progress']);
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stdout).toContain('县域就诊率 in-county visits');
    expect(readFileSync(again, 'utf8')).toBe(readFileSync(ndjson, 'utf8'));

    const bad = await cli(['generate', 'activity', '--county', '3508', '--year', '2025']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--county');
  });

  it('imports it in batches; importing the same file again inserts nothing and reports duplicates', async () => {
    const r = await cli(['import', 'encounters', ndjson, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ kind: 'encounters', via: 'database', read: generated, inserted: generated, duplicates: 0, rejected: 0 });
    expect(await recordCount()).toBe(generated);

    const again = await cli(['import', 'encounters', ndjson]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`读取 read:\\s+${generated}`));
    expect(again.stdout).toMatch(/新增 inserted:\s+0\n/);
    expect(again.stdout).toMatch(new RegExp(`重复 duplicates:\\s+${generated}`));
    expect(again.stdout).toMatch(/拒绝 rejected:\s+0/);
    expect(await recordCount()).toBe(generated);
  });

  it('imports a CSV with Chinese headers, keeps every good row and writes the bad ones with their reasons', async () => {
    const [ch] = await withDatabase((db) => db.select({ identifier: organizations.identifier }).from(organizations).where(and(eq(organizations.tier, 'county-hospital'), eq(organizations.countyCode, '350821'))));
    const file = write('encounters.csv', [
      '来源系统,就诊流水号,就诊类型,居住地区划代码,机构,机构区划代码,科室,就诊日期,出院日期,诊断,总费用,统筹基金支付,参保,经转诊',
      `his:test,C-1,门诊,350821100,${ch!.identifier},,internal-medicine,2025/3/2,,J06.9,362.50,217.50,是,否`,
      `his:test,C-2,住院,350821100,${ch!.identifier},,neurology,2025-04-01,2025-04-09,I63.9;I10,10316.00,6500.00,是,是`,
      'insurance,C-3,住院,350821100,,350102,,2025-05-01,2025-05-10,C34.9,24680.30,12000,是,是',
      'his:test,C-4,复诊,350821100,,350102,,2025-05-01,,J06.9,10,,是,否',
      'his:test,C-5,门诊,350821100,,350102,,2025-05-01,,J06.9,1.234,,是,否',
      'his:test,C-6,门诊,350821100,NO-SUCH-ORG,,,2025-05-01,,J06.9,10,,是,否',
      'his:test,C-7,门诊,350821100,,,,2025-05-01,,J06.9,10,,是,否',
      `his:test,C-8,门诊,350821100,${ch!.identifier},,,2099-01-01,,J06.9,10,,是,否`,
      `his:test,C-1,门诊,350821100,${ch!.identifier},,internal-medicine,2025-03-02,,J06.9,362.50,217.50,是,否`,
      'short,row',
    ].join('\n'));
    const r = await cli(['import', 'encounters', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ read: 10, inserted: 3, duplicates: 1, rejected: 6, rejectsPath: `${file}.rejects.csv` });
    const rejects = rejectsOf(`${file}.rejects.csv`);
    expect(rejects.map((x) => x.line)).toEqual(['5', '6', '7', '8', '9', '11']);
    const reason = (line: string) => rejects.find((x) => x.line === line)!.reason;
    expect(reason('5')).toMatch(/^class:/);
    expect(reason('6')).toMatch(/^totalCost: 金额应为元/);
    expect(reason('7')).toContain('NO-SUCH-ORG');
    expect(reason('8')).toMatch(/^facilityId: /);
    expect(reason('9')).toContain('晚于今天');
    expect(reason('11')).toContain('列数不符');
    expect(rejects[0]).toMatchObject({ 就诊流水号: 'C-4', 就诊类型: '复诊' });

    const rows = await withDatabase((db) => db.select().from(activityRecords).where(eq(activityRecords.source, 'his:test')));
    expect(rows.map((x) => x.sourceRecordId).sort()).toEqual(['C-1', 'C-2']);
    expect(rows.find((x) => x.sourceRecordId === 'C-2')).toMatchObject({ class: 'inpatient', startDate: '2025-04-01', endDate: '2025-04-09', diagnoses: ['I63.9', 'I10'], viaReferral: true });
    const [c3] = await withDatabase((db) => db.select().from(activityRecords).where(and(eq(activityRecords.source, 'insurance'), eq(activityRecords.sourceRecordId, 'C-3'))));
    expect(c3).toMatchObject({ facilityId: null, facilityDivisionCode: '350102' });
    expect(Number(c3!.totalCost)).toBe(24680.3);
  });

  it('loads a generated year directly in batches, and a second load adds nothing', async () => {
    const before = await recordCount();
    const r = await cli(['generate', 'activity', '--year', '2024', '--seed', '3', '--load', '--no-progress', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const s = json(r) as { generated: number; inserted: number; duplicates: number; rejected: number; loaded: boolean };
    expect(s).toMatchObject({ loaded: true, duplicates: 0, rejected: 0 });
    expect(s.inserted).toBe(s.generated);
    expect(await recordCount()).toBe(before + s.generated);
    const again = await cli(['generate', 'activity', '--year', '2024', '--seed', '3', '--load', '--no-progress', '--json']);
    expect(json(again)).toMatchObject({ inserted: 0, duplicates: s.generated, rejected: 0 });
    expect(await recordCount()).toBe(before + s.generated);
  });

  describe.skipIf(databaseKind !== 'pglite')('while the real server holds the data directory', () => {
    let stop = async () => {};
    afterAll(async () => stop());

    it('imports encounters through the server API; generating from the database asks to stop the server', async () => {
      const port = await new Promise<number>((resolve) => {
        const s = createServer();
        s.listen(0, '127.0.0.1', () => {
          const { port: p } = s.address() as { port: number };
          s.close(() => resolve(p));
        });
      });
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'main.ts')], {
        cwd: root,
        env: { ...process.env, DATABASE_URL: '', YILIAN_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', YILIAN_SEED_DEMO: 'false', YILIAN_ADMIN_PASSWORD: ADMIN_PASSWORD, LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let log = '';
      child.stdout!.on('data', (d) => (log += d));
      child.stderr!.on('data', (d) => (log += d));
      stop = async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      };
      const url = `http://127.0.0.1:${port}`;
      const deadline = Date.now() + 90_000;
      for (;;) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the server did not start:\n${log}`);
        if ((await fetch(`${url}/health`).then((r) => r.ok, () => false)) && readLockHolder(dataDir)?.url) break;
        await new Promise((r) => setTimeout(r, 250));
      }

      const file = write('via-server.ndjson', [
        JSON.stringify({ source: 'his:server', sourceRecordId: 'S-1', class: 'outpatient', residenceDivisionCode: '350821100', facilityDivisionCode: '350102', startDate: '2025-06-01', diagnoses: ['J06.9'], totalCost: '88.00', fundPaid: '40.00' }),
        JSON.stringify({ 来源系统: 'his:server', 来源记录号: 'S-2', 就诊类型: 'inpatient', 居住地区划代码: '350821100', 机构区划代码: '350102', 入院日期: '2025-06-02', 出院日期: '2025-06-05', 总费用: 5000 }),
        JSON.stringify({ source: 'his:server', sourceRecordId: 'S-3', class: 'outpatient', residenceDivisionCode: '350821100', facilityDivisionCode: '350102', startDate: '2025-06-01', totalCost: '10.00', fundPaid: '20.00' }),
      ].join('\n'));
      const r = await cli(['import', 'encounters', file, '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(json(r)).toMatchObject({ via: 'server', read: 3, inserted: 2, duplicates: 0, rejected: 1 });
      expect(rejectsOf(`${file}.rejects.csv`)[0]!.reason).toContain('医保基金支付不能超过总费用');
      const again = await cli(['import', 'encounters', file, '--json']);
      expect(json(again)).toMatchObject({ via: 'server', inserted: 0, duplicates: 2, rejected: 1 });

      const gen = await cli(['generate', 'activity', '--year', '2025', '--out', path.join(work, 'x.ndjson')]);
      expect(gen.code).toBe(1);
      expect(gen.stderr).toContain('stop the server first');
      await stop();
    });
  });
});

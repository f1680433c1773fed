import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import type { Config } from '../../config/env.js';
import type { ActivityInput } from '../../contracts/activity.js';
import { loadCountyForActivity } from '../../db/seed/demo-activity.js';
import {
  createActivityTally, DEMO_OUTSIDE_FACILITIES, generateCountyActivity, type ActivityTally,
} from '../../modules/indicators/index.js';
import { shanghaiDate } from '../../shared/clock.js';
import { AppError } from '../../shared/errors.js';
import { DirectBackend, ServerBackend, type CliBackend } from '../backend.js';
import { FatalError, UsageError } from '../errors.js';
import { print, say } from '../output.js';
import { createProgress } from '../progress.js';
import { connectToServer, lockedMessage, openTarget, prepareDirect, type ServerCredentials } from '../target.js';
import { activityFields, toActivityInput } from '../import/activity-fields.js';
import type { HeaderMapping } from '../import/fields.js';
import { ImportAborted, runImport, type ImportJob, type ImportSummary } from '../import/runner.js';
import { detectFormat, openSource } from '../import/source.js';
import { FieldReader, type ImportOptions } from './import.js';

/** Activities per call of recordActivities / POST /api/v1/activities/$batch (its maximum). */
export const ACTIVITY_BATCH_SIZE = 1000;

/** Writes a batch and reports each row: inserted, duplicate (already recorded), or refused with the service's reason. */
async function recordBatch(backend: CliBackend, values: ActivityInput[], done: (index: number, outcome: AppError | null | 'duplicate') => void) {
  const results = await backend.recordActivities(values);
  results.forEach((r, k) => done(k, r.ok ? (r.duplicate ? 'duplicate' : null) : r.error));
}

async function openBackend(config: Config, creds: ServerCredentials): Promise<{ backend: CliBackend; close: () => Promise<void> }> {
  const target = await openTarget(config, { allowServer: true });
  if (target.kind === 'server') return { backend: new ServerBackend(await connectToServer(target, config, creds)), close: async () => {} };
  const close = () => target.platform.database.close();
  try {
    await prepareDirect(target.platform, config);
  } catch (e) {
    await close();
    throw e;
  }
  return { backend: new DirectBackend(target.platform), close };
}

function checkHeader(m: HeaderMapping): void {
  if (m.missingRequired.length) {
    throw new UsageError(
      `文件缺少必需的列 / missing required column(s): ${m.missingRequired.map((s) => `${s.name}（${s.label}）`).join(', ')} — 见 docs/import-formats.md`,
    );
  }
  if (!m.fields.some((f) => f?.name === 'facilityId' || f?.name === 'facilityDivisionCode')) {
    throw new UsageError('文件需要 facilityId（机构）或 facilityDivisionCode（机构区划代码）列 / a facilityId or facilityDivisionCode column is required');
  }
  if (m.unknown.length) say(`忽略未知的列 / ignoring unknown column(s): ${m.unknown.join(', ')}（encounters）`);
  if (m.duplicated.length) say(`忽略重复的列 / ignoring repeated column(s): ${m.duplicated.join(', ')}`);
}

/**
 * `yilian import encounters <file>`: outpatient visits and inpatient stays (NDJSON or CSV) in batches of 1,000 to the
 * indicators service — directly, or through the running server that holds the embedded database. Records already
 * recorded (same source and source record id) are counted as duplicates and change nothing.
 */
export async function runImportEncounters(file: string, opts: ImportOptions, config: Config, signal: AbortSignal): Promise<void> {
  const input = path.resolve(file);
  const format = detectFormat(input, opts.format);
  const rejectsPath = path.resolve(opts.rejects ?? `${input}.rejects.csv`);
  if (rejectsPath === input) throw new UsageError('--rejects 不能与输入文件相同 / must differ from the input file');
  const source = openSource(input, { format, encoding: opts.encoding });
  const { backend, close } = await openBackend(config, opts);
  try {
    const reader = new FieldReader(source, activityFields, checkHeader);
    const job: ImportJob<ActivityInput> = {
      source,
      label: '导入就诊 encounters',
      rejectsPath,
      progress: opts.progress,
      signal,
      concurrency: 1,
      rejectColumns: () => reader.rejectColumns(),
      rejectValues: (item) => reader.rejectValues(item),
      prepare: (item) => {
        const r = toActivityInput(reader.values(item));
        return r.ok ? { ok: true, value: r.value, key: 'encounters' } : r;
      },
      apply: async (value) => {
        const [r] = await backend.recordActivities([value]);
        if (!r) throw new FatalError('no result for the record');
        if (!r.ok) throw r.error;
        return r.duplicate ? 'duplicate' : undefined;
      },
      batchSize: ACTIVITY_BATCH_SIZE,
      applyBatch: (values, done) => recordBatch(backend, values, done),
    };
    try {
      report(input, backend.via, await runImport(job), opts.json);
    } catch (e) {
      if (e instanceof ImportAborted) {
        if (e.reason instanceof UsageError) throw e.reason;
        report(input, backend.via, e.summary, opts.json, true);
        throw new FatalError(`导入中止，已写入的记录保留，重新运行同一文件即可（已导入的记录计为重复） / import stopped; records written so far stay, re-running the same file counts them as duplicates: ${(e.reason as Error).message}`);
      }
      throw e;
    }
  } finally {
    await close();
  }
}

function report(input: string, via: string, s: ImportSummary, json?: boolean, aborted = false): void {
  if (json) {
    print(JSON.stringify({ kind: 'encounters', file: input, via, ...s, inserted: s.imported, aborted }));
    return;
  }
  const by = Object.entries(s.rejectedBy).map(([k, n]) => `${k} ${n}`).join(', ');
  print(
    [
      `${aborted ? '导入中止 / import stopped' : s.interrupted ? '导入已中断 / import interrupted' : '导入完成 / import finished'}: encounters ← ${input} (via ${via})`,
      `  读取 read:        ${s.read}`,
      `  新增 inserted:    ${s.imported}`,
      `  重复 duplicates:  ${s.duplicates}`,
      `  拒绝 rejected:    ${s.rejected}${by ? `  (${by})` : ''}`,
      ...(s.rejectsPath ? [`  拒绝文件 rejects: ${s.rejectsPath}`] : []),
      `  用时 elapsed:     ${(s.elapsedMs / 1000).toFixed(1)} s, ${s.rowsPerSecond} 行/秒 rows/s`,
    ].join('\n'),
  );
}

// ---------------------------------------------------------------------------------------------------------------
// yilian generate activity

export interface GenerateActivityOptions extends ServerCredentials {
  county: string;
  year?: string;
  seed?: string;
  until?: string;
  out?: string;
  load?: boolean;
  progress: boolean;
  json?: boolean;
}

/**
 * The generator's inputs for one county, read from the database: the county's active facilities with their
 * departments, the city, regional and national hospitals of the same province (where residents go out of the
 * county), and the county's residents (id, residence, birth date, sex, chronic conditions), in id order.
 */
const wholeNumber = (v: string | undefined, name: string, min: number, max: number): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name} 应为 ${min}-${max} 的整数 / must be a whole number from ${min} to ${max} (got ${v})`);
  return n;
};

/**
 * `yilian generate activity`: a year of synthetic visits and stays of a county's residents (calibrated to
 * domain.md §1), written as NDJSON (`--out`, or stdout) and/or loaded in batches of 1,000 (`--load`). It reads the
 * county's facilities and residents from the database, so it needs the database itself (PostgreSQL, or the embedded
 * one while no server holds it); the written file can be imported later with `yilian import encounters`, also
 * through a running server.
 */
export async function runGenerateActivity(config: Config, opts: GenerateActivityOptions, signal: AbortSignal): Promise<void> {
  const county = opts.county;
  if (!/^\d{6}$/.test(county) || county.endsWith('00')) throw new UsageError(`--county 应为县级区划代码（6位，如 350821） / must be a county code (got ${county})`);
  const year = wholeNumber(opts.year, '--year', 2000, 2100) ?? new Date().getUTCFullYear();
  const seed = wholeNumber(opts.seed, '--seed', 0, 2 ** 31 - 1) ?? config.demoSeed;
  const toStdout = !opts.out && !opts.load;
  // Nothing after today: the indicators refuse future dates, and a stay not over yet has no discharge date.
  const today = shanghaiDate(new Date());
  const until = opts.until ?? (String(year) >= today.slice(0, 4) ? today : undefined);
  if (until !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(until)) throw new UsageError(`--until 应为 YYYY-MM-DD / must be a date (got ${until})`);
  const target = await openTarget(config, { allowServer: false }).catch((e: unknown) => {
    throw e instanceof FatalError
      ? new FatalError(`${e.message}\n生成就诊数据需要直接读取数据库中的机构和居民：请先停止服务器；或在服务器停止时生成文件（--out），再在服务器运行时用 yilian import encounters 导入。\nGenerating activity reads the county's facilities and residents from the database itself: stop the server first, or generate a file (--out) while it is stopped and import it later with yilian import encounters.`)
      : e;
  });
  if (target.kind !== 'direct') throw new FatalError(lockedMessage(config.dataDir, target.holder));
  const { platform } = target;
  let out: WriteStream | null = null;
  try {
    await prepareDirect(platform, config);
    const { facilities, residents } = await loadCountyForActivity(platform.database.db, county);
    if (residents.length === 0 || !facilities.some((f) => f.countyCode === county)) {
      throw new UsageError(`县 ${county} 没有居民或机构，请先导入（yilian seed demo） / county ${county} has no residents or facilities: seed or import them first`);
    }
    say(`生成 ${county} ${year} 年就诊数据 / generating ${year} activity of county ${county}: ${residents.length} residents, ${facilities.length} facilities, seed ${seed}`);
    const backend = opts.load ? new DirectBackend(platform) : null;
    const outPath = opts.out ? path.resolve(opts.out) : null;
    out = outPath ? createWriteStream(outPath, { encoding: 'utf8' }) : null;
    const sink: NodeJS.WritableStream | null = out ?? (toStdout ? process.stdout : null);
    const tally = createActivityTally(county, facilities, residents.length);
    const estimate = Math.round(residents.length * 7.4);
    const bar = createProgress({
      enabled: opts.progress, total: estimate,
      initial: { n: 0, inserted: 0, duplicates: 0, rate: 0 },
      format: '生成就诊 activity |{bar}| {percentage}% | {n} 条 records | {inserted} 新增 inserted | {duplicates} 重复 duplicates | {rate} 条/秒 /s',
      line: (p) => `activity: ${String(p.n)} records, ${String(p.inserted)} inserted, ${String(p.duplicates)} duplicates, ${String(p.rate)} /s`,
    });
    const started = performance.now();
    let n = 0;
    let inserted = 0;
    let duplicates = 0;
    let rejected = 0;
    const reasons: string[] = [];
    let batch: ActivityInput[] = [];
    let interrupted = false;
    const flush = async () => {
      if (!backend || batch.length === 0) return;
      const results = await backend.recordActivities(batch);
      results.forEach((r, k) => {
        if (!r.ok) {
          rejected++;
          if (reasons.length < 5) reasons.push(`${batch[k]!.sourceRecordId}: ${r.error.path ? `${r.error.path}: ` : ''}${r.error.message}`);
        } else if (r.duplicate) duplicates++;
        else inserted++;
      });
      batch = [];
    };
    let lastYield = performance.now();
    for (const a of generateCountyActivity({ seed, year, countyCode: county, facilities, residents, outside: DEMO_OUTSIDE_FACILITIES, until })) {
      n++;
      tally.add(a);
      if (sink && !sink.write(`${JSON.stringify(a)}\n`)) await once(sink, 'drain');
      if (backend) {
        batch.push(a);
        if (batch.length >= ACTIVITY_BATCH_SIZE) await flush();
      }
      if (performance.now() - lastYield > 100) {
        await new Promise((r) => setImmediate(r));
        lastYield = performance.now();
        const secs = (lastYield - started) / 1000;
        bar.update(Math.min(n, estimate), { n, inserted, duplicates, rate: Math.round(n / secs) });
        if (signal.aborted) {
          interrupted = true;
          break;
        }
      }
    }
    await flush();
    bar.stop();
    if (out) {
      const o = out;
      out = null;
      await new Promise<void>((resolve, reject) => o.end((e?: Error | null) => (e ? reject(e) : resolve())));
    }
    const elapsedMs = Math.round(performance.now() - started);
    const calibration = tally.result();
    const summary = {
      county, year, seed, residents: residents.length, generated: n, out: outPath, loaded: !!backend, inserted, duplicates, rejected,
      interrupted, elapsedMs, calibration,
    };
    const write = toStdout ? say : print;
    if (opts.json) write(JSON.stringify(summary));
    else write(describeGeneration(summary, calibration, reasons));
    if (rejected > 0) throw new FatalError(`${rejected} 条生成的记录被拒绝 / generated records were refused: ${reasons.join('; ')}`);
  } finally {
    if (out) out.destroy();
    await platform.database.close();
  }
}

function describeGeneration(
  s: { county: string; year: number; seed: number; residents: number; generated: number; out: string | null; loaded: boolean; inserted: number; duplicates: number; rejected: number; interrupted: boolean; elapsedMs: number },
  c: ActivityTally,
  reasons: string[],
): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  return [
    `${s.interrupted ? '已中断 / interrupted' : '完成 / done'}: ${s.county} ${s.year} (seed ${s.seed}), ${s.residents} 居民 residents → ${s.generated} 条记录 records in ${(s.elapsedMs / 1000).toFixed(1)} s`,
    ...(s.out ? [`  文件 file:        ${s.out}`] : []),
    ...(s.loaded ? [`  新增 inserted:    ${s.inserted}`, `  重复 duplicates:  ${s.duplicates}`, `  拒绝 rejected:    ${s.rejected}${reasons.length ? ` (${reasons.join('; ')})` : ''}`] : []),
    `  门诊 visits ${c.visits} (${c.visitsPerResident}/人 per resident), 住院 admissions ${c.admissions} (${c.admissionsPer100}/百人 per 100), 药店 pharmacy ${c.pharmacySettlements}`,
    `  基层占比 grassroots share ${pct(c.grassrootsShare)}, 县域就诊率 in-county visits ${pct(c.inCountyVisitShare)}, 县域内住院 in-county admissions ${pct(c.inCountyAdmissionShare)}, 乡镇住院 township admissions ${pct(c.townshipAdmissionShare)}, 中医 TCM ${pct(c.tcmShare)}`,
    `  次均费用 cost: 县医院门诊 county-hospital visit ¥${c.meanCountyHospitalVisitCost}, 县医院住院 county-hospital admission ¥${c.meanCountyHospitalAdmissionCost}, 门诊 all visits ¥${c.meanVisitCost}, 住院 all admissions ¥${c.meanAdmissionCost}; 统筹支付 fund share ${pct(c.fundShareInsured)}`,
  ].join('\n');
}

import { AppError, isAppError } from '../../shared/errors.js';
import { FatalError } from '../errors.js';
import { say } from '../output.js';
import { createProgress } from '../progress.js';
import { RejectWriter } from './reject-writer.js';
import type { RecordSource, SourceItem } from './source.js';

/** A row ready to write, or why it is refused before touching the database. */
export type Prepared<T> = { ok: true; value: T; key: string } | { ok: false; reason: string; category?: string };

export interface ImportJob<T> {
  source: RecordSource;
  /** Columns of the reject file before `line` and `reason`. */
  rejectColumns(): string[];
  /** The values of a row for the reject file, by those columns. */
  rejectValues(item: SourceItem): Record<string, string>;
  /** Parses and validates one record (no I/O). */
  prepare(item: Extract<SourceItem, { values: unknown }>): Prepared<T>;
  /**
   * Writes one row; an AppError refuses the row, anything else stops the import. `'duplicate'` = the row was already
   * there (an idempotent import, e.g. encounters): counted apart, neither imported nor rejected.
   */
  apply(value: T): Promise<void | 'duplicate'>;
  /**
   * Optional: writes rows in batches of `batchSize`, in file order, one batch at a time, calling `done(index, outcome)`
   * once a row's outcome is final (null = written, an AppError = refused). Outcomes must equal `apply` on each row in
   * turn. When the batch throws, the rows it has not reported are redone one by one with `apply`, so a fatal error is
   * reported at its row with the rows before it written — as without batches. Concurrency and keys do not apply.
   */
  applyBatch?: (values: T[], done: (index: number, outcome: AppError | null | 'duplicate') => void) => Promise<void>;
  batchSize?: number;
  /**
   * Rows in flight at once. Rows with the same key (e.g. the same birth date, which is what duplicate detection
   * compares) never run at the same time and keep file order, so the second of two similar rows is always checked
   * against the first — concurrency never lets a duplicate through.
   */
  concurrency: number;
  rejectsPath: string;
  progress: boolean;
  label: string;
  signal?: AbortSignal;
}

export interface ImportSummary {
  read: number;
  imported: number;
  /** Rows already present (idempotent imports): neither imported again nor rejected. */
  duplicates: number;
  rejected: number;
  elapsedMs: number;
  rowsPerSecond: number;
  rejectsPath: string | null;
  /** Rejected rows by category (invalid, duplicate, possible-duplicate, conflict, forbidden, csv). */
  rejectedBy: Record<string, number>;
  interrupted: boolean;
}

export class ImportAborted extends Error {
  constructor(
    readonly summary: ImportSummary,
    readonly reason: unknown,
  ) {
    super(reason instanceof Error ? reason.message : String(reason));
  }
}

/** A row's reason for the reject file: the field, the service's message (Chinese), and what to do about it. */
export function reasonOf(err: AppError): { reason: string; category: string } {
  const base = err.path && !err.message.startsWith(`${err.path}:`) && !err.message.startsWith('请求体') ? `${err.path}: ${err.message}` : err.message;
  const suggestions = (err.detail as { suggestions?: { name: string; birthDate: string; managingOrganizationName: string; reasons: string[] }[] } | undefined)?.suggestions;
  if (err.code === 'conflict' && suggestions?.length) {
    const list = suggestions.slice(0, 3).map((s) => `${s.name} ${s.birthDate} ${s.managingOrganizationName}（${s.reasons.join('、')}）`).join('; ');
    return {
      reason: `${base} 〔${list}〕 确认不是同一人时，将该行 confirmNotDuplicate 设为 true 后重新导入 / possible duplicate: set confirmNotDuplicate=true if this is a different person`,
      category: 'possible-duplicate',
    };
  }
  const existing = (err.detail as { existing?: { id: string } } | undefined)?.existing;
  if (err.code === 'duplicate' && existing) return { reason: `${base}（已有患者 existing patient ${existing.id}）`, category: 'duplicate' };
  return { reason: base, category: err.code === 'not_found' ? 'invalid' : err.code };
}

/**
 * Streams a file through `prepare` and `apply`: every good row is written, every bad row goes to the reject file
 * with its line and reason, and the run ends with a summary. Rejects are written in file order. An error that is not
 * a row's fault (database gone, server error) stops the run; rows written until then stay, and running the same
 * file again skips them as duplicates.
 */
export async function runImport<T>(job: ImportJob<T>): Promise<ImportSummary> {
  const started = performance.now();
  const rejects = new RejectWriter(job.rejectsPath);
  const rejectedBy: Record<string, number> = {};
  let read = 0;
  let imported = 0;
  let duplicates = 0;
  let fatal: unknown = null;
  let interrupted = false;

  const progress = createProgress({
    enabled: job.progress,
    total: job.progress && process.stderr.isTTY ? await job.source.estimateRecords() : 0,
    initial: { rows: 0, imported: 0, rejected: 0, rate: 0 },
    format: `${job.label} |{bar}| {percentage}% | {rows} 行 rows | {imported} 导入 imported | {rejected} 拒绝 rejected | {rate} 行/秒 rows/s`,
    line: (p) => `${job.label}: ${p.rows} rows, ${p.imported} imported, ${p.rejected} rejected, ${p.rate} rows/s`,
  });
  const tick = () => {
    const secs = (performance.now() - started) / 1000;
    progress.update(read, {
      rows: read, imported, rejected: rejects.count, rate: secs > 0 ? Math.round(read / secs) : 0,
    });
  };

  // Outcomes are flushed in sequence order so the reject file follows the input file.
  type Outcome = { item: SourceItem; reason: string; category: string } | null | 'duplicate';
  const done = new Map<number, Outcome>();
  let nextToFlush = 0;
  let flushing: Promise<void> = Promise.resolve();
  const settle = (seq: number, outcome: Outcome) => {
    done.set(seq, outcome);
    flushing = flushing.then(async () => {
      while (done.has(nextToFlush)) {
        const o = done.get(nextToFlush)!;
        done.delete(nextToFlush);
        nextToFlush++;
        if (o === 'duplicate') {
          duplicates++;
        } else if (o) {
          rejectedBy[o.category] = (rejectedBy[o.category] ?? 0) + 1;
          await rejects.write(job.rejectColumns, job.rejectValues(o.item), o.item.line, o.reason);
        } else {
          imported++;
        }
      }
      tick();
    });
  };

  /** Applies one row and settles it: refused on an AppError, stops the import on anything else. */
  const applyOne = async (mySeq: number, item: SourceItem, value: T) => {
    if (fatal) return settle(mySeq, { item, reason: '导入已中止，本行未处理 / not processed: the import stopped', category: 'not-processed' });
    try {
      settle(mySeq, (await job.apply(value)) === 'duplicate' ? 'duplicate' : null);
    } catch (e) {
      if (isAppError(e)) {
        const r = reasonOf(e);
        settle(mySeq, { item, reason: r.reason, category: r.category });
      } else {
        fatal ??= e;
        settle(mySeq, { item, reason: `导入中止 / import stopped: ${(e as Error).message}`, category: 'error' });
      }
    }
  };

  type Pending = { seq: number; item: SourceItem; value: T };
  let pending: Pending[] = [];
  const flushBatch = async (applyBatch: NonNullable<ImportJob<T>['applyBatch']>) => {
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    const reported = new Array<boolean>(batch.length).fill(false);
    try {
      await applyBatch(
        batch.map((b) => b.value),
        (k, err) => {
          const b = batch[k];
          if (!b || reported[k]) throw new Error(`row ${k} of a batch of ${batch.length} reported twice or out of range`);
          reported[k] = true;
          if (!err || err === 'duplicate') return settle(b.seq, err);
          const r = reasonOf(err);
          settle(b.seq, { item: b.item, reason: r.reason, category: r.category });
        },
      );
      if (reported.every(Boolean)) return;
    } catch (e) {
      // Redone below, row by row: a lasting error then stops the import at its row, as without batches.
      say(`本批 ${batch.length} 行未能整体写入，逐行重试 / a batch of ${batch.length} rows failed as a whole (${(e as Error).message}); retrying row by row`);
    }
    for (const [k, b] of batch.entries()) if (!reported[k]) await applyOne(b.seq, b.item, b.value);
  };

  const inFlight = new Set<Promise<void>>();
  const tails = new Map<string, Promise<void>>();
  let seq = 0;
  let lastYield = performance.now();
  try {
    for await (const item of job.source.items()) {
      // PGlite answers in-process, so a whole import can run on promise callbacks alone and starve the event loop:
      // no Ctrl-C, no progress redraw. Give the loop a turn now and then.
      if (performance.now() - lastYield > 50) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
      if (fatal) break;
      if (job.signal?.aborted) {
        interrupted = true;
        break;
      }
      read++;
      const mySeq = seq++;
      if ('error' in item) {
        settle(mySeq, { item, reason: item.error, category: 'csv' });
        continue;
      }
      const prepared = job.prepare(item);
      if (!prepared.ok) {
        settle(mySeq, { item, reason: prepared.reason, category: prepared.category ?? 'invalid' });
        continue;
      }
      if (job.applyBatch) {
        pending.push({ seq: mySeq, item, value: prepared.value });
        if (pending.length >= (job.batchSize ?? 1000)) await flushBatch(job.applyBatch);
        continue;
      }
      while (inFlight.size >= job.concurrency) await Promise.race(inFlight);
      if (fatal) break;
      const value = prepared.value;
      const key = prepared.key;
      const task = (tails.get(key) ?? Promise.resolve()).then(() => applyOne(mySeq, item, value));
      const tracked = task.finally(() => {
        inFlight.delete(tracked);
        if (tails.get(key) === tracked) tails.delete(key);
      });
      tails.set(key, tracked);
      inFlight.add(tracked);
    }
  } catch (e) {
    fatal ??= e;
  }
  // Rows read before an interruption or a file error are written, as they would have been one by one.
  if (job.applyBatch) await flushBatch(job.applyBatch);
  await Promise.all(inFlight);
  await flushing;
  progress.stop();
  await rejects.close();
  const elapsedMs = performance.now() - started;
  const summary: ImportSummary = {
    read,
    imported,
    duplicates,
    rejected: rejects.count,
    elapsedMs: Math.round(elapsedMs),
    rowsPerSecond: elapsedMs > 0 ? Math.round((read / elapsedMs) * 1000 * 10) / 10 : 0,
    rejectsPath: rejects.count > 0 ? job.rejectsPath : null,
    rejectedBy,
    interrupted,
  };
  if (fatal) throw new ImportAborted(summary, fatal instanceof FatalError || fatal instanceof Error ? fatal : new Error(String(fatal)));
  return summary;
}

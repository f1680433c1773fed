import type { Db } from '../../../db/client.js';
import type { ActivityTermSpec, IndicatorPeriod } from '../../../contracts/indicator.js';
import { IndicatorRepository, type AggregateFingerprint, type AreaFilter, type Bucket } from '../indicators.repository.js';
import { ActivityAnalyticsStore, type AnalyticsStoreOptions } from './activity-analytics.repository.js';
import { fingerprintDifferences, nextDelayMs, type OutboxEntry } from './activity-analytics.rules.js';

/**
 * Feeds the analytic store (DuckDB, activity-analytics.repository.ts) from PostgreSQL's transactional outbox
 * (`activity_outbox`), and rebuilds or refills it. PostgreSQL stays the system of record; DuckDB is derived.
 *
 * Why every record is counted exactly once in DuckDB:
 * 1. A record reaches the outbox in the very statement that inserts it into `activity_records`
 *    (`recordAndAggregateSql`: the outbox CTE reads the insert's RETURNING). A re-import inserts nothing and so writes
 *    nothing to the outbox; a rolled-back batch writes neither. Each record is in exactly one outbox row.
 * 2. `applyNext` (first half) applies outbox rows in ONE DuckDB transaction that also records their ids in
 *    `applied_outbox`, and skips ids already recorded there. DuckDB holds a row's records iff it holds its id.
 * 3. `acknowledge` (second half) deletes the rows from PostgreSQL, then forgets their ids in DuckDB. A crash between
 *    DuckDB's commit and PostgreSQL's delete leaves the row in the outbox with its id remembered: the next drain reads
 *    it again and skips it (then deletes it). A crash before DuckDB's commit leaves nothing applied: the row is
 *    applied next time. An id is forgotten only after its row is gone from PostgreSQL, and bigserial ids are never
 *    reused, so a forgotten id cannot come back.
 * 4. Outbox ids are assigned before commit, so they may commit out of order: the drainer never keeps a high-water
 *    mark, it remembers each applied id.
 * One process drains (`claimDrainer`: the server holds the role for its life; others never drain nor read the store),
 * and a store opened again refills itself when it misses records (`holdsEveryRecord`: drained elsewhere, or an older
 * backup). Assumed: DuckDB's commits are durable (its WAL).
 *
 * Scheduling: `start()` (the server, src/main.ts) drains at once, then whenever `wake()` is called — after each
 * committed batch in this process — and otherwise every `pollMs` (batches committed by other processes: the CLI, a
 * second API server on the same PostgreSQL). Failures back off up to a minute and are logged; the outbox keeps the
 * records meanwhile.
 */
export interface AnalyticsFeedLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface AnalyticsFeedOptions extends AnalyticsStoreOptions {
  /** Poll interval when not woken (500 ms: the lag aim is 5 s). */
  pollMs?: number;
  /** Outbox rows per DuckDB transaction (a row holds one API batch ≤ 1,000 records or one bulk chunk). */
  batchRows?: number;
  /** Raw records per chunk read by `resyncFromPostgres`. */
  resyncChunk?: number;
  /**
   * Before an evaluation reads DuckDB, an outbox backlog of at most this many records is drained first; a larger one
   * (a bulk load in progress) sends the evaluation to PostgreSQL instead (`catchUpForReads`). Default 100,000.
   */
  readDrainLimit?: number;
  log?: AnalyticsFeedLog;
  now?: () => Date;
  /**
   * Claims the drainer role for this process (the server passes `Database.claimProcessRole`). Only one process may
   * drain: records another process drained would be missing from this store's file for good. A process that does not
   * get the claim never drains, and its city and province figures come from PostgreSQL. Absent: this process drains.
   */
  claimDrainer?: () => Promise<{ release(): Promise<void> } | null>;
}

/** Outbox rows applied by `applyNext` and not yet acknowledged. */
export interface AppliedBatch {
  /** Every outbox id read: applied now, or already applied before (skipped). All are to be deleted. */
  outboxIds: number[];
  applied: number[];
  skipped: number[];
  records: number;
}

export interface DrainResult {
  batches: number;
  outboxRows: number;
  records: number;
  skipped: number;
}

export class ActivityAnalyticsFeed {
  readonly store: ActivityAnalyticsStore;
  private readonly repo: IndicatorRepository;
  private readonly pollMs: number;
  private readonly batchRows: number;
  private readonly now: () => Date;
  private serialQueue: Promise<unknown> = Promise.resolve();
  private initialised = false;
  private started = false;
  private stopping = false;
  private timer: NodeJS.Timeout | null = null;
  private ticking: Promise<void> | null = null;
  private wakeRequested = false;
  private failures = 0;
  private log: AnalyticsFeedLog | undefined;
  /** Set when another process holds the drainer role: this store is never fed, so it is never read. */
  private notDrainer = false;
  private claim: { release(): Promise<void> } | null = null;

  constructor(db: Db, private readonly opts: AnalyticsFeedOptions) {
    this.repo = new IndicatorRepository(db);
    this.store = new ActivityAnalyticsStore(opts);
    this.pollMs = opts.pollMs ?? 500;
    this.batchRows = Math.max(1, opts.batchRows ?? 50);
    this.now = opts.now ?? (() => new Date());
    this.log = opts.log;
  }

  /** One drain, resync or rebuild at a time: the halves of a drain must not interleave with a resync's swap. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.serialQueue.then(fn);
    this.serialQueue = run.catch(() => undefined);
    return run;
  }

  /** Applies and acknowledges outbox rows until the outbox is empty (as seen by this drain). */
  drain(): Promise<DrainResult> {
    return this.serial(async () => {
      await this.ensureInitialised();
      const total: DrainResult = { batches: 0, outboxRows: 0, records: 0, skipped: 0 };
      for (;;) {
        const batch = await this.applyOne();
        if (!batch) return total;
        await this.acknowledgeOne(batch);
        total.batches++;
        total.outboxRows += batch.outboxIds.length;
        total.records += batch.records;
        total.skipped += batch.skipped.length;
      }
    });
  }

  /** The first half of a drain step alone (tests: a crash before `acknowledge`). Null when the outbox is empty. */
  applyNext(): Promise<AppliedBatch | null> {
    return this.serial(async () => {
      await this.ensureInitialised();
      return this.applyOne();
    });
  }

  /** The second half: delete the rows from PostgreSQL's outbox, then forget their ids in DuckDB. */
  acknowledge(batch: AppliedBatch): Promise<void> {
    return this.serial(() => this.acknowledgeOne(batch));
  }

  private async applyOne(): Promise<AppliedBatch | null> {
    const entries: OutboxEntry[] = await this.repo.outboxBatch(this.batchRows);
    if (entries.length === 0) return null;
    const r = await this.store.apply(entries);
    return { outboxIds: entries.map((e) => e.id), applied: r.applied, skipped: r.skipped, records: r.records };
  }

  private async acknowledgeOne(batch: AppliedBatch): Promise<void> {
    await this.repo.deleteOutbox(batch.outboxIds);
    await this.store.forgetApplied(batch.outboxIds);
  }

  /**
   * A new (or emptied) DuckDB file is filled from PostgreSQL once: by a resync if PostgreSQL holds records (records
   * stored before the outbox existed never went through it), else by marking it initialised. An existing file forgets
   * applied ids whose outbox rows are gone (a crash between the delete and the forget).
   */
  private async ensureInitialised(): Promise<void> {
    if (this.initialised) return;
    if (await this.store.isInitialised()) {
      const remembered = await this.store.appliedIds();
      const stillThere = new Set(await this.repo.outboxIdsAmong(remembered));
      await this.store.forgetApplied(remembered.filter((id) => !stillThere.has(id)));
      if (!(await this.holdsEveryRecord())) {
        this.log?.info({ store: this.store.location }, 'analytic store misses records drained elsewhere or is from an older backup: refilling it from PostgreSQL');
        await this.resyncUnlocked();
      }
    } else if (await this.repo.hasActivity()) {
      this.log?.info({ store: this.store.location }, 'analytic store is new: filling it from PostgreSQL');
      await this.resyncUnlocked();
    } else {
      await this.store.markInitialised(this.now());
    }
    this.initialised = true;
  }

  /**
   * Recomputes DuckDB's daily aggregate from DuckDB's raw projection (one GROUP BY, swapped in atomically) — the
   * rebuild that issue 4 asks to be within 3× DuckDB's own query time. Pending outbox rows are applied first.
   */
  rebuildAnalytics(): Promise<{ records: number; aggregateRows: number; ms: number }> {
    return this.serial(async () => {
      await this.ensureInitialised();
      const t = performance.now();
      const r = await this.store.rebuildDaily();
      return { ...r, ms: Math.round(performance.now() - t) };
    });
  }

  /**
   * Disaster recovery: refills DuckDB from PostgreSQL's `activity_records` (a lost, corrupt or stale DuckDB file).
   * Reads every record in id-ordered chunks inside one repeatable-read snapshot — slow by nature (a full scan of the
   * row store, minutes per tens of millions of records), and on PGlite it holds the only connection meanwhile — then
   * swaps DuckDB's tables in one transaction and marks the outbox rows visible in the snapshot as applied (their
   * records are in it); later outbox rows are drained as usual. See `ActivityAnalyticsStore.replaceFrom`.
   */
  resyncFromPostgres(): Promise<{ records: number; aggregateRows: number; ms: number }> {
    return this.serial(async () => {
      const t = performance.now();
      const r = await this.resyncUnlocked();
      this.initialised = true;
      return { records: r.records, aggregateRows: r.aggregateRows, ms: Math.round(performance.now() - t) };
    });
  }

  private async resyncUnlocked() {
    const r = await this.store.replaceFrom((ingest) => this.repo.readAllForResync(this.opts.resyncChunk ?? 50_000, ingest), this.now());
    for (let i = 0; i < r.outboxIds.length; i += 1000) {
      const ids = r.outboxIds.slice(i, i + 1000);
      await this.acknowledgeOne({ outboxIds: ids, applied: [], skipped: ids, records: 0 });
    }
    return r;
  }

  /** Both aggregates' fingerprints and whether they are equal (meaningful when no batch is in flight). */
  async compareWithPostgres(): Promise<{ equal: boolean; differences: string[]; duckdb: AggregateFingerprint; postgres: AggregateFingerprint }> {
    const duckdb = await this.serial(() => this.store.fingerprint());
    const postgres = await this.repo.aggregateFingerprint();
    const differences = fingerprintDifferences(duckdb, postgres);
    return { equal: differences.length === 0, differences, duckdb, postgres };
  }

  // ---- reads (IndicatorService.evaluate for cities and provinces)

  /**
   * Brings the store up to every record committed before the call, or says it cannot: true means DuckDB's aggregate
   * now holds every record PostgreSQL had committed when this was called (and the alliance reference tables are
   * current), so figures read from it miss nothing. False — read PostgreSQL instead — when the store has not been
   * filled yet (its first fill is a resync, not something to run inside a request), when the outbox holds more than
   * `readDrainLimit` records (a bulk load in progress: draining it here would make the reader wait minutes), or when
   * DuckDB fails (logged; the feed keeps the records).
   * Why this is enough: a record is in the outbox from the commit that stores it until DuckDB has committed it (the
   * delete follows DuckDB's commit), so an empty outbox after the drain means nothing committed earlier is missing.
   */
  async catchUpForReads(): Promise<boolean> {
    if (this.notDrainer) return false;
    try {
      if (!this.initialised && !(await this.store.isInitialised())) {
        this.wake();
        return false;
      }
      const backlog = await this.repo.outboxBacklog();
      if (backlog.records > (this.opts.readDrainLimit ?? 100_000)) return false;
      if (backlog.rows > 0) await this.drain();
      await this.refreshReference();
      return true;
    } catch (e) {
      this.log?.error({ err: e }, 'analytic store not readable; evaluating on PostgreSQL');
      return false;
    }
  }

  /**
   * Copies PostgreSQL's alliance reference rows into DuckDB when their version changed. Version read before the rows:
   * if rows change in between, the copy is newer than its version and the next check copies again — never older.
   */
  refreshReference(): Promise<{ copied: boolean }> {
    return this.serial(async () => {
      const version = await this.repo.allianceReferenceVersion();
      if (version === (await this.store.referenceVersion())) return { copied: false };
      await this.store.replaceReference(version, await this.repo.allianceReference());
      return { copied: true };
    });
  }

  /** One activity term per period for an area, from DuckDB (money in fen). Call `catchUpForReads` first. */
  sumActivity(term: ActivityTermSpec, area: AreaFilter, period: IndicatorPeriod, start: string, end: string): Promise<Bucket[]> {
    return this.store.sumActivityTerm(term, area, period, start, end);
  }

  /**
   * Does the store hold exactly the records PostgreSQL holds, but for those still waiting in the outbox? Read in one
   * PostgreSQL snapshot: every record is in `activity_records`, and is in DuckDB iff it came through an outbox row
   * DuckDB applied (remembered, or already acknowledged and deleted) — so the expected count is PostgreSQL's minus the
   * records of outbox rows DuckDB has not applied. False after another process drained (a second server, a file
   * restored from a backup). Exactly-once means counts suffice: a record is never in DuckDB twice.
   */
  private async holdsEveryRecord(): Promise<boolean> {
    const snapshot = await this.repo.recordsAndOutbox();
    const applied = new Set(await this.store.appliedIds());
    const pending = snapshot.outbox.filter((o) => !applied.has(o.id)).reduce((a, o) => a + o.records, 0);
    const { records } = await this.store.counts();
    return records === snapshot.records - pending;
  }

  /** Records and outbox rows waiting in PostgreSQL. */
  backlog(): Promise<{ rows: number; records: number }> {
    return this.repo.outboxBacklog();
  }

  // ---- the drainer in the server process

  /** Starts the drainer; `log` (the server's) receives failures and recoveries. */
  start(log?: AnalyticsFeedLog): void {
    if (this.started || this.stopping) return;
    if (log) this.log = log;
    this.started = true;
    void this.claimThenSchedule();
  }

  private async claimThenSchedule(): Promise<void> {
    if (this.opts.claimDrainer) {
      try {
        this.claim = await this.opts.claimDrainer();
      } catch (e) {
        this.log?.error({ err: e }, 'could not claim the analytic store drainer role; city and province figures read PostgreSQL');
      }
      if (!this.claim) {
        this.notDrainer = true;
        this.log?.info({}, 'another server drains the analytic store: this one reads city and province figures from PostgreSQL');
        return;
      }
    }
    if (!this.stopping) this.schedule(0);
  }

  /** True when this process holds the drainer role (or needs none) and so may read the store. */
  get drains(): boolean {
    return !this.notDrainer;
  }

  /** A batch was committed in this process: drain now rather than at the next poll. */
  wake(): void {
    // While backing off after failures, commits do not hasten the retry (a broken store would fail once per batch).
    if (!this.started || this.stopping || this.failures > 0) return;
    if (this.ticking) this.wakeRequested = true;
    else this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.ticking = this.tick().finally(() => (this.ticking = null));
    }, ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.wakeRequested = false;
    try {
      // The store stays closed (DuckDB not even loaded) until there is a record to put in it or a reader opens it: a
      // server that sees no activity — a referral-only deployment, a quiet night — does not carry it. A stale or new
      // store is still checked and filled before its first batch (drain → ensureInitialised) and before its first
      // read (catchUpForReads opens it, then wakes this drainer).
      const idleAndClosed = !this.store.opened && (await this.repo.outboxBacklog()).rows === 0;
      if (!idleAndClosed) {
        const r = await this.drain();
        if (this.failures > 0) this.log?.info({ records: r.records }, 'analytic store feed recovered');
        this.failures = 0;
      }
    } catch (e) {
      this.failures++;
      this.log?.error({ err: e, failures: this.failures }, 'analytic store feed failed; the outbox keeps the records, retrying');
    }
    if (!this.stopping) this.schedule(this.wakeRequested ? 0 : nextDelayMs(this.pollMs, this.failures));
  }

  /** Stops the drainer after the drain in progress and closes the DuckDB store (shutdown; tests). */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.ticking;
    await this.serialQueue;
    await this.store.close();
    await this.claim?.release().catch(() => undefined);
    this.claim = null;
  }
}

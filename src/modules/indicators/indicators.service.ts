import type { Db } from '../../db/client.js';
import type { RequestContext } from '../../shared/context.js';
import { hasRole } from '../../shared/context.js';
import { shanghaiDate } from '../../shared/clock.js';
import { AppError, conflict, forbidden, invalid, notFound } from '../../shared/errors.js';
import { newId, nameBasedId } from '../../shared/ids.js';
import { activityInputSchema, type ActivityInput } from '../../contracts/activity.js';
import { grassrootsTiers, facilityTiers, practitionerTitles, tierRank, type FacilityTier } from '../../contracts/codes.js';
import {
  indicatorTermSpecSchema, type IndicatorChildLevel, type IndicatorDefinitionDto, type IndicatorEvaluation, type IndicatorLevel, type IndicatorPeriod,
  type IndicatorPeriodValue, type IndicatorRanking, type IndicatorRankingRow, type IndicatorTermSpec,
} from '../../contracts/indicator.js';
import type { AuditService } from '../audit/index.js';
import { coversDate, trimDivision, type NetworkService } from '../network/index.js';
import { IndicatorRepository, type ActivityRow, type AreaFilter, type EvaluationScope } from './indicators.repository.js';
import {
  checkActivity, countyOf, growthValue, isTcmActivity, periodsBetween, practitionersStationedAtLeast, ratioValue, samePeriodLastYear, spanOf,
  yuanToFen, type PeriodSpan,
} from './indicators.rules.js';
import { shippedDefinitions } from './indicators.definitions.js';
import type { ActivityAnalyticsFeed } from './analytics/activity-analytics.feed.js';
import type { AggregateFingerprint } from './indicators.repository.js';

/** The outcome of one row of `recordActivities`: recorded (or already recorded: `duplicate`), or refused with the reason. */
export type ActivityRowResult = { ok: true; id: string; duplicate: boolean } | { ok: false; error: AppError };
export interface ActivityBatchResult {
  results: ActivityRowResult[];
}

export interface EvaluateInput {
  indicator: string;
  level: IndicatorLevel;
  /** Organization id or identifier, alliance id or identifier, or a GB/T 2260 division code. */
  subject: string;
  period: IndicatorPeriod;
  /** Dates (YYYY-MM-DD) or period labels; the periods returned are the whole calendar periods covering from..to. */
  from: string;
  to: string;
}

/**
 * Where activity terms are read: `auto` (the rule of `activityEngine`), or forced — `postgres` (the live
 * `activity_daily`) or `analytic` (DuckDB for any area scope, without catching up: tests and the bench compare the two).
 */
export type ActivityEngine = 'auto' | 'postgres' | 'analytic';
export interface EvaluateOptions {
  engine?: ActivityEngine;
}

/** One term's figure for one period: a count, or money in integer fen; `rows` = records behind it (0 = no data). */
interface TermFigure {
  value: number;
  rows: number;
  /** Set when the term cannot be computed at all (data the platform does not hold). */
  noDataReason?: string;
  /** Figures from the platform's own registers (referrals, stationing) are real zeros, never "no data". */
  ownRegister?: boolean;
}

/** DuckDB's aggregate compared with PostgreSQL's `activity_daily` (`ActivityAnalyticsFeed.compareWithPostgres`). */
export interface AnalyticsComparison {
  equal: boolean;
  /** The fingerprint fields that differ (`field: duckdb ≠ postgres`); empty when equal. */
  differences: string[];
  duckdb: AggregateFingerprint;
  postgres: AggregateFingerprint;
}

/** The answer of `operateAnalyticsAs`: the operation's own figures, then the check against PostgreSQL. */
export interface AnalyticsOperationResult {
  store: 'analytics' | 'analytics-resync';
  /** Raw records and aggregate rows in DuckDB after the operation. */
  records: number;
  aggregateRows: number;
  /** The operation itself (the GROUP BY, or the refill from PostgreSQL). */
  ms: number;
  /** Outbox records applied by the drain that goes with it (before a rebuild, after a resync). */
  drained: number;
  /** Everything: drain, operation and comparison. */
  totalMs: number;
  comparison: AnalyticsComparison;
  /** Outbox left when the comparison was made (a batch committed meanwhile makes the aggregates differ by it). */
  backlog: { rows: number; records: number };
}

/** The answer of `analyticsStatusAs`. */
export interface AnalyticsStatus {
  /** Whether this process has an analytic store at all. */
  configured: boolean;
  /** Whether this process holds the drainer role (only then is its store fed, read and operable). */
  drainer: boolean;
  /** The DuckDB file (`:memory:` under test); null without a store. */
  location: string | null;
  /** Why there are no DuckDB figures (no store, or another process drains it); absent when there are. */
  message?: string;
  /** Outbox rows and records waiting in PostgreSQL (read from PostgreSQL, so known even without a store). */
  backlog: { rows: number; records: number };
  /** Whether the store was ever filled (a new file is filled on the drainer's first drain). Null without figures. */
  initialised: boolean | null;
  /** Raw records and aggregate rows in DuckDB; null without figures. */
  duckdb: { records: number; aggregateRows: number } | null;
  /** Null without figures. While `backlog` is not empty the aggregates differ by the waiting records. */
  comparison: AnalyticsComparison | null;
  ms: number;
}

/** Batches larger than this are refused: the HTTP limit, and what keeps one transaction short. */
export const MAX_ACTIVITY_BATCH = 1000;

const toDefinitionDto = (d: Awaited<ReturnType<IndicatorRepository['definitions']>>[number]): IndicatorDefinitionDto => ({
  id: d.id, code: d.code, version: d.version, nameZh: d.nameZh, nameEn: d.nameEn, dimension: d.dimension, formula: d.formula,
  numerator: { text: d.numerator.text, key: indicatorTermSpecSchema.parse(d.numerator.key) },
  denominator: d.denominator ? { text: d.denominator.text, key: indicatorTermSpecSchema.parse(d.denominator.key) } : null,
  baseCode: d.baseCode, scale: d.scale, unit: d.unit, direction: d.direction, levels: d.levels, periods: d.periods, source: d.source,
  note: d.note, validFrom: d.validFrom, validTo: d.validTo,
});

const isMoneyTerm = (t: IndicatorTermSpec): boolean => t.source === 'activity' && (t.measure === 'totalCost' || t.measure === 'fundPaid');

/**
 * Monitoring indicators (issue 4): the activity store (raw records + live daily pre-aggregate), indicator definitions
 * as versioned data, and their evaluation by facility, alliance, county, city and province. Design: docs/indicators.md.
 */
export class IndicatorService {
  private readonly repo: IndicatorRepository;

  constructor(
    db: Db,
    private readonly deps: { network: NetworkService; audit: AuditService; analytics?: ActivityAnalyticsFeed },
  ) {
    this.repo = new IndicatorRepository(db);
  }

  /** The analytic store's feed (DuckDB beside PostgreSQL, docs/indicators.md "Analytic store"), when configured. */
  get analytics(): ActivityAnalyticsFeed | undefined {
    return this.deps.analytics;
  }

  // ---- activity in

  /**
   * Records visits and stays. Each row is checked on its own (fields, dates, money, facility known or its division
   * given, the caller may record it); the good rows are inserted and added to the pre-aggregate in one statement, with
   * one audit row for the batch, in one transaction. A row whose (source, sourceRecordId) is already stored is
   * reported `duplicate` with the stored id and counted nothing twice.
   *
   * Who may record: a system administrator, or an in-process job or the CLI (channel `system`/`cli`), anything; an
   * alliance administrator, rows of facilities that were members on the visit's date of an alliance its facility leads
   * (and settlements outside the platform for residents of that alliance's area); the referral desk (the role of the
   * demo integration client) the same for the county communities and city groups its facility belongs to today.
   */
  /**
   * `opts.allOrNothing` (a FHIR transaction): when any row is refused, nothing is written and every acceptable row is
   * answered "not recorded" — the same checks as a batch, so a transaction never ends half-written.
   */
  async recordActivities(ctx: RequestContext, inputs: readonly ActivityInput[], opts: { allOrNothing?: boolean } = {}): Promise<ActivityBatchResult> {
    if (inputs.length > MAX_ACTIVITY_BATCH) throw invalid(`一次最多提交 ${MAX_ACTIVITY_BATCH} 条就诊记录`, 'activities');
    const scope = await this.recordScope(ctx);
    const today = shanghaiDate(ctx.clock.now());
    const parsed = inputs.map((raw) => {
      const r = activityInputSchema.safeParse(raw);
      if (!r.success) {
        const issue = r.error.issues[0];
        const path = issue?.path.map(String).join('.') ?? '';
        return { error: invalid(path ? `${path}: ${issue?.message}` : (issue?.message ?? '记录无效'), path || undefined) };
      }
      return { input: r.data };
    });
    const facilityKeys = [...new Set(parsed.flatMap((p) => (p.input?.facilityId ? [p.input.facilityId] : [])))];
    const facilities = await this.repo.facilitiesByKeys(facilityKeys);
    const facilityOf = new Map<string, (typeof facilities)[number]>();
    for (const f of facilities) {
      facilityOf.set(f.id, f);
      facilityOf.set(f.identifier, f);
    }
    const counties = await this.repo.knownCounties([
      ...new Set(parsed.flatMap((p) => (p.input ? [countyOf(p.input.residenceDivisionCode), ...(p.input.facilityDivisionCode ? [countyOf(p.input.facilityDivisionCode)] : [])] : []))),
    ]);

    const results: (ActivityRowResult | { pending: ActivityRow })[] = parsed.map((p) => {
      if (!p.input) return { ok: false as const, error: p.error };
      const input = p.input;
      const problem = checkActivity(input, today);
      if (problem) return { ok: false as const, error: problem };
      const countyCode = countyOf(input.residenceDivisionCode);
      if (!counties.has(countyCode)) return { ok: false as const, error: invalid(`居住地区划 ${input.residenceDivisionCode} 不在已知的县级行政区内`, 'residenceDivisionCode') };
      let facility: { id: string | null; divisionCode: string; countyCode: string; tier: FacilityTier | null };
      if (input.facilityId) {
        const f = facilityOf.get(input.facilityId);
        if (!f) return { ok: false as const, error: invalid(`机构 ${input.facilityId} 不存在`, 'facilityId') };
        facility = { id: f.id, divisionCode: f.divisionCode, countyCode: f.countyCode, tier: f.tier };
      } else {
        const code = input.facilityDivisionCode!;
        if (!counties.has(countyOf(code))) return { ok: false as const, error: invalid(`机构所在区划 ${code} 不在已知的县级行政区内`, 'facilityDivisionCode') };
        facility = { id: null, divisionCode: code, countyCode: countyOf(code), tier: null };
      }
      if (!mayRecord(scope, facility.id, input.startDate, countyCode)) {
        return { ok: false as const, error: forbidden('只能提交本人所在医联体成员机构的就诊记录（或本医联体辖区居民在平台外机构的结算记录）') };
      }
      return {
        pending: {
          id: newId(), source: input.source, source_record_id: input.sourceRecordId, class: input.class, patient_id: input.patientId ?? null,
          residence_division_code: input.residenceDivisionCode, county_code: countyCode, facility_id: facility.id,
          facility_division_code: facility.divisionCode, facility_county_code: facility.countyCode, facility_tier: facility.tier,
          department_specialty: input.departmentSpecialty ?? null, tcm: isTcmActivity(facility.tier, input.departmentSpecialty),
          start_date: input.startDate, end_date: input.endDate ?? null, diagnoses: input.diagnoses.map((d) => d.toUpperCase()),
          total_cost: input.totalCost, fund_paid: input.fundPaid ?? null, insured: input.insured, pharmacy: input.pharmacy,
          via_referral: input.viaReferral, referral_id: input.referralId ?? null,
        },
      };
    });

    const pending = results.flatMap((r) => ('pending' in r ? [r.pending] : []));
    if (opts.allOrNothing && pending.length < results.length) {
      const refused = results.length - pending.length;
      return {
        results: results.map((r): ActivityRowResult =>
          'pending' in r ? { ok: false, error: new AppError('conflict', `未记录：同一事务中有 ${refused} 条记录被拒绝，整个事务未执行`, { detail: { notRecorded: true } }) } : r,
        ),
      };
    }
    const inserted = await this.repo.transaction(async (tx) => {
      const ids = new Set(await this.repo.insertActivities(tx, pending, ctx.clock.now()));
      await this.deps.audit.record(
        ctx,
        [{
          action: 'create', resourceType: 'Activity', basis: 'administration', outcome: 'allowed',
          detail: { received: inputs.length, inserted: ids.size, duplicates: pending.length - ids.size, rejected: inputs.length - pending.length, sources: [...new Set(pending.map((p) => p.source))] },
        }],
        tx,
      );
      return ids;
    });
    // Committed: the analytic store's drainer picks the batch up now, not at its next poll.
    if (inserted.size > 0) this.deps.analytics?.wake();
    const stored = await this.repo.idsByKeys(pending.filter((p) => !inserted.has(p.id)).map((p) => ({ source: p.source, sourceRecordId: p.source_record_id })));
    return {
      results: results.map((r): ActivityRowResult => {
        if (!('pending' in r)) return r;
        if (inserted.has(r.pending.id)) return { ok: true, id: r.pending.id, duplicate: false };
        const id = stored.get(`${r.pending.source}\u0000${r.pending.source_record_id}`);
        return id ? { ok: true, id, duplicate: true } : { ok: false, error: new AppError('conflict', '记录未能保存，请重试') };
      }),
    };
  }

  private async recordScope(ctx: RequestContext): Promise<RecordScope> {
    if (ctx.channel === 'system' || ctx.channel === 'cli' || hasRole(ctx.actor, 'system-admin')) return 'all';
    const org = ctx.actor.organizationId;
    if (!org || !hasRole(ctx.actor, 'alliance-admin', 'referral-desk')) throw forbidden('只有系统管理员、医共体管理员或转诊服务中心可以提交就诊记录');
    const today = shanghaiDate(ctx.clock.now());
    const alliances = await this.deps.network.alliances(today);
    const own = new Set((await this.deps.network.membershipsOf({ organizationId: org, on: today })).map((m) => m.allianceId));
    const chosen = alliances.filter(
      (a) =>
        (hasRole(ctx.actor, 'alliance-admin') && a.leadOrganizationId === org) ||
        (hasRole(ctx.actor, 'referral-desk') && own.has(a.id) && (a.kind === 'county-community' || a.kind === 'city-group')),
    );
    const memberships = (await Promise.all(chosen.map((a) => this.deps.network.members(a.id)))).flat();
    return { memberships, areas: chosen.flatMap((a) => (a.divisionCode ? [trimDivision(a.divisionCode)] : [])) };
  }

  /** Recomputes the pre-aggregate from the raw records (one county of residence, or all); equals what live maintenance produced. */
  async rebuild(opts: { countyCode?: string } = {}): Promise<{ records: number; aggregateRows: number; ms: number }> {
    if (opts.countyCode !== undefined && !/^\d{6}$/.test(opts.countyCode)) throw invalid('县级区划代码应为6位数字', 'countyCode');
    const started = performance.now();
    const r = await this.repo.rebuild(opts.countyCode);
    return { ...r, ms: Math.round(performance.now() - started) };
  }

  /** As `rebuild`, for a caller: system administrators (or in-process jobs and the CLI) only. */
  async rebuildAs(ctx: RequestContext, opts: { countyCode?: string } = {}) {
    this.guardRebuild(ctx);
    return this.rebuild(opts);
  }

  // ---- the analytic store's operations (docs/indicators.md "Analytic store", "Operations")

  /**
   * An operation on the analytic store for a caller (same rule as `rebuildAs`), answered with DuckDB's counts and the
   * comparison with PostgreSQL's aggregate:
   * - `analytics`: drains the outbox first — so the comparison covers every record committed before the call — then
   *   recomputes DuckDB's aggregate from its raw projection (`rebuildAnalytics()`; always whole: DuckDB swaps the
   *   table in one piece);
   * - `analytics-resync` (disaster recovery: a lost, corrupt or stale DuckDB file): refills DuckDB from PostgreSQL's
   *   raw records (`resyncFromPostgres()`; a full scan of `activity_records`, the drainer waits meanwhile), then drains
   *   what was committed after its snapshot.
   * Not audited: the rebuild of PostgreSQL's pre-aggregate (`rebuildAs`) is not either — both recompute derived data
   * and change no record.
   */
  async operateAnalyticsAs(ctx: RequestContext, store: AnalyticsOperationResult['store']): Promise<AnalyticsOperationResult> {
    this.guardRebuild(ctx);
    const feed = this.operableAnalytics();
    const started = performance.now();
    let r: { ms: number };
    let drained: number;
    if (store === 'analytics') {
      drained = (await feed.drain()).records;
      r = await feed.rebuildAnalytics();
    } else {
      r = await feed.resyncFromPostgres();
      drained = (await feed.drain()).records;
    }
    const comparison = await feed.compareWithPostgres();
    const backlog = await this.repo.outboxBacklog();
    // After a drain, records and rows are DuckDB's current ones (a rebuild's figures do not include later batches).
    const counts = await feed.store.counts();
    return {
      store, records: counts.records, aggregateRows: counts.aggregateRows, ms: r.ms, drained, totalMs: Math.round(performance.now() - started),
      comparison, backlog,
    };
  }

  /**
   * The analytic store as this process sees it, for a system administrator: configured or not, drainer or not, the
   * outbox backlog, DuckDB's counts and the comparison with PostgreSQL. Changes nothing (no drain), so a backlog shows
   * as one — and as the difference it makes. Without a store, or in a process that does not drain it, the answer says
   * so and carries only the backlog.
   */
  async analyticsStatusAs(ctx: RequestContext): Promise<AnalyticsStatus> {
    this.guardRebuild(ctx, '查看分析库状态');
    const started = performance.now();
    const feed = this.deps.analytics;
    const backlog = await this.repo.outboxBacklog();
    const base = { configured: !!feed, location: feed?.store.location ?? null, backlog };
    if (!feed || !feed.drains) {
      return {
        ...base, drainer: false, message: analyticsUnavailable(feed), initialised: null, duckdb: null, comparison: null,
        ms: Math.round(performance.now() - started),
      };
    }
    const initialised = await feed.store.isInitialised();
    const counts = await feed.store.counts();
    const comparison = await feed.compareWithPostgres();
    return {
      ...base, drainer: true, initialised, duckdb: { records: counts.records, aggregateRows: counts.aggregateRows }, comparison,
      ms: Math.round(performance.now() - started),
    };
  }

  /** Rebuilds and the analytic store's status: system administrators (or in-process jobs and the CLI) only. */
  private guardRebuild(ctx: RequestContext, what = '重建指标汇总'): void {
    if (!(ctx.channel === 'system' || ctx.channel === 'cli' || hasRole(ctx.actor, 'system-admin'))) throw forbidden(`只有系统管理员可以${what}`);
  }

  /** The store this process may operate: it has one and drains it (a store another process feeds is not this one's to touch). */
  private operableAnalytics(): ActivityAnalyticsFeed {
    const feed = this.deps.analytics;
    if (!feed || !feed.drains) throw conflict(analyticsUnavailable(feed), { configured: !!feed, drainer: false });
    return feed;
  }

  /** Pre-aggregate rows in key order (diagnostics; tests compare live and rebuilt tables with it). */
  async aggregateSnapshot(countyCode?: string) {
    return this.repo.aggregateSnapshot(countyCode);
  }

  // ---- definitions

  /** The definitions in force on `on` (YYYY-MM-DD; default: every version, history included). */
  async definitions(on?: string): Promise<IndicatorDefinitionDto[]> {
    return (await this.repo.definitions(on ? { on } : {})).map(toDefinitionDto);
  }

  /** `definitions` for a caller allowed to read indicators. */
  async listDefinitions(ctx: RequestContext, on?: string): Promise<IndicatorDefinitionDto[]> {
    this.guardReader(ctx);
    return this.definitions(on ?? shanghaiDate(ctx.clock.now()));
  }

  /** The version of `code` in force on `on`, else its newest version. */
  private async definitionFor(code: string, on: string): Promise<IndicatorDefinitionDto> {
    const versions = (await this.repo.definitions({ code })).map(toDefinitionDto);
    const def = versions.find((d) => coversDate(d, on)) ?? versions[versions.length - 1];
    if (!def) throw notFound(`指标 ${code} 不存在`);
    return def;
  }

  // ---- targets (per division and year; the 2024 monitoring set gives none, so they are the county's configuration)

  async targetsOf(ctx: RequestContext, code: string, divisionCode: string): Promise<{ year: number; target: number; note: string | null }[]> {
    this.guardReader(ctx);
    return (await this.repo.targetsOf(code, divisionCode)).map((t) => ({ year: t.year, target: Number(t.target), note: t.note }));
  }

  /** Sets a target; health-commission officers and system administrators only (a target is a policy decision). */
  async setTarget(ctx: RequestContext, code: string, input: { divisionCode: string; year: number; target: number; note?: string | undefined }): Promise<{ year: number; target: number; note: string | null }> {
    if (!hasRole(ctx.actor, 'commission-officer', 'system-admin')) throw forbidden('只有卫健委或系统管理员可以设定指标目标值');
    if ((await this.repo.definitions({ code })).length === 0) throw notFound(`指标 ${code} 不存在`);
    const [division] = await this.deps.network.divisionsByCodes([input.divisionCode]);
    if (!division) throw invalid(`区划代码 ${input.divisionCode} 不存在`, 'divisionCode');
    const target = input.target.toFixed(4);
    await this.repo.upsertTarget({ id: newId(), indicatorCode: code, divisionCode: input.divisionCode, year: input.year, target, note: input.note ?? null });
    await this.deps.audit.record(ctx, [{ action: 'update', resourceType: 'IndicatorTarget', resourceId: `${code}/${input.divisionCode}/${input.year}`, basis: 'administration', outcome: 'allowed', detail: { target } }]);
    return { year: input.year, target: Number(target), note: input.note ?? null };
  }

  // ---- evaluation

  private guardReader(ctx: RequestContext): void {
    if (!hasRole(ctx.actor, 'commission-officer', 'system-admin', 'alliance-admin')) throw forbidden('只有卫健委、医共体管理员或系统管理员可以查看监测指标');
  }

  /**
   * An indicator per period for one subject: numerator, denominator, value in the definition's unit, "no data" (never a
   * zero) when the data behind the denominator is missing. Facility membership in alliances is taken as of each
   * event's date. Readers: commission officers and system administrators everywhere; alliance administrators for the
   * alliances their facility leads and those alliances' members.
   */
  async evaluate(ctx: RequestContext, q: EvaluateInput, opts: EvaluateOptions = {}): Promise<IndicatorEvaluation> {
    this.guardReader(ctx);
    const today = shanghaiDate(ctx.clock.now());
    const spans = periodsBetween(q.period, q.from, q.to);
    const def = await this.definitionFor(q.indicator, spans[spans.length - 1]!.end);
    if (!def.levels.includes(q.level)) throw invalid(`指标“${def.nameZh}”不按${levelNames[q.level]}统计`, 'level');
    if (!def.periods.includes(q.period)) throw invalid(`指标“${def.nameZh}”只按${def.periods.map((p) => periodNames[p]).join('、')}统计`, 'period');
    const subject = await this.resolveSubject(q.level, q.subject, today);
    await this.guardSubject(ctx, q.level, subject, today);
    const engine = await this.activityEngine(def, subject.scope, opts.engine ?? 'auto');
    const values = await this.compute(def, subject.scope, q.period, spans, today, engine);
    if (subject.targetDivision) {
      const years = [...new Set(spans.map((s) => Number(s.label.slice(0, 4))))];
      const targets = new Map((await this.repo.targets(def.code, subject.targetDivision, years)).map((t) => [t.year, Number(t.target)]));
      for (const v of values) v.target = targets.get(Number(v.period.slice(0, 4))) ?? null;
    }
    return { definition: def, level: q.level, subject: { id: subject.id, name: subject.name, divisionCode: subject.divisionCode }, period: q.period, values };
  }

  // ---- ranking of a subject's children (dashboard drill-down)

  /**
   * One indicator for one period, for the subject and each of its children, ranked: a province's cities (or, with
   * `childLevel: 'county'`, all its counties), a city's counties, a county's hospitals and township/community centers
   * (or its alliances, for indicators not cut by facility), an alliance's member facilities on the period's last day.
   * Each child is evaluated exactly as `evaluate` would (same guards, same "no data" rule, its own targets). Divisions
   * without registered facilities and without any figure are left out (most of the national tree is empty).
   */
  async ranking(ctx: RequestContext, q: RankingInput): Promise<IndicatorRanking> {
    this.guardReader(ctx);
    const today = shanghaiDate(ctx.clock.now());
    const at = q.at ?? today;
    const span = periodsBetween(q.period, at, at)[0]!;
    const one = { period: q.period, from: span.label, to: span.label };
    const own = await this.evaluate(ctx, { indicator: q.indicator, level: q.level, subject: q.subject, ...one });
    const def = own.definition;
    const base = { definition: def, level: q.level, subject: own.subject, period: q.period, label: span.label, parent: own.values[0]! };
    const chosen = rankingChildLevel(def, q.level, q.childLevel);
    if ('reason' in chosen) return { ...base, childLevel: null, reason: chosen.reason, rows: [] };
    const childLevel = chosen.level;
    const on = span.end < today ? span.end : today;
    const candidates = await this.rankingCandidates(q.level, own.subject, childLevel, on);
    const rows = await mapLimited(candidates, 4, async (c): Promise<Omit<IndicatorRankingRow, 'rank'> & { keep: boolean }> => {
      let value: IndicatorPeriodValue;
      try {
        value = (await this.evaluate(ctx, { indicator: def.code, level: childLevel, subject: c.id, ...one })).values[0]!;
      } catch (e) {
        // A child the indicator cannot be computed for (e.g. a division of another level) is listed without a figure.
        if (!(e instanceof AppError) || (e.code !== 'invalid' && e.code !== 'not_found')) throw e;
        value = { period: span.label, numerator: null, denominator: null, value: null, noData: true, reason: e.message };
      }
      const figure = !value.noData && ((value.numerator ?? 0) !== 0 || (value.denominator ?? 0) !== 0);
      const division = childLevel === 'city' || childLevel === 'county';
      const keep = !division || figure || (await this.deps.network.findOrganizations({ divisionCode: c.id }, 0, 1)).total > 0;
      return { ...c, level: childLevel, value, keep };
    });
    return { ...base, childLevel, rows: rankRows(rows.filter((r) => r.keep).map(({ keep: _, ...r }) => r), def.direction) };
  }

  private async rankingCandidates(level: IndicatorLevel, subject: { id: string; divisionCode: string | null }, childLevel: IndicatorChildLevel, on: string): Promise<RankingCandidate[]> {
    const division = (d: { code: string; name: string }): RankingCandidate => ({ id: d.code, name: d.name, tier: null, divisionCode: d.code, latitude: null, longitude: null });
    if (level === 'province' || level === 'city') {
      const children = await this.deps.network.childDivisions(subject.id);
      if (childLevel === 'city' || level === 'city') return children.filter((d) => d.level === childLevel).map(division);
      // A province's counties: those of its cities, and the counties placed directly under it (省直辖县级行政区划).
      const nested = await Promise.all(children.filter((d) => d.level === 'city').map((d) => this.deps.network.childDivisions(d.code)));
      return [...children, ...nested.flat()].filter((d) => d.level === 'county').map(division);
    }
    if (level === 'county' && childLevel === 'alliance') {
      return (await this.deps.network.alliances(on))
        .filter((a) => a.divisionCode && trimDivision(a.divisionCode).startsWith(subject.id) && (a.kind === 'county-community' || a.kind === 'city-group'))
        .map((a) => ({ id: a.id, name: a.name, tier: null, divisionCode: a.divisionCode, latitude: null, longitude: null }));
    }
    const facilities =
      level === 'county'
        ? (await this.deps.network.findOrganizations({ divisionCode: subject.id, tiers: rankedTiers }, 0, 2000)).items
        : await (async () => {
            const ids = (await this.deps.network.members(subject.id, on)).filter((m) => rankedTiers.includes(m.tier)).map((m) => m.organizationId);
            return ids.length ? (await this.deps.network.findOrganizations({ ids }, 0, 2000)).items : [];
          })();
    return facilities
      .filter((o) => o.active)
      .map((o) => ({ id: o.id, name: o.name, tier: o.tier, divisionCode: o.divisionCode, latitude: o.latitude, longitude: o.longitude }));
  }

  private async resolveSubject(level: IndicatorLevel, key: string, today: string): Promise<ResolvedSubject> {
    if (level === 'facility') {
      const org = await this.deps.network.findOrganization(key);
      if (!org) throw notFound(`机构 ${key} 不存在`);
      return { id: org.id, name: org.name, divisionCode: org.divisionCode, scope: { kind: 'facility', facilityId: org.id }, targetDivision: null };
    }
    if (level === 'alliance') {
      const a = await this.deps.network.alliance(key, today);
      const residentArea = a.divisionCode ? areaOf(trimDivision(a.divisionCode)) : null;
      return { id: a.id, name: a.name, divisionCode: a.divisionCode, leadOrganizationId: a.leadOrganizationId, scope: { kind: 'alliance', allianceId: a.id, residentArea }, targetDivision: a.divisionCode };
    }
    const d = await this.deps.network.division(key);
    if (d.level !== level) throw invalid(`区划 ${key}（${d.name}）不是${levelNames[level]}`, 'subject');
    return { id: d.code, name: d.fullName, divisionCode: d.code, scope: { kind: 'area', area: areaOf(trimDivision(d.code)) }, targetDivision: d.code };
  }

  private async guardSubject(ctx: RequestContext, level: IndicatorLevel, subject: ResolvedSubject, today: string): Promise<void> {
    if (hasRole(ctx.actor, 'commission-officer', 'system-admin')) return;
    const org = ctx.actor.organizationId;
    if (org && level === 'alliance' && subject.leadOrganizationId === org) return;
    if (org && level === 'facility' && (await this.deps.network.membersOfAlliancesLedBy(org, today)).includes(subject.id)) return;
    throw forbidden('医共体管理员只能查看本机构牵头的医联体及其成员机构的指标');
  }

  /**
   * Which store the activity terms of one evaluation read. DuckDB for the wide areas — a city or a province, where
   * PostgreSQL scans the aggregate rows of every county in it (the row store's cost grows with the area; DuckDB's
   * columnar scan reads only the columns the term uses) — when the analytic store can say it holds every record
   * committed so far (`catchUpForReads`: drains a small outbox backlog first, refuses during a bulk load). Everything
   * else stays on PostgreSQL: a facility, alliance or county reads a small slice of `activity_daily` through its
   * indexes, and alliance scopes need membership per event day, which only `leadOnly` needs in DuckDB. Decided once per
   * evaluation (a growth indicator's two years and a ratio's two terms come from the same store), and only when the
   * indicator has an activity term.
   */
  private async activityEngine(def: IndicatorDefinitionDto, scope: EvaluationScope, asked: ActivityEngine): Promise<'postgres' | 'analytic'> {
    const feed = this.deps.analytics;
    if (asked === 'postgres' || !feed || scope.kind !== 'area') return 'postgres';
    if (asked === 'analytic') {
      await feed.refreshReference();
      return 'analytic';
    }
    if (scope.area.exact || !(await this.usesActivity(def))) return 'postgres';
    return (await feed.catchUpForReads()) ? 'analytic' : 'postgres';
  }

  private async usesActivity(def: IndicatorDefinitionDto): Promise<boolean> {
    if (def.formula === 'growth') return def.baseCode ? this.usesActivity(await this.definitionFor(def.baseCode, def.validFrom)) : false;
    return def.numerator.key.source === 'activity' || def.denominator?.key.source === 'activity';
  }

  private async compute(
    def: IndicatorDefinitionDto, scope: EvaluationScope, period: IndicatorPeriod, spans: readonly PeriodSpan[], today: string, engine: 'postgres' | 'analytic',
  ): Promise<IndicatorPeriodValue[]> {
    if (def.formula === 'growth') {
      if (!def.baseCode) throw new AppError('internal', `指标 ${def.code} 缺少基础指标`);
      const base = await this.definitionFor(def.baseCode, spans[spans.length - 1]!.end);
      const current = await this.compute(base, scope, period, spans, today, engine);
      const previous = await this.compute(base, scope, period, spans.map((s) => spanOf(samePeriodLastYear(s.label))), today, engine);
      return current.map((c, i) => {
        const p = previous[i]!;
        if (c.noData || c.value === null) return { period: c.period, numerator: null, denominator: null, value: null, noData: true, reason: c.reason ?? '本期无数据' };
        if (p.noData || p.value === null) return { period: c.period, numerator: c.value, denominator: null, value: null, noData: true, reason: `上年同期（${p.period}）无数据` };
        const value = growthValue(c.value, p.value);
        return { period: c.period, numerator: c.value, denominator: p.value, value, noData: false, ...(value === null ? { reason: '上年同期为零，无法计算增长率' } : {}) };
      });
    }
    const numerator = await this.termFigures(def.numerator.key, scope, period, spans, today, engine);
    if (def.formula === 'unavailable' || def.formula === 'count' || !def.denominator) {
      return spans.map((s) => {
        const n = numerator.get(s.label)!;
        if (n.noDataReason || def.formula === 'unavailable') return { period: s.label, numerator: null, denominator: null, value: null, noData: true, reason: n.noDataReason ?? '无数据' };
        if (n.rows === 0 && !n.ownRegister) return { period: s.label, numerator: null, denominator: null, value: null, noData: true, reason: '期内无数据' };
        return { period: s.label, numerator: n.value, denominator: null, value: n.value, noData: false };
      });
    }
    const denominator = await this.termFigures(def.denominator.key, scope, period, spans, today, engine);
    const moneyNumerator = isMoneyTerm(def.numerator.key);
    return spans.map((s) => {
      const n = numerator.get(s.label)!;
      const d = denominator.get(s.label)!;
      const reason = n.noDataReason ?? d.noDataReason ?? (d.rows === 0 ? '期内无数据' : undefined);
      if (reason) return { period: s.label, numerator: null, denominator: null, value: null, noData: true, reason };
      const value = ratioValue(n.value, d.value, def.scale, def.unit, moneyNumerator);
      return { period: s.label, numerator: n.value, denominator: d.value, value, noData: false, ...(value === null ? { reason: '分母为零' } : {}) };
    });
  }

  /** One term per period label. */
  private async termFigures(
    term: IndicatorTermSpec, scope: EvaluationScope, period: IndicatorPeriod, spans: readonly PeriodSpan[], today: string, engine: 'postgres' | 'analytic',
  ): Promise<Map<string, TermFigure>> {
    const out = new Map<string, TermFigure>(spans.map((s) => [s.label, { value: 0, rows: 0 }]));
    const all = (f: Omit<TermFigure, 'value' | 'rows'>) => {
      for (const s of spans) out.set(s.label, { value: 0, rows: 0, ...f });
      return out;
    };
    const first = spans[0]!.start;
    const last = spans[spans.length - 1]!.end;
    const residentArea = scope.kind === 'area' ? scope.area : scope.kind === 'alliance' ? scope.residentArea : null;
    switch (term.source) {
      case 'unavailable':
        return all({ noDataReason: term.reason });
      case 'activity': {
        if (term.population === 'residents' && !residentArea) return all({ noDataReason: '医联体未登记服务区域，无法确定辖区居民' });
        const money = isMoneyTerm(term);
        const feed = this.deps.analytics;
        if (engine === 'analytic' && feed && scope.kind === 'area') {
          // DuckDB sums money in fen already: both sides exact, so the figures are equal to the fen.
          for (const b of await feed.sumActivity(term, scope.area, period, first, last)) {
            if (out.has(b.period)) out.set(b.period, { value: Number(b.value), rows: b.rows });
          }
          return out;
        }
        for (const b of await this.repo.sumActivity(term, scope, period, first, last)) {
          if (out.has(b.period)) out.set(b.period, { value: money ? yuanToFen(b.value) : Number(b.value), rows: b.rows });
        }
        return out;
      }
      case 'referrals': {
        for (const s of spans) out.set(s.label, { value: 0, rows: 0, ownRegister: true });
        for (const b of await this.repo.countReferrals(term.direction, term.leadOnly ?? false, scope, period, first, last)) {
          if (out.has(b.period)) out.set(b.period, { value: b.rows, rows: b.rows, ownRegister: true });
        }
        return out;
      }
      case 'facilities': {
        for (const s of spans) {
          const on = s.end < today ? s.end : today;
          const ids = await this.repo.facilitiesInScope(term.tiers, scope, on);
          if (!term.withStationed) {
            out.set(s.label, { value: ids.length, rows: ids.length, ownRegister: true });
            continue;
          }
          const roles = await this.repo.stationedPhysicianRoles({ organizationIds: ids }, s.start, s.end);
          out.set(s.label, { value: new Set(roles.map((r) => r.organizationId)).size, rows: ids.length, ownRegister: true });
        }
        return out;
      }
      case 'stationed-physicians': {
        const titles = practitionerTitles.slice(practitionerTitles.indexOf(term.minTitle));
        const homeTiers = facilityTiers.filter((t) => tierRank[t] >= term.minHomeTierRank);
        for (const s of spans) {
          const at = scope.kind === 'facility' ? { organizationIds: [scope.facilityId] } : residentArea ? { area: residentArea, tiers: grassrootsTiers } : null;
          if (!at) {
            out.set(s.label, { value: 0, rows: 0, noDataReason: '医联体未登记服务区域' });
            continue;
          }
          const roles = await this.repo.stationedPhysicianRoles(at, s.start, s.end, { titles, homeTiers });
          const n = practitionersStationedAtLeast(roles, s.start, s.end, term.minDays).length;
          out.set(s.label, { value: n, rows: n, ownRegister: true });
        }
        return out;
      }
      case 'diagnosis': {
        // The platform's own register of remote diagnosis requests: zero is a real zero.
        for (const s of spans) out.set(s.label, { value: 0, rows: 0, ownRegister: true });
        for (const b of await this.repo.countDiagnosis(term.measure, scope, period, first, last)) {
          if (out.has(b.period)) out.set(b.period, { value: b.rows, rows: b.rows, ownRegister: true });
        }
        return out;
      }
      case 'residents': {
        if (!residentArea) return all({ noDataReason: '无法确定辖区居民' });
        const n = await this.repo.residents(residentArea);
        if (n === 0) return all({ noDataReason: '主索引中没有该区域的居民' });
        for (const s of spans) out.set(s.label, { value: n, rows: n });
        return out;
      }
    }
  }
}

/** Why this process cannot answer for the analytic store (a 409, or the status's `message`). */
function analyticsUnavailable(feed: ActivityAnalyticsFeed | undefined): string {
  return feed
    ? '本进程不是分析库（DuckDB）的同步进程：另一个服务器持有该角色并维护分析库，请在那个服务器上执行（或停止它后用 yilian indicators 命令）。' +
        ' / This process does not drain the analytic store (DuckDB): another server holds the drainer role and keeps the store; run this on that server (or stop it and use yilian indicators).'
    : '本进程没有分析库（DuckDB），无法重建或查看；PostgreSQL 的指标汇总可用 store: "postgres" 重建。' +
        ' / This process has no analytic store (DuckDB); rebuild PostgreSQL\'s pre-aggregate with store "postgres".';
}

type RecordScope = 'all' | { memberships: readonly { organizationId: string; validFrom: string; validTo: string | null }[]; areas: readonly string[] };

/** May the caller record an activity at this facility (null: outside the platform) on this date for a resident of this county? */
function mayRecord(scope: RecordScope, facilityId: string | null, on: string, residenceCounty: string): boolean {
  if (scope === 'all') return true;
  if (facilityId === null) return scope.areas.some((a) => residenceCounty.startsWith(a));
  return scope.memberships.some((m) => m.organizationId === facilityId && coversDate(m, on));
}

interface ResolvedSubject {
  id: string;
  name: string;
  divisionCode: string | null;
  leadOrganizationId?: string;
  scope: EvaluationScope;
  /** Division whose configured targets apply. */
  targetDivision: string | null;
}

export interface RankingInput {
  indicator: string;
  level: IndicatorLevel;
  subject: string;
  period: IndicatorPeriod;
  /** A period label or a date inside it; default: today's period. */
  at?: string | undefined;
  childLevel?: IndicatorChildLevel | undefined;
}

type RankingCandidate = Omit<IndicatorRankingRow, 'rank' | 'value' | 'level'>;

/** Facilities a ranking lists: hospitals of the county and its township and community centers (villages are too many and too small). */
const rankedTiers: readonly FacilityTier[] = ['county-hospital', 'county-tcm-hospital', 'county-mch-hospital', 'township-health-center', 'community-health-center'];

/** The children a ranking lists, or why there are none (the level has none, or the indicator is not cut by it). */
function rankingChildLevel(def: IndicatorDefinitionDto, level: IndicatorLevel, asked: IndicatorChildLevel | undefined): { level: IndicatorChildLevel } | { reason: string } {
  const allowed: Record<IndicatorLevel, readonly IndicatorChildLevel[]> = {
    province: ['city', 'county'], city: ['county'], county: ['facility', 'alliance'], alliance: ['facility'], facility: [],
  };
  const options = allowed[level];
  if (asked && !options.includes(asked)) throw invalid(`${levelNames[level]}级不能按${levelNames[asked]}排名（可选：${options.map((o) => levelNames[o]).join('、') || '无'}）`, 'childLevel');
  const candidates = asked ? [asked] : options;
  const found = candidates.find((c) => def.levels.includes(c));
  if (found) return { level: found };
  if (options.length === 0) return { reason: '机构没有下级单位；请查看逐月趋势' };
  return { reason: `指标“${def.nameZh}”不按${candidates.map((c) => levelNames[c]).join('或')}统计，无法排名` };
}

/** Best first by direction (neutral: largest first); ties share a rank; rows without a figure last, unranked, by name. */
function rankRows(rows: readonly Omit<IndicatorRankingRow, 'rank'>[], direction: IndicatorDefinitionDto['direction']): IndicatorRankingRow[] {
  const has = (r: Omit<IndicatorRankingRow, 'rank'>) => !r.value.noData && r.value.value !== null;
  const sign = direction === 'lower-better' ? 1 : -1;
  const ranked = rows.filter(has).sort((a, b) => sign * (a.value.value! - b.value.value!) || a.name.localeCompare(b.name, 'zh-CN'));
  const out: IndicatorRankingRow[] = [];
  ranked.forEach((r, i) => {
    const prev = out[i - 1];
    out.push({ ...r, rank: prev && prev.value.value === r.value.value ? prev.rank : i + 1 });
  });
  const rest = rows.filter((r) => !has(r)).sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
  return [...out, ...rest.map((r) => ({ ...r, rank: null }))];
}

/** `fn` over `items`, at most `limit` at a time, results in order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

const areaOf = (trimmed: string): AreaFilter => ({ code: trimmed, exact: trimmed.length === 6 });

const levelNames: Record<IndicatorLevel, string> = { facility: '机构', alliance: '医联体', county: '县', city: '市', province: '省' };
const periodNames: Record<IndicatorPeriod, string> = { month: '月', quarter: '季度', year: '年' };

/**
 * Seeds the shipped definitions (version 1 each) on any database: existing versions are left exactly as they are, so
 * a county's own later versions and history survive restarts. Returns how many were new.
 */
export async function ensureIndicatorDefinitions(db: Db, at: Date = new Date()): Promise<number> {
  const repo = new IndicatorRepository(db);
  return repo.insertDefinitionsIfAbsent(
    shippedDefinitions.map((d) => ({
      id: nameBasedId('indicator-definition', `${d.code}@${d.version}`),
      code: d.code, version: d.version, nameZh: d.nameZh, nameEn: d.nameEn, dimension: d.dimension, formula: d.formula,
      numerator: d.numerator, denominator: d.denominator, baseCode: d.baseCode, scale: d.scale, unit: d.unit, direction: d.direction,
      levels: [...d.levels], periods: [...d.periods], source: d.source, note: d.note, validFrom: d.validFrom, validTo: null, createdAt: at,
    })),
  );
}

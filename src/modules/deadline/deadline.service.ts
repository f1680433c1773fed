import type { Db } from '../../db/client.js';
import type { RequestContext } from '../../shared/context.js';
import { hasRole } from '../../shared/context.js';
import { shanghaiDate } from '../../shared/clock.js';
import { AppError, forbidden, invalid, notFound } from '../../shared/errors.js';
import { TtlCache } from '../../shared/ttl-cache.js';
import { newId } from '../../shared/ids.js';
import type { EscalationRung, Urgency } from '../../contracts/codes.js';
import type {
  DeadlinePolicyDto, DeadlinePolicyInput, DeadlinePolicyQuery, WorkingCalendarDto, WorkingCalendarInput,
} from '../../contracts/deadline.js';
import type { NetworkService } from '../network/index.js';
import type { NotificationService } from '../notification/index.js';
import { sql, type SQL } from 'drizzle-orm';
import { DeadlineRepository, liveDeadlineJsonSql, type CalendarRow, type DeadlineRow, type PolicyRow } from './deadline.repository.js';
import {
  addWorkingTime, calendarHasHours, dayHoursProblem, dueAfterResume, dueLevels, ladderProblem, nextCheckAt, nextLevelOf,
  remainingAtPause, type CalendarSpec,
} from './deadline.rules.js';

/** A deadline as stored: one running clock on one step of one subject. */
export type DeadlineRecord = DeadlineRow;

/**
 * What the engine needs from the module that owns a kind of subject (referral, diagnosis request, critical value).
 * Called inside the worker's transaction for the deadline (`db`/`tx`), so what they write commits with the escalation.
 */
export interface DeadlineSubjectHandler {
  subjectType: string;
  /** Users to notify at this rung (empty: the rung is recorded but notifies nobody). */
  recipientsFor(db: Db, d: DeadlineRecord, rung: EscalationRung): Promise<string[]>;
  /** Title, body and UI link of the notifications about this subject. */
  describe(db: Db, d: DeadlineRecord): Promise<{ title: string; body: string; link: string | null }>;
  /** Called once per level fired (e.g. the referral writes a timeline event in the same transaction). */
  onFired?(tx: Db, d: DeadlineRecord, level: number, rung: EscalationRung | 'overdue', at: Date): Promise<void>;
}

export interface StartDeadlineInput {
  subjectType: string;
  subjectId: string;
  step: string;
  urgency: Urgency;
  /** The organization that must act; its override of the policy applies, and its worklist shows the deadline. */
  organizationId: string;
  /** When the clock starts (usually ctx.clock.now()). */
  at: Date;
  /** The step just done, whose live deadline is met at `at` in the same statement (a lifecycle moving on). */
  meetStep?: string | undefined;
}

export interface RunDueResult {
  /** Deadlines examined and updated. */
  deadlines: number;
  /** Levels fired (overdue marks and rungs) in this tick. */
  fired: number;
  /** Deadlines whose handling failed; their transaction rolled back and the next tick retries them. */
  failed: { deadlineId: string; error: string }[];
}

const rungLabels: Record<EscalationRung, string> = {
  assigned: '经办医生',
  'department-head': '科室主任',
  'referral-desk': '转诊服务中心',
  'alliance-office': '医共体办公室',
};

/** "2026-11-22 10:00" in China Standard Time, for notification texts. */
const cstText = (d: Date): string => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

export const toCalendarSpec = (c: Pick<CalendarRow, 'weekly' | 'holidays' | 'extraWorkdays'>): CalendarSpec => ({
  weekly: c.weekly,
  holidays: c.holidays,
  extraWorkdays: c.extraWorkdays,
});

/**
 * The deadline engine: one for the whole platform. A deadline is started, met, paused, resumed or cancelled inside
 * the caller's transaction (so it commits with the state change that caused it); a worker calls `runDue` to mark
 * overdue deadlines and climb the escalation ladder. All state is in the database — nothing is held in timers — so
 * deadlines survive restarts, and the unique (deadline, level) row makes every level fire once.
 */
export class DeadlineService {
  private readonly repo: DeadlineRepository;
  private readonly handlers = new Map<string, DeadlineSubjectHandler>();
  private readonly policyCache = new TtlCache<PolicyRow | undefined>(30_000);

  constructor(
    db: Db,
    private readonly notifications: NotificationService,
    private readonly network: NetworkService,
  ) {
    this.repo = new DeadlineRepository(db);
  }

  /** Registers the owner of a subject type; the worker refuses to fire deadlines of an unregistered type. */
  registerSubject(handler: DeadlineSubjectHandler): void {
    this.handlers.set(handler.subjectType, handler);
  }

  // ---- the lifecycle, inside the caller's transaction

  /**
   * Starts the clock on a step. The policy is the organization's override or else the platform default; the due time
   * counts working time when the policy has a calendar. A live deadline of the same subject and step is cancelled and
   * replaced (a re-submitted referral starts its acceptance clock afresh). Throws `conflict` when no policy exists.
   */
  async start(tx: Db, input: StartDeadlineInput): Promise<DeadlineRecord> {
    const repo = new DeadlineRepository(tx);
    // Policies change only through this service (which empties the cache), and every referral step reads one.
    const policy = await this.policyCache.get(`${input.subjectType}|${input.step}|${input.urgency}|${input.organizationId}`, () =>
      repo.policyFor(input.subjectType, input.step, input.urgency, input.organizationId),
    );
    if (!policy) {
      throw new AppError('conflict', `没有配置时限策略：${input.subjectType} / ${input.step} / ${input.urgency}，请系统管理员在时限策略中添加`, {
        detail: { subjectType: input.subjectType, step: input.step, urgency: input.urgency },
      });
    }
    const calendar = await this.calendarOf(repo, policy.calendarId);
    const dueAt = addWorkingTime(input.at, policy.minutes * 60_000, calendar);
    return repo.startReplacing({
      id: newId(),
      subjectType: input.subjectType,
      subjectId: input.subjectId,
      step: input.step,
      urgency: input.urgency,
      organizationId: input.organizationId,
      policyId: policy.id,
      calendarId: policy.calendarId,
      ladder: policy.ladder,
      state: 'running',
      startedAt: input.at,
      dueAt,
      nextCheckAt: dueAt,
    }, input.meetStep && input.meetStep !== input.step ? { step: input.meetStep, at: input.at } : undefined);
  }

  /** Stops the clock of a step because the step was done; returns the deadline met, or null if none was live. */
  async meet(tx: Db, subjectType: string, subjectId: string, step: string, at: Date): Promise<DeadlineRecord | null> {
    return (await new DeadlineRepository(tx).meetLive(subjectType, subjectId, step, at)) ?? null;
  }

  /**
   * Cancels every live deadline of the subject (cancelled, rejected or closed subjects). `at` is accepted for symmetry
   * with the other calls; the schema keeps no cancellation time. Returns how many were cancelled.
   */
  async cancelAll(tx: Db, subjectType: string, subjectId: string, _at: Date): Promise<number> {
    return (await new DeadlineRepository(tx).cancelLive(subjectType, subjectId, null)).length;
  }

  /**
   * Stops the clock of every running deadline of the subject — time on hold for patient reasons does not count. The
   * working time left is stored (negative when already overdue). Returns the deadlines paused.
   */
  async pause(tx: Db, subjectType: string, subjectId: string, at: Date): Promise<DeadlineRecord[]> {
    const repo = new DeadlineRepository(tx);
    const out: DeadlineRecord[] = [];
    for (const d of await repo.lockInState(subjectType, subjectId, 'running')) {
      const calendar = await this.calendarOf(repo, d.calendarId);
      const row = await repo.update(d.id, 'running', { state: 'paused', pausedAt: at, remainingMs: remainingAtPause(d.dueAt, at, calendar), nextCheckAt: null });
      if (row) out.push(row);
    }
    return out;
  }

  /**
   * Restarts the clock of every paused deadline of the subject: the due time is the stored remaining working time
   * counted from `at`, escalation resumes from the level it had reached, and the paused wall-clock time is added to
   * `pausedTotalMs`. Returns the deadlines resumed.
   */
  async resume(tx: Db, subjectType: string, subjectId: string, at: Date): Promise<DeadlineRecord[]> {
    const repo = new DeadlineRepository(tx);
    const out: DeadlineRecord[] = [];
    for (const d of await repo.lockInState(subjectType, subjectId, 'paused')) {
      const calendar = await this.calendarOf(repo, d.calendarId);
      const pausedAt = d.pausedAt ?? at;
      const dueAt = dueAfterResume({ dueAt: d.dueAt, pausedAt, remainingMs: d.remainingMs ?? 0 }, at, calendar);
      const row = await repo.update(d.id, 'paused', {
        state: 'running',
        dueAt,
        pausedAt: null,
        remainingMs: null,
        pausedTotalMs: d.pausedTotalMs + Math.max(0, at.getTime() - pausedAt.getTime()),
        nextCheckAt: nextCheckAt(dueAt, d.ladder, nextLevelOf(d), calendar),
      });
      if (row) out.push(row);
    }
    return out;
  }

  /**
   * The live (running or paused) deadline of each subject, for worklists: one query for the whole page. A subject with
   * live deadlines on several steps gets the one due first.
   */
  async liveFor(db: Db, subjectType: string, subjectIds: readonly string[]): Promise<Map<string, DeadlineRecord>> {
    const out = new Map<string, DeadlineRecord>();
    for (const d of await new DeadlineRepository(db).liveFor(subjectType, [...new Set(subjectIds)])) {
      if (!out.has(d.subjectId)) out.set(d.subjectId, d);
    }
    return out;
  }

  /** `liveFor` as a scalar sub-query returning JSON, to embed in another module's read (see the repository). */
  liveDeadlineSql(subjectType: string, subjectId: string): SQL {
    return liveDeadlineJsonSql(subjectType, sql`${subjectId}`);
  }

  /** The levels a deadline has fired, lowest first (for timelines and tests). */
  async escalationsOf(db: Db, deadlineId: string) {
    return new DeadlineRepository(db).escalationsOf(deadlineId);
  }

  // ---- the worker

  /**
   * One tick of the worker: every running deadline whose next check is due by `now` is claimed (FOR UPDATE SKIP LOCKED)
   * and handled in its own transaction — every level due fires, in order, once: the overdue mark at the due time, then
   * each rung of its ladder. After downtime all missed levels fire in one go. A failure rolls back that deadline only;
   * it is reported and retried next tick. At most `limit` deadlines per tick (default 500); the next tick continues.
   */
  async runDue(now: Date, opts: { limit?: number } = {}): Promise<RunDueResult> {
    const limit = opts.limit ?? 500;
    const result: RunDueResult = { deadlines: 0, fired: 0, failed: [] };
    const skip: string[] = [];
    while (result.deadlines + result.failed.length < limit) {
      const claim: { id: string | null } = { id: null };
      try {
        const fired = await this.repo.transaction(async (repo, tx) => {
          const d = await repo.claimNextDue(now, skip);
          if (!d) return null;
          claim.id = d.id;
          return this.fireDue(repo, tx, d, now);
        });
        if (fired === null) break;
        result.deadlines++;
        result.fired += fired;
      } catch (e) {
        // Nothing claimed: the database itself failed — let the caller (the job) log it and try again next tick.
        if (!claim.id) throw e;
        result.failed.push({ deadlineId: claim.id, error: e instanceof Error ? e.message : String(e) });
        skip.push(claim.id);
      }
    }
    return result;
  }

  private async fireDue(repo: DeadlineRepository, tx: Db, d: DeadlineRow, now: Date): Promise<number> {
    const handler = this.handlers.get(d.subjectType);
    if (!handler) throw new Error(`没有为时限对象类型 ${d.subjectType} 注册处理程序（registerSubject）`);
    const calendar = await this.calendarOf(repo, d.calendarId);
    const { due, nextCheckAt: next } = dueLevels(d, now, calendar);
    let current: DeadlineRow = d;
    let description: { title: string; body: string; link: string | null } | null = null;
    let fired = 0;
    for (const level of due) {
      current = level.rung === 'overdue' ? { ...current, overdueAt: now } : { ...current, escalationLevel: level.level };
      const recipients = level.rung === 'overdue' ? [] : [...new Set(await handler.recipientsFor(tx, current, level.rung))];
      const firstTime = await repo.insertEscalation({ id: newId(), deadlineId: d.id, level: level.level, rung: level.rung, firedAt: now, recipientUserIds: recipients });
      // Already fired (a crashed tick's retry, a second worker): advance past it without notifying again.
      if (!firstTime) continue;
      fired++;
      if (level.rung !== 'overdue' && recipients.length > 0) {
        description ??= await handler.describe(tx, current);
        const overdueMinutes = Math.max(0, Math.round((now.getTime() - d.dueAt.getTime()) / 60_000));
        await this.notifications.notifyUsers(tx, {
          userIds: recipients,
          kind: level.rung === 'assigned' ? 'deadline-overdue' : 'deadline-escalation',
          title: level.rung === 'assigned' ? `【已超时】${description.title}` : `【超时升级·${rungLabels[level.rung]}】${description.title}`,
          body: `${description.body}（应于 ${cstText(d.dueAt)} 前完成，已超时 ${overdueMinutes} 分钟）`,
          subjectType: d.subjectType,
          subjectId: d.subjectId,
          link: description.link,
          dedupeKey: `deadline:${d.id}:${level.level}`,
          at: now,
        });
      }
      await handler.onFired?.(tx, current, level.level, level.rung, now);
    }
    const updated = await repo.update(d.id, 'running', { overdueAt: current.overdueAt, escalationLevel: current.escalationLevel, nextCheckAt: next });
    if (!updated) throw new Error(`时限 ${d.id} 在处理期间状态已改变`);
    return fired;
  }

  private async calendarOf(repo: DeadlineRepository, calendarId: string | null): Promise<CalendarSpec | null> {
    if (!calendarId) return null;
    const c = await repo.calendar(calendarId);
    if (!c) throw new Error(`工作日历 ${calendarId} 不存在`);
    return toCalendarSpec(c);
  }

  // ---- configuration: policies and calendars

  /** Policies, platform defaults and overrides. `organizationId: 'default'` lists the platform defaults only. */
  async listPolicies(_ctx: RequestContext, q: DeadlinePolicyQuery): Promise<DeadlinePolicyDto[]> {
    const organizationId = q.organizationId === 'default' ? null : q.organizationId;
    return (await this.repo.policies({ subjectType: q.subjectType, organizationId })).map(toPolicyDto);
  }

  /**
   * Creates or replaces the policy of a key. Platform defaults (organizationId null): system administrators only. An
   * organization's override: system administrators, or alliance administrators for the members of the alliances their
   * organization leads; an override must override an existing platform default. Applies to deadlines started after.
   */
  async upsertPolicy(ctx: RequestContext, input: DeadlinePolicyInput): Promise<DeadlinePolicyDto> {
    this.policyCache.clear();
    await this.guardConfiguration(ctx, input.organizationId, '时限策略');
    const problem = ladderProblem(input.ladder);
    if (problem) throw invalid(problem, 'ladder');
    if (input.organizationId) {
      if (!(await this.repo.organizationExists(input.organizationId))) throw invalid(`机构 ${input.organizationId} 不存在`, 'organizationId');
      if (!(await this.repo.policyFor(input.subjectType, input.step, input.urgency, null))) {
        throw invalid(`没有 ${input.subjectType} / ${input.step} / ${input.urgency} 的平台默认策略，机构不能单独新增`, 'step');
      }
    }
    if (input.calendarId) {
      const c = await this.repo.calendar(input.calendarId);
      if (!c) throw invalid(`工作日历 ${input.calendarId} 不存在`, 'calendarId');
      if (c.organizationId && c.organizationId !== input.organizationId) throw invalid('只能使用平台日历或本机构的日历', 'calendarId');
    }
    const id = await this.repo.upsertPolicy({
      id: newId(),
      subjectType: input.subjectType,
      step: input.step,
      urgency: input.urgency,
      organizationId: input.organizationId,
      minutes: input.minutes,
      calendarId: input.calendarId,
      ladder: input.ladder,
      updatedAt: ctx.clock.now(),
      updatedBy: ctx.actor.username,
    });
    return toPolicyDto((await this.repo.policyById(id))!);
  }

  /** Removes an organization's override (the platform default applies again to deadlines started after). */
  async deletePolicyOverride(ctx: RequestContext, id: string): Promise<void> {
    this.policyCache.clear();
    const p = await this.repo.policyById(id);
    if (!p) throw notFound(`时限策略 ${id} 不存在`);
    if (!p.organizationId) throw invalid('平台默认策略不能删除，只能修改', 'id');
    await this.guardConfiguration(ctx, p.organizationId, '时限策略');
    await this.repo.transaction(async (repo) => {
      await repo.detachPolicy(id);
      await repo.deleteOverride(id);
    });
  }

  async listCalendars(_ctx: RequestContext): Promise<WorkingCalendarDto[]> {
    return (await this.repo.calendars()).map(toCalendarDto);
  }

  /** Adds a working calendar: a platform one (system administrators) or an organization's own. */
  async createCalendar(ctx: RequestContext, input: WorkingCalendarInput): Promise<WorkingCalendarDto> {
    await this.guardConfiguration(ctx, input.organizationId, '工作日历');
    await this.validateCalendar(input);
    return toCalendarDto(await this.repo.insertCalendar({ id: newId(), ...calendarColumns(input), createdAt: ctx.clock.now() }));
  }

  /**
   * Replaces a calendar (e.g. entering next year's holidays). Running deadlines keep their due time; their remaining
   * escalation times are computed on the new calendar.
   */
  async updateCalendar(ctx: RequestContext, id: string, input: WorkingCalendarInput): Promise<WorkingCalendarDto> {
    this.policyCache.clear();
    const existing = await this.repo.calendar(id);
    if (!existing) throw notFound(`工作日历 ${id} 不存在`);
    await this.guardConfiguration(ctx, existing.organizationId, '工作日历');
    await this.guardConfiguration(ctx, input.organizationId, '工作日历');
    await this.validateCalendar(input);
    return toCalendarDto((await this.repo.updateCalendar(id, calendarColumns(input)))!);
  }

  private async validateCalendar(input: WorkingCalendarInput): Promise<void> {
    for (const [i, day] of input.weekly.entries()) {
      const problem = dayHoursProblem(day);
      if (problem) throw invalid(problem, `weekly.${i}`);
    }
    if (!calendarHasHours({ weekly: input.weekly, holidays: input.holidays, extraWorkdays: input.extraWorkdays })) {
      throw invalid('工作日历至少要有一天有工作时段', 'weekly');
    }
    const both = input.holidays.find((d) => input.extraWorkdays.includes(d));
    if (both) throw invalid(`${both} 不能既是节假日又是调休上班日`, 'extraWorkdays');
    if (input.organizationId && !(await this.repo.organizationExists(input.organizationId))) {
      throw invalid(`机构 ${input.organizationId} 不存在`, 'organizationId');
    }
  }

  /** System administrators configure anything; alliance administrators the organizations of the alliances they lead. */
  private async guardConfiguration(ctx: RequestContext, organizationId: string | null, what: string): Promise<void> {
    if (hasRole(ctx.actor, 'system-admin')) return;
    if (!organizationId) throw forbidden(`只有系统管理员可以修改平台默认的${what}`);
    if (!hasRole(ctx.actor, 'alliance-admin') || !ctx.actor.organizationId) throw forbidden(`只有系统管理员或医共体管理员可以修改${what}`);
    const administered = await this.network.membersOfAlliancesLedBy(ctx.actor.organizationId, shanghaiDate(ctx.clock.now()));
    if (!administered.includes(organizationId)) throw forbidden(`无权修改该机构的${what}：它不在本机构牵头的医共体内`);
  }
}

const calendarColumns = (input: WorkingCalendarInput) => ({
  name: input.name,
  organizationId: input.organizationId,
  weekly: input.weekly.map((day) => [...day].sort((a, b) => a[0] - b[0])),
  holidays: [...new Set(input.holidays)].sort(),
  extraWorkdays: [...new Set(input.extraWorkdays)].sort(),
});

const toPolicyDto = (p: PolicyRow): DeadlinePolicyDto => ({
  id: p.id,
  subjectType: p.subjectType,
  step: p.step,
  urgency: p.urgency,
  organizationId: p.organizationId,
  minutes: p.minutes,
  calendarId: p.calendarId,
  ladder: p.ladder,
  updatedAt: p.updatedAt.toISOString(),
  updatedBy: p.updatedBy,
});

const toCalendarDto = (c: CalendarRow): WorkingCalendarDto => ({
  id: c.id,
  name: c.name,
  organizationId: c.organizationId,
  weekly: c.weekly,
  holidays: c.holidays,
  extraWorkdays: c.extraWorkdays,
  createdAt: c.createdAt.toISOString(),
});

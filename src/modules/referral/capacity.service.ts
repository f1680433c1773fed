import { inParallel, type Db } from '../../db/client.js';
import type { RequestContext } from '../../shared/context.js';
import { hasRole } from '../../shared/context.js';
import { shanghaiDate } from '../../shared/clock.js';
import { AppError, conflict, forbidden, invalid, notFound } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import type {
  BedPoolDayDto, BedPoolDto, BedPoolInput, CapacityPolicyDto, CapacityPolicyInput, PublishSlotsInput, PublishSlotsResultDto, ScheduleDto,
  ScheduleInput, SlotDto, SlotQuery,
} from '../../contracts/referral.js';
import { isUniqueViolation, type NetworkService } from '../network/index.js';
import { CapacityRepository, type BedPoolRow, type PolicyRow, type ScheduleRow, type SlotListRow } from './capacity.repository.js';
import {
  addDays, admissionNoticeNumber, bedDayReleaseAt, choosePolicy, daysBetween, isReservedNow, MAX_PUBLISH_DAYS, MAX_PUBLISH_SLOTS, mayBook,
  mayUseHold, minuteLabel, patternProblem, planSlots, reservedBedsFor, shanghaiDayStart, type HoldRefusal, type Requester, type SlotPattern,
} from './capacity.rules.js';

/** A referral asking for capacity at its destination, as the referral service passes it inside its transaction. */
export interface CapacityBookingRequest {
  referralId: string;
  patientId: string;
  originOrganizationId: string;
  /** Alliances the origin belongs to on the booking day (any kind); a hold for one of them admits the referral. */
  allianceIds: string[];
  destinationOrganizationId: string;
  /** The booking instant: decides release and "not yet started". */
  at: Date;
  actorName: string;
}

export interface BookedSlot {
  appointmentId: string;
  slotId: string;
  start: Date;
  end: Date;
  departmentId: string;
  departmentName: string;
}

export interface BookedBed {
  reservationId: string;
  /** Admission day, YYYY-MM-DD (Asia/Shanghai). */
  day: string;
  /** 入院通知单号: the notice goes to the sender and the patient the day it is made (the referral service sends it). */
  admissionNoticeNumber: string;
  departmentId: string;
  departmentName: string;
  organizationId: string;
}

export interface FreeReservedCapacity {
  organizationId: string;
  /** Free slots still held (not released) for this referral's origin or alliance, starting in the window. */
  freeReservedSlots: number;
  /** Reserved beds still held for it, summed over the days of the window. */
  freeReservedBeds: number;
}

const DAY_MS = 86_400_000;
const DEFAULT_WINDOW_DAYS = 14;

/** Roles that maintain a facility's schedules, slots, policies and bed pools (its 转诊服务中心 and administrators). */
const MANAGER_ROLES = ['referral-desk', 'alliance-admin'] as const;

const toScheduleDto = (s: ScheduleRow): ScheduleDto => ({
  id: s.id,
  organizationId: s.organizationId,
  organizationName: s.organizationName,
  departmentId: s.departmentId,
  departmentName: s.departmentName,
  kind: s.kind,
  name: s.name,
  practitionerName: s.practitionerName,
  active: s.active === 1,
  template: s.template ?? null,
  createdAt: s.createdAt.toISOString(),
});

const toPolicyDto = (p: PolicyRow): CapacityPolicyDto => ({
  id: p.id,
  organizationId: p.organizationId,
  departmentId: p.departmentId,
  kind: p.kind,
  allianceId: p.allianceId,
  memberOrganizationId: p.memberOrganizationId,
  referralShare: Number(p.referralShare),
  releaseHoursBefore: p.releaseHoursBefore,
  createdAt: p.createdAt.toISOString(),
  createdBy: p.createdBy,
});

const asHold = (s: { reserved: number; reservedForOrganizationId: string | null; reservedForAllianceId: string | null; releaseAt: Date | null }) => ({
  reserved: s.reserved === 1,
  reservedForOrganizationId: s.reservedForOrganizationId,
  reservedForAllianceId: s.reservedForAllianceId,
  releaseAt: s.releaseAt,
});

const toSlotDto = (s: SlotListRow, now: Date): SlotDto => ({
  id: s.id,
  scheduleId: s.scheduleId,
  scheduleName: s.scheduleName,
  organizationId: s.organizationId,
  departmentId: s.departmentId,
  departmentName: s.departmentName,
  kind: s.kind,
  start: s.start.toISOString(),
  end: s.end.toISOString(),
  status: s.status,
  reservedNow: isReservedNow(asHold(s), now),
  reservedFor: s.reserved === 1 ? (s.reservedForName ?? '转诊患者') : null,
  releaseAt: s.releaseAt?.toISOString() ?? null,
});

/** zh-CN time of an instant, Asia/Shanghai: "11月24日 08:00". */
const shanghaiLabel = (at: Date): string => {
  const d = shanghaiDate(at);
  const minutes = Math.floor(((at.getTime() + 8 * 3_600_000) % DAY_MS) / 60_000);
  return `${Number(d.slice(5, 7))}月${Number(d.slice(8, 10))}日 ${minuteLabel(minutes)}`;
};

/**
 * Reserved capacity (号源/床位预留): upper facilities publish schedules, slots and bed pools; a configurable share is held
 * for referrals — for an alliance, a member facility or any referral — and released to general booking a configurable
 * number of hours before it starts. The booking primitives (`…InTx`) run inside the referral service's transaction and
 * decide with one conditional UPDATE each, so one slot or bed is taken at most once and a failure leaves nothing.
 */
export class CapacityService {
  private readonly repo: CapacityRepository;
  constructor(
    db: Db,
    private readonly network: NetworkService,
  ) {
    this.repo = new CapacityRepository(db);
  }

  // ---- who may manage

  /**
   * One access rule for every write: a system admin anywhere; the referral desk or an alliance admin of the facility
   * itself. Reading (schedules, slots, policies, bed pools) is open to every signed-in user: it holds no patient data,
   * and senders need it to choose a slot.
   */
  private guardManage(ctx: RequestContext, org: { id: string; name: string }): void {
    if (hasRole(ctx.actor, 'system-admin')) return;
    if (hasRole(ctx.actor, ...MANAGER_ROLES) && ctx.actor.organizationId === org.id) return;
    throw forbidden(`只有${org.name}的转诊服务中心、医共体管理员或系统管理员可以维护其号源、床位和预留策略`);
  }

  private async requireDepartment(id: string, path: string) {
    const dept = await this.repo.department(id);
    if (!dept) throw invalid(`科室 ${id} 不存在`, path);
    const org = (await this.repo.organization(dept.organizationId))!;
    return { dept, org };
  }

  /** Alliances an organization belongs to on a day (Asia/Shanghai): what a hold "for an alliance" is tested against. */
  async alliancesOf(organizationId: string, on: string): Promise<string[]> {
    return [...new Set((await this.network.membershipsOf({ organizationId, on })).map((m) => m.allianceId))];
  }

  // ---- schedules

  async createSchedule(ctx: RequestContext, input: ScheduleInput): Promise<ScheduleDto> {
    const { dept, org } = await this.requireDepartment(input.departmentId, 'departmentId');
    this.guardManage(ctx, org);
    if (input.template) this.checkPattern(input.template);
    const id = newId();
    await this.repo.insertSchedule({
      id, organizationId: org.id, departmentId: dept.id, kind: input.kind, name: input.name, practitionerName: input.practitionerName ?? null,
      template: input.template ? { ...input.template, sessions: input.template.sessions.map(([a, b]) => [a, b] as [number, number]) } : null,
      createdAt: ctx.clock.now(),
    });
    return toScheduleDto((await this.repo.schedule(id))!);
  }

  async listSchedules(_ctx: RequestContext, filter: { organizationId?: string | undefined; departmentId?: string | undefined }): Promise<ScheduleDto[]> {
    return (await this.repo.schedules(filter)).map(toScheduleDto);
  }

  private checkPattern(p: SlotPattern): void {
    const problem = patternProblem(p);
    if (problem) throw invalid(problem.message, problem.path);
  }

  /**
   * Publishes a schedule's slots for [from, to] (Asia/Shanghai days). The matching capacity policy holds its share of
   * each day's slots for referrals, released `releaseHoursBefore` hours before each slot starts. Slots that overlap
   * slots the schedule already has, or that have already started, are skipped: publishing again is harmless.
   */
  async publishSlots(ctx: RequestContext, scheduleId: string, input: PublishSlotsInput): Promise<PublishSlotsResultDto> {
    const schedule = await this.repo.schedule(scheduleId);
    if (!schedule) throw notFound(`排班 ${scheduleId} 不存在`);
    this.guardManage(ctx, { id: schedule.organizationId, name: schedule.organizationName });
    this.checkPattern(input);
    const today = shanghaiDate(ctx.clock.now());
    if (input.to < input.from) throw invalid('结束日期不能早于开始日期', 'to');
    if (input.from < today) throw invalid(`不能发布今天（${today}）之前的号源`, 'from');
    if (daysBetween(input.from, input.to).length > MAX_PUBLISH_DAYS) throw invalid(`一次最多发布 ${MAX_PUBLISH_DAYS} 天的号源`, 'to');
    return this.publish(schedule, input, ctx.clock.now());
  }

  private async publish(schedule: ScheduleRow, range: { from: string; to: string } & SlotPattern, now: Date): Promise<PublishSlotsResultDto> {
    const policy = choosePolicy(
      (await this.repo.policies({ organizationId: schedule.organizationId, kind: schedule.kind })).filter((p) => Number(p.referralShare) > 0),
      schedule.departmentId,
    );
    const hold = policy
      ? { share: Number(policy.referralShare), releaseHoursBefore: policy.releaseHoursBefore, reservedForAllianceId: policy.memberOrganizationId ? null : policy.allianceId, reservedForOrganizationId: policy.memberOrganizationId }
      : null;
    const planned = planSlots(range.from, range.to, range, hold)
      .filter((s) => s.start.getTime() > now.getTime())
      .map((s) => ({ ...s, id: newId() }));
    if (planned.length > MAX_PUBLISH_SLOTS) throw invalid(`一次最多发布 ${MAX_PUBLISH_SLOTS} 个号源（本次 ${planned.length} 个），请缩短日期范围`, 'to');
    const { created, reserved } = await this.repo.transaction(async (tx) => {
      const repo = new CapacityRepository(tx);
      await repo.lockSchedule(schedule.id);
      return repo.insertPlannedSlots(schedule, planned);
    });
    return { created, reserved, skipped: planned.length - created, policyId: policy?.id ?? null };
  }

  /**
   * The daily roll-forward: every active schedule with a template keeps slots published from today to `daysAhead`
   * days ahead. Idempotent (overlapping slots are skipped), so a missed or repeated run is harmless.
   */
  async rollForward(now: Date): Promise<{ schedules: number; created: number; reserved: number }> {
    const today = shanghaiDate(now);
    let created = 0;
    let reserved = 0;
    const list = await this.repo.schedules({ withTemplate: true });
    for (const s of list) {
      const t = s.template!;
      const r = await this.publish(s, { from: today, to: addDays(today, t.daysAhead), ...t }, now);
      created += r.created;
      reserved += r.reserved;
    }
    return { schedules: list.length, created, reserved };
  }

  // ---- policies

  async listPolicies(_ctx: RequestContext, filter: { organizationId?: string | undefined }): Promise<CapacityPolicyDto[]> {
    return (await this.repo.policies(filter)).map(toPolicyDto);
  }

  async createPolicy(ctx: RequestContext, input: CapacityPolicyInput): Promise<CapacityPolicyDto> {
    let orgId = input.organizationId;
    if (input.departmentId) {
      const { dept } = await this.requireDepartment(input.departmentId, 'departmentId');
      if (orgId && orgId !== dept.organizationId) throw invalid('科室不属于该机构', 'departmentId');
      orgId = dept.organizationId;
    }
    orgId ??= ctx.actor.organizationId ?? undefined;
    if (!orgId) throw invalid('请选择机构', 'organizationId');
    const org = await this.repo.organization(orgId);
    if (!org) throw invalid(`机构 ${orgId} 不存在`, 'organizationId');
    this.guardManage(ctx, org);
    if (input.allianceId && input.memberOrganizationId) throw invalid('预留对象只能是一个医联体或一家成员机构，不能同时指定', 'memberOrganizationId');
    if (input.allianceId && !(await this.repo.alliance(input.allianceId))) throw invalid(`医联体 ${input.allianceId} 不存在`, 'allianceId');
    if (input.memberOrganizationId) {
      if (!(await this.repo.organization(input.memberOrganizationId))) throw invalid(`机构 ${input.memberOrganizationId} 不存在`, 'memberOrganizationId');
      if (input.memberOrganizationId === org.id) throw invalid('不能为本机构自己预留号源', 'memberOrganizationId');
    }
    const id = newId();
    await this.repo.insertPolicy({
      id, organizationId: org.id, departmentId: input.departmentId ?? null, kind: input.kind, allianceId: input.allianceId ?? null,
      memberOrganizationId: input.memberOrganizationId ?? null, referralShare: input.referralShare.toFixed(3),
      releaseHoursBefore: input.releaseHoursBefore, createdAt: ctx.clock.now(), createdBy: ctx.actor.username,
    });
    return toPolicyDto((await this.repo.policy(id))!);
  }

  // ---- slots

  /**
   * Slots by organization, department, schedule and time (default: now to 14 days ahead), with `reservedNow` computed
   * at the context's clock. With `forReferralId`: only free slots at the referral's destination that this referral
   * may book now (held for its origin or alliance, held for any referral, released, or never held).
   */
  async listSlots(ctx: RequestContext, query: SlotQuery): Promise<SlotDto[]> {
    const now = ctx.clock.now();
    const from = query.from ? parseInstant(query.from, 'from', false) : now;
    const to = query.to ? parseInstant(query.to, 'to', true) : new Date(from.getTime() + DEFAULT_WINDOW_DAYS * DAY_MS);
    if (to.getTime() <= from.getTime()) throw invalid('结束时间应晚于开始时间', 'to');
    let organizationId = query.organizationId;
    let bookableBy: { requester: Requester; at: Date } | undefined;
    if (query.forReferralId) {
      const referral = await this.repo.referral(query.forReferralId);
      if (!referral) throw notFound(`转诊单 ${query.forReferralId} 不存在`);
      const own = ctx.actor.organizationId === referral.originOrganizationId || ctx.actor.organizationId === referral.destinationOrganizationId;
      if (!own && !hasRole(ctx.actor, 'referral-desk', 'dispatch-coordinator', 'alliance-admin', 'system-admin')) {
        throw forbidden('只有转出、接收机构或转诊服务中心可以查看该转诊单可预约的号源');
      }
      if (organizationId && organizationId !== referral.destinationOrganizationId) throw invalid('号源应属于转诊单的接收机构', 'organizationId');
      organizationId = referral.destinationOrganizationId;
      const allianceIds = await this.alliancesOf(referral.originOrganizationId, shanghaiDate(now));
      bookableBy = { requester: { originOrganizationId: referral.originOrganizationId, allianceIds }, at: now };
    }
    const rows = await this.repo.slots({
      organizationId, departmentId: query.departmentId, scheduleId: query.scheduleId, from, to, status: query.status, bookableBy, limit: query.limit,
    });
    return rows.map((s) => toSlotDto(s, now));
  }

  // ---- bed pools

  async createBedPool(ctx: RequestContext, input: BedPoolInput): Promise<BedPoolDto> {
    const { dept, org } = await this.requireDepartment(input.departmentId, 'departmentId');
    this.guardManage(ctx, org);
    if (input.reservedForAllianceId && input.reservedForOrganizationId) throw invalid('预留对象只能是一个医联体或一家成员机构，不能同时指定', 'reservedForOrganizationId');
    let reservedBeds = input.reservedBeds;
    let forAlliance = input.reservedForAllianceId ?? null;
    let forOrganization = input.reservedForOrganizationId ?? null;
    let releaseHoursBefore = input.releaseHoursBefore;
    if (reservedBeds === undefined) {
      const policy = choosePolicy(await this.repo.policies({ organizationId: org.id, kind: 'bed' }), dept.id);
      if (!policy) throw invalid(`请填写预留床位数（${org.name}${dept.name}没有床位预留策略）`, 'reservedBeds');
      reservedBeds = reservedBedsFor(dept.beds, Number(policy.referralShare));
      if (!forAlliance && !forOrganization) {
        forOrganization = policy.memberOrganizationId;
        forAlliance = policy.memberOrganizationId ? null : policy.allianceId;
      }
      releaseHoursBefore ??= policy.releaseHoursBefore;
    }
    if (forAlliance && !(await this.repo.alliance(forAlliance))) throw invalid(`医联体 ${forAlliance} 不存在`, 'reservedForAllianceId');
    if (forOrganization && !(await this.repo.organization(forOrganization))) throw invalid(`机构 ${forOrganization} 不存在`, 'reservedForOrganizationId');
    const id = newId();
    await this.repo.insertBedPool({
      id, organizationId: org.id, departmentId: dept.id, name: input.name, reservedBeds, reservedForAllianceId: forAlliance,
      reservedForOrganizationId: forOrganization, releaseHoursBefore: releaseHoursBefore ?? 12, createdAt: ctx.clock.now(),
    });
    const [pool] = await this.poolDtos([id], shanghaiDate(ctx.clock.now()), 7, ctx.clock.now());
    return pool!;
  }

  /** Bed pools with their free reserved beds for the next `days` days (today first). */
  async listBedPools(ctx: RequestContext, filter: { organizationId?: string | undefined; departmentId?: string | undefined; days: number }): Promise<BedPoolDto[]> {
    const pools = await this.repo.bedPools(filter);
    const now = ctx.clock.now();
    return this.toPoolDtos(pools, shanghaiDate(now), filter.days, now);
  }

  async bedPoolDays(ctx: RequestContext, id: string, range: { from?: string | undefined; to?: string | undefined }): Promise<BedPoolDayDto[]> {
    const [pool] = await this.repo.bedPools({ ids: [id] });
    if (!pool) throw notFound(`床位池 ${id} 不存在`);
    const now = ctx.clock.now();
    const from = range.from ?? shanghaiDate(now);
    const to = range.to ?? addDays(from, 13);
    if (to < from) throw invalid('结束日期不能早于开始日期', 'to');
    const n = daysBetween(from, to).length;
    if (n > 92) throw invalid('一次最多查询 92 天', 'to');
    const [dto] = await this.toPoolDtos([pool], from, n, now);
    return dto!.days;
  }

  private async poolDtos(ids: string[], from: string, days: number, now: Date): Promise<BedPoolDto[]> {
    return this.toPoolDtos(await this.repo.bedPools({ ids }), from, days, now);
  }

  private async toPoolDtos(pools: BedPoolRow[], from: string, days: number, now: Date): Promise<BedPoolDto[]> {
    const to = addDays(from, days - 1);
    const counters = await this.repo.bedPoolDays(pools.map((p) => p.id), from, to);
    const byKey = new Map(counters.map((c) => [`${c.bedPoolId}/${c.day}`, c]));
    const names = await this.repo.holderNames(
      pools.flatMap((p) => (p.reservedForAllianceId ? [p.reservedForAllianceId] : [])),
      pools.flatMap((p) => (p.reservedForOrganizationId ? [p.reservedForOrganizationId] : [])),
    );
    return pools.map((p) => ({
      id: p.id,
      organizationId: p.organizationId,
      departmentId: p.departmentId,
      departmentName: p.departmentName,
      name: p.name,
      reservedBeds: p.reservedBeds,
      reservedForAllianceId: p.reservedForAllianceId,
      reservedForOrganizationId: p.reservedForOrganizationId,
      reservedFor: names.get(p.reservedForOrganizationId ?? p.reservedForAllianceId ?? '') ?? (p.reservedBeds > 0 ? '转诊患者' : null),
      releaseHoursBefore: p.releaseHoursBefore,
      days: daysBetween(from, to).map((day) => {
        const c = byKey.get(`${p.id}/${day}`);
        const capacity = c?.capacity ?? p.reservedBeds;
        const held = c?.held ?? 0;
        const releaseAt = bedDayReleaseAt(day, p.releaseHoursBefore);
        return { day, capacity, held, free: Math.max(0, capacity - held), releaseAt: releaseAt.toISOString(), reservedNow: capacity > 0 && now.getTime() < releaseAt.getTime() };
      }),
    }));
  }

  // ---- booking primitives: called by the referral service inside its own transaction

  /**
   * Books a slot for an accepted referral, inside the caller's transaction `tx`. One conditional UPDATE decides (free,
   * at the destination, not started, and the hold admits this referral at `at`); the appointment insert follows, and
   * the partial unique index on appointments(slot_id) is the last guard. On refusal it throws an AppError and the
   * caller's transaction rolls back, so nothing is left behind:
   * not_found (unknown slot), invalid (another facility's slot, or started), conflict (taken; or the referral already
   * holds a booking), forbidden (held for another facility or alliance until its release).
   */
  async bookSlotInTx(tx: Db, input: CapacityBookingRequest & { slotId: string }): Promise<BookedSlot> {
    const repo = new CapacityRepository(tx);
    const requester = { originOrganizationId: input.originOrganizationId, allianceIds: input.allianceIds };
    const won = await repo.claimSlot({ slotId: input.slotId, destinationOrganizationId: input.destinationOrganizationId, at: input.at, requester });
    if (!won) throw await this.slotRefusal(repo, input, requester);
    const appointmentId = newId();
    let departmentName: string;
    try {
      [, departmentName] = await inParallel(
        tx,
        () => repo.insertAppointment({
          id: appointmentId, slotId: won.id, referralId: input.referralId, patientId: input.patientId, organizationId: won.organizationId,
          status: 'booked', bookedAt: input.at, bookedBy: input.actorName,
        }),
        () => repo.departmentName(won.departmentId),
      );
    } catch (e) {
      if (isUniqueViolation(e)) {
        const message = String((e as { constraint?: string; cause?: { constraint?: string } }).constraint ?? (e as { cause?: { constraint?: string } }).cause?.constraint ?? '');
        throw message.includes('referral') ? conflict('该转诊单已预约号源，请先取消原预约再改约') : conflict('该号源已被预约，请选择其他号源');
      }
      throw e;
    }
    return { appointmentId, slotId: won.id, start: won.start, end: won.end, departmentId: won.departmentId, departmentName };
  }

  /** Explains a refused booking. Reads only to word the message; the conditional UPDATE already decided. */
  private async slotRefusal(repo: CapacityRepository, input: { slotId: string; destinationOrganizationId: string; at: Date }, requester: Requester): Promise<AppError> {
    const slot = await repo.slot(input.slotId);
    if (!slot) return notFound(`号源 ${input.slotId} 不存在`);
    const verdict = mayBook({ ...asHold(slot), status: slot.status, start: slot.start, organizationId: slot.organizationId }, input.at, requester, input.destinationOrganizationId);
    if (verdict.ok) return conflict('该号源已被预约，请选择其他号源'); // changed under us between the update and this read
    switch (verdict.reason) {
      case 'wrong-organization': return invalid('该号源不属于转诊单的接收机构', 'slotId');
      case 'not-free': return conflict('该号源已被预约，请选择其他号源');
      case 'started': return invalid('该号源的就诊时间已过，请选择其他号源', 'slotId');
      default: return this.holdRefusal(repo, verdict.reason, asHold(slot), '号源');
    }
  }

  private async holdRefusal(repo: CapacityRepository, reason: HoldRefusal, hold: { reservedForOrganizationId: string | null; reservedForAllianceId: string | null; releaseAt: Date | null }, what: string): Promise<AppError> {
    const names = await repo.holderNames(hold.reservedForAllianceId ? [hold.reservedForAllianceId] : [], hold.reservedForOrganizationId ? [hold.reservedForOrganizationId] : []);
    const holder = names.get(hold.reservedForOrganizationId ?? hold.reservedForAllianceId ?? '') ?? (reason === 'reserved-for-referrals' ? '转诊患者' : '其他机构');
    const until = hold.releaseAt ? `，${shanghaiLabel(hold.releaseAt)}后开放预约` : '';
    return forbidden(`该${what}为${holder}预留${until}`);
  }

  /** Cancels the referral's booked appointment and frees its slot, inside the caller's transaction. Null when none. */
  async cancelAppointmentInTx(tx: Db, input: { referralId: string; at: Date; reason: string }): Promise<{ appointmentId: string; slotId: string } | null> {
    return new CapacityRepository(tx).cancelAppointment(input);
  }

  /**
   * Holds a reserved bed of a pool on a day for an accepted referral, inside the caller's transaction, and issues the
   * admission notice number. The day's counter is created on first use (capacity = the pool's reserved beds) and
   * `held < capacity` is decided by one conditional UPDATE; the notice number comes from a sequence and a unique
   * index. Refuses: not_found (pool), invalid (another facility's pool, a past day), forbidden (held for another
   * facility or alliance until release), conflict '该日预留床位已满'.
   */
  async bookBedInTx(tx: Db, input: CapacityBookingRequest & { bedPoolId: string; day: string }): Promise<BookedBed> {
    const repo = new CapacityRepository(tx);
    const [pool] = await repo.bedPools({ ids: [input.bedPoolId] });
    if (!pool) throw notFound(`床位池 ${input.bedPoolId} 不存在`);
    if (pool.organizationId !== input.destinationOrganizationId) throw invalid('该床位不属于转诊单的接收机构', 'bedPoolId');
    const today = shanghaiDate(input.at);
    if (input.day < today) throw invalid(`入院日期不能早于今天（${today}）`, 'day');
    // The pool's hold is configuration, not a counter: reading it here decides nothing that a concurrent booking changes.
    const hold = { reserved: pool.reservedBeds > 0, reservedForOrganizationId: pool.reservedForOrganizationId, reservedForAllianceId: pool.reservedForAllianceId, releaseAt: bedDayReleaseAt(input.day, pool.releaseHoursBefore) };
    const verdict = mayUseHold(hold, input.at, { originOrganizationId: input.originOrganizationId, allianceIds: input.allianceIds });
    if (!verdict.ok) throw await this.holdRefusal(repo, verdict.reason, hold, '床位');
    const claimed = await repo.claimBed(pool.id, input.day);
    if (!claimed) throw conflict(`${pool.departmentName} ${input.day} 该日预留床位已满`);
    const reservationId = newId();
    const notice = admissionNoticeNumber(today, await repo.nextAdmissionNoticeSeq());
    try {
      await repo.insertBedReservation({
        id: reservationId, bedPoolId: pool.id, day: input.day, referralId: input.referralId, patientId: input.patientId, organizationId: pool.organizationId,
        status: 'held', admissionNoticeNumber: notice, createdAt: input.at, createdBy: input.actorName,
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict('该转诊单已预留床位，请先取消原预留');
      throw e;
    }
    return { reservationId, day: input.day, admissionNoticeNumber: notice, departmentId: pool.departmentId, departmentName: pool.departmentName, organizationId: pool.organizationId };
  }

  /** Cancels the referral's held bed and returns it to the day, inside the caller's transaction. Null when none. */
  async cancelBedInTx(tx: Db, input: { referralId: string; at: Date }): Promise<{ reservationId: string; bedPoolId: string; day: string } | null> {
    void input.at; // bed_reservations keeps no cancellation time; the referral's own event records it
    return new CapacityRepository(tx).cancelBed(input.referralId);
  }

  // ---- signals for routing and the no-capacity worklist

  /**
   * Per organization (every one asked for, zeros included): free slots and beds still held for this origin (its own
   * facility, its alliances, or any referral) in [from, to). One query for slots and one for beds, whatever the count.
   */
  async freeReservedCapacity(
    db: Db,
    input: { organizationIds: readonly string[]; originOrganizationId: string; allianceIds: readonly string[]; from: Date; to: Date; now: Date },
  ): Promise<FreeReservedCapacity[]> {
    const repo = new CapacityRepository(db);
    const requester = { originOrganizationId: input.originOrganizationId, allianceIds: input.allianceIds };
    const [slotCounts, bedCounts] = await Promise.all([
      repo.freeHeldSlotsByOrganization(input.organizationIds, requester, input.from, input.to, input.now),
      repo.freeBedsByOrganization({ organizationIds: input.organizationIds }, requester, windowDays(input.from, input.to), input.now, 'held'),
    ]);
    const slotsBy = new Map(slotCounts.map((r) => [r.organizationId, Number(r.n)]));
    const bedsBy = new Map(bedCounts.map((r) => [r.organizationId, r.n]));
    return [...new Set(input.organizationIds)].map((organizationId) => ({
      organizationId, freeReservedSlots: slotsBy.get(organizationId) ?? 0, freeReservedBeds: bedsBy.get(organizationId) ?? 0,
    }));
  }

  /**
   * Can this referral book anything at its destination in [from, to)? `kind` 'slot', 'bed' or 'any' (default). With
   * `reservedOnly` (default true, the rule "no reserved slot free → no-capacity worklist") only slots from the
   * reserved share count — held for this referral, or released; false also counts the general pool. Beds always
   * come from reserved bed pools. The referral service decides what to do with the answer.
   */
  async hasBookableCapacity(
    db: Db,
    input: {
      destinationOrganizationId: string; departmentId?: string | undefined; originOrganizationId: string; allianceIds: readonly string[];
      from: Date; to: Date; now: Date; kind?: 'slot' | 'bed' | 'any'; reservedOnly?: boolean;
    },
  ): Promise<boolean> {
    const repo = new CapacityRepository(db);
    const requester = { originOrganizationId: input.originOrganizationId, allianceIds: input.allianceIds };
    const kind = input.kind ?? 'any';
    if (kind !== 'bed') {
      const slot = await repo.anyBookableSlot({
        destinationOrganizationId: input.destinationOrganizationId, departmentId: input.departmentId, requester, from: input.from, to: input.to,
        now: input.now, reservedOnly: input.reservedOnly ?? true,
      });
      if (slot) return true;
    }
    if (kind !== 'slot') {
      const beds = await repo.freeBedsByOrganization(
        { organizationIds: [input.destinationOrganizationId], departmentId: input.departmentId }, requester, windowDays(input.from, input.to), input.now, 'bookable',
      );
      if ((beds[0]?.n ?? 0) > 0) return true;
    }
    return false;
  }
}

/** Asia/Shanghai days touched by [from, to), with the instant each starts. */
function windowDays(from: Date, to: Date): { day: string; start: Date }[] {
  if (to.getTime() <= from.getTime()) return [];
  return daysBetween(shanghaiDate(from), shanghaiDate(new Date(to.getTime() - 1))).map((day) => ({ day, start: shanghaiDayStart(day) }));
}

/** A query bound: an ISO instant, or a date (YYYY-MM-DD, Asia/Shanghai; as an upper bound it includes that day). */
function parseInstant(value: string, path: string, endOfDay: boolean): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return shanghaiDayStart(endOfDay ? addDays(value, 1) : value);
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw invalid(`“${value}” 不是有效的日期或时间`, path);
  return new Date(t);
}

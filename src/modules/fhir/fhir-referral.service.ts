import type { Appointment, Resource, ServiceRequest, Task } from '@medplum/fhirtypes';
import type { ReferralDto, ScheduleDto, SlotDto, SlotQuery } from '../../contracts/referral.js';
import type { RequestContext } from '../../shared/context.js';
import { AppError, invalid, isAppError, notFound } from '../../shared/errors.js';
import type { Db } from '../../db/client.js';
import type { ReferralService } from '../referral/index.js';
import {
  appointmentFromFhir, appointmentToFhir, referralToServiceRequest, referralToTask, scheduleToFhir, serviceRequestFromFhir, slotToFhir,
  taskExpressions, taskMoveFromFhir, UnprocessableError, type AppointmentView, type TaskCurrent,
} from './fhir-referral.mapping.js';
import { FhirSlotsRepository } from './fhir-slots.repository.js';
import type { FhirDiagnosisService } from './fhir-diagnosis.service.js';
import { PreconditionFailedError, naming, parseIfMatch } from './fhir.preconditions.js';
import {
  listQueryOf, pageOf, planScheduleSearch, planServiceRequestSearch, planSlotSearch, planTaskSearch, type ParsedSearch, type ReferralPlan,
} from './fhir.search.js';

/** The referral service's public API as the façade uses it (access rule, audit and lifecycle stay there). */
export type ReferralPort = Pick<ReferralService, 'createUp' | 'get' | 'getMany' | 'list' | 'transition' | 'bookSlot' | 'timeline'>;

/** Read side of reserved capacity (CapacityService): schedules and slots are open to every signed-in user. */
export interface CapacityReadPort {
  listSlots(ctx: RequestContext, query: SlotQuery): Promise<SlotDto[]>;
  listSchedules(ctx: RequestContext, filter: { organizationId?: string | undefined; departmentId?: string | undefined }): Promise<ScheduleDto[]>;
}

export type ReferralResourceType = 'ServiceRequest' | 'Task' | 'Slot' | 'Schedule' | 'Appointment';

/** CapacityService.listSlots answers at most this many; a search that reaches it is refused rather than cut short. */
const SLOT_LIMIT = 500;
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const noSuch = (type: string, id: string) => notFound(`${type}/${id} 不存在`);

/**
 * The two-way referral over FHIR (docs/fhir.md, "Two-way referral"): ServiceRequest + Task (one referral, one id),
 * Schedule, Slot and Appointment. Every read, search and write goes through ReferralService (access rule, audit,
 * lifecycle table, booking transaction) or CapacityService; this class only maps.
 */
export class FhirReferralService {
  private readonly slots: FhirSlotsRepository;
  constructor(
    private readonly referrals: ReferralPort,
    private readonly capacity: CapacityReadPort,
    db: Db,
    /** Diagnosis requests share ServiceRequest and Task (docs/fhir.md, "Diagnosis centers"); absent = referrals only. */
    private readonly diagnosis?: FhirDiagnosisService,
  ) {
    this.slots = new FhirSlotsRepository(db);
  }

  // ---- read

  async read(ctx: RequestContext, type: ReferralResourceType, id: string): Promise<Resource> {
    if (!FHIR_ID.test(id)) throw noSuch(type, id);
    switch (type) {
      case 'ServiceRequest':
      case 'Task': {
        const referral = await this.referralOrDiagnosis(ctx, type, id);
        if ('resourceType' in referral) return referral;
        return type === 'ServiceRequest' ? referralToServiceRequest(referral) : referralToTask(referral);
      }
      case 'Slot': {
        const s = await this.slot(ctx, id);
        if (!s) throw noSuch(type, id);
        return slotToFhir(s);
      }
      case 'Schedule': {
        const s = (await this.capacity.listSchedules(ctx, {})).find((x) => x.id === id);
        if (!s) throw noSuch(type, id);
        return scheduleToFhir(s);
      }
      case 'Appointment': {
        const a = await this.appointment(ctx, id);
        if (!a) throw noSuch(type, id);
        return appointmentToFhir(a);
      }
    }
  }

  /** The referral behind a ServiceRequest or Task id; its absence is reported under the FHIR type asked for. */
  private async referral(ctx: RequestContext, type: string, id: string): Promise<ReferralDto> {
    try {
      return await this.referrals.get(ctx, id);
    } catch (e) {
      if (isAppError(e) && e.code === 'not_found') throw noSuch(type, id);
      throw e;
    }
  }

  /** A referral, or else the diagnosis request with that id already mapped (ids are unique across both stores). */
  private async referralOrDiagnosis(ctx: RequestContext, type: 'ServiceRequest' | 'Task', id: string): Promise<ReferralDto | Resource> {
    try {
      return await this.referrals.get(ctx, id);
    } catch (e) {
      if (!isAppError(e) || e.code !== 'not_found') throw e;
    }
    const d = this.diagnosis ? await this.diagnosis.readRequest(ctx, type, id) : undefined;
    if (!d) throw noSuch(type, id);
    return d;
  }

  /** One slot as a search would show it: CapacityService.listSlots on its schedule at its start instant. */
  private async slot(ctx: RequestContext, id: string): Promise<SlotDto | undefined> {
    const key = await this.slots.slotKey(id);
    if (!key) return undefined;
    const rows = await this.capacity.listSlots(ctx, {
      scheduleId: key.scheduleId, from: key.start.toISOString(), to: new Date(key.start.getTime() + 1).toISOString(), limit: 10,
    });
    return rows.find((s) => s.id === id);
  }

  /** A referral's appointment; the referral read applies the access rule (an appointment without one is not shown). */
  private async appointment(ctx: RequestContext, id: string, known?: ReferralDto): Promise<AppointmentView | undefined> {
    const row = await this.slots.appointment(id);
    if (!row?.referralId) return undefined;
    const referral = known ?? (await this.referrals.get(ctx, row.referralId));
    return {
      id: row.id, status: row.status, slotId: row.slotId, start: row.start.toISOString(), end: row.end.toISOString(),
      departmentName: row.departmentName, created: row.bookedAt.toISOString(), referral,
    };
  }

  // ---- search

  async search(ctx: RequestContext, s: ParsedSearch): Promise<{ resources: Resource[]; total: number }> {
    if (this.diagnosis && (s.resourceType === 'ServiceRequest' || s.resourceType === 'Task')) {
      return this.diagnosis.searchWithReferrals(ctx, s, (sub) => this.searchReferrals(ctx, sub));
    }
    return this.searchReferrals(ctx, s);
  }

  private async searchReferrals(ctx: RequestContext, s: ParsedSearch): Promise<{ resources: Resource[]; total: number }> {
    const none = { resources: [], total: 0 };
    switch (s.resourceType) {
      case 'ServiceRequest': {
        const plan = planServiceRequestSearch(s);
        if (!plan) return none;
        const { dtos, total } = await this.referralPage(ctx, plan, s);
        return { resources: dtos.map(referralToServiceRequest), total };
      }
      case 'Task': {
        const plan = planTaskSearch(s);
        if (!plan) return none;
        const { dtos, total } = await this.referralPage(ctx, plan, s);
        return { resources: dtos.map(referralToTask), total };
      }
      case 'Slot': {
        const plan = planSlotSearch(s);
        if (!plan) return none;
        const rows = await this.capacity.listSlots(ctx, {
          scheduleId: plan.scheduleId, status: plan.statuses?.length === 1 ? plan.statuses[0] : undefined, from: plan.from, to: plan.to, limit: SLOT_LIMIT,
        });
        if (rows.length >= SLOT_LIMIT) {
          throw invalid(`符合条件的号源超过 ${SLOT_LIMIT} 个：请用 schedule 指定排班，或用 start 缩小日期范围（如 start=ge2026-11-23&start=le2026-11-24）`, 'start');
        }
        const matching = rows.filter((r) => (!plan.ids || plan.ids.includes(r.id)) && (!plan.statuses || plan.statuses.includes(r.status)));
        return { resources: pageOf(matching, s).map(slotToFhir), total: matching.length };
      }
      case 'Schedule': {
        const plan = planScheduleSearch(s);
        if (!plan) return none;
        const rows = (await this.capacity.listSchedules(ctx, { organizationId: plan.organizationId })).filter(
          (r) => (!plan.ids || plan.ids.includes(r.id)) && (plan.active === undefined || r.active === plan.active),
        );
        return { resources: pageOf(rows, s).map(scheduleToFhir), total: rows.length };
      }
      case 'Appointment': {
        const ids = s.params.get('_id')?.values;
        const basedOn = s.params.get('based-on')?.values[0];
        if (!ids && !basedOn) throw invalid('Appointment 检索需要 based-on=ServiceRequest/<id> 或 _id', 'based-on');
        let candidates: string[] = ids ?? [];
        let referral: ReferralDto | undefined;
        if (basedOn) {
          const m = /^(?:.*\/)?(?:ServiceRequest\/)?([A-Za-z0-9\-.]{1,64})$/.exec(basedOn);
          if (!m || (basedOn.includes('/') && !/(?:^|\/)ServiceRequest\/[^/]+$/.test(basedOn))) throw invalid(`搜索参数 based-on 应为 "ServiceRequest/<id>"，收到 "${basedOn}"`, 'based-on');
          referral = await this.referral(ctx, 'ServiceRequest', m[1]!);
          const booked = referral.booking?.kind === 'appointment' ? [referral.booking.id] : [];
          candidates = ids ? candidates.filter((x) => booked.includes(x)) : booked;
        }
        const found: Appointment[] = [];
        for (const id of candidates) {
          const a = FHIR_ID.test(id) ? await this.appointment(ctx, id, referral).catch((e: unknown) => (isAppError(e) && (e.code === 'forbidden' || e.code === 'not_found') ? undefined : Promise.reject(e))) : undefined;
          if (a) found.push(appointmentToFhir(a));
        }
        return { resources: pageOf(found, s), total: found.length };
      }
    }
    throw new AppError('internal', `不支持的资源类型 ${s.resourceType}`);
  }

  /**
   * One page of referrals (most recently changed first) through ReferralService.list — the caller's scope — then the
   * page read in full at once (ReferralService.getMany: the list rows carry no organization ids, version or deadline step). FHIR's
   * `_offset` need not be a multiple of `_count`: the page is cut from the one or two list pages it spans.
   */
  private async referralPage(ctx: RequestContext, plan: ReferralPlan, s: ParsedSearch): Promise<{ dtos: ReferralDto[]; total: number }> {
    const q = listQueryOf(plan);
    if (s.count === 0) return { dtos: [], total: (await this.referrals.list(ctx, { ...q, page: 1, pageSize: 1 })).total };
    const size = s.count;
    const page = Math.floor(s.offset / size) + 1;
    const skip = s.offset % size;
    const first = await this.referrals.list(ctx, { ...q, page, pageSize: size });
    let items = first.items.slice(skip);
    if (skip > 0 && first.items.length === size) items = items.concat((await this.referrals.list(ctx, { ...q, page: page + 1, pageSize: size })).items.slice(0, skip));
    const dtos = await this.referrals.getMany(ctx, items.map((i) => i.id));
    return { dtos, total: first.total };
  }

  // ---- writes

  /**
   * `POST [base]/ServiceRequest`: files an up-referral as the signed-in user's facility (ReferralService.createUp:
   * consent, tier check, routing recommendation, the Task's first deadline). The Task has the same id.
   */
  async createServiceRequest(ctx: RequestContext, body: unknown): Promise<ServiceRequest> {
    const { input, expressions } = serviceRequestFromFhir(body, { actorOrganizationId: ctx.actor.organizationId });
    const dto = await naming(expressions, () => this.referrals.createUp(ctx, input));
    return referralToServiceRequest(dto);
  }

  /**
   * `PUT [base]/Task/[id]`: a changed status (and businessStatus, statusReason, output, owner) becomes one lifecycle
   * action (taskMoveFromFhir). `ifMatch` must name the current version (412 otherwise); without it a change between
   * our read and our write is a 409. The lifecycle table decides: an illegal move is a 409.
   */
  async updateTask(ctx: RequestContext, id: string, body: unknown, ifMatch?: string): Promise<Task> {
    const expectedVersion = ifMatch === undefined ? undefined : parseIfMatch(ifMatch);
    if (!FHIR_ID.test(id)) throw noSuch('Task', id);
    const current = await this.referralOrDiagnosis(ctx, 'Task', id);
    if ('resourceType' in current) {
      // A diagnosis request's Task follows the worklist (claim, report, sign-off); it is not moved by PUT.
      throw new UnprocessableError(`Task.status: Task/${id} 是远程诊断申请的任务，状态随诊断流程变化，不能用 PUT 修改；出具报告请 POST DiagnosticReport`, 'Task.status');
    }
    if (expectedVersion !== undefined && expectedVersion !== current.version) {
      throw new PreconditionFailedError(`If-Match 版本 ${expectedVersion} 不是当前版本 ${current.version}：该转诊已被更新，请重新读取 Task 后再提交`, current.version);
    }
    const state: TaskCurrent = {
      status: current.status, subState: current.subState, heldFrom: null,
      ownerId: current.destination.id, requesterId: current.origin.id, patientId: current.patient.id,
    };
    if (current.status === 'on-hold') {
      const hold = (await this.referrals.timeline(ctx, id)).filter((e) => e.action === 'hold' && e.fromStatus).at(-1);
      if (hold?.fromStatus) state.heldFrom = { status: hold.fromStatus, subState: hold.fromSubState };
    }
    const move = taskMoveFromFhir(id, body, state);
    if (!move) return referralToTask(current);
    try {
      const dto = await naming(taskExpressions, () => this.referrals.transition(ctx, id, { ...move, expectedVersion: current.version }));
      return referralToTask(dto);
    } catch (e) {
      if (expectedVersion !== undefined && isAppError(e) && e.code === 'conflict' && e.detail && 'currentVersion' in e.detail) {
        throw new PreconditionFailedError(`If-Match 版本 ${expectedVersion} 已不是当前版本：该转诊刚被更新，请重新读取 Task 后再提交`, e.detail.currentVersion as number | undefined);
      }
      throw e;
    }
  }

  /**
   * `POST [base]/Appointment`: books the free Slot for the referral in `basedOn` (ReferralService.bookSlot — one
   * transaction; the second booking of a slot is a 409 "该号源已被预约").
   */
  async createAppointment(ctx: RequestContext, body: unknown): Promise<Appointment> {
    const { slotId, referralId, patientId } = appointmentFromFhir(body);
    const referral = await this.referral(ctx, 'ServiceRequest', referralId);
    if (patientId !== undefined && patientId !== referral.patient.id) {
      throw invalid(`Appointment.participant: 患者应为转诊单的患者 Patient/${referral.patient.id}`, 'Appointment.participant');
    }
    const updated = await naming({ slotId: 'Appointment.slot[0].reference' }, () => this.referrals.bookSlot(ctx, referralId, slotId));
    const booking = updated.booking;
    const a = booking?.kind === 'appointment' ? await this.appointment(ctx, booking.id, updated) : undefined;
    if (!a) throw new AppError('internal', '预约已完成，但未能读取预约记录');
    return appointmentToFhir(a);
  }
}

import { inParallel, type Db } from '../../db/client.js';
import { tierRank, type AccessBasis, type EscalationRung, type FacilityTier, type ReferralStatus, type RoleCode } from '../../contracts/codes.js';
import type {
  CarePlanTaskDto, DownReferralInput, ReferralDto, ReferralEventDto, ReferralListItemDto, ReferralListQuery,
  ReferralTransitionInput, UpReferralInput,
} from '../../contracts/referral.js';
import type { RequestContext } from '../../shared/context.js';
import { shanghaiDate } from '../../shared/clock.js';
import { AppError, forbidden, invalid, notFound } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import type { Page } from '../../shared/pagination.js';
import type { AuditService } from '../audit/index.js';
import type { NetworkService } from '../network/index.js';
import { normaliseIcd10 } from '../network/index.js';
import type { PatientService } from '../patient/index.js';
import {
  allowedTransitions, clinicalRoles, deadlineStepFor, decideTransition, deskRoles, holdStopsClock, maskIdNumber, openStatuses,
  partiesOf, type Party, type TransitionAction,
} from './referral.rules.js';
import { ReferralRepository, type ReferralRow, type ReferralScope } from './referral.repository.js';
import type { CapacityPort, DeadlinePort, LiveDeadline, NotificationPort, RoutingPort } from './referral.ports.js';

type Display = ReturnType<typeof ReferralRepository.displayOf>;

export const REFERRAL_SUBJECT = 'referral';
/** Alliance kinds whose desk coordinates members' referrals (the same kinds that share patient data). */
const deskAllianceKinds = ['county-community', 'city-group'] as const;
/** How far ahead the "no capacity" check looks for a reserved slot or bed. */
const capacityHorizonMs = 14 * 86_400_000;

const iso = (d: Date | string | null | undefined): string | null => (d == null ? null : new Date(d).toISOString());

export interface ReferralServiceDeps {
  network: NetworkService;
  patients: PatientService;
  audit: AuditService;
  deadlines: DeadlinePort;
  notifications: NotificationPort;
  capacity: CapacityPort;
  routing: RoutingPort;
}

/**
 * The two-way referral (双向转诊) aggregate: up- and down-referrals share one lifecycle (referral.rules.ts), one
 * timeline, one deadline clock per step and one access rule — there is no second referral engine (architecture.md,
 * defect family 7). Every transition locks the referral row, checks the table, writes the row, the timeline event,
 * the deadline change and the notifications in one transaction.
 */
export class ReferralService {
  private readonly repo: ReferralRepository;
  private readonly deskCache = new WeakMap<RequestContext, Promise<Set<string>>>();
  constructor(
    private readonly db: Db,
    private readonly deps: ReferralServiceDeps,
  ) {
    this.repo = new ReferralRepository(db);
    deps.deadlines.registerSubject({
      subjectType: REFERRAL_SUBJECT,
      recipientsFor: (db, d, rung) => this.escalationRecipients(db, d.subjectId, rung),
      describe: async (db, d) => {
        const r = await new ReferralRepository(db).byId(d.subjectId);
        const step = { accept: '接收', 'accept-down': '接收下转', schedule: '预约', 'return-summary': '回传诊疗结果' }[d.step] ?? d.step;
        return {
          title: `转诊超时：${r?.number ?? d.subjectId}`,
          body: `转诊单 ${r?.number ?? ''}（${r?.diagnosisName ?? ''}）的「${step}」步骤已超过时限，请尽快处理。`,
          link: `/referrals/${d.subjectId}`,
        };
      },
      onFired: async (tx, d, level, rung, at) => {
        await new ReferralRepository(tx).insertEvents([{
          id: newId(), referralId: d.subjectId, at, action: level === 0 ? 'overdue' : 'escalated', actorName: '系统',
          reason: level === 0 ? `「${d.step}」超时` : `逐级上报：${rungLabel[rung as EscalationRung] ?? rung}`,
          detail: { step: d.step, level, rung },
        }]);
      },
    });
  }

  // ---- who may see and do what

  /** Organizations whose referrals the actor's desk role covers today (its alliance's members); empty for others. */
  private deskOrganizations(ctx: RequestContext): Promise<Set<string>> {
    // Once per request: a write reads it to authorise and again to describe the result.
    let desk = this.deskCache.get(ctx);
    if (!desk) {
      const org = ctx.actor.organizationId;
      desk = !org || !ctx.actor.roles.some((r) => deskRoles.includes(r))
        ? Promise.resolve(new Set<string>())
        : this.deps.network.allianceMatesOn(org, shanghaiDate(ctx.clock.now()), deskAllianceKinds).then((ids) => new Set(ids));
      this.deskCache.set(ctx, desk);
    }
    return desk;
  }

  /**
   * The answer to a write: the referral as the actor now sees it. The write itself is audited in its transaction, so
   * this read is not audited again; parties are recomputed because a redirect can change them.
   */
  private async afterWrite(ctx: RequestContext, idOrRow: string | ReferralRow, shown?: Promise<Display> | null): Promise<ReferralDto> {
    const row = typeof idOrRow === 'string' ? await this.repo.byId(idOrRow) : idOrRow;
    if (!row) throw notFound(`转诊单 ${String(idOrRow)} 不存在`);
    return this.toDto(row, partiesOf(ctx.actor, row, await this.deskOrganizations(ctx)), undefined, shown ?? undefined);
  }

  /** The answer's names, booking and live deadline, read by the transaction's last statement (ReferralRepository.deferDisplay). */
  private deferDisplay(repo: ReferralRepository, row: ReferralRow): Promise<Display> | null {
    return repo.deferDisplay(row, this.deps.deadlines.liveSql(REFERRAL_SUBJECT, row.id));
  }

  private async scopeOf(ctx: RequestContext): Promise<{ scope: ReferralScope; desk: Set<string> }> {
    const desk = await this.deskOrganizations(ctx);
    const ids = new Set(desk);
    if (ctx.actor.organizationId && ctx.actor.roles.some((r) => clinicalRoles.includes(r) || deskRoles.includes(r))) ids.add(ctx.actor.organizationId);
    return { scope: { organizationIds: [...ids] }, desk };
  }

  private async loadForActor(ctx: RequestContext, id: string, auditAction: 'read' | 'update' = 'read'): Promise<{ row: ReferralRow; parties: Party[] }> {
    const row = await this.repo.byId(id);
    if (!row) throw notFound(`转诊单 ${id} 不存在`);
    const parties = partiesOf(ctx.actor, row, await this.deskOrganizations(ctx));
    if (parties.length === 0) {
      await this.deps.audit.record(ctx, [{ action: auditAction, resourceType: 'Referral', resourceId: id, patientId: row.patientId, basis: 'none', outcome: 'denied' }]);
      throw forbidden('无权查看该转诊单：本机构既不是转出方也不是接收方，且不在本医共体转诊服务中心的职责范围内');
    }
    return { row, parties };
  }

  // ---- create

  /** Up-referral (上转) from a lower tier, with consent and the tier check; submitted unless `submit: false`. */
  async createUp(ctx: RequestContext, input: UpReferralInput): Promise<ReferralDto> {
    const origin = ctx.actor.organizationId;
    if (!origin || !ctx.actor.roles.some((r) => clinicalRoles.includes(r))) throw forbidden('只有医疗机构的医生或转诊中心可以发起转诊');
    const diagnosisCode = normaliseDiagnosis(input.diagnosisCode, 'diagnosisCode');
    // Reading the patient checks access (own facility, supervision, alliance role) and audits the read. The routing
    // reads go out meanwhile (they use the patient's residence only once the read has passed); a refusal of the
    // patient still comes first.
    const patientRead = this.deps.patients.get(ctx, input.patientId);
    const routingRead = this.deps.routing.recommend(
      ctx, { patientId: input.patientId, diagnosisCode: input.diagnosisCode, originOrganizationId: origin, urgency: input.urgency, limit: 5 }, { patient: patientRead },
    );
    routingRead.catch(() => undefined); // awaited below, unless a check before it refuses the request
    const patient = await patientRead;
    const [originOrg, destOrg] = await Promise.all([this.requireOrganization(origin, 'originOrganizationId'), this.requireOrganization(input.destinationOrganizationId, 'destinationOrganizationId')]);
    if (destOrg.id === originOrg.id) throw invalid('接收机构不能是本机构', 'destinationOrganizationId');
    if (!destOrg.active) throw invalid(`接收机构「${destOrg.name}」已停用`, 'destinationOrganizationId');
    if (tierOrder(destOrg.tier) <= tierOrder(originOrg.tier)) throw invalid(`上转的接收机构应高于本机构层级（${destOrg.name} 不高于 ${originOrg.name}）`, 'destinationOrganizationId');
    const department = await this.checkDepartment(input.destinationDepartmentId, destOrg.id);
    if (input.submit && !input.consent) throw invalid('提交转诊前须记录患者（或监护人）的知情同意', 'consent');

    const routing = await routingRead;
    const recommended = routing.candidates[0]?.organizationId ?? null;
    if (recommended && recommended !== destOrg.id && !input.overrideReason?.trim()) {
      throw invalid(`推荐的接收机构是「${routing.candidates[0]!.name}」；选择其他机构时请填写理由`, 'overrideReason');
    }
    if (routing.inOwnCatalogue && input.urgency !== 'emergency' && !input.inOwnCatalogueNote?.trim()) {
      throw invalid(`诊断 ${diagnosisCode} 在本机构层级的诊疗目录内，原则上应在本级诊治；如确需上转，请说明理由`, 'inOwnCatalogueNote');
    }
    const allianceId = await this.sharedAlliance(origin, destOrg.id, ctx.clock.now());
    const now = ctx.clock.now();
    const id = newId();
    const requesterName = await this.actorName(this.repo, ctx);
    let submitted: ReferralRow | null = null;
    let shown: Promise<Display> | null = null;
    await this.repo.transaction(async (repo, tx) => {
      const draft = await repo.insert({
        id,
        direction: 'up',
        status: 'draft',
        urgency: input.urgency,
        patientId: patient.id,
        originOrganizationId: origin,
        requesterUserId: ctx.actor.userId || null,
        requesterName,
        destinationOrganizationId: destOrg.id,
        destinationDepartmentId: department?.id ?? null,
        allianceId,
        countyCode: patient.residenceDivisionCode?.slice(0, 6) ?? null,
        diagnosisCode,
        diagnosisName: input.diagnosisName,
        secondaryDiagnoses: input.secondaryDiagnoses.map((c) => normaliseDiagnosis(c, 'secondaryDiagnoses')),
        reason: input.reason,
        clinicalSummary: input.clinicalSummary,
        treatmentGiven: input.treatmentGiven ?? null,
        medications: input.medications,
        attachedResults: input.attachedResults,
        consentBy: input.consent?.by ?? null,
        consentMethod: input.consent?.method ?? null,
        consentAt: input.consent ? new Date(input.consent.at ?? now) : null,
        inOwnCatalogueNote: routing.inOwnCatalogue ? (input.inOwnCatalogueNote ?? null) : null,
        recommendedOrganizationId: recommended,
        overrideReason: recommended && recommended !== destOrg.id ? (input.overrideReason ?? null) : null,
        contactPhone: input.contactPhone ?? patient.phone ?? null,
        createdAt: now,
        updatedAt: now,
      }, shanghaiDate(now));
      await repo.insertEvents([{ id: newId(), referralId: id, at: now, action: 'create-draft', toStatus: 'draft', actorUserId: ctx.actor.userId, actorName: requesterName, reason: null, detail: { recommended, inOwnCatalogue: routing.inOwnCatalogue } }]);
      await this.deps.audit.record(ctx, [{ action: 'create', resourceType: 'Referral', resourceId: id, patientId: patient.id, basis: 'own-facility', outcome: 'allowed' }], tx);
      if (input.submit) {
        // The row this transaction inserted: no other transaction can see it yet, so it needs no lock or second read.
        submitted = await this.applyTransition(ctx, repo, tx, id, { action: 'submit' }, ['sender'], { locked: draft });
        shown = this.deferDisplay(repo, submitted);
      }
    });
    return this.afterWrite(ctx, submitted ?? id, shown);
  }

  /** Down-referral (下转) of a recovering patient with a continuing-care plan, to the grassroots. */
  async createDown(ctx: RequestContext, input: DownReferralInput): Promise<ReferralDto> {
    const origin = ctx.actor.organizationId;
    if (!origin || !ctx.actor.roles.some((r) => clinicalRoles.includes(r))) throw forbidden('只有医疗机构的医生或转诊中心可以发起下转');
    const diagnosisCode = normaliseDiagnosis(input.diagnosisCode, 'diagnosisCode');
    const now = ctx.clock.now();
    let patientId = input.patientId;
    let basis: AccessBasis = 'own-facility';
    if (input.fromReferralId) {
      // Sending down the patient an up-referral brought: that referral is the access basis.
      const { row, parties } = await this.loadForActor(ctx, input.fromReferralId);
      if (!parties.includes('receiver') && !parties.includes('desk')) throw forbidden('只有接收该上转的机构可以将患者下转');
      if (row.patientId !== input.patientId) throw invalid('下转的患者与原上转单的患者不一致', 'patientId');
      patientId = row.patientId;
      basis = 'open-referral';
    } else {
      await this.deps.patients.get(ctx, input.patientId);
    }
    const patient = await this.repo.patient(patientId);
    if (!patient) throw notFound(`患者 ${patientId} 不存在`);
    const [originOrg, destOrg] = await Promise.all([this.requireOrganization(origin, 'originOrganizationId'), this.requireOrganization(input.destinationOrganizationId, 'destinationOrganizationId')]);
    if (tierOrder(destOrg.tier) >= tierOrder(originOrg.tier)) throw invalid(`下转的接收机构应低于本机构层级（${destOrg.name}）`, 'destinationOrganizationId');
    if (!input.consent) throw invalid('下转前须记录患者（或监护人）的知情同意', 'consent');
    const today = shanghaiDate(now);
    for (const [i, t] of input.plan.tasks.entries()) {
      if (t.dueDate < today) throw invalid(`随访任务「${t.title}」的到期日早于今天`, `plan.tasks[${i}].dueDate`);
    }
    const allianceId = await this.sharedAlliance(origin, destOrg.id, now);
    const id = newId();
    const actorName = await this.actorName(this.repo, ctx);
    await this.repo.transaction(async (repo, tx) => {
      await repo.insert({
        id, direction: 'down', status: 'draft', urgency: input.urgency,
        patientId, originOrganizationId: origin, requesterUserId: ctx.actor.userId || null, requesterName: actorName,
        destinationOrganizationId: destOrg.id, allianceId, countyCode: patient.countyCode, diagnosisCode, diagnosisName: input.diagnosisName,
        reason: input.reason, clinicalSummary: input.clinicalSummary, treatmentGiven: input.treatmentGiven ?? null,
        medications: input.plan.medications, consentBy: input.consent!.by, consentMethod: input.consent!.method,
        consentAt: new Date(input.consent!.at ?? now), downKind: input.kind, previousReferralId: null,
        contactPhone: patient.phone, createdAt: now, updatedAt: now,
      }, shanghaiDate(now));
      await repo.insertCarePlan(
        { referralId: id, diagnosisSummary: input.plan.diagnosisSummary, medications: input.plan.medications, rehabilitationAdvice: input.plan.rehabilitationAdvice ?? null, warningSigns: input.plan.warningSigns, createdAt: now },
        input.plan.tasks.map((t) => ({ id: newId(), referralId: id, kind: t.kind, title: t.title, dueDate: t.dueDate, organizationId: destOrg.id, status: 'open' as const })),
      );
      await repo.insertEvents([{ id: newId(), referralId: id, at: now, action: 'create-draft', toStatus: 'draft', actorUserId: ctx.actor.userId, actorName, reason: null, detail: input.fromReferralId ? { fromReferralId: input.fromReferralId } : null }]);
      await this.deps.audit.record(ctx, [{ action: 'create', resourceType: 'Referral', resourceId: id, patientId, basis, outcome: 'allowed' }], tx);
      await this.applyTransition(ctx, repo, tx, id, { action: 'submit' }, ['sender']);
    });
    return this.afterWrite(ctx, id);
  }

  /** Re-sends a rejected referral elsewhere in one step: a new referral with the same content, linked to the old one. */
  async resend(ctx: RequestContext, id: string, input: { destinationOrganizationId: string; destinationDepartmentId?: string | undefined; overrideReason?: string | undefined }): Promise<ReferralDto> {
    const { row, parties } = await this.loadForActor(ctx, id, 'update');
    if (row.status !== 'rejected') throw new AppError('conflict', '只有被拒收的转诊可以改投其他机构');
    if (!parties.includes('sender') && !parties.includes('desk')) throw forbidden('只有转出机构或转诊服务中心可以改投');
    if (input.destinationOrganizationId === row.destinationOrganizationId) throw invalid('请选择另一家接收机构', 'destinationOrganizationId');
    const destOrg = await this.requireOrganization(input.destinationOrganizationId, 'destinationOrganizationId');
    const originOrg = await this.requireOrganization(row.originOrganizationId, 'originOrganizationId');
    const up = row.direction === 'up';
    if (up ? tierOrder(destOrg.tier) <= tierOrder(originOrg.tier) : tierOrder(destOrg.tier) >= tierOrder(originOrg.tier)) {
      throw invalid(`接收机构「${destOrg.name}」的层级不适合该转诊方向`, 'destinationOrganizationId');
    }
    const department = await this.checkDepartment(input.destinationDepartmentId, destOrg.id);
    const now = ctx.clock.now();
    const newReferralId = newId();
    const actorName = await this.actorName(this.repo, ctx);
    const plan = row.direction === 'down' ? await this.repo.carePlan(row.id) : null;
    const allianceId = await this.sharedAlliance(row.originOrganizationId, destOrg.id, now);
    await this.repo.transaction(async (repo, tx) => {
      const { id: _oldId, number: _n, version: _v, ...content } = row;
      await repo.insert({
        ...content,
        id: newReferralId,
        status: 'draft', subState: null, heldFromStatus: null, heldFromSubState: null, holdReason: null, noCapacitySince: null,
        destinationOrganizationId: destOrg.id, destinationDepartmentId: department?.id ?? null, assignedUserId: null, allianceId,
        overrideReason: input.overrideReason ?? row.overrideReason, rejectionReason: null, cancelReason: null, previousReferralId: row.id,
        returnedSummary: null, requestedAt: null, acceptedAt: null, arrivedAt: null, admittedAt: null, dischargedAt: null, completedAt: null,
        createdAt: now, updatedAt: now,
      }, shanghaiDate(now));
      if (plan) {
        await repo.insertCarePlan(
          { ...plan.plan, referralId: newReferralId, createdAt: now },
          plan.tasks.map((t) => ({ id: newId(), referralId: newReferralId, kind: t.kind, title: t.title, dueDate: t.dueDate, organizationId: destOrg.id, status: 'open' as const })),
        );
      }
      await repo.insertEvents([
        { id: newId(), referralId: newReferralId, at: now, action: 'create-draft', toStatus: 'draft', actorUserId: ctx.actor.userId, actorName, reason: `改投：原转诊单 ${row.number} 被拒收（${row.rejectionReason ?? ''}）`, detail: { previousReferralId: row.id } },
        { id: newId(), referralId: row.id, at: now, action: 'note', actorUserId: ctx.actor.userId, actorName, reason: `已改投 ${destOrg.name}`, detail: { resentAs: newReferralId } },
      ]);
      await this.deps.audit.record(ctx, [{ action: 'create', resourceType: 'Referral', resourceId: newReferralId, patientId: row.patientId, basis: 'own-facility', outcome: 'allowed', detail: { resentFrom: row.id } }], tx);
      await this.applyTransition(ctx, repo, tx, newReferralId, { action: 'submit' }, ['sender', 'desk']);
    });
    return this.afterWrite(ctx, newReferralId);
  }

  // ---- transitions

  async transition(ctx: RequestContext, id: string, input: ReferralTransitionInput | ({ action: 'unbook' } & Omit<ReferralTransitionInput, 'action'>)): Promise<ReferralDto> {
    let shown: Promise<Display> | null = null;
    const updated = await this.inLockedTransaction(ctx, id, async (repo, tx, row, parties) => {
      const moved = await this.applyTransition(ctx, repo, tx, id, input, parties, { locked: row });
      shown = this.deferDisplay(repo, moved);
      return moved;
    });
    return this.afterWrite(ctx, updated, shown);
  }

  /**
   * A write to one referral: its row is locked and read once, the actor's parties decided on that row, then `fn` runs
   * in the same transaction. A stranger is refused with 403 and the refusal audited after the rollback.
   */
  private async inLockedTransaction<T>(
    ctx: RequestContext,
    id: string,
    fn: (repo: ReferralRepository, tx: Db, row: ReferralRow, parties: Party[]) => Promise<T>,
  ): Promise<T> {
    const desk = await this.deskOrganizations(ctx);
    let refused: ReferralRow | null = null;
    try {
      return await this.repo.transaction(async (repo, tx) => {
        const row = await repo.byIdForUpdate(id);
        if (!row) throw notFound(`转诊单 ${id} 不存在`);
        const parties = partiesOf(ctx.actor, row, desk);
        if (parties.length === 0) {
          refused = row;
          throw forbidden('无权查看该转诊单：本机构既不是转出方也不是接收方，且不在本医共体转诊服务中心的职责范围内');
        }
        return fn(repo, tx, row, parties);
      });
    } catch (e) {
      const r = refused as ReferralRow | null;
      if (r) await this.deps.audit.record(ctx, [{ action: 'update', resourceType: 'Referral', resourceId: id, patientId: r.patientId, basis: 'none', outcome: 'denied' }]);
      throw e;
    }
  }

  /**
   * One move of the lifecycle inside the caller's transaction: lock, decide with the table, write row + timeline, move
   * the clock, notify. Everything commits together or not at all.
   */
  private async applyTransition(
    ctx: RequestContext,
    repo: ReferralRepository,
    tx: Db,
    id: string,
    input: { action: TransitionAction } & Omit<Partial<ReferralTransitionInput>, 'action'>,
    parties: readonly Party[],
    extra: { detail?: Record<string, unknown>; set?: Partial<ReferralRow>; locked?: ReferralRow } = {},
  ): Promise<ReferralRow> {
    // The caller may have locked and read the row already in this transaction.
    const row = extra.locked ?? (await repo.byIdForUpdate(id));
    if (!row) throw notFound(`转诊单 ${id} 不存在`);
    if (input.expectedVersion !== undefined && input.expectedVersion !== row.version) {
      throw new AppError('conflict', '该转诊单已被他人更新，请刷新后重试', { detail: { currentVersion: row.version } });
    }
    const action = input.action;
    const decision = decideTransition(
      { status: row.status, subState: row.subState, direction: row.direction, heldFromStatus: row.heldFromStatus, heldFromSubState: row.heldFromSubState },
      action,
      parties,
      { reason: input.reason, holdReason: input.holdReason, summary: input.summary, destination: input.destinationOrganizationId },
    );
    if (!decision.ok) {
      if (decision.reason === 'missing') throw invalid(decision.message, decision.missing);
      if (decision.reason === 'not-party') throw forbidden(decision.message);
      throw new AppError('conflict', decision.message, { detail: { status: row.status, subState: row.subState, action } });
    }
    const now = ctx.clock.now();
    const set: Partial<ReferralRow> = { status: decision.to, subState: decision.toSubState, updatedAt: now, ...extra.set };
    switch (action) {
      case 'submit': set.requestedAt = now; break;
      case 'accept': {
        set.acceptedAt = now;
        set.assignedUserId = await this.assignee(repo, input.assignedUserId, row.destinationOrganizationId, ctx);
        break;
      }
      case 'reject': set.rejectionReason = input.reason!; break;
      case 'cancel': set.cancelReason = input.reason!; set.noCapacitySince = null; break;
      case 'hold': set.heldFromStatus = row.status; set.heldFromSubState = row.subState; set.holdReason = input.holdReason!; break;
      case 'resume': set.heldFromStatus = null; set.heldFromSubState = null; set.holdReason = null; break;
      case 'arrive': set.arrivedAt = now; set.noCapacitySince = null; break;
      case 'admit': set.admittedAt = now; break;
      case 'discharge': set.dischargedAt = now; break;
      case 'complete': set.completedAt = now; if (input.summary) set.returnedSummary = input.summary; break;
      case 'redirect': {
        const dest = await this.requireOrganization(input.destinationOrganizationId!, 'destinationOrganizationId');
        if (dest.id === row.originOrganizationId || dest.id === row.destinationOrganizationId) throw invalid('请选择另一家接收机构', 'destinationOrganizationId');
        const origin = await this.requireOrganization(row.originOrganizationId, 'originOrganizationId');
        if (row.direction === 'up' ? tierOrder(dest.tier) <= tierOrder(origin.tier) : tierOrder(dest.tier) >= tierOrder(origin.tier)) {
          throw invalid(`接收机构「${dest.name}」的层级不适合该转诊方向`, 'destinationOrganizationId');
        }
        set.destinationOrganizationId = dest.id;
        set.destinationDepartmentId = (await this.checkDepartment(input.destinationDepartmentId, dest.id, repo))?.id ?? null;
        set.overrideReason = input.reason!;
        set.allianceId = await this.sharedAlliance(row.originOrganizationId, dest.id, now);
        break;
      }
      default: break;
    }
    if (action === 'cancel' && row.direction === 'down') await repo.cancelOpenCareTasks(row.id);
    if (action === 'cancel' || (action === 'unbook')) await this.releaseBooking(tx, row.id, now, input.reason ?? '取消');
    // The clock, the capacity check and the booking's fulfilment need only what the update is about to write, not its
    // answer: they go out with it in one round trip instead of one each (inParallel).
    const after: ReferralRow = { ...row, ...set };
    const checksCapacity = action === 'accept' && row.direction === 'up';
    const [moved, , hasCapacity, actorName, recipients] = await inParallel(
      tx,
      () => repo.update(row.id, set),
      () => this.moveClock(tx, row, after, action, input.holdReason, now),
      () => (checksCapacity ? this.hasCapacityFor(tx, after, now) : Promise.resolve(true)),
      () => this.actorName(repo, ctx),
      () => this.recipientsOf(tx, after, action),
      () => (action === 'arrive' || action === 'admit' ? repo.fulfilBooking(row.id, action) : Promise.resolve()),
    );
    // An accepted up-referral with no reserved capacity in sight goes on the "no capacity" worklist, never dropped;
    // the answer is the row as it now stands (its version counts both updates).
    const updated = hasCapacity ? moved : await repo.update(row.id, { noCapacitySince: now });
    await repo.insertEvents([{
      id: newId(), referralId: row.id, at: now, action, fromStatus: row.status, toStatus: updated.status, fromSubState: row.subState,
      toSubState: updated.subState, actorUserId: ctx.actor.userId || null, actorName, reason: input.reason ?? input.summary?.slice(0, 200) ?? null,
      detail: { ...(input.holdReason ? { holdReason: input.holdReason } : {}), ...(action === 'redirect' ? { from: row.destinationOrganizationId, to: updated.destinationOrganizationId } : {}), ...extra.detail },
    }]);
    const basis: AccessBasis = parties.includes('sender') ? 'own-facility' : parties.includes('receiver') ? 'open-referral' : 'alliance-role';
    await this.deps.audit.record(ctx, [{ action: 'update', resourceType: 'Referral', resourceId: row.id, patientId: row.patientId, basis, outcome: 'allowed', detail: { action, from: row.status, to: updated.status } }], tx);
    await this.notifyTransition(tx, updated, action, input.reason, now, recipients);
    return updated;
  }

  /** Deadlines follow the state: the step that ended is met, the next one starts; a patient hold stops the clock. */
  private async moveClock(tx: Db, before: ReferralRow, after: ReferralRow, action: TransitionAction, holdReason: string | undefined, at: Date): Promise<void> {
    const d = this.deps.deadlines;
    if (action === 'hold') {
      if (holdReason && holdStopsClock(holdReason as never)) await d.pause(tx, REFERRAL_SUBJECT, after.id, at);
      return;
    }
    if (action === 'resume') {
      if (before.holdReason && holdStopsClock(before.holdReason)) await d.resume(tx, REFERRAL_SUBJECT, after.id, at);
      return;
    }
    if (['completed', 'cancelled', 'rejected'].includes(after.status) && action !== 'complete') {
      await d.cancelAll(tx, REFERRAL_SUBJECT, after.id, at);
      if (action === 'reject') await d.meet(tx, REFERRAL_SUBJECT, after.id, deadlineStepFor(before.direction, before.status, before.subState) ?? 'accept', at).catch(() => undefined);
      return;
    }
    const beforeStep = deadlineStepFor(before.direction, before.status, before.subState);
    const afterStep = deadlineStepFor(after.direction, after.status, after.subState);
    if (action === 'redirect') {
      // A new destination gets the full time to accept.
      await d.cancelAll(tx, REFERRAL_SUBJECT, after.id, at);
      if (afterStep) await d.start(tx, { subjectType: REFERRAL_SUBJECT, subjectId: after.id, step: afterStep, urgency: after.urgency, organizationId: after.destinationOrganizationId, at });
      return;
    }
    if (afterStep && afterStep !== beforeStep) {
      // The step done is met in the same statement that starts the next one.
      await d.start(tx, { subjectType: REFERRAL_SUBJECT, subjectId: after.id, step: afterStep, urgency: after.urgency, organizationId: after.destinationOrganizationId, at, meetStep: beforeStep ?? undefined });
    } else if (beforeStep && beforeStep !== afterStep) {
      await d.meet(tx, REFERRAL_SUBJECT, after.id, beforeStep, at);
    }
  }

  /** An accepted up-referral with no reserved capacity in sight goes on the "no capacity" worklist — never dropped. */
  private async flagNoCapacity(repo: ReferralRepository, tx: Db, row: ReferralRow, now: Date): Promise<void> {
    if (!(await this.hasCapacityFor(tx, row, now))) await repo.update(row.id, { noCapacitySince: now });
  }

  private hasCapacityFor(tx: Db, row: ReferralRow, now: Date): Promise<boolean> {
    return this.deps.capacity.hasBookableCapacity(tx, {
      destinationOrganizationId: row.destinationOrganizationId, departmentId: row.destinationDepartmentId ?? undefined,
      originOrganizationId: row.originOrganizationId, allianceIds: row.allianceId ? [row.allianceId] : [],
      from: now, to: new Date(now.getTime() + capacityHorizonMs), now,
    });
  }

  private async releaseBooking(tx: Db, referralId: string, at: Date, reason: string): Promise<void> {
    await this.deps.capacity.cancelAppointmentInTx(tx, { referralId, at, reason });
    await this.deps.capacity.cancelBedInTx(tx, { referralId, at });
  }

  // ---- booking reserved capacity

  /** Books a reserved slot for an accepted up-referral; the slot and the state change commit together or not at all. */
  async bookSlot(ctx: RequestContext, id: string, slotId: string): Promise<ReferralDto> {
    let updated: ReferralRow;
    let shown: Promise<Display> | null = null;
    try {
      updated = await this.inLockedTransaction(ctx, id, async (repo, tx, row, parties) => {
        // Independent statements travel together (inParallel): the claim with the patient's read, then the state change
        // with the patient's message. A refused claim still rolls everything back.
        const [booked, patient, destName] = await inParallel(
          tx,
          () => this.deps.capacity.bookSlotInTx(tx, { ...this.bookingParty(row, ctx), slotId }),
          () => repo.patient(row.patientId),
          () => repo.organizationName(row.destinationOrganizationId),
        );
        const [moved] = await inParallel(
          tx,
          () => this.applyTransition(ctx, repo, tx, id, { action: 'book' }, parties, {
            locked: row,
            set: { noCapacitySince: null },
            detail: { appointmentId: booked.appointmentId, slotId, start: iso(booked.start), departmentName: booked.departmentName },
          }),
          () => (patient?.phone
            ? this.deps.notifications.messagePatient(tx, {
                patientId: row.patientId, phone: patient.phone, channels: ['sms', 'wechat'], dedupeKey: `referral:${id}:booked:${booked.appointmentId}`, at: ctx.clock.now(),
                body: `【医联】${patient.name}您好，您的转诊已预约：${destName}${booked.departmentName}，就诊时间 ${formatShanghai(booked.start)}。转诊单号 ${row.number}，请携带身份证按时就诊。`,
              })
            : Promise.resolve()),
        );
        shown = this.deferDisplay(repo, moved);
        return moved;
      });
    } catch (e) {
      if (e instanceof AppError && e.code === 'conflict') await this.markNoCapacityIfNone(ctx, id);
      throw e;
    }
    return this.afterWrite(ctx, updated, shown);
  }

  /** Holds a reserved bed and issues the admission notice (入院通知) to the sender and the patient the same day. */
  async bookBed(ctx: RequestContext, id: string, bedPoolId: string, day: string): Promise<ReferralDto> {
    if (day < shanghaiDate(ctx.clock.now())) throw invalid('入院日期不能早于今天', 'day');
    await this.inLockedTransaction(ctx, id, async (repo, tx, row, parties) => {
      const bed = await this.deps.capacity.bookBedInTx(tx, { ...this.bookingParty(row, ctx), bedPoolId, day });
      const updated = await this.applyTransition(ctx, repo, tx, id, { action: 'book' }, parties, {
        locked: row,
        set: { noCapacitySince: null },
        detail: { bedReservationId: bed.reservationId, day, admissionNoticeNumber: bed.admissionNoticeNumber, departmentName: bed.departmentName },
      });
      const [patient, destName] = await inParallel(tx, () => repo.patient(row.patientId), () => repo.organizationName(row.destinationOrganizationId));
      const text = `入院通知 ${bed.admissionNoticeNumber}：${patient?.name ?? ''} 请于 ${day} 到 ${destName}${bed.departmentName} 办理入院（转诊单 ${row.number}）。`;
      if (updated.requesterUserId) {
        await this.deps.notifications.notifyUsers(tx, { userIds: [updated.requesterUserId], kind: 'admission-notice', title: `入院通知：${patient?.name ?? ''}`, body: text, subjectType: REFERRAL_SUBJECT, subjectId: id, link: `/referrals/${id}`, dedupeKey: `referral:${id}:admission:${bed.reservationId}`, at: ctx.clock.now(), knownUserIds: true });
      }
      if (patient?.phone) {
        await this.deps.notifications.messagePatient(tx, { patientId: row.patientId, phone: patient.phone, channels: ['sms', 'wechat'], body: `【医联】${text}请携带身份证、医保卡及转诊单。`, dedupeKey: `referral:${id}:admission:${bed.reservationId}`, at: ctx.clock.now() });
      }
    });
    return this.afterWrite(ctx, id);
  }

  /** Cancels the booking of a scheduled referral (back to accepted); the slot or bed returns to the pool. */
  async unbook(ctx: RequestContext, id: string, reason: string): Promise<ReferralDto> {
    return this.transition(ctx, id, { action: 'unbook', reason });
  }

  private bookingParty(row: ReferralRow, ctx: RequestContext) {
    return {
      referralId: row.id, patientId: row.patientId, originOrganizationId: row.originOrganizationId, allianceIds: row.allianceId ? [row.allianceId] : [],
      destinationOrganizationId: row.destinationOrganizationId, at: ctx.clock.now(), actorName: ctx.actor.username,
    };
  }

  private async markNoCapacityIfNone(ctx: RequestContext, id: string): Promise<void> {
    const row = await this.repo.byId(id);
    if (!row || row.status !== 'accepted' || row.noCapacitySince) return;
    const now = ctx.clock.now();
    await this.repo.transaction(async (repo, tx) => this.flagNoCapacity(repo, tx, row, now));
  }

  // ---- down-referral care tasks

  async careTasks(ctx: RequestContext, status: 'open' | 'done' | 'all'): Promise<CarePlanTaskDto[]> {
    const org = ctx.actor.organizationId;
    if (!org) return [];
    const rows = await this.repo.careTasksAt([org], status, 500);
    return rows.map((r) => ({ ...toTaskDto(r.t), patientId: r.patientId, patientName: r.patientName }));
  }

  /** Completes a follow-up task; the first one takes the patient over, the last one closes the loop. */
  async completeCareTask(ctx: RequestContext, taskId: string, outcome: string): Promise<CarePlanTaskDto> {
    const task = await this.repo.careTask(taskId);
    if (!task) throw notFound(`随访任务 ${taskId} 不存在`);
    const { row, parties } = await this.loadForActor(ctx, task.referralId, 'update');
    if (!parties.includes('receiver')) throw forbidden('只有接收下转的基层机构可以完成随访任务');
    if (row.status !== 'accepted' && row.status !== 'in-progress') throw new AppError('conflict', `下转单当前状态为「${row.status}」，需先接收才能完成随访任务`);
    const now = ctx.clock.now();
    await this.repo.transaction(async (repo, tx) => {
      await repo.byIdForUpdate(row.id);
      if (!(await repo.completeCareTask(taskId, outcome, now, ctx.actor.username))) throw new AppError('conflict', '该随访任务已完成或已取消');
      const actorName = await this.actorName(repo, ctx);
      await repo.insertEvents([{ id: newId(), referralId: row.id, at: now, action: 'task-done', actorUserId: ctx.actor.userId, actorName, reason: `${task.title}：${outcome}`.slice(0, 500), detail: { taskId } }]);
      const current = (await repo.byId(row.id))!;
      if (current.status === 'accepted') await this.applyTransition(ctx, repo, tx, row.id, { action: 'start-care' }, ['receiver']);
      const counts = await repo.careTaskCounts(row.id);
      if (counts.open === 0) await this.applyTransition(ctx, repo, tx, row.id, { action: 'complete', summary: '随访计划全部完成' }, ['receiver']);
    });
    return toTaskDto((await this.repo.careTask(taskId))!);
  }

  // ---- reads

  async get(ctx: RequestContext, id: string): Promise<ReferralDto> {
    const { row, parties } = await this.loadForActor(ctx, id);
    const basis: AccessBasis = parties.includes('sender') ? 'own-facility' : parties.includes('receiver') ? 'open-referral' : 'alliance-role';
    await this.deps.audit.record(ctx, [{ action: 'read', resourceType: 'Referral', resourceId: id, patientId: row.patientId, basis, outcome: 'allowed' }]);
    return this.toDto(row, parties);
  }

  /**
   * Several referrals in full, in the order asked (FHIR searches): one read of the rows and one audit insert for the
   * page instead of one each. Referrals the actor is no party to are left out (the list that named them is scoped
   * by the same rule, so this only matters for ids from elsewhere).
   */
  async getMany(ctx: RequestContext, ids: readonly string[]): Promise<ReferralDto[]> {
    const [rows, desk, live] = await Promise.all([this.repo.byIds(ids), this.deskOrganizations(ctx), this.deps.deadlines.live(this.db, REFERRAL_SUBJECT, ids)]);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const visible = ids.flatMap((id) => {
      const row = byId.get(id);
      if (!row) return [];
      const parties = partiesOf(ctx.actor, row, desk);
      return parties.length ? [{ row, parties }] : [];
    });
    await this.deps.audit.record(ctx, visible.map(({ row, parties }) => ({
      action: 'read' as const, resourceType: 'Referral', resourceId: row.id, patientId: row.patientId,
      basis: parties.includes('sender') ? ('own-facility' as const) : parties.includes('receiver') ? ('open-referral' as const) : ('alliance-role' as const), outcome: 'allowed' as const,
    })));
    const out: ReferralDto[] = [];
    for (const { row, parties } of visible) out.push(await this.toDto(row, parties, live));
    return out;
  }

  async timeline(ctx: RequestContext, id: string): Promise<ReferralEventDto[]> {
    await this.loadForActor(ctx, id);
    return (await this.repo.events(id)).map((e) => ({
      id: e.id, at: e.at.toISOString(), action: e.action, fromStatus: e.fromStatus, toStatus: e.toStatus, fromSubState: e.fromSubState,
      toSubState: e.toSubState, actorName: e.actorName, reason: e.reason, detail: e.detail ?? null,
    }));
  }

  async list(ctx: RequestContext, q: ReferralListQuery): Promise<Page<ReferralListItemDto>> {
    const { filter } = await this.listFilter(ctx, q);
    const { rows, total } = await this.repo.list(filter, { offset: (q.page - 1) * q.pageSize, limit: q.pageSize, sort: q.sort });
    await this.deps.audit.record(ctx, rows.length ? [{ action: 'search', resourceType: 'Referral', basis: 'own-facility', outcome: 'allowed', detail: { view: q.view, count: rows.length, ids: rows.map((r) => r.id) } }] : []);
    return {
      items: rows.map((r) => ({
        id: r.id, number: r.number, direction: r.direction, status: r.status, subState: (r.sub_state as ReferralListItemDto['subState']) ?? null,
        urgency: r.urgency, patientName: r.patient_name, patientId: r.patient_id, originName: r.origin_name, destinationName: r.destination_name,
        diagnosisCode: r.diagnosis_code, diagnosisName: r.diagnosis_name, requestedAt: iso(r.requested_at), updatedAt: iso(r.updated_at)!,
        dueAt: iso(r.due_at), overdue: r.overdue_at != null, escalationLevel: r.escalation_level ?? 0, noCapacity: r.no_capacity_since != null,
      })),
      total, page: q.page, pageSize: q.pageSize,
    };
  }

  async counts(ctx: RequestContext, q: ReferralListQuery) {
    const { filter } = await this.listFilter(ctx, q);
    return this.repo.counts(filter);
  }

  private async listFilter(ctx: RequestContext, q: ReferralListQuery) {
    const { scope, desk } = await this.scopeOf(ctx);
    const org = ctx.actor.organizationId ?? '';
    const statuses = q.status === undefined ? undefined : Array.isArray(q.status) ? q.status : [q.status];
    const base = {
      scope, statuses, direction: q.direction, urgency: q.urgency, overdueOnly: q.overdue, patientId: q.patientId, organizationId: q.organizationId,
      originOrganizationId: q.originOrganizationId, destinationOrganizationId: q.destinationOrganizationId, ids: q.ids,
      q: q.q, fromDate: q.from, toDate: q.to,
    };
    switch (q.view) {
      case 'sent': return { filter: { ...base, originOrganizationId: org } };
      case 'received': return { filter: { ...base, destinationOrganizationId: org, statuses: statuses ?? (['requested', 'accepted', 'in-progress', 'on-hold'] as ReferralStatus[]) } };
      case 'desk':
        if (desk.size === 0) throw forbidden('只有转诊服务中心、调度员或医共体管理员可以查看全医共体的转诊');
        return { filter: { ...base, scope: { organizationIds: [...desk] } } };
      case 'no-capacity': return { filter: { ...base, noCapacityOnly: true, statuses: statuses ?? (['accepted'] as ReferralStatus[]) } };
      default: return { filter: base };
    }
  }

  private async toDto(row: ReferralRow, parties: readonly Party[], preloadedLive?: Map<string, LiveDeadline>, shown?: Promise<Display>): Promise<ReferralDto> {
    // One query for names, booking and live deadline (the deadline from the page's batch read when a list gave it;
    // after a write, read by the write's own last statement).
    const [names, plan] = await Promise.all([
      shown ?? this.repo.display(row, preloadedLive ? undefined : this.deps.deadlines.liveSql(REFERRAL_SUBJECT, row.id)),
      row.direction === 'down' ? this.repo.carePlan(row.id) : Promise.resolve(null),
    ]);
    const booking = names.booking;
    const d = preloadedLive ? preloadedLive.get(row.id) : names.deadline;
    const allowed: string[] = allowedTransitions(
      { status: row.status, subState: row.subState, direction: row.direction, heldFromStatus: row.heldFromStatus, heldFromSubState: row.heldFromSubState },
      parties,
    ).filter((a) => a !== 'start-care' && !(row.direction === 'down' && a === 'complete'));
    if (allowed.includes('book')) allowed.push('book-bed');
    if (row.status === 'rejected' && (parties.includes('sender') || parties.includes('desk'))) allowed.push('resend');
    if (row.direction === 'up' && (parties.includes('receiver') || parties.includes('desk')) && (row.status === 'completed' || (row.status === 'in-progress' && (row.subState === 'admitted' || row.subState === 'discharged' || row.subState === 'arrived')))) allowed.push('down-refer');
    if (row.status !== 'draft') allowed.push('print');
    return {
      id: row.id, number: row.number, direction: row.direction, status: row.status, subState: row.subState, holdReason: row.holdReason, urgency: row.urgency,
      patient: {
        id: row.patientId, name: names.patientName, sex: names.patientSex, birthDate: names.patientBirthDate,
        idNumberMasked: maskIdNumber(names.patientIdNumber), phone: names.patientPhone,
      },
      origin: { id: row.originOrganizationId, name: names.originName },
      originDepartment: row.originDepartmentId ? { id: row.originDepartmentId, name: names.originDepartmentName ?? '' } : null,
      requesterName: row.requesterName,
      destination: { id: row.destinationOrganizationId, name: names.destinationName },
      destinationDepartment: row.destinationDepartmentId ? { id: row.destinationDepartmentId, name: names.destinationDepartmentName ?? '' } : null,
      assignedUserName: names.assignedUserName ?? null,
      allianceId: row.allianceId,
      diagnosisCode: row.diagnosisCode, diagnosisName: row.diagnosisName, secondaryDiagnoses: row.secondaryDiagnoses, reason: row.reason,
      clinicalSummary: row.clinicalSummary, treatmentGiven: row.treatmentGiven, medications: row.medications, attachedResults: row.attachedResults,
      consent: row.consentBy && row.consentMethod && row.consentAt ? { by: row.consentBy, method: row.consentMethod, at: row.consentAt.toISOString() } : null,
      downKind: row.downKind, inOwnCatalogueNote: row.inOwnCatalogueNote,
      recommendedOrganization: row.recommendedOrganizationId ? { id: row.recommendedOrganizationId, name: names.recommendedName ?? '' } : null,
      overrideReason: row.overrideReason, rejectionReason: row.rejectionReason, cancelReason: row.cancelReason, previousReferralId: row.previousReferralId,
      returnedSummary: row.returnedSummary, contactPhone: row.contactPhone,
      requestedAt: iso(row.requestedAt), acceptedAt: iso(row.acceptedAt), arrivedAt: iso(row.arrivedAt), admittedAt: iso(row.admittedAt),
      dischargedAt: iso(row.dischargedAt), completedAt: iso(row.completedAt), createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString(),
      version: row.version,
      deadline: d ? { step: d.step, dueAt: d.dueAt.toISOString(), state: d.state, overdue: d.overdueAt != null, escalationLevel: d.escalationLevel } : null,
      booking,
      carePlan: plan
        ? {
            diagnosisSummary: plan.plan.diagnosisSummary, medications: plan.plan.medications, rehabilitationAdvice: plan.plan.rehabilitationAdvice,
            warningSigns: plan.plan.warningSigns, tasks: plan.tasks.map(toTaskDto),
          }
        : null,
      allowedActions: allowed,
    };
  }

  /** Open referrals of a patient — the form's duplicate warning. Same access rule as the worklists. */
  async openReferralsOf(ctx: RequestContext, patientId: string): Promise<ReferralListItemDto[]> {
    const page = await this.list(ctx, { view: 'all', patientId, status: [...openStatuses], page: 1, pageSize: 50, sort: 'updated' });
    return page.items;
  }

  /** Access basis for the patient module: an open or finished referral links the actor's facility to the patient. */
  async referralBasisFor(actor: { organizationId: string | null }, patientId: string): Promise<AccessBasis[]> {
    if (!actor.organizationId) return [];
    return (await this.repo.hasReferralLink(patientId, [actor.organizationId])) ? ['open-referral'] : [];
  }

  // ---- helpers

  /** The acting user's display name for the timeline: from the token when it carried it, else looked up. */
  private async actorName(repo: ReferralRepository, ctx: RequestContext): Promise<string> {
    if (ctx.actor.displayName) return ctx.actor.displayName;
    if (!ctx.actor.userId) return ctx.actor.username;
    return (await repo.userName(ctx.actor.userId))?.displayName ?? ctx.actor.username;
  }

  /** An organization by id, from the network module's reference-data cache (emptied by every write through it). */
  private async requireOrganization(id: string, path: string) {
    const org = await this.deps.network.findOrganization(id);
    if (!org || org.id !== id) throw invalid(`机构 ${id} 不存在`, path);
    return org;
  }

  /** Inside a transaction pass its repository: a pooled read there could wait for a connection that never frees. */
  private async checkDepartment(departmentId: string | undefined, organizationId: string, repo: ReferralRepository = this.repo) {
    if (!departmentId) return null;
    const dept = await repo.department(departmentId);
    if (!dept || dept.organizationId !== organizationId) throw invalid('科室不属于接收机构', 'destinationDepartmentId');
    return dept;
  }

  /** The receiving doctor: the one named (must work at the destination), else the accepting user. */
  private async assignee(repo: ReferralRepository, userId: string | undefined, destinationOrganizationId: string, ctx: RequestContext): Promise<string | null> {
    if (userId) {
      const u = await repo.userName(userId);
      if (!u || u.organizationId !== destinationOrganizationId) throw invalid('指定的接诊医生不在接收机构', 'assignedUserId');
      return u.id;
    }
    return ctx.actor.organizationId === destinationOrganizationId && ctx.actor.userId ? ctx.actor.userId : null;
  }

  /** The county community or city group both facilities belong to today (the desk that watches the referral). */
  private async sharedAlliance(a: string, b: string, now: Date): Promise<string | null> {
    const on = shanghaiDate(now);
    const [ma, mb, all] = await Promise.all([
      this.deps.network.membershipsOf({ organizationId: a, on }),
      this.deps.network.membershipsOf({ organizationId: b, on }),
      this.deps.network.alliances(on),
    ]);
    const kinds = new Map(all.map((x) => [x.id, x.kind]));
    const shared = ma.map((m) => m.allianceId).filter((id) => mb.some((m) => m.allianceId === id));
    shared.sort((x, y) => rankKind(kinds.get(x)) - rankKind(kinds.get(y)) || x.localeCompare(y));
    if (shared[0]) return shared[0];
    // Not in one alliance (e.g. a county hospital to the city): the origin's own county community watches it.
    const own = ma.map((m) => m.allianceId).filter((id) => (deskAllianceKinds as readonly string[]).includes(kinds.get(id) ?? ''));
    return own.sort()[0] ?? null;
  }

  /**
   * Who hears of a move: the sender for most, the destination's desk (or its doctors) for a new or redirected referral,
   * its doctors for a cancellation. Needs only what the move writes, so it is read alongside the update.
   */
  private async recipientsOf(tx: Db, r: ReferralRow, action: TransitionAction): Promise<string[]> {
    const repo = new ReferralRepository(tx);
    switch (action) {
      case 'submit':
      case 'redirect': {
        const roles: RoleCode[] = r.direction === 'up' ? ['referral-desk', 'dispatch-coordinator'] : ['village-doctor', 'township-doctor'];
        const to = await repo.userIdsAt(r.destinationOrganizationId, roles);
        return to.length > 0 ? to : repo.userIdsAt(r.destinationOrganizationId, clinicalRoles);
      }
      case 'cancel': return repo.userIdsAt(r.destinationOrganizationId, [...clinicalRoles]);
      case 'accept': case 'reject': case 'book': case 'arrive': case 'complete':
        return r.requesterUserId ? [r.requesterUserId] : repo.userIdsAt(r.originOrganizationId, clinicalRoles);
      default: return [];
    }
  }

  private async notifyTransition(tx: Db, r: ReferralRow, action: TransitionAction, reason: string | undefined, at: Date, to: readonly string[]): Promise<void> {
    if (to.length === 0) return;
    const send = (title: string, body: string) =>
      this.deps.notifications.notifyUsers(tx, { userIds: [...to], kind: `referral-${action}`, title, body, subjectType: REFERRAL_SUBJECT, subjectId: r.id, link: `/referrals/${r.id}`, dedupeKey: `referral:${r.id}:${action}:${r.version}`, at, knownUserIds: true });
    const label = `${r.number}（${r.diagnosisName}）`;
    switch (action) {
      case 'submit':
      case 'redirect': {
        const urgent = r.urgency === 'emergency' ? '【急诊】' : r.urgency === 'urgent' ? '【加急】' : '';
        await send(`${urgent}新${r.direction === 'up' ? '上转' : '下转'}待接收`, `转诊单 ${label} 待贵机构接收。`);
        break;
      }
      case 'accept': await send('转诊已接收', `转诊单 ${label} 已被接收。`); break;
      case 'reject': await send('转诊被拒收', `转诊单 ${label} 被拒收：${reason ?? ''}。可改投其他机构。`); break;
      case 'book': await send('转诊已预约', `转诊单 ${label} 已预约号源/床位。`); break;
      case 'arrive': await send('患者已到诊', `转诊单 ${label} 的患者已到达接收机构。`); break;
      case 'complete': await send(r.direction === 'up' ? '诊疗结果已回传' : '下转随访已完成', `转诊单 ${label} 已完成。`); break;
      case 'cancel': await send('转诊已撤销', `转诊单 ${label} 已撤销：${reason ?? ''}`); break;
      default: break;
    }
  }

  /** Escalation ladder of a referral: assigned doctor → head of department → referral desk → alliance office. */
  private async escalationRecipients(db: Db, referralId: string, rung: EscalationRung): Promise<string[]> {
    const repo = new ReferralRepository(db);
    const r = await repo.byId(referralId);
    if (!r) return [];
    switch (rung) {
      case 'assigned':
        if (r.assignedUserId) return [r.assignedUserId];
        return repo.userIdsAt(r.destinationOrganizationId, r.direction === 'up' ? ['county-specialist', 'referral-desk'] : ['village-doctor', 'township-doctor']);
      case 'department-head':
        return r.destinationDepartmentId ? repo.departmentHeadUserIds(r.destinationDepartmentId) : [];
      case 'referral-desk':
        return repo.userIdsAt(r.destinationOrganizationId, ['referral-desk', 'dispatch-coordinator']);
      case 'alliance-office': {
        // Read through the worker's transaction: on PGlite a second connection would wait for it forever.
        const lead = r.allianceId ? await repo.allianceLeadOrganizationId(r.allianceId) : null;
        return lead ? repo.userIdsAt(lead, ['alliance-admin']) : [];
      }
    }
  }
}

const rungLabel: Record<EscalationRung, string> = { assigned: '接诊医生', 'department-head': '科主任', 'referral-desk': '转诊服务中心', 'alliance-office': '医共体办公室' };

function rankKind(kind: string | undefined): number {
  return kind === 'county-community' ? 0 : kind === 'city-group' ? 1 : kind === 'specialty-alliance' ? 2 : 3;
}

function tierOrder(tier: FacilityTier): number {
  return tierRank[tier];
}

function normaliseDiagnosis(code: string, path: string): string {
  const n = normaliseIcd10(code);
  if (!n) throw invalid(`ICD-10 编码「${code}」格式错误`, path);
  // Stored with the dot, as written on forms (I63.9); the catalogue compares the normalised form.
  return n.length > 3 ? `${n.slice(0, 3)}.${n.slice(3)}` : n;
}

function formatShanghai(d: Date | string): string {
  const t = new Date(new Date(d).getTime() + 8 * 3600_000).toISOString();
  return `${t.slice(0, 10)} ${t.slice(11, 16)}`;
}

function toTaskDto(t: { id: string; referralId: string; kind: CarePlanTaskDto['kind']; title: string; dueDate: string; status: CarePlanTaskDto['status']; outcome: string | null; completedAt: Date | null; completedBy: string | null; organizationId: string }): CarePlanTaskDto {
  return {
    id: t.id, referralId: t.referralId, kind: t.kind, title: t.title, dueDate: t.dueDate, status: t.status, outcome: t.outcome,
    completedAt: iso(t.completedAt), completedBy: t.completedBy, organizationId: t.organizationId,
  };
}

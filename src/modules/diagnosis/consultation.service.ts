import type { Db } from '../../db/client.js';
import type { AccessBasis } from '../../contracts/codes.js';
import type {
  AssignExpertInput, ConclusionInput, ConsultationAction, ConsultationDto, ConsultationEventDto, ConsultationInput, ConsultationListItemDto,
  ConsultationListQuery, ConsultationStatus, InvitationResponse, OpinionInput, ScheduleInput,
} from '../../contracts/diagnosis-consultation.js';
import type { DeadlineViewDto } from '../../contracts/diagnosis.js';
import type { RequestContext } from '../../shared/context.js';
import { shanghaiDate } from '../../shared/clock.js';
import { AppError, conflict, forbidden, invalid, notFound } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import type { Page } from '../../shared/pagination.js';
import type { AuditService } from '../audit/index.js';
import type { DeadlineService } from '../deadline/index.js';
import type { NetworkService } from '../network/index.js';
import type { NotificationService } from '../notification/index.js';
import type { PatientService } from '../patient/index.js';
import {
  CONSULTATION_RESPOND_STEP, allowedConsultationActions, consentProblem, consultationItem, consultationPartiesOf, consultationUrgency,
  decideConsultation, expertRoleLabels, requestStatusOf, scheduleProblem, type ConsultationDecision, type ConsultationParty,
} from './consultation.rules.js';
import {
  ConsultationRepository, activeExpertStates, type ConsultationInsert, type ConsultationRow, type ExpertRow,
} from './consultation.repository.js';
import { DiagnosisRepository, type CenterRow, type RequestInsert, type RequestRow } from './diagnosis.repository.js';
import { onDutyAt, requestNumber, requesterRoles, type ActorFacts } from './diagnosis.rules.js';
import { DIAGNOSIS_SUBJECT } from './diagnosis.service.js';

export interface ConsultationServiceDeps {
  network: Pick<NetworkService, 'allianceMatesOn'>;
  patients: Pick<PatientService, 'get'>;
  audit: Pick<AuditService, 'record'>;
  deadlines: Pick<DeadlineService, 'start' | 'meet' | 'cancelAll' | 'liveFor'>;
  notifications: Pick<NotificationService, 'notifyUsers'>;
}

const iso = (d: Date | string | null | undefined): string | null => (d == null ? null : new Date(d).toISOString());
const linkOf = (id: string): string => `/consultations/${id}`;

interface Loaded {
  row: RequestRow;
  c: ConsultationRow;
  parties: ConsultationParty[];
}

interface MoveEffect {
  set?: Partial<ConsultationInsert>;
  request?: Partial<RequestInsert>;
  detail?: Record<string, unknown>;
  /** Notifications to send after the move: recipients, kind, title, body. */
  notify?: { userIds: readonly string[]; kind: string; title: string; body: string }[];
}

type Apply = (x: { row: RequestRow; c: ConsultationRow; repo: ConsultationRepository; dx: DiagnosisRepository; tx: Db; now: Date; to: ConsultationStatus; actorName: string }) => Promise<MoveEffect>;

/**
 * Teleconsultation (远程会诊, domain.md §3). A consultation is a request of kind `consultation` to a consultation center
 * — the same aggregate as a remote reading (one request number, one access rule of parties, one response deadline
 * whose escalation ladder is the center's) — with its detail in diagnosis_consultations: experts of the center's pool,
 * the schedule and video link, append-only opinions, the inviting doctor's decision and the patient's written consent.
 * Every move writes the detail, the request row, a timeline event, an audit row, the deadline move and the
 * notifications in one transaction.
 */
export class ConsultationService {
  private readonly repo: ConsultationRepository;
  private readonly dx: DiagnosisRepository;
  private readonly factsCache = new WeakMap<RequestContext, Promise<ActorFacts>>();

  constructor(
    private readonly db: Db,
    private readonly deps: ConsultationServiceDeps,
  ) {
    this.repo = new ConsultationRepository(db);
    this.dx = new DiagnosisRepository(db);
  }

  // ---- who is acting

  private actorFacts(ctx: RequestContext): Promise<ActorFacts> {
    let f = this.factsCache.get(ctx);
    if (!f) {
      f = (async () => {
        const [readerCenterIds, dutyHeadCenterIds] = await Promise.all([
          this.dx.readerCenterIdsOf(ctx.actor.userId),
          this.dx.dutyHeadCenterIdsOf(ctx.actor.userId, ctx.clock.now()),
        ]);
        return { userId: ctx.actor.userId, organizationId: ctx.actor.organizationId, roles: ctx.actor.roles, readerCenterIds: new Set(readerCenterIds), dutyHeadCenterIds: new Set(dutyHeadCenterIds) };
      })();
      this.factsCache.set(ctx, f);
    }
    return f;
  }

  private async actorName(ctx: RequestContext): Promise<string> {
    if (ctx.actor.displayName) return ctx.actor.displayName;
    if (!ctx.actor.userId) return ctx.actor.username;
    return (await this.dx.userName(ctx.actor.userId))?.displayName ?? ctx.actor.username;
  }

  /** Facilities the center serves today: its host's county community, or its explicit list (as for remote readings). */
  private async servedOrganizationIds(center: CenterRow, at: Date): Promise<string[]> {
    if (center.memberMode === 'listed') return [...((await this.dx.membersOf([center.id])).get(center.id) ?? []), center.organizationId];
    return this.deps.network.allianceMatesOn(center.organizationId, shanghaiDate(at), ['county-community']);
  }

  private basisOf(parties: readonly ConsultationParty[]): AccessBasis {
    return parties.includes('requester') ? 'own-facility' : 'diagnosis-request';
  }

  // ---- request

  /**
   * A clinician of a served facility invites the consultation center. The patient's written consent is required here,
   * at the request, not later at scheduling: the 2018 remote-medicine norms put informed consent on the inviting side
   * before it sends the invitation (domain.md §3), and the request already shares the case summary with the center.
   */
  async create(ctx: RequestContext, input: ConsultationInput): Promise<ConsultationDto> {
    const org = ctx.actor.organizationId;
    if (!org || !ctx.actor.roles.some((r) => requesterRoles.includes(r))) throw forbidden('只有医疗机构的医生可以申请远程会诊');
    const center = await this.dx.centerById(input.centerId);
    if (!center) throw invalid(`诊断中心 ${input.centerId} 不存在`, 'centerId');
    if (center.type !== 'consultation') throw invalid(`「${center.name}」不是远程会诊中心；影像、心电、病理、检验请走远程诊断申请`, 'centerId');
    if (!center.active) throw invalid(`会诊中心「${center.name}」已停用`, 'centerId');
    const now = ctx.clock.now();
    const consent = consentProblem(input.consent, now);
    if (consent) throw invalid(consent.message, consent.field);
    if (input.kind === 'emergency' && input.urgency === 'routine') throw invalid('急诊会诊不能选择普通时限', 'urgency');
    if (!(await this.servedOrganizationIds(center, now)).includes(org)) throw forbidden(`本机构不在「${center.name}」的服务范围内`);
    // Reading the patient checks access with the platform's one patient rule and audits the read.
    const patient = await this.deps.patients.get(ctx, input.patientId);
    const urgency = consultationUrgency(input.kind, input.urgency);
    const id = newId();
    const actorName = await this.actorName(ctx);
    await this.repo.transaction(async (repo, tx) => {
      const dx = new DiagnosisRepository(tx);
      await dx.insertRequest({
        id, number: requestNumber(shanghaiDate(now), await dx.nextNumber()), kind: 'consultation', status: 'requested', urgency,
        centerId: center.id, centerOrganizationId: center.organizationId, requesterOrganizationId: org, requesterUserId: ctx.actor.userId || null,
        requesterName: actorName, patientId: patient.id, countyCode: patient.residenceDivisionCode?.slice(0, 6) ?? null, modality: 'CONSULT',
        examType: consultationItem(input.kind, input.specialty), bodyPart: null, clinicalQuestion: input.purpose, clinicalSummary: input.clinicalSummary ?? null,
        submittedAt: now, createdAt: now, updatedAt: now,
      });
      await repo.insertConsultation({
        requestId: id, status: 'requested', kind: input.kind, specialty: input.specialty, preferredAt: input.preferredAt ? new Date(input.preferredAt) : null,
        consentSigner: input.consent.signer, consentSignerName: input.consent.signerName, consentSignedAt: new Date(input.consent.signedAt),
        consentFormReference: input.consent.formReference, consentRecordedBy: ctx.actor.userId || null, consentRecordedByName: actorName, consentRecordedAt: now,
        createdAt: now, updatedAt: now,
      });
      await repo.insertEvents([{
        id: newId(), requestId: id, at: now, action: 'submit', toStatus: 'requested', actorUserId: ctx.actor.userId || null, actorName, reason: null,
        detail: { centerId: center.id, kind: input.kind, specialty: input.specialty, urgency, consent: { signer: input.consent.signer, formReference: input.consent.formReference } },
      }]);
      await this.deps.audit.record(ctx, [{ action: 'create', resourceType: 'DiagnosisConsultation', resourceId: id, patientId: patient.id, basis: 'own-facility', outcome: 'allowed', detail: { kind: input.kind, consent: input.consent.formReference } }], tx);
      await this.deps.deadlines.start(tx, { subjectType: DIAGNOSIS_SUBJECT, subjectId: id, step: CONSULTATION_RESPOND_STEP, urgency, organizationId: center.organizationId, at: now });
      await dx.syncDueAt(id);
      // The pool on duty now hears of it (else the whole pool): one of them schedules it.
      const onDuty = onDutyAt((await dx.shifts(center.id, now, new Date(now.getTime() + 1))).filter((s) => s.readerActive), now).map((s) => s.userId);
      const to = onDuty.length ? [...new Set(onDuty)] : await dx.activeReaderUserIds(center.id);
      if (to.length) {
        await this.deps.notifications.notifyUsers(tx, {
          userIds: to, kind: 'consultation-request', title: `${input.kind === 'emergency' ? '【急诊】' : ''}新的远程会诊申请`,
          body: `${patient.name}：${consultationItem(input.kind, input.specialty)}，会诊目的：${input.purpose}`,
          subjectType: DIAGNOSIS_SUBJECT, subjectId: id, link: linkOf(id), dedupeKey: `consultation:${id}:requested`, at: now,
        });
      }
    });
    return this.get(ctx, id, { audit: false });
  }

  // ---- reads

  private async loadForActor(ctx: RequestContext, id: string, auditAction: 'read' | 'update' = 'read'): Promise<Loaded> {
    const row = await this.dx.requestById(id);
    const c = row?.kind === 'consultation' ? await this.repo.consultationOf(id) : undefined;
    if (!row || !c) throw notFound(`远程会诊 ${id} 不存在`);
    const parties = consultationPartiesOf(await this.actorFacts(ctx), { ...row, activeExpertUserIds: await this.repo.activeExpertUserIds(id) });
    if (parties.length === 0) {
      await this.deps.audit.record(ctx, [{ action: auditAction, resourceType: 'DiagnosisConsultation', resourceId: id, patientId: row.patientId, basis: 'none', outcome: 'denied' }]);
      throw forbidden('无权查看该远程会诊：本机构不是申请方，您也不是该会诊中心的专家或受邀专家');
    }
    return { row, c, parties };
  }

  async get(ctx: RequestContext, id: string, opts: { audit?: boolean } = {}): Promise<ConsultationDto> {
    const { row, c, parties } = await this.loadForActor(ctx, id);
    if (opts.audit !== false) await this.deps.audit.record(ctx, [{ action: 'read', resourceType: 'DiagnosisConsultation', resourceId: id, patientId: row.patientId, basis: this.basisOf(parties), outcome: 'allowed' }]);
    return this.toDto(ctx, row, c, parties);
  }

  async timeline(ctx: RequestContext, id: string): Promise<ConsultationEventDto[]> {
    await this.loadForActor(ctx, id);
    const [own, fired] = await Promise.all([this.repo.events(id), this.repo.deadlineEvents(id)]);
    const all: ConsultationEventDto[] = [
      ...own.map((e) => ({ id: e.id, at: e.at.toISOString(), action: e.action, fromStatus: e.fromStatus, toStatus: e.toStatus, actorName: e.actorName, reason: e.reason, detail: e.detail ?? null })),
      ...fired.map((e) => ({ id: e.id, at: e.at.toISOString(), action: e.action, fromStatus: null, toStatus: null, actorName: e.actorName, reason: e.reason, detail: e.detail ?? null })),
    ];
    // Stable sort: same-instant entries keep their own order (moves before what the deadline engine added).
    return all.map((e, i) => ({ e, i })).sort((a, b) => a.e.at.localeCompare(b.e.at) || a.i - b.i).map((x) => x.e);
  }

  /**
   * Lists: `sent` — the requesting facility's consultations (its clinicians); `center` — the queue of the centers
   * where the actor is in the expert pool; `expert` — where the actor is invited. Scoped by the same facts as the
   * access rule; a center named outside the actor's reach is refused, not silently emptied.
   */
  async list(ctx: RequestContext, q: ConsultationListQuery): Promise<Page<ConsultationListItemDto>> {
    const facts = await this.actorFacts(ctx);
    let scope: { requesterOrganizationId: string } | { centerIds: readonly string[] } | { expertUserId: string };
    if (q.view === 'center') {
      if (facts.readerCenterIds.size === 0) throw forbidden('只有会诊中心的专家可以查看会诊中心的申请');
      if (q.centerId && !facts.readerCenterIds.has(q.centerId)) throw forbidden('您不是该会诊中心的专家');
      scope = { centerIds: [...facts.readerCenterIds] };
    } else if (q.view === 'expert') {
      if (!ctx.actor.userId) throw forbidden('请以个人账号登录查看受邀的会诊');
      scope = { expertUserId: ctx.actor.userId };
    } else {
      if (!ctx.actor.organizationId || !ctx.actor.roles.some((r) => requesterRoles.includes(r))) throw forbidden('只有医疗机构的医生可以查看本机构的远程会诊申请');
      scope = { requesterOrganizationId: ctx.actor.organizationId };
    }
    const statuses = q.status === undefined ? undefined : Array.isArray(q.status) ? q.status : [q.status];
    const { rows, total } = await this.repo.list(
      { scope, centerId: q.centerId, statuses, kind: q.kind, specialty: q.specialty, overdueOnly: q.overdue, patientId: q.patientId, q: q.q },
      { offset: (q.page - 1) * q.pageSize, limit: q.pageSize },
    );
    if (rows.length) {
      await this.deps.audit.record(ctx, [{ action: 'search', resourceType: 'DiagnosisConsultation', basis: q.view === 'sent' ? 'own-facility' : 'diagnosis-request', outcome: 'allowed', detail: { view: q.view, count: rows.length, ids: rows.map((r) => r.id) } }]);
    }
    return {
      items: rows.map((r) => ({
        id: r.id, number: r.number, status: r.status, kind: r.kind, urgency: r.urgency, specialty: r.specialty, centerId: r.center_id, centerName: r.center_name,
        requesterOrganizationName: r.requester_org_name, requesterName: r.requester_name, patientId: r.patient_id, patientName: r.patient_name,
        scheduledStart: iso(r.scheduled_start), experts: r.experts ?? [], createdAt: iso(r.created_at)!, dueAt: iso(r.due_at), overdue: r.overdue_at != null,
        escalationLevel: r.escalation_level ?? 0,
      })),
      total, page: q.page, pageSize: q.pageSize,
    };
  }

  // ---- moves

  /** The center invites an expert of its pool (an active reader of the center); a declined or removed one may be invited again. */
  async assignExpert(ctx: RequestContext, id: string, input: AssignExpertInput): Promise<ConsultationDto> {
    return this.move(ctx, id, 'assign-expert', {}, async ({ row, c, repo, dx, now, actorName }) => {
      const reader = (await dx.readersOf(row.centerId)).find((r) => r.userId === input.userId && r.active);
      if (!reader) throw invalid('会诊专家须是本会诊中心专家库中在职的医师', 'userId');
      const experts = await repo.experts(id);
      const existing = experts.find((e) => e.userId === input.userId);
      if (existing && activeExpertStates.includes(existing.state)) throw conflict(`${reader.displayName} 已在本次会诊的专家名单中`, { expertId: existing.id });
      if (input.role === 'lead') {
        const lead = experts.find((e) => e.role === 'lead' && activeExpertStates.includes(e.state));
        if (lead) throw conflict(`本次会诊已有主持专家 ${lead.name}；请先移除，或以会诊专家身份邀请`, { expertId: lead.id });
      }
      const fields = { role: input.role, specialty: input.specialty ?? c.specialty, state: 'invited' as const, reason: null, invitedBy: ctx.actor.userId || null, invitedByName: actorName, invitedAt: now, respondedAt: null };
      const expertId = existing?.id ?? newId();
      if (existing) await repo.updateExpert(existing.id, fields);
      else await repo.insertExpert({ id: expertId, requestId: id, userId: reader.userId, readerId: reader.id, ...fields });
      const when = c.scheduledStart ? `，时间 ${c.scheduledStart.toISOString()}，视频链接 ${c.videoLink ?? ''}` : '';
      return {
        detail: { expertId, userId: reader.userId, role: input.role, reinvited: !!existing },
        notify: [{ userIds: [reader.userId], kind: 'consultation-invited', title: '远程会诊邀请', body: `您被邀请为 ${row.number}（${row.examType}）的${expertRoleLabels[input.role]}${when}。` }],
      };
    });
  }

  /** The center takes an expert off the panel (with a reason); not one who has already given an opinion, nor the last one once scheduled. */
  async removeExpert(ctx: RequestContext, id: string, expertId: string, reason: string): Promise<ConsultationDto> {
    return this.move(ctx, id, 'remove-expert', { reason }, async ({ row, c, repo, now }) => {
      const experts = await repo.experts(id);
      const expert = experts.find((e) => e.id === expertId);
      if (!expert) throw notFound(`专家 ${expertId} 不在本次会诊中`);
      if (!activeExpertStates.includes(expert.state)) throw conflict(`${expert.name} 已${expert.state === 'removed' ? '被移除' : '谢绝邀请'}`, { state: expert.state });
      if ((await repo.opinions(id)).some((o) => o.expertId === expert.id)) throw conflict(`${expert.name} 已填写会诊意见，不能移除（会诊意见不可删除）`);
      const othersActive = experts.filter((e) => e.id !== expert.id && activeExpertStates.includes(e.state)).length;
      if (c.status !== 'requested' && othersActive === 0) throw conflict('不能移除已安排会诊的最后一位专家：请先邀请其他专家，或拒绝该会诊');
      await repo.updateExpert(expert.id, { state: 'removed', reason, respondedAt: now });
      return {
        detail: { expertId, userId: expert.userId },
        notify: [{ userIds: [expert.userId], kind: 'consultation-removed', title: '远程会诊邀请已撤回', body: `会诊中心已将您从 ${row.number}（${row.examType}）的专家名单中移除：${reason}` }],
      };
    });
  }

  /** The invited expert accepts, or declines with a reason (the center is told and invites someone else). */
  async respondToInvitation(ctx: RequestContext, id: string, input: InvitationResponse): Promise<ConsultationDto> {
    const action: ConsultationAction = input.response === 'accept' ? 'accept-invitation' : 'decline-invitation';
    return this.move(ctx, id, action, { reason: input.reason }, async ({ row, repo, dx, now, actorName }) => {
      const expert = (await repo.experts(id)).find((e) => e.userId === ctx.actor.userId)!;
      if (action === 'accept-invitation' && expert.state === 'accepted') throw conflict('您已接受该会诊邀请');
      if (action === 'decline-invitation' && (await repo.opinions(id)).some((o) => o.expertId === expert.id)) throw conflict('您已填写会诊意见，不能再谢绝邀请');
      await repo.updateExpert(expert.id, { state: action === 'accept-invitation' ? 'accepted' : 'declined', reason: input.reason?.trim() || null, respondedAt: now });
      const notify: MoveEffect['notify'] = action === 'decline-invitation'
        ? [{ userIds: await this.poolOnDuty(dx, row.centerId, now), kind: 'consultation-expert-declined', title: '会诊专家谢绝邀请', body: `${actorName} 谢绝了 ${row.number}（${row.examType}）的会诊邀请：${input.reason ?? ''}。请另行邀请专家。` }]
        : [];
      return { detail: { expertId: expert.id }, notify };
    });
  }

  /** The center sets (or moves) the session: time and video link, with at least one expert; the response deadline is met. */
  async schedule(ctx: RequestContext, id: string, input: ScheduleInput): Promise<ConsultationDto> {
    return this.move(ctx, id, 'schedule', {}, async ({ row, c, repo, dx, now, actorName }) => {
      const startsAt = new Date(input.startsAt);
      const endsAt = new Date(input.endsAt);
      const active = (await repo.experts(id)).filter((e) => activeExpertStates.includes(e.state));
      const problem = scheduleProblem({ startsAt, endsAt, now, activeExperts: active.length });
      if (problem) throw invalid(problem.message, problem.field);
      const requester = await this.requesterRecipients(dx, row);
      const moved = c.status === 'scheduled';
      const body = `${row.number}（${row.examType}）${moved ? '改期为' : '已安排在'} ${startsAt.toISOString()} 至 ${endsAt.toISOString()}，视频会议链接：${input.videoLink}；专家：${active.map((e) => e.name).join('、')}。`;
      return {
        set: { scheduledStart: startsAt, scheduledEnd: endsAt, videoLink: input.videoLink, scheduledBy: ctx.actor.userId || null, scheduledByName: actorName, scheduledAt: now },
        detail: { startsAt: input.startsAt, endsAt: input.endsAt, videoLink: input.videoLink, note: input.note ?? null, rescheduled: moved },
        notify: [
          { userIds: requester, kind: 'consultation-scheduled', title: moved ? '远程会诊已改期' : '远程会诊已安排', body },
          { userIds: active.map((e) => e.userId), kind: 'consultation-scheduled', title: moved ? '远程会诊已改期' : '远程会诊已安排', body },
        ],
      };
    });
  }

  async start(ctx: RequestContext, id: string): Promise<ConsultationDto> {
    return this.move(ctx, id, 'start', {}, async ({ now }) => ({ set: { startedAt: now } }));
  }

  /** An invited expert records an opinion (append-only; writing one is accepting the invitation). The requester is told. */
  async recordOpinion(ctx: RequestContext, id: string, input: OpinionInput): Promise<ConsultationDto> {
    return this.move(ctx, id, 'opinion', {}, async ({ row, repo, dx, now, actorName }) => {
      const expert = (await repo.experts(id)).find((e) => e.userId === ctx.actor.userId && activeExpertStates.includes(e.state))!;
      if (expert.state === 'invited') await repo.updateExpert(expert.id, { state: 'accepted', respondedAt: now });
      const opinionId = newId();
      await repo.insertOpinion({ id: opinionId, requestId: id, expertId: expert.id, authorUserId: ctx.actor.userId, authorName: actorName, specialty: expert.specialty, opinion: input.opinion, recommendations: input.recommendations ?? null, at: now });
      return {
        detail: { opinionId, expertId: expert.id },
        notify: [{ userIds: await this.requesterRecipients(dx, row), kind: 'consultation-opinion', title: '会诊专家已填写意见', body: `${actorName} 已填写 ${row.number}（${row.examType}）的会诊意见，请查阅并记录最终诊疗决定。` }],
      };
    });
  }

  /** The requesting side records the final decision (the inviting doctor keeps the responsibility); the experts are told. */
  async conclude(ctx: RequestContext, id: string, input: ConclusionInput): Promise<ConsultationDto> {
    return this.move(ctx, id, 'conclude', { decision: input.decision }, async ({ row, repo, now, actorName }) => ({
      set: { decision: input.decision, decisionBy: ctx.actor.userId || null, decisionByName: actorName, decidedAt: now },
      request: { completedAt: now },
      notify: [{ userIds: await repo.activeExpertUserIds(id), kind: 'consultation-concluded', title: '远程会诊已完成', body: `${row.number}（${row.examType}）：申请医生已记录最终诊疗决定。` }],
    }));
  }

  async cancel(ctx: RequestContext, id: string, reason: string): Promise<ConsultationDto> {
    return this.move(ctx, id, 'cancel', { reason }, async ({ row, repo }) => ({
      request: { cancelReason: reason },
      notify: [{ userIds: await repo.activeExpertUserIds(id), kind: 'consultation-cancelled', title: '远程会诊已撤销', body: `${row.number}（${row.examType}）已被申请方撤销：${reason}` }],
    }));
  }

  /** The center declines (no expert of the specialty, outside its scope …) with a reason; that is its response. */
  async decline(ctx: RequestContext, id: string, reason: string): Promise<ConsultationDto> {
    return this.move(ctx, id, 'decline', { reason }, async ({ row, repo, dx }) => ({
      set: { declineReason: reason },
      request: { cancelReason: reason },
      notify: [
        { userIds: await this.requesterRecipients(dx, row), kind: 'consultation-declined', title: '远程会诊申请被拒绝', body: `会诊中心拒绝了 ${row.number}（${row.examType}）：${reason}` },
        { userIds: await repo.activeExpertUserIds(id), kind: 'consultation-cancelled', title: '远程会诊已取消', body: `${row.number}（${row.examType}）已被会诊中心拒绝：${reason}` },
      ],
    }));
  }

  /**
   * One move inside one transaction: lock the request row, decide with the table under the lock, let the action add
   * its changes, write detail + request row + timeline + audit, move the clock, notify.
   */
  private async move(ctx: RequestContext, id: string, action: ConsultationAction, texts: { reason?: string | undefined; decision?: string | undefined }, apply: Apply): Promise<ConsultationDto> {
    // Refused access is audited outside the transaction (which would roll the audit row back).
    await this.loadForActor(ctx, id, 'update');
    const now = ctx.clock.now();
    const actorName = await this.actorName(ctx);
    const facts = await this.actorFacts(ctx);
    await this.repo.transaction(async (repo, tx) => {
      const dx = new DiagnosisRepository(tx);
      const row = await dx.requestForUpdate(id);
      const c = await repo.consultationOf(id);
      if (!row || !c) throw notFound(`远程会诊 ${id} 不存在`);
      // Recomputed under the lock: the panel may have changed since the first read.
      const parties = consultationPartiesOf(facts, { ...row, activeExpertUserIds: await repo.activeExpertUserIds(id) });
      const decision = decideConsultation(c.status, action, parties, texts);
      throwIfRefused(decision);
      const to = (decision as { ok: true; to: ConsultationStatus }).to;
      const effect = await apply({ row, c, repo, dx, tx, now, to, actorName });
      await repo.updateConsultation(id, { status: to, updatedAt: now, ...effect.set });
      await dx.updateRequest(id, { status: requestStatusOf(to), updatedAt: now, ...effect.request });
      await repo.insertEvents([{
        id: newId(), requestId: id, at: now, action, fromStatus: c.status, toStatus: to, actorUserId: ctx.actor.userId || null, actorName,
        reason: texts.reason?.trim() || null, detail: effect.detail ?? null,
      }]);
      await this.deps.audit.record(ctx, [{ action: 'update', resourceType: 'DiagnosisConsultation', resourceId: id, patientId: row.patientId, basis: this.basisOf(parties), outcome: 'allowed', detail: { action, from: c.status, to } }], tx);
      await this.moveClock(tx, id, action, c.status, now);
      for (const [i, n] of (effect.notify ?? []).entries()) {
        if (n.userIds.length === 0) continue;
        await this.deps.notifications.notifyUsers(tx, {
          userIds: n.userIds, kind: n.kind, title: n.title, body: n.body, subjectType: DIAGNOSIS_SUBJECT, subjectId: id, link: linkOf(id),
          dedupeKey: `consultation:${id}:${action}:${c.version}:${i}`, at: now,
        });
      }
    });
    return this.get(ctx, id, { audit: false });
  }

  /**
   * The response clock (`consultation-respond`) runs from the request until the center answers: scheduling meets it, so
   * does declining (a refusal is an answer); the requester's cancellation cancels it.
   */
  private async moveClock(tx: Db, id: string, action: ConsultationAction, from: ConsultationStatus, at: Date): Promise<void> {
    const d = this.deps.deadlines;
    if ((action === 'schedule' || action === 'decline') && from === 'requested') await d.meet(tx, DIAGNOSIS_SUBJECT, id, CONSULTATION_RESPOND_STEP, at);
    else if (action === 'cancel' || action === 'decline') await d.cancelAll(tx, DIAGNOSIS_SUBJECT, id, at);
    else return;
    // The request row carries the running clock's due time (DiagnosisRepository.syncDueAt): it moves with the clock.
    await new DiagnosisRepository(tx).syncDueAt(id);
  }

  /** Read through the transaction's repository (PGlite has one connection: the base handle would wait on the open transaction). */
  private async requesterRecipients(dx: DiagnosisRepository, row: RequestRow): Promise<string[]> {
    return row.requesterUserId ? [row.requesterUserId] : dx.userIdsAt(row.requesterOrganizationId, requesterRoles);
  }

  /** Readers of the center on shift now; else every active reader (a message to the center never goes nowhere). */
  private async poolOnDuty(dx: DiagnosisRepository, centerId: string, now: Date): Promise<string[]> {
    const onDuty = onDutyAt((await dx.shifts(centerId, now, new Date(now.getTime() + 1))).filter((s) => s.readerActive), now).map((s) => s.userId);
    return onDuty.length ? [...new Set(onDuty)] : dx.activeReaderUserIds(centerId);
  }

  // ---- DTO

  private async toDto(ctx: RequestContext, row: RequestRow, c: ConsultationRow, parties: readonly ConsultationParty[]): Promise<ConsultationDto> {
    const [center, patient, orgNames, live, experts, opinions] = await Promise.all([
      this.dx.centerById(row.centerId),
      this.dx.patient(row.patientId),
      this.dx.organizationNames([row.centerOrganizationId, row.requesterOrganizationId]),
      this.deps.deadlines.liveFor(this.db, DIAGNOSIS_SUBJECT, [row.id]),
      this.repo.experts(row.id),
      this.repo.opinions(row.id),
    ]);
    const mine = experts.find((e) => e.userId === ctx.actor.userId);
    const allowed = allowedConsultationActions(c.status, parties).filter((a) => {
      if (a === 'accept-invitation') return mine?.state === 'invited';
      if (a === 'decline-invitation') return !!mine && activeExpertStates.includes(mine.state) && !opinions.some((o) => o.expertId === mine.id);
      if (a === 'remove-expert') return experts.some((e) => activeExpertStates.includes(e.state));
      return true;
    });
    const d = live.get(row.id);
    const deadline: DeadlineViewDto | null = d ? { step: d.step, dueAt: d.dueAt.toISOString(), state: d.state, overdue: d.overdueAt != null, escalationLevel: d.escalationLevel } : null;
    return {
      id: row.id, number: row.number, status: c.status, kind: c.kind, urgency: row.urgency, specialty: c.specialty,
      center: { id: row.centerId, name: center?.name ?? '', organizationId: row.centerOrganizationId, organizationName: orgNames.get(row.centerOrganizationId) ?? '' },
      requester: { organizationId: row.requesterOrganizationId, organizationName: orgNames.get(row.requesterOrganizationId) ?? '', userId: row.requesterUserId, userName: row.requesterName },
      patient: { id: row.patientId, name: patient?.name ?? '', sex: patient?.sex ?? '', birthDate: patient?.birthDate ?? '' },
      purpose: row.clinicalQuestion, clinicalSummary: row.clinicalSummary, preferredAt: iso(c.preferredAt),
      schedule: c.scheduledStart && c.scheduledEnd
        ? { startsAt: c.scheduledStart.toISOString(), endsAt: c.scheduledEnd.toISOString(), videoLink: c.videoLink ?? '', scheduledByName: c.scheduledByName ?? '', scheduledAt: iso(c.scheduledAt) ?? '' }
        : null,
      startedAt: iso(c.startedAt),
      consent: { signer: c.consentSigner, signerName: c.consentSignerName, signedAt: c.consentSignedAt.toISOString(), formReference: c.consentFormReference, recordedByName: c.consentRecordedByName, recordedAt: c.consentRecordedAt.toISOString() },
      experts: experts.map((e: ExpertRow & { name: string }) => ({ id: e.id, userId: e.userId, name: e.name, role: e.role, specialty: e.specialty, state: e.state, reason: e.reason, invitedAt: e.invitedAt.toISOString(), respondedAt: iso(e.respondedAt) })),
      opinions: opinions.map((o) => ({ id: o.id, expertUserId: o.authorUserId, expertName: o.authorName, specialty: o.specialty, opinion: o.opinion, recommendations: o.recommendations, at: o.at.toISOString() })),
      decision: c.decision ? { text: c.decision, byName: c.decisionByName ?? '', at: iso(c.decidedAt) ?? '' } : null,
      declineReason: c.declineReason, cancelReason: c.status === 'cancelled' ? row.cancelReason : null,
      deadline, submittedAt: row.submittedAt.toISOString(), completedAt: iso(row.completedAt), version: c.version, allowedActions: allowed,
    };
  }
}

function throwIfRefused(decision: ConsultationDecision): void {
  if (decision.ok) return;
  if (decision.reason === 'missing') throw invalid(decision.message, decision.field);
  if (decision.reason === 'not-party') throw forbidden(decision.message);
  throw new AppError('conflict', decision.message);
}

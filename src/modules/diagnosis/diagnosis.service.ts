import type { Db } from '../../db/client.js';
import type { AccessBasis, EscalationRung } from '../../contracts/codes.js';
import { urgencies } from '../../contracts/codes.js';
import {
  modalitiesByCenterType, openDiagnosisStatuses, releasedReportStatuses,
  type AcknowledgeInput, type AmendInput, type AttachmentDto, type AttachmentKind, type CenterDeadlineDto, type CenterDeadlineInput,
  type CenterDto, type CenterInput, type CenterPatch, type CriticalValueDto, type DeadlineViewDto, type DiagnosisEventDto,
  type DiagnosisListItemDto, type DiagnosisListQuery, type EcgTraceDto, type ImagingDto, type LabAnalyteDto, type LabDto, type LabResultDto, type LabResultInput,
  type PatientDiagnosisReportDto, type SpecimenDto, type SpecimensInput, type DiagnosisRequestDto, type DiagnosisRequestInput, type DiagnosisStatus,
  type QcInput, type ReaderDto, type ReaderInput, type ReaderPatch, type ReportDto, type ReportInput, type ShiftDto, type ShiftInput,
  type TemplateDto, type TemplateInput, type TemplatePatch,
} from '../../contracts/diagnosis.js';
import type { CriticalBoardItemDto, CriticalBoardQuery, MyCentersDto } from '../../contracts/diagnosis.js';
import type { RequestContext } from '../../shared/context.js';
import { hasRole } from '../../shared/context.js';
import { shanghaiDate } from '../../shared/clock.js';
import { AppError, conflict, forbidden, invalid, notFound } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import type { Page } from '../../shared/pagination.js';
import type { AuditService } from '../audit/index.js';
import type { DeadlineService } from '../deadline/index.js';
import type { NetworkService } from '../network/index.js';
import { isUniqueViolation } from '../network/index.js';
import type { NotificationService } from '../notification/index.js';
import type { PatientService } from '../patient/index.js';
import {
  CRITICAL_ACK_STEP, allowedActions, attachmentKindProblem, centerTypeLabels, chooseReader, decideTransition, onDutyAt,
  partiesOf, reportStepOf, reportText, requestNumber, requesterRoles, shiftProblem, signOffProblem, statusLabels,
  type ActorFacts, type Party, type TableAction,
} from './diagnosis.rules.js';
import {
  DiagnosisRepository, type AttachmentRow, type CenterRow, type CriticalRow, type LabResultRow, type ReportRow, type RequestInsert, type RequestRow, type SpecimenRow,
} from './diagnosis.repository.js';
import type { FhirRequestFilter } from './diagnosis.repository.js';
import type { BlobStorage } from './diagnosis.storage.js';
import {
  ecgTraceOf, imagingOf, parseStoredEcg, readAttachmentMeta, renderAttachmentThumbnail, storedAttachmentMeta, thumbnailAbsence,
} from './attachment-media.js';
import { previewMaxSize, slideDecodeProblem, slideIsDecodable, slidePreview as renderSlidePreview } from './slide-image.js';
import { maxSpecimensPerRequest, requestSerialOf, specimenBarcode } from './lab-barcode.js';
import { renderSpecimenLabels } from './lab-label.pdf.js';
import { evaluateLabResult, labAnalytes, labCriticalFinding, labFindingsText, labRangeProblem, numericValue } from './lab-results.js';
import { renderDiagnosisReport } from './diagnosis-report.pdf.js';

/** Subject type of the diagnosis module's deadlines (report turnaround and critical-value acknowledgement). */
export const DIAGNOSIS_SUBJECT = 'diagnosis';

export interface DiagnosisServiceDeps {
  network: Pick<NetworkService, 'allianceMatesOn' | 'membersOfAlliancesLedBy'>;
  patients: Pick<PatientService, 'get'>;
  audit: Pick<AuditService, 'record'>;
  deadlines: Pick<DeadlineService, 'start' | 'meet' | 'cancelAll' | 'pause' | 'resume' | 'liveFor' | 'registerSubject' | 'listPolicies' | 'upsertPolicy' | 'deletePolicyOverride'>;
  notifications: Pick<NotificationService, 'notifyUsers'>;
  storage: BlobStorage;
}

const iso = (d: Date | string | null | undefined): string | null => (d == null ? null : new Date(d).toISOString());
const rungLabels: Record<EscalationRung, string> = { assigned: '诊断医师', 'department-head': '当班组长', 'referral-desk': '医院总值班', 'alliance-office': '医共体办公室' };
const worklistStatuses: readonly DiagnosisStatus[] = ['requested', 'in-progress', 'preliminary', 'awaiting-signoff'];
/** The requester may add files until a report is released (a retake after a QC return included). */
const openForUpload: readonly DiagnosisStatus[] = ['requested', 'returned', 'in-progress'];
/** Thumbnails are drawn once at this size (longer side) and kept under this name beside the source. */
const thumbnailMaxSize = 256;
const thumbnailVariant = `thumbnail-${thumbnailMaxSize}.png`;
/** A TIFF slide's preview (browsers do not draw TIFF), kept the same way. */
const slidePreviewVariant = `preview-${previewMaxSize}.jpg`;

/**
 * Shared diagnosis centers (资源共享中心, domain.md §3): centers with readers, roster and templates; requests from
 * member facilities on a worklist ordered by deadline; exclusive claims; image QC; reports with second-reader sign-off
 * and append-only versions; critical values with read-back acknowledgement. Every state change writes the row, a
 * timeline event, an audit row, the deadline move and the notifications in one transaction.
 */
export class DiagnosisService {
  private readonly repo: DiagnosisRepository;
  private readonly factsCache = new WeakMap<RequestContext, Promise<ActorFacts>>();

  constructor(
    private readonly db: Db,
    private readonly deps: DiagnosisServiceDeps,
  ) {
    this.repo = new DiagnosisRepository(db);
    deps.deadlines.registerSubject({
      subjectType: DIAGNOSIS_SUBJECT,
      recipientsFor: (tx, d, rung) => this.escalationRecipients(new DiagnosisRepository(tx), d, rung),
      describe: (tx, d) => this.describeDeadline(new DiagnosisRepository(tx), d),
      onFired: (tx, d, level, rung, at) => this.recordFired(new DiagnosisRepository(tx), d, level, rung, at),
    });
  }

  // ---- who is acting

  private actorFacts(ctx: RequestContext): Promise<ActorFacts> {
    let f = this.factsCache.get(ctx);
    if (!f) {
      f = (async () => {
        const [readerCenterIds, dutyHeadCenterIds] = await Promise.all([
          this.repo.readerCenterIdsOf(ctx.actor.userId),
          this.repo.dutyHeadCenterIdsOf(ctx.actor.userId, ctx.clock.now()),
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
    return (await this.repo.userName(ctx.actor.userId))?.displayName ?? ctx.actor.username;
  }

  /** Center administration: system administrators, or alliance administrators of an alliance the host belongs to. */
  private async guardCenterAdmin(ctx: RequestContext, hostOrganizationId: string): Promise<void> {
    if (hasRole(ctx.actor, 'system-admin')) return;
    if (!hasRole(ctx.actor, 'alliance-admin') || !ctx.actor.organizationId) throw forbidden('只有系统管理员或医共体管理员可以管理诊断中心');
    const administered = await this.deps.network.membersOfAlliancesLedBy(ctx.actor.organizationId, shanghaiDate(ctx.clock.now()));
    if (!administered.includes(hostOrganizationId)) throw forbidden('无权管理该诊断中心：其所属机构不在本机构牵头的医共体内');
  }

  private async requireCenter(id: string, path?: string): Promise<CenterRow> {
    const c = await this.repo.centerById(id);
    if (!c) throw path ? invalid(`诊断中心 ${id} 不存在`, path) : notFound(`诊断中心 ${id} 不存在`);
    return c;
  }

  /** Facilities the center serves today: its host's county community, or its explicit list. */
  async servedOrganizationIds(center: CenterRow, at: Date): Promise<string[]> {
    if (center.memberMode === 'listed') return [...((await this.repo.membersOf([center.id])).get(center.id) ?? []), center.organizationId];
    return this.deps.network.allianceMatesOn(center.organizationId, shanghaiDate(at), ['county-community']);
  }

  // ---- centers

  async listCenters(_ctx: RequestContext, q: { organizationId?: string | undefined } = {}): Promise<CenterDto[]> {
    const rows = await this.repo.centers(q.organizationId ? { organizationIds: [q.organizationId] } : {});
    return this.centerDtos(rows);
  }

  async getCenter(_ctx: RequestContext, id: string): Promise<CenterDto> {
    return (await this.centerDtos([await this.requireCenter(id)]))[0]!;
  }

  async createCenter(ctx: RequestContext, input: CenterInput): Promise<CenterDto> {
    await this.guardCenterAdmin(ctx, input.organizationId);
    const org = await this.repo.organization(input.organizationId);
    if (!org) throw invalid(`机构 ${input.organizationId} 不存在`, 'organizationId');
    const members = await this.checkMembers(input.memberMode, input.memberOrganizationIds);
    const now = ctx.clock.now();
    const id = newId();
    try {
      await this.repo.transaction(async (repo, tx) => {
        await repo.insertCenter({
          id, organizationId: org.id, type: input.type, name: input.name, requiresSecondSignoff: input.requiresSecondSignoff, memberMode: input.memberMode,
          reportHeader: input.reportHeader ?? null, phone: input.phone ?? null, createdAt: now, updatedAt: now,
        });
        await repo.setMembers(id, members);
        await this.deps.audit.record(ctx, [{ action: 'create', resourceType: 'DiagnosisCenter', resourceId: id, basis: 'administration', outcome: 'allowed', detail: { type: input.type, organizationId: org.id } }], tx);
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict(`${org.name}已有${centerTypeLabels[input.type]}中心：每个机构每类中心只设一个`);
      throw e;
    }
    return this.getCenter(ctx, id);
  }

  async updateCenter(ctx: RequestContext, id: string, patch: CenterPatch): Promise<CenterDto> {
    const center = await this.requireCenter(id);
    await this.guardCenterAdmin(ctx, center.organizationId);
    const mode = patch.memberMode ?? center.memberMode;
    const members = patch.memberOrganizationIds !== undefined || patch.memberMode !== undefined
      ? await this.checkMembers(mode, patch.memberOrganizationIds ?? (await this.repo.membersOf([id])).get(id) ?? [])
      : null;
    await this.repo.transaction(async (repo, tx) => {
      await repo.updateCenter(id, {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.requiresSecondSignoff !== undefined ? { requiresSecondSignoff: patch.requiresSecondSignoff } : {}),
        ...(patch.memberMode !== undefined ? { memberMode: patch.memberMode } : {}),
        ...(patch.reportHeader !== undefined ? { reportHeader: patch.reportHeader } : {}),
        ...(patch.phone !== undefined ? { phone: patch.phone } : {}),
        ...(patch.active !== undefined ? { active: patch.active } : {}),
        updatedAt: ctx.clock.now(),
      });
      if (members) await repo.setMembers(id, members);
      await this.deps.audit.record(ctx, [{ action: 'update', resourceType: 'DiagnosisCenter', resourceId: id, basis: 'administration', outcome: 'allowed', detail: { ...patch } }], tx);
    });
    return this.getCenter(ctx, id);
  }

  private async checkMembers(mode: 'alliance' | 'listed', ids: readonly string[]): Promise<string[]> {
    const unique = [...new Set(ids)];
    if (mode === 'alliance') return [];
    if (unique.length === 0) throw invalid('按名单服务的中心须列出服务的机构', 'memberOrganizationIds');
    const existing = new Set(await this.repo.existingOrganizationIds(unique));
    const missing = unique.findIndex((x) => !existing.has(x));
    if (missing >= 0) throw invalid(`机构 ${unique[missing]} 不存在`, `memberOrganizationIds[${missing}]`);
    return unique;
  }

  private async centerDtos(rows: CenterRow[]): Promise<CenterDto[]> {
    const [members, names] = await Promise.all([this.repo.membersOf(rows.map((r) => r.id)), this.repo.organizationNames(rows.map((r) => r.organizationId))]);
    return rows.map((c) => ({
      id: c.id, organizationId: c.organizationId, organizationName: names.get(c.organizationId) ?? '', type: c.type, name: c.name,
      requiresSecondSignoff: c.requiresSecondSignoff, memberMode: c.memberMode, memberOrganizationIds: members.get(c.id) ?? [],
      reportHeader: c.reportHeader, phone: c.phone, active: c.active, version: c.version, createdAt: c.createdAt.toISOString(), updatedAt: c.updatedAt.toISOString(),
    }));
  }

  // ---- readers

  async listReaders(_ctx: RequestContext, centerId: string): Promise<ReaderDto[]> {
    await this.requireCenter(centerId);
    return (await this.repo.readersOf(centerId)).map((r) => ({ id: r.id, centerId: r.centerId, userId: r.userId, displayName: r.displayName, practitionerId: r.practitionerId, specialties: r.specialties, active: r.active }));
  }

  async addReader(ctx: RequestContext, centerId: string, input: ReaderInput): Promise<ReaderDto> {
    const center = await this.requireCenter(centerId);
    await this.guardCenterAdmin(ctx, center.organizationId);
    const user = await this.repo.userName(input.userId);
    if (!user || !user.active) throw invalid(`用户 ${input.userId} 不存在或已停用`, 'userId');
    if (user.organizationId !== center.organizationId) throw invalid('诊断医师须是中心所属机构的人员', 'userId');
    const id = newId();
    try {
      await this.repo.transaction(async (repo, tx) => {
        await repo.insertReader({ id, centerId, userId: user.id, specialties: [...new Set(input.specialties)], createdAt: ctx.clock.now() });
        await this.deps.audit.record(ctx, [{ action: 'create', resourceType: 'DiagnosisReader', resourceId: id, basis: 'administration', outcome: 'allowed', detail: { centerId, userId: user.id } }], tx);
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict(`${user.displayName} 已是该中心的诊断医师`);
      throw e;
    }
    return (await this.listReaders(ctx, centerId)).find((r) => r.id === id)!;
  }

  async updateReader(ctx: RequestContext, centerId: string, readerId: string, patch: ReaderPatch): Promise<ReaderDto> {
    const center = await this.requireCenter(centerId);
    await this.guardCenterAdmin(ctx, center.organizationId);
    const reader = await this.repo.readerById(readerId);
    if (!reader || reader.centerId !== centerId) throw notFound(`诊断医师 ${readerId} 不在该中心`);
    await this.repo.transaction(async (repo, tx) => {
      await repo.updateReader(readerId, { ...(patch.specialties ? { specialties: [...new Set(patch.specialties)] } : {}), ...(patch.active !== undefined ? { active: patch.active } : {}) });
      await this.deps.audit.record(ctx, [{ action: 'update', resourceType: 'DiagnosisReader', resourceId: readerId, basis: 'administration', outcome: 'allowed', detail: { ...patch } }], tx);
    });
    return (await this.listReaders(ctx, centerId)).find((r) => r.id === readerId)!;
  }

  // ---- roster

  async roster(ctx: RequestContext, centerId: string, from: string, to: string): Promise<ShiftDto[]> {
    await this.requireCenter(centerId);
    if (to < from) throw invalid('结束日期不能早于开始日期', 'to');
    const start = new Date(`${from}T00:00:00+08:00`);
    const end = new Date(new Date(`${to}T00:00:00+08:00`).getTime() + 86_400_000);
    if (end.getTime() - start.getTime() > 62 * 86_400_000) throw invalid('一次最多查询 62 天的排班', 'to');
    return (await this.repo.shifts(centerId, start, end)).map((s) => ({
      id: s.id, centerId: s.centerId, readerId: s.readerId, userId: s.userId, readerName: s.readerName, date: s.day, startsAt: s.startsAt.toISOString(), endsAt: s.endsAt.toISOString(), role: s.role,
    }));
  }

  async addShift(ctx: RequestContext, centerId: string, input: ShiftInput): Promise<ShiftDto> {
    const center = await this.requireCenter(centerId);
    await this.guardCenterAdmin(ctx, center.organizationId);
    const reader = await this.repo.readerById(input.readerId);
    if (!reader || reader.centerId !== centerId) throw invalid('该诊断医师不属于本中心', 'readerId');
    if (!reader.active) throw invalid('该诊断医师已停用', 'readerId');
    const startsAt = new Date(input.startsAt);
    const endsAt = new Date(input.endsAt);
    const problem = shiftProblem({ date: input.date, startsAt, endsAt }, shanghaiDate);
    if (problem) throw invalid(problem.message, problem.field);
    const overlapping = (await this.repo.shifts(centerId, startsAt, endsAt)).find((s) => s.readerId === reader.id);
    if (overlapping) throw conflict(`该医师在 ${overlapping.startsAt.toISOString()} 起已有班次，与新班次重叠`);
    const id = newId();
    await this.repo.transaction(async (repo, tx) => {
      await repo.insertShift({ id, centerId, readerId: reader.id, day: input.date, startsAt, endsAt, role: input.role, createdAt: ctx.clock.now() });
      await this.deps.audit.record(ctx, [{ action: 'create', resourceType: 'DiagnosisShift', resourceId: id, basis: 'administration', outcome: 'allowed', detail: { centerId, readerId: reader.id, date: input.date, role: input.role } }], tx);
    });
    return (await this.roster(ctx, centerId, input.date, input.date)).find((s) => s.id === id)!;
  }

  async removeShift(ctx: RequestContext, centerId: string, shiftId: string): Promise<void> {
    const center = await this.requireCenter(centerId);
    await this.guardCenterAdmin(ctx, center.organizationId);
    const shift = await this.repo.shiftById(shiftId);
    if (!shift || shift.centerId !== centerId) throw notFound(`班次 ${shiftId} 不在该中心`);
    await this.repo.transaction(async (repo, tx) => {
      await repo.deleteShift(shiftId);
      await this.deps.audit.record(ctx, [{ action: 'update', resourceType: 'DiagnosisShift', resourceId: shiftId, basis: 'administration', outcome: 'allowed', detail: { removed: true, centerId } }], tx);
    });
  }

  // ---- templates

  async listTemplates(_ctx: RequestContext, centerId: string, examType?: string): Promise<TemplateDto[]> {
    await this.requireCenter(centerId);
    return (await this.repo.templates(centerId, examType)).map(toTemplateDto);
  }

  async addTemplate(ctx: RequestContext, centerId: string, input: TemplateInput): Promise<TemplateDto> {
    const center = await this.requireCenter(centerId);
    await this.guardCenterAdmin(ctx, center.organizationId);
    if (input.modality && !modalitiesByCenterType[center.type].includes(input.modality)) throw invalid(`${centerTypeLabels[center.type]}中心没有 ${input.modality} 检查`, 'modality');
    const id = newId();
    await this.repo.transaction(async (repo, tx) => {
      await repo.insertTemplate({ id, centerId, examType: input.examType, modality: input.modality ?? null, name: input.name, findings: input.findings, impression: input.impression, createdAt: ctx.clock.now() });
      await this.deps.audit.record(ctx, [{ action: 'create', resourceType: 'DiagnosisTemplate', resourceId: id, basis: 'administration', outcome: 'allowed', detail: { centerId } }], tx);
    });
    return toTemplateDto((await this.repo.templateById(id))!);
  }

  async updateTemplate(ctx: RequestContext, centerId: string, templateId: string, patch: TemplatePatch): Promise<TemplateDto> {
    const center = await this.requireCenter(centerId);
    await this.guardCenterAdmin(ctx, center.organizationId);
    const t = await this.repo.templateById(templateId);
    if (!t || t.centerId !== centerId) throw notFound(`报告模板 ${templateId} 不在该中心`);
    if (patch.modality && !modalitiesByCenterType[center.type].includes(patch.modality)) throw invalid(`${centerTypeLabels[center.type]}中心没有 ${patch.modality} 检查`, 'modality');
    const updated = await this.repo.transaction(async (repo, tx) => {
      const row = await repo.updateTemplate(templateId, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)));
      await this.deps.audit.record(ctx, [{ action: 'update', resourceType: 'DiagnosisTemplate', resourceId: templateId, basis: 'administration', outcome: 'allowed' }], tx);
      return row!;
    });
    return toTemplateDto(updated);
  }

  // ---- turnaround settings (the deadline engine's per-organization overrides)

  /** The center's report time limit per urgency: the host organization's override, else the platform default. */
  async centerDeadlines(ctx: RequestContext, centerId: string): Promise<CenterDeadlineDto[]> {
    const center = await this.requireCenter(centerId);
    const step = reportStepOf[center.type];
    const [defaults, overrides] = await Promise.all([
      this.deps.deadlines.listPolicies(ctx, { subjectType: DIAGNOSIS_SUBJECT, organizationId: 'default' }),
      this.deps.deadlines.listPolicies(ctx, { subjectType: DIAGNOSIS_SUBJECT, organizationId: center.organizationId }),
    ]);
    return urgencies.flatMap((urgency) => {
      const own = overrides.find((p) => p.step === step && p.urgency === urgency);
      const def = defaults.find((p) => p.step === step && p.urgency === urgency);
      const p = own ?? def;
      return p ? [{ step, urgency, minutes: p.minutes, calendarId: p.calendarId, source: own ? ('center' as const) : ('default' as const), policyId: p.id }] : [];
    });
  }

  /** Sets the center's time limit for one urgency, as the host's override of the platform default (same ladder). */
  async setCenterDeadline(ctx: RequestContext, centerId: string, input: CenterDeadlineInput): Promise<CenterDeadlineDto[]> {
    const center = await this.requireCenter(centerId);
    await this.guardCenterAdmin(ctx, center.organizationId);
    const step = reportStepOf[center.type];
    const current = (await this.deps.deadlines.listPolicies(ctx, { subjectType: DIAGNOSIS_SUBJECT, organizationId: center.organizationId })).find((p) => p.step === step && p.urgency === input.urgency)
      ?? (await this.deps.deadlines.listPolicies(ctx, { subjectType: DIAGNOSIS_SUBJECT, organizationId: 'default' })).find((p) => p.step === step && p.urgency === input.urgency);
    if (!current) throw invalid(`没有 ${step} / ${input.urgency} 的平台默认时限`, 'urgency');
    await this.deps.deadlines.upsertPolicy(ctx, { subjectType: DIAGNOSIS_SUBJECT, step, urgency: input.urgency, organizationId: center.organizationId, minutes: input.minutes, calendarId: input.calendarId, ladder: current.ladder });
    return this.centerDeadlines(ctx, centerId);
  }

  /** Returns the center to the platform default for one urgency. */
  async resetCenterDeadline(ctx: RequestContext, centerId: string, urgency: (typeof urgencies)[number]): Promise<CenterDeadlineDto[]> {
    const center = await this.requireCenter(centerId);
    await this.guardCenterAdmin(ctx, center.organizationId);
    const own = (await this.centerDeadlines(ctx, centerId)).find((d) => d.urgency === urgency && d.source === 'center');
    if (own) await this.deps.deadlines.deletePolicyOverride(ctx, own.policyId);
    return this.centerDeadlines(ctx, centerId);
  }

  // ---- requests

  /** A member facility's clinician requests a remote reading; the report deadline starts and the roster assigns it. */
  async createRequest(ctx: RequestContext, input: DiagnosisRequestInput): Promise<DiagnosisRequestDto> {
    const org = ctx.actor.organizationId;
    if (!org || !ctx.actor.roles.some((r) => requesterRoles.includes(r))) throw forbidden('只有医疗机构的医生可以申请远程诊断');
    const center = await this.requireCenter(input.centerId, 'centerId');
    if (!center.active) throw invalid(`诊断中心「${center.name}」已停用`, 'centerId');
    if (center.type === 'consultation') throw invalid('远程会诊请通过 /api/v1/diagnosis/consultations 申请（须登记患者知情同意）', 'centerId');
    if (!modalitiesByCenterType[center.type].includes(input.modality)) {
      throw invalid(`${centerTypeLabels[center.type]}中心不做 ${input.modality}；可选：${modalitiesByCenterType[center.type].join('、')}`, 'modality');
    }
    const now = ctx.clock.now();
    if (!(await this.servedOrganizationIds(center, now)).includes(org)) throw forbidden(`本机构不在「${center.name}」的服务范围内`);
    // Reading the patient checks access with the platform's one patient rule and audits the read.
    const patient = await this.deps.patients.get(ctx, input.patientId);
    const id = newId();
    const actorName = await this.actorName(ctx);
    await this.repo.transaction(async (repo, tx) => {
      const row: RequestInsert = {
        id, number: requestNumber(shanghaiDate(now), await repo.nextNumber()), kind: 'exam', status: 'requested', urgency: input.urgency,
        centerId: center.id, centerOrganizationId: center.organizationId, requesterOrganizationId: org, requesterUserId: ctx.actor.userId || null,
        requesterName: actorName, patientId: patient.id, countyCode: patient.residenceDivisionCode?.slice(0, 6) ?? null, modality: input.modality,
        examType: input.examType, bodyPart: input.bodyPart ?? null, clinicalQuestion: input.clinicalQuestion, clinicalSummary: input.clinicalSummary ?? null,
        submittedAt: now, createdAt: now, updatedAt: now,
      };
      await repo.insertRequest(row);
      await repo.insertEvents([{ id: newId(), requestId: id, at: now, action: 'submit', toStatus: 'requested', actorUserId: ctx.actor.userId || null, actorName, reason: null, detail: { centerId: center.id, modality: input.modality, urgency: input.urgency } }]);
      await this.deps.audit.record(ctx, [{ action: 'create', resourceType: 'DiagnosisRequest', resourceId: id, patientId: patient.id, basis: 'own-facility', outcome: 'allowed' }], tx);
      await this.deps.deadlines.start(tx, { subjectType: DIAGNOSIS_SUBJECT, subjectId: id, step: reportStepOf[center.type], urgency: input.urgency, organizationId: center.organizationId, at: now });
      await repo.syncDueAt(id);
      await this.autoAssign(repo, tx, (await repo.requestById(id))!, center, now, null);
    });
    return this.get(ctx, id, { audit: false });
  }

  /**
   * Roster-and-load assignment (chooseReader): the on-duty reader of the right specialty with the fewest open items.
   * The load is read, not locked: two requests at the same instant may land on the same reader — a suggestion only,
   * anyone on the roster may still claim an unassigned item and the duty head reassigns.
   */
  private async autoAssign(repo: DiagnosisRepository, tx: Db, row: RequestRow, center: CenterRow, now: Date, exclude: string | null): Promise<string | null> {
    const onDuty = onDutyAt((await repo.shifts(center.id, now, new Date(now.getTime() + 1))).filter((s) => s.readerActive), now);
    const byUser = new Map<string, string[]>();
    for (const s of onDuty) if (s.userId !== exclude) byUser.set(s.userId, s.specialties);
    const load = await repo.openLoad(center.id, [...byUser.keys()]);
    const chosen = chooseReader([...byUser].map(([userId, specialties]) => ({ userId, specialties, openItems: load.get(userId) ?? 0 })), row.modality);
    const label = `${row.number}（${row.examType}）`;
    const urgent = row.urgency === 'emergency' ? '【急诊】' : row.urgency === 'urgent' ? '【加急】' : '';
    if (chosen) {
      await repo.updateRequest(row.id, { assignedUserId: chosen, updatedAt: now });
      const names = await repo.userNames([chosen]);
      await repo.insertEvents([{ id: newId(), requestId: row.id, at: now, action: 'assign', fromStatus: row.status, toStatus: row.status, actorName: '系统', reason: `按排班与工作量分配给 ${names.get(chosen) ?? chosen}`, detail: { assignedUserId: chosen } }]);
    }
    const to = chosen ? [chosen] : onDuty.length ? [...new Set(onDuty.map((s) => s.userId))] : await repo.activeReaderUserIds(center.id);
    if (to.length) {
      await this.deps.notifications.notifyUsers(tx, {
        userIds: to, kind: 'diagnosis-request', title: `${urgent}新的远程诊断申请`, body: `申请单 ${label} 待${chosen ? '您' : '认领'}诊断。`,
        subjectType: DIAGNOSIS_SUBJECT, subjectId: row.id, link: `/diagnosis/requests/${row.id}`, dedupeKey: `diagnosis:${row.id}:queued:${row.version}`, at: now,
      });
    }
    return chosen;
  }

  private async loadForActor(ctx: RequestContext, id: string, auditAction: 'read' | 'update' = 'read'): Promise<{ row: RequestRow; parties: Party[] }> {
    const row = await this.repo.requestById(id);
    if (!row) throw notFound(`远程诊断申请 ${id} 不存在`);
    // A teleconsultation has its own lifecycle (ConsultationService): none of the reading moves apply to it.
    if (row.kind === 'consultation') throw notFound(`远程诊断申请 ${id} 不存在（远程会诊见 /api/v1/diagnosis/consultations/${id}）`);
    const parties = partiesOf(await this.actorFacts(ctx), row);
    if (parties.length === 0) {
      await this.deps.audit.record(ctx, [{ action: auditAction, resourceType: 'DiagnosisRequest', resourceId: id, patientId: row.patientId, basis: 'none', outcome: 'denied' }]);
      throw forbidden('无权查看该远程诊断申请：本机构不是申请方，您也不是该诊断中心的诊断医师');
    }
    return { row, parties };
  }

  private basisOf(parties: readonly Party[]): AccessBasis {
    return parties.includes('requester') ? 'own-facility' : 'diagnosis-request';
  }

  async get(ctx: RequestContext, id: string, opts: { audit?: boolean } = {}): Promise<DiagnosisRequestDto> {
    const { row, parties } = await this.loadForActor(ctx, id);
    if (opts.audit !== false) await this.deps.audit.record(ctx, [{ action: 'read', resourceType: 'DiagnosisRequest', resourceId: id, patientId: row.patientId, basis: this.basisOf(parties), outcome: 'allowed' }]);
    return this.toDto(row, parties);
  }

  async timeline(ctx: RequestContext, id: string): Promise<DiagnosisEventDto[]> {
    await this.loadForActor(ctx, id);
    return (await this.repo.events(id)).map((e) => ({ id: e.id, at: e.at.toISOString(), action: e.action, fromStatus: e.fromStatus, toStatus: e.toStatus, actorName: e.actorName, reason: e.reason, detail: e.detail ?? null }));
  }

  /** Worklists: a center's queue for its readers (overdue first, then soonest due), or the requester's own requests. */
  async list(ctx: RequestContext, q: DiagnosisListQuery): Promise<Page<DiagnosisListItemDto>> {
    const facts = await this.actorFacts(ctx);
    const statuses = q.status === undefined ? undefined : Array.isArray(q.status) ? q.status : [q.status];
    let scope: { requesterOrganizationIds: string[]; centerIds: string[] };
    if (q.view === 'worklist') {
      if (facts.readerCenterIds.size === 0) throw forbidden('只有诊断中心的诊断医师可以查看工作列表');
      if (q.centerId && !facts.readerCenterIds.has(q.centerId)) throw forbidden('您不是该诊断中心的诊断医师');
      scope = { requesterOrganizationIds: [], centerIds: q.centerId ? [q.centerId] : [...facts.readerCenterIds] };
    } else {
      if (!ctx.actor.organizationId || !ctx.actor.roles.some((r) => requesterRoles.includes(r))) throw forbidden('只有医疗机构的医生可以查看本机构的远程诊断申请');
      scope = { requesterOrganizationIds: [ctx.actor.organizationId], centerIds: [] };
    }
    const { rows, total } = await this.repo.list(
      {
        ...scope, centerId: q.centerId, statuses: statuses ?? (q.view === 'worklist' ? worklistStatuses : undefined), urgency: q.urgency, modality: q.modality,
        assignedTo: q.assigned === 'me' ? ctx.actor.userId : undefined, unassigned: q.assigned === 'unassigned', overdueOnly: q.overdue, asOf: ctx.clock.now(), patientId: q.patientId, q: q.q,
      },
      { offset: (q.page - 1) * q.pageSize, limit: q.pageSize },
    );
    if (rows.length) {
      await this.deps.audit.record(ctx, [{ action: 'search', resourceType: 'DiagnosisRequest', basis: q.view === 'worklist' ? 'diagnosis-request' : 'own-facility', outcome: 'allowed', detail: { view: q.view, count: rows.length, ids: rows.map((r) => r.id) } }]);
    }
    return {
      items: rows.map((r) => ({
        id: r.id, number: r.number, status: r.status, urgency: r.urgency, modality: r.modality, examType: r.exam_type, centerId: r.center_id, centerName: r.center_name,
        requesterOrganizationName: r.requester_name, patientId: r.patient_id, patientName: r.patient_name, assignedUserName: r.assigned_name, claimedByName: r.claimed_name,
        hasCriticalValue: r.has_critical, createdAt: iso(r.created_at)!, dueAt: iso(r.due_at), overdue: r.overdue_at != null, escalationLevel: r.escalation_level ?? 0,
      })),
      total, page: q.page, pageSize: q.pageSize,
    };
  }

  // ---- worklist moves

  /**
   * Claims a queued item: exclusive under concurrency by one conditional UPDATE (repository.claim). The loser learns who
   * holds it (409), never a silent success.
   */
  async claim(ctx: RequestContext, id: string): Promise<DiagnosisRequestDto> {
    const { row, parties } = await this.loadForActor(ctx, id, 'update');
    const decision = decideTransition(row.status, 'claim', parties);
    if (!decision.ok && decision.reason === 'not-party') throw forbidden(decision.message);
    const now = ctx.clock.now();
    const actorName = await this.actorName(ctx);
    await this.repo.transaction(async (repo, tx) => {
      const claimed = await repo.claim(id, ctx.actor.userId, now);
      if (!claimed) {
        const current = (await repo.requestById(id))!;
        const names = await repo.userNames([current.claimedBy, current.assignedUserId]);
        if (current.claimedBy) throw conflict(`该申请已被 ${names.get(current.claimedBy) ?? '其他医师'} 认领`, { claimedBy: current.claimedBy, status: current.status });
        if (current.status !== 'requested') throw conflict(`申请当前为「${statusLabels[current.status]}」（${current.status}），不能认领`, { status: current.status });
        throw conflict(`该申请已分配给 ${names.get(current.assignedUserId ?? '') ?? '其他医师'}，如需接手请当班组长改派`, { assignedUserId: current.assignedUserId, status: current.status });
      }
      await repo.insertEvents([{ id: newId(), requestId: id, at: now, action: 'claim', fromStatus: 'requested', toStatus: 'in-progress', actorUserId: ctx.actor.userId, actorName, reason: null, detail: null }]);
      await this.deps.audit.record(ctx, [{ action: 'update', resourceType: 'DiagnosisRequest', resourceId: id, patientId: row.patientId, basis: 'diagnosis-request', outcome: 'allowed', detail: { action: 'claim' } }], tx);
    });
    return this.get(ctx, id, { audit: false });
  }

  async release(ctx: RequestContext, id: string, reason?: string): Promise<DiagnosisRequestDto> {
    return this.move(ctx, id, 'release', { reason }, async () => ({ set: { claimedBy: null, claimedAt: null, assignedUserId: null } }));
  }

  /** The duty head gives an item to another reader of the center (any claim is dropped). */
  async reassign(ctx: RequestContext, id: string, input: { userId: string; reason?: string | undefined }): Promise<DiagnosisRequestDto> {
    return this.move(ctx, id, 'reassign', { reason: input.reason }, async (row, repo) => {
      const readers = await repo.readersOf(row.centerId);
      const target = readers.find((r) => r.userId === input.userId && r.active);
      if (!target) throw invalid('改派对象须是本中心在职的诊断医师', 'userId');
      return { set: { assignedUserId: target.userId, claimedBy: null, claimedAt: null }, detail: { from: row.claimedBy ?? row.assignedUserId, to: target.userId }, notify: [target.userId] };
    });
  }

  /** Image quality control: accept, or return to the requester for a retake with a reason (the clock pauses). */
  async qualityControl(ctx: RequestContext, id: string, input: QcInput): Promise<DiagnosisRequestDto> {
    if (input.decision === 'accept') return this.move(ctx, id, 'qc-accept', {}, async () => ({ set: { imageQuality: 'accepted' } }));
    return this.move(ctx, id, 'qc-return', { reason: input.reason }, async () => ({ set: { imageQuality: 'returned', returnReason: input.reason!, claimedBy: null, claimedAt: null } }));
  }

  /** The requester sends a returned request again (after the retake); the clock resumes and the roster assigns it. */
  async resubmit(ctx: RequestContext, id: string, note?: string): Promise<DiagnosisRequestDto> {
    return this.move(ctx, id, 'resubmit', { reason: note }, async (row) => ({ set: { imageQuality: null, resubmitCount: row.resubmitCount + 1 }, reassignAfter: true }));
  }

  async cancel(ctx: RequestContext, id: string, reason: string): Promise<DiagnosisRequestDto> {
    return this.move(ctx, id, 'cancel', { reason }, async () => ({ set: { cancelReason: reason, claimedBy: null, claimedAt: null } }));
  }

  /**
   * One move of the lifecycle inside one transaction: lock, decide with the table, let the action add its changes,
   * write row + timeline + audit, move the clock, notify.
   */
  private async move(
    ctx: RequestContext,
    id: string,
    action: TableAction,
    input: { reason?: string | undefined },
    apply: (row: RequestRow, repo: DiagnosisRepository, tx: Db, now: Date, to: DiagnosisStatus) => Promise<{ set?: Partial<RequestInsert>; detail?: Record<string, unknown>; notify?: string[]; reassignAfter?: boolean }>,
  ): Promise<DiagnosisRequestDto> {
    // Refused access is audited outside the transaction (which would roll the audit row back).
    await this.loadForActor(ctx, id, 'update');
    const now = ctx.clock.now();
    const actorName = await this.actorName(ctx);
    const facts = await this.actorFacts(ctx);
    await this.repo.transaction(async (repo, tx) => {
      const row = await repo.requestForUpdate(id);
      if (!row) throw notFound(`远程诊断申请 ${id} 不存在`);
      // Recomputed under the lock: a claim may have changed since the first read.
      const parties = partiesOf(facts, row);
      const center = (await repo.centerById(row.centerId))!;
      const released = action === 'signoff-return' ? (await this.releasedVersions(repo, row.id)).some((v) => v.status === 'preliminary') : false;
      const decision = decideTransition(row.status, action, parties, { reason: input.reason, requiresSecondSignoff: center.requiresSecondSignoff, preliminaryReleased: released });
      throwIfRefused(decision);
      const to = (decision as { ok: true; to: DiagnosisStatus }).to;
      const extra = await apply(row, repo, tx, now, to);
      const updated = await repo.updateRequest(row.id, { status: to, updatedAt: now, ...extra.set });
      await repo.insertEvents([{
        id: newId(), requestId: row.id, at: now, action, fromStatus: row.status, toStatus: to, actorUserId: ctx.actor.userId || null, actorName,
        reason: input.reason?.trim() || null, detail: extra.detail ?? null,
      }]);
      await this.deps.audit.record(ctx, [{ action: 'update', resourceType: 'DiagnosisRequest', resourceId: row.id, patientId: row.patientId, basis: this.basisOf(parties), outcome: 'allowed', detail: { action, from: row.status, to } }], tx);
      await this.moveClock(tx, row, updated, center, action, now);
      if (extra.reassignAfter) await this.autoAssign(repo, tx, updated, center, now, null);
      await this.notifyMove(repo, tx, updated, action, input.reason, now, extra.notify);
    });
    return this.get(ctx, id, { audit: false });
  }

  /** The report clock follows the request: paused while a retake is awaited, met by the final report, cancelled with it. */
  private async moveClock(tx: Db, before: RequestRow, after: RequestRow, center: CenterRow, action: TableAction, at: Date): Promise<void> {
    const d = this.deps.deadlines;
    const step = reportStepOf[center.type];
    if (action === 'qc-return') await d.pause(tx, DIAGNOSIS_SUBJECT, after.id, at);
    else if (action === 'resubmit') await d.resume(tx, DIAGNOSIS_SUBJECT, after.id, at);
    else if (after.status === 'cancelled') await d.cancelAll(tx, DIAGNOSIS_SUBJECT, after.id, at);
    else if (after.status === 'completed' && before.status !== 'completed') await d.meet(tx, DIAGNOSIS_SUBJECT, after.id, step, at);
    else return;
    // The worklist orders by the request row's copy of the running clock's due time: it moves with the clock.
    await new DiagnosisRepository(tx).syncDueAt(after.id);
  }

  private async notifyMove(repo: DiagnosisRepository, tx: Db, r: RequestRow, action: TableAction, reason: string | undefined, at: Date, extraRecipients?: string[]): Promise<void> {
    const label = `${r.number}（${r.examType}）`;
    const send = async (userIds: readonly string[], kind: string, title: string, body: string) => {
      if (userIds.length) {
        await this.deps.notifications.notifyUsers(tx, { userIds, kind, title, body, subjectType: DIAGNOSIS_SUBJECT, subjectId: r.id, link: `/diagnosis/requests/${r.id}`, dedupeKey: `diagnosis:${r.id}:${action}:${r.version}`, at });
      }
    };
    const requester = async () => (r.requesterUserId ? [r.requesterUserId] : repo.userIdsAt(r.requesterOrganizationId, requesterRoles));
    switch (action) {
      case 'qc-return': await send(await requester(), 'diagnosis-returned', '远程诊断申请被退回重拍', `申请单 ${label} 被诊断中心退回：${reason ?? ''}。请重新采集后再次提交。`); break;
      case 'preliminary': await send(await requester(), 'diagnosis-preliminary', '初步报告已出', `申请单 ${label} 已出具初步报告。`); break;
      case 'finalize':
        if (r.status === 'completed') await send(await requester(), 'diagnosis-report', '诊断报告已签发', `申请单 ${label} 的诊断报告已签发，请查阅。`);
        else await send((await repo.activeReaderUserIds(r.centerId)).filter((u) => u !== r.claimedBy), 'diagnosis-signoff', '报告待审核签发', `申请单 ${label} 的报告待第二位医师审核签发。`);
        break;
      case 'sign-off': await send(await requester(), 'diagnosis-report', '诊断报告已签发', `申请单 ${label} 的诊断报告已审核签发，请查阅。`); break;
      case 'signoff-return': if (r.claimedBy) await send([r.claimedBy], 'diagnosis-signoff-returned', '报告审核被退回', `申请单 ${label} 的报告被退回修改：${reason ?? ''}`); break;
      case 'amend': await send(await requester(), 'diagnosis-amended', '诊断报告已更正', `申请单 ${label} 的诊断报告已更正：${reason ?? ''}。请查阅最新版本。`); break;
      case 'reassign': await send(extraRecipients ?? [], 'diagnosis-request', '远程诊断申请改派给您', `申请单 ${label} 已由当班组长改派给您。`); break;
      case 'cancel': if (r.assignedUserId) await send([r.assignedUserId], 'diagnosis-cancelled', '远程诊断申请已撤销', `申请单 ${label} 已被申请方撤销：${reason ?? ''}`); break;
      default: break;
    }
  }

  // ---- attachments

  /**
   * Stores an attachment's bytes behind the storage interface; size and SHA-256 are computed here, never taken from the
   * client. The file is read first (DICOM header, ECG waveform, slide header — attachment-media.ts): a file that is not
   * what its kind says, or a DICOM of another modality, is refused with 400 before anything is stored.
   */
  async addAttachment(ctx: RequestContext, id: string, input: { kind: AttachmentKind; fileName: string; contentType: string }, bytes: Buffer): Promise<AttachmentDto> {
    const { row, parties } = await this.loadForActor(ctx, id, 'update');
    if (!parties.includes('requester')) throw forbidden('只有申请机构的医生可以上传检查资料');
    if (!openForUpload.includes(row.status)) throw conflict(`申请当前为「${statusLabels[row.status]}」（${row.status}），不能再上传资料`, { status: row.status });
    if (bytes.length === 0) throw invalid('上传的文件是空的', 'body');
    const center = (await this.repo.centerById(row.centerId))!;
    const problem = attachmentKindProblem(center.type, input.kind);
    if (problem) throw invalid(problem, 'kind');
    const meta = readAttachmentMeta(input.kind, bytes, input.fileName, row.modality);
    const stored = await this.deps.storage.put(bytes, { requestId: id });
    const now = ctx.clock.now();
    const attachmentId = newId();
    const actorName = await this.actorName(ctx);
    try {
      await this.repo.transaction(async (repo, tx) => {
        // The row lock serialises uploads to one request, so the duplicate check below cannot race another upload.
        const locked = await repo.requestForUpdate(id);
        if (!locked || !openForUpload.includes(locked.status)) throw conflict(`申请当前为「${statusLabels[locked?.status ?? row.status]}」，不能再上传资料`, { status: locked?.status ?? row.status });
        if (meta.kind === 'dicom') {
          const same = await repo.dicomAttachmentBySop(id, meta.sopInstanceUid);
          if (same) throw conflict(`该影像（SOP 实例 UID ${meta.sopInstanceUid}）已上传过：${same.fileName}`, { attachmentId: same.id });
        }
        await repo.insertAttachment({
          id: attachmentId, requestId: id, organizationId: row.requesterOrganizationId, kind: input.kind, fileName: input.fileName, contentType: input.contentType,
          sizeBytes: stored.sizeBytes, sha256: stored.sha256, storageKey: stored.key, meta, uploadedBy: ctx.actor.userId || null, uploadedByName: actorName, uploadedAt: now,
        });
        await repo.insertEvents([{ id: newId(), requestId: id, at: now, action: 'attach', fromStatus: locked.status, toStatus: locked.status, actorUserId: ctx.actor.userId || null, actorName, reason: input.fileName, detail: { attachmentId, kind: input.kind, sizeBytes: stored.sizeBytes, sha256: stored.sha256 } }]);
        await this.deps.audit.record(ctx, [{ action: 'create', resourceType: 'DiagnosisAttachment', resourceId: attachmentId, patientId: row.patientId, basis: 'own-facility', outcome: 'allowed', detail: { requestId: id, kind: input.kind } }], tx);
      });
    } catch (e) {
      await this.deps.storage.remove(stored.key).catch(() => undefined);
      throw e;
    }
    return (await this.attachmentDtos(id)).find((a) => a.id === attachmentId)!;
  }

  /** One attachment of a request under the request's access rule, its read audited with the actor's basis. */
  private async readableAttachment(ctx: RequestContext, id: string, attachmentId: string): Promise<AttachmentRow> {
    const { row, parties } = await this.loadForActor(ctx, id);
    const a = await this.repo.attachmentById(id, attachmentId);
    if (!a) throw notFound(`附件 ${attachmentId} 不在该申请中`);
    await this.deps.audit.record(ctx, [{ action: 'read', resourceType: 'DiagnosisAttachment', resourceId: attachmentId, patientId: row.patientId, basis: this.basisOf(parties), outcome: 'allowed' }]);
    return a;
  }

  /** The bytes of an attachment, under the same access rule as the request. */
  async readAttachment(ctx: RequestContext, id: string, attachmentId: string): Promise<{ fileName: string; contentType: string; bytes: Buffer }> {
    const a = await this.readableAttachment(ctx, id, attachmentId);
    return { fileName: a.fileName, contentType: a.contentType, bytes: await this.deps.storage.get(a.storageKey) };
  }

  /** The request's DICOM instances filed into studies and series (ordered by series, then instance number). */
  async imaging(ctx: RequestContext, id: string): Promise<ImagingDto> {
    const { row, parties } = await this.loadForActor(ctx, id);
    await this.deps.audit.record(ctx, [{ action: 'read', resourceType: 'DiagnosisAttachment', patientId: row.patientId, basis: this.basisOf(parties), outcome: 'allowed', detail: { requestId: id, view: 'imaging' } }]);
    const instances = (await this.repo.attachments(id)).flatMap((a) => {
      const meta = a.kind === 'dicom' ? storedAttachmentMeta(a.meta) : null;
      return meta?.kind === 'dicom' ? [{ attachmentId: a.id, meta }] : [];
    });
    return imagingOf(id, instances);
  }

  /**
   * A PNG thumbnail of a DICOM image or a slide (within the decode limit): drawn on the first request and kept in blob storage under the
   * file's SHA-256 (the same bytes give the same picture, whichever request they belong to). 404 for other files.
   */
  async attachmentThumbnail(ctx: RequestContext, id: string, attachmentId: string): Promise<Buffer> {
    const a = await this.readableAttachment(ctx, id, attachmentId);
    const meta = storedAttachmentMeta(a.meta);
    const absence = thumbnailAbsence(meta);
    if (!meta || absence) throw notFound(`附件「${a.fileName}」没有缩略图：${absence ?? '文件未解析'}`);
    const cached = await this.deps.storage.getDerived(a.sha256, thumbnailVariant);
    if (cached) return cached;
    const png = renderAttachmentThumbnail(meta, await this.deps.storage.get(a.storageKey), thumbnailMaxSize);
    await this.deps.storage.putDerived(a.sha256, thumbnailVariant, png);
    return png;
  }

  /**
   * What the slide viewer shows: a PNG/JPEG slide's own bytes, a TIFF slide's first page shrunk to 2048 px as JPEG
   * (drawn once, kept in blob storage under the file's SHA-256 like the thumbnail). Same access rule and audit as the
   * download; 404 for anything but a slide, and for a slide the server will not decode (its meta says why).
   */
  async slidePreview(ctx: RequestContext, id: string, attachmentId: string): Promise<{ contentType: 'image/png' | 'image/jpeg'; bytes: Buffer }> {
    const a = await this.readableAttachment(ctx, id, attachmentId);
    const meta = storedAttachmentMeta(a.meta);
    if (meta?.kind !== 'slide') throw notFound(`附件「${a.fileName}」不是切片图像，没有预览`);
    if (!slideIsDecodable(meta)) throw notFound(`附件「${a.fileName}」没有预览：${meta.notDecodedReason ?? slideDecodeProblem(meta.width, meta.height) ?? ''}`);
    if (meta.format === 'tiff') {
      const cached = await this.deps.storage.getDerived(a.sha256, slidePreviewVariant);
      if (cached) return { contentType: 'image/jpeg', bytes: cached };
    }
    const preview = renderSlidePreview(meta.format, await this.deps.storage.get(a.storageKey), previewMaxSize);
    if (preview.derived) await this.deps.storage.putDerived(a.sha256, slidePreviewVariant, preview.bytes);
    return { contentType: preview.contentType, bytes: preview.bytes };
  }

  /** An ECG waveform as the trace component draws it (every lead in µV) with the measured rate. 404 for other files. */
  async ecgTrace(ctx: RequestContext, id: string, attachmentId: string): Promise<EcgTraceDto> {
    const a = await this.readableAttachment(ctx, id, attachmentId);
    if (storedAttachmentMeta(a.meta)?.kind !== 'ecg') throw notFound(`附件「${a.fileName}」不是心电波形文件（yilian-ecg JSON/CSV）`);
    return ecgTraceOf(parseStoredEcg(await this.deps.storage.get(a.storageKey)));
  }

  // ---- lab (检验): specimens with barcodes, results with the report

  /**
   * The requester registers the specimens of a lab request (标本登记) and gets their label sheet: each specimen keeps
   * the requester's own barcode or is issued one (lab-barcode.ts); the labels are drawn into a PDF stored as an
   * attachment. Barcodes are unique across all requests by the unique index of diagnosis_specimens: the insert is
   * `ON CONFLICT (barcode) DO NOTHING`, and a barcode that did not go in is a 409 that rolls everything back.
   */
  async registerSpecimens(ctx: RequestContext, id: string, input: SpecimensInput): Promise<LabDto> {
    const { row, parties } = await this.loadForActor(ctx, id, 'update');
    if (!parties.includes('requester')) throw forbidden('只有申请机构的医生可以登记标本');
    const center = (await this.repo.centerById(row.centerId))!;
    if (center.type !== 'lab') throw invalid(`${centerTypeLabels[center.type]}中心的申请不登记检验标本`, 'specimens');
    const own = input.specimens.map((sp) => sp.barcode).filter((b): b is string => !!b);
    const repeated = own.find((b, i) => own.indexOf(b) !== i);
    if (repeated) throw invalid(`条码 ${repeated} 在本次登记中出现了两次`, 'specimens');
    const now = ctx.clock.now();
    const actorName = await this.actorName(ctx);
    const patient = await this.repo.patient(row.patientId);
    const orgNames = await this.repo.organizationNames([row.requesterOrganizationId]);
    const attachmentId = newId();
    let storedKey: string | null = null;
    try {
      await this.repo.transaction(async (repo, tx) => {
        // The request's row lock serialises registrations of one request, so the issued numbers 01, 02 … do not repeat.
        const locked = await repo.requestForUpdate(id);
        if (!locked || !openForUpload.includes(locked.status)) throw conflict(`申请当前为「${statusLabels[locked?.status ?? row.status]}」，不能再登记标本`, { status: locked?.status ?? row.status });
        const existing = await repo.specimensOf(id);
        if (existing.length + input.specimens.length > maxSpecimensPerRequest) throw invalid(`一张申请最多 ${maxSpecimensPerRequest} 个标本`, 'specimens');
        let next = existing.filter((sp) => sp.barcodeSource === 'issued').length;
        const serial = requestSerialOf(locked.number);
        const specimens = input.specimens.map((sp) => ({
          id: newId(), barcode: sp.barcode ?? specimenBarcode(serial, ++next), barcodeSource: sp.barcode ? ('own' as const) : ('issued' as const),
          specimenType: sp.specimenType, container: sp.container ?? null,
        }));
        const pdf = await renderSpecimenLabels(specimens, {
          requestNumber: locked.number, examType: locked.examType, patientName: patient?.name ?? '', patientSex: patient?.sex ?? '', patientBirthDate: patient?.birthDate ?? '',
          requesterOrganizationName: orgNames.get(locked.requesterOrganizationId) ?? '', urgent: locked.urgency !== 'routine', printedAt: now,
        });
        const stored = await this.deps.storage.put(pdf, { requestId: id });
        storedKey = stored.key;
        await repo.insertAttachment({
          id: attachmentId, requestId: id, organizationId: locked.requesterOrganizationId, kind: 'pdf', fileName: `标本条码-${locked.number}-${existing.length + 1}.pdf`,
          contentType: 'application/pdf', sizeBytes: stored.sizeBytes, sha256: stored.sha256, storageKey: stored.key, meta: null,
          uploadedBy: ctx.actor.userId || null, uploadedByName: actorName, uploadedAt: now,
        });
        const inserted = await repo.insertSpecimens(specimens.map((sp) => ({
          ...sp, requestId: id, organizationId: locked.requesterOrganizationId, labelAttachmentId: attachmentId, state: 'registered' as const,
          collectedAt: now, collectedBy: ctx.actor.userId || null, collectedByName: actorName, createdAt: now,
        })));
        const taken = specimens.map((sp) => sp.barcode).filter((b) => !inserted.includes(b));
        if (taken.length) throw conflict(`条码 ${taken.join('、')} 已被其他标本使用，请换一个条码`, { barcodes: taken });
        await repo.insertEvents([{ id: newId(), requestId: id, at: now, action: 'attach', fromStatus: locked.status, toStatus: locked.status, actorUserId: ctx.actor.userId || null, actorName, reason: `登记标本 ${specimens.length} 个`, detail: { attachmentId, kind: 'pdf', specimens: specimens.map((sp) => sp.barcode) } }]);
        await this.deps.audit.record(ctx, [{ action: 'create', resourceType: 'DiagnosisAttachment', resourceId: attachmentId, patientId: row.patientId, basis: 'own-facility', outcome: 'allowed', detail: { requestId: id, specimens: specimens.map((sp) => sp.barcode) } }], tx);
      });
    } catch (e) {
      if (storedKey) await this.deps.storage.remove(storedKey).catch(() => undefined);
      throw e;
    }
    return this.lab(ctx, id, { audit: false });
  }

  /**
   * The lab's receipt of a specimen (标本签收): a reader of the request's lab center records it once (a conditional
   * UPDATE); a second receipt is 409. The request must still be open.
   */
  async receiveSpecimen(ctx: RequestContext, id: string, specimenId: string): Promise<LabDto> {
    const { row, parties } = await this.loadForActor(ctx, id, 'update');
    if (!parties.includes('reader')) throw forbidden('只有检验中心的诊断医师（检验人员）可以签收标本');
    const specimen = await this.repo.specimenById(id, specimenId);
    if (!specimen) throw notFound(`申请 ${row.number} 没有标本 ${specimenId}`);
    if (!openDiagnosisStatuses.includes(row.status)) throw conflict(`申请当前为「${statusLabels[row.status]}」，不能签收标本`, { status: row.status });
    const now = ctx.clock.now();
    const actorName = await this.actorName(ctx);
    await this.repo.transaction(async (repo, tx) => {
      const received = await repo.receiveSpecimen(specimenId, { receivedAt: now, receivedBy: ctx.actor.userId || null, receivedByName: actorName });
      if (!received) throw conflict(`标本 ${specimen.barcode} 已于 ${specimen.receivedAt?.toISOString() ?? ''} 由 ${specimen.receivedByName ?? ''} 签收，不能重复签收`, { barcode: specimen.barcode });
      await repo.insertEvents([{ id: newId(), requestId: id, at: now, action: 'specimen-received', fromStatus: row.status, toStatus: row.status, actorUserId: ctx.actor.userId || null, actorName, reason: `签收标本 ${specimen.barcode}（${specimen.specimenType}）`, detail: { specimenId, barcode: specimen.barcode } }]);
      await this.deps.audit.record(ctx, [{ action: 'update', resourceType: 'DiagnosisRequest', resourceId: id, patientId: row.patientId, basis: this.basisOf(parties), outcome: 'allowed', detail: { view: 'specimen-receipt', barcode: specimen.barcode } }], tx);
    });
    return this.lab(ctx, id, { audit: false });
  }

  /**
   * A scan at the lab bench: the barcode is looked up among the requests of the caller's centers, then received
   * through `receiveSpecimen`, which makes the access decision itself. An unknown barcode is 404.
   */
  async receiveSpecimenByBarcode(ctx: RequestContext, barcode: string): Promise<LabDto & { requestId: string; requestNumber: string; specimenId: string }> {
    const centerIds = ctx.actor.userId ? await this.repo.readerCenterIdsOf(ctx.actor.userId) : [];
    if (centerIds.length === 0) throw forbidden('只有检验中心的诊断医师（检验人员）可以签收标本');
    const specimen = await this.repo.specimenByBarcodeAt(barcode, centerIds);
    if (!specimen) throw notFound(`条码 ${barcode} 不是本中心申请的标本（请核对条码）`);
    const lab = await this.receiveSpecimen(ctx, specimen.requestId, specimen.id);
    const row = await this.repo.requestById(specimen.requestId);
    return { ...lab, requestId: specimen.requestId, requestNumber: row?.number ?? '', specimenId: specimen.id };
  }

  /** The specimens and the result values of the latest version the caller may see (the requester: released ones only). */
  async lab(ctx: RequestContext, id: string, opts: { audit?: boolean } = {}): Promise<LabDto> {
    const { row, parties } = await this.loadForActor(ctx, id);
    if (opts.audit !== false) await this.deps.audit.record(ctx, [{ action: 'read', resourceType: 'DiagnosisRequest', resourceId: id, patientId: row.patientId, basis: this.basisOf(parties), outcome: 'allowed', detail: { view: 'lab' } }]);
    const [specimens, results] = await Promise.all([this.repo.specimensOf(id), this.repo.labResultsOf(id)]);
    const asReader = parties.includes('reader');
    const visible = results.filter((r) => asReader || releasedReportStatuses.includes(r.versionStatus));
    const reportVersion = visible.at(-1)?.version ?? null;
    const shown = visible.filter((r) => r.version === reportVersion).map(labResultDto);
    return { specimens: specimens.map(specimenDto), results: shown, reportVersion, criticalFinding: labCriticalFinding(shown) };
  }

  /** The analyte table (configuration, no patient data: any signed-in user may read it). */
  labAnalytes(): LabAnalyteDto[] {
    return labAnalytes.map((a) => ({ ...a }));
  }

  /** Checks and evaluates the lab results of a report write: only for lab centers, against the request's specimens. */
  private async labResultsFor(repo: DiagnosisRepository, row: RequestRow, inputs: readonly LabResultInput[] | undefined): Promise<LabResultDto[] | null> {
    if (!inputs) return null;
    const center = (await repo.centerById(row.centerId))!;
    if (center.type !== 'lab') throw invalid(`${centerTypeLabels[center.type]}中心的报告不填写检验结果`, 'labResults');
    const barcodes = new Set((await repo.specimensOf(row.id)).map((sp) => sp.barcode));
    return inputs.map((input, i) => {
      const problem = labRangeProblem(input);
      if (problem) throw invalid(problem, `labResults[${i}]`);
      if (input.specimenBarcode && !barcodes.has(input.specimenBarcode)) throw invalid(`条码 ${input.specimenBarcode} 不是本申请登记的标本`, `labResults[${i}].specimenBarcode`);
      return evaluateLabResult(input);
    });
  }

  /**
   * Writes the result values of a new report version in the report write's transaction. A version written without
   * values (a sign-off, an amendment of the text only) carries the previous version's values: results belong to each
   * version, so the released final report shows the values it was signed with.
   */
  private async appendLabResults(repo: DiagnosisRepository, requestId: string, reportVersionId: string, results: readonly LabResultDto[] | null, now: Date): Promise<LabResultDto[] | null> {
    let values: readonly LabResultDto[] | null = results;
    if (!values) {
      const earlier = await repo.labResultsOf(requestId);
      const last = earlier.at(-1)?.version;
      if (last === undefined) return null;
      values = earlier.filter((r) => r.version === last).map(labResultDto);
    }
    const specimenIds = new Map((await repo.specimensOf(requestId)).map((sp) => [sp.barcode, sp.id]));
    await repo.insertLabResults(values.map((r, position) => ({
      id: newId(), requestId, reportVersionId, position, analyteCode: r.code, loinc: r.loinc ?? null, analyteName: r.name, valueText: r.value,
      valueNumeric: numericValue(r.value), unit: r.unit, referenceLow: r.referenceLow ?? null, referenceHigh: r.referenceHigh ?? null, referenceText: r.referenceRange,
      flag: r.flag, specimenId: r.specimenBarcode ? (specimenIds.get(r.specimenBarcode) ?? null) : null, createdAt: now,
    })));
    return [...values];
  }

  // ---- the patient's record (检查报告)

  /**
   * Every released final or amended report of a patient, across centers, newest first — for whoever may read the
   * patient. The patient module decides with its one access rule and audits the read with the basis it found; a second
   * row here would have to guess that basis, so there is none.
   */
  async patientReports(ctx: RequestContext, patientId: string, q: { page: number; pageSize: number }): Promise<Page<PatientDiagnosisReportDto>> {
    await this.deps.patients.get(ctx, patientId);
    const { rows, total } = await this.repo.patientReports(patientId, { offset: (q.page - 1) * q.pageSize, limit: q.pageSize });
    return {
      items: rows.map((r) => ({
        requestId: r.request_id, requestNumber: r.number, centerName: r.center_name, centerType: r.center_type, modality: r.modality, examType: r.exam_type,
        status: r.status, impression: r.impression, findings: r.findings, authorName: r.author_name, signedOffByName: r.signed_off_by_name,
        reportedAt: iso(r.reported_at)!, version: r.version, hasCriticalValue: r.has_critical,
      })),
      total, page: q.page, pageSize: q.pageSize,
    };
  }

  private async attachmentDtos(requestId: string): Promise<AttachmentDto[]> {
    return (await this.repo.attachments(requestId)).map((a) => ({
      id: a.id, kind: a.kind, fileName: a.fileName, contentType: a.contentType, sizeBytes: a.sizeBytes, sha256: a.sha256, uploadedAt: a.uploadedAt.toISOString(), uploadedByName: a.uploadedByName,
      meta: storedAttachmentMeta(a.meta),
    }));
  }

  // ---- reports

  /**
   * Writes the report from a template and the reader's text: `preliminary` releases a preliminary report; `final`
   * signs it — or, when the center requires a second reader, waits for the sign-off. Every write appends a version.
   */
  async writeReport(ctx: RequestContext, id: string, input: ReportInput & { labResults?: LabResultInput[] | undefined }): Promise<DiagnosisRequestDto> {
    const action: TableAction = input.action === 'preliminary' ? 'preliminary' : 'finalize';
    const actorName = await this.actorName(ctx);
    return this.move(ctx, id, action, {}, async (row, repo, _tx, now, to) => {
      const template = input.templateId ? await repo.templateById(input.templateId) : null;
      if (input.templateId && (!template || template.centerId !== row.centerId || !template.active)) throw invalid('报告模板不存在或不属于本中心', 'templateId');
      // Lab results are rows of the report version written here (diagnosis_lab_results), in the same transaction.
      const labResults = await this.labResultsFor(repo, row, input.labResults);
      const text = reportText(template ?? null, labResults && !input.findings && !template?.findings ? { ...input, findings: labFindingsText(labResults) } : input);
      if (!text.findings) throw invalid('请填写检查所见（或选择报告模板）', 'findings');
      if (!text.impression) throw invalid('请填写诊断意见（或选择报告模板）', 'impression');
      const status = to === 'preliminary' ? 'preliminary' : to === 'awaiting-signoff' ? 'pending-signoff' : 'final';
      const existing = await repo.reportOf(row.id);
      let report: ReportRow;
      if (existing) {
        report = await repo.updateReport(existing.id, { ...text, status, templateId: template?.id ?? existing.templateId, authorUserId: ctx.actor.userId, authorName: actorName, finalizedAt: status === 'final' ? now : null, updatedAt: now });
      } else {
        const reportId = newId();
        await repo.insertReport({ id: reportId, requestId: row.id, status, ...text, templateId: template?.id ?? null, authorUserId: ctx.actor.userId, authorName: actorName, finalizedAt: status === 'final' ? now : null, createdAt: now, updatedAt: now });
        report = (await repo.reportOf(row.id))!;
      }
      const versionId = newId();
      await repo.insertReportVersion({ id: versionId, reportId: report.id, version: report.version, status, ...text, authorUserId: ctx.actor.userId, authorName: actorName, reason: null, at: now });
      const kept = await this.appendLabResults(repo, row.id, versionId, labResults, now);
      return { set: { imageQuality: row.imageQuality ?? 'accepted', ...(to === 'completed' ? { completedAt: now } : {}) }, detail: { reportId: report.id, reportVersion: report.version, reportStatus: status, ...(kept ? { labResultCount: kept.length } : {}) } };
    });
  }

  /** The second reader signs the final report (双签); the signer must not be the author. */
  async signOff(ctx: RequestContext, id: string): Promise<DiagnosisRequestDto> {
    const actorName = await this.actorName(ctx);
    return this.move(ctx, id, 'sign-off', {}, async (row, repo, _tx, now) => {
      const report = await repo.reportOf(row.id);
      if (!report) throw conflict('该申请还没有报告');
      const problem = signOffProblem(report.authorUserId, ctx.actor.userId);
      if (problem) throw forbidden(problem);
      const updated = await repo.updateReport(report.id, { status: 'final', signedOffBy: ctx.actor.userId, signedOffByName: actorName, signedOffAt: now, finalizedAt: now, updatedAt: now });
      const versionId = newId();
      await repo.insertReportVersion({ id: versionId, reportId: report.id, version: updated.version, status: 'final', findings: report.findings, impression: report.impression, authorUserId: ctx.actor.userId, authorName: report.authorName, reason: `审核签发：${actorName}`, at: now });
      await this.appendLabResults(repo, row.id, versionId, null, now);
      return { set: { completedAt: now }, detail: { reportId: report.id, reportVersion: updated.version, signedOffBy: ctx.actor.userId } };
    });
  }

  /** The second reader sends the report back to its author with a reason (the way out of a disputed sign-off). */
  async returnForRevision(ctx: RequestContext, id: string, reason: string): Promise<DiagnosisRequestDto> {
    return this.move(ctx, id, 'signoff-return', { reason }, async (row, repo, _tx, now, to) => {
      const report = await repo.reportOf(row.id);
      if (report) {
        if (report.authorUserId === ctx.actor.userId) throw forbidden('报告书写人不能退回自己的报告，请直接修改后再签发');
        await repo.updateReport(report.id, { status: to === 'preliminary' ? 'preliminary' : 'draft', updatedAt: now });
      }
      return { detail: { reportId: report?.id ?? null } };
    });
  }

  /** Amends a final report: a new version is appended, the earlier ones stay readable; the requester is told. */
  async amendReport(ctx: RequestContext, id: string, input: AmendInput & { labResults?: LabResultInput[] | undefined }): Promise<DiagnosisRequestDto> {
    const actorName = await this.actorName(ctx);
    return this.move(ctx, id, 'amend', { reason: input.reason }, async (row, repo, _tx, now) => {
      const report = await repo.reportOf(row.id);
      if (!report) throw conflict('该申请还没有报告');
      const labResults = await this.labResultsFor(repo, row, input.labResults);
      const updated = await repo.updateReport(report.id, { status: 'amended', findings: input.findings, impression: input.impression, updatedAt: now });
      const versionId = newId();
      await repo.insertReportVersion({ id: versionId, reportId: report.id, version: updated.version, status: 'amended', findings: input.findings, impression: input.impression, authorUserId: ctx.actor.userId, authorName: actorName, reason: input.reason, at: now });
      const kept = await this.appendLabResults(repo, row.id, versionId, labResults, now);
      return { detail: { reportId: report.id, reportVersion: updated.version, reportStatus: 'amended', ...(kept ? { labResultCount: kept.length } : {}) } };
    });
  }

  /** The printable report with the center's header (A4 PDF); the read is audited like `get`. */
  async printReport(ctx: RequestContext, id: string): Promise<{ number: string; pdf: Buffer }> {
    const dto = await this.get(ctx, id);
    const center = (await this.repo.centerById(dto.center.id))!;
    return { number: dto.number, pdf: await renderDiagnosisReport(dto, center, { printedAt: ctx.clock.now(), printedBy: await this.actorName(ctx) }) };
  }

  private async releasedVersions(repo: DiagnosisRepository, requestId: string) {
    const report = await repo.reportOf(requestId);
    if (!report) return [];
    return (await repo.reportVersions(report.id)).filter((v) => releasedReportStatuses.includes(v.status));
  }

  // ---- critical values

  /** A reader flags a critical value (危急值): the requesting facility is alerted at once and its acknowledgement clock starts. */
  async flagCritical(ctx: RequestContext, id: string, finding: string): Promise<CriticalValueDto> {
    const actorName = await this.actorName(ctx);
    const criticalId = newId();
    await this.move(ctx, id, 'flag-critical', {}, async (row, repo, tx, now) => {
      await repo.insertCritical({ id: criticalId, requestId: row.id, organizationId: row.requesterOrganizationId, centerId: row.centerId, finding, flaggedBy: ctx.actor.userId, flaggedByName: actorName, flaggedAt: now });
      const to = [...new Set([...(row.requesterUserId ? [row.requesterUserId] : []), ...(await repo.userIdsAt(row.requesterOrganizationId, requesterRoles))])];
      await this.deps.notifications.notifyUsers(tx, {
        userIds: to, kind: 'critical-value', title: `【危急值】${row.number}（${row.examType}）`, body: `诊断中心报告危急值：${finding}。请立即处置，并在系统中复述确认。`,
        subjectType: DIAGNOSIS_SUBJECT, subjectId: row.id, link: `/diagnosis/requests/${row.id}`, dedupeKey: `diagnosis-critical:${criticalId}:flagged`, at: now,
      });
      await repo.appendCriticalLog([
        { id: newId(), criticalValueId: criticalId, at: now, kind: 'flagged', actorUserId: ctx.actor.userId, actorName, text: finding, detail: null },
        { id: newId(), criticalValueId: criticalId, at: now, kind: 'notified', actorName: '系统', text: `已通知申请机构 ${to.length} 人`, detail: { userIds: to } },
      ]);
      await this.deps.deadlines.start(tx, { subjectType: DIAGNOSIS_SUBJECT, subjectId: criticalId, step: CRITICAL_ACK_STEP, urgency: 'emergency', organizationId: row.requesterOrganizationId, at: now });
      return { detail: { criticalValueId: criticalId, finding } };
    });
    return this.criticalDto((await this.repo.criticalById(criticalId))!);
  }

  /** The requesting facility acknowledges with read-back (who received it, what they read back, what was done) — once. */
  async acknowledgeCritical(ctx: RequestContext, criticalId: string, input: AcknowledgeInput): Promise<CriticalValueDto> {
    const cv = await this.repo.criticalById(criticalId);
    if (!cv) throw notFound(`危急值 ${criticalId} 不存在`);
    const { row, parties } = await this.loadForActor(ctx, cv.requestId, 'update');
    if (!parties.includes('requester')) throw forbidden('危急值须由申请机构的医生接收并复述确认');
    const now = ctx.clock.now();
    const actorName = await this.actorName(ctx);
    await this.repo.transaction(async (repo, tx) => {
      const done = await repo.acknowledgeCritical(criticalId, { acknowledgedAt: now, acknowledgedBy: ctx.actor.userId || null, acknowledgedByName: actorName, receivedBy: input.receivedBy, readBack: input.readBack, actionTaken: input.actionTaken });
      if (!done) {
        const current = (await repo.criticalById(criticalId))!;
        throw conflict(`该危急值已于 ${iso(current.acknowledgedAt)} 由 ${current.acknowledgedByName ?? ''} 确认`, { state: current.state });
      }
      await repo.appendCriticalLog([{ id: newId(), criticalValueId: criticalId, at: now, kind: 'acknowledged', actorUserId: ctx.actor.userId || null, actorName, text: `接收人：${input.receivedBy}；复述：${input.readBack}；处置：${input.actionTaken}`, detail: { ...input } }]);
      await repo.insertEvents([{ id: newId(), requestId: row.id, at: now, action: 'critical-acknowledged', fromStatus: row.status, toStatus: row.status, actorUserId: ctx.actor.userId || null, actorName, reason: input.actionTaken, detail: { criticalValueId: criticalId, receivedBy: input.receivedBy } }]);
      await this.deps.audit.record(ctx, [{ action: 'update', resourceType: 'DiagnosisCriticalValue', resourceId: criticalId, patientId: row.patientId, basis: 'own-facility', outcome: 'allowed', detail: { action: 'acknowledge' } }], tx);
      await this.deps.deadlines.meet(tx, DIAGNOSIS_SUBJECT, criticalId, CRITICAL_ACK_STEP, now);
      await this.deps.notifications.notifyUsers(tx, {
        userIds: [cv.flaggedBy], kind: 'critical-acknowledged', title: `危急值已确认：${row.number}`, body: `${input.receivedBy} 已复述确认危急值「${cv.finding}」，处置：${input.actionTaken}`,
        subjectType: DIAGNOSIS_SUBJECT, subjectId: row.id, link: `/diagnosis/requests/${row.id}`, dedupeKey: `diagnosis-critical:${criticalId}:acknowledged`, at: now,
      });
    });
    return this.criticalDto((await this.repo.criticalById(criticalId))!);
  }

  /** Critical values of the actor's facility (to acknowledge) and of the centers where the actor reads. */
  async listCriticals(ctx: RequestContext, q: { state: 'open' | 'acknowledged' | 'all'; page: number; pageSize: number }): Promise<Page<CriticalValueDto>> {
    const facts = await this.actorFacts(ctx);
    const own = ctx.actor.organizationId && ctx.actor.roles.some((r) => requesterRoles.includes(r)) ? [ctx.actor.organizationId] : [];
    if (own.length === 0 && facts.readerCenterIds.size === 0) throw forbidden('只有医疗机构的医生或诊断医师可以查看危急值');
    const { rows, total } = await this.repo.listCriticals({ organizationIds: own, centerIds: [...facts.readerCenterIds], state: q.state === 'all' ? undefined : q.state }, { offset: (q.page - 1) * q.pageSize, limit: q.pageSize });
    return { items: await this.criticalDtos(rows), total, page: q.page, pageSize: q.pageSize };
  }

  private async criticalDto(row: CriticalRow): Promise<CriticalValueDto> {
    return (await this.criticalDtos([row]))[0]!;
  }

  private async criticalDtos(rows: CriticalRow[]): Promise<CriticalValueDto[]> {
    const [log, live] = await Promise.all([this.repo.criticalLog(rows.map((r) => r.id)), this.deps.deadlines.liveFor(this.db, DIAGNOSIS_SUBJECT, rows.map((r) => r.id))]);
    return rows.map((c) => ({
      id: c.id, requestId: c.requestId, finding: c.finding, state: c.state, flaggedAt: c.flaggedAt.toISOString(), flaggedByName: c.flaggedByName,
      acknowledgedAt: iso(c.acknowledgedAt), receivedBy: c.receivedBy, readBack: c.readBack, actionTaken: c.actionTaken, acknowledgedByName: c.acknowledgedByName,
      deadline: deadlineView(live.get(c.id)),
      log: log.filter((l) => l.criticalValueId === c.id).map((l) => ({ at: l.at.toISOString(), kind: l.kind, actorName: l.actorName, text: l.text })),
    }));
  }

  // ---- patient access basis

  /** Access basis for the patient module: a reader of a center that has a request of the patient may read the patient. */
  async basisFor(actor: { userId: string }, patientId: string): Promise<AccessBasis[]> {
    if (!actor.userId) return [];
    return (await this.repo.readsPatient(actor.userId, patientId)) ? ['diagnosis-request'] : [];
  }

  // ---- web UI support: my centers, the critical-value board

  /**
   * The centers the actor works with: those serving the actor's facility today (a requester may send to them; the same
   * rule createRequest applies) and those where the actor is an active reader (with whether a duty-head shift runs now).
   */
  async myCenters(ctx: RequestContext): Promise<MyCentersDto> {
    const facts = await this.actorFacts(ctx);
    const now = ctx.clock.now();
    const requestable: CenterRow[] = [];
    if (ctx.actor.organizationId && ctx.actor.roles.some((r) => requesterRoles.includes(r))) {
      for (const c of await this.repo.centers({})) {
        if (!c.active || c.type === 'consultation') continue;
        if ((await this.servedOrganizationIds(c, now)).includes(ctx.actor.organizationId)) requestable.push(c);
      }
    }
    const reading = facts.readerCenterIds.size ? await this.repo.centers({ ids: [...facts.readerCenterIds] }) : [];
    return {
      requestable: await this.centerDtos(requestable),
      reading: (await this.centerDtos(reading)).map((c) => ({ ...c, dutyHeadNow: facts.dutyHeadCenterIds.has(c.id) })),
    };
  }

  /**
   * Critical values for one side: the requesting facility's (to acknowledge — the banner and list of the UI) or those of
   * the centers where the actor reads. Scoped by the same facts as listCriticals; each row carries its request's facts.
   */
  async criticalBoard(ctx: RequestContext, q: CriticalBoardQuery): Promise<Page<CriticalBoardItemDto>> {
    const facts = await this.actorFacts(ctx);
    const own = ctx.actor.organizationId && ctx.actor.roles.some((r) => requesterRoles.includes(r)) ? [ctx.actor.organizationId] : [];
    if (q.side === 'requester' && own.length === 0) throw forbidden('只有医疗机构的医生可以查看本机构的危急值');
    if (q.side === 'reader' && facts.readerCenterIds.size === 0) throw forbidden('只有诊断中心的诊断医师可以查看本中心的危急值');
    const scope = q.side === 'requester' ? { organizationIds: own, centerIds: [] } : { organizationIds: [], centerIds: [...facts.readerCenterIds] };
    const { rows, total } = await this.repo.listCriticals({ ...scope, state: q.state === 'all' ? undefined : q.state }, { offset: (q.page - 1) * q.pageSize, limit: q.pageSize });
    const dtos = await this.criticalDtos(rows);
    const requests = new Map<string, RequestRow>();
    for (const id of new Set(rows.map((r) => r.requestId))) {
      const row = await this.repo.requestById(id);
      if (row) requests.set(id, row);
    }
    const [centers, orgNames] = await Promise.all([
      this.repo.centers({ ids: [...new Set([...requests.values()].map((r) => r.centerId))] }),
      this.repo.organizationNames([...new Set([...requests.values()].map((r) => r.requesterOrganizationId))]),
    ]);
    const patientNames = new Map<string, string>();
    for (const r of requests.values()) if (!patientNames.has(r.patientId)) patientNames.set(r.patientId, (await this.repo.patient(r.patientId))?.name ?? '');
    if (rows.length) {
      await this.deps.audit.record(ctx, [{ action: 'search', resourceType: 'DiagnosisCriticalValue', basis: q.side === 'requester' ? 'own-facility' : 'diagnosis-request', outcome: 'allowed', detail: { side: q.side, count: rows.length } }]);
    }
    return {
      items: dtos.map((d) => {
        const r = requests.get(d.requestId);
        return {
          ...d, requestNumber: r?.number ?? '', patientName: r ? (patientNames.get(r.patientId) ?? '') : '', examType: r?.examType ?? '',
          centerName: centers.find((c) => c.id === r?.centerId)?.name ?? '', requesterOrganizationName: r ? (orgNames.get(r.requesterOrganizationId) ?? '') : '',
        };
      }),
      total, page: q.page, pageSize: q.pageSize,
    };
  }

  // ---- DTO

  private async toDto(row: RequestRow, parties: readonly Party[]): Promise<DiagnosisRequestDto> {
    const [center, patient, names, orgNames, live, attachments, report, criticals] = await Promise.all([
      this.repo.centerById(row.centerId),
      this.repo.patient(row.patientId),
      this.repo.userNames([row.assignedUserId, row.claimedBy]),
      this.repo.organizationNames([row.centerOrganizationId, row.requesterOrganizationId]),
      this.deps.deadlines.liveFor(this.db, DIAGNOSIS_SUBJECT, [row.id]),
      this.attachmentDtos(row.id),
      this.reportDto(row.id, parties.includes('reader')),
      this.repo.criticalsOf(row.id).then((r) => this.criticalDtos(r)),
    ]);
    const allowed: string[] = allowedActions(row.status, parties);
    if (parties.includes('requester') && ['requested', 'returned', 'in-progress'].includes(row.status)) allowed.push('upload');
    if (parties.includes('requester') && criticals.some((c) => c.state === 'open')) allowed.push('acknowledge-critical');
    return {
      id: row.id, number: row.number, kind: row.kind, status: row.status, urgency: row.urgency,
      center: { id: row.centerId, name: center?.name ?? '', type: center?.type ?? 'imaging', organizationId: row.centerOrganizationId, organizationName: orgNames.get(row.centerOrganizationId) ?? '' },
      requester: { organizationId: row.requesterOrganizationId, organizationName: orgNames.get(row.requesterOrganizationId) ?? '', userName: row.requesterName },
      patient: { id: row.patientId, name: patient?.name ?? '', sex: patient?.sex ?? '', birthDate: patient?.birthDate ?? '' },
      modality: row.modality, examType: row.examType, bodyPart: row.bodyPart, clinicalQuestion: row.clinicalQuestion, clinicalSummary: row.clinicalSummary,
      imageQuality: row.imageQuality, returnReason: row.returnReason, resubmitCount: row.resubmitCount, cancelReason: row.cancelReason,
      assignedUserId: row.assignedUserId, assignedUserName: row.assignedUserId ? (names.get(row.assignedUserId) ?? null) : null,
      claimedBy: row.claimedBy, claimedByName: row.claimedBy ? (names.get(row.claimedBy) ?? null) : null,
      submittedAt: row.submittedAt.toISOString(), completedAt: iso(row.completedAt), version: row.version,
      deadline: deadlineView(live.get(row.id)), attachments, report, criticalValues: criticals, allowedActions: allowed,
    };
  }

  /** Readers see the working report; the requesting side sees only released texts (preliminary, final, amended). */
  private async reportDto(requestId: string, asReader: boolean): Promise<ReportDto | null> {
    const report = await this.repo.reportOf(requestId);
    if (!report) return null;
    const [all, results] = await Promise.all([this.repo.reportVersions(report.id), this.repo.labResultsOf(requestId)]);
    const versions = asReader ? all : all.filter((v) => releasedReportStatuses.includes(v.status));
    const shown = asReader ? { status: report.status, findings: report.findings, impression: report.impression, version: report.version } : versions.at(-1);
    if (!shown) return null;
    const labOf = (version: number): { labResults?: LabResultDto[] } => {
      const values = results.filter((r) => r.version === version).map(labResultDto);
      return values.length ? { labResults: values } : {};
    };
    return {
      id: report.id, requestId, status: shown.status, findings: shown.findings, impression: shown.impression, authorUserId: report.authorUserId, authorName: report.authorName,
      signedOffByName: report.signedOffByName, signedOffAt: iso(report.signedOffAt), finalizedAt: iso(report.finalizedAt), version: shown.version,
      versions: versions.map((v) => ({ version: v.version, status: v.status, findings: v.findings, impression: v.impression, authorName: v.authorName, reason: v.reason, at: v.at.toISOString(), ...labOf(v.version) })),
      ...labOf(shown.version),
    };
  }

  // ---- deadlines: escalation ladder of a center

  private async describeDeadline(repo: DiagnosisRepository, d: { subjectId: string; step: string }): Promise<{ title: string; body: string; link: string | null }> {
    if (d.step === CRITICAL_ACK_STEP) {
      const cv = await repo.criticalById(d.subjectId);
      const r = cv ? await repo.requestById(cv.requestId) : undefined;
      return { title: `危急值未确认：${r?.number ?? d.subjectId}`, body: `危急值「${cv?.finding ?? ''}」尚未由申请机构复述确认，请立即电话联系。`, link: r ? `/diagnosis/requests/${r.id}` : null };
    }
    const r = await repo.requestById(d.subjectId);
    if (r?.kind === 'consultation') return { title: `远程会诊未响应：${r.number}`, body: `会诊申请 ${r.number}（${r.examType}）尚未安排。`, link: `/consultations/${r.id}` };
    return { title: `远程诊断超时：${r?.number ?? d.subjectId}`, body: `申请单 ${r?.number ?? ''}（${r?.examType ?? ''}）尚未出具报告。`, link: `/diagnosis/requests/${d.subjectId}` };
  }

  /**
   * Who hears of an overdue item, rung by rung. Report deadlines: the reader holding it (or, while nobody holds it, the
   * readers on duty and the duty head) → the duty head on the roster → the host hospital's duty desk (总值班) → the
   * alliance office. Critical values: the requesting doctor → every clinician of the requesting facility → the center's
   * duty head and the flagging reader (to phone) → the alliance office. The roster is read at the rung's due time.
   */
  private async escalationRecipients(repo: DiagnosisRepository, d: { subjectId: string; step: string; dueAt: Date; ladder: { rung: EscalationRung; afterMinutes: number }[] }, rung: EscalationRung): Promise<string[]> {
    const at = new Date(d.dueAt.getTime() + (d.ladder.find((l) => l.rung === rung)?.afterMinutes ?? 0) * 60_000);
    if (d.step === CRITICAL_ACK_STEP) {
      const cv = await repo.criticalById(d.subjectId);
      const r = cv ? await repo.requestById(cv.requestId) : undefined;
      if (!cv || !r) return [];
      switch (rung) {
        case 'assigned': return r.requesterUserId ? [r.requesterUserId] : repo.userIdsAt(r.requesterOrganizationId, requesterRoles);
        case 'department-head': return repo.userIdsAt(r.requesterOrganizationId, requesterRoles);
        case 'referral-desk': return [...new Set([cv.flaggedBy, ...(await this.dutyHeads(repo, r.centerId, at))])];
        case 'alliance-office': return repo.allianceOfficeUserIds(r.requesterOrganizationId, shanghaiDate(at));
      }
    }
    const r = await repo.requestById(d.subjectId);
    if (!r) return [];
    switch (rung) {
      case 'assigned': {
        const holder = r.claimedBy ?? r.assignedUserId;
        if (holder) return [holder];
        const onDuty = onDutyAt(await repo.shifts(r.centerId, at, new Date(at.getTime() + 1)), at).map((s) => s.userId);
        return [...new Set([...onDuty, ...(await this.dutyHeads(repo, r.centerId, at))])];
      }
      case 'department-head': return this.dutyHeads(repo, r.centerId, at);
      case 'referral-desk': return repo.userIdsAt(r.centerOrganizationId, ['referral-desk', 'dispatch-coordinator']);
      case 'alliance-office': return repo.allianceOfficeUserIds(r.centerOrganizationId, shanghaiDate(at));
    }
  }

  /** Duty heads on shift at `at`; else the day's duty heads; else every active reader (an escalation never goes nowhere). */
  private async dutyHeads(repo: DiagnosisRepository, centerId: string, at: Date): Promise<string[]> {
    const day = shanghaiDate(at);
    const start = new Date(`${day}T00:00:00+08:00`);
    const shifts = (await repo.shifts(centerId, start, new Date(start.getTime() + 86_400_000))).filter((s) => s.role === 'duty-head' && s.readerActive);
    const now = onDutyAt(shifts, at).map((s) => s.userId);
    if (now.length) return [...new Set(now)];
    if (shifts.length) return [...new Set(shifts.map((s) => s.userId))];
    return repo.activeReaderUserIds(centerId);
  }

  private async recordFired(repo: DiagnosisRepository, d: { subjectId: string; step: string }, level: number, rung: EscalationRung | 'overdue', at: Date): Promise<void> {
    const text = level === 0 ? `「${d.step}」超时` : `逐级上报：${rungLabels[rung as EscalationRung] ?? rung}`;
    if (d.step === CRITICAL_ACK_STEP) {
      await repo.appendCriticalLog([{ id: newId(), criticalValueId: d.subjectId, at, kind: level === 0 ? 'overdue' : 'escalated', actorName: '系统', text: level === 0 ? '危急值超过时限未确认' : text, detail: { level, rung } }]);
      return;
    }
    await repo.insertEvents([{ id: newId(), requestId: d.subjectId, at, action: level === 0 ? 'overdue' : 'escalated', actorName: '系统', reason: text, detail: { step: d.step, level, rung } }]);
  }

  // ---- FHIR façade (src/modules/fhir/fhir-diagnosis.*)

  /**
   * Requests for a FHIR search, scoped by the facts `partiesOf` decides on: the requesting facility's requests (for its
   * clinicians) and the requests to the centers where the actor reads; each item is built for its parties. An actor
   * with neither scope finds nothing rather than an error — a FHIR ServiceRequest or Task search also spans referrals.
   */
  async searchForFhir(ctx: RequestContext, filter: FhirDiagnosisFilter, page: { offset: number; limit: number }): Promise<{ items: DiagnosisRequestDto[]; total: number }> {
    const facts = await this.actorFacts(ctx);
    const own = ctx.actor.organizationId && ctx.actor.roles.some((r) => requesterRoles.includes(r)) ? [ctx.actor.organizationId] : [];
    if (own.length === 0 && facts.readerCenterIds.size === 0) return { items: [], total: 0 };
    const { ids, total } = await this.repo.searchForFhir({ ...filter, requesterOrganizationIds: own, centerIds: [...facts.readerCenterIds] }, page);
    const items: DiagnosisRequestDto[] = [];
    for (const id of ids) {
      const row = await this.repo.requestById(id);
      if (row) items.push(await this.toDto(row, partiesOf(facts, row)));
    }
    if (items.length) {
      await this.deps.audit.record(ctx, [{ action: 'search', resourceType: 'DiagnosisRequest', basis: own.length ? 'own-facility' : 'diagnosis-request', outcome: 'allowed', detail: { channel: 'fhir', count: items.length, ids } }]);
    }
    return { items, total };
  }

  /** One critical value and its request, under the request's access rule (FHIR Flag and Communication reads). */
  async getCritical(ctx: RequestContext, criticalId: string): Promise<{ critical: CriticalValueDto; request: DiagnosisRequestDto }> {
    const cv = await this.repo.criticalById(criticalId);
    if (!cv) throw notFound(`危急值 ${criticalId} 不存在`);
    const request = await this.get(ctx, cv.requestId);
    return { critical: request.criticalValues.find((c) => c.id === criticalId) ?? (await this.criticalDto(cv)), request };
  }
}

/** The filters of a FHIR search over requests (the scope is added by DiagnosisService.searchForFhir). */
export type FhirDiagnosisFilter = Omit<FhirRequestFilter, 'requesterOrganizationIds' | 'centerIds'>;

function throwIfRefused(decision: ReturnType<typeof decideTransition>): void {
  if (decision.ok) return;
  if (decision.reason === 'missing') throw invalid(decision.message, decision.field);
  if (decision.reason === 'not-party') throw forbidden(decision.message);
  throw new AppError('conflict', decision.message);
}

function deadlineView(d: { step: string; dueAt: Date; state: string; overdueAt: Date | null; escalationLevel: number } | undefined): DeadlineViewDto | null {
  return d ? { step: d.step, dueAt: d.dueAt.toISOString(), state: d.state, overdue: d.overdueAt != null, escalationLevel: d.escalationLevel } : null;
}

function toTemplateDto(t: { id: string; centerId: string; examType: string; modality: TemplateDto['modality']; name: string; findings: string; impression: string; active: boolean }): TemplateDto {
  return { id: t.id, centerId: t.centerId, examType: t.examType, modality: t.modality, name: t.name, findings: t.findings, impression: t.impression, active: t.active };
}

function specimenDto(sp: SpecimenRow): SpecimenDto {
  return {
    id: sp.id, barcode: sp.barcode, barcodeSource: sp.barcodeSource, specimenType: sp.specimenType, container: sp.container, registeredAt: sp.createdAt.toISOString(),
    registeredByName: sp.collectedByName, labelAttachmentId: sp.labelAttachmentId, state: sp.state, collectedAt: sp.collectedAt.toISOString(),
    receivedAt: sp.receivedAt ? sp.receivedAt.toISOString() : null, receivedByName: sp.receivedByName,
  };
}

function labResultDto({ result: r, specimenBarcode }: { result: LabResultRow; specimenBarcode: string | null }): LabResultDto {
  return {
    code: r.analyteCode, ...(r.loinc ? { loinc: r.loinc } : {}), name: r.analyteName, value: r.valueText, unit: r.unit, referenceRange: r.referenceText,
    ...(r.referenceLow !== null ? { referenceLow: r.referenceLow } : {}), ...(r.referenceHigh !== null ? { referenceHigh: r.referenceHigh } : {}),
    flag: r.flag, ...(specimenBarcode ? { specimenBarcode } : {}),
  };
}

import type { Db } from '../../db/client.js';
import type { RequestContext } from '../../shared/context.js';
import { shanghaiDate } from '../../shared/clock.js';
import { AppError, forbidden, invalid, notFound } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import type { Page } from '../../shared/pagination.js';
import type { AccessBasis } from '../../contracts/codes.js';
import type { DuplicateSuggestion, PatientDto, PatientInput, PatientQuery } from '../../contracts/patient.js';
import type { AuditService } from '../audit/index.js';
import { decidePatientAccess, type IdentityService, type PatientScope } from '../identity/index.js';
import { isUniqueViolation, normaliseIcd10 } from '../network/index.js';
import { PatientRepository, type PatientFilter, type PatientRow } from './patient.repository.js';
import { duplicateReasons, maskName } from './patient.rules.js';
import { parseResidentId } from './resident-id.rules.js';

export interface IdNumberCheck {
  ok: boolean;
  message?: string;
  birthDate?: string;
  sex?: 'male' | 'female';
  divisionCode?: string;
  divisionName?: string | null;
}

/** Bases that allow registering or changing a patient (reading is allowed on every basis). */
const writeBases: readonly AccessBasis[] = ['own-facility', 'supervising-facility', 'alliance-role'];

/**
 * The alliance's master patient index. Every read and write goes through `decidePatientAccess` and is written to the
 * audit log with its basis, whether it was allowed or denied.
 */
export class PatientService {
  private readonly repo: PatientRepository;
  constructor(
    db: Db,
    private readonly identity: IdentityService,
    private readonly audit: AuditService,
  ) {
    this.repo = new PatientRepository(db);
  }

  async checkIdNumber(idNumber: string, now: Date): Promise<IdNumberCheck> {
    const r = parseResidentId(idNumber, shanghaiDate(now));
    if (!r.ok) return { ok: false, message: r.message };
    const division = await this.repo.division(r.value.divisionCode);
    return { ok: true, birthDate: r.value.birthDate, sex: r.value.sex, divisionCode: r.value.divisionCode, divisionName: division?.fullName ?? null };
  }

  async get(ctx: RequestContext, id: string): Promise<PatientDto> {
    const row = await this.repo.byId(id);
    if (!row) throw notFound(`患者 ${id} 不存在`);
    const decision = decidePatientAccess(await this.identity.patientScope(ctx.actor, ctx.clock.now()), row.managingOrganizationId);
    if (!decision.allowed) {
      await this.audit.record(ctx, [{ action: 'read', resourceType: 'Patient', resourceId: id, patientId: id, basis: 'none', outcome: 'denied' }]);
      throw forbidden(decision.reason);
    }
    await this.audit.record(ctx, [{ action: 'read', resourceType: 'Patient', resourceId: id, patientId: id, basis: decision.basis, outcome: 'allowed' }]);
    return toPatientDto(row);
  }

  async search(ctx: RequestContext, q: PatientQuery): Promise<Page<PatientDto>> {
    const filter: Omit<PatientFilter, 'scopeOrganizationIds'> = {
      idNumber: q.idNumber?.toUpperCase(), namePrefix: q.name, birthDate: q.birthDate, sex: q.sex, phone: q.phone, organizationId: q.organizationId,
    };
    if (q.q) Object.assign(filter, interpretFreeText(q.q));
    const { items, total } = await this.find(ctx, filter, (q.page - 1) * q.pageSize, q.pageSize, q.sort);
    return { items, total, page: q.page, pageSize: q.pageSize };
  }

  /** How many patients the actor may see, optionally of one organization: a number, no patient data, not audited. */
  async count(ctx: RequestContext, organizationId?: string): Promise<number> {
    const scope = await this.identity.patientScope(ctx.actor, ctx.clock.now());
    return this.repo.count({ scopeOrganizationIds: [...scope.keys()], organizationId });
  }

  /**
   * Search restricted to the actor's scope (the same rule as a single read); each returned patient is audited with the
   * basis that allowed it. Used by the JSON API and the FHIR façade.
   */
  async find(
    ctx: RequestContext,
    filter: Omit<PatientFilter, 'scopeOrganizationIds'>,
    offset: number,
    limit: number,
    sort: 'name' | 'birthDate' | 'createdAt' = 'name',
  ): Promise<{ items: PatientDto[]; total: number }> {
    const scope = await this.identity.patientScope(ctx.actor, ctx.clock.now());
    const { rows, total } = await this.repo.search({ ...filter, scopeOrganizationIds: [...scope.keys()] }, { offset, limit, sort });
    // The query is already scoped; deciding each row again is the same rule, and it yields the basis to audit.
    const allowed = rows.flatMap((r) => {
      const d = decidePatientAccess(scope, r.managingOrganizationId);
      return d.allowed ? [{ row: r, basis: d.basis }] : [];
    });
    await this.audit.record(
      ctx,
      allowed.map(({ row, basis }) => ({ action: 'search' as const, resourceType: 'Patient', resourceId: row.id, patientId: row.id, basis, outcome: 'allowed' as const })),
    );
    return { items: allowed.map(({ row }) => toPatientDto(row)), total };
  }

  /** Validated, duplicate-checked registration. Nothing is written when any check fails. */
  async register(ctx: RequestContext, input: PatientInput, opts: { id?: string } = {}): Promise<PatientDto> {
    const now = ctx.clock.now();
    const fields = await this.validate(input, now);
    const scope = await this.identity.patientScope(ctx.actor, now);
    const managingOrganizationId = input.managingOrganizationId ?? ctx.actor.organizationId;
    if (!managingOrganizationId) throw invalid('请指定患者的管理机构（managingOrganizationId）', 'managingOrganizationId');
    if (!(await this.repo.organizationExists(managingOrganizationId))) throw invalid(`机构 ${managingOrganizationId} 不存在`, 'managingOrganizationId');
    const decision = decidePatientAccess(scope, managingOrganizationId);
    if (!decision.allowed || !writeBases.includes(decision.basis)) {
      await this.audit.record(ctx, [{ action: 'create', resourceType: 'Patient', basis: 'none', outcome: 'denied', detail: { managingOrganizationId } }]);
      throw forbidden('无权为该机构登记患者');
    }
    if (fields.idNumber) {
      const existing = await this.repo.byIdNumber(fields.idNumber);
      if (existing) throw this.duplicateError(scope, existing);
    }
    if (!input.confirmNotDuplicate) {
      const suggestions = await this.suggestDuplicates(scope, { name: input.name, birthDate: fields.birthDate, phone: input.phone ?? null });
      if (suggestions.length) {
        throw new AppError('conflict', `可能重复登记：已有 ${suggestions.length} 位出生日期相同且姓名或手机号相近的患者，请核对；确认不是同一人后可继续登记`, {
          detail: { suggestions },
        });
      }
    }
    const id = opts.id ?? newId();
    try {
      await this.repo.insert({
        id,
        idNumber: fields.idNumber,
        name: input.name,
        sex: fields.sex,
        birthDate: fields.birthDate,
        phone: input.phone ?? null,
        residenceDivisionCode: input.residenceDivisionCode ?? null,
        countyCode: fields.countyCode,
        addressLine: input.addressLine ?? null,
        managingOrganizationId,
        familyDoctorTeam: input.familyDoctorTeam ?? null,
        chronicConditions: fields.chronicConditions,
        createdBy: ctx.actor.username,
        createdAt: now,
        updatedAt: now,
      });
    } catch (e) {
      // Two registrations of one ID number at once: the unique index decides, the loser gets the pointer.
      if (isUniqueViolation(e) && fields.idNumber) {
        const existing = await this.repo.byIdNumber(fields.idNumber);
        if (existing) throw this.duplicateError(scope, existing);
      }
      throw e;
    }
    await this.audit.record(ctx, [{ action: 'create', resourceType: 'Patient', resourceId: id, patientId: id, basis: decision.basis, outcome: 'allowed' }]);
    return toPatientDto((await this.repo.byId(id))!);
  }

  /** Full update (PUT semantics). `expectedVersion` (If-Match) guards against lost updates. */
  async update(ctx: RequestContext, id: string, input: PatientInput, expectedVersion?: number): Promise<PatientDto> {
    const now = ctx.clock.now();
    const row = await this.repo.byId(id);
    if (!row) throw notFound(`患者 ${id} 不存在`);
    const scope = await this.identity.patientScope(ctx.actor, now);
    const decision = decidePatientAccess(scope, row.managingOrganizationId);
    if (!decision.allowed || !writeBases.includes(decision.basis)) {
      await this.audit.record(ctx, [{ action: 'update', resourceType: 'Patient', resourceId: id, patientId: id, basis: 'none', outcome: 'denied' }]);
      throw forbidden(decision.allowed ? '当前访问依据不允许修改该患者信息' : decision.reason);
    }
    const fields = await this.validate(input, now);
    const managingOrganizationId = input.managingOrganizationId ?? row.managingOrganizationId;
    if (managingOrganizationId !== row.managingOrganizationId) {
      if (!(await this.repo.organizationExists(managingOrganizationId))) throw invalid(`机构 ${managingOrganizationId} 不存在`, 'managingOrganizationId');
      const target = decidePatientAccess(scope, managingOrganizationId);
      if (!target.allowed || !writeBases.includes(target.basis)) throw forbidden('无权将患者转至该机构管理');
    }
    if (fields.idNumber && fields.idNumber !== row.idNumber) {
      const existing = await this.repo.byIdNumber(fields.idNumber);
      if (existing && existing.id !== id) throw this.duplicateError(scope, existing);
    }
    let applied: boolean;
    try {
      applied = await this.repo.update(
        id,
        expectedVersion ?? row.version,
        {
          idNumber: fields.idNumber, name: input.name, sex: fields.sex, birthDate: fields.birthDate, phone: input.phone ?? null,
          residenceDivisionCode: input.residenceDivisionCode ?? null, countyCode: fields.countyCode, addressLine: input.addressLine ?? null,
          managingOrganizationId, familyDoctorTeam: input.familyDoctorTeam ?? null, chronicConditions: fields.chronicConditions,
        },
        now,
      );
    } catch (e) {
      if (isUniqueViolation(e) && fields.idNumber) {
        const existing = await this.repo.byIdNumber(fields.idNumber);
        if (existing) throw this.duplicateError(scope, existing);
      }
      throw e;
    }
    if (!applied) throw new AppError('conflict', '该患者信息已被他人修改，请刷新后重试', { detail: { currentVersion: (await this.repo.byId(id))?.version } });
    await this.audit.record(ctx, [{ action: 'update', resourceType: 'Patient', resourceId: id, patientId: id, basis: decision.basis, outcome: 'allowed' }]);
    return toPatientDto((await this.repo.byId(id))!);
  }

  /** Suggestions for the registration form before it is submitted. */
  async duplicateSuggestions(ctx: RequestContext, candidate: { name: string; birthDate: string; phone: string | null }): Promise<DuplicateSuggestion[]> {
    return this.suggestDuplicates(await this.identity.patientScope(ctx.actor, ctx.clock.now()), candidate);
  }

  private async suggestDuplicates(scope: PatientScope, candidate: { name: string; birthDate: string; phone: string | null }): Promise<DuplicateSuggestion[]> {
    const sameDay = await this.repo.sameBirthDate(candidate.birthDate);
    return sameDay
      .map((p) => ({ p, reasons: duplicateReasons(candidate, p) }))
      .filter((x) => x.reasons.length > 0)
      .slice(0, 10)
      .map(({ p, reasons }) => {
        const visible = scope.has(p.managingOrganizationId);
        return {
          id: p.id,
          name: visible ? p.name : maskName(p.name),
          birthDate: p.birthDate,
          phone: visible ? p.phone : p.phone ? `${p.phone.slice(0, 3)}****${p.phone.slice(-4)}` : null,
          managingOrganizationName: p.managingOrganizationName,
          reasons,
        };
      });
  }

  private duplicateError(scope: PatientScope, existing: PatientRow): AppError {
    const visible = scope.has(existing.managingOrganizationId);
    return new AppError('duplicate', `该身份证号码已登记：${visible ? existing.name : maskName(existing.name)}（${existing.managingOrganizationName}），同一身份证号即同一人，请勿重复登记`, {
      path: 'idNumber',
      detail: {
        existing: {
          id: existing.id,
          name: visible ? existing.name : maskName(existing.name),
          managingOrganizationName: existing.managingOrganizationName,
          accessible: visible,
        },
      },
    });
  }

  /** Checks the ID number, cross-checks birth date and sex against it, and checks the residence division. */
  private async validate(input: PatientInput, now: Date) {
    let idNumber: string | null = null;
    let birthDate = input.birthDate;
    let sex = input.sex;
    if (input.idNumber) {
      const r = parseResidentId(input.idNumber, shanghaiDate(now));
      if (!r.ok) throw invalid(r.message, 'idNumber');
      idNumber = r.value.idNumber;
      if (birthDate && birthDate !== r.value.birthDate) throw invalid(`出生日期 ${birthDate} 与身份证号码中的出生日期 ${r.value.birthDate} 不一致`, 'birthDate');
      if (sex && sex !== r.value.sex) throw invalid(`性别与身份证号码不一致（身份证号码第17位表示${r.value.sex === 'male' ? '男' : '女'}性）`, 'sex');
      birthDate = r.value.birthDate;
      sex = r.value.sex;
    }
    if (!birthDate) throw invalid('没有身份证号码时必须填写出生日期', 'birthDate');
    if (!sex) throw invalid('没有身份证号码时必须填写性别', 'sex');
    if (Number.isNaN(new Date(`${birthDate}T00:00:00Z`).getTime()) || birthDate > shanghaiDate(now) || birthDate < '1880-01-01') {
      throw invalid(`出生日期 ${birthDate} 无效`, 'birthDate');
    }
    let countyCode: string | null = null;
    if (input.residenceDivisionCode) {
      const d = await this.repo.division(input.residenceDivisionCode);
      if (!d) throw invalid(`居住地行政区划代码 ${input.residenceDivisionCode} 不存在`, 'residenceDivisionCode');
      countyCode = d.countyCode ?? (d.level === 'county' ? d.code : null);
    }
    const chronicConditions = [...new Set(input.chronicConditions.map((c) => c.toUpperCase()))];
    for (const [i, c] of chronicConditions.entries()) if (!normaliseIcd10(c)) throw invalid(`慢性病编码 ${c} 不是有效的 ICD-10 编码`, `chronicConditions[${i}]`);
    return { idNumber, birthDate, sex, countyCode, chronicConditions };
  }
}

/** The search box takes a name, an ID number or a phone number. */
function interpretFreeText(q: string): Partial<PatientFilter> {
  const t = q.trim();
  if (/^\d{17}[\dXx]$/.test(t)) return { idNumber: t.toUpperCase() };
  if (/^1\d{10}$/.test(t)) return { phone: t };
  return { namePrefix: t };
}

export function toPatientDto(r: PatientRow): PatientDto {
  return {
    id: r.id,
    idNumber: r.idNumber,
    name: r.name,
    sex: r.sex,
    birthDate: r.birthDate,
    phone: r.phone,
    residenceDivisionCode: r.residenceDivisionCode,
    residenceDivisionName: r.residenceDivisionName,
    addressLine: r.addressLine,
    managingOrganizationId: r.managingOrganizationId,
    managingOrganizationName: r.managingOrganizationName,
    familyDoctorTeam: r.familyDoctorTeam,
    chronicConditions: r.chronicConditions,
    version: r.version,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

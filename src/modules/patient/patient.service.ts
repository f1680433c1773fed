import type { Db } from '../../db/client.js';
import type { RequestContext } from '../../shared/context.js';
import { shanghaiDate } from '../../shared/clock.js';
import { AppError, forbidden, invalid, notFound } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import type { Page } from '../../shared/pagination.js';
import type { AccessBasis } from '../../contracts/codes.js';
import type { DuplicateSuggestion, PatientDto, PatientInput, PatientQuery } from '../../contracts/patient.js';
import type { AuditEntry, AuditService } from '../audit/index.js';
import { decidePatientAccess, type IdentityService, type PatientScope } from '../identity/index.js';
import { isUniqueViolation, normaliseIcd10 } from '../network/index.js';
import { PatientRepository, type DivisionRef, type PatientFilter, type PatientInsert, type PatientRow, type RegisteredPerson } from './patient.repository.js';
import { maskName, resolveBatchRegistrations, similarPeople, type BatchCandidate, type PersonRef } from './patient.rules.js';
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
/** Further reasons an actor may see one patient (e.g. `open-referral`), supplied by other modules. */
export type AccessBasisProvider = (actor: RequestContext['actor'], patientId: string) => Promise<AccessBasis[]>;

export class PatientService {
  private readonly repo: PatientRepository;
  private readonly basisProviders: AccessBasisProvider[] = [];
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

  /**
   * Modules that create further access bases (an open referral now; a family-doctor contract later) register a provider
   * here; the patient module stays free of their imports.
   */
  addAccessBasisProvider(provider: AccessBasisProvider): void {
    this.basisProviders.push(provider);
  }

  private async extraBases(actor: RequestContext['actor'], patientId: string): Promise<AccessBasis[]> {
    const all = await Promise.all(this.basisProviders.map((p) => p(actor, patientId)));
    return all.flat();
  }

  async get(ctx: RequestContext, id: string): Promise<PatientDto> {
    const row = await this.repo.byId(id);
    if (!row) throw notFound(`患者 ${id} 不存在`);
    const scope = await this.identity.patientScope(ctx.actor, ctx.clock.now());
    const extra = scope.has(row.managingOrganizationId) ? [] : await this.extraBases(ctx.actor, id);
    const decision = decidePatientAccess(scope, row.managingOrganizationId, extra);
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
    const [result] = await this.registerBatch(ctx, [input], [opts.id]);
    if (!result!.ok) throw result!.error;
    return toPatientDto((await this.repo.byId(result!.patient.id))!);
  }

  /**
   * Registers many patients (imports) with the rules of `register` and a fixed number of queries per batch instead of
   * about ten per row. Results come in input order, and each row ends as it would have had the rows been registered
   * one by one in that order: an earlier row of the batch counts as registered for the duplicate checks of later rows.
   * A refused row writes nothing but, like `register`, the audit row of a denial; the registered rows and their audit
   * rows commit together. Inputs are the parsed contract (`patientInputSchema`).
   */
  async registerMany(ctx: RequestContext, inputs: readonly PatientInput[]): Promise<RegistrationResult[]> {
    return this.registerBatch(ctx, inputs, []);
  }

  /**
   * One code path for one row and for many: reference data for the whole batch in one query each, every row's own
   * checks (pure), then the duplicate checks (one query for ID numbers, one for birth dates, in-batch resolution in
   * patient.rules.ts), then one transaction with a multi-row insert and a multi-row audit insert.
   */
  private async registerBatch(ctx: RequestContext, inputs: readonly PatientInput[], ids: readonly (string | undefined)[]): Promise<RegistrationResult[]> {
    const now = ctx.clock.now();
    const [scope, divisions, organizationNames] = await Promise.all([
      this.identity.patientScope(ctx.actor, now),
      this.repo.divisionsByCode(distinct(inputs.map((i) => i.residenceDivisionCode))),
      this.repo.organizationNames(distinct(inputs.map((i) => i.managingOrganizationId ?? ctx.actor.organizationId))),
    ]);
    const admissions = inputs.map((input) => admit(ctx, scope, input, shanghaiDate(now), divisions, organizationNames));
    // A registration that lost a race for an ID number (registered by someone else between our check and our insert)
    // rolls the batch back; the next attempt sees that registration and reports the row as its duplicate.
    for (let attempt = 1; attempt <= maxRegistrationAttempts; attempt++) {
      const results = await this.writeAdmitted(ctx, scope, admissions, ids, now);
      if (results) return results;
    }
    throw new AppError('conflict', '登记时有其他人同时登记了相同身份证号码的患者，请稍后重试');
  }

  /** The duplicate checks and the writes of one attempt; null when a row lost a race and the attempt was rolled back. */
  private async writeAdmitted(
    ctx: RequestContext,
    scope: PatientScope,
    admissions: readonly Admission[],
    ids: readonly (string | undefined)[],
    now: Date,
  ): Promise<RegistrationResult[] | null> {
    const candidates = admissions.map((a): BatchCandidate | null =>
      a.ok ? { idNumber: a.fields.idNumber, name: a.input.name, birthDate: a.fields.birthDate, phone: a.input.phone ?? null, confirmNotDuplicate: a.input.confirmNotDuplicate } : null,
    );
    const [withIdNumbers, bornOnBatchDates] = await Promise.all([
      this.repo.registeredWithIdNumbers(distinct(candidates.map((c) => c?.idNumber))),
      this.repo.registeredBornOn(distinct(candidates.map((c) => (c && !c.confirmNotDuplicate ? c.birthDate : null)))),
    ]);
    const decisions = resolveBatchRegistrations(candidates, { withIdNumbers, bornOnBatchDates });
    const newIds = admissions.map((a, i) => (a.ok ? (ids[i] ?? newId()) : ''));
    const personOf = (ref: PersonRef<RegisteredPerson>): RegisteredPerson => {
      if ('registered' in ref) return ref.registered;
      const a = admissions[ref.batchIndex] as Extract<Admission, { ok: true }>;
      return {
        id: newIds[ref.batchIndex]!, idNumber: a.fields.idNumber, name: a.input.name, birthDate: a.fields.birthDate, phone: a.input.phone ?? null,
        managingOrganizationId: a.managingOrganizationId, managingOrganizationName: a.managingOrganizationName,
      };
    };

    const results: RegistrationResult[] = [];
    const rows: PatientInsert[] = [];
    const audits: AuditEntry[] = [];
    admissions.forEach((a, i) => {
      const decision = decisions[i];
      if (!a.ok) {
        if (a.audit) audits.push(a.audit);
        results.push({ ok: false, error: a.error });
      } else if (decision?.kind === 'duplicate') {
        results.push({ ok: false, error: this.duplicateError(scope, personOf(decision.of)) });
      } else if (decision?.kind === 'similar') {
        results.push({ ok: false, error: possibleDuplicateError(decision.suggestions.map((s) => toSuggestion(scope, personOf(s.of), s.reasons))) });
      } else {
        const id = newIds[i]!;
        rows.push({ id, ...patientColumns(a.input, a.fields, a.managingOrganizationId), createdBy: ctx.actor.username, createdAt: now, updatedAt: now });
        audits.push({ action: 'create', resourceType: 'Patient', resourceId: id, patientId: id, basis: a.basis, outcome: 'allowed' });
        results.push({ ok: true, patient: { id, name: a.input.name } });
      }
    });
    if (rows.length === 0 && audits.length === 0) return results;
    try {
      await this.repo.transaction(async (repo, tx) => {
        if (rows.length && (await repo.insertNew(rows)).size !== rows.length) throw new LostRace();
        await this.audit.record(ctx, audits, tx);
      });
    } catch (e) {
      if (e instanceof LostRace) return null;
      throw e;
    }
    return results;
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
    const checked = checkPatientFields(input, shanghaiDate(now), await this.repo.divisionsByCode(distinct([input.residenceDivisionCode])));
    if (!checked.ok) throw checked.error;
    const fields = checked.fields;
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
        patientColumns(input, fields, managingOrganizationId),
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
    return similarPeople(candidate, await this.repo.registeredBornOn([candidate.birthDate])).map(({ person, reasons }) => toSuggestion(scope, person, reasons));
  }

  private duplicateError(scope: PatientScope, existing: RegisteredPerson): AppError {
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
}

/** The outcome of one row of `registerMany`. */
export type RegistrationResult = { ok: true; patient: { id: string; name: string } } | { ok: false; error: AppError };

/** Attempts of one batch when rows keep losing races for their ID numbers (each attempt sees the winners). */
const maxRegistrationAttempts = 5;

class LostRace extends Error {}

interface CheckedFields {
  idNumber: string | null;
  birthDate: string;
  sex: 'male' | 'female';
  countyCode: string | null;
  chronicConditions: string[];
}

/** A row after its own checks: admitted (awaiting the duplicate checks), or refused (with the audit row of a denial). */
type Admission =
  | { ok: true; input: PatientInput; fields: CheckedFields; managingOrganizationId: string; managingOrganizationName: string; basis: AccessBasis }
  | { ok: false; error: AppError; audit?: AuditEntry };

/**
 * The checks of one registration that need no duplicate search, in the order `register` has always applied them:
 * fields, managing organization, then the access rule with a write basis.
 */
function admit(
  ctx: RequestContext,
  scope: PatientScope,
  input: PatientInput,
  today: string,
  divisions: ReadonlyMap<string, DivisionRef>,
  organizationNames: ReadonlyMap<string, string>,
): Admission {
  const checked = checkPatientFields(input, today, divisions);
  if (!checked.ok) return checked;
  const managingOrganizationId = input.managingOrganizationId ?? ctx.actor.organizationId;
  if (!managingOrganizationId) return { ok: false, error: invalid('请指定患者的管理机构（managingOrganizationId）', 'managingOrganizationId') };
  const managingOrganizationName = organizationNames.get(managingOrganizationId);
  if (managingOrganizationName === undefined) return { ok: false, error: invalid(`机构 ${managingOrganizationId} 不存在`, 'managingOrganizationId') };
  const decision = decidePatientAccess(scope, managingOrganizationId);
  if (!decision.allowed || !writeBases.includes(decision.basis)) {
    return {
      ok: false,
      error: forbidden('无权为该机构登记患者'),
      audit: { action: 'create', resourceType: 'Patient', basis: 'none', outcome: 'denied', detail: { managingOrganizationId } },
    };
  }
  return { ok: true, input, fields: checked.fields, managingOrganizationId, managingOrganizationName, basis: decision.basis };
}

/**
 * Checks the ID number (GB 11643), cross-checks birth date and sex against it, checks the residence division and the
 * chronic-condition codes. The one validation of a patient's fields, for registration and update.
 */
function checkPatientFields(
  input: PatientInput,
  today: string,
  divisions: ReadonlyMap<string, DivisionRef>,
): { ok: true; fields: CheckedFields } | { ok: false; error: AppError } {
  const fail = (message: string, path: string) => ({ ok: false as const, error: invalid(message, path) });
  let idNumber: string | null = null;
  let birthDate = input.birthDate;
  let sex = input.sex;
  if (input.idNumber) {
    const r = parseResidentId(input.idNumber, today);
    if (!r.ok) return fail(r.message, 'idNumber');
    idNumber = r.value.idNumber;
    if (birthDate && birthDate !== r.value.birthDate) return fail(`出生日期 ${birthDate} 与身份证号码中的出生日期 ${r.value.birthDate} 不一致`, 'birthDate');
    if (sex && sex !== r.value.sex) return fail(`性别与身份证号码不一致（身份证号码第17位表示${r.value.sex === 'male' ? '男' : '女'}性）`, 'sex');
    birthDate = r.value.birthDate;
    sex = r.value.sex;
  }
  if (!birthDate) return fail('没有身份证号码时必须填写出生日期', 'birthDate');
  if (!sex) return fail('没有身份证号码时必须填写性别', 'sex');
  if (Number.isNaN(new Date(`${birthDate}T00:00:00Z`).getTime()) || birthDate > today || birthDate < '1880-01-01') {
    return fail(`出生日期 ${birthDate} 无效`, 'birthDate');
  }
  let countyCode: string | null = null;
  if (input.residenceDivisionCode) {
    const d = divisions.get(input.residenceDivisionCode);
    if (!d) return fail(`居住地行政区划代码 ${input.residenceDivisionCode} 不存在`, 'residenceDivisionCode');
    countyCode = d.countyCode ?? (d.level === 'county' ? d.code : null);
  }
  const chronicConditions = [...new Set(input.chronicConditions.map((c) => c.toUpperCase()))];
  for (const [i, c] of chronicConditions.entries()) if (!normaliseIcd10(c)) return fail(`慢性病编码 ${c} 不是有效的 ICD-10 编码`, `chronicConditions[${i}]`);
  return { ok: true, fields: { idNumber, birthDate, sex, countyCode, chronicConditions } };
}

/** The stored columns of a patient from checked input: the one row builder, for insert and update. */
function patientColumns(input: PatientInput, fields: CheckedFields, managingOrganizationId: string) {
  return {
    idNumber: fields.idNumber, name: input.name, sex: fields.sex, birthDate: fields.birthDate, phone: input.phone ?? null,
    residenceDivisionCode: input.residenceDivisionCode ?? null, countyCode: fields.countyCode, addressLine: input.addressLine ?? null,
    managingOrganizationId, familyDoctorTeam: input.familyDoctorTeam ?? null, chronicConditions: fields.chronicConditions,
  } satisfies Partial<PatientInsert>;
}

/** A similar person as shown to the registrar: masked unless the registrar may see that patient anyway. */
function toSuggestion(scope: PatientScope, p: RegisteredPerson, reasons: string[]): DuplicateSuggestion {
  const visible = scope.has(p.managingOrganizationId);
  return {
    id: p.id,
    name: visible ? p.name : maskName(p.name),
    birthDate: p.birthDate,
    phone: visible ? p.phone : p.phone ? `${p.phone.slice(0, 3)}****${p.phone.slice(-4)}` : null,
    managingOrganizationName: p.managingOrganizationName,
    reasons,
  };
}

function possibleDuplicateError(suggestions: DuplicateSuggestion[]): AppError {
  return new AppError('conflict', `可能重复登记：已有 ${suggestions.length} 位出生日期相同且姓名或手机号相近的患者，请核对；确认不是同一人后可继续登记`, {
    detail: { suggestions },
  });
}

/** The distinct non-empty values, for one `= any($1)` query. */
function distinct<T>(values: Iterable<T | null | undefined>): T[] {
  return [...new Set(values)].filter((v): v is T => v !== null && v !== undefined && v !== '');
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

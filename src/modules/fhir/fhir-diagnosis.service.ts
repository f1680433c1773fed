import type { Communication, DiagnosticReport, Flag, OperationOutcome, Resource, ServiceRequest } from '@medplum/fhirtypes';
import type { Urgency } from '../../contracts/codes.js';
import {
  centerTypes, diagnosisStatuses, type CenterType, type CriticalValueDto, type DiagnosisRequestDto, type DiagnosisStatus, type ReportStatus,
} from '../../contracts/diagnosis.js';
import type { RequestContext } from '../../shared/context.js';
import { AppError, invalid, isAppError, notFound } from '../../shared/errors.js';
import type { DiagnosisService, FhirDiagnosisFilter } from '../diagnosis/index.js';
import {
  acknowledgementFromFhir, acknowledgementToCommunication, centerTypeOfCoding, criticalToFlag, diagnosisRequestExpressions, diagnosisRequestFromFhir,
  diagnosisToDiagnosticReport, diagnosisToImagingStudies, diagnosisToServiceRequest, diagnosisToTask, reportExpressions, reportFromFhir,
} from './fhir-diagnosis.mapping.js';
import { PATIENT_REFERRAL, systems } from './fhir.codes.js';
import { naming } from './fhir.preconditions.js';
import { pageOf, parseDayRange, parseReferenceId, parseToken, type ParsedSearch } from './fhir.search.js';

/** The diagnosis service's public API as the façade uses it (access rule, audit and lifecycle stay there). */
export type DiagnosisPort = Pick<
  DiagnosisService,
  'get' | 'searchForFhir' | 'getCritical' | 'createRequest' | 'writeReport' | 'acknowledgeCritical' | 'listCenters' | 'listReaders' | 'listCriticals'
>;

export type DiagnosisResourceType = 'DiagnosticReport' | 'ImagingStudy' | 'Flag' | 'Communication';
type Found = { resources: Resource[]; total: number };
/** A search over referrals only (FhirReferralService), with the page the merged search asks of it. */
export type ReferralSearch = (s: ParsedSearch) => Promise<Found>;

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
/** Requests read in full for an in-memory search (ImagingStudy, Flag by patient); beyond it the search must be narrowed. */
const MEMORY_LIMIT = 200;
const noSuch = (type: string, id: string) => notFound(`${type}/${id} 不存在`);
const notSupported = (message: string) => new AppError('invalid', message, { detail: { fhirIssueCode: 'not-supported' } });
const single = (s: ParsedSearch, name: string): string | undefined => s.params.get(name)?.values[0];
const none: Found = { resources: [], total: 0 };
const TASK_STATUS_SYSTEM = 'http://hl7.org/fhir/task-status';
const REQUEST_STATUS_SYSTEM = 'http://hl7.org/fhir/request-status';
const REPORT_STATUS_SYSTEM = 'http://hl7.org/fhir/diagnostic-report-status';

/** Request-status codes (ServiceRequest.status) → the worklist statuses they stand for. */
const byRequestStatus: Record<string, readonly DiagnosisStatus[]> = {
  active: ['requested', 'in-progress', 'preliminary', 'awaiting-signoff'], 'on-hold': ['returned'], completed: ['completed'], revoked: ['cancelled'],
  draft: [], 'entered-in-error': [], unknown: [],
};
/** Task-status codes → the worklist statuses they stand for (the others a diagnosis Task never takes). */
const byTaskStatus: Record<string, readonly DiagnosisStatus[]> = {
  requested: ['requested'], 'in-progress': ['in-progress', 'preliminary', 'awaiting-signoff'], 'on-hold': ['returned'], completed: ['completed'], cancelled: ['cancelled'],
  draft: [], received: [], accepted: [], rejected: [], ready: [], failed: [], 'entered-in-error': [],
};
const sections: Record<string, CenterType> = { RAD: 'imaging', EC: 'ecg', PAT: 'pathology', LAB: 'lab' };

/** `<request id>-<n>` or `<request id>-unparsed` → the request id. */
const requestIdOfStudy = (id: string): string | undefined => /^(.+)-(?:\d+|unparsed)$/.exec(id)?.[1];

/**
 * The shared diagnosis centers over FHIR (docs/fhir.md, "Diagnosis centers"): ServiceRequest and Task beside the
 * referrals' (same resource types, merged searches split by `category`), DiagnosticReport, ImagingStudy, Flag and
 * Communication. Every read, search and write goes through DiagnosisService — its access rule (partiesOf), audit and
 * lifecycle table; this class only maps.
 */
export class FhirDiagnosisService {
  constructor(private readonly diagnosis: DiagnosisPort) {}

  // ---- read

  /** The request behind a ServiceRequest, Task or DiagnosticReport id; absent → undefined (the caller may try referrals). */
  async request(ctx: RequestContext, id: string): Promise<DiagnosisRequestDto | undefined> {
    if (!FHIR_ID.test(id)) return undefined;
    try {
      return await this.diagnosis.get(ctx, id);
    } catch (e) {
      if (isAppError(e) && e.code === 'not_found') return undefined;
      throw e;
    }
  }

  /** ServiceRequest or Task of a diagnosis request, undefined when the id is not one (the referral store answers then). */
  async readRequest(ctx: RequestContext, type: 'ServiceRequest' | 'Task', id: string): Promise<Resource | undefined> {
    const d = await this.request(ctx, id);
    if (!d) return undefined;
    return type === 'ServiceRequest' ? diagnosisToServiceRequest(d) : (await this.tasks(ctx, [d]))[0]!;
  }

  async read(ctx: RequestContext, type: DiagnosisResourceType, id: string): Promise<Resource> {
    if (!FHIR_ID.test(id)) throw noSuch(type, id);
    switch (type) {
      case 'DiagnosticReport': {
        const d = await this.request(ctx, id);
        const r = d && diagnosisToDiagnosticReport(d);
        if (!r) throw noSuch(type, id);
        return r;
      }
      case 'ImagingStudy': {
        const requestId = requestIdOfStudy(id);
        const d = requestId ? await this.request(ctx, requestId) : undefined;
        const study = d && diagnosisToImagingStudies(d).find((x) => x.id === id);
        if (!study) throw noSuch(type, id);
        return study;
      }
      case 'Flag':
      case 'Communication': {
        const found = await this.critical(ctx, id);
        const r = found && (type === 'Flag' ? criticalToFlag(found.critical, found.request) : acknowledgementToCommunication(found.critical, found.request));
        if (!r) throw noSuch(type, id);
        return r;
      }
    }
  }

  private async critical(ctx: RequestContext, id: string): Promise<{ critical: CriticalValueDto; request: DiagnosisRequestDto } | undefined> {
    try {
      return await this.diagnosis.getCritical(ctx, id);
    } catch (e) {
      if (isAppError(e) && e.code === 'not_found') return undefined;
      throw e;
    }
  }

  /** Tasks of requests: the claiming reader's Practitioner comes from the center's reader list (one read per center). */
  private async tasks(ctx: RequestContext, ds: readonly DiagnosisRequestDto[]): Promise<Resource[]> {
    const readers = new Map<string, Map<string, string | null>>();
    const out: Resource[] = [];
    for (const d of ds) {
      let claimer: { practitionerId: string | null } | null = null;
      if (d.claimedBy) {
        let byUser = readers.get(d.center.id);
        if (!byUser) {
          byUser = new Map((await this.diagnosis.listReaders(ctx, d.center.id)).map((r) => [r.userId, r.practitionerId]));
          readers.set(d.center.id, byUser);
        }
        claimer = { practitionerId: byUser.get(d.claimedBy) ?? null };
      }
      out.push(diagnosisToTask(d, claimer));
    }
    return out;
  }

  // ---- search: ServiceRequest and Task, merged with the referrals

  /**
   * A ServiceRequest or Task search over both stores. `category` (ServiceRequest) picks the store: the referral code
   * searches only referrals, a center type only diagnosis requests; parameters only diagnosis requests have
   * (authored, _sort, business-status, owner=Practitioner) leave the referrals out. Over both stores the result is the
   * referrals (in their order) followed by the diagnosis requests (newest first), so `_offset` paging stays exact and
   * `total` is the sum.
   */
  async searchWithReferrals(ctx: RequestContext, s: ParsedSearch, referrals: ReferralSearch): Promise<Found> {
    const plan = s.resourceType === 'ServiceRequest' ? this.planServiceRequest(s) : this.planTask(s);
    if (!plan.referrals && !plan.diagnosis) return none;
    if (!plan.diagnosis) return referrals(s);
    const toResources = async (ds: DiagnosisRequestDto[]) => (s.resourceType === 'ServiceRequest' ? ds.map(diagnosisToServiceRequest) : this.tasks(ctx, ds));
    if (!plan.referrals) {
      const { items, total } = await this.diagnosis.searchForFhir(ctx, plan.diagnosis, { offset: s.offset, limit: s.count });
      return { resources: await toResources(items), total };
    }
    const r = await referrals(s);
    const { items, total } = await this.diagnosis.searchForFhir(ctx, plan.diagnosis, { offset: Math.max(0, s.offset - r.total), limit: Math.max(0, s.count - r.resources.length) });
    return { resources: [...r.resources, ...(await toResources(items))], total: r.total + total };
  }

  private planServiceRequest(s: ParsedSearch): { referrals: boolean; diagnosis: FhirDiagnosisFilter | null } {
    let referrals = true;
    let types: CenterType[] | undefined;
    const category = s.params.get('category');
    if (category) {
      referrals = false;
      const set = new Set<CenterType>();
      for (const raw of category.values) {
        const t = parseToken(raw);
        if ((t.system === undefined || t.system === systems.snomed) && t.code === PATIENT_REFERRAL.code) referrals = true;
        else if (t.system === systems.referralDirection) throw notSupported(`搜索参数 category 不支持转诊方向（${systems.referralDirection}）；转诊请用 ${PATIENT_REFERRAL.system}|${PATIENT_REFERRAL.code}`);
        else if (t.system === systems.diagnosisCenterType && !(centerTypes as readonly string[]).includes(t.code)) throw invalid(`搜索参数 category 的代码 "${t.code}" 未知（可用：${centerTypes.join(', ')}）`, 'category');
        else {
          const type = centerTypeOfCoding(t.system, t.code);
          if (type) set.add(type);
        }
      }
      types = set.size ? [...set] : undefined;
      if (!types) return { referrals, diagnosis: null };
    }
    const diagnosisOnly = ['authored', '_sort'].filter((n) => s.params.has(n));
    if (diagnosisOnly.length && referrals) {
      throw notSupported(`搜索参数 ${diagnosisOnly.join('、')} 只适用于诊断申请：请同时用 category 指明诊断中心类型（${systems.diagnosisCenterType}|imaging 等），不含转诊`);
    }
    const f: FhirDiagnosisFilter = { centerTypes: types };
    if (!this.common(s, f, ['subject', 'patient'])) return { referrals, diagnosis: null };
    const performer = single(s, 'performer');
    if (performer) f.centerOrganizationId = parseReferenceId('performer', performer, 'Organization');
    const status = s.params.get('status');
    if (status) {
      const statuses = this.codes(status.values, REQUEST_STATUS_SYSTEM, byRequestStatus, 'status');
      if (!statuses.length) return { referrals, diagnosis: null };
      f.statuses = statuses;
    }
    const priority = single(s, 'priority');
    if (priority) {
      const t = parseToken(priority);
      const urgency = ({ routine: 'routine', urgent: 'urgent', asap: 'emergency', stat: 'emergency' } as Record<string, Urgency>)[t.code];
      if (!urgency) throw invalid(`搜索参数 priority 应为 routine、urgent、asap 或 stat，收到 "${t.code}"`, 'priority');
      if (t.system !== undefined && t.system !== 'http://hl7.org/fhir/request-priority') return { referrals, diagnosis: null };
      f.urgencies = [urgency];
    }
    for (const occurrence of s.params.get('authored')?.occurrences ?? []) {
      const range = parseDayRange('authored', occurrence[0]!);
      const from = range.from ? new Date(`${range.from}T00:00:00+08:00`) : undefined;
      const before = range.to ? new Date(new Date(`${range.to}T00:00:00+08:00`).getTime() + 86_400_000) : undefined;
      if (from && (!f.submittedFrom || from > f.submittedFrom)) f.submittedFrom = from;
      if (before && (!f.submittedBefore || before < f.submittedBefore)) f.submittedBefore = before;
    }
    if (f.submittedFrom && f.submittedBefore && f.submittedBefore <= f.submittedFrom) return { referrals, diagnosis: null };
    const sort = single(s, '_sort');
    if (sort !== undefined) {
      if (sort !== '-authored' && sort !== 'authored') throw notSupported(`_sort=${sort} 不受支持（可用：-authored、authored）`);
      f.sort = sort === 'authored' ? 'submitted-asc' : 'submitted-desc';
    }
    return { referrals, diagnosis: f };
  }

  private planTask(s: ParsedSearch): { referrals: boolean; diagnosis: FhirDiagnosisFilter | null } {
    let referrals = true;
    const f: FhirDiagnosisFilter = {};
    const business = s.params.get('business-status');
    if (business) {
      referrals = false;
      const statuses: DiagnosisStatus[] = [];
      for (const raw of business.values) {
        const t = parseToken(raw);
        if (t.system === systems.referralSubState) throw notSupported('搜索参数 business-status 目前只用于诊断申请（转诊的子状态请用 status=in-progress 后在结果中查看）');
        if (t.system !== undefined && t.system !== systems.diagnosisStatus) continue;
        if (!(diagnosisStatuses as readonly string[]).includes(t.code)) throw invalid(`搜索参数 business-status 的代码 "${t.code}" 未知（可用：${diagnosisStatuses.join(', ')}）`, 'business-status');
        statuses.push(t.code as DiagnosisStatus);
      }
      if (!statuses.length) return { referrals, diagnosis: null };
      f.statuses = statuses;
    }
    const owner = single(s, 'owner');
    if (owner) {
      const m = /^(?:.*\/)?(Organization|Practitioner)\/([A-Za-z0-9\-.]{1,64})$/.exec(owner);
      if (m?.[1] === 'Practitioner') {
        referrals = false;
        f.claimedByPractitionerId = m[2]!;
      } else {
        // The center owns what nobody has claimed yet; referrals validate the reference themselves.
        f.centerOrganizationId = parseReferenceId('owner', owner, 'Organization');
        f.unclaimed = true;
      }
    }
    if (!this.common(s, f, ['patient'])) return { referrals, diagnosis: null };
    const focus = s.params.get('focus');
    if (focus) {
      const ids = focus.values.map((v) => parseReferenceId('focus', v, 'ServiceRequest'));
      f.ids = f.ids ? f.ids.filter((x) => ids.includes(x)) : ids;
      if (!f.ids.length) return { referrals, diagnosis: null };
    }
    const status = s.params.get('status');
    if (status) {
      const statuses = this.codes(status.values, TASK_STATUS_SYSTEM, byTaskStatus, 'status');
      f.statuses = f.statuses ? f.statuses.filter((x) => statuses.includes(x)) : statuses;
      if (!f.statuses.length) return { referrals, diagnosis: null };
    }
    return { referrals, diagnosis: f };
  }

  /** _id, patient parameters and requester; false when they contradict each other. */
  private common(s: ParsedSearch, f: FhirDiagnosisFilter, patientParams: readonly string[]): boolean {
    const id = s.params.get('_id');
    if (id) f.ids = id.values;
    for (const name of patientParams) {
      const v = single(s, name);
      if (!v) continue;
      const patientId = parseReferenceId(name, v, 'Patient');
      if (f.patientId && f.patientId !== patientId) return false;
      f.patientId = patientId;
    }
    const requester = single(s, 'requester');
    if (requester) f.requesterOrganizationId = parseReferenceId('requester', requester, 'Organization');
    return true;
  }

  /** Token values of an HL7 status system → worklist statuses; a foreign system matches nothing, an unknown code is a 400. */
  private codes(values: readonly string[], system: string, table: Record<string, readonly DiagnosisStatus[]>, param: string): DiagnosisStatus[] {
    const out = new Set<DiagnosisStatus>();
    for (const raw of values) {
      const t = parseToken(raw);
      if (t.system !== undefined && t.system !== system) continue;
      const statuses = table[t.code];
      if (!statuses) throw invalid(`搜索参数 ${param} 的代码 "${t.code}" 未知（可用：${Object.keys(table).join(', ')}）`, param);
      for (const x of statuses) out.add(x);
    }
    return [...out];
  }

  // ---- search: the diagnosis-only resource types

  async search(ctx: RequestContext, s: ParsedSearch): Promise<Found> {
    switch (s.resourceType) {
      case 'DiagnosticReport': {
        const f = this.planReport(s);
        if (!f) return none;
        const { items, total } = await this.diagnosis.searchForFhir(ctx, f, { offset: s.offset, limit: s.count });
        return { resources: items.map(diagnosisToDiagnosticReport).filter((r): r is DiagnosticReport => !!r), total };
      }
      case 'ImagingStudy': {
        const f: FhirDiagnosisFilter = { attachmentKind: 'dicom' };
        const ids = s.params.get('_id')?.values;
        if (ids) {
          f.ids = ids.map(requestIdOfStudy).filter((x): x is string => !!x);
          if (!f.ids.length) return none;
        }
        const basedOn = single(s, 'basedon');
        if (basedOn) {
          const id = parseReferenceId('basedon', basedOn, 'ServiceRequest');
          f.ids = f.ids ? f.ids.filter((x) => x === id) : [id];
          if (!f.ids.length) return none;
        }
        const patient = single(s, 'patient');
        if (patient) f.patientId = parseReferenceId('patient', patient, 'Patient');
        const studies = (await this.inMemory(ctx, f, 'basedon')).flatMap(diagnosisToImagingStudies).filter((x) => !ids || ids.includes(x.id!));
        return { resources: pageOf(studies, s), total: studies.length };
      }
      case 'Flag':
      case 'Communication':
        return this.searchCriticals(ctx, s);
    }
    throw new AppError('internal', `不支持的资源类型 ${s.resourceType}`);
  }

  private planReport(s: ParsedSearch): FhirDiagnosisFilter | null {
    const f: FhirDiagnosisFilter = { releasedReportStatuses: ['preliminary', 'final', 'amended'] };
    if (!this.common(s, f, ['subject', 'patient'])) return null;
    const basedOn = s.params.get('based-on');
    if (basedOn) {
      const ids = basedOn.values.map((v) => parseReferenceId('based-on', v, 'ServiceRequest'));
      f.ids = f.ids ? f.ids.filter((x) => ids.includes(x)) : ids;
      if (!f.ids.length) return null;
    }
    const status = s.params.get('status');
    if (status) {
      const statuses = new Set<ReportStatus>();
      const known = ['registered', 'partial', 'preliminary', 'final', 'amended', 'corrected', 'appended', 'cancelled', 'entered-in-error', 'unknown'];
      for (const raw of status.values) {
        const t = parseToken(raw);
        if (t.system !== undefined && t.system !== REPORT_STATUS_SYSTEM) continue;
        if (!known.includes(t.code)) throw invalid(`搜索参数 status 的代码 "${t.code}" 未知（可用：${known.join(', ')}）`, 'status');
        if (t.code === 'preliminary' || t.code === 'final' || t.code === 'amended') statuses.add(t.code);
      }
      if (!statuses.size) return null;
      f.releasedReportStatuses = [...statuses];
    }
    const category = s.params.get('category');
    if (category) {
      const types = new Set<CenterType>();
      for (const raw of category.values) {
        const t = parseToken(raw);
        if ((t.system === undefined || t.system === systems.diagnosticServiceSection) && sections[t.code]) types.add(sections[t.code]!);
        else if (t.system === systems.diagnosisCenterType && !(centerTypes as readonly string[]).includes(t.code)) throw invalid(`搜索参数 category 的代码 "${t.code}" 未知（可用：${centerTypes.join(', ')}）`, 'category');
        else if (t.system === undefined || t.system === systems.diagnosisCenterType) {
          const type = centerTypeOfCoding(systems.diagnosisCenterType, t.code);
          if (type) types.add(type);
        }
      }
      if (!types.size) return null;
      f.centerTypes = [...types];
    }
    return f;
  }

  /** Every matching request at once (for resources that are several per request); refused when too many match. */
  private async inMemory(ctx: RequestContext, f: FhirDiagnosisFilter, narrowWith: string): Promise<DiagnosisRequestDto[]> {
    const { items, total } = await this.diagnosis.searchForFhir(ctx, f, { offset: 0, limit: MEMORY_LIMIT });
    if (total > MEMORY_LIMIT) throw invalid(`符合条件的诊断申请超过 ${MEMORY_LIMIT} 个：请用 ${narrowWith} 或 patient 缩小范围`, narrowWith);
    return items;
  }

  /** Flag (every critical value) or Communication (the acknowledged ones), by _id, patient or Flag. */
  private async searchCriticals(ctx: RequestContext, s: ParsedSearch): Promise<Found> {
    const asFlag = s.resourceType === 'Flag';
    let state: 'open' | 'acknowledged' | undefined = asFlag ? undefined : 'acknowledged';
    const status = single(s, 'status');
    if (status) {
      const t = parseToken(status);
      if (t.code !== 'active' && t.code !== 'inactive' && t.code !== 'entered-in-error') throw invalid(`搜索参数 status 应为 active 或 inactive，收到 "${t.code}"`, 'status');
      if ((t.system !== undefined && t.system !== 'http://hl7.org/fhir/flag-status') || t.code === 'entered-in-error') return none;
      state = t.code === 'active' ? 'open' : 'acknowledged';
    }
    const toResource = (c: CriticalValueDto, d: DiagnosisRequestDto): Flag | Communication | undefined => (asFlag ? criticalToFlag(c, d) : acknowledgementToCommunication(c, d));
    const keep = (c: CriticalValueDto) => state === undefined || c.state === state;

    const ids = [...(s.params.get('_id')?.values ?? [])];
    const about = single(s, 'about');
    if (about) {
      const id = parseReferenceId('about', about, 'Flag');
      if (s.params.has('_id') && !ids.includes(id)) return none;
      ids.splice(0, ids.length, id);
    }
    let patientId: string | undefined;
    for (const name of ['patient', 'subject']) {
      const v = single(s, name);
      if (!v) continue;
      const p = parseReferenceId(name, v, 'Patient');
      if (patientId && patientId !== p) return none;
      patientId = p;
    }

    let found: (Flag | Communication)[] = [];
    if (ids.length || s.params.has('_id')) {
      for (const id of ids) {
        const c = FHIR_ID.test(id) ? await this.critical(ctx, id).catch((e: unknown) => (isAppError(e) && e.code === 'forbidden' ? undefined : Promise.reject(e))) : undefined;
        const r = c && keep(c.critical) && (!patientId || c.request.patient.id === patientId) ? toResource(c.critical, c.request) : undefined;
        if (r) found.push(r);
      }
    } else if (patientId) {
      const requests = await this.inMemory(ctx, { patientId, withCriticalValue: true }, 'patient');
      found = requests.flatMap((d) => d.criticalValues.filter(keep).map((c) => toResource(c, d))).filter((r): r is Flag | Communication => !!r);
    } else {
      // Without a patient: the actor's critical values (DiagnosisService.listCriticals: own facility's and own centers').
      if (s.count > 0 && s.offset % s.count !== 0) throw invalid('不带 patient 检索时 _offset 应为 _count 的整数倍', '_offset');
      let page;
      try {
        page = await this.diagnosis.listCriticals(ctx, { state: state ?? 'all', page: s.count > 0 ? s.offset / s.count + 1 : 1, pageSize: Math.max(1, s.count) });
      } catch (e) {
        if (isAppError(e) && e.code === 'forbidden') return none;
        throw e;
      }
      const resources: Resource[] = [];
      if (s.count > 0) {
        for (const c of page.items) {
          const d = await this.request(ctx, c.requestId);
          const r = d && toResource(c, d);
          if (r) resources.push(r);
        }
      }
      return { resources, total: page.total };
    }
    return { resources: pageOf(found, s), total: found.length };
  }

  // ---- writes

  /**
   * `POST [base]/ServiceRequest` with a center-type category: a diagnosis request of the signed-in clinician's facility
   * (DiagnosisService.createRequest — served facility, patient access, deadline, roster assignment). The center is the
   * performer's center of that type.
   */
  async createServiceRequest(ctx: RequestContext, body: unknown): Promise<ServiceRequest> {
    const parsed = diagnosisRequestFromFhir(body);
    if (parsed.requesterOrganizationId !== undefined && parsed.requesterOrganizationId !== ctx.actor.organizationId) {
      throw new AppError('forbidden', 'ServiceRequest.requester: 诊断申请只能以当前登录用户所在机构的名义发起', { path: 'ServiceRequest.requester' });
    }
    const center = (await this.diagnosis.listCenters(ctx, { organizationId: parsed.hostOrganizationId })).find((c) => c.type === parsed.centerType && c.active);
    if (!center) throw invalid(`ServiceRequest.performer[0].reference: Organization/${parsed.hostOrganizationId} 没有启用的${parsed.centerType}诊断中心`, 'ServiceRequest.performer[0].reference');
    const dto = await naming(diagnosisRequestExpressions, () => this.diagnosis.createRequest(ctx, { ...parsed.fields, centerId: center.id }));
    return diagnosisToServiceRequest(dto);
  }

  /**
   * `POST [base]/DiagnosticReport` by the reader holding the request: preliminary or final (DiagnosisService.writeReport;
   * the lifecycle table decides — wrong party 403, illegal state 409). A final report completes the Task; when the
   * center requires a second reader nothing is released yet, and the answer is 202 with an OperationOutcome saying so.
   */
  async createReport(ctx: RequestContext, body: unknown): Promise<{ status: 201; resource: DiagnosticReport } | { status: 202; resource: OperationOutcome }> {
    const { requestId, subjectId, input } = reportFromFhir(body);
    const before = await this.request(ctx, requestId);
    if (!before) throw invalid(`DiagnosticReport.basedOn[0].reference: 诊断申请 ServiceRequest/${requestId} 不存在`, 'DiagnosticReport.basedOn[0].reference');
    if (subjectId !== undefined && subjectId !== before.patient.id) {
      throw invalid(`DiagnosticReport.subject: 患者应为申请单的患者 Patient/${before.patient.id}`, 'DiagnosticReport.subject');
    }
    const after = await naming(reportExpressions, () => this.diagnosis.writeReport(ctx, requestId, input));
    const report = diagnosisToDiagnosticReport(after);
    if (report && after.status !== 'awaiting-signoff') return { status: 201, resource: report };
    return {
      status: 202,
      resource: { resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational', diagnostics: `报告已提交，等待第二位诊断医师审核签发（申请 ${after.number}，当前状态 ${after.status}）；签发后可在 DiagnosticReport?based-on=ServiceRequest/${requestId} 查到` }] },
    };
  }

  /** `POST [base]/Communication`: the requesting facility acknowledges a critical value with read-back (once; again → 409). */
  async acknowledge(ctx: RequestContext, body: unknown): Promise<Communication> {
    const { criticalId, input } = acknowledgementFromFhir(body);
    const existing = await this.critical(ctx, criticalId);
    if (!existing) throw invalid(`Communication.about: 危急值 Flag/${criticalId} 不存在`, 'Communication.about');
    await this.diagnosis.acknowledgeCritical(ctx, criticalId, input);
    const found = await this.critical(ctx, criticalId);
    const c = found && acknowledgementToCommunication(found.critical, found.request);
    if (!c) throw new AppError('internal', '危急值已确认，但未能读取确认记录');
    return c;
  }
}

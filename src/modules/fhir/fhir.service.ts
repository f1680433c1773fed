import type { Bundle, Organization, Patient, Resource } from '@medplum/fhirtypes';
import type { AllianceDto, OrganizationDto } from '../../contracts/network.js';
import type { PatientDto } from '../../contracts/patient.js';
import { shanghaiDate } from '../../shared/clock.js';
import type { RequestContext } from '../../shared/context.js';
import { invalid, isAppError, notFound } from '../../shared/errors.js';
import { PreconditionFailedError, naming, parseIfMatch } from './fhir.preconditions.js';

export { PreconditionFailedError, parseIfMatch };
import { coversDate, type NetworkService, type OrganizationFilter } from '../network/index.js';
import type { PatientService } from '../patient/index.js';
import type { Db } from '../../db/client.js';
import { capabilityStatement, type CapabilityOrigin } from './fhir.capability.js';
import { FhirReferralService, type CapacityReadPort, type ReferralPort } from './fhir-referral.service.js';
import { FhirSubscriptionService } from './fhir-subscription.service.js';
import { FhirDiagnosisService, type DiagnosisPort } from './fhir-diagnosis.service.js';
import { ALLIANCE_ID_PREFIX, LOCATION_ID_PREFIX } from './fhir.codes.js';
import {
  allianceToFhir, locationToFhir, membershipToFhir, organizationToFhir, patientFromFhir, patientToFhir,
  practitionerRoleToFhir, practitionerToFhir, residenceDivisionCodeOf,
} from './fhir.mapping.js';
import {
  pageOf, parseSearchQuery, planAffiliationSearch, planLocationSearch, planOrganizationSearch, planPatientSearch,
  planPractitionerRoleSearch, planPractitionerSearch, searchsetBundle, type AllianceFilter, type FhirResourceType,
  type ParsedSearch, type RawQuery,
} from './fhir.search.js';

/** The services the façade reads and writes through (their public APIs; never their repositories). */
export interface FhirDependencies {
  network: NetworkService;
  patients: PatientService;
  referrals: ReferralPort;
  capacity: CapacityReadPort;
  /** For the façade's own tables (subscriptions) and its read-only slot/appointment lookups. */
  db: Db;
  /** Shared diagnosis centers (ServiceRequest and Task beside the referrals', DiagnosticReport, ImagingStudy, Flag, Communication). */
  diagnosis?: DiagnosisPort;
  /** Loopback/private hosts a Subscription endpoint may name (config `YILIAN_SUBSCRIPTION_PRIVATE_HOSTS`). */
  subscriptionPrivateHosts?: readonly string[];
}

const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const noSuch = (type: string, id: string) => notFound(`${type}/${id} 不存在`);

/**
 * The FHIR R4 façade: maps the network and the master patient index to FHIR resources and back. It holds no data of
 * its own; patient reads and searches go through PatientService (access rule + audit), everything else through
 * NetworkService.
 */
export class FhirService {
  /** ServiceRequest, Task, Slot, Schedule, Appointment. */
  readonly referral: FhirReferralService;
  readonly subscriptions: FhirSubscriptionService;
  /** The diagnosis centers' own resource types and writes; null when the app has no diagnosis service. */
  readonly diagnosis: FhirDiagnosisService | null;
  constructor(private readonly deps: FhirDependencies) {
    this.diagnosis = deps.diagnosis ? new FhirDiagnosisService(deps.diagnosis) : null;
    this.referral = new FhirReferralService(deps.referrals, deps.capacity, deps.db, this.diagnosis ?? undefined);
    this.subscriptions = new FhirSubscriptionService(deps.db, deps.subscriptionPrivateHosts ?? []);
  }

  capabilityStatement(origin: CapabilityOrigin) {
    return capabilityStatement(origin);
  }

  private today(ctx: RequestContext): string {
    return shanghaiDate(ctx.clock.now());
  }

  // ---- read

  /** `GET [base]/[type]/[id]`. */
  async read(ctx: RequestContext, type: FhirResourceType, id: string): Promise<Resource> {
    if (!FHIR_ID.test(id)) throw noSuch(type, id);
    const { network, patients } = this.deps;
    const today = this.today(ctx);
    switch (type) {
      case 'Organization': {
        if (id.startsWith(ALLIANCE_ID_PREFIX)) {
          const allianceId = id.slice(ALLIANCE_ID_PREFIX.length);
          const a = (await network.alliances(today)).find((x) => x.id === allianceId);
          if (!a) throw noSuch(type, id);
          return (await this.alliancesToFhir([a], today))[0]!;
        }
        return organizationToFhir(await this.facility(type, id));
      }
      case 'Location': {
        if (!id.startsWith(LOCATION_ID_PREFIX)) throw noSuch(type, id);
        return locationToFhir(await this.facility(type, id.slice(LOCATION_ID_PREFIX.length), id));
      }
      case 'Practitioner': {
        const [p] = (await network.findPractitioners({ ids: [id] }, 0, 1)).items;
        if (!p) throw noSuch(type, id);
        return practitionerToFhir(p);
      }
      case 'PractitionerRole': {
        const [r] = (await network.findPractitionerRoles({ ids: [id] }, 0, 1)).items;
        if (!r) throw noSuch(type, id);
        return (await this.rolesToFhir([r], today))[0]!;
      }
      case 'OrganizationAffiliation': {
        const m = await network.membership(id);
        if (!m) throw noSuch(type, id);
        return membershipToFhir(m, today);
      }
      case 'Patient':
        return patientToFhir(await patients.get(ctx, id));
      case 'ServiceRequest':
      case 'Task':
      case 'Slot':
      case 'Schedule':
      case 'Appointment':
        return this.referral.read(ctx, type, id);
      case 'Subscription':
        return this.subscriptions.read(ctx, id);
      case 'DiagnosticReport':
      case 'ImagingStudy':
      case 'Flag':
      case 'Communication':
        if (!this.diagnosis) throw noSuch(type, id);
        return this.diagnosis.read(ctx, type, id);
    }
  }

  /** A facility by id — not by identifier, which NetworkService.findOrganization also accepts. */
  private async facility(type: string, orgId: string, fhirId = orgId): Promise<OrganizationDto> {
    const o = await this.deps.network.findOrganization(orgId);
    if (!o || o.id !== orgId) throw noSuch(type, fhirId);
    return o;
  }

  /** `GET [base]/Patient/[id]/_history/[vid]`: only the current version is kept. */
  async readPatientVersion(ctx: RequestContext, id: string, versionId: string): Promise<Patient> {
    if (!FHIR_ID.test(id)) throw noSuch('Patient', id);
    const p = await this.deps.patients.get(ctx, id);
    if (String(p.version) !== versionId) throw notFound(`Patient/${id} 的版本 ${versionId} 不可用：只保留当前版本 ${p.version}`);
    return patientToFhir(p);
  }

  // ---- search

  /** `GET [base]/[type]?…`: a searchset Bundle; `base` is the absolute FHIR base URL of the request. */
  async search(ctx: RequestContext, type: FhirResourceType, query: RawQuery, base: string): Promise<Bundle> {
    const s = parseSearchQuery(type, query);
    const origin = { base, resourceType: type };
    const { resources, total } = await this.searchResources(ctx, s);
    return searchsetBundle(origin, s, resources, total);
  }

  private async searchResources(ctx: RequestContext, s: ParsedSearch): Promise<{ resources: Resource[]; total: number }> {
    const { network, patients } = this.deps;
    const today = this.today(ctx);
    const none = { resources: [], total: 0 };
    switch (s.resourceType) {
      case 'Organization':
        return this.searchOrganizations(s, today);
      case 'Location': {
        const f = planLocationSearch(s);
        if (!f) return none;
        const r = await network.findOrganizations(f, s.offset, s.count);
        return { resources: r.items.map(locationToFhir), total: r.total };
      }
      case 'Practitioner': {
        const f = planPractitionerSearch(s);
        if (!f) return none;
        const r = await network.findPractitioners(f, s.offset, s.count);
        return { resources: r.items.map(practitionerToFhir), total: r.total };
      }
      case 'PractitionerRole': {
        const f = planPractitionerRoleSearch(s);
        if (!f) return none;
        const r = await network.findPractitionerRoles(
          { practitionerId: f.practitionerId, organizationId: f.organizationId, ids: f.ids, on: f.on, kinds: f.kinds },
          s.offset,
          s.count,
        );
        return { resources: await this.rolesToFhir(r.items, today), total: r.total };
      }
      case 'OrganizationAffiliation': {
        const f = planAffiliationSearch(s);
        if (!f) return none;
        let rows;
        if (f.allianceId) {
          const alliance = (await network.alliances(today)).find((a) => a.id === f.allianceId);
          rows = alliance ? await network.members(alliance.id, f.on) : [];
        } else {
          rows = await network.membershipsOf({ organizationId: f.organizationId, on: f.on });
        }
        const matching = rows.filter(
          (m) =>
            (!f.organizationId || m.organizationId === f.organizationId) &&
            (!f.ids || f.ids.includes(m.id)) &&
            (!f.roles || f.roles.includes(m.role)) &&
            (f.active === undefined || coversDate(m, today) === f.active),
        );
        return { resources: pageOf(matching, s).map((m) => membershipToFhir(m, today)), total: matching.length };
      }
      case 'Patient': {
        const f = planPatientSearch(s);
        if (!f) return none;
        // find() restricts to the actor's scope and audits every returned patient (architecture.md, defect family 2).
        const r = await patients.find(ctx, f, s.offset, s.count);
        return { resources: r.items.map(patientToFhir), total: r.total };
      }
      case 'ServiceRequest':
      case 'Task':
      case 'Slot':
      case 'Schedule':
      case 'Appointment':
        return this.referral.search(ctx, s);
      case 'Subscription':
        return this.subscriptions.search(ctx, s);
      case 'DiagnosticReport':
      case 'ImagingStudy':
      case 'Flag':
      case 'Communication':
        return this.diagnosis ? this.diagnosis.search(ctx, s) : none;
    }
  }

  /**
   * Facilities come from the database page by page; alliances (a handful) follow them, filtered in memory. The
   * combined list is facilities first, then alliances, so `_offset` walks one stable sequence.
   */
  private async searchOrganizations(s: ParsedSearch, today: string): Promise<{ resources: Resource[]; total: number }> {
    const { network } = this.deps;
    const plan = planOrganizationSearch(s);
    let facilityTotal = 0;
    let facilities: OrganizationDto[] = [];
    if (plan.facilities) {
      if (plan.facilityIdentifierKind) {
        // An identifier is unique: at most one row, whose kind must match the system asked for.
        const r = await network.findOrganizations(plan.facilities, 0, 2);
        const matching = r.items.filter((o) => o.identifierKind === plan.facilityIdentifierKind);
        facilityTotal = matching.length;
        facilities = pageOf(matching, s);
      } else {
        const r = await network.findOrganizations(plan.facilities satisfies OrganizationFilter, s.offset, s.count);
        facilityTotal = r.total;
        facilities = r.items;
      }
    }
    const alliances = plan.alliances ? await this.matchingAlliances(plan.alliances, today) : [];
    const resources: Organization[] = facilities.map(organizationToFhir);
    const room = s.count - facilities.length;
    if (room > 0 && alliances.length) {
      const start = Math.max(0, s.offset - facilityTotal);
      resources.push(...(await this.alliancesToFhir(alliances.slice(start, start + room), today)));
    }
    return { resources, total: facilityTotal + alliances.length };
  }

  private async matchingAlliances(f: AllianceFilter, today: string): Promise<AllianceDto[]> {
    const all = await this.deps.network.alliances(today);
    const names = await this.divisionNames(all.map((a) => a.divisionCode));
    const lower = (s: string) => s.toLocaleLowerCase('zh-CN');
    return all.filter(
      (a) =>
        (!f.ids || f.ids.includes(a.id)) &&
        (!f.kinds || f.kinds.includes(a.kind)) &&
        (!f.identifier || a.identifier === f.identifier) &&
        (!f.namePrefix || lower(a.name).startsWith(lower(f.namePrefix))) &&
        (!f.addressText || (a.divisionCode !== null && lower(names.get(a.divisionCode) ?? '').includes(lower(f.addressText)))),
    );
  }

  private async divisionNames(codes: readonly (string | null)[]): Promise<Map<string, string>> {
    const wanted = [...new Set(codes.filter((c): c is string => !!c))];
    const rows = wanted.length ? await this.deps.network.divisionsByCodes(wanted) : [];
    return new Map(rows.map((d) => [d.code, d.fullName]));
  }

  private async alliancesToFhir(alliances: readonly AllianceDto[], today: string): Promise<Organization[]> {
    const names = await this.divisionNames(alliances.map((a) => a.divisionCode));
    return alliances.map((a) => {
      const fullName = a.divisionCode ? names.get(a.divisionCode) : undefined;
      return allianceToFhir(a, a.divisionCode && fullName ? { code: a.divisionCode, fullName } : null, today);
    });
  }

  private async rolesToFhir(roles: Parameters<typeof practitionerRoleToFhir>[0][], today: string) {
    const ids = [...new Set(roles.map((r) => r.practitionerId))];
    const practitioners = ids.length ? (await this.deps.network.findPractitioners({ ids }, 0, ids.length)).items : [];
    const specialty = new Map(practitioners.map((p) => [p.id, p.specialty]));
    return roles.map((r) => practitionerRoleToFhir(r, specialty.get(r.practitionerId) ?? null, today));
  }

  // ---- create and update (Patient)

  private async divisionFullName(code: string | undefined): Promise<string | null> {
    if (!code || !/^\d{6}(\d{3}){0,2}$/.test(code)) return null;
    return (await this.deps.network.divisionsByCodes([code]))[0]?.fullName ?? null;
  }

  /**
   * `POST [base]/Patient`: registers a patient through PatientService.register (validation, duplicate check, access
   * rule, audit). `confirmNotDuplicate` lifts the possible-duplicate block after the client has checked the
   * suggestions (header `X-Yilian-Confirm-Not-Duplicate: true`, docs/fhir.md).
   */
  async createPatient(ctx: RequestContext, body: unknown, opts: { confirmNotDuplicate?: boolean } = {}): Promise<Patient> {
    const { input, expressions } = patientFromFhir(body, {
      today: this.today(ctx),
      divisionFullName: await this.divisionFullName(residenceDivisionCodeOf(body)),
    });
    const dto = await naming(expressions, () => this.deps.patients.register(ctx, { ...input, confirmNotDuplicate: opts.confirmNotDuplicate ?? false }));
    return patientToFhir(dto);
  }

  /**
   * `PUT [base]/Patient/[id]`: full update. `ifMatch` (`W/"<versionId>"`) must name the current version, else
   * PreconditionFailedError (412). Elements the façade does not expose (chronic conditions, family-doctor team) are
   * kept as they are, so a FHIR client cannot erase them by not knowing them.
   */
  async updatePatient(ctx: RequestContext, id: string, body: unknown, ifMatch?: string): Promise<Patient> {
    const expectedVersion = ifMatch === undefined ? undefined : parseIfMatch(ifMatch);
    const bodyId = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as { id?: unknown }).id : undefined;
    if (typeof body === 'object' && body !== null && (body as { resourceType?: unknown }).resourceType === 'Patient') {
      if (bodyId === undefined) throw invalid('Patient.id: 更新时资源中必须包含 id，且与地址中的 id 一致', 'Patient.id');
      if (bodyId !== id) throw invalid(`Patient.id: 资源中的 id "${String(bodyId)}" 与地址中的 id "${id}" 不一致`, 'Patient.id');
    }
    const { input, expressions } = patientFromFhir(body, {
      today: this.today(ctx),
      divisionFullName: await this.divisionFullName(residenceDivisionCodeOf(body)),
    });
    if (!FHIR_ID.test(id)) throw noSuch('Patient', id);
    // The access rule and the audit apply to this read as to any other.
    const current: PatientDto = await this.deps.patients.get(ctx, id);
    if (expectedVersion !== undefined && expectedVersion !== current.version) {
      throw new PreconditionFailedError(`If-Match 版本 ${expectedVersion} 不是当前版本 ${current.version}：该患者信息已被修改，请重新读取后再提交`, current.version);
    }
    try {
      const dto = await naming(expressions, () =>
        this.deps.patients.update(
          ctx,
          id,
          { ...input, familyDoctorTeam: current.familyDoctorTeam, chronicConditions: current.chronicConditions },
          current.version,
        ),
      );
      return patientToFhir(dto);
    } catch (e) {
      // Changed between our read and the conditional write: a failed precondition when the client named a version.
      if (expectedVersion !== undefined && isAppError(e) && e.code === 'conflict' && e.detail && 'currentVersion' in e.detail) {
        throw new PreconditionFailedError(`If-Match 版本 ${expectedVersion} 已不是当前版本：该患者信息刚被修改，请重新读取后再提交`, e.detail.currentVersion as number | undefined);
      }
      throw e;
    }
  }
}


import type { Db } from '../../db/client.js';
import type { RequestContext } from '../../shared/context.js';
import { hasRole } from '../../shared/context.js';
import { shanghaiDate } from '../../shared/clock.js';
import { conflict, forbidden, hasSqlState, invalid, notFound } from '../../shared/errors.js';
import { TtlCache } from '../../shared/ttl-cache.js';
import { newId } from '../../shared/ids.js';
import type { Page } from '../../shared/pagination.js';
import type { AllianceKind, FacilityTier } from '../../contracts/codes.js';
import { facilityTiers } from '../../contracts/codes.js';
import type {
  AllianceDto, CatalogueEntryDto, CatalogueOverrideInput, DepartmentDto, DepartmentInput, DivisionDto, MembershipDto, NetworkSummaryDto,
  OrganizationDetailDto, OrganizationDto, OrganizationInput, OrganizationQuery, PractitionerDto, PractitionerInput, PractitionerPatch,
  PractitionerRoleDto, PractitionerRoleInput, SupportPairingDto, SupportPairingInput,
} from '../../contracts/network.js';
import { NetworkRepository, trimDivision, type MembershipRow, type OrganizationFilter, type OrganizationRow } from './network.repository.js';
import {
  coversDate, membershipConflict, normaliseIcd10, pairingConflict, parseIcdRange, practitionerRoleConflict, tierCovers, type CatalogueDecision,
} from './network.rules.js';

export function toOrganizationDto(o: OrganizationRow): OrganizationDto {
  return {
    id: o.id,
    identifier: o.identifier,
    identifierKind: o.identifierKind,
    name: o.name,
    shortName: o.shortName,
    tier: o.tier,
    hospitalLevel: o.hospitalLevel,
    hospitalGrade: o.hospitalGrade,
    ownership: o.ownership,
    beds: o.beds,
    divisionCode: o.divisionCode,
    divisionName: o.divisionName,
    addressLine: o.addressLine,
    phone: o.phone,
    supervisorId: o.supervisorId,
    isCentral: o.isCentral,
    meetsCapabilityStandard: o.meetsCapabilityStandard,
    latitude: o.latitude === null ? null : Number(o.latitude),
    longitude: o.longitude === null ? null : Number(o.longitude),
    active: o.active,
  };
}

const toMembershipDto = (m: MembershipRow): MembershipDto => ({
  id: m.id,
  allianceId: m.allianceId,
  allianceName: m.allianceName,
  organizationId: m.organizationId,
  organizationName: m.organizationName,
  tier: m.tier,
  role: m.role,
  validFrom: m.validFrom,
  validTo: m.validTo,
  reason: m.reason,
});

/** Public methods that change network data: each one empties the reference cache when it ends. */
const networkWrites = [
  'createOrganization', 'addMembership', 'endMembership', 'addDepartment', 'createPractitioner', 'updatePractitioner',
  'addPractitionerRole', 'addPairing', 'addCatalogueOverride', 'removeCatalogueOverride',
] as const;

/**
 * The care network: divisions, facilities, alliances with dated membership, support pairings, practitioners and
 * the tier catalogue. Everything downstream (referral routing, indicators, access decisions) reads it through here.
 */
export class NetworkService {
  private readonly repo: NetworkRepository;
  /**
   * Reference data read on every referral (alliances, memberships, pairings, the catalogue), kept for
   * `referenceCacheMs`. Every write through this service empties it at once; a write that bypasses this process (a
   * second server, a CLI import straight into PostgreSQL) is seen when the entry expires.
   */
  private readonly cache: TtlCache<unknown>;
  constructor(db: Db, opts: { referenceCacheMs?: number } = {}) {
    this.repo = new NetworkRepository(db);
    this.cache = new TtlCache(opts.referenceCacheMs ?? 30_000);
    for (const name of networkWrites) {
      const write = this[name] as (...args: unknown[]) => Promise<unknown>;
      (this as unknown as Record<string, unknown>)[name] = async (...args: unknown[]) => {
        try {
          return await write.apply(this, args);
        } finally {
          this.cache.clear();
        }
      };
    }
  }

  private cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    return this.cache.get(key, load) as Promise<T>;
  }

  // ---- divisions
  async childDivisions(parentCode: string | null): Promise<DivisionDto[]> {
    return this.repo.childDivisions(parentCode);
  }

  async division(code: string): Promise<DivisionDto> {
    const d = await this.repo.division(code);
    if (!d) throw notFound(`行政区划代码 ${code} 不存在`);
    return { code: d.code, name: d.name, level: d.level, parentCode: d.parentCode, fullName: d.fullName };
  }

  async divisionsByCodes(codes: readonly string[]) {
    return this.repo.divisionsByCodes(codes);
  }

  // ---- organizations
  async searchOrganizations(q: OrganizationQuery): Promise<Page<OrganizationDto>> {
    const { rows, total } = await this.repo.searchOrganizations(
      { q: q.q, tier: q.tier, divisionCode: q.divisionCode, allianceId: q.allianceId, supervisorId: q.supervisorId, identifier: q.identifier },
      { offset: (q.page - 1) * q.pageSize, limit: q.pageSize, sort: q.sort },
    );
    return { items: rows.map(toOrganizationDto), total, page: q.page, pageSize: q.pageSize };
  }

  /** Search with FHIR-style filters (used by the FHIR façade). */
  async findOrganizations(filter: OrganizationFilter, offset: number, limit: number) {
    const { rows, total } = await this.repo.searchOrganizations(filter, { offset, limit, sort: 'tier' });
    return { items: rows.map(toOrganizationDto), total };
  }

  async organization(idOrIdentifier: string): Promise<OrganizationDto> {
    const o = await this.repo.organization(idOrIdentifier);
    if (!o) throw notFound(`机构 ${idOrIdentifier} 不存在`);
    return toOrganizationDto(o);
  }

  async findOrganization(idOrIdentifier: string): Promise<OrganizationDto | null> {
    return this.cached(`org:${idOrIdentifier}`, async () => {
      const o = await this.repo.organization(idOrIdentifier);
      return o ? toOrganizationDto(o) : null;
    });
  }

  async organizationDetail(ctx: RequestContext, id: string): Promise<OrganizationDetailDto> {
    const org = await this.organization(id);
    const today = shanghaiDate(ctx.clock.now());
    const [supervisor, departments, staff, stationed, memberships, pairings, supervised] = await Promise.all([
      org.supervisorId ? this.repo.organization(org.supervisorId) : Promise.resolve(undefined),
      this.repo.departmentsOf(org.id),
      this.repo.searchPractitioners({ organizationId: org.id }, { offset: 0, limit: 500 }),
      this.repo.practitionerRoles({ organizationId: org.id, kinds: ['stationed', 'circuit', 'visiting'] }),
      this.repo.memberships({ organizationId: org.id }),
      this.repo.pairingsOf(org.id),
      this.repo.supervisedClinics(org.id),
    ]);
    const allianceIds = memberships.filter((m) => coversDate(m, today)).map((m) => m.allianceId);
    const catalogue = await this.repo.catalogueEntries(org.tier, allianceIds);
    return {
      organization: org,
      supervisor: supervisor ? { id: supervisor.id, name: supervisor.name } : null,
      departments: departments.map(toDepartmentDto),
      practitioners: staff.rows.map(toPractitionerDto),
      stationedHere: stationed.rows.map(toPractitionerRoleDto),
      memberships: memberships.map(toMembershipDto),
      pairings: pairings.map(toPairingDto),
      catalogue: catalogue.map(toCatalogueDto),
      supervisedClinics: supervised,
    };
  }


  async createOrganization(ctx: RequestContext, input: OrganizationInput): Promise<OrganizationDto> {
    if (!hasRole(ctx.actor, 'system-admin', 'alliance-admin')) throw forbidden('只有系统管理员或医共体管理员可以登记机构');
    const division = await this.repo.division(input.divisionCode);
    if (!division) throw invalid(`行政区划代码 ${input.divisionCode} 不存在`, 'divisionCode');
    if (!hasRole(ctx.actor, 'system-admin')) {
      // An alliance admin registers facilities in the area its alliances serve (the county of its 医共体).
      const areas = (await this.repo.alliances(shanghaiDate(ctx.clock.now())))
        .filter((a) => a.leadOrganizationId === ctx.actor.organizationId && a.divisionCode)
        .map((a) => trimDivision(a.divisionCode!));
      if (!areas.some((area) => input.divisionCode.startsWith(area))) {
        throw forbidden('医共体管理员只能在本医联体服务的行政区域内登记机构');
      }
    }
    if (!division.countyCode && division.level !== 'county') throw invalid('机构所在区划应为县级或以下', 'divisionCode');
    if (await this.repo.organization(input.identifier)) throw conflict(`机构标识 ${input.identifier} 已存在`);
    let supervisorId: string | null = null;
    if (input.supervisorIdentifier) {
      const sup = await this.repo.organization(input.supervisorIdentifier);
      if (!sup) throw invalid(`上级监管机构 ${input.supervisorIdentifier} 不存在`, 'supervisorIdentifier');
      supervisorId = sup.id;
    }
    const id = newId();
    try {
      await this.repo.insertOrganization({
        id,
        identifier: input.identifier,
        identifierKind: input.identifierKind,
        name: input.name,
        shortName: input.shortName ?? null,
        tier: input.tier,
        hospitalLevel: input.hospitalLevel ?? null,
        hospitalGrade: input.hospitalGrade ?? null,
        ownership: input.ownership,
        beds: input.beds,
        divisionCode: input.divisionCode,
        countyCode: division.countyCode ?? division.code.slice(0, 6),
        addressLine: input.addressLine ?? null,
        phone: input.phone ?? null,
        supervisorId,
        isCentral: input.isCentral,
        meetsCapabilityStandard: input.meetsCapabilityStandard,
        latitude: input.latitude == null ? null : String(input.latitude),
        longitude: input.longitude == null ? null : String(input.longitude),
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict(`机构标识 ${input.identifier} 已存在`);
      throw e;
    }
    return this.organization(id);
  }

  async summary(on: string): Promise<NetworkSummaryDto> {
    const [byTier, alliances, practitioners, patients] = await Promise.all([
      this.repo.countByTier(),
      this.repo.alliances(on),
      this.repo.countPractitioners(),
      this.repo.countPatients(),
    ]);
    const counts: Record<string, number> = Object.fromEntries(facilityTiers.map((t) => [t, 0]));
    let beds = 0;
    for (const row of byTier) {
      counts[row.tier] = row.n;
      beds += Number(row.beds ?? 0);
    }
    return { counts, alliances: alliances.length, practitioners, patients, beds };
  }

  // ---- alliances
  /** All alliances, each with its member count on date `on` (YYYY-MM-DD, China Standard Time). */
  async alliances(on: string): Promise<AllianceDto[]> {
    return [...(await this.cached(`alliances:${on}`, () => this.loadAlliances(on)))];
  }

  private async loadAlliances(on: string): Promise<AllianceDto[]> {
    return (await this.repo.alliances(on)).map((a) => ({
      id: a.id,
      identifier: a.identifier,
      name: a.name,
      kind: a.kind,
      leadOrganizationId: a.leadOrganizationId,
      leadOrganizationName: a.leadOrganizationName,
      divisionCode: a.divisionCode,
      specialty: a.specialty,
      establishedOn: a.establishedOn,
      dissolvedOn: a.dissolvedOn,
      memberCount: a.memberCount,
    }));
  }

  async alliance(id: string, on: string): Promise<AllianceDto> {
    const all = await this.alliances(on);
    const a = all.find((x) => x.id === id || x.identifier === id);
    if (!a) throw notFound(`医联体 ${id} 不存在`);
    return a;
  }

  /** Members of an alliance; with `on`, the members on that date ("who belonged on D"), else the full history. */
  async members(allianceId: string, on?: string): Promise<MembershipDto[]> {
    const a = await this.repo.alliance(allianceId);
    if (!a) throw notFound(`医联体 ${allianceId} 不存在`);
    return (await this.repo.memberships({ allianceId: a.id, on })).map(toMembershipDto);
  }

  /** One membership period by id, or null. */
  async membership(id: string): Promise<MembershipDto | null> {
    const [row] = await this.repo.memberships({ id });
    return row ? toMembershipDto(row) : null;
  }

  /** Every membership (history) of an organization or of several; `on` restricts to a date. */
  async membershipsOf(filter: { organizationId?: string | undefined; organizationIds?: readonly string[]; on?: string | undefined }): Promise<MembershipDto[]> {
    const key = `memberships:${filter.organizationId ?? ''}:${filter.organizationIds?.join(',') ?? ''}:${filter.on ?? ''}`;
    return [...(await this.cached(key, async () => (await this.repo.memberships(filter)).map(toMembershipDto)))];
  }

  /**
   * Records that an organization joins an alliance from a date. The alliance row is locked for the check and the
   * insert, so two concurrent joins cannot both pass the overlap check (architecture.md, defect family 1).
   */
  async addMembership(ctx: RequestContext, allianceId: string, input: { organizationId: string; role: 'lead' | 'member'; validFrom: string; reason?: string | null | undefined }): Promise<MembershipDto> {
    const alliance = await this.repo.alliance(allianceId);
    if (!alliance) throw notFound(`医联体 ${allianceId} 不存在`);
    await this.guardAllianceAdmin(ctx, alliance.id);
    const org = await this.repo.organization(input.organizationId);
    if (!org) throw invalid(`机构 ${input.organizationId} 不存在`, 'organizationId');
    if (input.validFrom < alliance.establishedOn) throw invalid(`加入日期不能早于医联体成立日期 ${alliance.establishedOn}`, 'validFrom');
    const id = newId();
    await this.repo.transaction(async (tx) => {
      await this.repo.lockAlliance(tx, alliance.id);
      const history = await this.repo.membershipHistory(tx, alliance.id, org.id);
      const clash = membershipConflict(history, { allianceId: alliance.id, organizationId: org.id, role: input.role, validFrom: input.validFrom, validTo: null });
      if (clash) {
        throw conflict(`${org.name} 在 ${clash.validFrom} 起已是该医联体成员${clash.validTo ? `（至 ${clash.validTo}）` : ''}，成员期间不能重叠`);
      }
      await this.repo.insertMembership(tx, {
        id, allianceId: alliance.id, organizationId: org.id, role: input.role, validFrom: input.validFrom, validTo: null,
        reason: input.reason ?? null, createdBy: ctx.actor.username,
      });
    });
    return (await this.membership(id))!;
  }

  /** Ends a membership on a date (exclusive). History before that date is left exactly as it was. */
  async endMembership(ctx: RequestContext, membershipId: string, validTo: string, reason: string): Promise<MembershipDto> {
    const current = await this.membership(membershipId);
    if (!current) throw notFound(`成员记录 ${membershipId} 不存在`);
    await this.guardAllianceAdmin(ctx, current.allianceId);
    await this.repo.transaction(async (tx) => {
      const m = await this.repo.membership(tx, membershipId);
      if (!m) throw notFound(`成员记录 ${membershipId} 不存在`);
      await this.repo.lockAlliance(tx, m.allianceId);
      if (m.validTo !== null) throw conflict(`该成员关系已于 ${m.validTo} 结束`);
      if (validTo <= m.validFrom) throw invalid(`结束日期应晚于加入日期 ${m.validFrom}`, 'validTo');
      await this.repo.closeMembership(tx, m.id, validTo, reason);
    });
    return (await this.membership(membershipId))!;
  }

  /** Organizations sharing an alliance (of the given kinds, if any) with `organizationId` on date `on`, itself included. */
  async allianceMatesOn(organizationId: string, on: string, kinds?: readonly AllianceKind[]): Promise<string[]> {
    return [...(await this.cached(`mates:${organizationId}:${on}:${kinds?.join(',') ?? ''}`, () => this.repo.allianceMatesOn(organizationId, on, kinds)))];
  }

  /** Members on date `on` of the alliances `organizationId` leads, itself included: what its alliance admins administer. */
  async membersOfAlliancesLedBy(organizationId: string, on: string): Promise<string[]> {
    return this.repo.membersOfAlliancesLedBy(organizationId, on);
  }

  async supervisedOrganizationIds(organizationId: string): Promise<string[]> {
    return this.repo.supervisedIds(organizationId);
  }

  // ---- pairings and practitioners
  async pairings(organizationId: string | null): Promise<SupportPairingDto[]> {
    return [...(await this.cached(`pairings:${organizationId ?? ''}`, async () => (await this.repo.pairingsOf(organizationId)).map(toPairingDto)))];
  }

  async searchPractitioners(q: { q?: string | undefined; organizationId?: string | undefined; page: number; pageSize: number }): Promise<Page<PractitionerDto>> {
    const { rows, total } = await this.repo.searchPractitioners({ q: q.q, organizationId: q.organizationId }, { offset: (q.page - 1) * q.pageSize, limit: q.pageSize });
    return { items: rows.map(toPractitionerDto), total, page: q.page, pageSize: q.pageSize };
  }

  async findPractitioners(filter: { namePrefix?: string | undefined; organizationId?: string | undefined; identifier?: string | undefined; ids?: readonly string[] }, offset: number, limit: number) {
    const { rows, total } = await this.repo.searchPractitioners(filter, { offset, limit });
    return { items: rows.map(toPractitionerDto), total };
  }

  async findPractitionerRoles(
    filter: { organizationId?: string | undefined; practitionerId?: string | undefined; ids?: readonly string[] | undefined; on?: string | undefined; kinds?: readonly ('home' | 'stationed' | 'circuit' | 'visiting')[] | undefined },
    offset: number,
    limit: number,
  ) {
    const { rows, total } = await this.repo.practitionerRoles(filter, { offset, limit });
    return { items: rows.map(toPractitionerRoleDto), total };
  }

  // ---- registry maintenance: departments, practitioners, time-limited roles, support pairings

  /**
   * Who may maintain a facility's registry entries: a system admin anywhere; an alliance admin for the organizations
   * that are members today of an alliance its own organization leads (the 医共体's 牵头医院 administers its members).
   */
  private async mayAdministerOrganizations(ctx: RequestContext, organizationIds: readonly string[]): Promise<boolean> {
    if (hasRole(ctx.actor, 'system-admin')) return true;
    if (!hasRole(ctx.actor, 'alliance-admin') || !ctx.actor.organizationId) return false;
    const administered = new Set(await this.repo.membersOfAlliancesLedBy(ctx.actor.organizationId, shanghaiDate(ctx.clock.now())));
    return organizationIds.every((id) => administered.has(id));
  }

  private async guardOrganizationAdmin(ctx: RequestContext, organization: { id: string; name: string }): Promise<void> {
    if (!(await this.mayAdministerOrganizations(ctx, [organization.id]))) {
      throw forbidden(`只有系统管理员或牵头医联体的管理员可以维护${organization.name}的登记信息`);
    }
  }

  private async requireOrganization(id: string, path: string) {
    const org = await this.repo.organization(id);
    if (!org) throw invalid(`机构 ${id} 不存在`, path);
    return org;
  }

  /** A department given with an organization must be one of that organization's own. */
  private async requireDepartmentOf(departmentId: string, organization: { id: string; name: string }, path: string) {
    const dept = await this.repo.department(departmentId);
    if (!dept || dept.organizationId !== organization.id) throw invalid(`科室不属于${organization.name}`, path);
    return dept;
  }

  /** 新增科室: the code is unique within the organization (departments_org_code_uq). */
  async addDepartment(ctx: RequestContext, organizationId: string, input: DepartmentInput): Promise<DepartmentDto> {
    const org = await this.repo.organization(organizationId);
    if (!org) throw notFound(`机构 ${organizationId} 不存在`);
    await this.guardOrganizationAdmin(ctx, org);
    const id = newId();
    try {
      await this.repo.insertDepartment({ id, organizationId: org.id, code: input.code, name: input.name, specialty: input.specialty, beds: input.beds, isTcm: input.isTcm });
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict(`${org.name}已有编码为 ${input.code} 的科室`);
      throw e;
    }
    return toDepartmentDto((await this.repo.department(id))!);
  }

  async practitioner(id: string): Promise<PractitionerDto> {
    const { rows } = await this.repo.searchPractitioners({ ids: [id] }, { offset: 0, limit: 1 });
    if (!rows[0]) throw notFound(`人员 ${id} 不存在`);
    return toPractitionerDto(rows[0]);
  }

  /** 新增人员: the practitioner and its home role (from today, China Standard Time) are written in one transaction. */
  async createPractitioner(ctx: RequestContext, input: PractitionerInput): Promise<PractitionerDto> {
    const org = await this.requireOrganization(input.homeOrganizationId, 'homeOrganizationId');
    await this.guardOrganizationAdmin(ctx, org);
    if (input.departmentId) await this.requireDepartmentOf(input.departmentId, org, 'departmentId');
    const duplicate = () => conflict(`执业证书编码 ${input.identifier} 已登记`);
    if ((await this.repo.searchPractitioners({ identifier: input.identifier }, { offset: 0, limit: 1 })).total > 0) throw duplicate();
    const id = newId();
    try {
      await this.repo.insertPractitionerWithHomeRole(
        {
          id, identifier: input.identifier, name: input.name, sex: input.sex, profession: input.profession, title: input.title,
          specialty: input.specialty, homeOrganizationId: org.id, departmentId: input.departmentId ?? null, phone: input.phone || null,
          practiceStartYear: input.practiceStartYear ?? null,
        },
        { id: newId(), practitionerId: id, organizationId: org.id, departmentId: input.departmentId ?? null, kind: 'home', validFrom: shanghaiDate(ctx.clock.now()), validTo: null, note: null },
      );
    } catch (e) {
      // The unique index decides when two registrations race; the check above only gives the common case a fast answer.
      if (isUniqueViolation(e)) throw duplicate();
      throw e;
    }
    return this.practitioner(id);
  }

  /** Edits title, specialty, department, phone or active; identity fields (identifier, name, home) are not edited here. */
  async updatePractitioner(ctx: RequestContext, id: string, patch: PractitionerPatch): Promise<PractitionerDto> {
    const p = await this.repo.practitionerRow(id);
    if (!p) throw notFound(`人员 ${id} 不存在`);
    const org = (await this.repo.organization(p.homeOrganizationId))!;
    await this.guardOrganizationAdmin(ctx, org);
    if (patch.departmentId) await this.requireDepartmentOf(patch.departmentId, org, 'departmentId');
    const set: Parameters<NetworkRepository['updatePractitioner']>[1] = {};
    if (patch.title !== undefined) set.title = patch.title;
    if (patch.specialty !== undefined) set.specialty = patch.specialty;
    if (patch.departmentId !== undefined) set.departmentId = patch.departmentId;
    if (patch.phone !== undefined) set.phone = patch.phone || null;
    if (patch.active !== undefined) set.active = patch.active;
    await this.repo.updatePractitioner(id, set);
    return this.practitioner(id);
  }

  /**
   * 派驻/巡回/出诊: a time-limited role at another facility. The practitioner row is locked for the overlap check
   * and the insert, so two concurrent requests cannot both pass the check (architecture.md, defect family 1).
   */
  async addPractitionerRole(ctx: RequestContext, practitionerId: string, input: PractitionerRoleInput): Promise<PractitionerRoleDto> {
    const p = await this.repo.practitionerRow(practitionerId);
    if (!p) throw notFound(`人员 ${practitionerId} 不存在`);
    const org = await this.requireOrganization(input.organizationId, 'organizationId');
    await this.guardOrganizationAdmin(ctx, org);
    if (org.id === p.homeOrganizationId) throw invalid(`${org.name}是${p.name}的执业机构，派驻/巡回应选择其他机构`, 'organizationId');
    if (input.departmentId) await this.requireDepartmentOf(input.departmentId, org, 'departmentId');
    const id = newId();
    const proposed = { practitionerId: p.id, organizationId: org.id, kind: input.kind, validFrom: input.validFrom, validTo: input.validTo };
    await this.repo.transaction(async (tx) => {
      await this.repo.lockPractitioner(tx, p.id);
      const clash = practitionerRoleConflict(await this.repo.rolesOfPractitioner(tx, p.id), proposed);
      if (clash) {
        throw conflict(`${p.name}在${org.name}已有 ${clash.validFrom} 起${clash.validTo ? `至 ${clash.validTo}` : ''}的同类任职，期间不能重叠`);
      }
      await this.repo.insertPractitionerRole(tx, { id, ...proposed, departmentId: input.departmentId ?? null, note: input.note || null });
    });
    const { rows } = await this.repo.practitionerRoles({ ids: [id] });
    return toPractitionerRoleDto(rows[0]!);
  }

  /**
   * 对口帮扶: both organizations within the actor's administered set, or the supporting side is the actor's own
   * organization (a lead hospital may pledge support to any facility). Both organization rows are locked for the
   * overlap check and the insert.
   */
  async addPairing(ctx: RequestContext, input: SupportPairingInput): Promise<SupportPairingDto> {
    const supporting = await this.requireOrganization(input.supportingOrganizationId, 'supportingOrganizationId');
    const supported = await this.requireOrganization(input.supportedOrganizationId, 'supportedOrganizationId');
    if (supporting.id === supported.id) throw invalid('支援机构与受援机构不能相同', 'supportedOrganizationId');
    const ownSupport = hasRole(ctx.actor, 'alliance-admin') && ctx.actor.organizationId === supporting.id;
    if (!ownSupport && !(await this.mayAdministerOrganizations(ctx, [supporting.id, supported.id]))) {
      throw forbidden('只有系统管理员或牵头医联体的管理员可以登记对口帮扶（双方均应为本医联体成员，或支援方为本机构）');
    }
    const id = newId();
    const proposed = { supportingOrganizationId: supporting.id, supportedOrganizationId: supported.id, validFrom: input.validFrom, validTo: input.validTo ?? null };
    await this.repo.transaction(async (tx) => {
      await this.repo.lockOrganizations(tx, [supporting.id, supported.id]);
      const clash = pairingConflict(await this.repo.pairingsBetween(tx, supporting.id, supported.id), proposed);
      if (clash) {
        throw conflict(`${supporting.name}与${supported.name}已有 ${clash.validFrom} 起${clash.validTo ? `至 ${clash.validTo}` : ''}的对口帮扶关系，期间不能重叠`);
      }
      await this.repo.insertPairing(tx, { id, ...proposed, supportTier: input.supportTier, note: input.note || null });
    });
    return toPairingDto((await this.repo.pairing(id))!);
  }

  // ---- catalogue
  async catalogue(tier?: FacilityTier, allianceId?: string): Promise<CatalogueEntryDto[]> {
    return [...(await this.cached(`catalogue:${tier ?? ''}:${allianceId ?? ''}`, async () => (await this.repo.catalogueEntries(tier, allianceId ? [allianceId] : [])).map(toCatalogueDto)))];
  }

  /**
   * Adds an alliance's own catalogue entry for a tier (an inclusion or an exclusion that overrides the default for its
   * members). System admins for any alliance; alliance admins for the alliance their organization leads.
   */
  async addCatalogueOverride(ctx: RequestContext, allianceId: string, input: CatalogueOverrideInput): Promise<CatalogueEntryDto> {
    const alliance = await this.repo.alliance(allianceId);
    if (!alliance) throw notFound(`医联体 ${allianceId} 不存在`);
    await this.guardAllianceAdmin(ctx, alliance.id);
    const range = parseIcdRange(input.range);
    if (!range) throw invalid(`“${input.range}” 不是有效的 ICD-10 编码或范围（如 I10、E10-E14）`, 'range');
    const id = newId();
    await this.repo.insertCatalogueEntry({
      id, tier: input.tier, allianceId: alliance.id, codeFrom: range.from, codeTo: range.to, effect: input.effect, label: input.label,
      note: input.note ?? null, source: `alliance:${alliance.identifier} by ${ctx.actor.username}`,
    });
    return toCatalogueDto((await this.repo.catalogueEntry(id))!);
  }

  /** Removes an alliance override (the default catalogue is configuration and is not removed this way). */
  async removeCatalogueOverride(ctx: RequestContext, entryId: string): Promise<void> {
    const entry = await this.repo.catalogueEntry(entryId);
    if (!entry) throw notFound(`诊疗目录条目 ${entryId} 不存在`);
    if (!entry.allianceId) throw forbidden('默认诊疗目录不能在此删除；请为医联体添加排除条目来调整');
    await this.guardAllianceAdmin(ctx, entry.allianceId);
    await this.repo.deleteCatalogueEntry(entryId);
  }

  /** An alliance is administered from its lead organization (the 医共体's 牵头医院): its alliance admins, or a system admin. */
  private async guardAllianceAdmin(ctx: RequestContext, allianceId: string): Promise<void> {
    if (hasRole(ctx.actor, 'system-admin')) return;
    const alliance = await this.repo.alliance(allianceId);
    if (!hasRole(ctx.actor, 'alliance-admin') || !alliance || alliance.leadOrganizationId !== ctx.actor.organizationId) {
      throw forbidden('只有系统管理员或该医联体牵头机构的管理员可以调整医联体（成员、诊疗目录）');
    }
  }

  /** Does a tier treat this ICD-10 condition (with an alliance's overrides)? */
  async checkCatalogue(tier: FacilityTier, icd10: string, allianceId?: string): Promise<Omit<CatalogueDecision, 'entry'> & { entry: CatalogueEntryDto | null }> {
    if (!normaliseIcd10(icd10)) throw invalid(`“${icd10}” 不是有效的 ICD-10 编码`, 'icd10');
    const rows = await this.repo.catalogueEntries(tier, allianceId ? [allianceId] : []);
    const decision = tierCovers(rows, tier, icd10, allianceId ?? null);
    const entry = decision.entry ? rows.find((r) => r === decision.entry) ?? null : null;
    return { covered: decision.covered, fromOverride: decision.fromOverride, entry: entry ? toCatalogueDto(entry) : null };
  }
}

const toDepartmentDto = (d: { id: string; organizationId: string; code: string; name: string; specialty: string; beds: number; isTcm: boolean }): DepartmentDto => ({
  id: d.id, organizationId: d.organizationId, code: d.code, name: d.name, specialty: d.specialty, beds: d.beds, isTcm: d.isTcm,
});

type PractitionerRowLike = Awaited<ReturnType<NetworkRepository['searchPractitioners']>>['rows'][number];
const toPractitionerDto = (p: PractitionerRowLike): PractitionerDto => ({
  id: p.id, identifier: p.identifier, name: p.name, sex: p.sex, profession: p.profession, title: p.title, specialty: p.specialty,
  homeOrganizationId: p.homeOrganizationId, homeOrganizationName: p.homeOrganizationName, departmentId: p.departmentId,
  departmentName: p.departmentName ?? null, phone: p.phone, active: p.active,
});

type RoleRowLike = Awaited<ReturnType<NetworkRepository['practitionerRoles']>>['rows'][number];
const toPractitionerRoleDto = (r: RoleRowLike): PractitionerRoleDto => ({
  id: r.id, practitionerId: r.practitionerId, practitionerName: r.practitionerName, organizationId: r.organizationId,
  organizationName: r.organizationName, departmentId: r.departmentId, kind: r.kind, validFrom: r.validFrom, validTo: r.validTo, note: r.note,
});

type PairingRowLike = Awaited<ReturnType<NetworkRepository['pairingsOf']>>[number];
const toPairingDto = (p: PairingRowLike): SupportPairingDto => ({
  id: p.id, supportingOrganizationId: p.supportingOrganizationId, supportingOrganizationName: p.supportingOrganizationName,
  supportedOrganizationId: p.supportedOrganizationId, supportedOrganizationName: p.supportedOrganizationName,
  supportTier: p.supportTier, validFrom: p.validFrom, validTo: p.validTo, note: p.note,
});

type CatalogueRowLike = Awaited<ReturnType<NetworkRepository['catalogueEntries']>>[number];
const toCatalogueDto = (c: CatalogueRowLike): CatalogueEntryDto => ({
  id: c.id, tier: c.tier, allianceId: c.allianceId, codeFrom: c.codeFrom, codeTo: c.codeTo, effect: c.effect, label: c.label,
  note: c.note, source: c.source,
});

/** PostgreSQL unique_violation (23505), as raised by node-postgres and PGlite alike. */
export function isUniqueViolation(e: unknown): boolean {
  return hasSqlState(e, '23505');
}


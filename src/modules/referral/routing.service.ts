import type { Db } from '../../db/client.js';
import type { AllianceKind } from '../../contracts/codes.js';
import { facilityTiers, tierRank } from '../../contracts/codes.js';
import { FREE_RESERVED_SLOTS_COUNTED_UP_TO, type RoutingQuery, type RoutingResultDto } from '../../contracts/referral.js';
import { shanghaiDate } from '../../shared/clock.js';
import { hasRole, type RequestContext } from '../../shared/context.js';
import { forbidden, invalid } from '../../shared/errors.js';
import { coversDate, normaliseIcd10, type CatalogueEntry, type NetworkService } from '../network/index.js';
import type { PatientService } from '../patient/index.js';
import type { RoutedPatient } from './referral.ports.js';
import { commonDiagnosisName } from './common-diagnoses.js';
import { RoutingRepository, type CandidateOrganizationRow } from './routing.repository.js';
import {
  coverageFor, rankDestinations, StraightLineTravelEstimator, type AllianceFacts, type CandidateFacts, type LatLon, type PairingRelation,
  type TravelEstimator,
} from './routing.rules.js';

/** Days of reserved capacity the recommendation counts (today included). */
export const ROUTING_CAPACITY_DAYS = 7;
/** Most organizations a recommendation weighs (bounds the capacity queries and the work per request). */
export const ROUTING_MAX_CANDIDATES = 30;
/** Most organizations read before the bound is applied. */
const CANDIDATE_READ_LIMIT = 500;

/** Roles that refer on behalf of the member facilities of their alliance (转诊服务中心, 调度). */
const DESK_ROLES = ['referral-desk', 'dispatch-coordinator', 'alliance-admin'] as const;
/** Alliances whose members the desk acts for (as in the access rule: not specialty alliances or telemedicine networks). */
const DESK_ALLIANCE_KINDS: readonly AllianceKind[] = ['county-community', 'city-group'];
const allianceKindOrder: Record<AllianceKind, number> = { 'county-community': 0, 'city-group': 1, 'specialty-alliance': 2, 'telemedicine-network': 3 };

const DAY_MS = 86_400_000;

/**
 * 转诊去向推荐: for a condition, an origin facility and a patient, the destinations of an up-referral ranked with the
 * reasons shown (`rankDestinations` in routing.rules.ts states the principle). The recommendation advises; the sender
 * or the referral desk may choose another destination, and the referral keeps the reason for the override.
 */
export class RoutingService {
  private readonly repo: RoutingRepository;

  constructor(
    db: Db,
    private readonly network: NetworkService,
    private readonly patients: PatientService,
    private readonly travel: TravelEstimator = new StraightLineTravelEstimator(),
  ) {
    this.repo = new RoutingRepository(db);
  }

  /**
   * Recommends destinations. The origin is `query.originOrganizationId` or the actor's facility; a desk role may ask
   * for a member facility of its county community / city group. The patient must be readable by the actor (the one
   * access rule, through `PatientService.get`, which also writes the audit row).
   */
  /**
   * `opts.patient`: the caller (the referral service) has read the patient through the access rule, with its audit
   * row, or is reading it (a promise: the candidates are read meanwhile); reading it again would only repeat both.
   */
  async recommend(ctx: RequestContext, query: RoutingQuery, opts: { patient?: RoutedPatient | Promise<RoutedPatient> } = {}): Promise<RoutingResultDto> {
    const code = normaliseIcd10(query.diagnosisCode);
    if (!code) throw invalid(`“${query.diagnosisCode}” 不是有效的 ICD-10 编码（如 I63.9）`, 'diagnosisCode');
    const now = ctx.clock.now();
    const today = shanghaiDate(now);
    const originId = query.originOrganizationId ?? ctx.actor.organizationId;
    if (!originId) throw invalid('请指定转出机构', 'originOrganizationId');
    const origin = await this.network.findOrganization(originId);
    if (!origin || !origin.active) throw invalid(`转出机构 ${originId} 不存在或已停用`, 'originOrganizationId');
    await this.guardOrigin(ctx, origin.id, today);
    // The patient's read (its access check) may still be under way: the candidates are read meanwhile.
    const patientRead: Promise<RoutedPatient> = opts.patient ? Promise.resolve(opts.patient) : this.patients.get(ctx, query.patientId);
    patientRead.catch(() => undefined); // awaited below; a refusal must not go unhandled while the candidates are read

    // The origin's alliances and supporting facilities on the day.
    const [originMemberships, alliances, originPairings, supervisorPairings] = await Promise.all([
      this.network.membershipsOf({ organizationId: origin.id, on: today }),
      this.network.alliances(today),
      this.network.pairings(origin.id),
      origin.supervisorId ? this.network.pairings(origin.supervisorId) : Promise.resolve([]),
    ]);
    const allianceFacts = new Map<string, AllianceFacts>(
      alliances.map((a) => [a.id, { id: a.id, name: a.name, kind: a.kind, leadOrganizationId: a.leadOrganizationId }]),
    );
    const byRelevance = (ids: Iterable<string>): string[] =>
      [...new Set(ids)].sort((a, b) => {
        const ka = allianceFacts.get(a)?.kind;
        const kb = allianceFacts.get(b)?.kind;
        return (ka ? allianceKindOrder[ka] : 9) - (kb ? allianceKindOrder[kb] : 9) || (a < b ? -1 : a > b ? 1 : 0);
      });
    const originAllianceIds = byRelevance(originMemberships.map((m) => m.allianceId));
    const partners = new Map<string, PairingRelation>();
    if (origin.supervisorId) partners.set(origin.supervisorId, 'supervising');
    for (const p of [...originPairings, ...supervisorPairings]) {
      const supported = p.supportedOrganizationId === origin.id || p.supportedOrganizationId === origin.supervisorId;
      if (supported && coversDate(p, today) && !partners.has(p.supportingOrganizationId)) partners.set(p.supportingOrganizationId, 'supporting');
    }

    // Candidates: higher tiers only.
    const originRank = tierRank[origin.tier];
    const higherTiers = facilityTiers.filter((t) => tierRank[t] > originRank);
    const rows = await this.repo.candidateOrganizations({
      tiers: higherTiers, allianceIds: originAllianceIds, partnerIds: [...partners.keys()], on: today, limit: CANDIDATE_READ_LIMIT,
    });

    // Where distances are measured from: the patient's residence, else the origin facility.
    const patient = await patientRead;
    if (patient.id !== query.patientId) throw new Error('routing was given another patient than the one asked about');
    const residence = patient.residenceDivisionCode ? await this.repo.residenceSite(patient.residenceDivisionCode) : null;
    const originSite: LatLon | null = origin.latitude !== null && origin.longitude !== null ? { latitude: origin.latitude, longitude: origin.longitude } : null;
    const from = residence ?? originSite;
    const distanceOf = (r: CandidateOrganizationRow): number | null => (from && r.site ? this.travel.distanceKm(from, r.site) : null);

    // Alliances of the candidates (for shared-alliance relations and catalogue overrides) and the catalogue entries.
    const candidateMemberships = await this.network.membershipsOf({ organizationIds: rows.map((r) => r.id), on: today });
    const alliancesOf = new Map<string, string[]>();
    for (const m of candidateMemberships) alliancesOf.set(m.organizationId, [...(alliancesOf.get(m.organizationId) ?? []), m.allianceId]);
    const entries = await this.catalogueEntries([...originAllianceIds, ...candidateMemberships.map((m) => m.allianceId)]);

    const facts = rows.map((r): CandidateFacts => {
      // Overrides of an alliance shared with the origin are consulted first: the referral runs through it.
      const own = alliancesOf.get(r.id) ?? [];
      const shared = originAllianceIds.filter((id) => own.includes(id));
      return {
        organizationId: r.id,
        name: r.name,
        tier: r.tier,
        allianceIds: own,
        coverage: coverageFor(entries, r.tier, code, [...shared, ...byRelevance(own.filter((id) => !shared.includes(id)))]),
        freeReservedSlots: 0,
        freeReservedBeds: 0,
        distanceKm: distanceOf(r),
      };
    });
    const rankInput = {
      diagnosis: { code, name: commonDiagnosisName(code) },
      origin: { organizationId: origin.id, tier: origin.tier, allianceIds: originAllianceIds, pairingPartners: partners },
      alliances: allianceFacts,
      urgency: query.urgency,
      distanceFrom: residence ? ('patient' as const) : ('origin' as const),
    };

    // Bound the set by a first ranking without capacity (capacity moves a candidate only inside its band), then count
    // the reserved capacity of the survivors with one grouped query each and rank for real.
    const kept = new Set(rankDestinations({ ...rankInput, candidates: facts }).slice(0, ROUTING_MAX_CANDIDATES).map((c) => c.organizationId));
    const bounded = facts.filter((f) => kept.has(f.organizationId));
    const ids = bounded.map((f) => f.organizationId);
    const who = { originOrganizationId: origin.id, allianceIds: originAllianceIds };
    const [slots, beds] = await Promise.all([
      this.repo.freeReservedSlots(ids, who, now, new Date(now.getTime() + ROUTING_CAPACITY_DAYS * DAY_MS), FREE_RESERVED_SLOTS_COUNTED_UP_TO),
      this.repo.freeReservedBeds(ids, who, now, today, ROUTING_CAPACITY_DAYS),
    ]);
    const candidates = rankDestinations({
      ...rankInput,
      candidates: bounded.map((f) => ({ ...f, freeReservedSlots: slots.get(f.organizationId) ?? 0, freeReservedBeds: beds.get(f.organizationId) ?? 0 })),
    });

    const inOwnCatalogue = coverageFor(entries, origin.tier, code, originAllianceIds).covered;
    return { inOwnCatalogue, candidates: candidates.slice(0, query.limit) };
  }

  /** The actor's own facility, or — for a desk role — a member of its county community / city group on the day. */
  private async guardOrigin(ctx: RequestContext, originId: string, today: string): Promise<void> {
    const own = ctx.actor.organizationId;
    if (originId === own) return;
    if (own && hasRole(ctx.actor, ...DESK_ROLES)) {
      const mates = await this.network.allianceMatesOn(own, today, DESK_ALLIANCE_KINDS);
      if (mates.includes(originId)) return;
    }
    throw forbidden('只能为本机构推荐转诊去向（转诊服务中心可为本医共体成员机构推荐）');
  }

  /** Default catalogue rows plus the overrides of the given alliances, through the network module. */
  private async catalogueEntries(allianceIds: readonly string[]): Promise<CatalogueEntry[]> {
    const distinct = [...new Set(allianceIds)];
    const lists = distinct.length > 0
      ? await Promise.all(distinct.map((id) => this.network.catalogue(undefined, id)))
      : [await this.network.catalogue()];
    const byId = new Map<string, CatalogueEntry>();
    for (const list of lists) for (const e of list) byId.set(e.id, e);
    return [...byId.values()];
  }
}

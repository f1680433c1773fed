import type { AllianceKind, FacilityTier, Urgency } from '../../contracts/codes.js';
import { tierRank } from '../../contracts/codes.js';
import { FREE_RESERVED_SLOTS_COUNTED_UP_TO, type RoutingCandidateDto } from '../../contracts/referral.js';
import { tierCovers, type CatalogueEntry } from '../network/index.js';

// ---------------------------------------------------------------------------------------------------------------
// Distance

/** A point in WGS-84 decimal degrees. */
export interface LatLon {
  latitude: number;
  longitude: number;
}

/** Mean Earth radius (IUGG), km. */
const EARTH_RADIUS_KM = 6371.0088;

/** Great-circle ("as the crow flies") distance in km between two points (haversine formula). */
export function haversineKm(a: LatLon, b: LatLon): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * How far a patient travels from one point to another, in km. The routing recommendation depends only on this
 * interface, so an estimator backed by real travel times (a road network or a map service) can replace the
 * straight-line one without touching the ranking.
 */
export interface TravelEstimator {
  distanceKm(from: LatLon, to: LatLon): number;
}

/**
 * Default road factor (detour index): road distance ÷ straight-line distance. Detour indices measured on road networks
 * are typically 1.2–1.4 on plains and higher in hill country; western Fujian is mountainous, so the upper end is used.
 * Check: 长汀 → 龙岩 is ≈107 km in a straight line and ≈140–150 km by road.
 */
export const DEFAULT_ROAD_FACTOR = 1.4;

/** Straight line × road factor: an acceptable estimate until real travel times are available. */
export class StraightLineTravelEstimator implements TravelEstimator {
  constructor(readonly roadFactor: number = DEFAULT_ROAD_FACTOR) {
    if (!Number.isFinite(roadFactor) || roadFactor < 1) throw new Error(`road factor must be ≥ 1, got ${roadFactor}`);
  }

  distanceKm(from: LatLon, to: LatLon): number {
    return haversineKm(from, to) * this.roadFactor;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Catalogue coverage for a destination

/** Whether a facility's tier catalogue covers the diagnosis, and which entry said so (for the reason shown). */
export interface CoverageVerdict {
  covered: boolean;
  /** Label of the deciding catalogue entry, e.g. "肺恶性肿瘤" for an exclusion; null when nothing matched. */
  entryLabel: string | null;
  /** Decided by an alliance's own catalogue entry rather than the default. */
  fromOverride: boolean;
}

/** The top tiers (regional and national medical centers) are assumed to treat everything unless an alliance says otherwise. */
const ASSUMED_FULL_COVERAGE_RANK = tierRank['regional-medical-center'];

/**
 * Coverage of `code` by `tier` for a facility that belongs to `allianceIds` (most relevant first). The catalogue
 * decision itself is the network module's `tierCovers`; this only chooses which alliance's overrides apply: the first
 * alliance whose own entries match decides, else the default catalogue. With no matching entry at all, a regional or
 * national center is taken to cover the condition (the top of the system has nowhere further to send it).
 */
export function coverageFor(entries: readonly CatalogueEntry[], tier: FacilityTier, code: string, allianceIds: readonly string[]): CoverageVerdict {
  for (const allianceId of allianceIds) {
    const d = tierCovers(entries, tier, code, allianceId);
    if (d.fromOverride) return { covered: d.covered, entryLabel: d.entry?.label ?? null, fromOverride: true };
  }
  const d = tierCovers(entries, tier, code, null);
  if (!d.entry && tierRank[tier] >= ASSUMED_FULL_COVERAGE_RANK) return { covered: true, entryLabel: null, fromOverride: false };
  return { covered: d.covered, entryLabel: d.entry?.label ?? null, fromOverride: false };
}

// ---------------------------------------------------------------------------------------------------------------
// Ranking

export interface AllianceFacts {
  id: string;
  name: string;
  kind: AllianceKind;
  leadOrganizationId: string;
}

/** How a destination supports the origin: 对口帮扶 (supports the origin or its supervising center), or 乡村一体化 supervision. */
export type PairingRelation = 'supporting' | 'supervising';

export interface RoutingOrigin {
  organizationId: string;
  tier: FacilityTier;
  /** Alliances the origin belongs to on the day of the request. */
  allianceIds: readonly string[];
  /** Facilities that support the origin, by id. */
  pairingPartners: ReadonlyMap<string, PairingRelation>;
}

export interface CandidateFacts {
  organizationId: string;
  name: string;
  tier: FacilityTier;
  /** Alliances the candidate belongs to on the day. */
  allianceIds: readonly string[];
  coverage: CoverageVerdict;
  freeReservedSlots: number;
  freeReservedBeds: number;
  /** Travel distance in km, or null when a coordinate is missing. */
  distanceKm: number | null;
}

export interface RankInput {
  /** Normalised ICD-10 code (`normaliseIcd10`) and, when known, its name for the reasons. */
  diagnosis: { code: string; name: string | null };
  origin: RoutingOrigin;
  alliances: ReadonlyMap<string, AllianceFacts>;
  candidates: readonly CandidateFacts[];
  urgency: Urgency;
  /** What the distances are measured from: the patient's residence, or (when that is unknown) the origin facility. */
  distanceFrom: 'patient' | 'origin';
}

/** Level names by tier rank, for reasons ("县级诊疗目录未覆盖，建议上转市级"). */
const LEVEL_LABELS: Record<number, string> = { 0: '村级', 1: '乡镇级', 2: '县级', 3: '市级', 4: '区域医疗中心', 5: '国家医学中心' };
const levelLabel = (rank: number): string => LEVEL_LABELS[rank] ?? `第${rank}级`;

/** Score weights (see `rankDestinations`). Bands are 1,000 apart; everything inside a band stays within ±500. */
const W = {
  band: 1000,
  routine: { alliance: 100, lead: 20, pairing: 60, capacity: 20, capacityFull: 10, kmPerPoint: 10, maxDistancePenalty: 30 },
  emergency: { alliance: 10, lead: 2, pairing: 5, capacity: 5, capacityFull: 10, kmPerPoint: 0.5, maxDistancePenalty: 400 },
} as const;

const codeOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Which shared alliance a reason names first: the closest bond. */
const ALLIANCE_KIND_ORDER: Record<AllianceKind, number> = { 'county-community': 0, 'city-group': 1, 'specialty-alliance': 2, 'telemedicine-network': 3 };

/**
 * Ranks the destinations of an up-referral and says why (分级诊疗: 一般病在市县解决，大病不出省).
 *
 * 1. **Only facilities above the origin** (by `tierRank`) are candidates; an origin at the county tier never gets a
 *    county-level destination.
 * 2. **The lowest tier whose catalogue covers the diagnosis comes first.** Among the candidates that cover it, the lowest
 *    tier rank is the target band; covering candidates one tier higher rank one band lower, and so on; candidates that
 *    do not cover the diagnosis come last (they stay in the list so the desk sees why they are not proposed). So common
 *    illness beyond the grassroots lands at the county lead hospital, conditions outside the county catalogue at the city
 *    hospital, then the regional center. The top tiers (regional/national) are assumed to cover everything.
 * 3. **Within a band (routine and urgent)**: own alliance first (its lead hospital a little ahead of other members),
 *    then support pairing (对口帮扶; for a village clinic also its supervising township center), then free reserved
 *    capacity (slots and beds reserved for referrals, saturating at 10), then travel distance.
 *    The weights keep that order: alliance 100 (+20 lead) > pairing 60 > capacity ≤ 20, distance penalty ≤ 30.
 * 4. **Emergency**: within a band, distance dominates (0.5 km = 1 point, up to 200 km) — the nearest capable facility —
 *    and relations and capacity only break near-ties.
 * 5. Ties: name, then id (code-point order, so the result does not depend on the runtime's collation).
 *
 * Scores are for ordering and display only; they carry no meaning across requests.
 */
export function rankDestinations(input: RankInput): RoutingCandidateDto[] {
  const originRank = tierRank[input.origin.tier];
  const above = input.candidates.filter((c) => tierRank[c.tier] > originRank && c.organizationId !== input.origin.organizationId);
  const coveringRanks = above.filter((c) => c.coverage.covered).map((c) => tierRank[c.tier]);
  const targetRank = coveringRanks.length > 0 ? Math.min(...coveringRanks) : null;
  const w = input.urgency === 'emergency' ? W.emergency : W.routine;
  const originAlliances = new Set(input.origin.allianceIds);
  const { code, name } = input.diagnosis;
  // Shown as written in ICD-10 (I639 → I63.9).
  const shown = code.length > 3 ? `${code.slice(0, 3)}.${code.slice(3)}` : code;
  const codeText = name ? `${shown}（${name}）` : shown;

  const ranked = above.map((c) => {
    const rank = tierRank[c.tier];
    const reasons: string[] = [];
    let score = 0;

    // 1. Tier fit.
    if (c.coverage.covered) {
      score += targetRank === null ? 0 : W.band * (5 - (rank - targetRank));
      reasons.push(`诊疗目录覆盖 ${codeText}${c.coverage.fromOverride ? '（医联体目录）' : ''}`);
      if (rank === targetRank) {
        // Why this level and not a lower one: the highest level between origin and here whose catalogue does not cover it.
        const skipped = above.filter((o) => !o.coverage.covered && tierRank[o.tier] < rank).map((o) => tierRank[o.tier]);
        if (skipped.length > 0) reasons.push(`${levelLabel(Math.max(...skipped))}诊疗目录未覆盖，建议上转${levelLabel(rank)}`);
        else reasons.push('可诊治的最低层级');
      } else {
        reasons.push('层级高于病情所需');
      }
    } else {
      const label = c.coverage.entryLabel && c.coverage.entryLabel !== name ? `：${c.coverage.entryLabel}` : '';
      reasons.push(`诊疗目录未覆盖 ${codeText}${label}`);
    }

    // 2. Relations.
    const shared = c.allianceIds
      .filter((id) => originAlliances.has(id))
      .map((id) => input.alliances.get(id))
      .filter((a): a is AllianceFacts => !!a)
      .sort((a, b) => ALLIANCE_KIND_ORDER[a.kind] - ALLIANCE_KIND_ORDER[b.kind] || codeOrder(a.id, b.id));
    const sameAlliance = shared.length > 0;
    if (sameAlliance) {
      score += w.alliance;
      const led = shared.find((a) => a.leadOrganizationId === c.organizationId && (a.kind === 'county-community' || a.kind === 'city-group'));
      if (led) {
        score += w.lead;
        reasons.push(led.kind === 'county-community' ? '本医共体牵头医院' : '本医疗集团牵头医院');
      } else {
        const close = shared.find((a) => a.kind === 'county-community' || a.kind === 'city-group');
        reasons.push(close ? (close.kind === 'county-community' ? '本医共体成员单位' : '本医疗集团成员单位') : `同属${shared[0]!.name}`);
      }
    }
    const pairing = input.origin.pairingPartners.get(c.organizationId);
    if (pairing) {
      score += w.pairing;
      reasons.push(pairing === 'supporting' ? '对口帮扶医院' : '上级监管卫生院（乡村一体化）');
    }

    // 3. Capacity reserved for referrals.
    const free = Math.max(0, c.freeReservedSlots) + Math.max(0, c.freeReservedBeds);
    score += w.capacity * Math.min(1, free / w.capacityFull);
    if (c.freeReservedSlots > 0) reasons.push(`预留号源 ${c.freeReservedSlots >= FREE_RESERVED_SLOTS_COUNTED_UP_TO ? `${FREE_RESERVED_SLOTS_COUNTED_UP_TO}+` : c.freeReservedSlots} 个`);
    if (c.freeReservedBeds > 0) reasons.push(`预留床位 ${c.freeReservedBeds} 张`);
    if (free === 0) reasons.push('7日内暂无可用预留号源/床位');

    // 4. Distance.
    if (c.distanceKm === null) {
      score -= w.maxDistancePenalty;
      reasons.push('距离未知（缺少坐标）');
    } else {
      score -= Math.min(w.maxDistancePenalty, c.distanceKm / w.kmPerPoint);
      const where = input.distanceFrom === 'patient' ? '距患者住址' : '距转出机构';
      reasons.push(c.distanceKm < 1 ? `${where}不足 1 km` : `${where}约 ${Math.round(c.distanceKm)} km`);
    }

    const dto: RoutingCandidateDto = {
      organizationId: c.organizationId,
      name: c.name,
      tier: c.tier,
      score: Math.round(score * 100) / 100,
      coversDiagnosis: c.coverage.covered,
      sameAlliance,
      supportPairing: pairing !== undefined,
      freeReservedSlots: Math.max(0, c.freeReservedSlots),
      freeReservedBeds: Math.max(0, c.freeReservedBeds),
      distanceKm: c.distanceKm === null ? null : Math.round(c.distanceKm * 10) / 10,
      reasons,
    };
    return dto;
  });

  return ranked.sort((a, b) => b.score - a.score || codeOrder(a.name, b.name) || codeOrder(a.organizationId, b.organizationId));
}

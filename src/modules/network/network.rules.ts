import type { FacilityTier } from '../../contracts/codes.js';

/** A half-open period [validFrom, validTo) of calendar dates (YYYY-MM-DD); `validTo` null = still in force. */
export interface Period {
  validFrom: string;
  validTo: string | null;
}

/** True when the period covers the calendar date `on`. */
export const coversDate = (p: Period, on: string): boolean => p.validFrom <= on && (p.validTo === null || on < p.validTo);

/** True when two half-open periods share at least one day. */
export const periodsOverlap = (a: Period, b: Period): boolean =>
  (b.validTo === null || a.validFrom < b.validTo) && (a.validTo === null || b.validFrom < a.validTo);

export interface MembershipPeriod extends Period {
  allianceId: string;
  organizationId: string;
  role: 'lead' | 'member';
}

/** The memberships in force on a date: "who belonged to which alliance on date D". */
export function membershipsOn<T extends MembershipPeriod>(memberships: readonly T[], on: string): T[] {
  return memberships.filter((m) => coversDate(m, on));
}

/**
 * Why a new membership period may not be recorded: an organization is in an alliance at most once on any day.
 * Returns null when the new period fits the existing history.
 */
export function membershipConflict(existing: readonly MembershipPeriod[], proposed: MembershipPeriod): MembershipPeriod | null {
  return (
    existing.find(
      (m) => m.allianceId === proposed.allianceId && m.organizationId === proposed.organizationId && periodsOverlap(m, proposed),
    ) ?? null
  );
}

export interface RolePeriod extends Period {
  practitionerId: string;
  organizationId: string;
  kind: 'home' | 'stationed' | 'circuit' | 'visiting';
}

/**
 * Why a new time-limited role (派驻/巡回/出诊) may not be recorded: a practitioner holds a role of one kind at one
 * facility at most once on any day. Other kinds, or other facilities, in the same period are allowed (a doctor may
 * be stationed at one center and do circuit clinics at another). Returns the clashing role, or null.
 */
export function practitionerRoleConflict<T extends RolePeriod>(existing: readonly T[], proposed: RolePeriod): T | null {
  return (
    existing.find(
      (r) =>
        r.practitionerId === proposed.practitionerId && r.organizationId === proposed.organizationId && r.kind === proposed.kind && periodsOverlap(r, proposed),
    ) ?? null
  );
}

export interface PairingPeriod extends Period {
  supportingOrganizationId: string;
  supportedOrganizationId: string;
}

/**
 * Why a new support pairing (对口帮扶) may not be recorded: two organizations are paired at most once on any day,
 * whichever side supports (a reversed pairing of the same two in the same period would double-count both).
 */
export function pairingConflict<T extends PairingPeriod>(existing: readonly T[], proposed: PairingPeriod): T | null {
  const key = (p: PairingPeriod) => [p.supportingOrganizationId, p.supportedOrganizationId].sort().join('|');
  return existing.find((p) => key(p) === key(proposed) && periodsOverlap(p, proposed)) ?? null;
}

// ---------------------------------------------------------------------------------------------------------------
// ICD-10 codes and the tier service catalogue (诊疗目录)

/**
 * Normalises an ICD-10 code for range comparison: upper case, dot and national extension removed
 * (I10.x00 → I10, E11.900 → E119, "j06.9" → J069); ranges rank at the WHO four-character level. Returns null for text that is not an ICD-10 code.
 */
export function normaliseIcd10(code: string): string | null {
  const c = code.trim().toUpperCase();
  const m = /^([A-Z])(\d{2})(?:\.?([0-9X]{0,4}))?/.exec(c);
  if (!m) return null;
  // Chinese national clinical version adds x-suffixed extensions (I10.x00x001); only the WHO part ranks ranges.
  const sub = (m[3] ?? '').replace(/X.*$/, '');
  return `${m[1]}${m[2]}${sub.slice(0, 1)}`;
}

/** Parses "I10", "E10-E14", "J00-J06.9" into an inclusive normalised range. */
export function parseIcdRange(text: string): { from: string; to: string } | null {
  const [a, b] = text.split(/\s*[-–~]\s*/);
  const from = a ? normaliseIcd10(a) : null;
  const to = b ? normaliseIcd10(b) : from;
  if (!from || !to || to < from.slice(0, 3)) return null;
  return { from, to };
}

/** True when a normalised code lies in the range; a range end without subdivision covers all its subcodes (E14 ⊇ E149). */
export function icdInRange(code: string, from: string, to: string): boolean {
  return code >= from && (code <= to || code.startsWith(to));
}

export interface CatalogueEntry {
  tier: FacilityTier;
  allianceId: string | null;
  codeFrom: string;
  codeTo: string;
  effect: 'include' | 'exclude';
  label: string;
}

export interface CatalogueDecision {
  covered: boolean;
  /** The entry that decided, for showing the reason; null when nothing matched. */
  entry: CatalogueEntry | null;
  /** Whether the decision came from the alliance's override rather than the default catalogue. */
  fromOverride: boolean;
}

/**
 * Does the tier treat this condition? An alliance's own entries for the tier replace the default's verdict where they
 * match (an alliance may add conditions or exclude them); within one level an exclusion beats an inclusion.
 */
export function tierCovers(
  entries: readonly CatalogueEntry[],
  tier: FacilityTier,
  icd10: string,
  allianceId: string | null,
): CatalogueDecision {
  const code = normaliseIcd10(icd10);
  if (!code) return { covered: false, entry: null, fromOverride: false };
  const decide = (level: readonly CatalogueEntry[]): CatalogueEntry | null => {
    const hits = level.filter((e) => icdInRange(code, e.codeFrom, e.codeTo));
    return hits.find((e) => e.effect === 'exclude') ?? hits[0] ?? null;
  };
  if (allianceId) {
    const override = decide(entries.filter((e) => e.tier === tier && e.allianceId === allianceId));
    if (override) return { covered: override.effect === 'include', entry: override, fromOverride: true };
  }
  const base = decide(entries.filter((e) => e.tier === tier && e.allianceId === null));
  return { covered: base?.effect === 'include', entry: base, fromOverride: false };
}

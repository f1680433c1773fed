import type { CatalogueEffect, FacilityTier, MembershipRole } from '../../../contracts/codes.js';
import { facilityTiers } from '../../../contracts/codes.js';
import type { MeDto } from '../../../contracts/identity.js';
import type { AllianceDto, CatalogueEntryDto, CatalogueOverrideInput, MembershipDto } from '../../../contracts/network.js';
import { catalogueOverrideInputSchema, membershipEndSchema, membershipInputSchema } from '../../../contracts/network.js';
import { isApiError } from '../../api/client.js';
import type { MembershipInput } from './network.api.js';

/**
 * Pure rules of the alliance administration screens (members, catalogue overrides). The server decides every write
 * (NetworkService.guardAllianceAdmin); these only decide what the UI offers and shape what it sends.
 */

/**
 * May this user administer this alliance? The same rule as the server's guard: a system admin any alliance; an
 * alliance admin only the alliance whose lead organization (牵头单位) is their own organization.
 */
export function mayAdministerAlliance(
  me: Pick<MeDto, 'roles' | 'organization'>,
  alliance: Pick<AllianceDto, 'leadOrganizationId'>,
): boolean {
  if (me.roles.includes('system-admin')) return true;
  return me.roles.includes('alliance-admin') && me.organization !== null && me.organization.id === alliance.leadOrganizationId;
}

/** A membership period still open (no end date): the only kind that can be ended. Closed periods are history. */
export const isOpenMembership = (m: Pick<MembershipDto, 'validTo'>): boolean => m.validTo === null;

/** Memberships whose organization name contains the text (blank text: all); a new array, safe to sort. */
export function filterByName<T extends Pick<MembershipDto, 'organizationName'>>(rows: readonly T[], text: string): T[] {
  const needle = text.trim().toLowerCase();
  return needle ? rows.filter((m) => m.organizationName.toLowerCase().includes(needle)) : [...rows];
}

/** The calendar day after a YYYY-MM-DD date: the earliest end of a period, since periods end after they start. */
export function nextDay(date: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new Error(`not a date: ${date}`);
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1));
  return d.toISOString().slice(0, 10);
}

/** An error to put on a form field. */
export interface FieldError<F extends string> {
  name: F;
  errors: string[];
}

export type Parsed<T, F extends string> = { ok: true; value: T } | { ok: false; errors: FieldError<F>[] };

/** Contract issues → errors on the form's fields (an issue on no known field goes on `fallback`). */
/** What a contract's safeParse reports per problem (a zod issue, without importing zod here). */
interface Issue {
  path: readonly PropertyKey[];
  message: string;
}

export function issuesToFields<F extends string>(issues: readonly Issue[], fields: readonly F[], fallback: F): FieldError<F>[] {
  const byField = new Map<F, string[]>();
  for (const issue of issues) {
    const head = String(issue.path[0] ?? '');
    const name = (fields as readonly string[]).includes(head) ? (head as F) : fallback;
    byField.set(name, [...(byField.get(name) ?? []), issue.message]);
  }
  return [...byField].map(([name, errors]) => ({ name, errors }));
}

/**
 * The form field a server refusal names: a 400 whose `path` is one of the form's fields (`validFrom`, `range` …).
 * Anything else (409 overlap, 403, 404, a path the form does not have) is shown above the form instead.
 */
export function fieldOfServerError<F extends string>(error: unknown, fields: readonly F[]): F | undefined {
  if (!isApiError(error) || error.status !== 400 || !error.path) return undefined;
  const head = error.path.split(/[.[]/)[0] ?? '';
  return (fields as readonly string[]).includes(head) ? (head as F) : undefined;
}

export const blankToNull = (v: string | null | undefined): string | null => {
  const s = (v ?? '').trim();
  return s ? s : null;
};

// ---- joining an alliance

export const joinFields = ['organizationId', 'role', 'validFrom', 'reason'] as const;
export type JoinField = (typeof joinFields)[number];
export interface JoinValues {
  organizationId?: string | null;
  role?: MembershipRole;
  /** YYYY-MM-DD */
  validFrom?: string | null;
  reason?: string;
}

/** The join form → the body of POST /alliances/:id/members, checked with the shared contract. */
export function parseJoin(v: JoinValues): Parsed<MembershipInput, JoinField> {
  const body = { organizationId: v.organizationId ?? '', role: v.role ?? 'member', validFrom: v.validFrom ?? '', reason: blankToNull(v.reason) };
  const parsed = membershipInputSchema.safeParse(body);
  if (!parsed.success) return { ok: false, errors: issuesToFields(parsed.error.issues, joinFields, 'organizationId') };
  return { ok: true, value: parsed.data };
}

// ---- ending a membership

export const endFields = ['validTo', 'reason'] as const;
export type EndField = (typeof endFields)[number];
export interface EndValues {
  /** YYYY-MM-DD: the first day the organization is no longer a member. */
  validTo?: string | null;
  reason?: string;
}

/** The end form → the body of POST /memberships/:id/end; the end must come after the period's start. */
export function parseEnd(membership: Pick<MembershipDto, 'validFrom'>, v: EndValues, tooEarly: string): Parsed<{ validTo: string; reason: string }, EndField> {
  const parsed = membershipEndSchema.safeParse({ validTo: v.validTo ?? '', reason: (v.reason ?? '').trim() });
  if (!parsed.success) return { ok: false, errors: issuesToFields(parsed.error.issues, endFields, 'reason') };
  if (parsed.data.validTo <= membership.validFrom) return { ok: false, errors: [{ name: 'validTo', errors: [tooEarly] }] };
  return { ok: true, value: parsed.data };
}

// ---- catalogue overrides

export const overrideFields = ['tier', 'range', 'effect', 'label', 'note'] as const;
export type OverrideField = (typeof overrideFields)[number];
export interface OverrideValues {
  tier?: FacilityTier;
  range?: string;
  effect?: CatalogueEffect;
  label?: string;
  note?: string;
}

/** One ICD-10 code as typed: letter, two digits, optional subdivision (I10, E11.9, I10.x00x002). */
const icd10Code = /^[A-Z]\d{2}(\.?[0-9A-Z]{1,8})?$/;

/** Is the text (any case, blanks around it) one ICD-10 code? */
export const isIcd10Code = (text: string): boolean => icd10Code.test(text.trim().toUpperCase());

/** Upper case, no blanks around the parts, "–" and "~" written as "-": `k35 – k37` → `K35-K37`. */
export const normaliseRangeText = (text: string): string =>
  text.trim().toUpperCase().split(/\s*[-–~]\s*/).join('-');

/**
 * Does the text look like an ICD-10 code or range ("I10", "E10-E14", "J44.0-J44.1") with its end not before its
 * start? A quick check before sending; the server's parser (network.rules.ts parseIcdRange) has the last word.
 */
export function isIcdRangeText(text: string): boolean {
  const parts = normaliseRangeText(text).split('-');
  if (parts.length < 1 || parts.length > 2 || !parts.every((p) => icd10Code.test(p))) return false;
  const [from = '', to = from] = parts.map((p) => p.replace('.', ''));
  return to.slice(0, 3) >= from.slice(0, 3);
}

/** The override form → the body of POST /alliances/:id/catalogue, checked with the shared contract. */
export function parseOverride(v: OverrideValues, badRange: string): Parsed<CatalogueOverrideInput, OverrideField> {
  const parsed = catalogueOverrideInputSchema.safeParse({
    tier: v.tier,
    range: normaliseRangeText(v.range ?? ''),
    effect: v.effect,
    label: (v.label ?? '').trim(),
    note: blankToNull(v.note),
  });
  if (!parsed.success) return { ok: false, errors: issuesToFields(parsed.error.issues, overrideFields, 'range') };
  if (!isIcdRangeText(parsed.data.range)) return { ok: false, errors: [{ name: 'range', errors: [badRange] }] };
  return { ok: true, value: parsed.data };
}

const tierOrder = (tier: FacilityTier): number => facilityTiers.indexOf(tier);

/** The alliance's own entries (not the defaults the same answer carries), by tier up the ladder, then by code. */
export function allianceOverrides(entries: readonly CatalogueEntryDto[], allianceId: string): CatalogueEntryDto[] {
  return entries
    .filter((e) => e.allianceId === allianceId)
    .sort((a, b) => tierOrder(a.tier) - tierOrder(b.tier) || a.codeFrom.localeCompare(b.codeFrom) || a.codeTo.localeCompare(b.codeTo));
}

/** The default catalogue (allianceId null) grouped by tier, in the order of the tier ladder; empty tiers left out. */
export function defaultsByTier(entries: readonly CatalogueEntryDto[]): { tier: FacilityTier; entries: CatalogueEntryDto[] }[] {
  return facilityTiers
    .map((tier) => ({
      tier,
      entries: entries.filter((e) => e.allianceId === null && e.tier === tier).sort((a, b) => a.codeFrom.localeCompare(b.codeFrom)),
    }))
    .filter((g) => g.entries.length > 0);
}

/** `I10`, or `E10–E14` for a range. */
export const rangeText = (e: Pick<CatalogueEntryDto, 'codeFrom' | 'codeTo'>): string =>
  e.codeFrom === e.codeTo ? e.codeFrom : `${e.codeFrom}–${e.codeTo}`;

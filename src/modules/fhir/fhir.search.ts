import type { Bundle, BundleLink, Resource } from '@medplum/fhirtypes';
import {
  allianceKinds, facilityTiers, membershipRoles, practitionerRoleKinds, referralStatuses, slotStatuses,
  type AllianceKind, type FacilityTier, type MembershipRole, type PractitionerRoleKind, type ReferralStatus, type SlotStatus,
  type Urgency,
} from '../../contracts/codes.js';
import type { ReferralListQuery } from '../../contracts/referral.js';
import { AppError, invalid } from '../../shared/errors.js';
import type { OrganizationFilter } from '../network/index.js';
import type { PatientFilter } from '../patient/index.js';
import { ALLIANCE_ID_PREFIX, LOCATION_ID_PREFIX, systems } from './fhir.codes.js';
import { diagnosisSearchParams, diagnosisServiceRequestParams, diagnosisTaskParams } from './fhir-diagnosis.params.js';

/**
 * FHIR search (http://hl7.org/fhir/R4/search.html) → service filters. Handling is strict: a parameter, modifier,
 * prefix or value form we do not implement is a 400 OperationOutcome naming it, never silently ignored (a client
 * that thinks it filtered and did not would act on the wrong rows).
 */

export const supportedResourceTypes = [
  'Organization', 'Location', 'Practitioner', 'PractitionerRole', 'OrganizationAffiliation', 'Patient',
  'ServiceRequest', 'Task', 'Slot', 'Schedule', 'Appointment', 'Subscription',
  // Shared diagnosis centers (fhir-diagnosis.service.ts)
  'DiagnosticReport', 'ImagingStudy', 'Flag', 'Communication',
] as const;
export type FhirResourceType = (typeof supportedResourceTypes)[number];
export const isSupportedResourceType = (t: string): t is FhirResourceType => (supportedResourceTypes as readonly string[]).includes(t);

export type SearchParamType = 'string' | 'token' | 'reference' | 'date';

export interface SearchParamSpec {
  name: string;
  type: SearchParamType;
  /** Canonical URL of the HL7 SearchParameter we implement. */
  definition: string;
  /** What we implement, in the CapabilityStatement's words. */
  documentation: string;
  /** Modifiers accepted besides none. */
  modifiers?: readonly string[];
  /** Comma-separated values (OR) accepted. */
  orValues?: boolean;
  /** The parameter may be repeated (AND), e.g. `start=ge2026-11-23&start=lt2026-11-30`. */
  andValues?: boolean;
}

const sp = (type: SearchParamType, resource: string, name: string, documentation: string, extra: Partial<SearchParamSpec> = {}): SearchParamSpec => ({
  name,
  type,
  definition: `http://hl7.org/fhir/SearchParameter/${resource}-${name}`,
  documentation,
  ...extra,
});
const idParam: SearchParamSpec = {
  name: '_id', type: 'token', definition: 'http://hl7.org/fhir/SearchParameter/Resource-id', documentation: 'Logical id; several ids comma-separated', orValues: true,
};

/** The search parameters of each resource type — parsed here and listed in the CapabilityStatement. */
export const searchParamSpecs: Record<FhirResourceType, readonly SearchParamSpec[]> = {
  Organization: [
    idParam,
    sp('string', 'Organization', 'name', 'Starts with (name or alias), case-insensitive'),
    sp('token', 'Organization', 'type', `Facility tier (${systems.facilityTier}), alliance kind (${systems.allianceKind}) or prov (${systems.organizationType}); code or system|code; comma = OR`, { orValues: true }),
    sp('reference', 'Organization', 'partof', 'Organization/<id>: the facilities this organization supervises (village clinics of a township center)'),
    sp('string', 'Organization', 'address', 'Text contained in the address (division names or address line)'),
    sp('token', 'Organization', 'identifier', `value, or system|value with ${systems.uscc}, ${systems.facilityCode} or ${systems.allianceCode}`),
  ],
  Location: [
    idParam,
    sp('reference', 'Location', 'organization', 'Organization/<id>: the site of that organization'),
    sp('string', 'Location', 'name', 'Starts with, case-insensitive'),
    sp('string', 'Location', 'address', 'Text contained in the address'),
  ],
  Practitioner: [
    idParam,
    sp('string', 'Practitioner', 'name', 'Starts with (the full name; a Chinese name starts with the surname)'),
    sp('token', 'Practitioner', 'identifier', `value, or ${systems.practitioner}|value`),
  ],
  PractitionerRole: [
    idParam,
    sp('reference', 'PractitionerRole', 'practitioner', 'Practitioner/<id>'),
    sp('reference', 'PractitionerRole', 'organization', 'Organization/<id>'),
    sp('date', 'PractitionerRole', 'date', 'Role in force on a day: YYYY-MM-DD, optional prefix eq'),
    sp('token', 'PractitionerRole', 'role', `Role kind (${systems.practitionerRoleKind}): home, stationed, circuit, visiting; comma = OR`, { orValues: true }),
  ],
  OrganizationAffiliation: [
    idParam,
    sp('reference', 'OrganizationAffiliation', 'primary-organization', 'Organization/alliance-<allianceId>'),
    sp('reference', 'OrganizationAffiliation', 'participating-organization', 'Organization/<id> of the member'),
    sp('date', 'OrganizationAffiliation', 'date', 'Membership in force on a day: YYYY-MM-DD, optional prefix eq'),
    sp('token', 'OrganizationAffiliation', 'role', `lead or member (${systems.membershipRole})`, { orValues: true }),
    sp('token', 'OrganizationAffiliation', 'active', 'true or false: in force today (China Standard Time)'),
  ],
  Patient: [
    idParam,
    sp('token', 'Patient', 'identifier', `Resident ID number: value, or ${systems.residentId}|value`),
    sp('string', 'Patient', 'name', 'Starts with (the full name, i.e. the surname first); :exact for the whole name', { modifiers: ['exact'] }),
    { ...sp('string', 'individual', 'family', 'Surname: starts with'), definition: 'http://hl7.org/fhir/SearchParameter/individual-family' },
    { ...sp('date', 'individual', 'birthdate', 'YYYY-MM-DD with optional prefix eq, ge, gt, le or lt'), definition: 'http://hl7.org/fhir/SearchParameter/individual-birthdate' },
    { ...sp('token', 'individual', 'gender', 'male, female (other, unknown match nobody: we record male/female)'), definition: 'http://hl7.org/fhir/SearchParameter/individual-gender' },
    { ...sp('token', 'individual', 'phone', 'Phone number, exact'), definition: 'http://hl7.org/fhir/SearchParameter/individual-phone' },
    sp('reference', 'Patient', 'organization', 'Organization/<id>: managing organization'),
  ],
  ServiceRequest: [
    idParam,
    sp('reference', 'ServiceRequest', 'subject', 'Patient/<id>'),
    { ...sp('reference', 'clinical', 'patient', 'Patient/<id>'), definition: 'http://hl7.org/fhir/SearchParameter/clinical-patient' },
    sp('reference', 'ServiceRequest', 'performer', 'Organization/<id>: the destination (receiving) facility'),
    sp('reference', 'ServiceRequest', 'requester', 'Organization/<id>: the sending facility'),
    sp('token', 'ServiceRequest', 'status', 'draft, active (requested, accepted, in progress), on-hold, completed, revoked (cancelled or rejected); comma = OR', { orValues: true }),
    sp('token', 'ServiceRequest', 'priority', 'routine, urgent, asap or stat (asap and stat both mean an emergency referral)'),
    ...diagnosisServiceRequestParams,
  ],
  Task: [
    idParam,
    sp('reference', 'Task', 'owner', 'Organization/<id>: the destination (receiving) facility'),
    sp('reference', 'Task', 'requester', 'Organization/<id>: the sending facility'),
    sp('token', 'Task', 'status', 'Task status = the referral lifecycle: draft, requested, accepted, rejected, in-progress, on-hold, completed, cancelled; comma = OR', { orValues: true }),
    sp('reference', 'Task', 'focus', 'ServiceRequest/<id>: the Task of a referral (same id); comma = OR', { orValues: true }),
    sp('reference', 'Task', 'patient', 'Patient/<id>'),
    ...diagnosisTaskParams,
  ],
  Slot: [
    idParam,
    sp('reference', 'Slot', 'schedule', 'Schedule/<id>'),
    sp('token', 'Slot', 'status', 'free, busy, busy-unavailable; comma = OR', { orValues: true }),
    sp('date', 'Slot', 'start', 'Day of the start in China Standard Time: YYYY-MM-DD with prefix eq, ge, gt, le or lt; may be repeated for a range. Without it: the next 14 days', { andValues: true }),
  ],
  Schedule: [
    idParam,
    sp('reference', 'Schedule', 'actor', 'Location/loc-<organizationId> (or Organization/<id>): the schedules of a facility'),
    sp('token', 'Schedule', 'active', 'true or false'),
  ],
  Appointment: [
    idParam,
    sp('reference', 'Appointment', 'based-on', 'ServiceRequest/<id>: the appointment booked for a referral'),
  ],
  Subscription: [
    idParam,
    sp('token', 'Subscription', 'status', 'requested, active, error, off (only your own subscriptions are found)', { orValues: true }),
  ],
  ...diagnosisSearchParams(idParam, sp),
};

/** Result parameters accepted on every search. `_format` only as JSON; `_pretty` is accepted and ignored. */
const RESULT_PARAMS = ['_count', '_offset', '_format', '_pretty'] as const;
export const DEFAULT_COUNT = 20;
export const MAX_COUNT = 200;

export interface ParsedParam {
  name: string;
  modifier: string | undefined;
  /** The comma-separated values (OR), unescaped. */
  values: string[];
  /** Every occurrence's values (AND); set only for specs with `andValues`. */
  occurrences?: string[][];
}

export interface ParsedSearch {
  resourceType: FhirResourceType;
  params: Map<string, ParsedParam>;
  /** Page size after clamping to MAX_COUNT. */
  count: number;
  offset: number;
  /** The query as received, without _count/_offset, for the paging links. */
  passthrough: [string, string][];
}

export type RawQuery = Record<string, string | string[] | undefined>;

const notSupported = (message: string) => new AppError('invalid', message, { detail: { fhirIssueCode: 'not-supported' } });

/** Splits on commas not escaped with a backslash, then unescapes `\,` `\|` `\$` `\\` (FHIR search §3.1.1.6). */
export function splitOrValues(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && i + 1 < value.length) {
      cur += value[i + 1];
      i++;
    } else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function parseNonNegativeInt(name: string, value: string): number {
  if (!/^\d{1,9}$/.test(value)) throw invalid(`搜索参数 ${name} 应为非负整数，收到 "${value}"`, name);
  return Number(value);
}

/**
 * Parses the query string of a search on `resourceType` against its declared parameters. Unknown parameters,
 * modifiers, repeated parameters (AND) and comma lists (OR) where not supported are refused with a message naming them.
 */
export function parseSearchQuery(resourceType: FhirResourceType, query: RawQuery): ParsedSearch {
  const specs = searchParamSpecs[resourceType];
  const params = new Map<string, ParsedParam>();
  const passthrough: [string, string][] = [];
  let count = DEFAULT_COUNT;
  let offset = 0;
  const supportedList = [...specs.map((s) => s.name), ...RESULT_PARAMS].join(', ');
  for (const [key, raw] of Object.entries(query)) {
    if (raw === undefined) continue;
    const all = Array.isArray(raw) ? raw : [raw];
    const [name, modifier, ...rest] = key.split(':');
    if ((RESULT_PARAMS as readonly string[]).includes(key)) {
      if (all.length > 1) throw invalid(`搜索参数 ${key} 只能出现一次`, key);
      const v = all[0]!.trim();
      if (key === '_count') count = Math.min(parseNonNegativeInt('_count', v), MAX_COUNT);
      else if (key === '_offset') offset = parseNonNegativeInt('_offset', v);
      else if (key === '_format' && !['json', 'application/json', 'application/fhir+json', 'application/json+fhir'].includes(v)) {
        throw notSupported(`_format=${v} 不受支持：本服务只提供 JSON（application/fhir+json）`);
      }
      if (key === '_format' || key === '_pretty') passthrough.push([key, v]);
      continue;
    }
    const spec = specs.find((s) => s.name === name);
    if (!spec || rest.length > 0) throw notSupported(`不支持的搜索参数 "${key}"（${resourceType} 支持：${supportedList}）`);
    if (modifier !== undefined && !(spec.modifiers ?? []).includes(modifier)) {
      throw notSupported(`搜索参数 "${key}" 的修饰符 ":${modifier}" 不受支持${spec.modifiers?.length ? `（可用：${spec.modifiers.map((m) => `:${m}`).join(', ')}）` : ''}`);
    }
    if (!spec.andValues && (all.length > 1 || params.has(name!))) throw notSupported(`搜索参数 "${name}" 只能出现一次（不支持重复参数的“且”组合）`);
    const occurrences = all.map((one) => {
      const values = splitOrValues(one).map((v) => v.trim());
      if (values.some((v) => v === '')) throw invalid(`搜索参数 "${key}" 的值不能为空`, name);
      if (values.length > 1 && !spec.orValues) throw notSupported(`搜索参数 "${key}" 不支持以逗号分隔的多个值`);
      return values;
    });
    const previous = params.get(name!);
    if (previous && previous.modifier !== modifier) throw notSupported(`搜索参数 "${name}" 重复时修饰符应一致`);
    if (spec.andValues) params.set(name!, { name: name!, modifier, values: previous?.values ?? occurrences[0]!, occurrences: [...(previous?.occurrences ?? []), ...occurrences] });
    else params.set(name!, { name: name!, modifier, values: occurrences[0]! });
    for (const one of all) passthrough.push([key, one]);
  }
  return { resourceType, params, count, offset, passthrough };
}

// ---------------------------------------------------------------------------------------------------------------
// Value forms

export interface TokenValue {
  /** undefined: any system; null: explicitly no system (`|code`). */
  system: string | null | undefined;
  code: string;
}

export function parseToken(value: string): TokenValue {
  const i = value.indexOf('|');
  if (i < 0) return { system: undefined, code: value };
  return { system: i === 0 ? null : value.slice(0, i), code: value.slice(i + 1) };
}

/**
 * The id of a reference search value of type `type`: `Type/id`, a bare `id`, or an absolute URL ending in `Type/id`.
 * A reference to another resource type is refused.
 */
export function parseReferenceId(param: string, value: string, type: string): string {
  const m = /^(?:.*\/)?([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec(value);
  if (m) {
    if (m[1] !== type) throw invalid(`搜索参数 ${param} 应引用 ${type}，收到 "${value}"`, param);
    return m[2]!;
  }
  if (/^[A-Za-z0-9\-.]{1,64}$/.test(value)) return value;
  throw invalid(`搜索参数 ${param} 应为 "${type}/<id>"，收到 "${value}"`, param);
}

/** A date search value on a whole day: `YYYY-MM-DD` or `eqYYYY-MM-DD`. Other prefixes and precisions are refused. */
export function parseDayValue(param: string, value: string): string {
  const m = /^([a-z]{2})?(\d{4}-\d{2}-\d{2})$/.exec(value);
  if (!m) {
    if (/^[a-z]{2}/.test(value)) throw notSupported(`搜索参数 ${param} 只支持 eq 前缀（或不带前缀）的完整日期 YYYY-MM-DD，收到 "${value}"`);
    throw invalid(`搜索参数 ${param} 应为 YYYY-MM-DD 格式的完整日期，收到 "${value}"`, param);
  }
  if (m[1] && m[1] !== 'eq') throw notSupported(`搜索参数 ${param} 的前缀 "${m[1]}" 不受支持（只支持 eq）`);
  const day = m[2]!;
  const t = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== day) throw invalid(`搜索参数 ${param} 的日期 "${day}" 不存在`, param);
  return day;
}

const single = (p: ParsedParam | undefined): string | undefined => p?.values[0];

const shiftDay = (day: string, days: number): string => new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/**
 * A date search on whole days with the FHIR prefixes eq, ge, gt, le, lt (R4 search §3.1.1.4.5): the result is an
 * inclusive range of days. Other prefixes (ne, sa, eb, ap) and partial dates are refused.
 */
export function parseDayRange(param: string, value: string): { from?: string; to?: string } {
  const m = /^(eq|ge|gt|le|lt)?(\d{4}-\d{2}-\d{2})$/.exec(value);
  if (!m && /^[a-z]{2}\d/.test(value)) throw notSupported(`搜索参数 ${param} 只支持 eq、ge、gt、le、lt 前缀，收到 "${value}"`);
  const day = parseDayValue(param, m ? m[2]! : value);
  switch (m?.[1]) {
    case 'ge': return { from: day };
    case 'gt': return { from: shiftDay(day, 1) };
    case 'le': return { to: day };
    case 'lt': return { to: shiftDay(day, -1) };
    default: return { from: day, to: day };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Resource plans: what to ask the services. `null` = nothing can match (e.g. an identifier system we do not issue).

export interface AllianceFilter {
  namePrefix?: string | undefined;
  kinds?: AllianceKind[] | undefined;
  identifier?: string | undefined;
  ids?: string[] | undefined;
  addressText?: string | undefined;
}

export interface OrganizationPlan {
  /** Facilities: a filter for NetworkService.findOrganizations, or null when no facility can match. */
  facilities: OrganizationFilter | null;
  /** With an identifier system, the kind the matched facility identifier must have. */
  facilityIdentifierKind?: 'uscc' | 'local' | undefined;
  /** Alliances (Organizations `alliance-<id>`), filtered in memory: there are a handful per county. */
  alliances: AllianceFilter | null;
}

/** Resolves `type` tokens to facility tiers and alliance kinds; an unknown system or code is a 400. */
function organizationTypes(p: ParsedParam): { tiers: FacilityTier[]; kinds: AllianceKind[] } {
  const tiers = new Set<FacilityTier>();
  const kinds = new Set<AllianceKind>();
  for (const raw of p.values) {
    const { system, code } = parseToken(raw);
    const anySystem = system === undefined;
    let known = false;
    if (anySystem || system === systems.facilityTier) {
      if ((facilityTiers as readonly string[]).includes(code)) {
        tiers.add(code as FacilityTier);
        known = true;
      }
    }
    if (anySystem || system === systems.allianceKind) {
      if ((allianceKinds as readonly string[]).includes(code)) {
        kinds.add(code as AllianceKind);
        known = true;
      }
    }
    if ((anySystem || system === systems.organizationType) && code === 'prov') {
      for (const t of facilityTiers) tiers.add(t);
      known = true;
    }
    if (known) continue;
    if (system === null || (system !== undefined && ![systems.facilityTier, systems.allianceKind, systems.organizationType].includes(system as never))) {
      throw invalid(`搜索参数 type 的代码系统 "${system ?? ''}" 不受支持（可用：${systems.facilityTier}、${systems.allianceKind}、${systems.organizationType}）`, 'type');
    }
    throw invalid(`搜索参数 type 的代码 "${code}" 未知：机构层级为 ${facilityTiers.join(', ')}；医联体类型为 ${allianceKinds.join(', ')}`, 'type');
  }
  return { tiers: [...tiers], kinds: [...kinds] };
}

export function planOrganizationSearch(s: ParsedSearch): OrganizationPlan {
  const f: OrganizationFilter = {};
  const a: AllianceFilter = {};
  let facilities = true;
  let alliances = true;
  let facilityIdentifierKind: OrganizationPlan['facilityIdentifierKind'];

  const id = s.params.get('_id');
  if (id) {
    const allianceIds = id.values.filter((v) => v.startsWith(ALLIANCE_ID_PREFIX)).map((v) => v.slice(ALLIANCE_ID_PREFIX.length));
    const facilityIds = id.values.filter((v) => !v.startsWith(ALLIANCE_ID_PREFIX));
    if (facilityIds.length) f.ids = facilityIds;
    else facilities = false;
    if (allianceIds.length) a.ids = allianceIds;
    else alliances = false;
  }
  const name = single(s.params.get('name'));
  if (name) f.namePrefix = a.namePrefix = name;
  const address = single(s.params.get('address'));
  if (address) f.addressText = a.addressText = address;
  const type = s.params.get('type');
  if (type) {
    const { tiers, kinds } = organizationTypes(type);
    if (tiers.length) f.tiers = tiers;
    else facilities = false;
    if (kinds.length) a.kinds = kinds;
    else alliances = false;
  }
  const partof = single(s.params.get('partof'));
  if (partof) {
    f.supervisorId = parseReferenceId('partof', partof, 'Organization');
    alliances = false; // alliances are part of nothing
  }
  const identifier = single(s.params.get('identifier'));
  if (identifier) {
    const { system, code } = parseToken(identifier);
    f.identifier = a.identifier = code;
    if (system === systems.uscc || system === systems.facilityCode) {
      facilityIdentifierKind = system === systems.uscc ? 'uscc' : 'local';
      alliances = false;
    } else if (system === systems.allianceCode) {
      facilities = false;
    } else if (system !== undefined) {
      facilities = alliances = false; // no identifier of ours lacks a system or has another one
    }
  }
  return { facilities: facilities ? f : null, facilityIdentifierKind, alliances: alliances ? a : null };
}

/** Locations are the sites of facilities: the plan is a facility filter. */
export function planLocationSearch(s: ParsedSearch): OrganizationFilter | null {
  const f: OrganizationFilter = {};
  const id = s.params.get('_id');
  if (id) {
    const ids = id.values.filter((v) => v.startsWith(LOCATION_ID_PREFIX)).map((v) => v.slice(LOCATION_ID_PREFIX.length));
    if (!ids.length) return null;
    f.ids = ids;
  }
  const org = single(s.params.get('organization'));
  if (org) {
    const orgId = parseReferenceId('organization', org, 'Organization');
    if (orgId.startsWith(ALLIANCE_ID_PREFIX)) return null;
    f.ids = f.ids ? f.ids.filter((x) => x === orgId) : [orgId];
    if (!f.ids.length) return null;
  }
  const name = single(s.params.get('name'));
  if (name) f.namePrefix = name;
  const address = single(s.params.get('address'));
  if (address) f.addressText = address;
  return f;
}

export interface PractitionerPlan {
  namePrefix?: string | undefined;
  identifier?: string | undefined;
  ids?: string[] | undefined;
}

export function planPractitionerSearch(s: ParsedSearch): PractitionerPlan | null {
  const f: PractitionerPlan = {};
  const id = s.params.get('_id');
  if (id) f.ids = id.values;
  const name = single(s.params.get('name'));
  if (name) f.namePrefix = name;
  const identifier = single(s.params.get('identifier'));
  if (identifier) {
    const { system, code } = parseToken(identifier);
    if (system !== undefined && system !== systems.practitioner) return null;
    f.identifier = code;
  }
  return f;
}

export interface PractitionerRolePlan {
  practitionerId?: string;
  organizationId?: string;
  ids?: string[];
  /** In force on this day (filtered after the query; see FhirService). */
  on?: string;
  kinds?: PractitionerRoleKind[];
}

export function planPractitionerRoleSearch(s: ParsedSearch): PractitionerRolePlan | null {
  const f: PractitionerRolePlan = {};
  const id = s.params.get('_id');
  if (id) f.ids = id.values;
  const practitioner = single(s.params.get('practitioner'));
  if (practitioner) f.practitionerId = parseReferenceId('practitioner', practitioner, 'Practitioner');
  const organization = single(s.params.get('organization'));
  if (organization) {
    f.organizationId = parseReferenceId('organization', organization, 'Organization');
    if (f.organizationId.startsWith(ALLIANCE_ID_PREFIX)) return null;
  }
  const date = single(s.params.get('date'));
  if (date) f.on = parseDayValue('date', date);
  const role = s.params.get('role');
  if (role) {
    const kinds = codesOf('role', role, systems.practitionerRoleKind, practitionerRoleKinds);
    if (!kinds.length) return null;
    f.kinds = kinds;
  }
  return f;
}

/** Codes of one of our code systems from token values; a foreign system matches nothing, an unknown code is a 400. */
function codesOf<T extends string>(param: string, p: ParsedParam, system: string, codes: readonly T[]): T[] {
  const out: T[] = [];
  for (const raw of p.values) {
    const t = parseToken(raw);
    if (t.system !== undefined && t.system !== system) continue;
    if (!(codes as readonly string[]).includes(t.code)) throw invalid(`搜索参数 ${param} 的代码 "${t.code}" 未知（可用：${codes.join(', ')}）`, param);
    out.push(t.code as T);
  }
  return out;
}

export interface AffiliationPlan {
  allianceId?: string;
  organizationId?: string;
  on?: string;
  ids?: string[];
  roles?: MembershipRole[];
  active?: boolean;
}

export function planAffiliationSearch(s: ParsedSearch): AffiliationPlan | null {
  const f: AffiliationPlan = {};
  const id = s.params.get('_id');
  if (id) f.ids = id.values;
  const primary = single(s.params.get('primary-organization'));
  if (primary) {
    const orgId = parseReferenceId('primary-organization', primary, 'Organization');
    // Only alliances have members; a facility is never the primary organization of an affiliation.
    if (!orgId.startsWith(ALLIANCE_ID_PREFIX)) return null;
    f.allianceId = orgId.slice(ALLIANCE_ID_PREFIX.length);
  }
  const participating = single(s.params.get('participating-organization'));
  if (participating) {
    f.organizationId = parseReferenceId('participating-organization', participating, 'Organization');
    if (f.organizationId.startsWith(ALLIANCE_ID_PREFIX)) return null;
  }
  const date = single(s.params.get('date'));
  if (date) f.on = parseDayValue('date', date);
  const role = s.params.get('role');
  if (role) {
    const roles = codesOf('role', role, systems.membershipRole, membershipRoles);
    if (!roles.length) return null;
    f.roles = roles;
  }
  const active = single(s.params.get('active'));
  if (active !== undefined) {
    const { code } = parseToken(active);
    if (code !== 'true' && code !== 'false') throw invalid(`搜索参数 active 应为 true 或 false，收到 "${active}"`, 'active');
    f.active = code === 'true';
  }
  return f;
}

export type PatientPlan = Omit<PatientFilter, 'scopeOrganizationIds'>;

export function planPatientSearch(s: ParsedSearch): PatientPlan | null {
  const f: PatientPlan = {};
  const id = s.params.get('_id');
  if (id) f.ids = id.values;
  const identifier = single(s.params.get('identifier'));
  if (identifier) {
    const { system, code } = parseToken(identifier);
    if (system !== undefined && system !== systems.residentId) return null; // we keep no other patient identifier
    f.idNumber = code.toUpperCase();
  }
  const name = s.params.get('name');
  const family = single(s.params.get('family'));
  if (name?.modifier === 'exact') f.nameExact = name.values[0];
  // A Chinese name starts with the surname, so name and family are both prefixes of one string: keep the longer
  // when it extends the shorter, else nothing can match.
  const prefixes = [name && !name.modifier ? name.values[0]! : undefined, family].filter((x): x is string => !!x).sort((x, y) => y.length - x.length);
  if (prefixes.length) {
    if (!prefixes.every((p) => prefixes[0]!.startsWith(p))) return null;
    f.namePrefix = prefixes[0];
  }
  const birthdate = single(s.params.get('birthdate'));
  if (birthdate) {
    const range = parseDayRange('birthdate', birthdate);
    if (range.from && range.from === range.to) f.birthDate = range.from;
    else {
      if (range.from) f.birthDateFrom = range.from;
      if (range.to) f.birthDateTo = range.to;
    }
  }
  const gender = single(s.params.get('gender'));
  if (gender) {
    const { system, code } = parseToken(gender);
    if (system !== undefined && system !== systems.administrativeGender) return null;
    if (!['male', 'female', 'other', 'unknown'].includes(code)) throw invalid(`搜索参数 gender 应为 male、female、other 或 unknown，收到 "${code}"`, 'gender');
    if (code !== 'male' && code !== 'female') return null;
    f.sex = code;
  }
  const phone = single(s.params.get('phone'));
  if (phone) f.phone = parseToken(phone).code;
  const organization = single(s.params.get('organization'));
  if (organization) f.organizationId = parseReferenceId('organization', organization, 'Organization');
  return f;
}

// ---------------------------------------------------------------------------------------------------------------
// Referral resources: ServiceRequest and Task are two views of one referral (same id), Slot/Schedule its capacity.

/** What to ask ReferralService.list for a ServiceRequest or Task search (always within the caller's scope). */
export interface ReferralPlan {
  ids?: string[];
  /** Task.requester / ServiceRequest.requester: the sending facility. */
  originOrganizationId?: string;
  /** Task.owner / ServiceRequest.performer: the receiving facility. */
  destinationOrganizationId?: string;
  patientId?: string;
  statuses?: ReferralStatus[];
  urgency?: Urgency;
}

/** A plan as a ReferralService.list query over the caller's whole scope, most recently changed first. */
export function listQueryOf(plan: ReferralPlan): ReferralListQuery {
  return {
    view: 'all', ids: plan.ids, status: plan.statuses, patientId: plan.patientId, urgency: plan.urgency,
    originOrganizationId: plan.originOrganizationId, destinationOrganizationId: plan.destinationOrganizationId,
    page: 1, pageSize: DEFAULT_COUNT, sort: 'updated',
  };
}

/** ServiceRequest.status of each referral status (docs/fhir.md, "Two-way referral"). */
export const serviceRequestStatusOf: Record<ReferralStatus, 'draft' | 'active' | 'on-hold' | 'completed' | 'revoked'> = {
  draft: 'draft',
  requested: 'active',
  accepted: 'active',
  'in-progress': 'active',
  'on-hold': 'on-hold',
  completed: 'completed',
  cancelled: 'revoked',
  rejected: 'revoked',
};

const TASK_STATUS_SYSTEM = 'http://hl7.org/fhir/task-status';
const REQUEST_STATUS_SYSTEM = 'http://hl7.org/fhir/request-status';
const REQUEST_PRIORITY_SYSTEM = 'http://hl7.org/fhir/request-priority';

/** Intersects an id list with another constraint; an empty result means nothing can match. */
const intersect = (a: string[] | undefined, b: string[]): string[] => (a ? a.filter((x) => b.includes(x)) : b);

function referralCommon(s: ParsedSearch, plan: ReferralPlan, patientParams: readonly string[]): boolean {
  const id = s.params.get('_id');
  if (id) plan.ids = id.values;
  for (const name of patientParams) {
    const v = single(s.params.get(name));
    if (!v) continue;
    const patientId = parseReferenceId(name, v, 'Patient');
    if (plan.patientId && plan.patientId !== patientId) return false;
    plan.patientId = patientId;
  }
  const requester = single(s.params.get('requester'));
  if (requester) plan.originOrganizationId = parseReferenceId('requester', requester, 'Organization');
  return true;
}

export function planTaskSearch(s: ParsedSearch): ReferralPlan | null {
  const plan: ReferralPlan = {};
  if (!referralCommon(s, plan, ['patient'])) return null;
  const owner = single(s.params.get('owner'));
  if (owner) plan.destinationOrganizationId = parseReferenceId('owner', owner, 'Organization');
  const focus = s.params.get('focus');
  if (focus) {
    plan.ids = intersect(plan.ids, focus.values.map((v) => parseReferenceId('focus', v, 'ServiceRequest')));
    if (!plan.ids.length) return null;
  }
  const status = s.params.get('status');
  if (status) {
    const statuses = new Set<ReferralStatus>();
    for (const raw of status.values) {
      const t = parseToken(raw);
      if (t.system !== undefined && t.system !== TASK_STATUS_SYSTEM) continue;
      if (!(referralStatuses as readonly string[]).includes(t.code)) {
        // Valid task-status codes a referral never takes (ready, received, failed, entered-in-error) match nothing.
        if (['ready', 'received', 'failed', 'entered-in-error'].includes(t.code)) continue;
        throw invalid(`搜索参数 status 的代码 "${t.code}" 未知（可用：${referralStatuses.join(', ')}）`, 'status');
      }
      statuses.add(t.code as ReferralStatus);
    }
    if (!statuses.size) return null;
    plan.statuses = [...statuses];
  }
  return plan;
}

export function planServiceRequestSearch(s: ParsedSearch): ReferralPlan | null {
  const plan: ReferralPlan = {};
  if (!referralCommon(s, plan, ['subject', 'patient'])) return null;
  const performer = single(s.params.get('performer'));
  if (performer) plan.destinationOrganizationId = parseReferenceId('performer', performer, 'Organization');
  const status = s.params.get('status');
  if (status) {
    const statuses = new Set<ReferralStatus>();
    const known = ['draft', 'active', 'on-hold', 'revoked', 'completed', 'entered-in-error', 'unknown'];
    for (const raw of status.values) {
      const t = parseToken(raw);
      if (t.system !== undefined && t.system !== REQUEST_STATUS_SYSTEM) continue;
      if (!known.includes(t.code)) throw invalid(`搜索参数 status 的代码 "${t.code}" 未知（可用：${known.join(', ')}）`, 'status');
      for (const r of referralStatuses) if (serviceRequestStatusOf[r] === t.code) statuses.add(r);
    }
    if (!statuses.size) return null;
    plan.statuses = [...statuses];
  }
  const priority = single(s.params.get('priority'));
  if (priority) {
    const t = parseToken(priority);
    if (t.system !== undefined && t.system !== REQUEST_PRIORITY_SYSTEM) return null;
    const urgency = ({ routine: 'routine', urgent: 'urgent', asap: 'emergency', stat: 'emergency' } as const)[t.code as 'routine'];
    if (!urgency) throw invalid(`搜索参数 priority 应为 routine、urgent、asap 或 stat，收到 "${t.code}"`, 'priority');
    plan.urgency = urgency;
  }
  return plan;
}

export interface SlotPlan {
  ids?: string[];
  scheduleId?: string;
  statuses?: SlotStatus[];
  /** Inclusive days (China Standard Time). */
  from?: string;
  to?: string;
}

export function planSlotSearch(s: ParsedSearch): SlotPlan | null {
  const plan: SlotPlan = {};
  const id = s.params.get('_id');
  if (id) plan.ids = id.values;
  const schedule = single(s.params.get('schedule'));
  if (schedule) plan.scheduleId = parseReferenceId('schedule', schedule, 'Schedule');
  const status = s.params.get('status');
  if (status) {
    const statuses = codesOf('status', status, 'http://hl7.org/fhir/slotstatus', slotStatuses);
    if (!statuses.length) return null;
    plan.statuses = statuses;
  }
  for (const occurrence of s.params.get('start')?.occurrences ?? []) {
    const range = parseDayRange('start', occurrence[0]!);
    if (range.from && (!plan.from || range.from > plan.from)) plan.from = range.from;
    if (range.to && (!plan.to || range.to < plan.to)) plan.to = range.to;
  }
  if (plan.from && plan.to && plan.to < plan.from) return null;
  return plan;
}

export interface SchedulePlan {
  ids?: string[];
  organizationId?: string;
  active?: boolean;
}

export function planScheduleSearch(s: ParsedSearch): SchedulePlan | null {
  const plan: SchedulePlan = {};
  const id = s.params.get('_id');
  if (id) plan.ids = id.values;
  const actor = single(s.params.get('actor'));
  if (actor) {
    // Schedule.actor cannot reference an Organization in R4: the facility's site (Location loc-<id>) stands for it.
    const m = /^(?:.*\/)?(Location|Organization)\/([A-Za-z0-9\-.]{1,64})$/.exec(actor);
    if (!m) throw invalid(`搜索参数 actor 应为 "Location/${LOCATION_ID_PREFIX}<机构id>" 或 "Organization/<机构id>"，收到 "${actor}"`, 'actor');
    if (m[1] === 'Location') {
      if (!m[2]!.startsWith(LOCATION_ID_PREFIX)) return null;
      plan.organizationId = m[2]!.slice(LOCATION_ID_PREFIX.length);
    } else plan.organizationId = m[2]!;
  }
  const active = single(s.params.get('active'));
  if (active !== undefined) {
    const { code } = parseToken(active);
    if (code !== 'true' && code !== 'false') throw invalid(`搜索参数 active 应为 true 或 false，收到 "${active}"`, 'active');
    plan.active = code === 'true';
  }
  return plan;
}

// ---------------------------------------------------------------------------------------------------------------
// The searchset Bundle

/** Where a search was asked: the FHIR base URL (absolute, from the request) and the resource type. */
export interface SearchOrigin {
  base: string;
  resourceType: FhirResourceType;
}

function pageUrl(origin: SearchOrigin, s: ParsedSearch, offset: number): string {
  const q = new URLSearchParams(s.passthrough);
  q.set('_count', String(s.count));
  q.set('_offset', String(offset));
  return `${origin.base}/${origin.resourceType}?${q.toString()}`;
}

/**
 * A searchset Bundle with `total`, `self`/`first`/`previous`/`next` links (offset paging: `_count`, `_offset`) and
 * each entry's absolute `fullUrl` with `search.mode = match`.
 */
export function searchsetBundle<T extends Resource>(origin: SearchOrigin, s: ParsedSearch, resources: readonly T[], total: number): Bundle<T> {
  const link: BundleLink[] = [
    { relation: 'self', url: pageUrl(origin, s, s.offset) },
    { relation: 'first', url: pageUrl(origin, s, 0) },
  ];
  if (s.offset > 0 && s.count > 0) link.push({ relation: 'previous', url: pageUrl(origin, s, Math.max(0, Math.min(s.offset, total) - s.count)) });
  if (s.count > 0 && s.offset + s.count < total) link.push({ relation: 'next', url: pageUrl(origin, s, s.offset + s.count) });
  const bundle: Bundle<T> = { resourceType: 'Bundle', type: 'searchset', total, link };
  if (resources.length) {
    bundle.entry = resources.map((r) => ({ fullUrl: `${origin.base}/${r.resourceType}/${r.id}`, resource: r, search: { mode: 'match' } }));
  }
  return bundle;
}

/** One page of an in-memory list. */
export const pageOf = <T>(items: readonly T[], s: ParsedSearch): T[] => items.slice(s.offset, s.offset + s.count);

import type {
  Address, CodeableConcept, Coding, ContactPoint, Extension, HumanName, Identifier, Location, Organization, OrganizationAffiliation,
  Patient, Period, Practitioner, PractitionerRole, Reference, Resource,
} from '@medplum/fhirtypes';
import type { AllianceDto, MembershipDto, OrganizationDto, PractitionerDto, PractitionerRoleDto } from '../../contracts/network.js';
import { patientInputSchema, type PatientDto, type PatientInput } from '../../contracts/patient.js';
import { invalid } from '../../shared/errors.js';
import { coversDate } from '../network/index.js';
import { parseResidentId } from '../patient/index.js';
import {
  ALLIANCE_ID_PREFIX, LOCATION_ID_PREFIX, allianceKindDisplay, extensions, facilityTierDisplay, hospitalGradeDisplay,
  hospitalLevelDisplay, membershipRoleDisplay, practitionerRoleKindDisplay, practitionerTitleDisplay, professionDisplay,
  systems,
} from './fhir.codes.js';

/**
 * Our DTOs ⇄ FHIR R4 resources. Pure functions: no database, no clock (the caller passes "today" in China Standard
 * Time where a resource carries a computed `active`). Element choices are documented in docs/fhir.md.
 */

/** Drops `undefined` members and empty arrays so resources carry no empty elements (FHIR ele-1: no empty elements). */
export function compact<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[k] = v;
  }
  return out as T;
}

// ---------------------------------------------------------------------------------------------------------------
// Shared pieces: names, addresses, periods, references

/** Two-character surnames (复姓) common enough to matter; every other Chinese name has a one-character surname. */
const COMPOUND_SURNAMES = new Set([
  '欧阳', '司马', '上官', '诸葛', '东方', '皇甫', '尉迟', '公孙', '慕容', '长孙', '宇文', '司徒', '夏侯', '令狐', '端木',
  '西门', '南宫', '独孤', '轩辕', '呼延', '申屠', '太史', '澹台', '公冶', '钟离', '闻人', '赫连', '濮阳', '万俟', '司空',
]);

/**
 * A Chinese name as a FHIR HumanName: the whole name in `text` (what is displayed and what we store), and
 * `family`/`given` split after the surname for clients that need the parts. Names that are not 2–4 Han characters
 * (minority names written with "·", names in Latin script) are given as `text` only rather than split wrongly.
 */
export function humanNameOf(name: string, use: HumanName['use'] = 'official'): HumanName {
  if (!/^[\u3400-\u9fff]{2,4}$/u.test(name)) return { use, text: name };
  const surnameLength = name.length >= 3 && COMPOUND_SURNAMES.has(name.slice(0, 2)) ? 2 : 1;
  return { use, text: name, family: name.slice(0, surnameLength), given: [name.slice(surnameLength)] };
}

/** The calendar day before `date` (YYYY-MM-DD): our periods end exclusively, FHIR's `Period.end` inclusively. */
export function dayBefore(date: string): string {
  const t = Date.parse(`${date}T00:00:00Z`);
  return new Date(t - 86_400_000).toISOString().slice(0, 10);
}

/** A half-open [validFrom, validTo) period as a FHIR Period: `end` is the last day in force, validTo − 1 day. */
export function periodOf(validFrom: string, validTo: string | null): Period {
  return compact({ start: validFrom, end: validTo === null ? undefined : dayBefore(validTo) });
}

export const reference = <T extends Resource>(type: T['resourceType'], id: string, display?: string | null): Reference<T> =>
  compact<Reference<T>>({ reference: `${type}/${id}`, display: display ?? undefined });

type DivisionLevel = 'province' | 'city' | 'county' | 'township' | 'village';

/** Level of a GB/T 2260 code from its shape: 12 digits village, 9 township, 6 county unless it ends in 00 / 0000. */
export function divisionLevelOf(code: string): DivisionLevel {
  if (code.length === 12) return 'village';
  if (code.length === 9) return 'township';
  if (code.endsWith('0000')) return 'province';
  if (code.endsWith('00')) return 'city';
  return 'county';
}

export interface DivisionParts {
  state?: string | undefined;
  city?: string | undefined;
  district?: string | undefined;
  /** Township and village names below the county, in order. */
  below: string[];
}

/**
 * Splits a division's full name ("福建省 龙岩市 长汀县 河田镇 某村") into FHIR address parts by counting from the
 * county: the code says how many names sit below it, so municipalities ("北京市 东城区") and counties directly
 * under a province ("海南省 五指山市") come out right too.
 */
export function divisionParts(code: string, fullName: string): DivisionParts {
  const parts = fullName.split(/\s+/u).filter(Boolean);
  const level = divisionLevelOf(code);
  if (level === 'province') return { state: parts[0], below: [] };
  if (level === 'city') return { state: parts[0], city: parts[1] ?? parts[0], below: [] };
  const below = level === 'village' ? 2 : level === 'township' ? 1 : 0;
  const countyIndex = parts.length - 1 - below;
  if (countyIndex < 1) return { state: parts[0], below: parts.slice(1) };
  const state = parts[0]!;
  return {
    state,
    // A county directly under a municipality has no city level of its own: the municipality is the city.
    city: countyIndex >= 2 ? parts[countyIndex - 1] : state.endsWith('市') ? state : undefined,
    district: parts[countyIndex],
    below: parts.slice(countyIndex + 1),
  };
}

/**
 * An address in the division convention (docs/fhir.md): state = province, city, district = county, line[0] =
 * township and village names, line[1] = the free-text address line, and the GB/T 2260 code in the
 * `division-code` extension.
 */
export function addressOf(
  division: { code: string; fullName: string } | null,
  addressLine: string | null,
  use?: Address['use'],
): Address | undefined {
  if (!division && !addressLine) return undefined;
  const parts = division ? divisionParts(division.code, division.fullName) : { below: [] as string[] };
  const line = [parts.below.length ? parts.below.join(' ') : undefined, addressLine ?? undefined].filter((x): x is string => !!x);
  const ext: Extension[] = division ? [{ url: extensions.divisionCode, valueCode: division.code }] : [];
  return compact<Address>({
    extension: ext,
    use,
    type: 'physical',
    text: `${division ? division.fullName.replace(/\s+/gu, '') : ''}${addressLine ?? ''}`,
    line,
    city: 'city' in parts ? parts.city : undefined,
    district: 'district' in parts ? parts.district : undefined,
    state: 'state' in parts ? parts.state : undefined,
    country: 'CN',
  });
}

const phoneOf = (phone: string | null, use: ContactPoint['use']): ContactPoint[] =>
  phone ? [{ system: 'phone', value: phone, use: /^1\d{10}$/.test(phone) ? 'mobile' : use }] : [];

// ---------------------------------------------------------------------------------------------------------------
// Organization, Location, OrganizationAffiliation

const tierConcept = (tier: OrganizationDto['tier']): CodeableConcept => ({
  coding: [{ system: systems.facilityTier, code: tier, display: facilityTierDisplay[tier] }],
  text: facilityTierDisplay[tier],
});

function hospitalLevelExtension(o: OrganizationDto): Extension[] {
  if (!o.hospitalLevel) return [];
  const coding: Coding[] = [{ system: systems.hospitalLevel, code: o.hospitalLevel, display: hospitalLevelDisplay[o.hospitalLevel] }];
  if (o.hospitalGrade) coding.push({ system: systems.hospitalGrade, code: o.hospitalGrade, display: hospitalGradeDisplay[o.hospitalGrade] });
  const text = `${hospitalLevelDisplay[o.hospitalLevel]}${o.hospitalGrade && o.hospitalGrade !== 'ungraded' ? hospitalGradeDisplay[o.hospitalGrade] : ''}`;
  return [{ url: extensions.hospitalLevel, valueCodeableConcept: { coding, text } }];
}

/** A facility as an Organization: tier as `type`, supervising township center as `partOf`. */
export function organizationToFhir(o: OrganizationDto): Organization {
  const identifier: Identifier = {
    use: 'official',
    system: o.identifierKind === 'uscc' ? systems.uscc : systems.facilityCode,
    value: o.identifier,
  };
  return compact<Organization>({
    resourceType: 'Organization',
    id: o.id,
    extension: hospitalLevelExtension(o),
    identifier: [identifier],
    active: o.active,
    type: [tierConcept(o.tier), { coding: [{ system: systems.organizationType, code: 'prov', display: 'Healthcare Provider' }] }],
    name: o.name,
    alias: o.shortName ? [o.shortName] : undefined,
    telecom: phoneOf(o.phone, 'work'),
    address: [addressOf({ code: o.divisionCode, fullName: o.divisionName }, o.addressLine)].filter((a): a is Address => !!a),
    partOf: o.supervisorId ? reference('Organization', o.supervisorId) : undefined,
  });
}

export const allianceFhirId = (allianceId: string): string => `${ALLIANCE_ID_PREFIX}${allianceId}`;
export const locationFhirId = (organizationId: string): string => `${LOCATION_ID_PREFIX}${organizationId}`;

/** Is the alliance in force today? It ends on `dissolvedOn` (exclusive, like memberships). */
const allianceActive = (a: AllianceDto, today: string): boolean => a.establishedOn <= today && (a.dissolvedOn === null || today < a.dissolvedOn);

/**
 * An alliance (医联体) as an Organization with id `alliance-<allianceId>`, typed by its kind; its members are
 * OrganizationAffiliation resources. `division` is the alliance's service area, when it has one.
 */
export function allianceToFhir(a: AllianceDto, division: { code: string; fullName: string } | null, today: string): Organization {
  return compact<Organization>({
    resourceType: 'Organization',
    id: allianceFhirId(a.id),
    identifier: [{ use: 'official', system: systems.allianceCode, value: a.identifier }],
    active: allianceActive(a, today),
    type: [{ coding: [{ system: systems.allianceKind, code: a.kind, display: allianceKindDisplay[a.kind] }], text: allianceKindDisplay[a.kind] }],
    name: a.name,
    address: division ? [addressOf(division, null)!] : undefined,
  });
}

/** The site of a facility: one Location per Organization, id `loc-<organizationId>`. */
export function locationToFhir(o: OrganizationDto): Location {
  return compact<Location>({
    resourceType: 'Location',
    id: locationFhirId(o.id),
    status: o.active ? 'active' : 'inactive',
    name: o.name,
    alias: o.shortName ? [o.shortName] : undefined,
    mode: 'instance',
    type: [tierConcept(o.tier)],
    telecom: phoneOf(o.phone, 'work'),
    address: addressOf({ code: o.divisionCode, fullName: o.divisionName }, o.addressLine),
    physicalType: { coding: [{ system: systems.locationPhysicalType, code: 'si', display: 'Site' }] },
    position: o.latitude !== null && o.longitude !== null ? { latitude: o.latitude, longitude: o.longitude } : undefined,
    managingOrganization: reference('Organization', o.id, o.name),
  });
}

/**
 * A dated alliance membership as an OrganizationAffiliation: organization = the alliance, participatingOrganization
 * = the member, code = lead/member, period from the half-open [validFrom, validTo) (end = validTo − 1 day), and
 * `active` = in force on `today`.
 */
export function membershipToFhir(m: MembershipDto, today: string): OrganizationAffiliation {
  return compact<OrganizationAffiliation>({
    resourceType: 'OrganizationAffiliation',
    id: m.id,
    active: coversDate(m, today),
    period: periodOf(m.validFrom, m.validTo),
    organization: reference('Organization', allianceFhirId(m.allianceId), m.allianceName),
    participatingOrganization: reference('Organization', m.organizationId, m.organizationName),
    code: [{ coding: [{ system: systems.membershipRole, code: m.role, display: membershipRoleDisplay[m.role] }], text: membershipRoleDisplay[m.role] }],
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Practitioner, PractitionerRole

export function practitionerToFhir(p: PractitionerDto): Practitioner {
  return compact<Practitioner>({
    resourceType: 'Practitioner',
    id: p.id,
    identifier: [{ use: 'official', system: systems.practitioner, value: p.identifier }],
    active: p.active,
    name: [humanNameOf(p.name)],
    telecom: phoneOf(p.phone, 'work'),
    gender: p.sex,
    qualification: [
      { code: { coding: [{ system: systems.profession, code: p.profession, display: professionDisplay[p.profession] }], text: professionDisplay[p.profession] } },
      { code: { coding: [{ system: systems.practitionerTitle, code: p.title, display: practitionerTitleDisplay[p.title] }], text: practitionerTitleDisplay[p.title] } },
    ],
  });
}

/** A practitioner's role at an organization; `specialty` is the practitioner's specialty as text. */
export function practitionerRoleToFhir(r: PractitionerRoleDto, specialty: string | null, today: string): PractitionerRole {
  return compact<PractitionerRole>({
    resourceType: 'PractitionerRole',
    id: r.id,
    active: coversDate(r, today),
    period: periodOf(r.validFrom, r.validTo),
    practitioner: reference('Practitioner', r.practitionerId, r.practitionerName),
    organization: reference('Organization', r.organizationId, r.organizationName),
    location: [reference('Location', locationFhirId(r.organizationId))],
    code: [{ coding: [{ system: systems.practitionerRoleKind, code: r.kind, display: practitionerRoleKindDisplay[r.kind] }], text: practitionerRoleKindDisplay[r.kind] }],
    specialty: specialty ? [{ text: specialty }] : undefined,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Patient

/** Our patient as a FHIR Patient; `meta.versionId` is the row version that `If-Match` refers to. */
export function patientToFhir(p: PatientDto): Patient {
  const division = p.residenceDivisionCode && p.residenceDivisionName ? { code: p.residenceDivisionCode, fullName: p.residenceDivisionName } : null;
  const address = addressOf(division, p.addressLine, 'home');
  return compact<Patient>({
    resourceType: 'Patient',
    id: p.id,
    meta: { versionId: String(p.version), lastUpdated: p.updatedAt },
    identifier: p.idNumber
      ? [{
          use: 'official',
          type: { coding: [{ system: systems.identifierType, code: 'NI', display: 'National unique individual identifier' }], text: '居民身份证号码' },
          system: systems.residentId,
          value: p.idNumber,
        }]
      : undefined,
    active: true,
    name: [humanNameOf(p.name)],
    telecom: phoneOf(p.phone, 'home'),
    gender: p.sex,
    birthDate: p.birthDate,
    address: address ? [address] : undefined,
    managingOrganization: reference('Organization', p.managingOrganizationId, p.managingOrganizationName),
  });
}

/** Where each field of a PatientInput came from in the FHIR resource, to name the element in error messages. */
export type PatientExpressions = Record<'idNumber' | 'name' | 'sex' | 'birthDate' | 'phone' | 'residenceDivisionCode' | 'addressLine' | 'managingOrganizationId', string>;

export interface PatientFromFhir {
  input: PatientInput;
  expressions: PatientExpressions;
}

const fail = (expression: string, message: string) => invalid(`${expression}: ${message}`, expression);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isArrayAt = (v: unknown, expression: string): unknown[] => {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw fail(expression, '应为数组');
  return v;
};
const stringAt = (v: unknown, expression: string): string | undefined => {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw fail(expression, '应为字符串');
  return v;
};

/** The GB/T 2260 code in the first address of a Patient, so the caller can look its name up before mapping. */
export function residenceDivisionCodeOf(body: unknown): string | undefined {
  if (!isObject(body) || !Array.isArray(body.address) || !isObject(body.address[0])) return undefined;
  const ext = Array.isArray(body.address[0].extension) ? body.address[0].extension : [];
  const e = ext.find((x): x is Record<string, unknown> => isObject(x) && x.url === extensions.divisionCode);
  return typeof e?.valueCode === 'string' ? e.valueCode : undefined;
}

/**
 * A FHIR Patient (create or update body) as our PatientInput. Every error names the element, e.g.
 * "Patient.identifier[0].value: 身份证号码校验位错误…", and carries it as the OperationOutcome expression.
 * Elements we do not store (other identifier systems, e-mail, contacts, …) are not kept; the response shows what was.
 *
 * @param opts.today China Standard Time date, bounding birth dates in resident ID numbers.
 * @param opts.divisionFullName full name of the division in the address extension, when it exists; used to tell
 *   the township/village line we generate from the free-text address line.
 */
export function patientFromFhir(body: unknown, opts: { today: string; divisionFullName?: string | null }): PatientFromFhir {
  if (!isObject(body)) throw invalid('请求体应为一个 FHIR Patient 资源（JSON 对象）');
  if (body.resourceType !== 'Patient') {
    throw fail('Patient.resourceType', `资源类型应为 "Patient"，收到 ${JSON.stringify(body.resourceType ?? null)}`);
  }
  const expressions: PatientExpressions = {
    idNumber: 'Patient.identifier',
    name: 'Patient.name',
    sex: 'Patient.gender',
    birthDate: 'Patient.birthDate',
    phone: 'Patient.telecom',
    residenceDivisionCode: 'Patient.address[0].extension',
    addressLine: 'Patient.address[0].line',
    managingOrganizationId: 'Patient.managingOrganization.reference',
  };

  // identifier: the resident ID number (GB 11643) is the only identifier we keep.
  let idNumber: string | undefined;
  isArrayAt(body.identifier, 'Patient.identifier').forEach((raw, i) => {
    const at = `Patient.identifier[${i}]`;
    if (!isObject(raw)) throw fail(at, '应为 Identifier 对象');
    const system = stringAt(raw.system, `${at}.system`);
    const value = stringAt(raw.value, `${at}.value`);
    if (!system) throw fail(`${at}.system`, `请注明标识体系（居民身份证号码的体系为 ${systems.residentId}）`);
    if (system !== systems.residentId) return;
    if (idNumber !== undefined) throw fail(at, '只能有一个居民身份证号码');
    if (!value?.trim()) throw fail(`${at}.value`, '身份证号码不能为空');
    const parsed = parseResidentId(value, opts.today);
    if (!parsed.ok) throw fail(`${at}.value`, parsed.message);
    idNumber = parsed.value.idNumber;
    expressions.idNumber = `${at}.value`;
  });

  // name: the official (or usual, or first) name; `text` when present, else family + given written without spaces.
  const names = isArrayAt(body.name, 'Patient.name');
  if (names.length === 0) throw fail('Patient.name', '姓名不能为空');
  let nameIndex = names.findIndex((n) => isObject(n) && n.use === 'official');
  if (nameIndex < 0) nameIndex = names.findIndex((n) => isObject(n) && n.use === 'usual');
  if (nameIndex < 0) nameIndex = 0;
  const rawName = names[nameIndex];
  const nameAt = `Patient.name[${nameIndex}]`;
  if (!isObject(rawName)) throw fail(nameAt, '应为 HumanName 对象');
  const given = isArrayAt(rawName.given, `${nameAt}.given`).map((g, i) => stringAt(g, `${nameAt}.given[${i}]`) ?? '');
  const text = stringAt(rawName.text, `${nameAt}.text`)?.trim();
  const family = stringAt(rawName.family, `${nameAt}.family`)?.trim() ?? '';
  const name = text || `${family}${given.join('')}`.trim();
  if (!name) throw fail(nameAt, '姓名不能为空（text，或 family 与 given）');
  expressions.name = text ? `${nameAt}.text` : nameAt;

  // gender: we record male/female; other/unknown leave it to the resident ID number (or fail without one).
  const gender = stringAt(body.gender, 'Patient.gender');
  if (gender !== undefined && !['male', 'female', 'other', 'unknown'].includes(gender)) {
    throw fail('Patient.gender', `性别代码应为 male、female、other 或 unknown，收到 "${gender}"`);
  }
  const sex = gender === 'male' || gender === 'female' ? gender : undefined;

  const birthDate = stringAt(body.birthDate, 'Patient.birthDate');
  if (birthDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(birthDate)) {
    throw fail('Patient.birthDate', `出生日期应精确到日（YYYY-MM-DD），收到 "${birthDate}"`);
  }

  // telecom: one phone number.
  let phone: string | undefined;
  isArrayAt(body.telecom, 'Patient.telecom').forEach((raw, i) => {
    const at = `Patient.telecom[${i}]`;
    if (!isObject(raw)) throw fail(at, '应为 ContactPoint 对象');
    if (raw.system !== 'phone') return;
    if (phone !== undefined) throw fail(at, '只能登记一个电话号码');
    phone = stringAt(raw.value, `${at}.value`)?.trim();
    if (!phone) throw fail(`${at}.value`, '电话号码不能为空');
    expressions.phone = `${at}.value`;
  });

  // address: one home address in the division convention (docs/fhir.md).
  let residenceDivisionCode: string | undefined;
  let addressLine: string | undefined;
  const addresses = isArrayAt(body.address, 'Patient.address');
  if (addresses.length > 1) throw fail('Patient.address[1]', '只能登记一个地址（居住地）');
  if (addresses.length === 1) {
    const a = addresses[0];
    if (!isObject(a)) throw fail('Patient.address[0]', '应为 Address 对象');
    isArrayAt(a.extension, 'Patient.address[0].extension').forEach((e, k) => {
      if (!isObject(e) || e.url !== extensions.divisionCode) return;
      const code = stringAt(e.valueCode, `Patient.address[0].extension[${k}].valueCode`);
      if (!code) throw fail(`Patient.address[0].extension[${k}].valueCode`, '行政区划代码不能为空');
      residenceDivisionCode = code;
      expressions.residenceDivisionCode = `Patient.address[0].extension[${k}].valueCode`;
    });
    const lines = isArrayAt(a.line, 'Patient.address[0].line').map((l, i) => stringAt(l, `Patient.address[0].line[${i}]`)?.trim() ?? '').filter(Boolean);
    if (residenceDivisionCode && opts.divisionFullName) {
      // Drop the township/village line we would generate ourselves, so a read → update round trip is stable.
      const below = divisionParts(residenceDivisionCode, opts.divisionFullName).below;
      if (below.length && lines.length && [below.join(' '), below.join('')].includes(lines[0]!)) lines.shift();
    }
    if (!residenceDivisionCode) {
      const upper = ['state', 'city', 'district'].map((k) => stringAt(a[k], `Patient.address[0].${k}`)?.trim()).filter(Boolean);
      if (upper.length) lines.unshift(upper.join(''));
    }
    const addressText = stringAt(a.text, 'Patient.address[0].text')?.trim();
    addressLine = lines.join(' ') || (residenceDivisionCode ? undefined : addressText) || undefined;
  }

  let managingOrganizationId: string | undefined;
  if (body.managingOrganization !== undefined) {
    if (!isObject(body.managingOrganization)) throw fail('Patient.managingOrganization', '应为 Reference 对象');
    const ref = stringAt(body.managingOrganization.reference, 'Patient.managingOrganization.reference');
    const m = ref ? /(?:^|\/)Organization\/([A-Za-z0-9\-.]{1,64})$/.exec(ref) : null;
    if (!m) throw fail('Patient.managingOrganization.reference', `应为 "Organization/<id>"，收到 ${JSON.stringify(ref ?? null)}`);
    managingOrganizationId = m[1];
  }

  const parsed = patientInputSchema.safeParse({
    idNumber, name, sex, birthDate, phone, residenceDivisionCode, addressLine, managingOrganizationId,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = String(issue.path[0] ?? '') as keyof PatientExpressions;
    const expression = expressions[field] ?? 'Patient';
    throw fail(expression, issue.message);
  }
  return { input: parsed.data, expressions };
}

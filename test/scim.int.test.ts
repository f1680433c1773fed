import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { auditEvents, organizations, users } from '../src/db/schema/index.js';
import { shanghaiDate } from '../src/shared/clock.js';
import { createTestApp, databaseKind, DEMO_PASSWORD, type TestApp } from './helpers/app.js';

/**
 * SCIM 2.0 provisioning (RFC 7643/7644) through the real app: discovery, the User life cycle, filters and paging,
 * the error format, the administrators' scope, and that a provisioned account can sign in and work.
 */
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const scimJson = { 'content-type': 'application/scim+json' };

let t: TestApp;
/** An organization inside alliance.admin's alliance and one outside every alliance of its hospital. */
let inside: { id: string; identifier: string; name: string };
let outside: { id: string; identifier: string; name: string };

const scim = (username: string) => async (method: string, url: string, payload?: unknown) =>
  t.as(username)({ method, url, ...(payload === undefined ? {} : { payload: JSON.stringify(payload), headers: scimJson }) });

const signIn = (username: string, password: string) =>
  t.app.inject({
    method: 'POST',
    url: '/auth/token',
    payload: new URLSearchParams({ grant_type: 'password', username, password }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });

function newUser(userName: string, extra: Record<string, unknown> = {}) {
  return {
    schemas: [USER, ENTERPRISE],
    userName,
    password: 'Provisioned@2026',
    displayName: `测试 ${userName}`,
    externalId: `ext-${userName}`,
    active: true,
    roles: [{ value: 'village-doctor', primary: true }],
    [ENTERPRISE]: { organization: inside.identifier },
    ...extra,
  };
}

beforeAll(async () => {
  t = await createTestApp({ residents: 200 });
  const db = t.database.db;
  const [aa] = await db.select().from(users).where(eq(users.username, 'alliance.admin'));
  const mates = new Set(await t.services.network.allianceMatesOn(aa!.organizationId!, shanghaiDate(t.clock.now())));
  const all = await db.select({ id: organizations.id, identifier: organizations.identifier, name: organizations.name, tier: organizations.tier }).from(organizations);
  inside = all.find((o) => mates.has(o.id) && o.tier === 'village-clinic')!;
  // Every demo facility shares some alliance with the county hospital; register one that does not.
  const ctx = { actor: { userId: '', username: 'test', organizationId: null, roles: ['system-admin' as const] }, clock: t.clock, channel: 'system' as const };
  const far = await t.services.network.createOrganization(ctx, {
    identifier: 'SCIM-FAR-001', identifierKind: 'local', name: '新罗区测试社区卫生服务中心', tier: 'community-health-center', ownership: 'public',
    beds: 0, divisionCode: '350802', isCentral: false, meetsCapabilityStandard: false,
  });
  outside = all.find((o) => !mates.has(o.id)) ?? far;
  expect(inside).toBeTruthy();
  expect(outside).toBeTruthy();
});
afterAll(async () => {
  await t?.close();
});

describe(`SCIM 2.0 on ${databaseKind}`, () => {
  describe('discovery', () => {
    it('describes itself without authentication', async () => {
      const spc = await t.app.inject({ url: '/scim/v2/ServiceProviderConfig' });
      expect(spc.statusCode).toBe(200);
      expect(spc.headers['content-type']).toMatch(/^application\/scim\+json/);
      expect(spc.json()).toMatchObject({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
        patch: { supported: true },
        bulk: { supported: false },
        filter: { supported: true, maxResults: 200 },
        authenticationSchemes: [expect.objectContaining({ type: 'oauthbearertoken' })],
      });
      const rt = (await t.app.inject({ url: '/scim/v2/ResourceTypes' })).json();
      expect(rt).toMatchObject({ schemas: [LIST], totalResults: 1, Resources: [{ id: 'User', endpoint: '/Users', schema: USER, schemaExtensions: [{ schema: ENTERPRISE, required: false }] }] });
      const schemas = (await t.app.inject({ url: '/scim/v2/Schemas' })).json();
      expect(schemas.Resources.map((s: { id: string }) => s.id)).toEqual([USER, ENTERPRISE]);
      const userSchema = await t.app.inject({ url: `/scim/v2/Schemas/${USER}` });
      expect(userSchema.statusCode).toBe(200);
      expect(userSchema.json().attributes.map((a: { name: string }) => a.name)).toContain('roles');
    });
  });

  describe('authorisation and errors', () => {
    it('refuses requests without a token in SCIM error format', async () => {
      const res = await t.app.inject({ url: '/scim/v2/Users' });
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
      expect(res.json()).toMatchObject({ schemas: [ERROR], status: '401' });
    });

    it('refuses accounts that may not manage users', async () => {
      const res = await scim('village.doctor')('GET', '/scim/v2/Users');
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ schemas: [ERROR], status: '403' });
      const post = await scim('village.doctor')('POST', '/scim/v2/Users', newUser('vd.attempt'));
      expect(post.statusCode).toBe(403);
      expect(await t.database.db.select().from(users).where(eq(users.username, 'vd.attempt'))).toHaveLength(0);
    });

    it('answers unknown SCIM endpoints with a SCIM 404', async () => {
      const res = await scim('admin')('GET', '/scim/v2/Groups');
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ schemas: [ERROR], status: '404' });
    });
  });

  describe('the User life cycle', () => {
    let id: string;

    it('creates a user with roles and the enterprise organization', async () => {
      const res = await scim('admin')('POST', '/scim/v2/Users', newUser('scim.wang'));
      expect(res.statusCode).toBe(201);
      expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
      const body = res.json();
      id = body.id;
      expect(res.headers.location).toMatch(new RegExp(`/scim/v2/Users/${id}$`));
      expect(body).toMatchObject({
        schemas: [USER, ENTERPRISE],
        userName: 'scim.wang',
        displayName: '测试 scim.wang',
        externalId: 'ext-scim.wang',
        active: true,
        roles: [{ value: 'village-doctor', primary: true }],
        [ENTERPRISE]: { organization: inside.identifier },
        meta: { resourceType: 'User', location: res.headers.location },
      });
      expect(body.password).toBeUndefined();
      expect(body.meta.created).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect(body.meta.lastModified).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect(body.meta.version).toMatch(/^W\/".+"$/);
      const [row] = await t.database.db.select().from(users).where(eq(users.id, id));
      expect(row).toMatchObject({ username: 'scim.wang', organizationId: inside.id, active: true, externalId: 'ext-scim.wang' });
      const audit = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.resourceId, id), eq(auditEvents.channel, 'scim')));
      expect(audit).toEqual([expect.objectContaining({ action: 'create', resourceType: 'User', outcome: 'allowed', actorUsername: 'admin' })]);
    });

    it('lets the provisioned user sign in and work', async () => {
      const token = await signIn('scim.wang', 'Provisioned@2026');
      expect(token.statusCode).toBe(200);
      const access = token.json().access_token as string;
      const me = await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${access}` } });
      expect(me.json()).toMatchObject({ username: 'scim.wang', roles: ['village-doctor'], organization: { id: inside.id } });
      const fhir = await t.app.inject({ url: '/fhir/Patient?_count=1', headers: { authorization: `Bearer ${access}` } });
      // The FHIR façade answers the provisioned account like any other (a Bundle of its own facility's patients).
      expect(fhir.statusCode, fhir.body).toBe(200);
      expect(fhir.json()).toMatchObject({ resourceType: 'Bundle', type: 'searchset' });
    });

    it('refuses a second user with the same userName (uniqueness)', async () => {
      const res = await scim('admin')('POST', '/scim/v2/Users', newUser('scim.wang'));
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ schemas: [ERROR], status: '409', scimType: 'uniqueness' });
      expect(res.json().detail).toContain('scim.wang');
    });

    it('refuses an unknown role or organization with a clear detail', async () => {
      const role = await scim('admin')('POST', '/scim/v2/Users', newUser('scim.badrole', { roles: [{ value: 'surgeon' }] }));
      expect(role.statusCode).toBe(400);
      expect(role.json()).toMatchObject({ status: '400', scimType: 'invalidValue' });
      expect(role.json().detail).toContain('surgeon');
      expect(role.json().detail).toContain('village-doctor');
      const org = await scim('admin')('POST', '/scim/v2/Users', newUser('scim.badorg', { [ENTERPRISE]: { organization: 'NO-SUCH-ORG' } }));
      expect(org.statusCode).toBe(400);
      expect(org.json()).toMatchObject({ status: '400', scimType: 'invalidValue' });
      expect(org.json().detail).toContain('NO-SUCH-ORG');
      const name = await scim('admin')('POST', '/scim/v2/Users', newUser('x'));
      expect(name.statusCode).toBe(400);
      expect(name.json().detail).toMatch(/userName/);
      const users_ = await t.database.db.select().from(users).where(eq(users.username, 'scim.badrole'));
      expect(users_).toHaveLength(0);
    });

    it('reads the user by id and finds it with a userName filter', async () => {
      const one = await scim('admin')('GET', `/scim/v2/Users/${id}`);
      expect(one.statusCode).toBe(200);
      expect(one.json()).toMatchObject({ id, userName: 'scim.wang' });
      expect(one.headers.etag).toBe(one.json().meta.version);
      const found = await scim('admin')('GET', `/scim/v2/Users?filter=${encodeURIComponent('userName eq "scim.wang"')}`);
      expect(found.json()).toMatchObject({ schemas: [LIST], totalResults: 1, startIndex: 1, itemsPerPage: 1, Resources: [{ id, userName: 'scim.wang' }] });
      const none = await scim('admin')('GET', `/scim/v2/Users?filter=${encodeURIComponent('userName eq "nobody.here"')}`);
      expect(none.json()).toMatchObject({ totalResults: 0, Resources: [] });
      const bad = await scim('admin')('GET', `/scim/v2/Users?filter=${encodeURIComponent('emails co "x"')}`);
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ scimType: 'invalidFilter' });
      const missing = await scim('admin')('GET', '/scim/v2/Users/00000000-0000-0000-0000-000000000000');
      expect(missing.statusCode).toBe(404);
      expect(missing.json()).toMatchObject({ schemas: [ERROR], status: '404' });
    });

    it('pages the list with startIndex and count', async () => {
      const all = (await scim('admin')('GET', '/scim/v2/Users?count=200')).json();
      expect(all.totalResults).toBeGreaterThanOrEqual(10);
      const names = all.Resources.map((u: { userName: string }) => u.userName);
      const page = (await scim('admin')('GET', '/scim/v2/Users?startIndex=3&count=4')).json();
      expect(page).toMatchObject({ startIndex: 3, itemsPerPage: 4, totalResults: all.totalResults });
      expect(page.Resources.map((u: { userName: string }) => u.userName)).toEqual(names.slice(2, 6));
      const zero = (await scim('admin')('GET', '/scim/v2/Users?count=0')).json();
      expect(zero).toMatchObject({ totalResults: all.totalResults, itemsPerPage: 0, Resources: [] });
    });

    it('patches displayName, roles and password (replace), then deactivates with active=false', async () => {
      const before = (await scim('admin')('GET', `/scim/v2/Users/${id}`)).json();
      const res = await scim('admin')('PATCH', `/scim/v2/Users/${id}`, {
        schemas: [PATCH],
        Operations: [
          { op: 'replace', path: 'displayName', value: '王医生' },
          { op: 'replace', path: 'roles', value: [{ value: 'village-doctor' }, { value: 'township-doctor' }] },
          { op: 'replace', path: 'password', value: 'Changed@2026x' },
        ],
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ displayName: '王医生', roles: [{ value: 'township-doctor' }, { value: 'village-doctor' }] });
      expect(res.json().meta.version).not.toBe(before.meta.version);
      expect((await signIn('scim.wang', 'Provisioned@2026')).statusCode).toBe(400);
      expect((await signIn('scim.wang', 'Changed@2026x')).statusCode).toBe(200);

      // Azure AD style: no path, capitalised op, boolean as a string.
      const off = await scim('admin')('PATCH', `/scim/v2/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'Replace', value: { active: 'False' } }] });
      expect(off.statusCode).toBe(200);
      expect(off.json().active).toBe(false);
      const refused = await signIn('scim.wang', 'Changed@2026x');
      expect(refused.statusCode).toBe(400);

      const on = await scim('admin')('PATCH', `/scim/v2/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: true }] });
      expect(on.json().active).toBe(true);
    });

    it('refuses malformed patches', async () => {
      const noSchema = await scim('admin')('PATCH', `/scim/v2/Users/${id}`, { Operations: [{ op: 'replace', path: 'active', value: false }] });
      expect(noSchema.statusCode).toBe(400);
      expect(noSchema.json()).toMatchObject({ scimType: 'invalidSyntax' });
      const badPath = await scim('admin')('PATCH', `/scim/v2/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'shoeSize', value: 42 }] });
      expect(badPath.statusCode).toBe(400);
      expect(badPath.json()).toMatchObject({ scimType: 'invalidPath' });
      const badRole = await scim('admin')('PATCH', `/scim/v2/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'roles', value: [{ value: 'wizard' }] }] });
      expect(badRole.statusCode).toBe(400);
      expect(badRole.json().detail).toContain('wizard');
      const shortPw = await scim('admin')('PATCH', `/scim/v2/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'password', value: 'short' }] });
      expect(shortPw.statusCode).toBe(400);
      expect(shortPw.json().detail).toContain('密码至少8位');
      const [row] = await t.database.db.select().from(users).where(eq(users.id, id));
      expect(row!.active).toBe(true);
    });

    it('replaces the user with PUT', async () => {
      const res = await scim('admin')('PUT', `/scim/v2/Users/${id}`, {
        schemas: [USER, ENTERPRISE],
        userName: 'scim.wang',
        name: { formatted: '王小明' },
        active: true,
        roles: [{ value: 'township-doctor' }],
        [ENTERPRISE]: { organization: inside.identifier },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ displayName: '王小明', roles: [{ value: 'township-doctor' }], active: true });
    });

    it('deactivates on DELETE and keeps the row', async () => {
      const res = await scim('admin')('DELETE', `/scim/v2/Users/${id}`);
      expect(res.statusCode).toBe(204);
      const [row] = await t.database.db.select().from(users).where(eq(users.id, id));
      expect(row).toMatchObject({ username: 'scim.wang', active: false });
      const again = await scim('admin')('GET', `/scim/v2/Users/${id}`);
      expect(again.json().active).toBe(false);
      expect((await signIn('scim.wang', 'Changed@2026x')).statusCode).toBe(400);
      const audit = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.resourceId, id), eq(auditEvents.channel, 'scim')));
      expect(audit.length).toBeGreaterThanOrEqual(5);
    });
  });

  describe("an alliance administrator's scope", () => {
    it('provisions accounts inside the alliance only', async () => {
      const ok = await scim('alliance.admin')('POST', '/scim/v2/Users', newUser('scim.inside'));
      expect(ok.statusCode).toBe(201);
      const out = await scim('alliance.admin')('POST', '/scim/v2/Users', newUser('scim.outside', { [ENTERPRISE]: { organization: outside.identifier } }));
      expect(out.statusCode).toBe(403);
      expect(out.json()).toMatchObject({ schemas: [ERROR], status: '403' });
      const denied = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.channel, 'scim'), eq(auditEvents.outcome, 'denied')));
      expect(denied.length).toBeGreaterThanOrEqual(1);
    });

    it('may not grant the system administrator role', async () => {
      const res = await scim('alliance.admin')('POST', '/scim/v2/Users', newUser('scim.root', { roles: [{ value: 'system-admin' }] }));
      expect(res.statusCode).toBe(403);
    });

    it('does not see accounts outside the alliance', async () => {
      const created = (await scim('admin')('POST', '/scim/v2/Users', newUser('scim.far', { [ENTERPRISE]: { organization: outside.identifier } }))).json();
      const byId = await scim('alliance.admin')('GET', `/scim/v2/Users/${created.id}`);
      expect(byId.statusCode).toBe(404);
      const byFilter = await scim('alliance.admin')('GET', `/scim/v2/Users?filter=${encodeURIComponent('userName eq "scim.far"')}`);
      expect(byFilter.json().totalResults).toBe(0);
      const patch = await scim('alliance.admin')('PATCH', `/scim/v2/Users/${created.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] });
      expect(patch.statusCode).toBe(404);
      const list = (await scim('alliance.admin')('GET', '/scim/v2/Users?count=200')).json();
      expect(list.Resources.map((u: { userName: string }) => u.userName)).not.toContain('scim.far');
      expect(list.Resources.map((u: { userName: string }) => u.userName)).not.toContain('admin');
    });
  });

  it('creates a user without a password that cannot sign in until one is set', async () => {
    const { password: _omit, ...noPassword } = newUser('scim.sso');
    void _omit;
    const res = await scim('admin')('POST', '/scim/v2/Users', noPassword);
    expect(res.statusCode).toBe(201);
    expect((await signIn('scim.sso', DEMO_PASSWORD)).statusCode).toBe(400);
    await scim('admin')('PATCH', `/scim/v2/Users/${res.json().id}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'password', value: 'SetLater@2026' }] });
    expect((await signIn('scim.sso', 'SetLater@2026')).statusCode).toBe(200);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, ne, sql } from 'drizzle-orm';
import { auditEvents, organizations, patients, users } from '../src/db/schema/index.js';
import { composeResidentId } from '../src/modules/patient/index.js';
import { createTestApp, databaseKind, DEMO_PASSWORD, type TestApp } from './helpers/app.js';

let t: TestApp;

/** A patient of the clinic where `village.doctor` works, and one of a clinic under another township. */
async function fixtures() {
  const db = t.database.db;
  const [vd] = await db.select().from(users).where(eq(users.username, 'village.doctor'));
  const [td] = await db.select().from(users).where(eq(users.username, 'township.doctor'));
  const [clinic] = await db.select().from(organizations).where(eq(organizations.id, vd!.organizationId!));
  const [own] = await db.select().from(patients).where(eq(patients.managingOrganizationId, clinic!.id)).limit(1);
  const [other] = await db
    .select({ p: patients })
    .from(patients)
    .innerJoin(organizations, eq(organizations.id, patients.managingOrganizationId))
    .where(and(eq(organizations.tier, 'village-clinic'), ne(organizations.supervisorId, td!.organizationId!)))
    .limit(1);
  const [sibling] = await db
    .select({ p: patients })
    .from(patients)
    .innerJoin(organizations, eq(organizations.id, patients.managingOrganizationId))
    .where(and(eq(organizations.supervisorId, td!.organizationId!), ne(organizations.id, clinic!.id)))
    .limit(1);
  return { clinic: clinic!, own: own!, other: other!.p, sibling: sibling!.p, townshipOrgId: td!.organizationId! };
}

const form = (o: Record<string, string>) => ({
  payload: new URLSearchParams(o).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
});

beforeAll(async () => {
  t = await createTestApp({ residents: 600 });
});
afterAll(async () => {
  await t?.close();
});

describe(`foundation on ${databaseKind}`, () => {
  it('runs on the database the suite was asked for', () => {
    // Guard against a PostgreSQL tier that silently ran on PGlite (architecture.md, defect family 5).
    if (process.env.YILIAN_EXPECT_DATABASE) expect(t.database.kind).toBe(process.env.YILIAN_EXPECT_DATABASE);
    expect(t.database.kind).toBe(databaseKind);
  });

  describe('authentication', () => {
    it('issues a bearer token for the password grant that works on the API', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/auth/token', ...form({ grant_type: 'password', username: 'referral.desk', password: DEMO_PASSWORD }) });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
      expect(body.access_token).toMatch(/^[\w-]{40,}$/);
      const me = await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${body.access_token}` } });
      expect(me.statusCode).toBe(200);
      expect(me.json()).toMatchObject({ username: 'referral.desk', roles: ['referral-desk'] });
    });

    it('issues a token for client_credentials (HTTP Basic)', async () => {
      const basic = Buffer.from('demo-integration:demo-integration-secret').toString('base64');
      const res = await t.app.inject({ method: 'POST', url: '/auth/token', payload: 'grant_type=client_credentials', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` } });
      expect(res.statusCode).toBe(200);
      const bad = await t.app.inject({ method: 'POST', url: '/auth/token', ...form({ grant_type: 'client_credentials', client_id: 'demo-integration', client_secret: 'wrong' }) });
      expect(bad.statusCode).toBe(401);
      expect(bad.json().error).toBe('invalid_client');
    });

    it('refuses requests without a token, and bad tokens, with 401', async () => {
      for (const url of ['/api/v1/patients', '/api/v1/me', '/fhir/Patient']) {
        const res = await t.app.inject({ url });
        expect(res.statusCode, url).toBe(401);
        expect(res.headers['www-authenticate']).toContain('Bearer');
      }
      const res = await t.app.inject({ url: '/api/v1/patients', headers: { authorization: 'Bearer not-a-token' } });
      expect(res.statusCode).toBe(401);
    });

    it('purges tokens a day after they expire, and only those', async () => {
      const live = await t.tokenFor('center.reader');
      const now = t.clock.now();
      const actor = (await t.services.identity.resolveToken(live, 'bearer', now))!;
      const threeDaysAgo = new Date(now.getTime() - 3 * 86_400_000);
      const old = await t.services.identity.issueToken(actor, 'bearer', threeDaysAgo);
      const yesterdayish = await t.services.identity.issueToken(actor, 'bearer', new Date(now.getTime() - 2 * 3600_000));
      expect(await t.services.identity.purgeExpiredTokens(now)).toBeGreaterThanOrEqual(1);
      expect(await t.services.identity.purgeExpiredTokens(now)).toBe(0);
      // Expired an hour ago: kept for a day (a late request still gets a clear 401), but never accepted.
      expect(await t.services.identity.resolveToken(yesterdayish.accessToken, 'bearer', now)).toBeNull();
      expect(await t.services.identity.resolveToken(old.accessToken, 'bearer', now)).toBeNull();
      expect((await t.services.identity.resolveToken(live, 'bearer', now))?.username).toBe('center.reader');
    });

    it('locks an account after five wrong passwords, and an admin can unlock it', async () => {
      const wrong = () => t.app.inject({ method: 'POST', url: '/auth/token', ...form({ grant_type: 'password', username: 'dispatch.coordinator', password: 'wrong-password' }) });
      for (let i = 0; i < 5; i++) expect((await wrong()).statusCode).toBe(400);
      const locked = await t.app.inject({ method: 'POST', url: '/auth/token', ...form({ grant_type: 'password', username: 'dispatch.coordinator', password: DEMO_PASSWORD }) });
      expect(locked.statusCode).toBe(429);
      expect(locked.json().error_description).toContain('锁定');
      const admin = t.as('admin');
      const list = await admin({ url: '/api/v1/users?q=dispatch.coordinator' });
      const user = list.json().items[0];
      expect(user.locked).toBe(true);
      const unlock = await admin({ method: 'PATCH', url: `/api/v1/users/${user.id}`, payload: { unlock: true } });
      expect(unlock.statusCode).toBe(200);
      expect(unlock.json().locked).toBe(false);
      const ok = await t.app.inject({ method: 'POST', url: '/auth/token', ...form({ grant_type: 'password', username: 'dispatch.coordinator', password: DEMO_PASSWORD }) });
      expect(ok.statusCode).toBe(200);
    });

    it('signs the web UI in with an httpOnly session cookie and out again', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/api/v1/session', payload: { username: 'township.doctor', password: DEMO_PASSWORD } });
      expect(res.statusCode).toBe(200);
      const setCookie = String(res.headers['set-cookie']);
      expect(setCookie).toMatch(/yilian_session=[^;]+;.*HttpOnly/i);
      const cookie = setCookie.split(';')[0]!;
      const me = await t.app.inject({ url: '/api/v1/me', headers: { cookie } });
      expect(me.json().username).toBe('township.doctor');
      // A bearer token is not a session and a session is not a bearer token.
      const asBearer = await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${cookie.split('=')[1]}` } });
      expect(asBearer.statusCode).toBe(401);
      await t.app.inject({ method: 'DELETE', url: '/api/v1/session', headers: { cookie } });
      expect((await t.app.inject({ url: '/api/v1/me', headers: { cookie } })).statusCode).toBe(401);
    });

    it('ends a user\'s live tokens at once when an admin changes their roles or disables them (tokens are cached per process)', async () => {
      const admin = t.as('admin');
      const created = await admin({ method: 'POST', url: '/api/v1/users', payload: { username: 'token.cache.probe', displayName: '令牌缓存测试', password: DEMO_PASSWORD, roles: ['township-doctor'] } });
      expect(created.statusCode).toBe(201);
      const id = created.json().id as string;
      const signIn = async () => {
        const r = await t.app.inject({ method: 'POST', url: '/auth/token', ...form({ grant_type: 'password', username: 'token.cache.probe', password: DEMO_PASSWORD }) });
        expect(r.statusCode).toBe(200);
        return { authorization: `Bearer ${r.json().access_token as string}` };
      };
      let headers = await signIn();
      // Twice: the second answer comes from the cache.
      expect((await t.app.inject({ url: '/api/v1/me', headers })).json()).toMatchObject({ username: 'token.cache.probe', roles: ['township-doctor'] });
      expect((await t.app.inject({ url: '/api/v1/me', headers })).statusCode).toBe(200);
      expect((await admin({ method: 'PATCH', url: `/api/v1/users/${id}`, payload: { roles: ['county-specialist', 'township-doctor'] } })).statusCode).toBe(200);
      expect((await t.app.inject({ url: '/api/v1/me', headers })).statusCode).toBe(401);
      headers = await signIn();
      expect((await t.app.inject({ url: '/api/v1/me', headers })).json().roles).toEqual(['county-specialist', 'township-doctor']);
      expect((await admin({ method: 'PATCH', url: `/api/v1/users/${id}`, payload: { active: false } })).statusCode).toBe(200);
      expect((await t.app.inject({ url: '/api/v1/me', headers })).statusCode).toBe(401);
    });
  });

  describe('patient access and audit', () => {
    it('lets a village doctor read an own-clinic patient and records the basis', async () => {
      const { own } = await fixtures();
      const res = await t.as('village.doctor')({ url: `/api/v1/patients/${own.id}` });
      expect(res.statusCode).toBe(200);
      expect(res.json().idNumber).toBe(own.idNumber);
      const rows = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.patientId, own.id), eq(auditEvents.actorUsername, 'village.doctor')));
      expect(rows.map((r) => [r.action, r.basis, r.outcome])).toContainEqual(['read', 'own-facility', 'allowed']);
    });

    it('refuses a village doctor a patient of another township’s clinic, and audits the refusal', async () => {
      const { other } = await fixtures();
      const res = await t.as('village.doctor')({ url: `/api/v1/patients/${other.id}` });
      expect(res.statusCode).toBe(403);
      expect(res.json().message).toContain('无权访问');
      const rows = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.patientId, other.id), eq(auditEvents.outcome, 'denied')));
      expect(rows.length).toBeGreaterThan(0);
      // Search must not reveal the patient either (a filter is not the access check; both must agree).
      const search = await t.as('village.doctor')({ url: `/api/v1/patients?idNumber=${other.idNumber}` });
      expect(search.json().total).toBe(0);
    });

    it('lets a township doctor read the supervised clinics’ patients but not another township’s', async () => {
      const { sibling, other } = await fixtures();
      expect((await t.as('township.doctor')({ url: `/api/v1/patients/${sibling.id}` })).statusCode).toBe(200);
      expect((await t.as('township.doctor')({ url: `/api/v1/patients/${other.id}` })).statusCode).toBe(403);
    });

    it('lets the referral desk read any member’s patient with the alliance basis; a commission officer none', async () => {
      const { other } = await fixtures();
      expect((await t.as('referral.desk')({ url: `/api/v1/patients/${other.id}` })).statusCode).toBe(200);
      const [row] = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.patientId, other.id), eq(auditEvents.actorUsername, 'referral.desk')));
      expect(row?.basis).toBe('alliance-role');
      expect((await t.as('commission.officer')({ url: `/api/v1/patients/${other.id}` })).statusCode).toBe(403);
      expect((await t.as('admin')({ url: `/api/v1/patients/${other.id}` })).statusCode).toBe(403);
    });

    it('does not extend the alliance basis to specialty alliances or telemedicine networks', async () => {
      // 长汀县总医院 is a member of the city's cardiology alliance and the regional telemedicine network, but only its
      // county community shares patients. A patient managed by the city hospital stays out of the referral desk's reach.
      const db = t.database.db;
      const [city] = await db.select().from(organizations).where(eq(organizations.tier, 'city-hospital'));
      const id = '0f0f0f0f-0000-4000-8000-000000000001';
      await db.insert(patients).values({ id, name: '市医院患者', sex: 'male', birthDate: '1970-01-01', managingOrganizationId: city!.id });
      expect((await t.as('referral.desk')({ url: `/api/v1/patients/${id}` })).statusCode).toBe(403);
      expect((await t.as('referral.desk')({ url: `/api/v1/patients/count?organizationId=${city!.id}` })).json().total).toBe(0);
      // Nor may the county's alliance admin manage the city hospital's accounts.
      const res = await t.as('alliance.admin')({ method: 'POST', url: '/api/v1/users', payload: { username: 'city.someone', displayName: '某某', password: 'Passw0rd!x', roles: ['county-specialist'], organization: city!.identifier } });
      expect(res.statusCode).toBe(403);
    });

    it('audits every patient a search returns', async () => {
      const before = await t.database.db.select({ n: sql<number>`count(*)::int` }).from(auditEvents).where(eq(auditEvents.action, 'search'));
      const res = await t.as('township.doctor')({ url: '/api/v1/patients?pageSize=7' });
      expect(res.statusCode).toBe(200);
      const page = res.json();
      expect(page.items).toHaveLength(7);
      const after = await t.database.db.select({ n: sql<number>`count(*)::int` }).from(auditEvents).where(eq(auditEvents.action, 'search'));
      expect(after[0]!.n - before[0]!.n).toBe(7);
    });

    it('counts visible patients without disclosing or auditing any of them', async () => {
      const { clinic } = await fixtures();
      await t.tokenFor('village.doctor'); // sign-ins are audited; get them out of the way first
      await t.tokenFor('referral.desk');
      const before = await t.database.db.select({ n: sql<number>`count(*)::int` }).from(auditEvents);
      const own = await t.as('village.doctor')({ url: `/api/v1/patients/count?organizationId=${clinic.id}` });
      const all = await t.as('referral.desk')({ url: '/api/v1/patients/count' });
      const other = await t.as('village.doctor')({ url: '/api/v1/patients/count?organizationId=someone-else' });
      expect(own.json().total).toBeGreaterThan(0);
      expect(all.json().total).toBeGreaterThan(own.json().total);
      expect(other.json().total).toBe(0);
      const after = await t.database.db.select({ n: sql<number>`count(*)::int` }).from(auditEvents);
      expect(after[0]!.n).toBe(before[0]!.n);
    });

    it('lets an auditor search and export the log; a doctor cannot', async () => {
      const { own } = await fixtures();
      const admin = t.as('admin');
      const res = await admin({ url: `/api/v1/audit?patientId=${own.id}` });
      expect(res.statusCode).toBe(200);
      expect(res.json().items[0]).toMatchObject({ patientId: own.id, resourceType: 'Patient' });
      const csv = await admin({ url: `/api/v1/audit/export?patientId=${own.id}&format=csv` });
      expect(csv.statusCode).toBe(200);
      expect(csv.headers['content-type']).toContain('text/csv');
      expect(csv.body).toContain('访问依据');
      expect(csv.body).toContain(own.id);
      const xlsx = await admin({ url: '/api/v1/audit/export?format=xlsx' });
      expect(xlsx.statusCode).toBe(200);
      expect(xlsx.rawPayload.subarray(0, 2).toString()).toBe('PK');
      expect((await t.as('village.doctor')({ url: '/api/v1/audit' })).statusCode).toBe(403);
    });
  });

  describe('patient registration', () => {
    let n = 0;
    // Each call is a different person: distinct birth dates keep the duplicate suggestions out of the way.
    const valid = () => {
      n += 1;
      const birthDate = `1975-04-${String(n).padStart(2, '0')}`;
      return {
        idNumber: composeResidentId('350821', birthDate, 100 + n, 'female'),
        name: `测试患者${n}`,
        phone: `139123456${String(n).padStart(2, '0')}`,
      residenceDivisionCode: '350821',
        chronicConditions: ['I10'],
      };
    };

    it('registers a patient with sex and birth date derived from the ID number', async () => {
      const input = valid();
      const res = await t.as('village.doctor')({ method: 'POST', url: '/api/v1/patients', payload: input });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toMatchObject({ idNumber: input.idNumber, sex: 'female', birthDate: '1975-04-01', chronicConditions: ['I10'] });
      const [row] = await t.database.db.select().from(patients).where(eq(patients.idNumber, input.idNumber));
      expect(row?.managingOrganizationId).toBeTruthy();
    });

    it('refuses a wrong check digit with a Chinese message and writes nothing', async () => {
      const input = valid();
      const wrong = input.idNumber.slice(0, 17) + (input.idNumber[17] === '1' ? '2' : '1');
      const res = await t.as('village.doctor')({ method: 'POST', url: '/api/v1/patients', payload: { ...input, idNumber: wrong } });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'invalid', path: 'idNumber', message: '身份证号码校验位错误，请核对后重新输入' });
      expect(await t.database.db.select().from(patients).where(eq(patients.idNumber, wrong))).toHaveLength(0);
    });

    it('refuses a birth date that contradicts the ID number', async () => {
      const res = await t.as('village.doctor')({ method: 'POST', url: '/api/v1/patients', payload: { ...valid(), birthDate: '1980-01-01' } });
      expect(res.statusCode).toBe(400);
      expect(res.json().path).toBe('birthDate');
    });

    it('refuses the same ID number with a pointer to the existing record', async () => {
      const { own } = await fixtures();
      const res = await t.as('village.doctor')({ method: 'POST', url: '/api/v1/patients', payload: { ...valid(), idNumber: own.idNumber, name: own.name } });
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ code: 'duplicate', detail: { existing: { id: own.id, accessible: true } } });
    });

    it('suggests similar patients (name + birth date + phone) and registers after confirmation', async () => {
      const { own } = await fixtures();
      const input = { name: own.name, birthDate: own.birthDate, sex: own.sex, phone: own.phone ?? '13800000000' };
      const res = await t.as('village.doctor')({ method: 'POST', url: '/api/v1/patients', payload: input });
      expect(res.statusCode).toBe(409);
      expect(res.json().code).toBe('conflict');
      expect(res.json().detail.suggestions.map((s: { id: string }) => s.id)).toContain(own.id);
      const confirmed = await t.as('village.doctor')({ method: 'POST', url: '/api/v1/patients', payload: { ...input, confirmNotDuplicate: true } });
      expect(confirmed.statusCode).toBe(201);
    });

    it('refuses to register a patient for another township’s clinic', async () => {
      const { other } = await fixtures();
      const res = await t.as('village.doctor')({ method: 'POST', url: '/api/v1/patients', payload: { ...valid(), managingOrganizationId: other.managingOrganizationId } });
      expect(res.statusCode).toBe(403);
    });

    it('registers a batch over HTTP with one result per row, in order', async () => {
      const good = valid();
      const bad = { ...valid(), idNumber: '350821197504010000' };
      const res = await t.as('village.doctor')({ method: 'POST', url: '/api/v1/patients/$batch', payload: { patients: [good, bad, good] } });
      expect(res.statusCode).toBe(200);
      const { results } = res.json() as { results: { ok: boolean; error?: { code: string; path?: string } }[] };
      expect(results.map((r) => r.ok)).toEqual([true, false, false]);
      expect(results[1]!.error).toMatchObject({ code: 'invalid', path: 'idNumber' });
      expect(results[2]!.error?.code).toBe('duplicate'); // the same person twice in one batch
      expect(await t.database.db.select().from(patients).where(eq(patients.idNumber, good.idNumber))).toHaveLength(1);
      const tooMany = await t.as('village.doctor')({ method: 'POST', url: '/api/v1/patients/$batch', payload: { patients: [] } });
      expect(tooMany.statusCode).toBe(400);
    });

    it('guards updates with the version (no lost update)', async () => {
      const res = await t.as('village.doctor')({ method: 'POST', url: '/api/v1/patients', payload: valid() });
      expect(res.statusCode).toBe(201);
      const created = res.json();
      const put = (version: number, name: string) =>
        t.as('village.doctor')({ method: 'PUT', url: `/api/v1/patients/${created.id}`, payload: { idNumber: created.idNumber, name, phone: created.phone, version } });
      expect((await put(1, '改名一')).statusCode).toBe(200);
      const stale = await put(1, '改名二');
      expect(stale.statusCode).toBe(409);
      expect(stale.json().message).toContain('已被他人修改');
    });
  });

  describe('bad input never answers 500 and writes nothing', () => {
    it.each([
      ['malformed JSON', { 'content-type': 'application/json' }, '{"name": ', 400],
      ['wrong types', { 'content-type': 'application/json' }, JSON.stringify({ name: 42, chronicConditions: 'I10' }), 400],
      ['unknown organization', { 'content-type': 'application/json' }, JSON.stringify({ name: '某某', sex: 'male', birthDate: '1990-01-01', managingOrganizationId: 'no-such-org' }), 400],
      ['unknown division', { 'content-type': 'application/json' }, JSON.stringify({ name: '某某', sex: 'male', birthDate: '1990-01-01', residenceDivisionCode: '999999' }), 400],
      ['oversized body', { 'content-type': 'application/json' }, JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }), 413],
      ['unsupported media type', { 'content-type': 'text/csv' }, 'a,b', 415],
    ])('%s', async (_label, headers, payload, status) => {
      const before = await t.database.db.select({ n: sql<number>`count(*)::int` }).from(patients);
      const res = await t.as('village.doctor')({ method: 'POST', url: '/api/v1/patients', payload, headers: headers as Record<string, string> });
      expect(res.statusCode).toBe(status);
      expect(res.json().message.length).toBeGreaterThan(3);
      const after = await t.database.db.select({ n: sql<number>`count(*)::int` }).from(patients);
      expect(after[0]!.n).toBe(before[0]!.n);
    });

    it('answers unknown ids and paths with 404 and bad query parameters with 400', async () => {
      const vd = t.as('village.doctor');
      expect((await vd({ url: '/api/v1/patients/00000000-0000-0000-0000-000000000000' })).statusCode).toBe(404);
      expect((await vd({ url: '/api/v1/organizations/nope' })).statusCode).toBe(404);
      expect((await vd({ url: '/api/v1/nothing-here' })).statusCode).toBe(404);
      const badPage = await vd({ url: '/api/v1/patients?page=-1' });
      expect(badPage.statusCode).toBe(400);
      expect(badPage.json().path).toBe('page');
      // Over-long ids are refused before routing (414 URI Too Long), never reaching the database.
      expect((await vd({ url: `/api/v1/patients/${'x'.repeat(500)}` })).statusCode).toBe(414);
    });
  });

  describe('care network', () => {
    it('lists the 18 township-level centers of 长汀县 and their supervised clinics', async () => {
      const vd = t.as('village.doctor');
      const res = await vd({ url: '/api/v1/organizations?tier=township-health-center&pageSize=100' });
      expect(res.statusCode).toBe(200);
      const centers = res.json().items as { id: string; divisionCode: string }[];
      expect(centers.length).toBeGreaterThanOrEqual(15);
      for (const c of centers) expect(c.divisionCode).toMatch(/^350821\d{3}$/);
      const detail = await vd({ url: `/api/v1/organizations/${centers[0]!.id}` });
      expect(detail.statusCode).toBe(200);
      expect(detail.json().supervisedClinics.length).toBeGreaterThan(0);
    });

    it('answers who belonged to the county community on a date, and refuses overlapping periods', async () => {
      const admin = t.as('alliance.admin');
      const alliances = (await admin({ url: '/api/v1/alliances' })).json() as { id: string; kind: string }[];
      const community = alliances.find((a) => a.kind === 'county-community')!;
      const history = (await admin({ url: `/api/v1/alliances/${community.id}/members` })).json() as { organizationId: string; validFrom: string; validTo: string | null; id: string }[];
      const open = history.find((m) => m.validTo === null)!;
      const clash = await admin({ method: 'POST', url: `/api/v1/alliances/${community.id}/members`, payload: { organizationId: open.organizationId, validFrom: '2026-01-01' } });
      expect(clash.statusCode).toBe(409);
      // End it; a later date still shows the old history unchanged.
      const end = await admin({ method: 'POST', url: `/api/v1/memberships/${open.id}/end`, payload: { validTo: '2026-07-01', reason: '机构调整' } });
      expect(end.statusCode).toBe(200);
      const before = (await admin({ url: `/api/v1/alliances/${community.id}/members?on=2026-06-30` })).json() as { organizationId: string }[];
      const after = (await admin({ url: `/api/v1/alliances/${community.id}/members?on=2026-07-01` })).json() as { organizationId: string }[];
      expect(before.map((m) => m.organizationId)).toContain(open.organizationId);
      expect(after.map((m) => m.organizationId)).not.toContain(open.organizationId);
      const rejoin = await admin({ method: 'POST', url: `/api/v1/alliances/${community.id}/members`, payload: { organizationId: open.organizationId, validFrom: '2026-07-01', reason: '重新加入' } });
      expect(rejoin.statusCode).toBe(201);
      expect((await t.as('village.doctor')({ method: 'POST', url: `/api/v1/alliances/${community.id}/members`, payload: { organizationId: open.organizationId, validFrom: '2027-01-01' } })).statusCode).toBe(403);
      // An alliance admin administers the alliance its organization leads, not every alliance it belongs to.
      const telemedicine = alliances.find((a) => a.kind === 'telemedicine-network')!;
      const foreign = await admin({ method: 'POST', url: `/api/v1/alliances/${telemedicine.id}/members`, payload: { organizationId: open.organizationId, validFrom: '2027-01-01' } });
      expect(foreign.statusCode).toBe(403);
    });

    it('lets an alliance admin register facilities only in the county its alliance serves', async () => {
      const admin = t.as('alliance.admin');
      const body = (divisionCode: string, identifier: string) => ({ identifier, name: '测试新建村卫生室', tier: 'village-clinic', divisionCode });
      const ours = await admin({ method: 'POST', url: '/api/v1/organizations', payload: body('350821106201', 'CT-TEST-1') });
      expect(ours.statusCode).toBe(201);
      const elsewhere = await admin({ method: 'POST', url: '/api/v1/organizations', payload: body('350102', 'FZ-TEST-1') });
      expect(elsewhere.statusCode).toBe(403);
      const sys = await t.as('admin')({ method: 'POST', url: '/api/v1/organizations', payload: body('350102', 'FZ-TEST-2') });
      expect(sys.statusCode).toBe(201);
      expect((await admin({ method: 'POST', url: '/api/v1/organizations', payload: body('350821106201', 'CT-TEST-1') })).statusCode).toBe(409);
    });

    it('checks the tier catalogue', async () => {
      const vd = t.as('village.doctor');
      const yes = await vd({ url: '/api/v1/catalogue/check?tier=township-health-center&icd10=I10' });
      expect(yes.json().covered).toBe(true);
      const no = await vd({ url: '/api/v1/catalogue/check?tier=township-health-center&icd10=I21.0' });
      expect(no.json().covered).toBe(false);
      expect((await vd({ url: '/api/v1/catalogue/check?tier=township-health-center&icd10=hello' })).statusCode).toBe(400);
    });

    it('lets the alliance admin override the catalogue for its members only, and lift the override again', async () => {
      const admin = t.as('alliance.admin');
      const alliances = (await admin({ url: '/api/v1/alliances' })).json() as { id: string; kind: string }[];
      const community = alliances.find((a) => a.kind === 'county-community')!;
      const other = alliances.find((a) => a.kind === 'telemedicine-network')!;
      const check = (allianceId?: string) =>
        admin({ url: `/api/v1/catalogue/check?tier=township-health-center&icd10=K35.8${allianceId ? `&allianceId=${allianceId}` : ''}` });
      expect((await check(community.id)).json().covered).toBe(false);
      const body = { tier: 'township-health-center', range: 'K35-K37', effect: 'include', label: '急性阑尾炎（本医共体中心卫生院开展）' };
      const created = await admin({ method: 'POST', url: `/api/v1/alliances/${community.id}/catalogue`, payload: body });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toMatchObject({ allianceId: community.id, codeFrom: 'K35', codeTo: 'K37' });
      expect((await check(community.id)).json()).toMatchObject({ covered: true, fromOverride: true });
      expect((await check()).json().covered).toBe(false); // the default is untouched
      expect((await admin({ method: 'POST', url: `/api/v1/alliances/${other.id}/catalogue`, payload: body })).statusCode).toBe(403);
      expect((await admin({ method: 'POST', url: `/api/v1/alliances/${community.id}/catalogue`, payload: { ...body, range: 'nonsense' } })).statusCode).toBe(400);
      expect((await t.as('village.doctor')({ method: 'POST', url: `/api/v1/alliances/${community.id}/catalogue`, payload: body })).statusCode).toBe(403);
      expect((await admin({ method: 'DELETE', url: `/api/v1/catalogue/${created.json().id}` })).statusCode).toBe(204);
      expect((await check(community.id)).json().covered).toBe(false);
    });
  });

  describe.skipIf(databaseKind !== 'postgres')('concurrency (PostgreSQL)', () => {
    it('registers one ID number once when two desks submit it at the same moment', async () => {
      const idNumber = composeResidentId('350821', '1988-08-08', 321, 'male');
      const body = { idNumber, name: '并发测试', phone: '13700000001' };
      const results = await Promise.all(
        Array.from({ length: 6 }, () => t.as('referral.desk')({ method: 'POST', url: '/api/v1/patients', payload: { ...body, confirmNotDuplicate: true } })),
      );
      const codes = results.map((r) => r.statusCode).sort();
      expect(codes.filter((c) => c === 201)).toHaveLength(1);
      expect(codes.filter((c) => c === 409)).toHaveLength(5);
      expect(await t.database.db.select().from(patients).where(eq(patients.idNumber, idNumber))).toHaveLength(1);
    });
  });
});

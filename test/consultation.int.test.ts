import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, asc, eq, like } from 'drizzle-orm';
import {
  auditEvents, deadlineEscalations, deadlines, diagnosisConsultationOpinions, diagnosisConsultations, diagnosisRequests, notifications, organizations,
  patients, userRoles, users,
} from '../src/db/schema/index.js';
import type { CenterDto, ReaderDto } from '../src/contracts/diagnosis.js';
import type { ConsultationDto, ConsultationEventDto, ConsultationListItemDto } from '../src/contracts/diagnosis-consultation.js';
import { hashPassword } from '../src/modules/identity/index.js';
import { newId } from '../src/shared/ids.js';
import { createTestApp, databaseKind, DEMO_PASSWORD, type TestApp } from './helpers/app.js';

/**
 * Teleconsultation (远程会诊) through the JSON API on the real app and database (PGlite, and PostgreSQL when
 * DATABASE_URL is set): the consent required at the request, the center assigning experts of its pool and scheduling
 * with a video link, opinions by invited experts only, the requesting side's final decision, the access rule (403),
 * the lifecycle (409), and the one-hour response deadline of an emergency consultation on a driven clock.
 */
let t: TestApp;
let countyOrg: string;
let villageOrg: string;
let patientId: string;
let center: CenterDto;
const ids: Record<string, string> = {};
const readers: Record<string, ReaderDto> = {};
const MIN = 60_000;
const base = '/api/v1/diagnosis/consultations';

const api = (user: string) => t.as(user);
const json = <T>(res: { statusCode: number; body: string; json(): unknown }, status: number): T => {
  expect(res.statusCode, res.body).toBe(status);
  return res.json() as T;
};
const cst = (day: string, hhmm: string) => new Date(`${day}T${hhmm}:00+08:00`).toISOString();
const inMinutes = (m: number) => new Date(t.clock.now().getTime() + m * MIN).toISOString();
const consent = () => ({ signer: 'patient', signerName: '钟某某', signedAt: inMinutes(-10), formReference: 'HT-ZQTY-2026-0001' });

function requestBody(over: Record<string, unknown> = {}) {
  return { centerId: center.id, patientId, kind: 'emergency', specialty: '心血管内科', purpose: '胸痛 2 小时，心电图 ST 段抬高，请协助判断是否转诊溶栓', clinicalSummary: '男，63 岁，高血压病史 10 年。', consent: consent(), ...over };
}

async function createConsultation(over: Record<string, unknown> = {}): Promise<ConsultationDto> {
  return json<ConsultationDto>(await api('township.doctor')({ method: 'POST', url: base, payload: requestBody(over) }), 201);
}

const notificationsOf = async (userId: string, likeKey: string) =>
  t.database.db.select().from(notifications).where(and(eq(notifications.recipientUserId, userId), like(notifications.dedupeKey, likeKey)));
const consultationCount = async () => (await t.database.db.select().from(diagnosisRequests).where(eq(diagnosisRequests.kind, 'consultation'))).length;

async function addUser(username: string, displayName: string, hash: string): Promise<string> {
  const id = newId();
  await t.database.db.insert(users).values({ id, username, displayName, passwordHash: hash, organizationId: countyOrg });
  await t.database.db.insert(userRoles).values({ userId: id, role: 'center-reader' });
  return id;
}

beforeAll(async () => {
  t = await createTestApp({ residents: 150, env: { YILIAN_TOKEN_TTL_SECONDS: String(30 * 86_400) } });
  const db = t.database.db;
  const byName = async (username: string) => (await db.select().from(users).where(eq(users.username, username)))[0]!;
  for (const u of ['center.reader', 'township.doctor', 'village.doctor', 'alliance.admin', 'county.specialist']) ids[u] = (await byName(u)).id;
  const [county] = await db.select().from(organizations).where(eq(organizations.name, '长汀县总医院'));
  countyOrg = county!.id;
  villageOrg = (await byName('village.doctor')).organizationId!;
  // A patient of the village clinic the township center supervises (乡村一体化): the township doctor may request for them.
  patientId = (await db.select().from(patients).where(eq(patients.managingOrganizationId, villageOrg)).limit(1))[0]!.id;
  const hash = await hashPassword(DEMO_PASSWORD);
  ids['expert.cardio'] = await addUser('expert.cardio', '心内科 陈主任', hash);
  ids['expert.neuro'] = await addUser('expert.neuro', '神经内科 林主任', hash);
}, 180_000);

afterAll(async () => {
  await t?.close();
});

describe(`teleconsultation on ${databaseKind}`, () => {
  it('runs on the database the suite was asked for', () => {
    if (process.env.YILIAN_EXPECT_DATABASE) expect(t.database.kind).toBe(process.env.YILIAN_EXPECT_DATABASE);
  });

  it('the alliance admin sets up the county consultation center, its expert pool and a duty head on the roster', async () => {
    center = json<CenterDto>(await api('alliance.admin')({ method: 'POST', url: '/api/v1/diagnosis/centers', payload: { organizationId: countyOrg, type: 'consultation', name: '长汀县远程会诊中心' } }), 201);
    const add = async (user: string, specialties: string[] = []) =>
      json<ReaderDto>(await api('alliance.admin')({ method: 'POST', url: `/api/v1/diagnosis/centers/${center.id}/readers`, payload: { userId: ids[user], specialties } }), 201);
    readers['center.reader'] = await add('center.reader');
    readers['expert.cardio'] = await add('expert.cardio', ['心血管内科']);
    readers['expert.neuro'] = await add('expert.neuro', ['神经内科']);
    // Sunday 2026-11-22, 08:00–20:00 in Beijing; the clock stands at 10:00.
    json(await api('alliance.admin')({ method: 'POST', url: `/api/v1/diagnosis/centers/${center.id}/roster`, payload: { readerId: readers['center.reader']!.id, date: '2026-11-22', startsAt: cst('2026-11-22', '08:00'), endsAt: cst('2026-11-22', '20:00'), role: 'duty-head' } }), 201);
    const times = json<{ step: string; urgency: string; minutes: number }[]>(await api('alliance.admin')({ url: `/api/v1/diagnosis/centers/${center.id}/deadlines` }), 200);
    expect(times.map((d) => [d.step, d.urgency, d.minutes])).toEqual([['consultation-respond', 'routine', 360], ['consultation-respond', 'urgent', 60], ['consultation-respond', 'emergency', 60]]);
  });

  describe('the request needs the patient’s written consent', () => {
    it('no consent → 400 naming it, and nothing written', async () => {
      const before = await consultationCount();
      const { consent: _omitted, ...withoutConsent } = requestBody();
      const res = await api('township.doctor')({ method: 'POST', url: base, payload: withoutConsent });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json()).toMatchObject({ path: 'consent', message: expect.stringContaining('知情同意') });
      const future = await api('township.doctor')({ method: 'POST', url: base, payload: requestBody({ consent: { ...consent(), signedAt: inMinutes(60) } }) });
      expect(future.statusCode).toBe(400);
      expect(future.json().path).toBe('consent.signedAt');
      const noForm = await api('township.doctor')({ method: 'POST', url: base, payload: requestBody({ consent: { ...consent(), formReference: '' } }) });
      expect(noForm.statusCode).toBe(400);
      expect(noForm.json().path).toBe('consent.formReference');
      expect(await consultationCount()).toBe(before);
    });

    it('other bad input: no specialty, a center that is not a consultation center, a reader as requester; /requests points here', async () => {
      const noSpecialty = await api('township.doctor')({ method: 'POST', url: base, payload: requestBody({ specialty: '' }) });
      expect(noSpecialty.statusCode).toBe(400);
      expect(noSpecialty.json().path).toBe('specialty');
      const ecg = json<CenterDto>(await api('alliance.admin')({ method: 'POST', url: '/api/v1/diagnosis/centers', payload: { organizationId: countyOrg, type: 'ecg', name: '心电中心' } }), 201);
      const wrongCenter = await api('township.doctor')({ method: 'POST', url: base, payload: requestBody({ centerId: ecg.id }) });
      expect(wrongCenter.statusCode).toBe(400);
      expect(wrongCenter.json().path).toBe('centerId');
      expect((await api('center.reader')({ method: 'POST', url: base, payload: requestBody() })).statusCode).toBe(403);
      const viaRequests = await api('township.doctor')({ method: 'POST', url: '/api/v1/diagnosis/requests', payload: { centerId: center.id, patientId, modality: 'ECG-12', examType: 'x', urgency: 'emergency', clinicalQuestion: 'q' } });
      expect(viaRequests.statusCode).toBe(400);
      expect(viaRequests.json().message).toContain('/api/v1/diagnosis/consultations');
    });
  });

  describe('an emergency consultation: request → experts → schedule → session → opinion → decision', () => {
    let c: ConsultationDto;

    it('the request records the consent, starts the one-hour response clock and tells the pool on duty', async () => {
      c = await createConsultation();
      expect(c).toMatchObject({
        status: 'requested', kind: 'emergency', urgency: 'emergency', specialty: '心血管内科', experts: [], opinions: [], decision: null, schedule: null,
        consent: { signer: 'patient', signerName: '钟某某', formReference: 'HT-ZQTY-2026-0001' }, allowedActions: ['cancel'],
      });
      expect(c.number).toMatch(/^DX-20261122-\d{6}$/);
      expect(c.deadline).toMatchObject({ step: 'consultation-respond', dueAt: inMinutes(60), overdue: false });
      expect(await notificationsOf(ids['center.reader']!, `consultation:${c.id}:requested%`)).toHaveLength(1);
      const audit = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.resourceType, 'DiagnosisConsultation'), eq(auditEvents.resourceId, c.id)));
      expect(audit.map((a) => a.action)).toContain('create');
    });

    it('another facility gets 403 (by id, timeline) and sees nothing in its list; the reading API does not serve it', async () => {
      expect((await api('village.doctor')({ url: `${base}/${c.id}` })).statusCode).toBe(403);
      expect((await api('village.doctor')({ url: `${base}/${c.id}/timeline` })).statusCode).toBe(403);
      const sent = json<{ items: ConsultationListItemDto[] }>(await api('village.doctor')({ url: `${base}?view=sent` }), 200);
      expect(sent.items.map((i) => i.id)).not.toContain(c.id);
      expect((await api('village.doctor')({ url: `${base}?view=center` })).statusCode).toBe(403);
      const denied = await t.database.db.select().from(auditEvents).where(and(eq(auditEvents.resourceId, c.id), eq(auditEvents.outcome, 'denied')));
      expect(denied.length).toBeGreaterThan(0);
      expect((await api('township.doctor')({ url: `/api/v1/diagnosis/requests/${c.id}` })).statusCode).toBe(404);
      const dxSent = json<{ items: { id: string }[] }>(await api('township.doctor')({ url: '/api/v1/diagnosis/requests?view=sent' }), 200);
      expect(dxSent.items.map((i) => i.id)).not.toContain(c.id);
    });

    it('the center assigns experts of its pool only; the requester may not', async () => {
      expect((await api('township.doctor')({ method: 'POST', url: `${base}/${c.id}/experts`, payload: { userId: ids['expert.cardio'] } })).statusCode).toBe(403);
      const outsider = await api('center.reader')({ method: 'POST', url: `${base}/${c.id}/experts`, payload: { userId: ids['county.specialist'] } });
      expect(outsider.statusCode).toBe(400);
      expect(outsider.json().path).toBe('userId');
      const early = await api('center.reader')({ method: 'POST', url: `${base}/${c.id}/schedule`, payload: { startsAt: inMinutes(20), endsAt: inMinutes(80), videoLink: 'https://meet.example.cn/ct-001' } });
      expect(early.statusCode).toBe(400);
      expect(early.json().path).toBe('experts');
      c = json<ConsultationDto>(await api('center.reader')({ method: 'POST', url: `${base}/${c.id}/experts`, payload: { userId: ids['expert.cardio'], role: 'lead' } }), 200);
      expect(c.experts).toEqual([expect.objectContaining({ userId: ids['expert.cardio'], role: 'lead', state: 'invited', specialty: '心血管内科' })]);
      expect(await notificationsOf(ids['expert.cardio']!, `consultation:${c.id}:assign-expert:%`)).toHaveLength(1);
      const twice = await api('center.reader')({ method: 'POST', url: `${base}/${c.id}/experts`, payload: { userId: ids['expert.cardio'] } });
      expect(twice.statusCode).toBe(409);
      c = json<ConsultationDto>(await api('center.reader')({ method: 'POST', url: `${base}/${c.id}/experts`, payload: { userId: ids['expert.neuro'], specialty: '神经内科' } }), 200);
      // The invited neurologist declines (with a reason); a decline without one is refused.
      expect((await api('expert.neuro')({ method: 'POST', url: `${base}/${c.id}/invitation`, payload: { response: 'decline' } })).json().path).toBe('reason');
      c = json<ConsultationDto>(await api('expert.neuro')({ method: 'POST', url: `${base}/${c.id}/invitation`, payload: { response: 'decline', reason: '正在手术' } }), 200);
      expect(c.experts.find((e) => e.userId === ids['expert.neuro'])).toMatchObject({ state: 'declined', reason: '正在手术' });
      c = json<ConsultationDto>(await api('expert.cardio')({ method: 'POST', url: `${base}/${c.id}/invitation`, payload: { response: 'accept' } }), 200);
      expect(c.experts.find((e) => e.userId === ids['expert.cardio'])).toMatchObject({ state: 'accepted' });
    });

    it('scheduling (time, video link) meets the response deadline and tells the requester and the experts', async () => {
      const badLink = await api('center.reader')({ method: 'POST', url: `${base}/${c.id}/schedule`, payload: { startsAt: inMinutes(20), endsAt: inMinutes(80), videoLink: 'ftp://x' } });
      expect(badLink.statusCode).toBe(400);
      expect(badLink.json().path).toBe('videoLink');
      const backwards = await api('center.reader')({ method: 'POST', url: `${base}/${c.id}/schedule`, payload: { startsAt: inMinutes(80), endsAt: inMinutes(20), videoLink: 'https://meet.example.cn/ct-001' } });
      expect(backwards.json().path).toBe('endsAt');
      t.clock.advance(12 * MIN);
      c = json<ConsultationDto>(await api('center.reader')({ method: 'POST', url: `${base}/${c.id}/schedule`, payload: { startsAt: inMinutes(10), endsAt: inMinutes(70), videoLink: 'https://meet.example.cn/ct-001' } }), 200);
      expect(c).toMatchObject({ status: 'scheduled', schedule: { startsAt: inMinutes(10), videoLink: 'https://meet.example.cn/ct-001' }, deadline: null });
      const [d] = await t.database.db.select().from(deadlines).where(eq(deadlines.subjectId, c.id));
      expect(d).toMatchObject({ step: 'consultation-respond', state: 'met' });
      expect(d!.metAt?.toISOString()).toBe(t.clock.now().toISOString());
      expect(await notificationsOf(ids['township.doctor']!, `consultation:${c.id}:schedule:%`)).toHaveLength(1);
      expect(await notificationsOf(ids['expert.cardio']!, `consultation:${c.id}:schedule:%`)).toHaveLength(1);
      // The declined expert is not told of the session.
      expect(await notificationsOf(ids['expert.neuro']!, `consultation:${c.id}:schedule:%`)).toHaveLength(0);
    });

    it('illegal moves are 409 naming the state; opinions only from invited experts (403 for the rest)', async () => {
      const early = await api('township.doctor')({ method: 'POST', url: `${base}/${c.id}/conclude`, payload: { decision: '转上级医院' } });
      expect(early.statusCode).toBe(409);
      expect(early.json().message).toMatch(/已安排.*scheduled/);
      c = json<ConsultationDto>(await api('expert.cardio')({ method: 'POST', url: `${base}/${c.id}/start` }), 200);
      expect(c.status).toBe('in-progress');
      expect((await api('expert.cardio')({ method: 'POST', url: `${base}/${c.id}/start` })).statusCode).toBe(409);
      expect((await api('township.doctor')({ method: 'POST', url: `${base}/${c.id}/cancel`, payload: { reason: '不需要了' } })).statusCode).toBe(409);
      // Not an expert of this consultation: the coordinator, the declined expert, the requester.
      for (const user of ['center.reader', 'expert.neuro', 'township.doctor']) {
        const res = await api(user)({ method: 'POST', url: `${base}/${c.id}/opinions`, payload: { opinion: '同意溶栓' } });
        expect(res.statusCode, user).toBe(403);
      }
      expect((await t.database.db.select().from(diagnosisConsultationOpinions).where(eq(diagnosisConsultationOpinions.requestId, c.id)))).toHaveLength(0);
    });

    it('the expert’s opinion is recorded (append-only) and the requester told; the requesting side records the decision', async () => {
      const empty = await api('expert.cardio')({ method: 'POST', url: `${base}/${c.id}/opinions`, payload: { opinion: '' } });
      expect(empty.json().path).toBe('opinion');
      c = json<ConsultationDto>(await api('expert.cardio')({ method: 'POST', url: `${base}/${c.id}/opinions`, payload: { opinion: '急性下壁心肌梗死可能大，建议立即转县医院行急诊 PCI。', recommendations: '转运前嚼服阿司匹林 300 mg。' } }), 201);
      expect(c.status).toBe('opinion-given');
      expect(c.opinions).toEqual([expect.objectContaining({ expertUserId: ids['expert.cardio'], expertName: '心内科 陈主任', specialty: '心血管内科' })]);
      expect(await notificationsOf(ids['township.doctor']!, `consultation:${c.id}:opinion:%`)).toHaveLength(1);
      expect((await api('village.doctor')({ method: 'POST', url: `${base}/${c.id}/conclude`, payload: { decision: 'x' } })).statusCode).toBe(403);
      expect((await api('expert.cardio')({ method: 'POST', url: `${base}/${c.id}/conclude`, payload: { decision: 'x' } })).statusCode).toBe(403);
      const blank = await api('township.doctor')({ method: 'POST', url: `${base}/${c.id}/conclude`, payload: { decision: ' ' } });
      expect(blank.statusCode).toBe(400);
      expect(blank.json().path).toBe('decision');
      c = json<ConsultationDto>(await api('township.doctor')({ method: 'POST', url: `${base}/${c.id}/conclude`, payload: { decision: '采纳会诊意见：经 120 转县总医院胸痛中心行急诊 PCI。' } }), 200);
      expect(c).toMatchObject({ status: 'concluded', decision: { text: expect.stringContaining('PCI'), byName: expect.any(String) }, allowedActions: [] });
      const [row] = await t.database.db.select().from(diagnosisRequests).where(eq(diagnosisRequests.id, c.id));
      expect(row).toMatchObject({ kind: 'consultation', status: 'completed', modality: 'CONSULT' });
      expect(row!.completedAt?.toISOString()).toBe(t.clock.now().toISOString());
      const [detail] = await t.database.db.select().from(diagnosisConsultations).where(eq(diagnosisConsultations.requestId, c.id));
      expect(detail).toMatchObject({ status: 'concluded', decisionBy: ids['township.doctor'] });
      expect((await api('township.doctor')({ method: 'POST', url: `${base}/${c.id}/cancel`, payload: { reason: 'x' } })).statusCode).toBe(409);
    });

    it('the timeline lists every move; lists show it to each side in its view', async () => {
      const timeline = json<ConsultationEventDto[]>(await api('expert.cardio')({ url: `${base}/${c.id}/timeline` }), 200);
      expect(timeline.map((e) => e.action)).toEqual(['submit', 'assign-expert', 'assign-expert', 'decline-invitation', 'accept-invitation', 'schedule', 'start', 'opinion', 'conclude']);
      expect(timeline.at(-1)).toMatchObject({ fromStatus: 'opinion-given', toStatus: 'concluded' });
      const inList = async (user: string, query: string) => json<{ items: ConsultationListItemDto[] }>(await api(user)({ url: `${base}?${query}` }), 200).items.find((i) => i.id === c.id);
      expect(await inList('township.doctor', 'view=sent')).toMatchObject({ status: 'concluded', specialty: '心血管内科', experts: ['心内科 陈主任'] });
      expect(await inList('center.reader', `view=center&centerId=${center.id}`)).toBeDefined();
      expect(await inList('expert.cardio', 'view=expert')).toBeDefined();
      expect(await inList('expert.neuro', 'view=expert')).toBeUndefined();
      expect(await inList('township.doctor', 'view=sent&status=requested')).toBeUndefined();
      expect((await api('expert.cardio')({ url: `${base}?view=center&centerId=nope` })).statusCode).toBe(403);
    });
  });

  describe('the center declines, the requester cancels', () => {
    it('decline needs a reason and answers the request (deadline met); cancel is the requester’s and cancels the clock', async () => {
      const a = await createConsultation({ kind: 'outpatient', urgency: 'urgent', preferredAt: inMinutes(24 * 60) });
      expect(a.urgency).toBe('urgent');
      expect((await api('center.reader')({ method: 'POST', url: `${base}/${a.id}/decline`, payload: {} })).statusCode).toBe(400);
      expect((await api('township.doctor')({ method: 'POST', url: `${base}/${a.id}/decline`, payload: { reason: 'x' } })).statusCode).toBe(403);
      const declined = json<ConsultationDto>(await api('center.reader')({ method: 'POST', url: `${base}/${a.id}/decline`, payload: { reason: '本中心暂无小儿心脏专科专家' } }), 200);
      expect(declined).toMatchObject({ status: 'declined', declineReason: '本中心暂无小儿心脏专科专家', deadline: null });
      expect((await t.database.db.select().from(deadlines).where(eq(deadlines.subjectId, a.id)))[0]).toMatchObject({ state: 'met' });
      expect(await notificationsOf(ids['township.doctor']!, `consultation:${a.id}:decline:%`)).toHaveLength(1);

      const b = await createConsultation({ kind: 'inpatient' });
      expect(b.urgency).toBe('routine');
      expect(b.deadline?.dueAt).toBe(inMinutes(360));
      expect((await api('center.reader')({ method: 'POST', url: `${base}/${b.id}/cancel`, payload: { reason: 'x' } })).statusCode).toBe(403);
      const cancelled = json<ConsultationDto>(await api('township.doctor')({ method: 'POST', url: `${base}/${b.id}/cancel`, payload: { reason: '患者已转院' } }), 200);
      expect(cancelled).toMatchObject({ status: 'cancelled', cancelReason: '患者已转院', deadline: null });
      expect((await t.database.db.select().from(deadlines).where(eq(deadlines.subjectId, b.id)))[0]).toMatchObject({ state: 'cancelled' });
      expect((await api('center.reader')({ method: 'POST', url: `${base}/${b.id}/schedule`, payload: { startsAt: inMinutes(10), endsAt: inMinutes(40), videoLink: 'https://meet.example.cn/x' } })).statusCode).toBe(409);
    });
  });

  describe('deadlines on a driven clock', () => {
    it('an emergency consultation left unscheduled is overdue at 60 minutes and climbs the center’s ladder', async () => {
      const c = await createConsultation({ purpose: '突发意识障碍 30 分钟' });
      const start = t.clock.now();
      await t.services.deadlines.runDue(new Date(start.getTime() + 59 * MIN));
      const d = (await t.database.db.select().from(deadlines).where(eq(deadlines.subjectId, c.id)))[0]!;
      expect(d.overdueAt).toBeNull();
      t.clock.set(new Date(start.getTime() + 60 * MIN));
      await t.services.deadlines.runDue(t.clock.now());
      const fired = await t.database.db.select().from(deadlineEscalations).where(eq(deadlineEscalations.deadlineId, d.id)).orderBy(asc(deadlineEscalations.level));
      expect(fired.map((f) => [f.level, f.rung])).toEqual([[0, 'overdue'], [1, 'assigned']]);
      // Nobody holds it yet: the pool on duty and the duty head hear of it.
      expect(fired[1]!.recipientUserIds).toEqual([ids['center.reader']]);
      const [note] = await notificationsOf(ids['center.reader']!, `deadline:${d.id}:1:%`);
      expect(note).toMatchObject({ title: expect.stringContaining('远程会诊未响应'), link: `/consultations/${c.id}` });
      t.clock.set(new Date(start.getTime() + 75 * MIN));
      await t.services.deadlines.runDue(t.clock.now());
      expect(await notificationsOf(ids['center.reader']!, `deadline:${d.id}:2:%`)).toHaveLength(1);
      const listed = json<{ items: ConsultationListItemDto[] }>(await api('township.doctor')({ url: `${base}?view=sent&overdue=true` }), 200);
      expect(listed.items.find((i) => i.id === c.id)).toMatchObject({ overdue: true, escalationLevel: 2 });
      const timeline = json<ConsultationEventDto[]>(await api('township.doctor')({ url: `${base}/${c.id}/timeline` }), 200);
      expect(timeline.map((e) => e.action)).toEqual(['submit', 'overdue', 'escalated', 'escalated']);
    });
  });

  it('never answers 500 to odd input', async () => {
    const odd = [
      await api('center.reader')({ method: 'POST', url: `${base}/nope/start` }),
      await api('township.doctor')({ url: `${base}?view=sent&status=bogus` }),
      await api('township.doctor')({ url: `${base}?view=nobody` }),
      await api('township.doctor')({ method: 'POST', url: base, payload: { ...requestBody(), consent: 'yes' } }),
      await api('township.doctor')({ method: 'POST', url: base, payload: { ...requestBody(), kind: 'telepathy' } }),
      await api('center.reader')({ method: 'POST', url: `${base}/nope/experts/x/remove`, payload: { reason: 'r' } }),
    ];
    expect(odd.map((r) => r.statusCode)).toEqual([404, 400, 400, 400, 400, 404]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { organizations, patients, userRoles, users } from '../src/db/schema/index.js';
import { queryRows } from '../src/db/client.js';
import type { CenterDto, DiagnosisListItemDto, DiagnosisRequestDto, ReaderDto } from '../src/contracts/diagnosis.js';
import type { ConsultationDto } from '../src/contracts/diagnosis-consultation.js';
import { hashPassword } from '../src/modules/identity/index.js';
import { newId } from '../src/shared/ids.js';
import { createTestApp, databaseKind, DEMO_PASSWORD, type TestApp } from './helpers/app.js';

/**
 * `diagnosis_requests.due_at` — the copy of the running report (or consultation-respond) deadline's due time that orders
 * the worklist — against the live deadlines, after every kind of clock move: start, QC return (pause), resubmission
 * (resume), preliminary, final (met), second-reader sign-off (met), cancellation, and a teleconsultation's schedule,
 * decline and cancel. Then the worklist's order and its overdue filter as the readers see them.
 */
let t: TestApp;
const ids: Record<string, string> = {};
const MIN = 60_000;
let countyOrg: string;
let patientId: string;
let ecg: CenterDto;
let imaging: CenterDto;
let consult: CenterDto;

const api = (user: string) => t.as(user);
const json = <T>(res: { statusCode: number; body: string; json(): unknown }, status: number): T => {
  expect(res.statusCode, res.body).toBe(status);
  return res.json() as T;
};
/** POST answering 201 for a creation (a collection URL), else 200. */
const post = <T>(user: string, url: string, payload: Record<string, unknown> = {}) =>
  api(user)({ method: 'POST', url, payload }).then((r) => json<T>(r, /\/(requests|consultations|centers)$/.test(url) ? 201 : 200));
const move = (user: string, id: string, path: string, payload: Record<string, unknown> = {}) => post<DiagnosisRequestDto>(user, `/api/v1/diagnosis/requests/${id}/${path}`, payload);
const consultMove = (user: string, id: string, path: string, payload: Record<string, unknown> = {}) => post<ConsultationDto>(user, `/api/v1/diagnosis/consultations/${id}/${path}`, payload);

/** Requests whose `due_at` differs from the due time of their running deadline (the one due first), with both values. */
async function mismatches(): Promise<{ id: string; status: string; due_at: unknown; live: unknown }[]> {
  return queryRows(t.database.db, sql`
    select r.id, r.status, r.due_at, l.live from diagnosis_requests r
    cross join lateral (select min(d.due_at) as live from deadlines d where d.subject_type = 'diagnosis' and d.subject_id = r.id and d.state = 'running') l
    where r.due_at is distinct from l.live`);
}
const dueOf = async (id: string): Promise<string | null> => {
  const [row] = await queryRows<{ due_at: Date | string | null }>(t.database.db, sql`select due_at from diagnosis_requests where id = ${id}`);
  return row?.due_at == null ? null : new Date(row.due_at).toISOString();
};
const inMinutes = (m: number) => new Date(t.clock.now().getTime() + m * MIN).toISOString();

beforeAll(async () => {
  t = await createTestApp({ residents: 150, env: { YILIAN_TOKEN_TTL_SECONDS: String(30 * 86_400) } });
  const db = t.database.db;
  const byName = async (username: string) => (await db.select().from(users).where(eq(users.username, username)))[0]!;
  for (const u of ['center.reader', 'township.doctor', 'village.doctor']) ids[u] = (await byName(u)).id;
  countyOrg = (await db.select().from(organizations).where(eq(organizations.name, '长汀县总医院')))[0]!.id;
  const villageOrg = (await byName('village.doctor')).organizationId!;
  patientId = (await db.select().from(patients).where(eq(patients.managingOrganizationId, villageOrg)).limit(1))[0]!.id;
  const id = newId();
  await db.insert(users).values({ id, username: 'due.reader', displayName: '第二读片医师', passwordHash: await hashPassword(DEMO_PASSWORD), organizationId: countyOrg });
  await db.insert(userRoles).values({ userId: id, role: 'center-reader' });
  ids['due.reader'] = id;
}, 180_000);

afterAll(async () => {
  await t?.close();
});

describe(`the worklist's due time on the request row, on ${databaseKind}`, () => {
  it('runs on the database the suite was asked for', () => {
    if (process.env.YILIAN_EXPECT_DATABASE) expect(t.database.kind).toBe(process.env.YILIAN_EXPECT_DATABASE);
  });

  it('sets up an ECG center, an imaging center with second-reader sign-off and a consultation center', async () => {
    const center = (type: string, name: string, extra: Record<string, unknown> = {}) => post<CenterDto>('alliance.admin', '/api/v1/diagnosis/centers', { organizationId: countyOrg, type, name, ...extra });
    ecg = await center('ecg', '心电中心');
    imaging = await center('imaging', '影像中心', { requiresSecondSignoff: true });
    consult = await center('consultation', '会诊中心');
    for (const c of [ecg, imaging, consult]) {
      for (const [user, specialties] of [['center.reader', []], ['due.reader', ['心血管内科']]] as const) {
        json<ReaderDto>(await api('alliance.admin')({ method: 'POST', url: `/api/v1/diagnosis/centers/${c.id}/readers`, payload: { userId: ids[user], specialties } }), 201);
      }
    }
  });

  it('follows every move of a report clock: start, pause, resume, met, cancelled, signed off', async () => {
    const create = (over: Record<string, unknown>) => post<DiagnosisRequestDto>('township.doctor', '/api/v1/diagnosis/requests', { centerId: ecg.id, patientId, modality: 'ECG-12', examType: '常规十二导联心电图', urgency: 'emergency', clinicalQuestion: '胸痛', ...over });
    // Emergency ECG: the clock starts (30 min) and the row carries its due time.
    let a = await create({});
    expect(await dueOf(a.id)).toBe(a.deadline!.dueAt);
    expect(a.deadline!.dueAt).toBe(inMinutes(30));
    a = await move('center.reader', a.id, 'claim');
    expect(await dueOf(a.id)).toBe(a.deadline!.dueAt);
    // QC return pauses the clock: a stopped clock has no due time on the row.
    a = await move('center.reader', a.id, 'qc', { decision: 'return', reason: '导联脱落，请重新采集' });
    expect(a.deadline?.state).toBe('paused');
    expect(await dueOf(a.id)).toBeNull();
    expect(await mismatches()).toEqual([]);
    // Resubmitted 10 minutes later: the clock resumes with a new due time, and the row moves with it.
    t.clock.advance(10 * MIN);
    a = await move('township.doctor', a.id, 'resubmit', { note: '已重新采集' });
    expect(a.deadline?.state).toBe('running');
    expect(await dueOf(a.id)).toBe(a.deadline!.dueAt);
    a = await move('center.reader', a.id, 'claim');
    a = await move('center.reader', a.id, 'report', { action: 'preliminary', findings: '窦性心律。', impression: '初步：正常心电图' });
    expect(a.status).toBe('preliminary');
    expect(await dueOf(a.id)).toBe(a.deadline!.dueAt);
    a = await move('center.reader', a.id, 'report', { action: 'final', findings: '窦性心律。', impression: '正常心电图' });
    expect(a).toMatchObject({ status: 'completed', deadline: null });
    expect(await dueOf(a.id)).toBeNull();

    // Cancelled by the requester: the clock is cancelled, the row's due time cleared.
    const b = await create({ urgency: 'routine' });
    expect(await dueOf(b.id)).toBe(b.deadline!.dueAt);
    const cancelled = await move('township.doctor', b.id, 'cancel', { reason: '患者已离院' });
    expect(cancelled.status).toBe('cancelled');
    expect(await dueOf(b.id)).toBeNull();

    // Imaging with second-reader sign-off: the clock keeps running while the report awaits sign-off, met by it.
    let c = await create({ centerId: imaging.id, modality: 'DR', examType: '胸部正位片', bodyPart: '胸部', urgency: 'urgent' });
    c = await move('center.reader', c.id, 'claim');
    c = await move('center.reader', c.id, 'report', { action: 'final', findings: '双肺纹理清晰。', impression: '胸部未见异常' });
    expect(c.status).toBe('awaiting-signoff');
    expect(await dueOf(c.id)).toBe(c.deadline!.dueAt);
    c = await move('due.reader', c.id, 'report/sign-off');
    expect(c).toMatchObject({ status: 'completed', deadline: null });
    expect(await dueOf(c.id)).toBeNull();

    // Two left open for the worklist below.
    await create({ urgency: 'routine' });
    await create({ centerId: imaging.id, modality: 'DR', examType: '胸部正位片', bodyPart: '胸部', urgency: 'routine' });
    expect(await mismatches()).toEqual([]);
  });

  it('follows a teleconsultation’s response clock: scheduled, declined and cancelled clear it, an unanswered one keeps it', async () => {
    const consent = () => ({ signer: 'patient', signerName: '钟某某', signedAt: inMinutes(-10), formReference: 'HT-DUE-0001' });
    const create = (over: Record<string, unknown> = {}) => post<ConsultationDto>('township.doctor', '/api/v1/diagnosis/consultations', {
      centerId: consult.id, patientId, kind: 'emergency', specialty: '心血管内科', purpose: '胸痛，请协助判断是否转诊', consent: consent(), ...over,
    });
    let s = await create();
    expect(await dueOf(s.id)).toBe(s.deadline!.dueAt);
    s = await consultMove('center.reader', s.id, 'experts', { userId: ids['due.reader'], role: 'lead' });
    s = await consultMove('due.reader', s.id, 'invitation', { response: 'accept' });
    s = await consultMove('center.reader', s.id, 'schedule', { startsAt: inMinutes(10), endsAt: inMinutes(70), videoLink: 'https://meet.example.cn/due-1' });
    expect(s).toMatchObject({ status: 'scheduled', deadline: null });
    expect(await dueOf(s.id)).toBeNull();
    const d = await create({ kind: 'outpatient', urgency: 'urgent' });
    await consultMove('center.reader', d.id, 'decline', { reason: '本中心暂无该专科专家' });
    expect(await dueOf(d.id)).toBeNull();
    const x = await create({ kind: 'inpatient' });
    await consultMove('township.doctor', x.id, 'cancel', { reason: '患者已转院' });
    expect(await dueOf(x.id)).toBeNull();
    const open = await create({ kind: 'inpatient' });
    expect(await dueOf(open.id)).toBe(open.deadline!.dueAt);
    expect(await mismatches()).toEqual([]);
  });

  it('every request row agrees with its live deadline, and the check is not vacuous', async () => {
    expect(await mismatches()).toEqual([]);
    const [n] = await queryRows<{ running: string | number; cleared: string | number }>(t.database.db, sql`
      select count(*) filter (where due_at is not null) as running, count(*) filter (where due_at is null) as cleared from diagnosis_requests`);
    expect(Number(n!.running)).toBeGreaterThanOrEqual(3);
    expect(Number(n!.cleared)).toBeGreaterThanOrEqual(6);
  });

  it('the worklist is in due order, and overdue=true holds exactly the items past their due time', async () => {
    const url = `/api/v1/diagnosis/requests?view=worklist&centerId=${ecg.id}`;
    // A later emergency is due before the earlier routine one: due order, not arrival order.
    t.clock.advance(MIN);
    const urgent = await post<DiagnosisRequestDto>('township.doctor', '/api/v1/diagnosis/requests', { centerId: ecg.id, patientId, modality: 'ECG-12', examType: '常规十二导联心电图', urgency: 'emergency', clinicalQuestion: '心悸' });
    const list = json<{ items: DiagnosisListItemDto[]; total: number }>(await api('center.reader')({ url }), 200);
    expect(list.total).toBe(2);
    expect(list.items[0]!.id).toBe(urgent.id);
    const dues = list.items.map((i) => i.dueAt!);
    expect([...dues].sort()).toEqual(dues);
    expect(json<{ total: number }>(await api('center.reader')({ url: `${url}&overdue=true` }), 200).total).toBe(0);
    // Past the emergency's 30 minutes (the routine one has 8 hours): it alone is overdue, and marked so by the worker.
    t.clock.set(new Date(new Date(urgent.deadline!.dueAt).getTime() + MIN));
    await t.services.deadlines.runDue(t.clock.now());
    const overdue = json<{ items: DiagnosisListItemDto[]; total: number }>(await api('center.reader')({ url: `${url}&overdue=true` }), 200);
    expect(overdue.total).toBe(1);
    expect(overdue.items[0]).toMatchObject({ id: urgent.id, overdue: true });
    // The worker's marks never move a due time.
    expect(await mismatches()).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { organizations, patients, userRoles, users } from '../src/db/schema/index.js';
import type { TurnaroundGroupDto, TurnaroundStatisticsDto } from '../src/contracts/diagnosis-statistics.js';
import type { CenterDto, DiagnosisRequestDto } from '../src/contracts/diagnosis.js';
import type { IndicatorEvaluation } from '../src/contracts/indicator.js';
import { hashPassword } from '../src/modules/identity/index.js';
import { newId } from '../src/shared/ids.js';
import { createTestApp, databaseKind, DEMO_PASSWORD, type TestApp } from './helpers/app.js';

/**
 * Turnaround statistics on a small fixed dataset with a driven clock (PGlite, and PostgreSQL when DATABASE_URL is
 * set). ECG center (emergency/urgent 30 min, routine 8 h), times in China Standard Time:
 *   A 2026-10-20 10:00 township emergency — claimed +5 by center.reader, final +20          → on time
 *   B 2026-10-20 11:00 township routine  — claimed +60, QC-returned +70, resubmitted +190 (paused 120 min),
 *                                           claimed again +200, final +590                  → on time (due moved to +600)
 *   C 2026-11-03 10:00 village  urgent   — claimed +10 by reader.two, final +45              → late (due +30)
 *   D 2026-11-03 10:30 village  emergency — cancelled +5                                     → excluded
 *   E 2026-11-10 09:00 township routine  — claimed +30 by reader.two, still open
 * Imaging center: F 2026-11-03 14:00 township emergency — claimed +2, final +12 by center.reader → on time.
 */
let t: TestApp;
let ecg: CenterDto;
let imaging: CenterDto;
let countyOrg: string;
let townshipOrg: string;
let villageOrg: string;
let townshipPatient: string;
let villagePatient: string;
const ids: Record<string, string> = {};
let centerReaderName: string;
const MIN = 60_000;
const api = (user: string) => t.as(user);
const json = <T>(res: { statusCode: number; body: string; json(): unknown }, status: number): T => {
  expect(res.statusCode, res.body).toBe(status);
  return res.json() as T;
};
const at = (local: string) => new Date(`${local}:00+08:00`);
const stats = (user: string, query: string) => api(user)({ url: `/api/v1/diagnosis/statistics?${query}` });
const group = (s: TurnaroundStatisticsDto, dim: keyof TurnaroundStatisticsDto['groups'], key: string): TurnaroundGroupDto | undefined => s.groups[dim]!.find((g) => g.key === key);

async function request(user: string, center: CenterDto, patientId: string, urgency: string, when: string, modality = 'ECG-12'): Promise<{ id: string; start: Date }> {
  const start = at(when);
  t.clock.set(start);
  const dto = json<DiagnosisRequestDto>(await api(user)({ method: 'POST', url: '/api/v1/diagnosis/requests', payload: { centerId: center.id, patientId, modality, examType: '检查', urgency, clinicalQuestion: '统计测试' } }), 201);
  return { id: dto.id, start };
}
async function step(user: string, r: { id: string; start: Date }, minutes: number, path: string, payload: unknown = {}): Promise<void> {
  t.clock.set(new Date(r.start.getTime() + minutes * MIN));
  json(await api(user)({ method: 'POST', url: `/api/v1/diagnosis/requests/${r.id}/${path}`, payload }), 200);
}
const final = { action: 'final', findings: '所见', impression: '意见' };

beforeAll(async () => {
  t = await createTestApp({ residents: 150, env: { YILIAN_TOKEN_TTL_SECONDS: String(30 * 86_400) } });
  const db = t.database.db;
  const byName = async (username: string) => (await db.select().from(users).where(eq(users.username, username)))[0]!;
  for (const u of ['center.reader', 'township.doctor', 'village.doctor']) ids[u] = (await byName(u)).id;
  centerReaderName = (await byName('center.reader')).displayName;
  countyOrg = (await db.select().from(organizations).where(eq(organizations.name, '长汀县总医院')))[0]!.id;
  townshipOrg = (await byName('township.doctor')).organizationId!;
  villageOrg = (await byName('village.doctor')).organizationId!;
  villagePatient = (await db.select().from(patients).where(eq(patients.managingOrganizationId, villageOrg)).limit(1))[0]!.id;
  townshipPatient = villagePatient; // the township center supervises the village clinic (乡村一体化)
  ids['reader.two'] = newId();
  await db.insert(users).values({ id: ids['reader.two'], username: 'reader.two', displayName: '第二读片医师', passwordHash: await hashPassword(DEMO_PASSWORD), organizationId: countyOrg });
  await db.insert(userRoles).values({ userId: ids['reader.two'], role: 'center-reader' });
  // Sign in everyone at the start: the clock moves back to October below.
  await Promise.all(['center.reader', 'reader.two', 'township.doctor', 'village.doctor', 'alliance.admin', 'commission.officer', 'referral.desk'].map((u) => t.tokenFor(u)));

  ecg = json<CenterDto>(await api('alliance.admin')({ method: 'POST', url: '/api/v1/diagnosis/centers', payload: { organizationId: countyOrg, type: 'ecg', name: '统计心电中心' } }), 201);
  imaging = json<CenterDto>(await api('alliance.admin')({ method: 'POST', url: '/api/v1/diagnosis/centers', payload: { organizationId: countyOrg, type: 'imaging', name: '统计影像中心' } }), 201);
  for (const [center, user] of [[ecg, 'center.reader'], [ecg, 'reader.two'], [imaging, 'center.reader']] as const) {
    json(await api('alliance.admin')({ method: 'POST', url: `/api/v1/diagnosis/centers/${center.id}/readers`, payload: { userId: ids[user] } }), 201);
  }

  const a = await request('township.doctor', ecg, townshipPatient, 'emergency', '2026-10-20T10:00');
  await step('center.reader', a, 5, 'claim');
  await step('center.reader', a, 20, 'report', final);
  const b = await request('township.doctor', ecg, townshipPatient, 'routine', '2026-10-20T11:00');
  await step('center.reader', b, 60, 'claim');
  await step('center.reader', b, 70, 'qc', { decision: 'return', reason: '导联脱落，请重做' });
  await step('township.doctor', b, 190, 'resubmit');
  // The roster gives the resubmitted request back to its first reader.
  await step('center.reader', b, 200, 'claim');
  await step('center.reader', b, 590, 'report', final);
  const c = await request('village.doctor', ecg, villagePatient, 'urgent', '2026-11-03T10:00');
  await step('reader.two', c, 10, 'claim');
  await step('reader.two', c, 45, 'report', final);
  const d = await request('village.doctor', ecg, villagePatient, 'emergency', '2026-11-03T10:30');
  await step('village.doctor', d, 5, 'cancel', { reason: '患者已转上级医院' });
  const f = await request('township.doctor', imaging, townshipPatient, 'emergency', '2026-11-03T14:00', 'DR');
  await step('center.reader', f, 2, 'claim');
  await step('center.reader', f, 12, 'report', final);
  const e = await request('township.doctor', ecg, townshipPatient, 'routine', '2026-11-10T09:00');
  await step('reader.two', e, 30, 'claim');
  t.clock.set('2026-11-22T02:00:00Z');
}, 240_000);

afterAll(async () => {
  await t?.close();
});

describe(`turnaround statistics on ${databaseKind}`, () => {
  it('runs on the database the suite was asked for', () => {
    if (process.env.YILIAN_EXPECT_DATABASE) expect(t.database.kind).toBe(process.env.YILIAN_EXPECT_DATABASE);
  });

  it('a reader of the ECG center gets the hand-computed figures of that center', async () => {
    const s = json<TurnaroundStatisticsDto>(await stats('center.reader', `centerId=${ecg.id}&from=2026-10-01&to=2026-11-30`), 200);
    expect(s.centers.map((c) => c.name)).toEqual(['统计心电中心']);
    expect(s.bucketBounds).toEqual([30, 60, 120, 240, 480, 1440]);
    // A, B, C, E (D cancelled); A, B, C reported; A and B on time.
    expect(s.summary).toMatchObject({ requests: 4, completed: 3, withDeadline: 3, onTime: 2, onTimeShare: 66.67 });
    // Report minutes 20, 45, 590: p90 at rank 1.8 → 45 + 0.8 × 545 = 481; p95 → 45 + 0.9 × 545 = 535.5.
    expect(s.summary.report).toEqual({ count: 3, p50: 45, p90: 481, p95: 535.5, max: 590, buckets: [1, 1, 0, 0, 0, 1, 0] });
    // First claims 5, 60, 10, 30 (B's first claim counts, not the one after the retake): median (10 + 30) / 2.
    expect(s.summary.claim).toMatchObject({ count: 4, p50: 20, max: 60 });
    // Without the 120 paused minutes B took 470: 20, 45, 470.
    expect(s.summary.reportExcludingPauses).toMatchObject({ count: 3, p50: 45, max: 470 });
    expect(s.groups.month!.map((g) => [g.key, g.requests, g.completed, g.onTime, g.onTimeShare])).toEqual([['2026-10', 2, 2, 2, 100], ['2026-11', 2, 1, 0, 0]]);
    expect(group(s, 'requester', townshipOrg)).toMatchObject({ requests: 3, completed: 2, onTime: 2, onTimeShare: 100 });
    expect(group(s, 'requester', villageOrg)).toMatchObject({ requests: 1, completed: 1, onTime: 0, onTimeShare: 0 });
    expect(s.groups.urgency!.map((g) => [g.key, g.label, g.requests])).toEqual([['emergency', '急诊', 1], ['routine', '常规', 2], ['urgent', '加急', 1]]);
    expect(group(s, 'reader', ids['center.reader']!)).toMatchObject({ label: centerReaderName, requests: 2, onTime: 2, onTimeShare: 100 });
    expect(group(s, 'reader', ids['reader.two']!)).toMatchObject({ label: '第二读片医师', requests: 1, onTime: 0, onTimeShare: 0 });
    expect(s.groups.modality!.map((g) => [g.key, g.requests])).toEqual([['ECG-12', 4]]);
  });

  it('filters by urgency and period, and returns only the breakdowns asked for', async () => {
    const s = json<TurnaroundStatisticsDto>(await stats('center.reader', `centerId=${ecg.id}&from=2026-10-01&to=2026-11-30&urgency=routine&groupBy=month,reader`), 200);
    expect(s.summary).toMatchObject({ requests: 2, completed: 1, onTime: 1 });
    expect(Object.keys(s.groups).sort()).toEqual(['month', 'reader']);
    const oct = json<TurnaroundStatisticsDto>(await stats('center.reader', `centerId=${ecg.id}&from=2026-10-20&to=2026-10-20`), 200);
    expect(oct.summary.requests).toBe(2);
    const empty = json<TurnaroundStatisticsDto>(await stats('center.reader', `centerId=${ecg.id}&from=2026-01-01&to=2026-01-31`), 200);
    expect(empty.summary).toMatchObject({ requests: 0, onTimeShare: null, report: { count: 0, p50: null } });
  });

  it('alliance administrators and the commission see every center in their scope; others are refused', async () => {
    const all = json<TurnaroundStatisticsDto>(await stats('alliance.admin', 'from=2026-10-01&to=2026-12-31'), 200);
    expect(all.centers.map((c) => c.name).sort()).toEqual(['统计影像中心', '统计心电中心']);
    expect(all.summary).toMatchObject({ requests: 5, withDeadline: 4, onTime: 3, onTimeShare: 75 });
    expect(group(all, 'center', imaging.id)).toMatchObject({ label: '统计影像中心', requests: 1, onTime: 1 });
    json(await stats('commission.officer', `centerId=${imaging.id}&from=2026-10-01&to=2026-12-31`), 200);
    // reader.two reads for the ECG center only.
    expect((await stats('reader.two', `centerId=${imaging.id}&from=2026-10-01&to=2026-12-31`)).statusCode).toBe(403);
    expect(json<TurnaroundStatisticsDto>(await stats('reader.two', 'from=2026-10-01&to=2026-12-31'), 200).centers.map((c) => c.id)).toEqual([ecg.id]);
    for (const user of ['township.doctor', 'referral.desk']) {
      const res = await stats(user, `from=2026-10-01&to=2026-12-31`);
      expect(res.statusCode, user).toBe(403);
      expect((await stats(user, `centerId=${ecg.id}&from=2026-10-01&to=2026-12-31`)).statusCode, user).toBe(403);
    }
  });

  it('says what is wrong with the query (400) and which center is unknown (404)', async () => {
    const reversed = await stats('center.reader', 'from=2026-11-30&to=2026-10-01');
    expect(reversed.statusCode).toBe(400);
    expect(reversed.json().path).toBe('to');
    const tooLong = await stats('center.reader', 'from=2020-01-01&to=2026-10-01');
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().path).toBe('from');
    expect((await stats('center.reader', 'to=2026-10-01')).statusCode).toBe(400);
    const badGroup = await stats('center.reader', 'from=2026-10-01&to=2026-10-31&groupBy=month,colour');
    expect(badGroup.statusCode).toBe(400);
    expect(badGroup.body).toContain('colour');
    expect((await stats('center.reader', 'from=2026-10-01&to=2026-10-31&urgency=soon')).statusCode).toBe(400);
    expect((await stats('alliance.admin', 'centerId=nope&from=2026-10-01&to=2026-10-31')).statusCode).toBe(404);
  });

  it('the indicators 远程诊断量 and 远程诊断及时率 equal the statistics, by facility and by county', async () => {
    const value = async (code: string, level: string, subject: string, period: string, from: string, to: string) =>
      json<IndicatorEvaluation>(await api('commission.officer')({ url: `/api/v1/indicators/${code}/values?level=${level}&subject=${subject}&period=${period}&from=${from}&to=${to}` }), 200).values;
    const all = json<TurnaroundStatisticsDto>(await stats('commission.officer', 'from=2026-10-01&to=2026-12-31'), 200);
    for (const org of [townshipOrg, villageOrg]) {
      const g = group(all, 'requester', org)!;
      const [volume] = await value('remote-diagnosis-volume', 'facility', org, 'quarter', '2026-Q4', '2026-Q4');
      const [onTime] = await value('remote-diagnosis-on-time-rate', 'facility', org, 'quarter', '2026-Q4', '2026-Q4');
      expect(volume).toMatchObject({ value: g.requests, noData: false });
      expect(onTime).toMatchObject({ numerator: g.onTime, denominator: g.withDeadline, value: g.onTimeShare });
    }
    // By hand: township A, B, E, F → 4, on time 3 of 3; village C → 1, on time 0 of 1.
    expect(group(all, 'requester', townshipOrg)).toMatchObject({ requests: 4, withDeadline: 3, onTime: 3 });
    const months = await value('remote-diagnosis-volume', 'county', '350821', 'month', '2026-10', '2026-12');
    const rates = await value('remote-diagnosis-on-time-rate', 'county', '350821', 'month', '2026-10', '2026-12');
    expect(months.map((m) => [m.period, m.value])).toEqual([['2026-10', 2], ['2026-11', 3], ['2026-12', 0]]);
    expect(months.slice(0, 2).map((m) => m.value)).toEqual(all.groups.month!.map((g) => g.requests));
    expect(rates.map((m) => [m.period, m.numerator, m.denominator, m.value, m.noData])).toEqual([
      ['2026-10', 2, 2, 100, false], ['2026-11', 1, 2, 50, false], ['2026-12', null, null, null, true],
    ]);
    expect(all.groups.month!.map((g) => g.onTimeShare)).toEqual([100, 50]);
  });
});

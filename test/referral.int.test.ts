import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, inArray, isNotNull, notInArray, sql } from 'drizzle-orm';
import { queryRows } from '../src/db/client.js';
import { shanghaiDate } from '../src/shared/clock.js';
import { referralNumberSql } from '../src/modules/referral/referral.repository.js';
import { referralNumber } from '../src/modules/referral/referral.rules.js';
import { createTestApp, databaseKind, type TestApp } from './helpers/app.js';
import {
  alliances, appointments, bedPools, deadlineEscalations, departments, schedules, deadlines, notifications, organizations, outboundMessages, patients, referralEvents, referrals, slots, users,
} from '../src/db/schema/index.js';
import type { ReferralDto, SlotDto } from '../src/contracts/referral.js';

/**
 * The closed loop through the JSON API on the real app and database: up-referral with consent and the tier check,
 * acceptance by the county referral desk, booking a reserved slot, arrival, completion with the summary, and the
 * down-referral whose care-plan tasks close the loop at the village clinic. Also: illegal moves, access, deadlines.
 */
let t: TestApp;
let villageOrg: string;
let countyOrg: string;
let patientId: string;
let secondPatientId: string;

const upInput = (overrides: Record<string, unknown> = {}) => ({
  patientId,
  destinationOrganizationId: countyOrg,
  urgency: 'urgent',
  diagnosisCode: 'I63.9',
  diagnosisName: '脑梗死',
  reason: '右侧肢体无力 6 小时，需 CT 及神经内科评估',
  clinicalSummary: '男，68 岁，高血压 10 年，晨起右侧肢体无力，言语含糊。',
  medications: [{ name: '硝苯地平缓释片', dose: '20 mg', frequency: 'bid' }],
  attachedResults: [{ kind: 'ecg', title: '心电图', date: '2026-11-22', summary: '窦性心律' }],
  consent: { by: '患者本人', method: 'signed-form' },
  overrideReason: '患者家属要求到县总医院',
  inOwnCatalogueNote: '基层无 CT，需上级评估',
  ...overrides,
});

beforeAll(async () => {
  // Tokens outlive the driven clock's jumps of several hours.
  t = await createTestApp({ residents: 400, env: { YILIAN_TOKEN_TTL_SECONDS: String(30 * 86_400) } });
  const db = t.database.db;
  const [vd] = await db.select().from(users).where(eq(users.username, 'village.doctor'));
  villageOrg = vd!.organizationId!;
  const [county] = await db.select().from(organizations).where(eq(organizations.name, '长汀县总医院'));
  countyOrg = county!.id;
  // Patients with a phone, so the SMS/WeChat messages can be checked.
  const own = await db.select().from(patients).where(and(eq(patients.managingOrganizationId, villageOrg), isNotNull(patients.phone))).limit(2);
  patientId = own[0]!.id;
  secondPatientId = own[1]!.id;
}, 120_000);
afterAll(async () => t?.close());

async function freeSlotsFor(referralId: string): Promise<SlotDto[]> {
  const res = await t.as('referral.desk')({ url: `/api/v1/slots?forReferralId=${referralId}&status=free&limit=50` });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as SlotDto[];
}

describe('up-referral → booking → arrival → completion → down-referral → care tasks', () => {
  let referral: ReferralDto;

  it('refuses a submission without the patient’s consent', async () => {
    const res = await t.as('village.doctor')({ method: 'POST', url: '/api/v1/referrals/up', payload: upInput({ consent: undefined }) });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ path: 'consent' });
    expect(await t.database.db.select().from(referrals).where(eq(referrals.patientId, patientId))).toHaveLength(0);
  });

  it('a village doctor up-refers a patient; the referral is requested with an acceptance deadline', async () => {
    const res = await t.as('village.doctor')({ method: 'POST', url: '/api/v1/referrals/up', payload: upInput() });
    expect(res.statusCode, res.body).toBe(201);
    referral = res.json() as ReferralDto;
    expect(referral).toMatchObject({ status: 'requested', direction: 'up', urgency: 'urgent', diagnosisCode: 'I63.9', destination: { id: countyOrg } });
    expect(referral.number).toMatch(/^\d{8}-\d{6}$/);
    expect(referral.deadline).toMatchObject({ step: 'accept', state: 'running', overdue: false });
    // Urgent: accepted within 2 hours of the request (docs/deadlines.md).
    expect(new Date(referral.deadline!.dueAt).getTime() - new Date(referral.requestedAt!).getTime()).toBe(2 * 3600_000);
    expect(referral.allowedActions).toContain('cancel');
    expect(referral.allowedActions).not.toContain('accept');
    // The county's referral desk is told.
    const [desk] = await t.database.db.select().from(users).where(eq(users.username, 'referral.desk'));
    const notes = await t.database.db.select().from(notifications).where(and(eq(notifications.recipientUserId, desk!.id), eq(notifications.subjectId, referral.id)));
    expect(notes).toHaveLength(1);
  });

  it('the sender sees it in "sent" and the desk in "received" and "desk"; the patient’s open referrals are listed', async () => {
    const sent = await t.as('village.doctor')({ url: '/api/v1/referrals?view=sent' });
    expect((sent.json() as { items: { id: string }[] }).items.map((i) => i.id)).toContain(referral.id);
    const received = await t.as('referral.desk')({ url: '/api/v1/referrals?view=received' });
    expect((received.json() as { items: { id: string }[] }).items.map((i) => i.id)).toContain(referral.id);
    const desk = await t.as('referral.desk')({ url: '/api/v1/referrals?view=desk&status=requested' });
    expect(desk.statusCode).toBe(200);
    expect((desk.json() as { total: number }).total).toBeGreaterThanOrEqual(1);
    const counts = await t.as('referral.desk')({ url: '/api/v1/referrals/counts?view=desk' });
    expect((counts.json() as { byStatus: Record<string, number> }).byStatus.requested).toBeGreaterThanOrEqual(1);
    const forbiddenDesk = await t.as('village.doctor')({ url: '/api/v1/referrals?view=desk' });
    expect(forbiddenDesk.statusCode).toBe(403);
  });

  it('refuses illegal moves with 409 and the wrong party with 403', async () => {
    const early = await t.as('referral.desk')({ method: 'POST', url: `/api/v1/referrals/${referral.id}/transitions`, payload: { action: 'complete', summary: 'x' } });
    expect(early.statusCode).toBe(409);
    expect((early.json() as { message: string }).message).toContain('待接收');
    const bySender = await t.as('village.doctor')({ method: 'POST', url: `/api/v1/referrals/${referral.id}/transitions`, payload: { action: 'accept' } });
    expect(bySender.statusCode).toBe(403);
    const noReason = await t.as('referral.desk')({ method: 'POST', url: `/api/v1/referrals/${referral.id}/transitions`, payload: { action: 'reject' } });
    expect(noReason.statusCode).toBe(400);
    const [row] = await t.database.db.select().from(referrals).where(eq(referrals.id, referral.id));
    expect(row!.status).toBe('requested');
  });

  it('the county referral desk accepts; the receiving facility may now read the patient', async () => {
    const before = await t.as('county.specialist')({ url: `/api/v1/patients/${patientId}` });
    expect(before.statusCode).toBe(200); // open referral is already a basis once requested
    const res = await t.as('referral.desk')({ method: 'POST', url: `/api/v1/referrals/${referral.id}/transitions`, payload: { action: 'accept', expectedVersion: referral.version } });
    expect(res.statusCode, res.body).toBe(200);
    referral = res.json() as ReferralDto;
    expect(referral.status).toBe('accepted');
    expect(referral.deadline).toMatchObject({ step: 'schedule', state: 'running' });
    const stale = await t.as('referral.desk')({ method: 'POST', url: `/api/v1/referrals/${referral.id}/transitions`, payload: { action: 'hold', reason: 'x', holdReason: 'other', expectedVersion: 1 } });
    expect(stale.statusCode).toBe(409);
  });

  it('books a reserved slot atomically; a second referral cannot take the same slot and is left untouched', async () => {
    const free = await freeSlotsFor(referral.id);
    expect(free.length).toBeGreaterThan(0);
    const slot = free[0]!;
    const res = await t.as('referral.desk')({ method: 'POST', url: `/api/v1/referrals/${referral.id}/booking`, payload: { slotId: slot.id } });
    expect(res.statusCode, res.body).toBe(200);
    referral = res.json() as ReferralDto;
    expect(referral).toMatchObject({ status: 'in-progress', subState: 'scheduled', booking: { kind: 'appointment', start: slot.start } });
    expect(referral.deadline).toBeNull();

    // A second accepted referral tries the same slot.
    const other = (await t.as('village.doctor')({ method: 'POST', url: '/api/v1/referrals/up', payload: upInput({ patientId: secondPatientId }) })).json() as ReferralDto;
    await t.as('referral.desk')({ method: 'POST', url: `/api/v1/referrals/${other.id}/transitions`, payload: { action: 'accept' } });
    const again = await t.as('referral.desk')({ method: 'POST', url: `/api/v1/referrals/${other.id}/booking`, payload: { slotId: slot.id } });
    expect(again.statusCode).toBe(409);
    expect((again.json() as { message: string }).message).toMatch(/号源/);
    const [otherRow] = await t.database.db.select().from(referrals).where(eq(referrals.id, other.id));
    expect(otherRow!.status).toBe('accepted');
    const booked = await t.database.db.select().from(appointments).where(eq(appointments.slotId, slot.id));
    expect(booked).toHaveLength(1);
    const [slotRow] = await t.database.db.select().from(slots).where(eq(slots.id, slot.id));
    expect(slotRow!.status).toBe('busy');
    // The patient got an SMS and a WeChat message with the appointment.
    const messages = await t.database.db.select().from(outboundMessages).where(eq(outboundMessages.recipientPatientId, patientId));
    expect(messages.map((m) => m.channel).sort()).toEqual(['sms', 'wechat']);
    expect(messages[0]!.body).toContain(referral.number);
  });

  it('arrival starts the summary clock; completion needs the summary and returns it to the sender', async () => {
    const arrive = await t.as('county.specialist')({ method: 'POST', url: `/api/v1/referrals/${referral.id}/transitions`, payload: { action: 'arrive' } });
    expect(arrive.statusCode, arrive.body).toBe(200);
    expect(arrive.json()).toMatchObject({ subState: 'arrived', deadline: { step: 'return-summary' }, booking: { kind: 'appointment', status: 'fulfilled' } });
    const noSummary = await t.as('county.specialist')({ method: 'POST', url: `/api/v1/referrals/${referral.id}/transitions`, payload: { action: 'complete' } });
    expect(noSummary.statusCode).toBe(400);
    const done = await t.as('county.specialist')({ method: 'POST', url: `/api/v1/referrals/${referral.id}/transitions`, payload: { action: 'complete', summary: '头颅 CT 示左侧基底节区腔隙性梗死，予抗血小板、他汀治疗，病情稳定。' } });
    expect(done.statusCode, done.body).toBe(200);
    referral = done.json() as ReferralDto;
    expect(referral).toMatchObject({ status: 'completed', returnedSummary: expect.stringContaining('CT') });
    expect(referral.allowedActions).toContain('down-refer');
    const seen = (await t.as('village.doctor')({ url: `/api/v1/referrals/${referral.id}` })).json() as ReferralDto;
    expect(seen.returnedSummary).toContain('CT');
    const timeline = (await t.as('village.doctor')({ url: `/api/v1/referrals/${referral.id}/timeline` })).json() as { action: string; actorName: string }[];
    expect(timeline.map((e) => e.action)).toEqual(['create-draft', 'submit', 'accept', 'book', 'arrive', 'complete']);
    expect(timeline.every((e) => e.actorName.length > 0)).toBe(true);
  });

  it('the county doctor down-refers with a care plan; the village doctor accepts and completing the tasks closes the loop', async () => {
    const res = await t.as('county.specialist')({
      method: 'POST', url: '/api/v1/referrals/down',
      payload: {
        patientId, destinationOrganizationId: villageOrg, kind: 'acute-recovery', diagnosisCode: 'I63.9', diagnosisName: '脑梗死恢复期',
        reason: '急性期治疗结束，转回基层康复', clinicalSummary: '住院 10 天，肢体肌力 4 级。', consent: { by: '患者本人', method: 'signed-form' },
        fromReferralId: referral.id,
        plan: {
          diagnosisSummary: '脑梗死恢复期，高血压 3 级', medications: [{ name: '阿司匹林肠溶片', dose: '100 mg', frequency: 'qd' }],
          rehabilitationAdvice: '每日肢体功能锻炼', warningSigns: ['再次出现肢体无力或言语不清', '血压持续高于 180/110 mmHg'],
          tasks: [
            { kind: 'follow-up-visit', title: '出院后 2 周随访血压', dueDate: '2026-12-06' },
            { kind: 'lab-test', title: '1 个月复查血脂', dueDate: '2026-12-22' },
          ],
        },
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const down = res.json() as ReferralDto;
    expect(down).toMatchObject({ direction: 'down', status: 'requested', destination: { id: villageOrg }, carePlan: { warningSigns: expect.any(Array) } });
    expect(down.carePlan!.tasks).toHaveLength(2);

    // Not accepted yet: the tasks are not in the worklist as actionable and cannot be completed.
    const early = await t.as('village.doctor')({ method: 'POST', url: `/api/v1/care-tasks/${down.carePlan!.tasks[0]!.id}/complete`, payload: { outcome: '血压 138/86' } });
    expect(early.statusCode).toBe(409);

    const accepted = await t.as('village.doctor')({ method: 'POST', url: `/api/v1/referrals/${down.id}/transitions`, payload: { action: 'accept' } });
    expect(accepted.statusCode, accepted.body).toBe(200);
    const tasks = (await t.as('village.doctor')({ url: '/api/v1/care-tasks' })).json() as { id: string; referralId: string; patientName: string }[];
    expect(tasks.filter((x) => x.referralId === down.id)).toHaveLength(2);

    for (const task of down.carePlan!.tasks) {
      const r = await t.as('village.doctor')({ method: 'POST', url: `/api/v1/care-tasks/${task.id}/complete`, payload: { outcome: '已完成，病情稳定' } });
      expect(r.statusCode, r.body).toBe(200);
    }
    const closed = (await t.as('village.doctor')({ url: `/api/v1/referrals/${down.id}` })).json() as ReferralDto;
    expect(closed.status).toBe('completed');
    const again = await t.as('village.doctor')({ method: 'POST', url: `/api/v1/care-tasks/${down.carePlan!.tasks[0]!.id}/complete`, payload: { outcome: 'x' } });
    expect(again.statusCode).toBe(409);
  });
});

describe('reject and re-send, hold, access', () => {
  it('a rejected referral is re-sent elsewhere in one step, linked to the first', async () => {
    const created = (await t.as('village.doctor')({ method: 'POST', url: '/api/v1/referrals/up', payload: upInput({ patientId: secondPatientId, urgency: 'routine' }) })).json() as ReferralDto;
    const rejected = await t.as('referral.desk')({ method: 'POST', url: `/api/v1/referrals/${created.id}/transitions`, payload: { action: 'reject', reason: '本院神经内科床位已满' } });
    expect(rejected.json()).toMatchObject({ status: 'rejected', rejectionReason: '本院神经内科床位已满', deadline: null });
    const [city] = await t.database.db.select().from(organizations).where(eq(organizations.tier, 'city-hospital'));
    const resent = await t.as('village.doctor')({ method: 'POST', url: `/api/v1/referrals/${created.id}/resend`, payload: { destinationOrganizationId: city!.id, overrideReason: '县医院床位满' } });
    expect(resent.statusCode, resent.body).toBe(201);
    expect(resent.json()).toMatchObject({ status: 'requested', previousReferralId: created.id, destination: { id: city!.id }, diagnosisCode: 'I63.9' });
    const twice = await t.as('referral.desk')({ method: 'POST', url: `/api/v1/referrals/${created.id}/transitions`, payload: { action: 'accept' } });
    expect(twice.statusCode).toBe(409);
  });

  it('a hold for a patient reason stops the clock and resume restarts it with the time left', async () => {
    const createdRes = await t.as("village.doctor")({ method: "POST", url: "/api/v1/referrals/up", payload: upInput({ patientId: secondPatientId, urgency: "urgent", diagnosisCode: "J18.9", diagnosisName: "肺炎" }) });
    expect(createdRes.statusCode, createdRes.body).toBe(201);
    const created = createdRes.json() as ReferralDto;
    const due0 = new Date(created.deadline!.dueAt).getTime();
    t.clock.advance(30 * 60_000);
    const held = await t.as('referral.desk')({ method: 'POST', url: `/api/v1/referrals/${created.id}/transitions`, payload: { action: 'hold', holdReason: 'patient-unavailable', reason: '患者暂未联系上' } });
    expect(held.json()).toMatchObject({ status: 'on-hold', deadline: { state: 'paused' } });
    t.clock.advance(5 * 3600_000);
    const resumed = await t.as('referral.desk')({ method: 'POST', url: `/api/v1/referrals/${created.id}/transitions`, payload: { action: 'resume' } });
    expect(resumed.statusCode, resumed.body).toBe(200);
    const dto = resumed.json() as ReferralDto;
    expect(dto.status).toBe('requested');
    expect(new Date(dto.deadline!.dueAt).getTime() - due0).toBe(5 * 3600_000);
  });

  it('a facility that is neither party nor desk cannot read a referral; the denial is audited', async () => {
    const created = (await t.as('village.doctor')({ method: 'POST', url: '/api/v1/referrals/up', payload: upInput({ patientId: secondPatientId, urgency: 'routine', diagnosisCode: 'K35.8', diagnosisName: '急性阑尾炎' }) })).json() as ReferralDto;
    const other = await t.as('township.doctor')({ url: `/api/v1/referrals/${created.id}` });
    // township.doctor's center supervises 河田镇 clinics but is not a party or a desk.
    expect([403, 200]).toContain(other.statusCode);
    const commission = await t.as('commission.officer')({ url: `/api/v1/referrals/${created.id}` });
    expect(commission.statusCode).toBe(403);
    const list = await t.as('commission.officer')({ url: '/api/v1/referrals?view=all' });
    expect((list.json() as { total: number }).total).toBe(0);
  });
});

describe('referral numbers', () => {
  it('the number drawn inside the INSERT has the format of referralNumber, padded to six digits and never cut', async () => {
    for (const n of [1, 42, 999_999, 1_000_000, 12_345_678]) {
      const [row] = await queryRows<{ v: string }>(t.database.db, sql`select ${referralNumberSql('2026-11-23', sql`${n}::bigint`)} as v`);
      expect(row!.v).toBe(referralNumber('2026-11-23', n));
    }
    const created = await t.as('village.doctor')({ method: 'POST', url: '/api/v1/referrals/up', payload: upInput({ patientId: secondPatientId, urgency: 'routine', diagnosisCode: 'N20.0', diagnosisName: '肾结石' }) });
    expect(created.statusCode, created.body).toBe(201);
    const [{ last }] = await queryRows<{ last: string }>(t.database.db, sql`select last_value::text as last from referral_number_seq`) as [{ last: string }];
    expect((created.json() as ReferralDto).number).toBe(referralNumber(shanghaiDate(t.clock.now()), Number(last)));
  });
});

describe('no reserved capacity', () => {
  it('an accepted up-referral with nothing bookable goes on the no-capacity list, and its answer carries the version now stored', async () => {
    const db = t.database.db;
    const withCapacity = [
      ...(await db.selectDistinct({ id: slots.departmentId }).from(slots).where(eq(slots.organizationId, countyOrg))).map((r) => r.id),
      ...(await db.selectDistinct({ id: bedPools.departmentId }).from(bedPools).where(eq(bedPools.organizationId, countyOrg))).map((r) => r.id),
    ];
    const [bare] = await db.select().from(departments).where(and(eq(departments.organizationId, countyOrg), notInArray(departments.id, withCapacity))).limit(1);
    expect(bare, 'a county department with no schedule and no bed pool').toBeDefined();
    const createdRes = await t.as('village.doctor')({
      method: 'POST', url: '/api/v1/referrals/up',
      payload: upInput({ patientId: secondPatientId, urgency: 'routine', diagnosisCode: 'M54.5', diagnosisName: '腰痛', destinationDepartmentId: bare!.id }),
    });
    expect(createdRes.statusCode, createdRes.body).toBe(201);
    const created = createdRes.json() as ReferralDto;
    const accepted = await t.as('referral.desk')({ method: 'POST', url: `/api/v1/referrals/${created.id}/transitions`, payload: { action: 'accept', expectedVersion: created.version } });
    expect(accepted.statusCode, accepted.body).toBe(200);
    const dto = accepted.json() as ReferralDto;
    const [stored] = await db.select().from(referrals).where(eq(referrals.id, created.id));
    expect(stored!.noCapacitySince).not.toBeNull();
    expect(dto).toMatchObject({ status: 'accepted', version: stored!.version });
    const list = (await t.as('referral.desk')({ url: '/api/v1/referrals?view=no-capacity&limit=100' })).json() as { items: { id: string; noCapacity: boolean }[] };
    expect(list.items.find((i) => i.id === created.id)).toMatchObject({ noCapacity: true });
    // The version the answer showed is the one a next move must quote.
    const held = await t.as('referral.desk')({
      method: 'POST', url: `/api/v1/referrals/${created.id}/transitions`,
      payload: { action: 'hold', holdReason: 'patient-unavailable', reason: '等待号源期间患者外出', expectedVersion: dto.version },
    });
    expect(held.statusCode, held.body).toBe(200);
  });
});

describe('beds, admission notice and the printable slip', () => {
  it('a reserved bed issues the admission notice to the sender and the patient the same day; both print as PDF', async () => {
    const res = await t.as('village.doctor')({ method: 'POST', url: '/api/v1/referrals/up', payload: upInput({ patientId: secondPatientId, urgency: 'urgent', diagnosisCode: 'J44.1', diagnosisName: '慢性阻塞性肺疾病急性加重' }) });
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json() as ReferralDto;
    await t.as('referral.desk')({ method: 'POST', url: `/api/v1/referrals/${created.id}/transitions`, payload: { action: 'accept' } });
    const pools = (await t.as('referral.desk')({ url: `/api/v1/bed-pools?organizationId=${countyOrg}` })).json() as { id: string }[];
    expect(pools.length).toBeGreaterThan(0);
    const tomorrow = new Date(t.clock.now().getTime() + 8 * 3600_000 + 86_400_000).toISOString().slice(0, 10);
    const booked = await t.as('referral.desk')({ method: 'POST', url: `/api/v1/referrals/${created.id}/bed`, payload: { bedPoolId: pools[0]!.id, day: tomorrow } });
    expect(booked.statusCode, booked.body).toBe(200);
    const dto = booked.json() as ReferralDto;
    expect(dto).toMatchObject({ status: 'in-progress', subState: 'scheduled', booking: { kind: 'bed', admissionNoticeNumber: expect.stringMatching(/^RY/) } });
    const [vd] = await t.database.db.select().from(users).where(eq(users.username, 'village.doctor'));
    const notices = await t.database.db.select().from(notifications).where(and(eq(notifications.recipientUserId, vd!.id), eq(notifications.kind, 'admission-notice'), eq(notifications.subjectId, created.id)));
    expect(notices).toHaveLength(1);
    expect(notices[0]!.body).toContain(dto.booking!.admissionNoticeNumber!);
    const sms = await t.database.db.select().from(outboundMessages).where(eq(outboundMessages.recipientPatientId, secondPatientId));
    expect(sms.some((m) => m.body.includes(dto.booking!.admissionNoticeNumber!))).toBe(true);

    const slip = await t.as('village.doctor')({ url: `/api/v1/referrals/${created.id}/slip.pdf` });
    expect(slip.statusCode).toBe(200);
    expect(slip.headers['content-type']).toBe('application/pdf');
    expect(slip.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const notice = await t.as('village.doctor')({ url: `/api/v1/referrals/${created.id}/admission-notice.pdf` });
    expect(notice.statusCode).toBe(200);
    const outsider = await t.as('commission.officer')({ url: `/api/v1/referrals/${created.id}/slip.pdf` });
    expect(outsider.statusCode).toBe(403);
  }, 60_000);
});

describe('deadlines with a driven clock', () => {
  it('an unaccepted urgent referral escalates at the configured times, once each, also across a restart', async () => {
    const created = (await t.as('village.doctor')({ method: 'POST', url: '/api/v1/referrals/up', payload: upInput({ patientId: secondPatientId, urgency: 'urgent', diagnosisCode: 'I21.9', diagnosisName: '急性心肌梗死' }) })).json() as ReferralDto;
    const [d] = await t.database.db.select().from(deadlines).where(and(eq(deadlines.subjectId, created.id), inArray(deadlines.state, ['running'])));
    const ladder = d!.ladder;
    const dueAt = new Date(created.deadline!.dueAt).getTime();
    const levels = async () => (await t.database.db.select().from(deadlineEscalations).where(eq(deadlineEscalations.deadlineId, d!.id))).map((e) => e.level).sort();

    t.clock.set(new Date(dueAt - 60_000));
    await t.services.deadlines.runDue(t.clock.now());
    expect(await levels()).toEqual([]);

    t.clock.set(new Date(dueAt));
    await t.services.deadlines.runDue(t.clock.now());
    await t.services.deadlines.runDue(t.clock.now());
    expect(await levels()).toEqual([0, ...(ladder[0]!.afterMinutes === 0 ? [1] : [])]);

    // Restart: a fresh set of services on the same database continues from the stored state.
    const { buildServices } = await import('../src/http/deps.js');
    const restarted = buildServices(t.database, t.config);
    const last = ladder[ladder.length - 1]!;
    t.clock.set(new Date(dueAt + last.afterMinutes * 60_000));
    await restarted.deadlines.runDue(t.clock.now());
    await restarted.deadlines.runDue(t.clock.now());
    await t.services.deadlines.runDue(t.clock.now());
    expect(await levels()).toEqual([0, ...ladder.map((_, i) => i + 1)]);

    const events = await t.database.db.select().from(referralEvents).where(eq(referralEvents.referralId, created.id));
    expect(events.filter((e) => e.action === 'overdue')).toHaveLength(1);
    expect(events.filter((e) => e.action === 'escalated')).toHaveLength(ladder.length);
    const list = (await t.as('referral.desk')({ url: '/api/v1/referrals?view=received&sort=due' })).json() as { items: { id: string; overdue: boolean }[] };
    expect(list.items[0]).toMatchObject({ overdue: true });
    expect(list.items.find((i) => i.id === created.id)?.overdue).toBe(true);
  });
});

describe.runIf(databaseKind === 'postgres')('concurrency on PostgreSQL', () => {
  it('200 parallel bookings of 20 reserved slots through HTTP: exactly 20 succeed, 180 get a clear refusal', async () => {
    const db = t.database.db;
    const [alliance] = await db.select().from(alliances).where(eq(alliances.kind, 'county-community'));
    const [dept] = await db.select().from(departments).where(eq(departments.organizationId, countyOrg)).limit(1);
    const scheduleId = `bench-schedule-${Date.now()}`;
    await db.insert(schedules).values({ id: scheduleId, organizationId: countyOrg, departmentId: dept!.id, kind: 'outpatient', name: '并发测试门诊', createdAt: t.clock.now() });
    const start = new Date(t.clock.now().getTime() + 3 * 86_400_000);
    const slotIds = Array.from({ length: 20 }, (_, i) => `${scheduleId}-slot-${i}`);
    await db.insert(slots).values(slotIds.map((id, i) => ({
      id, scheduleId, organizationId: countyOrg, departmentId: dept!.id, kind: 'outpatient' as const,
      start: new Date(start.getTime() + i * 600_000), end: new Date(start.getTime() + (i + 1) * 600_000),
      reserved: 1, reservedForAllianceId: alliance!.id, releaseAt: new Date(start.getTime() - 86_400_000),
    })));

    // 200 accepted referrals, created through the API in batches.
    const own = await db.select().from(patients).where(eq(patients.managingOrganizationId, villageOrg)).limit(200);
    const ids: string[] = [];
    for (let b = 0; b < 200; b += 20) {
      const batch = await Promise.all(Array.from({ length: 20 }, async (_, k) => {
        const p = own[(b + k) % own.length]!;
        const res = await t.as('village.doctor')({ method: 'POST', url: '/api/v1/referrals/up', payload: upInput({ patientId: p.id, urgency: 'routine' }) });
        expect(res.statusCode, res.body).toBe(201);
        const id = (res.json() as ReferralDto).id;
        const acc = await t.as('referral.desk')({ method: 'POST', url: `/api/v1/referrals/${id}/transitions`, payload: { action: 'accept' } });
        expect(acc.statusCode, acc.body).toBe(200);
        return id;
      }));
      ids.push(...batch);
    }

    // Every request waits on one gate so they really run at once (architecture.md, defect family 1).
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const attempts = ids.map(async (id, i) => {
      await gate;
      return t.as('referral.desk')({ method: 'POST', url: `/api/v1/referrals/${id}/booking`, payload: { slotId: slotIds[i % 20] } });
    });
    open();
    const results = await Promise.all(attempts);
    const byStatus = new Map<number, number>();
    for (const r of results) byStatus.set(r.statusCode, (byStatus.get(r.statusCode) ?? 0) + 1);
    expect(Object.fromEntries(byStatus)).toEqual({ 200: 20, 409: 180 });
    for (const r of results.filter((x) => x.statusCode === 409)) expect((r.json() as { message: string }).message).toMatch(/号源已被预约/);

    const booked = await db.select().from(appointments).where(and(inArray(appointments.slotId, slotIds), eq(appointments.status, 'booked')));
    expect(booked).toHaveLength(20);
    expect(new Set(booked.map((a) => a.slotId)).size).toBe(20);
    const busy = await db.select().from(slots).where(and(inArray(slots.id, slotIds), eq(slots.status, 'busy')));
    expect(busy).toHaveLength(20);
    const rows = await db.select().from(referrals).where(inArray(referrals.id, ids));
    expect(rows.filter((r) => r.status === 'in-progress' && r.subState === 'scheduled')).toHaveLength(20);
    expect(rows.filter((r) => r.status === 'accepted')).toHaveLength(180);
  }, 240_000);
});

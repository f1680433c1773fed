import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { and, asc, eq, inArray, like, sql } from 'drizzle-orm';
import type { Db } from '../src/db/client.js';
import { deadlineEscalations, deadlinePolicies, deadlines, notifications, organizations, outboundMessages, patients, users, workingCalendars } from '../src/db/schema/index.js';
import { DeadlineService, defaultPolicyId, ensureDefaultDeadlinePolicies, summarizeDeadline, type DeadlineRecord, type DeadlineSubjectHandler } from '../src/modules/deadline/index.js';
import type { EscalationRung } from '../src/contracts/codes.js';
import type { RequestContext } from '../src/shared/context.js';
import { AppError } from '../src/shared/errors.js';
import { createTestApp, databaseKind, type TestApp } from './helpers/app.js';

let t: TestApp;
let db: Db;
const MIN = 60_000;
const SUBJECT = 'test-subject';
let people: { specialist: string; desk: string; admin: string; village: string; countyOrg: string };

/** What every handler instance saw fire: (deadline, level, rung, at), in order. */
const fired: { deadlineId: string; level: number; rung: string; at: string; escalationLevel: number; overdue: boolean }[] = [];
/** Subjects whose handler fails, to show a failure rolls back that deadline only. */
const failing = new Set<string>();

function handler(): DeadlineSubjectHandler {
  return {
    subjectType: SUBJECT,
    async recipientsFor(_db: Db, _d: DeadlineRecord, rung: EscalationRung) {
      // The department-head rung finds nobody: recorded, notifies no one.
      return rung === 'assigned' ? [people.specialist] : rung === 'referral-desk' ? [people.desk] : rung === 'alliance-office' ? [people.admin] : [];
    },
    async describe(_db: Db, d: DeadlineRecord) {
      return { title: `测试事项 ${d.subjectId}`, body: `步骤 ${d.step}`, link: `/test/${d.subjectId}` };
    },
    async onFired(tx: Db, d: DeadlineRecord, level: number, rung: EscalationRung | 'overdue', at: Date) {
      // Runs inside the worker's transaction: it sees its own escalation row.
      const [row] = await tx.select().from(deadlineEscalations).where(and(eq(deadlineEscalations.deadlineId, d.id), eq(deadlineEscalations.level, level)));
      expect(row?.rung).toBe(rung);
      if (failing.has(d.subjectId)) throw new Error(`handler failed for ${d.subjectId}`);
      fired.push({ deadlineId: d.id, level, rung, at: at.toISOString(), escalationLevel: d.escalationLevel, overdue: d.overdueAt !== null });
    },
  };
}

/** A fresh service on the same database, as after a restart of the server. */
function newService(): DeadlineService {
  const s = new DeadlineService(db, t.services.notifications, t.services.network);
  s.registerSubject(handler());
  return s;
}

const tx = <T>(fn: (tx: Db) => Promise<T>): Promise<T> => db.transaction((x) => fn(x as unknown as Db));

const adminCtx = (): RequestContext => ({ actor: { userId: '', username: 'admin', organizationId: null, roles: ['system-admin'] }, clock: t.clock, channel: 'api' });

async function start(subjectId: string, at: Date, step = 'accept', urgency: 'urgent' | 'routine' | 'emergency' = 'urgent'): Promise<DeadlineRecord> {
  return tx((x) => t.services.deadlines.start(x, { subjectType: SUBJECT, subjectId, step, urgency, organizationId: people.countyOrg, at }));
}

const row = async (id: string) => (await db.select().from(deadlines).where(eq(deadlines.id, id)))[0]!;
const escalations = (id: string) => db.select().from(deadlineEscalations).where(eq(deadlineEscalations.deadlineId, id)).orderBy(asc(deadlineEscalations.level));
const notificationsOf = (id: string) => db.select().from(notifications).where(like(notifications.dedupeKey, `deadline:${id}:%`)).orderBy(asc(notifications.dedupeKey));
const at = (base: Date, minutes: number, ms = 0) => new Date(base.getTime() + minutes * MIN + ms);

beforeAll(async () => {
  t = await createTestApp({ residents: 100 });
  db = t.database.db;
  const byName = async (username: string) => (await db.select().from(users).where(eq(users.username, username)))[0]!;
  const specialist = await byName('county.specialist');
  people = {
    specialist: specialist.id,
    desk: (await byName('referral.desk')).id,
    admin: (await byName('alliance.admin')).id,
    village: (await byName('village.doctor')).id,
    countyOrg: (await byName('alliance.admin')).organizationId!,
  };
  t.services.deadlines.registerSubject(handler());
  // Policies of the test subject, through the service as an administrator would set them.
  const ladder = [
    { rung: 'assigned' as const, afterMinutes: 0 },
    { rung: 'department-head' as const, afterMinutes: 30 },
    { rung: 'referral-desk' as const, afterMinutes: 60 },
    { rung: 'alliance-office' as const, afterMinutes: 120 },
  ];
  await t.services.deadlines.upsertPolicy(adminCtx(), { subjectType: SUBJECT, step: 'accept', urgency: 'urgent', organizationId: null, minutes: 120, calendarId: null, ladder });
  await t.services.deadlines.upsertPolicy(adminCtx(), { subjectType: SUBJECT, step: 'accept', urgency: 'emergency', organizationId: null, minutes: 30, calendarId: null, ladder });
});

afterEach(async () => {
  // Each test starts with no live deadline, so one test's worker ticks never fire another's.
  await db.update(deadlines).set({ state: 'cancelled', nextCheckAt: null }).where(sql`${deadlines.state} in ('running', 'paused')`);
  failing.clear();
  fired.length = 0;
});

afterAll(async () => {
  await t?.close();
});

describe(`deadline engine on ${databaseKind}`, () => {
  it('runs on the database the suite was asked for', () => {
    if (process.env.YILIAN_EXPECT_DATABASE) expect(t.database.kind).toBe(process.env.YILIAN_EXPECT_DATABASE);
  });

  it('seeds the default policies and calendar once (docs/deadlines.md)', async () => {
    expect(await ensureDefaultDeadlinePolicies(db)).toEqual({ calendars: 0, policies: 0 });
    const get = async (subjectType: string, step: string, urgency: 'routine' | 'urgent' | 'emergency') =>
      (await db.select().from(deadlinePolicies).where(eq(deadlinePolicies.id, defaultPolicyId({ subjectType, step, urgency }))))[0];
    expect((await get('referral', 'accept', 'emergency'))?.minutes).toBe(30);
    expect((await get('referral', 'accept', 'urgent'))?.minutes).toBe(120);
    expect((await get('referral', 'accept', 'routine'))?.minutes).toBe(24 * 60);
    expect((await get('referral', 'schedule', 'routine'))?.minutes).toBe(48 * 60);
    expect((await get('referral', 'return-summary', 'urgent'))?.minutes).toBe(72 * 60);
    expect((await get('referral', 'accept-down', 'urgent'))?.minutes).toBe(4 * 60);
    expect((await get('diagnosis', 'ecg-report', 'emergency'))?.minutes).toBe(30);
    expect((await get('referral', 'accept', 'urgent'))?.calendarId).toBeNull();
    expect(await db.select().from(workingCalendars)).toHaveLength(1);
  });

  it('escalates an unaccepted urgent deadline at the configured times, not before, and each level once', async () => {
    const t0 = new Date('2026-11-23T01:00:00Z');
    const d = await start('s-ladder', t0);
    expect(d.dueAt.toISOString()).toBe(at(t0, 120).toISOString());
    expect(d.nextCheckAt?.toISOString()).toBe(d.dueAt.toISOString());
    const svc = t.services.deadlines;

    // One millisecond before the due time nothing happens.
    expect(await svc.runDue(at(t0, 120, -1))).toEqual({ deadlines: 0, fired: 0, failed: [] });
    expect(await escalations(d.id)).toHaveLength(0);

    // At the due time: marked overdue and the assigned doctor notified.
    expect(await svc.runDue(at(t0, 120))).toMatchObject({ deadlines: 1, fired: 2 });
    let r = await row(d.id);
    expect(r.overdueAt?.toISOString()).toBe(at(t0, 120).toISOString());
    expect(r.escalationLevel).toBe(1);
    expect(r.nextCheckAt?.toISOString()).toBe(at(t0, 150).toISOString());
    // Called again at the same instant and just before the next rung: nothing more.
    expect(await svc.runDue(at(t0, 120))).toMatchObject({ fired: 0 });
    expect(await svc.runDue(at(t0, 150, -1))).toMatchObject({ fired: 0 });

    expect(await svc.runDue(at(t0, 150))).toMatchObject({ fired: 1 });
    expect(await svc.runDue(at(t0, 180))).toMatchObject({ fired: 1 });
    expect(await svc.runDue(at(t0, 200))).toMatchObject({ fired: 0 });
    expect(await svc.runDue(at(t0, 240))).toMatchObject({ fired: 1 });
    r = await row(d.id);
    expect(r.escalationLevel).toBe(4);
    expect(r.nextCheckAt).toBeNull();
    expect(r.state).toBe('running');
    expect(await svc.runDue(at(t0, 10_000))).toMatchObject({ fired: 0 });

    const rows = await escalations(d.id);
    expect(rows.map((e) => [e.level, e.rung, e.firedAt.toISOString()])).toEqual([
      [0, 'overdue', at(t0, 120).toISOString()],
      [1, 'assigned', at(t0, 120).toISOString()],
      [2, 'department-head', at(t0, 150).toISOString()],
      [3, 'referral-desk', at(t0, 180).toISOString()],
      [4, 'alliance-office', at(t0, 240).toISOString()],
    ]);
    expect(rows.map((e) => e.recipientUserIds)).toEqual([[], [people.specialist], [], [people.desk], [people.admin]]);
    const sent = await notificationsOf(d.id);
    expect(sent.map((n) => [n.dedupeKey, n.recipientUserId, n.kind])).toEqual([
      [`deadline:${d.id}:1:${people.specialist}`, people.specialist, 'deadline-overdue'],
      [`deadline:${d.id}:3:${people.desk}`, people.desk, 'deadline-escalation'],
      [`deadline:${d.id}:4:${people.admin}`, people.admin, 'deadline-escalation'],
    ]);
    expect(sent[0]!.title).toBe('【已超时】测试事项 s-ladder');
    expect(sent[1]!.title).toContain('转诊服务中心');
    expect(sent[0]!.link).toBe('/test/s-ladder');
    expect(fired.map((f) => [f.level, f.rung])).toEqual([[0, 'overdue'], [1, 'assigned'], [2, 'department-head'], [3, 'referral-desk'], [4, 'alliance-office']]);
    // onFired sees the deadline as it stands after the level.
    expect(fired.map((f) => [f.overdue, f.escalationLevel])).toEqual([[true, 0], [true, 1], [true, 2], [true, 3], [true, 4]]);
  });

  it('continues after a restart from the stored state and never fires a level twice', async () => {
    const t0 = new Date('2026-12-01T02:00:00Z');
    const d = await start('s-restart', t0);
    const before = newService();
    expect(await before.runDue(at(t0, 130))).toMatchObject({ fired: 2 });

    // "Restart": a new service instance, nothing in memory, same database.
    const after = newService();
    expect(await after.runDue(at(t0, 130))).toMatchObject({ fired: 0 });
    expect(await after.runDue(at(t0, 150))).toMatchObject({ fired: 1 });
    // The old instance (say, a server that was slow to stop) does not repeat it.
    expect(await before.runDue(at(t0, 150))).toMatchObject({ fired: 0 });
    expect((await escalations(d.id)).map((e) => e.level)).toEqual([0, 1, 2]);
    expect((await row(d.id)).nextCheckAt?.toISOString()).toBe(at(t0, 180).toISOString());
  });

  it('catches up after downtime: every missed rung fires once, in order', async () => {
    const t0 = new Date('2026-12-02T02:00:00Z');
    const d = await start('s-catchup', t0);
    // Down from before the due time until 65 min after it: overdue, assigned, department head and referral desk are due.
    const late = at(t0, 185);
    expect(await newService().runDue(late)).toMatchObject({ deadlines: 1, fired: 4 });
    expect(fired.map((f) => f.level)).toEqual([0, 1, 2, 3]);
    const rows = await escalations(d.id);
    expect(rows.map((e) => [e.level, e.firedAt.toISOString()])).toEqual([0, 1, 2, 3].map((l) => [l, late.toISOString()]));
    expect((await row(d.id)).nextCheckAt?.toISOString()).toBe(at(t0, 240).toISOString());
    expect((await notificationsOf(d.id)).map((n) => n.recipientUserId)).toEqual([people.specialist, people.desk]);
    expect(await newService().runDue(late)).toMatchObject({ fired: 0 });
    expect(await newService().runDue(at(t0, 240))).toMatchObject({ fired: 1 });
    expect((await escalations(d.id)).map((e) => e.level)).toEqual([0, 1, 2, 3, 4]);
  });

  it('pause and resume shift the due time by the time on hold', async () => {
    const t0 = new Date('2026-12-03T02:00:00Z');
    const d = await start('s-hold', t0);
    const paused = await tx((x) => t.services.deadlines.pause(x, SUBJECT, 's-hold', at(t0, 30)));
    expect(paused).toHaveLength(1);
    let r = await row(d.id);
    expect(r).toMatchObject({ state: 'paused', remainingMs: 90 * MIN, nextCheckAt: null });
    expect(summarizeDeadline(r, at(t0, 200))).toMatchObject({ state: 'paused', overdue: false });
    // While paused the original due time passes without an escalation.
    expect(await t.services.deadlines.runDue(at(t0, 125))).toMatchObject({ fired: 0 });

    await tx((x) => t.services.deadlines.resume(x, SUBJECT, 's-hold', at(t0, 90)));
    r = await row(d.id);
    expect(r).toMatchObject({ state: 'running', remainingMs: null, pausedAt: null, pausedTotalMs: 60 * MIN });
    expect(r.dueAt.toISOString()).toBe(at(t0, 180).toISOString());
    expect(r.nextCheckAt?.toISOString()).toBe(at(t0, 180).toISOString());
    expect(await t.services.deadlines.runDue(at(t0, 180, -1))).toMatchObject({ fired: 0 });
    expect(await t.services.deadlines.runDue(at(t0, 180))).toMatchObject({ fired: 2 });

    // Paused again while overdue and resumed an hour later: still overdue by the same time, escalation resumes at level 2.
    await tx((x) => t.services.deadlines.pause(x, SUBJECT, 's-hold', at(t0, 200)));
    expect((await row(d.id)).remainingMs).toBe(-20 * MIN);
    await tx((x) => t.services.deadlines.resume(x, SUBJECT, 's-hold', at(t0, 260)));
    r = await row(d.id);
    expect(r.dueAt.toISOString()).toBe(at(t0, 240).toISOString());
    expect(r.pausedTotalMs).toBe(120 * MIN);
    expect(r.nextCheckAt?.toISOString()).toBe(at(t0, 270).toISOString());
    expect(summarizeDeadline(r, at(t0, 260))).toEqual({ step: 'accept', dueAt: at(t0, 240).toISOString(), state: 'running', overdue: true, escalationLevel: 1 });
  });

  it('counts only working hours on a working calendar (HTTP configuration)', async () => {
    const desk = t.as('admin');
    const office: [number, number][] = [[480, 720], [870, 1050]];
    const created = await desk({
      method: 'POST', url: '/api/v1/working-calendars',
      payload: { name: '测试工作日历', weekly: [office, office, office, office, office, [], []], holidays: ['2026-12-07'] },
    });
    expect(created.statusCode).toBe(201);
    const calendarId = created.json().id as string;
    const put = await desk({
      method: 'PUT', url: '/api/v1/deadline-policies',
      payload: { subjectType: SUBJECT, step: 'review', urgency: 'routine', minutes: 60, calendarId, ladder: [{ rung: 'assigned', afterMinutes: 0 }, { rung: 'department-head', afterMinutes: 240 }] },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ subjectType: SUBJECT, step: 'review', minutes: 60, calendarId, organizationId: null, updatedBy: 'admin' });

    // Friday 2026-12-04 17:00 CST + 1 working hour: 30 min on Friday, Monday 12-07 is a holiday → Tuesday 08:30.
    const d = await start('s-calendar', new Date('2026-12-04T17:00:00+08:00'), 'review', 'routine');
    expect(d.calendarId).toBe(calendarId);
    expect(d.dueAt.toISOString()).toBe(new Date('2026-12-08T08:30:00+08:00').toISOString());
    expect(await t.services.deadlines.runDue(new Date('2026-12-07T12:00:00+08:00'))).toMatchObject({ fired: 0 });
    expect(await t.services.deadlines.runDue(new Date('2026-12-08T08:30:00+08:00'))).toMatchObject({ fired: 2 });
    // The department head's rung is 4 working hours later: 08:30–12:00 and 14:30–15:00.
    expect((await row(d.id)).nextCheckAt?.toISOString()).toBe(new Date('2026-12-08T15:00:00+08:00').toISOString());
    const list = await desk({ url: `/api/v1/deadline-policies?subjectType=${SUBJECT}` });
    expect(list.statusCode).toBe(200);
    expect((list.json() as { step: string }[]).map((p) => p.step).sort()).toEqual(['accept', 'accept', 'review']);
  });

  it('replaces a live deadline of the same step, meets and cancels, and lists live ones for worklists', async () => {
    const t0 = new Date('2026-12-10T02:00:00Z');
    const first = await start('s-life', t0);
    const second = await start('s-life', at(t0, 10), 'accept', 'emergency');
    expect((await row(first.id)).state).toBe('cancelled');
    expect(second.dueAt.toISOString()).toBe(at(t0, 40).toISOString());
    await start('s-other', t0);

    const live = await t.services.deadlines.liveFor(db, SUBJECT, ['s-life', 's-other', 's-none']);
    expect([...live.keys()].sort()).toEqual(['s-life', 's-other']);
    expect(live.get('s-life')?.id).toBe(second.id);

    const met = await tx((x) => t.services.deadlines.meet(x, SUBJECT, 's-life', 'accept', at(t0, 20)));
    expect(met?.state).toBe('met');
    expect((await row(second.id)).metAt?.toISOString()).toBe(at(t0, 20).toISOString());
    expect(await tx((x) => t.services.deadlines.meet(x, SUBJECT, 's-life', 'accept', at(t0, 21)))).toBeNull();
    expect(await tx((x) => t.services.deadlines.cancelAll(x, SUBJECT, 's-other', at(t0, 30)))).toBe(1);
    expect(await t.services.deadlines.runDue(at(t0, 10_000))).toMatchObject({ fired: 0 });
    expect((await t.services.deadlines.liveFor(db, SUBJECT, ['s-life', 's-other'])).size).toBe(0);
  });

  it('refuses to start a deadline without a policy, naming the key', async () => {
    const err = await start('s-nopolicy', new Date('2026-12-11T02:00:00Z'), 'no-such-step').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('conflict');
    expect((err as AppError).message).toContain(`${SUBJECT} / no-such-step / urgent`);
    expect(await db.select().from(deadlines).where(eq(deadlines.subjectId, 's-nopolicy'))).toHaveLength(0);
  });

  it('rolls back a deadline whose handler fails, reports it and retries it next tick; others still fire', async () => {
    const t0 = new Date('2026-12-12T02:00:00Z');
    const bad = await start('s-bad', t0);
    const good = await start('s-good', t0);
    failing.add('s-bad');
    const r = await t.services.deadlines.runDue(at(t0, 120));
    expect(r.deadlines).toBe(1);
    expect(r.failed).toEqual([{ deadlineId: bad.id, error: 'handler failed for s-bad' }]);
    expect(await escalations(bad.id)).toHaveLength(0);
    expect(await notificationsOf(bad.id)).toHaveLength(0);
    expect((await escalations(good.id)).map((e) => e.level)).toEqual([0, 1]);
    failing.delete('s-bad');
    expect(await t.services.deadlines.runDue(at(t0, 121))).toMatchObject({ deadlines: 1, fired: 2, failed: [] });
    expect((await escalations(bad.id)).map((e) => e.level)).toEqual([0, 1]);
  });

  it('lets administrators change policies and calendars within their scope only', async () => {
    const body = { subjectType: 'referral', step: 'accept', urgency: 'urgent', minutes: 90, ladder: [{ rung: 'assigned', afterMinutes: 0 }] };
    // Alliance admin: not the platform default, but an override for its own organization.
    expect((await t.as('alliance.admin')({ method: 'PUT', url: '/api/v1/deadline-policies', payload: body })).statusCode).toBe(403);
    const own = await t.as('alliance.admin')({ method: 'PUT', url: '/api/v1/deadline-policies', payload: { ...body, organizationId: people.countyOrg } });
    expect(own.statusCode).toBe(200);
    const again = await t.as('alliance.admin')({ method: 'PUT', url: '/api/v1/deadline-policies', payload: { ...body, minutes: 100, organizationId: people.countyOrg } });
    expect(again.json()).toMatchObject({ id: own.json().id, minutes: 100 });
    const overrides = await db.select().from(deadlinePolicies).where(and(eq(deadlinePolicies.subjectType, 'referral'), eq(deadlinePolicies.step, 'accept'), eq(deadlinePolicies.urgency, 'urgent')));
    expect(overrides.map((p) => [p.organizationId, p.minutes]).sort()).toEqual([[null, 120], [people.countyOrg, 100]].sort());
    // An organization outside the alliances it leads.
    const [outside] = await db.select({ id: organizations.id }).from(organizations).where(sql`${organizations.id} <> all(${sql.param(await t.services.network.membersOfAlliancesLedBy(people.countyOrg, '2026-11-22'))}::text[])`).limit(1);
    expect((await t.as('alliance.admin')({ method: 'PUT', url: '/api/v1/deadline-policies', payload: { ...body, organizationId: outside!.id } })).statusCode).toBe(403);
    expect((await t.as('county.specialist')({ method: 'PUT', url: '/api/v1/deadline-policies', payload: { ...body, organizationId: people.countyOrg } })).statusCode).toBe(403);
    // Validation: a ladder out of order; a non-positive duration.
    const badLadder = await t.as('admin')({ method: 'PUT', url: '/api/v1/deadline-policies', payload: { ...body, ladder: [{ rung: 'assigned', afterMinutes: 30 }, { rung: 'department-head', afterMinutes: 0 }] } });
    expect(badLadder.statusCode).toBe(400);
    expect(badLadder.json().path).toBe('ladder');
    expect((await t.as('admin')({ method: 'PUT', url: '/api/v1/deadline-policies', payload: { ...body, minutes: 0 } })).statusCode).toBe(400);
    // The override applies to the organization's new deadlines; removing it restores the default.
    const d = await tx((x) => t.services.deadlines.start(x, { subjectType: 'referral', subjectId: 'r-override', step: 'accept', urgency: 'urgent', organizationId: people.countyOrg, at: new Date('2026-12-13T00:00:00Z') }));
    expect(d.dueAt.toISOString()).toBe('2026-12-13T01:40:00.000Z');
    expect((await t.as('alliance.admin')({ method: 'DELETE', url: `/api/v1/deadline-policies/${own.json().id}` })).statusCode).toBe(204);
    expect(await db.select().from(deadlinePolicies).where(eq(deadlinePolicies.id, own.json().id))).toHaveLength(0);
    expect((await row(d.id)).policyId).toBeNull();
    // Calendars: overlapping hours refused; alliance admins cannot edit platform calendars.
    const overlapping = await t.as('admin')({ method: 'POST', url: '/api/v1/working-calendars', payload: { name: 'x', weekly: [[[480, 720], [700, 800]], [], [], [], [], [], []] } });
    expect(overlapping.statusCode).toBe(400);
    const [platformCalendar] = await db.select().from(workingCalendars).limit(1);
    const edit = await t.as('alliance.admin')({ method: 'PUT', url: `/api/v1/working-calendars/${platformCalendar!.id}`, payload: { name: 'x', weekly: platformCalendar!.weekly } });
    expect(edit.statusCode).toBe(403);
    expect((await t.as('village.doctor')({ url: '/api/v1/working-calendars' })).statusCode).toBe(200);
  });
});

describe.runIf(databaseKind === 'postgres')('deadline worker concurrency on PostgreSQL', () => {
  it('two workers started together fire each level exactly once', async () => {
    const t0 = new Date('2027-01-04T02:00:00Z');
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) ids.push((await start(`s-race-${i}`, t0)).id);
    const workers = [newService(), newService(), newService()];
    let open!: () => void;
    const barrier = new Promise<void>((resolve) => (open = resolve));
    // Past the whole ladder: every deadline has 5 levels due (overdue + 4 rungs).
    const runs = workers.map(async (w) => {
      await barrier;
      return w.runDue(at(t0, 300));
    });
    open();
    const results = await Promise.all(runs);
    expect(results.flatMap((r) => r.failed)).toEqual([]);
    expect(results.reduce((n, r) => n + r.fired, 0)).toBe(30 * 5);
    expect(results.reduce((n, r) => n + r.deadlines, 0)).toBe(30);
    const rows = await db
      .select({ deadlineId: deadlineEscalations.deadlineId, n: sql<number>`count(*)::int` })
      .from(deadlineEscalations)
      .where(inArray(deadlineEscalations.deadlineId, ids))
      .groupBy(deadlineEscalations.deadlineId);
    expect(rows).toHaveLength(30);
    expect(rows.every((r) => r.n === 5)).toBe(true);
    const sent = await db.select({ n: sql<number>`count(*)::int` }).from(notifications).where(inArray(notifications.subjectId, ids.map((_, i) => `s-race-${i}`)));
    expect(sent[0]!.n).toBe(30 * 3);
    expect(fired).toHaveLength(30 * 5);
    const final = await db.select().from(deadlines).where(inArray(deadlines.id, ids));
    expect(final.every((d) => d.escalationLevel === 4 && d.nextCheckAt === null)).toBe(true);
  });
});

describe(`notifications on ${databaseKind}`, () => {
  it('notifies each user once per key, lists only the caller’s own, and marks read', async () => {
    const now = new Date('2026-11-22T03:00:00Z');
    const send = () =>
      tx((x) => t.services.notifications.notifyUsers(x, { userIds: [people.desk, people.desk, people.village, 'no-such-user'], kind: 'test', title: '通知', body: '内容', subjectType: 'test', subjectId: 'n1', link: '/x', dedupeKey: 'test:n1', at: now }));
    expect(await send()).toHaveLength(2);
    expect(await send()).toHaveLength(0);
    const rows = await db.select().from(notifications).where(like(notifications.dedupeKey, 'test:n1:%'));
    expect(rows.map((r) => r.recipientUserId).sort()).toEqual([people.desk, people.village].sort());

    const desk = t.as('referral.desk');
    const list = await desk({ url: '/api/v1/notifications?unreadOnly=true&pageSize=200' });
    expect(list.statusCode).toBe(200);
    const items = list.json().items as { id: string; kind: string; readAt: string | null }[];
    expect(items.filter((n) => n.kind === 'test')).toHaveLength(1);
    const own = rows.find((r) => r.recipientUserId === people.desk)!;
    const others = rows.find((r) => r.recipientUserId === people.village)!;
    expect(items.some((n) => n.id === others.id)).toBe(false);
    const unread = (await desk({ url: '/api/v1/notifications/unread-count' })).json().unread as number;
    expect(unread).toBeGreaterThanOrEqual(1);

    // Another user's id is ignored; the caller's own is marked read.
    expect((await desk({ method: 'POST', url: '/api/v1/notifications/read', payload: { ids: [others.id] } })).json()).toEqual({ updated: 0 });
    expect((await db.select().from(notifications).where(eq(notifications.id, others.id)))[0]!.readAt).toBeNull();
    expect((await desk({ method: 'POST', url: '/api/v1/notifications/read', payload: { ids: [own.id] } })).json()).toEqual({ updated: 1 });
    expect((await db.select().from(notifications).where(eq(notifications.id, own.id)))[0]!.readAt?.toISOString()).toBe(t.clock.now().toISOString());
    expect((await desk({ url: '/api/v1/notifications/unread-count' })).json().unread).toBe(unread - 1);
    // All at once, with no body.
    const all = await desk({ method: 'POST', url: '/api/v1/notifications/read' });
    expect(all.json()).toEqual({ updated: unread - 1 });
    expect((await desk({ url: '/api/v1/notifications/unread-count' })).json().unread).toBe(0);
    expect((await t.as('village.doctor')({ url: '/api/v1/notifications/unread-count' })).json().unread).toBeGreaterThanOrEqual(1);
  });

  it('records messages to patients once per channel and shows them to the referral desk', async () => {
    const [patient] = await db.select().from(patients).where(eq(patients.managingOrganizationId, people.countyOrg)).limit(1);
    const target = patient ?? (await db.select().from(patients).limit(1))[0]!;
    const send = () =>
      tx((x) => t.services.notifications.messagePatient(x, { patientId: target.id, phone: '13812345678', channels: ['sms', 'wechat'], body: '您的转诊已被接收', dedupeKey: 'test:m1', at: new Date('2026-11-22T03:00:00Z') }));
    expect(await send()).toEqual([{ channel: 'sms', created: true, status: 'recorded' }, { channel: 'wechat', created: true, status: 'recorded' }]);
    expect((await send()).map((o) => o.created)).toEqual([false, false]);
    const rows = await db.select().from(outboundMessages).where(like(outboundMessages.dedupeKey, 'test:m1:%'));
    expect(rows.map((r) => [r.channel, r.adapter, r.status, r.address]).sort()).toEqual([['sms', 'recording', 'recorded', '13812345678'], ['wechat', 'recording', 'recorded', '13812345678']]);

    const deskView = await t.as('referral.desk')({ url: '/api/v1/outbound-messages?channel=sms' });
    expect(deskView.statusCode).toBe(200);
    expect(deskView.json().items.find((m: { id: string }) => m.id === rows.find((r) => r.channel === 'sms')!.id)).toMatchObject({ address: '13812345678', status: 'recorded' });
    const adminView = await t.as('admin')({ url: '/api/v1/outbound-messages' });
    expect(adminView.statusCode).toBe(200);
    expect((adminView.json().items as { address: string }[]).every((m) => m.address === '138****5678')).toBe(true);
    expect((await t.as('village.doctor')({ url: '/api/v1/outbound-messages' })).statusCode).toBe(403);
  });
});

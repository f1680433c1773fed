import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { createTestApp, type TestApp } from './helpers/app.js';
import { carePlanTasks, deadlines, referralEvents, referrals, users } from '../src/db/schema/index.js';
import {
  allocateOverDays, demoReferralVolumes, historyDayWeights, seedDemoReferrals, type DemoReferralSummary,
} from '../src/db/seed/demo-referrals.js';
import { decideTransition, type TransitionAction } from '../src/modules/referral/index.js';
import { addDays } from '../src/modules/referral/index.js';
import type { ReferralStatus, ReferralSubState } from '../src/contracts/codes.js';
import type { ReferralDto } from '../src/contracts/referral.js';

/**
 * The demo's referral history and open referrals (src/db/seed/demo-referrals.ts, docs/demo-data.md): volumes scale
 * with the residents as documented, every row and its timeline follow the lifecycle table, open referrals exist in
 * every state, and the demo accounts' worklists are not empty.
 */
const NOW = '2026-11-22T02:00:00Z';
const RESIDENTS = 2000;
let t: TestApp;
let summary: DemoReferralSummary;

beforeAll(async () => {
  t = await createTestApp({ residents: RESIDENTS, now: NOW, env: { YILIAN_TOKEN_TTL_SECONDS: String(30 * 86_400) } });
  summary = await seedDemoReferrals(t.database.db, t.services, { seed: 7, now: new Date(NOW), residents: RESIDENTS });
}, 240_000);
afterAll(async () => t?.close());

describe('volumes', () => {
  it('are linear in the residents and match the documented calibration', () => {
    const full = demoReferralVolumes(390_000);
    expect(full.up).toBe(6240); // 1.6 per 100 residents a year
    expect(full.outOfCounty / full.up).toBeCloseTo(0.04, 2);
    expect(full.down / full.up).toBeCloseTo(0.15, 2);
    const small = demoReferralVolumes(RESIDENTS);
    expect(small.up).toBe(32);
    expect(Math.abs(full.up / small.up - 390_000 / RESIDENTS)).toBeLessThan(3);
    expect(demoReferralVolumes(400).up).toBe(6);
  });

  it('grow through the year, down-referrals faster than up-referrals', () => {
    const days = Array.from({ length: 365 }, (_, i) => addDays('2026-11-22', i - 365));
    const full = demoReferralVolumes(390_000);
    const up = allocateOverDays(full.up, historyDayWeights(days, 'up'), 0.5);
    const down = allocateOverDays(full.down, historyDayWeights(days, 'down'), 0.5);
    expect(up).toHaveLength(full.up);
    expect(down).toHaveLength(full.down);
    const quarter = (xs: number[], q: number) => xs.filter((d) => d >= q * 91 && d < (q + 1) * 91).length;
    // Q4 of the window over Q4 a year earlier is not available; compare the last quarter with the first.
    expect(quarter(down, 3) / quarter(down, 0)).toBeGreaterThan(1.1);
    expect(quarter(down, 3) / quarter(down, 0)).toBeGreaterThan(quarter(up, 3) / quarter(up, 0));
  });

  it('the seeded history has exactly those volumes', async () => {
    const v = demoReferralVolumes(RESIDENTS);
    expect(summary.skipped).toBe(false);
    expect(summary.history).toMatchObject({ up: v.up, outOfCounty: v.outOfCounty, rejected: v.rejected, resent: v.resent, cancelled: v.cancelled, down: v.down, total: v.total });
    const [all] = await t.database.db.select({ n: sql<number>`count(*)::int` }).from(referrals);
    expect(all!.n).toBe(v.total + summary.open.referrals);
    expect(summary.open.referrals).toBeGreaterThanOrEqual(40);
    expect(summary.open.referrals).toBeLessThanOrEqual(80);
  });

  it('is idempotent', async () => {
    const again = await seedDemoReferrals(t.database.db, t.services, { seed: 7, now: new Date(NOW), residents: RESIDENTS });
    expect(again.skipped).toBe(true);
  });
});

describe('every referral follows the lifecycle', () => {
  it('timestamps are ordered and completed ones end with complete', async () => {
    const db = t.database.db;
    const rows = await db.select().from(referrals);
    const events = await db.select().from(referralEvents).orderBy(asc(referralEvents.at), asc(referralEvents.seq));
    const byReferral = new Map<string, typeof events>();
    for (const e of events) byReferral.set(e.referralId, [...(byReferral.get(e.referralId) ?? []), e]);
    const allParties = ['sender', 'receiver', 'desk'] as const;
    const numbers = new Set<string>();
    for (const r of rows) {
      expect(r.number).toMatch(/^\d{8}-\d{6}$/);
      numbers.add(r.number);
      const ts = (d: Date | null) => (d ? d.getTime() : null);
      expect(r.createdAt.getTime()).toBeLessThanOrEqual(new Date(NOW).getTime());
      if (r.requestedAt) expect(r.requestedAt.getTime()).toBeGreaterThanOrEqual(r.createdAt.getTime());
      if (r.acceptedAt) expect(r.acceptedAt.getTime()).toBeGreaterThanOrEqual(r.requestedAt!.getTime());
      if (r.status === 'completed') {
        expect(r.completedAt).not.toBeNull();
        expect(ts(r.completedAt)!).toBeGreaterThanOrEqual(ts(r.acceptedAt)!);
        expect(r.completedAt!.getTime()).toBeLessThanOrEqual(new Date(NOW).getTime());
        if (r.direction === 'up') expect(r.returnedSummary).toBeTruthy();
        if (r.admittedAt) expect(ts(r.dischargedAt)!).toBeGreaterThan(ts(r.admittedAt)!);
      }
      if (r.status === 'rejected') expect(r.rejectionReason).toBeTruthy();
      if (r.status === 'cancelled') expect(r.cancelReason).toBeTruthy();
      if (r.status !== 'draft') expect(r.consentAt).not.toBeNull();

      const timeline = byReferral.get(r.id) ?? [];
      expect(timeline[0]?.action, r.number).toBe('create-draft');
      let state: { status: ReferralStatus; subState: ReferralSubState | null; held: ReferralStatus | null; heldSub: ReferralSubState | null } = { status: 'draft', subState: null, held: null, heldSub: null };
      for (const e of timeline.slice(1)) {
        if (!e.toStatus) continue; // overdue, escalated, task-done, note
        expect(e.fromStatus, `${r.number} ${e.action}`).toBe(state.status);
        const decision = decideTransition(
          { status: state.status, subState: state.subState, direction: r.direction, heldFromStatus: state.held, heldFromSubState: state.heldSub },
          e.action as TransitionAction, allParties, { reason: 'x', holdReason: 'other', summary: 'x', destination: 'x' },
        );
        expect(decision.ok, `${r.number}: ${e.action} from ${state.status}`).toBe(true);
        if (decision.ok) {
          expect(e.toStatus).toBe(decision.to);
          expect(e.toSubState ?? null).toBe(decision.toSubState);
        }
        state = {
          status: e.toStatus, subState: e.toSubState ?? null,
          held: e.action === 'hold' ? state.status : e.action === 'resume' ? null : state.held,
          heldSub: e.action === 'hold' ? state.subState : e.action === 'resume' ? null : state.heldSub,
        };
      }
      expect(state.status, r.number).toBe(r.status);
      expect(state.subState, r.number).toBe(r.subState);
      if (r.status === 'completed') expect(timeline.filter((e) => e.toStatus).at(-1)?.action).toBe('complete');
    }
    expect(numbers.size).toBe(rows.length);
    // Numbers rise with creation time, across the bulk-loaded history and the referrals made through the service.
    const byNumber = [...rows].sort((a, b) => Number(a.number.slice(9)) - Number(b.number.slice(9)));
    for (let i = 1; i < byNumber.length; i++) expect(byNumber[i]!.createdAt.getTime()).toBeGreaterThanOrEqual(byNumber[i - 1]!.createdAt.getTime());
  });

  it('history down-referrals have care plans whose tasks are all done, and met deadlines', async () => {
    const db = t.database.db;
    const downs = await db.select({ id: referrals.id }).from(referrals).where(and(eq(referrals.direction, 'down'), eq(referrals.status, 'completed')));
    expect(downs.length).toBeGreaterThanOrEqual(demoReferralVolumes(RESIDENTS).down);
    const tasks = await db.select().from(carePlanTasks).where(inArray(carePlanTasks.referralId, downs.map((d) => d.id)));
    expect(tasks.length).toBeGreaterThanOrEqual(downs.length);
    expect(tasks.every((x) => x.status === 'done' && x.completedAt)).toBe(true);
    const met = await db.select({ n: sql<number>`count(*)::int` }).from(deadlines).where(eq(deadlines.state, 'met'));
    expect(met[0]!.n).toBeGreaterThan(summary.history.total);
  });

  it('out-of-county referrals go to the city or the regional center', async () => {
    const rows = await t.database.db.execute(sql`
      select count(*)::int as n from referrals r join organizations o on o.id = r.destination_organization_id
      where r.direction = 'up' and o.tier in ('city-hospital', 'regional-medical-center')`);
    expect(Number((rows as unknown as { rows: { n: number }[] }).rows[0]!.n)).toBeGreaterThanOrEqual(demoReferralVolumes(RESIDENTS).outOfCounty);
  });
});

describe('open referrals and worklists', () => {
  it('exist in every state, with sub-states, holds, overdue and no-capacity cases', async () => {
    const rows = await t.database.db.select().from(referrals);
    const statuses = new Set(rows.map((r) => r.status));
    for (const s of ['draft', 'requested', 'accepted', 'rejected', 'in-progress', 'on-hold', 'completed', 'cancelled'] as const) expect(statuses, s).toContain(s);
    const subStates = new Set(rows.filter((r) => r.status === 'in-progress').map((r) => r.subState));
    for (const s of ['scheduled', 'arrived', 'admitted', 'discharged'] as const) expect(subStates, s).toContain(s);
    expect(rows.some((r) => r.direction === 'down' && r.status === 'requested')).toBe(true);
    expect(rows.some((r) => r.direction === 'down' && r.status === 'accepted')).toBe(true);
    expect(rows.some((r) => r.direction === 'down' && r.status === 'in-progress')).toBe(true);
    expect(rows.some((r) => r.noCapacitySince !== null)).toBe(true);
    expect(summary.open.overdue).toBeGreaterThan(0);
  });

  it('village.doctor sees sent referrals and open care tasks; township.doctor sees care tasks', async () => {
    const sent = await t.as('village.doctor')({ url: '/api/v1/referrals?view=sent&pageSize=50' });
    expect(sent.statusCode, sent.body).toBe(200);
    expect((sent.json() as { total: number }).total).toBeGreaterThan(5);
    for (const who of ['village.doctor', 'township.doctor']) {
      const tasks = await t.as(who)({ url: '/api/v1/care-tasks' });
      expect(tasks.statusCode, tasks.body).toBe(200);
      const list = tasks.json() as { status: string }[];
      expect(list.filter((x) => x.status === 'open').length, who).toBeGreaterThan(0);
    }
    const received = await t.as('township.doctor')({ url: '/api/v1/referrals?view=received' });
    expect((received.json() as { total: number }).total).toBeGreaterThan(0);
  });

  it('the referral desk’s incoming worklist starts with an overdue referral; the no-capacity list is not empty', async () => {
    const res = await t.as('referral.desk')({ url: '/api/v1/referrals?view=received' });
    expect(res.statusCode, res.body).toBe(200);
    const page = res.json() as { items: { overdue: boolean; escalationLevel: number }[]; total: number };
    expect(page.total).toBeGreaterThan(10);
    expect(page.items[0]!.overdue).toBe(true);
    expect(page.items[0]!.escalationLevel).toBeGreaterThan(0);
    const none = await t.as('referral.desk')({ url: '/api/v1/referrals?view=no-capacity' });
    expect((none.json() as { total: number }).total).toBeGreaterThan(0);
    const desk = await t.as('referral.desk')({ url: '/api/v1/referrals/counts?view=desk' });
    expect((desk.json() as { overdue: number }).overdue).toBeGreaterThan(0);
  });

  it('the number sequence still hands out a fresh, unique number', async () => {
    const db = t.database.db;
    const [vd] = await db.select().from(users).where(eq(users.username, 'village.doctor'));
    const patients = await db.execute(sql`select id from patients where managing_organization_id = ${vd!.organizationId} order by id limit 1`);
    const patientId = (patients as unknown as { rows: { id: string }[] }).rows[0]!.id;
    const [county] = await db.execute(sql`select id from organizations where name = '长汀县总医院'`).then((r) => (r as unknown as { rows: { id: string }[] }).rows);
    const res = await t.as('village.doctor')({
      method: 'POST', url: '/api/v1/referrals/up',
      payload: {
        patientId, destinationOrganizationId: county!.id, urgency: 'routine', diagnosisCode: 'I10', diagnosisName: '原发性高血压', reason: '血压控制不佳',
        clinicalSummary: '血压 170/100 mmHg', consent: { by: '患者本人', method: 'signed-form' }, overrideReason: '患者要求', inOwnCatalogueNote: '控制不佳',
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json() as ReferralDto;
    const seqOf = (n: string) => Number(n.slice(9));
    const [max] = await db.select({ n: sql<string>`max(substr(number, 10))` }).from(referrals).where(sql`${referrals.id} <> ${created.id}`);
    expect(seqOf(created.number)).toBe(Number(max!.n) + 1);
    const same = await db.select().from(referrals).where(eq(referrals.number, created.number));
    expect(same).toHaveLength(1);
  });
});

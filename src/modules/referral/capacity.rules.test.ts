import { describe, expect, it } from 'vitest';
import {
  admissionNoticeNumber, bedDayReleaseAt, choosePolicy, daysBetween, generateSlotTimes, isReservedNow, isWeekend, mayBook, mayUseHold,
  patternProblem, planSlots, releaseAtOf, reservedCount, reservedPositions, shanghaiDayStart, type BookableSlot, type Hold,
} from './capacity.rules.js';

const pattern = { sessions: [[480, 720], [840, 1020]] as [number, number][], slotMinutes: 30, includeWeekends: false };

describe('slot generation (Asia/Shanghai)', () => {
  it('cuts sessions into slots at local minute-of-day', () => {
    // 2026-11-23 is a Monday.
    const s = generateSlotTimes('2026-11-23', '2026-11-23', pattern);
    expect(s).toHaveLength(8 + 6);
    expect(s[0]!.start.toISOString()).toBe('2026-11-23T00:00:00.000Z'); // 08:00 +08:00
    expect(s[0]!.end.toISOString()).toBe('2026-11-23T00:30:00.000Z');
    expect(s[8]!.start.toISOString()).toBe('2026-11-23T06:00:00.000Z'); // 14:00 +08:00
    expect(s.at(-1)!.end.toISOString()).toBe('2026-11-23T09:00:00.000Z'); // 17:00 +08:00
  });

  it('an early-morning slot belongs to its Shanghai day, not the UTC one', () => {
    const s = generateSlotTimes('2026-11-23', '2026-11-23', { sessions: [[0, 60]], slotMinutes: 60, includeWeekends: true });
    expect(s[0]!.start.toISOString()).toBe('2026-11-22T16:00:00.000Z');
    expect(shanghaiDayStart('2026-11-23').toISOString()).toBe('2026-11-22T16:00:00.000Z');
  });

  it('skips weekends unless asked, and drops a remainder shorter than a slot', () => {
    expect(daysBetween('2026-11-20', '2026-11-24')).toEqual(['2026-11-20', '2026-11-21', '2026-11-22', '2026-11-23', '2026-11-24']);
    expect(isWeekend('2026-11-21')).toBe(true);
    expect(isWeekend('2026-11-23')).toBe(false);
    const days = new Set(generateSlotTimes('2026-11-20', '2026-11-24', pattern).map((s) => s.day));
    expect([...days]).toEqual(['2026-11-20', '2026-11-23', '2026-11-24']);
    expect(new Set(generateSlotTimes('2026-11-20', '2026-11-24', { ...pattern, includeWeekends: true }).map((s) => s.day)).size).toBe(5);
    expect(generateSlotTimes('2026-11-23', '2026-11-23', { sessions: [[480, 550]], slotMinutes: 30, includeWeekends: false })).toHaveLength(2);
  });

  it('refuses bad patterns with a message', () => {
    expect(patternProblem(pattern)).toBeNull();
    expect(patternProblem({ ...pattern, sessions: [[720, 480]] })?.message).toContain('结束时间应晚于开始时间');
    expect(patternProblem({ ...pattern, sessions: [[480, 720], [700, 800]] })?.message).toContain('重叠');
    expect(patternProblem({ ...pattern, sessions: [[480, 500]] })?.path).toBe('slotMinutes');
  });
});

describe('reserved share', () => {
  it('holds exactly round(share × n) per day, spread evenly and deterministically', () => {
    expect(reservedCount(14, 0.25)).toBe(4); // 3.5 → 4
    expect(reservedCount(10, 0.25)).toBe(3); // 2.5 → 3
    expect(reservedCount(10, 0)).toBe(0);
    expect(reservedCount(10, 1)).toBe(10);
    expect(reservedPositions(10, 0.2)).toEqual([2, 7]);
    expect(reservedPositions(14, 0.25)).toEqual([1, 5, 8, 12]);
    expect(reservedPositions(5, 1)).toEqual([0, 1, 2, 3, 4]);
    for (let n = 1; n <= 40; n++) {
      for (const share of [0.1, 0.2, 0.25, 0.3, 0.5, 0.75, 1]) {
        const p = reservedPositions(n, share);
        expect(new Set(p).size).toBe(reservedCount(n, share));
        expect(p.every((i) => i >= 0 && i < n)).toBe(true);
      }
    }
  });

  it('plans slots with the hold and release time per day', () => {
    const planned = planSlots('2026-11-23', '2026-11-24', pattern, { share: 0.25, releaseHoursBefore: 24, reservedForAllianceId: 'A', reservedForOrganizationId: null });
    expect(planned).toHaveLength(28);
    for (const day of ['2026-11-23', '2026-11-24']) {
      const held = planned.filter((s) => s.day === day && s.reserved);
      expect(held).toHaveLength(4);
      expect(held.some((s) => s.start.getUTCHours() < 4)).toBe(true); // a morning slot
      expect(held.some((s) => s.start.getUTCHours() >= 6)).toBe(true); // an afternoon slot
    }
    const first = planned.find((s) => s.reserved)!;
    expect(first.reservedForAllianceId).toBe('A');
    expect(first.releaseAt!.getTime()).toBe(first.start.getTime() - 24 * 3_600_000);
    expect(planned.filter((s) => !s.reserved).every((s) => s.releaseAt === null && s.reservedForAllianceId === null)).toBe(true);
    expect(planSlots('2026-11-23', '2026-11-23', pattern, null).every((s) => !s.reserved)).toBe(true);
  });
});

describe('policy choice: member facility, then alliance, then department, then organization', () => {
  const at = (d: string) => new Date(d);
  const base = { departmentId: null, allianceId: null, memberOrganizationId: null, createdAt: at('2026-01-01') };
  const org = { ...base, id: 'org' };
  const dept = { ...base, id: 'dept', departmentId: 'D' };
  const alliance = { ...base, id: 'alliance', allianceId: 'A' };
  const allianceDept = { ...base, id: 'alliance-dept', allianceId: 'A', departmentId: 'D' };
  const member = { ...base, id: 'member', memberOrganizationId: 'M' };
  const otherDept = { ...base, id: 'other-dept', memberOrganizationId: 'M', departmentId: 'X' };

  it('picks the most specific policy that covers the department', () => {
    expect(choosePolicy([org, dept, alliance, allianceDept, member, otherDept], 'D')?.id).toBe('member');
    expect(choosePolicy([org, dept, alliance, allianceDept], 'D')?.id).toBe('alliance-dept');
    expect(choosePolicy([org, dept, alliance], 'D')?.id).toBe('alliance');
    expect(choosePolicy([org, dept], 'D')?.id).toBe('dept');
    expect(choosePolicy([org, dept], 'E')?.id).toBe('org');
    expect(choosePolicy([otherDept], 'D')).toBeNull();
    expect(choosePolicy([], 'D')).toBeNull();
  });

  it('the newest wins a tie', () => {
    const newer = { ...alliance, id: 'newer', createdAt: at('2026-06-01') };
    expect(choosePolicy([alliance, newer], 'D')?.id).toBe('newer');
    expect(choosePolicy([newer, alliance], 'D')?.id).toBe('newer');
  });
});

describe('who may book', () => {
  const start = new Date('2026-11-25T01:00:00Z');
  const releaseAt = releaseAtOf(start, 24);
  const before = new Date(releaseAt.getTime() - 1);
  const after = releaseAt;
  const hold = (o: Partial<Hold> = {}): Hold => ({ reserved: true, reservedForOrganizationId: null, reservedForAllianceId: null, releaseAt, ...o });
  const slot = (o: Partial<BookableSlot> = {}): BookableSlot => ({ ...hold(), status: 'free', start, organizationId: 'DEST', ...o });
  const fromMember = { originOrganizationId: 'ORIGIN', allianceIds: ['A'] };
  const fromOutside = { originOrganizationId: 'ELSEWHERE', allianceIds: ['B'] };

  it('reservedNow flips at releaseAt', () => {
    expect(releaseAt.toISOString()).toBe('2026-11-24T01:00:00.000Z');
    expect(isReservedNow(hold(), before)).toBe(true);
    expect(isReservedNow(hold(), after)).toBe(false);
    expect(isReservedNow(hold({ reserved: false, releaseAt: null }), before)).toBe(false);
    expect(isReservedNow(hold({ releaseAt: null }), after)).toBe(true);
  });

  it('a hold for an alliance takes only its members until release, then anyone', () => {
    const h = hold({ reservedForAllianceId: 'A' });
    expect(mayUseHold(h, before, fromMember)).toEqual({ ok: true });
    expect(mayUseHold(h, before, fromOutside)).toEqual({ ok: false, reason: 'reserved-for-alliance' });
    expect(mayUseHold(h, before, null)).toEqual({ ok: false, reason: 'reserved-for-alliance' });
    expect(mayUseHold(h, after, fromOutside)).toEqual({ ok: true });
    expect(mayUseHold(h, after, null)).toEqual({ ok: true });
  });

  it('a hold for a member facility takes only that facility, even from the same alliance', () => {
    const h = hold({ reservedForOrganizationId: 'ORIGIN' });
    expect(mayUseHold(h, before, fromMember)).toEqual({ ok: true });
    expect(mayUseHold(h, before, { originOrganizationId: 'SIBLING', allianceIds: ['A'] })).toEqual({ ok: false, reason: 'reserved-for-organization' });
    expect(mayUseHold(h, after, { originOrganizationId: 'SIBLING', allianceIds: ['A'] })).toEqual({ ok: true });
  });

  it('a hold for nobody specific takes any referral but no general booking until release', () => {
    expect(mayUseHold(hold(), before, fromOutside)).toEqual({ ok: true });
    expect(mayUseHold(hold(), before, null)).toEqual({ ok: false, reason: 'reserved-for-referrals' });
  });

  it('the general pool is open to referrals and general booking alike', () => {
    const general = slot({ reserved: false, releaseAt: null });
    expect(mayBook(general, before, fromOutside)).toEqual({ ok: true });
    expect(mayBook(general, before, null)).toEqual({ ok: true });
  });

  it('refuses the wrong facility, a taken slot and a started slot, in that order', () => {
    expect(mayBook(slot({ status: 'busy' }), before, fromMember, 'OTHER')).toEqual({ ok: false, reason: 'wrong-organization' });
    expect(mayBook(slot({ status: 'busy' }), before, fromMember, 'DEST')).toEqual({ ok: false, reason: 'not-free' });
    expect(mayBook(slot(), start, fromMember)).toEqual({ ok: false, reason: 'started' });
    expect(mayBook(slot({ reservedForAllianceId: 'A' }), before, fromOutside, 'DEST')).toEqual({ ok: false, reason: 'reserved-for-alliance' });
  });
});

describe('beds', () => {
  it('a bed day is released hours before its Shanghai midnight', () => {
    expect(bedDayReleaseAt('2026-11-25', 12).toISOString()).toBe('2026-11-24T04:00:00.000Z'); // 24日 12:00 +08:00
    expect(bedDayReleaseAt('2026-11-25', 0).toISOString()).toBe('2026-11-24T16:00:00.000Z');
  });

  it('numbers admission notices by issue date and sequence', () => {
    expect(admissionNoticeNumber('2026-11-22', 42)).toBe('RY20261122000042');
  });
});

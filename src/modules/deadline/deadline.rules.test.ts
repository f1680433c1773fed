import { describe, expect, it } from 'vitest';
import {
  addWorkingTime, calendarHasHours, dayHoursProblem, dueAfterResume, dueLevels, ladderProblem, nextCheckAt, nextLevelOf,
  remainingAtPause, rungAt, workingTimeBetween, type CalendarSpec, type LadderRung,
} from './deadline.rules.js';

/** Instants are written in China Standard Time, as the calendar sees them. */
const cst = (s: string): Date => new Date(`${s}:00+08:00`);
const iso = (d: Date | null): string | null => (d ? new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ') : null);
const H = 3_600_000;
const M = 60_000;

const office: DayHoursWeek = [[[480, 720], [870, 1050]]];
type DayHoursWeek = CalendarSpec['weekly'];
/** Mon–Fri 08:00–12:00 and 14:30–17:30 (7 h a day); 2026-10-01 (Thu) a holiday; 2026-10-10 (Sat) a make-up workday. */
const calendar: CalendarSpec = {
  weekly: [office[0]!, office[0]!, office[0]!, office[0]!, office[0]!, [], []],
  holidays: ['2026-10-01'],
  extraWorkdays: ['2026-10-10'],
};

const ladder: LadderRung[] = [
  { rung: 'assigned', afterMinutes: 0 },
  { rung: 'department-head', afterMinutes: 30 },
  { rung: 'referral-desk', afterMinutes: 60 },
  { rung: 'alliance-office', afterMinutes: 120 },
];

describe('addWorkingTime', () => {
  it('counts the wall clock without a calendar, across midnight and weekends', () => {
    expect(iso(addWorkingTime(cst('2026-11-20T23:30'), 2 * H, null))).toBe('2026-11-21 01:30');
    expect(iso(addWorkingTime(cst('2026-11-20T10:00'), 0, null))).toBe('2026-11-20 10:00');
  });

  it('counts only working hours inside one morning', () => {
    expect(iso(addWorkingTime(cst('2026-11-23T09:00'), 2 * H, calendar))).toBe('2026-11-23 11:00');
  });

  it('skips the lunch break', () => {
    expect(iso(addWorkingTime(cst('2026-11-23T11:00'), 2 * H, calendar))).toBe('2026-11-23 15:30');
  });

  it('ends exactly at closing time rather than at the next opening', () => {
    expect(iso(addWorkingTime(cst('2026-11-23T16:30'), 1 * H, calendar))).toBe('2026-11-23 17:30');
    expect(iso(addWorkingTime(cst('2026-11-23T16:30'), 1 * H + M, calendar))).toBe('2026-11-24 08:01');
  });

  it('starts at the next opening when started outside hours (night, lunch, before opening)', () => {
    expect(iso(addWorkingTime(cst('2026-11-23T20:00'), 30 * M, calendar))).toBe('2026-11-24 08:30');
    expect(iso(addWorkingTime(cst('2026-11-23T12:10'), 30 * M, calendar))).toBe('2026-11-23 15:00');
    expect(iso(addWorkingTime(cst('2026-11-24T06:00'), 30 * M, calendar))).toBe('2026-11-24 08:30');
  });

  it('treats the day boundary in China Standard Time, not UTC', () => {
    // 2026-11-23 07:59 CST is 2026-11-22 23:59 UTC: Monday in China, Sunday in UTC.
    expect(iso(addWorkingTime(cst('2026-11-23T07:59'), M, calendar))).toBe('2026-11-23 08:01');
  });

  it('skips the weekend', () => {
    expect(iso(addWorkingTime(cst('2026-11-20T17:00'), 1 * H, calendar))).toBe('2026-11-23 08:30');
    expect(iso(addWorkingTime(cst('2026-11-21T10:00'), 1 * H, calendar))).toBe('2026-11-23 09:00');
  });

  it('skips a holiday and works a make-up Saturday (调休)', () => {
    // Wed 2026-09-30 17:00 + 1 h: Thu 10-01 is a holiday → Fri 10-02 08:30.
    expect(iso(addWorkingTime(cst('2026-09-30T17:00'), 1 * H, calendar))).toBe('2026-10-02 08:30');
    // Fri 10-09 17:00 + 1 h: Sat 10-10 is a make-up workday with Monday's hours → 08:30 that Saturday.
    expect(iso(addWorkingTime(cst('2026-10-09T17:00'), 1 * H, calendar))).toBe('2026-10-10 08:30');
    // An ordinary Saturday does not work.
    expect(iso(addWorkingTime(cst('2026-10-16T17:00'), 1 * H, calendar))).toBe('2026-10-19 08:30');
  });

  it('spans several days: 24 working hours from Friday afternoon end the next Thursday', () => {
    // Fri 15:00 → 2.5 h that day; Mon, Tue, Wed 7 h each = 23.5 h; 0.5 h on Thu → 08:30.
    expect(iso(addWorkingTime(cst('2026-11-20T15:00'), 24 * H, calendar))).toBe('2026-11-26 08:30');
  });

  it('refuses a negative duration and a calendar without hours', () => {
    expect(() => addWorkingTime(cst('2026-11-20T15:00'), -1, calendar)).toThrow(RangeError);
    expect(() => addWorkingTime(cst('2026-11-20T15:00'), H, { weekly: [[], [], [], [], [], [], []], holidays: [], extraWorkdays: [] })).toThrow(/no working hours/);
  });
});

describe('workingTimeBetween', () => {
  it('is the wall-clock difference without a calendar, and never negative', () => {
    expect(workingTimeBetween(cst('2026-11-20T10:00'), cst('2026-11-21T10:00'), null)).toBe(24 * H);
    expect(workingTimeBetween(cst('2026-11-21T10:00'), cst('2026-11-20T10:00'), null)).toBe(0);
  });

  it('counts working hours only, across lunch, nights, a weekend and a holiday', () => {
    expect(workingTimeBetween(cst('2026-11-23T11:00'), cst('2026-11-23T15:30'), calendar)).toBe(2 * H);
    expect(workingTimeBetween(cst('2026-11-20T17:00'), cst('2026-11-23T08:30'), calendar)).toBe(1 * H);
    expect(workingTimeBetween(cst('2026-09-30T17:00'), cst('2026-10-02T08:30'), calendar)).toBe(1 * H);
  });

  it('is the inverse of addWorkingTime', () => {
    const start = cst('2026-11-20T15:00');
    for (const ms of [M, 2 * H, 7 * H, 24 * H, 100 * H]) {
      expect(workingTimeBetween(start, addWorkingTime(start, ms, calendar), calendar)).toBe(ms);
    }
  });
});

describe('escalation levels', () => {
  const dueAt = cst('2026-11-23T10:00');

  it('names the rung of each level: 0 is overdue, then the ladder, then none', () => {
    expect([0, 1, 2, 3, 4, 5].map((l) => rungAt(ladder, l))).toEqual(['overdue', 'assigned', 'department-head', 'referral-desk', 'alliance-office', null]);
  });

  it('computes when each level is due, on the wall clock or on the calendar', () => {
    expect([0, 1, 2, 3, 4, 5].map((l) => iso(nextCheckAt(dueAt, ladder, l)))).toEqual([
      '2026-11-23 10:00', '2026-11-23 10:00', '2026-11-23 10:30', '2026-11-23 11:00', '2026-11-23 12:00', null,
    ]);
    // Due at Friday closing: on the calendar the department head hears of it Monday morning, not Friday night.
    expect(iso(nextCheckAt(cst('2026-11-20T17:30'), ladder, 2, calendar))).toBe('2026-11-23 08:30');
  });

  it('lists every level due by now, in order, and the next check after them', () => {
    const fresh = { dueAt, ladder, overdueAt: null, escalationLevel: 0 };
    expect(nextLevelOf(fresh)).toBe(0);
    expect(dueLevels(fresh, cst('2026-11-23T09:59'), null)).toEqual({ due: [], nextCheckAt: dueAt });
    const atDue = dueLevels(fresh, dueAt, null);
    expect(atDue.due.map((d) => [d.level, d.rung])).toEqual([[0, 'overdue'], [1, 'assigned']]);
    expect(iso(atDue.nextCheckAt)).toBe('2026-11-23 10:30');
    // After downtime past two more rungs, both fire now, once each, in order.
    const later = { ...fresh, overdueAt: dueAt, escalationLevel: 1 };
    expect(nextLevelOf(later)).toBe(2);
    const caughtUp = dueLevels(later, cst('2026-11-23T11:05'), null);
    expect(caughtUp.due.map((d) => [d.level, d.rung, iso(d.dueAt)])).toEqual([[2, 'department-head', '2026-11-23 10:30'], [3, 'referral-desk', '2026-11-23 11:00']]);
    expect(iso(caughtUp.nextCheckAt)).toBe('2026-11-23 12:00');
    // At the top of the ladder nothing is left to check.
    expect(dueLevels({ ...fresh, overdueAt: dueAt, escalationLevel: 4 }, cst('2026-11-30T00:00'), null)).toEqual({ due: [], nextCheckAt: null });
  });
});

describe('pause and resume', () => {
  it('keeps the remaining working time across a pause (wall clock)', () => {
    const dueAt = cst('2026-11-23T12:00');
    const remainingMs = remainingAtPause(dueAt, cst('2026-11-23T11:00'), null);
    expect(remainingMs).toBe(1 * H);
    expect(iso(dueAfterResume({ dueAt, pausedAt: cst('2026-11-23T11:00'), remainingMs }, cst('2026-11-23T15:00'), null))).toBe('2026-11-23 16:00');
  });

  it('keeps the remaining working time across a pause (calendar): the weekend in between does not count either', () => {
    const dueAt = cst('2026-11-23T10:00');
    const pausedAt = cst('2026-11-20T17:00');
    const remainingMs = remainingAtPause(dueAt, pausedAt, calendar);
    expect(remainingMs).toBe(2.5 * H);
    expect(iso(dueAfterResume({ dueAt, pausedAt, remainingMs }, cst('2026-11-23T09:00'), calendar))).toBe('2026-11-23 11:30');
  });

  it('keeps an overdue deadline overdue by the same time', () => {
    const dueAt = cst('2026-11-23T10:00');
    const pausedAt = cst('2026-11-23T10:30');
    const remainingMs = remainingAtPause(dueAt, pausedAt, null);
    expect(remainingMs).toBe(-30 * M);
    expect(iso(dueAfterResume({ dueAt, pausedAt, remainingMs }, cst('2026-11-23T11:30'), null))).toBe('2026-11-23 11:00');
  });
});

describe('validation', () => {
  it('refuses a ladder out of order', () => {
    expect(ladderProblem(ladder)).toBeNull();
    expect(ladderProblem([{ rung: 'assigned', afterMinutes: 30 }, { rung: 'department-head', afterMinutes: 10 }])).toMatch(/第 2 级/);
  });

  it('refuses overlapping, reversed or out-of-day hours', () => {
    expect(dayHoursProblem([[480, 720], [870, 1050]])).toBeNull();
    expect(dayHoursProblem([[480, 720], [700, 1050]])).toMatch(/重叠/);
    expect(dayHoursProblem([[720, 480]])).toMatch(/无效/);
    expect(dayHoursProblem([[0, 1441]])).toMatch(/无效/);
    expect(calendarHasHours(calendar)).toBe(true);
    expect(calendarHasHours({ weekly: [[], [], [], [], [], [], []], holidays: [], extraWorkdays: ['2026-10-10'] })).toBe(false);
  });
});

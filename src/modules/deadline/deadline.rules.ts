import type { EscalationRung } from '../../contracts/codes.js';

/**
 * Pure rules of the deadline engine: working-time arithmetic on a calendar, and which escalation level fires when.
 * No database, no clock — every function takes the instants it needs (architecture.md, habit 7).
 */

/** Opening hours of one day as [from, to) minute-of-day pairs in Asia/Shanghai, e.g. [[480, 720], [870, 1050]]. */
export type DayHours = readonly (readonly [number, number])[];

/**
 * A working-hours calendar (工作时间). `weekly` is indexed Monday=0 … Sunday=6. `holidays` (法定节假日) and
 * `extraWorkdays` (调休上班日, usually a Saturday or Sunday) are YYYY-MM-DD dates in China Standard Time, copied from the
 * State Council's yearly holiday notice — they are not computable and must be entered every year.
 */
export interface CalendarSpec {
  weekly: readonly DayHours[];
  holidays: readonly string[];
  extraWorkdays: readonly string[];
}

/** One rung of an escalation ladder: fires `afterMinutes` after the deadline passes. */
export interface LadderRung {
  rung: EscalationRung;
  afterMinutes: number;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** China has one time zone and no daylight saving since 1991: +08:00 is exact for every date we handle. */
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
/** A calendar that yields no working time within this many days is refused rather than looped over forever. */
const MAX_SCAN_DAYS = 3_660;

/** Start of the China Standard Time day containing `t` (epoch ms). */
const dayStartOf = (t: number): number => Math.floor((t + SHANGHAI_OFFSET_MS) / DAY_MS) * DAY_MS - SHANGHAI_OFFSET_MS;
const dateOf = (dayStart: number): string => new Date(dayStart + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
/** Monday=0 … Sunday=6 of the CST day starting at `dayStart`. */
const weekdayOf = (dayStart: number): number => (new Date(dayStart + SHANGHAI_OFFSET_MS).getUTCDay() + 6) % 7;

/**
 * Working hours of one CST date. A holiday has none; a make-up workday (调休) works Monday's hours — or the first
 * weekday that has hours, for a calendar without Mondays — because the notice says "上班" without naming hours.
 */
export function hoursOn(calendar: CalendarSpec, date: string, weekday: number): DayHours {
  if (calendar.holidays.includes(date)) return [];
  if (calendar.extraWorkdays.includes(date)) return calendar.weekly.find((h) => h.length > 0) ?? [];
  return calendar.weekly[weekday] ?? [];
}

/** Working intervals [start, end) in epoch ms of the CST day starting at `dayStart`, in order. */
function intervalsOn(calendar: CalendarSpec, dayStart: number): [number, number][] {
  return [...hoursOn(calendar, dateOf(dayStart), weekdayOf(dayStart))]
    .map(([from, to]): [number, number] => [dayStart + from * MINUTE_MS, dayStart + to * MINUTE_MS])
    .sort((a, b) => a[0] - b[0]);
}

/**
 * The instant `ms` of working time after `start`. Without a calendar the wall clock counts (emergencies, 24/7
 * referral desks). With one, only time inside its hours counts; a start outside hours begins at the next opening, and
 * a duration that ends exactly at a closing time ends there (not at the next opening). `ms` = 0 returns `start`.
 */
export function addWorkingTime(start: Date, ms: number, calendar: CalendarSpec | null): Date {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`working time must be a non-negative number of ms, got ${ms}`);
  if (!calendar) return new Date(start.getTime() + ms);
  if (ms === 0) return new Date(start.getTime());
  let remaining = ms;
  const t0 = start.getTime();
  for (let day = dayStartOf(t0), n = 0; n < MAX_SCAN_DAYS; day += DAY_MS, n++) {
    for (const [from, to] of intervalsOn(calendar, day)) {
      const segStart = Math.max(from, t0);
      if (segStart >= to) continue;
      const available = to - segStart;
      if (remaining <= available) return new Date(segStart + remaining);
      remaining -= available;
    }
  }
  throw new RangeError(`the working calendar has no working hours within ${MAX_SCAN_DAYS} days of ${start.toISOString()}`);
}

/** Working time in ms between `a` and `b` (0 when `b` is not after `a`); the wall-clock difference without a calendar. */
export function workingTimeBetween(a: Date, b: Date, calendar: CalendarSpec | null): number {
  const ta = a.getTime();
  const tb = b.getTime();
  if (tb <= ta) return 0;
  if (!calendar) return tb - ta;
  let total = 0;
  for (let day = dayStartOf(ta); day < tb; day += DAY_MS) {
    for (const [from, to] of intervalsOn(calendar, day)) {
      const s = Math.max(from, ta);
      const e = Math.min(to, tb);
      if (e > s) total += e - s;
    }
  }
  return total;
}

/** The rung a level fires: level 0 marks the deadline overdue; level n is the ladder's n-th rung; beyond it, none. */
export function rungAt(ladder: readonly LadderRung[], level: number): EscalationRung | 'overdue' | null {
  if (level === 0) return 'overdue';
  return ladder[level - 1]?.rung ?? null;
}

/**
 * When level `level` is due: level 0 at `dueAt`, level n at `dueAt` + ladder[n-1].afterMinutes — measured on the same
 * calendar as the deadline, so a working-hours deadline that falls due at closing time escalates the next working
 * morning, not at night. Null past the top of the ladder.
 */
export function nextCheckAt(dueAt: Date, ladder: readonly LadderRung[], level: number, calendar: CalendarSpec | null = null): Date | null {
  if (level === 0) return new Date(dueAt.getTime());
  const step = ladder[level - 1];
  if (!step || level < 0) return null;
  return addWorkingTime(dueAt, step.afterMinutes * MINUTE_MS, calendar);
}

/** The stored progress of a deadline's escalation. */
export interface EscalationProgress {
  dueAt: Date;
  ladder: readonly LadderRung[];
  /** Set once level 0 fired. */
  overdueAt: Date | null;
  /** Highest ladder level fired (0 when no rung has fired yet). */
  escalationLevel: number;
}

/** The next level to fire: 0 until the deadline is marked overdue, then the rung after the highest one fired. */
export const nextLevelOf = (p: Pick<EscalationProgress, 'overdueAt' | 'escalationLevel'>): number => (p.overdueAt ? p.escalationLevel + 1 : 0);

export interface DueLevel {
  level: number;
  rung: EscalationRung | 'overdue';
  /** When it was due (not when it fires: after downtime the worker fires it late). */
  dueAt: Date;
}

/**
 * Every level due by `now` that has not fired, lowest first — after downtime several are due at once and all fire,
 * in order. Also the next check time after them (null past the top of the ladder).
 */
export function dueLevels(p: EscalationProgress, now: Date, calendar: CalendarSpec | null): { due: DueLevel[]; nextCheckAt: Date | null } {
  const due: DueLevel[] = [];
  for (let level = nextLevelOf(p); ; level++) {
    const at = nextCheckAt(p.dueAt, p.ladder, level, calendar);
    const rung = rungAt(p.ladder, level);
    if (!at || !rung) return { due, nextCheckAt: null };
    if (at.getTime() > now.getTime()) return { due, nextCheckAt: at };
    due.push({ level, rung, dueAt: at });
  }
}

/**
 * Working time left when a deadline is paused: positive before the due time, negative (how far overdue) after it.
 */
export function remainingAtPause(dueAt: Date, pausedAt: Date, calendar: CalendarSpec | null): number {
  return pausedAt.getTime() <= dueAt.getTime() ? workingTimeBetween(pausedAt, dueAt, calendar) : -workingTimeBetween(dueAt, pausedAt, calendar);
}

/**
 * The due time after a pause ends at `resumedAt`: the remaining working time counted from the resumption — so time on
 * hold for patient reasons does not count. A deadline paused while already overdue stays overdue by the same working
 * time: its due time moves by the working time spent paused.
 */
export function dueAfterResume(p: { dueAt: Date; pausedAt: Date; remainingMs: number }, resumedAt: Date, calendar: CalendarSpec | null): Date {
  if (p.remainingMs >= 0) return addWorkingTime(resumedAt, p.remainingMs, calendar);
  return addWorkingTime(p.dueAt, workingTimeBetween(p.pausedAt, resumedAt, calendar), calendar);
}

/**
 * Checks a ladder: rungs in firing order (non-decreasing `afterMinutes`), so levels fire in order and the next check is
 * always the earliest pending one. Returns a message naming the problem, or null.
 */
export function ladderProblem(ladder: readonly LadderRung[]): string | null {
  for (let i = 1; i < ladder.length; i++) {
    if (ladder[i]!.afterMinutes < ladder[i - 1]!.afterMinutes) return `第 ${i + 1} 级的 afterMinutes 不能小于上一级（升级按顺序进行）`;
  }
  return null;
}

/** Checks one day's hours: within the day, from < to, sorted and not overlapping. Returns a message or null. */
export function dayHoursProblem(hours: DayHours): string | null {
  let last = -1;
  for (const [from, to] of hours) {
    if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > 1440 || from >= to) return `时段 [${from}, ${to}) 无效：应为 0–1440 内的分钟数且开始早于结束`;
    if (from < last) return `时段 [${from}, ${to}) 与前一时段重叠或未按时间排序`;
    last = to;
  }
  return null;
}

/** Whether the calendar has any working time in a week (else no deadline on it could ever fall due). */
export const calendarHasHours = (c: CalendarSpec): boolean => c.weekly.some((h) => h.length > 0);

/** What a worklist shows of a live deadline (the `deadline` of a referral DTO). */
export interface DeadlineSummary {
  step: string;
  /** ISO instant. While paused, the due time before the pause (it moves on resume). */
  dueAt: string;
  state: 'running' | 'paused' | 'met' | 'cancelled';
  overdue: boolean;
  escalationLevel: number;
}

/**
 * Summary of a deadline at `now`: overdue once the worker marked it, or already past due before the worker's next tick,
 * or paused while overdue.
 */
export function summarizeDeadline(
  d: { step: string; dueAt: Date; state: DeadlineSummary['state']; overdueAt: Date | null; escalationLevel: number; remainingMs: number | null },
  now: Date,
): DeadlineSummary {
  const overdue =
    d.overdueAt !== null ||
    (d.state === 'running' && d.dueAt.getTime() <= now.getTime()) ||
    (d.state === 'paused' && (d.remainingMs ?? 0) < 0);
  return { step: d.step, dueAt: d.dueAt.toISOString(), state: d.state, overdue, escalationLevel: d.escalationLevel };
}

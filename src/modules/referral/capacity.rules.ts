/**
 * Reserved capacity (号源/床位预留), pure rules. Upper hospitals hold a configurable share of their outpatient and exam
 * slots and of their beds for patients referred from below (向基层下沉号源、预留床位, domain.md §2 [policy]); no national
 * percentage exists, so the share, who it is held for and when it is released are configuration (capacity_policies).
 *
 * All day boundaries are Asia/Shanghai: China has one time zone and no daylight saving, so a fixed +08:00 is exact.
 */

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Minute-of-day session [start, end) in Asia/Shanghai, e.g. [480, 720] = 08:00–12:00. */
export type Session = readonly [number, number];

export interface SlotPattern {
  sessions: readonly Session[];
  slotMinutes: number;
  includeWeekends: boolean;
}

/** Who a hold (a reserved slot or a bed pool) is for, and when it returns to general booking. */
export interface Hold {
  reserved: boolean;
  reservedForOrganizationId: string | null;
  reservedForAllianceId: string | null;
  releaseAt: Date | null;
}

/** The referral asking for capacity: its origin facility and the alliances that facility belongs to on the day. */
export interface Requester {
  originOrganizationId: string;
  allianceIds: readonly string[];
}

/** Most days one publish may cover, and most slots it may create: a limit that fails loudly instead of a runaway insert. */
export const MAX_PUBLISH_DAYS = 92;
export const MAX_PUBLISH_SLOTS = 20_000;

// ---- days

/** 00:00 of a calendar day in Asia/Shanghai, as an instant. */
export function shanghaiDayStart(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00Z`) - SHANGHAI_OFFSET_MS);
}

/** Calendar days from `from` to `to`, both included (YYYY-MM-DD). */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  const end = Date.parse(`${to}T00:00:00Z`);
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= end; t += DAY_MS) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** Adds days to a calendar day. */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Saturday or Sunday (the calendar date itself; no time zone involved). */
export function isWeekend(day: string): boolean {
  const wd = new Date(`${day}T00:00:00Z`).getUTCDay();
  return wd === 0 || wd === 6;
}

// ---- slot generation

/** Why a slot pattern cannot be used, in the user's language; null when it is fine. */
export function patternProblem(p: SlotPattern): { message: string; path: string } | null {
  const sorted = [...p.sessions].sort((a, b) => a[0] - b[0]);
  for (const [i, s] of sorted.entries()) {
    if (s[1] <= s[0]) return { message: `时段 ${minuteLabel(s[0])}–${minuteLabel(s[1])} 的结束时间应晚于开始时间`, path: 'sessions' };
    if (s[1] - s[0] < p.slotMinutes) return { message: `时段 ${minuteLabel(s[0])}–${minuteLabel(s[1])} 短于号源时长 ${p.slotMinutes} 分钟`, path: 'slotMinutes' };
    const next = sorted[i + 1];
    if (next && next[0] < s[1]) return { message: `时段 ${minuteLabel(s[0])}–${minuteLabel(s[1])} 与 ${minuteLabel(next[0])}–${minuteLabel(next[1])} 重叠`, path: 'sessions' };
  }
  return null;
}

export const minuteLabel = (m: number): string => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

export interface SlotTime {
  day: string;
  start: Date;
  end: Date;
}

/**
 * Slot times for every day in [from, to] (weekends only with `includeWeekends`): each session cut into slots of
 * `slotMinutes`; a remainder shorter than a slot at the end of a session is not a slot. Ordered by start.
 */
export function generateSlotTimes(from: string, to: string, p: SlotPattern): SlotTime[] {
  const sessions = [...p.sessions].sort((a, b) => a[0] - b[0]);
  const out: SlotTime[] = [];
  for (const day of daysBetween(from, to)) {
    if (!p.includeWeekends && isWeekend(day)) continue;
    const midnight = shanghaiDayStart(day).getTime();
    for (const [s, e] of sessions) {
      for (let m = s; m + p.slotMinutes <= e; m += p.slotMinutes) {
        out.push({ day, start: new Date(midnight + m * 60_000), end: new Date(midnight + (m + p.slotMinutes) * 60_000) });
      }
    }
  }
  return out;
}

/** How many of `n` are reserved for a share: round(share × n), the documented rule (half rounds up). */
export const reservedCount = (n: number, share: number): number => Math.min(n, Math.max(0, Math.round(share * n + 1e-9)));

/**
 * Which of a day's `n` slots (by position) are held: exactly round(share × n), spread evenly through the day (the
 * middle of each of k equal stretches) so referred patients find morning and afternoon slots alike. Deterministic.
 */
export function reservedPositions(n: number, share: number): number[] {
  const k = reservedCount(n, share);
  return Array.from({ length: k }, (_, i) => Math.floor(((i + 0.5) * n) / k));
}

/** The instant a reservation returns to general booking: its start minus the policy's hours. */
export const releaseAtOf = (start: Date, releaseHoursBefore: number): Date => new Date(start.getTime() - releaseHoursBefore * HOUR_MS);

export interface HoldSpec {
  share: number;
  releaseHoursBefore: number;
  reservedForOrganizationId: string | null;
  reservedForAllianceId: string | null;
}

export interface PlannedSlot extends SlotTime, Hold {}

/** Slots of [from, to] with the policy's share held on each day (`hold` null → nothing held). */
export function planSlots(from: string, to: string, p: SlotPattern, hold: HoldSpec | null): PlannedSlot[] {
  const times = generateSlotTimes(from, to, p);
  const out: PlannedSlot[] = [];
  let i = 0;
  while (i < times.length) {
    const day = times[i]!.day;
    let j = i;
    while (j < times.length && times[j]!.day === day) j++;
    const held = new Set(hold ? reservedPositions(j - i, hold.share) : []);
    for (let k = i; k < j; k++) {
      const t = times[k]!;
      const reserved = held.has(k - i);
      out.push({
        ...t,
        reserved,
        reservedForOrganizationId: reserved ? hold!.reservedForOrganizationId : null,
        reservedForAllianceId: reserved ? hold!.reservedForAllianceId : null,
        releaseAt: reserved ? releaseAtOf(t.start, hold!.releaseHoursBefore) : null,
      });
    }
    i = j;
  }
  return out;
}

// ---- policies

export interface PolicyLike {
  departmentId: string | null;
  allianceId: string | null;
  memberOrganizationId: string | null;
  createdAt: Date;
}

/**
 * Specificity of a policy: a member facility beats an alliance, which beats "any referral"; within each, a department
 * policy beats an organization-wide one. So the order is member+dept > member > alliance+dept > alliance > dept > org.
 */
export const policySpecificity = (p: PolicyLike): number =>
  (p.memberOrganizationId ? 4 : p.allianceId ? 2 : 0) + (p.departmentId ? 1 : 0);

/**
 * The one policy that applies to a department's new capacity (of the caller's kind): the most specific of those for this
 * department or for the whole organization; the newest wins a tie. Policies are not added up: one share per slot.
 */
export function choosePolicy<T extends PolicyLike>(policies: readonly T[], departmentId: string): T | null {
  let best: T | null = null;
  for (const p of policies) {
    if (p.departmentId !== null && p.departmentId !== departmentId) continue;
    if (
      !best ||
      policySpecificity(p) > policySpecificity(best) ||
      (policySpecificity(p) === policySpecificity(best) && p.createdAt.getTime() > best.createdAt.getTime())
    ) {
      best = p;
    }
  }
  return best;
}

// ---- who may book

/** A hold still applies: reserved and its release time not reached. */
export function isReservedNow(h: Hold, now: Date): boolean {
  return h.reserved && (h.releaseAt === null || now.getTime() < h.releaseAt.getTime());
}

export type HoldRefusal = 'reserved-for-organization' | 'reserved-for-alliance' | 'reserved-for-referrals';

/**
 * May this requester use a hold now? Until release, a hold for a member facility takes only that facility's referrals,
 * a hold for an alliance only referrals from its members, and a hold for nobody specific any referral; general booking
 * (`requester` null) waits for the release. After release anyone may.
 *
 * Capacity that is not held (the general pool) is open to general booking and to referrals alike: the reservation
 * adds a priority lane for referred patients (优先接诊), it never shuts them out of the rest.
 *
 * Mirrored in SQL by `bookableSql` in capacity.repository.ts for the atomic booking; keep the two in step.
 */
export function mayUseHold(h: Hold, now: Date, requester: Requester | null): { ok: true } | { ok: false; reason: HoldRefusal } {
  if (!isReservedNow(h, now)) return { ok: true };
  if (h.reservedForOrganizationId) {
    return requester?.originOrganizationId === h.reservedForOrganizationId ? { ok: true } : { ok: false, reason: 'reserved-for-organization' };
  }
  if (h.reservedForAllianceId) {
    return requester?.allianceIds.includes(h.reservedForAllianceId) ? { ok: true } : { ok: false, reason: 'reserved-for-alliance' };
  }
  return requester ? { ok: true } : { ok: false, reason: 'reserved-for-referrals' };
}

export type SlotRefusal = HoldRefusal | 'not-free' | 'started' | 'wrong-organization';

export interface BookableSlot extends Hold {
  status: 'free' | 'busy' | 'busy-unavailable';
  start: Date;
  organizationId: string;
}

/**
 * May `requester` book this slot at `now` (for a referral to `destinationOrganizationId`)? The reason says why not.
 * Order: the wrong facility, then taken, then in the past, then held for someone else.
 */
export function mayBook(
  slot: BookableSlot,
  now: Date,
  requester: Requester | null,
  destinationOrganizationId?: string,
): { ok: true } | { ok: false; reason: SlotRefusal } {
  if (destinationOrganizationId !== undefined && slot.organizationId !== destinationOrganizationId) return { ok: false, reason: 'wrong-organization' };
  if (slot.status !== 'free') return { ok: false, reason: 'not-free' };
  if (slot.start.getTime() <= now.getTime()) return { ok: false, reason: 'started' };
  return mayUseHold(slot, now, requester);
}

// ---- beds

/** Reserved beds of a day return to general admission this many hours before the day starts (Asia/Shanghai). */
export const bedDayReleaseAt = (day: string, releaseHoursBefore: number): Date => releaseAtOf(shanghaiDayStart(day), releaseHoursBefore);

/** Beds a 'bed' policy holds in a ward: round(share × the department's beds). */
export const reservedBedsFor = (departmentBeds: number, share: number): number => reservedCount(departmentBeds, share);

/** Admission notice number (入院通知单号): RY + issue date (Asia/Shanghai) + a six-digit sequence number. */
export const admissionNoticeNumber = (issuedOn: string, seq: number): string => `RY${issuedOn.replaceAll('-', '')}${String(seq).padStart(6, '0')}`;

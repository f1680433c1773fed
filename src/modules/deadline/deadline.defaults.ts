import type { Db } from '../../db/client.js';
import type { Urgency } from '../../contracts/codes.js';
import { nameBasedId } from '../../shared/ids.js';
import { DeadlineRepository } from './deadline.repository.js';
import type { CalendarSpec, LadderRung } from './deadline.rules.js';

/**
 * Platform defaults of the deadline engine. Every number here is documented, with its source, in docs/deadlines.md;
 * administrators override them per organization (deadline_policies) — these rows only fill an empty key.
 */

const H = 60;

/** Ladders: the assigned doctor at the due time, then the department head, the referral desk, the alliance office. */
export const defaultLadders: Record<'fast' | 'urgent' | 'routine', LadderRung[]> = {
  /** Emergencies: minutes matter. */
  fast: [
    { rung: 'assigned', afterMinutes: 0 },
    { rung: 'department-head', afterMinutes: 15 },
    { rung: 'referral-desk', afterMinutes: 30 },
    { rung: 'alliance-office', afterMinutes: 60 },
  ],
  urgent: [
    { rung: 'assigned', afterMinutes: 0 },
    { rung: 'department-head', afterMinutes: 30 },
    { rung: 'referral-desk', afterMinutes: 60 },
    { rung: 'alliance-office', afterMinutes: 120 },
  ],
  /** Routine work can wait for the next shift before it climbs. */
  routine: [
    { rung: 'assigned', afterMinutes: 0 },
    { rung: 'department-head', afterMinutes: 4 * H },
    { rung: 'referral-desk', afterMinutes: 8 * H },
    { rung: 'alliance-office', afterMinutes: 24 * H },
  ],
};

export interface DefaultPolicy {
  subjectType: string;
  step: string;
  urgency: Urgency;
  minutes: number;
  ladder: LadderRung[];
}

const ladderFor = (u: Urgency): LadderRung[] => (u === 'emergency' ? defaultLadders.fast : u === 'urgent' ? defaultLadders.urgent : defaultLadders.routine);
const byUrgency = (subjectType: string, step: string, minutes: Record<Urgency, number>): DefaultPolicy[] =>
  (['emergency', 'urgent', 'routine'] as const).map((urgency) => ({ subjectType, step, urgency, minutes: minutes[urgency], ladder: ladderFor(urgency) }));

/** The default policies (docs/deadlines.md has the table and where each number comes from). All on the wall clock. */
export const defaultPolicies: readonly DefaultPolicy[] = [
  // Two-way referral (issue text; domain.md §2).
  ...byUrgency('referral', 'accept', { emergency: 30, urgent: 2 * H, routine: 24 * H }),
  ...byUrgency('referral', 'schedule', { emergency: 4 * H, urgent: 48 * H, routine: 48 * H }),
  ...byUrgency('referral', 'return-summary', { emergency: 72 * H, urgent: 72 * H, routine: 72 * H }),
  ...byUrgency('referral', 'accept-down', { emergency: 1 * H, urgent: 4 * H, routine: 24 * H }),
  // Resource-sharing centers' turnaround (domain.md §3, Chongqing targets).
  ...byUrgency('diagnosis', 'consultation-respond', { emergency: 1 * H, urgent: 1 * H, routine: 6 * H }),
  ...byUrgency('diagnosis', 'ecg-report', { emergency: 30, urgent: 30, routine: 8 * H }),
  ...byUrgency('diagnosis', 'imaging-report', { emergency: 30, urgent: 30, routine: 8 * H }),
  ...byUrgency('diagnosis', 'pathology-report', { emergency: 24 * H, urgent: 24 * H, routine: 24 * H }),
  // Remote lab review and release: domain.md §3 gives no number; our choice, in line with common emergency-lab practice.
  ...byUrgency('diagnosis', 'lab-report', { emergency: 1 * H, urgent: 2 * H, routine: 24 * H }),
  // Critical value (危急值) acknowledgement with read-back by the requesting facility: domain.md has no number; our choice.
  // Every critical value climbs the emergency ladder, whatever the urgency of the request it was found in.
  ...(['emergency', 'urgent', 'routine'] as const).map((urgency) => ({ subjectType: 'diagnosis', step: 'critical-value-ack', urgency, minutes: 15, ladder: defaultLadders.fast })),
];

/** Monday–Friday 08:00–12:00 and 14:30–17:30 China Standard Time; no holidays until an administrator enters them. */
export const defaultCalendar: { id: string; name: string } & CalendarSpec = {
  id: nameBasedId('yilian-working-calendar', 'default'),
  name: '标准工作时间（周一至周五 8:00–12:00、14:30–17:30）',
  weekly: [
    [[480, 720], [870, 1050]],
    [[480, 720], [870, 1050]],
    [[480, 720], [870, 1050]],
    [[480, 720], [870, 1050]],
    [[480, 720], [870, 1050]],
    [],
    [],
  ],
  holidays: [],
  extraWorkdays: [],
};

export const defaultPolicyId = (p: Pick<DefaultPolicy, 'subjectType' | 'step' | 'urgency'>): string =>
  nameBasedId('yilian-deadline-policy', `${p.subjectType}/${p.step}/${p.urgency}`);

/**
 * Seeds the default working calendar and the platform-default deadline policies, idempotently: rows that exist —
 * possibly changed by an administrator — are left untouched; a key that is missing is filled. Runs at every start.
 */
export async function ensureDefaultDeadlinePolicies(db: Db, at: Date = new Date()): Promise<{ calendars: number; policies: number }> {
  const repo = new DeadlineRepository(db);
  const calendarCreated = await repo.insertCalendarIfAbsent({
    id: defaultCalendar.id,
    name: defaultCalendar.name,
    organizationId: null,
    weekly: defaultCalendar.weekly.map((day) => day.map(([from, to]): [number, number] => [from, to])),
    holidays: [...defaultCalendar.holidays],
    extraWorkdays: [...defaultCalendar.extraWorkdays],
    createdAt: at,
  });
  const policies = await repo.insertPoliciesIfAbsent(
    defaultPolicies.map((p) => ({
      id: defaultPolicyId(p),
      subjectType: p.subjectType,
      step: p.step,
      urgency: p.urgency,
      organizationId: null,
      minutes: p.minutes,
      calendarId: null,
      ladder: p.ladder.map((r) => ({ ...r })),
      updatedAt: at,
      updatedBy: null,
    })),
  );
  return { calendars: calendarCreated ? 1 : 0, policies };
}

/** Public API of the deadline engine: time limits per step and urgency, working calendars, overdue marking and escalation. */
export { DeadlineService, toCalendarSpec } from './deadline.service.js';
export type { DeadlineRecord, DeadlineSubjectHandler, StartDeadlineInput, RunDueResult } from './deadline.service.js';
export { ensureDefaultDeadlinePolicies, defaultPolicies, defaultLadders, defaultCalendar, defaultPolicyId } from './deadline.defaults.js';
export type { DefaultPolicy } from './deadline.defaults.js';
export {
  addWorkingTime, workingTimeBetween, nextCheckAt, rungAt, nextLevelOf, dueLevels, remainingAtPause, dueAfterResume,
  summarizeDeadline,
} from './deadline.rules.js';
export type { CalendarSpec, LadderRung, DayHours, DueLevel, DeadlineSummary } from './deadline.rules.js';

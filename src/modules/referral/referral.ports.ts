import type { SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { EscalationRung, Urgency } from '../../contracts/codes.js';
import type { RoutingQuery, RoutingResultDto } from '../../contracts/referral.js';
import type { RequestContext } from '../../shared/context.js';

/**
 * What the referral lifecycle needs from the platform services around it. The composition root (src/http/deps.ts)
 * passes the real services; keeping the needs this narrow lets each side change without the other.
 */

/** A live deadline as the worklists show it. */
export interface LiveDeadline {
  subjectId: string;
  step: string;
  dueAt: Date;
  state: 'running' | 'paused' | 'met' | 'cancelled';
  overdueAt: Date | null;
  escalationLevel: number;
}

export interface DeadlineRecordLike {
  id: string;
  subjectType: string;
  subjectId: string;
  step: string;
  organizationId: string;
}

export interface DeadlinePort {
  start(tx: Db, input: { subjectType: string; subjectId: string; step: string; urgency: Urgency; organizationId: string; at: Date; meetStep?: string | undefined }): Promise<unknown>;
  meet(tx: Db, subjectType: string, subjectId: string, step: string, at: Date): Promise<unknown>;
  cancelAll(tx: Db, subjectType: string, subjectId: string, at: Date): Promise<unknown>;
  pause(tx: Db, subjectType: string, subjectId: string, at: Date): Promise<unknown>;
  resume(tx: Db, subjectType: string, subjectId: string, at: Date): Promise<unknown>;
  live(db: Db, subjectType: string, subjectIds: readonly string[]): Promise<Map<string, LiveDeadline>>;
  /** `live` for one subject as a scalar sub-query returning JSON (step, dueAt, state, overdueAt, escalationLevel). */
  liveSql(subjectType: string, subjectId: string): SQL;
  registerSubject(handler: {
    subjectType: string;
    recipientsFor(db: Db, d: DeadlineRecordLike, rung: EscalationRung): Promise<string[]>;
    describe(db: Db, d: DeadlineRecordLike): Promise<{ title: string; body: string; link: string | null }>;
    onFired?(tx: Db, d: DeadlineRecordLike, level: number, rung: EscalationRung | 'overdue', at: Date): Promise<void>;
  }): void;
}

export interface NotificationPort {
  notifyUsers(tx: Db, n: { userIds: readonly string[]; kind: string; title: string; body: string; subjectType?: string; subjectId?: string; link?: string; dedupeKey: string; at: Date; knownUserIds?: boolean }): Promise<unknown>;
  messagePatient(tx: Db, m: { patientId: string; phone: string; channels: ('sms' | 'wechat')[]; body: string; dedupeKey: string; at: Date }): Promise<unknown>;
}

export interface BookingView {
  kind: 'appointment' | 'bed';
  id: string;
  start: string;
  end: string | null;
  departmentName: string;
  status: string;
  admissionNoticeNumber: string | null;
}

export interface BookingParty {
  referralId: string;
  patientId: string;
  originOrganizationId: string;
  allianceIds: string[];
  destinationOrganizationId: string;
  at: Date;
  actorName: string;
}

export interface CapacityPort {
  bookSlotInTx(tx: Db, input: BookingParty & { slotId: string }): Promise<{ appointmentId: string; start: Date | string; end: Date | string; departmentName: string }>;
  cancelAppointmentInTx(tx: Db, input: { referralId: string; at: Date; reason: string }): Promise<unknown>;
  bookBedInTx(tx: Db, input: BookingParty & { bedPoolId: string; day: string }): Promise<{ reservationId: string; day: string; admissionNoticeNumber: string; departmentName: string }>;
  cancelBedInTx(tx: Db, input: { referralId: string; at: Date }): Promise<unknown>;
  hasBookableCapacity(db: Db, input: { destinationOrganizationId: string; departmentId?: string | undefined; originOrganizationId: string; allianceIds: string[]; from: Date; to: Date; now: Date }): Promise<boolean>;
}

export interface RoutedPatient {
  id: string;
  residenceDivisionCode: string | null;
}

export interface RoutingPort {
  /** `opts.patient`: the patient already read (or being read) for `query.patientId`, so routing does not read it again. */
  recommend(ctx: RequestContext, query: RoutingQuery, opts?: { patient?: RoutedPatient | Promise<RoutedPatient> }): Promise<RoutingResultDto>;
}

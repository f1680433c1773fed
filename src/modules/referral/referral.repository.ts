import { and, asc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '../../db/client.js';
import { deferAnswer, insertNowOrDeferred, withDeferredWrites } from '../../db/deferred-writes.js';
import { insertRowsSql, selectByKeySql, tableShape, updateByKeyReturningSql } from '../../db/fixed-sql.js';
import {
  alliances, appointments, bedReservations, carePlans, carePlanTasks, departments, patients, referralEvents, referrals, userRoles, users,
} from '../../db/schema/index.js';
import type { ReferralStatus, RoleCode, Urgency, ReferralDirection } from '../../contracts/codes.js';
import type { BookingView } from './referral.ports.js';

export type ReferralRow = typeof referrals.$inferSelect;
export type ReferralInsert = typeof referrals.$inferInsert;
export type ReferralEventInsert = typeof referralEvents.$inferInsert;
export type CarePlanRow = typeof carePlans.$inferSelect;
export type CarePlanTaskRow = typeof carePlanTasks.$inferSelect;

/** Which referrals a list may return — decided by the access rule in the service, never by the client alone. */
export interface ReferralScope {
  /** Referrals whose origin or destination is one of these (the actor's facility, or the alliance for the desk). */
  organizationIds: readonly string[];
}

export interface ReferralListFilter {
  scope: ReferralScope;
  originOrganizationId?: string | undefined;
  destinationOrganizationId?: string | undefined;
  statuses?: readonly ReferralStatus[] | undefined;
  direction?: ReferralDirection | undefined;
  urgency?: Urgency | undefined;
  overdueOnly?: boolean | undefined;
  noCapacityOnly?: boolean | undefined;
  patientId?: string | undefined;
  organizationId?: string | undefined;
  ids?: readonly string[] | undefined;
  q?: string | undefined;
  fromDate?: string | undefined;
  toDate?: string | undefined;
}

export interface ReferralListRow {
  id: string;
  number: string;
  direction: ReferralDirection;
  status: ReferralStatus;
  sub_state: string | null;
  urgency: Urgency;
  patient_id: string;
  patient_name: string;
  origin_name: string;
  destination_name: string;
  diagnosis_code: string;
  diagnosis_name: string;
  requested_at: Date | string | null;
  updated_at: Date | string;
  due_at: Date | string | null;
  overdue_at: Date | string | null;
  escalation_level: number | null;
  no_capacity_since: Date | string | null;
}

const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** One row of `ReferralRepository.displaySql`. */
export interface DisplayRow {
  patient_name: string; patient_sex: string; patient_birth_date: string; patient_id_number: string | null; patient_phone: string | null;
  origin_name: string; destination_name: string; recommended_name: string | null; origin_department_name: string | null;
  destination_department_name: string | null; assigned_user_name: string | null;
  booking: BookingJson | string | null; deadline: LiveDeadlineJson | string | null;
}

/** The only file of the referral lifecycle that touches the database. */
const referralShape = tableShape(referrals);

/**
 * A referral number formatted in SQL as referralNumber (referral.rules.ts) formats it: the Shanghai day, a dash, the
 * sequence value padded to six digits and never cut. By default the value is the next of `referral_number_seq`, drawn
 * in the statement that uses it. test/referral.int.test.ts checks that both give the same text.
 */
export function referralNumberSql(shanghaiDay: string, sequenceValue: SQL = sql`nextval('referral_number_seq')`): SQL {
  return sql`(select ${shanghaiDay.replaceAll('-', '')}::text || '-' || case when length(n) >= 6 then n else lpad(n, 6, '0') end
               from (select (${sequenceValue})::text as n) s)`;
}

export class ReferralRepository {
  constructor(private readonly db: Db) {}

  transaction<T>(fn: (repo: ReferralRepository, tx: Db) => Promise<T>): Promise<T> {
    // Timeline events, audit rows and notifications of the step go out as one statement before the commit.
    return this.db.transaction((tx) => withDeferredWrites(tx as unknown as Db, () => fn(new ReferralRepository(tx as unknown as Db), tx as unknown as Db)));
  }

  /**
   * Inserts a new referral and returns the stored row (a transaction that goes on with it need not read it back). Its
   * number is drawn from the sequence by the INSERT itself (referralNumberSql): no round trip of its own.
   */
  async insert(row: Omit<ReferralInsert, 'number'>, shanghaiDay: string): Promise<ReferralRow> {
    const [stored] = await queryRows<Record<string, unknown>>(
      this.db,
      insertRowsSql(referrals, [{ ...row, number: referralNumberSql(shanghaiDay) }], { returning: true }),
    );
    return referralShape.read(stored!);
  }

  async byId(id: string): Promise<ReferralRow | undefined> {
    const [row] = await this.db.select().from(referrals).where(eq(referrals.id, id)).limit(1);
    return row;
  }

  async byIds(ids: readonly string[]): Promise<ReferralRow[]> {
    if (ids.length === 0) return [];
    return this.db.select().from(referrals).where(inArray(referrals.id, [...ids]));
  }

  /** Locks the row for the rest of the transaction: transitions of one referral are serialised. */
  async byIdForUpdate(id: string): Promise<ReferralRow | undefined> {
    // Every write of a step starts here: built without the query builder (src/db/fixed-sql.ts).
    const [raw] = await queryRows<Record<string, unknown>>(this.db, selectByKeySql(referrals, referrals.id, id, { forUpdate: true }));
    return raw ? referralShape.read(raw) : undefined;
  }

  async update(id: string, set: Partial<ReferralInsert>): Promise<ReferralRow> {
    const [raw] = await queryRows<Record<string, unknown>>(
      this.db,
      updateByKeyReturningSql(referrals, referrals.id, id, { ...set, version: sql`"version" + 1` }),
    );
    if (!raw) throw new Error(`referral ${id} vanished inside its own transaction`);
    return referralShape.read(raw);
  }

  async insertEvents(rows: readonly ReferralEventInsert[]): Promise<void> {
    await insertNowOrDeferred(this.db, referralEvents, rows);
  }

  async events(referralId: string) {
    return this.db.select().from(referralEvents).where(eq(referralEvents.referralId, referralId)).orderBy(asc(referralEvents.at), asc(referralEvents.seq));
  }

  async insertCarePlan(plan: typeof carePlans.$inferInsert, tasks: readonly (typeof carePlanTasks.$inferInsert)[]): Promise<void> {
    await this.db.insert(carePlans).values(plan);
    if (tasks.length) await this.db.insert(carePlanTasks).values([...tasks]);
  }

  async carePlan(referralId: string): Promise<{ plan: CarePlanRow; tasks: CarePlanTaskRow[] } | null> {
    const [plan] = await this.db.select().from(carePlans).where(eq(carePlans.referralId, referralId)).limit(1);
    if (!plan) return null;
    const tasks = await this.db.select().from(carePlanTasks).where(eq(carePlanTasks.referralId, referralId)).orderBy(asc(carePlanTasks.dueDate), asc(carePlanTasks.id));
    return { plan, tasks };
  }

  async careTask(id: string): Promise<CarePlanTaskRow | undefined> {
    const [row] = await this.db.select().from(carePlanTasks).where(eq(carePlanTasks.id, id)).limit(1);
    return row;
  }

  /** Marks an open task done; false when it was not open (done twice, or cancelled). */
  async completeCareTask(id: string, outcome: string, at: Date, by: string): Promise<boolean> {
    const rows = await this.db
      .update(carePlanTasks)
      .set({ status: 'done', outcome, completedAt: at, completedBy: by })
      .where(and(eq(carePlanTasks.id, id), eq(carePlanTasks.status, 'open')))
      .returning({ id: carePlanTasks.id });
    return rows.length === 1;
  }

  async cancelOpenCareTasks(referralId: string): Promise<void> {
    await this.db.update(carePlanTasks).set({ status: 'cancelled' }).where(and(eq(carePlanTasks.referralId, referralId), eq(carePlanTasks.status, 'open')));
  }

  async careTaskCounts(referralId: string): Promise<{ open: number; done: number }> {
    const [row] = await queryRows<{ open: string | number; done: string | number }>(
      this.db,
      sql`select count(*) filter (where status = 'open') as open, count(*) filter (where status = 'done') as done
          from care_plan_tasks where referral_id = ${referralId}`,
    );
    return { open: Number(row?.open ?? 0), done: Number(row?.done ?? 0) };
  }

  /** Care tasks of accepted down-referrals at these organizations, soonest due first. */
  async careTasksAt(organizationIds: readonly string[], status: 'open' | 'done' | 'all', limit: number) {
    if (organizationIds.length === 0) return [];
    const conds: SQL[] = [inArray(carePlanTasks.organizationId, [...organizationIds]), inArray(referrals.status, ['accepted', 'in-progress', 'completed'])];
    if (status !== 'all') conds.push(eq(carePlanTasks.status, status));
    return this.db
      .select({ t: carePlanTasks, patientId: referrals.patientId, patientName: patients.name, referralNumber: referrals.number })
      .from(carePlanTasks)
      .innerJoin(referrals, eq(referrals.id, carePlanTasks.referralId))
      .innerJoin(patients, eq(patients.id, referrals.patientId))
      .where(and(...conds))
      .orderBy(asc(carePlanTasks.dueDate), asc(carePlanTasks.id))
      .limit(limit);
  }

  /**
   * Names for a referral's DTO: patient, organizations, departments, assigned user. Primary-key look-ups as scalar
   * sub-selects: one round trip, and far cheaper to plan than an eight-way join (measured in bench/referral.ts).
   */
  /**
   * Everything a referral's answer shows beyond its own row, in one query: names, the live booking
   * and, when `liveDeadline` is given (a sub-query of the deadline module), the live deadline.
   */
  async display(row: ReferralRow, liveDeadline?: SQL) {
    const [r] = await queryRows<DisplayRow>(this.db, ReferralRepository.displaySql(row, liveDeadline));
    return ReferralRepository.displayOf(row, r!);
  }

  /**
   * `display` read at the end of this repository's transaction, inside the statement that sends its deferred appends
   * (no statement of its own). Await it after the transaction; null outside `transaction`.
   */
  deferDisplay(row: ReferralRow, liveDeadline?: SQL): Promise<ReturnType<typeof ReferralRepository.displayOf>> | null {
    const rows = deferAnswer<DisplayRow>(this.db, ReferralRepository.displaySql(row, liveDeadline));
    if (!rows) return null;
    const shown = rows.then(([r]) => ReferralRepository.displayOf(row, r!));
    shown.catch(() => undefined); // awaited only after a successful transaction
    return shown;
  }

  /** The statement of `display`, for a caller that reads it as part of another statement (deferAnswer). */
  static displaySql(row: ReferralRow, liveDeadline?: SQL): SQL {
    const name = (table: string, id: string | null) => (id ? sql`(select name from ${sql.identifier(table)} where id = ${id})` : sql`null::text`);
    return sql`select p.name as patient_name, p.sex as patient_sex, p.birth_date::text as patient_birth_date, p.id_number as patient_id_number,
                 p.phone as patient_phone,
                 ${name('organizations', row.originOrganizationId)} as origin_name,
                 ${name('organizations', row.destinationOrganizationId)} as destination_name,
                 ${name('organizations', row.recommendedOrganizationId)} as recommended_name,
                 ${name('departments', row.originDepartmentId)} as origin_department_name,
                 ${name('departments', row.destinationDepartmentId)} as destination_department_name,
                 ${row.assignedUserId ? sql`(select display_name from users where id = ${row.assignedUserId})` : sql`null::text`} as assigned_user_name,
                 (select json_build_object('kind', x.kind, 'id', x.id, 'start', x.start, 'end', x."end", 'departmentName', x.department_name, 'status', x.status, 'notice', x.notice)
                    from (${bookingSql(row.id)}) x) as booking,
                 ${liveDeadline ?? sql`null::json`} as deadline
          from patients p where p.id = ${row.patientId}`;
  }

  static displayOf(row: ReferralRow, r: DisplayRow) {
    const json = <T>(v: T | string | null): T | null => (v == null ? null : typeof v === 'string' ? (JSON.parse(v) as T) : v);
    const b = json(r.booking);
    const d = json(r.deadline);
    return {
      patientName: r.patient_name, patientSex: r.patient_sex, patientBirthDate: r.patient_birth_date, patientIdNumber: r.patient_id_number,
      patientPhone: r.patient_phone, originName: r.origin_name, destinationName: r.destination_name, recommendedName: r.recommended_name,
      originDepartmentName: r.origin_department_name, destinationDepartmentName: r.destination_department_name, assignedUserName: r.assigned_user_name,
      booking: b ? toBookingView(b) : null,
      deadline: d
        ? { subjectId: row.id, step: d.step, dueAt: new Date(d.dueAt), state: d.state, overdueAt: d.overdueAt ? new Date(d.overdueAt) : null, escalationLevel: d.escalationLevel }
        : null,
    };
  }

  private listWhere(f: ReferralListFilter): SQL {
    const ids = sql.param([...f.scope.organizationIds]);
    const conds: SQL[] = [sql`(r.origin_organization_id = any(${ids}::text[]) or r.destination_organization_id = any(${ids}::text[]))`];
    if (f.originOrganizationId) conds.push(sql`r.origin_organization_id = ${f.originOrganizationId}`);
    if (f.destinationOrganizationId) conds.push(sql`r.destination_organization_id = ${f.destinationOrganizationId}`);
    if (f.organizationId) conds.push(sql`(r.origin_organization_id = ${f.organizationId} or r.destination_organization_id = ${f.organizationId})`);
    if (f.statuses?.length) conds.push(sql`r.status = any(${sql.param([...f.statuses])}::text[])`);
    if (f.direction) conds.push(sql`r.direction = ${f.direction}`);
    if (f.urgency) conds.push(sql`r.urgency = ${f.urgency}`);
    if (f.patientId) conds.push(sql`r.patient_id = ${f.patientId}`);
    if (f.ids) conds.push(sql`r.id = any(${sql.param([...f.ids])}::text[])`);
    if (f.overdueOnly) conds.push(sql`d.overdue_at is not null`);
    if (f.noCapacityOnly) conds.push(sql`r.no_capacity_since is not null`);
    if (f.fromDate) conds.push(sql`r.created_at >= (${f.fromDate}::date)::timestamp at time zone 'Asia/Shanghai'`);
    if (f.toDate) conds.push(sql`r.created_at < ((${f.toDate}::date + 1))::timestamp at time zone 'Asia/Shanghai'`);
    if (f.q) {
      const like = `%${escapeLike(f.q)}%`;
      conds.push(sql`(r.number like ${like} or p.name like ${like} or r.diagnosis_code ilike ${like} or r.diagnosis_name like ${like})`);
    }
    return sql.join(conds, sql` and `);
  }

  private static readonly fromClause = sql`
    from referrals r
    join patients p on p.id = r.patient_id
    join organizations o on o.id = r.origin_organization_id
    join organizations dst on dst.id = r.destination_organization_id
    left join deadlines d on d.subject_type = 'referral' and d.subject_id = r.id and d.state in ('running', 'paused')`;

  /** One page of a worklist; overdue and soonest-due first for `due`. */
  async list(f: ReferralListFilter, page: { offset: number; limit: number; sort: 'due' | 'requested' | 'updated' }): Promise<{ rows: ReferralListRow[]; total: number }> {
    const where = this.listWhere(f);
    const order =
      page.sort === 'due'
        ? sql`(d.overdue_at is null), d.due_at asc nulls last, r.updated_at desc, r.id`
        : page.sort === 'requested'
          ? sql`r.requested_at desc nulls last, r.id`
          : sql`r.updated_at desc, r.id`;
    const rows = await queryRows<ReferralListRow>(
      this.db,
      sql`select r.id, r.number, r.direction, r.status, r.sub_state, r.urgency, r.patient_id, p.name as patient_name,
                 o.name as origin_name, dst.name as destination_name, r.diagnosis_code, r.diagnosis_name, r.requested_at,
                 r.updated_at, d.due_at, d.overdue_at, d.escalation_level, r.no_capacity_since
          ${ReferralRepository.fromClause}
          where ${where}
          order by ${order}
          limit ${page.limit} offset ${page.offset}`,
    );
    const [c] = await queryRows<{ n: string | number }>(this.db, sql`select count(*) as n ${ReferralRepository.fromClause} where ${where}`);
    return { rows, total: Number(c?.n ?? 0) };
  }

  async counts(f: ReferralListFilter): Promise<{ byStatus: Record<string, number>; overdue: number; noCapacity: number }> {
    const where = this.listWhere(f);
    const rows = await queryRows<{ status: string; n: string | number; overdue: string | number; no_capacity: string | number }>(
      this.db,
      sql`select r.status, count(*) as n, count(*) filter (where d.overdue_at is not null) as overdue,
                 count(*) filter (where r.no_capacity_since is not null) as no_capacity
          ${ReferralRepository.fromClause} where ${where} group by r.status`,
    );
    const byStatus: Record<string, number> = {};
    let overdue = 0;
    let noCapacity = 0;
    for (const r of rows) {
      byStatus[r.status] = Number(r.n);
      overdue += Number(r.overdue);
      noCapacity += Number(r.no_capacity);
    }
    return { byStatus, overdue, noCapacity };
  }

  /** Users of an organization with any of the roles (notification and escalation recipients). */
  async userIdsAt(organizationId: string, roles: readonly RoleCode[]): Promise<string[]> {
    const rows = await this.db
      .selectDistinct({ id: users.id })
      .from(users)
      .innerJoin(userRoles, eq(userRoles.userId, users.id))
      .where(and(eq(users.organizationId, organizationId), eq(users.active, true), inArray(userRoles.role, [...roles])));
    return rows.map((r) => r.id).sort();
  }

  async allianceLeadOrganizationId(allianceId: string): Promise<string | null> {
    const [row] = await this.db.select({ lead: alliances.leadOrganizationId }).from(alliances).where(eq(alliances.id, allianceId)).limit(1);
    return row?.lead ?? null;
  }

  /** Accounts of the head of a department (科主任), for the second rung of the escalation ladder. */
  async departmentHeadUserIds(departmentId: string): Promise<string[]> {
    const rows = await this.db
      .select({ id: users.id })
      .from(departments)
      .innerJoin(users, eq(users.practitionerId, departments.headPractitionerId))
      .where(and(eq(departments.id, departmentId), eq(users.active, true)));
    return rows.map((r) => r.id);
  }

  async userName(userId: string): Promise<{ id: string; displayName: string; organizationId: string | null } | undefined> {
    const [row] = await this.db.select({ id: users.id, displayName: users.displayName, organizationId: users.organizationId }).from(users).where(eq(users.id, userId)).limit(1);
    return row;
  }

  /** A facility's name read through this repository's connection ('' if unknown): inside a transaction, no pooled read. */
  async organizationName(id: string): Promise<string> {
    const [row] = await queryRows<{ name: string }>(this.db, sql`select name from organizations where id = ${id}`);
    return row?.name ?? '';
  }

  async department(id: string) {
    const [row] = await this.db.select({ id: departments.id, organizationId: departments.organizationId, name: departments.name }).from(departments).where(eq(departments.id, id)).limit(1);
    return row;
  }

  async patient(id: string) {
    const [row] = await this.db
      .select({ id: patients.id, name: patients.name, phone: patients.phone, countyCode: patients.countyCode, managingOrganizationId: patients.managingOrganizationId })
      .from(patients)
      .where(eq(patients.id, id))
      .limit(1);
    return row;
  }

  /** The patient came: the appointment is fulfilled (FHIR appointmentstatus), the held bed becomes an admission. */
  async fulfilBooking(referralId: string, kind: 'arrive' | 'admit'): Promise<void> {
    if (kind === 'arrive') {
      await this.db.update(appointments).set({ status: 'fulfilled' }).where(and(eq(appointments.referralId, referralId), eq(appointments.status, 'booked')));
    } else {
      await this.db.update(bedReservations).set({ status: 'admitted' }).where(and(eq(bedReservations.referralId, referralId), eq(bedReservations.status, 'held')));
    }
  }

  /** Does an open referral give this organization a reason to see the patient (access basis `open-referral`)? */
  async hasReferralLink(patientId: string, organizationIds: readonly string[]): Promise<boolean> {
    if (organizationIds.length === 0) return false;
    const ids = sql.param([...organizationIds]);
    const rows = await queryRows<{ one: number }>(
      this.db,
      sql`select 1 as one from referrals where patient_id = ${patientId}
            and status not in ('draft', 'cancelled', 'rejected')
            and (destination_organization_id = any(${ids}::text[]) or origin_organization_id = any(${ids}::text[]))
          limit 1`,
    );
    return rows.length > 0;
  }
}

/** The live booking of a referral: its appointment (slot) or its held bed with the admission notice; the newest. */
function bookingSql(referralId: string): SQL {
  return sql`(select 'appointment' as kind, a.id, s.start, s."end", d.name as department_name, a.status, null::text as notice, a.booked_at as at
                from appointments a join slots s on s.id = a.slot_id join departments d on d.id = s.department_id
               where a.referral_id = ${referralId} and a.status in ('booked', 'fulfilled'))
             union all
             (select 'bed', b.id, (b.day::timestamp at time zone 'Asia/Shanghai'), null, d.name, b.status, b.admission_notice_number, b.created_at
                from bed_reservations b join bed_pools p on p.id = b.bed_pool_id join departments d on d.id = p.department_id
               where b.referral_id = ${referralId} and b.status in ('held', 'admitted'))
             order by at desc limit 1`;
}

interface BookingJson {
  kind: 'appointment' | 'bed';
  id: string;
  start: Date | string;
  end: Date | string | null;
  departmentName: string;
  status: string;
  notice: string | null;
}

interface LiveDeadlineJson {
  step: string;
  dueAt: string;
  state: 'running' | 'paused';
  overdueAt: string | null;
  escalationLevel: number;
}

function toBookingView(b: BookingJson): BookingView {
  return {
    kind: b.kind, id: b.id, start: new Date(b.start).toISOString(), end: b.end == null ? null : new Date(b.end).toISOString(),
    departmentName: b.departmentName, status: b.status, admissionNoticeNumber: b.notice,
  };
}

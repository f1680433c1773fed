import { and, asc, desc, eq, gt, gte, inArray, isNotNull, lt, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { queryRows, type Db } from '../../db/client.js';
import {
  alliances, appointments, bedPoolDays, bedPools, bedReservations, capacityPolicies, departments, organizations, referrals, schedules, slots,
} from '../../db/schema/index.js';
import type { CapacityKind } from '../../contracts/codes.js';
import type { PlannedSlot, Requester } from './capacity.rules.js';

export type ScheduleRow = typeof schedules.$inferSelect & { organizationName: string; departmentName: string };
export type PolicyRow = typeof capacityPolicies.$inferSelect;
export type BedPoolRow = typeof bedPools.$inferSelect & { departmentName: string };
export type SlotRow = typeof slots.$inferSelect;
export type SlotListRow = SlotRow & { scheduleName: string; departmentName: string; reservedForName: string | null };

/** Rows inserted per statement when publishing: bounded so a big publish never builds a huge statement. */
const INSERT_CHUNK = 2_000;

const iso = (d: Date): string => d.toISOString();
const textArray = (values: readonly string[]) => sql`${sql.param([...values])}::text[]`;

/**
 * Who may use a slot's hold at `at` — the SQL twin of `mayUseHold` in capacity.rules.ts (keep the two in step): not
 * reserved, or released, or held for the requester's facility, for one of its alliances, or for any referral.
 */
function slotBookableSql(at: Date, r: Requester): SQL {
  return sql`(${slots.reserved} = 0
    or (${slots.releaseAt} is not null and ${slots.releaseAt} <= ${iso(at)}::timestamptz)
    or ${slots.reservedForOrganizationId} = ${r.originOrganizationId}
    or (${slots.reservedForOrganizationId} is null and ${slots.reservedForAllianceId} = any(${textArray(r.allianceIds)}))
    or (${slots.reservedForOrganizationId} is null and ${slots.reservedForAllianceId} is null))`;
}

/** Still held (reserved, not released) for this requester — what routing calls "free reserved slots for you". */
function slotHeldForSql(at: Date, r: Requester): SQL {
  return sql`(${slots.reserved} = 1
    and (${slots.releaseAt} is null or ${slots.releaseAt} > ${iso(at)}::timestamptz)
    and (${slots.reservedForOrganizationId} = ${r.originOrganizationId}
      or (${slots.reservedForOrganizationId} is null and ${slots.reservedForAllianceId} = any(${textArray(r.allianceIds)}))
      or (${slots.reservedForOrganizationId} is null and ${slots.reservedForAllianceId} is null)))`;
}

/** The only file of the capacity part of the referral module that touches the database. */
export class CapacityRepository {
  constructor(private readonly db: Db) {}

  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn(tx as unknown as Db));
  }

  // ---- network look-ups
  async organization(id: string) {
    const [row] = await this.db.select({ id: organizations.id, name: organizations.name }).from(organizations).where(eq(organizations.id, id)).limit(1);
    return row;
  }

  async department(id: string) {
    const [row] = await this.db
      .select({ id: departments.id, organizationId: departments.organizationId, name: departments.name, beds: departments.beds })
      .from(departments)
      .where(eq(departments.id, id))
      .limit(1);
    return row;
  }

  async alliance(id: string) {
    const [row] = await this.db.select({ id: alliances.id, name: alliances.name }).from(alliances).where(eq(alliances.id, id)).limit(1);
    return row;
  }

  /** Names of alliances and organizations by id (for "reserved for …" labels). */
  async holderNames(allianceIds: readonly string[], organizationIds: readonly string[]): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    if (allianceIds.length) {
      for (const a of await this.db.select({ id: alliances.id, name: alliances.name }).from(alliances).where(inArray(alliances.id, [...allianceIds]))) names.set(a.id, a.name);
    }
    if (organizationIds.length) {
      for (const o of await this.db.select({ id: organizations.id, name: organizations.name }).from(organizations).where(inArray(organizations.id, [...organizationIds]))) names.set(o.id, o.name);
    }
    return names;
  }

  /** The fields of a referral that capacity decisions start from. */
  async referral(id: string) {
    const [row] = await this.db
      .select({
        id: referrals.id, originOrganizationId: referrals.originOrganizationId, destinationOrganizationId: referrals.destinationOrganizationId,
        destinationDepartmentId: referrals.destinationDepartmentId, status: referrals.status,
      })
      .from(referrals)
      .where(eq(referrals.id, id))
      .limit(1);
    return row;
  }

  // ---- schedules
  async insertSchedule(row: typeof schedules.$inferInsert): Promise<void> {
    await this.db.insert(schedules).values(row);
  }

  private scheduleSelect() {
    return this.db
      .select({ s: schedules, organizationName: organizations.name, departmentName: departments.name })
      .from(schedules)
      .innerJoin(organizations, eq(organizations.id, schedules.organizationId))
      .innerJoin(departments, eq(departments.id, schedules.departmentId));
  }

  async schedule(id: string): Promise<ScheduleRow | undefined> {
    const [r] = await this.scheduleSelect().where(eq(schedules.id, id)).limit(1);
    return r ? { ...r.s, organizationName: r.organizationName, departmentName: r.departmentName } : undefined;
  }

  async schedules(filter: { organizationId?: string | undefined; departmentId?: string | undefined; withTemplate?: boolean }): Promise<ScheduleRow[]> {
    const conds: (SQL | undefined)[] = [];
    if (filter.organizationId) conds.push(eq(schedules.organizationId, filter.organizationId));
    if (filter.departmentId) conds.push(eq(schedules.departmentId, filter.departmentId));
    if (filter.withTemplate) conds.push(isNotNull(schedules.template), eq(schedules.active, 1));
    const rows = await this.scheduleSelect().where(and(...conds)).orderBy(asc(organizations.name), asc(departments.name), asc(schedules.name)).limit(1000);
    return rows.map((r) => ({ ...r.s, organizationName: r.organizationName, departmentName: r.departmentName }));
  }

  /** Serialises publishing per schedule, so the overlap test and the insert below act as one. */
  async lockSchedule(id: string): Promise<void> {
    await this.db.execute(sql`select id from ${schedules} where id = ${id} for update`);
  }

  /**
   * Inserts planned slots, skipping any that overlap a slot the schedule already has (the unique index on
   * (schedule_id, start) is the last guard). Call with the schedule locked. Returns how many were created and held.
   */
  async insertPlannedSlots(schedule: { id: string; organizationId: string; departmentId: string; kind: 'outpatient' | 'exam' }, planned: readonly (PlannedSlot & { id: string })[]) {
    let created = 0;
    let reserved = 0;
    for (let i = 0; i < planned.length; i += INSERT_CHUNK) {
      const part = planned.slice(i, i + INSERT_CHUNK);
      const rows = await queryRows<{ reserved: number }>(this.db, sql`
        INSERT INTO slots (id, schedule_id, organization_id, department_id, kind, start, "end", status, reserved,
          reserved_for_alliance_id, reserved_for_organization_id, release_at, version)
        SELECT u.id, ${schedule.id}, ${schedule.organizationId}, ${schedule.departmentId}, ${schedule.kind}, u.s::timestamptz, u.e::timestamptz,
          'free', u.r, nullif(u.fa, ''), nullif(u.fo, ''), nullif(u.rel, '')::timestamptz, 1
        FROM unnest(
          ${textArray(part.map((p) => p.id))}, ${textArray(part.map((p) => iso(p.start)))}, ${textArray(part.map((p) => iso(p.end)))},
          ${sql.param(part.map((p) => (p.reserved ? 1 : 0)))}::int[], ${textArray(part.map((p) => p.reservedForAllianceId ?? ''))},
          ${textArray(part.map((p) => p.reservedForOrganizationId ?? ''))}, ${textArray(part.map((p) => (p.releaseAt ? iso(p.releaseAt) : '')))}
        ) AS u(id, s, e, r, fa, fo, rel)
        WHERE NOT EXISTS (
          SELECT 1 FROM slots x WHERE x.schedule_id = ${schedule.id} AND x.start < u.e::timestamptz AND x."end" > u.s::timestamptz)
        ON CONFLICT DO NOTHING
        RETURNING reserved`);
      created += rows.length;
      reserved += rows.filter((r) => Number(r.reserved) === 1).length;
    }
    return { created, reserved };
  }

  // ---- policies
  async policies(filter: { organizationId?: string | undefined; kind?: CapacityKind }): Promise<PolicyRow[]> {
    const conds: (SQL | undefined)[] = [];
    if (filter.organizationId) conds.push(eq(capacityPolicies.organizationId, filter.organizationId));
    if (filter.kind) conds.push(eq(capacityPolicies.kind, filter.kind));
    return this.db.select().from(capacityPolicies).where(and(...conds)).orderBy(asc(capacityPolicies.organizationId), desc(capacityPolicies.createdAt)).limit(1000);
  }

  async policy(id: string): Promise<PolicyRow | undefined> {
    const [row] = await this.db.select().from(capacityPolicies).where(eq(capacityPolicies.id, id)).limit(1);
    return row;
  }

  async insertPolicy(row: typeof capacityPolicies.$inferInsert): Promise<void> {
    await this.db.insert(capacityPolicies).values(row);
  }

  // ---- slots
  async slots(filter: {
    organizationId?: string | undefined;
    departmentId?: string | undefined;
    scheduleId?: string | undefined;
    from: Date;
    to: Date;
    status?: 'free' | 'busy' | 'busy-unavailable' | undefined;
    /** Only slots this requester may book at `at` (free, not started, hold allows). */
    bookableBy?: { requester: Requester; at: Date } | undefined;
    limit: number;
  }): Promise<SlotListRow[]> {
    const heldOrg = alias(organizations, 'held_org');
    const conds: (SQL | undefined)[] = [gte(slots.start, filter.from), lt(slots.start, filter.to)];
    if (filter.organizationId) conds.push(eq(slots.organizationId, filter.organizationId));
    if (filter.departmentId) conds.push(eq(slots.departmentId, filter.departmentId));
    if (filter.scheduleId) conds.push(eq(slots.scheduleId, filter.scheduleId));
    if (filter.status) conds.push(eq(slots.status, filter.status));
    if (filter.bookableBy) {
      conds.push(eq(slots.status, 'free'), gt(slots.start, filter.bookableBy.at), slotBookableSql(filter.bookableBy.at, filter.bookableBy.requester));
    }
    const rows = await this.db
      .select({ slot: slots, scheduleName: schedules.name, departmentName: departments.name, allianceName: alliances.name, heldOrgName: heldOrg.name })
      .from(slots)
      .innerJoin(schedules, eq(schedules.id, slots.scheduleId))
      .innerJoin(departments, eq(departments.id, slots.departmentId))
      .leftJoin(alliances, eq(alliances.id, slots.reservedForAllianceId))
      .leftJoin(heldOrg, eq(heldOrg.id, slots.reservedForOrganizationId))
      .where(and(...conds))
      .orderBy(asc(slots.start), asc(schedules.name), asc(slots.id))
      .limit(filter.limit);
    return rows.map((r) => ({
      ...r.slot, scheduleName: r.scheduleName, departmentName: r.departmentName, reservedForName: r.heldOrgName ?? r.allianceName ?? null,
    }));
  }

  async slot(id: string): Promise<SlotRow | undefined> {
    const [row] = await this.db.select().from(slots).where(eq(slots.id, id)).limit(1);
    return row;
  }

  /**
   * The atomic booking: one conditional UPDATE flips the slot free → busy only if every booking rule holds at `at`.
   * Under concurrency PostgreSQL re-checks the WHERE on the row version that won, so one slot is taken once.
   */
  async claimSlot(input: { slotId: string; destinationOrganizationId: string; at: Date; requester: Requester }) {
    const [row] = await this.db
      .update(slots)
      .set({ status: 'busy', version: sql`${slots.version} + 1` })
      .where(and(
        eq(slots.id, input.slotId),
        eq(slots.status, 'free'),
        eq(slots.organizationId, input.destinationOrganizationId),
        gt(slots.start, input.at),
        slotBookableSql(input.at, input.requester),
      ))
      .returning({ id: slots.id, start: slots.start, end: slots.end, departmentId: slots.departmentId, organizationId: slots.organizationId });
    return row;
  }

  async insertAppointment(row: typeof appointments.$inferInsert): Promise<void> {
    await this.db.insert(appointments).values(row);
  }

  async departmentName(id: string): Promise<string> {
    const [row] = await this.db.select({ name: departments.name }).from(departments).where(eq(departments.id, id)).limit(1);
    return row?.name ?? '';
  }

  /** Cancels the referral's live appointment and frees its slot; null when it has none. */
  async cancelAppointment(input: { referralId: string; at: Date; reason: string }) {
    const [appt] = await this.db
      .update(appointments)
      .set({ status: 'cancelled', cancelledAt: input.at, cancelReason: input.reason })
      .where(and(eq(appointments.referralId, input.referralId), eq(appointments.status, 'booked')))
      .returning({ id: appointments.id, slotId: appointments.slotId });
    if (!appt) return null;
    await this.db
      .update(slots)
      .set({ status: 'free', version: sql`${slots.version} + 1` })
      .where(and(eq(slots.id, appt.slotId), eq(slots.status, 'busy')));
    return { appointmentId: appt.id, slotId: appt.slotId };
  }

  // ---- beds
  async insertBedPool(row: typeof bedPools.$inferInsert): Promise<void> {
    await this.db.insert(bedPools).values(row);
  }

  async bedPools(filter: { ids?: readonly string[]; organizationId?: string | undefined; departmentId?: string | undefined }): Promise<BedPoolRow[]> {
    const conds: (SQL | undefined)[] = [];
    if (filter.ids) conds.push(inArray(bedPools.id, filter.ids.length ? [...filter.ids] : ['']));
    if (filter.organizationId) conds.push(eq(bedPools.organizationId, filter.organizationId));
    if (filter.departmentId) conds.push(eq(bedPools.departmentId, filter.departmentId));
    const rows = await this.db
      .select({ p: bedPools, departmentName: departments.name })
      .from(bedPools)
      .innerJoin(departments, eq(departments.id, bedPools.departmentId))
      .where(and(...conds))
      .orderBy(asc(bedPools.organizationId), asc(departments.name), asc(bedPools.name))
      .limit(1000);
    return rows.map((r) => ({ ...r.p, departmentName: r.departmentName }));
  }

  /** Stored day counters of some pools in [fromDay, toDay]; days without a row have held nothing yet. */
  async bedPoolDays(poolIds: readonly string[], fromDay: string, toDay: string) {
    if (poolIds.length === 0) return [];
    return this.db
      .select()
      .from(bedPoolDays)
      .where(and(inArray(bedPoolDays.bedPoolId, [...poolIds]), gte(bedPoolDays.day, fromDay), sql`${bedPoolDays.day} <= ${toDay}`));
  }

  /**
   * Holds one reserved bed of a pool on a day: the day's counter is created on first use with the pool's current
   * reserved beds (INSERT … ON CONFLICT DO NOTHING), then `held < capacity` decides in one conditional UPDATE.
   * Returns undefined when the day is full.
   */
  async claimBed(bedPoolId: string, day: string) {
    await this.db.execute(sql`
      INSERT INTO bed_pool_days (bed_pool_id, day, capacity, held)
      SELECT id, ${day}::date, reserved_beds, 0 FROM bed_pools WHERE id = ${bedPoolId}
      ON CONFLICT DO NOTHING`);
    const [row] = await this.db
      .update(bedPoolDays)
      .set({ held: sql`${bedPoolDays.held} + 1` })
      .where(and(eq(bedPoolDays.bedPoolId, bedPoolId), eq(bedPoolDays.day, day), lt(bedPoolDays.held, bedPoolDays.capacity)))
      .returning({ held: bedPoolDays.held, capacity: bedPoolDays.capacity });
    return row;
  }

  async nextAdmissionNoticeSeq(): Promise<number> {
    const [row] = await queryRows<{ n: string | number }>(this.db, sql`select nextval('admission_notice_seq') as n`);
    return Number(row!.n);
  }

  async insertBedReservation(row: typeof bedReservations.$inferInsert): Promise<void> {
    await this.db.insert(bedReservations).values(row);
  }

  /** Cancels the referral's held bed and gives the day its bed back; null when it holds none. */
  async cancelBed(referralId: string) {
    const [r] = await this.db
      .update(bedReservations)
      .set({ status: 'cancelled' })
      .where(and(eq(bedReservations.referralId, referralId), eq(bedReservations.status, 'held')))
      .returning({ id: bedReservations.id, bedPoolId: bedReservations.bedPoolId, day: bedReservations.day });
    if (!r) return null;
    await this.db
      .update(bedPoolDays)
      .set({ held: sql`${bedPoolDays.held} - 1` })
      .where(and(eq(bedPoolDays.bedPoolId, r.bedPoolId), eq(bedPoolDays.day, r.day), gt(bedPoolDays.held, 0)));
    return { reservationId: r.id, bedPoolId: r.bedPoolId, day: r.day };
  }

  // ---- capacity signals for routing and the no-capacity worklist

  /** Free slots still held for this requester, per organization, starting in [from, to) and after `now`. One query. */
  async freeHeldSlotsByOrganization(organizationIds: readonly string[], requester: Requester, from: Date, to: Date, now: Date) {
    if (organizationIds.length === 0) return [];
    return this.db
      .select({ organizationId: slots.organizationId, n: sql<number>`count(*)::int` })
      .from(slots)
      .where(and(
        inArray(slots.organizationId, [...organizationIds]),
        eq(slots.status, 'free'),
        gte(slots.start, from),
        lt(slots.start, to),
        gt(slots.start, now),
        slotHeldForSql(now, requester),
      ))
      .groupBy(slots.organizationId);
  }

  /**
   * Free reserved beds per organization over some days: each pool × day, capacity from the day's counter or (no
   * counter yet) the pool's reserved beds, minus held. `mode` 'held' counts only beds still held for the requester
   * (before release); 'bookable' also counts released ones (anyone may take them). One query.
   */
  async freeBedsByOrganization(
    filter: { organizationIds: readonly string[]; departmentId?: string | undefined },
    requester: Requester,
    days: readonly { day: string; start: Date }[],
    now: Date,
    mode: 'held' | 'bookable',
  ) {
    if (filter.organizationIds.length === 0 || days.length === 0) return [];
    const eligible = sql`(p.reserved_for_organization_id = ${requester.originOrganizationId}
      or (p.reserved_for_organization_id is null and p.reserved_for_alliance_id = any(${textArray(requester.allianceIds)}))
      or (p.reserved_for_organization_id is null and p.reserved_for_alliance_id is null))`;
    const notReleased = sql`(g.start - make_interval(hours => p.release_hours_before)) > ${iso(now)}::timestamptz`;
    const rows = await queryRows<{ organization_id: string; n: string | number }>(this.db, sql`
      SELECT p.organization_id, sum(greatest(coalesce(d.capacity, p.reserved_beds) - coalesce(d.held, 0), 0)) AS n
      FROM bed_pools p
      CROSS JOIN unnest(${textArray(days.map((d) => d.day))}::date[], ${textArray(days.map((d) => iso(d.start)))}::timestamptz[]) AS g(day, start)
      LEFT JOIN bed_pool_days d ON d.bed_pool_id = p.id AND d.day = g.day
      WHERE p.organization_id = any(${textArray(filter.organizationIds)})
        ${filter.departmentId ? sql`AND p.department_id = ${filter.departmentId}` : sql``}
        AND g.start + interval '1 day' > ${iso(now)}::timestamptz
        AND ${mode === 'held' ? sql`${notReleased} AND ${eligible}` : sql`(NOT ${notReleased} OR ${eligible})`}
      GROUP BY p.organization_id`);
    return rows.map((r) => ({ organizationId: r.organization_id, n: Number(r.n) }));
  }

  /** Is there a free slot at the destination this requester may book now, in [from, to)? */
  async anyBookableSlot(input: { destinationOrganizationId: string; departmentId?: string | undefined; requester: Requester; from: Date; to: Date; now: Date; reservedOnly: boolean }): Promise<boolean> {
    const [row] = await this.db
      .select({ id: slots.id })
      .from(slots)
      .where(and(
        eq(slots.organizationId, input.destinationOrganizationId),
        input.departmentId ? eq(slots.departmentId, input.departmentId) : undefined,
        eq(slots.status, 'free'),
        gte(slots.start, input.from),
        lt(slots.start, input.to),
        gt(slots.start, input.now),
        input.reservedOnly ? eq(slots.reserved, 1) : undefined,
        slotBookableSql(input.now, input.requester),
      ))
      .limit(1);
    return row !== undefined;
  }
}

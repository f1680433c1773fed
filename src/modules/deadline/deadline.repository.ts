import { and, asc, eq, isNull, lte, notInArray, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { queryRows } from '../../db/client.js';
import { tableShape, updateReturningSql } from '../../db/fixed-sql.js';
import { deadlineEscalations, deadlinePolicies, deadlines, organizations, workingCalendars } from '../../db/schema/index.js';

export type DeadlineRow = typeof deadlines.$inferSelect;
export type DeadlineInsert = typeof deadlines.$inferInsert;
export type PolicyRow = typeof deadlinePolicies.$inferSelect;
export type PolicyInsert = typeof deadlinePolicies.$inferInsert;
export type CalendarRow = typeof workingCalendars.$inferSelect;
export type CalendarInsert = typeof workingCalendars.$inferInsert;
export type EscalationInsert = typeof deadlineEscalations.$inferInsert;

const live = sql`${deadlines.state} in ('running', 'paused')`;
const deadlineShape = tableShape(deadlines);

/**
 * A scalar sub-query giving, as JSON, the live deadline of one subject (the one due first, like `liveFor`), for a
 * module that wants it in the same query as its own row. `subjectId` is a column reference or a parameter.
 */
export function liveDeadlineJsonSql(subjectType: string, subjectId: SQL): SQL {
  return sql`(select json_build_object('step', d.step, 'dueAt', d.due_at, 'state', d.state, 'overdueAt', d.overdue_at, 'escalationLevel', d.escalation_level)
                from deadlines d where d.subject_type = ${subjectType} and d.subject_id = ${subjectId} and d.state in ('running', 'paused')
               order by d.due_at, d.id limit 1)`;
}

/** The only file of the deadline module that touches the database. */
export class DeadlineRepository {
  constructor(private readonly db: Db) {}

  /** Runs `fn` in one transaction; `tx` is for other modules' writes that must commit with it (notifications, onFired). */
  transaction<T>(fn: (repo: DeadlineRepository, tx: Db) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn(new DeadlineRepository(tx as unknown as Db), tx as unknown as Db));
  }

  // ---- policies and calendars

  /** The organization's override if it has one, else the platform default (organization null). */
  async policyFor(subjectType: string, step: string, urgency: PolicyRow['urgency'], organizationId: string | null): Promise<PolicyRow | undefined> {
    const rows = await this.db
      .select()
      .from(deadlinePolicies)
      .where(
        and(
          eq(deadlinePolicies.subjectType, subjectType),
          eq(deadlinePolicies.step, step),
          eq(deadlinePolicies.urgency, urgency),
          organizationId ? sql`(${deadlinePolicies.organizationId} is null or ${deadlinePolicies.organizationId} = ${organizationId})` : isNull(deadlinePolicies.organizationId),
        ),
      )
      // Overrides (non-null organization) sort first.
      .orderBy(sql`${deadlinePolicies.organizationId} is null`);
    return rows[0];
  }

  async policies(f: { subjectType?: string | undefined; organizationId?: string | null | undefined }): Promise<PolicyRow[]> {
    const conds: (SQL | undefined)[] = [];
    if (f.subjectType) conds.push(eq(deadlinePolicies.subjectType, f.subjectType));
    if (f.organizationId === null) conds.push(isNull(deadlinePolicies.organizationId));
    else if (f.organizationId) conds.push(eq(deadlinePolicies.organizationId, f.organizationId));
    return this.db
      .select()
      .from(deadlinePolicies)
      .where(and(...conds))
      .orderBy(asc(deadlinePolicies.subjectType), asc(deadlinePolicies.step), asc(deadlinePolicies.urgency), sql`${deadlinePolicies.organizationId} nulls first`);
  }

  async policyById(id: string): Promise<PolicyRow | undefined> {
    const [row] = await this.db.select().from(deadlinePolicies).where(eq(deadlinePolicies.id, id));
    return row;
  }

  /**
   * Inserts the policy or, when one exists for its key (subject type, step, urgency, organization), updates it — one
   * statement against the unique key, so two admins saving at once cannot create two policies. Returns the stored id.
   */
  async upsertPolicy(p: PolicyInsert): Promise<string> {
    const [row] = await queryRows<{ id: string }>(this.db, sql`
      insert into ${deadlinePolicies} (id, subject_type, step, urgency, organization_id, minutes, calendar_id, ladder, updated_at, updated_by)
      values (${p.id}, ${p.subjectType}, ${p.step}, ${p.urgency}, ${p.organizationId ?? null}, ${p.minutes}, ${p.calendarId ?? null},
              ${JSON.stringify(p.ladder)}::jsonb, ${p.updatedAt}, ${p.updatedBy ?? null})
      on conflict (subject_type, step, urgency, (coalesce(organization_id, '')))
      do update set minutes = excluded.minutes, calendar_id = excluded.calendar_id, ladder = excluded.ladder,
                    updated_at = excluded.updated_at, updated_by = excluded.updated_by
      returning id`);
    return row!.id;
  }

  /** Deletes an organization's override (platform defaults are never deleted); returns whether one was deleted. */
  async deleteOverride(id: string): Promise<boolean> {
    const rows = await this.db
      .delete(deadlinePolicies)
      .where(and(eq(deadlinePolicies.id, id), sql`${deadlinePolicies.organizationId} is not null`))
      .returning({ id: deadlinePolicies.id });
    return rows.length === 1;
  }

  /** Detaches deadlines from a policy about to be deleted (each copied its calendar and ladder when it started). */
  async detachPolicy(id: string): Promise<void> {
    await this.db.update(deadlines).set({ policyId: null }).where(eq(deadlines.policyId, id));
  }

  /** Inserts rows whose key is new; existing rows (possibly edited by an administrator) are left as they are. */
  async insertPoliciesIfAbsent(rows: readonly PolicyInsert[]): Promise<number> {
    if (rows.length === 0) return 0;
    const inserted = await this.db.insert(deadlinePolicies).values([...rows]).onConflictDoNothing().returning({ id: deadlinePolicies.id });
    return inserted.length;
  }

  async calendar(id: string): Promise<CalendarRow | undefined> {
    const [row] = await this.db.select().from(workingCalendars).where(eq(workingCalendars.id, id));
    return row;
  }

  async calendars(): Promise<CalendarRow[]> {
    return this.db.select().from(workingCalendars).orderBy(sql`${workingCalendars.organizationId} nulls first`, asc(workingCalendars.name));
  }

  async insertCalendarIfAbsent(row: CalendarInsert): Promise<boolean> {
    const inserted = await this.db.insert(workingCalendars).values(row).onConflictDoNothing().returning({ id: workingCalendars.id });
    return inserted.length === 1;
  }

  async insertCalendar(row: CalendarInsert): Promise<CalendarRow> {
    const [inserted] = await this.db.insert(workingCalendars).values(row).returning();
    return inserted!;
  }

  async updateCalendar(id: string, set: Partial<CalendarInsert>): Promise<CalendarRow | undefined> {
    const [row] = await this.db.update(workingCalendars).set(set).where(eq(workingCalendars.id, id)).returning();
    return row;
  }

  async organizationExists(id: string): Promise<boolean> {
    const [row] = await this.db.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, id)).limit(1);
    return !!row;
  }

  // ---- deadlines

  /**
   * Starts a step's deadline — usually in one statement: the insert skips when the step already has a live deadline
   * (the partial unique index decides), and — with `meet` — the live deadline of the step just done is met in the
   * same statement. Only a restarted step (rare) takes a second and third: cancel the old one, insert again.
   */
  async startReplacing(
    row: Pick<DeadlineRow, 'id' | 'subjectType' | 'subjectId' | 'step' | 'urgency' | 'organizationId' | 'policyId' | 'calendarId' | 'ladder' | 'startedAt' | 'dueAt' | 'nextCheckAt'> & { state: 'running' },
    meet?: { step: string; at: Date },
  ): Promise<DeadlineRow> {
    const t = row.subjectType;
    const s = row.subjectId;
    const ts = (d: Date | null) => (d ? sql`${d.toISOString()}::timestamptz` : sql`null::timestamptz`);
    const insert = () => sql`
          insert into deadlines (id, subject_type, subject_id, step, urgency, organization_id, policy_id, calendar_id, ladder, state, started_at, due_at, next_check_at)
          values (${row.id}, ${t}, ${s}, ${row.step}, ${row.urgency}, ${row.organizationId}, ${row.policyId}, ${row.calendarId}, ${JSON.stringify(row.ladder)}::jsonb,
                  'running', ${ts(row.startedAt)}, ${ts(row.dueAt)}, ${ts(row.nextCheckAt)})
          on conflict (subject_type, subject_id, step) where state in ('running', 'paused') do nothing
          returning id`;
    const met = meet
      ? sql`with met as (update deadlines set state = 'met', met_at = ${ts(meet.at)}, next_check_at = null, paused_at = null, version = version + 1
                          where subject_type = ${t} and subject_id = ${s} and step = ${meet.step} and state in ('running', 'paused') returning 1) `
      : sql``;
    const first = await queryRows<{ id: string }>(this.db, sql`${met}${insert()}`);
    if (first.length === 0) {
      await this.cancelLive(t, s, row.step);
      await queryRows<{ id: string }>(this.db, insert());
    }
    return { ...row, pausedAt: null, remainingMs: null, pausedTotalMs: 0, overdueAt: null, escalationLevel: 0, metAt: null, version: 1 };
  }

  /** Cancels the live deadlines of a subject (of one step, or all steps); returns those cancelled. */
  // The updates below run in every step of a workflow: fixed SQL rather than drizzle's builder (src/db/fixed-sql.ts).
  async cancelLive(subjectType: string, subjectId: string, step: string | null): Promise<DeadlineRow[]> {
    const where = step === null
      ? sql`"subject_type" = ${subjectType} and "subject_id" = ${subjectId} and "state" in ('running', 'paused')`
      : sql`"subject_type" = ${subjectType} and "subject_id" = ${subjectId} and "step" = ${step} and "state" in ('running', 'paused')`;
    const rows = await queryRows<Record<string, unknown>>(this.db, updateReturningSql(deadlines, { state: 'cancelled', nextCheckAt: null, version: sql`"version" + 1` }, where));
    return rows.map((r) => deadlineShape.read(r));
  }

  /** Marks the live deadline of a subject's step met; one conditional UPDATE, so it is met once. */
  async meetLive(subjectType: string, subjectId: string, step: string, at: Date): Promise<DeadlineRow | undefined> {
    const [row] = await queryRows<Record<string, unknown>>(
      this.db,
      updateReturningSql(
        deadlines,
        { state: 'met', metAt: at, nextCheckAt: null, pausedAt: null, version: sql`"version" + 1` },
        sql`"subject_type" = ${subjectType} and "subject_id" = ${subjectId} and "step" = ${step} and "state" in ('running', 'paused')`,
      ),
    );
    return row ? deadlineShape.read(row) : undefined;
  }

  /** The subject's deadlines in `state`, locked until the transaction ends (pause and resume read, compute, write). */
  async lockInState(subjectType: string, subjectId: string, state: DeadlineRow['state']): Promise<DeadlineRow[]> {
    return this.db
      .select()
      .from(deadlines)
      .where(and(eq(deadlines.subjectType, subjectType), eq(deadlines.subjectId, subjectId), eq(deadlines.state, state)))
      .orderBy(asc(deadlines.id))
      .for('update');
  }

  /** Updates a deadline and bumps its version; only while it is still in `expectedState`. */
  async update(id: string, expectedState: DeadlineRow['state'], set: Partial<DeadlineInsert>): Promise<DeadlineRow | undefined> {
    const [row] = await queryRows<Record<string, unknown>>(
      this.db,
      updateReturningSql(deadlines, { ...set, version: sql`"version" + 1` }, sql`"id" = ${id} and "state" = ${expectedState}`),
    );
    return row ? deadlineShape.read(row) : undefined;
  }

  async liveFor(subjectType: string, subjectIds: readonly string[]): Promise<DeadlineRow[]> {
    if (subjectIds.length === 0) return [];
    return this.db
      .select()
      .from(deadlines)
      .where(and(eq(deadlines.subjectType, subjectType), sql`${deadlines.subjectId} = any(${sql.param([...subjectIds])}::text[])`, live))
      .orderBy(asc(deadlines.dueAt), asc(deadlines.id));
  }

  async byId(id: string): Promise<DeadlineRow | undefined> {
    const [row] = await this.db.select().from(deadlines).where(eq(deadlines.id, id));
    return row;
  }

  /**
   * Claims the running deadline that has waited longest for a check due by `now`, locking it for this transaction.
   * SKIP LOCKED lets several workers (or a worker and a restarted one) share the queue: each claims a different
   * deadline, none waits, and the row re-checked under the lock is the current one. `skip` excludes deadlines that
   * failed earlier in this tick.
   */
  async claimNextDue(now: Date, skip: readonly string[]): Promise<DeadlineRow | undefined> {
    const [row] = await this.db
      .select()
      .from(deadlines)
      .where(and(eq(deadlines.state, 'running'), lte(deadlines.nextCheckAt, now), skip.length ? notInArray(deadlines.id, [...skip]) : undefined))
      .orderBy(asc(deadlines.nextCheckAt), asc(deadlines.id))
      .limit(1)
      .for('update', { skipLocked: true });
    return row;
  }

  /** Records that a level fired; false when it already had (the unique (deadline, level) pair decides). */
  async insertEscalation(row: EscalationInsert): Promise<boolean> {
    const inserted = await this.db.insert(deadlineEscalations).values(row).onConflictDoNothing({ target: [deadlineEscalations.deadlineId, deadlineEscalations.level] }).returning({ id: deadlineEscalations.id });
    return inserted.length === 1;
  }

  async escalationsOf(deadlineId: string) {
    return this.db.select().from(deadlineEscalations).where(eq(deadlineEscalations.deadlineId, deadlineId)).orderBy(asc(deadlineEscalations.level));
  }
}

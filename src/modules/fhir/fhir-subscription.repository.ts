import { and, asc, count, eq, inArray, isNull, lte, sql } from 'drizzle-orm';
import { queryRows, type Db } from '../../db/client.js';
import { fhirSubscriptionDeliveries, fhirSubscriptions, userRoles, users } from '../../db/schema/index.js';
import type { RoleCode } from '../../contracts/codes.js';
import type { Actor } from '../../shared/context.js';

export type SubscriptionRow = typeof fhirSubscriptions.$inferSelect;
export type DeliveryRow = typeof fhirSubscriptionDeliveries.$inferSelect;
export type SubscriptionStatus = SubscriptionRow['status'];

/** A referral change seen by the dispatcher's scan: which referral, at which version, when. */
export interface ReferralChange {
  id: string;
  version: number;
  updatedAt: Date;
}

/**
 * FHIR Subscriptions and their delivery outbox. Besides its own two tables it reads, without writing, two things
 * the dispatcher needs and no service offers: the (id, version, updated_at) of referrals changed after a cursor — ids
 * only; what a subscriber may see is decided by ReferralService.list/get acting as the subscriber — and the
 * subscriber's current organization and roles (a disabled account gets nothing).
 */
export class FhirSubscriptionRepository {
  constructor(private readonly db: Db) {}

  async insert(row: typeof fhirSubscriptions.$inferInsert): Promise<SubscriptionRow> {
    const [r] = await this.db.insert(fhirSubscriptions).values(row).returning();
    return r!;
  }

  async byId(id: string): Promise<SubscriptionRow | undefined> {
    const [r] = await this.db.select().from(fhirSubscriptions).where(and(eq(fhirSubscriptions.id, id), isNull(fhirSubscriptions.deletedAt))).limit(1);
    return r;
  }

  async ofOwner(ownerUserId: string, f: { ids?: string[] | undefined; statuses?: SubscriptionStatus[] | undefined }, offset: number, limit: number): Promise<{ rows: SubscriptionRow[]; total: number }> {
    const where = and(
      eq(fhirSubscriptions.ownerUserId, ownerUserId),
      isNull(fhirSubscriptions.deletedAt),
      f.ids ? inArray(fhirSubscriptions.id, f.ids) : undefined,
      f.statuses ? inArray(fhirSubscriptions.status, f.statuses) : undefined,
    );
    const rows = limit > 0 ? await this.db.select().from(fhirSubscriptions).where(where).orderBy(asc(fhirSubscriptions.createdAt), asc(fhirSubscriptions.id)).offset(offset).limit(limit) : [];
    const [c] = await this.db.select({ n: count() }).from(fhirSubscriptions).where(where);
    return { rows, total: c?.n ?? 0 };
  }

  async softDelete(id: string, at: Date): Promise<void> {
    await this.db.update(fhirSubscriptions).set({ deletedAt: at, status: 'off', updatedAt: at }).where(eq(fhirSubscriptions.id, id));
  }

  async active(): Promise<SubscriptionRow[]> {
    return this.db.select().from(fhirSubscriptions).where(and(eq(fhirSubscriptions.status, 'active'), isNull(fhirSubscriptions.deletedAt))).orderBy(asc(fhirSubscriptions.createdAt));
  }

  async setStatus(id: string, status: SubscriptionStatus, error: string | null, at: Date): Promise<void> {
    await this.db.update(fhirSubscriptions).set({ status, error, updatedAt: at }).where(eq(fhirSubscriptions.id, id));
  }

  async advanceCursor(id: string, cursorAt: Date, cursorId: string): Promise<void> {
    await this.db.update(fhirSubscriptions).set({ cursorAt, cursorId }).where(eq(fhirSubscriptions.id, id));
  }

  /** Referrals changed after the keyset cursor and no later than `until`, oldest first. */
  async changedReferrals(after: { at: Date; id: string }, until: Date, limit: number): Promise<ReferralChange[]> {
    const rows = await queryRows<{ id: string; version: number; updated_at: Date | string }>(
      this.db,
      sql`select id, version, updated_at from referrals
          where (updated_at, id) > (${after.at.toISOString()}::timestamptz, ${after.id})
            and updated_at <= ${until.toISOString()}::timestamptz
          order by updated_at, id
          limit ${limit}`,
    );
    return rows.map((r) => ({ id: r.id, version: Number(r.version), updatedAt: new Date(r.updated_at) }));
  }

  /** Inserts pending deliveries; those already recorded for the same referral version are skipped. */
  async queue(rows: (typeof fhirSubscriptionDeliveries.$inferInsert)[]): Promise<number> {
    if (!rows.length) return 0;
    const inserted = await this.db.insert(fhirSubscriptionDeliveries).values(rows).onConflictDoNothing().returning({ id: fhirSubscriptionDeliveries.id });
    return inserted.length;
  }

  /** Pending deliveries due at `now` of active subscriptions, oldest first. */
  async due(now: Date, limit: number): Promise<DeliveryRow[]> {
    return this.db
      .select({ d: fhirSubscriptionDeliveries })
      .from(fhirSubscriptionDeliveries)
      .innerJoin(fhirSubscriptions, eq(fhirSubscriptions.id, fhirSubscriptionDeliveries.subscriptionId))
      .where(and(
        eq(fhirSubscriptionDeliveries.status, 'pending'),
        lte(fhirSubscriptionDeliveries.nextAttemptAt, now),
        eq(fhirSubscriptions.status, 'active'),
        isNull(fhirSubscriptions.deletedAt),
      ))
      .orderBy(asc(fhirSubscriptionDeliveries.createdAt), asc(fhirSubscriptionDeliveries.id))
      .limit(limit)
      .then((rows) => rows.map((r) => r.d));
  }

  /**
   * Takes a due delivery for one attempt: a conditional UPDATE pushes its next attempt past the lease, so a second
   * server sharing the database cannot send the same notification at the same time.
   */
  async claim(id: string, now: Date, leaseUntil: Date): Promise<boolean> {
    const rows = await this.db
      .update(fhirSubscriptionDeliveries)
      .set({ nextAttemptAt: leaseUntil })
      .where(and(eq(fhirSubscriptionDeliveries.id, id), eq(fhirSubscriptionDeliveries.status, 'pending'), lte(fhirSubscriptionDeliveries.nextAttemptAt, now)))
      .returning({ id: fhirSubscriptionDeliveries.id });
    return rows.length === 1;
  }

  async recordAttempt(id: string, set: Pick<DeliveryRow, 'attempts' | 'status' | 'nextAttemptAt' | 'deliveredAt' | 'lastError'>): Promise<void> {
    await this.db.update(fhirSubscriptionDeliveries).set(set).where(eq(fhirSubscriptionDeliveries.id, id));
  }

  async deliveriesOf(subscriptionId: string): Promise<DeliveryRow[]> {
    return this.db.select().from(fhirSubscriptionDeliveries).where(eq(fhirSubscriptionDeliveries.subscriptionId, subscriptionId)).orderBy(asc(fhirSubscriptionDeliveries.createdAt));
  }

  /** The subscriber as an actor today; undefined when the account is gone or disabled. */
  async ownerActor(userId: string): Promise<Actor | undefined> {
    const [u] = await this.db.select({ id: users.id, username: users.username, organizationId: users.organizationId, active: users.active }).from(users).where(eq(users.id, userId)).limit(1);
    if (!u || !u.active) return undefined;
    const roles = await this.db.select({ role: userRoles.role }).from(userRoles).where(eq(userRoles.userId, userId));
    return { userId: u.id, username: u.username, organizationId: u.organizationId, roles: roles.map((r) => r.role as RoleCode) };
  }
}

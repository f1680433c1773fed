import { and, count, desc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '../../db/client.js';
import { insertRowsSql, tableShape } from '../../db/fixed-sql.js';
import { insertNowOrDeferred, isDeferring } from '../../db/deferred-writes.js';
import { notifications, outboundMessages, patients, users } from '../../db/schema/index.js';

const outboundShape = tableShape(outboundMessages);

export type NotificationRow = typeof notifications.$inferSelect;
export type NotificationInsert = typeof notifications.$inferInsert;
export type OutboundRow = typeof outboundMessages.$inferSelect;
export type OutboundInsert = typeof outboundMessages.$inferInsert;

/** The only file of the notification module that touches the database. */
export class NotificationRepository {
  constructor(private readonly db: Db) {}

  /** The ids among `ids` that are accounts (a recipient list may name a user deleted since). */
  async existingUserIds(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.select({ id: users.id }).from(users).where(sql`${users.id} = any(${sql.param([...ids])}::text[])`);
    return rows.map((r) => r.id);
  }

  /**
   * Inserts notifications whose dedupe key is new and returns those inserted. The unique dedupe key decides — a retry
   * after a crash, or a second worker, inserts nothing (never a SELECT-then-INSERT).
   */
  async insertNew(rows: readonly NotificationInsert[]): Promise<NotificationRow[]> {
    if (rows.length === 0) return [];
    return this.db.insert(notifications).values([...rows]).onConflictDoNothing({ target: notifications.dedupeKey }).returning();
  }

  /**
   * `insertNew`, or — inside the caller's deferred-write scope (src/db/deferred-writes.ts) — queued with the scope's
   * other appends; then null, because what will have been inserted is not known yet.
   */
  async insertNewOrDefer(rows: readonly NotificationInsert[]): Promise<NotificationRow[] | null> {
    if (!isDeferring(this.db)) return this.insertNew(rows);
    await insertNowOrDeferred(this.db, notifications, rows, { onConflictDoNothing: notifications.dedupeKey });
    return null;
  }

  private userWhere(userId: string, unreadOnly: boolean): SQL | undefined {
    return and(eq(notifications.recipientUserId, userId), unreadOnly ? isNull(notifications.readAt) : undefined);
  }

  async listForUser(userId: string, unreadOnly: boolean, offset: number, limit: number) {
    const where = this.userWhere(userId, unreadOnly);
    const [total] = await this.db.select({ n: count() }).from(notifications).where(where);
    const rows = await this.db.select().from(notifications).where(where).orderBy(desc(notifications.createdAt), desc(notifications.id)).offset(offset).limit(limit);
    return { rows, total: total?.n ?? 0 };
  }

  async unreadCount(userId: string): Promise<number> {
    const [row] = await this.db.select({ n: count() }).from(notifications).where(this.userWhere(userId, true));
    return row?.n ?? 0;
  }

  /** Marks the user's own unread notifications read (all, or those among `ids`); another user's ids match nothing. */
  async markRead(userId: string, ids: readonly string[] | undefined, at: Date): Promise<number> {
    const rows = await this.db
      .update(notifications)
      .set({ readAt: at })
      .where(and(this.userWhere(userId, true), ids ? inArray(notifications.id, ids.length ? [...ids] : ['']) : undefined))
      .returning({ id: notifications.id });
    return rows.length;
  }

  /** Inserts outbound messages in one statement, skipping those whose dedupe key exists; returns those inserted. */
  async insertOutbound(rows: readonly OutboundInsert[]): Promise<OutboundRow[]> {
    if (rows.length === 0) return [];
    const inserted = await queryRows<Record<string, unknown>>(
      this.db,
      insertRowsSql(outboundMessages, rows, { onConflictDoNothing: outboundMessages.dedupeKey, returning: true }),
    );
    return inserted.map((r) => outboundShape.read(r));
  }

  async setOutboundStatus(id: string, status: OutboundRow['status'], error: string | null): Promise<void> {
    await this.db.update(outboundMessages).set({ status, error }).where(eq(outboundMessages.id, id));
  }

  /**
   * Outbound messages, newest first. `patientOrganizationIds` limits them to patients managed by those organizations
   * (null = all).
   */
  async listOutbound(f: { channel?: OutboundRow['channel'] | undefined; patientOrganizationIds: readonly string[] | null }, offset: number, limit: number) {
    const where = and(
      f.channel ? eq(outboundMessages.channel, f.channel) : undefined,
      f.patientOrganizationIds
        ? inArray(patients.managingOrganizationId, f.patientOrganizationIds.length ? [...f.patientOrganizationIds] : [''])
        : undefined,
    );
    const base = () => this.db.select({ m: outboundMessages }).from(outboundMessages).leftJoin(patients, eq(patients.id, outboundMessages.recipientPatientId));
    const [total] = await this.db
      .select({ n: count() })
      .from(outboundMessages)
      .leftJoin(patients, eq(patients.id, outboundMessages.recipientPatientId))
      .where(where);
    const rows = await base().where(where).orderBy(desc(outboundMessages.createdAt), desc(outboundMessages.id)).offset(offset).limit(limit);
    return { rows: rows.map((r) => r.m), total: total?.n ?? 0 };
  }
}

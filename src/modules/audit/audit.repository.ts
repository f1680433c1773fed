import { and, count, desc, eq, gte, inArray, lt, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { insertNowOrDeferred, isDeferring } from '../../db/deferred-writes.js';
import { auditEvents, organizations, patients } from '../../db/schema/index.js';

export type AuditInsert = typeof auditEvents.$inferInsert;

export interface AuditFilter {
  actor?: string | undefined;
  patientId?: string | undefined;
  organizationId?: string | undefined;
  organizationIds?: readonly string[] | null;
  action?: AuditInsert['action'] | undefined;
  outcome?: 'allowed' | 'denied' | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

/** Append-only: this repository can insert and read audit events, never update or delete them. */
export class AuditRepository {
  constructor(private readonly db: Db) {}

  async insert(rows: AuditInsert[]): Promise<void> {
    // Inside a step's deferred-write scope the row goes out with the step's other appends, in one statement.
    if (rows.length <= 100 && isDeferring(this.db)) return insertNowOrDeferred(this.db, auditEvents, rows);
    // PostgreSQL allows 65,535 parameters per statement: 13 columns × 2,000 rows stays well below.
    for (let i = 0; i < rows.length; i += 2000) await this.db.insert(auditEvents).values(rows.slice(i, i + 2000));
  }

  private where(f: AuditFilter): SQL | undefined {
    const conds: (SQL | undefined)[] = [];
    if (f.actor) conds.push(eq(auditEvents.actorUsername, f.actor));
    if (f.patientId) conds.push(eq(auditEvents.patientId, f.patientId));
    if (f.organizationId) conds.push(eq(auditEvents.organizationId, f.organizationId));
    if (f.organizationIds) conds.push(inArray(auditEvents.organizationId, f.organizationIds.length ? [...f.organizationIds] : ['']));
    if (f.action) conds.push(eq(auditEvents.action, f.action));
    if (f.outcome) conds.push(eq(auditEvents.outcome, f.outcome));
    if (f.from) conds.push(gte(auditEvents.at, f.from));
    if (f.to) conds.push(lt(auditEvents.at, f.to));
    return conds.length ? and(...conds) : undefined;
  }

  async search(f: AuditFilter, offset: number, limit: number) {
    const where = this.where(f);
    const [total] = await this.db.select({ n: count() }).from(auditEvents).where(where);
    const rows = await this.select(where, offset, limit);
    return { rows, total: total?.n ?? 0 };
  }

  /** Rows in pages of `batch` for export, newest first, without loading the whole log. */
  async *iterate(f: AuditFilter, batch = 2000) {
    const where = this.where(f);
    for (let offset = 0; ; offset += batch) {
      const rows = await this.select(where, offset, batch);
      if (rows.length === 0) return;
      yield rows;
      if (rows.length < batch) return;
    }
  }

  private async select(where: SQL | undefined, offset: number, limit: number) {
    const rows = await this.db
      .select({ e: auditEvents, organizationName: organizations.name, patientName: patients.name })
      .from(auditEvents)
      .leftJoin(organizations, eq(organizations.id, auditEvents.organizationId))
      .leftJoin(patients, eq(patients.id, auditEvents.patientId))
      .where(where)
      .orderBy(desc(auditEvents.at), desc(auditEvents.id))
      .offset(offset)
      .limit(limit);
    return rows.map((r) => ({ ...r.e, organizationName: r.organizationName, patientName: r.patientName }));
  }
}

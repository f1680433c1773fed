import { and, asc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '../../db/client.js';
import {
  diagnosisConsultationEvents, diagnosisConsultationExperts, diagnosisConsultationOpinions, diagnosisConsultations, diagnosisEvents, users,
} from '../../db/schema/index.js';
import type { Urgency } from '../../contracts/codes.js';
import type { ConsultationKind, ConsultationStatus, ExpertState } from '../../contracts/diagnosis-consultation.js';

export type ConsultationRow = typeof diagnosisConsultations.$inferSelect;
export type ConsultationInsert = typeof diagnosisConsultations.$inferInsert;
export type ExpertRow = typeof diagnosisConsultationExperts.$inferSelect;
export type OpinionRow = typeof diagnosisConsultationOpinions.$inferSelect;
export type ConsultationEventInsert = typeof diagnosisConsultationEvents.$inferInsert;

/** Experts who are still parties to a consultation. */
export const activeExpertStates: readonly ExpertState[] = ['invited', 'accepted'];

/** Which consultations a list may return — decided by the access rule in the service, never by the client alone. */
export interface ConsultationListFilter {
  /** Exactly one scope: the requesting facility's, the centers' where the actor is in the pool, or the actor's invitations. */
  scope: { requesterOrganizationId: string } | { centerIds: readonly string[] } | { expertUserId: string };
  centerId?: string | undefined;
  statuses?: readonly ConsultationStatus[] | undefined;
  kind?: ConsultationKind | undefined;
  specialty?: string | undefined;
  overdueOnly?: boolean | undefined;
  patientId?: string | undefined;
  q?: string | undefined;
}

export interface ConsultationListRow {
  id: string;
  number: string;
  status: ConsultationStatus;
  kind: ConsultationKind;
  urgency: Urgency;
  specialty: string;
  center_id: string;
  center_name: string;
  requester_org_name: string;
  requester_name: string;
  patient_id: string;
  patient_name: string;
  scheduled_start: Date | string | null;
  experts: string[] | null;
  created_at: Date | string;
  due_at: Date | string | null;
  overdue_at: Date | string | null;
  escalation_level: number | null;
}

const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * The consultation tables (detail, experts, opinions, timeline). The request row itself (number, parties, patient) is
 * read and written through DiagnosisRepository on the same transaction.
 */
export class ConsultationRepository {
  constructor(private readonly db: Db) {}

  transaction<T>(fn: (repo: ConsultationRepository, tx: Db) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn(new ConsultationRepository(tx as unknown as Db), tx as unknown as Db));
  }

  async insertConsultation(row: ConsultationInsert): Promise<void> {
    await this.db.insert(diagnosisConsultations).values(row);
  }

  async consultationOf(requestId: string): Promise<ConsultationRow | undefined> {
    const [row] = await this.db.select().from(diagnosisConsultations).where(eq(diagnosisConsultations.requestId, requestId)).limit(1);
    return row;
  }

  async updateConsultation(requestId: string, set: Partial<ConsultationInsert>): Promise<ConsultationRow> {
    const [row] = await this.db
      .update(diagnosisConsultations)
      .set({ ...set, version: sql`${diagnosisConsultations.version} + 1` })
      .where(eq(diagnosisConsultations.requestId, requestId))
      .returning();
    return row!;
  }

  // ---- experts

  async experts(requestId: string): Promise<(ExpertRow & { name: string })[]> {
    const rows = await this.db
      .select({ e: diagnosisConsultationExperts, name: users.displayName })
      .from(diagnosisConsultationExperts)
      .innerJoin(users, eq(users.id, diagnosisConsultationExperts.userId))
      .where(eq(diagnosisConsultationExperts.requestId, requestId))
      .orderBy(asc(diagnosisConsultationExperts.invitedAt), asc(diagnosisConsultationExperts.id));
    return rows.map((x) => ({ ...x.e, name: x.name }));
  }

  async activeExpertUserIds(requestId: string): Promise<string[]> {
    const rows = await this.db
      .select({ userId: diagnosisConsultationExperts.userId })
      .from(diagnosisConsultationExperts)
      .where(and(eq(diagnosisConsultationExperts.requestId, requestId), inArray(diagnosisConsultationExperts.state, [...activeExpertStates])));
    return rows.map((r) => r.userId);
  }

  async insertExpert(row: typeof diagnosisConsultationExperts.$inferInsert): Promise<void> {
    await this.db.insert(diagnosisConsultationExperts).values(row);
  }

  async updateExpert(id: string, set: Partial<typeof diagnosisConsultationExperts.$inferInsert>): Promise<ExpertRow> {
    const [row] = await this.db.update(diagnosisConsultationExperts).set(set).where(eq(diagnosisConsultationExperts.id, id)).returning();
    return row!;
  }

  // ---- opinions (append-only: there is no update or delete)

  async insertOpinion(row: typeof diagnosisConsultationOpinions.$inferInsert): Promise<void> {
    await this.db.insert(diagnosisConsultationOpinions).values(row);
  }

  async opinions(requestId: string): Promise<OpinionRow[]> {
    return this.db.select().from(diagnosisConsultationOpinions).where(eq(diagnosisConsultationOpinions.requestId, requestId)).orderBy(asc(diagnosisConsultationOpinions.seq));
  }

  // ---- timeline

  async insertEvents(rows: readonly ConsultationEventInsert[]): Promise<void> {
    if (rows.length) await this.db.insert(diagnosisConsultationEvents).values([...rows]);
  }

  async events(requestId: string) {
    return this.db.select().from(diagnosisConsultationEvents).where(eq(diagnosisConsultationEvents.requestId, requestId)).orderBy(asc(diagnosisConsultationEvents.seq));
  }

  /** Overdue and escalation entries the deadline engine wrote for the request (through the diagnosis handler). */
  async deadlineEvents(requestId: string) {
    return this.db
      .select()
      .from(diagnosisEvents)
      .where(and(eq(diagnosisEvents.requestId, requestId), inArray(diagnosisEvents.action, ['overdue', 'escalated'])))
      .orderBy(asc(diagnosisEvents.seq));
  }

  // ---- lists

  private listWhere(f: ConsultationListFilter): SQL {
    const conds: SQL[] = [sql`r.kind = 'consultation'`];
    if ('requesterOrganizationId' in f.scope) conds.push(sql`r.requester_organization_id = ${f.scope.requesterOrganizationId}`);
    else if ('centerIds' in f.scope) conds.push(sql`r.center_id = any(${sql.param([...f.scope.centerIds])}::text[])`);
    else {
      conds.push(sql`exists (select 1 from diagnosis_consultation_experts e where e.request_id = r.id and e.user_id = ${f.scope.expertUserId}
                     and e.state in ('invited', 'accepted'))`);
    }
    if (f.centerId) conds.push(sql`r.center_id = ${f.centerId}`);
    if (f.statuses?.length) conds.push(sql`c.status = any(${sql.param([...f.statuses])}::text[])`);
    if (f.kind) conds.push(sql`c.kind = ${f.kind}`);
    if (f.specialty) conds.push(sql`c.specialty = ${f.specialty}`);
    if (f.overdueOnly) conds.push(sql`d.overdue_at is not null`);
    if (f.patientId) conds.push(sql`r.patient_id = ${f.patientId}`);
    if (f.q) {
      const like = `%${escapeLike(f.q)}%`;
      conds.push(sql`(r.number like ${like} or p.name like ${like} or c.specialty like ${like})`);
    }
    return sql.join(conds, sql` and `);
  }

  private static readonly fromClause = sql`
    from diagnosis_requests r
    join diagnosis_consultations c on c.request_id = r.id
    join patients p on p.id = r.patient_id
    join diagnosis_centers dc on dc.id = r.center_id
    join organizations o on o.id = r.requester_organization_id
    left join deadlines d on d.subject_type = 'diagnosis' and d.subject_id = r.id and d.state in ('running', 'paused')`;

  /** One page: overdue first, then the soonest response due, then the soonest session, then the oldest. */
  async list(f: ConsultationListFilter, page: { offset: number; limit: number }): Promise<{ rows: ConsultationListRow[]; total: number }> {
    const where = this.listWhere(f);
    const rows = await queryRows<ConsultationListRow>(
      this.db,
      sql`select r.id, r.number, c.status, c.kind, r.urgency, c.specialty, r.center_id, dc.name as center_name, o.name as requester_org_name,
                 r.requester_name, r.patient_id, p.name as patient_name, c.scheduled_start,
                 (select array_agg(u.display_name order by e.invited_at, e.id) from diagnosis_consultation_experts e join users u on u.id = e.user_id
                   where e.request_id = r.id and e.state in ('invited', 'accepted')) as experts,
                 r.created_at, d.due_at, d.overdue_at, d.escalation_level
          ${ConsultationRepository.fromClause}
          where ${where}
          order by (d.overdue_at is null), d.due_at asc nulls last, c.scheduled_start asc nulls last, r.created_at asc, r.id
          limit ${page.limit} offset ${page.offset}`,
    );
    const [c] = await queryRows<{ n: string | number }>(this.db, sql`select count(*) as n ${ConsultationRepository.fromClause} where ${where}`);
    return { rows, total: Number(c?.n ?? 0) };
  }
}

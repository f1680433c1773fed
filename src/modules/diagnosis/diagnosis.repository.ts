import { and, asc, desc, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '../../db/client.js';
import {
  diagnosisAttachments, diagnosisCenterMembers, diagnosisCenters, diagnosisCriticalLog, diagnosisCriticalValues, diagnosisEvents,
  diagnosisLabResults, diagnosisReaders, diagnosisReportVersions, diagnosisReports, diagnosisRequests, diagnosisShifts, diagnosisSpecimens, diagnosisTemplates, organizations,
  patients, userRoles, users,
} from '../../db/schema/index.js';
import type { RoleCode, Urgency } from '../../contracts/codes.js';
import { diagnosisStatuses, type DiagnosisStatus, type Modality } from '../../contracts/diagnosis.js';
import type { AttachmentKind, CenterType, ReportStatus } from '../../contracts/diagnosis.js';

export type CenterRow = typeof diagnosisCenters.$inferSelect;
export type ReaderRow = typeof diagnosisReaders.$inferSelect;
export type ShiftRow = typeof diagnosisShifts.$inferSelect;
export type TemplateRow = typeof diagnosisTemplates.$inferSelect;
export type RequestRow = typeof diagnosisRequests.$inferSelect;
export type RequestInsert = typeof diagnosisRequests.$inferInsert;
export type EventInsert = typeof diagnosisEvents.$inferInsert;
export type AttachmentRow = typeof diagnosisAttachments.$inferSelect;
export type ReportRow = typeof diagnosisReports.$inferSelect;
export type ReportVersionRow = typeof diagnosisReportVersions.$inferSelect;
export type CriticalRow = typeof diagnosisCriticalValues.$inferSelect;
export type CriticalLogInsert = typeof diagnosisCriticalLog.$inferInsert;
export type SpecimenRow = typeof diagnosisSpecimens.$inferSelect;
export type SpecimenInsert = typeof diagnosisSpecimens.$inferInsert;
export type LabResultRow = typeof diagnosisLabResults.$inferSelect;
export type LabResultInsert = typeof diagnosisLabResults.$inferInsert;
export interface LabResultRowWithVersion { result: LabResultRow; version: number; versionStatus: ReportStatus; specimenBarcode: string | null }

/** Which requests a list may return — decided by the access rule in the service, never by the client alone. */
export interface RequestListFilter {
  /** Requests of these requesting facilities … */
  requesterOrganizationIds: readonly string[];
  /** … or of these centers (where the actor reads). */
  centerIds: readonly string[];
  centerId?: string | undefined;
  requesterOrganizationId?: string | undefined;
  statuses?: readonly DiagnosisStatus[] | undefined;
  urgency?: Urgency | undefined;
  modality?: Modality | undefined;
  assignedTo?: string | undefined;
  unassigned?: boolean | undefined;
  overdueOnly?: boolean | undefined;
  /** "Now" for `overdueOnly` (the request's clock); the database's clock when absent. */
  asOf?: Date | undefined;
  patientId?: string | undefined;
  q?: string | undefined;
}

export interface RequestListRow {
  id: string;
  number: string;
  status: DiagnosisStatus;
  urgency: Urgency;
  modality: Modality;
  exam_type: string;
  center_id: string;
  center_name: string;
  requester_name: string;
  patient_id: string;
  patient_name: string;
  assigned_name: string | null;
  claimed_name: string | null;
  has_critical: boolean;
  created_at: Date | string;
  due_at: Date | string | null;
  overdue_at: Date | string | null;
  escalation_level: number | null;
}

export interface PatientReportRow {
  request_id: string;
  number: string;
  modality: Modality;
  exam_type: string;
  center_name: string;
  center_type: CenterType;
  status: ReportStatus;
  findings: string;
  impression: string;
  author_name: string;
  signed_off_by_name: string | null;
  reported_at: Date | string;
  version: number;
  has_critical: boolean;
}

const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);
/** A status as an SQL literal — only a member of the closed list passes (the filter comes from zod-checked input, checked again here). */
const statusLiteral = (x: DiagnosisStatus): DiagnosisStatus => {
  if (!(diagnosisStatuses as readonly string[]).includes(x)) throw new Error(`unknown diagnosis status ${String(x)}`);
  return x;
};

/** The only file of the diagnosis module that touches the database. */
export class DiagnosisRepository {
  constructor(private readonly db: Db) {}

  transaction<T>(fn: (repo: DiagnosisRepository, tx: Db) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn(new DiagnosisRepository(tx as unknown as Db), tx as unknown as Db));
  }

  // ---- centers

  async insertCenter(row: typeof diagnosisCenters.$inferInsert): Promise<void> {
    await this.db.insert(diagnosisCenters).values(row);
  }

  async updateCenter(id: string, set: Partial<typeof diagnosisCenters.$inferInsert>): Promise<CenterRow | undefined> {
    const [row] = await this.db.update(diagnosisCenters).set({ ...set, version: sql`${diagnosisCenters.version} + 1` }).where(eq(diagnosisCenters.id, id)).returning();
    return row;
  }

  async centerById(id: string): Promise<CenterRow | undefined> {
    const [row] = await this.db.select().from(diagnosisCenters).where(eq(diagnosisCenters.id, id)).limit(1);
    return row;
  }

  async centers(filter: { ids?: readonly string[]; organizationIds?: readonly string[] } = {}): Promise<CenterRow[]> {
    const conds: SQL[] = [];
    if (filter.ids) conds.push(filter.ids.length ? inArray(diagnosisCenters.id, [...filter.ids]) : sql`false`);
    if (filter.organizationIds) conds.push(filter.organizationIds.length ? inArray(diagnosisCenters.organizationId, [...filter.organizationIds]) : sql`false`);
    return this.db.select().from(diagnosisCenters).where(conds.length ? and(...conds) : undefined).orderBy(asc(diagnosisCenters.name), asc(diagnosisCenters.id));
  }

  async setMembers(centerId: string, organizationIds: readonly string[]): Promise<void> {
    await this.db.delete(diagnosisCenterMembers).where(eq(diagnosisCenterMembers.centerId, centerId));
    if (organizationIds.length) await this.db.insert(diagnosisCenterMembers).values(organizationIds.map((organizationId) => ({ centerId, organizationId })));
  }

  async membersOf(centerIds: readonly string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (centerIds.length === 0) return out;
    const rows = await this.db.select().from(diagnosisCenterMembers).where(inArray(diagnosisCenterMembers.centerId, [...centerIds])).orderBy(asc(diagnosisCenterMembers.organizationId));
    for (const r of rows) out.set(r.centerId, [...(out.get(r.centerId) ?? []), r.organizationId]);
    return out;
  }

  async organization(id: string): Promise<{ id: string; name: string; active: boolean; phone: string | null } | undefined> {
    const [row] = await this.db.select({ id: organizations.id, name: organizations.name, active: organizations.active, phone: organizations.phone }).from(organizations).where(eq(organizations.id, id)).limit(1);
    return row;
  }

  async organizationNames(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.select({ id: organizations.id, name: organizations.name }).from(organizations).where(inArray(organizations.id, [...new Set(ids)]));
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  async existingOrganizationIds(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    return (await this.db.select({ id: organizations.id }).from(organizations).where(inArray(organizations.id, [...ids]))).map((r) => r.id);
  }

  // ---- readers and roster

  async insertReader(row: typeof diagnosisReaders.$inferInsert): Promise<void> {
    await this.db.insert(diagnosisReaders).values(row);
  }

  async updateReader(id: string, set: Partial<typeof diagnosisReaders.$inferInsert>): Promise<ReaderRow | undefined> {
    const [row] = await this.db.update(diagnosisReaders).set(set).where(eq(diagnosisReaders.id, id)).returning();
    return row;
  }

  async readerById(id: string): Promise<ReaderRow | undefined> {
    const [row] = await this.db.select().from(diagnosisReaders).where(eq(diagnosisReaders.id, id)).limit(1);
    return row;
  }

  async readersOf(centerId: string): Promise<(ReaderRow & { displayName: string; practitionerId: string | null })[]> {
    const rows = await this.db
      .select({ r: diagnosisReaders, displayName: users.displayName, practitionerId: users.practitionerId })
      .from(diagnosisReaders)
      .innerJoin(users, eq(users.id, diagnosisReaders.userId))
      .where(eq(diagnosisReaders.centerId, centerId))
      .orderBy(asc(users.displayName), asc(diagnosisReaders.id));
    return rows.map((x) => ({ ...x.r, displayName: x.displayName, practitionerId: x.practitionerId }));
  }

  /** Centers where the user is an active reader (and the account is active). */
  async readerCenterIdsOf(userId: string): Promise<string[]> {
    if (!userId) return [];
    const rows = await this.db
      .select({ centerId: diagnosisReaders.centerId })
      .from(diagnosisReaders)
      .innerJoin(diagnosisCenters, eq(diagnosisCenters.id, diagnosisReaders.centerId))
      .where(and(eq(diagnosisReaders.userId, userId), eq(diagnosisReaders.active, true)));
    return rows.map((r) => r.centerId);
  }

  /** Centers where the user is on a duty-head shift at `at`. */
  async dutyHeadCenterIdsOf(userId: string, at: Date): Promise<string[]> {
    if (!userId) return [];
    const rows = await this.db
      .selectDistinct({ centerId: diagnosisShifts.centerId })
      .from(diagnosisShifts)
      .innerJoin(diagnosisReaders, eq(diagnosisReaders.id, diagnosisShifts.readerId))
      .where(and(eq(diagnosisReaders.userId, userId), eq(diagnosisReaders.active, true), eq(diagnosisShifts.role, 'duty-head'),
        sql`${diagnosisShifts.startsAt} <= ${at.toISOString()}::timestamptz`, sql`${diagnosisShifts.endsAt} > ${at.toISOString()}::timestamptz`));
    return rows.map((r) => r.centerId);
  }

  async insertShift(row: typeof diagnosisShifts.$inferInsert): Promise<void> {
    await this.db.insert(diagnosisShifts).values(row);
  }

  async shiftById(id: string): Promise<ShiftRow | undefined> {
    const [row] = await this.db.select().from(diagnosisShifts).where(eq(diagnosisShifts.id, id)).limit(1);
    return row;
  }

  async deleteShift(id: string): Promise<void> {
    await this.db.delete(diagnosisShifts).where(eq(diagnosisShifts.id, id));
  }

  /** Shifts of a center that overlap [from, to), with the reader's account. */
  async shifts(centerId: string, from: Date, to: Date): Promise<(ShiftRow & { userId: string; readerName: string; specialties: string[]; readerActive: boolean })[]> {
    const rows = await this.db
      .select({ s: diagnosisShifts, userId: diagnosisReaders.userId, readerName: users.displayName, specialties: diagnosisReaders.specialties, readerActive: diagnosisReaders.active })
      .from(diagnosisShifts)
      .innerJoin(diagnosisReaders, eq(diagnosisReaders.id, diagnosisShifts.readerId))
      .innerJoin(users, eq(users.id, diagnosisReaders.userId))
      .where(and(eq(diagnosisShifts.centerId, centerId), sql`${diagnosisShifts.startsAt} < ${to.toISOString()}::timestamptz`, sql`${diagnosisShifts.endsAt} > ${from.toISOString()}::timestamptz`))
      .orderBy(asc(diagnosisShifts.startsAt), asc(users.displayName));
    return rows.map((x) => ({ ...x.s, userId: x.userId, readerName: x.readerName, specialties: x.specialties, readerActive: x.readerActive }));
  }

  /** Open items per reader (assigned to or claimed by them) — the load of roster assignment. */
  async openLoad(centerId: string, userIds: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>(userIds.map((u) => [u, 0]));
    if (userIds.length === 0) return out;
    const rows = await queryRows<{ user_id: string; n: string | number }>(
      this.db,
      sql`select coalesce(claimed_by, assigned_user_id) as user_id, count(*) as n from diagnosis_requests
          where center_id = ${centerId} and status in ('requested', 'in-progress', 'preliminary', 'awaiting-signoff')
            and coalesce(claimed_by, assigned_user_id) = any(${sql.param([...userIds])}::text[])
          group by 1`,
    );
    for (const r of rows) out.set(r.user_id, Number(r.n));
    return out;
  }

  // ---- templates

  async insertTemplate(row: typeof diagnosisTemplates.$inferInsert): Promise<void> {
    await this.db.insert(diagnosisTemplates).values(row);
  }

  async updateTemplate(id: string, set: Partial<typeof diagnosisTemplates.$inferInsert>): Promise<TemplateRow | undefined> {
    const [row] = await this.db.update(diagnosisTemplates).set(set).where(eq(diagnosisTemplates.id, id)).returning();
    return row;
  }

  async templateById(id: string): Promise<TemplateRow | undefined> {
    const [row] = await this.db.select().from(diagnosisTemplates).where(eq(diagnosisTemplates.id, id)).limit(1);
    return row;
  }

  async templates(centerId: string, examType?: string): Promise<TemplateRow[]> {
    const conds: SQL[] = [eq(diagnosisTemplates.centerId, centerId)];
    if (examType) conds.push(eq(diagnosisTemplates.examType, examType));
    return this.db.select().from(diagnosisTemplates).where(and(...conds)).orderBy(asc(diagnosisTemplates.examType), asc(diagnosisTemplates.name));
  }

  // ---- requests

  async nextNumber(): Promise<number> {
    const [row] = await queryRows<{ n: string | number }>(this.db, sql`select nextval('diagnosis_request_number_seq') as n`);
    return Number(row!.n);
  }

  async insertRequest(row: RequestInsert): Promise<void> {
    await this.db.insert(diagnosisRequests).values(row);
  }

  async requestById(id: string): Promise<RequestRow | undefined> {
    const [row] = await this.db.select().from(diagnosisRequests).where(eq(diagnosisRequests.id, id)).limit(1);
    return row;
  }

  /** Locks the row for the rest of the transaction: moves of one request are serialised. */
  async requestForUpdate(id: string): Promise<RequestRow | undefined> {
    const [row] = await this.db.select().from(diagnosisRequests).where(eq(diagnosisRequests.id, id)).for('update').limit(1);
    return row;
  }

  async updateRequest(id: string, set: Partial<RequestInsert>): Promise<RequestRow> {
    const [row] = await this.db.update(diagnosisRequests).set({ ...set, version: sql`${diagnosisRequests.version} + 1` }).where(eq(diagnosisRequests.id, id)).returning();
    return row!;
  }

  /**
   * Copies the due time of the request's running deadline (the one due first) onto the request row — null when none
   * runs. Called in the transaction of every move of that clock, after the move, so the worklist order (`list`) is
   * exactly the live deadlines' order. The worker's overdue marks and escalations never change a due time, so it does
   * not call this (and must not: it locks the deadline before the request, the moves the other way round).
   */
  async syncDueAt(requestId: string): Promise<void> {
    await this.db.execute(sql`update diagnosis_requests r
      set due_at = (select min(d.due_at) from deadlines d where d.subject_type = 'diagnosis' and d.subject_id = r.id and d.state = 'running')
      where r.id = ${requestId}`);
  }

  /**
   * The exclusive claim (architecture.md defect family 1): one conditional UPDATE — the row is claimed only if nobody
   * holds it, it waits in the queue, and it is assigned to nobody else. Exactly one of many concurrent claims returns
   * the row; the others get nothing back.
   */
  async claim(id: string, userId: string, at: Date): Promise<RequestRow | undefined> {
    const [row] = await this.db
      .update(diagnosisRequests)
      .set({ claimedBy: userId, claimedAt: at, assignedUserId: userId, status: 'in-progress', updatedAt: at, version: sql`${diagnosisRequests.version} + 1` })
      .where(and(
        eq(diagnosisRequests.id, id),
        isNull(diagnosisRequests.claimedBy),
        eq(diagnosisRequests.status, 'requested'),
        or(isNull(diagnosisRequests.assignedUserId), eq(diagnosisRequests.assignedUserId, userId)),
      ))
      .returning();
    return row;
  }

  async insertEvents(rows: readonly EventInsert[]): Promise<void> {
    if (rows.length) await this.db.insert(diagnosisEvents).values([...rows]);
  }

  async events(requestId: string) {
    return this.db.select().from(diagnosisEvents).where(eq(diagnosisEvents.requestId, requestId)).orderBy(asc(diagnosisEvents.seq));
  }

  private listWhere(f: RequestListFilter): SQL {
    const conds: SQL[] = [
      // Teleconsultations are listed by their own service (consultation.repository.ts).
      sql`r.kind = 'exam'`,
    ];
    // The scope the service decided. When the list is of one center the scope allows, `center_id = centerId` below
    // already implies it: the OR would be a second, weaker-looking copy of the same fact that keeps the count from being
    // index-only. Otherwise each side is kept only when it can match (an empty side is `false`, not a parameter).
    const scopeImplied = !!f.centerId && f.centerIds.includes(f.centerId);
    if (!scopeImplied) {
      const sides: SQL[] = [];
      if (f.requesterOrganizationIds.length) sides.push(sql`r.requester_organization_id = any(${sql.param([...f.requesterOrganizationIds])}::text[])`);
      if (f.centerIds.length) sides.push(sql`r.center_id = any(${sql.param([...f.centerIds])}::text[])`);
      conds.push(sides.length ? sql`(${sql.join(sides, sql` or `)})` : sql`false`);
    }
    if (f.centerId) conds.push(sql`r.center_id = ${f.centerId}`);
    if (f.requesterOrganizationId) conds.push(sql`r.requester_organization_id = ${f.requesterOrganizationId}`);
    // Inlined (the values are the closed enum, checked here): a partial index's predicate can be proven only from constants.
    if (f.statuses?.length) conds.push(sql`r.status in (${sql.raw(f.statuses.map((x) => `'${statusLiteral(x)}'`).join(', '))})`);
    if (f.urgency) conds.push(sql`r.urgency = ${f.urgency}`);
    if (f.modality) conds.push(sql`r.modality = ${f.modality}`);
    if (f.assignedTo) conds.push(sql`(r.claimed_by = ${f.assignedTo} or (r.claimed_by is null and r.assigned_user_id = ${f.assignedTo}))`);
    if (f.unassigned) conds.push(sql`(r.claimed_by is null and r.assigned_user_id is null)`);
    // Overdue = the running clock's due time has passed. The worker's overdue mark (deadlines.overdue_at) follows within
    // a tick; a paused clock (returned for a retake) is not overdue while it is stopped.
    if (f.overdueOnly) conds.push(sql`r.due_at <= ${(f.asOf ?? new Date()).toISOString()}::timestamptz`);
    if (f.patientId) conds.push(sql`r.patient_id = ${f.patientId}`);
    if (f.q) {
      const like = `%${escapeLike(f.q)}%`;
      conds.push(sql`(r.number like ${like} or p.name like ${like} or r.exam_type like ${like})`);
    }
    return sql.join(conds, sql` and `);
  }

  /**
   * One page of a worklist: soonest due first (an overdue item is due earliest), then those with no running clock, then
   * oldest. In two steps — the ordered ids of the page from `diagnosis_requests` alone (its `due_at` carries the running
   * deadline's due time, so a center's page is a range scan of `diagnosis_requests_worklist_idx` with LIMIT), then the
   * display columns and deadline facts of those ids only — and a count over the requests alone (patients joined only for
   * a text search).
   */
  async list(f: RequestListFilter, page: { offset: number; limit: number }): Promise<{ rows: RequestListRow[]; total: number }> {
    const where = this.listWhere(f);
    const from = sql`from diagnosis_requests r ${f.q ? sql`join patients p on p.id = r.patient_id` : sql``}`;
    const ordered = await queryRows<{ id: string }>(
      this.db,
      sql`select r.id ${from} where ${where}
          order by r.due_at asc nulls last, r.created_at asc, r.id
          limit ${page.limit} offset ${page.offset}`,
    );
    const [c] = await queryRows<{ n: string | number }>(this.db, sql`select count(*) as n ${from} where ${where}`);
    const total = Number(c?.n ?? 0);
    if (ordered.length === 0) return { rows: [], total };
    const ids = ordered.map((r) => r.id);
    const details = await queryRows<RequestListRow>(
      this.db,
      sql`select r.id, r.number, r.status, r.urgency, r.modality, r.exam_type, r.center_id, c.name as center_name, o.name as requester_name,
                 r.patient_id, p.name as patient_name,
                 (select display_name from users where id = r.assigned_user_id) as assigned_name,
                 (select display_name from users where id = r.claimed_by) as claimed_name,
                 exists (select 1 from diagnosis_critical_values cv where cv.request_id = r.id) as has_critical,
                 r.created_at, d.due_at, d.overdue_at, d.escalation_level
          from diagnosis_requests r
          join patients p on p.id = r.patient_id
          join diagnosis_centers c on c.id = r.center_id
          join organizations o on o.id = r.requester_organization_id
          left join deadlines d on d.subject_type = 'diagnosis' and d.subject_id = r.id and d.state in ('running', 'paused')
          where r.id = any(${sql.param(ids)}::text[])`,
    );
    const byId = new Map(details.map((r) => [r.id, r]));
    // A row that changed state between the two reads still shows, as it is now; one deleted meanwhile cannot exist.
    return { rows: ids.flatMap((id) => byId.get(id) ?? []), total };
  }

  /** Is there a request of the patient read by a center where this user reads? (access basis for the patient module) */
  async readsPatient(userId: string, patientId: string): Promise<boolean> {
    const rows = await queryRows<{ one: number }>(
      this.db,
      sql`select 1 as one from diagnosis_requests r join diagnosis_readers dr on dr.center_id = r.center_id
          where r.patient_id = ${patientId} and dr.user_id = ${userId} and dr.active and r.status <> 'cancelled' limit 1`,
    );
    return rows.length > 0;
  }

  // ---- attachments

  async insertAttachment(row: typeof diagnosisAttachments.$inferInsert): Promise<void> {
    await this.db.insert(diagnosisAttachments).values(row);
  }

  async attachmentById(requestId: string, attachmentId: string): Promise<AttachmentRow | undefined> {
    const [row] = await this.db.select().from(diagnosisAttachments).where(and(eq(diagnosisAttachments.requestId, requestId), eq(diagnosisAttachments.id, attachmentId))).limit(1);
    return row;
  }

  /** The request's DICOM attachment with this SOP Instance UID (call under the request's row lock: uploads are serialised per request). */
  async dicomAttachmentBySop(requestId: string, sopInstanceUid: string): Promise<AttachmentRow | undefined> {
    const [row] = await this.db
      .select()
      .from(diagnosisAttachments)
      .where(and(eq(diagnosisAttachments.requestId, requestId), eq(diagnosisAttachments.kind, 'dicom'), sql`${diagnosisAttachments.meta}->>'sopInstanceUid' = ${sopInstanceUid}`))
      .limit(1);
    return row;
  }

  // ---- lab (检验): specimens and result values

  /**
   * Registers specimens: `INSERT … ON CONFLICT (barcode) DO NOTHING RETURNING` — the unique index decides, so two
   * registrations racing for one barcode cannot both win. Returns the barcodes that were inserted; the caller compares
   * with what it sent and rolls the transaction back when one is missing (taken by another specimen).
   */
  async insertSpecimens(rows: readonly SpecimenInsert[]): Promise<string[]> {
    if (rows.length === 0) return [];
    const inserted = await this.db
      .insert(diagnosisSpecimens)
      .values([...rows])
      .onConflictDoNothing({ target: diagnosisSpecimens.barcode })
      .returning({ barcode: diagnosisSpecimens.barcode });
    return inserted.map((r) => r.barcode);
  }

  async specimensOf(requestId: string): Promise<SpecimenRow[]> {
    return this.db.select().from(diagnosisSpecimens).where(eq(diagnosisSpecimens.requestId, requestId)).orderBy(asc(diagnosisSpecimens.createdAt), asc(diagnosisSpecimens.barcode));
  }

  async specimenById(requestId: string, specimenId: string): Promise<SpecimenRow | undefined> {
    const [row] = await this.db.select().from(diagnosisSpecimens).where(and(eq(diagnosisSpecimens.requestId, requestId), eq(diagnosisSpecimens.id, specimenId))).limit(1);
    return row;
  }

  /** The specimen with this barcode on a request of one of these centers (a scan at the lab bench finds only its own). */
  async specimenByBarcodeAt(barcode: string, centerIds: readonly string[]): Promise<SpecimenRow | undefined> {
    if (centerIds.length === 0) return undefined;
    const [row] = await this.db
      .select({ specimen: diagnosisSpecimens })
      .from(diagnosisSpecimens)
      .innerJoin(diagnosisRequests, eq(diagnosisRequests.id, diagnosisSpecimens.requestId))
      .where(and(eq(diagnosisSpecimens.barcode, barcode), inArray(diagnosisRequests.centerId, [...centerIds])))
      .limit(1);
    return row?.specimen;
  }

  /** The lab's receipt, recorded once: a conditional UPDATE … WHERE state = 'registered'; undefined when already received. */
  async receiveSpecimen(specimenId: string, set: { receivedAt: Date; receivedBy: string | null; receivedByName: string }): Promise<SpecimenRow | undefined> {
    const [row] = await this.db
      .update(diagnosisSpecimens)
      .set({ ...set, state: 'received' })
      .where(and(eq(diagnosisSpecimens.id, specimenId), eq(diagnosisSpecimens.state, 'registered')))
      .returning();
    return row;
  }

  /** Appends the result values of a report version; there is no update or delete for them (append-only). */
  async insertLabResults(rows: readonly LabResultInsert[]): Promise<void> {
    if (rows.length === 0) return;
    await this.db.insert(diagnosisLabResults).values([...rows]);
  }

  /** Every result value of a request with its version number and the barcode of its specimen, by version then position. */
  async labResultsOf(requestId: string): Promise<LabResultRowWithVersion[]> {
    return this.db
      .select({
        result: diagnosisLabResults, version: diagnosisReportVersions.version, versionStatus: diagnosisReportVersions.status, specimenBarcode: diagnosisSpecimens.barcode,
      })
      .from(diagnosisLabResults)
      .innerJoin(diagnosisReportVersions, eq(diagnosisReportVersions.id, diagnosisLabResults.reportVersionId))
      .leftJoin(diagnosisSpecimens, eq(diagnosisSpecimens.id, diagnosisLabResults.specimenId))
      .where(eq(diagnosisLabResults.requestId, requestId))
      .orderBy(asc(diagnosisReportVersions.version), asc(diagnosisLabResults.position));
  }

  /** Released final and amended reports of a patient across centers, newest first (the patient's record). */
  async patientReports(patientId: string, page: { offset: number; limit: number }): Promise<{ rows: PatientReportRow[]; total: number }> {
    const where = sql`r.patient_id = ${patientId} and rep.status in ('final', 'amended')`;
    const rows = await queryRows<PatientReportRow>(
      this.db,
      sql`select r.id as request_id, r.number, r.modality, r.exam_type, c.name as center_name, c.type as center_type, rep.status, rep.findings, rep.impression,
                 rep.author_name, rep.signed_off_by_name, rep.updated_at as reported_at, rep.version,
                 exists (select 1 from diagnosis_critical_values cv where cv.request_id = r.id) as has_critical
          from diagnosis_requests r join diagnosis_reports rep on rep.request_id = r.id join diagnosis_centers c on c.id = r.center_id
          where ${where}
          order by rep.updated_at desc, r.id
          limit ${page.limit} offset ${page.offset}`,
    );
    const [c] = await queryRows<{ n: string | number }>(this.db, sql`select count(*) as n from diagnosis_requests r join diagnosis_reports rep on rep.request_id = r.id where ${where}`);
    return { rows, total: Number(c?.n ?? 0) };
  }

  async attachments(requestId: string): Promise<AttachmentRow[]> {
    return this.db.select().from(diagnosisAttachments).where(eq(diagnosisAttachments.requestId, requestId)).orderBy(asc(diagnosisAttachments.uploadedAt), asc(diagnosisAttachments.id));
  }

  // ---- reports

  async reportOf(requestId: string): Promise<ReportRow | undefined> {
    const [row] = await this.db.select().from(diagnosisReports).where(eq(diagnosisReports.requestId, requestId)).limit(1);
    return row;
  }

  async insertReport(row: typeof diagnosisReports.$inferInsert): Promise<void> {
    await this.db.insert(diagnosisReports).values(row);
  }

  async updateReport(id: string, set: Partial<typeof diagnosisReports.$inferInsert>): Promise<ReportRow> {
    const [row] = await this.db.update(diagnosisReports).set({ ...set, version: sql`${diagnosisReports.version} + 1` }).where(eq(diagnosisReports.id, id)).returning();
    return row!;
  }

  /** Appends a version; versions are never updated or deleted (there is no method for it). */
  async insertReportVersion(row: typeof diagnosisReportVersions.$inferInsert): Promise<void> {
    await this.db.insert(diagnosisReportVersions).values(row);
  }

  async reportVersions(reportId: string): Promise<ReportVersionRow[]> {
    return this.db.select().from(diagnosisReportVersions).where(eq(diagnosisReportVersions.reportId, reportId)).orderBy(asc(diagnosisReportVersions.version));
  }

  // ---- critical values

  async insertCritical(row: typeof diagnosisCriticalValues.$inferInsert): Promise<void> {
    await this.db.insert(diagnosisCriticalValues).values(row);
  }

  async criticalById(id: string): Promise<CriticalRow | undefined> {
    const [row] = await this.db.select().from(diagnosisCriticalValues).where(eq(diagnosisCriticalValues.id, id)).limit(1);
    return row;
  }

  async criticalsOf(requestId: string): Promise<CriticalRow[]> {
    return this.db.select().from(diagnosisCriticalValues).where(eq(diagnosisCriticalValues.requestId, requestId)).orderBy(asc(diagnosisCriticalValues.flaggedAt), asc(diagnosisCriticalValues.id));
  }

  /** Records the acknowledgement once: a conditional UPDATE on the open state (a second acknowledgement gets nothing). */
  async acknowledgeCritical(id: string, set: Pick<typeof diagnosisCriticalValues.$inferInsert, 'acknowledgedAt' | 'acknowledgedBy' | 'acknowledgedByName' | 'receivedBy' | 'readBack' | 'actionTaken'>): Promise<CriticalRow | undefined> {
    const [row] = await this.db
      .update(diagnosisCriticalValues)
      .set({ ...set, state: 'acknowledged' })
      .where(and(eq(diagnosisCriticalValues.id, id), eq(diagnosisCriticalValues.state, 'open')))
      .returning();
    return row;
  }

  /** Appends to the callback log. The log has no update or delete method: it is append-only by construction. */
  async appendCriticalLog(rows: readonly CriticalLogInsert[]): Promise<void> {
    if (rows.length) await this.db.insert(diagnosisCriticalLog).values([...rows]);
  }

  async criticalLog(criticalIds: readonly string[]) {
    if (criticalIds.length === 0) return [];
    return this.db.select().from(diagnosisCriticalLog).where(inArray(diagnosisCriticalLog.criticalValueId, [...criticalIds])).orderBy(asc(diagnosisCriticalLog.seq));
  }

  async listCriticals(f: { organizationIds: readonly string[]; centerIds: readonly string[]; state?: 'open' | 'acknowledged' | undefined }, page: { offset: number; limit: number }): Promise<{ rows: CriticalRow[]; total: number }> {
    const scope = or(
      f.organizationIds.length ? inArray(diagnosisCriticalValues.organizationId, [...f.organizationIds]) : sql`false`,
      f.centerIds.length ? inArray(diagnosisCriticalValues.centerId, [...f.centerIds]) : sql`false`,
    )!;
    const where = f.state ? and(scope, eq(diagnosisCriticalValues.state, f.state)) : scope;
    const rows = await this.db.select().from(diagnosisCriticalValues).where(where).orderBy(desc(diagnosisCriticalValues.flaggedAt), asc(diagnosisCriticalValues.id)).limit(page.limit).offset(page.offset);
    const [c] = await this.db.select({ n: sql<number>`count(*)::int` }).from(diagnosisCriticalValues).where(where);
    return { rows, total: Number(c?.n ?? 0) };
  }

  // ---- people

  async userName(userId: string): Promise<{ id: string; displayName: string; organizationId: string | null; active: boolean } | undefined> {
    const [row] = await this.db.select({ id: users.id, displayName: users.displayName, organizationId: users.organizationId, active: users.active }).from(users).where(eq(users.id, userId)).limit(1);
    return row;
  }

  async userNames(ids: readonly (string | null)[]): Promise<Map<string, string>> {
    const list = [...new Set(ids.filter((x): x is string => !!x))];
    if (list.length === 0) return new Map();
    const rows = await this.db.select({ id: users.id, name: users.displayName }).from(users).where(inArray(users.id, list));
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /** Active users of an organization with any of the roles (notification and escalation recipients). */
  async userIdsAt(organizationId: string, roles: readonly RoleCode[]): Promise<string[]> {
    const rows = await this.db
      .selectDistinct({ id: users.id })
      .from(users)
      .innerJoin(userRoles, eq(userRoles.userId, users.id))
      .where(and(eq(users.organizationId, organizationId), eq(users.active, true), inArray(userRoles.role, [...roles])));
    return rows.map((r) => r.id).sort();
  }

  async activeReaderUserIds(centerId: string): Promise<string[]> {
    const rows = await this.db
      .select({ id: users.id })
      .from(diagnosisReaders)
      .innerJoin(users, eq(users.id, diagnosisReaders.userId))
      .where(and(eq(diagnosisReaders.centerId, centerId), eq(diagnosisReaders.active, true), eq(users.active, true)));
    return rows.map((r) => r.id).sort();
  }

  /** Alliance administrators (医共体办公室) at the lead organizations of the alliances `organizationId` belongs to on `day`. */
  async allianceOfficeUserIds(organizationId: string, day: string): Promise<string[]> {
    const rows = await queryRows<{ id: string }>(
      this.db,
      sql`select distinct u.id from users u join user_roles ur on ur.user_id = u.id and ur.role = 'alliance-admin'
          where u.active and u.organization_id in (
            select a.lead_organization_id from alliances a join alliance_memberships m on m.alliance_id = a.id
            where m.organization_id = ${organizationId} and m.valid_from <= ${day}::date and (m.valid_to is null or m.valid_to > ${day}::date)
              and a.kind in ('county-community', 'city-group'))
          order by u.id`,
    );
    return rows.map((r) => r.id);
  }

  async patient(id: string) {
    const [row] = await this.db
      .select({ id: patients.id, name: patients.name, sex: patients.sex, birthDate: patients.birthDate, countyCode: patients.countyCode })
      .from(patients)
      .where(eq(patients.id, id))
      .limit(1);
    return row;
  }

  // ---- FHIR façade searches (src/modules/fhir/fhir-diagnosis.*)

  /** Ids of one page of requests for a FHIR search, newest (or oldest) submission first, and the total. */
  async searchForFhir(f: FhirRequestFilter, page: { offset: number; limit: number }): Promise<{ ids: string[]; total: number }> {
    const conds: SQL[] = [
      // Teleconsultations are not exposed as FHIR ServiceRequests yet (their own API, consultation.routes.ts).
      sql`r.kind = 'exam'`,
      sql`(r.requester_organization_id = any(${sql.param([...f.requesterOrganizationIds])}::text[]) or r.center_id = any(${sql.param([...f.centerIds])}::text[]))`,
    ];
    if (f.ids) conds.push(sql`r.id = any(${sql.param([...f.ids])}::text[])`);
    if (f.centerTypes) conds.push(sql`c.type = any(${sql.param([...f.centerTypes])}::text[])`);
    if (f.centerOrganizationId) conds.push(sql`r.center_organization_id = ${f.centerOrganizationId}`);
    if (f.requesterOrganizationId) conds.push(sql`r.requester_organization_id = ${f.requesterOrganizationId}`);
    if (f.patientId) conds.push(sql`r.patient_id = ${f.patientId}`);
    if (f.statuses) conds.push(sql`r.status = any(${sql.param([...f.statuses])}::text[])`);
    if (f.urgencies) conds.push(sql`r.urgency = any(${sql.param([...f.urgencies])}::text[])`);
    if (f.submittedFrom) conds.push(sql`r.submitted_at >= ${f.submittedFrom.toISOString()}::timestamptz`);
    if (f.submittedBefore) conds.push(sql`r.submitted_at < ${f.submittedBefore.toISOString()}::timestamptz`);
    if (f.unclaimed) conds.push(sql`r.claimed_by is null`);
    if (f.claimedByPractitionerId) conds.push(sql`r.claimed_by in (select id from users where practitioner_id = ${f.claimedByPractitionerId})`);
    if (f.attachmentKind) conds.push(sql`exists (select 1 from diagnosis_attachments a where a.request_id = r.id and a.kind = ${f.attachmentKind})`);
    if (f.withCriticalValue) conds.push(sql`exists (select 1 from diagnosis_critical_values cv where cv.request_id = r.id)`);
    if (f.releasedReportStatuses) {
      // The latest released version decides (what the requester sees); draft and pending-signoff versions never count.
      conds.push(sql`(select v.status from diagnosis_reports rep join diagnosis_report_versions v on v.report_id = rep.id
                      where rep.request_id = r.id and v.status in ('preliminary', 'final', 'amended')
                      order by v.version desc limit 1) = any(${sql.param([...f.releasedReportStatuses])}::text[])`);
    }
    const where = sql.join(conds, sql` and `);
    const from = sql`from diagnosis_requests r join diagnosis_centers c on c.id = r.center_id`;
    const order = f.sort === 'submitted-asc' ? sql`r.submitted_at asc, r.id asc` : sql`r.submitted_at desc, r.id desc`;
    const rows = page.limit > 0 ? await queryRows<{ id: string }>(this.db, sql`select r.id ${from} where ${where} order by ${order} limit ${page.limit} offset ${page.offset}`) : [];
    const [c] = await queryRows<{ n: string | number }>(this.db, sql`select count(*) as n ${from} where ${where}`);
    return { ids: rows.map((r) => r.id), total: Number(c?.n ?? 0) };
  }
}

/** A FHIR search over requests; the scope (first two fields) comes from the access rule in the service. */
export interface FhirRequestFilter {
  requesterOrganizationIds: readonly string[];
  centerIds: readonly string[];
  ids?: readonly string[] | undefined;
  centerTypes?: readonly CenterType[] | undefined;
  centerOrganizationId?: string | undefined;
  requesterOrganizationId?: string | undefined;
  patientId?: string | undefined;
  statuses?: readonly DiagnosisStatus[] | undefined;
  urgencies?: readonly Urgency[] | undefined;
  submittedFrom?: Date | undefined;
  /** Exclusive. */
  submittedBefore?: Date | undefined;
  unclaimed?: boolean | undefined;
  claimedByPractitionerId?: string | undefined;
  attachmentKind?: AttachmentKind | undefined;
  withCriticalValue?: boolean | undefined;
  /** Only requests whose latest released report version has one of these statuses. */
  releasedReportStatuses?: readonly ReportStatus[] | undefined;
  sort?: 'submitted-desc' | 'submitted-asc' | undefined;
}

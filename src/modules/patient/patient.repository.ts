import { and, asc, count, desc, eq, gte, inArray, lte, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { divisions, organizations, patients } from '../../db/schema/index.js';

export type PatientRow = typeof patients.$inferSelect & { managingOrganizationName: string; residenceDivisionName: string | null };
export type PatientInsert = typeof patients.$inferInsert;

/** What the duplicate checks need of a registered patient. */
export interface RegisteredPerson {
  id: string;
  idNumber: string | null;
  name: string;
  birthDate: string;
  phone: string | null;
  managingOrganizationId: string;
  managingOrganizationName: string;
}

export interface DivisionRef {
  code: string;
  fullName: string;
  countyCode: string | null;
  level: string;
}

/** Rows per INSERT statement: PostgreSQL allows 65,535 parameters in one statement. */
const rowsPerInsert = 1000;

export interface PatientFilter {
  /** Organizations whose patients may be returned — from the access rule, never from the client alone. */
  scopeOrganizationIds: readonly string[];
  idNumber?: string | undefined;
  namePrefix?: string | undefined;
  nameExact?: string | undefined;
  birthDate?: string | undefined;
  /** Inclusive range, for FHIR `birthdate=geYYYY-MM-DD` / `le…`. */
  birthDateFrom?: string | undefined;
  birthDateTo?: string | undefined;
  sex?: 'male' | 'female' | undefined;
  phone?: string | undefined;
  organizationId?: string | undefined;
  ids?: readonly string[] | undefined;
}

const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The only file of the patient module that touches the database. */
export class PatientRepository {
  constructor(private readonly db: Db) {}

  private base() {
    return this.db
      .select({ p: patients, managingOrganizationName: organizations.name, residenceDivisionName: divisions.fullName })
      .from(patients)
      .innerJoin(organizations, eq(organizations.id, patients.managingOrganizationId))
      .leftJoin(divisions, eq(divisions.code, patients.residenceDivisionCode));
  }

  private flatten(rows: { p: typeof patients.$inferSelect; managingOrganizationName: string; residenceDivisionName: string | null }[]): PatientRow[] {
    return rows.map((r) => ({ ...r.p, managingOrganizationName: r.managingOrganizationName, residenceDivisionName: r.residenceDivisionName }));
  }

  async byId(id: string): Promise<PatientRow | undefined> {
    return this.flatten(await this.base().where(eq(patients.id, id)).limit(1))[0];
  }

  async byIdNumber(idNumber: string): Promise<PatientRow | undefined> {
    return this.flatten(await this.base().where(eq(patients.idNumber, idNumber)).limit(1))[0];
  }

  private registered() {
    return this.db
      .select({
        id: patients.id, idNumber: patients.idNumber, name: patients.name, birthDate: patients.birthDate, phone: patients.phone,
        managingOrganizationId: patients.managingOrganizationId, managingOrganizationName: organizations.name,
      })
      .from(patients)
      .innerJoin(organizations, eq(organizations.id, patients.managingOrganizationId));
  }

  /** Patients holding any of these ID numbers: one query (`= any($1)`), whatever the number of ID numbers. */
  async registeredWithIdNumbers(idNumbers: readonly string[]): Promise<RegisteredPerson[]> {
    if (idNumbers.length === 0) return [];
    return this.registered().where(sql`${patients.idNumber} = any(${sql.param([...idNumbers])}::text[])`);
  }

  /**
   * Patients born on any of these dates, for duplicate suggestions: one query, oldest registration first (the order
   * in which suggestions are listed). Every one of them: a cap would silently miss a duplicate.
   */
  async registeredBornOn(birthDates: readonly string[]): Promise<RegisteredPerson[]> {
    if (birthDates.length === 0) return [];
    return this.registered()
      .where(sql`${patients.birthDate} = any(${sql.param([...birthDates])}::date[])`)
      .orderBy(asc(patients.createdAt), asc(patients.id));
  }

  private where(f: PatientFilter): SQL | undefined {
    const conds: (SQL | undefined)[] = [
      inArray(patients.managingOrganizationId, f.scopeOrganizationIds.length ? [...f.scopeOrganizationIds] : ['']),
    ];
    if (f.idNumber) conds.push(eq(patients.idNumber, f.idNumber));
    // Chinese has no letter case; LIKE under the "C" collation is what the name indexes serve (see schema).
    if (f.namePrefix) conds.push(sql`${patients.name} collate "C" like ${`${escapeLike(f.namePrefix)}%`}`);
    if (f.nameExact) conds.push(eq(patients.name, f.nameExact));
    if (f.birthDate) conds.push(eq(patients.birthDate, f.birthDate));
    if (f.birthDateFrom) conds.push(gte(patients.birthDate, f.birthDateFrom));
    if (f.birthDateTo) conds.push(lte(patients.birthDate, f.birthDateTo));
    if (f.sex) conds.push(eq(patients.sex, f.sex));
    if (f.phone) conds.push(eq(patients.phone, f.phone));
    if (f.organizationId) conds.push(eq(patients.managingOrganizationId, f.organizationId));
    if (f.ids) conds.push(inArray(patients.id, f.ids.length ? [...f.ids] : ['']));
    return and(...conds);
  }

  async search(f: PatientFilter, page: { offset: number; limit: number; sort: 'name' | 'birthDate' | 'createdAt' }) {
    const where = this.where(f);
    const order = page.sort === 'birthDate' ? desc(patients.birthDate) : page.sort === 'createdAt' ? desc(patients.createdAt) : sql`${patients.name} collate "C"`;
    const [total] = await this.db.select({ n: count() }).from(patients).where(where);
    const rows = this.flatten(await this.base().where(where).orderBy(order, asc(patients.id)).offset(page.offset).limit(page.limit));
    return { rows, total: total?.n ?? 0 };
  }

  async count(f: PatientFilter): Promise<number> {
    const [total] = await this.db.select({ n: count() }).from(patients).where(this.where(f));
    return total?.n ?? 0;
  }

  /**
   * Inserts the rows whose ID number is not registered yet and returns the ids of those inserted. A row left out lost
   * a race: someone registered its ID number after it was checked — the unique index decides, never a prior SELECT.
   * Rows go in ID-number order, so two batches sharing ID numbers take their index locks in one order (no deadlock).
   */
  async insertNew(rows: readonly PatientInsert[]): Promise<Set<string>> {
    const key = (r: PatientInsert) => r.idNumber ?? '';
    const sorted = [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    const inserted = new Set<string>();
    for (let i = 0; i < sorted.length; i += rowsPerInsert) {
      const returned = await this.db
        .insert(patients)
        .values(sorted.slice(i, i + rowsPerInsert))
        .onConflictDoNothing({ target: patients.idNumber })
        .returning({ id: patients.id });
      for (const r of returned) inserted.add(r.id);
    }
    return inserted;
  }

  /** Runs `fn` in one transaction; `tx` is for other modules' writes that must commit with it (the audit row). */
  transaction<T>(fn: (repo: PatientRepository, tx: Db) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn(new PatientRepository(tx as unknown as Db), tx as unknown as Db));
  }

  /** Optimistic update: applies only when the stored version is `expectedVersion`; returns whether it applied. */
  async update(id: string, expectedVersion: number, set: Partial<typeof patients.$inferInsert>, at: Date): Promise<boolean> {
    const rows = await this.db
      .update(patients)
      .set({ ...set, version: sql`${patients.version} + 1`, updatedAt: at })
      .where(and(eq(patients.id, id), eq(patients.version, expectedVersion)))
      .returning({ id: patients.id });
    return rows.length === 1;
  }

  async divisionsByCode(codes: readonly string[]): Promise<Map<string, DivisionRef>> {
    if (codes.length === 0) return new Map();
    const rows = await this.db
      .select({ code: divisions.code, fullName: divisions.fullName, countyCode: divisions.countyCode, level: divisions.level })
      .from(divisions)
      .where(sql`${divisions.code} = any(${sql.param([...codes])}::text[])`);
    return new Map(rows.map((d) => [d.code, d]));
  }

  /** Names of the organizations that exist among `ids`. */
  async organizationNames(ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db
      .select({ id: organizations.id, name: organizations.name })
      .from(organizations)
      .where(sql`${organizations.id} = any(${sql.param([...ids])}::text[])`);
    return new Map(rows.map((o) => [o.id, o.name]));
  }

  async division(code: string) {
    const [row] = await this.db.select({ code: divisions.code, fullName: divisions.fullName, countyCode: divisions.countyCode, level: divisions.level }).from(divisions).where(eq(divisions.code, code)).limit(1);
    return row;
  }

  async organizationExists(id: string): Promise<boolean> {
    const [row] = await this.db.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, id)).limit(1);
    return !!row;
  }
}

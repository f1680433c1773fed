import { and, asc, count, desc, eq, gte, inArray, lte, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { divisions, organizations, patients } from '../../db/schema/index.js';

export type PatientRow = typeof patients.$inferSelect & { managingOrganizationName: string; residenceDivisionName: string | null };

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

  async sameBirthDate(birthDate: string): Promise<PatientRow[]> {
    return this.flatten(await this.base().where(eq(patients.birthDate, birthDate)).limit(500));
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

  async insert(row: typeof patients.$inferInsert): Promise<void> {
    await this.db.insert(patients).values(row);
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

  async division(code: string) {
    const [row] = await this.db.select({ code: divisions.code, fullName: divisions.fullName, countyCode: divisions.countyCode, level: divisions.level }).from(divisions).where(eq(divisions.code, code)).limit(1);
    return row;
  }

  async organizationExists(id: string): Promise<boolean> {
    const [row] = await this.db.select({ id: organizations.id }).from(organizations).where(eq(organizations.id, id)).limit(1);
    return !!row;
  }
}

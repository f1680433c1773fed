import { and, count, eq, gt, ilike, inArray, isNull, lt, or, sql, asc } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { accessTokens, oauthClients, organizations, userRoles, users } from '../../db/schema/index.js';
import type { RoleCode } from '../../contracts/codes.js';

export type UserRow = typeof users.$inferSelect;
export interface UserWithRoles extends UserRow {
  roles: RoleCode[];
  organizationName: string | null;
}

/** The only file of the identity module that touches the database. */
export class IdentityRepository {
  constructor(private readonly db: Db) {}

  async findUserByUsername(username: string): Promise<UserRow | undefined> {
    const [row] = await this.db.select().from(users).where(eq(users.username, username)).limit(1);
    return row;
  }

  async findUserById(id: string): Promise<UserWithRoles | undefined> {
    const [row] = await this.withRoles(await this.db.select().from(users).where(eq(users.id, id)).limit(1));
    return row;
  }

  async rolesOf(userId: string): Promise<RoleCode[]> {
    const rows = await this.db.select({ role: userRoles.role }).from(userRoles).where(eq(userRoles.userId, userId));
    return rows.map((r) => r.role).sort();
  }

  async withRoles(rows: UserRow[]): Promise<UserWithRoles[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const roleRows = await this.db.select().from(userRoles).where(inArray(userRoles.userId, ids));
    const orgIds = [...new Set(rows.map((r) => r.organizationId).filter((x): x is string => !!x))];
    const orgRows = orgIds.length
      ? await this.db.select({ id: organizations.id, name: organizations.name }).from(organizations).where(inArray(organizations.id, orgIds))
      : [];
    const orgName = new Map(orgRows.map((o) => [o.id, o.name]));
    return rows.map((r) => ({
      ...r,
      roles: roleRows.filter((x) => x.userId === r.id).map((x) => x.role).sort(),
      organizationName: r.organizationId ? (orgName.get(r.organizationId) ?? null) : null,
    }));
  }

  async listUsers(filter: { q?: string | undefined; role?: RoleCode | undefined; organizationIds?: readonly string[] | null; organizationId?: string | undefined; offset: number; limit: number }) {
    const conds = [];
    if (filter.q) conds.push(or(ilike(users.username, `%${escapeLike(filter.q)}%`), ilike(users.displayName, `%${escapeLike(filter.q)}%`)));
    if (filter.organizationId) conds.push(eq(users.organizationId, filter.organizationId));
    if (filter.organizationIds) conds.push(inArray(users.organizationId, filter.organizationIds.length ? [...filter.organizationIds] : ['']));
    if (filter.role) conds.push(sql`exists (select 1 from ${userRoles} where ${userRoles.userId} = ${users.id} and ${userRoles.role} = ${filter.role})`);
    const where = conds.length ? and(...conds) : undefined;
    const [total] = await this.db.select({ n: count() }).from(users).where(where);
    const rows = await this.db.select().from(users).where(where).orderBy(asc(users.username)).offset(filter.offset).limit(filter.limit);
    return { rows: await this.withRoles(rows), total: total?.n ?? 0 };
  }

  async insertUser(tx: Db, user: typeof users.$inferInsert, roles: RoleCode[]): Promise<void> {
    await tx.insert(users).values(user);
    if (roles.length) await tx.insert(userRoles).values(roles.map((role) => ({ userId: user.id, role })));
  }

  async updateUser(tx: Db, id: string, patch: Partial<typeof users.$inferInsert>, roles?: RoleCode[]): Promise<void> {
    await tx.update(users).set({ ...patch, version: sql`${users.version} + 1`, updatedAt: new Date() }).where(eq(users.id, id));
    if (roles) {
      await tx.delete(userRoles).where(eq(userRoles.userId, id));
      if (roles.length) await tx.insert(userRoles).values(roles.map((role) => ({ userId: id, role })));
    }
  }

  /** Counts a failed sign-in atomically (no read-modify-write) and returns the new count. */
  async recordFailedLogin(userId: string): Promise<number> {
    const [row] = await this.db
      .update(users)
      .set({ failedLogins: sql`${users.failedLogins} + 1` })
      .where(eq(users.id, userId))
      .returning({ failedLogins: users.failedLogins });
    return row?.failedLogins ?? 0;
  }

  async lockUser(userId: string, until: Date): Promise<void> {
    await this.db.update(users).set({ lockedUntil: until }).where(eq(users.id, userId));
  }

  async recordSuccessfulLogin(userId: string, at: Date): Promise<void> {
    await this.db.update(users).set({ failedLogins: 0, lockedUntil: null, lastLoginAt: at }).where(eq(users.id, userId));
  }

  async insertToken(row: typeof accessTokens.$inferInsert): Promise<void> {
    await this.db.insert(accessTokens).values(row);
  }

  /**
   * The actor behind a live token in one round trip (it runs on every request): the token must be unexpired and
   * unrevoked, its user active.
   */
  async actorForToken(tokenHash: string, kind: 'bearer' | 'session', now: Date): Promise<{ userId: string; username: string; displayName: string; organizationId: string | null; roles: RoleCode[]; expiresAt: Date } | undefined> {
    const [row] = await this.db
      .select({
        expiresAt: accessTokens.expiresAt,
        userId: users.id,
        username: users.username,
        displayName: users.displayName,
        organizationId: users.organizationId,
        roles: sql<RoleCode[]>`coalesce((select array_agg(r.role order by r.role) from ${userRoles} r where r.user_id = ${users.id}), '{}')`,
      })
      .from(accessTokens)
      .innerJoin(users, eq(users.id, accessTokens.userId))
      .where(and(eq(accessTokens.tokenHash, tokenHash), eq(accessTokens.kind, kind), gt(accessTokens.expiresAt, now), isNull(accessTokens.revokedAt), eq(users.active, true)))
      .limit(1);
    return row ? { ...row, roles: parseTextArray(row.roles) as RoleCode[] } : undefined;
  }

  /** Deletes tokens and sessions that expired before `before`; returns how many. */
  async deleteExpiredTokens(before: Date): Promise<number> {
    const rows = await this.db.delete(accessTokens).where(lt(accessTokens.expiresAt, before)).returning({ h: accessTokens.tokenHash });
    return rows.length;
  }

  async revokeToken(tokenHash: string, at: Date): Promise<void> {
    await this.db.update(accessTokens).set({ revokedAt: at }).where(eq(accessTokens.tokenHash, tokenHash));
  }

  async revokeTokensOf(tx: Db, userId: string, at: Date): Promise<void> {
    await tx.update(accessTokens).set({ revokedAt: at }).where(and(eq(accessTokens.userId, userId), isNull(accessTokens.revokedAt)));
  }

  async findClient(clientId: string) {
    const [row] = await this.db.select().from(oauthClients).where(eq(oauthClients.clientId, clientId)).limit(1);
    return row;
  }

  async insertClient(row: typeof oauthClients.$inferInsert): Promise<void> {
    await this.db.insert(oauthClients).values(row).onConflictDoNothing();
  }

  async organizationByIdOrIdentifier(value: string) {
    const [row] = await this.db
      .select({ id: organizations.id, name: organizations.name, tier: organizations.tier, identifier: organizations.identifier })
      .from(organizations)
      .where(or(eq(organizations.id, value), eq(organizations.identifier, value)))
      .limit(1);
    return row;
  }

}

export const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** node-postgres parses text[] into an array; PGlite may hand back the literal '{a,b}' for an aggregate. */
function parseTextArray(v: unknown): string[] {
  if (Array.isArray(v)) return v as string[];
  if (typeof v === 'string') return v.replace(/^\{|\}$/g, '').split(',').filter(Boolean);
  return [];
}

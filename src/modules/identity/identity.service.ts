import type { Db } from '../../db/client.js';
import type { Actor, RequestContext } from '../../shared/context.js';
import { shanghaiDate } from '../../shared/clock.js';
import { AppError, conflict, forbidden, invalid, notFound } from '../../shared/errors.js';
import { newId, randomSecret, sha256 } from '../../shared/ids.js';
import type { Page } from '../../shared/pagination.js';
import type { RoleCode } from '../../contracts/codes.js';
import type { MeDto, UserDto, UserInput, UserUpdate } from '../../contracts/identity.js';
import { NetworkService, isUniqueViolation } from '../network/index.js';
import { auditScope, derivePatientScope, lockAfterFailure, mayManageAccounts, type PatientScope } from './access.rules.js';
import { IdentityRepository, type UserWithRoles } from './identity.repository.js';
import { dummyPasswordHash, hashPassword, verifyPassword } from './password.js';
import { TokenCache } from './token-cache.js';

/**
 * Alliances whose members share patients under an alliance role: the tight county community and city medical group
 * (one management, one information system — domain.md §1). A specialty alliance or telemedicine network links
 * hospitals for referral and consultation, which give their own, narrower bases (an open referral, a request).
 */
const patientSharingAllianceKinds = ['county-community', 'city-group'] as const;

export interface IssuedToken {
  accessToken: string;
  expiresIn: number;
  actor: Actor;
}

export interface IdentityOptions {
  tokenTtlSeconds: number;
  sessionTtlSeconds: number;
  /** How long a resolved token is trusted without the database (TokenCache); default 1000 ms, 0 = always ask. */
  tokenCacheMs?: number;
}

/**
 * Accounts, sign-in, tokens and the access decisions built on them. Tokens are opaque random strings stored as
 * SHA-256 hashes: revocable at once (deactivating a user ends their tokens), one indexed lookup per request.
 */
export class IdentityService {
  private readonly repo: IdentityRepository;
  private readonly tokens: TokenCache;
  constructor(
    private readonly db: Db,
    private readonly network: NetworkService,
    private readonly options: IdentityOptions,
  ) {
    this.repo = new IdentityRepository(db);
    this.tokens = new TokenCache(options.tokenCacheMs ?? 1000);
  }

  // ---- sign-in
  /**
   * Checks a username and password with throttling: five consecutive failures lock the account for 15 minutes.
   * The same message answers an unknown user and a wrong password, so the endpoint does not reveal which exists.
   */
  async authenticate(username: string, password: string, now: Date): Promise<Actor> {
    const user = await this.repo.findUserByUsername(username);
    if (!user) {
      await verifyPassword(await dummyPasswordHash(), password);
      throw new AppError('unauthenticated', '用户名或密码错误');
    }
    if (user.lockedUntil && user.lockedUntil > now) {
      throw new AppError('too_many_requests', `登录失败次数过多，账号已临时锁定，请于 ${formatCst(user.lockedUntil)} 后重试或联系管理员解锁`, {
        detail: { lockedUntil: user.lockedUntil.toISOString() },
      });
    }
    const ok = await verifyPassword(user.passwordHash, password);
    if (!ok) {
      const failures = await this.repo.recordFailedLogin(user.id);
      const lockUntil = lockAfterFailure(failures, now);
      if (lockUntil) await this.repo.lockUser(user.id, lockUntil);
      throw new AppError('unauthenticated', '用户名或密码错误');
    }
    if (!user.active) throw new AppError('unauthenticated', '该账号已停用，请联系管理员');
    await this.repo.recordSuccessfulLogin(user.id, now);
    return { userId: user.id, username: user.username, organizationId: user.organizationId, roles: await this.repo.rolesOf(user.id) };
  }

  async issueToken(actor: Actor, kind: 'bearer' | 'session', now: Date, clientId?: string): Promise<IssuedToken> {
    const accessToken = randomSecret(32);
    const ttl = kind === 'session' ? this.options.sessionTtlSeconds : this.options.tokenTtlSeconds;
    await this.repo.insertToken({
      tokenHash: sha256(accessToken),
      userId: actor.userId,
      kind,
      clientId: clientId ?? null,
      expiresAt: new Date(now.getTime() + ttl * 1000),
    });
    return { accessToken, expiresIn: ttl, actor };
  }

  /** OAuth2 client_credentials: the client acts as its service user. */
  async authenticateClient(clientId: string, secret: string, now: Date): Promise<IssuedToken> {
    const client = await this.repo.findClient(clientId);
    const ok = client ? await verifyPassword(client.secretHash, secret) : await verifyPassword(await dummyPasswordHash(), secret);
    if (!client || !ok || !client.active) throw new AppError('unauthenticated', 'invalid client credentials');
    const user = await this.repo.findUserById(client.serviceUserId);
    if (!user || !user.active) throw new AppError('unauthenticated', 'the client’s service account is disabled');
    const actor: Actor = { userId: user.id, username: user.username, organizationId: user.organizationId, roles: user.roles };
    return this.issueToken(actor, 'bearer', now, clientId);
  }

  /** The actor behind a token, or null when it is unknown, expired, revoked or its user was disabled. */
  async resolveToken(token: string, kind: 'bearer' | 'session', now: Date): Promise<Actor | null> {
    if (!token || token.length > 200) return null;
    const hash = sha256(token);
    const key = `${kind}:${hash}`;
    const cached = this.tokens.get(key, now);
    if (cached) return cached;
    const epoch = this.tokens.epoch();
    const found = await this.repo.actorForToken(hash, kind, now);
    if (!found) return null;
    const { expiresAt, ...rest } = found;
    // Frozen: one object now serves many requests, so a mutation anywhere would leak into the others.
    const actor: Actor = Object.freeze({ ...rest, roles: Object.freeze([...rest.roles]) as RoleCode[] });
    this.tokens.set(key, actor, expiresAt, epoch);
    return actor;
  }

  /** Removes tokens and sessions expired for more than a day (kept that long so a late request still gets a clear 401). */
  async purgeExpiredTokens(now: Date): Promise<number> {
    return this.repo.deleteExpiredTokens(new Date(now.getTime() - 86_400_000));
  }

  async revokeToken(token: string, now: Date): Promise<void> {
    const hash = sha256(token);
    await this.repo.revokeToken(hash, now);
    this.tokens.forgetToken(`bearer:${hash}`);
    this.tokens.forgetToken(`session:${hash}`);
  }

  async me(actor: Actor): Promise<MeDto> {
    const user = await this.repo.findUserById(actor.userId);
    if (!user) throw new AppError('unauthenticated', '账号不存在');
    const org = user.organizationId ? await this.repo.organizationByIdOrIdentifier(user.organizationId) : undefined;
    return { id: user.id, username: user.username, displayName: user.displayName, roles: user.roles, organization: org ?? null };
  }

  // ---- access decisions (see access.rules.ts)
  /** The organizations whose patients the actor may access today, with the basis for each. */
  async patientScope(actor: Actor, now: Date): Promise<PatientScope> {
    if (!actor.organizationId) return new Map();
    const today = shanghaiDate(now);
    const [supervised, mates] = await Promise.all([
      actor.roles.includes('township-doctor') ? this.network.supervisedOrganizationIds(actor.organizationId) : Promise.resolve([]),
      actor.roles.some((r) => r === 'referral-desk' || r === 'dispatch-coordinator' || r === 'alliance-admin')
        ? this.network.allianceMatesOn(actor.organizationId, today, patientSharingAllianceKinds)
        : Promise.resolve([]),
    ]);
    return derivePatientScope(actor, { supervisedOrganizationIds: supervised, allianceMemberOrganizationIds: mates });
  }

  async auditVisibility(actor: Actor, now: Date): Promise<readonly string[] | null | 'none'> {
    const led = actor.organizationId && actor.roles.includes('alliance-admin') ? await this.network.membersOfAlliancesLedBy(actor.organizationId, shanghaiDate(now)) : [];
    return auditScope(actor, led);
  }

  // ---- accounts
  private async manageableOrganizations(ctx: RequestContext): Promise<readonly string[] | null> {
    if (!mayManageAccounts(ctx.actor)) throw forbidden('只有系统管理员或医共体管理员可以管理账号');
    if (ctx.actor.roles.includes('system-admin')) return null;
    if (!ctx.actor.organizationId) return [];
    return this.network.membersOfAlliancesLedBy(ctx.actor.organizationId, shanghaiDate(ctx.clock.now()));
  }

  async listUsers(ctx: RequestContext, q: { q?: string | undefined; role?: RoleCode | undefined; organizationId?: string | undefined; page: number; pageSize: number }): Promise<Page<UserDto>> {
    const scope = await this.manageableOrganizations(ctx);
    const { rows, total } = await this.repo.listUsers({ q: q.q, role: q.role, organizationId: q.organizationId, organizationIds: scope, offset: (q.page - 1) * q.pageSize, limit: q.pageSize });
    const now = ctx.clock.now();
    return { items: rows.map((u) => toUserDto(u, now)), total, page: q.page, pageSize: q.pageSize };
  }

  async getUser(ctx: RequestContext, id: string): Promise<UserDto> {
    const scope = await this.manageableOrganizations(ctx);
    const user = await this.repo.findUserById(id);
    if (!user || (scope && !(user.organizationId && scope.includes(user.organizationId)))) throw notFound(`账号 ${id} 不存在`);
    return toUserDto(user, ctx.clock.now());
  }

  async findUserByUsername(ctx: RequestContext, username: string): Promise<UserDto | null> {
    const scope = await this.manageableOrganizations(ctx);
    const row = await this.repo.findUserByUsername(username);
    if (!row) return null;
    const user = await this.repo.findUserById(row.id);
    if (!user || (scope && !(user.organizationId && scope.includes(user.organizationId)))) return null;
    return toUserDto(user, ctx.clock.now());
  }

  private async resolveOrganization(value: string | null | undefined, scope: readonly string[] | null): Promise<string | null> {
    if (!value) {
      if (scope) throw invalid('医共体管理员创建的账号必须属于本医共体的机构', 'organization');
      return null;
    }
    const org = await this.repo.organizationByIdOrIdentifier(value);
    if (!org) throw invalid(`机构 ${value} 不存在`, 'organization');
    if (scope && !scope.includes(org.id)) throw forbidden(`无权为 ${org.name} 管理账号：该机构不在本医共体内`);
    return org.id;
  }

  private guardRoles(ctx: RequestContext, roles: readonly RoleCode[]): void {
    if (!ctx.actor.roles.includes('system-admin') && roles.some((r) => r === 'system-admin' || r === 'commission-officer')) {
      throw forbidden('只有系统管理员可以授予系统管理员或卫健委角色');
    }
  }

  async createUser(ctx: RequestContext, input: UserInput, extra: { externalId?: string | null } = {}): Promise<UserDto> {
    const scope = await this.manageableOrganizations(ctx);
    this.guardRoles(ctx, input.roles);
    const organizationId = await this.resolveOrganization(input.organization, scope);
    if (await this.repo.findUserByUsername(input.username)) throw conflict(`用户名 ${input.username} 已存在`);
    const id = newId();
    const passwordHash = await hashPassword(input.password);
    try {
      await this.db.transaction(async (tx) => {
        await this.repo.insertUser(tx as unknown as Db, {
          id, username: input.username, displayName: input.displayName, passwordHash, organizationId, active: input.active,
          externalId: extra.externalId ?? null,
        }, [...new Set(input.roles)]);
      });
    } catch (e) {
      if (isUniqueViolation(e)) throw conflict(`用户名 ${input.username} 已存在`);
      throw e;
    }
    return this.getUser(ctx, id);
  }

  async updateUser(ctx: RequestContext, id: string, patch: UserUpdate & { externalId?: string | null; username?: string }): Promise<UserDto> {
    const scope = await this.manageableOrganizations(ctx);
    const user = await this.repo.findUserById(id);
    if (!user || (scope && !(user.organizationId && scope.includes(user.organizationId)))) throw notFound(`账号 ${id} 不存在`);
    if (patch.roles) this.guardRoles(ctx, patch.roles);
    if (!ctx.actor.roles.includes('system-admin') && user.roles.includes('system-admin')) throw forbidden('只有系统管理员可以修改系统管理员账号');
    if (user.id === ctx.actor.userId && (patch.active === false || (patch.roles && !patch.roles.includes('system-admin') && user.roles.includes('system-admin')))) {
      throw conflict('不能停用自己的账号或移除自己的系统管理员角色');
    }
    const organizationId = patch.organization === undefined ? undefined : await this.resolveOrganization(patch.organization, scope);
    const set: Parameters<IdentityRepository['updateUser']>[2] = {};
    if (patch.displayName !== undefined) set.displayName = patch.displayName;
    if (patch.username !== undefined && patch.username !== user.username) {
      if (await this.repo.findUserByUsername(patch.username)) throw conflict(`用户名 ${patch.username} 已存在`);
      set.username = patch.username;
    }
    if (patch.password !== undefined) set.passwordHash = await hashPassword(patch.password);
    if (organizationId !== undefined) set.organizationId = organizationId;
    if (patch.active !== undefined) set.active = patch.active;
    if (patch.externalId !== undefined) set.externalId = patch.externalId;
    if (patch.unlock) {
      set.lockedUntil = null;
      set.failedLogins = 0;
    }
    const now = ctx.clock.now();
    await this.db.transaction(async (tx) => {
      const t = tx as unknown as Db;
      await this.repo.updateUser(t, id, set, patch.roles ? [...new Set(patch.roles)] : undefined);
      // A disabled account, a new password or a move to another organization ends every live token at once.
      if (patch.active === false || patch.password !== undefined || organizationId !== undefined || patch.roles) {
        await this.repo.revokeTokensOf(t, id, now);
      }
    });
    // After the commit, so no look-up can read the old row after the forget (one that began before it does not cache).
    this.tokens.forgetUser(id);
    return this.getUser(ctx, id);
  }

  /**
   * Makes sure the `admin` system administrator exists. Returns the generated password when one had to be made
   * (printed once by the caller), or null when the account existed or the password came from configuration.
   */
  async ensureAdmin(configuredPassword: string | undefined): Promise<{ created: boolean; generatedPassword: string | null }> {
    if (await this.repo.findUserByUsername('admin')) return { created: false, generatedPassword: null };
    const password = configuredPassword ?? randomSecret(12);
    await this.db.transaction(async (tx) => {
      await this.repo.insertUser(tx as unknown as Db, { id: newId(), username: 'admin', displayName: '系统管理员', passwordHash: await hashPassword(password) }, ['system-admin']);
    });
    return { created: true, generatedPassword: configuredPassword ? null : password };
  }

}

function toUserDto(u: UserWithRoles, now: Date): UserDto {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    organizationId: u.organizationId,
    organizationName: u.organizationName,
    roles: u.roles,
    active: u.active,
    locked: !!u.lockedUntil && u.lockedUntil > now,
    lastLoginAt: u.lastLoginAt ? u.lastLoginAt.toISOString() : null,
    externalId: u.externalId,
    version: u.version,
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
  };
}

const formatCst = (d: Date): string => new Date(d.getTime() + 8 * 3600_000).toISOString().slice(11, 16);

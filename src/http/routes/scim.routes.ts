import type { FastifyInstance, FastifyRequest } from 'fastify';
import { roleCodes, type RoleCode } from '../../contracts/codes.js';
import { userInputSchema, userUpdateSchema, type UserDto, type UserUpdate } from '../../contracts/identity.js';
import type { RequestContext } from '../../shared/context.js';
import { AppError, isAppError, notFound, type ErrorCode } from '../../shared/errors.js';
import { randomSecret } from '../../shared/ids.js';
import type { AppDeps } from '../deps.js';
import { contextOf } from '../plugins/auth.js';

/**
 * SCIM 2.0 user provisioning (RFC 7643 schema, RFC 7644 protocol) so an identity provider (a provincial platform's
 * IAM, Azure AD / Entra ID, Okta, Keycloak) can create, update and disable Yilian accounts. It is a façade over the
 * identity module: every call goes through `identity.createUser/updateUser/listUsers/getUser/findUserByUsername`, so
 * a SCIM client has exactly the rights of its token's account (system administrators everywhere, alliance
 * administrators within their alliance) and the same validation as the console.
 */

const SCIM_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const SCIM_ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const SCIM_LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
const SCIM_PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const SCIM_SPC = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const SCIM_RESOURCE_TYPE = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const SCIM_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';
const BASE = '/scim/v2';
/** Upper bound of `count` (RFC 7644 §3.4.2.4: a larger count is reduced to this), advertised as filter.maxResults. */
const MAX_RESULTS = 200;
const DEFAULT_COUNT = 100;

/** RFC 7644 §3.12 scimType for our error codes; a route may set a more precise one in `detail.scimType`. */
const scimTypeOf: Partial<Record<ErrorCode, string>> = {
  invalid: 'invalidValue',
  conflict: 'uniqueness',
  duplicate: 'uniqueness',
};

/** SCIM 2.0 error response (RFC 7644 §3.12). */
export function scimErrorBody(err: AppError, status: number) {
  const explicit = typeof err.detail?.scimType === 'string' ? err.detail.scimType : undefined;
  const scimType = explicit ?? (status === 400 || status === 409 ? scimTypeOf[err.code] : undefined);
  const where = err.path && !err.message.includes(err.path) ? `${err.path}: ` : '';
  return { schemas: [SCIM_ERROR], status: String(status), ...(scimType ? { scimType } : {}), detail: `${where}${err.message}` };
}

const scimError = (code: ErrorCode, scimType: string, message: string, path?: string): AppError =>
  new AppError(code, message, { path, detail: { scimType } });

// ---------------------------------------------------------------------------------------------------------------
// Parsing helpers. SCIM attribute names are case-insensitive (RFC 7643 §2.1), so lookups ignore case.

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function attr(obj: Json, name: string): unknown {
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(obj)) if (k.toLowerCase() === lower) return v;
  return undefined;
}
const hasAttr = (obj: Json, name: string): boolean => Object.keys(obj).some((k) => k.toLowerCase() === name.toLowerCase());

function asString(v: unknown, path: string, opts: { nullable?: boolean } = {}): string | null {
  if (v === null && opts.nullable) return null;
  if (typeof v !== 'string') throw scimError('invalid', 'invalidValue', `应为字符串 / must be a string`, path);
  return v;
}

/** Booleans; identity providers also send "True"/"False" strings (Azure AD does). */
function asBoolean(v: unknown, path: string): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  throw scimError('invalid', 'invalidValue', `应为 true 或 false / must be a boolean`, path);
}

/** `roles[].value` → our role codes; an unknown value is refused with the list of valid ones. */
function asRoles(v: unknown, path = 'roles'): RoleCode[] {
  const items = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  const codes = items.map((item, i) => {
    const value = isObject(item) ? attr(item, 'value') : item;
    if (typeof value !== 'string') throw scimError('invalid', 'invalidValue', '角色应为 { "value": "<角色代码>" } / each role needs a value', `${path}[${i}].value`);
    if (!(roleCodes as readonly string[]).includes(value)) {
      throw scimError('invalid', 'invalidValue', `未知角色 "${value}"；可用角色 / unknown role, valid roles: ${roleCodes.join(', ')}`, `${path}[${i}].value`);
    }
    return value as RoleCode;
  });
  return [...new Set(codes)];
}

/** The display name: `displayName`, else `name.formatted`, else family + given name (Chinese order), else null. */
function displayNameOf(body: Json): string | null {
  const dn = attr(body, 'displayName');
  if (typeof dn === 'string' && dn.trim()) return dn.trim();
  const name = attr(body, 'name');
  if (isObject(name)) {
    const formatted = attr(name, 'formatted');
    if (typeof formatted === 'string' && formatted.trim()) return formatted.trim();
    const family = attr(name, 'familyName');
    const given = attr(name, 'givenName');
    const joined = `${typeof family === 'string' ? family : ''}${typeof given === 'string' ? given : ''}`.trim();
    if (joined) return joined;
  }
  return null;
}

/** The enterprise extension's `organization`: our organization identifier (or id). `undefined` = not given. */
function organizationOf(body: Json): string | null | undefined {
  const ext = attr(body, SCIM_ENTERPRISE);
  if (!isObject(ext) || !hasAttr(ext, 'organization')) return undefined;
  const v = attr(ext, 'organization');
  return v === null || v === '' ? null : asString(v, `${SCIM_ENTERPRISE}:organization`);
}

function fromZod(issues: readonly { path: PropertyKey[]; message: string }[]): AppError {
  const first = issues[0];
  const path = first?.path.map(String).join('.') ?? '';
  const scimPath = path === 'username' ? 'userName' : path === 'organization' ? `${SCIM_ENTERPRISE}:organization` : path;
  return scimError('invalid', 'invalidValue', first?.message ?? 'invalid value', scimPath || undefined);
}

// ---------------------------------------------------------------------------------------------------------------
// Resource representation

type UserView = UserDto;

const versionOf = (u: UserView): string => `W/"${u.version}"`;

function baseUrl(request: FastifyRequest, deps: AppDeps): string {
  return (deps.config.publicUrl ?? `${request.protocol}://${request.host}`).replace(/\/$/, '');
}

class Representer {
  private readonly orgIdentifiers = new Map<string, Promise<string | null>>();
  constructor(
    private readonly deps: AppDeps,
    private readonly base: string,
  ) {}

  private identifierOf(organizationId: string): Promise<string | null> {
    let p = this.orgIdentifiers.get(organizationId);
    if (!p) {
      p = this.deps.services.network.findOrganization(organizationId).then((o) => o?.identifier ?? null);
      this.orgIdentifiers.set(organizationId, p);
    }
    return p;
  }

  async user(u: UserView) {
    const organization = u.organizationId ? await this.identifierOf(u.organizationId) : null;
    const ext = u.externalId;
    return {
      schemas: organization ? [SCIM_USER, SCIM_ENTERPRISE] : [SCIM_USER],
      id: u.id,
      ...(ext ? { externalId: ext } : {}),
      userName: u.username,
      name: { formatted: u.displayName },
      displayName: u.displayName,
      active: u.active,
      roles: u.roles.map((value, i) => ({ value, primary: i === 0 })),
      ...(organization ? { [SCIM_ENTERPRISE]: { organization } } : {}),
      meta: {
        resourceType: 'User',
        created: u.createdAt,
        lastModified: u.updatedAt,
        location: `${this.base}${BASE}/Users/${u.id}`,
        version: versionOf(u),
      },
    };
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Discovery (RFC 7643 §5–§7). Public: it describes the protocol, not any account.

function serviceProviderConfig(base: string) {
  return {
    schemas: [SCIM_SPC],
    documentationUri: `${base}/docs/json`,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: true },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'Bearer token from POST /auth/token (grant_type=password or client_credentials) of a system or alliance administrator',
        specUri: 'https://www.rfc-editor.org/rfc/rfc6750',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}${BASE}/ServiceProviderConfig` },
  };
}

function userResourceType(base: string) {
  return {
    schemas: [SCIM_RESOURCE_TYPE],
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    description: 'Yilian account (医联账号)',
    schema: SCIM_USER,
    schemaExtensions: [{ schema: SCIM_ENTERPRISE, required: false }],
    meta: { resourceType: 'ResourceType', location: `${base}${BASE}/ResourceTypes/User` },
  };
}

const attribute = (name: string, type: string, extra: Json = {}) => ({
  name, type, multiValued: false, required: false, caseExact: false, mutability: 'readWrite', returned: 'default', uniqueness: 'none', ...extra,
});

function schemas(base: string) {
  return [
    {
      schemas: [SCIM_SCHEMA],
      id: SCIM_USER,
      name: 'User',
      description: 'User account',
      attributes: [
        attribute('userName', 'string', { required: true, uniqueness: 'server', description: '3-64 letters, digits, ".", "_" or "-"' }),
        attribute('name', 'complex', { subAttributes: [attribute('formatted', 'string'), attribute('familyName', 'string'), attribute('givenName', 'string')] }),
        attribute('displayName', 'string'),
        attribute('active', 'boolean'),
        attribute('password', 'string', { mutability: 'writeOnly', returned: 'never', description: 'at least 8 characters' }),
        attribute('externalId', 'string', { caseExact: true }),
        attribute('roles', 'complex', {
          multiValued: true,
          description: `Role codes: ${roleCodes.join(', ')}`,
          subAttributes: [attribute('value', 'string', { canonicalValues: [...roleCodes] }), attribute('display', 'string'), attribute('primary', 'boolean')],
        }),
      ],
      meta: { resourceType: 'Schema', location: `${base}${BASE}/Schemas/${SCIM_USER}` },
    },
    {
      schemas: [SCIM_SCHEMA],
      id: SCIM_ENTERPRISE,
      name: 'EnterpriseUser',
      description: 'Enterprise User',
      attributes: [attribute('organization', 'string', { description: 'Identifier of the Yilian organization the account belongs to (统一社会信用代码 or local identifier)' })],
      meta: { resourceType: 'Schema', location: `${base}${BASE}/Schemas/${SCIM_ENTERPRISE}` },
    },
  ];
}

const listResponse = (resources: unknown[], total: number, startIndex: number) => ({
  schemas: [SCIM_LIST], totalResults: total, startIndex, itemsPerPage: resources.length, Resources: resources,
});

// ---------------------------------------------------------------------------------------------------------------
// Query parameters

function positiveInt(raw: unknown, name: string, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw scimError('invalid', 'invalidValue', `${name} 应为整数 / must be an integer`, name);
  return n;
}

/** The filters we answer: `userName eq "…"` and `id eq "…"` (RFC 7644 §3.4.2.2); anything else is refused. */
function parseFilter(filter: string): { attribute: 'userName' | 'id'; value: string } {
  const m = /^\s*(?:urn:ietf:params:scim:schemas:core:2\.0:User:)?(userName|id)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$/i.exec(filter);
  if (!m) {
    throw scimError('invalid', 'invalidFilter', `不支持的过滤条件 / unsupported filter: ${filter} — supported: userName eq "…", id eq "…"`, 'filter');
  }
  let value: string;
  try {
    value = JSON.parse(`"${m[2]}"`) as string;
  } catch {
    throw scimError('invalid', 'invalidFilter', `过滤值无效 / invalid filter value: ${m[2]}`, 'filter');
  }
  return { attribute: m[1]!.toLowerCase() === 'id' ? 'id' : 'userName', value };
}

// ---------------------------------------------------------------------------------------------------------------
// PATCH (RFC 7644 §3.5.2)

/** Core attributes we accept but do not keep (identity providers map them by default); anything else is invalidPath. */
const ignoredAttributes = new Set([
  'name.givenname', 'name.familyname', 'name.middlename', 'name.honorificprefix', 'name.honorificsuffix', 'nickname', 'title',
  'emails', 'phonenumbers', 'addresses', 'preferredlanguage', 'locale', 'timezone', 'usertype', 'profileurl', 'photos', 'ims',
  'entitlements', 'x509certificates', `${SCIM_ENTERPRISE.toLowerCase()}:department`, `${SCIM_ENTERPRISE.toLowerCase()}:division`,
  `${SCIM_ENTERPRISE.toLowerCase()}:employeenumber`, `${SCIM_ENTERPRISE.toLowerCase()}:costcenter`, `${SCIM_ENTERPRISE.toLowerCase()}:manager`,
]);

interface Pending {
  update: UserUpdate;
  username?: string;
  externalId?: string | null;
  roles: RoleCode[];
  rolesChanged: boolean;
}

function applyOperation(p: Pending, opRaw: unknown, index: number): void {
  if (!isObject(opRaw)) throw scimError('invalid', 'invalidSyntax', 'Operations 的每一项应为对象 / each operation must be an object', `Operations[${index}]`);
  const op = String(attr(opRaw, 'op') ?? '').toLowerCase();
  if (op !== 'add' && op !== 'replace' && op !== 'remove') {
    throw scimError('invalid', 'invalidSyntax', `op 应为 add、replace 或 remove / op must be add, replace or remove (got ${String(attr(opRaw, 'op'))})`, `Operations[${index}].op`);
  }
  const rawPath = attr(opRaw, 'path');
  const value = attr(opRaw, 'value');
  if (rawPath === undefined || rawPath === null || rawPath === '') {
    if (op === 'remove') throw scimError('invalid', 'noTarget', 'remove 需要 path / remove needs a path', `Operations[${index}].path`);
    if (!isObject(value)) throw scimError('invalid', 'invalidValue', '没有 path 时 value 应为对象 / without a path, value must be an object', `Operations[${index}].value`);
    for (const [k, v] of Object.entries(value)) {
      if (k.toLowerCase() === SCIM_ENTERPRISE.toLowerCase() && isObject(v)) {
        for (const [k2, v2] of Object.entries(v)) setPath(p, op, `${SCIM_ENTERPRISE}:${k2}`, v2);
      } else if (k.toLowerCase() === 'name' && isObject(v)) {
        for (const [k2, v2] of Object.entries(v)) setPath(p, op, `name.${k2}`, v2);
      } else if (k.toLowerCase() !== 'schemas' && k.toLowerCase() !== 'id' && k.toLowerCase() !== 'meta') {
        setPath(p, op, k, v);
      }
    }
    return;
  }
  if (typeof rawPath !== 'string') throw scimError('invalid', 'invalidPath', 'path 应为字符串 / path must be a string', `Operations[${index}].path`);
  setPath(p, op, rawPath, value);
}

function setPath(p: Pending, op: 'add' | 'replace' | 'remove', rawPath: string, value: unknown): void {
  const path = rawPath.replace(/^urn:ietf:params:scim:schemas:core:2\.0:User:/i, '');
  const lower = path.toLowerCase();
  const roleFilter = /^roles\[\s*value\s+eq\s+"([^"]*)"\s*\]$/i.exec(path);
  if (roleFilter) {
    if (op !== 'remove') throw scimError('invalid', 'invalidPath', '带过滤的 roles 路径只支持 remove / a filtered roles path supports remove only', path);
    p.roles = p.roles.filter((r) => r !== roleFilter[1]);
    p.rolesChanged = true;
    return;
  }
  if (op === 'remove') {
    if (lower === 'externalid') p.externalId = null;
    else if (lower === 'roles') {
      p.roles = [];
      p.rolesChanged = true;
    } else if (ignoredAttributes.has(lower)) return;
    else throw scimError('invalid', 'mutability', `不能删除属性 / the attribute cannot be removed: ${path}`, path);
    return;
  }
  switch (lower) {
    case 'active':
      p.update.active = asBoolean(value, 'active');
      return;
    case 'password':
      p.update.password = asString(value, 'password')!;
      return;
    case 'displayname':
    case 'name.formatted':
      p.update.displayName = asString(value, path)!;
      return;
    case 'name': {
      if (!isObject(value)) throw scimError('invalid', 'invalidValue', 'name 应为对象 / name must be an object', path);
      const dn = displayNameOf({ name: value });
      if (dn) p.update.displayName = dn;
      return;
    }
    case 'username':
      p.username = asString(value, 'userName')!;
      return;
    case 'externalid':
      p.externalId = asString(value, 'externalId', { nullable: true });
      return;
    case 'roles': {
      const roles = asRoles(value);
      p.roles = op === 'add' ? [...new Set([...p.roles, ...roles])] : roles;
      p.rolesChanged = true;
      return;
    }
    case `${SCIM_ENTERPRISE.toLowerCase()}:organization`:
      p.update.organization = value === null || value === '' ? null : asString(value, path)!;
      return;
    default:
      if (ignoredAttributes.has(lower)) return;
      throw scimError('invalid', 'invalidPath', `不支持的属性路径 / unsupported attribute path: ${path}`, path);
  }
}

// ---------------------------------------------------------------------------------------------------------------

export function scimRoutes(app: FastifyInstance, deps: AppDeps) {
  const { identity, audit } = deps.services;
  const represent = (request: FastifyRequest) => new Representer(deps, baseUrl(request, deps));

  // Every /scim answer, errors included, is application/scim+json (RFC 7644 §3.1).
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.url.startsWith('/scim') && reply.statusCode !== 204) reply.header('content-type', SCIM_CONTENT_TYPE);
    return payload;
  });

  /** Account changes are recorded in the audit log with the SCIM channel, refusals included. */
  async function audited<T>(ctx: RequestContext, action: 'create' | 'update', resourceId: string | null, detail: Json, run: () => Promise<T>): Promise<T> {
    try {
      const result = await run();
      const id = resourceId ?? ((result as { id?: string } | undefined)?.id ?? null);
      await audit.record(ctx, [{ action, resourceType: 'User', resourceId: id, basis: 'administration', outcome: 'allowed', detail }]);
      return result;
    } catch (e) {
      if (isAppError(e) && e.code === 'forbidden') {
        await audit.record(ctx, [{ action, resourceType: 'User', resourceId, basis: 'none', outcome: 'denied', detail: { ...detail, reason: e.message } }]);
      }
      throw e;
    }
  }

  const body = (request: FastifyRequest): Json => {
    if (!isObject(request.body)) throw scimError('invalid', 'invalidSyntax', '请求体应为 JSON 对象 / the body must be a JSON object');
    return request.body;
  };

  // ---- discovery
  app.get(`${BASE}/ServiceProviderConfig`, { config: { public: true } }, async (request) => serviceProviderConfig(baseUrl(request, deps)));
  app.get(`${BASE}/ResourceTypes`, { config: { public: true } }, async (request) => listResponse([userResourceType(baseUrl(request, deps))], 1, 1));
  app.get<{ Params: { id: string } }>(`${BASE}/ResourceTypes/:id`, { config: { public: true } }, async (request) => {
    if (request.params.id !== 'User') throw notFound(`没有资源类型 / no resource type ${request.params.id}`);
    return userResourceType(baseUrl(request, deps));
  });
  app.get(`${BASE}/Schemas`, { config: { public: true } }, async (request) => {
    const all = schemas(baseUrl(request, deps));
    return listResponse(all, all.length, 1);
  });
  app.get<{ Params: { id: string } }>(`${BASE}/Schemas/:id`, { config: { public: true } }, async (request) => {
    const found = schemas(baseUrl(request, deps)).find((s) => s.id === request.params.id);
    if (!found) throw notFound(`没有该 schema / no schema ${request.params.id}`);
    return found;
  });

  // ---- Users
  app.get<{ Querystring: Record<string, string | undefined> }>(`${BASE}/Users`, async (request) => {
    const ctx = contextOf(request, deps);
    const q = request.query;
    const startIndex = Math.max(1, positiveInt(q.startIndex, 'startIndex', 1));
    const count = Math.min(MAX_RESULTS, Math.max(0, positiveInt(q.count, 'count', DEFAULT_COUNT)));
    const rep = represent(request);
    if (q.filter !== undefined) {
      const f = parseFilter(q.filter);
      let user: UserDto | null;
      if (f.attribute === 'userName') user = await identity.findUserByUsername(ctx, f.value);
      else user = await identity.getUser(ctx, f.value).catch((e: unknown) => (isAppError(e) && e.code === 'not_found' ? null : Promise.reject(e)));
      const all = user ? [user] : [];
      const page = all.slice(startIndex - 1, startIndex - 1 + count);
      return listResponse(await Promise.all(page.map((u) => rep.user(u))), all.length, startIndex);
    }
    // The identity service pages by page number; an arbitrary 1-based startIndex spans at most two of its pages.
    const offset = startIndex - 1;
    if (count === 0) {
      const { total } = await identity.listUsers(ctx, { page: 1, pageSize: 1 });
      return listResponse([], total, startIndex);
    }
    const first = Math.floor(offset / count) + 1;
    const a = await identity.listUsers(ctx, { page: first, pageSize: count });
    let items = a.items.slice(offset % count);
    if (offset % count !== 0 && items.length < count) {
      const b = await identity.listUsers(ctx, { page: first + 1, pageSize: count });
      items = [...items, ...b.items].slice(0, count);
    }
    return listResponse(await Promise.all(items.map((u) => rep.user(u))), a.total, startIndex);
  });

  app.get<{ Params: { id: string } }>(`${BASE}/Users/:id`, async (request, reply) => {
    const user = await identity.getUser(contextOf(request, deps), request.params.id);
    const resource = await represent(request).user(user);
    return reply.header('etag', resource.meta.version).send(resource);
  });

  app.post(`${BASE}/Users`, async (request, reply) => {
    const ctx = contextOf(request, deps);
    const b = body(request);
    const userName = attr(b, 'userName');
    if (typeof userName !== 'string' || !userName.trim()) throw scimError('invalid', 'invalidValue', 'userName 必填 / userName is required', 'userName');
    const password = attr(b, 'password');
    const active = attr(b, 'active');
    const externalId = attr(b, 'externalId');
    const parsed = userInputSchema.safeParse({
      username: userName,
      displayName: displayNameOf(b) ?? userName,
      // Identity providers that sign users in elsewhere send no password: the account gets an unusable random one
      // until a password is set (PATCH password, or the console).
      password: password === undefined ? randomSecret(24) : asString(password, 'password'),
      roles: asRoles(attr(b, 'roles')),
      organization: organizationOf(b) ?? null,
      active: active === undefined ? true : asBoolean(active, 'active'),
    });
    if (!parsed.success) throw fromZod(parsed.error.issues);
    const ext = externalId === undefined ? null : asString(externalId, 'externalId', { nullable: true });
    const user = await audited(ctx, 'create', null, { userName, roles: parsed.data.roles, organization: parsed.data.organization ?? null }, () =>
      identity.createUser(ctx, parsed.data, { externalId: ext }),
    );
    const resource = await represent(request).user(user);
    return reply.status(201).header('location', resource.meta.location).header('etag', resource.meta.version).send(resource);
  });

  /**
   * PUT replaces the account's attributes with the ones sent. Attributes our model requires (roles, organization,
   * password, active) keep their value when absent, rather than being cleared into an invalid account.
   */
  app.put<{ Params: { id: string } }>(`${BASE}/Users/:id`, async (request, reply) => {
    const ctx = contextOf(request, deps);
    const b = body(request);
    const current = await identity.getUser(ctx, request.params.id);
    const userName = attr(b, 'userName');
    if (typeof userName !== 'string' || !userName.trim()) throw scimError('invalid', 'invalidValue', 'userName 必填 / userName is required', 'userName');
    const update: UserUpdate = { displayName: displayNameOf(b) ?? current.displayName };
    if (hasAttr(b, 'roles')) update.roles = asRoles(attr(b, 'roles'));
    const org = organizationOf(b);
    if (org !== undefined) update.organization = org;
    if (hasAttr(b, 'active')) update.active = asBoolean(attr(b, 'active'), 'active');
    if (hasAttr(b, 'password')) update.password = asString(attr(b, 'password'), 'password')!;
    const parsed = userUpdateSchema.safeParse(update);
    if (!parsed.success) throw fromZod(parsed.error.issues);
    if (parsed.data.roles && parsed.data.roles.length === 0) throw scimError('invalid', 'invalidValue', '至少分配一个角色 / at least one role', 'roles');
    const usernameCheck = userInputSchema.shape.username.safeParse(userName);
    if (!usernameCheck.success) throw fromZod(usernameCheck.error.issues.map((i) => ({ ...i, path: ['username'] })));
    const externalId = hasAttr(b, 'externalId') ? asString(attr(b, 'externalId'), 'externalId', { nullable: true }) : undefined;
    const user = await audited(ctx, 'update', current.id, { via: 'PUT', fields: Object.keys(parsed.data) }, () =>
      identity.updateUser(ctx, current.id, { ...parsed.data, username: usernameCheck.data, ...(externalId !== undefined ? { externalId } : {}) }),
    );
    const resource = await represent(request).user(user);
    return reply.header('etag', resource.meta.version).send(resource);
  });

  app.patch<{ Params: { id: string } }>(`${BASE}/Users/:id`, async (request, reply) => {
    const ctx = contextOf(request, deps);
    const b = body(request);
    const schemasOf = attr(b, 'schemas');
    if (!Array.isArray(schemasOf) || !schemasOf.includes(SCIM_PATCH)) {
      throw scimError('invalid', 'invalidSyntax', `PATCH 请求体的 schemas 应包含 ${SCIM_PATCH} / the body must be a PatchOp`, 'schemas');
    }
    const ops = attr(b, 'Operations');
    if (!Array.isArray(ops) || ops.length === 0) throw scimError('invalid', 'invalidSyntax', 'Operations 应为非空数组 / Operations must be a non-empty array', 'Operations');
    const current = await identity.getUser(ctx, request.params.id);
    const pending: Pending = { update: {}, roles: [...current.roles], rolesChanged: false };
    ops.forEach((op, i) => applyOperation(pending, op, i));
    if (pending.rolesChanged) {
      if (pending.roles.length === 0) throw scimError('invalid', 'invalidValue', '至少保留一个角色 / an account keeps at least one role', 'roles');
      pending.update.roles = pending.roles;
    }
    const parsed = userUpdateSchema.safeParse(pending.update);
    if (!parsed.success) throw fromZod(parsed.error.issues);
    let username: string | undefined;
    if (pending.username !== undefined) {
      const check = userInputSchema.shape.username.safeParse(pending.username);
      if (!check.success) throw fromZod(check.error.issues.map((i) => ({ ...i, path: ['username'] })));
      username = check.data;
    }
    const changes = { ...parsed.data, ...(username !== undefined ? { username } : {}), ...(pending.externalId !== undefined ? { externalId: pending.externalId } : {}) };
    const user = await audited(ctx, 'update', current.id, { via: 'PATCH', fields: Object.keys(changes) }, () => identity.updateUser(ctx, current.id, changes));
    const resource = await represent(request).user(user);
    return reply.header('etag', resource.meta.version).send(resource);
  });

  /** DELETE deactivates: the row stays so the audit trail keeps pointing at a real account (and it can be re-enabled). */
  app.delete<{ Params: { id: string } }>(`${BASE}/Users/:id`, async (request, reply) => {
    const ctx = contextOf(request, deps);
    const current = await identity.getUser(ctx, request.params.id);
    await audited(ctx, 'update', current.id, { via: 'DELETE', fields: ['active'] }, () => identity.updateUser(ctx, current.id, { active: false }));
    return reply.status(204).send();
  });

  // Anything else under /scim answers in SCIM error format rather than the JSON API's.
  app.all('/scim/*', async (request) => {
    throw notFound(`没有这个 SCIM 端点 / no such SCIM endpoint: ${request.method} ${request.url.split('?')[0]}`);
  });
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor, RequestContext } from '../../shared/context.js';
import type { Channel } from '../../contracts/codes.js';
import { AppError } from '../../shared/errors.js';
import type { AppDeps } from '../deps.js';

export const SESSION_COOKIE = 'yilian_session';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyContextConfig {
    /** Route answers without a signed-in actor. */
    public?: boolean;
  }
}

function channelOf(url: string, viaCookie: boolean): Channel {
  if (url.startsWith('/fhir')) return 'fhir';
  if (url.startsWith('/scim')) return 'scim';
  return viaCookie ? 'ui' : 'api';
}

/**
 * Resolves the actor from `Authorization: Bearer <token>` (API, FHIR, SCIM) or the httpOnly session cookie (web UI).
 * Routes are private unless their config says `public: true`.
 */
export function registerAuth(app: FastifyInstance, deps: AppDeps) {
  app.decorateRequest('actor', null);
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config?.public) return;
    // The web UI's files (/, /login, /assets/…) are public; its data comes from the protected prefixes below.
    if (!protectedPrefix.test(request.url)) return;
    const header = request.headers.authorization;
    let actor: Actor | null = null;
    if (header) {
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      if (!m) throw new AppError('unauthenticated', 'Authorization 头应为 "Bearer <access_token>"');
      actor = await deps.services.identity.resolveToken(m[1]!, 'bearer', deps.clock.now());
      if (!actor) throw new AppError('unauthenticated', '访问令牌无效或已过期，请重新获取（POST /auth/token）');
    } else {
      const cookie = request.cookies[SESSION_COOKIE];
      if (cookie) actor = await deps.services.identity.resolveToken(cookie, 'session', deps.clock.now());
      if (actor && isUnsafe(request.method) && !sameOrigin(request)) {
        throw new AppError('forbidden', '跨站请求被拒绝');
      }
    }
    if (!actor) throw new AppError('unauthenticated', '请先登录（或在 Authorization 头中提供 Bearer 令牌）');
    request.actor = actor;
  });
}

/** Everything that serves data: the JSON API, FHIR and SCIM. */
const protectedPrefix = /^\/(api|fhir|scim)(\/|\?|$)/;

const isUnsafe = (method: string): boolean => !['GET', 'HEAD', 'OPTIONS'].includes(method);

/** Cookie-authenticated writes must come from our own pages (defence in depth beside SameSite=Lax). */
function sameOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (!origin) return true; // non-browser clients and same-origin fetches from older browsers send none
  try {
    return new URL(origin).host === request.headers.host;
  } catch {
    return false;
  }
}

/** The service context of a request: who, through which channel, at what time. */
export function contextOf(request: FastifyRequest, deps: AppDeps): RequestContext {
  if (!request.actor) throw new AppError('unauthenticated', '请先登录');
  const viaCookie = !request.headers.authorization;
  return { actor: request.actor, clock: deps.clock, channel: channelOf(request.url, viaCookie), ip: request.ip };
}

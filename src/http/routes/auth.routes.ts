import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { loginSchema, meSchema } from '../../contracts/identity.js';
import type { AppDeps } from '../deps.js';
import { SESSION_COOKIE, contextOf } from '../plugins/auth.js';
import { toAppError } from '../plugins/error-handler.js';

const tokenRequestSchema = z.object({
  grant_type: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  scope: z.string().optional(),
});

/** Sign-in throttling per client address, beside the per-account lock in the identity module. */
const throttle = { max: 20, timeWindow: '1 minute' };

export function authRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { identity, audit } = deps.services;

  /**
   * OAuth2 token endpoint (RFC 6749 §4.3 password, §4.4 client_credentials). Errors use the OAuth2 error format
   * (§5.2) because OAuth2 clients parse it.
   */
  r.post('/auth/token', { config: { public: true, rateLimit: throttle } }, async (request, reply) => {
    const oauthError = (status: number, error: string, description: string) =>
      reply.status(status).header('cache-control', 'no-store').send({ error, error_description: description });
    const parsed = tokenRequestSchema.safeParse(request.body ?? {});
    if (!parsed.success || typeof request.body !== 'object') return oauthError(400, 'invalid_request', 'the body must be application/x-www-form-urlencoded parameters');
    const body = parsed.data;
    const now = deps.clock.now();
    try {
      if (body.grant_type === 'password') {
        if (!body.username || !body.password) return oauthError(400, 'invalid_request', 'username and password are required for grant_type=password');
        const actor = await signIn(body.username, body.password, request.ip, 'api');
        const token = await identity.issueToken(actor, 'bearer', now);
        return reply.header('cache-control', 'no-store').send({ access_token: token.accessToken, token_type: 'Bearer', expires_in: token.expiresIn });
      }
      if (body.grant_type === 'client_credentials') {
        let clientId = body.client_id;
        let secret = body.client_secret;
        const basic = /^Basic\s+(\S+)$/i.exec(request.headers.authorization ?? '');
        if (basic) {
          const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
          const i = decoded.indexOf(':');
          clientId = decodeURIComponent(decoded.slice(0, i));
          secret = decodeURIComponent(decoded.slice(i + 1));
        }
        if (!clientId || !secret) return oauthError(401, 'invalid_client', 'client authentication is required (HTTP Basic or client_id/client_secret)');
        const token = await identity.authenticateClient(clientId, secret, now);
        return reply.header('cache-control', 'no-store').send({ access_token: token.accessToken, token_type: 'Bearer', expires_in: token.expiresIn });
      }
      return oauthError(400, 'unsupported_grant_type', 'grant_type must be password or client_credentials');
    } catch (e) {
      const err = toAppError(e);
      if (err.code === 'unauthenticated') {
        return body.grant_type === 'client_credentials' ? oauthError(401, 'invalid_client', err.message) : oauthError(400, 'invalid_grant', err.message);
      }
      if (err.code === 'too_many_requests') return oauthError(429, 'invalid_grant', err.message);
      throw e;
    }
  });

  async function signIn(username: string, password: string, ip: string, channel: 'api' | 'ui') {
    const now = deps.clock.now();
    try {
      const actor = await identity.authenticate(username, password, now);
      await audit.record({ actor, clock: deps.clock, channel, ip }, [{ action: 'login', resourceType: 'Session', basis: 'administration', outcome: 'allowed' }]);
      return actor;
    } catch (e) {
      await audit.record(
        { actor: { userId: '', username, organizationId: null, roles: [] }, clock: deps.clock, channel, ip },
        [{ action: 'login-failed', resourceType: 'Session', basis: 'none', outcome: 'denied', detail: { reason: (e as Error).message } }],
      );
      throw e;
    }
  }

  const setSession = (reply: FastifyReply, token: string, maxAge: number) =>
    reply.setCookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'lax',
      secure: deps.config.publicUrl?.startsWith('https://') ?? false,
      path: '/',
      maxAge,
    });

  r.post('/api/v1/session', { config: { public: true, rateLimit: throttle }, schema: { body: loginSchema, tags: ['auth'] } }, async (request, reply) => {
    const actor = await signIn(request.body.username, request.body.password, request.ip, 'ui');
    const token = await identity.issueToken(actor, 'session', deps.clock.now());
    setSession(reply, token.accessToken, token.expiresIn);
    return identity.me(actor);
  });

  r.delete('/api/v1/session', { config: { public: true } }, async (request, reply) => {
    const cookie = request.cookies[SESSION_COOKIE];
    if (cookie) await identity.revokeToken(cookie, deps.clock.now());
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });

  r.get('/api/v1/me', { schema: { response: { 200: meSchema }, tags: ['auth'] } }, async (request) => {
    const ctx = contextOf(request, deps);
    return identity.me(ctx.actor);
  });
}


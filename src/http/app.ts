import Fastify, { type FastifyInstance } from 'fastify';
import { sql } from 'drizzle-orm';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { AppDeps } from './deps.js';
import { registerAuth } from './plugins/auth.js';
import { referralRoutes } from './routes/referral.routes.js';
import { jsonErrorBody, registerErrorHandler } from './plugins/error-handler.js';
import { auditRoutes } from './routes/audit.routes.js';
import { capacityRoutes } from './routes/capacity.routes.js';
import { deadlineRoutes } from './routes/deadline.routes.js';
import { notificationRoutes } from './routes/notification.routes.js';
import { authRoutes } from './routes/auth.routes.js';
import { identityRoutes } from './routes/identity.routes.js';
import { networkRoutes } from './routes/network.routes.js';
import { patientRoutes } from './routes/patient.routes.js';
import { routingRoutes } from './routes/routing.routes.js';
import { indicatorRoutes } from './routes/indicator.routes.js';
import { diagnosisRoutes } from './routes/diagnosis.routes.js';
import { consultationRoutes } from './routes/consultation.routes.js';
import { diagnosisStatisticsRoutes } from './routes/diagnosis-statistics.routes.js';
import { fhirRoutes, fhirErrorBody } from './routes/fhir.routes.js';
import { scimRoutes, scimErrorBody } from './routes/scim.routes.js';

export interface BuildAppOptions {
  /** pino logger options or false; tests pass false. */
  logger?: boolean | Record<string, unknown>;
}

/** Builds the whole HTTP application: plugins in a fixed order, then routes. Tests build it the same way. */
export async function buildApp(deps: AppDeps, opts: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: deps.config.bodyLimitBytes,
    trustProxy: true,
    // Long ids are refused before routing rather than reaching the database.
    routerOptions: { maxParamLength: 200 },
    ajv: { customOptions: { coerceTypes: false } },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const fhirJson = ['application/fhir+json', 'application/json+fhir', 'application/scim+json'];
  app.addContentTypeParser(fhirJson, { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));

  await app.register(cookie);
  await app.register(formbody);
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Yilian API', description: '医联 · 分级诊疗协同平台 JSON API', version: '0.1.0' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });

  registerErrorHandler(app, deps.config.bodyLimitBytes, (request, _reply, err, status) => {
    if (request.url.startsWith('/fhir')) return fhirErrorBody(err, status);
    if (request.url.startsWith('/scim')) return scimErrorBody(err, status);
    return jsonErrorBody(err);
  });
  registerAuth(app, deps);

  app.get('/health', { config: { public: true } }, async () => {
    await deps.database.db.execute(sql`select 1`);
    return { status: 'ok', database: deps.database.kind };
  });
  app.get('/docs/json', { config: { public: true } }, async () => app.swagger());

  authRoutes(app, deps);
  networkRoutes(app, deps);
  patientRoutes(app, deps);
  routingRoutes(app, deps);
  identityRoutes(app, deps);
  auditRoutes(app, deps);
  capacityRoutes(app, deps);
  deadlineRoutes(app, deps);
  notificationRoutes(app, deps);
  referralRoutes(app, deps);
  indicatorRoutes(app, deps);
  // Own scope: the raw-byte upload parser applies to the diagnosis routes only.
  await app.register(async (scoped) => diagnosisRoutes(scoped, deps));
  consultationRoutes(app, deps);
  diagnosisStatisticsRoutes(app, deps);
  await app.register(async (scoped) => fhirRoutes(scoped, deps));
  await app.register(async (scoped) => scimRoutes(scoped, deps));

  const webRoot = deps.webRoot;
  if (webRoot && existsSync(path.join(webRoot, 'index.html'))) {
    await app.register(fastifyStatic, { root: webRoot, wildcard: false, index: ['index.html'] });
    app.setNotFoundHandler(async (request, reply) => {
      const apiPath = /^\/(api|fhir|scim|auth|docs|health)(\/|$)/.test(request.url);
      if (request.method === 'GET' && !apiPath && (request.headers.accept ?? '').includes('text/html')) {
        return reply.type('text/html').sendFile('index.html');
      }
      return notFound(request.url, reply);
    });
  } else {
    app.setNotFoundHandler(async (request, reply) => notFound(request.url, reply));
  }
  return app;
}

async function notFound(url: string, reply: import('fastify').FastifyReply) {
  const message = `没有这个地址：${url.split('?')[0]}`;
  if (url.startsWith('/fhir')) {
    return reply.status(404).type('application/fhir+json').send({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', diagnostics: message }] });
  }
  return reply.status(404).send({ code: 'not_found', message });
}

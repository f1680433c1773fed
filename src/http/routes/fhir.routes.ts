import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { OperationOutcome, OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { AppError } from '../../shared/errors.js';
import {
  FhirActivityService, FhirMeasureService, FhirService, isDiagnosisServiceRequest, isSupportedResourceType, isUnprocessable, supportedResourceTypes, type RawQuery,
} from '../../modules/fhir/index.js';
import type { AppDeps } from '../deps.js';
import { contextOf } from '../plugins/auth.js';
import { statusOf } from '../plugins/error-handler.js';

/** Every /fhir response, errors included, is FHIR JSON (http://hl7.org/fhir/R4/http.html#mime-type). */
export const FHIR_CONTENT_TYPE = 'application/fhir+json; charset=utf-8';
const ACCEPTED_BODY_TYPES = ['application/fhir+json', 'application/json', 'application/json+fhir'];
const SOFTWARE_VERSION = '0.1.0';

type IssueType = OperationOutcomeIssue['code'];
const issueCode: Record<string, IssueType> = {
  invalid: 'invalid', unauthenticated: 'login', forbidden: 'forbidden', not_found: 'not-found', conflict: 'conflict',
  duplicate: 'duplicate', precondition_failed: 'conflict', too_many_requests: 'throttled', payload_too_large: 'too-long', unsupported_media_type: 'not-supported', internal: 'exception',
};

/**
 * FHIR R4 OperationOutcome for an error (http://hl7.org/fhir/R4/operationoutcome.html): the message as `diagnostics`,
 * the offending element as `expression`. Possible duplicates of a registration follow as `information` issues, so
 * a client can show them before confirming (docs/fhir.md, "Creating a patient").
 */
export function fhirErrorBody(err: AppError, _status: number): OperationOutcome {
  const code = (err.detail?.fhirIssueCode as IssueType | undefined) ?? issueCode[err.code] ?? 'processing';
  const issue: OperationOutcomeIssue[] = [
    { severity: 'error', code, diagnostics: err.message, ...(err.path ? { expression: [err.path] } : {}) },
  ];
  const suggestions = err.detail?.suggestions;
  if (Array.isArray(suggestions)) {
    for (const s of suggestions as { id: string; name: string; birthDate: string; managingOrganizationName: string; reasons: string[] }[]) {
      issue.push({ severity: 'information', code: 'duplicate', diagnostics: `可能重复：Patient/${s.id} ${s.name}，${s.birthDate}，${s.managingOrganizationName}（${s.reasons.join('；')}）` });
    }
  }
  const existing = err.detail?.existing as { id: string; name: string; managingOrganizationName: string; accessible: boolean } | undefined;
  if (existing?.accessible) {
    issue.push({ severity: 'information', code: 'duplicate', diagnostics: `已登记为 Patient/${existing.id} ${existing.name}（${existing.managingOrganizationName}）` });
  }
  return { resourceType: 'OperationOutcome', issue };
}

/** The absolute origin of the request as the client sees it (Host, or X-Forwarded-Proto/Host behind a proxy). */
const originOf = (request: FastifyRequest): string => `${request.protocol}://${request.host}`;

/**
 * The FHIR R4 façade at /fhir (docs/fhir.md). Thin: each route parses the HTTP parts, calls FhirService and sets the
 * FHIR headers. /fhir/metadata is public; the auth plugin guards the rest (401 OperationOutcome without a token).
 */
export function fhirRoutes(app: FastifyInstance, deps: AppDeps) {
  const { network, patients, referrals, capacity } = deps.services;
  const fhir = new FhirService({
    network, patients, referrals, capacity, diagnosis: deps.services.diagnosis, db: deps.database.db, subscriptionPrivateHosts: deps.config.subscriptionPrivateHosts,
  });

  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-type', FHIR_CONTENT_TYPE);
    return payload;
  });

  const typeOf = (raw: string) => {
    if (!isSupportedResourceType(raw)) {
      throw new AppError('not_found', `不支持的资源类型 "${raw}"（支持：${supportedResourceTypes.join(', ')}）`, { detail: { fhirIssueCode: 'not-supported' } });
    }
    return raw;
  };

  /** A versioned resource (Patient, ServiceRequest, Task) with ETag and Last-Modified; `Prefer: return=minimal` → no body. */
  const sendPatient = (reply: FastifyReply, request: FastifyRequest, p: Resource, status = 200) => {
    if (p.meta?.versionId) reply.header('etag', `W/"${p.meta.versionId}"`);
    reply.status(status);
    if (p.meta?.lastUpdated) reply.header('last-modified', new Date(p.meta.lastUpdated).toUTCString());
    if (/return=minimal/.test(String(request.headers.prefer ?? ''))) return reply.send('');
    return reply.send(p);
  };

  /** 201 Created with the Location of the new resource (its version when it has one). */
  const sendCreated = (reply: FastifyReply, request: FastifyRequest, r: Resource) => {
    const version = r.meta?.versionId ? `/_history/${r.meta.versionId}` : '';
    reply.header('location', `${originOf(request)}/fhir/${r.resourceType}/${r.id}${version}`);
    return sendPatient(reply, request, r, 201);
  };

  /** Business-rule violations of a well-formed request are 422 Unprocessable Entity (FHIR http.html#update). */
  const unprocessableAs422 = async (reply: FastifyReply, run: () => Promise<unknown>) => {
    try {
      return await run();
    } catch (e) {
      if (isUnprocessable(e)) return reply.status(422).send(fhirErrorBody(e, 422));
      throw e;
    }
  };

  const requireFhirJson = (request: FastifyRequest) => {
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!ACCEPTED_BODY_TYPES.includes(type)) {
      throw new AppError('unsupported_media_type', `请求体应为 application/fhir+json（或 application/json），收到 "${type || '无'}"`);
    }
  };

  app.get('/fhir/metadata', { config: { public: true } }, async (request, reply) => {
    const origin = originOf(request);
    return reply.send(
      fhir.capabilityStatement({ base: `${origin}/fhir`, tokenUrl: `${origin}/auth/token`, date: deps.clock.now().toISOString(), softwareVersion: SOFTWARE_VERSION }),
    );
  });

  // Monitoring indicators (docs/fhir.md, "Measures"): static routes win over /fhir/:type in Fastify's router.
  const measures = new FhirMeasureService(deps.services.indicators);
  app.get('/fhir/Measure', async (request, reply) =>
    reply.send(await measures.search(contextOf(request, deps), request.query as RawQuery, `${originOf(request)}/fhir`)),
  );
  app.get<{ Params: { id: string } }>('/fhir/Measure/:id', async (request, reply) => reply.send(await measures.read(contextOf(request, deps), request.params.id)));
  app.get<{ Params: { id: string } }>('/fhir/Measure/:id/$evaluate-measure', async (request, reply) =>
    reply.send(await measures.evaluate(contextOf(request, deps), request.params.id, request.query as RawQuery)),
  );

  app.get<{ Params: { type: string } }>('/fhir/:type', async (request, reply) => {
    const type = typeOf(request.params.type);
    const bundle = await fhir.search(contextOf(request, deps), type, request.query as RawQuery, `${originOf(request)}/fhir`);
    return reply.send(bundle);
  });

  app.get<{ Params: { type: string; id: string } }>('/fhir/:type/:id', async (request, reply) => {
    const type = typeOf(request.params.type);
    const resource: Resource = await fhir.read(contextOf(request, deps), type, request.params.id);
    if (resource.meta?.versionId) return sendPatient(reply, request, resource);
    return reply.send(resource);
  });

  app.get<{ Params: { id: string; vid: string } }>('/fhir/Patient/:id/_history/:vid', async (request, reply) =>
    sendPatient(reply, request, await fhir.readPatientVersion(contextOf(request, deps), request.params.id, request.params.vid)),
  );

  app.post('/fhir/Patient', async (request, reply) => {
    requireFhirJson(request);
    if (request.headers['if-none-exist']) {
      throw new AppError('invalid', '不支持条件创建（If-None-Exist）：同一身份证号码不会重复登记，请直接创建', { detail: { fhirIssueCode: 'not-supported' } });
    }
    const confirm = /^(true|1|yes)$/i.test(String(request.headers['x-yilian-confirm-not-duplicate'] ?? ''));
    const p = await fhir.createPatient(contextOf(request, deps), request.body, { confirmNotDuplicate: confirm });
    reply.header('location', `${originOf(request)}/fhir/Patient/${p.id}/_history/${p.meta?.versionId}`);
    return sendPatient(reply, request, p, 201);
  });

  app.put<{ Params: { id: string } }>('/fhir/Patient/:id', async (request, reply) => {
    requireFhirJson(request);
    const ifMatch = request.headers['if-match'];
    const p = await fhir.updatePatient(contextOf(request, deps), request.params.id, request.body, Array.isArray(ifMatch) ? ifMatch[0] : ifMatch);
    reply.header('content-location', `${originOf(request)}/fhir/Patient/${p.id}/_history/${p.meta?.versionId}`);
    return sendPatient(reply, request, p);
  });

  // ---- Two-way referral (docs/fhir.md, "Two-way referral")

  app.post('/fhir/ServiceRequest', async (request, reply) => {
    requireFhirJson(request);
    // A center-type category asks a diagnosis center (docs/fhir.md, "Diagnosis centers"); everything else is a referral.
    if (fhir.diagnosis && isDiagnosisServiceRequest(request.body)) {
      return sendCreated(reply, request, await fhir.diagnosis.createServiceRequest(contextOf(request, deps), request.body));
    }
    return sendCreated(reply, request, await fhir.referral.createServiceRequest(contextOf(request, deps), request.body));
  });

  // ---- Shared diagnosis centers (docs/fhir.md, "Diagnosis centers")

  app.post('/fhir/DiagnosticReport', async (request, reply) => {
    requireFhirJson(request);
    if (!fhir.diagnosis) throw new AppError('not_found', '本服务未启用诊断中心');
    const answer = await fhir.diagnosis.createReport(contextOf(request, deps), request.body);
    if (answer.status === 202) return reply.status(202).send(answer.resource);
    return sendCreated(reply, request, answer.resource);
  });

  app.post('/fhir/Communication', async (request, reply) => {
    requireFhirJson(request);
    if (!fhir.diagnosis) throw new AppError('not_found', '本服务未启用诊断中心');
    return sendCreated(reply, request, await fhir.diagnosis.acknowledge(contextOf(request, deps), request.body));
  });

  app.put<{ Params: { id: string } }>('/fhir/Task/:id', async (request, reply) => {
    requireFhirJson(request);
    const ifMatch = request.headers['if-match'];
    return unprocessableAs422(reply, async () => {
      const task = await fhir.referral.updateTask(contextOf(request, deps), request.params.id, request.body, Array.isArray(ifMatch) ? ifMatch[0] : ifMatch);
      reply.header('content-location', `${originOf(request)}/fhir/Task/${task.id}/_history/${task.meta?.versionId}`);
      return sendPatient(reply, request, task);
    });
  });

  app.post('/fhir/Appointment', async (request, reply) => {
    requireFhirJson(request);
    return sendCreated(reply, request, await fhir.referral.createAppointment(contextOf(request, deps), request.body));
  });

  app.post('/fhir/Subscription', async (request, reply) => {
    requireFhirJson(request);
    return sendCreated(reply, request, await fhir.subscriptions.create(contextOf(request, deps), request.body));
  });

  app.delete<{ Params: { id: string } }>('/fhir/Subscription/:id', async (request, reply) => {
    await fhir.subscriptions.delete(contextOf(request, deps), request.params.id);
    return reply.status(204).send();
  });

  // Everything else under /fhir: an unknown resource type is 404, a known one with an interaction we lack is 405.
  const unsupported = async (request: FastifyRequest<{ Params: { '*'?: string } }>, reply: FastifyReply) => {
    const [first = ''] = (request.params['*'] ?? '').split('/');
    const type = first.split('?')[0]!;
    if (type === '' || (!isSupportedResourceType(type) && type !== 'Measure')) {
      typeOf(type || '(空)');
    }
    return reply.status(405).send(
      fhirErrorBody(new AppError('invalid', `不支持的操作：${request.method} ${request.url.split('?')[0]}（见 /fhir/metadata）`, { detail: { fhirIssueCode: 'not-supported' } }), 405),
    );
  };
  // Activity data in (docs/fhir.md, "Activity data in"): batch/transaction Bundles of Encounter + Claim/ExplanationOfBenefit.
  const activities = new FhirActivityService({ indicators: deps.services.indicators, patients, network });
  app.post('/fhir', { bodyLimit: 8 * 1024 * 1024 }, async (request, reply) => {
    requireFhirJson(request);
    const answer = await activities.submit(contextOf(request, deps), request.body, { statusOf: (e) => statusOf[e.code], outcomeOf: fhirErrorBody });
    return reply.status(answer.status).send(answer.body);
  });
  app.route({ method: app.supportedMethods.filter((m) => m !== 'POST'), url: '/fhir', handler: unsupported });
  app.all('/fhir/*', unsupported);
}

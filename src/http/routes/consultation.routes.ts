import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  assignExpertInputSchema, conclusionInputSchema, consultationInputSchema, consultationListQuerySchema, consultationReasonSchema, invitationResponseSchema,
  opinionInputSchema, scheduleInputSchema,
} from '../../contracts/diagnosis-consultation.js';
import type { AppDeps } from '../deps.js';
import { contextOf } from '../plugins/auth.js';

const idParam = z.object({ id: z.string().min(1).max(100) });
const expertParam = idParam.extend({ expertId: z.string().min(1).max(100) });

/** Teleconsultation (远程会诊) at the shared consultation centers: request, schedule, experts, opinions, decision. */
export function consultationRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { consultations } = deps.services;
  const tags = ['diagnosis'];
  const base = '/api/v1/diagnosis/consultations';

  r.post(base, { schema: { tags, body: consultationInputSchema } }, async (request, reply) => {
    const dto = await consultations.create(contextOf(request, deps), request.body);
    return reply.status(201).header('location', `${base}/${dto.id}`).send(dto);
  });
  r.get(base, { schema: { tags, querystring: consultationListQuerySchema } }, async (request) => consultations.list(contextOf(request, deps), request.query));
  r.get(`${base}/:id`, { schema: { tags, params: idParam } }, async (request) => consultations.get(contextOf(request, deps), request.params.id));
  r.get(`${base}/:id/timeline`, { schema: { tags, params: idParam } }, async (request) => consultations.timeline(contextOf(request, deps), request.params.id));
  r.post(`${base}/:id/experts`, { schema: { tags, params: idParam, body: assignExpertInputSchema } }, async (request) =>
    consultations.assignExpert(contextOf(request, deps), request.params.id, request.body),
  );
  r.post(`${base}/:id/experts/:expertId/remove`, { schema: { tags, params: expertParam, body: consultationReasonSchema } }, async (request) =>
    consultations.removeExpert(contextOf(request, deps), request.params.id, request.params.expertId, request.body.reason),
  );
  r.post(`${base}/:id/invitation`, { schema: { tags, params: idParam, body: invitationResponseSchema } }, async (request) =>
    consultations.respondToInvitation(contextOf(request, deps), request.params.id, request.body),
  );
  r.post(`${base}/:id/schedule`, { schema: { tags, params: idParam, body: scheduleInputSchema } }, async (request) =>
    consultations.schedule(contextOf(request, deps), request.params.id, request.body),
  );
  r.post(`${base}/:id/start`, { schema: { tags, params: idParam } }, async (request) => consultations.start(contextOf(request, deps), request.params.id));
  r.post(`${base}/:id/opinions`, { schema: { tags, params: idParam, body: opinionInputSchema } }, async (request, reply) =>
    reply.status(201).send(await consultations.recordOpinion(contextOf(request, deps), request.params.id, request.body)),
  );
  r.post(`${base}/:id/conclude`, { schema: { tags, params: idParam, body: conclusionInputSchema } }, async (request) =>
    consultations.conclude(contextOf(request, deps), request.params.id, request.body),
  );
  r.post(`${base}/:id/cancel`, { schema: { tags, params: idParam, body: consultationReasonSchema } }, async (request) =>
    consultations.cancel(contextOf(request, deps), request.params.id, request.body.reason),
  );
  r.post(`${base}/:id/decline`, { schema: { tags, params: idParam, body: consultationReasonSchema } }, async (request) =>
    consultations.decline(contextOf(request, deps), request.params.id, request.body.reason),
  );
}

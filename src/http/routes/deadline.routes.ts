import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { deadlinePolicyInputSchema, deadlinePolicyQuerySchema, workingCalendarInputSchema } from '../../contracts/deadline.js';
import type { AppDeps } from '../deps.js';
import { contextOf } from '../plugins/auth.js';

const idParam = z.object({ id: z.string().min(1).max(100) });

/** Deadline policies (时限策略) and working calendars: read by any signed-in user, changed by administrators. */
export function deadlineRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { deadlines } = deps.services;
  const tags = ['deadlines'];

  r.get('/api/v1/deadline-policies', { schema: { tags, querystring: deadlinePolicyQuerySchema } }, async (request) =>
    deadlines.listPolicies(contextOf(request, deps), request.query),
  );
  r.put('/api/v1/deadline-policies', { schema: { tags, body: deadlinePolicyInputSchema } }, async (request) =>
    deadlines.upsertPolicy(contextOf(request, deps), request.body),
  );
  r.delete('/api/v1/deadline-policies/:id', { schema: { tags, params: idParam } }, async (request, reply) => {
    await deadlines.deletePolicyOverride(contextOf(request, deps), request.params.id);
    return reply.status(204).send();
  });
  r.get('/api/v1/working-calendars', { schema: { tags } }, async (request) => deadlines.listCalendars(contextOf(request, deps)));
  r.post('/api/v1/working-calendars', { schema: { tags, body: workingCalendarInputSchema } }, async (request, reply) => {
    const c = await deadlines.createCalendar(contextOf(request, deps), request.body);
    return reply.status(201).header('location', `/api/v1/working-calendars/${c.id}`).send(c);
  });
  r.put('/api/v1/working-calendars/:id', { schema: { tags, params: idParam, body: workingCalendarInputSchema } }, async (request) =>
    deadlines.updateCalendar(contextOf(request, deps), request.params.id, request.body),
  );
}

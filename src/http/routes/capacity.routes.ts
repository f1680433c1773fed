import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  bedPoolDaysQuerySchema, bedPoolInputSchema, bedPoolQuerySchema, capacityPolicyInputSchema, capacityPolicyQuerySchema, publishSlotsInputSchema,
  scheduleInputSchema, scheduleQuerySchema, slotQuerySchema,
} from '../../contracts/referral.js';
import type { AppDeps } from '../deps.js';
import { contextOf } from '../plugins/auth.js';

const idParam = z.object({ id: z.string().min(1).max(100) });

/** Reserved capacity (号源/床位预留): schedules, slots, capacity policies and bed pools. Booking is on the referral routes. */
export function capacityRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { capacity } = deps.services;
  const tags = ['capacity'];

  r.get('/api/v1/schedules', { schema: { tags, querystring: scheduleQuerySchema } }, async (request) =>
    capacity.listSchedules(contextOf(request, deps), request.query),
  );
  r.post('/api/v1/schedules', { schema: { tags, body: scheduleInputSchema } }, async (request, reply) => {
    const schedule = await capacity.createSchedule(contextOf(request, deps), request.body);
    return reply.status(201).send(schedule);
  });
  r.post('/api/v1/schedules/:id/slots', { schema: { tags, params: idParam, body: publishSlotsInputSchema } }, async (request, reply) => {
    const result = await capacity.publishSlots(contextOf(request, deps), request.params.id, request.body);
    return reply.status(201).send(result);
  });

  r.get('/api/v1/slots', { schema: { tags, querystring: slotQuerySchema } }, async (request) => capacity.listSlots(contextOf(request, deps), request.query));

  r.get('/api/v1/capacity-policies', { schema: { tags, querystring: capacityPolicyQuerySchema } }, async (request) =>
    capacity.listPolicies(contextOf(request, deps), request.query),
  );
  r.post('/api/v1/capacity-policies', { schema: { tags, body: capacityPolicyInputSchema } }, async (request, reply) => {
    const policy = await capacity.createPolicy(contextOf(request, deps), request.body);
    return reply.status(201).send(policy);
  });

  r.get('/api/v1/bed-pools', { schema: { tags, querystring: bedPoolQuerySchema } }, async (request) =>
    capacity.listBedPools(contextOf(request, deps), request.query),
  );
  r.post('/api/v1/bed-pools', { schema: { tags, body: bedPoolInputSchema } }, async (request, reply) => {
    const pool = await capacity.createBedPool(contextOf(request, deps), request.body);
    return reply.status(201).send(pool);
  });
  r.get('/api/v1/bed-pools/:id/days', { schema: { tags, params: idParam, querystring: bedPoolDaysQuerySchema } }, async (request) =>
    capacity.bedPoolDays(contextOf(request, deps), request.params.id, request.query),
  );
}

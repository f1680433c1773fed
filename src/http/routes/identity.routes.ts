import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { userInputSchema, userQuerySchema, userUpdateSchema } from '../../contracts/identity.js';
import type { AppDeps } from '../deps.js';
import { contextOf } from '../plugins/auth.js';

export function identityRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { identity } = deps.services;
  const tags = ['accounts'];
  r.get('/api/v1/users', { schema: { tags, querystring: userQuerySchema } }, async (request) => identity.listUsers(contextOf(request, deps), request.query));
  r.get('/api/v1/users/:id', { schema: { tags, params: z.object({ id: z.string() }) } }, async (request) => identity.getUser(contextOf(request, deps), request.params.id));
  r.post('/api/v1/users', { schema: { tags, body: userInputSchema } }, async (request, reply) => {
    const user = await identity.createUser(contextOf(request, deps), request.body);
    return reply.status(201).send(user);
  });
  r.patch('/api/v1/users/:id', { schema: { tags, params: z.object({ id: z.string() }), body: userUpdateSchema } }, async (request) =>
    identity.updateUser(contextOf(request, deps), request.params.id, request.body),
  );
}

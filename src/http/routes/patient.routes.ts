import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { idNumberCheckSchema, patientBatchSchema, patientInputSchema, patientQuerySchema } from '../../contracts/patient.js';
import { jsonErrorBody } from '../plugins/error-handler.js';
import type { AppDeps } from '../deps.js';
import { contextOf } from '../plugins/auth.js';

const idParam = z.object({ id: z.string().min(1).max(100) });

export function patientRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { patients } = deps.services;
  const tags = ['patients'];

  r.get('/api/v1/patients', { schema: { tags, querystring: patientQuerySchema } }, async (request) =>
    patients.search(contextOf(request, deps), request.query),
  );
  r.get('/api/v1/patients/count', { schema: { tags, querystring: z.object({ organizationId: z.string().optional() }) } }, async (request) => ({
    total: await patients.count(contextOf(request, deps), request.query.organizationId),
  }));
  r.get('/api/v1/patients/:id', { schema: { tags, params: idParam } }, async (request) => patients.get(contextOf(request, deps), request.params.id));
  r.post('/api/v1/patients', { schema: { tags, body: patientInputSchema } }, async (request, reply) => {
    const p = await patients.register(contextOf(request, deps), request.body);
    return reply.status(201).header('location', `/api/v1/patients/${p.id}`).send(p);
  });
  /** Batch registration (imports): the rules of a single registration, row by row in order; 200 with one result per row. */
  r.post('/api/v1/patients/$batch', { bodyLimit: 8 * 1024 * 1024, schema: { tags, body: patientBatchSchema } }, async (request) => {
    const results = await patients.registerMany(contextOf(request, deps), request.body.patients);
    return {
      results: results.map((r) =>
        r.ok ? { ok: true as const, patient: r.patient } : { ok: false as const, error: jsonErrorBody(r.error) },
      ),
    };
  });
  r.put('/api/v1/patients/:id', { schema: { tags, params: idParam, body: patientInputSchema.extend({ version: z.number().int().min(1).optional() }) } }, async (request) =>
    patients.update(contextOf(request, deps), request.params.id, request.body, request.body.version),
  );
  r.post('/api/v1/patients/check-id', { schema: { tags, body: idNumberCheckSchema } }, async (request) =>
    patients.checkIdNumber(request.body.idNumber, deps.clock.now()),
  );
  r.post(
    '/api/v1/patients/duplicates',
    { schema: { tags, body: z.object({ name: z.string().trim().min(1), birthDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), phone: z.string().nullish() }) } },
    async (request) => patients.duplicateSuggestions(contextOf(request, deps), { name: request.body.name, birthDate: request.body.birthDate, phone: request.body.phone ?? null }),
  );
}

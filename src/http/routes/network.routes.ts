import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  catalogueCheckSchema, catalogueOverrideInputSchema, departmentInputSchema, membershipEndSchema, membershipInputSchema, organizationInputSchema,
  organizationQuerySchema, practitionerInputSchema, practitionerPatchSchema, practitionerRoleInputSchema, supportPairingInputSchema,
} from '../../contracts/network.js';
import { facilityTiers } from '../../contracts/codes.js';
import type { AppDeps } from '../deps.js';
import { shanghaiDate } from '../../shared/clock.js';
import { contextOf } from '../plugins/auth.js';

const idParam = z.object({ id: z.string().min(1).max(100) });
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');

export function networkRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { network } = deps.services;
  const tags = ['network'];

  r.get('/api/v1/network/summary', { schema: { tags } }, async () => network.summary(shanghaiDate(deps.clock.now())));

  r.get('/api/v1/divisions', { schema: { tags, querystring: z.object({ parent: z.string().regex(/^\d{6,12}$/, '区划代码应为6-12位数字').optional() }) } }, async (request) =>
    network.childDivisions(request.query.parent ?? null),
  );
  r.get('/api/v1/divisions/:code', { schema: { tags, params: z.object({ code: z.string().regex(/^\d{6,12}$/, '区划代码应为6-12位数字') }) } }, async (request) =>
    network.division(request.params.code),
  );

  r.get('/api/v1/organizations', { schema: { tags, querystring: organizationQuerySchema } }, async (request) => network.searchOrganizations(request.query));
  r.get('/api/v1/organizations/:id', { schema: { tags, params: idParam } }, async (request) =>
    network.organizationDetail(contextOf(request, deps), request.params.id),
  );
  r.post('/api/v1/organizations', { schema: { tags, body: organizationInputSchema } }, async (request, reply) => {
    const org = await network.createOrganization(contextOf(request, deps), request.body);
    return reply.status(201).send(org);
  });

  r.post('/api/v1/organizations/:id/departments', { schema: { tags, params: idParam, body: departmentInputSchema } }, async (request, reply) => {
    const dept = await network.addDepartment(contextOf(request, deps), request.params.id, request.body);
    return reply.status(201).send(dept);
  });

  r.get('/api/v1/alliances', { schema: { tags } }, async () => network.alliances(shanghaiDate(deps.clock.now())));
  r.get('/api/v1/alliances/:id', { schema: { tags, params: idParam } }, async (request) => network.alliance(request.params.id, shanghaiDate(deps.clock.now())));
  r.get('/api/v1/alliances/:id/members', { schema: { tags, params: idParam, querystring: z.object({ on: isoDate.optional() }) } }, async (request) =>
    network.members(request.params.id, request.query.on),
  );
  r.post('/api/v1/alliances/:id/members', { schema: { tags, params: idParam, body: membershipInputSchema } }, async (request, reply) => {
    const m = await network.addMembership(contextOf(request, deps), request.params.id, request.body);
    return reply.status(201).send(m);
  });
  r.post('/api/v1/memberships/:id/end', { schema: { tags, params: idParam, body: membershipEndSchema } }, async (request) =>
    network.endMembership(contextOf(request, deps), request.params.id, request.body.validTo, request.body.reason),
  );

  r.get('/api/v1/pairings', { schema: { tags, querystring: z.object({ organizationId: z.string().optional() }) } }, async (request) =>
    network.pairings(request.query.organizationId ?? null),
  );

  r.post('/api/v1/pairings', { schema: { tags, body: supportPairingInputSchema } }, async (request, reply) => {
    const pairing = await network.addPairing(contextOf(request, deps), request.body);
    return reply.status(201).send(pairing);
  });

  r.post('/api/v1/practitioners', { schema: { tags, body: practitionerInputSchema } }, async (request, reply) => {
    const p = await network.createPractitioner(contextOf(request, deps), request.body);
    return reply.status(201).send(p);
  });
  r.patch('/api/v1/practitioners/:id', { schema: { tags, params: idParam, body: practitionerPatchSchema } }, async (request) =>
    network.updatePractitioner(contextOf(request, deps), request.params.id, request.body),
  );
  r.post('/api/v1/practitioners/:id/roles', { schema: { tags, params: idParam, body: practitionerRoleInputSchema } }, async (request, reply) => {
    const role = await network.addPractitionerRole(contextOf(request, deps), request.params.id, request.body);
    return reply.status(201).send(role);
  });

  r.get(
    '/api/v1/practitioners',
    {
      schema: {
        tags,
        querystring: z.object({
          q: z.string().trim().max(50).optional(),
          organizationId: z.string().optional(),
          page: z.coerce.number().int().min(1).default(1),
          pageSize: z.coerce.number().int().min(1).max(200).default(20),
        }),
      },
    },
    async (request) => network.searchPractitioners(request.query),
  );

  r.get('/api/v1/catalogue', { schema: { tags, querystring: z.object({ tier: z.enum(facilityTiers).optional(), allianceId: z.string().optional() }) } }, async (request) =>
    network.catalogue(request.query.tier, request.query.allianceId),
  );
  r.post('/api/v1/alliances/:id/catalogue', { schema: { tags, params: idParam, body: catalogueOverrideInputSchema } }, async (request, reply) => {
    const entry = await network.addCatalogueOverride(contextOf(request, deps), request.params.id, request.body);
    return reply.status(201).send(entry);
  });
  r.delete('/api/v1/catalogue/:id', { schema: { tags, params: idParam } }, async (request, reply) => {
    await network.removeCatalogueOverride(contextOf(request, deps), request.params.id);
    return reply.status(204).send();
  });
  r.get('/api/v1/catalogue/check', { schema: { tags, querystring: catalogueCheckSchema } }, async (request) =>
    network.checkCatalogue(request.query.tier, request.query.icd10, request.query.allianceId),
  );
}

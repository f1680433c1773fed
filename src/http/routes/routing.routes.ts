import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { routingQuerySchema, routingResultSchema } from '../../contracts/referral.js';
import { searchCommonDiagnoses } from '../../modules/referral/index.js';
import type { AppDeps } from '../deps.js';
import { contextOf } from '../plugins/auth.js';

const diagnosisQuerySchema = z.object({ q: z.string().trim().max(50).optional() });
const diagnosisListSchema = z.object({
  items: z.array(z.object({ code: z.string(), zh: z.string(), en: z.string() })),
});

/** Routing recommendation for up-referrals (转诊去向推荐) and the referral form's diagnosis picker. */
export function routingRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { routing } = deps.services;
  const tags = ['referrals'];

  r.get(
    '/api/v1/referral-routing',
    { schema: { tags, querystring: routingQuerySchema, response: { 200: routingResultSchema } } },
    async (request) => routing.recommend(contextOf(request, deps), request.query),
  );

  /** A curated list of common referral diagnoses (not the full ICD-10; any valid code is accepted elsewhere). */
  r.get('/api/v1/diagnoses', { schema: { tags, querystring: diagnosisQuerySchema, response: { 200: diagnosisListSchema } } }, async (request) => ({
    items: searchCommonDiagnoses(request.query.q, 20),
  }));
}

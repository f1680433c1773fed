import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { statisticsQuerySchema } from '../../contracts/diagnosis-statistics.js';
import type { AppDeps } from '../deps.js';
import { contextOf } from '../plugins/auth.js';

/** Turnaround statistics of the diagnosis centers: readers for their center, alliance admins and the commission for their scope. */
export async function diagnosisStatisticsRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get('/api/v1/diagnosis/statistics', { schema: { tags: ['diagnosis'], querystring: statisticsQuerySchema } }, async (request) =>
    deps.services.diagnosisStatistics.turnaround(contextOf(request, deps), request.query),
  );
}

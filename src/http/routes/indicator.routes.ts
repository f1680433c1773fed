import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { activityBatchSchema, indicatorRankingQuerySchema, indicatorRebuildStores, indicatorValuesQuerySchema } from '../../contracts/indicator.js';
import { jsonErrorBody } from '../plugins/error-handler.js';
import type { AppDeps } from '../deps.js';
import { contextOf } from '../plugins/auth.js';
import { exportDhis2 } from '../../modules/indicators/index.js';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');

/** Which aggregate `POST /api/v1/indicators/rebuild` rebuilds; `countyCode` only for PostgreSQL's (DuckDB's is swapped in whole). */
const rebuildBodySchema = z
  .object({
    store: z.enum(indicatorRebuildStores).optional(),
    countyCode: z.string().regex(/^\d{6}$/, '县级区划代码应为6位数字').optional(),
  })
  .superRefine((b, c) => {
    if (b.countyCode !== undefined && b.store !== undefined && b.store !== 'postgres') {
      c.addIssue({
        code: 'custom', path: ['countyCode'],
        message: `分析库（DuckDB）总是整体重建，不能按县重建；countyCode 只用于 store "postgres" / the analytic store is always rebuilt whole: countyCode applies to store "postgres" only`,
      });
    }
  });

/** Monitoring indicators (issue 4): definitions, values, activity in, rebuild of the pre-aggregate. */
export function indicatorRoutes(app: FastifyInstance, deps: AppDeps) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { indicators } = deps.services;
  const tags = ['indicators'];

  r.get('/api/v1/indicators', { schema: { tags, querystring: z.object({ on: isoDate.optional() }) } }, async (request) => ({
    items: await indicators.listDefinitions(contextOf(request, deps), request.query.on),
  }));
  r.get(
    '/api/v1/indicators/:code/values',
    { schema: { tags, params: z.object({ code: z.string().min(1).max(100) }), querystring: indicatorValuesQuerySchema } },
    async (request) => indicators.evaluate(contextOf(request, deps), { indicator: request.params.code, ...request.query }),
  );
  const codeParam = z.object({ code: z.string().min(1).max(100) });
  /** One period, the subject and its children ranked (province → cities/counties, city → counties, county → facilities/alliances, alliance → members). */
  r.get(
    '/api/v1/indicators/:code/ranking',
    { schema: { tags, params: codeParam, querystring: indicatorRankingQuerySchema } },
    async (request) => indicators.ranking(contextOf(request, deps), { indicator: request.params.code, ...request.query }),
  );
  r.get(
    '/api/v1/indicators/:code/targets',
    { schema: { tags, params: codeParam, querystring: z.object({ divisionCode: z.string().regex(/^\d{6}(\d{3})?(\d{3})?$/, '区划代码应为 6、9 或 12 位数字') }) } },
    async (request) => ({ items: await indicators.targetsOf(contextOf(request, deps), request.params.code, request.query.divisionCode) }),
  );
  r.put(
    '/api/v1/indicators/:code/targets',
    {
      schema: {
        tags, params: codeParam,
        body: z.object({
          divisionCode: z.string().regex(/^\d{6}(\d{3})?(\d{3})?$/, '区划代码应为 6、9 或 12 位数字'),
          year: z.number().int().min(2000).max(2100),
          target: z.number().finite().min(-1e9).max(1e9),
          note: z.string().trim().max(500).optional(),
        }),
      },
    },
    async (request) => indicators.setTarget(contextOf(request, deps), request.params.code, request.body),
  );
  /** DHIS2 data value set (docs/indicators.md, "DHIS2 export"): every indicator for the level and period, codes as ids. */
  r.get(
    '/api/v1/indicators/export/dhis2',
    {
      schema: {
        tags,
        querystring: indicatorValuesQuerySchema.extend({
          indicators: z.string().regex(/^[a-z0-9-]+(,[a-z0-9-]+)*$/, '指标代码以逗号分隔').optional(),
          components: z.enum(['true', 'false']).optional(),
        }),
      },
    },
    async (request) => {
      const { indicators: codes, components, ...q } = request.query;
      return exportDhis2({ indicators, network: deps.services.network }, contextOf(request, deps), {
        ...q, ...(codes ? { indicators: codes.split(',') } : {}), components: components === 'true',
      });
    },
  );
  /** Batch of visits and stays (imports, integrations): 200 with one result per row, as `/api/v1/patients/$batch`. */
  r.post('/api/v1/activities/$batch', { bodyLimit: 8 * 1024 * 1024, schema: { tags, body: activityBatchSchema } }, async (request) => {
    const { results } = await indicators.recordActivities(contextOf(request, deps), request.body.activities);
    return {
      results: results.map((x) => (x.ok ? { ok: true as const, id: x.id, duplicate: x.duplicate } : { ok: false as const, error: jsonErrorBody(x.error) })),
    };
  });
  /**
   * Rebuilds a store of the activity aggregate (docs/indicators.md, "Analytic store" → "Operations"): `postgres`
   * (default) PostgreSQL's `activity_daily`, whole or one county; `analytics` DuckDB's aggregate from its raw
   * projection; `analytics-resync` DuckDB refilled from PostgreSQL. The DuckDB ones answer with the comparison against
   * PostgreSQL, and 409 in a process that has no store or does not drain it.
   */
  r.post(
    '/api/v1/indicators/rebuild',
    { schema: { tags, body: rebuildBodySchema.optional() } },
    async (request) => {
      const ctx = contextOf(request, deps);
      const body = request.body ?? {};
      const store = body.store ?? 'postgres';
      switch (store) {
        case 'analytics':
        case 'analytics-resync':
          return indicators.operateAnalyticsAs(ctx, store);
        case 'postgres':
          return { store: 'postgres' as const, ...(await indicators.rebuildAs(ctx, body.countyCode ? { countyCode: body.countyCode } : {})) };
      }
    },
  );
  /** The analytic store as this process sees it: configured, drainer, outbox backlog, DuckDB's counts, equality with PostgreSQL. */
  r.get('/api/v1/indicators/analytics/status', { schema: { tags } }, async (request) => indicators.analyticsStatusAs(contextOf(request, deps)));
}

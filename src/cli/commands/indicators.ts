import type { Config } from '../../config/env.js';
import { indicatorRebuildStores as rebuildStores, type IndicatorRebuildStore as RebuildStore } from '../../contracts/indicator.js';
import type { Platform } from '../../bootstrap.js';
import type { AnalyticsOperationResult, AnalyticsStatus } from '../../modules/indicators/index.js';
import { systemClock } from '../../shared/clock.js';
import type { RequestContext } from '../../shared/context.js';
import { isAppError } from '../../shared/errors.js';
import { FatalError, UsageError } from '../errors.js';
import { print, say } from '../output.js';
import { connectToServer, openTarget, type ServerCredentials } from '../target.js';
import type { ServerClient } from '../server-client.js';

/**
 * `yilian indicators rebuild` and `yilian indicators analytics-status`: the operations of the activity aggregate's two
 * stores (docs/indicators.md, "Analytic store" → "Operations") — PostgreSQL's `activity_daily`, and the DuckDB
 * analytic store beside it. Through the running server when it holds the embedded data directory (its API, as the
 * signed-in administrator: the server's own store is the one operated), else directly; a direct DuckDB operation
 * claims the drainer role first, as the server does, and closes the store afterwards.
 */

export interface IndicatorsRebuildOptions extends ServerCredentials {
  store?: string;
  county?: string;
  json?: boolean;
}

export interface AnalyticsStatusOptions extends ServerCredentials {
  json?: boolean;
}

type PostgresRebuild = { store: 'postgres'; records: number; aggregateRows: number; ms: number };
type RebuildResult = PostgresRebuild | AnalyticsOperationResult;

/** The CLI acts as a system administrator on the database it opened (channel `cli`, as the other direct commands). */
const cliContext = (): RequestContext => ({ actor: { userId: '', username: 'cli', organizationId: null, roles: ['system-admin'] }, clock: systemClock, channel: 'cli' });

const storeNames: Record<RebuildStore, string> = {
  postgres: 'PostgreSQL 指标汇总 activity_daily / PostgreSQL pre-aggregate',
  analytics: '分析库（DuckDB）汇总 / analytic store (DuckDB) aggregate',
  'analytics-resync': '分析库（DuckDB）从 PostgreSQL 重新填充 / analytic store (DuckDB) refilled from PostgreSQL',
};

export async function runIndicatorsRebuild(config: Config, opts: IndicatorsRebuildOptions): Promise<void> {
  const store = (opts.store ?? 'postgres') as RebuildStore;
  if (!(rebuildStores as readonly string[]).includes(store)) throw new UsageError(`--store 应为 ${rebuildStores.join('、')} / must be one of ${rebuildStores.join(', ')} (got ${opts.store})`);
  if (opts.county !== undefined && !/^\d{6}$/.test(opts.county)) throw new UsageError(`--county 应为县级区划代码（6位，如 350821） / must be a county code (got ${opts.county})`);
  if (opts.county !== undefined && store !== 'postgres') {
    throw new UsageError('分析库（DuckDB）总是整体重建，--county 只用于 --store postgres / the analytic store is always rebuilt whole: --county applies to --store postgres only');
  }
  say(`重建 / rebuilding: ${storeNames[store]}${opts.county ? `，县 county ${opts.county}` : ''}`);
  if (store === 'analytics-resync') say('  读取 PostgreSQL 的全部就诊记录，可能需要几分钟 / reads every activity record from PostgreSQL: this may take minutes');
  const result = await withTarget(config, opts, {
    server: (client) => client.post<RebuildResult>('/api/v1/indicators/rebuild', { store, ...(opts.county ? { countyCode: opts.county } : {}) }),
    direct: async (platform) => {
      const indicators = platform.services.indicators;
      if (store === 'postgres') return { store, ...(await indicators.rebuildAs(cliContext(), opts.county ? { countyCode: opts.county } : {})) };
      return withAnalytics(platform, () => indicators.operateAnalyticsAs(cliContext(), store));
    },
  });
  if (opts.json) print(JSON.stringify({ ...result.value, via: result.via }));
  else print(describeRebuild(result.value, result.via));
  // A batch committed after the drain shows as a difference together with its backlog; without one, it is a real fault.
  if (result.value.store !== 'postgres' && !result.value.comparison.equal && result.value.backlog.rows === 0) {
    throw new FatalError(`重建后分析库与 PostgreSQL 不一致 / after the operation the analytic store differs from PostgreSQL: ${result.value.comparison.differences.join('; ')}`);
  }
}

export async function runAnalyticsStatus(config: Config, opts: AnalyticsStatusOptions): Promise<void> {
  const result = await withTarget(config, opts, {
    server: (client) => client.get<AnalyticsStatus>('/api/v1/indicators/analytics/status'),
    direct: (platform) => withAnalytics(platform, () => platform.services.indicators.analyticsStatusAs(cliContext())),
  });
  if (opts.json) print(JSON.stringify({ ...result.value, via: result.via }));
  else print(describeStatus(result.value, result.via));
}

/** Runs `server` through the running server's API, or `direct` on the database; the service's refusals become fatal errors. */
async function withTarget<T>(
  config: Config, creds: ServerCredentials, run: { server: (client: ServerClient) => Promise<T>; direct: (platform: Platform) => Promise<T> },
): Promise<{ value: T; via: 'server' | 'database' }> {
  const target = await openTarget(config, { allowServer: true });
  try {
    if (target.kind === 'server') return { value: await run.server(await connectToServer(target, config, creds)), via: 'server' };
    say(`直接访问数据库 / working on the database directly: ${target.platform.database.kind} ${target.platform.database.location}`);
    return { value: await run.direct(target.platform), via: 'database' };
  } catch (e) {
    if (isAppError(e)) throw new FatalError(`${e.message}${e.code === 'conflict' || e.code === 'forbidden' ? '' : ` (${e.code})`}`);
    throw e;
  } finally {
    if (target.kind === 'direct') await target.platform.database.close();
  }
}

/**
 * A DuckDB operation in this process: claim the drainer role (only one process may feed the store: a PostgreSQL
 * server that holds it keeps its own file, and would be left short by a drain here), run, close the store, release.
 * On PGlite the data directory's lock already makes this process the only one.
 */
async function withAnalytics<T>(platform: Platform, fn: () => Promise<T>): Promise<T> {
  const feed = platform.services.indicators.analytics;
  if (!feed) return fn(); // the service answers that there is no store
  const claim = await platform.database.claimProcessRole('analytics-drainer');
  if (!claim) {
    await feed.stop();
    throw new FatalError(
      '另一个进程（运行中的服务器）持有分析库（DuckDB）的同步角色，本命令未打开分析库。请通过该服务器的 API 执行：POST /api/v1/indicators/rebuild ' +
        '（{"store":"analytics"} 或 {"store":"analytics-resync"}）、GET /api/v1/indicators/analytics/status；或先停止服务器。\n' +
        'Another process (a running server) holds the analytic store\'s drainer role; the CLI did not open the store. Use that server\'s API ' +
        '(POST /api/v1/indicators/rebuild with {"store":"analytics"} or {"store":"analytics-resync"}, GET /api/v1/indicators/analytics/status), or stop the server first.',
    );
  }
  say(`分析库 / analytic store: ${feed.store.location}`);
  try {
    return await fn();
  } finally {
    await feed.stop();
    await claim.release().catch(() => undefined);
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function describeComparison(c: AnalyticsOperationResult['comparison'] | null, backlog: { rows: number; records: number }): string[] {
  if (!c) return [];
  return [
    c.equal
      ? `  与 PostgreSQL 一致 / equal to PostgreSQL: 是 yes（${c.duckdb.rows} 行 rows, ${c.duckdb.records} 条记录 records）`
      : `  与 PostgreSQL 一致 / equal to PostgreSQL: 否 no — ${c.differences.join('; ')}${backlog.records > 0 ? `（队列中尚有 ${backlog.records} 条记录未同步 / ${backlog.records} records still wait in the outbox）` : ''}`,
  ];
}

function describeRebuild(r: RebuildResult, via: string): string {
  if (r.store === 'postgres') {
    return [
      `重建完成 / rebuilt: ${storeNames.postgres} (via ${via})`,
      `  记录 records:        ${r.records}`,
      `  汇总行 aggregate rows: ${r.aggregateRows}`,
      `  用时 elapsed:        ${seconds(r.ms)}`,
    ].join('\n');
  }
  return [
    `${r.store === 'analytics' ? '重建完成 / rebuilt' : '重新填充完成 / refilled'}: ${storeNames[r.store]} (via ${via})`,
    `  记录 records:        ${r.records}`,
    `  汇总行 aggregate rows: ${r.aggregateRows}`,
    `  同步 drained:        ${r.drained} 条记录 records from the outbox`,
    ...describeComparison(r.comparison, r.backlog),
    `  用时 elapsed:        ${seconds(r.ms)}（合计 total ${seconds(r.totalMs)}）`,
  ].join('\n');
}

function describeStatus(s: AnalyticsStatus, via: string): string {
  const yes = (b: boolean) => (b ? '是 yes' : '否 no');
  return [
    `分析库状态 / analytic store status (via ${via})`,
    `  已配置 configured:    ${yes(s.configured)}${s.location ? `  ${s.location}` : ''}`,
    `  同步进程 drainer:     ${yes(s.drainer)}`,
    ...(s.message ? [`  ${s.message}`] : []),
    `  待同步 outbox backlog: ${s.backlog.rows} 批 rows, ${s.backlog.records} 条记录 records`,
    ...(s.initialised === null ? [] : [`  已初始化 initialised:  ${yes(s.initialised)}`]),
    ...(s.duckdb ? [`  DuckDB: ${s.duckdb.records} 条记录 records, ${s.duckdb.aggregateRows} 汇总行 aggregate rows`] : []),
    ...describeComparison(s.comparison, s.backlog),
    `  用时 elapsed:         ${seconds(s.ms)}`,
  ].join('\n');
}

import path from 'node:path';
import v8 from 'node:v8';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { ConfigError, loadConfig } from './config/env.js';
import { openPlatform } from './bootstrap.js';
import { DataDirLockedError, recordServerUrl } from './db/client.js';
import { DEFAULT_DEMO_RESIDENTS, ensureBaseData, seedDemoIfEmpty } from './db/seed/index.js';
import { seedDemoReferrals } from './db/seed/demo-referrals.js';
import { seedDemoActivity } from './db/seed/demo-activity.js';
import { seedDemoDiagnosis } from './db/seed/demo-diagnosis.js';
import { buildApp } from './http/app.js';
import { startTokenCleanup } from './jobs/token-cleanup.job.js';
import { startDeadlineWorker } from './jobs/deadline.job.js';
import { FhirSubscriptionDispatcher, startFhirSubscriptionDispatch } from './jobs/fhir-subscription.job.js';
import { startCapacityRollForward } from './jobs/capacity.job.js';
import { systemClock } from './shared/clock.js';

// V8 lets the old generation grow to two to four times what is alive before a full collection. The server's live
// heap is ~70 MB, so under load it carried 100–150 MB of garbage and its RSS passed 300 MB (docs/benchmarks.md,
// referral, "Fourth round"). 1.5× keeps it near 140 MB; the extra full collections are concurrent and cost no measurable CPU
// per request. A --heap-growing-percent given to node itself wins.
if (!process.execArgv.some((a) => a.startsWith('--heap-growing-percent'))) v8.setFlagsFromString('--heap-growing-percent=50');

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** start: config → database → migrate → base data → demo county (first start) → HTTP → listen. */
async function main(): Promise<void> {
  const startedAt = performance.now();
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  const log = pino({ level: config.logLevel, base: undefined });
  let platform;
  try {
    platform = await openPlatform(config);
  } catch (e) {
    if (e instanceof DataDirLockedError) {
      log.fatal(e.message);
      process.exit(3);
    }
    throw e;
  }
  const { database, services } = platform;
  log.info({ database: database.kind, location: database.location }, 'database ready');

  const admin = await services.identity.ensureAdmin(config.adminPassword);
  if (admin.generatedPassword) {
    // Printed once: it is not stored anywhere but as an argon2id hash.
    console.log(`\n  系统管理员账号已创建 / admin account created\n  username: admin\n  password: ${admin.generatedPassword}\n  (set YILIAN_ADMIN_PASSWORD to choose it; this is shown only once)\n`);
  }
  await ensureBaseData(database.db, log);
  const demoSeeded = config.seedDemo && (await seedDemoIfEmpty(database.db, { seed: config.demoSeed, residents: config.demoResidents }, log));
  if (demoSeeded) {
    // A year of referral history and open referrals in every state (docs/demo-data.md), only when the demo was just seeded.
    try {
      await seedDemoReferrals(database.db, services, { seed: config.demoSeed, residents: config.demoResidents ?? DEFAULT_DEMO_RESIDENTS, log });
    } catch (e) {
      log.error({ err: e }, 'demo referrals could not be seeded; the demo county is ready without them');
    }
    // The diagnosis centers: teams, roster, templates, a year of requests and a live queue (docs/demo-data.md).
    try {
      await seedDemoDiagnosis(database.db, services, { seed: config.demoSeed, residents: config.demoResidents ?? DEFAULT_DEMO_RESIDENTS, log });
    } catch (e) {
      log.error({ err: e }, 'demo diagnosis centers could not be seeded; the demo county is ready without them');
    }
  }

  const app = await buildApp(
    { database, config, clock: systemClock, services, webRoot: path.join(repoRoot, 'dist', 'web') },
    { logger: { level: config.logLevel === 'info' ? 'warn' : config.logLevel } },
  );
  const stopTokenCleanup = startTokenCleanup(services.identity, systemClock, log);
  const stopDeadlineWorker = startDeadlineWorker(services.deadlines, systemClock, log);
  const stopFhirSubscriptions = startFhirSubscriptionDispatch(new FhirSubscriptionDispatcher(database.db, services.referrals), systemClock, log);
  const stopCapacityRollForward = startCapacityRollForward(services.capacity, systemClock, log);
  // The indicators' analytic store (DuckDB beside PostgreSQL) follows the activity outbox: woken by each committed batch.
  const analytics = services.indicators.analytics;
  analytics?.start(log);
  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    stopTokenCleanup();
    stopDeadlineWorker();
    stopFhirSubscriptions();
    stopCapacityRollForward();
    const stopAnalytics = analytics?.stop().catch((e: unknown) => log.error({ err: e }, 'analytic store did not close cleanly'));
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    try {
      await app.close();
      await stopAnalytics;
      await database.close();
    } finally {
      process.exit(0);
    }
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));

  await app.listen({ port: config.port, host: config.host });
  const url = `http://localhost:${config.port}`;
  if (database.kind === 'pglite') recordServerUrl(config.dataDir, `http://127.0.0.1:${config.port}`);
  log.info({ url, readyInMs: Math.round(performance.now() - startedAt), rssMb: Math.round(process.memoryUsage().rss / 1048576) }, 'Yilian is ready');
  console.log(`\n  医联 Yilian is running at ${url}  (FHIR: ${url}/fhir/metadata, API docs: ${url}/docs/json)\n`);
  if (demoSeeded) {
    // Two years of sampled activity for the indicators, after start-up: the platform is usable at once and the
    // dashboard fills up live as the batches land (docs/demo-data.md).
    log.info('recording demo activity for the monitoring indicators in the background');
    void seedDemoActivity(database.db, services, { seed: config.demoSeed, clock: systemClock, log }).catch((e: unknown) =>
      log.error({ err: e }, 'demo activity could not be recorded; the indicators show no data until activity is imported'),
    );
  }
}

main().catch((e: unknown) => {
  console.error('Yilian failed to start:', e);
  process.exit(1);
});

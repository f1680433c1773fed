import { count, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../client.js';
import { divisions, organizations, tierCatalogueEntries } from '../schema/index.js';
import { hashPassword } from '../../modules/identity/index.js';
import { ensureDefaultDeadlinePolicies } from '../../modules/deadline/index.js';
import { ensureIndicatorDefinitions } from '../../modules/indicators/index.js';
import { seedDefaultCatalogue } from './catalogue.js';
import { loadDivisions } from './divisions.js';
import { seedDemoCounty } from './demo-county.js';
import { seedDemoIndicatorTargets } from './demo-indicator-targets.js';

/**
 * Residents seeded by default: the full county (长汀县 has ~390,000 residents). The first start takes about half a
 * minute for it (docs/benchmarks.md); YILIAN_DEMO_RESIDENTS=50000 makes a quicker, smaller demo.
 */
export const DEFAULT_DEMO_RESIDENTS = 390_000;

/**
 * Data every installation needs: the national division codes down to counties, the default tier catalogue, and the
 * default deadline policies and working calendar, and the shipped monitoring indicator definitions.
 */
export async function ensureBaseData(db: Db, log: Pick<Logger, 'info'>): Promise<void> {
  const [d] = await db.select({ n: count() }).from(divisions).where(sql`${divisions.level} = 'county'`);
  if ((d?.n ?? 0) === 0) {
    const t = performance.now();
    const r = await loadDivisions(db, { countyCodes: [] });
    log.info({ inserted: r.inserted, ms: Math.round(performance.now() - t) }, 'loaded GB/T 2260 divisions');
  }
  const [c] = await db.select({ n: count() }).from(tierCatalogueEntries);
  if ((c?.n ?? 0) === 0) {
    const n = await seedDefaultCatalogue(db);
    log.info({ entries: n }, 'loaded the default tier catalogue');
  }
  const deadlineDefaults = await ensureDefaultDeadlinePolicies(db);
  if (deadlineDefaults.policies > 0 || deadlineDefaults.calendars > 0) log.info(deadlineDefaults, 'loaded default deadline policies (docs/deadlines.md)');
  const indicatorDefinitions = await ensureIndicatorDefinitions(db);
  if (indicatorDefinitions > 0) log.info({ definitions: indicatorDefinitions }, 'loaded the monitoring indicator definitions (docs/indicators.md)');
}

/** Seeds the demo county on an empty database (no organizations yet); does nothing otherwise. */
export async function seedDemoIfEmpty(
  db: Db,
  opts: { seed: number; residents?: number | undefined },
  log: Pick<Logger, 'info'>,
): Promise<boolean> {
  const [o] = await db.select({ n: count() }).from(organizations);
  if ((o?.n ?? 0) > 0) return false;
  const residents = opts.residents ?? DEFAULT_DEMO_RESIDENTS;
  log.info({ seed: opts.seed, residents }, 'seeding the demo county 福建省龙岩市长汀县 (first start)');
  const t = performance.now();
  const summary = await seedDemoCounty(db, {
    seed: opts.seed,
    residents,
    hashPassword,
    onProgress: (step, done, total) => log.info({ step, done, total }, 'seeding'),
  });
  await seedDemoIndicatorTargets(db);
  await optimizeAfterBulkLoad(db);
  log.info({ ms: Math.round(performance.now() - t), summary }, 'demo county ready');
  return true;
}

/**
 * After a bulk load: fresh planner statistics (else prefix searches are planned for a tenth of the real rows) and a
 * visibility map, so counts over the name indexes are index-only. VACUUM cannot run in a transaction: call this
 * after the load has committed.
 */
export async function optimizeAfterBulkLoad(db: Db): Promise<void> {
  await db.execute(sql`vacuum analyze`);
}

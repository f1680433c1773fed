import { and, asc, eq, inArray, like, or } from 'drizzle-orm';
import type { Db } from '../client.js';
import { activityRecords, departments, organizations, patients } from '../schema/index.js';
import {
  DEMO_OUTSIDE_FACILITIES, generateCountyActivity, type GeneratorFacility, type GeneratorResident,
} from '../../modules/indicators/index.js';
import type { ActivityInput } from '../../contracts/activity.js';
import type { Services } from '../../http/deps.js';
import type { RequestContext } from '../../shared/context.js';
import { shanghaiDate, type Clock } from '../../shared/clock.js';

/** The demo county's code (长汀县). */
const DEMO_COUNTY = '350821';
/** One resident in this many has activity in the demo (see `seedDemoActivity`). */
export const DEMO_ACTIVITY_SAMPLE_EVERY = 20;
const BATCH = 1000;

/**
 * The county's facilities (with the city and regional hospitals above it) and its residents, for the activity generator.
 */
export async function loadCountyForActivity(db: Db, countyCode: string): Promise<{ facilities: GeneratorFacility[]; residents: GeneratorResident[] }> {
  const orgs = await db
    .select({ id: organizations.id, identifier: organizations.identifier, tier: organizations.tier, countyCode: organizations.countyCode, divisionCode: organizations.divisionCode })
    .from(organizations)
    .where(and(
      eq(organizations.active, true),
      or(
        eq(organizations.countyCode, countyCode),
        and(inArray(organizations.tier, ['city-hospital', 'regional-medical-center', 'national-medical-center']), like(organizations.countyCode, `${countyCode.slice(0, 2)}%`)),
      ),
    ))
    .orderBy(asc(organizations.id));
  const depts = orgs.length
    ? await db
      .select({ organizationId: departments.organizationId, specialty: departments.specialty, isTcm: departments.isTcm })
      .from(departments)
      .where(and(eq(departments.active, true), inArray(departments.organizationId, orgs.map((o) => o.id))))
      .orderBy(asc(departments.organizationId), asc(departments.id))
    : [];
  const byOrg = new Map<string, { specialty: string; isTcm: boolean }[]>();
  for (const d of depts) byOrg.set(d.organizationId, [...(byOrg.get(d.organizationId) ?? []), { specialty: d.specialty, isTcm: d.isTcm }]);
  const facilities: GeneratorFacility[] = orgs.map((o) => ({ ...o, departments: byOrg.get(o.id) ?? [] }));
  const rows = await db
    .select({ id: patients.id, residence: patients.residenceDivisionCode, birthDate: patients.birthDate, sex: patients.sex, chronic: patients.chronicConditions })
    .from(patients)
    .where(eq(patients.countyCode, countyCode))
    .orderBy(asc(patients.id));
  const residents: GeneratorResident[] = rows.map((r) => ({
    id: r.id, residenceDivisionCode: r.residence ?? countyCode, birthDate: r.birthDate, sex: r.sex, chronicConditions: r.chronic,
  }));
  return { facilities, residents };
}


/**
 * Activity for the demo's monitoring indicators: the previous calendar year and the current year up to today, for a
 * systematic sample of one resident in `sampleEvery` (by id order). A full year for 390,000 residents is ~2.6 million
 * records — minutes to load and gigabytes in the embedded database; the sample keeps every ratio indicator (county
 * visit rate, grassroots share, fund shares, cost per admission …) representative, while volumes (visit counts) are
 * 1/`sampleEvery` of the county's. Recorded through the indicators service like any import, so the live aggregates
 * and a rebuild agree. Does nothing when activity already exists.
 */
export async function seedDemoActivity(
  db: Db,
  services: Pick<Services, 'indicators'>,
  opts: { seed: number; clock: Clock; sampleEvery?: number; log?: { info: (o: object, msg?: string) => void } },
): Promise<{ records: number; residents: number; ms: number } | null> {
  const started = performance.now();
  const [any] = await db.select({ id: activityRecords.id }).from(activityRecords).limit(1);
  if (any) return null;
  const every = opts.sampleEvery ?? DEMO_ACTIVITY_SAMPLE_EVERY;
  const { facilities, residents } = await loadCountyForActivity(db, DEMO_COUNTY);
  const sample = residents.filter((_, i) => i % every === 0);
  const today = shanghaiDate(opts.clock.now());
  const year = Number(today.slice(0, 4));
  const ctx: RequestContext = {
    actor: { userId: '', username: 'demo-seed', organizationId: null, roles: ['system-admin'] },
    clock: opts.clock,
    channel: 'system',
  };
  let records = 0;
  let batch: ActivityInput[] = [];
  const flush = async () => {
    if (!batch.length) return;
    const { results } = await services.indicators.recordActivities(ctx, batch);
    records += results.filter((r) => r.ok).length;
    batch = [];
    // PGlite runs in this thread and answers without real I/O, so the loop would never let the event loop poll:
    // requests would wait for the whole load. Yield between batches so the server stays responsive.
    await new Promise<void>((resolve) => setImmediate(resolve));
  };
  for (const y of [year - 1, year]) {
    const stream = generateCountyActivity({
      seed: opts.seed, year: y, countyCode: DEMO_COUNTY, facilities, residents: sample, outside: DEMO_OUTSIDE_FACILITIES,
      ...(y === year ? { until: today } : {}),
    });
    for (const a of stream) {
      batch.push(a);
      if (batch.length >= BATCH) await flush();
    }
  }
  await flush();
  const result = { records, residents: sample.length, ms: Math.round(performance.now() - started) };
  opts.log?.info(result, 'demo activity recorded');
  return result;
}

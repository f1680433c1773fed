import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count } from 'drizzle-orm';
import { createTestApp, type TestApp } from './helpers/app.js';
import { seedDemoActivity } from '../src/db/seed/demo-activity.js';
import { activityRecords } from '../src/db/schema/index.js';

/** The demo's sampled activity: recorded through the indicators service, idempotent, and near domain.md's calibration. */
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ residents: 1500 });
}, 120_000);
afterAll(async () => t?.close());

describe('demo activity', () => {
  it('records two years for the sampled residents once, with the headline indicators near calibration', async () => {
    const first = await seedDemoActivity(t.database.db, t.services, { seed: 7, clock: t.clock, sampleEvery: 1 });
    expect(first).not.toBeNull();
    const [n] = await t.database.db.select({ n: count() }).from(activityRecords);
    expect(n!.n).toBe(first!.records);
    // ~6.8 visits per resident a year, two years (the current one to date).
    expect(first!.records / first!.residents).toBeGreaterThan(8);
    expect(await seedDemoActivity(t.database.db, t.services, { seed: 7, clock: t.clock })).toBeNull();

    const year = t.clock.now().toISOString().slice(0, 4);
    const value = async (code: string) => {
      const res = await t.as('commission.officer')({ url: `/api/v1/indicators/${code}/values?level=county&subject=350821&period=year&from=${year}&to=${year}` });
      expect(res.statusCode, res.body).toBe(200);
      return (res.json() as { values: { value: number | null }[] }).values[0]!.value!;
    };
    const visitRate = await value('county-visit-rate');
    expect(visitRate).toBeGreaterThan(88);
    expect(visitRate).toBeLessThan(96);
    const grassroots = await value('grassroots-visit-share');
    expect(grassroots).toBeGreaterThan(48);
    expect(grassroots).toBeLessThan(66);
  }, 120_000);
});

import { describe, expect, it } from 'vitest';
import { facilityTiers, type FacilityTier } from '../../contracts/codes.js';
import { createDatabase } from '../../db/client.js';
import { tierCatalogueEntries } from '../../db/schema/index.js';
import { defaultCatalogue } from './default-catalogue.js';
import { seedDefaultCatalogue } from '../../db/seed/catalogue.js';
import { parseIcdRange, tierCovers, type CatalogueEntry } from './network.rules.js';

const entries: CatalogueEntry[] = defaultCatalogue.map((e) => {
  const r = parseIcdRange(e.range);
  if (!r) throw new Error(`unparsable ${e.range}`);
  return { tier: e.tier, allianceId: null, codeFrom: r.from, codeTo: r.to, effect: e.effect, label: e.label };
});
const covers = (tier: FacilityTier, code: string): boolean => tierCovers(entries, tier, code, null).covered;

describe('default tier catalogue', () => {
  it('has ranges that all parse, and one entry per tier and range', () => {
    for (const e of defaultCatalogue) expect(parseIcdRange(e.range), `${e.tier} ${e.range}`).not.toBeNull();
    const keys = defaultCatalogue.map((e) => `${e.tier}:${e.range}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('gives every tier a catalogue, and the community health center the township list', () => {
    for (const t of facilityTiers) expect(defaultCatalogue.some((e) => e.tier === t), t).toBe(true);
    const list = (t: FacilityTier) => defaultCatalogue.filter((e) => e.tier === t).map(({ tier: _t, ...rest }) => rest);
    expect(list('community-health-center')).toEqual(list('township-health-center'));
  });

  it('keeps stable chronic disease and common illness at the township center', () => {
    for (const code of ['I10', 'I10.x00x002', 'E11', 'E11.900', 'J06.9', 'J44.9', 'N39.0', 'Z50', 'A09']) {
      expect(covers('township-health-center', code), code).toBe(true);
    }
  });

  it('sends acute and serious conditions from the township center to the county hospital', () => {
    for (const code of ['I21', 'I21.9', 'I63.9', 'K35.8', 'S72.0', 'O80', 'J44.1']) {
      expect(covers('township-health-center', code), code).toBe(false);
      expect(covers('county-hospital', code), code).toBe(true);
    }
  });

  it('sends tertiary conditions beyond the county', () => {
    for (const code of ['C34', 'C34.1', 'C92.0', 'Q21.3', 'I71.0', 'P07.2']) {
      expect(covers('county-hospital', code), code).toBe(false);
      expect(covers('city-hospital', code), code).toBe(true);
    }
    // Common cancers with county pathways stay in the county.
    expect(covers('county-hospital', 'C16.9')).toBe(true);
  });

  it('keeps the village clinic list short and the obvious cases in it', () => {
    expect(defaultCatalogue.filter((e) => e.tier === 'village-clinic').length).toBeLessThanOrEqual(15);
    expect(covers('village-clinic', 'J00')).toBe(true);
    expect(covers('village-clinic', 'I10')).toBe(true);
    expect(covers('village-clinic', 'E11.9')).toBe(true);
    expect(covers('village-clinic', 'J18.9')).toBe(false);
  });

  it('keeps deliveries at the county MCH and county hospitals, not the TCM hospital', () => {
    expect(covers('county-mch-hospital', 'O80')).toBe(true);
    expect(covers('county-tcm-hospital', 'O80')).toBe(false);
    expect(covers('county-mch-hospital', 'J18.9')).toBe(true);
    expect(covers('county-mch-hospital', 'I21')).toBe(false);
  });

  it('lets an alliance override the default for its members', () => {
    const override: CatalogueEntry = {
      tier: 'township-health-center', allianceId: 'A1', codeFrom: 'J440', codeTo: 'J441', effect: 'include', label: '慢阻肺急性加重',
    };
    const decision = tierCovers([...entries, override], 'township-health-center', 'J44.1', 'A1');
    expect(decision.covered).toBe(true);
    expect(decision.fromOverride).toBe(true);
  });

  it('seeds idempotently', async () => {
    const database = await createDatabase({ dataDir: 'memory://' });
    try {
      await database.migrate();
      expect(await seedDefaultCatalogue(database.db)).toBe(defaultCatalogue.length);
      expect(await seedDefaultCatalogue(database.db)).toBe(0);
      const rows = await database.db.select().from(tierCatalogueEntries);
      expect(rows).toHaveLength(defaultCatalogue.length);
      expect(rows.every((r) => r.allianceId === null && r.source === 'yilian-default-2026')).toBe(true);
      expect(rows.find((r) => r.tier === 'township-health-center' && r.label.startsWith('慢阻肺急性加重'))).toMatchObject({
        codeFrom: 'J440', codeTo: 'J441', effect: 'exclude',
      });
    } finally {
      await database.close();
    }
  }, 120_000);
});

import type { Db } from '../client.js';
import { tierCatalogueEntries } from '../schema/index.js';
import { DEFAULT_CATALOGUE_SOURCE, defaultCatalogue, defaultCatalogueEntryId, parseIcdRange } from '../../modules/network/index.js';

/**
 * Inserts the default catalogue (allianceId null, source `yilian-default-2026`). Idempotent: rows already present
 * (same tier and range) are left alone, so an operator's edits to a default row survive a re-seed. Returns the number
 * of rows inserted.
 */
export async function seedDefaultCatalogue(db: Db): Promise<number> {
  const rows = defaultCatalogue.map((e) => {
    const parsed = parseIcdRange(e.range);
    if (!parsed) throw new Error(`Default catalogue: ${e.tier} ${e.range} is not an ICD-10 range`);
    return {
      id: defaultCatalogueEntryId(e.tier, e.range),
      tier: e.tier,
      allianceId: null,
      codeFrom: parsed.from,
      codeTo: parsed.to,
      effect: e.effect,
      label: e.label,
      note: e.note ?? null,
      source: DEFAULT_CATALOGUE_SOURCE,
    };
  });
  let inserted = 0;
  for (let i = 0; i < rows.length; i += 500) {
    const done = await db
      .insert(tierCatalogueEntries)
      .values(rows.slice(i, i + 500))
      .onConflictDoNothing()
      .returning({ id: tierCatalogueEntries.id });
    inserted += done.length;
  }
  return inserted;
}

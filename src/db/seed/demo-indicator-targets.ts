import { inArray } from 'drizzle-orm';
import type { Db } from '../client.js';
import { divisions, indicatorTargets } from '../schema/index.js';
import { nameBasedId } from '../../shared/ids.js';
import { shanghaiDate } from '../../shared/clock.js';

/**
 * Demo targets (目标值) of the monitoring indicators, so the dashboard's traffic lights mean something on first start.
 * The 2024 national set gives no target values (domain.md §8): targets are each commission's configuration per area
 * and year, set on the dashboard (PUT /api/v1/indicators/<code>/targets). Where a national policy names a figure it is
 * used; the others are plausible demo values a county would set, labelled as such in their note.
 */
export const DEMO_INDICATOR_TARGETS: readonly { code: string; target: number; note: string }[] = [
  { code: 'county-visit-rate', target: 90, note: '国办发〔2015〕70号：县域内就诊率提高到90%左右' },
  { code: 'grassroots-visit-share', target: 65, note: '国办发〔2015〕70号：基层医疗卫生机构诊疗量占总诊疗量比例≥65%' },
  { code: 'in-county-admission-share', target: 85, note: '演示目标值（县卫健委可修改）' },
  { code: 'in-county-fund-share', target: 80, note: '演示目标值（县卫健委可修改）' },
  { code: 'in-county-cost-per-admission-growth', target: 5, note: '演示目标值：次均住院费用增幅不超过5%' },
  { code: 'tcm-visit-share', target: 15, note: '演示目标值（县卫健委可修改）' },
  { code: 'down-referrals-growth', target: 10, note: '县域医共体考核：下转患者人次年增长≥10%' },
  { code: 'township-stationed-share', target: 100, note: '演示目标值：每个乡镇卫生院都有派驻医师' },
];

/** The demo county (长汀县), its city (龙岩市) and province (福建省). */
const DEMO_AREAS = ['350821', '350800', '350000'] as const;

/**
 * Seeds the demo targets for the demo county, city and province, for the previous and the current year (Asia/Shanghai).
 * Idempotent and non-destructive: a target already set for an indicator, division and year (by the commission on
 * the dashboard, or an earlier run) is left as it is. Returns how many rows were new.
 */
export async function seedDemoIndicatorTargets(db: Db, opts: { now?: Date } = {}): Promise<number> {
  const year = Number(shanghaiDate(opts.now ?? new Date()).slice(0, 4));
  const known = new Set((await db.select({ code: divisions.code }).from(divisions).where(inArray(divisions.code, [...DEMO_AREAS]))).map((d) => d.code));
  const rows = DEMO_AREAS.filter((a) => known.has(a)).flatMap((divisionCode) =>
    [year - 1, year].flatMap((y) =>
      DEMO_INDICATOR_TARGETS.map((t) => ({
        id: nameBasedId('indicator-target', `${t.code}/${divisionCode}/${y}`),
        indicatorCode: t.code,
        divisionCode,
        year: y,
        target: t.target.toFixed(4),
        note: t.note,
      })),
    ),
  );
  if (rows.length === 0) return 0;
  const inserted = await db.insert(indicatorTargets).values(rows).onConflictDoNothing().returning({ id: indicatorTargets.id });
  return inserted.length;
}

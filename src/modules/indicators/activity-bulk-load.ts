import { randomBytes } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Db } from '../../db/client.js';
import type { ActivityInput } from '../../contracts/activity.js';
import type { FacilityTier } from '../../contracts/codes.js';
import type { AppError } from '../../shared/errors.js';
import { invalid } from '../../shared/errors.js';
import { IndicatorRepository, recordAndAggregateSql, type ActivityRow } from './indicators.repository.js';
import { checkActivity, countyOf, isTcmActivity } from './indicators.rules.js';

/**
 * Bulk loading of activity (province-scale imports, bench/indicators.ts): the same store guarantees as
 * `IndicatorService.recordActivities` — exactly once per (source, source_record_id), and the live pre-aggregate
 * `activity_daily` updated from exactly the rows inserted, with the same GROUP BY (`aggregateSelect`) in the same
 * statement — but in chunks of thousands of rows passed as column arrays (`unnest`), not JSON, and without the per-batch
 * audit row and per-row result list of the API path. The same statement writes the analytic store's outbox.
 *
 * Checks: the business rules of `checkActivity` (dates, money, fund only for the insured), the facility known (id or
 * identifier) or its division given, residence and facility in known county-level divisions. The zod contract is not
 * re-parsed: callers pass typed `ActivityInput` from a trusted in-process source (a generator, a parsed file).
 * Authorisation is the caller's (in-process jobs and the CLI may record anything).
 */

export interface BulkRejection {
  index: number;
  error: AppError;
}

interface FacilityInfo {
  id: string;
  divisionCode: string;
  countyCode: string;
  tier: FacilityTier;
}

/** Column arrays of one chunk: pg sends each as one array parameter. */
const arrayColumns = [
  ['id', 'text'], ['source', 'text'], ['source_record_id', 'text'], ['class', 'text'], ['patient_id', 'text'], ['residence_division_code', 'text'],
  ['county_code', 'text'], ['facility_id', 'text'], ['facility_division_code', 'text'], ['facility_county_code', 'text'], ['facility_tier', 'text'],
  ['department_specialty', 'text'], ['tcm', 'boolean'], ['start_date', 'date'], ['end_date', 'date'], ['diagnoses', 'text'], ['total_cost', 'numeric'],
  ['fund_paid', 'numeric'], ['insured', 'boolean'], ['pharmacy', 'boolean'], ['via_referral', 'boolean'], ['referral_id', 'text'],
] as const satisfies readonly (readonly [keyof ActivityRow, string])[];

/**
 * A time-ordered UUID (version 7: 48-bit Unix milliseconds, then random bits). Bulk loads insert millions of rows: with
 * random (v4) ids every insert lands on a random leaf of the primary-key index, which at province scale no longer fits
 * in shared buffers; time-ordered ids append to its right edge. Ids stay opaque UUID text, as everywhere else.
 */
let pool = Buffer.alloc(0);
let poolAt = 0;
export function uuidV7(now = Date.now()): string {
  if (poolAt + 10 > pool.length) {
    pool = randomBytes(10 * 4096);
    poolAt = 0;
  }
  const b = Buffer.alloc(16);
  b.writeUIntBE(now, 0, 6);
  pool.copy(b, 6, poolAt, poolAt + 10);
  poolAt += 10;
  b[6] = (b[6]! & 0x0f) | 0x70;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A text[] literal for one row's diagnoses (sent as text, cast per row: unnest cannot take a ragged 2-D array). */
const textArrayLiteral = (xs: readonly string[]): string => `{${xs.map((x) => `"${x.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;

export class ActivityBulkLoader {
  private readonly repo: IndicatorRepository;
  private readonly facilities = new Map<string, FacilityInfo | null>();
  private readonly counties = new Map<string, boolean>();

  /**
   * `today` (YYYY-MM-DD, China Standard Time): no record may start or end later. `onCommitted`: called after each
   * chunk that stored new records (the analytic store's `wake`).
   */
  constructor(
    private readonly db: Db,
    private readonly opts: { today: string; recordedAt?: Date; onCommitted?: () => void },
  ) {
    this.repo = new IndicatorRepository(db);
  }

  /** Resolves facilities and counties (cached across chunks) and checks each row; the good rows are ready to `insert`. */
  async prepare(inputs: readonly ActivityInput[]): Promise<{ rows: ActivityRow[]; rejected: BulkRejection[] }> {
    const unknownFacilities = new Set<string>();
    const unknownCounties = new Set<string>();
    for (const i of inputs) {
      if (i.facilityId && !this.facilities.has(i.facilityId)) unknownFacilities.add(i.facilityId);
      const rc = countyOf(i.residenceDivisionCode);
      if (!this.counties.has(rc)) unknownCounties.add(rc);
      if (!i.facilityId && i.facilityDivisionCode && !this.counties.has(countyOf(i.facilityDivisionCode))) unknownCounties.add(countyOf(i.facilityDivisionCode));
    }
    if (unknownFacilities.size) {
      const found = await this.repo.facilitiesByKeys([...unknownFacilities]);
      for (const f of found) {
        const info = { id: f.id, divisionCode: f.divisionCode, countyCode: f.countyCode, tier: f.tier };
        this.facilities.set(f.id, info);
        this.facilities.set(f.identifier, info);
      }
      for (const k of unknownFacilities) if (!this.facilities.has(k)) this.facilities.set(k, null);
    }
    if (unknownCounties.size) {
      const known = await this.repo.knownCounties([...unknownCounties]);
      for (const c of unknownCounties) this.counties.set(c, known.has(c));
    }
    const rows: ActivityRow[] = [];
    const rejected: BulkRejection[] = [];
    inputs.forEach((input, index) => {
      const problem = checkActivity(input, this.opts.today);
      if (problem) return void rejected.push({ index, error: problem });
      const countyCode = countyOf(input.residenceDivisionCode);
      if (!this.counties.get(countyCode)) return void rejected.push({ index, error: invalid(`居住地区划 ${input.residenceDivisionCode} 不在已知的县级行政区内`, 'residenceDivisionCode') });
      let facility: { id: string | null; divisionCode: string; countyCode: string; tier: FacilityTier | null };
      if (input.facilityId) {
        const f = this.facilities.get(input.facilityId);
        if (!f) return void rejected.push({ index, error: invalid(`机构 ${input.facilityId} 不存在`, 'facilityId') });
        facility = f;
      } else {
        const code = input.facilityDivisionCode;
        if (!code || !this.counties.get(countyOf(code))) return void rejected.push({ index, error: invalid(`机构所在区划 ${code ?? ''} 不在已知的县级行政区内`, 'facilityDivisionCode') });
        facility = { id: null, divisionCode: code, countyCode: countyOf(code), tier: null };
      }
      rows.push({
        id: uuidV7(), source: input.source, source_record_id: input.sourceRecordId, class: input.class, patient_id: input.patientId ?? null,
        residence_division_code: input.residenceDivisionCode, county_code: countyCode, facility_id: facility.id,
        facility_division_code: facility.divisionCode, facility_county_code: facility.countyCode, facility_tier: facility.tier,
        department_specialty: input.departmentSpecialty ?? null, tcm: isTcmActivity(facility.tier, input.departmentSpecialty),
        start_date: input.startDate, end_date: input.endDate ?? null, diagnoses: (input.diagnoses ?? []).map((d) => d.toUpperCase()),
        total_cost: input.totalCost, fund_paid: input.fundPaid ?? null, insured: input.insured ?? true, pharmacy: input.pharmacy ?? false,
        via_referral: input.viaReferral ?? false, referral_id: input.referralId ?? null,
      });
    });
    return { rows, rejected };
  }

  /**
   * Inserts the rows not yet stored and adds exactly those to `activity_daily`, in one statement (one transaction):
   * the aggregate reads the insert's RETURNING, as in `insertActivities`. Returns how many were new (the rest were
   * already stored: a re-load counts nothing twice).
   */
  async insert(rows: readonly ActivityRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    const [r] = await queryRows<{ n: number }>(this.db, this.insertStatement(rows));
    const n = r?.n ?? 0;
    if (n > 0) this.opts.onCommitted?.();
    return n;
  }

  /** The statement `insert` runs (exposed for EXPLAIN in benchmarks). */
  insertStatement(rows: readonly ActivityRow[]): SQL {
    const params = arrayColumns.map(([col, type]) => {
      const values = rows.map((r) => (col === 'diagnoses' ? textArrayLiteral(r.diagnoses) : r[col]));
      return sql`${sql.param(values)}::${sql.raw(type)}[]`;
    });
    const names = arrayColumns.map(([c]) => c);
    const select = names.map((c) => (c === 'diagnoses' ? 'diagnoses::text[]' : c)).join(', ');
    return recordAndAggregateSql(
      sql`select * from unnest(${sql.join(params, sql`, `)}) as x(${sql.raw(names.join(', '))})`,
      names.join(', '), select, this.opts.recordedAt ?? new Date(), sql`select count(*)::int as n from ins`,
    );
  }
}

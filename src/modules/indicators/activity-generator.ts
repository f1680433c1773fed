import type { ActivityInput } from '../../contracts/activity.js';
import { grassrootsTiers, type FacilityTier } from '../../contracts/codes.js';

/**
 * Synthetic activity (issue 4, item 2): a year of outpatient visits and inpatient stays of a county's residents,
 * calibrated to ../shared/docs/domain.md §1 — 6.8 visits per resident, 21 admissions per 100 residents, grassroots
 * share of in-county visits ~56 %, in-county visit rate ~92 %, ~13 % of admissions at township centers, ¥362 per
 * hospital outpatient visit and ¥10,316 per county-hospital admission (log-normal, exact fen), the insurance fund
 * paying 50–70 % for insured residents, hypertension (27.5 %) and diabetes (11.9 %) of adults with quarterly follow-ups
 * at the grassroots, seasonal variation, some visits by referral, TCM at the TCM hospital and TCM departments, retail
 * pharmacy settlements, and visits outside the county — at the platform's city and regional hospitals or, known only
 * from insurance settlement records (source `insurance`), at facilities identified by their division code.
 *
 * Streaming and deterministic: `generateCountyActivity` is a generator that yields one `ActivityInput` at a time,
 * month by month; per resident it keeps a few bytes of typed arrays (age, conditions, home facilities, rates) and
 * never a year of events. The same seed gives the same records on every machine (own integer-hash PRNG; never
 * `Math.random`). `generateProvinceActivity` does the same for N synthetic counties generated on the fly (no
 * database: synthetic facility ids, resident ids and division codes), county after county, for the benchmark.
 *
 * Pure: no I/O, no database; the facilities and residents are passed in (the CLI's loader reads the demo county).
 */

// ---------------------------------------------------------------------------------------------------------------
// Inputs

export interface GeneratorDepartment {
  specialty: string;
  isTcm?: boolean;
}

export interface GeneratorFacility {
  /** The platform's organization id (written to `facilityId`). */
  id: string;
  /** Its identifier (USCC or local code): the source system is `his:<identifier>` (default: the id). */
  identifier?: string;
  tier: FacilityTier;
  countyCode: string;
  divisionCode: string;
  /** A TCM hospital: every visit there counts as TCM. Default: tier `county-tcm-hospital`. */
  isTcm?: boolean;
  departments?: readonly GeneratorDepartment[];
}

export interface GeneratorResident {
  /** The platform's patient id (written to `patientId` unless `includePatientId` is false). */
  id: string;
  /** Residence division code: 12 digits (village/community), 9 (township) or 6 (county). */
  residenceDivisionCode: string;
  /** Without it, an age is drawn from the national age structure (deterministically). */
  birthDate?: string | null;
  sex?: 'male' | 'female' | null;
  /** ICD-10 codes of known chronic conditions; `I10` and `E11` drive follow-ups. Absent → drawn at the national shares. */
  chronicConditions?: readonly string[] | null;
}

/** A facility outside the platform, known from insurance settlements by its division code. */
export interface OutsideFacility {
  divisionCode: string;
  /** Relative weight among outside facilities. */
  weight: number;
  /** Cost level: like a city hospital, or like a county hospital (a neighbouring county). */
  level: 'city' | 'county';
}

export type ResidentSource = readonly GeneratorResident[] | { readonly count: number; get(index: number): GeneratorResident };

/** Every calibration number is configuration with this default (domain.md §1). */
export interface ActivityCalibration {
  visitsPerResident: number;
  admissionsPer100: number;
  /** Grassroots visits ÷ visits at in-county facilities (indicator 7). */
  grassrootsShare: number;
  /** Visits of county residents in the county ÷ all their visits (county visit rate). */
  inCountyVisitShare: number;
  /** Admissions of county residents in the county ÷ all their admissions. */
  inCountyAdmissionShare: number;
  /** Admissions at township/community centers ÷ all admissions. */
  townshipAdmissionShare: number;
  hypertensionShare: number;
  diabetesShare: number;
  /** Share of hypertensive/diabetic adults under management (quarterly follow-up at the grassroots). */
  managedShare: number;
  /** Residents enrolled in the county's basic medical insurance. */
  insuredShare: number;
  /** Retail pharmacy settlements per insured resident per year (pharmacy: true, outside the visit counts). */
  pharmacyPerResident: number;
  /** Mean cost of an outpatient visit at a county hospital (¥). */
  hospitalVisitCost: number;
  /** Mean cost of an admission at a county general hospital (¥). */
  admissionCost: number;
}

export const defaultCalibration: Readonly<ActivityCalibration> = Object.freeze({
  visitsPerResident: 6.8,
  admissionsPer100: 21,
  grassrootsShare: 0.56,
  inCountyVisitShare: 0.92,
  inCountyAdmissionShare: 0.86,
  townshipAdmissionShare: 0.13,
  hypertensionShare: 0.275,
  diabetesShare: 0.119,
  managedShare: 0.5,
  insuredShare: 0.96,
  pharmacyPerResident: 0.4,
  hospitalVisitCost: 362,
  admissionCost: 10316,
});

/**
 * Facilities outside the platform where 长汀县 residents are seen (insurance settlement records): the city district
 * (龙岩市新罗区), the provincial capital (福州市鼓楼区), Xiamen (思明区), the neighbouring county 上杭县 and, across the
 * provincial border, 赣州市章贡区.
 */
export const DEMO_OUTSIDE_FACILITIES: readonly OutsideFacility[] = [
  { divisionCode: '350802', weight: 0.35, level: 'city' },
  { divisionCode: '350102', weight: 0.2, level: 'city' },
  { divisionCode: '350203', weight: 0.1, level: 'city' },
  { divisionCode: '350823', weight: 0.15, level: 'county' },
  { divisionCode: '360702', weight: 0.2, level: 'city' },
];

export interface CountyActivityOptions {
  seed: number;
  year: number;
  /** The county whose residents the year is generated for (6 digits). */
  countyCode: string;
  /** The county's facilities and the city/regional hospitals above it (any county code; others are out of county). */
  facilities: readonly GeneratorFacility[];
  residents: ResidentSource;
  outside?: readonly OutsideFacility[];
  calibration?: Partial<ActivityCalibration>;
  /** Write the resident's platform id to `patientId` (default true). */
  includePatientId?: boolean;
  /** Stable prefix of the source record ids (default `<countyCode>`); the seed and year are always part of them. */
  recordPrefix?: string;
  /**
   * Last date to generate (ISO), e.g. today for the current year: later visits and admissions are left out, and a stay
   * not yet over on that date has no discharge date. The records up to it are the same as without the cutoff.
   */
  until?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Deterministic randomness (integer hashing + mulberry32), independent of the seed helpers of db/seed.

/** 32-bit integer hash of two values (murmur3 finaliser). */
export function mix(a: number, b: number): number {
  let h = Math.imul((a ^ Math.imul(b + 0x9e3779b9, 0x85ebca6b)) >>> 0, 0xcc9e2d51);
  h ^= h >>> 15;
  h = Math.imul(h, 0x1b873593);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

class Rng {
  private a: number;
  private spare: number | null = null;
  constructor(seed: number) {
    this.a = seed >>> 0;
  }
  float(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  chance(p: number): boolean {
    return this.float() < p;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1));
  }
  /** Standard normal (Box–Muller). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.float();
    const v = this.float();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
  /** Poisson (Knuth; the means used here are small). */
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    const l = Math.exp(-lambda);
    let k = 0;
    let p = this.float();
    while (p > l) {
      k++;
      p *= this.float();
    }
    return k;
  }
}

/** Weighted choice over a fixed list (cumulative table, linear scan: the lists are short). */
class Weighted<T> {
  private readonly cum: number[] = [];
  private readonly total: number;
  constructor(readonly items: readonly (readonly [T, number])[]) {
    let s = 0;
    for (const [, w] of items) {
      s += Math.max(0, w);
      this.cum.push(s);
    }
    this.total = s;
  }
  get empty(): boolean {
    return this.total <= 0;
  }
  draw(u: number): T {
    const target = u * this.total;
    for (let i = 0; i < this.cum.length; i++) if (this.cum[i]! > target) return this.items[i]![0];
    return this.items[this.items.length - 1]![0];
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Population model

/** Share of the population by 5-year age band, 0–4 … 95–99 (2020 census shape, rural county). */
const AGE_BANDS = [4.6, 5.6, 5.8, 5.2, 4.3, 4.6, 6.0, 5.6, 5.9, 7.4, 8.8, 8.2, 6.6, 6.8, 5.0, 3.3, 2.2, 1.1, 0.35, 0.08];
const ageTable = new Weighted(AGE_BANDS.map((w, i) => [i, w] as const));

const hypertensionShape = (age: number): number =>
  age < 25 ? 0.04 : age < 35 ? 0.06 : age < 45 ? 0.15 : age < 55 ? 0.29 : age < 65 ? 0.45 : age < 75 ? 0.55 : 0.6;
const diabetesShape = (age: number): number =>
  age < 25 ? 0.01 : age < 35 ? 0.03 : age < 45 ? 0.06 : age < 55 ? 0.12 : age < 65 ? 0.19 : age < 75 ? 0.23 : 0.24;

/** Mean of a shape over the adults of the age table, to scale a shape to a target share of adults. */
function adultMean(shape: (age: number) => number): number {
  let sum = 0;
  let w = 0;
  AGE_BANDS.forEach((share, band) => {
    for (let y = 0; y < 5; y++) {
      const age = band * 5 + y;
      if (age < 18) continue;
      sum += (share / 5) * shape(age);
      w += share / 5;
    }
  });
  return sum / w;
}
const HTN_MEAN = adultMean(hypertensionShape);
const DM_MEAN = adultMean(diabetesShape);

/** Relative outpatient use by age (children and the elderly see doctors more). */
const visitWeight = (age: number, chronic: boolean): number =>
  (age < 5 ? 1.7 : age < 15 ? 0.8 : age < 45 ? 0.7 : age < 65 ? 1.05 : age < 75 ? 1.5 : 1.8) * (chronic ? 1.25 : 1);
/** Relative admission risk by age and sex (births in women 20–39). */
const admissionWeight = (age: number, female: boolean, chronic: boolean): number =>
  (age < 5 ? 1.1 : age < 15 ? 0.35 : age < 20 ? 0.4 : age < 40 ? (female ? 1.0 : 0.45) : age < 55 ? 0.8 : age < 65 ? 1.3 : age < 75 ? 2.2 : 3.0) *
  (chronic ? 1.4 : 1);

/** Seasonal factors by month (winter respiratory peak, Spring Festival dip), mean 1. */
const VISIT_SEASON = normalise([1.12, 0.86, 1.04, 0.98, 0.96, 0.93, 0.96, 0.97, 0.98, 0.97, 1.06, 1.17]);
const ADMISSION_SEASON = normalise([1.1, 0.9, 1.02, 0.99, 0.97, 0.95, 0.97, 0.98, 0.99, 0.98, 1.03, 1.12]);
function normalise(xs: number[]): number[] {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return xs.map((x) => x / m);
}

// ---------------------------------------------------------------------------------------------------------------
// Clinical content

type Dx = readonly (readonly [string, number])[];
const OUTPATIENT_DX = new Weighted<string>([
  ['J06.9', 18], ['J02.9', 6], ['J20.9', 7], ['K29.7', 6], ['M54.5', 5], ['K59.0', 2], ['L30.9', 3], ['N39.0', 2], ['A09', 3],
  ['R51', 2], ['H10.9', 2], ['K02.9', 2], ['M17.9', 3], ['J45.9', 1], ['Z00.0', 4], ['I10', 4], ['E11.9', 2], ['R10.4', 2],
  ['B35.4', 1], ['S93.4', 1],
] satisfies Dx);
const INPATIENT_DX = new Weighted<string>([
  ['J18.9', 14], ['I63.9', 8], ['I25.1', 6], ['J44.1', 7], ['K80.2', 3], ['S72.0', 2], ['N18.9', 2], ['C34.9', 2], ['I50.9', 4],
  ['K35.8', 3], ['E11.9', 4], ['I10', 4], ['K92.2', 2], ['M51.2', 3], ['N20.0', 2], ['J20.9', 5], ['A09', 3], ['C16.9', 1],
  ['S06.0', 2], ['K56.7', 1],
] satisfies Dx);
const OBSTETRIC_DX = new Weighted<string>([['O80', 6], ['O82', 3], ['O47.1', 1]] satisfies Dx);
const PAEDIATRIC_DX = new Weighted<string>([['J18.9', 5], ['J06.9', 6], ['A09', 3], ['J21.9', 2], ['R50.9', 2]] satisfies Dx);
const TCM_DX = new Weighted<string>([['M54.5', 5], ['M47.8', 3], ['G47.0', 2], ['K30', 2], ['M25.5', 3], ['R53', 1]] satisfies Dx);

/** Departments where patients are seen (not pharmacy, nursing, administration, the labs and imaging). */
const NON_CLINICAL = new Set([
  'pharmacy', 'nursing', 'administration', 'referral-service', 'laboratory-medicine', 'medical-imaging', 'ultrasound',
  'electrocardiography', 'pathology', 'anaesthesiology', 'public-health', 'critical-care',
]);
const OUTPATIENT_ONLY = new Set(['dermatology', 'stomatology', 'child-health', 'women-health', 'tcm-preventive', 'emergency-medicine']);

// ---------------------------------------------------------------------------------------------------------------
// Facility kinds and money

type Kind = 'village' | 'center' | 'county' | 'tcm' | 'mch' | 'city' | 'regional';
const kindOfTier = (tier: FacilityTier): Kind => {
  switch (tier) {
    case 'village-clinic':
      return 'village';
    case 'township-health-center':
    case 'community-health-center':
      return 'center';
    case 'county-hospital':
      return 'county';
    case 'county-tcm-hospital':
      return 'tcm';
    case 'county-mch-hospital':
      return 'mch';
    case 'city-hospital':
      return 'city';
    case 'regional-medical-center':
    case 'national-medical-center':
      return 'regional';
  }
};

/** Mean cost per visit and per admission relative to the calibrated county-hospital means. */
const VISIT_COST_FACTOR: Record<Kind | 'outside-city' | 'outside-county', number> = {
  village: 0.16, center: 0.42, county: 1, tcm: 0.85, mch: 0.75, city: 1.35, regional: 1.7, 'outside-city': 1.3, 'outside-county': 1,
};
const ADMISSION_COST_FACTOR: Record<Kind | 'outside-city' | 'outside-county', number> = {
  village: 0.3, center: 0.37, county: 1, tcm: 0.85, mch: 0.6, city: 1.7, regional: 2.2, 'outside-city': 1.6, 'outside-county': 1,
};
/** Mean length of stay (days). */
const STAY_DAYS: Record<Kind | 'outside-city' | 'outside-county', number> = {
  village: 3, center: 6, county: 8, tcm: 9, mch: 4, city: 10, regional: 11, 'outside-city': 10, 'outside-county': 8,
};
/** Share of the cost the fund pays for an insured resident (outpatient, inpatient); ±0.05 jitter, kept in 50–70 %. */
const FUND_RATIO: Record<Kind | 'outside-city' | 'outside-county' | 'pharmacy', readonly [number, number]> = {
  village: [0.65, 0.68], center: [0.62, 0.66], county: [0.55, 0.62], tcm: [0.56, 0.62], mch: [0.55, 0.62], city: [0.52, 0.57],
  regional: [0.5, 0.55], 'outside-city': [0.5, 0.53], 'outside-county': [0.52, 0.57], pharmacy: [0.55, 0.55],
};

/** Log-normal cost with the given mean (¥), in whole fen; σ of the log. */
function costFen(rng: Rng, mean: number, sigma: number): number {
  const mu = Math.log(mean) - (sigma * sigma) / 2;
  return Math.max(500, Math.round(Math.exp(mu + sigma * rng.normal()) * 100));
}

/** Fen → an exact yuan string with two decimals ("1234.50"). */
export function fenToYuan(fen: number): string {
  if (!Number.isSafeInteger(fen) || fen < 0) throw new Error(`fen must be a non-negative integer (got ${fen})`);
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
}

/** A yuan string ("1234.5", "12", "0.07") → fen, exactly (no floating point). */
export function yuanToFen(yuan: string): number {
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(yuan);
  if (!m) throw new Error(`not a yuan amount: ${yuan}`);
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

const pad2 = (n: number) => String(n).padStart(2, '0');
const daysIn = (year: number, month0: number) => new Date(Date.UTC(year, month0 + 1, 0)).getUTCDate();
const isoPlusDays = (year: number, month0: number, day: number, plus: number): string => {
  const d = new Date(Date.UTC(year, month0, day + plus));
  return `${d.getUTCFullYear()}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
};

// ---------------------------------------------------------------------------------------------------------------
// The county model

interface Place {
  f: GeneratorFacility;
  kind: Kind;
  source: string;
  /** Outpatient and inpatient departments (weighted), empty when the facility has none. */
  outDepts: Weighted<GeneratorDepartment>;
  inDepts: Weighted<GeneratorDepartment>;
  tcm: boolean;
}

function placeOf(f: GeneratorFacility): Place {
  const kind = kindOfTier(f.tier);
  const clinical = (f.departments ?? []).filter((d) => !NON_CLINICAL.has(d.specialty));
  const tcmHospital = f.isTcm ?? f.tier === 'county-tcm-hospital';
  const tcmShare = tcmHospital ? 1 : kind === 'center' ? 0.12 : kind === 'county' || kind === 'mch' ? 0.06 : 0.04;
  const weights = (list: readonly GeneratorDepartment[]): (readonly [GeneratorDepartment, number])[] => {
    if (tcmHospital) return list.map((d) => [d, 1] as const);
    const tcm = list.filter((d) => d.isTcm);
    const other = list.filter((d) => !d.isTcm);
    const share = tcm.length && other.length ? tcmShare : tcm.length ? 1 : 0;
    // At the grassroots most visits are general practice.
    const w = (d: GeneratorDepartment) => (kind === 'center' && d.specialty === 'general-practice' ? 6 : 1);
    const otherTotal = other.reduce((s, d) => s + w(d), 0) || 1;
    return list.map((d) => (d.isTcm ? [d, share / tcm.length] as const : [d, ((1 - share) * w(d)) / otherTotal] as const));
  };
  const inpatient = clinical.filter((d) => !OUTPATIENT_ONLY.has(d.specialty));
  return {
    f, kind, source: `his:${f.identifier ?? f.id}`, tcm: tcmHospital,
    outDepts: new Weighted(weights(clinical)), inDepts: new Weighted(weights(inpatient)),
  };
}

/** Resident flags in one byte. */
const HTN = 1, DM = 2, MANAGED = 4, INSURED = 8, FEMALE = 16;

const isResidentArray = (r: ResidentSource): r is readonly GeneratorResident[] => Array.isArray(r);

/**
 * A year of visits and stays of one county's residents, month by month (within a month, resident by resident, each
 * resident's records in date order). Deterministic for (seed, year, county, facilities, residents).
 */
export function* generateCountyActivity(opts: CountyActivityOptions): Generator<ActivityInput, void, undefined> {
  const cal = { ...defaultCalibration, ...opts.calibration };
  const { year, countyCode } = opts;
  if (!/^\d{6}$/.test(countyCode)) throw new Error(`countyCode must be 6 digits (got ${countyCode})`);
  if (!Number.isInteger(year) || year < 1900 || year > 2999) throw new Error(`year must be a calendar year (got ${year})`);
  const seedBase = mix(mix(opts.seed >>> 0, hashString(countyCode)), year);
  const includePatientId = opts.includePatientId ?? true;
  const prefix = `${opts.recordPrefix ?? countyCode}-${year}-s${opts.seed}`;
  const residents = opts.residents;
  const count = isResidentArray(residents) ? residents.length : residents.count;
  const residentAt = (i: number): GeneratorResident => (isResidentArray(residents) ? residents[i]! : residents.get(i));

  // --- facilities
  const places = opts.facilities.map(placeOf);
  const inCounty = places.filter((p) => p.f.countyCode === countyCode);
  const villagesByDivision = new Map<string, number>();
  const centersByTownship = new Map<string, number[]>();
  places.forEach((p, idx) => {
    if (p.f.countyCode !== countyCode) return;
    if (p.kind === 'village' && !villagesByDivision.has(p.f.divisionCode)) villagesByDivision.set(p.f.divisionCode, idx);
    if (p.kind === 'center') {
      const t = p.f.divisionCode.slice(0, 9);
      const list = centersByTownship.get(t) ?? [];
      list.push(idx);
      centersByTownship.set(t, list);
    }
  });
  const allCenters = places.map((p, i) => [p, i] as const).filter(([p]) => p.kind === 'center' && p.f.countyCode === countyCode).map(([, i]) => i);
  const index = (p: Place) => places.indexOf(p);
  const firstOf = (kind: Kind) => inCounty.filter((p) => p.kind === kind).map(index);
  const countyHospitals = { county: firstOf('county'), tcm: firstOf('tcm'), mch: firstOf('mch') };
  const above = places.filter((p) => p.f.countyCode !== countyCode && (p.kind === 'city' || p.kind === 'regional'));
  const cityHospitals = above.filter((p) => p.kind === 'city').map(index);
  const regionalCenters = above.filter((p) => p.kind === 'regional').map(index);
  const outside = new Weighted((opts.outside ?? []).map((o) => [o, o.weight] as const));
  if (allCenters.length === 0 && countyHospitals.county.length === 0) {
    throw new Error(`county ${countyCode}: no township/community centers or county hospital among the facilities`);
  }

  // --- pass 0: residents' static attributes and the normalisation of rates
  const age = new Uint8Array(count);
  const flags = new Uint8Array(count);
  const offset = new Uint8Array(count);
  const homeVillage = new Int32Array(count);
  const homeCenter = new Int32Array(count);
  const visitRate = new Float32Array(count);
  const admitRate = new Float32Array(count);
  let sumVisitW = 0;
  let sumAdmitW = 0;
  let followUps = 0;
  const htnScale = cal.hypertensionShare / HTN_MEAN;
  const dmScale = cal.diabetesShare / DM_MEAN;
  for (let i = 0; i < count; i++) {
    const r = residentAt(i);
    const rng = new Rng(mix(seedBase, i * 2 + 1));
    let a: number;
    if (r.birthDate && /^\d{4}-\d{2}-\d{2}/.test(r.birthDate)) {
      a = Math.max(0, Math.min(120, year - Number(r.birthDate.slice(0, 4)) - (r.birthDate.slice(5, 10) > '07-01' ? 1 : 0)));
    } else {
      a = ageTable.draw(rng.float()) * 5 + Math.floor(rng.float() * 5);
    }
    const female = r.sex ? r.sex === 'female' : rng.chance(0.49);
    let f = female ? FEMALE : 0;
    const htnDraw = rng.float();
    const dmDraw = rng.float();
    if (r.chronicConditions) {
      if (r.chronicConditions.some((c) => c.startsWith('I10'))) f |= HTN;
      if (r.chronicConditions.some((c) => c.startsWith('E11'))) f |= DM;
    } else if (a >= 18) {
      if (htnDraw < hypertensionShape(a) * htnScale) f |= HTN;
      if (dmDraw < diabetesShape(a) * dmScale) f |= DM;
    }
    const chronic = (f & (HTN | DM)) !== 0;
    if (chronic && rng.chance(cal.managedShare)) f |= MANAGED;
    if (rng.chance(cal.insuredShare)) f |= INSURED;
    age[i] = Math.min(a, 255);
    flags[i] = f;
    offset[i] = rng.int(0, 2);
    const code = r.residenceDivisionCode;
    homeVillage[i] = code.length === 12 ? (villagesByDivision.get(code) ?? -1) : -1;
    const centers = centersByTownship.get(code.slice(0, 9));
    homeCenter[i] = centers?.length ? centers[rng.int(0, centers.length - 1)]! : allCenters.length ? allCenters[rng.int(0, allCenters.length - 1)]! : -1;
    visitRate[i] = visitWeight(a, chronic);
    admitRate[i] = admissionWeight(a, female, chronic);
    sumVisitW += visitRate[i]!;
    sumAdmitW += admitRate[i]!;
    if (f & MANAGED) followUps += 4;
  }
  const targetVisits = cal.visitsPerResident * count;
  const generalVisits = Math.max(0, targetVisits - followUps);
  const kVisit = sumVisitW > 0 ? generalVisits / sumVisitW : 0;
  const kAdmit = sumAdmitW > 0 ? (cal.admissionsPer100 / 100) * count / sumAdmitW : 0;
  for (let i = 0; i < count; i++) {
    visitRate[i] = visitRate[i]! * kVisit;
    admitRate[i] = admitRate[i]! * kAdmit;
  }
  const clamp01 = (x: number) => Math.min(1, Math.max(0, x));
  // General visits out of the county, and at the grassroots among those in the county, so that with the follow-ups
  // the totals land on the calibration.
  const pOut = generalVisits > 0 ? clamp01(((1 - cal.inCountyVisitShare) * targetVisits) / generalVisits) : 0;
  const inCountyGeneral = generalVisits * (1 - pOut);
  const pGrass = inCountyGeneral > 0 ? clamp01((cal.grassrootsShare * cal.inCountyVisitShare * targetVisits - followUps) / inCountyGeneral) : 1;
  const pAdmitOut = clamp01(1 - cal.inCountyAdmissionShare);
  const pAdmitCenter = clamp01(cal.townshipAdmissionShare);

  // --- destinations
  type Dest = { place: Place } | { outside: OutsideFacility };
  const pickOf = (rng: Rng, list: readonly number[]) => places[list[rng.int(0, list.length - 1)]!]!;
  const outOfCounty = (rng: Rng): Dest => {
    const table = new Array<readonly [string, number]>();
    if (cityHospitals.length) table.push(['city', 0.4]);
    if (regionalCenters.length) table.push(['regional', 0.15]);
    if (!outside.empty) table.push(['outside', 0.45]);
    if (table.length === 0) return { place: pickOf(rng, countyHospitals.county.length ? countyHospitals.county : allCenters) };
    const which = new Weighted(table).draw(rng.float());
    if (which === 'city') return { place: pickOf(rng, cityHospitals) };
    if (which === 'regional') return { place: pickOf(rng, regionalCenters) };
    return { outside: outside.draw(rng.float()) };
  };
  // County-level hospital choice by (fits the MCH hospital: children, women 15–49) × (inpatient).
  const countyTables = [false, true].map((mchFit) =>
    [false, true].map((inpatient) => {
      const w: (readonly [number[], number])[] = [
        [countyHospitals.county, 0.62],
        [countyHospitals.tcm, inpatient ? 0.17 : 0.23],
        [countyHospitals.mch, mchFit ? (inpatient ? 0.4 : 0.3) : 0.04],
      ];
      const present = w.filter(([l]) => l.length > 0);
      return present.length ? new Weighted(present) : null;
    }),
  );
  const countyLevel = (rng: Rng, a: number, female: boolean, inpatient: boolean): Place | null => {
    const mchFit = a < 14 || (female && a >= 15 && a < 50);
    const table = countyTables[mchFit ? 1 : 0]![inpatient ? 1 : 0]!;
    return table ? pickOf(rng, table.draw(rng.float())) : null;
  };
  const grassroots = (rng: Rng, i: number): Place => {
    const v = homeVillage[i]!;
    const c = homeCenter[i]!;
    const u = rng.float();
    if (v >= 0 && u < 0.45) return places[v]!;
    if (c >= 0 && u < 0.95) return places[c]!;
    if (allCenters.length) return pickOf(rng, allCenters);
    return places[v >= 0 ? v : c]!;
  };

  const season = VISIT_SEASON;
  const aSeason = ADMISSION_SEASON;
  const pharmacyMonthly = cal.pharmacyPerResident / 12;

  // --- the year, month by month
  const until = opts.until;
  if (until !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(until)) throw new Error(`until must be YYYY-MM-DD (got ${until})`);
  for (let m = 0; m < 12; m++) {
    if (until !== undefined && `${year}-${pad2(m + 1)}-01` > until) break;
    const dim = daysIn(year, m);
    for (let i = 0; i < count; i++) {
      const f = flags[i]!;
      const a = age[i]!;
      const female = (f & FEMALE) !== 0;
      const insured = (f & INSURED) !== 0;
      const rng = new Rng(mix(seedBase, (i * 16 + m + 2) * 2));
      const nFollow = f & MANAGED && m % 3 === offset[i]! ? 1 : 0;
      const nVisits = rng.poisson((visitRate[i]! * season[m]!) / 12);
      const nAdmit = rng.poisson((admitRate[i]! * aSeason[m]!) / 12);
      const nPharmacy = insured ? rng.poisson(pharmacyMonthly) : 0;
      if (nFollow + nVisits + nAdmit + nPharmacy === 0) continue;
      const r = residentAt(i);
      const base = {
        patientId: includePatientId ? r.id : undefined,
        residenceDivisionCode: r.residenceDivisionCode,
      };
      const events: ActivityInput[] = [];
      let seq = 0;
      const recordId = (kind: string) => `${prefix}-${kind}-${i}-${pad2(m + 1)}-${seq++}`;
      const day = () => rng.int(1, dim);
      const money = (kind: Kind | 'outside-city' | 'outside-county', cost: number, inpatient: boolean) => {
        if (!insured) return { totalCost: fenToYuan(cost), insured: false };
        const [o, ip] = FUND_RATIO[kind];
        const ratio = Math.min(0.7, Math.max(0.5, (inpatient ? ip : o) + (rng.float() - 0.5) * 0.1));
        return { totalCost: fenToYuan(cost), fundPaid: fenToYuan(Math.round(cost * ratio)), insured: true };
      };
      const visitAt = (dest: Dest, dx: string[], kindTag: string, viaReferralP: number): ActivityInput => {
        const d = day();
        const date = `${year}-${pad2(m + 1)}-${pad2(d)}`;
        if ('outside' in dest) {
          const k = dest.outside.level === 'city' ? 'outside-city' : 'outside-county';
          return {
            source: 'insurance', sourceRecordId: recordId(kindTag), class: 'outpatient', ...base,
            facilityDivisionCode: dest.outside.divisionCode, startDate: date, diagnoses: dx,
            ...money(k, costFen(rng, cal.hospitalVisitCost * VISIT_COST_FACTOR[k], 0.85), false),
            pharmacy: false, viaReferral: rng.chance(viaReferralP),
          };
        }
        const p = dest.place;
        const dept = p.outDepts.empty ? undefined : p.outDepts.draw(rng.float());
        const diagnoses = dept?.isTcm || p.tcm ? (rng.chance(0.6) ? [TCM_DX.draw(rng.float())] : dx) : dept?.specialty === 'paediatrics' ? [PAEDIATRIC_DX.draw(rng.float())] : dx;
        return {
          source: p.source, sourceRecordId: recordId(kindTag), class: 'outpatient', ...base,
          facilityId: p.f.id, facilityDivisionCode: p.f.divisionCode, departmentSpecialty: dept?.specialty,
          startDate: date, diagnoses,
          ...money(p.kind, costFen(rng, cal.hospitalVisitCost * VISIT_COST_FACTOR[p.kind], 0.85), false),
          pharmacy: false, viaReferral: rng.chance(viaReferralP),
        };
      };

      for (let k = 0; k < nFollow; k++) {
        const dx = [(f & HTN) !== 0 ? 'I10' : 'E11.9', ...((f & HTN) !== 0 && (f & DM) !== 0 ? ['E11.9'] : [])];
        const p = homeVillage[i]! >= 0 && rng.chance(0.6) ? places[homeVillage[i]!]! : homeCenter[i]! >= 0 ? places[homeCenter[i]!]! : grassroots(rng, i);
        events.push(visitAt({ place: p }, dx, 'FU', 0));
      }
      for (let k = 0; k < nVisits; k++) {
        const chronic = (f & (HTN | DM)) !== 0;
        const dx = chronic && rng.chance(0.25) ? [(f & HTN) !== 0 ? 'I10' : 'E11.9'] : [OUTPATIENT_DX.draw(rng.float())];
        const u = rng.float();
        let dest: Dest;
        let referralP = 0;
        if (u < pOut) {
          dest = outOfCounty(rng);
          referralP = 0.15;
        } else if (rng.float() < pGrass) {
          dest = { place: grassroots(rng, i) };
        } else {
          const p = countyLevel(rng, a, female, false);
          dest = { place: p ?? grassroots(rng, i) };
          referralP = 0.03;
        }
        events.push(visitAt(dest, dx, 'OP', referralP));
      }
      for (let k = 0; k < nAdmit; k++) {
        const u = rng.float();
        let dest: Dest;
        if (u < pAdmitOut) dest = outOfCounty(rng);
        else if (u < pAdmitOut + pAdmitCenter && (homeCenter[i]! >= 0 || allCenters.length)) {
          dest = { place: homeCenter[i]! >= 0 && rng.chance(0.85) ? places[homeCenter[i]!]! : pickOf(rng, allCenters) };
        } else dest = { place: countyLevel(rng, a, female, true) ?? (homeCenter[i]! >= 0 ? places[homeCenter[i]!]! : pickOf(rng, allCenters)) };
        const d = day();
        const kind: Kind | 'outside-city' | 'outside-county' = 'outside' in dest ? (dest.outside.level === 'city' ? 'outside-city' : 'outside-county') : dest.place.kind;
        const stay = 1 + rng.poisson(STAY_DAYS[kind] - 1);
        const place = 'place' in dest ? dest.place : null;
        const dept = place && !place.inDepts.empty ? place.inDepts.draw(rng.float()) : undefined;
        const obstetric = female && a >= 18 && a < 45 && (place?.kind === 'mch' || rng.chance(0.25));
        const primary = dept?.specialty.includes('obstetric') || (obstetric && place?.kind === 'mch')
          ? OBSTETRIC_DX.draw(rng.float())
          : dept?.specialty === 'paediatrics' || dept?.specialty === 'neonatology' || a < 14
            ? PAEDIATRIC_DX.draw(rng.float())
            : dept?.isTcm && rng.chance(0.5) ? TCM_DX.draw(rng.float()) : INPATIENT_DX.draw(rng.float());
        const diagnoses = [primary];
        if ((f & HTN) !== 0 && primary !== 'I10') diagnoses.push('I10');
        if ((f & DM) !== 0 && primary !== 'E11.9') diagnoses.push('E11.9');
        const referralP = kind === 'center' ? 0.05 : kind === 'county' || kind === 'tcm' || kind === 'mch' ? 0.1 : 0.4;
        const cost = costFen(rng, cal.admissionCost * ADMISSION_COST_FACTOR[kind] * (0.6 + 0.05 * stay), 0.6);
        events.push({
          source: place ? place.source : 'insurance', sourceRecordId: recordId('IP'), class: 'inpatient', ...base,
          facilityId: place?.f.id, facilityDivisionCode: place ? place.f.divisionCode : 'outside' in dest ? dest.outside.divisionCode : undefined,
          departmentSpecialty: dept?.specialty,
          startDate: `${year}-${pad2(m + 1)}-${pad2(d)}`, endDate: isoPlusDays(year, m, d, stay), diagnoses,
          ...money(kind, cost, true), pharmacy: false, viaReferral: rng.chance(referralP),
        });
      }
      for (let k = 0; k < nPharmacy; k++) {
        const d = day();
        const cost = costFen(rng, 95, 0.7);
        const town = r.residenceDivisionCode.length >= 9 ? r.residenceDivisionCode.slice(0, 9) : countyCode;
        events.push({
          source: 'insurance', sourceRecordId: recordId('RX'), class: 'outpatient', ...base, facilityDivisionCode: town,
          startDate: `${year}-${pad2(m + 1)}-${pad2(d)}`, diagnoses: [],
          totalCost: fenToYuan(cost), fundPaid: fenToYuan(Math.round(cost * FUND_RATIO.pharmacy[0])), insured: true, pharmacy: true, viaReferral: false,
        });
      }
      if (events.length > 1) events.sort((x, y) => (x.startDate < y.startDate ? -1 : x.startDate > y.startDate ? 1 : 0));
      for (const e of events) {
        if (until !== undefined) {
          if (e.startDate > until) continue;
          if (e.endDate !== undefined && e.endDate > until) e.endDate = undefined;
        }
        // Without the absent fields (no `undefined` values in the record or its JSON).
        const out: Record<string, unknown> = {};
        for (const k in e) {
          const v = e[k as keyof ActivityInput];
          if (v !== undefined) out[k] = v;
        }
        yield out as ActivityInput;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Province scale: N synthetic counties, no database

export interface SyntheticCounty {
  countyCode: string;
  cityCode: string;
  facilities: GeneratorFacility[];
  residents: { readonly count: number; get(index: number): GeneratorResident };
}

export interface ProvinceOptions {
  seed: number;
  counties: number;
  /** Residents per county (default 400,000: a typical county). */
  residentsPerCounty?: number;
  /** Two-digit province code of the synthetic division codes (default 99, which GB/T 2260 does not use). */
  provinceCode?: string;
  townshipsPerCounty?: number;
  villagesPerTownship?: number;
}

const COUNTY_DEPTS: GeneratorDepartment[] = [
  'internal-medicine', 'cardiology', 'respiratory-medicine', 'neurology', 'gastroenterology', 'general-surgery', 'orthopaedics',
  'obstetrics-gynaecology', 'paediatrics', 'emergency-medicine', 'ophthalmology', 'otorhinolaryngology', 'stomatology',
  'rehabilitation-medicine',
].map((specialty): GeneratorDepartment => ({ specialty })).concat([{ specialty: 'tcm', isTcm: true }]);
const TCM_DEPTS: GeneratorDepartment[] = ['tcm-internal-medicine', 'tcm-orthopaedics', 'acupuncture-tuina', 'tcm-rehabilitation', 'tcm-gynaecology']
  .map((specialty) => ({ specialty, isTcm: true }));
const MCH_DEPTS: GeneratorDepartment[] = ['obstetrics', 'gynaecology', 'paediatrics', 'child-health', 'women-health'].map((specialty) => ({ specialty }));
const CENTER_DEPTS: GeneratorDepartment[] = [{ specialty: 'general-practice' }, { specialty: 'tcm', isTcm: true }, { specialty: 'general-surgery' }];
const CITY_DEPTS: GeneratorDepartment[] = COUNTY_DEPTS.concat(['oncology', 'haematology', 'thoracic-surgery', 'neurosurgery'].map((specialty) => ({ specialty })));

/**
 * The synthetic province: county `c` (0-based) has code `<pp><city><21+c%10>` with city `01`–`99` (ten counties a
 * city), townships `<county>1tt`, villages `<township>2vv`; facilities `syn-<division code>-<kind>`; per city one
 * city hospital (district `<pp><city>02`), for the province two regional centers (`<pp>0102`). Residents are made
 * on demand from (seed, county, index): no table of them exists anywhere.
 */
export function syntheticProvince(opts: ProvinceOptions): { counties: SyntheticCounty[]; aboveCounty: GeneratorFacility[] } {
  const pp = opts.provinceCode ?? '99';
  if (!/^\d{2}$/.test(pp)) throw new Error('provinceCode must be 2 digits');
  if (!Number.isInteger(opts.counties) || opts.counties < 1 || opts.counties > 990) throw new Error('counties must be 1–990');
  const nResidents = opts.residentsPerCounty ?? 400_000;
  const nTownships = opts.townshipsPerCounty ?? 15;
  const nVillages = opts.villagesPerTownship ?? 17;
  const regionalDistrict = `${pp}0102`;
  const aboveCounty: GeneratorFacility[] = [0, 1].map((k) => ({
    id: `syn-${regionalDistrict}-rmc${k}`, tier: 'regional-medical-center', countyCode: regionalDistrict, divisionCode: regionalDistrict, departments: CITY_DEPTS,
  }));
  const cities = new Set<string>();
  const counties: SyntheticCounty[] = [];
  for (let c = 0; c < opts.counties; c++) {
    const city = pad2(1 + Math.floor(c / 10));
    const cityCode = `${pp}${city}00`;
    const cityDistrict = `${pp}${city}02`;
    if (!cities.has(city)) {
      cities.add(city);
      aboveCounty.push({ id: `syn-${cityDistrict}-city`, tier: 'city-hospital', countyCode: cityDistrict, divisionCode: cityDistrict, departments: CITY_DEPTS });
    }
    const countyCode = `${pp}${city}${21 + (c % 10)}`;
    const seat = `${countyCode}100`;
    const facilities: GeneratorFacility[] = [
      { id: `syn-${countyCode}-ch`, tier: 'county-hospital', countyCode, divisionCode: seat, departments: COUNTY_DEPTS },
      { id: `syn-${countyCode}-tcm`, tier: 'county-tcm-hospital', countyCode, divisionCode: seat, departments: TCM_DEPTS, isTcm: true },
      { id: `syn-${countyCode}-mch`, tier: 'county-mch-hospital', countyCode, divisionCode: seat, departments: MCH_DEPTS },
    ];
    const villages: string[] = [];
    for (let t = 0; t < nTownships; t++) {
      const township = `${countyCode}${100 + t}`;
      facilities.push({ id: `syn-${township}-thc`, tier: t === 0 ? 'community-health-center' : 'township-health-center', countyCode, divisionCode: township, departments: CENTER_DEPTS });
      for (let v = 0; v < nVillages; v++) {
        const village = `${township}${200 + v}`;
        villages.push(village);
        if (t > 0) facilities.push({ id: `syn-${village}-vc`, tier: 'village-clinic', countyCode, divisionCode: village });
      }
    }
    facilities.push(...aboveCounty.filter((f) => f.tier === 'regional-medical-center' || f.divisionCode === cityDistrict));
    const countySeed = mix(opts.seed >>> 0, hashString(countyCode));
    counties.push({
      countyCode, cityCode, facilities,
      residents: {
        count: nResidents,
        get: (i) => ({ id: `syn-${countyCode}-p${i}`, residenceDivisionCode: villages[mix(countySeed, i) % villages.length]! }),
      },
    });
  }
  return { counties, aboveCounty };
}

/** Outside the synthetic province: capitals of other provinces (division codes of real districts). */
const PROVINCE_OUTSIDE: readonly OutsideFacility[] = [
  { divisionCode: '110105', weight: 0.2, level: 'city' },
  { divisionCode: '310104', weight: 0.2, level: 'city' },
  { divisionCode: '440106', weight: 0.2, level: 'city' },
  { divisionCode: '330106', weight: 0.2, level: 'city' },
  { divisionCode: '350102', weight: 0.2, level: 'city' },
];

/**
 * A year of activity for a whole synthetic province, county after county (each county month by month), streaming.
 * Patient ids are synthetic and left out unless `includePatientId` (the platform has no such patients).
 */
export function* generateProvinceActivity(
  opts: ProvinceOptions & { year: number; calibration?: Partial<ActivityCalibration>; includePatientId?: boolean },
): Generator<ActivityInput, void, undefined> {
  const { counties } = syntheticProvince(opts);
  for (const c of counties) {
    yield* generateCountyActivity({
      seed: opts.seed, year: opts.year, countyCode: c.countyCode, facilities: c.facilities, residents: c.residents,
      outside: [...PROVINCE_OUTSIDE, { divisionCode: `${c.cityCode.slice(0, 4)}02`, weight: 0.3, level: 'city' }],
      calibration: opts.calibration, includePatientId: opts.includePatientId ?? false,
    });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Measuring a stream against the calibration

export interface ActivityTally {
  residents: number;
  records: number;
  visits: number;
  admissions: number;
  pharmacySettlements: number;
  visitsPerResident: number;
  admissionsPer100: number;
  /** Grassroots visits ÷ visits at in-county facilities. */
  grassrootsShare: number;
  /** In-county visits ÷ all visits (pharmacies excluded). */
  inCountyVisitShare: number;
  inCountyAdmissionShare: number;
  /** Admissions at township/community centers ÷ all admissions. */
  townshipAdmissionShare: number;
  /** TCM visits (TCM hospital or TCM department) ÷ in-county visits. */
  tcmShare: number;
  referralVisitShare: number;
  referralAdmissionShare: number;
  meanVisitCost: number;
  /** Outpatient visits at the county general hospital(s) (domain.md: ¥362 per hospital visit). */
  meanCountyHospitalVisitCost: number;
  meanAdmissionCost: number;
  meanCountyHospitalAdmissionCost: number;
  /** Fund paid ÷ total cost of insured records (pharmacies excluded). */
  fundShareInsured: number;
  insuredShare: number;
  visitsByMonth: number[];
}

/** Counts a stream of records of one county's residents the way the calibration is stated (domain.md §1 and §8). */
export function createActivityTally(countyCode: string, facilities: readonly GeneratorFacility[], residents: number) {
  const byId = new Map(facilities.map((f) => [f.id, f]));
  const grass = new Set<FacilityTier>(grassrootsTiers);
  const tcmSpecialties = new Set(facilities.flatMap((f) => (f.departments ?? []).filter((d) => d.isTcm).map((d) => d.specialty)));
  const t = {
    records: 0, visits: 0, admissions: 0, pharmacy: 0, inCountyVisits: 0, grassVisits: 0, inCountyAdmissions: 0, centerAdmissions: 0,
    tcmVisits: 0, referralVisits: 0, referralAdmissions: 0, visitFen: 0, countyVisitFen: 0, countyVisits: 0, admissionFen: 0,
    countyAdmissionFen: 0, countyAdmissions: 0, insuredFen: 0, fundFen: 0, insured: 0, byMonth: new Array<number>(12).fill(0),
  };
  return {
    add(a: ActivityInput): void {
      t.records++;
      if (a.pharmacy) {
        t.pharmacy++;
        return;
      }
      const f = a.facilityId ? byId.get(a.facilityId) : undefined;
      const inCounty = f ? f.countyCode === countyCode : (a.facilityDivisionCode ?? '').startsWith(countyCode);
      const fen = yuanToFen(a.totalCost);
      if (a.insured) {
        t.insured++;
        if (a.fundPaid !== undefined) {
          t.insuredFen += fen;
          t.fundFen += yuanToFen(a.fundPaid);
        }
      }
      if (a.class === 'outpatient') {
        t.visits++;
        t.visitFen += fen;
        t.byMonth[Number(a.startDate.slice(5, 7)) - 1]!++;
        if (a.viaReferral) t.referralVisits++;
        if (inCounty) {
          t.inCountyVisits++;
          if (f && grass.has(f.tier)) t.grassVisits++;
          if (f && (f.isTcm ?? f.tier === 'county-tcm-hospital')) t.tcmVisits++;
          else if (a.departmentSpecialty && tcmSpecialties.has(a.departmentSpecialty)) t.tcmVisits++;
        }
        if (f && f.tier === 'county-hospital') {
          t.countyVisits++;
          t.countyVisitFen += fen;
        }
      } else {
        t.admissions++;
        t.admissionFen += fen;
        if (a.viaReferral) t.referralAdmissions++;
        if (inCounty) t.inCountyAdmissions++;
        if (f && (f.tier === 'township-health-center' || f.tier === 'community-health-center')) t.centerAdmissions++;
        if (f && f.tier === 'county-hospital') {
          t.countyAdmissions++;
          t.countyAdmissionFen += fen;
        }
      }
    },
    result(): ActivityTally {
      const r = (n: number, d: number, digits = 4) => (d > 0 ? Math.round((n / d) * 10 ** digits) / 10 ** digits : 0);
      return {
        residents, records: t.records, visits: t.visits, admissions: t.admissions, pharmacySettlements: t.pharmacy,
        visitsPerResident: r(t.visits, residents, 3), admissionsPer100: r(t.admissions * 100, residents, 2),
        grassrootsShare: r(t.grassVisits, t.inCountyVisits), inCountyVisitShare: r(t.inCountyVisits, t.visits),
        inCountyAdmissionShare: r(t.inCountyAdmissions, t.admissions), townshipAdmissionShare: r(t.centerAdmissions, t.admissions),
        tcmShare: r(t.tcmVisits, t.inCountyVisits), referralVisitShare: r(t.referralVisits, t.visits),
        referralAdmissionShare: r(t.referralAdmissions, t.admissions),
        meanVisitCost: r(t.visitFen, t.visits * 100, 2), meanCountyHospitalVisitCost: r(t.countyVisitFen, t.countyVisits * 100, 2),
        meanAdmissionCost: r(t.admissionFen, t.admissions * 100, 2), meanCountyHospitalAdmissionCost: r(t.countyAdmissionFen, t.countyAdmissions * 100, 2),
        fundShareInsured: r(t.fundFen, t.insuredFen), insuredShare: r(t.insured, t.visits + t.admissions), visitsByMonth: t.byMonth.slice(),
      };
    },
  };
}

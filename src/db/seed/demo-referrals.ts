import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { queryRows, type Db } from '../client.js';
import type { AttachedResult, MedicationLine } from '../schema/referral.js';
import type { LadderStep } from '../schema/deadline.js';
import type {
  CarePlanTaskKind, ConsentMethod, DownReferralKind, FacilityTier, HoldReason, ReferralDirection, ReferralStatus, ReferralSubState,
  RoleCode, Urgency,
} from '../../contracts/codes.js';
import type { ReferralTransitionInput, UpReferralInput } from '../../contracts/referral.js';
import type { Services } from '../../http/deps.js';
import { defaultCatalogue, parseIcdRange, tierCovers, type CatalogueEntry } from '../../modules/network/index.js';
import { addDays, deadlineStepFor, shanghaiDayStart } from '../../modules/referral/index.js';
import { ManualClock, shanghaiDate } from '../../shared/clock.js';
import type { Actor, RequestContext } from '../../shared/context.js';
import { nameBasedId } from '../../shared/ids.js';
import { Random, WeightedTable } from './random.js';
import {
  chronicHistory, chronicMedications, DOWN_CONDITIONS, fillTemplate, OUT_OF_COUNTY_CONDITIONS, personLabel, UP_CONDITIONS, UPPER_DEPT_OF,
  type Dest, type DownCondition, type UpCondition,
} from './demo-referral-content.js';

/**
 * A year of two-way referral history for the demo county 长汀县, and open referrals in every state.
 *
 * ## Calibration (docs/demo-data.md)
 *
 * domain.md §1 gives, for a typical county of ~400,000 residents, ~21 admissions per 100 residents a year (~85,000),
 * ~13 % of them at township centers, and an in-county rate of ~90–94 %. No national figure exists for formally
 * recorded referrals; we take:
 * - **up-referrals from the grassroots** (village clinics and township/community centers → the three county hospitals):
 *   1.6 per 100 residents a year — for 390,000 residents ≈ 6,240, i.e. about 8 % of the county hospitals' ~72,000
 *   admissions arrive with a referral slip (the rest walk in or come through the emergency department);
 * - **out of county** (转外, to 龙岩市第一医院 / 协和医院, only for conditions outside the county tier catalogue):
 *   4 % of the up-referrals, two thirds from the county hospital, one third straight from a township center;
 * - **rejected** 4 % of up-referrals (60 % of them re-sent elsewhere and completed there), **cancelled** 2 %;
 * - **down-referrals** (县总医院 → the patient's clinic or township center, with a care plan): 15 % of up-referrals on
 *   average, their share of each day's up-referrals rising linearly from 12 % to 18 % over the year, so the policy
 *   indicator "down-referrals grow ≥ 10 % a year" (domain.md §2) has something to show; up-referrals themselves
 *   grow 6 % over the year, with a winter peak (respiratory disease) and fewer on weekends.
 * Volumes scale linearly with the residents count and are exact (systematic sampling over the days), see
 * `demoReferralVolumes`. Content: ICD-10 diagnoses common in each direction (common-diagnoses.ts codes) drawn by the
 * patient's age, sex and chronic conditions; Chinese slips, discharge summaries and care plans from templates
 * (demo-referral-content.ts); timestamps that follow the lifecycle table and the default deadline policies (≈ 5 % of
 * steps late, with the overdue and escalation events the deadline worker would have written); met/cancelled
 * deadline rows. History is bulk-inserted (`INSERT … SELECT unnest(…)`) in one transaction; referral numbers take
 * values from `referral_number_seq` (nextval once, then setval past the last one) in creation order.
 *
 * Open referrals (~55) are then created **through the ReferralService** with a manual clock set in the past, acting
 * as the demo accounts (village.doctor, township.doctor, referral.desk, county.specialist) and as doctors of a few
 * other facilities, so their deadlines, notifications, bookings on the demo's reserved slots and beds, and timelines
 * are real; the deadline worker's `runDue(now)` then marks the overdue ones and escalates them.
 */

const COUNTY = '350821';
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

export const DEMO_REFERRAL_CALIBRATION = {
  /** domain.md §1: ~21 admissions per 100 residents a year (context for the rates below). */
  admissionsPer100: 21,
  upPer100: 1.6,
  outOfCountyPerUp: 0.04,
  rejectedPerUp: 0.04,
  resentPerRejected: 0.6,
  cancelledPerUp: 0.02,
  downPerUp: 0.15,
  downShareFirstDay: 0.12,
  downShareLastDay: 0.18,
  /** Growth of daily up-referral volume from the first to the last day of the year. */
  upGrowth: 0.06,
  historyDays: 365,
} as const;

export interface DemoReferralVolumes {
  /** Completed up-referrals from the grassroots to the county hospitals. */
  up: number;
  /** Completed out-of-county referrals (county hospital or township center → city / regional center). */
  outOfCounty: number;
  /** Rejected up-referrals; `resent` of them were re-sent and completed elsewhere (extra completed referrals). */
  rejected: number;
  resent: number;
  cancelled: number;
  /** Completed down-referrals with all care-plan tasks done. */
  down: number;
  total: number;
}

/** History volumes for a number of residents (linear; see the calibration above). */
export function demoReferralVolumes(residents: number): DemoReferralVolumes {
  const c = DEMO_REFERRAL_CALIBRATION;
  const up = Math.round((Math.max(0, residents) * c.upPer100) / 100);
  const outOfCounty = Math.round(up * c.outOfCountyPerUp);
  const rejected = Math.round(up * c.rejectedPerUp);
  const resent = Math.round(rejected * c.resentPerRejected);
  const cancelled = Math.round(up * c.cancelledPerUp);
  const down = Math.round(up * c.downPerUp);
  return { up, outOfCounty, rejected, resent, cancelled, down, total: up + outOfCounty + rejected + resent + cancelled + down };
}

const SEASON = [1.15, 1.05, 1.0, 0.95, 0.95, 0.95, 1.0, 1.0, 0.95, 0.95, 1.0, 1.15];

/** Relative volume of each history day (oldest first): trend × season × weekday; down-referrals × their rising share. */
export function historyDayWeights(days: readonly string[], kind: 'up' | 'down'): number[] {
  const c = DEMO_REFERRAL_CALIBRATION;
  const n = Math.max(1, days.length - 1);
  return days.map((day, i) => {
    const month = Number(day.slice(5, 7)) - 1;
    const dow = new Date(`${day}T00:00:00Z`).getUTCDay();
    const weekday = dow === 0 ? 0.6 : dow === 6 ? 0.7 : 1;
    const up = (1 + (c.upGrowth * i) / n) * SEASON[month]! * weekday;
    return kind === 'up' ? up : up * (c.downShareFirstDay + ((c.downShareLastDay - c.downShareFirstDay) * i) / n);
  });
}

/** Exactly `total` draws over the days, proportional to the weights (systematic sampling from offset `u` ∈ [0, 1)). */
export function allocateOverDays(total: number, weights: readonly number[], u: number): number[] {
  const out: number[] = [];
  if (total <= 0 || weights.length === 0) return out;
  const sum = weights.reduce((a, b) => a + b, 0);
  const k = total / sum;
  let threshold = u;
  let acc = 0;
  for (let i = 0; i < weights.length && out.length < total; i++) {
    acc += weights[i]! * k;
    while (acc > threshold && out.length < total) {
      out.push(i);
      threshold += 1;
    }
  }
  while (out.length < total) out.push(weights.length - 1);
  return out;
}

export interface DemoReferralOptions {
  seed: number;
  /** The instant the demo is seeded at (history ends here; open referrals are placed before it). Default: now. */
  now?: Date;
  /** Residents of the demo county (volumes scale with it). */
  residents: number;
  log?: Pick<Logger, 'info'>;
}

export interface DemoReferralSummary {
  skipped: boolean;
  history: DemoReferralVolumes & { events: number; deadlines: number; careTasks: number; phasesMs: { sample: number; generate: number; insert: number } };
  open: { referrals: number; byStatus: Record<string, number>; overdue: number; escalated: number };
  ms: { history: number; open: number; total: number };
}

type ServicesNeeded = Pick<Services, 'referrals' | 'deadlines'>;

// ---------------------------------------------------------------------------------------------------------------
// Reference data loaded from the seeded demo county

interface Org { id: string; name: string; tier: FacilityTier; supervisorId: string | null; countyCode: string | null }
interface Pat { id: string; name: string; sex: 'male' | 'female'; age: number; managing: string; chronic: string[]; phone: string | null }
interface Person { userId: string | null; name: string }
interface Policy { id: string; minutes: number; ladder: LadderStep[] }
interface DemoUser { id: string; username: string; displayName: string; organizationId: string | null; roles: RoleCode[]; practitionerId: string | null }

interface World {
  orgs: Map<string, Org>;
  byName: Map<string, Org>;
  county: Org; tcm: Org; mch: Org; city: Org; regional: Org;
  depts: Map<string, Map<string, { id: string; name: string }>>;
  physiciansByOrg: Map<string, { id: string; name: string; departmentId: string | null }[]>;
  deskStaff: string[];
  users: Map<string, DemoUser>;
  userByPractitioner: Map<string, DemoUser>;
  memberships: { allianceId: string; organizationId: string; validFrom: string; validTo: string | null }[];
  allianceKinds: Map<string, string>;
  policies: Map<string, Policy>;
  catalogue: CatalogueEntry[];
}

async function loadWorld(db: Db): Promise<World> {
  const orgRows = await queryRows<{ id: string; name: string; tier: FacilityTier; supervisor_id: string | null; county_code: string | null }>(db, sql`
    select id, name, tier, supervisor_id, county_code from organizations`);
  const orgs = new Map(orgRows.map((o) => [o.id, { id: o.id, name: o.name, tier: o.tier, supervisorId: o.supervisor_id, countyCode: o.county_code }]));
  const byName = new Map([...orgs.values()].map((o) => [o.name, o]));
  const need = (name: string): Org => {
    const o = byName.get(name);
    if (!o) throw new Error(`demo referrals: ${name} is not seeded (seed the demo county first)`);
    return o;
  };
  const deptRows = await queryRows<{ id: string; organization_id: string; code: string; name: string }>(db, sql`select id, organization_id, code, name from departments`);
  const depts = new Map<string, Map<string, { id: string; name: string }>>();
  for (const d of deptRows) {
    const m = depts.get(d.organization_id) ?? new Map<string, { id: string; name: string }>();
    m.set(d.code, { id: d.id, name: d.name });
    depts.set(d.organization_id, m);
  }
  const pracRows = await queryRows<{ id: string; name: string; home_organization_id: string; department_id: string | null; profession: string }>(db, sql`
    select id, name, home_organization_id, department_id, profession from practitioners order by id`);
  const physiciansByOrg = new Map<string, { id: string; name: string; departmentId: string | null }[]>();
  for (const p of pracRows) {
    if (p.profession !== 'physician') continue;
    const list = physiciansByOrg.get(p.home_organization_id) ?? [];
    list.push({ id: p.id, name: p.name, departmentId: p.department_id });
    physiciansByOrg.set(p.home_organization_id, list);
  }
  const county = need('长汀县总医院');
  const deskDept = depts.get(county.id)?.get('ZZFWZX')?.id;
  const deskStaff = pracRows.filter((p) => p.department_id === deskDept).map((p) => p.name);
  const userRows = await queryRows<{ id: string; username: string; display_name: string; organization_id: string | null; practitioner_id: string | null; roles: RoleCode[] | string }>(db, sql`
    select u.id, u.username, u.display_name, u.organization_id, u.practitioner_id, array_agg(r.role order by r.role) as roles
    from users u join user_roles r on r.user_id = u.id
    where u.username in ('village.doctor', 'township.doctor', 'county.specialist', 'referral.desk')
    group by u.id`);
  const users = new Map<string, DemoUser>();
  for (const u of userRows) {
    const roles = (Array.isArray(u.roles) ? u.roles : String(u.roles).replace(/[{}]/g, '').split(',')) as RoleCode[];
    users.set(u.username, { id: u.id, username: u.username, displayName: u.display_name, organizationId: u.organization_id, roles, practitionerId: u.practitioner_id });
  }
  const userByPractitioner = new Map([...users.values()].filter((u) => u.practitionerId).map((u) => [u.practitionerId!, u]));
  const memberships = (await queryRows<{ alliance_id: string; organization_id: string; valid_from: string; valid_to: string | null }>(db, sql`
    select alliance_id, organization_id, valid_from::text as valid_from, valid_to::text as valid_to from alliance_memberships`))
    .map((m) => ({ allianceId: m.alliance_id, organizationId: m.organization_id, validFrom: m.valid_from, validTo: m.valid_to }));
  const allianceKinds = new Map((await queryRows<{ id: string; kind: string }>(db, sql`select id, kind from alliances`)).map((a) => [a.id, a.kind]));
  const policyRows = await queryRows<{ id: string; step: string; urgency: string; minutes: number; ladder: LadderStep[] | string }>(db, sql`
    select id, step, urgency, minutes, ladder from deadline_policies where subject_type = 'referral' and organization_id is null`);
  const policies = new Map(policyRows.map((p) => [`${p.step}/${p.urgency}`, {
    id: p.id, minutes: Number(p.minutes), ladder: typeof p.ladder === 'string' ? (JSON.parse(p.ladder) as LadderStep[]) : p.ladder,
  }]));
  const catalogue: CatalogueEntry[] = defaultCatalogue.flatMap((e) => {
    const r = parseIcdRange(e.range);
    return r ? [{ tier: e.tier, allianceId: null, codeFrom: r.from, codeTo: r.to, effect: e.effect, label: e.label }] : [];
  });
  return {
    orgs, byName, county, tcm: need('长汀县中医院'), mch: need('长汀县妇幼保健院'), city: need('龙岩市第一医院'), regional: need('福建医科大学附属协和医院'),
    depts, physiciansByOrg, deskStaff, users, userByPractitioner, memberships, allianceKinds, policies, catalogue,
  };
}

const destOrg = (w: World, to: Dest): Org => ({ county: w.county, tcm: w.tcm, mch: w.mch, city: w.city, regional: w.regional })[to];

/** The alliance a referral runs through — the same rule as ReferralService.sharedAlliance. */
function sharedAlliance(w: World, a: string, b: string, day: string): string | null {
  const on = (org: string) => w.memberships.filter((m) => m.organizationId === org && m.validFrom <= day && (m.validTo === null || day < m.validTo)).map((m) => m.allianceId);
  const ma = on(a);
  const mb = on(b);
  const rank = (id: string) => ({ 'county-community': 0, 'city-group': 1, 'specialty-alliance': 2 })[w.allianceKinds.get(id) ?? ''] ?? 3;
  const shared = ma.filter((id) => mb.includes(id)).sort((x, y) => rank(x) - rank(y) || x.localeCompare(y));
  if (shared[0]) return shared[0];
  return ma.filter((id) => ['county-community', 'city-group'].includes(w.allianceKinds.get(id) ?? '')).sort()[0] ?? null;
}

/**
 * Residents sampled from the county, deterministically for the seed. Patient ids are UUIDs (uniform hex), so a slice of
 * the primary key is a uniform sample read through the index; if the ids are not hex (a slice finds too few), the
 * sample falls back to a scan keyed on md5(id).
 */
async function samplePatients(db: Db, wanted: number, rng: Random, today: string): Promise<Pat[]> {
  const [c] = await queryRows<{ n: string | number }>(db, sql`select count(*) as n from patients where county_code = ${COUNTY}`);
  const total = Number(c?.n ?? 0);
  if (total === 0) return [];
  const p = Math.min(1, wanted / total);
  const columns = sql`id, name, sex, birth_date::text as birth_date, managing_organization_id, chronic_conditions, phone`;
  type Row = { id: string; name: string; sex: 'male' | 'female'; birth_date: string; managing_organization_id: string; chronic_conditions: string[] | string; phone: string | null };
  const hex = (x: number) => Math.floor(x).toString(16).padStart(8, '0');
  const lo = rng.float() * (1 - p) * 0xffffffff;
  let rows = p >= 1
    ? await queryRows<Row>(db, sql`select ${columns} from patients where county_code = ${COUNTY} order by id`)
    : await queryRows<Row>(db, sql`select ${columns} from patients where id >= ${hex(lo)} and id < ${hex(lo + p * 0xffffffff)} and county_code = ${COUNTY} order by id`);
  if (rows.length < wanted / 2 && p < 1) {
    rows = await queryRows<Row>(db, sql`select ${columns} from patients where county_code = ${COUNTY} and substr(md5(id), 1, 8) < ${hex(p * 0xffffffff)} order by id`);
  }
  return rows.map((r) => toPat(r, today));
}

function toPat(r: { id: string; name: string; sex: 'male' | 'female'; birth_date: string; managing_organization_id: string; chronic_conditions: string[] | string; phone: string | null }, today: string): Pat {
  const age = Number(today.slice(0, 4)) - Number(r.birth_date.slice(0, 4)) - (today.slice(5) < r.birth_date.slice(5) ? 1 : 0);
  const chronic = Array.isArray(r.chronic_conditions) ? r.chronic_conditions : String(r.chronic_conditions).replace(/[{}]/g, '').split(',').filter(Boolean);
  return { id: r.id, name: r.name, sex: r.sex, age: Math.max(0, age), managing: r.managing_organization_id, chronic, phone: r.phone };
}

/** How likely a resident of this age is to be referred at all (older and chronically ill people far more). */
const propensity = (p: Pat): number =>
  (p.age < 1 ? 0.5 : p.age < 6 ? 0.4 : p.age < 15 ? 0.15 : p.age < 45 ? 0.22 : p.age < 60 ? 0.5 : p.age < 75 ? 0.85 : 1) * (p.chronic.length ? 1.3 : 1) / 1.3;

function eligible(c: { age: readonly [number, number]; sex?: 'male' | 'female'; needs?: string }, p: Pat): boolean {
  return p.age >= c.age[0] && p.age <= c.age[1] && (!c.sex || c.sex === p.sex) && (!c.needs || p.chronic.includes(c.needs));
}

function pickCondition<T extends { w: number; age: readonly [number, number]; sex?: 'male' | 'female'; needs?: string; boost?: string }>(rng: Random, p: Pat, table: readonly T[]): T | null {
  const options = table.filter((c) => eligible(c, p)).map((c) => [c, c.w * (c.boost && p.chronic.includes(c.boost) ? 3 : 1)] as const);
  return options.length ? new WeightedTable(options).draw(rng.float()) : null;
}

// ---------------------------------------------------------------------------------------------------------------
// History records

interface Move {
  action: string;
  at: number;
  by: Person;
  to: { status: ReferralStatus; sub: ReferralSubState | null };
  reason?: string | null;
  detail?: Record<string, unknown> | null;
}
interface ExtraEvent { action: 'task-done' | 'note'; at: number; by: Person; reason: string; detail: Record<string, unknown> }
interface PlanTask { kind: CarePlanTaskKind; title: string; dueMs: number; doneAt: number; outcome: string; by: string }
interface Hist {
  key: string;
  id: string;
  direction: ReferralDirection;
  urgency: Urgency;
  patient: Pat;
  origin: string;
  originDept: string | null;
  requester: Person;
  dest: string;
  destDept: string | null;
  destDeptName: string | null;
  code: string;
  name: string;
  secondary: string[];
  reason: string;
  summary: string;
  treatment: string | null;
  meds: MedicationLine[];
  results: AttachedResult[];
  consentBy: string;
  consentMethod: ConsentMethod;
  downKind: DownReferralKind | null;
  inOwnCatalogueNote: string | null;
  rejectionReason: string | null;
  cancelReason: string | null;
  previous: Hist | null;
  resentAs: Hist | null;
  fromReferral: Hist | null;
  returnedSummary: string | null;
  created: number;
  consentAt: number;
  moves: Move[];
  extra: ExtraEvent[];
  plan: { summary: string; meds: MedicationLine[]; rehab: string; warning: string[]; tasks: PlanTask[] } | null;
  number: string;
  /** Up-referrals: the condition (for linking a later down-referral). */
  cond: UpCondition | null;
  admitted: boolean;
  usedForDown: boolean;
}

const statusOf = (h: Hist): { status: ReferralStatus; sub: ReferralSubState | null } =>
  h.moves.length ? h.moves[h.moves.length - 1]!.to : { status: 'draft', sub: null };
const atOf = (h: Hist, action: string): number | null => h.moves.find((m) => m.action === action)?.at ?? null;
const lastAt = (h: Hist): number => Math.max(h.created, ...h.moves.map((m) => m.at), ...h.extra.map((e) => e.at));

function shiftHist(h: Hist, delta: number): void {
  h.created -= delta;
  h.consentAt -= delta;
  for (const m of h.moves) m.at -= delta;
  for (const e of h.extra) e.at -= delta;
  if (h.plan) for (const t of h.plan.tasks) { t.dueMs -= delta; t.doneAt -= delta; }
}

const CONSENT_METHODS = new WeightedTable<ConsentMethod>([['signed-form', 75], ['verbal-witnessed', 15], ['electronic', 10]]);

function consentOf(rng: Random, p: Pat, urgency: Urgency): { by: string; method: ConsentMethod } {
  const by = p.age < 18 ? rng.pick(['监护人（父亲）', '监护人（母亲）']) : p.age >= 80 && rng.chance(0.5) ? rng.pick(['患者之子（受托人）', '患者之女（受托人）']) : '患者本人';
  const method = urgency === 'emergency' && rng.chance(0.5) ? 'verbal-witnessed' : CONSENT_METHODS.draw(rng.float());
  return { by, method };
}

class HistoryBuilder {
  readonly all: Hist[] = [];
  constructor(
    private readonly w: World,
    private readonly rng: Random,
    private readonly ns: string,
    private readonly now: number,
  ) {}

  private person(orgId: string, deptId?: string | null): Person {
    const list = this.w.physiciansByOrg.get(orgId) ?? [];
    const inDept = deptId ? list.filter((p) => p.departmentId === deptId) : [];
    const pool = inDept.length ? inDept : list;
    if (pool.length === 0) return { userId: null, name: '值班医生' };
    const p = this.rng.pick(pool);
    const user = this.w.userByPractitioner.get(p.id);
    return user ? { userId: user.id, name: user.displayName } : { userId: null, name: p.name };
  }

  /** The county referral desk: the demo account for some, the desk's nurses for the others. */
  private desk(): Person {
    const u = this.w.users.get('referral.desk');
    if (u && (this.rng.chance(0.4) || this.w.deskStaff.length === 0)) return { userId: u.id, name: u.displayName };
    return { userId: null, name: this.w.deskStaff.length ? this.rng.pick(this.w.deskStaff) : '转诊服务中心' };
  }

  private policyMinutes(step: string, urgency: Urgency, fallback: number): number {
    return this.w.policies.get(`${step}/${urgency}`)?.minutes ?? fallback;
  }

  private base(key: string, direction: ReferralDirection, p: Pat, origin: string, originDept: string | null, dest: string, deptCode: string | null, urgency: Urgency, created: number): Hist {
    const dept = deptCode ? this.w.depts.get(dest)?.get(deptCode) ?? null : null;
    const originDeptRow = originDept ? this.w.depts.get(origin)?.get(originDept) ?? null : null;
    const h: Hist = {
      key, id: nameBasedId(this.ns, `referral:${key}`), direction, urgency, patient: p, origin, originDept: originDeptRow?.id ?? null,
      requester: this.person(origin, originDeptRow?.id), dest, destDept: dept?.id ?? null, destDeptName: dept?.name ?? null, code: '', name: '',
      secondary: [], reason: '', summary: '', treatment: null, meds: [], results: [], consentBy: '', consentMethod: 'signed-form', downKind: null,
      inOwnCatalogueNote: null, rejectionReason: null, cancelReason: null, previous: null, resentAs: null, fromReferral: null, returnedSummary: null,
      created, consentAt: created, moves: [], extra: [], plan: null, number: '', cond: null, admitted: false, usedForDown: false,
    };
    this.all.push(h);
    return h;
  }

  private move(h: Hist, action: string, at: number, by: Person, status: ReferralStatus, sub: ReferralSubState | null, reason: string | null = null, detail: Record<string, unknown> | null = null): void {
    h.moves.push({ action, at, by, to: { status, sub }, reason, detail });
  }

  /** An up-referral filed and submitted on `dayStart`; returns it in 'requested'. */
  upRequest(key: string, dayStart: number, p: Pat, cond: UpCondition, origin: string, originDept: string | null, dest: string, deptCode: string, urgencyIn?: Urgency): Hist {
    const rng = this.rng;
    const urgency = urgencyIn ?? new WeightedTable<Urgency>([['routine', cond.urgency[0]], ['urgent', cond.urgency[1]], ['emergency', cond.urgency[2]]]).draw(rng.float());
    const minute = urgency === 'routine' ? rng.int(8 * 60, 17 * 60 + 30) : urgency === 'urgent' ? rng.int(7 * 60, 22 * 60) : rng.int(0, 24 * 60 - 1);
    const requested = dayStart + minute * MIN + rng.int(0, 59) * 1000;
    const created = requested - rng.int(2, 25) * MIN;
    const h = this.base(key, 'up', p, origin, originDept, dest, deptCode, urgency, created);
    h.cond = cond;
    h.code = cond.code;
    h.name = cond.name;
    h.secondary = [...(p.chronic.includes('I10') && !cond.code.startsWith('I10') ? ['I10'] : []), ...(p.chronic.includes('E11') && !cond.code.startsWith('E11') ? ['E11.9'] : [])];
    h.reason = cond.reason;
    h.summary = `${personLabel(p.sex, p.age)}。${fillTemplate(rng.pick(cond.signs), rng)}。${chronicHistory(p.chronic, p.age)}`;
    h.treatment = cond.treat;
    h.meds = [...chronicMedications(p.chronic), ...(cond.meds ?? [])];
    const day = shanghaiDate(new Date(created));
    h.results = cond.tests.map(([kind, title, summary]) => ({ kind, title, date: day, summary: fillTemplate(summary, rng) }));
    const consent = consentOf(rng, p, urgency);
    h.consentBy = consent.by;
    h.consentMethod = consent.method;
    h.consentAt = created + rng.int(1, Math.max(1, Math.floor((requested - created) / MIN) - 1)) * MIN;
    const originOrg = this.w.orgs.get(origin)!;
    if (urgency !== 'emergency' && tierCovers(this.w.catalogue, originOrg.tier, cond.code, null).covered) {
      h.inOwnCatalogueNote = rng.pick(['已在本院按规范治疗，病情未见好转，需上级医院进一步诊治', '本院缺乏相应检查手段，需上级医院明确诊断', '患者病情有加重趋势，经评估超出本院处置能力']);
    }
    this.move(h, 'submit', requested, h.requester, 'requested', null);
    return h;
  }

  /** How long the step takes: mostly well within its deadline, ≈ `lateShare` of the time late. */
  private stepDelay(step: string, urgency: Urgency, onTimeMinutes: readonly [number, number], lateShare = 0.05): number {
    const rng = this.rng;
    const policy = this.policyMinutes(step, urgency, onTimeMinutes[1] * 2);
    const minutes = rng.chance(lateShare) ? policy * (1.05 + rng.float() * 0.5) : Math.min(policy * 0.95, rng.int(onTimeMinutes[0], onTimeMinutes[1]));
    return Math.round(minutes * MIN);
  }

  private receiverOf(h: Hist): Person {
    return h.dest === this.w.county.id && this.rng.chance(0.7) ? this.desk() : this.person(h.dest, h.destDept);
  }

  /** Takes a requested up-referral to completion: accept, book (slot or bed) or arrive, admit, discharge, return the summary. */
  upComplete(h: Hist): void {
    const rng = this.rng;
    const cond = h.cond!;
    const requested = atOf(h, 'submit')!;
    const u = h.urgency;
    const accepted = requested + this.stepDelay('accept', u, u === 'emergency' ? [3, 25] : u === 'urgent' ? [10, 100] : [30, 12 * 60]);
    const acceptor = this.receiverOf(h);
    this.move(h, 'accept', accepted, acceptor, 'accepted', null);
    const doctor = this.person(h.dest, h.destDept);
    const dept = h.destDeptName ?? '相应科室';
    const admitted = rng.chance(cond.admit);
    h.admitted = admitted;
    if (admitted) {
      let book: number;
      let admit: number;
      if (u === 'emergency') {
        book = accepted + rng.int(5, 30) * MIN;
        admit = book + rng.int(30, 120) * MIN;
      } else {
        book = accepted + this.stepDelay('schedule', u, u === 'urgent' ? [20, 300] : [60, 30 * 60], 0.04);
        const bookDay = shanghaiDate(new Date(book));
        const bedDay = u === 'urgent' ? (rng.chance(0.7) ? bookDay : addDays(bookDay, 1)) : addDays(bookDay, rng.int(1, 4));
        admit = Math.max(book + rng.int(60, 240) * MIN, shanghaiDayStart(bedDay).getTime() + rng.int(510, 690) * MIN);
      }
      const bedDay = shanghaiDate(new Date(admit));
      this.move(h, 'book', book, acceptor, 'in-progress', 'scheduled', null, { departmentName: dept, day: bedDay, kind: 'bed' });
      this.move(h, 'admit', admit, acceptor, 'in-progress', 'admitted');
      const los = rng.int(cond.los[0], cond.los[1]);
      const discharge = shanghaiDayStart(addDays(bedDay, los)).getTime() + rng.int(540, 690) * MIN;
      this.move(h, 'discharge', discharge, doctor, 'in-progress', 'discharged');
      const complete = discharge + this.stepDelay('return-summary', u, [30, 40 * 60], 0.04);
      h.returnedSummary = `出院小结：${h.name}（${h.code}）。${personLabel(h.patient.sex, h.patient.age)}，于${dept}住院 ${los} 天。${cond.course}。出院医嘱：${cond.advice}。请转出机构做好后续随访。`;
      this.move(h, 'complete', complete, doctor, 'completed', null, h.returnedSummary.slice(0, 200));
    } else {
      let visitEnd: number;
      if (u === 'emergency') {
        const arrive = accepted + rng.int(20, 120) * MIN;
        this.move(h, 'arrive', arrive, acceptor, 'in-progress', 'arrived');
        visitEnd = arrive;
      } else {
        const book = accepted + this.stepDelay('schedule', u, u === 'urgent' ? [20, 180] : [60, 30 * 60], 0.04);
        const bookDay = shanghaiDate(new Date(book));
        let apptDay = addDays(bookDay, u === 'urgent' ? rng.int(0, 1) : rng.int(1, 5));
        let appt = shanghaiDayStart(apptDay).getTime() + (rng.chance(0.6) ? rng.int(480, 690) : rng.int(870, 1020)) * MIN;
        if (appt < book + 2 * HOUR) {
          apptDay = addDays(apptDay, 1);
          appt = shanghaiDayStart(apptDay).getTime() + rng.int(480, 690) * MIN;
        }
        this.move(h, 'book', book, acceptor, 'in-progress', 'scheduled', null, { departmentName: dept, start: new Date(appt).toISOString(), kind: 'appointment' });
        const arrive = appt - rng.int(5, 25) * MIN;
        this.move(h, 'arrive', arrive, acceptor, 'in-progress', 'arrived');
        visitEnd = arrive;
      }
      const complete = visitEnd + this.stepDelay('return-summary', u, [60, 6 * 60], 0.02);
      h.returnedSummary = `${u === 'emergency' ? '急诊' : '门诊'}诊疗记录：${personLabel(h.patient.sex, h.patient.age)}，于${dept}就诊，完善相关检查后诊断为${h.name}（${h.code}），已予相应处理。处理意见：${cond.advice}。请转出机构继续随访。`;
      this.move(h, 'complete', complete, doctor, 'completed', null, h.returnedSummary.slice(0, 200));
    }
  }

  reject(h: Hist, reason: string): void {
    const requested = atOf(h, 'submit')!;
    const at = requested + this.stepDelay('accept', h.urgency, h.urgency === 'emergency' ? [5, 25] : h.urgency === 'urgent' ? [15, 100] : [40, 10 * 60], 0.08);
    h.rejectionReason = reason;
    this.move(h, 'reject', at, this.receiverOf(h), 'rejected', null, reason);
  }

  cancel(h: Hist): void {
    const rng = this.rng;
    const requested = atOf(h, 'submit')!;
    if (rng.chance(0.5)) {
      const at = requested + rng.int(20, 300) * MIN;
      h.cancelReason = rng.pick(['患者病情好转，暂不转诊', '患者及家属决定自行前往龙岩市就诊', '患者拒绝转诊']);
      this.move(h, 'cancel', at, h.requester, 'cancelled', null, h.cancelReason);
    } else {
      const accepted = requested + this.stepDelay('accept', h.urgency, [15, 8 * 60], 0.03);
      this.move(h, 'accept', accepted, this.receiverOf(h), 'accepted', null);
      const at = accepted + rng.int(60, 20 * 60) * MIN;
      h.cancelReason = rng.pick(['患者拒绝住院，要求回家观察', '患者已由家属送往其他医院就诊', '患者因家中变故暂不前往，待病情需要时重新转诊']);
      this.move(h, 'cancel', at, rng.chance(0.6) ? h.requester : this.desk(), 'cancelled', null, h.cancelReason);
    }
  }

  /** A completed down-referral with its care plan, every task done. `fromUp` links it to the admission it follows. */
  down(key: string, dayStart: number, p: Pat, cond: DownCondition, fromUp: Hist | null): Hist | null {
    const rng = this.rng;
    const w = this.w;
    const managing = w.orgs.get(p.managing);
    if (!managing) return null;
    const dest = managing.tier === 'village-clinic' && managing.supervisorId && rng.chance(cond.toCenter) ? managing.supervisorId : managing.id;
    const created = fromUp ? atOf(fromUp, 'discharge')! - rng.int(60, 180) * MIN : dayStart + rng.int(9 * 60, 16 * 60) * MIN;
    const h = this.base(key, 'down', p, w.county.id, cond.fromDept, dest, null, rng.chance(0.9) ? 'routine' : 'urgent', created);
    h.fromReferral = fromUp;
    h.code = cond.code;
    h.name = cond.name;
    h.downKind = cond.kind;
    h.reason = cond.reason;
    h.summary = `${personLabel(p.sex, p.age)}。${cond.summary}。${chronicHistory(p.chronic, p.age)}`;
    h.treatment = cond.treat;
    h.meds = [...cond.meds, ...chronicMedications(p.chronic).filter((m) => !cond.meds.some((c) => c.name === m.name))];
    const consent = consentOf(rng, p, 'routine');
    h.consentBy = consent.by;
    h.consentMethod = consent.method;
    h.consentAt = created;
    const requested = created + rng.int(2, 15) * MIN;
    this.move(h, 'submit', requested, h.requester, 'requested', null);
    const accepted = requested + this.stepDelay('accept-down', h.urgency, h.urgency === 'urgent' ? [20, 200] : [60, 16 * 60], 0.04);
    const receiver = this.person(dest);
    this.move(h, 'accept', accepted, receiver, 'accepted', null);
    // Tasks: due the plan's number of days after the request; squeezed when the plan would run past `now`.
    const available = this.now - DAY - requested;
    const maxOffset = Math.max(...cond.tasks.map((t) => t[2]));
    const squeeze = maxOffset * DAY > available ? Math.max(0.1, available / (maxOffset * DAY)) : 1;
    const requestDay = shanghaiDate(new Date(requested));
    let prevDone = accepted + HOUR;
    const tasks: PlanTask[] = cond.tasks.map(([kind, title, days], i) => {
      const offset = Math.max(i + 1, Math.round(days * squeeze));
      const due = addDays(requestDay, offset);
      const dueMs = shanghaiDayStart(due).getTime();
      const doneAt = Math.max(prevDone + rng.int(30, 240) * MIN, dueMs + rng.int(-2, 1) * DAY + rng.int(9 * 60, 17 * 60) * MIN);
      prevDone = doneAt;
      return { kind, title, dueMs, doneAt, outcome: cond.outcomes[i] ?? '已完成随访，病情稳定', by: receiver.name };
    });
    h.plan = { summary: `${cond.summary}。${cond.treat}。`, meds: [...cond.meds], rehab: cond.rehab, warning: [...cond.warning], tasks };
    tasks.forEach((t, i) => {
      h.extra.push({ action: 'task-done', at: t.doneAt, by: receiver, reason: `${t.title}：${t.outcome}`.slice(0, 500), detail: { taskId: nameBasedId(this.ns, `task:${h.key}:${i}`) } });
      if (i === 0) this.move(h, 'start-care', t.doneAt, receiver, 'in-progress', null);
      if (i === tasks.length - 1) {
        h.returnedSummary = '随访计划全部完成';
        this.move(h, 'complete', t.doneAt, receiver, 'completed', null, '随访计划全部完成');
      }
    });
    return h;
  }

  /** Pushes a referral back so it ends before `now` (the few that would still be running today). */
  fitBeforeNow(h: Hist): void {
    const end = lastAt(h);
    const limit = this.now - 2 * HOUR;
    if (end > limit) shiftHist(h, end - limit + this.rng.int(1, 48) * HOUR);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Bulk insert

type Col = readonly [name: string, type: 'text' | 'timestamptz' | 'int' | 'bigint' | 'jsonb' | 'date' | 'text[]'];

/** INSERT … SELECT FROM unnest(…): one statement per batch (~15× faster than row inserts on PGlite). */
async function bulkInsert(db: Db, table: string, cols: readonly Col[], rows: readonly (readonly unknown[])[], batch = 5000): Promise<void> {
  for (let from = 0; from < rows.length; from += batch) {
    const chunk = rows.slice(from, from + batch);
    const params = cols.map(([, type], c) => sql`${sql.param(chunk.map((r) => r[c] ?? null))}::${sql.raw(type === 'text[]' ? 'text' : type)}[]`);
    const names = cols.map(([n]) => `"${n}"`).join(', ');
    const alias = cols.map((_, c) => `c${c}`).join(', ');
    const select = cols.map(([, type], c) => (type === 'text[]' ? `u.c${c}::text[]` : `u.c${c}`)).join(', ');
    await db.execute(sql`INSERT INTO ${sql.identifier(table)} (${sql.raw(names)}) SELECT ${sql.raw(select)} FROM unnest(${sql.join(params, sql`, `)}) AS u(${sql.raw(alias)})`);
  }
}

const iso = (ms: number | null | undefined): string | null => (ms == null ? null : new Date(ms).toISOString());
const pgTextArray = (items: readonly string[]): string => `{${items.map((s) => `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;

interface DeadlineDraft {
  id: string; referralId: string; step: string; urgency: Urgency; organizationId: string; policy: Policy;
  startedAt: number; dueAt: number; state: 'met' | 'cancelled'; endAt: number | null; overdueAt: number | null; level: number;
}

/** The deadlines the service would have run for these moves (ReferralService.moveClock, without holds). */
function mirrorDeadlines(w: World, h: Hist, ns: string): { deadlines: DeadlineDraft[]; fired: { d: DeadlineDraft; level: number; rung: string; at: number }[] } {
  const out: DeadlineDraft[] = [];
  const live = new Map<string, DeadlineDraft>();
  let prev: { status: ReferralStatus; sub: ReferralSubState | null } = { status: 'draft', sub: null };
  const start = (step: string, at: number) => {
    const policy = w.policies.get(`${step}/${h.urgency}`);
    if (!policy) return;
    const d: DeadlineDraft = {
      id: nameBasedId(ns, `deadline:${h.key}:${out.length}`), referralId: h.id, step, urgency: h.urgency, organizationId: h.dest, policy,
      startedAt: at, dueAt: at + policy.minutes * MIN, state: 'cancelled', endAt: null, overdueAt: null, level: 0,
    };
    out.push(d);
    live.set(step, d);
  };
  const end = (step: string, at: number, state: 'met' | 'cancelled') => {
    const d = live.get(step);
    if (!d) return;
    d.state = state;
    d.endAt = at;
    live.delete(step);
  };
  for (const m of h.moves) {
    const next = m.to;
    if (['completed', 'cancelled', 'rejected'].includes(next.status) && m.action !== 'complete') {
      for (const step of [...live.keys()]) end(step, m.at, 'cancelled');
    } else {
      const before = deadlineStepFor(h.direction, prev.status, prev.sub);
      const after = deadlineStepFor(h.direction, next.status, next.sub);
      if (before && before !== after) end(before, m.at, 'met');
      if (after && after !== before) start(after, m.at);
    }
    prev = next;
  }
  // Levels the worker fired before the step ended: the overdue mark at the due time, then each rung of the ladder.
  const fired: { d: DeadlineDraft; level: number; rung: string; at: number }[] = [];
  for (const d of out) {
    const endAt = d.endAt ?? Number.POSITIVE_INFINITY;
    if (d.dueAt >= endAt) continue;
    d.overdueAt = d.dueAt;
    fired.push({ d, level: 0, rung: 'overdue', at: d.dueAt });
    d.policy.ladder.forEach((step, i) => {
      const at = d.dueAt + step.afterMinutes * MIN;
      if (at < endAt) {
        fired.push({ d, level: i + 1, rung: step.rung, at });
        d.level = i + 1;
      }
    });
  }
  return { deadlines: out, fired };
}

const RUNG_LABEL: Record<string, string> = { assigned: '接诊医生', 'department-head': '科主任', 'referral-desk': '转诊服务中心', 'alliance-office': '医共体办公室' };

// ---------------------------------------------------------------------------------------------------------------

/**
 * Seeds a year of referral history and the open referrals of the demo county. Call once the demo county is seeded
 * (seedDemoCounty) and the services are built (buildServices). Idempotent: does nothing when referrals exist.
 */
export async function seedDemoReferrals(db: Db, services: ServicesNeeded, opts: DemoReferralOptions): Promise<DemoReferralSummary> {
  const started = performance.now();
  const now = opts.now ?? new Date();
  const volumes = demoReferralVolumes(opts.residents);
  const empty: DemoReferralSummary = {
    skipped: true, history: { ...volumes, events: 0, deadlines: 0, careTasks: 0, phasesMs: { sample: 0, generate: 0, insert: 0 } }, open: { referrals: 0, byStatus: {}, overdue: 0, escalated: 0 },
    ms: { history: 0, open: 0, total: 0 },
  };
  const [existing] = await queryRows<{ one: number }>(db, sql`select 1 as one from referrals limit 1`);
  if (existing) return empty;
  const w = await loadWorld(db);
  const openCreations = STORIES.flatMap((story, i) => [
    { key: `up:${i}`, at: now.getTime() - Math.round(story.steps[0]![1] * HOUR) },
    ...(story.down?.steps.filter((s) => s[0] === 'create').map((s) => ({ key: `down:${i}`, at: now.getTime() - Math.round(s[1] * HOUR) })) ?? []),
  ]);
  const { summary: history, reserved, maxNumber } = await seedHistory(db, w, opts.seed, now, volumes, openCreations);
  const historyMs = Math.round(performance.now() - started);
  opts.log?.info({ ...history, ms: historyMs }, 'demo referrals: a year of history');
  const openStarted = performance.now();
  const open = await seedOpen(db, w, services, opts.seed, now, reserved, maxNumber);
  const openMs = Math.round(performance.now() - openStarted);
  opts.log?.info({ ...open, ms: openMs }, 'demo referrals: open referrals in every state');
  return { skipped: false, history, open, ms: { history: historyMs, open: openMs, total: Math.round(performance.now() - started) } };
}

/**
 * Bulk-inserts the history. Numbers: one `nextval` gives the base, then history referrals and the open ones still to be
 * created (`openCreations`, by key) are numbered together in creation order; the open ones get theirs when the service
 * creates them (seedOpen). Returns those reserved numbers and the highest number given out.
 */
async function seedHistory(
  db: Db, w: World, seed: number, now: Date, volumes: DemoReferralVolumes, openCreations: readonly { key: string; at: number }[],
): Promise<{ summary: DemoReferralSummary['history']; reserved: Map<string, number>; maxNumber: number }> {
  const ns = `demo-${seed}-referrals`;
  const rng = new Random(seed, 'referral-history');
  const nowMs = now.getTime();
  const today = shanghaiDate(now);
  const days = Array.from({ length: DEMO_REFERRAL_CALIBRATION.historyDays }, (_, i) => addDays(today, i - DEMO_REFERRAL_CALIBRATION.historyDays));
  const dayStart = (i: number) => shanghaiDayStart(days[i]!).getTime();
  const upWeights = historyDayWeights(days, 'up');
  const downWeights = historyDayWeights(days, 'down');

  const phase = performance.now();
  const pool = await samplePatients(db, Math.ceil(volumes.total * 3) + 100, new Random(seed, 'referral-patients'), today);
  const phasesMs = { sample: Math.round(performance.now() - phase), generate: 0, insert: 0 };
  if (pool.length === 0 || volumes.total === 0) {
    return { summary: { ...volumes, up: 0, outOfCounty: 0, rejected: 0, resent: 0, cancelled: 0, down: 0, total: 0, events: 0, deadlines: 0, careTasks: 0, phasesMs }, reserved: new Map(), maxNumber: 0 };
  }
  const b = new HistoryBuilder(w, rng, ns, nowMs);
  const pickPatient = (filter: (p: Pat) => boolean = () => true): Pat => {
    let last = pool[0]!;
    for (let tries = 0; tries < 400; tries++) {
      const p = pool[rng.int(0, pool.length - 1)]!;
      if (!filter(p)) continue;
      last = p;
      if (rng.float() < propensity(p)) return p;
    }
    return last;
  };
  const grassrootsOrigin = (p: Pat): string => {
    const m = w.orgs.get(p.managing);
    return m && m.tier === 'village-clinic' && m.supervisorId && rng.chance(0.45) ? m.supervisorId : p.managing;
  };
  /** A patient and an up condition they could have, from `table`. */
  const patientWith = (table: readonly UpCondition[]): { p: Pat; cond: UpCondition } => {
    for (let tries = 0; tries < 200; tries++) {
      const p = pickPatient();
      const cond = pickCondition(rng, p, table);
      if (cond) return { p, cond };
    }
    const cond = table[0]!;
    return { p: pickPatient((x) => eligible(cond, x)), cond };
  };

  // Completed up-referrals from the grassroots.
  for (const [i, d] of allocateOverDays(volumes.up, upWeights, rng.float()).entries()) {
    const { p, cond } = patientWith(UP_CONDITIONS);
    const dest = destOrg(w, cond.to);
    const h = b.upRequest(`up:${i}`, dayStart(d), p, cond, grassrootsOrigin(p), null, dest.id, cond.dept);
    b.upComplete(h);
    b.fitBeforeNow(h);
  }
  // Out of county: from the county hospital (two thirds) or straight from a township center.
  for (const [i, d] of allocateOverDays(volumes.outOfCounty, upWeights, rng.float()).entries()) {
    const { p, cond } = patientWith(OUT_OF_COUNTY_CONDITIONS);
    const fromCounty = rng.chance(2 / 3);
    const managing = w.orgs.get(p.managing);
    const center = managing?.tier === 'village-clinic' ? managing.supervisorId ?? p.managing : p.managing;
    const h = b.upRequest(`out:${i}`, dayStart(d), p, cond, fromCounty ? w.county.id : center, fromCounty ? cond.fromDept ?? null : null, destOrg(w, cond.to).id, cond.dept);
    b.upComplete(h);
    b.fitBeforeNow(h);
  }
  // Rejected: the first `resent` re-sent elsewhere (TCM → county hospital, or county → city) and completed there.
  const severe = UP_CONDITIONS.filter((c) => c.to === 'county' && ['I21.4', 'I61.9', 'I63.9', 'I50.9', 'K92.2'].includes(c.code));
  const ortho = UP_CONDITIONS.filter((c) => c.to === 'county' && c.dept === 'GK');
  const standalone = UP_CONDITIONS.filter((c) => c.to === 'county' && ['I10', 'E11.9', 'R50.9', 'R07.4', 'N20.1', 'J18.9'].includes(c.code));
  for (const [i, d] of allocateOverDays(volumes.rejected, upWeights, rng.float()).entries()) {
    const resend = i < volumes.resent;
    const toCity = resend && i % 2 === 1;
    const { p, cond } = patientWith(resend ? (toCity ? severe : ortho) : standalone);
    const origin = grassrootsOrigin(p);
    if (!resend) {
      const h = b.upRequest(`rejected:${i}`, dayStart(d), p, cond, origin, null, w.county.id, cond.dept, cond.urgency[2] > 0.5 ? 'urgent' : undefined);
      b.reject(h, rng.pick(['经电话评估，患者病情稳定，建议在乡镇卫生院继续治疗观察，如病情变化随时转诊', '转诊资料不全，缺少近期血常规及影像学检查结果，请补充后重新提交']));
      b.fitBeforeNow(h);
      continue;
    }
    const first = toCity
      ? b.upRequest(`rejected:${i}`, dayStart(d), p, cond, origin, null, w.county.id, cond.dept)
      : b.upRequest(`rejected:${i}`, dayStart(d), p, cond, origin, null, w.tcm.id, 'ZYGSK');
    b.reject(first, toCity ? '本院重症监护床位已满，经电话沟通，建议直接转龙岩市第一医院' : '本院骨伤科床位已满，建议转长汀县总医院骨科');
    const rejectedAt = atOf(first, 'reject')!;
    const dest = toCity ? w.city : w.county;
    const deptCode = toCity ? UPPER_DEPT_OF[cond.dept] ?? 'WK' : cond.dept;
    const second = b.upRequest(`resent:${i}`, dayStart(d), p, cond, origin, null, dest.id, deptCode, first.urgency);
    // The re-sent referral carries the same content and follows the rejection.
    Object.assign(second, {
      requester: first.requester, summary: first.summary, reason: first.reason, meds: first.meds, results: first.results, secondary: first.secondary,
      consentBy: first.consentBy, consentMethod: first.consentMethod, consentAt: first.consentAt, inOwnCatalogueNote: first.inOwnCatalogueNote,
      previous: first,
    });
    const gap = rejectedAt + rng.int(10, 90) * MIN - second.created;
    shiftHist(second, -gap);
    second.consentAt = first.consentAt;
    first.resentAs = second;
    first.extra.push({ action: 'note', at: second.created, by: first.requester, reason: `已改投 ${dest.name}`, detail: { resentAs: second.id } });
    b.upComplete(second);
    const end = lastAt(second);
    if (end > nowMs - 2 * HOUR) {
      const delta = end - (nowMs - 2 * HOUR) + rng.int(1, 48) * HOUR;
      shiftHist(first, delta);
      shiftHist(second, delta);
    }
  }
  for (const [i, d] of allocateOverDays(volumes.cancelled, upWeights, rng.float()).entries()) {
    const { p, cond } = patientWith(UP_CONDITIONS.filter((c) => c.to === 'county'));
    const h = b.upRequest(`cancelled:${i}`, dayStart(d), p, cond, grassrootsOrigin(p), null, w.county.id, cond.dept);
    b.cancel(h);
    b.fitBeforeNow(h);
  }
  // Down-referrals: where one was discharged that day after an admission that came with a referral, that patient.
  const candidates = new Map<number, Hist[]>();
  const firstDay = dayStart(0);
  for (const h of b.all) {
    if (h.direction !== 'up' || h.dest !== w.county.id || !h.admitted || statusOf(h).status !== 'completed') continue;
    const discharge = atOf(h, 'discharge');
    if (discharge === null || discharge > nowMs - 40 * DAY) continue;
    if (!DOWN_CONDITIONS.some((c) => c.after.includes(h.code))) continue;
    const idx = Math.floor((discharge - firstDay) / DAY);
    const list = candidates.get(idx) ?? [];
    list.push(h);
    candidates.set(idx, list);
  }
  for (const [i, d] of allocateOverDays(volumes.down, downWeights, rng.float()).entries()) {
    let linked: Hist | null = null;
    if (rng.chance(0.6)) {
      for (const idx of [d, d + 1, d - 1]) {
        linked = candidates.get(idx)?.find((h) => !h.usedForDown) ?? null;
        if (linked) break;
      }
    }
    let h: Hist | null = null;
    if (linked) {
      linked.usedForDown = true;
      const cond = DOWN_CONDITIONS.find((c) => c.after.includes(linked!.code))!;
      h = b.down(`down:${i}`, dayStart(d), linked.patient, cond, linked);
    } else {
      for (let tries = 0; tries < 50 && !h; tries++) {
        const p = pickPatient((x) => x.age >= 8);
        const cond = pickCondition(rng, p, DOWN_CONDITIONS);
        if (cond) h = b.down(`down:${i}`, dayStart(d), p, cond, null);
      }
    }
    if (h) b.fitBeforeNow(h);
  }

  // Numbers in creation order from the sequence; then one transaction of bulk inserts.
  const all = [...b.all].sort((x, y) => x.created - y.created || x.key.localeCompare(y.key));
  const counts = { up: 0, outOfCounty: 0, rejected: 0, resent: 0, cancelled: 0, down: 0 };
  for (const h of all) {
    const kind = h.key.split(':')[0]!;
    if (kind === 'up') counts.up++;
    else if (kind === 'out') counts.outOfCounty++;
    else if (kind === 'rejected') counts.rejected++;
    else if (kind === 'resent') counts.resent++;
    else if (kind === 'cancelled') counts.cancelled++;
    else if (kind === 'down') counts.down++;
  }
  let events = 0;
  let deadlineCount = 0;
  let careTasks = 0;
  const reserved = new Map<string, number>();
  let maxNumber = 0;
  await db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    const [first] = await queryRows<{ n: string | number }>(tx, sql`select nextval('referral_number_seq') as n`);
    const base = Number(first!.n);
    const order = [
      ...all.map((h) => ({ at: h.created, key: h.key, h: h as Hist | null })),
      ...openCreations.map((o) => ({ at: o.at, key: `open:${o.key}`, h: null })),
    ].sort((x, y) => x.at - y.at || x.key.localeCompare(y.key));
    order.forEach((o, i) => {
      if (o.h) o.h.number = `${shanghaiDate(new Date(o.h.created)).replaceAll('-', '')}-${String(base + i).padStart(6, '0')}`;
      else reserved.set(o.key.slice('open:'.length), base + i);
    });
    maxNumber = base + order.length - 1;
    await tx.execute(sql`select setval('referral_number_seq', ${maxNumber})`);

    const refRows: unknown[][] = [];
    const eventRows: unknown[][] = [];
    const deadlineRows: unknown[][] = [];
    const escalationRows: unknown[][] = [];
    const planRows: unknown[][] = [];
    const taskRows: unknown[][] = [];
    for (const h of all) {
      const st = statusOf(h);
      const phone = h.patient.phone;
      const alliance = sharedAlliance(w, h.origin, h.dest, shanghaiDate(new Date(h.created)));
      refRows.push([
        h.id, h.number, h.direction, st.status, st.sub, h.urgency, h.patient.id, h.origin, h.originDept, h.requester.userId, h.requester.name,
        h.dest, h.destDept, alliance, COUNTY, h.code, h.name, pgTextArray(h.secondary), h.reason, h.summary, h.treatment,
        JSON.stringify(h.meds), JSON.stringify(h.results), h.consentBy, h.consentMethod, iso(h.consentAt), h.downKind, h.inOwnCatalogueNote,
        h.direction === 'up' ? h.dest : null, h.rejectionReason, h.cancelReason, h.previous?.id ?? null, h.returnedSummary, phone,
        iso(atOf(h, 'submit')), iso(atOf(h, 'accept')), iso(atOf(h, 'arrive')), iso(atOf(h, 'admit')), iso(atOf(h, 'discharge')), iso(atOf(h, 'complete')),
        1 + h.moves.length, iso(h.created), iso(lastAt(h)),
      ]);
      const { deadlines: ds, fired } = mirrorDeadlines(w, h, ns);
      const timeline: { at: number; order: number; row: unknown[] }[] = [];
      let order = 0;
      const createReason = h.previous ? `改投：原转诊单 ${h.previous.number} 被拒收（${h.previous.rejectionReason ?? ''}）` : null;
      const createDetail = h.previous ? { previousReferralId: h.previous.id } : h.fromReferral ? { fromReferralId: h.fromReferral.id } : h.direction === 'up' ? { recommended: h.dest, inOwnCatalogue: h.inOwnCatalogueNote !== null } : null;
      timeline.push({ at: h.created, order: order++, row: ['create-draft', null, 'draft', null, null, h.requester, createReason, createDetail] });
      let prev: { status: ReferralStatus; sub: ReferralSubState | null } = { status: 'draft', sub: null };
      const items: { at: number; kind: 'move' | 'extra' | 'fired'; i: number }[] = [
        ...h.moves.map((m, i) => ({ at: m.at, kind: 'move' as const, i })),
        ...h.extra.map((e, i) => ({ at: e.at, kind: 'extra' as const, i })),
        ...fired.map((f, i) => ({ at: f.at, kind: 'fired' as const, i })),
      ];
      // Same instant: a task-done before the transition it causes; a fired level before the move that ends the step.
      const rank = { fired: 0, extra: 1, move: 2 };
      items.sort((x, y) => x.at - y.at || rank[x.kind] - rank[y.kind] || x.i - y.i);
      for (const it of items) {
        if (it.kind === 'move') {
          const m = h.moves[it.i]!;
          timeline.push({ at: m.at, order: order++, row: [m.action, prev.status, m.to.status, prev.sub, m.to.sub, m.by, m.reason ?? null, m.detail ?? null] });
          prev = m.to;
        } else if (it.kind === 'extra') {
          const e = h.extra[it.i]!;
          timeline.push({ at: e.at, order: order++, row: [e.action, null, null, null, null, e.by, e.reason, e.detail] });
        } else {
          const f = fired[it.i]!;
          timeline.push({
            at: f.at, order: order++,
            row: [f.level === 0 ? 'overdue' : 'escalated', null, null, null, null, { userId: null, name: '系统' }, f.level === 0 ? `「${f.d.step}」超时` : `逐级上报：${RUNG_LABEL[f.rung] ?? f.rung}`, { step: f.d.step, level: f.level, rung: f.rung }],
          });
        }
      }
      timeline.forEach((t, k) => {
        const [action, fromStatus, toStatus, fromSub, toSub, by, reason, detail] = t.row as [string, string | null, string | null, string | null, string | null, Person, string | null, unknown];
        eventRows.push([nameBasedId(ns, `event:${h.key}:${k}`), h.id, iso(t.at), action, fromStatus, toStatus, fromSub, toSub, by.userId, by.name, reason, detail == null ? null : JSON.stringify(detail)]);
      });
      for (const d of ds) {
        deadlineRows.push([
          d.id, 'referral', d.referralId, d.step, d.urgency, d.organizationId, d.policy.id, JSON.stringify(d.policy.ladder), d.state, iso(d.startedAt), iso(d.dueAt),
          iso(d.overdueAt), d.level, d.state === 'met' ? iso(d.endAt) : null, 2 + d.level + (d.overdueAt ? 1 : 0),
        ]);
      }
      for (const f of fired) escalationRows.push([nameBasedId(ns, `escalation:${f.d.id}:${f.level}`), f.d.id, f.level, f.rung, iso(f.at), '{}']);
      if (h.plan) {
        planRows.push([h.id, h.plan.summary, JSON.stringify(h.plan.meds), h.plan.rehab, pgTextArray(h.plan.warning), iso(h.created)]);
        h.plan.tasks.forEach((t, k) => {
          taskRows.push([nameBasedId(ns, `task:${h.key}:${k}`), h.id, t.kind, t.title, shanghaiDate(new Date(t.dueMs)), h.dest, 'done', t.outcome, iso(t.doneAt), t.by]);
        });
      }
    }
    phasesMs.generate = Math.round(performance.now() - phase) - phasesMs.sample;
    await bulkInsert(tx, 'referrals', [
      ['id', 'text'], ['number', 'text'], ['direction', 'text'], ['status', 'text'], ['sub_state', 'text'], ['urgency', 'text'], ['patient_id', 'text'],
      ['origin_organization_id', 'text'], ['origin_department_id', 'text'], ['requester_user_id', 'text'], ['requester_name', 'text'],
      ['destination_organization_id', 'text'], ['destination_department_id', 'text'], ['alliance_id', 'text'], ['county_code', 'text'],
      ['diagnosis_code', 'text'], ['diagnosis_name', 'text'], ['secondary_diagnoses', 'text[]'], ['reason', 'text'], ['clinical_summary', 'text'],
      ['treatment_given', 'text'], ['medications', 'jsonb'], ['attached_results', 'jsonb'], ['consent_by', 'text'], ['consent_method', 'text'],
      ['consent_at', 'timestamptz'], ['down_kind', 'text'], ['in_own_catalogue_note', 'text'], ['recommended_organization_id', 'text'],
      ['rejection_reason', 'text'], ['cancel_reason', 'text'], ['previous_referral_id', 'text'], ['returned_summary', 'text'], ['contact_phone', 'text'],
      ['requested_at', 'timestamptz'], ['accepted_at', 'timestamptz'], ['arrived_at', 'timestamptz'], ['admitted_at', 'timestamptz'],
      ['discharged_at', 'timestamptz'], ['completed_at', 'timestamptz'], ['version', 'int'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'],
    ], refRows, 2000);
    await bulkInsert(tx, 'referral_events', [
      ['id', 'text'], ['referral_id', 'text'], ['at', 'timestamptz'], ['action', 'text'], ['from_status', 'text'], ['to_status', 'text'],
      ['from_sub_state', 'text'], ['to_sub_state', 'text'], ['actor_user_id', 'text'], ['actor_name', 'text'], ['reason', 'text'], ['detail', 'jsonb'],
    ], eventRows, 10_000);
    await bulkInsert(tx, 'deadlines', [
      ['id', 'text'], ['subject_type', 'text'], ['subject_id', 'text'], ['step', 'text'], ['urgency', 'text'], ['organization_id', 'text'],
      ['policy_id', 'text'], ['ladder', 'jsonb'], ['state', 'text'], ['started_at', 'timestamptz'], ['due_at', 'timestamptz'],
      ['overdue_at', 'timestamptz'], ['escalation_level', 'int'], ['met_at', 'timestamptz'], ['version', 'int'],
    ], deadlineRows, 10_000);
    await bulkInsert(tx, 'deadline_escalations', [
      ['id', 'text'], ['deadline_id', 'text'], ['level', 'int'], ['rung', 'text'], ['fired_at', 'timestamptz'], ['recipient_user_ids', 'text[]'],
    ], escalationRows);
    await bulkInsert(tx, 'care_plans', [
      ['referral_id', 'text'], ['diagnosis_summary', 'text'], ['medications', 'jsonb'], ['rehabilitation_advice', 'text'], ['warning_signs', 'text[]'], ['created_at', 'timestamptz'],
    ], planRows);
    await bulkInsert(tx, 'care_plan_tasks', [
      ['id', 'text'], ['referral_id', 'text'], ['kind', 'text'], ['title', 'text'], ['due_date', 'date'], ['organization_id', 'text'], ['status', 'text'],
      ['outcome', 'text'], ['completed_at', 'timestamptz'], ['completed_by', 'text'],
    ], taskRows);
    events = eventRows.length;
    deadlineCount = deadlineRows.length;
    careTasks = taskRows.length;
  });
  await db.execute(sql`analyze referrals, referral_events, deadlines`);
  phasesMs.insert = Math.round(performance.now() - phase) - phasesMs.sample - phasesMs.generate;
  return { summary: { ...counts, total: all.length, events, deadlines: deadlineCount, careTasks, phasesMs }, reserved, maxNumber };
}

// ---------------------------------------------------------------------------------------------------------------
// Open referrals, through the service

type Who = 'vd' | 'td' | 'g1' | 'g2' | 'g3' | 'g4' | 'cs';
type Step =
  | readonly ['draft' | 'submit' | 'accept' | 'book-slot' | 'book-bed' | 'arrive' | 'admit' | 'discharge' | 'complete', number]
  | readonly ['hold', number, HoldReason, string]
  | readonly ['reject', number, string];
interface UpStory {
  from: Who;
  to: Dest;
  code: string;
  /** Alternatives when no patient of the origin fits the first condition (a tiny demo). */
  alt?: readonly string[];
  urgency: Urgency;
  steps: readonly Step[];
  /** The patient of an earlier story (out-of-county referrals by the county hospital). */
  patientOf?: number;
  down?: { to: 'vd' | 'td'; steps: readonly (readonly ['create' | 'accept' | 'task', number])[] };
}

const d = (days: number, hours = 0): number => days * 24 + hours;

/** ~55 open referrals: every state, the demo accounts' worklists, overdue and no-capacity cases. Hours before now. */
const STORIES: readonly UpStory[] = [
  // 上街村卫生室 (village.doctor) → 长汀县总医院
  { from: 'vd', to: 'county', code: 'I10', urgency: 'routine', steps: [['draft', 1.5]] },
  { from: 'vd', to: 'county', code: 'E11.9', alt: ['I10', 'R07.4'], urgency: 'routine', steps: [['draft', 20]] },
  { from: 'vd', to: 'county', code: 'I48', alt: ['R07.4'], urgency: 'routine', steps: [['submit', 30]] },
  { from: 'vd', to: 'county', code: 'I20.0', alt: ['R07.4'], urgency: 'urgent', steps: [['submit', 3.5]] },
  { from: 'vd', to: 'county', code: 'H25.9', alt: ['N20.1', 'J35.0'], urgency: 'routine', steps: [['submit', 2]] },
  { from: 'vd', to: 'county', code: 'K80.0', alt: ['N20.1', 'J35.0'], urgency: 'routine', steps: [['submit', 20], ['accept', 18]] },
  { from: 'vd', to: 'county', code: 'N20.1', alt: ['J35.0', 'R50.9'], urgency: 'routine', steps: [['submit', 70], ['accept', 62]] },
  { from: 'vd', to: 'county', code: 'I10', alt: ['R07.4', 'R50.9'], urgency: 'routine', steps: [['submit', 28], ['accept', 26], ['book-slot', 25]] },
  { from: 'vd', to: 'county', code: 'R07.4', alt: ['J18.9', 'J18.0'], urgency: 'routine', steps: [['submit', 8], ['accept', 7], ['book-slot', 6]] },
  { from: 'vd', to: 'county', code: 'S52.5', alt: ['S06.0'], urgency: 'urgent', steps: [['submit', 6], ['accept', 5.5], ['arrive', 4]] },
  { from: 'vd', to: 'county', code: 'I63.9', alt: ['S06.0', 'K35.8'], urgency: 'emergency', steps: [['submit', 50], ['accept', 49.8], ['book-bed', 49.6], ['admit', 48.5]] },
  { from: 'vd', to: 'county', code: 'J44.1', alt: ['J18.9', 'J18.0'], urgency: 'urgent', steps: [['submit', d(10)], ['accept', d(10) - 1], ['book-bed', d(10) - 1.5], ['admit', d(10) - 4], ['discharge', 80]] },
  { from: 'vd', to: 'county', code: 'K40.9', alt: ['K80.0', 'J35.0', 'N20.1'], urgency: 'routine', steps: [['submit', 40], ['accept', 38], ['hold', 30, 'patient-deciding', '患者家属需商量手术事宜，暂缓预约']] },
  { from: 'vd', to: 'county', code: 'R50.9', alt: ['J18.0'], urgency: 'routine', steps: [['submit', 26], ['reject', 22, '经电话评估，建议先在河田镇中心卫生院完善血常规、胸片等检查，必要时再转诊']] },
  {
    from: 'vd', to: 'county', code: 'I63.9', alt: ['J18.9', 'K35.8', 'J18.0'], urgency: 'urgent',
    steps: [['submit', d(16)], ['accept', d(16) - 1], ['book-bed', d(16) - 2], ['admit', d(16) - 5], ['discharge', d(4)], ['complete', d(3, 14)]],
    down: { to: 'vd', steps: [['create', d(3, 12)], ['accept', d(3)]] },
  },
  {
    from: 'vd', to: 'county', code: 'J18.9', alt: ['J18.0', 'K35.8'], urgency: 'urgent',
    steps: [['submit', d(12)], ['accept', d(12) - 1], ['book-bed', d(12) - 2], ['admit', d(12) - 4], ['discharge', d(5, 2)], ['complete', d(5)]],
    down: { to: 'vd', steps: [['create', d(5) - 1], ['accept', d(4, 12)], ['task', d(2)]] },
  },
  {
    from: 'vd', to: 'county', code: 'I50.9', alt: ['J18.9', 'K35.8', 'J18.0'], urgency: 'urgent',
    steps: [['submit', d(9)], ['accept', d(9) - 1], ['book-bed', d(9) - 2], ['admit', d(9) - 4], ['discharge', 34], ['complete', 32]],
    down: { to: 'vd', steps: [['create', 30]] },
  },
  {
    from: 'vd', to: 'county', code: 'K35.8', alt: ['S06.0', 'J18.0'], urgency: 'emergency',
    steps: [['submit', d(6)], ['accept', d(6) - 0.2], ['book-bed', d(6) - 0.4], ['admit', d(6) - 1], ['discharge', 6], ['complete', 5]],
    down: { to: 'vd', steps: [['create', 3]] },
  },
  // 长汀县河田镇中心卫生院 (township.doctor)
  { from: 'td', to: 'county', code: 'I61.9', alt: ['I63.9', 'S06.0', 'K35.8'], urgency: 'emergency', steps: [['submit', 0.9]] },
  { from: 'td', to: 'tcm', code: 'M51.2', alt: ['M47.8', 'G51.0'], urgency: 'routine', steps: [['submit', 5]] },
  { from: 'td', to: 'county', code: 'N18', alt: ['E11.2', 'R50.9'], urgency: 'routine', steps: [['submit', 30], ['accept', 28]] },
  { from: 'td', to: 'tcm', code: 'K64.9', alt: ['M47.8', 'G51.0'], urgency: 'routine', steps: [['submit', 10], ['accept', 8]] },
  { from: 'td', to: 'county', code: 'G45.9', alt: ['R07.4', 'J18.9'], urgency: 'urgent', steps: [['submit', 8], ['accept', 7], ['book-slot', 6.5]] },
  { from: 'td', to: 'county', code: 'K35.8', alt: ['S06.0'], urgency: 'emergency', steps: [['submit', 30], ['accept', 29.8], ['book-bed', 29.6], ['admit', 29]] },
  { from: 'td', to: 'county', code: 'J44.1', alt: ['J18.9', 'J18.0'], urgency: 'urgent', steps: [['submit', 96], ['accept', 95], ['book-bed', 94], ['admit', 90]] },
  { from: 'td', to: 'county', code: 'I20.0', alt: ['R07.4', 'J18.9'], urgency: 'urgent', steps: [['submit', d(7)], ['accept', d(7) - 1], ['book-bed', d(7) - 2], ['admit', d(7) - 4], ['discharge', 10]] },
  { from: 'td', to: 'county', code: 'H25.9', alt: ['N20.1', 'J35.0'], urgency: 'routine', steps: [['submit', 50], ['accept', 47], ['hold', 40, 'patient-unavailable', '患者外出务工，预计下周返回后再预约']] },
  { from: 'td', to: 'tcm', code: 'G51.0', alt: ['M47.8'], urgency: 'routine', steps: [['submit', 30], ['reject', 26, '患者伴高热及耳后疱疹，疑 Hunt 综合征，建议转县总医院神经内科进一步诊治']] },
  { from: 'td', to: 'county', code: 'T63.0', alt: ['S52.5', 'S06.0'], urgency: 'emergency', steps: [['submit', 3], ['accept', 2.9], ['arrive', 2]] },
  { from: 'td', to: 'county', code: 'E11.5', alt: ['N40', 'K40.9', 'J35.0'], urgency: 'routine', steps: [['draft', 2]] },
  {
    from: 'td', to: 'county', code: 'S72.0', alt: ['S52.5', 'S82.8', 'K35.8'], urgency: 'urgent',
    steps: [['submit', d(18)], ['accept', d(18) - 1], ['book-bed', d(18) - 2], ['admit', d(18) - 4], ['discharge', d(6, 3)], ['complete', d(6)]],
    down: { to: 'td', steps: [['create', d(6) - 1], ['accept', d(5)]] },
  },
  {
    from: 'td', to: 'county', code: 'K80.0', alt: ['K35.8', 'J18.0'], urgency: 'routine',
    steps: [['submit', d(8)], ['accept', d(8) - 3], ['book-bed', d(8) - 5], ['admit', d(7)], ['discharge', 22], ['complete', 20]],
    down: { to: 'td', steps: [['create', 4]] },
  },
  {
    from: 'td', to: 'county', code: 'I63.9', alt: ['J18.9', 'K35.8', 'J18.0'], urgency: 'emergency',
    steps: [['submit', d(24)], ['accept', d(24) - 0.3], ['book-bed', d(24) - 0.5], ['admit', d(24) - 1], ['discharge', d(10, 3)], ['complete', d(10)]],
    down: { to: 'td', steps: [['create', d(10) - 1], ['accept', d(9)], ['task', d(3)]] },
  },
  // Other township centers of the county community (their doctors have no demo account)
  { from: 'g1', to: 'county', code: 'J18.9', alt: ['J18.0'], urgency: 'urgent', steps: [['submit', 4]] },
  { from: 'g1', to: 'county', code: 'I10', alt: ['R07.4', 'R50.9'], urgency: 'routine', steps: [['submit', 10]] },
  { from: 'g2', to: 'county', code: 'I50.9', alt: ['J18.9', 'J18.0'], urgency: 'urgent', steps: [['submit', 20], ['accept', 19]] },
  { from: 'g2', to: 'county', code: 'S72.0', alt: ['S52.5', 'K35.8'], urgency: 'urgent', steps: [['submit', 12], ['accept', 11], ['book-bed', 10.5]] },
  { from: 'g3', to: 'county', code: 'G45.9', alt: ['R07.4', 'J18.9'], urgency: 'urgent', steps: [['submit', 26], ['accept', 25], ['book-slot', 24]] },
  { from: 'g3', to: 'county', code: 'K56.6', alt: ['K35.8', 'S06.0'], urgency: 'emergency', steps: [['submit', 20], ['accept', 19.8], ['book-bed', 19.6], ['admit', 19]] },
  { from: 'g4', to: 'county', code: 'K92.2', alt: ['K35.8', 'S06.0'], urgency: 'emergency', steps: [['submit', 70], ['accept', 69.8], ['arrive', 69], ['admit', 68]] },
  { from: 'g4', to: 'county', code: 'J44.1', alt: ['J18.9', 'J18.0'], urgency: 'urgent', steps: [['submit', d(9)], ['accept', d(9) - 1], ['book-bed', d(9) - 2], ['admit', d(9) - 4], ['discharge', 30]] },
  { from: 'g1', to: 'county', code: 'S82.8', alt: ['S52.5', 'J35.0'], urgency: 'routine', steps: [['submit', 30], ['accept', 27], ['hold', 20, 'patient-deciding', '患者考虑保守治疗，待与家属商议后决定是否手术']] },
  { from: 'g2', to: 'county', code: 'S82.8', alt: ['S52.5', 'S06.0'], urgency: 'urgent', steps: [['submit', 5], ['accept', 4.8], ['arrive', 3.5]] },
  { from: 'g3', to: 'mch', code: 'O24.4', alt: ['D25.9', 'B08.4', 'J18.0'], urgency: 'routine', steps: [['submit', 15], ['accept', 13]] },
  { from: 'g4', to: 'county', code: 'J35.0', alt: ['N20.1', 'H25.9'], urgency: 'routine', steps: [['submit', 40], ['reject', 36, '扁桃体切除需择期手术，请先在卫生院控制急性炎症，3 周后再转诊']] },
  // The county hospital refers on: out of county (patients it has admitted)
  { from: 'cs', to: 'city', code: 'C34.9', urgency: 'routine', patientOf: 24, steps: [['submit', 20]] },
  { from: 'cs', to: 'regional', code: 'C92.0', urgency: 'urgent', patientOf: 39, steps: [['submit', 60], ['accept', 50]] },
];

async function seedOpen(
  db: Db, w: World, services: ServicesNeeded, seed: number, now: Date, reserved: ReadonlyMap<string, number>, maxNumber: number,
): Promise<DemoReferralSummary['open']> {
  const rng = new Random(seed, 'referral-open');
  const clock = new ManualClock(now);
  const today = shanghaiDate(now);
  const set = (hoursAgo: number) => clock.set(new Date(now.getTime() - Math.round(hoursAgo * HOUR)));
  const ctxOf = (actor: Actor): RequestContext => ({ actor, clock, channel: 'system' });
  const userActor = (username: string): Actor => {
    const u = w.users.get(username);
    if (!u) throw new Error(`demo referrals: demo account ${username} is missing`);
    return { userId: u.id, username: u.username, organizationId: u.organizationId, roles: u.roles };
  };
  const vd = userActor('village.doctor');
  const td = userActor('township.doctor');
  const cs = userActor('county.specialist');
  const desk = userActor('referral.desk');
  const doctorAt = (orgId: string, role: RoleCode): Actor => {
    const name = w.physiciansByOrg.get(orgId)?.[0]?.name ?? '值班医生';
    return { userId: '', username: name, organizationId: orgId, roles: [role] };
  };
  // Four other township centers (central ones first), their doctors acting without demo accounts.
  const others = [...w.orgs.values()]
    .filter((o) => o.tier === 'township-health-center' && o.countyCode === COUNTY && o.id !== td.organizationId)
    .sort((a, b) => Number(b.name.includes('中心')) - Number(a.name.includes('中心')) || a.name.localeCompare(b.name))
    .slice(0, 4);
  const actors: Record<Who, Actor> = {
    vd, td, cs,
    g1: doctorAt(others[0]?.id ?? td.organizationId!, 'township-doctor'),
    g2: doctorAt(others[1]?.id ?? td.organizationId!, 'township-doctor'),
    g3: doctorAt(others[2]?.id ?? td.organizationId!, 'township-doctor'),
    g4: doctorAt(others[3]?.id ?? td.organizationId!, 'township-doctor'),
  };
  const patientsOf = async (orgIds: string[], exclude: string[] = []): Promise<Pat[]> => {
    const rows = await queryRows<{ id: string; name: string; sex: 'male' | 'female'; birth_date: string; managing_organization_id: string; chronic_conditions: string[] | string; phone: string | null }>(db, sql`
      select id, name, sex, birth_date::text as birth_date, managing_organization_id, chronic_conditions, phone from patients
      where managing_organization_id = any(${sql.param(orgIds)}::text[]) and not (managing_organization_id = any(${sql.param(exclude)}::text[]))
      order by id limit 400`);
    return rows.map((r) => toPat(r, today));
  };
  const supervisedBy = (center: string) => [center, ...[...w.orgs.values()].filter((o) => o.supervisorId === center).map((o) => o.id)];
  const pools: Record<Who, Pat[]> = {
    vd: await patientsOf([vd.organizationId!]),
    td: await patientsOf(supervisedBy(td.organizationId!), [vd.organizationId!]),
    g1: await patientsOf(supervisedBy(actors.g1.organizationId!)),
    g2: await patientsOf(supervisedBy(actors.g2.organizationId!)),
    g3: await patientsOf(supervisedBy(actors.g3.organizationId!)),
    g4: await patientsOf(supervisedBy(actors.g4.organizationId!)),
    cs: [],
  };
  const used = new Set<string>();
  const choose = (who: Who, story: UpStory): { p: Pat; cond: UpCondition } | null => {
    const pool = pools[who];
    const conds = [story.code, ...(story.alt ?? [])].flatMap((code) => {
      const list = story.to === 'city' || story.to === 'regional' ? OUT_OF_COUNTY_CONDITIONS : UP_CONDITIONS;
      const exact = list.find((c) => c.code === code && c.to === story.to);
      return exact ? [exact] : list.filter((c) => c.code === code).map((c) => ({ ...c, to: story.to }));
    });
    for (const fresh of [true, false]) {
      for (const cond of conds) {
        const free = (x: Pat) => !fresh || !used.has(x.id);
        const byAge = (x: Pat) => x.age >= cond.age[0] && x.age <= cond.age[1] && (!cond.sex || cond.sex === x.sex);
        const p = pool.find((x) => free(x) && eligible(cond, x)) ?? pool.find((x) => free(x) && byAge(x));
        if (p) return { p, cond };
      }
    }
    const p = pool.find((x) => !used.has(x.id)) ?? pool[0];
    const cond = conds[0];
    return p && cond ? { p, cond } : null;
  };

  const created: { id: string; p: Pat | null; cond: UpCondition | null }[] = [];
  const openIds: string[] = [];
  /**
   * Every step of every story runs in time order (oldest first) on the manual clock, as it would have happened; each
   * referral is created with the sequence number reserved for its creation time (see seedHistory), so numbers rise
   * with creation time across the history and the open referrals.
   */
  interface Job { hoursAgo: number; order: number; run: () => Promise<void> }
  const jobs: Job[] = [];
  const takeNumber = async (key: string) => {
    const n = reserved.get(key);
    if (n !== undefined) await db.execute(sql`select setval('referral_number_seq', ${n}, false)`);
  };
  for (const [index, story] of STORIES.entries()) {
    const state: { id: string; p: Pat | null; cond: UpCondition | null } = { id: '', p: null, cond: null };
    if (story.patientOf === undefined) {
      const pc = choose(story.from, story);
      if (pc) {
        used.add(pc.p.id);
        Object.assign(state, pc);
      }
    }
    created.push(state);
    const dest = destOrg(w, story.to);
    const receiver = (): Actor => (dest.id === w.county.id || dest.id === w.tcm.id || dest.id === w.mch.id ? desk : doctorAt(dest.id, 'county-specialist'));
    const clinician = (): Actor => (dest.id === w.county.id ? cs : doctorAt(dest.id, 'county-specialist'));
    const deptOf = () => (state.cond ? w.depts.get(dest.id)?.get(state.cond.dept) ?? null : null);
    const tr = (a: Actor, input: ReferralTransitionInput) => services.referrals.transition(ctxOf(a), state.id, input);
    const create = async (draft: boolean) => {
      if (story.patientOf !== undefined) {
        const prior = created[story.patientOf];
        const cond = OUT_OF_COUNTY_CONDITIONS.find((c) => c.code === story.code);
        if (prior?.p && prior.id && cond) Object.assign(state, { p: prior.p, cond });
      }
      const { p, cond } = state;
      if (!p || !cond) return;
      const dept = deptOf();
      const consent = consentOf(rng, p, story.urgency);
      const input: UpReferralInput = {
        patientId: p.id, destinationOrganizationId: dest.id, destinationDepartmentId: dept?.id, urgency: story.urgency, diagnosisCode: cond.code,
        diagnosisName: cond.name, secondaryDiagnoses: [...(p.chronic.includes('I10') && cond.code !== 'I10' ? ['I10'] : []), ...(p.chronic.includes('E11') && !cond.code.startsWith('E11') ? ['E11.9'] : [])],
        reason: cond.reason, clinicalSummary: `${personLabel(p.sex, p.age)}。${fillTemplate(rng.pick(cond.signs), rng)}。${chronicHistory(p.chronic, p.age)}`,
        treatmentGiven: cond.treat, medications: [...chronicMedications(p.chronic), ...(cond.meds ?? [])],
        attachedResults: cond.tests.map(([kind, title, summary]) => ({ kind, title, date: shanghaiDate(clock.now()), summary: fillTemplate(summary, rng) })),
        consent: draft ? undefined : { by: consent.by, method: consent.method },
        overrideReason: story.from === 'cs' ? '超出县级诊疗目录，经科室讨论转上级医院' : '患者及家属要求到该院诊治，已充分告知',
        inOwnCatalogueNote: '已在本院按规范处理，病情未见好转，需上级医院进一步诊治',
        submit: !draft,
      };
      await takeNumber(`up:${index}`);
      const ref = await services.referrals.createUp(ctxOf(actors[story.from]), input);
      state.id = ref.id;
      openIds.push(ref.id);
    };
    const stepRun = (step: Step) => async () => {
      if (step[0] === 'draft' || step[0] === 'submit') return create(step[0] === 'draft');
      if (!state.id || !state.p || !state.cond) return;
      const { p, cond } = state;
      const dept = deptOf();
      switch (step[0]) {
        case 'accept': await tr(receiver(), { action: 'accept' }); break;
        case 'reject': await tr(receiver(), { action: 'reject', reason: step[2] }); break;
        case 'hold': await tr(receiver(), { action: 'hold', holdReason: step[2], reason: step[3] }); break;
        case 'arrive': await tr(receiver(), { action: 'arrive' }); break;
        case 'admit': await tr(receiver(), { action: 'admit' }); break;
        case 'discharge': await tr(clinician(), { action: 'discharge' }); break;
        case 'complete': {
          const los = Math.max(1, Math.round(((story.steps.find((s) => s[0] === 'admit')?.[1] ?? 0) - step[1]) / 24));
          await tr(clinician(), {
            action: 'complete',
            summary: `出院小结：${cond.name}（${cond.code}）。${personLabel(p.sex, p.age)}，于${dept?.name ?? ''}住院 ${los} 天。${cond.course}。出院医嘱：${cond.advice}。`,
          });
          break;
        }
        case 'book-slot': {
          const slot = await freeSlot(db, dest.id, dept?.id ?? null, clock.now(), index);
          if (slot) await services.referrals.bookSlot(ctxOf(receiver()), state.id, slot);
          break;
        }
        case 'book-bed': {
          const pool = await bedPool(db, dest.id, dept?.id ?? null);
          if (pool) await services.referrals.bookBed(ctxOf(receiver()), state.id, pool, shanghaiDate(clock.now()));
          else await tr(receiver(), { action: 'arrive' });
          break;
        }
      }
    };
    story.steps.forEach((step, k) => jobs.push({ hoursAgo: step[1], order: index * 100 + k, run: stepRun(step) }));
    if (story.down) {
      const spec = story.down;
      const down = { id: '' };
      spec.steps.forEach(([action, hoursAgo], k) => jobs.push({
        hoursAgo, order: index * 100 + 50 + k,
        run: async () => {
          if (!state.id || !state.p || !state.cond) return;
          const p = state.p;
          const upCond = state.cond;
          const cond = DOWN_CONDITIONS.find((c) => c.after.includes(upCond.code)) ?? DOWN_CONDITIONS.find((c) => c.code === 'Z54.0')!;
          const receiverActor = spec.to === 'vd' ? vd : td;
          if (action === 'create') {
            const day = shanghaiDate(clock.now());
            const consent = consentOf(rng, p, 'routine');
            await takeNumber(`down:${index}`);
            const dto = await services.referrals.createDown(ctxOf(cs), {
              patientId: p.id, destinationOrganizationId: receiverActor.organizationId!, kind: cond.kind, urgency: 'routine', diagnosisCode: cond.code,
              diagnosisName: cond.name, reason: cond.reason, clinicalSummary: `${personLabel(p.sex, p.age)}。${cond.summary}。${chronicHistory(p.chronic, p.age)}`,
              treatmentGiven: cond.treat, consent: { by: consent.by, method: consent.method }, fromReferralId: state.id,
              plan: {
                diagnosisSummary: `${cond.summary}。${cond.treat}。`, medications: [...cond.meds], rehabilitationAdvice: cond.rehab, warningSigns: [...cond.warning],
                tasks: cond.tasks.map(([kind, title, days]) => ({ kind, title, dueDate: addDays(day, days) })),
              },
            });
            down.id = dto.id;
            openIds.push(dto.id);
          } else if (!down.id) {
            return;
          } else if (action === 'accept') {
            await services.referrals.transition(ctxOf(receiverActor), down.id, { action: 'accept' });
          } else {
            const dto = await services.referrals.get(ctxOf(receiverActor), down.id);
            const task = dto.carePlan?.tasks.find((t) => t.status === 'open');
            if (task) await services.referrals.completeCareTask(ctxOf(receiverActor), task.id, cond.outcomes[0] ?? '已随访，病情稳定');
          }
        },
      }));
    }
  }
  jobs.sort((a, b) => b.hoursAgo - a.hoursAgo || a.order - b.order);
  try {
    for (const job of jobs) {
      set(job.hoursAgo);
      await job.run();
    }
  } finally {
    // The sequence continues after the highest number handed out (history and open alike) — also after a failure.
    if (maxNumber > 0) await db.execute(sql`select setval('referral_number_seq', greatest((select last_value from referral_number_seq), ${maxNumber}))`);
  }

  const run = await services.deadlines.runDue(now);
  const byStatus: Record<string, number> = {};
  const rows = await queryRows<{ status: string; n: string | number }>(db, sql`
    select status, count(*) as n from referrals where id = any(${sql.param(openIds)}::text[]) group by status order by status`);
  let total = 0;
  for (const r of rows) {
    byStatus[r.status] = Number(r.n);
    total += Number(r.n);
  }
  return { referrals: total, byStatus, overdue: run.deadlines, escalated: run.fired - run.deadlines };
}

/** A free slot of the destination (and department) the referral may take, starting at least 18 h after `at`. */
async function freeSlot(db: Db, organizationId: string, departmentId: string | null, at: Date, index: number): Promise<string | null> {
  const from = new Date(at.getTime() + 18 * HOUR).toISOString();
  const rows = await queryRows<{ id: string }>(db, sql`
    select id from slots where organization_id = ${organizationId} and status = 'free' and start > ${from}::timestamptz
      ${departmentId ? sql`and department_id = ${departmentId}` : sql``}
    order by reserved desc, start, id limit 12`);
  return rows[index % Math.max(1, rows.length)]?.id ?? null;
}

async function bedPool(db: Db, organizationId: string, departmentId: string | null): Promise<string | null> {
  if (!departmentId) return null;
  const [row] = await queryRows<{ id: string }>(db, sql`select id from bed_pools where organization_id = ${organizationId} and department_id = ${departmentId} order by id limit 1`);
  return row?.id ?? null;
}

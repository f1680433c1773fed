import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import { queryRows, type Db } from '../client.js';
import { userRoles, users } from '../schema/index.js';
import type { LadderStep } from '../schema/deadline.js';
import type { EscalationRung, FacilityTier, RoleCode, Urgency } from '../../contracts/codes.js';
import type { CenterType, DiagnosisStatus, Modality } from '../../contracts/diagnosis.js';
import type { ConsultationAction, ConsultationKind, ConsultationStatus, ConsentSigner, ExpertRole } from '../../contracts/diagnosis-consultation.js';
import type { Services } from '../../http/deps.js';
import {
  CONSULTATION_RESPOND_STEP, CRITICAL_ACK_STEP, consultationKindLabels, decideConsultation, reportStepOf, requestNumber, requestStatusOf, shiftProblem,
  type ConsultationParty,
} from '../../modules/diagnosis/index.js';
import { formatEcgJson, generateSyntheticEcg, generateSyntheticStudy, type SyntheticEcgPattern } from '../../modules/diagnosis/media/index.js';
import { hashPassword } from '../../modules/identity/index.js';
import { addDays, shanghaiDayStart } from '../../modules/referral/index.js';
import { ManualClock, shanghaiDate } from '../../shared/clock.js';
import type { Actor, RequestContext } from '../../shared/context.js';
import { nameBasedId } from '../../shared/ids.js';
import { DEMO_PASSWORD } from './demo-county.js';
import { allocateOverDays, historyDayWeights } from './demo-referrals.js';
import {
  AMEND_REASONS, CANCEL_REASONS, CONSULTATION_CANCEL_REASONS, CONSULTATION_CASES, CONSULTATION_DECLINE_REASONS, CONSULTATION_HISTORY_CANCEL_REASONS,
  CONSULTATION_HISTORY_CASES, CONSULTATION_HISTORY_DECLINE_REASONS, CONSULTATION_VIDEO_ROOMS, EXAM_ITEMS,
  QC_RETURN_REASONS, READ_BACK_RECEIVERS, TEMPLATES, urgencyOf,
  type ConsultationCase, type ConsultationCaseKey, type ConsultationHistoryCase, type CriticalText, type ExamItem, type Origin, type ReportText,
} from './demo-diagnosis-content.js';
import { Random, WeightedTable } from './random.js';

/**
 * The demo county's shared diagnosis centers (资源共享中心, domain.md §3): the centers with their teams, a roster around
 * the seed date, report templates, a year of completed requests and a live queue.
 *
 * ## What is created, and how
 * - **Centers** through `DiagnosisService` (createCenter, addReader, setCenterDeadline, addTemplate), acting as the
 *   system administrator, so the service's rules apply: 影像诊断中心, 心电诊断中心, 检验中心 and 远程会诊中心 at
 *   长汀县总医院 serving its county community (医共体); 病理诊断中心 at the city hospital 龙岩市第一医院 — the county
 *   hospital's own pathology department is one doctor, the city hospital reads for the county — serving the listed
 *   county hospitals and township centers.
 * - **Teams** from the demo practitioners of the right departments (医学影像科, 超声医学科, 心电图室, 心血管内科, 检验科,
 *   病理科, clinical departments for consultations), each with a login account; a few have the demo password
 *   (`DEMO_CENTER_ACCOUNTS`, docs/demo-data.md), the others a random one nobody knows.
 * - **Roster** (排班) from 30 days before the seed date to 60 days after: day 08:00–17:30, evening 17:30–23:00, night
 *   23:00–08:00 China Standard Time, the roster day being the day a shift starts; one duty head (值班组长, the most
 *   senior on the shift) per shift; teams rotate by one position a day. Bulk-inserted (≈2,400 shifts: the service
 *   would take minutes) after the same checks the service makes — `shiftProblem` and no overlapping shifts of a reader.
 * - **History**: a year of requests (`demoDiagnosisVolumes`), bulk-inserted in one transaction with their timeline,
 *   reports and report versions, deadline rows (met / overdue / cancelled, with the escalations the worker would have
 *   fired), critical values with read-back acknowledgements and their callback log. Assignment, claims and sign-offs
 *   follow the same roster. The consultation center's year is in the same load (`demoConsultationVolume`): requests of
 *   kind `consultation` with their consent, experts, schedule, opinions, decision, timeline and response deadline,
 *   each move checked against the lifecycle table (`decideConsultation`).
 * - **Live queue** (~27 requests) through the service with a manual clock set in the past, acting as the demo accounts
 *   and as doctors of other township centers; DICOM studies and ECGs from the project's own generators are uploaded
 *   through `addAttachment`; then the deadline worker runs once (`runDue(now)`), marking the late ones overdue.
 * - **Teleconsultations** (11, `CONSULTATION_STORIES`) through `ConsultationService` the same way — written consent,
 *   experts of the pool invited by the duty head, sessions with a video room, opinions, the inviting doctor's
 *   decision — in every state; then another worker tick escalates the emergency one left unanswered.
 *
 * Deterministic for the seed (ids are name-based; the clock is the `now` given). Does nothing when a center exists.
 */

const COUNTY = '350821';
const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

export type ReadCenterType = Exclude<CenterType, 'consultation'>;
const readTypes: readonly ReadCenterType[] = ['imaging', 'ecg', 'lab', 'pathology'];

/**
 * Rates per 100 residents a year, and turnaround behaviour. domain.md §3 gives the turnaround targets but no volumes;
 * these are our choice for the remote part of the work (what the member facilities cannot read themselves):
 * - imaging 1.6 per 100 (6,240 a year for 390,000 residents, ≈1.1 studies a day from each township center);
 * - ECG 1.1 per 100 (4,290; village clinics included — ECG devices in every village is a 2024 indicator);
 * - lab 0.5 per 100 (1,950 panels sent by cold chain to the county lab and released remotely);
 * - pathology 0.1 per 100 (390 specimens, mostly from 县总医院's operating theatre and the central township centers).
 * The rates are kept at the low end of what county centers report so the history loads within ~10 s on PGlite.
 */
export const DEMO_DIAGNOSIS_CALIBRATION = {
  perHundred: { imaging: 1.6, ecg: 1.1, lab: 0.5, pathology: 0.1 } satisfies Record<ReadCenterType, number>,
  historyDays: 365,
  rosterDaysBefore: 30,
  rosterDaysAfter: 60,
  /**
   * Turnaround of the report, minutes: on time a log-normal around `median` (σ 0.55) kept between `min` and 97 % of
   * the limit; late (1 − `onTime`) between 103 % and 183 % of the limit.
   */
  turnaround: {
    imaging: { emergency: { median: 16, min: 5, onTime: 0.93 }, urgent: { median: 45, min: 10, onTime: 0.95 }, routine: { median: 95, min: 15, onTime: 0.96 } },
    ecg: { emergency: { median: 10, min: 3, onTime: 0.95 }, urgent: { median: 20, min: 4, onTime: 0.96 }, routine: { median: 40, min: 5, onTime: 0.97 } },
    lab: { emergency: { median: 35, min: 15, onTime: 0.92 }, urgent: { median: 70, min: 25, onTime: 0.94 }, routine: { median: 300, min: 60, onTime: 0.96 } },
    pathology: { emergency: { median: 22, min: 12, onTime: 0.9 }, urgent: { median: 600, min: 180, onTime: 0.9 }, routine: { median: 720, min: 240, onTime: 0.88 } },
  } satisfies Record<ReadCenterType, Record<Urgency, { median: number; min: number; onTime: number }>>,
  /** Returned for a retake (image QC, haemolysed specimen …) and then read. */
  qcReturnShare: { imaging: 0.015, ecg: 0.005, lab: 0.01, pathology: 0.005 } satisfies Record<ReadCenterType, number>,
  cancelShare: 0.008,
  /** Of completed requests. */
  amendShare: 0.006,
  /** Of completed requests with a critical finding (危急值). */
  criticalShare: { imaging: 0.008, ecg: 0.012, lab: 0.02, pathology: 0.004 } satisfies Record<ReadCenterType, number>,
  /** Critical values acknowledged within the 15-minute limit. */
  criticalAckOnTime: 0.94,
  /** Center turnaround overrides (setCenterDeadline), minutes: "加急" between emergency and the same day; frozen sections 30 min. */
  overrides: [
    { center: 'imaging', urgency: 'urgent', minutes: 120 },
    { center: 'ecg', urgency: 'urgent', minutes: 60 },
    { center: 'pathology', urgency: 'emergency', minutes: 30 },
  ] as const satisfies readonly { center: ReadCenterType; urgency: Urgency; minutes: number }[],
  /**
   * Teleconsultations of the year (远程会诊中心): 0.08 per 100 residents (312 for 390,000). Our assumption: a county
   * consultation center answers a few hundred remote consultations a year — roughly one per working day plus the
   * emergencies — far fewer than remote readings, since a consultation takes two experts and a session.
   * Kinds: emergency 25 %, inpatient 40 %, outpatient 35 %; non-emergency ones marked urgent 25 %. The response (the
   * center schedules, or declines) on time a log-normal around `respondMedian` minutes, kept under 95 % of the limit;
   * late (`1 − onTime`) between 103 % and 163 % of it. A few are declined by the center or withdrawn by the requester.
   */
  consultation: {
    perHundred: 0.08,
    kindWeights: { emergency: 25, inpatient: 40, outpatient: 35 } satisfies Record<ConsultationKind, number>,
    urgentShare: 0.25,
    respondMedian: { emergency: 18, urgent: 30, routine: 100 } satisfies Record<Urgency, number>,
    onTime: 0.95,
    declineShare: 0.04,
    cancelShare: 0.03,
  },
} as const;

/** Teleconsultations of the history for a number of residents (linear, exact). */
export function demoConsultationVolume(residents: number): number {
  return Math.round((Math.max(0, residents) * DEMO_DIAGNOSIS_CALIBRATION.consultation.perHundred) / 100);
}

export type DemoDiagnosisVolumes = Record<ReadCenterType, number> & { total: number };

/** History volumes for a number of residents (linear, exact). */
export function demoDiagnosisVolumes(residents: number): DemoDiagnosisVolumes {
  const r = Math.max(0, residents);
  const p = DEMO_DIAGNOSIS_CALIBRATION.perHundred;
  const v = { imaging: Math.round((r * p.imaging) / 100), ecg: Math.round((r * p.ecg) / 100), lab: Math.round((r * p.lab) / 100), pathology: Math.round((r * p.pathology) / 100) };
  return { ...v, total: v.imaging + v.ecg + v.lab + v.pathology };
}

/** Accounts with the demo password (besides center.reader and county.specialist of demo-county.ts). */
export const DEMO_CENTER_ACCOUNTS = [
  { username: 'imaging.head', center: '影像诊断中心', what: '影像诊断中心主任（医学影像科），读全部影像，常任值班组长' },
  { username: 'ultrasound.reader', center: '影像诊断中心', what: '超声医师（超声医学科），读 US' },
  { username: 'ecg.head', center: '心电诊断中心', what: '心电诊断中心组长（心电图室）' },
  { username: 'ecg.reader', center: '心电诊断中心', what: '心电诊断医师（心电图室）' },
  { username: 'lab.reader', center: '检验中心', what: '检验中心审核医师（检验科）' },
  { username: 'pathology.head', center: '病理诊断中心（龙岩市第一医院）', what: '病理科主任医师' },
  { username: 'pathology.reader', center: '病理诊断中心（龙岩市第一医院）', what: '病理诊断医师' },
] as const;

export interface DemoDiagnosisOptions {
  seed: number;
  /** The instant the demo is seeded at (history ends before it; the live queue is placed before it). Default: now. */
  now?: Date;
  residents: number;
  log?: Pick<Logger, 'info'>;
}

export interface DemoDiagnosisSummary {
  skipped: boolean;
  centers: number;
  readers: number;
  accounts: number;
  templates: number;
  shifts: number;
  history: DemoDiagnosisVolumes & {
    completed: number; cancelled: number; late: number; returned: number; amended: number; critical: number; criticalLate: number;
    events: number; deadlines: number; reportVersions: number; phasesMs: { sample: number; generate: number; insert: number };
    /** The consultation center's year (bulk-inserted with the rest of the history; not in `total`, `completed`, `late` …). */
    consultation: { requests: number; byStatus: Record<string, number>; late: number; experts: number; opinions: number; events: number };
  };
  live: { requests: number; byStatus: Record<string, number>; attachments: number; overdue: number; escalated: number; failed: string[] };
  /** Teleconsultations through ConsultationService; `overdue`/`escalated` are what the worker's tick after them fired. */
  consultations: { requests: number; byStatus: Record<string, number>; overdue: number; escalated: number; failed: string[] };
  ms: { setup: number; roster: number; history: number; live: number; consultations: number; total: number };
}

type ServicesNeeded = Pick<Services, 'diagnosis' | 'consultations' | 'deadlines' | 'audit'>;
type CenterKey = ReadCenterType | 'consultation';

// ---------------------------------------------------------------------------------------------------------------
// The demo county as seeded

interface Org { id: string; name: string; tier: FacilityTier; supervisorId: string | null; isCentral: boolean }
interface Prac { id: string; name: string; title: string; profession: string; deptCode: string | null }
interface Pat { id: string; name: string; sex: 'male' | 'female'; birthDate: string; age: number; managing: string; residence: string | null }
interface DemoUser { id: string; username: string; displayName: string; organizationId: string | null; practitionerId: string | null; roles: RoleCode[] }
interface Policy { id: string; minutes: number; ladder: LadderStep[] }

interface World {
  orgs: Map<string, Org>;
  county: Org; tcm: Org; mch: Org; city: Org;
  townships: Org[];
  pracs: Map<string, Prac[]>;
  users: Map<string, DemoUser>;
  userByPractitioner: Map<string, DemoUser>;
}

async function loadWorld(db: Db): Promise<World> {
  const orgRows = await queryRows<{ id: string; name: string; tier: FacilityTier; supervisor_id: string | null; is_central: boolean }>(db, sql`
    select id, name, tier, supervisor_id, is_central from organizations`);
  const orgs = new Map(orgRows.map((o) => [o.id, { id: o.id, name: o.name, tier: o.tier, supervisorId: o.supervisor_id, isCentral: o.is_central }]));
  const byName = new Map([...orgs.values()].map((o) => [o.name, o]));
  const need = (name: string): Org => {
    const o = byName.get(name);
    if (!o) throw new Error(`demo diagnosis: ${name} is not seeded (seed the demo county first)`);
    return o;
  };
  const pracRows = await queryRows<{ id: string; name: string; title: string; profession: string; home_organization_id: string; code: string | null }>(db, sql`
    select p.id, p.name, p.title, p.profession, p.home_organization_id, d.code from practitioners p left join departments d on d.id = p.department_id order by p.id`);
  const pracs = new Map<string, Prac[]>();
  for (const p of pracRows) {
    const list = pracs.get(p.home_organization_id) ?? [];
    list.push({ id: p.id, name: p.name, title: p.title, profession: p.profession, deptCode: p.code });
    pracs.set(p.home_organization_id, list);
  }
  const userRows = await queryRows<{ id: string; username: string; display_name: string; organization_id: string | null; practitioner_id: string | null; roles: RoleCode[] | string }>(db, sql`
    select u.id, u.username, u.display_name, u.organization_id, u.practitioner_id, array_agg(r.role order by r.role) as roles
    from users u join user_roles r on r.user_id = u.id
    where u.username in ('village.doctor', 'township.doctor', 'county.specialist', 'center.reader', 'admin')
    group by u.id`);
  const users = new Map<string, DemoUser>();
  for (const u of userRows) {
    const roles = (Array.isArray(u.roles) ? u.roles : String(u.roles).replace(/[{}]/g, '').split(',')) as RoleCode[];
    users.set(u.username, { id: u.id, username: u.username, displayName: u.display_name, organizationId: u.organization_id, practitionerId: u.practitioner_id, roles });
  }
  const county = need('长汀县总医院');
  const townships = [...orgs.values()].filter((o) => o.tier === 'township-health-center' || o.tier === 'community-health-center')
    .sort((a, b) => Number(b.isCentral) - Number(a.isCentral) || a.name.localeCompare(b.name));
  return {
    orgs, county, tcm: need('长汀县中医院'), mch: need('长汀县妇幼保健院'), city: need('龙岩市第一医院'), townships, pracs, users,
    userByPractitioner: new Map([...users.values()].filter((u) => u.practitionerId).map((u) => [u.practitionerId!, u])),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Teams and roster

interface Member {
  userId: string;
  username: string;
  name: string;
  specialties: string[];
  /** Lower = more senior: the most senior on a shift is its duty head. */
  rank: number;
  readerId: string;
}

interface Pool { members: Member[]; day: number; evening: number; night: number }

interface CenterPlan {
  key: CenterKey;
  type: CenterType;
  name: string;
  host: 'county' | 'city';
  requiresSecondSignoff: boolean;
  reportHeader: string;
  phone: string;
}

const CENTER_PLANS: readonly CenterPlan[] = [
  { key: 'imaging', type: 'imaging', name: '影像诊断中心', host: 'county', requiresSecondSignoff: false, reportHeader: '长汀县总医院医共体 影像诊断中心', phone: '0597-6822101' },
  { key: 'ecg', type: 'ecg', name: '心电诊断中心', host: 'county', requiresSecondSignoff: false, reportHeader: '长汀县总医院医共体 心电诊断中心', phone: '0597-6822102' },
  { key: 'lab', type: 'lab', name: '检验中心', host: 'county', requiresSecondSignoff: false, reportHeader: '长汀县总医院医共体 临床检验中心', phone: '0597-6822103' },
  { key: 'consultation', type: 'consultation', name: '远程会诊中心', host: 'county', requiresSecondSignoff: false, reportHeader: '长汀县总医院医共体 远程会诊中心', phone: '0597-6822105' },
  { key: 'pathology', type: 'pathology', name: '病理诊断中心', host: 'city', requiresSecondSignoff: true, reportHeader: '龙岩市第一医院 病理诊断中心（服务长汀县总医院医共体）', phone: '0597-2231104' },
];

/** One member wanted in a team: a new account (username) or an existing demo account, from a department of the host. */
interface MemberSpec { username: string; existing?: boolean; depts: readonly string[]; senior?: boolean; specialties: readonly string[]; documented?: boolean }

const TEAM_SPECS: Record<CenterKey, { pools: { specs: MemberSpec[]; day: number; evening: number; night: number }[] }> = {
  imaging: {
    pools: [
      {
        specs: [
          { username: 'imaging.head', depts: ['YXYXK'], senior: true, specialties: [], documented: true },
          { username: 'center.reader', existing: true, depts: ['YXYXK'], specialties: ['DR', 'CT', 'MR'] },
          ...[3, 4, 5, 6, 7, 8, 9].map((i) => ({ username: `imaging.r${i}`, depts: ['YXYXK'], specialties: i % 2 ? ['DR', 'CT', 'MR'] : ['DR', 'CT'] })),
        ],
        day: 4, evening: 2, night: 1,
      },
      {
        specs: [
          { username: 'ultrasound.reader', depts: ['CSK'], specialties: ['US'], documented: true },
          { username: 'ultrasound.r2', depts: ['CSK'], specialties: ['US'] },
          { username: 'ultrasound.r3', depts: ['CSK'], specialties: ['US'] },
        ],
        day: 1, evening: 1, night: 0,
      },
    ],
  },
  ecg: {
    pools: [{
      specs: [
        { username: 'ecg.head', depts: ['XDTS'], senior: true, specialties: ['ECG-12'], documented: true },
        { username: 'ecg.reader', depts: ['XDTS'], specialties: ['ECG-12'], documented: true },
        { username: 'ecg.r3', depts: ['XDTS'], specialties: ['ECG-12'] },
        { username: 'ecg.r4', depts: ['XNK'], senior: true, specialties: ['ECG-12'] },
        { username: 'ecg.r5', depts: ['XDTS', 'XNK'], specialties: ['ECG-12'] },
      ],
      day: 2, evening: 1, night: 1,
    }],
  },
  lab: {
    pools: [{
      specs: [
        { username: 'lab.reader', depts: ['JYK'], senior: true, specialties: ['LAB-PANEL'], documented: true },
        ...[2, 3, 4, 5].map((i) => ({ username: `lab.r${i}`, depts: ['JYK'], specialties: ['LAB-PANEL'] })),
      ],
      day: 2, evening: 1, night: 1,
    }],
  },
  pathology: {
    pools: [{
      specs: [
        { username: 'pathology.head', depts: ['BLK'], senior: true, specialties: [], documented: true },
        { username: 'pathology.reader', depts: ['BLK'], specialties: ['HISTO', 'CYTO', 'FROZEN'], documented: true },
      ],
      day: 2, evening: 1, night: 1,
    }],
  },
  consultation: {
    pools: [{
      specs: [
        { username: 'county.specialist', existing: true, depts: ['NK'], specialties: ['internal-medicine'] },
        { username: 'consult.cardiology', depts: ['XNK'], senior: true, specialties: ['cardiology'] },
        { username: 'consult.respiratory', depts: ['HXK'], senior: true, specialties: ['respiratory-medicine'] },
        { username: 'consult.neurology', depts: ['SJNK'], senior: true, specialties: ['neurology'] },
        { username: 'consult.surgery', depts: ['WK'], senior: true, specialties: ['general-surgery'] },
        { username: 'consult.orthopaedics', depts: ['GK'], senior: true, specialties: ['orthopaedics'] },
        { username: 'consult.paediatrics', depts: ['EK'], senior: true, specialties: ['paediatrics'] },
      ],
      day: 2, evening: 1, night: 1,
    }],
  },
};

type ShiftKind = 'day' | 'evening' | 'night';
/** Start and end of each shift in minutes after the roster day's 00:00 CST. */
const SHIFT_TIMES: Record<ShiftKind, readonly [number, number]> = { day: [480, 1050], evening: [1050, 1380], night: [1380, 1920] };

interface RosterShift { kind: ShiftKind; day: string; start: number; end: number; members: Member[]; head: Member }

/**
 * Who works when, on roster day `day` (k days after the seed day): each pool rotates by one position a day and fills
 * the day shift, then the evening, then the night (wrapping round when the pool is smaller than the shifts), so on the
 * seed day the first members listed (the demo accounts) are on the day shift. The most senior on a shift heads it.
 */
function rosterOn(pools: readonly Pool[], day: string, k: number): RosterShift[] {
  const out = new Map<ShiftKind, Member[]>([['day', []], ['evening', []], ['night', []]]);
  for (const pool of pools) {
    const n = pool.members.length;
    if (n === 0) continue;
    let i = 0;
    for (const kind of ['day', 'evening', 'night'] as const) {
      for (let c = 0; c < pool[kind]; c++) {
        const m = pool.members[(((i + k) % n) + n) % n]!;
        if (!out.get(kind)!.includes(m)) out.get(kind)!.push(m);
        i++;
      }
    }
  }
  const start = shanghaiDayStart(day).getTime();
  return [...out].filter(([, ms]) => ms.length > 0).map(([kind, ms]) => ({
    kind, day, start: start + SHIFT_TIMES[kind][0] * MIN, end: start + SHIFT_TIMES[kind][1] * MIN, members: ms,
    head: [...ms].sort((a, b) => a.rank - b.rank)[0]!,
  }));
}

// ---------------------------------------------------------------------------------------------------------------

/**
 * Seeds the diagnosis centers of the demo county. Call after seedDemoCounty (and seedDemoReferrals), with the services
 * built. Refuses (returns `skipped`) when any diagnosis center exists, so a restart or a second call changes nothing.
 */
export async function seedDemoDiagnosis(db: Db, services: ServicesNeeded, opts: DemoDiagnosisOptions): Promise<DemoDiagnosisSummary> {
  const started = performance.now();
  const now = opts.now ?? new Date();
  const volumes = demoDiagnosisVolumes(opts.residents);
  const summary: DemoDiagnosisSummary = {
    skipped: true, centers: 0, readers: 0, accounts: 0, templates: 0, shifts: 0,
    history: {
      ...volumes, completed: 0, cancelled: 0, late: 0, returned: 0, amended: 0, critical: 0, criticalLate: 0, events: 0, deadlines: 0, reportVersions: 0, phasesMs: { sample: 0, generate: 0, insert: 0 },
      consultation: { requests: 0, byStatus: {}, late: 0, experts: 0, opinions: 0, events: 0 },
    },
    live: { requests: 0, byStatus: {}, attachments: 0, overdue: 0, escalated: 0, failed: [] },
    consultations: { requests: 0, byStatus: {}, overdue: 0, escalated: 0, failed: [] },
    ms: { setup: 0, roster: 0, history: 0, live: 0, consultations: 0, total: 0 },
  };
  const [existing] = await queryRows<{ one: number }>(db, sql`select 1 as one from diagnosis_centers limit 1`);
  if (existing) return summary;
  summary.skipped = false;
  const ns = `demo-${opts.seed}-diagnosis`;
  const w = await loadWorld(db);

  // ---- accounts, centers, readers, turnaround, templates (through the service)
  const setupStarted = performance.now();
  const adminUser = w.users.get('admin');
  const clock = new ManualClock(now);
  const adminCtx: RequestContext = {
    actor: { userId: adminUser?.id ?? '', username: adminUser?.username ?? 'demo-seed', organizationId: null, roles: ['system-admin'], displayName: '演示数据初始化' },
    clock, channel: 'system',
  };
  const teams = await createTeams(db, w, ns);
  summary.accounts = teams.accounts;
  const centers = new Map<CenterKey, { id: string; organizationId: string; pools: Pool[]; members: Member[] }>();
  const listed = [w.county.id, w.tcm.id, w.mch.id, ...w.townships.map((t) => t.id)];
  for (const plan of CENTER_PLANS) {
    const host = plan.host === 'city' ? w.city : w.county;
    const dto = await services.diagnosis.createCenter(adminCtx, {
      organizationId: host.id, type: plan.type, name: plan.name, requiresSecondSignoff: plan.requiresSecondSignoff,
      // The city hospital is not in the county community: it serves the county's hospitals and township centers by list.
      memberMode: plan.host === 'city' ? 'listed' : 'alliance', memberOrganizationIds: plan.host === 'city' ? listed : [],
      reportHeader: plan.reportHeader, phone: plan.phone,
    });
    const pools: Pool[] = [];
    const members: Member[] = [];
    for (const pool of teams.pools.get(plan.key) ?? []) {
      const ms: Member[] = [];
      for (const m of pool.members) {
        const reader = await services.diagnosis.addReader(adminCtx, dto.id, { userId: m.userId, specialties: m.specialties });
        const member = { ...m, readerId: reader.id };
        ms.push(member);
        members.push(member);
      }
      pools.push({ members: ms, day: pool.day, evening: pool.evening, night: pool.night });
    }
    summary.readers += members.length;
    centers.set(plan.key, { id: dto.id, organizationId: host.id, pools, members });
    summary.centers++;
  }
  for (const o of DEMO_DIAGNOSIS_CALIBRATION.overrides) {
    await services.diagnosis.setCenterDeadline(adminCtx, centers.get(o.center)!.id, { urgency: o.urgency, minutes: o.minutes, calendarId: null });
  }
  const templateIds = new Map<string, string>();
  for (const t of TEMPLATES) {
    const dto = await services.diagnosis.addTemplate(adminCtx, centers.get(t.centerType)!.id, { examType: t.examType, modality: t.modality, name: t.name, findings: t.findings, impression: t.impression });
    templateIds.set(t.name, dto.id);
    summary.templates++;
  }
  summary.ms.setup = Math.round(performance.now() - setupStarted);

  // ---- roster
  const rosterStarted = performance.now();
  const today = shanghaiDate(now);
  summary.shifts = await seedRoster(db, services, adminCtx, ns, centers, today);
  summary.ms.roster = Math.round(performance.now() - rosterStarted);
  opts.log?.info({ centers: summary.centers, readers: summary.readers, accounts: summary.accounts, templates: summary.templates, shifts: summary.shifts, ms: summary.ms.setup + summary.ms.roster }, 'demo diagnosis: centers, teams and roster');

  // ---- history and live queue
  const policies = await loadPolicies(db);
  const ctxw: SeedWorld = { w, ns, centers, policies, templateIds, today, nowMs: now.getTime() };
  const live = liveStories(ctxw);
  const historyStarted = performance.now();
  const { reserved, maxNumber } = await seedHistory(db, ctxw, opts.seed, volumes, summary.history, [
    ...live.map((s, i) => ({ key: `live:${i}`, at: now.getTime() - Math.round(s.hoursAgo * HOUR) })),
    ...CONSULTATION_STORIES.map((s, i) => ({ key: `consult:${i}`, at: now.getTime() - Math.round(s.hoursAgo * HOUR) })),
  ], demoConsultationVolume(opts.residents));
  summary.ms.history = Math.round(performance.now() - historyStarted);
  opts.log?.info({ ...summary.history, ms: summary.ms.history }, 'demo diagnosis: a year of history');
  const liveStarted = performance.now();
  summary.live = await seedLive(db, services, ctxw, opts.seed, now, live, reserved, maxNumber);
  summary.ms.live = Math.round(performance.now() - liveStarted);
  opts.log?.info({ ...summary.live, ms: summary.ms.live }, 'demo diagnosis: live queue');
  const consultationsStarted = performance.now();
  summary.consultations = await seedConsultations(db, services, ctxw, now, CONSULTATION_STORIES, reserved, maxNumber);
  summary.ms.consultations = Math.round(performance.now() - consultationsStarted);
  opts.log?.info({ ...summary.consultations, ms: summary.ms.consultations }, 'demo diagnosis: teleconsultations');
  summary.ms.total = Math.round(performance.now() - started);
  return summary;
}

/** Login accounts of the team members (one per practitioner; the existing demo accounts are reused). */
async function createTeams(db: Db, w: World, ns: string): Promise<{ accounts: number; pools: Map<CenterKey, Pool[]> }> {
  const demoHash = await hashPassword(DEMO_PASSWORD);
  // Team members without a documented account get a password nobody knows (an administrator resets it to hand it out).
  const lockedHash = await hashPassword(randomBytes(24).toString('base64url'));
  const used = new Set([...w.users.values()].map((u) => u.practitionerId).filter((x): x is string => !!x));
  const rankOfTitle: Record<string, number> = { senior: 0, 'associate-senior': 1, intermediate: 2, junior: 3 };
  const pools = new Map<CenterKey, Pool[]>();
  const userRows: (typeof users.$inferInsert)[] = [];
  const roleRows: (typeof userRoles.$inferInsert)[] = [];
  const plans: { key: CenterKey; pool: number; spec: MemberSpec; userId: string; name: string; order: number }[] = [];
  let order = 0;
  for (const plan of CENTER_PLANS) {
    const host = plan.host === 'city' ? w.city : w.county;
    const staff = w.pracs.get(host.id) ?? [];
    TEAM_SPECS[plan.key].pools.forEach((pool, p) => {
      for (const spec of pool.specs) {
        if (spec.existing) {
          const u = w.users.get(spec.username);
          if (u && u.organizationId === host.id) plans.push({ key: plan.key, pool: p, spec, userId: u.id, name: u.displayName, order: order++ });
          continue;
        }
        const candidates = staff
          .filter((x) => x.deptCode !== null && spec.depts.includes(x.deptCode) && !used.has(x.id))
          .sort((a, b) => (spec.senior ? (rankOfTitle[a.title] ?? 4) - (rankOfTitle[b.title] ?? 4) : 0) || Number(a.profession !== 'physician') - Number(b.profession !== 'physician') || a.id.localeCompare(b.id));
        const prac = candidates[0];
        if (!prac) continue;
        used.add(prac.id);
        const userId = nameBasedId(ns, `user:${spec.username}`);
        userRows.push({ id: userId, username: spec.username, displayName: prac.name, passwordHash: spec.documented ? demoHash : lockedHash, organizationId: host.id, practitionerId: prac.id });
        roleRows.push({ userId, role: 'center-reader' });
        plans.push({ key: plan.key, pool: p, spec, userId, name: prac.name, order: order++ });
      }
    });
  }
  if (userRows.length) {
    await db.insert(users).values(userRows).onConflictDoNothing();
    await db.insert(userRoles).values(roleRows).onConflictDoNothing();
  }
  // Ids as stored (a user of that name may exist from an earlier, interrupted run).
  const stored = new Map((await queryRows<{ id: string; username: string }>(db, sql`select id, username from users where username = any(${sql.param(plans.map((p) => p.spec.username))}::text[])`)).map((r) => [r.username, r.id]));
  for (const plan of CENTER_PLANS) {
    const list = TEAM_SPECS[plan.key].pools.map((pool, p) => ({
      members: plans.filter((x) => x.key === plan.key && x.pool === p).map((x) => ({
        userId: stored.get(x.spec.username) ?? x.userId, username: x.spec.username, name: x.name, specialties: [...x.spec.specialties], rank: x.order, readerId: '',
      })),
      day: pool.day, evening: pool.evening, night: pool.night,
    }));
    pools.set(plan.key, list);
  }
  return { accounts: userRows.length, pools };
}

async function seedRoster(
  db: Db, services: ServicesNeeded, adminCtx: RequestContext, ns: string,
  centers: Map<CenterKey, { id: string; pools: Pool[] }>, today: string,
): Promise<number> {
  const c = DEMO_DIAGNOSIS_CALIBRATION;
  const rows: unknown[][] = [];
  const createdAt = adminCtx.clock.now().toISOString();
  for (const [key, center] of centers) {
    const byReader = new Map<string, { start: number; end: number }[]>();
    let n = 0;
    for (let k = -c.rosterDaysBefore; k <= c.rosterDaysAfter; k++) {
      const day = addDays(today, k);
      for (const s of rosterOn(center.pools, day, k)) {
        for (const m of s.members) {
          // The checks addShift makes: a valid period on its roster day, and no overlapping shift of the same reader.
          const problem = shiftProblem({ date: day, startsAt: new Date(s.start), endsAt: new Date(s.end) }, shanghaiDate);
          if (problem) throw new Error(`demo diagnosis roster: ${problem.message}`);
          const mine = byReader.get(m.readerId) ?? [];
          if (mine.some((x) => x.start < s.end && s.start < x.end)) throw new Error(`demo diagnosis roster: overlapping shifts of ${m.username} on ${day}`);
          mine.push({ start: s.start, end: s.end });
          byReader.set(m.readerId, mine);
          rows.push([nameBasedId(ns, `shift:${key}:${day}:${s.kind}:${m.username}`), center.id, m.readerId, day, new Date(s.start).toISOString(), new Date(s.end).toISOString(), m === s.head ? 'duty-head' : 'reader', createdAt]);
          n++;
        }
      }
    }
    await services.audit.record(adminCtx, [{
      action: 'create', resourceType: 'DiagnosisShift', basis: 'administration', outcome: 'allowed',
      detail: { centerId: center.id, shifts: n, from: addDays(today, -c.rosterDaysBefore), to: addDays(today, c.rosterDaysAfter), source: 'demo roster' },
    }]);
  }
  await bulkInsert(db, 'diagnosis_shifts', [
    ['id', 'text'], ['center_id', 'text'], ['reader_id', 'text'], ['day', 'date'], ['starts_at', 'timestamptz'], ['ends_at', 'timestamptz'], ['role', 'text'], ['created_at', 'timestamptz'],
  ], rows);
  return rows.length;
}

async function loadPolicies(db: Db): Promise<Map<string, Policy>> {
  const rows = await queryRows<{ id: string; step: string; urgency: string; organization_id: string | null; minutes: number; ladder: LadderStep[] | string }>(db, sql`
    select id, step, urgency, organization_id, minutes, ladder from deadline_policies where subject_type = 'diagnosis'`);
  return new Map(rows.map((p) => [`${p.organization_id ?? ''}/${p.step}/${p.urgency}`, {
    id: p.id, minutes: Number(p.minutes), ladder: typeof p.ladder === 'string' ? (JSON.parse(p.ladder) as LadderStep[]) : p.ladder,
  }]));
}

interface SeedWorld {
  w: World;
  ns: string;
  centers: Map<CenterKey, { id: string; organizationId: string; pools: Pool[]; members: Member[] }>;
  policies: Map<string, Policy>;
  templateIds: Map<string, string>;
  today: string;
  nowMs: number;
}

/** The policy the deadline engine would pick: the organization's override, else the platform default. */
function policyOf(s: SeedWorld, organizationId: string, step: string, urgency: Urgency): Policy {
  const p = s.policies.get(`${organizationId}/${step}/${urgency}`) ?? s.policies.get(`/${step}/${urgency}`);
  if (!p) throw new Error(`demo diagnosis: no deadline policy for ${step}/${urgency}`);
  return p;
}

const rosterCache = new WeakMap<SeedWorld, Map<string, RosterShift[]>>();

/** The roster shift on duty at an instant (history days are computed, not stored; cached per center and day). */
function shiftAt(s: SeedWorld, center: CenterKey, at: number): RosterShift | null {
  const todayStart = shanghaiDayStart(s.today).getTime();
  // Roster day k starts its day shift at 08:00 CST: shift the instant back by 8 h and count whole days.
  const k = Math.floor((at - todayStart - 8 * HOUR) / DAY);
  let cache = rosterCache.get(s);
  if (!cache) rosterCache.set(s, (cache = new Map()));
  const key = `${center}:${k}`;
  let shifts = cache.get(key);
  if (!shifts) cache.set(key, (shifts = rosterOn(s.centers.get(center)!.pools, addDays(s.today, k), k)));
  return shifts.find((x) => x.start <= at && at < x.end) ?? null;
}

const readsModality = (m: Member, modality: Modality) => m.specialties.length === 0 || m.specialties.includes(modality);

// ---------------------------------------------------------------------------------------------------------------
// History

type Col = readonly [name: string, type: 'text' | 'timestamptz' | 'int' | 'bigint' | 'jsonb' | 'date' | 'text[]'];

/** INSERT … SELECT FROM unnest(…): one statement per batch (as demo-referrals does; ~15× faster than row inserts on PGlite). */
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

/**
 * Drops a table's non-unique indexes and its foreign keys for a bulk load and returns the statements that restore them,
 * read from the catalog so nothing can drift from the schema (the same technique as demo-county.ts): per-row foreign-key
 * triggers and index maintenance are most of a bulk insert's cost, and re-adding a foreign key validates all rows in one
 * join. Call inside the load's transaction: the DDL rolls back with it.
 */
async function suspendIndexesAndForeignKeys(db: Db, table: string): Promise<string[]> {
  const idx = await queryRows<{ indexname: string; indexdef: string }>(db, sql`
    SELECT indexname, indexdef FROM pg_indexes
    WHERE schemaname = current_schema() AND tablename = ${table} AND indexdef NOT LIKE 'CREATE UNIQUE INDEX%'`);
  for (const r of idx) await db.execute(sql`DROP INDEX ${sql.identifier(r.indexname)}`);
  const fks = await queryRows<{ conname: string; def: string }>(db, sql`
    SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = ${table}::regclass AND contype = 'f'`);
  for (const r of fks) await db.execute(sql`ALTER TABLE ${sql.identifier(table)} DROP CONSTRAINT ${sql.identifier(r.conname)}`);
  return [...idx.map((r) => r.indexdef), ...fks.map((r) => `ALTER TABLE "${table}" ADD CONSTRAINT "${r.conname}" ${r.def}`)];
}

const iso = (ms: number | null | undefined): string | null => (ms == null ? null : new Date(ms).toISOString());
const ageOn = (birth: string, day: string): number => Number(day.slice(0, 4)) - Number(birth.slice(0, 4)) - (day.slice(5) < birth.slice(5) ? 1 : 0);
const rungLabels: Record<EscalationRung, string> = { assigned: '诊断医师', 'department-head': '当班组长', 'referral-desk': '医院总值班', 'alliance-office': '医共体办公室' };

/** Residents sampled through the primary key (ids are uniform hex), as demo-referrals does; md5 of the id if they are not. */
async function samplePatients(db: Db, wanted: number, rng: Random, today: string): Promise<Pat[]> {
  const [c] = await queryRows<{ n: string | number }>(db, sql`select count(*) as n from patients where county_code = ${COUNTY}`);
  const total = Number(c?.n ?? 0);
  if (total === 0) return [];
  const p = Math.min(1, wanted / total);
  type Row = { id: string; name: string; sex: 'male' | 'female'; birth_date: string; managing_organization_id: string; residence_division_code: string | null };
  const columns = sql`id, name, sex, birth_date::text as birth_date, managing_organization_id, residence_division_code`;
  const hex = (x: number) => Math.floor(x).toString(16).padStart(8, '0');
  const lo = rng.float() * (1 - p) * 0xffffffff;
  let rows = p >= 1
    ? await queryRows<Row>(db, sql`select ${columns} from patients where county_code = ${COUNTY} order by id`)
    : await queryRows<Row>(db, sql`select ${columns} from patients where id >= ${hex(lo)} and id < ${hex(lo + p * 0xffffffff)} and county_code = ${COUNTY} order by id`);
  if (rows.length < wanted / 2 && p < 1) {
    rows = await queryRows<Row>(db, sql`select ${columns} from patients where county_code = ${COUNTY} and substr(md5(id), 1, 8) < ${hex(p * 0xffffffff)} order by id`);
  }
  return rows.map((r) => ({ id: r.id, name: r.name, sex: r.sex, birthDate: r.birth_date, age: Math.max(0, ageOn(r.birth_date, today)), managing: r.managing_organization_id, residence: r.residence_division_code }));
}

interface Person { userId: string | null; name: string }

interface Ev { at: number; action: string; from: DiagnosisStatus | null; to: DiagnosisStatus | null; by: Person; reason: string | null; detail: Record<string, unknown> | null }

function lognormal(rng: Random, median: number, sigma: number): number {
  const u1 = Math.max(1e-12, rng.float());
  const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rng.float());
  return median * Math.exp(sigma * z);
}

/** Minute of the day a request is sent: office hours for routine work (two peaks), round the clock for emergencies. */
const ROUTINE_MINUTES = new WeightedTable<readonly [number, number]>([[[480, 600], 30], [[600, 720], 28], [[870, 990], 25], [[990, 1050], 9], [[1050, 1260], 6], [[420, 480], 2]]);
const URGENT_MINUTES = new WeightedTable<readonly [number, number]>([[[420, 720], 45], [[720, 1050], 35], [[1050, 1380], 17], [[0, 420], 3]]);
const EMERGENCY_MINUTES = new WeightedTable<readonly [number, number]>([[[480, 1050], 50], [[1050, 1380], 28], [[0, 480], 16], [[1380, 1440], 6]]);

async function seedHistory(
  db: Db, s: SeedWorld, seed: number, volumes: DemoDiagnosisVolumes, out: DemoDiagnosisSummary['history'], liveCreations: readonly { key: string; at: number }[],
  consultationCount: number,
): Promise<{ reserved: Map<string, number>; maxNumber: number }> {
  const c = DEMO_DIAGNOSIS_CALIBRATION;
  const rng = new Random(seed, 'diagnosis-history');
  const { w, ns } = s;
  const days = Array.from({ length: c.historyDays }, (_, i) => addDays(s.today, i - c.historyDays));
  const weights = historyDayWeights(days, 'up');
  const phase = performance.now();
  const pool = await samplePatients(db, Math.min(volumes.total, 30_000) + 200, new Random(seed, 'diagnosis-patients'), s.today);
  out.phasesMs.sample = Math.round(performance.now() - phase);
  if (pool.length === 0 || volumes.total === 0) return { reserved: new Map(), maxNumber: 0 };
  const pracsOf = (orgId: string): { id: string; name: string }[] => {
    const all = w.pracs.get(orgId) ?? [];
    const doctors = all.filter((p) => p.profession === 'physician');
    return doctors.length ? doctors : all;
  };
  const personAt = (orgId: string): Person => {
    const list = pracsOf(orgId);
    if (list.length === 0) return { userId: null, name: '值班医生' };
    const p = rng.pick(list);
    const u = w.userByPractitioner.get(p.id);
    return u ? { userId: u.id, name: u.displayName } : { userId: null, name: p.name };
  };
  const itemsOf = new Map(readTypes.map((t) => [t, EXAM_ITEMS.filter((x) => x.centerType === t)]));
  const countyOrigins: Record<ReadCenterType, WeightedTable<Org>> = {
    imaging: new WeightedTable([[w.tcm, 6], [w.mch, 4]]),
    ecg: new WeightedTable([[w.tcm, 6], [w.mch, 4]]),
    lab: new WeightedTable([[w.tcm, 1]]),
    pathology: new WeightedTable([[w.county, 65], [w.mch, 20], [w.tcm, 15]]),
  };
  const originWeight: Record<ReadCenterType, Record<Origin, number>> = {
    imaging: { village: 0, township: 1, 'central-township': 1, county: 0.12 },
    ecg: { village: 0.45, township: 1, 'central-township': 1, county: 0.06 },
    lab: { village: 0.12, township: 1, 'central-township': 1, county: 0 },
    pathology: { village: 0, township: 0, 'central-township': 0.45, county: 1 },
  };

  interface Hist {
    id: string; key: string; type: ReadCenterType; item: ExamItem; urgency: Urgency; patient: Pat; origin: Org; requester: Person;
    question: string; submitted: number; events: Ev[]; status: DiagnosisStatus; assigned: string | null; claimedBy: string | null; claimedAt: number | null;
    completed: number | null; cancelReason: string | null; returnReason: string | null; resubmits: number; imageQuality: 'accepted' | null;
    deadline: { policy: Policy; step: string; started: number; due: number; paused: number; end: number; state: 'met' | 'cancelled'; fired: { level: number; rung: string; at: number }[] };
    report: { id: string; text: ReportText; templateId: string | null; author: Member; signer: Member | null; finalizedAt: number; signedAt: number | null; versions: { status: string; text: ReportText; by: Person; authorUserId: string | null; reason: string | null; at: number }[] } | null;
    critical: { id: string; text: CriticalText; by: Member; flagged: number; acked: number; receivedBy: string; ackBy: Person; deadline: { policy: Policy; due: number; fired: { level: number; rung: string; at: number }[] } } | null;
    number: string;
  }
  const all: Hist[] = [];
  const asPerson = (m: Member): Person => ({ userId: m.userId, name: m.name });

  for (const type of readTypes) {
    const items = itemsOf.get(type)!;
    const center = s.centers.get(type)!;
    const host = center.organizationId;
    const step = reportStepOf[type];
    for (const [i, d] of allocateOverDays(volumes[type], weights, rng.float()).entries()) {
      // A resident, an examination that fits them, and the facility that sends it.
      let patient = pool[rng.int(0, pool.length - 1)]!;
      let fitting = items.filter((x) => (!x.sex || x.sex === patient.sex) && (!x.age || (patient.age >= x.age[0] && patient.age <= x.age[1])));
      for (let tries = 0; fitting.length === 0 && tries < 20; tries++) {
        patient = pool[rng.int(0, pool.length - 1)]!;
        fitting = items.filter((x) => (!x.sex || x.sex === patient.sex) && (!x.age || (patient.age >= x.age[0] && patient.age <= x.age[1])));
      }
      if (fitting.length === 0) fitting = items.filter((x) => !x.sex && !x.age);
      const item = new WeightedTable(fitting.map((x) => [x, x.weight] as const)).draw(rng.float());
      const managing = w.orgs.get(patient.managing);
      const township = managing?.tier === 'village-clinic' ? (managing.supervisorId ? w.orgs.get(managing.supervisorId) : undefined) : managing;
      const options: (readonly [Org, number])[] = [];
      for (const o of item.from) {
        const weight = originWeight[type][o];
        if (weight <= 0) continue;
        if (o === 'village' && managing?.tier === 'village-clinic') options.push([managing, weight]);
        if (o === 'township' && township && !township.isCentral) options.push([township, weight]);
        if (o === 'central-township' && township && township.isCentral) options.push([township, weight]);
        if (o === 'county') options.push([countyOrigins[type].draw(rng.float()), weight]);
      }
      const origin = options.length ? new WeightedTable(options).draw(rng.float()) : countyOrigins[type].draw(rng.float());
      const urgency = urgencyOf(item, rng.float());
      const policy = policyOf(s, host, step, urgency);
      const limit = policy.minutes;
      const tat = c.turnaround[type][urgency];
      const late = !rng.chance(tat.onTime);
      const minutes = late
        ? limit * (1.03 + 0.8 * rng.float() ** 2)
        : Math.min(limit * 0.97, Math.max(tat.min, lognormal(rng, Math.min(tat.median, limit * 0.6), 0.55)));
      const cancelled = rng.chance(c.cancelShare);
      const returned = !cancelled && !late && rng.chance(c.qcReturnShare[type]);
      const critical = !cancelled && item.critical.length > 0 && rng.chance(c.criticalShare[type] * (urgency === 'emergency' ? 3 : 1) / (1 + 2 * (item.urgency[2] / (item.urgency[0] + item.urgency[1] + item.urgency[2]))));
      const pauseMin = returned ? rng.int(30, 240) : 0;
      const secondSignoff = type === 'pathology';
      const [a, b] = (urgency === 'routine' ? ROUTINE_MINUTES : urgency === 'urgent' ? URGENT_MINUTES : EMERGENCY_MINUTES).draw(rng.float());
      let submitted = shanghaiDayStart(days[d]!).getTime() + rng.int(a, b - 1) * MIN + rng.int(0, 59) * 1000;
      // Nothing of the history may still be running (or be amended) after `now`: move the few late ones back whole days.
      const end = submitted + (minutes + pauseMin) * MIN + 2 * HOUR;
      if (end > s.nowMs) submitted -= Math.ceil((end - s.nowMs) / DAY) * DAY;

      const key = `${type}:${i}`;
      const id = nameBasedId(ns, `request:${key}`);
      const requester = personAt(origin.id);
      const h: Hist = {
        id, key, type, item, urgency, patient, origin, requester, question: rng.pick(item.questions), submitted, events: [], status: 'requested',
        assigned: null, claimedBy: null, claimedAt: null, completed: null, cancelReason: null, returnReason: null, resubmits: 0, imageQuality: null,
        deadline: { policy, step, started: submitted, due: submitted + limit * MIN, paused: 0, end: 0, state: 'met', fired: [] },
        report: null, critical: null, number: '',
      };
      const ev = (at: number, action: string, to: DiagnosisStatus, by: Person, reason: string | null = null, detail: Record<string, unknown> | null = null) => {
        h.events.push({ at, action, from: action === 'submit' ? null : h.status, to, by, reason, detail });
        h.status = to;
      };
      const system: Person = { userId: null, name: '系统' };
      /** The roster's choice when the request is queued: an on-duty reader of the modality (specialists first). */
      const assignAt = (at: number): Member | null => {
        const shift = shiftAt(s, type, at);
        if (!shift) return null;
        const fit = shift.members.filter((m) => readsModality(m, item.modality));
        const specialists = fit.filter((m) => m.specialties.includes(item.modality));
        const chosen = (specialists.length ? specialists : fit);
        return chosen.length ? rng.pick(chosen) : null;
      };
      const queue = (at: number) => {
        const m = assignAt(at);
        h.assigned = m?.userId ?? null;
        if (m) ev(at, 'assign', h.status, system, `按排班与工作量分配给 ${m.name}`, { assignedUserId: m.userId });
        return m;
      };
      /** The reader who claims it at `at`: the assignee when on duty, else the duty head gives it to one who is. */
      const claimAt = (at: number, assignee: Member | null): Member => {
        const shift = shiftAt(s, type, at);
        const onDuty = shift?.members.filter((m) => readsModality(m, item.modality)) ?? [];
        if (assignee && (onDuty.includes(assignee) || onDuty.length === 0)) return assignee;
        const claimer = onDuty.length ? rng.pick(onDuty) : center.members[0]!;
        if (assignee && claimer !== assignee && shift) {
          ev(at - 60_000, 'reassign', 'requested', asPerson(shift.head), '交接班改派给当班医师', { from: assignee.userId, to: claimer.userId });
          h.assigned = claimer.userId;
        }
        return claimer;
      };

      ev(submitted, 'submit', 'requested', requester, null, { centerId: center.id, modality: item.modality, urgency });
      const assignee = queue(submitted);
      if (cancelled) {
        const at = submitted + rng.int(5, Math.max(6, Math.min(120, Math.floor(minutes * 0.8)))) * MIN;
        h.cancelReason = rng.pick(CANCEL_REASONS);
        ev(at, 'cancel', 'cancelled', requester, h.cancelReason);
        h.deadline.state = 'cancelled';
        h.deadline.end = at;
        all.push(h);
        continue;
      }
      const total = minutes * MIN;
      let claimTime = submitted + Math.max(MIN, Math.round(total * (0.08 + 0.3 * rng.float())));
      let claimer = claimAt(claimTime, assignee);
      ev(claimTime, 'claim', 'in-progress', asPerson(claimer));
      h.claimedBy = claimer.userId;
      h.claimedAt = claimTime;
      if (returned) {
        const at = claimTime + rng.int(2, 8) * MIN;
        h.returnReason = rng.pick(QC_RETURN_REASONS[type]);
        ev(at, 'qc-return', 'returned', asPerson(claimer), h.returnReason);
        h.claimedBy = null;
        h.claimedAt = null;
        h.imageQuality = null;
        const back = at + pauseMin * MIN;
        h.deadline.paused = back - at;
        h.deadline.due += back - at;
        ev(back, 'resubmit', 'requested', requester, '已重新采集并上传');
        h.resubmits = 1;
        const again = queue(back);
        claimTime = back + rng.int(2, 20) * MIN;
        claimer = claimAt(claimTime, again);
        ev(claimTime, 'claim', 'in-progress', asPerson(claimer));
        h.claimedBy = claimer.userId;
        h.claimedAt = claimTime;
      }
      const done = submitted + total + h.deadline.paused;
      const finalizeAt = secondSignoff ? claimTime + Math.max(MIN, Math.round((done - claimTime) * 0.8)) : Math.max(claimTime + MIN, done);
      const outcome = critical ? 'critical' : rng.chance(item.abnormalShare) ? 'abnormal' : 'normal';
      const crit = critical ? rng.pick(item.critical) : null;
      const text: ReportText = crit ? { findings: crit.findings, impression: crit.impression } : outcome === 'abnormal' && item.abnormal.length ? rng.pick(item.abnormal) : rng.pick(item.normal);
      const templateName = outcome === 'normal' && item.template && text === item.normal[0] ? item.template : null;
      const reportId = nameBasedId(ns, `report:${key}`);
      if (crit) {
        const flagged = claimTime + Math.max(MIN, Math.round((finalizeAt - claimTime) * (0.3 + 0.5 * rng.float())));
        const cp = policyOf(s, h.origin.id, CRITICAL_ACK_STEP, 'emergency');
        const lateAck = !rng.chance(c.criticalAckOnTime);
        const acked = flagged + (lateAck ? rng.int(cp.minutes + 1, cp.minutes * 4) : rng.int(2, cp.minutes - 1)) * MIN + rng.int(0, 59) * 1000;
        const cid = nameBasedId(ns, `critical:${key}`);
        ev(flagged, 'flag-critical', h.status, asPerson(claimer), null, { criticalValueId: cid, finding: crit.finding });
        const due = flagged + cp.minutes * MIN;
        const fired: { level: number; rung: string; at: number }[] = [];
        if (acked > due) {
          fired.push({ level: 0, rung: 'overdue', at: due });
          cp.ladder.forEach((l, k) => { if (due + l.afterMinutes * MIN < acked) fired.push({ level: k + 1, rung: l.rung, at: due + l.afterMinutes * MIN }); });
        }
        h.critical = {
          id: cid, text: crit, by: claimer, flagged, acked, receivedBy: `${requester.name}（${rng.pick(READ_BACK_RECEIVERS)}）`, ackBy: requester,
          deadline: { policy: cp, due, fired },
        };
      }
      const author = claimer;
      if (secondSignoff) {
        const others = center.members.filter((m) => m !== author);
        const signer = others.length ? rng.pick(others) : author;
        ev(finalizeAt, 'finalize', 'awaiting-signoff', asPerson(author), null, { reportId, reportVersion: 1, reportStatus: 'pending-signoff' });
        const signAt = Math.max(finalizeAt + 5 * MIN, done);
        ev(signAt, 'sign-off', 'completed', asPerson(signer), null, { reportId, reportVersion: 2, signedOffBy: signer.userId });
        h.report = {
          id: reportId, text, templateId: templateName ? s.templateIds.get(templateName) ?? null : null, author, signer, finalizedAt: signAt, signedAt: signAt,
          versions: [
            { status: 'pending-signoff', text, by: asPerson(author), authorUserId: author.userId, reason: null, at: finalizeAt },
            { status: 'final', text, by: asPerson(author), authorUserId: signer.userId, reason: `审核签发：${signer.name}`, at: signAt },
          ],
        };
        h.completed = signAt;
      } else {
        ev(finalizeAt, 'finalize', 'completed', asPerson(author), null, { reportId, reportVersion: 1, reportStatus: 'final' });
        h.report = {
          id: reportId, text, templateId: templateName ? s.templateIds.get(templateName) ?? null : null, author, signer: null, finalizedAt: finalizeAt, signedAt: null,
          versions: [{ status: 'final', text, by: asPerson(author), authorUserId: author.userId, reason: null, at: finalizeAt }],
        };
        h.completed = finalizeAt;
      }
      h.imageQuality = 'accepted';
      if (h.critical) {
        // from/to: the status at that moment, filled in when the timeline is written in time order.
        h.events.push({ at: h.critical.acked, action: 'critical-acknowledged', from: null, to: null, by: h.critical.ackBy, reason: h.critical.text.action, detail: { criticalValueId: h.critical.id, receivedBy: h.critical.receivedBy } });
      }
      if (rng.chance(c.amendShare)) {
        const at = h.completed + rng.int(60, 60 * 24 * 5) * MIN;
        if (at < s.nowMs - HOUR) {
          const reason = rng.pick(AMEND_REASONS);
          const amended: ReportText = { findings: `${text.findings}（更正）`, impression: text.impression };
          const version = h.report.versions.length + 1;
          h.events.push({ at, action: 'amend', from: 'completed', to: 'completed', by: asPerson(author), reason, detail: { reportId, reportVersion: version } });
          h.report.versions.push({ status: 'amended', text: amended, by: asPerson(author), authorUserId: author.userId, reason, at });
          h.report.text = amended;
        }
      }
      h.deadline.end = h.completed;
      if (h.completed > h.deadline.due) {
        h.deadline.fired.push({ level: 0, rung: 'overdue', at: h.deadline.due });
        policy.ladder.forEach((l, k) => { const at = h.deadline.due + l.afterMinutes * MIN; if (at < h.completed!) h.deadline.fired.push({ level: k + 1, rung: l.rung, at }); });
      }
      all.push(h);
    }
  }

  const consults = planConsultationHistory(s, seed, pool, days, weights, consultationCount);

  // Numbers: history and the live requests still to be created, together in creation order (as demo-referrals does).
  let reserved = new Map<string, number>();
  let maxNumber = 0;
  await db.transaction(async (txRaw) => {
    const tx = txRaw as unknown as Db;
    const [first] = await queryRows<{ n: string | number }>(tx, sql`select nextval('diagnosis_request_number_seq') as n`);
    const base = Number(first!.n);
    const order = [
      ...all.map((h) => ({ at: h.submitted, key: h.key, h: h as { submitted: number; number: string } | null })),
      ...consults.map((h) => ({ at: h.submitted, key: h.key, h })),
      ...liveCreations.map((l) => ({ at: l.at, key: l.key, h: null })),
    ].sort((x, y) => x.at - y.at || x.key.localeCompare(y.key));
    reserved = new Map();
    order.forEach((o, i) => {
      if (o.h) o.h.number = requestNumber(shanghaiDate(new Date(o.h.submitted)), base + i);
      else reserved.set(o.key, base + i);
    });
    maxNumber = base + order.length - 1;
    await tx.execute(sql`select setval('diagnosis_request_number_seq', ${maxNumber})`);

    const reqRows: unknown[][] = [];
    const eventRows: unknown[][] = [];
    const deadlineRows: unknown[][] = [];
    const escalationRows: unknown[][] = [];
    const reportRows: unknown[][] = [];
    const versionRows: unknown[][] = [];
    const criticalRows: unknown[][] = [];
    const logRows: unknown[][] = [];
    for (const h of all) {
      const center = s.centers.get(h.type)!;
      const lastAt = Math.max(...h.events.map((e) => e.at));
      reqRows.push([
        h.id, h.number, 'exam', h.status, h.urgency, center.id, center.organizationId, h.origin.id, h.requester.userId, h.requester.name, h.patient.id,
        h.patient.residence?.slice(0, 6) ?? null, h.item.modality, h.item.examType, h.item.bodyPart, h.question, null, h.assigned, h.claimedBy, iso(h.claimedAt),
        h.imageQuality, h.returnReason, h.resubmits, h.cancelReason, iso(h.submitted), iso(h.completed), 1 + h.events.filter((e) => e.action !== 'submit').length, iso(h.submitted), iso(lastAt),
      ]);
      const dl = h.deadline;
      const dlId = nameBasedId(ns, `deadline:${h.key}`);
      const timeline: Ev[] = [
        ...h.events,
        ...dl.fired.map((f): Ev => ({
          at: f.at, action: f.level === 0 ? 'overdue' : 'escalated', from: null, to: null, by: { userId: null, name: '系统' },
          reason: f.level === 0 ? `「${dl.step}」超时` : `逐级上报：${rungLabels[f.rung as EscalationRung] ?? f.rung}`, detail: { step: dl.step, level: f.level, rung: f.rung },
        })),
      ].sort((x, y) => x.at - y.at);
      // The worker writes from/to as the status at that moment; system events carry the status they happened in.
      let status: DiagnosisStatus | null = null;
      timeline.forEach((e, k) => {
        const from = e.from ?? status;
        const to = e.to ?? status;
        if (e.to) status = e.to;
        eventRows.push([nameBasedId(ns, `event:${h.key}:${k}`), h.id, iso(e.at), e.action, e.action === 'submit' ? null : from, to, e.by.userId, e.by.name, e.reason, e.detail ? JSON.stringify(e.detail) : null]);
      });
      const level = dl.fired.length ? dl.fired[dl.fired.length - 1]!.level : 0;
      deadlineRows.push([
        dlId, 'diagnosis', h.id, dl.step, h.urgency, center.organizationId, dl.policy.id, JSON.stringify(dl.policy.ladder), dl.state, iso(dl.started), iso(dl.due), dl.paused,
        iso(dl.fired.length ? dl.due : null), level, dl.state === 'met' ? iso(dl.end) : null, 2 + dl.fired.length + (dl.paused ? 2 : 0),
      ]);
      for (const f of dl.fired) escalationRows.push([nameBasedId(ns, `escalation:${h.key}:${f.level}`), dlId, f.level, f.rung, iso(f.at), '{}']);
      if (h.report) {
        const r = h.report;
        const last = r.versions[r.versions.length - 1]!;
        reportRows.push([
          r.id, h.id, last.status, r.text.findings, r.text.impression, r.templateId, r.author.userId, r.author.name, r.signer?.userId ?? null, r.signer?.name ?? null,
          iso(r.signedAt), iso(r.finalizedAt), r.versions.length, iso(r.versions[0]!.at), iso(last.at),
        ]);
        r.versions.forEach((v, k) => versionRows.push([nameBasedId(ns, `report-version:${h.key}:${k + 1}`), r.id, k + 1, v.status, v.text.findings, v.text.impression, v.authorUserId, v.by.name, v.reason, iso(v.at)]));
      }
      if (h.critical) {
        const cv = h.critical;
        const readBack = `复述：${cv.text.finding}`;
        criticalRows.push([cv.id, h.id, h.origin.id, center.id, cv.text.finding, 'acknowledged', cv.by.userId, cv.by.name, iso(cv.flagged), iso(cv.acked), cv.ackBy.userId, cv.ackBy.name, cv.receivedBy, readBack, cv.text.action]);
        const cLog: { at: number; row: unknown[] }[] = [
          { at: cv.flagged, row: ['flagged', cv.by.userId, cv.by.name, cv.text.finding, null] },
          { at: cv.flagged, row: ['notified', null, '系统', '已通知申请机构医生', JSON.stringify({ userIds: cv.ackBy.userId ? [cv.ackBy.userId] : [] })] },
          ...cv.deadline.fired.map((f) => ({ at: f.at, row: [f.level === 0 ? 'overdue' : 'escalated', null, '系统', f.level === 0 ? '危急值超过时限未确认' : `逐级上报：${rungLabels[f.rung as EscalationRung] ?? f.rung}`, JSON.stringify({ level: f.level, rung: f.rung })] })),
          { at: cv.acked, row: ['acknowledged', cv.ackBy.userId, cv.ackBy.name, `接收人：${cv.receivedBy}；${readBack}；处置：${cv.text.action}`, JSON.stringify({ receivedBy: cv.receivedBy, readBack, actionTaken: cv.text.action })] },
        ];
        cLog.forEach((l, k) => logRows.push([nameBasedId(ns, `critical-log:${h.key}:${k}`), cv.id, iso(l.at), ...l.row]));
        const cdId = nameBasedId(ns, `critical-deadline:${h.key}`);
        const cLevel = cv.deadline.fired.length ? cv.deadline.fired[cv.deadline.fired.length - 1]!.level : 0;
        deadlineRows.push([
          cdId, 'diagnosis', cv.id, CRITICAL_ACK_STEP, 'emergency', h.origin.id, cv.deadline.policy.id, JSON.stringify(cv.deadline.policy.ladder), 'met', iso(cv.flagged), iso(cv.deadline.due), 0,
          iso(cv.deadline.fired.length ? cv.deadline.due : null), cLevel, iso(cv.acked), 2 + cv.deadline.fired.length,
        ]);
        for (const f of cv.deadline.fired) escalationRows.push([nameBasedId(ns, `critical-escalation:${h.key}:${f.level}`), cdId, f.level, f.rung, iso(f.at), '{}']);
        out.critical++;
        if (cv.deadline.fired.length) out.criticalLate++;
      }
      if (h.status === 'completed') out.completed++;
      if (h.status === 'cancelled') out.cancelled++;
      if (dl.fired.length) out.late++;
      if (h.resubmits) out.returned++;
      if (h.report && h.report.versions.some((v) => v.status === 'amended')) out.amended++;
    }
    const consultRows = consultationHistoryRows(s, consults, out.consultation);
    reqRows.push(...consultRows.requests);
    eventRows.push(...consultRows.fired);
    deadlineRows.push(...consultRows.deadlines);
    escalationRows.push(...consultRows.escalations);
    out.phasesMs.generate = Math.round(performance.now() - phase) - out.phasesMs.sample;
    const restore: string[] = [];
    for (const table of ['diagnosis_requests', 'diagnosis_events', 'diagnosis_reports', 'diagnosis_report_versions', 'diagnosis_critical_values', 'diagnosis_critical_log', 'deadlines', 'deadline_escalations']) {
      restore.push(...(await suspendIndexesAndForeignKeys(tx, table)));
    }
    await bulkInsert(tx, 'diagnosis_requests', [
      ['id', 'text'], ['number', 'text'], ['kind', 'text'], ['status', 'text'], ['urgency', 'text'], ['center_id', 'text'], ['center_organization_id', 'text'],
      ['requester_organization_id', 'text'], ['requester_user_id', 'text'], ['requester_name', 'text'], ['patient_id', 'text'], ['county_code', 'text'],
      ['modality', 'text'], ['exam_type', 'text'], ['body_part', 'text'], ['clinical_question', 'text'], ['clinical_summary', 'text'], ['assigned_user_id', 'text'],
      ['claimed_by', 'text'], ['claimed_at', 'timestamptz'], ['image_quality', 'text'], ['return_reason', 'text'], ['resubmit_count', 'int'], ['cancel_reason', 'text'],
      ['submitted_at', 'timestamptz'], ['completed_at', 'timestamptz'], ['version', 'int'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'],
    ], reqRows, 4000);
    await bulkInsert(tx, 'diagnosis_events', [
      ['id', 'text'], ['request_id', 'text'], ['at', 'timestamptz'], ['action', 'text'], ['from_status', 'text'], ['to_status', 'text'], ['actor_user_id', 'text'],
      ['actor_name', 'text'], ['reason', 'text'], ['detail', 'jsonb'],
    ], eventRows, 10_000);
    await bulkInsert(tx, 'diagnosis_reports', [
      ['id', 'text'], ['request_id', 'text'], ['status', 'text'], ['findings', 'text'], ['impression', 'text'], ['template_id', 'text'], ['author_user_id', 'text'],
      ['author_name', 'text'], ['signed_off_by', 'text'], ['signed_off_by_name', 'text'], ['signed_off_at', 'timestamptz'], ['finalized_at', 'timestamptz'],
      ['version', 'int'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'],
    ], reportRows, 4000);
    await bulkInsert(tx, 'diagnosis_report_versions', [
      ['id', 'text'], ['report_id', 'text'], ['version', 'int'], ['status', 'text'], ['findings', 'text'], ['impression', 'text'], ['author_user_id', 'text'],
      ['author_name', 'text'], ['reason', 'text'], ['at', 'timestamptz'],
    ], versionRows, 4000);
    await bulkInsert(tx, 'diagnosis_critical_values', [
      ['id', 'text'], ['request_id', 'text'], ['organization_id', 'text'], ['center_id', 'text'], ['finding', 'text'], ['state', 'text'], ['flagged_by', 'text'],
      ['flagged_by_name', 'text'], ['flagged_at', 'timestamptz'], ['acknowledged_at', 'timestamptz'], ['acknowledged_by', 'text'], ['acknowledged_by_name', 'text'],
      ['received_by', 'text'], ['read_back', 'text'], ['action_taken', 'text'],
    ], criticalRows);
    await bulkInsert(tx, 'diagnosis_critical_log', [
      ['id', 'text'], ['critical_value_id', 'text'], ['at', 'timestamptz'], ['kind', 'text'], ['actor_user_id', 'text'], ['actor_name', 'text'], ['text', 'text'], ['detail', 'jsonb'],
    ], logRows);
    await bulkInsert(tx, 'deadlines', [
      ['id', 'text'], ['subject_type', 'text'], ['subject_id', 'text'], ['step', 'text'], ['urgency', 'text'], ['organization_id', 'text'], ['policy_id', 'text'],
      ['ladder', 'jsonb'], ['state', 'text'], ['started_at', 'timestamptz'], ['due_at', 'timestamptz'], ['paused_total_ms', 'bigint'], ['overdue_at', 'timestamptz'],
      ['escalation_level', 'int'], ['met_at', 'timestamptz'], ['version', 'int'],
    ], deadlineRows, 10_000);
    await bulkInsert(tx, 'deadline_escalations', [
      ['id', 'text'], ['deadline_id', 'text'], ['level', 'int'], ['rung', 'text'], ['fired_at', 'timestamptz'], ['recipient_user_ids', 'text[]'],
    ], escalationRows);
    // The consultation detail tables are small (a few hundred rows a year): inserted with their indexes and keys in place.
    await insertConsultationHistory(tx, consultRows);
    for (const statement of restore) await tx.execute(sql.raw(statement));
    out.events = eventRows.length;
    out.deadlines = deadlineRows.length;
    out.reportVersions = versionRows.length;
  });
  await db.execute(sql`analyze diagnosis_requests, diagnosis_events, diagnosis_reports, deadlines`);
  out.phasesMs.insert = Math.round(performance.now() - phase) - out.phasesMs.sample - out.phasesMs.generate;
  return { reserved, maxNumber };
}

// ---------------------------------------------------------------------------------------------------------------
// Teleconsultation history (远程会诊中心, the year before the seed)

interface ConsultExpert { id: string; member: Member; role: ExpertRole; specialty: string; invitedAt: number; respondedAt: number | null; invitedBy: Person }
interface ConsultEv { at: number; action: ConsultationAction | 'submit'; from: ConsultationStatus | null; to: ConsultationStatus; by: Person; reason: string | null; detail: Record<string, unknown> | null }

interface ConsultHist {
  id: string; key: string; number: string; kind: ConsultationKind; urgency: Urgency; text: ConsultationHistoryCase; patient: Pat; origin: Org; requester: Person;
  submitted: number; status: ConsultationStatus; preferredAt: number | null;
  session: { start: number; end: number; videoLink: string; by: Person; at: number; startedAt: number } | null;
  decidedAt: number | null; declineReason: string | null; cancelReason: string | null;
  consent: { signer: ConsentSigner; name: string; at: number; reference: string };
  experts: ConsultExpert[];
  opinions: { id: string; expert: ConsultExpert; at: number; text: { opinion: string; recommendations: string } }[];
  events: ConsultEv[];
  deadline: { policy: Policy; due: number; end: number; state: 'met' | 'cancelled'; fired: { level: number; rung: string; at: number }[] };
}

/** The consultation specialty's expert in the pool (TEAM_SPECS.consultation), by the pool's specialty codes. */
const POOL_SPECIALTY: Record<string, string> = {
  心血管内科: 'cardiology', 神经内科: 'neurology', 呼吸内科: 'respiratory-medicine', 普外科: 'general-surgery', 儿科: 'paediatrics', 骨科: 'orthopaedics',
};

/**
 * A year of teleconsultations: who asks (township centers mostly; 中医院 and 妇幼保健院 for some — 妇幼 for children),
 * for which resident and case, and how the center answered. Each move is decided by the lifecycle table as the service
 * would (`decideConsultation`); a refusal would be a bug of this generator, so it throws.
 */
function planConsultationHistory(s: SeedWorld, seed: number, pool: readonly Pat[], days: readonly string[], weights: readonly number[], count: number): ConsultHist[] {
  const center = s.centers.get('consultation');
  if (!center || center.members.length === 0 || count === 0 || pool.length === 0) return [];
  const c = DEMO_DIAGNOSIS_CALIBRATION.consultation;
  const rng = new Random(seed, 'diagnosis-consultation-history');
  const { w, ns } = s;
  const internist = center.members.find((m) => m.username === 'county.specialist') ?? center.members[0]!;
  const leadOf = (specialty: string): Member | undefined => center.members.find((m) => m !== internist && m.specialties.includes(POOL_SPECIALTY[specialty] ?? ''));
  const cases = new WeightedTable(CONSULTATION_HISTORY_CASES.map((x) => [x, x.weight] as const));
  const personAt = (orgId: string): Person => {
    const all = w.pracs.get(orgId) ?? [];
    const doctors = all.filter((p) => p.profession === 'physician');
    const list = doctors.length ? doctors : all;
    if (list.length === 0) return { userId: null, name: '值班医生' };
    const p = rng.pick(list);
    const u = w.userByPractitioner.get(p.id);
    return u ? { userId: u.id, name: u.displayName } : { userId: null, name: p.name };
  };
  const asPerson = (m: Member): Person => ({ userId: m.userId, name: m.name });
  const out: ConsultHist[] = [];
  for (const [i, d] of allocateOverDays(count, weights, rng.float()).entries()) {
    const text = cases.draw(rng.float());
    const kind = rng.pick(text.kinds);
    const fits = (p: Pat) => (!text.sex || text.sex === p.sex) && p.age >= text.age[0] && p.age <= text.age[1];
    let patient: Pat | undefined;
    for (let tries = 0; !patient && tries < 40; tries++) {
      const p = pool[rng.int(0, pool.length - 1)]!;
      if (fits(p)) patient = p;
    }
    patient ??= pool.find(fits);
    if (!patient) continue;
    const lead = leadOf(text.specialty);
    if (!lead) continue;
    const managing = w.orgs.get(patient.managing);
    const township = managing?.tier === 'village-clinic' ? (managing.supervisorId ? w.orgs.get(managing.supervisorId) : undefined) : managing;
    const child = patient.age < 18;
    const u = rng.float();
    const origin = !township || township.tier === 'village-clinic' ? w.tcm : child ? (u < 0.3 ? w.mch : township) : u < 0.12 ? w.tcm : township;
    const urgency: Urgency = kind === 'emergency' ? 'emergency' : rng.chance(c.urgentShare) ? 'urgent' : 'routine';
    const policy = policyOf(s, center.organizationId, CONSULTATION_RESPOND_STEP, urgency);
    const limit = policy.minutes;
    const late = !rng.chance(c.onTime);
    const respondMin = late
      ? limit * (1.03 + 0.6 * rng.float() ** 2)
      : Math.min(limit * 0.95, Math.max(3, lognormal(rng, Math.min(c.respondMedian[urgency], limit * 0.6), 0.5)));
    const outcome = rng.chance(c.cancelShare) ? 'cancel' : rng.chance(c.declineShare) ? 'decline' : 'conclude';
    const [a, b] = (kind === 'emergency' ? EMERGENCY_MINUTES : ROUTINE_MINUTES).draw(rng.float());
    let submitted = shanghaiDayStart(days[d]!).getTime() + rng.int(a, b - 1) * MIN + rng.int(0, 59) * 1000;
    // Times relative to the request; the session of an outpatient consultation on a later working day, in office hours.
    const respond = Math.round(respondMin * MIN);
    const cancelAt = rng.int(5, Math.max(6, Math.floor(Math.min(respondMin, limit) * 0.8))) * MIN;
    const invite = Math.max(MIN, respond - rng.int(2, 5) * MIN);
    const dayOfRespond = shanghaiDate(new Date(submitted + respond));
    const start = kind === 'emergency'
      ? Math.round((submitted + respond + rng.int(5, 20) * MIN) / (5 * MIN)) * 5 * MIN - submitted
      : kind === 'inpatient'
        ? Math.round((submitted + respond + rng.int(30, 240) * MIN) / (5 * MIN)) * 5 * MIN - submitted
        : shanghaiDayStart(addDays(dayOfRespond, rng.int(1, 3))).getTime() + rng.int(18, 32) * 30 * MIN - submitted;
    const length = kind === 'emergency' ? rng.int(2, 4) * 10 : rng.int(3, 6) * 10;
    const startedAt = start + rng.int(0, 5) * MIN;
    const leadOpinion = startedAt + rng.int(15, length - 5) * MIN;
    const memberOpinion = leadOpinion + rng.int(2, 10) * MIN;
    const decided = memberOpinion + (kind === 'emergency' ? rng.int(5, 30) : rng.int(30, 360)) * MIN;
    const accepts = [rng.int(2, 30), rng.int(2, 30)].map((m) => Math.max(invite + MIN, Math.min(invite + m * MIN, start - MIN)));
    const lastRel = outcome === 'cancel' ? cancelAt : outcome === 'decline' ? respond : decided;
    // Nothing of the history may still be running after `now`: move the few late ones back whole days.
    if (submitted + lastRel > s.nowMs - HOUR) submitted -= Math.ceil((submitted + lastRel - (s.nowMs - HOUR)) / DAY) * DAY;

    const key = `consultation:${i}`;
    const id = nameBasedId(ns, `request:${key}`);
    const requester = personAt(origin.id);
    const signer: ConsentSigner = child ? 'guardian' : kind === 'emergency' && rng.chance(0.6) ? 'agent' : patient.age >= 85 && rng.chance(0.5) ? 'agent' : 'patient';
    const h: ConsultHist = {
      id, key, number: '', kind, urgency, text, patient, origin, requester, submitted, status: 'requested',
      preferredAt: kind === 'outpatient' ? submitted + start : null, session: null, decidedAt: null, declineReason: null, cancelReason: null,
      consent: {
        signer, name: signer === 'patient' ? patient.name : `${patient.name.slice(0, 1)}某（${signer === 'guardian' ? rng.pick(['父亲', '母亲']) : rng.pick(['儿子', '女儿', '配偶'])}）`,
        at: submitted - rng.int(kind === 'emergency' ? 3 : 10, kind === 'emergency' ? 12 : 90) * MIN,
        reference: `${origin.name.slice(0, 4)}-YCHZ-ZQTY-${shanghaiDate(new Date(submitted)).replace(/-/g, '')}-H${String(i + 1).padStart(4, '0')}`,
      },
      experts: [], opinions: [], events: [],
      deadline: { policy, due: submitted + limit * MIN, end: 0, state: 'met', fired: [] },
    };
    const coordinatorAt = (at: number): Member => shiftAt(s, 'consultation', at)?.head ?? center.members[0]!;
    const requesterParties: ConsultationParty[] = ['requester', 'requesting-doctor'];
    const move = (at: number, action: ConsultationAction, parties: readonly ConsultationParty[], by: Person, opts: { reason?: string; decision?: string; detail?: Record<string, unknown> } = {}) => {
      const decision = decideConsultation(h.status, action, parties, opts);
      if (!decision.ok) throw new Error(`demo consultation history ${key}: ${decision.message}`);
      h.events.push({ at, action, from: h.status, to: decision.to, by, reason: opts.reason ?? null, detail: opts.detail ?? null });
      h.status = decision.to;
    };
    h.events.push({ at: submitted, action: 'submit', from: null, to: 'requested', by: requester, reason: null, detail: { centerId: center.id, kind, specialty: text.specialty, urgency, consent: { signer, formReference: h.consent.reference } } });
    if (outcome === 'cancel') {
      h.cancelReason = rng.pick(CONSULTATION_HISTORY_CANCEL_REASONS);
      move(submitted + cancelAt, 'cancel', requesterParties, requester, { reason: h.cancelReason });
      h.deadline.state = 'cancelled';
      h.deadline.end = submitted + cancelAt;
    } else if (outcome === 'decline') {
      const head = coordinatorAt(submitted + respond);
      h.declineReason = rng.pick(CONSULTATION_HISTORY_DECLINE_REASONS);
      move(submitted + respond, 'decline', ['coordinator', 'duty-head'], asPerson(head), { reason: h.declineReason });
      h.deadline.end = submitted + respond;
    } else {
      const head = coordinatorAt(submitted + invite);
      for (const [k, seat] of ([[0, lead], [1, internist]] as const).entries()) {
        const at = submitted + invite + k * 30_000;
        const e: ConsultExpert = {
          id: nameBasedId(ns, `consultation-expert:${key}:${k}`), member: seat[1], role: k === 0 ? 'lead' : 'member', specialty: k === 0 ? text.specialty : '内科',
          invitedAt: at, respondedAt: submitted + accepts[k]!, invitedBy: asPerson(head),
        };
        h.experts.push(e);
        move(at, 'assign-expert', ['coordinator'], asPerson(head), { detail: { expertId: e.id, userId: e.member.userId, role: e.role, reinvited: false } });
      }
      const scheduler = coordinatorAt(submitted + respond);
      const videoLink = CONSULTATION_VIDEO_ROOMS[i % CONSULTATION_VIDEO_ROOMS.length]!;
      h.session = { start: submitted + start, end: submitted + start + length * MIN, videoLink, by: asPerson(scheduler), at: submitted + respond, startedAt: submitted + startedAt };
      // Accepting may come before or after the schedule; both are moves of an open panel.
      const steps: { at: number; run: () => void }[] = [
        { at: submitted + respond, run: () => move(submitted + respond, 'schedule', ['coordinator'], asPerson(scheduler), { detail: { startsAt: iso(h.session!.start), endsAt: iso(h.session!.end), videoLink, note: null, rescheduled: false } }) },
        ...h.experts.map((e) => ({ at: e.respondedAt!, run: () => move(e.respondedAt!, 'accept-invitation', ['expert'], asPerson(e.member), { detail: { expertId: e.id } }) })),
      ].sort((x, y) => x.at - y.at);
      for (const st of steps) st.run();
      move(submitted + startedAt, 'start', ['expert', 'coordinator'], asPerson(lead));
      h.experts.forEach((e, k) => {
        const at = submitted + (k === 0 ? leadOpinion : memberOpinion);
        const opinionId = nameBasedId(ns, `consultation-opinion:${key}:${k}`);
        h.opinions.push({ id: opinionId, expert: e, at, text: text.opinions[k]! });
        move(at, 'opinion', ['expert', 'coordinator'], asPerson(e.member), { detail: { opinionId, expertId: e.id } });
      });
      h.decidedAt = submitted + decided;
      move(h.decidedAt, 'conclude', requesterParties, requester, { decision: text.decision });
      h.deadline.end = submitted + respond;
    }
    h.deadline.due = submitted + limit * MIN;
    if (h.deadline.state === 'met' && h.deadline.end > h.deadline.due) {
      h.deadline.fired.push({ level: 0, rung: 'overdue', at: h.deadline.due });
      policy.ladder.forEach((l, k) => { const at = h.deadline.due + l.afterMinutes * MIN; if (at < h.deadline.end) h.deadline.fired.push({ level: k + 1, rung: l.rung, at }); });
    }
    out.push(h);
  }
  return out;
}

interface ConsultationHistoryRows {
  requests: unknown[][]; fired: unknown[][]; deadlines: unknown[][]; escalations: unknown[][];
  consultations: unknown[][]; experts: unknown[][]; opinions: unknown[][]; events: unknown[][];
}

/** The rows of the planned consultations, as the service would have written them (the request row mirrors the status coarsely). */
function consultationHistoryRows(s: SeedWorld, list: readonly ConsultHist[], out: DemoDiagnosisSummary['history']['consultation']): ConsultationHistoryRows {
  const rows: ConsultationHistoryRows = { requests: [], fired: [], deadlines: [], escalations: [], consultations: [], experts: [], opinions: [], events: [] };
  const center = s.centers.get('consultation');
  if (!center) return rows;
  const events: { at: number; k: number; row: unknown[] }[] = [];
  const opinions: { at: number; row: unknown[] }[] = [];
  for (const h of list) {
    const last = Math.max(...h.events.map((e) => e.at));
    const moves = h.events.length - 1;
    const status = requestStatusOf(h.status);
    rows.requests.push([
      h.id, h.number, 'consultation', status, h.urgency, center.id, center.organizationId, h.origin.id, h.requester.userId, h.requester.name, h.patient.id,
      h.patient.residence?.slice(0, 6) ?? null, 'CONSULT', `${consultationKindLabels[h.kind]}·${h.text.specialty}`, null, h.text.purpose, h.text.summary, null, null, null,
      null, null, 0, h.cancelReason ?? h.declineReason, iso(h.submitted), iso(h.decidedAt), 1 + moves, iso(h.submitted), iso(last),
    ]);
    const ss = h.session;
    rows.consultations.push([
      h.id, h.status, h.kind, h.text.specialty, iso(h.preferredAt), iso(ss?.start), iso(ss?.end), ss?.videoLink ?? null, ss?.by.userId ?? null, ss?.by.name ?? null, iso(ss?.at),
      iso(ss?.startedAt), h.decidedAt ? h.text.decision : null, h.decidedAt ? h.requester.userId : null, h.decidedAt ? h.requester.name : null, iso(h.decidedAt), h.declineReason,
      h.consent.signer, h.consent.name, iso(h.consent.at), h.consent.reference, h.requester.userId, h.requester.name, iso(h.submitted), 1 + moves, iso(h.submitted), iso(last),
    ]);
    for (const e of h.experts) {
      rows.experts.push([e.id, h.id, e.member.userId, e.member.readerId, e.role, e.specialty, 'accepted', null, e.invitedBy.userId, e.invitedBy.name, iso(e.invitedAt), iso(e.respondedAt)]);
    }
    for (const o of h.opinions) {
      opinions.push({ at: o.at, row: [o.id, h.id, o.expert.id, o.expert.member.userId, o.expert.member.name, o.expert.specialty, o.text.opinion, o.text.recommendations, iso(o.at)] });
    }
    h.events.forEach((e, k) => events.push({
      at: e.at, k,
      row: [nameBasedId(s.ns, `consultation-event:${h.key}:${k}`), h.id, iso(e.at), e.action, e.from, e.to, e.by.userId, e.by.name, e.reason, e.detail ? JSON.stringify(e.detail) : null],
    }));
    const dl = h.deadline;
    const dlId = nameBasedId(s.ns, `deadline:${h.key}`);
    const level = dl.fired.length ? dl.fired[dl.fired.length - 1]!.level : 0;
    rows.deadlines.push([
      dlId, 'diagnosis', h.id, CONSULTATION_RESPOND_STEP, h.urgency, center.organizationId, dl.policy.id, JSON.stringify(dl.policy.ladder), dl.state, iso(h.submitted), iso(dl.due), 0,
      iso(dl.fired.length ? dl.due : null), level, dl.state === 'met' ? iso(dl.end) : null, 2 + dl.fired.length,
    ]);
    // The deadline engine's overdue and escalation entries go to diagnosis_events (the consultation timeline merges them).
    dl.fired.forEach((f) => {
      rows.escalations.push([nameBasedId(s.ns, `escalation:${h.key}:${f.level}`), dlId, f.level, f.rung, iso(f.at), '{}']);
      rows.fired.push([
        nameBasedId(s.ns, `event:${h.key}:fired:${f.level}`), h.id, iso(f.at), f.level === 0 ? 'overdue' : 'escalated', null, null, null, '系统',
        f.level === 0 ? `「${CONSULTATION_RESPOND_STEP}」超时` : `逐级上报：${rungLabels[f.rung as EscalationRung] ?? f.rung}`, JSON.stringify({ step: CONSULTATION_RESPOND_STEP, level: f.level, rung: f.rung }),
      ]);
    });
    out.requests++;
    out.byStatus[h.status] = (out.byStatus[h.status] ?? 0) + 1;
    if (dl.fired.length) out.late++;
    out.experts += h.experts.length;
    out.opinions += h.opinions.length;
  }
  // Timelines and opinions in time order: their `seq` (bigserial) then orders each consultation's entries as they happened.
  rows.events = events.sort((a, b) => a.at - b.at || a.k - b.k).map((e) => e.row);
  rows.opinions = opinions.sort((a, b) => a.at - b.at).map((o) => o.row);
  out.events = rows.events.length;
  return rows;
}

async function insertConsultationHistory(tx: Db, rows: ConsultationHistoryRows): Promise<void> {
  await bulkInsert(tx, 'diagnosis_consultations', [
    ['request_id', 'text'], ['status', 'text'], ['kind', 'text'], ['specialty', 'text'], ['preferred_at', 'timestamptz'], ['scheduled_start', 'timestamptz'],
    ['scheduled_end', 'timestamptz'], ['video_link', 'text'], ['scheduled_by', 'text'], ['scheduled_by_name', 'text'], ['scheduled_at', 'timestamptz'],
    ['started_at', 'timestamptz'], ['decision', 'text'], ['decision_by', 'text'], ['decision_by_name', 'text'], ['decided_at', 'timestamptz'], ['decline_reason', 'text'],
    ['consent_signer', 'text'], ['consent_signer_name', 'text'], ['consent_signed_at', 'timestamptz'], ['consent_form_reference', 'text'], ['consent_recorded_by', 'text'],
    ['consent_recorded_by_name', 'text'], ['consent_recorded_at', 'timestamptz'], ['version', 'int'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'],
  ], rows.consultations);
  await bulkInsert(tx, 'diagnosis_consultation_experts', [
    ['id', 'text'], ['request_id', 'text'], ['user_id', 'text'], ['reader_id', 'text'], ['role', 'text'], ['specialty', 'text'], ['state', 'text'], ['reason', 'text'],
    ['invited_by', 'text'], ['invited_by_name', 'text'], ['invited_at', 'timestamptz'], ['responded_at', 'timestamptz'],
  ], rows.experts);
  await bulkInsert(tx, 'diagnosis_consultation_opinions', [
    ['id', 'text'], ['request_id', 'text'], ['expert_id', 'text'], ['author_user_id', 'text'], ['author_name', 'text'], ['specialty', 'text'], ['opinion', 'text'],
    ['recommendations', 'text'], ['at', 'timestamptz'],
  ], rows.opinions);
  await bulkInsert(tx, 'diagnosis_consultation_events', [
    ['id', 'text'], ['request_id', 'text'], ['at', 'timestamptz'], ['action', 'text'], ['from_status', 'text'], ['to_status', 'text'], ['actor_user_id', 'text'],
    ['actor_name', 'text'], ['reason', 'text'], ['detail', 'jsonb'],
  ], rows.events);
}

// ---------------------------------------------------------------------------------------------------------------
// Live queue

type Who = 'td' | 'vd' | 'g1' | 'g2' | 'surgeon';
type LiveStep =
  | readonly ['claim' | 'preliminary' | 'final' | 'sign-off' | 'resubmit', number]
  | readonly ['qc-return' | 'cancel', number, string]
  | readonly ['flag', number]
  | readonly ['ack', number];
type LiveFile = 'DX' | 'CT' | 'US' | 'normal' | 'inferior_stemi' | 'ventricular_tachycardia';

interface LiveStory {
  center: ReadCenterType;
  from: Who;
  exam: string;
  urgency: Urgency;
  hoursAgo: number;
  file?: LiveFile;
  outcome?: 'normal' | 'abnormal' | 'critical';
  steps: readonly LiveStep[];
}

/**
 * The open queue at seed time: each center has fresh, in-progress and overdue items; imaging has a QC return waiting
 * for the retake and a preliminary report; ECG has an unacknowledged STEMI for 河田镇中心卫生院 (the township doctor's
 * facility); pathology has a report awaiting the second pathologist's sign-off.
 */
function liveStories(_s: SeedWorld): LiveStory[] {
  return [
    // imaging
    { center: 'imaging', from: 'td', exam: '胸部正位片', urgency: 'routine', hoursAgo: 11, file: 'DX', steps: [] },
    { center: 'imaging', from: 'g1', exam: '头颅CT平扫', urgency: 'emergency', hoursAgo: 1.5, file: 'CT', outcome: 'critical', steps: [['claim', 1.42], ['flag', 1.3], ['ack', 1.2], ['preliminary', 1.25]] },
    { center: 'imaging', from: 'td', exam: '腹部超声', urgency: 'routine', hoursAgo: 3, file: 'US', steps: [['claim', 2.5]] },
    { center: 'imaging', from: 'g2', exam: '四肢骨关节片', urgency: 'urgent', hoursAgo: 3.2, file: 'DX', steps: [] },
    { center: 'imaging', from: 'td', exam: '胸部正位片', urgency: 'routine', hoursAgo: 26, file: 'DX', steps: [['claim', 25.8], ['qc-return', 25.7, QC_RETURN_REASONS.imaging[0]!]] },
    { center: 'imaging', from: 'g1', exam: '胸部CT平扫', urgency: 'routine', hoursAgo: 5, file: 'CT', steps: [['claim', 4]] },
    { center: 'imaging', from: 'td', exam: '腰椎正侧位片', urgency: 'routine', hoursAgo: 0.5, file: 'DX', steps: [] },
    { center: 'imaging', from: 'g2', exam: '妇科超声', urgency: 'emergency', hoursAgo: 0.3, file: 'US', steps: [] },
    { center: 'imaging', from: 'td', exam: '胸部正位片', urgency: 'routine', hoursAgo: 30, file: 'DX', steps: [['claim', 29.5], ['qc-return', 29.4, QC_RETURN_REASONS.imaging[1]!], ['resubmit', 6]] },
    { center: 'imaging', from: 'g1', exam: '胸部正位片', urgency: 'routine', hoursAgo: 20, file: 'DX', outcome: 'abnormal', steps: [['claim', 19], ['final', 18.6]] },
    // ECG
    { center: 'ecg', from: 'td', exam: '常规十二导联心电图', urgency: 'emergency', hoursAgo: 0.9, file: 'inferior_stemi', outcome: 'critical', steps: [['claim', 0.86], ['flag', 0.8], ['final', 0.76]] },
    { center: 'ecg', from: 'vd', exam: '常规十二导联心电图', urgency: 'routine', hoursAgo: 10, file: 'normal', steps: [] },
    { center: 'ecg', from: 'g2', exam: '常规十二导联心电图', urgency: 'emergency', hoursAgo: 0.6, file: 'ventricular_tachycardia', steps: [] },
    { center: 'ecg', from: 'vd', exam: '常规十二导联心电图', urgency: 'routine', hoursAgo: 2, file: 'normal', steps: [['claim', 1.5]] },
    { center: 'ecg', from: 'g1', exam: '常规十二导联心电图', urgency: 'urgent', hoursAgo: 0.4, file: 'normal', steps: [] },
    { center: 'ecg', from: 'td', exam: '常规十二导联心电图', urgency: 'routine', hoursAgo: 6, file: 'normal', outcome: 'normal', steps: [['claim', 5.6], ['final', 5.5]] },
    { center: 'ecg', from: 'vd', exam: '常规十二导联心电图', urgency: 'routine', hoursAgo: 24, file: 'normal', steps: [['cancel', 23, CANCEL_REASONS[2]!]] },
    // lab
    { center: 'lab', from: 'g1', exam: '生化全项', urgency: 'routine', hoursAgo: 30, steps: [] },
    { center: 'lab', from: 'td', exam: '血常规', urgency: 'urgent', hoursAgo: 1, steps: [['claim', 0.8]] },
    { center: 'lab', from: 'g2', exam: '生化全项', urgency: 'emergency', hoursAgo: 2, outcome: 'critical', steps: [['claim', 1.8], ['flag', 1.7], ['ack', 1.62], ['final', 1.5]] },
    { center: 'lab', from: 'vd', exam: '糖化血红蛋白', urgency: 'routine', hoursAgo: 4, steps: [] },
    { center: 'lab', from: 'td', exam: '凝血功能', urgency: 'routine', hoursAgo: 12, steps: [['claim', 11]] },
    // pathology (龙岩市第一医院)
    { center: 'pathology', from: 'surgeon', exam: '术中冰冻病理', urgency: 'emergency', hoursAgo: 0.4, steps: [['claim', 0.35]] },
    { center: 'pathology', from: 'g1', exam: '胃镜活检组织病理', urgency: 'routine', hoursAgo: 30, steps: [['claim', 20]] },
    { center: 'pathology', from: 'surgeon', exam: '手术切除标本组织病理', urgency: 'routine', hoursAgo: 10, outcome: 'abnormal', steps: [['claim', 8], ['final', 6]] },
    { center: 'pathology', from: 'g2', exam: '宫颈液基细胞学', urgency: 'routine', hoursAgo: 5, steps: [] },
    { center: 'pathology', from: 'surgeon', exam: '手术切除标本组织病理', urgency: 'routine', hoursAgo: 40, outcome: 'normal', steps: [['claim', 30], ['final', 28], ['sign-off', 27]] },
  ];
}

async function seedLive(
  db: Db, services: ServicesNeeded, s: SeedWorld, seed: number, now: Date, stories: readonly LiveStory[], reserved: ReadonlyMap<string, number>, maxNumber: number,
): Promise<DemoDiagnosisSummary['live']> {
  const { w } = s;
  const rng = new Random(seed, 'diagnosis-live');
  const clock = new ManualClock(now);
  const set = (hoursAgo: number) => clock.set(new Date(now.getTime() - Math.round(hoursAgo * HOUR)));
  const ctxOf = (actor: Actor): RequestContext => ({ actor, clock, channel: 'system' });
  const userActor = (username: string): Actor => {
    const u = w.users.get(username);
    if (!u) throw new Error(`demo diagnosis: demo account ${username} is missing`);
    return { userId: u.id, username: u.username, organizationId: u.organizationId, roles: u.roles, displayName: u.displayName };
  };
  const doctorAt = (orgId: string, role: RoleCode, dept?: string): Actor => {
    const doctors = (w.pracs.get(orgId) ?? []).filter((p) => p.profession === 'physician');
    const name = (doctors.find((p) => !dept || p.deptCode === dept) ?? doctors[0])?.name ?? '值班医生';
    return { userId: '', username: name, organizationId: orgId, roles: [role], displayName: name };
  };
  const td = userActor('township.doctor');
  const vd = userActor('village.doctor');
  const others = w.townships.filter((t) => t.id !== td.organizationId && t.isCentral);
  const actors: Record<Who, Actor> = {
    td, vd,
    g1: doctorAt(others[0]?.id ?? td.organizationId!, 'township-doctor'),
    g2: doctorAt(others[1]?.id ?? td.organizationId!, 'township-doctor'),
    surgeon: doctorAt(w.county.id, 'county-specialist', 'WK'),
  };
  const readerActor = (center: ReadCenterType, userId: string): Actor => {
    const m = s.centers.get(center)!.members.find((x) => x.userId === userId);
    return { userId, username: m?.username ?? userId, organizationId: s.centers.get(center)!.organizationId, roles: ['center-reader'], displayName: m?.name };
  };
  const patientsOf = async (orgIds: string[]) => queryRows<{ id: string; name: string; sex: 'male' | 'female'; birth_date: string }>(db, sql`
    select id, name, sex, birth_date::text as birth_date from patients where managing_organization_id = any(${sql.param(orgIds)}::text[]) order by id limit 200`);
  const supervisedBy = (center: string) => [center, ...[...w.orgs.values()].filter((o) => o.supervisorId === center).map((o) => o.id)];
  const pools: Record<Who, { id: string; name: string; sex: 'male' | 'female'; birth_date: string }[]> = {
    td: await patientsOf(supervisedBy(td.organizationId!).filter((o) => o !== vd.organizationId)),
    vd: await patientsOf([vd.organizationId!]),
    g1: await patientsOf(supervisedBy(actors.g1.organizationId!)),
    g2: await patientsOf(supervisedBy(actors.g2.organizationId!)),
    surgeon: [],
  };
  // The county surgeon may read only patients the county hospital has a basis for: those referred to it (demo
  // referrals). Without any (a demo seeded without referrals), a central township center's surgeon sends instead.
  pools.surgeon = await queryRows<{ id: string; name: string; sex: 'male' | 'female'; birth_date: string }>(db, sql`
    select p.id, p.name, p.sex, p.birth_date::text as birth_date from patients p
    where p.id in (select patient_id from referrals where destination_organization_id = ${w.county.id} and status not in ('draft', 'cancelled', 'rejected'))
    order by p.id limit 200`);
  if (pools.surgeon.length === 0) {
    actors.surgeon = doctorAt(actors.g1.organizationId!, 'township-doctor', 'WK');
    pools.surgeon = pools.g1;
  }
  const used = new Set<string>();

  interface Job { hoursAgo: number; order: number; run: () => Promise<void> }
  const jobs: Job[] = [];
  const ids: string[] = [];
  const failed: string[] = [];
  let attachments = 0;
  stories.forEach((story, index) => {
    const state = { id: '', claimer: '' };
    const item = EXAM_ITEMS.find((x) => x.centerType === story.center && x.examType === story.exam)!;
    const center = s.centers.get(story.center)!;
    const requester = actors[story.from];
    const pick = () => {
      const pool = pools[story.from];
      const fits = (p: { sex: string; birth_date: string }) => (!item.sex || item.sex === p.sex) && (!item.age || (ageOn(p.birth_date, s.today) >= item.age[0] && ageOn(p.birth_date, s.today) <= item.age[1]));
      const p = pool.find((x) => !used.has(x.id) && fits(x)) ?? pool.find((x) => fits(x)) ?? pool[0];
      if (p) used.add(p.id);
      return p;
    };
    const text = (): ReportText => {
      const t = story.outcome === 'abnormal' && item.abnormal[0] ? item.abnormal[0] : story.outcome === 'critical' ? crit() ?? item.normal[0]! : item.normal[0]!;
      return { findings: t.findings, impression: t.impression };
    };
    const crit = (): CriticalText | undefined => (story.center === 'ecg' && story.file === 'ventricular_tachycardia' ? item.critical[1] : item.critical[0]);
    const reader = () => ctxOf(readerActor(story.center, state.claimer));
    const create = async () => {
      const p = pick();
      if (!p) return;
      const n = reserved.get(`live:${index}`);
      if (n !== undefined) await db.execute(sql`select setval('diagnosis_request_number_seq', ${n}, false)`);
      const dto = await services.diagnosis.createRequest(ctxOf(requester), {
        centerId: center.id, patientId: p.id, modality: item.modality, examType: item.examType, bodyPart: item.bodyPart ?? undefined, urgency: story.urgency,
        clinicalQuestion: item.questions[index % item.questions.length]!,
      });
      state.id = dto.id;
      ids.push(dto.id);
      // DICOM AccessionNumber is an SH (at most 16 characters): the number without its prefix.
      if (story.file) await upload(p, dto.number.replace(/^DX-/, ''));
    };
    const upload = async (p: { id: string; name: string; sex: 'male' | 'female'; birth_date: string }, accession: string, retake = false) => {
      const file = story.file!;
      const at = clock.now();
      if (file === 'DX' || file === 'CT' || file === 'US') {
        const study = generateSyntheticStudy({
          modality: file, seed: `${seed}:${index}`, patient: { id: p.id, name: `${p.name.slice(0, 1)}^${p.name.slice(1)}`, birthDate: p.birth_date, sex: p.sex === 'male' ? 'M' : 'F' },
          studyDateTime: at, accessionNumber: accession, ...(retake ? { uidSalt: 'retake' } : {}), studyDescription: item.examType, institutionName: w.orgs.get(requester.organizationId!)?.name ?? '',
          ...(file === 'CT' ? { slices: 12 } : {}), ...(item.bodyPart === '胸部' && file === 'CT' ? { region: 'chest' as const } : {}),
        });
        for (const f of study.files) {
          await services.diagnosis.addAttachment(ctxOf(requester), state.id, { kind: 'dicom', fileName: f.fileName, contentType: 'application/dicom' }, f.data);
          attachments++;
        }
      } else {
        const ecg = generateSyntheticEcg({
          seed: `${seed}:${index}`, pattern: file as SyntheticEcgPattern, acquiredAt: at.toISOString(),
          patient: { id: p.id, name: p.name, sex: p.sex === 'male' ? 'M' : 'F', birthDate: p.birth_date },
        });
        await services.diagnosis.addAttachment(ctxOf(requester), state.id, { kind: 'ecg', fileName: `ECG_${accession}.json`, contentType: 'application/json' }, Buffer.from(formatEcgJson(ecg), 'utf8'));
        attachments++;
      }
    };
    const stepRun = (step: LiveStep) => async () => {
      if (!state.id) return;
      switch (step[0]) {
        case 'claim': {
          const row = (await queryRows<{ assigned_user_id: string | null }>(db, sql`select assigned_user_id from diagnosis_requests where id = ${state.id}`))[0];
          const shift = shiftAt(s, story.center, clock.now().getTime());
          const onDuty = shift?.members.filter((m) => readsModality(m, item.modality)) ?? [];
          state.claimer = row?.assigned_user_id ?? (onDuty.length ? rng.pick(onDuty) : center.members[0]!).userId;
          await services.diagnosis.claim(reader(), state.id);
          break;
        }
        case 'preliminary': await services.diagnosis.writeReport(reader(), state.id, { action: 'preliminary', ...text() }); break;
        case 'final': await services.diagnosis.writeReport(reader(), state.id, { action: 'final', ...text() }); break;
        case 'sign-off': {
          const other = center.members.find((m) => m.userId !== state.claimer)!;
          await services.diagnosis.signOff(ctxOf(readerActor(story.center, other.userId)), state.id);
          break;
        }
        case 'qc-return': await services.diagnosis.qualityControl(reader(), state.id, { decision: 'return', reason: step[2] }); break;
        case 'resubmit': {
          if (story.file) {
            const p = (await queryRows<{ id: string; name: string; sex: 'male' | 'female'; birth_date: string }>(db, sql`
              select p.id, p.name, p.sex, p.birth_date::text as birth_date from patients p join diagnosis_requests r on r.patient_id = p.id where r.id = ${state.id}`))[0]!;
            await upload(p, `${state.id.slice(0, 8)}-R`, true);
          }
          await services.diagnosis.resubmit(ctxOf(requester), state.id, '已重新摄片并上传');
          break;
        }
        case 'cancel': await services.diagnosis.cancel(ctxOf(requester), state.id, step[2]); break;
        case 'flag': {
          const c = crit();
          if (c) await services.diagnosis.flagCritical(reader(), state.id, c.finding);
          break;
        }
        case 'ack': {
          const c = crit();
          const open = (await queryRows<{ id: string }>(db, sql`select id from diagnosis_critical_values where request_id = ${state.id} and state = 'open'`))[0];
          if (c && open) {
            await services.diagnosis.acknowledgeCritical(ctxOf(requester), open.id, { receivedBy: `${requester.displayName ?? requester.username}（值班医生）`, readBack: `复述：${c.finding}`, actionTaken: c.action });
          }
          break;
        }
      }
    };
    jobs.push({ hoursAgo: story.hoursAgo, order: index * 100, run: create });
    story.steps.forEach((step, k) => jobs.push({ hoursAgo: step[1], order: index * 100 + k + 1, run: stepRun(step) }));
  });
  jobs.sort((a, b) => b.hoursAgo - a.hoursAgo || a.order - b.order);
  try {
    for (const job of jobs) {
      set(job.hoursAgo);
      try {
        await job.run();
      } catch (e) {
        // One story that the rules refuse (e.g. a patient the requester may not read) must not take the others with it.
        failed.push(`${job.order}: ${(e as Error).message}`);
      }
    }
  } finally {
    if (maxNumber > 0) await db.execute(sql`select setval('diagnosis_request_number_seq', greatest((select last_value from diagnosis_request_number_seq), ${maxNumber}))`);
  }
  const run = await services.deadlines.runDue(now);
  const byStatus: Record<string, number> = {};
  let total = 0;
  for (const r of await queryRows<{ status: string; n: string | number }>(db, sql`select status, count(*) as n from diagnosis_requests where id = any(${sql.param(ids)}::text[]) group by status order by status`)) {
    byStatus[r.status] = Number(r.n);
    total += Number(r.n);
  }
  return { requests: total, byStatus, attachments, overdue: run.deadlines, escalated: run.fired - run.deadlines, failed };
}

// ---------------------------------------------------------------------------------------------------------------
// Teleconsultations (远程会诊中心)

/** Who invites: the township doctor's center, two other central township centers, the county TCM and MCH hospitals. */
type ConsultWho = 'td' | 'g1' | 'g2' | 'tcm' | 'mch';
/** The lead expert is the specialty's expert of the pool; the internist is county.specialist (invited as a panel member). */
type PanelSeat = 'lead' | 'internist';
/** Each step at `hoursAgo` before the seed instant; a schedule's session starts `startsHoursAgo` before it (negative: ahead). */
type ConsultStep =
  | readonly ['invite' | 'accept' | 'opinion', number, PanelSeat]
  | readonly ['schedule', number, startsHoursAgo: number, minutes: number]
  | readonly ['start' | 'conclude', number]
  | readonly ['decline' | 'cancel', number, string];

interface ConsultationStory {
  case: ConsultationCaseKey;
  from: ConsultWho;
  kind: ConsultationKind;
  urgency?: 'routine' | 'urgent';
  hoursAgo: number;
  /** Preferred time, hours after the seed instant (outpatient consultations are booked ahead). */
  preferredInHours?: number;
  steps: readonly ConsultStep[];
}

/** The consultation specialty's expert account in the pool (TEAM_SPECS.consultation). */
const EXPERT_OF_SPECIALTY: Record<string, string> = {
  心血管内科: 'consult.cardiology', 神经内科: 'consult.neurology', 呼吸内科: 'consult.respiratory', 普外科: 'consult.surgery', 儿科: 'consult.paediatrics', 骨科: 'consult.orthopaedics',
};

/**
 * The consultation center's queue and recent work at seed time: two waiting (one emergency already past its one-hour
 * response limit — escalated by the worker's tick), two scheduled with a video room (county.specialist still has to
 * answer one invitation), one session under way, one with both opinions waiting for the township doctor's decision,
 * three concluded, one declined by the center and one cancelled by the requester. Every response is within its limit.
 */
export const CONSULTATION_STORIES: readonly ConsultationStory[] = [
  { case: 'chestPain', from: 'g1', kind: 'emergency', hoursAgo: 1.6, steps: [] },
  { case: 'dizziness', from: 'tcm', kind: 'outpatient', hoursAgo: 2, preferredInHours: 26, steps: [] },
  {
    case: 'dizziness', from: 'td', kind: 'outpatient', hoursAgo: 20, preferredInHours: 24,
    steps: [['invite', 19.5, 'lead'], ['invite', 19.5, 'internist'], ['accept', 19.2, 'lead'], ['schedule', 19, -25, 60]],
  },
  {
    case: 'febrileChild', from: 'mch', kind: 'inpatient', urgency: 'urgent', hoursAgo: 3,
    steps: [['invite', 2.8, 'lead'], ['invite', 2.8, 'internist'], ['schedule', 2.7, -1.5, 30], ['accept', 2.5, 'lead'], ['accept', 2.4, 'internist']],
  },
  {
    case: 'abdominalPain', from: 'g2', kind: 'emergency', hoursAgo: 1.2,
    steps: [['invite', 1.1, 'lead'], ['schedule', 1, 0.5, 60], ['accept', 0.9, 'lead'], ['start', 0.45]],
  },
  {
    case: 'ulcerBleeding', from: 'td', kind: 'inpatient', urgency: 'urgent', hoursAgo: 26,
    steps: [['invite', 25.8, 'lead'], ['invite', 25.8, 'internist'], ['schedule', 25.5, 23, 45], ['start', 23], ['opinion', 22.6, 'lead'], ['opinion', 22.5, 'internist']],
  },
  {
    case: 'copdExacerbation', from: 'g1', kind: 'inpatient', hoursAgo: 72,
    steps: [['invite', 71.5, 'lead'], ['invite', 71.5, 'internist'], ['schedule', 71, 50, 45], ['start', 50], ['opinion', 49.5, 'lead'], ['opinion', 49.4, 'internist'], ['conclude', 48]],
  },
  {
    case: 'headache', from: 'g2', kind: 'emergency', hoursAgo: 30,
    steps: [['invite', 29.9, 'lead'], ['invite', 29.9, 'internist'], ['schedule', 29.75, 29.6, 40], ['start', 29.6], ['opinion', 29.3, 'lead'], ['opinion', 29.25, 'internist'], ['conclude', 29]],
  },
  {
    case: 'heartFailure', from: 'td', kind: 'inpatient', hoursAgo: 120,
    steps: [['invite', 119.5, 'lead'], ['invite', 119.5, 'internist'], ['schedule', 119, 96, 60], ['start', 96], ['opinion', 95.4, 'lead'], ['opinion', 95.3, 'internist'], ['conclude', 94]],
  },
  { case: 'eyeTrauma', from: 'g1', kind: 'outpatient', urgency: 'urgent', hoursAgo: 6, steps: [['decline', 5.6, CONSULTATION_DECLINE_REASONS[0]!]] },
  { case: 'palpitation', from: 'td', kind: 'outpatient', hoursAgo: 9, preferredInHours: 40, steps: [['cancel', 8, CONSULTATION_CANCEL_REASONS[0]!]] },
];

type Pt = { id: string; name: string; sex: 'male' | 'female'; birth_date: string };

/**
 * The consultations, through ConsultationService with a manual clock set back to each step's instant (consent,
 * numbers, deadlines, audit and notifications are the service's); then one tick of the deadline worker. A story the
 * rules refuse is reported in `failed`, not thrown, so the rest of the demo stands.
 */
async function seedConsultations(
  db: Db, services: ServicesNeeded, s: SeedWorld, now: Date, stories: readonly ConsultationStory[], reserved: ReadonlyMap<string, number>, maxNumber: number,
): Promise<DemoDiagnosisSummary['consultations']> {
  const { w } = s;
  const center = s.centers.get('consultation');
  const out: DemoDiagnosisSummary['consultations'] = { requests: 0, byStatus: {}, overdue: 0, escalated: 0, failed: [] };
  if (!center || center.members.length === 0) return out;
  const clock = new ManualClock(now);
  const at = (hoursAgo: number) => new Date(now.getTime() - Math.round(hoursAgo * HOUR));
  const ctxOf = (actor: Actor): RequestContext => ({ actor, clock, channel: 'system' });
  const doctorAt = (orgId: string, role: RoleCode): Actor => {
    const name = (w.pracs.get(orgId) ?? []).find((p) => p.profession === 'physician')?.name ?? '值班医生';
    return { userId: '', username: name, organizationId: orgId, roles: [role], displayName: name };
  };
  const td = w.users.get('township.doctor');
  if (!td?.organizationId) return out;
  const others = w.townships.filter((t) => t.id !== td.organizationId && t.isCentral);
  const requesters: Record<ConsultWho, Actor> = {
    td: { userId: td.id, username: td.username, organizationId: td.organizationId, roles: td.roles, displayName: td.displayName },
    g1: doctorAt(others[0]?.id ?? td.organizationId, 'township-doctor'),
    g2: doctorAt(others[1]?.id ?? td.organizationId, 'township-doctor'),
    tcm: doctorAt(w.tcm.id, 'county-specialist'),
    mch: doctorAt(w.mch.id, 'county-specialist'),
  };
  const patientsOf = (orgIds: string[]) => queryRows<Pt>(db, sql`
    select id, name, sex, birth_date::text as birth_date from patients where managing_organization_id = any(${sql.param(orgIds)}::text[]) order by id desc limit 300`);
  // A county hospital's doctors may read the patients referred to it (the patient access rule's referral basis).
  const referredTo = (orgId: string) => queryRows<Pt>(db, sql`
    select p.id, p.name, p.sex, p.birth_date::text as birth_date from patients p
    where p.id in (select patient_id from referrals where destination_organization_id = ${orgId} and status not in ('draft', 'cancelled', 'rejected'))
    order by p.id limit 300`);
  const supervisedBy = (org: string) => [org, ...[...w.orgs.values()].filter((o) => o.supervisorId === org).map((o) => o.id)];
  const villageOrg = w.users.get('village.doctor')?.organizationId;
  const pools: Record<ConsultWho, Pt[]> = {
    td: await patientsOf(supervisedBy(td.organizationId).filter((o) => o !== villageOrg)),
    g1: await patientsOf(supervisedBy(requesters.g1.organizationId!)),
    g2: await patientsOf(supervisedBy(requesters.g2.organizationId!)),
    tcm: await referredTo(w.tcm.id),
    mch: await referredTo(w.mch.id),
  };
  const used = new Set<string>();
  /** A fitting patient of the requester; else of a township requester (a hospital with no referred patient of that age). */
  const pick = (from: ConsultWho, c: ConsultationCase): { who: ConsultWho; p: Pt } | null => {
    const fits = (p: Pt) => (!('sex' in c) || !c.sex || c.sex === p.sex) && ageOn(p.birth_date, s.today) >= c.age[0] && ageOn(p.birth_date, s.today) <= c.age[1];
    for (const who of [from, 'g1', 'g2', 'td'] as const) {
      const p = pools[who].find((x) => !used.has(x.id) && fits(x));
      if (p) {
        used.add(p.id);
        return { who, p };
      }
    }
    return null;
  };
  const member = (username: string) => center.members.find((m) => m.username === username);
  const memberActor = (m: Member): Actor => {
    const u = w.users.get(m.username);
    return u
      ? { userId: u.id, username: u.username, organizationId: u.organizationId, roles: u.roles, displayName: u.displayName }
      : { userId: m.userId, username: m.username, organizationId: center.organizationId, roles: ['center-reader'], displayName: m.name };
  };
  // The coordinator is the consultation center's duty head at that instant (else the first of the pool).
  const coordinator = (): RequestContext => ctxOf(memberActor(shiftAt(s, 'consultation', clock.now().getTime())?.head ?? center.members[0]!));
  const ids: string[] = [];

  interface Job { hoursAgo: number; order: number; run: () => Promise<void> }
  const jobs: Job[] = [];
  stories.forEach((story, index) => {
    const c: ConsultationCase = CONSULTATION_CASES[story.case];
    const state = { id: '', requester: requesters[story.from] };
    const internist = member('county.specialist') ?? center.members[0]!;
    const lead = member(EXPERT_OF_SPECIALTY[c.specialty] ?? '') ?? center.members.find((m) => m !== internist) ?? internist;
    const seat = (x: PanelSeat) => (x === 'lead' ? lead : internist);
    const create = async () => {
      const chosen = pick(story.from, c);
      if (!chosen) throw new Error(`no patient fits ${story.case}`);
      state.requester = requesters[chosen.who];
      const n = reserved.get(`consult:${index}`);
      if (n !== undefined) await db.execute(sql`select setval('diagnosis_request_number_seq', ${n}, false)`);
      const created = clock.now();
      const org = w.orgs.get(state.requester.organizationId!);
      const child = ageOn(chosen.p.birth_date, s.today) < 18;
      const dto = await services.consultations.create(ctxOf(state.requester), {
        centerId: center.id, patientId: chosen.p.id, kind: story.kind, specialty: c.specialty, purpose: c.purpose, clinicalSummary: c.summary,
        ...(story.kind !== 'emergency' ? { urgency: story.urgency ?? 'routine' } : {}),
        ...(story.preferredInHours !== undefined ? { preferredAt: new Date(now.getTime() + story.preferredInHours * HOUR).toISOString() } : {}),
        consent: {
          // A child's consent is signed by a guardian; an emergency by the patient's agent (the family member present) when
          // the patient is too ill — both as the 2018 norms allow.
          signer: child ? 'guardian' : story.kind === 'emergency' ? 'agent' : 'patient',
          signerName: child ? `${chosen.p.name.slice(0, 1)}某（父亲）` : story.kind === 'emergency' ? `${chosen.p.name.slice(0, 1)}某（家属）` : chosen.p.name,
          signedAt: new Date(created.getTime() - (story.kind === 'emergency' ? 5 : 20) * MIN).toISOString(),
          formReference: `${(org?.name ?? '').slice(0, 4)}-YCHZ-ZQTY-${shanghaiDate(created).replace(/-/g, '')}-${String(index + 1).padStart(3, '0')}`,
        },
      });
      state.id = dto.id;
      ids.push(dto.id);
    };
    const stepRun = (step: ConsultStep) => async () => {
      if (!state.id) return;
      switch (step[0]) {
        case 'invite': {
          const m = seat(step[2]);
          await services.consultations.assignExpert(coordinator(), state.id, { userId: m.userId, role: step[2] === 'lead' ? 'lead' : 'member', ...(step[2] === 'internist' ? { specialty: '内科' } : {}) });
          break;
        }
        case 'accept': await services.consultations.respondToInvitation(ctxOf(memberActor(seat(step[2]))), state.id, { response: 'accept' }); break;
        case 'schedule': {
          const startsAt = Math.round((now.getTime() - step[2] * HOUR) / (5 * MIN)) * 5 * MIN;
          await services.consultations.schedule(coordinator(), state.id, {
            startsAt: new Date(startsAt).toISOString(), endsAt: new Date(startsAt + step[3] * MIN).toISOString(), videoLink: CONSULTATION_VIDEO_ROOMS[index % CONSULTATION_VIDEO_ROOMS.length]!,
          });
          break;
        }
        case 'start': await services.consultations.start(ctxOf(memberActor(lead)), state.id); break;
        case 'opinion': {
          const text = c.opinions?.[step[2] === 'lead' ? 0 : 1];
          if (text) await services.consultations.recordOpinion(ctxOf(memberActor(seat(step[2]))), state.id, text);
          break;
        }
        case 'conclude': if (c.decision) await services.consultations.conclude(ctxOf(state.requester), state.id, { decision: c.decision }); break;
        case 'decline': await services.consultations.decline(coordinator(), state.id, step[2]); break;
        case 'cancel': await services.consultations.cancel(ctxOf(state.requester), state.id, step[2]); break;
      }
    };
    jobs.push({ hoursAgo: story.hoursAgo, order: index * 100, run: create });
    story.steps.forEach((step, k) => jobs.push({ hoursAgo: step[1], order: index * 100 + k + 1, run: stepRun(step) }));
  });
  jobs.sort((a, b) => b.hoursAgo - a.hoursAgo || a.order - b.order);
  try {
    for (const job of jobs) {
      clock.set(at(job.hoursAgo));
      try {
        await job.run();
      } catch (e) {
        out.failed.push(`consultation ${Math.floor(job.order / 100)}.${job.order % 100}: ${(e as Error).message}`);
      }
    }
  } finally {
    if (maxNumber > 0) await db.execute(sql`select setval('diagnosis_request_number_seq', greatest((select last_value from diagnosis_request_number_seq), ${maxNumber}))`);
  }
  const run = await services.deadlines.runDue(now);
  out.overdue = run.deadlines;
  out.escalated = run.fired - run.deadlines;
  for (const r of await queryRows<{ status: string; n: string | number }>(db, sql`
    select status, count(*) as n from diagnosis_consultations where request_id = any(${sql.param(ids)}::text[]) group by status order by status`)) {
    out.byStatus[r.status] = Number(r.n);
    out.requests += Number(r.n);
  }
  return out;
}

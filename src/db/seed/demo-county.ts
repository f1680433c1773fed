import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../client.js';
import {
  allianceMemberships, alliances, departments, divisions, oauthClients, organizations, practitionerRoles,
  practitioners, supportPairings, userRoles, users,
} from '../schema/index.js';
import type {
  PractitionerTitle, Profession, RoleCode, Sex,
} from '../../contracts/codes.js';
import { nameBasedId, randomSecret } from '../../shared/ids.js';
import { composeResidentId } from '../../modules/patient/resident-id.rules.js';
import { loadDivisions } from './divisions.js';
import { Random, WeightedTable } from './random.js';
import { composeUscc } from './uscc.js';
import { demoOrganizationSite } from './coordinates.js';
import { seedDemoCapacity } from './demo-capacity.js';

/**
 * The demo county: 福建省龙岩市长汀县 (350821) with its real townships and villages (GB/T 2260, 2023), its county
 * medical community, the upper hospitals it refers to, staff and synthetic residents. Everything is generated from
 * `seed` (and the `asOf` date for ages and "this year"): the same inputs give the same rows, ids and ID numbers.
 *
 * Decisions:
 * - 汀州镇 is the urban core (13 社区居委会, no 村): it gets two community health centers instead of a township center,
 *   so the county has 17 township centers + 2 community health centers.
 * - Village clinics are made for 村民委员会 only. A "village" row whose name contains 社区 is a residents' committee
 *   (居委会) of a town seat: its residents are managed by the community health center (汀州镇) or by the township center.
 *   This gives 290 clinics for the 308 village-level divisions.
 * - Staff are sized on the real county (≈390,000 residents, ≈3.5 physicians per 1,000), independent of `residents`,
 *   so a small demo still has a realistic network; the upper hospitals are represented by a sample of their staff.
 */

export const DEMO_COUNTY_CODE = '350821';
/** 新罗区 hosts 龙岩市第一医院, 福州市鼓楼区 hosts 协和医院. */
export const DEMO_DIVISION_COUNTIES = ['350821', '350802', '350102'] as const;
/** Real population of 长汀县, used to size the staff (not the number of patient rows). */
const COUNTY_POPULATION = 390_000;
const PHYSICIANS_PER_1000 = 3.5;

export const DEMO_PASSWORD = 'Yilian@2026';

/** Demo sign-ins: one account per role, all with the same password, plus an OAuth client for integrations. */
export const demoAccounts = {
  password: DEMO_PASSWORD,
  users: [
    { username: 'village.doctor', role: 'village-doctor', organization: '河田镇的一所村卫生室' },
    { username: 'township.doctor', role: 'township-doctor', organization: '长汀县河田镇中心卫生院' },
    { username: 'county.specialist', role: 'county-specialist', organization: '长汀县总医院 内科' },
    { username: 'center.reader', role: 'center-reader', organization: '长汀县总医院 医学影像科' },
    { username: 'referral.desk', role: 'referral-desk', organization: '长汀县总医院 转诊服务中心' },
    { username: 'dispatch.coordinator', role: 'dispatch-coordinator', organization: '长汀县总医院' },
    { username: 'alliance.admin', role: 'alliance-admin', organization: '长汀县总医院' },
    { username: 'commission.officer', role: 'commission-officer', organization: null },
  ],
  serviceUser: { username: 'svc.his', role: 'referral-desk', organization: '长汀县总医院' },
  oauthClient: { clientId: 'demo-integration', clientSecret: 'demo-integration-secret' },
} as const satisfies {
  password: string;
  users: ReadonlyArray<{ username: string; role: RoleCode; organization: string | null }>;
  serviceUser: { username: string; role: RoleCode; organization: string };
  oauthClient: { clientId: string; clientSecret: string };
};

export type DemoStep =
  | 'divisions' | 'organizations' | 'departments' | 'alliances' | 'support-pairings' | 'practitioners' | 'users' | 'patients';

export interface DemoSeedOptions {
  seed: number;
  residents: number;
  hashPassword: (pw: string) => Promise<string>;
  onProgress?: (step: string, done: number, total: number) => void;
  /** Reference date (YYYY-MM-DD) for ages and "this year"; defaults to today in China Standard Time. */
  asOf?: string;
  /** Patients per bulk INSERT (default 10,000). */
  patientBatchSize?: number;
  /** Instant the demo's reserved capacity is published from (slots for today … +14 days, Asia/Shanghai); default now. */
  now?: Date;
}

export interface DemoSummary {
  seed: number;
  asOf: string;
  /** Rows of the demo data set per table (rows already present from an earlier run are skipped, not duplicated). */
  counts: {
    organizations: number;
    departments: number;
    alliances: number;
    allianceMemberships: number;
    supportPairings: number;
    practitioners: number;
    practitionerRoles: number;
    users: number;
    userRoles: number;
    oauthClients: number;
    patients: number;
    /** Patients actually inserted: fewer than `patients` when a re-run finds them (same id or ID number) present. */
    patientsInserted: number;
    /** Division rows loaded by this call (0 when they were already there). */
    divisionsLoaded: number;
  };
  /** Elapsed milliseconds per step. */
  timingsMs: Record<DemoStep, number>;
  totalMs: number;
  /** Patients per second over the whole patients step (generation, insert and index rebuild). */
  patientsPerSecond: number;
  /** Where the patients step spends its time. */
  patientPhasesMs: { generate: number; insert: number; restoreIndexes: number };
  /** Ids the tests and the README refer to. */
  keys: {
    countyHospitalId: string;
    tcmHospitalId: string;
    mchHospitalId: string;
    cityHospitalId: string;
    regionalCenterId: string;
    countyCommunityId: string;
    specialtyAllianceId: string;
    telemedicineNetworkId: string;
    /** Township center that joined the county community on 2021-07-01. */
    lateJoinerId: string;
    /** Village clinic whose membership was closed on 2024-01-01 and reopened on 2024-07-01. */
    movedClinicId: string;
    hetianCenterId: string;
  };
}

type OrgInsert = typeof organizations.$inferInsert;
type DeptInsert = typeof departments.$inferInsert;
type PractitionerInsert = typeof practitioners.$inferInsert;
type RoleInsert = typeof practitionerRoles.$inferInsert;
type MembershipInsert = typeof allianceMemberships.$inferInsert;

interface DivisionRef {
  code: string;
  name: string;
  parentCode: string | null;
}

/** A township of the county and what serves it. */
interface Township {
  division: DivisionRef;
  /** 河田镇 → 河田镇 (names are kept as given). */
  name: string;
  /** Township or community health center that manages residents without a village clinic. */
  centerId: string;
  villages: Village[];
  supportTier: 1 | 2 | 3;
  teams: number;
}

interface Village {
  division: DivisionRef;
  shortName: string;
  isCommunity: boolean;
  /** Village clinic, or the center that manages a 社区's residents. */
  managingOrganizationId: string;
  team: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Reference data for the demo

/** Big towns with central township health centers (中心卫生院). */
const CENTRAL_TOWNS = new Set(['河田镇', '古城镇', '濯田镇', '新桥镇']);
/** The smallest, most remote townships (the 乡): third tier of county-hospital support. */
const WEAKEST_TOWNS = new Set(['铁长乡', '庵杰乡', '宣成乡', '红山乡', '羊牯乡']);
/** Township centers the county TCM hospital supports (中医药适宜技术推广). */
const TCM_SUPPORTED_TOWNS = ['策武镇', '南山镇', '四都镇', '童坊镇'];
const URBAN_TOWN = '汀州镇';
const LATE_JOINER_TOWN = '羊牯乡';
const MOVED_CLINIC_TOWN = '濯田镇';

/** Surnames of 长汀 (a Hakka county: 刘, 李, 黄, 钟, 赖 … are frequent), relative weights. */
const SURNAMES: ReadonlyArray<readonly [string, number]> = [
  ['刘', 9], ['李', 6], ['黄', 5], ['陈', 5], ['张', 4], ['钟', 4], ['王', 3], ['赖', 3], ['罗', 3], ['吴', 3], ['曾', 3],
  ['廖', 3], ['林', 2], ['邱', 2], ['戴', 2], ['范', 2], ['杨', 2], ['温', 2], ['卢', 2], ['涂', 2], ['谢', 2], ['胡', 2],
  ['周', 2], ['马', 1], ['童', 1], ['丁', 1], ['蓝', 1], ['饶', 1], ['郑', 1], ['何', 1], ['江', 1], ['许', 1], ['徐', 1],
  ['巫', 1], ['邓', 1], ['曹', 1], ['游', 1], ['傅', 1], ['梁', 1], ['彭', 1], ['修', 0.5], ['揭', 0.5], ['上官', 0.3],
];
const GIVEN = {
  male: {
    old: '文明华建国伟强军平志东林生荣福金海德春清水才贵添根旺发祥昌兴标辉树松宝良仁义忠',
    young: '俊杰浩宇鹏辉斌涛勇峰晨轩博睿子宏振鑫磊凯宁翔泽豪航楷睿铭宸梓逸',
  },
  female: {
    old: '秀英兰芳梅玉珍凤春丽娟红燕霞琴萍云莲桂花美金菊香招娣妹英桃',
    young: '慧婷雪敏静佳欣怡涵琳萱雨诗悦琪妍思可馨梓彤璐瑶晴颖蕾',
  },
} as const;

/**
 * Rural age structure in 5-year bands 0–4 … 95–99 (per cent; shape of the 2020 census for rural Fujian: a bulge at
 * 45–69, working-age adults away, fewer births).
 */
const AGE_BANDS = [4.6, 5.6, 5.8, 5.2, 4.3, 4.6, 6.0, 5.6, 5.9, 7.4, 8.8, 8.2, 6.6, 6.8, 5.0, 3.3, 2.2, 1.1, 0.35, 0.08];

/** Age-specific shape of hypertension prevalence (China Hypertension Survey 2012–2015), scaled to 27.5% of adults. */
const hypertensionShape = (age: number): number =>
  age < 25 ? 0.04 : age < 35 ? 0.06 : age < 45 ? 0.15 : age < 55 ? 0.29 : age < 65 ? 0.45 : age < 75 ? 0.55 : 0.6;
/** Age-specific shape of diabetes prevalence (adult surveys 2013–2018), scaled to 11.9% of adults. */
const diabetesShape = (age: number): number =>
  age < 30 ? 0.02 : age < 40 ? 0.05 : age < 50 ? 0.09 : age < 60 ? 0.15 : age < 70 ? 0.2 : 0.22;
const HYPERTENSION_SHARE = 0.275;
const DIABETES_SHARE = 0.119;

const MOBILE_PREFIXES = [
  '133', '135', '136', '137', '138', '139', '150', '151', '152', '158', '159', '177', '180', '181', '183', '187', '188',
  '189', '199',
];

interface DeptSpec {
  code: string;
  name: string;
  specialty: string;
  beds: number;
  isTcm?: boolean;
  /** Relative number of physicians; 0 = no physicians (non-physician staff only). */
  staffWeight: number;
}

const COUNTY_HOSPITAL_DEPTS: DeptSpec[] = [
  { code: 'NK', name: '内科', specialty: 'internal-medicine', beds: 60, staffWeight: 8 },
  { code: 'XNK', name: '心血管内科', specialty: 'cardiology', beds: 60, staffWeight: 6 },
  { code: 'HXK', name: '呼吸与危重症医学科', specialty: 'respiratory-medicine', beds: 60, staffWeight: 6 },
  { code: 'SJNK', name: '神经内科', specialty: 'neurology', beds: 55, staffWeight: 5 },
  { code: 'XHNK', name: '消化内科', specialty: 'gastroenterology', beds: 40, staffWeight: 4 },
  { code: 'SNK', name: '肾内科', specialty: 'nephrology', beds: 30, staffWeight: 3 },
  { code: 'NFMK', name: '内分泌科', specialty: 'endocrinology', beds: 25, staffWeight: 3 },
  { code: 'GRK', name: '感染科', specialty: 'infectious-diseases', beds: 30, staffWeight: 3 },
  { code: 'WK', name: '外科', specialty: 'general-surgery', beds: 70, staffWeight: 8 },
  { code: 'GK', name: '骨科', specialty: 'orthopaedics', beds: 60, staffWeight: 6 },
  { code: 'SJWK', name: '神经外科', specialty: 'neurosurgery', beds: 35, staffWeight: 4 },
  { code: 'MNWK', name: '泌尿外科', specialty: 'urology', beds: 25, staffWeight: 3 },
  { code: 'FCK', name: '妇产科', specialty: 'obstetrics-gynaecology', beds: 60, staffWeight: 7 },
  { code: 'EK', name: '儿科', specialty: 'paediatrics', beds: 50, staffWeight: 6 },
  { code: 'ZZYXK', name: '重症医学科', specialty: 'critical-care', beds: 20, staffWeight: 3 },
  { code: 'JZK', name: '急诊科', specialty: 'emergency-medicine', beds: 20, staffWeight: 6 },
  { code: 'YK', name: '眼科', specialty: 'ophthalmology', beds: 15, staffWeight: 2 },
  { code: 'EBHK', name: '耳鼻咽喉科', specialty: 'otorhinolaryngology', beds: 15, staffWeight: 2 },
  { code: 'KQK', name: '口腔科', specialty: 'stomatology', beds: 0, staffWeight: 2 },
  { code: 'PFK', name: '皮肤科', specialty: 'dermatology', beds: 0, staffWeight: 1 },
  { code: 'MZK', name: '麻醉科', specialty: 'anaesthesiology', beds: 0, staffWeight: 4 },
  { code: 'YXYXK', name: '医学影像科', specialty: 'medical-imaging', beds: 0, staffWeight: 5 },
  { code: 'CSK', name: '超声医学科', specialty: 'ultrasound', beds: 0, staffWeight: 3 },
  { code: 'XDTS', name: '心电图室', specialty: 'electrocardiography', beds: 0, staffWeight: 2 },
  { code: 'JYK', name: '检验科', specialty: 'laboratory-medicine', beds: 0, staffWeight: 1 },
  { code: 'BLK', name: '病理科', specialty: 'pathology', beds: 0, staffWeight: 1 },
  { code: 'KFK', name: '康复医学科', specialty: 'rehabilitation-medicine', beds: 40, staffWeight: 2 },
  { code: 'ZYK', name: '中医科', specialty: 'tcm', beds: 30, isTcm: true, staffWeight: 2 },
  { code: 'YJK', name: '药剂科', specialty: 'pharmacy', beds: 0, staffWeight: 0 },
  { code: 'HLB', name: '护理部', specialty: 'nursing', beds: 0, staffWeight: 0 },
  { code: 'ZZFWZX', name: '转诊服务中心', specialty: 'referral-service', beds: 0, staffWeight: 0 },
  { code: 'YWK', name: '医务科', specialty: 'administration', beds: 0, staffWeight: 0 },
  { code: 'YGTGLZX', name: '医共体管理中心', specialty: 'administration', beds: 0, staffWeight: 0 },
];

const TCM_HOSPITAL_DEPTS: DeptSpec[] = [
  { code: 'ZYNK', name: '中医内科', specialty: 'tcm-internal-medicine', beds: 80, isTcm: true, staffWeight: 8 },
  { code: 'ZYGSK', name: '中医骨伤科', specialty: 'tcm-orthopaedics', beds: 60, isTcm: true, staffWeight: 6 },
  { code: 'ZJTNK', name: '针灸推拿科', specialty: 'acupuncture-tuina', beds: 30, isTcm: true, staffWeight: 4 },
  { code: 'ZYGCK', name: '中医肛肠科', specialty: 'tcm-anorectal', beds: 25, isTcm: true, staffWeight: 2 },
  { code: 'ZYFK', name: '中医妇科', specialty: 'tcm-gynaecology', beds: 20, isTcm: true, staffWeight: 2 },
  { code: 'ZYEK', name: '中医儿科', specialty: 'tcm-paediatrics', beds: 15, isTcm: true, staffWeight: 2 },
  { code: 'ZYKFK', name: '中医康复科', specialty: 'tcm-rehabilitation', beds: 40, isTcm: true, staffWeight: 3 },
  { code: 'ZYWK', name: '中医外科', specialty: 'tcm-surgery', beds: 30, isTcm: true, staffWeight: 3 },
  { code: 'ZWBK', name: '治未病科', specialty: 'tcm-preventive', beds: 0, isTcm: true, staffWeight: 1 },
  { code: 'JZK', name: '急诊科', specialty: 'emergency-medicine', beds: 0, staffWeight: 2 },
  { code: 'YXYXK', name: '医学影像科', specialty: 'medical-imaging', beds: 0, staffWeight: 2 },
  { code: 'JYK', name: '检验科', specialty: 'laboratory-medicine', beds: 0, staffWeight: 1 },
  { code: 'ZYYJK', name: '中药房', specialty: 'pharmacy', beds: 0, isTcm: true, staffWeight: 0 },
];

const MCH_HOSPITAL_DEPTS: DeptSpec[] = [
  { code: 'CK', name: '产科', specialty: 'obstetrics', beds: 50, staffWeight: 6 },
  { code: 'FK', name: '妇科', specialty: 'gynaecology', beds: 30, staffWeight: 4 },
  { code: 'EK', name: '儿科', specialty: 'paediatrics', beds: 40, staffWeight: 5 },
  { code: 'XSEK', name: '新生儿科', specialty: 'neonatology', beds: 20, staffWeight: 3 },
  { code: 'ETBJK', name: '儿童保健科', specialty: 'child-health', beds: 0, staffWeight: 3 },
  { code: 'FNBJK', name: '妇女保健科', specialty: 'women-health', beds: 0, staffWeight: 2 },
  { code: 'CSK', name: '超声医学科', specialty: 'ultrasound', beds: 0, staffWeight: 2 },
  { code: 'MZK', name: '麻醉科', specialty: 'anaesthesiology', beds: 0, staffWeight: 1 },
  { code: 'JYK', name: '检验科', specialty: 'laboratory-medicine', beds: 0, staffWeight: 1 },
  { code: 'ZYK', name: '中医科', specialty: 'tcm', beds: 10, isTcm: true, staffWeight: 1 },
];

const UPPER_HOSPITAL_DEPTS: DeptSpec[] = [
  { code: 'XNK', name: '心血管内科', specialty: 'cardiology', beds: 120, staffWeight: 5 },
  { code: 'HXK', name: '呼吸与危重症医学科', specialty: 'respiratory-medicine', beds: 100, staffWeight: 4 },
  { code: 'SJNK', name: '神经内科', specialty: 'neurology', beds: 100, staffWeight: 4 },
  { code: 'ZLK', name: '肿瘤科', specialty: 'oncology', beds: 120, staffWeight: 4 },
  { code: 'XYK', name: '血液科', specialty: 'haematology', beds: 60, staffWeight: 2 },
  { code: 'XWK', name: '胸外科', specialty: 'thoracic-surgery', beds: 60, staffWeight: 3 },
  { code: 'WK', name: '普通外科', specialty: 'general-surgery', beds: 150, staffWeight: 4 },
  { code: 'XXWK', name: '心脏大血管外科', specialty: 'cardiac-surgery', beds: 50, staffWeight: 2 },
  { code: 'EK', name: '儿科', specialty: 'paediatrics', beds: 100, staffWeight: 3 },
  { code: 'YXYXK', name: '医学影像科', specialty: 'medical-imaging', beds: 0, staffWeight: 3 },
  { code: 'BLK', name: '病理科', specialty: 'pathology', beds: 0, staffWeight: 2 },
  { code: 'XDTS', name: '心电诊断科', specialty: 'electrocardiography', beds: 0, staffWeight: 1 },
  { code: 'HLB', name: '护理部', specialty: 'nursing', beds: 0, staffWeight: 0 },
  { code: 'YJK', name: '药学部', specialty: 'pharmacy', beds: 0, staffWeight: 0 },
  { code: 'YWB', name: '医务部', specialty: 'administration', beds: 0, staffWeight: 0 },
];

const centerDepts = (central: boolean, beds: number): DeptSpec[] => {
  const tcmBeds = Math.round(beds * 0.2);
  const surgeryBeds = central ? Math.round(beds * 0.2) : 0;
  const rehabBeds = central ? Math.round(beds * 0.1) : 0;
  const list: DeptSpec[] = [
    { code: 'QK', name: '全科', specialty: 'general-practice', beds: beds - tcmBeds - surgeryBeds - rehabBeds, staffWeight: 12 },
    { code: 'ZYK', name: '中医科', specialty: 'tcm', beds: tcmBeds, isTcm: true, staffWeight: 4 },
    { code: 'GWK', name: '公卫科', specialty: 'public-health', beds: 0, staffWeight: 2 },
    { code: 'FSK', name: '放射科', specialty: 'medical-imaging', beds: 0, staffWeight: 1.5 },
    { code: 'JYK', name: '检验科', specialty: 'laboratory-medicine', beds: 0, staffWeight: 0 },
  ];
  if (central) {
    list.push({ code: 'WK', name: '外科', specialty: 'general-surgery', beds: surgeryBeds, staffWeight: 3 });
    list.push({ code: 'KFK', name: '康复科', specialty: 'rehabilitation-medicine', beds: rehabBeds, staffWeight: 1 });
  }
  return list;
};

/** Title mix per tier (junior / intermediate / associate senior / senior). */
const TITLE_MIX: Record<'county' | 'center' | 'village' | 'upper', ReadonlyArray<readonly [PractitionerTitle, number]>> = {
  upper: [['junior', 30], ['intermediate', 35], ['associate-senior', 22], ['senior', 13]],
  county: [['junior', 40], ['intermediate', 34], ['associate-senior', 19], ['senior', 7]],
  center: [['junior', 55], ['intermediate', 35], ['associate-senior', 9], ['senior', 1]],
  village: [['junior', 94], ['intermediate', 6]],
};
const YEARS_IN_PRACTICE: Record<PractitionerTitle, readonly [number, number]> = {
  junior: [1, 8],
  intermediate: [6, 20],
  'associate-senior': [12, 28],
  senior: [18, 36],
};

// ---------------------------------------------------------------------------------------------------------------

const shortVillageName = (name: string): string =>
  name.replace(/村民委员会$/, '村').replace(/村委会$/, '村').replace(/居民委员会$/, '').replace(/居委会$/, '');

function chinaToday(): string {
  return new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
}

const mobile = (rng: Random): string => `${rng.pick(MOBILE_PREFIXES)}${String(rng.int(0, 99_999_999)).padStart(8, '0')}`;

const DAY_MS = 86_400_000;
const toDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Runs `fn` and records its duration under `step`. */
async function timed<T>(timings: Record<string, number>, step: DemoStep, fn: () => Promise<T>): Promise<T> {
  const t = performance.now();
  const r = await fn();
  timings[step] = Math.round(performance.now() - t);
  return r;
}

async function insertAll<T extends Record<string, unknown>>(
  insert: (rows: T[]) => Promise<unknown>,
  rows: T[],
  batch = 1000,
): Promise<void> {
  for (let i = 0; i < rows.length; i += batch) await insert(rows.slice(i, i + batch));
}

/** Below this many patients, rebuilding indexes and foreign keys costs more than it saves. */
const INDEX_REBUILD_THRESHOLD = 20_000;

/**
 * Drops the non-unique indexes and the foreign keys of a table and returns the statements that restore them, taken
 * from the catalog (pg_indexes.indexdef, pg_get_constraintdef) so nothing here can drift from the schema. Re-adding a
 * foreign key validates all rows in one join instead of one trigger call per row. Call inside a transaction: the DDL
 * rolls back with it, and the table stays locked (ACCESS EXCLUSIVE) until it commits.
 */
async function suspendIndexesAndForeignKeys(db: Db, table: string): Promise<string[]> {
  const result = await db.execute<{ indexname: string; indexdef: string }>(sql`
    SELECT indexname, indexdef FROM pg_indexes
    WHERE schemaname = current_schema() AND tablename = ${table} AND indexdef NOT LIKE 'CREATE UNIQUE INDEX%'`);
  const rows = (result as unknown as { rows: { indexname: string; indexdef: string }[] }).rows;
  for (const r of rows) await db.execute(sql`DROP INDEX ${sql.identifier(r.indexname)}`);
  const fk = await db.execute(sql`
    SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
    WHERE conrelid = ${table}::regclass AND contype = 'f'`);
  const fks = (fk as unknown as { rows: { conname: string; def: string }[] }).rows;
  for (const r of fks) await db.execute(sql`ALTER TABLE ${sql.identifier(table)} DROP CONSTRAINT ${sql.identifier(r.conname)}`);
  return [
    ...rows.map((r) => r.indexdef),
    ...fks.map((r) => `ALTER TABLE "${table}" ADD CONSTRAINT "${r.conname}" ${r.def}`),
  ];
}

/**
 * Seeds the demo county. Call `loadDivisions` and `seedDefaultCatalogue` first (the division rows this needs are
 * loaded here if they are missing). Idempotent for the same seed: a second run inserts nothing new. A database that
 * already holds a demo county made with another seed is refused, since the facilities' identifiers would collide.
 */
export async function seedDemoCounty(db: Db, opts: DemoSeedOptions): Promise<DemoSummary> {
  // One transaction: the demo county appears whole or not at all, and PGlite commits once instead of per batch.
  return db.transaction(async (tx) => seedInTransaction(tx as unknown as Db, opts));
}

async function seedInTransaction(db: Db, opts: DemoSeedOptions): Promise<DemoSummary> {
  const started = performance.now();
  const asOf = opts.asOf ?? chinaToday();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw new Error(`asOf ${asOf} must be YYYY-MM-DD`);
  if (!Number.isInteger(opts.residents) || opts.residents < 0) throw new Error('residents must be a non-negative integer');
  const year = Number(asOf.slice(0, 4));
  const ns = `demo-${opts.seed}`;
  const id = (kind: string, key: string): string => nameBasedId(ns, `${kind}:${key}`);
  const progress = (step: DemoStep, done: number, total: number): void => opts.onProgress?.(step, done, total);
  const timings = {} as Record<DemoStep, number>;
  const counts: DemoSummary['counts'] = {
    organizations: 0, departments: 0, alliances: 0, allianceMemberships: 0, supportPairings: 0, practitioners: 0,
    practitionerRoles: 0, users: 0, userRoles: 0, oauthClients: 0, patients: 0, patientsInserted: 0, divisionsLoaded: 0,
  };

  // --- divisions -------------------------------------------------------------------------------------------------
  await timed(timings, 'divisions', async () => {
    const present = await db
      .select({ county: divisions.countyCode, n: sql<number>`count(*)::int` })
      .from(divisions)
      .where(and(inArray(divisions.countyCode, [...DEMO_DIVISION_COUNTIES]), eq(divisions.level, 'township')))
      .groupBy(divisions.countyCode);
    if (present.length < DEMO_DIVISION_COUNTIES.length) {
      counts.divisionsLoaded = (await loadDivisions(db, { countyCodes: [...DEMO_DIVISION_COUNTIES] })).inserted;
    }
    progress('divisions', 1, 1);
  });
  const countyDivisions = await db
    .select({ code: divisions.code, name: divisions.name, level: divisions.level, parentCode: divisions.parentCode })
    .from(divisions)
    .where(eq(divisions.countyCode, DEMO_COUNTY_CODE))
    .orderBy(divisions.code);
  const townshipDivs = countyDivisions.filter((d) => d.level === 'township');
  const villageDivs = countyDivisions.filter((d) => d.level === 'village');
  if (townshipDivs.length === 0 || villageDivs.length === 0) {
    throw new Error(`The townships and villages of ${DEMO_COUNTY_CODE} 长汀县 are missing from the divisions table`);
  }

  const orgRng = new Random(opts.seed, 'organizations');
  const orgs: OrgInsert[] = [];
  const depts: DeptInsert[] = [];
  const deptIdsByOrg = new Map<string, Map<string, string>>();
  const deptSpecsByOrg = new Map<string, DeptSpec[]>();
  const phone = (area: string): string => `${area}-${orgRng.int(2, 8)}${String(orgRng.int(0, 999_999)).padStart(6, '0')}`;

  const addOrg = (key: string, o: Omit<OrgInsert, 'id'>, specs: DeptSpec[] = []): string => {
    const orgId = id('org', key);
    // Every demo facility gets an approximate site (authored, documented in coordinates.ts) for routing distances.
    orgs.push({ id: orgId, ...demoOrganizationSite(key), ...o });
    const map = new Map<string, string>();
    for (const s of specs) {
      const deptId = id('dept', `${key}/${s.code}`);
      map.set(s.code, deptId);
      depts.push({
        id: deptId, organizationId: orgId, code: s.code, name: s.name, specialty: s.specialty, beds: s.beds,
        isTcm: s.isTcm ?? false,
      });
    }
    deptIdsByOrg.set(orgId, map);
    deptSpecsByOrg.set(orgId, specs);
    return orgId;
  };

  // --- organizations ---------------------------------------------------------------------------------------------
  const urbanTownship = townshipDivs.find((t) => t.name === URBAN_TOWN) ?? townshipDivs[0]!;
  const countySeat = urbanTownship.code;
  // Public hospitals and health centers are 事业单位 registered by the county (12 + 350821 + organization code).
  const usccCounty = (body: string): string => composeUscc({ divisionCode: DEMO_COUNTY_CODE, organizationCodeBody: body });

  const countyHospitalId = addOrg('county-hospital', {
    identifier: usccCounty('48880101'), identifierKind: 'uscc', name: '长汀县总医院', shortName: '县总医院',
    tier: 'county-hospital', hospitalLevel: '2', hospitalGrade: 'A', beds: 800, divisionCode: countySeat,
    countyCode: DEMO_COUNTY_CODE, addressLine: `长汀县${URBAN_TOWN}`, phone: phone('0597'), isCentral: false,
    meetsCapabilityStandard: true,
  }, COUNTY_HOSPITAL_DEPTS);
  const tcmHospitalId = addOrg('county-tcm-hospital', {
    identifier: usccCounty('48880102'), identifierKind: 'uscc', name: '长汀县中医院', shortName: '县中医院',
    tier: 'county-tcm-hospital', hospitalLevel: '2', hospitalGrade: 'A', beds: 300, divisionCode: countySeat,
    countyCode: DEMO_COUNTY_CODE, addressLine: `长汀县${URBAN_TOWN}`, phone: phone('0597'), meetsCapabilityStandard: true,
  }, TCM_HOSPITAL_DEPTS);
  const mchHospitalId = addOrg('county-mch-hospital', {
    identifier: usccCounty('48880103'), identifierKind: 'uscc', name: '长汀县妇幼保健院', shortName: '县妇幼',
    tier: 'county-mch-hospital', hospitalLevel: '2', hospitalGrade: 'B', beds: 150, divisionCode: countySeat,
    countyCode: DEMO_COUNTY_CODE, addressLine: `长汀县${URBAN_TOWN}`, phone: phone('0597'), meetsCapabilityStandard: true,
  }, MCH_HOSPITAL_DEPTS);
  const cityHospitalId = addOrg('city-hospital', {
    identifier: composeUscc({ divisionCode: '350800', organizationCodeBody: '48870001' }), identifierKind: 'uscc',
    name: '龙岩市第一医院', shortName: '龙岩一院', tier: 'city-hospital', hospitalLevel: '3', hospitalGrade: 'A', beds: 2200,
    divisionCode: '350802', countyCode: '350802', addressLine: '龙岩市新罗区', phone: phone('0597'), meetsCapabilityStandard: true,
  }, UPPER_HOSPITAL_DEPTS);
  const regionalCenterId = addOrg('regional-medical-center', {
    identifier: composeUscc({ divisionCode: '350000', organizationCodeBody: '48860001' }), identifierKind: 'uscc',
    name: '福建医科大学附属协和医院', shortName: '协和医院', tier: 'regional-medical-center', hospitalLevel: '3', hospitalGrade: 'A',
    beds: 2500, divisionCode: '350102', countyCode: '350102', addressLine: '福州市鼓楼区', phone: phone('0591'),
    meetsCapabilityStandard: true,
  }, UPPER_HOSPITAL_DEPTS);

  // Township centers (and the urban core's community health centers), then their villages.
  const townships: Township[] = [];
  const townNamesInUse = new Map<string, number>();
  for (const v of villageDivs) {
    const s = shortVillageName(v.name);
    townNamesInUse.set(s, (townNamesInUse.get(s) ?? 0) + 1);
  }
  let centerSeq = 0;
  for (const t of townshipDivs) {
    centerSeq++;
    const villages = villageDivs.filter((v) => v.parentCode === t.code);
    const isUrban = t.code === countySeat;
    const central = CENTRAL_TOWNS.has(t.name);
    const supportTier: 1 | 2 | 3 = central ? 1 : WEAKEST_TOWNS.has(t.name) ? 3 : 2;
    let centerId: string;
    const communityCenters: { id: string; communities: Set<string> }[] = [];
    if (isUrban) {
      // The urban core has only 社区居委会: two community health centers split its communities by code.
      const communities = villages.filter((v) => shortVillageName(v.name).includes('社区'));
      const half = Math.ceil(communities.length / 2);
      const groups = [communities.slice(0, half), communities.slice(half)].filter((g) => g.length > 0);
      if (groups.length === 0) groups.push([]);
      groups.forEach((g, i) => {
        const seatName = i === 0 ? '' : shortVillageName(g[0]!.name);
        const chcId = addOrg(`chc:${t.code}:${i}`, {
          identifier: usccCounty(`4888030${i + 1}`), identifierKind: 'uscc',
          name: `长汀县${t.name}${seatName}社区卫生服务中心`.replace('社区社区', '社区'),
          shortName: `${seatName || t.name}社区卫生服务中心`.replace('社区社区', '社区'),
          tier: 'community-health-center', beds: i === 0 ? 30 : 0,
          divisionCode: i === 0 ? t.code : g[0]!.code, countyCode: DEMO_COUNTY_CODE,
          addressLine: `长汀县${t.name}${seatName}`, phone: phone('0597'), meetsCapabilityStandard: true,
        }, centerDepts(false, i === 0 ? 30 : 0));
        communityCenters.push({ id: chcId, communities: new Set(g.map((c) => c.code)) });
      });
      centerId = communityCenters[0]!.id;
    } else {
      const beds = central ? orgRng.int(60, 99) : supportTier === 3 ? orgRng.int(20, 30) : orgRng.int(25, 55);
      const name = central ? `长汀县${t.name}中心卫生院` : `长汀县${t.name}卫生院`;
      centerId = addOrg(`thc:${t.code}`, {
        identifier: usccCounty(`488802${String(centerSeq).padStart(2, '0')}`), identifierKind: 'uscc', name,
        shortName: name.replace(/^长汀县/, ''), tier: 'township-health-center', beds, divisionCode: t.code,
        countyCode: DEMO_COUNTY_CODE, addressLine: `长汀县${t.name}`, phone: phone('0597'), isCentral: central,
        meetsCapabilityStandard: supportTier !== 3,
      }, centerDepts(central, beds));
    }
    const teams = Math.max(2, Math.round(villages.length / 3));
    const town: Township = { division: t, name: t.name, centerId, villages: [], supportTier, teams };
    villages.forEach((v, i) => {
      const short = shortVillageName(v.name);
      const isCommunity = short.includes('社区');
      let managing = centerId;
      if (isCommunity) {
        managing = communityCenters.find((c) => c.communities.has(v.code))?.id ?? centerId;
      } else {
        const clinicName = (townNamesInUse.get(short) ?? 0) > 1 ? `${t.name}${short}卫生室` : `${short}卫生室`;
        managing = addOrg(`vc:${v.code}`, {
          identifier: `CT-V-${v.code}`, identifierKind: 'local', name: clinicName, shortName: `${short}卫生室`,
          tier: 'village-clinic', beds: 0, divisionCode: v.code, countyCode: DEMO_COUNTY_CODE,
          addressLine: `长汀县${t.name}${short}`, phone: orgRng.chance(0.7) ? phone('0597') : null, supervisorId: centerId,
          meetsCapabilityStandard: orgRng.chance(0.8),
        });
      }
      town.villages.push({ division: v, shortName: short, isCommunity, managingOrganizationId: managing, team: (i % teams) + 1 });
    });
    townships.push(town);
  }
  const townByName = (name: string): Township => {
    const t = townships.find((x) => x.name === name);
    if (!t) throw new Error(`township ${name} not found in ${DEMO_COUNTY_CODE}`);
    return t;
  };
  const ruralTowns = townships.filter((t) => t.division.code !== countySeat);
  const grassrootsCenters = orgs.filter((o) => o.tier === 'township-health-center' || o.tier === 'community-health-center');
  const villageClinics = orgs.filter((o) => o.tier === 'village-clinic');
  const hetian = townByName('河田镇');
  const lateJoiner = townByName(LATE_JOINER_TOWN);
  const movedTown = townByName(MOVED_CLINIC_TOWN);
  const movedClinicId = movedTown.villages.filter((v) => !v.isCommunity)[1]!.managingOrganizationId;

  // The identifiers are fixed; a different seed would give the same facilities new ids. Refuse rather than mix.
  const existing = await db
    .select({ id: organizations.id })
    .from(organizations)
    .where(eq(organizations.identifier, orgs[0]!.identifier));
  if (existing.length > 0 && existing[0]!.id !== countyHospitalId) {
    throw new Error('This database already holds a demo county seeded with another seed; use an empty database.');
  }

  await timed(timings, 'organizations', async () => {
    // Centers before the clinics they supervise (no foreign key, but keep the order natural).
    await insertAll((rows) => db.insert(organizations).values(rows).onConflictDoNothing(), orgs, 500);
    counts.organizations = orgs.length;
    progress('organizations', orgs.length, orgs.length);
  });
  await timed(timings, 'departments', async () => {
    await insertAll((rows) => db.insert(departments).values(rows).onConflictDoNothing(), depts);
    counts.departments = depts.length;
    progress('departments', depts.length, depts.length);
  });

  // --- alliances and memberships ---------------------------------------------------------------------------------
  const countyCommunityId = id('alliance', 'county-community');
  const specialtyAllianceId = id('alliance', 'cardiology');
  const telemedicineNetworkId = id('alliance', 'telemedicine');
  await timed(timings, 'alliances', async () => {
    const allianceRows: (typeof alliances.$inferInsert)[] = [
      {
        id: countyCommunityId, identifier: 'CT-YGT-2019', name: '长汀县总医院医共体', kind: 'county-community',
        leadOrganizationId: countyHospitalId, divisionCode: DEMO_COUNTY_CODE, establishedOn: '2019-01-01',
      },
      {
        id: specialtyAllianceId, identifier: 'LY-XXG-ZKLM', name: '龙岩市心血管专科联盟', kind: 'specialty-alliance',
        leadOrganizationId: cityHospitalId, divisionCode: '350800', specialty: 'cardiology', establishedOn: '2020-05-01',
      },
      {
        id: telemedicineNetworkId, identifier: 'FJXH-YCYL', name: '福建医科大学附属协和医院远程医疗协作网',
        kind: 'telemedicine-network', leadOrganizationId: regionalCenterId, divisionCode: '350000', establishedOn: '2018-03-01',
      },
    ];
    const m: MembershipInsert[] = [];
    const member = (
      allianceId: string, organizationId: string, validFrom: string, extra: Partial<MembershipInsert> = {},
    ): void => {
      m.push({
        id: id('membership', `${allianceId}/${organizationId}/${validFrom}`), allianceId, organizationId,
        role: 'member', validFrom, validTo: null, reason: null, createdBy: 'demo-seed', ...extra,
      });
    };
    const founding = '2019-01-01';
    member(countyCommunityId, countyHospitalId, founding, { role: 'lead', reason: '医共体牵头医院' });
    member(countyCommunityId, tcmHospitalId, founding);
    member(countyCommunityId, mchHospitalId, founding);
    const lateFrom = '2021-07-01';
    for (const c of grassrootsCenters) {
      const late = c.id === lateJoiner.centerId;
      member(countyCommunityId, c.id, late ? lateFrom : founding, late ? { reason: '乡镇卫生院体制调整后纳入医共体' } : {});
    }
    for (const clinic of villageClinics) {
      const late = clinic.supervisorId === lateJoiner.centerId;
      if (clinic.id === movedClinicId) {
        member(countyCommunityId, clinic.id, founding, {
          validTo: '2024-01-01', reason: '乡村医生退休，卫生室暂停执业，由乡镇卫生院巡诊覆盖',
        });
        member(countyCommunityId, clinic.id, '2024-07-01', { reason: '新聘乡村医生到岗，重新纳入乡村一体化管理' });
        continue;
      }
      member(countyCommunityId, clinic.id, late ? lateFrom : founding, late ? { reason: '随所属乡镇卫生院纳入医共体' } : {});
    }
    member(specialtyAllianceId, cityHospitalId, '2020-05-01', { role: 'lead' });
    member(specialtyAllianceId, countyHospitalId, '2020-05-01');
    member(specialtyAllianceId, tcmHospitalId, '2022-03-01');
    member(telemedicineNetworkId, regionalCenterId, '2018-03-01', { role: 'lead' });
    member(telemedicineNetworkId, cityHospitalId, '2018-03-01');
    member(telemedicineNetworkId, countyHospitalId, '2018-06-01');
    member(telemedicineNetworkId, tcmHospitalId, '2020-01-01');
    member(telemedicineNetworkId, mchHospitalId, '2020-01-01');
    for (const c of grassrootsCenters.filter((o) => o.isCentral)) member(telemedicineNetworkId, c.id, '2022-01-01');

    await db.insert(alliances).values(allianceRows).onConflictDoNothing();
    await insertAll((rows) => db.insert(allianceMemberships).values(rows).onConflictDoNothing(), m);
    counts.alliances = allianceRows.length;
    counts.allianceMemberships = m.length;
    progress('alliances', m.length, m.length);
  });

  // --- support pairings (对口帮扶) -------------------------------------------------------------------------------
  await timed(timings, 'support-pairings', async () => {
    const p: (typeof supportPairings.$inferInsert)[] = [];
    const pair = (from: string, to: string, tier: 1 | 2 | 3, validFrom: string, note: string): void => {
      p.push({
        id: id('support', `${from}->${to}`), supportingOrganizationId: from, supportedOrganizationId: to,
        supportTier: tier, validFrom, note,
      });
    };
    pair(cityHospitalId, countyHospitalId, 1, '2021-01-01', '城市三级医院对口帮扶县医院（一对一）');
    pair(regionalCenterId, countyHospitalId, 1, '2019-06-01', '省级区域医疗中心对口支援（一对多为辅）');
    for (const t of ruralTowns) {
      const note = t.supportTier === 1 ? '第一梯次：基础较好、服务人口较多的中心卫生院'
        : t.supportTier === 2 ? '第二梯次：有一定基础的偏远卫生院' : '第三梯次：基础薄弱的卫生院';
      pair(countyHospitalId, t.centerId, t.supportTier, t.name === LATE_JOINER_TOWN ? '2021-07-01' : '2019-03-01', note);
    }
    for (const name of TCM_SUPPORTED_TOWNS) {
      const t = townships.find((x) => x.name === name);
      if (t) pair(tcmHospitalId, t.centerId, t.supportTier, '2020-01-01', '县中医院帮扶：中医药适宜技术推广');
    }
    await db.insert(supportPairings).values(p).onConflictDoNothing();
    counts.supportPairings = p.length;
    progress('support-pairings', p.length, p.length);
  });

  // --- practitioners and their roles ----------------------------------------------------------------------------
  const staffRng = new Random(opts.seed, 'practitioners');
  const surnameTable = new WeightedTable(SURNAMES);
  const nameRng = (rng: Random, sex: Sex, birthYear: number): string => {
    const surname = surnameTable.draw(rng.float());
    const pools = GIVEN[sex];
    // Given names follow fashion: 秀英 and 建国 for the old, 子轩 and 梓涵 for the young.
    const pool = birthYear < 1975 ? pools.old : birthYear >= 1992 ? pools.young : rng.chance(0.5) ? pools.old : pools.young;
    const first = pool[Math.floor(rng.float() * pool.length)]!;
    if (rng.chance(0.22)) return surname + first;
    let second = pool[Math.floor(rng.float() * pool.length)]!;
    if (second === first && rng.chance(0.7)) second = pool[Math.floor(rng.float() * pool.length)]!;
    return surname + first + second;
  };
  const pracs: PractitionerInsert[] = [];
  const roles: RoleInsert[] = [];
  let certSeq = 0;
  const titleTables = Object.fromEntries(
    Object.entries(TITLE_MIX).map(([k, v]) => [k, new WeightedTable(v)]),
  ) as Record<keyof typeof TITLE_MIX, WeightedTable<PractitionerTitle>>;
  const byOrgDept = new Map<string, PractitionerInsert[]>();

  interface StaffExtra {
    /** Division code in the certificate number (default: the demo county). */
    division?: string;
    /** Certificate category: 1 临床, 2 中医, 3 口腔, 4 公卫 (default: 2 in TCM departments, else 1). */
    category?: '1' | '2' | '3' | '4';
    title?: PractitionerTitle;
    /** 执业助理医师 (most village doctors). */
    assistant?: boolean;
  }
  const addPractitioner = (
    orgId: string, dept: DeptSpec | null, profession: Profession, mix: keyof typeof TITLE_MIX, extra: StaffExtra = {},
  ): PractitionerInsert => {
    const args = { orgId, dept, profession, mix, division: DEMO_COUNTY_CODE, ...extra };
    const title = args.title ?? titleTables[args.mix].draw(staffRng.float());
    const [minY, maxY] = YEARS_IN_PRACTICE[title];
    const years = staffRng.int(minY, maxY);
    const startYear = year - years;
    const maleShare = args.profession === 'nurse' ? 0.05 : args.mix === 'village' ? 0.7 : 0.56;
    const sex: Sex = staffRng.chance(maleShare) ? 'male' : 'female';
    certSeq++;
    // Practice certificate style (医师执业证书编码, 15 digits): level (1 医师, 2 助理), category (1 临床, 2 中医,
    // 3 口腔, 4 公卫), 0, 6-digit division, 6-digit serial. Other professions get a local staff number.
    const serial = String(certSeq).padStart(6, '0');
    const category = args.category ?? (args.dept?.isTcm ? '2' : '1');
    const identifier = args.profession === 'physician'
      ? `${args.assistant ? '2' : '1'}${category}0${args.division}${serial}`
      : `CT-S-${args.division}-${serial}`;
    const pid = id('practitioner', `${args.orgId}/${certSeq}`);
    const p: PractitionerInsert = {
      id: pid, identifier, name: nameRng(staffRng, sex, startYear - 24), sex, profession: args.profession, title,
      specialty: args.dept?.specialty ?? (args.mix === 'village' ? 'village-medicine' : 'general-practice'),
      homeOrganizationId: args.orgId,
      departmentId: args.dept ? deptIdsByOrg.get(args.orgId)!.get(args.dept.code)! : null,
      phone: mobile(staffRng),
      practiceStartYear: startYear,
    };
    pracs.push(p);
    const key = `${args.orgId}/${args.dept?.code ?? ''}`;
    const list = byOrgDept.get(key) ?? [];
    list.push(p);
    byOrgDept.set(key, list);
    roles.push({
      id: id('prole', `${pid}/home`), practitionerId: pid, organizationId: args.orgId, departmentId: p.departmentId,
      kind: 'home', validFrom: `${Math.max(startYear, 1990)}-07-01`, validTo: null,
    });
    return p;
  };

  /** Distributes `n` physicians over departments by weight (largest remainder, deterministic). */
  const spread = (specs: DeptSpec[], n: number): Map<DeptSpec, number> => {
    const weighted = specs.filter((s) => s.staffWeight > 0);
    const total = weighted.reduce((a, s) => a + s.staffWeight, 0);
    const out = new Map<DeptSpec, number>();
    const rema: [DeptSpec, number][] = [];
    let given = 0;
    for (const s of weighted) {
      const exact = (n * s.staffWeight) / total;
      const base = Math.max(1, Math.floor(exact));
      out.set(s, base);
      given += base;
      rema.push([s, exact - Math.floor(exact)]);
    }
    rema.sort((a, b) => b[1] - a[1]);
    for (let i = 0; given < n && i < rema.length; i++, given++) out.set(rema[i]![0], out.get(rema[i]![0])! + 1);
    return out;
  };

  await timed(timings, 'practitioners', async () => {
    // Village doctors: 1–2 per clinic.
    for (const c of villageClinics) {
      const n = staffRng.chance(0.3) ? 2 : 1;
      for (let i = 0; i < n; i++) {
        addPractitioner(c.id, null, 'physician', 'village', { assistant: true });
      }
    }
    // Township and community health centers: 5–25 physicians by size, plus lab technicians.
    for (const c of grassrootsCenters) {
      const specs = deptSpecsByOrg.get(c.id)!;
      const n = c.isCentral ? staffRng.int(18, 25) : c.tier === 'community-health-center' ? staffRng.int(10, 15)
        : (c.beds ?? 0) <= 30 ? staffRng.int(5, 8) : staffRng.int(8, 15);
      for (const [spec, k] of spread(specs, n)) {
        for (let i = 0; i < k; i++) {
          addPractitioner(c.id, spec, 'physician', 'center', spec.specialty === 'public-health' ? { category: '4' } : {});
        }
      }
      const lab = specs.find((s) => s.code === 'JYK')!;
      for (let i = 0; i < (c.isCentral ? 2 : 1); i++) {
        addPractitioner(c.id, lab, 'technician', 'center');
      }
    }
    // County hospitals: the rest of the county's ≈3.5 physicians per 1,000 residents.
    const grassrootsPhysicians = pracs.filter((p) => p.profession === 'physician').length;
    const countyTotal = Math.round((COUNTY_POPULATION * PHYSICIANS_PER_1000) / 1000);
    const remaining = Math.max(60, countyTotal - grassrootsPhysicians);
    const share: ReadonlyArray<readonly [string, DeptSpec[], number]> = [
      [countyHospitalId, COUNTY_HOSPITAL_DEPTS, 0.6],
      [tcmHospitalId, TCM_HOSPITAL_DEPTS, 0.25],
      [mchHospitalId, MCH_HOSPITAL_DEPTS, 0.15],
    ];
    for (const [orgId, specs, fraction] of share) {
      for (const [spec, k] of spread(specs, Math.round(remaining * fraction))) {
        for (let i = 0; i < k; i++) {
          addPractitioner(orgId, spec, 'physician', 'county', spec.code === 'KQK' ? { category: '3' } : {});
        }
      }
      // Non-physician staff where the demo needs them (lab, pharmacy); not counted in the physician density.
      const repeat = (k: number, dept: DeptSpec | undefined, profession: Profession): void => {
        if (dept) for (let i = 0; i < k; i++) addPractitioner(orgId, dept, profession, 'county');
      };
      const isLead = orgId === countyHospitalId;
      repeat(isLead ? 12 : 4, specs.find((s) => s.code === 'JYK'), 'technician');
      repeat(isLead ? 8 : 3, specs.find((s) => s.code === 'YJK' || s.code === 'ZYYJK'), 'pharmacist');
      if (isLead) {
        repeat(4, specs.find((s) => s.code === 'ZZFWZX'), 'nurse');
        repeat(2, specs.find((s) => s.code === 'HLB'), 'nurse');
        repeat(2, specs.find((s) => s.code === 'YWK'), 'manager');
        repeat(3, specs.find((s) => s.code === 'YGTGLZX'), 'manager');
      }
    }

    // Upper hospitals: a sample of their staff (experts for consultations, remote reading and stationing).
    for (const [orgId, division] of [[cityHospitalId, '350802'], [regionalCenterId, '350102']] as const) {
      for (const [spec, k] of spread(UPPER_HOSPITAL_DEPTS, 40)) {
        for (let i = 0; i < k; i++) addPractitioner(orgId, spec, 'physician', 'upper', { division });
      }
    }

    // Stationing (派驻): ≥3 city-hospital staff year-round at the lead county hospital, intermediate title or above.
    const stationFrom = `${year}-01-01`;
    const stationTo = `${year + 1}-01-01`;
    const upperStaff = (deptCode: string, title: PractitionerTitle, profession: Profession): PractitionerInsert => {
      const spec = UPPER_HOSPITAL_DEPTS.find((s) => s.code === deptCode)!;
      return addPractitioner(cityHospitalId, spec, profession, 'upper', { division: '350802', title });
    };
    const stationedAtCounty: [PractitionerInsert, string][] = [
      [upperStaff('XNK', 'associate-senior', 'physician'), 'XNK'],
      [upperStaff('WK', 'associate-senior', 'physician'), 'WK'],
      [upperStaff('HXK', 'intermediate', 'physician'), 'HXK'],
      [upperStaff('HLB', 'intermediate', 'nurse'), 'HLB'],
      [upperStaff('YJK', 'intermediate', 'pharmacist'), 'YJK'],
      [upperStaff('YWB', 'senior', 'manager'), 'YGTGLZX'],
    ];
    for (const [p, countyDept] of stationedAtCounty) {
      roles.push({
        id: id('prole', `${p.id}/stationed/${year}`), practitionerId: p.id, organizationId: countyHospitalId,
        departmentId: deptIdsByOrg.get(countyHospitalId)!.get(countyDept)!, kind: 'stationed', validFrom: stationFrom,
        validTo: stationTo, note: '城市三级医院派驻县医院（全年）',
      });
    }
    // Each township center has a relatively fixed physician stationed from the county hospital for ≥ 6 months.
    const rotating = ['internal-medicine', 'general-surgery', 'paediatrics', 'obstetrics-gynaecology', 'cardiology',
      'respiratory-medicine'];
    const countyPool = pracs.filter(
      (p) => p.homeOrganizationId === countyHospitalId && p.profession === 'physician' && p.title !== 'junior'
        && rotating.includes(p.specialty),
    );
    const chosen = staffRng.shuffle(countyPool);
    ruralTowns.forEach((t, i) => {
      const p = chosen[i % chosen.length]!;
      const sixMonths = i % 2 === 0;
      roles.push({
        id: id('prole', `${p.id}/stationed/${t.centerId}/${year}`), practitionerId: p.id, organizationId: t.centerId,
        departmentId: deptIdsByOrg.get(t.centerId)!.get('QK') ?? null, kind: 'stationed', validFrom: stationFrom,
        validTo: sixMonths ? `${year}-07-01` : stationTo,
        note: sixMonths ? '县医院派驻乡镇卫生院（6个月）' : '县医院派驻乡镇卫生院（12个月）',
      });
    });

    await insertAll((rows) => db.insert(practitioners).values(rows).onConflictDoNothing(), pracs);
    await insertAll((rows) => db.insert(practitionerRoles).values(rows).onConflictDoNothing(), roles);
    counts.practitioners = pracs.length;
    counts.practitionerRoles = roles.length;
    progress('practitioners', pracs.length, pracs.length);
  });

  /** The village of the `village.doctor` demo account: it always gets residents, even in a tiny demo. */
  const demoVillage = hetian.villages.find((v) => !v.isCommunity && v.managingOrganizationId !== movedClinicId)!;

  // --- demo users and the OAuth client --------------------------------------------------------------------------
  await timed(timings, 'users', async () => {
    const firstOf = (orgId: string, deptCode = ''): PractitionerInsert | null =>
      byOrgDept.get(`${orgId}/${deptCode}`)?.[0] ?? null;
    const seniorIn = (orgId: string, deptCode: string): PractitionerInsert | null =>
      byOrgDept.get(`${orgId}/${deptCode}`)?.find((p) => p.title === 'associate-senior' || p.title === 'senior')
        ?? firstOf(orgId, deptCode);
    const clinic = demoVillage;
    const county = countyHospitalId;
    interface Plan {
      username: string; role: RoleCode; orgId: string | null; practitioner: PractitionerInsert | null; displayName?: string;
    }
    const plan: Plan[] = [
      { username: 'village.doctor', role: 'village-doctor', orgId: clinic.managingOrganizationId,
        practitioner: firstOf(clinic.managingOrganizationId) },
      { username: 'township.doctor', role: 'township-doctor', orgId: hetian.centerId,
        practitioner: firstOf(hetian.centerId, 'QK') },
      { username: 'county.specialist', role: 'county-specialist', orgId: county, practitioner: seniorIn(county, 'NK') },
      { username: 'center.reader', role: 'center-reader', orgId: county, practitioner: seniorIn(county, 'YXYXK') },
      { username: 'referral.desk', role: 'referral-desk', orgId: county, practitioner: firstOf(county, 'ZZFWZX') },
      { username: 'dispatch.coordinator', role: 'dispatch-coordinator', orgId: county, practitioner: firstOf(county, 'YWK') },
      { username: 'alliance.admin', role: 'alliance-admin', orgId: county, practitioner: firstOf(county, 'YGTGLZX') },
      { username: 'commission.officer', role: 'commission-officer', orgId: null, practitioner: null,
        displayName: '县卫健局医政股（演示）' },
      { username: demoAccounts.serviceUser.username, role: demoAccounts.serviceUser.role, orgId: county, practitioner: null,
        displayName: '县总医院 HIS 接口（服务账号）' },
    ];
    const userRows: (typeof users.$inferInsert)[] = [];
    const roleRows: (typeof userRoles.$inferInsert)[] = [];
    for (const u of plan) {
      const userId = id('user', u.username);
      userRows.push({
        id: userId, username: u.username, displayName: u.displayName ?? u.practitioner?.name ?? u.username,
        // The service user signs in only through its OAuth client: its password is random and never shown.
        passwordHash: await opts.hashPassword(
          u.username === demoAccounts.serviceUser.username ? randomSecret() : DEMO_PASSWORD,
        ),
        organizationId: u.orgId, practitionerId: u.practitioner?.id ?? null,
      });
      roleRows.push({ userId, role: u.role });
    }
    await db.insert(users).values(userRows).onConflictDoNothing();
    await db.insert(userRoles).values(roleRows).onConflictDoNothing();
    await db.insert(oauthClients).values({
      clientId: demoAccounts.oauthClient.clientId, secretHash: await opts.hashPassword(demoAccounts.oauthClient.clientSecret),
      name: '县总医院 HIS 集成（演示）', serviceUserId: id('user', demoAccounts.serviceUser.username),
    }).onConflictDoNothing();
    counts.users = userRows.length;
    counts.userRoles = roleRows.length;
    counts.oauthClients = 1;
    progress('users', userRows.length, userRows.length);
  });

  // --- residents -------------------------------------------------------------------------------------------------
  const patientPhases = { generate: 0, insert: 0, restoreIndexes: 0 };
  await timed(timings, 'patients', async () => {
    const n = opts.residents;
    const batchSize = Math.max(1, opts.patientBatchSize ?? 10_000);
    const rng = new Random(opts.seed, 'patients');
    const placeRng = new Random(opts.seed, 'places');
    // Where people live: each 村 ≈ 0.6–1.4 units; a 社区 of the urban core ≈ 6, a town-seat 社区 ≈ 3.
    const places: [Village & { town: Township }, number][] = [];
    for (const t of townships) {
      for (const v of t.villages) {
        const w = v.isCommunity ? (t.division.code === countySeat ? 6 : 3) : 0.6 + placeRng.float() * 0.8;
        places.push([{ ...v, town: t }, w]);
      }
    }
    const placeTable = new WeightedTable(places);
    const ageTable = new WeightedTable(AGE_BANDS.map((w, i) => [i, w] as const));
    const asOfMs = Date.parse(`${asOf}T00:00:00Z`);

    const phaseStart = performance.now();
    // Pass 1: who lives where, born when.
    const ages = new Int16Array(n);
    const col = {
      id: new Array<string>(n), idNumber: new Array<string>(n), name: new Array<string>(n), sex: new Array<string>(n),
      birthDate: new Array<string>(n), phone: new Array<string | null>(n), residence: new Array<string>(n),
      address: new Array<string>(n), managing: new Array<string>(n), team: new Array<string | null>(n),
      chronic: new Array<string>(n),
    };
    const usedIds = new Set<string>();
    const demoPlace = places.find(([v]) => v.division.code === demoVillage.division.code)![0];
    // However small the demo, the village doctor's clinic has patients to show: the first residents live there.
    const demoMin = Math.min(n, 12);
    for (let i = 0; i < n; i++) {
      const drawn = placeTable.draw(rng.float());
      const place = i < demoMin ? demoPlace : drawn;
      const band = ageTable.draw(rng.float());
      // Birth date: uniform within the band, never after asOf.
      const daysOld = Math.floor((band * 5 + rng.float() * 5) * 365.2425);
      const birthDate = toDate(asOfMs - daysOld * DAY_MS);
      const age = Number(asOf.slice(0, 4)) - Number(birthDate.slice(0, 4)) - (asOf.slice(5) < birthDate.slice(5) ? 1 : 0);
      const sex: Sex = rng.chance(0.51) ? 'male' : 'female';
      let seq = rng.int(0, 999);
      let idNumber = composeResidentId(DEMO_COUNTY_CODE, birthDate, seq, sex);
      for (let tries = 0; usedIds.has(idNumber); tries++) {
        if (tries >= 500) throw new Error(`No free resident ID sequence for ${birthDate} ${sex}`);
        seq = (seq + 2) % 1000;
        idNumber = composeResidentId(DEMO_COUNTY_CODE, birthDate, seq, sex);
      }
      usedIds.add(idNumber);
      ages[i] = age;
      col.id[i] = nameBasedId(ns, `patient:${i}`);
      col.idNumber[i] = idNumber;
      col.name[i] = nameRng(rng, sex, Number(birthDate.slice(0, 4)));
      col.sex[i] = sex;
      col.birthDate[i] = birthDate;
      const noPhone = age < 16 ? 0.7 : age >= 80 ? 0.3 : 0.03;
      col.phone[i] = rng.chance(noPhone) ? null : mobile(rng);
      // A few records carry only the township (address not yet verified to the village).
      const townshipOnly = !place.isCommunity && rng.chance(0.03);
      col.residence[i] = townshipOnly ? place.town.division.code : place.division.code;
      col.managing[i] = townshipOnly ? place.town.centerId : place.managingOrganizationId;
      col.address[i] = place.isCommunity
        ? `长汀县${place.town.name}${place.shortName}${rng.int(1, 60)}号${rng.int(1, 6)}0${rng.int(1, 4)}室`
        : townshipOnly ? `长汀县${place.town.name}` : `长汀县${place.town.name}${place.shortName}${rng.int(1, 12)}组${rng.int(1, 80)}号`;
      col.team[i] = `${place.town.name}家庭医生团队${place.team}`; // decided below
    }

    // Pass 2: chronic conditions, age-weighted and scaled so the adult totals hit the national shares. Systematic
    // sampling over the (random) order keeps the age weighting and makes the totals exact to within one person.
    const chronic: string[][] = Array.from({ length: n }, () => []);
    const assign = (shape: (age: number) => number, share: number, code: string, label: string): void => {
      let sum = 0;
      let adults = 0;
      for (let i = 0; i < n; i++) if (ages[i]! >= 18) { sum += shape(ages[i]!); adults++; }
      if (adults === 0) return;
      const k = (share * adults) / sum;
      const r = new Random(opts.seed, label);
      let threshold = r.float();
      let acc = 0;
      for (let i = 0; i < n; i++) {
        if (ages[i]! < 18) continue;
        acc += Math.min(1, shape(ages[i]!) * k);
        if (acc >= threshold) {
          chronic[i]!.push(code);
          threshold += 1;
        }
      }
    };
    assign(hypertensionShape, HYPERTENSION_SHARE, 'I10', 'hypertension');
    assign(diabetesShape, DIABETES_SHARE, 'E11', 'diabetes');
    // Family-doctor contracts: priority groups (65+, chronic disease, children under 7) sign far more often.
    const teamRng = new Random(opts.seed, 'family-doctor');
    for (let i = 0; i < n; i++) {
      const age = ages[i]!;
      const priority = age >= 65 || age < 7 || chronic[i]!.length > 0;
      if (!teamRng.chance(priority ? 0.78 : 0.3)) col.team[i] = null;
      col.chronic[i] = `{${chronic[i]!.join(',')}}`;
    }

    // Pass 3: bulk insert through unnest (one statement per batch; ~15× faster than row inserts on PGlite).
    // Per-row foreign-key triggers and secondary-index maintenance cost most of the time, so a large load suspends
    // them and restores them afterwards (measured on PGlite: ≈1.6× faster at 100,000 rows). Unique indexes stay, so
    // duplicates are still refused.
    patientPhases.generate = Math.round(performance.now() - phaseStart);
    const insertStart = performance.now();
    const restore = n >= INDEX_REBUILD_THRESHOLD ? await suspendIndexesAndForeignKeys(db, 'patients') : [];
    let inserted = 0;
    for (let from = 0; from < n; from += batchSize) {
      const to = Math.min(n, from + batchSize);
      const s = <T>(a: T[]): T[] => a.slice(from, to);
      const county = new Array<string>(to - from).fill(DEMO_COUNTY_CODE);
      const result = await db.execute(sql`
        INSERT INTO patients (id, id_number, name, sex, birth_date, phone, residence_division_code, county_code,
          address_line, managing_organization_id, family_doctor_team, chronic_conditions, created_by)
        SELECT u.id, u.id_number, u.name, u.sex, u.birth_date::date, u.phone, u.residence, u.county, u.address,
          u.managing, u.team, u.chronic::text[], 'demo-seed'
        FROM unnest(
          ${sql.param(s(col.id))}::text[], ${sql.param(s(col.idNumber))}::text[], ${sql.param(s(col.name))}::text[],
          ${sql.param(s(col.sex))}::text[], ${sql.param(s(col.birthDate))}::text[], ${sql.param(s(col.phone))}::text[],
          ${sql.param(s(col.residence))}::text[], ${sql.param(county)}::text[], ${sql.param(s(col.address))}::text[],
          ${sql.param(s(col.managing))}::text[], ${sql.param(s(col.team))}::text[], ${sql.param(s(col.chronic))}::text[]
        ) AS u(id, id_number, name, sex, birth_date, phone, residence, county, address, managing, team, chronic)
        ON CONFLICT DO NOTHING`);
      inserted += (result as unknown as { rowCount?: number | null }).rowCount ?? 0;
      progress('patients', to, n);
    }
    const restoreStart = performance.now();
    patientPhases.insert = Math.round(restoreStart - insertStart);
    for (const statement of restore) await db.execute(sql.raw(statement));
    patientPhases.restoreIndexes = Math.round(performance.now() - restoreStart);
    counts.patients = n;
    counts.patientsInserted = inserted;
  });

  await seedDemoCapacity(db, { seed: opts.seed, now: opts.now ?? new Date() });

  const totalMs = Math.round(performance.now() - started);
  return {
    seed: opts.seed,
    asOf,
    counts,
    timingsMs: timings,
    totalMs,
    patientsPerSecond: timings.patients > 0 ? Math.round((opts.residents * 1000) / timings.patients) : 0,
    patientPhasesMs: patientPhases,
    keys: {
      countyHospitalId, tcmHospitalId, mchHospitalId, cityHospitalId, regionalCenterId, countyCommunityId,
      specialtyAllianceId, telemedicineNetworkId, lateJoinerId: lateJoiner.centerId, movedClinicId,
      hetianCenterId: hetian.centerId,
    },
  };
}

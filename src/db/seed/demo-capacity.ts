import { eq, inArray } from 'drizzle-orm';
import type { Db } from '../client.js';
import { alliances, bedPools, capacityPolicies, departments, organizations, schedules, slots } from '../schema/index.js';
import type { SlotTemplate } from '../schema/referral.js';
import { nameBasedId } from '../../shared/ids.js';
import { shanghaiDate } from '../../shared/clock.js';
// Pure rules only (no database); switch to the referral module's index.ts once it exports them.
import { addDays, choosePolicy, planSlots } from '../../modules/referral/index.js';

/**
 * Demo reserved capacity (号源/床位预留) for the three upper hospitals of the demo county: outpatient clinics of the
 * main departments, CT and ultrasound, bed pools per main ward, and the policies that hold part of them for
 * referrals. Slots are published for today … +14 days (Asia/Shanghai) relative to `now`; schedules carry their template
 * so the daily capacity job keeps rolling them forward. Idempotent: ids are derived from the seed and the slot start.
 */
export interface DemoCapacitySummary {
  schedules: number;
  slots: number;
  reservedSlots: number;
  bedPools: number;
  policies: number;
}

const OUTPATIENT: SlotTemplate = { sessions: [[480, 720], [870, 1050]], slotMinutes: 30, includeWeekends: false, daysAhead: 14 };
const EXAM: SlotTemplate = { sessions: [[480, 720], [840, 1020]], slotMinutes: 30, includeWeekends: false, daysAhead: 14 };

interface HospitalPlan {
  name: string;
  key: string;
  outpatient: string[];
  /** [department code, schedule name] */
  exams: [string, string][];
  /** [department code, reserved beds per day] */
  beds: [string, number][];
  /** Who the slots and beds are held for: an alliance identifier, or a facility name. */
  policies: { kind: 'outpatient' | 'exam' | 'bed'; dept?: string; alliance?: string; member?: string; share: number; releaseHoursBefore: number }[];
  bedsFor: { alliance?: string; member?: string };
  bedReleaseHours: number;
}

const COUNTY_COMMUNITY = 'CT-YGT-2019';
const TELEMEDICINE = 'FJXH-YCYL';

const PLANS: HospitalPlan[] = [
  {
    name: '长汀县总医院', key: 'county-hospital',
    outpatient: ['NK', 'XNK', 'HXK', 'SJNK', 'WK', 'GK', 'FCK', 'EK'],
    exams: [['YXYXK', 'CT检查'], ['CSK', '超声检查']],
    beds: [['NK', 4], ['XNK', 3], ['HXK', 3], ['SJNK', 3], ['WK', 3], ['GK', 2]],
    // 下沉号源: a quarter of the county hospital's clinic slots and a fifth of its exams for the county community.
    policies: [
      { kind: 'outpatient', alliance: COUNTY_COMMUNITY, share: 0.25, releaseHoursBefore: 24 },
      { kind: 'exam', alliance: COUNTY_COMMUNITY, share: 0.2, releaseHoursBefore: 24 },
    ],
    bedsFor: { alliance: COUNTY_COMMUNITY }, bedReleaseHours: 12,
  },
  {
    name: '龙岩市第一医院', key: 'city-hospital',
    outpatient: ['XNK', 'HXK', 'SJNK', 'ZLK', 'WK'],
    exams: [['YXYXK', 'CT检查'], ['YXYXK', '超声检查']],
    beds: [['XNK', 3], ['SJNK', 2], ['ZLK', 2]],
    // 10 % for the county community; cardiology holds 15 % for the county hospital itself (心血管专科联盟).
    policies: [
      { kind: 'outpatient', alliance: COUNTY_COMMUNITY, share: 0.1, releaseHoursBefore: 24 },
      { kind: 'outpatient', dept: 'XNK', member: '长汀县总医院', share: 0.15, releaseHoursBefore: 24 },
      { kind: 'exam', alliance: COUNTY_COMMUNITY, share: 0.1, releaseHoursBefore: 24 },
    ],
    bedsFor: { alliance: COUNTY_COMMUNITY }, bedReleaseHours: 12,
  },
  {
    name: '福建医科大学附属协和医院', key: 'regional-medical-center',
    outpatient: ['XNK', 'HXK', 'SJNK', 'ZLK', 'XWK'],
    exams: [['YXYXK', 'CT检查'], ['YXYXK', '超声检查']],
    beds: [['XNK', 2], ['ZLK', 2], ['XWK', 2]],
    policies: [
      { kind: 'outpatient', alliance: TELEMEDICINE, share: 0.1, releaseHoursBefore: 48 },
      { kind: 'exam', alliance: TELEMEDICINE, share: 0.1, releaseHoursBefore: 48 },
    ],
    bedsFor: { alliance: TELEMEDICINE }, bedReleaseHours: 24,
  },
];

export async function seedDemoCapacity(db: Db, opts: { seed: number; now: Date }): Promise<DemoCapacitySummary> {
  const ns = `demo-${opts.seed}`;
  const id = (kind: string, key: string): string => nameBasedId(ns, `${kind}:${key}`);
  const createdAt = opts.now;
  const today = shanghaiDate(opts.now);

  const orgRows = await db.select({ id: organizations.id, name: organizations.name }).from(organizations)
    .where(inArray(organizations.name, ['长汀县总医院', '龙岩市第一医院', '福建医科大学附属协和医院']));
  const orgByName = new Map(orgRows.map((o) => [o.name, o.id]));
  const allianceRows = await db.select({ id: alliances.id, identifier: alliances.identifier }).from(alliances)
    .where(inArray(alliances.identifier, [COUNTY_COMMUNITY, TELEMEDICINE]));
  const allianceByIdentifier = new Map(allianceRows.map((a) => [a.identifier, a.id]));
  const summary: DemoCapacitySummary = { schedules: 0, slots: 0, reservedSlots: 0, bedPools: 0, policies: 0 };

  const policyRows: (typeof capacityPolicies.$inferInsert)[] = [];
  const scheduleRows: (typeof schedules.$inferInsert)[] = [];
  const slotRows: (typeof slots.$inferInsert)[] = [];
  const poolRows: (typeof bedPools.$inferInsert)[] = [];

  for (const plan of PLANS) {
    const orgId = orgByName.get(plan.name);
    if (!orgId) throw new Error(`demo capacity: ${plan.name} is not seeded`);
    const deptRows = await db.select({ id: departments.id, code: departments.code, name: departments.name }).from(departments)
      .where(eq(departments.organizationId, orgId));
    const dept = (code: string) => {
      const d = deptRows.find((x) => x.code === code);
      if (!d) throw new Error(`demo capacity: ${plan.name} has no department ${code}`);
      return d;
    };
    const allianceId = (identifier: string | undefined) => {
      if (!identifier) return null;
      const a = allianceByIdentifier.get(identifier);
      if (!a) throw new Error(`demo capacity: alliance ${identifier} is not seeded`);
      return a;
    };
    const memberId = (name: string | undefined) => (name ? orgByName.get(name)! : null);

    const policies = plan.policies.map((p, i) => ({
      id: id('capacity-policy', `${plan.key}/${i}`), organizationId: orgId, departmentId: p.dept ? dept(p.dept).id : null, kind: p.kind,
      allianceId: allianceId(p.alliance), memberOrganizationId: memberId(p.member), referralShare: p.share.toFixed(3),
      releaseHoursBefore: p.releaseHoursBefore, createdAt, createdBy: 'demo-seed',
    }));
    policyRows.push(...policies);

    const addSchedule = (code: string, kind: 'outpatient' | 'exam', name: string, template: SlotTemplate) => {
      const d = dept(code);
      const scheduleId = id('schedule', `${plan.key}/${code}/${kind}/${name}`);
      scheduleRows.push({ id: scheduleId, organizationId: orgId, departmentId: d.id, kind, name, practitionerName: null, template, createdAt });
      const policy = choosePolicy(policies.filter((p) => p.kind === kind), d.id);
      const hold = policy
        ? { share: Number(policy.referralShare), releaseHoursBefore: policy.releaseHoursBefore, reservedForAllianceId: policy.memberOrganizationId ? null : policy.allianceId, reservedForOrganizationId: policy.memberOrganizationId }
        : null;
      for (const s of planSlots(today, addDays(today, template.daysAhead), template, hold)) {
        if (s.start.getTime() <= opts.now.getTime()) continue;
        slotRows.push({
          id: id('slot', `${scheduleId}/${s.start.toISOString()}`), scheduleId, organizationId: orgId, departmentId: d.id, kind,
          start: s.start, end: s.end, status: 'free', reserved: s.reserved ? 1 : 0, reservedForAllianceId: s.reservedForAllianceId,
          reservedForOrganizationId: s.reservedForOrganizationId, releaseAt: s.releaseAt,
        });
      }
    };
    for (const code of plan.outpatient) addSchedule(code, 'outpatient', `${dept(code).name}门诊`, OUTPATIENT);
    for (const [code, name] of plan.exams) addSchedule(code, 'exam', name, EXAM);

    for (const [code, beds] of plan.beds) {
      const d = dept(code);
      poolRows.push({
        id: id('bed-pool', `${plan.key}/${code}`), organizationId: orgId, departmentId: d.id, name: `${d.name}转诊预留床位`, reservedBeds: beds,
        reservedForAllianceId: allianceId(plan.bedsFor.alliance), reservedForOrganizationId: memberId(plan.bedsFor.member),
        releaseHoursBefore: plan.bedReleaseHours, createdAt,
      });
    }
  }

  await db.insert(capacityPolicies).values(policyRows).onConflictDoNothing();
  await db.insert(schedules).values(scheduleRows).onConflictDoNothing();
  for (let i = 0; i < slotRows.length; i += 1000) await db.insert(slots).values(slotRows.slice(i, i + 1000)).onConflictDoNothing();
  await db.insert(bedPools).values(poolRows).onConflictDoNothing();
  summary.policies = policyRows.length;
  summary.schedules = scheduleRows.length;
  summary.slots = slotRows.length;
  summary.reservedSlots = slotRows.filter((s) => s.reserved === 1).length;
  summary.bedPools = poolRows.length;
  return summary;
}

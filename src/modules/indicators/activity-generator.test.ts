import { describe, expect, it } from 'vitest';
import { activityInputSchema, type ActivityInput } from '../../contracts/activity.js';
import {
  createActivityTally, DEMO_OUTSIDE_FACILITIES, fenToYuan, generateCountyActivity, generateProvinceActivity, syntheticProvince, yuanToFen,
  type GeneratorFacility, type GeneratorResident,
} from './activity-generator.js';

/** A small county shaped like the demo: county hospitals, two township centers with villages, the city above. */
const county = '350821';
const facilities: GeneratorFacility[] = [
  { id: 'ch', identifier: 'USCC-CH', tier: 'county-hospital', countyCode: county, divisionCode: '350821100', departments: [{ specialty: 'internal-medicine' }, { specialty: 'paediatrics' }, { specialty: 'tcm', isTcm: true }, { specialty: 'pharmacy' }] },
  { id: 'tcm', tier: 'county-tcm-hospital', countyCode: county, divisionCode: '350821100', departments: [{ specialty: 'tcm-internal-medicine', isTcm: true }] },
  { id: 'mch', tier: 'county-mch-hospital', countyCode: county, divisionCode: '350821100', departments: [{ specialty: 'obstetrics' }, { specialty: 'paediatrics' }] },
  { id: 'thc1', tier: 'township-health-center', countyCode: county, divisionCode: '350821101', departments: [{ specialty: 'general-practice' }, { specialty: 'tcm', isTcm: true }] },
  { id: 'thc2', tier: 'township-health-center', countyCode: county, divisionCode: '350821102', departments: [{ specialty: 'general-practice' }] },
  { id: 'vc1', tier: 'village-clinic', countyCode: county, divisionCode: '350821101201' },
  { id: 'vc2', tier: 'village-clinic', countyCode: county, divisionCode: '350821102201' },
  { id: 'city', tier: 'city-hospital', countyCode: '350802', divisionCode: '350802', departments: [{ specialty: 'cardiology' }] },
  { id: 'rmc', tier: 'regional-medical-center', countyCode: '350102', divisionCode: '350102', departments: [{ specialty: 'oncology' }] },
];
const villages = ['350821101201', '350821102201', '350821101202', '350821102'];
const residents = (n: number): GeneratorResident[] =>
  Array.from({ length: n }, (_, i) => ({ id: `p${i}`, residenceDivisionCode: villages[i % villages.length]! }));

const demo = (n: number, seed = 7) =>
  generateCountyActivity({ seed, year: 2026, countyCode: county, facilities, residents: residents(n), outside: DEMO_OUTSIDE_FACILITIES });

describe('activity generator', () => {
  it('is deterministic for a seed and differs for another seed', () => {
    const a = [...demo(500)];
    const b = [...demo(500)];
    const c = [...demo(500, 8)];
    expect(a.length).toBeGreaterThan(2_000);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('streams: the first record comes without generating the year', () => {
    const gen = demo(200_000);
    const t = performance.now();
    const first = gen.next();
    expect(first.done).toBe(false);
    expect(first.value!.startDate.startsWith('2026-01')).toBe(true);
    expect(performance.now() - t).toBeLessThan(3_000);
    gen.return(undefined);
  });

  it('yields valid ActivityInput with exact money, unique record ids, dates in the year', () => {
    const seen = new Set<string>();
    let n = 0;
    for (const a of demo(3_000)) {
      n++;
      const parsed = activityInputSchema.safeParse(a);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      expect(parsed.data).toEqual(a); // nothing left to defaults: every field is explicit
      const key = `${a.source}|${a.sourceRecordId}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
      expect(a.totalCost).toMatch(/^\d+\.\d{2}$/);
      expect(fenToYuan(yuanToFen(a.totalCost))).toBe(a.totalCost);
      if (a.fundPaid !== undefined) {
        expect(a.insured).toBe(true);
        const ratio = yuanToFen(a.fundPaid) / yuanToFen(a.totalCost);
        expect(ratio).toBeGreaterThanOrEqual(0.499);
        expect(ratio).toBeLessThanOrEqual(0.701);
      } else expect(a.insured).toBe(false);
      expect(a.startDate.slice(0, 4)).toBe('2026');
      if (a.class === 'inpatient') expect(a.endDate! > a.startDate).toBe(true);
      if (!a.facilityId) {
        expect(a.source).toBe('insurance');
        expect(a.facilityDivisionCode).toMatch(/^\d{6}(\d{3})?$/);
      }
    }
    expect(n).toBeGreaterThan(15_000);
  });

  it('lands on domain.md §1 for 20,000 residents', () => {
    const tally = createActivityTally(county, facilities, 20_000);
    const outside = new Set<string>();
    let pharmacy = 0;
    let tcmDept = 0;
    for (const a of demo(20_000)) {
      tally.add(a);
      if (a.source === 'insurance' && !a.pharmacy) outside.add(a.facilityDivisionCode!);
      if (a.pharmacy) pharmacy++;
      if (a.departmentSpecialty === 'tcm') tcmDept++;
    }
    const r = tally.result();
    expect(r.visitsPerResident).toBeGreaterThan(6.8 * 0.97);
    expect(r.visitsPerResident).toBeLessThan(6.8 * 1.03);
    expect(r.admissionsPer100).toBeGreaterThan(19.5);
    expect(r.admissionsPer100).toBeLessThan(22.5);
    expect(r.grassrootsShare).toBeGreaterThanOrEqual(0.52);
    expect(r.grassrootsShare).toBeLessThanOrEqual(0.6);
    expect(r.inCountyVisitShare).toBeGreaterThanOrEqual(0.9);
    expect(r.inCountyVisitShare).toBeLessThanOrEqual(0.94);
    expect(r.townshipAdmissionShare).toBeGreaterThan(0.11);
    expect(r.townshipAdmissionShare).toBeLessThan(0.15);
    expect(r.meanCountyHospitalVisitCost).toBeGreaterThan(362 * 0.9);
    expect(r.meanCountyHospitalVisitCost).toBeLessThan(362 * 1.1);
    expect(r.meanCountyHospitalAdmissionCost).toBeGreaterThan(10_316 * 0.9);
    expect(r.meanCountyHospitalAdmissionCost).toBeLessThan(10_316 * 1.1);
    expect(r.fundShareInsured).toBeGreaterThan(0.5);
    expect(r.fundShareInsured).toBeLessThan(0.7);
    expect(r.insuredShare).toBeGreaterThan(0.9);
    expect(r.referralVisitShare).toBeGreaterThan(0);
    expect(r.referralAdmissionShare).toBeGreaterThan(0.05);
    expect(r.tcmShare).toBeGreaterThan(0.05);
    expect(tcmDept).toBeGreaterThan(0);
    expect(pharmacy).toBeGreaterThan(20_000 * 0.2);
    // Winter is busier than the Spring Festival month.
    expect(r.visitsByMonth[11]!).toBeGreaterThan(r.visitsByMonth[1]! * 1.2);
    // Outside the platform: known by division code from insurance settlements.
    expect([...outside].sort()).toEqual(expect.arrayContaining(['350802', '350102']));
  });

  it('follows the residents given: their conditions drive grassroots follow-ups', () => {
    const people: GeneratorResident[] = [
      { id: 'htn', residenceDivisionCode: '350821101201', birthDate: '1950-03-01', sex: 'male', chronicConditions: ['I10'] },
      { id: 'none', residenceDivisionCode: '350821101201', birthDate: '1990-03-01', sex: 'female', chronicConditions: [] },
    ];
    const byPatient = new Map<string, ActivityInput[]>();
    for (let seed = 1; seed <= 20; seed++) {
      for (const a of generateCountyActivity({ seed, year: 2026, countyCode: county, facilities, residents: people })) {
        byPatient.set(a.patientId!, [...(byPatient.get(a.patientId!) ?? []), a]);
      }
    }
    const followUps = (id: string) => (byPatient.get(id) ?? []).filter((a) => a.sourceRecordId.includes('-FU-'));
    expect(followUps('none')).toHaveLength(0);
    // Managed in about half of the seeds; each managed year has four quarterly follow-ups at the grassroots.
    expect(followUps('htn').length % 4).toBe(0);
    expect(followUps('htn').length).toBeGreaterThan(0);
    expect(followUps('htn').every((a) => ['vc1', 'thc1'].includes(a.facilityId!) && a.diagnoses[0] === 'I10')).toBe(true);
  });

  it('province mode: N synthetic counties, streamed county after county, no database', () => {
    const { counties, aboveCounty } = syntheticProvince({ seed: 3, counties: 12, residentsPerCounty: 10 });
    expect(new Set(counties.map((c) => c.countyCode)).size).toBe(12);
    expect(counties.every((c) => /^99\d{2}(2\d|30)$/.test(c.countyCode))).toBe(true);
    expect(aboveCounty.filter((f) => f.tier === 'city-hospital')).toHaveLength(2);
    expect(counties[0]!.facilities.filter((f) => f.tier === 'village-clinic').length).toBeGreaterThan(200);

    const gen = generateProvinceActivity({ seed: 3, year: 2026, counties: 3, residentsPerCounty: 2_000 });
    const countiesSeen: string[] = [];
    let n = 0;
    for (const a of gen) {
      n++;
      const c = a.residenceDivisionCode.slice(0, 6);
      if (countiesSeen.at(-1) !== c) countiesSeen.push(c);
      expect(a.patientId).toBeUndefined();
      if (n % 97 === 0) expect(activityInputSchema.safeParse(a).success).toBe(true);
    }
    expect(countiesSeen).toEqual(counties.slice(0, 3).map((c) => c.countyCode));
    expect(n / 6_000).toBeGreaterThan(6.8);
    const again = [...generateProvinceActivity({ seed: 3, year: 2026, counties: 1, residentsPerCounty: 300 })];
    expect([...generateProvinceActivity({ seed: 3, year: 2026, counties: 1, residentsPerCounty: 300 })]).toEqual(again);
  });

  it('stops at a cutoff date: nothing later, stays not yet over have no discharge date, earlier records unchanged', () => {
    const full = [...demo(2_000)];
    const cut = [...generateCountyActivity({ seed: 7, year: 2026, countyCode: county, facilities, residents: residents(2_000), outside: DEMO_OUTSIDE_FACILITIES, until: '2026-06-15' })];
    expect(cut.length).toBeGreaterThan(full.length * 0.4);
    expect(cut.every((a) => a.startDate <= '2026-06-15' && (a.endDate === undefined || a.endDate <= '2026-06-15'))).toBe(true);
    expect(cut.some((a) => a.class === 'inpatient' && a.endDate === undefined)).toBe(true);
    const early = (xs: ActivityInput[]) =>
      xs.filter((a) => (a.class === 'outpatient' ? a.startDate <= '2026-06-15' : a.endDate !== undefined && a.endDate <= '2026-06-15'));
    expect(early(cut)).toEqual(early(full));
  });

  it('money helpers are exact', () => {
    expect(fenToYuan(0)).toBe('0.00');
    expect(fenToYuan(7)).toBe('0.07');
    expect(fenToYuan(1_031_600)).toBe('10316.00');
    expect(yuanToFen('1234.5')).toBe(123_450);
    expect(yuanToFen('0.07')).toBe(7);
    expect(yuanToFen('12')).toBe(1200);
    expect(() => fenToYuan(1.5)).toThrow();
  });
});

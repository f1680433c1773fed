import { describe, expect, it } from 'vitest';
import type { FacilityTier, Urgency } from '../../contracts/codes.js';
import { FREE_RESERVED_SLOTS_COUNTED_UP_TO } from '../../contracts/referral.js';
import { defaultCatalogue, normaliseIcd10, parseIcdRange, type CatalogueEntry } from '../network/index.js';
import { commonDiagnosisName, COMMON_DIAGNOSES, searchCommonDiagnoses } from './common-diagnoses.js';
import {
  coverageFor, haversineKm, rankDestinations, StraightLineTravelEstimator, type AllianceFacts, type CandidateFacts, type LatLon,
  type PairingRelation, type RankInput,
} from './routing.rules.js';

const entries: CatalogueEntry[] = defaultCatalogue.map((e) => {
  const r = parseIcdRange(e.range)!;
  return { tier: e.tier, allianceId: null, codeFrom: r.from, codeTo: r.to, effect: e.effect, label: e.label };
});

// A small network shaped like the demo county (sites are the demo's approximations).
const SITES: Record<string, LatLon> = {
  village: { latitude: 25.67, longitude: 116.43 },
  hetian: { latitude: 25.66, longitude: 116.41 },
  zhuotian: { latitude: 25.545, longitude: 116.3 },
  county: { latitude: 25.838, longitude: 116.353 },
  tcm: { latitude: 25.829, longitude: 116.358 },
  mch: { latitude: 25.842, longitude: 116.344 },
  city: { latitude: 25.08, longitude: 117.02 },
  regional: { latitude: 26.08, longitude: 119.3 },
};
const ORGS: Record<string, { name: string; tier: FacilityTier; alliances: string[] }> = {
  village: { name: '上街村卫生室', tier: 'village-clinic', alliances: ['ygt'] },
  hetian: { name: '长汀县河田镇中心卫生院', tier: 'township-health-center', alliances: ['ygt', 'tele'] },
  zhuotian: { name: '长汀县濯田镇中心卫生院', tier: 'township-health-center', alliances: ['ygt', 'tele'] },
  county: { name: '长汀县总医院', tier: 'county-hospital', alliances: ['ygt', 'cardio', 'tele'] },
  tcm: { name: '长汀县中医院', tier: 'county-tcm-hospital', alliances: ['ygt', 'cardio', 'tele'] },
  mch: { name: '长汀县妇幼保健院', tier: 'county-mch-hospital', alliances: ['ygt', 'tele'] },
  city: { name: '龙岩市第一医院', tier: 'city-hospital', alliances: ['cardio', 'tele'] },
  regional: { name: '福建医科大学附属协和医院', tier: 'regional-medical-center', alliances: ['tele'] },
};
const ALLIANCES = new Map<string, AllianceFacts>([
  ['ygt', { id: 'ygt', name: '长汀县总医院医共体', kind: 'county-community', leadOrganizationId: 'county' }],
  ['cardio', { id: 'cardio', name: '龙岩市心血管专科联盟', kind: 'specialty-alliance', leadOrganizationId: 'city' }],
  ['tele', { id: 'tele', name: '协和医院远程医疗协作网', kind: 'telemedicine-network', leadOrganizationId: 'regional' }],
]);
const travel = new StraightLineTravelEstimator();

function scenario(opts: {
  origin: keyof typeof ORGS;
  code: string;
  urgency?: Urgency;
  partners?: [string, PairingRelation][];
  capacity?: Record<string, { slots?: number; beds?: number }>;
  from?: LatLon;
  only?: string[];
  overrides?: Partial<Record<string, Partial<CandidateFacts>>>;
}): RankInput {
  const origin = ORGS[opts.origin]!;
  const code = normaliseIcd10(opts.code)!;
  const from = opts.from ?? SITES[opts.origin]!;
  const candidates = Object.entries(ORGS)
    .filter(([id]) => id !== opts.origin && (!opts.only || opts.only.includes(id)))
    .map(([id, o]): CandidateFacts => ({
      organizationId: id,
      name: o.name,
      tier: o.tier,
      allianceIds: o.alliances,
      coverage: coverageFor(entries, o.tier, code, o.alliances),
      freeReservedSlots: opts.capacity?.[id]?.slots ?? 0,
      freeReservedBeds: opts.capacity?.[id]?.beds ?? 0,
      distanceKm: travel.distanceKm(from, SITES[id]!),
      ...(opts.overrides?.[id] ?? {}),
    }));
  return {
    diagnosis: { code, name: commonDiagnosisName(code) },
    origin: { organizationId: opts.origin, tier: origin.tier, allianceIds: origin.alliances, pairingPartners: new Map(opts.partners ?? []) },
    alliances: ALLIANCES,
    candidates,
    urgency: opts.urgency ?? 'routine',
    distanceFrom: 'patient',
  };
}
const names = (input: RankInput) => rankDestinations(input).map((c) => c.name);

describe('distance', () => {
  it('computes great-circle distances (haversine)', () => {
    expect(haversineKm(SITES.county!, SITES.county!)).toBe(0);
    // One degree of latitude ≈ 111.2 km.
    expect(haversineKm({ latitude: 25, longitude: 116 }, { latitude: 26, longitude: 116 })).toBeCloseTo(111.19, 1);
    // 长汀 → 龙岩 ≈ 107 km in a straight line.
    expect(haversineKm(SITES.county!, SITES.city!)).toBeGreaterThan(100);
    expect(haversineKm(SITES.county!, SITES.city!)).toBeLessThan(115);
  });

  it('multiplies the straight line by the road factor (1.4 by default, replaceable)', () => {
    const d = haversineKm(SITES.village!, SITES.county!);
    expect(new StraightLineTravelEstimator().distanceKm(SITES.village!, SITES.county!)).toBeCloseTo(d * 1.4, 6);
    expect(new StraightLineTravelEstimator(1.2).distanceKm(SITES.village!, SITES.county!)).toBeCloseTo(d * 1.2, 6);
    expect(() => new StraightLineTravelEstimator(0.5)).toThrow(/road factor/);
  });
});

describe('coverage for a destination', () => {
  it('uses the default catalogue and assumes full coverage at the top tiers', () => {
    expect(coverageFor(entries, 'county-hospital', 'I639', []).covered).toBe(true);
    expect(coverageFor(entries, 'county-hospital', 'C349', [])).toMatchObject({ covered: false, entryLabel: '肺恶性肿瘤' });
    expect(coverageFor(entries, 'regional-medical-center', 'C349', []).covered).toBe(true);
    // No entry at all for the top tiers still counts as covered.
    expect(coverageFor([], 'national-medical-center', 'C349', []).covered).toBe(true);
    expect(coverageFor([], 'county-hospital', 'I10', []).covered).toBe(false);
  });

  it("applies the first alliance override that matches, in the order given", () => {
    const withOverride: CatalogueEntry[] = [
      ...entries,
      { tier: 'county-hospital', allianceId: 'ygt', codeFrom: 'C34', codeTo: 'C34', effect: 'include', label: '肺癌（县级肿瘤中心）' },
      { tier: 'county-hospital', allianceId: 'cardio', codeFrom: 'C34', codeTo: 'C34', effect: 'exclude', label: '不收治肺癌' },
    ];
    expect(coverageFor(withOverride, 'county-hospital', 'C349', ['ygt', 'cardio'])).toEqual({ covered: true, entryLabel: '肺癌（县级肿瘤中心）', fromOverride: true });
    expect(coverageFor(withOverride, 'county-hospital', 'C349', ['cardio', 'ygt']).covered).toBe(false);
    expect(coverageFor(withOverride, 'county-hospital', 'C349', ['tele'])).toMatchObject({ covered: false, fromOverride: false });
  });
});

describe('rankDestinations', () => {
  it('sends common illness beyond the grassroots (acute stroke) from a village clinic to the county lead hospital', () => {
    const ranked = rankDestinations(scenario({ origin: 'village', code: 'I63.9', partners: [['hetian', 'supervising']] }));
    expect(ranked[0]!.name).toBe('长汀县总医院');
    expect(ranked[0]!.reasons).toEqual(expect.arrayContaining(['诊疗目录覆盖 I63.9（脑梗死）', '乡镇级诊疗目录未覆盖，建议上转县级', '本医共体牵头医院']));
    expect(ranked[0]!.reasons.some((r) => /^距患者住址约 \d+ km$/.test(r))).toBe(true);
    expect(ranked[0]).toMatchObject({ coversDiagnosis: true, sameAlliance: true, supportPairing: false });
    // The city and regional centers cover it too but sit lower; the township centers (excluded) come last.
    const order = ranked.map((c) => c.name);
    expect(order.indexOf('龙岩市第一医院')).toBeLessThan(order.indexOf('福建医科大学附属协和医院'));
    expect(order.indexOf('福建医科大学附属协和医院')).toBeLessThan(order.indexOf('长汀县河田镇中心卫生院'));
    expect(ranked.find((c) => c.name === '龙岩市第一医院')!.reasons).toContain('层级高于病情所需');
    expect(ranked.find((c) => c.name === '长汀县河田镇中心卫生院')!.reasons[0]).toBe('诊疗目录未覆盖 I63.9（脑梗死）：急性脑卒中');
  });

  it('keeps what the township center treats (hypertension) at the supervising township center', () => {
    const ranked = rankDestinations(scenario({ origin: 'village', code: 'I10', partners: [['hetian', 'supervising']] }));
    expect(ranked[0]!.name).toBe('长汀县河田镇中心卫生院');
    expect(ranked[0]!.reasons).toEqual(expect.arrayContaining(['可诊治的最低层级', '本医共体成员单位', '上级监管卫生院（乡村一体化）']));
    expect(ranked[1]!.name).toBe('长汀县濯田镇中心卫生院');
    // Then the county level, the lead hospital first.
    expect(ranked[2]!.name).toBe('长汀县总医院');
  });

  it('sends a condition outside the county catalogue (lung cancer) to the city hospital, then the regional center', () => {
    const ranked = rankDestinations(scenario({ origin: 'village', code: 'C34.9' }));
    expect(ranked.slice(0, 2).map((c) => c.name)).toEqual(['龙岩市第一医院', '福建医科大学附属协和医院']);
    expect(ranked[0]!.reasons).toContain('县级诊疗目录未覆盖，建议上转市级');
    const county = ranked.find((c) => c.name === '长汀县总医院')!;
    expect(county.coversDiagnosis).toBe(false);
    expect(county.reasons[0]).toBe('诊疗目录未覆盖 C34.9（肺恶性肿瘤）');
  });

  it('never offers an origin at the county tier a county-level (or lower) destination', () => {
    for (const code of ['I10', 'C34.9', 'I63.9']) {
      const ranked = rankDestinations(scenario({ origin: 'county', code }));
      expect(ranked.map((c) => c.tier).sort()).toEqual(['city-hospital', 'regional-medical-center']);
    }
    // The city hospital shares the specialty alliance and supports the county hospital.
    const ranked = rankDestinations(scenario({ origin: 'county', code: 'I21.0', partners: [['city', 'supporting'], ['regional', 'supporting']] }));
    expect(ranked[0]!.name).toBe('龙岩市第一医院');
    expect(ranked[0]!.reasons).toEqual(expect.arrayContaining(['同属龙岩市心血管专科联盟', '对口帮扶医院']));
  });

  it('puts the support-pairing partner first among equals', () => {
    // Two county-level hospitals that both cover appendicitis; only the TCM hospital supports this origin.
    const overrides = { county: { allianceIds: ['tele'], distanceKm: 60 }, tcm: { allianceIds: ['tele'], distanceKm: 20 } };
    expect(names(scenario({ origin: 'hetian', code: 'K35.8', only: ['county', 'tcm'], overrides }))[0]).toBe('长汀县中医院');
    const paired = scenario({ origin: 'hetian', code: 'K35.8', only: ['county', 'tcm'], partners: [['county', 'supporting']], overrides });
    const ranked = rankDestinations(paired);
    expect(ranked[0]!.name).toBe('长汀县总医院');
    expect(ranked[0]!.supportPairing).toBe(true);
    expect(ranked[0]!.reasons).toContain('对口帮扶医院');
  });

  it('prefers free reserved capacity over a shorter trip', () => {
    const input = scenario({
      origin: 'county', code: 'C34.9', only: ['city', 'regional'],
      overrides: { city: { tier: 'regional-medical-center', allianceIds: [] }, regional: { allianceIds: [] } },
      capacity: { regional: { slots: 12, beds: 3 } },
    });
    const ranked = rankDestinations(input);
    expect(ranked[0]!.name).toBe('福建医科大学附属协和医院');
    expect(ranked[0]!.reasons).toEqual(expect.arrayContaining(['预留号源 12 个', '预留床位 3 张']));
    expect(ranked[0]!.freeReservedSlots).toBe(12);
    expect(ranked[1]!.reasons).toContain('7日内暂无可用预留号源/床位');
  });

  it('says "100+" when the slot count reached the bound it is counted up to', () => {
    const capped = scenario({ origin: 'county', code: 'C34.9', only: ['regional'], overrides: { regional: { allianceIds: [] } }, capacity: { regional: { slots: FREE_RESERVED_SLOTS_COUNTED_UP_TO, beds: 0 } } });
    expect(rankDestinations(capped)[0]!.reasons).toContain(`预留号源 ${FREE_RESERVED_SLOTS_COUNTED_UP_TO}+ 个`);
    const below = scenario({ origin: 'county', code: 'C34.9', only: ['regional'], overrides: { regional: { allianceIds: [] } }, capacity: { regional: { slots: FREE_RESERVED_SLOTS_COUNTED_UP_TO - 1, beds: 0 } } });
    expect(rankDestinations(below)[0]!.reasons).toContain(`预留号源 ${FREE_RESERVED_SLOTS_COUNTED_UP_TO - 1} 个`);
  });

  it('breaks remaining ties by distance, then by name and id', () => {
    const near = scenario({ origin: 'village', code: 'I10', only: ['hetian', 'zhuotian'] });
    expect(names(near)).toEqual(['长汀县河田镇中心卫生院', '长汀县濯田镇中心卫生院']);
    const swapped = scenario({ origin: 'village', code: 'I10', only: ['hetian', 'zhuotian'], from: SITES.zhuotian });
    expect(names(swapped)).toEqual(['长汀县濯田镇中心卫生院', '长汀县河田镇中心卫生院']);
    const equal = scenario({ origin: 'village', code: 'I10', only: ['hetian', 'zhuotian'], overrides: { hetian: { distanceKm: 10, name: 'B' }, zhuotian: { distanceKm: 10, name: 'A' } } });
    expect(names(equal)).toEqual(['A', 'B']);
  });

  it('weighs distance over relations in an emergency (nearest capable facility)', () => {
    // Both county hospitals cover the condition; the TCM hospital is not the lead, but it is much nearer.
    const overrides = { county: { distanceKm: 40 }, tcm: { distanceKm: 15 } };
    const routine = scenario({ origin: 'hetian', code: 'K35.8', only: ['county', 'tcm'], overrides });
    const emergency = scenario({ origin: 'hetian', code: 'K35.8', only: ['county', 'tcm'], overrides, urgency: 'emergency' });
    expect(names(routine)[0]).toBe('长汀县总医院');
    expect(names(emergency)[0]).toBe('长汀县中医院');
  });

  it('says when a distance is unknown and ranks such a candidate after a known one', () => {
    const input = scenario({ origin: 'village', code: 'I10', only: ['hetian', 'zhuotian'], overrides: { hetian: { distanceKm: null } } });
    const ranked = rankDestinations(input);
    expect(ranked[0]!.name).toBe('长汀县濯田镇中心卫生院');
    expect(ranked[1]!.reasons).toContain('距离未知（缺少坐标）');
    expect(ranked[1]!.distanceKm).toBeNull();
  });
});

describe('common diagnoses', () => {
  it('is a list of about 150 valid, distinct ICD-10 codes with both names', () => {
    expect(COMMON_DIAGNOSES.length).toBeGreaterThanOrEqual(140);
    for (const d of COMMON_DIAGNOSES) {
      expect(normaliseIcd10(d.code), d.code).not.toBeNull();
      expect(d.zh.length).toBeGreaterThan(0);
      expect(d.en.length).toBeGreaterThan(0);
    }
    expect(new Set(COMMON_DIAGNOSES.map((d) => d.code)).size).toBe(COMMON_DIAGNOSES.length);
  });

  it('searches by code prefix and by Chinese or English name, at most 20', () => {
    expect(searchCommonDiagnoses('i63').map((d) => d.code)).toEqual(['I63', 'I63.9']);
    expect(searchCommonDiagnoses('E11.9').map((d) => d.code)).toEqual(['E11.9']);
    expect(searchCommonDiagnoses('阑尾').map((d) => d.code)).toEqual(['K35', 'K35.8']);
    expect(searchCommonDiagnoses('pneumonia').map((d) => d.code)).toContain('J18.9');
    expect(searchCommonDiagnoses('').length).toBe(20);
    expect(searchCommonDiagnoses('C').length).toBe(20);
    expect(searchCommonDiagnoses('不存在的诊断')).toEqual([]);
  });

  it('names a code or its category', () => {
    expect(commonDiagnosisName('I63.8')).toBe('脑梗死');
    expect(commonDiagnosisName('I10.x00x002')).toBe('原发性高血压');
    expect(commonDiagnosisName('Z99.9')).toBeNull();
  });
});

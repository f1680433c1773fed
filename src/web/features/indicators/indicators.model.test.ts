import { describe, expect, it } from 'vitest';
import type { IndicatorDefinitionDto, IndicatorPeriodValue, IndicatorRankingRow } from '../../../contracts/indicator.js';
import {
  addMonths, compareRankValue, divisionLevelOf, divisionTrail, drillState, noActivity, dashboardSearch, defaultRange, exportSheets, type ExportLabels,
  exportFileName, formatTerm, formatValue, mapPoints, parseDashboardState, periodLabel, shortPlaceName, toCsv, trafficLight, unsupportedReason,
} from './indicators.model.js';

const v = (period: string, value: number | null, extra: Partial<IndicatorPeriodValue> = {}): IndicatorPeriodValue => ({
  period, numerator: value, denominator: value === null ? null : 100, value, noData: value === null, ...extra,
});

const def = (over: Partial<IndicatorDefinitionDto> = {}): IndicatorDefinitionDto => ({
  id: 'd1', code: 'county-visit-rate', version: 1, nameZh: '县域就诊率', nameEn: 'County visit rate', dimension: 'tightness', formula: 'ratio',
  numerator: { text: 'n', key: { source: 'activity', measure: 'records', population: 'residents', facilities: 'home' } },
  denominator: { text: 'd', key: { source: 'activity', measure: 'records', population: 'residents', facilities: 'any' } },
  baseCode: null, scale: 100, unit: 'percent', direction: 'higher-better', levels: ['alliance', 'county'], periods: ['month', 'quarter', 'year'],
  source: 's', note: null, validFrom: '2024-01-01', validTo: null, ...over,
});

describe('trafficLight', () => {
  it('judges a higher-is-better value against its target', () => {
    expect(trafficLight(91, 90, 'higher-better')).toBe('green');
    expect(trafficLight(90, 90, 'higher-better')).toBe('green');
    expect(trafficLight(85, 90, 'higher-better')).toBe('amber');
    expect(trafficLight(80, 90, 'higher-better')).toBe('red');
  });
  it('judges a lower-is-better value against its target', () => {
    expect(trafficLight(8000, 8000, 'lower-better')).toBe('green');
    expect(trafficLight(8500, 8000, 'lower-better')).toBe('amber');
    expect(trafficLight(9000, 8000, 'lower-better')).toBe('red');
  });
  it('stays neutral without a target or a direction, and dark without a figure', () => {
    expect(trafficLight(50, null, 'higher-better')).toBe('neutral');
    expect(trafficLight(50, undefined, 'lower-better')).toBe('neutral');
    expect(trafficLight(50, 40, 'neutral')).toBe('neutral');
    expect(trafficLight(null, 90, 'higher-better')).toBe('none');
  });
  it('treats a real zero as a figure', () => {
    expect(trafficLight(0, 10, 'higher-better')).toBe('red');
    expect(trafficLight(0, 10, 'lower-better')).toBe('green');
  });
});

describe('formatting', () => {
  it('formats a value by its unit', () => {
    expect(formatValue(92.35, 'percent')).toBe('92.35%');
    expect(formatValue(60, 'percent')).toBe('60%');
    expect(formatValue(12345, 'count')).toBe('12,345');
    expect(formatValue(8123.4, 'yuan')).toBe('8,123.40 元');
    expect(formatValue(8123.4, 'yuan', 'en')).toBe('¥8,123.40');
    expect(formatValue(3.2, 'per-10000')).toBe('3.2/万人');
    expect(formatValue(3.2, 'per-10000', 'en')).toBe('3.2 per 10k');
  });
  it('never turns a missing value into zero', () => {
    expect(formatValue(null, 'percent')).toBe('—');
    expect(formatValue(undefined, 'count')).toBe('—');
    expect(formatTerm(null, false)).toBe('—');
    expect(formatValue(0, 'count')).toBe('0');
  });
  it('shows money terms, sent in fen, as yuan', () => {
    expect(formatTerm(81234500, true)).toBe('812,345.00 元');
    expect(formatTerm(4321, false)).toBe('4,321');
  });
});

describe('periods', () => {
  it('labels months, quarters and years in both languages', () => {
    expect(periodLabel('2026-03')).toBe('2026年3月');
    expect(periodLabel('2026-03', 'en')).toBe('Mar 2026');
    expect(periodLabel('2026-Q1')).toBe('2026年第1季度');
    expect(periodLabel('2026-Q4', 'en')).toBe('Q4 2026');
    expect(periodLabel('2026')).toBe('2026年');
    expect(periodLabel('2026', 'en')).toBe('2026');
  });
  it('defaults to the last 12 months up to the current one', () => {
    expect(addMonths('2026-01', -1)).toBe('2025-12');
    expect(addMonths('2025-12', 1)).toBe('2026-01');
    expect(defaultRange('2026-11-22')).toEqual({ from: '2025-12', to: '2026-11' });
    expect(defaultRange('2026-01-05')).toEqual({ from: '2025-02', to: '2026-01' });
  });
});

describe('dashboard state', () => {
  const defaults = { level: 'county' as const, today: '2026-11-22', subjectFor: (l: string) => (l === 'county' ? '350821' : '') };
  it('fills defaults and round-trips through the URL', () => {
    const s = parseDashboardState(new URLSearchParams(''), defaults);
    expect(s).toEqual({ level: 'county', subject: '350821', period: 'month', from: '2025-12', to: '2026-11', indicator: null });
    const drill = { ...s, level: 'facility' as const, subject: 'org-1', indicator: 'up-referrals' };
    expect(parseDashboardState(new URLSearchParams(dashboardSearch(drill)), defaults)).toEqual(drill);
  });
  it('drops malformed parameters', () => {
    const s = parseDashboardState(new URLSearchParams('level=planet&period=week&from=2026-13&to=2026-01'), defaults);
    expect(s).toMatchObject({ level: 'county', period: 'month', from: '2025-12', to: '2026-11' });
    expect(parseDashboardState(new URLSearchParams('level=facility'), defaults).subject).toBe('');
  });
  it('says when a definition is not cut by the level or period', () => {
    expect(unsupportedReason(def(), 'facility', 'month')).toBe('level');
    expect(unsupportedReason(def({ periods: ['year'] }), 'county', 'month')).toBe('period');
    expect(unsupportedReason(def(), 'county', 'quarter')).toBeNull();
  });
  it('recognises a database without activity, whatever the registers say', () => {
    const referrals = def({ code: 'up-referrals', formula: 'count', denominator: null, numerator: { text: 'n', key: { source: 'referrals', direction: 'up' } } });
    expect(noActivity([
      { definition: def(), values: [v('2026-01', null), v('2026-02', null)] },
      { definition: referrals, values: [v('2026-01', 0)] },
      { definition: def({ code: 'tcm-visit-share' }), values: undefined },
    ])).toBe(true);
    expect(noActivity([{ definition: def(), values: [v('2026-01', null), v('2026-02', 91)] }])).toBe(false);
    expect(noActivity([{ definition: referrals, values: [v('2026-01', null)] }])).toBe(false);
    expect(noActivity([{ definition: def(), values: undefined }])).toBe(false);
  });
});

const row = (id: string, value: number | null, over: Partial<IndicatorRankingRow> = {}): IndicatorRankingRow => ({
  level: 'facility', id, name: id, tier: 'township-health-center', divisionCode: '350821', latitude: null, longitude: null, rank: null,
  value: v('2026-11', value), ...over,
});

describe('geography', () => {
  it('knows a division’s level and its trail for the breadcrumbs', () => {
    expect(['350000', '350800', '350821'].map(divisionLevelOf)).toEqual(['province', 'city', 'county']);
    expect(divisionTrail('350821101')).toEqual([{ level: 'province', code: '350000' }, { level: 'city', code: '350800' }, { level: 'county', code: '350821' }]);
    expect(divisionTrail('350800').map((x) => x.code)).toEqual(['350000', '350800']);
    expect(divisionTrail('350000').map((x) => x.code)).toEqual(['350000']);
    expect(divisionTrail(null)).toEqual([]);
    expect(divisionTrail('alliance-id')).toEqual([]);
  });
  it('drills into a child; a facility opens on its months', () => {
    const s = { level: 'city' as const, subject: '350800', period: 'year' as const, from: '2026-01', to: '2026-11', indicator: 'tcm-visit-share' };
    expect(drillState(s, { level: 'county', id: '350821' })).toEqual({ ...s, level: 'county', subject: '350821' });
    expect(drillState(s, { level: 'facility', id: 'org-1' })).toEqual({ ...s, level: 'facility', subject: 'org-1', period: 'month' });
  });
  it('places township centers with a site on the schematic map and lists the others', () => {
    const { points, unplaced } = mapPoints([
      row('a', 12.5, { latitude: 25.8, longitude: 116.3 }),
      row('b', null, { latitude: 25.6, longitude: 116.4 }),
      row('c', 3),
      row('h', 40, { tier: 'county-hospital', latitude: 25.83, longitude: 116.35 }),
    ]);
    expect(points.map((p) => [p.id, p.value])).toEqual([['a', 12.5], ['b', null]]);
    expect(points[0]!.y).toBe(25.8);
    expect(points[0]!.x).toBeCloseTo(116.3 * Math.cos((25.7 * Math.PI) / 180), 4);
    expect(unplaced.map((r) => r.id)).toEqual(['c']);
  });
  it('shortens center names for map labels', () => {
    expect(shortPlaceName('长汀县河田镇中心卫生院')).toBe('河田镇');
    expect(shortPlaceName('长汀县铁长乡卫生院')).toBe('铁长乡');
    expect(shortPlaceName('长汀县汀州镇社区卫生服务中心')).toBe('汀州镇');
    expect(shortPlaceName('长汀县汀州镇梅林社区卫生服务中心')).toBe('梅林社区');
    expect(shortPlaceName('县医院')).toBe('县医院');
  });
  it('sorts by value with no data last', () => {
    const rows = [row('a', 10), row('b', null), row('c', 30), row('d', 5)];
    expect([...rows].sort(compareRankValue).map((r) => r.id)).toEqual(['d', 'a', 'c', 'b']);
  });
});

describe('export', () => {
  const labels: ExportLabels = {
    lang: 'zh-CN',
    h: { code: '编码', indicator: '指标', period: '期间', value: '值', unit: '单位', numerator: '分子', denominator: '分母', target: '目标', status: '状态', note: '说明', rank: '排名', facility: '单位', tier: '层级', level: '级别' },
    levels: { facility: '机构', alliance: '医联体', county: '县', city: '市', province: '省' },
    units: { percent: '%', count: '人次', yuan: '元', 'per-10000': '每万人' },
    lights: { green: '达标', amber: '接近', red: '未达标', neutral: '—', none: '无数据' },
    tiers: { 'county-hospital': '县级医院' },
    noData: '暂无数据', summarySheet: '汇总', trendSheet: '趋势', rankingSheet: '排名', caption: ['长汀县'],
  };
  it('writes figures as numbers, money in yuan, and no data as an empty cell with the reason', () => {
    const cost = def({ code: 'in-county-cost-per-admission', unit: 'yuan', direction: 'lower-better',
      numerator: { text: 'n', key: { source: 'activity', measure: 'totalCost', population: 'residents', facilities: 'home' } } });
    const sheets = exportSheets(labels, [
      { definition: def(), value: v('2026-11', 92.5, { target: 90 }) },
      { definition: cost, value: { period: '2026-11', numerator: 1234500, denominator: 2, value: 6172.5, noData: false } },
      { definition: def({ code: 'village-ecg-coverage' }), value: v('2026-11', null, { reason: '平台尚无设备登记' }) },
    ], null, null);
    expect(sheets.map((s) => s.name)).toEqual(['汇总']);
    const rows = sheets[0]!.rows;
    expect(rows[3]).toEqual(['county-visit-rate', '县域就诊率', '2026年11月', 92.5, '%', 92.5, 100, 90, '达标', '']);
    expect(rows[4]?.slice(3, 7)).toEqual([6172.5, '元', 12345, 2]);
    expect(rows[5]?.slice(3, 4)).toEqual([null]);
    expect(rows[5]?.[9]).toBe('暂无数据：平台尚无设备登记');
  });
  it('writes the ranking with the subject first, each row’s target and light', () => {
    const sheets = exportSheets(labels, [], null, {
      definition: def(), period: '2026',
      parent: { name: '龙岩市', level: 'city', value: v('2026', 91.5, { target: 90 }) },
      rows: [row('350821', 92, { level: 'county', name: '长汀县', tier: null, rank: 1, value: v('2026', 92, { target: 95 }) }), row('350802', null, { level: 'county', name: '新罗区', tier: null })],
    });
    expect(sheets.map((s) => s.name)).toEqual(['汇总', '排名']);
    const rows = sheets[1]!.rows;
    expect(rows[1]).toEqual(['排名', '单位', '级别', '层级', '值', '分子', '分母', '目标', '状态', '说明']);
    expect(rows[2]).toEqual(['', '龙岩市', '市', '', 91.5, 91.5, 100, 90, '达标', '']);
    expect(rows[3]).toEqual([1, '长汀县', '县', '', 92, 92, 100, 95, '接近', '']);
    expect(rows[4]?.slice(0, 5)).toEqual([null, '新罗区', '县', '', null]);
    expect(rows[4]?.[8]).toBe('无数据');
  });
  it('quotes CSV cells and names the file safely', () => {
    expect(toCsv([['a,b', 'say "hi"', null, 3]])).toBe('"a,b","say ""hi""",,3');
    expect(exportFileName('福建省 龙岩市 长汀县', '2025-12', '2026-11', 'xlsx')).toBe('监测指标_福建省_龙岩市_长汀县_2025-12_2026-11.xlsx');
  });
});

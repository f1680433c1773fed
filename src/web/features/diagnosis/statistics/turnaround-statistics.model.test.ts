import { describe, expect, it } from 'vitest';
import type { DurationDistributionDto, TurnaroundGroupDto, TurnaroundStatisticsDto } from '../../../../contracts/diagnosis-statistics.js';
import {
  bucketLabels, durationParts, monthSeries, openRequests, parseStatisticsState, quickPeriod, quickPeriodOf, relabelStatistics, sortGroups, statisticsSearch, statisticsSheets,
  type StatisticsExportLabels,
} from './turnaround-statistics.model.js';

const dist = (p50: number | null, buckets = [0, 0, 0]): DurationDistributionDto => ({ count: p50 === null ? 0 : 1, p50, p90: p50, p95: p50, max: p50, buckets });
const g = (key: string, requests: number, onTimeShare: number | null, p50: number | null): TurnaroundGroupDto => ({
  key, label: key, requests, completed: requests, withDeadline: requests, onTime: 0, onTimeShare, report: dist(p50), claim: dist(5), reportExcludingPauses: dist(p50),
});
const labels: StatisticsExportLabels = {
  title: '远程诊断统计', period: '期间', centers: '中心', summary: '汇总', histogram: '分布',
  dimensions: { center: '按中心', modality: '按类型', urgency: '按紧急程度', reader: '按医师', requester: '按申请机构', month: '按月' },
  h: { group: '分组', requests: '申请数', completed: '已报告', withDeadline: '计时完成', onTime: '及时', onTimeShare: '及时率%', p50: '中位数', p90: 'P90', p95: 'P95', max: '最长', claimP50: '接单中位数', netP50: '扣除暂停中位数', bucket: '区间（分钟）', count: '数量' },
};

describe('sortGroups', () => {
  it('sorts by a figure either way, rows without it last', () => {
    const rows = [g('a', 3, 50, 40), g('b', 1, null, null), g('c', 5, 100, 20)];
    expect(sortGroups(rows, 'onTimeShare', 'desc').map((r) => r.key)).toEqual(['c', 'a', 'b']);
    expect(sortGroups(rows, 'onTimeShare', 'asc').map((r) => r.key)).toEqual(['a', 'c', 'b']);
    expect(sortGroups(rows, 'p50', 'asc').map((r) => r.key)).toEqual(['c', 'a', 'b']);
    expect(sortGroups(rows, 'requests', 'desc').map((r) => r.key)).toEqual(['c', 'a', 'b']);
  });
});

describe('statisticsSheets', () => {
  it('writes the summary, one sheet per breakdown and the histogram; no data stays empty, never 0', () => {
    const s: TurnaroundStatisticsDto = {
      from: '2026-10-01', to: '2026-10-31', urgency: null, centers: [{ id: 'c1', name: '心电中心', type: 'ecg', organizationName: '县医院' }], bucketBounds: [30, 60],
      summary: { ...g('all', 4, 66.67, 45), report: dist(45, [1, 1, 1]) },
      groups: { month: [g('2026-10', 4, 66.67, 45)], reader: [g('张医生', 0, null, null)] },
    };
    const sheets = statisticsSheets(s, labels);
    expect(sheets.map((x) => x.name)).toEqual(['汇总', '按月', '按医师', '分布']);
    expect(sheets[0]!.rows.slice(0, 3)).toEqual([['远程诊断统计'], ['期间', '2026-10-01 – 2026-10-31'], ['中心', '心电中心']]);
    expect(sheets[0]!.rows[4]).toEqual(['分组', '申请数', '已报告', '计时完成', '及时', '及时率%', '中位数', 'P90', 'P95', '最长', '接单中位数', '扣除暂停中位数']);
    expect(sheets[0]!.rows[5]).toEqual(['汇总', 4, 4, 4, 0, 66.67, 45, 45, 45, 45, 5, 45]);
    expect(sheets[2]!.rows[5]).toEqual(['张医生', 0, 0, 0, 0, null, null, null, null, null, 5, null]);
    expect(sheets[3]!.rows.slice(5)).toEqual([['<30', 1], ['30–60', 1], ['≥60', 1]]);
    expect(bucketLabels([30, 60, 120])).toEqual(['<30', '30–60', '60–120', '≥120']);
  });
});

describe('quickPeriod', () => {
  it('covers this month, quarter, year and the last twelve months up to today', () => {
    expect(quickPeriod('month', '2026-11-22')).toEqual({ from: '2026-11-01', to: '2026-11-22' });
    expect(quickPeriod('quarter', '2026-11-22')).toEqual({ from: '2026-10-01', to: '2026-11-22' });
    expect(quickPeriod('quarter', '2026-03-31')).toEqual({ from: '2026-01-01', to: '2026-03-31' });
    expect(quickPeriod('year', '2026-11-22')).toEqual({ from: '2026-01-01', to: '2026-11-22' });
    expect(quickPeriod('last12', '2026-11-22')).toEqual({ from: '2025-12-01', to: '2026-11-22' });
    expect(quickPeriod('last12', '2026-12-05')).toEqual({ from: '2026-01-01', to: '2026-12-05' });
    expect(quickPeriodOf('2026-10-01', '2026-11-22', '2026-11-22')).toBe('quarter');
    expect(quickPeriodOf('2026-10-02', '2026-11-22', '2026-11-22')).toBeNull();
  });
});

describe('parseStatisticsState', () => {
  it('reads the filter from the URL and round-trips it', () => {
    const s = parseStatisticsState(new URLSearchParams('center=c1&from=2026-01-01&to=2026-06-30&urgency=emergency'), '2026-11-22');
    expect(s).toEqual({ centerId: 'c1', from: '2026-01-01', to: '2026-06-30', urgency: 'emergency' });
    expect(parseStatisticsState(new URLSearchParams(statisticsSearch(s)), '2026-11-22')).toEqual(s);
  });
  it('falls back to this month for a malformed or reversed period, and ignores an unknown urgency', () => {
    const month = { centerId: null, from: '2026-11-01', to: '2026-11-22', urgency: null };
    expect(parseStatisticsState(new URLSearchParams('from=2026-13-01&to=2026-14-01&urgency=soon'), '2026-11-22')).toEqual(month);
    expect(parseStatisticsState(new URLSearchParams('from=2026-06-30&to=2026-01-01'), '2026-11-22')).toEqual(month);
    expect(parseStatisticsState(new URLSearchParams(''), '2026-11-22')).toEqual(month);
  });
});

describe('durationParts and openRequests', () => {
  it('shows minutes, then hours, then days; nothing for no data', () => {
    expect(durationParts(null)).toBeNull();
    expect(durationParts(44.6)).toEqual({ unit: 'minutes', value: 45 });
    expect(durationParts(150)).toEqual({ unit: 'hours', value: 2.5 });
    expect(durationParts(4320)).toEqual({ unit: 'days', value: 3 });
    expect(openRequests({ requests: 7, completed: 5 })).toBe(2);
  });
});

describe('relabelStatistics', () => {
  it('relabels every group and leaves the figures alone', () => {
    const s: TurnaroundStatisticsDto = {
      from: '2026-10-01', to: '2026-10-31', urgency: null, centers: [], bucketBounds: [30], summary: g('all', 1, null, null),
      groups: { urgency: [g('emergency', 1, 100, 20)], modality: [g('CT', 2, 50, 30)] },
    };
    const out = relabelStatistics(s, (d, x) => `${d}:${x.key}`);
    expect(out.groups.urgency?.[0]).toMatchObject({ key: 'emergency', label: 'urgency:emergency', requests: 1, onTimeShare: 100 });
    expect(out.groups.modality?.[0]?.label).toBe('modality:CT');
    expect(s.groups.urgency?.[0]?.label).toBe('emergency');
  });
});

describe('monthSeries', () => {
  it('lists every month of the period, quiet months as 0 requests and no share', () => {
    expect(monthSeries('2025-11-15', '2026-02-03', [g('2025-12', 3, 66.67, 40), g('2026-02', 1, null, null)])).toEqual([
      { label: '2025-11', requests: 0, onTimeShare: null },
      { label: '2025-12', requests: 3, onTimeShare: 66.67 },
      { label: '2026-01', requests: 0, onTimeShare: null },
      { label: '2026-02', requests: 1, onTimeShare: null },
    ]);
    expect(monthSeries('2026-03-01', '2026-03-31')).toEqual([{ label: '2026-03', requests: 0, onTimeShare: null }]);
  });
});

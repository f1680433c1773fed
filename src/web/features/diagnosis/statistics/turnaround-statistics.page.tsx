import { BarChartOutlined, DownloadOutlined, LineChartOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, DatePicker, Flex, Row, Segmented, Select, Space, Tabs, Typography } from 'antd';
import dayjs from 'dayjs';
import { useCallback, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { statisticsDimensions, type StatisticsDimension, type TurnaroundGroupDto, type TurnaroundStatisticsDto } from '../../../../contracts/diagnosis-statistics.js';
import { urgencies, type Urgency } from '../../../../contracts/codes.js';
import { BarChart } from '../../../components/bar-chart.js';
import { EmptyState } from '../../../components/empty-state.js';
import { PageHeader } from '../../../components/page-header.js';
import { Loading, QueryError } from '../../../components/query-state.js';
import { errorText } from '../../../lib/errors.js';
import { shanghaiDate } from '../../../lib/format.js';
import { useTurnaroundStatistics } from './turnaround-statistics.api.js';
import {
  bucketLabels, monthSeries, parseStatisticsState, quickPeriod, quickPeriodOf, quickPeriods, relabelStatistics, statisticsSearch, type QuickPeriod, type StatisticsExportLabels,
  type StatisticsViewState,
} from './turnaround-statistics.model.js';
import { TurnaroundGroupTable } from './turnaround-group-table.js';
import { TurnaroundKpis } from './turnaround-kpis.js';
import { TurnaroundTrendChart } from './turnaround-trend-chart.js';

/** Breakdowns shown as tables, in this order; the per-center one only when more than one center is in the selection. */
const tableDimensions = ['modality', 'urgency', 'reader', 'requester', 'center'] as const satisfies readonly StatisticsDimension[];

/**
 * 远程诊断统计: turnaround of the shared diagnosis centers the user may read (their own center for a reader, the
 * alliance's centers for its administrator, all for the commission) — volume, share reported on time, median and
 * 90th-percentile turnaround, the distribution, the months, and tables per modality, urgency, reader and requesting
 * facility; exported to Excel. The filter lives in the URL. Which centers may be read is the server's decision
 * (docs/diagnosis.md, "Turnaround statistics"): the center list comes from the same endpoint, and a center the user
 * may not read answers 403 like any other request.
 */
export function TurnaroundStatisticsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const today = shanghaiDate();
  const [params, setParams] = useSearchParams();
  const state = parseStatisticsState(params, today);
  const update = useCallback(
    (patch: Partial<StatisticsViewState>) => setParams(new URLSearchParams(statisticsSearch({ ...state, ...patch }))),
    [setParams, state],
  );

  // The centers in the user's scope: one day of the unfiltered statistics is cheap and names exactly those.
  const scope = useTurnaroundStatistics({ from: today, to: today, groupBy: ['center'] });
  const stats = useTurnaroundStatistics({
    from: state.from, to: state.to, centerId: state.centerId ?? undefined, urgency: state.urgency ?? undefined, groupBy: statisticsDimensions,
  });

  const labelOf = useCallback(
    (dimension: StatisticsDimension, g: TurnaroundGroupDto): string => {
      if (dimension === 'modality') return t(`diagnosisModality.${g.key}`, { defaultValue: g.label });
      if (dimension === 'urgency') return t(`urgency.${g.key}`, { defaultValue: g.label });
      return g.label;
    },
    [t],
  );
  const data: TurnaroundStatisticsDto | undefined = useMemo(() => (stats.data ? relabelStatistics(stats.data, labelOf) : undefined), [stats.data, labelOf]);

  const [exporting, setExporting] = useState(false);
  const doExport = async () => {
    if (!data) return;
    setExporting(true);
    try {
      const labels: StatisticsExportLabels = {
        title: t('diagnosisStats.title'),
        period: t('diagnosisStats.period'),
        centers: t('diagnosisStats.centers'),
        summary: t('diagnosisStats.sheet.summary'),
        histogram: t('diagnosisStats.sheet.histogram'),
        dimensions: Object.fromEntries(statisticsDimensions.map((d) => [d, t(`diagnosisStats.dimension.${d}`)])) as Record<StatisticsDimension, string>,
        h: {
          group: t('diagnosisStats.col.group'), requests: t('diagnosisStats.col.requests'), completed: t('diagnosisStats.col.completed'),
          withDeadline: t('diagnosisStats.col.withDeadline'), onTime: t('diagnosisStats.col.onTime'), onTimeShare: t('diagnosisStats.col.onTimeSharePercent'),
          p50: t('diagnosisStats.col.p50Minutes'), p90: t('diagnosisStats.col.p90Minutes'), p95: t('diagnosisStats.col.p95Minutes'), max: t('diagnosisStats.col.maxMinutes'),
          claimP50: t('diagnosisStats.col.claimP50Minutes'), netP50: t('diagnosisStats.col.netP50Minutes'), bucket: t('diagnosisStats.col.bucket'), count: t('diagnosisStats.col.count'),
        },
      };
      const { exportTurnaroundStatistics } = await import('./turnaround-statistics.export.js');
      await exportTurnaroundStatistics(data, labels);
    } catch (e) {
      void message.error(errorText(e, t));
    } finally {
      setExporting(false);
    }
  };

  if (scope.isError) return <QueryError error={scope.error} onRetry={() => void scope.refetch()} />;

  const centers = scope.data?.centers ?? [];
  const quick = quickPeriodOf(state.from, state.to, today);
  const selectedCenter = state.centerId ? (data?.centers.find((c) => c.id === state.centerId) ?? centers.find((c) => c.id === state.centerId)) : undefined;

  return (
    <div className="page">
      <PageHeader
        title={t('diagnosisStats.title')}
        subtitle={selectedCenter ? `${selectedCenter.name} · ${selectedCenter.organizationName}` : t('diagnosisStats.allCenters', { count: centers.length })}
        crumbs={[{ title: t('diagnosis.nav.group') }, { title: t('diagnosisStats.title') }]}
        extra={
          <Button icon={<DownloadOutlined />} onClick={() => void doExport()} loading={exporting} disabled={!data || data.summary.requests === 0}>
            {t('diagnosisStats.export')}
          </Button>
        }
      />
      <Card variant="borderless" className="filter-bar">
        <Flex wrap gap={16} align="center">
          <Space>
            <Typography.Text type="secondary">{t('diagnosisStats.center')}</Typography.Text>
            <Select<string>
              aria-label={t('diagnosisStats.center')}
              style={{ minWidth: 260 }}
              loading={scope.isPending}
              value={state.centerId ?? ''}
              showSearch={{ optionFilterProp: 'label' }}
              options={[
                { value: '', label: t('diagnosisStats.allCenters', { count: centers.length }) },
                ...centers.map((c) => ({ value: c.id, label: `${c.name} · ${c.organizationName}` })),
              ]}
              onChange={(v) => update({ centerId: v || null })}
            />
          </Space>
          <Space wrap>
            <Typography.Text type="secondary">{t('diagnosisStats.period')}</Typography.Text>
            <Segmented<QuickPeriod | 'custom'>
              value={quick ?? 'custom'}
              options={[
                ...quickPeriods.map((k) => ({ value: k, label: t(`diagnosisStats.quick.${k}`) })),
                ...(quick ? [] : [{ value: 'custom' as const, label: t('diagnosisStats.quick.custom'), disabled: true }]),
              ]}
              onChange={(k) => {
                if (k !== 'custom') update(quickPeriod(k, today));
              }}
            />
            <DatePicker.RangePicker
              allowClear={false}
              value={[dayjs(state.from), dayjs(state.to)]}
              disabledDate={(d) => d.isAfter(dayjs(today), 'day')}
              onChange={(range) => {
                if (range?.[0] && range[1]) update({ from: range[0].format('YYYY-MM-DD'), to: range[1].format('YYYY-MM-DD') });
              }}
            />
          </Space>
          <Space>
            <Typography.Text type="secondary">{t('diagnosisStats.urgency')}</Typography.Text>
            <Select<Urgency | ''>
              aria-label={t('diagnosisStats.urgency')}
              style={{ minWidth: 120 }}
              value={state.urgency ?? ''}
              options={[{ value: '', label: t('diagnosisStats.anyUrgency') }, ...urgencies.map((u) => ({ value: u, label: t(`urgency.${u}`) }))]}
              onChange={(v) => update({ urgency: v || null })}
            />
          </Space>
        </Flex>
      </Card>

      {stats.isError ? (
        <QueryError error={stats.error} onRetry={() => void stats.refetch()} />
      ) : !data ? (
        <Loading tip={t('diagnosisStats.computing')} />
      ) : data.summary.requests === 0 ? (
        <Card variant="borderless">
          <EmptyState
            description={
              <>
                <div>{selectedCenter ? t('diagnosisStats.emptyCenter', { name: selectedCenter.name }) : t('diagnosisStats.empty')}</div>
                <div className="muted" style={{ marginTop: 4 }}>{t('diagnosisStats.emptyHint')}</div>
              </>
            }
            action={
              quick !== 'last12' || state.urgency ? (
                <Button type="primary" onClick={() => update({ ...quickPeriod('last12', today), urgency: null })}>
                  {t('diagnosisStats.tryLast12')}
                </Button>
              ) : undefined
            }
          />
        </Card>
      ) : (
        <div style={{ opacity: stats.isPlaceholderData ? 0.6 : 1, transition: 'opacity .2s', display: 'flex', flexDirection: 'column', gap: 16 }} aria-busy={stats.isFetching}>
          <TurnaroundKpis figures={data.summary} />
          {data.summary.completed === 0 && <Alert type="info" showIcon title={t('diagnosisStats.noneCompleted')} />}
          <Row gutter={[16, 16]}>
            <Col xs={24} xl={10}>
              <Card
                variant="borderless"
                className="full-height"
                title={<Space><BarChartOutlined />{t('diagnosisStats.distributionTitle')}</Space>}
                extra={<Typography.Text type="secondary">{t('diagnosisStats.distributionUnit')}</Typography.Text>}
              >
                <BarChart data={bucketLabels(data.bucketBounds).map((label, i) => ({ label, value: data.summary.report.buckets[i] ?? 0 }))} />
                <Typography.Paragraph type="secondary" style={{ margin: '8px 0 0' }}>
                  {t('diagnosisStats.distributionNote')}
                </Typography.Paragraph>
              </Card>
            </Col>
            <Col xs={24} xl={14}>
              <Card variant="borderless" className="full-height" title={<Space><LineChartOutlined />{t('diagnosisStats.trendTitle')}</Space>}>
                <TurnaroundTrendChart
                  data={monthSeries(data.from, data.to, data.groups.month)}
                  requestsName={t('diagnosisStats.col.requests')}
                  onTimeName={t('diagnosisStats.col.onTimeShare')}
                />
              </Card>
            </Col>
          </Row>
          <Card variant="borderless" title={t('diagnosisStats.breakdownTitle')}>
            <Tabs
              items={tableDimensions
                .filter((d) => d !== 'center' || data.centers.length > 1)
                .map((d) => ({
                  key: d,
                  label: t(`diagnosisStats.dimension.${d}`),
                  children: (
                    <>
                      {d === 'reader' && <Typography.Paragraph type="secondary">{t('diagnosisStats.readerNote')}</Typography.Paragraph>}
                      <TurnaroundGroupTable rows={data.groups[d] ?? []} labelTitle={t(`diagnosisStats.groupTitle.${d}`)} testId={`stats-table-${d}`} />
                    </>
                  ),
                }))}
            />
          </Card>
          <Typography.Paragraph type="secondary" style={{ margin: 0 }}>
            {t('diagnosisStats.definitions')}
          </Typography.Paragraph>
        </div>
      )}
    </div>
  );
}

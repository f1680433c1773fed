import { RightOutlined, TrophyOutlined } from '@ant-design/icons';
import { Card, Flex, Segmented, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { IndicatorDefinitionDto, IndicatorPeriodValue, IndicatorRanking, IndicatorRankingRow } from '../../../contracts/indicator.js';
import { EmptyState } from '../../components/empty-state.js';
import { TierTag } from '../../components/labels.js';
import { QueryError } from '../../components/query-state.js';
import {
  compareRankValue, dashboardSearch, type DashboardState, drillState, formatTerm, formatValue, isMoneyTerm, type Lang, type Light, lightColors,
  periodLabel, trafficLight,
} from './indicators.model.js';

export const lightOf = (d: IndicatorDefinitionDto, v: IndicatorPeriodValue | null | undefined): Light =>
  trafficLight(v && !v.noData ? v.value : null, v?.target, d.direction);

export function LightDot({ light }: { light: Light }) {
  const { t } = useTranslation();
  return (
    <span
      role="img"
      aria-label={t(`indicators.light.${light}`)}
      title={t(`indicators.light.${light}`)}
      style={{ display: 'inline-block', width: 10, height: 10, borderRadius: '50%', background: lightColors[light], flex: 'none' }}
    />
  );
}

/** A figure with its light, or "no data" with the reason on hover. */
export function FigureCell({ definition: d, value: v, lang }: { definition: IndicatorDefinitionDto; value: IndicatorPeriodValue | null | undefined; lang: Lang }) {
  const { t } = useTranslation();
  if (!v || v.noData || v.value === null)
    return (
      <Tooltip title={v?.reason}>
        <Typography.Text type="secondary">{v?.noData || !v ? t('indicators.noData') : '—'}</Typography.Text>
      </Tooltip>
    );
  return (
    <Space size={6}>
      <LightDot light={lightOf(d, v)} />
      <span className="tabular strong">{formatValue(v.value, d.unit, lang)}</span>
    </Space>
  );
}

const termsOf = (d: IndicatorDefinitionDto, v: IndicatorPeriodValue, lang: Lang): string =>
  d.formula === 'ratio' && d.denominator && !v.noData
    ? `${formatTerm(v.numerator, isMoneyTerm(d.numerator.key), lang)} / ${formatTerm(v.denominator, isMoneyTerm(d.denominator.key), lang)}`
    : '';

/**
 * The subject's children ranked for the selected indicator and the last period of the range (one server request):
 * sortable, each name a drill-down link. The subject's own figure heads the table.
 */
export function IndicatorRankingCard({
  state, definition: d, ranking, loading, error, onRetry, lang, childChoice, onChildChoice,
}: {
  state: DashboardState;
  definition: IndicatorDefinitionDto;
  ranking: IndicatorRanking | undefined;
  loading: boolean;
  error: unknown;
  onRetry: () => void;
  lang: Lang;
  /** Province only: rank its cities or all its counties. */
  childChoice?: 'city' | 'county';
  onChildChoice?: (c: 'city' | 'county') => void;
}) {
  const { t } = useTranslation();
  const rows = ranking?.rows ?? [];
  const values = rows.flatMap((r) => (r.value.noData || r.value.value === null ? [] : [Math.abs(r.value.value)]));
  const widest = values.length ? Math.max(...values) : 0;
  const href = (r: IndicatorRankingRow) => `/indicators${dashboardSearch(drillState({ ...state, indicator: d.code }, r))}`;
  const childLabel = ranking?.childLevel ? t(`indicators.childLevel.${ranking.childLevel}`) : t('indicators.ranking.children');
  const parentNoData = ranking ? ranking.parent.noData : false;

  return (
    <Card
      variant="borderless"
      className="full-height"
      data-testid="indicator-ranking"
      title={
        <Space>
          <TrophyOutlined />
          {t('indicators.ranking.title', { children: childLabel, period: ranking ? periodLabel(ranking.label, lang) : '' })}
        </Space>
      }
      extra={
        state.level === 'province' && onChildChoice ? (
          <Segmented<'city' | 'county'>
            size="small"
            value={childChoice ?? 'city'}
            onChange={onChildChoice}
            options={[{ value: 'city', label: t('indicators.childLevel.city') }, { value: 'county', label: t('indicators.childLevel.county') }]}
          />
        ) : undefined
      }
    >
      {error ? (
        <QueryError error={error} onRetry={onRetry} />
      ) : (
        <>
          {ranking && (
            <Flex justify="space-between" align="center" wrap gap={8} style={{ marginBottom: 8 }} data-testid="ranking-parent">
              <Typography.Text type="secondary">
                {t('indicators.ranking.parent', { name: ranking.subject.name })}
              </Typography.Text>
              <Space size={12}>
                <FigureCell definition={d} value={ranking.parent} lang={lang} />
                {ranking.parent.target !== null && ranking.parent.target !== undefined ? (
                  <Tag style={{ marginInlineEnd: 0 }}>{t('indicators.targetValue', { value: formatValue(ranking.parent.target, d.unit, lang) })}</Tag>
                ) : null}
              </Space>
            </Flex>
          )}
          {ranking && !ranking.childLevel ? (
            <EmptyState simple description={ranking.reason ?? t('indicators.ranking.none')} />
          ) : (
            <Table<IndicatorRankingRow>
              rowKey="id"
              size="small"
              loading={loading ? { tip: t('indicators.ranking.loading') } : false}
              dataSource={rows}
              pagination={{ pageSize: 10, hideOnSinglePage: true, size: 'small' }}
              locale={{
                emptyText: loading ? ' ' : <EmptyState simple description={parentNoData ? t('indicators.ranking.noDataPeriod') : t('indicators.ranking.none')} />,
              }}
              columns={[
                {
                  title: t('indicators.col.rank'),
                  dataIndex: 'rank',
                  width: 64,
                  align: 'center',
                  sorter: (a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity),
                  render: (r: number | null) => r ?? '—',
                },
                {
                  title: childLabel,
                  dataIndex: 'name',
                  sorter: (a, b) => a.name.localeCompare(b.name, 'zh-CN'),
                  render: (n: string, r) => (
                    <div>
                      <Link to={href(r)} data-testid="ranking-drill">{n}</Link>
                      {r.tier && <div className="cell-sub"><TierTag tier={r.tier} /></div>}
                    </div>
                  ),
                },
                {
                  title: t('indicators.col.value'),
                  key: 'value',
                  align: 'right',
                  width: 190,
                  sorter: compareRankValue,
                  render: (_, r) => (
                    <div>
                      <FigureCell definition={d} value={r.value} lang={lang} />
                      {!r.value.noData && r.value.value !== null && widest > 0 && (
                        <div style={{ height: 4, background: '#f0f0f0', borderRadius: 2, marginTop: 3 }}>
                          <div style={{ height: 4, width: `${(Math.abs(r.value.value) / widest) * 100}%`, background: '#5fb3a9', borderRadius: 2, marginLeft: 'auto' }} />
                        </div>
                      )}
                      <div className="cell-sub tabular">
                        {termsOf(d, r.value, lang)}
                        {r.value.target !== null && r.value.target !== undefined ? ` · ${t('indicators.targetValue', { value: formatValue(r.value.target, d.unit, lang) })}` : ''}
                      </div>
                    </div>
                  ),
                },
                {
                  key: 'drill',
                  width: 40,
                  render: (_, r) => (
                    <Tooltip title={t('indicators.drillDown')}>
                      <Link to={href(r)} aria-label={t('indicators.drillDown')}>
                        <RightOutlined />
                      </Link>
                    </Tooltip>
                  ),
                },
              ]}
            />
          )}
          <div className="table-note" style={{ marginTop: 8 }}>{t(`indicators.ranking.note.${state.level}`)}</div>
        </>
      )}
    </Card>
  );
}

/** The end of the drill-down: a facility's figures month by month (or by the chosen period), with targets and lights. */
export function IndicatorPeriodsCard({ definition: d, values, lang, loading }: { definition: IndicatorDefinitionDto; values: readonly IndicatorPeriodValue[] | undefined; lang: Lang; loading: boolean }) {
  const { t } = useTranslation();
  return (
    <Card variant="borderless" className="full-height" title={t('indicators.periodsTitle')} data-testid="indicator-periods">
      <Table<IndicatorPeriodValue>
        rowKey="period"
        size="small"
        loading={loading}
        dataSource={[...(values ?? [])].reverse()}
        pagination={{ pageSize: 12, hideOnSinglePage: true, size: 'small' }}
        locale={{ emptyText: <EmptyState simple description={t('indicators.ranking.noDataPeriod')} /> }}
        columns={[
          { title: t('indicators.col.period'), dataIndex: 'period', render: (p: string) => periodLabel(p, lang) },
          { title: t('indicators.col.value'), key: 'value', align: 'right', render: (_, v) => <FigureCell definition={d} value={v} lang={lang} /> },
          { title: `${t('indicators.numerator')} / ${t('indicators.denominator')}`, key: 'terms', align: 'right', render: (_, v) => <span className="tabular">{termsOf(d, v, lang) || (v.noData ? '' : formatTerm(v.numerator, false, lang))}</span> },
          { title: t('indicators.target'), dataIndex: 'target', align: 'right', render: (x: number | null | undefined) => (x === null || x === undefined ? '—' : formatValue(x, d.unit, lang)) },
        ]}
      />
    </Card>
  );
}

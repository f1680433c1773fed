import { DownloadOutlined, FundOutlined, RightOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, DatePicker, Empty, Flex, Row, Segmented, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import dayjs from 'dayjs';
import { useCallback, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import type { IndicatorDefinitionDto, IndicatorLevel, IndicatorPeriod, IndicatorPeriodValue, IndicatorUnit } from '../../../contracts/indicator.js';
import { facilityTiers } from '../../../contracts/codes.js';
import { isApiError } from '../../api/client.js';
import { useCurrentUser } from '../../app/require-auth.js';
import { EmptyState } from '../../components/empty-state.js';
import { TierTag } from '../../components/labels.js';
import { OrganizationSelect } from '../../components/organization-select.js';
import { PageHeader } from '../../components/page-header.js';
import { Loading, QueryError } from '../../components/query-state.js';
import { homeCountyCode } from '../../config.js';
import { errorText } from '../../lib/errors.js';
import { shanghaiDate } from '../../lib/format.js';
import { useAllianceMembers, useAlliances, useDivision, useDivisions, useOrganizations } from '../network/network.api.js';
import { useIndicatorDefinitions, useIndicatorValuesForSubjects, useIndicatorValuesMany, type ValuesQuery } from './indicators.api.js';
import {
  type CardFigure, currentValue, dashboardLevels, dashboardSearch, type DashboardState, exportFileName, exportSheets, formatTerm,
  formatValue, isMoneyTerm, type Lang, type Light, lightColors, noActivity, parseDashboardState, periodLabel, rankedTiers, rankFacilities, type RankInput,
  trafficLight, unsupportedReason,
} from './indicators.model.js';
import { IndicatorTrendChart } from './indicator-trend-chart.js';

const units: readonly IndicatorUnit[] = ['percent', 'count', 'yuan', 'per-10000'];
const lights: readonly Light[] = ['green', 'amber', 'red', 'neutral', 'none'];

/**
 * 监测指标: every shipped indicator for one subject (county, alliance, facility) against its target, the trend of the
 * chosen one, the ranking of the county's (or alliance's) hospitals and township centers, drill-down to a facility,
 * export to Excel. The state lives in the URL, so a drill-down is a link and a view can be shared.
 */
export function IndicatorDashboardPage() {
  const { t, i18n } = useTranslation();
  const lang: Lang = i18n.language === 'en' ? 'en' : 'zh-CN';
  const me = useCurrentUser();
  const { message } = App.useApp();
  const today = shanghaiDate();
  const [params, setParams] = useSearchParams();

  const areaReader = me.roles.some((r) => r === 'commission-officer' || r === 'system-admin');
  const alliances = useAlliances();
  const ownAlliances = useMemo(
    () => (alliances.data ?? []).filter((a) => areaReader || (me.organization && a.leadOrganizationId === me.organization.id)),
    [alliances.data, areaReader, me.organization],
  );
  const levels: IndicatorLevel[] = areaReader ? [...dashboardLevels] : ['alliance', 'facility'];
  const state = parseDashboardState(params, {
    level: areaReader ? 'county' : 'alliance',
    today,
    subjectFor: (level) => (level === 'county' ? homeCountyCode : level === 'alliance' && !areaReader ? (ownAlliances[0]?.id ?? '') : ''),
  });
  const update = useCallback(
    (patch: Partial<DashboardState>) => setParams(new URLSearchParams(dashboardSearch({ ...state, ...patch })), { replace: false }),
    [setParams, state],
  );

  const definitions = useIndicatorDefinitions();
  const defs = useMemo(() => definitions.data ?? [], [definitions.data]);
  const query: ValuesQuery = { level: state.level, subject: state.subject, period: state.period, from: state.from, to: state.to };
  const codes = defs.map((d) => (unsupportedReason(d, state.level, state.period) ? null : d.code));
  const results = useIndicatorValuesMany(codes, query);

  const selected = defs.find((d) => d.code === state.indicator) ?? defs.find((d, i) => codes[i] !== null) ?? null;
  const selectedIndex = selected ? defs.indexOf(selected) : -1;
  const selectedResult = selectedIndex >= 0 ? results[selectedIndex] : undefined;
  const subjectName = results.find((r) => r.data)?.data?.subject.name ?? '';

  const cards: CardFigure[] = defs.map((d, i) => {
    const why = unsupportedReason(d, state.level, state.period);
    return {
      definition: d,
      value: currentValue(results[i]?.data?.values),
      ...(why ? { note: why === 'level' ? t('indicators.notByLevel', { level: t(`indicators.level.${state.level}`) }) : t('indicators.notByPeriod') } : {}),
    };
  });
  const empty = noActivity(defs.map((d, i) => ({ definition: d, values: results[i]?.data?.values })));
  const settled = results.every((r) => !r.isLoading);

  const name = (d: IndicatorDefinitionDto) => (lang === 'en' ? d.nameEn : d.nameZh);
  const fmt = (d: IndicatorDefinitionDto) => (v: number | null) => formatValue(v, d.unit, lang);

  // ---- ranking of facilities (county or alliance level, indicators cut by facility)
  const rankable = Boolean(selected && selected.levels.includes('facility') && selected.periods.includes(state.period) && state.level !== 'facility');
  const countyOrgs = useOrganizations(
    { divisionCode: state.subject, pageSize: 500, page: 1, sort: 'tier' },
    rankable && state.level === 'county' && /^\d{6}$/.test(state.subject),
  );
  const members = useAllianceMembers(rankable && state.level === 'alliance' ? state.subject : null, today);
  const facilities: Omit<RankInput, 'value'>[] = useMemo(() => {
    if (!rankable) return [];
    if (state.level === 'county')
      return (countyOrgs.data?.items ?? []).filter((o) => o.active && rankedTiers.includes(o.tier)).map((o) => ({ id: o.id, name: o.name, tier: o.tier }));
    return (members.data ?? []).filter((m) => rankedTiers.includes(m.tier)).map((m) => ({ id: m.organizationId, name: m.organizationName, tier: m.tier }));
  }, [rankable, state.level, countyOrgs.data, members.data]);
  const rankingResults = useIndicatorValuesForSubjects(
    rankable ? (selected?.code ?? null) : null,
    facilities.map((f) => f.id),
    { level: 'facility', period: state.period, from: state.to, to: state.to },
  );
  const ranking =
    selected && rankable
      ? rankFacilities(facilities.map((f, i) => ({ ...f, value: currentValue(rankingResults[i]?.data?.values) })), selected.direction)
      : [];
  // isLoading, not isPending: the list query of the other level is disabled and stays "pending" for ever.
  const rankingPending = rankable && ((state.level === 'county' ? countyOrgs.isLoading : members.isLoading) || rankingResults.some((r) => r.isLoading));
  const rankingPeriod = ranking.find((r) => r.value)?.value?.period ?? state.to;

  // ---- export
  const [exporting, setExporting] = useState(false);
  const doExport = async () => {
    setExporting(true);
    try {
      const h = {
        code: t('indicators.col.code'), indicator: t('indicators.col.indicator'), period: t('indicators.col.period'), value: t('indicators.col.value'),
        unit: t('indicators.col.unit'), numerator: t('indicators.numerator'), denominator: t('indicators.denominator'), target: t('indicators.target'),
        status: t('indicators.col.status'), note: t('indicators.col.note'), rank: t('indicators.col.rank'), facility: t('indicators.col.facility'),
        tier: t('indicators.col.tier'),
      };
      const sheets = exportSheets(
        {
          lang,
          h,
          units: Object.fromEntries(units.map((u) => [u, t(`indicators.unit.${u}`)])) as Record<IndicatorUnit, string>,
          lights: Object.fromEntries(lights.map((l) => [l, t(`indicators.light.${l}`)])) as Record<Light, string>,
          tiers: Object.fromEntries(facilityTiers.map((x) => [x, t(`tier.${x}`)])),
          noData: t('indicators.noData'),
          summarySheet: t('indicators.sheet.summary'),
          trendSheet: t('indicators.sheet.trend'),
          rankingSheet: t('indicators.sheet.ranking'),
          caption: [
            `${t('indicators.title')} · ${t(`indicators.level.${state.level}`)}：${subjectName || state.subject}`,
            `${t('indicators.col.period')}：${periodLabel(state.from, lang)} – ${periodLabel(state.to, lang)}（${t(`indicators.period.${state.period}`)}）`,
            `${t('indicators.exportedAt')}：${dayjs().format('YYYY-MM-DD HH:mm')}`,
          ],
        },
        cards,
        selected && selectedResult?.data ? { definition: selected, values: selectedResult.data.values } : null,
        selected && rankable && ranking.length ? { definition: selected, period: rankingPeriod, rows: ranking } : null,
      );
      const { downloadWorkbook } = await import('./indicators.export.js');
      await downloadWorkbook(sheets, exportFileName(subjectName || state.subject, state.from, state.to, 'xlsx'));
    } catch (e) {
      void message.error(errorText(e, t));
    } finally {
      setExporting(false);
    }
  };

  if (definitions.isError) return <QueryError error={definitions.error} onRetry={() => void definitions.refetch()} />;
  const forbidden = results.find((r) => isApiError(r.error) && r.error.status === 403);

  return (
    <div className="page">
      <PageHeader
        title={t('indicators.title')}
        subtitle={subjectName || undefined}
        crumbs={[{ title: t('indicators.title') }]}
        extra={
          <Button icon={<DownloadOutlined />} onClick={() => void doExport()} loading={exporting} disabled={!defs.length || !state.subject}>
            {t('indicators.export')}
          </Button>
        }
      />
      <Card variant="borderless" className="filter-bar">
        <Flex wrap gap={16} align="center">
          <Space>
            <Typography.Text type="secondary">{t('indicators.levelLabel')}</Typography.Text>
            <Segmented<IndicatorLevel>
              value={state.level}
              options={levels.map((l) => ({ value: l, label: t(`indicators.level.${l}`) }))}
              onChange={(level) =>
                update({ level, subject: level === 'county' ? homeCountyCode : level === 'alliance' && !areaReader ? (ownAlliances[0]?.id ?? '') : '' })
              }
            />
          </Space>
          <SubjectPicker state={state} subjectName={subjectName} alliances={ownAlliances} onChange={(subject) => update({ subject })} />
          <Space>
            <Typography.Text type="secondary">{t('indicators.periodLabel')}</Typography.Text>
            <Segmented<IndicatorPeriod>
              value={state.period}
              options={(['month', 'quarter', 'year'] as const).map((p) => ({ value: p, label: t(`indicators.period.${p}`) }))}
              onChange={(period) => update({ period })}
            />
          </Space>
          <Space>
            <Typography.Text type="secondary">{t('indicators.rangeLabel')}</Typography.Text>
            <DatePicker.RangePicker
              picker="month"
              allowClear={false}
              value={[dayjs(`${state.from}-01`), dayjs(`${state.to}-01`)]}
              disabledDate={(d) => d.isAfter(dayjs(), 'month')}
              onChange={(range) => {
                if (range?.[0] && range[1]) update({ from: range[0].format('YYYY-MM'), to: range[1].format('YYYY-MM') });
              }}
            />
          </Space>
        </Flex>
      </Card>

      {!state.subject ? (
        <Card variant="borderless">
          <EmptyState description={t(state.level === 'facility' ? 'indicators.pickFacility' : 'indicators.pickAlliance')} />
        </Card>
      ) : forbidden ? (
        <QueryError error={forbidden.error} />
      ) : definitions.isPending ? (
        <Loading />
      ) : (
        <>
          {empty && settled && (
            <Alert
              type="info"
              showIcon
              title={t('indicators.emptyTitle')}
              description={
                <div>
                  <div>{t('indicators.emptyHint')}</div>
                  <Typography.Text code copyable>
                    npx yilian generate activity --county 350821 --year 2026 --load
                  </Typography.Text>
                  <div className="muted" style={{ marginTop: 4 }}>{t('indicators.emptyHint2')}</div>
                </div>
              }
            />
          )}
          <Row gutter={[12, 12]}>
            {cards.map((c, i) => (
              <Col key={c.definition.code} xs={24} sm={12} lg={8} xxl={6}>
                <IndicatorCard
                  figure={c}
                  lang={lang}
                  loading={Boolean(results[i]?.isLoading)}
                  error={results[i]?.error ?? null}
                  selected={selected?.code === c.definition.code}
                  onSelect={() => update({ indicator: c.definition.code })}
                />
              </Col>
            ))}
          </Row>

          {selected && (
            <Row gutter={[16, 16]}>
              <Col xs={24} xl={rankable ? 14 : 24}>
                <Card
                  variant="borderless"
                  className="full-height"
                  title={
                    <Space>
                      <FundOutlined />
                      {t('indicators.trendTitle', { name: name(selected) })}
                    </Space>
                  }
                  extra={<Typography.Text type="secondary">{t(`indicators.period.${state.period}`)}</Typography.Text>}
                >
                  {unsupportedReason(selected, state.level, state.period) ? (
                    <EmptyState simple description={cards[selectedIndex]?.note} />
                  ) : selectedResult?.isError ? (
                    <QueryError error={selectedResult.error} onRetry={() => void selectedResult.refetch()} />
                  ) : selectedResult?.data ? (
                    <>
                      <IndicatorTrendChart
                        data={selectedResult.data.values.map((v) => ({
                          label: periodLabel(v.period, lang),
                          value: v.noData ? null : v.value,
                          target: v.target ?? null,
                          color: lightOf(selected, v) === 'neutral' ? '#0f766e' : lightColors[lightOf(selected, v)],
                        }))}
                        valueName={name(selected)}
                        targetName={t('indicators.target')}
                        format={fmt(selected)}
                      />
                      <DefinitionNote definition={selected} />
                    </>
                  ) : (
                    <Loading height={300} />
                  )}
                </Card>
              </Col>
              {rankable && (
                <Col xs={24} xl={10}>
                  <Card
                    variant="borderless"
                    className="full-height"
                    title={t('indicators.rankingTitle', { period: periodLabel(rankingPeriod, lang) })}
                  >
                    <div className="table-note" style={{ marginBottom: 8 }}>{t('indicators.rankingNote')}</div>
                    <Table
                      rowKey="id"
                      size="small"
                      loading={rankingPending}
                      dataSource={ranking}
                      pagination={{ pageSize: 10, hideOnSinglePage: true, size: 'small' }}
                      locale={{ emptyText: <EmptyState simple description={t('indicators.noFacilities')} /> }}
                      columns={[
                        { title: t('indicators.col.rank'), dataIndex: 'rank', width: 56, align: 'center', render: (r: number | null) => r ?? '—' },
                        {
                          title: t('indicators.col.facility'),
                          dataIndex: 'name',
                          render: (n: string, r) => (
                            <div>
                              <Link to={`/indicators${dashboardSearch({ ...state, level: 'facility', subject: r.id, indicator: selected.code })}`}>{n}</Link>
                              <div className="cell-sub"><TierTag tier={r.tier} /></div>
                            </div>
                          ),
                        },
                        {
                          title: t('indicators.col.value'),
                          key: 'value',
                          align: 'right',
                          width: 150,
                          render: (_, r) =>
                            !r.value || r.value.noData || r.value.value === null ? (
                              <Tooltip title={r.value?.reason}>
                                <Typography.Text type="secondary">{t('indicators.noData')}</Typography.Text>
                              </Tooltip>
                            ) : (
                              <Space size={6}>
                                <LightDot light={lightOf(selected, r.value)} />
                                <span className="tabular strong">{formatValue(r.value.value, selected.unit, lang)}</span>
                              </Space>
                            ),
                        },
                        {
                          key: 'drill',
                          width: 40,
                          render: (_, r) => (
                            <Tooltip title={t('indicators.drillDown')}>
                              <Link
                                to={`/indicators${dashboardSearch({ ...state, level: 'facility', subject: r.id, indicator: selected.code })}`}
                                aria-label={t('indicators.drillDown')}
                              >
                                <RightOutlined />
                              </Link>
                            </Tooltip>
                          ),
                        },
                      ]}
                    />
                  </Card>
                </Col>
              )}
            </Row>
          )}
        </>
      )}
    </div>
  );
}

const lightOf = (d: IndicatorDefinitionDto, v: IndicatorPeriodValue | null): Light =>
  trafficLight(v && !v.noData ? v.value : null, v?.target, d.direction);

function LightDot({ light }: { light: Light }) {
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

function IndicatorCard({
  figure, lang, loading, error, selected, onSelect,
}: { figure: CardFigure; lang: Lang; loading: boolean; error: unknown; selected: boolean; onSelect: () => void }) {
  const { t } = useTranslation();
  const { definition: d, value: v, note } = figure;
  const light = lightOf(d, v);
  const growth = d.formula === 'growth';
  const hasFigure = v && !v.noData && v.value !== null;
  return (
    <Card
      size="small"
      hoverable
      loading={loading}
      onClick={onSelect}
      onKeyDown={(e) => {
        if (e.key === 'Enter' || e.key === ' ') onSelect();
      }}
      tabIndex={0}
      role="button"
      aria-pressed={selected}
      data-testid={`indicator-card-${d.code}`}
      style={{ height: '100%', borderColor: selected ? '#0f766e' : undefined, boxShadow: selected ? '0 0 0 1px #0f766e' : undefined }}
    >
      <Flex justify="space-between" align="start" gap={8}>
        <Typography.Text strong style={{ minHeight: 44 }}>
          {lang === 'en' ? d.nameEn : d.nameZh}
        </Typography.Text>
        {!note && <LightDot light={light} />}
      </Flex>
      {note ? (
        <Typography.Text type="secondary">{note}</Typography.Text>
      ) : error ? (
        <Typography.Text type="danger">{errorText(error, t)}</Typography.Text>
      ) : hasFigure ? (
        <>
          <div style={{ fontSize: 26, fontWeight: 600, lineHeight: 1.3 }} className="tabular" data-testid="indicator-value">
            {formatValue(v.value, d.unit, lang)}
          </div>
          <div className="cell-sub">
            {growth
              ? t('indicators.growthTerms', { current: formatTerm(v.numerator, false, lang), previous: formatTerm(v.denominator, false, lang) })
              : d.denominator
                ? `${t('indicators.numerator')} ${formatTerm(v.numerator, isMoneyTerm(d.numerator.key), lang)} / ${t('indicators.denominator')} ${formatTerm(v.denominator, isMoneyTerm(d.denominator.key), lang)}`
                : t('indicators.countTerm')}
          </div>
        </>
      ) : v ? (
        <>
          <div style={{ fontSize: 20, lineHeight: 1.6 }}>
            <Typography.Text type="secondary">{v.noData ? t('indicators.noData') : '—'}</Typography.Text>
          </div>
          <div className="cell-sub">{v.reason ?? ''}</div>
        </>
      ) : (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={false} style={{ margin: 0 }} />
      )}
      {!note && (
        <Flex justify="space-between" wrap gap={4} style={{ marginTop: 6 }}>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {v ? periodLabel(v.period, lang) : ''}
          </Typography.Text>
          {v?.target !== null && v?.target !== undefined ? (
            <Tag color={light === 'green' ? 'success' : light === 'amber' ? 'warning' : light === 'red' ? 'error' : 'default'} style={{ marginInlineEnd: 0 }}>
              {t('indicators.targetValue', { value: formatValue(v.target, d.unit, lang) })}
            </Tag>
          ) : (
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('indicators.noTarget')}
            </Typography.Text>
          )}
        </Flex>
      )}
    </Card>
  );
}

function DefinitionNote({ definition: d }: { definition: IndicatorDefinitionDto }) {
  const { t } = useTranslation();
  return (
    <div className="table-note" style={{ marginTop: 8 }}>
      <div>
        {t('indicators.numerator')}：{d.numerator.text}
        {d.denominator ? `；${t('indicators.denominator')}：${d.denominator.text}` : ''}
      </div>
      <div>
        {t('indicators.direction')}：{t(`indicators.directionValue.${d.direction}`)} · {t('indicators.source')}：{d.source}
        {d.note ? ` · ${d.note}` : ''}
      </div>
    </div>
  );
}

function SubjectPicker({
  state, subjectName, alliances, onChange,
}: {
  state: DashboardState;
  subjectName: string;
  alliances: { id: string; name: string }[];
  onChange: (subject: string) => void;
}) {
  const { t } = useTranslation();
  const home = useDivision(homeCountyCode);
  const counties = useDivisions(home.data?.parentCode ?? null, state.level === 'county' && Boolean(home.data?.parentCode));
  return (
    <Space>
      <Typography.Text type="secondary">{t('indicators.subjectLabel')}</Typography.Text>
      {state.level === 'county' ? (
        <Select
          style={{ width: 200 }}
          value={state.subject}
          onChange={onChange}
          showSearch={{ optionFilterProp: 'label' }}
          options={
            counties.data?.length
              ? counties.data.filter((d) => d.level === 'county').map((d) => ({ value: d.code, label: d.name }))
              : [{ value: state.subject, label: subjectName || state.subject }]
          }
        />
      ) : state.level === 'alliance' ? (
        <Select
          style={{ width: 280 }}
          value={state.subject || undefined}
          placeholder={t('indicators.pickAlliance')}
          onChange={onChange}
          showSearch={{ optionFilterProp: 'label' }}
          options={alliances.map((a) => ({ value: a.id, label: a.name }))}
        />
      ) : (
        <OrganizationSelect
          style={{ width: 280 }}
          value={state.subject || null}
          initialLabel={subjectName || null}
          placeholder={t('indicators.pickFacility')}
          allowClear={false}
          onChange={(v) => v && onChange(v)}
        />
      )}
    </Space>
  );
}

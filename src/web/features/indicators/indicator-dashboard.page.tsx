import { DownloadOutlined, FundOutlined } from '@ant-design/icons';
import { Alert, App, Button, Card, Col, DatePicker, Empty, Flex, Row, Segmented, Select, Space, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useCallback, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import type { IndicatorDefinitionDto, IndicatorLevel, IndicatorPeriod, IndicatorUnit } from '../../../contracts/indicator.js';
import { facilityTiers } from '../../../contracts/codes.js';
import { isApiError } from '../../api/client.js';
import { useCurrentUser } from '../../app/require-auth.js';
import { EmptyState } from '../../components/empty-state.js';
import { OrganizationSelect } from '../../components/organization-select.js';
import { PageHeader, type Crumb } from '../../components/page-header.js';
import { Loading, QueryError } from '../../components/query-state.js';
import { homeCountyCode } from '../../config.js';
import { errorText } from '../../lib/errors.js';
import { shanghaiDate } from '../../lib/format.js';
import { useAlliances, useDivisions } from '../network/network.api.js';
import { useDivisionNames, useIndicatorDefinitions, useIndicatorRanking, useIndicatorValuesMany, type ValuesQuery } from './indicators.api.js';
import {
  type CardFigure, currentValue, dashboardLevels, dashboardSearch, type DashboardState, divisionTrail, drillState, exportFileName, exportSheets,
  formatTerm, formatValue, isMoneyTerm, type Lang, type Light, lightColors, noActivity, parseDashboardState, periodLabel, unsupportedReason,
} from './indicators.model.js';
import { IndicatorTrendChart } from './indicator-trend-chart.js';
import { IndicatorCountyMap } from './indicator-county-map.js';
import { IndicatorPeriodsCard, IndicatorRankingCard, LightDot, lightOf } from './indicator-ranking.js';
import { IndicatorTargetsCard } from './indicator-targets.js';

const units: readonly IndicatorUnit[] = ['percent', 'count', 'yuan', 'per-10000'];
const lights: readonly Light[] = ['green', 'amber', 'red', 'neutral', 'none'];
const areaLevels: readonly IndicatorLevel[] = ['province', 'city', 'county'];

/**
 * 监测指标: every shipped indicator for one subject (province, city, county, alliance, facility) against its target,
 * the trend of the chosen one, the ranking of the subject's children with drill-down (province → city → county →
 * facility → months), the county's schematic map of township results, targets, export to Excel. The state lives in
 * the URL, so a drill-down is a link, the browser's back button goes back up, and a view can be shared.
 */
export function IndicatorDashboardPage() {
  const { t, i18n } = useTranslation();
  const lang: Lang = i18n.language === 'en' ? 'en' : 'zh-CN';
  const me = useCurrentUser();
  const { message } = App.useApp();
  const today = shanghaiDate();
  const [params, setParams] = useSearchParams();

  const areaReader = me.roles.some((r) => r === 'commission-officer' || r === 'system-admin');
  const canEditTargets = areaReader;
  const alliances = useAlliances();
  const ownAlliances = useMemo(
    () => (alliances.data ?? []).filter((a) => areaReader || (me.organization && a.leadOrganizationId === me.organization.id)),
    [alliances.data, areaReader, me.organization],
  );
  const levels: IndicatorLevel[] = areaReader ? [...dashboardLevels] : ['alliance', 'facility'];
  const homeTrail = divisionTrail(homeCountyCode);
  const defaultSubject = (level: IndicatorLevel, from: string | null = null): string => {
    if (level === 'province' || level === 'city' || level === 'county') {
      return (divisionTrail(from).find((x) => x.level === level) ?? homeTrail.find((x) => x.level === level))?.code ?? '';
    }
    return level === 'alliance' && !areaReader ? (ownAlliances[0]?.id ?? '') : '';
  };
  const state = parseDashboardState(params, { level: areaReader ? 'county' : 'alliance', today, subjectFor: (level) => defaultSubject(level) });
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
  const subjectInfo = results.find((r) => r.data)?.data?.subject;
  const subjectName = subjectInfo?.name ?? '';

  // ---- where the subject sits: breadcrumbs province › city › county › (alliance | facility)
  const subjectDivision = areaLevels.includes(state.level) ? state.subject : (subjectInfo?.divisionCode ?? null);
  const trail = divisionTrail(subjectDivision);
  const trailNames = useDivisionNames(trail.map((x) => x.code));
  const nameOf = (code: string) => trailNames[trail.findIndex((x) => x.code === code)]?.data?.name ?? code;
  const crumbs: Crumb[] = [
    { title: t('indicators.title'), path: '/indicators' },
    ...trail.map((x) => ({
      title: nameOf(x.code),
      ...(areaReader && !(x.code === state.subject && x.level === state.level) ? { path: `/indicators${dashboardSearch({ ...state, level: x.level, subject: x.code })}` } : {}),
    })),
    ...(state.level === 'alliance' || state.level === 'facility' ? [{ title: subjectName || '…' }] : []),
  ];
  const trailText = [...trail.map((x) => nameOf(x.code)), ...(state.level === 'alliance' || state.level === 'facility' ? [subjectName] : [])].join(' › ');

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

  // ---- ranking of the subject's children (one server request), for the last period of the range
  const [provinceChildren, setProvinceChildren] = useState<'city' | 'county'>('city');
  const rankable = Boolean(selected && state.level !== 'facility' && !unsupportedReason(selected, state.level, state.period));
  const ranking = useIndicatorRanking(rankable ? (selected?.code ?? null) : null, {
    level: state.level, subject: state.subject, period: state.period, at: state.to, ...(state.level === 'province' ? { childLevel: provinceChildren } : {}),
  });

  // ---- targets apply to a division: the subject's, or an alliance's county
  const targetDivision =
    areaLevels.includes(state.level) ? { code: state.subject, name: subjectName || nameOf(state.subject) }
    : state.level === 'alliance' && subjectInfo?.divisionCode ? { code: subjectInfo.divisionCode, name: nameOf(subjectInfo.divisionCode.slice(0, 6)) }
    : null;
  const targetYears = useMemo(() => {
    const out: number[] = [];
    for (let y = Number(state.from.slice(0, 4)); y <= Number(state.to.slice(0, 4)) + 1; y++) out.push(y);
    return out;
  }, [state.from, state.to]);

  // ---- export
  const [exporting, setExporting] = useState(false);
  const doExport = async () => {
    setExporting(true);
    try {
      const h = {
        code: t('indicators.col.code'), indicator: t('indicators.col.indicator'), period: t('indicators.col.period'), value: t('indicators.col.value'),
        unit: t('indicators.col.unit'), numerator: t('indicators.numerator'), denominator: t('indicators.denominator'), target: t('indicators.target'),
        status: t('indicators.col.status'), note: t('indicators.col.note'), rank: t('indicators.col.rank'), facility: t('indicators.col.subject'),
        tier: t('indicators.col.tier'), level: t('indicators.col.level'),
      };
      const rk = ranking.data;
      const sheets = exportSheets(
        {
          lang,
          h,
          levels: Object.fromEntries(dashboardLevels.map((l) => [l, t(`indicators.level.${l}`)])) as Record<IndicatorLevel, string>,
          units: Object.fromEntries(units.map((u) => [u, t(`indicators.unit.${u}`)])) as Record<IndicatorUnit, string>,
          lights: Object.fromEntries(lights.map((l) => [l, t(`indicators.light.${l}`)])) as Record<Light, string>,
          tiers: Object.fromEntries(facilityTiers.map((x) => [x, t(`tier.${x}`)])),
          noData: t('indicators.noData'),
          summarySheet: t('indicators.sheet.summary'),
          trendSheet: t('indicators.sheet.trend'),
          rankingSheet: t('indicators.sheet.ranking'),
          caption: [
            `${t('indicators.title')} · ${t(`indicators.level.${state.level}`)}：${subjectName || state.subject}`,
            ...(trailText ? [`${t('indicators.exportPath')}：${trailText}`] : []),
            `${t('indicators.col.period')}：${periodLabel(state.from, lang)} – ${periodLabel(state.to, lang)}（${t(`indicators.period.${state.period}`)}）`,
            `${t('indicators.exportLights')}`,
            `${t('indicators.exportedAt')}：${dayjs().format('YYYY-MM-DD HH:mm')}`,
          ],
        },
        cards,
        selected && selectedResult?.data ? { definition: selected, values: selectedResult.data.values } : null,
        selected && rk && rk.definition.code === selected.code && rk.childLevel
          ? { definition: selected, period: rk.label, parent: { name: rk.subject.name, level: rk.level, value: rk.parent }, rows: rk.rows }
          : null,
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
  const unsupportedSelected = selected ? unsupportedReason(selected, state.level, state.period) : null;

  return (
    <div className="page">
      <PageHeader
        title={t('indicators.title')}
        subtitle={subjectName || undefined}
        crumbs={crumbs}
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
              onChange={(level) => update({ level, subject: defaultSubject(level, subjectDivision) })}
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
        <Loading tip={t('indicators.loadingDefinitions')} />
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
                    {`npx yilian generate activity --county ${homeCountyCode} --year ${state.to.slice(0, 4)} --load`}
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
              <Col xs={24} xl={14}>
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
                  {unsupportedSelected ? (
                    <EmptyState simple description={cards[selectedIndex]?.note} />
                  ) : selectedResult?.isError ? (
                    <QueryError error={selectedResult.error} onRetry={() => void selectedResult.refetch()} />
                  ) : selectedResult?.data ? (
                    <>
                      {selectedResult.data.values.every((v) => v.noData) && (
                        <Alert type="info" showIcon style={{ marginBottom: 8 }} title={t('indicators.trendNoData')} description={selectedResult.data.values[0]?.reason} />
                      )}
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
                    <Loading height={300} tip={t('indicators.computing')} />
                  )}
                </Card>
              </Col>
              <Col xs={24} xl={10}>
                {state.level === 'facility' ? (
                  <IndicatorPeriodsCard definition={selected} values={selectedResult?.data?.values} lang={lang} loading={Boolean(selectedResult?.isLoading)} />
                ) : unsupportedSelected ? (
                  <Card variant="borderless" className="full-height" title={t('indicators.ranking.titleShort')}>
                    <EmptyState simple description={cards[selectedIndex]?.note} />
                  </Card>
                ) : (
                  <IndicatorRankingCard
                    state={state}
                    definition={selected}
                    ranking={ranking.data?.definition.code === selected.code ? ranking.data : undefined}
                    loading={ranking.isFetching}
                    error={ranking.error}
                    onRetry={() => void ranking.refetch()}
                    lang={lang}
                    childChoice={provinceChildren}
                    onChildChoice={setProvinceChildren}
                  />
                )}
              </Col>
              {state.level === 'county' && (
                <Col xs={24} xl={15}>
                  <IndicatorCountyMap
                    countyCode={state.subject}
                    countyName={nameOf(state.subject)}
                    definitions={defs}
                    selected={selected}
                    period={state.period}
                    at={state.to}
                    lang={lang}
                    onDrill={(row) => update(drillState({ ...state }, row))}
                  />
                </Col>
              )}
              <Col xs={24} xl={state.level === 'county' ? 9 : 12}>
                <IndicatorTargetsCard definition={selected} division={targetDivision} years={targetYears} defaultYear={Number(state.to.slice(0, 4))} canEdit={canEditTargets} lang={lang} />
              </Col>
            </Row>
          )}
        </>
      )}
    </div>
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
  // A division is picked among its siblings: the provinces, the cities of its province, the counties of its city.
  const division = state.level === 'province' || state.level === 'city' || state.level === 'county';
  const trail = divisionTrail(division ? state.subject : homeCountyCode);
  const parent = state.level === 'city' ? trail[0]?.code : state.level === 'county' ? trail[1]?.code : null;
  const siblings = useDivisions(parent ?? null, division);
  const options = (siblings.data ?? []).filter((d) => d.level === state.level).map((d) => ({ value: d.code, label: d.name }));
  return (
    <Space>
      <Typography.Text type="secondary">{t('indicators.subjectLabel')}</Typography.Text>
      {division ? (
        <Select
          style={{ width: 200 }}
          value={state.subject}
          onChange={onChange}
          showSearch={{ optionFilterProp: 'label' }}
          aria-label={t('indicators.subjectLabel')}
          options={options.length ? options : [{ value: state.subject, label: subjectName || state.subject }]}
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

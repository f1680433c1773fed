import { EnvironmentOutlined } from '@ant-design/icons';
import { Alert, Card, Flex, Select, Skeleton, Space, Tag, Typography } from 'antd';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { IndicatorDefinitionDto, IndicatorPeriod, IndicatorRankingRow } from '../../../contracts/indicator.js';
import { EmptyState } from '../../components/empty-state.js';
import { QueryError } from '../../components/query-state.js';
import { useIndicatorRanking } from './indicators.api.js';
import { formatTerm, formatValue, isMoneyTerm, type Lang, mapPoints, type MapPoint, periodLabel, shortPlaceName, trafficLight } from './indicators.model.js';

type ECharts = import('echarts/core').ECharts;

/** Sequential, single hue: darker = larger value, whatever the direction (the legend says which way is better). */
const scale = ['#e0f2f1', '#80cbc4', '#26a69a', '#00796b', '#004d40'];
const noDataColor = '#d9d9d9';

/**
 * 乡镇级结果示意图: the county's township (and community) health centers placed by their registered coordinates and
 * coloured by one indicator — a schematic, not a map (no boundary data is available to the platform). Only indicators
 * cut by facility can be shown per center; the card offers those, starting with the dashboard's selection when it is one.
 */
export function IndicatorCountyMap({
  countyCode, countyName, definitions, selected, period, at, lang, onDrill,
}: {
  countyCode: string;
  countyName: string;
  /** Every definition in force; the ones computed by facility for this period are offered. */
  definitions: readonly IndicatorDefinitionDto[];
  selected: IndicatorDefinitionDto | null;
  period: IndicatorPeriod;
  at: string;
  lang: Lang;
  onDrill: (row: IndicatorRankingRow) => void;
}) {
  const { t } = useTranslation();
  const options = useMemo(
    () => definitions.filter((d) => d.levels.includes('facility') && d.periods.includes(period) && d.formula !== 'unavailable'),
    [definitions, period],
  );
  const [chosen, setChosen] = useState<string | null>(null);
  const def =
    options.find((d) => d.code === chosen) ??
    options.find((d) => d.code === selected?.code) ??
    options.find((d) => d.code === 'tcm-visit-share') ??
    options[0] ??
    null;
  const ranking = useIndicatorRanking(def?.code ?? null, { level: 'county', subject: countyCode, period, at, childLevel: 'facility' });
  const { points, unplaced } = useMemo(() => mapPoints(ranking.data?.rows ?? []), [ranking.data]);
  const name = (d: IndicatorDefinitionDto) => (lang === 'en' ? d.nameEn : d.nameZh);

  return (
    <Card
      variant="borderless"
      className="full-height"
      data-testid="indicator-county-map"
      title={
        <Space wrap>
          <EnvironmentOutlined />
          {t('indicators.map.title', { county: countyName })}
          <Tag color="orange" style={{ marginInlineEnd: 0 }}>{t('indicators.map.schematic')}</Tag>
        </Space>
      }
      extra={
        <Select
          size="small"
          style={{ width: 240 }}
          value={def?.code}
          onChange={setChosen}
          aria-label={t('indicators.map.indicator')}
          options={options.map((d) => ({ value: d.code, label: name(d) }))}
        />
      }
    >
      {!def ? (
        <EmptyState simple description={t('indicators.map.noIndicator')} />
      ) : ranking.isError ? (
        <QueryError error={ranking.error} onRetry={() => void ranking.refetch()} />
      ) : !ranking.data ? (
        <Skeleton active paragraph={{ rows: 8 }} />
      ) : points.length === 0 ? (
        <EmptyState simple description={t('indicators.map.noSites')} />
      ) : (
        <>
          {selected && def.code !== selected.code && (
            <Alert type="info" showIcon style={{ marginBottom: 8 }} title={t('indicators.map.otherIndicator', { name: name(selected) })} />
          )}
          {points.every((p) => p.value === null) && (
            <Alert type="warning" showIcon style={{ marginBottom: 8 }} title={t('indicators.map.allNoData', { period: periodLabel(ranking.data.label, lang) })} />
          )}
          <SchematicChart points={points} definition={def} lang={lang} onClick={(p) => onDrill(p.row)} />
          <div className="table-note" style={{ marginTop: 4 }}>
            {t('indicators.map.note', { period: periodLabel(ranking.data.label, lang), direction: t(`indicators.directionValue.${def.direction}`) })}
          </div>
          {unplaced.length > 0 && (
            <div className="table-note">
              {t('indicators.map.unplaced')}：
              {unplaced.map((r) => `${r.name} ${r.value.noData ? t('indicators.noData') : formatValue(r.value.value, def.unit, lang)}`).join('；')}
            </div>
          )}
        </>
      )}
    </Card>
  );
}

function SchematicChart({ points, definition: d, lang, onClick }: { points: MapPoint[]; definition: IndicatorDefinitionDto; lang: Lang; onClick: (p: MapPoint) => void }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);
  const [ready, setReady] = useState(false);
  const [width, setWidth] = useState(0);
  const height = 460;
  const click = useRef(onClick);
  click.current = onClick;

  useEffect(() => {
    let disposed = false;
    let observer: ResizeObserver | undefined;
    void import('./indicator-map.echarts.js').then((echarts) => {
      if (disposed || !ref.current) return;
      chart.current = echarts.init(ref.current, undefined, { renderer: 'canvas' });
      chart.current.on('click', (p) => {
        const point = (p.data as { point?: MapPoint } | undefined)?.point;
        if (point) click.current(point);
      });
      observer = new ResizeObserver(() => {
        chart.current?.resize();
        setWidth(ref.current?.clientWidth ?? 0);
      });
      observer.observe(ref.current);
      setWidth(ref.current.clientWidth);
      setReady(true);
    });
    return () => {
      disposed = true;
      observer?.disconnect();
      chart.current?.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    if (!ready || !chart.current || width === 0) return;
    // Equal scale on both axes (the x values are already shrunk by cos(latitude)): pad the shorter side.
    const xs = points.map((p) => p.x);
    const ys = points.map((p) => p.y);
    const pad = 0.04;
    let [x0, x1, y0, y1] = [Math.min(...xs) - pad, Math.max(...xs) + pad, Math.min(...ys) - pad, Math.max(...ys) + pad];
    const legendWidth = 90;
    const plotW = Math.max(100, width - legendWidth - 24);
    const plotH = height - 24;
    const perUnit = Math.min(plotW / (x1 - x0), plotH / (y1 - y0));
    const growX = (plotW / perUnit - (x1 - x0)) / 2;
    const growY = (plotH / perUnit - (y1 - y0)) / 2;
    [x0, x1, y0, y1] = [x0 - growX, x1 + growX, y0 - growY, y1 + growY];
    const values = points.flatMap((p) => (p.value === null ? [] : [p.value]));
    const min = values.length ? Math.min(...values) : 0;
    const max = values.length ? Math.max(...values) : 1;
    const fmt = (v: number | null) => formatValue(v, d.unit, lang);
    // Labels of centers closer than a label's size to one already labelled are left out (the town's centers sit
    // together); the tooltip still names every point. Township centers come first, in division-code order (the county
    // seat's town is usually the first code), then community centers.
    const labelled: MapPoint[] = [];
    const hidden = new Set<string>();
    const order = (p: MapPoint) => `${p.tier === 'township-health-center' ? 0 : 1}${p.row.divisionCode ?? ''}`;
    for (const p of [...points].sort((a, b) => order(a).localeCompare(order(b)))) {
      if (labelled.some((q) => Math.abs(q.x - p.x) * perUnit < 50 && Math.abs(q.y - p.y) * perUnit < 30)) hidden.add(p.id);
      else labelled.push(p);
    }
    const datum = (p: MapPoint) => ({ value: [p.x, p.y, p.value ?? 0], name: p.name, point: p, ...(hidden.has(p.id) ? { label: { show: false } } : {}) });
    chart.current.setOption(
      {
        grid: { left: 12, right: legendWidth, top: 12, bottom: 12 },
        xAxis: { type: 'value', min: x0, max: x1, show: false },
        yAxis: { type: 'value', min: y0, max: y1, show: false },
        visualMap: {
          type: 'continuous',
          seriesIndex: 0,
          dimension: 2,
          min,
          max: max === min ? min + 1 : max,
          inRange: { color: scale },
          calculable: false,
          right: 0,
          bottom: 12,
          itemHeight: 160,
          text: [fmt(max), fmt(min)],
          textStyle: { color: '#595959', fontSize: 11 },
        },
        tooltip: {
          trigger: 'item',
          formatter: (p: { data?: { point?: MapPoint } }) => {
            const point = p.data?.point;
            if (!point) return '';
            const v = point.row.value;
            const lines = [`<b>${point.name}</b>`];
            if (v.noData || v.value === null) lines.push(`${t('indicators.noData')}${v.reason ? `：${v.reason}` : ''}`);
            else {
              lines.push(`${lang === 'en' ? d.nameEn : d.nameZh}：<b>${fmt(v.value)}</b>`);
              if (d.denominator && d.formula === 'ratio')
                lines.push(`${t('indicators.numerator')} ${formatTerm(v.numerator, isMoneyTerm(d.numerator.key), lang)} / ${t('indicators.denominator')} ${formatTerm(v.denominator, isMoneyTerm(d.denominator.key), lang)}`);
            }
            if (v.target !== null && v.target !== undefined) lines.push(`${t('indicators.targetValue', { value: fmt(v.target) })} · ${t(`indicators.light.${trafficLight(v.noData ? null : v.value, v.target, d.direction)}`)}`);
            if (point.row.rank) lines.push(t('indicators.map.rank', { rank: point.row.rank }));
            lines.push(`<span style="color:#8c8c8c">${t('indicators.map.clickHint')}</span>`);
            return lines.join('<br/>');
          },
        },
        series: [
          {
            type: 'scatter',
            name: 'value',
            symbolSize: 26,
            cursor: 'pointer',
            emphasis: { scale: 1.25, label: { show: true } },
            itemStyle: { borderColor: '#fff', borderWidth: 1.5, shadowBlur: 4, shadowColor: 'rgba(0,0,0,.15)' },
            label: {
              show: true,
              position: 'bottom',
              distance: 3,
              fontSize: 11,
              color: '#262626',
              formatter: (p: { data: { point: MapPoint } }) => `${shortPlaceName(p.data.point.name)}\n${fmt(p.data.point.value)}`,
            },
            data: points.filter((p) => p.value !== null).map(datum),
          },
          {
            type: 'scatter',
            name: 'noData',
            symbolSize: 20,
            cursor: 'pointer',
            itemStyle: { color: noDataColor, borderColor: '#fff', borderWidth: 1.5 },
            label: {
              show: true,
              position: 'bottom',
              distance: 3,
              fontSize: 11,
              color: '#8c8c8c',
              formatter: (p: { data: { point: MapPoint } }) => `${shortPlaceName(p.data.point.name)}\n${t('indicators.noData')}`,
            },
            data: points.filter((p) => p.value === null).map(datum),
          },
        ],
      },
      true,
    );
  }, [ready, width, points, d, lang, t]);

  return (
    <div style={{ position: 'relative', height }}>
      {!ready && <Skeleton active paragraph={{ rows: 8 }} style={{ position: 'absolute', inset: 0 }} />}
      <div
        ref={ref}
        style={{ height, background: 'linear-gradient(180deg, #fafcfc, #f4f8f7)', borderRadius: 8, border: '1px dashed #d9e6e3' }}
        role="img"
        aria-label={points.map((p) => `${p.name} ${formatValue(p.value, d.unit, lang)}`).join('，')}
      />
      <Flex gap={12} style={{ position: 'absolute', left: 12, top: 8 }}>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          <span style={{ display: 'inline-block', width: 10, height: 10, borderRadius: '50%', background: noDataColor, marginInlineEnd: 4 }} />
          {t('indicators.noData')}
        </Typography.Text>
      </Flex>
    </div>
  );
}


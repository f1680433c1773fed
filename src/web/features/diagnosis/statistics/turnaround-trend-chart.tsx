import { Skeleton } from 'antd';
import { useEffect, useRef, useState } from 'react';

type ECharts = import('echarts/core').ECharts;

export interface MonthPoint {
  label: string;
  requests: number;
  /** null = nothing reported with a deadline that month: a gap in the line, never 0 %. */
  onTimeShare: number | null;
}

/**
 * Requests per month (bars, left axis) and the share reported on time (line, right axis, 0–100 %). ECharts comes
 * through the same lazy `lib/echarts.js` chunk and palette as the indicator charts; this one needs the second axis
 * they do not have.
 */
export function TurnaroundTrendChart({
  data, height = 300, requestsName, onTimeName,
}: { data: MonthPoint[]; height?: number; requestsName: string; onTimeName: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    let disposed = false;
    let observer: ResizeObserver | undefined;
    void import('../../../lib/echarts.js').then((echarts) => {
      if (disposed || !ref.current) return;
      chart.current = echarts.init(ref.current, undefined, { renderer: 'canvas' });
      observer = new ResizeObserver(() => chart.current?.resize());
      observer.observe(ref.current);
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
    if (!ready || !chart.current) return;
    chart.current.setOption(
      {
        grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
        legend: { top: 0, data: [requestsName, onTimeName] },
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
        xAxis: { type: 'category', data: data.map((d) => d.label), axisTick: { alignWithLabel: true } },
        yAxis: [
          { type: 'value', minInterval: 1, splitLine: { lineStyle: { color: '#f0f0f0' } } },
          { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' }, splitLine: { show: false } },
        ],
        series: [
          {
            name: requestsName,
            type: 'bar',
            barMaxWidth: 28,
            itemStyle: { color: '#0f766e', borderRadius: [4, 4, 0, 0] },
            data: data.map((d) => d.requests),
            label: { show: data.length <= 16, position: 'top', color: '#595959', formatter: (p: { value: unknown }) => (p.value ? String(p.value) : '') },
          },
          {
            name: onTimeName,
            type: 'line',
            yAxisIndex: 1,
            connectNulls: false,
            symbolSize: 7,
            lineStyle: { color: '#d97706', width: 2 },
            itemStyle: { color: '#d97706' },
            tooltip: { valueFormatter: (v: unknown) => (typeof v === 'number' ? `${v}%` : '—') },
            data: data.map((d) => (d.onTimeShare === null ? '-' : d.onTimeShare)),
          },
        ],
      },
      true,
    );
  }, [ready, data, requestsName, onTimeName]);

  return (
    <div style={{ position: 'relative', height }}>
      {!ready && <Skeleton active paragraph={{ rows: 6 }} style={{ position: 'absolute', inset: 0 }} />}
      <div
        ref={ref}
        style={{ height }}
        role="img"
        aria-label={data.map((d) => `${d.label} ${requestsName} ${d.requests}，${onTimeName} ${d.onTimeShare === null ? '—' : `${d.onTimeShare}%`}`).join('；')}
      />
    </div>
  );
}

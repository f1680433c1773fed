import { Skeleton } from 'antd';
import { useEffect, useRef, useState } from 'react';

type ECharts = import('echarts/core').ECharts;

export interface TrendPoint {
  label: string;
  /** null = no data: a gap, never a zero. */
  value: number | null;
  target: number | null;
  color?: string;
}

/**
 * One indicator over the periods: bars for the figures (colored by their traffic light), a dashed line for the
 * target where one is set. Periods without data stay empty.
 */
export function IndicatorTrendChart({
  data, height = 300, valueName, targetName, format,
}: { data: TrendPoint[]; height?: number; valueName: string; targetName: string; format: (v: number | null) => string }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    let disposed = false;
    let observer: ResizeObserver | undefined;
    void import('../../lib/echarts.js').then((echarts) => {
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
    const hasTarget = data.some((d) => d.target !== null);
    chart.current.setOption(
      {
        grid: { left: 8, right: 24, top: hasTarget ? 36 : 16, bottom: 8, containLabel: true },
        legend: hasTarget ? { top: 0, data: [valueName, targetName] } : { show: false },
        tooltip: {
          trigger: 'axis',
          axisPointer: { type: 'shadow' },
          valueFormatter: (v: unknown) => format(typeof v === 'number' ? v : null),
        },
        xAxis: { type: 'category', data: data.map((d) => d.label), axisTick: { alignWithLabel: true } },
        yAxis: { type: 'value', splitLine: { lineStyle: { color: '#f0f0f0' } }, scale: false },
        series: [
          {
            name: valueName,
            type: 'bar',
            barMaxWidth: 28,
            data: data.map((d) => (d.value === null ? '-' : { value: d.value, itemStyle: { color: d.color ?? '#0f766e', borderRadius: [4, 4, 0, 0] } })),
            label: { show: data.length <= 16, position: 'top', color: '#595959', formatter: (p: { value: unknown }) => (typeof p.value === 'number' ? format(p.value) : '') },
          },
          ...(hasTarget
            ? [{
                name: targetName,
                type: 'line',
                step: 'middle',
                symbol: 'none',
                lineStyle: { type: 'dashed', color: '#f5222d', width: 2 },
                itemStyle: { color: '#f5222d' },
                data: data.map((d) => (d.target === null ? '-' : d.target)),
              }]
            : []),
        ],
      },
      true,
    );
  }, [ready, data, valueName, targetName, format]);

  return (
    <div style={{ position: 'relative', height }}>
      {!ready && <Skeleton active paragraph={{ rows: 6 }} style={{ position: 'absolute', inset: 0 }} />}
      <div ref={ref} style={{ height }} role="img" aria-label={data.map((d) => `${d.label} ${format(d.value)}`).join('，')} />
    </div>
  );
}

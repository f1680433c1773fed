import { Skeleton } from 'antd';
import { useEffect, useRef, useState } from 'react';

export interface BarDatum {
  label: string;
  value: number;
  color?: string;
}

type ECharts = import('echarts/core').ECharts;

/** A horizontal bar chart (counts by category), resized with its container. */
export function BarChart({ data, height = 280, unit = '' }: { data: BarDatum[]; height?: number; unit?: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<ECharts | null>(null);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    let disposed = false;
    let observer: ResizeObserver | undefined;
    void import('../lib/echarts.js').then((echarts) => {
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
    const rows = [...data].reverse();
    chart.current.setOption(
      {
        grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v: unknown) => `${String(v)}${unit}` },
        xAxis: { type: 'value', minInterval: 1, splitLine: { lineStyle: { color: '#f0f0f0' } } },
        yAxis: { type: 'category', data: rows.map((d) => d.label), axisTick: { show: false } },
        series: [
          {
            type: 'bar',
            barMaxWidth: 18,
            data: rows.map((d) => ({ value: d.value, itemStyle: { color: d.color ?? '#0f766e', borderRadius: [0, 4, 4, 0] } })),
            label: { show: true, position: 'right', color: '#595959' },
          },
        ],
      },
      true,
    );
  }, [ready, data, unit]);

  return (
    <div style={{ position: 'relative', height }}>
      {!ready && <Skeleton active paragraph={{ rows: 5 }} style={{ position: 'absolute', inset: 0 }} />}
      <div ref={ref} style={{ height }} role="img" aria-label={data.map((d) => `${d.label} ${d.value}${unit}`).join('，')} />
    </div>
  );
}

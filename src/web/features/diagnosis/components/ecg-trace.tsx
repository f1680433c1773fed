import { useMemo, type CSSProperties } from 'react';
import { useTranslation } from 'react-i18next';
import {
  calibrationPulsePath,
  computeEcgLayout,
  ecgTraceLabels,
  gridLines,
  standardPaper,
  tracePath,
  type EcgLeadName,
  type EcgPaper,
} from './ecg-trace.model.js';

export interface EcgTraceProps {
  samplingRateHz: number;
  /** Samples per lead in µV (docs/ecg-format.md); a missing lead is drawn as "no data". */
  leads: Partial<Record<EcgLeadName, ArrayLike<number>>>;
  /** Default 25 mm/s and 10 mm/mV. */
  paper?: EcgPaper;
  /** The rhythm strip's lead; null hides the strip. Default II. */
  rhythmLead?: EcgLeadName | null;
  /** Leads whose label is drawn in the alert colour, e.g. those with ST elevation in a critical finding. */
  highlightLeads?: readonly EcgLeadName[];
  /** A line above the grid (patient, time); the component adds speed, gain and sampling rate. */
  caption?: string;
  /** CSS width of the drawing; it keeps the paper's aspect ratio. Default 100%. */
  width?: CSSProperties['width'];
  className?: string;
}

const colours = {
  paper: '#fff7f7',
  minor: '#f5c4c4',
  major: '#e37b7b',
  trace: '#111111',
  label: '#333333',
  alert: '#cf1322',
};

/**
 * A 12-lead ECG drawn on ECG paper as SVG in millimetres, so it scales to any width and prints true to size when
 * the SVG is given the paper's width in mm. Standard 3 × 4 layout, a rhythm strip and a 1 mV calibration pulse per row.
 */
export function EcgTrace({
  samplingRateHz,
  leads,
  paper = standardPaper,
  rhythmLead = 'II',
  highlightLeads = [],
  caption,
  width = '100%',
  className,
}: EcgTraceProps) {
  const { i18n } = useTranslation();
  const text = ecgTraceLabels(i18n.language);
  const durationS = useMemo(() => {
    const n = Math.max(0, ...Object.values(leads).map((s) => s?.length ?? 0));
    return samplingRateHz > 0 ? n / samplingRateHz : 0;
  }, [leads, samplingRateHz]);
  const layout = useMemo(() => computeEcgLayout({ durationS, paper, rhythmLead }), [durationS, paper, rhythmLead]);
  const grid = useMemo(() => gridLines(layout.widthMm, layout.heightMm), [layout]);
  const traces = useMemo(
    () =>
      layout.rows.flatMap((row, r) =>
        row.segments.map((seg) => {
          const samples = leads[seg.lead];
          return {
            key: `${r}-${seg.lead}`,
            seg,
            row,
            d: samples ? tracePath(samples, samplingRateHz, seg.startS, seg.endS, seg.xMm, row.baselineMm, paper) : '',
            missing: !samples || samples.length === 0,
          };
        }),
      ),
    [layout, leads, samplingRateHz, paper],
  );
  const footerY = layout.heightMm - 1.5;

  return (
    <svg
      className={className}
      viewBox={`0 0 ${layout.widthMm} ${layout.heightMm}`}
      style={{ width, height: 'auto', display: 'block', background: colours.paper }}
      role="img"
      aria-label={`${text.title}${caption ? ` — ${caption}` : ''}`}
      preserveAspectRatio="xMinYMin meet"
    >
      <path d={grid.minor} stroke={colours.minor} strokeWidth={0.1} fill="none" />
      <path d={grid.major} stroke={colours.major} strokeWidth={0.25} fill="none" />
      {caption && (
        <text x={1} y={3.4} fontSize={2.8} fill={colours.label}>
          {caption}
        </text>
      )}
      {layout.rows.map((row, r) => (
        <path key={`cal-${r}`} d={calibrationPulsePath(row.baselineMm, paper)} stroke={colours.trace} strokeWidth={0.3} fill="none">
          <title>{text.calibration}</title>
        </path>
      ))}
      {traces.map(({ key, seg, row, d, missing }) => (
        <g key={key}>
          {/* The short vertical mark where one lead gives way to the next, as on a printed ECG. */}
          {seg.xMm > layout.traceStartMm && (
            <path d={`M${seg.xMm} ${row.baselineMm - 3}V${row.baselineMm + 3}`} stroke={colours.trace} strokeWidth={0.3} />
          )}
          <text
            x={seg.xMm + 1}
            y={row.labelYMm}
            fontSize={3}
            fontWeight={600}
            fill={highlightLeads.includes(seg.lead) ? colours.alert : colours.label}
          >
            {row.rhythm ? text.rhythm(seg.lead) : seg.lead}
            {missing ? ` (${text.missing})` : ''}
          </text>
          {d && <path d={d} stroke={colours.trace} strokeWidth={0.25} fill="none" strokeLinejoin="round" />}
        </g>
      ))}
      <text x={1} y={footerY} fontSize={2.6} fill={colours.label}>
        {text.paper(paper)}　{text.rate(samplingRateHz)}
      </text>
    </svg>
  );
}

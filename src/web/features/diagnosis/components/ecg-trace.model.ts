/**
 * Geometry of a printed 12-lead ECG, in millimetres of paper (the SVG's user units), after the conventions of the
 * standard resting ECG print (AHA/ACCF/HRS 2007 recommendations, part I): 1 mm minor and 5 mm major grid, 25 mm/s,
 * 10 mm/mV, leads in a 3 × 4 layout of 2.5 s columns plus a 10 s rhythm strip, a 1 mV calibration pulse per row.
 * Pure; tested in ecg-trace.model.test.ts.
 */

export const ecgLeadNames = ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'] as const;
export type EcgLeadName = (typeof ecgLeadNames)[number];

/** Rows of the standard layout; each row shows four leads one after the other in time. */
export const standardLeadRows: readonly (readonly EcgLeadName[])[] = [
  ['I', 'aVR', 'V1', 'V4'],
  ['II', 'aVL', 'V2', 'V5'],
  ['III', 'aVF', 'V3', 'V6'],
];

export interface EcgPaper {
  /** Paper speed, mm per second (25 standard, 50 for detail). */
  speedMmPerS: number;
  /** Gain, mm per millivolt (10 standard; 5 or 20 for large or small complexes). */
  gainMmPerMv: number;
}
export const standardPaper: EcgPaper = { speedMmPerS: 25, gainMmPerMv: 10 };

export interface EcgSegment {
  lead: EcgLeadName;
  startS: number;
  endS: number;
  /** Where the segment starts on the paper. */
  xMm: number;
}

export interface EcgRow {
  /** The isoelectric line of the row. */
  baselineMm: number;
  /** The lead-name labels' vertical position. */
  labelYMm: number;
  segments: EcgSegment[];
  rhythm: boolean;
}

export interface EcgLayout {
  widthMm: number;
  heightMm: number;
  /** Where the traces start (after the calibration pulse). */
  traceStartMm: number;
  /** Seconds shown per column and in the rhythm strip. */
  columnSeconds: number;
  rhythmSeconds: number;
  rows: EcgRow[];
}

export interface EcgLayoutOptions {
  /** Length of the recording, s. */
  durationS: number;
  paper?: EcgPaper;
  /** The rhythm strip's lead; null for no strip. Default II. */
  rhythmLead?: EcgLeadName | null;
  /** Height of one row, mm. Default 30 (room for ±1.5 mV at 10 mm/mV). */
  rowHeightMm?: number;
  /** Paper width for the traces, mm. Default 250 (10 s at 25 mm/s). */
  traceWidthMm?: number;
}

/** The calibration pulse: 2 mm of baseline, 5 mm (0.2 s at 25 mm/s) at 1 mV, 2 mm of baseline. */
export const calibrationWidthMm = 10;
const topMarginMm = 5;
const bottomMarginMm = 5;

/** Lays out the standard 3 × 4 print plus the rhythm strip; shorter recordings leave the rest of a column blank. */
export function computeEcgLayout(o: EcgLayoutOptions): EcgLayout {
  const paper = o.paper ?? standardPaper;
  const rowHeight = o.rowHeightMm ?? 30;
  const traceWidth = o.traceWidthMm ?? 250;
  const rhythmSeconds = traceWidth / paper.speedMmPerS;
  const columnSeconds = rhythmSeconds / 4;
  const rows: EcgRow[] = standardLeadRows.map((leads, r) => {
    const baselineMm = topMarginMm + rowHeight * r + rowHeight * 0.6;
    return {
      baselineMm,
      labelYMm: topMarginMm + rowHeight * r + 5,
      rhythm: false,
      segments: leads.map((lead, c) => ({
        lead,
        startS: c * columnSeconds,
        endS: Math.min(o.durationS, (c + 1) * columnSeconds),
        xMm: calibrationWidthMm + c * columnSeconds * paper.speedMmPerS,
      })),
    };
  });
  const rhythmLead = o.rhythmLead === undefined ? 'II' : o.rhythmLead;
  if (rhythmLead) {
    const r = rows.length;
    rows.push({
      baselineMm: topMarginMm + rowHeight * r + rowHeight * 0.6,
      labelYMm: topMarginMm + rowHeight * r + 5,
      rhythm: true,
      segments: [{ lead: rhythmLead, startS: 0, endS: Math.min(o.durationS, rhythmSeconds), xMm: calibrationWidthMm }],
    });
  }
  // Whole 5 mm squares, so the major grid closes at the edges.
  const widthMm = Math.ceil((calibrationWidthMm + traceWidth) / 5) * 5;
  const heightMm = Math.ceil((topMarginMm + rowHeight * rows.length + bottomMarginMm) / 5) * 5;
  return { widthMm, heightMm, traceStartMm: calibrationWidthMm, columnSeconds, rhythmSeconds, rows };
}

export interface GridLines {
  /** Every millimetre that is not a multiple of 5, as one SVG path. */
  minor: string;
  /** Every 5 mm, as one SVG path. */
  major: string;
  minorCount: number;
  majorCount: number;
}

/** The paper grid as two SVG paths (a few hundred lines; one path each keeps the DOM small). */
export function gridLines(widthMm: number, heightMm: number): GridLines {
  const minor: string[] = [];
  const major: string[] = [];
  for (let x = 0; x <= widthMm; x++) (x % 5 === 0 ? major : minor).push(`M${x} 0V${heightMm}`);
  for (let y = 0; y <= heightMm; y++) (y % 5 === 0 ? major : minor).push(`M0 ${y}H${widthMm}`);
  return { minor: minor.join(''), major: major.join(''), minorCount: minor.length, majorCount: major.length };
}

const round2 = (n: number): string => String(Math.round(n * 100) / 100);

/**
 * The SVG path of one lead from startS to endS drawn from xMm, µV → mm by the gain (up is positive, so y decreases).
 * When there are more than `maxPointsPerMm` samples per millimetre the samples are bucketed and each bucket's
 * minimum and maximum are kept, so narrow QRS peaks survive the thinning.
 */
export function tracePath(
  samples: ArrayLike<number>,
  samplingRateHz: number,
  startS: number,
  endS: number,
  xMm: number,
  baselineMm: number,
  paper: EcgPaper = standardPaper,
  maxPointsPerMm = 8,
): string {
  const from = Math.max(0, Math.round(startS * samplingRateHz));
  const to = Math.min(samples.length, Math.round(endS * samplingRateHz));
  if (to - from < 2) return '';
  const mmPerSample = paper.speedMmPerS / samplingRateHz;
  const yOf = (uv: number) => baselineMm - (uv / 1000) * paper.gainMmPerMv;
  const xOf = (i: number) => xMm + (i - from) * mmPerSample;
  const parts: string[] = [];
  const bucket = Math.max(1, Math.floor(1 / (mmPerSample * maxPointsPerMm)));
  if (bucket <= 1) {
    for (let i = from; i < to; i++) parts.push(`${i === from ? 'M' : 'L'}${round2(xOf(i))} ${round2(yOf(samples[i]!))}`);
    return parts.join('');
  }
  for (let b = from; b < to; b += bucket) {
    const end = Math.min(to, b + bucket);
    let minI = b;
    let maxI = b;
    for (let i = b; i < end; i++) {
      if (samples[i]! < samples[minI]!) minI = i;
      if (samples[i]! > samples[maxI]!) maxI = i;
    }
    // Keep the two extremes in time order.
    const pair = minI <= maxI ? [minI, maxI] : [maxI, minI];
    for (const i of pair) parts.push(`${parts.length === 0 ? 'M' : 'L'}${round2(xOf(i))} ${round2(yOf(samples[i]!))}`);
  }
  return parts.join('');
}

/** The 1 mV calibration pulse at the start of a row: 0.2 s wide at the paper speed, gain-high. */
export function calibrationPulsePath(baselineMm: number, paper: EcgPaper = standardPaper): string {
  const top = baselineMm - paper.gainMmPerMv;
  const pulse = 0.2 * paper.speedMmPerS;
  const lead = (calibrationWidthMm - pulse) / 2;
  return `M0 ${baselineMm}H${round2(lead)}V${round2(top)}H${round2(lead + pulse)}V${baselineMm}H${calibrationWidthMm}`;
}

export type TraceLanguage = 'zh-CN' | 'en';

const labels = {
  'zh-CN': {
    title: '12 导联心电图',
    paper: (p: EcgPaper) => `走纸速度 ${p.speedMmPerS} mm/s　增益 ${p.gainMmPerMv} mm/mV`,
    rate: (hz: number) => `采样率 ${hz} Hz`,
    rhythm: (lead: string) => `节律条 ${lead}`,
    missing: '无数据',
    calibration: '1 mV 定标',
  },
  en: {
    title: '12-lead ECG',
    paper: (p: EcgPaper) => `${p.speedMmPerS} mm/s   ${p.gainMmPerMv} mm/mV`,
    rate: (hz: number) => `${hz} Hz sampling`,
    rhythm: (lead: string) => `Rhythm strip ${lead}`,
    missing: 'no data',
    calibration: '1 mV calibration',
  },
} as const;

/** The trace's words in the UI language (the component is standalone, so it carries its own few labels). */
export function ecgTraceLabels(language: string | undefined): (typeof labels)[TraceLanguage] {
  return language?.startsWith('en') ? labels.en : labels['zh-CN'];
}

import { describe, expect, it } from 'vitest';
import {
  calibrationPulsePath,
  computeEcgLayout,
  ecgTraceLabels,
  gridLines,
  standardLeadRows,
  tracePath,
} from './ecg-trace.model.js';

/** Points of an "M x y L x y …" path. */
const points = (d: string) =>
  [...d.matchAll(/[ML]([-\d.]+) ([-\d.]+)/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]) }));

describe('ECG layout', () => {
  it('puts the 12 leads in the standard 3 × 4 order with 2.5 s columns and a 10 s lead-II rhythm strip', () => {
    const l = computeEcgLayout({ durationS: 10 });
    expect(l.rows.slice(0, 3).map((r) => r.segments.map((s) => s.lead))).toEqual(standardLeadRows);
    expect(l.columnSeconds).toBe(2.5);
    const row0 = l.rows[0]!.segments;
    // At 25 mm/s a 2.5 s column is 62.5 mm; columns follow the 10 mm calibration area.
    expect(row0.map((s) => s.xMm)).toEqual([10, 72.5, 135, 197.5]);
    expect(row0.map((s) => [s.startS, s.endS])).toEqual([[0, 2.5], [2.5, 5], [5, 7.5], [7.5, 10]]);
    const rhythm = l.rows[3]!;
    expect(rhythm.rhythm).toBe(true);
    expect(rhythm.segments).toEqual([{ lead: 'II', startS: 0, endS: 10, xMm: 10 }]);
    expect(l.widthMm).toBe(260);
    expect(l.widthMm % 5).toBe(0);
    expect(l.heightMm % 5).toBe(0);
    // Rows do not overlap: baselines 30 mm apart.
    expect(l.rows[1]!.baselineMm - l.rows[0]!.baselineMm).toBe(30);
  });

  it('shows half the time at 50 mm/s and clips to a short recording; the strip can be hidden', () => {
    const fast = computeEcgLayout({ durationS: 10, paper: { speedMmPerS: 50, gainMmPerMv: 10 } });
    expect(fast.rhythmSeconds).toBe(5);
    expect(fast.columnSeconds).toBe(1.25);
    const short = computeEcgLayout({ durationS: 4, rhythmLead: null });
    expect(short.rows).toHaveLength(3);
    expect(short.rows[0]!.segments.map((s) => s.endS)).toEqual([2.5, 4, 4, 4]);
  });
});

describe('grid', () => {
  it('has 1 mm minor and 5 mm major lines', () => {
    const g = gridLines(10, 5);
    // x: 0..10 → 11 lines, 3 major (0, 5, 10); y: 0..5 → 6 lines, 2 major (0, 5).
    expect(g.majorCount).toBe(5);
    expect(g.minorCount).toBe(12);
    expect(g.major).toContain('M5 0V5');
    expect(g.minor).toContain('M1 0V5');
    expect(g.minor).not.toContain('M5 0V5');
  });
});

describe('trace path', () => {
  it('maps 1 mV to 10 mm up and 25 mm/s along, from the segment start', () => {
    const samples = [0, 1000, -500, 0, 0];
    const pts = points(tracePath(samples, 25, 0, 1, 10, 50));
    // 25 Hz at 25 mm/s: one sample per mm.
    expect(pts).toEqual([
      { x: 10, y: 50 },
      { x: 11, y: 40 },
      { x: 12, y: 55 },
      { x: 13, y: 50 },
      { x: 14, y: 50 },
    ]);
    expect(tracePath(samples, 25, 0, 1, 10, 50).startsWith('M')).toBe(true);
  });

  it('starts a later column at its own time and honours the gain', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i * 10);
    const pts = points(tracePath(samples, 10, 5, 6, 0, 0, { speedMmPerS: 25, gainMmPerMv: 20 }));
    expect(pts[0]).toEqual({ x: 0, y: -10 }); // sample 50 = 500 µV = 0.5 mV, at 20 mm/mV 10 mm up
    expect(pts).toHaveLength(10);
    expect(pts[1]!.x).toBe(2.5);
  });

  it('thins dense samples by min/max buckets and keeps a narrow peak', () => {
    const fs = 2000;
    const samples = Array.from({ length: fs * 2 }, (_, i) => (i === 1234 ? 1500 : 0));
    const pts = points(tracePath(samples, fs, 0, 2, 0, 100));
    expect(pts.length).toBeLessThanOrEqual(2 * 50 * 8 + 2);
    expect(Math.min(...pts.map((p) => p.y))).toBe(85);
  });

  it('is empty when there is nothing to draw', () => {
    expect(tracePath([1, 2, 3], 500, 5, 7.5, 0, 0)).toBe('');
  });
});

describe('calibration pulse', () => {
  it('is 1 mV high and 0.2 s wide', () => {
    // 10 mm up at 10 mm/mV; 5 mm across at 25 mm/s; centred in the 10 mm calibration area.
    expect(calibrationPulsePath(40)).toBe('M0 40H2.5V30H7.5V40H10');
    expect(calibrationPulsePath(40, { speedMmPerS: 50, gainMmPerMv: 5 })).toBe('M0 40H0V35H10V40H10');
  });
});

describe('labels', () => {
  it('speaks Chinese by default and English on request', () => {
    expect(ecgTraceLabels('zh-CN').paper({ speedMmPerS: 25, gainMmPerMv: 10 })).toContain('走纸速度 25 mm/s');
    expect(ecgTraceLabels(undefined).title).toBe('12 导联心电图');
    expect(ecgTraceLabels('en').rhythm('II')).toBe('Rhythm strip II');
  });
});

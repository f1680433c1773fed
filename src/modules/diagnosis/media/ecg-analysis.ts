import type { EcgLead, EcgRecord } from './ecg-format.js';

/** Derived facts of an ECG, for the worklist and the report form. Not a diagnosis. */
export interface EcgRhythmFacts {
  /** The lead the R peaks were found on (II unless asked otherwise). */
  lead: EcgLead;
  /** Sample indexes of the R peaks (the largest deflection of each QRS, positive or negative). */
  rPeakSamples: number[];
  /** Intervals between consecutive R peaks, ms. */
  rrIntervalsMs: number[];
  /** 60 000 ÷ mean RR; null with fewer than two beats. */
  heartRateBpm: number | null;
  meanRrMs: number | null;
  /** Standard deviation of RR (SDNN over the strip), ms. */
  rrSdMs: number | null;
  /** Fewer than 2 beats, or the detector thought the strip too noisy to trust. */
  reliable: boolean;
}

/**
 * Finds R peaks with a Pan–Tompkins-style detector (Pan & Tompkins, IEEE TBME 1985) simplified for a clean 10-second
 * resting strip:
 * 1. band-pass ≈ 5–15 Hz as the difference of two moving averages (40 ms and 200 ms), which removes baseline wander
 *    and smooths high-frequency noise;
 * 2. the five-point derivative, squared, so steep QRS slopes dominate P and T waves;
 * 3. a 150 ms moving-window integration;
 * 4. a fixed threshold at 30 % of the 99th percentile of the integrated signal (robust to one artefact spike), with a
 *    200 ms refractory period (no two beats closer than physiology allows);
 * 5. each region above the threshold is one beat; its R peak is the sample of largest absolute band-passed amplitude
 *    within it (so negative and wide complexes, e.g. ventricular tachycardia, are found too); a complex within 80 ms
 *    of either end of the strip is dropped, as the filters distort it there.
 * Not done (documented in docs/ecg-format.md): adaptive thresholds and search-back for missed beats, T-wave
 * discrimination by slope — acceptable for rate and RR on a resting strip, not for arrhythmia classification.
 */
export function analyseEcgRhythm(record: EcgRecord, lead: EcgLead = 'II'): EcgRhythmFacts {
  const fs = record.samplingRateHz;
  const rPeakSamples = detectRPeaks(record.leads[lead], fs);
  const rrIntervalsMs = rPeakSamples.slice(1).map((s, i) => ((s - rPeakSamples[i]!) * 1000) / fs);
  if (rrIntervalsMs.length === 0) {
    return { lead, rPeakSamples, rrIntervalsMs, heartRateBpm: null, meanRrMs: null, rrSdMs: null, reliable: false };
  }
  const meanRrMs = rrIntervalsMs.reduce((a, b) => a + b, 0) / rrIntervalsMs.length;
  const rrSdMs = Math.sqrt(rrIntervalsMs.reduce((a, b) => a + (b - meanRrMs) ** 2, 0) / rrIntervalsMs.length);
  return {
    lead,
    rPeakSamples,
    rrIntervalsMs: rrIntervalsMs.map((x) => Math.round(x * 10) / 10),
    heartRateBpm: Math.round((60_000 / meanRrMs) * 10) / 10,
    meanRrMs: Math.round(meanRrMs * 10) / 10,
    rrSdMs: Math.round(rrSdMs * 10) / 10,
    reliable: rrIntervalsMs.length >= 2,
  };
}

/** R-peak sample indexes of one lead (see analyseEcgRhythm for the method). */
export function detectRPeaks(signal: readonly number[], samplingRateHz: number): number[] {
  const n = signal.length;
  if (n === 0) return [];
  const fs = samplingRateHz;
  const fast = movingAverage(signal, Math.max(1, Math.round(0.04 * fs)));
  const slow = movingAverage(signal, Math.max(1, Math.round(0.2 * fs)));
  const band = fast.map((v, i) => v - slow[i]!);
  // Five-point derivative (Pan–Tompkins): y[n] = (2x[n] + x[n−1] − x[n−3] − 2x[n−4]) / 8, centred here.
  const deriv = new Float64Array(n);
  for (let i = 2; i < n - 2; i++) deriv[i] = (2 * band[i + 2]! + band[i + 1]! - band[i - 1]! - 2 * band[i - 2]!) / 8;
  const squared = Array.from(deriv, (d) => d * d);
  const integrated = movingAverage(squared, Math.max(1, Math.round(0.15 * fs)));
  const sorted = [...integrated].sort((a, b) => a - b);
  const p99 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))] ?? 0;
  if (p99 <= 0) return [];
  const threshold = 0.3 * p99;
  const refractory = Math.round(0.2 * fs);
  const half = Math.round(0.08 * fs);
  const peaks: number[] = [];
  let i = 0;
  while (i < n) {
    if (integrated[i]! <= threshold) {
      i++;
      continue;
    }
    let end = i;
    while (end < n && integrated[end]! > threshold) end++;
    // The integration window is centred, so the QRS lies within the region (plus a margin for wide complexes).
    let best = -1;
    let bestAbs = -1;
    for (let k = Math.max(0, i - half); k < Math.min(n, end + half); k++) {
      const a = Math.abs(band[k]!);
      if (a > bestAbs) {
        bestAbs = a;
        best = k;
      }
    }
    // A complex cut by the start or end of the strip is not counted: the filters' edges distort it.
    if (best < half || best >= n - half) {
      i = end;
      continue;
    }
    const last = peaks[peaks.length - 1];
    if (last === undefined || best - last >= refractory) peaks.push(best);
    else if (Math.abs(band[best]!) > Math.abs(band[last]!)) peaks[peaks.length - 1] = best;
    i = end;
  }
  return peaks;
}

/** Centred moving average of a window of `w` samples (edges use the part of the window inside the signal). */
function movingAverage(x: ArrayLike<number>, w: number): number[] {
  const n = x.length;
  const out = new Array<number>(n);
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + x[i]!;
  const before = Math.floor((w - 1) / 2);
  const after = w - 1 - before;
  for (let i = 0; i < n; i++) {
    const a = Math.max(0, i - before);
    const b = Math.min(n, i + after + 1);
    out[i] = (prefix[b]! - prefix[a]!) / (b - a);
  }
  return out;
}

import { ecgLeads, independentEcgLeads, type EcgLead, type EcgRecord } from './ecg-format.js';
import { createRng } from './prng.js';

/** Patterns the generator draws: a normal sinus rhythm and two critical findings for the 危急值 demo. */
export const syntheticEcgPatterns = ['normal', 'inferior_stemi', 'ventricular_tachycardia'] as const;
export type SyntheticEcgPattern = (typeof syntheticEcgPatterns)[number];

export interface SyntheticEcgOptions {
  /** Same seed (and options) → identical samples. */
  seed: number | string;
  pattern?: SyntheticEcgPattern;
  /** Beats per minute. Default 72 (sinus) or 170 (ventricular tachycardia). */
  heartRateBpm?: number;
  /** Default 500. */
  samplingRateHz?: number;
  /** Default 10. */
  durationS?: number;
  /** White noise standard deviation, µV. Default 12. */
  noiseUv?: number;
  /** Peak amplitude of the respiratory baseline wander (≈0.2–0.3 Hz), µV. Default 80. */
  baselineWanderUv?: number;
  /** Mains interference at 50 Hz (China), µV. Default 0. */
  mainsUv?: number;
  patient?: EcgRecord['patient'];
  /** ISO 8601 with offset. Default 2025-01-06T09:30:00+08:00. */
  acquiredAt?: string;
}

/** One wave of a beat: a Gaussian at `at` seconds from the R peak, widths before and after (asymmetric T). */
interface Wave {
  at: number;
  widthBefore: number;
  widthAfter: number;
  /** Amplitude in mV per independent lead. */
  mv: Partial<Record<EcgLead, number>>;
}

/**
 * Normal amplitudes (mV) on the eight independent leads; limb leads follow a normal frontal axis (≈ +60°: R tallest
 * in II, aVR negative, aVL small) and the precordial R grows from V1 to V4–V5 while S shrinks (normal progression).
 */
const normalAmplitudes: Record<'P' | 'Q' | 'R' | 'S' | 'T', Partial<Record<EcgLead, number>>> = {
  P: { I: 0.07, II: 0.13, V1: 0.05, V2: 0.08, V3: 0.08, V4: 0.08, V5: 0.07, V6: 0.06 },
  Q: { I: -0.04, II: -0.06, V1: 0, V2: 0, V3: -0.02, V4: -0.05, V5: -0.08, V6: -0.07 },
  R: { I: 0.6, II: 1.2, V1: 0.22, V2: 0.5, V3: 0.9, V4: 1.45, V5: 1.3, V6: 1.0 },
  S: { I: -0.08, II: -0.15, V1: -0.95, V2: -1.25, V3: -0.8, V4: -0.4, V5: -0.2, V6: -0.1 },
  T: { I: 0.2, II: 0.3, V1: 0.05, V2: 0.4, V3: 0.45, V4: 0.4, V5: 0.3, V6: 0.22 },
};

/**
 * Inferior STEMI: ST elevation in II, III and aVF (III > II, typical of a right coronary occlusion), reciprocal ST
 * depression in I and aVL (and V2), hyperacute inferior T waves and a deeper inferior Q. With ST on I = −0.1 mV and on
 * II = +0.25 mV, the derived leads get III +0.35, aVF +0.30, aVL −0.23 mV.
 */
const stemiSt: Partial<Record<EcgLead, number>> = { I: -0.1, II: 0.25, V1: 0.0, V2: -0.1, V3: -0.05 };

/**
 * Generates a resting 12-lead ECG as a sum of Gaussian waves per beat (in the spirit of McSharry et al., IEEE TBME
 * 2003, ECGSYN, but directly in time): P, Q, R, S and T on the eight independent leads, with III, aVR, aVL and aVF
 * derived by Einthoven's and Goldberger's equations so the limb leads are consistent; QT follows Bazett's scaling
 * with RR; the sinus rhythm has a small respiratory variation of RR. Adds white noise, respiratory baseline wander and
 * optional 50 Hz mains. Values are integer µV. Deterministic for a seed.
 */
export function generateSyntheticEcg(options: SyntheticEcgOptions): EcgRecord {
  const pattern = options.pattern ?? 'normal';
  const vt = pattern === 'ventricular_tachycardia';
  const fs = options.samplingRateHz ?? 500;
  const duration = options.durationS ?? 10;
  const hr = options.heartRateBpm ?? (vt ? 170 : 72);
  const n = Math.round(fs * duration);
  const rng = createRng(`ecg|${String(options.seed)}|${pattern}|${hr}`);
  const rr0 = 60 / hr;

  // Beat times: sinus rhythm varies with breathing (respiratory sinus arrhythmia, ±3 %); VT is regular.
  const beats: Array<{ t: number; rr: number }> = [];
  const breathPeriod = 3.5 + rng.next();
  const breathPhase = rng.range(0, 2 * Math.PI);
  let t = 0.25 + rng.range(0, rr0);
  while (t < duration + rr0) {
    const rr = vt ? rr0 : rr0 * (1 + 0.03 * Math.sin((2 * Math.PI * t) / breathPeriod + breathPhase));
    beats.push({ t, rr });
    t += rr;
  }

  const signals = new Map<EcgLead, Float64Array>(independentEcgLeads.map((l) => [l, new Float64Array(n)]));
  for (const beat of beats) {
    const waves = vt ? vtWaves() : sinusWaves(beat.rr, pattern === 'inferior_stemi');
    for (const w of waves) addWave(signals, w, beat.t, fs, n);
    if (pattern === 'inferior_stemi') addStSegment(signals, beat.t, beat.rr, fs, n);
  }

  const noise = options.noiseUv ?? 12;
  const wander = options.baselineWanderUv ?? 80;
  const mains = options.mainsUv ?? 0;
  for (const lead of independentEcgLeads) {
    const s = signals.get(lead)!;
    const wanderFreq = 0.2 + rng.next() * 0.1;
    const wanderPhase = rng.range(0, 2 * Math.PI);
    const mainsPhase = rng.range(0, 2 * Math.PI);
    for (let i = 0; i < n; i++) {
      const ti = i / fs;
      s[i] =
        s[i]! * 1000 +
        wander * Math.sin(2 * Math.PI * wanderFreq * ti + wanderPhase) +
        mains * Math.sin(2 * Math.PI * 50 * ti + mainsPhase) +
        rng.normal() * noise;
    }
  }

  const I = signals.get('I')!;
  const II = signals.get('II')!;
  const derived: Record<'III' | 'aVR' | 'aVL' | 'aVF', (a: number, b: number) => number> = {
    III: (a, b) => b - a,
    aVR: (a, b) => -(a + b) / 2,
    aVL: (a, b) => a - b / 2,
    aVF: (a, b) => b - a / 2,
  };
  const leads = Object.fromEntries(
    ecgLeads.map((lead) => {
      const f = derived[lead as keyof typeof derived];
      const s = f ? Float64Array.from(I, (a, i) => f(a, II[i]!)) : signals.get(lead)!;
      return [lead, Array.from(s, (v) => Math.round(v) || 0)];
    }),
  ) as Record<EcgLead, number[]>;

  const record: EcgRecord = {
    samplingRateHz: fs,
    units: 'uV',
    sampleCount: n,
    durationS: n / fs,
    leads,
    derivedLeads: [],
    acquiredAt: options.acquiredAt ?? '2025-01-06T09:30:00+08:00',
    device: { manufacturer: 'Yilian', model: 'synthetic-ecg' },
    filter: { highPassHz: 0.05, lowPassHz: 150, notchHz: 50 },
    warnings: [],
  };
  if (options.patient) record.patient = options.patient;
  return record;
}

function sinusWaves(rr: number, stemi: boolean): Wave[] {
  const qtScale = Math.sqrt(rr); // Bazett: QT ∝ √RR
  const a = normalAmplitudes;
  const t = stemi ? { ...a.T, I: -0.05, II: 0.6, V2: 0.25 } : a.T;
  const q = stemi ? { ...a.Q, I: -0.02, II: -0.2 } : a.Q;
  return [
    { at: -0.17, widthBefore: 0.022, widthAfter: 0.022, mv: a.P },
    { at: -0.028, widthBefore: 0.009, widthAfter: 0.009, mv: q },
    { at: 0, widthBefore: 0.01, widthAfter: 0.01, mv: a.R },
    { at: 0.03, widthBefore: 0.01, widthAfter: 0.012, mv: a.S },
    { at: 0.27 * qtScale, widthBefore: 0.055 * qtScale, widthAfter: 0.035 * qtScale, mv: t },
  ];
}

/** Monomorphic ventricular tachycardia: no P, wide QRS (≈160 ms), superior axis, negative precordial concordance, discordant T. */
function vtWaves(): Wave[] {
  return [
    { at: 0, widthBefore: 0.03, widthAfter: 0.03, mv: { I: 0.9, II: -1.1, V1: -1.3, V2: -1.6, V3: -1.7, V4: -1.5, V5: -1.2, V6: -0.9 } },
    { at: 0.06, widthBefore: 0.025, widthAfter: 0.03, mv: { I: -0.3, II: 0.35, V1: 0.3, V2: 0.4, V3: 0.4, V4: 0.35, V5: 0.3, V6: 0.2 } },
    { at: 0.2, widthBefore: 0.05, widthAfter: 0.04, mv: { I: -0.3, II: 0.4, V1: 0.45, V2: 0.5, V3: 0.5, V4: 0.45, V5: 0.35, V6: 0.3 } },
  ];
}

function addWave(signals: Map<EcgLead, Float64Array>, w: Wave, beatT: number, fs: number, n: number): void {
  const center = beatT + w.at;
  const from = Math.max(0, Math.floor((center - 4 * w.widthBefore) * fs));
  const to = Math.min(n - 1, Math.ceil((center + 4 * w.widthAfter) * fs));
  for (const [lead, amp] of Object.entries(w.mv) as Array<[EcgLead, number]>) {
    if (!amp) continue;
    const s = signals.get(lead)!;
    for (let i = from; i <= to; i++) {
      const dt = i / fs - center;
      const sd = dt < 0 ? w.widthBefore : w.widthAfter;
      s[i] = s[i]! + amp * Math.exp(-(dt * dt) / (2 * sd * sd));
    }
  }
}

/** A plateau from the J point (≈ 40 ms after R) to the end of T, with smooth (logistic) edges. */
function addStSegment(signals: Map<EcgLead, Float64Array>, beatT: number, rr: number, fs: number, n: number): void {
  const j = beatT + 0.04;
  const end = beatT + 0.38 * Math.sqrt(rr);
  const from = Math.max(0, Math.floor((j - 0.05) * fs));
  const to = Math.min(n - 1, Math.ceil((end + 0.08) * fs));
  for (const [lead, st] of Object.entries(stemiSt) as Array<[EcgLead, number]>) {
    if (!st) continue;
    const s = signals.get(lead)!;
    for (let i = from; i <= to; i++) {
      const ti = i / fs;
      const rise = 1 / (1 + Math.exp(-(ti - j) / 0.008));
      const fall = 1 / (1 + Math.exp((ti - end) / 0.02));
      s[i] = s[i]! + st * rise * fall;
    }
  }
}

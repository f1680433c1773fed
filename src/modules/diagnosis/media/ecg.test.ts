import { describe, expect, it } from 'vitest';
import {
  MediaError,
  analyseEcgRhythm,
  ecgLeads,
  formatEcgCsv,
  formatEcgJson,
  generateSyntheticEcg,
  parseEcgCsv,
  parseEcgFile,
  parseEcgJson,
  type EcgLead,
} from './index.js';

function catchError(f: () => unknown): MediaError {
  try {
    f();
  } catch (e) {
    if (e instanceof MediaError) return e;
    throw e;
  }
  throw new Error('expected a MediaError');
}

/** A minimal valid JSON document: 12 flat leads of `seconds` at `fs`. */
function doc(over: Record<string, unknown> = {}, fs = 250, seconds = 3): Record<string, unknown> {
  const n = fs * seconds;
  return {
    samplingRateHz: fs,
    units: 'uV',
    leads: Object.fromEntries(ecgLeads.map((l) => [l, Array.from({ length: n }, () => 0)])),
    ...over,
  };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Mean over the ST segment (J + 60–100 ms) minus the PR baseline (R − 80 ms), in µV, averaged over beats. */
function stDeviation(leads: Record<EcgLead, number[]>, lead: EcgLead, peaks: number[], fs: number): number {
  const v = leads[lead];
  const beats = peaks.filter((p) => p > 0.1 * fs && p + 0.14 * fs < v.length);
  return mean(
    beats.map((p) => {
      const st = mean(v.slice(p + Math.round(0.1 * fs), p + Math.round(0.14 * fs)));
      const pr = mean(v.slice(p - Math.round(0.09 * fs), p - Math.round(0.07 * fs)));
      return st - pr;
    }),
  );
}

describe('synthetic ECG → CSV / JSON → parse → heart rate', () => {
  it.each([45, 60, 72, 100, 150])('finds %i bpm within ±3 bpm through both formats', (bpm) => {
    const record = generateSyntheticEcg({ seed: `hr-${bpm}`, heartRateBpm: bpm, patient: { id: 'P1', name: '张三', sex: 'M' } });
    expect(record.sampleCount).toBe(5000);
    expect(record.samplingRateHz).toBe(500);
    for (const text of [formatEcgCsv(record), formatEcgJson(record)]) {
      const parsed = parseEcgFile(text);
      expect(parsed.leads).toEqual(record.leads);
      expect(parsed.patient).toEqual({ id: 'P1', name: '张三', sex: 'M' });
      expect(parsed.acquiredAt).toBe(record.acquiredAt);
      const facts = analyseEcgRhythm(parsed);
      expect(facts.heartRateBpm).not.toBeNull();
      expect(Math.abs(facts.heartRateBpm! - bpm)).toBeLessThanOrEqual(3);
      expect(facts.rrIntervalsMs.length).toBe(facts.rPeakSamples.length - 1);
      expect(facts.reliable).toBe(true);
    }
  });

  it('detects ventricular tachycardia at its rate', () => {
    const record = generateSyntheticEcg({ seed: 'vt', pattern: 'ventricular_tachycardia', heartRateBpm: 180 });
    const facts = analyseEcgRhythm(parseEcgJson(formatEcgJson(record)));
    expect(Math.abs(facts.heartRateBpm! - 180)).toBeLessThanOrEqual(3);
    expect(facts.rrSdMs!).toBeLessThan(10);
  });

  it('keeps the limb leads consistent (Einthoven: III = II − I, within rounding)', () => {
    const r = generateSyntheticEcg({ seed: 1 });
    for (let i = 0; i < r.sampleCount; i += 97) {
      expect(Math.abs(r.leads.III[i]! - (r.leads.II[i]! - r.leads.I[i]!))).toBeLessThanOrEqual(1);
      expect(Math.abs(r.leads.aVR[i]! + (r.leads.I[i]! + r.leads.II[i]!) / 2)).toBeLessThanOrEqual(1.5);
    }
    // Normal axis: the R wave is tallest in II and negative in aVR.
    const { rPeakSamples } = analyseEcgRhythm(r);
    const p = rPeakSamples[2]!;
    expect(r.leads.II[p]!).toBeGreaterThan(r.leads.I[p]!);
    expect(r.leads.aVR[p]!).toBeLessThan(0);
  });

  it('draws inferior ST elevation with reciprocal depression in the STEMI pattern', () => {
    const r = generateSyntheticEcg({ seed: 2, pattern: 'inferior_stemi', noiseUv: 0, baselineWanderUv: 0 });
    const { rPeakSamples } = analyseEcgRhythm(r);
    const st = (l: EcgLead) => stDeviation(r.leads, l, rPeakSamples, r.samplingRateHz);
    expect(st('II')).toBeGreaterThan(150);
    expect(st('III')).toBeGreaterThan(st('II'));
    expect(st('aVF')).toBeGreaterThan(150);
    expect(st('aVL')).toBeLessThan(-100);
    const normal = generateSyntheticEcg({ seed: 2, noiseUv: 0, baselineWanderUv: 0 });
    const np = analyseEcgRhythm(normal).rPeakSamples;
    expect(Math.abs(stDeviation(normal.leads, 'II', np, 500))).toBeLessThan(60);
  });

  it('is deterministic for a seed', () => {
    expect(generateSyntheticEcg({ seed: 9 }).leads).toEqual(generateSyntheticEcg({ seed: 9 }).leads);
    expect(generateSyntheticEcg({ seed: 9 }).leads.II).not.toEqual(generateSyntheticEcg({ seed: 10 }).leads.II);
  });
});

describe('ECG format validation', () => {
  it('accepts the eight independent leads and derives the other four', () => {
    const d = doc();
    const leads = d['leads'] as Record<string, number[]>;
    leads['I'] = leads['I']!.map(() => 100);
    leads['II'] = leads['II']!.map(() => 300);
    for (const l of ['III', 'aVR', 'aVL', 'aVF']) delete leads[l];
    const r = parseEcgJson(d);
    expect(r.derivedLeads).toEqual(['III', 'aVR', 'aVL', 'aVF']);
    expect([r.leads.III[0], r.leads.aVR[0], r.leads.aVL[0], r.leads.aVF[0]]).toEqual([200, -200, -50, 250]);
  });

  it('matches lead names without regard to case', () => {
    const d = doc();
    const leads = d['leads'] as Record<string, number[]>;
    leads['AVR'] = leads['aVR']!;
    delete leads['aVR'];
    expect(parseEcgJson(d).leads.aVR).toHaveLength(750);
  });

  it('refuses an unknown lead, naming it', () => {
    const d = doc();
    (d['leads'] as Record<string, number[]>)['V7'] = Array.from({ length: 750 }, () => 0);
    const e = catchError(() => parseEcgJson(d));
    expect(e.reason).toBe('ecg_invalid');
    expect(e.code).toBe('invalid');
    expect(e.message).toContain('未知导联“V7”');
    expect(e.messageEn).toContain('unknown lead "V7"');
    expect(e.issues[0]!.path).toBe('leads.V7');
  });

  it('refuses ragged leads', () => {
    const d = doc();
    (d['leads'] as Record<string, number[]>)['V3']!.pop();
    const e = catchError(() => parseEcgJson(d));
    expect(e.message).toContain('采样数不一致');
    expect(e.messageEn).toContain('V3=749');
  });

  it.each([50, 99, 2001, 10000])('refuses a sampling rate of %i Hz', (fs) => {
    const e = catchError(() => parseEcgJson(doc({ samplingRateHz: fs })));
    expect(e.issues[0]!.path).toBe('samplingRateHz');
    expect(e.message).toContain('100–2000 Hz');
  });

  it('refuses a recording shorter than 2 s', () => {
    const e = catchError(() => parseEcgJson(doc({}, 500, 1)));
    expect(e.message).toContain('记录过短');
    expect(e.messageEn).toContain('at least 2 s');
  });

  it('refuses values that are not numbers, with their place', () => {
    const d = doc();
    (d['leads'] as Record<string, unknown[]>)['II']![10] = 'abc';
    const e = catchError(() => parseEcgJson(d));
    expect(e.issues[0]).toMatchObject({ path: 'leads.II[10]' });
    expect(e.message).toContain('不是数字');

    const csv = ['# samplingRateHz: 100', ecgLeads.join(','), ...Array.from({ length: 300 }, (_, i) => ecgLeads.map((_, k) => (i === 5 && k === 8 ? 'x' : '0')).join(','))].join('\n');
    const e2 = catchError(() => parseEcgCsv(csv));
    expect(e2.issues[0]!.path).toBe('line 8, V3');
  });

  it('refuses values in the wrong unit (mV for µV would be fine, nV is not)', () => {
    const d = doc();
    (d['leads'] as Record<string, number[]>)['V2']![0] = 1_500_000;
    expect(catchError(() => parseEcgJson(d)).messageEn).toContain('must be in µV');
  });

  it('refuses a missing sampling rate in CSV and a ragged CSV row', () => {
    const body = [ecgLeads.join(','), ...Array.from({ length: 300 }, () => ecgLeads.map(() => '0').join(','))];
    const e = catchError(() => parseEcgCsv(body.join('\n')));
    expect(e.issues[0]!.path).toBe('# samplingRateHz');
    expect(e.message).toContain('采样率缺失');
    const ragged = ['# samplingRateHz: 100', ...body];
    ragged[10] = '1,2,3';
    expect(catchError(() => parseEcgCsv(ragged.join('\n'))).messageEn).toContain('line 11 has 3 columns');
  });

  it('refuses unknown JSON fields, bad metadata, and warns on unknown CSV keys', () => {
    expect(catchError(() => parseEcgJson(doc({ samplingRate: 500 }))).messageEn).toContain('unknown field');
    expect(catchError(() => parseEcgJson(doc({ patient: { birthDate: '1960-13-40' } }))).issues[0]!.path).toBe('patient.birthDate');
    const csv = ['# samplingRateHz: 100', '# ward: 3', ecgLeads.join(';'), ...Array.from({ length: 300 }, () => ecgLeads.map(() => '0').join(';'))];
    expect(parseEcgCsv(csv.join('\r\n')).warnings).toEqual(['ignored metadata key "ward" on line 2']);
  });

  it('refuses text that is not JSON', () => {
    expect(catchError(() => parseEcgFile('{ "samplingRateHz": ')).messageEn).toContain('not valid JSON');
  });
});

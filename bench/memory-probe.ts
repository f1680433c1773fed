/**
 * Measuring aid for the benchmarks (never loaded by the server otherwise): preloaded into the server process with
 * `node --import tsx --import ./bench/memory-probe.ts src/main.ts`, it samples `process.memoryUsage()` every 250 ms
 * and at exit writes to BENCH_MEMORY_FILE the peak and the mean of each part, so a benchmark can say where the server's RSS went: V8's heap, buffers outside it (`external`), and the rest
 * (code, native libraries such as DuckDB's, malloc arenas). Server code is not changed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { constants, PerformanceObserver } from 'node:perf_hooks';

type Part = 'rss' | 'heapTotal' | 'heapUsed' | 'external' | 'arrayBuffers';
const parts: Part[] = ['rss', 'heapTotal', 'heapUsed', 'external', 'arrayBuffers'];

const file = process.env.BENCH_MEMORY_FILE;
if (file) {
  const samples: Record<Part | 'native', number>[] = [];
  const sample = () => {
    const m = process.memoryUsage();
    const s = { rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, native: m.rss - m.heapTotal - m.external };
    samples.push(s);
  };
  // The heap just after each full collection: what is really alive (heapUsed at other times counts garbage too).
  const afterMajor: number[] = [];
  let minor = 0;
  const gcs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) afterMajor.push(process.memoryUsage().heapUsed);
      else minor++;
    }
  });
  gcs.observe({ entryTypes: ['gc'] });
  const timer = setInterval(sample, 250);
  timer.unref();
  const write = () => {
    sample();
    const mb = (x: number) => Math.round(x / 2 ** 20);
    const out: Record<string, { peakMb: number; meanMb: number }> = {};
    for (const p of [...parts, 'native'] as const) {
      const xs = samples.map((s) => s[p]);
      out[p] = { peakMb: mb(Math.max(...xs)), meanMb: mb(xs.reduce((a, b) => a + b, 0) / xs.length) };
    }
    // The parts at the moment RSS peaked (peaks of different parts need not coincide).
    const atPeak = samples.reduce((a, b) => (b.rss > a.rss ? b : a));
    const live = { majorCollections: afterMajor.length, minorCollections: minor, maxMb: afterMajor.length ? mb(Math.max(...afterMajor)) : null, lastMb: afterMajor.length ? mb(afterMajor[afterMajor.length - 1]!) : null };
    // Whether DuckDB's library was loaded (the analytic store opened) by the end: ~48 MB of the difference between runs.
    let duckdbLoaded: boolean | null = null;
    try {
      duckdbLoaded = readFileSync('/proc/self/maps', 'utf8').includes('libduckdb');
    } catch {
      /* not Linux */
    }
    writeFileSync(file, JSON.stringify({ samples: samples.length, duckdbLoaded, parts: out, heapAfterFullGc: live, atRssPeakMb: Object.fromEntries(Object.entries(atPeak).map(([k, v]) => [k, mb(v)])) }));
  };
  process.on('exit', write);
}

/**
 * Benchmarks (never run by tests): `npm run bench [-- <name>…]`. Each prints its figures; copy them into
 * docs/benchmarks.md with the machine they ran on.
 *   startup  — start command → ready on an empty embedded database (seed included) and on a seeded one; server RSS
 *   fhir-patient-search — GET /fhir/Patient?name=… latency (p50/p95/p99) with the demo residents
 *   import-patients — `yilian import patients` rows/s for a generated file (BENCH_IMPORT_ROWS, default 50,000)
 *   referral — closed-loop referrals/s through HTTP with N clients, p50/p99 per step, and pgbench's TPS on the same
 *     database (bench/referral.ts; PostgreSQL only: BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test;
 *     part of a bare `npm run bench` only when BENCH_DATABASE_URL is set)
 *   indicators — monitoring indicators at province scale: load rate (bulk and API paths), full rebuild vs DuckDB on
 *     the same events, evaluate cross-checked against DuckDB, update lag, memory (bench/indicators.ts; PostgreSQL only,
 *     like referral; BENCH_COUNTIES, BENCH_RESIDENTS_PER_COUNTY, …; run by name only)
 *   worklist — the diagnosis worklist query p50/p95/p99 through HTTP over 1 M historical and 10 k open requests, with its
 *     EXPLAIN and a candidate index measured in the bench's own database (bench/worklist.ts; PostgreSQL only; by name only)
 *   http-floor — the machine's ceiling for bench/referral: the same load generator against the thinnest HTTP server with
 *     pgbench's TPC-B transaction per request, and pgbench itself (bench/http-floor.ts; PostgreSQL only; by name only)
 * BENCH_DATABASE_URL=<PostgreSQL server URL> runs them on PostgreSQL (a fresh database each, dropped after).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createScratchDatabase } from '../src/db/scratch-database.js';
import { referralBench } from './referral.js';
import { httpFloorBench } from './http-floor.js';
import { indicatorsBench } from './indicators.js';
import { worklistBench } from './worklist.js';

const repo = path.resolve(import.meta.dirname, '..');
const port = Number(process.env.BENCH_PORT ?? 39200);
const base = `http://127.0.0.1:${port}`;
const residents = process.env.YILIAN_DEMO_RESIDENTS;
/** Set BENCH_DATABASE_URL (a PostgreSQL server URL) to measure on PostgreSQL: a fresh database is created and dropped. */
const pgServer = process.env.BENCH_DATABASE_URL;

async function freshDatabaseUrl(): Promise<{ url: string; drop: () => Promise<void> } | null> {
  return pgServer ? createScratchDatabase(pgServer, 'yilian_bench') : null;
}

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}`;
}

/** RSS of a process and its descendants (npm/tsx may run the server as a child). */
function treeRssMb(pid: number): number {
  const children = (p: number): number[] => {
    try {
      return readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };
  const rss = (p: number): number => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : 0;
    } catch {
      return 0;
    }
  };
  let total = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    total += rss(p);
    stack.push(...children(p));
  }
  return Math.round(total);
}

async function startServer(dataDir: string, databaseUrl = ''): Promise<{ child: ChildProcess; readyMs: number }> {
  const t0 = performance.now();
  const child = spawn('npm', ['start'], {
    cwd: repo,
    env: { ...process.env, PORT: String(port), YILIAN_DATA_DIR: dataDir, YILIAN_ADMIN_PASSWORD: 'bench-admin-pass', DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const r = await fetch(`${base}/fhir/metadata`);
      if (r.ok) return { child, readyMs: performance.now() - t0 };
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  process.kill(-child.pid!, 'SIGTERM');
  await exited;
  // npm exits before the server it started: wait until the port is free so the data directory is released.
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(`${base}/health`);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function token(username: string): Promise<string> {
  const r = await fetch(`${base}/auth/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'password', username, password: 'Yilian@2026' }) });
  return ((await r.json()) as { access_token: string }).access_token;
}

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

const store = (): string => (pgServer ? 'postgresql' : 'pglite');

async function startup(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'yilian-bench-'));
  const pgdb = await freshDatabaseUrl();
  try {
    const first = await startServer(dir, pgdb?.url);
    const rssAfterSeed = treeRssMb(first.child.pid!);
    await stopServer(first.child);
    const second = await startServer(dir, pgdb?.url);
    await new Promise((r) => setTimeout(r, 1000));
    const rssIdle = treeRssMb(second.child.pid!);
    // A little traffic so the figure reflects a warm server, not an idle one.
    const tk = await token('referral.desk');
    for (let i = 0; i < 200; i++) await fetch(`${base}/fhir/Patient?name=${encodeURIComponent('王')}&_count=20`, { headers: { authorization: `Bearer ${tk}` } });
    const rssWarm = treeRssMb(second.child.pid!);
    await stopServer(second.child);
    console.log(JSON.stringify({ bench: 'startup', store: store(), residents: residents ?? 'default', emptyToReadyS: +(first.readyMs / 1000).toFixed(1), seededToReadyS: +(second.readyMs / 1000).toFixed(1), rssMbAfterSeed: rssAfterSeed, rssMbIdle: rssIdle, rssMbWarm: rssWarm }));
  } finally {
    rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    await pgdb?.drop();
  }
}

async function fhirPatientSearch(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'yilian-bench-'));
  const pgdb = await freshDatabaseUrl();
  const { child } = await startServer(dir, pgdb?.url);
  try {
    const tk = await token('referral.desk');
    const names = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '钟', '赖', '罗', '曾', '丘'];
    const run = async (n: number, concurrency: number) => {
      const lat: number[] = [];
      let next = 0;
      const worker = async () => {
        while (next < n) {
          const i = next++;
          const q = names[i % names.length]!;
          const t = performance.now();
          const r = await fetch(`${base}/fhir/Patient?name=${encodeURIComponent(q)}&_count=20`, { headers: { authorization: `Bearer ${tk}` } });
          await r.arrayBuffer();
          if (!r.ok) throw new Error(`status ${r.status}`);
          lat.push(performance.now() - t);
        }
      };
      const t0 = performance.now();
      await Promise.all(Array.from({ length: concurrency }, worker));
      const s = (performance.now() - t0) / 1000;
      return { requests: n, concurrency, p50ms: +pct(lat, 50).toFixed(1), p95ms: +pct(lat, 95).toFixed(1), p99ms: +pct(lat, 99).toFixed(1), reqPerS: Math.round(n / s) };
    };
    await run(50, 1); // warm-up
    console.log(JSON.stringify({ bench: 'fhir-patient-search', store: store(), residents: residents ?? 'default', ...(await run(500, 1)) }));
    console.log(JSON.stringify({ bench: 'fhir-patient-search', store: store(), residents: residents ?? 'default', ...(await run(1000, 8)) }));
  } finally {
    await stopServer(child);
    rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    await pgdb?.drop();
  }
}

/** `yilian import patients` of a generated CSV of valid residents into a small seeded county (direct database path). */
async function importPatients(): Promise<void> {
  const rows = Number(process.env.BENCH_IMPORT_ROWS ?? 50_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'yilian-bench-'));
  const pgdb = await freshDatabaseUrl();
  const env = { ...process.env, YILIAN_DATA_DIR: path.join(dir, 'data'), DATABASE_URL: pgdb?.url ?? '', YILIAN_ADMIN_PASSWORD: 'bench-admin-pass' };
  const cli = (args: string[]) =>
    new Promise<string>((resolve, reject) => {
      const child = spawn('node', [path.join(repo, 'bin/yilian.mjs'), ...args], { cwd: repo, env, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`yilian ${args.join(' ')} exited ${code}`))));
    });
  try {
    await cli(['seed', 'demo', '--residents', '2000', '--no-progress']);
    const { composeResidentId } = await import('../src/modules/patient/index.js');
    const file = path.join(dir, 'residents.csv');
    const surnames = '王李张刘陈杨黄赵吴周钟赖罗曾丘';
    const given = '建国秀英志强丽华文明玉兰春生海燕红梅德福';
    const lines = ['idNumber,name,phone,residenceDivisionCode'];
    for (let i = 0; i < rows; i++) {
      // Every row a different person: (birth date, sequence) pairs are unique, so are phones, and two rows sharing a
      // birth date differ in at least two characters of the name. A few may still resemble a seeded resident.
      const birth = new Date(Date.UTC(1940, 0, 1) + (i % 25_000) * 86_400_000).toISOString().slice(0, 10);
      const sex = i % 2 ? 'male' : 'female';
      const name = surnames[i % 15]! + given[Math.floor(i / 15) % 20]! + given[Math.floor(i / 300) % 20]!;
      lines.push(`${composeResidentId('350821', birth, 100 + 2 * Math.floor(i / 25_000), sex)},${name},1${String(3e9 + i).padStart(10, '0')},350821101201`);
    }
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, lines.join('\n') + '\n');
    const t0 = performance.now();
    const out = await cli(['import', 'patients', file, '--org', 'CT-V-350821101201', '--no-progress', '--json']);
    const s = (performance.now() - t0) / 1000;
    const summary = JSON.parse(out.trim().split('\n').pop()!) as { imported?: number; rejected?: number };
    if (process.env.BENCH_KEEP) console.log(out, dir);
    console.log(JSON.stringify({ bench: 'import-patients', store: store(), rows, imported: summary.imported, rejected: summary.rejected, seconds: +s.toFixed(1), rowsPerS: Math.round(rows / s) }));
  } finally {
    if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    await pgdb?.drop();
  }
}

const benches: Record<string, () => Promise<void>> = { startup, 'fhir-patient-search': fhirPatientSearch, 'import-patients': importPatients, referral: referralBench, indicators: indicatorsBench, worklist: worklistBench, 'http-floor': httpFloorBench };
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
console.log(`# machine: ${machine()}`);
// The referral benchmark needs PostgreSQL: run by name, or with the others when BENCH_DATABASE_URL is set.
for (const name of wanted.length ? wanted : Object.keys(benches).filter((b) => (b !== 'referral' || pgServer) && b !== 'indicators' && b !== 'worklist' && b !== 'http-floor')) {
  const b = benches[name];
  if (!b) {
    console.error(`unknown benchmark ${name}; choose from ${Object.keys(benches).join(', ')}`);
    process.exit(2);
  }
  await b();
}

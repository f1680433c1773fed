/**
 * `npm run bench -- referral`: the closed-loop two-way referral through HTTP on PostgreSQL with N concurrent clients,
 * and pgbench's TPS on the same database as the ceiling.
 *
 * Per lifecycle (the "six-request referral lifecycle"): (1) POST /api/v1/referrals/up as village.doctor, (2) accept
 * as referral.desk, (3) GET the free slots this referral may book, (4) POST …/booking (another slot of the list on
 * 409, counted as a retry), (5) arrive and (6) complete with the summary as county.specialist.
 *
 * Environment: BENCH_DATABASE_URL (PostgreSQL server URL; default postgres://postgres@127.0.0.1:5432/test for this
 * benchmark), BENCH_CLIENTS (32), BENCH_SECONDS (30), BENCH_WARMUP_SECONDS (5), BENCH_SCHEDULES (8 schedules of
 * 5-minute reserved slots, 24 h a day, 14 days: ~4,000 slots each), BENCH_SLOT_LIMIT (50), BENCH_PGBENCH (1; 0 skips
 * pgbench), YILIAN_DEMO_RESIDENTS (20,000 here), BENCH_HTTP_CLIENT (node-http; fetch for the earlier client:
 * bench/http-client.ts). BENCH_PROFILE=1 adds a profile pass: the server runs with --cpu-prof
 * and a statement counter (bench/referral-sql-counter.ts), one client runs lifecycles one request at a time, and the
 * benchmark prints the SQL statements and database time per step and the hottest functions of the CPU profile.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createScratchDatabase } from '../src/db/scratch-database.js';
import { cpuOfCommand, cpuSeconds, pgbenchInit, pgbenchRun, rssMb } from './proc.js';
import { fetchRequest, httpRequest } from './http-client.js';

const repo = path.resolve(import.meta.dirname, '..');
const DEFAULT_PG = 'postgres://postgres@127.0.0.1:5432/test';
const PASSWORD = 'Yilian@2026';
const STEPS = ['create', 'accept', 'slots', 'book', 'arrive', 'complete'] as const;
type Step = (typeof STEPS)[number];

const num = (name: string, fallback: number): number => {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, not ${v}`);
  return n;
};

const pct = (sorted: number[], p: number): number => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN);
const r1 = (x: number): number => +x.toFixed(1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---- the server

interface Server {
  child: ChildProcess;
  base: string;
  /** The node process running src/main.ts (the only one: started as `node --import tsx src/main.ts`). */
  pid: number;
}

async function startServer(databaseUrl: string, opts: { port: number; dataDir: string; nodeArgs?: string[]; env?: Record<string, string> }): Promise<Server> {
  const base = `http://127.0.0.1:${opts.port}`;
  // A server left over from an interrupted run would answer instead and the figures would be its.
  const stale = await fetch(`${base}/fhir/metadata`).then(() => true, () => false);
  if (stale) throw new Error(`port ${opts.port} is already in use (a server left from an earlier run?): stop it or set BENCH_PORT`);
  // `tsx src/main.ts` in one process (npm start adds npm and a tsx launcher around it), so RSS and CPU are the server's.
  // BENCH_SERVER_NODE_ARGS: extra node/V8 flags for the server (memory and GC experiments), space-separated.
  const extra = (process.env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...extra, '--import', 'tsx', ...(opts.nodeArgs ?? []), 'src/main.ts'], {
    cwd: repo,
    env: {
      ...process.env,
      PORT: String(opts.port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      YILIAN_ADMIN_PASSWORD: 'bench-admin-pass',
      YILIAN_TOKEN_TTL_SECONDS: String(6 * 3600),
      YILIAN_DEMO_RESIDENTS: process.env.YILIAN_DEMO_RESIDENTS ?? '20000',
      // The run's own data directory: the analytic store and the diagnosis files belong to this scratch database.
      YILIAN_DATA_DIR: opts.dataDir,
      ...opts.env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const r = await fetch(`${base}/fhir/metadata`);
      if (r.ok) return { child, base, pid: child.pid! };
    } catch {
      /* not yet */
    }
    await sleep(100);
  }
}

async function stopServer(s: Server): Promise<void> {
  if (s.child.exitCode !== null) return;
  const exited = new Promise<void>((r) => s.child.once('exit', () => r()));
  process.kill(-s.child.pid!, 'SIGTERM');
  await exited;
}

// ---- HTTP

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what}: HTTP ${status} ${body.slice(0, 300)}`);
  }
}

async function call<T>(base: string, tokenValue: string, method: string, url: string, body?: unknown): Promise<T> {
  const send = process.env.BENCH_HTTP_CLIENT === 'fetch' ? fetchRequest : httpRequest;
  const r = await send(
    method,
    `${base}${url}`,
    { authorization: `Bearer ${tokenValue}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body === undefined ? undefined : JSON.stringify(body),
  );
  const text = r.text;
  if (!r.ok) throw new HttpError(r.status, text, `${method} ${url}`);
  return (text ? JSON.parse(text) : null) as T;
}

async function signIn(base: string, username: string): Promise<string> {
  const r = await fetch(`${base}/auth/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'password', username, password: PASSWORD }) });
  if (!r.ok) throw new Error(`sign-in ${username}: HTTP ${r.status} ${await r.text()}`);
  return ((await r.json()) as { access_token: string }).access_token;
}

interface Setup {
  tokens: { village: string; desk: string; specialist: string };
  countyId: string;
  patientIds: string[];
  slotsPublished: number;
  reservedPublished: number;
}

/** Signs in, finds 长汀县总医院 and village.doctor's patients, and publishes reserved slots held for any referral. */
async function prepare(base: string, schedulesWanted: number): Promise<Setup> {
  const [village, desk, specialist] = await Promise.all(['village.doctor', 'referral.desk', 'county.specialist'].map((u) => signIn(base, u)));
  const tokens = { village: village!, desk: desk!, specialist: specialist! };
  const orgs = await call<{ items: { id: string; name: string }[] }>(base, tokens.desk, 'GET', `/api/v1/organizations?q=${encodeURIComponent('长汀县总医院')}&pageSize=50`);
  const county = orgs.items.find((o) => o.name === '长汀县总医院');
  if (!county) throw new Error('长汀县总医院 not found');
  const detail = await call<{ departments: { id: string; code: string; name: string }[] }>(base, tokens.desk, 'GET', `/api/v1/organizations/${county.id}`);
  const preferred = ['NK', 'XNK', 'HXK', 'SJNK', 'WK', 'GK', 'FCK', 'EK'];
  const depts = [...detail.departments].sort((a, b) => (preferred.indexOf(a.code) + 1 || 99) - (preferred.indexOf(b.code) + 1 || 99)).slice(0, schedulesWanted);
  // 14 days of 5-minute slots around the clock (the listing's default window is 14 days), all held for the county
  // community's referrals: a department policy for the alliance (referralShare 1) beats the demo's hospital-wide one.
  const alliances = await call<{ id: string; identifier: string }[] | { items: { id: string; identifier: string }[] }>(base, tokens.desk, 'GET', '/api/v1/alliances');
  const community = (Array.isArray(alliances) ? alliances : alliances.items).find((a) => a.identifier === 'CT-YGT-2019');
  if (!community) throw new Error('county community CT-YGT-2019 not found');
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  const to = new Date(Date.parse(`${today}T00:00:00Z`) + 13 * 86_400_000).toISOString().slice(0, 10);
  let slotsPublished = 0;
  let reservedPublished = 0;
  for (const d of depts) {
    await call(base, tokens.desk, 'POST', '/api/v1/capacity-policies', { departmentId: d.id, kind: 'outpatient', allianceId: community.id, referralShare: 1, releaseHoursBefore: 0 });
    const schedule = await call<{ id: string }>(base, tokens.desk, 'POST', '/api/v1/schedules', { departmentId: d.id, kind: 'outpatient', name: `压测转诊门诊-${d.code}` });
    const r = await call<{ created: number; reserved: number }>(base, tokens.desk, 'POST', `/api/v1/schedules/${schedule.id}/slots`, {
      from: today, to, sessions: [[0, 1440]], slotMinutes: 5, includeWeekends: true,
    });
    slotsPublished += r.created;
    reservedPublished += r.reserved;
  }
  const patients = await call<{ items: { id: string }[] }>(base, tokens.village, 'GET', '/api/v1/patients?pageSize=200');
  if (patients.items.length === 0) throw new Error('village.doctor manages no patients');
  return { tokens, countyId: county.id, patientIds: patients.items.map((p) => p.id), slotsPublished, reservedPublished };
}

const upInput = (patientId: string, destinationOrganizationId: string) => ({
  patientId,
  destinationOrganizationId,
  urgency: 'urgent',
  diagnosisCode: 'I63.9',
  diagnosisName: '脑梗死',
  reason: '右侧肢体无力 6 小时，需 CT 及神经内科评估',
  clinicalSummary: '男，68 岁，高血压 10 年，晨起右侧肢体无力，言语含糊。',
  medications: [{ name: '硝苯地平缓释片', dose: '20 mg', frequency: 'bid' }],
  attachedResults: [{ kind: 'ecg', title: '心电图', date: '2026-11-22', summary: '窦性心律' }],
  consent: { by: '患者本人', method: 'signed-form' },
  overrideReason: '患者家属要求到县总医院',
  inOwnCatalogueNote: '基层无 CT，需上级评估',
});
const SUMMARY = '头颅 CT 示左侧基底节区腔隙性梗死，予抗血小板、他汀治疗，病情稳定。';

// ---- the load

interface Stats {
  lat: Record<Step, number[]>;
  bookConflictLat: number[];
  errors: Record<string, number>;
  requests: number;
  lifecycles: number;
  retries: number;
  noFreeSlot: number;
}
const newStats = (): Stats => ({ lat: { create: [], accept: [], slots: [], book: [], arrive: [], complete: [] }, bookConflictLat: [], errors: {}, requests: 0, lifecycles: 0, retries: 0, noFreeSlot: 0 });

/** One lifecycle; `hook` runs after each request (the profile pass uses it to collect statements). */
async function lifecycle(base: string, s: Setup, patientId: string, slotLimit: number, record: (step: Step | 'book-409', ms: number, status: number) => void, hook?: (step: Step | 'book-409') => Promise<void>): Promise<boolean> {
  const timed = async <T>(step: Step, fn: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    try {
      const out = await fn();
      record(step, performance.now() - t, 200);
      await hook?.(step);
      return out;
    } catch (e) {
      const status = e instanceof HttpError ? e.status : 0;
      if (!(step === 'book' && status === 409)) record(step, performance.now() - t, status);
      else record('book-409', performance.now() - t, 409);
      await hook?.(status === 409 && step === 'book' ? 'book-409' : step);
      throw e;
    }
  };
  const { village, desk, specialist } = s.tokens;
  const created = await timed('create', () => call<{ id: string }>(base, village, 'POST', '/api/v1/referrals/up', upInput(patientId, s.countyId)));
  const id = created.id;
  await timed('accept', () => call(base, desk, 'POST', `/api/v1/referrals/${id}/transitions`, { action: 'accept' }));
  for (let attempt = 0; ; attempt++) {
    const free = await timed('slots', () => call<{ id: string }[]>(base, desk, 'GET', `/api/v1/slots?forReferralId=${id}&status=free&limit=${slotLimit}`));
    if (free.length === 0) return false;
    // Start at a random place in the list so concurrent clients rarely race for the same slot; on 409 try the next.
    const start = Math.floor(Math.random() * free.length);
    let booked = false;
    for (let k = 0; k < free.length && !booked; k++) {
      try {
        await timed('book', () => call(base, desk, 'POST', `/api/v1/referrals/${id}/booking`, { slotId: free[(start + k) % free.length]!.id }));
        booked = true;
      } catch (e) {
        if (!(e instanceof HttpError && e.status === 409)) throw e;
      }
    }
    if (booked) break;
    if (attempt > 5) return false;
  }
  await timed('arrive', () => call(base, specialist, 'POST', `/api/v1/referrals/${id}/transitions`, { action: 'arrive' }));
  await timed('complete', () => call(base, specialist, 'POST', `/api/v1/referrals/${id}/transitions`, { action: 'complete', summary: SUMMARY }));
  return true;
}

async function load(base: string, s: Setup, opts: { clients: number; warmupS: number; seconds: number; slotLimit: number; serverPid: number }) {
  let stats = newStats();
  let measuring = false;
  let stop = false;
  let next = 0;
  let printed = 0;
  const record = (step: Step | 'book-409', ms: number, status: number) => {
    if (!measuring) return;
    stats.requests++;
    if (step === 'book-409') {
      stats.retries++;
      stats.bookConflictLat.push(ms);
    } else if (status === 200) stats.lat[step].push(ms);
    else stats.errors[`${step}:${status}`] = (stats.errors[`${step}:${status}`] ?? 0) + 1;
  };
  const worker = async () => {
    while (!stop) {
      const patientId = s.patientIds[next++ % s.patientIds.length]!;
      const counting = measuring;
      try {
        const ok = await lifecycle(base, s, patientId, opts.slotLimit, record);
        if (!ok) {
          if (measuring) stats.noFreeSlot++;
          await sleep(50);
        } else if (counting && measuring) stats.lifecycles++;
      } catch (e) {
        if (!(e instanceof HttpError)) {
          if (measuring) stats.errors[`network:${(e as Error).message}`] = (stats.errors[`network:${(e as Error).message}`] ?? 0) + 1;
        } else if (e.status !== 409 && printed++ < 3) console.error(`# ${e.message}`);
      }
    }
  };
  const workers = Array.from({ length: opts.clients }, worker);
  await sleep(opts.warmupS * 1000);
  // Measurement window: only lifecycles that started and finished inside it count; every request finished inside it counts.
  stats = newStats();
  const rss: number[] = [];
  const sampler = setInterval(() => rss.push(rssMb(opts.serverPid)), 250);
  const cpu0 = { server: cpuSeconds(opts.serverPid), pg: cpuOfCommand('postgres'), client: process.cpuUsage() };
  const load0 = os.loadavg()[0]!;
  measuring = true;
  const t0 = performance.now();
  await sleep(opts.seconds * 1000);
  measuring = false;
  const elapsed = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  const clientCpu = process.cpuUsage(cpu0.client);
  const cpu = {
    serverCores: (cpuSeconds(opts.serverPid) - cpu0.server) / elapsed,
    postgresCores: (cpuOfCommand('postgres') - cpu0.pg) / elapsed,
    loadGeneratorCores: (clientCpu.user + clientCpu.system) / 1e6 / elapsed,
  };
  const load1 = os.loadavg()[0]!;
  stop = true;
  await Promise.all(workers);
  return { stats, elapsed, rss, cpu, loadAvg: [load0, load1] };
}

// ---- pgbench

function pgbench(url: string, clients: number, seconds: number): { tps: number; latencyMs: number | null; scale: number } {
  pgbenchInit(url, 10);
  return { ...pgbenchRun(url, clients, seconds), scale: 10 };
}

// ---- profile pass (BENCH_PROFILE=1)

async function profilePass(databaseUrl: string, port: number, dataDir: string, opts: { lifecycles: number; clients: number; seconds: number; slotLimit: number; schedules: number }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'yilian-referral-prof-'));
  const counterFile = path.join(dir, 'sql.json');
  const server = await startServer(databaseUrl, {
    port,
    dataDir,
    nodeArgs: ['--import', './bench/referral-sql-counter.ts', '--cpu-prof', `--cpu-prof-dir=${dir}`],
    env: { BENCH_SQL_COUNTER_FILE: counterFile, YILIAN_SEED_DEMO: 'false' },
  });
  try {
    const s = await prepare(server.base, Math.min(2, opts.schedules));
    const drain = async (): Promise<{ sql: string; ms: number }[]> => {
      if (existsSync(counterFile)) unlinkSync(counterFile);
      process.kill(server.pid, 'SIGUSR2');
      for (let i = 0; i < 200 && !existsSync(counterFile); i++) await sleep(5);
      await sleep(5);
      return JSON.parse(readFileSync(counterFile, 'utf8')) as { sql: string; ms: number }[];
    };
    await drain();
    const per: Record<string, { n: number; statements: number; dbMs: number; ms: number[]; texts: Map<string, number> }> = {};
    const byStatement = new Map<string, { n: number; ms: number; steps: Set<string> }>();
    let lastMs = 0;
    const record = (_step: string, ms: number) => {
      lastMs = ms;
    };
    const hook = async (step: string) => {
      await sleep(20); // let the response's trailing work (audit, etc.) settle
      const qs = await drain();
      const p = (per[step] ??= { n: 0, statements: 0, dbMs: 0, ms: [], texts: new Map() });
      p.n++;
      p.statements += qs.length;
      p.dbMs += qs.reduce((a, q) => a + q.ms, 0);
      p.ms.push(lastMs);
      for (const q of qs) {
        p.texts.set(q.sql.slice(0, 110), (p.texts.get(q.sql.slice(0, 110)) ?? 0) + 1);
        const b = byStatement.get(q.sql.slice(0, 160)) ?? { n: 0, ms: 0, steps: new Set<string>() };
        b.n++;
        b.ms += q.ms;
        b.steps.add(step);
        byStatement.set(q.sql.slice(0, 160), b);
      }
    };
    for (let i = 0; i < opts.lifecycles; i++) await lifecycle(server.base, s, s.patientIds[i % s.patientIds.length]!, opts.slotLimit, record, hook);
    console.log(`# profile: ${opts.lifecycles} lifecycles, one request at a time (server with --cpu-prof and the statement counter)`);
    for (const [step, p] of Object.entries(per)) {
      const sorted = [...p.ms].sort((a, b) => a - b);
      console.log(JSON.stringify({ bench: 'referral-profile', step, requests: p.n, statementsPerRequest: r1(p.statements / p.n), dbMsPerRequest: r1(p.dbMs / p.n), p50ms: r1(pct(sorted, 50)) }));
      for (const [text, n] of [...p.texts.entries()].sort((a, b) => b[1] - a[1])) console.log(`#   ${step} ${(n / p.n).toFixed(1)}× ${text}`);
    }
    const lifecycleDbMs = [...byStatement.values()].reduce((a, b) => a + b.ms, 0) / opts.lifecycles;
    console.log(`# statements by database time (issue → answer, one client), per lifecycle; all statements: ${r1(lifecycleDbMs)} ms per lifecycle`);
    for (const [text, b] of [...byStatement.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 25)) {
      console.log(`#   ${(b.ms / opts.lifecycles).toFixed(2).padStart(6)} ms  ${(b.n / opts.lifecycles).toFixed(1)}×  ${(b.ms / b.n).toFixed(2)} ms each  [${[...b.steps].join(',')}]  ${text}`);
    }
    // Then the same concurrent load as the benchmark, so the CPU profile shows where a loaded server spends its time.
    await load(server.base, s, { clients: opts.clients, warmupS: 2, seconds: opts.seconds, slotLimit: opts.slotLimit, serverPid: server.pid });
  } finally {
    await stopServer(server);
  }
  const prof = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (prof) summariseProfile(path.join(dir, prof));
  else console.log('# no CPU profile written');
  if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
  else console.log(`# profile kept in ${dir}`);
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time by function and by package / source file, and inclusive time of the service methods, from a .cpuprofile. */
function summariseProfile(file: string): void {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  });
  const where = (url: string): string => {
    if (!url) return '(native/VM)';
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (m) return m[1]!;
    const s = /\/work\/main\/(src\/.*)$/.exec(url.replace('file://', ''));
    return s ? s[1]! : url.startsWith('node:') ? 'node:internal' : url.replace('file://', '').replace(/^.*\/lib\//, 'node:lib/');
  };
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  const fnSelf = new Map<string, number>();
  const pkgSelf = new Map<string, number>();
  const inclusive = new Map<string, number>();
  // Library time (drizzle building SQL, the driver, zod) charged to the first frame of our own code above it: which
  // of our calls the library time is spent for.
  const libraryBySrcCaller = new Map<string, number>();
  for (const [id, t] of self) {
    const n = byId.get(id)!;
    const label = `${n.callFrame.functionName || '(anonymous)'} ${where(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
    add(fnSelf, label, t);
    add(pkgSelf, where(n.callFrame.url), t);
    if (/node_modules\/(drizzle-orm|pg|pg-protocol|zod)\//.test(n.callFrame.url)) {
      for (let cur: number | undefined = parent.get(id); cur !== undefined; cur = parent.get(cur)) {
        const f = byId.get(cur)!.callFrame;
        if (!f.url.includes('/src/')) continue;
        add(libraryBySrcCaller, `${where(n.callFrame.url)} ← ${f.functionName || '(anonymous)'} ${where(f.url)}:${f.lineNumber + 1}`, t);
        break;
      }
    }
    // Inclusive time of our own source functions: each sample counted once per distinct function on its stack.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const f = byId.get(cur)!.callFrame;
      if (!f.url.includes('/src/')) continue;
      const k = `${f.functionName || '(anonymous)'} ${where(f.url)}`;
      if (!seen.has(k)) {
        seen.add(k);
        add(inclusive, k, t);
      }
    }
  }
  const top = (m: Map<string, number>, n: number) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n);
  const idle = [...self.entries()].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((a, [, t]) => a + t, 0);
  console.log(`# CPU profile of the server: ${(total / 1e6).toFixed(1)} s sampled, ${((100 * idle) / total).toFixed(0)} % idle`);
  console.log('# self time by package / source file:');
  for (const [k, t] of top(pkgSelf, 25)) console.log(`#   ${((100 * t) / total).toFixed(1).padStart(5)} %  ${k}`);
  console.log('# self time by function:');
  for (const [k, t] of top(fnSelf, 30)) console.log(`#   ${((100 * t) / total).toFixed(1).padStart(5)} %  ${k}`);
  console.log('# inclusive time, functions in src/:');
  for (const [k, t] of top(inclusive, 40)) console.log(`#   ${((100 * t) / total).toFixed(1).padStart(5)} %  ${k}`);
  console.log('# self time of drizzle-orm, pg, pg-protocol and zod, by the nearest caller in src/:');
  for (const [k, t] of top(libraryBySrcCaller, 25)) console.log(`#   ${((100 * t) / total).toFixed(1).padStart(5)} %  ${k}`);
}

// ---- the benchmark

export async function referralBench(): Promise<void> {
  const serverUrl = process.env.BENCH_DATABASE_URL || DEFAULT_PG;
  if (!process.env.BENCH_DATABASE_URL) console.log(`# BENCH_DATABASE_URL is not set: using ${DEFAULT_PG} (this benchmark needs PostgreSQL)`);
  const clients = num('BENCH_CLIENTS', 32);
  const seconds = num('BENCH_SECONDS', 30);
  const warmupS = num('BENCH_WARMUP_SECONDS', 5);
  const schedules = num('BENCH_SCHEDULES', 8);
  const slotLimit = num('BENCH_SLOT_LIMIT', 50);
  const port = num('BENCH_PORT', 39200) + 7;
  const residents = process.env.YILIAN_DEMO_RESIDENTS ?? '20000';
  console.log(`# load generator, server and PostgreSQL all run on this machine (${os.cpus().length} cores): the clients take CPU from the server`);
  const pgdb = await createScratchDatabase(serverUrl, 'yilian_bench');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'yilian-referral-data-'));
  try {
    // First start migrates and seeds the demo county; the measured server is a second start on the seeded database
    // (as in production, where the seed runs once), so its memory is not inflated by the seed.
    const t0 = performance.now();
    await stopServer(await startServer(pgdb.url, { port, dataDir }));
    const seedS = (performance.now() - t0) / 1000;
    const t2 = performance.now();
    // The measured server carries the memory probe, so the run can say where its RSS went.
    const memoryFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'yilian-referral-mem-')), 'memory.json');
    const server = await startServer(pgdb.url, { port, dataDir, nodeArgs: ['--import', './bench/memory-probe.ts'], env: { BENCH_MEMORY_FILE: memoryFile } });
    const readyS = (performance.now() - t2) / 1000;
    let result: Awaited<ReturnType<typeof load>>;
    let s: Setup;
    let setupS: number;
    let rssIdle: number;
    try {
      const t1 = performance.now();
      s = await prepare(server.base, schedules);
      setupS = (performance.now() - t1) / 1000;
      rssIdle = Math.round(rssMb(server.pid));
      console.log(JSON.stringify({
        bench: 'referral-setup', store: 'postgresql', residents: Number(residents), firstStartWithSeedS: r1(seedS), seededStartS: r1(readyS), publishAndSignInS: r1(setupS),
        reservedSlotsPublished: s.reservedPublished, slotsPublished: s.slotsPublished, patients: s.patientIds.length, serverRssMbAfterSetup: rssIdle,
      }));
      result = await load(server.base, s, { clients, warmupS, seconds, slotLimit, serverPid: server.pid });
    } finally {
      await stopServer(server);
    }
    if (existsSync(memoryFile)) console.log(JSON.stringify({ bench: 'referral-server-memory', note: 'whole server life (setup, load, shutdown); native = rss − V8 heap − external', ...JSON.parse(readFileSync(memoryFile, 'utf8')) }));
    const { stats, elapsed, rss, cpu, loadAvg } = result;
    const steps: Record<string, { n: number; p50ms: number; p95ms: number; p99ms: number }> = {};
    for (const step of STEPS) {
      const sorted = [...stats.lat[step]].sort((a, b) => a - b);
      steps[step] = { n: sorted.length, p50ms: r1(pct(sorted, 50)), p95ms: r1(pct(sorted, 95)), p99ms: r1(pct(sorted, 99)) };
    }
    const lifecyclesPerS = stats.lifecycles / elapsed;
    const stepsPerS = (stats.lifecycles * STEPS.length) / elapsed;
    const requestsPerS = stats.requests / elapsed;
    const figures = {
      bench: 'referral', store: 'postgresql', residents: Number(residents), clients, httpClient: process.env.BENCH_HTTP_CLIENT === 'fetch' ? 'fetch' : 'node-http', seconds: r1(elapsed), lifecycles: stats.lifecycles,
      lifecyclesPerS: r1(lifecyclesPerS), stepsPerS: Math.round(stepsPerS), httpRequestsPerS: Math.round(requestsPerS),
      bookingRetries409: stats.retries, noFreeSlot: stats.noFreeSlot, errors: stats.errors, steps,
      serverRssMbPeak: Math.round(Math.max(...rss)), serverRssMbMean: Math.round(rss.reduce((a, b) => a + b, 0) / Math.max(1, rss.length)),
      cpuCores: { server: +cpu.serverCores.toFixed(2), postgres: +cpu.postgresCores.toFixed(2), loadGenerator: +cpu.loadGeneratorCores.toFixed(2) },
      // CPU time per HTTP request: independent of how busy the (shared) machine was; 2 cores ÷ (server + postgres) is
      // the request rate this machine could reach if nothing else ran on it (the load generator excluded).
      cpuMsPerRequest: { server: r1((1000 * cpu.serverCores) / Math.max(1e-9, requestsPerS)), postgres: r1((1000 * cpu.postgresCores) / Math.max(1e-9, requestsPerS)) },
      cpuBoundRequestsPerSOn2Cores: Math.round((2 * requestsPerS) / Math.max(1e-9, cpu.serverCores + cpu.postgresCores)),
      loadAverage1m: loadAvg.map((x) => +x.toFixed(1)),
    };
    console.log(JSON.stringify(figures));
    if (num('BENCH_PGBENCH', 1)) {
      const pb = pgbench(pgdb.url, 32, 30);
      console.log(JSON.stringify({
        bench: 'referral-pgbench', store: 'postgresql', command: 'pgbench -i -s 10; pgbench -c 32 -j 2 -T 30 (TPC-B-like)', tps: Math.round(pb.tps), latencyAvgMs: pb.latencyMs,
        stepsPerSOverPgbenchTps: +(stepsPerS / pb.tps).toFixed(3), httpRequestsPerSOverPgbenchTps: +(requestsPerS / pb.tps).toFixed(3),
        targets: {
          halfOfPgbench: `${Math.round(stepsPerS)} steps/s vs ${Math.round(pb.tps / 2)} → ${stepsPerS >= pb.tps / 2 ? 'met' : 'NOT met'}`,
          lifecycles500: `${r1(lifecyclesPerS)} lifecycles/s → ${lifecyclesPerS >= 500 ? 'met' : 'NOT met'}`,
          rssUnder300: `${figures.serverRssMbPeak} MB peak → ${figures.serverRssMbPeak < 300 ? 'met' : 'NOT met'}`,
        },
      }));
    }
    if (process.env.BENCH_PROFILE === '1') {
      // A fresh database (the demo seed again) so the profile sees the same data as the measured run.
      const prof = await createScratchDatabase(serverUrl, 'yilian_bench');
      const profDataDir = mkdtempSync(path.join(os.tmpdir(), 'yilian-referral-data-'));
      try {
        const seed = await startServer(prof.url, { port, dataDir: profDataDir });
        await stopServer(seed);
        await profilePass(prof.url, port, profDataDir, { lifecycles: num('BENCH_PROFILE_LIFECYCLES', 30), clients, seconds: Math.min(seconds, 20), slotLimit, schedules });
      } finally {
        await prof.drop();
        rmSync(profDataDir, { recursive: true, force: true });
      }
    }
  } finally {
    await pgdb.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

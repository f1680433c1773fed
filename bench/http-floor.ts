/**
 * `npm run bench -- http-floor`: what this machine can do at best, for bench/referral's targets. The same load
 * generator as bench/referral (N clients in this process, one request at a time each; with fetch and with node:http) drives the thinnest
 * server (bench/http-floor-server.ts): first with no database work, then with pgbench's TPC-B transaction behind each
 * request, on node:http and on Fastify; then pgbench itself on the same tables. Everything shares this machine's cores,
 * as in bench/referral. PostgreSQL only: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test; a
 * scratch database is created and dropped). BENCH_CLIENTS (32), BENCH_SECONDS (15), BENCH_WARMUP_SECONDS (3).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { createScratchDatabase } from '../src/db/scratch-database.js';
import { fetchRequest, httpRequest } from './http-client.js';
import { cpuOfCommand, cpuSeconds, machineBusySeconds, pgbenchInit, pgbenchRun } from './proc.js';

const repo = path.resolve(import.meta.dirname, '..');
const DEFAULT_PG = 'postgres://postgres@127.0.0.1:5432/test';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const num = (name: string, fallback: number): number => {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, not ${v}`);
  return n;
};
const r1 = (x: number): number => +x.toFixed(1);
const r2 = (x: number): number => +x.toFixed(2);

interface Variant {
  server: 'node-http' | 'fastify';
  work: 'none' | 'tpcb';
  client: 'fetch' | 'node-http';
}

async function startFloorServer(url: string, port: number, v: Variant): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/http-floor-server.ts'], {
    cwd: repo,
    env: { ...process.env, FLOOR_DATABASE_URL: url, FLOOR_PORT: String(port), FLOOR_SERVER: v.server, FLOOR_WORK: v.work },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`floor server exited with ${code}`)));
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve();
    });
  });
  child.removeAllListeners('exit');
  return child;
}

async function drive(base: string, serverPid: number, clients: number, warmupS: number, seconds: number, request: typeof httpRequest) {
  // Scale 10: 1,000,000 accounts, 100 tellers, 10 branches (pgbench's own random choice of each).
  const rand = (n: number) => 1 + Math.floor(Math.random() * n);
  let measuring = false;
  let stop = false;
  let done = 0;
  let failed = 0;
  const lat: number[] = [];
  const worker = async () => {
    while (!stop) {
      const t = performance.now();
      const r = await request('POST', `${base}/step`, { 'content-type': 'application/json' }, JSON.stringify({ aid: rand(1_000_000), tid: rand(100), bid: rand(10), delta: rand(10_000) - 5_000 }));
      if (!measuring) continue;
      if (r.ok) {
        done++;
        lat.push(performance.now() - t);
      } else failed++;
    }
  };
  const workers = Array.from({ length: clients }, worker);
  await sleep(warmupS * 1000);
  const cpu0 = { server: cpuSeconds(serverPid), pg: cpuOfCommand('postgres'), client: process.cpuUsage(), machine: machineBusySeconds() };
  measuring = true;
  const t0 = performance.now();
  await sleep(seconds * 1000);
  measuring = false;
  const elapsed = (performance.now() - t0) / 1000;
  const client = process.cpuUsage(cpu0.client);
  const cores = {
    server: (cpuSeconds(serverPid) - cpu0.server) / elapsed,
    postgres: (cpuOfCommand('postgres') - cpu0.pg) / elapsed,
    loadGenerator: (client.user + client.system) / 1e6 / elapsed,
    machine: (machineBusySeconds() - cpu0.machine) / elapsed,
  };
  stop = true;
  await Promise.all(workers);
  lat.sort((a, b) => a - b);
  const rate = done / elapsed;
  return {
    requestsPerS: Math.round(rate),
    failed,
    p50Ms: r1(lat[Math.floor(lat.length / 2)] ?? NaN),
    p99Ms: r1(lat[Math.floor(lat.length * 0.99)] ?? NaN),
    cores: { server: r2(cores.server), postgres: r2(cores.postgres), loadGenerator: r2(cores.loadGenerator), wholeMachine: r2(cores.machine) },
    cpuMsPerRequest: {
      server: r2((1000 * cores.server) / Math.max(rate, 1e-9)),
      postgres: r2((1000 * cores.postgres) / Math.max(rate, 1e-9)),
      loadGenerator: r2((1000 * cores.loadGenerator) / Math.max(rate, 1e-9)),
    },
  };
}

export async function httpFloorBench(): Promise<void> {
  const serverUrl = process.env.BENCH_DATABASE_URL || DEFAULT_PG;
  const clients = num('BENCH_CLIENTS', 32);
  const seconds = num('BENCH_SECONDS', 15);
  const warmupS = num('BENCH_WARMUP_SECONDS', 3);
  const port = num('BENCH_PORT', 39200) + 11;
  console.log(`# load generator, server and PostgreSQL all run on this machine (${os.cpus().length} cores), as in bench/referral`);
  const pgdb = await createScratchDatabase(serverUrl, 'yilian_floor');
  try {
    pgbenchInit(pgdb.url, 10);
    const variants: Variant[] = [
      { server: 'node-http', work: 'none', client: 'fetch' },
      { server: 'node-http', work: 'none', client: 'node-http' },
      { server: 'node-http', work: 'tpcb', client: 'fetch' },
      { server: 'node-http', work: 'tpcb', client: 'node-http' },
      { server: 'fastify', work: 'tpcb', client: 'node-http' },
    ];
    for (const v of variants) {
      const child = await startFloorServer(pgdb.url, port, v);
      try {
        const r = await drive(`http://127.0.0.1:${port}`, child.pid!, clients, warmupS, seconds, v.client === 'fetch' ? fetchRequest : httpRequest);
        console.log(JSON.stringify({ bench: 'http-floor', client: v.client, server: v.server, work: v.work === 'tpcb' ? 'TPC-B transaction (5 statements)' : 'none', clients, seconds, ...r }));
      } finally {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        await exited;
      }
    }
    // pgbench's backends are gone when it returns, so its cost is read from the whole machine's CPU.
    const busy0 = machineBusySeconds();
    const t0 = performance.now();
    const pb = pgbenchRun(pgdb.url, clients, seconds);
    const busyCores = (machineBusySeconds() - busy0) / ((performance.now() - t0) / 1000);
    console.log(JSON.stringify({
      bench: 'http-floor-pgbench', command: `pgbench -c ${clients} -j 2 -T ${seconds}`, tps: Math.round(pb.tps), latencyAvgMs: pb.latencyMs,
      wholeMachineCores: r2(busyCores), wholeMachineCpuMsPerTransaction: r2((1000 * busyCores) / pb.tps),
    }));
  } finally {
    await pgdb.drop();
  }
}

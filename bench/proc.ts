/** What the benchmarks read about processes (from /proc) and pgbench's ceiling, shared by bench/referral and bench/http-floor. */
import { readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

export function rssMb(p: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** utime + stime of a process in seconds (0 when gone). */
export function cpuSeconds(p: number): number {
  try {
    const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ = 100 on Linux
  } catch {
    return 0;
  }
}

/** Summed CPU seconds of every process whose command name is `name` (PostgreSQL backends: "postgres"). */
export function cpuOfCommand(name: string): number {
  let total = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() === name) total += cpuSeconds(Number(d));
    } catch {
      /* gone */
    }
  }
  return total;
}

/** Busy CPU seconds of the whole machine so far (every core; /proc/stat's first line, less idle and iowait). */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return (user! + nice! + system! + irq! + softirq! + steal!) / 100;
}

function pgbenchArgs(url: string) {
  const u = new URL(url);
  return {
    // A Unix-socket directory given as ?host=/var/run/postgresql wins over the URL's host name, as in node-postgres.
    conn: ['-h', u.searchParams.get('host') || u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username || 'postgres')],
    db: u.pathname.slice(1),
    env: { ...process.env, ...(u.password ? { PGPASSWORD: decodeURIComponent(u.password) } : {}) },
  };
}

/** `pgbench -i -s <scale>`: TPC-B's tables (pgbench_accounts has 100,000 rows per scale unit). */
export function pgbenchInit(url: string, scale = 10): void {
  const { conn, db, env } = pgbenchArgs(url);
  const init = spawnSync('pgbench', ['-i', '-s', String(scale), '-q', ...conn, db], { env, encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`pgbench -i failed: ${init.stderr}`);
}

/** pgbench's TPC-B-like run with `clients` connections on tables made by pgbenchInit. */
export function pgbenchRun(url: string, clients: number, seconds: number): { tps: number; latencyMs: number | null } {
  const { conn, db, env } = pgbenchArgs(url);
  const run = spawnSync('pgbench', ['-c', String(clients), '-j', '2', '-T', String(seconds), ...conn, db], { env, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`pgbench failed: ${run.stderr}`);
  const tps = /tps = ([\d.]+) \((?:without initial connection time|excluding connections establishing)\)/.exec(run.stdout) ?? /tps = ([\d.]+)/.exec(run.stdout);
  const lat = /latency average = ([\d.]+) ms/.exec(run.stdout);
  if (!tps) throw new Error(`could not read pgbench's TPS from:\n${run.stdout}`);
  return { tps: Number(tps[1]), latencyMs: lat ? Number(lat[1]) : null };
}

/**
 * Profiling aid for `npm run bench -- referral` with BENCH_PROFILE=1 (never loaded by the server otherwise): preloaded
 * into the server process with `node --import tsx --import ./bench/referral-sql-counter.ts src/main.ts`, it wraps
 * `pg.Client.prototype.query` to record every statement sent to PostgreSQL (its text and the time until the driver
 * answered). On SIGUSR2 it writes what it recorded since the last signal to BENCH_SQL_COUNTER_FILE and starts over,
 * so the benchmark can attribute statements to the one request it just made. Server code is not changed.
 */
import { writeFileSync } from 'node:fs';
import pg from 'pg';

const file = process.env.BENCH_SQL_COUNTER_FILE;
if (file) {
  let log: { sql: string; ms: number }[] = [];
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const q = args[0] as string | { text?: string } | undefined;
    const text = typeof q === 'string' ? q : (q?.text ?? String(q));
    const t0 = performance.now();
    const entry = { sql: text.replace(/\s+/g, ' ').trim(), ms: 0 };
    log.push(entry);
    // pg.Pool#query passes a callback; transactions (a checked-out client) use the promise form.
    const last = args.length - 1;
    if (typeof args[last] === 'function') {
      const cb = args[last] as (...a: unknown[]) => unknown;
      args[last] = (...a: unknown[]) => {
        entry.ms = performance.now() - t0;
        return cb(...a);
      };
    }
    const result = original.apply(this, args);
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      (result as Promise<unknown>).then(
        () => (entry.ms = performance.now() - t0),
        () => (entry.ms = performance.now() - t0),
      );
    }
    return result;
  };
  process.on('SIGUSR2', () => {
    writeFileSync(file, JSON.stringify(log));
    log = [];
  });
}

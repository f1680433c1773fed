#!/usr/bin/env node
// The whole test suite: type check, unit + integration tests on the embedded PGlite, then the same suite on
// PostgreSQL (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test), then the browser tests.
// Under CI=true a missing PostgreSQL or Chromium is a failure, never a silent skip (architecture.md, defect family 5).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import pg from 'pg';

const ci = process.env.CI === 'true' || process.env.CI === '1';
const pgUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const extra = process.argv.slice(2);
const results = [];

function run(label, cmd, args, env = {}) {
  console.log(`\n▶ ${label}`);
  const t = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, TZ: 'UTC', ...env } });
  const ok = r.status === 0;
  results.push({ label, ok, s: ((Date.now() - t) / 1000).toFixed(1) });
  return ok;
}

async function postgresReachable() {
  const c = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('select 1');
    return true;
  } catch (e) {
    console.log(`PostgreSQL not reachable at ${pgUrl}: ${e.message}`);
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

run('type check (tsc --noEmit)', 'npx', ['tsc', '--noEmit', '-p', '.']);
run('web UI build (vite)', 'npx', ['vite', 'build', '--logLevel', 'warn']);
run('unit + integration tests on PGlite', 'npx', ['vitest', 'run', '--exclude', 'e2e/**', ...extra], { DATABASE_URL: '' });
if (await postgresReachable()) {
  run('integration tests on PostgreSQL', 'npx', ['vitest', 'run', '--exclude', 'e2e/**', '--exclude', 'src/**/*.test.ts', ...extra], {
    DATABASE_URL: pgUrl,
    YILIAN_EXPECT_DATABASE: 'postgres',
  });
} else if (ci) {
  results.push({ label: 'integration tests on PostgreSQL', ok: false, s: '0' });
  console.error('CI=true but PostgreSQL is not reachable: failing instead of skipping.');
} else {
  console.warn('⚠ PostgreSQL not reachable: the PostgreSQL tier was SKIPPED (set DATABASE_URL). CI does not allow this.');
}
const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (existsSync(chromium)) {
  // One file at a time: each starts a server and a Chromium, and two of those on two cores made UI timings flaky.
  run('browser tests (Chromium)', 'npx', ['vitest', 'run', 'e2e', '--maxWorkers=1', ...extra], { DATABASE_URL: '' });
} else if (ci) {
  results.push({ label: 'browser tests (Chromium)', ok: false, s: '0' });
  console.error(`CI=true but Chromium is missing at ${chromium}: failing instead of skipping.`);
} else {
  console.warn(`⚠ Chromium not found at ${chromium}: browser tests SKIPPED (apt-get install chromium).`);
}

console.log('\nSummary:');
for (const r of results) console.log(`  ${r.ok ? '✔' : '✘'} ${r.label} (${r.s} s)`);
const failed = results.filter((r) => !r.ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

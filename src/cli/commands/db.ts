import type { Config } from '../../config/env.js';
import { DataDirLockedError, readLockHolder } from '../../db/client.js';
import { seedDemoCounty } from '../../db/seed/demo-county.js';
import { loadDivisions } from '../../db/seed/divisions.js';
import { optimizeAfterBulkLoad } from '../../db/seed/index.js';
import { seedDemoReferrals } from '../../db/seed/demo-referrals.js';
import { seedDemoDiagnosis } from '../../db/seed/demo-diagnosis.js';
import { DEFAULT_DEMO_RESIDENTS } from '../../db/seed/index.js';
import { hashPassword } from '../../modules/identity/index.js';
import { FatalError, UsageError } from '../errors.js';
import { print, say } from '../output.js';
import { createProgress } from '../progress.js';
import { lockedMessage, openTarget, prepareDirect, reachServer } from '../target.js';

/**
 * When the running server holds the embedded data directory, it already migrated the database at start-up
 * (main.ts: config → database → migrate → …), so `db migrate` has nothing to do and says so; anything that must
 * write outside the API (seeding) asks for the server to be stopped.
 */
function serverHolds(config: Config): { pid: number; owner: string; url: string } | null {
  if (config.databaseUrl) return null;
  const holder = readLockHolder(config.dataDir);
  return holder?.url ? { ...holder, url: holder.url } : null;
}

export async function runMigrate(config: Config, opts: { json?: boolean }): Promise<void> {
  const target = await openTarget(config, { allowServer: true });
  if (target.kind === 'server') {
    await reachServer(target);
    const { holder } = target;
    print(
      `服务器（pid ${holder.pid}，${holder.url}）正在使用数据目录 ${config.dataDir}，它启动时已完成数据库迁移，无需再次迁移。` +
        `若要应用当前代码中更新的迁移，请重启服务器（启动时自动迁移），或先停止服务器再运行 yilian db migrate。\n` +
        `The server (pid ${holder.pid}, ${holder.url}) holds ${config.dataDir}; it migrated the database when it started, so there is ` +
        `nothing to do. To apply newer migrations from this checkout, restart the server (it migrates on start) or stop it and run yilian db migrate.`,
    );
    if (opts.json) print(JSON.stringify({ migrated: false, reason: 'server-running', server: holder.url }));
    return;
  }
  const { platform } = target;
  try {
    await prepareDirect(platform, config);
    if (opts.json) print(JSON.stringify({ migrated: true, database: platform.database.kind, location: platform.database.location }));
    else print(`数据库已迁移并就绪 / database migrated and ready: ${platform.database.kind} ${platform.database.location}`);
  } finally {
    await platform.database.close();
  }
}

/**
 * Loads the GB/T 2260 townships and villages of the given counties (base data carries only provinces, cities and
 * counties), so facilities and residents of those counties can be registered. Idempotent.
 */
export async function runLoadDivisions(config: Config, counties: string[], opts: { json?: boolean }): Promise<void> {
  const bad = counties.filter((c) => !/^\d{6}$/.test(c) || c.endsWith('00'));
  if (counties.length === 0 || bad.length) {
    throw new UsageError(`请给出县级行政区划代码（6位，如 350821） / give county division codes (6 digits, e.g. 350821)${bad.length ? `: ${bad.join(', ')}` : ''}`);
  }
  const held = serverHolds(config);
  const target = await openTarget(config, { allowServer: false }).catch((e: unknown) => {
    if (e instanceof FatalError && held) throw new FatalError(`${lockedMessage(config.dataDir, held)}\n请先停止服务器再加载行政区划 / stop the server, then load the divisions.`);
    throw e;
  });
  if (target.kind !== 'direct') throw new FatalError(lockedMessage(config.dataDir, target.holder));
  const { platform } = target;
  try {
    await prepareDirect(platform, config);
    const known = await platform.services.network.divisionsByCodes(counties);
    const missing = counties.filter((c) => !known.some((d) => d.code === c && d.level === 'county'));
    if (missing.length) throw new UsageError(`不是县级行政区划代码 / not county codes: ${missing.join(', ')}`);
    const t = performance.now();
    const { inserted } = await loadDivisions(platform.database.db, { countyCodes: counties });
    const ms = Math.round(performance.now() - t);
    if (opts.json) print(JSON.stringify({ counties, inserted, ms }));
    else print(`已加载 ${counties.join(', ')} 的乡镇和村 / loaded the townships and villages of ${counties.join(', ')}: ${inserted} new divisions in ${(ms / 1000).toFixed(1)} s`);
  } finally {
    await platform.database.close();
  }
}

export interface SeedOptions {
  seed?: string;
  residents?: string;
  progress: boolean;
  json?: boolean;
}

const wholeNumber = (v: string | undefined, name: string, max: number): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new UsageError(`${name} 应为 0-${max} 的整数 / must be a whole number from 0 to ${max} (got ${v})`);
  return n;
};

export async function runSeedDemo(config: Config, opts: SeedOptions): Promise<void> {
  const seed = wholeNumber(opts.seed, '--seed', 2 ** 31 - 1) ?? config.demoSeed;
  const residents = wholeNumber(opts.residents, '--residents', 2_000_000) ?? config.demoResidents ?? DEFAULT_DEMO_RESIDENTS;
  const held = serverHolds(config);
  let target;
  try {
    target = await openTarget(config, { allowServer: false });
  } catch (e) {
    if (e instanceof FatalError && held) {
      throw new FatalError(
        `服务器（pid ${held.pid}，${held.url}）正在使用数据目录 ${config.dataDir}。服务器首次启动时会自动导入演示县数据（YILIAN_SEED_DEMO=true 时）；` +
          `如需用其他参数重新导入，请先停止服务器，再运行 yilian seed demo（最好在空的数据目录中）。\n` +
          `The server (pid ${held.pid}, ${held.url}) holds ${config.dataDir}. It seeds the demo county itself on its first start when YILIAN_SEED_DEMO=true; ` +
          `to seed with other options, stop the server first, then run yilian seed demo (preferably on an empty data directory).`,
      );
    }
    throw e;
  }
  if (target.kind !== 'direct') throw new FatalError(lockedMessage(config.dataDir, target.holder));
  const { platform } = target;
  try {
    await prepareDirect(platform, config);
    say(`导入演示县 福建省龙岩市长汀县 / seeding the demo county (seed ${seed}, ${residents} residents) into ${platform.database.location}`);
    const bar = createProgress({
      enabled: opts.progress,
      total: 1,
      format: '演示数据 demo |{bar}| {step} {value}/{total}',
      line: (p) => `seeding ${String(p.step)} ${String(p.done)}/${String(p.total)}`,
    });
    let lastStep = '';
    const summary = await seedDemoCounty(platform.database.db, {
      seed,
      residents,
      hashPassword,
      onProgress: (step, done, total) => {
        if (step !== lastStep) {
          lastStep = step;
          bar.setTotal(total);
        }
        bar.update(done, { step, done, total });
      },
    });
    bar.stop();
    await optimizeAfterBulkLoad(platform.database.db);
    // Referral history and open referrals (docs/demo-data.md); skipped when the database already has referrals.
    const referrals = await seedDemoReferrals(platform.database.db, platform.services, { seed, residents });
    // Then the diagnosis centers, in the order src/main.ts seeds them; skipped when a diagnosis center exists.
    const diagnosis = await seedDemoDiagnosis(platform.database.db, platform.services, { seed, residents });
    if (opts.json) print(JSON.stringify({ ...summary, referrals, diagnosis }));
    else {
      const c = summary.counts;
      print(
        `演示县数据已就绪 / demo county ready (seed ${summary.seed}, as of ${summary.asOf}) in ${(summary.totalMs / 1000).toFixed(1)} s\n` +
          `  演示数据 demo data: ${c.organizations} organizations, ${c.alliances} alliances, ${c.practitioners} practitioners, ${c.users} users, ${c.patients} patients\n` +
          (referrals.skipped
            ? '  转诊 referrals: already present, not seeded again\n'
            : `  转诊 referrals: ${referrals.history.total} in the past year, ${referrals.open.referrals} open (${(referrals.ms.total / 1000).toFixed(1)} s)\n`) +
          (diagnosis.skipped
            ? '  诊断中心 diagnosis centers: already present, not seeded again\n'
            : `  诊断中心 diagnosis centers: ${diagnosis.centers} centers, ${diagnosis.history.completed + diagnosis.history.cancelled} requests in the past year, ${diagnosis.live.requests} in the live queue, ${diagnosis.consultations.requests} teleconsultations (${(diagnosis.ms.total / 1000).toFixed(1)} s)\n`) +
          `  (已存在的行不会重复插入 / rows already present are skipped; demo password: Yilian@2026)`,
      );
    }
  } catch (e) {
    if (e instanceof DataDirLockedError) throw new FatalError(e.message);
    throw e;
  } finally {
    await platform.database.close();
  }
}

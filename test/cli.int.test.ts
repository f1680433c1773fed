import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { and, count, eq } from 'drizzle-orm';
import { createDatabase, readLockHolder, type Database } from '../src/db/client.js';
import { auditEvents, organizations, patients, users } from '../src/db/schema/index.js';
import { composeResidentId } from '../src/modules/patient/index.js';
import { databaseKind } from './helpers/app.js';
import { createScratchDatabase } from '../src/db/scratch-database.js';

/**
 * The `yilian` command run as a real child process (`node bin/yilian.mjs …`), on a fresh PGlite directory or a
 * fresh PostgreSQL database: migrations, organization and patient imports with good and bad rows (summary, reject
 * file, database state, re-runs), account creation, and — for PGlite — the data-directory lock: the CLI never opens
 * a directory another live process holds, and goes through the running server's API when there is one.
 */
const root = path.resolve(import.meta.dirname, '..');
const bin = path.join(root, 'bin', 'yilian.mjs');
const ADMIN_PASSWORD = 'Yilian@2026';
const work = mkdtempSync(path.join(tmpdir(), 'yilian-cli-'));
const dataDir = path.join(work, 'data');
let databaseUrl = '';
let dropDatabase = async () => {};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], opts: { env?: Record<string, string | undefined> } = {}): Promise<Run> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    YILIAN_DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    YILIAN_ADMIN_PASSWORD: ADMIN_PASSWORD,
    YILIAN_ADMIN_USER: '',
    LOG_LEVEL: 'warn',
    NODE_OPTIONS: '',
    ...opts.env,
  };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: work, env: env as NodeJS.ProcessEnv, timeout: 180_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const json = (r: Run) => JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
const rejectsOf = (file: string) =>
  parse(readFileSync(file), { bom: true, columns: true, skip_empty_lines: true }) as Record<string, string>[];
const write = (name: string, text: string) => {
  const p = path.join(work, name);
  writeFileSync(p, text);
  return p;
};

/** Opens the database the CLI used, after the CLI has exited (it takes the PGlite lock like any other process). */
async function withDatabase<T>(fn: (db: Database['db']) => Promise<T>): Promise<T> {
  const database = await createDatabase(databaseUrl ? { databaseUrl, poolSize: 2 } : { dataDir, lockOwner: 'cli test' });
  try {
    return await fn(database.db);
  } finally {
    await database.close();
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Starts the real server (`node --import tsx src/main.ts`) on a free port and waits until /health answers. */
async function startServer(): Promise<{ url: string; stop: () => Promise<void>; process: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'src', 'main.ts')], {
    cwd: root,
    env: {
      ...process.env, DATABASE_URL: databaseUrl, YILIAN_DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1',
      YILIAN_SEED_DEMO: 'false', YILIAN_ADMIN_PASSWORD: ADMIN_PASSWORD, LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error(`the server did not start:\n${log}`);
    }
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false);
    // With PGlite the CLI finds the server through the URL in the lock file, written right after listen().
    if (ok && (databaseUrl || readLockHolder(dataDir)?.url)) return { url, stop, process: child };
    await new Promise((r) => setTimeout(r, 250));
  }
}

const ids = {
  zhang: composeResidentId('350821', '1980-05-07', 11, 'male'),
  li: composeResidentId('350821', '1990-01-01', 22, 'female'),
  sun: composeResidentId('350821', '1975-12-12', 33, 'male'),
  zheng: composeResidentId('350821', '1966-06-06', 44, 'male'),
  feng: composeResidentId('350821', '1977-07-07', 55, 'female'),
  chen: composeResidentId('350821', '1999-09-09', 66, 'male'),
  chu: composeResidentId('350821', '2001-03-04', 77, 'female'),
  viaServer: composeResidentId('350821', '1955-05-05', 88, 'male'),
};
const badCheck = `${ids.zhang.slice(0, 17)}${ids.zhang[17] === '0' ? '1' : '0'}`;

beforeAll(async () => {
  if (process.env.DATABASE_URL) {
    const scratch = await createScratchDatabase(process.env.DATABASE_URL, 'yilian_cli');
    databaseUrl = scratch.url;
    dropDatabase = scratch.drop;
  }
});

afterAll(async () => {
  await dropDatabase();
  rmSync(work, { recursive: true, force: true });
});

describe(`yilian CLI on ${databaseKind}`, { timeout: 240_000 }, () => {
  it('explains itself in Chinese and English and refuses bad usage with exit code 2', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('医联 Yilian 命令行');
    expect(help.stdout).toContain('Yilian command line');
    for (const c of ['db', 'seed', 'user', 'import']) expect(help.stdout).toContain(c);
    const sub = await cli(['import', 'patients', '--help']);
    expect(sub.code).toBe(0);
    expect(sub.stdout).toMatch(/--org <identifier>[\s\S]*--rejects <path>/);
    expect(sub.stdout).toContain('拒绝行写入的文件');

    const missing = await cli(['import', 'patients']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing required argument/);
    const role = await cli(['user', 'add', '--username', 'x.y.z', '--password', 'Passw0rd!', '--role', 'wizard', '--org', 'ANY']);
    expect(role.code).toBe(2);
    expect(role.stderr).toContain('wizard');
    expect(role.stderr).toContain('village-doctor');
    const noFile = await cli(['import', 'organizations', path.join(work, 'nope.csv')]);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain('nope.csv');
  });

  it('migrates a new database and prepares base data and the admin account', async () => {
    const r = await cli(['db', 'migrate']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('database migrated and ready');
    const again = await cli(['db', 'migrate', '--json']);
    expect(again.code).toBe(0);
    expect(json(again)).toMatchObject({ migrated: true, database: databaseKind });
    if (databaseKind === 'pglite') expect(existsSync(path.join(dataDir, 'yilian.lock'))).toBe(false);
  });

  it('loads the townships and villages of another county, once', async () => {
    const r = await cli(['db', 'divisions', '350102', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(json(r).inserted).toBeGreaterThan(10); // 福州市鼓楼区: its 街道 and 社区
    const again = await cli(['db', 'divisions', '350102', '--json']);
    expect(json(again).inserted).toBe(0);
    const bad = await cli(['db', 'divisions', '999999']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('999999');
  });

  describe('import organizations', () => {
    let file: string;
    it('keeps the good rows and reports every bad row with its reason', async () => {
      file = write(
        'orgs.csv',
        [
          'identifier,name,tier,divisionCode,beds,supervisorIdentifier,isCentral',
          'T-CLI-001,长汀县测试中心卫生院,township-health-center,350821,40,,是',
          'T-CLI-002,长汀县测试村卫生室,village-clinic,350821,0,T-CLI-001,',
          'T-CLI-003,层级错误机构,hospital,350821,0,,',
          'T-CLI-004,区划错误机构,village-clinic,999999,0,,',
          'T-CLI-005,床位错误机构,village-clinic,350821,many,,',
          'T-CLI-001,重复标识机构,village-clinic,350821,0,,',
          'T-CLI-006,上级不存在机构,village-clinic,350821,0,NOPE,',
        ].join('\n'),
      );
      const r = await cli(['import', 'organizations', file]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/读取 read:\s+7/);
      expect(r.stdout).toMatch(/导入 imported:\s+2/);
      expect(r.stdout).toMatch(/拒绝 rejected:\s+5/);
      expect(r.stdout).toContain(`${file}.rejects.csv`);
      expect(r.stdout).toMatch(/用时 elapsed:\s+[\d.]+ s, [\d.]+ 行\/秒 rows\/s/);

      const rejects = rejectsOf(`${file}.rejects.csv`);
      expect(Object.keys(rejects[0]!)).toEqual(['identifier', 'name', 'tier', 'divisionCode', 'beds', 'supervisorIdentifier', 'isCentral', 'line', 'reason']);
      expect(rejects.map((x) => [x.identifier, x.line])).toEqual([['T-CLI-003', '4'], ['T-CLI-004', '5'], ['T-CLI-005', '6'], ['T-CLI-001', '7'], ['T-CLI-006', '8']]);
      expect(rejects[0]!.reason).toMatch(/^tier: 机构层级应为/);
      expect(rejects[1]!.reason).toContain('行政区划代码 999999 不存在');
      expect(rejects[2]!.reason).toMatch(/^beds: 应为整数/);
      expect(rejects[3]!.reason).toContain('机构标识 T-CLI-001 已存在');
      expect(rejects[4]!.reason).toContain('上级监管机构 NOPE 不存在');
      expect(rejects[2]!.beds).toBe('many');

      const rows = await withDatabase((db) => db.select().from(organizations).where(eq(organizations.countyCode, '350821')));
      const byIdentifier = new Map(rows.map((o) => [o.identifier, o]));
      expect([...byIdentifier.keys()].sort()).toEqual(['T-CLI-001', 'T-CLI-002']);
      expect(byIdentifier.get('T-CLI-001')).toMatchObject({ tier: 'township-health-center', beds: 40, isCentral: true });
      expect(byIdentifier.get('T-CLI-002')!.supervisorId).toBe(byIdentifier.get('T-CLI-001')!.id);
    });

    it('never creates a row twice when the same file is imported again', async () => {
      const r = await cli(['import', 'organizations', file, '--json']);
      expect(r.code).toBe(0);
      expect(json(r)).toMatchObject({ read: 7, imported: 0, rejected: 7 });
      const n = await withDatabase(async (db) => (await db.select({ n: count() }).from(organizations).where(eq(organizations.countyCode, '350821')))[0]!.n);
      expect(n).toBe(2);
    });
  });

  describe('user add', () => {
    it('creates an account that belongs to an organization', async () => {
      const r = await cli(['user', 'add', '--username', 'cli.alliance', '--password', 'Alliance@2026', '--role', 'alliance-admin', '--role', 'township-doctor', '--org', 'T-CLI-001', '--display-name', '测试管理员']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('cli.alliance');
      const [u] = await withDatabase((db) => db.select().from(users).where(eq(users.username, 'cli.alliance')));
      expect(u).toMatchObject({ displayName: '测试管理员', active: true });
      const again = await cli(['user', 'add', '--username', 'cli.alliance', '--password', 'Alliance@2026', '--role', 'alliance-admin', '--org', 'T-CLI-001']);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('用户名 cli.alliance 已存在');
      const noOrg = await cli(['user', 'add', '--username', 'cli.nobody', '--password', 'Nobody@2026', '--role', 'village-doctor']);
      expect(noOrg.code).toBe(2);
      expect(noOrg.stderr).toContain('--org');
    });
  });

  describe('import patients', () => {
    let csv: string;
    it('imports a CSV on behalf of an organization; rejects invalid, duplicate and out-of-scope rows', async () => {
      csv = write(
        'patients.csv',
        [
          'idNumber,name,sex,birthDate,phone,chronicConditions,managingOrganization,confirmNotDuplicate',
          `${ids.zhang},张三,,,13800000001,I10;E11,,`,
          `${ids.li},李四,女,,,,,`,
          `${badCheck},王五,,,,,,`,
          ',赵六,男,1985/3/7,13900000002,,,',
          ',赵六,男,1985-03-07,13900000003,,,',
          ',赵六,男,1985-03-07,13900000003,,,true',
          `${ids.zhang},张三,,,,,,`,
          `${ids.sun},孙七,女,,,,,`,
          ',周八,,1970-01-01,,,,',
          ',吴九,男,1988-08-08,12345,,,',
          `${ids.zheng},郑十,,,,,T-CLI-002,`,
          `${ids.feng},冯一,,,,,NOPE,`,
          'short,row',
          `${ids.chen},陈二,,,,X99.9.9.9,,`,
        ].join('\n'),
      );
      const r = await cli(['import', 'patients', csv, '--org', 'T-CLI-001', '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(json(r)).toMatchObject({ kind: 'patients', via: 'database', read: 14, imported: 4, rejected: 10, rejectsPath: `${csv}.rejects.csv`, interrupted: false });
      expect(json(r).rowsPerSecond).toBeGreaterThan(0);

      const rejects = rejectsOf(`${csv}.rejects.csv`);
      const reason = (line: number) => rejects.find((x) => x.line === String(line))?.reason ?? '(not rejected)';
      expect(rejects.map((x) => Number(x.line))).toEqual([4, 6, 8, 9, 10, 11, 12, 13, 14, 15]);
      expect(reason(4)).toBe('idNumber: 身份证号码校验位错误，请核对后重新输入');
      expect(reason(6)).toContain('可能重复登记');
      expect(reason(6)).toContain('confirmNotDuplicate');
      expect(reason(8)).toContain('该身份证号码已登记：张三');
      expect(reason(9)).toContain('性别与身份证号码不一致');
      expect(reason(10)).toContain('没有身份证号码时必须填写性别');
      expect(reason(11)).toContain('手机号应为11位手机号');
      expect(reason(12)).toContain('无权为该机构登记患者');
      expect(reason(13)).toContain('机构 NOPE 不存在');
      expect(reason(14)).toContain('列数不符');
      expect(reason(15)).toContain('ICD-10 编码格式错误');
      expect(rejects.find((x) => x.line === '4')).toMatchObject({ idNumber: badCheck, name: '王五' });

      const rows = await withDatabase(async (db) => {
        const [org] = await db.select().from(organizations).where(eq(organizations.identifier, 'T-CLI-001'));
        const ps = await db.select().from(patients).where(eq(patients.managingOrganizationId, org!.id));
        const audit = await db.select().from(auditEvents).where(and(eq(auditEvents.channel, 'cli'), eq(auditEvents.action, 'create')));
        return { ps, audit, orgId: org!.id };
      });
      expect(rows.ps.map((p) => p.name).sort()).toEqual(['张三', '李四', '赵六', '赵六']);
      const zhang = rows.ps.find((p) => p.idNumber === ids.zhang)!;
      expect(zhang).toMatchObject({ sex: 'male', birthDate: '1980-05-07', phone: '13800000001', chronicConditions: ['I10', 'E11'], createdBy: 'cli' });
      expect(rows.ps.filter((p) => p.name === '赵六').map((p) => p.birthDate)).toEqual(['1985-03-07', '1985-03-07']);
      // Every registration is on record: the CLI actor, acting for the organization, channel `cli`.
      const allowed = rows.audit.filter((a) => a.outcome === 'allowed' && a.resourceType === 'Patient');
      expect(allowed).toHaveLength(4);
      expect(allowed.every((a) => a.actorUsername === 'cli' && a.organizationId === rows.orgId && a.basis === 'own-facility')).toBe(true);
      expect(rows.audit.some((a) => a.outcome === 'denied')).toBe(true);
    });

    it('re-running the same file creates nobody twice, confirmed rows included', async () => {
      const r = await cli(['import', 'patients', csv, '--org', 'T-CLI-001', '--json']);
      expect(r.code).toBe(0);
      expect(json(r)).toMatchObject({ read: 14, imported: 0, rejected: 14 });
      const rejects = rejectsOf(`${csv}.rejects.csv`);
      expect(rejects.find((x) => x.line === '7')!.reason).toContain('完全相同的患者');
      const n = await withDatabase(async (db) => (await db.select({ n: count() }).from(patients))[0]!.n);
      expect(n).toBe(4);
    });

    it('imports NDJSON with Chinese keys and writes a re-importable reject file', async () => {
      const file = write(
        'more.ndjson',
        [
          JSON.stringify({ 姓名: '钱十', 性别: '女', 出生日期: '1960-02-29', 手机号: '13700000001', 慢性病: ['I10'] }),
          JSON.stringify({ name: '钱十', sex: 'female', birthDate: '1960-02-29' }),
          'not json',
          '{"idNumber": 350821198005070115, "name": "数字身份证"}',
          '',
          JSON.stringify({ idNumber: ids.chu, name: '褚十二', managingOrganization: 'T-CLI-001' }),
        ].join('\n'),
      );
      const rejectsPath = path.join(work, 'ndjson-rejects.csv');
      const r = await cli(['import', 'patients', file, '--org', 'T-CLI-001', '--rejects', rejectsPath]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/读取 read:\s+5/);
      expect(r.stdout).toMatch(/导入 imported:\s+2/);
      expect(r.stdout).toMatch(/拒绝 rejected:\s+3/);
      const rejects = rejectsOf(rejectsPath);
      expect(rejects.map((x) => x.line)).toEqual(['2', '3', '4']);
      expect(rejects[0]).toMatchObject({ name: '钱十', sex: 'female', birthDate: '1960-02-29' });
      expect(rejects[1]!.reason).toContain('invalid JSON');
      expect(rejects[2]!.reason).toContain('身份证号码应写成字符串');
      const [qian] = await withDatabase((db) => db.select().from(patients).where(eq(patients.name, '钱十')));
      expect(qian).toMatchObject({ sex: 'female', birthDate: '1960-02-29', chronicConditions: ['I10'] });
    });

    it('needs an organization to import for', async () => {
      const file = write('no-org.csv', 'name,sex,birthDate\n无机构,male,1990-01-01\n');
      const r = await cli(['import', 'patients', file]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--org');
    });
  });

  describe.skipIf(databaseKind !== 'pglite')('the embedded data directory held by another process', () => {
    const lockPath = path.join(dataDir, 'yilian.lock');
    let before = 0;

    it('does not open a directory whose server does not answer, and says so', async () => {
      before = await withDatabase(async (db) => (await db.select({ n: count() }).from(patients))[0]!.n);
      const port = await freePort(); // nothing listens there
      writeFileSync(lockPath, JSON.stringify({ pid: process.pid, owner: 'yilian server', since: new Date().toISOString(), url: `http://127.0.0.1:${port}` }));
      try {
        const file = write('locked.csv', `idNumber,name\n${ids.viaServer},锁定测试\n`);
        const imp = await cli(['import', 'patients', file, '--org', 'T-CLI-001']);
        expect(imp.code).toBe(1);
        expect(imp.stderr).toContain(`pid ${process.pid}`);
        expect(imp.stderr).toContain('nothing answers there');
        expect(imp.stderr).toContain('did not open the directory');
        const migrate = await cli(['db', 'migrate']);
        expect(migrate.code).toBe(1);
        expect(migrate.stderr).toContain('nothing answers there');
        const seed = await cli(['seed', 'demo', '--residents', '10']);
        expect(seed.code).toBe(1);
        expect(seed.stderr).toContain('stop the server first');
        // The lock is the holder's: the CLI leaves it alone.
        expect(readLockHolder(dataDir)).toMatchObject({ pid: process.pid, url: `http://127.0.0.1:${port}` });

        writeFileSync(lockPath, JSON.stringify({ pid: process.pid, owner: 'yilian cli', since: new Date().toISOString() }));
        const user = await cli(['user', 'add', '--username', 'cli.locked', '--password', 'Locked@2026', '--role', 'system-admin']);
        expect(user.code).toBe(1);
        expect(user.stderr).toContain(`held by yilian cli (pid ${process.pid})`);
      } finally {
        unlinkSync(lockPath);
      }
      const after = await withDatabase(async (db) => (await db.select({ n: count() }).from(patients))[0]!.n);
      expect(after).toBe(before);
    });

    describe('while the real server runs on it', () => {
      let server: Awaited<ReturnType<typeof startServer>> | null = null;
      afterAll(async () => server?.stop());

      it('goes through the server API for accounts and imports, and refuses to migrate or seed behind its back', async () => {
        server = await startServer();
        expect(readLockHolder(dataDir)?.url).toBe(server.url);

        const migrate = await cli(['db', 'migrate']);
        expect(migrate.code).toBe(0);
        expect(migrate.stdout).toContain('it migrated the database when it started');

        const seed = await cli(['seed', 'demo', '--residents', '10']);
        expect(seed.code).toBe(1);
        expect(seed.stderr).toContain('stop the server first');

        const noCreds = await cli(['user', 'add', '--username', 'cli.server', '--password', 'Server@2026', '--role', 'village-doctor', '--org', 'T-CLI-001'], { env: { YILIAN_ADMIN_PASSWORD: undefined } });
        expect(noCreds.code).toBe(2);
        expect(noCreds.stderr).toContain('--admin-password');

        const user = await cli(['user', 'add', '--username', 'cli.server', '--password', 'Server@2026', '--role', 'village-doctor', '--org', 'T-CLI-001']);
        expect(user.code, user.stderr).toBe(0);
        expect(user.stdout).toContain('(via server)');

        const asAdmin = await cli(['import', 'patients', write('srv.csv', `idNumber,name\n${ids.viaServer},服务器导入\n${ids.zhang},张三\n`)]);
        expect(asAdmin.code).toBe(2); // `admin` has no organization, hence no clinical basis for patients
        expect(asAdmin.stderr).toContain('--admin-user');

        const imp = await cli(['import', 'patients', path.join(work, 'srv.csv'), '--admin-user', 'cli.alliance', '--admin-password', 'Alliance@2026', '--json']);
        expect(imp.code, imp.stderr).toBe(0);
        expect(json(imp)).toMatchObject({ via: 'server', read: 2, imported: 1, rejected: 1, rejectedBy: { duplicate: 1 } });

        const orgs = await cli(['import', 'organizations', write('srv-orgs.csv', 'identifier,name,tier,divisionCode\nT-CLI-010,服务器导入卫生室,village-clinic,350821\n'), '--json']);
        expect(orgs.code, orgs.stderr).toBe(0);
        expect(json(orgs)).toMatchObject({ via: 'server', imported: 1 });

        await server.stop();
        expect(existsSync(path.join(dataDir, 'yilian.lock'))).toBe(false);

        const state = await withDatabase(async (db) => ({
          patient: (await db.select().from(patients).where(eq(patients.idNumber, ids.viaServer)))[0],
          user: (await db.select().from(users).where(eq(users.username, 'cli.server')))[0],
          org: (await db.select().from(organizations).where(eq(organizations.identifier, 'T-CLI-010')))[0],
          audit: await db.select().from(auditEvents).where(and(eq(auditEvents.actorUsername, 'cli.alliance'), eq(auditEvents.action, 'create'))),
        }));
        expect(state.patient).toMatchObject({ name: '服务器导入', createdBy: 'cli.alliance' });
        expect(state.user).toMatchObject({ active: true });
        expect(state.org).toBeTruthy();
        expect(state.audit.some((a) => a.channel === 'api' && a.patientId === state.patient!.id)).toBe(true);

        // With the server stopped, the CLI works on the directory again.
        const direct = await cli(['db', 'migrate']);
        expect(direct.code).toBe(0);
        expect(direct.stdout).toContain('database migrated and ready');
      });
    });
  });

  describe.skipIf(databaseKind !== 'postgres')('with PostgreSQL while the server runs', () => {
    let server: Awaited<ReturnType<typeof startServer>> | null = null;
    afterAll(async () => server?.stop());

    it('works directly on the database beside the running server', async () => {
      server = await startServer();
      const file = write('pg-live.csv', `idNumber,name\n${ids.viaServer},服务器运行时导入\n`);
      const r = await cli(['import', 'patients', file, '--org', 'T-CLI-001', '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(json(r)).toMatchObject({ via: 'database', imported: 1 });
      // The server sees the row the CLI wrote.
      const token = await fetch(`${server.url}/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'password', username: 'cli.alliance', password: 'Alliance@2026' }),
      }).then((x) => x.json() as Promise<{ access_token: string }>);
      const found = await fetch(`${server.url}/api/v1/patients?idNumber=${ids.viaServer}`, { headers: { authorization: `Bearer ${token.access_token}` } }).then(
        (x) => x.json() as Promise<{ items: { name: string }[] }>,
      );
      expect(found.items.map((p) => p.name)).toEqual(['服务器运行时导入']);
      const migrate = await cli(['db', 'migrate']);
      expect(migrate.code).toBe(0);
      expect(migrate.stdout).toContain('database migrated and ready');
    });
  });
});

import { Command, CommanderError, Option } from 'commander';
import { ConfigError, loadConfig, type Config } from '../config/env.js';
import { roleCodes } from '../contracts/codes.js';
import { DEFAULT_DEMO_RESIDENTS } from '../db/seed/index.js';
import { runLoadDivisions, runMigrate, runSeedDemo } from './commands/db.js';
import { runImportCommand, type ImportOptions } from './commands/import.js';
import { runGenerateActivity, runImportEncounters, type GenerateActivityOptions } from './commands/activity.js';
import { runUserAdd } from './commands/user.js';
import { indicatorRebuildStores } from '../contracts/indicator.js';
import { runAnalyticsStatus, runIndicatorsRebuild, type AnalyticsStatusOptions, type IndicatorsRebuildOptions } from './commands/indicators.js';
import { EXIT_FATAL, EXIT_OK, EXIT_USAGE, FatalError, UsageError } from './errors.js';
import { setQuiet } from './output.js';

/**
 * `yilian` — administration from the command line. It reads the same configuration as the server (DATABASE_URL →
 * PostgreSQL, else the embedded PGlite in YILIAN_DATA_DIR) and works on the same data whether or not the server runs:
 * with PostgreSQL it connects directly; with PGlite held by a running server it goes through the server's API.
 */
const collect = (value: string, previous: string[]): string[] => [...previous, value];

function config(): Config {
  try {
    return loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
  }
}

/** Aborted by Ctrl-C: an import stops reading, finishes the rows in flight, writes its summary and closes the database. */
const interrupt = new AbortController();

const credentialOptions = (cmd: Command): Command =>
  cmd
    .option('--admin-user <username>', '服务器运行时用于登录其 API 的账号 / account for the running server\'s API (default: $YILIAN_ADMIN_USER or admin)')
    .option('--admin-password <password>', '该账号的密码 / its password (default: $YILIAN_ADMIN_PASSWORD)');

const importOptions = (cmd: Command): Command =>
  credentialOptions(
    cmd
      .option('--rejects <path>', '拒绝行写入的文件 / where refused rows go (default: <file>.rejects.csv)')
      .option('--encoding <encoding>', '文件编码，Excel 导出的 CSV 常为 gbk / file encoding (Excel often writes gbk)', 'utf-8')
      .option('--no-progress', '不显示进度条 / no progress bar')
      .option('--json', '以 JSON 输出汇总 / print the summary as JSON'),
  );

export function buildProgram(): Command {
  const program = new Command('yilian');
  program
    .description('医联 Yilian 命令行：数据库迁移、演示数据、账号与批量导入\nYilian command line: database migrations, demo data, accounts and bulk imports')
    .option('-q, --quiet', '只输出结果 / print results only')
    .helpOption('-h, --help', '显示帮助 / display help')
    .helpCommand('help [command]', '显示命令的帮助 / display help for a command')
    .exitOverride()
    .showHelpAfterError('(用 --help 查看用法 / add --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) })
    .hook('preAction', (cmd) => setQuiet(!!cmd.optsWithGlobals().quiet))
    .addHelpText(
      'after',
      `
环境 / environment: DATABASE_URL (PostgreSQL; unset → embedded PGlite), YILIAN_DATA_DIR (default ./data),
  YILIAN_ADMIN_PASSWORD, YILIAN_ADMIN_USER. The same variables as the server.
退出码 / exit codes: 0 完成 completed (an import with rejected rows completed too), 1 失败 fatal error, 2 用法错误 usage error.

示例 / examples:
  yilian db migrate
  yilian seed demo --residents 5000
  yilian user add --username wang.yisheng --password 'S3cure!pass' --role village-doctor --org 12350821MB0000001X
  yilian import organizations orgs.csv
  yilian import patients residents.csv --org 12350821MB0000001X
  yilian generate activity --county 350821 --year 2026 --seed 7 --out activity.ndjson
  yilian import encounters activity.ndjson
  yilian indicators rebuild --store analytics
  yilian indicators analytics-status --json`,
    );

  const db = program.command('db').description('数据库 / database');
  db.command('migrate')
    .description('迁移数据库并准备基础数据（行政区划、诊疗目录、admin 账号） / apply migrations and load base data (divisions, tier catalogue, admin account)')
    .option('--json', '以 JSON 输出 / print the result as JSON')
    .action(async (opts: { json?: boolean }) => runMigrate(config(), opts));
  db.command('divisions')
    .description('加载县的乡镇和村（GB/T 2260）/ load the townships and villages of counties (GB/T 2260)')
    .argument('<county...>', '县级区划代码，如 350821 / county division codes, e.g. 350821')
    .option('--json', '以 JSON 输出 / print the result as JSON')
    .action(async (counties: string[], opts: { json?: boolean }) => runLoadDivisions(config(), counties, opts));

  const seed = program.command('seed').description('演示数据 / demo data');
  seed
    .command('demo')
    .description('导入演示县（福建省龙岩市长汀县）：机构、医联体、人员、账号和居民 / seed the demo county: facilities, alliances, staff, accounts and residents')
    .option('--seed <n>', '随机种子，相同种子生成相同数据 / random seed (same seed, same data; default $YILIAN_DEMO_SEED)')
    .option('--residents <n>', `居民人数 / number of residents (default $YILIAN_DEMO_RESIDENTS or ${DEFAULT_DEMO_RESIDENTS}, the whole county)`)
    .option('--no-progress', '不显示进度条 / no progress bar')
    .option('--json', '以 JSON 输出汇总 / print the summary as JSON')
    .action(async (opts: { seed?: string; residents?: string; progress: boolean; json?: boolean }) => runSeedDemo(config(), opts));

  const user = program.command('user').description('账号 / accounts');
  credentialOptions(
    user
      .command('add')
      .description('创建账号 / create an account')
      .requiredOption('--username <username>', '用户名（3-64位字母、数字、.、_、-） / user name')
      .option('--password <password>', '初始密码（至少8位） / initial password (8+ characters)')
      .option('--password-stdin', '从标准输入读取密码 / read the password from stdin')
      .option('--role <role>', `角色，可重复 / role, repeatable: ${roleCodes.join(', ')}`, collect, [])
      .option('--org <identifier>', '所属机构的标识（统一社会信用代码等） / organization identifier (required for facility roles)')
      .option('--display-name <name>', '显示名（默认同用户名） / display name (default: the user name)')
      .option('--json', '以 JSON 输出 / print the account as JSON'),
  ).action(async (opts) => runUserAdd(opts as Parameters<typeof runUserAdd>[0], config()));

  const imp = program
    .command('import')
    .description('批量导入，格式见 docs/import-formats.md / bulk import; formats in docs/import-formats.md');
  importOptions(
    imp
      .command('organizations')
      .argument('<csv>', 'CSV 文件（或 .ndjson） / CSV file (or .ndjson)')
      .description('导入医疗机构 / import healthcare facilities')
      .addOption(new Option('--format <format>', '文件格式 / file format').choices(['csv', 'ndjson'])),
  ).action(async (file: string, opts: ImportOptions) => runImportCommand('organizations', file, opts, config(), interrupt.signal));
  importOptions(
    imp
      .command('patients')
      .argument('<file>', 'CSV 或 NDJSON（.ndjson/.jsonl）文件 / CSV or NDJSON file')
      .description('导入患者（居民）主索引 / import patients into the master patient index')
      .option('--org <identifier>', '代表哪个机构导入；也是未填写 managingOrganization 时的管理机构 / organization the import is for; the managing organization of rows without one')
      .addOption(new Option('--format <format>', '文件格式 / file format (default: by extension)').choices(['csv', 'ndjson']))
      .option('--concurrency <n>', '经服务器导入时同时处理的行数；直接写数据库时按文件顺序每批 1000 行 / rows in flight through the server (default 4); direct imports write batches of 1,000 rows in file order'),
  ).action(async (file: string, opts: ImportOptions) => runImportCommand('patients', file, opts, config(), interrupt.signal));
  importOptions(
    imp
      .command('encounters')
      .argument('<file>', 'NDJSON（.ndjson/.jsonl）或 CSV 文件 / NDJSON or CSV file')
      .description('导入门诊就诊和住院记录（监测指标），每批 1000 条；重复的记录不会重复计入 / import outpatient visits and inpatient stays for the indicators, 1,000 a batch; records already present count as duplicates')
      .addOption(new Option('--format <format>', '文件格式 / file format (default: by extension)').choices(['csv', 'ndjson'])),
  ).action(async (file: string, opts: ImportOptions) => runImportEncounters(file, opts, config(), interrupt.signal));

  const generate = program.command('generate').description('合成数据 / synthetic data');
  generate
    .command('activity')
    .description('生成一个县一年的合成门诊和住院记录（按 domain.md §1 校准），写成 NDJSON 或直接导入 / a year of synthetic visits and stays of a county (calibrated to domain.md §1), as NDJSON or loaded directly')
    .option('--county <code>', '县级区划代码 / county division code', '350821')
    .option('--year <year>', '年份 / calendar year (default: this year)')
    .option('--seed <n>', '随机种子，相同种子生成相同数据 / random seed (default $YILIAN_DEMO_SEED)')
    .option('--until <date>', '只生成到该日期（含），默认本年为今天 / last date to generate (default: today for the current year)')
    .option('--out <file>', '写入 NDJSON 文件（不加 --out 与 --load 时写到标准输出） / write NDJSON here (stdout when neither --out nor --load)')
    .option('--load', '每批 1000 条直接写入数据库 / load into the database in batches of 1,000')
    .option('--no-progress', '不显示进度条 / no progress bar')
    .option('--json', '以 JSON 输出汇总 / print the summary as JSON')
    .action(async (opts: GenerateActivityOptions) => runGenerateActivity(config(), opts, interrupt.signal));

  const indicators = program.command('indicators').description('监测指标的汇总与分析库 / the indicators\' aggregates and analytic store (docs/indicators.md)');
  credentialOptions(
    indicators
      .command('rebuild')
      .description('重建指标汇总：PostgreSQL（默认，可按县）、分析库（DuckDB）或从 PostgreSQL 重新填充分析库 / rebuild PostgreSQL\'s pre-aggregate (default, whole or one county), the analytic store\'s (DuckDB) aggregate, or refill the analytic store from PostgreSQL')
      .addOption(new Option('--store <store>', '重建哪个汇总 / which aggregate').choices([...indicatorRebuildStores]).default('postgres'))
      .option('--county <code>', '只重建一个县（仅 postgres） / one county only (postgres only)')
      .option('--json', '以 JSON 输出 / print the result as JSON'),
  ).action(async (opts: IndicatorsRebuildOptions) => runIndicatorsRebuild(config(), opts));
  credentialOptions(
    indicators
      .command('analytics-status')
      .description('分析库（DuckDB）状态：待同步队列、记录数、与 PostgreSQL 是否一致 / the analytic store\'s status: outbox backlog, counts, equality with PostgreSQL')
      .option('--json', '以 JSON 输出 / print the result as JSON'),
  ).action(async (opts: AnalyticsStatusOptions) => runAnalyticsStatus(config(), opts));

  return program;
}

/** Runs the CLI and returns the exit code. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  if (argv.length <= 2) {
    program.outputHelp({ error: true });
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync([...argv]);
    return EXIT_OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? EXIT_OK : EXIT_USAGE;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`错误 / error: ${e.message}\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`错误 / error: ${describe(e)}\n`);
    return EXIT_FATAL;
  }
}

function describe(e: unknown): string {
  if (e instanceof FatalError) return e.message;
  if (e instanceof Error) return process.env.YILIAN_DEBUG ? (e.stack ?? e.message) : e.message;
  return String(e);
}

let interrupts = 0;
process.on('SIGINT', () => {
  interrupts++;
  if (interrupts > 1) process.exit(130);
  process.stderr.write('\n正在停止：完成处理中的行后退出（再按一次 Ctrl-C 立即退出） / stopping after the rows in flight (Ctrl-C again to quit now)\n');
  interrupt.abort();
});

const code = await runCli(process.argv);
process.exit(interrupt.signal.aborted && code === EXIT_OK ? 130 : code);

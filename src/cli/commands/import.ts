import path from 'node:path';
import type { Config } from '../../config/env.js';
import { AppError } from '../../shared/errors.js';
import { DirectBackend, ServerBackend, type CliBackend, type OrganizationRef } from '../backend.js';
import { FatalError, UsageError } from '../errors.js';
import { print, say } from '../output.js';
import { connectToServer, openTarget, prepareDirect, type ServerCredentials } from '../target.js';
import {
  cellText, mapHeader, normaliseObjectKeys, organizationFields, patientFields, toOrganizationInput, toPatientRow,
  type FieldSpec, type HeaderMapping, type PatientRow,
} from '../import/fields.js';
import { ImportAborted, runImport, type ImportJob, type ImportSummary } from '../import/runner.js';
import { detectFormat, openSource, type RecordSource, type SourceItem } from '../import/source.js';
import type { OrganizationInput } from '../../contracts/network.js';
import type { PatientInput } from '../../contracts/patient.js';

export interface ImportOptions extends ServerCredentials {
  rejects?: string;
  encoding: string;
  format?: string;
  progress: boolean;
  json?: boolean;
  concurrency?: string;
  org?: string;
}

type Kind = 'organizations' | 'patients';

/** Values of a record keyed by field name, from a CSV header mapping or an NDJSON object. */
export class FieldReader {
  private mapping: HeaderMapping | null = null;
  constructor(
    private readonly source: RecordSource,
    private readonly specs: readonly FieldSpec[],
    private readonly onHeader: (m: HeaderMapping) => void,
  ) {}

  values(item: Extract<SourceItem, { values: unknown }>): Record<string, unknown> {
    if (this.source.format === 'ndjson') return normaliseObjectKeys(item.values, this.specs);
    if (!this.mapping) {
      this.mapping = mapHeader(this.source.columns(), this.specs);
      this.onHeader(this.mapping);
    }
    const out: Record<string, unknown> = {};
    const columns = this.source.columns();
    this.mapping.fields.forEach((spec, i) => {
      if (spec) out[spec.name] = item.values[columns[i]!];
    });
    return out;
  }

  rejectColumns(): string[] {
    return this.source.format === 'ndjson' ? this.specs.map((s) => s.name) : this.source.columns();
  }

  rejectValues(item: SourceItem): Record<string, string> {
    if (this.source.format === 'csv') return item.original;
    const normalised = normaliseObjectKeys(item.original, this.specs);
    return Object.fromEntries(Object.entries(normalised).map(([k, v]) => [k, cellText(v)]));
  }
}

function checkHeader(kind: Kind, m: HeaderMapping, needsManagingOrg: boolean): void {
  if (m.missingRequired.length) {
    throw new UsageError(
      `文件缺少必需的列 / missing required column(s): ${m.missingRequired.map((s) => `${s.name}（${s.label}）`).join(', ')} — 见 docs/import-formats.md`,
    );
  }
  if (needsManagingOrg && !m.fields.some((f) => f?.name === 'managingOrganization')) {
    throw new UsageError('导入患者需要指定管理机构：请使用 --org <机构标识>，或在文件中提供 managingOrganization 列 / patients need a managing organization: pass --org <identifier> or add a managingOrganization column');
  }
  if (m.unknown.length) say(`忽略未知的列 / ignoring unknown column(s): ${m.unknown.join(', ')}（${kind}）`);
  if (m.duplicated.length) say(`忽略重复的列 / ignoring repeated column(s): ${m.duplicated.join(', ')}`);
}

/** Rows per registerMany call on a direct import: big enough to amortise the per-batch queries, small enough for memory. */
const IMPORT_BATCH_SIZE = 1000;

function parseConcurrency(v: string | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new UsageError(`--concurrency 应为 1-64 的整数 / must be a whole number from 1 to 64 (got ${v})`);
  return n;
}

/** Birth date a patient row will be registered with: the one in the ID number when there is one. */
function birthDateKey(input: { idNumber?: string | null | undefined; birthDate?: string | undefined }): string {
  const id = input.idNumber?.trim();
  if (id && /^\d{17}[\dXx]$/.test(id)) return `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  return input.birthDate ?? '-';
}

export async function runImportCommand(kind: Kind, file: string, opts: ImportOptions, config: Config, signal: AbortSignal): Promise<void> {
  const input = path.resolve(file);
  const format = detectFormat(input, opts.format);
  const rejectsPath = path.resolve(opts.rejects ?? `${input}.rejects.csv`);
  if (rejectsPath === input) throw new UsageError('--rejects 不能与输入文件相同 / must differ from the input file');
  // Open (and check) the file before the database, so a typo in the path costs nothing.
  const source = openSource(input, { format, encoding: opts.encoding });

  const target = await openTarget(config, { allowServer: true });
  let backend: CliBackend;
  let close = async () => {};
  if (target.kind === 'direct') {
    close = () => target.platform.database.close();
    try {
      await prepareDirect(target.platform, config);
    } catch (e) {
      await close();
      throw e;
    }
    backend = new DirectBackend(target.platform);
  } else {
    backend = new ServerBackend(await connectToServer(target, config, opts));
  }
  try {
    const summary = kind === 'organizations'
      ? await importOrganizations(backend, source, rejectsPath, opts, signal)
      : await importPatients(backend, source, rejectsPath, opts, signal, target.kind === 'direct' && !!config.databaseUrl);
    report(kind, input, backend.via, summary, opts.json);
  } catch (e) {
    if (e instanceof ImportAborted) {
      if (e.reason instanceof UsageError) throw e.reason;
      report(kind, input, backend.via, e.summary, opts.json, true);
      throw new FatalError(`导入中止，已写入的行保留，修复后重新运行同一文件即可（已导入的行会作为重复跳过） / import stopped; rows written so far stay, and re-running the same file skips them: ${(e.reason as Error).message}`);
    }
    throw e;
  } finally {
    await close();
  }
}

function report(kind: Kind, input: string, via: string, s: ImportSummary, json?: boolean, aborted = false): void {
  if (json) {
    print(JSON.stringify({ kind, file: input, via, ...s, aborted }));
    return;
  }
  const by = Object.entries(s.rejectedBy).map(([k, n]) => `${k} ${n}`).join(', ');
  print(
    [
      `${aborted ? '导入中止 / import stopped' : s.interrupted ? '导入已中断 / import interrupted' : '导入完成 / import finished'}: ${kind} ← ${input} (via ${via})`,
      `  读取 read:      ${s.read}`,
      `  导入 imported:  ${s.imported}`,
      `  拒绝 rejected:  ${s.rejected}${by ? `  (${by})` : ''}`,
      ...(s.rejectsPath ? [`  拒绝文件 rejects: ${s.rejectsPath}`] : []),
      `  用时 elapsed:   ${(s.elapsedMs / 1000).toFixed(1)} s, ${s.rowsPerSecond} 行/秒 rows/s`,
    ].join('\n'),
  );
}

async function importOrganizations(backend: CliBackend, source: RecordSource, rejectsPath: string, opts: ImportOptions, signal: AbortSignal): Promise<ImportSummary> {
  const reader = new FieldReader(source, organizationFields, (m) => checkHeader('organizations', m, false));
  const job: ImportJob<OrganizationInput> = {
    source,
    label: '导入机构 organizations',
    rejectsPath,
    progress: opts.progress,
    signal,
    // In file order, one at a time: a row may name an organization of an earlier row as its supervisor.
    concurrency: 1,
    rejectColumns: () => reader.rejectColumns(),
    rejectValues: (item) => reader.rejectValues(item),
    prepare: (item) => {
      const r = toOrganizationInput(reader.values(item));
      return r.ok ? { ok: true, value: r.value, key: 'organizations' } : r;
    },
    apply: async (value) => {
      await backend.createOrganization(value);
    },
  };
  return runImport(job);
}

async function importPatients(
  backend: CliBackend,
  source: RecordSource,
  rejectsPath: string,
  opts: ImportOptions,
  signal: AbortSignal,
  postgres: boolean,
): Promise<ImportSummary> {
  let defaultOrg: OrganizationRef | null = null;
  if (opts.org) {
    defaultOrg = await backend.findOrganization(opts.org);
    if (!defaultOrg) throw new UsageError(`--org：机构 ${opts.org} 不存在 / organization ${opts.org} not found`);
  }
  const registrar = await backend.registrarOrganization();
  if (registrar === null) {
    throw new UsageError(
      '通过服务器导入患者需要一个属于某机构、有临床访问依据的账号（例如医共体管理员），请用 --admin-user 指定 / importing patients through the server needs an account attached to an organization (e.g. an alliance administrator): pass --admin-user',
    );
  }
  const needsOrgColumn = !defaultOrg && registrar === 'any';
  const reader = new FieldReader(source, patientFields, (m) => checkHeader('patients', m, needsOrgColumn));

  const orgCache = new Map<string, Promise<OrganizationRef | null>>();
  const resolveOrg = (v: string) => {
    let p = orgCache.get(v);
    if (!p) orgCache.set(v, (p = backend.findOrganization(v)));
    return p;
  };

  /** Where a row goes: its managing organization and the organization the import acts for. */
  const placeOf = async ({ input, managingOrganization }: PatientRow) => {
    let managing: OrganizationRef | null = defaultOrg;
    if (managingOrganization) {
      managing = await resolveOrg(managingOrganization);
      if (!managing) throw new AppError('invalid', `机构 ${managingOrganization} 不存在 / organization not found`, { path: 'managingOrganization' });
    }
    if (!managing && registrar === 'any') {
      throw new AppError('invalid', '未指定管理机构：请填写 managingOrganization 列或使用 --org / no managing organization', { path: 'managingOrganization' });
    }
    const row = { ...input, managingOrganizationId: managing?.id ?? null };
    // A row confirmed as "not a duplicate" has no ID number to make a re-run safe: it is refused when the very same
    // person (name, birth date, sex, phone, managing organization) is already there — the row of an earlier run.
    const rerunCheck = row.confirmNotDuplicate && !row.idNumber && row.birthDate && row.sex && managing
      ? { name: row.name, birthDate: row.birthDate, sex: row.sex, phone: row.phone ?? null, managingOrganizationId: managing.id }
      : null;
    return { row, onBehalfOf: (defaultOrg ?? managing)?.id ?? '', rerunCheck };
  };
  const registerOne = async ({ row, onBehalfOf, rerunCheck }: Awaited<ReturnType<typeof placeOf>>) => {
    if (rerunCheck && (await backend.hasIdenticalPatient(rerunCheck, onBehalfOf))) {
      throw new AppError('duplicate', '已有姓名、出生日期、性别、手机号和管理机构完全相同的患者（多为上次导入的同一行），未重复登记 / an identical patient is already registered (likely imported by an earlier run)');
    }
    await backend.registerPatient(row, onBehalfOf);
  };

  const registerPatients = backend.registerPatients?.bind(backend);
  const job: ImportJob<PatientRow> = {
    source,
    label: '导入患者 patients',
    rejectsPath,
    progress: opts.progress,
    signal,
    concurrency: parseConcurrency(opts.concurrency, backend.via === 'server' ? 4 : postgres ? 8 : 1),
    rejectColumns: () => reader.rejectColumns(),
    rejectValues: (item) => reader.rejectValues(item),
    prepare: (item) => {
      const r = toPatientRow(reader.values(item));
      return r.ok ? { ok: true, value: r.value, key: birthDateKey(r.value.input) } : r;
    },
    apply: async (value) => registerOne(await placeOf(value)),
    // Directly on the database, rows are registered a batch at a time (PatientService.registerMany), in file order
    // and with the outcome of registering them one by one: consecutive rows acting for the same organization go
    // together; a confirmed row without an ID number goes alone, after the rows before it, for its re-run check.
    batchSize: IMPORT_BATCH_SIZE,
    applyBatch: registerPatients && (async (values, done) => {
      let group: { index: number; row: PatientInput }[] = [];
      let groupFor = '';
      const registerGroup = async () => {
        if (group.length === 0) return;
        const results = await registerPatients(group.map((g) => g.row), groupFor);
        results.forEach((r, k) => done(group[k]!.index, r.ok ? null : r.error));
        group = [];
      };
      for (const [index, value] of values.entries()) {
        let place: Awaited<ReturnType<typeof placeOf>>;
        try {
          place = await placeOf(value);
        } catch (e) {
          if (!(e instanceof AppError)) throw e;
          done(index, e);
          continue;
        }
        if (place.rerunCheck) {
          await registerGroup();
          try {
            await registerOne(place);
            done(index, null);
          } catch (e) {
            if (!(e instanceof AppError)) throw e;
            done(index, e);
          }
          continue;
        }
        if (group.length && place.onBehalfOf !== groupFor) await registerGroup();
        groupFor = place.onBehalfOf;
        group.push({ index, row: place.row });
      }
      await registerGroup();
    }),
  };
  return runImport(job);
}

import { z } from 'zod';
import { MediaError, type MediaIssue } from './media-error.js';

/** The twelve leads of a resting ECG, in the standard order (limb, augmented, precordial). */
export const ecgLeads = ['I', 'II', 'III', 'aVR', 'aVL', 'aVF', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'] as const;
export type EcgLead = (typeof ecgLeads)[number];
/** The eight independent leads; the other four follow from Einthoven's and Goldberger's equations. */
export const independentEcgLeads = ['I', 'II', 'V1', 'V2', 'V3', 'V4', 'V5', 'V6'] as const satisfies readonly EcgLead[];

/** Limits of docs/ecg-format.md. */
export const ecgLimits = {
  minSamplingRateHz: 100,
  maxSamplingRateHz: 2000,
  minDurationS: 2,
  maxDurationS: 120,
  /** ±20 mV: beyond it the values are almost surely in the wrong unit (mV or nV instead of µV). */
  maxAbsMicrovolts: 20_000,
} as const;

export const ecgFormatName = 'yilian-ecg';
export const ecgFormatVersion = 1;

const patientSchema = z
  .object({
    id: z.string().trim().min(1).optional(),
    name: z.string().trim().min(1).optional(),
    sex: z.enum(['M', 'F', 'O', 'U']).optional(),
    birthDate: z.iso.date().optional(),
  })
  .strict();
const deviceSchema = z
  .object({
    manufacturer: z.string().trim().min(1).optional(),
    model: z.string().trim().min(1).optional(),
    serialNumber: z.string().trim().min(1).optional(),
  })
  .strict();
const filterSchema = z
  .object({
    highPassHz: z.number().positive().optional(),
    lowPassHz: z.number().positive().optional(),
    notchHz: z.number().positive().optional(),
  })
  .strict();

/** Metadata shared by the JSON and CSV forms. */
const metadataShape = {
  format: z.literal(ecgFormatName).optional(),
  version: z.literal(ecgFormatVersion).optional(),
  samplingRateHz: z.number().min(ecgLimits.minSamplingRateHz).max(ecgLimits.maxSamplingRateHz),
  units: z.enum(['uV', 'µV']).optional(),
  /** Stated duration in seconds; if present it must match the samples to within one sample. */
  durationS: z.number().positive().optional(),
  acquiredAt: z.iso.datetime({ offset: true }).optional(),
  patient: patientSchema.optional(),
  device: deviceSchema.optional(),
  filter: filterSchema.optional(),
};

/** The JSON form: metadata plus `leads`, a map from lead name to samples in µV. */
export const ecgJsonSchema = z
  .object({
    ...metadataShape,
    leads: z.record(z.string(), z.array(z.unknown())),
  })
  .strict();

/** A parsed and validated 12-lead ECG: every lead present, equal lengths, in µV. */
export interface EcgRecord {
  samplingRateHz: number;
  units: 'uV';
  sampleCount: number;
  durationS: number;
  leads: Record<EcgLead, number[]>;
  /** Leads computed from I and II because the file carried only the eight independent leads. */
  derivedLeads: EcgLead[];
  acquiredAt?: string;
  patient?: z.infer<typeof patientSchema>;
  device?: z.infer<typeof deviceSchema>;
  filter?: z.infer<typeof filterSchema>;
  /** Things accepted but worth telling (unknown CSV metadata keys). */
  warnings: string[];
}

const leadByLowerName = new Map<string, EcgLead>(ecgLeads.map((l) => [l.toLowerCase(), l]));

/** Lead names are matched without regard to case ("AVR", "v1"), as devices write them differently. */
export function normalizeLeadName(name: string): EcgLead | null {
  return leadByLowerName.get(name.trim().toLowerCase()) ?? null;
}

const zh: Record<string, string> = {
  samplingRateHz: '采样率',
  units: '单位',
  durationS: '时长',
  acquiredAt: '采集时间',
  'patient.birthDate': '出生日期',
  'patient.sex': '性别',
};

/** zod issues → our bilingual issues. */
function fromZod(error: z.ZodError, prefix = ''): MediaIssue[] {
  return error.issues.map((i) => {
    const path = prefix + i.path.map(String).join('.');
    const label = zh[i.path.map(String).join('.')] ?? path;
    if (i.path[0] === 'samplingRateHz' && (i.code === 'too_small' || i.code === 'too_big')) {
      return {
        path,
        message: `采样率须在 ${ecgLimits.minSamplingRateHz}–${ecgLimits.maxSamplingRateHz} Hz 之间`,
        messageEn: `sampling rate must be between ${ecgLimits.minSamplingRateHz} and ${ecgLimits.maxSamplingRateHz} Hz`,
      };
    }
    if (i.code === 'unrecognized_keys') {
      const keys = i.keys.join(', ');
      return { path: path || '(root)', message: `无法识别的字段：${keys}`, messageEn: `unknown field(s): ${keys}` };
    }
    if (i.code === 'invalid_type' && i.input === undefined) {
      return { path, message: `${label}缺失`, messageEn: `${path} is required` };
    }
    return { path, message: `${label}无效：${i.message}`, messageEn: `${path} is invalid: ${i.message}` };
  });
}

function fail(issues: MediaIssue[], source: 'JSON' | 'CSV'): never {
  const head = issues.slice(0, 5);
  const more = issues.length > head.length ? `（另有 ${issues.length - head.length} 处）` : '';
  const moreEn = issues.length > head.length ? ` (and ${issues.length - head.length} more)` : '';
  throw new MediaError(
    'ecg_invalid',
    `心电图 ${source} 文件不符合格式（docs/ecg-format.md）：${head.map((i) => `${i.path}：${i.message}`).join('；')}${more}`,
    `The ECG ${source} file does not follow the format (docs/ecg-format.md): ${head.map((i) => `${i.path}: ${i.messageEn}`).join('; ')}${moreEn}`,
    { path: issues[0]?.path, issues },
  );
}

type Metadata = Omit<z.infer<typeof ecgJsonSchema>, 'leads'>;

/**
 * Checks leads and samples and builds the record: known lead names, no lead twice, either all twelve leads or the
 * eight independent ones (the rest derived), equal lengths, finite numbers within ±20 mV, duration 2–120 s.
 */
function buildRecord(
  meta: Metadata,
  rawLeads: Array<{ name: string; values: unknown[]; path: string; locate: (index: number) => string }>,
  source: 'JSON' | 'CSV',
  warnings: string[],
): EcgRecord {
  const issues: MediaIssue[] = [];
  const leads = new Map<EcgLead, number[]>();
  for (const raw of rawLeads) {
    const lead = normalizeLeadName(raw.name);
    if (!lead) {
      issues.push({
        path: raw.path,
        message: `未知导联“${raw.name}”；允许的导联为 ${ecgLeads.join('、')}`,
        messageEn: `unknown lead "${raw.name}"; allowed leads are ${ecgLeads.join(', ')}`,
      });
      continue;
    }
    if (leads.has(lead)) {
      issues.push({ path: raw.path, message: `导联 ${lead} 出现了两次`, messageEn: `lead ${lead} appears twice` });
      continue;
    }
    const values: number[] = new Array<number>(raw.values.length);
    let bad = 0;
    for (let i = 0; i < raw.values.length; i++) {
      const v = raw.values[i];
      const n = typeof v === 'number' ? v : NaN;
      if (!Number.isFinite(n)) {
        if (bad++ < 3) {
          issues.push({
            path: raw.locate(i),
            message: `导联 ${lead} 第 ${i + 1} 个采样值“${String(v)}”不是数字`,
            messageEn: `lead ${lead} sample ${i + 1} "${String(v)}" is not a number`,
          });
        }
      } else if (Math.abs(n) > ecgLimits.maxAbsMicrovolts) {
        if (bad++ < 3) {
          issues.push({
            path: raw.locate(i),
            message: `导联 ${lead} 第 ${i + 1} 个采样值 ${n} 超出 ±${ecgLimits.maxAbsMicrovolts} µV（单位应为 µV）`,
            messageEn: `lead ${lead} sample ${i + 1} = ${n} is beyond ±${ecgLimits.maxAbsMicrovolts} µV (values must be in µV)`,
          });
        }
      }
      values[i] = n;
    }
    leads.set(lead, values);
  }
  const present = [...leads.keys()];
  const hasAll = ecgLeads.every((l) => leads.has(l));
  const hasIndependent = independentEcgLeads.every((l) => leads.has(l));
  if (issues.length === 0 && !hasAll && !hasIndependent) {
    const missing = (hasIndependent ? ecgLeads : independentEcgLeads).filter((l) => !leads.has(l));
    issues.push({
      path: 'leads',
      message: `缺少导联 ${missing.join('、')}：须有全部 12 个导联，或至少 I、II、V1–V6 八个独立导联`,
      messageEn: `missing lead(s) ${missing.join(', ')}: all 12 leads are required, or at least the 8 independent leads I, II, V1–V6`,
    });
  }
  const lengths = new Set(present.map((l) => leads.get(l)!.length));
  if (lengths.size > 1) {
    const detail = present.map((l) => `${l}=${leads.get(l)!.length}`).join(', ');
    issues.push({
      path: 'leads',
      message: `各导联采样数不一致（${detail}）`,
      messageEn: `leads have different numbers of samples (${detail})`,
    });
  }
  const sampleCount = present.length > 0 ? leads.get(present[0]!)!.length : 0;
  const durationS = sampleCount / meta.samplingRateHz;
  if (lengths.size <= 1 && durationS < ecgLimits.minDurationS) {
    issues.push({
      path: 'leads',
      message: `记录过短：${sampleCount} 个采样点 ÷ ${meta.samplingRateHz} Hz = ${durationS.toFixed(2)} 秒，至少需要 ${ecgLimits.minDurationS} 秒`,
      messageEn: `recording too short: ${sampleCount} samples ÷ ${meta.samplingRateHz} Hz = ${durationS.toFixed(2)} s, at least ${ecgLimits.minDurationS} s is required`,
    });
  }
  if (lengths.size <= 1 && durationS > ecgLimits.maxDurationS) {
    issues.push({
      path: 'leads',
      message: `记录过长：${durationS.toFixed(1)} 秒，静息心电图最多 ${ecgLimits.maxDurationS} 秒`,
      messageEn: `recording too long: ${durationS.toFixed(1)} s, a resting ECG may be at most ${ecgLimits.maxDurationS} s`,
    });
  }
  if (meta.durationS !== undefined && lengths.size <= 1 && Math.abs(meta.durationS - durationS) > 1 / meta.samplingRateHz) {
    issues.push({
      path: 'durationS',
      message: `声明的时长 ${meta.durationS} 秒与采样数不符（${sampleCount} ÷ ${meta.samplingRateHz} Hz = ${durationS} 秒）`,
      messageEn: `stated duration ${meta.durationS} s does not match the samples (${sampleCount} ÷ ${meta.samplingRateHz} Hz = ${durationS} s)`,
    });
  }
  if (issues.length > 0) fail(issues, source);

  const derived: EcgLead[] = [];
  if (!hasAll) {
    // Einthoven (III = II − I) and Goldberger (aVR = −(I+II)/2, aVL = I − II/2, aVF = II − I/2).
    const I = leads.get('I')!;
    const II = leads.get('II')!;
    const derive = (lead: EcgLead, f: (i: number, ii: number) => number) => {
      if (leads.has(lead)) return;
      leads.set(lead, I.map((a, k) => Math.round(f(a, II[k]!) * 10) / 10 || 0));
      derived.push(lead);
    };
    derive('III', (a, b) => b - a);
    derive('aVR', (a, b) => -(a + b) / 2);
    derive('aVL', (a, b) => a - b / 2);
    derive('aVF', (a, b) => b - a / 2);
  }
  const record: EcgRecord = {
    samplingRateHz: meta.samplingRateHz,
    units: 'uV',
    sampleCount,
    durationS,
    leads: Object.fromEntries(ecgLeads.map((l) => [l, leads.get(l)!])) as Record<EcgLead, number[]>,
    derivedLeads: derived,
    warnings,
  };
  if (meta.acquiredAt) record.acquiredAt = meta.acquiredAt;
  if (meta.patient) record.patient = meta.patient;
  if (meta.device) record.device = meta.device;
  if (meta.filter) record.filter = meta.filter;
  return record;
}

/** Parses and validates the JSON form (text or an already parsed value). Throws MediaError `ecg_invalid`. */
export function parseEcgJson(input: string | unknown): EcgRecord {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input.replace(/^\uFEFF/, ''));
    } catch (cause) {
      fail([{ path: '(file)', message: `不是有效的 JSON：${(cause as Error).message}`, messageEn: `not valid JSON: ${(cause as Error).message}` }], 'JSON');
    }
  }
  const parsed = ecgJsonSchema.safeParse(value);
  if (!parsed.success) fail(fromZod(parsed.error), 'JSON');
  const { leads, ...meta } = parsed.data;
  return buildRecord(
    meta,
    Object.entries(leads).map(([name, values]) => ({ name, values, path: `leads.${name}`, locate: (i) => `leads.${name}[${i}]` })),
    'JSON',
    [],
  );
}

/** CSV metadata keys (`# key: value`) → the JSON field they fill. */
const csvKeys: Record<string, (m: Record<string, unknown>, v: string) => void> = {
  format: (m, v) => (m['format'] = v),
  version: (m, v) => (m['version'] = Number(v)),
  samplingRateHz: (m, v) => (m['samplingRateHz'] = v === '' ? undefined : Number(v)),
  units: (m, v) => (m['units'] = v),
  durationS: (m, v) => (m['durationS'] = Number(v)),
  acquiredAt: (m, v) => (m['acquiredAt'] = v),
  'patient.id': (m, v) => nested(m, 'patient', 'id', v),
  'patient.name': (m, v) => nested(m, 'patient', 'name', v),
  'patient.sex': (m, v) => nested(m, 'patient', 'sex', v),
  'patient.birthDate': (m, v) => nested(m, 'patient', 'birthDate', v),
  'device.manufacturer': (m, v) => nested(m, 'device', 'manufacturer', v),
  'device.model': (m, v) => nested(m, 'device', 'model', v),
  'device.serialNumber': (m, v) => nested(m, 'device', 'serialNumber', v),
  'filter.highPassHz': (m, v) => nested(m, 'filter', 'highPassHz', Number(v)),
  'filter.lowPassHz': (m, v) => nested(m, 'filter', 'lowPassHz', Number(v)),
  'filter.notchHz': (m, v) => nested(m, 'filter', 'notchHz', Number(v)),
};
function nested(m: Record<string, unknown>, group: string, key: string, v: unknown): void {
  const g = (m[group] ??= {}) as Record<string, unknown>;
  g[key] = v;
}

/**
 * Parses and validates the CSV form: leading `# key: value` metadata lines, then a header line of lead names,
 * then one line per sample. Comma-separated (a semicolon or tab is accepted when the header uses it). Throws
 * MediaError `ecg_invalid` with line and column in each issue's path (`line 14, V3`).
 */
export function parseEcgCsv(text: string): EcgRecord {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const meta: Record<string, unknown> = {};
  const warnings: string[] = [];
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    if (!line.startsWith('#')) break;
    const m = /^#\s*([A-Za-z][\w.]*)\s*[:=]\s*(.*)$/.exec(line);
    if (!m) continue; // a free comment
    const set = csvKeys[m[1]!];
    if (set) set(meta, m[2]!.trim());
    else warnings.push(`ignored metadata key "${m[1]}" on line ${i + 1}`);
  }
  const headerLine = lines[i];
  if (headerLine === undefined) {
    fail([{ path: 'header', message: '缺少导联名称标题行', messageEn: 'the header line with lead names is missing' }], 'CSV');
  }
  const sep = headerLine.includes(',') ? ',' : headerLine.includes(';') ? ';' : headerLine.includes('\t') ? '\t' : ',';
  const names = headerLine.split(sep).map((s) => s.trim().replace(/^"(.*)"$/, '$1'));
  const headerLineNo = i + 1;
  const metaParsed = z.object(metadataShape).strict().safeParse(meta);
  if (!metaParsed.success) fail(fromZod(metaParsed.error, '# '), 'CSV');

  const columns: unknown[][] = names.map(() => []);
  const rowIssues: MediaIssue[] = [];
  for (let r = i + 1; r < lines.length; r++) {
    const line = lines[r]!;
    if (line.trim() === '') continue;
    const cells = line.split(sep);
    if (cells.length !== names.length) {
      if (rowIssues.length < 3) {
        rowIssues.push({
          path: `line ${r + 1}`,
          message: `第 ${r + 1} 行有 ${cells.length} 列，标题行有 ${names.length} 列`,
          messageEn: `line ${r + 1} has ${cells.length} columns, the header has ${names.length}`,
        });
      }
      continue;
    }
    cells.forEach((c, k) => {
      const t = c.trim();
      columns[k]!.push(t === '' ? c : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t) ? Number(t) : t);
    });
  }
  if (rowIssues.length > 0) fail(rowIssues, 'CSV');
  // Line numbers of the data rows, for issue paths.
  const dataLines: number[] = [];
  for (let r = i + 1; r < lines.length; r++) if (lines[r]!.trim() !== '') dataLines.push(r + 1);
  return buildRecord(
    metaParsed.data,
    names.map((name, k) => ({
      name,
      values: columns[k]!,
      path: `line ${headerLineNo}, column ${k + 1}`,
      locate: (idx: number) => `line ${dataLines[idx] ?? '?'}, ${name}`,
    })),
    'CSV',
    warnings,
  );
}

/**
 * Parses a file in either form, telling them apart by content: JSON starts with "{" (after blanks), anything else
 * is read as CSV.
 */
export function parseEcgFile(text: string): EcgRecord {
  return /^\uFEFF?\s*\{/.test(text) ? parseEcgJson(text) : parseEcgCsv(text);
}

/** The JSON form of a record (all twelve leads, integer µV as stored). */
export function formatEcgJson(record: EcgRecord): string {
  const out: Record<string, unknown> = {
    format: ecgFormatName,
    version: ecgFormatVersion,
    samplingRateHz: record.samplingRateHz,
    units: 'uV',
    durationS: record.durationS,
  };
  if (record.acquiredAt) out['acquiredAt'] = record.acquiredAt;
  if (record.patient) out['patient'] = record.patient;
  if (record.device) out['device'] = record.device;
  if (record.filter) out['filter'] = record.filter;
  out['leads'] = Object.fromEntries(ecgLeads.map((l) => [l, record.leads[l]]));
  return JSON.stringify(out);
}

/** The CSV form of a record: metadata comments, the header of the twelve leads, one line per sample. */
export function formatEcgCsv(record: EcgRecord): string {
  const lines: string[] = [
    `# format: ${ecgFormatName}`,
    `# version: ${ecgFormatVersion}`,
    `# samplingRateHz: ${record.samplingRateHz}`,
    '# units: uV',
    `# durationS: ${record.durationS}`,
  ];
  if (record.acquiredAt) lines.push(`# acquiredAt: ${record.acquiredAt}`);
  for (const group of ['patient', 'device', 'filter'] as const) {
    const g = record[group] as Record<string, unknown> | undefined;
    if (g) for (const [k, v] of Object.entries(g)) if (v !== undefined) lines.push(`# ${group}.${k}: ${String(v)}`);
  }
  lines.push(ecgLeads.join(','));
  const cols = ecgLeads.map((l) => record.leads[l]);
  for (let i = 0; i < record.sampleCount; i++) lines.push(cols.map((c) => String(c[i])).join(','));
  return `${lines.join('\n')}\n`;
}

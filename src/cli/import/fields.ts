import type { z } from 'zod';
import { organizationInputSchema, type OrganizationInput } from '../../contracts/network.js';
import { patientInputSchema, type PatientInput } from '../../contracts/patient.js';

/**
 * Columns of the import files (docs/import-formats.md). Each column has its English name (the field of the zod
 * contract) and Chinese aliases, so a spreadsheet with Chinese headers imports without renaming. Values arrive as
 * strings from CSV and as JSON values from NDJSON; `coerce` turns both into what the contract expects, then the
 * contract itself validates — the same schema the HTTP API uses, so the CLI accepts exactly what the API accepts.
 */
type Kind = 'string' | 'int' | 'number' | 'bool' | 'list' | 'date' | 'sex' | 'idNumber' | 'code';

export interface FieldSpec {
  name: string;
  label: string;
  aliases: readonly string[];
  kind: Kind;
  required?: boolean;
}

export const organizationFields: readonly FieldSpec[] = [
  { name: 'identifier', label: '机构标识', aliases: ['机构标识', '统一社会信用代码', '机构代码'], kind: 'string', required: true },
  { name: 'identifierKind', label: '标识类型', aliases: ['标识类型'], kind: 'code' },
  { name: 'name', label: '机构名称', aliases: ['机构名称', '名称'], kind: 'string', required: true },
  { name: 'shortName', label: '简称', aliases: ['简称'], kind: 'string' },
  { name: 'tier', label: '机构层级', aliases: ['机构层级', '层级'], kind: 'code', required: true },
  { name: 'hospitalLevel', label: '医院级别', aliases: ['医院级别', '级别'], kind: 'code' },
  { name: 'hospitalGrade', label: '医院等次', aliases: ['医院等次', '等次'], kind: 'code' },
  { name: 'ownership', label: '所有制', aliases: ['所有制', '经济类型'], kind: 'code' },
  { name: 'beds', label: '床位数', aliases: ['床位数', '床位'], kind: 'int' },
  { name: 'divisionCode', label: '行政区划代码', aliases: ['行政区划代码', '区划代码'], kind: 'string', required: true },
  { name: 'addressLine', label: '地址', aliases: ['地址'], kind: 'string' },
  { name: 'phone', label: '电话', aliases: ['电话', '联系电话'], kind: 'string' },
  { name: 'supervisorIdentifier', label: '上级监管机构', aliases: ['上级监管机构', '上级机构'], kind: 'string' },
  { name: 'isCentral', label: '中心卫生院', aliases: ['中心卫生院', '是否中心卫生院'], kind: 'bool' },
  { name: 'meetsCapabilityStandard', label: '达到服务能力标准', aliases: ['达到服务能力标准', '达标'], kind: 'bool' },
  { name: 'latitude', label: '纬度', aliases: ['纬度'], kind: 'number' },
  { name: 'longitude', label: '经度', aliases: ['经度'], kind: 'number' },
];

export const patientFields: readonly FieldSpec[] = [
  { name: 'idNumber', label: '身份证号码', aliases: ['身份证号码', '身份证号', '公民身份号码'], kind: 'idNumber' },
  { name: 'name', label: '姓名', aliases: ['姓名'], kind: 'string', required: true },
  { name: 'sex', label: '性别', aliases: ['性别'], kind: 'sex' },
  { name: 'birthDate', label: '出生日期', aliases: ['出生日期'], kind: 'date' },
  { name: 'phone', label: '手机号', aliases: ['手机号', '手机号码', '联系电话', '电话'], kind: 'string' },
  { name: 'residenceDivisionCode', label: '居住地区划代码', aliases: ['居住地区划代码', '现住址区划代码'], kind: 'string' },
  { name: 'addressLine', label: '地址', aliases: ['地址', '现住址'], kind: 'string' },
  {
    name: 'managingOrganization', label: '管理机构', aliases: ['管理机构', '管理机构标识', 'managingOrganizationId', 'managingOrganizationIdentifier'],
    kind: 'string',
  },
  { name: 'familyDoctorTeam', label: '家庭医生团队', aliases: ['家庭医生团队', '签约团队'], kind: 'string' },
  { name: 'chronicConditions', label: '慢性病', aliases: ['慢性病', '慢性病编码'], kind: 'list' },
  { name: 'confirmNotDuplicate', label: '确认非重复', aliases: ['确认非重复', '确认不是同一人'], kind: 'bool' },
];

/** Columns the importer writes into reject files and ignores when a reject file is imported again. */
export const REJECT_COLUMNS = ['line', 'reason'] as const;

const normaliseHeader = (h: string): string => h.replace(/^\uFEFF/, '').trim().toLowerCase().replace(/[\s_-]/g, '');

export interface HeaderMapping {
  /** For each column of the file, the field it feeds, or null when ignored. */
  fields: (FieldSpec | null)[];
  unknown: string[];
  missingRequired: FieldSpec[];
  duplicated: string[];
}

/** Maps a file's header row to fields, by English name or Chinese alias (case, spaces, `_` and `-` ignored). */
export function mapHeader(header: readonly string[], specs: readonly FieldSpec[]): HeaderMapping {
  const byKey = new Map<string, FieldSpec>();
  for (const s of specs) for (const key of [s.name, ...s.aliases]) byKey.set(normaliseHeader(key), s);
  const seen = new Set<string>();
  const unknown: string[] = [];
  const duplicated: string[] = [];
  const fields = header.map((h) => {
    const key = normaliseHeader(h);
    if ((REJECT_COLUMNS as readonly string[]).includes(key)) return null;
    const spec = byKey.get(key) ?? null;
    if (!spec) {
      if (key) unknown.push(h);
      return null;
    }
    if (seen.has(spec.name)) {
      duplicated.push(h);
      return null;
    }
    seen.add(spec.name);
    return spec;
  });
  return { fields, unknown, duplicated, missingRequired: specs.filter((s) => s.required && !seen.has(s.name)) };
}

/** Turns an NDJSON object's keys (English or Chinese) into field names; unknown keys are dropped. */
export function normaliseObjectKeys(obj: Record<string, unknown>, specs: readonly FieldSpec[]): Record<string, unknown> {
  const byKey = new Map<string, FieldSpec>();
  for (const s of specs) for (const key of [s.name, ...s.aliases]) byKey.set(normaliseHeader(key), s);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const spec = byKey.get(normaliseHeader(k));
    if (spec && out[spec.name] === undefined) out[spec.name] = v;
  }
  return out;
}

type Coerced = { ok: true; value: unknown } | { ok: false; message: string };

const TRUE = new Set(['true', '1', 'yes', 'y', '是', '对', 't']);
const FALSE = new Set(['false', '0', 'no', 'n', '否', '不是', 'f']);

/** Converts one cell to the type the contract wants; empty cells become undefined so the contract's defaults apply. */
export function coerce(kind: Kind, raw: unknown): Coerced {
  if (raw === null || raw === undefined) return { ok: true, value: undefined };
  if (typeof raw !== 'string') {
    // An 18-digit number is beyond JavaScript's exact integers: the digits would silently change.
    if (kind === 'idNumber') return { ok: false, message: '身份证号码应写成字符串（加引号） / must be a JSON string' };
    return { ok: true, value: raw };
  }
  const s = raw.trim();
  if (s === '') return { ok: true, value: undefined };
  switch (kind) {
    case 'string':
      return { ok: true, value: s };
    case 'code':
      return { ok: true, value: s };
    case 'int': {
      if (!/^[+-]?\d+$/.test(s)) return { ok: false, message: `应为整数 / must be a whole number (got "${s}")` };
      return { ok: true, value: Number(s) };
    }
    case 'number': {
      const n = Number(s);
      if (!Number.isFinite(n)) return { ok: false, message: `应为数字 / must be a number (got "${s}")` };
      return { ok: true, value: n };
    }
    case 'bool': {
      const l = s.toLowerCase();
      if (TRUE.has(l)) return { ok: true, value: true };
      if (FALSE.has(l)) return { ok: true, value: false };
      return { ok: false, message: `应为 true 或 false（是/否） / must be true or false (got "${s}")` };
    }
    case 'list':
      return { ok: true, value: s.split(/[;；,，|、\s]+/).filter(Boolean) };
    case 'date': {
      // Spreadsheets turn 1980-05-07 into 1980/5/7; accept that and 19800507, store ISO.
      const m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$/.exec(s) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(s);
      if (!m) return { ok: true, value: s }; // the contract says what is wrong
      return { ok: true, value: `${m[1]}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}` };
    }
    case 'sex': {
      const l = s.toLowerCase();
      if (['male', 'm', '男', '1'].includes(l)) return { ok: true, value: 'male' };
      if (['female', 'f', '女', '2'].includes(l)) return { ok: true, value: 'female' };
      return { ok: true, value: s };
    }
    case 'idNumber': {
      if (/^\d(\.\d+)?e\+?\d+$/i.test(s)) {
        return {
          ok: false,
          message: `身份证号码被表格软件转成了科学计数法（${s}），请把该列设为“文本”格式后重新导出 / the ID number was turned into scientific notation by a spreadsheet; format the column as text`,
        };
      }
      return { ok: true, value: s.replace(/\s/g, '') };
    }
  }
}

export type RowResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Builds a plain object of field values from a record, collecting conversion errors. */
function collect(values: Record<string, unknown>, specs: readonly FieldSpec[]): RowResult<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const spec of specs) {
    const c = coerce(spec.kind, values[spec.name]);
    if (!c.ok) problems.push(`${spec.name}: ${c.message}`);
    else if (c.value !== undefined) out[spec.name] = c.value;
  }
  for (const spec of specs) {
    if (spec.required && out[spec.name] === undefined && !problems.some((p) => p.startsWith(`${spec.name}:`))) {
      problems.push(`${spec.name}: ${spec.label}不能为空 / required`);
    }
  }
  return problems.length ? { ok: false, reason: problems.join('; ') } : { ok: true, value: out };
}

/** Formats zod issues as `field: message; …` (the contract's messages are Chinese). */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message)).join('; ');
}

export function toOrganizationInput(values: Record<string, unknown>): RowResult<OrganizationInput> {
  const c = collect(values, organizationFields);
  if (!c.ok) return c;
  const parsed = organizationInputSchema.safeParse(c.value);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, reason: formatIssues(parsed.error.issues) };
}

/** A patient row: the contract's input plus the managing organization as written in the file (identifier or id). */
export interface PatientRow {
  input: PatientInput;
  managingOrganization: string | undefined;
}

export function toPatientRow(values: Record<string, unknown>): RowResult<PatientRow> {
  const c = collect(values, patientFields);
  if (!c.ok) return c;
  const { managingOrganization, ...rest } = c.value;
  const parsed = patientInputSchema.safeParse(rest);
  if (!parsed.success) return { ok: false, reason: formatIssues(parsed.error.issues) };
  return { ok: true, value: { input: parsed.data, managingOrganization: typeof managingOrganization === 'string' ? managingOrganization : undefined } };
}

/** The values of a record for the reject file: strings as they were, arrays joined with `;` (re-importable). */
export function cellText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.map(cellText).join(';');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

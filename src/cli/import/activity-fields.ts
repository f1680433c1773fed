import { activityInputSchema, type ActivityInput } from '../../contracts/activity.js';
import { coerce, formatIssues, type FieldSpec, type RowResult } from './fields.js';

/**
 * Columns of `yilian import encounters` (docs/import-formats.md, "Encounters"): the fields of `ActivityInput`
 * (src/contracts/activity.ts) by English name or Chinese alias. Money stays a decimal string — never a float — and
 * the contract validates every row exactly as POST /api/v1/activities/$batch does.
 */
export const activityFields: readonly FieldSpec[] = [
  { name: 'source', label: '来源系统', aliases: ['来源系统', '数据来源'], kind: 'string', required: true },
  { name: 'sourceRecordId', label: '来源记录号', aliases: ['来源记录号', '就诊流水号', '结算流水号', '记录号'], kind: 'string', required: true },
  { name: 'class', label: '就诊类型', aliases: ['就诊类型', '类别', '门诊住院'], kind: 'string', required: true },
  { name: 'patientId', label: '患者ID', aliases: ['患者ID', '患者编号'], kind: 'string' },
  { name: 'residenceDivisionCode', label: '居住地区划代码', aliases: ['居住地区划代码', '户籍区划代码', '参保地区划代码'], kind: 'string', required: true },
  { name: 'facilityId', label: '机构', aliases: ['机构', '机构标识', '就诊机构', '医疗机构'], kind: 'string' },
  { name: 'facilityDivisionCode', label: '机构区划代码', aliases: ['机构区划代码', '就诊地区划代码'], kind: 'string' },
  { name: 'departmentSpecialty', label: '科室专业', aliases: ['科室专业', '科室'], kind: 'string' },
  { name: 'startDate', label: '就诊日期', aliases: ['就诊日期', '入院日期', '开始日期'], kind: 'date', required: true },
  { name: 'endDate', label: '出院日期', aliases: ['出院日期', '结束日期'], kind: 'date' },
  { name: 'diagnoses', label: '诊断', aliases: ['诊断', '诊断编码', 'ICD10'], kind: 'list' },
  { name: 'totalCost', label: '总费用', aliases: ['总费用', '医疗总费用', '费用'], kind: 'string', required: true },
  { name: 'fundPaid', label: '统筹基金支付', aliases: ['统筹基金支付', '基金支付', '医保支付'], kind: 'string' },
  { name: 'insured', label: '参保', aliases: ['参保', '是否参保'], kind: 'bool' },
  { name: 'pharmacy', label: '药店结算', aliases: ['药店结算', '药店'], kind: 'bool' },
  { name: 'viaReferral', label: '经转诊', aliases: ['经转诊', '转诊'], kind: 'bool' },
  { name: 'referralId', label: '转诊单号', aliases: ['转诊单号', '转诊编号'], kind: 'string' },
];

const CLASS_ALIASES: Record<string, ActivityInput['class']> = {
  outpatient: 'outpatient', amb: 'outpatient', o: 'outpatient', 门诊: 'outpatient', 门急诊: 'outpatient', 急诊: 'outpatient',
  inpatient: 'inpatient', imp: 'inpatient', i: 'inpatient', 住院: 'inpatient',
};

/** A JSON number as money, by its shortest decimal form (12.5 → "12.5"); more than two decimals is refused by the contract. */
function moneyText(v: unknown): unknown {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return String(v);
  return v;
}

/** One file record (CSV strings or NDJSON values, keys already normalised) → a valid ActivityInput, or why not. */
export function toActivityInput(values: Record<string, unknown>): RowResult<ActivityInput> {
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const spec of activityFields) {
    let raw = values[spec.name];
    if (spec.name === 'totalCost' || spec.name === 'fundPaid') raw = moneyText(raw);
    if (spec.kind === 'list' && typeof raw === 'string' && raw.trim() === '') raw = undefined;
    const c = coerce(spec.kind, raw);
    if (!c.ok) problems.push(`${spec.name}: ${c.message}`);
    else if (c.value !== undefined) out[spec.name] = c.value;
  }
  if (typeof out.class === 'string') out.class = CLASS_ALIASES[out.class.trim().toLowerCase()] ?? out.class;
  for (const spec of activityFields) {
    if (spec.required && out[spec.name] === undefined && !problems.some((p) => p.startsWith(`${spec.name}:`))) {
      problems.push(`${spec.name}: ${spec.label}不能为空 / required`);
    }
  }
  if (problems.length) return { ok: false, reason: problems.join('; ') };
  const parsed = activityInputSchema.safeParse(out);
  if (!parsed.success) return { ok: false, reason: formatIssues(parsed.error.issues) };
  const a = parsed.data;
  if (!a.facilityId && !a.facilityDivisionCode) return { ok: false, reason: 'facilityId: 机构或机构区划代码至少填写一项 / give facilityId or facilityDivisionCode' };
  if (a.class === 'inpatient' && a.endDate && a.endDate < a.startDate) return { ok: false, reason: 'endDate: 出院日期早于入院日期 / before the admission date' };
  return { ok: true, value: a };
}

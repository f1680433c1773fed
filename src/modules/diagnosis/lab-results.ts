import type { LabFlag, LabResultDto, LabResultInput } from '../../contracts/diagnosis.js';

/**
 * Lab results (检验结果) as the lab center enters them with the report: the abnormal flag is computed here from the
 * value and the ranges, never taken from the client. Flags are HL7 v2 table 0078 codes: N normal, L/H below/above the
 * reference range, LL/HH beyond a critical limit (危急值), null when the value is not a number (阴性, +).
 */

/** An analyte the platform knows: LOINC code, unit, adult reference range and critical limits (configuration). */
export interface LabAnalyte {
  code: string;
  loinc: string;
  name: string;
  unit: string;
  low?: number;
  high?: number;
  criticalLow?: number;
  criticalHigh?: number;
}

/**
 * Default analytes: LOINC codes (loinc.org) with adult reference intervals of WS/T 404 and WS/T 405 (中国成人常用检验
 * 参考区间) where they give one sex-independent range, and critical limits from common county-hospital 危急值 lists.
 * A center's own ranges, sent with the result, win over these.
 */
export const labAnalytes: readonly LabAnalyte[] = [
  { code: 'K', loinc: '2823-3', name: '血钾', unit: 'mmol/L', low: 3.5, high: 5.3, criticalLow: 2.8, criticalHigh: 6.2 },
  { code: 'NA', loinc: '2951-2', name: '血钠', unit: 'mmol/L', low: 137, high: 147, criticalLow: 120, criticalHigh: 160 },
  { code: 'GLU', loinc: '2345-7', name: '血糖', unit: 'mmol/L', low: 3.9, high: 6.1, criticalLow: 2.8, criticalHigh: 22.2 },
  { code: 'CREA', loinc: '2160-0', name: '肌酐', unit: 'µmol/L', low: 41, high: 111, criticalHigh: 707 },
  { code: 'WBC', loinc: '6690-2', name: '白细胞计数', unit: '10^9/L', low: 3.5, high: 9.5, criticalLow: 1.5, criticalHigh: 30 },
  { code: 'HGB', loinc: '718-7', name: '血红蛋白', unit: 'g/L', low: 115, high: 175, criticalLow: 50 },
  { code: 'PLT', loinc: '777-3', name: '血小板计数', unit: '10^9/L', low: 125, high: 350, criticalLow: 30, criticalHigh: 1000 },
  { code: 'TNI', loinc: '10839-9', name: '心肌肌钙蛋白I', unit: 'ng/mL', high: 0.04 },
];
const analyteByCode = new Map(labAnalytes.map((a) => [a.code, a]));
const analyteByLoinc = new Map(labAnalytes.map((a) => [a.loinc, a]));

/** A result value as a number, when it is one ("5.2", "<0.01" is not: a censored value carries no flag). */
export function numericValue(value: string): number | null {
  const v = value.trim();
  return /^[-+]?\d+(\.\d+)?$/.test(v) ? Number(v) : null;
}

/** The flag of a value against its ranges (critical limits first). Pure. */
export function flagLabValue(value: number | null, r: { low?: number | undefined; high?: number | undefined; criticalLow?: number | undefined; criticalHigh?: number | undefined }): LabFlag | null {
  if (value === null) return null;
  if (r.criticalLow !== undefined && value < r.criticalLow) return 'LL';
  if (r.criticalHigh !== undefined && value > r.criticalHigh) return 'HH';
  if (r.low !== undefined && value < r.low) return 'L';
  if (r.high !== undefined && value > r.high) return 'H';
  return 'N';
}

const rangeText = (low?: number, high?: number): string =>
  low !== undefined && high !== undefined ? `${low}–${high}` : low !== undefined ? `≥${low}` : high !== undefined ? `≤${high}` : '';

/** Why an entered range is unusable (low above high), or null. */
export function labRangeProblem(r: LabResultInput): string | null {
  if (r.referenceLow !== undefined && r.referenceHigh !== undefined && r.referenceLow > r.referenceHigh) return `「${r.name ?? r.code}」的参考下限大于上限`;
  if (r.criticalLow !== undefined && r.criticalHigh !== undefined && r.criticalLow > r.criticalHigh) return `「${r.name ?? r.code}」的危急下限大于上限`;
  return null;
}

/** Completes an entered result from the analyte table (LOINC, name, unit, ranges) and computes its flag. */
export function evaluateLabResult(input: LabResultInput): LabResultDto {
  const known = analyteByCode.get(input.code.toUpperCase()) ?? analyteByLoinc.get(input.code);
  const low = input.referenceLow ?? known?.low;
  const high = input.referenceHigh ?? known?.high;
  const criticalLow = input.criticalLow ?? known?.criticalLow;
  const criticalHigh = input.criticalHigh ?? known?.criticalHigh;
  const value = input.value.trim();
  return {
    code: known?.code ?? input.code,
    ...(known ? { loinc: known.loinc } : /^\d{1,7}-\d$/.test(input.code) ? { loinc: input.code } : {}),
    name: input.name ?? known?.name ?? input.code,
    value,
    unit: input.unit ?? known?.unit ?? '',
    referenceRange: input.referenceText ?? rangeText(low, high),
    ...(low !== undefined ? { referenceLow: low } : {}),
    ...(high !== undefined ? { referenceHigh: high } : {}),
    flag: flagLabValue(numericValue(value), { low, high, criticalLow, criticalHigh }),
    ...(input.specimenBarcode ? { specimenBarcode: input.specimenBarcode } : {}),
  };
}

const flagMarks: Record<LabFlag, string> = { N: '', L: ' ↓', H: ' ↑', LL: ' ↓↓（危急值）', HH: ' ↑↑（危急值）' };

/** The results as report text (one line each), used as the findings when the reader types none. */
export function labFindingsText(results: readonly LabResultDto[]): string {
  return results
    .map((r) => `${r.name}${r.loinc ? `（LOINC ${r.loinc}）` : ''}：${r.value}${r.unit ? ` ${r.unit}` : ''}${r.flag ? flagMarks[r.flag] : ''}${r.referenceRange ? `；参考范围 ${r.referenceRange}` : ''}`)
    .join('\n');
}

/** The critical results as the finding of a critical value (危急值) for the existing callback path; null when none. */
export function labCriticalFinding(results: readonly LabResultDto[]): string | null {
  const critical = results.filter((r) => r.flag === 'LL' || r.flag === 'HH');
  if (critical.length === 0) return null;
  return `检验危急值：${critical.map((r) => `${r.name} ${r.value}${r.unit ? ` ${r.unit}` : ''}（${r.flag === 'HH' ? '高于' : '低于'}危急界限）`).join('；')}`;
}

import type { IndicatorEvaluation, IndicatorTermSpec } from '../../contracts/indicator.js';

/**
 * Indicator figures as a DHIS2 data value set (docs/indicators.md, "DHIS2 export"): the JSON body of DHIS2's
 * `POST /api/dataValueSets`. Pure. Data elements and org units are named by **code**, so a province imports with
 * `dataElementIdScheme=CODE&orgUnitIdScheme=CODE` (or maps the codes to its UIDs first).
 */

export interface Dhis2DataValue {
  dataElement: string;
  period: string;
  orgUnit: string;
  value: number;
  comment?: string;
}

export interface Dhis2DataValueSet {
  dataValues: Dhis2DataValue[];
}

/** DHIS2 codes are at most 50 characters. */
const MAX_CODE = 50;

/** The stable data element code of an indicator: `YL_` + the code in upper snake case (`county-visit-rate` → `YL_COUNTY_VISIT_RATE`). */
export function dhis2DataElementCode(indicatorCode: string, part: 'value' | 'numerator' | 'denominator' = 'value'): string {
  const code = `YL_${indicatorCode.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}${part === 'numerator' ? '_NUM' : part === 'denominator' ? '_DEN' : ''}`;
  if (code.length > MAX_CODE) throw new Error(`DHIS2 data element code too long: ${code}`);
  return code;
}

/** Our period labels in DHIS2's period format: `2026-03` → `202603`, `2026-Q1` → `2026Q1`, `2026` → `2026`. */
export function dhis2Period(label: string): string {
  if (/^\d{4}$/.test(label)) return label;
  if (/^\d{4}-Q[1-4]$/.test(label)) return label.replace('-', '');
  if (/^\d{4}-\d{2}$/.test(label)) return label.replace('-', '');
  throw new Error(`not a period label: ${label}`);
}

const isMoney = (t: IndicatorTermSpec | undefined): boolean => t?.source === 'activity' && (t.measure === 'totalCost' || t.measure === 'fundPaid');

/**
 * One data value per indicator and period with a value, in the indicator's unit (percent, yuan, count, per 10,000);
 * "no data" and a zero denominator give no data value (DHIS2 reads a missing value as missing, not zero). With
 * `components`, a ratio also gives its numerator (`…_NUM`) and denominator (`…_DEN`) — counts, or money in **yuan** —
 * so DHIS2 can aggregate the ratio itself across org units; they are given whenever the denominator has data.
 */
export function toDhis2DataValueSet(evaluations: readonly IndicatorEvaluation[], orgUnit: string, opts: { components?: boolean } = {}): Dhis2DataValueSet {
  const dataValues: Dhis2DataValue[] = [];
  for (const e of evaluations) {
    const d = e.definition;
    const comment = `${d.code} v${d.version}`;
    for (const v of e.values) {
      const period = dhis2Period(v.period);
      if (!v.noData && v.value !== null) dataValues.push({ dataElement: dhis2DataElementCode(d.code), period, orgUnit, value: v.value, comment });
      if (opts.components && d.formula === 'ratio' && d.denominator && !v.noData && v.numerator !== null && v.denominator !== null) {
        const amount = (n: number, t: IndicatorTermSpec) => (isMoney(t) ? n / 100 : n);
        dataValues.push({ dataElement: dhis2DataElementCode(d.code, 'numerator'), period, orgUnit, value: amount(v.numerator, d.numerator.key), comment });
        dataValues.push({ dataElement: dhis2DataElementCode(d.code, 'denominator'), period, orgUnit, value: amount(v.denominator, d.denominator.key), comment });
      }
    }
  }
  return { dataValues };
}

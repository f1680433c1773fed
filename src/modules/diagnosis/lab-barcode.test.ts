import { describe, expect, it } from 'vitest';
import {
  code128Patterns, code128Widths, encodeCode128, gs1CheckDigit, isValidSpecimenBarcode, requestSerialOf, specimenBarcode,
} from './lab-barcode.js';
import { evaluateLabResult, flagLabValue, labCriticalFinding, labFindingsText, labRangeProblem, numericValue } from './lab-results.js';

describe('specimen barcode numbers', () => {
  it('GS1 mod-10 check digit (the GTIN-13 example of the GS1 specification: 400638133393 → 1)', () => {
    expect(gs1CheckDigit('400638133393')).toBe(1);
    expect(gs1CheckDigit('629104150021')).toBe(3);
  });

  it('issues 12 digits: request serial, specimen number, check digit; every single-digit error is caught', () => {
    const b = specimenBarcode(123, 2);
    expect(b).toMatch(/^00000012302\d$/);
    expect(isValidSpecimenBarcode(b)).toBe(true);
    for (let i = 0; i < 12; i++) {
      for (let d = 0; d < 10; d++) {
        if (String(d) === b[i]) continue;
        expect(isValidSpecimenBarcode(`${b.slice(0, i)}${d}${b.slice(i + 1)}`)).toBe(false);
      }
    }
    expect(specimenBarcode(123, 1)).not.toBe(b);
    expect(() => specimenBarcode(123, 100)).toThrow();
    expect(() => specimenBarcode(0, 1)).toThrow();
  });

  it('reads the serial of a request number', () => {
    expect(requestSerialOf('DX-20261122-000123')).toBe(123);
    expect(() => requestSerialOf('nonsense')).toThrow();
  });
});

describe('Code 128', () => {
  it('every symbol pattern is 11 modules (the stop 13), bars and spaces alternating', () => {
    expect(code128Patterns).toHaveLength(107);
    code128Patterns.forEach((p, v) => expect([...p].reduce((a, c) => a + Number(c), 0), `symbol ${v}`).toBe(v === 106 ? 13 : 11));
    expect(new Set(code128Patterns).size).toBe(107);
  });

  it('packs an even run of digits in set C, with the mod-103 check symbol', () => {
    // START C (105), 12, 34, 56; check = (105 + 1×12 + 2×34 + 3×56) mod 103 = 44
    expect(encodeCode128('123456')).toEqual([105, 12, 34, 56, 44]);
  });

  it('uses set B for text, and switches from C to B after a leading digit run', () => {
    // START B (104), "A"=33, "b"=66; check = (104 + 33 + 2×66) mod 103 = 63
    expect(encodeCode128('Ab')).toEqual([104, 33, 66, 63]);
    const mixed = encodeCode128('1234-X');
    expect(mixed.slice(0, 4)).toEqual([105, 12, 34, 100]);
    expect(mixed.slice(4, 6)).toEqual(['-'.charCodeAt(0) - 32, 'X'.charCodeAt(0) - 32]);
    expect(() => encodeCode128('')).toThrow();
    expect(() => encodeCode128('标本')).toThrow();
  });

  it('a 12-digit barcode is 101 modules: start, six pairs, check, stop', () => {
    const widths = code128Widths(specimenBarcode(42, 1));
    expect(widths.reduce((a, b) => a + b, 0)).toBe(11 + 6 * 11 + 11 + 13);
    expect(widths.length % 2).toBe(1); // ends on the stop's final bar
  });
});

describe('lab result flags (HL7 v2 table 0078)', () => {
  const r = { low: 3.5, high: 5.3, criticalLow: 2.8, criticalHigh: 6.2 };
  it('critical limits before the reference range; boundaries are normal', () => {
    expect([2.7, 2.8, 3.4, 3.5, 5.3, 5.4, 6.2, 6.3].map((v) => flagLabValue(v, r))).toEqual(['LL', 'L', 'L', 'N', 'N', 'H', 'H', 'HH']);
    expect(flagLabValue(null, r)).toBeNull();
    expect(flagLabValue(100, {})).toBe('N');
  });

  it('only plain numbers are numeric ("<0.01" and "阴性" carry no flag)', () => {
    expect(['5.2', '-1', '+3', '<0.01', '阴性', '1e3'].map(numericValue)).toEqual([5.2, -1, 3, null, null, null]);
  });

  it('completes a result from the analyte table; the center’s own range wins', () => {
    expect(evaluateLabResult({ code: 'k', value: '6.8' })).toMatchObject({ code: 'K', loinc: '2823-3', name: '血钾', unit: 'mmol/L', referenceRange: '3.5–5.3', flag: 'HH' });
    expect(evaluateLabResult({ code: 'K', value: '5.6', referenceHigh: 5.8, referenceLow: 3.4 })).toMatchObject({ flag: 'N', referenceRange: '3.4–5.8' });
    expect(evaluateLabResult({ code: '1234-5', name: '某项目', value: '12' })).toMatchObject({ loinc: '1234-5', flag: 'N', referenceRange: '' });
    expect(labRangeProblem({ code: 'X', value: '1', referenceLow: 5, referenceHigh: 1 })).toMatch(/下限大于上限/);
  });

  it('writes the results as report text and the critical ones as a critical-value finding', () => {
    const results = [evaluateLabResult({ code: 'K', value: '6.8' }), evaluateLabResult({ code: 'GLU', value: '5' })];
    expect(labFindingsText(results).split('\n')).toEqual(['血钾（LOINC 2823-3）：6.8 mmol/L ↑↑（危急值）；参考范围 3.5–5.3', '血糖（LOINC 2345-7）：5 mmol/L；参考范围 3.9–6.1']);
    expect(labCriticalFinding(results)).toBe('检验危急值：血钾 6.8 mmol/L（高于危急界限）');
    expect(labCriticalFinding([results[1]!])).toBeNull();
  });
});

/**
 * Specimen barcodes of the lab center's barcode chain (条码闭环: order → label → collection → receipt → test, domain.md
 * §3). Pure functions: the number, its check digit, and the Code 128 symbol that the label PDF draws as bars.
 *
 * Number format of a barcode the platform issues: 12 digits `RRRRRRRRRSSC` — the request's serial number (the last
 * part of `DX-YYYYMMDD-NNNNNN`, 9 digits), the specimen's number within the request (2 digits, 01–99) and a GS1 mod-10
 * check digit. Unique because request serials are, and readable by any scanner as Code 128 (set C packs the 12
 * digits into 6 symbols). A requester's own pre-printed barcode (6–20 of 0-9 A-Z and "-") is accepted as printed.
 */

/** A requester's own barcode as printed by its LIS or tube labeller; Code 128 set B carries it unchanged. */
export const ownBarcodePattern = /^[0-9A-Z-]{6,20}$/;
export const maxSpecimensPerRequest = 99;

/**
 * GS1 mod-10 check digit (GS1 General Specifications §7.9.1): from the right, digits weighted 3, 1, 3, …; the check
 * digit brings the sum to a multiple of ten. Catches every single-digit error and most swaps of neighbours.
 */
export function gs1CheckDigit(digits: string): number {
  if (!/^\d+$/.test(digits)) throw new Error(`校验位只能对数字计算：${digits}`);
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    const d = Number(digits[digits.length - 1 - i]);
    sum += d * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

/** The barcode number the platform issues for the `index`-th (1-based) specimen of request serial `requestSerial`. */
export function specimenBarcode(requestSerial: number, index: number): string {
  if (!Number.isInteger(requestSerial) || requestSerial < 1 || requestSerial > 999_999_999) throw new Error(`申请流水号超出条码范围：${requestSerial}`);
  if (!Number.isInteger(index) || index < 1 || index > maxSpecimensPerRequest) throw new Error(`一张申请最多 ${maxSpecimensPerRequest} 个标本`);
  const body = `${String(requestSerial).padStart(9, '0')}${String(index).padStart(2, '0')}`;
  return `${body}${gs1CheckDigit(body)}`;
}

/** Whether a 12-digit platform barcode is intact (its check digit matches); a scanner or a keyed entry is checked with it. */
export function isValidSpecimenBarcode(barcode: string): boolean {
  return /^\d{12}$/.test(barcode) && gs1CheckDigit(barcode.slice(0, 11)) === Number(barcode[11]);
}

/** The serial number of a request number `DX-YYYYMMDD-NNNNNN`. */
export function requestSerialOf(requestNumber: string): number {
  const m = /-(\d+)$/.exec(requestNumber);
  if (!m) throw new Error(`无法从申请单号取得流水号：${requestNumber}`);
  return Number(m[1]);
}

// ---- Code 128 (ISO/IEC 15417)

/**
 * Element widths (bar, space, bar, space, bar, space) of the 107 symbols, indexed by symbol value; 103–105 are
 * START A/B/C, 106 is STOP (seven elements, thirteen modules with its final bar).
 */
// prettier-ignore
export const code128Patterns: readonly string[] = [
  '212222', '222122', '222221', '121223', '121322', '131222', '122213', '122312', '132212', '221213',
  '221312', '231212', '112232', '122132', '122231', '113222', '123122', '123221', '223211', '221132',
  '221231', '213212', '223112', '312131', '311222', '321122', '321221', '312212', '322112', '322211',
  '212123', '212321', '232121', '111323', '131123', '131321', '112313', '132113', '132311', '211313',
  '231113', '231311', '112133', '112331', '132131', '113123', '113321', '133121', '313121', '211331',
  '231131', '213113', '213311', '213131', '311123', '311321', '331121', '312113', '312311', '332111',
  '314111', '221411', '431111', '111224', '111422', '121124', '121421', '141122', '141221', '112214',
  '112412', '122114', '122411', '142112', '142211', '241211', '221114', '413111', '241112', '134111',
  '111242', '121142', '121241', '114212', '124112', '124211', '411212', '421112', '421211', '212141',
  '214121', '412121', '111143', '111341', '131141', '114113', '114311', '411113', '411311', '113141',
  '114131', '311141', '411131', '211412', '211214', '211232', '2331112',
];
const START_B = 104;
const START_C = 105;
const CODE_B = 100;
const STOP = 106;

/**
 * The symbol values of `text` from the start symbol to the check symbol (stop excluded). Set C for pairs of digits
 * (an even run of digits at the start: the platform's 12-digit numbers are all set C), then set B for the rest;
 * printable ASCII only. The check symbol is (start + Σ position × value) mod 103.
 */
export function encodeCode128(text: string): number[] {
  if (text.length === 0) throw new Error('条码内容不能为空');
  if (!/^[\x20-\x7e]+$/.test(text)) throw new Error(`条码只能包含可打印 ASCII 字符：${text}`);
  const values: number[] = [];
  const lead = /^\d*/.exec(text)![0];
  const pairs = lead.length >= 4 || lead.length === text.length ? lead.length - (lead.length % 2) : 0;
  if (pairs > 0) {
    values.push(START_C);
    for (let i = 0; i < pairs; i += 2) values.push(Number(text.slice(i, i + 2)));
    if (pairs < text.length) values.push(CODE_B);
  } else {
    values.push(START_B);
  }
  for (const ch of text.slice(pairs)) values.push(ch.charCodeAt(0) - 32);
  const check = values.reduce((sum, v, i) => sum + v * (i === 0 ? 1 : i), 0) % 103;
  values.push(check);
  return values;
}

/** The bars of `text` as element widths in modules, bar first, stop included (quiet zones are the drawer's). */
export function code128Widths(text: string): number[] {
  return [...encodeCode128(text), STOP].flatMap((v) => [...code128Patterns[v]!].map(Number));
}

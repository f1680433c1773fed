/**
 * Resident ID numbers (居民身份证号码), GB 11643-1999: 6-digit address code (GB/T 2260), 8-digit birth date
 * (YYYYMMDD), 3-digit sequence (odd = male, even = female), and an ISO 7064 MOD 11-2 check character.
 */
export interface ResidentIdInfo {
  idNumber: string;
  divisionCode: string;
  birthDate: string;
  sex: 'male' | 'female';
}

export type ResidentIdResult = { ok: true; value: ResidentIdInfo } | { ok: false; reason: ResidentIdError; message: string };

export type ResidentIdError = 'length' | 'characters' | 'birth-date' | 'check-digit';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

/** The check character for the first 17 digits (ISO 7064 MOD 11-2). */
export function checkCharacterOf(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

const MESSAGES: Record<ResidentIdError, string> = {
  length: '身份证号码应为18位',
  characters: '身份证号码前17位应为数字，最后一位为数字或X',
  'birth-date': '身份证号码中的出生日期无效',
  'check-digit': '身份证号码校验位错误，请核对后重新输入',
};

/**
 * Validates and decodes a resident ID number. `today` bounds the birth date (no one is born in the future);
 * a lower-case x is accepted and normalised to X.
 */
export function parseResidentId(raw: string, today: string): ResidentIdResult {
  const id = raw.trim().toUpperCase();
  const fail = (reason: ResidentIdError): ResidentIdResult => ({ ok: false, reason, message: MESSAGES[reason] });
  if (id.length !== 18) return fail('length');
  if (!/^\d{17}[\dX]$/.test(id)) return fail('characters');
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const birthDate = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
  const probe = new Date(Date.UTC(y, m - 1, d));
  const realDate = probe.getUTCFullYear() === y && probe.getUTCMonth() === m - 1 && probe.getUTCDate() === d;
  if (!realDate || y < 1880 || birthDate > today) return fail('birth-date');
  if (checkCharacterOf(id.slice(0, 17)) !== id[17]) return fail('check-digit');
  return {
    ok: true,
    value: {
      idNumber: id,
      divisionCode: id.slice(0, 6),
      birthDate,
      sex: Number(id[16]) % 2 === 1 ? 'male' : 'female',
    },
  };
}

/** Builds a valid ID number (demo data and tests). `sequence` is 0–999; its parity must match `sex`. */
export function composeResidentId(divisionCode: string, birthDate: string, sequence: number, sex: 'male' | 'female'): string {
  let seq = sequence % 1000;
  if ((seq % 2 === 1) !== (sex === 'male')) seq = (seq + 1) % 1000;
  const first17 = `${divisionCode.slice(0, 6)}${birthDate.replaceAll('-', '')}${String(seq).padStart(3, '0')}`;
  return first17 + checkCharacterOf(first17);
}

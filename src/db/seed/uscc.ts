/**
 * Unified social credit codes (统一社会信用代码), GB 32100-2015: 18 characters =
 *   1 registration authority (1 = 机构编制, 5 = 民政, 9 = 工商 …)
 *   1 organization kind under that authority (for 1: 1 = 机关, 2 = 事业单位 — public hospitals are 事业单位 → "12")
 *   6 division code of the registering authority (GB/T 2260)
 *   9 organization code (GB 11714: 8 body characters and its own check character)
 *   1 check character (modulus 31 over the first 17 characters).
 * Characters come from 0-9 and A-Z without I, O, Z, S, V.
 */

const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

/** GB 32100 check character for the first 17 characters; null when a character is outside the code's alphabet. */
export function usccCheckCharacter(first17: string): string | null {
  if (first17.length !== 17) return null;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = CHARSET.indexOf(first17[i]!);
    if (v < 0) return null;
    sum += v * USCC_WEIGHTS[i]!;
  }
  return CHARSET[(31 - (sum % 31)) % 31]!;
}

/** GB 11714 check character of an 8-character organization code body (digits and upper-case letters). */
export function organizationCodeCheckCharacter(body8: string): string | null {
  if (!/^[0-9A-Z]{8}$/.test(body8)) return null;
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const c = body8[i]!;
    const v = c >= '0' && c <= '9' ? c.charCodeAt(0) - 48 : c.charCodeAt(0) - 55; // A = 10 … Z = 35
    sum += v * ORG_WEIGHTS[i]!;
  }
  const r = 11 - (sum % 11);
  return r === 10 ? 'X' : r === 11 ? '0' : String(r);
}

/** True when the text is an 18-character code in the GB 32100 alphabet whose last character checks. */
export function isValidUscc(raw: string): boolean {
  const code = raw.trim().toUpperCase();
  if (!/^[0-9A-HJ-NPQRTUWXY]{18}$/.test(code)) return false;
  return usccCheckCharacter(code.slice(0, 17)) === code[17];
}

export interface UsccParts {
  /** Registration authority, one character (default '1' = 机构编制). */
  authority?: string;
  /** Organization kind under the authority, one character (default '2' = 事业单位). */
  kind?: string;
  /** 6-digit GB/T 2260 division code of the registering authority. */
  divisionCode: string;
  /** 8-character organization code body; its GB 11714 check character is appended. */
  organizationCodeBody: string;
}

/** Builds a valid code (demo data and tests): organization code check and GB 32100 check character computed. */
export function composeUscc(parts: UsccParts): string {
  const authority = parts.authority ?? '1';
  const kind = parts.kind ?? '2';
  if (!/^\d{6}$/.test(parts.divisionCode)) throw new Error(`division code ${parts.divisionCode} must be 6 digits`);
  const orgCheck = organizationCodeCheckCharacter(parts.organizationCodeBody);
  if (orgCheck === null) throw new Error(`organization code body ${parts.organizationCodeBody} must be 8 digits or letters`);
  const first17 = `${authority}${kind}${parts.divisionCode}${parts.organizationCodeBody}${orgCheck}`;
  const check = usccCheckCharacter(first17);
  if (check === null) throw new Error(`${first17} contains characters outside the GB 32100 alphabet (no I, O, Z, S, V)`);
  return first17 + check;
}

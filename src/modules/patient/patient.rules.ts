/**
 * Duplicate detection for registration. The same ID number is the same person (enforced by a unique index);
 * without that proof, a similar name with the same birth date and phone is shown to the registrar as a suggestion.
 */
export interface DuplicateCandidate {
  name: string;
  birthDate: string;
  phone: string | null;
}

/** Levenshtein distance over code points (Chinese names are 2–4 characters; a one-character slip is common). */
export function editDistance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let prev = Array.from({ length: y.length + 1 }, (_, i) => i);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[y.length]!;
}

const normaliseName = (n: string): string => n.replace(/[\s·•.]/g, '').toLowerCase();

/** Reasons (in Chinese, for the registrar) why `existing` may be the same person as `proposed`; empty = not similar. */
export function duplicateReasons(proposed: DuplicateCandidate, existing: DuplicateCandidate): string[] {
  if (proposed.birthDate !== existing.birthDate) return [];
  const a = normaliseName(proposed.name);
  const b = normaliseName(existing.name);
  const sameName = a === b;
  const similarName = !sameName && editDistance(a, b) <= 1 && Math.min([...a].length, [...b].length) >= 2;
  const samePhone = !!proposed.phone && proposed.phone === existing.phone;
  const reasons: string[] = [];
  if (sameName) reasons.push('姓名相同');
  else if (similarName) reasons.push('姓名相近');
  if (samePhone) reasons.push('手机号相同');
  // Birth date alone is shared by hundreds of people; it counts only together with a name or phone match.
  if (reasons.length === 0) return [];
  return ['出生日期相同', ...reasons];
}

/** "张三丰" → "张*丰": enough to recognise a duplicate without disclosing a patient outside the registrar's scope. */
export function maskName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return '*';
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
}

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

/** The most similar people shown for one registration. */
export const maxDuplicateSuggestions = 10;

/** The people of `pool` that may be `proposed` (see `duplicateReasons`), in pool order, at most `maxDuplicateSuggestions`. */
export function similarPeople<T extends DuplicateCandidate>(proposed: DuplicateCandidate, pool: Iterable<T>): { person: T; reasons: string[] }[] {
  const out: { person: T; reasons: string[] }[] = [];
  for (const person of pool) {
    const reasons = duplicateReasons(proposed, person);
    if (reasons.length === 0) continue;
    out.push({ person, reasons });
    if (out.length === maxDuplicateSuggestions) break;
  }
  return out;
}

/** A registered person as the duplicate checks see them. */
export interface RegisteredCandidate extends DuplicateCandidate {
  idNumber: string | null;
}

/** A row of a batch that passed every check of its own (fields, organization, access) and awaits the duplicate checks. */
export interface BatchCandidate extends RegisteredCandidate {
  confirmNotDuplicate: boolean;
}

/** Someone a batch row duplicates: already registered, or an earlier row of the same batch. */
export type PersonRef<E> = { registered: E } | { batchIndex: number };

export type BatchDecision<E> =
  | { kind: 'register' }
  /** The same ID number is already registered (or registered by an earlier row of the batch). */
  | { kind: 'duplicate'; of: PersonRef<E> }
  /** Similar people exist and the row is not confirmed as a different person. */
  | { kind: 'similar'; suggestions: { of: PersonRef<E>; reasons: string[] }[] };

/**
 * Duplicate decisions for a batch, exactly as if its rows had been registered one after another in order: a row is
 * checked against the people registered before the batch and against the earlier rows of the batch that were
 * registered. `rows[i] === null` is a row already refused (it registers nobody and is skipped). `registered` must hold
 * every registered person with an ID number of the batch and every registered person born on a birth date of the batch
 * (in the order suggestions should be listed); an earlier batch row is listed after them, as it would have been
 * registered later.
 */
export function resolveBatchRegistrations<E extends RegisteredCandidate>(
  rows: readonly (BatchCandidate | null)[],
  registered: { withIdNumbers: Iterable<E>; bornOnBatchDates: Iterable<E> },
): (BatchDecision<E> | null)[] {
  const byIdNumber = new Map<string, PersonRef<E>>();
  for (const p of registered.withIdNumbers) if (p.idNumber) byIdNumber.set(p.idNumber, { registered: p });
  type Known = DuplicateCandidate & { ref: PersonRef<E> };
  const byBirthDate = new Map<string, Known[]>();
  const addBorn = (person: DuplicateCandidate, ref: PersonRef<E>) => {
    const known: Known = { name: person.name, birthDate: person.birthDate, phone: person.phone, ref };
    const list = byBirthDate.get(person.birthDate);
    if (list) list.push(known);
    else byBirthDate.set(person.birthDate, [known]);
  };
  for (const p of registered.bornOnBatchDates) addBorn(p, { registered: p });

  return rows.map((row, batchIndex) => {
    if (!row) return null;
    if (row.idNumber) {
      const same = byIdNumber.get(row.idNumber);
      if (same) return { kind: 'duplicate', of: same };
    }
    if (!row.confirmNotDuplicate) {
      const similar = similarPeople(row, byBirthDate.get(row.birthDate) ?? []);
      if (similar.length) return { kind: 'similar', suggestions: similar.map((s) => ({ of: s.person.ref, reasons: s.reasons })) };
    }
    const self: PersonRef<E> = { batchIndex };
    if (row.idNumber) byIdNumber.set(row.idNumber, self);
    addBorn(row, self);
    return { kind: 'register' };
  });
}

import { describe, expect, it } from 'vitest';
import { checkCharacterOf, composeResidentId, parseResidentId } from './resident-id.rules.js';

const today = '2026-11-22';

describe('GB 11643 resident ID numbers', () => {
  it('computes the MOD 11-2 check character of the standard example', () => {
    // Example from GB 11643-1999 Annex: 11010519491231002X
    expect(checkCharacterOf('11010519491231002')).toBe('X');
    expect(parseResidentId('11010519491231002X', today)).toEqual({
      ok: true,
      value: { idNumber: '11010519491231002X', divisionCode: '110105', birthDate: '1949-12-31', sex: 'female' },
    });
  });

  it('accepts a lower-case x and derives sex from the 17th digit', () => {
    const r = parseResidentId('11010519491231002x', today);
    expect(r.ok && r.value.idNumber).toBe('11010519491231002X');
    const male = composeResidentId('350821', '1980-05-06', 123, 'male');
    const parsed = parseResidentId(male, today);
    expect(parsed.ok && parsed.value).toMatchObject({ sex: 'male', birthDate: '1980-05-06', divisionCode: '350821' });
  });

  it('rejects a wrong check digit with a Chinese message', () => {
    const r = parseResidentId('110105194912310021', today);
    expect(r).toEqual({ ok: false, reason: 'check-digit', message: '身份证号码校验位错误，请核对后重新输入' });
  });

  it.each([
    ['1101051949123100', 'length'],
    ['11010519491231002A', 'characters'],
    ['110105194902300020', 'birth-date'], // 30 February
    ['110105203001010020', 'birth-date'], // in the future
  ])('rejects %s (%s)', (id, reason) => {
    const r = parseResidentId(id, today);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toBe(reason);
  });

  it('composes valid numbers for every sex and sequence', () => {
    for (let seq = 0; seq < 1000; seq += 37) {
      for (const sex of ['male', 'female'] as const) {
        const id = composeResidentId('350821', '2001-02-28', seq, sex);
        const r = parseResidentId(id, today);
        expect(r.ok && r.value.sex).toBe(sex);
      }
    }
  });
});

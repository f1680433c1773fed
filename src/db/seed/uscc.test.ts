import { describe, expect, it } from 'vitest';
import { composeUscc, isValidUscc, organizationCodeCheckCharacter, usccCheckCharacter } from './uscc.js';

describe('unified social credit code (GB 32100)', () => {
  it('accepts published codes', () => {
    // The sample code used in GB 32100 explanations, and a public institution's code (12…).
    expect(isValidUscc('91350100M000100Y43')).toBe(true);
    expect(isValidUscc('12100000400000624D')).toBe(true);
    expect(isValidUscc(' 91350100m000100y43 ')).toBe(true);
  });

  it('rejects a wrong check character, wrong length and forbidden letters', () => {
    expect(isValidUscc('91350100M000100Y44')).toBe(false);
    expect(isValidUscc('91350100M000100Y4')).toBe(false);
    // I, O, Z, S, V are not in the alphabet.
    expect(isValidUscc('91350100M000100YO3')).toBe(false);
    expect(usccCheckCharacter('91350100M000I00Y4')).toBeNull();
  });

  it('composes codes that validate, with the organization code check inside', () => {
    const code = composeUscc({ divisionCode: '350821', organizationCodeBody: '48805123' });
    expect(code).toHaveLength(18);
    expect(code.startsWith('12350821')).toBe(true);
    expect(code[16]).toBe(organizationCodeCheckCharacter('48805123'));
    expect(isValidUscc(code)).toBe(true);
    for (let i = 0; i < 200; i++) {
      const body = String(10000000 + i * 7919).slice(0, 8);
      expect(isValidUscc(composeUscc({ divisionCode: '350802', organizationCodeBody: body }))).toBe(true);
    }
  });

  it('computes the GB 11714 organization code check character, X and 0 included', () => {
    expect(organizationCodeCheckCharacter('M000100Y')).toBe('4');
    const checks = new Set<string>();
    for (let i = 0; i < 500; i++) checks.add(organizationCodeCheckCharacter(String(40000000 + i))!);
    expect(checks.has('X')).toBe(true);
    expect(checks.has('0')).toBe(true);
    expect(organizationCodeCheckCharacter('1234567')).toBeNull();
  });

  it('refuses parts it cannot encode', () => {
    expect(() => composeUscc({ divisionCode: '3508', organizationCodeBody: '48805123' })).toThrow(/6 digits/);
    expect(() => composeUscc({ divisionCode: '350821', organizationCodeBody: 'short' })).toThrow(/8 digits/);
  });
});

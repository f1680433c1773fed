import { describe, expect, it } from 'vitest';
import { duplicateReasons, editDistance, maskName } from './patient.rules.js';

describe('duplicate suggestions', () => {
  const base = { name: '王建国', birthDate: '1960-03-01', phone: '13800000001' };

  it('suggests the same name and birth date', () => {
    expect(duplicateReasons(base, { ...base, phone: null })).toEqual(['出生日期相同', '姓名相同']);
  });

  it('suggests a one-character slip with the same phone', () => {
    expect(duplicateReasons(base, { ...base, name: '王建图' })).toEqual(['出生日期相同', '姓名相近', '手机号相同']);
  });

  it('does not suggest on birth date alone or a different birth date', () => {
    expect(duplicateReasons(base, { name: '李秀英', birthDate: '1960-03-01', phone: '13900000000' })).toEqual([]);
    expect(duplicateReasons(base, { ...base, birthDate: '1960-03-02' })).toEqual([]);
  });

  it('computes edit distance over characters, not bytes', () => {
    expect(editDistance('王建国', '王建图')).toBe(1);
    expect(editDistance('欧阳娜娜', '欧阳娜')).toBe(1);
    expect(editDistance('', 'ab')).toBe(2);
  });

  it('masks names', () => {
    expect(maskName('王建国')).toBe('王*国');
    expect(maskName('李娜')).toBe('李*');
    expect(maskName('欧阳娜娜')).toBe('欧**娜');
  });
});

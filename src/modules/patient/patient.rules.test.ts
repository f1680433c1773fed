import { describe, expect, it } from 'vitest';
import { duplicateReasons, editDistance, maskName, resolveBatchRegistrations, similarPeople } from './patient.rules.js';

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

describe('batch registration as if row by row', () => {
  const reg = (idNumber: string | null, name: string, birthDate: string, phone: string | null = null) => ({ id: `db-${name}`, idNumber, name, birthDate, phone });
  const row = (idNumber: string | null, name: string, birthDate: string, phone: string | null = null, confirmNotDuplicate = false) => ({ idNumber, name, birthDate, phone, confirmNotDuplicate });
  const none = { withIdNumbers: [], bornOnBatchDates: [] };

  it('registers distinct people', () => {
    expect(resolveBatchRegistrations([row('A', '王建国', '1960-03-01'), row('B', '李秀英', '1960-03-01')], none)).toEqual([{ kind: 'register' }, { kind: 'register' }]);
  });

  it('refuses an ID number registered before the batch, pointing at that patient', () => {
    const existing = reg('A', '王建国', '1960-03-01');
    expect(resolveBatchRegistrations([row('A', '王建国', '1960-03-01')], { withIdNumbers: [existing], bornOnBatchDates: [existing] })).toEqual([
      { kind: 'duplicate', of: { registered: existing } },
    ]);
  });

  it('refuses the second row of one ID number in a batch, pointing at the first, even when confirmed', () => {
    const d = resolveBatchRegistrations([row('A', '王建国', '1960-03-01'), row('A', '张三', '1960-03-01', null, true)], none);
    expect(d).toEqual([{ kind: 'register' }, { kind: 'duplicate', of: { batchIndex: 0 } }]);
  });

  it('checks a later row against an earlier refused row as if it did not exist', () => {
    // Row 0 is refused before the duplicate checks (null); row 2 duplicates row 1, not row 0.
    const d = resolveBatchRegistrations([null, row('A', '王建国', '1960-03-01'), row('A', '王建国', '1960-03-01')], none);
    expect(d).toEqual([null, { kind: 'register' }, { kind: 'duplicate', of: { batchIndex: 1 } }]);
    // A row refused as similar registers nobody: the next row with its ID number is checked on its own.
    const e = resolveBatchRegistrations([row('A', '王建国', '1960-03-01'), row('B', '王建国', '1960-03-01'), row('B', '李四', '1961-01-01')], none);
    expect(e.map((x) => x?.kind)).toEqual(['register', 'similar', 'register']);
  });

  it('suggests similar people registered before the batch and earlier rows, in that order, unless confirmed', () => {
    const before = reg('X', '王建图', '1960-03-01', '13800000001');
    const rows = [
      row('A', '王建国', '1960-03-01', '13800000001', true), // similar to `before`, confirmed
      row('B', '王建国', '1960-03-01'), // similar to `before` and to row 0
      row('C', '王建国', '1960-03-01', null, true), // confirmed: registered
      row(null, '王建国', '1960-03-02'), // another birth date: registered
      row(null, '王建国', '1960-03-02'), // same as row 3
    ];
    const d = resolveBatchRegistrations(rows, { withIdNumbers: [], bornOnBatchDates: [before] });
    expect(d[0]).toEqual({ kind: 'register' });
    expect(d[1]).toEqual({
      kind: 'similar',
      suggestions: [
        { of: { registered: before }, reasons: ['出生日期相同', '姓名相近'] },
        { of: { batchIndex: 0 }, reasons: ['出生日期相同', '姓名相同'] },
      ],
    });
    expect(d[2]).toEqual({ kind: 'register' });
    expect(d[3]).toEqual({ kind: 'register' });
    expect(d[4]).toEqual({ kind: 'similar', suggestions: [{ of: { batchIndex: 3 }, reasons: ['出生日期相同', '姓名相同'] }] });
  });

  it('checks the ID number before similarity, and lists at most ten suggestions', () => {
    const many = Array.from({ length: 12 }, (_, i) => reg(`Z${i}`, '王建国', '1960-03-01'));
    const d = resolveBatchRegistrations([row('Z3', '王建国', '1960-03-01'), row('N', '王建国', '1960-03-01')], { withIdNumbers: [many[3]!], bornOnBatchDates: many });
    expect(d[0]).toEqual({ kind: 'duplicate', of: { registered: many[3] } });
    expect(d[1]?.kind === 'similar' && d[1].suggestions.map((s) => s.of)).toEqual(many.slice(0, 10).map((p) => ({ registered: p })));
  });
});

describe('similar people', () => {
  it('keeps pool order and stops at ten', () => {
    const pool = Array.from({ length: 15 }, (_, i) => ({ name: i % 2 ? '王建国' : '李秀英', birthDate: '1960-03-01', phone: null, n: i }));
    const r = similarPeople({ name: '王建国', birthDate: '1960-03-01', phone: null }, pool);
    expect(r.map((x) => x.person.n)).toEqual([1, 3, 5, 7, 9, 11, 13]);
    expect(similarPeople({ name: '李秀英', birthDate: '1960-03-01', phone: null }, [...pool, ...pool])).toHaveLength(10);
  });
});

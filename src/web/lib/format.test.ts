import { describe, expect, it } from 'vitest';
import { ageOn, formatDateTime, isInForce, localDivisionName, maskIdNumber, maskPhone, shanghaiDate, shanghaiDayRange, lastDayOf } from './format.js';

describe('formatDateTime', () => {
  it('shows instants in Asia/Shanghai whatever the process zone (tests run with TZ=UTC)', () => {
    expect(formatDateTime('2026-03-01T16:30:05Z')).toBe('2026-03-02 00:30:05');
    expect(formatDateTime('2026-03-01T08:00:00+08:00')).toBe('2026-03-01 08:00:00');
  });
  it('is empty for missing or broken values', () => {
    expect(formatDateTime(null)).toBe('');
    expect(formatDateTime('not a date')).toBe('');
  });
});

describe('shanghai days', () => {
  it('takes the calendar day in Shanghai, not UTC', () => {
    expect(shanghaiDate(new Date('2026-01-31T17:00:00Z'))).toBe('2026-02-01');
  });
  it('builds an inclusive day range with the +08:00 offset', () => {
    expect(shanghaiDayRange('2026-02-01', '2026-02-03')).toEqual({
      from: '2026-02-01T00:00:00.000+08:00',
      to: '2026-02-03T23:59:59.999+08:00',
    });
  });
});

describe('ageOn', () => {
  it('counts a birthday on the day itself', () => {
    expect(ageOn('1960-05-20', '2026-05-20')).toBe(66);
    expect(ageOn('1960-05-20', '2026-05-19')).toBe(65);
  });
  it('handles leap-day births and bad input', () => {
    expect(ageOn('2000-02-29', '2026-02-28')).toBe(25);
    expect(ageOn('2000-02-29', '2026-03-01')).toBe(26);
    expect(ageOn('x', '2026-03-01')).toBeNull();
  });
});

describe('masking', () => {
  it('keeps the region code and the last four characters of an ID number', () => {
    expect(maskIdNumber('35082119600520123X')).toBe('350821********123X');
    expect(maskIdNumber(null)).toBe('');
  });
  it('masks mobile numbers only', () => {
    expect(maskPhone('13905971234')).toBe('139****1234');
    expect(maskPhone('0597-6822222')).toBe('0597-6822222');
  });
});

describe('isInForce', () => {
  it('is half-open like the server: the start day is in, the end day is the first day out', () => {
    const p = { validFrom: '2024-01-01', validTo: '2025-01-01' };
    expect(isInForce(p, '2023-12-31')).toBe(false);
    expect(isInForce(p, '2024-01-01')).toBe(true);
    expect(isInForce(p, '2024-12-31')).toBe(true);
    expect(isInForce(p, '2025-01-01')).toBe(false);
    expect(isInForce({ validFrom: '2024-01-01', validTo: null }, '2030-01-01')).toBe(true);
  });
});

describe('localDivisionName', () => {
  it('drops the province, city and county of places inside the county', () => {
    expect(localDivisionName('福建省 龙岩市 长汀县 河田镇 上街村委会')).toBe('河田镇 上街村委会');
    expect(localDivisionName('福建省 龙岩市 长汀县')).toBe('福建省 龙岩市 长汀县');
    expect(localDivisionName('福建省 福州市 鼓楼区')).toBe('福建省 福州市 鼓楼区');
    expect(localDivisionName(null)).toBe('');
  });
});

describe('lastDayOf', () => {
  it('is the day before an exclusive end, across months and leap days', () => {
    expect(lastDayOf('2024-01-01')).toBe('2023-12-31');
    expect(lastDayOf('2024-03-01')).toBe('2024-02-29');
  });
});

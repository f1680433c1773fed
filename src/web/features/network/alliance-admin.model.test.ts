import { describe, expect, it } from 'vitest';
import type { CatalogueEntryDto } from '../../../contracts/network.js';
import { ApiError } from '../../api/client.js';
import {
  allianceOverrides, defaultsByTier, fieldOfServerError, filterByName, isIcd10Code, isIcdRangeText, isOpenMembership, mayAdministerAlliance, nextDay, normaliseRangeText,
  parseEnd, parseJoin, parseOverride, rangeText,
} from './alliance-admin.model.js';

const lead = { leadOrganizationId: 'county-hospital' };
const org = (id: string) => ({ id, name: '机构', tier: 'county-hospital', identifier: 'X' });

describe('mayAdministerAlliance', () => {
  it('lets a system admin administer any alliance, with or without an organization', () => {
    expect(mayAdministerAlliance({ roles: ['system-admin'], organization: null }, lead)).toBe(true);
  });
  it('lets an alliance admin administer only the alliance its organization leads', () => {
    expect(mayAdministerAlliance({ roles: ['alliance-admin'], organization: org('county-hospital') }, lead)).toBe(true);
    expect(mayAdministerAlliance({ roles: ['alliance-admin'], organization: org('city-hospital') }, lead)).toBe(false);
    expect(mayAdministerAlliance({ roles: ['alliance-admin'], organization: null }, lead)).toBe(false);
  });
  it('refuses other roles even at the lead organization', () => {
    expect(mayAdministerAlliance({ roles: ['county-specialist', 'referral-desk'], organization: org('county-hospital') }, lead)).toBe(false);
  });
});

describe('membership periods', () => {
  it('only an open period can be ended', () => {
    expect(isOpenMembership({ validTo: null })).toBe(true);
    expect(isOpenMembership({ validTo: '2024-01-01' })).toBe(false);
  });
  it('filters by a part of the organization name, ignoring blanks and case, without touching the input', () => {
    const rows = [{ organizationName: '长汀县中医院' }, { organizationName: '河田镇上街村卫生室' }, { organizationName: 'Longyan First Hospital' }];
    expect(filterByName(rows, ' 卫生室 ').map((r) => r.organizationName)).toEqual(['河田镇上街村卫生室']);
    expect(filterByName(rows, 'first')).toHaveLength(1);
    const all = filterByName(rows, '  ');
    expect(all).toEqual(rows);
    expect(all).not.toBe(rows);
  });
  it('computes the next calendar day across month, year and leap-day boundaries', () => {
    expect(nextDay('2024-01-31')).toBe('2024-02-01');
    expect(nextDay('2024-02-28')).toBe('2024-02-29');
    expect(nextDay('2023-02-28')).toBe('2023-03-01');
    expect(nextDay('2025-12-31')).toBe('2026-01-01');
    expect(() => nextDay('2025/12/31')).toThrow();
  });
});

describe('parseJoin', () => {
  it('builds the request body, member by default and a blank reason as null', () => {
    expect(parseJoin({ organizationId: 'o1', validFrom: '2026-03-01', reason: '  ' })).toEqual({
      ok: true,
      value: { organizationId: 'o1', role: 'member', validFrom: '2026-03-01', reason: null },
    });
    expect(parseJoin({ organizationId: 'o1', role: 'lead', validFrom: '2026-03-01', reason: ' 新纳入 ' })).toMatchObject({
      ok: true,
      value: { role: 'lead', reason: '新纳入' },
    });
  });
  it('puts missing values on their fields', () => {
    const r = parseJoin({ organizationId: null, validFrom: null });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.name).sort()).toEqual(['organizationId', 'validFrom']);
  });
});

describe('parseEnd', () => {
  const m = { validFrom: '2019-01-01' };
  it('requires a reason (the contract says so) and an end after the start', () => {
    const noReason = parseEnd(m, { validTo: '2026-03-01', reason: ' ' }, 'too early');
    expect(noReason).toEqual({ ok: false, errors: [{ name: 'reason', errors: ['请填写变更原因'] }] });
    expect(parseEnd(m, { validTo: '2019-01-01', reason: '撤并' }, 'too early')).toEqual({ ok: false, errors: [{ name: 'validTo', errors: ['too early'] }] });
    expect(parseEnd(m, { validTo: '2019-01-02', reason: ' 撤并 ' }, 'too early')).toEqual({ ok: true, value: { validTo: '2019-01-02', reason: '撤并' } });
  });
});

describe('ICD-10 ranges', () => {
  it('normalises what was typed', () => {
    expect(normaliseRangeText(' k35 – k37 ')).toBe('K35-K37');
    expect(normaliseRangeText('j44.0~j44.1')).toBe('J44.0-J44.1');
  });
  it('tells one code from anything else', () => {
    for (const ok of ['I10', ' e11.9 ', 'E119', 'I10.x00x002']) expect(isIcd10Code(ok), ok).toBe(true);
    for (const bad of ['', 'I1', 'K35-K37', '高血压', 'I10.']) expect(isIcd10Code(bad), bad).toBe(false);
  });
  it('accepts codes and ranges the server accepts', () => {
    for (const ok of ['I10', 'E11.9', 'E119', 'K35-K37', 'J44.0-J44.1', 'I10.x00x002', 'E10 - E14']) expect(isIcdRangeText(ok), ok).toBe(true);
  });
  it('refuses text, three parts and ranges that end before they start', () => {
    for (const bad of ['', 'hello', '110', 'I1', 'I10-', 'A00-B99-C10', 'E14-E10', '高血压']) expect(isIcdRangeText(bad), bad).toBe(false);
  });
});

describe('parseOverride', () => {
  it('sends a normalised range, a trimmed label and a blank note as null', () => {
    expect(parseOverride({ tier: 'township-health-center', range: 'k35 - k37', effect: 'include', label: ' 阑尾炎 ', note: '' }, 'bad')).toEqual({
      ok: true,
      value: { tier: 'township-health-center', range: 'K35-K37', effect: 'include', label: '阑尾炎', note: null },
    });
  });
  it('refuses a missing tier, effect and label, and a malformed range', () => {
    const missing = parseOverride({ range: 'K35' }, 'bad');
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.errors.map((e) => e.name).sort()).toEqual(['effect', 'label', 'tier']);
    expect(parseOverride({ tier: 'village-clinic', range: 'K3X', effect: 'exclude', label: '阑尾炎' }, 'bad')).toEqual({
      ok: false,
      errors: [{ name: 'range', errors: ['bad'] }],
    });
  });
});

describe('catalogue lists', () => {
  const entry = (id: string, tier: CatalogueEntryDto['tier'], allianceId: string | null, codeFrom: string, codeTo = codeFrom): CatalogueEntryDto => ({
    id, tier, allianceId, codeFrom, codeTo, effect: 'include', label: id, note: null, source: null,
  });
  const entries = [
    entry('d1', 'county-hospital', null, 'A00', 'Z99'),
    entry('d2', 'village-clinic', null, 'J00', 'J06'),
    entry('d3', 'village-clinic', null, 'A09'),
    entry('o1', 'county-hospital', 'a1', 'C34'),
    entry('o2', 'village-clinic', 'a1', 'K35', 'K37'),
    entry('o3', 'village-clinic', 'a1', 'I10'),
    entry('x1', 'village-clinic', 'a2', 'I10'),
  ];
  it("keeps only this alliance's own entries, up the tier ladder then by code", () => {
    expect(allianceOverrides(entries, 'a1').map((e) => e.id)).toEqual(['o3', 'o2', 'o1']);
    expect(allianceOverrides(entries, 'none')).toEqual([]);
  });
  it('groups the defaults by tier in ladder order and leaves empty tiers out', () => {
    expect(defaultsByTier(entries).map((g) => [g.tier, g.entries.map((e) => e.id)])).toEqual([
      ['village-clinic', ['d3', 'd2']],
      ['county-hospital', ['d1']],
    ]);
  });
  it('shows a single code or a range', () => {
    expect(rangeText({ codeFrom: 'I10', codeTo: 'I10' })).toBe('I10');
    expect(rangeText({ codeFrom: 'E10', codeTo: 'E14' })).toBe('E10–E14');
  });
});

describe('fieldOfServerError', () => {
  const fields = ['validFrom', 'organizationId'] as const;
  it('names the field of a 400 whose path the form has', () => {
    expect(fieldOfServerError(new ApiError(400, 'invalid', '加入日期不能早于医联体成立日期 2019-01-01', 'validFrom'), fields)).toBe('validFrom');
    expect(fieldOfServerError(new ApiError(400, 'invalid', 'x', 'organizationId.0'), fields)).toBe('organizationId');
  });
  it('leaves overlaps, refusals, unknown paths and other errors to the banner', () => {
    expect(fieldOfServerError(new ApiError(409, 'conflict', '成员期间不能重叠'), fields)).toBeUndefined();
    expect(fieldOfServerError(new ApiError(403, 'forbidden', '只有系统管理员…', 'validFrom'), fields)).toBeUndefined();
    expect(fieldOfServerError(new ApiError(400, 'invalid', 'x', 'role'), fields)).toBeUndefined();
    expect(fieldOfServerError(new ApiError(400, 'invalid', 'x'), fields)).toBeUndefined();
    expect(fieldOfServerError(new Error('boom'), fields)).toBeUndefined();
  });
});

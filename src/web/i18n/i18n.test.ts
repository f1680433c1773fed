import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as codes from '../../contracts/codes.js';
import { commonChronicConditions } from '../config.js';
import en from './en.json' with { type: 'json' };
import zhCN from './zh-CN.json' with { type: 'json' };

/** Flattened keys; plural forms (`age_one`, `age_other`) count as their base key. */
function keys(obj: unknown, prefix = ''): Set<string> {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object') for (const sub of keys(v, key)) out.add(sub);
    else out.add(key.replace(/_(zero|one|two|few|many|other)$/, ''));
  }
  return out;
}

const webRoot = fileURLToPath(new URL('..', import.meta.url));
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('translations', () => {
  const zh = keys(zhCN);
  const english = keys(en);

  it('have the same keys in Chinese and English', () => {
    expect([...zh].filter((k) => !english.has(k))).toEqual([]);
    expect([...english].filter((k) => !zh.has(k))).toEqual([]);
  });

  it('cover every literal key the code uses', () => {
    const used = new Set<string>();
    for (const file of sources(webRoot)) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/\bt\(\s*'([\w.-]+)'/g)) used.add(m[1] ?? '');
      for (const m of text.matchAll(/label: '(nav\.[\w]+)'/g)) used.add(m[1] ?? '');
    }
    expect(used.size).toBeGreaterThan(100);
    expect([...used].filter((k) => !zh.has(k))).toEqual([]);
  });
});

describe('enumeration labels', () => {
  const zh = keys(zhCN);
  const groups: [string, readonly string[]][] = [
    ['tier', codes.facilityTiers],
    ['role', codes.roleCodes],
    ['title', codes.practitionerTitles],
    ['allianceKind', codes.allianceKinds],
    ['membershipRole', codes.membershipRoles],
    ['profession', codes.professions],
    ['practitionerRoleKind', codes.practitionerRoleKinds],
    ['sex', codes.sexes],
    ['ownership', codes.ownershipKinds],
    ['identifierKind', codes.identifierKinds],
    ['hospitalLevel', codes.hospitalLevels],
    ['hospitalGrade', codes.hospitalGrades],
    ['catalogueEffect', codes.catalogueEffects],
    ['auditAction', codes.auditActions],
    ['basis', codes.accessBases],
    ['channel', codes.channels],
    ['condition', commonChronicConditions],
  ];
  it.each(groups)('label every %s code', (group, values) => {
    expect(values.filter((v) => !zh.has(`${group}.${v}`))).toEqual([]);
  });
});

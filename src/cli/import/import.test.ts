import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../shared/errors.js';
import { coerce, mapHeader, organizationFields, patientFields, toOrganizationInput, toPatientRow } from './fields.js';
import { csvField, csvLine } from './reject-writer.js';
import { reasonOf, runImport } from './runner.js';
import type { RecordSource, SourceItem } from './source.js';

const dir = mkdtempSync(path.join(tmpdir(), 'yilian-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('columns and values', () => {
  it('maps English names and Chinese aliases, ignoring case, spaces and reject columns', () => {
    const m = mapHeader(['姓名', 'ID Number', 'birth_date', 'line', 'reason', 'shoeSize', '姓名'], patientFields);
    expect(m.fields.map((f) => f?.name ?? null)).toEqual(['name', 'idNumber', 'birthDate', null, null, null, null]);
    expect(m.unknown).toEqual(['shoeSize']);
    expect(m.duplicated).toEqual(['姓名']);
    expect(mapHeader(['name'], organizationFields).missingRequired.map((f) => f.name)).toEqual(['identifier', 'tier', 'divisionCode']);
  });

  it('turns spreadsheet cells into contract values', () => {
    expect(coerce('bool', '是')).toEqual({ ok: true, value: true });
    expect(coerce('bool', 'FALSE')).toEqual({ ok: true, value: false });
    expect(coerce('bool', 'maybe').ok).toBe(false);
    expect(coerce('date', '1985/3/7')).toEqual({ ok: true, value: '1985-03-07' });
    expect(coerce('date', '19850307')).toEqual({ ok: true, value: '1985-03-07' });
    expect(coerce('sex', '女')).toEqual({ ok: true, value: 'female' });
    expect(coerce('list', 'I10；E11、 J44')).toEqual({ ok: true, value: ['I10', 'E11', 'J44'] });
    expect(coerce('int', '12.5').ok).toBe(false);
    expect(coerce('string', '   ')).toEqual({ ok: true, value: undefined });
    const sci = coerce('idNumber', '3.50821E+17');
    expect(sci.ok).toBe(false);
    expect(!sci.ok && sci.message).toContain('科学计数法');
    expect(coerce('idNumber', 350821198005070115).ok).toBe(false);
  });

  it('validates rows with the zod contracts and their Chinese messages', () => {
    expect(toOrganizationInput({ identifier: 'X1', name: '某卫生室', tier: 'village-clinic', divisionCode: '350821', beds: '3' })).toMatchObject({
      ok: true, value: { beds: 3, identifierKind: 'local', ownership: 'public' },
    });
    expect(toOrganizationInput({ identifier: 'X1', name: '某卫生室', tier: 'clinic', divisionCode: '35' })).toEqual({
      ok: false, reason: expect.stringMatching(/^tier: 机构层级应为.*; divisionCode: 行政区划代码应为6、9或12位数字$/),
    });
    expect(toPatientRow({ name: '张三', sex: '男', birthDate: '1980-01-02', managingOrganization: 'ORG-1', chronicConditions: 'I10' })).toEqual({
      ok: true,
      value: { managingOrganization: 'ORG-1', input: expect.objectContaining({ name: '张三', sex: 'male', chronicConditions: ['I10'], confirmNotDuplicate: false }) },
    });
    expect(toPatientRow({ sex: 'x' })).toEqual({ ok: false, reason: 'name: 姓名不能为空 / required' });
  });

  it('quotes reject-file fields as RFC 4180 requires', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvLine(['x', 'y\nz'])).toBe('x,"y\nz"\r\n');
  });

  it('explains a possible duplicate and says how to confirm it', () => {
    const err = new AppError('conflict', '可能重复登记', { detail: { suggestions: [{ name: '张*丰', birthDate: '1980-01-01', managingOrganizationName: '某院', reasons: ['出生日期相同', '姓名相近'] }] } });
    const r = reasonOf(err);
    expect(r.category).toBe('possible-duplicate');
    expect(r.reason).toContain('张*丰 1980-01-01 某院（出生日期相同、姓名相近）');
    expect(r.reason).toContain('confirmNotDuplicate');
    expect(reasonOf(new AppError('invalid', '身份证号码校验位错误', { path: 'idNumber' })).reason).toBe('idNumber: 身份证号码校验位错误');
  });
});

function fakeSource(items: SourceItem[]): RecordSource {
  return {
    format: 'csv',
    totalBytes: 0,
    estimateRecords: async () => items.length,
    columns: () => ['k', 'v'],
    items: async function* () {
      for (const i of items) yield i;
    },
  };
}

const item = (line: number, k: string, v: string): SourceItem => ({ line, values: { k, v }, original: { k, v } });

describe('runImport', () => {
  it('runs rows of one key one at a time in file order, others concurrently, and writes rejects in file order', async () => {
    const active = new Map<string, number>();
    let maxParallel = 0;
    let running = 0;
    const order: string[] = [];
    const items = [item(2, 'a', 'ok'), item(3, 'b', 'slow-bad'), item(4, 'a', 'bad'), item(5, 'c', 'ok'), { line: 6, error: 'CSV 格式错误', original: {} }, item(7, 'a', 'ok')];
    const rejectsPath = path.join(dir, 'r.csv');
    const summary = await runImport<{ k: string; v: string; line: number }>({
      source: fakeSource(items),
      label: 'test',
      rejectsPath,
      progress: false,
      concurrency: 3,
      rejectColumns: () => ['k', 'v'],
      rejectValues: (i) => i.original,
      prepare: (i) => ({ ok: true, value: { k: String(i.values.k), v: String(i.values.v), line: i.line }, key: String(i.values.k) }),
      apply: async ({ k, v, line }) => {
        active.set(k, (active.get(k) ?? 0) + 1);
        expect(active.get(k)).toBe(1);
        running++;
        maxParallel = Math.max(maxParallel, running);
        await new Promise((r) => setTimeout(r, v === 'slow-bad' ? 60 : 10));
        order.push(`${k}${line}`);
        running--;
        active.set(k, active.get(k)! - 1);
        if (v.endsWith('bad')) throw new AppError('invalid', `bad ${k}`, { path: 'v' });
      },
    });
    expect(summary).toMatchObject({ read: 6, imported: 3, rejected: 3, rejectedBy: { invalid: 2, csv: 1 }, rejectsPath });
    expect(order.filter((x) => x.startsWith('a'))).toEqual(['a2', 'a4', 'a7']);
    expect(maxParallel).toBeGreaterThan(1);
    const text = readFileSync(rejectsPath, 'utf8');
    expect(text).toBe('\uFEFFk,v,line,reason\r\nb,slow-bad,3,v: bad b\r\na,bad,4,v: bad a\r\n,,6,CSV 格式错误\r\n');
  });

  it('stops on an error that is not a row\'s fault and reports what was done', async () => {
    const rejectsPath = path.join(dir, 'fatal.csv');
    await expect(
      runImport({
        source: fakeSource([item(2, 'a', 'ok'), item(3, 'b', 'boom'), item(4, 'c', 'ok')]),
        label: 'test', rejectsPath, progress: false, concurrency: 1,
        rejectColumns: () => ['k', 'v'], rejectValues: (i) => i.original,
        prepare: (i) => ({ ok: true, value: String(i.values.v), key: 'x' }),
        apply: async (v) => {
          if (v === 'boom') throw new Error('connection lost');
        },
      }),
    ).rejects.toMatchObject({ message: 'connection lost', summary: { imported: 1 } });
  });

  it('hands rows over in batches in file order and writes rejects in file order', async () => {
    const rejectsPath = path.join(dir, 'batches.csv');
    const batches: string[][] = [];
    const items = [item(2, 'a', 'ok'), item(3, 'b', 'bad'), { line: 4, error: 'CSV 格式错误', original: {} }, item(5, 'c', 'ok'), item(6, 'd', 'ok'), item(7, 'e', 'bad')];
    const summary = await runImport<string>({
      source: fakeSource(items),
      label: 'test', rejectsPath, progress: false, concurrency: 1, batchSize: 2,
      rejectColumns: () => ['k', 'v'], rejectValues: (i) => i.original,
      prepare: (i) => ({ ok: true, value: `${String(i.values.k)}:${String(i.values.v)}`, key: 'x' }),
      apply: async () => {
        throw new Error('not used when batches answer');
      },
      applyBatch: async (values, done) => {
        batches.push(values);
        // Outcomes may be reported in any order; the reject file still follows the input.
        for (let k = values.length - 1; k >= 0; k--) done(k, values[k]!.endsWith('bad') ? new AppError('invalid', `bad ${values[k]}`) : null);
      },
    });
    expect(batches).toEqual([['a:ok', 'b:bad'], ['c:ok', 'd:ok'], ['e:bad']]);
    expect(summary).toMatchObject({ read: 6, imported: 3, rejected: 3, rejectedBy: { invalid: 2, csv: 1 } });
    expect(readFileSync(rejectsPath, 'utf8')).toBe('\uFEFFk,v,line,reason\r\nb,bad,3,bad b:bad\r\n,,4,CSV 格式错误\r\ne,bad,7,bad e:bad\r\n');
  });

  it('redoes the unreported rows of a failed batch one by one, so a fatal error names its row', async () => {
    const rejectsPath = path.join(dir, 'batch-fatal.csv');
    const applied: string[] = [];
    const run = runImport<string>({
      source: fakeSource([item(2, 'a', 'ok'), item(3, 'b', 'ok'), item(4, 'c', 'boom'), item(5, 'd', 'ok'), item(6, 'e', 'ok')]),
      label: 'test', rejectsPath, progress: false, concurrency: 1, batchSize: 10,
      rejectColumns: () => ['k', 'v'], rejectValues: (i) => i.original,
      prepare: (i) => ({ ok: true, value: String(i.values.k) + String(i.values.v), key: 'x' }),
      apply: async (v) => {
        applied.push(v);
        if (v.endsWith('boom')) throw new Error('connection lost');
      },
      applyBatch: async (values, done) => {
        done(0, null); // the first row was written before the batch failed
        throw new Error(`batch of ${values.length} failed`);
      },
    });
    await expect(run).rejects.toMatchObject({ message: 'connection lost', summary: { read: 5, imported: 2, rejected: 3, rejectedBy: { error: 1, 'not-processed': 2 } } });
    expect(applied).toEqual(['bok', 'cboom']);
    expect(readFileSync(rejectsPath, 'utf8')).toContain('c,boom,4,导入中止 / import stopped: connection lost');
  });
});

import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { pipeline, Transform } from 'node:stream';
import { parse } from 'csv-parse';
import { FatalError, UsageError } from '../errors.js';

export type FileFormat = 'csv' | 'ndjson';

/** One record of the input: its values by column name, or why it could not be read at all. */
export type SourceItem =
  | { line: number; values: Record<string, unknown>; original: Record<string, string> }
  | { line: number; error: string; original: Record<string, string> };

export interface RecordSource {
  format: FileFormat;
  totalBytes: number;
  /** Records in the file, counted by line breaks (a quoted field with a line break makes it an over-estimate). */
  estimateRecords(): Promise<number>;
  /** Column names in file order; for CSV known after the first item, for NDJSON the ones seen so far. */
  columns(): string[];
  items(): AsyncGenerator<SourceItem>;
}

export function detectFormat(file: string, explicit?: string): FileFormat {
  if (explicit) {
    if (explicit !== 'csv' && explicit !== 'ndjson') throw new UsageError(`--format 应为 csv 或 ndjson / must be csv or ndjson (got ${explicit})`);
    return explicit;
  }
  return /\.(ndjson|jsonl)$/i.test(file) ? 'ndjson' : 'csv';
}

/**
 * Decodes the file as it streams. UTF-8 is checked strictly: spreadsheets in China often save CSV as GBK, and a
 * silently mis-decoded name would be imported as mojibake, so a bad byte stops the import with a hint instead.
 */
function decoder(encoding: string): Transform {
  let td: TextDecoder;
  try {
    td = new TextDecoder(encoding, { fatal: true });
  } catch {
    throw new UsageError(`不支持的文件编码 / unsupported encoding: ${encoding}（可用 utf-8、gbk、gb18030 等）`);
  }
  const fail = () =>
    new FatalError(
      `文件不是有效的 ${td.encoding} 编码 / the file is not valid ${td.encoding}` +
        (td.encoding === 'utf-8' ? '：若由 Excel 另存为 CSV，通常是 GBK 编码，请加 --encoding gbk，或另存为“CSV UTF-8” / if Excel saved it, try --encoding gbk' : ''),
    );
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      try {
        cb(null, td.decode(chunk, { stream: true }));
      } catch {
        cb(fail());
      }
    },
    flush(cb) {
      try {
        cb(null, td.decode());
      } catch {
        cb(fail());
      }
    },
  });
  t.setEncoding('utf8');
  return t;
}

export function openSource(file: string, opts: { format: FileFormat; encoding: string }): RecordSource {
  let totalBytes: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new UsageError(`${file} 不是文件 / is not a file`);
    totalBytes = st.size;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`无法读取文件 / cannot read ${file}: ${(e as Error).message}`);
  }
  // The streams are created when reading starts: an error (a GBK file read as UTF-8) then reaches the reader
  // instead of surfacing as an unhandled 'error' event while the database is still being opened.
  let columns: string[] = [];
  const open = (): NodeJS.ReadableStream => {
    const stream = createReadStream(file);
    const decoded = decoder(opts.encoding);
    pipeline(stream, decoded, () => {
      /* errors are delivered to the reader through `decoded` */
    });
    return decoded;
  };
  return {
    format: opts.format,
    totalBytes,
    estimateRecords: async () => Math.max(0, (await countLines(file)) - (opts.format === 'csv' ? 1 : 0)),
    columns: () => columns,
    items: opts.format === 'csv' ? () => csvItems(open(), (c) => (columns = c)) : () => ndjsonItems(open(), columns),
  };
}

async function* csvItems(input: NodeJS.ReadableStream, setColumns: (c: string[]) => void): AsyncGenerator<SourceItem> {
  const skipped: SourceItem[] = [];
  const parser = parse({
    bom: true,
    info: true,
    raw: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (err, raw) => {
      const lines = typeof err?.lines === 'number' ? err.lines : 0;
      const snippet = (raw ?? '').replace(/\s+/g, ' ').slice(0, 120);
      skipped.push({ line: lines, error: `CSV 格式错误 / CSV syntax error: ${err?.message ?? 'unreadable record'}${snippet ? ` 〔${snippet}〕` : ''}`, original: {} });
      return undefined;
    },
  });
  input.on('error', (e) => parser.destroy(e as Error));
  input.pipe(parser);
  let header: string[] | null = null;
  for await (const rec of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
    while (skipped.length) yield skipped.shift()!;
    if (!header) {
      header = rec.record.map((h) => h.trim());
      setColumns(header);
      continue;
    }
    const original: Record<string, string> = {};
    header.forEach((h, i) => (original[h] = rec.record[i] ?? ''));
    if (rec.record.length !== header.length && !(rec.record.length > header.length && rec.record.slice(header.length).every((v) => v.trim() === ''))) {
      yield { line: rec.info.lines, error: `列数不符 / wrong number of columns: 表头 ${header.length} 列，本行 ${rec.record.length} 列`, original };
      continue;
    }
    yield { line: rec.info.lines, values: original, original };
  }
  while (skipped.length) yield skipped.shift()!;
  if (!header) throw new UsageError('文件为空，没有表头行 / the file is empty (no header row)');
}

async function* ndjsonItems(input: NodeJS.ReadableStream, columns: string[]): AsyncGenerator<SourceItem> {
  let failure: Error | null = null;
  input.on('error', (e) => (failure = e as Error));
  const rl = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  for await (const text of rl) {
    line++;
    if (text.trim() === '') continue;
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (e) {
      yield { line, error: `不是有效的 JSON / invalid JSON: ${(e as Error).message} 〔${text.slice(0, 120)}〕`, original: {} };
      continue;
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
      yield { line, error: `每行应为一个 JSON 对象 / each line must be a JSON object 〔${text.slice(0, 120)}〕`, original: {} };
      continue;
    }
    const values = obj as Record<string, unknown>;
    const original: Record<string, string> = {};
    for (const [k, v] of Object.entries(values)) {
      if (!columns.includes(k)) columns.push(k);
      original[k] = v === null || v === undefined ? '' : Array.isArray(v) ? v.map(String).join(';') : typeof v === 'object' ? JSON.stringify(v) : String(v);
    }
    yield { line, values, original };
  }
  if (failure) throw failure;
}

/**
 * Counts non-empty lines with a fast byte scan (for the progress bar's total). The line feed byte never occurs inside
 * a multi-byte character in UTF-8 or GBK, so this is right for both.
 */
async function countLines(file: string): Promise<number> {
  let lines = 0;
  let lineHasContent = false;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === 0x0a) {
        if (lineHasContent) lines++;
        lineHasContent = false;
      } else if (b !== 0x0d && b !== 0x20 && b !== 0x09) lineHasContent = true;
    }
  }
  return lines + (lineHasContent ? 1 : 0);
}

import { createWriteStream, existsSync, unlinkSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';

/** RFC 4180 quoting: a field with a comma, quote or line break is quoted and its quotes doubled. */
export function csvField(v: string): string {
  return /[",\r\n]/.test(v) || /^\s|\s$/.test(v) ? `"${v.replaceAll('"', '""')}"` : v;
}

export const csvLine = (fields: readonly string[]): string => `${fields.map(csvField).join(',')}\r\n`;

/**
 * The reject file: the original columns of every refused row, then `line` and `reason`. It is created at the first
 * rejected row (a clean run leaves none behind, and a reject file from an earlier run is removed so it cannot be
 * mistaken for this run's). A UTF-8 BOM makes Excel show the Chinese reasons correctly; the importer skips it, so
 * a corrected reject file can be imported as it is.
 */
export class RejectWriter {
  private out: WriteStream | null = null;
  private columns: string[] = [];
  count = 0;

  constructor(readonly path: string) {
    if (existsSync(path)) unlinkSync(path);
  }

  async write(columns: () => string[], values: Record<string, string>, line: number, reason: string): Promise<void> {
    if (!this.out) {
      this.columns = columns().filter((c) => c !== 'line' && c !== 'reason');
      this.out = createWriteStream(this.path, { encoding: 'utf8' });
      this.out.write(`\uFEFF${csvLine([...this.columns, 'line', 'reason'])}`);
    }
    this.count++;
    const ok = this.out.write(csvLine([...this.columns.map((c) => values[c] ?? ''), String(line), reason]));
    if (!ok) await once(this.out, 'drain');
  }

  async close(): Promise<void> {
    if (!this.out) return;
    const out = this.out;
    this.out = null;
    await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  }
}

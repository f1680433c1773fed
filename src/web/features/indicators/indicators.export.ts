import type ExcelJSModule from 'exceljs';
// The prebuilt browser bundle of exceljs (~1 MB), emitted as a static file and loaded only when the user exports.
// Imported as a URL, not as a module: the build's vendor chunk (loaded on every page) would otherwise take it in.
import exceljsUrl from 'exceljs/dist/exceljs.min.js?url';
import type { Sheet } from './indicators.model.js';

type ExcelJS = typeof ExcelJSModule;
let loading: Promise<ExcelJS> | undefined;

/** Loads the UMD bundle once; it defines `window.ExcelJS`. */
function loadExcelJs(): Promise<ExcelJS> {
  loading ??= new Promise<ExcelJS>((resolve, reject) => {
    const existing = (window as unknown as { ExcelJS?: ExcelJS }).ExcelJS;
    if (existing) return resolve(existing);
    const script = document.createElement('script');
    script.src = exceljsUrl;
    script.async = true;
    script.onload = () => {
      const lib = (window as unknown as { ExcelJS?: ExcelJS }).ExcelJS;
      if (lib) resolve(lib);
      else reject(new Error('exceljs did not load'));
    };
    script.onerror = () => {
      loading = undefined;
      reject(new Error('exceljs could not be downloaded'));
    };
    document.head.appendChild(script);
  });
  return loading;
}

/**
 * Excel export (.xlsx), built in the browser with exceljs. Figures are written as numbers so the commission can compute
 * with them; "no data" cells stay empty, never 0.
 */
export async function downloadWorkbook(sheets: readonly Sheet[], fileName: string): Promise<void> {
  const ExcelJS = await loadExcelJs();
  const wb = new ExcelJS.Workbook();
  wb.creator = '医联';
  wb.created = new Date();
  for (const s of sheets) {
    const ws = wb.addWorksheet(s.name.slice(0, 31));
    for (const row of s.rows) ws.addRow(row.map((c) => (c === null ? null : c)));
    // The header row of each sheet is the first row with more than three cells (captions come before it).
    const headerIndex = s.rows.findIndex((r) => r.length > 3);
    if (headerIndex >= 0) {
      const header = ws.getRow(headerIndex + 1);
      header.font = { bold: true };
      header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE6F4F1' } };
      ws.views = [{ state: 'frozen', ySplit: headerIndex + 1 }];
    }
    ws.columns.forEach((col, i) => {
      const widest = Math.max(...s.rows.map((r) => displayWidth(r[i])), 6);
      col.width = Math.min(48, widest + 2);
    });
  }
  const buffer = await wb.xlsx.writeBuffer();
  saveBlob(new Blob([buffer], { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }), fileName);
}

/** Width in Excel's character units: CJK characters count double. */
function displayWidth(c: string | number | null | undefined): number {
  if (c === null || c === undefined) return 0;
  let w = 0;
  for (const ch of String(c)) w += /[\u2e80-\uffff]/.test(ch) ? 2 : 1;
  return w;
}

function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

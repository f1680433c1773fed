import { AppError } from '../../shared/errors.js';
import { findCjkFonts, PdfFontMissingError, registerCjk, type CjkFonts } from '../../shared/pdf-fonts.js';
import { loadPdfKit } from '../../shared/pdfkit.js';
import { code128Widths } from './lab-barcode.js';

/**
 * Specimen labels (标本条码标签): one 50 × 30 mm label per page — the size of the common thermal tube-label rolls —
 * with the Code 128 barcode drawn as bars (pdfkit has no barcode support; lab-barcode.ts encodes it) and the number,
 * patient, specimen and request printed for the collecting nurse. Noto Sans CJK as for the report.
 */

const mm = (x: number): number => (x * 72) / 25.4;
const LABEL_W = mm(50);
const LABEL_H = mm(30);
/** Quiet zone each side, in modules (ISO/IEC 15417 §4.5.2 asks for at least ten). */
const QUIET = 10;

export interface SpecimenLabel {
  barcode: string;
  specimenType: string;
  container: string | null;
}

export interface LabelContext {
  requestNumber: string;
  examType: string;
  patientName: string;
  patientSex: string;
  patientBirthDate: string;
  requesterOrganizationName: string;
  urgent: boolean;
  printedAt: Date;
}

function fonts(): CjkFonts {
  try {
    return findCjkFonts();
  } catch (e) {
    if (e instanceof PdfFontMissingError) throw new AppError('unavailable', e.message);
    throw e;
  }
}

const sexLabel: Record<string, string> = { male: '男', female: '女' };
const cstMinute = (d: Date): string => new Date(d.getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

/** Draws `text`'s Code 128 bars in the box (x, y, width, height), quiet zones included in the width. */
export function drawCode128(doc: PDFKit.PDFDocument, text: string, x: number, y: number, width: number, height: number): void {
  const widths = code128Widths(text);
  const modules = widths.reduce((a, b) => a + b, 0) + 2 * QUIET;
  const unit = width / modules;
  let cursor = x + QUIET * unit;
  widths.forEach((w, i) => {
    if (i % 2 === 0) doc.rect(cursor, y, w * unit, height).fill('#000');
    cursor += w * unit;
  });
}

/** The label sheet of a request's specimens, one label per page. */
export async function renderSpecimenLabels(labels: readonly SpecimenLabel[], c: LabelContext): Promise<Buffer> {
  const f = fonts();
  const PDFDocument = await loadPdfKit();
  const doc = new PDFDocument({ size: [LABEL_W, LABEL_H], margin: 0, autoFirstPage: false, info: { Title: `标本条码 ${c.requestNumber}`, Author: c.requesterOrganizationName } });
  registerCjk(doc, 'regular', f.regular);
  registerCjk(doc, 'bold', f.bold ?? f.regular);
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const pad = mm(2);
  const inner = LABEL_W - 2 * pad;
  for (const label of labels) {
    doc.addPage({ size: [LABEL_W, LABEL_H], margin: 0 });
    doc.fillColor('#000');
    doc.font('bold').fontSize(7).text(`${c.patientName}  ${sexLabel[c.patientSex] ?? ''}  ${c.patientBirthDate}${c.urgent ? '  【急】' : ''}`, pad, pad, { width: inner, lineBreak: false });
    doc.font('regular').fontSize(6).text(`${label.specimenType}${label.container ? ` · ${label.container}` : ''} · ${c.examType}`, pad, pad + mm(3.2), { width: inner, lineBreak: false, ellipsis: true });
    drawCode128(doc, label.barcode, pad, pad + mm(6.5), inner, mm(12));
    doc.font('regular').fontSize(7).fillColor('#000').text(label.barcode, pad, pad + mm(19), { width: inner, align: 'center', characterSpacing: 1, lineBreak: false });
    doc.font('regular').fontSize(5).text(`${c.requestNumber}  ${cstMinute(c.printedAt)}`, pad, pad + mm(22.5), { width: inner, align: 'center', lineBreak: false });
  }
  doc.end();
  return done;
}

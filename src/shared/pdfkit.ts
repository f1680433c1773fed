import type PDFDocument from 'pdfkit';

let loading: Promise<typeof PDFDocument> | null = null;

/**
 * pdfkit, with the fontkit, brotli and pako it brings (~5 MB of heap and ~20 MB resident once loaded), comes in with
 * the first PDF a process prints rather than at start-up: most requests never print.
 */
export function loadPdfKit(): Promise<typeof PDFDocument> {
  loading ??= import('pdfkit').then((m) => m.default);
  return loading;
}

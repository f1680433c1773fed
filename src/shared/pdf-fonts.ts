import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * The CJK font of every printable document (referral slip, admission notice, diagnosis report): Noto Sans CJK
 * (Debian `fonts-noto-cjk`), looked up once per process, parsed once, embedded as a subset in each PDF.
 */

/** No CJK font on the server: the PDF cannot show Chinese. The message says what to install. */
export class PdfFontMissingError extends Error {
  readonly code = 'pdf_font_missing';
  constructor() {
    super('未找到中文字体（Noto Sans CJK），无法生成 PDF：请在服务器上安装 fonts-noto-cjk（apt-get install fonts-noto-cjk）后重试。');
    this.name = 'PdfFontMissingError';
  }
}

// ---- fonts

export const CJK_REGULAR = 'NotoSansCJKsc-Regular';
export const CJK_BOLD = 'NotoSansCJKsc-Bold';

interface FontFile {
  path: string;
  /** PostScript name of the face inside a collection (.ttc); undefined for a single-face .otf/.ttf. */
  face: string | undefined;
}
export interface CjkFonts {
  regular: FontFile;
  bold: FontFile | undefined;
}

const NOTO_DIRS = ['/usr/share/fonts/opentype/noto', '/usr/share/fonts/noto-cjk', '/usr/share/fonts/google-noto-cjk'];

function fontFile(path: string, face: string): FontFile {
  return { path, face: path.toLowerCase().endsWith('.ttc') ? face : undefined };
}

function fcMatch(pattern: string): string | null {
  try {
    const r = spawnSync('fc-match', ['-f', '%{file}\n%{family}', pattern], { encoding: 'utf8', timeout: 5_000 });
    if (r.status !== 0 || !r.stdout) return null;
    const [file = '', family = ''] = r.stdout.split('\n');
    // fc-match always answers something; only a CJK face will do.
    if (!file || !existsSync(file) || !/cjk/i.test(`${file} ${family}`)) return null;
    return file;
  } catch {
    return null;
  }
}

function probeFonts(): CjkFonts | null {
  for (const dir of NOTO_DIRS) {
    for (const [reg, bold] of [
      ['NotoSansCJK-Regular.ttc', 'NotoSansCJK-Bold.ttc'],
      ['NotoSansCJKsc-Regular.otf', 'NotoSansCJKsc-Bold.otf'],
    ] as const) {
      const r = join(dir, reg);
      if (!existsSync(r)) continue;
      const b = join(dir, bold);
      return { regular: fontFile(r, CJK_REGULAR), bold: existsSync(b) ? fontFile(b, CJK_BOLD) : undefined };
    }
  }
  const r = fcMatch('Noto Sans CJK SC');
  if (!r) return null;
  const name = basename(r);
  const sibling = name.includes('Regular') ? join(dirname(r), name.replace('Regular', 'Bold')) : null;
  const b = sibling && existsSync(sibling) ? sibling : fcMatch('Noto Sans CJK SC:bold');
  return { regular: fontFile(r, CJK_REGULAR), bold: b && b !== r ? fontFile(b, CJK_BOLD) : undefined };
}

let cachedFonts: CjkFonts | undefined;

/** The CJK font files, looked up once (a miss is not cached, so installing the font needs no restart). */
export function findCjkFonts(): CjkFonts {
  if (cachedFonts) return cachedFonts;
  const found = probeFonts();
  if (!found) throw new PdfFontMissingError();
  cachedFonts = found;
  return found;
}

/**
 * Parsed fonts, kept across documents. pdfkit accepts a parsed fontkit font as a font source; parsing the 20 MB
 * collection and warming its layout tables costs ~0.5 s a face, reusing it brings a slip down to tens of ms.
 * Each document still embeds its own subset.
 */
const parsedFonts = new Map<string, PDFKit.Mixins.PDFFontSource>();

export function registerCjk(doc: PDFKit.PDFDocument, name: string, file: FontFile): void {
  const key = `${file.path}#${file.face ?? ''}`;
  const parsed = parsedFonts.get(key);
  if (parsed) {
    doc.registerFont(name, parsed);
    return;
  }
  doc.registerFont(name, file.path, file.face);
  doc.font(name);
  const font = (doc as unknown as { _font?: { font?: { layout?: unknown } } })._font?.font;
  if (font && typeof font.layout === 'function') parsedFonts.set(key, font as unknown as PDFKit.Mixins.PDFFontSource);
}


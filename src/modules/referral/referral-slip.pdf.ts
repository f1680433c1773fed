import type { ReferralDto } from '../../contracts/referral.js';
import { conflict } from '../../shared/errors.js';
import { CJK_BOLD, CJK_REGULAR, findCjkFonts, registerCjk } from '../../shared/pdf-fonts.js';
import { loadPdfKit } from '../../shared/pdfkit.js';
export { PdfFontMissingError, findCjkFonts } from '../../shared/pdf-fonts.js';
import { commonDiagnosisName } from './common-diagnoses.js';
import { describeState } from './referral.rules.js';

/**
 * Printable documents of the two-way referral, made on the server with pdfkit:
 *
 * - the referral slip 双向转诊（上转/下转）单 — an A4 form laid out like the paper slip of county hospitals (a bordered
 *   grid of labelled cells, sections numbered 一、二、…), running onto further pages when the clinical text is long;
 * - the admission notice 入院通知单 — one A4 page for a referral that holds a bed.
 *
 * Chinese needs a CJK font: Noto Sans CJK (Debian `fonts-noto-cjk`) is looked up once per process and embedded as a
 * subset. Times in the DTO are ISO UTC and are printed in China Standard Time (+08:00, no daylight saving).
 */

export interface PrintOptions {
  printedAt: Date;
  /** Name of the user who prints (shown in the footer). */
  printedBy: string;
}

// ---- labels and formatting

const SHANGHAI_OFFSET_MS = 8 * 3600_000;
const DASH = '—';

const sexLabel: Record<string, string> = { male: '男', female: '女', unknown: '未知', other: '其他' };
const urgencyOrder = [['routine', '普通'], ['urgent', '加急'], ['emergency', '急诊']] as const;
const downKindLabel: Record<string, string> = {
  'acute-recovery': '急性病恢复期', 'post-operative': '术后恢复期', 'stable-critical': '重症稳定期',
};
const holdReasonLabel: Record<string, string> = {
  'patient-unavailable': '患者暂不能就诊', 'patient-deciding': '患者考虑中', 'awaiting-documents': '待补充资料', other: '其他原因',
};
const consentMethodLabel: Record<string, string> = {
  'signed-form': '书面签字', 'verbal-witnessed': '口头同意（有见证人）', electronic: '电子签名',
};
const resultKindLabel: Record<string, string> = { lab: '检验', imaging: '影像', ecg: '心电图', pathology: '病理', other: '其他' };
const taskKindLabel: Record<string, string> = {
  'follow-up-visit': '随访复诊', 'lab-test': '复查检验', 'medication-review': '用药评估', rehabilitation: '康复训练',
  'home-visit': '上门随访', other: '其他',
};
const taskStatusLabel: Record<string, string> = { open: '待完成', done: '已完成', cancelled: '已取消' };
const bookingStatusLabel: Record<string, string> = {
  booked: '已预约', fulfilled: '已就诊', noshow: '未到诊', cancelled: '已取消', held: '床位已预留', admitted: '已入院',
  released: '已释放',
};
const deadlineStepLabel: Record<string, string> = { accept: '接收', arrive: '到诊', admit: '入院', discharge: '出院', summary: '回传小结' };

/** `YYYY-MM-DD HH:mm` in Asia/Shanghai; the raw text when it is not a time. */
export function shanghaiDateTime(at: string | Date | null | undefined): string {
  if (at === null || at === undefined || at === '') return DASH;
  const ms = at instanceof Date ? at.getTime() : Date.parse(at);
  if (Number.isNaN(ms)) return String(at);
  const iso = new Date(ms + SHANGHAI_OFFSET_MS).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

function shanghaiDay(at: string | Date): string {
  if (typeof at === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(at)) return at;
  const ms = at instanceof Date ? at.getTime() : Date.parse(at);
  if (Number.isNaN(ms)) return String(at);
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

function chineseDate(day: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return day;
  const week = '日一二三四五六'[new Date(`${day}T00:00:00Z`).getUTCDay()] ?? '';
  return `${m[1]}年${m[2]}月${m[3]}日（星期${week}）`;
}

/** 69岁, or 8个月 under a year, on the Shanghai date of printing. */
function ageText(birthDate: string, on: Date): string {
  const b = /^(\d{4})-(\d{2})-(\d{2})/.exec(birthDate);
  const t = /^(\d{4})-(\d{2})-(\d{2})/.exec(shanghaiDay(on));
  if (!b || !t) return '';
  const [by, bm, bd] = [Number(b[1]), Number(b[2]), Number(b[3])];
  const [ty, tm, td] = [Number(t[1]), Number(t[2]), Number(t[3])];
  let months = (ty - by) * 12 + (tm - bm) - (td < bd ? 1 : 0);
  if (months < 0) months = 0;
  return months >= 12 ? `${Math.floor(months / 12)}岁` : `${months}个月`;
}

const or = (v: string | null | undefined, fallback = DASH): string => (v && v.trim() ? v.trim() : fallback);

function diagnosisText(code: string, name?: string | null): string {
  const n = name ?? commonDiagnosisName(code);
  return n ? `${code}  ${n}` : code;
}

function chineseNumeral(n: number): string {
  const digits = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
  if (n <= 10) return n === 10 ? '十' : digits[n] ?? String(n);
  if (n < 20) return `十${digits[n - 10] ?? ''}`;
  return String(n);
}

// ---- a small form-layout engine on top of pdfkit

type Doc = PDFKit.PDFDocument;
type CellKind = 'label' | 'value' | 'head';
interface Cell {
  text: string;
  /** Width in points. */
  w: number;
  kind?: CellKind;
  align?: 'left' | 'center' | 'right';
  color?: string;
}

const PAGE_W = 595.28;
const PAGE_H = 841.89;
const MARGIN_X = 40;
const MARGIN_TOP = 38;
const FOOTER_H = 58;
const CONTENT_W = PAGE_W - 2 * MARGIN_X;
const BOTTOM = PAGE_H - FOOTER_H;
const FONT_SIZE = 9;
const LINE_GAP = 1;
const PAD_X = 4;
const PAD_Y = 3;
const MIN_ROW_H = 18;
const SECTION_H = 17;
const LABEL_W = 60;
const BORDER = '#3a3a3a';
const LABEL_FILL = '#f1f1f1';
const SECTION_FILL = '#dedede';

class Form {
  y = MARGIN_TOP;
  private readonly bold: string;

  constructor(
    readonly doc: Doc,
    bold: boolean,
    /** Drawn at the top of every continuation page; returns its height. */
    private readonly continuation: (doc: Doc, y: number) => number,
  ) {
    this.bold = bold ? CJK_BOLD : CJK_REGULAR;
  }

  fontOf(kind: CellKind): string {
    return kind === 'value' ? CJK_REGULAR : this.bold;
  }

  textHeight(text: string, width: number, font: string, size = FONT_SIZE): number {
    if (!text) return 0;
    return this.doc.font(font).fontSize(size).heightOfString(text, { width, lineGap: LINE_GAP });
  }

  remaining(): number {
    return BOTTOM - this.y;
  }

  newPage(): void {
    this.doc.addPage();
    this.y = MARGIN_TOP;
    this.y += this.continuation(this.doc, this.y);
  }

  /** Starts a new page unless `h` points fit on this one. */
  ensure(h: number): void {
    if (this.y + h > BOTTOM) this.newPage();
  }

  gap(h: number): void {
    this.y += h;
  }

  /** Largest prefix of `text` that fits in `maxH` at `width`, and the rest. */
  split(text: string, width: number, maxH: number, font: string): [string, string] {
    if (this.textHeight(text, width, font) <= maxH) return [text, ''];
    let lo = 0;
    let hi = text.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.textHeight(text.slice(0, mid), width, font) <= maxH) lo = mid;
      else hi = mid - 1;
    }
    let n = lo;
    if (n > 0 && n < text.length) {
      const code = text.charCodeAt(n - 1);
      if (code >= 0xd800 && code <= 0xdbff) n -= 1; // never split a surrogate pair
      // Prefer a paragraph break near the end of what fits, and never cut a Latin word or number in two.
      const nl = text.lastIndexOf('\n', n - 1);
      if (nl > 0 && nl >= n * 0.75) n = nl + 1;
      else if (/[A-Za-z0-9.]/.test(text[n - 1] ?? '') && /[A-Za-z0-9.]/.test(text[n] ?? '')) {
        let k = n - 1;
        while (k > n - 30 && k > 0 && /[A-Za-z0-9.]/.test(text[k - 1] ?? '')) k -= 1;
        if (k > 0 && k > n - 30) n = k;
      }
    }
    return [text.slice(0, n).replace(/\s+$/, ''), text.slice(n).replace(/^\s*\n/, '')];
  }

  private drawCells(cells: readonly Cell[], h: number): void {
    const { doc } = this;
    let x = MARGIN_X;
    for (const c of cells) {
      const kind = c.kind ?? 'value';
      doc.save();
      doc.lineWidth(0.6);
      if (kind !== 'value') doc.rect(x, this.y, c.w, h).fillAndStroke(kind === 'head' ? SECTION_FILL : LABEL_FILL, BORDER);
      else doc.rect(x, this.y, c.w, h).stroke(BORDER);
      doc.restore();
      if (c.text) {
        doc.font(this.fontOf(kind)).fontSize(FONT_SIZE).fillColor(c.color ?? 'black');
        doc.text(c.text, x + PAD_X, this.y + PAD_Y, {
          width: c.w - 2 * PAD_X, lineGap: LINE_GAP, align: c.align ?? (kind === 'label' ? 'center' : 'left'),
        });
        doc.fillColor('black');
      }
      x += c.w;
    }
  }

  /** Height of a row: its tallest cell. */
  measure(cells: readonly Cell[]): number {
    return Math.max(MIN_ROW_H, ...cells.map((c) => this.textHeight(c.text, c.w - 2 * PAD_X, this.fontOf(c.kind ?? 'value')) + 2 * PAD_Y));
  }

  /**
   * One grid row. A row that does not fit moves to the next page when it is short; a tall one (a long clinical summary)
   * is split across pages, its label continued with 「（续）」. `onNewPage` redraws a table's header.
   */
  row(cells: readonly Cell[], onNewPage?: () => void): void {
    let current = cells;
    for (;;) {
      const need = this.measure(current);
      if (this.y + need <= BOTTOM) {
        this.drawCells(current, need);
        this.y += need;
        return;
      }
      const avail = BOTTOM - this.y;
      const freshPage = BOTTOM - MARGIN_TOP - 30;
      if (avail < 48 || (need <= freshPage && need <= 150)) {
        this.newPage();
        onNewPage?.();
        continue;
      }
      const parts = current.map((c) => this.split(c.text, c.w - 2 * PAD_X, avail - 2 * PAD_Y, this.fontOf(c.kind ?? 'value')));
      this.drawCells(current.map((c, i) => ({ ...c, text: parts[i]?.[0] ?? '' })), avail);
      this.y += avail;
      this.newPage();
      onNewPage?.();
      current = current.map((c, i) => {
        const tail = parts[i]?.[1] ?? '';
        if ((c.kind ?? 'value') === 'label') return { ...c, text: c.text.endsWith('（续）') ? c.text : `${c.text}\n（续）` };
        return { ...c, text: tail };
      });
    }
  }

  /**
   * Label/value pairs on a grid of columns (one weight per column's value cell), so the rows of a section line up; an
   * item may span several columns (its value takes the labels it covers), the last one runs to the right edge.
   */
  pairs(items: readonly (readonly [label: string, value: string, span?: number])[], grid: readonly number[] = items.map(() => 1)): void {
    const free = CONTENT_W - LABEL_W * grid.length;
    const sum = grid.reduce((a, b) => a + b, 0);
    const colW = grid.map((g) => LABEL_W + (free * g) / sum);
    const cells: Cell[] = [];
    let col = 0;
    let used = 0;
    items.forEach(([label, value, span = 1], i) => {
      const total = i === items.length - 1
        ? CONTENT_W - used
        : Math.round(colW.slice(col, col + span).reduce((a, b) => a + b, 0));
      const labelW = this.labelWidth(label);
      cells.push({ text: label, w: labelW, kind: 'label' }, { text: value, w: total - labelW });
      used += total;
      col += span;
    });
    this.row(cells);
  }

  /** Width of a label cell: the standard width, wider when the label would otherwise wrap. */
  labelWidth(label: string): number {
    const w = this.doc.font(this.bold).fontSize(FONT_SIZE).widthOfString(label) + 2 * PAD_X + 4;
    return Math.max(LABEL_W, Math.ceil(w));
  }

  /** A full-width labelled text that may be long (wraps, splits across pages). */
  long(label: string, value: string): void {
    const w = this.labelWidth(label);
    this.row([{ text: label, w, kind: 'label' }, { text: value, w: CONTENT_W - w }]);
  }

  /** A section header bar: 「三、诊断与病情」. Kept with at least the first row that follows. */
  section(title: string): void {
    this.ensure(SECTION_H + MIN_ROW_H + 24);
    this.y += 3;
    const { doc } = this;
    doc.save().lineWidth(0.6).rect(MARGIN_X, this.y, CONTENT_W, SECTION_H).fillAndStroke(SECTION_FILL, BORDER).restore();
    doc.font(this.bold).fontSize(9.5).fillColor('black')
      .text(title, MARGIN_X + PAD_X, this.y + 1.5, { width: CONTENT_W - 2 * PAD_X, lineBreak: false });
    this.y += SECTION_H;
  }

  /** A bordered table with a header row repeated on each page it runs onto; an empty table shows 「无」. */
  table(columns: readonly { title: string; w: number; align?: 'left' | 'center' }[], rows: readonly string[][], label?: string): void {
    const scale = CONTENT_W / columns.reduce((s, c) => s + c.w, 0);
    const widths = columns.map((c) => c.w * scale);
    const header = (): void => this.row(columns.map((c, i) => ({ text: c.title, w: widths[i] ?? 0, kind: 'label' as const })));
    const cellsOf = (r: readonly string[]): Cell[] => columns.map((c, i) => ({ text: r[i] ?? '', w: widths[i] ?? 0, align: c.align ?? 'left' }));
    // Keep a short table together (label, header and rows); a long one starts with at least its first row.
    const body = rows.reduce((h, r) => h + this.measure(cellsOf(r)), 0) || MIN_ROW_H;
    this.ensure(Math.min((label ? 2 : 1) * MIN_ROW_H + body, 160));
    if (label) this.row([{ text: label, w: CONTENT_W, kind: 'label', align: 'left' }]);
    header();
    if (rows.length === 0) {
      this.row([{ text: '无', w: CONTENT_W, align: 'center' }]);
      return;
    }
    for (const r of rows) {
      this.row(cellsOf(r), header);
    }
  }
}

async function createDoc(title: string, opts: PrintOptions): Promise<{ doc: Doc; done: Promise<Buffer>; bold: boolean }> {
  const fonts = findCjkFonts();
  const PDFDocument = await loadPdfKit();
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN_TOP, bottom: FOOTER_H, left: MARGIN_X, right: MARGIN_X },
    bufferPages: true,
    lang: 'zh-CN',
    displayTitle: true,
    info: { Title: title, Author: opts.printedBy, Creator: 'Yilian 医联', Producer: 'Yilian 医联 (pdfkit)', CreationDate: opts.printedAt },
  });
  if (fonts.bold) registerCjk(doc, CJK_BOLD, fonts.bold);
  registerCjk(doc, CJK_REGULAR, fonts.regular);
  doc.font(CJK_REGULAR);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  return { doc, done, bold: fonts.bold !== undefined };
}

/** Printed-at, printed-by and page x/y at the foot of every page (drawn once all pages exist). */
function drawFooters(doc: Doc, opts: PrintOptions, left: string, boldFont: string): void {
  const range = doc.bufferedPageRange();
  for (let i = 0; i < range.count; i += 1) {
    doc.switchToPage(range.start + i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0; // writing inside the bottom margin must not open a new page
    const y = PAGE_H - FOOTER_H + 18;
    doc.save().lineWidth(0.5).moveTo(MARGIN_X, y - 5).lineTo(PAGE_W - MARGIN_X, y - 5).stroke('#777').restore();
    doc.font(CJK_REGULAR).fontSize(8.5).fillColor('#333');
    doc.text(`${left}　　打印时间：${shanghaiDateTime(opts.printedAt)}　　打印人：${or(opts.printedBy)}`, MARGIN_X, y, {
      width: CONTENT_W - 90, lineBreak: false,
    });
    doc.font(boldFont).text(`第 ${i + 1} / ${range.count} 页`, PAGE_W - MARGIN_X - 90, y, { width: 90, align: 'right', lineBreak: false });
    doc.fillColor('black');
    doc.page.margins.bottom = bottom;
  }
}

// ---- the referral slip

/** 双向转诊（上转/下转）单 as an A4 PDF. */
export async function renderReferralSlip(referral: ReferralDto, opts: PrintOptions): Promise<Buffer> {
  const r = referral;
  const title = r.direction === 'up' ? '双向转诊（上转）单' : '双向转诊（下转）单';
  const { doc, done, bold } = await createDoc(`${title} ${r.number}`, opts);
  const B = bold ? CJK_BOLD : CJK_REGULAR;

  const form = new Form(doc, bold, (d, y) => {
    d.font(B).fontSize(10).fillColor('#333').text(`${title}（续）`, MARGIN_X, y, { width: CONTENT_W / 2, lineBreak: false });
    d.font(CJK_REGULAR).fontSize(10).text(`转诊单号：${r.number}`, MARGIN_X + CONTENT_W / 2, y, {
      width: CONTENT_W / 2, align: 'right', lineBreak: false,
    });
    d.fillColor('black');
    return 20;
  });

  // Title block
  doc.font(CJK_REGULAR).fontSize(10).fillColor('#444')
    .text(`${r.origin.name} → ${r.destination.name}`, MARGIN_X, form.y, { width: CONTENT_W, align: 'center', lineBreak: false });
  doc.fillColor('black');
  form.y += 15;
  doc.font(B).fontSize(19).text(title, MARGIN_X, form.y, { width: CONTENT_W, align: 'center', characterSpacing: 2, lineBreak: false });
  if (r.urgency !== 'routine') {
    const stamp = r.urgency === 'emergency' ? '急诊' : '加急';
    doc.save().lineWidth(1.4).roundedRect(PAGE_W - MARGIN_X - 58, form.y - 2, 58, 28, 4).stroke('#c62828').restore();
    doc.font(B).fontSize(15).fillColor('#c62828').text(stamp, PAGE_W - MARGIN_X - 58, form.y + 3, { width: 58, align: 'center', lineBreak: false });
    doc.fillColor('black');
  }
  form.y += 31;
  doc.font(CJK_REGULAR).fontSize(10);
  doc.text(`转诊单号：${r.number}`, MARGIN_X, form.y, { width: CONTENT_W / 2, lineBreak: false });
  doc.text(`申请时间：${shanghaiDateTime(r.requestedAt ?? r.createdAt)}`, MARGIN_X + CONTENT_W / 2, form.y, {
    width: CONTENT_W / 2, align: 'right', lineBreak: false,
  });
  form.y += 15;

  let n = 0;
  const section = (t: string): void => form.section(`${chineseNumeral(++n)}、${t}`);

  // 患者信息
  section('患者基本信息');
  const patientGrid = [1.1, 0.55, 1.3];
  form.pairs([
    ['姓名', r.patient.name],
    ['性别', sexLabel[r.patient.sex] ?? r.patient.sex],
    ['出生日期', `${r.patient.birthDate}（${ageText(r.patient.birthDate, opts.printedAt)}）`],
  ], patientGrid);
  form.pairs([['身份证号', or(r.patient.idNumberMasked), 2], ['联系电话', or(r.patient.phone)]], patientGrid);

  // 转出与接收
  section('转出与接收');
  const partyGrid = [1.7, 0.75, 0.65];
  form.pairs([['转出机构', r.origin.name], ['转出科室', or(r.originDepartment?.name)], ['转出医生', or(r.requesterName)]], partyGrid);
  form.pairs([
    ['接收机构', r.destination.name], ['接收科室', or(r.destinationDepartment?.name)], ['接收医生', or(r.assignedUserName, '待分配')],
  ], partyGrid);
  const urgencyBoxes = urgencyOrder.map(([code, label]) => `${code === r.urgency ? '■' : '□'} ${label}`).join('　');
  form.pairs([['联系电话', or(r.contactPhone)], ['紧急程度', urgencyBoxes, 2]], partyGrid);
  if (r.direction === 'down') {
    const kinds = Object.entries(downKindLabel).map(([code, label]) => `${code === r.downKind ? '■' : '□'} ${label}`).join('　');
    form.pairs([['下转类型', kinds, 3]], partyGrid);
  }
  if (r.recommendedOrganization && r.overrideReason) {
    form.pairs([['系统推荐', r.recommendedOrganization.name], ['改选原因', r.overrideReason, 2]], partyGrid);
  }
  if (r.inOwnCatalogueNote) form.long('本级目录说明', r.inOwnCatalogueNote);

  // 诊断与病情
  section('诊断与病情');
  form.long('主要诊断', diagnosisText(r.diagnosisCode, r.diagnosisName));
  form.long('次要诊断', r.secondaryDiagnoses.length ? r.secondaryDiagnoses.map((c) => diagnosisText(c)).join('；') : '无');
  form.long('转诊原因', r.reason);
  form.long('病情摘要', r.clinicalSummary);
  form.long('已行治疗', or(r.treatmentGiven, '无'));

  // 目前用药
  section(r.direction === 'up' ? '目前用药' : '住院期间用药');
  form.table(
    [{ title: '序号', w: 36, align: 'center' }, { title: '药品名称', w: 150 }, { title: '剂量', w: 80 }, { title: '用法/频次', w: 90 }, { title: '备注', w: 155 }],
    r.medications.map((m, i) => [String(i + 1), m.name, or(m.dose, ''), or(m.frequency, ''), or(m.note, '')]),
  );

  // 随附检查结果
  section('随附检查资料');
  form.table(
    [{ title: '类别', w: 48, align: 'center' }, { title: '项目', w: 120 }, { title: '日期', w: 70, align: 'center' }, { title: '结果摘要', w: 273 }],
    r.attachedResults.map((a) => [resultKindLabel[a.kind] ?? a.kind, a.title, a.date, or(a.summary, '')]),
  );

  // 知情同意
  section('知情同意');
  if (r.consent) {
    form.pairs([
      ['同意人', r.consent.by],
      ['同意方式', consentMethodLabel[r.consent.method] ?? r.consent.method],
      ['同意时间', shanghaiDateTime(r.consent.at)],
    ], [1, 1.3, 1.1]);
  } else {
    form.row([{ text: '未记录知情同意（请患者或家属在本单签字）', w: CONTENT_W }]);
  }

  // 预约信息
  section('预约信息');
  const bk = r.booking;
  const bookingGrid = [1, 1.2, 1];
  if (!bk) {
    form.row([{ text: '尚未预约（接收机构接收后安排号源或床位）', w: CONTENT_W }]);
  } else if (bk.kind === 'bed') {
    form.pairs([['预约类型', '住院床位'], ['入院科室', bk.departmentName], ['预约状态', bookingStatusLabel[bk.status] ?? bk.status]], bookingGrid);
    form.pairs([['入院日期', chineseDate(shanghaiDay(bk.start)), 2], ['入院通知单号', or(bk.admissionNoticeNumber)]], bookingGrid);
  } else {
    const end = bk.end ? `–${shanghaiDateTime(bk.end).slice(11)}` : '';
    form.pairs([['预约类型', '门诊号源'], ['就诊科室', bk.departmentName], ['预约状态', bookingStatusLabel[bk.status] ?? bk.status]], bookingGrid);
    form.pairs([['就诊时间', `${shanghaiDateTime(bk.start)}${end}`, 3]], bookingGrid);
  }

  // 下转：继续治疗与康复方案
  const plan = r.carePlan;
  if (r.direction === 'down' && plan) {
    section('继续治疗与康复方案');
    form.long('诊断小结', plan.diagnosisSummary);
    form.table(
      [{ title: '序号', w: 36, align: 'center' }, { title: '药品名称', w: 150 }, { title: '剂量', w: 80 }, { title: '用法/频次', w: 90 }, { title: '备注', w: 155 }],
      plan.medications.map((m, i) => [String(i + 1), m.name, or(m.dose, ''), or(m.frequency, ''), or(m.note, '')]),
      '出院带药 / 继续用药',
    );
    form.long('康复建议', or(plan.rehabilitationAdvice, '无'));
    form.long(
      '预警症状',
      `出现以下任一情况，请立即联系上级医院或回转：\n${plan.warningSigns.map((w, i) => `${i + 1}. ${w}`).join('\n')}`,
    );
    form.table(
      [{ title: '序号', w: 36, align: 'center' }, { title: '随访类型', w: 80, align: 'center' }, { title: '任务内容', w: 235 }, { title: '截止日期', w: 80, align: 'center' }, { title: '状态', w: 80, align: 'center' }],
      plan.tasks.map((t, i) => [String(i + 1), taskKindLabel[t.kind] ?? t.kind, t.title, t.dueDate, taskStatusLabel[t.status] ?? t.status]),
      '随访任务',
    );
  }

  // 回传小结
  if (r.returnedSummary) {
    section(r.direction === 'up' ? '诊疗结果回传' : '基层随访情况回传');
    form.long(r.direction === 'up' ? '诊疗小结' : '随访小结', r.returnedSummary);
  }

  // 办理状态
  section('办理状态');
  const hold = r.status === 'on-hold' && r.holdReason ? `（${holdReasonLabel[r.holdReason] ?? r.holdReason}）` : '';
  const deadline = r.deadline && r.deadline.state === 'running'
    ? `${deadlineStepLabel[r.deadline.step] ?? r.deadline.step}时限 ${shanghaiDateTime(r.deadline.dueAt)}${r.deadline.overdue ? '（已逾期）' : ''}`
    : DASH;
  form.pairs([['当前状态', `${describeState(r.status, r.subState)}${hold}`], ['办理时限', deadline]], [1, 1.2]);
  const steps = ([
    ['申请', r.requestedAt], ['接收', r.acceptedAt], ['到诊', r.arrivedAt], ['入院', r.admittedAt], ['出院', r.dischargedAt],
    ['完成', r.completedAt],
  ] as const).filter(([, at]) => at).map(([label, at]) => `${label} ${shanghaiDateTime(at)}`);
  form.long('办理经过', steps.length ? steps.join('　→　') : DASH);
  if (r.rejectionReason) form.long('拒收原因', r.rejectionReason);
  if (r.cancelReason) form.long('撤销原因', r.cancelReason);

  // Signatures
  drawSignatures(form, ['转出医生签名', '接收医生签名', '患者或家属签名'], B);

  drawFooters(doc, opts, `转诊单号：${r.number}`, B);
  doc.end();
  return done;
}

function drawSignatures(form: Form, labels: readonly string[], boldFont: string): void {
  const { doc } = form;
  const h = 50;
  form.ensure(h + 12);
  form.gap(12);
  const colW = CONTENT_W / labels.length;
  labels.forEach((label, i) => {
    const x = MARGIN_X + i * colW;
    doc.font(boldFont).fontSize(10).text(`${label}：`, x, form.y, { width: colW - 8, lineBreak: false });
    doc.save().lineWidth(0.6).moveTo(x + 4, form.y + 30).lineTo(x + colW - 14, form.y + 30).stroke(BORDER).restore();
    doc.font(CJK_REGULAR).fontSize(9).fillColor('#444').text('日期：　　　年　　月　　日', x, form.y + 35, { width: colW - 8, lineBreak: false });
    doc.fillColor('black');
  });
  form.gap(h);
}

// ---- the admission notice

/** 入院通知单 as a one-page A4 PDF; the referral must hold a bed with a notice number (else a conflict). */
export async function renderAdmissionNotice(referral: ReferralDto, opts: PrintOptions): Promise<Buffer> {
  const r = referral;
  const bk = r.booking;
  if (!bk || bk.kind !== 'bed' || !bk.admissionNoticeNumber) {
    throw conflict('该转诊没有住院床位预约，无法打印入院通知单');
  }
  const noticeNo = bk.admissionNoticeNumber;
  const { doc, done, bold } = await createDoc(`入院通知单 ${noticeNo}`, opts);
  const B = bold ? CJK_BOLD : CJK_REGULAR;
  const form = new Form(doc, bold, () => 0);

  doc.font(B).fontSize(18).text(r.destination.name, MARGIN_X, form.y + 6, { width: CONTENT_W, align: 'center', lineBreak: false });
  form.y += 34;
  doc.font(B).fontSize(24).text('入院通知单', MARGIN_X, form.y, { width: CONTENT_W, align: 'center', characterSpacing: 6, lineBreak: false });
  form.y += 42;
  doc.font(CJK_REGULAR).fontSize(10);
  doc.text(`通知单号：${noticeNo}`, MARGIN_X, form.y, { width: CONTENT_W / 2, lineBreak: false });
  doc.text(`转诊单号：${r.number}`, MARGIN_X + CONTENT_W / 2, form.y, { width: CONTENT_W / 2, align: 'right', lineBreak: false });
  form.y += 18;

  const department = bk.departmentName || r.destinationDepartment?.name || DASH;
  const g = [1.2, 0.6, 0.8];
  form.pairs([
    ['姓名', r.patient.name], ['性别', sexLabel[r.patient.sex] ?? r.patient.sex], ['年龄', ageText(r.patient.birthDate, opts.printedAt) || DASH],
  ], g);
  form.pairs([['身份证号', or(r.patient.idNumberMasked), 2], ['联系电话', or(r.patient.phone)]], g);
  form.pairs([['入院科室', department, 3]], g);
  form.pairs([['入院日期', chineseDate(shanghaiDay(bk.start)), 3]], g);
  form.pairs([['转出机构', `${r.origin.name}${r.originDepartment ? ` ${r.originDepartment.name}` : ''}`, 3]], g);
  form.pairs([['诊断', diagnosisText(r.diagnosisCode, r.diagnosisName), 3]], g);
  form.pairs([['转诊单号', r.number, 2], ['紧急程度', urgencyOrder.find(([c]) => c === r.urgency)?.[1] ?? r.urgency]], g);

  form.gap(16);
  const para = (text: string, font = CJK_REGULAR, size = 11, indent = 0): void => {
    doc.font(font).fontSize(size).text(text, MARGIN_X + indent, form.y, { width: CONTENT_W - indent, lineGap: 4 });
    form.y = doc.y + 2;
  };
  para(`${r.patient.name}${r.patient.sex === 'female' ? '女士' : r.patient.sex === 'male' ? '先生' : ''}：`, B, 12);
  para(`经转诊审核，已为您预留${department}住院床位。请于${chineseDate(shanghaiDay(bk.start))}持本通知单到${r.destination.name}住院处办理入院手续；如不能按时入院，请提前告知，以便床位安排。`, CJK_REGULAR, 11, 0);
  form.gap(6);
  para('请携带以下资料：', B, 11.5);
  const bring = [
    '患者本人身份证（原件）',
    '医保卡（社会保障卡）',
    `转诊单（转诊单号：${r.number}）`,
    '既往检查资料（检验报告、影像胶片及报告、门诊或出院病历等）',
    '本入院通知单',
  ];
  bring.forEach((item, i) => para(`${i + 1}. ${item}`, CJK_REGULAR, 11, 14));
  if (r.contactPhone) {
    form.gap(6);
    para(`联系电话：${r.contactPhone}`, B, 11.5);
  }

  // Issuing hospital and date, bottom right.
  const signY = Math.max(form.y + 30, BOTTOM - 70);
  doc.font(B).fontSize(11.5).text(`${r.destination.name}（盖章）`, MARGIN_X + CONTENT_W / 2, signY, {
    width: CONTENT_W / 2, align: 'right', lineBreak: false,
  });
  const issued = shanghaiDay(opts.printedAt).split('-');
  doc.font(CJK_REGULAR).fontSize(11).text(`${issued[0]}年${issued[1]}月${issued[2]}日`, MARGIN_X + CONTENT_W / 2, signY + 22, {
    width: CONTENT_W / 2, align: 'right', lineBreak: false,
  });

  drawFooters(doc, opts, `入院通知单号：${noticeNo}`, B);
  doc.end();
  return done;
}

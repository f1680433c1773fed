import type { DiagnosisRequestDto } from '../../contracts/diagnosis.js';
import { AppError } from '../../shared/errors.js';
import { findCjkFonts, PdfFontMissingError, registerCjk, type CjkFonts } from '../../shared/pdf-fonts.js';
import { loadPdfKit } from '../../shared/pdfkit.js';
import { centerTypeLabels } from './diagnosis.rules.js';

/**
 * The printable report (诊断报告单) with the center's header, made on the server with pdfkit and Noto Sans CJK (the
 * same font the referral slip uses, Debian `fonts-noto-cjk`). Times are printed in China Standard Time.
 */

function fonts(): CjkFonts {
  try {
    return findCjkFonts();
  } catch (e) {
    if (e instanceof PdfFontMissingError) throw new AppError('unavailable', e.message);
    throw e;
  }
}

const cst = (at: string | Date | null | undefined): string =>
  at ? new Date(new Date(at).getTime() + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ') : '—';
const sexLabel: Record<string, string> = { male: '男', female: '女' };
const statusLabel: Record<string, string> = { preliminary: '初步报告', final: '正式报告', amended: '更正报告' };

/** Renders the released report of a request; `center` supplies the header. Refuses a request without a released report. */
export async function renderDiagnosisReport(
  r: DiagnosisRequestDto,
  center: { name: string; reportHeader: string | null; phone: string | null },
  opts: { printedAt: Date; printedBy: string },
): Promise<Buffer> {
  const report = r.report;
  if (!report || !['preliminary', 'final', 'amended'].includes(report.status)) throw new AppError('conflict', '该申请还没有可打印的报告（尚未出具或待审核签发）');
  const f = fonts();
  const PDFDocument = await loadPdfKit();
  const doc = new PDFDocument({ size: 'A4', margin: 48, info: { Title: `${center.name} 诊断报告 ${r.number}`, Author: center.name } });
  registerCjk(doc, 'regular', f.regular);
  registerCjk(doc, 'bold', f.bold ?? f.regular);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const width = doc.page.width - 96;
  doc.font('bold').fontSize(16).text(r.center.organizationName, { align: 'center', width });
  doc.font('bold').fontSize(14).text(`${center.name} · ${centerTypeLabels[r.center.type]}报告单`, { align: 'center', width });
  if (center.reportHeader) doc.font('regular').fontSize(9).text(center.reportHeader, { align: 'center', width });
  doc.moveDown(0.5).moveTo(48, doc.y).lineTo(48 + width, doc.y).stroke();
  doc.moveDown(0.5);
  const line = (pairs: [string, string][]) => {
    doc.font('regular').fontSize(10).text(pairs.map(([k, v]) => `${k}：${v}`).join('    '), { width });
  };
  line([['申请单号', r.number], ['报告状态', statusLabel[report.status] ?? report.status], ['版本', String(report.version)]]);
  line([['姓名', r.patient.name], ['性别', sexLabel[r.patient.sex] ?? r.patient.sex], ['出生日期', r.patient.birthDate]]);
  line([['申请机构', r.requester.organizationName], ['申请医生', r.requester.userName], ['申请时间', cst(r.submittedAt)]]);
  line([['检查项目', r.examType], ['检查方式', r.modality], ['部位', r.bodyPart ?? '—']]);
  line([['临床问题', r.clinicalQuestion]]);
  doc.moveDown(0.5).moveTo(48, doc.y).lineTo(48 + width, doc.y).stroke().moveDown(0.5);
  doc.font('bold').fontSize(11).text('检查所见', { width });
  doc.font('regular').fontSize(10).text(report.findings, { width }).moveDown(0.6);
  doc.font('bold').fontSize(11).text('诊断意见', { width });
  doc.font('regular').fontSize(10).text(report.impression, { width }).moveDown(0.6);
  const critical = r.criticalValues.map((c) => `${c.finding}（${cst(c.flaggedAt)} 报告；${c.state === 'acknowledged' ? `${c.receivedBy ?? ''} 于 ${cst(c.acknowledgedAt)} 复述确认` : '待确认'}）`);
  if (critical.length) {
    doc.font('bold').fontSize(11).text('危急值', { width });
    doc.font('regular').fontSize(10).text(critical.join('\n'), { width }).moveDown(0.6);
  }
  if (report.status === 'amended') {
    const last = report.versions.at(-1);
    doc.font('regular').fontSize(9).text(`更正说明：${last?.reason ?? ''}（${cst(last?.at)}）`, { width }).moveDown(0.4);
  }
  doc.moveDown(0.5).moveTo(48, doc.y).lineTo(48 + width, doc.y).stroke().moveDown(0.5);
  line([['报告医师', report.authorName], ['审核医师', report.signedOffByName ?? '—'], ['报告时间', cst(report.finalizedAt ?? report.versions.at(-1)?.at)]]);
  doc.font('regular').fontSize(8).fillColor('#555').text(
    `本报告仅供临床参考。${center.phone ? `中心电话：${center.phone}。` : ''}打印：${opts.printedBy} ${cst(opts.printedAt)}`,
    { width },
  );
  doc.end();
  return done;
}

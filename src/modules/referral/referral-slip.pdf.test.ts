import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ReferralDto } from '../../contracts/referral.js';
import { isAppError } from '../../shared/errors.js';
import {
  findCjkFonts, PdfFontMissingError, renderAdmissionNotice, renderReferralSlip, shanghaiDateTime,
} from './referral-slip.pdf.js';

/*
 * The printed referral slip and admission notice, checked the way a person would: poppler extracts the Chinese text
 * (so the CJK font is embedded and mapped to Unicode), counts the pages and rasterises a page. No database.
 * Without poppler-utils or fonts-noto-cjk the checks are skipped with a warning locally; under CI=true they fail.
 */

const CI = process.env.CI === 'true';
const hasTool = (cmd: string): boolean => !spawnSync(cmd, ['-v'], { encoding: 'utf8' }).error;
const poppler = hasTool('pdftotext') && hasTool('pdfinfo') && hasTool('pdftoppm');
const font = (() => {
  try {
    findCjkFonts();
    return true;
  } catch {
    return false;
  }
})();
if (!poppler && !CI) console.warn('[referral-slip.pdf.test] pdftotext/pdfinfo/pdftoppm not found: PDF text checks skipped (apt-get install poppler-utils)');
if (!font && !CI) console.warn('[referral-slip.pdf.test] no Noto CJK font: PDF tests skipped (apt-get install fonts-noto-cjk)');

const printedAt = new Date('2026-03-10T01:05:00.000Z'); // 2026-03-10 09:05 in Shanghai
const opts = { printedAt, printedBy: '转诊服务中心 王芳' };

const dir = mkdtempSync(join(tmpdir(), 'yilian-slip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function save(name: string, pdf: Buffer): string {
  const file = join(dir, name);
  writeFileSync(file, pdf);
  return file;
}

function pdfText(file: string, page?: number): string {
  const pages = page ? ['-f', String(page), '-l', String(page)] : [];
  const r = spawnSync('pdftotext', ['-enc', 'UTF-8', ...pages, file, '-'], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}
/** Text without whitespace, so wrapped lines and cell padding do not matter. */
const squash = (s: string): string => s.replace(/\s+/g, '');

function pageCount(file: string): number {
  const r = spawnSync('pdfinfo', [file], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const m = /^Pages:\s+(\d+)/m.exec(r.stdout);
  return Number(m?.[1]);
}

function rasterFirstPage(file: string, prefix: string): string {
  const out = join(dir, prefix);
  const r = spawnSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '1', file, out], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const png = readdirSync(dir).find((f) => f.startsWith(prefix) && f.endsWith('.png'));
  expect(png, `no PNG written for ${prefix}`).toBeDefined();
  return join(dir, png ?? '');
}

function baseReferral(): ReferralDto {
  return {
    id: 'ref-up-1',
    number: '20260309-000042',
    direction: 'up',
    status: 'in-progress',
    subState: 'scheduled',
    holdReason: null,
    urgency: 'urgent',
    patient: {
      id: 'pat-1', name: '钟秀兰', sex: 'female', birthDate: '1956-03-12', idNumberMasked: '3508**********2746', phone: '13859012345',
    },
    origin: { id: 'org-ht', name: '长汀县河田镇中心卫生院' },
    originDepartment: { id: 'dept-ht-nk', name: '内科' },
    requesterName: '李建国',
    destination: { id: 'org-zyy', name: '长汀县总医院' },
    destinationDepartment: { id: 'dept-sjnk', name: '神经内科' },
    assignedUserName: '陈志明',
    allianceId: 'all-1',
    diagnosisCode: 'I63.9',
    diagnosisName: '脑梗死',
    secondaryDiagnoses: ['I10', 'E11.9'],
    reason: '右侧肢体无力加重，需行头颅MRI及神经内科专科诊治，本院无相应条件。',
    clinicalSummary:
      '患者女，69岁，因“右侧肢体乏力3天，加重半天”就诊。既往高血压病史10年，血压控制欠佳；2型糖尿病5年。查体：BP 168/96 mmHg，神清，言语稍含糊，右上肢肌力4级，右下肢肌力4-级，右侧巴氏征阳性。',
    treatmentGiven: '阿司匹林肠溶片100mg口服，监测血压、血糖，吸氧。',
    medications: [
      { name: '阿司匹林肠溶片', dose: '100mg', frequency: '每日一次', note: '餐后' },
      { name: '苯磺酸氨氯地平片', dose: '5mg', frequency: '每日一次' },
      { name: '二甲双胍缓释片', dose: '0.5g', frequency: '每日两次', note: '随餐' },
    ],
    attachedResults: [
      { kind: 'lab', title: '血常规＋血糖', date: '2026-03-09', summary: 'WBC 7.2×10^9/L，Hb 128g/L，随机血糖 11.6mmol/L' },
      { kind: 'ecg', title: '十二导联心电图', date: '2026-03-09', summary: '窦性心律，T波低平' },
    ],
    consent: { by: '钟秀兰（患者本人）', method: 'signed-form', at: '2026-03-09T08:20:00.000Z' },
    downKind: null,
    inOwnCatalogueNote: null,
    recommendedOrganization: { id: 'org-zyy', name: '长汀县总医院' },
    overrideReason: null,
    rejectionReason: null,
    cancelReason: null,
    previousReferralId: null,
    returnedSummary: null,
    contactPhone: '0597-6812345',
    requestedAt: '2026-03-09T08:30:00.000Z',
    acceptedAt: '2026-03-09T16:40:00.000Z', // 2026-03-10 00:40 in Shanghai: the day changes
    arrivedAt: null,
    admittedAt: null,
    dischargedAt: null,
    completedAt: null,
    createdAt: '2026-03-09T08:10:00.000Z',
    updatedAt: '2026-03-09T16:45:00.000Z',
    version: 4,
    deadline: { step: 'arrive', dueAt: '2026-03-11T09:00:00.000Z', state: 'running', overdue: false, escalationLevel: 0 },
    booking: {
      kind: 'bed', id: 'bed-1', start: '2026-03-10T16:00:00.000Z', end: null, departmentName: '神经内科', status: 'held',
      admissionNoticeNumber: 'RY20260311-0007',
    },
    carePlan: null,
    allowedActions: [],
  };
}

const warningSigns = [
  '突发一侧肢体无力或麻木加重',
  '言语不清、口角歪斜',
  '剧烈头痛、呕吐或意识改变',
  '血压持续高于180/110mmHg',
];

function downReferral(): ReferralDto {
  const paragraph =
    '患者住院期间予抗血小板聚集、调脂稳定斑块、改善循环、控制血压血糖等治疗，病情稳定。复查头颅CT未见新发出血灶，右侧肢体肌力较入院时明显改善，可独立行走，言语基本清晰。';
  const longSummary = Array.from({ length: 22 }, (_, i) => `（${i + 1}）${paragraph}`).join('\n');
  expect(longSummary.length).toBeLessThanOrEqual(4000); // within the contract's limit
  return {
    ...baseReferral(),
    id: 'ref-down-1',
    number: '20260320-000108',
    direction: 'down',
    status: 'completed',
    subState: null,
    urgency: 'routine',
    origin: { id: 'org-zyy', name: '长汀县总医院' },
    originDepartment: { id: 'dept-sjnk', name: '神经内科' },
    requesterName: '陈志明',
    destination: { id: 'org-ht', name: '长汀县河田镇中心卫生院' },
    destinationDepartment: null,
    assignedUserName: '李建国',
    diagnosisCode: 'I69.3',
    diagnosisName: '脑梗死后遗症',
    secondaryDiagnoses: ['I10'],
    reason: '急性期治疗结束，病情稳定，转回基层继续康复治疗及慢病管理。',
    clinicalSummary: longSummary,
    medications: [],
    attachedResults: [],
    downKind: 'acute-recovery',
    recommendedOrganization: null,
    previousReferralId: 'ref-up-1',
    returnedSummary: '患者已按期复诊，血压控制在130-140/80-90mmHg，右侧肢体肌力5-级，可独立完成日常生活。',
    requestedAt: '2026-03-20T02:00:00.000Z',
    acceptedAt: '2026-03-20T03:00:00.000Z',
    arrivedAt: '2026-03-21T01:30:00.000Z',
    completedAt: '2026-04-20T07:00:00.000Z',
    deadline: null,
    booking: null,
    carePlan: {
      diagnosisSummary: '脑梗死（左侧基底节区）恢复期；原发性高血压3级（很高危）；2型糖尿病。',
      medications: [
        { name: '阿司匹林肠溶片', dose: '100mg', frequency: '每日一次' },
        { name: '阿托伐他汀钙片', dose: '20mg', frequency: '每晚一次' },
        { name: '苯磺酸氨氯地平片', dose: '5mg', frequency: '每日一次', note: '监测血压，目标<140/90mmHg' },
      ],
      rehabilitationAdvice: '每日进行右侧肢体主动及被动功能训练，循序渐进；低盐低脂糖尿病饮食；戒烟限酒。',
      warningSigns,
      tasks: [
        { id: 't1', referralId: 'ref-down-1', kind: 'follow-up-visit', title: '出院后两周复诊，评估肢体功能及血压', dueDate: '2026-04-03', status: 'done', outcome: '已复诊', completedAt: '2026-04-03T02:00:00.000Z', completedBy: '李建国', organizationId: 'org-ht' },
        { id: 't2', referralId: 'ref-down-1', kind: 'lab-test', title: '复查血脂、肝功能、空腹血糖', dueDate: '2026-04-20', status: 'open', outcome: null, completedAt: null, completedBy: null, organizationId: 'org-ht' },
        { id: 't3', referralId: 'ref-down-1', kind: 'rehabilitation', title: '社区康复训练指导（每周两次）', dueDate: '2026-05-20', status: 'open', outcome: null, completedAt: null, completedBy: null, organizationId: 'org-ht' },
      ],
    },
  };
}

describe('shanghaiDateTime', () => {
  it('prints ISO UTC times in China Standard Time', () => {
    expect(shanghaiDateTime('2026-03-09T16:40:00.000Z')).toBe('2026-03-10 00:40');
    expect(shanghaiDateTime(new Date('2026-07-01T23:59:00Z'))).toBe('2026-07-02 07:59');
    expect(shanghaiDateTime(null)).toBe('—');
  });
});

describe('PdfFontMissingError', () => {
  it('tells the operator what to install', () => {
    expect(new PdfFontMissingError().message).toContain('fonts-noto-cjk');
  });
});

describe.skipIf(!font && !CI)('referral slip and admission notice PDFs', () => {
  it('renders an up-referral slip with Chinese text, booking and Shanghai times', async () => {
    const pdf = await renderReferralSlip(baseReferral(), opts);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    if (!poppler) {
      if (CI) throw new Error('poppler-utils (pdftotext, pdfinfo, pdftoppm) is required under CI=true');
      return;
    }
    const file = save('up.pdf', pdf);
    const text = squash(pdfText(file));
    for (const s of [
      '双向转诊（上转）单', '转诊单号：20260309-000042', '钟秀兰', '女', '3508**********2746', '长汀县河田镇中心卫生院',
      '长汀县总医院', '神经内科', 'I63.9脑梗死', 'I10原发性高血压', '阿司匹林肠溶片', '十二导联心电图', '书面签字',
      '■加急', 'RY20260311-0007', '2026年03月11日', // the bed day: 2026-03-10T16:00Z is 11 March in Shanghai
      '2026-03-0916:30', // requestedAt 08:30Z
      '2026-03-1000:40', // acceptedAt 16:40Z
      '打印时间：2026-03-1009:05', '打印人：转诊服务中心王芳', '第1/1页', '转出医生签名', '接收医生签名', '患者或家属签名',
    ]) {
      expect(text, s).toContain(squash(s));
    }
    expect(text).not.toContain('预警症状'); // an up-referral has no care plan
    expect(pageCount(file)).toBe(1);
    const png = rasterFirstPage(file, 'up-p');
    expect(statSync(png).size).toBeGreaterThan(10_000);
  });

  it('renders an appointment booking with its time in Shanghai', async () => {
    const r = baseReferral();
    r.booking = {
      kind: 'appointment', id: 'apt-1', start: '2026-03-11T00:30:00.000Z', end: '2026-03-11T01:00:00.000Z',
      departmentName: '神经内科门诊', status: 'booked', admissionNoticeNumber: null,
    };
    const pdf = await renderReferralSlip(r, opts);
    if (!poppler) return;
    const text = squash(pdfText(save('apt.pdf', pdf)));
    expect(text).toContain(squash('2026-03-11 08:30–09:00'));
    expect(text).toContain('神经内科门诊');
    expect(text).toContain('已预约');
  });

  it('renders a down-referral with its care plan, running onto a second page', async () => {
    const r = downReferral();
    const pdf = await renderReferralSlip(r, opts);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    if (!poppler) {
      if (CI) throw new Error('poppler-utils (pdftotext, pdfinfo, pdftoppm) is required under CI=true');
      return;
    }
    const file = save('down.pdf', pdf);
    const text = squash(pdfText(file));
    for (const s of [
      '双向转诊（下转）单', '转诊单号：20260320-000108', '钟秀兰', 'I69.3脑梗死后遗症', '■急性病恢复期', '预警症状',
      ...warningSigns, '阿托伐他汀钙片', '复查血脂、肝功能、空腹血糖', '2026-04-20', '社区康复训练指导', '已完成',
      '（22）', '基层随访情况回传', '可独立完成日常生活', '尚未预约',
    ]) {
      expect(text, s).toContain(squash(s));
    }
    const pages = pageCount(file);
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(text).toContain(`第${pages}/${pages}页`);
    // Page 2 continues the summary under its label, marked 「（续）」, below the continuation header.
    const page2 = squash(pdfText(file, 2));
    expect(page2).toContain(squash('双向转诊（下转）单（续）'));
    expect(page2).toMatch(/病情摘要.*（续）/);
    // The whole long summary is printed, each paragraph once, in order.
    const numbered = [...text.matchAll(/（(\d+)）患者住院期间/g)].map((m) => Number(m[1]));
    expect(numbered).toEqual(Array.from({ length: 22 }, (_, i) => i + 1));
    const png = rasterFirstPage(file, 'down-p');
    expect(statSync(png).size).toBeGreaterThan(10_000);
  });

  it('renders a one-page admission notice', async () => {
    const pdf = await renderAdmissionNotice(baseReferral(), opts);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    if (!poppler) {
      if (CI) throw new Error('poppler-utils (pdftotext, pdfinfo, pdftoppm) is required under CI=true');
      return;
    }
    const file = save('notice.pdf', pdf);
    const text = squash(pdfText(file));
    for (const s of [
      '长汀县总医院', '入院通知单', '通知单号：RY20260311-0007', '转诊单号：20260309-000042', '钟秀兰', '神经内科',
      '2026年03月11日（星期三）', '身份证', '医保卡', '转诊单', '既往检查资料', '联系电话：0597-6812345', '打印人：转诊服务中心王芳',
    ]) {
      expect(text, s).toContain(squash(s));
    }
    expect(pageCount(file)).toBe(1);
    const png = rasterFirstPage(file, 'notice-p');
    expect(statSync(png).size).toBeGreaterThan(10_000);
  });

  it('refuses an admission notice without a bed booking', async () => {
    const r = baseReferral();
    r.booking = null;
    const err = await renderAdmissionNotice(r, opts).catch((e: unknown) => e);
    expect(isAppError(err) && err.code).toBe('conflict');
  });
});

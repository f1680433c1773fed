import { existsSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { eq } from 'drizzle-orm';
import { createDatabase, type Database } from '../src/db/client.js';
import { ensureBaseData } from '../src/db/seed/index.js';
import { seedDemoCounty } from '../src/db/seed/demo-county.js';
import { buildApp } from '../src/http/app.js';
import { buildServices } from '../src/http/deps.js';
import { hashPassword } from '../src/modules/identity/index.js';
import { MemoryBlobStorage } from '../src/modules/diagnosis/index.js';
import { loadConfig } from '../src/config/env.js';
import { ManualClock, systemClock } from '../src/shared/clock.js';
import type { RequestContext } from '../src/shared/context.js';
import type { RoleCode } from '../src/contracts/codes.js';
import { organizations, patients, userRoles, users } from '../src/db/schema/index.js';

/**
 * Browser test of the turnaround statistics page: four requests to a new ECG center are recorded through the services
 * with a driven clock in the previous month (times in China Standard Time, deadlines 30 min emergency/urgent, 8 h
 * routine):
 *   A emergency (township) — claimed +5, final +20   → on time
 *   B routine   (township) — claimed +60, final +310 → on time
 *   C urgent    (village)  — claimed +10, final +45  → late
 *   E routine   (township) — claimed +30, still open
 * A commission officer opens the page from the menu, sees the helpful empty state for this month, picks 近12个月 and
 * sees the hand-computed figures: 4 requests, 66.67 % on time (2 of 3), median 45 min, P90 45 + 0.8 × 265 = 257 min
 * (4.3 h), 1 open; the reader's table; and exports the workbook. Skipped with a message where Chromium is missing.
 */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const webRoot = path.resolve(import.meta.dirname, '..', 'dist', 'web');
const haveChromium = existsSync(chromiumPath);
if (!haveChromium) console.warn(`Chromium not found at ${chromiumPath}: diagnosis statistics browser tests skipped (apt-get install chromium)`);

const CENTER = '统计测试心电中心';
const MIN = 60_000;

describe.skipIf(!haveChromium)('browser: diagnosis turnaround statistics', () => {
  let database: Database;
  let app: FastifyInstance;
  let browser: Browser;
  let baseUrl: string;
  let readerName = '';
  let seededDay = '';
  const file = path.join(os.tmpdir(), `yilian-diagnosis-statistics-${process.pid}.xlsx`);

  beforeAll(async () => {
    database = await createDatabase({ dataDir: 'memory://' });
    await database.migrate();
    await ensureBaseData(database.db, { info: () => {} });
    await seedDemoCounty(database.db, { seed: 11, residents: 150, hashPassword });
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
    const services = buildServices(database, config, { diagnosisStorage: new MemoryBlobStorage() });
    await services.identity.ensureAdmin('Yilian@2026');
    app = await buildApp({ database, config, clock: systemClock, services, webRoot });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

    const db = database.db;
    const clock = new ManualClock(new Date());
    const ctxOf = async (username: string): Promise<RequestContext> => {
      const [u] = await db.select().from(users).where(eq(users.username, username));
      expect(u, `demo user ${username}`).toBeTruthy();
      const roles = (await db.select().from(userRoles).where(eq(userRoles.userId, u!.id))).map((r) => r.role as RoleCode);
      return { actor: { userId: u!.id, username, organizationId: u!.organizationId, roles, displayName: u!.displayName }, clock, channel: 'ui' };
    };
    const admin = await ctxOf('admin');
    const reader = await ctxOf('center.reader');
    const township = await ctxOf('township.doctor');
    const village = await ctxOf('village.doctor');
    readerName = reader.actor.displayName ?? '';
    const [county] = await db.select().from(organizations).where(eq(organizations.name, '长汀县总医院'));
    const center = await services.diagnosis.createCenter(admin, {
      organizationId: county!.id, type: 'ecg', name: CENTER, requiresSecondSignoff: false, memberMode: 'alliance', memberOrganizationIds: [],
    });
    await services.diagnosis.addReader(admin, center.id, { userId: reader.actor.userId, specialties: ['ECG-12'] });
    const [patient] = await db.select().from(patients).where(eq(patients.managingOrganizationId, village.actor.organizationId!)).limit(1);
    expect(patient, 'the village clinic has residents').toBeTruthy();

    // The 10th of the previous month (China Standard Time): inside 近12个月, outside 本月.
    const now = new Date(Date.now() + 8 * 3_600_000);
    const prev = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 10));
    const day = prev.toISOString().slice(0, 10);
    seededDay = day;
    const at = (hhmm: string) => new Date(`${day}T${hhmm}:00+08:00`);
    const final = { action: 'final' as const, findings: '窦性心律', impression: '正常心电图' };
    const record = async (requester: RequestContext, urgency: 'emergency' | 'urgent' | 'routine', start: string, claim: number, report: number | null) => {
      const t0 = at(start);
      clock.set(t0);
      const r = await services.diagnosis.createRequest(requester, {
        centerId: center.id, patientId: patient!.id, modality: 'ECG-12', examType: '常规心电图', urgency, clinicalQuestion: '胸闷待查',
      });
      clock.set(new Date(t0.getTime() + claim * MIN));
      await services.diagnosis.claim(reader, r.id);
      if (report !== null) {
        clock.set(new Date(t0.getTime() + report * MIN));
        await services.diagnosis.writeReport(reader, r.id, final);
      }
    };
    await record(township, 'emergency', '09:00', 5, 20);
    await record(township, 'routine', '10:00', 60, 310);
    await record(village, 'urgent', '11:00', 10, 45);
    await record(township, 'routine', '12:00', 30, null);

    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await database?.close();
    rmSync(file, { force: true });
  });

  const kpi = (page: Page, id: string) => page.getByTestId(id).getByTestId('kpi-value');

  it('shows the hand-computed figures to a commission officer and exports them to Excel', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1440, height: 1000 }, acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(`${baseUrl}/login`);
    await page.locator('input#username').fill('commission.officer');
    await page.locator('input#password').fill('Yilian@2026');
    await page.locator('button[type=submit]').click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 15_000 });

    // The commission neither requests nor reads, yet the 远程诊断 group offers it the statistics. Every group of the
    // menu starts open, so the entry is clicked directly: clicking the group would fold it (and on a slow machine the
    // entry would be hidden before the click reached it).
    const entry = page.getByRole('menuitem', { name: '诊断统计' });
    await entry.waitFor({ state: 'visible', timeout: 10_000 });
    await entry.click();
    await page.waitForURL(/\/diagnosis\/statistics/, { timeout: 10_000 });

    // This month has no request: the empty state says why and offers a longer period.
    await page.getByText('还没有收到远程诊断申请').waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: '查看近12个月' }).click();

    await expect.poll(() => kpi(page, 'kpi-requests').textContent(), { timeout: 20_000 }).toBe('4');
    expect(await kpi(page, 'kpi-on-time').textContent()).toBe('66.67%');
    expect(await page.getByTestId('kpi-on-time').textContent()).toContain('及时 2 / 计时完成 3');
    expect(await kpi(page, 'kpi-p50').textContent()).toBe('45 分钟');
    expect(await kpi(page, 'kpi-p90').textContent()).toBe('4.3 小时');
    expect(await kpi(page, 'kpi-open').textContent()).toBe('1');
    await page.locator('canvas').first().waitFor({ timeout: 10_000 });
    if (process.env.YILIAN_SCREENSHOT_DIR) {
      await page.waitForTimeout(1500);
      await page.screenshot({ path: path.join(process.env.YILIAN_SCREENSHOT_DIR, 'diagnosis-statistics.png'), fullPage: true });
    }

    // One center chosen from the list of those the commission may see: the same figures, and per reader.
    await page.getByRole('combobox', { name: '诊断中心' }).click();
    await page.locator('.ant-select-item-option', { hasText: CENTER }).click();
    await page.waitForURL(/center=/, { timeout: 10_000 });
    await expect.poll(() => kpi(page, 'kpi-requests').textContent(), { timeout: 20_000 }).toBe('4');
    await page.getByRole('tab', { name: '按诊断医师' }).click();
    const readers = page.getByTestId('stats-table-reader');
    await expect.poll(() => readers.textContent(), { timeout: 10_000 }).toContain(readerName);
    expect(await readers.locator('tbody tr.ant-table-row').count()).toBe(1);

    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), page.getByRole('button', { name: /导出 Excel/ }).click()]);
    expect(download.suggestedFilename()).toMatch(/^远程诊断统计_\d{4}-\d{2}-01_\d{4}-\d{2}-\d{2}\.xlsx$/);
    await download.saveAs(file);
    expect(statSync(file).size).toBeGreaterThan(4000);
    const { default: ExcelJS } = await import('exceljs');
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file);
    expect(book.worksheets.map((w) => w.name)).toEqual(expect.arrayContaining(['汇总', '按诊断医师', '按申请机构', '用时分布']));
    const summary = book.getWorksheet('汇总')!;
    expect(summary.getRow(3).getCell(2).value).toBe(CENTER);
    // Requests, reported, with deadline, on time, share, median, P90 — as numbers, the way the API computed them.
    expect([2, 3, 4, 5, 6, 7, 8].map((c) => summary.getRow(6).getCell(c).value)).toEqual([4, 3, 3, 2, 66.67, 45, 257]);
    await context.close();
  }, 120_000);

  it('gives a reader of the center the routine figures in English from a shared link', async () => {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    await context.addInitScript(() => localStorage.setItem('yilian.lang', 'en'));
    const page = await context.newPage();
    await page.goto(`${baseUrl}/login`);
    await page.locator('input#username').fill('center.reader');
    await page.locator('input#password').fill('Yilian@2026');
    await page.locator('button[type=submit]').click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 15_000 });
    await page.goto(`${baseUrl}/diagnosis/statistics?from=${seededDay}&to=${seededDay}&urgency=routine`);
    // Routine only: B (on time, 310 min) and E (open).
    await expect.poll(() => kpi(page, 'kpi-requests').textContent(), { timeout: 20_000 }).toBe('2');
    expect(await kpi(page, 'kpi-on-time').textContent()).toBe('100%');
    expect(await kpi(page, 'kpi-p50').textContent()).toBe('5.2 h');
    expect(await kpi(page, 'kpi-open').textContent()).toBe('1');
    expect(await page.getByRole('button', { name: /Export to Excel/ }).isEnabled()).toBe(true);
    await context.close();
  }, 60_000);
});

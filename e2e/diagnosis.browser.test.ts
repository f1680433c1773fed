import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { and, asc, eq } from 'drizzle-orm';
import { createDatabase, type Database } from '../src/db/client.js';
import { ensureBaseData } from '../src/db/seed/index.js';
import { seedDemoCounty } from '../src/db/seed/demo-county.js';
import { buildApp } from '../src/http/app.js';
import { buildServices } from '../src/http/deps.js';
import { hashPassword } from '../src/modules/identity/index.js';
import { MemoryBlobStorage } from '../src/modules/diagnosis/index.js';
import { formatEcgJson, generateSyntheticEcg } from '../src/modules/diagnosis/media/index.js';
import { loadConfig } from '../src/config/env.js';
import { systemClock } from '../src/shared/clock.js';
import type { RequestContext } from '../src/shared/context.js';
import { organizations, patients, users } from '../src/db/schema/index.js';

/**
 * Browser test of the shared diagnosis center loop, all through the UI once the center exists: a township doctor
 * requests an emergency ECG reading and uploads the waveform; the reader on duty claims it from the worklist, sees the
 * trace drawn, flags a critical value and signs the report; the township doctor sees the critical-value alert on every
 * page, acknowledges it with read-back, and reads the final report; the reader sees the acknowledgement. The center,
 * its reader and the shift are set up through the services (not the demo data), the built web UI is served by the real
 * app on an in-memory PGlite and driven by Debian's Chromium; skipped with a message where Chromium is missing.
 */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const webRoot = path.resolve(import.meta.dirname, '..', 'dist', 'web');
const haveChromium = existsSync(chromiumPath);

if (!haveChromium) console.warn(`Chromium not found at ${chromiumPath}: diagnosis browser tests skipped (apt-get install chromium)`);

const COUNTY = '长汀县总医院';
const QUESTION = '胸痛 1 小时伴大汗，排除急性心肌梗死';
const FINDING = 'II、III、aVF 导联 ST 段抬高，考虑急性下壁心肌梗死';
const FINDINGS = '窦性心律，II、III、aVF 导联 ST 段弓背向上抬高 0.2–0.3 mV，I、aVL 导联 ST 段压低。';
const IMPRESSION = '急性下壁 ST 段抬高型心肌梗死，请立即按胸痛中心流程处置';
const READ_BACK = '下壁导联 ST 段抬高，急性下壁心梗';
const ACTION = '已嘱卧床、吸氧，嚼服阿司匹林 300 mg，联系 120 转县总医院胸痛中心';

describe.skipIf(!haveChromium)('browser: shared diagnosis center (remote ECG with a critical value)', () => {
  let database: Database;
  let app: FastifyInstance;
  let browser: Browser;
  let baseUrl: string;
  let tmp: string;
  let ecgFile: string;
  let patient: { id: string; name: string };
  let number = '';
  let requestId = '';
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    database = await createDatabase({ dataDir: 'memory://' });
    await database.migrate();
    await ensureBaseData(database.db, { info: () => {} });
    await seedDemoCounty(database.db, { seed: 11, residents: 200, hashPassword });
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
    const services = buildServices(database, config, { diagnosisStorage: new MemoryBlobStorage() });
    await services.identity.ensureAdmin('Yilian@2026');
    app = await buildApp({ database, config, clock: systemClock, services, webRoot });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

    // The ECG center of the county hospital, serving its county community, with center.reader on shift now.
    const db = database.db;
    const [county] = await db.select().from(organizations).where(eq(organizations.name, COUNTY));
    expect(county, 'the demo county has its lead hospital').toBeTruthy();
    const [admin] = await db.select().from(users).where(eq(users.username, 'admin'));
    const [reader] = await db.select().from(users).where(eq(users.username, 'center.reader'));
    expect(reader?.organizationId, 'center.reader works at the county hospital').toBe(county!.id);
    const ctx: RequestContext = {
      actor: { userId: admin!.id, username: 'admin', organizationId: null, roles: ['system-admin'], displayName: '系统管理员' },
      clock: systemClock,
      channel: 'system',
    };
    const existing = (await services.diagnosis.listCenters(ctx, { organizationId: county!.id })).find((c) => c.type === 'ecg');
    const center =
      existing ??
      (await services.diagnosis.createCenter(ctx, {
        organizationId: county!.id, type: 'ecg', name: '长汀县远程心电诊断中心', requiresSecondSignoff: false, memberMode: 'alliance', memberOrganizationIds: [],
        reportHeader: '长汀县总医院 远程心电诊断中心',
      }));
    const readers = await services.diagnosis.listReaders(ctx, center.id);
    const readerRow = readers.find((r) => r.userId === reader!.id) ?? (await services.diagnosis.addReader(ctx, center.id, { userId: reader!.id, specialties: ['ECG-12'] }));
    const startsAt = new Date(Date.now() - 60 * 60_000);
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(startsAt);
    await services.diagnosis.addShift(ctx, center.id, { readerId: readerRow.id, date: day, startsAt: startsAt.toISOString(), endsAt: new Date(startsAt.getTime() + 10 * 3_600_000).toISOString(), role: 'duty-head' });

    // A resident of the township doctor's own health center.
    const [doctor] = await db.select().from(users).where(eq(users.username, 'township.doctor'));
    const [p] = await db
      .select({ id: patients.id, name: patients.name })
      .from(patients)
      .where(and(eq(patients.managingOrganizationId, doctor!.organizationId!)))
      .orderBy(asc(patients.name))
      .limit(1);
    expect(p, 'the township health center has residents').toBeTruthy();
    patient = p!;

    // The waveform the device would export: a synthetic inferior STEMI in the platform's ECG JSON format.
    tmp = mkdtempSync(path.join(tmpdir(), 'yilian-dx-e2e-'));
    ecgFile = path.join(tmp, 'ecg-stemi.json');
    writeFileSync(ecgFile, formatEcgJson(generateSyntheticEcg({ seed: 'e2e-stemi', pattern: 'inferior_stemi', heartRateBpm: 88 })));

    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    });
  }, 240_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await app?.close();
    await database?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  async function session(username: string): Promise<Page> {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1440, height: 1000 } });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${baseUrl}/login`);
    await page.locator('input#username').fill(username);
    await page.locator('input#password').fill('Yilian@2026');
    await page.locator('button[type=submit]').click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 15_000 });
    return page;
  }

  async function shot(page: Page, name: string) {
    const dir = process.env.YILIAN_SCREENSHOTS;
    if (!dir) return;
    await page.waitForTimeout(500);
    await page.screenshot({ path: path.join(dir, `dx-${name}.png`), fullPage: true });
  }

  const statusOf = (page: Page) => page.getByTestId('dx-status').first().getAttribute('data-status');

  it('a township doctor requests an emergency ECG reading and uploads the waveform', async () => {
    const page = await session('township.doctor');
    await page.getByRole('menuitem', { name: '申请远程诊断' }).click();
    await page.waitForURL(/\/diagnosis\/new/, { timeout: 30_000 });

    await page.locator('#patientId').fill(patient.name);
    await page.getByTestId(`patient-option-${patient.id}`).click();
    // The center list holds the centers serving this facility; the county's ECG center is one of them.
    await page.locator('#centerId').click();
    await page.locator('.ant-select-item-option', { hasText: '心电' }).first().click();
    await expect.poll(() => page.locator('#examType').inputValue(), { timeout: 5_000 }).toBe('常规12导联心电图');
    await page.getByTestId('dx-urgency').getByText('急诊', { exact: true }).click();
    await page.locator('#clinicalQuestion').fill(QUESTION);
    await page.locator('#clinicalSummary').fill('男，58 岁，胸骨后压榨样疼痛 1 小时，血压 100/60 mmHg');
    await page.locator('input[type=file]').setInputFiles(ecgFile);
    await expect.poll(() => page.getByTestId('dx-upload-item').count(), { timeout: 5_000 }).toBe(1);
    await shot(page, '1-request-form');
    await page.getByTestId('dx-submit').click();

    await page.waitForURL(/\/diagnosis\/requests\/[^/]+$/, { timeout: 20_000 });
    requestId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
    await expect.poll(() => statusOf(page), { timeout: 30_000 }).toMatch(/^(requested|in-progress)$/);
    number = ((await page.getByTestId('dx-number').textContent()) ?? '').trim();
    expect(number).toMatch(/^DX-\d{8}-\d{6}$/);
    // The file is listed with what the server read from it (12 leads, sampling rate).
    await expect.poll(() => page.getByTestId('dx-attachment-meta').first().textContent(), { timeout: 30_000 }).toContain('12 导联');
    await expect.poll(() => page.getByTestId('dx-timeline').getByText('提交申请').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await shot(page, '2-request-detail');
  });

  it('the reader on duty claims it, sees the trace, flags a critical value and signs the report', async () => {
    expect(number, 'needs the request of the previous step').not.toBe('');
    const page = await session('center.reader');
    await page.getByRole('menuitem', { name: '诊断工作列表' }).click();
    await page.waitForURL(/\/diagnosis\/worklist/, { timeout: 30_000 });
    const claim = page.getByTestId(`dx-claim-${number}`);
    await claim.waitFor({ timeout: 15_000 });
    await shot(page, '3-worklist');
    await claim.click();
    await page.waitForURL((u) => u.pathname === `/diagnosis/requests/${requestId}`, { timeout: 30_000 });
    await expect.poll(() => statusOf(page), { timeout: 30_000 }).toBe('in-progress');

    // The ECG drawn on paper, with the server's heart rate.
    await page.getByTestId('dx-ecg-trace').locator('svg').first().waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByTestId('dx-ecg-trace').locator('svg path').count()).toBeGreaterThan(12);
    await expect.poll(() => page.getByTestId('dx-ecg-hr').textContent(), { timeout: 30_000 }).toMatch(/\d+ bpm/);
    await expect.poll(() => page.getByTestId('dx-question').textContent()).toBe(QUESTION);

    await page.getByTestId('dx-action-qc-accept').click();
    await expect.poll(() => page.getByText('合格', { exact: true }).count(), { timeout: 30_000 }).toBeGreaterThan(0);

    await page.getByTestId('dx-action-flag-critical').click();
    await page.getByTestId('dx-dialog-text').fill(FINDING);
    await page.locator('.ant-modal-footer:visible .ant-btn-primary').click();
    await expect.poll(() => page.getByTestId('dx-critical').count(), { timeout: 30_000 }).toBe(1);
    expect(await page.getByTestId('dx-critical').getAttribute('data-state')).toBe('open');

    await page.getByTestId('dx-findings').fill(FINDINGS);
    await page.getByTestId('dx-impression').fill(IMPRESSION);
    await shot(page, '4-reading');
    await page.getByTestId('dx-finalize').click();
    await page.locator('.ant-modal-confirm-btns .ant-btn-primary').click();
    await expect.poll(() => statusOf(page), { timeout: 30_000 }).toBe('completed');
    await expect.poll(() => page.getByTestId('dx-report-impression').textContent(), { timeout: 30_000 }).toBe(IMPRESSION);
  });

  it('the township doctor sees the critical-value alert, reads it back, and reads the final report', async () => {
    expect(number).not.toBe('');
    const page = await session('township.doctor');
    // On the home page already: the banner stands above every page while a critical value is open.
    const banner = page.getByTestId('critical-banner');
    await banner.waitFor({ timeout: 15_000 });
    expect(await banner.textContent()).toContain(FINDING);
    await shot(page, '5-critical-banner');
    await page.getByRole('menuitem', { name: '患者查询' }).click();
    await page.waitForURL(/\/patients/, { timeout: 30_000 });
    await expect.poll(() => banner.count()).toBe(1);

    await page.getByTestId('critical-banner-ack').click();
    await expect.poll(() => page.getByTestId('ack-received-by').inputValue(), { timeout: 5_000 }).not.toBe('');
    await page.getByTestId('ack-read-back').fill(READ_BACK);
    await page.getByTestId('ack-action').fill(ACTION);
    await shot(page, '6-read-back');
    await page.locator('.ant-modal-footer:visible .ant-btn-primary').click();
    await expect.poll(() => banner.count(), { timeout: 30_000 }).toBe(0);

    await page.getByRole('menuitem', { name: '我的诊断申请' }).click();
    await page.waitForURL(/\/diagnosis\/requests/, { timeout: 30_000 });
    await page.getByTestId(`dx-link-${number}`).click();
    await page.waitForURL((u) => u.pathname === `/diagnosis/requests/${requestId}`, { timeout: 30_000 });
    await expect.poll(() => statusOf(page), { timeout: 30_000 }).toBe('completed');
    await expect.poll(() => page.getByTestId('dx-report-status').first().getAttribute('data-status')).toBe('final');
    expect(await page.getByTestId('dx-report-impression').textContent()).toBe(IMPRESSION);
    expect(await page.getByTestId('dx-report-findings').textContent()).toBe(FINDINGS);
    expect(await page.getByTestId('dx-critical').getAttribute('data-state')).toBe('acknowledged');
    // The printable report is served to this session.
    const pdf = await page.request.get(`${baseUrl}/api/v1/diagnosis/requests/${encodeURIComponent(requestId)}/report.pdf`);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toContain('application/pdf');
    await shot(page, '7-final-report');
  });

  it('the reader sees the acknowledgement with the read-back', async () => {
    expect(requestId).not.toBe('');
    const page = await session('center.reader');
    await page.goto(`${baseUrl}/diagnosis/requests/${encodeURIComponent(requestId)}`);
    const critical = page.getByTestId('dx-critical');
    await critical.waitFor({ timeout: 15_000 });
    await expect.poll(() => critical.getAttribute('data-state'), { timeout: 30_000 }).toBe('acknowledged');
    expect(await page.getByTestId('dx-critical-ack').textContent()).toContain(READ_BACK);
    await page.getByRole('menuitem', { name: '危急值' }).click();
    await page.waitForURL(/\/diagnosis\/critical-values/, { timeout: 30_000 });
    // The segment itself: right after the menu click the request page (with its own 已确认 tag) may still be on screen.
    await page.locator('.ant-segmented-item').filter({ hasText: /^已确认$/ }).click();
    await page.waitForURL(/state=acknowledged/, { timeout: 30_000 });
    await expect.poll(() => page.getByTestId('critical-row-finding').filter({ hasText: FINDING }).count(), { timeout: 30_000 }).toBe(1);
    await shot(page, '8-reader-critical-list');
  });
});

import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { asc, eq } from 'drizzle-orm';
import { createDatabase, type Database } from '../src/db/client.js';
import { ensureBaseData } from '../src/db/seed/index.js';
import { seedDemoCounty } from '../src/db/seed/demo-county.js';
import { buildApp } from '../src/http/app.js';
import { buildServices } from '../src/http/deps.js';
import { hashPassword } from '../src/modules/identity/index.js';
import { loadConfig } from '../src/config/env.js';
import { systemClock } from '../src/shared/clock.js';
import type { RequestContext } from '../src/shared/context.js';
import { organizations, patients, users } from '../src/db/schema/index.js';

/**
 * Browser test of a teleconsultation (远程会诊) through the UI: a township doctor requests an emergency consultation
 * with the patient's written consent; the county center's coordinator invites an expert and schedules the session with
 * a video link; the expert starts it and writes the opinion; the township doctor records the final decision. The
 * center and its expert pool are set up through the services. The built UI (dist/web, or YILIAN_E2E_WEB_ROOT) is
 * served by the real app on an in-memory PGlite and driven by Debian's Chromium; skipped where Chromium is missing.
 */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const webRoot = process.env.YILIAN_E2E_WEB_ROOT ?? path.resolve(import.meta.dirname, '..', 'dist', 'web');
const haveChromium = existsSync(chromiumPath);

if (!haveChromium) console.warn(`Chromium not found at ${chromiumPath}: consultation browser tests skipped (apt-get install chromium)`);

const COUNTY = '长汀县总医院';
const PURPOSE = '胸痛 2 小时，心电图下壁导联 ST 段抬高，请协助判断是否就地溶栓或转诊';
const OPINION = '急性下壁心肌梗死可能大，建议立即转县总医院胸痛中心行急诊 PCI。';
const DECISION = '采纳会诊意见：经 120 转县总医院胸痛中心。';

describe.skipIf(!haveChromium)('browser: teleconsultation', () => {
  let database: Database;
  let app: FastifyInstance;
  let browser: Browser;
  let baseUrl: string;
  let patient: { id: string; name: string };
  let consultationPath = '';
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    database = await createDatabase({ dataDir: 'memory://' });
    await database.migrate();
    await ensureBaseData(database.db, { info: () => {} });
    await seedDemoCounty(database.db, { seed: 11, residents: 200, hashPassword });
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
    const services = buildServices(database, config);
    await services.identity.ensureAdmin('Yilian@2026');
    app = await buildApp({ database, config, clock: systemClock, services, webRoot });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

    // The county hospital's consultation center; center.reader coordinates and is its cardiology expert.
    const db = database.db;
    const [county] = await db.select().from(organizations).where(eq(organizations.name, COUNTY));
    const [admin] = await db.select().from(users).where(eq(users.username, 'admin'));
    const [reader] = await db.select().from(users).where(eq(users.username, 'center.reader'));
    expect(reader?.organizationId, 'center.reader works at the county hospital').toBe(county!.id);
    const ctx: RequestContext = {
      actor: { userId: admin!.id, username: 'admin', organizationId: null, roles: ['system-admin'], displayName: '系统管理员' },
      clock: systemClock,
      channel: 'system',
    };
    const center = await services.diagnosis.createCenter(ctx, {
      organizationId: county!.id, type: 'consultation', name: '长汀县远程会诊中心', requiresSecondSignoff: false, memberMode: 'alliance', memberOrganizationIds: [],
    });
    await services.diagnosis.addReader(ctx, center.id, { userId: reader!.id, specialties: ['心血管内科'] });
    const [doctor] = await db.select().from(users).where(eq(users.username, 'township.doctor'));
    const [p] = await db.select({ id: patients.id, name: patients.name }).from(patients).where(eq(patients.managingOrganizationId, doctor!.organizationId!)).orderBy(asc(patients.name)).limit(1);
    patient = p!;

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
    await page.screenshot({ path: path.join(dir, `consultation-${name}.png`), fullPage: true });
  }

  const statusText = (page: Page) => page.getByTestId('consultation-status').first().textContent();
  const confirmDialog = (page: Page) => page.locator('.ant-modal-footer:visible .ant-btn-primary').click();

  it('a township doctor requests an emergency consultation; the consent is required', async () => {
    const page = await session('township.doctor');
    await page.getByRole('menuitem', { name: '申请会诊' }).click();
    await page.waitForURL(/\/consultations\/new/, { timeout: 30_000 });
    await page.locator('#centerId').click();
    await page.locator('.ant-select-item-option', { hasText: '远程会诊中心' }).first().click();
    await page.locator('#patientId').fill(patient.name);
    await page.getByTestId(`patient-option-${patient.id}`).click();
    await page.getByTestId('consultation-specialty').fill('心血管内科');
    await page.getByTestId('consultation-purpose').fill(PURPOSE);
    await page.getByTestId('consent-signer-name').fill(patient.name);
    await page.getByTestId('consent-form-reference').fill('HT-2026-0001');
    // Without the confirmation of written consent nothing is sent.
    await page.getByTestId('consultation-submit').click();
    await expect.poll(() => page.getByText('请确认已取得患者书面知情同意').count(), { timeout: 5_000 }).toBeGreaterThan(0);
    await page.getByTestId('consent-obtained').check();
    await shot(page, '1-request');
    await page.getByTestId('consultation-submit').click();
    await page.waitForURL(/\/consultations\/(?!new)[^/]+$/, { timeout: 20_000 });
    consultationPath = new URL(page.url()).pathname;
    await expect.poll(() => statusText(page), { timeout: 30_000 }).toBe('待安排');
    await shot(page, '2-requested');
  });

  it('the center invites an expert and schedules the session with a video link', async () => {
    expect(consultationPath).not.toBe('');
    const page = await session('center.reader');
    await page.goto(`${baseUrl}${consultationPath}`);
    await page.getByTestId('consultation-assign').click();
    await page.locator('.ant-modal .ant-select').first().click();
    await page.locator('.ant-select-item-option', { hasText: '心血管内科' }).first().click();
    await confirmDialog(page);
    await expect.poll(() => page.getByText('已邀请', { exact: true }).count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await page.getByTestId('consultation-schedule').click();
    await page.getByTestId('consultation-video-input').fill('https://meet.example.cn/ct-001');
    await confirmDialog(page);
    await expect.poll(() => statusText(page), { timeout: 30_000 }).toBe('已安排');
    expect(await page.getByTestId('consultation-video-link').getAttribute('href')).toBe('https://meet.example.cn/ct-001');
    await shot(page, '3-scheduled');

    // The same person is the invited expert: start the session and give the opinion.
    await page.getByTestId('consultation-start').click();
    await expect.poll(() => statusText(page), { timeout: 30_000 }).toBe('会诊中');
    await page.getByTestId('consultation-opinion').fill(OPINION);
    await page.getByTestId('consultation-opinion-submit').click();
    await expect.poll(() => statusText(page), { timeout: 30_000 }).toBe('已出会诊意见');
    await expect.poll(() => page.getByText(OPINION).count(), { timeout: 30_000 }).toBeGreaterThan(0);
  });

  it('the township doctor records the final decision', async () => {
    const page = await session('township.doctor');
    await page.goto(`${baseUrl}${consultationPath}`);
    await expect.poll(() => page.getByText(OPINION).count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await page.getByTestId('consultation-decision').fill(DECISION);
    await page.getByTestId('consultation-conclude').click();
    await expect.poll(() => statusText(page), { timeout: 30_000 }).toBe('已完成');
    await expect.poll(() => page.getByText(DECISION).count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await shot(page, '4-concluded');
    await page.getByRole('menuitem', { name: '会诊列表' }).click();
    await page.waitForURL(/\/consultations$/, { timeout: 30_000 });
    await expect.poll(() => page.locator('[data-testid^="consultation-row-"]').count(), { timeout: 30_000 }).toBe(1);
  });
});

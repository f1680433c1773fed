import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { and, asc, eq, isNotNull } from 'drizzle-orm';
import { createDatabase, type Database } from '../src/db/client.js';
import { ensureBaseData } from '../src/db/seed/index.js';
import { seedDemoCounty } from '../src/db/seed/demo-county.js';
import { buildApp } from '../src/http/app.js';
import { buildServices } from '../src/http/deps.js';
import { hashPassword } from '../src/modules/identity/index.js';
import { loadConfig } from '../src/config/env.js';
import { systemClock } from '../src/shared/clock.js';
import { organizations, patients, users } from '../src/db/schema/index.js';

/**
 * Browser test of the two-way referral loop, all through the UI: a village doctor up-refers a patient to the county
 * hospital; the county referral desk accepts and books a reserved slot; the patient arrives; the county doctor
 * completes and down-refers with a care plan; the village doctor sees the plan's tasks. The built web UI is served by
 * the real app on an in-memory PGlite and driven by Debian's Chromium; skipped with a message where Chromium is
 * missing (the CI guard in browser.test.ts fails CI instead).
 */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const webRoot = path.resolve(import.meta.dirname, '..', 'dist', 'web');
const haveChromium = existsSync(chromiumPath);

if (!haveChromium) console.warn(`Chromium not found at ${chromiumPath}: referral browser tests skipped (apt-get install chromium)`);

const COUNTY = '长汀县总医院';
const TASK_TITLE = '出院两周随访：测血压、评估肢体功能';
const WARNING_SIGN = '一侧肢体无力或言语不清加重';

describe.skipIf(!haveChromium)('browser: two-way referral loop', () => {
  let database: Database;
  let app: FastifyInstance;
  let browser: Browser;
  let baseUrl: string;
  let patient: { id: string; name: string };
  let clinicName = '';
  let upNumber = '';
  let upId = '';
  let downNumber = '';
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    database = await createDatabase({ dataDir: 'memory://' });
    await database.migrate();
    await ensureBaseData(database.db, { info: () => {} });
    await seedDemoCounty(database.db, { seed: 11, residents: 300, hashPassword });
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
    const services = buildServices(database, config);
    await services.identity.ensureAdmin('Yilian@2026');
    app = await buildApp({ database, config, clock: systemClock, services, webRoot });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

    // A resident of the village doctor's own clinic (上街村卫生室), with a phone for the contact field.
    const [doctor] = await database.db.select().from(users).where(eq(users.username, 'village.doctor'));
    expect(doctor?.organizationId, 'the demo has village.doctor at a clinic').toBeTruthy();
    const [p] = await database.db
      .select({ id: patients.id, name: patients.name })
      .from(patients)
      .where(and(eq(patients.managingOrganizationId, doctor!.organizationId!), isNotNull(patients.phone)))
      .orderBy(asc(patients.name))
      .limit(1);
    expect(p, 'the village clinic has residents').toBeTruthy();
    patient = p!;
    const [clinic] = await database.db.select({ name: organizations.name }).from(organizations).where(eq(organizations.id, doctor!.organizationId!));
    clinicName = clinic?.name ?? '';

    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await app?.close();
    await database?.close();
  });

  /** A fresh browser profile (own cookies) signed in as this user, on the home page. */
  async function session(username: string, lang: 'zh-CN' | 'en' = 'zh-CN'): Promise<Page> {
    const context = await browser.newContext({ locale: lang, viewport: { width: 1440, height: 1000 } });
    contexts.push(context);
    if (lang === 'en') await context.addInitScript(() => localStorage.setItem('yilian.lang', 'en'));
    const page = await context.newPage();
    await page.goto(`${baseUrl}/login`);
    await page.locator('input#username').fill(username);
    await page.locator('input#password').fill('Yilian@2026');
    await page.locator('button[type=submit]').click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 15_000 });
    return page;
  }

  /** With YILIAN_SCREENSHOTS=<dir>, keeps a full-page screenshot of each step for a human look. */
  async function shot(page: Page, name: string) {
    const dir = process.env.YILIAN_SCREENSHOTS;
    if (!dir) return;
    await page.waitForTimeout(500); // let dialogs finish opening
    await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
  }

  const onDetail = (u: URL) => /^\/referrals\/(?!new$)[^/]+$/.test(u.pathname);
  const statusOf = (page: Page) => page.getByTestId('referral-status').first().getAttribute('data-status');

  /** Clicks the OK button of the dialog that is open now. */
  async function confirmModal(page: Page) {
    await page.locator('.ant-modal-footer:visible .ant-btn-primary').click();
  }

  /** Opens a referral from the worklist tab by its number (the row's link). */
  async function openFromWorklist(page: Page, tab: string, number: string) {
    await page.getByRole('menuitem', { name: '转诊工作台' }).click();
    await page.waitForURL(/\/referrals(\?|$)/, { timeout: 10_000 });
    await page.getByTestId(`tab-${tab}`).click();
    const link = page.getByTestId(`referral-link-${number}`);
    await link.waitFor({ timeout: 15_000 });
    await link.click();
    await page.waitForURL(onDetail, { timeout: 10_000 });
    await expect.poll(() => page.getByTestId('referral-number').textContent(), { timeout: 10_000 }).toBe(number);
  }

  it('a village doctor up-refers a patient to the county hospital', async () => {
    const page = await session('village.doctor');
    await page.getByRole('menuitem', { name: '发起上转' }).click();
    await page.waitForURL(/\/referrals\/new/, { timeout: 10_000 });

    // Patient by name, from the picker's search.
    await page.locator('#patientId').fill(patient.name);
    await page.getByTestId(`patient-option-${patient.id}`).click();
    // Diagnosis from the picker (fills the name); a typed name covers a list without the code.
    await page.locator('#diagnosisCode').fill('I63.9');
    const option = page.getByTestId('diagnosis-option-I63.9');
    if (await option.isVisible({ timeout: 5_000 }).catch(() => false)) await option.click();
    else await page.locator('#diagnosisName').fill('脑梗死');
    await expect.poll(() => page.locator('#diagnosisName').inputValue(), { timeout: 5_000 }).toBe('脑梗死');
    await page.getByText('加急', { exact: true }).click();

    // The routing recommendation: ranked cards; the county hospital is chosen (with a reason if it is not first).
    const cards = page.locator('[data-testid^="route-card-"]');
    await expect.poll(() => cards.count(), { timeout: 15_000 }).toBeGreaterThan(0);
    const county = cards.filter({ hasText: COUNTY }).first();
    await county.click();
    await expect.poll(() => county.getAttribute('aria-checked')).toBe('true');
    if (await page.getByTestId('own-catalogue-warning').isVisible()) await page.locator('#inOwnCatalogueNote').fill('患者需溶栓评估，本机构无条件');
    if (await page.locator('#overrideReason').isVisible()) await page.locator('#overrideReason').fill('县总医院有卒中中心，距离近');
    await shot(page, '1-up-form');

    await page.locator('#reason').fill('疑似急性脑梗死，需头颅CT及溶栓评估');
    await page.locator('#clinicalSummary').fill('右侧肢体无力2小时，言语含糊，血压 168/96 mmHg');
    await page.locator('#treatmentGiven').fill('吸氧，监测生命体征');
    await page.locator('#consentBy').fill('患者本人');
    await page.locator('#consentGiven').check();
    await page.locator('#contactPhone').fill('13905971234');
    await page.getByTestId('submit-referral').click();

    await page.waitForURL(onDetail, { timeout: 15_000 });
    upId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
    await expect.poll(() => statusOf(page), { timeout: 10_000 }).toBe('requested');
    upNumber = ((await page.getByTestId('referral-number').textContent()) ?? '').trim();
    expect(upNumber).not.toBe('');
    expect(await page.getByTestId('referral-destination').textContent()).toContain(COUNTY);
    // The timeline shows the submission with the doctor's name.
    await expect.poll(() => page.getByTestId('timeline').getByText('提交转诊').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await shot(page, '2-up-detail');
  });

  it('the county referral desk accepts it, books a reserved slot, and records the arrival', async () => {
    expect(upNumber, 'needs the up-referral of the previous step').not.toBe('');
    const page = await session('referral.desk');
    await openFromWorklist(page, 'received', upNumber);

    await page.getByTestId('action-accept').click();
    await expect.poll(() => statusOf(page), { timeout: 10_000 }).toBe('accepted');

    await page.getByTestId('action-book').click();
    const slot = page.getByRole('dialog').locator('.slot-button').first();
    await slot.waitFor({ timeout: 15_000 });
    await shot(page, '3-book-slot');
    await slot.click();
    await page.getByTestId('book-slot-ok').click();
    await expect.poll(() => page.getByTestId('booking-time').count(), { timeout: 10_000 }).toBe(1);
    expect(((await page.getByTestId('booking-time').textContent()) ?? '').trim()).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);

    // The printable slip opens in a new tab; the PDF itself is served to this session.
    const [popup] = await Promise.all([page.context().waitForEvent('page', { timeout: 10_000 }), page.getByTestId('action-print').click()]);
    await popup.close().catch(() => {});
    const slip = await page.request.get(`${baseUrl}/api/v1/referrals/${encodeURIComponent(upId)}/slip.pdf`);
    expect(slip.status()).toBe(200);
    expect(slip.headers()['content-type']).toContain('application/pdf');

    await page.getByTestId('action-arrive').click();
    await expect.poll(() => statusOf(page), { timeout: 10_000 }).toBe('in-progress');
    await expect.poll(() => page.getByTestId('referral-status').first().textContent()).toContain('已到诊');
    await shot(page, '4-arrived');
  });

  it('the county doctor completes it and down-refers the patient with a care plan', async () => {
    expect(upNumber).not.toBe('');
    const page = await session('county.specialist');
    await openFromWorklist(page, 'received', upNumber);

    await page.getByTestId('action-complete').click();
    await page.getByTestId('transition-summary').fill('头颅CT示左侧基底节区梗死，予抗血小板、调脂治疗，症状好转，病情稳定。');
    await confirmModal(page);
    await expect.poll(() => statusOf(page), { timeout: 10_000 }).toBe('completed');
    await expect.poll(() => page.getByTestId('returned-summary').count(), { timeout: 10_000 }).toBe(1);

    await page.getByTestId('action-down-refer').click();
    await page.waitForURL(/\/referrals\/[^/]+\/down$/, { timeout: 10_000 });
    // The destination defaults to the patient's own grassroots facility (the village clinic).
    const destination = page.locator('.ant-form-item', { has: page.locator('#destinationOrganizationId') });
    await expect.poll(() => destination.getByText(clinicName, { exact: true }).count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await page.getByTestId('down-reason').fill('病情稳定，转回村卫生室继续康复和随访');
    await page.getByTestId('warning-sign-0').fill(WARNING_SIGN);
    await page.getByTestId('task-title-0').fill(TASK_TITLE);
    await shot(page, '5-down-form');
    await page.getByTestId('submit-down').click();

    await page.waitForURL((u) => onDetail(u) && !u.pathname.endsWith(upId), { timeout: 15_000 });
    downNumber = ((await page.getByTestId('referral-number').textContent()) ?? '').trim();
    expect(downNumber).not.toBe('');
    expect(downNumber).not.toBe(upNumber);
    await expect.poll(() => page.getByTestId('care-plan').count(), { timeout: 10_000 }).toBe(1);
    await expect.poll(() => page.getByTestId('care-plan-task').filter({ hasText: TASK_TITLE }).count()).toBe(1);
  });

  it('the village doctor receives the down-referral and sees the plan’s tasks', async () => {
    expect(downNumber, 'needs the down-referral of the previous step').not.toBe('');
    const page = await session('village.doctor');
    await openFromWorklist(page, 'received', downNumber);
    if (await page.getByTestId('action-accept').isVisible()) {
      await page.getByTestId('action-accept').click();
      await expect.poll(() => statusOf(page), { timeout: 10_000 }).not.toBe('requested');
    }
    await expect.poll(() => page.getByTestId('care-plan').getByText(WARNING_SIGN).count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('care-plan-task').filter({ hasText: TASK_TITLE }).count()).toBe(1);

    // The follow-up worklist lists the task; completing it records the outcome.
    await page.getByRole('menuitem', { name: '随访任务' }).click();
    await page.waitForURL(/\/care-tasks/, { timeout: 10_000 });
    const task = page.getByTestId('care-task-title').filter({ hasText: TASK_TITLE });
    await expect.poll(() => task.count(), { timeout: 10_000 }).toBe(1);
    await shot(page, '6-care-tasks');
    await page.locator('tr', { has: task }).locator('[data-testid^="complete-task-"]').click();
    const outcome = page.locator('#outcome');
    await outcome.fill('血压 138/86 mmHg，右侧肢体肌力 4+ 级，规律服药');
    await expect.poll(() => outcome.inputValue()).not.toBe('');
    await confirmModal(page);
    // The dialog closes once the server has recorded the outcome (an error would keep it open, in its own words).
    await expect
      .poll(async () => ((await page.locator('.ant-modal:visible .ant-alert').count()) > 0 ? await page.locator('.ant-modal:visible .ant-alert').first().textContent() : page.locator('.ant-modal:visible').count()), { timeout: 30_000 })
      .toBe(0);
    await expect.poll(() => task.count(), { timeout: 30_000 }).toBe(0);
  });

  it('tells the village doctor by the bell, and counts referrals on the home page', async () => {
    const page = await session('village.doctor');
    await expect.poll(() => page.getByText('我发起的进行中').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await shot(page, '9-home');
    const badge = page.locator('.ant-badge', { has: page.getByTestId('notification-bell') }).locator('.ant-badge-count');
    await expect.poll(() => badge.count(), { timeout: 10_000 }).toBe(1);
    await page.getByTestId('notification-bell').click();
    await expect.poll(() => page.getByTestId('notification-item').count(), { timeout: 10_000 }).toBeGreaterThan(0);
    await shot(page, '10-bell');
    await page.getByRole('button', { name: '全部标为已读' }).click();
    await expect.poll(() => badge.count(), { timeout: 10_000 }).toBe(0);
    await page.getByRole('menuitem', { name: '转诊工作台' }).click();
    await page.getByTestId(`referral-link-${upNumber}`).waitFor({ timeout: 10_000 });
    await shot(page, '11-sent-list');
  });

  it('shows the worklist and the referral in English', async () => {
    expect(upNumber).not.toBe('');
    const page = await session('referral.desk', 'en');
    await page.getByRole('menuitem', { name: 'Referral worklist' }).click();
    await page.waitForURL(/\/referrals/, { timeout: 10_000 });
    await expect.poll(() => page.getByTestId('tab-received').textContent(), { timeout: 10_000 }).toContain('Waiting for me');
    await page.getByTestId('tab-desk').click();
    await page.getByTestId(`referral-link-${upNumber}`).waitFor({ timeout: 10_000 });
    await shot(page, '7-desk-en');
    await page.getByTestId(`referral-link-${upNumber}`).click();
    await page.waitForURL(onDetail, { timeout: 10_000 });
    await expect.poll(() => page.getByTestId('referral-status').first().textContent(), { timeout: 10_000 }).toBe('Completed');
    await expect.poll(() => page.getByText('Care summary (returned)').count()).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('timeline').getByText('Accepted').count()).toBeGreaterThan(0);
    await shot(page, '8-detail-en');
  });
});

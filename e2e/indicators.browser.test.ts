import { existsSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { createDatabase, type Database } from '../src/db/client.js';
import { ensureBaseData } from '../src/db/seed/index.js';
import { seedDemoCounty } from '../src/db/seed/demo-county.js';
import { seedDemoActivity } from '../src/db/seed/demo-activity.js';
import { buildApp } from '../src/http/app.js';
import { buildServices } from '../src/http/deps.js';
import { hashPassword } from '../src/modules/identity/index.js';
import { loadConfig } from '../src/config/env.js';
import { systemClock } from '../src/shared/clock.js';

/**
 * Browser test of the monitoring dashboard: a commission officer sees the demo county's indicators (with activity
 * recorded the way the demo records it), "no data" where the platform lacks the data, the trend of a chosen
 * indicator, and exports the figures to Excel. Skipped with a message where Chromium is missing (the CI guard in
 * browser.test.ts fails CI instead).
 */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const webRoot = path.resolve(import.meta.dirname, '..', 'dist', 'web');
const haveChromium = existsSync(chromiumPath);
if (!haveChromium) console.warn(`Chromium not found at ${chromiumPath}: indicator browser tests skipped (apt-get install chromium)`);

describe.skipIf(!haveChromium)('browser: monitoring dashboard', () => {
  let database: Database;
  let app: FastifyInstance;
  let browser: Browser;
  let baseUrl: string;

  beforeAll(async () => {
    database = await createDatabase({ dataDir: 'memory://' });
    await database.migrate();
    await ensureBaseData(database.db, { info: () => {} });
    await seedDemoCounty(database.db, { seed: 11, residents: 600, hashPassword });
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' });
    const services = buildServices(database, config);
    await services.identity.ensureAdmin('Yilian@2026');
    await seedDemoActivity(database.db, services, { seed: 11, clock: systemClock, sampleEvery: 1 });
    app = await buildApp({ database, config, clock: systemClock, services, webRoot });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await database?.close();
  });

  it('shows the county indicators near calibration, "no data" honestly, a trend, and exports to Excel', async () => {
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1440, height: 1000 }, acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(`${baseUrl}/login`);
    await page.locator('input#username').fill('commission.officer');
    await page.locator('input#password').fill('Yilian@2026');
    await page.locator('button[type=submit]').click();
    await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 15_000 });

    await page.getByRole('menuitem', { name: '监测指标' }).click();
    await page.waitForURL(/\/indicators/, { timeout: 10_000 });
    const rate = page.getByTestId('indicator-card-county-visit-rate').getByTestId('indicator-value');
    await rate.waitFor({ timeout: 20_000 });
    const percent = Number((await rate.textContent())!.replace(/[^\d.]/g, ''));
    // domain.md §1: in-county visit rate ~90–94 % (a small county's month can stray a little).
    expect(percent).toBeGreaterThan(85);
    expect(percent).toBeLessThan(98);
    await expect.poll(() => page.getByTestId('indicator-card-village-ecg-coverage').textContent(), { timeout: 10_000 }).toContain('暂无数据');

    await page.getByTestId('indicator-card-grassroots-visit-share').click();
    await page.locator('canvas').first().waitFor({ timeout: 10_000 });

    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), page.getByRole('button', { name: /导出 Excel/ }).click()]);
    const file = path.join(os.tmpdir(), `yilian-indicators-${process.pid}.xlsx`);
    await download.saveAs(file);
    expect(download.suggestedFilename()).toMatch(/\.xlsx$/);
    expect(statSync(file).size).toBeGreaterThan(4000);
    const { default: ExcelJS } = await import('exceljs');
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file);
    const text = book.worksheets.map((ws) => ws.getSheetValues().flat().join(' ')).join(' ');
    expect(text).toContain('县域就诊率');
    await context.close();
  }, 120_000);
});

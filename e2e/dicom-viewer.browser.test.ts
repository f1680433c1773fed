import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { generateSyntheticStudy } from '../src/modules/diagnosis/media/index.js';

/**
 * Browser test of the DICOM viewer (Cornerstone3D): a small harness page (e2e/fixtures/dicom-viewer-harness) is built
 * with the project's own vite.config.ts (so its worker / chunk settings are what is tested) into a temp dir, served
 * by a tiny HTTP server together with a synthetic CT head series, and driven by Debian's Chromium. Skipped with a
 * message where Chromium is missing — except under CI, where that is a failure.
 */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(chromiumPath);
const ci = process.env.CI === 'true' || process.env.CI === '1';
const repoRoot = path.resolve(import.meta.dirname, '..');
const harnessDir = path.join(import.meta.dirname, 'fixtures', 'dicom-viewer-harness');
/** Where the test leaves a screenshot of the viewer, for a human to look at. */
const screenshotPath = process.env.DICOM_VIEWER_SCREENSHOT ?? path.join(os.tmpdir(), 'yilian-dicom-viewer.png');
const SLICES = 8;

if (!haveChromium) console.warn(`Chromium not found at ${chromiumPath}: DICOM viewer browser tests skipped (apt-get install chromium)`);

describe('browser: DICOM viewer needs Chromium under CI', () => {
  it.skipIf(!ci)('has a browser when CI=true', () => {
    expect(haveChromium, `CI=true requires ${chromiumPath}`).toBe(true);
  });
});

const mimeTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.dcm': 'application/dicom',
};

describe.skipIf(!haveChromium)('browser: DICOM viewer (Cornerstone3D)', () => {
  let outDir: string;
  let server: Server;
  let browser: Browser;
  let baseUrl: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    outDir = await mkdtemp(path.join(os.tmpdir(), 'yilian-dicom-harness-'));
    const { build } = await import('vite');
    await build({
      configFile: path.join(repoRoot, 'vite.config.ts'),
      root: harnessDir,
      logLevel: 'error',
      build: {
        outDir,
        emptyOutDir: true,
        reportCompressedSize: false,
        rolldownOptions: { input: path.join(harnessDir, 'index.html') },
      },
    });

    const study = generateSyntheticStudy({
      modality: 'CT',
      region: 'head',
      size: 128,
      slices: SLICES,
      seed: 7,
      patient: { id: 'E2E-DICOM', name: 'Ceshi^Yingxiang=测试^影像', sex: 'F', birthDate: '1960-03-02' },
    });
    // Serve the slices in reverse order: the viewer must order them by position, not by list order.
    const files = new Map(study.files.map((f) => [f.fileName, f.data]));
    const listing = JSON.stringify([...files.keys()].reverse());

    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const send = (status: number, type: string, body: Buffer | string) => {
        res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
        res.end(body);
      };
      if (url.pathname === '/series/index.json') return send(200, mimeTypes['.json'] as string, listing);
      if (url.pathname.startsWith('/series/')) {
        const data = files.get(decodeURIComponent(url.pathname.slice('/series/'.length)));
        return data ? send(200, mimeTypes['.dcm'] as string, data) : send(404, 'text/plain', 'not found');
      }
      const file = path.join(outDir, url.pathname === '/' ? 'index.html' : path.normalize(url.pathname));
      if (!file.startsWith(outDir)) return send(403, 'text/plain', 'forbidden');
      readFile(file).then(
        (body) => send(200, mimeTypes[path.extname(file)] ?? 'application/octet-stream', body),
        () => send(404, 'text/plain', 'not found'),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        // Software WebGL, so Cornerstone's GPU path runs headless (it falls back to CPU rendering without WebGL).
        '--use-angle=swiftshader',
        '--enable-unsafe-swiftshader',
      ],
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  async function openHarness(query: string): Promise<Page> {
    const page = await browser.newPage({ locale: 'zh-CN', viewport: { width: 900, height: 700 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${baseUrl}/?${query}`);
    return page;
  }

  const text = (page: Page, testId: string) => page.getByTestId(testId).innerText();

  /** Grey-level statistics of the viewport as shown on screen. */
  async function viewportPixels(page: Page) {
    const png = PNG.sync.read(await page.getByTestId('dicom-viewport').screenshot());
    const levels = new Set<number>();
    let sum = 0;
    let sumSq = 0;
    const n = png.width * png.height;
    for (let i = 0; i < png.data.length; i += 4) {
      const grey = Math.round(((png.data[i] ?? 0) + (png.data[i + 1] ?? 0) + (png.data[i + 2] ?? 0)) / 3);
      levels.add(grey);
      sum += grey;
      sumSq += grey * grey;
    }
    const mean = sum / n;
    return { levels: levels.size, mean, sd: Math.sqrt(sumSq / n - mean * mean) };
  }

  it('shows a CT series from ArrayBuffers; the wheel scrolls, a drag windows, reset restores', async () => {
    const page = await openHarness('mode=buffers');
    await expect.poll(() => page.locator('#events').innerText(), { timeout: 60_000 }).toContain('loaded');
    // The file's brain window (40 / 80), the first of 8 slices.
    expect(await text(page, 'dicom-window')).toBe('窗位 40　窗宽 80');
    expect(await text(page, 'dicom-slice')).toBe(`层面 1 / ${SLICES}`);
    const pixels = await viewportPixels(page);
    expect(pixels.levels, 'the image is not one flat colour').toBeGreaterThan(20);
    expect(pixels.sd).toBeGreaterThan(10);
    await page.screenshot({ path: screenshotPath });

    const box = await page.getByTestId('dicom-viewport').boundingBox();
    if (!box) throw new Error('no viewport box');
    const cx = box.x + box.width / 2;
    const cy = box.y + box.height / 2;
    await page.mouse.move(cx, cy);
    await page.mouse.wheel(0, 120);
    await expect.poll(() => text(page, 'dicom-slice'), { timeout: 10_000 }).not.toBe(`层面 1 / ${SLICES}`);
    const sliceAfterWheel = await text(page, 'dicom-slice');

    // Left drag: window/level (the default tool).
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    await page.mouse.move(cx + 80, cy + 40, { steps: 8 });
    await page.mouse.up();
    await expect.poll(() => text(page, 'dicom-window'), { timeout: 10_000 }).not.toBe('窗位 40　窗宽 80');
    const after = await viewportPixels(page);
    expect(Math.abs(after.mean - pixels.mean) + Math.abs(after.sd - pixels.sd), 'the picture changes with the window').toBeGreaterThan(1);

    await page.getByRole('button', { name: /重\s*置/ }).click();
    await expect.poll(() => text(page, 'dicom-window'), { timeout: 10_000 }).toBe('窗位 40　窗宽 80');
    expect(await text(page, 'dicom-slice'), 'reset keeps the slice').toBe(sliceAfterWheel);

    // A CT window preset from the menu.
    // The option of antd's dropdown itself (not its hidden accessibility copy), once it has finished opening.
    await page.getByRole('combobox', { name: '窗设置' }).click();
    const bone = page.locator('.ant-select-item-option[title="骨窗（400/1800）"]');
    await bone.waitFor({ state: 'visible' });
    await bone.click();
    await expect.poll(() => text(page, 'dicom-window'), { timeout: 10_000 }).toBe('窗位 400　窗宽 1800');

    // Length measurement: choose the tool, drag a line, and the SVG layer shows a length in mm.
    await page.getByText('测量长度').click();
    await page.mouse.move(cx - 60, cy);
    await page.mouse.down();
    await page.mouse.move(cx + 60, cy, { steps: 8 });
    await page.mouse.up();
    await expect.poll(() => page.getByTestId('dicom-viewport').locator('svg text').allTextContents(), { timeout: 10_000 }).toEqual(
      expect.arrayContaining([expect.stringMatching(/mm/)]),
    );
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('loads the same series from URLs, in English', async () => {
    const page = await openHarness('mode=urls&lang=en');
    await expect.poll(() => page.locator('#events').innerText(), { timeout: 60_000 }).toContain('loaded');
    expect(await text(page, 'dicom-slice')).toBe(`Slice 1 / ${SLICES}`);
    expect(await text(page, 'dicom-window')).toMatch(/^L 40\s+W 80$/);
    expect((await viewportPixels(page)).levels).toBeGreaterThan(20);
    await page.close();
  });

  it('shows a load failure in the viewer and reports it through onError', async () => {
    const page = await openHarness('mode=missing');
    await expect.poll(() => page.getByRole('alert').innerText(), { timeout: 30_000 }).toContain('影像加载失败');
    expect(await page.getByRole('alert').innerText()).toContain('404');
    expect(await page.locator('#events').innerText()).toMatch(/error: 影像加载失败/);
    await page.close();
  });
});

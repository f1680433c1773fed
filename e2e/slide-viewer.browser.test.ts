import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { jpegSlide } from '../test/helpers/slide-fixtures.js';

/**
 * Browser test of the pathology slide viewer: a harness page (e2e/fixtures/slide-viewer-harness) built with the
 * project's vite.config.ts, served with generated JPEG slides by a tiny HTTP server and driven by Debian's Chromium.
 * Zoom, 1:1, pan, rotation and fit are read from the bar's text and the picture's box on screen. Skipped with a
 * message where Chromium is missing.
 */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(chromiumPath);
const repoRoot = path.resolve(import.meta.dirname, '..');
const harnessDir = path.join(import.meta.dirname, 'fixtures', 'slide-viewer-harness');
/** Where the test leaves a screenshot of the panel, for a human to look at. */
const screenshotPath = process.env.SLIDE_VIEWER_SCREENSHOT ?? path.join(os.tmpdir(), 'yilian-slide-viewer.png');

if (!haveChromium) console.warn(`Chromium not found at ${chromiumPath}: slide viewer browser tests skipped (apt-get install chromium)`);

const mimeTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
};

describe.skipIf(!haveChromium)('browser: pathology slide viewer', () => {
  let outDir: string;
  let server: Server;
  let browser: Browser;
  let baseUrl: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    outDir = await mkdtemp(path.join(os.tmpdir(), 'yilian-slide-harness-'));
    const { build } = await import('vite');
    await build({
      configFile: path.join(repoRoot, 'vite.config.ts'),
      root: harnessDir,
      logLevel: 'error',
      build: { outDir, emptyOutDir: true, reportCompressedSize: false, rolldownOptions: { input: path.join(harnessDir, 'index.html') } },
    });
    // a 20× field as uploaded, and a picture standing for the server's shrunk preview of a 4096 × 2048 TIFF
    const images = new Map([['/slide.jpg', jpegSlide(640, 480)], ['/preview.jpg', jpegSlide(1024, 512)]]);
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const send = (status: number, type: string, body: Buffer | string) => {
        res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
        res.end(body);
      };
      // the request page's URLs of slide A1 (SlidePanel in the harness)
      if (url.pathname.startsWith('/api/v1/diagnosis/requests/R1/attachments/A1/')) return send(200, 'image/jpeg', images.get('/slide.jpg')!);
      const image = images.get(url.pathname);
      if (image) return send(200, 'image/jpeg', image);
      if (url.pathname === '/missing.jpg') return send(404, 'text/plain', 'not found');
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
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  async function open(query: string): Promise<Page> {
    const page = await browser.newPage({ locale: 'zh-CN', viewport: { width: 900, height: 700 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${baseUrl}/?${query}`);
    return page;
  }
  const info = (page: Page) => page.getByTestId('dx-slide-info').innerText();
  const pictureBox = async (page: Page) => {
    const box = await page.getByRole('img', { name: 'HE-20x.jpg' }).boundingBox();
    if (!box) throw new Error('no picture box');
    return box;
  };

  it('fits the slide, zooms to 1:1 and with the wheel, pans by dragging, turns a quarter and fits again', async () => {
    const page = await open('src=/slide.jpg&w=640&h=480');
    // 640 × 480 in an 800 × 400 frame: fitted at 400/480
    await expect.poll(() => info(page), { timeout: 30_000 }).toBe('640 × 480 像素 · 缩放 83%');
    await page.getByTestId('dx-slide-actual').click();
    await expect.poll(() => info(page)).toBe('640 × 480 像素 · 缩放 100%');
    expect(Math.round((await pictureBox(page)).width)).toBe(640);

    const frame = await page.getByTestId('dx-slide-frame').boundingBox();
    if (!frame) throw new Error('no frame');
    const cx = frame.x + frame.width / 2;
    const cy = frame.y + frame.height / 2;
    await page.mouse.move(cx, cy);
    await page.mouse.wheel(0, -100);
    await expect.poll(() => info(page)).toBe('640 × 480 像素 · 缩放 125%');

    const before = await pictureBox(page);
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    await page.mouse.move(cx + 100, cy + 30, { steps: 5 });
    await page.mouse.up();
    const after = await pictureBox(page);
    expect(Math.round(after.x - before.x)).toBe(100);
    expect(Math.round(after.y - before.y)).toBe(30);

    await page.getByRole('button', { name: /旋转/ }).click();
    await expect.poll(async () => Math.round((await pictureBox(page)).height)).toBe(800); // 640 × 1.25, now upright
    await page.getByTestId('dx-slide-fit').click();
    // turned: 480 × 640 in 800 × 400 → 400/640
    await expect.poll(() => info(page)).toBe('640 × 480 像素 · 缩放 63%');
    const fitted = await pictureBox(page);
    expect(Math.round(fitted.height)).toBe(400);
    expect(Math.round(fitted.y + fitted.height / 2)).toBe(Math.round(cy));
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('a shrunk TIFF preview: the bar gives the slide’s own size and zoom, and 1:1 is one slide pixel a screen pixel', async () => {
    const page = await open('src=/preview.jpg&w=4096&h=2048');
    // 1024 × 512 fitted at 800/1024 shows 4096 px of slide in 800 screen px: 20 %
    await expect.poll(() => info(page), { timeout: 30_000 }).toBe('4096 × 2048 像素 · 缩放 20% · 预览已缩小为 1024 × 512');
    await page.getByTestId('dx-slide-actual').click();
    await expect.poll(() => info(page)).toBe('4096 × 2048 像素 · 缩放 100% · 预览已缩小为 1024 × 512');
    expect(Math.round((await pictureBox(page)).width)).toBe(4096);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('the request page panel: a gallery of thumbnails; a slide the server does not decode shows why, with the download', async () => {
    const page = await open('panel=1');
    const options = page.getByRole('option');
    await expect.poll(() => options.count(), { timeout: 30_000 }).toBe(2);
    expect(await options.nth(0).getAttribute('aria-selected')).toBe('true');
    // the panel's frame is 520 px high: the slide fits unenlarged
    await expect.poll(() => info(page), { timeout: 30_000 }).toBe('640 × 480 像素 · 缩放 100%');
    expect(await options.nth(1).innerText()).toContain('无缩略图');
    await page.screenshot({ path: screenshotPath });
    await options.nth(1).click();
    const notDecoded = page.getByTestId('dx-slide-not-decoded');
    await notDecoded.waitFor();
    const text = await notDecoded.innerText();
    expect(text).toContain('「WSI.svs」不在页面中显示');
    expect(text).toContain('超过服务器解码上限');
    expect(text).toContain('98304 × 65536 像素 · 2 页（只显示第 1 页）');
    expect(await notDecoded.getByRole('link', { name: /下载原图/ }).getAttribute('href')).toBe('/api/v1/diagnosis/requests/R1/attachments/A2');
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it('a picture that does not load says so', async () => {
    const page = await open('src=/missing.jpg');
    await expect(page.getByText('「HE-20x.jpg」无法显示').waitFor({ timeout: 30_000 })).resolves.toBeUndefined();
    await page.close();
  });
});

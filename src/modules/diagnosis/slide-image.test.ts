import { describe, expect, it } from 'vitest';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { gradientRgba, jpegSlide, tiffSlide } from '../../../test/helpers/slide-fixtures.js';
import { readSlideAttachment } from './attachment-media.js';
import {
  decodeSlide, fitWithin, maxDecodedPixels, renderSlideThumbnail, shrinkRgba, slideDecodeProblem, slideIsDecodable, slidePreview,
} from './slide-image.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('fitting and shrinking', () => {
  it('fits the longer side, keeps the aspect, never enlarges', () => {
    expect(fitWithin(600, 400, 256)).toEqual({ width: 256, height: 171 });
    expect(fitWithin(400, 600, 256)).toEqual({ width: 171, height: 256 });
    expect(fitWithin(100, 50, 256)).toEqual({ width: 100, height: 50 });
    expect(fitWithin(10_000, 1, 256)).toEqual({ width: 256, height: 1 });
  });

  it('averages the covered source pixels', () => {
    // 4 × 2: left half black, right half white → 2 × 1: one black, one white pixel
    const data = new Uint8Array(4 * 2 * 4);
    for (let y = 0; y < 2; y++) for (let x = 0; x < 4; x++) data.set(x < 2 ? [0, 0, 0, 255] : [255, 255, 255, 255], (y * 4 + x) * 4);
    const out = shrinkRgba({ width: 4, height: 2, data }, 2);
    expect([out.width, out.height]).toEqual([2, 1]);
    expect([...out.data]).toEqual([0, 0, 0, 255, 255, 255, 255, 255]);
    const mixed = shrinkRgba({ width: 2, height: 1, data: new Uint8Array([0, 100, 200, 255, 100, 200, 0, 255]) }, 1);
    expect([...mixed.data]).toEqual([50, 150, 100, 255]);
  });
});

describe('decoding slides', () => {
  it('decodes a JPEG (lossy: close to the source) and a hand-written TIFF (exact)', () => {
    const src = gradientRgba(40, 30);
    const j = decodeSlide('jpeg', jpegSlide(40, 30));
    expect([j.width, j.height, j.data.length]).toEqual([40, 30, 40 * 30 * 4]);
    const worst = Math.max(...[...j.data].map((v, i) => Math.abs(v - src[i]!)));
    expect(worst).toBeLessThan(24);
    const t = decodeSlide('tiff', tiffSlide([{ width: 40, height: 30, rgba: src }]));
    expect([t.width, t.height]).toEqual([40, 30]);
    expect(Buffer.from(t.data).equals(Buffer.from(src))).toBe(true);
  });

  it('decodes only the first page of a multi-page TIFF', () => {
    const bytes = tiffSlide([{ width: 20, height: 10, rgba: gradientRgba(20, 10) }, { width: 5, height: 5, rgba: new Uint8Array(100).fill(0) }]);
    const img = decodeSlide('tiff', bytes);
    expect([img.width, img.height]).toEqual([20, 10]);
    expect(readSlideAttachment(bytes)).toEqual({ kind: 'slide', format: 'tiff', width: 20, height: 10, pages: 2 });
  });

  it('thumbnails are PNGs at most maxSize on the longer side, for all three formats', () => {
    const png = new PNG({ width: 300, height: 200 });
    png.data = Buffer.from(gradientRgba(300, 200));
    for (const [format, bytes] of [['png', PNG.sync.write(png)], ['jpeg', jpegSlide(300, 200)], ['tiff', tiffSlide([{ width: 300, height: 200, rgba: gradientRgba(300, 200) }])]] as const) {
      const thumb = renderSlideThumbnail(format, bytes, 64);
      expect(thumb.subarray(0, 8).equals(PNG_SIGNATURE), format).toBe(true);
      const drawn = PNG.sync.read(thumb);
      expect([drawn.width, drawn.height], format).toEqual([64, 43]);
      // the gradient survives: green grows left → right
      expect(drawn.data[(20 * 64 + 60) * 4 + 1]!, format).toBeGreaterThan(drawn.data[(20 * 64 + 3) * 4 + 1]! + 150);
    }
  });

  it('a TIFF preview is a JPEG shrunk to the limit; PNG and JPEG previews are the original bytes', () => {
    const tiff = slidePreview('tiff', tiffSlide([{ width: 120, height: 60, rgba: gradientRgba(120, 60) }]), 50);
    expect(tiff.contentType).toBe('image/jpeg');
    expect(tiff.derived).toBe(true);
    const decoded = jpeg.decode(tiff.bytes);
    expect([decoded.width, decoded.height]).toEqual([50, 25]);
    const original = jpegSlide(30, 20);
    expect(slidePreview('jpeg', original, 50)).toEqual({ contentType: 'image/jpeg', bytes: original, derived: false });
  });
});

describe('the decode limit and undecodable files', () => {
  it('refuses images over the limit before decoding (415 with the size), and says so in the meta', () => {
    expect(slideDecodeProblem(8000, 8000)).toBeNull();
    expect(slideDecodeProblem(100_000, 80_000)).toMatch(/8000000000|百万像素/);
    // a whole-slide-sized first page whose strip holds nothing: only the header claims the size
    const huge = tiffSlide([{ width: 100_000, height: 80_000 }, { width: 4, height: 4, rgba: new Uint8Array(64).fill(255) }]);
    expect(() => decodeSlide('tiff', huge)).toThrow(expect.objectContaining({ code: 'unsupported_media_type', detail: expect.objectContaining({ reason: 'too-large', maxPixels: maxDecodedPixels }) }));
    const meta = readSlideAttachment(huge);
    expect(meta).toMatchObject({ format: 'tiff', width: 100_000, height: 80_000, pages: 2, decodable: false });
    expect(meta.notDecodedReason).toMatch(/超过服务器解码上限/);
    expect(slideIsDecodable(meta)).toBe(false);
    // rows stored before the flag existed are judged by their size
    expect(slideIsDecodable({ kind: 'slide', format: 'jpeg', width: 9000, height: 9000 })).toBe(false);
    expect(slideIsDecodable({ kind: 'slide', format: 'jpeg', width: 900, height: 900 })).toBe(true);
  });

  it('a TIFF compression the decoder lacks (JPEG 2000 of SVS) is not decodable, rather than drawn black', () => {
    const j2k = tiffSlide([{ width: 8, height: 8, rgba: gradientRgba(8, 8), compression: 33003 }]);
    expect(readSlideAttachment(j2k)).toMatchObject({ decodable: false, notDecodedReason: expect.stringMatching(/33003/) });
    expect(() => decodeSlide('tiff', j2k)).toThrow(expect.objectContaining({ code: 'unsupported_media_type', detail: expect.objectContaining({ reason: 'compression' }) }));
  });

  it('a JPEG whose header is fine but whose data is not is a 415, not a crash', () => {
    const headerOnly = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x4a, 0x46, 0xff, 0xc0, 0x00, 0x0b, 0x08, 0x04, 0xb0, 0x06, 0x40, 0x01, 0x01, 0x11, 0x00, 0xff, 0xd9]);
    expect(readSlideAttachment(headerOnly)).toEqual({ kind: 'slide', format: 'jpeg', width: 1600, height: 1200 });
    expect(() => decodeSlide('jpeg', headerOnly)).toThrow(expect.objectContaining({ code: 'unsupported_media_type' }));
  });
});

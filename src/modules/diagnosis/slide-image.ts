import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import UTIF from 'utif2';
import { slideMaxDecodedPixels, type SlideAttachmentMeta, type SlideImageFormat } from '../../contracts/diagnosis.js';
import { AppError } from '../../shared/errors.js';

/**
 * Pathology slide pixels: decoding PNG/JPEG/TIFF slides into RGBA, shrinking them, and what the server may decode at
 * all. Pure (bytes in, bytes out); the service caches what these draw in blob storage by the file's SHA-256.
 *
 * Decoding is synchronous and holds the whole image as RGBA (4 bytes a pixel) plus the decoder's own buffers, so the
 * limit below bounds one decode to a few hundred MB; one Node process runs one decode at a time.
 */

/**
 * The largest image the server decodes: 64 megapixels (e.g. 8000 × 8000, a 40× field montage). A whole-slide image
 * (SVS, NDPI, a pyramidal TIFF of 100 000 × 80 000 px) is far beyond it: it is stored and downloadable, its size is
 * read from the header, but it gets no thumbnail or preview — that needs a tile server, not a decoder.
 */
export const maxDecodedPixels = slideMaxDecodedPixels;

/** The preview's longer side: enough for a 2K screen; a larger original is shrunk. */
export const previewMaxSize = 2048;

/**
 * TIFF compressions utif2 decodes. Anything else (JPEG 2000 of Aperio SVS: 33003/33005, vendor codecs) it would
 * silently leave black, so it is refused before decoding.
 */
const decodableTiffCompressions: ReadonlySet<number> = new Set([1, 5, 6, 7, 8, 32773, 32946]);

export interface RgbaImage {
  width: number;
  height: number;
  /** RGBA, 8 bits a channel, row-major. */
  data: Uint8Array;
}

/** Why the server will not decode an image of this size, or null when it will. */
export function slideDecodeProblem(width: number, height: number): string | null {
  if (width * height <= maxDecodedPixels) return null;
  return `图像 ${width} × ${height} 像素（${(width * height / 1e6).toFixed(0)} 百万像素）超过服务器解码上限 ${maxDecodedPixels / 1e6} 百万像素，`
    + '不生成缩略图和预览（全切片扫描图像请下载后用专用阅片软件查看）';
}

/**
 * The upload-time facts beyond format and size: the number of TIFF pages when more than one, and `decodable: false`
 * with the reason when the pixels will not be drawn (too large, or a TIFF compression the decoder lacks). A small
 * PNG/JPEG keeps the plain `{kind, format, width, height}`.
 */
export function slideDecodeFacts(meta: SlideAttachmentMeta, bytes: Buffer): Partial<SlideAttachmentMeta> {
  const facts: Partial<SlideAttachmentMeta> = {};
  let problem = slideDecodeProblem(meta.width, meta.height);
  if (meta.format === 'tiff') {
    const pages = tiffPages(bytes);
    if (pages && pages.length > 1) facts.pages = pages.length;
    const compression = pages?.[0] ? tiffCompression(pages[0]) : null;
    if (!problem && compression !== null && !decodableTiffCompressions.has(compression)) problem = tiffCompressionProblem(compression);
  }
  if (problem) {
    facts.decodable = false;
    facts.notDecodedReason = problem;
  }
  return facts;
}

/** Whether the server draws a thumbnail and preview of this slide (rows stored before the flag judge by size alone). */
export function slideIsDecodable(meta: SlideAttachmentMeta): boolean {
  return meta.decodable !== false && slideDecodeProblem(meta.width, meta.height) === null;
}

function undrawable(message: string, detail: Record<string, unknown>): AppError {
  return new AppError('unsupported_media_type', message, { path: 'attachmentId', detail });
}

/**
 * utif2 copies any typed array it is given (`new Uint8Array(buff)`); a Buffer that spans its whole ArrayBuffer is
 * handed over as that ArrayBuffer instead, so a 200 MB slide is not held twice.
 */
function tiffInput(bytes: Buffer): Buffer | ArrayBuffer {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? bytes.buffer : bytes;
}

function tiffPages(bytes: Buffer): UTIF.IFD[] | null {
  try {
    return UTIF.decode(tiffInput(bytes));
  } catch {
    return null;
  }
}

function tiffCompression(ifd: UTIF.IFD): number {
  const c = ifd['t259'];
  return Array.isArray(c) && typeof c[0] === 'number' ? c[0] : 1;
}

function tiffCompressionProblem(compression: number): string {
  return `TIFF 压缩方式 ${compression} 服务器无法解码（支持无压缩、LZW、Deflate、PackBits、JPEG），不生成缩略图和预览`;
}

function tagNumber(ifd: UTIF.IFD, tag: string): number | null {
  const v = ifd[tag];
  return Array.isArray(v) && typeof v[0] === 'number' ? v[0] : null;
}

/**
 * Decodes a slide into RGBA. Only the first page of a multi-page TIFF is decoded: it is the page whose size the meta
 * shows, and in a pyramidal slide it is the full-resolution level (the later pages are smaller levels, a label and a
 * macro photograph — not the diagnostic image). Throws 415 for an image over the limit or pixels the decoder cannot read.
 */
export function decodeSlide(format: SlideImageFormat, bytes: Buffer): RgbaImage {
  switch (format) {
    case 'png': {
      const size = { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
      guardSize(size.width, size.height);
      const png = tryDecode(() => PNG.sync.read(bytes), 'PNG');
      return { width: png.width, height: png.height, data: png.data };
    }
    case 'jpeg': {
      const img = tryDecode(() => jpeg.decode(bytes, {
        useTArray: true, formatAsRGBA: true, maxResolutionInMP: maxDecodedPixels / 1e6,
        // RGBA output plus the decoder's component planes, with room for 4:4:4 sampling
        maxMemoryUsageInMB: Math.ceil((maxDecodedPixels * 8) / 1e6),
      }), 'JPEG');
      guardSize(img.width, img.height);
      return { width: img.width, height: img.height, data: img.data };
    }
    case 'tiff': {
      const pages = tiffPages(bytes);
      const first = pages?.[0];
      if (!first) throw undrawable('TIFF 文件没有可读的图像页', { reason: 'unreadable' });
      const width = tagNumber(first, 't256');
      const height = tagNumber(first, 't257');
      if (!width || !height) throw undrawable('TIFF 第一页没有写明宽和高', { reason: 'unreadable' });
      guardSize(width, height);
      const compression = tiffCompression(first);
      if (!decodableTiffCompressions.has(compression)) throw undrawable(tiffCompressionProblem(compression), { reason: 'compression', compression });
      const data = tryDecode(() => {
        UTIF.decodeImage(tiffInput(bytes), first);
        return UTIF.toRGBA8(first);
      }, 'TIFF');
      if (data.length !== width * height * 4) throw undrawable('TIFF 图像数据不完整，无法解码', { reason: 'unreadable' });
      return { width, height, data };
    }
  }
}

function guardSize(width: number, height: number): void {
  const problem = slideDecodeProblem(width, height);
  if (problem) throw undrawable(problem, { reason: 'too-large', width, height, maxPixels: maxDecodedPixels });
}

function tryDecode<T>(decode: () => T, what: string): T {
  try {
    return decode();
  } catch (e) {
    if (e instanceof AppError) throw e;
    const reason = e instanceof Error ? e.message : String(e);
    throw new AppError('unsupported_media_type', `${what} 图像数据无法解码：${reason}`, { path: 'attachmentId', detail: { reason: 'unreadable', decoder: reason }, cause: e });
  }
}

/** The size an image is shrunk to so that its longer side is at most `maxSize`; never enlarged. */
export function fitWithin(width: number, height: number, maxSize: number): { width: number; height: number } {
  const scale = Math.min(1, maxSize / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Shrinks by area averaging (each output pixel the mean of the source pixels it covers); never enlarges. */
export function shrinkRgba(src: RgbaImage, maxSize: number): RgbaImage {
  const { width: w, height: h } = fitWithin(src.width, src.height, maxSize);
  if (w === src.width && h === src.height) return src;
  const out = new Uint8Array(w * h * 4);
  const sum = new Float64Array(4);
  for (let y = 0; y < h; y++) {
    const y0 = Math.floor((y * src.height) / h);
    const y1 = Math.max(y0 + 1, Math.floor(((y + 1) * src.height) / h));
    for (let x = 0; x < w; x++) {
      const x0 = Math.floor((x * src.width) / w);
      const x1 = Math.max(x0 + 1, Math.floor(((x + 1) * src.width) / w));
      sum.fill(0);
      for (let sy = y0; sy < y1; sy++) {
        for (let sx = x0; sx < x1; sx++) {
          const i = (sy * src.width + sx) * 4;
          sum[0]! += src.data[i]!; sum[1]! += src.data[i + 1]!; sum[2]! += src.data[i + 2]!; sum[3]! += src.data[i + 3]!;
        }
      }
      const n = (y1 - y0) * (x1 - x0);
      const o = (y * w + x) * 4;
      for (let c = 0; c < 4; c++) out[o + c] = Math.round(sum[c]! / n);
    }
  }
  return { width: w, height: h, data: out };
}

export function encodePng(img: RgbaImage): Buffer {
  const png = new PNG({ width: img.width, height: img.height });
  png.data = Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  return PNG.sync.write(png);
}

/** A slide's thumbnail: decoded (first TIFF page), shrunk to `maxSize` on the longer side, as PNG. Throws 415. */
export function renderSlideThumbnail(format: SlideImageFormat, bytes: Buffer, maxSize: number): Buffer {
  return encodePng(shrinkRgba(decodeSlide(format, bytes), maxSize));
}

/**
 * What a browser shows in the viewer. PNG and JPEG: the original bytes (a browser draws them at full resolution).
 * TIFF, which browsers do not draw: the first page shrunk to `maxSize` and encoded as JPEG (quality 90; stained
 * tissue is photographic, a PNG of it would be several times larger). Throws 415.
 */
export function slidePreview(format: SlideImageFormat, bytes: Buffer, maxSize: number): { contentType: 'image/png' | 'image/jpeg'; bytes: Buffer; derived: boolean } {
  if (format === 'png') return { contentType: 'image/png', bytes, derived: false };
  if (format === 'jpeg') return { contentType: 'image/jpeg', bytes, derived: false };
  const img = shrinkRgba(decodeSlide(format, bytes), maxSize);
  // jpeg-js ignores alpha; a transparent TIFF background would turn black, so it is composed on white first.
  const rgba = Buffer.from(img.data);
  for (let i = 0; i < rgba.length; i += 4) {
    const a = rgba[i + 3]!;
    if (a === 255) continue;
    for (let c = 0; c < 3; c++) rgba[i + c] = Math.round((rgba[i + c]! * a + 255 * (255 - a)) / 255);
    rgba[i + 3] = 255;
  }
  return { contentType: 'image/jpeg', bytes: jpeg.encode({ width: img.width, height: img.height, data: rgba }, 90).data, derived: true };
}

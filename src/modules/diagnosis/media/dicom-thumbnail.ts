import { PNG } from 'pngjs';
import { readDicom, type DicomInstanceSummary, type ParsedDicom } from './dicom.js';
import { MediaError } from './media-error.js';

export interface ThumbnailOptions {
  /** The longer side of the thumbnail in pixels; smaller images are not enlarged. Default 256. */
  maxSize?: number;
  /** Which frame of a multi-frame image (0-based). Default: the middle frame. */
  frame?: number;
  /** Override the file's window (in modality units, e.g. HU for CT). */
  windowCenter?: number;
  windowWidth?: number;
}

export interface Thumbnail {
  png: Buffer;
  width: number;
  height: number;
  /** The window applied (file's, caller's, or the data's min/max). Null for colour images. */
  windowCenter: number | null;
  windowWidth: number | null;
}

/**
 * Draws a PNG thumbnail of a DICOM image with pngjs. Supports native little-endian pixel data: MONOCHROME1/2 with
 * 8 or 16 bits allocated, signed or unsigned, through the modality LUT (rescale slope/intercept) and a linear VOI
 * window (PS3.3 §C.11.2.1.2: the file's first window, else the data's min/max); and RGB with 8 bits. The image is
 * shrunk by area averaging to fit `maxSize`. Throws MediaError `dicom_unsupported_transfer_syntax` for compressed
 * data, `dicom_unsupported_pixel_format` or `dicom_no_pixel_data`.
 */
export function renderDicomThumbnail(input: Uint8Array | ArrayBuffer | ParsedDicom, options: ThumbnailOptions = {}): Buffer {
  return renderDicomThumbnailDetailed(input, options).png;
}

/** As renderDicomThumbnail, also returning the size and the window used. */
export function renderDicomThumbnailDetailed(
  input: Uint8Array | ArrayBuffer | ParsedDicom,
  options: ThumbnailOptions = {},
): Thumbnail {
  const parsed = 'summary' in input ? input : readDicom(input);
  const s = parsed.summary;
  const pixelData = parsed.dataset['PixelData'];
  if (!s.hasPixelData || pixelData === undefined) {
    throw new MediaError('dicom_no_pixel_data', 'DICOM 文件没有像素数据，无法生成缩略图', 'The DICOM file has no pixel data; no thumbnail can be drawn', {
      code: 'unsupported_media_type',
      path: 'PixelData',
    });
  }
  if (!s.transferSyntax.thumbnailSupported) {
    throw new MediaError(
      'dicom_unsupported_transfer_syntax',
      `像素数据为压缩格式（传输语法 ${s.transferSyntax.name}），服务器不生成缩略图；影像信息已读取，可在浏览器阅片器中查看`,
      `The pixel data is compressed (transfer syntax ${s.transferSyntax.name}); the server draws no thumbnail. The header was read and the image can be viewed in the web viewer`,
      { code: 'unsupported_media_type', path: 'TransferSyntaxUID' },
    );
  }
  const planar = Number(first(parsed.dataset['PlanarConfiguration']) ?? 0) === 1;
  const format = pixelFormat(s, planar);
  const frames = s.numberOfFrames;
  const frame = Math.min(Math.max(0, Math.trunc(options.frame ?? Math.floor((frames - 1) / 2))), frames - 1);
  const bytes = frameBytes(pixelData, s, format, frame);
  const maxSize = Math.max(1, Math.trunc(options.maxSize ?? 256));

  let gray: Uint8Array | null = null;
  let rgb: Uint8Array | null = null;
  let windowCenter: number | null = null;
  let windowWidth: number | null = null;
  if (format.kind === 'mono') {
    const values = modalityValues(bytes, s, format);
    const w = chooseWindow(values, s, options);
    windowCenter = w.center;
    windowWidth = w.width;
    gray = applyWindow(values, w.center, w.width, format.inverted);
  } else {
    rgb = interleavedRgb(bytes, format.planar, format.pixels);
  }
  const { width, height } = fitWithin(format.columns, format.rows, maxSize);
  const png = new PNG({ width, height, colorType: gray ? 0 : 2, inputColorType: 6, inputHasAlpha: true });
  const channels = gray ? 1 : 3;
  const src = gray ?? rgb!;
  const out = resampleArea(src, format.columns, format.rows, channels, width, height);
  for (let i = 0, n = width * height; i < n; i++) {
    const o = i * 4;
    if (channels === 1) {
      const g = out[i]!;
      png.data[o] = g;
      png.data[o + 1] = g;
      png.data[o + 2] = g;
    } else {
      png.data[o] = out[i * 3]!;
      png.data[o + 1] = out[i * 3 + 1]!;
      png.data[o + 2] = out[i * 3 + 2]!;
    }
    png.data[o + 3] = 255;
  }
  const buffer = PNG.sync.write(png, { colorType: gray ? 0 : 2, inputColorType: 6, inputHasAlpha: true });
  return { png: buffer, width, height, windowCenter, windowWidth };
}

type PixelFormat =
  | { kind: 'mono'; rows: number; columns: number; pixels: number; bitsAllocated: 8 | 16; bitsStored: number; signed: boolean; inverted: boolean }
  | { kind: 'rgb'; rows: number; columns: number; pixels: number; planar: boolean };

function pixelFormat(s: DicomInstanceSummary, planar: boolean): PixelFormat {
  const rows = s.rows ?? 0;
  const columns = s.columns ?? 0;
  const pi = s.photometricInterpretation ?? '';
  const unsupported = (why: string, whyEn: string) =>
    new MediaError('dicom_unsupported_pixel_format', `不支持的像素格式（${why}），无法生成缩略图`, `Unsupported pixel format (${whyEn}); no thumbnail can be drawn`, {
      code: 'unsupported_media_type',
      path: 'PhotometricInterpretation',
    });
  if (rows <= 0 || columns <= 0) throw unsupported('行数或列数缺失', 'rows or columns missing');
  if ((pi === 'MONOCHROME1' || pi === 'MONOCHROME2') && (s.samplesPerPixel ?? 1) === 1) {
    const bitsAllocated = s.bitsAllocated;
    if (bitsAllocated !== 8 && bitsAllocated !== 16) {
      throw unsupported(`分配位数 ${bitsAllocated ?? '缺失'}`, `bits allocated ${bitsAllocated ?? 'missing'}`);
    }
    const bitsStored = Math.min(s.bitsStored ?? bitsAllocated, bitsAllocated);
    return {
      kind: 'mono',
      rows,
      columns,
      pixels: rows * columns,
      bitsAllocated,
      bitsStored,
      signed: s.pixelRepresentation === 1,
      inverted: pi === 'MONOCHROME1',
    };
  }
  if (pi === 'RGB' && s.samplesPerPixel === 3 && s.bitsAllocated === 8) {
    return { kind: 'rgb', rows, columns, pixels: rows * columns, planar };
  }
  throw unsupported(
    `光度解释 ${pi || '缺失'}，每像素样本数 ${s.samplesPerPixel ?? '缺失'}，分配位数 ${s.bitsAllocated ?? '缺失'}`,
    `photometric interpretation ${pi || 'missing'}, samples per pixel ${s.samplesPerPixel ?? 'missing'}, bits allocated ${s.bitsAllocated ?? 'missing'}`,
  );
}

function first(v: unknown): unknown {
  return Array.isArray(v) ? v[0] : v;
}

/** The bytes of one frame. dcmjs gives native pixel data as one ArrayBuffer (sometimes split; then concatenated). */
function frameBytes(pixelData: unknown, s: DicomInstanceSummary, format: PixelFormat, frame: number): Uint8Array {
  const parts = (Array.isArray(pixelData) ? pixelData : [pixelData]).filter(
    (p): p is ArrayBuffer | ArrayBufferView => p instanceof ArrayBuffer || ArrayBuffer.isView(p),
  );
  const chunks = parts.map((p) => (p instanceof ArrayBuffer ? new Uint8Array(p) : new Uint8Array(p.buffer, p.byteOffset, p.byteLength)));
  const total = chunks.reduce((n, c) => n + c.length, 0);
  let all: Uint8Array;
  if (chunks.length === 1) all = chunks[0]!;
  else {
    all = new Uint8Array(total);
    let at = 0;
    for (const c of chunks) {
      all.set(c, at);
      at += c.length;
    }
  }
  const bytesPerPixel = format.kind === 'mono' ? format.bitsAllocated / 8 : 3;
  const frameSize = format.pixels * bytesPerPixel;
  const start = frame * frameSize;
  if (all.length < start + frameSize) {
    throw new MediaError(
      'dicom_unreadable',
      `像素数据长度不足：第 ${frame + 1} 帧需要 ${frameSize} 字节，文件只有 ${Math.max(0, all.length - start)} 字节（共 ${s.numberOfFrames} 帧）`,
      `Pixel data too short: frame ${frame + 1} needs ${frameSize} bytes, the file has ${Math.max(0, all.length - start)} (of ${s.numberOfFrames} frames)`,
      { path: 'PixelData' },
    );
  }
  return all.subarray(start, start + frameSize);
}

/** Stored values → modality values (PS3.3 §C.11.1), honouring bits stored and two's complement. */
function modalityValues(bytes: Uint8Array, s: DicomInstanceSummary, f: Extract<PixelFormat, { kind: 'mono' }>): Float32Array {
  const out = new Float32Array(f.pixels);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const mask = f.bitsStored >= 32 ? 0xffffffff : (1 << f.bitsStored) - 1;
  const signBit = 1 << (f.bitsStored - 1);
  const slope = s.rescaleSlope;
  const intercept = s.rescaleIntercept;
  for (let i = 0; i < f.pixels; i++) {
    let v = f.bitsAllocated === 16 ? view.getUint16(i * 2, true) : view.getUint8(i);
    v &= mask;
    if (f.signed && v & signBit) v -= 1 << f.bitsStored;
    out[i] = v * slope + intercept;
  }
  return out;
}

function chooseWindow(values: Float32Array, s: DicomInstanceSummary, o: ThumbnailOptions): { center: number; width: number } {
  if (o.windowCenter !== undefined && o.windowWidth !== undefined && o.windowWidth >= 1) {
    return { center: o.windowCenter, width: o.windowWidth };
  }
  if (s.windowCenter !== null && s.windowWidth !== null && s.windowWidth >= 1) {
    return { center: s.windowCenter, width: s.windowWidth };
  }
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!Number.isFinite(min)) return { center: 0, width: 1 };
  // A window of width (max − min + 1) centred so that min maps to black and max to white.
  return { center: (min + max + 1) / 2, width: Math.max(1, max - min + 1) };
}

/** The linear VOI function of PS3.3 §C.11.2.1.2.1 to 8 bits; MONOCHROME1 displays low values white. */
function applyWindow(values: Float32Array, center: number, width: number, inverted: boolean): Uint8Array {
  const out = new Uint8Array(values.length);
  const lo = center - 0.5 - (width - 1) / 2;
  const hi = center - 0.5 + (width - 1) / 2;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    let y: number;
    if (x <= lo) y = 0;
    else if (x > hi) y = 255;
    else y = ((x - (center - 0.5)) / Math.max(1, width - 1) + 0.5) * 255;
    y = Math.round(Math.min(255, Math.max(0, y)));
    out[i] = inverted ? 255 - y : y;
  }
  return out;
}

function interleavedRgb(bytes: Uint8Array, planar: boolean, pixels: number): Uint8Array {
  if (!planar) return bytes;
  const out = new Uint8Array(pixels * 3);
  for (let i = 0; i < pixels; i++) {
    out[i * 3] = bytes[i]!;
    out[i * 3 + 1] = bytes[pixels + i]!;
    out[i * 3 + 2] = bytes[2 * pixels + i]!;
  }
  return out;
}

/** The largest size with the same aspect ratio that fits in maxSize × maxSize, never larger than the source. */
export function fitWithin(width: number, height: number, maxSize: number): { width: number; height: number } {
  const scale = Math.min(1, maxSize / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Area-average (box) resampling: each output pixel is the mean of the source pixels it covers. */
function resampleArea(src: Uint8Array, sw: number, sh: number, channels: number, dw: number, dh: number): Uint8Array {
  if (sw === dw && sh === dh) return src;
  const out = new Uint8Array(dw * dh * channels);
  const sx = sw / dw;
  const sy = sh / dh;
  for (let y = 0; y < dh; y++) {
    const y0 = Math.floor(y * sy);
    const y1 = Math.max(y0 + 1, Math.min(sh, Math.floor((y + 1) * sy)));
    for (let x = 0; x < dw; x++) {
      const x0 = Math.floor(x * sx);
      const x1 = Math.max(x0 + 1, Math.min(sw, Math.floor((x + 1) * sx)));
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let yy = y0; yy < y1; yy++) {
          const row = yy * sw;
          for (let xx = x0; xx < x1; xx++) sum += src[(row + xx) * channels + c]!;
        }
        out[(y * dw + x) * channels + c] = Math.round(sum / ((y1 - y0) * (x1 - x0)));
      }
    }
  }
  return out;
}

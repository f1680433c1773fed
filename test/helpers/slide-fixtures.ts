import jpeg from 'jpeg-js';

/**
 * Tiny slide images for tests, written here so no binary fixture is checked in: a stained-tissue-like gradient as
 * RGBA, a JPEG of it (jpeg-js), and a baseline TIFF written by hand (TIFF 6.0 §2: header, one IFD a page, one strip of
 * uncompressed RGB each) — the TIFF writer can also claim another compression or a size it does not hold, to test
 * refusals without a large file.
 */
export function gradientRgba(width: number, height: number): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      data[i] = 200;
      data[i + 1] = Math.round((x / Math.max(1, width - 1)) * 255);
      data[i + 2] = Math.round((y / Math.max(1, height - 1)) * 255);
      data[i + 3] = 255;
    }
  }
  return data;
}

export function jpegSlide(width: number, height: number): Buffer {
  return jpeg.encode({ width, height, data: Buffer.from(gradientRgba(width, height)) }, 95).data;
}

export interface TiffPage {
  width: number;
  height: number;
  /** RGBA pixels of the page (alpha dropped: the file is RGB); omitted → the strip is empty (a header-only claim). */
  rgba?: Uint8Array;
  /** TIFF Compression (259); 1 = none. */
  compression?: number;
}

/** A little-endian baseline RGB TIFF with one IFD per page, chained in order. */
export function tiffSlide(pages: readonly TiffPage[]): Buffer {
  const entries = 10;
  const ifdSize = 2 + entries * 12 + 4;
  const chunks: Buffer[] = [];
  let offset = 8;
  const header = Buffer.alloc(8);
  header.write('II', 0, 'latin1');
  header.writeUInt16LE(42, 2);
  header.writeUInt32LE(offset, 4);
  chunks.push(header);
  pages.forEach((page, p) => {
    const rgb = Buffer.alloc(page.rgba ? page.width * page.height * 3 : 0);
    if (page.rgba) for (let i = 0, o = 0; i < page.rgba.length; i += 4, o += 3) { rgb[o] = page.rgba[i]!; rgb[o + 1] = page.rgba[i + 1]!; rgb[o + 2] = page.rgba[i + 2]!; }
    const ifdAt = offset;
    const bitsAt = ifdAt + ifdSize;
    const stripAt = bitsAt + 6;
    const next = p + 1 < pages.length ? stripAt + rgb.length + ((stripAt + rgb.length) % 2) : 0;
    const ifd = Buffer.alloc(ifdSize + 6);
    ifd.writeUInt16LE(entries, 0);
    const tags: [number, number, number, number][] = [
      [256, 4, 1, page.width], // ImageWidth LONG
      [257, 4, 1, page.height], // ImageLength LONG
      [258, 3, 3, bitsAt], // BitsPerSample 8,8,8 (offset: three SHORTs do not fit the entry)
      [259, 3, 1, page.compression ?? 1],
      [262, 3, 1, 2], // PhotometricInterpretation RGB
      [273, 4, 1, stripAt], // StripOffsets
      [277, 3, 1, 3], // SamplesPerPixel
      [278, 4, 1, page.height], // RowsPerStrip
      [279, 4, 1, rgb.length], // StripByteCounts
      [284, 3, 1, 1], // PlanarConfiguration chunky
    ];
    tags.forEach(([tag, type, count, value], k) => {
      const e = 2 + k * 12;
      ifd.writeUInt16LE(tag, e);
      ifd.writeUInt16LE(type, e + 2);
      ifd.writeUInt32LE(count, e + 4);
      if (type === 3 && count === 1) ifd.writeUInt16LE(value, e + 8);
      else ifd.writeUInt32LE(value, e + 8);
    });
    ifd.writeUInt32LE(next, 2 + entries * 12);
    for (let c = 0; c < 3; c++) ifd.writeUInt16LE(8, ifdSize + c * 2);
    chunks.push(ifd, rgb);
    offset = stripAt + rgb.length;
    if (next) {
      if (offset % 2) { chunks.push(Buffer.alloc(1)); offset += 1; }
    }
  });
  return Buffer.concat(chunks);
}

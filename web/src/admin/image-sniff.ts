import { crc32 } from 'node:zlib';

/** The raster types a product image may be; what the bytes are decides, never a name or a header. */
export const IMAGE_TYPES = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/avif': 'avif',
} as const;
export type ImageType = keyof typeof IMAGE_TYPES;

export type SniffResult =
  | { ok: true; type: ImageType; extension: (typeof IMAGE_TYPES)[ImageType] }
  | {
      ok: false;
      /** `unsupported`: not one of the four formats; `damaged`: one of them, but incomplete or malformed. */
      reason: 'empty' | 'unsupported' | 'damaged';
      message: string;
    };

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const ACCEPTED = 'a PNG, JPEG, WebP or AVIF image';

const ascii = (bytes: Buffer, start: number, length: number) =>
  bytes.toString('latin1', start, start + length);

function found(type: ImageType): SniffResult {
  return { ok: true, type, extension: IMAGE_TYPES[type] };
}

function damaged(format: string, why: string): SniffResult {
  return { ok: false, reason: 'damaged', message: `The file starts as a ${format} but ${why}` };
}

/**
 * PNG: the signature, IHDR first (13 bytes), every chunk whole with a matching CRC, and IEND last,
 * ending the file exactly (a truncated upload loses its IEND; bytes after it could hide a second format).
 */
function checkPng(bytes: Buffer): SniffResult {
  let offset = PNG_SIGNATURE.length;
  let first = true;
  while (offset + 12 <= bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = ascii(bytes, offset + 4, 4);
    const end = offset + 12 + length;
    if (length > 0x7fffffff || end > bytes.length)
      return damaged('PNG', `is cut off inside its ${type} chunk`);
    if (first && (type !== 'IHDR' || length !== 13)) return damaged('PNG', 'has no IHDR header chunk');
    const crc = bytes.readUInt32BE(end - 4);
    if (crc32(bytes.subarray(offset + 4, end - 4)) !== crc)
      return damaged('PNG', `has a corrupt ${type} chunk (CRC mismatch)`);
    if (type === 'IEND') {
      if (end !== bytes.length) return damaged('PNG', 'has bytes after its IEND chunk');
      return found('image/png');
    }
    first = false;
    offset = end;
  }
  return damaged('PNG', 'is cut off (no IEND chunk)');
}

/** JPEG: SOI then a marker at the start, EOI at the very end (a truncated upload loses it). */
function checkJpeg(bytes: Buffer): SniffResult {
  const n = bytes.length;
  if (n < 4 || bytes[n - 2] !== 0xff || bytes[n - 1] !== 0xd9)
    return damaged('JPEG', 'is cut off (it does not end with the EOI marker)');
  return found('image/jpeg');
}

/** WebP: RIFF whose declared size is the file's, form type WEBP, then a VP8, VP8L or VP8X chunk. */
function checkWebp(bytes: Buffer): SniffResult {
  if (bytes.length < 16) return damaged('WebP', 'is cut off');
  const declared = bytes.readUInt32LE(4) + 8;
  if (declared !== bytes.length)
    return damaged('WebP', `is ${bytes.length} bytes where its header says ${declared}`);
  if (!['VP8 ', 'VP8L', 'VP8X'].includes(ascii(bytes, 12, 4)))
    return damaged('WebP', 'has no VP8, VP8L or VP8X chunk');
  return found('image/webp');
}

/** The top-level boxes of an ISO BMFF file; null when one runs past the end (truncated). */
function topLevelBoxes(bytes: Buffer): { type: string; start: number; end: number }[] | null {
  const boxes: { type: string; start: number; end: number }[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + 8 > bytes.length) return null;
    let size = bytes.readUInt32BE(offset);
    const type = ascii(bytes, offset + 4, 4);
    if (size === 1) {
      if (offset + 16 > bytes.length) return null;
      const large = bytes.readBigUInt64BE(offset + 8);
      if (large > BigInt(bytes.length)) return null;
      size = Number(large);
    } else if (size === 0) size = bytes.length - offset;
    if (size < 8 || offset + size > bytes.length) return null;
    boxes.push({ type, start: offset, end: offset + size });
    offset += size;
  }
  return boxes;
}

/** AVIF: an `ftyp` box naming `avif` or `avis` (major or compatible brand), every box whole, a `meta` box. */
function checkAvif(bytes: Buffer): SniffResult | null {
  const ftypSize = bytes.readUInt32BE(0);
  if (ftypSize < 16 || ftypSize > bytes.length) return null;
  const brands: string[] = [];
  for (let at = 8; at + 4 <= ftypSize; at += at === 8 ? 8 : 4) brands.push(ascii(bytes, at, 4));
  if (!brands.some((brand) => brand === 'avif' || brand === 'avis')) return null;
  const boxes = topLevelBoxes(bytes);
  if (!boxes) return damaged('AVIF', 'is cut off inside a box');
  if (!boxes.some((box) => box.type === 'meta')) return damaged('AVIF', 'has no meta box');
  return found('image/avif');
}

/** A short name for what a refused file looks like, so the answer can say what was sent. */
function describe(bytes: Buffer): string {
  const head = bytes
    .subarray(0, 512)
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
  if (/^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!doctype svg|<svg)/.test(head)) return 'an SVG document';
  if (/^(<!doctype html|<html|<head|<body|<script)/.test(head)) return 'an HTML document';
  if (head.startsWith('<')) return 'an XML or HTML document';
  if (ascii(bytes, 0, 4) === 'GIF8') return 'a GIF image';
  if (ascii(bytes, 0, 5) === '%PDF-') return 'a PDF document';
  return 'not a recognised image';
}

/** Which of the accepted image types these bytes are, checked whole (a truncated file is refused). */
export function sniffImage(bytes: Buffer): SniffResult {
  if (bytes.length === 0) return { ok: false, reason: 'empty', message: 'The file is empty' };
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return checkPng(bytes);
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff)
    return checkJpeg(bytes);
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP')
    return checkWebp(bytes);
  if (bytes.length >= 16 && ascii(bytes, 4, 4) === 'ftyp') {
    const avif = checkAvif(bytes);
    if (avif) return avif;
  }
  return {
    ok: false,
    reason: 'unsupported',
    message: `The file is ${describe(bytes)}; only ${ACCEPTED} is accepted (recognised by its content, not its name or type)`,
  };
}

import { describe, expect, it } from 'vitest';
import { avif, HTML, jpeg, png, SVG, webp } from '../../test/image-files';
import { sniffImage } from './image-sniff';

describe('sniffImage', () => {
  it.each([
    ['a PNG', png(), 'image/png', 'png'],
    ['a JPEG', jpeg(), 'image/jpeg', 'jpg'],
    ['a WebP', webp(), 'image/webp', 'webp'],
    ['an AVIF', avif(), 'image/avif', 'avif'],
    ['an AVIF sequence (avis)', avif('avis'), 'image/avif', 'avif'],
  ])('given %s, it names its type and extension', (_name, bytes, type, extension) => {
    expect(sniffImage(bytes)).toEqual({ ok: true, type, extension });
  });

  it.each([
    ['an SVG', SVG, /an SVG document/],
    [
      'an SVG with an XML declaration and a comment',
      Buffer.from(`<?xml version="1.0"?>\n<!-- x -->\n${SVG}`),
      /an SVG document/,
    ],
    ['an SVG behind a byte-order mark and blanks', Buffer.from(`\uFEFF  \n${SVG}`), /an SVG document/],
    ['an HTML page', HTML, /an HTML document/],
    ['a GIF', Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'), /a GIF image/],
    ['plain text', Buffer.from('hello, world'), /not a recognised image/],
    [
      'an MP4 (ftyp, but no AVIF brand)',
      Buffer.from('\0\0\0\x18ftypisom\0\0\0\0isommp41', 'latin1'),
      /not a recognised/,
    ],
  ])('given %s, it refuses it as unsupported, saying what it is', (_name, bytes, message) => {
    const result = sniffImage(bytes);
    expect(result).toMatchObject({ ok: false, reason: 'unsupported' });
    expect(result.ok || result.message).toMatch(message);
  });

  it('given nothing, it refuses an empty file', () => {
    expect(sniffImage(Buffer.alloc(0))).toMatchObject({ ok: false, reason: 'empty' });
  });

  const whole = png();
  const flipped = Buffer.from(whole);
  flipped[45] = (flipped[45] ?? 0) ^ 0xff;
  it.each([
    ['cut off before IEND', whole.subarray(0, whole.length - 12), /no IEND/],
    ['cut off inside a chunk', whole.subarray(0, 48), /cut off inside its IDAT chunk/],
    ['with its last byte missing', whole.subarray(0, whole.length - 1), /cut off|no IEND/],
    ['with bytes after IEND (a polyglot)', Buffer.concat([whole, HTML]), /after its IEND/],
    ['with a flipped byte in IDAT', flipped, /CRC mismatch/],
    ['with IDAT before IHDR', Buffer.concat([whole.subarray(0, 8), whole.subarray(33)]), /no IHDR/],
    ['as a bare signature', whole.subarray(0, 8), /no IEND/],
  ])('given a PNG %s, it refuses it as damaged', (_name, bytes, message) => {
    const result = sniffImage(bytes);
    expect(result).toMatchObject({ ok: false, reason: 'damaged' });
    expect(result.ok || result.message).toMatch(message);
  });

  it('given a JPEG without its EOI (truncated), it refuses it as damaged', () => {
    const whole = jpeg();
    expect(sniffImage(whole.subarray(0, whole.length - 1))).toMatchObject({ ok: false, reason: 'damaged' });
  });

  it('given a WebP shorter or longer than its RIFF header says, it refuses it as damaged', () => {
    const whole = webp();
    expect(sniffImage(whole.subarray(0, whole.length - 2))).toMatchObject({ ok: false, reason: 'damaged' });
    expect(sniffImage(Buffer.concat([whole, SVG]))).toMatchObject({ ok: false, reason: 'damaged' });
  });

  it('given an AVIF cut inside a box or without meta, it refuses it as damaged', () => {
    const whole = avif();
    expect(sniffImage(whole.subarray(0, whole.length - 3))).toMatchObject({ ok: false, reason: 'damaged' });
    const noMeta = Buffer.concat([whole.subarray(0, 24), whole.subarray(36)]);
    expect(sniffImage(noMeta)).toMatchObject({ ok: false, reason: 'damaged', message: /no meta box/ });
  });

  it('given a PNG padded to 5 MB, it still checks it whole', () => {
    expect(sniffImage(png(2, 2, 5 * 1024 * 1024 - 200))).toMatchObject({ ok: true, type: 'image/png' });
  });
});

import { describe, expect, it } from 'vitest';
import { entityTags, isNotModified, servableType } from './policy';

describe('servableType', () => {
  it.each([
    ['products/x/a.png', 'image/png', 'image/png'],
    ['products/x/a.jpg', 'IMAGE/JPEG; charset=binary', 'image/jpeg'],
    ['products/x/a.webp', 'image/webp', 'image/webp'],
    ['products/x/a.avif', 'image/avif', 'image/avif'],
    ['demo/teapot.svg', 'image/svg+xml', 'image/svg+xml'],
  ])('given %s stored as %s, it serves it as %s', (name, stored, served) => {
    expect(servableType(name, stored)).toBe(served);
  });

  it.each([
    ['an SVG outside the demo folder', 'products/x/a.svg', 'image/svg+xml'],
    ['an SVG in a folder that only starts like demo', 'demonstration/a.svg', 'image/svg+xml'],
    ['HTML', 'products/x/a.png', 'text/html'],
    ['an untyped blob', 'products/x/a.png', 'application/octet-stream'],
    ['a blob without a type', 'products/x/a.png', undefined],
    ['a GIF', 'products/x/a.gif', 'image/gif'],
  ])('given %s, it refuses it', (_name, name, stored) => {
    expect(servableType(name, stored)).toBeNull();
  });
});

describe('If-None-Match', () => {
  it('given a list with weak and strong tags, it compares their values', () => {
    expect(entityTags('W/"a", "b" ,"c"')).toEqual(['"a"', '"b"', '"c"']);
    expect(isNotModified('W/"0x8D1"', '"0x8D1"')).toBe(true);
    expect(isNotModified('"x", "0x8D1"', '"0x8D1"')).toBe(true);
    expect(isNotModified('*', '"0x8D1"')).toBe(true);
  });

  it('given no header, another tag or no stored tag, the image is sent', () => {
    expect(isNotModified(undefined, '"0x8D1"')).toBe(false);
    expect(isNotModified('"0x8D2"', '"0x8D1"')).toBe(false);
    expect(isNotModified('"0x8D1"', undefined)).toBe(false);
    expect(isNotModified('0x8D1', '"0x8D1"')).toBe(false);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeReturnTo } from './return-to';

const BASE = 'https://shop.example';

/**
 * The usual open-redirect payload classes (after OWASP's and PayloadsAllTheThings' lists): scheme and
 * protocol-relative URLs, extra slashes, backslashes, tabs and newlines browsers drop, encoded forms,
 * userinfo tricks, dotted and numeric hosts, javascript: URLs and look-alike unicode.
 */
const HOSTS = [
  'evil.example',
  'shop.example@evil.example',
  '0xd8.0x3a.0xd6.0xce',
  '3627734734',
  '[::ffff:216.58.214.206]',
];
const PREFIXES = [
  '//',
  '///',
  '////',
  'https://',
  'http:',
  'https:',
  '/https://',
  '//https://',
  '/%09/',
  '//%09/',
  '/%5c',
  '//%5c',
  '/\\',
  '\\/\\/',
  '/\t/',
  '/\n/',
  '/\r\n/',
  '/%0d%0a/',
  '/%2f',
  '/%252f/',
  '/%2509/',
  '%2f%2f',
  ' //',
  '\u0000//',
  '/\u3000/',
  '/\u200b/',
  '<>//',
];
const PAYLOADS = [
  ...PREFIXES.flatMap((prefix) => HOSTS.map((host) => `${prefix}${host}`)),
  'javascript:alert(1)',
  '/%09/javascript:alert(1)',
  'java%0d%0ascript%0d%0a:alert(0)',
  '%68%74%74%70%3a%2f%2f%65%76%69%6c%2e%65%78%61%6d%70%6c%65',
  '//evil%E3%80%82example',
  '//evil%00.example',
  'http://evil.example:80#@shop.example/',
  'https://:@evil.example\\@shop.example',
  'data:text/html,<script>alert(1)</script>',
  '/.//evil.example',
  '/a/..//evil.example',
  '/%2e//evil.example',
  '/%E0%A4%A',
];

/** Where a browser ends up: it drops tabs and newlines, reads backslashes as slashes, then resolves. */
function browserTarget(location: string): URL {
  return new URL(location.replace(/[\t\n\r]/g, '').replace(/\\/g, '/'), BASE);
}

describe('safeReturnTo', () => {
  it.each(['/', '/products/a?b=1#c', '/orders', '/categories/lamps?page=2', '/search?q=%2F%2Fx'])(
    'keeps the local path %s',
    (path) => {
      expect(safeReturnTo(path, BASE)).toBe(path);
    },
  );

  it.each(PAYLOADS.map((payload) => [payload]))('never leaves the site for %j', (payload) => {
    const kept = safeReturnTo(payload, BASE);
    expect(browserTarget(kept).origin).toBe(BASE);
    expect(kept).toMatch(/^\/(?!\/)/);
  });

  it('falls back to / for the tab trick of the report, control characters and non-strings', () => {
    for (const value of [
      '/%09/evil.example',
      '/\t/evil.example',
      '/a\u0000b',
      '',
      undefined,
      ['/a', '/b'],
      42,
    ])
      expect(safeReturnTo(value, BASE)).toBe('/');
  });

  it('keeps any string it is given on the site, as a browser would read it (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.webUrl(), fc.webPath()),
        (value) => {
          const kept = safeReturnTo(value, BASE);
          expect(browserTarget(kept).origin).toBe(BASE);
          expect(kept.startsWith('/') && !kept.startsWith('//')).toBe(true);
        },
      ),
      { numRuns: 5000 },
    );
  });
});

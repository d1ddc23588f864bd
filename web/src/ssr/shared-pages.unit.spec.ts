import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { personalise, SLOT_VALUES, sharedPage, sharedPageUrl } from './shared-pages';

describe('shared pages', () => {
  it('puts each response’s nonce and CSRF token wherever the stand-ins were rendered', () => {
    const { nonce, csrfToken } = SLOT_VALUES;
    const html = `<script nonce="${nonce}"></script><input value="${csrfToken}"><p>{"t":"${csrfToken}"}</p><script nonce="${nonce}">`;
    const page = sharedPage(html);
    expect(page.slots).toEqual(['nonce', 'csrfToken', 'csrfToken', 'nonce']);
    expect(personalise(page, { nonce: 'N1', csrfToken: 'T1' })).toBe(
      '<script nonce="N1"></script><input value="T1"><p>{"t":"T1"}</p><script nonce="N1">',
    );
    expect(personalise(page, { nonce: 'N2', csrfToken: 'T2' })).toContain('nonce="N2"');
  });

  it('leaves a page without stand-ins as it is', () => {
    expect(personalise(sharedPage('<p>plain</p>'), { nonce: 'N', csrfToken: 'T' })).toBe('<p>plain</p>');
  });

  it('uses stand-ins that HTML and JSON escaping leave unchanged', () => {
    for (const value of Object.values(SLOT_VALUES)) expect(value).toMatch(/^[a-z0-9]+$/);
  });
});

describe('sharedPageUrl', () => {
  it('keeps only the path and the parameters that change the page, in a fixed order', () => {
    expect(sharedPageUrl('/c/chairs', { utm_source: 'x', offset: 24 })).toBe('/c/chairs?offset=24');
    expect(sharedPageUrl('/products/p1', { added: 2, offset: 0 })).toBe('/products/p1?offset=0&added=2');
    expect(sharedPageUrl('/', {})).toBe('/');
  });

  it('gives 1,000 random query strings one key', () => {
    const keys = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const query = Object.fromEntries(
        new URLSearchParams(`${randomBytes(6).toString('hex')}=${i}&_=${Math.random()}`),
      );
      keys.add(sharedPageUrl('/', query));
    }
    expect([...keys]).toEqual(['/']);
  });
});

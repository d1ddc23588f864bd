import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { personalise, SLOT_VALUES, shapeOf, sharedPage, sharedPageUrl } from './shared-pages';

const SAM = { sub: 'u-sam', name: "Sam <O'Neil> & Co", roles: [] };

/** What the root loader gives Sam, signed in with 3 items in the cart. */
const samRoot = (csrfToken: string) => ({ session: { user: SAM, csrfToken }, cartCount: 3 });

describe('shared pages', () => {
  it('puts each response’s nonce and CSRF token wherever the stand-ins were rendered', () => {
    const { nonce, csrfToken } = SLOT_VALUES;
    const html = `<script nonce="${nonce}"></script><input value="${csrfToken}"><p>{"t":"${csrfToken}"}</p><script nonce="${nonce}">`;
    const page = sharedPage(html);
    expect(page.slots).toEqual(['nonce', 'csrfToken', 'csrfToken', 'nonce']);
    expect(personalise(page, { nonce: 'N1', root: samRoot('T1') }).toString()).toBe(
      '<script nonce="N1"></script><input value="T1"><p>{"t":"T1"}</p><script nonce="N1">',
    );
    expect(personalise(page, { nonce: 'N2', root: samRoot('T2') }).toString()).toContain('nonce="N2"');
  });

  it('puts in the shopper’s name (escaped as HTML), cart count and label, and root data (as safe JSON)', () => {
    const { userName, cartCount, cartLabel, rootData } = SLOT_VALUES;
    const page = sharedPage(
      `<a aria-label="${cartLabel}">Cart<span>${cartCount}</span></a><span>${userName}</span>` +
        `<p>View cart (${cartCount})</p><script type="application/json">{"root":${rootData},"x":1}</script>`,
    );
    expect(page.slots).toEqual(['cartLabel', 'cartCount', 'userName', 'cartCount', 'rootData']);
    const html = personalise(page, { nonce: 'N', root: samRoot('T') }).toString();
    expect(html).toContain('<a aria-label="Cart, 3 items">Cart<span>3</span></a>');
    expect(html).toContain('<span>Sam &lt;O&#x27;Neil&gt; &amp; Co</span><p>View cart (3)</p>');
    const json = /application\/json">(.*)<\/script>/.exec(html)?.[1] ?? '';
    expect(json).not.toMatch(/[<>&]/);
    expect(JSON.parse(json)).toEqual({ root: samRoot('T'), x: 1 });
    expect(personalise(page, { nonce: 'N', root: { ...samRoot('T'), cartCount: 1 } }).toString()).toContain(
      'aria-label="Cart, 1 item"',
    );
  });

  it('fills a page of multi-byte text with multi-byte values to the exact byte', () => {
    const { userName, csrfToken } = SLOT_VALUES;
    const page = sharedPage(`<h1>Théière 🍵</h1><span>${userName}</span>—<i>${csrfToken}</i>ü`);
    const root = { session: { user: { ...SAM, name: 'Zoë 🌿' }, csrfToken: 'ü1' }, cartCount: 0 };
    const html = personalise(page, { nonce: 'N', root });
    expect(html.toString()).toBe('<h1>Théière 🍵</h1><span>Zoë 🌿</span>—<i>ü1</i>ü');
    expect(html.length).toBe(Buffer.byteLength(html.toString()));
  });

  it('gives each response a new idempotency key, the same wherever the page names it', () => {
    const { idempotencyKey } = SLOT_VALUES;
    const page = sharedPage(`<input value="${idempotencyKey}"><script>{"key":"${idempotencyKey}"}</script>`);
    const keys = [1, 2].map((_) => {
      const html = personalise(page, { nonce: 'N', root: samRoot('T') }).toString();
      const [first, second] = [...html.matchAll(/[0-9a-f]{8}-[0-9a-f-]{27}/g)].map((match) => match[0]);
      expect(first).toBe(second);
      return first;
    });
    expect(keys[0]).not.toBe(keys[1]);
  });

  it('writes pages of many responses into their own bytes (one slab, no overlap)', () => {
    const page = sharedPage(`<p>${'x'.repeat(20_000)}</p><i>${SLOT_VALUES.csrfToken}</i>`);
    const pages = ['A', 'B', 'C', 'D', 'E'].map((token) =>
      personalise(page, { nonce: 'N', root: samRoot(token) }),
    );
    expect(pages.map((html) => html.toString().slice(-8))).toEqual([
      '<i>A</i>',
      '<i>B</i>',
      '<i>C</i>',
      '<i>D</i>',
      '<i>E</i>',
    ]);
  });

  it('leaves a page without stand-ins as it is', () => {
    expect(personalise(sharedPage('<p>plain</p>'), { nonce: 'N', root: samRoot('T') }).toString()).toBe(
      '<p>plain</p>',
    );
  });

  it('uses stand-ins that HTML and JSON escaping leave unchanged', () => {
    const { rootData, cartLabel, ...plain } = SLOT_VALUES;
    for (const value of Object.values(plain)) expect(value).toMatch(/^[a-z0-9]+$/);
    expect(cartLabel).toMatch(/^Cart, [0-9]+ items$/);
    expect(rootData).toMatch(/^"[a-z0-9]+"$/);
  });
});

describe('shapeOf', () => {
  it('tells visitors, shoppers and admins apart, whatever the order of the roles', () => {
    expect(shapeOf(null)).toBe('visitor');
    expect(shapeOf(SAM)).toBe('user:');
    expect(shapeOf({ ...SAM, roles: ['b', 'admin'] })).toBe(shapeOf({ ...SAM, roles: ['admin', 'b'] }));
    expect(shapeOf({ ...SAM, roles: ['admin'] })).not.toBe(shapeOf(SAM));
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

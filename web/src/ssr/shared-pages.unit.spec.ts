import { describe, expect, it } from 'vitest';
import { personalise, SLOT_VALUES, sharedPage } from './shared-pages';

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

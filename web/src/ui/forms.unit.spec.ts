import { describe, expect, it } from 'vitest';
import { formQuantity, formText } from './forms';

function form(entries: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(entries)) data.set(name, value);
  return data;
}

describe('formText', () => {
  it('trims what was typed and answers empty for a missing field', () => {
    expect(formText(form({ city: '  Lyon ' }), 'city')).toBe('Lyon');
    expect(formText(form({}), 'city')).toBe('');
  });
});

describe('formQuantity', () => {
  it('accepts whole numbers within the bounds', () => {
    expect(formQuantity(form({ qty: '3' }), 'qty', 1, 1000)).toBe(3);
    expect(formQuantity(form({ qty: '0' }), 'qty', 0, 1000)).toBe(0);
  });

  it('refuses anything else', () => {
    for (const qty of ['', '0', '1001', '2.5', '-1', '1e3', 'two'])
      expect(formQuantity(form({ qty }), 'qty', 1, 1000)).toBeNull();
  });
});

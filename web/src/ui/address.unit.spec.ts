import { describe, expect, it } from 'vitest';
import { addressErrors, addressFromForm, countryName } from './address';

function form(entries: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(entries)) data.set(name, value);
  return data;
}

const GOOD = {
  name: 'Ada Lovelace',
  line1: '12 St James’s Sq',
  city: 'London',
  postcode: 'SW1Y 4JH',
  country: 'GB',
};

describe('addressFromForm', () => {
  it('reads the fields, trimmed, and leaves an empty second line out', () => {
    expect(addressFromForm(form({ ...GOOD, name: ' Ada Lovelace ', line2: ' ' }))).toEqual(GOOD);
    expect(addressFromForm(form({ ...GOOD, line2: 'Flat 2' })).line2).toBe('Flat 2');
  });
});

describe('addressErrors', () => {
  it('has nothing to say about a complete address', () => {
    expect(addressErrors(GOOD)).toEqual({});
  });

  it('names every missing field and an unknown country', () => {
    const errors = addressErrors({ name: '', line1: '', city: '', postcode: '', country: 'XX' });
    expect(Object.keys(errors).sort()).toEqual(['city', 'country', 'line1', 'name', 'postcode']);
  });
});

describe('countryName', () => {
  it('names known countries and shows other codes as they are', () => {
    expect(countryName('DE')).toBe('Germany');
    expect(countryName('ZZ')).toBe('ZZ');
  });
});

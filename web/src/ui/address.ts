import type { AddressInput, FieldErrors } from './data';
import { formText } from './forms';

/** Countries we deliver to (ISO 3166-1 alpha-2), as the select offers them. */
export const COUNTRIES: ReadonlyArray<{ code: string; name: string }> = [
  { code: 'AT', name: 'Austria' },
  { code: 'BE', name: 'Belgium' },
  { code: 'DK', name: 'Denmark' },
  { code: 'FI', name: 'Finland' },
  { code: 'FR', name: 'France' },
  { code: 'DE', name: 'Germany' },
  { code: 'IE', name: 'Ireland' },
  { code: 'IT', name: 'Italy' },
  { code: 'LU', name: 'Luxembourg' },
  { code: 'NL', name: 'Netherlands' },
  { code: 'NO', name: 'Norway' },
  { code: 'PL', name: 'Poland' },
  { code: 'PT', name: 'Portugal' },
  { code: 'ES', name: 'Spain' },
  { code: 'SE', name: 'Sweden' },
  { code: 'CH', name: 'Switzerland' },
  { code: 'GB', name: 'United Kingdom' },
  { code: 'US', name: 'United States' },
];

export function countryName(code: string): string {
  return COUNTRIES.find((country) => country.code === code)?.name ?? code;
}

/** The address fields of a submitted checkout form, trimmed; an empty line2 is left out. */
export function addressFromForm(form: FormData): AddressInput {
  const line2 = formText(form, 'line2');
  return {
    name: formText(form, 'name'),
    line1: formText(form, 'line1'),
    ...(line2 && { line2 }),
    city: formText(form, 'city'),
    postcode: formText(form, 'postcode'),
    country: formText(form, 'country').toUpperCase(),
  };
}

const REQUIRED: ReadonlyArray<[keyof AddressInput, string]> = [
  ['name', 'Enter the name to deliver to.'],
  ['line1', 'Enter the street and number.'],
  ['city', 'Enter the town or city.'],
  ['postcode', 'Enter the postcode.'],
];

/**
 * What the page can tell before asking the server: missing fields and a country we do not deliver
 * to. The server validates again (and more); its field errors are shown the same way.
 */
export function addressErrors(address: AddressInput): FieldErrors {
  const errors: FieldErrors = {};
  for (const [field, message] of REQUIRED) if (!address[field]) errors[field] = message;
  if (!COUNTRIES.some((country) => country.code === address.country)) errors.country = 'Choose a country.';
  return errors;
}

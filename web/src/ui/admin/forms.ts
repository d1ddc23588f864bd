import type { Fields } from '../forms';
import { formText } from '../forms';

/**
 * A price typed as an admin writes it ("49", "49.9", "49.90") in minor units, or null when it is not
 * one: the API takes minor units, people do not.
 */
export function priceToMinorUnits(text: string): number | null {
  const match = /^(\d{1,6})(?:[.,](\d{1,2}))?$/.exec(text.trim());
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

export function minorUnitsToPrice(amount: number): string {
  return `${Math.floor(amount / 100)}.${String(amount % 100).padStart(2, '0')}`;
}

/** An optional whole number field: undefined when empty, NaN (refused by the schema) when not a number. */
export function optionalInteger(form: Fields, name: string): number | undefined {
  const text = formText(form, name);
  if (text === '') return undefined;
  return /^\d+$/.test(text) ? Number(text) : Number.NaN;
}

/** The version a form was based on (a hidden field); 0 when missing, which the server then refuses as stale. */
export function formVersion(form: Fields): number {
  const text = formText(form, 'version');
  return /^\d+$/.test(text) ? Number(text) : 0;
}

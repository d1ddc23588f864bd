/** Names of the fields every page form carries. */
export const CSRF_FIELD = '_csrf';
export const INTENT_FIELD = 'intent';

/** Submitted fields: a form's FormData, or the URLSearchParams of a query. */
export interface Fields {
  get(name: string): unknown;
}

/** A text field of a submitted form, trimmed; '' when missing or a file. */
export function formText(form: Fields, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value.trim() : '';
}

/** A quantity field as a whole number within [min, max], or null when it is not one. */
export function formQuantity(form: Fields, name: string, min: number, max: number): number | null {
  const text = formText(form, name);
  if (!/^\d+$/.test(text)) return null;
  const qty = Number(text);
  return qty >= min && qty <= max ? qty : null;
}

/** Quantities the cart API accepts on one line. */
export const MAX_QTY = 1000;

import type { FieldProblem } from '../forms/field-errors';

/** A card as the payment form sends it, checked and normalised. */
export interface Card {
  /** Digits only. */
  number: string;
  expiryMonth: number;
  /** Four digits. */
  expiryYear: number;
  cvc: string;
}

export function digitsOnly(cardNumber: string): string {
  return cardNumber.replace(/\s+/g, '');
}

/** The Luhn checksum every card number carries (ISO/IEC 7812). */
export function passesLuhn(digits: string): boolean {
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** `MM/YY` → month and four-digit year, or null. */
export function parseExpiry(expiry: string): { month: number; year: number } | null {
  const match = /^(0[1-9]|1[0-2])\/(\d{2})$/.exec(expiry.trim());
  if (!match) return null;
  return { month: Number(match[1]), year: 2000 + Number(match[2]) };
}

/** A card is good through the last day of its expiry month (UTC). */
export function isExpired(expiry: { month: number; year: number }, now: Date): boolean {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth() + 1;
  return expiry.year < year || (expiry.year === year && expiry.month < month);
}

export type CardCheck = { ok: true; card: Card } | { ok: false; problems: FieldProblem[] };

/** Checks what any provider would refuse: the Luhn digit, an expired or malformed date, the CVC. */
export function checkCard(input: { cardNumber: string; expiry: string; cvc: string }, now: Date): CardCheck {
  const problems: FieldProblem[] = [];
  const number = digitsOnly(input.cardNumber);
  if (!passesLuhn(number)) problems.push({ path: '/cardNumber', message: 'Not a valid card number' });
  const expiry = parseExpiry(input.expiry);
  if (!expiry) problems.push({ path: '/expiry', message: 'Use MM/YY' });
  else if (isExpired(expiry, now)) problems.push({ path: '/expiry', message: 'The card has expired' });
  if (!/^\d{3,4}$/.test(input.cvc)) problems.push({ path: '/cvc', message: '3 or 4 digits' });
  if (problems.length > 0 || !expiry) return { ok: false, problems };
  return { ok: true, card: { number, expiryMonth: expiry.month, expiryYear: expiry.year, cvc: input.cvc } };
}

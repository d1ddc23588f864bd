/** Formats a price held in minor units, using the currency's own number of decimals. */
export function formatPrice(price: { amount: number; currency: string }, locale = 'en-GB'): string {
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency: price.currency });
  const decimals = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(price.amount / 10 ** decimals);
}

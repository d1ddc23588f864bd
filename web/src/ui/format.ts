// Building a NumberFormat costs far more than using one: keep one per locale and currency.
const priceFormats = new Map<string, { format: Intl.NumberFormat; scale: number }>();

function priceFormat(locale: string, currency: string) {
  const key = `${locale}:${currency}`;
  let entry = priceFormats.get(key);
  if (!entry) {
    const format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    entry = { format, scale: 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2) };
    priceFormats.set(key, entry);
  }
  return entry;
}

/** Formats a price held in minor units, using the currency's own number of decimals. */
export function formatPrice(price: { amount: number; currency: string }, locale = 'en-GB'): string {
  const { format, scale } = priceFormat(locale, price.currency);
  return format.format(price.amount / scale);
}

// A fixed locale and time zone: the server and the browser's first render print the same text.
const DATE_TIME = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZone: 'UTC',
});

/** `3 Mar 2025, 14:05 UTC`; an unparsable time is shown as it came. */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${DATE_TIME.format(date)} UTC`;
}

/** Time left as `m:ss` (or `h:mm:ss` from an hour on); nothing left is `0:00`. */
export function formatCountdown(remainingMs: number): string {
  const totalSeconds = Math.max(0, Math.ceil(remainingMs / 1000));
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = String(totalSeconds % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${seconds}` : `${minutes}:${seconds}`;
}

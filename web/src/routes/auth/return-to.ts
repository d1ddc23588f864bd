/** Longest return path kept; longer ones are not a page of this shop. */
const MAX_LENGTH = 2000;

/** Control characters (browsers drop tabs and newlines from URLs), white space and backslashes. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what it finds
const UNSAFE = /[\u0000-\u0020\u007f-\u009f\\\u2028\u2029\u00a0\u1680\u2000-\u200f\u205f\u3000\ufeff]/;

/** The value and what it turns into when decoded once or twice more (proxies and browsers may). */
function decodings(value: string): string[] | undefined {
  const forms = [value];
  for (let i = 0; i < 2; i++) {
    const previous = forms[forms.length - 1] as string;
    let next: string;
    try {
      next = decodeURIComponent(previous);
    } catch {
      return undefined; // a malformed escape is no path of ours
    }
    if (next === previous) break;
    forms.push(next);
  }
  return forms;
}

/**
 * A path on this site to return to after sign-in, or `/`. Decided by parsing the value against the
 * base URL and keeping it only when it stays on the same origin; before that, any control character,
 * white space or backslash, in the value or in what it decodes to, refuses it (`/%09/evil.example`
 * would otherwise become `//evil.example` in a browser), and so does anything not starting with a
 * single `/`.
 */
export function safeReturnTo(value: unknown, baseUrl: string): string {
  if (typeof value !== 'string' || value.length > MAX_LENGTH) return '/';
  const forms = decodings(value);
  if (!forms) return '/';
  for (const form of forms) {
    if (UNSAFE.test(form) || !form.startsWith('/') || form.startsWith('//')) return '/';
  }
  let url: URL;
  try {
    url = new URL(value, baseUrl);
  } catch {
    return '/';
  }
  if (url.origin !== new URL(baseUrl).origin) return '/';
  // Dot segments are resolved here: `/.//evil.example` has the path `//evil.example`, which a
  // browser would read as another host.
  const path = `${url.pathname}${url.search}${url.hash}`;
  return path.startsWith('//') ? '/' : path;
}

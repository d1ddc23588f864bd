/** Methods that change nothing (RFC 9110 §9.2.1): no CSRF check, no write stamp. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method);
}

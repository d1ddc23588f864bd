/** The smoke suite's settings from the environment; a missing one fails the test that needs it. */
export function required(name: 'SMOKE_USER' | 'SMOKE_PASSWORD' | 'SMOKE_HEALTH_URLS'): string {
  const value = process.env[name]?.trim();
  if (!value) throw new Error(`${name} is required by the smoke suite (tests/smoke/README.md)`);
  return value;
}

/** SMOKE_HEALTH_URLS: comma-separated readiness URLs (blanks and empty entries ignored). */
export function healthUrls(): string[] {
  const urls = required('SMOKE_HEALTH_URLS')
    .split(',')
    .map((url) => url.trim())
    .filter(Boolean);
  if (urls.length === 0) throw new Error('SMOKE_HEALTH_URLS names no URL');
  return urls;
}

import { expect, test } from '@playwright/test';
import { healthUrls } from './settings';

// Every service of the release, on its internal port: web, factory and ordering (the processors of a
// colour that is not yet active answer ready too, with `standby` in their details).
test('health: every service answers ready', async ({ request }) => {
  const failures: string[] = [];
  for (const url of healthUrls()) {
    try {
      const response = await request.get(url, { timeout: 10_000, maxRedirects: 0 });
      const body: unknown = await response.json().catch(() => null);
      const status = typeof body === 'object' && body && 'status' in body ? body.status : undefined;
      if (response.status() !== 200 || status !== 'ready')
        failures.push(`${url}: HTTP ${response.status()}, status ${JSON.stringify(status)}`);
    } catch (error) {
      failures.push(`${url}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
  }
  expect(failures, 'services not ready').toEqual([]);
});

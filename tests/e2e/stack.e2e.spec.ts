import { expect, test } from '@playwright/test';
import { readE2eEnv } from './stack';

const env = readE2eEnv();

const services = [
  { name: 'web', port: env.WEB_PORT, internalPort: env.WEB_INTERNAL_PORT },
  { name: 'factory', port: env.FACTORY_PORT, internalPort: env.FACTORY_INTERNAL_PORT },
  { name: 'ordering', port: env.ORDERING_PORT, internalPort: env.ORDERING_INTERNAL_PORT },
];

test('every service of the stack answers ready, with details and metrics on its internal port only', async ({
  request,
}) => {
  for (const { name, port, internalPort } of services) {
    const internal = await request.get(`http://127.0.0.1:${internalPort}/readyz`);
    expect(internal.status(), `${name} internal readyz`).toBe(200);
    expect(await internal.json()).toMatchObject({ status: 'ready', checks: { mongo: { ok: true } } });
    const metrics = await request.get(`http://127.0.0.1:${internalPort}/metrics`);
    expect(metrics.status(), `${name} internal metrics`).toBe(200);
    expect(await metrics.text()).toContain('process_cpu_user_seconds_total');

    const main = await request.get(`http://127.0.0.1:${port}/readyz`);
    expect(main.status(), `${name} main readyz`).toBe(200);
    expect(await main.json()).toEqual({ status: 'ready' });
    expect((await request.get(`http://127.0.0.1:${port}/metrics`)).status(), `${name} main metrics`).toBe(
      404,
    );
  }
});

test('the storefront renders on the server and hydrates in Chromium', async ({ page }) => {
  const response = await page.goto(`${env.WEB_BASE_URL}/`);
  expect(response?.status()).toBe(200);
  // Server-rendered HTML is there before any script runs…
  expect(await response?.text()).toContain('az-shop');
  // …and React takes over the page in the browser.
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await expect(page).toHaveTitle(/az-shop/);
});

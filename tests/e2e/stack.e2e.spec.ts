import { expect, test } from '@playwright/test';
import { readE2eEnv } from './stack';

const env = readE2eEnv();

test('every service of the stack answers ready', async ({ request }) => {
  for (const port of [env.WEB_PORT, env.FACTORY_PORT, env.ORDERING_PORT]) {
    const response = await request.get(`http://127.0.0.1:${port}/readyz`);
    expect(response.status(), `readyz on ${port}`).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ready' });
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

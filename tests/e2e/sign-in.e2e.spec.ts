import { expect, test } from '@playwright/test';
import { readE2eEnv } from './stack';

const env = readE2eEnv();

test('a shopper signs in through the dev identity provider and out again', async ({ page }) => {
  await page.goto(`${env.WEB_BASE_URL}/`);
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
  await page.getByRole('link', { name: 'Sign in' }).click();

  // The provider's own pages: a real OpenID Connect authorization code + PKCE round trip.
  await expect(page).toHaveURL(new RegExp(`^${env.OIDC_ISSUER}/interaction/`));
  await page.getByLabel('Email').fill('shopper@example.com');
  await page.getByLabel('Password').fill('shopper-password'); // dev-only, see the README
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Allow' }).click();

  await expect(page).toHaveURL(`${env.WEB_BASE_URL}/`);
  await expect(page.getByTestId('user-name')).toHaveText('Sam Shopper');
  const cookies = await page.context().cookies(env.WEB_BASE_URL);
  const session = cookies.find((cookie) => cookie.httpOnly);
  expect(session, 'an HttpOnly session cookie').toBeDefined();
  expect(session?.sameSite).toBe('Lax');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Yes, sign me out' }).click();
  await page.goto(`${env.WEB_BASE_URL}/`);
  await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();
});

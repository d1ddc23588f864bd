import { expect, test } from '@playwright/test';
import { signInAtProvider } from './identity-provider';
import { required } from './settings';
import { hydrated } from './shop';

test('sign-in: the test account signs in through the identity provider', async ({ page, baseURL }) => {
  const user = required('SMOKE_USER');
  const password = required('SMOKE_PASSWORD');
  await page.goto('/');
  await hydrated(page);
  await page.getByRole('link', { name: 'Sign in' }).click();
  await signInAtProvider(page, user, password);

  // Back at the shop, with a session: the header names the user instead of offering to sign in.
  await expect(page).toHaveURL(new RegExp(`^${new URL(baseURL ?? '').origin}/`));
  await hydrated(page);
  await expect(page.getByTestId('user-name')).toHaveText(/\S/);
  await expect(page.getByRole('link', { name: 'Sign in' })).toHaveCount(0);
});

import { expect, type Page } from '@playwright/test';
import { readE2eEnv } from './stack';

/** What every browser test does with a page: watch its errors, wait for hydration, sign in. */
const env = readE2eEnv();
const shop = env.WEB_BASE_URL;

/** Console errors and uncaught exceptions of a page (hydration mismatches show up here too). */
export function collectConsoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  return errors;
}

export async function hydrated(page: Page): Promise<void> {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

/** The dev identity provider's own forms: email, password, then consent when it asks. */
export async function signInAtProvider(page: Page, email: string, password: string): Promise<void> {
  await expect(page).toHaveURL(new RegExp(`^${env.OIDC_ISSUER}/interaction/`));
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const allow = page.getByRole('button', { name: 'Allow' });
  await expect(allow.or(page.locator('body[data-hydrated="true"]'))).toBeVisible();
  if (await allow.isVisible()) await allow.click();
  await expect(page).toHaveURL(new RegExp(`^${shop}/`));
  await hydrated(page);
}

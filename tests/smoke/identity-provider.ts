import { expect, type Page } from '@playwright/test';

// The identity provider's own sign-in pages: the only provider-specific code of the smoke suite.
// Production uses Microsoft Entra ID; local stacks and the e2e tests use emulators/identity.

/** Entra ID: email (loginfmt) then Next, password (passwd) then Sign in, then "Stay signed in?". */
async function entraSignIn(page: Page, user: string, password: string): Promise<void> {
  await page.locator('input[name="loginfmt"]').fill(user);
  await page.locator('#idSIButton9').click(); // Next
  const passwd = page.locator('input[name="passwd"]');
  await expect(passwd).toBeVisible();
  await passwd.fill(password);
  await page.locator('#idSIButton9').click(); // Sign in
  // "Stay signed in?" (KMSI) shows only sometimes: answer No when it does.
  const no = page.locator('#idBtn_Back');
  await expect(no.or(page.locator('body[data-hydrated]'))).toBeVisible();
  if (await no.isVisible()) await no.click();
}

/** The dev identity provider (emulators/identity): email and password, then consent when asked. */
async function devSignIn(page: Page, user: string, password: string): Promise<void> {
  await page.getByLabel('Email').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const allow = page.getByRole('button', { name: 'Allow' });
  await expect(allow.or(page.locator('body[data-hydrated]'))).toBeVisible();
  if (await allow.isVisible()) await allow.click();
}

/** Signs in on whichever provider's page the shop sent the browser to; returns once back at the shop. */
export async function signInAtProvider(page: Page, user: string, password: string): Promise<void> {
  const entra = page.locator('input[name="loginfmt"]');
  const dev = page.locator('form[action*="/interaction/"] input[name="email"]');
  await expect(entra.or(dev), 'a sign-in form of Entra ID or the dev identity provider').toBeVisible();
  if (await entra.isVisible()) await entraSignIn(page, user, password);
  else await devSignIn(page, user, password);
}

import { expect, type Page } from '@playwright/test';

// Steps through the shop that rely on its markup, not on its catalogue: production's products are
// not the demo's, so the smoke suite takes whatever category and product the pages offer.

/** Uncaught exceptions of a page (a broken bundle or a hydration crash shows up here). */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

export async function hydrated(page: Page): Promise<void> {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

/** The first product link the home page shows (a featured or a catalogue card), as a path. */
export async function firstProductPath(page: Page): Promise<string> {
  const response = await page.goto('/');
  expect(response?.status(), 'home page status').toBe(200);
  const href = await page.locator('a[href^="/products/"]').first().getAttribute('href');
  if (!href) throw new Error('the home page links to no product');
  return href;
}

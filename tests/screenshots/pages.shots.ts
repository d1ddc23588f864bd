import { join } from 'node:path';
import { expect, type Page, test } from '@playwright/test';
import { collectConsoleErrors, hydrated, signInAtProvider } from '../e2e/pages';
import { readE2eEnv } from '../e2e/stack';

const shop = readE2eEnv().WEB_BASE_URL;
const folder = join(import.meta.dirname, '../../docs/screenshots');

/** Each picture: its file name and the path it shows. */
const STOREFRONT = [
  ['storefront-home', '/'],
  ['storefront-category', '/c/kitchen'],
  ['storefront-product', '/products/stoneware-teapot'],
] as const;

const BACK_OFFICE = [
  ['admin-catalog', '/admin/catalog'],
  ['admin-product', '/admin/catalog/products/stoneware-teapot'],
  ['admin-new-category', '/admin/catalog/categories/new'],
  ['admin-production', '/admin/production'],
  ['admin-factory', '/admin/factory'],
  ['admin-orders', '/admin/orders'],
  ['admin-stock', '/admin/stock'],
  ['admin-operations', '/admin/operations'],
  ['admin-audit', '/admin/audit'],
] as const;

async function shoot(page: Page, name: string, path: string): Promise<void> {
  await page.goto(`${shop}${path}`);
  await hydrated(page);
  await page.screenshot({ path: join(folder, `${name}.png`), fullPage: true });
}

test('storefront pages', async ({ page }) => {
  for (const [name, path] of STOREFRONT) await shoot(page, name, path);
});

test('back-office pages', async ({ page }) => {
  const errors = collectConsoleErrors(page);
  await page.goto(`${shop}/admin/catalog`);
  await signInAtProvider(page, 'admin@example.com', 'admin-password');
  for (const [name, path] of BACK_OFFICE) await shoot(page, name, path);
  // Hydration mismatches and failed requests show here.
  expect(errors).toEqual([]);
});

import { expect, test } from '@playwright/test';
import { png } from '../../web/test/image-files';
import { collectConsoleErrors, hydrated, signInAtProvider } from './pages';
import { readE2eEnv } from './stack';

const shop = readE2eEnv().WEB_BASE_URL;

test('an admin creates a category and a product, which a visitor finds on the storefront', async ({
  page,
  browser,
}) => {
  const consoleErrors = collectConsoleErrors(page);
  await page.goto(`${shop}/admin/catalog`);
  await signInAtProvider(page, 'admin@example.com', 'admin-password');
  await expect(page).toHaveURL(`${shop}/admin/catalog`);
  await expect(page.getByRole('navigation', { name: 'Back office' })).toBeVisible();

  // Hydrated: links and forms stay in this document (a full load would drop the marker).
  await page.evaluate("document.body.dataset.sameDocument = 'true'");
  await page.getByRole('link', { name: 'New category' }).click();
  await page.getByLabel(/^Id/).fill('e2e-lamps');
  await page.getByLabel('Heading').fill('Desk lamps');
  await page.getByRole('button', { name: 'Create category' }).click();
  await expect(page.getByTestId('categories-table')).toContainText('e2e-lamps');

  await page.getByRole('link', { name: 'New product' }).click();
  await page.getByLabel(/^Id/).fill('e2e-brass-lamp');
  await page.getByLabel(/^Category/).selectOption('e2e-lamps');
  await page.getByLabel('Heading').fill('Brass desk lamp');
  await page.getByLabel('Description').fill('Warm light for late reading.');
  await page.getByLabel('Price').fill('89.5x');
  await page.getByRole('button', { name: 'Create product' }).click();
  // A field message, without leaving the page; then the fix is accepted.
  await expect(page.locator('#field-price-error')).toHaveText('A price such as 49 or 49.90');
  await page.getByLabel('Price').fill('89.50');
  await page.getByRole('button', { name: 'Create product' }).click();
  await expect(page.getByTestId('products-table')).toContainText('e2e-brass-lamp');

  // Its picture: a PNG chosen in the file field, checked by its bytes, stored under a server name.
  await page.getByRole('link', { name: 'e2e-brass-lamp' }).click();
  await page
    .getByLabel(/^New picture/)
    .setInputFiles({ name: 'lamp.png', mimeType: 'image/png', buffer: png(4, 4) });
  await page.getByRole('button', { name: 'Upload picture' }).click();
  await expect(page.getByRole('status')).toHaveText('Picture saved.');
  await expect(page.getByTestId('product-image')).toHaveAttribute(
    'src',
    /^\/images\/products\/e2e-brass-lamp\//,
  );
  await expect(page.locator('body')).toHaveAttribute('data-same-document', 'true');

  // A visitor (another browser context, signed out) sees it on the storefront at once.
  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto(`${shop}/products/e2e-brass-lamp`);
  await expect(visitor.getByRole('heading', { level: 1, name: 'Brass desk lamp' })).toBeVisible();
  await expect(visitor.getByText('€89.50').first()).toBeVisible();
  const picture = visitor.locator('img[src^="/images/products/e2e-brass-lamp/"]').first();
  await expect(picture).toBeVisible();
  // Loaded and decoded: the browser knows its width.
  expect(await picture.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(4);

  await expect(visitor.getByText('Out of stock, made to order')).toBeVisible();

  // Three units from the factory: the board (live, no reload) shows them finished, and the
  // storefront then has them in stock.
  await page.getByRole('link', { name: 'Factory' }).click();
  await expect(page.getByTestId('board-stream')).toHaveText('live');
  await page.evaluate("document.body.dataset.watchingBoard = 'true'");
  await page.getByRole('link', { name: 'Production' }).click();
  await page.getByLabel('Product', { exact: true }).selectOption('e2e-brass-lamp');
  await page.getByLabel('Units').fill('3');
  await page.getByRole('button', { name: 'Request production' }).click();
  await expect(page.getByTestId('production-status')).toContainText('3 × e2e-brass-lamp');
  await page.getByRole('link', { name: 'Factory' }).click();
  const finished = page.getByTestId('column-InventoryAvailable').getByTestId('board-item');
  await expect(finished.filter({ hasText: '3 × e2e-brass-lamp' })).toBeVisible({ timeout: 30_000 });
  await expect(page.locator('body')).toHaveAttribute('data-watching-board', 'true');
  await expect
    .poll(
      async () => {
        await visitor.reload();
        return visitor.getByText('In stock: 3').isVisible();
      },
      { timeout: 30_000 },
    )
    .toBe(true);

  await page.getByRole('link', { name: 'Audit' }).click();
  await expect(page.getByTestId('audit-table')).toContainText('product.create');
  expect(consoleErrors).toEqual([]);
});

test('a shopper who opens the back office is refused with a page saying why', async ({ page }) => {
  await page.goto(`${shop}/`);
  await hydrated(page);
  await page.getByRole('link', { name: 'Sign in' }).click();
  await signInAtProvider(page, 'shopper@example.com', 'shopper-password');
  const response = await page.goto(`${shop}/admin/catalog`);
  expect(response?.status()).toBe(403);
  await expect(page.getByText('admin role')).toBeVisible();
});

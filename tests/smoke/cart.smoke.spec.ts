import { expect, type Page, test } from '@playwright/test';
import { firstProductPath, hydrated } from './shop';

// A visitor's cart only: adding to it holds no stock and places no order. Each test empties the
// cart again so a smoke run leaves nothing behind but an empty anonymous cart.

async function addOneAndEmpty(page: Page, withScript: boolean): Promise<void> {
  const product = await firstProductPath(page);
  await page.goto(product);
  if (withScript) await hydrated(page);
  await page.getByLabel('Quantity').fill('1');
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await expect(page.getByTestId('added')).toContainText('Added 1 to your cart');

  await page.goto('/cart');
  if (withScript) await hydrated(page);
  await expect(page.getByTestId('cart-items')).toHaveText('1');
  await page.getByRole('button', { name: /^Remove / }).click();
  await expect(page.getByText('Your cart is empty')).toBeVisible();
}

test('cart: a visitor adds a product to the cart and removes it', async ({ page }) => {
  await addOneAndEmpty(page, true);
});

test('cart: the same works without JavaScript (the forms post to the server)', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  try {
    await addOneAndEmpty(await context.newPage(), false);
  } finally {
    await context.close();
  }
});

import { expect, test } from '@playwright/test';
import { collectPageErrors, hydrated } from './shop';

test('browse: the home page, a category and a product render and hydrate', async ({ page }) => {
  const errors = collectPageErrors(page);
  const home = await page.goto('/');
  expect(home?.status(), 'home page status').toBe(200);
  await expect(page).toHaveTitle(/az-shop/);
  await hydrated(page);

  const category = page.getByRole('navigation', { name: 'Categories' }).getByRole('link').first();
  const categoryName = (await category.textContent())?.trim() ?? '';
  expect(categoryName, 'a category in the navigation').not.toBe('');
  await category.click();
  await expect(page.getByRole('heading', { level: 1, name: categoryName })).toBeVisible();

  const product = page.getByTestId('product-card').first().getByRole('link');
  const productName = (await product.getByRole('heading').textContent())?.trim() ?? '';
  expect(productName, 'a product in the category').not.toBe('');
  await product.click();
  await expect(page.getByRole('heading', { level: 1, name: productName })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Add to cart' })).toBeVisible();

  expect(errors, 'uncaught errors in the page').toEqual([]);
});

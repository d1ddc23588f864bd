import { expect, type Page, test } from '@playwright/test';
import { MongoClient } from 'mongodb';
import { pm2 } from '../../workflows/pm2.mjs';
import { collectConsoleErrors, hydrated, signInAtProvider } from './pages';
import { e2eEnv, readE2eEnv } from './stack';

const env = readE2eEnv();
const shop = env.WEB_BASE_URL;

async function addToCart(page: Page, productHeading: string, qty: number): Promise<void> {
  await page.getByRole('link', { name: productHeading }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: productHeading })).toBeVisible();
  await page.getByLabel('Quantity').fill(String(qty));
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await expect(page.getByTestId('added')).toContainText(`Added ${qty} to your cart`);
}

async function checkout(page: Page): Promise<string> {
  await page.getByTestId('cart-link').click();
  await page.getByRole('link', { name: 'Checkout' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Checkout' })).toBeVisible();
  await page.getByLabel('Full name').fill('Sam Shopper');
  await page.getByLabel('Address line 1').fill('1 Test Street');
  await page.getByLabel('Town or city').fill('Testville');
  await page.getByLabel('Postcode').fill('T1 2ST');
  await page.getByLabel('Country').selectOption('GB');
  await page.getByRole('button', { name: 'Place order and pay' }).click();
  await expect(page).toHaveURL(/\/orders\/[^/]+\/pay$/);
  const orderId = /\/orders\/([^/]+)\/pay$/.exec(page.url())?.[1];
  if (!orderId) throw new Error(`no order id in ${page.url()}`);
  return decodeURIComponent(orderId);
}

const HAPPY_PATH = ['Placed', 'Reserved', 'Picking', 'Shipped', 'Delivered'];

/**
 * Runs in the page (a script: this project's type-check has no DOM): records, in `window.stagesDone`,
 * each stage of the timeline in the order it is first shown done, now and on every later change of
 * the page. Evaluates to those done already.
 */
const WATCH_STAGES_BECOMING_DONE = `(() => {
  const seen = [];
  window.stagesDone = seen;
  const record = () => {
    for (const step of document.querySelectorAll('[data-testid="timeline"] li.step-done .step-stage')) {
      const stage = step.textContent ?? '';
      if (!seen.includes(stage)) seen.push(stage);
    }
  };
  record();
  new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  return [...seen];
})()`;

/** Pay on our page, then type the card on the provider's (the dev provider's page in web). */
async function payWith(page: Page, cardNumber: string): Promise<void> {
  await expect(page.getByTestId('countdown')).toContainText(/\d+:\d{2}/);
  await page.getByRole('button', { name: /^Pay / }).click();
  await expect(page).toHaveURL(/\/dev-checkout\/[^/]+$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Dev payment provider' })).toBeVisible();
  await page.getByLabel('Card number').fill(cardNumber);
  await page.getByRole('button', { name: /^Pay / }).click();
}

test('a shopper signs in, buys two products and watches the order reach Delivered without reloading', async ({
  page,
}) => {
  const consoleErrors = collectConsoleErrors(page);
  await page.goto(`${shop}/`);
  await hydrated(page);
  await page.getByRole('link', { name: 'Sign in' }).click();
  await signInAtProvider(page, 'shopper@example.com', 'shopper-password');
  await expect(page.getByTestId('user-name')).toHaveText('Sam Shopper');

  // Links and forms navigate inside the app: a full page load would drop this marker.
  await page.evaluate("document.body.dataset.sameDocument = 'true'");
  await page.getByRole('link', { name: 'Kitchen' }).first().click();
  await expect(page.getByRole('heading', { level: 1, name: 'Kitchen' })).toBeVisible();
  await addToCart(page, 'Stoneware Teapot', 1);
  await page.getByRole('link', { name: 'Kitchen' }).first().click();
  await addToCart(page, 'Enamel Mug', 2);
  await expect(page.getByTestId('cart-link')).toHaveAccessibleName('Cart, 3 items');
  await expect(page.locator('body')).toHaveAttribute('data-same-document', 'true');

  const orderId = await checkout(page);
  await expect(page.getByTestId('pay-total')).toHaveText('€71.00');
  await payWith(page, '4242 4242 4242 4242');
  await expect(page).toHaveURL(`${shop}/orders/${encodeURIComponent(orderId)}`);

  // From here on only the live stream may change the page: a reload would lose this marker, and
  // the observer the order in which the stages became done on the page.
  await page.evaluate("document.body.dataset.stillThisPage = 'true'");
  const initiallyDone = (await page.evaluate(WATCH_STAGES_BECOMING_DONE)) as string[];
  const delivered = page.getByTestId('timeline').locator('li', { hasText: 'Delivered' });
  await expect(delivered).toContainText('(done)', { timeout: 45_000 });
  await expect(page.getByTestId('payment-state')).toHaveText('Paid');
  await expect(page.locator('body')).toHaveAttribute('data-still-this-page', 'true');
  const doneInOrder = (await page.evaluate('window.stagesDone')) as string[];
  expect(doneInOrder).toEqual(HAPPY_PATH.filter((stage) => doneInOrder.includes(stage)));
  const becameDoneLive = doneInOrder.filter((stage) => !initiallyDone.includes(stage));
  expect(becameDoneLive).toEqual(expect.arrayContaining(['Shipped', 'Delivered']));

  await page.getByRole('link', { name: 'My orders', exact: true }).click();
  await expect(page.getByRole('link', { name: orderId })).toBeVisible();
  expect(consoleErrors).toEqual([]);
});

test('a declined card shows an error and leaves the order unpaid', async ({ page }) => {
  const consoleErrors = collectConsoleErrors(page);
  await page.goto(`${shop}/auth/login?returnTo=${encodeURIComponent('/c/desk')}`);
  await signInAtProvider(page, 'shopper@example.com', 'shopper-password');
  await addToCart(page, 'Linen Notebook', 1);
  const orderId = await checkout(page);

  await payWith(page, '4000 0000 0000 0002');
  await expect(page).toHaveURL(/\/pay\?declined=1$/);
  await expect(page.getByRole('alert')).toContainText(/declined/i);

  await page.getByRole('link', { name: orderId }).click();
  await expect(page.getByTestId('payment-state')).toContainText('Not paid yet');
  await expect(page.getByRole('link', { name: 'Pay now' })).toBeVisible();
  expect(consoleErrors).toEqual([]);
});

test('an anonymous cart survives sign-in', async ({ page }) => {
  const consoleErrors = collectConsoleErrors(page);
  await page.goto(`${shop}/c/lighting`);
  await hydrated(page);
  await addToCart(page, 'Beeswax Candle', 2);
  await expect(page.getByTestId('cart-link')).toHaveAccessibleName('Cart, 2 items');

  await page.getByRole('link', { name: 'Sign in' }).click();
  await signInAtProvider(page, 'admin@example.com', 'admin-password');
  await expect(page.getByTestId('user-name')).toHaveText('Ada Admin');
  await page.getByTestId('cart-link').click();
  await expect(page.getByRole('heading', { level: 1, name: 'Your cart' })).toBeVisible();
  await expect(page.getByLabel(/Quantity/).first()).toHaveValue('2');
  await expect(page.getByRole('main')).toContainText('Beeswax Candle');
  expect(consoleErrors).toEqual([]);
});

test('a signed-in shopper gets the shared catalog page with their own header, and it hydrates', async ({
  page,
}) => {
  const consoleErrors = collectConsoleErrors(page);
  await page.goto(`${shop}/c/lighting`);
  await hydrated(page);
  await page.getByRole('link', { name: 'Sign in' }).click();
  await signInAtProvider(page, 'shopper@example.com', 'shopper-password');
  await expect(page.getByTestId('user-name')).toHaveText('Sam Shopper');
  await addToCart(page, 'Beeswax Candle', 1);
  const count = Number(await page.getByTestId('cart-count').textContent());
  // Reloaded until the page comes whole from the shared-page cache (a kept page has a length).
  await expect(async () => {
    const response = await page.reload();
    expect(response?.headers()['content-length']).toBeDefined();
  }).toPass();
  await hydrated(page);
  await expect(page.getByTestId('user-name')).toHaveText('Sam Shopper');
  await expect(page.getByTestId('cart-count')).toHaveText(String(count));
  // Hydrated for real: adding again goes through the router and the header follows at once.
  await page.getByRole('button', { name: 'Add to cart' }).click();
  await expect(page.getByTestId('cart-count')).toHaveText(String(count + 1));
  expect(consoleErrors).toEqual([]);
});

test('the live timeline reconnects after the server drops it, and catches up', async ({ page, request }) => {
  await page.goto(`${shop}/auth/login?returnTo=${encodeURIComponent('/c/garden')}`);
  await signInAtProvider(page, 'shopper@example.com', 'shopper-password');
  await addToCart(page, 'Terracotta Pot', 1);
  const orderId = await checkout(page);
  await page.getByRole('link', { name: orderId }).click();
  await expect(page.getByTestId('payment-state')).toContainText('Not paid yet');
  await page.evaluate("document.body.dataset.stillThisPage = 'true'");

  // The web process goes away under the open event stream, and comes back.
  const restart = pm2(['restart', 'web', '--update-env'], { env: e2eEnv, stdio: 'pipe' });
  expect(restart.status, String(restart.stderr)).toBe(0);
  await expect
    .poll(async () => (await request.get(`${shop}/readyz`).catch(() => null))?.status(), { timeout: 30_000 })
    .toBe(200);

  // Paid elsewhere (another tab, say): only the reconnected stream can tell this page.
  const client = await MongoClient.connect(env.MONGO_DB!);
  try {
    const db = client.db();
    const order = await db.collection('orders').findOne({ _id: orderId as never });
    expect(order).not.toBeNull();
    await db.collection('payments').insertOne({
      _id: `e2e-reconnect-${orderId}` as never,
      partition_key: order!.userId,
      orderId,
      userId: order!.userId,
      provider: 'dev',
      amount: order!.total,
      currency: order!.currency,
      status: 'authorized',
      createdAt: new Date(),
    });
  } finally {
    await client.close();
  }
  const delivered = page.getByTestId('timeline').locator('li', { hasText: 'Delivered' });
  await expect(delivered).toContainText('(done)', { timeout: 45_000 });
  await expect(page.locator('body')).toHaveAttribute('data-still-this-page', 'true');
});

import { escapeHtml, type PaymentDocument } from '@az-shop/common';
import { DEV_CHECKOUT_PATH } from '../../payments/dev-provider';
import { formatPrice } from '../../ui/format';

const orderPath = (orderId: string) => `/orders/${encodeURIComponent(orderId)}`;

/**
 * The dev provider's payment page: plain HTML, no script and no inline style (the app's CSP holds),
 * every value escaped, a form that works without JavaScript.
 */
export function devCheckoutPage(payment: PaymentDocument, csrfToken: string, problem?: string): string {
  const price = escapeHtml(formatPrice({ amount: payment.amount, currency: payment.currency }));
  const action = escapeHtml(`${DEV_CHECKOUT_PATH}/${encodeURIComponent(payment._id)}`);
  const order = escapeHtml(orderPath(payment.orderId));
  const alert = problem ? `<p role="alert" id="card-error">${escapeHtml(problem)}</p>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Dev payment provider</title>
<link rel="icon" href="data:,">
</head>
<body>
<main>
<h1>Dev payment provider</h1>
<p>This page stands in for the payment provider's (Stripe Checkout) in development. No real card is charged.</p>
<p>Pay <strong data-testid="dev-checkout-amount">${price}</strong> for order <a href="${order}">${escapeHtml(payment.orderId)}</a>.</p>
<form method="post" action="${action}">
<input type="hidden" name="_csrf" value="${escapeHtml(csrfToken)}">
${alert}
<label for="cardNumber">Card number</label>
<input id="cardNumber" name="cardNumber" inputmode="numeric" autocomplete="cc-number" required maxlength="23" aria-describedby="card-hint"${problem ? ' aria-invalid="true"' : ''}>
<p id="card-hint">Test cards: 4242 4242 4242 4242 is authorized, 4000 0000 0000 0002 is declined.</p>
<button type="submit">Pay ${price}</button>
</form>
<p><a href="${order}/pay">Cancel and go back</a></p>
</main>
</body>
</html>
`;
}

import {
  type ActionFunctionArgs,
  data,
  Form,
  type LoaderFunctionArgs,
  useActionData,
  useLoaderData,
  useNavigation,
} from 'react-router';
import { CsrfField } from '../components/csrf-field';
import type { CartLineView, CartView, StorefrontData } from '../data';
import { formatPrice } from '../format';
import { formQuantity, formText, INTENT_FIELD, MAX_QTY } from '../forms';
import { orRouteError } from '../route-errors';

export type CartActionData = { message: string } | { error: string; productId: string };

export function cartLoader(source: StorefrontData) {
  return async ({ request }: LoaderFunctionArgs): Promise<CartView> =>
    orRouteError(request, () => source.getCart());
}

export function cartAction(source: StorefrontData) {
  return async ({ request }: ActionFunctionArgs) => {
    const form = await request.formData();
    const productId = formText(form, 'productId');
    const intent = formText(form, INTENT_FIELD);
    if (!productId || (intent !== 'update' && intent !== 'remove'))
      throw data(null, { status: 400, statusText: 'Bad Request' });
    const qty = intent === 'remove' ? 0 : formQuantity(form, 'qty', 0, MAX_QTY);
    if (qty === null)
      return data<CartActionData>(
        { error: `Choose a quantity from 0 to ${MAX_QTY} (0 removes the item).`, productId },
        { status: 400 },
      );
    await orRouteError(request, () => source.setCartQuantity(productId, qty));
    return { message: qty === 0 ? 'Item removed.' : 'Quantity updated.' } satisfies CartActionData;
  };
}

function CartLine({ line, currency, error }: { line: CartLineView; currency: string; error?: string }) {
  const navigation = useNavigation();
  const busy = navigation.state === 'submitting' && navigation.formData?.get('productId') === line.productId;
  const qtyId = `qty-${line.productId}`;
  return (
    <li className="cart-line" data-testid="cart-line">
      {line.imagePath ? (
        <img src={`/images/${line.imagePath}`} alt="" width="96" height="72" />
      ) : (
        <span className="image-placeholder small" aria-hidden="true" />
      )}
      <div className="cart-line-text">
        <h2>
          <a href={`/products/${encodeURIComponent(line.productId)}`}>{line.heading}</a>
        </h2>
        <p>{formatPrice({ amount: line.unitPrice, currency })} each</p>
      </div>
      <Form method="post" className="cart-line-form">
        <CsrfField />
        <input type="hidden" name="productId" value={line.productId} />
        <div className={error ? 'field has-error' : 'field'}>
          <label htmlFor={qtyId}>
            Quantity<span className="visually-hidden"> of {line.heading}</span>
          </label>
          <input
            id={qtyId}
            name="qty"
            type="number"
            inputMode="numeric"
            min={0}
            max={MAX_QTY}
            defaultValue={line.qty}
            // A new key after an update resets the field to the saved quantity.
            key={line.qty}
            required
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${qtyId}-error` : undefined}
          />
          {error && (
            <p className="field-error" id={`${qtyId}-error`}>
              {error}
            </p>
          )}
        </div>
        <button type="submit" name={INTENT_FIELD} value="update" className="button" disabled={busy}>
          Update
        </button>
        <button
          type="submit"
          name={INTENT_FIELD}
          value="remove"
          className="button subtle"
          disabled={busy}
          aria-label={`Remove ${line.heading}`}
        >
          Remove
        </button>
      </Form>
      <p className="line-total">{formatPrice({ amount: line.lineTotal, currency })}</p>
    </li>
  );
}

export function CartPage() {
  const cart = useLoaderData() as CartView;
  const result = useActionData() as CartActionData | undefined;
  const lineError = result && 'error' in result ? result : undefined;
  return (
    <section className="cart" aria-labelledby="cart-heading">
      <h1 id="cart-heading">Your cart</h1>
      <p className="status" role="status">
        {result && 'message' in result ? result.message : null}
      </p>
      {cart.lines.length === 0 ? (
        <p className="empty">
          Your cart is empty. <a href="/">Browse the catalog</a>
        </p>
      ) : (
        <>
          <ul className="cart-lines">
            {cart.lines.map((line) => (
              <CartLine
                key={line.productId}
                line={line}
                currency={cart.currency}
                {...(lineError?.productId === line.productId && { error: lineError.error })}
              />
            ))}
          </ul>
          <dl className="summary">
            <dt>Items</dt>
            <dd data-testid="cart-items">{cart.count}</dd>
            <dt>Total</dt>
            <dd className="total" data-testid="cart-total">
              {formatPrice({ amount: cart.total, currency: cart.currency })}
            </dd>
          </dl>
          <p className="actions">
            <a href="/checkout" className="button primary">
              Checkout
            </a>
          </p>
        </>
      )}
    </section>
  );
}

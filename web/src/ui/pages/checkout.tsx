import {
  type ActionFunctionArgs,
  data,
  Form,
  type LoaderFunctionArgs,
  redirect,
  useActionData,
  useLoaderData,
  useNavigation,
} from 'react-router';
import { addressErrors, addressFromForm, COUNTRIES } from '../address';
import { CsrfField } from '../components/csrf-field';
import { FormAlert } from '../components/form-alert';
import { TextField } from '../components/text-field';
import type { AddressInput, CartView, FieldErrors, StorefrontData } from '../data';
import { formatPrice } from '../format';
import { formText } from '../forms';
import { orRouteError, redirectToSignIn, statusOf } from '../route-errors';

export interface CheckoutData {
  cart: CartView;
  /** New for every checkout page: submitting it twice places one order. */
  idempotencyKey: string;
}

export interface CheckoutActionData {
  message: string;
  fieldErrors: FieldErrors;
  /** What was submitted, so the form keeps it (also without JavaScript). */
  values: AddressInput;
}

export function checkoutLoader(source: StorefrontData) {
  return async ({ request }: LoaderFunctionArgs): Promise<CheckoutData> => {
    const [session, cart] = await Promise.all([
      source.session(),
      orRouteError(request, () => source.getCart()),
    ]);
    if (!session.user) throw redirectToSignIn(request);
    return { cart, idempotencyKey: source.newIdempotencyKey() };
  };
}

export function checkoutAction(source: StorefrontData) {
  return async ({ request }: ActionFunctionArgs) => {
    const form = await request.formData();
    const address = addressFromForm(form);
    const refused = (message: string, fieldErrors: FieldErrors, status = 400) =>
      data<CheckoutActionData>({ message, fieldErrors, values: address }, { status });

    const fieldErrors = addressErrors(address);
    if (Object.keys(fieldErrors).length > 0) return refused('Check the highlighted fields.', fieldErrors);
    try {
      const result = await orRouteError(request, () =>
        source.checkout({ address, idempotencyKey: formText(form, 'idempotencyKey') }),
      );
      if (!result.ok) return refused(result.message, result.fieldErrors);
      return redirect(`/orders/${encodeURIComponent(result.orderId)}/pay`);
    } catch (error) {
      // 409: the cart is empty, or too many orders wait for payment; the server says which.
      if (statusOf(error) === 409) return refused((error as Error).message, {}, 409);
      if (statusOf(error) === 429) return refused('Too many attempts. Wait a minute and try again.', {}, 429);
      throw error;
    }
  };
}

function CountrySelect({ value, error }: { value: string; error?: string | undefined }) {
  return (
    <div className={error ? 'field has-error' : 'field'}>
      <label htmlFor="address-country">Country</label>
      <select
        id="address-country"
        name="country"
        autoComplete="country"
        required
        defaultValue={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? 'address-country-error' : undefined}
      >
        <option value="">Choose a country</option>
        {COUNTRIES.map((country) => (
          <option key={country.code} value={country.code}>
            {country.name}
          </option>
        ))}
      </select>
      {error && (
        <p className="field-error" id="address-country-error">
          {error}
        </p>
      )}
    </div>
  );
}

function OrderSummary({ cart }: { cart: CartView }) {
  return (
    <section className="order-summary" aria-labelledby="summary-heading">
      <h2 id="summary-heading">Your order</h2>
      <ul className="plain-list">
        {cart.lines.map((line) => (
          <li key={line.productId}>
            {line.qty} × {line.heading} — {formatPrice({ amount: line.lineTotal, currency: cart.currency })}
          </li>
        ))}
      </ul>
      <p className="total">
        Total: <strong>{formatPrice({ amount: cart.total, currency: cart.currency })}</strong>
      </p>
      <p>
        <a href="/cart">Change the cart</a>
      </p>
    </section>
  );
}

export function CheckoutPage() {
  const { cart, idempotencyKey } = useLoaderData() as CheckoutData;
  const result = useActionData() as CheckoutActionData | undefined;
  const navigation = useNavigation();
  const placing = navigation.state !== 'idle' && navigation.formMethod?.toUpperCase() === 'POST';
  const errors = result?.fieldErrors ?? {};
  const values: Partial<AddressInput> = result?.values ?? {};
  const field = (name: keyof AddressInput) => ({
    name,
    idPrefix: 'address',
    defaultValue: values[name] ?? '',
    error: errors[name],
  });

  if (cart.lines.length === 0)
    return (
      <section aria-labelledby="checkout-heading">
        <h1 id="checkout-heading">Checkout</h1>
        <p className="empty">
          Your cart is empty. <a href="/">Browse the catalog</a>
        </p>
      </section>
    );

  return (
    <section className="checkout" aria-labelledby="checkout-heading">
      <h1 id="checkout-heading">Checkout</h1>
      <div className="checkout-layout">
        <Form method="post" className="address-form">
          <CsrfField />
          <input type="hidden" name="idempotencyKey" value={idempotencyKey} />
          <fieldset>
            <legend>Delivery address</legend>
            <FormAlert message={result?.message} />
            <TextField label="Full name" autoComplete="name" required {...field('name')} />
            <TextField label="Address line 1" autoComplete="address-line1" required {...field('line1')} />
            <TextField label="Address line 2" autoComplete="address-line2" {...field('line2')} />
            <TextField label="Town or city" autoComplete="address-level2" required {...field('city')} />
            <TextField
              label="Postcode"
              autoComplete="postal-code"
              required
              className="short"
              {...field('postcode')}
            />
            <CountrySelect value={values.country ?? ''} error={errors.country} />
          </fieldset>
          <button type="submit" className="button primary" disabled={placing}>
            {placing ? 'Placing your order…' : 'Place order and pay'}
          </button>
        </Form>
        <OrderSummary cart={cart} />
      </div>
    </section>
  );
}

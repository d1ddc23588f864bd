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
import { Countdown } from '../components/countdown';
import { CsrfField } from '../components/csrf-field';
import { FormAlert } from '../components/form-alert';
import { TextField } from '../components/text-field';
import type { FieldErrors, OrderView, StorefrontData } from '../data';
import { formatPrice } from '../format';
import { formText } from '../forms';
import { notFound, orRouteError, statusOf } from '../route-errors';

export interface PayData {
  order: OrderView;
  /** New for every payment page: submitting it twice makes one payment attempt. */
  idempotencyKey: string;
  /** When the loader ran: the countdown's first render, the same on the server and in hydration. */
  loadedAt: string;
}

export interface PayActionData {
  message: string;
  fieldErrors: FieldErrors;
  /** The card was declined (the order stays unpaid), as opposed to a field being wrong. */
  declined: boolean;
  /** The refused attempt used up its key: the next try is a new attempt, not a replay of this one. */
  idempotencyKey: string;
}

const orderPath = (orderId: string) => `/orders/${encodeURIComponent(orderId)}`;

export function payLoader(source: StorefrontData) {
  return async ({ params, request }: LoaderFunctionArgs): Promise<PayData> => {
    const order = await orRouteError(request, () => source.getOrder(params.id ?? ''));
    if (!order) notFound();
    if (order.paid) throw redirect(orderPath(order.id));
    return { order, idempotencyKey: crypto.randomUUID(), loadedAt: new Date().toISOString() };
  };
}

export function payAction(source: StorefrontData) {
  return async ({ params, request }: ActionFunctionArgs) => {
    const orderId = params.id ?? '';
    const form = await request.formData();
    const input = {
      cardNumber: formText(form, 'cardNumber'),
      expiry: formText(form, 'expiry'),
      cvc: formText(form, 'cvc'),
      idempotencyKey: formText(form, 'idempotencyKey'),
    };
    const refused = (message: string, fieldErrors: FieldErrors, status: 400 | 402) =>
      data<PayActionData>(
        { message, fieldErrors, declined: status === 402, idempotencyKey: crypto.randomUUID() },
        { status },
      );
    try {
      const result = await orRouteError(request, () => source.pay(orderId, input));
      if (!result.ok) return refused(result.message, result.fieldErrors, 400);
      if (result.status === 'declined') return refused(result.message ?? 'The card was declined.', {}, 402);
      return redirect(orderPath(orderId));
    } catch (error) {
      // Already paid (maybe by the first of two clicks): the order page says so.
      if (statusOf(error) === 409) return redirect(orderPath(orderId));
      throw error;
    }
  };
}

/** The provider's reason, then what it means here: the order waits for another card. */
function declinedMessage(reason: string): string {
  return `${/[.!?]$/.test(reason) ? reason : `${reason}.`} Nothing was charged: try another card.`;
}

export function PayPage() {
  const loaded = useLoaderData() as PayData;
  const { order, loadedAt } = loaded;
  const result = useActionData() as PayActionData | undefined;
  const idempotencyKey = result?.idempotencyKey ?? loaded.idempotencyKey;
  const navigation = useNavigation();
  const paying = navigation.state !== 'idle' && navigation.formMethod?.toUpperCase() === 'POST';
  const errors = result?.fieldErrors ?? {};
  return (
    <section className="pay" aria-labelledby="pay-heading">
      <h1 id="pay-heading">Pay for your order</h1>
      <dl className="summary">
        <dt>Order</dt>
        <dd>
          <a href={orderPath(order.id)}>{order.id}</a>
        </dd>
        <dt>Total</dt>
        <dd className="total" data-testid="pay-total">
          {formatPrice({ amount: order.total, currency: order.currency })}
        </dd>
      </dl>
      <Countdown until={order.payBy} loadedAt={loadedAt} />
      <Form method="post" className="card-form">
        <CsrfField />
        <input type="hidden" name="idempotencyKey" value={idempotencyKey} />
        <fieldset>
          <legend>Card</legend>
          <FormAlert message={result?.declined ? declinedMessage(result.message) : result?.message} />
          <TextField
            name="cardNumber"
            label="Card number"
            idPrefix="card"
            autoComplete="cc-number"
            inputMode="numeric"
            required
            maxLength={23}
            hint="Test cards: 4242 4242 4242 4242 is authorized, 4000 0000 0000 0002 is declined."
            error={errors.cardNumber}
          />
          <div className="field-row">
            <TextField
              name="expiry"
              label="Expiry (MM/YY)"
              idPrefix="card"
              autoComplete="cc-exp"
              inputMode="numeric"
              placeholder="MM/YY"
              pattern="\d{2}/\d{2}"
              required
              maxLength={5}
              className="short"
              error={errors.expiry}
            />
            <TextField
              name="cvc"
              label="Security code (CVC)"
              idPrefix="card"
              autoComplete="cc-csc"
              inputMode="numeric"
              pattern="\d{3,4}"
              required
              maxLength={4}
              className="short"
              error={errors.cvc}
            />
          </div>
        </fieldset>
        <button type="submit" className="button primary" disabled={paying}>
          {paying ? 'Paying…' : `Pay ${formatPrice({ amount: order.total, currency: order.currency })}`}
        </button>
      </Form>
    </section>
  );
}

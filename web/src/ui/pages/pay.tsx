import {
  type ActionFunctionArgs,
  data,
  Form,
  type LoaderFunctionArgs,
  redirect,
  redirectDocument,
  useActionData,
  useLoaderData,
  useNavigation,
} from 'react-router';
import { Countdown } from '../components/countdown';
import { CsrfField } from '../components/csrf-field';
import { FormAlert } from '../components/form-alert';
import type { OrderView, StorefrontData } from '../data';
import { formatPrice } from '../format';
import { formText } from '../forms';
import { notFound, orRouteError, statusOf } from '../route-errors';

export interface PayData {
  order: OrderView;
  /** New for every payment page: submitting it twice starts one payment attempt. */
  idempotencyKey: string;
  /** When the loader ran: the countdown's first render, the same on the server and in hydration. */
  loadedAt: string;
  /** The provider sent the shopper back after a declined card (`?declined=1`). */
  declined: boolean;
}

export interface PayActionData {
  message: string;
  /** A refused start used up nothing, but a fresh key keeps every try its own attempt. */
  idempotencyKey: string;
}

const orderPath = (orderId: string) => `/orders/${encodeURIComponent(orderId)}`;

export function payLoader(source: StorefrontData) {
  return async ({ params, request }: LoaderFunctionArgs): Promise<PayData> => {
    const order = await orRouteError(request, () => source.getOrder(params.id ?? ''));
    if (!order) notFound();
    if (order.paid) throw redirect(orderPath(order.id));
    return {
      order,
      idempotencyKey: source.newIdempotencyKey(),
      loadedAt: new Date().toISOString(),
      declined: new URL(request.url).searchParams.get('declined') === '1',
    };
  };
}

/** Starts the attempt, then sends the browser to the provider's page (a whole-document load: it is not one of ours). */
export function payAction(source: StorefrontData) {
  return async ({ params, request }: ActionFunctionArgs) => {
    const orderId = params.id ?? '';
    const form = await request.formData();
    try {
      const result = await orRouteError(request, () =>
        source.pay(orderId, { idempotencyKey: formText(form, 'idempotencyKey') }),
      );
      if (!result.ok)
        return data<PayActionData>(
          { message: result.message, idempotencyKey: source.newIdempotencyKey() },
          { status: 400 },
        );
      return redirectDocument(result.redirectUrl);
    } catch (error) {
      // Already paid (maybe by the first of two clicks), or too late: the order page says which.
      if (statusOf(error) === 409) return redirect(orderPath(orderId));
      throw error;
    }
  };
}

const DECLINED = 'The card was declined. Nothing was charged: try again with another card.';

export function PayPage() {
  const loaded = useLoaderData() as PayData;
  const { order, loadedAt } = loaded;
  const result = useActionData() as PayActionData | undefined;
  const idempotencyKey = result?.idempotencyKey ?? loaded.idempotencyKey;
  const navigation = useNavigation();
  const paying = navigation.state !== 'idle' && navigation.formMethod?.toUpperCase() === 'POST';
  const total = formatPrice({ amount: order.total, currency: order.currency });
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
          {total}
        </dd>
      </dl>
      <Countdown until={order.payBy} loadedAt={loadedAt} />
      <Form method="post" className="pay-form">
        <CsrfField />
        <input type="hidden" name="idempotencyKey" value={idempotencyKey} />
        <FormAlert message={result?.message ?? (loaded.declined ? DECLINED : undefined)} />
        <p className="hint">
          You pay on the payment provider's page; your card details never reach this shop.
        </p>
        <button type="submit" className="button primary" disabled={paying}>
          {paying ? 'Going to the payment page…' : `Pay ${total}`}
        </button>
      </Form>
    </section>
  );
}

import { useState } from 'react';
import {
  type ActionFunctionArgs,
  data,
  Form,
  type LoaderFunctionArgs,
  useActionData,
  useLoaderData,
  useNavigation,
} from 'react-router';
import { countryName } from '../address';
import { CsrfField } from '../components/csrf-field';
import { FormAlert } from '../components/form-alert';
import { StageTimeline } from '../components/stage-timeline';
import type { AddressInput, FulfilmentView, OrderView, StorefrontData } from '../data';
import { formatDateTime, formatPrice } from '../format';
import { formText, INTENT_FIELD } from '../forms';
import { useEventStream } from '../live/use-event-stream';
import { notFound, orRouteError, statusOf } from '../route-errors';

export type OrderActionData = { message: string } | { error: string };

export function orderLoader(source: StorefrontData) {
  return async ({ params, request }: LoaderFunctionArgs): Promise<OrderView> => {
    const order = await orRouteError(request, () => source.getOrder(params.id ?? ''));
    return order ?? notFound();
  };
}

export function orderAction(source: StorefrontData) {
  return async ({ params, request }: ActionFunctionArgs) => {
    const form = await request.formData();
    if (formText(form, INTENT_FIELD) !== 'cancel')
      throw data(null, { status: 400, statusText: 'Bad Request' });
    try {
      await orRouteError(request, () => source.requestCancellation(params.id ?? ''));
      return {
        message: 'Cancellation requested. The timeline shows when it is done.',
      } satisfies OrderActionData;
    } catch (error) {
      if (statusOf(error) === 409)
        return data<OrderActionData>({ error: 'This order can no longer be cancelled.' }, { status: 409 });
      throw error;
    }
  };
}

function Address({ address }: { address: AddressInput }) {
  return (
    <address className="address">
      <span className="address-line">{address.name}</span>
      <span className="address-line">{address.line1}</span>
      {address.line2 && <span className="address-line">{address.line2}</span>}
      <span className="address-line">{`${address.postcode} ${address.city}`}</span>
      <span className="address-line">{countryName(address.country)}</span>
    </address>
  );
}

function OrderLines({ order }: { order: OrderView }) {
  const price = (amount: number) => formatPrice({ amount, currency: order.currency });
  return (
    <table className="lines-table">
      <caption className="visually-hidden">Items of this order</caption>
      <thead>
        <tr>
          <th scope="col">Product</th>
          <th scope="col">Quantity</th>
          <th scope="col">Price</th>
          <th scope="col">Total</th>
        </tr>
      </thead>
      <tbody>
        {order.lines.map((line) => (
          <tr key={line.productId}>
            <th scope="row">
              <a href={`/products/${encodeURIComponent(line.productId)}`}>{line.heading}</a>
            </th>
            <td>{line.qty}</td>
            <td>{price(line.unitPrice)}</td>
            <td>{price(line.lineTotal)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row" colSpan={3}>
            Total
          </th>
          <td data-testid="order-total">{price(order.total)}</td>
        </tr>
      </tfoot>
    </table>
  );
}

const PAYMENT_STATUS_TEXT: Record<OrderView['payments'][number]['status'], string> = {
  pending: 'Waiting for the payment provider',
  authorized: 'Authorized',
  declined: 'Declined',
  duplicate: 'Paid twice: refunded',
};

function Payments({ payments }: { payments: OrderView['payments'] }) {
  if (payments.length === 0) return <p>No payment yet.</p>;
  return (
    <ul className="payments" data-testid="payments">
      {payments.map((payment) => (
        <li key={payment.id}>
          <time dateTime={payment.at}>{formatDateTime(payment.at)}</time>{' '}
          {PAYMENT_STATUS_TEXT[payment.status]}
          {payment.last4 && ` — card ending ${payment.last4}`}
        </li>
      ))}
    </ul>
  );
}

function CancelOrder({ fulfilment, order }: { fulfilment: FulfilmentView | null; order: OrderView }) {
  const result = useActionData() as OrderActionData | undefined;
  const navigation = useNavigation();
  const requested = order.cancellationRequested || (result !== undefined && 'message' in result);
  const cancellable = fulfilment?.cancellable ?? true;
  return (
    <>
      {result && 'message' in result && (
        <p className="status" role="status">
          {result.message}
        </p>
      )}
      <FormAlert message={result && 'error' in result ? result.error : undefined} />
      {fulfilment?.cancellationRefused && (
        <p className="notice">Cancellation refused: {fulfilment.cancellationRefused}</p>
      )}
      {requested && !fulfilment?.cancellationRefused && !(result && 'message' in result) && (
        <p className="notice">You asked to cancel this order.</p>
      )}
      {cancellable && !requested && (
        <Form method="post" className="cancel-form">
          <CsrfField />
          <button
            type="submit"
            name={INTENT_FIELD}
            value="cancel"
            className="button danger"
            disabled={navigation.state !== 'idle'}
          >
            Cancel order
          </button>
        </Form>
      )}
    </>
  );
}

/** The order's fulfilment: the loader's, then every change the server pushes. */
function useLiveFulfilment(order: OrderView) {
  const [live, setLive] = useState<FulfilmentView | null>(null);
  const stream = useEventStream<FulfilmentView>(
    `/api/orders/${encodeURIComponent(order.id)}/events`,
    'fulfilment',
    setLive,
  );
  return { fulfilment: live ?? order.fulfilment, stream };
}

function OrderDetail({ order }: { order: OrderView }) {
  const { fulfilment, stream } = useLiveFulfilment(order);
  const paid = order.paid || fulfilment?.paid === true;
  const ended = ['Cancelled', 'Expired', 'Failed'].includes(fulfilment?.stage ?? '');
  return (
    <article className="order" aria-labelledby="order-heading">
      <p>
        <a href="/orders">← My orders</a>
      </p>
      <h1 id="order-heading">Order {order.id}</h1>
      <dl className="summary">
        <dt>Placed</dt>
        <dd>
          <time dateTime={order.placedAt}>{formatDateTime(order.placedAt)}</time>
        </dd>
        <dt>Payment</dt>
        <dd data-testid="payment-state">
          {paid ? 'Paid' : ended ? 'Not paid' : `Not paid yet — pay by ${formatDateTime(order.payBy)}`}
        </dd>
      </dl>
      {!paid && !ended && (
        <p>
          <a href={`/orders/${encodeURIComponent(order.id)}/pay`} className="button primary">
            Pay now
          </a>
        </p>
      )}
      <section aria-labelledby="timeline-heading">
        <h2 id="timeline-heading">Progress</h2>
        <div aria-live="polite" data-testid="timeline-region">
          <StageTimeline fulfilment={fulfilment} />
        </div>
        {stream === 'reconnecting' && <p className="hint">Reconnecting to live updates…</p>}
        <CancelOrder fulfilment={fulfilment} order={order} />
      </section>
      <section aria-labelledby="items-heading">
        <h2 id="items-heading">Items</h2>
        <OrderLines order={order} />
      </section>
      <section aria-labelledby="payments-heading">
        <h2 id="payments-heading">Payments</h2>
        <Payments payments={order.payments} />
      </section>
      <section aria-labelledby="address-heading">
        <h2 id="address-heading">Delivery address</h2>
        <Address address={order.deliveryAddress} />
      </section>
    </article>
  );
}

export function OrderPage() {
  const order = useLoaderData() as OrderView;
  // A new order is a new stream and a fresh live state.
  return <OrderDetail key={order.id} order={order} />;
}

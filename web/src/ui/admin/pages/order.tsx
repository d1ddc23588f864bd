import {
  type ActionFunctionArgs,
  data,
  Form,
  type LoaderFunctionArgs,
  useActionData,
  useLoaderData,
} from 'react-router';
import { CsrfField } from '../../components/csrf-field';
import type { StorefrontData } from '../../data';
import { formatDateTime, formatPrice } from '../../format';
import { ActionMessage, type ActionOutcome } from '../components';
import type { AdminOrderDetail } from '../data';
import { adminRead } from '../route-data';

export function orderLoader(source: StorefrontData) {
  return async ({ request, params }: LoaderFunctionArgs): Promise<AdminOrderDetail> =>
    adminRead(request, () => source.admin.getOrder(params.id ?? ''));
}

/** Cancel, as an admin: ordering is asked through `order_cancellations`, naming who asked. */
export function orderAction(source: StorefrontData) {
  return async ({ request, params }: ActionFunctionArgs) => {
    const result = await adminRead(request, () => source.admin.cancelOrder(params.id ?? ''));
    if (!result.ok)
      return data<ActionOutcome>({ ok: false, message: result.message }, { status: result.status });
    return { ok: true, message: 'Cancellation asked: ordering cancels it and releases its stock.' };
  };
}

export function AdminOrderPage() {
  const order = useLoaderData() as AdminOrderDetail;
  const outcome = useActionData() as ActionOutcome | undefined;
  const money = (amount: number) => formatPrice({ amount, currency: order.currency });
  return (
    <section aria-labelledby="order-heading">
      <h1 id="order-heading">Order {order.id}</h1>
      <p>
        {order.stage ?? 'Placed'} · {order.paid ? 'paid' : 'unpaid'} · placed {formatDateTime(order.placedAt)}{' '}
        by {order.userId} · {money(order.total)}
      </p>
      <ActionMessage outcome={outcome} testId="order-status" />
      {order.cancellation && (
        <p>
          Cancellation asked {formatDateTime(order.cancellation.requestedAt)}
          {order.cancellation.requestedBy &&
            ` by ${order.cancellation.requestedBy.email ?? order.cancellation.requestedBy.sub}`}
          {order.cancellationRefused && `, refused: ${order.cancellationRefused}`}
        </p>
      )}
      {order.cancellable && (
        <Form method="post">
          <CsrfField />
          <button type="submit">Cancel this order</button>
        </Form>
      )}
      <h2>Lines</h2>
      <table className="admin-table">
        <thead>
          <tr>
            <th scope="col">Product</th>
            <th scope="col">Units</th>
            <th scope="col">Price</th>
          </tr>
        </thead>
        <tbody>
          {order.lines.map((line) => (
            <tr key={line.productId}>
              <td>{line.heading}</td>
              <td>{line.qty}</td>
              <td>{money(line.unitPrice)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Timeline</h2>
      <ol data-testid="admin-timeline">
        {order.timeline.map((entry) => (
          <li key={`${entry.stage}-${entry.at}`}>
            {entry.stage} · {formatDateTime(entry.at)}
            {entry.note && ` · ${entry.note}`}
          </li>
        ))}
      </ol>
      <h2>Payments</h2>
      {order.payments.length === 0 ? (
        <p className="empty">None yet.</p>
      ) : (
        <ul>
          {order.payments.map((payment) => (
            <li key={payment.id}>
              {payment.provider} {payment.status} {money(payment.amount)} ·{' '}
              {formatDateTime(payment.createdAt)}
              {payment.last4 && ` · card …${payment.last4}`}
            </li>
          ))}
        </ul>
      )}
      {order.refundsDue.length > 0 && (
        <>
          <h2>Refunds due</h2>
          <ul>
            {order.refundsDue.map((refund) => (
              <li key={refund.paymentId}>
                {money(refund.amount)} · {refund.reason} ·{' '}
                {refund.refund ? `refunded ${formatDateTime(refund.refund.refundedAt)}` : 'not yet'}
              </li>
            ))}
          </ul>
        </>
      )}
      <p>
        {/* Drawn from the local span store, which only development has (docs/observability.md). */}
        {order.traced && (
          <>
            <a href={`/api/admin/orders/${encodeURIComponent(order.id)}/trace.svg`}>Trace (waterfall)</a> ·{' '}
          </>
        )}
        <a href="/admin/orders">Back to the board</a>
      </p>
    </section>
  );
}

import { type LoaderFunctionArgs, useLoaderData } from 'react-router';
import { CsrfField } from '../components/csrf-field';
import type { OrderSummaryView, StorefrontData } from '../data';
import { formatDateTime, formatPrice } from '../format';
import { orRouteError } from '../route-errors';

export function ordersLoader(source: StorefrontData) {
  return async ({ request }: LoaderFunctionArgs): Promise<OrderSummaryView[]> =>
    orRouteError(request, () => source.listOrders());
}

export function OrdersPage() {
  const orders = useLoaderData() as OrderSummaryView[];
  return (
    <section className="orders" aria-labelledby="orders-heading">
      <h1 id="orders-heading">My orders</h1>
      {orders.length === 0 ? (
        <p className="empty">
          No orders yet. <a href="/">Browse the catalog</a>
        </p>
      ) : (
        <table className="orders-table">
          <caption className="visually-hidden">Your orders, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Order</th>
              <th scope="col">Placed</th>
              <th scope="col">Items</th>
              <th scope="col">Total</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {orders.map((order) => (
              <tr key={order.id} data-testid="order-row">
                <th scope="row">
                  <a href={`/orders/${encodeURIComponent(order.id)}`}>{order.id}</a>
                </th>
                <td>
                  <time dateTime={order.placedAt}>{formatDateTime(order.placedAt)}</time>
                </td>
                <td>{order.itemCount}</td>
                <td>{formatPrice({ amount: order.total, currency: order.currency })}</td>
                <td>
                  {order.stage}
                  {!order.paid && <span className="badge warn">unpaid</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {/* A real form post: the server ends every session of this user (a lost phone, a shared computer). */}
      <form method="post" action="/auth/logout-everywhere" className="sign-out-everywhere">
        <CsrfField />
        <p>
          Signed in on a device you no longer use?{' '}
          <button type="submit" className="link-button">
            Sign out everywhere
          </button>
        </p>
      </form>
    </section>
  );
}

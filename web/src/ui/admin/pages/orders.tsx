import { useEffect, useState } from 'react';
import { type LoaderFunctionArgs, useLoaderData } from 'react-router';
import type { StorefrontData } from '../../data';
import { formatDateTime, formatPrice } from '../../format';
import { useEventStream } from '../../live/use-event-stream';
import { BoardColumnFrame, StreamBadge } from '../components';
import type { BoardDelta, OrderBoard } from '../data';
import { adminRead } from '../route-data';
import { withChange } from './order-board-state';

export function ordersLoader(source: StorefrontData) {
  return async ({ request }: LoaderFunctionArgs): Promise<OrderBoard> =>
    adminRead(request, () => source.admin.orderBoard());
}

/**
 * The order board: fulfilments in columns by stage, live. A `change` moves one order's card at once;
 * a `board` snapshot (after each burst of changes) replaces everything and corrects the counts.
 */
export function OrdersPage() {
  const loaded = useLoaderData() as OrderBoard;
  const [board, setBoard] = useState(loaded);
  useEffect(() => setBoard(loaded), [loaded]);
  const stream = useEventStream<OrderBoard | BoardDelta>(
    '/api/admin/orders/events',
    ['board', 'change'],
    (data, event) =>
      setBoard((current) =>
        event === 'board' ? (data as OrderBoard) : withChange(current, data as BoardDelta),
      ),
  );
  const hold = board.oldestUnpaidHold;
  return (
    <section aria-labelledby="orders-heading">
      <h1 id="orders-heading">Orders</h1>
      <p className="board-summary">
        <span data-testid="picking">
          Picking {board.picking.inUse} of {board.picking.capacity}
        </span>{' '}
        <span data-testid="oldest-unpaid">
          {hold ? (
            <>
              Oldest unpaid hold:{' '}
              <a href={`/admin/orders/${encodeURIComponent(hold.orderId)}`}>{hold.orderId}</a>,{' '}
              {hold.heldUnits} units, pay by {formatDateTime(hold.payBy)}
            </>
          ) : (
            'No unpaid holds'
          )}
        </span>{' '}
        <StreamBadge state={stream} />
      </p>
      <div className="board" data-testid="order-board">
        {board.columns.map((column) => (
          <BoardColumnFrame
            key={column.stage}
            stage={column.stage}
            count={column.total}
            shown={column.cards.length}
          >
            {column.cards.map((card) => (
              <li key={card.orderId} className="board-card" data-testid="order-card">
                <a href={`/admin/orders/${encodeURIComponent(card.orderId)}`}>{card.orderId}</a>
                <span>
                  {card.units} units, {formatPrice({ amount: card.total, currency: card.currency })}
                </span>
                {!card.paid && <span className="badge warn">unpaid</span>}
                <span className="hint">since {formatDateTime(card.since)}</span>
              </li>
            ))}
          </BoardColumnFrame>
        ))}
      </div>
    </section>
  );
}

import { type FulfilmentDocument, type OrderDocument, TERMINAL_FULFILMENT_STAGES } from '@az-shop/common';

/**
 * An unpaid order holds (or queues for) its units until it is paid, cancelled or expires, so one
 * user placing order after order without paying could take the shop's stock from everyone else.
 * Checkout is refused while the user has `maxOrders` such orders, or when this order's units would
 * bring theirs past `maxUnits`.
 */
export interface UnpaidCap {
  maxOrders: number;
  maxUnits: number;
}

/** What web knows of one of the user's orders: ordering's fulfilment, a payment, a cancellation. */
export interface OrderState {
  order: Pick<OrderDocument, 'lines' | 'payBy' | 'placedAt'>;
  fulfilment: Pick<FulfilmentDocument, 'stage' | 'paid'> | null;
  paid: boolean;
  cancellationRequested: boolean;
}

const unitsOf = (order: Pick<OrderDocument, 'lines'>) => order.lines.reduce((sum, line) => sum + line.qty, 0);

/**
 * Still waiting for payment and holding stock: not paid (by web's payment or ordering's record),
 * not ended (cancelled, expired… or asked to be cancelled) and not past its `payBy`.
 */
export function isOpenAndUnpaid({ order, fulfilment, paid, cancellationRequested }: OrderState, now: Date) {
  if (paid || fulfilment?.paid || cancellationRequested) return false;
  if (fulfilment && TERMINAL_FULFILMENT_STAGES.includes(fulfilment.stage)) return false;
  return order.payBy === undefined || order.payBy.getTime() > now.getTime();
}

/** Why checkout is refused, or undefined when the new order fits under the cap. */
export function unpaidCapRefusal(
  unpaid: readonly Pick<OrderDocument, 'lines'>[],
  newOrder: Pick<OrderDocument, 'lines'>,
  cap: UnpaidCap,
): string | undefined {
  if (unpaid.length >= cap.maxOrders)
    return `You have ${unpaid.length} orders waiting for payment: pay or cancel one before ordering again.`;
  const held = unpaid.reduce((sum, order) => sum + unitsOf(order), 0);
  const wanted = unitsOf(newOrder);
  if (held + wanted > cap.maxUnits)
    return `Your unpaid orders hold ${held} items and this order has ${wanted}: at most ${cap.maxUnits} can wait for payment. Pay or cancel an order first.`;
  return undefined;
}

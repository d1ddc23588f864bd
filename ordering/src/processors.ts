import {
  createLoop,
  createProcessor,
  createServiceReactions,
  FACTORY_OUTPUT,
  ORDER_CANCELLATIONS,
  ORDERS,
  OVERDUE_SAMPLE_MS,
  PAYMENTS,
  processorDefaults,
  type ReactionOptions,
  type ServiceReactions,
  wakingAfter,
} from '@az-shop/common';
import type { OrderingDeps } from './deps';
import { fulfilmentHandlers } from './fulfilment/handlers';
import { fulfilmentTimers } from './fulfilment/timers';
import { ensureOrderingIndexes } from './indexes';

/**
 * Everything ordering reacts to, in one list: the answer to "what does ordering do?".
 * - orders insert → onOrderPlaced: a fulfilment, stock held (Reserved) or queued (Backordered)
 * - payments (inserted pending, updated by the provider's webhook) → onPaymentAuthorized: paid, or a refund due
 * - order_cancellations → onCancellationRequested: Cancelled and released, or refused
 * - factory_output → onFactoryOutput: onHand += qty once, backorders served first come first served
 * - timers: expiry at payBy, picking (capacity-limited) → Shipped → Delivered; the loop sleeps until
 *   the earliest deadline (ORDERING_IDLE_MS at most) and is woken by every handled event
 */
export function registerOrderingProcessors(
  deps: OrderingDeps,
  options: ReactionOptions = {},
): ServiceReactions {
  const handlers = fulfilmentHandlers(deps);
  const timers = fulfilmentTimers(deps, handlers);
  const common = processorDefaults(deps, options);
  const timerLoop = createLoop(timers.name, deps.config.ORDERING_TICK_MS, timers.tick, deps.logger, {
    idleMs: deps.config.ORDERING_IDLE_MS,
  });
  const processors = [
    createProcessor({
      ...common,
      name: 'ordering.onOrderPlaced',
      collection: ORDERS,
      handle: wakingAfter(timerLoop, handlers.onOrderPlaced),
    }),
    createProcessor({
      ...common,
      name: 'ordering.onPaymentAuthorized',
      collection: PAYMENTS,
      handle: wakingAfter(timerLoop, handlers.onPaymentAuthorized),
    }),
    createProcessor({
      ...common,
      name: 'ordering.onCancellationRequested',
      collection: ORDER_CANCELLATIONS,
      handle: wakingAfter(timerLoop, handlers.onCancellationRequested),
    }),
    createProcessor({
      ...common,
      name: 'ordering.onFactoryOutput',
      collection: FACTORY_OUTPUT,
      handle: wakingAfter(timerLoop, handlers.onFactoryOutput),
    }),
  ];
  const loops = [
    timerLoop,
    createLoop(timers.overdue.name, OVERDUE_SAMPLE_MS, timers.overdue.sample, deps.logger),
  ];
  return createServiceReactions({ processors, loops, prepare: () => ensureOrderingIndexes(deps.db) });
}

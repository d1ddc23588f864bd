import {
  createLoop,
  createProcessor,
  createServiceReactions,
  FACTORY_OUTPUT,
  type LeaseOptions,
  ORDER_CANCELLATIONS,
  ORDERS,
  PAYMENTS,
  type ServiceReactions,
} from '@az-shop/common';
import type { OrderingDeps } from './deps';
import { fulfilmentHandlers } from './fulfilment/handlers';
import { fulfilmentTimers } from './fulfilment/timers';
import { ensureOrderingIndexes } from './indexes';

export interface OrderingProcessorOptions {
  /** Share the work with other ordering instances through leases (default true; options tune the lease TTL). */
  leases?: boolean | LeaseOptions;
  /** Handlers running at once per processor (default 16). */
  concurrency?: number;
}

/**
 * Everything ordering reacts to, in one list: the answer to "what does ordering do?".
 * - orders insert → onOrderPlaced: a fulfilment, stock held (Reserved) or queued (Backordered)
 * - payments → onPaymentAuthorized: paid, or a refund due
 * - order_cancellations → onCancellationRequested: Cancelled and released, or refused
 * - factory_output → onFactoryOutput: onHand += qty once, backorders served first come first served
 * - timers: expiry at payBy, picking (capacity-limited) → Shipped → Delivered
 */
export function registerOrderingProcessors(
  deps: OrderingDeps,
  options: OrderingProcessorOptions = {},
): ServiceReactions {
  const handlers = fulfilmentHandlers(deps);
  const timers = fulfilmentTimers(deps, handlers);
  const common = {
    db: deps.db,
    logger: deps.logger,
    leases: options.leases ?? true,
    concurrency: options.concurrency ?? 16,
  };
  const processors = [
    createProcessor({
      ...common,
      name: 'ordering.onOrderPlaced',
      collection: ORDERS,
      handle: handlers.onOrderPlaced,
    }),
    createProcessor({
      ...common,
      name: 'ordering.onPaymentAuthorized',
      collection: PAYMENTS,
      handle: handlers.onPaymentAuthorized,
    }),
    createProcessor({
      ...common,
      name: 'ordering.onCancellationRequested',
      collection: ORDER_CANCELLATIONS,
      handle: handlers.onCancellationRequested,
    }),
    createProcessor({
      ...common,
      name: 'ordering.onFactoryOutput',
      collection: FACTORY_OUTPUT,
      handle: handlers.onFactoryOutput,
    }),
  ];
  const loops = [createLoop(timers.name, deps.config.ORDERING_TICK_MS, timers.tick, deps.logger)];
  return createServiceReactions({ processors, loops, prepare: () => ensureOrderingIndexes(deps.db) });
}

import { type Logger, retryThrottled } from '@az-shop/common';
import { acknowledge, release, ship } from '../stock/allocation';
import type { StockStore } from '../stock/store';
import type { FulfilmentStore } from './store';
import { type Fulfilment, REJECTION } from './types';

/**
 * Keeps fulfilments in step with the stock ledgers. Each step is a conditional single-document
 * write and safe to repeat, so a crash between two steps is finished by the next caller.
 */
export function stockSync(fulfilments: FulfilmentStore, stock: StockStore, now: () => Date, logger: Logger) {
  /**
   * One command of a flush, tried again in place while throttled (up to 2 s, then the handler's own
   * retry). A flush sends two commands per fulfilment in the outbox: started over for every refusal,
   * a long outbox under Cosmos DB throttling would almost never get through in one run.
   */
  const inPlace = <T>(command: () => Promise<T>): Promise<T> =>
    retryThrottled('ordering.stock-sync', command, { withinMs: 2_000 });

  /**
   * Tells the fulfilments that the product's queue gave them units (the ledger's `toNotify` outbox),
   * then forgets the told ones. A fulfilment that is no longer open gives its units back instead.
   */
  async function deliverAllocations(warehouse: string, productId: string): Promise<void> {
    const ledger = await inPlace(() => stock.read(warehouse, productId));
    if (ledger.toNotify.length === 0) return;
    const told: string[] = [];
    // Fulfilments not written yet stay in the outbox for their creator to flush. They must not make
    // this call go round again: it would spin until the creator runs, and the creator may be waiting
    // for the very concurrency slot this call holds (the ordering crash test hung exactly so).
    const notYetWritten: string[] = [];
    for (const fulfilmentId of ledger.toNotify) {
      const result = await inPlace(() =>
        fulfilments.execute(fulfilmentId, { type: 'AllocateLine', productId }, now),
      );
      if (result.rejection?.kind === REJECTION.NotFound && !result.state) {
        notYetWritten.push(fulfilmentId);
        continue;
      }
      if (result.rejection?.kind === REJECTION.IllegalState) {
        await inPlace(() => stock.change(warehouse, productId, (current) => release(current, fulfilmentId)));
      } else if (result.rejection) {
        logger.warn({ fulfilmentId, productId, reason: result.rejection.reason }, 'allocation not applied');
      }
      told.push(fulfilmentId);
    }
    if (told.length > 0)
      await inPlace(() => stock.change(warehouse, productId, (current) => acknowledge(current, told)));
    // Releasing above may have served the queue again.
    const after = await inPlace(() => stock.read(warehouse, productId));
    const handled = new Set([...told, ...notYetWritten]);
    if (after.toNotify.some((id) => !handled.has(id))) await deliverAllocations(warehouse, productId);
  }

  /** Does the stock work a transition left (`stockPending`): give holds back, or ship them; then clears it. */
  async function settle(fulfilment: Fulfilment): Promise<void> {
    const action = fulfilment.stockPending;
    if (!action) return;
    for (const line of fulfilment.lines) {
      if (action === 'ship') {
        await stock.change(fulfilment.warehouse, line.productId, (current) => ship(current, fulfilment._id));
      } else {
        await stock.change(fulfilment.warehouse, line.productId, (current) =>
          release(current, fulfilment._id),
        );
        await deliverAllocations(fulfilment.warehouse, line.productId);
      }
    }
    await fulfilments.execute(fulfilment._id, { type: 'SettleStock' }, now);
  }

  return { deliverAllocations, settle };
}

export type StockSync = ReturnType<typeof stockSync>;

import type { FulfilmentDocument } from '@az-shop/common';
import type { FastifyBaseLogger } from 'fastify';
import { type ChangeHub, EVERY_KEY } from '../live/change-hub';
import type { EventStream } from '../live/event-stream';
import { type OrderBoard, toDelta } from './board';

export interface OrderBoardFeedOptions {
  hub: ChangeHub<FulfilmentDocument>;
  read(): Promise<OrderBoard>;
  /** Snapshots after changes are at most this often, however many orders change. */
  refreshMs: number;
  log: FastifyBaseLogger;
}

/**
 * The order board for every open board page of this instance. Each fulfilment change is sent at once
 * to every page as a small `change` delta (built once); the whole board (counts, capacity, oldest
 * unpaid hold) is read once per `refreshMs` while changes keep coming and sent as `board`, so 50
 * pages and 50 changes a second cost one board read a second, not 2500.
 */
export class OrderBoardFeed {
  private readonly streams = new Set<EventStream>();
  private unsubscribe: (() => void) | undefined;
  private subscribing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Board reads run one after another, so a later snapshot is never overtaken by an older one. */
  private reads = Promise.resolve();

  constructor(private readonly options: OrderBoardFeedOptions) {}

  /** Sends the board now, and changes from here until the stream closes. */
  async attach(stream: EventStream): Promise<void> {
    this.streams.add(stream);
    stream.onClose(() => this.streams.delete(stream));
    // Subscribe before reading: a change written during the read follows the snapshot. The
    // subscription stays until the app closes (the hub keeps its change stream open anyway).
    this.subscribing ??= this.options.hub
      .subscribe(EVERY_KEY, (doc) => this.changed(doc))
      .then((off) => {
        this.unsubscribe = off;
      });
    try {
      await this.subscribing;
      stream.send('board', await this.options.read());
    } catch (error) {
      // The response has started: end it, and the browser's EventSource reconnects.
      this.options.log.warn({ err: error }, 'could not send the order board');
      stream.close();
    }
  }

  /** Open board streams (for tests and metrics). */
  get size(): number {
    return this.streams.size;
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.subscribing = undefined;
  }

  private changed(doc: FulfilmentDocument): void {
    if (this.streams.size === 0) return;
    const delta = toDelta(doc);
    for (const stream of this.streams) stream.send('change', delta);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.refresh();
    }, this.options.refreshMs);
  }

  private refresh(): void {
    this.reads = this.reads.then(async () => {
      if (this.streams.size === 0) return;
      try {
        const board = await this.options.read();
        for (const stream of this.streams) stream.send('board', board);
      } catch (error) {
        this.options.log.warn({ err: error }, 'could not refresh the order board');
      }
    });
  }
}

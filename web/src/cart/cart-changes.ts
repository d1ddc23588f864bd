import type { CartDocument } from '@az-shop/common';
import type { FastifyBaseLogger } from 'fastify';
import type { Collection } from 'mongodb';
import { ChangeHub, EVERY_KEY } from '../live/change-hub';

/**
 * Tells this instance which cart changed, from a change stream on `carts`: a change made through
 * another instance (the same shopper on another device) reaches the cached cart counts here.
 */
export class CartChanges {
  private readonly listeners = new Set<(cartId: string) => void>();
  private readonly hub: ChangeHub<CartDocument>;

  constructor(collection: Collection<CartDocument>, log: FastifyBaseLogger) {
    this.hub = new ChangeHub({ name: 'carts', collection, keyOf: (cart) => cart._id, log });
  }

  /** Opens the stream; changes written after this resolves reach the listeners. */
  async start(): Promise<void> {
    await this.hub.subscribe(EVERY_KEY, (cart) => {
      for (const listener of this.listeners) listener(cart._id);
    });
  }

  onChange(listener: (cartId: string) => void): void {
    this.listeners.add(listener);
  }

  close(): Promise<void> {
    return this.hub.close();
  }
}

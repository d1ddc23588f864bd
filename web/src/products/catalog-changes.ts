import type { CatalogDocument } from '@az-shop/common';
import type { FastifyBaseLogger } from 'fastify';
import type { Collection } from 'mongodb';
import { ChangeHub } from '../live/change-hub';

/** The one key of the catalog's hub: any change to the catalog concerns every cache of it. */
const ANY = 'catalog';

/**
 * Tells this instance's caches of the catalog (catalog reads, shared pages) that the catalog changed,
 * from a change stream on `products`: an edit made through any instance, or straight in the
 * database, shows on every instance as soon as the event arrives rather than when a TTL runs out.
 */
export class CatalogChanges {
  private readonly listeners = new Set<() => void>();
  private readonly hub: ChangeHub<CatalogDocument>;

  constructor(collection: Collection<CatalogDocument>, log: FastifyBaseLogger) {
    this.hub = new ChangeHub({ name: 'products', collection, keyOf: () => ANY, log });
  }

  /** Opens the stream; changes written after this resolves reach the listeners. */
  async start(): Promise<void> {
    await this.hub.subscribe(ANY, () => {
      for (const listener of this.listeners) listener();
    });
  }

  onChange(listener: () => void): void {
    this.listeners.add(listener);
  }

  close(): Promise<void> {
    return this.hub.close();
  }
}

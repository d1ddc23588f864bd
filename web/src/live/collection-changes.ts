import type { FastifyBaseLogger } from 'fastify';
import type { Collection, Document } from 'mongodb';
import { ChangeHub, EVERY_KEY } from './change-hub';

export interface CollectionChangesOptions<T extends Document> {
  /** The stream's name in logs and traces. */
  name: string;
  collection: Collection<T>;
  /** What a listener is told changed (a cart id; the catalog as a whole). */
  keyOf(doc: T): string;
  log: FastifyBaseLogger;
}

/**
 * Tells this instance's caches what changed in a collection, from a change stream (a `ChangeHub`:
 * reopened after errors, closed with the app): a write made through another instance, or straight in
 * the database, reaches them as soon as its event arrives rather than when a TTL runs out. Deletes
 * are not seen (Cosmos DB's change streams have none): the caches' TTL covers them.
 */
export class CollectionChanges<T extends Document> {
  private readonly listeners = new Set<(key: string) => void>();
  private readonly hub: ChangeHub<T>;

  constructor(private readonly options: CollectionChangesOptions<T>) {
    this.hub = new ChangeHub(options);
  }

  /** Opens the stream; changes written after this resolves reach the listeners. */
  async start(): Promise<void> {
    await this.hub.subscribe(EVERY_KEY, (doc) => {
      const key = this.options.keyOf(doc);
      for (const listener of this.listeners) listener(key);
    });
  }

  onChange(listener: (key: string) => void): void {
    this.listeners.add(listener);
  }

  close(): Promise<void> {
    return this.hub.close();
  }
}

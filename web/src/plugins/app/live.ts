import { Errors, FULFILMENTS, type FulfilmentDocument, STOCK, type StockDocument } from '@az-shop/common';
import type { FastifyInstance, FastifyReply, onRequestAsyncHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type { WebConfig } from '../../config';
import { clientKey } from '../../limits/client-key';
import { ChangeHub } from '../../live/change-hub';
import { type EventStream, openEventStream } from '../../live/event-stream';
import { streamLeases } from '../../live/stream-leases';

export interface Live {
  /** Changes of `fulfilments`, by order id. */
  fulfilments: ChangeHub<FulfilmentDocument>;
  /** Changes of `stock`, by product id. */
  stock: ChangeHub<StockDocument>;
  /** Starts an SSE response that the app ends when it closes. */
  open(reply: FastifyReply): EventStream;
}

declare module 'fastify' {
  interface FastifyInstance {
    live: Live;
    /**
     * onRequest hook of every live event stream route: at most LIVE_STREAMS_PER_CLIENT streams open
     * at once per user (or client address), counted across instances; one more is a 429.
     */
    liveStreamLimit: onRequestAsyncHookHandler;
    /**
     * The same limit for another kind of stream, counted apart from the storefront's (a `kind:`
     * prefix on the client key), with its own maximum: the back office's factory board.
     */
    liveStreamLimitFor(kind: string, max: number): onRequestAsyncHookHandler;
  }
}

/** Live updates for pages: one change stream per collection, shared by every open event stream. */
export const livePlugin = fp<{ config: WebConfig }>(
  async (app: FastifyInstance, { config }) => {
    const open = new Set<EventStream>();
    const live: Live = {
      fulfilments: new ChangeHub({
        name: FULFILMENTS,
        collection: app.db.collection<FulfilmentDocument>(FULFILMENTS),
        keyOf: (doc) => doc._id,
        log: app.log,
      }),
      stock: new ChangeHub({
        name: STOCK,
        collection: app.db.collection<StockDocument>(STOCK),
        keyOf: (doc) => doc.productId ?? doc.partition_key,
        log: app.log,
      }),
      open(reply) {
        const stream = openEventStream(reply, { pingMs: config.SSE_PING_SECONDS * 1000 });
        open.add(stream);
        stream.onClose(() => open.delete(stream));
        return stream;
      },
    };
    app.decorate('live', live);

    const leases = await streamLeases(app.db, app.mongoFlavour);
    const limitTo =
      (max: number, kind?: string): onRequestAsyncHookHandler =>
      async (request, reply) => {
        const key = kind ? `${kind}:${clientKey(request)}` : clientKey(request);
        const lease = await leases.acquire(key, max);
        if (!lease)
          throw new Errors.RateLimited('Too many live updates open at once; close a tab and try again');
        const release = () =>
          lease
            .release()
            .catch((error: unknown) => request.log.warn({ err: error }, 'live stream lease kept'));
        // The response's 'close': the stream ended or the client went away (also for a refused request).
        // A client gone while the lease was taken closed it already: this instance would renew it forever.
        if (reply.raw.closed || request.raw.socket?.destroyed) void release();
        else reply.raw.once('close', release);
      };
    app.decorate('liveStreamLimit', limitTo(config.LIVE_STREAMS_PER_CLIENT));
    app.decorate('liveStreamLimitFor', (kind: string, max: number) => limitTo(max, kind));

    // Open event streams never end on their own: end them, or closing the server would wait for them.
    app.addHook('preClose', async () => {
      for (const stream of [...open]) stream.close();
      await leases.close();
    });
    app.addHook('onClose', async () => {
      await Promise.all([live.fulfilments.close(), live.stock.close()]);
    });
  },
  { name: 'az-shop-live', dependencies: ['az-shop-mongo'] },
);

import type { FastifyBaseLogger } from 'fastify';
import type { Document } from 'mongodb';
import type { ChangeHub } from './change-hub';
import type { EventStream } from './event-stream';

export interface FollowOptions<T extends Document> {
  stream: EventStream;
  hub: ChangeHub<T>;
  key: string;
  event: string;
  /** The current state to send; read again on every change, so events are never older than the last. */
  read(): Promise<unknown>;
  log: FastifyBaseLogger;
}

/**
 * Sends `read()` now and after every change of `key`. Reads run one after another, each after the
 * change that triggered it, so the last event sent is always the latest state.
 */
export async function followChanges<T extends Document>({
  stream,
  hub,
  key,
  event,
  read,
  log,
}: FollowOptions<T>) {
  let queue = Promise.resolve();
  const push = () => {
    queue = queue
      .then(async () => stream.send(event, await read()))
      .catch((error: unknown) => log.warn({ err: error, key, event }, 'could not send a live update'));
  };
  // Subscribe first: a change written while the first state is read is then sent after it.
  const unsubscribe = await hub.subscribe(key, push);
  stream.onClose(unsubscribe);
  push();
}

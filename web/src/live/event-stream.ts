import { PassThrough } from 'node:stream';
import type { FastifyReply } from 'fastify';

/** One Server-Sent Events response. */
export interface EventStream {
  send(event: string, data: unknown): void;
  /** Sends an event already made by `formatEvent`: one serialization shared by many streams. */
  write(frame: string): void;
  /** Ends the response (the browser's EventSource reconnects after `retry`). */
  close(): void;
  /** Runs once, when the client goes away or the stream is closed. */
  onClose(cleanup: () => void): void;
}

export interface EventStreamOptions {
  pingMs: number;
  /** How long the browser waits before reconnecting, in ms. */
  retryMs?: number;
}

/** `event:` + `data:` lines; JSON has no raw newlines, so one data line is enough. */
export function formatEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * Starts an event stream as the reply's body, so the app's headers (helmet) still apply. A `: ping`
 * comment every `pingMs` keeps proxies from closing an idle connection; `x-accel-buffering: no`
 * keeps nginx from holding events back.
 */
export function openEventStream(
  reply: FastifyReply,
  { pingMs, retryMs = 3000 }: EventStreamOptions,
): EventStream {
  const body = new PassThrough();
  const cleanups: (() => void)[] = [];
  let closed = false;

  function finish() {
    if (closed) return;
    closed = true;
    clearInterval(ping);
    for (const cleanup of cleanups.splice(0)) cleanup();
    body.end();
  }

  const ping = setInterval(() => body.write(': ping\n\n'), pingMs);
  ping.unref();
  // The response's 'close' means the client went away (or the response ended). The request's own
  // 'close' is no signal: Node emits it as soon as the request body has been read.
  reply.raw.on('close', finish);

  reply
    .header('content-type', 'text/event-stream; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('x-accel-buffering', 'no')
    // An ended stream is not followed by another request on its connection: closing it at once
    // also lets the server shut down without waiting out the keep-alive timeout.
    .header('connection', 'close');
  void reply.send(body);
  body.write(`retry: ${retryMs}\n\n`);

  return {
    send(event, data) {
      if (!closed) body.write(formatEvent(event, data));
    },
    write(frame) {
      if (!closed) body.write(frame);
    },
    close: finish,
    onClose(cleanup) {
      if (closed) cleanup();
      else cleanups.push(cleanup);
    },
  };
}

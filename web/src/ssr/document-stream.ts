import { Transform } from 'node:stream';

/** React's stream, seen from the outside: it calls `flush()` on its destination after each batch. */
export interface DocumentStream extends Transform {
  flush(): void;
}

/**
 * Wraps React's stream in the HTML document: the head goes out with React's first batch, React's
 * chunks pass through a batch at a time, and the tail (which may wait for deferred data) is written
 * when React ends the stream. React writes 4 KB views and calls `flush()` when a batch (the shell, a
 * Suspense boundary) is complete; sending each batch as one chunk instead of a dozen saves a socket
 * write per view.
 */
export function documentStream(head: string, tail: () => Promise<string>): DocumentStream {
  let pending: Buffer[] = [Buffer.from(head)];
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      pending.push(chunk);
      callback();
    },
    flush(callback) {
      tail().then(
        (html) => {
          pending.push(Buffer.from(html));
          sendPending();
          callback();
        },
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    },
  }) as DocumentStream;

  function sendPending() {
    if (pending.length === 0) return;
    const batch = Buffer.concat(pending);
    pending = [];
    stream.push(batch);
  }

  stream.flush = sendPending;
  return stream;
}

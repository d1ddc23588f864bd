import { Transform } from 'node:stream';

/**
 * Wraps React's stream in the HTML document: the head goes out at once, React's chunks pass through
 * as they come, and the tail (which may wait for deferred data) is written when React ends the stream.
 */
export function documentStream(head: string, tail: () => Promise<string>): Transform {
  const stream = new Transform({
    transform(chunk, _encoding, callback) {
      callback(null, chunk);
    },
    flush(callback) {
      tail().then(
        (html) => callback(null, html),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    },
  });
  stream.push(head);
  return stream;
}

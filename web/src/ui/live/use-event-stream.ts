import { useEffect, useRef, useState } from 'react';
import { reconnectDelay } from './reconnect';

/** `idle` on the server and in the first browser render (so hydration matches), then the stream's state. */
export type StreamState = 'idle' | 'live' | 'reconnecting';

/**
 * Listens to one event (or several) of a server-sent event stream after hydration and hands its JSON
 * data, and the event's name, to `onData`. A dropped or refused connection is reopened after a growing, jittered delay: the
 * browser's own retry gives up for good on an HTTP error, and retries at a fixed pace otherwise.
 */
export function useEventStream<T>(
  url: string,
  event: string | readonly string[],
  onData: (data: T, event: string) => void,
): StreamState {
  const [state, setState] = useState<StreamState>('idle');
  // The latest callback, without reopening the stream whenever the caller re-renders.
  const onDataRef = useRef(onData);
  onDataRef.current = onData;
  // By value: a list written inline is a new array at every render.
  const events = typeof event === 'string' ? event : event.join(',');

  useEffect(() => {
    let source: EventSource | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let attempt = 0;
    const connect = () => {
      source = new EventSource(url);
      source.addEventListener('open', () => {
        attempt = 0;
        setState('live');
      });
      for (const name of events.split(',')) {
        source.addEventListener(name, (message) => {
          try {
            onDataRef.current(JSON.parse((message as MessageEvent<string>).data) as T, name);
          } catch {
            // A malformed message is skipped; the next one carries the whole state again.
          }
        });
      }
      source.addEventListener('error', () => {
        source?.close();
        setState('reconnecting');
        retry = setTimeout(connect, reconnectDelay(attempt++));
      });
    };
    connect();
    return () => {
      clearTimeout(retry);
      source?.close();
    };
  }, [url, events]);

  return state;
}

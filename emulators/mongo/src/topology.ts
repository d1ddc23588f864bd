import { type Document, Long, ObjectId } from 'bson';
import { isPlainObject, numberOf } from './bsonUtil.js';
import { fail } from './errors.js';

const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export interface TopologyVersion {
  processId: ObjectId;
  counter: Long;
}

/** What an awaitable hello (`topologyVersion` + `maxAwaitTimeMS`) asks for. */
export interface AwaitRequest {
  client: TopologyVersion;
  maxAwaitTimeMS: number;
}

/**
 * The server's `topologyVersion` for the SDAM streaming protocol: `processId` is new on every server start,
 * `counter` grows with every topology change. Awaitable hellos wait here until it changes, the server stops
 * or their `maxAwaitTimeMS` passes, so drivers learn about changes at once without polling.
 */
export class Topology {
  readonly processId = new ObjectId();
  private counter = 0;
  private closed = false;
  private readonly waiters = new Set<() => void>();

  version(): TopologyVersion {
    return { processId: this.processId, counter: Long.fromNumber(this.counter) };
  }

  /** A topology change: every awaitable hello answers now with the new version. */
  changed(): void {
    this.counter++;
    for (const w of [...this.waiters]) w();
  }

  /**
   * Server stop, a topology change for mongod too: pending waits end at once and new ones do not wait
   * (their connections are being cut).
   */
  close(): void {
    this.closed = true;
    this.changed();
  }

  /**
   * Waits as mongod's awaitHelloResponse does: at once for another process's or an older version, up to
   * `maxAwaitTimeMS` for the current one. `signal` ends the wait when the client's connection closes.
   */
  async awaitChange(request: AwaitRequest, signal?: AbortSignal): Promise<void> {
    const { client, maxAwaitTimeMS } = request;
    if (!client.processId.equals(this.processId)) return;
    const counter = client.counter.toNumber();
    if (counter > this.counter) {
      fail(
        'Location31382',
        `Received a topology version with the same process ID and a higher counter than the server's. Received: ${counter}, current: ${this.counter}`,
      );
    }
    if (counter < this.counter || this.closed || signal?.aborted || maxAwaitTimeMS <= 0) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      // Node fires longer timeouts at once: clamp, or a huge maxAwaitTimeMS would stream without pause.
      const timer = setTimeout(done, Math.min(maxAwaitTimeMS, MAX_TIMEOUT_MS));
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

/**
 * Parses the awaitable-hello fields of a hello/isMaster command, with mongod's validation: both or neither
 * (31368), a non-negative counter (31372) and wait (31373). Null for a plain hello.
 */
export function awaitRequest(cmd: Document): AwaitRequest | null {
  const tv = cmd.topologyVersion;
  const max = cmd.maxAwaitTimeMS;
  if (tv === undefined && max === undefined) return null;
  if (tv === undefined || max === undefined) {
    fail(
      'Location31368',
      tv === undefined
        ? "A request with 'maxAwaitTimeMS' must include a 'topologyVersion'"
        : "A request with a 'topologyVersion' must include 'maxAwaitTimeMS'",
    );
  }
  if (!isPlainObject(tv) || !(tv.processId instanceof ObjectId)) {
    fail('TypeMismatch', "BSON field 'topologyVersion.processId' is missing or not an objectId");
  }
  const counter = numberOf(tv.counter);
  if (counter === undefined) fail('TypeMismatch', "BSON field 'topologyVersion.counter' must be a number");
  if (counter < 0) fail('Location31372', 'topologyVersion must have a non-negative counter');
  const maxAwaitTimeMS = numberOf(max);
  if (maxAwaitTimeMS === undefined) fail('TypeMismatch', "BSON field 'maxAwaitTimeMS' must be a number");
  if (maxAwaitTimeMS < 0) fail('Location31373', 'maxAwaitTimeMS must be a non-negative integer');
  return { client: { processId: tv.processId, counter: Long.fromNumber(counter) }, maxAwaitTimeMS };
}

/**
 * The low-watermark of one stream of events whose handling finishes out of order.
 *
 * Every event is registered in stream order with its position (resume token). `checkpoint()` is the
 * newest position P such that every registered event at or before P is finished: resuming after P
 * never skips an unfinished event. Positions of events that this tracker does not own (another
 * bucket's events, or a post-batch resume token) move it forward through `advance`.
 *
 * Positions and events may carry a time (epoch ms: the event's cluster time, or when it was read), so
 * the lag metrics can say how old the oldest unfinished event and the checkpoint are.
 */
export interface WatermarkEntry {
  done: boolean;
}

interface Entry<P> extends WatermarkEntry {
  /** The position just before this event: where to resume if this event is the oldest unfinished. */
  prev: P | undefined;
  prevAt: number | undefined;
  at: number | undefined;
}

export class Watermark<P> {
  private readonly entries: Entry<P>[] = [];
  private head = 0;
  private latest: P | undefined;
  private latestAt: number | undefined;

  constructor(initial?: P, initialAt?: number) {
    this.latest = initial;
    this.latestAt = initialAt;
  }

  /** Registers the next event of the stream, at position `position` (at time `at`). */
  add(position: P, at?: number): WatermarkEntry {
    const entry: Entry<P> = { done: false, prev: this.latest, prevAt: this.latestAt, at };
    this.entries.push(entry);
    this.latest = position;
    this.latestAt = at;
    return entry;
  }

  /** Registers an event with no position of its own (catch-up): it only holds the watermark back. */
  hold(at?: number): WatermarkEntry {
    const entry: Entry<P> = { done: false, prev: this.latest, prevAt: this.latestAt, at };
    this.entries.push(entry);
    return entry;
  }

  /** Moves to a position past which this tracker has no event of its own. */
  advance(position: P, at?: number): void {
    this.latest = position;
    this.latestAt = at;
  }

  complete(entry: WatermarkEntry): void {
    entry.done = true;
    this.compact();
  }

  /** The resume position; undefined while no safe position is known (e.g. catch-up unfinished). */
  checkpoint(): P | undefined {
    const oldest = this.entries[this.head];
    return oldest ? oldest.prev : this.latest;
  }

  /** The time of `checkpoint()`'s position, when it had one. */
  checkpointTime(): number | undefined {
    const oldest = this.entries[this.head];
    return oldest ? oldest.prevAt : this.latestAt;
  }

  /** The time of the oldest unfinished event (the first in stream order); undefined when none is. */
  oldestPendingTime(): number | undefined {
    return this.entries[this.head]?.at;
  }

  /** Events registered and not finished (plus finished ones behind an unfinished one). */
  get pending(): number {
    return this.entries.length - this.head;
  }

  private compact(): void {
    while (this.head < this.entries.length && this.entries[this.head]!.done) this.head++;
    // Reclaim the prefix in amortized O(1): only when it is most of the array.
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries.splice(0, this.head);
      this.head = 0;
    }
  }
}

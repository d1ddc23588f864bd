/**
 * The low-watermark of one stream of events whose handling finishes out of order.
 *
 * Every event is registered in stream order with its position (resume token). `checkpoint()` is the
 * newest position P such that every registered event at or before P is finished: resuming after P
 * never skips an unfinished event. Positions of events that this tracker does not own (another
 * bucket's events, or a post-batch resume token) move it forward through `advance`.
 */
export interface WatermarkEntry {
  done: boolean;
}

interface Entry<P> extends WatermarkEntry {
  /** The position just before this event: where to resume if this event is the oldest unfinished. */
  prev: P | undefined;
}

export class Watermark<P> {
  private readonly entries: Entry<P>[] = [];
  private head = 0;
  private latest: P | undefined;

  constructor(initial?: P) {
    this.latest = initial;
  }

  /** Registers the next event of the stream, at position `position`. */
  add(position: P): WatermarkEntry {
    const entry: Entry<P> = { done: false, prev: this.latest };
    this.entries.push(entry);
    this.latest = position;
    return entry;
  }

  /** Registers an event with no position of its own (catch-up): it only holds the watermark back. */
  hold(): WatermarkEntry {
    const entry: Entry<P> = { done: false, prev: this.latest };
    this.entries.push(entry);
    return entry;
  }

  /** Moves to a position past which this tracker has no event of its own. */
  advance(position: P): void {
    this.latest = position;
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

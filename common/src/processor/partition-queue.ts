/**
 * Runs work items one at a time per key, in arrival order, and different keys concurrently up to
 * `concurrency`. `push` waits while `maxBuffered` items are queued or running, which is how
 * back-pressure reaches the change stream: the reader stops pulling until there is room.
 */
export interface PartitionQueueOptions<T> {
  concurrency: number;
  maxBuffered: number;
  run: (key: string, item: T) => Promise<void>;
}

export class PartitionQueue<T> {
  private readonly queues = new Map<string, T[]>();
  /** Keys with queued items and nothing running, in the order they became ready (fairness). */
  private readonly ready: string[] = [];
  private readyHead = 0;
  private readonly running = new Set<string>();
  private buffered = 0;
  private roomWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly options: PartitionQueueOptions<T>) {
    if (options.concurrency < 1 || options.maxBuffered < 1)
      throw new RangeError('concurrency and maxBuffered must be >= 1');
  }

  /** Items queued or running. */
  get size(): number {
    return this.buffered;
  }

  get active(): number {
    return this.running.size;
  }

  /** Queues `item` under `key`; resolves once it is queued (waits for room first). */
  async push(key: string, item: T): Promise<void> {
    while (this.buffered >= this.options.maxBuffered && !this.closed) {
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
    if (this.closed) return;
    this.buffered++;
    let queue = this.queues.get(key);
    if (!queue) {
      queue = [];
      this.queues.set(key, queue);
    }
    queue.push(item);
    if (queue.length === 1 && !this.running.has(key)) this.ready.push(key);
    this.pump();
  }

  /** Stops accepting and drops everything queued but not started; resolves when running items finish. */
  async close(): Promise<T[]> {
    this.closed = true;
    const dropped: T[] = [];
    for (const queue of this.queues.values()) dropped.push(...queue);
    this.buffered -= dropped.length;
    this.queues.clear();
    this.ready.length = 0;
    this.readyHead = 0;
    for (const wake of this.roomWaiters.splice(0)) wake();
    await this.idle();
    return dropped;
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (this.buffered === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.running.size < this.options.concurrency && this.readyHead < this.ready.length) {
      const key = this.ready[this.readyHead++]!;
      const item = this.queues.get(key)?.shift();
      if (item === undefined) continue;
      this.running.add(key);
      void this.execute(key, item);
    }
    if (this.readyHead > 1024 && this.readyHead * 2 > this.ready.length) {
      this.ready.splice(0, this.readyHead);
      this.readyHead = 0;
    }
  }

  private async execute(key: string, item: T): Promise<void> {
    try {
      await this.options.run(key, item);
    } catch {
      // `run` owns error handling (retries, parking); a throw here must not stall the key.
    }
    this.running.delete(key);
    this.buffered--;
    const queue = this.queues.get(key);
    if (queue && queue.length > 0) this.ready.push(key);
    else this.queues.delete(key);
    this.roomWaiters.shift()?.();
    if (this.buffered === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    this.pump();
  }
}

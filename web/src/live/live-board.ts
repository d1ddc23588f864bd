import type { FastifyBaseLogger } from 'fastify';
import type { Document } from 'mongodb';
import type { ChangeHub } from './change-hub';
import { type EventStream, formatEvent } from './event-stream';

/** Gets each event as an SSE frame (`formatEvent`), serialized once for all pages. */
export type BoardEventListener = (event: string, frame: string) => void;

export interface LiveBoardOptions<TDoc extends Document, TBoard, TDelta> {
  /** What the logs call it. */
  name: string;
  hub: ChangeHub<TDoc>;
  /** The hub's key the board follows (`EVERY_KEY`, or a key the hub gives every document). */
  key: string;
  read(): Promise<TBoard>;
  /** The event each change is sent as at once (no read), and its data. */
  delta: { event: string; of(doc: TDoc): TDelta };
  /** Changes within this long are answered with one snapshot. */
  refreshMs: number;
  /** A snapshot is reused by new pages this long when nothing changed. */
  maxAgeMs?: number;
  log: FastifyBaseLogger;
  now?: () => number;
}

/**
 * A back-office board for every open board page of this instance: one subscription to a shared
 * change hub, fanned out. Each change goes out at once as a delta (no read); a burst of changes is
 * followed by one fresh `board` snapshot for all pages (one read per `refreshMs`, however many pages
 * are open), read after the burst's last change. 50 pages and 50 changes a second cost one read a
 * second, not 2,500.
 */
export class LiveBoard<TDoc extends Document, TBoard, TDelta> {
  private readonly listeners = new Set<BoardEventListener>();
  private unsubscribe: Promise<() => void> | undefined;
  private version = 0;
  private snapshot: { version: number; readAt: number; board: Promise<TBoard> } | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Snapshots read so far (one per burst, not one per page: tests and metrics look). */
  reads = 0;

  constructor(private readonly options: LiveBoardOptions<TDoc, TBoard, TDelta>) {}

  /**
   * The current board, read once for everyone asking while nothing changed. Only while pages follow
   * the changes: without them no change would mark a kept snapshot stale.
   */
  latest(): Promise<TBoard> {
    const { maxAgeMs = 5000, now = Date.now } = this.options;
    const cached = this.listeners.size > 0 ? this.snapshot : undefined;
    if (cached && cached.version === this.version && now() - cached.readAt < maxAgeMs) return cached.board;
    this.reads++;
    const board = this.options.read();
    const snapshot = { version: this.version, readAt: now(), board };
    this.snapshot = snapshot;
    board.catch(() => {
      if (this.snapshot === snapshot) this.snapshot = undefined; // a failed read is not reused
    });
    return board;
  }

  /** `listener` gets every later delta and snapshot; resolves once changes are followed. */
  async subscribe(listener: BoardEventListener): Promise<() => void> {
    this.listeners.add(listener);
    if (!this.unsubscribe) {
      this.version++; // a snapshot read while nobody followed the changes may be stale
      this.unsubscribe = this.options.hub.subscribe(this.options.key, (doc) => this.changed(doc));
    }
    await this.unsubscribe;
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stopFollowing();
    };
  }

  /**
   * Serves one page's event stream: follows the changes first (so one made while the first snapshot
   * is read comes after it), then sends that snapshot unless a newer one went out meanwhile.
   */
  async follow(stream: EventStream): Promise<void> {
    let snapshotSent = false;
    const unsubscribe = await this.subscribe((event, frame) => {
      if (event === 'board') snapshotSent = true;
      stream.write(frame);
    });
    stream.onClose(unsubscribe);
    try {
      const board = await this.latest();
      if (!snapshotSent) stream.send('board', board);
    } catch (error) {
      // The response has started: end it, and the browser's EventSource reconnects.
      this.options.log.warn({ err: error, board: this.options.name }, 'board not read');
      stream.close();
    }
  }

  /** Pages following the board (for tests and metrics). */
  get size(): number {
    return this.listeners.size;
  }

  close(): void {
    this.listeners.clear();
    this.stopFollowing();
  }

  private stopFollowing(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = undefined;
    void unsubscribe?.then((stop) => stop());
  }

  private changed(doc: TDoc): void {
    this.version++;
    this.emit(this.options.delta.event, this.options.delta.of(doc));
    // One snapshot per burst: the timer runs from the first change, the read starts after the last
    // one seen by then, and a change during the read starts another timer.
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.latest().then(
        (board) => this.emit('board', board),
        (error: unknown) => this.options.log.warn({ err: error, board: this.options.name }, 'board not read'),
      );
    }, this.options.refreshMs);
    this.timer.unref();
  }

  private emit(event: string, data: unknown): void {
    if (this.listeners.size === 0) return;
    const frame = formatEvent(event, data);
    for (const listener of this.listeners) {
      try {
        listener(event, frame);
      } catch (error) {
        this.options.log.error({ err: error, board: this.options.name }, 'board listener failed');
      }
    }
  }
}

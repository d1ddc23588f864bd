import { WORK_ITEM_STAGE, WORK_ITEMS, type WorkItemDocument, type WorkItemStage } from '@az-shop/common';
import type { FastifyBaseLogger } from 'fastify';
import type { Collection, Db, Filter, Sort } from 'mongodb';
import type { ChangeHub } from '../live/change-hub';
import { formatEvent } from '../live/event-stream';
import {
  BOARD_STAGES,
  type BoardItem,
  boardItem,
  buildBoard,
  CHART_HOURS,
  type FactoryBoard,
  TERMINAL_STAGES,
} from './factory-board';

/** Items listed per column (the column's `count` has them all). */
const ACTIVE_PAGE = 100;
const TERMINAL_PAGE = 20;

/** How each column is read: by the factory's own indexes (`stage`+`waitingSince`, `stage`+`buildEndsAt`). */
const SORTS: Partial<Record<WorkItemStage, Sort>> = {
  [WORK_ITEM_STAGE.FactoryReady]: { waitingSince: 1, _id: 1 },
  [WORK_ITEM_STAGE.Building]: { buildEndsAt: 1, _id: 1 },
  [WORK_ITEM_STAGE.InventoryAvailable]: { buildEndsAt: -1, _id: -1 },
};

/** Reads the board: a page per column, every column's count, the builds finished in the chart's hours. */
export function boardReader(db: Db, capacityTotal: number, now = () => new Date()) {
  const items: Collection<WorkItemDocument> = db.collection<WorkItemDocument>(WORK_ITEMS);
  return async function readBoard(): Promise<FactoryBoard> {
    const at = now();
    const since = new Date(at.getTime() - CHART_HOURS * 3600_000);
    const [pages, counts, finished] = await Promise.all([
      Promise.all(
        BOARD_STAGES.map((stage) =>
          items
            .find({ stage } as Filter<WorkItemDocument>)
            .sort(SORTS[stage] ?? { _id: TERMINAL_STAGES.includes(stage) ? -1 : 1 })
            .limit(TERMINAL_STAGES.includes(stage) ? TERMINAL_PAGE : ACTIVE_PAGE)
            .toArray(),
        ),
      ),
      Promise.all(BOARD_STAGES.map(async (stage) => [stage, await items.countDocuments({ stage })] as const)),
      // Built = past Building; the build ended at `completedAt` (`buildEndsAt` is the index's field).
      items
        .find(
          {
            stage: {
              $in: [
                WORK_ITEM_STAGE.FactoryComplete,
                WORK_ITEM_STAGE.MoveToWarehouse,
                WORK_ITEM_STAGE.InventoryAvailable,
              ],
            },
            buildEndsAt: { $gte: since },
          },
          { projection: { qty: 1, completedAt: 1, buildEndsAt: 1 } },
        )
        .toArray(),
    ]);
    return buildBoard({
      items: pages.flat(),
      counts: Object.fromEntries(counts),
      capacityTotal,
      finished: finished.flatMap((item) => {
        const end = item.completedAt ?? item.buildEndsAt;
        return end ? [{ at: end, qty: item.qty }] : [];
      }),
      now: at,
    });
  };
}

/** Gets each event as an SSE frame (`formatEvent`), serialized once for all pages. */
export type BoardEventListener = (event: 'board' | 'item', frame: string) => void;

export interface BoardFeedOptions {
  hub: ChangeHub<WorkItemDocument>;
  /** The hub's key for every work item (the board wants them all). */
  key: string;
  read(): Promise<FactoryBoard>;
  /** Changes within this long are answered with one snapshot. */
  refreshMs: number;
  /** A snapshot is reused by new pages this long when nothing changed (progress and the chart move). */
  maxAgeMs?: number;
  log: FastifyBaseLogger;
  now?: () => number;
}

/**
 * The factory board for every open board page of this instance: one subscription to the shared
 * work_items change stream, fanned out. Each change goes out at once as an `item` delta (no read);
 * a burst of changes is followed by one fresh `board` snapshot for all pages (one read per
 * `refreshMs`, however many pages are open), read after the burst's last change.
 */
export class BoardFeed {
  private readonly listeners = new Set<BoardEventListener>();
  private unsubscribe: Promise<() => void> | undefined;
  private version = 0;
  private snapshot: { version: number; readAt: number; board: Promise<FactoryBoard> } | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Snapshots read so far (one per burst, not one per page: tests and metrics look). */
  reads = 0;

  constructor(private readonly options: BoardFeedOptions) {}

  /**
   * The current board, read once for everyone asking while nothing changed. Only while pages follow
   * the changes: without them no change would mark a kept snapshot stale.
   */
  latest(): Promise<FactoryBoard> {
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

  private changed(doc: WorkItemDocument): void {
    this.version++;
    this.emit('item', boardItem(doc, new Date()));
    // One snapshot per burst: the timer runs from the first change, the read starts after the last
    // one seen by then, and a change during the read starts another timer.
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.latest().then(
        (board) => this.emit('board', board),
        (error: unknown) => this.options.log.warn({ err: error }, 'factory board not read'),
      );
    }, this.options.refreshMs);
    this.timer.unref();
  }

  private emit(event: 'board' | 'item', data: FactoryBoard | BoardItem): void {
    if (this.listeners.size === 0) return;
    const frame = formatEvent(event, data);
    for (const listener of this.listeners) {
      try {
        listener(event, frame);
      } catch (error) {
        this.options.log.error({ err: error }, 'board listener failed');
      }
    }
  }
}

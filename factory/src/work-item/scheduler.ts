import {
  FACTORY_OUTPUT,
  type FactoryOutputDocument,
  factoryOutputId,
  inTimerSpan,
  isDuplicateKey,
  overdueTimers,
  withTraceparent,
} from '@az-shop/common';
import type { FactoryDeps } from '../deps';
import { byQueueOrder } from './schedule';
import { factorySlots } from './slots';
import { fromDocument, type WorkItemStore } from './store';
import { WORK_ITEM_STAGE, type WorkItem } from './types';

/** A claimed slot whose item is not Building after this long is stale (its claimer died). */
const SLOT_GRACE_MS = 30_000;
const BATCH = 500;

/** Builds past their end time: the completion pass and the overdue gauge read the same filter. */
const buildsDue = (now: Date) => ({ stage: WORK_ITEM_STAGE.Building, buildEndsAt: { $lte: now } });

/**
 * The durable build scheduler. Build times live in the work items (`buildStartedAt`/`buildEndsAt`)
 * and capacity in `factory_slots`, so a restarted factory (or another instance) continues: an item
 * whose end time passed while the factory was down completes on the next pass; output is written
 * with a deterministic `_id`, so it exists exactly once however often a pass repeats.
 */
export function buildScheduler(deps: FactoryDeps, store: WorkItemStore) {
  const { db, config, clock } = deps;
  const now = () => clock.now();
  const slots = factorySlots(db);
  const name = 'factory.buildScheduler';
  const outputs = db.collection<FactoryOutputDocument>(FACTORY_OUTPUT);

  /**
   * One span per work item a pass moves on, in the trace of the write that queued or advanced it (the
   * item's `traceparent`), so backorder → work item → output → stock reads as one trace.
   */
  function timed(step: string, item: WorkItem, work: () => Promise<void>): Promise<void> {
    return inTimerSpan(name, step, item, work);
  }

  async function find(filter: Parameters<typeof store.collection.find>[0], sort = {}): Promise<WorkItem[]> {
    const documents = await store.collection.find(filter, { sort, limit: BATCH }).toArray();
    return documents.map((document) => fromDocument(document).state);
  }

  /** Building and past its end time → FactoryComplete → MoveToWarehouse. */
  async function completeBuilds(): Promise<void> {
    for (const item of await find(buildsDue(now()))) {
      await timed('complete', item, async () => {
        await store.execute(item._id, { type: 'CompleteBuild', outputId: factoryOutputId(item._id) }, now);
      });
    }
  }

  /** Moving to the warehouse → the one factory_output document, then InventoryAvailable and the slot freed. */
  async function deliverOutputs(): Promise<void> {
    for (const item of await find({ stage: WORK_ITEM_STAGE.MoveToWarehouse })) {
      await timed('deliver', item, () => deliverOutput(item));
    }
  }

  async function deliverOutput(item: WorkItem): Promise<void> {
    const output: FactoryOutputDocument = {
      _id: factoryOutputId(item._id),
      partition_key: item.productId,
      workItemId: item._id,
      productId: item.productId,
      warehouse: item.warehouse,
      qty: item.qty,
      producedAt: item.completedAt ?? now(),
    };
    try {
      await outputs.insertOne(withTraceparent(output));
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
    await store.execute(item._id, { type: 'ConfirmInventory' }, now);
    await slots.free([item._id]);
  }

  /** Waiting items start building, first come first served, while capacity is free. */
  async function startBuilds(): Promise<void> {
    const holders = await slots.holders();
    if (holders.length > 0) {
      const building = await store.collection
        .find({ _id: { $in: holders.map((h) => h.id) }, stage: WORK_ITEM_STAGE.Building })
        .project({ _id: 1 })
        .toArray();
      const live = new Set(building.map((document) => String(document._id)));
      const stale = holders.filter(
        (h) => !live.has(h.id) && now().getTime() - h.since.getTime() > SLOT_GRACE_MS,
      );
      await slots.free(stale.map((holder) => holder.id));
    }
    const used = (await slots.holders()).length;
    const free = config.FACTORY_CAPACITY - used;
    if (free <= 0) return;
    const waiting = (await find({ stage: WORK_ITEM_STAGE.FactoryReady }, { waitingSince: 1, _id: 1 })).sort(
      byQueueOrder,
    );
    for (const item of waiting.slice(0, free)) {
      if (!(await slots.claim(item._id, config.FACTORY_CAPACITY, now()))) return;
      await timed('start', item, async () => {
        const result = await store.execute(
          item._id,
          { type: 'StartBuild', secondsPerUnit: config.FACTORY_SECONDS_PER_UNIT, capacityClaimed: true },
          now,
        );
        if (result.rejection) await slots.free([item._id]);
      });
    }
  }

  /** In how many ms the earliest build still running ends (the `build_end` index answers it). */
  async function nextEndIn(): Promise<number | undefined> {
    const [next] = await store.collection
      .find({ stage: WORK_ITEM_STAGE.Building, buildEndsAt: { $gte: new Date(0) } })
      .sort({ buildEndsAt: 1 })
      .limit(1)
      .project<{ buildEndsAt: Date }>({ _id: 0, buildEndsAt: 1 })
      .toArray();
    return next ? next.buildEndsAt.getTime() - now().getTime() : undefined;
  }

  /**
   * One pass; returns in how many ms the earliest build ends, so the loop can sleep until then
   * (FACTORY_TICK_MS at least, FACTORY_IDLE_MS at most) rather than pass every tick while nothing is due.
   */
  async function tick(): Promise<number | undefined> {
    await completeBuilds();
    await deliverOutputs();
    await startBuilds();
    return nextEndIn();
  }

  const overdue = overdueTimers(
    name,
    [
      {
        name: 'completeBuilds',
        collection: db.collection(store.collection.collectionName),
        due: buildsDue,
        dueField: 'buildEndsAt',
      },
    ],
    clock,
  );
  return { name, tick, overdue };
}

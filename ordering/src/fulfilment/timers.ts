import { inTimerSpan, overdueTimers } from '@az-shop/common';
import type { Document } from 'mongodb';
import type { OrderingDeps } from '../deps';
import { pickingSlots } from '../picking/slots';
import type { FulfilmentHandlers } from './handlers';
import { OPEN_STAGES } from './rules';
import { FULFILMENT_STAGE, type Fulfilment } from './types';

/** A claimed slot whose fulfilment is not Picking after this long is stale (its claimer died). */
const SLOT_GRACE_MS = 30_000;
const BATCH = 500;

/** The fulfilments each deadline timer waits on, and the field holding their deadline. */
const WAITING = {
  expireUnpaid: { filter: { stage: { $in: OPEN_STAGES }, paid: false }, field: 'payBy' },
  shipPicked: { filter: { stage: FULFILMENT_STAGE.Picking }, field: 'pickingEndsAt' },
  deliverShipped: { filter: { stage: FULFILMENT_STAGE.Shipped }, field: 'deliverAt' },
} as const;

/** What each deadline timer moves on once due: its pass and the overdue gauge read the same filter. */
const DUE = {
  expireUnpaid: (now: Date) => ({ ...WAITING.expireUnpaid.filter, payBy: { $lte: now } }),
  shipPicked: (now: Date) => ({ ...WAITING.shipPicked.filter, pickingEndsAt: { $lte: now } }),
  deliverShipped: (now: Date) => ({ ...WAITING.deliverShipped.filter, deliverAt: { $lte: now } }),
};

/**
 * Ordering's durable timers. Deadlines live in the fulfilment documents (`payBy`, `pickingEndsAt`,
 * `deliverAt`, `stockPending`), so a restarted service, or any instance, continues where another
 * stopped: each tick queries what is due and moves it on with conditional writes, then reads the
 * earliest deadline still ahead, so the loop can sleep until it (`ORDERING_IDLE_MS` at most) instead
 * of looking every `ORDERING_TICK_MS` while nothing is due.
 */
export function fulfilmentTimers(deps: OrderingDeps, handlers: FulfilmentHandlers) {
  const { config, clock, logger } = deps;
  const now = () => clock.now();
  const { fulfilments, sync } = handlers;
  const slots = pickingSlots(deps.db, config.WAREHOUSE);
  const name = 'ordering.timers';

  /**
   * One span per fulfilment a timer moves on, in the trace of the write that set its deadline (the
   * fulfilment's `traceparent`): payment → picking → shipping → delivery read as one trace.
   */
  function timed(step: string, fulfilment: Fulfilment, work: () => Promise<void>): Promise<void> {
    return inTimerSpan(name, step, fulfilment, work);
  }

  async function due(filter: Document, sort: Document = {}): Promise<Fulfilment[]> {
    const documents = await fulfilments.collection.find(filter, { sort, limit: BATCH }).toArray();
    return documents.map(({ partition_key: _key, version: _version, ...state }) => state as Fulfilment);
  }

  /** Unpaid at payBy → Expired, and its stock released. */
  async function expireUnpaid(): Promise<void> {
    for (const fulfilment of await due(DUE.expireUnpaid(now()))) {
      await timed('expire', fulfilment, async () => {
        const result = await fulfilments.execute(fulfilment._id, { type: 'Expire' }, now);
        if (result.state?.stage === FULFILMENT_STAGE.Expired) await sync.settle(result.state);
      });
    }
  }

  /** Finishes stock work a crash left behind after a transition. */
  async function settlePending(): Promise<void> {
    for (const fulfilment of await due({ stockPending: { $in: ['release', 'ship'] } }))
      await timed('settle', fulfilment, () => sync.settle(fulfilment));
  }

  /** Paid and fully allocated → Picking, first paid first, while picking capacity is free. */
  async function startPicking(): Promise<void> {
    const holders = await slots.holders();
    const picking = new Set(
      (await due({ stage: FULFILMENT_STAGE.Picking, warehouse: config.WAREHOUSE })).map(
        (fulfilment) => fulfilment._id,
      ),
    );
    const stale = holders.filter(
      (h) => !picking.has(h.id) && now().getTime() - h.since.getTime() > SLOT_GRACE_MS,
    );
    await slots.free(stale.map((holder) => holder.id));
    const free = config.PICKING_CAPACITY - (holders.length - stale.length);
    if (free <= 0) return;
    const ready = await due(
      { stage: FULFILMENT_STAGE.Reserved, paid: true, warehouse: config.WAREHOUSE },
      { paidAt: 1, _id: 1 },
    );
    for (const fulfilment of ready.slice(0, free)) {
      if (!(await slots.claim(fulfilment._id, config.PICKING_CAPACITY, now()))) return;
      await timed('pick', fulfilment, async () => {
        const result = await fulfilments.execute(
          fulfilment._id,
          { type: 'StartPicking', pickingSeconds: config.PICKING_SECONDS, capacityClaimed: true },
          now,
        );
        if (result.rejection) await slots.free([fulfilment._id]);
      });
    }
  }

  /** Picking done → Shipped (units off the shelf), its slot freed. */
  async function shipPicked(): Promise<void> {
    for (const fulfilment of await due(DUE.shipPicked(now()))) {
      await timed('ship', fulfilment, async () => {
        const result = await fulfilments.execute(
          fulfilment._id,
          { type: 'Ship', deliverySeconds: config.DELIVERY_SECONDS },
          now,
        );
        if (result.state?.stage === FULFILMENT_STAGE.Shipped) await sync.settle(result.state);
        await slots.free([fulfilment._id]);
      });
    }
  }

  /** Free the slots of fulfilments cancelled while picking. */
  async function freeCancelledSlots(): Promise<void> {
    const holders = await slots.holders();
    if (holders.length === 0) return;
    const gone = await fulfilments.collection
      .find({
        _id: { $in: holders.map((h) => h.id) },
        stage: { $nin: [FULFILMENT_STAGE.Reserved, FULFILMENT_STAGE.Picking] },
      })
      .project({ _id: 1 })
      .toArray();
    await slots.free(gone.map((document) => String(document._id)));
  }

  async function deliverShipped(): Promise<void> {
    for (const fulfilment of await due(DUE.deliverShipped(now()))) {
      await timed('deliver', fulfilment, async () => {
        await fulfilments.execute(fulfilment._id, { type: 'Deliver' }, now);
      });
    }
  }

  /** The earliest deadline of one timer still ahead (the index on stage and that field answers it). */
  async function earliest({ filter, field }: (typeof WAITING)[keyof typeof WAITING]): Promise<number> {
    const [next] = await fulfilments.collection
      // $gte a date matches dates only: documents without the deadline do not sort first.
      .find({ ...filter, [field]: { $gte: new Date(0) } }, { sort: { [field]: 1 }, limit: 1 })
      .project<Record<string, Date>>({ _id: 0, [field]: 1 })
      .toArray();
    return next?.[field]?.getTime() ?? Number.POSITIVE_INFINITY;
  }

  /**
   * One pass over every timer; each step is independent and safe to repeat. Returns in how many ms the
   * earliest deadline still ahead falls due (the loop sleeps at least ORDERING_TICK_MS, at most
   * ORDERING_IDLE_MS): what has no deadline (stock left pending by a crash, picking capacity freed by
   * another instance, stale slots) is seen by the pass after a wake or after ORDERING_IDLE_MS.
   */
  async function tick(): Promise<number> {
    await expireUnpaid();
    await settlePending();
    await shipPicked();
    await freeCancelledSlots();
    await startPicking();
    await deliverShipped();
    const next = await Promise.all(Object.values(WAITING).map(earliest));
    return Math.min(...next) - now().getTime();
  }

  const collection = deps.db.collection(fulfilments.collection.collectionName);
  const overdue = overdueTimers(
    name,
    [
      { name: 'expireUnpaid', collection, due: DUE.expireUnpaid, dueField: 'payBy' },
      { name: 'shipPicked', collection, due: DUE.shipPicked, dueField: 'pickingEndsAt' },
      { name: 'deliverShipped', collection, due: DUE.deliverShipped, dueField: 'deliverAt' },
    ],
    clock,
  );

  return { tick, name, logger, overdue };
}

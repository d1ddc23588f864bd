import type { StockReceiptDocument } from '@az-shop/common/schemas';
import { describe, expect, it } from 'vitest';
import { applyOutput, emptyStock, reserve, stockProblems } from './allocation';
import {
  appliedReceipt,
  countedOutputs,
  isInFlight,
  OUTPUT_ACTION,
  type OutputAction,
  outputPlan,
  pendingReceipt,
  receiptProblems,
  retireOutputs,
} from './receipts';
import type { Stock } from './types';

const t0 = new Date('2026-01-01T10:00:00Z');
const t1 = new Date('2026-01-01T10:00:05Z');
const out1 = { outputId: 'out1', productId: 'p1', warehouse: 'main', qty: 4 };

/** The ledger and the receipt of `out1`, as the two documents would hold them. */
interface World {
  ledger: Stock;
  receipt: StockReceiptDocument | null;
}
const start = (): World => ({ ledger: emptyStock('main', 'p1'), receipt: null });

/** What the handler sees: the ledger first, then (when the id is not in flight) the receipt it opens. */
function look(world: World): { world: World; plan: OutputAction[]; opened: boolean } {
  if (isInFlight(world.ledger, out1.outputId))
    return { world, plan: outputPlan({ inFlight: true }, { retire: true }), opened: false };
  const receipt = world.receipt ?? pendingReceipt(out1, t0);
  return {
    world: { ...world, receipt },
    plan: outputPlan({ inFlight: false, receipt: receipt.state }, { retire: true }),
    opened: world.receipt === null,
  };
}

function act(world: World, action: OutputAction, at = t1): World {
  if (action === OUTPUT_ACTION.Apply) return { ...world, ledger: applyOutput(world.ledger, out1).stock };
  if (action === OUTPUT_ACTION.MarkApplied)
    return { ...world, receipt: appliedReceipt(world.receipt, out1, at) };
  return { ...world, ledger: retireOutputs(world.ledger, [out1.outputId]).stock };
}

/** One delivery of `out1` that stops after `writes` writes (receipt insert, then the plan's actions). */
function deliver(world: World, writes = Number.POSITIVE_INFINITY): World {
  const seen = look(world);
  let done = seen.opened ? 1 : 0;
  if (done > writes) return world;
  let next = seen.world;
  for (const action of seen.plan) {
    if (done++ >= writes) return next;
    next = act(next, action);
  }
  return next;
}

const settled = (world: World) => {
  expect(world.ledger).toMatchObject({ onHand: 4, available: 4, appliedOutputs: [] });
  expect(world.receipt).toMatchObject({ _id: 'out1', state: 'applied', qty: 4, partition_key: 'p1' });
};

describe('factory outputs exactly once with a bounded ledger', () => {
  describe('outputPlan', () => {
    it('a receipt seen pending and a ledger without the id: apply, mark applied, retire', () => {
      expect(outputPlan({ inFlight: false, receipt: 'pending' }, { retire: true })).toEqual([
        'apply',
        'markApplied',
        'retire',
      ]);
    });

    it('the id in flight: the qty is in onHand already; mark applied, retire', () => {
      expect(outputPlan({ inFlight: true }, { retire: true })).toEqual(['markApplied', 'retire']);
    });

    it('the receipt applied and the ledger without the id: only make sure the id is off', () => {
      expect(outputPlan({ inFlight: false, receipt: 'applied' }, { retire: true })).toEqual(['retire']);
    });

    it('retire: false keeps every id on the ledger (beside a release without receipts)', () => {
      expect(outputPlan({ inFlight: false, receipt: 'pending' }, { retire: false })).toEqual([
        'apply',
        'markApplied',
      ]);
      expect(outputPlan({ inFlight: true }, { retire: false })).toEqual(['markApplied']);
      expect(outputPlan({ inFlight: false, receipt: 'applied' }, { retire: false })).toEqual([]);
    });
  });

  describe('a crash between any two steps converges on re-delivery', () => {
    // writes: 0 nothing, 1 receipt pending, 2 applied (in flight), 3 receipt applied, 4 id retired.
    const leftBehind = [
      { writes: 0, state: 'nothing written', rest: ['apply', 'markApplied', 'retire'] },
      {
        writes: 1,
        state: 'receipt pending, ledger without the id',
        rest: ['apply', 'markApplied', 'retire'],
      },
      { writes: 2, state: 'counted and in flight, receipt pending', rest: ['markApplied', 'retire'] },
      { writes: 3, state: 'in flight, receipt applied', rest: ['markApplied', 'retire'] },
      { writes: 4, state: 'receipt applied, id retired', rest: ['retire'] },
    ];
    for (const { writes, state, rest } of leftBehind) {
      it(`after ${writes} writes (${state}): the next delivery does the rest, and once`, () => {
        const crashed = deliver(start(), writes);
        expect(look(crashed).plan).toEqual(rest);
        // Counted at most once whatever was left, whatever repeats.
        expect(crashed.ledger.onHand).toBe(writes >= 2 ? 4 : 0);
        let world = deliver(crashed);
        settled(world);
        for (let i = 0; i < 5; i++) world = deliver(world);
        settled(world);
      });
    }

    it('a step done again changes nothing (what the rest may repeat is idempotent)', () => {
      const applied = act(deliver(start(), 1), OUTPUT_ACTION.Apply);
      expect(applyOutput(applied.ledger, out1).changed).toBe(false);
      const marked = act(applied, OUTPUT_ACTION.MarkApplied, t0);
      expect(act(marked, OUTPUT_ACTION.MarkApplied, t1).receipt).toEqual(marked.receipt);
      const retired = act(marked, OUTPUT_ACTION.Retire);
      expect(retireOutputs(retired.ledger, ['out1']).changed).toBe(false);
    });

    it('crashes at every point in a row, each delivery getting one write further: still once', () => {
      let world = start();
      for (let writes = 0; writes <= 4; writes++) world = deliver(world, writes);
      settled(world);
    });

    it('an id on the ledger from before receipts: its receipt is created applied and the id retired', () => {
      const legacy: World = { ledger: applyOutput(emptyStock('main', 'p1'), out1).stock, receipt: null };
      expect(look(legacy).plan).toEqual(['markApplied', 'retire']);
      settled(deliver(legacy));
    });
  });

  describe('retireOutputs', () => {
    it('takes settled ids off and leaves the others; ids not there change nothing', () => {
      let ledger = applyOutput(emptyStock('main', 'p1'), out1).stock;
      ledger = applyOutput(ledger, { outputId: 'out2', qty: 1 }).stock;
      const result = retireOutputs(ledger, ['out1', 'gone']);
      expect(result).toMatchObject({ changed: true, stock: { onHand: 5, appliedOutputs: ['out2'] } });
      expect(retireOutputs(result.stock, ['out1']).changed).toBe(false);
    });
  });

  describe('appliedReceipt', () => {
    it('marks a pending receipt applied once, keeping the first time', () => {
      const once = appliedReceipt(pendingReceipt(out1, t0), out1, t0);
      expect(once).toMatchObject({ state: 'applied', receivedAt: t0, appliedAt: t0 });
      expect(appliedReceipt(once, out1, t1).appliedAt).toBe(t0);
    });

    it('creates a missing receipt applied', () => {
      expect(appliedReceipt(null, out1, t1)).toEqual({
        _id: 'out1',
        partition_key: 'p1',
        productId: 'p1',
        warehouse: 'main',
        qty: 4,
        state: 'applied',
        receivedAt: t1,
        appliedAt: t1,
      });
    });
  });

  describe('the ledger against its receipts', () => {
    const out2 = { outputId: 'out2', productId: 'p1', warehouse: 'main', qty: 2 };
    const out3 = { outputId: 'out3', productId: 'p1', warehouse: 'main', qty: 7 };
    const elsewhere = { outputId: 'out9', productId: 'p2', warehouse: 'main', qty: 9 };

    it('counts receipts applied and pending ones in flight, not pending ones off the ledger', () => {
      // out1 settled, out2 applied (in flight), out3 received (pending, not applied yet).
      const ledger = applyOutput(
        retireOutputs(applyOutput(emptyStock('main', 'p1'), out1).stock, ['out1']).stock,
        out2,
      ).stock;
      const receipts = [
        appliedReceipt(null, out1, t0),
        pendingReceipt(out2, t0),
        pendingReceipt(out3, t0),
        appliedReceipt(null, elsewhere, t0),
      ];
      expect(countedOutputs(ledger, receipts)).toBe(6);
      expect(receiptProblems(ledger, receipts)).toEqual([]);
    });

    it('onHand = Σ counted − shipped, with shipped units', () => {
      let ledger = applyOutput(emptyStock('main', 'p1'), out1).stock;
      ledger = reserve(ledger, { fulfilmentId: 'f1', qty: 3, at: t0 }).stock;
      ledger = { ...ledger, onHand: 1, reserved: 0, available: 1, shipped: 3, holds: [] };
      expect(receiptProblems(ledger, [pendingReceipt(out1, t0)])).toEqual([]);
    });

    it('names an output counted twice and an id in flight without a receipt', () => {
      const twice = { ...applyOutput(emptyStock('main', 'p1'), out1).stock, onHand: 8, available: 8 };
      expect(receiptProblems(retireOutputs(twice, ['out1']).stock, [appliedReceipt(null, out1, t0)])).toEqual(
        ['onHand 8 ≠ Σ outputs counted 4 − shipped 0'],
      );
      const noReceipt = applyOutput(emptyStock('main', 'p1'), out1).stock;
      expect(receiptProblems(noReceipt, [])).toEqual([
        'onHand 4 ≠ Σ outputs counted 0 − shipped 0',
        'output out1 in flight without a receipt',
      ]);
    });

    it('stockProblems names an id in flight twice', () => {
      const ledger = applyOutput(emptyStock('main', 'p1'), out1).stock;
      expect(stockProblems({ ...ledger, appliedOutputs: ['out1', 'out1'] })).toEqual([
        'an output is in flight twice',
      ]);
    });
  });
});

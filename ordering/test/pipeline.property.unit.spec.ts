import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isTerminal } from '../src/fulfilment/rules';
import { FULFILMENT_STAGE } from '../src/fulfilment/types';
import { PipelineModel } from './pipeline-model';

const products = ['p1', 'p2', 'p3'];
const orderIds = Array.from({ length: 12 }, (_, i) => `o${i}`);

const step = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('order' as const),
      orderId: fc.constantFrom(...orderIds),
      lines: fc.array(
        fc.record({ productId: fc.constantFrom(...products), qty: fc.integer({ min: 1, max: 4 }) }),
        {
          minLength: 1,
          maxLength: 3,
        },
      ),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('output' as const),
      outputId: fc.integer({ min: 0, max: 30 }).map((n) => `out${n}`),
      productId: fc.constantFrom(...products),
      qty: fc.integer({ min: 1, max: 5 }),
      // The handler dies after this many of its writes (undefined: it runs to the end).
      crashAfter: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined, freq: 3 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('redeliver' as const),
      outputId: fc.integer({ min: 0, max: 30 }).map((n) => `out${n}`),
      crashAfter: fc.option(fc.integer({ min: 0, max: 5 }), { nil: undefined, freq: 3 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('catch-up' as const) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('pay' as const),
      orderId: fc.constantFrom(...orderIds),
      paymentId: fc.integer({ min: 0, max: 3 }).map((n) => `pay${n}`),
      rightAmount: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('cancel' as const), orderId: fc.constantFrom(...orderIds) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      seconds: fc.integer({ min: 1, max: 400 }),
    }),
  },
);

type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

function run(model: PipelineModel, steps: Step[]): void {
  for (const s of steps) {
    switch (s.kind) {
      case 'order':
        model.placeOrder(s.orderId, s.lines);
        break;
      case 'output':
        model.factoryOutput(s.outputId, s.productId, s.qty, s.crashAfter);
        break;
      case 'redeliver':
        model.redeliver(s.outputId, s.crashAfter);
        break;
      case 'catch-up':
        model.catchUp();
        break;
      case 'pay':
        model.pay(s.orderId, s.paymentId, s.rightAmount ? undefined : 1);
        break;
      case 'cancel':
        model.cancel(s.orderId, `c-${s.orderId}`);
        break;
      case 'advance':
        model.advance(s.seconds);
        model.tick();
        break;
    }
    expect(model.problems()).toEqual([]);
  }
}

describe('pipeline invariants over random sequences (pure deciders and allocation)', () => {
  it('stock never negative; onHand = Σ outputs − Σ shipped; reserved = Σ held by live fulfilments', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        run(new PipelineModel(), steps);
      }),
      { numRuns: 400 },
    );
  });

  it('outputs delivered any number of times, crashing anywhere: counted once, ledgers end without ids', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const model = new PipelineModel();
        run(model, steps);
        model.catchUp();
        expect(model.problems()).toEqual([]);
        expect(model.interrupted.size).toBe(0);
        for (const [productId, s] of model.stock) {
          expect(s.appliedOutputs).toEqual([]);
          const produced = [...model.outputs.values()]
            .filter((o) => o.productId === productId)
            .reduce((sum, o) => sum + o.qty, 0);
          expect(s.onHand + s.shipped).toBe(produced);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a terminal stage is final: once reached, nothing moves the order again', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), fc.array(step, { maxLength: 30 }), (first, then) => {
        const model = new PipelineModel();
        run(model, first);
        const terminal = new Map(
          [...model.fulfilments.values()].filter((f) => isTerminal(f.stage)).map((f) => [f._id, f.stage]),
        );
        run(model, then);
        for (const [id, stage] of terminal) expect(model.fulfilments.get(id)?.stage).toBe(stage);
      }),
      { numRuns: 200 },
    );
  });

  it('given enough output and payment, every order ends in exactly one terminal stage', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const model = new PipelineModel();
        run(model, steps);
        // Then: interrupted outputs delivered again, pay everything still open, produce what every
        // queue needs, let time pass.
        model.catchUp();
        for (const f of model.fulfilments.values()) model.pay(f._id, `final-${f._id}`);
        for (const [productId, s] of model.stock) {
          const needed = s.waiting.reduce((sum, w) => sum + w.qty, 0);
          if (needed > 0) model.factoryOutput(`final-${productId}`, productId, needed);
        }
        for (let i = 0; i < 50; i++) {
          model.advance(60);
          model.tick();
        }
        expect(model.problems()).toEqual([]);
        for (const f of model.fulfilments.values()) {
          expect(isTerminal(f.stage), `${f._id} is ${f.stage}`).toBe(true);
          expect(f.history.filter((h) => isTerminal(h.stage) && h.note === undefined)).toHaveLength(1);
        }
        for (const s of model.stock.values()) expect(s.reserved).toBe(0);
      }),
      { numRuns: 200 },
    );
  });

  it('the last unit: of many orders placed for it, exactly one is Reserved and the rest Backordered', () => {
    const model = new PipelineModel();
    model.factoryOutput('out1', 'p1', 1);
    for (let i = 0; i < 100; i++) model.placeOrder(`o${i}`, [{ productId: 'p1', qty: 1 }]);
    const stages = [...model.fulfilments.values()].map((f) => f.stage);
    expect(stages.filter((s) => s === FULFILMENT_STAGE.Reserved)).toHaveLength(1);
    expect(stages.filter((s) => s === FULFILMENT_STAGE.Backordered)).toHaveLength(99);
    expect(model.problems()).toEqual([]);
  });
});

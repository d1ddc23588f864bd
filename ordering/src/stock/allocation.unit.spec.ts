import { describe, expect, it } from 'vitest';
import {
  acknowledge,
  aggregateLines,
  applyOutput,
  emptyStock,
  release,
  reserve,
  ship,
  stockProblems,
} from './allocation';
import type { Stock } from './types';

const t0 = new Date('2026-01-01T10:00:00Z');
const withUnits = (units: number): Stock =>
  applyOutput(emptyStock('main', 'p1'), { outputId: 'o0', qty: units }).stock;

describe('stock allocation', () => {
  it('adds lines of the same product together', () => {
    expect(
      aggregateLines([
        { productId: 'a', qty: 1 },
        { productId: 'b', qty: 2 },
        { productId: 'a', qty: 3 },
      ]),
    ).toEqual([
      { productId: 'a', qty: 4 },
      { productId: 'b', qty: 2 },
    ]);
  });

  describe('reserve', () => {
    it('given enough available, when reserving, then the units are held', () => {
      const result = reserve(withUnits(3), { fulfilmentId: 'f1', qty: 2, at: t0 });
      expect(result.outcome).toBe('held');
      expect(result.stock).toMatchObject({
        onHand: 3,
        reserved: 2,
        available: 1,
        holds: [{ fulfilmentId: 'f1', qty: 2 }],
      });
      expect(stockProblems(result.stock)).toEqual([]);
    });

    it('given too few available, when reserving, then the line waits whole (nothing partly held)', () => {
      const result = reserve(withUnits(1), { fulfilmentId: 'f1', qty: 2, at: t0 });
      expect(result.outcome).toBe('waiting');
      expect(result.stock).toMatchObject({
        reserved: 0,
        available: 1,
        waiting: [{ fulfilmentId: 'f1', qty: 2 }],
      });
    });

    it('given somebody queued, when a new order could fit, then it queues behind (first come first served)', () => {
      const queued = reserve(withUnits(1), { fulfilmentId: 'f1', qty: 2, at: t0 }).stock;
      const result = reserve(queued, { fulfilmentId: 'f2', qty: 1, at: t0 });
      expect(result.outcome).toBe('waiting');
      expect(result.stock.waiting.map((w) => w.fulfilmentId)).toEqual(['f1', 'f2']);
    });

    it('is idempotent: reserving again for the same fulfilment changes nothing', () => {
      const held = reserve(withUnits(3), { fulfilmentId: 'f1', qty: 2, at: t0 }).stock;
      expect(reserve(held, { fulfilmentId: 'f1', qty: 2, at: t0 })).toMatchObject({
        changed: false,
        outcome: 'held',
      });
      const waiting = reserve(emptyStock('main', 'p1'), { fulfilmentId: 'f1', qty: 2, at: t0 }).stock;
      expect(reserve(waiting, { fulfilmentId: 'f1', qty: 2, at: t0 })).toMatchObject({
        changed: false,
        outcome: 'waiting',
      });
    });
  });

  describe('applyOutput', () => {
    it('adds to the shelf once per output', () => {
      const once = applyOutput(emptyStock('main', 'p1'), { outputId: 'out1', qty: 4 });
      expect(once.stock).toMatchObject({ onHand: 4, available: 4, appliedOutputs: ['out1'] });
      const twice = applyOutput(once.stock, { outputId: 'out1', qty: 4 });
      expect(twice.changed).toBe(false);
      expect(twice.stock.onHand).toBe(4);
    });

    it('serves the queue in order and stops at the first that does not fit', () => {
      let stock = emptyStock('main', 'p1');
      for (const [id, qty] of [
        ['f1', 2],
        ['f2', 3],
        ['f3', 1],
      ] as const) {
        stock = reserve(stock, { fulfilmentId: id, qty, at: t0 }).stock;
      }
      const result = applyOutput(stock, { outputId: 'out1', qty: 4 });
      expect(result.allocated).toEqual(['f1']);
      expect(result.stock.waiting.map((w) => w.fulfilmentId)).toEqual(['f2', 'f3']);
      expect(result.stock.toNotify).toEqual(['f1']);
      const more = applyOutput(result.stock, { outputId: 'out2', qty: 2 });
      expect(more.allocated).toEqual(['f2', 'f3']);
      expect(stockProblems(more.stock)).toEqual([]);
    });
  });

  describe('release', () => {
    it('gives held units back and serves the queue with them', () => {
      let stock = reserve(withUnits(2), { fulfilmentId: 'f1', qty: 2, at: t0 }).stock;
      stock = reserve(stock, { fulfilmentId: 'f2', qty: 1, at: t0 }).stock;
      const result = release(stock, 'f1');
      expect(result.allocated).toEqual(['f2']);
      expect(result.stock).toMatchObject({
        reserved: 1,
        available: 1,
        holds: [{ fulfilmentId: 'f2', qty: 1 }],
      });
    });

    it('takes a waiting fulfilment out of the queue', () => {
      const stock = reserve(emptyStock('main', 'p1'), { fulfilmentId: 'f1', qty: 2, at: t0 }).stock;
      expect(release(stock, 'f1').stock.waiting).toEqual([]);
    });

    it('is idempotent', () => {
      const released = release(
        reserve(withUnits(2), { fulfilmentId: 'f1', qty: 2, at: t0 }).stock,
        'f1',
      ).stock;
      expect(release(released, 'f1').changed).toBe(false);
    });
  });

  describe('ship', () => {
    it('takes the held units off the shelf once', () => {
      const stock = reserve(withUnits(3), { fulfilmentId: 'f1', qty: 2, at: t0 }).stock;
      const shipped = ship(stock, 'f1');
      expect(shipped.stock).toMatchObject({ onHand: 1, reserved: 0, available: 1, shipped: 2, holds: [] });
      expect(ship(shipped.stock, 'f1').changed).toBe(false);
      expect(stockProblems(shipped.stock)).toEqual([]);
    });
  });

  it('forgets delivered notifications', () => {
    const stock = { ...emptyStock('main', 'p1'), toNotify: ['f1', 'f2'] };
    expect(acknowledge(stock, ['f1']).stock.toNotify).toEqual(['f2']);
    expect(acknowledge(stock, ['f9']).changed).toBe(false);
  });

  it('reports broken invariants', () => {
    expect(stockProblems({ ...emptyStock('main', 'p1'), reserved: 1 })).toContain('reserved 1 ≠ Σ holds 0');
  });
});

import { describe, expect, it } from 'vitest';
import { bucketStart, historyPoints, stockRows } from './stock';

describe('stockRows', () => {
  it('given ledgers in two warehouses, a backorder queue and work in progress, then one row per product adds them up', () => {
    const rows = stockRows({
      headings: new Map([
        ['chair', 'Oak chair'],
        ['desk', 'Birch desk'],
      ]),
      ledgers: [
        { productId: 'chair', onHand: 5, reserved: 5, available: 0, waiting: [] },
        {
          productId: 'chair',
          onHand: 3,
          reserved: 1,
          available: 2,
          waiting: [
            { fulfilmentId: 'o_1', qty: 4, since: new Date() },
            { fulfilmentId: 'o_2', qty: 1, since: new Date() },
          ],
        },
      ],
      workItems: [
        { productId: 'chair', qty: 4, stage: 'Building' },
        { productId: 'chair', qty: 1, stage: 'FactoryReady' },
        { productId: 'chair', qty: 9, stage: 'InventoryAvailable' },
        { productId: 'chair', qty: 9, stage: 'Cancelled' },
        { productId: 'chair', qty: 9, stage: 'Failed' },
      ],
    });
    expect(rows).toEqual([
      {
        productId: 'desk',
        heading: 'Birch desk',
        onHand: 0,
        held: 0,
        available: 0,
        backordered: 0,
        inProduction: 0,
      },
      {
        productId: 'chair',
        heading: 'Oak chair',
        onHand: 8,
        held: 6,
        available: 2,
        backordered: 5,
        inProduction: 5,
      },
    ]);
  });

  it('given a ledger of a product the catalog no longer has, then it is still listed under its id', () => {
    const rows = stockRows({
      headings: new Map(),
      ledgers: [{ productId: 'gone', onHand: 1, reserved: 0, available: 1, waiting: [] }],
      workItems: [],
    });
    expect(rows).toMatchObject([{ productId: 'gone', heading: 'gone', onHand: 1 }]);
  });
});

describe('historyPoints', () => {
  const now = new Date('2026-01-02T12:00:00Z');
  it('given samples inside and outside the window, then the ones inside, oldest first, end with the value now', () => {
    const points = historyPoints(
      [
        { at: new Date('2026-01-02T11:00:00Z'), available: 4 },
        { at: new Date('2026-01-02T09:00:00Z'), available: 7 },
        { at: new Date('2026-01-01T09:00:00Z'), available: 9 },
      ],
      3,
      now,
      24,
    );
    expect(points).toEqual([
      { at: '2026-01-02T09:00:00.000Z', available: 7 },
      { at: '2026-01-02T11:00:00.000Z', available: 4 },
      { at: now.toISOString(), available: 3 },
    ]);
  });

  it('given no samples yet, then the chart is the value now alone', () => {
    expect(historyPoints([], 5, now, 1)).toEqual([{ at: now.toISOString(), available: 5 }]);
  });
});

describe('bucketStart', () => {
  it('rounds down to the start of the bucket, so every instance names the same bucket', () => {
    expect(bucketStart(new Date('2026-01-02T12:07:31Z'), 300_000).toISOString()).toBe(
      '2026-01-02T12:05:00.000Z',
    );
  });
});

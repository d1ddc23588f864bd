import { describe, expect, it } from 'vitest';
import { heldByOthers, liveProcessors, notHeldBy, type Ownership } from './ownership';

const ownership: Ownership = {
  processors: {
    'ordering.onOrderPlaced': { buckets: 4, byColour: { green: [0, 1, 2, 3] } },
    'ordering.onPaymentAuthorized': { buckets: 4, byColour: { green: [0, 1], blue: [2], none: [3] } },
    'factory.retired': { buckets: 4, byColour: { none: [0, 1, 2, 3] } },
  },
};

describe('who holds the buckets', () => {
  it('given one processor wholly green and one shared, then only the shared one is not held by green', () => {
    expect(notHeldBy(ownership, 'green', ['ordering.onOrderPlaced', 'ordering.onPaymentAuthorized'])).toEqual(
      ['ordering.onPaymentAuthorized'],
    );
  });

  it('given a processor nobody has leases of, then it counts as not held', () => {
    expect(notHeldBy(ownership, 'green', ['ordering.unknown'])).toEqual(['ordering.unknown']);
  });

  it('given a bucket held by blue, then it is the only one held by another colour than green', () => {
    expect(heldByOthers(ownership, 'green')).toEqual(['ordering.onPaymentAuthorized#2']);
    expect(heldByOthers(ownership, 'blue')).toEqual([
      'ordering.onOrderPlaced#0',
      'ordering.onOrderPlaced#1',
      'ordering.onOrderPlaced#2',
      'ordering.onOrderPlaced#3',
      'ordering.onPaymentAuthorized#0',
      'ordering.onPaymentAuthorized#1',
    ]);
  });

  it('given a processor whose leases all lapsed, then it is not live', () => {
    expect(liveProcessors(ownership)).toEqual(['ordering.onOrderPlaced', 'ordering.onPaymentAuthorized']);
  });
});

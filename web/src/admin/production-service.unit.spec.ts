import type { ProductionRequestDocument, WorkItemDocument, WorkItemStage } from '@az-shop/common';
import { describe, expect, it } from 'vitest';
import { cancellable, requestState, toRequestView } from './production-service';

const request: ProductionRequestDocument = {
  _id: 'r1',
  partition_key: 'p1',
  productId: 'p1',
  warehouse: 'main',
  qty: 3,
  requestedAt: new Date('2026-03-01T10:00:00Z'),
  requestedBy: 'admin@example.com',
};
const item = (stage: WorkItemStage, fields: Partial<WorkItemDocument> = {}): WorkItemDocument => ({
  _id: 'pr:r1',
  partition_key: 'p1',
  productId: 'p1',
  warehouse: 'main',
  qty: 3,
  source: { kind: 'production_request', requestId: 'r1' },
  stage,
  history: [],
  version: 1,
  ...fields,
});

describe('production request state', () => {
  it.each([
    [undefined, 'Requested', true],
    ['New', 'Requested', true],
    ['FactoryReady', 'Requested', true],
    ['Building', 'InProduction', false],
    ['FactoryComplete', 'InProduction', false],
    ['MoveToWarehouse', 'InProduction', false],
    ['InventoryAvailable', 'Done', false],
    ['Cancelled', 'Cancelled', false],
    ['Failed', 'Failed', false],
  ] as const)('given a work item in %s, the request is %s (cancellable: %s)', (stage, state, canCancel) => {
    const workItem = stage ? item(stage) : undefined;
    expect(requestState(workItem)).toBe(state);
    expect(cancellable(workItem)).toBe(canCancel);
  });

  it('given no work item yet, shows the request as asked, no units done', () => {
    expect(toRequestView(request, undefined)).toEqual({
      id: 'r1',
      productId: 'p1',
      qty: 3,
      warehouse: 'main',
      requestedAt: '2026-03-01T10:00:00.000Z',
      requestedBy: 'admin@example.com',
      state: 'Requested',
      unitsDone: 0,
    });
  });

  it('given a delivered item, counts its units done', () => {
    expect(toRequestView(request, item('InventoryAvailable'))).toMatchObject({ state: 'Done', unitsDone: 3 });
  });

  it('given a cancellation the factory refused, says why', () => {
    const cancelRequestedAt = new Date('2026-03-01T10:05:00Z');
    const view = toRequestView(
      { ...request, cancelRequestedAt },
      item('Building', { cancelRefused: { reason: 'the build had started', at: cancelRequestedAt } }),
    );
    expect(view).toMatchObject({
      state: 'InProduction',
      cancelRequestedAt: '2026-03-01T10:05:00.000Z',
      cancelRefused: 'the build had started',
    });
  });

  it('given a cancelled item, gives the reason', () => {
    const view = toRequestView(
      request,
      item('Cancelled', { cancellation: { reason: 'production request cancelled' } }),
    );
    expect(view).toMatchObject({ state: 'Cancelled', reason: 'production request cancelled', unitsDone: 0 });
  });
});

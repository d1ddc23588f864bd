import { type Static, Type } from 'typebox';
import { DateTime, Id, PartitionKey, Traceparent } from './shared';

export const FACTORY_OUTPUT = 'factory_output';

/** Deterministic id of the one output of a work item, so a repeated completion writes nothing new. */
export function factoryOutputId(workItemId: string): string {
  return `out:${workItemId}`;
}

/** Immutable record of finished units, owned by factory; `partition_key` is the product id. */
export const FactoryOutputDocument = Type.Object({
  _id: Id,
  partition_key: PartitionKey,
  traceparent: Traceparent,
  workItemId: Id,
  productId: Id,
  warehouse: Type.String({ minLength: 1 }),
  qty: Type.Integer({ minimum: 1 }),
  producedAt: DateTime,
});
export type FactoryOutputDocument = Static<typeof FactoryOutputDocument>;

import { Type } from 'typebox';

/** A BSON date as the driver returns it (`Date`); checked with `instanceof`, not as a JSON string. */
export const DateTime = Type.Refine(
  Type.Unsafe<Date>({ description: 'BSON date' }),
  (value) => value instanceof Date,
  () => 'must be a Date',
);

/** Every document carries the shard key of its collection (ARCHITECTURE.md §1). */
export const PartitionKey = Type.String({ minLength: 1, description: 'shard key of the collection' });

/** Ids used as `_id`: non-empty text. */
export const Id = Type.String({ minLength: 1 });

/** Largest quantity of one product in one order line or one production request. */
export const MAX_LINE_QTY = 1000;

export const Quantity = Type.Integer({ minimum: 1, maximum: MAX_LINE_QTY });

/** Money in minor units (cents) with an ISO 4217 currency. */
export const Money = Type.Object({
  amount: Type.Integer({ minimum: 0 }),
  currency: Type.String({ minLength: 3, maxLength: 3 }),
});

/**
 * W3C Trace Context of the operation that last wrote the document (`00-<trace>-<span>-<flags>`), set
 * while tracing is on, so the processor reacting to the write continues its trace (telemetry/).
 * Any string passes: a bad value only loses the trace, never the document.
 */
export const Traceparent = Type.Optional(Type.String({ description: 'W3C traceparent of the writer' }));

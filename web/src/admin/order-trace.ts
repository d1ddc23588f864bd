import { ORDERS, type OrderDocument, parseTraceparent, type StoredSpan, TRACE_SPANS } from '@az-shop/common';
import type { Db } from 'mongodb';
import { renderWaterfall } from './trace-waterfall';

/** More than one order's trace ever has; a runaway trace is cut, not loaded whole. */
const MAX_SPANS = 2000;

/**
 * An order's trace from the local span store (dev: `TRACE_STORE=mongo`, docs/observability.md) as an
 * SVG waterfall: the trace its checkout started, named by the order's `traceparent`. Undefined when
 * the order is unknown, was placed untraced, or no span of it is stored.
 */
export async function orderTraceSvg(db: Db, orderId: string): Promise<string | undefined> {
  const order = await db
    .collection<OrderDocument>(ORDERS)
    .findOne({ _id: orderId }, { projection: { traceparent: 1 } });
  const traceId = parseTraceparent(order?.traceparent)?.traceId;
  if (!traceId) return undefined;
  const spans = await db
    .collection<StoredSpan>(TRACE_SPANS)
    .find({ traceId })
    .sort({ start: 1 })
    .limit(MAX_SPANS)
    .toArray();
  if (spans.length === 0) return undefined;
  return renderWaterfall(spans, `Order ${orderId} · trace ${traceId}`);
}

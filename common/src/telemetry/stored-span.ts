import type { Attributes } from '@opentelemetry/api';

/**
 * The local span store (dev only, docs/observability.md "Seeing traces locally"): each service's
 * finished spans as documents in `trace_spans`, which the back office draws as an order's waterfall.
 */
export const TRACE_SPANS = 'trace_spans';

export interface StoredSpan {
  /** `<traceId>:<spanId>`: a span exported twice is stored once. */
  _id: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** SpanKind's name: `SERVER`, `CLIENT`, `CONSUMER`, `INTERNAL`, `PRODUCER`. */
  kind: string;
  service: string;
  start: Date;
  durationMs: number;
  error: boolean;
  /** The span's events by name (`retry`, `parked`, …). */
  events: string[];
  attributes: Record<string, string | number | boolean>;
}

const KINDS = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];

/** Only what the waterfall shows or a person filters by: the project's own, messaging, HTTP and db. */
const KEPT = /^(az_shop\.|messaging\.|http\.|url\.|db\.|server\.)/;

/** The stored shape of a finished span, from the parts every SDK span has. */
export function toStoredSpan(span: {
  spanContext(): { traceId: string; spanId: string };
  parentSpanContext?: { spanId: string } | undefined;
  name: string;
  kind: number;
  startTime: [number, number];
  duration: [number, number];
  status: { code: number };
  events: { name: string }[];
  attributes: Attributes;
  resource: { attributes: Attributes };
}): StoredSpan {
  const { traceId, spanId } = span.spanContext();
  const attributes: StoredSpan['attributes'] = {};
  for (const [key, value] of Object.entries(span.attributes)) {
    if (
      KEPT.test(key) &&
      (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    )
      attributes[key] = value;
  }
  const stored: StoredSpan = {
    _id: `${traceId}:${spanId}`,
    traceId,
    spanId,
    name: span.name,
    kind: KINDS[span.kind] ?? 'INTERNAL',
    service: String(span.resource.attributes['service.name'] ?? 'unknown'),
    start: new Date(span.startTime[0] * 1000 + span.startTime[1] / 1e6),
    durationMs: span.duration[0] * 1000 + span.duration[1] / 1e6,
    // SpanStatusCode.ERROR
    error: span.status.code === 2,
    events: span.events.map((event) => event.name),
    attributes,
  };
  if (span.parentSpanContext) stored.parentSpanId = span.parentSpanContext.spanId;
  return stored;
}

import { isSpanContextValid, type SpanContext, TraceFlags, trace } from '@opentelemetry/api';

/**
 * W3C Trace Context on documents (docs/observability.md): a document written on behalf of a traced
 * operation carries that operation's `traceparent`, so the processor that reacts to it continues the
 * same trace across the change-stream hop. Version 00 only, lower-case hex, as the spec writes it.
 */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function formatTraceparent(context: SpanContext): string {
  const flags = (context.traceFlags & 0xff).toString(16).padStart(2, '0');
  return `00-${context.traceId}-${context.spanId}-${flags}`;
}

/** The span context a `traceparent` names; undefined for anything else (absent, malformed, all zeros). */
export function parseTraceparent(value: unknown): SpanContext | undefined {
  if (typeof value !== 'string') return undefined;
  const match = TRACEPARENT.exec(value);
  if (!match) return undefined;
  const context: SpanContext = {
    traceId: match[1]!,
    spanId: match[2]!,
    traceFlags: Number.parseInt(match[3]!, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  };
  return isSpanContextValid(context) ? context : undefined;
}

/** The active span's `traceparent`; undefined when no span is active (tracing off costs one lookup). */
export function currentTraceparent(): string | undefined {
  const span = trace.getActiveSpan();
  if (!span) return undefined;
  const context = span.spanContext();
  return isSpanContextValid(context) ? formatTraceparent(context) : undefined;
}

/**
 * The document to write, carrying the active span's `traceparent`; without an active span, any
 * `traceparent` it had is dropped: a document names the operation that wrote it last, never an older one.
 */
export function withTraceparent<T extends object>(document: T): T & { traceparent?: string } {
  const traceparent = currentTraceparent();
  if (traceparent) return { ...document, traceparent };
  if (!('traceparent' in document)) return document;
  const { traceparent: _older, ...rest } = document as T & { traceparent?: unknown };
  return rest as T;
}

/** For `$set` updates: `{ traceparent }` while a span is active, else nothing. */
export function traceparentField(): { traceparent?: string } {
  const traceparent = currentTraceparent();
  return traceparent ? { traceparent } : {};
}

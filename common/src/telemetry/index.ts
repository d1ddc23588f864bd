export { flushTelemetry } from './flush';
export {
  type DocumentSpanOptions,
  documentSpanStart,
  inDocumentSpan,
  inTimerSpan,
  SpanKind,
  tracer,
} from './spans';
export { type StoredSpan, TRACE_SPANS, toStoredSpan } from './stored-span';
export {
  currentTraceparent,
  formatTraceparent,
  parseTraceparent,
  traceparentField,
  withTraceparent,
} from './traceparent';

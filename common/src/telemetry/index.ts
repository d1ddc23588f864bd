export { flushTelemetry } from './flush';
export { type DocumentSpanOptions, documentSpanStart, inDocumentSpan, SpanKind, tracer } from './spans';
export {
  currentTraceparent,
  formatTraceparent,
  parseTraceparent,
  traceparentField,
  withTraceparent,
} from './traceparent';

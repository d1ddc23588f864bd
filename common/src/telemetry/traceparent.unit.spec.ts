import { context, ROOT_CONTEXT, TraceFlags, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestTracing, type TestTracing } from '../testing/tracing';
import { formatTraceparent, parseTraceparent, traceparentField, withTraceparent } from './traceparent';

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const SPAN_ID = 'b7ad6b7169203331';

describe('traceparent', () => {
  it('given a span context, when formatted, then it is the W3C version-00 header', () => {
    expect(formatTraceparent({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED })).toBe(
      `00-${TRACE_ID}-${SPAN_ID}-01`,
    );
    expect(formatTraceparent({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.NONE })).toBe(
      `00-${TRACE_ID}-${SPAN_ID}-00`,
    );
  });

  it('given a stored value, when parsed, then the remote span context comes back', () => {
    expect(parseTraceparent(`00-${TRACE_ID}-${SPAN_ID}-01`)).toEqual({
      traceId: TRACE_ID,
      spanId: SPAN_ID,
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
    });
  });

  it('given anything else, when parsed, then there is no context (the document still counts)', () => {
    for (const bad of [
      undefined,
      null,
      42,
      '',
      'garbage',
      `01-${TRACE_ID}-${SPAN_ID}-01`,
      `00-${TRACE_ID.toUpperCase()}-${SPAN_ID}-01`,
      `00-${'0'.repeat(32)}-${SPAN_ID}-01`,
      `00-${TRACE_ID}-${'0'.repeat(16)}-01`,
      `00-${TRACE_ID}-${SPAN_ID}-01-extra`,
    ]) {
      expect(parseTraceparent(bad)).toBeUndefined();
    }
  });
});

describe('withTraceparent', () => {
  let tracing: TestTracing;
  beforeAll(async () => {
    tracing = await startTestTracing();
  });
  afterAll(() => tracing.stop());

  it('given no active span, when a document is written, then it carries none (and loses an older one)', () => {
    const document = { _id: 'a', partition_key: 'k' };
    expect(withTraceparent(document)).toBe(document);
    expect(withTraceparent({ ...document, traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` })).toEqual(document);
    expect(traceparentField()).toEqual({});
  });

  it('given an active span, when a document is written, then it carries that span as its parent-to-be', () => {
    const span = trace.getTracer('test').startSpan('writer');
    context.with(trace.setSpan(ROOT_CONTEXT, span), () => {
      const { traceId, spanId } = span.spanContext();
      const expected = `00-${traceId}-${spanId}-01`;
      expect(withTraceparent({ _id: 'a', traceparent: 'older' })).toEqual({
        _id: 'a',
        traceparent: expected,
      });
      expect(traceparentField()).toEqual({ traceparent: expected });
    });
    span.end();
  });
});

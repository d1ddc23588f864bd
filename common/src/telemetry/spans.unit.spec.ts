import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { documentSpanStart } from './spans';

const A = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const B = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('documentSpanStart', () => {
  it('given one document with a traceparent, then the span continues its trace', () => {
    const { parent, links } = documentSpanStart([{ traceparent: A }]);
    expect(trace.getSpanContext(parent)).toMatchObject({ traceId: A.slice(3, 35), spanId: A.slice(36, 52) });
    expect(links).toEqual([]);
  });

  it('given several causes, then it continues the first and links the others', () => {
    const { parent, links } = documentSpanStart([{ traceparent: A }, null, { traceparent: B }]);
    expect(trace.getSpanContext(parent)?.traceId).toBe(A.slice(3, 35));
    expect(links.map((link) => link.context.traceId)).toEqual([B.slice(3, 35)]);
  });

  it('given relation link, then it starts a new trace linked to every cause', () => {
    const { parent, links } = documentSpanStart([{ traceparent: A }, { traceparent: B }], 'link');
    expect(parent).toBe(ROOT_CONTEXT);
    expect(links).toHaveLength(2);
  });

  it('given no (valid) traceparent, then it starts a new trace with no links', () => {
    expect(documentSpanStart([undefined, {}, { traceparent: 'bad' }])).toEqual({
      parent: ROOT_CONTEXT,
      links: [],
    });
  });
});

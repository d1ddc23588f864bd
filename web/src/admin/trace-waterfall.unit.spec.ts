import type { StoredSpan } from '@az-shop/common';
import { describe, expect, it } from 'vitest';
import { renderWaterfall, waterfallRows } from './trace-waterfall';

const T0 = Date.UTC(2026, 0, 1);

function span(
  spanId: string,
  parentSpanId: string | undefined,
  atMs: number,
  durationMs: number,
  service = 'web',
): StoredSpan {
  return {
    _id: `t:${spanId}`,
    traceId: 't',
    spanId,
    ...(parentSpanId && { parentSpanId }),
    name: `span ${spanId}`,
    kind: 'INTERNAL',
    service,
    start: new Date(T0 + atMs),
    durationMs,
    error: false,
    events: [],
    attributes: {},
  };
}

describe('waterfallRows', () => {
  it('given spans in any order, then each follows its parent, siblings by start, with depth and offset', () => {
    const rows = waterfallRows([
      span('c', 'a', 30, 5, 'factory'),
      span('b', 'a', 10, 5, 'ordering'),
      span('a', undefined, 0, 50),
      span('d', 'b', 12, 2, 'ordering'),
    ]);
    expect(rows.map((row) => [row.span.spanId, row.depth, row.offsetMs])).toEqual([
      ['a', 0, 0],
      ['b', 1, 10],
      ['d', 2, 12],
      ['c', 1, 30],
    ]);
  });

  it('given a span whose parent is not stored, then it is drawn as a root', () => {
    expect(waterfallRows([span('x', 'missing', 5, 1)]).map((row) => row.depth)).toEqual([0]);
    expect(waterfallRows([])).toEqual([]);
  });
});

describe('renderWaterfall', () => {
  it('draws a bar per span at its offset and length, coloured by service, with escaped labels', () => {
    const child = {
      ...span('b', 'a', 50, 50, 'ordering'),
      name: 'ordering.onOrderPlaced <process>',
      events: ['retry'],
    };
    const svg = renderWaterfall([span('a', undefined, 0, 100), child], 'Order o_1');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Order o_1 — 2 spans, 100 ms');
    // 640 px for 100 ms, after the 420 px label column: the child starts halfway and is half as long.
    expect(svg).toContain('<rect x="420.0" y="34" width="640.0"');
    expect(svg).toContain('<rect x="740.0" y="56" width="320.0" height="14" rx="2" fill="#16a34a"/>');
    expect(svg).toContain('ordering · ordering.onOrderPlaced &#60;process&#62;');
    expect(svg).toContain('>retry</text>');
  });
});

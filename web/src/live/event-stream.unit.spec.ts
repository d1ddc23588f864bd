import { describe, expect, it } from 'vitest';
import { formatEvent } from './event-stream';

describe('formatEvent', () => {
  it('writes one event with its JSON on one data line', () => {
    expect(formatEvent('availability', { productId: 'a', available: 3 })).toBe(
      'event: availability\ndata: {"productId":"a","available":3}\n\n',
    );
    expect(formatEvent('fulfilment', { note: 'two\nlines' })).toBe(
      'event: fulfilment\ndata: {"note":"two\\nlines"}\n\n',
    );
  });
});

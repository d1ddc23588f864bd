import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { acceptedRequestId, MAX_REQUEST_ID_LENGTH, requestIdOf } from './request-id';

const requestWith = (id?: string | string[]) =>
  ({ headers: id === undefined ? {} : { 'x-request-id': id } }) as unknown as IncomingMessage;

describe('request ids', () => {
  it('given a UUID, a ULID or a prefixed trace id, when accepted, then it is kept as sent', () => {
    for (const id of [
      '3f2b8c1e-4d5a-4c3b-9e8f-1a2b3c4d5e6f',
      '01HZX3K9QW8T7Y6V5B4N3M2L1K',
      'web:abc.123_x',
    ]) {
      expect(acceptedRequestId(id)).toBe(id);
      expect(requestIdOf(requestWith(id))).toBe(id);
    }
  });

  it('given an id with spaces, quotes, newlines or non-ASCII, when accepted, then it is refused', () => {
    for (const id of ['a b', 'a"b', 'a\nb', 'ä', '', '<script>'])
      expect(acceptedRequestId(id)).toBeUndefined();
  });

  it('given an id longer than the bound, or several headers, when accepted, then it is refused', () => {
    expect(acceptedRequestId('a'.repeat(MAX_REQUEST_ID_LENGTH))).toBeDefined();
    expect(acceptedRequestId('a'.repeat(MAX_REQUEST_ID_LENGTH + 1))).toBeUndefined();
    expect(acceptedRequestId(['a', 'b'])).toBeUndefined();
  });

  it('given no acceptable id, when a request arrives, then it gets a fresh UUID each time', () => {
    const first = requestIdOf(requestWith('bad id'));
    const second = requestIdOf(requestWith());
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(second).not.toBe(first);
  });
});

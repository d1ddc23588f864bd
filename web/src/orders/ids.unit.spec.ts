import { describe, expect, it } from 'vitest';
import { cancellationIdFor, orderIdFor, paymentIdFor } from './ids';

describe('derived ids', () => {
  it('gives the same order id for the same user and key, another for another', () => {
    const id = orderIdFor('u1', 'key-1');
    expect(id).toMatch(/^o_[A-Za-z0-9_-]{22}$/);
    expect(orderIdFor('u1', 'key-1')).toBe(id);
    expect(orderIdFor('u2', 'key-1')).not.toBe(id);
    expect(orderIdFor('u1', 'key-2')).not.toBe(id);
  });

  it('keeps user and key apart (no "a:b" + "c" = "a" + "b:c" collision)', () => {
    // The key pattern has no ':', so user:key splits one way only.
    expect(orderIdFor('a', 'bc')).not.toBe(orderIdFor('ab', 'c'));
  });

  it('derives payment and cancellation ids from the order', () => {
    expect(paymentIdFor('o_x', 'k')).toMatch(/^p_[A-Za-z0-9_-]{22}$/);
    expect(paymentIdFor('o_x', 'k')).toBe(paymentIdFor('o_x', 'k'));
    expect(cancellationIdFor('o_x')).toBe('c_o_x');
  });
});

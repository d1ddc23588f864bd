import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { describe, expect, it } from 'vitest';
import * as schemas from '../../src/schemas/index';
import {
  factoryOutputId,
  type OrderDocument as Order,
  OrderDocument,
  ProductionRequestDocument,
  stockId,
  validateDocument,
} from '../../src/schemas/index';

const order: Order = {
  _id: 'o1',
  partition_key: 'u1',
  userId: 'u1',
  lines: [{ productId: 'p1', qty: 2, unitPrice: 500 }],
  currency: 'EUR',
  total: 1000,
  placedAt: new Date('2026-01-01T00:00:00Z'),
};

describe('shared document schemas', () => {
  it('accepts a well-formed order', () => {
    expect(validateDocument(OrderDocument, order)).toEqual({ ok: true, value: order });
  });

  it('names the missing field of an order', () => {
    const { lines: _lines, ...withoutLines } = order;
    const result = validateDocument(OrderDocument, withoutLines);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain('lines');
  });

  it('rejects a negative quantity', () => {
    const result = validateDocument(OrderDocument, {
      ...order,
      lines: [{ productId: 'p1', qty: -1, unitPrice: 1 }],
    });
    expect(!result.ok && result.reason).toContain('/lines/0/qty');
  });

  it('requires dates to be Dates, not strings', () => {
    const result = validateDocument(ProductionRequestDocument, {
      _id: 'r1',
      partition_key: 'p1',
      productId: 'p1',
      warehouse: 'main',
      qty: 1,
      requestedAt: '2026-01-01',
    });
    expect(result.ok).toBe(false);
  });

  it('given every shared schema, when documents are checked, then the compiled check agrees with typebox walking the schema', () => {
    const all = Object.entries(schemas).filter(
      ([, value]) => typeof value === 'object' && value !== null && 'type' in value,
    );
    expect(all.length).toBeGreaterThan(10);
    for (const [name, schema] of all)
      for (const candidate of [{}, order, { ...order, total: -1 }, null, 'text'])
        expect([name, validateDocument(schema as TSchema, candidate).ok]).toEqual([
          name,
          Value.Check(schema as TSchema, candidate),
        ]);
  });

  it('derives deterministic ids', () => {
    expect(factoryOutputId('w1')).toBe('out:w1');
    expect(stockId('main', 'p1')).toBe('main:p1');
  });
});

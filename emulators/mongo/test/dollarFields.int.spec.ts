import type { Collection, MongoClient } from 'mongodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AnyDoc, startWithClient, upd } from './helpers.js';

// `$`-prefixed field names as mongod 5.0+ stores them. Expected behaviour: specifications
// source/crud/tests/unified/*-dots_and_dollars.yml and the manual's "Dollar-Prefixed Field Names"
// (inserts and upserts may store them, replacements and update operators may not write top-level ones,
// pipeline updates may; never inside _id). Codes and messages: mongod's storage_validation.cpp.
describe('$-prefixed field names', () => {
  let client: MongoClient;
  let close: () => Promise<void>;
  let c: Collection<AnyDoc>;
  const replacementMessage = (name: string, path: string): string =>
    `The dollar ($) prefixed field '${name}' in '${path}' is not allowed in the context of an update's replacement document. Consider using an aggregation pipeline with $replaceWith.`;
  beforeAll(async () => {
    ({ client, close } = await startWithClient());
    c = client.db('dollars').collection<AnyDoc>('c');
  });
  afterAll(async () => {
    await close();
  });
  beforeEach(async () => {
    await c.deleteMany({});
  });

  it('inserts top-level and nested $-prefixed fields (5.0+) and reads them back', async () => {
    await c.insertOne({ _id: 1, $a: 1 });
    await c.insertMany([
      { _id: 2, a: { $b: 1 } },
      { _id: 3, a: { $db: 'foo' } },
    ]);
    expect(await c.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 1, $a: 1 },
      { _id: 2, a: { $b: 1 } },
      { _id: 3, a: { $db: 'foo' } },
    ]);
    // A later update of another field leaves the stored $-field alone (only written paths are validated).
    await c.updateOne({ _id: 1 }, { $set: { b: 2 } });
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, $a: 1, b: 2 });
  });

  it('refuses $-prefixed names anywhere inside _id on insert (DollarPrefixedFieldName, 52)', async () => {
    await expect(c.insertOne({ _id: { $a: 1 } as never })).rejects.toMatchObject({
      code: 52,
      message: "_id fields may not contain '$'-prefixed fields: $a is not valid for storage.",
    });
    await expect(c.insertOne({ _id: { x: { $b: 1 } } as never })).rejects.toMatchObject({ code: 52 });
    // Dotted names inside _id are fine (3.6+).
    await c.insertOne({ _id: { 'a.b': 1 } as never });
    expect(await c.countDocuments()).toBe(1);
  });

  it('refuses top-level $-prefixed names in a replacement of an existing document, not in an upserted one', async () => {
    await c.insertOne({ _id: 1, x: 1 });
    await expect(c.replaceOne({ _id: 1 }, { x: 2, $a: 1 })).rejects.toMatchObject({
      code: 52,
      message: replacementMessage('$a', '$a'),
    });
    await c.replaceOne({ _id: 1 }, { x: 2, a: { $b: 1 } });
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, x: 2, a: { $b: 1 } });
    await c.replaceOne({ _id: 9 }, { x: 3, $a: 1 }, { upsert: true });
    expect(await c.findOne({ _id: 9 })).toEqual({ _id: 9, x: 3, $a: 1 });
    await expect(
      c.replaceOne({ _id: 10 }, { _id: { $a: 1 } as never }, { upsert: true }),
    ).rejects.toMatchObject({ code: 52, message: replacementMessage('$a', '_id.$a') });
  });

  it('lets an upsert insert $set of a $-prefixed field, refuses it on an existing document', async () => {
    await c.updateOne({ date: 'd1' }, upd({ $set: { phone: 25, $hotel: 320 } }), { upsert: true });
    expect(await c.findOne({ date: 'd1' }, { projection: { _id: 0 } })).toEqual({
      date: 'd1',
      phone: 25,
      $hotel: 320,
    });
    await expect(c.updateOne({ date: 'd1' }, upd({ $set: { $hotel: 1 } }))).rejects.toMatchObject({
      code: 52,
      message: replacementMessage('$hotel', '$hotel'),
    });
  });

  it('lets a pipeline update set a top-level $-prefixed field with $setField', async () => {
    await c.insertOne({ _id: 1 });
    await c.updateOne({ _id: 1 }, [
      { $replaceWith: { $setField: { field: { $literal: '$a' }, value: 1, input: '$$ROOT' } } },
    ]);
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, $a: 1 });
  });
});

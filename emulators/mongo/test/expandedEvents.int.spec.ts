import type { ChangeStream, Db, Document, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnyDoc, startWithClient } from './helpers.js';

// showExpandedEvents (mongod 6.0+/6.1+). Expected behaviour: specifications
// source/change-streams/tests/unified/change-streams-showExpandedEvents.yml and
// change-streams-disambiguatedPaths.yml, mongod's jstests/change_streams/show_expanded_events /
// expanded_update_description.js, and the manual's change-event pages (collectionUUID, operationDescription).
describe('change streams with showExpandedEvents', () => {
  let client: MongoClient;
  let close: () => Promise<void>;
  let db: Db;
  beforeAll(async () => {
    ({ client, close } = await startWithClient());
    db = client.db('expanded');
  });
  afterAll(async () => {
    await close();
  });

  async function opened(expanded: boolean): Promise<ChangeStream<AnyDoc, Document>> {
    const cs = db.watch<AnyDoc, Document>([], expanded ? { showExpandedEvents: true } : {});
    await cs.tryNext();
    return cs;
  }

  it('adds collectionUUID to events and emits DDL events only when asked', async () => {
    const plain = await opened(false);
    const expanded = await opened(true);
    await db.createCollection('ddl');
    const c = db.collection<AnyDoc>('ddl');
    await c.createIndex({ x: 1 });
    await c.insertOne({ _id: 1, x: 1 });
    await db.command({ collMod: 'ddl', validationLevel: 'moderate' });
    await c.dropIndex('x_1');
    const uuid = (await db.listCollections({ name: 'ddl' }, { nameOnly: false }).toArray())[0]!.info?.uuid;
    const types = ['create', 'createIndexes', 'insert', 'modify', 'dropIndexes'];
    const events: Document[] = [];
    for (const _ of types) events.push(await expanded.next());
    expect(events.map((e) => e.operationType)).toEqual(types);
    for (const e of events) expect(e.collectionUUID).toEqual(uuid);
    expect(events[1]!.operationDescription).toEqual({ indexes: [{ v: 2, key: { x: 1 }, name: 'x_1' }] });
    // Without the option: only the insert, and no collectionUUID.
    const only = await plain.next();
    expect(only.operationType).toBe('insert');
    expect(only).not.toHaveProperty('collectionUUID');
    expect(await plain.tryNext()).toBeNull();
    await plain.close();
    await expanded.close();
  });

  it('describes ambiguous update paths in disambiguatedPaths, array indices as numbers', async () => {
    const c = db.collection<AnyDoc>('paths');
    await c.insertMany([
      { _id: 1, a: { '1': 1 } },
      { _id: 2, a: [{ '1': 1 }] },
      { _id: 3, a: 1, arr: [1, 2] },
    ]);
    const plain = await opened(false);
    const expanded = await opened(true);
    await c.updateOne({ _id: 1 }, { $set: { 'a.1': 2 } });
    await c.updateOne({ _id: 2 }, { $set: { 'a.0.1': 2 } });
    await c.updateOne({ _id: 3 }, { $set: { a: 2, 'arr.1': 3 } });
    await c.updateOne({ _id: 3 }, [
      { $replaceWith: { $setField: { field: 'new.Field.', input: '$$ROOT', value: 1 } } },
    ]);
    const descriptions: Document[] = [];
    for (let i = 0; i < 4; i++) descriptions.push((await expanded.next()).updateDescription);
    expect(descriptions.map((d) => d.disambiguatedPaths)).toEqual([
      { 'a.1': ['a', '1'] },
      { 'a.0.1': ['a', 0, '1'] },
      {}, // only plain field names and array indices: nothing ambiguous
      { 'new.Field.': ['new.Field.'] },
    ]);
    expect(descriptions[0]!.updatedFields).toEqual({ 'a.1': 2 });
    // Without showExpandedEvents the field is absent (mongod < 8.2).
    for (let i = 0; i < 4; i++) {
      const d = (await plain.next()).updateDescription;
      expect(d).not.toHaveProperty('disambiguatedPaths');
      expect(Object.keys(d)).toEqual(['updatedFields', 'removedFields', 'truncatedArrays']);
    }
    await plain.close();
    await expanded.close();
  });
});

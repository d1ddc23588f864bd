import { BSON, type Document, Long, UUID } from 'bson';
import { describe, expect, it } from 'vitest';
import { keyOf } from '../src/bsonUtil.js';
import { Sessions } from '../src/sessions.js';
import { Engine } from '../src/storage/engine.js';

function setup(): { engine: Engine; sessions: Sessions } {
  const engine = new Engine({ oplogMaxEntries: 1000, oplogMaxAgeSeconds: 3600 });
  return { engine, sessions: new Sessions(engine) };
}

describe('pre-images in the change log', () => {
  it('are recorded (and journaled) only for collections with changeStreamPreAndPostImages', async () => {
    const { engine, sessions } = setup();
    const direct = sessions.direct();
    const plain = direct.ensureCollection('db', 'plain');
    const kept = direct.ensureCollection('db', 'kept');
    engine.apply(
      engine.entry({
        op: 'collMod',
        db: 'db',
        coll: 'kept',
        spec: { changeStreamPreAndPostImages: { enabled: true } },
      }),
    );
    for (const coll of [plain, kept]) {
      const doc: Document = { _id: 1, v: 0 };
      direct.insert(coll, doc);
      const updated = { _id: 1, v: 1 };
      direct.update(coll, doc, updated, 'u');
      direct.delete(coll, updated);
    }
    await direct.flush();
    const writes = engine.oplog.entries.filter((e) => e.op === 'u' || e.op === 'd');
    expect(writes.map((e) => [e.coll, e.op, e.pre])).toEqual([
      ['plain', 'u', undefined],
      ['plain', 'd', undefined],
      ['kept', 'u', { _id: 1, v: 0 }],
      ['kept', 'd', { _id: 1, v: 1 }],
    ]);
    // The journal record of an entry without the option carries no pre-image at all.
    const record = BSON.deserialize(BSON.serialize({ e: writes[0] }));
    expect(Object.keys(record.e)).not.toContain('pre');
    sessions.close();
  });

  it('transactions keep the versions they may read only while they are open', async () => {
    const { engine, sessions } = setup();
    const direct = sessions.direct();
    const coll = direct.ensureCollection('db', 'c');
    direct.insert(coll, { _id: 1, v: 0 });
    direct.insert(coll, { _id: 2, v: 0 });
    await direct.flush();
    expect(engine.replaced.size).toBe(0); // no transaction open: nothing kept

    const t1 = sessions.startTransaction(sessions.get({ id: new UUID().toBinary() }), Long.fromNumber(1));
    direct.update(coll, { _id: 1, v: 0 }, { _id: 1, v: 1 }, 'u');
    await direct.flush();
    const t2 = sessions.startTransaction(sessions.get({ id: new UUID().toBinary() }), Long.fromNumber(1));
    direct.delete(coll, { _id: 2, v: 0 });
    await direct.flush();
    expect(engine.replaced.size).toBe(2);
    expect(t1.read(coll, undefined).docs).toEqual([
      { _id: 1, v: 0 },
      { _id: 2, v: 0 },
    ]);
    expect(t2.read(coll, undefined).docs).toEqual([
      { _id: 1, v: 1 },
      { _id: 2, v: 0 },
    ]);
    t1.abort(); // t2 never reads what was replaced before it started
    expect([...engine.replaced.values()]).toEqual([{ ns: 'db.c', id: keyOf(2), doc: { _id: 2, v: 0 } }]);
    t2.abort();
    expect(engine.replaced.size).toBe(0);
    sessions.close();
  });
});

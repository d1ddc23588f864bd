import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BSON, Decimal128, Double, Int32, Long, ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { compareValues, deserialize, keyOf, serialize } from '../src/bsonUtil.js';
import { decodeToken, encodeToken } from '../src/changes/oplog.js';
import { ArrayCursor, CursorRegistry } from '../src/cursors.js';
import { applyUpdate, describeUpdate, upsertSeed } from '../src/query/update.js';
import { frame, readRecords } from '../src/storage/journal.js';
import { decodeMessage, encodeOpMsg, MessageFramer, OP_MSG } from '../src/wire/protocol.js';

describe('BSON helpers', () => {
  it('round-trips numeric types byte-identically', () => {
    const doc = {
      i: new Int32(1),
      d: new Double(1),
      f: 1.5,
      l: Long.fromNumber(3),
      dec: Decimal128.fromString('2.50'),
      big: 2 ** 40,
      neg0: -0,
    };
    const bytes = BSON.serialize(doc);
    expect(Buffer.compare(serialize(deserialize(bytes)), Buffer.from(bytes))).toBe(0);
  });

  it('gives equal index keys to numerically equal values of different types', () => {
    expect(keyOf(1)).toBe(keyOf(Long.fromNumber(1)));
    expect(keyOf(new Double(1))).toBe(keyOf(Decimal128.fromString('1')));
    expect(keyOf(null)).toBe(keyOf(undefined));
    expect(keyOf('1')).not.toBe(keyOf(1));
    const id = new ObjectId();
    expect(keyOf(id)).toBe(keyOf(new ObjectId(id.toHexString())));
  });

  it('orders values in BSON type order', () => {
    expect(compareValues(null, 0)).toBeLessThan(0);
    expect(compareValues(5, 'a')).toBeLessThan(0);
    expect(compareValues(Long.fromNumber(10), 9.5)).toBeGreaterThan(0);
    expect(compareValues(new Date(1), new Date(2))).toBeLessThan(0);
  });
});

describe('cursor registry', () => {
  it('reaps idle cursors and answers CursorNotFound for them', () => {
    const reg = new CursorRegistry(1000);
    const id = reg.newId();
    const cursor = new ArrayCursor(id, 'db.c', [{ a: 1 }, { a: 2 }]);
    cursor.lastUsed = Date.now() - 5000;
    reg.add(cursor);
    reg.reap();
    expect(() => reg.get(id)).toThrowError(/not found/);
    reg.closeAll();
  });
});

describe('update engine', () => {
  it('applies operators without touching the input', () => {
    const before = { _id: 1, a: { b: 1 }, arr: [1, 2, 3] };
    const after = applyUpdate(before, { $inc: { 'a.b': 1 }, $pop: { arr: 1 }, $set: { 'c.d': true } });
    expect(before).toEqual({ _id: 1, a: { b: 1 }, arr: [1, 2, 3] });
    expect(after).toEqual({ _id: 1, a: { b: 2 }, arr: [1, 2], c: { d: true } });
    expect(describeUpdate(before, after)).toEqual({
      updatedFields: { 'a.b': 2, c: { d: true } },
      removedFields: [],
      truncatedArrays: [{ field: 'arr', newSize: 2 }],
    });
  });

  it('keeps Long arithmetic in Long and promotes int32 overflow', () => {
    const r = applyUpdate({ _id: 1, l: Long.fromNumber(2 ** 40), i: 2 ** 31 - 1 }, { $inc: { l: 1, i: 1 } });
    expect(r.l).toBeInstanceOf(Long);
    expect(String(r.l)).toBe(String(2 ** 40 + 1));
    expect(r.i).toBeInstanceOf(Long);
  });

  it('builds upsert seeds from equality conditions', () => {
    expect(upsertSeed({ a: 1, 'b.c': 2, d: { $gt: 1 }, $and: [{ e: { $eq: 3 } }] })).toEqual({
      a: 1,
      b: { c: 2 },
      e: 3,
    });
  });
});

describe('wire protocol', () => {
  it('frames split and coalesced messages', () => {
    const body = Buffer.from(BSON.serialize({ ping: 1, $db: 'admin' }));
    const msg = encodeOpMsg(7, body);
    const framer = new MessageFramer();
    const both = Buffer.concat([msg, msg]);
    expect(framer.push(both.subarray(0, 10))).toHaveLength(0);
    const out = framer.push(both.subarray(10));
    expect(out).toHaveLength(2);
    const decoded = decodeMessage(out[0]!);
    expect(decoded.opCode).toBe(OP_MSG);
    expect(decoded.command).toEqual({ ping: 1, $db: 'admin' });
    expect(decoded.db).toBe('admin');
  });

  it('merges kind-1 document sequences into the command', () => {
    const body = Buffer.from(BSON.serialize({ insert: 'c', $db: 'd' }));
    const docs = [BSON.serialize({ a: 1 }), BSON.serialize({ a: 2 })].map((b) => Buffer.from(b));
    const id = Buffer.from('documents\0');
    const seqLen = 4 + id.length + docs[0]!.length + docs[1]!.length;
    const len = Buffer.alloc(4);
    len.writeInt32LE(seqLen);
    const header = Buffer.alloc(21);
    const total = 21 + body.length + 1 + seqLen;
    header.writeInt32LE(total, 0);
    header.writeInt32LE(1, 4);
    header.writeInt32LE(OP_MSG, 12);
    header.writeUInt32LE(2, 16); // moreToCome
    header[20] = 0;
    const msg = Buffer.concat([header, body, Buffer.from([1]), len, id, ...docs]);
    const decoded = decodeMessage(msg);
    expect(decoded.command.documents).toEqual([{ a: 1 }, { a: 2 }]);
    expect(decoded.moreToCome).toBe(true);
  });
});

describe('journal records and resume tokens', () => {
  it('stops at the first corrupt record', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'j-')), 'j.log');
    const a = frame(Buffer.from(BSON.serialize({ a: 1 })));
    const b = frame(Buffer.from(BSON.serialize({ b: 2 })));
    const bad = Buffer.from(b);
    bad[bad.length - 2] = (bad[bad.length - 2] ?? 0) ^ 0xff;
    fs.writeFileSync(file, Buffer.concat([a, bad, a]));
    const r = readRecords(file);
    expect(r.records).toHaveLength(1);
    expect(r.validBytes).toBe(a.length);
    fs.rmSync(path.dirname(file), { recursive: true });
  });

  it('encodes and decodes resume tokens with the data-dir identity', () => {
    const ts = new BSON.Timestamp({ t: 1700000000, i: 5 });
    const token = encodeToken({ ts, seq: 42, identity: '0123456789abcdef' });
    expect(decodeToken(token)).toMatchObject({ seq: 42, identity: '0123456789abcdef', invalidate: false });
    expect(decodeToken({ _data: 'garbage' })).toBeUndefined();
  });
});

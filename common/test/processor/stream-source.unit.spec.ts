import { Timestamp } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { bucketFilterStage } from '../../src/processor/bucket-filter';
import { deterministicId, hashId } from '../../src/processor/idempotency';
import { clusterTimeOfToken, startFor } from '../../src/processor/positions';
import { buildWatchArgs, normalizeChange } from '../../src/processor/stream-source';

describe('buildWatchArgs', () => {
  it('cosmos mode sends exactly the documented shape: $match on insert/update/replace, $project, updateLookup', () => {
    const token = { _data: 'abc' };
    expect(buildWatchArgs({ mode: 'cosmos', start: { resumeAfter: token } })).toEqual({
      pipeline: [
        { $match: { operationType: { $in: ['insert', 'update', 'replace'] } } },
        { $project: { _id: 1, fullDocument: 1, ns: 1, documentKey: 1 } },
      ],
      options: { fullDocument: 'updateLookup', resumeAfter: token },
    });
  });

  it('cosmos mode folds caller $match stages into the one $match and rejects other stages', () => {
    const args = buildWatchArgs({
      mode: 'cosmos',
      start: {},
      pipeline: [{ $match: { 'fullDocument.kind': 'a' } }],
    });
    expect(args.pipeline).toEqual([
      {
        $match: {
          $and: [{ 'fullDocument.kind': 'a' }, { operationType: { $in: ['insert', 'update', 'replace'] } }],
        },
      },
      { $project: { _id: 1, fullDocument: 1, ns: 1, documentKey: 1 } },
    ]);
    expect(args.options).toEqual({ fullDocument: 'updateLookup' });
    expect(() => buildWatchArgs({ mode: 'cosmos', start: {}, pipeline: [{ $addFields: { x: 1 } }] })).toThrow(
      /only \$match/,
    );
  });

  it('mongo mode puts the bucket filter between its own $match and the caller stages; cosmos refuses it', () => {
    const bucketFilter = bucketFilterStage(4, [0, 3]);
    const caller = { $match: { 'fullDocument.kind': 'a' } };
    const { pipeline } = buildWatchArgs({ mode: 'mongo', start: {}, pipeline: [caller], bucketFilter });
    expect(pipeline).toEqual([
      { $match: { operationType: { $in: ['insert', 'update', 'replace', 'delete'] } } },
      bucketFilter,
      caller,
    ]);
    // Bucket 3 is remainder 3 or -1 of the signed hash; bucket 0 only 0.
    expect(JSON.stringify(bucketFilter)).toContain('[0,3,-1]');
    expect(() => buildWatchArgs({ mode: 'cosmos', start: {}, bucketFilter })).toThrow(/cosmos/);
  });

  it('mongo mode keeps data events only and appends the caller stages', () => {
    const ts = new Timestamp({ t: 10, i: 1 });
    const args = buildWatchArgs({
      mode: 'mongo',
      start: { startAtOperationTime: ts },
      pipeline: [{ $match: { x: 1 } }],
    });
    expect(args.pipeline).toEqual([
      { $match: { operationType: { $in: ['insert', 'update', 'replace', 'delete'] } } },
      { $match: { x: 1 } },
    ]);
    expect(args.options).toMatchObject({ fullDocument: 'updateLookup', startAtOperationTime: ts });
    expect(args.options).not.toHaveProperty('fullDocumentBeforeChange');
  });

  it('mongo mode with preImages asks for pre-images where available, never as required', () => {
    const args = buildWatchArgs({ mode: 'mongo', start: {}, preImages: true });
    expect(args.options).toEqual({
      fullDocument: 'updateLookup',
      fullDocumentBeforeChange: 'whenAvailable',
      maxAwaitTimeMS: 1000,
      batchSize: 1000,
    });
    expect(buildWatchArgs({ mode: 'mongo', start: {}, preImages: false }).options).not.toHaveProperty(
      'fullDocumentBeforeChange',
    );
  });

  it('cosmos mode refuses pre-images and, without them, keeps exactly its shape', () => {
    expect(() => buildWatchArgs({ mode: 'cosmos', start: {}, preImages: true })).toThrow(/pre-images/);
    expect(buildWatchArgs({ mode: 'cosmos', start: {}, preImages: false })).toEqual(
      buildWatchArgs({ mode: 'cosmos', start: {} }),
    );
  });
});

describe('normalizeChange', () => {
  const base = { _id: { _data: 't' }, documentKey: { _id: 'd1' } };

  it('carries the pre-image when the server sent one, null when it kept none, nothing when not asked', () => {
    const before = { _id: 'd1', partition_key: 'p1', v: 1 };
    const deleted = normalizeChange({ ...base, operationType: 'delete', fullDocumentBeforeChange: before });
    expect(deleted).toMatchObject({
      operationType: 'delete',
      fullDocument: null,
      fullDocumentBeforeChange: before,
    });
    const missing = normalizeChange({ ...base, operationType: 'delete', fullDocumentBeforeChange: null });
    expect(missing?.fullDocumentBeforeChange).toBeNull();
    const plain = normalizeChange({ ...base, operationType: 'delete' });
    expect(plain).not.toHaveProperty('fullDocumentBeforeChange');
  });
});

describe('startFor', () => {
  it('one position resumes after its token; several start at the oldest cluster time', () => {
    const a = { token: { _data: 'a' }, clusterTime: new Timestamp({ t: 5, i: 2 }) };
    const b = { token: { _data: 'b' }, clusterTime: new Timestamp({ t: 5, i: 1 }) };
    expect(startFor([a])).toEqual({ resumeAfter: a.token });
    expect(startFor([a, b])).toEqual({ startAtOperationTime: b.clusterTime });
    expect(startFor([a, { token: { _data: 'c' } }])).toBeUndefined();
    expect(startFor([])).toBeUndefined();
  });
});

describe('deterministicId', () => {
  it('is stable, readable and unambiguous', () => {
    expect(deterministicId('work_item', 'f1', 'line', 2)).toBe('work_item:f1:line:2');
    expect(deterministicId('x', 'a:b')).not.toBe(deterministicId('x', 'a', 'b'));
    expect(hashId('x', 1)).toHaveLength(32);
    expect(hashId('x', 1)).toBe(hashId('x', 1));
  });
});

describe('clusterTimeOfToken', () => {
  it('reads the timestamp a MongoDB resume token starts with; other shapes have none', () => {
    // A mongod 7.0 token: KeyString type 0x82 (timestamp), then seconds and increment, big-endian.
    const token = {
      _data: '8265A1B2C3000000012B022C0100296E5A10046B1E3A5B9D4F4E0E8B8C4F5B2C8E1E5D46645F6964002B020004',
    };
    expect(clusterTimeOfToken(token)).toEqual(new Timestamp({ t: 0x65a1b2c3, i: 1 }));
    expect(clusterTimeOfToken({ _data: 'eyJWIjoyLCJSaWQiOiJ...' })).toBeUndefined();
    expect(clusterTimeOfToken(undefined)).toBeUndefined();
  });
});

import { Decimal128, Long, ObjectId } from 'bson';
import { evalExpr } from 'mingo/core';
import { describe, expect, it } from 'vitest';
import { compileExpression } from '../src/query/compiledExpr.js';
import { typedOptions } from '../src/query/context.js';
import { typedView } from '../src/query/match.js';

const id = new ObjectId('665f1c2e8a1b2c3d4e5f6a7b');
const docs = [
  { _id: 1, a: 5, b: 'x', k: 'key-1', n: null, arr: [{ v: 1 }, { v: 2 }, { w: 3 }, 7, [{ v: 4 }]] },
  { _id: id, a: new Long(-17), b: '', d: { e: { f: 2.5 } }, arr: [] },
  { _id: 'z', a: Decimal128.fromString('3.5'), fullDocument: { partition_key: 'p', _id: 'z' } },
  { _id: 2, a: 0, b: 'y', fullDocumentBeforeChange: { partition_key: id } },
];

const expressions: unknown[] = [
  '$a',
  '$d.e.f',
  '$arr.v',
  '$missing.x',
  '$$ROOT.b',
  { $literal: '$a' },
  ['$a', 'lit', 3, null],
  { $ifNull: ['$missing', '$n', '$b'] },
  { $ifNull: ['$missing', '$alsoMissing'] },
  { $cond: [{ $eq: ['$b', 'x'] }, 'yes', 'no'] },
  // biome-ignore lint/suspicious/noThenProperty: $cond's object form names its branch `then`
  { $cond: { if: '$a', then: 1, else: 0 } },
  { $let: { vars: { v: '$a', w: { $type: '$a' } }, in: ['$$v', '$$w', '$$CURRENT.b'] } },
  { $type: '$missing' },
  { $type: ['$b'] },
  { $in: ['$b', ['x', 'y']] },
  { $in: ['$a', [5, 0]] },
  { $mod: ['$a', 4] },
  { $mod: [{ $toHashedIndexKey: '$k' }, 16] },
  { $toString: '$_id' },
  { $toString: '$a' },
  { $toHashedIndexKey: '$b' },
  { $and: [{ $gt: ['$a', 1] }, { $lt: ['$a', 10] }] },
  { $or: ['$n', { $ne: ['$b', 'x'] }] },
  { $not: ['$a'] },
  { $add: ['$a', 1] },
  {
    $let: {
      vars: {
        key: {
          $ifNull: ['$fullDocument.partition_key', '$fullDocumentBeforeChange.partition_key', '$_id'],
        },
      },
      in: {
        $cond: [
          { $in: [{ $type: '$$key' }, ['string', 'objectId']] },
          { $in: [{ $mod: [{ $toHashedIndexKey: { $toString: '$$key' } }, 16] }, [0, 1, 2, -15, -14]] },
          true,
        ],
      },
    },
  },
];

/** The result, or the error's code and message. */
function outcome(run: () => unknown): unknown {
  try {
    return { value: run() };
  } catch (err) {
    const e = err as { code?: number; message?: string };
    return { error: e.code ?? e.message };
  }
}

describe('compiled $expr', () => {
  it('evaluates every expression of its subset exactly as the mingo path does (values and errors)', () => {
    for (const expr of expressions) {
      const compiled = compileExpression(expr);
      expect(compiled, JSON.stringify(expr)).toBeDefined();
      for (const doc of docs) {
        const view = typedView(doc);
        expect(
          outcome(() => compiled!(view)),
          JSON.stringify(expr),
        ).toEqual(outcome(() => evalExpr(view, expr, typedOptions())));
      }
    }
  });

  it('gives the same errors for bad arguments', () => {
    for (const expr of [{ $in: ['$a', '$b'] }, { $mod: ['$b', 2] }, { $mod: ['$a', 0] }, { $eq: ['$a'] }]) {
      const compiled = compileExpression(expr)!;
      const view = typedView(docs[0]!);
      const mingo = outcome(() => evalExpr(view, expr, typedOptions()));
      expect(mingo).toHaveProperty('error');
      expect(outcome(() => compiled(view))).toEqual(mingo);
    }
  });

  it('leaves what it does not know to mingo', () => {
    expect(compileExpression({ $map: { input: '$arr', in: '$$this' } })).toBeUndefined();
    expect(compileExpression({ a: '$a' })).toBeUndefined();
    expect(compileExpression('$$NOW')).toBeUndefined();
    expect(compileExpression({ $let: { vars: { v: 1 }, in: '$$other' } })).toBeUndefined();
  });
});

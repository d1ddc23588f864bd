import { describe, expect, it } from 'vitest';
import { compileFilter } from '../src/query/match.js';

/**
 * Filters compiled with shared options (query/context.ts `queryOptions`): each keeps its own
 * condition and variables, however many are compiled and tested in turn.
 */
describe('compiled filters', () => {
  const docs = [
    { _id: 1, stage: 'Reserved', qty: 5, tags: ['a'] },
    { _id: 2, stage: 'Placed', qty: 15, tags: ['b'] },
    { _id: 3, stage: 'Reserved', qty: 25, tags: ['a', 'b'] },
  ];
  const ids = (filter: Parameters<typeof compileFilter>[0]) => {
    const test = compileFilter(filter);
    return docs.filter((doc) => test(doc)).map((doc) => doc._id);
  };

  it('given filters compiled one after another, when each is tested, then each matches by its own condition', () => {
    const reservedOver = compileFilter({ stage: 'Reserved', qty: { $gt: 10 } });
    const tagged = compileFilter({ tags: { $in: ['b'] } });
    const small = compileFilter({ qty: { $lt: 10 } });
    const byExpr = compileFilter({
      $expr: { $gt: ['$qty', { $multiply: [2, 10] }] },
      stage: { $ne: 'Placed' },
    });
    for (let round = 0; round < 3; round++) {
      expect(docs.filter((doc) => reservedOver(doc)).map((doc) => doc._id)).toEqual([3]);
      expect(docs.filter((doc) => tagged(doc)).map((doc) => doc._id)).toEqual([2, 3]);
      expect(docs.filter((doc) => small(doc)).map((doc) => doc._id)).toEqual([1]);
      expect(docs.filter((doc) => byExpr(doc)).map((doc) => doc._id)).toEqual([3]);
    }
  });

  it('given the operators of both sets, when filters use them, then they answer as mongod does', () => {
    expect(ids({ qty: { $mod: [5, 0] }, tags: { $size: 1 } })).toEqual([1, 2]);
    expect(ids({ $or: [{ _id: 1 }, { qty: { $gte: 25 } }] })).toEqual([1, 3]);
    expect(ids({ qty: { $type: 'number' }, stage: { $regex: '^Res' } })).toEqual([1, 3]);
    expect(ids({ tags: { $elemMatch: { $eq: 'a' } }, $nor: [{ qty: 5 }] })).toEqual([3]);
  });
});

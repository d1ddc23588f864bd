import { describe, expect, it } from 'vitest';
import { catchUpFilterFrom } from './catch-up-filter';

describe('catchUpFilterFrom', () => {
  it('reads the document conditions of the pipeline’s $match stages', () => {
    expect(catchUpFilterFrom([{ $match: { 'fullDocument.stage': 'Backordered' } }])).toEqual({
      stage: 'Backordered',
    });
    expect(
      catchUpFilterFrom([
        { $match: { operationType: { $in: ['insert', 'update'] }, 'fullDocument.qty': { $gt: 0 } } },
        { $match: { $or: [{ 'fullDocument.kind': 'a' }, { 'documentKey._id': 'x' }] } },
      ]),
    ).toEqual({ $and: [{ qty: { $gt: 0 } }, { $or: [{ kind: 'a' }, { _id: 'x' }] }] });
  });

  it('is everything when the pipeline filters nothing about the document', () => {
    expect(catchUpFilterFrom([])).toEqual({});
    expect(catchUpFilterFrom([{ $match: { operationType: 'insert' } }])).toEqual({});
    expect(catchUpFilterFrom([{ $project: { fullDocument: 1 } }])).toEqual({});
  });

  it('gives up when a condition is not about the document alone', () => {
    expect(catchUpFilterFrom([{ $match: { 'updateDescription.updatedFields.stage': 'x' } }])).toBeUndefined();
    expect(catchUpFilterFrom([{ $match: { $expr: { $gt: ['$fullDocument.a', 1] } } }])).toBeUndefined();
    expect(catchUpFilterFrom([{ $project: { a: '$fullDocument.a' } }, { $match: { a: 1 } }])).toBeUndefined();
  });
});

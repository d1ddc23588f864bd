import { describe, expect, it } from 'vitest';
import { describeUpdate } from '../src/query/update.js';

// disambiguatedPaths as mongod 6.1+ computes it (jstests/change_streams/expanded_update_description.js):
// a path is listed when one of its field names has a dot, or is numeric below the top level; array indices
// are numbers, field names strings.
describe('describeUpdate: disambiguatedPaths', () => {
  it('given only plain names and array indices, when described, then no disambiguatedPaths', () => {
    const d = describeUpdate(
      { _id: 1, a: 1, arr: [1, 2], o: { p: 1 } },
      { _id: 1, a: 2, arr: [1, 3], o: { p: 2 } },
    );
    expect(d).toEqual({
      updatedFields: { a: 2, 'arr.1': 3, 'o.p': 2 },
      removedFields: [],
      truncatedArrays: [],
    });
  });

  it('given a numeric field name below the top level, when set, then its components are strings', () => {
    const d = describeUpdate({ _id: 1, o: { '0': { '1': 'x' } } }, { _id: 1, o: { '0': { '1': 'y' } } });
    expect(d.disambiguatedPaths).toEqual({ 'o.0.1': ['o', '0', '1'] });
  });

  it('given a numeric name at the top level, when set, then it is not ambiguous', () => {
    expect(describeUpdate({ _id: 1, '0': 1 }, { _id: 1, '0': 2 })).not.toHaveProperty('disambiguatedPaths');
  });

  it('given dotted names and array indices, when updated and removed, then each path is spelled out', () => {
    const before = { _id: 1, 'new.Field.': 0, obj: { 'sub.obj': { list: [{ k: 1 }, 2], gone: 1 } } };
    const after = { _id: 1, 'new.Field.': 1, obj: { 'sub.obj': { list: [{ k: 2 }] } } };
    const d = describeUpdate(before, after);
    expect(d.updatedFields).toEqual({ 'new.Field.': 1, 'obj.sub.obj.list': [{ k: 2 }] });
    expect(d.removedFields).toEqual(['obj.sub.obj.gone']);
    expect(d.disambiguatedPaths).toEqual({
      'new.Field.': ['new.Field.'],
      'obj.sub.obj.list': ['obj', 'sub.obj', 'list'],
      'obj.sub.obj.gone': ['obj', 'sub.obj', 'gone'],
    });
  });

  it('given an ambiguous name inside an array element, when changed, then the index is a number', () => {
    const d = describeUpdate({ _id: 1, a: [{ '1': 1 }] }, { _id: 1, a: [{ '1': 2 }] });
    expect(d.disambiguatedPaths).toEqual({ 'a.0.1': ['a', 0, '1'] });
  });
});

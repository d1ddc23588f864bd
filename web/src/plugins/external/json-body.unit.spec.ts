import { describe, expect, it } from 'vitest';
import { jsonNestingDepth } from './json-body';

describe('jsonNestingDepth', () => {
  it('given scalars, when measured, then they nest nothing', () => {
    expect(jsonNestingDepth('1')).toBe(0);
    expect(jsonNestingDepth('"text"')).toBe(0);
  });

  it('given nested objects and arrays, when measured, then the deepest branch counts', () => {
    expect(jsonNestingDepth('{"a":[1,{"b":[]}],"c":{}}')).toBe(4);
    expect(jsonNestingDepth('[[],[[]]]')).toBe(3);
  });

  it('given brackets inside strings, escaped quotes too, when measured, then they do not count', () => {
    expect(jsonNestingDepth('{"a":"[[[{{{"}')).toBe(1);
    expect(jsonNestingDepth('{"a":"\\"[[[","b":"\\\\"}')).toBe(1);
  });

  it('given a body far deeper than the limit, when measured, then it stops just past the limit', () => {
    expect(jsonNestingDepth('['.repeat(100_000), 32)).toBe(33);
  });
});

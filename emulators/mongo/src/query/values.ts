/**
 * How aggregation compares, hashes and tests values (mongod's Value): BSON order with numbers by exact value
 * across int/long/double/decimal, missing below null, and mongod's truthiness (every numeric zero is false,
 * NaN is true).
 */
import { compareValues } from '../bsonUtil.js';
import { numberIsTruthy, numKind } from './numeric.js';

/** mongod's Value::compare (missing sorts below null; arrays and documents element by element). */
export function compareAgg(a: unknown, b: unknown): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  return compareValues(a, b);
}

export const equalAgg = (a: unknown, b: unknown): boolean => compareAgg(a, b) === 0;

/** mongod's coerceToBool. */
export function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false) return false;
  if (typeof v === 'number') return v !== 0;
  return numKind(v) === undefined ? true : numberIsTruthy(v);
}

/**
 * Query operators for documents that keep their BSON number types (query/views.ts `typedView`): mingo
 * compares numbers as JS numbers and cannot see int/long/double/decimal apart, these compare by exact value
 * (numbers.ts) and read types from the stored-document convention (numeric.ts).
 */
import type { Document } from 'bson';
import { evalExpr } from 'mingo/core';
import * as queryOperators from 'mingo/operators/query';
import {
  ensureArray,
  flatten,
  isEqual,
  isNil,
  isRegExp,
  isString,
  compare as mingoCompare,
  resolve,
  typeOf,
} from 'mingo/util';
import { isPlainObject } from '../bsonUtil.js';
import { fail } from '../errors.js';
import { compareNumbers, exactDouble, isWrappedNumber } from '../numbers.js';
import type { Options } from './evaluate.js';
import { integralOf, numKind } from './numeric.js';
import { typeAlias, typeMatcher } from './typeNames.js';
import { truthy } from './values.js';

function isNum(v: unknown): boolean {
  return typeof v === 'number' || isWrappedNumber(v);
}

/** mingo's isEqual, except that numbers (also nested in arrays/objects) compare by value. */
export function eqValue(x: unknown, y: unknown): boolean {
  if (isNum(x) && isNum(y)) return compareNumbers(x, y) === 0;
  if (Array.isArray(x) && Array.isArray(y))
    return x.length === y.length && x.every((e, i) => eqValue(e, y[i]));
  if (isPlainObject(x) && isPlainObject(y)) {
    const kx = Object.keys(x);
    const ky = Object.keys(y);
    return kx.length === ky.length && kx.every((k, i) => ky[i] === k && eqValue(x[k], y[k]));
  }
  return isEqual(x as never, y as never);
}

type FieldPredicate = (lhs: unknown, rhs: unknown, depth: number) => boolean;

/** Same field resolution as mingo's own query operators (arrays unwrapped along the path). */
function fieldOperator(predicate: FieldPredicate) {
  return (selector: string, value: unknown) => {
    let depth = 0;
    for (let i = selector.indexOf('.'); i !== -1; i = selector.indexOf('.', i + 1)) depth++;
    const opts = { unwrapArray: true };
    return (o: unknown) => predicate(resolve(o as Document, selector, opts), value, depth);
  };
}

function exactEq(a: unknown, b: unknown, depth: number): boolean {
  if (eqValue(a, b)) return true;
  if (isNil(a) && isNil(b)) return true;
  if (Array.isArray(a)) return a.some((v) => eqValue(v, b)) || flatten(a, depth).some((v) => eqValue(v, b));
  return false;
}

function exactIn(a: unknown, b: unknown): boolean {
  const list = ensureArray(b as unknown[]);
  if (isNil(a)) return list.some((v) => v === null);
  const values = ensureArray(a);
  if (values.some((v) => list.some((e) => eqValue(v, e)))) return true;
  const patterns = list.filter(isRegExp) as RegExp[];
  return patterns.length > 0 && values.some((v) => isString(v) && patterns.some((re) => re.test(v)));
}

function isNaNValue(v: unknown): boolean {
  return typeof v === 'number' ? Number.isNaN(v) : isWrappedNumber(v) && Number.isNaN(exactDouble(v));
}

/**
 * $gt/$gte/$lt/$lte. Like mongod, NaN only satisfies $gte/$lte against NaN ($gt/$lt never), although it sorts
 * below every number (mingo would let `{$gte: 5}` match NaN).
 */
function exactCompare(test: (c: number) => boolean): FieldPredicate {
  return (a, b) => {
    // Fast path: a plain number against a plain number (the common case).
    if (typeof a === 'number' && typeof b === 'number' && !Number.isNaN(a) && !Number.isNaN(b))
      return test(a < b ? -1 : a > b ? 1 : 0);
    const bNum = isNum(b);
    const bNaN = bNum && isNaNValue(b);
    for (const v of ensureArray(a)) {
      if (bNum && isNum(v)) {
        if (bNaN || isNaNValue(v)) {
          if (bNaN && isNaNValue(v) && test(0)) return true;
        } else if (test(compareNumbers(v, b))) return true;
      } else if (typeOf(v) === typeOf(b) && test(mingoCompare(v, b))) return true;
    }
    return false;
  };
}

/** $type with mongod's number types; an array matches "array" or when one of its elements matches. */
function typeOperator(selector: string, value: unknown) {
  const matches = typeMatcher(value);
  const opts = { unwrapArray: true };
  return (o: unknown) => {
    const lhs = resolve(o as Document, selector, opts);
    if (lhs === undefined) return false;
    if (Array.isArray(lhs)) return matches('array') || lhs.some((e) => matches(typeAlias(e)));
    return matches(typeAlias(lhs));
  };
}

/** $mod: [divisor, remainder] on the truncated integer value, like mongod (NaN/infinity never match). */
function modOperator(selector: string, value: unknown) {
  const spec = Array.isArray(value) ? value : [];
  const trunc = (v: unknown): bigint | undefined => {
    if (numKind(v) === undefined) return undefined;
    const i = integralOf(v);
    if (i !== undefined) return i;
    const d = Number(exactDouble(v) ?? Number.NaN);
    return Number.isFinite(d) ? BigInt(Math.trunc(d)) : undefined;
  };
  const divisor = trunc(spec[0]);
  const remainder = trunc(spec[1]);
  const test: FieldPredicate = (a) =>
    divisor !== undefined &&
    divisor !== 0n &&
    remainder !== undefined &&
    ensureArray(a).some((v) => {
      const x = trunc(v);
      return x !== undefined && x % divisor === remainder;
    });
  return fieldOperator(test)(selector, value);
}

/** $all: every listed value equal to the field (or one of its elements), `$elemMatch` entries matched too. */
function allOperator(selector: string, value: unknown, options: Options) {
  const list = Array.isArray(value) ? value : [];
  const elemMatch = queryOperators.$elemMatch as (
    s: string,
    v: unknown,
    o: Options,
  ) => (d: unknown) => boolean;
  const parts = list.map((v) =>
    isPlainObject(v) && '$elemMatch' in v
      ? elemMatch(selector, v.$elemMatch, options)
      : isRegExp(v)
        ? (o: unknown) =>
            ensureArray(resolve(o as Document, selector, { unwrapArray: true })).some(
              (s) => isString(s) && v.test(s),
            )
        : fieldOperator(exactEq)(selector, v),
  );
  return (o: unknown) => parts.length > 0 && parts.every((p) => p(o));
}

/** The bits of a bitwise operand: an integral number as 64-bit two's complement, BinData little-endian. */
function bitsOf(v: unknown): bigint | undefined {
  if (numKind(v) !== undefined) {
    const i = integralOf(v);
    return i === undefined || i < -(2n ** 63n) || i >= 2n ** 63n ? undefined : BigInt.asUintN(64, i);
  }
  if ((v as { _bsontype?: string } | null)?._bsontype !== 'Binary') return undefined;
  const b = v as { buffer: Uint8Array; position: number };
  const bytes = b.buffer.subarray(0, b.position);
  let r = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) r = (r << 8n) | BigInt(bytes[i]!);
  return r;
}

/** $bitsAllSet and friends on 64-bit values (mingo's work on 32-bit JS numbers only). */
function bitsOperator(test: (value: bigint, mask: bigint) => boolean) {
  return (selector: string, spec: unknown) => {
    const mask = Array.isArray(spec)
      ? spec.reduce<bigint>((m, p) => m | (1n << (integralOf(p) ?? 0n)), 0n)
      : bitsOf(spec);
    if (mask === undefined || mask < 0n)
      fail('BadValue', `${selector} takes an Array, a number, or a BinData but received: ${String(spec)}`);
    return fieldOperator((a) =>
      (Array.isArray(a) ? a : [a]).some((v) => {
        const bits = bitsOf(v);
        return bits !== undefined && test(bits, mask);
      }),
    )(selector, spec);
  };
}

/** $expr on the typed document, with mongod's truthiness (a Long 0 or a Decimal128 0 is false). */
function exprOperator(_selector: string, expr: unknown, options: Options) {
  return (o: unknown) => truthy(evalExpr(o, expr, options));
}

export const RANGE_OPERATORS = new Set(['$gt', '$gte', '$lt', '$lte']);

/** Operators that must run on the typed document (see views.ts), besides filters holding inexact numbers. */
export const TYPED_QUERY_OPERATORS = new Set([
  ...RANGE_OPERATORS,
  '$type',
  '$expr',
  '$mod',
  '$all',
  '$jsonSchema',
  '$bitsAllSet',
  '$bitsAllClear',
  '$bitsAnySet',
  '$bitsAnyClear',
]);

export const EXACT_QUERY_OPERATORS = {
  ...queryOperators,
  $eq: fieldOperator(exactEq),
  $ne: fieldOperator((a, b, depth) => !exactEq(a, b, depth)),
  $in: fieldOperator(exactIn),
  $nin: fieldOperator((a, b) => !exactIn(a, b)),
  $gt: fieldOperator(exactCompare((c) => c > 0)),
  $gte: fieldOperator(exactCompare((c) => c >= 0)),
  $lt: fieldOperator(exactCompare((c) => c < 0)),
  $lte: fieldOperator(exactCompare((c) => c <= 0)),
  $type: typeOperator,
  $mod: modOperator,
  $all: allOperator,
  $expr: exprOperator,
  $bitsAllSet: bitsOperator((v, m) => (v & m) === m),
  $bitsAllClear: bitsOperator((v, m) => (v & m) === 0n),
  $bitsAnySet: bitsOperator((v, m) => (v & m) !== 0n),
  $bitsAnyClear: bitsOperator((v, m) => (v & m) !== m),
};

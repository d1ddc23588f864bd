/**
 * `$type`, `$isNumber` and the conversion operators ($toInt … $convert) with mongod's conversion table for
 * numbers, strings, bools and dates; other conversions (ObjectId, date strings) are mingo's.
 */
import { Decimal128, type ObjectId } from 'bson';
import { evalExpr } from 'mingo/core';
import * as mingoExpressions from 'mingo/operators/expression';
import { isPlainObject } from '../bsonUtil.js';
import { fail } from '../errors.js';
import * as arith from './arithmetic.js';
import { argCount, type ExpressionFn, evalArgs, isNullish, isNumber, type Options } from './evaluate.js';
import * as n from './numeric.js';
import { typeAlias } from './typeNames.js';
import { truthy } from './values.js';

const TYPE_CODES: Record<number, string> = {
  1: 'double',
  2: 'string',
  7: 'objectId',
  8: 'bool',
  9: 'date',
  16: 'int',
  18: 'long',
  19: 'decimal',
};

/** Converts v to `to` (mongod's $convert table for numbers, strings, bools and dates). */
function convert(v: unknown, to: string, obj: unknown, options: Options): unknown {
  const k = n.numKind(v);
  const date = v instanceof Date ? v.getTime() : undefined;
  const failed = (): never =>
    fail(
      'Location241',
      `Unsupported conversion from ${typeAlias(v)} to ${to} in $convert with no onError value`,
    );
  switch (to) {
    case 'double':
      if (k) return arith.toDoubleValue(v);
      if (typeof v === 'boolean') return n.makeDouble(v ? 1 : 0);
      if (date !== undefined) return n.makeDouble(date);
      if (typeof v === 'string')
        return n.makeDouble(parseNumber(v, /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$|^[+-]?(inf(inity)?|nan)$/i));
      return failed();
    case 'int':
      if (k) return arith.toIntValue(v);
      if (typeof v === 'boolean') return v ? 1 : 0;
      if (typeof v === 'string') return arith.toIntValue(parseInteger(v));
      return failed();
    case 'long':
      if (k) return arith.toLongValue(v);
      if (typeof v === 'boolean') return n.makeLong(v ? 1n : 0n);
      if (date !== undefined) return n.makeLong(BigInt(date));
      if (typeof v === 'string') return arith.toLongValue(parseInteger(v));
      return failed();
    case 'decimal':
      if (k) return arith.toDecimalValue(v);
      if (typeof v === 'boolean') return arith.toDecimalValue(v ? 1 : 0);
      if (date !== undefined) return arith.toDecimalValue(n.makeLong(BigInt(date)));
      if (typeof v === 'string') return parseDecimal(v);
      return failed();
    case 'bool':
      return truthy(v);
    case 'string':
      if (k === 'int' || k === 'long') return String(n.bigOf(v));
      if (k === 'decimal') return String(v);
      if (k === 'double') return formatDouble(n.doubleOf(v));
      // mingo only knows its own ObjectId; mongod gives the hex text.
      if ((v as { _bsontype?: string } | null)?._bsontype === 'ObjectId')
        return (v as ObjectId).toHexString();
      break;
    case 'date':
      if (k === 'long' || k === 'decimal' || k === 'double') {
        const ms = k === 'long' ? Number(n.bigOf(v)) : n.doubleOf(v);
        if (!Number.isFinite(ms)) failed();
        return new Date(Math.trunc(ms));
      }
      break;
  }
  // Everything else (objectId, dates from strings, strings from other types) is mingo's.
  return (mingoExpressions.$convert as ExpressionFn)(obj, { input: { $literal: v }, to }, options);
}

function parseNumber(s: string, re: RegExp): number {
  if (!re.test(s.trim()))
    fail('Location241', `Failed to parse number '${s}' in $convert with no onError value`);
  const t = s.trim().toLowerCase().replace(/^\+/, '');
  if (/inf/.test(t)) return t.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  return /nan/.test(t) ? Number.NaN : Number(t);
}

function parseInteger(s: string): unknown {
  if (!/^[+-]?\d+$/.test(s))
    fail('Location241', `Failed to parse number '${s}' in $convert with no onError value: Bad digit`);
  return n.makeLong(BigInt(s));
}

function parseDecimal(s: string): unknown {
  try {
    // bson's parser takes the forms mongod does (digits, exponent, Infinity, NaN), rounding to 34 digits.
    return Decimal128.fromStringWithRounding(s.trim());
  } catch {
    fail('Location241', `Failed to parse number '${s}' in $convert with no onError value`);
  }
}

/** A double as mongod's $toString prints it: C's `%g` (6 significant digits), special values spelled out. */
export function formatDouble(d: number): string {
  if (Object.is(d, -0)) return '-0';
  if (Number.isNaN(d)) return 'NaN';
  if (!Number.isFinite(d)) return d > 0 ? 'Infinity' : '-Infinity';
  if (d === 0) return '0';
  const exp = Number(d.toExponential(5).split('e')[1]);
  const trim = (s: string): string => (s.includes('.') ? s.replace(/\.?0+$/, '') : s);
  if (exp < -4 || exp >= 6) {
    const [mantissa, e] = d.toExponential(5).split('e') as [string, string];
    const sign = e.startsWith('-') ? '-' : '+';
    return `${trim(mantissa)}e${sign}${e.replace(/^[+-]/, '').padStart(2, '0')}`;
  }
  return trim(d.toFixed(5 - exp));
}

function conversion(to: string): ExpressionFn {
  return (obj, expr, options) => {
    const args = evalArgs(obj, expr, options);
    argCount(`$to${to[0]!.toUpperCase()}${to.slice(1)}`, args, 1);
    return isNullish(args[0]) ? null : convert(args[0], to, obj, options);
  };
}

const $convert: ExpressionFn = (obj, expr, options) => {
  if (!isPlainObject(expr))
    fail('Location46081', `$convert expects an object of named arguments but found: ${typeAlias(expr)}`);
  const input = evalExpr(obj, expr.input, options);
  const toArg = evalExpr(obj, expr.to, options);
  const to = typeof toArg === 'string' ? toArg : (TYPE_CODES[n.doubleOf(toArg)] ?? String(toArg));
  if (isNullish(input)) return 'onNull' in expr ? evalExpr(obj, expr.onNull, options) : null;
  if (!('onError' in expr)) return convert(input, to, obj, options);
  try {
    return convert(input, to, obj, options);
  } catch {
    return evalExpr(obj, expr.onError, options);
  }
};

export const TYPES: Record<string, ExpressionFn> = {
  $type: (obj, expr, options) => {
    const args = evalArgs(obj, expr, options);
    argCount('$type', args, 1);
    return typeAlias(args[0]);
  },
  $isNumber: (obj, expr, options) => {
    const args = evalArgs(obj, expr, options);
    argCount('$isNumber', args, 1);
    return isNumber(args[0]);
  },
  $toBool: conversion('bool'),
  $toInt: conversion('int'),
  $toLong: conversion('long'),
  $toDouble: conversion('double'),
  $toDecimal: conversion('decimal'),
  $toString: conversion('string'),
  $toDate: conversion('date'),
  $convert,
};

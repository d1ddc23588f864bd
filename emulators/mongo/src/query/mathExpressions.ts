/**
 * Arithmetic and bitwise aggregation operators on typed numbers (arithmetic.ts), with mongod's null
 * handling, argument checks and error codes. Functions computed in doubles refuse Decimal128 input.
 */
import { type ErrorCodeName, fail, unsupported } from '../errors.js';
import * as arith from './arithmetic.js';
import { argCount, type ExpressionFn, evalArgs, isNullish, isNumber } from './evaluate.js';
import * as n from './numeric.js';
import { typeAlias } from './typeNames.js';

const $add: ExpressionFn = (obj, expr, options) => {
  const args = evalArgs(obj, expr, options);
  const plain = arith.plainArithmetic('+', args);
  if (plain !== undefined) return plain;
  const adder = new arith.Adder();
  for (const v of args) {
    if (isNullish(v)) return null;
    if (v instanceof Date) adder.addDate(v.getTime());
    else if (isNumber(v)) adder.add(v);
    else fail('TypeMismatch', `$add only supports numeric or date types, not ${typeAlias(v)}`);
  }
  return adder.value();
};

const $multiply: ExpressionFn = (obj, expr, options) => {
  const args = evalArgs(obj, expr, options);
  const plain = arith.plainArithmetic('*', args);
  if (plain !== undefined) return plain;
  const m = new arith.Multiplier();
  for (const v of args) {
    if (isNullish(v)) return null;
    if (!isNumber(v)) fail('TypeMismatch', `$multiply only supports numeric types, not ${typeAlias(v)}`);
    m.mul(v);
  }
  return m.value();
};

const $subtract: ExpressionFn = (obj, expr, options) => {
  const args = evalArgs(obj, expr, options);
  argCount('$subtract', args, 2);
  const [a, b] = args;
  if (isNumber(a) && isNumber(b)) return arith.subtract(a, b);
  if (isNullish(a) || isNullish(b)) return null;
  if (a instanceof Date) {
    if (b instanceof Date) return n.makeLong(BigInt(a.getTime() - b.getTime()));
    if (isNumber(b)) return new Date(a.getTime() - n.millisOf(b));
    fail('TypeMismatch', `can't $subtract ${typeAlias(b)} from date`);
  }
  fail('TypeMismatch', `can't $subtract ${typeAlias(b)} from ${typeAlias(a)}`);
};

function binaryNumeric(
  op: string,
  code: ErrorCodeName,
  fn: (a: unknown, b: unknown) => unknown,
): ExpressionFn {
  return (obj, expr, options) => {
    const args = evalArgs(obj, expr, options);
    argCount(op, args, 2);
    const [a, b] = args;
    if (isNumber(a) && isNumber(b)) return fn(a, b);
    if (isNullish(a) || isNullish(b)) return null;
    fail(code, `${op} only supports numeric types, not ${typeAlias(a)} and ${typeAlias(b)}`);
  };
}

/** One numeric operand (null in, null out), like mongod's evaluateSingleNumericArg. */
function unaryNumeric(op: string, fn: (v: unknown) => unknown): ExpressionFn {
  return (obj, expr, options) => {
    const args = evalArgs(obj, expr, options);
    argCount(op, args, 1);
    const v = args[0];
    if (isNullish(v)) return null;
    if (!isNumber(v)) fail('Location28765', `${op} only supports numeric types, not ${typeAlias(v)}`);
    return fn(v);
  };
}

function roundOrTrunc(op: string, mode: 'even' | 'down'): ExpressionFn {
  return (obj, expr, options) => {
    const args = evalArgs(obj, expr, options);
    argCount(op, args, 1, 2);
    const [v, placeArg] = args;
    if (isNullish(v)) return null;
    if (!isNumber(v)) fail('Location51081', `${op} only supports numeric types, not ${typeAlias(v)}`);
    let place = 0;
    if (args.length > 1) {
      if (isNullish(placeArg)) return null;
      const p = n.integralOf(placeArg);
      if (p === undefined) fail('Location51082', `precision argument to  ${op} must be a integral value`);
      if (p < -20n || p > 100n)
        fail('Location51083', `cannot apply ${op} with precision value ${p} value must be in [-20, 100]`);
      place = Number(p);
    }
    return arith.roundOrTrunc(v, place, mode, op);
  };
}

/** A double function with mongod's domain check (code 50989); decimals are not supported. */
function trig(op: string, fn: (x: number) => number, domain?: [number, number, string]): ExpressionFn {
  return unaryNumeric(op, (v) =>
    arith.doubleFunction(op, v, (x) => {
      if (domain && !Number.isNaN(x) && (x < domain[0] || x > domain[1]))
        fail('Location50989', `cannot apply ${op} to ${x}, value must in ${domain[2]}`);
      return fn(x);
    }),
  );
}

const ANY: [number, number, string] = [-Infinity, Infinity, '(-inf,inf)'];
const FINITE: [number, number, string] = [-Number.MAX_VALUE, Number.MAX_VALUE, '(-inf,inf)'];
const UNIT: [number, number, string] = [-1, 1, '[-1,1]'];

const $log: ExpressionFn = (obj, expr, options) => {
  const args = evalArgs(obj, expr, options);
  argCount('$log', args, 2);
  const [x, base] = args;
  if (isNullish(x) || isNullish(base)) return null;
  if (!isNumber(x)) fail('Location28756', `$log's argument must be numeric, not ${typeAlias(x)}`);
  if (!isNumber(base)) fail('Location28757', `$log's base must be numeric, not ${typeAlias(base)}`);
  if (n.numKind(x) === 'decimal' || n.numKind(base) === 'decimal')
    unsupported('$log of a Decimal128 value (mongod computes it with 34 digits)');
  const a = n.doubleOf(x);
  const b = n.doubleOf(base);
  if (!(a > 0 || Number.isNaN(a)))
    fail('Location28758', `$log's argument must be a positive number, but is ${a}`);
  if (!((b > 0 && b !== 1) || Number.isNaN(b)))
    fail('Location28759', `$log's base must be a positive number not equal to 1, but is ${b}`);
  return n.makeDouble(Math.log(a) / Math.log(b));
};

function positiveLog(op: string, code: ErrorCodeName, fn: (x: number) => number): ExpressionFn {
  return unaryNumeric(op, (v) =>
    arith.doubleFunction(op, v, (x) => {
      if (!(x > 0 || Number.isNaN(x))) fail(code, `${op}'s argument must be a positive number, but is ${x}`);
      return fn(x);
    }),
  );
}

export const ARITHMETIC: Record<string, ExpressionFn> = {
  $add,
  $multiply,
  $subtract,
  $divide: binaryNumeric('$divide', 'TypeMismatch', arith.divide),
  $mod: binaryNumeric('$mod', 'Location16611', arith.mod),
  $pow: binaryNumeric('$pow', 'Location28762', arith.power),
  $abs: unaryNumeric('$abs', arith.absolute),
  $ceil: unaryNumeric('$ceil', (v) => arith.ceilFloor(v, 'ceil')),
  $floor: unaryNumeric('$floor', (v) => arith.ceilFloor(v, 'floor')),
  $round: roundOrTrunc('$round', 'even'),
  $trunc: roundOrTrunc('$trunc', 'down'),
  $sqrt: unaryNumeric('$sqrt', (v) =>
    arith.doubleFunction('$sqrt', v, (x) => {
      if (x < 0) fail('Location28714', "$sqrt's argument must be greater than or equal to 0");
      return Math.sqrt(x);
    }),
  ),
  $exp: unaryNumeric('$exp', (v) => arith.doubleFunction('$exp', v, Math.exp)),
  $ln: positiveLog('$ln', 'Location28766', Math.log),
  $log10: positiveLog('$log10', 'Location28761', Math.log10),
  $log,
  $sin: trig('$sin', Math.sin, FINITE),
  $cos: trig('$cos', Math.cos, FINITE),
  $tan: trig('$tan', Math.tan, FINITE),
  $asin: trig('$asin', Math.asin, UNIT),
  $acos: trig('$acos', Math.acos, UNIT),
  $atan: trig('$atan', Math.atan, ANY),
  $sinh: trig('$sinh', Math.sinh, ANY),
  $cosh: trig('$cosh', Math.cosh, ANY),
  $tanh: trig('$tanh', Math.tanh, ANY),
  $asinh: trig('$asinh', Math.asinh, ANY),
  $acosh: trig('$acosh', Math.acosh, [1, Infinity, '[1,inf]']),
  $atanh: trig('$atanh', Math.atanh, UNIT),
  $degreesToRadians: trig('$degreesToRadians', (x) => x * (Math.PI / 180), ANY),
  $radiansToDegrees: trig('$radiansToDegrees', (x) => x * (180 / Math.PI), ANY),
  $atan2: binaryNumeric('$atan2', 'TypeMismatch', (y, x) => {
    if (n.numKind(y) === 'decimal' || n.numKind(x) === 'decimal')
      unsupported('$atan2 of a Decimal128 value (mongod computes it with 34 digits)');
    return n.makeDouble(Math.atan2(n.doubleOf(y), n.doubleOf(x)));
  }),
};

function bitwise(op: string, fn: (a: bigint, b: bigint) => bigint): ExpressionFn {
  return (obj, expr, options) => {
    let acc: bigint | undefined;
    let long = false;
    for (const v of evalArgs(obj, expr, options)) {
      if (isNullish(v)) return null;
      const k = n.numKind(v);
      if (k !== 'int' && k !== 'long')
        fail('TypeMismatch', `${op} only supports int and long operands, not ${typeAlias(v)}`);
      long ||= k === 'long';
      acc = acc === undefined ? n.bigOf(v) : fn(acc, n.bigOf(v));
    }
    const r = BigInt.asIntN(long ? 64 : 32, acc ?? (op === '$bitAnd' ? -1n : 0n));
    return long ? n.makeLong(r) : Number(r);
  };
}

const $bitNot: ExpressionFn = (obj, expr, options) => {
  const [v] = evalArgs(obj, expr, options);
  if (isNullish(v)) return null;
  const k = n.numKind(v);
  if (k === 'int') return ~n.doubleOf(v);
  if (k === 'long') return n.makeLong(BigInt.asIntN(64, ~n.bigOf(v)));
  fail('TypeMismatch', `$bitNot only supports int and long, not: ${typeAlias(v)}`);
};

export const BITWISE: Record<string, ExpressionFn> = {
  $bitAnd: bitwise('$bitAnd', (x, y) => x & y),
  $bitOr: bitwise('$bitOr', (x, y) => x | y),
  $bitXor: bitwise('$bitXor', (x, y) => x ^ y),
  $bitNot,
};

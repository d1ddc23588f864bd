import type { Document } from 'bson';
import { bsonType, isPlainObject, keyOf, numberOf } from '../bsonUtil.js';
import { fail, unsupported } from '../errors.js';
import { compareNumbers } from '../numbers.js';
import { integralOf, numKind } from './numeric.js';

const KNOWN = new Set([
  'bsonType',
  'type',
  'required',
  'properties',
  'additionalProperties',
  'enum',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'pattern',
  'items',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'anyOf',
  'allOf',
  'oneOf',
  'not',
  'title',
  'description',
]);

function bsonTypeOf(v: unknown): string[] {
  if (v === null || v === undefined) return ['null'];
  if (Array.isArray(v)) return ['array'];
  if (v instanceof Date) return ['date'];
  if (v instanceof RegExp) return ['regex'];
  const k = numKind(v);
  if (k !== undefined) return [k, 'number'];
  switch (typeof v) {
    case 'string':
      return ['string'];
    case 'boolean':
      return ['bool'];
  }
  const t = bsonType(v);
  switch (t) {
    case 'ObjectId':
      return ['objectId'];
    case 'Binary':
      return ['binData'];
    case 'Timestamp':
      return ['timestamp'];
    case 'BSONRegExp':
      return ['regex'];
    case undefined:
      return ['object'];
    default:
      return [t.charAt(0).toLowerCase() + t.slice(1)];
  }
}

function jsonTypeOf(v: unknown): string[] {
  const b = bsonTypeOf(v);
  if (b.includes('number')) return integralOf(v) !== undefined ? ['number', 'integer'] : ['number'];
  if (b[0] === 'bool') return ['boolean'];
  return b;
}

export type SchemaCheck = (v: unknown) => boolean;

/** Compiles the subset of MongoDB's $jsonSchema (draft 4 + bsonType) the emulator implements. */
export function compileSchema(schema: unknown): SchemaCheck {
  if (!isPlainObject(schema)) fail('FailedToParse', '$jsonSchema must be an object');
  for (const k of Object.keys(schema)) if (!KNOWN.has(k)) unsupported(`the $jsonSchema keyword '${k}'`);
  const checks: SchemaCheck[] = [];
  const s = schema as Document;
  const list = (x: unknown): string[] => (Array.isArray(x) ? x.map(String) : [String(x)]);
  if (s.bsonType !== undefined) {
    const want = list(s.bsonType);
    checks.push((v) => bsonTypeOf(v).some((t) => want.includes(t)));
  }
  if (s.type !== undefined) {
    const want = list(s.type);
    checks.push((v) => jsonTypeOf(v).some((t) => want.includes(t)));
  }
  if (Array.isArray(s.enum)) {
    const keys = new Set(s.enum.map(keyOf));
    checks.push((v) => keys.has(keyOf(v)));
  }
  const num = (v: unknown): number | undefined => numberOf(v);
  // Bounds compare by exact value (a Long beyond 2^53, a Decimal128), like mongod.
  const isNum = (v: unknown): boolean => numKind(v) !== undefined;
  if (s.minimum !== undefined) {
    const m = s.minimum;
    checks.push((v) => !isNum(v) || compareNumbers(v, m) > (s.exclusiveMinimum === true ? 0 : -1));
  }
  if (s.maximum !== undefined) {
    const m = s.maximum;
    checks.push((v) => !isNum(v) || compareNumbers(v, m) < (s.exclusiveMaximum === true ? 0 : 1));
  }
  if (s.minLength !== undefined)
    checks.push((v) => typeof v !== 'string' || [...v].length >= num(s.minLength)!);
  if (s.maxLength !== undefined)
    checks.push((v) => typeof v !== 'string' || [...v].length <= num(s.maxLength)!);
  if (s.pattern !== undefined) {
    const re = new RegExp(String(s.pattern), 'u');
    checks.push((v) => typeof v !== 'string' || re.test(v));
  }
  if (s.minItems !== undefined) checks.push((v) => !Array.isArray(v) || v.length >= num(s.minItems)!);
  if (s.maxItems !== undefined) checks.push((v) => !Array.isArray(v) || v.length <= num(s.maxItems)!);
  if (s.uniqueItems === true)
    checks.push((v) => !Array.isArray(v) || new Set(v.map(keyOf)).size === v.length);
  if (s.items !== undefined) {
    if (Array.isArray(s.items)) {
      const each = s.items.map(compileSchema);
      checks.push((v) => !Array.isArray(v) || each.every((c, i) => i >= v.length || c(v[i])));
    } else {
      const each = compileSchema(s.items);
      checks.push((v) => !Array.isArray(v) || v.every(each));
    }
  }
  const isObj = (v: unknown): v is Document => isPlainObject(v);
  if (Array.isArray(s.required)) {
    const req = s.required.map(String);
    checks.push((v) => !isObj(v) || req.every((k) => k in v));
  }
  if (s.minProperties !== undefined)
    checks.push((v) => !isObj(v) || Object.keys(v).length >= num(s.minProperties)!);
  if (s.maxProperties !== undefined)
    checks.push((v) => !isObj(v) || Object.keys(v).length <= num(s.maxProperties)!);
  if (s.properties !== undefined || s.additionalProperties !== undefined) {
    const props = new Map<string, SchemaCheck>();
    if (isPlainObject(s.properties))
      for (const [k, sub] of Object.entries(s.properties)) props.set(k, compileSchema(sub));
    const extra = s.additionalProperties;
    const extraCheck: SchemaCheck | null = isPlainObject(extra) ? compileSchema(extra) : null;
    checks.push((v) => {
      if (!isObj(v)) return true;
      for (const [k, val] of Object.entries(v)) {
        const p = props.get(k);
        if (p) {
          if (!p(val)) return false;
        } else if (extra === false) return false;
        else if (extraCheck && !extraCheck(val)) return false;
      }
      return true;
    });
  }
  if (Array.isArray(s.allOf)) {
    const subs = s.allOf.map(compileSchema);
    checks.push((v) => subs.every((c) => c(v)));
  }
  if (Array.isArray(s.anyOf)) {
    const subs = s.anyOf.map(compileSchema);
    checks.push((v) => subs.some((c) => c(v)));
  }
  if (Array.isArray(s.oneOf)) {
    const subs = s.oneOf.map(compileSchema);
    checks.push((v) => subs.filter((c) => c(v)).length === 1);
  }
  if (s.not !== undefined) {
    const sub = compileSchema(s.not);
    checks.push((v) => !sub(v));
  }
  return (v) => checks.every((c) => c(v));
}

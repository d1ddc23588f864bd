import { type Document, ObjectId, Timestamp } from 'bson';
import { Aggregator } from 'mingo/aggregator';
import {
  bsonType,
  clone,
  compareValues,
  isPlainObject,
  keyOf,
  numberOf,
  sameKey,
  valuesEqual,
} from '../bsonUtil.js';
import { fail, unsupported } from '../errors.js';
import { typedOptions } from './context.js';
import { checkOperatorPath, checkReplacement } from './fieldNames.js';
import { assertSupported, compileFilter } from './match.js';
import { debugString, numKind, safeArith } from './numeric.js';
import { sortComparator } from './sort.js';
import { typeAlias } from './typeNames.js';

export { sortComparator };

export interface UpdateOptions {
  arrayFilters?: Document[];
  /** The query, for the positional `$` operator. */
  filter?: Document;
  /** True when the update builds a new document for an upsert ($setOnInsert applies). */
  isInsert?: boolean;
}

export function isReplacement(update: Document | Document[]): boolean {
  if (Array.isArray(update)) return false;
  const keys = Object.keys(update);
  return keys.length === 0 || !keys[0]!.startsWith('$');
}

/** Applies an update (operators, replacement or pipeline) to a copy of `doc`. */
export function applyUpdate(
  doc: Document,
  update: Document | Document[],
  opts: UpdateOptions = {},
): Document {
  if (Array.isArray(update)) return applyPipeline(doc, update);
  if (isReplacement(update)) {
    checkReplacement(update, false);
    const out: Document = { _id: doc._id };
    for (const [k, v] of Object.entries(update)) if (k !== '_id') out[k] = clone(v);
    if ('_id' in update && !valuesEqual(update._id, doc._id) && doc._id !== undefined) immutableId();
    if (doc._id === undefined) {
      if ('_id' in update) out._id = update._id;
      else delete out._id;
    }
    return out;
  }
  const out = clone(doc);
  checkConflicts(update);
  const ctx: Ctx = { opts, id: doc._id, positional: undefined };
  for (const [op, spec] of Object.entries(update)) {
    if (!isPlainObject(spec))
      fail('FailedToParse', `Modifiers operate on fields but we found type ${typeof spec} instead.`);
    const fn = OPERATORS[op];
    if (!fn)
      fail(
        'FailedToParse',
        `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`,
      );
    if (op === '$setOnInsert' && !opts.isInsert) continue;
    for (const [path, arg] of Object.entries(spec)) {
      // `$`-prefixed top-level fields may be inserted (upserts too) but not written by an update.
      if (!opts.isInsert) checkOperatorPath(op === '$rename' && typeof arg === 'string' ? arg : path);
      fn(out, path, arg, ctx);
    }
  }
  if (doc._id !== undefined && !valuesEqual(out._id, doc._id)) immutableId();
  return out;
}

function immutableId(): never {
  fail('ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");
}

function applyPipeline(doc: Document, pipeline: Document[]): Document {
  const allowed = new Set(['$addFields', '$set', '$project', '$unset', '$replaceRoot', '$replaceWith']);
  for (const stage of pipeline) {
    const op = Object.keys(stage)[0] ?? '';
    if (!allowed.has(op)) fail('InvalidOptions', `${op} is not allowed to be used within an update`);
  }
  assertSupported(pipeline);
  // Typed operators (context.ts): computed values get mongod's number types and are stored as such.
  const [out] = new Aggregator(pipeline, typedOptions()).run([clone(doc)]);
  const result = (out ?? {}) as Document;
  // A result without _id keeps the document's (mongod's ObjectReplaceExecutor); another value is refused.
  if (result._id === undefined && doc._id !== undefined) return { _id: doc._id, ...result };
  if (doc._id !== undefined && !valuesEqual(result._id, doc._id)) immutableId();
  return result;
}

function checkConflicts(update: Document): void {
  const paths: string[] = [];
  for (const [op, spec] of Object.entries(update)) {
    if (!isPlainObject(spec)) continue;
    for (const p of Object.keys(spec)) {
      paths.push(p);
      if (op === '$rename' && typeof spec[p] === 'string') paths.push(spec[p]);
    }
  }
  const norm = paths.map((p) =>
    p
      .split('.')
      .filter((s) => !s.startsWith('$'))
      .join('.'),
  );
  for (let i = 0; i < norm.length; i++) {
    for (let j = i + 1; j < norm.length; j++) {
      const a = norm[i]!;
      const b = norm[j]!;
      if (a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`)) {
        fail(
          'ConflictingUpdateOperators',
          `Updating the path '${paths[j]}' would create a conflict at '${paths[i]}'`,
        );
      }
    }
  }
}

interface Ctx {
  opts: UpdateOptions;
  /** The document's _id, for error messages. */
  id: unknown;
  positional: number | undefined | null;
}

type Container = Document | unknown[];
type Target = { parent: Container; key: string };

/** Resolves a dotted path (with `$`, `$[]`, `$[id]`) to the containers/keys it designates. */
function resolve(doc: Document, path: string, ctx: Ctx, create: boolean): Target[] {
  const parts = path.split('.');
  let current: Target[] = [{ parent: { root: doc }, key: 'root' }];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const next: Target[] = [];
    for (const t of current) {
      let container = (t.parent as Document)[t.key] as unknown;
      if (container === undefined || container === null) {
        if (!create) continue;
        if (container === null) {
          fail('PathNotViable', `Cannot create field '${part}' in element {${t.key}: null}`);
        }
        container = {};
        (t.parent as Document)[t.key] = container;
      }
      if (part === '$' || part === '$[]' || (part.startsWith('$[') && part.endsWith(']'))) {
        if (!Array.isArray(container)) {
          fail(
            'BadValue',
            `The path '${parts.slice(0, i).join('.')}' must exist in the document in order to apply array updates.`,
          );
        }
        if (part === '$') {
          const idx = positionalIndex(ctx, parts.slice(0, i).join('.'), container);
          next.push({ parent: container, key: String(idx) });
        } else if (part === '$[]') {
          for (let k = 0; k < container.length; k++) next.push({ parent: container, key: String(k) });
        } else {
          const id = part.slice(2, -1);
          const f = ctx.opts.arrayFilters?.find((af) =>
            Object.keys(af).some((k) => k === id || k.startsWith(`${id}.`)),
          );
          if (!f) fail('BadValue', `No array filter found for identifier '${id}' in path '${path}'`);
          const pred = compileFilter(f);
          for (let k = 0; k < container.length; k++)
            if (pred({ [id]: container[k] })) next.push({ parent: container, key: String(k) });
        }
        continue;
      }
      if (typeof container !== 'object' || bsonType(container) !== undefined || container instanceof Date) {
        if (!create) continue;
        fail(
          'PathNotViable',
          `Cannot create field '${part}' in element {${t.key}: ${JSON.stringify(container)}}`,
        );
      }
      if (Array.isArray(container) && !/^\d+$/.test(part)) {
        if (!create) continue;
        fail('PathNotViable', `Cannot create field '${part}' in element {${t.key}: [...]}`);
      }
      next.push({ parent: container as Container, key: part });
    }
    current = next;
  }
  return current;
}

function positionalIndex(ctx: Ctx, arrayPath: string, arr: unknown[]): number {
  const filter = ctx.opts.filter ?? {};
  const conds: Document[] = [];
  for (const [k, v] of Object.entries(filter)) {
    if (k === arrayPath) {
      if (isPlainObject(v) && '$elemMatch' in v) conds.push({ x: { $elemMatch: v.$elemMatch } });
      else conds.push({ x: v });
    } else if (k.startsWith(`${arrayPath}.`)) conds.push({ [`x.${k.slice(arrayPath.length + 1)}`]: v });
  }
  if (conds.length === 0) {
    fail('BadValue', 'The positional operator did not find the match needed from the query.');
  }
  for (let i = 0; i < arr.length; i++) {
    const el = arr[i];
    const ok = conds.every((c) => {
      const cond = c.x;
      if (isPlainObject(cond) && '$elemMatch' in cond)
        return compileFilter(cond.$elemMatch as Document)(el as Document);
      return compileFilter(c)({ x: el });
    });
    if (ok) return i;
  }
  fail('BadValue', 'The positional operator did not find the match needed from the query.');
}

function getAt(t: Target): unknown {
  return (t.parent as Document)[t.key];
}

function setAt(t: Target, v: unknown): void {
  if (Array.isArray(t.parent)) {
    const idx = Number(t.key);
    while (t.parent.length < idx) t.parent.push(null);
    t.parent[idx] = v;
  } else (t.parent as Document)[t.key] = v;
}

const typeName = typeAlias;

/** The `_id` the way mongod prints an element in error messages (`_id: 1`, `_id: "a"`, `_id: ObjectId('…')`). */
function idElement(id: unknown): string {
  const t = bsonType(id);
  if (t === 'ObjectId') return `_id: ObjectId('${(id as { toHexString(): string }).toHexString()}')`;
  if (typeof id === 'string') return `_id: ${JSON.stringify(id)}`;
  if (numKind(id) !== undefined) return `_id: ${String(id)}`;
  return `_id: ${JSON.stringify(id) ?? String(id)}`;
}

function requireNumericArgument(arg: unknown, op: '+' | '*', path: string): void {
  if (numKind(arg) === undefined)
    fail(
      'TypeMismatch',
      `Cannot ${op === '+' ? 'increment' : 'multiply'} with non-numeric argument: {${path}: ${JSON.stringify(arg)}}`,
    );
}

/** $inc / $mul with mongod's SafeNum types: exact Long and Decimal128 arithmetic, Long overflow an error. */
function arith(current: unknown, arg: unknown, op: '+' | '*', path: string, ctx: Ctx): unknown {
  const name = op === '+' ? '$inc' : '$mul';
  requireNumericArgument(arg, op, path);
  if (numKind(current) === undefined) {
    fail(
      'TypeMismatch',
      `Cannot apply ${name} to a value of non-numeric type. {${idElement(ctx.id)}} has the field '${path.split('.').pop()}' of non-numeric type ${typeName(current)}`,
    );
  }
  const r = safeArith(op, arg, current);
  if (r === undefined)
    fail(
      'BadValue',
      `Failed to apply ${name} operations to current value (${debugString(current)}) for document {${idElement(ctx.id)}}`,
    );
  return r;
}

type OpFn = (doc: Document, path: string, arg: unknown, ctx: Ctx) => void;

function eachValues(arg: unknown): { values: unknown[]; mods: Document } {
  if (isPlainObject(arg) && '$each' in arg) {
    if (!Array.isArray(arg.$each)) fail('BadValue', 'The argument to $each must be an array');
    return { values: arg.$each.map(clone), mods: arg };
  }
  return { values: [clone(arg)], mods: {} };
}

function requireArray(v: unknown, path: string, op: string): unknown[] {
  if (!Array.isArray(v)) {
    fail(
      'BadValue',
      `The field '${path}' must be an array but is of type ${typeName(v)} in document {${op}}`,
    );
  }
  return v;
}

function pullMatcher(cond: unknown): (e: unknown) => boolean {
  if (cond instanceof RegExp || bsonType(cond) === 'BSONRegExp') {
    const p = compileFilter({ x: cond });
    return (e) => p({ x: e });
  }
  if (isPlainObject(cond)) {
    const keys = Object.keys(cond);
    if (keys.length > 0 && keys.every((k) => k.startsWith('$'))) {
      const p = compileFilter({ x: cond });
      return (e) => p({ x: e });
    }
    const p = compileFilter(cond);
    return (e) => isPlainObject(e) && p(e);
  }
  return (e) => valuesEqual(e, cond);
}

const OPERATORS: Record<string, OpFn> = {
  $set: (doc, path, arg, ctx) => {
    for (const t of resolve(doc, path, ctx, true)) setAt(t, clone(arg));
  },
  $setOnInsert: (doc, path, arg, ctx) => {
    for (const t of resolve(doc, path, ctx, true)) setAt(t, clone(arg));
  },
  $unset: (doc, path, _arg, ctx) => {
    for (const t of resolve(doc, path, ctx, false)) {
      if (Array.isArray(t.parent)) {
        if (Number(t.key) < t.parent.length) t.parent[Number(t.key)] = null;
      } else delete (t.parent as Document)[t.key];
    }
  },
  $inc: (doc, path, arg, ctx) => {
    for (const t of resolve(doc, path, ctx, true)) {
      const cur = getAt(t);
      if (cur === undefined) {
        // A missing field takes the argument as it is, type included.
        requireNumericArgument(arg, '+', path);
        setAt(t, arg);
      } else setAt(t, arith(cur, arg, '+', path, ctx));
    }
  },
  $mul: (doc, path, arg, ctx) => {
    for (const t of resolve(doc, path, ctx, true)) {
      const cur = getAt(t);
      // A missing field becomes zero of the argument's type (mongod: arg * int32 0).
      setAt(t, arith(cur === undefined ? 0 : cur, arg, '*', path, ctx));
    }
  },
  $min: (doc, path, arg, ctx) => {
    for (const t of resolve(doc, path, ctx, true)) {
      const cur = getAt(t);
      if (cur === undefined || compareValues(arg, cur) < 0) setAt(t, clone(arg));
    }
  },
  $max: (doc, path, arg, ctx) => {
    for (const t of resolve(doc, path, ctx, true)) {
      const cur = getAt(t);
      if (cur === undefined || compareValues(arg, cur) > 0) setAt(t, clone(arg));
    }
  },
  $rename: (doc, path, arg, ctx) => {
    if (typeof arg !== 'string')
      fail('BadValue', `The 'to' field for $rename must be a string: ${path}: ${String(arg)}`);
    const from = resolve(doc, path, ctx, false);
    for (const t of from) {
      if (!(t.key in (t.parent as Document))) continue;
      const v = getAt(t);
      delete (t.parent as Document)[t.key];
      for (const dest of resolve(doc, arg, ctx, true)) setAt(dest, v);
    }
  },
  $currentDate: (doc, path, arg, ctx) => {
    const ts = isPlainObject(arg) && arg.$type === 'timestamp';
    const value = ts ? new Timestamp({ t: Math.floor(Date.now() / 1000), i: 1 }) : new Date();
    for (const t of resolve(doc, path, ctx, true)) setAt(t, value);
  },
  $push: (doc, path, arg, ctx) => {
    const { values, mods } = eachValues(arg);
    for (const t of resolve(doc, path, ctx, true)) {
      const cur = getAt(t);
      const arr = cur === undefined ? [] : [...requireArray(cur, path, '$push')];
      if (typeof mods.$position === 'number') {
        const pos =
          mods.$position < 0
            ? Math.max(0, arr.length + mods.$position)
            : Math.min(mods.$position, arr.length);
        arr.splice(pos, 0, ...values);
      } else arr.push(...values);
      if (mods.$sort !== undefined) {
        const spec = mods.$sort;
        if (isPlainObject(spec)) {
          const cmp = sortComparator(spec as Document);
          arr.sort((a, b) => cmp(a as Document, b as Document));
        } else arr.sort((a, b) => compareValues(a, b) * (spec === -1 ? -1 : 1));
      }
      if (mods.$slice !== undefined) {
        const n = numberOf(mods.$slice) ?? 0;
        const sliced = n >= 0 ? arr.slice(0, n) : arr.slice(n);
        arr.length = 0;
        arr.push(...sliced);
      }
      setAt(t, arr);
    }
  },
  $addToSet: (doc, path, arg, ctx) => {
    const { values } = eachValues(arg);
    for (const t of resolve(doc, path, ctx, true)) {
      const cur = getAt(t);
      const arr = cur === undefined ? [] : [...requireArray(cur, path, '$addToSet')];
      const keys = new Set(arr.map(keyOf));
      for (const v of values) {
        const k = keyOf(v);
        if (!keys.has(k)) {
          keys.add(k);
          arr.push(v);
        }
      }
      setAt(t, arr);
    }
  },
  $pull: (doc, path, arg, ctx) => {
    const match = pullMatcher(arg);
    for (const t of resolve(doc, path, ctx, false)) {
      const cur = getAt(t);
      if (cur === undefined) continue;
      setAt(
        t,
        requireArray(cur, path, '$pull').filter((e) => !match(e)),
      );
    }
  },
  $pullAll: (doc, path, arg, ctx) => {
    if (!Array.isArray(arg))
      fail('BadValue', `$pullAll requires an array argument but was given a ${typeName(arg)}`);
    const keys = new Set(arg.map(keyOf));
    for (const t of resolve(doc, path, ctx, false)) {
      const cur = getAt(t);
      if (cur === undefined) continue;
      setAt(
        t,
        requireArray(cur, path, '$pullAll').filter((e) => !keys.has(keyOf(e))),
      );
    }
  },
  $pop: (doc, path, arg, ctx) => {
    for (const t of resolve(doc, path, ctx, false)) {
      const cur = getAt(t);
      if (cur === undefined) continue;
      const arr = [...requireArray(cur, path, '$pop')];
      if ((numberOf(arg) ?? 1) < 0) arr.shift();
      else arr.pop();
      setAt(t, arr);
    }
  },
  $bit: () => unsupported('the $bit update operator'),
};

/** Seed document of an upsert: the equality parts of the query (`{a: 1, 'b.c': 2, $and: [...]}`). */
export function upsertSeed(filter: Document | undefined): Document {
  const seed: Document = {};
  const visit = (f: Document): void => {
    for (const [k, v] of Object.entries(f)) {
      if (k === '$and' && Array.isArray(v)) {
        for (const sub of v) if (isPlainObject(sub)) visit(sub);
        continue;
      }
      if (k.startsWith('$')) continue;
      let value: unknown;
      if (isPlainObject(v)) {
        const keys = Object.keys(v);
        if (keys.length && keys[0]!.startsWith('$')) {
          if (keys.length === 1 && keys[0] === '$eq') value = v.$eq;
          else continue;
        } else value = v;
      } else if (v instanceof RegExp || bsonType(v) === 'BSONRegExp') continue;
      else value = v;
      setDotted(seed, k, clone(value));
    }
  };
  if (filter) visit(filter);
  return seed;
}

function setDotted(doc: Document, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const p = parts[i]!;
    if (!isPlainObject(cur[p])) cur[p] = {};
    cur = cur[p] as Document;
  }
  cur[parts[parts.length - 1]!] = value;
}

/** Puts `_id` first (generating an ObjectId when absent), as mongod stores it. */
export function withIdFirst(doc: Document): Document {
  if (doc._id === undefined) return { _id: new ObjectId(), ...doc };
  if (Object.keys(doc)[0] === '_id') return doc;
  const { _id, ...rest } = doc;
  return { _id, ...rest };
}

/**
 * updateDescription like mongod's: dotted updatedFields, removedFields, truncatedArrays, and, when a path has a
 * field name containing a dot or a numeric one below the top level (so the dotted path reads two ways),
 * `disambiguatedPaths` mapping it to its components, array indices as numbers (mongod 6.1+,
 * change_stream_document_diff_parser.cpp). Change streams show that last one only with showExpandedEvents.
 */
export function describeUpdate(before: Document, after: Document): Document {
  // The common case walks without recording components; a path with an ambiguous name walks again.
  const plain = diffDocuments(before, after, false);
  return plain.ambiguous ? diffDocuments(before, after, true).description : plain.description;
}

function diffDocuments(
  before: Document,
  after: Document,
  track: boolean,
): { description: Document; ambiguous: boolean } {
  const updatedFields: Document = {};
  const removedFields: string[] = [];
  const truncatedArrays: Document[] = [];
  let ambiguous = false;
  // With `track`: components of the current prefix, how many of them are ambiguous names, and the result.
  const parts: (string | number)[] = [];
  let ambiguousParts = 0;
  let disambiguatedPaths: Document | undefined;
  const note = (amb: boolean, path: string, k: string, i?: number): void => {
    if (!amb && ambiguousParts === 0) return;
    disambiguatedPaths ??= {};
    disambiguatedPaths[path] = i === undefined ? [...parts, k] : [...parts, k, i];
  };
  const walk = (a: Document, b: Document, prefix: string): void => {
    for (const k of Object.keys(b)) {
      const p = prefix + k;
      const amb = ambiguousName(k, prefix.length);
      if (amb) ambiguous = true;
      if (!(k in a)) {
        updatedFields[p] = b[k];
        if (track) note(amb, p, k);
        continue;
      }
      const x = a[k];
      const y = b[k];
      if (isPlainObject(x) && isPlainObject(y)) {
        if (track) {
          parts.push(k);
          if (amb) ambiguousParts++;
        }
        walk(x, y, `${p}.`);
        if (track) {
          parts.pop();
          if (amb) ambiguousParts--;
        }
      } else if (Array.isArray(x) && Array.isArray(y)) {
        const common = Math.min(x.length, y.length);
        let prefixEqual = true;
        for (let i = 0; i < common && prefixEqual; i++) prefixEqual = sameKey(x[i], y[i], false);
        if (prefixEqual && y.length > x.length)
          for (let i = x.length; i < y.length; i++) {
            updatedFields[`${p}.${i}`] = y[i];
            if (track) note(amb, `${p}.${i}`, k, i);
          }
        else if (prefixEqual && y.length < x.length) {
          truncatedArrays.push({ field: p, newSize: y.length });
          if (track) note(amb, p, k);
        } else if (!prefixEqual && x.length === y.length) {
          for (let i = 0; i < y.length; i++) {
            if (sameKey(x[i], y[i], false)) continue;
            if (isPlainObject(x[i]) && isPlainObject(y[i])) {
              if (track) {
                parts.push(k, i);
                if (amb) ambiguousParts++;
              }
              walk(x[i], y[i], `${p}.${i}.`);
              if (track) {
                parts.length -= 2;
                if (amb) ambiguousParts--;
              }
            } else {
              updatedFields[`${p}.${i}`] = y[i];
              if (track) note(amb, `${p}.${i}`, k, i);
            }
          }
        } else if (!prefixEqual) {
          updatedFields[p] = y;
          if (track) note(amb, p, k);
        }
      } else if (keyOf(x) !== keyOf(y) || bsonType(x) !== bsonType(y) || typeof x !== typeof y) {
        updatedFields[p] = y;
        if (track) note(amb, p, k);
      }
    }
    for (const k of Object.keys(a)) {
      if (k in b) continue;
      removedFields.push(prefix + k);
      const amb = ambiguousName(k, prefix.length);
      if (amb) ambiguous = true;
      if (track) note(amb, prefix + k, k);
    }
  };
  walk(before, after, '');
  const description: Document = { updatedFields, removedFields, truncatedArrays };
  if (disambiguatedPaths) description.disambiguatedPaths = disambiguatedPaths;
  return { description, ambiguous };
}

/**
 * A field name a dotted path cannot tell apart: one with a dot, or a numeric one below the top level
 * (`prefixLength` 0).
 */
function ambiguousName(k: string, prefixLength: number): boolean {
  if (k.includes('.')) return true;
  if (prefixLength === 0) return false;
  for (let i = 0; i < k.length; i++) {
    const c = k.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return k.length > 0;
}

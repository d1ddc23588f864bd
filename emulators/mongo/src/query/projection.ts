import type { Document } from 'bson';
import { Query } from 'mingo/query';
import { clone, isPlainObject, numberOf, toTypedView } from '../bsonUtil.js';
import { fail } from '../errors.js';
import { typedOptions } from './context.js';
import { assertSupported, typedView } from './match.js';

type Node = Map<string, Node | true>;

function isFlag(v: unknown): boolean {
  return typeof v === 'boolean' || numberOf(v) !== undefined;
}

function buildTree(paths: string[]): Node {
  const root: Node = new Map();
  for (const p of paths) {
    const parts = p.split('.');
    let cur = root;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (i === parts.length - 1) cur.set(part, true);
      else {
        let next = cur.get(part);
        if (next === true) break;
        if (!next) {
          next = new Map();
          cur.set(part, next);
        }
        cur = next;
      }
    }
  }
  return root;
}

function include(v: unknown, node: Node): unknown {
  if (Array.isArray(v))
    return v.filter((e) => isPlainObject(e) || Array.isArray(e)).map((e) => include(e, node));
  if (!isPlainObject(v)) return undefined;
  const out: Document = {};
  for (const [k, sub] of node) {
    if (!(k in v)) continue;
    if (sub === true) out[k] = clone(v[k]);
    else {
      const r = include(v[k], sub);
      if (r !== undefined) out[k] = r;
    }
  }
  return out;
}

function exclude(v: unknown, node: Node): unknown {
  if (Array.isArray(v)) return v.map((e) => exclude(e, node));
  if (!isPlainObject(v)) return v;
  const out: Document = {};
  for (const k of Object.keys(v)) {
    const sub = node.get(k);
    if (sub === true) continue;
    out[k] = sub ? exclude(v[k], sub) : clone(v[k]);
  }
  return out;
}

/** Find-style projection: plain inclusion/exclusion handled here, operators and expressions via mingo. */
export function projector(spec: Document | undefined, filter?: Document): (doc: Document) => Document {
  if (!spec || !isPlainObject(spec) || Object.keys(spec).length === 0) return (d) => d;
  const entries = Object.entries(spec);
  const simple = entries.every(([k, v]) => isFlag(v) && !k.includes('$'));
  if (!simple) {
    assertSupported(spec);
    // Expressions see typed documents (context.ts), so computed values keep mongod's number types.
    const q = new Query(filter ? (toTypedView(filter) as Document) : {}, typedOptions());
    return (d) => {
      const [r] = q.find([typedView(d)], spec).all();
      return (r ?? {}) as Document;
    };
  }
  let idFlag: boolean | undefined;
  const inc: string[] = [];
  const exc: string[] = [];
  for (const [k, v] of entries) {
    const on = typeof v === 'boolean' ? v : numberOf(v) !== 0;
    if (k === '_id') idFlag = on;
    else (on ? inc : exc).push(k);
  }
  if (inc.length && exc.length) {
    fail('Location31254', `Cannot do exclusion on field ${exc[0]} in inclusion projection`);
  }
  if (inc.length) {
    const tree = buildTree(inc);
    return (d) => {
      const out = include(d, tree) as Document;
      if (idFlag !== false && d._id !== undefined) return { _id: d._id, ...out };
      return out;
    };
  }
  if (idFlag === false) exc.push('_id');
  const tree = buildTree(exc);
  return (d) => exclude(d, tree) as Document;
}

import type { Document } from 'bson';
import { hasPath, keyOf, pathValues } from '../bsonUtil.js';
import { fail } from '../errors.js';
import { type Collation, parseCollation } from '../query/collation.js';
import { compileFilter, type Predicate } from '../query/match.js';

export interface IndexSpec extends Document {
  v: number;
  key: Document;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Document;
  expireAfterSeconds?: number;
}

const SEP = '\u0001';

/** One field's part of a compound key (the separator is escaped so parts cannot run into each other). */
function part(v: unknown): string {
  const k = keyOf(v);
  return k.includes(SEP) ? k.replaceAll(SEP, '\u0002') : k;
}

/** A hash index: encoded key → ids of the documents holding it. Ordered scans are not needed by the planner. */
export class Index {
  readonly fields: string[];
  readonly unique: boolean;
  private readonly partial: Predicate | null;
  /** An index created with a collation keys strings by it (a case-insensitive unique index: "A" = "a"). */
  readonly collation: Collation | null;
  // A key held by one document maps to its id directly (most keys, and all keys of unique indexes):
  // a Set per key would dominate memory.
  private readonly map = new Map<string, string | Set<string>>();
  /**
   * Compound indexes also answer equality on their leading fields (like a B-tree prefix): one map per
   * prefix length, `prefixes[n - 1]` keyed by the first n parts.
   */
  private readonly prefixes: Map<string, Set<string>>[];

  constructor(readonly spec: IndexSpec) {
    this.fields = Object.keys(spec.key);
    this.unique = spec.unique === true || spec.name === '_id_';
    this.partial = spec.partialFilterExpression ? compileFilter(spec.partialFilterExpression) : null;
    this.prefixes = Array.from({ length: this.fields.length - 1 }, () => new Map());
    this.collation = parseCollation(spec.collation);
    for (const v of Object.values(spec.key)) {
      if (v === 'text' || v === '2d' || v === '2dsphere' || v === 'geoHaystack') {
        fail('CommandNotSupported', `${v} indexes are not supported by the az-shop mongo emulator`);
      }
    }
  }

  get name(): string {
    return this.spec.name;
  }

  /** Encoded keys of a document, or null when the index skips it (sparse / partial). */
  keysFor(doc: Document): string[] | null {
    if (this.partial && !this.partial(doc)) return null;
    if (this.spec.sparse && !this.fields.some((f) => hasPath(doc, f))) return null;
    if (this.collation) return this.collatedKeys(doc, this.collation);
    if (this.fields.length === 1) {
      const vals = pathValues(doc, this.fields[0]!);
      if (vals.length === 1) return [keyOf(vals[0])];
      return [...new Set(vals.map(keyOf))];
    }
    let keys = [''];
    for (let i = 0; i < this.fields.length; i++) {
      const parts = [...new Set(pathValues(doc, this.fields[i]!).map(part))];
      const next: string[] = [];
      for (const k of keys) for (const p of parts) next.push(i === 0 ? p : k + SEP + p);
      keys = next;
    }
    return keys;
  }

  private collatedKeys(doc: Document, c: Collation): string[] {
    let keys = [''];
    for (let i = 0; i < this.fields.length; i++) {
      const parts = [...new Set(pathValues(doc, this.fields[i]!).map((v) => part(c.indexValue(v))))];
      const next: string[] = [];
      for (const k of keys) for (const p of parts) next.push(i === 0 ? p : k + SEP + p);
      keys = next;
    }
    return keys;
  }

  /** Encoded key for an equality lookup on every field of the index. */
  static encode(values: unknown[]): string {
    return values.length === 1 ? keyOf(values[0]) : values.map(part).join(SEP);
  }

  /** Ids of documents whose leading indexed fields equal `values` (fewer values than fields). */
  lookupPrefix(values: unknown[]): Iterable<string> | undefined {
    return this.prefixes[values.length - 1]?.get(values.map(part).join(SEP));
  }

  /**
   * How many leading fields of this index the equalities in `eq` pin down (0: it cannot be used).
   * A partial or collated index may lack documents or hold other keys than the values; a sparse one
   * lacks documents without its fields, which only a null (or missing) value could match.
   */
  equalityDepth(eq: ReadonlyMap<string, unknown[]>): number {
    if (this.partial || this.collation) return 0;
    let depth = 0;
    for (const field of this.fields) {
      const values = eq.get(field);
      if (!values || (this.spec.sparse && values.some((v) => v === null || v === undefined))) break;
      depth++;
    }
    return depth;
  }

  /** Calls `each` with every prefix of `keys` and its length's map (a multikey prefix may repeat). */
  private eachPrefix(keys: string[], each: (prefixes: Map<string, Set<string>>, prefix: string) => void) {
    for (const key of keys) {
      let end = -1;
      for (const prefixes of this.prefixes) {
        end = key.indexOf(SEP, end + 1);
        each(prefixes, key.slice(0, end));
      }
    }
  }

  private addPrefixes(id: string, keys: string[]): void {
    this.eachPrefix(keys, (prefixes, prefix) => {
      let ids = prefixes.get(prefix);
      if (!ids) {
        ids = new Set();
        prefixes.set(prefix, ids);
      }
      ids.add(id);
    });
  }

  private removePrefixes(id: string, keys: string[]): void {
    this.eachPrefix(keys, (prefixes, prefix) => {
      const ids = prefixes.get(prefix);
      if (!ids) return;
      ids.delete(id);
      if (ids.size === 0) prefixes.delete(prefix);
    });
  }

  lookup(key: string): Iterable<string> | undefined {
    const v = this.map.get(key);
    return typeof v === 'string' ? [v] : v;
  }

  /** Returns the id of another document already holding one of `keys`, if the index is unique. */
  conflict(keys: string[] | null, selfId: string): string | undefined {
    if (!this.unique || !keys) return undefined;
    for (const k of keys) {
      const holders = this.map.get(k);
      if (holders === undefined) continue;
      if (typeof holders === 'string') {
        if (holders !== selfId) return holders;
      } else for (const h of holders) if (h !== selfId) return h;
    }
    return undefined;
  }

  add(id: string, keys: string[] | null): void {
    if (!keys) return;
    this.addPrefixes(id, keys);
    for (const k of keys) {
      const cur = this.map.get(k);
      if (cur === undefined) this.map.set(k, id);
      else if (typeof cur === 'string') {
        if (cur !== id) this.map.set(k, new Set([cur, id]));
      } else cur.add(id);
    }
  }

  remove(id: string, keys: string[] | null): void {
    if (!keys) return;
    this.removePrefixes(id, keys);
    for (const k of keys) {
      const cur = this.map.get(k);
      if (cur === undefined) continue;
      if (typeof cur === 'string') {
        if (cur === id) this.map.delete(k);
      } else {
        cur.delete(id);
        if (cur.size === 1) this.map.set(k, cur.values().next().value as string);
      }
    }
  }

  clear(): void {
    this.map.clear();
    for (const prefixes of this.prefixes) prefixes.clear();
  }
}

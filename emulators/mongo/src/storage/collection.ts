import { type Binary, type Document, UUID } from 'bson';
import { bsonType, getPath, isPlainObject, keyOf } from '../bsonUtil.js';
import { MongoServerError } from '../errors.js';
import { compileSchema } from '../query/jsonSchema.js';
import { compileFilter, type Predicate } from '../query/match.js';
import { Index, type IndexSpec } from './indexes.js';

export const PRE_IMAGES_OPTION = 'changeStreamPreAndPostImages';

export type PlanStage = 'IDHACK' | 'IXSCAN' | 'COLLSCAN' | 'EOF';

export interface Plan {
  stage: PlanStage;
  indexName?: string;
  /** Candidate documents; null means "scan everything". */
  ids: string[] | null;
}

function formatValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  const t = bsonType(v);
  if (t === 'ObjectId') return `ObjectId('${String(v)}')`;
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  if (isPlainObject(v)) {
    return `{ ${Object.entries(v)
      .map(([k, x]) => `${k}: ${formatValue(x)}`)
      .join(', ')} }`;
  }
  if (Array.isArray(v)) return `[ ${v.map(formatValue).join(', ')} ]`;
  return String(v);
}

/** Values that identify a document by equality for the planner: `{f: v}`, `{f: {$eq: v}}`, `{f: {$in: [...]}}`. */
function equalityValues(cond: unknown): unknown[] | undefined {
  if (cond instanceof RegExp || Array.isArray(cond)) return undefined;
  if (bsonType(cond) === 'BSONRegExp') return undefined;
  if (isPlainObject(cond)) {
    const keys = Object.keys(cond);
    if (keys.length === 0 || !keys[0]!.startsWith('$')) return [cond];
    if (keys.length !== 1) return undefined;
    if (keys[0] === '$eq') {
      const v = cond.$eq;
      return v instanceof RegExp || Array.isArray(v) ? undefined : [v];
    }
    if (keys[0] === '$in' && Array.isArray(cond.$in)) {
      if (cond.$in.some((v: unknown) => v instanceof RegExp || Array.isArray(v))) return undefined;
      return cond.$in;
    }
    return undefined;
  }
  return [cond];
}

function collectEqualities(filter: Document, out: Map<string, unknown[]>): void {
  for (const [k, v] of Object.entries(filter)) {
    if (k === '$and' && Array.isArray(v)) {
      for (const sub of v) if (isPlainObject(sub)) collectEqualities(sub, out);
      continue;
    }
    if (k.startsWith('$')) continue;
    const vals = equalityValues(v);
    if (vals && !out.has(k)) out.set(k, vals);
  }
}

export class Collection {
  readonly docs = new Map<string, Document>();
  readonly indexes = new Map<string, Index>();
  /**
   * Per document (id key) when it was last written, in ms: Cosmos DB's system field `_ts`, which its
   * TTL counts from (storage/ttl.ts). Internal: never part of the document a client reads.
   */
  readonly writtenAt = new Map<string, number>();
  uuid: Binary;
  /** Counters a test can read to prove that equality lookups do not scan. */
  readonly stats = { collScans: 0, indexLookups: 0 };

  constructor(
    readonly db: string,
    public name: string,
    public options: Document = {},
    uuid?: Binary,
  ) {
    this.uuid = uuid ?? new UUID().toBinary();
    this.indexes.set('_id_', new Index({ v: 2, key: { _id: 1 }, name: '_id_' }));
    // Like mongod, only an enabled option is stored (older data directories may hold `{enabled: false}`).
    if (!this.keepsPreImages) delete this.options[PRE_IMAGES_OPTION];
  }

  /**
   * `changeStreamPreAndPostImages: {enabled: true}`: writes record the replaced document in the change log,
   * for `fullDocumentBeforeChange` and the `whenAvailable`/`required` post-images of update events.
   */
  get keepsPreImages(): boolean {
    const option = this.options[PRE_IMAGES_OPTION];
    return isPlainObject(option) && option.enabled === true;
  }

  /** The `pre` field of a change-log entry replacing or deleting `doc`: only kept when the option is on. */
  preImage(doc: Document): { pre?: Document } {
    return this.keepsPreImages ? { pre: doc } : {};
  }

  private validator: { source: unknown; check: Predicate } | null = null;

  /** Compiles the collection's validator (throws for unsupported validators, so `create` fails loudly). */
  compileValidator(): Predicate | null {
    const source = this.options.validator;
    if (!source || typeof source !== 'object' || Object.keys(source).length === 0) return null;
    const cached = this.validator;
    if (cached && cached.source === source) return cached.check;
    {
      const keys = Object.keys(source);
      const check =
        keys.length === 1 && keys[0] === '$jsonSchema'
          ? (compileSchema((source as Document).$jsonSchema) as Predicate) // exact BSON types on the raw document
          : compileFilter(source as Document);
      this.validator = { source, check };
      return check;
    }
  }

  /** Document validation like mongod (validationLevel strict/moderate/off, validationAction error/warn). */
  validate(doc: Document, before?: Document): void {
    const level = this.options.validationLevel ?? 'strict';
    if (level === 'off') return;
    const check = this.compileValidator();
    if (!check || check(doc)) return;
    if (level === 'moderate' && before && !check(before)) return;
    if (this.options.validationAction === 'warn') return;
    throw new MongoServerError('DocumentValidationFailure', 'Document failed validation', {
      errInfo: {
        failingDocumentId: doc._id,
        details: { reason: 'the document does not match the collection validator' },
      },
    });
  }

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  get(id: string): Document | undefined {
    return this.docs.get(id);
  }

  duplicateError(index: Index, doc: Document): MongoServerError {
    const keyValue: Document = {};
    for (const f of index.fields) keyValue[f] = getPath(doc, f) ?? null;
    const dup = index.fields.map((f) => `${f}: ${formatValue(keyValue[f])}`).join(', ');
    return new MongoServerError(
      'DuplicateKey',
      `E11000 duplicate key error collection: ${this.ns} index: ${index.name} dup key: { ${dup} }`,
      { keyPattern: index.spec.key, keyValue },
    );
  }

  /** Throws DuplicateKey if writing `doc` (replacing `old`, if any) would break a unique index. */
  checkUnique(id: string, doc: Document, skipIndex?: Index): void {
    for (const index of this.indexes.values()) {
      if (!index.unique || index === skipIndex) continue;
      if (index.conflict(index.keysFor(doc), id) !== undefined) throw this.duplicateError(index, doc);
    }
  }

  /** Stores `doc` under `id` (written at `at`), replacing any previous version; the caller has checked uniqueness. */
  put(id: string, doc: Document, at = Date.now()): Document | undefined {
    const old = this.docs.get(id);
    for (const index of this.indexes.values()) {
      if (old) index.remove(id, index.keysFor(old));
      index.add(id, index.keysFor(doc));
    }
    this.docs.set(id, doc);
    this.writtenAt.set(id, at);
    return old;
  }

  remove(id: string): Document | undefined {
    const old = this.docs.get(id);
    if (!old) return undefined;
    for (const index of this.indexes.values()) index.remove(id, index.keysFor(old));
    this.docs.delete(id);
    this.writtenAt.delete(id);
    return old;
  }

  /** Builds an index over the existing documents; throws DuplicateKey (and adds nothing) on violation. */
  addIndex(spec: IndexSpec): Index {
    const index = new Index(spec);
    for (const [id, doc] of this.docs) {
      const keys = index.keysFor(doc);
      if (index.conflict(keys, id) !== undefined) throw this.duplicateError(index, doc);
      index.add(id, keys);
    }
    this.indexes.set(spec.name, index);
    return index;
  }

  /**
   * The index whose leading fields the filter's equalities pin down the furthest (on a tie, one they
   * pin down whole), as mongod's planner prefers the tightest index bounds.
   */
  private indexFor(eq: ReadonlyMap<string, unknown[]>): { index: Index; depth: number } | undefined {
    let chosen: { index: Index; depth: number; whole: boolean } | undefined;
    for (const index of this.indexes.values()) {
      const depth = index.equalityDepth(eq);
      const whole = depth === index.fields.length;
      if (
        depth > 0 &&
        (!chosen || depth > chosen.depth || (depth === chosen.depth && whole && !chosen.whole))
      )
        chosen = { index, depth, whole };
    }
    return chosen;
  }

  plan(filter: Document | undefined): Plan {
    if (filter && isPlainObject(filter) && Object.keys(filter).length > 0) {
      const eq = new Map<string, unknown[]>();
      collectEqualities(filter, eq);
      if (eq.size > 0) {
        const idVals = eq.get('_id');
        if (idVals) {
          this.stats.indexLookups++;
          return {
            stage: 'IDHACK',
            indexName: '_id_',
            ids: idVals.map(keyOf).filter((k) => this.docs.has(k)),
          };
        }
        const chosen = this.indexFor(eq);
        if (chosen) {
          const { index, depth } = chosen;
          let combos: unknown[][] = [[]];
          for (const f of index.fields.slice(0, depth)) {
            const next: unknown[][] = [];
            for (const c of combos) for (const v of eq.get(f)!) next.push([...c, v]);
            combos = next;
          }
          const ids = new Set<string>();
          for (const c of combos) {
            const hit = depth === index.fields.length ? index.lookup(Index.encode(c)) : index.lookupPrefix(c);
            if (hit) for (const id of hit) ids.add(id);
          }
          this.stats.indexLookups++;
          return { stage: 'IXSCAN', indexName: index.name, ids: [...ids] };
        }
      }
    }
    this.stats.collScans++;
    return { stage: 'COLLSCAN', ids: null };
  }
}

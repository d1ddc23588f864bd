import { BSON, type Document, Long } from 'bson';
import { isPlainObject, keyOf, numberOf } from '../bsonUtil.js';
import type { OplogEntry } from '../changes/oplog.js';
import { checkCosmosTtlIndex, cosmosUniqueIndexRefused } from '../cosmos.js';
import { ArrayCursor, cursorReply } from '../cursors.js';
import { fail } from '../errors.js';
import { storedCollation } from '../query/collation.js';
import { compileFilter } from '../query/match.js';
import { Collection } from '../storage/collection.js';
import { validateNamespace } from '../storage/engine.js';
import type { IndexSpec } from '../storage/indexes.js';
import { type CommandContext, register } from './context.js';
import { parsePreImagesOption } from './preImagesOption.js';
import {
  createIndexesInTransaction,
  createInTransaction,
  indexTargetInTransaction,
  refuseNewIndexInTransaction,
} from './txnDdl.js';
import { isView, refuseViewOptions, viewCollMod, viewInfo, viewOptions } from './views.js';

/** An `expireAfterSeconds` mongod accepts: 0 up to an int32. */
function validTtlSeconds(seconds: number): boolean {
  return Number.isFinite(seconds) && seconds >= 0 && seconds <= 2_147_483_647;
}

function collName(ctx: CommandContext): string {
  const name = ctx.cmd[ctx.name];
  if (typeof name !== 'string' || name.length === 0)
    fail('InvalidNamespace', `collection name has invalid type ${typeof name}`);
  return name;
}

function noTxn(ctx: CommandContext): void {
  if (ctx.store.inTransaction) {
    fail('OperationNotSupportedInTransaction', `Cannot run '${ctx.name}' in a multi-document transaction.`);
  }
}

const COLLECTION_OPTIONS = [
  'capped',
  'size',
  'max',
  'validator',
  'validationLevel',
  'validationAction',
  'changeStreamPreAndPostImages',
  'collation',
  'timeseries',
  'expireAfterSeconds',
  'clusteredIndex',
];

register('create', async (ctx) => {
  const name = collName(ctx);
  validateNamespace(ctx.db, name);
  const view = viewOptions(ctx, name);
  if (view) {
    // mongod 4.4+ creates collections in a transaction, never views.
    if (ctx.txn)
      fail('OperationNotSupportedInTransaction', 'Cannot create a view in a multi-document transaction.');
    if (ctx.engine.getCollection(ctx.db, name))
      fail('NamespaceExists', `Collection ${ctx.db}.${name} already exists.`);
    await ctx.engine.write([ctx.engine.entry({ op: 'create', db: ctx.db, coll: name, spec: view })]);
    return { ok: 1 };
  }
  if (ctx.cmd.timeseries !== undefined)
    fail('CommandNotSupported', 'time-series collections are not supported by the az-shop mongo emulator');
  const preImages = parsePreImagesOption('create', ctx.cmd.changeStreamPreAndPostImages, ctx.db);
  const options: Document = {};
  for (const k of COLLECTION_OPTIONS) if (ctx.cmd[k] !== undefined) options[k] = ctx.cmd[k];
  // The collection's default collation, stored in full like mongod (none for simple).
  options.collation = storedCollation(ctx.cmd.collation);
  if (!options.collation) delete options.collation;
  // Stored (and listed) only when enabled, like mongod.
  if (preImages?.enabled) options.changeStreamPreAndPostImages = preImages;
  else delete options.changeStreamPreAndPostImages;
  if (ctx.txn) return createInTransaction(ctx.txn, ctx.db, name, options);
  if (ctx.engine.getCollection(ctx.db, name)) {
    fail('NamespaceExists', `Collection ${ctx.db}.${name} already exists.`);
  }
  // Fails loudly for validators the emulator cannot enforce.
  new Collection(ctx.db, name, options).compileValidator();
  await ctx.engine.write([ctx.engine.entry({ op: 'create', db: ctx.db, coll: name, spec: options })]);
  return { ok: 1 };
});

register('collMod', async (ctx) => {
  noTxn(ctx);
  const name = collName(ctx);
  // The option's shape is checked before the namespace (mongod's IDL parser runs first).
  const preImages = parsePreImagesOption('collMod', ctx.cmd.changeStreamPreAndPostImages, ctx.db);
  const coll = ctx.engine.getCollection(ctx.db, name);
  if (!coll) fail('NamespaceNotFound', `ns does not exist: ${ctx.db}.${name}`);
  if (isView(coll)) {
    const definition = viewCollMod(ctx, coll);
    await ctx.engine.write([ctx.engine.entry({ op: 'collMod', db: ctx.db, coll: name, spec: definition })]);
    return { ok: 1 };
  }
  refuseViewOptions(ctx);
  const spec: Document = {};
  for (const [k, v] of Object.entries(ctx.cmd)) {
    if (k === 'collMod' || k.startsWith('$') || k === 'lsid' || k === 'writeConcern') continue;
    spec[k] = v;
  }
  // `{enabled: false}` removes the option (Engine.apply).
  if (preImages) spec.changeStreamPreAndPostImages = preImages;
  const reply: Document = { ok: 1 };
  if (spec.validator !== undefined)
    new Collection(ctx.db, name, { validator: spec.validator }).compileValidator();
  if (isPlainObject(spec.index)) {
    const target = [...coll.indexes.values()].find(
      (i) =>
        i.name === spec.index.name ||
        (spec.index.keyPattern && keyOf(i.spec.key) === keyOf(spec.index.keyPattern)),
    );
    if (!target) fail('IndexNotFound', 'cannot find index for collMod');
    if (spec.index.expireAfterSeconds !== undefined) {
      reply.expireAfterSeconds_old = target.spec.expireAfterSeconds;
      reply.expireAfterSeconds_new = spec.index.expireAfterSeconds;
    }
  }
  await ctx.engine.write([ctx.engine.entry({ op: 'collMod', db: ctx.db, coll: name, spec })]);
  return reply;
});

/** Entries dropping a collection (a change event). */
function dropEntry(ctx: CommandContext, coll: Collection): OplogEntry {
  return ctx.engine.entry({ op: 'drop', db: coll.db, coll: coll.name });
}

register('drop', async (ctx) => {
  noTxn(ctx);
  const name = collName(ctx);
  const coll = ctx.engine.getCollection(ctx.db, name);
  // mongod 7.0 answers ok for a missing collection (NamespaceNotFound was removed in 7.0).
  if (!coll) return { ok: 1 };
  const nIndexesWas = coll.indexes.size;
  await ctx.engine.write([dropEntry(ctx, coll)]);
  // A view has no indexes: mongod's reply names only the namespace.
  if (isView(coll)) return { ns: coll.ns, ok: 1 };
  return { nIndexesWas, ns: coll.ns, ok: 1 };
});

register('dropDatabase', async (ctx) => {
  noTxn(ctx);
  const colls = ctx.engine.collectionsOf(ctx.db);
  if (colls.length === 0) return { ok: 1 };
  const entries = colls.map((c) => dropEntry(ctx, c));
  entries.push(ctx.engine.entry({ op: 'dropDatabase', db: ctx.db }));
  await ctx.engine.write(entries);
  return { dropped: ctx.db, ok: 1 };
});

register('renameCollection', async (ctx) => {
  noTxn(ctx);
  if (ctx.db !== 'admin')
    fail('Unauthorized', 'renameCollection may only be run against the admin database.');
  const from = String(ctx.cmd.renameCollection);
  const to = String(ctx.cmd.to);
  const [fromDb, ...fromRest] = from.split('.');
  const [toDb, ...toRest] = to.split('.');
  const fromColl = fromRest.join('.');
  const toColl = toRest.join('.');
  if (!fromDb || !fromColl || !toDb || !toColl)
    fail('InvalidNamespace', `Invalid namespace specified '${from}'`);
  validateNamespace(toDb, toColl);
  const source = ctx.engine.getCollection(fromDb, fromColl);
  if (!source) fail('NamespaceNotFound', `Source collection ${from} does not exist`);
  if (from === to) fail('IllegalOperation', "Can't rename a collection to itself");
  const entries: OplogEntry[] = [];
  const target = ctx.engine.getCollection(toDb, toColl);
  if (target) {
    if (ctx.cmd.dropTarget !== true) fail('NamespaceExists', `target namespace exists`);
    entries.push(dropEntry(ctx, target));
  }
  entries.push(
    ctx.engine.entry({ op: 'rename', db: fromDb, coll: fromColl, to: { db: toDb, coll: toColl } }),
  );
  await ctx.engine.write(entries);
  return { ok: 1 };
});

function collectionInfo(c: Collection): Document {
  if (isView(c)) return viewInfo(c);
  return {
    name: c.name,
    type: 'collection',
    options: { ...c.options },
    info: { readOnly: false, uuid: c.uuid },
    idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
  };
}

register('listCollections', (ctx) => {
  const filter = ctx.cmd.filter;
  const pred = compileFilter(isPlainObject(filter) ? filter : undefined);
  const nameOnly = ctx.cmd.nameOnly === true;
  const infos = ctx.engine
    .collectionsOf(ctx.db)
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map(collectionInfo)
    .filter(pred)
    .map((i) => (nameOnly ? { name: i.name, type: i.type } : i));
  const ns = `${ctx.db}.$cmd.listCollections`;
  const id = ctx.cursors.newId();
  const cursor = new ArrayCursor(id, ns, infos);
  const batch = cursor.take(numberOf((ctx.cmd.cursor as Document | undefined)?.batchSize));
  if (batch.exhausted) return cursorReply(Long.ZERO, ns, batch.docs, true);
  ctx.cursors.add(cursor);
  return cursorReply(id, ns, batch.docs, true);
});

register('listDatabases', (ctx) => {
  const databases = ctx.engine.databaseNames().map((name) => {
    let size = 0;
    for (const c of ctx.engine.collectionsOf(name)) size += c.docs.size * 256;
    return { name, sizeOnDisk: size, empty: size === 0 };
  });
  const filter = ctx.cmd.filter;
  const pred = compileFilter(isPlainObject(filter) ? filter : undefined);
  const list = databases.filter(pred);
  if (ctx.cmd.nameOnly === true) return { databases: list.map((d) => ({ name: d.name })), ok: 1 };
  return { databases: list, totalSize: list.reduce((a, d) => a + d.sizeOnDisk, 0), totalSizeMb: 0, ok: 1 };
});

function indexName(key: Document): string {
  return Object.entries(key)
    .map(([k, v]) => `${k}_${String(v)}`)
    .join('_');
}

const INDEX_OPTIONS = new Set([
  'key',
  'name',
  'unique',
  'sparse',
  'partialFilterExpression',
  'expireAfterSeconds',
  'background',
  'hidden',
  'collation',
  'v',
  'ns',
  'weights',
  'default_language',
  'language_override',
  'textIndexVersion',
  '2dsphereIndexVersion',
  'bits',
  'min',
  'max',
  'wildcardProjection',
  'storageEngine',
]);

register('createIndexes', async (ctx) => {
  const name = collName(ctx);
  const specs = ctx.cmd.indexes;
  if (!Array.isArray(specs) || specs.length === 0)
    fail('BadValue', 'Must specify at least one index to create');
  const entries: OplogEntry[] = [];
  const txn = ctx.txn && indexTargetInTransaction(ctx.txn, ctx.db, name);
  const existed = txn ? txn.existed : ctx.engine.getCollection(ctx.db, name);
  const coll = txn ? txn.coll : ctx.engine.ensureCollection(ctx.db, name, entries);
  const before = coll.indexes.size;
  const created: IndexSpec[] = [];
  for (const raw of specs) {
    if (!isPlainObject(raw) || !isPlainObject(raw.key) || Object.keys(raw.key).length === 0) {
      fail('FailedToParse', "The 'key' field is a required property of an index specification");
    }
    for (const k of Object.keys(raw)) {
      if (!INDEX_OPTIONS.has(k))
        fail('InvalidIndexSpecificationOption', `The field '${k}' is not valid for an index specification.`);
    }
    for (const v of Object.values(raw.key)) {
      const n = numberOf(v);
      if (n === 0 || (n === undefined && typeof v !== 'string'))
        fail('CannotCreateIndex', `Values in the index key pattern must be numbers or strings`);
    }
    const spec: IndexSpec = {
      v: 2,
      key: raw.key,
      name: typeof raw.name === 'string' ? raw.name : indexName(raw.key),
    };
    for (const [k, v] of Object.entries(raw))
      if (k !== 'key' && k !== 'name' && k !== 'v' && k !== 'ns' && k !== 'background') spec[k] = v;
    if (spec.expireAfterSeconds !== undefined) spec.expireAfterSeconds = numberOf(spec.expireAfterSeconds);
    // mongod (5.0+) and Cosmos DB vCore refuse a negative TTL; the RU API's `_ts` index takes -1 (cosmos.ts).
    if (
      !ctx.server.cosmos &&
      spec.expireAfterSeconds !== undefined &&
      !validTtlSeconds(spec.expireAfterSeconds)
    )
      fail(
        'CannotCreateIndex',
        "TTL index 'expireAfterSeconds' option must be within an acceptable range, try a non-negative number less than 2147483648.",
      );
    // An index without a collation gets the collection's default, like mongod; simple stores none.
    spec.collation = storedCollation(raw.collation ?? coll.options.collation);
    if (!spec.collation) delete spec.collation;
    const sameName = coll.indexes.get(spec.name);
    const sameKey = [...coll.indexes.values()].find((i) => keyOf(i.spec.key) === keyOf(spec.key));
    if (sameName || sameKey) {
      const existing = (sameName ?? sameKey)!;
      const same =
        keyOf(existing.spec.key) === keyOf(spec.key) &&
        existing.name === spec.name &&
        !!existing.spec.unique === !!spec.unique &&
        !!existing.spec.sparse === !!spec.sparse &&
        existing.spec.expireAfterSeconds === spec.expireAfterSeconds;
      if (same || (spec.name === '_id_' && keyOf(spec.key) === keyOf({ _id: 1 }))) continue;
      if (sameName && keyOf(sameName.spec.key) !== keyOf(spec.key)) {
        fail(
          'IndexKeySpecsConflict',
          `An existing index has the same name as the requested index. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(sameName.spec)}`,
        );
      }
      fail(
        'IndexOptionsConflict',
        `An equivalent index already exists with a different name or options. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(existing.spec)}`,
      );
    }
    // Cosmos DB (RU) creates a unique index only on an empty collection.
    if (ctx.server.cosmos && spec.unique === true && coll.docs.size > 0) cosmosUniqueIndexRefused(spec.name);
    if (ctx.server.cosmos && spec.expireAfterSeconds !== undefined) checkCosmosTtlIndex(spec.key);
    if (txn && !txn.canAdd) refuseNewIndexInTransaction(ctx.db, name);
    // Validates (unique violations, unsupported types) before anything is journaled.
    coll.addIndex(spec);
    coll.indexes.delete(spec.name);
    created.push(spec);
  }
  if (txn) createIndexesInTransaction(txn, created);
  else {
    for (const spec of created)
      entries.push(ctx.engine.entry({ op: 'createIndexes', db: ctx.db, coll: name, spec }));
    for (const e of entries) if (e.op === 'createIndexes') ctx.engine.apply(e);
    await ctx.engine.write(entries, true);
  }
  const reply: Document = {
    numIndexesBefore: before,
    numIndexesAfter: coll.indexes.size,
    createdCollectionAutomatically: !existed,
    ok: 1,
  };
  if (created.length === 0) reply.note = 'all indexes already exist';
  return reply;
});

register('listIndexes', (ctx) => {
  const name = collName(ctx);
  const coll = ctx.store.collection(ctx.db, name);
  if (!coll) fail('NamespaceNotFound', `ns does not exist: ${ctx.db}.${name}`);
  const ns = `${ctx.db}.${name}`;
  const specs = [...coll.indexes.values()].map((i) => ({ ...i.spec }));
  const id = ctx.cursors.newId();
  const cursor = new ArrayCursor(id, ns, specs);
  const batch = cursor.take(numberOf((ctx.cmd.cursor as Document | undefined)?.batchSize));
  if (batch.exhausted) return cursorReply(Long.ZERO, ns, batch.docs, true);
  ctx.cursors.add(cursor);
  return cursorReply(id, ns, batch.docs, true);
});

register(['dropIndexes', 'deleteIndexes'], async (ctx) => {
  noTxn(ctx);
  const name = collName(ctx);
  const coll = ctx.engine.getCollection(ctx.db, name);
  if (!coll) fail('NamespaceNotFound', `ns not found ${ctx.db}.${name}`);
  const which = ctx.cmd.index;
  const nIndexesWas = coll.indexes.size;
  let names: string[];
  if (which === '*') names = [...coll.indexes.keys()].filter((n) => n !== '_id_');
  else if (typeof which === 'string') names = [which];
  else if (Array.isArray(which)) names = which.map(String);
  else if (isPlainObject(which)) {
    const found = [...coll.indexes.values()].find((i) => keyOf(i.spec.key) === keyOf(which));
    if (!found) fail('IndexNotFound', `can't find index with key: ${JSON.stringify(which)}`);
    names = [found.name];
  } else fail('BadValue', 'index must be a string, array or object');
  for (const n of names) {
    if (n === '_id_') fail('InvalidOptions', 'cannot drop _id index');
    if (!coll.indexes.has(n)) fail('IndexNotFound', `index not found with name [${n}]`);
  }
  await ctx.engine.write(
    names.map((n) => ctx.engine.entry({ op: 'dropIndexes', db: ctx.db, coll: name, spec: { name: n } })),
  );
  return { nIndexesWas, ok: 1 };
});

register('collStats', (ctx) => {
  const name = collName(ctx);
  const coll = ctx.engine.getCollection(ctx.db, name);
  if (!coll) fail('NamespaceNotFound', `Collection [${ctx.db}.${name}] not found.`);
  let size = 0;
  for (const d of coll.docs.values()) size += BSON.calculateObjectSize(d);
  const indexSizes: Document = {};
  for (const n of coll.indexes.keys()) indexSizes[n] = coll.docs.size * 32;
  return {
    ns: coll.ns,
    size,
    count: coll.docs.size,
    avgObjSize: coll.docs.size ? Math.round(size / coll.docs.size) : 0,
    storageSize: size,
    nindexes: coll.indexes.size,
    totalIndexSize: coll.indexes.size * coll.docs.size * 32,
    indexSizes,
    capped: false,
    ok: 1,
  };
});

register('dbStats', (ctx) => {
  const all = ctx.engine.collectionsOf(ctx.db);
  const colls = all.filter((c) => !isView(c));
  let objects = 0;
  let indexes = 0;
  for (const c of colls) {
    objects += c.docs.size;
    indexes += c.indexes.size;
  }
  return {
    db: ctx.db,
    collections: colls.length,
    views: all.length - colls.length,
    objects,
    avgObjSize: 0,
    dataSize: objects * 256,
    storageSize: objects * 256,
    indexes,
    indexSize: objects * indexes * 32,
    ok: 1,
  };
});

/**
 * `validate` and `compact`, answered as mongod answers them for a healthy in-memory collection: there is
 * nothing to repair or reclaim, so they report the collection's counts and free no bytes. On a view both
 * answer 166 (views.ts, VIEW_ANSWERS).
 */
import type { Document } from 'bson';
import { fail } from '../errors.js';
import { type CommandContext, register } from './context.js';

function collectionNamed(ctx: CommandContext, notFound: (ns: string) => string) {
  const name = ctx.cmd[ctx.name];
  if (typeof name !== 'string' || name.length === 0)
    fail('InvalidNamespace', `collection name has invalid type ${typeof name}`);
  const coll = ctx.engine.getCollection(ctx.db, name);
  if (!coll) fail('NamespaceNotFound', notFound(`${ctx.db}.${name}`));
  return coll;
}

register('validate', (ctx) => {
  const coll = collectionNamed(ctx, (ns) => `Collection '${ns}' does not exist to validate.`);
  const keysPerIndex: Document = {};
  const indexDetails: Document = {};
  for (const name of coll.indexes.keys()) {
    keysPerIndex[name] = coll.docs.size;
    indexDetails[name] = { valid: true };
  }
  return {
    ns: coll.ns,
    uuid: coll.uuid,
    nInvalidDocuments: 0,
    nNonCompliantDocuments: 0,
    nrecords: coll.docs.size,
    nIndexes: coll.indexes.size,
    keysPerIndex,
    indexDetails,
    valid: true,
    repaired: false,
    warnings: [],
    errors: [],
    extraIndexEntries: [],
    missingIndexEntries: [],
    corruptRecords: [],
    ok: 1,
  };
});

register('compact', (ctx) => {
  collectionNamed(ctx, () => 'collection does not exist');
  return { bytesFreed: 0, ok: 1 };
});

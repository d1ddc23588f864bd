import type { Document } from 'bson';
import { fail } from '../errors.js';
import type { Transaction } from '../sessions.js';
import { Collection } from '../storage/collection.js';
import type { IndexSpec } from '../storage/indexes.js';

/**
 * `create` and `createIndexes` inside a multi-document transaction, as mongod 4.4+ allows them (manual,
 * "Create Collections and Indexes in a Transaction"; specifications transactions/tests/unified
 * create-collection.yml, create-index.yml): on a collection the transaction creates, which others see only
 * once it commits and which an abort discards.
 */

/** `create`: NamespaceExists (48) if the transaction already sees the collection. */
export function createInTransaction(txn: Transaction, db: string, name: string, options: Document): Document {
  if (txn.collection(db, name)) fail('NamespaceExists', `Collection ${db}.${name} already exists.`);
  // Fails loudly for validators the emulator cannot enforce.
  new Collection(db, name, options).compileValidator();
  txn.createCollection(db, name, options);
  return { ok: 1 };
}

/**
 * The collection `createIndexes` builds on inside a transaction: one it created (or creates now, implicitly);
 * `canAdd` false for one that existed before it, where only indexes that already exist are accepted.
 */
export function indexTargetInTransaction(txn: Transaction, db: string, name: string): IndexTarget {
  const seen = txn.collection(db, name);
  const coll = seen ?? txn.ensureCollection(db, name);
  return { txn, coll, existed: seen !== undefined, canAdd: txn.created(coll) };
}

interface IndexTarget {
  txn: Transaction;
  coll: Collection;
  existed: boolean;
  canAdd: boolean;
}

/** A new index where the transaction may not build one (create_indexes.cpp). */
export function refuseNewIndexInTransaction(db: string, name: string): never {
  fail(
    'OperationNotSupportedInTransaction',
    `Cannot create new indexes on existing collection ${db}.${name} in a multi-document transaction.`,
  );
}

/** Adds the validated indexes to the transaction (built for real at commit). */
export function createIndexesInTransaction(target: IndexTarget, specs: IndexSpec[]): void {
  for (const spec of specs) target.txn.createIndex(target.coll, spec);
}

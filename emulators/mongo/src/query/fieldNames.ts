import type { Document } from 'bson';
import { isPlainObject } from '../bsonUtil.js';
import { fail } from '../errors.js';

/**
 * `$`-prefixed field names, as mongod 5.0+ validates them for storage (storage_validation.cpp,
 * BSONObj::storageValidEmbedded; docs "Dollar-Prefixed Field Names"): inserts (and upserts, which count as
 * inserts) may have them at any level, except anywhere inside `_id`; updates may not write them as top-level
 * fields (a replacement document's, or a path an operator writes), nor inside `_id`; pipeline updates may
 * (`$setField`), except inside `_id`. DBRef fields (`$ref`, `$id`, `$db`) are not `$`-prefixed names there.
 */
const DBREF = new Set(['$ref', '$id', '$db']);

function isDollar(name: string): boolean {
  return name.charCodeAt(0) === 36 && !DBREF.has(name);
}

/** The first `$`-prefixed name at any depth of `value` (arrays included), with its dotted path. */
function firstDollar(value: unknown, prefix: string): { name: string; path: string } | undefined {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = firstDollar(value[i], `${prefix}.${i}`);
      if (hit) return hit;
    }
    return undefined;
  }
  if (!isPlainObject(value)) return undefined;
  for (const k of Object.keys(value)) {
    const path = `${prefix}.${k}`;
    if (isDollar(k)) return { name: k, path };
    const hit = firstDollar(value[k], path);
    if (hit) return hit;
  }
  return undefined;
}

/** insert: `_id: {$a: 1}` answers 52 with ops/insert.cpp's (validIdField) message. */
export function checkInsertedId(id: unknown): void {
  if (!isPlainObject(id)) return;
  const hit = firstDollar(id, '_id');
  if (hit) {
    fail(
      'DollarPrefixedFieldName',
      `_id fields may not contain '$'-prefixed fields: ${hit.name} is not valid for storage.`,
    );
  }
}

function refuseInUpdate(name: string, path: string): never {
  fail(
    'DollarPrefixedFieldName',
    `The dollar ($) prefixed field '${name}' in '${path}' is not allowed in the context of an update's replacement document. Consider using an aggregation pipeline with $replaceWith.`,
  );
}

/** `$` inside the `_id` a write stores (update path: any update, upserts included). */
export function checkUpdatedId(id: unknown): void {
  if (!isPlainObject(id)) return;
  const hit = firstDollar(id, '_id');
  if (hit) refuseInUpdate(hit.name, hit.path);
}

/** A replacement document: no top-level `$` name unless it is inserted (an upsert), none inside `_id`. */
export function checkReplacement(doc: Document, isInsert: boolean): void {
  if (!isInsert) for (const k of Object.keys(doc)) if (isDollar(k)) refuseInUpdate(k, k);
  checkUpdatedId(doc._id);
}

/** A path an update operator writes on an existing document: its top-level field may not be `$`-prefixed. */
export function checkOperatorPath(path: string): void {
  if (path.charCodeAt(0) !== 36) return;
  const top = path.split('.', 1)[0]!;
  if (isDollar(top)) refuseInUpdate(top, top);
}

import { type Db, MongoServerError } from 'mongodb';

const NAMESPACE_NOT_FOUND = 26;
const NAMESPACE_EXISTS = 48;
const PRE_IMAGES = { changeStreamPreAndPostImages: { enabled: true } } as const;

function hasCode(error: unknown, code: number): boolean {
  return error instanceof MongoServerError && error.code === code;
}

/**
 * Makes MongoDB keep change-stream pre-images for `collection` (`collMod`, or `create` when it does
 * not exist yet), so a processor can route a delete by the partition key the document had and show
 * the handler what was deleted. Idempotent and safe when several instances start at once. Call it at
 * startup, before starting the processors, for every collection whose deletes (or late updates) a
 * processor handles. Mongo mode only: Cosmos DB has no pre-images.
 */
export async function enablePreImages(db: Db, collection: string): Promise<void> {
  try {
    await db.command({ collMod: collection, ...PRE_IMAGES });
  } catch (error) {
    if (!hasCode(error, NAMESPACE_NOT_FOUND)) throw error;
    try {
      await db.command({ create: collection, ...PRE_IMAGES });
    } catch (createError) {
      // Another instance created it in between, maybe without the option: modify it after all.
      if (!hasCode(createError, NAMESPACE_EXISTS)) throw createError;
      await db.command({ collMod: collection, ...PRE_IMAGES });
    }
  }
}

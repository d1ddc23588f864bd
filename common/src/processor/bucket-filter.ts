import type { Document } from 'mongodb';

/**
 * The change-stream stage that keeps only the events of `owned` buckets, decided by the server, so an
 * instance receives (and decodes) its share of a collection's changes instead of all of them. It
 * computes what `partitionKeyOf` (routing.ts) and `bucketOf` (buckets.ts) compute, for the default
 * partition key (`partition_key`): the key of the document after the change, else of the pre-image,
 * else `documentKey.partition_key`, else `_id`; a document without a key is keyed by its `_id`.
 *
 * Only string and ObjectId keys are bucketed here (their canonical text is `$toString`); any other
 * key passes, and the instance routes it itself as before. The filter may thus let through events of
 * other buckets, never hold back one of its own. Mongo mode only (`$toHashedIndexKey`: MongoDB 7.0).
 */
export function bucketFilterStage(buckets: number, owned: Iterable<number>): Document {
  // $mod keeps the sign of the (signed 64-bit) hash: bucket b is remainder b, or b - buckets.
  const remainders: number[] = [];
  for (const bucket of owned) {
    remainders.push(bucket);
    if (bucket > 0) remainders.push(bucket - buckets);
  }
  // The first non-null of these is the key routing.ts picks: a document's key or else its _id (so the
  // pre-image is only read when there is no document after the change), then the document key.
  const key = {
    $ifNull: [
      '$fullDocument.partition_key',
      '$fullDocument._id',
      '$fullDocumentBeforeChange.partition_key',
      '$fullDocumentBeforeChange._id',
      '$documentKey.partition_key',
      '$documentKey._id',
    ],
  };
  return {
    $match: {
      $expr: {
        $let: {
          vars: { key },
          in: {
            // $cond, not $or: $toString must never see a key it can not convert.
            $cond: [
              { $in: [{ $type: '$$key' }, ['string', 'objectId']] },
              { $in: [{ $mod: [{ $toHashedIndexKey: { $toString: '$$key' } }, buckets] }, remainders] },
              true,
            ],
          },
        },
      },
    },
  };
}

import type { Db } from 'mongodb';

/**
 * Which release colour runs the processors. Written only by the hand-over (release.ts CLI, run by
 * the release's post-promotion step); read by every colour-gated service. The processors' own
 * state (leases, checkpoints) lives in Mongo, so it carries over from one colour to the other.
 */
export const RELEASE_CONTROL = 'release_control';

export const RELEASE_COLOURS = ['blue', 'green'] as const;
export type ReleaseColour = (typeof RELEASE_COLOURS)[number];

export interface ProcessorsControlDoc {
  _id: 'processors';
  /** Like every document: the shard key where the collection is sharded (Cosmos DB). */
  partition_key: 'processors';
  /** null: paused, no colour runs the processors (a stop-then-start release). */
  activeColour: ReleaseColour | null;
  previousColour: ReleaseColour | null;
  changedAt: Date;
  changedBy: string;
}

function control(db: Db) {
  return db.collection<ProcessorsControlDoc>(RELEASE_CONTROL);
}

export function isReleaseColour(value: unknown): value is ReleaseColour {
  return RELEASE_COLOURS.includes(value as ReleaseColour);
}

/** The colour whose processors run, or null before the first hand-over and while paused. */
export async function readActiveColour(db: Db): Promise<ReleaseColour | null> {
  const doc = await control(db).findOne({ _id: 'processors' });
  return doc?.activeColour ?? null;
}

/** Makes `colour` the processors' colour (null pauses them all); returns the colour it replaces. */
export async function setActiveColour(
  db: Db,
  colour: ReleaseColour | null,
  changedBy: string,
): Promise<ReleaseColour | null> {
  const before = await control(db).findOneAndUpdate(
    { _id: 'processors' },
    [
      {
        $set: {
          partition_key: 'processors',
          previousColour: { $ifNull: ['$activeColour', null] },
          activeColour: colour,
          changedAt: '$$NOW',
          changedBy,
        },
      },
    ],
    { upsert: true, returnDocument: 'before' },
  );
  return before?.activeColour ?? null;
}

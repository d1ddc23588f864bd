import type { Collection, Db } from 'mongodb';
import type { Actor } from './actor';

export const ADMIN_AUDIT = 'admin_audit';

/** One admin change: who, what, on which document, when; web is its only writer. */
export interface AuditEntry {
  /** `<kind>:<id>:v<version>` for catalog changes, so recording one twice keeps one entry. */
  _id: string;
  /** The actor's `sub`: one admin's entries stay together. */
  partition_key: string;
  at: Date;
  actor: Actor;
  action: string;
  target: { kind: string; id: string };
  /** The values the change set (never secrets). */
  changes?: Record<string, unknown>;
}

export interface AuditLog {
  record(entry: Omit<AuditEntry, 'partition_key'>): Promise<void>;
  /** Newest first. */
  list(options: { limit: number; before?: Date }): Promise<AuditEntry[]>;
}

export function mongoAuditLog(db: Db): AuditLog {
  const entries: Collection<AuditEntry> = db.collection<AuditEntry>(ADMIN_AUDIT);
  return {
    async record(entry) {
      // An upsert by id: recording the same change again (a retry) keeps one entry.
      await entries.updateOne(
        { _id: entry._id },
        { $setOnInsert: { ...entry, partition_key: entry.actor.sub } },
        { upsert: true },
      );
    },
    list({ limit, before }) {
      return entries
        .find(before ? { at: { $lt: before } } : {})
        .sort({ at: -1, _id: -1 })
        .limit(limit)
        .toArray();
    },
  };
}

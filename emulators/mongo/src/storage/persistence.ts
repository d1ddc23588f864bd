import type { Document } from 'bson';
import type { OplogEntry } from '../changes/oplog.js';

/**
 * A retryable write's outcome, mongod's config.transactions row: (lsid, txnNumber) → the reply. It is journaled
 * in the same record as the last entry of the write it belongs to, so a crash keeps both or neither.
 */
export interface RetryRecord {
  /** Encoded lsid (sessions.ts lsidKey). */
  key: string;
  lsid: Document;
  txnNumber: number;
  reply: Document;
  /** When the write ran: the record expires with the session timeout after it. */
  wall: Date;
}

export interface Persistence {
  append(entries: OplogEntry[], retry?: RetryRecord): Promise<void>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

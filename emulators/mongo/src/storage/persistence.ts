import type { OplogEntry } from '../changes/oplog.js';

export interface Persistence {
  append(entries: OplogEntry[]): Promise<void>;
  flush(): Promise<void>;
  close(): Promise<void>;
}

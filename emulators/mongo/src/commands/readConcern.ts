import type { Document } from 'bson';
import { isPlainObject } from '../bsonUtil.js';
import { fail } from '../errors.js';

/**
 * `$out` / `$merge` with `readConcern: {level: 'linearizable'}`: mongod refuses the pipeline when it parses it
 * (document_source_out.h / document_source_merge.h, supportsReadConcern), before reading anything.
 */
export function checkWriteStageReadConcern(cmd: Document, pipeline: Document[]): void {
  const rc = cmd.readConcern;
  if (!isPlainObject(rc) || rc.level !== 'linearizable') return;
  const last = pipeline[pipeline.length - 1];
  const stage = last && ('$out' in last ? '$out' : '$merge' in last ? '$merge' : undefined);
  if (stage) fail('InvalidOptions', `${stage} cannot be used with a 'linearizable' read concern level`);
}

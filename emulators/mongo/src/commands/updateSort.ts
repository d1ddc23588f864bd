import type { Document } from 'bson';
import { isPlainObject } from '../bsonUtil.js';
import { fail } from '../errors.js';
import { supportsUpdateSort } from '../serverVersion.js';
import type { CommandContext } from './context.js';

/**
 * `sort` in `update` statements (updateOne / replaceOne with a sort): mongod 8.0 added it; 7.0's command
 * parser refuses the unknown field (IDL, 40415) before running anything. Both refuse it with multi=true
 * (write_ops_exec.cpp: FailedToParse). Follows the release the server presents (serverVersion.ts).
 */
export function checkUpdateSorts(ctx: CommandContext, statements: unknown): void {
  if (!Array.isArray(statements)) return;
  for (const s of statements) {
    if (!isPlainObject(s) || (s as Document).sort === undefined) continue;
    if (!supportsUpdateSort(ctx.server.version))
      fail('Location40415', "BSON field 'update.updates.sort' is an unknown field.");
    if ((s as Document).multi === true) fail('FailedToParse', 'Cannot specify sort with multi=true');
  }
}

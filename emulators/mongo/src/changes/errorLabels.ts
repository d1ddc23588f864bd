import type { Document } from 'bson';
import { type MongoServerError, toServerError } from '../errors.js';

/** ErrorCodes::isNonResumableChangeStreamError (error_codes.yml): ChangeStreamFatalError, ChangeStreamHistoryLost. */
const NON_RESUMABLE = new Set([280, 286]);

/**
 * Codes that make a change stream's `aggregate`/`getMore` error resumable (error_label_builder.cpp,
 * isResumableChangeStreamError): the retriable and network errors, the re-targeting errors,
 * RetryChangeStream (234) and FailedToSatisfyReadPreference (133).
 */
const RESUMABLE = new Set([
  6, 7, 89, 91, 133, 134, 150, 189, 202, 234, 262, 9001, 10107, 11600, 11602, 13388, 13435, 13436, 63,
]);

/**
 * Adds the label mongod's ErrorLabelBuilder gives a failed command: `ResumableChangeStreamError` for those codes
 * when the command is a change stream's, else `NonResumableChangeStreamError` for 280/286 (on any command).
 * Drivers (4.4+ servers) resume a change stream only on the first label, a network error or CursorNotFound.
 * Runs on the error path only.
 */
export function labelChangeStreamError(err: unknown, changeStream: boolean): MongoServerError {
  const e = toServerError(err);
  if (e.errorLabels.includes('ResumableChangeStreamError')) return e;
  if (changeStream && RESUMABLE.has(e.code)) e.withLabel('ResumableChangeStreamError');
  else if (NON_RESUMABLE.has(e.code)) e.withLabel('NonResumableChangeStreamError');
  return e;
}

/** An `aggregate` opening a change stream (its getMores are labelled where the cursor is known, read.ts). */
export function opensChangeStream(cmd: Document): boolean {
  const first = Array.isArray(cmd.pipeline) ? (cmd.pipeline[0] as Document | undefined) : undefined;
  return first !== undefined && first !== null && typeof first === 'object' && '$changeStream' in first;
}
